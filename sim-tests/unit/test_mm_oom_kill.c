/* Unit tests: the OOM killer (mm/oom_kill.c of Linux 6.18): oom_badness()
 * (rss of every kind + swap entries + page-table pages, as
 * mm_pgtables_bytes() counts them), the victim and its notification, the
 * tie rule of oom_evaluate_task(), a killed process's husk.  More
 * sequences are in sim/check_migrate.c. */
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

/* oom_badness() is get_mm_rss() -- anonymous, file and shmem pages --
 * plus swap entries plus mm_pgtables_bytes() in pages:
 *
 *   A       [ a a a a ]   private anonymous, 4 written
 *   A+16P   [ f f ]       a disk file, shared, 2 read
 *   A+32P   [ s s s ]     shmem, shared, 3 written
 *
 * one pud, one pmd and one pte table hold them all. */
static void test_badness_counts_every_rss(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_file *d, *s;
	struct vmsim_mm *mm;
	unsigned i;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, 2 * P, &d), 0);
	assert_int_equal(vmsim_file_new(vm, "s", VMSIM_FILE_SHMEM, 3 * P, &s), 0);
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, A + 16 * P, 2 * P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, d, 0), 0);
	assert_int_equal(vmsim_mmap(mm, A + 32 * P, 3 * P, TU_PROT_RW, VMSIM_MAP_SHARED, s, 0), 0);
	for (i = 0; i < 4; i++)
		assert_int_equal(tu_write(mm, A + i * P, 1), 0);
	/* fault-around maps both file pages on the first read */
	for (i = 0; i < 2; i++)
		assert_int_equal(tu_read(mm, A + (16 + i) * P), 0);
	for (i = 0; i < 3; i++)
		assert_int_equal(tu_write(mm, A + (32 + i) * P, 1), 0);
	assert_int_equal(vmsim_oom_badness(mm), 4 + 2 + 3 + 3);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* With 4-level paging the pgd is the top (the p4d folded into it):
 * still a pud, a pmd and a pte table below it, as with 5 levels. */
static void test_badness_levels4(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M levels=4 check=full", &log);
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_oom_badness(mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 8 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(tu_write(mm, A + i * P, 1), 0);
	assert_int_equal(vmsim_oom_badness(mm), 8 + 3);
	/* A second pte table, 2 MiB further. */
	assert_int_equal(vmsim_mmap(mm, A + 0x200000, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A + 0x200000, 1), 0);
	assert_int_equal(vmsim_oom_badness(mm), 9 + 4);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* A THP mapped by a PMD: 512 pages, the pud and pmd tables, and the pte
 * table __do_huge_pmd_anonymous_page() deposited (mm_inc_nr_ptes: it is
 * in mm_pgtables_bytes() although no pmd points to it). */
static void test_badness_thp_counts_deposited_table(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=16M thp=always check=full", &log);
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 2 << 20, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(vmsim_oom_badness(mm), 512 + 2 + 1);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_badness),
		cmocka_unit_test(test_notify_and_tie),
		cmocka_unit_test(test_badness_counts_every_rss),
		cmocka_unit_test(test_badness_levels4),
		cmocka_unit_test(test_badness_thp_counts_deposited_table),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
