/* The uffd-wp PTE marker: a none pte of file memory (or of anonymous
 * memory with WP_UNPOPULATED) that still remembers "write-protected".
 * Follows mm/memory.c (handle_pte_marker, pte_marker_handle_uffd_wp,
 * zap_nonpresent_ptes), mm/mprotect.c (change_pte_range), mm_inline.h
 * (copy_pte_marker) and fs/proc/task_mmu.c (PM_UFFD_WP). */
#include <stdio.h>

#include "../mm/mm_internal.h"

/* Guard and poison win over uffd-wp in a combined marker. */
static bool uffd_wp_match(softleaf_t e)
{
	return softleaf_is_uffd_wp_marker(e) && !softleaf_is_guard_marker(e) && !softleaf_is_poison_marker(e);
}

/* pte_marker_handle_uffd_wp(): a leftover marker of an unregistered range
 * is just cleared; otherwise the fault proceeds as on a none pte, and the
 * new pte inherits uffd-wp (vmf_orig_pte_uffd_wp). */
static unsigned uffd_wp_fault(struct vm_fault *vmf)
{
	if (!userfaultfd_wp(vmf->vma)) {
		vmsim__set_pte_at(vmf->vma->vm_mm, vmf->address, vmf->pte, __pte(0));
		return 0;
	}
	return vmsim__do_pte_missing(vmf);
}

/* copy_pte_marker(): only a child that is itself uffd-wp keeps it. */
static pte_t uffd_wp_copy(struct vm_area_struct *dst, struct vm_area_struct *src, pte_t *src_ptep,
			  pte_t pte, uint64_t addr)
{
	(void)src;
	(void)src_ptep;
	(void)addr;
	(void)pte;
	return userfaultfd_wp(dst) ? make_pte_marker(PTE_MARKER_UFFD_WP) : __pte(0);
}

/* Anonymous zaps drop everything; file zaps keep it unless markers go. */
static bool uffd_wp_zap(struct vm_area_struct *vma, pte_t pte, const struct zap_details *d)
{
	(void)pte;
	if (vma_is_anonymous(vma))
		return true;
	return d && (d->zap_flags & ZAP_FLAG_DROP_MARKER);
}

/* UFFDIO_WRITEPROTECT resolve (and unregister) drops it; mprotect keeps. */
static pte_t uffd_wp_change_prot(struct vm_area_struct *vma, pte_t pte, unsigned long cp_flags)
{
	(void)vma;
	return (cp_flags & MM_CP_UFFD_WP_RESOLVE) ? __pte(0) : pte;
}

static uint64_t uffd_wp_pagemap(pte_t pte)
{
	softleaf_t e = softleaf_from_pte(pte);

	return PM_UFFD_WP | ((uint64_t)swp_type(e) | ((uint64_t)swp_offset(e) << MAX_SWAPFILES_SHIFT));
}

static int uffd_wp_describe(pte_t pte, char *buf, size_t size)
{
	(void)pte;
	return snprintf(buf, size, "uffd-wp marker");
}

const struct vmsim_kind_ops vmsim_kind_uffd_wp = {
	.name = "marker_uffd_wp",
	.match = uffd_wp_match,
	.fault = uffd_wp_fault,
	.copy = uffd_wp_copy,
	.zap = uffd_wp_zap,
	.change_prot = uffd_wp_change_prot,
	.pagemap = uffd_wp_pagemap,
	.describe = uffd_wp_describe,
};
