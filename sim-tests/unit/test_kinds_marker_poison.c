/* Unit tests: the poisoned PTE marker (kinds/marker_poison.c; Linux 6.18
 * UFFDIO_POISON and swap-in errors): its table entries, any access
 * VM_FAULT_HWPOISON, UFFDIO_POISON only over none ptes, fork copying it,
 * mremap moving it, and a zap removing it only where private COW copies
 * go too (DONTNEED and truncate, not a hole punch).  mprotect and uffd-wp
 * resolve leaving it is in test_mm_kind.c's change_prot_default. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#define TU_UNIT_MACHINE "check=full"
#include "unitfix.h"

static int handler_zeropage(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *msg)
{
	(void)arg;
	(void)ctx;
	(void)msg;
	return VMSIM_UFFD_SIGBUS;
}

/* UFFDIO_POISON (mm/userfaultfd.c mfill_atomic_pte_poison): markers in
 * none ptes only; any access is VM_FAULT_HWPOISON; fork copies them;
 * MADV_DONTNEED (should_zap_cows) removes them. */
static void uffd_poison(void **state)
{
	struct vmsim_uffd *u;
	struct vmsim_mm *child;
	unsigned char b;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A + 2 * P, 7), 0);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	vmsim_uffd_set_handler(u, handler_zeropage, NULL);
	assert_int_equal(vmsim_uffd_register(u, A, 4 * P, UFFDIO_REGISTER_MODE_MISSING), 0);
	assert_int_equal(vmsim_uffd_poison(u, A, 2 * P), 2 * P);
	/* A populated pte stops it: what came before is done. */
	assert_int_equal(vmsim_uffd_poison(u, A + 2 * P, 2 * P), -EEXIST);
	assert_int_equal(vmsim_uffd_poison(u, A, P), -EEXIST);	/* even over a marker */
	assert_int_equal(vmsim_access(mm, -1, A, &b, 1, false, NULL), VMSIM_ACCESS_HWPOISON);
	assert_int_equal(vmsim_access(mm, -1, A + P, &b, 1, true, NULL), VMSIM_ACCESS_HWPOISON);
	assert_true(tu_pm(mm, A) & PM_SWAP);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_true(tu_pm(child, A) & PM_SWAP);
	assert_int_equal(vmsim_access(child, -1, A, &b, 1, false, NULL), VMSIM_ACCESS_HWPOISON);
	vmsim_mm_exit(child);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_DONTNEED), 0);
	assert_false(tu_pm(mm, A) & PM_SWAP);
}

/* The poisoned marker as a kind: its bit, its description, installed by
 * name like any marker; any access is VM_FAULT_HWPOISON, not SIGSEGV. */
static void poison_entry(void **state)
{
	const struct vmsim_kind *k = vmsim_kind_lookup(vm, "poison");
	char d[64];

	(void)state;
	assert_true(vmsim_kind_builtin(k));
	assert_int_equal(vmsim_kind_marker(k), PTE_MARKER_POISONED);
	assert_ptr_equal(vmsim_kind_of(vm, make_pte_marker(PTE_MARKER_POISONED)), k);
	vmsim_kind_describe(vm, make_pte_marker(PTE_MARKER_POISONED), d, sizeof(d));
	assert_string_equal(d, "poison marker");
	assert_int_equal(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_kind_install(mm, A, P, "poison", NULL), 0);
	assert_int_equal(tu_write(mm, A, 1), VMSIM_ACCESS_HWPOISON);
	assert_int_equal(tu_read(mm, A), -VMSIM_ACCESS_HWPOISON);
	/* pagemap: a marker is a swap entry of type 31 whose offset is the
	 * marker bits (pte_to_pagemap_entry), and not a guard region. */
	assert_int_equal(tu_pm(mm, A) & (PM_SWAP | PM_GUARD_REGION | PM_PFRAME_MASK),
			 PM_SWAP | 31 | ((uint64_t)PTE_MARKER_POISONED << 5));
	assert_int_equal(tu_read(mm, A + P), 0);
}

/* A zap removes it only where it removes private COW copies too
 * (zap_nonpresent_ptes: is_poisoned_swp_entry() and should_zap_cows()):
 *
 *   file F   [ f ]
 *   vma B    [ X ]   private mapping of F, poisoned
 *
 * shmem's hole punch (even_cows = 0) keeps it; truncate (even_cows = 1)
 * removes it, and the page is past EOF.  mremap moves it. */
static void poison_zap_and_move(void **state)
{
	const uint64_t B = A + 0x200000;
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, B, P, TU_PROT_RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(vmsim_kind_install(mm, B, P, "poison", NULL), 0);
	assert_int_equal(vmsim_file_punch(f, 0, P), 0);
	assert_true(tu_pm(mm, B) & PM_SWAP);
	assert_int_equal(tu_read(mm, B), -VMSIM_ACCESS_HWPOISON);
	assert_int_equal(vmsim_mremap(mm, B, P, P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, B + 0x100000), 0);
	assert_true(tu_pm(mm, B + 0x100000) & PM_SWAP);
	assert_int_equal(tu_read(mm, B + 0x100000), -VMSIM_ACCESS_HWPOISON);
	assert_int_equal(vmsim_file_truncate(f, 0), 0);
	assert_false(tu_pm(mm, B + 0x100000) & PM_SWAP);
	assert_int_equal(tu_read(mm, B + 0x100000), -VMSIM_ACCESS_SIGBUS);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(uffd_poison),
		TU_TEST(poison_entry),
		TU_TEST(poison_zap_and_move),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
