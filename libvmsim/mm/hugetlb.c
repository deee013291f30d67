/* hugetlbfs (mm/hugetlb.c): work in progress. */
#include "mm_internal.h"

unsigned vmsim__hugetlb_fault(struct vm_fault *vmf)
{
	(void)vmf;
	return VM_FAULT_SIGBUS;
}

void vmsim__unmap_hugepage_range(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start,
				 uint64_t end, struct zap_details *d)
{
	(void)tlb; (void)vma; (void)start; (void)end; (void)d;
}

int vmsim__copy_hugetlb_page_range(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	(void)dst; (void)src;
	return 0;
}

long vmsim__hugetlb_change_protection(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start,
				      uint64_t end, unsigned long cp_flags)
{
	(void)tlb; (void)vma; (void)start; (void)end; (void)cp_flags;
	return 0;
}

int vmsim__move_hugetlb_page_tables(struct vm_area_struct *ov, struct vm_area_struct *nv, uint64_t old,
				    uint64_t new, uint64_t len)
{
	(void)ov; (void)nv; (void)old; (void)new; (void)len;
	return 0;
}

int vmsim__hugetlb_split(struct vm_area_struct *vma, uint64_t addr)
{
	(void)vma;
	return (addr & ~PMD_MASK) ? -EINVAL : 0;
}

uint64_t vmsim__pagemap_hugetlb(struct vm_area_struct *vma, uint64_t addr)
{
	(void)vma; (void)addr;
	return 0;
}
