/* Unit tests: CPUs as coroutines and the explorer (sched/sched.c,
 * sched/explore.c), and the lock model while tasks are interleaved
 * (sched/lock.c): a contended lock waits, a deadlock is reported, a lock
 * order is learned and its inversion reported with both stacks.  Expected
 * counts are worked out by hand from the number of interleavings. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

struct world {
	struct vmsim *vm;
	struct bug_log log;
	int x;				/* the shared variable */
	int inside;			/* tasks in a critical section */
	int max_inside;
	char trace[256];		/* who stepped, in order */
	struct vmsim_lock a, b;
	int ca, cb;			/* user lock classes */
	int yields;			/* yields per task */
};

static void note(struct world *w, char c)
{
	size_t n = strlen(w->trace);

	if (n + 1 < sizeof(w->trace)) {
		w->trace[n] = c;
		w->trace[n + 1] = 0;
	}
}

static struct world *world_new(void)
{
	struct world *w = calloc(1, sizeof(*w));

	assert_non_null(w);
	w->vm = tu_machine_str("ram=4M cpus=4 check=full", &w->log);
	assert_non_null(w->vm);
	w->ca = vmsim_lock_class_new(w->vm, "lock_a");
	w->cb = vmsim_lock_class_new(w->vm, "lock_b");
	assert_true(w->ca >= VMSIM_LOCK_NR_CLASSES);
	assert_int_equal(w->cb, w->ca + 1);
	vmsim_lock_init(&w->a, (enum vmsim_lock_class)w->ca);
	vmsim_lock_init(&w->b, (enum vmsim_lock_class)w->cb);
	return w;
}

static void world_free(struct world *w)
{
	vmsim_free(w->vm);
	free(w);
}

/* ---- task bodies ---- */

/* x++ in two steps: the lost update, when the other task runs between. */
static void incr(struct vmsim *vm, void *arg)
{
	struct world *w = arg;
	int v = w->x;

	vmsim_sched_yield(vm, &w->x);
	w->x = v + 1;
}

/* Steps on objects of its own (independent of the other task's). */
static void private_steps(struct vmsim *vm, void *arg)
{
	struct world *w = arg;
	char me = (char)('A' + vmsim_sched_current(vm));

	for (int i = 0; i < w->yields; i++) {
		note(w, me);
		vmsim_sched_yield(vm, (char *)w + 1000 * (me - 'A') + i);
	}
	note(w, me);
}

/* A critical section under lock a with a step in the middle. */
static void critical(struct vmsim *vm, void *arg)
{
	struct world *w = arg;

	vmsim_lock(vm, &w->a);
	w->inside++;
	if (w->inside > w->max_inside)
		w->max_inside = w->inside;
	vmsim_sched_yield(vm, &w->x);
	w->inside--;
	vmsim_unlock(vm, &w->a);
}

static void a_then_b(struct vmsim *vm, void *arg)
{
	struct world *w = arg;

	vmsim_lock(vm, &w->a);
	vmsim_lock(vm, &w->b);
	vmsim_unlock(vm, &w->b);
	vmsim_unlock(vm, &w->a);
}

static void b_then_a(struct vmsim *vm, void *arg)
{
	struct world *w = arg;

	vmsim_lock(vm, &w->b);
	vmsim_lock(vm, &w->a);
	vmsim_unlock(vm, &w->a);
	vmsim_unlock(vm, &w->b);
}

/* ---- a whole exploration ---- */

struct result {
	uint64_t runs, mine;
	unsigned lost;			/* runs that ended with x == 1 */
	unsigned bugs;			/* runs with a bug report */
	unsigned deadlocks, inversions;
	int max_inside;
	char traces[64][256];		/* distinct step orders seen */
	unsigned ntraces;
	char schedules[256][64];	/* schedules of this part's runs */
	unsigned nsched;
	struct vmsim_explore_stats st;
	char inversion[1024];
};

static void explore(const struct vmsim_explore_opts *o, vmsim_task_fn f0, vmsim_task_fn f1, int yields,
		    struct result *r)
{
	struct vmsim_explorer *x;

