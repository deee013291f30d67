/* The LRU lists and mlock: folio_add_lru, folio_mark_accessed,
 * folio_activate/deactivate, folio_rotate_reclaimable, isolation and
 * putback, the unevictable list.  Follows mm/swap.c, mm/mlock.c and
 * include/linux/mm_inline.h of Linux 6.18 with the classic two-list LRU
 * (the host runs without MGLRU).  Simplified: no per-CPU folio batches
 * (every change reaches the lists at once, as after lru_add_drain()), no
 * workingset shadow entries (a refaulting page starts inactive). */
#include <utlist.h>

#include "mm_internal.h"

static struct lruvec *lruvec(struct vmsim *vm) { return &vm->mm_world->lruvec; }

/* folio_is_file_lru(): page cache of regular files; anon and shmem (and
 * swap cache) are swap-backed. */
bool vmsim__folio_is_file_lru(const struct vmsim_page *p)
{
	return !vmsim_page_test(p, PG_swapbacked);
}

/* folio_lru_list() */
static enum lru_list folio_lru_list(const struct vmsim_page *p)
{
	enum lru_list l;

	if (vmsim_page_test(p, PG_unevictable))
		return LRU_UNEVICTABLE;
	l = vmsim__folio_is_file_lru(p) ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON;
	return vmsim_page_test(p, PG_active) ? l + 1 : l;
}

static void lru_add(struct vmsim *vm, struct vmsim_page *p, bool tail)
{
	struct lruvec *lv = lruvec(vm);
	enum lru_list l = folio_lru_list(p);

	if (tail)
		DL_APPEND(lv->lists[l], p);
	else
		DL_PREPEND(lv->lists[l], p);
	lv->nr[l]++;
}

static void lru_del(struct vmsim *vm, struct vmsim_page *p)
{
	struct lruvec *lv = lruvec(vm);
	enum lru_list l = folio_lru_list(p);

	DL_DELETE(lv->lists[l], p);
	p->prev = p->next = NULL;
	lv->nr[l]--;
}

/* folio_evictable(): not mlocked (no mapping_unevictable files here). */
static bool folio_evictable(const struct vmsim_page *p)
{
	return !vmsim_page_test(p, PG_mlocked);
}

void vmsim__folio_add_lru(struct vmsim *vm, struct vmsim_page *p)
{
	if (VMSIM_BUG_ON(vm, vmsim_page_test(p, PG_lru), "folio_add_lru of pfn %#lx already on an LRU",
			 vmsim_page_to_pfn(vm, p)))
		return;
	if (folio_evictable(p))
		vmsim_page_clear(p, PG_unevictable);
	else {
		vmsim_page_clear(p, PG_active);
		vmsim_page_set(p, PG_unevictable);
	}
	vmsim_page_set(p, PG_lru);
	lru_add(vm, p, false);
}

/* folio_add_lru_vma(): a new folio in a VM_LOCKED vma is mlocked at once
 * (mlock_new_folio). */
void vmsim__folio_add_lru_vma(struct vm_area_struct *vma, struct vmsim_page *p)
{
	if ((vma->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_MIXEDMAP)) == VM_LOCKED && !vmsim_page_test(p, PG_head)) {
		vmsim_page_set(p, PG_mlocked);
		p->mlock_count = 1;
	}
	vmsim__folio_add_lru(vma->vm_mm->vm, p);
}

/* folio_isolate_lru(): off its list with a reference, for reclaim,
 * migration or MADV_PAGEOUT.  False if it was not on one. */
bool vmsim__folio_isolate_lru(struct vmsim *vm, struct vmsim_page *p)
{
	if (!vmsim_page_test(p, PG_lru))
		return false;
	vmsim_get_page(vm, p);
	lru_del(vm, p);
	vmsim_page_clear(p, PG_lru);
	return true;
}

/* folio_putback_lru(): back on its list (the one its flags name now) and
 * the isolation reference dropped. */
void vmsim__folio_putback_lru(struct vmsim *vm, struct vmsim_page *p)
{
	vmsim__folio_add_lru(vm, p);
	vmsim_put_page(vm, p);
}

static void folio_activate(struct vmsim *vm, struct vmsim_page *p)
{
	if (!vmsim_page_test(p, PG_lru) || vmsim_page_test(p, PG_active) ||
	    vmsim_page_test(p, PG_unevictable))
		return;
	lru_del(vm, p);
	vmsim_page_set(p, PG_active);
	lru_add(vm, p, false);
	vm->mm_world->rst.pgactivate++;
}

/* folio_mark_accessed(): a second use of an inactive folio (read(),
 * write(), a referenced swap-cache hit) promotes it. */
void vmsim__folio_mark_accessed(struct vmsim *vm, struct vmsim_page *p)
{
	if (!vmsim_page_test(p, PG_referenced)) {
		vmsim_page_set(p, PG_referenced);
	} else if (!vmsim_page_test(p, PG_unevictable) && !vmsim_page_test(p, PG_active)) {
		folio_activate(vm, p);
		vmsim_page_clear(p, PG_referenced);
	}
}

