/* Unit tests: /proc/PID/smaps of one vma (mm/smaps.c), against Linux's
 * fs/proc/task_mmu.c (smap_gather_stats, smaps_pte_entry, smaps_pmd_entry,
 * smaps_account with CONFIG_PAGE_MAPCOUNT, smaps_page_accumulate,
 * shmem_swap_usage, smaps_pte_hole).  All figures are kB.  A page counts
 * in Rss when a pte or PMD maps it (the zero pages never); a folio held
 * only by this mapping is private and whole in Pss, else each page's
 * mapcount divides its Pss and says private (1) or shared (2+); a
 * non-present entry naming a page is "maybe shared"; dirty is the pte's
 * or the folio's; Locked is the Pss of a VM_LOCKED vma; Swap counts swap
 * entries, SwapPss divides each by its swap count. */
#define TU_UNIT_MACHINE "ram=64M check=full thp=madvise swap=4M hugepages=4"
#include "unitfix.h"

#define M2	(2ULL << 20)

static struct vmsim_smaps smaps(struct vmsim_mm *m, uint64_t addr)
{
	struct vmsim_smaps sm;

	memset(&sm, 0xee, sizeof(sm));
	assert_int_equal(vmsim_smaps(m, addr, &sm), 0);
	return sm;
}

/* The vma containing addr, or -ENOMEM where none does (a gap, the end):
 *
 *   pg(0)  pg(1)         pg(3)
 *   |......|vma----------|......
 *   ENOMEM  any address   ENOMEM
 */
static void test_which_vma(void **state)
{
	struct vmsim_smaps sm;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(1), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_smaps(mm, pg(0), &sm), -ENOMEM);
	assert_int_equal(vmsim_smaps(mm, pg(3), &sm), -ENOMEM);
	sm = smaps(mm, pg(2) + 123);
	assert_int_equal(sm.start, pg(1));
	assert_int_equal(sm.end, pg(3));
	assert_int_equal(sm.size, 8);
	assert_int_equal(sm.rss, 0);
	assert_int_equal(sm.pss, 0);
}

/* Private anonymous: written pages are private dirty and anonymous; a read
 * of an untouched page maps the zero page, in no Rss:
 *
 *   |w|w|r|.|
 */
static void test_anon_private(void **state)
{
	struct vmsim_smaps sm;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(tu_read(mm, pg(2)), 0);
	sm = smaps(mm, pg(0));
	assert_int_equal(sm.size, 16);
	assert_int_equal(sm.rss, 8);
	assert_int_equal(sm.pss, 8);
	assert_int_equal(sm.private_dirty, 8);
	assert_int_equal(sm.private_clean + sm.shared_clean + sm.shared_dirty, 0);
	assert_int_equal(sm.anonymous, 8);
	assert_int_equal(sm.anon_huge_pages + sm.swap + sm.swap_pss + sm.locked, 0);
}

/* After fork both pages are mapped twice: shared dirty, half in each Pss.
 * The child's write breaks COW of page 1: each side has it alone again
 * (refcount 1: private, whole in Pss). */
static void test_fork_shares(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_smaps sm;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	sm = smaps(mm, pg(0));
	assert_int_equal(sm.rss, 8);
	assert_int_equal(sm.pss, 4);
	assert_int_equal(sm.shared_dirty, 8);
	assert_int_equal(sm.private_dirty, 0);
	assert_int_equal(sm.anonymous, 8);
	assert_int_equal(tu_write(child, pg(1), 2), 0);
	for (int i = 0; i < 2; i++) {
		sm = smaps(i ? child : mm, pg(0));
		assert_int_equal(sm.rss, 8);
		assert_int_equal(sm.pss, 6);		/* 2 + 4 */
		assert_int_equal(sm.shared_dirty, 4);
		assert_int_equal(sm.private_dirty, 4);
	}
	vmsim_mm_exit(child);
}

/* Locked is the Pss of a VM_LOCKED vma; fork does not inherit VM_LOCKED
 * (dup_mmap clears it), so the child's Locked is 0 while the parent's
 * halves with the sharing. */
