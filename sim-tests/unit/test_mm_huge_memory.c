/* Unit tests: anonymous THPs (mm/huge_memory.c) as Linux 6.18 maps them:
 * the huge fault in an aligned 2 MiB range of a vma that may have THPs
 * (thp=madvise: MADV_HUGEPAGE), the huge zero folio on a read and a new
 * THP when it is written (do_huge_zero_wp_pmd), fork sharing the PMD
 * read-only, a write after fork splitting the PMD and copying one page,
 * reuse of a PTE-mapped THP once exclusive again (6.15+), partial
 * munmap/mprotect/mremap splitting the PMD, the deferred split queue and
 * the TLB's 2M entries (MADV_COLLAPSE is test_mm_khugepaged.c's).
 * Expected values were checked against the host kernel (6.18, thp
 * madvise). */
#define TU_UNIT_MACHINE "ram=64M check=full thp=madvise"
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

static unsigned long pfn_of(struct vmsim_mm *m, uint64_t addr)
{
	return (unsigned long)(tu_pm(m, addr) & PM_PFRAME_MASK);
}

/* 4M of anonymous memory at A, advised MADV_HUGEPAGE. */
static void map_thp_area(void)
{
	assert_int_equal(vmsim_mmap(mm, A, 2 * M2, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, A, 2 * M2, VMSIM_MADV_HUGEPAGE), 0);
}

static void test_write_fault_maps_thp(void **state)
{
	unsigned long first;

	(void)state;
	map_thp_area();
	assert_int_equal(tu_write(mm, A + P, 7), 0);
	assert_true(pmd_mapped(mm, A));
	first = pfn_of(mm, A);
	assert_int_equal(first % 512, 0);
	for (unsigned i = 0; i < 512; i += 37) {
		uint64_t e = tu_pm(mm, A + i * P);

		assert_true(e & PM_PRESENT);
		assert_true(e & PM_MMAP_EXCLUSIVE);
		assert_false(e & PM_FILE);
		assert_int_equal(e & PM_PFRAME_MASK, first + i);
	}
	assert_int_equal(tu_read(mm, A + P), 7);
	assert_int_equal(stats(mm).rss_anon, 512);
	assert_int_equal(stats(mm).faults_thp, 1);
	/* The second 2M was not touched. */
	assert_false(tu_pm(mm, A + M2) & PM_PRESENT);
}

static void test_no_thp_without_advice_in_madvise_mode(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, 2 * M2, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_false(pmd_mapped(mm, A));
	assert_int_equal(stats(mm).rss_anon, 1);
	assert_false(tu_pm(mm, A + P) & PM_PRESENT);
}

static void test_unaligned_vma_gets_no_thp(void **state)
{
	(void)state;
	/* [A + 4K, A + 4M): only the second 2M lies whole in the vma. */
	assert_int_equal(vmsim_mmap(mm, A + P, 2 * M2 - P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, A + P, 2 * M2 - P, VMSIM_MADV_HUGEPAGE), 0);
	assert_int_equal(tu_write(mm, A + P, 1), 0);
	assert_false(pmd_mapped(mm, A + P));
	assert_int_equal(tu_write(mm, A + M2, 1), 0);
	assert_true(pmd_mapped(mm, A + M2));
}

static void test_read_maps_huge_zero_then_write_makes_thp(void **state)
{
	unsigned long zero;
	uint64_t e;

	(void)state;
	map_thp_area();
	assert_int_equal(tu_read(mm, A), 0);
	assert_true(pmd_mapped(mm, A));
	e = tu_pm(mm, A + 5 * P);
	zero = (unsigned long)(e & PM_PFRAME_MASK) - 5;
	/* The huge zero folio: not the 4K zero page, reported as a file
	 * page, mapped by nobody exclusively, in no rss. */
	assert_int_not_equal(zero, vmsim_zero_pfn(vm));
	assert_true(e & PM_FILE);
	assert_false(e & PM_MMAP_EXCLUSIVE);
	assert_int_equal(stats(mm).rss_anon, 0);
	assert_true(vmsim_is_zero_pfn(vm, zero + 5));
	/* A write replaces it with a THP of zeros (do_huge_zero_wp_pmd). */
	assert_int_equal(tu_write(mm, A + P, 3), 0);
	assert_true(pmd_mapped(mm, A));
	e = tu_pm(mm, A);
	assert_true(e & PM_MMAP_EXCLUSIVE);
	assert_false(e & PM_FILE);
	assert_int_not_equal(e & PM_PFRAME_MASK, zero);
	assert_int_equal(tu_read(mm, A + P), 3);
	assert_int_equal(tu_read(mm, A + 2 * P), 0);
	assert_int_equal(stats(mm).rss_anon, 512);
}

