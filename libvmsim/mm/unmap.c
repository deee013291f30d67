/* The rmap walks that change mappings: try_to_unmap (reclaim, memory
 * failure), try_to_migrate and remove_migration_ptes, folio_referenced
 * (reclaim's aging), folio_mkclean (writeback), and the batched TLB flush
 * of reclaim (TTU_BATCH_FLUSH, try_to_unmap_flush[_dirty],
 * flush_tlb_batched_pending).  Follows the second half of mm/rmap.c of
 * Linux 6.18 (page_vma_mapped_walk under the anon_vma or i_mmap lock and
 * the pte lock).  A large folio is walked page by page, a PMD leaf
 * mapping it met once (ptep NULL to the callback, under the PMD lock);
 * try_to_unmap and try_to_migrate split PMD leaves first
 * (TTU_SPLIT_HUGE_PMD), and no PMD-level swap or migration entry is
 * made.  The entries left behind (swap, migration, hwpoison) are built by
 * their kinds' unmap hooks.  With luf=on|debug a batched unmap of a folio
 * mapped only read-only and clean leaves its flush owed instead
 * (mm/luf.c, v12's LUF). */
#include <utlist.h>

#include "mm_internal.h"

/* ---- the walk ---- */

struct pvmw {
	struct vmsim_page *p;
	unsigned flags;
	rmap_one_fn fn;
	void *arg;
};

/* page_vma_mapped_walk() over a large folio's pages in one vma: each pte
 * mapping one of them, and a PMD leaf mapping the whole folio once. */
static bool walk_large(struct vmsim *vm, struct vm_area_struct *vma, struct pvmw *w)
{
	struct vmsim_page *folio = w->p;
	unsigned long nr = vmsim_folio_nr_pages(folio), head = vmsim_page_to_pfn(vm, folio);
	struct vmsim_mm *mm = vma->vm_mm;

	for (unsigned long i = 0; i < nr; i++) {
		struct vmsim_page *page = folio + i;
		uint64_t addr = vma_address(vma, page->index);
		struct vmsim_lock *ptl;
		pmd_t *pmdp;
		pte_t *ptep;
		bool ret = true;

		if (page->index < vma->vm_pgoff || addr < vma->vm_start || addr >= vma->vm_end)
			continue;
		pmdp = vmsim__pmd_lookup(mm, addr);
		if (!pmdp)
			continue;
		if (pmd_trans_huge(pmdp_get(pmdp))) {
			ptl = vmsim__pmd_lockptr(vm, pmdp);
			vmsim_lock(vm, ptl);
			if (!(w->flags & RMAP_WALK_ENTRIES) && pmd_present(pmdp_get(pmdp)) &&
			    pmd_pfn(pmdp_get(pmdp)) == head)
				ret = w->fn(folio, vma, addr & PMD_MASK, NULL, w->arg);
			vmsim_unlock(vm, ptl);
			if (!ret)
				return false;
			/* The rest of this PMD's range is the same leaf. */
			i += ((((addr & PMD_MASK) + PMD_SIZE) - addr) >> PAGE_SHIFT) - 1;
			continue;
		}
		ptep = vmsim__pte_offset(mm, pmdp, addr);
		if (!ptep)
			continue;
		ptl = vmsim__pte_lockptr(vm, ptep);
		vmsim_lock(vm, ptl);
		if (!(w->flags & RMAP_WALK_ENTRIES) && pte_present(ptep_get(ptep)) &&
		    pte_pfn(ptep_get(ptep)) == head + i)
			ret = w->fn(page, vma, addr, ptep, w->arg);
		vmsim_unlock(vm, ptl);
		if (!ret)
			return false;
	}
	return true;
}

/* page_vma_mapped_walk() at addr: the pte, if it maps the folio (or, with
 * RMAP_WALK_ENTRIES, is an entry naming it), under its lock. */
