/* mprotect and change_protection.  Follows mm/mprotect.c (do_mprotect_pkey,
 * mprotect_fixup, change_pte_range, can_change_pte_writable). */
#include <utlist.h>

#include "mm_internal.h"

/* can_change_pte_writable(): may mprotect make this pte writable at once,
 * without a write fault?  Only if no fault is needed for COW, soft-dirty or
 * uffd-wp tracking. */
static inline __attribute__((always_inline)) bool can_change_pte_writable(struct vm_area_struct *vma, uint64_t addr,
									 pte_t pte)
{
	struct vmsim_page *p;

	if (!(vma->vm_flags & VM_WRITE) || pte_protnone(pte))
		return false;
	if (!(vma->vm_flags & VM_SOFTDIRTY) && !pte_soft_dirty(pte))
		return false;
	if (!vmsim__kind_may_write(vma, pte))
		return false;		/* a software bit wants the write fault */
	if (!(vma->vm_flags & VM_SHARED)) {
		p = vmsim__vm_normal_page(vma, addr, pte);
		return p && folio_test_anon(p) && vmsim_page_test(p, PG_anon_exclusive);
	}
	return pte_dirty(pte);
}

/* For restore_exclusive_pte() (kinds/device_exclusive.c); mprotect's own
 * calls stay inlined. */
bool vmsim__can_change_pte_writable(struct vm_area_struct *vma, uint64_t addr, pte_t pte)
{
	return can_change_pte_writable(vma, addr, pte);
}

/* Is the pud entry for addr populated (change_pud_range's !pud_none)? */
static bool pud_populated(struct vmsim_mm *mm, uint64_t addr)
{
	struct vmsim_walk w;

	vmsim_walk(mm->vm, mm->pgd, addr, 0, &w);
	return w.level < VMSIM_LVL_PUD;
}

/* change_pud_range() starts one MMU_NOTIFY_PROTECTION_VMA range per p4d
 * entry's span, lazily, at the first pud that is not none (or that
 * change_prepare() populates), and ends it after the whole span. */
#define P4D_SPAN	(1ULL << 39)

static long change_range(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start, uint64_t end,
			 unsigned long cp_flags, bool populate);

long vmsim__change_protection(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start,
			      uint64_t end, unsigned long cp_flags)
{
	struct vmsim_mm *mm = vma->vm_mm;
	/* pgtable_populate_needed(): a kind that marks none ptes (uffd-wp
	 * markers) needs tables for them to live in. */
	bool populate = vmsim__kind_populate_needed(vma, cp_flags);
	long pages = 0;

	if (!mm_has_notifiers(mm))
		return change_range(tlb, vma, start, end, cp_flags, populate);
	for (uint64_t span = start; span < end;) {
		uint64_t span_end = (span | (P4D_SPAN - 1)) + 1;
		struct mmu_notifier_range range;
		uint64_t first = span;

		if (span_end > end || span_end < span)
			span_end = end;
		if (!populate) {
			while (first < span_end && !pud_populated(mm, first))
				first = (first | (PUD_SIZE - 1)) + 1;
		}
		if (first < span_end) {
			mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_VMA, 0, mm, first, span_end);
			mmu_notifier_invalidate_range_start(&range);
			pages += change_range(tlb, vma, span, span_end, cp_flags, populate);
			mmu_notifier_invalidate_range_end(&range);
		}
		span = span_end;
	}
	return pages;
}

static long change_range(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start, uint64_t end,
			 unsigned long cp_flags, bool populate)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim_lock *ptl = NULL;
	long pages = 0;

	for (uint64_t addr = start; addr < end; addr += PAGE_SIZE) {
		pte_t *ptep, old, new;

		/* One table at a time, under its lock (change_pte_range). */
		if (ptl && !(addr & (PMD_SIZE - 1))) {
			vmsim_unlock(mm->vm, ptl);
			ptl = NULL;
		}
		if (!ptl) {
			ptep = populate ? vmsim__pte_alloc(mm, addr) : vmsim__pte_lookup(mm, addr);
			if (!ptep)
				continue;
			ptl = vmsim__pte_lockptr(mm->vm, ptep);
			vmsim_lock(mm->vm, ptl);
			vmsim__flush_tlb_batched_pending(mm);
		} else {
			ptep = vmsim__pte_lookup(mm, addr);
		}
		old = ptep_get(ptep);
		if (pte_present(old)) {
			new = pte_modify(old, vma->vm_page_prot);
			new = vmsim__kind_change_prot(vma, addr, new, cp_flags);
			if ((cp_flags & MM_CP_TRY_CHANGE_WRITABLE) && !pte_write(new) &&
			    can_change_pte_writable(vma, addr, new))
				new = pte_mkwrite(new);
		} else {
			/* A none pte may get a marker (uffd-wp protect); any
			 * other entry changes as its kind says. */
			new = vmsim__kind_change_prot(vma, addr, old, cp_flags);
		}
		if (pte_same(old, new))
			continue;
		/* A pte made writable without a fault: whatever LUF still owes
		 * for this vma (and, shared, its file) is paid first. */
		if (pte_present(old) && !pte_write(old) && pte_write(new))
			vmsim__luf_flush_vma(vma, VMSIM_LUF_PT_MKWRITE);
		vmsim__set_pte_at(mm, addr, ptep, new);
		if (pte_none(old))
			vmsim__kind_note_vma(vma, new);
		else
			tlb_flush_pte_range(tlb, addr, PAGE_SIZE);
		pages++;
	}
	if (ptl)
		vmsim_unlock(mm->vm, ptl);
	return pages;
}

