/* A prototype PTE marker in one file (docs/new-pte-type.md): "softdirty"
 * keeps the soft-dirty state of a shared file page whose pte is zapped
 * while the page stays in the page cache (MADV_DONTNEED of shmem), so that
 * /proc/PID/pagemap goes on reporting PM_SOFT_DIRTY for it until
 * `clear_refs` forgets soft-dirty state.
 *
 * Why: a soft-dirty tracker (CRIU's incremental dumps) writes 4 to
 * clear_refs, lets the task run, then reads pagemap for the pages written
 * since.  On Linux 6.18 a shmem page written and then MADV_DONTNEED'd
 * shows sd=0: the zap took its soft-dirty pte away, the page cache kept
 * the new data, and the next dump misses the change.  A marker left in
 * the slot remembers it, as the uffd-wp marker remembers write protection.
 *
 * What a kernel patch would touch (each hook below names its place):
 *   include/linux/swapops.h   PTE_MARKER_SOFT_DIRTY, a new marker bit
 *                             (the registry hands out bit 3, the first free
 *                             one; PTE_MARKER_MASK grows by it)
 *   mm/memory.c               zap_install_uffd_wp_if_needed() and
 *                             zap_pte_range(): leave the marker when a
 *                             soft-dirty pte of a file vma is zapped and
 *                             markers are kept (bit_zap); zap_nonpresent_ptes():
 *                             keep it unless markers go: munmap, exit (zap);
 *                             handle_pte_marker(): fault as on a none pte
 *                             (fault), and set_pte_range(): the new pte is
 *                             soft-dirty, like vmf_orig_pte_uffd_wp() (bit_inherit)
 *   include/linux/mm_inline.h copy_pte_marker(): keep the bit (copy)
 *   mm/mprotect.c             change_pte_range(): keep it on uffd-wp resolve,
 *                             which clears every marker but poison and guard
 *                             (change_prot)
 *   fs/proc/task_mmu.c        pte_to_pagemap_entry(): PM_SOFT_DIRTY (pagemap);
 *                             clear_refs_pte_range(): pte_clear() it
 *                             (clear_soft_dirty)
 * and, as the conformance matrix shows (`vmsim kinds --kind
 * kind_softdirty.so --only softdirty`), mm/madvise.c too:
 * MADV_GUARD_INSTALL over the marker in shmem spins forever, exactly as it
 * does over a uffd-wp marker (its zap keeps markers); guard_install_pte_entry()
 * would have to replace it.  What needs no change: move_ptes() (moved as it
 * is), smaps (counts nothing), the swap paths.  Pagemap still reports the
 * marker with PM_SWAP, as it reports every marker.
 *
 * Build it three ways against an installed libvmsim:
 *   cc -o kind_softdirty kind_softdirty.c $(pkg-config --cflags --libs vmsim)
 *       this program: the checks below, exit 0 when they hold
 *   cc -shared -fPIC -DVMSIM_KIND_SO -o kind_softdirty.so kind_softdirty.c \
 *       $(pkg-config --cflags vmsim)
 *       a kind for `vmsim run --kind ./kind_softdirty.so kind_softdirty.vms`
 *       and the matrix
 *   #define VMSIM_KIND_SO and #include it in a CMocka test
 *       (sim-tests/unit/test_kind_softdirty.c) */
#include <stdio.h>

#include <vmsim/vmsim.h>

static bool is_softdirty_marker(const struct vmsim_kind *k, pte_t pte)
{
	softleaf_t e = softleaf_from_pte(pte);

	return softleaf_is_marker(e) && (softleaf_to_marker(e) & vmsim_kind_marker(k));
}

/* handle_pte_marker(): the page is still in the page cache: fault it in
 * as on a none pte (bit_inherit makes the new pte soft-dirty). */
static unsigned sd_fault(const struct vmsim_kind *k, struct vm_fault *vmf)
{
	(void)k;
	return vmsim_do_pte_missing(vmf);
}

