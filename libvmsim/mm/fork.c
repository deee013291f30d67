/* fork: dup_mmap.  Follows kernel/fork.c (dup_mmap, vm_area_dup) and
 * fs/userfaultfd.c dup_userfaultfd (without EVENT_FORK the child loses the
 * userfaultfd registration).  The parent's TLB is flushed at the end, as
 * dup_mmap does after write-protecting its COW pages. */
#include <utlist.h>

#include "mm_internal.h"

int vmsim_fork(struct vmsim_mm *parent, struct vmsim_mm **child)
{
	struct vmsim *vm;
	struct vmsim_mm *mm;
	struct vm_area_struct *mpnt;
	struct vmsim_uffd_fork *uf = NULL;
	int err = 0;

	if (!parent || !child)
		return -EINVAL;
	vm = parent->vm;
	if (vmsim__mm_dead(parent))
		return -ESRCH;
	err = vmsim_mm_new(vm, &mm);
	if (err)
		return err;
	mm->cpu = parent->cpu;
	mm->flags |= MMF_FORKING;
	vmsim__mm_enter(parent);
	vmsim__mmap_write_lock(parent);
	/* mmap_write_lock_nested(mm, SINGLE_DEPTH_NESTING): the child's too. */
	vmsim__mmap_write_lock(mm);
	DL_FOREACH(parent->mmap, mpnt) {
		struct vm_area_struct *tmp;

		/* dup_mmap(): no fault of the parent's changes a vma while
		 * it is copied. */
		vmsim__vma_start_write(mpnt);
		if (mpnt->vm_flags & VM_DONTCOPY)
			continue;
		tmp = vmsim__vma_alloc(mm);
		if (!tmp) {
			err = -ENOMEM;
			break;
		}
		tmp->vm_start = mpnt->vm_start;
		tmp->vm_end = mpnt->vm_end;
		/* dup_mmap(): mlock is not inherited (VM_LOCKED_MASK). */
		tmp->vm_flags = mpnt->vm_flags & ~VM_LOCKED;
		tmp->vm_page_prot = mpnt->vm_page_prot;
		tmp->vm_pgoff = mpnt->vm_pgoff;
		tmp->vm_file = mpnt->vm_file;
		tmp->uffd_ctx = mpnt->uffd_ctx;
		/* hugetlb_dup_vma_private(): the child reserves nothing, but a
		 * shared mapping gets its own vma lock. */
		if (is_vm_hugetlb_page(mpnt))
			vmsim__hugetlb_vm_open(tmp, true);
		vmsim__dax_vma_open(tmp);
		/* dup_userfaultfd() runs before the page tables are copied, so
		 * vma_needs_copy() sees whether the child keeps uffd-wp. */
		if (vmsim__dup_userfaultfd(tmp, mpnt, &uf)) {
			vmsim__vma_free(vm, tmp);
			err = -ENOMEM;
			break;
		}
		if (!(tmp->vm_flags & VM_WIPEONFORK) && vmsim__anon_vma_fork(tmp, mpnt)) {
			vmsim__vma_free(vm, tmp);
			err = -ENOMEM;
			break;
		}
		vmsim__vma_link(mm, tmp);
		if (!(tmp->vm_flags & VM_WIPEONFORK)) {
			err = vmsim__copy_page_range(tmp, mpnt);
			if (err)
				break;
		}
	}
	vmsim__flush_tlb_range(parent, 0, ~0ULL);
	vmsim__mmap_write_unlock(mm);
	vmsim__mmap_write_unlock(parent);
	if (err) {
		vmsim__dup_userfaultfd_fail(vm, uf);
		vmsim_mm_exit(mm);
		return err;
	}
	mm->flags &= ~MMF_FORKING;
	*child = mm;
	vmsim__dup_userfaultfd_complete(vm, uf, mm);
	vmsim__mm_op_done(vm);
	return 0;
}