static bool walk_pte(struct vmsim *vm, struct vm_area_struct *vma, uint64_t addr, struct pvmw *w)
{
	struct vmsim_page *p = w->p;
	unsigned long pfn = vmsim_page_to_pfn(vm, p);
	struct vmsim_lock *ptl;
	pte_t *ptep, pte;
	bool match, ret = true;

	ptep = vmsim__pte_lookup(vma->vm_mm, addr);
	if (!ptep)
		return true;
	ptl = vmsim__pte_lockptr(vm, ptep);
	vmsim_lock(vm, ptl);
	pte = ptep_get(ptep);
	if (w->flags & RMAP_WALK_ENTRIES) {
		struct vmsim_kind_hold h;

		vmsim__kind_hold(vma, pte, &h);
		match = !pte_present(pte) && !pte_none(pte) && h.pfn == pfn;
	} else if (pte_present(pte)) {
		match = pte_pfn(pte) == pfn;
	} else {
		unsigned holds;

		/* check_pte(): an entry that keeps the folio mapped (6.15+
		 * device-exclusive: its kind holds the mapcount) is a mapping
		 * too. */
		match = vmsim__kind_entry_page(vm, pte, &holds) == p && (holds & VMSIM_KIND_HOLDS_MAPCOUNT);
	}
	if (match)
		ret = w->fn(p, vma, addr, ptep, w->arg);
	vmsim_unlock(vm, ptl);
	return ret;
}

/* One vma of the walk; with RMAP_WALK_NOTIFY_CLEAR (MKCLEAN) inside an
 * MMU_NOTIFY_CLEAR (PROTECTION_PAGE) range of the folio's address. */
static bool walk_one(struct vmsim *vm, struct vm_area_struct *vma, struct pvmw *w)
{
	struct vmsim_page *p = w->p;
	uint64_t addr = vma_address(vma, p->index);
	bool notify = w->flags & (RMAP_WALK_NOTIFY_CLEAR | RMAP_WALK_MKCLEAN);
	enum mmu_notifier_event event = (w->flags & RMAP_WALK_NOTIFY_CLEAR) ? MMU_NOTIFY_CLEAR :
					MMU_NOTIFY_PROTECTION_PAGE;
	bool ret;

	if ((w->flags & RMAP_WALK_MKCLEAN) && !(vma->vm_flags & VM_SHARED))
		return true;	/* invalid_mkclean_vma() */
	if (vmsim_page_test(p, PG_head)) {
		/* A large folio: its range in the vma at once. */
		struct mmu_notifier_range range;
		uint64_t start = vma_address(vma, p->index), end = start + (vmsim_folio_nr_pages(p) << PAGE_SHIFT);

		if (!notify)
			return walk_large(vm, vma, w);
		mmu_notifier_range_init(&range, event, 0, vma->vm_mm, start, end);
		mmu_notifier_invalidate_range_start(&range);
		ret = walk_large(vm, vma, w);
		mmu_notifier_invalidate_range_end(&range);
		return ret;
	}
	if (p->index < vma->vm_pgoff || addr < vma->vm_start || addr >= vma->vm_end)
		return true;
	if (notify) {
		/* Before the pte lock, whether or not the pte maps the folio:
		 * secondary MMUs (a device with atomic access) let go. */
		struct mmu_notifier_range range;

		mmu_notifier_range_init(&range, event, 0, vma->vm_mm, addr, addr + PAGE_SIZE);
		mmu_notifier_invalidate_range_start(&range);
		ret = walk_pte(vm, vma, addr, w);
		mmu_notifier_invalidate_range_end(&range);
		return ret;
	}
	return walk_pte(vm, vma, addr, w);
}

/* rmap_walk(): every vma the folio may be mapped in, under the anon_vma's
 * (root) lock or the file's i_mmap_rwsem, read. */
void vmsim__rmap_walk_locked(struct vmsim *vm, struct vmsim_page *p, unsigned flags, rmap_one_fn fn, void *arg)
{
	struct pvmw w = { p, flags, fn, arg };

	if (!(flags & RMAP_WALK_ENTRIES) && vmsim__folio_mapcount(vm, p) <= 0)
		return;
	if (folio_test_anon(p)) {
		struct anon_vma *av = folio_anon_vma(p);
		struct anon_vma_chain *avc;
		struct vmsim_lock *l = &av->root->rwsem;

		vmsim_lock_read(vm, l);
		DL_FOREACH2(av->rb_root, avc, av_next)
			if (!walk_one(vm, avc->vma, &w))
				break;
		vmsim_unlock_read(vm, l);
	} else if (p->mapping) {
		struct vmsim_file *f = folio_file(p);
		struct vm_area_struct *v;

		vmsim_lock_read(vm, &f->i_mmap_rwsem);
		DL_FOREACH2(f->i_mmap, v, i_next)
			if (!walk_one(vm, v, &w))
				break;
		vmsim_unlock_read(vm, &f->i_mmap_rwsem);
	}
}

