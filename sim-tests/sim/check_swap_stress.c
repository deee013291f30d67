/* Stress under memory pressure: random operations with fixed seeds on a
 * machine whose RAM is about a quarter of what its processes touch, with
 * swap on, checked two ways: check=full after every operation (mapcounts,
 * refcounts, rmap, rss and MM_SWAPENTS, swap_map counts against every
 * swap pte and shmem entry, swap-cache references, the LRU lists, stale
 * TLB entries on four CPUs), and a model of what every byte must read as
 * (private memory is copied at fork and sees no other process's writes;
 * shared memory is one), so swap-out, swap-in, migration and reclaim may
 * never lose or mix up data.  SOAK_OPS=N runs one long seed instead (make
 * soak-swap); SOAK_VERBOSE=1 prints what the run did. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define PRIV 0x7f0000000000ULL	/* private anonymous region */
#define SHR 0x7f0040000000ULL	/* shared shmem region */
#define P 4096ULL
#define MAXP 4

struct soak {
	unsigned npriv, nshr;		/* pages per region */
	uint64_t swap_size;
	struct vmsim *vm;
	struct vmsim_file *f;
	unsigned char *shared;
	uint64_t rng;
	unsigned long oom_kills, signals, poisons;
	bool trace;
};

struct mproc {
	struct vmsim_mm *mm;
	unsigned char *priv;		/* what each private page's first byte must read as */
	unsigned char *poisoned;	/* the page holds a hwpoison entry */
	bool ro, live;
};

#define MAX_POISON 16			/* each poisoned frame is lost for good */

/* SOAK_TRACE: each bug with the trace ring that led to it. */
static void print_bug(struct vmsim *vm, const struct vmsim_bug_report *r, void *arg)
{
	tu_bug_recorder(vm, r, arg);
	fprintf(stderr, "BUG: %s (%s)\n%s\n", r->msg, r->func, r->trace ? r->trace : "");
}

static unsigned rnd(struct soak *s, unsigned n)
{
	s->rng = s->rng * 6364136223846793005ULL + 1442695040888963407ULL;
	return (unsigned)((s->rng >> 33) % n);
}

static void map_regions(struct soak *s, struct mproc *p)
{
	ck_assert_int_eq(vmsim_mmap(p->mm, PRIV, s->npriv * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS,
				    NULL, 0), 0);
	ck_assert_int_eq(vmsim_mmap(p->mm, SHR, s->nshr * P, TU_PROT_RW, VMSIM_MAP_SHARED, s->f, 0), 0);
	memset(p->priv, 0, s->npriv);
	memset(p->poisoned, 0, s->npriv);
	p->ro = false;
}

/* An access that the OOM killer may end: the process is gone then. */
static bool killed(struct soak *s, struct mproc *p, int r)
{
	if (r != VMSIM_ACCESS_SIGKILL && !vmsim_mm_oom_killed(p->mm))
		return false;
	vmsim_mm_exit(p->mm);
	p->live = false;
	s->oom_kills++;
	return true;
}

