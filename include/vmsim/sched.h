/* Simulated CPUs as coroutines, and the interleaving explorer.
 *
 * By default every operation runs to completion (serial mode: what `vmsim
 * run` does).  vmsim_sched_run() instead runs a set of tasks, each a piece
 * of work on one simulated CPU, on coroutine stacks of their own (no host
 * threads), switching between them only at scheduling points: lock
 * acquire and release, page-table entry writes, page-cache lookups,
 * insertions and removals, TLB fills and flushes, IPIs.  Which task runs at
 * each point is decided by an explorer (random, PCT, bounded exhaustive, or
 * a recorded schedule), so every run is deterministic and can be replayed.
 * docs/explore.md describes the whole. */
#ifndef VMSIM_SCHED_H
#define VMSIM_SCHED_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

VMSIM_BEGIN_DECLS

struct vmsim;
struct vmsim_explorer;

/* What a task is about to do when it reaches a scheduling point.  Two
 * steps of different tasks are independent (their order does not matter)
 * when they name different objects, or both only read one; the
 * exhaustive explorer's partial-order reduction relies on it. */
enum vmsim_sp_kind {
	VMSIM_SP_START,		/* the task's first step (depends on everything) */
	VMSIM_SP_LOCK,		/* exclusive acquire; obj: the lock */
	VMSIM_SP_LOCK_READ,	/* shared acquire; obj: the lock */
	VMSIM_SP_TRYLOCK,	/* obj: the lock */
	VMSIM_SP_UNLOCK,	/* release, either kind; obj: the lock */
	VMSIM_SP_PTE_WRITE,	/* a page-table entry write; obj: its table page */
	VMSIM_SP_PTE_READ,	/* an entry read outside the table's lock; obj: its table page */
	VMSIM_SP_PAGECACHE,	/* a page-cache lookup (and the insertion that may
				 * follow it in the same step) or a removal; obj:
				 * the (file, index) slot */
	VMSIM_SP_TLB_FILL,	/* a hardware walk filling a TLB; obj: the leaf table page */
	VMSIM_SP_TLB_FLUSH,	/* a local flush (flush_tlb_mm_range); obj: the context */
	VMSIM_SP_IPI,		/* an IPI's flush on another CPU; obj: the context */
	VMSIM_SP_NOTIFIER,	/* an MMU-notifier call; obj: the mm */
	VMSIM_SP_YIELD,		/* vmsim_sched_yield(); obj: the caller's */
	VMSIM_SP_WAIT,		/* wait until a lock is free, without taking it
				 * (a wait queue its holder wakes); obj: the lock */
	VMSIM_SP_VMA_READ,	/* lock_vma_under_rcu(): the lockless vma lookup
				 * and its per-VMA read lock; obj: the mm's mmap_lock */
	VMSIM_SP_VMA_WRITE,	/* vma_start_write() marks a vma write-locked;
				 * obj: the mm's mmap_lock */
	VMSIM_SP_NR
};
/* "lock", "pte_write" ... ("?" past the end). */
VMSIM_API const char *vmsim_sp_kind_name(enum vmsim_sp_kind k);

/* ---- Tasks ---- */

typedef void (*vmsim_task_fn)(struct vmsim *vm, void *arg);

/* One simulated CPU's work.  fn runs on its own stack with cpu made
 * current (vmsim_set_cur_cpu); resume, if set, is called every time the
 * task is switched in (a caller keeping per-task state of its own). */
struct vmsim_task {
	const char *name;		/* for reports ("cpu1: line 12") */
	int cpu;			/* 0 .. cpus-1 */
	vmsim_task_fn fn;
	void *arg;
	void (*resume)(void *arg);
};

/* What an observer hears before every step of a run. */
struct vmsim_step {
	uint64_t seq;			/* steps so far in this run, from 1 */
	unsigned task;			/* index into the task array */
	const char *name;
	int cpu;
	enum vmsim_sp_kind kind;
	const void *obj;
	const char *where;		/* the function that reached the point */
	bool choice;			/* another task could have run instead */
};
typedef void (*vmsim_step_fn)(void *arg, struct vmsim *vm, const struct vmsim_step *s);

