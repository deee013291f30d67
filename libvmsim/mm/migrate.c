/* Page migration: a folio's contents move to a newly allocated frame while
 * every mapping of it holds a migration entry (try_to_migrate), then the
 * entries become ptes of the new frame (remove_migration_ptes).  Follows
 * mm/migrate.c of Linux 6.18 (migrate_pages in MIGRATE_SYNC mode:
 * migrate_folio_unmap, folio_migrate_mapping with its reference check,
 * folio_migrate_flags, migrate_folio_move, up to 10 tries).  A pinned
 * page, or one referenced beyond its mappings and cache, fails as in
 * Linux.  Simplified: small folios, no NUMA (the new frame is simply the
 * next free one), no migration of page-table or movable kernel pages.
 * The public call is the simulator's own (no system call migrates an
 * arbitrary range to "anywhere"); a CPU that meets a migration entry of
 * an unfinished two-step migration finishes it (migration_entry_wait).
 * With luf=on|debug the unmap is batched, as migrate_pages_sync()'s first,
 * MIGRATE_ASYNC pass does (TTU_BATCH_FLUSH): the flush of what LUF cannot
 * defer comes before the copy, and a LUF'd source is freed owing its own
 * (v12's "mm/migrate: apply luf mechanism"). */
#include <utlist.h>

#include "mm_internal.h"

#define NR_MAX_MIGRATE_PAGES_RETRY	10

struct vmsim_migration {
	struct vmsim *vm;
	struct vmsim_page *src, *dst;
	struct anon_vma *anon_vma;	/* pinned while entries name src */
	bool was_mapped;
	bool batch;			/* LUF: unmap with TTU_BATCH_FLUSH */
	bool can_luf;			/* every pte's flush was deferred */
	uint32_t luf_key;		/* ... and src owes this key */
	bool done;			/* finished (by a fault that waited on it) */
	int err;
	struct vmsim_migration *next;
};

static struct vmsim_reclaim_stats *rst(struct vmsim *vm) { return &vm->mm_world->rst; }

/* folio_expected_refs(): the isolation's, and the page or swap cache's. */
static int expected_refs(const struct vmsim_page *p)
{
	return 1 + (vmsim_page_test(p, PG_swapcache) || (p->mapping && !folio_test_anon(p)));
}

/* folio_migrate_flags() */
static void migrate_flags(struct vmsim_page *dst, struct vmsim_page *src)
{
	static const enum vmsim_pageflags moved[] = {
		PG_referenced, PG_uptodate, PG_active, PG_workingset, PG_dirty, PG_swapbacked,
	};

	for (unsigned i = 0; i < sizeof(moved) / sizeof(moved[0]); i++)
		if (vmsim_page_test(src, moved[i]))
			vmsim_page_set(dst, moved[i]);
	vmsim_page_clear(src, PG_dirty);
	vmsim_page_clear(src, PG_active);
}

/* folio_migrate_mapping(): the cache slot and the cache's reference move
 * to dst; -EAGAIN when someone else holds a reference (a pin). */
static int migrate_mapping(struct vmsim *vm, struct vmsim_page *dst, struct vmsim_page *src)
{
	if (src->refcount != expected_refs(src))
		return -EAGAIN;
	dst->mapping = src->mapping;
	dst->index = src->index;
	if (vmsim_page_test(src, PG_swapcache)) {
		swp_entry_t entry = vmsim__folio_swap(src);

		vmsim__swap_slot_set_cache(vm, entry, NULL);
		vmsim__swap_slot_set_cache(vm, entry, dst);
		vmsim_page_set(dst, PG_swapcache);
		dst->private_ = entry.val;
		vmsim_page_clear(src, PG_swapcache);
		src->private_ = 0;
		vmsim_get_page(vm, dst);
		vmsim_put_page(vm, src);
	} else if (src->mapping && !folio_test_anon(src)) {
		if (!vmsim__filemap_replace_folio(src, dst))
			return -EAGAIN;
	}
	return 0;
}

