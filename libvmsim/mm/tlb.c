/* The mm side of TLB flushing: what flush_tlb_range()/flush_tlb_page()
 * mean for an mm.  Until CPUs cache translations (hw TLBs), there is
 * nothing to invalidate; callers already flush where Linux flushes. */
#include "mm_internal.h"

void vmsim__flush_tlb_range(struct vmsim_mm *mm, uint64_t start, uint64_t end)
{
	(void)mm;
	(void)start;
	(void)end;
}

void vmsim__flush_tlb_page(struct vmsim_mm *mm, uint64_t addr)
{
	vmsim__flush_tlb_range(mm, addr, addr + PAGE_SIZE);
}
