/* The guard-region PTE marker (MADV_GUARD_INSTALL, Linux 6.13+): any access
 * is SIGSEGV; fork always copies it; mprotect leaves it; zap keeps it unless
 * markers are dropped (munmap, exit).  Follows mm/madvise.c guard_install_*,
 * mm/memory.c handle_pte_marker/zap_nonpresent_ptes, mm_inline.h
 * copy_pte_marker, fs/proc/task_mmu.c (PM_GUARD_REGION). */
#include <stdio.h>

#include "../mm/mm_internal.h"

static bool guard_match(softleaf_t e)
{
	return softleaf_is_guard_marker(e) && !softleaf_is_poison_marker(e);
}

static unsigned guard_fault(struct vm_fault *vmf)
{
	(void)vmf;
	return VM_FAULT_SIGSEGV;
}

/* copy_pte_marker(): guard markers are copied whatever the child is. */
static pte_t guard_copy(struct vm_area_struct *dst, struct vm_area_struct *src, pte_t *src_ptep,
			pte_t pte, uint64_t addr)
{
	pte_marker m = softleaf_to_marker(softleaf_from_pte(pte)) & PTE_MARKER_GUARD;

	(void)src;
	(void)src_ptep;
	(void)addr;
	if (userfaultfd_wp(dst))
		m |= softleaf_to_marker(softleaf_from_pte(pte)) & PTE_MARKER_UFFD_WP;
	return make_pte_marker(m);
}

/* Only a zap that drops markers (munmap, exit) removes a guard region. */
static bool guard_zap(struct vm_area_struct *vma, pte_t pte, const struct zap_details *d)
{
	(void)vma;
	(void)pte;
	return d && (d->zap_flags & ZAP_FLAG_DROP_MARKER);
}

/* change_pte_range() skips guard markers, mprotect and uffd-wp alike. */
static pte_t guard_change_prot(struct vm_area_struct *vma, pte_t pte, unsigned long cp_flags)
{
	(void)vma;
	(void)cp_flags;
	return pte;
}

static uint64_t guard_pagemap(pte_t pte)
{
	softleaf_t e = softleaf_from_pte(pte);
	uint64_t flags = PM_GUARD_REGION;

	if (softleaf_is_uffd_wp_marker(e))
		flags |= PM_UFFD_WP;
	/* frame: swap type | offset << 5, as pagemap shows any swap entry. */
	return flags | ((uint64_t)swp_type(e) | ((uint64_t)swp_offset(e) << MAX_SWAPFILES_SHIFT));
}

static int guard_describe(pte_t pte, char *buf, size_t size)
{
	(void)pte;
	return snprintf(buf, size, "guard marker");
}

const struct vmsim_kind_ops vmsim_kind_guard = {
	.name = "marker_guard",
	.match = guard_match,
	.fault = guard_fault,
	.copy = guard_copy,
	.zap = guard_zap,
	.change_prot = guard_change_prot,
	.pagemap = guard_pagemap,
	.describe = guard_describe,
};
