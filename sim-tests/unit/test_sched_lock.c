/* Unit tests: the lock model (sched/lock.c).  Locks are checked state:
 * what lockdep would report (recursion = deadlock, bad order, unlock of
 * an unheld lock, lockdep_assert_held) becomes a VMSIM_BUG.  Order is the
 * hierarchy at the top of mm/rmap.c: i_rwsem, mmap_lock, the vma locks,
 * folio lock, i_mmap_rwsem, anon_vma->rwsem, page_table_lock, ptl,
 * swap_lock, i_pages; as lockdep, each wrong order is reported once.
 * The learned order and the interleaved lock model are
 * test_sched_explore.c's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

static struct vmsim *machine(struct bug_log *log)
{
	struct vmsim *vm = tu_machine_str("ram=4M", log);

	assert_non_null(vm);
	return vm;
}

static void done(struct vmsim *vm, struct bug_log *log, unsigned bugs)
{
	assert_int_equal(vmsim_locks_held(vm), 0);
	assert_int_equal(log->count, bugs);
	assert_int_equal(vmsim_bug_count(vm), bugs);
	vmsim_free(vm);
	assert_int_equal(log->count, bugs);
}

static void test_lock_unlock(void **state)
{
	struct bug_log log;
	struct vmsim *vm = machine(&log);
	struct vmsim_lock l;

	(void)state;
	vmsim_lock_init(&l, VMSIM_LOCK_PTL);
	assert_false(vmsim_lock_held(&l));
	assert_false(vmsim_lock_held_write(&l));
	assert_int_equal(vmsim_locks_held(vm), 0);
	vmsim_lock(vm, &l);
	assert_true(vmsim_lock_held(&l));
	assert_true(vmsim_lock_held_write(&l));
	assert_int_equal(vmsim_locks_held(vm), 1);
	vmsim_lock_assert_held(vm, &l);
	vmsim_lock_assert_held_write(vm, &l);
	vmsim_unlock(vm, &l);
	assert_false(vmsim_lock_held(&l));
	/* Again, after release. */
	vmsim_lock(vm, &l);
	vmsim_unlock(vm, &l);
	done(vm, &log, 0);
}

static void test_read_locks_shared(void **state)
{
	struct bug_log log;
	struct vmsim *vm = machine(&log);
	struct vmsim_lock l;

	(void)state;
	vmsim_lock_init(&l, VMSIM_LOCK_MMAP);
	vmsim_lock_read(vm, &l);
	vmsim_lock_read(vm, &l);
	assert_int_equal(log.count, 0);
	assert_true(vmsim_lock_held(&l));
	assert_false(vmsim_lock_held_write(&l));
	assert_int_equal(vmsim_locks_held(vm), 2);
	vmsim_lock_assert_held(vm, &l);
	assert_int_equal(log.count, 0);
	/* A writer cannot get in: trylock fails quietly ... */
	assert_false(vmsim_trylock(vm, &l));
	assert_int_equal(log.count, 0);
	vmsim_unlock_read(vm, &l);
	assert_true(vmsim_lock_held(&l));
	assert_int_equal(vmsim_locks_held(vm), 1);
	vmsim_unlock_read(vm, &l);
	assert_false(vmsim_lock_held(&l));
	/* ... and once the readers are gone the writer gets it. */
	assert_true(vmsim_trylock(vm, &l));
	vmsim_unlock(vm, &l);
	done(vm, &log, 0);
}

static void test_write_while_read_held_is_bug(void **state)
{
	struct bug_log log;
	struct vmsim *vm = machine(&log);
	struct vmsim_lock l;

	(void)state;
	vmsim_lock_init(&l, VMSIM_LOCK_MMAP);
	vmsim_lock_read(vm, &l);
	vmsim_lock(vm, &l);	/* down_write while we hold it for read */
	assert_int_equal(log.count, 1);
	assert_non_null(strstr(log.last, "deadlock"));
	assert_string_equal(log.last_func, "vmsim_lock");
	/* Still read-held once: the failed lock changed nothing. */
	assert_false(vmsim_lock_held_write(&l));
	assert_int_equal(vmsim_locks_held(vm), 1);
	vmsim_unlock_read(vm, &l);
	done(vm, &log, 1);
}