static void one_op(struct soak *s, struct mproc *procs, unsigned step, uint64_t seed)
{
	unsigned i = rnd(s, MAXP), op = rnd(s, 1000);
	struct mproc *p = &procs[i];
	unsigned pg = rnd(s, s->npriv), spg = rnd(s, s->nshr);
	unsigned char v = (unsigned char)(1 + rnd(s, 250)), b;
	int r;

	if (!p->live)
		return;
	if (s->trace)
		fprintf(stderr, "step %u: proc %u (mm%d) op %u pg %u spg %u v %#x\n", step, i, vmsim_mm_id(p->mm), op,
			pg, spg, v);
	vmsim_mm_run(p->mm, (int)rnd(s, 4));
	if (op < 550 && p->poisoned[pg] == 1) {	/* any access to poison: SIGBUS (MCE) */
		r = op < 300 ? tu_write(p->mm, PRIV + pg * P, v) : vmsim_access(p->mm, -1, PRIV + pg * P, &b, 1, false, NULL);
		if (killed(s, p, r))
			return;
		ck_assert_msg(r == VMSIM_ACCESS_HWPOISON || (p->ro && op < 300 && r == VMSIM_ACCESS_SIGSEGV),
			      "seed %llu step %u: poisoned page access %d", (unsigned long long)seed, step, r);
	} else if (op < 550 && p->poisoned[pg] == 2) {
		/* A swap entry whose swap-cache folio was poisoned: dirty, the
		 * folio stays poisoned in the swap cache; clean, it left it and
		 * the good copy on the device comes back. */
		r = vmsim_access(p->mm, -1, PRIV + pg * P, &b, 1, false, NULL);
		if (killed(s, p, r))
			return;
		if (r == VMSIM_ACCESS_HWPOISON) {
			p->poisoned[pg] = 1;
		} else {
			ck_assert_int_eq(r, 0);
			ck_assert_int_eq(b, p->priv[pg]);
			p->poisoned[pg] = 0;
		}
	} else if (op < 300) {			/* private write */
		r = tu_write(p->mm, PRIV + pg * P, v);
		if (killed(s, p, r))
			return;
		if (p->ro) {
			ck_assert_int_eq(r, VMSIM_ACCESS_SIGSEGV);
		} else {
			ck_assert_msg(r == 0, "seed %llu step %u: write %d", (unsigned long long)seed, step, r);
			p->priv[pg] = v;
		}
	} else if (op < 550) {			/* private read */
		r = vmsim_access(p->mm, -1, PRIV + pg * P, &b, 1, false, NULL);
		if (killed(s, p, r))
			return;
		ck_assert_int_eq(r, 0);
		ck_assert_msg(b == p->priv[pg], "seed %llu step %u: proc %u page %u reads %#x, model %#x",
			      (unsigned long long)seed, step, i, pg, b, p->priv[pg]);
	} else if (op < 650) {			/* shared write */
		r = tu_write(p->mm, SHR + spg * P, v);
		if (killed(s, p, r))
			return;
		ck_assert_int_eq(r, 0);
		s->shared[spg] = v;
	} else if (op < 750) {			/* shared read */
		r = vmsim_access(p->mm, -1, SHR + spg * P, &b, 1, false, NULL);
		if (killed(s, p, r))
			return;
		ck_assert_int_eq(r, 0);
		ck_assert_msg(b == s->shared[spg], "seed %llu step %u: shared page %u reads %#x, model %#x",
			      (unsigned long long)seed, step, spg, b, s->shared[spg]);
	} else if (op < 790) {			/* pageout or cold a few pages */
		unsigned n = 1 + rnd(s, 32);
		bool shr = rnd(s, 4) == 0;
		unsigned start = shr ? spg : pg, lim = shr ? s->nshr : s->npriv;

		if (start + n > lim)
			n = lim - start;
		ck_assert_int_eq(vmsim_madvise(p->mm, (shr ? SHR : PRIV) + start * P, n * P,
					       rnd(s, 3) ? VMSIM_MADV_PAGEOUT : VMSIM_MADV_COLD), 0);
	} else if (op < 820) {			/* fork */
		unsigned c;

		for (c = 0; c < MAXP && procs[c].live; c++)
			;
		if (c == MAXP)
			return;
		r = vmsim_fork(p->mm, &procs[c].mm);
		if (r == -ENOMEM || vmsim_mm_oom_killed(p->mm)) {
			if (killed(s, p, VMSIM_ACCESS_SIGKILL) || r)
				return;
		}
		ck_assert_int_eq(r, 0);
		memcpy(procs[c].priv, p->priv, s->npriv);
		memcpy(procs[c].poisoned, p->poisoned, s->npriv);
		procs[c].ro = p->ro;
		procs[c].live = true;
	} else if (op < 835) {			/* exit (keep one process) */
		unsigned live = 0;

		for (unsigned c = 0; c < MAXP; c++)
			live += procs[c].live;
		if (live < 2)
			return;
		vmsim_mm_exit(p->mm);
		p->live = false;
	} else if (op < 865) {			/* mprotect the private region */
		p->ro = !p->ro;
		ck_assert_int_eq(vmsim_mprotect(p->mm, PRIV, s->npriv * P, p->ro ? VMSIM_PROT_READ : TU_PROT_RW), 0);
	} else if (op < 900) {			/* DONTNEED a few private pages */
		unsigned n = 1 + rnd(s, 8);

		if (pg + n > s->npriv)
			n = s->npriv - pg;
		ck_assert_int_eq(vmsim_madvise(p->mm, PRIV + pg * P, n * P, VMSIM_MADV_DONTNEED), 0);
		memset(p->priv + pg, 0, n);
		memset(p->poisoned + pg, 0, n);	/* zap drops hwpoison entries too */
	} else if (op < 910) {			/* munmap and map again: fresh zeros */
		ck_assert_int_eq(vmsim_munmap(p->mm, PRIV, s->npriv * P), 0);
		ck_assert_int_eq(vmsim_munmap(p->mm, SHR, s->nshr * P), 0);
		map_regions(s, p);
	} else if (op < 935) {			/* migrate a few pages */
		unsigned n = 1 + rnd(s, 4);
		unsigned long failed;

		if (pg + n > s->npriv)
			n = s->npriv - pg;
		r = vmsim_migrate_range(p->mm, PRIV + pg * P, n * P, &failed);
		ck_assert_msg(r == 0 || r == -ENOMEM || r == -EBUSY, "migrate: %d", r);
		if (vmsim_mm_oom_killed(p->mm))
			killed(s, p, VMSIM_ACCESS_SIGKILL);
	} else if (op < 945) {			/* migrate in two steps, a CPU in between */
		struct vmsim_migration *m;

		r = vmsim_migrate_start(p->mm, PRIV + pg * P, &m);
		if (vmsim_mm_oom_killed(p->mm)) {
			if (!r)
				vmsim_migrate_finish(m);
			killed(s, p, VMSIM_ACCESS_SIGKILL);
			return;
		}
		if (r)
			return;		/* nothing present, or pinned */
		if (rnd(s, 2)) {
			r = vmsim_access(p->mm, (int)rnd(s, 4), PRIV + pg * P, &b, 1, false, NULL);
			if (killed(s, p, r)) {
				vmsim_migrate_finish(m);
				return;
			}
			ck_assert_int_eq(r, 0);
			ck_assert_int_eq(b, p->priv[pg]);
		}
		r = vmsim_migrate_finish(m);
		ck_assert_msg(r == 0 || r == -EBUSY, "migrate_finish: %d", r);
	} else if (op < 947) {			/* memory failure of a private page */
		if (s->poisons >= MAX_POISON || p->ro)
			return;
		r = vmsim_memory_failure_addr(p->mm, PRIV + pg * P);
		if (killed(s, p, r == -ESRCH ? VMSIM_ACCESS_SIGKILL : 0))
			return;
		if (r)
			return;		/* the zero page, or already poisoned */
		s->poisons++;
		/* Every process that mapped the frame now holds a hwpoison
		 * entry, or (a swap-cache folio) a swap entry that may lead to
		 * the poisoned folio. */
		for (unsigned c = 0; c < MAXP; c++) {
			uint64_t e;

			if (!procs[c].live || procs[c].poisoned[pg])
				continue;
			e = tu_pm(procs[c].mm, PRIV + pg * P);
			if (!(e & PM_SWAP) || (e & PM_PRESENT))
				continue;
			procs[c].poisoned[pg] = (e & 0x1f) == SWP_HWPOISON ? 1 : 2;
		}
	} else if (op < 948) {			/* swapoff and swapon again */
		r = vmsim_swapoff(s->vm, 0);
		ck_assert_msg(r == 0 || r == -ENOMEM, "swapoff: %d", r);
		if (!r)
			ck_assert_int_eq(vmsim_swapon(s->vm, s->swap_size, NULL), 0);
	} else if (op < 960) {			/* reclaim a batch, as kswapd would */
		vmsim_reclaim(s->vm, 32);
	} else if (op < 970) {			/* pin and unpin a private page */
		unsigned long pfn;
		long n;

		if (p->ro)
			return;
		n = vmsim_pin_user_pages(p->mm, PRIV + pg * P, 1, true, &pfn);
		if (vmsim_mm_oom_killed(p->mm)) {
			if (n == 1)
				vmsim_unpin_user_pages(s->vm, &pfn, 1);
			killed(s, p, VMSIM_ACCESS_SIGKILL);
			return;
		}
		ck_assert_int_eq(n, 1);
		vmsim_unpin_user_pages(s->vm, &pfn, 1);
	} else {				/* write through the file */
		r = (int)vmsim_file_write(s->f, spg * P, &v, 1);
		ck_assert_msg(r == 1 || r == -ENOMEM, "fwrite: %d", r);
		if (r == 1)
			s->shared[spg] = v;
	}
	for (unsigned c = 0; c < MAXP; c++)
		if (procs[c].live && vmsim_mm_oom_killed(procs[c].mm))
			killed(s, &procs[c], VMSIM_ACCESS_SIGKILL);
}