	memset(r, 0, sizeof(*r));
	assert_int_equal(vmsim_explorer_new(o, &x), 0);
	while (vmsim_explorer_next(x)) {
		struct world *w = world_new();
		struct vmsim_task t[2] = {
			{ .name = "cpu0", .cpu = 0, .fn = f0, .arg = w },
			{ .name = "cpu1", .cpu = 1, .fn = f1, .arg = w },
		};

		w->yields = yields;
		assert_int_equal(vmsim_sched_run(w->vm, x, t, 2, NULL, NULL), 0);
		assert_int_equal(vmsim_locks_held(w->vm), 0);
		assert_int_equal(vmsim_explorer_done(x), 0);
		r->runs++;
		if (vmsim_explorer_mine(x)) {
			r->mine++;
			if (r->nsched < 256)
				vmsim_explorer_schedule(x, r->schedules[r->nsched++], 64);
		}
		r->lost += w->x == 1;
		r->bugs += w->log.count > 0;
		if (w->max_inside > r->max_inside)
			r->max_inside = w->max_inside;
		if (strstr(w->log.last, "deadlock"))
			r->deadlocks++;
		if (w->log.count && strstr(w->log.last, "inversion")) {
			r->inversions++;
			snprintf(r->inversion, sizeof(r->inversion), "%s", w->log.last);
		}
		if (w->trace[0]) {
			unsigned i;

			for (i = 0; i < r->ntraces && strcmp(r->traces[i], w->trace); i++)
				;
			if (i == r->ntraces && i < 64)
				snprintf(r->traces[r->ntraces++], sizeof(r->traces[0]), "%s", w->trace);
		}
		world_free(w);
	}
	vmsim_explorer_stats(x, &r->st);
	vmsim_explorer_free(x);
}

/* Two tasks of three steps each (start, two yields): every interleaving
 * is C(6, 3) = 20 schedules with no reduction and no bound. */
static void test_exhaustive_counts_interleavings(void **state)
{
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_EXHAUSTIVE, .bound = 100, .no_por = true };
	struct result r;

	(void)state;
	explore(&o, private_steps, private_steps, 2, &r);
	assert_int_equal(r.runs, 20);
	assert_int_equal(r.mine, 20);
	assert_true(r.st.complete);
	assert_int_equal(r.bugs, 0);
	/* Each schedule gives its own order of the six notes... */
	assert_int_equal(r.ntraces, 20);
	/* ... and no two schedules are the same. */
	for (unsigned i = 0; i < r.nsched; i++)
		for (unsigned j = i + 1; j < r.nsched; j++)
			assert_string_not_equal(r.schedules[i], r.schedules[j]);
}

/* The same tasks with a preemption bound: schedules with at most k
 * switches away from a task that could go on.  k = 0: A then B, or B then
 * A (2).  k = 1: also one task preempted once at one of its points
 * (2 tasks x 2 points where the other can go first ... counted by hand:
 * AB-orders with at most one preemption of 3+3 steps = 2 + 2*2 = 6). */
static void test_exhaustive_bound(void **state)
{
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_EXHAUSTIVE, .no_por = true };
	struct result r;

	(void)state;
	o.bound = 0;
	explore(&o, private_steps, private_steps, 2, &r);
	assert_int_equal(r.runs, 2);
	o.bound = 1;
	explore(&o, private_steps, private_steps, 2, &r);
	assert_int_equal(r.runs, 6);
	assert_true(r.st.complete);
}

/* Independent steps: the sleep sets keep one schedule per order of the
 * dependent steps.  The starts depend on everything, the yields on
 * nothing: B's start falls before A's start or after any of A's 3 steps
 * (4 ... counted as 6 distinct Mazurkiewicz traces: start order (2) x
 * where the later start falls among the other task's steps (3)). */
static void test_por_prunes_independent_steps(void **state)
{
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_EXHAUSTIVE, .bound = 100 };
	struct result r;

	(void)state;
	explore(&o, private_steps, private_steps, 2, &r);
	assert_true(r.st.complete);
	assert_true(r.runs < 20);
	assert_true(r.runs - r.st.redundant >= 6);
	assert_int_equal(r.bugs, 0);
}

/* The lost update: each scheduler finds the interleaving. */
static void test_lost_update_found(void **state)
{
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_EXHAUSTIVE, .bound = 1 };
	struct result r;

	(void)state;
	explore(&o, incr, incr, 0, &r);
	assert_true(r.st.complete);
	assert_true(r.lost > 0);
	assert_true(r.lost < r.runs);
	o = (struct vmsim_explore_opts){ .policy = VMSIM_SCHED_RANDOM, .seed = 7, .runs = 50 };
	explore(&o, incr, incr, 0, &r);
	assert_int_equal(r.runs, 50);
	assert_true(r.lost > 0);
	o = (struct vmsim_explore_opts){ .policy = VMSIM_SCHED_PCT, .seed = 7, .runs = 50, .depth = 2 };
	explore(&o, incr, incr, 0, &r);
	assert_true(r.lost > 0);
	/* Without preemptions it cannot happen. */
	o = (struct vmsim_explore_opts){ .policy = VMSIM_SCHED_EXHAUSTIVE, .bound = 0 };
	explore(&o, incr, incr, 0, &r);
	assert_int_equal(r.lost, 0);
}

