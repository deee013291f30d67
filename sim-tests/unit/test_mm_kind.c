/* Unit tests: the entry-kind registry and its defaults (mm/kind.c, the
 * public API of include/vmsim/kind.h): registration errors, ownership as
 * data, allocation of marker bits and special swap types, fork of a kind
 * that asks for its tables, change_pte_range()'s default for markers, the
 * trace of every default mm falls back on, a marker's swap-pte bits.  The
 * built-in kinds are test_kinds_*.c's; installing is
 * test_mm_kind_install.c's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#define TU_UNIT_MACHINE "check=full"
#include "unitfix.h"

/* A marker kind a prototype would write: no hooks but a name. */
static const struct vmsim_kind_ops sealed = {
	.name = "sealed",
	.flags = VMSIM_KIND_ALLOC_MARKER,
	.priority = 15,
};

static void register_errors(void **state)
{
	static const struct vmsim_kind_ops nothing = { .name = "nothing" };
	static const struct vmsim_kind_ops dup = { .name = "guard", .flags = VMSIM_KIND_ALLOC_MARKER };
	static const struct vmsim_kind_ops steal = { .name = "steal", .marker = PTE_MARKER_UFFD_WP };
	static const struct vmsim_kind_ops steal_bit = { .name = "stealbit", .pte_bit = _PAGE_UFFD_WP };
	static const struct vmsim_kind_ops toobig = { .name = "toobig", .marker = 1UL << 20 };
	unsigned before = vmsim_nr_kinds(vm);

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, NULL, NULL), -EINVAL);
	assert_int_equal(vmsim_kind_register(NULL, &sealed, NULL), -EINVAL);
	assert_int_equal(vmsim_kind_register(vm, &nothing, NULL), -EINVAL);
	assert_int_equal(vmsim_kind_register(vm, &dup, NULL), -EEXIST);
	assert_int_equal(vmsim_kind_register(vm, &steal, NULL), -EINVAL);
	assert_int_equal(vmsim_kind_register(vm, &steal_bit, NULL), -EINVAL);
	assert_int_equal(vmsim_kind_register(vm, &toobig, NULL), -EINVAL);
	assert_int_equal(vmsim_nr_kinds(vm), before);
}

static void allocated_marker_bits_and_types(void **state)
{
	static const struct vmsim_kind_ops other = { .name = "other", .flags = VMSIM_KIND_ALLOC_MARKER };
	static const struct vmsim_kind_ops special = { .name = "special", .flags = VMSIM_KIND_ALLOC_SWAP_TYPE };
	struct vmsim_kind *k1, *k2, *k3;

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, &sealed, &k1), 0);
	assert_int_equal(vmsim_kind_register(vm, &other, &k2), 0);
	/* The first free bits after Linux's three. */
	assert_int_equal(vmsim_kind_marker(k1), 1UL << 3);
	assert_int_equal(vmsim_kind_marker(k2), 1UL << 4);
	/* A new special type sits below HWPOISON (24) and lowers
	 * MAX_SWAPFILES, as growing a SWP_*_NUM does in Linux. */
	assert_int_equal(vmsim_kind_register(vm, &special, &k3), 0);
	assert_int_equal(vmsim_kind_swap_type(k3), 23);
	assert_int_equal(vmsim_max_swapfiles(vm), 23);
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(swp_entry(23, 5))), k3);
	/* Types below it are still real swap devices'. */
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(swp_entry(22, 5))), vmsim_kind_lookup(vm, "swap"));
	/* Priority 15 beats uffd-wp (10), loses to guard (20). */
	assert_ptr_equal(vmsim_kind_of(vm, make_pte_marker((1UL << 3) | PTE_MARKER_UFFD_WP)), k1);
	assert_ptr_equal(vmsim_kind_of(vm, make_pte_marker((1UL << 3) | PTE_MARKER_GUARD)),
			 vmsim_kind_lookup(vm, "guard"));
	assert_int_equal(vmsim_kind_unregister(vm, "special"), 0);
	assert_int_equal(vmsim_max_swapfiles(vm), 24);
	assert_int_equal(vmsim_kind_unregister(vm, "other"), 0);
	assert_int_equal(vmsim_kind_unregister(vm, "sealed"), 0);
	assert_int_equal(vmsim_nr_kinds(vm), 7);
}

/* A kind that survives fork of a vma without anon_vma needs a say in
 * vma_needs_copy(): VMSIM_KIND_COPY_ON_FORK and a copy hook. */
static int keep_copy(const struct vmsim_kind *k, struct vm_area_struct *dst, struct vm_area_struct *src,
		     uint64_t addr, pte_t *src_ptep, pte_t *child)
{
	(void)k;
	(void)dst;
	(void)src;
	(void)addr;
	*child = *src_ptep;
	return 0;
}

