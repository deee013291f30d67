/* /proc/PID/pagemap and clear_refs (soft-dirty).  Follows fs/proc/task_mmu.c
 * (pte_to_pagemap_entry, pagemap_pte_hole, clear_refs_write with
 * CLEAR_REFS_SOFT_DIRTY) of Linux 6.18. */
#include <utlist.h>

#include "mm_internal.h"

static uint64_t pte_to_pagemap_entry(struct vm_area_struct *vma, uint64_t addr, pte_t pte)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_page *page = NULL;
	uint64_t flags = 0, frame = 0;

	if (pte_present(pte)) {
		frame = pte_pfn(pte);
		flags |= PM_PRESENT;
		page = vmsim__vm_normal_page(vma, addr, pte);
		if (pte_soft_dirty(pte))
			flags |= PM_SOFT_DIRTY;
		flags |= vmsim__kind_pagemap(vma, addr, pte);	/* software bits: PM_UFFD_WP */
	} else if (is_swap_pte(pte)) {
		/* Every non-present entry reports PM_SWAP; its kind says what
		 * else (uffd-wp, guard) and what the frame field holds. */
		uint64_t v = vmsim__kind_pagemap(vma, addr, pte);
		softleaf_t e = softleaf_from_pte(pte);

		flags |= v & ~PM_PFRAME_MASK;
		frame = v & PM_PFRAME_MASK;
		if (pte_swp_soft_dirty(pte))
			flags |= PM_SOFT_DIRTY;
		if (softleaf_has_pfn(e))
			page = vmsim_pfn_to_page(vm, softleaf_to_pfn(e));
	}
	if (page) {
		if (!folio_test_anon(page))
			flags |= PM_FILE;
		if ((flags & PM_PRESENT) && vmsim__page_mapcount(vm, page) == 1)
			flags |= PM_MMAP_EXCLUSIVE;
	}
	if (vma->vm_flags & VM_SOFTDIRTY)
		flags |= PM_SOFT_DIRTY;
	return (frame & PM_PFRAME_MASK) | flags;
}

/* pagemap_pmd_range() on a PMD leaf (THP, DAX): the page at addr.  Since
 * 6.15 every page reports the exclusivity of the folio's first page
 * (__folio_page_mapped_exclusively(folio, page) with page the PMD's).  A
 * leaf in a PMD table other processes share (FS-DAX) is not exclusive, as
 * pagemap_hugetlb_range() says of hugetlb's. */
static uint64_t pmd_to_pagemap_entry(struct vm_area_struct *vma, uint64_t addr, pmd_t *pmdp)
{
	struct vmsim *vm = vma->vm_mm->vm;
	uint64_t flags = 0, frame = 0;
	pmd_t pmd = pmdp_get(pmdp);

	if (vma->vm_flags & VM_SOFTDIRTY)
		flags |= PM_SOFT_DIRTY;
	if (pmd_present(pmd)) {
		struct vmsim_page *head = vmsim__pmd_page(vm, pmd);

		flags |= PM_PRESENT;
		if (pmd_soft_dirty(pmd))
			flags |= PM_SOFT_DIRTY;
		flags |= vmsim__kind_pmd_pagemap(vma, addr, pmd);
		frame = pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
		if (!folio_test_anon(head))
			flags |= PM_FILE;
		if (vmsim__page_mapcount(vm, head) == 1 && vmsim_slot_table(vm, pmdp)->pt_share_count <= 0)
			flags |= PM_MMAP_EXCLUSIVE;
	}
	return (frame & PM_PFRAME_MASK) | flags;
}

/* One page of a vma: its PMD leaf, its pte, or a hole. */
static uint64_t pagemap_one(struct vm_area_struct *vma, uint64_t a)
{
	struct vmsim_mm *mm = vma->vm_mm;
	pmd_t *pmdp;
	pte_t *ptep;

	if (is_vm_hugetlb_page(vma))
		return vmsim__pagemap_hugetlb(vma, a);
	pmdp = vmsim__pmd_lookup(mm, a);
	if (pmdp && pmd_trans_huge(pmdp_get(pmdp)))
		return pmd_to_pagemap_entry(vma, a, pmdp);
	ptep = pmdp ? vmsim__pte_offset(mm, pmdp, a) : NULL;
	return pte_to_pagemap_entry(vma, a, ptep ? ptep_get(ptep) : __pte(0));
}