/* migrate_folio_unmap(): src locked and unmapped into migration entries. */
static int unmap_one(struct vmsim *vm, struct vmsim_migration *m)
{
	struct vmsim_page *src = m->src;

	if (!vmsim__folio_trylock(vm, src))
		return -EAGAIN;
	/* folio_get_anon_vma(): the rmap walk that puts the mappings back
	 * must find the anon_vma even if every vma goes meanwhile. */
	if (folio_test_anon(src) && src->mapcount > 0 && !m->anon_vma) {
		m->anon_vma = folio_anon_vma(src);
		vmsim__get_anon_vma(m->anon_vma);
	}
	m->was_mapped = src->mapcount > 0;
	m->can_luf = false;
	if (m->was_mapped && !vmsim__try_to_migrate(vm, src, m->batch ? TTU_BATCH_FLUSH : 0, &m->can_luf)) {
		/* Some mapping could not be replaced: put them all back. */
		vmsim__remove_migration_ptes(vm, src, src);
		vmsim__folio_unlock(vm, src);
		m->can_luf = false;
		return -EAGAIN;
	}
	return 0;
}

/* migrate_pages_batch() between unmap and move: what LUF takes becomes a
 * key, the rest is flushed now, before any copy. */
static void batch_flush(struct vmsim *vm, struct vmsim_migration *m)
{
	uint32_t key;

	if (!m->batch)
		return;
	key = vmsim__fold_unmap_luf(vm);
	vmsim__try_to_unmap_flush(vm);
	if (m->can_luf)
		m->luf_key = key;
}

/* migrate_folio_move(): copy, switch the cache slot, map dst where src
 * was; on failure src is mapped again. */
static int move_one(struct vmsim *vm, struct vmsim_migration *m)
{
	struct vmsim_page *src = m->src, *dst = m->dst;
	struct vmsim_file *f = src->mapping && !folio_test_anon(src) ? folio_file(src) : NULL;
	uint64_t index = src->index;
	int err = migrate_mapping(vm, dst, src);

	/* luf=debug: src's cache slot now holds dst, its flush still owed. */
	if (!err && m->can_luf)
		vmsim__luf_cache_replaced(vm, f, index);
	if (err) {
		if (m->was_mapped)
			vmsim__remove_migration_ptes(vm, src, src);
		vmsim__folio_unlock(vm, src);
		return err;
	}
	vmsim_frame_copy(vm, dst, src);
	migrate_flags(dst, src);
	vmsim__folio_add_lru(vm, dst);
	if (m->was_mapped)
		vmsim__remove_migration_ptes(vm, src, dst);
	vmsim__folio_unlock(vm, src);
	return 0;
}

/* The end of one folio's migration: src goes (its isolation reference),
 * dst keeps only what maps or caches it. */
static void migration_done(struct vmsim *vm, struct vmsim_migration *m, int err)
{
	if (m->anon_vma) {
		vmsim__put_anon_vma(vm, m->anon_vma);
		m->anon_vma = NULL;
	}
	if (err) {
		vmsim_put_page(vm, m->dst);
		vmsim__folio_putback_lru(vm, m->src);
		rst(vm)->pgmigrate_fail++;
	} else {
		vmsim_put_page(vm, m->dst);
		vmsim__luf_put_folio(vm, m->src, m->luf_key);
		rst(vm)->pgmigrate_success++;
	}
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vm->cur_cpu,
			  .pfn = vmsim_page_to_pfn(vm, m->src), .new_val = vmsim_page_to_pfn(vm, m->dst),
			  .why = err ? "migration failed" : "migrated" });
}

/* An isolated folio: a destination allocated before src is locked (it may
 * reclaim), then unmap and move, up to NR_MAX_MIGRATE_PAGES_RETRY tries. */
