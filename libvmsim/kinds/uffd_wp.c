/* userfaultfd write-protection as it lives in the page tables: the uffd-wp
 * bit of present ptes (_PAGE_UFFD_WP) and of swap ptes (_PAGE_SWP_UFFD_WP),
 * and the uffd-wp PTE marker that keeps the protection of a none pte in
 * file memory (and anonymous memory with WP_UNPOPULATED).  One file for
 * what Linux spreads over mm/memory.c (do_wp_page, handle_pte_marker,
 * vmf_orig_pte_uffd_wp, copy_present_pte, zap_install_uffd_wp_if_needed,
 * zap_nonpresent_ptes), mm/mprotect.c (change_pte_range), mm/mremap.c
 * (move_ptes: cleared without UFFD_FEATURE_EVENT_REMAP, 6.13+),
 * include/linux/mm_inline.h (copy_pte_marker, pte_install_uffd_wp_if_needed),
 * include/linux/userfaultfd_k.h and fs/proc/task_mmu.c (PM_UFFD_WP). */
#include <stdio.h>

#include "../mm/mm_internal.h"
#include "builtin.h"

static pte_t clear_bit(pte_t pte)
{
	return pte_present(pte) ? pte_clear_uffd_wp(pte) : pte_swp_clear_uffd_wp(pte);
}

/* ---- the marker ---- */

/* pte_marker_handle_uffd_wp(): a leftover marker of an unregistered range
 * is just cleared (pte_marker_clear); otherwise the fault proceeds as on a
 * none pte, and the new pte inherits uffd-wp (bit_inherit below). */
static unsigned marker_fault(const struct vmsim_kind *k, struct vm_fault *vmf)
{
	(void)k;
	if (!userfaultfd_wp(vmf->vma)) {
		vmsim__set_pte_at(vmf->vma->vm_mm, vmf->address, vmf->pte, __pte(0));
		return 0;
	}
	return vmsim__do_pte_missing(vmf);
}

/* copy_pte_marker(): only a child that is itself uffd-wp keeps it. */
static int marker_copy(const struct vmsim_kind *k, struct vm_area_struct *dst, struct vm_area_struct *src,
		       uint64_t addr, pte_t *src_ptep, pte_t *child)
{
	(void)k;
	(void)src;
	(void)addr;
	*child = userfaultfd_wp(dst) ? *src_ptep : __pte(0);
	return 0;
}

/* zap_nonpresent_ptes(): anonymous zaps drop it; file zaps keep it unless
 * markers go (munmap, exit, unmap_mapping_folio). */
static bool marker_zap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
		       const struct zap_details *d)
{
	(void)k;
	(void)addr;
	(void)pte;
	return vma_is_anonymous(vma) || zap_drop_markers(d);
}

/* change_pte_range(): UFFDIO_WRITEPROTECT resolve (and unregister) drops
 * it; mprotect and protect leave it. */
static pte_t marker_change_prot(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr,
				pte_t pte, unsigned long cp_flags)
{
	(void)k;
	(void)vma;
	(void)addr;
	return (cp_flags & MM_CP_UFFD_WP_RESOLVE) ? __pte(0) : pte;
}

/* move_ptes(): without EVENT_REMAP the moved range forgets uffd-wp. */
static pte_t marker_move(const struct vmsim_kind *k, struct vm_area_struct *old_vma,
			 struct vm_area_struct *new_vma, pte_t pte)
{
	(void)k;
	(void)new_vma;
	return vmsim__userfaultfd_without_event_remap(old_vma) ? __pte(0) : pte;
}

static uint64_t marker_pagemap(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte)
{
	(void)k;
	(void)vma;
	(void)pte;
	return PM_UFFD_WP;	/* pte_marker_entry_uffd_wp() */
}

static int marker_describe(const struct vmsim_kind *k, pte_t pte, char *buf, size_t size)
{
	(void)k;
	(void)pte;
	return snprintf(buf, size, "uffd-wp marker");
}

/* ---- the bit ---- */

/* vma_needs_copy(): the tables hold protection a refault cannot recreate.
 * The quirk brings back the bug of skipping them. */
static bool wp_needs_copy(const struct vmsim_kind *k, const struct vm_area_struct *dst,
			  const struct vm_area_struct *src)
{
	(void)src;
	return userfaultfd_wp(dst) && !vmsim__quirk(k->vm, VMSIM_QUIRK_FORK_SKIPS_UFFD_WP);
}

/* copy_present_pte()/copy_nonpresent_pte(): a child without uffd-wp (no
 * EVENT_FORK) gets the pte without the bit. */
static pte_t wp_bit_copy(const struct vmsim_kind *k, struct vm_area_struct *dst, struct vm_area_struct *src,
			 pte_t old, pte_t child)
{
	(void)k;
	(void)src;
	(void)old;
	return userfaultfd_wp(dst) ? child : clear_bit(child);
}

/* pte_install_uffd_wp_if_needed(): a file vma that is uffd-wp keeps the
 * protection of a zapped pte as a marker. */
static pte_t wp_bit_zap(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pteval,
			const struct zap_details *d)
{
	bool armed;

	(void)k;
	(void)d;
	if (!userfaultfd_wp(vma))
		return __pte(0);
	armed = pte_present(pteval) ? pte_uffd_wp(pteval) : pte_swp_uffd_wp_any(pteval);
	return armed ? make_pte_marker(PTE_MARKER_UFFD_WP) : __pte(0);
}

/* change_pte_range(): protect sets the bit (and write-protects), resolve
 * clears it; present and swap ptes alike. */
