/* mmap and munmap.  Follows mm/mmap.c (do_mmap, mmap_region, __mm_populate)
 * and mm/vma.c (do_vmi_munmap, unmap_region) of Linux 6.12-6.18, for
 * MAP_FIXED_NOREPLACE placement only: the scripts always name the address. */
#include <utlist.h>

#include "mm_internal.h"

/* The FS-DAX vma lock's token (vmsim__dax_vma_open()). */
const char vmsim__dax_vma_lock_token;

#define MAX_LFS_FILESIZE	((uint64_t)INT64_MAX)	/* include/linux/fs.h, 64-bit */

static unsigned long calc_vm_prot_bits(int prot)
{
	return (prot & VMSIM_PROT_READ ? VM_READ : 0) | (prot & VMSIM_PROT_WRITE ? VM_WRITE : 0) |
	       (prot & VMSIM_PROT_EXEC ? VM_EXEC : 0);
}

/* MAP_TYPE and LEGACY_MAP_MASK (include/linux/mman.h, x86 values): the
 * flags MAP_SHARED_VALIDATE accepts for a file without ->mmap_supported_flags. */
#define MAP_TYPE		0x0f
#define MAP_SHARED_VALIDATE	0x03
#define MAP_DROPPABLE		0x08
#define LEGACY_MAP_MASK		(0x01 | 0x02 | 0x10 | 0x20 | 0x800 | 0x1000 | 0x4000000 | 0x100 | \
				 0x2000 | 0x4000 | 0x8000 | 0x10000 | 0x20000 | 0x40000 | 0x40 | \
				 0x80 | (21U << 26) | (30U << 26))

static bool range_ok(struct vmsim_mm *mm, uint64_t addr, uint64_t len)
{
	uint64_t ts = vmsim_task_size(mm->vm);

	return len <= ts && addr <= ts - len;
}

int vmsim_mmap(struct vmsim_mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
	       struct vmsim_file *file, uint64_t off)
{
	struct vmsim *vm;
	struct vm_area_struct *vma, *v;
	unsigned long vm_flags;
	int type = flags & MAP_TYPE;