/* ---- batched TLB flushing (TTU_BATCH_FLUSH) ---- */

static struct tlbflush_unmap_batch *ubc(struct vmsim *vm) { return &vm->mm_world->tlb_ubc; }

/* should_defer_flush(): batch only when asked to and another CPU may
 * cache the mm (arch_tlbbatch_should_defer). */
static bool should_defer_flush(struct vmsim_mm *mm, unsigned flags)
{
	return (flags & TTU_BATCH_FLUSH) && vmsim__tlbbatch_should_defer(mm->vm, &mm->ctx);
}

/* set_tlb_ubc_flush_pending(): with LUF, the read-only batch while the
 * folio may still be LUF'd. */
static void set_tlb_ubc_flush_pending(struct vm_area_struct *vma, uint64_t addr, pte_t pteval,
				      struct vmsim_page *p)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct tlbflush_unmap_batch *b;

	if (!pte_present(pteval))	/* !pte_accessible() */
		return;
	mm->tlb_batch_pending++;
	b = vmsim__luf_pending_batch(vma, addr, pteval, p);
	vmsim__tlbbatch_add_pending(mm->vm, &b->cpumask, &mm->ctx);
	/* x86's arch_tlbbatch_add_pending(): the batch flushes CPUs, not
	 * ranges, so secondary TLBs hear of all of the mm now. */
	if (mm_has_notifiers(mm))
		vmsim__mmu_notifier_arch_invalidate_secondary_tlbs(mm, 0, VMSIM_TLB_FLUSH_ALL);
	b->flush_required = true;
	if (pte_dirty(pteval))
		b->writable = true;
}

/* try_to_unmap_flush(): every deferred flush, now (LUF's read-only and
 * LUF batches too: whatever fold_unmap_luf() did not take). */
void vmsim__try_to_unmap_flush(struct vmsim *vm)
{
	struct tlbflush_unmap_batch *b = ubc(vm);
	uint64_t mask, ugen;

	vmsim__luf_fold_into(vm, b);
	if (!b->flush_required)
		return;
	mask = b->cpumask;
	ugen = vmsim__luf_flush_start(vm);
	vmsim__tlbbatch_flush(vm, &b->cpumask);
	vmsim__luf_flush_end(vm, mask, NULL, ugen);
	b->flush_required = false;
	b->writable = false;
	vm->mm_world->rst.tlb_batch_flushes++;
}

/* try_to_unmap_flush_dirty(): before writing a folio out, no CPU may keep
 * a writable translation of it. */
void vmsim__try_to_unmap_flush_dirty(struct vmsim *vm)
{
	if (ubc(vm)->writable)
		vmsim__try_to_unmap_flush(vm);
}

/* flush_tlb_batched_pending(): a pte of mm is about to change (zap,
 * mprotect, mremap, madvise) while reclaim may still owe its flush. */
void vmsim__flush_tlb_batched_pending(struct vmsim_mm *mm)
{
	uint64_t ugen;

	if (mm->tlb_batch_pending == mm->tlb_batch_flushed)
		return;
	/* LUF relies on it too (v12): the flush marks the mm's CPUs done. */
	ugen = vmsim__luf_flush_start(mm->vm);
	vmsim__flush_tlb_mmu(mm, 0, ~0ULL, false);
	vmsim__luf_batched_pending_done(mm, ugen);
	mm->tlb_batch_flushed = mm->tlb_batch_pending;
}

/* ---- try_to_unmap ---- */

struct ttu_arg {
	unsigned flags;
	bool ok;
};

/* An unmap that fails takes LUF away from the whole folio. */
static bool ttu_fail(struct vmsim *vm, struct ttu_arg *t)
{
	t->ok = false;
	vmsim__can_luf_fail(vm);
	return false;
}

/* folio_try_share_anon_rmap_pte(): a possibly pinned exclusive page
 * cannot become shared (its swap or migration entry would let a later
 * fault map another copy than the pin sees). */
static bool try_share_anon(struct vmsim_page *p)
{
	if (p->refcount >= 1024)	/* folio_maybe_dma_pinned() */
		return false;
	vmsim_page_clear(p, PG_anon_exclusive);
	return true;
}

/* Nuke the page table entry: a present pte is flushed (now, or batched);
 * a mapped entry (device-exclusive) no TLB can hold is just cleared. */