static void test_read_while_write_held_is_bug(void **state)
{
	struct bug_log log;
	struct vmsim *vm = machine(&log);
	struct vmsim_lock l;

	(void)state;
	vmsim_lock_init(&l, VMSIM_LOCK_I_MMAP);
	vmsim_lock(vm, &l);
	vmsim_lock_read(vm, &l);
	assert_int_equal(log.count, 1);
	assert_non_null(strstr(log.last, "deadlock"));
	assert_string_equal(log.last_func, "vmsim_lock_read");
	assert_true(vmsim_lock_held_write(&l));
	assert_int_equal(vmsim_locks_held(vm), 1);
	vmsim_unlock(vm, &l);
	done(vm, &log, 1);
}

static void test_recursion_is_deadlock(void **state)
{
	struct bug_log log;
	struct vmsim *vm = machine(&log);
	struct vmsim_lock l;

	(void)state;
	vmsim_lock_init(&l, VMSIM_LOCK_PTL);
	vmsim_lock(vm, &l);
	assert_int_equal(log.count, 0);
	vmsim_lock(vm, &l);
	assert_int_equal(log.count, 1);
	assert_non_null(strstr(log.last, "deadlock"));
	assert_non_null(strstr(log.last, "ptl"));
	assert_string_equal(log.last_func, "vmsim_lock");
	/* Held once, not twice: one unlock frees it. */
	assert_int_equal(vmsim_locks_held(vm), 1);
	vmsim_unlock(vm, &l);
	assert_false(vmsim_lock_held(&l));
	done(vm, &log, 1);
}

static void test_unlock_unheld_is_bug(void **state)
{
	struct bug_log log;
	struct vmsim *vm = machine(&log);
	struct vmsim_lock l;

	(void)state;
	vmsim_lock_init(&l, VMSIM_LOCK_FOLIO);
	vmsim_unlock(vm, &l);
	assert_int_equal(log.count, 1);
	assert_string_equal(log.last_func, "vmsim_unlock");
	assert_non_null(strstr(log.last, "folio_lock"));
	assert_false(vmsim_lock_held(&l));
	vmsim_unlock_read(vm, &l);
	assert_int_equal(log.count, 2);
	assert_string_equal(log.last_func, "vmsim_unlock_read");
	/* Releasing the wrong way is a bug too. */
	vmsim_lock_read(vm, &l);
	vmsim_unlock(vm, &l);
	assert_int_equal(log.count, 3);
	assert_true(vmsim_lock_held(&l));
	vmsim_unlock_read(vm, &l);
	vmsim_lock(vm, &l);
	vmsim_unlock_read(vm, &l);
	assert_int_equal(log.count, 4);
	assert_true(vmsim_lock_held_write(&l));
	vmsim_unlock(vm, &l);
	/* Double unlock. */
	vmsim_unlock(vm, &l);
	assert_int_equal(log.count, 5);
	done(vm, &log, 5);
}

static void test_order_violation(void **state)
{
	struct bug_log log;
	struct vmsim *vm = machine(&log);
	struct vmsim_lock mmap, ptl;

	(void)state;
	vmsim_lock_init(&mmap, VMSIM_LOCK_MMAP);
	vmsim_lock_init(&ptl, VMSIM_LOCK_PTL);
	vmsim_lock(vm, &ptl);
	vmsim_lock(vm, &mmap);	/* mmap_lock inside a ptl */
	assert_int_equal(log.count, 1);
	assert_non_null(strstr(log.last, "lock order"));
	assert_non_null(strstr(log.last, "mmap_lock"));
	vmsim_unlock(vm, &mmap);
	vmsim_unlock(vm, &ptl);
	assert_int_equal(log.count, 1);
	/* The same order again is not reported again (lockdep says it once). */
	vmsim_lock(vm, &ptl);
	vmsim_lock_read(vm, &mmap);
	assert_int_equal(log.count, 1);
	vmsim_unlock_read(vm, &mmap);
	vmsim_unlock(vm, &ptl);
	/* The right way round is fine, and so is mmap_lock once the ptl
	 * is released. */
	vmsim_lock_read(vm, &mmap);
	vmsim_lock(vm, &ptl);
	vmsim_unlock(vm, &ptl);
	vmsim_unlock_read(vm, &mmap);
	vmsim_lock(vm, &ptl);
	vmsim_unlock(vm, &ptl);
	vmsim_lock(vm, &mmap);
	vmsim_unlock(vm, &mmap);
	done(vm, &log, 1);
	/* Read-side too, on a machine that has not seen it. */
	vm = machine(&log);
	vmsim_lock(vm, &ptl);
	vmsim_lock_read(vm, &mmap);
	assert_int_equal(log.count, 1);
	assert_non_null(strstr(log.last, "lock order"));
	assert_non_null(strstr(log.last, "mmap_lock (read)"));
	vmsim_unlock_read(vm, &mmap);
	vmsim_unlock(vm, &ptl);
	done(vm, &log, 1);
}

