/* The swap cache and swap-in: add_to_swap, add_to_swap_cache,
 * delete_from_swap_cache, folio_free_swap, swap_cache_get_folio,
 * __read_swap_cache_async and VMA-based swap readahead.  Follows
 * mm/swap_state.c and mm/swapfile.c of Linux 6.18 (page-cluster 3: at most
 * 8 pages of readahead; the host's vma_ra_enabled).  Simplified: the swap
 * cache is the slot's folio pointer (mm/swapfile.c), not an xarray or
 * swap table; no shadow entries; reads complete at once. */
#include "mm_internal.h"

#define SWAP_RA_ORDER_CEILING	5
#define PAGE_CLUSTER		3	/* /proc/sys/vm/page-cluster */

/* add_to_swap_cache(): the cache takes a reference and the folio knows its
 * entry (folio->swap). */
int vmsim__add_to_swap_cache(struct vmsim *vm, struct vmsim_page *p, swp_entry_t entry)
{
	int err = vmsim__swap_slot_set_cache(vm, entry, p);

	if (err)
		return err;
	vmsim_get_page(vm, p);
	vmsim_page_set(p, PG_swapcache);
	vmsim_page_set(p, PG_swapbacked);
	p->private_ = entry.val;
	return 0;
}

/* delete_from_swap_cache(): out of the cache, the slot's SWAP_HAS_CACHE
 * dropped, the cache's reference put (the caller holds its own). */
void vmsim__delete_from_swap_cache(struct vmsim *vm, struct vmsim_page *p)
{
	swp_entry_t entry = { (unsigned long)p->private_ };

	if (VMSIM_BUG_ON(vm, !vmsim_page_test(p, PG_swapcache), "pfn %#lx not in the swap cache",
			 vmsim_page_to_pfn(vm, p)))
		return;
	vmsim_page_clear(p, PG_swapcache);
	p->private_ = 0;
	vmsim__swap_slot_clear_cache(vm, entry);
	vmsim_put_page(vm, p);
}

swp_entry_t vmsim__folio_swap(const struct vmsim_page *p)
{
	return (swp_entry_t){ vmsim_page_test(p, PG_swapcache) ? (unsigned long)p->private_ : 0 };
}

/* add_to_swap(): a slot for an anonymous folio reclaim wants to write
 * out, the folio in the swap cache, and dirty so that pageout() writes it. */
bool vmsim__add_to_swap(struct vmsim *vm, struct vmsim_page *p)
{
	swp_entry_t entry = vmsim__folio_alloc_swap(vm);

	if (!entry.val)
		return false;
	if (vmsim__add_to_swap_cache(vm, p, entry)) {
		vmsim__swap_slot_clear_cache(vm, entry);
		return false;
	}
	vmsim_page_set(p, PG_dirty);
	return true;
}

/* folio_free_swap(): drop the swap copy of a folio no swap pte refers to
 * any more; it is dirty again (its only copy is in memory). */
bool vmsim__folio_free_swap(struct vmsim *vm, struct vmsim_page *p)
{
	if (!vmsim_page_test(p, PG_swapcache) || vmsim_page_test(p, PG_writeback))
		return false;
	if (vmsim__swap_count(vm, vmsim__folio_swap(p)))
		return false;	/* folio_swapped() */
	vmsim__delete_from_swap_cache(vm, p);
	vmsim_page_set(p, PG_dirty);
	return true;
}

/* The vma's swap readahead state (vma->swap_readahead_info): the last
 * fault address, the window it used and readahead hits since. */
#define RA_WIN_SHIFT	(PAGE_SHIFT / 2)
#define RA_HITS_MASK	((1UL << RA_WIN_SHIFT) - 1)
#define RA_WIN_MASK	(RA_HITS_MASK << RA_WIN_SHIFT)
#define SWAP_RA_VAL(addr, win, hits) (((addr) & PAGE_MASK) | ((uint64_t)(win) << RA_WIN_SHIFT) | (hits))
#define SWAP_RA_ADDR(v)	((v) & PAGE_MASK)
#define SWAP_RA_WIN(v)	(((v) & RA_WIN_MASK) >> RA_WIN_SHIFT)
#define SWAP_RA_HITS(v)	((v) & RA_HITS_MASK)

/* swap_cache_get_folio(): the cached folio with a reference.  A hit on a
 * folio readahead brought in counts for the vma's next window. */
struct vmsim_page *vmsim__swap_cache_get_folio(struct vmsim *vm, swp_entry_t entry, struct vm_area_struct *vma,
					      uint64_t addr)
{
	struct vmsim_page *p = vmsim__swap_slot_cache(vm, entry);

	if (!p)
		return NULL;
	vmsim_get_page(vm, p);
	if (vmsim_page_test(p, PG_readahead)) {
		vmsim_page_clear(p, PG_readahead);
		if (vma) {
			uint64_t ra = vma->swap_readahead_info;
			uint64_t hits = SWAP_RA_HITS(ra);

			if (hits < RA_HITS_MASK)
				hits++;
			vma->swap_readahead_info = SWAP_RA_VAL(addr, SWAP_RA_WIN(ra), hits);
		}
	}
	return p;
}

/* __read_swap_cache_async(): the folio for entry, from the cache or read
 * into a new one (swap-backed, in the cache, on the LRU).  With a
 * reference; NULL for a stale entry or no memory.  *new tells which. */