int vmsim_pagemap(struct vmsim_mm *mm, uint64_t addr, unsigned long npages, uint64_t *out)
{
	if (!mm || !out || (addr & ~PAGE_MASK) || npages > (~0ULL - addr) >> PAGE_SHIFT)
		return -EINVAL;
	if (vmsim__mm_dead(mm))
		return -ESRCH;
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	for (unsigned long i = 0; i < npages; i++) {
		uint64_t a = addr + ((uint64_t)i << PAGE_SHIFT);
		struct vm_area_struct *vma = vmsim__find_vma(mm, a);

		if (!vma) {
			out[i] = 0;	/* pagemap_pte_hole() outside any vma */
			continue;
		}
		out[i] = pagemap_one(vma, a);
	}
	vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	return 0;
}

/* clear_refs 4: forget soft-dirty.  Present ptes are write-protected so the
 * next write faults and sets soft-dirty again; pinned pages are left alone. */
int vmsim_clear_refs(struct vmsim_mm *mm, int type)
{
	struct mmu_notifier_range range;
	struct vm_area_struct *vma;

	if (!mm || type != 4)
		return -EINVAL;
	if (vmsim__mm_dead(mm))
		return -ESRCH;
	vmsim__mmap_write_lock(mm);
	mmu_notifier_range_init(&range, MMU_NOTIFY_SOFT_DIRTY, 0, mm, 0, ~0ULL);
	mmu_notifier_invalidate_range_start(&range);
	DL_FOREACH(mm->mmap, vma) {
		vmsim__vma_start_write(vma);	/* vm_flags_clear() */
		vma->vm_flags &= ~VM_SOFTDIRTY;
		vmsim__vma_set_page_prot(vma);
		/* The walk has no hugetlb_entry: hugetlb vmas are skipped. */
		if (is_vm_hugetlb_page(vma))
			continue;
		/* clear_refs_pte_range(): one table at a time under its lock
		 * (truncation zaps under the same lock, without mmap_lock);
		 * no table: the hole is skipped whole (walk_page_range). */
		for (uint64_t a = vma->vm_start, next; a < vma->vm_end; a = next) {
			struct vmsim_lock *ptl;
			struct vmsim_walk w;
			pte_t *ptep;

			vmsim__walk_span(mm, a, &w, &next);
			ptep = w.level == VMSIM_LVL_PTE ? w.pte : NULL;
			if (next > vma->vm_end || next < a)
				next = vma->vm_end;
			if (!ptep) {
				pmd_t *pmdp = vmsim__walk_pmd_entry(&w);

				if (pmdp && pmd_trans_huge(pmdp_get(pmdp))) {
					/* clear_soft_dirty_pmd(), under the PMD's lock
					 * (pmd_trans_huge_lock): truncation zaps the leaf
					 * under it, without mmap_lock. */
					struct vmsim_lock *pl = vmsim__pmd_lockptr(mm->vm, pmdp);
					pmd_t old;

					vmsim_lock(mm->vm, pl);
					old = pmdp_get(pmdp);
					if (pmd_trans_huge(old) && pmd_present(old)) {
						vmsim__pmdp_invalidate(vma, a, pmdp);
						vmsim__set_pmd_at(mm, a, pmdp, pmd_clear_soft_dirty(pmd_wrprotect(old)));
					}
					vmsim_unlock(mm->vm, pl);
				}
				continue;
			}
			ptl = vmsim__pte_lockptr(mm->vm, ptep);
			vmsim_lock(mm->vm, ptl);
			for (; a < next; a += PAGE_SIZE, ptep++) {
				pte_t pte = ptep_get(ptep);

				if (pte_present(pte)) {
					struct vmsim_page *p = vmsim__vm_normal_page(vma, a, pte);

					/* pte_is_pinned(): only a writable pte of a
					 * pinned COW page keeps its state. */
					if (p && pte_write(pte) && is_cow_mapping(vma->vm_flags) && folio_test_anon(p) &&
					    (mm->flags & MMF_HAS_PINNED) && p->refcount >= 1024)
						continue;
					vmsim__set_pte_at(mm, a, ptep, pte_clear_soft_dirty(pte_wrprotect(pte)));
				} else if (is_swap_pte(pte)) {
					/* Its kind says what forgetting soft-dirty leaves. */
					vmsim__set_pte_at(mm, a, ptep, vmsim__kind_clear_soft_dirty(vma, a, pte));
				}
			}
			vmsim_unlock(mm->vm, ptl);
		}
	}
	mmu_notifier_invalidate_range_end(&range);
	vmsim__flush_tlb_range(mm, 0, ~0ULL);
	vmsim__mmap_write_unlock(mm);
	vmsim__mm_op_done(mm->vm);
	return 0;
}