/* copy_pte_marker(): the child's copy of the tables keeps it. */
static int sd_copy(const struct vmsim_kind *k, struct vm_area_struct *dst, struct vm_area_struct *src,
		   uint64_t addr, pte_t *src_ptep, pte_t *child)
{
	(void)k;
	(void)dst;
	(void)src;
	(void)addr;
	*child = *src_ptep;
	return 0;
}

/* zap_nonpresent_ptes(): like a file uffd-wp marker, it stays through
 * MADV_DONTNEED, a punched hole and truncation (no ZAP_FLAG_DROP_MARKER)
 * and goes with munmap and exit. */
static bool sd_zap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
		   const struct zap_details *d)
{
	(void)k;
	(void)addr;
	(void)pte;
	return vma_is_anonymous(vma) || zap_drop_markers(d);
}

/* change_pte_range(): mprotect and uffd-wp leave it alone. */
static pte_t sd_change_prot(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
			    unsigned long cp_flags)
{
	(void)k;
	(void)vma;
	(void)addr;
	(void)cp_flags;
	return pte;
}

/* pte_to_pagemap_entry(): the point of it all. */
static uint64_t sd_pagemap(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte)
{
	(void)k;
	(void)vma;
	(void)pte;
	return PM_SOFT_DIRTY;
}

/* clear_refs_pte_range(): soft-dirty forgotten, the marker has no reason
 * to stay. */
static pte_t sd_clear_soft_dirty(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr,
				 pte_t pte)
{
	(void)k;
	(void)vma;
	(void)addr;
	(void)pte;
	return __pte(0);
}

static int sd_describe(const struct vmsim_kind *k, pte_t pte, char *buf, size_t size)
{
	(void)k;
	(void)pte;
	return snprintf(buf, size, "soft-dirty marker");
}

/* zap_install_uffd_wp_if_needed()'s sibling: a soft-dirty pte of a file
 * vma leaves the marker behind (a vma still VM_SOFTDIRTY as a whole
 * reports every page soft-dirty anyway). */
static pte_t sd_bit_zap(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pteval,
			const struct zap_details *d)
{
	(void)d;
	if (vma_is_anonymous(vma) || (vma->vm_flags & VM_SOFTDIRTY))
		return __pte(0);
	if (!pte_present(pteval) || !pte_soft_dirty(pteval))
		return __pte(0);
	return make_pte_marker(vmsim_kind_marker(k));
}

/* set_pte_range(): the pte that replaces the marker is soft-dirty, as
 * vmf_orig_pte_uffd_wp() makes it uffd-wp. */
static pte_t sd_bit_inherit(const struct vmsim_kind *k, const struct vm_fault *vmf, pte_t pte)
{
	return is_softdirty_marker(k, vmf->orig_pte) ? pte_mksoft_dirty(pte) : pte;
}

static const struct vmsim_kind_ops softdirty_kind = {
	.name = "softdirty",
	.flags = VMSIM_KIND_ALLOC_MARKER,
	.priority = 5,			/* uffd-wp (10) answers a fault on both */
	.pte_bit = _PAGE_SOFT_DIRTY,	/* so that zap asks bit_zap about it */
	.fault = sd_fault,
	.copy = sd_copy,
	.zap = sd_zap,
	.change_prot = sd_change_prot,
	.pagemap = sd_pagemap,
	.clear_soft_dirty = sd_clear_soft_dirty,
	.describe = sd_describe,
	.bit_zap = sd_bit_zap,
	.bit_inherit = sd_bit_inherit,
};

/* The entry point of the shared object (`--kind kind_softdirty.so`). */
int vmsim_kind_init(struct vmsim *vm)
{
	return vmsim_kind_register(vm, &softdirty_kind, NULL);
}

#ifndef VMSIM_KIND_SO

#define A	0x7f0000000000ULL
#define PG	4096ULL

static int failed;

static void check(bool ok, const char *what)
{
	printf("%s: %s\n", ok ? "ok" : "FAILED", what);
	failed |= !ok;
}

