/* A prototype PTE kind from outside the library (docs/design.md, "How to
 * add a PTE kind"): a swap-like entry whose every access is SIGBUS, seen by
 * the fault path, pagemap, fork and munmap as mm/memory.c and
 * fs/proc/task_mmu.c see any non-present entry. */
#include <stdio.h>

#include <vmsim/vmsim.h>

/* A swap PTE of type 7 (a swap-file type no simulated swap device uses);
 * its offset is a tag the kind keeps. */
#define DEMO_TYPE 7

static bool demo_match(softleaf_t e)
{
	return softleaf_is_swap(e) && swp_type(e) == DEMO_TYPE;
}

/* Out of the tree the vm_fault is opaque: answer with a constant. */
static unsigned demo_fault(struct vm_fault *vmf)
{
	(void)vmf;
	return VM_FAULT_SIGBUS;
}

static pte_t demo_copy(struct vm_area_struct *dst, struct vm_area_struct *src, pte_t *src_ptep,
		       pte_t pte, uint64_t addr)
{
	(void)dst, (void)src, (void)src_ptep, (void)addr;
	return pte;
}

static bool demo_zap(struct vm_area_struct *vma, pte_t pte, const struct zap_details *d)
{
	(void)vma, (void)pte, (void)d;
	return true;
}

static pte_t demo_change_prot(struct vm_area_struct *vma, pte_t pte, unsigned long cp_flags)
{
	(void)vma, (void)cp_flags;
	return pte;
}

/* The frame field as task_mmu.c fills it for a swap entry. */
static uint64_t demo_pagemap(pte_t pte)
{
	softleaf_t e = softleaf_from_pte(pte);

	return swp_type(e) | ((uint64_t)swp_offset(e) << MAX_SWAPFILES_SHIFT);
}

static int demo_describe(pte_t pte, char *buf, size_t size)
{
	return snprintf(buf, size, "demo tag %lu", swp_offset(softleaf_from_pte(pte)));
}

static const struct vmsim_kind_ops demo_kind = {
	.name = "demo",
	.match = demo_match,
	.fault = demo_fault,
	.copy = demo_copy,
	.zap = demo_zap,
	.change_prot = demo_change_prot,
	.pagemap = demo_pagemap,
	.describe = demo_describe,
};

static int failed;

static void check(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAILED", what);
	failed |= !ok;
}

int main(void)
{
	const uint64_t a = 0x7f0000000000, b = a + 4096;
	struct vmsim_config cfg;
	struct vmsim *vm;
	struct vmsim_mm *mm, *c1, *c2;
	unsigned char byte = 1;
	uint64_t pm;
	pte_t *ptep;

	vmsim_config_init(&cfg);
	cfg.check = VMSIM_CHECK_FULL;
	if (vmsim_kind_register(&demo_kind) || vmsim_new(&cfg, &vm) || vmsim_mm_new(vm, &mm) ||
	    vmsim_mmap(mm, a, 2 * 4096, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
		       VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0))
		return 1;
	/* Install one entry in a none slot (nothing to flush). */
	ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), a, true);
	if (!ptep)
		return 1;
	vmsim_set_pte(vm, ptep, swp_entry_to_pte(swp_entry(DEMO_TYPE, 42)), a);

	check(vmsim_access(mm, -1, a, &byte, 1, false, NULL) == VMSIM_ACCESS_SIGBUS,
	      "an access reaches the kind's fault hook: SIGBUS");
	vmsim_pagemap(mm, a, 1, &pm);
	check((pm & PM_SWAP) && !(pm & PM_PRESENT) && (pm & PM_PFRAME_MASK) == (DEMO_TYPE | 42 << 5),
	      "pagemap: PM_SWAP, frame = type | offset << 5");

	/* No anon_vma yet: vma_needs_copy() says the child can refault. */
	vmsim_fork(mm, &c1);
	vmsim_pagemap(c1, a, 1, &pm);
	check(pm == PM_SOFT_DIRTY, "fork without an anon_vma leaves the child's entry none");

	/* One written page gives the vma an anon_vma: now fork copies. */
	vmsim_access(mm, -1, b, &byte, 1, true, NULL);
	vmsim_fork(mm, &c2);
	vmsim_pagemap(c2, a, 1, &pm);
	check((pm & PM_SWAP) && (pm & PM_PFRAME_MASK) == (DEMO_TYPE | 42 << 5),
	      "fork with an anon_vma calls the kind's copy hook");

	vmsim_munmap(c2, a, 4096);
	vmsim_pagemap(c2, a, 1, &pm);
	check(pm == 0, "munmap zaps it (the address is in no vma)");
	check(vmsim_bug_count(vm) == 0, "no invariant broken at check=full");
	vmsim_free(vm);
	return failed;
}