static int migrate_folio(struct vmsim *vm, struct vmsim_page *src)
{
	struct vmsim_migration m = { .vm = vm, .src = src, .batch = vmsim__luf(vm) != NULL };
	int err = -EAGAIN;

	m.dst = vmsim__alloc_pages_may_reclaim(vm, 0);
	if (!m.dst) {
		vmsim__folio_putback_lru(vm, src);
		rst(vm)->pgmigrate_fail++;
		return -ENOMEM;
	}
	for (int pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && err == -EAGAIN; pass++) {
		err = unmap_one(vm, &m);
		batch_flush(vm, &m);
		if (!err)
			err = move_one(vm, &m);
	}
	migration_done(vm, &m, err);
	return err;
}

/* The folio mapped at addr, isolated from its LRU (with a reference).  A
 * THP is split first: this simulator migrates 4 KiB folios only (Linux
 * moves a THP whole when it can allocate 2 MiB for it, and splits it
 * when it cannot). */
static struct vmsim_page *isolate_at(struct vm_area_struct *vma, uint64_t addr)
{
	struct vmsim *vm = vma->vm_mm->vm;
	pte_t *ptep;
	struct vmsim_page *p;
	bool huge;
	pte_t leaf;
	unsigned long pfn;

	if (vmsim__follow_leaf(vma->vm_mm, addr, &leaf, &huge, &pfn) &&
	    (p = vmsim_pfn_to_page(vm, pfn)) && vmsim_page_test(vmsim_compound_head(p), PG_head) &&
	    folio_test_anon(vmsim_compound_head(p)) && vmsim__split_folio(vm, vmsim_compound_head(p)))
		return NULL;
	ptep = vmsim__pte_lookup(vma->vm_mm, addr);

	if (!ptep || !pte_present(ptep_get(ptep)))
		return NULL;
	p = vmsim__vm_normal_page(vma, addr, ptep_get(ptep));
	if (!p || !vmsim__folio_isolate_lru(vm, p))
		return NULL;
	return p;
}

int vmsim_migrate_range(struct vmsim_mm *mm, uint64_t addr, uint64_t len, unsigned long *nr_failed)
{
	struct vmsim *vm;
	unsigned long failed = 0;
	int err = 0;

	if (nr_failed)
		*nr_failed = 0;
	if (!mm || (addr & ~PAGE_MASK) || (len & ~PAGE_MASK) || !len || addr + len < addr)
		return -EINVAL;
	vm = mm->vm;
	if (vmsim__mm_dead(mm))
		return -ESRCH;
	vmsim__mm_enter(mm);
	vmsim_lock_read(vm, &mm->mmap_lock);
	if (vmsim__range_has_hole(mm, addr, addr + len)) {
		vmsim_unlock_read(vm, &mm->mmap_lock);
		return -EFAULT;
	}
	/* queue_pages_range() walks the tables that exist only. */
	for (uint64_t a = addr, next; a < addr + len && !err; a = next) {
		struct vmsim_walk w;
		bool table;

		/* A pte table, or a PMD leaf isolate_at() splits. */
		vmsim__walk_span(mm, a, &w, &next);
		table = w.level == VMSIM_LVL_PTE || vmsim__walk_pmd_entry(&w);

		if (next > addr + len || next < a)
			next = addr + len;
		for (; table && a < next; a += PAGE_SIZE) {
			struct vm_area_struct *vma = vmsim__find_vma(mm, a);
			struct vmsim_page *p = vma ? isolate_at(vma, a) : NULL;
			int r;

			if (!p)
				continue;
			r = migrate_folio(vm, p);
			if (r == -ENOMEM) {
				err = -ENOMEM;
				break;
			}
			if (r)
				failed++;
		}
	}
	vmsim_unlock_read(vm, &mm->mmap_lock);
	vmsim__mm_op_done(vm);
	if (nr_failed)
		*nr_failed = failed;
	if (err)
		return err;
	return failed ? -EBUSY : 0;
}

/* ---- the two halves, with the folio left locked in between ---- */