static pte_t clear_pte(struct vm_area_struct *vma, uint64_t addr, pte_t *ptep, unsigned flags,
		       struct vmsim_page *p)
{
	struct vmsim_mm *mm = vma->vm_mm;
	pte_t pteval = vmsim__ptep_get_and_clear(mm, addr, ptep);

	if (!pte_present(pteval))
		return pteval;	/* pte_clear() */
	if (should_defer_flush(mm, flags))
		set_tlb_ubc_flush_pending(vma, addr, pteval, p);
	else
		vmsim__flush_tlb_page(mm, addr);	/* ptep_clear_flush() */
	return pteval;
}

/* The mapping is gone: its rmap, mlock and reference with it. */
static void discard(struct vm_area_struct *vma, struct vmsim_page *p)
{
	vmsim__folio_remove_rmap(vma, p);
	vmsim_put_page(vma->vm_mm->vm, p);
}

static bool try_to_unmap_one(struct vmsim_page *p, struct vm_area_struct *vma, uint64_t addr, pte_t *ptep,
			     void *arg)
{
	struct ttu_arg *t = arg;
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	bool anon_exclusive = folio_test_anon(p) && vmsim_page_test(p, PG_anon_exclusive);
	pte_t pteval, entry;

	if (!(t->flags & TTU_IGNORE_MLOCK) && (vma->vm_flags & VM_LOCKED)) {
		/* Restore the mlock which got missed. */
		if (!vmsim_page_test(p, PG_mlocked))
			vmsim__mlock_vma_folio(vma, p);
		return ttu_fail(vm, t);
	}
	pteval = clear_pte(vma, addr, ptep, t->flags, p);
	if (pte_dirty(pteval))
		vmsim__folio_mark_dirty(p);
	/* pte_install_uffd_wp_if_needed(): a file vma keeps the protection. */
	vmsim__zap_leave(vma, addr, ptep, NULL, pteval);
	if (vmsim_page_test(p, PG_hwpoison) && (t->flags & TTU_HWPOISON)) {
		/* The rmap removal below takes the page out of the rss. */
		if (vmsim__kind_unmap_entry(vma, addr, VMSIM_KIND_HWPOISON_NAME, pteval, p, false, &entry) == 0) {
			vmsim__set_pte_at(mm, addr, ptep, entry);
			vmsim__kind_note_vma(vma, entry);
		}
	} else if (folio_test_anon(p)) {
		swp_entry_t swap = vmsim__folio_swap(p);

		if (VMSIM_BUG_ON(vm, !vmsim_page_test(p, PG_swapcache), "try_to_unmap of anon pfn %#lx "
				 "not in the swap cache", vmsim_page_to_pfn(vm, p)) ||
		    vmsim__swap_duplicate(vm, swap) < 0) {
			vmsim__set_pte_at(mm, addr, ptep, pteval);
			return ttu_fail(vm, t);
		}
		if (anon_exclusive && !try_share_anon(p)) {
			vmsim__swap_free(vm, swap);
			vmsim__set_pte_at(mm, addr, ptep, pteval);
			return ttu_fail(vm, t);
		}
		if (vmsim__kind_unmap_entry(vma, addr, VMSIM_KIND_SWAP_NAME, pteval, p, anon_exclusive, &entry)) {
			vmsim__swap_free(vm, swap);
			vmsim__set_pte_at(mm, addr, ptep, pteval);
			return ttu_fail(vm, t);
		}
		/* MM_ANONPAGES goes down with the rmap removal below. */
		mm->rss[MM_SWAPENTS]++;
		vmsim__set_pte_at(mm, addr, ptep, entry);
		vmsim__kind_note_vma(vma, entry);
	}
	discard(vma, p);
	return true;
}

/* try_to_unmap(): every pte mapping the folio goes.  The folio may still
 * be mapped afterwards (mlocked vma, pinned page): the caller checks.
 * True when LUF deferred the flush of every pte (v12's return value). */
/* TTU_SPLIT_HUGE_PMD: every PMD leaf mapping the folio becomes ptes. */
static bool split_pmd_one(struct vmsim_page *p, struct vm_area_struct *vma, uint64_t addr, pte_t *ptep, void *arg)
{
	(void)p;
	(void)arg;
	if (!ptep)
		vmsim__split_huge_pmd_address(vma, addr);
	return true;
}