static void test_locked(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_smaps sm;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON | VMSIM_MAP_LOCKED, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	sm = smaps(mm, pg(0));
	assert_int_equal(sm.rss, 8);
	assert_int_equal(sm.locked, 8);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(smaps(mm, pg(0)).locked, 4);
	sm = smaps(child, pg(0));
	assert_int_equal(sm.pss, 4);
	assert_int_equal(sm.locked, 0);
	vmsim_mm_exit(child);
}

/* Paged out: no Rss, Swap per entry; SwapPss divides each entry by its
 * swap count, which fork doubles. */
static void test_swap(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_smaps sm;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(vmsim_madvise(mm, pg(0), 4 * P, VMSIM_MADV_PAGEOUT), 0);
	sm = smaps(mm, pg(0));
	assert_int_equal(sm.rss, 0);
	assert_int_equal(sm.anonymous, 0);
	assert_int_equal(sm.swap, 8);
	assert_int_equal(sm.swap_pss, 8);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	for (int i = 0; i < 2; i++) {
		sm = smaps(i ? child : mm, pg(0));
		assert_int_equal(sm.swap, 8);
		assert_int_equal(sm.swap_pss, 4);
	}
	vmsim_mm_exit(child);
}

/* A page-cache page: mapped by one process it is private (its mapcount is
 * 1 though the page cache holds a reference), by two shared; clean until
 * write() dirties the folio (the ptes stay clean: the folio's flag
 * counts).  A private mapping's write makes an anonymous copy, and the
 * file page is the other process's alone again.  (A one-page file: no
 * fault-around maps a neighbour.) */
static void test_file(void **state)
{
	struct vmsim_file *f;
	struct vmsim_mm *q;
	struct vmsim_smaps sm;
	unsigned char b = 9;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "F", VMSIM_FILE_DISK, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0);
	sm = smaps(mm, pg(0));
	assert_int_equal(sm.rss, 4);
	assert_int_equal(sm.pss, 4);
	assert_int_equal(sm.private_clean, 4);
	assert_int_equal(sm.anonymous, 0);

	assert_int_equal(vmsim_mm_new(vm, &q), 0);
	assert_int_equal(vmsim_mmap(q, pg(0), P, RO, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_read(q, pg(0)), 0);
	sm = smaps(mm, pg(0));
	assert_int_equal(sm.pss, 2);
	assert_int_equal(sm.shared_clean, 4);
	assert_int_equal(sm.private_clean, 0);

	assert_int_equal(vmsim_file_write(f, 0, &b, 1), 1);
	sm = smaps(q, pg(0));
	assert_int_equal(sm.pss, 2);
	assert_int_equal(sm.shared_dirty, 4);
	assert_int_equal(sm.shared_clean, 0);

	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	sm = smaps(mm, pg(0));
	assert_int_equal(sm.rss, 4);
	assert_int_equal(sm.pss, 4);
	assert_int_equal(sm.anonymous, 4);
	assert_int_equal(sm.private_dirty, 4);
	assert_int_equal(sm.shared_dirty, 0);
	sm = smaps(q, pg(0));
	assert_int_equal(sm.pss, 4);
	assert_int_equal(sm.private_dirty, 4);
	assert_int_equal(sm.anonymous, 0);
	vmsim_mm_exit(q);
}

/* A PMD-mapped THP counts whole: AnonHugePages, Rss and Pss 2 MiB, dirty
 * by the PMD; the huge zero folio a read maps is in no Rss.  After fork
 * the PMD maps the folio twice: every page's mapcount is 2.
 *
 *   A            A+M2          A+2*M2
 *   |THP (write)-|huge zero----|
 */
