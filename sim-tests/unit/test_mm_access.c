/* Unit tests: a process's loads and stores (vmsim_access, on the x86 fault
 * path of arch/x86/mm/fault.c): page-crossing accesses move every byte of
 * the pages before a fatal fault and report the faulting address; cpu=N
 * moves the process to that CPU first; out of memory is VM_FAULT_OOM's
 * result; bad arguments are -EINVAL and change nothing; instruction
 * fetches (vmsim_fetch) need VM_EXEC (access_error) and fault like reads. */
#define TU_UNIT_MACHINE "ram=16M cpus=2 check=full"
#include "unitfix.h"

static void test_crossing_pages(void **state)
{
	unsigned char out[8] = { 1, 2, 3, 4, 5, 6, 7, 8 }, in[8] = { 0 };
	uint64_t fa = 0;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_access(mm, -1, pg(1) - 4, out, 8, true, &fa), VMSIM_ACCESS_OK);
	assert_int_equal(vmsim_access(mm, -1, pg(1) - 4, in, 8, false, NULL), VMSIM_ACCESS_OK);
	assert_memory_equal(in, out, 8);
	assert_string_equal(tu_present(mm, pg(0), 2), "11");
	/* Into the hole after page 1: the first page's bytes are stored, the
	 * fault is reported at the start of the unmapped page. */
	assert_int_equal(vmsim_access(mm, -1, pg(2) - 2, out, 4, true, &fa), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(fa, pg(2));
	assert_int_equal(tu_read(mm, pg(2) - 2), 1);
	assert_int_equal(tu_read(mm, pg(2) - 1), 2);
}

static void test_read_only_fault_address(void **state)
{
	unsigned char b = 1;
	uint64_t fa = 0;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RO, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_access(mm, -1, pg(1) + 123, &b, 1, true, &fa), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(fa, pg(1) + 123);
}

static void test_cpu_choice(void **state)
{
	struct vmsim_cpu_stats st;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mm_cpu(mm), 0);
	vmsim_cpu_stats_reset(vm);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(vmsim_cpu_stats(vm, 0, &st), 0);
	assert_int_equal(st.faults, 1);
	{
		unsigned char b;

		assert_int_equal(vmsim_access(mm, 1, pg(0), &b, 1, false, NULL), VMSIM_ACCESS_OK);
		assert_int_equal(b, 1);
	}
	assert_int_equal(vmsim_mm_cpu(mm), 1);
	assert_int_equal(vmsim_cpu_stats(vm, 1, &st), 0);
	assert_int_equal(st.walks, 1);		/* CPU 1 had nothing cached */
	assert_int_equal(st.faults, 0);		/* the page was there */
	assert_ptr_not_equal(vmsim_cpu_loaded(vm, 1), NULL);
}

static void test_arguments(void **state)
{
	unsigned char b = 0;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_access(NULL, -1, pg(0), &b, 1, false, NULL), -EINVAL);
	assert_int_equal(vmsim_access(mm, -1, pg(0), NULL, 1, false, NULL), -EINVAL);
	assert_int_equal(vmsim_access(mm, 2, pg(0), &b, 1, false, NULL), -EINVAL);
	assert_int_equal(vmsim_access(mm, -2, pg(0), &b, 1, false, NULL), -EINVAL);
	assert_int_equal(vmsim_access(mm, -1, ~0ULL, &b, 2, false, NULL), -EINVAL);
	assert_int_equal(vmsim_access(mm, -1, pg(0), NULL, 0, false, NULL), VMSIM_ACCESS_OK);
	assert_false(tu_pm(mm, pg(0)) & PM_PRESENT);
	assert_int_equal(vmsim_mm_cpu(mm), 0);
}

/* Out of frames: VM_FAULT_OOM ends the access (pagefault_out_of_memory). */
static void test_oom(void **state)
{
	struct bug_log log;
	struct vmsim *small = tu_machine_str("ram=1M", &log);
	struct vmsim_mm *m;
	uint64_t fa = 0;
	int r = 0;
	unsigned i;

	(void)state;
	assert_non_null(small);
	assert_int_equal(vmsim_mm_new(small, &m), 0);
	assert_int_equal(vmsim_mmap(m, pg(0), 512 * P, RW, ANON, NULL, 0), 0);
	for (i = 0; i < 512; i++) {
		unsigned char b = 1;

		r = vmsim_access(m, -1, pg(i), &b, 1, true, &fa);
		if (r)
			break;
	}
	/* No swap, nothing to reclaim: the OOM killer picks the only
	 * process (pagefault_out_of_memory), which dies in its access. */
	assert_int_equal(r, VMSIM_ACCESS_SIGKILL);
	assert_true(i < 256);			/* 1 MiB holds 256 frames */
	assert_int_equal(fa, pg(i));
	assert_true(vmsim_mm_oom_killed(m));
	vmsim_free(small);
	assert_int_equal(log.count, 0);
}

/* vmsim_fetch: an instruction fetch from a vma without VM_EXEC is
 * SIGSEGV (access_error: X86_PF_INSTR); from an executable one it faults
 * the page in as a read would (the zero page), and reads its bytes; a
 * guard marker is SIGSEGV whatever the access. */
static void test_fetch(void **state)
{
	unsigned char b = 1;
	uint64_t fa = 0;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(2), 2 * P, RW | VMSIM_PROT_EXEC, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_fetch(mm, -1, pg(0) + 8, &b, 1, &fa), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(fa, pg(0) + 8);
	assert_false(tu_pm(mm, pg(0)) & PM_PRESENT);
	assert_int_equal(vmsim_fetch(mm, -1, pg(2), &b, 1, NULL), VMSIM_ACCESS_OK);
	assert_int_equal(b, 0);
	assert_int_equal(tu_pfn(mm, pg(2)), vmsim_zero_pfn(vm));
	assert_int_equal(tu_write(mm, pg(2), 0x90), 0);
	assert_int_equal(vmsim_fetch(mm, -1, pg(2), &b, 1, NULL), VMSIM_ACCESS_OK);
	assert_int_equal(b, 0x90);
	assert_int_equal(vmsim_madvise(mm, pg(3), P, VMSIM_MADV_GUARD_INSTALL), 0);
	assert_int_equal(vmsim_fetch(mm, -1, pg(3), &b, 1, &fa), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(fa, pg(3));
	assert_int_equal(vmsim_fetch(NULL, -1, pg(2), &b, 1, NULL), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_crossing_pages),
		TU_TEST(test_read_only_fault_address),
		TU_TEST(test_cpu_choice),
		TU_TEST(test_arguments),
		TU_TEST(test_oom),
		TU_TEST(test_fetch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
