/* Unit tests: the hwpoison entry kind (kinds/hwpoison.c) through the kind
 * API: which entries it owns, how it is described and reported in
 * pagemap, and what the generic mm paths do with it: an access is
 * VM_FAULT_HWPOISON, fork copies it, mprotect keeps it, and a zap drops
 * it only when it drops private COW copies too (should_zap_cows:
 * MADV_DONTNEED and truncate do, a hole punch does not).  Linux 6.18. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kindtest.h"

/* Ownership: the hwpoison type is the hwpoison kind's. */
static void test_ownership(void **state)
{
	const struct vmsim_kind *hwp = vmsim_kind_lookup(vm, "hwpoison");
	char d[96];

	(void)state;
	assert_true(vmsim_kind_builtin(hwp));
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(make_hwpoison_entry(3))), hwp);
	vmsim_kind_describe(vm, swp_entry_to_pte(make_hwpoison_entry(0x42)), d, sizeof(d));
	assert_string_equal(d, "hwpoison pfn 0x42");
}

/* hwpoison: its entry names the frame; fork copies it, mprotect keeps
 * it, DONTNEED (which zaps COWs) drops it. */
static void test_hwpoison_entry(void **state)
{
	struct vmsim_mm *child;
	unsigned long pfn;
	pte_t pte;

	(void)state;
	assert_int_equal(tu_write(mm, A, 1), 0);
	pfn = tu_pfn(mm, A);
	assert_int_equal(vmsim_memory_failure(vm, pfn), 0);
	pte = pte_at(A);
	assert_string_equal(kind_at(A), "hwpoison");
	assert_int_equal(softleaf_to_pfn(softleaf_from_pte(pte)), pfn);
	assert_int_equal(tu_pm(mm, A) & PM_PFRAME_MASK, (uint64_t)SWP_HWPOISON | ((uint64_t)pfn << 5));
	assert_int_equal(vmsim_mprotect(mm, A, P, VMSIM_PROT_READ), 0);
	assert_int_equal(pte_val(pte_at(A)), pte_val(pte));
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(tu_read(child, A), -VMSIM_ACCESS_HWPOISON);
	vmsim_mm_exit(child);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(tu_read(mm, A), 0);
}

/* A zap drops the entry only where it drops private COW copies too
 * (zap_nonpresent_ptes: should_zap_cows).  A private file mapping whose
 * page was copied on write, then poisoned:
 *
 *   file F   [ f ]      one page
 *   vma B    [ h ]      private, its COW copy poisoned: hwpoison entry
 *
 * shmem's hole punch unmaps with even_cows = 0 (shmem_fallocate): the
 * entry stays; truncate with even_cows = 1 (shmem_setattr): it goes, and
 * the page is past EOF now. */
static void test_punch_keeps_truncate_drops(void **state)
{
	const uint64_t B = A + 0x200000;
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, B, P, TU_PROT_RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(tu_write(mm, B, 1), 0);
	assert_int_equal(vmsim_memory_failure(vm, tu_pfn(mm, B)), 0);
	assert_string_equal(kind_at(B), "hwpoison");
	assert_int_equal(vmsim_file_punch(f, 0, P), 0);
	assert_string_equal(kind_at(B), "hwpoison");
	assert_int_equal(tu_read(mm, B), -VMSIM_ACCESS_HWPOISON);
	assert_int_equal(vmsim_file_truncate(f, 0), 0);
	assert_int_equal(tu_pm(mm, B) & (PM_SWAP | PM_PRESENT), 0);
	assert_int_equal(tu_read(mm, B), -VMSIM_ACCESS_SIGBUS);
}

/* mremap moves the entry, soft-dirty as every moved entry; munmap drops
 * it. */
static void test_mremap_moves_munmap_drops(void **state)
{
	unsigned long pfn;
	pte_t pte;

	(void)state;
	assert_int_equal(tu_write(mm, A, 1), 0);
	pfn = tu_pfn(mm, A);
	assert_int_equal(vmsim_memory_failure(vm, pfn), 0);
	pte = pte_at(A);
	assert_int_equal(vmsim_mremap(mm, A, P, P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 0x100000), 0);
	assert_string_equal(kind_at(A + 0x100000), "hwpoison");
	assert_int_equal(softleaf_to_pfn(softleaf_from_pte(pte_at(A + 0x100000))), pfn);
	/* try_to_unmap_one() made it without soft-dirty; move_soft_dirty_pte()
	 * marks the moved entry. */
	assert_false(pte_swp_soft_dirty(pte));
	assert_true(pte_swp_soft_dirty(pte_at(A + 0x100000)));
	assert_int_equal(vmsim_munmap(mm, A + 0x100000, P), 0);
	assert_int_equal(tu_read(mm, A + 0x100000), -VMSIM_ACCESS_SIGSEGV);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ownership, setup, teardown),
		cmocka_unit_test_setup_teardown(test_hwpoison_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_punch_keeps_truncate_drops, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mremap_moves_munmap_drops, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
