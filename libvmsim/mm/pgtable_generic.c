/* The PMD level as mm sees it: finding and allocating PUD and PMD slots,
 * PMD leaves set, cleared and invalidated with their TLB flush, and the
 * PTE table a THP mapping deposits so that splitting it never fails.
 * Follows mm/pgtable-generic.c (pmdp_huge_clear_flush, pmdp_invalidate,
 * pgtable_trans_huge_deposit/withdraw), mm/memory.c (__pte_alloc,
 * mm_find_pmd's walk) and include/linux/pgtable.h. */
#include <utlist.h>

#include "mm_internal.h"

pud_t *vmsim__pud_lookup(struct vmsim_mm *mm, uint64_t addr)
{
	return (pud_t *)vmsim__walk_to(mm->vm, mm->pgd, addr, VMSIM_LVL_PUD, false);
}

pud_t *vmsim__pud_alloc(struct vmsim_mm *mm, uint64_t addr)
{
	return (pud_t *)vmsim__walk_to(mm->vm, mm->pgd, addr, VMSIM_LVL_PUD, true);
}

pmd_t *vmsim__pmd_lookup(struct vmsim_mm *mm, uint64_t addr)
{
	return (pmd_t *)vmsim__walk_to(mm->vm, mm->pgd, addr, VMSIM_LVL_PMD, false);
}

pmd_t *vmsim__pmd_alloc(struct vmsim_mm *mm, uint64_t addr)
{
	return (pmd_t *)vmsim__walk_to(mm->vm, mm->pgd, addr, VMSIM_LVL_PMD, true);
}

pte_t *vmsim__pte_offset(struct vmsim_mm *mm, pmd_t *pmdp, uint64_t addr)
{
	return vmsim__pte_from_pmd(mm->vm, pmdp, addr, false);
}

pte_t *vmsim__pte_alloc_at(struct vmsim_mm *mm, pmd_t *pmdp, uint64_t addr)
{
	return vmsim__pte_from_pmd(mm->vm, pmdp, addr, true);
}

void vmsim__set_pmd_at(struct vmsim_mm *mm, uint64_t addr, pmd_t *pmdp, pmd_t pmd)
{
	vmsim_set_pmd(mm->vm, pmdp, pmd, addr & PMD_MASK);
}

pmd_t vmsim__pmdp_huge_get_and_clear(struct vmsim_mm *mm, uint64_t addr, pmd_t *pmdp)
{
	pmd_t old = pmdp_get(pmdp);

	vmsim_set_pmd(mm->vm, pmdp, __pmd(0), addr & PMD_MASK);
	return old;
}

void vmsim__flush_pmd_tlb_range(struct vmsim_mm *mm, uint64_t start, uint64_t end)
{
	vmsim__flush_tlb_mm_stride(mm, start, end, PMD_SHIFT, false);
}

pmd_t vmsim__pmdp_huge_clear_flush(struct vm_area_struct *vma, uint64_t addr, pmd_t *pmdp)
{
	uint64_t haddr = addr & PMD_MASK;
	pmd_t old = vmsim__pmdp_huge_get_and_clear(vma->vm_mm, haddr, pmdp);

	vmsim__flush_pmd_tlb_range(vma->vm_mm, haddr, haddr + PMD_SIZE);
	return old;
}

/* pmdp_invalidate(): not present but still a leaf (pmd_present() keeps
 * answering yes through PSE), flushed, so no CPU can use the huge entry
 * while the PTE table replaces it. */
pmd_t vmsim__pmdp_invalidate(struct vm_area_struct *vma, uint64_t addr, pmd_t *pmdp)
{
	uint64_t haddr = addr & PMD_MASK;
	pmd_t old = pmdp_get(pmdp);

	vmsim_set_pmd(vma->vm_mm->vm, pmdp, pmd_mkinvalid(old), haddr);
	vmsim__flush_pmd_tlb_range(vma->vm_mm, haddr, haddr + PMD_SIZE);
	return old;
}

void vmsim__pmd_populate(struct vmsim_mm *mm, pmd_t *pmdp, struct vmsim_page *table, uint64_t addr)
{
	uint64_t pfn = vmsim_page_to_pfn(mm->vm, table);

	vmsim_set_pmd(mm->vm, pmdp, __pmd((pfn << PAGE_SHIFT) | _PAGE_TABLE), addr & PMD_MASK);
}

/* The deposited tables hang off the PMD table page (pmd_huge_pte). */
void vmsim__pgtable_trans_huge_deposit(struct vmsim_mm *mm, pmd_t *pmdp, struct vmsim_page *table)
{
	struct vmsim_page *pmd_table = vmsim_slot_table(mm->vm, pmdp);

	DL_APPEND(pmd_table->pmd_huge_pte, table);
}

struct vmsim_page *vmsim__pgtable_trans_huge_withdraw(struct vmsim_mm *mm, pmd_t *pmdp)
{
	struct vmsim_page *pmd_table = vmsim_slot_table(mm->vm, pmdp), *table = pmd_table->pmd_huge_pte;

	if (VMSIM_BUG_ON(mm->vm, !table, "no pte table deposited under pmd table pfn %#lx",
			 vmsim_page_to_pfn(mm->vm, pmd_table)))
		return NULL;
	DL_DELETE(pmd_table->pmd_huge_pte, table);
	table->prev = table->next = NULL;
	return table;
}

void vmsim__zap_deposited_table(struct vmsim_mm *mm, pmd_t *pmdp)
{
	struct vmsim_page *table = vmsim__pgtable_trans_huge_withdraw(mm, pmdp);

	if (table)
		vmsim__pte_table_free(mm->vm, table);
}