/*
 * Run tasks[0..n) on vm concurrently, as x schedules its current run
 * (vmsim_explorer_next() must have started one), or, with x NULL, one
 * after the other in array order (serial mode).  Returns when every task
 * has finished: 0, or -EINVAL (bad arguments, n > VMSIM_MAX_TASKS, a bad
 * cpu), -EBUSY (called from a task), -ENOMEM.  A deadlock (every
 * unfinished task waits for a lock) is a VMSIM_BUG report naming each
 * waiter; the run then goes on with one waiter not getting its lock, as a
 * serial run does after such a report.  step, if set, hears every step.
 */
#define VMSIM_MAX_TASKS		32
VMSIM_API int vmsim_sched_run(struct vmsim *vm, struct vmsim_explorer *x, const struct vmsim_task *tasks,
			      unsigned n, vmsim_step_fn step, void *arg);
/* The running task's index, or -1 outside vmsim_sched_run. */
VMSIM_API int vmsim_sched_current(const struct vmsim *vm);
/* A scheduling point of the caller's own (its code shares obj with
 * other tasks).  Does nothing outside vmsim_sched_run. */
VMSIM_API void vmsim_sched_yield(struct vmsim *vm, const void *obj);
/* Is the machine running tasks now?  (The invariant checker waits for
 * the end of a block: mid-way, another task's operation is half done.) */
VMSIM_API bool vmsim_sched_active(const struct vmsim *vm);

/* ---- The explorer: which task runs at each point, run after run ---- */

enum vmsim_sched_policy {
	VMSIM_SCHED_RANDOM,		/* any runnable task, uniformly, from a seed */
	VMSIM_SCHED_PCT,		/* probabilistic concurrency testing, depth d */
	VMSIM_SCHED_EXHAUSTIVE,		/* every schedule with at most k preemptions */
	VMSIM_SCHED_REPLAY,		/* one given schedule */
};

struct vmsim_explore_opts {
	enum vmsim_sched_policy policy;
	uint64_t seed;			/* random, pct: the campaign's seed */
	uint64_t runs;			/* random, pct: runs over all shards (0: 1000);
					 * exhaustive: at most this many here (0: all) */
	unsigned depth;			/* pct: bug depth d (0: 3) */
	unsigned bound;			/* exhaustive: preemption bound k */
	bool no_por;			/* exhaustive: no partial-order reduction */
	unsigned shard, nshards;	/* this is part shard of nshards (0 of 1) */
	const char *schedule;		/* replay: a schedule as printed */
	uint64_t max_steps;		/* steps of one run before it is a livelock (0: 1000000) */
};

VMSIM_API int vmsim_explorer_new(const struct vmsim_explore_opts *o, struct vmsim_explorer **out);
VMSIM_API void vmsim_explorer_free(struct vmsim_explorer *x);
/* Start the next run of this part: true, or false when it is all done. */
VMSIM_API bool vmsim_explorer_next(struct vmsim_explorer *x);
/* The run is over (before the next vmsim_explorer_next()): 0, or -EIO
 * if it did not retrace a recorded prefix (a nondeterministic script or
 * task), or -EINVAL if a replayed schedule did not fit. */
VMSIM_API int vmsim_explorer_done(struct vmsim_explorer *x);
/* The current (or last) run: its number in the whole exploration, the
 * seed of its scheduler (random, pct), whether it belongs to this part
 * (an exhaustive part also makes runs that only find its way to its own
 * subtrees; they are not reported), and its schedule as text for
 * VMSIM_SCHED_REPLAY (snprintf's count, or -EINVAL). */
VMSIM_API uint64_t vmsim_explorer_run(const struct vmsim_explorer *x);
VMSIM_API uint64_t vmsim_explorer_seed(const struct vmsim_explorer *x);
VMSIM_API bool vmsim_explorer_mine(const struct vmsim_explorer *x);
VMSIM_API int vmsim_explorer_schedule(const struct vmsim_explorer *x, char *buf, size_t size);

struct vmsim_explore_stats {
	uint64_t runs;			/* runs made by this part */
	uint64_t mine;			/* of which belong to it */
	uint64_t steps;			/* steps over all runs */
	uint64_t choices;		/* scheduling decisions with a real choice */
	uint64_t max_choices;		/* in one run */
	uint64_t redundant;		/* exhaustive: runs cut short by the reduction */
	bool complete;			/* exhaustive: nothing left to explore */
};
VMSIM_API void vmsim_explorer_stats(const struct vmsim_explorer *x, struct vmsim_explore_stats *out);

VMSIM_END_DECLS

#endif /* VMSIM_SCHED_H */