static pte_t wp_bit_change_prot(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte,
				unsigned long cp_flags)
{
	(void)k;
	(void)vma;
	if (cp_flags & MM_CP_UFFD_WP)
		return pte_present(pte) ? pte_mkuffd_wp(pte) : pte_swp_mkuffd_wp(pte);
	if (cp_flags & MM_CP_UFFD_WP_RESOLVE)
		return clear_bit(pte);
	return pte;
}

/* A none pte of memory whose page may live on (page cache; or anonymous
 * with WP_UNPOPULATED) is protected with a marker. */
static bool wp_populate_needed(const struct vmsim_kind *k, struct vm_area_struct *vma, unsigned long cp_flags)
{
	(void)k;
	return (cp_flags & MM_CP_UFFD_WP) && vmsim__userfaultfd_wp_use_markers(vma);
}

static pte_t wp_none_change_prot(const struct vmsim_kind *k, struct vm_area_struct *vma, unsigned long cp_flags)
{
	return wp_populate_needed(k, vma, cp_flags) ? make_pte_marker(PTE_MARKER_UFFD_WP) : __pte(0);
}

/* can_change_pte_writable(): a protected pte needs its write fault. */
static bool wp_bit_may_write(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte)
{
	(void)k;
	return !(userfaultfd_wp(vma) && pte_uffd_wp(pte));
}

static pte_t wp_bit_move(const struct vmsim_kind *k, struct vm_area_struct *old_vma, pte_t pte)
{
	(void)k;
	return vmsim__userfaultfd_without_event_remap(old_vma) ? clear_bit(pte) : pte;
}

/* do_wp_page(): a protected pte goes to the handler; with WP_ASYNC the
 * bit is dropped in place and the write goes on (reuse or COW). */
static unsigned wp_bit_wp_fault(const struct vmsim_kind *k, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	(void)k;
	if (!userfaultfd_wp(vma) || !pte_uffd_wp(vmf->orig_pte))
		return 0;
	if (!vmsim__userfaultfd_wp_async(vma))
		return vmsim__handle_userfault(vmf, VM_UFFD_WP);
	vmf->orig_pte = pte_clear_uffd_wp(vmf->orig_pte);
	vmsim__set_pte_at(vma->vm_mm, vmf->address, vmf->pte, vmf->orig_pte);
	return 0;
}

/* wp_huge_pmd() (userfaultfd_huge_pmd_wp): the handler hears of a write to
 * a protected PMD; with WP_ASYNC the PMD is split and the pte level takes
 * the write (do_wp_page above drops the bit there). */
static unsigned wp_pmd_bit_wp_fault(const struct vmsim_kind *k, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	(void)k;
	if (!userfaultfd_wp(vma) || !pmd_uffd_wp(vmf->orig_pmd))
		return 0;
	if (!vmsim__userfaultfd_wp_async(vma))
		return vmsim__handle_userfault(vmf, VM_UFFD_WP);
	/* hugetlb_fault(): a hugetlb entry drops the bit in place and goes
	 * on to COW; a THP's PMD is split for the pte level. */
	if (!is_vm_hugetlb_page(vma))
		return VM_FAULT_FALLBACK;
	vmf->orig_pmd = pmd_clear_uffd_wp(vmf->orig_pmd);
	vmsim__set_pmd_at(vma->vm_mm, vmf->address, vmf->pmd, vmf->orig_pmd);
	return 0;
}

/* vmf_orig_pte_uffd_wp(): a fault on a uffd-wp marker of a uffd-wp vma
 * builds a read-only, uffd-wp pte; an unshare (wp_page_copy) keeps the bit
 * of the pte it replaces. */
static pte_t wp_bit_inherit(const struct vmsim_kind *k, const struct vm_fault *vmf, pte_t pte)
{
	(void)k;
	if (pte_present(vmf->orig_pte))
		return pte_uffd_wp(vmf->orig_pte) ? pte_mkuffd_wp(pte) : pte;
	if (userfaultfd_wp(vmf->vma) && pte_is_uffd_wp_marker(vmf->orig_pte))
		return pte_mkuffd_wp(pte);
	return pte;
}

const struct vmsim_kind_ops vmsim_kind_uffd_wp = {
	.name = "uffd_wp",
	.flags = VMSIM_KIND_NO_COLLAPSE,
	.marker = PTE_MARKER_UFFD_WP,
	.priority = 10,
	.pte_bit = _PAGE_UFFD_WP,
	.swp_bit = _PAGE_SWP_UFFD_WP,
	.pm_flag = PM_UFFD_WP,
	.cp_flags = MM_CP_UFFD_WP | MM_CP_UFFD_WP_RESOLVE,
	.fault = marker_fault,
	.needs_copy = wp_needs_copy,
	.copy = marker_copy,
	.zap = marker_zap,
	.change_prot = marker_change_prot,
	.move = marker_move,
	.pagemap = marker_pagemap,
	.describe = marker_describe,
	.bit_copy = wp_bit_copy,
	.bit_zap = wp_bit_zap,
	.bit_change_prot = wp_bit_change_prot,
	.none_change_prot = wp_none_change_prot,
	.populate_needed = wp_populate_needed,
	.bit_may_write = wp_bit_may_write,
	.bit_move = wp_bit_move,
	.bit_wp_fault = wp_bit_wp_fault,
	.bit_inherit = wp_bit_inherit,
	.pmd_bit_wp_fault = wp_pmd_bit_wp_fault,
};
