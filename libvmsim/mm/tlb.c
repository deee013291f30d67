/* The mm side of TLB flushing: flush_tlb_range()/flush_tlb_page() for an
 * mm, on x86's flush_tlb_mm_range() (arch/x86/mm/tlb.c, asm/tlbflush.h). */
#include "mm_internal.h"

/* flush_tlb_mm_range() ends with the secondary TLBs, over the range it
 * chose (everything above the single-page ceiling). */
static void __attribute__((noinline)) flush_and_notify(struct vmsim_mm *mm, uint64_t start, uint64_t end,
							unsigned shift, bool freed_tables)
{
	vmsim_flush_tlb_mm_range(mm->vm, &mm->ctx, start, end, shift, freed_tables);
	if (end == VMSIM_TLB_FLUSH_ALL || start > end ||
	    ((end - start) >> shift) > vmsim_flush_ceiling(mm->vm)) {
		start = 0;
		end = VMSIM_TLB_FLUSH_ALL;
	}
	vmsim__mmu_notifier_arch_invalidate_secondary_tlbs(mm, start, end);
}

void vmsim__flush_tlb_mmu(struct vmsim_mm *mm, uint64_t start, uint64_t end, bool freed_tables)
{
	if (start == 0 && end == ~0ULL)
		end = VMSIM_TLB_FLUSH_ALL;
	if (mm_has_notifiers(mm)) {
		flush_and_notify(mm, start, end, PAGE_SHIFT, freed_tables);
		return;
	}
	vmsim_flush_tlb_mm_range(mm->vm, &mm->ctx, start, end, PAGE_SHIFT, freed_tables);
}

/* flush_tlb_mm_range() with a stride (an mmu_gather that cleared only PMD
 * leaves, flush_pmd_tlb_range()). */
void vmsim__flush_tlb_mm_stride(struct vmsim_mm *mm, uint64_t start, uint64_t end, unsigned shift,
				bool freed_tables)
{
	if (mm_has_notifiers(mm)) {
		flush_and_notify(mm, start, end, shift, freed_tables);
		return;
	}
	vmsim_flush_tlb_mm_range(mm->vm, &mm->ctx, start, end, shift, freed_tables);
}

void vmsim__flush_tlb_range(struct vmsim_mm *mm, uint64_t start, uint64_t end)
{
	vmsim__flush_tlb_mmu(mm, start, end, false);
}

void vmsim__flush_tlb_page(struct vmsim_mm *mm, uint64_t addr)
{
	vmsim__flush_tlb_range(mm, addr, addr + PAGE_SIZE);
}
