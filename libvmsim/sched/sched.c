/* Simulated CPUs as coroutines.  No Linux file: on real hardware the CPUs
 * run at once; here each task (one CPU's work) runs on a stack of its own
 * and gives way only at scheduling points, where the explorer (explore.c)
 * says which task takes the next step.  Between two points a task runs
 * alone, so every run is a sequence of steps that can be written down and
 * replayed.  The scheduler itself runs on the caller's stack: a task that
 * is not picked to go on switches back to it, and it switches to the one
 * that was.  Each task has its own current CPU and its own stack of held
 * locks (struct vmsim's are switched with it). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_internal.h"

#define TASK_STACK_SIZE	(512 * 1024)

static const char *const sp_names[VMSIM_SP_NR] = {
	[VMSIM_SP_START] = "start",
	[VMSIM_SP_LOCK] = "lock",
	[VMSIM_SP_LOCK_READ] = "lock_read",
	[VMSIM_SP_TRYLOCK] = "trylock",
	[VMSIM_SP_UNLOCK] = "unlock",
	[VMSIM_SP_PTE_WRITE] = "pte_write",
	[VMSIM_SP_PTE_READ] = "pte_read",
	[VMSIM_SP_PAGECACHE] = "pagecache",
	[VMSIM_SP_TLB_FILL] = "tlb_fill",
	[VMSIM_SP_TLB_FLUSH] = "tlb_flush",
	[VMSIM_SP_IPI] = "ipi",
	[VMSIM_SP_NOTIFIER] = "notifier",
	[VMSIM_SP_YIELD] = "yield",
	[VMSIM_SP_WAIT] = "wait",
	[VMSIM_SP_VMA_READ] = "vma_read",
	[VMSIM_SP_VMA_WRITE] = "vma_write",
};

const char *vmsim_sp_kind_name(enum vmsim_sp_kind k)
{
	return (unsigned)k < VMSIM_SP_NR ? sp_names[k] : "?";
}

int vmsim_sched_current(const struct vmsim *vm)
{
	return vm && vm->sched ? vm->sched->cur : -1;
}

bool vmsim_sched_active(const struct vmsim *vm)
{
	return vm && vm->sched;
}

/* Steps that only look: two of them on one object commute.  A per-VMA
 * read lock is one: two readers commute with each other and with
 * mmap_read_lock(); on the mm's mmap_lock they depend on what can change
 * their answer, a vma being marked and mmap_write_unlock() (which ends
 * every mark). */
static bool reads_only(enum vmsim_sp_kind k)
{
	return k == VMSIM_SP_LOCK_READ || k == VMSIM_SP_PTE_READ || k == VMSIM_SP_VMA_READ;
}

/* The TLB side: a fill reads page tables through no lock and writes its
 * CPU's TLB, which a flush or an IPI empties.  Kept coarse: any two of
 * them depend on each other. */
static bool tlb_side(enum vmsim_sp_kind k)
{
	return k == VMSIM_SP_TLB_FILL || k == VMSIM_SP_TLB_FLUSH || k == VMSIM_SP_IPI;
}

bool vmsim__sp_independent(const struct vmsim_step *a, const struct vmsim_step *b)
{
	if (a->kind == VMSIM_SP_START || b->kind == VMSIM_SP_START)
		return false;
	if (tlb_side(a->kind) && tlb_side(b->kind))
		return false;
	if (a->obj != b->obj)
		return true;
	return reads_only(a->kind) && reads_only(b->kind);
}

bool vmsim__sched_task_enabled(const struct vmsim_sched *s, unsigned i)
{
	const struct vmsim__task *t = &s->t[i];
	const struct vmsim_lock *l;

	if (t->done)
		return false;
	if (t->give_up)
		return true;
	l = t->next.obj;
	if (t->next.kind == VMSIM_SP_LOCK || t->next.kind == VMSIM_SP_WAIT)
		return l->state == 0;
	if (t->next.kind == VMSIM_SP_LOCK_READ)
		return l->state >= 0;
	return true;
}

