/* Sim tests: running out of memory is clean.  On a 1 MiB machine without
 * swap, a fault, MAP_POPULATE, MADV_POPULATE_WRITE, fork, UFFDIO_COPY and
 * a file write meet an empty free list.  As in Linux, the allocator then
 * runs the OOM killer (__alloc_pages_may_oom): the process with the
 * highest badness dies and the allocation is retried, so the operation
 * succeeds when the victim is another process, and fails (its process
 * killed) when the victim is the one allocating.  Either way the machine
 * stays consistent (check=full finds nothing) and every frame comes back.
 * With no process to kill, the allocation fails with ENOMEM (Linux panics
 * there).  And a machine the host cannot hold is -ENOMEM from vmsim_new,
 * not an abort in its teardown. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>

#include "testutil.h"

#define A 0x10000000ULL
#define P 4096ULL
#define ANON (VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)
#define BIG (4ULL << 20)	/* four times the machine's RAM */

static struct bug_log log_;
static struct vmsim *vm;
static struct vmsim_mm *mm;
static unsigned long free0;

static void setup(void)
{
	vm = tu_machine_str("ram=1M check=full cpus=2", &log_);
	ck_assert_ptr_nonnull(vm);
	free0 = vmsim_nr_free_pages(vm);
	ck_assert_int_eq(vmsim_mm_new(vm, &mm), 0);
}

static void teardown(void)
{
	vmsim_free(vm);
	ck_assert_msg(log_.count == 0, "bug reported: %s (%s)", log_.last, log_.last_func);
}

static unsigned long oom_kills(void)
{
	struct vmsim_reclaim_stats st;

	vmsim_reclaim_stats(vm, &st);
	return st.oom_kill;
}

/* Write a distinct byte to each page of [A, A + len) of m until a write
 * fails; returns the pages written and the failing result in *why. */
static unsigned long fill(struct vmsim_mm *m, uint64_t len, int *why)
{
	unsigned long n;

	*why = 0;
	for (n = 0; n < len / P; n++) {
		*why = tu_write(m, A + n * P, (unsigned char)(n + 1));
		if (*why)
			break;
	}
	return n;
}

/* Every page written by fill() still holds its byte. */
static void intact(struct vmsim_mm *m, unsigned long n)
{
	for (unsigned long i = 0; i < n; i++)
		ck_assert_int_eq(tu_read(m, A + i * P), (unsigned char)(i + 1));
}

/* The victim is gone: a husk whose calls fail, its memory back but the
 * pgd (freed by its exit), and the machine consistent. */
static void killed(struct vmsim_mm *m)
{
	ck_assert(vmsim_mm_oom_killed(m));
	ck_assert_int_eq(tu_read(m, A), -VMSIM_ACCESS_SIGKILL);
	ck_assert_uint_eq(vmsim_check_all(vm), 0);
}

/* A lone process whose fault finds no frame is the OOM killer's victim:
 * the access ends in SIGKILL (never SIGBUS: VM_FAULT_OOM is no signal of
 * its own, pagefault_out_of_memory() only retries), and all its frames
 * come back. */
START_TEST(fault_kills_faulter)
{
	unsigned long n;
	int why;

	ck_assert_int_eq(vmsim_mmap(mm, A, BIG, TU_PROT_RW, ANON, NULL, 0), 0);
	n = fill(mm, BIG, &why);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, BIG / P);
	ck_assert_int_eq(why, VMSIM_ACCESS_SIGKILL);
	ck_assert_uint_eq(oom_kills(), 1);
	killed(mm);
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), free0 - 1);
	vmsim_mm_exit(mm);
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), free0);
}
END_TEST

