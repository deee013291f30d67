/* Unit tests: the swap cache and swap-in (mm/swap_state.c of Linux 6.18):
 * a hit costs no read and a clean cached folio is reclaimed without a
 * write; a swap entry two processes share is read once; VMA readahead
 * (page-cluster 3) grows its window with adjacent faults and fills the
 * cache.  Slots and devices are test_mm_swapfile.c's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define A 0x7f0000000000ULL
#define P 4096ULL

/* VMA swap readahead (page-cluster 3): adjacent faults grow the window;
 * what it reads goes into the swap cache, unmapped. */
static void test_readahead(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M swap=1M check=full", &log);
	struct vmsim_reclaim_stats st;
	struct vmsim_swap_info si;
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 16 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	for (unsigned i = 0; i < 16; i++)
		assert_int_equal(tu_write(mm, A + i * P, (unsigned char)(i + 1)), 0);
	assert_int_equal(vmsim_madvise(mm, A, 16 * P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(vmsim_reclaim(vm, 16), 16);	/* clean: no swap cache left */
	assert_int_equal(vmsim_swap_info(vm, 0, &si), 0);
	assert_int_equal(si.cached, 0);
	/* First fault: no history, window 1. */
	assert_int_equal(tu_read(mm, A), 1);
	assert_int_equal(vmsim_swap_info(vm, 0, &si), 0);
	assert_int_equal(si.cached, 1);
	/* Adjacent: window 2, the next page read ahead. */
	assert_int_equal(tu_read(mm, A + P), 2);
	assert_int_equal(vmsim_swap_info(vm, 0, &si), 0);
	assert_int_equal(si.cached, 3);
	assert_false(tu_pm(mm, A + 2 * P) & PM_PRESENT);
	/* A hit on it, then the next miss: window 4. */
	assert_int_equal(tu_read(mm, A + 2 * P), 3);
	assert_int_equal(tu_read(mm, A + 3 * P), 4);
	assert_int_equal(vmsim_swap_info(vm, 0, &si), 0);
	assert_int_equal(si.cached, 7);
	vmsim_reclaim_stats(vm, &st);
	assert_int_equal(st.pswpin, 7);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* The swap cache spares I/O: swap-in of a folio still cached is a hit
 * (no pswpin), and a clean folio whose slot still holds its copy is
 * reclaimed without a new write (shrink_folio_list() writes only dirty
 * folios; the pte gets the same swap entry back). */
static void test_cache_hit_and_clean_pageout(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M swap=1M check=full", &log);
	struct vmsim_reclaim_stats st;
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 7), 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(tu_pm(mm, A) & (PM_SWAP | PM_PFRAME_MASK), PM_SWAP | (1ULL << 5));
	assert_int_equal(tu_read(mm, A), 7);
	vmsim_reclaim_stats(vm, &st);
	assert_int_equal(st.pswpout, 1);
	assert_int_equal(st.pswpin, 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(tu_pm(mm, A) & (PM_SWAP | PM_PFRAME_MASK), PM_SWAP | (1ULL << 5));
	vmsim_reclaim_stats(vm, &st);
	assert_int_equal(st.pswpout, 1);
	assert_int_equal(tu_read(mm, A), 7);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* After fork parent and child share the swap entry: the first fault reads
 * the folio into the swap cache, the other process finds it there and
 * maps the same frame (one read). */
static void test_shared_entry_one_read(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M swap=1M check=full", &log);
	struct vmsim_reclaim_stats st;
	struct vmsim_mm *mm, *child;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 7), 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(vmsim_reclaim(vm, 64), 1);	/* clean in the cache: freed */
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(tu_read(child, A), 7);
	assert_int_equal(tu_read(mm, A), 7);
	assert_int_equal(tu_pfn(mm, A), tu_pfn(child, A));
	vmsim_reclaim_stats(vm, &st);
	assert_int_equal(st.pswpin, 1);
	vmsim_mm_exit(child);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readahead),
		cmocka_unit_test(test_cache_hit_and_clean_pageout),
		cmocka_unit_test(test_shared_entry_one_read),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
