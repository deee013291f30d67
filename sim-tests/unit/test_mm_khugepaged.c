/* Unit tests: MADV_COLLAPSE (mm/khugepaged.c of Linux 6.12-6.18,
 * madvise_collapse for anonymous memory): small pages of an aligned 2M
 * become one THP with their data; no page table or no writable pte is
 * -EINVAL, so is MADV_NOHUGEPAGE; swapped-out pages are swapped in first
 * and swap-cache pages count as suitable; an entry whose fault fails (a
 * guard marker) is -EINVAL, a pinned page -EAGAIN, holes a userfault
 * handler would see -EBUSY (madvise_collapse_errno). */
#define TU_UNIT_MACHINE "ram=64M swap=16M check=full thp=madvise"
#include "unitfix.h"

#define M2 (2ULL << 20)

static struct vmsim_mm_stats stats(struct vmsim_mm *m)
{
	struct vmsim_mm_stats st;

	vmsim_mm_stats(m, &st);
	return st;
}

/* Is addr mapped by a PMD leaf in m? */
static bool pmd_mapped(struct vmsim_mm *m, uint64_t addr)
{
	struct vmsim_walk w;

	assert_int_equal(vmsim_walk(vm, vmsim_mm_pgd(m), addr, 0, &w), 0);
	return w.level == VMSIM_LVL_PMD && w.pmd && pmd_leaf(pmdp_get(w.pmd));
}

static void test_collapse(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, 2 * M2, RW, ANON, NULL, 0), 0);
	/* No page table at all, or a pte table with no writable pte: EINVAL. */
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_COLLAPSE), -EINVAL);
	assert_int_equal(tu_read(mm, A), 0);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_COLLAPSE), -EINVAL);
	/* One written page is enough; the data moves into the THP. */
	assert_int_equal(tu_write(mm, A + 3 * P, 0x33), 0);
	assert_int_equal(tu_write(mm, A + 511 * P, 0x44), 0);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_COLLAPSE), 0);
	assert_true(pmd_mapped(mm, A));
	assert_int_equal(tu_read(mm, A + 3 * P), 0x33);
	assert_int_equal(tu_read(mm, A + 511 * P), 0x44);
	assert_int_equal(tu_read(mm, A + 4 * P), 0);
	assert_int_equal(stats(mm).rss_anon, 512);
	/* Collapsing it again: already PMD-mapped, fine. */
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_COLLAPSE), 0);
	/* MADV_NOHUGEPAGE forbids it. */
	assert_int_equal(vmsim_madvise(mm, A, 2 * M2, VMSIM_MADV_NOHUGEPAGE), 0);
	assert_int_equal(vmsim_madvise(mm, A + M2, M2, VMSIM_MADV_COLLAPSE), -EINVAL);
}

/* Small pages of an aligned 2M: page 0 written, page 1 swapped out,
 * page 2 swapped out and read back (in the swap cache, mapped):
 *
 *   A   0 1 2 3 ... 511
 *       w s c . ... .      w written, s swap entry, c swap-cache page
 *
 * MADV_COLLAPSE swaps page 1 in first (__collapse_huge_page_swapin) and
 * counts the swap cache's reference as suitable (is_refcount_suitable),
 * so the range becomes one THP holding the data; no swap copy is left. */
static void test_collapse_swaps_in(void **state)
{
	struct vmsim_swap_info si;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, M2, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_NOHUGEPAGE), 0);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(tu_write(mm, A + i * P, 0x10 + i), 0);
	assert_int_equal(vmsim_madvise(mm, A + P, 2 * P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(vmsim_reclaim(vm, 64), 2);	/* clean in the cache: freed */
	assert_int_equal(tu_read(mm, A + 2 * P), 0x12);
	assert_true(tu_pm(mm, A + P) & PM_SWAP);
	assert_int_equal(vmsim_swap_info(vm, 0, &si), 0);
	assert_true(si.cached >= 1);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_HUGEPAGE), 0);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_COLLAPSE), 0);
	assert_true(pmd_mapped(mm, A));
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(tu_read(mm, A + i * P), 0x10 + i);
	assert_int_equal(stats(mm).rss_anon, 512);
	assert_int_equal(stats(mm).swap_ents, 0);
	assert_int_equal(vmsim_swap_info(vm, 0, &si), 0);
	assert_int_equal(si.inuse, 0);
	assert_int_equal(si.cached, 0);
}

/* An entry whose fault fails stops the swap-in: a guard marker's
 * (SIGSEGV), as do_swap_page() meets it; SCAN_FAIL is EINVAL and the
 * range stays as it was. */
static void test_collapse_guard_fails(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, M2, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(vmsim_madvise(mm, A + P, P, VMSIM_MADV_GUARD_INSTALL), 0);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_COLLAPSE), -EINVAL);
	assert_false(pmd_mapped(mm, A));
	assert_true(tu_pm(mm, A) & PM_PRESENT);
	assert_true(tu_pm(mm, A + P) & PM_GUARD_REGION);
}

/* A pinned page: the refcount is more than its mappings
 * (is_refcount_suitable fails, SCAN_PAGE_COUNT), which madvise_collapse
 * reports as -EAGAIN, "trying again might succeed"; once unpinned it
 * does. */
static void test_collapse_pinned_eagain(void **state)
{
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, M2, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(vmsim_pin_user_pages(mm, A, 1, true, &pfn), 1);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_COLLAPSE), -EAGAIN);
	assert_false(pmd_mapped(mm, A));
	assert_int_equal(tu_pfn(mm, A), pfn);
	assert_int_equal(vmsim_unpin_user_pages(vm, &pfn, 1), 0);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_COLLAPSE), 0);
	assert_true(pmd_mapped(mm, A));
}

/* A range registered with userfaultfd keeps its holes: a missing-page
 * handler would have to hear of them (userfaultfd_armed():
 * SCAN_EXCEED_NONE_PTE, -EBUSY); fully populated, it collapses. */
static void test_collapse_uffd_holes_ebusy(void **state)
{
	struct vmsim_uffd *u;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, M2, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	assert_int_equal(vmsim_uffd_register(u, A, M2, UFFDIO_REGISTER_MODE_MISSING), 0);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_COLLAPSE), -EBUSY);
	assert_false(pmd_mapped(mm, A));
	vmsim_uffd_close(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_collapse),
		TU_TEST(test_collapse_swaps_in),
		TU_TEST(test_collapse_guard_fails),
		TU_TEST(test_collapse_pinned_eagain),
		TU_TEST(test_collapse_uffd_holes_ebusy),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
