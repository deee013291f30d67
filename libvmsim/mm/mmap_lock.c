/* The per-VMA lock: vma_start_write(), and whether an mm's locks are held
 * (the OOM killer's question); lock_vma_under_rcu() and the mmap_lock
 * write side are inline in mm_internal.h.  Follows mm/mmap_lock.c and
 * include/linux/mmap_lock.h of Linux 6.18.  A vma is write-locked while its vm_lock_seq equals the
 * mm's mm_lock_seq, which is odd from mmap_write_lock() to
 * mmap_write_unlock(): every mark ends together.  The reference count
 * that Linux's readers and writer meet on (vm_refcnt) is the shared side
 * of the vma's vm_lock here. */
#include <utlist.h>

#include "mm_internal.h"

void vmsim__vma_start_write_slow(struct vm_area_struct *vma, const char *site)
{
	struct vmsim_mm *mm = vma->vm_mm;

	mmap_assert_write_locked(mm);
	/* The mark is what readers look at: a step on the mm's mmap_lock,
	 * which their lookups name too. */
	vmsim__sp(mm->vm, VMSIM_SP_VMA_WRITE, &mm->mmap_lock);
	vma->vm_lock_seq = mm->mm_lock_seq;
	/* __vma_enter_locked(): no new reader gets in; wait for those in. */
	vmsim__lock_wait_order(mm->vm, &vma->vm_lock, site);
}

bool vmsim__mm_locked(const struct vmsim_mm *mm)
{
	const struct vm_area_struct *v;

	if (vmsim_lock_held(&mm->mmap_lock))
		return true;
	DL_FOREACH(mm->mmap, v)
		if (vmsim_lock_held(&v->vm_lock))
			return true;
	return false;
}
