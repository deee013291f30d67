/* The device-exclusive entry: a present pte of an anonymous page replaced by
 * swp_entry(SWP_DEVICE_EXCLUSIVE, pfn) while a device does atomics on the
 * page; any CPU access faults and takes the page back.  Follows Linux
 * 6.15+ (mm/memory.c: remove_device_exclusive_entry, restore_exclusive_pte,
 * try_restore_exclusive_pte, copy_nonpresent_pte, zap_nonpresent_ptes;
 * mm/rmap.c make_device_exclusive, which is mm/device_exclusive.c here):
 * the entry keeps the page's mapcount and reference, counts in rss, is
 * left alone by mprotect and mremap, pagemap shows it as a swap entry of
 * the pfn, smaps counts its page as resident but maybe shared.  devx=6.14 switches to the older semantics (a read and a
 * write type, mapcount dropped, mprotect turning write into read, the
 * restored pte writable whenever the entry was).  Quirks put back the
 * problems of the 2021 review (docs/quirks.md). */
#include <stdio.h>

#include "../mm/mm_internal.h"
#include "builtin.h"

static bool devx_614(const struct vmsim_kind *k)
{
	return k->vm->cfg.devx == VMSIM_DEVX_6_14;
}

static struct vmsim_page *entry_page(const struct vmsim_kind *k, pte_t pte)
{
	return vmsim_pfn_to_page(k->vm, softleaf_to_pfn(softleaf_from_pte(pte)));
}

/* 6.14: the writable entries have Linux's type, the readable ones the
 * special type the registry gave this kind (one below the others). */
static bool entry_writable_614(const struct vmsim_kind *k, pte_t pte)
{
	return swp_type(softleaf_from_pte(pte)) != (unsigned)k->swap_type;
}

/* ---- making one (make_device_exclusive()'s last step) ---- */

static int devx_from_present(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
			     pte_t *out)
{
	unsigned long pfn = pte_pfn(pte);
	pte_t swp;

	(void)vma;
	(void)addr;
	if (devx_614(k)) {
		/* page_make_device_exclusive_one(): the pte's write permission
		 * and uffd-wp bit are kept in the entry. */
		swp = swp_entry_to_pte(swp_entry(pte_write(pte) ? SWP_DEVICE_EXCLUSIVE : (unsigned)k->swap_type,
						 pfn));
		if (pte_uffd_wp(pte))
			swp = pte_swp_mkuffd_wp(swp);
	} else {
		/* The pte is writable, uffd-wp does not apply. */
		swp = swp_entry_to_pte(make_device_exclusive_entry(pfn));
	}
	if (pte_soft_dirty(pte))
		swp = pte_swp_mksoft_dirty(swp);
	*out = swp;
	return 0;
}

/* ---- restoring the pte ---- */

/* restore_exclusive_pte(): an old pte of the page, with the entry's
 * soft-dirty and uffd-wp.  6.15+: writable (dirty if the folio is) when
 * the vma allows writing and no tracking needs a write fault; the entry
 * kept the mapcount.  6.14: writable and dirty if the entry was a write
 * entry without uffd-wp; the mapcount comes back. */
static void restore_exclusive_pte(const struct vmsim_kind *k, struct vm_area_struct *vma, struct vmsim_page *p,
				  uint64_t addr, pte_t *ptep, pte_t orig)
{
	pte_t pte = pte_mkold(pfn_pte(vmsim_page_to_pfn(k->vm, p), vma->vm_page_prot));

	if (pte_swp_soft_dirty(orig))
		pte = pte_mksoft_dirty(pte);
	if (pte_swp_uffd_wp(orig))
		pte = pte_mkuffd_wp(pte);
	if (devx_614(k)) {
		if (!pte_swp_uffd_wp(orig) && entry_writable_614(k, orig) && (vma->vm_flags & VM_WRITE))
			pte = pte_mkwrite(pte_mkdirty(pte));
		vmsim__folio_dup_rmap(vma, p);	/* folio_add_anon_rmap_pte() */
	} else if ((vma->vm_flags & VM_WRITE) && vmsim__can_change_pte_writable(vma, addr, pte)) {
		if (vmsim_page_test(p, PG_dirty))
			pte = pte_mkdirty(pte);
		pte = pte_mkwrite(pte);
	}
	vmsim__set_pte_at(vma->vm_mm, addr, ptep, pte);
}

