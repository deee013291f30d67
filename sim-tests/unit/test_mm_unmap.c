/* Unit tests: the rmap walks that change mappings (mm/unmap.c, the second
 * half of Linux 6.18's mm/rmap.c): folio_referenced() clearing the
 * accessed bit without a flush, try_to_unmap() of a file folio from every
 * mapping, folio_mkclean() at writeback, and reclaim's batched TLB flush
 * (TTU_BATCH_FLUSH only when another CPU may cache the mm).  Migration's
 * walks are test_kinds_migration.c's and test_mm_migrate.c's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define A 0x7f0000000000ULL
#define P 4096ULL

static struct vmsim_reclaim_stats stats(struct vmsim *vm)
{
	struct vmsim_reclaim_stats st;

	vmsim_reclaim_stats(vm, &st);
	return st;
}

/* The pte's accessed bit is cleared without a TLB flush (x86
 * ptep_clear_flush_young): a CPU that keeps the translation cached keeps
 * using the page without setting it again, so reclaim sees no use. */
static void test_young_no_flush(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M swap=1M check=full cpus=1", &log);
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 5), 0);
	assert_int_equal(vmsim_reclaim(vm, 1), 0);	/* referenced: kept, bit cleared */
	assert_int_equal(tu_read(mm, A), 5);		/* a TLB hit: the bit stays clear */
	assert_int_equal(vmsim_reclaim(vm, 1), 0);	/* so it goes to swap */
	assert_false(tu_pm(mm, A) & PM_PRESENT);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* TTU_BATCH_FLUSH defers the flush only when another CPU may cache the
 * mm's translations; a clean batch is flushed once. */
static void test_batched_flush(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M swap=1M check=full cpus=2", &log);
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 8 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(tu_write(mm, A + i * P, 1), 0);
	/* Only CPU 0 has run it: each pte flushed as it is cleared. */
	assert_int_equal(vmsim_madvise(mm, A, 8 * P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(stats(vm).tlb_batch_flushes, 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(tu_read(mm, A + i * P), 1);
	/* Now CPU 1 has run it too: the clean batch is flushed once. */
	assert_int_equal(vmsim_mm_run(mm, 1), 0);
	assert_int_equal(tu_read(mm, A), 1);
	assert_int_equal(vmsim_madvise(mm, A, 8 * P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(stats(vm).tlb_batch_flushes, 1);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* folio_mkclean() at writeback (page_mkclean_one: ptep_clear_flush,
 * pte_wrprotect, pte_mkclean): after fsync the shared mapping's pte is
 * clean and read-only, so the next write faults and dirties the folio
 * again (the page_mkwrite path). */
static void test_mkclean_at_writeback(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_file *f;
	struct vmsim_mm *mm;
	struct vmsim_mm_stats st;
	unsigned long faults;
	pte_t *ptep;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), A, false);
	assert_non_null(ptep);
	assert_true(pte_write(ptep_get(ptep)) && pte_dirty(ptep_get(ptep)));
	assert_int_equal(vmsim_file_fsync(f), 0);
	assert_false(pte_write(ptep_get(ptep)));
	assert_false(pte_dirty(ptep_get(ptep)));
	assert_true(pte_present(ptep_get(ptep)));
	vmsim_mm_stats(mm, &st);
	faults = st.faults_wp;
	assert_int_equal(tu_write(mm, A, 2), 0);
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.faults_wp, faults + 1);
	assert_true(pte_write(ptep_get(ptep)) && pte_dirty(ptep_get(ptep)));
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* try_to_unmap() of a clean page-cache folio mapped by two processes:
 * both ptes become none (a file page needs no entry: the next fault finds
 * it in the file again) and the folio is freed.  MADV_PAGEOUT does not
 * touch a folio others map too (madvise_cold_or_pageout_pte_range). */
static void test_unmap_file_folio_everywhere(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	unsigned char b = 0x42;
	struct vmsim_mm *a, *c;
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &a), 0);
	assert_int_equal(vmsim_mm_new(vm, &c), 0);
	assert_int_equal(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, P, &f), 0);
	assert_int_equal(vmsim_file_write(f, 0, &b, 1), 1);
	assert_int_equal(vmsim_file_fsync(f), 0);
	assert_int_equal(vmsim_mmap(a, A, P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_mmap(c, A + 0x100000, P, VMSIM_PROT_READ, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(tu_read(a, A), 0x42);
	assert_int_equal(tu_read(c, A + 0x100000), 0x42);
	assert_int_equal(tu_pfn(a, A), tu_pfn(c, A + 0x100000));
	assert_int_equal(vmsim_madvise(a, A, P, VMSIM_MADV_PAGEOUT), 0);
	assert_true(tu_pm(a, A) & PM_PRESENT);
	/* Reclaim ages it first (two referencing ptes activate it:
	 * folio_check_references), then unmaps it. */
	for (unsigned i = 0; i < 8 && vmsim_file_cached_pages(f); i++)
		vmsim_reclaim(vm, 64);
	assert_int_equal(tu_pm(a, A) & (PM_PRESENT | PM_SWAP), 0);
	assert_int_equal(tu_pm(c, A + 0x100000) & (PM_PRESENT | PM_SWAP), 0);
	assert_int_equal(vmsim_file_cached_pages(f), 0);
	assert_int_equal(tu_read(c, A + 0x100000), 0x42);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_young_no_flush),
		cmocka_unit_test(test_batched_flush),
		cmocka_unit_test(test_mkclean_at_writeback),
		cmocka_unit_test(test_unmap_file_folio_everywhere),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
