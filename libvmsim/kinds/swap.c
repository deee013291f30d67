/* The swap entry: a page of anonymous memory that reclaim wrote to a swap
 * device.  Swap-in (do_swap_page with the swap cache, readahead, the
 * SWP_EXCLUSIVE bit deciding whether the page may be mapped writable, the
 * swap slot freed where should_try_to_free_swap() says), fork
 * (swap_duplicate; the parent's entry loses SWP_EXCLUSIVE), zap
 * (free_swap_and_cache), swapoff (unuse_pte), what the entry holds (one
 * swap_map reference, counted in MM_SWAPENTS) and the entry reclaim puts
 * in place of a present pte.  Follows mm/memory.c (do_swap_page,
 * copy_nonpresent_pte, zap_nonpresent_ptes), mm/rmap.c (try_to_unmap_one)
 * and mm/swapfile.c (unuse_pte) of Linux 6.18.  Simplified: small folios,
 * no KSM, no SWP_SYNCHRONOUS_IO devices (every swap-in goes through the
 * swap cache, as with the host's swap file). */
#include <stdio.h>

#include "../mm/mm_internal.h"
#include "builtin.h"

/* pte_needs_soft_dirty_wp(): soft-dirty tracking wants the first write. */
static bool needs_soft_dirty_wp(const struct vm_area_struct *vma, pte_t pte)
{
	return !(vma->vm_flags & VM_SOFTDIRTY) && !pte_soft_dirty(pte);
}

/* should_try_to_free_swap(): drop the swap copy when swap is getting
 * full, the vma is locked, or a write will make the copy stale anyway and
 * only we hold the folio. */
static bool should_try_to_free_swap(struct vmsim *vm, struct vmsim_page *p, struct vm_area_struct *vma,
				    unsigned fault_flags)
{
	if (!vmsim_page_test(p, PG_swapcache))
		return false;
	if (vmsim__vm_swap_full(vm) || (vma->vm_flags & VM_LOCKED) || vmsim_page_test(p, PG_mlocked))
		return true;
	return (fault_flags & FAULT_FLAG_WRITE) && p->refcount == 2;
}

/* do_swap_page() for a swap entry: the pte lock is dropped while the page
 * is found or read in (that may allocate, reclaim, sleep on a migration),
 * then the pte is checked again. */
