/* The OOM killer: when direct reclaim frees nothing, the process with the
 * highest badness (rss + swap entries + page-table pages) is killed and
 * its address space torn down.  Follows mm/oom_kill.c of Linux 6.18
 * (oom_badness, select_bad_process, oom_kill_process, the oom reaper).
 * Simplified: no oom_score_adj, no memcg or cpuset constraints, no
 * memory reserves for the victim; processes are mms, scanned in creation
 * order as the task list is (a later one wins a tie, as in
 * oom_evaluate_task).  The victim's memory goes at once, or, when the
 * operation that ran out holds the victim's mmap_lock or one of its vmas'
 * locks (it is the one that faulted, forked...), as soon as that operation ends; that operation
 * fails. */
#include <utlist.h>

#include "mm_internal.h"

long vmsim_oom_badness(const struct vmsim_mm *mm)
{
	if (!mm || (mm->flags & MMF_OOM_VICTIM))
		return 0;
	return mm->rss[MM_ANONPAGES] + mm->rss[MM_FILEPAGES] + mm->rss[MM_SHMEMPAGES] + mm->rss[MM_SWAPENTS] +
	       (long)vmsim__mm_pgtables(mm);
}

/* The oom reaper and the victim's exit at once: nothing of its address
 * space is left but the pgd.  Both run in contexts of their own on Linux
 * (the oom_reaper kthread, the dying task), never nested in the
 * allocation that ran out, which may hold a folio lock: so the victim's
 * mmap_lock is taken with a trylock, as oom_reap_task_mm() does, and adds
 * no lock order.  False when it is busy: reaped later. */
static bool oom_reap(struct vmsim *vm, struct vmsim_mm *mm)
{
	struct vmsim_lockstack *saved = vm->locks, reaper = { 0 };
	bool got;

	/* The reaper is a thread of its own (oom_reaper): serially, the
	 * locks of the operation that ran out (a fault's vma lock) are not
	 * its own.  Interleaved, a task's stack cannot be swapped across
	 * the reaper's scheduling points: it reaps with the task's. */
	if (!vm->sched)
		vm->locks = &reaper;
	got = vmsim_trylock(vm, &mm->mmap_lock);
	if (got) {
		struct vm_area_struct *v;

		mm->mm_lock_seq++;	/* mmap_write_trylock(): mm_lock_seqcount_begin() */
		/* Every vma marked in one step, so no new reader gets in; a
		 * reader already in (a fault of the victim, maybe waiting for
		 * a lock the allocating task holds) is never waited for: the
		 * reaper backs off and comes again, as its trylock does. */
		DL_FOREACH(mm->mmap, v)
			v->vm_lock_seq = mm->mm_lock_seq;
		DL_FOREACH(mm->mmap, v)
			if (vmsim_lock_held(&v->vm_lock))
				got = false;
		if (got) {
			vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vm->cur_cpu,
					  .target = mm->id, .why = "oom reaper: victim's address space torn down" });
			vmsim__exit_mmap(mm, true, true);
		} else {
			vmsim__mmap_write_unlock(mm);	/* the marks end with it */
		}
	}
	if (!vm->sched)
		vm->locks = saved;
	if (!got)
		return false;
	mm->flags |= MMF_OOM_REAPED;
	vm->mm_world->oom_pending--;
	return true;
}

void vmsim__oom_reap_pending(struct vmsim *vm)
{
	struct vmsim_mm *mm;

	LL_FOREACH(vm->mm_world->mms, mm)
		if ((mm->flags & MMF_OOM_VICTIM) && !(mm->flags & MMF_OOM_REAPED) &&
		    !vmsim__mm_locked(mm))
			oom_reap(vm, mm);
}

/* out_of_memory(): pick and kill.  True when memory was freed, so the
 * allocation is worth retrying. */
bool vmsim__out_of_memory(struct vmsim *vm)
{
	struct vmsim_mm *mm, *victim = NULL;
	long chosen = -1;

	LL_FOREACH(vm->mm_world->mms, mm) {
		long points;

		/* A victim still on its way out: wait for it (abort). */
		if ((mm->flags & MMF_OOM_VICTIM) && !(mm->flags & MMF_OOM_REAPED))
			return false;
		if (mm->flags & (MMF_OOM_VICTIM | MMF_FORKING))
			continue;
		points = vmsim_oom_badness(mm);
		if (points < chosen)
			continue;
		chosen = points;
		victim = mm;
	}
	if (!victim) {
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vm->cur_cpu,
				  .why = "out of memory and no killable process" });
		return false;
	}
	victim->flags |= MMF_OOM_VICTIM;
	vm->mm_world->oom_pending++;
	vm->mm_world->rst.oom_kill++;
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vm->cur_cpu,
			  .target = victim->id, .pfn = (uint64_t)chosen, .why = "oom-kill" });
	if (vm->mm_world->oom_fn)
		vm->mm_world->oom_fn(vm->mm_world->oom_arg, victim);
	/* Reaped when the operation holding it ends. */
	if (vmsim__mm_locked(victim))
		return false;
	return oom_reap(vm, victim);
}

void vmsim_set_oom_notify(struct vmsim *vm, vmsim_oom_fn fn, void *arg)
{
	if (!vm)
		return;
	vm->mm_world->oom_fn = fn;
	vm->mm_world->oom_arg = arg;
}

bool vmsim_mm_oom_killed(const struct vmsim_mm *mm)
{
	return mm && (mm->flags & MMF_OOM_VICTIM);
}
