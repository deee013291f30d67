/* MADV_COLLAPSE: 512 pages mapped by PTEs become one THP mapped by a PMD,
 * synchronously, in the caller's context.  Follows mm/khugepaged.c
 * (madvise_collapse, hpage_collapse_scan_pmd, collapse_huge_page and its
 * isolate/copy steps, madvise_collapse_errno) of Linux 6.12-6.18 for
 * anonymous memory; the khugepaged daemon itself takes no part in a
 * scenario, and file/shmem collapse is not modelled (thp_vma_allowable
 * refuses those vmas). */
#include "mm_internal.h"

enum scan_result {
	SCAN_FAIL,
	SCAN_SUCCEED,
	SCAN_PMD_NULL,
	SCAN_PMD_NONE,
	SCAN_PMD_MAPPED,
	SCAN_EXCEED_NONE_PTE,
	SCAN_PTE_NON_PRESENT,
	SCAN_PTE_UFFD_WP,
	SCAN_PAGE_RO,
	SCAN_PAGE_NULL,
	SCAN_PAGE_COUNT,
	SCAN_PAGE_ANON,
	SCAN_ALLOC_HUGE_PAGE_FAIL,
};

static int madvise_collapse_errno(enum scan_result r)
{
	switch (r) {
	case SCAN_ALLOC_HUGE_PAGE_FAIL:
		return -ENOMEM;
	case SCAN_EXCEED_NONE_PTE:
		return -EBUSY;
	case SCAN_PAGE_COUNT:
		return -EAGAIN;		/* a temporary reference: trying again may work */
	default:
		return -EINVAL;
	}
}

/* is_refcount_suitable(): every reference is a mapping's, or the swap
 * cache's. */
static bool is_refcount_suitable(struct vmsim *vm, const struct vmsim_page *folio)
{
	return folio->refcount == vmsim__folio_mapcount(vm, folio) +
				  (vmsim_page_test(folio, PG_swapcache) ? (int)vmsim_folio_nr_pages(folio) : 0);
}

/* One pte of the range as hpage_collapse_scan_pmd() and
 * __collapse_huge_page_isolate() judge it; *unmapped set by an entry to
 * bring in first. */
static enum scan_result scan_pte(struct vm_area_struct *vma, uint64_t addr, pte_t pte, bool *unmapped)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_page *page;

	if (pte_none(pte) || (pte_present(pte) && pte_pfn(pte) == vmsim_zero_pfn(vm)))
		/* Any number of holes for MADV_COLLAPSE, but none a userfault
		 * handler would have to hear of. */
		return (vma->vm_flags & __VM_UFFD_FLAGS) ? SCAN_EXCEED_NONE_PTE : SCAN_SUCCEED;
	/* A userfault-protected entry (a kind says so) stays as it is. */
	if (vmsim__kind_blocks_collapse(vma->vm_mm->vm, pte))
		return SCAN_PTE_UFFD_WP;
	/* is_swap_pte(): MADV_COLLAPSE brings it in before the collapse
	 * (__collapse_huge_page_swapin() runs do_swap_page() on it) whatever
	 * entry it is; one whose fault fails (a guard marker, hwpoison) fails
	 * the collapse there. */
	if (!pte_present(pte)) {
		*unmapped = true;
		return SCAN_SUCCEED;
	}
	page = vmsim__vm_normal_page(vma, addr, pte);
	if (!page || vmsim_page_test(vmsim_compound_head(page), PG_device))
		return SCAN_PAGE_NULL;
	if (!folio_test_anon(page))
		return SCAN_PAGE_ANON;
	if (!is_refcount_suitable(vm, vmsim_compound_head(page)))
		return SCAN_PAGE_COUNT;
	return SCAN_SUCCEED;
}

/* collapse_huge_page(): copy the range into a new THP, unhook the pte
 * table (flushing the range), map the THP, and keep the emptied table as
 * the one a PMD leaf deposits. */
