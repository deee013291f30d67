/* Unit tests: the PMD level as mm uses it (mm/pgtable_generic.c), against
 * Linux's mm/pgtable-generic.c (pmdp_huge_clear_flush, pmdp_invalidate,
 * pgtable_trans_huge_deposit/withdraw), mm/memory.c (__pud_alloc,
 * __pmd_alloc, __pte_alloc) and arch/x86's pmd_populate: a fault allocates
 * only the missing levels (five of them: the machine's default paging); a PMD pointing to a table is the table's frame
 * | _PAGE_TABLE; an anonymous THP (or the huge zero folio) deposits a PTE
 * table at its fault, which a split uses (no allocation, so a split never
 * fails) and a zap frees; a huge entry cleared or invalidated is flushed
 * from every CPU that may cache it. */
#define TU_UNIT_MACHINE "ram=64M cpus=2 check=full thp=madvise"
#include "unitfix.h"

#define M2	(2ULL << 20)
#define G1	(1ULL << 30)

static unsigned long tables(void)
{
	return vmsim_nr_pgtable_pages(vm);
}

static pmd_t pmd_at(uint64_t addr)
{
	struct vmsim_walk w;

	assert_int_equal(vmsim_walk(vm, vmsim_mm_pgd(mm), addr, 0, &w), 0);
	assert_non_null(w.pmd);
	return pmdp_get(w.pmd);
}

static bool cached_on(int cpu, uint64_t addr)
{
	return vmsim_tlb_probe(vm, cpu, vmsim_mm_context(mm), addr, NULL) == 1;
}

/* Only the missing levels are allocated (the PGD comes with the mm):
 *
 *   A        first fault: P4D, PUD, PMD, PTE tables    +4
 *   A+P      same PTE table                            +0
 *   A+M2     another PTE table under the same PMD      +1
 *   A+G1     another PMD table under the same PUD      +2
 *
 * and a PMD that points to a table is its frame | _PAGE_TABLE. */
static void test_levels(void **state)
{
	unsigned long n = tables();
	pmd_t pmd;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, G1 + P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tables(), n);
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(tables(), n + 4);
	assert_int_equal(tu_write(mm, A + P, 1), 0);
	assert_int_equal(tables(), n + 4);
	assert_int_equal(tu_write(mm, A + M2, 1), 0);
	assert_int_equal(tables(), n + 5);
	assert_int_equal(tu_write(mm, A + G1, 1), 0);
	assert_int_equal(tables(), n + 7);
	pmd = pmd_at(A);
	assert_int_equal(pmd_val(pmd) & 0xfff, _PAGE_TABLE);
	assert_ptr_equal(vmsim_pmd_table(vm, pmd),
			 vmsim_slot_table(vm, vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), A, false)));
}

/* An anonymous THP deposits its PTE table at the fault (+4: P4D, PUD,
 * PMD and the deposit); zapping the PMD frees the deposit
 * (zap_deposited_table), the upper tables stay until munmap's
 * free_pgtables. */
static void test_deposit_zap(void **state)
{
	unsigned long n = tables();

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, M2, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_HUGEPAGE), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_true(pmd_trans_huge(pmd_at(A)));
	assert_int_equal(tables(), n + 4);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_DONTNEED), 0);
	assert_true(pmd_none(pmd_at(A)));
	assert_int_equal(tables(), n + 3);
	assert_int_equal(vmsim_munmap(mm, A, M2), 0);
	assert_int_equal(tables(), n);
}

/* A split (mprotect of one page of the THP) withdraws the deposited table
 * and populates the PMD with it: no table is allocated.  The 512 ptes map
 * the folio's pages in order; only the first loses write.  pmdp_invalidate
 * flushes the huge entry from CPU 1, which cached it by touching one page
 * (A+5P is not in the mprotect range, so no other flush removes it):
 *
 *   A    A+P                                A+M2
 *   |ro--|rw--------------------------------|
 */
static void test_split_uses_deposit(void **state)
{
	unsigned long n, head;
	pte_t *ptep;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, M2, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_HUGEPAGE), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	head = tu_pfn(mm, A);
	assert_int_equal(vmsim_mm_run(mm, 1), 0);
	{
		unsigned char b;

		assert_int_equal(vmsim_access(mm, 1, A + 5 * P, &b, 1, false, NULL), VMSIM_ACCESS_OK);
	}
	assert_true(cached_on(1, A + 5 * P));
	n = tables();
	assert_int_equal(vmsim_mprotect(mm, A, P, RO), 0);
	assert_int_equal(tables(), n);
	assert_false(pmd_trans_huge(pmd_at(A)));
	assert_int_equal(pmd_val(pmd_at(A)) & 0xfff, _PAGE_TABLE);
	ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), A, false);
	assert_non_null(ptep);
	assert_int_equal(pte_pfn(ptep_get(ptep)), head);
	assert_false(pte_write(ptep_get(ptep)));
	assert_int_equal(pte_pfn(ptep_get(ptep + 511)), head + 511);
	assert_true(pte_write(ptep_get(ptep + 511)));
	assert_false(cached_on(1, A + 5 * P));
}

/* The huge zero folio deposits a table too; its split fills it with the
 * 4K zero page (__split_huge_zero_page_pmd), again with no allocation. */
static void test_split_huge_zero(void **state)
{
	unsigned long n;
	pte_t *ptep;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, M2, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_HUGEPAGE), 0);
	n = tables();
	assert_int_equal(tu_read(mm, A), 0);
	assert_true(pmd_trans_huge(pmd_at(A)));
	assert_int_equal(tables(), n + 4);
	assert_int_equal(vmsim_mprotect(mm, A + P, P, RO), 0);
	assert_int_equal(tables(), n + 4);
	ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), A, false);
	assert_non_null(ptep);
	assert_int_equal(pte_pfn(ptep_get(ptep)), vmsim_zero_pfn(vm));
	assert_int_equal(pte_pfn(ptep_get(ptep + 300)), vmsim_zero_pfn(vm));
}

/* pmdp_huge_clear_flush: a write to the huge zero folio replaces the PMD
 * (do_huge_zero_wp_pmd); the old translation, cached on CPU 1, is flushed
 * there before the new THP is mapped. */
static void test_clear_flush(void **state)
{
	unsigned char b;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, M2, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, A, M2, VMSIM_MADV_HUGEPAGE), 0);
	assert_int_equal(vmsim_mm_run(mm, 1), 0);
	assert_int_equal(vmsim_access(mm, 1, A + 9 * P, &b, 1, false, NULL), VMSIM_ACCESS_OK);
	assert_true(cached_on(1, A + 9 * P));
	assert_int_equal(vmsim_mm_run(mm, 0), 0);
	assert_int_equal(vmsim_access(mm, 0, A, &b, 1, true, NULL), VMSIM_ACCESS_OK);
	assert_true(pmd_trans_huge(pmd_at(A)));
	assert_int_not_equal(tu_pfn(mm, A), vmsim_zero_pfn(vm));
	assert_false(cached_on(1, A + 9 * P));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_levels),
		TU_TEST(test_deposit_zap),
		TU_TEST(test_split_uses_deposit),
		TU_TEST(test_split_huge_zero),
		TU_TEST(test_clear_flush),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