static void test_full_hierarchy(void **state)
{
	struct bug_log log;
	struct vmsim *vm = machine(&log);
	struct vmsim_lock l[VMSIM_LOCK_NR_CLASSES], ptl2, anon;

	(void)state;
	for (int c = 0; c < VMSIM_LOCK_NR_CLASSES; c++)
		vmsim_lock_init(&l[c], (enum vmsim_lock_class)c);
	/* i_rwsem -> mmap -> vma -> hugetlb vma -> hugetlbfs i_mmap -> folio
	 * -> i_mmap -> anon_vma -> page_table_lock -> ptl */
	for (int c = 0; c <= VMSIM_LOCK_PTL; c++)
		vmsim_lock(vm, &l[c]);
	/* Two ptls nest (split ptl of two tables, as in move_ptes). */
	vmsim_lock_init(&ptl2, VMSIM_LOCK_PTL);
	vmsim_lock(vm, &ptl2);
	assert_int_equal(log.count, 0);
	vmsim_unlock(vm, &ptl2);
	/* -> swap_lock -> i_pages -> other */
	for (int c = VMSIM_LOCK_PTL + 1; c < VMSIM_LOCK_NR_CLASSES; c++)
		vmsim_lock(vm, &l[c]);
	assert_int_equal(vmsim_locks_held(vm), VMSIM_LOCK_NR_CLASSES);
	assert_int_equal(log.count, 0);
	/* Out-of-order release is allowed. */
	for (int c = 0; c < VMSIM_LOCK_NR_CLASSES; c++)
		vmsim_unlock(vm, &l[c]);
	assert_int_equal(log.count, 0);
	/* i_mmap_rwsem taken inside anon_vma->rwsem: wrong. */
	vmsim_lock_init(&anon, VMSIM_LOCK_ANON_VMA);
	vmsim_lock_read(vm, &anon);
	vmsim_lock_read(vm, &l[VMSIM_LOCK_I_MMAP]);
	assert_int_equal(log.count, 1);
	assert_non_null(strstr(log.last, "i_mmap_rwsem"));
	vmsim_unlock_read(vm, &l[VMSIM_LOCK_I_MMAP]);
	vmsim_unlock_read(vm, &anon);
	/* A leaf lock of class OTHER has no order either way. */
	vmsim_lock(vm, &l[VMSIM_LOCK_OTHER]);
	vmsim_lock(vm, &l[VMSIM_LOCK_MMAP]);
	vmsim_unlock(vm, &l[VMSIM_LOCK_MMAP]);
	vmsim_unlock(vm, &l[VMSIM_LOCK_OTHER]);
	done(vm, &log, 1);
}

static void test_assert_held(void **state)
{
	struct bug_log log;
	struct vmsim *vm = machine(&log);
	struct vmsim_lock l;

	(void)state;
	vmsim_lock_init(&l, VMSIM_LOCK_PAGE_TABLE);
	vmsim_lock_assert_held(vm, &l);
	assert_int_equal(log.count, 1);
	/* Reported against the caller, as lockdep_assert_held shows it. */
	assert_string_equal(log.last_func, "test_assert_held");
	assert_non_null(strstr(log.last, "page_table_lock not held"));
	vmsim_lock_assert_held_write(vm, &l);
	assert_int_equal(log.count, 2);
	assert_non_null(strstr(log.last, "not held for write"));
	/* Read-held: held, but not for write. */
	vmsim_lock_read(vm, &l);
	vmsim_lock_assert_held(vm, &l);
	assert_int_equal(log.count, 2);
	vmsim_lock_assert_held_write(vm, &l);
	assert_int_equal(log.count, 3);
	vmsim_unlock_read(vm, &l);
	vmsim_lock(vm, &l);
	vmsim_lock_assert_held(vm, &l);
	vmsim_lock_assert_held_write(vm, &l);
	assert_int_equal(log.count, 3);
	vmsim_unlock(vm, &l);
	done(vm, &log, 3);
}