static void split_huge_pmds(struct vmsim *vm, struct vmsim_page *p)
{
	if (vmsim_page_test(p, PG_head) && vmsim__folio_meta(vm, p)->entire_mapcount)
		vmsim__rmap_walk(vm, p, split_pmd_one, NULL);
}

bool vmsim__try_to_unmap(struct vmsim *vm, struct vmsim_page *p, unsigned flags)
{
	struct ttu_arg t = { flags, true };

	split_huge_pmds(vm, p);
	vmsim__can_luf_init(vm, p);
	vmsim__rmap_walk_locked(vm, p, RMAP_WALK_NOTIFY_CLEAR, try_to_unmap_one, &t);
	return vmsim__luf_unmap_done(vm);
}

/* ---- try_to_migrate / remove_migration_ptes ---- */

static bool try_to_migrate_one(struct vmsim_page *p, struct vm_area_struct *vma, uint64_t addr, pte_t *ptep,
			       void *arg)
{
	struct ttu_arg *t = arg;
	struct vmsim_mm *mm = vma->vm_mm;
	bool anon_exclusive = folio_test_anon(p) && vmsim_page_test(p, PG_anon_exclusive);
	pte_t pteval, entry;

	/* Migration ignores mlock; the flush is deferred only in a batch
	 * (migrate_pages_batch()'s MIGRATE_ASYNC pass). */
	pteval = clear_pte(vma, addr, ptep, t->flags, p);
	if (pte_dirty(pteval))
		vmsim__folio_mark_dirty(p);
	if (anon_exclusive && !try_share_anon(p)) {
		vmsim__set_pte_at(mm, addr, ptep, pteval);
		return ttu_fail(mm->vm, t);
	}
	if (vmsim__kind_unmap_entry(vma, addr, VMSIM_KIND_MIGRATION_NAME, pteval, p, anon_exclusive, &entry)) {
		if (anon_exclusive)
			vmsim_page_set(p, PG_anon_exclusive);
		vmsim__set_pte_at(mm, addr, ptep, pteval);
		return ttu_fail(mm->vm, t);
	}
	vmsim__set_pte_at(mm, addr, ptep, entry);
	vmsim__kind_note_vma(vma, entry);
	/* The entry stays counted in the mm's rss (do_swap_page and zap
	 * know it); only the rmap and the mapping's reference go. */
	p->mapcount--;
	vmsim__munlock_vma_folio(vma, p);
	vmsim_put_page(mm->vm, p);
	return true;
}

/* try_to_migrate(): migration entries in place of every mapping; false if
 * one could not be made (the folio stays partly mapped).  *can_luf: LUF
 * deferred the flush of every pte. */
bool vmsim__try_to_migrate(struct vmsim *vm, struct vmsim_page *p, unsigned flags, bool *can_luf)
{
	struct ttu_arg t = { flags, true };

	split_huge_pmds(vm, p);
	vmsim__can_luf_init(vm, p);
	vmsim__rmap_walk_locked(vm, p, RMAP_WALK_NOTIFY_CLEAR, try_to_migrate_one, &t);
	*can_luf = vmsim__luf_unmap_done(vm);
	return t.ok && vmsim__folio_mapcount(vm, p) == 0;
}

struct rmp_arg {
	struct vmsim_page *dst;
};

/* remove_migration_pte(): the entry becomes a present pte of dst, as its
 * kind decodes it; dst takes the rmap and a reference. */
static bool remove_migration_pte(struct vmsim_page *src, struct vm_area_struct *vma, uint64_t addr, pte_t *ptep,
				 void *arg)
{
	struct rmp_arg *a = arg;
	struct vmsim_mm *mm = vma->vm_mm;
	pte_t entry = ptep_get(ptep), pte;
	bool exclusive = false;

	(void)src;
	if (vmsim__kind_remap(vma, addr, entry, a->dst, &pte, &exclusive))
		return true;
	vmsim_get_page(mm->vm, a->dst);
	a->dst->mapcount++;
	if (folio_test_anon(a->dst) && exclusive)
		vmsim_page_set(a->dst, PG_anon_exclusive);
	vmsim__mlock_vma_folio(vma, a->dst);
	vmsim__set_pte_at(mm, addr, ptep, pte);
	return true;
}

/* remove_migration_ptes(src, dst): every migration entry naming src now
 * maps dst (src == dst when the migration failed). */