static void test_thp(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_smaps sm;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, 2 * M2, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, A, 2 * M2, VMSIM_MADV_HUGEPAGE), 0);
	assert_int_equal(tu_write(mm, A + P, 1), 0);
	assert_int_equal(tu_read(mm, A + M2), 0);
	sm = smaps(mm, A);
	assert_int_equal(sm.size, 4096);
	assert_int_equal(sm.rss, 2048);
	assert_int_equal(sm.pss, 2048);
	assert_int_equal(sm.anonymous, 2048);
	assert_int_equal(sm.anon_huge_pages, 2048);
	assert_int_equal(sm.private_dirty, 2048);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	sm = smaps(mm, A);
	assert_int_equal(sm.rss, 2048);
	assert_int_equal(sm.pss, 1024);
	assert_int_equal(sm.shared_dirty, 2048);
	assert_int_equal(sm.anon_huge_pages, 2048);
	vmsim_mm_exit(child);
}

/* hugetlb: smaps_hugetlb_range() fills only Shared/Private_Hugetlb, so
 * the fields here stay 0 however much is mapped. */
static void test_hugetlb(void **state)
{
	struct vmsim_file *h;
	struct vmsim_smaps sm;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "H", VMSIM_FILE_HUGETLB, M2, &h), 0);
	assert_int_equal(vmsim_mmap(mm, A, M2, RW, VMSIM_MAP_SHARED, h, 0), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	sm = smaps(mm, A);
	assert_int_equal(sm.size, 2048);
	assert_int_equal(sm.rss + sm.pss + sm.shared_dirty + sm.private_dirty + sm.anonymous, 0);
}

/* A shmem file's swapped pages: a shared mapping counts all in its range
 * (shmem_swap_usage), touched or not; a private writable one may hide
 * them behind its COW copies, so only its holes count (smaps_pte_hole).
 *
 *   S:      |0|1|        both paged out (swap entries in the file)
 *   P (shared, rw):   Swap 8, though P maps neither page now
 *   Q (private, rw):  |c|.|  a COW copy of 0 over its swap entry: Swap 4
 */
static void test_shmem_swap(void **state)
{
	struct vmsim_file *s;
	struct vmsim_mm *q;
	struct vmsim_smaps sm;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "S", VMSIM_FILE_SHMEM, 2 * P, &s), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, VMSIM_MAP_SHARED, s, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(vmsim_mm_new(vm, &q), 0);
	assert_int_equal(vmsim_mmap(q, pg(0), 2 * P, RW, VMSIM_MAP_PRIVATE, s, 0), 0);
	assert_int_equal(tu_write(q, pg(0), 2), 0);		/* Q's copy of 0 */
	assert_int_equal(vmsim_madvise(mm, pg(0), 2 * P, VMSIM_MADV_PAGEOUT), 0);
	sm = smaps(mm, pg(0));
	assert_int_equal(sm.rss, 0);
	assert_int_equal(sm.swap, 8);
	sm = smaps(q, pg(0));
	assert_int_equal(sm.rss, 4);
	assert_int_equal(sm.anonymous, 4);
	assert_int_equal(sm.swap, 4);
	vmsim_mm_exit(q);
}

/* smaps_pte_entry(): the page of a pfn swap entry (here device-exclusive)
 * is resident and anonymous, but "maybe shared" (not present): whole in
 * Pss, and counted Shared_Dirty (the folio is dirty), not Private. */
static void test_pfn_swap_entry(void **state)
{
	static int owner;
	struct vmsim_smaps sm;
	unsigned long pfn = 0;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(vmsim_make_device_exclusive(mm, pg(0), &owner, &pfn), 0);
	assert_int_equal(vmsim_device_exclusive_done(vm, pfn), 0);
	sm = smaps(mm, pg(0));
	assert_int_equal(sm.rss, 8);
	assert_int_equal(sm.anonymous, 8);
	assert_int_equal(sm.pss, 8);
	assert_int_equal(sm.shared_dirty, 4);
	assert_int_equal(sm.private_dirty, 4);
	assert_int_equal(sm.swap, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_which_vma),
		TU_TEST(test_anon_private),
		TU_TEST(test_fork_shares),
		TU_TEST(test_locked),
		TU_TEST(test_swap),
		TU_TEST(test_file),
		TU_TEST(test_thp),
		TU_TEST(test_hugetlb),
		TU_TEST(test_shmem_swap),
		TU_TEST(test_pfn_swap_entry),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