/* vma_wants_manual_pte_write_upgrade() */
static bool wants_manual_write_upgrade(const struct vm_area_struct *vma)
{
	if (vma->vm_flags & VM_SHARED)
		return (vma->vm_flags & VM_WRITE) && vma->vm_page_prot.pgprot != vmsim__vm_get_page_prot(vma->vm_flags).pgprot;
	return vma->vm_flags & VM_WRITE;
}

static int mprotect_fixup(struct vmsim_mm *mm, struct vm_area_struct *vma, uint64_t start, uint64_t end,
			  unsigned long newflags)
{
	struct mmu_gather tlb;
	int err;

	if (newflags == vma->vm_flags)
		return 0;
	if (start > vma->vm_start) {
		err = vmsim__split_vma(mm, vma, start);
		if (err)
			return err;
		vma = vma->next;
	}
	if (end < vma->vm_end) {
		err = vmsim__split_vma(mm, vma, end);
		if (err)
			return err;
	}
	vma->vm_flags = newflags;
	vmsim__vma_set_page_prot(vma);
	tlb_gather_mmu(&tlb, mm, false);
	vmsim__change_protection(&tlb, vma, start, end,
				 wants_manual_write_upgrade(vma) ? MM_CP_TRY_CHANGE_WRITABLE : 0);
	tlb_finish_mmu(&tlb);
	vmsim__vma_try_merge(mm, vma);
	return 0;
}

int vmsim_mprotect(struct vmsim_mm *mm, uint64_t start, uint64_t len, int prot)
{
	struct vm_area_struct *vma;
	uint64_t end, nstart;
	int err = 0;

	if (!mm)
		return -EINVAL;
	if (vmsim__mm_dead(mm))
		return -ESRCH;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	if (!len)
		return 0;
	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	end = start + len;
	if (end <= start)
		return -ENOMEM;
	if (prot & ~(VMSIM_PROT_READ | VMSIM_PROT_WRITE | VMSIM_PROT_EXEC))
		return -EINVAL;
	vmsim__mm_enter(mm);
	vmsim_lock(mm->vm, &mm->mmap_lock);
	vma = vmsim__find_vma(mm, start);
	if (!vma) {
		err = -ENOMEM;
		goto out;
	}
	/* Each vma in turn; a hole stops us with -ENOMEM after the part
	 * before it was changed, as in Linux. */
	for (nstart = start; nstart < end;) {
		unsigned long newflags = (vma->vm_flags & ~(VM_READ | VM_WRITE | VM_EXEC)) |
					 (prot & VMSIM_PROT_READ ? VM_READ : 0) |
					 (prot & VMSIM_PROT_WRITE ? VM_WRITE : 0) |
					 (prot & VMSIM_PROT_EXEC ? VM_EXEC : 0);
		uint64_t tmp = vma->vm_end < end ? vma->vm_end : end;

		if ((newflags & ~(newflags >> 4)) & (VM_READ | VM_WRITE | VM_EXEC)) {
			err = -EACCES;
			break;
		}
		err = mprotect_fixup(mm, vma, nstart, tmp, newflags);
		if (err)
			break;
		nstart = tmp;
		if (nstart >= end)
			break;
		vma = vmsim__find_vma(mm, nstart);
		if (!vma) {
			err = -ENOMEM;
			break;
		}
	}
out:
	vmsim_unlock(mm->vm, &mm->mmap_lock);
	vmsim__mm_op_done(mm->vm);
	return err;
}