/* do_swap_page() -> remove_device_exclusive_entry(): take the folio lock
 * (sleeping while a device holds it), tell secondary MMUs with
 * MMU_NOTIFY_EXCLUSIVE and no owner, and restore the pte if it is still
 * the entry the fault saw. */
static unsigned devx_fault(const struct vmsim_kind *k, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_page *p = entry_page(k, vmf->orig_pte);
	struct mmu_notifier_range range;
	bool locked = false;

	/* Linux enters do_swap_page() with the pte unmapped and unlocked. */
	vmsim_unlock(vm, vmf->ptl);
	vmf->ptl = NULL;
	if (!p || p->refcount <= 0)
		return 0;	/* folio_try_get() failed: the entry is already gone */
	vmsim_get_page(vm, p);
	if (!vmsim__quirk(vm, VMSIM_QUIRK_DEVX_RESTORE_UNLOCKED)) {
		if (vmsim__folio_lock(vm, p)) {
			vmsim_put_page(vm, p);
			return VM_FAULT_SIGBUS;
		}
		locked = true;
	}
	mmu_notifier_range_init_owner(&range, MMU_NOTIFY_EXCLUSIVE, 0, vma->vm_mm, vmf->address,
				      vmf->address + PAGE_SIZE, NULL);
	mmu_notifier_invalidate_range_start(&range);
	vmf->ptl = vmsim__pte_lockptr(vm, vmf->pte);
	vmsim_lock(vm, vmf->ptl);
	if (pte_same(ptep_get(vmf->pte), vmf->orig_pte))
		restore_exclusive_pte(k, vma, p, vmf->address, vmf->pte, vmf->orig_pte);
	vmsim_unlock(vm, vmf->ptl);
	vmf->ptl = NULL;
	if (locked)
		vmsim__folio_unlock(vm, p);
	vmsim_put_page(vm, p);
	mmu_notifier_invalidate_range_end(&range);
	return 0;
}

/* ---- fork ---- */

/* copy_nonpresent_pte(): try_restore_exclusive_pte() makes the parent's
 * pte present again under a folio trylock (-EBUSY fails the fork), then
 * fork copies it as an ordinary COW pte: the device loses its access.
 * The quirk instead copies the entry itself into the child. */
static int devx_copy(const struct vmsim_kind *k, struct vm_area_struct *dst, struct vm_area_struct *src,
		     uint64_t addr, pte_t *src_ptep, pte_t *child)
{
	struct vmsim *vm = k->vm;
	pte_t orig = ptep_get(src_ptep);
	struct vmsim_page *p = entry_page(k, orig);

	if (vmsim__quirk(vm, VMSIM_QUIRK_DEVX_FORK_KEEPS_ENTRY)) {
		/* The 2021 v8 patch: get_page(), rss++ and the same entry in
		 * the child (and, holding the mapcount, one more mapping). */
		vmsim_get_page(vm, p);
		if (k->ops->flags & VMSIM_KIND_HOLDS_MAPCOUNT)
			vmsim__folio_dup_rmap(dst, p);
		vmsim_mm_add_rss(dst->vm_mm, MM_ANONPAGES, 1);
		*child = orig;
		return 0;
	}
	if (!vmsim__quirk(vm, VMSIM_QUIRK_DEVX_RESTORE_UNLOCKED)) {
		if (!vmsim__folio_trylock(vm, p))
			return -EBUSY;
		restore_exclusive_pte(k, src, p, addr, src_ptep, orig);
		vmsim__folio_unlock(vm, p);
	} else {
		restore_exclusive_pte(k, src, p, addr, src_ptep, orig);
	}
	return VMSIM_KIND_COPY_PRESENT;
}

/* ---- zap ---- */

/* zap_nonpresent_ptes(): a private page, zapped only with even_cows; the
 * rss goes, the rmap too where the entry held it, and the reference. */
