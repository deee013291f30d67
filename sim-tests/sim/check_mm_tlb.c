/* Sim tests: mm operations keep every CPU's TLB coherent.  One process runs
 * on two CPUs (as two threads would); mprotect, munmap, COW and fork must
 * shoot down the other CPU's entries, as Linux's flush_tlb_mm_range does,
 * and without the flush the stale-TLB detector must say so. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>

#include "testutil.h"

#define A 0x7f0000000000ULL
#define P 4096ULL
#define ANON (VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)

static struct bug_log log_;
static struct vmsim *vm;
static struct vmsim_mm *mm;

static void setup(void)
{
	vm = tu_machine_str("ram=16M cpus=2 check=full", &log_);
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(vmsim_mm_new(vm, &mm), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, ANON, NULL, 0), 0);
}

static void teardown(void)
{
	vmsim_free(vm);
}

static int wr(int cpu, uint64_t addr, unsigned char v)
{
	return vmsim_access(mm, cpu, addr, &v, 1, true, NULL);
}

static int rd(int cpu, uint64_t addr)
{
	unsigned char b;
	int r = vmsim_access(mm, cpu, addr, &b, 1, false, NULL);

	return r ? -r : b;
}

START_TEST(mprotect_shoots_down_other_cpu)
{
	struct vmsim_cpu_stats st;

	ck_assert_int_eq(wr(1, A, 1), 0);	/* CPU 1 caches a writable entry */
	ck_assert_int_eq(wr(0, A + P, 1), 0);	/* the syscall will run on CPU 0 */
	vmsim_cpu_stats_reset(vm);
	ck_assert_int_eq(vmsim_mprotect(mm, A, 4 * P, VMSIM_PROT_READ), 0);
	ck_assert_int_eq(vmsim_cpu_stats(vm, 0, &st), 0);
	ck_assert_uint_eq(st.ipis_sent, 1);
	/* CPU 1 still runs the mm: its write must fault now. */
	ck_assert_ptr_eq(vmsim_cpu_loaded(vm, 1), vmsim_cpu_loaded(vm, 1));
	vmsim_mm_run(mm, 1);
	ck_assert_int_eq(wr(1, A, 2), VMSIM_ACCESS_SIGSEGV);
	ck_assert_int_eq(rd(1, A), 1);
	ck_assert_uint_eq(log_.count, 0);
}
END_TEST

START_TEST(munmap_shoots_down_other_cpu)
{
	ck_assert_int_eq(wr(1, A, 1), 0);
	vmsim_mm_run(mm, 0);
	ck_assert_int_eq(vmsim_munmap(mm, A, 4 * P), 0);
	ck_assert_int_eq(rd(1, A), -VMSIM_ACCESS_SIGSEGV);
	ck_assert_uint_eq(log_.count, 0);
}
END_TEST

START_TEST(cow_after_fork_on_two_cpus)
{
	struct vmsim_mm *child;
	unsigned char v = 7;

	ck_assert_int_eq(wr(1, A, 1), 0);
	ck_assert_int_eq(rd(1, A), 1);
	vmsim_mm_run(mm, 0);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	/* fork write-protected the parent's pte and flushed CPU 1 too. */
	ck_assert_int_eq(wr(1, A, 2), 0);
	ck_assert_int_eq(vmsim_access(child, 0, A, &v, 1, false, NULL), 0);
	ck_assert_int_eq(v, 1);
	vmsim_mm_exit(child);
	ck_assert_uint_eq(log_.count, 0);
}
END_TEST

/* Without the shootdown, CPU 1 keeps writing through its stale entry,
 * and check=full reports the forgotten flush when mprotect returns. */
START_TEST(missing_flush_is_caught)
{
	ck_assert_int_eq(wr(1, A, 1), 0);
	vmsim_mm_run(mm, 0);
	vmsim_debug_suppress_flush(vm, true);
	ck_assert_int_eq(vmsim_mprotect(mm, A, 4 * P, VMSIM_PROT_READ), 0);
	ck_assert_uint_ge(log_.count, 1);
	vmsim_debug_suppress_flush(vm, false);
	log_.count = 0;
}
END_TEST

/* The same with the default handler: the process aborts (a caught failure). */
START_TEST(missing_flush_aborts_by_default)
{
	vmsim_set_bug_handler(vm, NULL, NULL);
	ck_assert_int_eq(wr(1, A, 1), 0);
	vmsim_mm_run(mm, 0);
	vmsim_debug_suppress_flush(vm, true);
	vmsim_munmap(mm, A, 4 * P);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("mm_tlb");
	TCase *tc = tcase_create("coherence");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, mprotect_shoots_down_other_cpu);
	tcase_add_test(tc, munmap_shoots_down_other_cpu);
	tcase_add_test(tc, cow_after_fork_on_two_cpus);
	tcase_add_test(tc, missing_flush_is_caught);
	tcase_add_test_raise_signal(tc, missing_flush_aborts_by_default, SIGABRT);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_check_main(suite());
}