static unsigned swap_fault(const struct vmsim_kind *k, struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim *vm = vma->vm_mm->vm;
	swp_entry_t entry = pte_to_swp_entry(vmf->orig_pte);
	struct vmsim_page *p;
	unsigned ret = 0;
	bool exclusive;
	pte_t pte;

	(void)k;
	/* get_swap_device(): an entry of no active device is a bad pte. */
	if (!vmsim__swap_info(vm, entry) || !vmsim__swap_count(vm, entry))
		return VM_FAULT_SIGBUS;
	vmsim_unlock(vm, vmf->ptl);
	p = vmsim__swap_cache_get_folio(vm, entry, vma, vmf->address);
	if (!p) {
		p = vmsim__swapin_readahead(vmf, entry);
		if (!p) {
			vmsim_lock(vm, vmf->ptl);
			return pte_same(ptep_get(vmf->pte), vmf->orig_pte) ? VM_FAULT_OOM : 0;
		}
		ret = VM_FAULT_MAJOR;
	} else if (vmsim_page_test(p, PG_hwpoison)) {
		vmsim_put_page(vm, p);
		vmsim_lock(vm, vmf->ptl);
		return VM_FAULT_HWPOISON;
	}
	/* folio_lock_or_retry(): a folio locked by a migration in progress is
	 * waited for (in serial runs: the migration finishes first). */
	if (!vmsim__folio_trylock(vm, p)) {
		vmsim__migration_entry_wait(vmf, p);
		vmsim_put_page(vm, p);
		vmsim_lock(vm, vmf->ptl);
		return 0;
	}
	if (!vmsim_page_test(p, PG_swapcache) || vmsim__folio_swap(p).val != entry.val)
		goto out_page;	/* freed from the swap cache meanwhile */
	vmsim_lock(vm, vmf->ptl);
	if (!pte_same(ptep_get(vmf->pte), vmf->orig_pte))
		goto out_nomap;
	if (!vmsim_page_test(p, PG_uptodate)) {
		ret = VM_FAULT_SIGBUS;
		goto out_nomap;
	}
	VMSIM_BUG_ON(vm, folio_test_anon(p) && vmsim_page_test(p, PG_anon_exclusive),
		     "swap pte at %#llx names exclusive anon pfn %#lx", (unsigned long long)vmf->address,
		     vmsim_page_to_pfn(vm, p));
	exclusive = pte_swp_exclusive(vmf->orig_pte);
	vmsim__swap_free(vm, entry);
	if (should_try_to_free_swap(vm, p, vma, vmf->flags))
		vmsim__folio_free_swap(vm, p);
	vma->vm_mm->rss[MM_SWAPENTS]--;
	pte = pfn_pte(vmsim_page_to_pfn(vm, p), vma->vm_page_prot);
	if (pte_swp_soft_dirty(vmf->orig_pte))
		pte = pte_mksoft_dirty(pte);
	if (pte_swp_uffd_wp(vmf->orig_pte))
		pte = pte_mkuffd_wp(pte);
	/* The same reuse rule as do_wp_page(), where exclusivity is known. */
	if (exclusive || p->refcount == 1) {
		if ((vma->vm_flags & VM_WRITE) && !(userfaultfd_wp(vma) && pte_uffd_wp(pte)) &&
		    !needs_soft_dirty_wp(vma, pte)) {
			pte = pte_mkwrite(pte);
			if (vmf->flags & FAULT_FLAG_WRITE) {
				pte = pte_mkdirty(pte);
				vmf->flags &= ~FAULT_FLAG_WRITE;
			}
		}
		exclusive = true;
	}
	vmf->orig_pte = pte;
	/* Our reference becomes the mapping's. */
	vmsim__folio_add_anon_rmap(vma, p, vmf->address, exclusive);
	vmsim__set_pte_at(vma->vm_mm, vmf->address, vmf->pte, pte);
	vmsim__folio_unlock(vm, p);
	if (vmf->flags & FAULT_FLAG_WRITE) {
		unsigned r = vmsim__do_wp_page(vmf);

		/* Linux: on an error only the error bits stay.  A userfault
		 * the handler answered with SIGBUS has also released the fault
		 * lock (VM_FAULT_COMPLETED), which the caller must still see. */
		ret |= r & VM_FAULT_ERROR ? r & (VM_FAULT_ERROR | VM_FAULT_COMPLETED) : r;
	}
	return ret & ~VM_FAULT_MAJOR;
out_nomap:
	vmsim__folio_unlock(vm, p);
	vmsim_put_page(vm, p);
	return ret & ~VM_FAULT_MAJOR;
out_page:
	vmsim__folio_unlock(vm, p);
	vmsim_put_page(vm, p);
	vmsim_lock(vm, vmf->ptl);
	return 0;
}

/* copy_nonpresent_pte(): the child shares the slot; an exclusive entry
 * stops being exclusive in the parent too. */
static int swap_copy(const struct vmsim_kind *k, struct vm_area_struct *dst, struct vm_area_struct *src,
		     uint64_t addr, pte_t *src_ptep, pte_t *child)
{
	struct vmsim *vm = dst->vm_mm->vm;
	pte_t pte = ptep_get(src_ptep);

	(void)k;
	if (vmsim__swap_duplicate(vm, pte_to_swp_entry(pte)) < 0)
		return -EIO;
	if (pte_swp_exclusive(pte)) {
		pte = pte_swp_clear_exclusive(pte);
		vmsim__set_pte_at(src->vm_mm, addr, src_ptep, pte);
	}
	dst->vm_mm->rss[MM_SWAPENTS]++;
	*child = pte;
	return 0;
}

/* zap_nonpresent_ptes(): private COW copies survive a file's truncation
 * (should_zap_cows); otherwise the slot loses the pte's reference. */
static bool swap_zap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
		     const struct zap_details *d)
{
	(void)k;
	(void)addr;
	if (!should_zap_cows(d))
		return false;
	vma->vm_mm->rss[MM_SWAPENTS]--;
	vmsim__free_swap_and_cache(vma->vm_mm->vm, pte_to_swp_entry(pte));
	return true;
}

static void swap_hold(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte, struct vmsim_kind_hold *h)
{
	(void)k;
	(void)vma;
	h->rss = MM_SWAPENTS;
	h->swap = pte_to_swp_entry(pte);
}