static void test_trylock(void **state)
{
	struct bug_log log;
	struct vmsim *vm = machine(&log);
	struct vmsim_lock l;

	(void)state;
	vmsim_lock_init(&l, VMSIM_LOCK_FOLIO);
	assert_true(vmsim_trylock(vm, &l));
	assert_true(vmsim_lock_held_write(&l));
	assert_int_equal(vmsim_locks_held(vm), 1);
	/* Held: trylock fails, and failing is not a bug. */
	assert_false(vmsim_trylock(vm, &l));
	assert_int_equal(vmsim_locks_held(vm), 1);
	assert_int_equal(log.count, 0);
	vmsim_unlock(vm, &l);
	assert_false(vmsim_lock_held(&l));
	/* Taken by lock, trylock fails too. */
	vmsim_lock(vm, &l);
	assert_false(vmsim_trylock(vm, &l));
	vmsim_unlock(vm, &l);
	done(vm, &log, 0);
}

static void test_class_names(void **state)
{
	(void)state;
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_MMAP), "mmap_lock");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_FOLIO), "folio_lock");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_I_MMAP), "i_mmap_rwsem");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_ANON_VMA), "anon_vma->rwsem");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_PAGE_TABLE), "page_table_lock");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_PTL), "ptl");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_OTHER), "lock");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_INODE), "i_rwsem");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_VMA), "vm_lock");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_HUGETLB_VMA), "hugetlb_vma_lock");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_I_MMAP_HUGETLB), "hugetlbfs_i_mmap_rwsem");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_SWAP), "swap_lock");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_MAPPING), "i_pages");
	assert_string_equal(vmsim_lock_class_name(VMSIM_LOCK_NR_CLASSES), "?");
}

/* Page-table pages come with their split ptl, and freeing a table whose
 * lock is held is a bug. */
static void test_table_ptl(void **state)
{
	struct bug_log log;
	struct vmsim *vm = machine(&log);
	struct vmsim_walk w;
	unsigned long root;
	struct vmsim_page *pt;

	(void)state;
	assert_int_equal(vmsim_pgd_alloc(vm, &root), 0);
	assert_int_equal(vmsim_walk(vm, root, 0x1000, VMSIM_WALK_ALLOC, &w), 0);
	pt = w.table[VMSIM_LVL_PTE];
	assert_int_equal(pt->ptl.lclass, VMSIM_LOCK_PTL);
	assert_false(vmsim_lock_held(&pt->ptl));
	vmsim_lock(vm, &pt->ptl);
	vmsim_lock_assert_held(vm, &pt->ptl);
	assert_int_equal(log.count, 0);
	vmsim_unlock(vm, &pt->ptl);
	assert_int_equal(vmsim_free_empty_tables(vm, root, 0, 1ULL << 47), 4);
	assert_int_equal(log.count, 0);

	assert_int_equal(vmsim_walk(vm, root, 0x1000, VMSIM_WALK_ALLOC, &w), 0);
	pt = w.table[VMSIM_LVL_PTE];
	vmsim_lock(vm, &pt->ptl);
	vmsim_free_empty_tables(vm, root, 0, 1ULL << 47);
	assert_true(log.count >= 1);
	assert_non_null(strstr(log.last, "lock held"));
	vmsim_pgd_free(vm, root);
	vmsim_free(vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lock_unlock),
		cmocka_unit_test(test_read_locks_shared),
		cmocka_unit_test(test_write_while_read_held_is_bug),
		cmocka_unit_test(test_read_while_write_held_is_bug),
		cmocka_unit_test(test_recursion_is_deadlock),
		cmocka_unit_test(test_unlock_unheld_is_bug),
		cmocka_unit_test(test_order_violation),
		cmocka_unit_test(test_full_hierarchy),
		cmocka_unit_test(test_assert_held),
		cmocka_unit_test(test_trylock),
		cmocka_unit_test(test_class_names),
		cmocka_unit_test(test_table_ptl),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
