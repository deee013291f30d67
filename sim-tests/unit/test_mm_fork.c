/* Unit tests: fork (kernel/fork.c dup_mmap, mm/memory.c copy_page_range)
 * as Linux 6.18 does it: vma_needs_copy() skips the page tables of vmas a
 * fault can refill (no anon_vma, no uffd-wp, no pfnmap); anonymous pages
 * are shared write-protected and lose PageAnonExclusive; a possibly pinned
 * exclusive page is copied for the child at once (copy_present_page); the
 * zero page and shared memory stay shared. */
#include "unitfix.h"

static long rss_anon(struct vmsim_mm *m)
{
	struct vmsim_mm_stats st;

	vmsim_mm_stats(m, &st);
	return st.rss_anon;
}

static unsigned long faults_wp(struct vmsim_mm *m)
{
	struct vmsim_mm_stats st;

	vmsim_mm_stats(m, &st);
	return st.faults_wp;
}

static void test_child_has_same_layout(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 8 * P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(3), 2 * P, RO, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(5), 2 * P, RW, VMSIM_MAP_PRIVATE, f, 4 * P), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	/*
	 * 0123456
	 * AA.BBCC	in both
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 7), "AA.BBCC");
	assert_string_equal(tu_vmas(child, pg(0), 7), "AA.BBCC");
	assert_int_not_equal(vmsim_mm_id(child), vmsim_mm_id(mm));
	assert_int_not_equal(vmsim_mm_pgd(child), vmsim_mm_pgd(mm));
	vmsim_mm_exit(child);
}

/* vma_needs_copy(): only the vma with an anon_vma has its ptes copied. */
static void test_needs_copy_only_with_anon_vma(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_file *f;
	unsigned char b = 9;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	assert_int_equal(vmsim_file_write(f, 0, &b, 1), 1);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(2), P, RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(4), 2 * P, RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(8), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(10), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_read(mm, pg(0)), 9);	/* shared file */
	assert_int_equal(tu_read(mm, pg(2)), 9);	/* private file, read only */
	assert_int_equal(tu_read(mm, pg(4)), 9);	/* private file ... */
	assert_int_equal(tu_write(mm, pg(5), 1), 0);	/* ... with a COW copy */
	assert_int_equal(tu_read(mm, pg(8)), 0);	/* anon, zero page only */
	assert_int_equal(tu_write(mm, pg(10), 1), 0);	/* anon, a page */
	/*
	 * 0123456789a	parent
	 * 1010110010 1
	 */
	assert_string_equal(tu_present(mm, pg(0), 11), "10101100101");
	assert_int_equal(vmsim_fork(mm, &child), 0);
	/*
	 * 0123456789a	child: the anon_vma vmas (4-5 and 10) only; the zero
	 * 00001100001	page of 8 had no anon_vma behind it
	 */
	assert_string_equal(tu_present(child, pg(0), 11), "00001100001");
	/* The rest refaults to the same data. */
	assert_int_equal(tu_read(child, pg(0)), 9);
	assert_int_equal(tu_pfn(child, pg(0)), tu_pfn(mm, pg(0)));
	assert_int_equal(tu_read(child, pg(2)), 9);
	assert_int_equal(tu_read(child, pg(5)), 1);
	vmsim_mm_exit(child);
}