/* With a bigger process around, that one dies and the fault succeeds. */
START_TEST(fault_kills_other)
{
	struct vmsim_mm *q;
	unsigned long n;
	int why;

	ck_assert_int_eq(vmsim_mm_new(vm, &q), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, 16 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	n = fill(mm, 8 * P, &why);
	ck_assert_int_eq(why, 0);
	ck_assert_int_eq(vmsim_mmap(q, A, BIG, TU_PROT_RW, ANON, NULL, 0), 0);
	fill(q, BIG, &why);
	ck_assert_int_eq(why, VMSIM_ACCESS_SIGKILL);	/* q was the biggest */
	killed(q);
	/* Again, now mm ran out with q holding RAM: q goes. */
	vmsim_mm_exit(q);
	ck_assert_int_eq(vmsim_mm_new(vm, &q), 0);
	ck_assert_int_eq(vmsim_mmap(q, A, BIG, TU_PROT_RW, ANON, NULL, 0), 0);
	for (unsigned long i = 0; vmsim_nr_free_pages(vm); i++)
		ck_assert_int_eq(tu_write(q, A + i * P, 1), 0);
	ck_assert_int_eq(tu_write(mm, A + 8 * P, 9), 0);
	ck_assert_uint_eq(oom_kills(), 2);
	killed(q);
	ck_assert(!vmsim_mm_oom_killed(mm));
	intact(mm, n);
	ck_assert_int_eq(tu_read(mm, A + 8 * P), 9);
}
END_TEST

/* MAP_POPULATE populates what it can and mmap succeeds (mm_populate()
 * ignores errors, include/linux/mm.h); the population ran the machine out
 * and killed the process.  MADV_POPULATE_WRITE, likewise, fails. */
START_TEST(populate_oom)
{
	struct vmsim_mm *q;

	ck_assert_int_eq(vmsim_mmap(mm, A, BIG, TU_PROT_RW, ANON | VMSIM_MAP_POPULATE, NULL, 0), 0);
	killed(mm);
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), free0 - 1);
	ck_assert_int_eq(vmsim_mm_new(vm, &q), 0);
	ck_assert_int_eq(vmsim_mmap(q, A, BIG, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(vmsim_madvise(q, A, BIG, VMSIM_MADV_POPULATE_WRITE), -ENOMEM);
	killed(q);
	ck_assert_uint_eq(oom_kills(), 2);
}
END_TEST

/* fork that finds no memory for the child's tables: the child is not a
 * candidate (MMF_FORKING: not on the task list yet), the parent is; fork
 * fails with ENOMEM, the half-built child gives back what it took. */
START_TEST(fork_oom)
{
	struct vmsim_mm *child = NULL, *q;
	unsigned long n;
	int why;

	ck_assert_int_eq(vmsim_mmap(mm, A, BIG, TU_PROT_RW, ANON, NULL, 0), 0);
	/* Leave three frames: the child's pgd, p4d and pud; its pmd fails in
	 * the middle of copy_page_range. */
	for (n = 0; vmsim_nr_free_pages(vm) > 3; n++)
		ck_assert_int_eq(tu_write(mm, A + n * P, (unsigned char)(n + 1)), 0);
	ck_assert_int_eq(vmsim_fork(mm, &child), -ENOMEM);
	ck_assert_ptr_null(child);
	killed(mm);
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), free0 - 1);
	/* A parent smaller than another process: that one dies, fork works. */
	ck_assert_int_eq(vmsim_mm_new(vm, &q), 0);
	ck_assert_int_eq(vmsim_mm_new(vm, &mm), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	n = fill(mm, 4 * P, &why);
	ck_assert_int_eq(vmsim_mmap(q, A, BIG, TU_PROT_RW, ANON, NULL, 0), 0);
	for (unsigned long i = 0; vmsim_nr_free_pages(vm); i++)
		ck_assert_int_eq(tu_write(q, A + i * P, 1), 0);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	killed(q);
	intact(child, n);
	ck_assert_uint_eq(vmsim_check_all(vm), 0);
}
END_TEST

/* UFFDIO_COPY with no frame: the allocating process is the victim, the
 * copy fails with ENOMEM and maps nothing (mfill_atomic_pte_copy). */
START_TEST(uffd_copy_oom)
{
	struct vmsim_uffd *u;
	unsigned long n;

	ck_assert_int_eq(vmsim_mmap(mm, A, BIG, TU_PROT_RW, ANON, NULL, 0), 0);
	for (n = 0; vmsim_nr_free_pages(vm); n++)
		ck_assert_int_eq(tu_write(mm, A + n * P, 1), 0);
	ck_assert_int_eq(vmsim_uffd_open(mm, 0, &u), 0);
	ck_assert_int_eq(vmsim_uffd_register(u, A, BIG, UFFDIO_REGISTER_MODE_MISSING), 0);
	ck_assert_int_eq(vmsim_uffd_copy(u, A + (n + 8) * P, NULL, 0x55, P, false), -ENOMEM);
	killed(mm);
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), free0 - 1);
}
END_TEST