/* folio_deactivate() (MADV_COLD): an active folio goes to the head of its
 * inactive list, as lru_deactivate() moves it. */
void vmsim__folio_deactivate(struct vmsim *vm, struct vmsim_page *p)
{
	if (!vmsim_page_test(p, PG_lru) || vmsim_page_test(p, PG_unevictable) ||
	    !vmsim_page_test(p, PG_active))
		return;
	lru_del(vm, p);
	vmsim_page_clear(p, PG_active);
	vmsim_page_clear(p, PG_referenced);
	lru_add(vm, p, false);
	vm->mm_world->rst.pgdeactivate++;
}

/* folio_rotate_reclaimable(): writeback of a folio reclaim wanted ended;
 * to the tail of its inactive list, so the next scan takes it first. */
void vmsim__folio_rotate_reclaimable(struct vmsim *vm, struct vmsim_page *p)
{
	if (!vmsim_page_test(p, PG_lru) || vmsim_page_test(p, PG_active) ||
	    vmsim_page_test(p, PG_unevictable))
		return;
	lru_del(vm, p);
	lru_add(vm, p, true);
}

/* ---- mlock (mm/mlock.c) ---- */

/* mlock_vma_folio(): a mapping in a VM_LOCKED vma pins the folio in
 * memory; the first one moves it to the unevictable list. */
void vmsim__mlock_vma_folio(struct vm_area_struct *vma, struct vmsim_page *p)
{
	struct vmsim *vm = vma->vm_mm->vm;

	if ((vma->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_MIXEDMAP)) != VM_LOCKED)
		return;
	/* Large folios (THP, hugetlb, DAX) and persistent memory are not
	 * mlocked here: folio_add_*_rmap_ptes() leave a large folio to
	 * mlock_pte_range(), which this simulator does not model. */
	if (vmsim_page_test(p, PG_head) || vmsim_page_test(p, PG_tail) || vmsim_page_test(p, PG_device))
		return;
	if (!vmsim_page_test(p, PG_mlocked)) {
		bool on = vmsim_page_test(p, PG_lru);

		if (on)
			lru_del(vm, p);
		vmsim_page_set(p, PG_mlocked);
		vmsim_page_clear(p, PG_active);
		vmsim_page_set(p, PG_unevictable);
		p->mlock_count = 0;
		if (on)
			lru_add(vm, p, false);
	}
	p->mlock_count++;
}

/* munlock_vma_folio(): the last VM_LOCKED mapping went; back to the
 * evictable lists (inactive). */
void vmsim__munlock_vma_folio(struct vm_area_struct *vma, struct vmsim_page *p)
{
	struct vmsim *vm = vma->vm_mm->vm;
	bool on;

	if (!(vma->vm_flags & VM_LOCKED) || !vmsim_page_test(p, PG_mlocked) || vmsim_page_test(p, PG_tail))
		return;
	if (p->mlock_count > 1) {
		p->mlock_count--;
		return;
	}
	on = vmsim_page_test(p, PG_lru);
	if (on)
		lru_del(vm, p);
	p->mlock_count = 0;
	vmsim_page_clear(p, PG_mlocked);
	vmsim_page_clear(p, PG_unevictable);
	if (on)
		lru_add(vm, p, false);
}

/* __folio_put(): the last reference went, the frame is about to be freed. */
void vmsim__folio_release(struct vmsim *vm, struct vmsim_page *p)
{
	if (vmsim_page_test(p, PG_lru)) {
		lru_del(vm, p);
		vmsim_page_clear(p, PG_lru);
	}
	VMSIM_BUG_ON(vm, vmsim_page_test(p, PG_swapcache), "pfn %#lx freed while in the swap cache",
		     vmsim_page_to_pfn(vm, p));
}

/* lru_to_folio(): the oldest folio of a list, or NULL. */
struct vmsim_page *vmsim__lru_tail(struct vmsim *vm, enum lru_list l)
{
	struct vmsim_page *head = lruvec(vm)->lists[l];

	return head ? head->prev : NULL;
}

unsigned long vmsim__lru_size(struct vmsim *vm, enum lru_list l)
{
	return lruvec(vm)->nr[l];
}

void vmsim_lru_info(const struct vmsim *vm, struct vmsim_lru_info *out)
{
	const struct lruvec *lv;

	if (!vm || !out)
		return;
	lv = &vm->mm_world->lruvec;
	*out = (struct vmsim_lru_info){
		.inactive_anon = lv->nr[LRU_INACTIVE_ANON], .active_anon = lv->nr[LRU_ACTIVE_ANON],
		.inactive_file = lv->nr[LRU_INACTIVE_FILE], .active_file = lv->nr[LRU_ACTIVE_FILE],
		.unevictable = lv->nr[LRU_UNEVICTABLE],
	};
}