	if (!mm)
		return -EINVAL;
	vm = mm->vm;
	/* Another machine's file: nothing in this one could find its pages. */
	if (file && file->vm != vm)
		return -EINVAL;
	if (vmsim__mm_dead(mm))
		return -ESRCH;
	if (prot & ~(VMSIM_PROT_READ | VMSIM_PROT_WRITE | VMSIM_PROT_EXEC))
		return -EINVAL;
	if (off & ~PAGE_MASK)
		return -EINVAL;		/* sys_mmap */
	if (!len)
		return -EINVAL;
	if (len > ~0ULL - PAGE_SIZE + 1)
		return -ENOMEM;
	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	if (((off >> PAGE_SHIFT) + (len >> PAGE_SHIFT)) < (off >> PAGE_SHIFT))
		return -EOVERFLOW;
	if (!(flags & VMSIM_MAP_ANONYMOUS) && !file)
		return -EBADF;
	if (flags & VMSIM_MAP_ANONYMOUS)
		file = NULL;
	if (!range_ok(mm, addr, len))
		return -ENOMEM;
	if (addr & ~PAGE_MASK)
		return -EINVAL;
	/* do_mmap()'s switch on the type: other bits are ignored, except that
	 * MAP_SHARED_VALIDATE of a file refuses the ones it does not know;
	 * anonymous memory has no SHARED_VALIDATE, and MAP_DROPPABLE is not
	 * modelled (Linux's answer where VM_DROPPABLE does not exist). */
	switch (type) {
	case MAP_SHARED_VALIDATE:
		if (!file)
			return -EINVAL;
		if ((unsigned)flags & ~LEGACY_MAP_MASK)
			return -EOPNOTSUPP;
		type = VMSIM_MAP_SHARED;
		break;
	case VMSIM_MAP_SHARED:
	case VMSIM_MAP_PRIVATE:
		break;
	case MAP_DROPPABLE:
		if (!file)
			return -EOPNOTSUPP;
		return -EINVAL;
	default:
		return -EINVAL;
	}
	/* file_mmap_ok(): the mapping must end below MAX_LFS_FILESIZE. */
	if (file && (len > MAX_LFS_FILESIZE || (off >> PAGE_SHIFT) > (MAX_LFS_FILESIZE - len) >> PAGE_SHIFT))
		return -EOVERFLOW;
	if (file && file->kind == VMSIM_FILE_DAX && !dax_hooks(mm->vm))
		return -EOPNOTSUPP;
	if (file && file->kind == VMSIM_FILE_HUGETLB) {
		/* ksys_mmap_pgoff() rounds the length up to the huge page;
		 * hugetlb_get_unmapped_area() wants a huge-page aligned
		 * address (prepare_hugepage_range). */
		len = (len + PMD_SIZE - 1) & PMD_MASK;
		if (!len || !range_ok(mm, addr, len) || (addr & ~PMD_MASK))
			return -EINVAL;
	}
	vmsim__mm_enter(mm);
	vmsim__mmap_write_lock(mm);
	/* MAP_FIXED_NOREPLACE: anything in the way is EEXIST. */
	DL_FOREACH(mm->mmap, v) {
		if (v->vm_start < addr + len && addr < v->vm_end) {
			vmsim__mmap_write_unlock(mm);
			return -EEXIST;
		}
	}
	vm_flags = calc_vm_prot_bits(prot) | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC | VM_SOFTDIRTY;
	if (flags & VMSIM_MAP_LOCKED)
		vm_flags |= VM_LOCKED;
	/* MAP_NORESERVE: hugetlb takes it as "reserve nothing" (the
	 * overcommit policy of other mappings is not modelled). */
	if ((flags & VMSIM_MAP_NORESERVE) && file && file->kind == VMSIM_FILE_HUGETLB)
		vm_flags |= VM_NORESERVE;
	if (type & VMSIM_MAP_SHARED)
		vm_flags |= VM_SHARED | VM_MAYSHARE;
	/* ext4_file_mmap(): a DAX file's vma asks for huge pages. */
	if (file && file->kind == VMSIM_FILE_DAX)
		vm_flags |= VM_HUGEPAGE;
	vma = vmsim__vma_alloc(mm);
	if (!vma)
		goto oom;
	vma->vm_start = addr;
	vma->vm_end = addr + len;
	vma->vm_flags = vm_flags;
	vma->vm_pgoff = file ? off >> PAGE_SHIFT : addr >> PAGE_SHIFT;
	if (!file && (vm_flags & VM_SHARED)) {
		/* shmem_zero_setup(): shared anonymous memory is an unnamed shmem file. */
		file = vmsim__shmem_zero_setup(vm, len);
		if (!file) {
			vmsim__vma_free(vm, vma);
			goto oom;
		}
		vma->vm_pgoff = 0;
	}
	vma->vm_file = file;
	vmsim__dax_vma_open(vma);
	if (file && file->kind == VMSIM_FILE_HUGETLB) {
		int err = vmsim__hugetlbfs_mmap(vma, &len);

		if (err) {
			vmsim__vma_free(vm, vma);
			vmsim__mmap_write_unlock(mm);
			return err;
		}
	}
	vmsim__vma_set_page_prot(vma);
	vmsim__vma_link(mm, vma);
	vmsim__vma_try_merge(mm, vma);
	vmsim__mmap_write_unlock(mm);
	if (flags & (VMSIM_MAP_POPULATE | VMSIM_MAP_LOCKED)) {
		/* __mm_populate(), after vm_mmap_pgoff() dropped the write lock:
		 * under the read lock (a userfault may drop and retake it),
		 * private writable memory is written (COW broken now), PROT_NONE
		 * is skipped, the rest is read.  A failure to populate is
		 * ignored: mmap still succeeds, as in Linux. */
		uint64_t a = addr;

		vmsim_lock_read(vm, &mm->mmap_lock);
		while (a < addr + len && (v = vmsim__find_vma(mm, a)) && v->vm_start < addr + len) {
			uint64_t s = v->vm_start > a ? v->vm_start : a;
			uint64_t e = v->vm_end < addr + len ? v->vm_end : addr + len;

			if (v->vm_flags & (VM_READ | VM_WRITE | VM_EXEC))
				vmsim__populate(mm, s, e, (v->vm_flags & (VM_WRITE | VM_SHARED)) == VM_WRITE);
			a = e;
		}
		vmsim_unlock_read(vm, &mm->mmap_lock);
	}
	vmsim__mm_op_done(vm);
	return 0;
oom:
	vmsim__mmap_write_unlock(mm);
	return -ENOMEM;
}

