/* The poisoned PTE marker (UFFDIO_POISON; also a swap-in error): the page
 * is gone for good, any access is VM_FAULT_HWPOISON (SIGBUS, BUS_MCEERR_AR);
 * fork copies it; mprotect leaves it; zap removes it only when it would
 * remove private COW copies too (should_zap_cows).  Follows
 * mm/userfaultfd.c (mfill_atomic_pte_poison), mm/memory.c
 * (handle_pte_marker, zap_nonpresent_ptes) and mm_inline.h
 * (copy_pte_marker) of Linux 6.18. */
#include <stdio.h>

#include "../mm/mm_internal.h"
#include "builtin.h"

static unsigned poison_fault(const struct vmsim_kind *k, struct vm_fault *vmf)
{
	(void)k;
	(void)vmf;
	return VM_FAULT_HWPOISON;	/* highest priority in handle_pte_marker() */
}

static int poison_copy(const struct vmsim_kind *k, struct vm_area_struct *dst, struct vm_area_struct *src,
		       uint64_t addr, pte_t *src_ptep, pte_t *child)
{
	(void)k;
	(void)dst;
	(void)src;
	(void)addr;
	*child = *src_ptep;
	return 0;
}

static bool poison_zap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
		       const struct zap_details *d)
{
	(void)k;
	(void)vma;
	(void)addr;
	(void)pte;
	return should_zap_cows(d);
}

/* change_pte_range() skips it by name ("any access should sigbus/sigsegv
 * anyway"), where another marker would go on uffd-wp resolve. */
static pte_t poison_change_prot(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr,
				pte_t pte, unsigned long cp_flags)
{
	(void)k;
	(void)vma;
	(void)addr;
	(void)cp_flags;
	return pte;
}

static int poison_describe(const struct vmsim_kind *k, pte_t pte, char *buf, size_t size)
{
	(void)k;
	(void)pte;
	return snprintf(buf, size, "poison marker");
}

const struct vmsim_kind_ops vmsim_kind_poison = {
	.name = "poison",
	.marker = PTE_MARKER_POISONED,
	.priority = 30,
	.fault = poison_fault,
	.copy = poison_copy,
	.zap = poison_zap,
	.change_prot = poison_change_prot,
	.describe = poison_describe,
};
