/* Unit tests: /proc/PID/pagemap and clear_refs (fs/proc/task_mmu.c of
 * Linux 6.18: pte_to_pagemap_entry, pagemap_pte_hole, clear_soft_dirty).
 * Expected words are built from the PM_* bits by hand: PM_PRESENT with the
 * PFN; PM_MMAP_EXCLUSIVE for a page mapped once; PM_FILE for a page-cache
 * page; PM_SWAP with "type | offset << 5" as the frame for any non-present
 * entry (a marker is type 31, its offset the marker bits); PM_SOFT_DIRTY
 * from the pte or from VM_SOFTDIRTY; none of them for the zero page's
 * struct page (it has none) nor outside any vma. */
#include "unitfix.h"

#define MARKER_FRAME(m)	(31ULL | ((uint64_t)(m) << 5))	/* SWP_PTE_MARKER = 31 */

static void test_holes(void **state)
{
	uint64_t e[3] = { 1, 1, 1 };

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(1), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_pagemap(mm, pg(0), 3, e), 0);
	assert_int_equal(e[0], 0);			/* no vma */
	assert_int_equal(e[1], PM_SOFT_DIRTY);		/* a new vma is soft-dirty */
	assert_int_equal(e[2], 0);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_int_equal(tu_pm(mm, pg(1)), 0);
}

static void test_anon_and_zero(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_read(mm, pg(1)), 0);
	assert_int_equal(tu_pm(mm, pg(0)), PM_PRESENT | PM_MMAP_EXCLUSIVE | PM_SOFT_DIRTY | tu_pfn(mm, pg(0)));
	assert_int_equal(tu_pm(mm, pg(1)), PM_PRESENT | PM_SOFT_DIRTY | vmsim_zero_pfn(vm));
}

static void test_file_pages(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_file *f;
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	pfn = tu_pfn(mm, pg(0));
	assert_int_equal(tu_pm(mm, pg(0)), PM_PRESENT | PM_FILE | PM_MMAP_EXCLUSIVE | PM_SOFT_DIRTY | pfn);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(tu_read(child, pg(0)), 1);
	/* Mapped twice: no longer exclusive, in either process. */
	assert_int_equal(tu_pm(mm, pg(0)), PM_PRESENT | PM_FILE | PM_SOFT_DIRTY | pfn);
	assert_int_equal(tu_pm(child, pg(0)), PM_PRESENT | PM_FILE | PM_SOFT_DIRTY | pfn);
	vmsim_mm_exit(child);
	assert_true(tu_pm(mm, pg(0)) & PM_MMAP_EXCLUSIVE);
}

static void test_markers(void **state)
{
	struct vmsim_uffd *u;
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_GUARD_INSTALL), 0);
	assert_int_equal(tu_pm(mm, pg(0)), PM_SWAP | PM_GUARD_REGION | PM_SOFT_DIRTY | MARKER_FRAME(PTE_MARKER_GUARD));
	/* A uffd-wp marker on a none pte of file memory. */
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(4), P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	assert_int_equal(vmsim_uffd_register(u, pg(4), P, UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(vmsim_uffd_writeprotect(u, pg(4), P, true), 0);
	assert_int_equal(tu_pm(mm, pg(4)), PM_SWAP | PM_UFFD_WP | PM_SOFT_DIRTY | MARKER_FRAME(PTE_MARKER_UFFD_WP));
	/* A present write-protected page: the pte's uffd-wp bit. */
	assert_int_equal(vmsim_uffd_writeprotect(u, pg(4), P, false), 0);
	assert_int_equal(tu_read(mm, pg(4)), 0);
	assert_int_equal(vmsim_uffd_writeprotect(u, pg(4), P, true), 0);
	assert_int_equal(tu_pm(mm, pg(4)) & ~PM_PFRAME_MASK, PM_PRESENT | PM_FILE | PM_MMAP_EXCLUSIVE | PM_UFFD_WP | PM_SOFT_DIRTY);
	vmsim_uffd_close(u);
}

/* clear_refs 4: soft-dirty forgotten (pte and vma); a write sets it again
 * (through a write-protect fault), a read does not. */
static void test_soft_dirty_cycle(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_false(tu_pm(mm, pg(0)) & PM_SOFT_DIRTY);
	assert_false(tu_pm(mm, pg(1)) & PM_SOFT_DIRTY);
	assert_int_equal(tu_read(mm, pg(0)), 1);
	assert_int_equal(tu_write(mm, pg(1), 2), 0);
	assert_false(tu_pm(mm, pg(0)) & PM_SOFT_DIRTY);
	assert_true(tu_pm(mm, pg(1)) & PM_SOFT_DIRTY);
	assert_int_equal(vmsim_clear_refs(mm, 1), -EINVAL);
	assert_int_equal(vmsim_clear_refs(NULL, 4), -EINVAL);
}

/* pte_is_pinned(): clear_refs leaves a pinned anonymous page alone, so
 * the pin keeps seeing what the process writes. */
static void test_clear_refs_skips_pinned(void **state)
{
	unsigned long pin;
	pte_t *ptep;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_pin_user_pages(mm, pg(0), 1, true, &pin), 1);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_true(tu_pm(mm, pg(0)) & PM_SOFT_DIRTY);
	ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), pg(0), false);
	assert_non_null(ptep);
	assert_true(pte_write(ptep_get(ptep)));
	vmsim_unpin_user_pages(vm, &pin, 1);
}

static void test_arguments(void **state)
{
	uint64_t e;

	(void)state;
	assert_int_equal(vmsim_pagemap(mm, pg(0) + 8, 1, &e), -EINVAL);
	assert_int_equal(vmsim_pagemap(mm, pg(0), 1, NULL), -EINVAL);
	assert_int_equal(vmsim_pagemap(NULL, pg(0), 1, &e), -EINVAL);
	assert_int_equal(vmsim_pagemap(mm, pg(0), ~0UL, &e), -EINVAL);
	assert_int_equal(vmsim_pagemap(mm, pg(0), 0, &e), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_holes),
		TU_TEST(test_anon_and_zero),
		TU_TEST(test_file_pages),
		TU_TEST(test_markers),
		TU_TEST(test_soft_dirty_cycle),
		TU_TEST(test_clear_refs_skips_pinned),
		TU_TEST(test_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