/* A contended lock makes the task wait: never two inside. */
static void test_lock_excludes(void **state)
{
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_EXHAUSTIVE, .bound = 3, .no_por = true };
	struct result r;

	(void)state;
	explore(&o, critical, critical, 0, &r);
	assert_true(r.st.complete);
	assert_true(r.runs > 2);
	assert_int_equal(r.max_inside, 1);
	assert_int_equal(r.bugs, 0);
}

/* A -> B on one CPU, B -> A on the other.  Run one after the other, no
 * deadlock happens, but the second order is an inversion, reported with
 * both stacks; interleaved, some schedule deadlocks. */
static void test_inversion_and_deadlock(void **state)
{
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_EXHAUSTIVE, .bound = 2 };
	struct result r;

	(void)state;
	explore(&o, a_then_b, b_then_a, 0, &r);
	assert_true(r.st.complete);
	assert_true(r.deadlocks > 0);
	/* Every run that did not deadlock saw both orders: an inversion. */
	assert_int_equal(r.inversions + r.deadlocks, r.runs);
	assert_true(r.inversions > 0);
	/* One after the other (cpu0's A -> B, then cpu1's B -> A): no
	 * deadlock, and the inversion with both orders and their stacks. */
	o = (struct vmsim_explore_opts){ .policy = VMSIM_SCHED_REPLAY, .schedule = "" };
	explore(&o, a_then_b, b_then_a, 0, &r);
	assert_int_equal(r.runs, 1);
	assert_int_equal(r.deadlocks, 0);
	assert_int_equal(r.inversions, 1);
	assert_non_null(strstr(r.inversion, "lock order inversion: lock_a taken while holding lock_b"));
	assert_non_null(strstr(r.inversion, "this order, cpu1"));
	assert_non_null(strstr(r.inversion, "#0 lock_b at b_then_a"));
	assert_non_null(strstr(r.inversion, "-> lock_a at b_then_a"));
	assert_non_null(strstr(r.inversion, "the other order, first seen on cpu0"));
	assert_non_null(strstr(r.inversion, "#0 lock_a at a_then_b"));
	assert_non_null(strstr(r.inversion, "-> lock_b at a_then_b"));
}

/* A deadlock report names every waiter, and the run still ends. */
static void test_deadlock_report(void **state)
{
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_REPLAY, .schedule = "0:2,1:2" };
	struct world *w = world_new();
	struct vmsim_task t[2] = {
		{ .name = "cpu0", .cpu = 0, .fn = a_then_b, .arg = w },
		{ .name = "cpu1", .cpu = 1, .fn = b_then_a, .arg = w },
	};
	struct vmsim_explorer *x;

	(void)state;
	/* cpu0 starts, takes a; cpu1 starts, takes b; both wait. */
	assert_int_equal(vmsim_explorer_new(&o, &x), 0);
	assert_true(vmsim_explorer_next(x));
	assert_int_equal(vmsim_sched_run(w->vm, x, t, 2, NULL, NULL), 0);
	assert_int_equal(vmsim_explorer_done(x), 0);
	assert_true(w->log.count >= 1);
	assert_non_null(strstr(w->log.last, "deadlock: every CPU waits"));
	assert_non_null(strstr(w->log.last, "cpu0 waits for lock_b at a_then_b, holding: lock_a (a_then_b)"));
	assert_non_null(strstr(w->log.last, "cpu1 waits for lock_a at b_then_a, holding: lock_b (b_then_a)"));
	assert_int_equal(vmsim_locks_held(w->vm), 0);
	assert_int_equal(w->a.state, 0);
	assert_int_equal(w->b.state, 0);
	assert_false(vmsim_explorer_next(x));
	vmsim_explorer_free(x);
	world_free(w);
}

/* A schedule printed by one run replays that run exactly. */
static void test_replay_reproduces(void **state)
{
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_RANDOM, .seed = 3, .runs = 10 };
	struct result r, again;

	(void)state;
	explore(&o, private_steps, private_steps, 3, &r);
	for (unsigned i = 0; i < r.nsched; i++) {
		struct vmsim_explore_opts p = { .policy = VMSIM_SCHED_REPLAY, .schedule = r.schedules[i] };

		explore(&p, private_steps, private_steps, 3, &again);
		assert_int_equal(again.runs, 1);
		assert_string_equal(again.schedules[0], r.schedules[i]);
	}
	/* A schedule naming a task that cannot run does not fit. */
	{
		struct vmsim_explore_opts p = { .policy = VMSIM_SCHED_REPLAY, .schedule = "5:1" };
		struct vmsim_explorer *x;
		struct world *w = world_new();
		struct vmsim_task t[2] = {
			{ .name = "cpu0", .cpu = 0, .fn = incr, .arg = w },
			{ .name = "cpu1", .cpu = 1, .fn = incr, .arg = w },
		};

		assert_int_equal(vmsim_explorer_new(&p, &x), 0);
		assert_true(vmsim_explorer_next(x));
		assert_int_equal(vmsim_sched_run(w->vm, x, t, 2, NULL, NULL), 0);
		assert_int_equal(vmsim_explorer_done(x), -EINVAL);
		vmsim_explorer_free(x);
		world_free(w);
	}
}

