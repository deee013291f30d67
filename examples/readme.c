/* The README's example: a process, a mapping, a fork, and what pagemap says. */
#include <stdio.h>
#include <vmsim/vmsim.h>

int main(void)
{
	struct vmsim *vm;
	struct vmsim_mm *parent, *child;
	uint64_t a = 0x7f0000000000, pm[2];
	unsigned char byte = 0x5a;

	if (vmsim_new(NULL, &vm) || vmsim_mm_new(vm, &parent))
		return 1;
	vmsim_mmap(parent, a, 8192, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
		   VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0);
	vmsim_access(parent, -1, a, &byte, 1, true, NULL);	/* write fault */
	vmsim_fork(parent, &child);				/* COW-shares the page */
	vmsim_access(child, -1, a, &byte, 1, true, NULL);	/* child copies it */
	vmsim_pagemap(parent, a, 1, &pm[0]);
	vmsim_pagemap(child, a, 1, &pm[1]);
	printf("parent pfn %#llx excl %d, child pfn %#llx excl %d\n",
	       (unsigned long long)(pm[0] & PM_PFRAME_MASK), !!(pm[0] & PM_MMAP_EXCLUSIVE),
	       (unsigned long long)(pm[1] & PM_PFRAME_MASK), !!(pm[1] & PM_MMAP_EXCLUSIVE));
	vmsim_free(vm);	/* tears down both processes, frees everything */
	return (pm[0] & PM_PFRAME_MASK) == (pm[1] & PM_PFRAME_MASK);
}