static void copy_on_fork(void **state)
{
	static const struct vmsim_kind_ops kept = {
		.name = "kept", .flags = VMSIM_KIND_ALLOC_MARKER | VMSIM_KIND_COPY_ON_FORK,
		.copy = keep_copy,
	};
	struct vmsim_file *f;
	struct vmsim_mm *child;

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, &kept, NULL), 0);
	/* A shared file mapping has no anon_vma: fork skips its tables
	 * unless a kind asks for them. */
	assert_int_equal(vmsim_file_new(vm, "F", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_kind_install(mm, A + P, P, "kept", NULL), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_true(tu_pm(child, A + P) & PM_SWAP);
	assert_false(tu_pm(child, A) & PM_SWAP);
	vmsim_mm_exit(child);
}

/* change_pte_range() of Linux 6.18: poison and guard markers are skipped
 * by name, any other marker is cleared by uffd-wp resolve (UFFDIO_
 * WRITEPROTECT off, unregister); plain mprotect leaves them all. */
static void change_prot_default(void **state)
{
	struct vmsim_uffd *u;

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, &sealed, NULL), 0);
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_kind_install(mm, A, P, "sealed", NULL), 0);
	assert_int_equal(vmsim_madvise(mm, A + P, P, VMSIM_MADV_GUARD_INSTALL), 0);
	assert_int_equal(vmsim_kind_install(mm, A + 2 * P, P, "poison", NULL), 0);
	assert_int_equal(vmsim_mprotect(mm, A, 4 * P, VMSIM_PROT_READ), 0);
	assert_int_equal(vmsim_mprotect(mm, A, 4 * P, TU_PROT_RW), 0);
	for (int i = 0; i < 3; i++)
		assert_true(tu_pm(mm, A + i * P) & PM_SWAP);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	assert_int_equal(vmsim_uffd_register(u, A, 4 * P, UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(vmsim_uffd_writeprotect(u, A, 4 * P, true), 0);
	assert_true(tu_pm(mm, A) & PM_SWAP);
	assert_int_equal(vmsim_uffd_writeprotect(u, A, 4 * P, false), 0);
	assert_false(tu_pm(mm, A) & PM_SWAP);
	assert_true(tu_pm(mm, A + P) & PM_GUARD_REGION);
	assert_true(tu_pm(mm, A + 2 * P) & PM_SWAP);
}

/* Every hook a kind lacks shows in the trace where mm falls back on
 * Linux's way with an unknown entry (what `vmsim kinds` reads): the
 * kind's name, the address, and the hook first in the text. */
struct seen {
	char hooks[256];
	unsigned events;
	bool bad;
};

static void record_defaults(void *arg, const struct vmsim_trace_event *ev)
{
	struct seen *s = arg;
	char line[200];

	if (ev->type != VMSIM_TR_KIND_DEFAULT)
		return;
	s->events++;
	/* The entry's address: A, or where the first mremap put it. */
	if (!ev->file || strcmp(ev->file, "sealed") || (ev->addr != A && ev->addr != A + 16 * P))
		s->bad = true;
	snprintf(s->hooks + strlen(s->hooks), sizeof(s->hooks) - strlen(s->hooks), "%.*s ",
		 (int)strcspn(ev->why, ":"), ev->why);
	vmsim_trace_format(ev, line, sizeof(line));
	if (ev->addr == A && strncmp(line, "kind_default sealed 0x00007f0000000000: ", 40))
		s->bad = true;
}

static void default_trace(void **state)
{
	struct seen seen = { "", 0, false };
	struct vmsim_mm *child;
	unsigned char b;
	uint64_t pm;

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, &sealed, NULL), 0);
	assert_int_equal(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_kind_install(mm, A, P, "sealed", NULL), 0);
	vmsim_set_trace(vm, record_defaults, &seen);
	assert_int_equal(vmsim_access(mm, -1, A, &b, 1, false, NULL), VMSIM_ACCESS_SIGBUS);
	assert_int_equal(vmsim_pagemap(mm, A, 1, &pm), 0);
	/* No anon_vma yet: vma_needs_copy() lets the child refault. */
	assert_int_equal(vmsim_fork(mm, &child), 0);
	vmsim_mm_exit(child);
	assert_int_equal(tu_write(mm, A + P, 1), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	vmsim_mm_exit(child);
	assert_int_equal(vmsim_mremap(mm, A, 2 * P, 2 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 16 * P), 0);
	assert_int_equal(vmsim_mremap(mm, A + 16 * P, 2 * P, 2 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A), 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_GUARD_REMOVE), 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_DONTNEED), 0);
	vmsim_set_trace(vm, NULL, NULL);
	assert_false(seen.bad);
	assert_string_equal(seen.hooks, "fault pagemap needs_copy copy move move guard_remove zap ");
	/* A kind with the hooks: nothing to say. */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_GUARD_INSTALL), 0);
	vmsim_set_trace(vm, record_defaults, &seen);
	assert_int_equal(vmsim_access(mm, -1, A, &b, 1, true, NULL), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_GUARD_REMOVE), 0);
	vmsim_set_trace(vm, NULL, NULL);
	assert_int_equal(seen.events, 0);
}

/* move_ptes() moves the whole pte and move_soft_dirty_pte() marks it: a
 * guard marker arrives soft-dirty (_PAGE_SWP_SOFT_DIRTY), a slot it did
 * not fill stays sd=0 (clear_refs took VM_SOFTDIRTY away); fork builds a
 * bare marker (copy_pte_marker()), and clear_refs clears the bit again. */
static void marker_swp_bits(void **state)
{
	struct vmsim_mm *child;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_GUARD_INSTALL), 0);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_false(tu_pm(mm, A) & PM_SOFT_DIRTY);
	assert_int_equal(vmsim_mremap(mm, A, 2 * P, 2 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 16 * P), 0);
	assert_true(tu_pm(mm, A + 16 * P) & PM_GUARD_REGION);
	assert_true(tu_pm(mm, A + 16 * P) & PM_SOFT_DIRTY);
	assert_false(tu_pm(mm, A + 17 * P) & PM_SOFT_DIRTY);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_true(tu_pm(child, A + 16 * P) & PM_GUARD_REGION);
	assert_false(tu_pm(child, A + 16 * P) & PM_SOFT_DIRTY);
	vmsim_mm_exit(child);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_int_equal(tu_pm(mm, A + 16 * P) & (PM_GUARD_REGION | PM_SOFT_DIRTY), PM_GUARD_REGION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(register_errors),
		TU_TEST(allocated_marker_bits_and_types),
		TU_TEST(copy_on_fork),
		TU_TEST(change_prot_default),
		TU_TEST(default_trace),
		TU_TEST(marker_swp_bits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
