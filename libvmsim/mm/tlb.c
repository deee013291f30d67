/* The mm side of TLB flushing: flush_tlb_range()/flush_tlb_page() for an
 * mm, on x86's flush_tlb_mm_range() (arch/x86/mm/tlb.c, asm/tlbflush.h). */
#include "mm_internal.h"

void vmsim__flush_tlb_mmu(struct vmsim_mm *mm, uint64_t start, uint64_t end, bool freed_tables)
{
	if (start == 0 && end == ~0ULL)
		end = VMSIM_TLB_FLUSH_ALL;
	vmsim_flush_tlb_mm_range(mm->vm, &mm->ctx, start, end, PAGE_SHIFT, freed_tables);
}

void vmsim__flush_tlb_range(struct vmsim_mm *mm, uint64_t start, uint64_t end)
{
	vmsim__flush_tlb_mmu(mm, start, end, false);
}

void vmsim__flush_tlb_page(struct vmsim_mm *mm, uint64_t addr)
{
	vmsim__flush_tlb_range(mm, addr, addr + PAGE_SIZE);
}
