/* Bad-argument cases: swap.h (swap devices, reclaim, the OOM killer,
 * migration, memory failure).  Errnos as the header documents them, from
 * Linux's where Linux has the call (swapon/swapoff: mm/swapfile.c). */
#include "badargs.h"

void ba_cases_swap(void **state)
{
	struct vmsim *vm = F->vm;
	struct vmsim_swap_info si;
	struct vmsim_swap_slot sl;
	struct vmsim_lru_info li;
	struct vmsim_reclaim_stats rs;
	struct vmsim_migration *m = NULL;
	unsigned long failed = 0;
	int type = 7;

	(void)state;
	/* swapon: a page multiple holding at least one slot after the header. */
	ERR("vmsim_swapon", -EINVAL, vmsim_swapon(NULL, 64 * P, &type));
	ERR("vmsim_swapon", -EINVAL, vmsim_swapon(vm, 64 * P + 1, &type));
	ERR("vmsim_swapon", -EINVAL, vmsim_swapon(vm, P, &type));
	ERR("vmsim_swapon", -EINVAL, vmsim_swapon(vm, 0, &type));
	assert_int_equal(type, 7);
	/* swapoff, info, slot: only an active type. */
	ERR("vmsim_swapoff", -EINVAL, vmsim_swapoff(NULL, 0));
	ERR("vmsim_swapoff", -EINVAL, vmsim_swapoff(vm, -1));
	ERR("vmsim_swapoff", -EINVAL, vmsim_swapoff(vm, 5));
	ERR("vmsim_swapoff", -EINVAL, vmsim_swapoff(vm, 32));
	ERR("vmsim_swap_info", -EINVAL, vmsim_swap_info(NULL, 0, &si));
	ERR("vmsim_swap_info", -EINVAL, vmsim_swap_info(vm, 0, NULL));
	ERR("vmsim_swap_info", -ENOENT, vmsim_swap_info(vm, 5, &si));
	ERR("vmsim_swap_slot", -EINVAL, vmsim_swap_slot(NULL, 0, 1, &sl));
	ERR("vmsim_swap_slot", -EINVAL, vmsim_swap_slot(vm, 0, 1, NULL));
	ERR("vmsim_swap_slot", -ENOENT, vmsim_swap_slot(vm, 5, 1, &sl));
	/* Getters of a NULL machine or into NULL: nothing. */
	NOP("vmsim_lru_info", vmsim_lru_info(NULL, &li));
	NOP("vmsim_lru_info", vmsim_lru_info(vm, NULL));
	NOP("vmsim_reclaim_stats", vmsim_reclaim_stats(NULL, &rs));
	NOP("vmsim_reclaim_stats", vmsim_reclaim_stats(vm, NULL));
	ERR("vmsim_reclaim", 0, vmsim_reclaim(NULL, 8));
	ERR("vmsim_reclaim", 0, vmsim_reclaim(vm, 0));
	NOP("vmsim_set_oom_notify", vmsim_set_oom_notify(NULL, NULL, NULL));
	ERR("vmsim_mm_oom_killed", false, vmsim_mm_oom_killed(NULL));
	ERR("vmsim_oom_badness", 0, vmsim_oom_badness(NULL));
	/* Migration: a range, something present there. */
	ERR("vmsim_migrate_range", -EINVAL, vmsim_migrate_range(NULL, A, P, &failed));
	ERR("vmsim_migrate_range", -EINVAL, vmsim_migrate_range(F->mm, A + 1, P, &failed));
	ERR("vmsim_migrate_range", -EINVAL, vmsim_migrate_range(F->mm, A, 0, &failed));
	ERR("vmsim_migrate_range", -EINVAL, vmsim_migrate_range(F->mm, ~0ULL & PAGE_MASK, 2 * P, &failed));
	ERR("vmsim_migrate_range", -EFAULT, vmsim_migrate_range(F->mm, 0x70000000ULL, P, &failed));
	ERR("vmsim_migrate_start", -EINVAL, vmsim_migrate_start(NULL, A, &m));
	ERR("vmsim_migrate_start", -EINVAL, vmsim_migrate_start(F->mm, A, NULL));
	ERR("vmsim_migrate_start", -EFAULT, vmsim_migrate_start(F->mm, 0x70000000ULL, &m));
	assert_null(m);
	ERR("vmsim_migrate_finish", -EINVAL, vmsim_migrate_finish(NULL));
	/* Memory failure: a frame of this machine the kernel does not own. */
	ERR("vmsim_memory_failure", -EINVAL, vmsim_memory_failure(NULL, 5));
	ERR("vmsim_memory_failure", -EINVAL, vmsim_memory_failure(vm, vmsim_nr_frames(vm)));
	ERR("vmsim_memory_failure", -EINVAL, vmsim_memory_failure(vm, ~0UL));
	ERR("vmsim_memory_failure", -EBUSY, vmsim_memory_failure(vm, vmsim_zero_pfn(vm)));
	ERR("vmsim_memory_failure", -EBUSY, vmsim_memory_failure(vm, vmsim_mm_pgd(F->mm)));
	ERR("vmsim_memory_failure_addr", -EINVAL, vmsim_memory_failure_addr(NULL, A));
	ERR("vmsim_memory_failure_addr", -EFAULT, vmsim_memory_failure_addr(F->mm, 0x70000000ULL));
}
