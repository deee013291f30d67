/* Unit tests: reclaim (mm/vmscan.c of Linux 6.18): what direct reclaim
 * takes first (the inactive file list while it is large, no anonymous
 * memory without swap), dirty file folios and the flusher, a mapped folio
 * seen used twice before it goes, and the bad arguments.  The lists are
 * test_mm_swap.c's, the rmap walks test_mm_unmap.c's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define A 0x7f0000000000ULL
#define P 4096ULL

static struct vmsim_lru_info lru(struct vmsim *vm)
{
	struct vmsim_lru_info l;

	vmsim_lru_info(vm, &l);
	return l;
}

static struct vmsim_reclaim_stats stats(struct vmsim *vm)
{
	struct vmsim_reclaim_stats st;

	vmsim_reclaim_stats(vm, &st);
	return st;
}

/* Direct reclaim takes the inactive file list first while it is large
 * (cache_trim_mode) and clean page cache goes without a write; with no
 * swap, anonymous memory is never scanned. */
static void test_reclaim_order(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_mm *mm;
	struct vmsim_file *f;
	static unsigned char buf[64 * 4096];
	unsigned long got;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 8 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(tu_write(mm, A + i * P, 1), 0);
	assert_int_equal(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, sizeof(buf), &f), 0);
	assert_int_equal(vmsim_file_write(f, 0, buf, sizeof(buf)), (long)sizeof(buf));
	assert_int_equal(vmsim_file_drop_caches(f), 0);		/* written back, dropped */
	assert_int_equal(vmsim_file_read(f, 0, buf, sizeof(buf)), (long)sizeof(buf));
	assert_int_equal(vmsim_file_cached_pages(f), 64);
	/* Batches of up to 32 per list and priority: a little more than
	 * asked may go, all of it page cache. */
	got = vmsim_reclaim(vm, 32);
	assert_true(got >= 32 && got < 64);
	assert_int_equal(vmsim_file_cached_pages(f), 64 - got);
	/* Only anonymous memory left, and no swap: nothing more to take. */
	assert_int_equal(vmsim_reclaim(vm, 64), 64 - got);
	assert_int_equal(vmsim_reclaim(vm, 8), 0);
	assert_int_equal(lru(vm).inactive_anon + lru(vm).active_anon, 8);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* A dirty file folio is not written by direct reclaim: reclaim activates
 * it and wakes the flusher, which writes it; the next reclaim moves it
 * back to the inactive list, the one after frees it. */
static void test_dirty_file(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_file *f;
	unsigned char b = 7;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, P, &f), 0);
	assert_int_equal(vmsim_file_write(f, 0, &b, 1), 1);
	assert_int_equal(vmsim_reclaim(vm, 1), 0);
	assert_int_equal(vmsim_file_cached_pages(f), 1);
	assert_int_equal(lru(vm).active_file, 1);
	assert_int_equal(vmsim_reclaim(vm, 1), 0);
	assert_int_equal(lru(vm).inactive_file, 1);
	assert_int_equal(vmsim_reclaim(vm, 1), 1);
	assert_int_equal(vmsim_file_cached_pages(f), 0);
	b = 0;
	assert_int_equal(vmsim_file_read(f, 0, &b, 1), 1);
	assert_int_equal(b, 7);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* A mapped folio must be seen used twice before it is activated: the
 * first look finds the fault's accessed bit and keeps it (clearing the
 * bit); with no new access the next look reclaims it. */
static void test_referenced(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M swap=1M check=full cpus=1", &log);
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 5), 0);
	assert_int_equal(vmsim_reclaim(vm, 1), 0);
	assert_true(tu_pm(mm, A) & PM_PRESENT);
	assert_int_equal(vmsim_reclaim(vm, 1), 0);	/* written out: kept this pass */
	assert_false(tu_pm(mm, A) & PM_PRESENT);
	assert_int_equal(stats(vm).pswpout, 1);
	assert_int_equal(vmsim_reclaim(vm, 1), 1);	/* clean in the swap cache: freed */
	assert_int_equal(tu_read(mm, A), 5);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static void test_bad_args(void **state)
{
	struct vmsim_lru_info l = { 1, 1, 1, 1, 1 };
	struct vmsim_reclaim_stats st = { .pgscan = 3 };

	(void)state;
	vmsim_lru_info(NULL, &l);
	assert_int_equal(l.inactive_anon, 1);
	vmsim_reclaim_stats(NULL, &st);
	assert_int_equal(st.pgscan, 3);
	assert_int_equal(vmsim_reclaim(NULL, 1), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_reclaim_order),
		cmocka_unit_test(test_dirty_file),
		cmocka_unit_test(test_referenced),
		cmocka_unit_test(test_bad_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