/* A write() with RAM full: the OOM killer takes the process holding it and
 * the write goes through; with nothing left to kill (RAM full of shmem
 * pages, no swap) it is ENOMEM and the file is as it was
 * (generic_perform_write returns what it wrote, else the error). */
START_TEST(file_write_oom)
{
	static unsigned char buf[P];
	struct vmsim_file *f, *g;
	long w;

	ck_assert_int_eq(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, BIG, TU_PROT_RW, ANON, NULL, 0), 0);
	for (unsigned long n = 0; vmsim_nr_free_pages(vm); n++)
		ck_assert_int_eq(tu_write(mm, A + n * P, 1), 0);
	memset(buf, 0x33, sizeof(buf));
	ck_assert_int_eq(vmsim_file_write(f, 0, buf, P), (long)P);
	killed(mm);
	vmsim_mm_exit(mm);
	/* Fill RAM with another file's pages. */
	ck_assert_int_eq(vmsim_file_new(vm, "g", VMSIM_FILE_SHMEM, BIG, &g), 0);
	for (w = 0; w >= 0 && vmsim_nr_free_pages(vm);)
		w = vmsim_file_write(g, (uint64_t)(BIG - vmsim_nr_free_pages(vm) * P), buf, P);
	ck_assert_int_eq(vmsim_file_write(f, P, buf, P), -ENOMEM);
	ck_assert_uint_eq(vmsim_file_cached_pages(f), 1);
	ck_assert_int_eq(vmsim_file_read(f, 0, buf, 2 * P), (long)P);
	ck_assert_uint_eq(vmsim_check_all(vm), 0);
}
END_TEST

/* A machine whose memmap or frame memory the host cannot reserve is
 * -ENOMEM from vmsim_new, with nothing left behind.  Under a limit on the
 * address space (not with sanitizers, whose shadow memory needs it). */
#if defined(__SANITIZE_ADDRESS__)
#define NO_RLIMIT_AS 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define NO_RLIMIT_AS 1
#endif
#endif

START_TEST(machine_too_big)
{
#ifndef NO_RLIMIT_AS
	struct vmsim_config cfg;
	struct rlimit lim;
	struct vmsim *big = NULL;
	unsigned long vsz = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f) {
		if (fscanf(f, "%lu", &vsz) != 1)
			vsz = 0;
		fclose(f);
	}
	lim.rlim_cur = lim.rlim_max = (rlim_t)vsz * P + (1ULL << 30);
	ck_assert_int_eq(setrlimit(RLIMIT_AS, &lim), 0);
	vmsim_config_init(&cfg);
	/* 8 GiB: the memmap (under 200 MiB) fits, the frames do not. */
	cfg.ram = 8ULL << 30;
	ck_assert_int_eq(vmsim_new(&cfg, &big), -ENOMEM);
	ck_assert_ptr_null(big);
	/* 1 TiB: not even the memmap. */
	cfg.ram = 1ULL << 40;
	ck_assert_int_eq(vmsim_new(&cfg, &big), -ENOMEM);
	/* And a machine that fits still works. */
	cfg.ram = 16ULL << 20;
	ck_assert_int_eq(vmsim_new(&cfg, &big), 0);
	vmsim_free(big);
#endif
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("oom");
	TCase *tc = tcase_create("tiny");
	TCase *host = tcase_create("host");

	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, fault_kills_faulter);
	tcase_add_test(tc, fault_kills_other);
	tcase_add_test(tc, populate_oom);
	tcase_add_test(tc, fork_oom);
	tcase_add_test(tc, uffd_copy_oom);
	tcase_add_test(tc, file_write_oom);
	suite_add_tcase(s, tc);
	tcase_add_test(host, machine_too_big);
	suite_add_tcase(s, host);
	return s;
}

int main(void)
{
	return tu_check_main(suite());
}