/* try_to_unmap_one() for an anonymous folio in the swap cache: its swap
 * entry, exclusive if the page was, with the pte's soft-dirty and uffd-wp. */
static int swap_unmap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pteval,
		      struct vmsim_page *page, bool anon_exclusive, pte_t *out)
{
	swp_entry_t entry = vmsim__folio_swap(page);
	pte_t swp_pte;

	(void)k;
	(void)vma;
	(void)addr;
	if (!entry.val)
		return -EINVAL;
	swp_pte = swp_entry_to_pte(entry);
	if (anon_exclusive)
		swp_pte = pte_swp_mkexclusive(swp_pte);
	/* A mapped entry (device-exclusive) carries its bits in swap form. */
	if (pte_present(pteval) ? pte_soft_dirty(pteval) : pte_swp_soft_dirty(pteval))
		swp_pte = pte_swp_mksoft_dirty(swp_pte);
	if (pte_present(pteval) ? pte_uffd_wp(pteval) : pte_swp_uffd_wp(pteval))
		swp_pte = pte_swp_mkuffd_wp(swp_pte);
	*out = swp_pte;
	return 0;
}

/* unuse_pte(): swapoff maps the page back, read-only and old (a write
 * faults and reuses it if it was exclusive), then drops its swap copy. */
static int swap_unuse(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte, int type)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	swp_entry_t entry = pte_to_swp_entry(pte);
	struct vmsim_page *p;
	struct vmsim_lock *ptl;
	pte_t *ptep, new;
	bool fresh;

	(void)k;
	if ((int)swp_type(entry) != type)
		return 0;
	p = vmsim__swap_cache_get_folio(vm, entry, NULL, 0);
	if (!p && !(p = vmsim__read_swap_cache_async(vm, entry, &fresh)))
		return vmsim__swap_count(vm, entry) ? -ENOMEM : 0;
	if (!vmsim__folio_trylock(vm, p)) {
		vmsim_put_page(vm, p);
		return -EBUSY;
	}
	ptep = vmsim__pte_lookup(mm, addr);
	ptl = vmsim__pte_lockptr(vm, ptep);
	vmsim_lock(vm, ptl);
	if (pte_same(ptep_get(ptep), pte)) {
		mm->rss[MM_SWAPENTS]--;
		new = pte_mkold(pfn_pte(vmsim_page_to_pfn(vm, p), vma->vm_page_prot));
		if (pte_swp_soft_dirty(pte))
			new = pte_mksoft_dirty(new);
		if (pte_swp_uffd_wp(pte))
			new = pte_mkuffd_wp(new);
		vmsim_get_page(vm, p);
		vmsim__folio_add_anon_rmap(vma, p, addr, pte_swp_exclusive(pte));
		vmsim__set_pte_at(mm, addr, ptep, new);
		vmsim__swap_free(vm, entry);
	}
	vmsim_unlock(vm, ptl);
	vmsim__folio_free_swap(vm, p);
	vmsim__folio_unlock(vm, p);
	vmsim_put_page(vm, p);
	return 0;
}

static int swap_describe(const struct vmsim_kind *k, pte_t pte, char *buf, size_t size)
{
	swp_entry_t e = pte_to_swp_entry(pte);
	struct vmsim_page *p = vmsim__swap_slot_cache(k->vm, e);

	if (p)
		return snprintf(buf, size, "swap %u:%#lx (swap cache pfn %#lx)", swp_type(e), swp_offset(e),
				vmsim_page_to_pfn(k->vm, p));
	return snprintf(buf, size, "swap %u:%#lx", swp_type(e), swp_offset(e));
}

/* mprotect keeps a swap entry as it is (its uffd-wp bit is the uffd_wp
 * kind's); mremap moves it; pagemap reports type and offset: defaults. */
const struct vmsim_kind_ops vmsim_kind_swap = {
	.name = VMSIM_KIND_SWAP_NAME,
	.types = 1u << SOFTLEAF_SWAP,
	.fault = swap_fault,
	.copy = swap_copy,
	.zap = swap_zap,
	.describe = swap_describe,
	.hold = swap_hold,
	.unmap = swap_unmap,
	.unuse = swap_unuse,
};
