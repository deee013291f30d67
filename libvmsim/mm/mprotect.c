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

/* change_pte_range() over [addr, end) of one pte table, under its lock. */
static long change_pte_range(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmdp, uint64_t addr,
			     uint64_t end, unsigned long cp_flags, bool populate)
{
	struct vmsim_mm *mm = vma->vm_mm;
	pte_t *ptep = populate ? vmsim__pte_alloc_at(mm, pmdp, addr) : vmsim__pte_offset(mm, pmdp, addr);
	struct vmsim_lock *ptl;
	long pages = 0;

	if (!ptep)
		return populate ? -ENOMEM : 0;	/* change_pmd_prepare() */
	ptl = vmsim__pte_lockptr(mm->vm, ptep);
	vmsim_lock(mm->vm, ptl);
	vmsim__flush_tlb_batched_pending(mm);
	for (; addr < end; addr += PAGE_SIZE, ptep++) {
		pte_t old = ptep_get(ptep), new;

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
	vmsim_unlock(mm->vm, ptl);
	return pages;
}

/* change_pmd_range() over [start, end): a PMD leaf covered whole changes
 * whole, one covered in part is split first. */
static long change_range(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start, uint64_t end,
			 unsigned long cp_flags, bool populate)
{
	struct vmsim_mm *mm = vma->vm_mm;
	long pages = 0;
	/* pgtable_split_needed(): markers on none ptes need a file PMD leaf
	 * to become ptes. */
	bool split = populate && !vma_is_anonymous(vma);

	for (uint64_t addr = start, next; addr < end; addr = next) {
		pmd_t *pmdp;
		long n;

		next = (addr | (PMD_SIZE - 1)) + 1;
		if (next > end || next < addr)
			next = end;
		pmdp = populate ? vmsim__pmd_alloc(mm, addr) : vmsim__pmd_lookup(mm, addr);
		/* change_pmd_prepare(): no table for the markers, -ENOMEM. */
		if (!pmdp && populate)
			return -ENOMEM;
		if (!pmdp) {
			/* A missing upper table is skipped whole (change_pud_range's
			 * pud_none), so the cost follows the tables that exist. */
			vmsim__pte_lookup_span(mm, addr, &next);
			if (next > end || next < addr)
				next = end;
			continue;
		}
		if (pmd_trans_huge(pmdp_get(pmdp))) {
			if (next - addr == PMD_SIZE && !split) {
				pages += vmsim__change_huge_pmd(tlb, vma, pmdp, addr, cp_flags);
				continue;
			}
			vmsim__split_huge_pmd(vma, pmdp, addr);
		}
		n = change_pte_range(tlb, vma, pmdp, addr, next, cp_flags, populate);
		if (n < 0)
			return n;
		pages += n;
	}
	return pages;
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

/* The ptes changed, or -ENOMEM (what was done before stays). */
long vmsim__change_protection(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start,
			      uint64_t end, unsigned long cp_flags)
{
	struct vmsim_mm *mm = vma->vm_mm;
	/* pgtable_populate_needed(): a kind that marks none ptes (uffd-wp
	 * markers) needs tables for them to live in. */
	bool populate = vmsim__kind_populate_needed(vma, cp_flags);
	long pages = 0;

	if (is_vm_hugetlb_page(vma))
		return vmsim__hugetlb_change_protection(tlb, vma, start, end, cp_flags);
	vmsim__dax_unshare_range(vma, start, end);
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
			long n = change_range(tlb, vma, span, span_end, cp_flags, populate);

			mmu_notifier_invalidate_range_end(&range);
			if (n < 0)
				return n;
			pages += n;
		}
		span = span_end;
	}
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
	/* vm_flags and the entries change under the vma's write lock. */
	vmsim__vma_start_write(vma);
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
	vmsim__mmap_write_lock(mm);
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
	vmsim__mmap_write_unlock(mm);
	vmsim__mm_op_done(mm->vm);
	return err;
}