int vmsim_migrate_start(struct vmsim_mm *mm, uint64_t addr, struct vmsim_migration **out)
{
	struct vmsim *vm;
	struct vmsim_migration *m;
	struct vm_area_struct *vma;
	struct vmsim_page *p;
	int err;

	if (!mm || !out || (addr & ~PAGE_MASK))
		return -EINVAL;
	vm = mm->vm;
	if (vmsim__mm_dead(mm))
		return -ESRCH;
	vmsim__mm_enter(mm);
	vmsim_lock_read(vm, &mm->mmap_lock);
	vma = vmsim__find_vma(mm, addr);
	p = vma ? isolate_at(vma, addr) : NULL;
	if (!p) {
		vmsim_unlock_read(vm, &mm->mmap_lock);
		return -EFAULT;
	}
	m = vmsim__calloc(vm, 1, sizeof(*m));
	if (m)
		m->dst = vmsim__alloc_pages_may_reclaim(vm, 0);
	if (!m || !m->dst) {
		vmsim__free(vm, m);
		vmsim__folio_putback_lru(vm, p);
		vmsim_unlock_read(vm, &mm->mmap_lock);
		return -ENOMEM;
	}
	m->vm = vm;
	m->src = p;
	err = unmap_one(vm, m);
	if (err) {
		if (m->anon_vma)
			vmsim__put_anon_vma(vm, m->anon_vma);
		vmsim_put_page(vm, m->dst);
		vmsim__folio_putback_lru(vm, p);
		vmsim__free(vm, m);
		vmsim_unlock_read(vm, &mm->mmap_lock);
		vmsim__mm_op_done(vm);
		return -EBUSY;
	}
	/* The folio stays locked (PG_locked) until finish; the lock model's
	 * record of it ends with this operation. */
	vmsim__folio_lock_handoff(vm, p);
	LL_PREPEND(vm->mm_world->migrations, m);
	vmsim_unlock_read(vm, &mm->mmap_lock);
	vmsim__mm_op_done(vm);
	*out = m;
	return 0;
}

/* The second half: copy and map the new frame (retrying as
 * migrate_pages does); the handle stays until vmsim_migrate_finish(). */
static int finish(struct vmsim *vm, struct vmsim_migration *m)
{
	int err = -EAGAIN;

	if (m->done)
		return m->err;
	vmsim__folio_lock_resume(vm, m->src);	/* PG_locked is still set */
	for (int pass = 0; pass < NR_MAX_MIGRATE_PAGES_RETRY && err == -EAGAIN; pass++) {
		if (pass) {
			err = unmap_one(vm, m);
			if (err)
				continue;
		}
		err = move_one(vm, m);
	}
	migration_done(vm, m, err);
	m->done = true;
	m->err = err;
	return err;
}

int vmsim_migrate_finish(struct vmsim_migration *m)
{
	struct vmsim *vm;
	int err;

	if (!m)
		return -EINVAL;
	vm = m->vm;
	err = finish(vm, m);
	LL_DELETE(vm->mm_world->migrations, m);
	vmsim__free(vm, m);
	vmsim__mm_op_done(vm);
	return err ? -EBUSY : 0;
}

/* migration_entry_wait(): the folio is locked by a migration in progress;
 * a serial run cannot sleep, so the migration completes now. */
void vmsim__migration_entry_wait(struct vm_fault *vmf, struct vmsim_page *p)
{
	struct vmsim *vm = vmf->vma->vm_mm->vm;
	struct vmsim_migration *m;

	LL_FOREACH(vm->mm_world->migrations, m)
		if (m->src == p && !m->done)
			break;
	if (!m) {
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vmf->cpu,
				  .addr = vmf->address, .why = "migration entry of no migration in progress" });
		return;
	}
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vmf->cpu, .addr = vmf->address,
			  .why = "migration_entry_wait: the migration completes first" });
	finish(vm, m);
}

/* Machine teardown (processes are gone): finish what is left and free
 * the handles nobody finished. */
void vmsim__migrations_exit(struct vmsim *vm)
{
	struct vmsim_migration *m;

	while ((m = vm->mm_world->migrations)) {
		finish(vm, m);
		LL_DELETE(vm->mm_world->migrations, m);
		vmsim__free(vm, m);
	}
}