/* N parts of an exhaustive search share nothing and miss nothing. */
static void test_shards_partition(void **state)
{
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_EXHAUSTIVE, .bound = 100, .no_por = true };
	static struct result whole, part;
	char seen[256][64];
	unsigned nseen = 0;

	(void)state;
	explore(&o, private_steps, private_steps, 2, &whole);
	for (unsigned n = 2; n <= 3; n++) {
		nseen = 0;
		for (unsigned i = 0; i < n; i++) {
			o.shard = i;
			o.nshards = n;
			explore(&o, private_steps, private_steps, 2, &part);
			assert_true(part.st.complete);
			for (unsigned k = 0; k < part.nsched; k++) {
				for (unsigned j = 0; j < nseen; j++)
					assert_string_not_equal(seen[j], part.schedules[k]);
				strcpy(seen[nseen++], part.schedules[k]);
			}
		}
		assert_int_equal(nseen, whole.nsched);
		for (unsigned k = 0; k < whole.nsched; k++) {
			unsigned j;

			for (j = 0; j < nseen && strcmp(seen[j], whole.schedules[k]); j++)
				;
			assert_true(j < nseen);
		}
	}
	/* Random runs split by number. */
	o = (struct vmsim_explore_opts){ .policy = VMSIM_SCHED_RANDOM, .runs = 10, .shard = 1, .nshards = 3 };
	explore(&o, incr, incr, 0, &part);
	assert_int_equal(part.runs, 3);	/* runs 1, 4, 7 */
}

static void test_bad_arguments(void **state)
{
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_RANDOM };
	struct vmsim_explorer *x;
	struct world *w = world_new();
	struct vmsim_task t = { .name = "t", .cpu = 0, .fn = incr, .arg = w };

	(void)state;
	assert_int_equal(vmsim_explorer_new(NULL, &x), -EINVAL);
	o.shard = 2;
	o.nshards = 2;
	assert_int_equal(vmsim_explorer_new(&o, &x), -EINVAL);
	o = (struct vmsim_explore_opts){ .policy = VMSIM_SCHED_REPLAY, .schedule = "0:x" };
	assert_int_equal(vmsim_explorer_new(&o, &x), -EINVAL);
	o.schedule = "0:0";
	assert_int_equal(vmsim_explorer_new(&o, &x), -EINVAL);
	o.schedule = "";
	assert_int_equal(vmsim_explorer_new(&o, &x), 0);
	t.cpu = 4;
	assert_int_equal(vmsim_sched_run(w->vm, x, &t, 1, NULL, NULL), -EINVAL);
	t.cpu = 0;
	assert_int_equal(vmsim_sched_run(NULL, x, &t, 1, NULL, NULL), -EINVAL);
	assert_int_equal(vmsim_sched_run(w->vm, x, NULL, 1, NULL, NULL), -EINVAL);
	/* Serial mode: the tasks one after the other. */
	assert_int_equal(vmsim_sched_run(w->vm, NULL, &t, 1, NULL, NULL), 0);
	assert_int_equal(w->x, 1);
	assert_int_equal(vmsim_sched_current(w->vm), -1);
	assert_false(vmsim_sched_active(w->vm));
	assert_int_equal(vmsim_lock_class_new(w->vm, ""), -EINVAL);
	assert_string_equal(vmsim_lock_class_name_vm(w->vm, (unsigned)w->ca), "lock_a");
	assert_string_equal(vmsim_lock_class_name_vm(w->vm, 63), "?");
	assert_string_equal(vmsim_sp_kind_name(VMSIM_SP_PTE_WRITE), "pte_write");
	assert_string_equal(vmsim_sp_kind_name(VMSIM_SP_NR), "?");
	vmsim_explorer_free(x);
	world_free(w);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_exhaustive_counts_interleavings),
		cmocka_unit_test(test_exhaustive_bound),
		cmocka_unit_test(test_por_prunes_independent_steps),
		cmocka_unit_test(test_lost_update_found),
		cmocka_unit_test(test_lock_excludes),
		cmocka_unit_test(test_inversion_and_deadlock),
		cmocka_unit_test(test_deadlock_report),
		cmocka_unit_test(test_replay_reproduces),
		cmocka_unit_test(test_shards_partition),
		cmocka_unit_test(test_bad_arguments),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
