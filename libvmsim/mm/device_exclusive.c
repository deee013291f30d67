/* Making a page device-exclusive: make_device_exclusive() of Linux 6.15+
 * (mm/rmap.c: GUP for write, folio lock, MMU_NOTIFY_EXCLUSIVE with the
 * caller as owner, the same writable pte found again or retry,
 * ptep_clear_flush) and, behind machine option devx=6.14, one page of
 * make_device_exclusive_range() as 6.12-6.14 had it (folio trylock, an rmap
 * walk converting every mapping, the mapcount dropped).  The entry itself
 * is the device-exclusive kind's (kinds/device_exclusive.c, through its
 * from_present hook). */
#include "mm_internal.h"

/* A retry loop that never sees its pte again is a bug, not a livelock to
 * reproduce: GUP has just faulted the page in writable. */
#define MAX_TRIES	16

static void put_back(struct vmsim *vm, struct vmsim_page *p, bool locked)
{
	if (locked)
		vmsim__folio_unlock(vm, p);
	vmsim_put_page(vm, p);
}

/* ---- 6.15 and later ---- */

static int make_615(struct vmsim_mm *mm, uint64_t addr, void *owner, struct vmsim_page **out)
{
	struct vmsim *vm = mm->vm;

	for (int tries = 0; tries < MAX_TRIES; tries++) {
		struct mmu_notifier_range range;
		struct vm_area_struct *vma;
		struct vmsim_lock *ptl;
		struct vmsim_page *p;
		pte_t *ptep, pte, entry;
		int err;

		/* A device-exclusive entry already there (another device's)
		 * is undone by this GUP's fault, which tells its owner. */
		err = vmsim__get_user_page_write(mm, addr, &vma, &p);
		if (err)
			return err;
		/* Only anonymous memory; not hugetlb (no hugetlb here). */
		if (!folio_test_anon(p)) {
			put_back(vm, p, false);
			return -EOPNOTSUPP;
		}
		err = vmsim__folio_lock(vm, p);
		if (err) {
			put_back(vm, p, false);
			return err;
		}
		/* Secondary MMUs unmap it now; the caller must filter its own
		 * event (owner), or it invalidates itself forever. */
		mmu_notifier_range_init_owner(&range, MMU_NOTIFY_EXCLUSIVE, 0, mm, addr, addr + PAGE_SIZE, owner);
		mmu_notifier_invalidate_range_start(&range);
		/* folio_walk_start(): the same page, mapped by a writable pte. */
		ptep = vmsim__pte_lookup(mm, addr);
		if (!ptep) {
			mmu_notifier_invalidate_range_end(&range);
			put_back(vm, p, true);
			continue;
		}
		ptl = vmsim__pte_lockptr(vm, ptep);
		vmsim_lock(vm, ptl);
		pte = ptep_get(ptep);
		if (!pte_present(pte) || pte_pfn(pte) != vmsim_page_to_pfn(vm, p) || !pte_write(pte)) {
			vmsim_unlock(vm, ptl);
			mmu_notifier_invalidate_range_end(&range);
			put_back(vm, p, true);
			continue;
		}
		/* ptep_clear_flush(), for the up-to-date dirty bit. */
		vmsim__ptep_get_and_clear(mm, addr, ptep);
		vmsim__flush_tlb_page(mm, addr);
		if (pte_dirty(pte))
			vmsim__folio_mark_dirty(p);
		err = vmsim__kind_from_present(vma, VMSIM_KIND_DEVICE_EXCLUSIVE_NAME, addr, pte, &entry);
		if (err)
			entry = pte;	/* no such kind on this machine: leave the page mapped */
		vmsim__set_pte_at(mm, addr, ptep, entry);
		vmsim__kind_note_vma(vma, entry);
		vmsim_unlock(vm, ptl);
		mmu_notifier_invalidate_range_end(&range);
		if (err) {
			put_back(vm, p, true);
			return err;
		}
		*out = p;
		return 0;
	}
	VMSIM_BUG(vm, "make_device_exclusive of mm%d %#llx: the writable pte GUP made keeps changing",
		  mm->id, (unsigned long long)addr);
	return -EBUSY;
}

/* ---- 6.14 and earlier ---- */

struct exclusive_args {
	struct vmsim_mm *mm;
	uint64_t address;
	void *owner;
	bool valid;
	int err;
};

/* page_make_device_exclusive_one(): every pte mapping the folio becomes a
 * device-exclusive entry, readable or writable as the pte was; the
 * mapcount goes (the rss stays until zap), the reference moves to the
 * entry. */
