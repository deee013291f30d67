/* Unit tests: the OOM killer's badness and notification (mm/oom_kill.c),
 * the argument rules of migration (mm/migrate.c) and memory failure
 * (mm/memory-failure.c); their behaviour is in sim/check_migrate.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define A 0x7f0000000000ULL
#define P 4096ULL

/* badness = rss (anon, file, shmem) + swap entries + pte/pmd/pud tables. */
static void test_badness(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M swap=1M check=full", &log);
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_oom_badness(mm), 0);	/* an empty pgd counts nothing */
	assert_int_equal(vmsim_mmap(mm, A, 8 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(tu_write(mm, A + i * P, 1), 0);
	/* 8 pages + pud, pmd and pte tables (levels=5: the p4d is not charged). */
	assert_int_equal(vmsim_oom_badness(mm), 8 + 3);
	assert_int_equal(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(vmsim_oom_badness(mm), 4 + 4 + 3);	/* swap entries count as much */
	assert_int_equal(tu_read(mm, A + 4 * P + 0), 1);
	assert_int_equal(vmsim_oom_badness(NULL), 0);
	assert_false(vmsim_mm_oom_killed(mm));
	assert_false(vmsim_mm_oom_killed(NULL));
	vmsim_set_oom_notify(NULL, NULL, NULL);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static unsigned calls;
static struct vmsim_mm *victim;

static void notify(void *arg, struct vmsim_mm *mm)
{
	assert_ptr_equal(arg, &calls);
	calls++;
	victim = mm;
}

/* Out of memory with nothing to reclaim: the victim is told to the
 * callback before its address space goes; of two equal candidates the
 * newer one goes (oom_evaluate_task keeps the last of equals); the
 * allocation that ran out then succeeds. */
static void test_notify_and_tie(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=1M check=full", &log);
	struct vmsim_mm *a, *b, *c;
	unsigned i;

	(void)state;
	calls = 0;
	victim = NULL;
	vmsim_set_oom_notify(vm, notify, &calls);
	assert_int_equal(vmsim_mm_new(vm, &a), 0);
	assert_int_equal(vmsim_mm_new(vm, &b), 0);
	assert_int_equal(vmsim_mm_new(vm, &c), 0);
	assert_int_equal(vmsim_mmap(a, A, 96 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(b, A, 96 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(c, A, 96 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	for (i = 0; i < 96; i++) {
		assert_int_equal(tu_write(a, A + i * P, 1), 0);
		assert_int_equal(tu_write(b, A + i * P, 1), 0);
	}
	assert_int_equal(vmsim_oom_badness(a), vmsim_oom_badness(b));
	for (i = 0; i < 96 && !calls; i++)
		assert_int_equal(tu_write(c, A + i * P, 1), 0);
	assert_int_equal(calls, 1);
	assert_ptr_equal(victim, b);
	assert_true(vmsim_mm_oom_killed(b));
	assert_false(vmsim_mm_oom_killed(a) || vmsim_mm_oom_killed(c));
	assert_int_equal(tu_read(b, A), -VMSIM_ACCESS_SIGKILL);
	assert_int_equal(vmsim_mmap(b, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), -ESRCH);
	assert_int_equal(vmsim_mprotect(b, A, P, VMSIM_PROT_READ), -ESRCH);
	assert_int_equal(vmsim_madvise(b, A, P, VMSIM_MADV_DONTNEED), -ESRCH);
	assert_int_equal(vmsim_pagemap(b, A, 1, &(uint64_t){ 0 }), -ESRCH);
	assert_int_equal(vmsim_fork(b, &(struct vmsim_mm *){ NULL }), -ESRCH);
	assert_int_equal(vmsim_migrate_range(b, A, P, NULL), -ESRCH);
	assert_int_equal(vmsim_memory_failure_addr(b, A), -ESRCH);
	vmsim_mm_exit(b);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

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

static void test_memory_failure_args(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_memory_failure(NULL, 1), -EINVAL);
	assert_int_equal(vmsim_memory_failure(vm, vmsim_nr_frames(vm)), -EINVAL);
	assert_int_equal(vmsim_memory_failure_addr(NULL, A), -EINVAL);
	assert_int_equal(vmsim_memory_failure_addr(mm, A), -EFAULT);	/* nothing mapped */
	assert_int_equal(vmsim_mmap(mm, A, P, VMSIM_PROT_NONE, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_memory_failure_addr(mm, A), -EFAULT);	/* PROT_NONE: GUP fails */
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_badness),
		cmocka_unit_test(test_notify_and_tie),
		cmocka_unit_test(test_migrate_args),
		cmocka_unit_test(test_memory_failure_args),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