/* Make task i the running context: its CPU, its locks. */
static void switch_in(struct vmsim_sched *s, int i)
{
	struct vmsim *vm = s->vm;

	s->cur = i;
	if (i < 0) {
		vm->locks = NULL;
		vm->lock_owner = 0;
		return;
	}
	vm->locks = &s->t[i].locks;
	vm->lock_owner = (uint16_t)(i + 1);
	vm->cur_cpu = s->t[i].cur_cpu;
	if (s->t[i].spec.resume)
		s->t[i].spec.resume(s->t[i].spec.arg);
}

static void save_out(struct vmsim_sched *s, int i)
{
	s->t[i].cur_cpu = s->vm->cur_cpu;
}

/* Every unfinished task waits for a lock: report it as lockdep would
 * ("possible circular locking" with the waiters), then let the first
 * waiter go on without its lock, as a serial run does after a report. */
static void break_deadlock(struct vmsim_sched *s)
{
	char msg[2048];
	int n = snprintf(msg, sizeof(msg), "deadlock: every CPU waits");

	for (unsigned i = 0; i < s->n && n > 0 && (size_t)n < sizeof(msg); i++) {
		char w[512];

		if (s->t[i].done)
			continue;
		vmsim__lock_describe_waiter(s->vm, &s->t[i], w, sizeof(w));
		n += snprintf(msg + n, sizeof(msg) - (size_t)n, "\n  %s", w);
	}
	vmsim__bug(s->vm, "vmsim_sched_run", __FILE__, __LINE__, "%s", msg);
	for (unsigned i = 0; i < s->n; i++) {
		if (!s->t[i].done) {
			s->t[i].give_up = true;
			return;
		}
	}
}

/* Tell the observer, with the machine as a serial caller sees it: no
 * scheduler, no task's locks (a dump of the machine takes none, but a
 * lock it took must not join a task's stack or the lock order). */
static void observe(struct vmsim_sched *s, unsigned i, bool choice)
{
	struct vmsim *vm = s->vm;
	struct vmsim_lockstack *locks = vm->locks, scratch = { 0 };
	uint16_t owner = vm->lock_owner;
	struct vmsim_step st = s->t[i].next;

	st.task = i;
	st.name = s->t[i].spec.name;
	st.cpu = s->t[i].spec.cpu;
	st.choice = choice;
	vm->sched = NULL;
	vm->locks = &scratch;
	vm->lock_owner = 0;
	s->step_fn(s->step_arg, vm, &st);
	vm->sched = s;
	vm->locks = locks;
	vm->lock_owner = owner;
}

/* Who takes the next step: -1 when every task is done. */
static int decide(struct vmsim_sched *s)
{
	uint32_t enabled = 0;
	unsigned i, live = 0;
	bool choice;
	int pick;

	for (;;) {
		enabled = 0;
		live = 0;
		for (i = 0; i < s->n; i++) {
			live += !s->t[i].done;
			if (vmsim__sched_task_enabled(s, i))
				enabled |= 1u << i;
		}
		if (!live)
			return -1;
		if (enabled)
			break;
		break_deadlock(s);
	}
	choice = enabled & (enabled - 1);
	pick = choice ? (int)vmsim__explorer_pick(s->x, s, enabled, s->last) : __builtin_ctz(enabled);
	if (!(enabled & (1u << pick))) {
		VMSIM_BUG(s->vm, "the explorer picked task %d, which cannot run", pick);
		pick = __builtin_ctz(enabled);
	}
	s->t[pick].next.seq = ++s->seq;
	vmsim__explorer_stepped(s->x, s, (unsigned)pick, choice);
	if (s->step_fn)
		observe(s, (unsigned)pick, choice);
	s->last = pick;
	return pick;
}

/* A task stops for a step: go on if it is picked, else switch away. */
static void yield_here(struct vmsim_sched *s)
{
	int me = s->cur, pick = decide(s);

	if (pick == me)
		return;
	s->next = pick;
	save_out(s, me);
	vmsim__coro_switch_to(&s->t[me].co, &s->main);
	/* Picked again: the scheduler switched us in. */
}

/* A step: false if a deadlock report let the task go on without what
 * it waited for. */