struct vmsim_page *vmsim__read_swap_cache_async(struct vmsim *vm, swp_entry_t entry, bool *new)
{
	struct vmsim_page *p = vmsim__swap_slot_cache(vm, entry);

	*new = false;
	if (p) {
		vmsim_get_page(vm, p);
		return p;
	}
	if (!vmsim__swap_count(vm, entry))
		return NULL;	/* swapcache_prepare(): -ENOENT, the entry went */
	p = vmsim__alloc_pages_may_reclaim(vm, 0);
	if (!p)
		return NULL;
	/* Reclaim may have raced with us into the same slot. */
	if (vmsim__swap_slot_cache(vm, entry) || !vmsim__swap_count(vm, entry)) {
		vmsim_put_page(vm, p);
		return vmsim__read_swap_cache_async(vm, entry, new);
	}
	vmsim_page_set(p, PG_swapbacked);
	if (vmsim__add_to_swap_cache(vm, p, entry)) {
		vmsim_put_page(vm, p);
		return NULL;
	}
	vmsim__swap_read(vm, entry, p);
	vmsim_page_set(p, PG_uptodate);
	vmsim__folio_add_lru(vm, p);
	vm->mm_world->rst.pswpin++;
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = -1,
			  .pfn = vmsim_page_to_pfn(vm, p), .addr = entry.val, .why = "swap-in read" });
	*new = true;
	return p;
}

/* __swapin_nr_pages(): grow the window while faults stay adjacent or hit
 * what readahead brought in; never shrink it by more than half. */
static unsigned swapin_nr_pages(uint64_t prev_pfn, uint64_t pfn, unsigned hits, unsigned max_pages,
				unsigned prev_win)
{
	unsigned pages = hits + 2, last_ra;

	if (pages == 2) {
		if (pfn != prev_pfn + 1 && pfn != prev_pfn - 1)
			pages = 1;
	} else {
		unsigned roundup = 4;

		while (roundup < pages)
			roundup <<= 1;
		pages = roundup;
	}
	if (pages > max_pages)
		pages = max_pages;
	last_ra = prev_win / 2;
	return pages < last_ra ? last_ra : pages;
}

/* swap_vma_readahead(): the fault's entry and its neighbours in the vma
 * (within the pte table) go into the swap cache; only the fault's is
 * returned (with a reference).  Entries of other kinds are skipped. */
struct vmsim_page *vmsim__swapin_readahead(struct vm_fault *vmf, swp_entry_t entry)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim *vm = vma->vm_mm->vm;
	unsigned max_win = 1u << (PAGE_CLUSTER < SWAP_RA_ORDER_CEILING ? PAGE_CLUSTER : SWAP_RA_ORDER_CEILING);
	uint64_t ra = vma->swap_readahead_info, fpfn = vmf->address >> PAGE_SHIFT;
	uint64_t pfn = SWAP_RA_ADDR(ra) >> PAGE_SHIFT, lpfn, rpfn, start, end;
	unsigned win = swapin_nr_pages(pfn, fpfn, (unsigned)SWAP_RA_HITS(ra), max_win, (unsigned)SWAP_RA_WIN(ra));
	struct vmsim_page *target = NULL;
	bool new;

	vma->swap_readahead_info = SWAP_RA_VAL(vmf->address, win, 0);
	if (win == 1)
		return vmsim__read_swap_cache_async(vm, entry, &new);
	if (fpfn == pfn + 1) {
		lpfn = fpfn;
		rpfn = fpfn + win;
	} else if (pfn == fpfn + 1) {
		lpfn = fpfn - win + 1;
		rpfn = fpfn + 1;
	} else {
		unsigned left = (win - 1) / 2;

		lpfn = fpfn - left;
		rpfn = fpfn + win - left;
	}
	start = lpfn;
	if (start < vma->vm_start >> PAGE_SHIFT)
		start = vma->vm_start >> PAGE_SHIFT;
	if (start < (vmf->address & PMD_MASK) >> PAGE_SHIFT)
		start = (vmf->address & PMD_MASK) >> PAGE_SHIFT;
	end = rpfn;
	if (end > vma->vm_end >> PAGE_SHIFT)
		end = vma->vm_end >> PAGE_SHIFT;
	if (end > ((vmf->address & PMD_MASK) + PMD_SIZE) >> PAGE_SHIFT)
		end = ((vmf->address & PMD_MASK) + PMD_SIZE) >> PAGE_SHIFT;
	for (uint64_t a = start << PAGE_SHIFT; a < end << PAGE_SHIFT; a += PAGE_SIZE) {
		pte_t *ptep = vmsim__pte_lookup(vma->vm_mm, a);
		struct vmsim_page *p;
		pte_t pte;
		swp_entry_t e;

		if (a == vmf->address) {
			target = vmsim__read_swap_cache_async(vm, entry, &new);
			continue;
		}
		if (!ptep)
			continue;
		pte = ptep_get(ptep);
		if (!is_swap_pte(pte))
			continue;
		/* Only real swap entries: special types have no device. */
		e = pte_to_swp_entry(pte);
		if (!vmsim__swap_info(vm, e))
			continue;
		p = vmsim__read_swap_cache_async(vm, e, &new);
		if (!p)
			continue;
		if (new)
			vmsim_page_set(p, PG_readahead);
		vmsim_put_page(vm, p);
	}
	return target;
}
