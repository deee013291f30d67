/* The guard-region PTE marker (MADV_GUARD_INSTALL, Linux 6.13+): any access
 * is SIGSEGV; fork always copies it; mprotect and uffd-wp leave it; zap
 * keeps it unless markers are dropped (munmap, exit); MADV_GUARD_REMOVE
 * clears it; pagemap shows PM_GUARD_REGION.  Follows mm/madvise.c
 * (madvise_guard_install/remove), mm/memory.c (handle_pte_marker,
 * zap_nonpresent_ptes), include/linux/mm_inline.h (copy_pte_marker),
 * mm/mprotect.c (change_pte_range) and fs/proc/task_mmu.c. */
#include <stdio.h>

#include "../mm/mm_internal.h"
#include "builtin.h"

static unsigned guard_fault(const struct vmsim_kind *k, struct vm_fault *vmf)
{
	(void)k;
	(void)vmf;
	return VM_FAULT_SIGSEGV;	/* hitting a guard page is always fatal */
}

/* copy_pte_marker(): guard markers are copied whatever the child is. */
static int guard_copy(const struct vmsim_kind *k, struct vm_area_struct *dst, struct vm_area_struct *src,
		      uint64_t addr, pte_t *src_ptep, pte_t *child)
{
	(void)k;
	(void)dst;
	(void)src;
	(void)addr;
	*child = *src_ptep;
	return 0;
}

/* Ordinary zapping does not remove guard markers; munmap and exit do. */
static bool guard_zap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
		      const struct zap_details *d)
{
	(void)k;
	(void)vma;
	(void)addr;
	(void)pte;
	return zap_drop_markers(d);
}

static bool guard_remove(const struct vmsim_kind *k, pte_t pte)
{
	(void)k;
	(void)pte;
	return true;
}

static uint64_t guard_pagemap(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte)
{
	(void)k;
	(void)vma;
	(void)pte;
	return PM_GUARD_REGION;
}

/* change_pte_range() skips it by name ("any access should sigbus/sigsegv
 * anyway"), where another marker would go on uffd-wp resolve. */
static pte_t guard_change_prot(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr,
				pte_t pte, unsigned long cp_flags)
{
	(void)k;
	(void)vma;
	(void)addr;
	(void)cp_flags;
	return pte;
}

static int guard_describe(const struct vmsim_kind *k, pte_t pte, char *buf, size_t size)
{
	(void)k;
	(void)pte;
	return snprintf(buf, size, "guard marker");
}

/* move_ptes() moves it as it is: the default. */
const struct vmsim_kind_ops vmsim_kind_guard = {
	.name = VMSIM_KIND_GUARD_NAME,
	.flags = VMSIM_KIND_ANON_VMA,
	.marker = PTE_MARKER_GUARD,
	.priority = 20,
	.fault = guard_fault,
	.copy = guard_copy,
	.zap = guard_zap,
	.change_prot = guard_change_prot,
	.guard_remove = guard_remove,
	.pagemap = guard_pagemap,
	.describe = guard_describe,
};