static bool make_exclusive_one(struct vmsim_page *p, struct vm_area_struct *vma, uint64_t address, pte_t *ptep,
			       void *arg)
{
	struct exclusive_args *a = arg;
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct mmu_notifier_range range;
	struct vmsim_lock *ptl = vmsim__pte_lockptr(vm, ptep);
	pte_t pte, entry;
	int err;

	mmu_notifier_range_init_owner(&range, MMU_NOTIFY_EXCLUSIVE, 0, mm, address,
				      address + PAGE_SIZE < vma->vm_end ? address + PAGE_SIZE : vma->vm_end,
				      a->owner);
	mmu_notifier_invalidate_range_start(&range);
	vmsim_lock(vm, ptl);
	pte = ptep_get(ptep);
	if (!pte_present(pte)) {
		vmsim_unlock(vm, ptl);
		mmu_notifier_invalidate_range_end(&range);
		return false;
	}
	err = vmsim__kind_from_present(vma, VMSIM_KIND_DEVICE_EXCLUSIVE_NAME, address, pte, &entry);
	if (err) {
		a->err = err;
		vmsim_unlock(vm, ptl);
		mmu_notifier_invalidate_range_end(&range);
		return false;
	}
	vmsim__ptep_get_and_clear(mm, address, ptep);
	vmsim__flush_tlb_page(mm, address);
	if (pte_dirty(pte))
		vmsim__folio_mark_dirty(p);
	/* Our target page is still mapped, writable, where it was asked. */
	if (mm == a->mm && address == a->address && pte_write(pte))
		a->valid = true;
	vmsim__set_pte_at(mm, address, ptep, entry);
	vmsim__kind_note_vma(vma, entry);
	vmsim__folio_remove_rmap(vma, p);
	vmsim_mm_add_rss(mm, MM_ANONPAGES, 1);
	vmsim_unlock(vm, ptl);
	mmu_notifier_invalidate_range_end(&range);
	return true;
}

static int make_614(struct vmsim_mm *mm, uint64_t addr, void *owner, struct vmsim_page **out)
{
	struct vmsim *vm = mm->vm;
	struct exclusive_args a = { .mm = mm, .address = addr, .owner = owner };
	struct vm_area_struct *vma;
	struct vmsim_page *p;
	int err;

	err = vmsim__get_user_page_write(mm, addr, &vma, &p);
	if (err)
		return err;
	/* A page that cannot be made exclusive is a NULL page in pages[],
	 * which the drivers turn into -EBUSY. */
	if (!vmsim__folio_trylock(vm, p)) {
		put_back(vm, p, false);
		return -EBUSY;
	}
	/* folio_make_device_exclusive(): anonymous folios only. */
	if (!folio_test_anon(p)) {
		put_back(vm, p, true);
		return -EBUSY;
	}
	vmsim__rmap_walk(vm, p, make_exclusive_one, &a);
	if (a.err || !a.valid || p->mapcount) {
		put_back(vm, p, true);
		return a.err ? a.err : -EBUSY;
	}
	*out = p;
	return 0;
}

int vmsim__make_device_exclusive(struct vmsim_mm *mm, uint64_t addr, void *owner, struct vmsim_page **out)
{
	int err;

	addr &= PAGE_MASK;
	err = mm->vm->cfg.devx == VMSIM_DEVX_6_14 ? make_614(mm, addr, owner, out) :
						     make_615(mm, addr, owner, out);
	/* The caller (a device) keeps the folio locked past this operation. */
	if (!err)
		vmsim__folio_lock_handoff(mm->vm, *out);
	return err;
}

int vmsim_make_device_exclusive(struct vmsim_mm *mm, uint64_t addr, void *owner, unsigned long *pfn)
{
	struct vmsim_page *p;
	int err;

	if (!mm || !pfn)
		return -EINVAL;
	vmsim__mm_enter(mm);
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	err = vmsim__make_device_exclusive(mm, addr, owner, &p);
	vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	if (!err)
		*pfn = vmsim_page_to_pfn(mm->vm, p);
	vmsim__mm_op_done(mm->vm);
	return err;
}

int vmsim_device_exclusive_done(struct vmsim *vm, unsigned long pfn)
{
	struct vmsim_page *p = vm ? vmsim_pfn_to_page(vm, pfn) : NULL;

	if (!p || !vmsim_page_test(p, PG_locked) || p->refcount <= 0 || vmsim_page_test(p, PG_buddy) ||
	    vmsim_page_test(p, PG_table) || vmsim_page_test(p, PG_zero))
		return -EINVAL;
	vmsim__folio_unlock(vm, p);
	vmsim_put_page(vm, p);
	return 0;
}