static enum scan_result collapse_huge_page(struct vm_area_struct *vma, uint64_t haddr, pmd_t *pmdp)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_page *folio = vmsim_folio_alloc(vm, HPAGE_PMD_ORDER), *table;
	struct vmsim_lock *ptl;
	pte_t *pte;

	if (!folio)
		return SCAN_ALLOC_HUGE_PAGE_FAIL;
	table = vmsim_pmd_table(vm, pmdp_get(pmdp));
	pte = (pte_t *)vmsim_table(vm, table);
	ptl = &table->ptl;
	/* Secondary MMUs let go of the range, then pmdp_collapse_flush():
	 * no CPU may use the old ptes any more. */
	if (mm_has_notifiers(mm)) {
		struct mmu_notifier_range range;

		mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, haddr, haddr + PMD_SIZE);
		mmu_notifier_invalidate_range_start(&range);
		mmu_notifier_invalidate_range_end(&range);
	}
	vmsim_lock(vm, vmsim__pmd_lockptr(vm, pmdp));
	vmsim__pmdp_huge_get_and_clear(mm, haddr, pmdp);
	vmsim__flush_tlb_range(mm, haddr, haddr + PMD_SIZE);
	vmsim_lock(vm, ptl);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		uint64_t addr = haddr + i * PAGE_SIZE;
		pte_t old = ptep_get(&pte[i]);
		struct vmsim_page *src;

		if (pte_none(old))
			continue;
		vmsim_set_pte(vm, &pte[i], __pte(0), addr);
		src = vmsim__vm_normal_page(vma, addr, old);
		if (!src)
			continue;	/* the zero page: the new page is zero there */
		vmsim_frame_copy(vm, &folio[i], src);
		vmsim__folio_remove_rmap(vma, src);
		/* free_page_and_swap_cache(): a swapped-in page's swap copy
		 * goes with it. */
		if (vmsim_page_test(src, PG_swapcache) && !src->mapcount && vmsim__folio_trylock(vm, src)) {
			vmsim__folio_free_swap(vm, src);
			vmsim__folio_unlock(vm, src);
		}
		vmsim_put_page(vm, src);
	}
	vmsim_unlock(vm, ptl);
	vmsim_page_set(folio, PG_uptodate);
	vmsim__folio_add_new_anon_rmap_pmd(vma, folio, haddr);
	vmsim__folio_add_lru_vma(vma, folio);
	vmsim__pgtable_trans_huge_deposit(mm, pmdp, table);
	vmsim__set_pmd_at(mm, haddr, pmdp,
			  pmd_mkhuge((vma->vm_flags & VM_WRITE) ?
				     pmd_mkwrite(pmd_mkdirty(pfn_pmd(vmsim_page_to_pfn(vm, folio), vma->vm_page_prot))) :
				     pmd_mkdirty(pfn_pmd(vmsim_page_to_pfn(vm, folio), vma->vm_page_prot))));
	vmsim_unlock(vm, vmsim__pmd_lockptr(vm, pmdp));
	mm_world(vm)->thp.collapsed++;
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_THP, .cpu = vm->cur_cpu, .addr = haddr,
			  .end = haddr + PMD_SIZE, .why = "madvise_collapse: collapsed" });
	return SCAN_SUCCEED;
}

/* __collapse_huge_page_swapin(): every entry of the range faulted in as
 * do_swap_page() would (a read fault, as GUP makes it); then the range is
 * judged again, as __collapse_huge_page_isolate() does. */
static enum scan_result collapse_swapin(struct vm_area_struct *vma, uint64_t haddr, pmd_t *pmdp)
{
	struct vmsim_mm *mm = vma->vm_mm;
	bool unmapped = false;
	enum scan_result result = SCAN_SUCCEED;

	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		uint64_t addr = haddr + i * PAGE_SIZE;
		pte_t *pte = vmsim__pte_offset(mm, pmdp, addr);

