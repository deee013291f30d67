/* Sim tests: running out of memory is clean.  On a 1 MiB machine a fault,
 * MAP_POPULATE, MADV_POPULATE_WRITE, fork, UFFDIO_COPY and a file write
 * meet an empty free list: each fails as Linux's does (VM_FAULT_OOM, an
 * ignored population failure, ENOMEM), leaves the machine consistent
 * (check=full finds nothing), keeps what was there, and gives every frame
 * back when the memory goes.  And a machine the host cannot hold is
 * -ENOMEM from vmsim_new, not an abort in its teardown. */
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

/* Write a distinct byte to each page of [A, A + BIG) until a write fails;
 * returns the pages written and the failing result in *why. */
static unsigned long fill(int *why)
{
	unsigned long n;

	for (n = 0; n < BIG / P; n++) {
		*why = tu_write(mm, A + n * P, (unsigned char)(n + 1));
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

/* A fault with no frame to give is VM_FAULT_OOM, nothing else; once memory
 * comes back, the same access works. */
START_TEST(fault_oom)
{
	unsigned long n;
	int why;

	ck_assert_int_eq(vmsim_mmap(mm, A, BIG, TU_PROT_RW, ANON, NULL, 0), 0);
	n = fill(&why);
	ck_assert_uint_gt(n, 0);
	ck_assert_uint_lt(n, BIG / P);
	ck_assert_int_eq(why, VMSIM_ACCESS_OOM);
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), 0);
	ck_assert_uint_eq(vmsim_check_all(vm), 0);
	intact(mm, n);
	/* Give back the first half: the failed page can be written now. */
	ck_assert_int_eq(vmsim_munmap(mm, A, (n / 2) * P), 0);
	ck_assert_int_eq(tu_write(mm, A + n * P, 7), 0);
	ck_assert_int_eq(tu_read(mm, A + n * P), 7);
	ck_assert_int_eq(vmsim_munmap(mm, A, BIG), 0);
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), free0 - 1);	/* the pgd */
}
END_TEST

/* MAP_POPULATE populates what it can and mmap succeeds (mm_populate()
 * ignores errors, include/linux/mm.h); MADV_POPULATE_WRITE reports the
 * failure as ENOMEM (mm/madvise.c madvise_populate). */
START_TEST(populate_oom)
{
	unsigned char b;

	ck_assert_int_eq(vmsim_mmap(mm, A, BIG, TU_PROT_RW, ANON | VMSIM_MAP_POPULATE, NULL, 0), 0);
	ck_assert(tu_pm(mm, A) & PM_PRESENT);
	ck_assert(!(tu_pm(mm, A + BIG - P) & PM_PRESENT));
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), 0);
	ck_assert_int_eq(vmsim_access(mm, -1, A + BIG - P, &b, 1, true, NULL), VMSIM_ACCESS_OOM);
	ck_assert_int_eq(vmsim_madvise(mm, A, BIG, VMSIM_MADV_POPULATE_WRITE), -ENOMEM);
	ck_assert_uint_eq(vmsim_check_all(vm), 0);
	ck_assert_int_eq(vmsim_munmap(mm, A, BIG), 0);
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), free0 - 1);
}
END_TEST

/* fork with no memory for the child's tables is ENOMEM; the parent keeps
 * everything, and the half-built child gives back what it took. */
START_TEST(fork_oom)
{
	struct vmsim_mm *child = NULL;
	unsigned long n, before;
	int why;

	ck_assert_int_eq(vmsim_mmap(mm, A, BIG, TU_PROT_RW, ANON, NULL, 0), 0);
	n = fill(&why);
	ck_assert_int_eq(why, VMSIM_ACCESS_OOM);
	/* No frame at all: not even the child's pgd. */
	ck_assert_int_eq(vmsim_fork(mm, &child), -ENOMEM);
	ck_assert_ptr_null(child);
	/* Three frames: the child's pgd, p4d and pud, then its pmd fails in
	 * the middle of copy_page_range. */
	ck_assert_int_eq(vmsim_munmap(mm, A + (n - 3) * P, 3 * P), 0);
	n -= 3;
	before = vmsim_nr_free_pages(vm);
	ck_assert_uint_eq(before, 3);
	ck_assert_int_eq(vmsim_fork(mm, &child), -ENOMEM);
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), before);
	ck_assert_uint_eq(vmsim_check_all(vm), 0);
	intact(mm, n);
	/* The parent's pages were write-protected for COW before the copy
	 * failed: writing them again reuses them (they are exclusive). */
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	ck_assert_int_eq(vmsim_munmap(mm, A, BIG), 0);
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), free0 - 1);
}
END_TEST

/* UFFDIO_COPY with no frame for the page is ENOMEM and maps nothing
 * (mm/userfaultfd.c mfill_atomic_pte_copy). */
START_TEST(uffd_copy_oom)
{
	struct vmsim_uffd *u;
	unsigned long n;
	int why;

	ck_assert_int_eq(vmsim_mmap(mm, A, BIG, TU_PROT_RW, ANON, NULL, 0), 0);
	n = fill(&why);
	ck_assert_int_eq(why, VMSIM_ACCESS_OOM);
	ck_assert_int_eq(vmsim_uffd_open(mm, 0, &u), 0);
	ck_assert_int_eq(vmsim_uffd_register(u, A, BIG, UFFDIO_REGISTER_MODE_MISSING), 0);
	ck_assert_int_eq(vmsim_uffd_copy(u, A + n * P, NULL, 0x55, P, false), -ENOMEM);
	ck_assert(!(tu_pm(mm, A + n * P) & PM_PRESENT));
	ck_assert_uint_eq(vmsim_check_all(vm), 0);
	ck_assert_int_eq(vmsim_munmap(mm, A, BIG), 0);
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), free0 - 1);
}
END_TEST

/* A write() whose first page finds no memory is ENOMEM; the file is as it
 * was (generic_perform_write returns what it wrote, else the error). */
START_TEST(file_write_oom)
{
	static unsigned char buf[P];
	struct vmsim_file *f;
	unsigned long n;
	int why;

	ck_assert_int_eq(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, BIG, TU_PROT_RW, ANON, NULL, 0), 0);
	n = fill(&why);
	ck_assert_int_eq(why, VMSIM_ACCESS_OOM);
	memset(buf, 0x33, sizeof(buf));
	ck_assert_int_eq(vmsim_file_write(f, 0, buf, P), -ENOMEM);
	ck_assert_uint_eq(vmsim_file_cached_pages(f), 0);
	ck_assert_int_eq(vmsim_file_read(f, 0, buf, P), (long)P);
	ck_assert_int_eq(buf[0], 0);
	ck_assert_uint_eq(vmsim_check_all(vm), 0);
	(void)n;
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
	tcase_add_test(tc, fault_oom);
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