void vmsim__remove_migration_ptes(struct vmsim *vm, struct vmsim_page *src, struct vmsim_page *dst)
{
	struct rmp_arg a = { dst };

	vmsim__rmap_walk_locked(vm, src, RMAP_WALK_ENTRIES, remove_migration_pte, &a);
}

/* ---- folio_referenced ---- */

struct fr_arg {
	int mapcount, referenced;
	unsigned long vm_flags;
};

static bool folio_referenced_one(struct vmsim_page *p, struct vm_area_struct *vma, uint64_t addr, pte_t *ptep,
				 void *arg)
{
	struct fr_arg *a = arg;
	pte_t pte;

	if (!ptep) {
		/* A PMD leaf (pmdp_clear_young_notify()): the folio's one
		 * mapping here, its accessed bit cleared likewise. */
		pmd_t *pmdp = vmsim__pmd_lookup(vma->vm_mm, addr);
		pmd_t pmd = pmdp_get(pmdp);

		if (vma->vm_flags & VM_LOCKED) {
			a->vm_flags |= VM_LOCKED;
			return false;
		}
		if (pmd_young(pmd)) {
			vmsim__set_pmd_at(vma->vm_mm, addr, pmdp, pmd_mkold(pmd));
			a->referenced++;
			a->vm_flags |= vma->vm_flags & ~VM_LOCKED;
		}
		return --a->mapcount > 0;
	}
	pte = ptep_get(ptep);
	if (vma->vm_flags & VM_LOCKED) {
		if (!vmsim_page_test(p, PG_mlocked))
			vmsim__mlock_vma_folio(vma, p);
		a->vm_flags |= VM_LOCKED;
		return false;
	}
	/* x86 ptep_clear_flush_young(): the accessed bit is cleared without
	 * a TLB flush; a CPU that still caches the translation keeps using
	 * it and never sets the bit again until the entry leaves its TLB. */
	if (pte_young(pte)) {
		vmsim__set_pte_at(vma->vm_mm, addr, ptep, pte_mkold(pte));
		a->referenced++;
		a->vm_flags |= vma->vm_flags & ~VM_LOCKED;
	}
	return --a->mapcount > 0;
}

/* folio_referenced(): how many mappings saw an access since the last
 * look (their accessed bits, cleared now); vm_flags collects the flags of
 * those vmas, VM_LOCKED when an mlocked mapping was met. */
int vmsim__folio_referenced(struct vmsim *vm, struct vmsim_page *p, unsigned long *vm_flags)
{
	struct fr_arg a = { vmsim__folio_mapcount(vm, p), 0, 0 };

	*vm_flags = 0;
	if (a.mapcount <= 0)
		return 0;
	vmsim__rmap_walk_locked(vm, p, 0, folio_referenced_one, &a);
	*vm_flags = a.vm_flags;
	return a.referenced;
}

/* ---- folio_mkclean ---- */

static bool page_mkclean_one(struct vmsim_page *p, struct vm_area_struct *vma, uint64_t addr, pte_t *ptep,
			     void *arg)
{
	pte_t pte = ptep_get(ptep);

	(void)p;
	if (!pte_dirty(pte) && !pte_write(pte))
		return true;
	vmsim__ptep_get_and_clear(vma->vm_mm, addr, ptep);
	vmsim__flush_tlb_page(vma->vm_mm, addr);
	vmsim__set_pte_at(vma->vm_mm, addr, ptep, pte_mkclean(pte_wrprotect(pte)));
	(*(int *)arg)++;
	return true;
}

/* folio_mkclean(): before writeback, every shared writable mapping is
 * write-protected and cleaned, so the next write faults and dirties the
 * folio again; secondary MMUs drop their writable translations
 * (page_vma_mkclean_one's MMU_NOTIFY_PROTECTION_PAGE range).  Returns how many ptes were dirty or writable. */
int vmsim__folio_mkclean(struct vmsim *vm, struct vmsim_page *p)
{
	int cleaned = 0;

	if (p->mapcount > 0 && p->mapping && !folio_test_anon(p))
		vmsim__rmap_walk_locked(vm, p, RMAP_WALK_MKCLEAN, page_mkclean_one, &cleaned);
	/* v12: "Ensure to clean stale tlb entries for this mapping." */
	if (p->mapping && !folio_test_anon(p))
		vmsim__luf_flush_mapping(folio_file(p), VMSIM_LUF_PT_MKCLEAN);
	return cleaned;
}