static bool point(struct vmsim *vm, enum vmsim_sp_kind kind, const void *obj, const char *where)
{
	struct vmsim_sched *s = vm->sched;
	struct vmsim__task *t;

	if (!s || s->cur < 0)
		return true;
	t = &s->t[s->cur];
	t->next.kind = kind;
	t->next.obj = obj;
	t->next.where = where;
	yield_here(s);
	if (t->give_up) {
		t->give_up = false;
		return false;
	}
	return true;
}

void vmsim__sched_point(struct vmsim *vm, enum vmsim_sp_kind kind, const void *obj, const char *where)
{
	point(vm, kind, obj, where);
}

bool vmsim__sched_acquire(struct vmsim *vm, enum vmsim_sp_kind kind, struct vmsim_lock *l, const char *where)
{
	return point(vm, kind, l, where);
}

void vmsim_sched_yield(struct vmsim *vm, const void *obj)
{
	if (vm && vm->sched)
		vmsim__sched_point(vm, VMSIM_SP_YIELD, obj, "vmsim_sched_yield");
}

static void task_main(void *arg)
{
	struct vmsim__task *t = arg;
	struct vmsim_sched *s = t->sched;

	t->spec.fn(s->vm, t->spec.arg);
	if (t->locks.nr)
		vmsim__bug(s->vm, "vmsim_sched_run", __FILE__, __LINE__, "%s ended holding %u locks (first: %s)",
			   t->spec.name, t->locks.nr, vmsim_lock_class_name_vm(s->vm, t->locks.h[0].lock->lclass));
	t->done = true;
	save_out(s, (int)t->idx);
	s->next = decide(s);
	vmsim__coro_exit(&t->co, &s->main);
}

static int run_serial(struct vmsim *vm, const struct vmsim_task *tasks, unsigned n)
{
	int saved = vm->cur_cpu;

	for (unsigned i = 0; i < n; i++) {
		vm->cur_cpu = tasks[i].cpu;
		if (tasks[i].resume)
			tasks[i].resume(tasks[i].arg);
		tasks[i].fn(vm, tasks[i].arg);
	}
	vm->cur_cpu = saved;
	return 0;
}

int vmsim_sched_run(struct vmsim *vm, struct vmsim_explorer *x, const struct vmsim_task *tasks, unsigned n,
		    vmsim_step_fn step, void *arg)
{
	struct vmsim_sched *s;
	int err = 0;

	if (!vm || (!tasks && n) || n > VMSIM_MAX_TASKS)
		return -EINVAL;
	if (vm->sched)
		return -EBUSY;
	for (unsigned i = 0; i < n; i++)
		if (!tasks[i].fn || tasks[i].cpu < 0 || (unsigned)tasks[i].cpu >= vm->cfg.cpus)
			return -EINVAL;
	if (vm->main_locks.nr)
		return -EBUSY;		/* the caller holds locks no task may see */
	if (!x)
		return run_serial(vm, tasks, n);
	if (!n)
		return 0;
	s = calloc(1, sizeof(*s));
	if (!s)
		return -ENOMEM;
	s->t = calloc(n, sizeof(*s->t));
	if (!s->t) {
		free(s);
		return -ENOMEM;
	}
	s->vm = vm;
	s->x = x;
	s->n = n;
	s->cur = -1;
	s->last = -1;
	s->step_fn = step;
	s->step_arg = arg;
	for (unsigned i = 0; i < n && !err; i++) {
		struct vmsim__task *t = &s->t[i];

		t->spec = tasks[i];
		t->sched = s;
		t->idx = i;
		t->cur_cpu = tasks[i].cpu;
		t->next = (struct vmsim_step){ .kind = VMSIM_SP_START, .where = "start" };
		err = vmsim__coro_init(&t->co, TASK_STACK_SIZE, task_main, t);
	}
	if (!err) {
		s->saved_cpu = vm->cur_cpu;
		vmsim__explorer_block(x, n);
		vm->sched = s;
		s->next = decide(s);
		while (s->next >= 0) {
			int i = s->next;

			s->next = -1;
			switch_in(s, i);
			vmsim__coro_switch_to(&s->main, &s->t[i].co);
			switch_in(s, -1);
		}
		vm->sched = NULL;
		vm->cur_cpu = s->saved_cpu;
	}
	for (unsigned i = 0; i < n; i++)
		vmsim__coro_release(&s->t[i].co);
	free(s->t);
	free(s);
	return err;
}
