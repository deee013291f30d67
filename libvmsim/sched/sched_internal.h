/* The scheduler's state and the scheduling points the layers above call
 * (not installed).  A point is one test of vm->sched when nothing is
 * being interleaved: serial mode pays a predictable branch and no more. */
#ifndef VMSIM_SCHED_INTERNAL_H
#define VMSIM_SCHED_INTERNAL_H

#include "../internal.h"
#include <vmsim/sched.h>

#if !defined(__x86_64__)
#include <ucontext.h>
#endif

/* coro.c */
struct vmsim__coro {
	void *sp;			/* saved stack pointer (x86-64) */
#if !defined(__x86_64__)
	ucontext_t uc;
#endif
	void *stack;			/* NULL for the host's own stack */
	const void *stack_bottom;	/* for AddressSanitizer */
	size_t stack_size;
	struct vmsim__coro *from;	/* who switched to it last */
	void (*fn)(void *);
	void *arg;
};
int vmsim__coro_init(struct vmsim__coro *co, size_t stack_size, void (*fn)(void *), void *arg);
void vmsim__coro_release(struct vmsim__coro *co);
void vmsim__coro_switch_to(struct vmsim__coro *from, struct vmsim__coro *to);
__attribute__((noreturn)) void vmsim__coro_exit(struct vmsim__coro *from, struct vmsim__coro *to);

/* sched.c */
struct vmsim__task {
	struct vmsim_task spec;
	struct vmsim_sched *sched;
	unsigned idx;
	struct vmsim__coro co;
	bool done;
	bool give_up;			/* a deadlock was broken by not granting its lock */
	struct vmsim_step next;		/* the step it will take when it runs next */
	struct vmsim_lockstack locks;
	int cur_cpu;
};

struct vmsim_sched {
	struct vmsim *vm;
	struct vmsim_explorer *x;
	struct vmsim__task *t;
	unsigned n;
	int cur;			/* the task running now; -1: the scheduler */
	int next;			/* the task the scheduler resumes next; -1: none */
	int last;			/* the task that took the last step */
	struct vmsim__coro main;
	vmsim_step_fn step_fn;
	void *step_arg;
	int saved_cpu;
	uint64_t seq;			/* steps taken in this block */
};

/* Does task i's pending step wait for a lock it cannot have now? */
bool vmsim__sched_task_enabled(const struct vmsim_sched *s, unsigned i);
/* Are two steps independent (may be swapped without changing anything)? */
bool vmsim__sp_independent(const struct vmsim_step *a, const struct vmsim_step *b);

void vmsim__sched_point(struct vmsim *vm, enum vmsim_sp_kind kind, const void *obj, const char *where);
/* A lock acquisition: waits until the lock is free for it.  false when a
 * deadlock report broke the wait (the caller must not take the lock). */
bool vmsim__sched_acquire(struct vmsim *vm, enum vmsim_sp_kind kind, struct vmsim_lock *l, const char *where);

/* Wait until l is free (its holder is done), without taking it: a task
 * sleeping on a wait queue that l's holder wakes.  Serially l is never
 * held by anyone else: nothing to wait for. */
#define vmsim__sched_wait_free(vm, l) vmsim__sp((vm), VMSIM_SP_WAIT, (l))

/* A scheduling point on the caller's path: kind, the object it touches. */
#define vmsim__sp(vm, kind, obj)						\
	do {									\
		struct vmsim *vmsim__spvm = (vm);				\
		if (__builtin_expect(vmsim__spvm->sched != NULL, 0))		\
			vmsim__sched_point(vmsim__spvm, (kind), (obj), __func__); \
	} while (0)

/* A page-cache slot as an object: (file, index) hashed into a pointer. */
static inline const void *vmsim__sp_cache_slot(const void *file, uint64_t index)
{
	return (const void *)((uintptr_t)file ^ (uintptr_t)((index + 1) * 0x9e3779b97f4a7c15ULL));
}

/* explore.c: the explorer as the scheduler asks it. */
void vmsim__explorer_block(struct vmsim_explorer *x, unsigned n);
/* Pick among enabled (a mask, at least two bits); last took the step before. */
unsigned vmsim__explorer_pick(struct vmsim_explorer *x, struct vmsim_sched *s, uint32_t enabled, int last);
/* Task i takes its pending step (picked or the only one that could). */
void vmsim__explorer_stepped(struct vmsim_explorer *x, struct vmsim_sched *s, unsigned i, bool choice);
/* The run went over its step budget: a livelock. */
bool vmsim__explorer_over_budget(const struct vmsim_explorer *x);

/* lock.c */
/* Hand-off: a lock that one operation takes and a later one releases (a
 * folio a device keeps locked between make_device_exclusive() and its
 * atomic, a migration's two halves).  Handed off, the lock stays taken
 * but leaves the holder's stack, so no operation or task ends holding it;
 * a task that wants it waits (serially: a deadlock), until it is released
 * from outside any task or taken up again by a later operation. */
#define VMSIM_LOCK_OWNER_OUTSIDE	0xffff
static inline bool vmsim__lock_outside(const struct vmsim_lock *l)
{
	return l->state == -1 && l->owner == VMSIM_LOCK_OWNER_OUTSIDE;
}
void vmsim__lock_handoff(struct vmsim *vm, struct vmsim_lock *l, const char *site);
void vmsim__lock_adopt(struct vmsim *vm, struct vmsim_lock *l, const char *site);
void vmsim__lock_release_outside(struct vmsim *vm, struct vmsim_lock *l, const char *site);
/* A shared acquisition at a point the caller has reached already
 * (vma_start_read(): the lookup and the reader count are one step).  No
 * wait and no order (lockdep's trylock); false if l is write-held.  For
 * mm's own locks (no argument checks): a fault's fast path. */
bool vmsim__lock_read_here_slow(struct vmsim *vm, struct vmsim_lock *l, const char *site);
static inline bool vmsim__lock_read_here(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	struct vmsim_lockstack *ls = vm->locks ? vm->locks : &vm->main_locks;
	struct vmsim_held *h;

	if (__builtin_expect(l->state < 0 || ls->nr >= VMSIM_MAX_HELD_LOCKS, 0))
		return vmsim__lock_read_here_slow(vm, l, site);
	l->state++;
	h = &ls->h[ls->nr++];
	h->lock = l;
	h->site = site;
	h->read = true;
	h->phantom = false;
	return true;
}
void vmsim__lock_fresh_at(struct vmsim *vm, struct vmsim_lock *l, const char *site);
bool vmsim__trylock_read_at(struct vmsim *vm, struct vmsim_lock *l, const char *site);
void vmsim__lock_wait_order(struct vmsim *vm, struct vmsim_lock *l, const char *site);
void vmsim__lock_describe_waiter(struct vmsim *vm, const struct vmsim__task *t, char *buf, size_t size);

#endif /* VMSIM_SCHED_INTERNAL_H */