static void test_cow_shares_then_isolates(void **state)
{
	struct vmsim_mm *child;
	unsigned long orig;
	unsigned long wp0;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 2), 0);
	orig = tu_pfn(mm, pg(0));
	assert_true(tu_pm(mm, pg(0)) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(tu_pfn(child, pg(0)), orig);
	/* Mapped twice now: exclusive in neither. */
	assert_false(tu_pm(mm, pg(0)) & PM_MMAP_EXCLUSIVE);
	assert_false(tu_pm(child, pg(0)) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(rss_anon(child), 2);
	assert_int_equal(vmsim_pfn_to_page(vm, orig)->mapcount, 2);
	/* The parent's pte was write-protected: its write faults. */
	wp0 = faults_wp(mm);
	assert_int_equal(tu_write(mm, pg(0), 3), 0);
	assert_int_equal(faults_wp(mm), wp0 + 1);
	assert_int_equal(tu_read(child, pg(0)), 1);
	assert_int_equal(tu_write(child, pg(1), 4), 0);
	assert_int_equal(tu_read(mm, pg(1)), 2);
	assert_int_equal(tu_read(child, pg(1)), 4);
	vmsim_mm_exit(child);
	/* Alone again, the page is reused on write: no copy. */
	orig = tu_pfn(mm, pg(1));
	assert_int_equal(tu_write(mm, pg(1), 5), 0);
	assert_int_equal(tu_pfn(mm, pg(1)), orig);
}

/* A pinned exclusive page stays the parent's: the child gets a copy at
 * fork, and the parent keeps writing to the pinned page without a fault. */
static void test_pinned_page_copied_eagerly(void **state)
{
	struct vmsim_mm *child;
	unsigned long pin, wp0;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 0x41), 0);
	assert_int_equal(tu_write(mm, pg(1), 0x42), 0);
	assert_int_equal(vmsim_pin_user_pages(mm, pg(0), 1, true, &pin), 1);
	assert_int_equal(pin, tu_pfn(mm, pg(0)));
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_not_equal(tu_pfn(child, pg(0)), pin);
	assert_true(tu_pm(child, pg(0)) & PM_MMAP_EXCLUSIVE);
	assert_true(tu_pm(mm, pg(0)) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(tu_read(child, pg(0)), 0x41);
	/* The unpinned neighbour is shared as usual. */
	assert_int_equal(tu_pfn(child, pg(1)), tu_pfn(mm, pg(1)));
	wp0 = faults_wp(mm);
	assert_int_equal(tu_write(mm, pg(0), 0x43), 0);
	assert_int_equal(faults_wp(mm), wp0);
	assert_int_equal(tu_pfn(mm, pg(0)), pin);
	assert_int_equal(tu_read(child, pg(0)), 0x41);
	/* The child's copy was writable from the start. */
	wp0 = faults_wp(child);
	assert_int_equal(tu_write(child, pg(0), 0x44), 0);
	assert_int_equal(faults_wp(child), wp0);
	vmsim_unpin_user_pages(vm, &pin, 1);
	vmsim_mm_exit(child);
}

/* An ordinary extra reference is no pin: the page is shared. */
static void test_plain_reference_is_shared(void **state)
{
	struct vmsim_mm *child;
	unsigned long p;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	p = tu_pfn(mm, pg(0));
	vmsim_get_page(vm, vmsim_pfn_to_page(vm, p));
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(tu_pfn(child, pg(0)), p);
	vmsim_mm_exit(child);
	vmsim_put_page(vm, vmsim_pfn_to_page(vm, p));
}

static void test_zero_page_and_shared_memory(void **state)
{
	struct vmsim_mm *child;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);	/* an anon_vma: copied */
	assert_int_equal(vmsim_mmap(mm, pg(1), P, RW | VMSIM_PROT_EXEC, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(4), P, RW, VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(4), 7), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	/* MAP_SHARED|MAP_ANONYMOUS is shmem: one page for both. */
	assert_int_equal(tu_write(child, pg(4), 8), 0);
	assert_int_equal(tu_read(mm, pg(4)), 8);
	assert_int_equal(tu_pfn(child, pg(4)), tu_pfn(mm, pg(4)));
	/* A zero-page read in the child stays the zero page. */
	assert_int_equal(tu_read(child, pg(1)), 0);
	assert_int_equal(tu_pfn(child, pg(1)), vmsim_zero_pfn(vm));
	vmsim_mm_exit(child);
}

/* Fork of a fork: three mms share the page until each writes. */
static void test_grandchild(void **state)
{
	struct vmsim_mm *c1, *c2;
	unsigned long orig;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	orig = tu_pfn(mm, pg(0));
	assert_int_equal(vmsim_fork(mm, &c1), 0);
	assert_int_equal(vmsim_fork(c1, &c2), 0);
	assert_int_equal(vmsim_pfn_to_page(vm, orig)->mapcount, 3);
	assert_int_equal(tu_write(c1, pg(0), 2), 0);
	assert_int_equal(tu_read(mm, pg(0)), 1);
	assert_int_equal(tu_read(c2, pg(0)), 1);
	assert_int_equal(vmsim_pfn_to_page(vm, orig)->mapcount, 2);
	vmsim_mm_exit(c1);
	vmsim_mm_exit(c2);
	assert_int_equal(vmsim_pfn_to_page(vm, orig)->mapcount, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_child_has_same_layout),
		TU_TEST(test_needs_copy_only_with_anon_vma),
		TU_TEST(test_cow_shares_then_isolates),
		TU_TEST(test_pinned_page_copied_eagerly),
		TU_TEST(test_plain_reference_is_shared),
		TU_TEST(test_zero_page_and_shared_memory),
		TU_TEST(test_grandchild),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