static uint64_t pm(struct vmsim_mm *mm, uint64_t addr)
{
	uint64_t e = 0;

	vmsim_pagemap(mm, addr, 1, &e);
	return e;
}

/* clear_refs, write, MADV_DONTNEED on a shared shmem page: is the page
 * still reported soft-dirty?  With or without the kind. */
static int dontneed_keeps_sd(bool with_kind, struct vmsim **out, struct vmsim_mm **mmp)
{
	struct vmsim_config cfg;
	struct vmsim_file *f;
	struct vmsim *vm;
	struct vmsim_mm *mm;
	unsigned char b = 0x5a;

	vmsim_config_init(&cfg);
	cfg.check = VMSIM_CHECK_FULL;
	if (vmsim_new(&cfg, &vm))
		return -1;
	*out = vm;
	if ((with_kind && vmsim_kind_init(vm)) || vmsim_mm_new(vm, &mm) ||
	    vmsim_file_new(vm, "F", VMSIM_FILE_SHMEM, 4 * PG, &f) ||
	    vmsim_mmap(mm, A, 4 * PG, VMSIM_PROT_READ | VMSIM_PROT_WRITE, VMSIM_MAP_SHARED, f, 0) ||
	    vmsim_clear_refs(mm, 4) || vmsim_access(mm, -1, A, &b, 1, true, NULL) ||
	    vmsim_madvise(mm, A, PG, VMSIM_MADV_DONTNEED))
		return -1;
	*mmp = mm;
	return (pm(mm, A) & PM_SOFT_DIRTY) != 0;
}

int main(void)
{
	struct vmsim *linux_vm = NULL, *vm = NULL;
	struct vmsim_mm *mm, *lmm;
	const struct vmsim_kind *k;
	unsigned char b = 0;

	/* Linux 6.18 as it is: the zap forgets that the page was written. */
	check(dontneed_keeps_sd(false, &linux_vm, &lmm) == 0,
	      "without the kind: a written shmem page reads sd=0 after MADV_DONTNEED");
	check(dontneed_keeps_sd(true, &vm, &mm) == 1,
	      "with the kind: it still reads sd=1");
	if (!vm)
		return 1;
	k = vmsim_kind_lookup(vm, "softdirty");
	check(k && vmsim_kind_marker(k) == (1UL << 3), "given marker bit 3, the first free one");
	check((pm(mm, A) & (PM_SWAP | PM_PRESENT)) == PM_SWAP, "pagemap: a non-present entry, swap=1 like any marker");
	check(!(pm(mm, A + PG) & PM_SOFT_DIRTY), "a page nobody wrote stays sd=0");
	/* A fault maps the page cache's page again: its pte is soft-dirty. */
	check(vmsim_access(mm, -1, A, &b, 1, false, NULL) == 0 && b == 0x5a, "a read finds the data in the page cache");
	check((pm(mm, A) & (PM_PRESENT | PM_SOFT_DIRTY)) == (PM_PRESENT | PM_SOFT_DIRTY),
	      "the new pte is present and soft-dirty");
	/* clear_refs forgets it, marker and all. */
	vmsim_madvise(mm, A, PG, VMSIM_MADV_DONTNEED);
	check(vmsim_clear_refs(mm, 4) == 0 && pm(mm, A) == 0, "clear_refs clears the marker: the slot is none, sd=0");
	/* munmap takes markers away with the vma. */
	b = 1;
	vmsim_access(mm, -1, A, &b, 1, true, NULL);
	vmsim_madvise(mm, A, PG, VMSIM_MADV_DONTNEED);
	check(pm(mm, A) & PM_SOFT_DIRTY, "written again, zapped again: sd=1");
	check(vmsim_munmap(mm, A, 4 * PG) == 0 && pm(mm, A) == 0, "munmap drops the marker");
	check(vmsim_bug_count(vm) == 0 && vmsim_bug_count(linux_vm) == 0, "no invariant broken at check=full");
	vmsim_free(vm);
	vmsim_free(linux_vm);
	return failed;
}

#endif /* VMSIM_KIND_SO */
