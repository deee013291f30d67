/* A kind with a bug on purpose, for the tool's tests: its fault hook maps
 * a frame it never took (no reference, no rmap, no rss), which the
 * checker at check=full reports.  `vmsim run` then exits 3, and the
 * conformance matrix calls the cells INTERNAL BUG and exits 3. */
#include <vmsim/vmsim.h>

static unsigned buggy_fault(const struct vmsim_kind *k, struct vm_fault *vmf)
{
	(void)k;
	vmsim_set_pte_at(vmf->vma->vm_mm, vmf->address, vmf->pte, pfn_pte(7, PAGE_READONLY));
	return 0;
}

static const struct vmsim_kind_ops buggy_kind = {
	.name = "buggy",
	.flags = VMSIM_KIND_ALLOC_MARKER,
	.fault = buggy_fault,
};

int vmsim_kind_init(struct vmsim *vm)
{
	return vmsim_kind_register(vm, &buggy_kind, NULL);
}
