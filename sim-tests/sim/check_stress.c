/* Stress: random operations with fixed seeds on several processes, checked
 * two ways: check=full after every operation (mapcounts, refcounts, rmap,
 * rss, stale TLB entries on four CPUs), and a model of what every byte must
 * read as under Linux's semantics (private memory is copied at fork and
 * never sees another process's writes; shared memory is one).  */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define PRIV 0x7f0000000000ULL	/* private anonymous region */
#define SHR 0x7f0000400000ULL	/* shared shmem region */
#define NPG 24
#define P 4096ULL
#define MAXP 6

struct mproc {
	struct vmsim_mm *mm;
	unsigned char priv[NPG];	/* what each private page must read as */
	bool ro;			/* private region is read-only now */
	bool live;
};

static uint64_t rng;

static unsigned rnd(unsigned n)
{
	rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((rng >> 33) % n);
}

static void map_regions(struct mproc *p, struct vmsim_file *f)
{
	ck_assert_int_eq(vmsim_mmap(p->mm, PRIV, NPG * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	ck_assert_int_eq(vmsim_mmap(p->mm, SHR, NPG * P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	memset(p->priv, 0, sizeof(p->priv));
	p->ro = false;
}

static void run(uint64_t seed, unsigned steps)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=32M cpus=4 check=full", &log);
	struct mproc procs[MAXP] = { 0 };
	unsigned char shared[NPG] = { 0 };
	struct vmsim_file *f;

	ck_assert_ptr_nonnull(vm);
	rng = seed;
	ck_assert_int_eq(vmsim_file_new(vm, "s", VMSIM_FILE_SHMEM, NPG * P, &f), 0);
	ck_assert_int_eq(vmsim_mm_new(vm, &procs[0].mm), 0);
	procs[0].live = true;
	map_regions(&procs[0], f);
	for (unsigned step = 0; step < steps; step++) {
		unsigned i = rnd(MAXP), pg = rnd(NPG), op = rnd(100);
		struct mproc *p = &procs[i];
		unsigned char v = (unsigned char)(1 + rnd(250)), b;
		int r;

		if (!p->live)
			continue;
		vmsim_mm_run(p->mm, (int)rnd(4));
		if (op < 30) {			/* private write */
			r = tu_write(p->mm, PRIV + pg * P + rnd(P), v);
			if (p->ro) {
				ck_assert_int_eq(r, VMSIM_ACCESS_SIGSEGV);
			} else {
				ck_assert_int_eq(r, 0);
				/* The model tracks each page's first byte. */
				ck_assert_int_eq(tu_write(p->mm, PRIV + pg * P, v), 0);
				p->priv[pg] = v;
			}
		} else if (op < 50) {		/* private read */
			ck_assert_int_eq(vmsim_access(p->mm, -1, PRIV + pg * P, &b, 1, false, NULL), 0);
			ck_assert_msg(b == p->priv[pg], "seed %llu step %u: proc %u page %u reads %#x, model %#x",
				      (unsigned long long)seed, step, i, pg, b, p->priv[pg]);
		} else if (op < 60) {		/* shared write / read */
			ck_assert_int_eq(tu_write(p->mm, SHR + pg * P, v), 0);
			shared[pg] = v;
		} else if (op < 68) {
			ck_assert_int_eq(vmsim_access(p->mm, -1, SHR + pg * P, &b, 1, false, NULL), 0);
			ck_assert_msg(b == shared[pg], "seed %llu step %u: shared page %u reads %#x, model %#x",
				      (unsigned long long)seed, step, pg, b, shared[pg]);
		} else if (op < 76) {		/* fork */
			unsigned c;

			for (c = 0; c < MAXP && procs[c].live; c++)
				;
			if (c == MAXP)
				continue;
			ck_assert_int_eq(vmsim_fork(p->mm, &procs[c].mm), 0);
			memcpy(procs[c].priv, p->priv, sizeof(p->priv));
			procs[c].ro = p->ro;
			procs[c].live = true;
		} else if (op < 80) {		/* exit (keep one process) */
			unsigned live = 0;

			for (unsigned c = 0; c < MAXP; c++)
				live += procs[c].live;
			if (live < 2)
				continue;
			vmsim_mm_exit(p->mm);
			p->live = false;
		} else if (op < 86) {		/* mprotect the private region */
			p->ro = !p->ro;
			ck_assert_int_eq(vmsim_mprotect(p->mm, PRIV, NPG * P, p->ro ? VMSIM_PROT_READ : TU_PROT_RW), 0);
		} else if (op < 91) {		/* DONTNEED a few private pages */
			unsigned n = 1 + rnd(4);

			if (pg + n > NPG)
				n = NPG - pg;
			ck_assert_int_eq(vmsim_madvise(p->mm, PRIV + pg * P, n * P, VMSIM_MADV_DONTNEED), 0);
			memset(p->priv + pg, 0, n);
		} else if (op < 94) {		/* DONTNEED shared: data stays */
			ck_assert_int_eq(vmsim_madvise(p->mm, SHR, NPG * P, VMSIM_MADV_DONTNEED), 0);
		} else if (op < 97) {		/* munmap and map again: fresh zeros */
			ck_assert_int_eq(vmsim_munmap(p->mm, PRIV, NPG * P), 0);
			ck_assert_int_eq(vmsim_munmap(p->mm, SHR, NPG * P), 0);
			map_regions(p, f);
		} else {			/* pin and unpin a private page */
			unsigned long pfn;

			if (p->ro)
				continue;
			ck_assert_int_eq(vmsim_pin_user_pages(p->mm, PRIV + pg * P, 1, true, &pfn), 1);
			vmsim_unpin_user_pages(vm, &pfn, 1);
		}
		ck_assert_msg(log.count == 0, "seed %llu step %u op %u: %s (%s)", (unsigned long long)seed, step, op,
			      log.last, log.last_func);
	}
	{
		/* The run did real work: faults, COW breaks and frames in use. */
		struct vmsim_mm_stats st = { 0 };
		unsigned long faults = 0, cows = 0;

		for (unsigned c = 0; c < MAXP; c++) {
			if (!procs[c].live)
				continue;
			vmsim_mm_stats(procs[c].mm, &st);
			faults += st.faults;
			cows += st.faults_cow;
		}
		if (getenv("STRESS_VERBOSE"))
			fprintf(stderr, "seed %llu: %lu faults, %lu cow in live procs\n",
				(unsigned long long)seed, faults, cows);
		ck_assert_uint_gt(faults, 0);
	}
	vmsim_free(vm);
	ck_assert_uint_eq(log.count, 0);
}

START_TEST(stress_seeds)
{
	run(1 + (uint64_t)_i, 4000);
}
END_TEST

int main(void)
{
	Suite *s = suite_create("stress");
	TCase *tc = tcase_create("random");
	SRunner *sr;
	int failed;

	tcase_set_timeout(tc, 120);
	tcase_add_loop_test(tc, stress_seeds, 0, 16);
	suite_add_tcase(s, tc);
	sr = srunner_create(s);
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
