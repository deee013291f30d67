/* mmu_gather: unhook pages, flush the TLB, only then free them.  Follows
 * mm/mmu_gather.c and include/asm-generic/tlb.h (tlb_gather_mmu,
 * tlb_remove_page, tlb_flush_mmu, tlb_finish_mmu) with x86's tlb_flush()
 * choosing the range.  Simplified: one growing batch, flushed when it
 * holds as many pages as Linux's batches can. */
#include "mm_internal.h"

void tlb_gather_mmu(struct mmu_gather *tlb, struct vmsim_mm *mm, bool fullmm)
{
	*tlb = (struct mmu_gather){ .mm = mm, .fullmm = fullmm, .start = ~0ULL, .end = 0 };
	mm->tlb_flush_pending++;
}

static void tlb_adjust_range(struct mmu_gather *tlb, uint64_t addr, uint64_t size)
{
	if (addr < tlb->start)
		tlb->start = addr;
	if (addr + size > tlb->end)
		tlb->end = addr + size;
	tlb->cleared = true;
}

void tlb_flush_pte_range(struct mmu_gather *tlb, uint64_t addr, uint64_t size)
{
	tlb_adjust_range(tlb, addr, size);
	tlb->cleared_ptes = true;
}

void tlb_flush_pmd_range(struct mmu_gather *tlb, uint64_t addr, uint64_t size)
{
	tlb_adjust_range(tlb, addr, size);
	tlb->cleared_pmds = true;
}

void tlb_flush_pud_range(struct mmu_gather *tlb, uint64_t addr, uint64_t size)
{
	tlb_adjust_range(tlb, addr, size);
	tlb->cleared_puds = true;
}

/* tlb_get_unmap_shift(): the smallest page size cleared sets the stride. */
static unsigned tlb_get_unmap_shift(const struct mmu_gather *tlb)
{
	if (tlb->cleared_ptes)
		return PAGE_SHIFT;
	if (tlb->cleared_pmds)
		return PMD_SHIFT;
	if (tlb->cleared_puds)
		return PUD_SHIFT;
	return PAGE_SHIFT;
}

/* Linux's batches hold MAX_GATHER_BATCH_COUNT (10000) pages of
 * MAX_GATHER_BATCH (510) pointers; when they are full the zap flushes and
 * frees before it goes on (tlb_next_batch() fails, force_flush), which
 * bounds the memory an exit of a huge mm needs. */
#define GATHER_MAX_PAGES	(10000UL * 510)

void tlb_remove_page(struct mmu_gather *tlb, struct vmsim_page *p)
{
	struct vmsim *vm = tlb->mm->vm;

	if (tlb->nr >= GATHER_MAX_PAGES)
		tlb_flush_mmu(tlb);
	if (tlb->nr == tlb->cap) {
		unsigned long cap = tlb->cap ? tlb->cap * 2 : 64;
		struct vmsim_page **n = vmsim__realloc(vm, tlb->pages, cap * sizeof(*n));

		if (!n) {
			/* No room to defer: flush now, then the page may go. */
			tlb_flush_mmu(tlb);
			vmsim_put_page(vm, p);
			return;
		}
		tlb->pages = n;
		tlb->cap = cap;
	}
	tlb->pages[tlb->nr++] = p;
}

/* tlb_flush_mmu_tlbonly() then tlb_flush_mmu_free(). */
void tlb_flush_mmu(struct mmu_gather *tlb)
{
	struct vmsim *vm = tlb->mm->vm;

	if (tlb->cleared || tlb->freed_tables) {
		/* x86 tlb_flush(): the whole mm for fullmm, else the range in
		 * strides of the smallest page size that was cleared. */
		if (tlb->fullmm || tlb->start >= tlb->end)
			vmsim__flush_tlb_mmu(tlb->mm, 0, ~0ULL, tlb->freed_tables);
		else
			vmsim__flush_tlb_mm_stride(tlb->mm, tlb->start, tlb->end, tlb_get_unmap_shift(tlb),
						   tlb->freed_tables);
		tlb->cleared = false;
		tlb->cleared_ptes = tlb->cleared_pmds = tlb->cleared_puds = false;
		tlb->unshared_tables = false;
		tlb->freed_tables = false;
		tlb->start = ~0ULL;
		tlb->end = 0;
	}
	for (unsigned long i = 0; i < tlb->nr; i++)
		vmsim_put_page(vm, tlb->pages[i]);
	tlb->nr = 0;
	/* tlb_table_flush(): no TLB can walk them any more. */
	for (unsigned long i = 0; i < tlb->nr_tables; i++)
		vmsim__table_free(vm, tlb->tables[i]);
	tlb->nr_tables = 0;
}

void tlb_finish_mmu(struct mmu_gather *tlb)
{
	tlb_flush_mmu(tlb);
	vmsim__free(tlb->mm->vm, tlb->pages);
	vmsim__free(tlb->mm->vm, tlb->tables);
	tlb->pages = NULL;
	tlb->tables = NULL;
	tlb->cap = tlb->cap_tables = 0;
	tlb->mm->tlb_flush_pending--;
}
