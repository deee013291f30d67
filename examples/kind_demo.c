/* A prototype PTE kind from outside the library (docs/new-pte-type.md): a
 * special swap type whose entry carries a tag and makes every access
 * SIGBUS, registered, installed and seen by the fault path, pagemap, fork
 * and munmap as mm/memory.c and fs/proc/task_mmu.c see any non-present
 * entry.  Built only from the public headers:
 *   cc -o kind_demo kind_demo.c $(pkg-config --cflags --libs vmsim)
 *   cc -shared -fPIC -DVMSIM_KIND_SO -o kind_demo.so kind_demo.c $(pkg-config --cflags vmsim)
 * the second for `vmsim run --kind ./kind_demo.so` and `vmsim kinds`. */
#include <stdio.h>
#include <stdlib.h>

#include <vmsim/vmsim.h>

/* install ... demo TAG: the entry is swp_entry(the type we were given, TAG). */
static int demo_make(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr,
		     const char *args, pte_t *out)
{
	char *end;
	unsigned long tag = args ? strtoul(args, &end, 0) : 0;

	(void)vma;
	(void)addr;
	if (!args || *end || tag >= (1UL << 40))
		return -EINVAL;
	*out = swp_entry_to_pte(swp_entry((unsigned long)vmsim_kind_swap_type(k), tag));
	return 0;
}

/* A hook sees the fault: its address, whether it is a write, the entry
 * (kept here for main's checks; a hook must not print: in `vmsim run`
 * standard output is the scenario's). */
static uint64_t last_fault_addr;
static bool last_fault_write;
static unsigned long last_fault_tag;

static unsigned demo_fault(const struct vmsim_kind *k, struct vm_fault *vmf)
{
	(void)k;
	last_fault_addr = vmf->address;
	last_fault_write = vmf->flags & FAULT_FLAG_WRITE;
	last_fault_tag = swp_offset(softleaf_from_pte(vmf->orig_pte));
	return VM_FAULT_SIGBUS;
}

/* fork copies it as it is (copy_nonpresent_pte() would too). */
static int demo_copy(const struct vmsim_kind *k, struct vm_area_struct *dst, struct vm_area_struct *src,
		     uint64_t addr, pte_t *src_ptep, pte_t *child)
{
	(void)k;
	(void)dst;
	(void)src;
	(void)addr;
	*child = *src_ptep;
	return 0;
}

/* Every zap removes it; MADV_DONTNEED too (details NULL). */
static bool demo_zap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
		     const struct zap_details *d)
{
	(void)k;
	(void)vma;
	(void)addr;
	(void)pte;
	(void)d;
	return true;
}

static int demo_describe(const struct vmsim_kind *k, pte_t pte, char *buf, size_t size)
{
	(void)k;
	return snprintf(buf, size, "demo tag %lu", swp_offset(softleaf_from_pte(pte)));
}

static const struct vmsim_kind_ops demo_kind = {
	.name = "demo",
	.flags = VMSIM_KIND_ALLOC_SWAP_TYPE | VMSIM_KIND_COPY_ON_FORK,
	.example_args = "42",		/* what `vmsim kinds` installs */
	.make = demo_make,
	.fault = demo_fault,
	.copy = demo_copy,
	.zap = demo_zap,
	.describe = demo_describe,
};

/* The entry point of the shared object (`--kind kind_demo.so`). */
int vmsim_kind_init(struct vmsim *vm)
{
	return vmsim_kind_register(vm, &demo_kind, NULL);
}

#ifndef VMSIM_KIND_SO

static int failed;

static void check(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAILED", what);
	failed |= !ok;
}

int main(void)
{
	const uint64_t a = 0x7f0000000000;
	struct vmsim_config cfg;
	struct vmsim *vm;
	struct vmsim_mm *mm, *child;
	const struct vmsim_kind *k;
	unsigned char byte = 1;
	uint64_t pm;
	int type;

	vmsim_config_init(&cfg);
	cfg.check = VMSIM_CHECK_FULL;
	if (vmsim_new(&cfg, &vm) || vmsim_kind_init(vm) || !(k = vmsim_kind_lookup(vm, "demo")) ||
	    vmsim_mm_new(vm, &mm) ||
	    vmsim_mmap(mm, a, 2 * 4096, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
		       VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0))
		return 1;
	/* The first free special type, below Linux's HWPOISON (24). */
	type = vmsim_kind_swap_type(k);
	check(type == 23 && vmsim_max_swapfiles(vm) == 23, "given swap type 23; MAX_SWAPFILES is now 23");
	check(vmsim_kind_install(mm, a, 4096, "demo", "42") == 0, "installed with tag 42");
	check(vmsim_access(mm, -1, a, &byte, 1, true, NULL) == VMSIM_ACCESS_SIGBUS,
	      "an access reaches the kind's fault hook: SIGBUS");
	check(last_fault_addr == a && last_fault_write && last_fault_tag == 42,
	      "the hook saw the address, a write, and the entry's tag");
	vmsim_pagemap(mm, a, 1, &pm);
	check((pm & PM_SWAP) && !(pm & PM_PRESENT) && (pm & PM_PFRAME_MASK) == (uint64_t)(type | 42 << 5),
	      "pagemap: PM_SWAP, frame = type | offset << 5");
	/* No anon_vma: only VMSIM_KIND_COPY_ON_FORK makes fork copy it. */
	vmsim_fork(mm, &child);
	vmsim_pagemap(child, a, 1, &pm);
	check((pm & PM_SWAP) && (pm & PM_PFRAME_MASK) == (uint64_t)(type | 42 << 5),
	      "fork copies it through the kind's copy hook");
	vmsim_munmap(child, a, 4096);
	vmsim_pagemap(child, a, 1, &pm);
	check(pm == 0, "munmap zaps it (the address is in no vma)");
	check(vmsim_bug_count(vm) == 0, "no invariant broken at check=full");
	vmsim_free(vm);
	return failed;
}

#endif /* VMSIM_KIND_SO */