/* do_vmi_align_munmap() for [start, end): split the edge vmas, zap with
 * markers dropped, free the tables, then the vmas. Caller holds mmap_lock.
 * The contexts that want UFFD_EVENT_UNMAP join *uf, for the caller's
 * userfaultfd_unmap_complete(). */
int vmsim__do_munmap_uf(struct vmsim_mm *mm, uint64_t start, uint64_t end, struct vmsim_uffd_unmap **ufp)
{
	struct zap_details d = { .even_cows = true, .zap_flags = ZAP_FLAG_DROP_MARKER | ZAP_FLAG_UNMAP };
	struct vmsim_uffd_unmap *uf = *ufp;
	struct mmu_notifier_range range;
	struct vm_area_struct *v, *t;
	struct mmu_gather tlb;
	bool any = false;

	int err;

	/* Split first, so that a failure changes nothing that matters (a
	 * hugetlb vma cut off a huge page boundary is EINVAL). */
	DL_FOREACH(mm->mmap, v) {
		if (v->vm_start < start && v->vm_end > start) {
			err = vmsim__split_vma(mm, v, start);
			if (err)
				return err;
		}
	}
	DL_FOREACH(mm->mmap, v) {
		if (v->vm_start < end && v->vm_end > end) {
			err = vmsim__split_vma(mm, v, end);
			if (err)
				return err;
		}
	}
	DL_FOREACH(mm->mmap, v) {
		if (v->vm_start >= start && v->vm_end <= end) {
			/* vms_gather_munmap_vmas(): each vma that goes is
			 * write-locked before anything of it changes. */
			vmsim__vma_start_write(v);
			vmsim__userfaultfd_unmap_prep(v, start, end, &uf);
			any = true;
		}
	}
	tlb_gather_mmu(&tlb, mm, false);
	/* unmap_vmas(): one MMU_NOTIFY_UNMAP range over what is unmapped,
	 * ended before the tables and pages are freed. */
	mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, mm, start, end);
	if (any)
		mmu_notifier_invalidate_range_start(&range);
	DL_FOREACH(mm->mmap, v) {
		uint64_t s = v->vm_start, e = v->vm_end;

		if (v->vm_start < start || v->vm_end > end)
			continue;
		vmsim__zap_begin(v, &s, &e);
		vmsim__zap_page_range(&tlb, v, v->vm_start, v->vm_end, &d);
		vmsim__zap_end(v, &d);
	}
	if (any)
		mmu_notifier_invalidate_range_end(&range);
	DL_FOREACH_SAFE(mm->mmap, v, t) {
		if (v->vm_start >= start && v->vm_end <= end) {
			vmsim__unlink_anon_vmas(v);
			vmsim__vma_unlink(mm, v);
			vmsim__vma_free(mm->vm, v);
		}
	}
	vmsim__free_pgtables(&tlb, start, end);
	tlb_finish_mmu(&tlb);
	*ufp = uf;
	return 0;
}

int vmsim__do_munmap(struct vmsim_mm *mm, uint64_t start, uint64_t end)
{
	struct vmsim_uffd_unmap *uf = NULL;
	int err = vmsim__do_munmap_uf(mm, start, end, &uf);

	/* userfaultfd_unmap_complete(): the events go out after the unmap. */
	vmsim__userfaultfd_unmap_complete(mm->vm, uf);
	return err;
}

int vmsim_munmap(struct vmsim_mm *mm, uint64_t addr, uint64_t len)
{
	uint64_t ts;
	int err;

	if (!mm)
		return -EINVAL;
	if (vmsim__mm_dead(mm))
		return -ESRCH;
	ts = vmsim_task_size(mm->vm);
	if ((addr & ~PAGE_MASK) || addr > ts || len > ts - addr)
		return -EINVAL;
	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	if (!len)
		return -EINVAL;
	vmsim__mm_enter(mm);
	vmsim__mmap_write_lock(mm);
	err = vmsim__do_munmap(mm, addr, addr + len);
	vmsim__mmap_write_unlock(mm);
	vmsim__mm_op_done(mm->vm);
	return err;
}