static bool devx_zap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
		     const struct zap_details *d)
{
	struct vmsim_page *p = entry_page(k, pte);

	(void)addr;
	if (d && d->single_folio && d->single_folio != p)
		return false;
	if (!should_zap_cows(d) && folio_test_anon(p))
		return false;
	if (k->ops->flags & VMSIM_KIND_HOLDS_MAPCOUNT)
		vmsim__folio_remove_rmap(vma, p);
	else
		vmsim_mm_add_rss(vma->vm_mm, MM_ANONPAGES, -1);
	vmsim_put_page(k->vm, p);
	return true;
}

/* ---- mprotect (6.14 only) ---- */

/* change_pte_range() before 6.15: a writable entry becomes a readable one
 * ("a protection check is difficult, so be safe"), keeping soft-dirty and
 * uffd-wp.  6.15 dropped it: the entry stays, restore decides. */
static pte_t devx_change_prot_614(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr,
				  pte_t pte, unsigned long cp_flags)
{
	pte_t n;

	(void)vma;
	(void)addr;
	(void)cp_flags;
	if (!entry_writable_614(k, pte))
		return pte;
	n = swp_entry_to_pte(swp_entry((unsigned)k->swap_type, softleaf_to_pfn(softleaf_from_pte(pte))));
	if (pte_swp_soft_dirty(pte))
		n = pte_swp_mksoft_dirty(n);
	if (pte_swp_uffd_wp(pte))
		n = pte_swp_mkuffd_wp(n);
	return n;
}

/* What the entry holds: the anonymous page it names (rss MM_ANONPAGES,
 * as a pfn swap entry is counted; smaps then counts the page in Rss and
 * Anonymous as "maybe shared", smaps_pte_entry()). */
static void devx_hold(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte,
		      struct vmsim_kind_hold *h)
{
	(void)k;
	(void)vma;
	h->rss = MM_ANONPAGES;
	h->pfn = softleaf_to_pfn(softleaf_from_pte(pte));
}

static int devx_describe(const struct vmsim_kind *k, pte_t pte, char *buf, size_t size)
{
	unsigned long pfn = softleaf_to_pfn(softleaf_from_pte(pte));

	if (devx_614(k))
		return snprintf(buf, size, "device-exclusive %s pfn %#lx",
				entry_writable_614(k, pte) ? "write" : "read", pfn);
	return snprintf(buf, size, "device-exclusive pfn %#lx", pfn);
}

/* 6.15+: one type; mprotect, mremap and pagemap take the defaults
 * (unchanged; moved as is; PM_SWAP with type | pfn << 5). */
const struct vmsim_kind_ops vmsim_kind_device_exclusive = {
	.name = VMSIM_KIND_DEVICE_EXCLUSIVE_NAME,
	.flags = VMSIM_KIND_HOLDS_MAPCOUNT | VMSIM_KIND_HOLDS_REF | VMSIM_KIND_COUNTS_RSS,
	.types = 1u << SOFTLEAF_DEVICE_EXCLUSIVE,
	.fault = devx_fault,
	.copy = devx_copy,
	.zap = devx_zap,
	.from_present = devx_from_present,
	.hold = devx_hold,
	.describe = devx_describe,
};

/* 6.14 and earlier: the readable type is one more special swap type, so
 * MAX_SWAPFILES is one lower, as SWP_DEVICE_NUM 4 made it. */
const struct vmsim_kind_ops vmsim_kind_device_exclusive_614 = {
	.name = VMSIM_KIND_DEVICE_EXCLUSIVE_NAME,
	.flags = VMSIM_KIND_HOLDS_REF | VMSIM_KIND_COUNTS_RSS | VMSIM_KIND_ALLOC_SWAP_TYPE,
	.types = 1u << SOFTLEAF_DEVICE_EXCLUSIVE,
	.fault = devx_fault,
	.copy = devx_copy,
	.zap = devx_zap,
	.change_prot = devx_change_prot_614,
	.from_present = devx_from_present,
	.hold = devx_hold,
	.describe = devx_describe,
};
