/* Unit tests: page migration (mm/migrate.c of Linux 6.18): the argument
 * rules, a range with a folio that cannot move (pinned: -EBUSY, the rest
 * moved, the vmstat counters), pages that are not migrated at all (the
 * zero page, holes).  The migration entries themselves are
 * test_kinds_migration.c's; longer sequences are in sim/check_migrate.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define A 0x7f0000000000ULL
#define P 4096ULL

static void test_migrate_args(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_migration *m = NULL;
	unsigned long failed = 7;
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_migrate_range(NULL, A, P, &failed), -EINVAL);
	assert_int_equal(failed, 0);
	assert_int_equal(vmsim_migrate_range(mm, A + 1, P, NULL), -EINVAL);
	assert_int_equal(vmsim_migrate_range(mm, A, 0, NULL), -EINVAL);
	assert_int_equal(vmsim_migrate_range(mm, A, 100, NULL), -EINVAL);
	assert_int_equal(vmsim_migrate_range(mm, ~0ULL & PAGE_MASK, 2 * P, NULL), -EINVAL);
	assert_int_equal(vmsim_migrate_range(mm, A, 4 * P, NULL), -EFAULT);	/* a hole */
	assert_int_equal(vmsim_migrate_range(mm, A, 2 * P, NULL), 0);		/* nothing present */
	assert_int_equal(vmsim_migrate_start(mm, A, &m), -EFAULT);
	assert_int_equal(vmsim_migrate_start(mm, A + 1, &m), -EINVAL);
	assert_int_equal(vmsim_migrate_start(NULL, A, &m), -EINVAL);
	assert_int_equal(vmsim_migrate_start(mm, A, NULL), -EINVAL);
	assert_int_equal(vmsim_migrate_finish(NULL), -EINVAL);
	/* A handle never finished is freed with the machine. */
	assert_int_equal(tu_write(mm, A, 3), 0);
	assert_int_equal(vmsim_migrate_start(mm, A, &m), 0);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* migrate_pages() over a range: every folio that can move moves; a
 * pinned one (folio_migrate_mapping: refcount above the expected count)
 * stays and is counted failed:
 *
 *   A  [ 1 p 1 ]   p pinned: -EBUSY, nr_failed 1, pages 0 and 2 moved
 */
static void test_range_moves_all_but_pinned(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_reclaim_stats st;
	unsigned long old[3], pin, failed = 0;
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 3 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(tu_write(mm, A + i * P, 0x10 + i), 0);
		old[i] = tu_pfn(mm, A + i * P);
	}
	assert_int_equal(vmsim_pin_user_pages(mm, A + P, 1, true, &pin), 1);
	assert_int_equal(vmsim_migrate_range(mm, A, 3 * P, &failed), -EBUSY);
	assert_int_equal(failed, 1);
	assert_true(tu_pfn(mm, A) != old[0]);
	assert_int_equal(tu_pfn(mm, A + P), old[1]);
	assert_true(tu_pfn(mm, A + 2 * P) != old[2]);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(tu_read(mm, A + i * P), 0x10 + i);
	vmsim_reclaim_stats(vm, &st);
	assert_int_equal(st.pgmigrate_success, 2);
	assert_int_equal(st.pgmigrate_fail, 1);
	assert_int_equal(vmsim_unpin_user_pages(vm, &pin, 1), 0);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* Only normal pages move: the zero page (vm_normal_folio() is NULL, as
 * queue_folios_pte_range() skips it) and none ptes are neither moved nor
 * failed. */
static void test_zero_page_and_holes_skipped(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_reclaim_stats st;
	unsigned long failed = 7;
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_read(mm, A), 0);
	assert_int_equal(tu_pfn(mm, A), vmsim_zero_pfn(vm));
	assert_int_equal(vmsim_migrate_range(mm, A, 2 * P, &failed), 0);
	assert_int_equal(failed, 0);
	assert_int_equal(tu_pfn(mm, A), vmsim_zero_pfn(vm));
	assert_false(tu_pm(mm, A + P) & PM_PRESENT);
	vmsim_reclaim_stats(vm, &st);
	assert_int_equal(st.pgmigrate_success + st.pgmigrate_fail, 0);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* The first half alone refuses a pinned page (try_to_migrate_one() will
 * not unmap a possibly pinned exclusive page): -EBUSY, the page mapped
 * where it was, nothing held -- the anon_vma reference unmap took to
 * walk the mappings back is dropped too (vmsim_free reports a leak). */
static void test_start_refuses_pinned(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_migration *m = NULL;
	unsigned long pfn, pin;
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 9), 0);
	pfn = tu_pfn(mm, A);
	assert_int_equal(vmsim_pin_user_pages(mm, A, 1, true, &pin), 1);
	assert_int_equal(vmsim_migrate_start(mm, A, &m), -EBUSY);
	assert_null(m);
	assert_true(tu_pm(mm, A) & PM_PRESENT);
	assert_int_equal(tu_pfn(mm, A), pfn);
	assert_int_equal(vmsim_unpin_user_pages(vm, &pin, 1), 0);
	/* Unpinned, it moves. */
	assert_int_equal(vmsim_migrate_start(mm, A, &m), 0);
	assert_int_equal(vmsim_migrate_finish(m), 0);
	assert_true(tu_pfn(mm, A) != pfn);
	vmsim_mm_exit(mm);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_migrate_args),
		cmocka_unit_test(test_range_moves_all_but_pinned),
		cmocka_unit_test(test_zero_page_and_holes_skipped),
		cmocka_unit_test(test_start_refuses_pinned),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
