/* Unit tests: the mm side of TLB flushing (mm/tlb.c over x86's
 * flush_tlb_mm_range): a single-page flush for a COW break, a range for
 * munmap (page by page up to tlb_single_page_flush_ceiling, 33, a full
 * flush beyond), the whole mm for fork and clear_refs (0..~0 is
 * TLB_FLUSH_ALL), an IPI only to another CPU that runs the mm. */
#define TU_UNIT_MACHINE "ram=16M cpus=2 check=full"
#include "unitfix.h"

static struct vmsim_cpu_stats st(int cpu)
{
	struct vmsim_cpu_stats s;

	assert_int_equal(vmsim_cpu_stats(vm, cpu, &s), 0);
	return s;
}

static void fill(unsigned n)
{
	assert_int_equal(vmsim_mmap(mm, pg(0), n * P, RW, ANON, NULL, 0), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(tu_write(mm, pg(i), 1), 0);
}

static void test_cow_flushes_one_page(void **state)
{
	struct vmsim_mm *child;

	(void)state;
	fill(1);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(tu_read(mm, pg(0)), 1);	/* cached read-only */
	vmsim_cpu_stats_reset(vm);
	assert_int_equal(tu_write(mm, pg(0), 2), 0);
	assert_int_equal(st(0).page_flushes, 1);
	assert_int_equal(st(0).full_flushes, 0);
	assert_int_equal(st(0).ipis_sent, 0);
	vmsim_mm_exit(child);
}

static void test_fork_and_clear_refs_flush_all(void **state)
{
	struct vmsim_mm *child;

	(void)state;
	fill(2);
	vmsim_cpu_stats_reset(vm);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(st(0).full_flushes, 1);
	assert_int_equal(st(0).page_flushes, 0);
	vmsim_cpu_stats_reset(vm);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_int_equal(st(0).full_flushes, 1);
	vmsim_mm_exit(child);
}

static void test_range_up_to_ceiling(void **state)
{
	(void)state;
	assert_int_equal(vmsim_flush_ceiling(vm), VMSIM_TLB_FLUSH_CEILING);
	fill(41);	/* page 40 keeps the pte table: no table is freed */
	vmsim_cpu_stats_reset(vm);
	assert_int_equal(vmsim_munmap(mm, pg(0), 2 * P), 0);
	assert_int_equal(st(0).page_flushes, 2);
	assert_int_equal(st(0).full_flushes, 0);
	vmsim_cpu_stats_reset(vm);
	assert_int_equal(vmsim_munmap(mm, pg(2), 38 * P), 0);	/* 38 > 33 */
	assert_int_equal(st(0).page_flushes, 0);
	assert_int_equal(st(0).full_flushes, 1);
}

static void test_ipi_only_to_running_cpu(void **state)
{
	unsigned char b;

	(void)state;
	fill(2);
	vmsim_cpu_stats_reset(vm);
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RO), 0);
	assert_int_equal(st(0).ipis_sent, 0);		/* CPU 1 never ran it */
	assert_int_equal(vmsim_access(mm, 1, pg(1), &b, 1, false, NULL), 0);
	assert_int_equal(vmsim_access(mm, 0, pg(1), &b, 1, false, NULL), 0);
	vmsim_cpu_stats_reset(vm);
	assert_int_equal(vmsim_mprotect(mm, pg(1), P, RO), 0);
	assert_int_equal(st(0).ipis_sent, 1);
	assert_int_equal(st(1).ipis_received, 1);
	assert_int_equal(st(1).page_flushes, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_cow_flushes_one_page),
		TU_TEST(test_fork_and_clear_refs_flush_all),
		TU_TEST(test_range_up_to_ceiling),
		TU_TEST(test_ipi_only_to_running_cpu),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