static void test_fork_shares_then_write_splits_and_copies_one_page(void **state)
{
	struct vmsim_mm *child;
	unsigned long thp;

	(void)state;
	map_thp_area();
	assert_int_equal(tu_write(mm, A, 5), 0);
	thp = pfn_of(mm, A);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_true(pmd_mapped(child, A));
	assert_int_equal(pfn_of(child, A + 3 * P), thp + 3);
	assert_false(tu_pm(mm, A) & PM_MMAP_EXCLUSIVE);
	assert_false(tu_pm(child, A) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(stats(child).rss_anon, 512);
	/* The parent writes page 2: its PMD is split, page 2 copied; the
	 * rest still maps the THP, shared with the child's PMD. */
	assert_int_equal(tu_write(mm, A + 2 * P, 9), 0);
	assert_false(pmd_mapped(mm, A));
	assert_true(pmd_mapped(child, A));
	assert_int_not_equal(pfn_of(mm, A + 2 * P), thp + 2);
	assert_true(tu_pm(mm, A + 2 * P) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(pfn_of(mm, A + P), thp + 1);
	assert_false(tu_pm(mm, A + P) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(tu_read(child, A + 2 * P), 0);
	assert_int_equal(tu_read(mm, A), 5);
	assert_int_equal(stats(mm).rss_anon, 512);
	/* Once the child is gone the parent maps the rest alone, and a write
	 * reuses the large folio's page in place (6.15+ with CONFIG_MM_ID). */
	vmsim_mm_exit(child);
	assert_true(tu_pm(mm, A + 3 * P) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(tu_write(mm, A + 3 * P, 4), 0);
	assert_int_equal(pfn_of(mm, A + 3 * P), thp + 3);
}

static void test_exclusive_thp_write_after_fork_child_exit_reuses_pmd(void **state)
{
	struct vmsim_mm *child;
	unsigned long thp;

	(void)state;
	map_thp_area();
	assert_int_equal(tu_write(mm, A, 5), 0);
	thp = pfn_of(mm, A);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	vmsim_mm_exit(child);
	/* Mapped once, refcount 1: do_huge_pmd_wp_page reuses the THP. */
	assert_int_equal(tu_write(mm, A + P, 6), 0);
	assert_true(pmd_mapped(mm, A));
	assert_int_equal(pfn_of(mm, A), thp);
}

static void test_partial_munmap_splits_and_deferred_split_frees(void **state)
{
	unsigned long thp, free0;

	(void)state;
	map_thp_area();
	assert_int_equal(tu_write(mm, A, 1), 0);
	thp = pfn_of(mm, A);
	assert_int_equal(vmsim_munmap(mm, A + 10 * P, 2 * P), 0);
	assert_false(pmd_mapped(mm, A));
	assert_false(tu_pm(mm, A + 10 * P) & PM_PRESENT);
	assert_false(tu_pm(mm, A + 11 * P) & PM_PRESENT);
	assert_int_equal(pfn_of(mm, A + 12 * P), thp + 12);
	assert_true(tu_pm(mm, A + 12 * P) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(stats(mm).rss_anon, 510);
	/* The two unmapped pages stay allocated until the shrinker splits
	 * the partially mapped folio. */
	free0 = vmsim_nr_free_pages(vm);
	assert_int_equal(vmsim_shrink_slab(vm), 1);
	assert_int_equal(vmsim_nr_free_pages(vm), free0 + 2);
	assert_int_equal(pfn_of(mm, A + 12 * P), thp + 12);
	assert_int_equal(tu_read(mm, A), 1);
	assert_int_equal(vmsim_shrink_slab(vm), 0);
}

static void test_mprotect_whole_keeps_pmd_partial_splits(void **state)
{
	(void)state;
	map_thp_area();
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(vmsim_mprotect(mm, A, M2, RO), 0);
	assert_true(pmd_mapped(mm, A));
	assert_int_equal(tu_write(mm, A, 2), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(vmsim_mprotect(mm, A, M2, RW), 0);
	assert_int_equal(tu_write(mm, A, 2), 0);
	assert_true(pmd_mapped(mm, A));
	assert_int_equal(vmsim_mprotect(mm, A + P, P, RO), 0);
	assert_false(pmd_mapped(mm, A));
	assert_int_equal(tu_write(mm, A + P, 2), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(tu_write(mm, A + 2 * P, 2), 0);
	assert_int_equal(tu_read(mm, A), 2);
}

static void test_mremap_moves_aligned_pmd_splits_unaligned(void **state)
{
	unsigned long thp;

	(void)state;
	map_thp_area();
	assert_int_equal(tu_write(mm, A + P, 8), 0);
	thp = pfn_of(mm, A);
	assert_int_equal(vmsim_mremap(mm, A, M2, M2, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 8 * M2), 0);
	assert_true(pmd_mapped(mm, A + 8 * M2));
	assert_int_equal(pfn_of(mm, A + 8 * M2), thp);
	assert_int_equal(tu_read(mm, A + 8 * M2 + P), 8);
	assert_int_equal(vmsim_mremap(mm, A + 8 * M2, M2, M2, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED,
				      A + 16 * M2 + P), 0);
	assert_false(pmd_mapped(mm, A + 16 * M2));
	assert_int_equal(pfn_of(mm, A + 16 * M2 + P), thp);
	assert_int_equal(tu_read(mm, A + 16 * M2 + 2 * P), 8);
	assert_int_equal(stats(mm).rss_anon, 512);
}

static void test_dontneed_whole_pmd_frees_thp(void **state)
{
	unsigned long free0;

	(void)state;
	map_thp_area();
	assert_int_equal(tu_write(mm, A, 1), 0);
	free0 = vmsim_nr_free_pages(vm);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_DONTNEED), 0);
	assert_false(tu_pm(mm, A) & PM_PRESENT);
	assert_int_equal(stats(mm).rss_anon, 0);
	/* The THP and the pte table it had deposited are back; the pmd
	 * table stays. */
	assert_int_equal(vmsim_nr_free_pages(vm), free0 + 512 + 1);
}

/* The TLB entry of cpu for addr, if any (a probe through the entries). */
static bool tlb_has(int cpu, uint64_t addr, struct vmsim_tlb_entry *out)
{
	struct vmsim_tlb_entry e[256];
	int n = vmsim_tlb_entries(vm, cpu, e, 256);

	for (int i = 0; i < n && i < 256; i++) {
		if (addr >= e[i].addr && addr - e[i].addr < (e[i].size == VMSIM_TLB_2M ? M2 : P)) {
			*out = e[i];
			return true;
		}
	}
	return false;
}

static void test_tlb_holds_2m_entry_and_unmap_flushes_it(void **state)
{
	struct vmsim_tlb_entry e;

	(void)state;
	map_thp_area();
	assert_int_equal(tu_write(mm, A + 5 * P, 1), 0);
	assert_int_equal(tu_read(mm, A + 300 * P), 0);
	assert_true(tlb_has(vmsim_mm_cpu(mm), A + 100 * P, &e));
	assert_int_equal(e.size, VMSIM_TLB_2M);
	assert_int_equal(e.addr, A);
	assert_int_equal(vmsim_munmap(mm, A, M2), 0);
	assert_false(tlb_has(vmsim_mm_cpu(mm), A + 100 * P, &e));
}

static void test_pin_then_fork_copies_at_pte_level(void **state)
{
	struct vmsim_mm *child;
	unsigned long pfns[1], thp;

	(void)state;
	map_thp_area();
	assert_int_equal(tu_write(mm, A, 1), 0);
	thp = pfn_of(mm, A);
	assert_int_equal(vmsim_pin_user_pages(mm, A + P, 1, true, pfns), 1);
	assert_int_equal(pfns[0], thp + 1);
	/* copy_huge_pmd() will not share a maybe-pinned exclusive THP: it
	 * splits it and the ptes are copied, the pinned one for the child. */
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_false(pmd_mapped(mm, A));
	assert_int_equal(pfn_of(mm, A + P), thp + 1);
	assert_int_not_equal(pfn_of(child, A + P), thp + 1);
	assert_int_equal(tu_read(child, A), 1);
	vmsim_unpin_user_pages(vm, pfns, 1);
	vmsim_mm_exit(child);
}

/* MADV_PAGEOUT of a whole THP: to reclaim whole, where it is split (no
 * swap cluster for it) and its pages go one by one.  Without swap the
 * pages stay where they are, small now (the host shows AnonHugePages 0
 * and the same frames). */
static void test_pageout_splits_thp(void **state)
{
	unsigned long first;

	(void)state;
	map_thp_area();
	assert_int_equal(tu_write(mm, A + 5, 1), 0);
	first = pfn_of(mm, A);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_PAGEOUT), 0);
	assert_false(pmd_mapped(mm, A));
	assert_int_equal(pfn_of(mm, A + 200 * P), first + 200);
	assert_int_equal(tu_read(mm, A + 5), 1);
	{
		struct vmsim_smaps sm;

		assert_int_equal(vmsim_smaps(mm, A, &sm), 0);
		assert_int_equal(sm.anon_huge_pages, 0);
		assert_int_equal(sm.rss, 2048);
	}
}

static void test_pageout_with_swap_swaps_every_page(void **state)
{
	struct bug_log log = { 0 };
	struct vmsim *m = tu_machine_str("ram=64M check=full thp=madvise swap=16M", &log);
	struct vmsim_mm *p;

	(void)state;
	assert_non_null(m);
	assert_int_equal(vmsim_mm_new(m, &p), 0);
	assert_int_equal(vmsim_mmap(p, A, 2 * M2, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(p, A, 2 * M2, VMSIM_MADV_HUGEPAGE), 0);
	for (unsigned i = 0; i < 512; i++)
		assert_int_equal(tu_write(p, A + i * P, (unsigned char)i), 0);
	assert_int_equal(vmsim_madvise(p, A, M2, VMSIM_MADV_PAGEOUT), 0);
	for (unsigned i = 0; i < 512; i += 51)
		assert_true(tu_pm(p, A + i * P) & PM_SWAP);
	assert_int_equal(stats(p).rss_anon, 0);
	assert_int_equal(stats(p).swap_ents, 512);
	/* Back one page at a time. */
	for (unsigned i = 0; i < 512; i += 51)
		assert_int_equal(tu_read(p, A + i * P), (unsigned char)i);
	vmsim_mm_exit(p);
	vmsim_free(m);
	assert_int_equal(log.count, 0);
}

/* Memory failure in a THP: split, only the page hit is poisoned. */
static void test_memory_failure_splits_thp(void **state)
{
	(void)state;
	map_thp_area();
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(vmsim_memory_failure_addr(mm, A + 3 * P), 0);
	assert_false(pmd_mapped(mm, A));
	assert_int_equal(tu_read(mm, A), 1);
	assert_int_equal(tu_read(mm, A + 3 * P), -VMSIM_ACCESS_HWPOISON);
	assert_int_equal(tu_read(mm, A + 4 * P), 0);
}

/* Migration of a THP's range: split, then every page moved. */
static void test_migrate_splits_thp(void **state)
{
	unsigned long first, failed = 0;

	(void)state;
	map_thp_area();
	assert_int_equal(tu_write(mm, A + 9, 4), 0);
	first = pfn_of(mm, A);
	assert_int_equal(vmsim_migrate_range(mm, A, M2, &failed), 0);
	assert_int_equal(failed, 0);
	assert_false(pmd_mapped(mm, A));
	assert_int_not_equal(pfn_of(mm, A), first);
	assert_int_equal(tu_read(mm, A + 9), 4);
}

/* Reclaim finds THPs on the LRU: under pressure they are split and
 * swapped like any anonymous memory, no OOM. */
static void test_reclaim_splits_and_swaps_thps(void **state)
{
	struct bug_log log = { 0 };
	struct vmsim *m = tu_machine_str("ram=16M check=basic thp=always swap=32M", &log);
	struct vmsim_mm *p;

	(void)state;
	assert_non_null(m);
	assert_int_equal(vmsim_mm_new(m, &p), 0);
	assert_int_equal(vmsim_mmap(p, A, 24 << 20, RW, ANON, NULL, 0), 0);
	for (uint64_t a = A; a < A + (24 << 20); a += P)
		assert_int_equal(tu_write(p, a, (unsigned char)(a >> 12)), 0);
	for (uint64_t a = A; a < A + (24 << 20); a += 97 * P)
		assert_int_equal(tu_read(p, a), (unsigned char)(a >> 12));
	assert_true(stats(p).swap_ents > 0);
	vmsim_mm_exit(p);
	vmsim_free(m);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_write_fault_maps_thp),
		TU_TEST(test_no_thp_without_advice_in_madvise_mode),
		TU_TEST(test_unaligned_vma_gets_no_thp),
		TU_TEST(test_read_maps_huge_zero_then_write_makes_thp),
		TU_TEST(test_fork_shares_then_write_splits_and_copies_one_page),
		TU_TEST(test_exclusive_thp_write_after_fork_child_exit_reuses_pmd),
		TU_TEST(test_partial_munmap_splits_and_deferred_split_frees),
		TU_TEST(test_mprotect_whole_keeps_pmd_partial_splits),
		TU_TEST(test_mremap_moves_aligned_pmd_splits_unaligned),
		TU_TEST(test_dontneed_whole_pmd_frees_thp),
		TU_TEST(test_tlb_holds_2m_entry_and_unmap_flushes_it),
		TU_TEST(test_pin_then_fork_copies_at_pte_level),
		TU_TEST(test_pageout_splits_thp),
		TU_TEST(test_pageout_with_swap_swaps_every_page),
		TU_TEST(test_memory_failure_splits_thp),
		TU_TEST(test_migrate_splits_thp),
		TU_TEST(test_reclaim_splits_and_swaps_thps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