		if (!pte)
			return SCAN_PMD_NULL;
		if (pte_none(ptep_get(pte)) || pte_present(ptep_get(pte)))
			continue;
		if (vmsim__populate(mm, addr, addr + PAGE_SIZE, false) & VM_FAULT_ERROR)
			return SCAN_FAIL;
	}
	for (unsigned long i = 0; i < HPAGE_PMD_NR && result == SCAN_SUCCEED; i++) {
		uint64_t addr = haddr + i * PAGE_SIZE;
		pte_t *pte = vmsim__pte_offset(mm, pmdp, addr);

		if (!pte)
			return SCAN_PMD_NULL;
		result = scan_pte(vma, addr, ptep_get(pte), &unmapped);
		if (result == SCAN_SUCCEED && unmapped)
			result = SCAN_PTE_NON_PRESENT;
	}
	return result;
}

/* hpage_collapse_scan_pmd() with MADV_COLLAPSE's collapse_control. */
static enum scan_result scan_pmd(struct vm_area_struct *vma, uint64_t haddr)
{
	struct vmsim_mm *mm = vma->vm_mm;
	pmd_t *pmdp = vmsim__pmd_lookup(mm, haddr), pmd;
	enum scan_result result = SCAN_SUCCEED;
	bool unmapped = false;
	pte_t *pte;

	/* find_pmd_or_thp_or_none() */
	if (!pmdp)
		return SCAN_PMD_NULL;
	pmd = pmdp_get(pmdp);
	if (pmd_none(pmd))
		return SCAN_PMD_NONE;
	if (pmd_trans_huge(pmd))
		return SCAN_PMD_MAPPED;
	if (!pmd_present(pmd))
		return SCAN_PMD_NULL;
	pte = vmsim__pte_offset(mm, pmdp, haddr);
	if (!pte)
		return SCAN_PMD_NULL;
	for (unsigned long i = 0; i < HPAGE_PMD_NR && result == SCAN_SUCCEED; i++)
		result = scan_pte(vma, haddr + i * PAGE_SIZE, ptep_get(&pte[i]), &unmapped);
	if (result != SCAN_SUCCEED)
		return result;
	/* No SCAN_PAGE_RO: since 6.18 a range without a writable pte
	 * (copy-on-write after fork, a read-only vma) collapses too. */
	if (unmapped && (result = collapse_swapin(vma, haddr, pmdp)) != SCAN_SUCCEED)
		return result;
	return collapse_huge_page(vma, haddr, pmdp);
}

int vmsim__madvise_collapse(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	uint64_t hstart = (start + PMD_SIZE - 1) & PMD_MASK, hend = end & PMD_MASK;
	enum scan_result last_fail = SCAN_FAIL;
	uint64_t thps = 0;

	/* Collapse ignores transparent_hugepage/enabled, not MADV_NOHUGEPAGE
	 * or a process with THP disabled. */
	if (!vmsim__thp_vma_allowable(vma, vma->vm_flags, 0))
		return -EINVAL;
	for (uint64_t addr = hstart; addr < hend; addr += PMD_SIZE) {
		enum scan_result result = scan_pmd(vma, addr);

		switch (result) {
		case SCAN_SUCCEED:
		case SCAN_PMD_MAPPED:
			thps++;
			break;
		/* Results where going on is fine. */
		case SCAN_PMD_NULL:
		case SCAN_PTE_NON_PRESENT:
		case SCAN_PTE_UFFD_WP:
		case SCAN_PAGE_RO:
		case SCAN_PAGE_NULL:
		case SCAN_PAGE_COUNT:
			last_fail = result;
			break;
		default:
			last_fail = result;
			goto out;
		}
	}
out:
	return thps == (hend - hstart) >> PMD_SHIFT ? 0 : madvise_collapse_errno(last_fail);
}
