/* The hwpoison entry: memory_failure() unmapped a page with an
 * uncorrectable error and left this entry, naming the frame, in every pte
 * that mapped it.  An access is VM_FAULT_HWPOISON (SIGBUS, BUS_MCEERR_AR);
 * fork copies it as it is; zap removes it only when it would remove
 * private COW copies too (should_zap_cows); mprotect and mremap keep it;
 * it holds nothing (the frame is kept out of use by memory_failure).
 * Follows mm/memory.c (do_swap_page, copy_nonpresent_pte,
 * zap_nonpresent_ptes), mm/rmap.c (try_to_unmap_one with TTU_HWPOISON)
 * and fs/proc/task_mmu.c of Linux 6.18. */
#include <stdio.h>

#include "../mm/mm_internal.h"
#include "builtin.h"

static unsigned hwpoison_fault(const struct vmsim_kind *k, struct vm_fault *vmf)
{
	(void)k;
	(void)vmf;
	return VM_FAULT_HWPOISON;
}

static bool hwpoison_zap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
			 const struct zap_details *d)
{
	(void)k;
	(void)vma;
	(void)addr;
	(void)pte;
	return should_zap_cows(d);
}

static uint64_t hwpoison_pagemap(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte)
{
	swp_entry_t e = pte_to_swp_entry(pte);

	(void)k;
	(void)vma;
	return ((uint64_t)swp_type(e) | ((uint64_t)swp_offset_pfn(e) << MAX_SWAPFILES_SHIFT)) & PM_PFRAME_MASK;
}

static void hwpoison_hold(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte,
			  struct vmsim_kind_hold *h)
{
	(void)k;
	(void)vma;
	h->pfn = swp_offset_pfn(pte_to_swp_entry(pte));
}

/* try_to_unmap_one(TTU_HWPOISON): make_hwpoison_entry(subpage). */
static int hwpoison_unmap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pteval,
			  struct vmsim_page *page, bool anon_exclusive, pte_t *out)
{
	(void)vma;
	(void)addr;
	(void)pteval;
	(void)anon_exclusive;
	*out = swp_entry_to_pte(make_hwpoison_entry(vmsim_page_to_pfn(k->vm, page)));
	return 0;
}

static int hwpoison_describe(const struct vmsim_kind *k, pte_t pte, char *buf, size_t size)
{
	(void)k;
	return snprintf(buf, size, "hwpoison pfn %#lx", swp_offset_pfn(pte_to_swp_entry(pte)));
}

/* fork copies it as it is, mprotect and mremap keep it: the defaults. */
const struct vmsim_kind_ops vmsim_kind_hwpoison = {
	.name = VMSIM_KIND_HWPOISON_NAME,
	.types = 1u << SOFTLEAF_HWPOISON,
	.fault = hwpoison_fault,
	.zap = hwpoison_zap,
	.pagemap = hwpoison_pagemap,
	.describe = hwpoison_describe,
	.hold = hwpoison_hold,
	.unmap = hwpoison_unmap,
};
