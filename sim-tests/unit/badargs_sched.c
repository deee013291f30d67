/* Bad-argument cases: sched.h (tasks and the explorer). */
#include <errno.h>
#include <string.h>

#include "badargs.h"

#undef vmsim_lock
#undef vmsim_unlock

static void never(struct vmsim *vm, void *arg)
{
	(void)vm, (void)arg;
	fail_msg("a task of a refused vmsim_sched_run ran");
}

void ba_cases_sched(void **state)
{
	struct vmsim *vm = F->vm;
	unsigned cpus = vmsim_config(vm)->cpus;
	struct vmsim_task ok = { .name = "t", .cpu = 0, .fn = never }, t[VMSIM_MAX_TASKS + 1];
	struct vmsim_task nofn = { .name = "t", .cpu = 0 }, lowcpu = ok, highcpu = ok;
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_RANDOM, .seed = 1, .runs = 1 };
	struct vmsim_explore_opts bad = o;
	struct vmsim_explorer *x = NULL, *none = NULL;
	struct vmsim_explore_stats st;
	struct vmsim_lock l;
	char buf[32];

	(void)state;
	lowcpu.cpu = -1;
	highcpu.cpu = (int)cpus;
	for (unsigned i = 0; i <= VMSIM_MAX_TASKS; i++)
		t[i] = ok;
	STR("vmsim_sp_kind_name", "?", vmsim_sp_kind_name(VMSIM_SP_NR));
	ERR("vmsim_sched_run", -EINVAL, vmsim_sched_run(NULL, NULL, &ok, 1, NULL, NULL));
	ERR("vmsim_sched_run", -EINVAL, vmsim_sched_run(vm, NULL, NULL, 1, NULL, NULL));
	ERR("vmsim_sched_run", -EINVAL, vmsim_sched_run(vm, NULL, t, VMSIM_MAX_TASKS + 1, NULL, NULL));
	ERR("vmsim_sched_run", -EINVAL, vmsim_sched_run(vm, NULL, &nofn, 1, NULL, NULL));
	ERR("vmsim_sched_run", -EINVAL, vmsim_sched_run(vm, NULL, &lowcpu, 1, NULL, NULL));
	ERR("vmsim_sched_run", -EINVAL, vmsim_sched_run(vm, NULL, &highcpu, 1, NULL, NULL));
	/* The caller holds a lock no task could see. */
	assert_int_equal(vmsim_lock_init(&l, VMSIM_LOCK_OTHER), 0);
	vmsim_lock(vm, &l);
	ERR("vmsim_sched_run", -EBUSY, vmsim_sched_run(vm, NULL, &ok, 1, NULL, NULL));
	vmsim_unlock(vm, &l);
	ERR("vmsim_sched_current", -1, vmsim_sched_current(NULL));
	NOP("vmsim_sched_yield", vmsim_sched_yield(NULL, &l));
	ERR("vmsim_sched_active", false, vmsim_sched_active(NULL));

	ERR("vmsim_explorer_new", -EINVAL, vmsim_explorer_new(NULL, &none));
	ERR("vmsim_explorer_new", -EINVAL, vmsim_explorer_new(&o, NULL));
	bad.shard = 2, bad.nshards = 2;
	ERR("vmsim_explorer_new", -EINVAL, vmsim_explorer_new(&bad, &none));
	bad.shard = 1, bad.nshards = 0;
	ERR("vmsim_explorer_new", -EINVAL, vmsim_explorer_new(&bad, &none));
	bad = o;
	bad.policy = VMSIM_SCHED_PCT, bad.depth = 17;
	ERR("vmsim_explorer_new", -EINVAL, vmsim_explorer_new(&bad, &none));
	bad = o;
	bad.policy = VMSIM_SCHED_REPLAY;
	bad.schedule = "x";
	ERR("vmsim_explorer_new", -EINVAL, vmsim_explorer_new(&bad, &none));
	bad.schedule = "0:0";
	ERR("vmsim_explorer_new", -EINVAL, vmsim_explorer_new(&bad, &none));
	bad.schedule = "32:1";
	ERR("vmsim_explorer_new", -EINVAL, vmsim_explorer_new(&bad, &none));
	bad.schedule = "0:1;1:1";
	ERR("vmsim_explorer_new", -EINVAL, vmsim_explorer_new(&bad, &none));
	assert_null(none);

	assert_int_equal(vmsim_explorer_new(&o, &x), 0);
	NOP("vmsim_explorer_free", vmsim_explorer_free(NULL));
	ERR("vmsim_explorer_next", false, vmsim_explorer_next(NULL));
	ERR("vmsim_explorer_done", -EINVAL, vmsim_explorer_done(NULL));
	/* No run started yet: nothing to end. */
	ERR("vmsim_explorer_done", -EINVAL, vmsim_explorer_done(x));
	ERR("vmsim_explorer_run", 0, vmsim_explorer_run(NULL));
	ERR("vmsim_explorer_seed", 0, vmsim_explorer_seed(NULL));
	ERR("vmsim_explorer_mine", false, vmsim_explorer_mine(NULL));
	ERR("vmsim_explorer_schedule", -EINVAL, vmsim_explorer_schedule(NULL, buf, sizeof(buf)));
	ERR("vmsim_explorer_schedule", -EINVAL, vmsim_explorer_schedule(x, NULL, sizeof(buf)));
	memset(&st, 0x5a, sizeof(st));
	NOP("vmsim_explorer_stats", vmsim_explorer_stats(NULL, &st));
	NOP("vmsim_explorer_stats", vmsim_explorer_stats(x, NULL));
	assert_int_equal(st.runs, 0x5a5a5a5a5a5a5a5aULL);
	vmsim_explorer_free(x);
}