static void run(uint64_t seed, unsigned long steps, const char *machine, unsigned npriv, unsigned nshr)
{
	struct bug_log log;
	struct soak s = { .npriv = npriv, .nshr = nshr, .rng = seed, .trace = getenv("SOAK_TRACE") != NULL };
	struct mproc procs[MAXP] = { 0 };
	struct vmsim_reclaim_stats st;

	s.vm = tu_machine_str(machine, &log);
	ck_assert_ptr_nonnull(s.vm);
	if (s.trace)
		vmsim_set_bug_handler(s.vm, print_bug, &log);
	s.shared = calloc(nshr, 1);
	for (unsigned c = 0; c < MAXP; c++) {
		procs[c].priv = calloc(npriv, 1);
		procs[c].poisoned = calloc(npriv, 1);
	}
	s.swap_size = vmsim_config(s.vm)->swap;
	ck_assert_int_eq(vmsim_file_new(s.vm, "s", VMSIM_FILE_SHMEM, nshr * P, &s.f), 0);
	ck_assert_int_eq(vmsim_mm_new(s.vm, &procs[0].mm), 0);
	procs[0].live = true;
	map_regions(&s, &procs[0]);
	for (unsigned long step = 0; step < steps; step++) {
		unsigned live = 0;

		one_op(&s, procs, (unsigned)step, seed);
		ck_assert_msg(log.count == 0, "seed %llu step %lu: %s (%s)", (unsigned long long)seed, step, log.last,
			      log.last_func);
		for (unsigned c = 0; c < MAXP; c++)
			live += procs[c].live;
		if (!live) {		/* everyone was killed: start again */
			ck_assert_int_eq(vmsim_mm_new(s.vm, &procs[0].mm), 0);
			procs[0].live = true;
			map_regions(&s, &procs[0]);
		}
	}
	vmsim_reclaim_stats(s.vm, &st);
	if (getenv("SOAK_VERBOSE"))
		fprintf(stderr, "seed %llu, %lu ops: %lu direct reclaims, %lu scanned, %lu reclaimed, "
			"%lu swap-outs, %lu swap-ins, %lu batched TLB flushes, %lu migrated, %lu not, %lu oom kills, "
			"%lu hwpoisoned\n",
			(unsigned long long)seed, steps, st.allocstall, st.pgscan, st.pgsteal, st.pswpout, st.pswpin,
			st.tlb_batch_flushes, st.pgmigrate_success, st.pgmigrate_fail, st.oom_kill, st.hwpoisoned);
	/* The run was under pressure: it swapped both ways. */
	ck_assert_uint_gt(st.pswpout, 0);
	ck_assert_uint_gt(st.pswpin, 0);
	for (unsigned c = 0; c < MAXP; c++) {
		free(procs[c].priv);
		free(procs[c].poisoned);
	}
	free(s.shared);
	vmsim_free(s.vm);
	ck_assert_uint_eq(log.count, 0);
}

/* 1 MiB of RAM (256 frames) under about 1000 touchable pages. */
#define SHORT_MACHINE "ram=1M swap=16M cpus=4 check=full"

START_TEST(short_seeds)
{
	run(1 + (uint64_t)_i, 3000, SHORT_MACHINE, 200, 160);
}
END_TEST

START_TEST(soak)
{
	const char *ops = getenv("SOAK_OPS");

	const char *machine = getenv("SOAK_MACHINE");

	run(getenv("SOAK_SEED") ? strtoull(getenv("SOAK_SEED"), NULL, 0) : 1, strtoul(ops, NULL, 0),
	    machine ? machine : "ram=4M swap=64M cpus=4 check=full", 800, 512);
}
END_TEST

int main(void)
{
	Suite *su = suite_create("swap_stress");
	TCase *tc = tcase_create("pressure");

	if (getenv("SOAK_OPS")) {
		tcase_set_timeout(tc, 0);
		tcase_add_test(tc, soak);
	} else {
		tcase_set_timeout(tc, 300);
		tcase_add_loop_test(tc, short_seeds, 0, 4);
	}
	suite_add_tcase(su, tc);
	return tu_check_main(su);
}
