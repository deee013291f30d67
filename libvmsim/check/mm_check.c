/* The invariant checker: after each public operation (check=basic: the
 * cheap part; check=full: everything) the machine must be consistent, as
 * Linux's page_table_check and DEBUG_VM assertions demand: every present
 * pte names an allocated frame whose mapcount equals the ptes that map it,
 * refcounts cover mappings and the page cache, rmap finds every mapping,
 * rss counters match, no lock is left held. */
#include <stdlib.h>
#include <utlist.h>

#include "../mm/mm_internal.h"
#include "../features/dax/dax.h"
#include "../boot.h"

struct found {
	struct vmsim_mm *mm;
	uint64_t addr;
	bool hit;
};

static bool rmap_finds(struct vmsim_page *p, struct vm_area_struct *vma, uint64_t addr, pte_t *ptep,
		       void *arg)
{
	struct found *f = arg;

	(void)p;
	(void)ptep;
	if (vma->vm_mm == f->mm && addr == f->addr) {
		f->hit = true;
		return false;
	}
	return true;
}

/* Page-table pages reachable from the table t (itself included), with the
 * PTE tables THP leaves deposited; a table several mms share (hugetlb,
 * FS-DAX PMD sharing) counts once, by seen[]. */
static unsigned long count_tables(struct vmsim *vm, struct vmsim_page *t, int level, uint8_t *seen)
{
	unsigned long pfn = vmsim_page_to_pfn(vm, t), n = 1;
	uint64_t *tab = vmsim_table(vm, t);

	if (seen[pfn])
		return 0;
	seen[pfn] = 1;
	if (level <= VMSIM_LVL_PTE)
		return n;
	if (level == VMSIM_LVL_PMD)
		for (struct vmsim_page *d = t->pmd_huge_pte; d; d = d->next)
			n += count_tables(vm, d, VMSIM_LVL_PTE, seen);
	for (unsigned i = 0; i < 512; i++) {
		uint64_t v = tab[i];

		if (!(v & _PAGE_PRESENT) || ((level == VMSIM_LVL_PMD || level == VMSIM_LVL_PUD) && (v & _PAGE_PSE)))
			continue;
		n += count_tables(vm, vmsim_pfn_to_page(vm, (unsigned long)((v & PTE_PFN_MASK) >> PAGE_SHIFT)),
				  level - 1, seen);
	}
	return n;
}

/* What the page tables say about each frame. */
struct frame_use {
	int32_t maps;		/* ptes and entries that count in the mapcount */
	int32_t refs;		/* ptes and entries that hold a reference */
	int32_t ptes;		/* present ptes */
	int32_t writable;	/* of which writable */
	int32_t whole;		/* PMD leaves mapping the folio this page heads */
};

/* A PMD leaf of vma at haddr (THP, DAX, hugetlb). */
static unsigned long check_pmd_leaf(struct vmsim *vm, struct vmsim_mm *mm, struct vm_area_struct *vma,
				    uint64_t haddr, pmd_t *pmdp, struct frame_use *maps, long *rss, int32_t *owner)
{
	pmd_t pmd = pmdp_get(pmdp);
	unsigned long pfn = pmd_pfn(pmd), bad = 0;
	struct vmsim_page *p = vmsim_pfn_to_page(vm, pfn), *table = vmsim_slot_table(vm, pmdp);
	struct found f = { mm, haddr, false };
	bool counted = true;

	if (!pmd_present(pmd) || (pmd_val(pmd) & _PAGE_SPECIAL))
		return 0;	/* the huge zero folio (or a leaf being split) */
	if (VMSIM_BUG_ON(vm, !p || !vmsim_page_test(p, PG_head) || p->order != HPAGE_PMD_ORDER,
			 "mm%d pmd %#llx maps pfn %#lx, not the head of a 2M folio", mm->id,
			 (unsigned long long)haddr, pfn))
		return 1;
	if (VMSIM_BUG_ON(vm, p->refcount <= 0 && !vmsim_page_test(p, PG_device),
			 "mm%d pmd %#llx maps free pfn %#lx", mm->id, (unsigned long long)haddr, pfn))
		return 1;
	/* An entry of a PMD table several mms share is one mapping: count it
	 * for the first mm seen walking that table. */
	if (table->pt_share_count > 0) {
		unsigned long t = vmsim_page_to_pfn(vm, table);

		if (!owner[t])
			owner[t] = mm->id;
		counted = owner[t] == mm->id;
	}
	if (counted)
		maps[pfn].whole++;
	if (!vmsim_page_test(p, PG_hugetlb) && !(vmsim_page_test(p, PG_device) && vm->cfg.dax_pmd_share)) {
		if (folio_test_anon(p))
			rss[MM_ANONPAGES] += HPAGE_PMD_NR;
		else
			rss[vmsim_page_test(p, PG_swapbacked) ? MM_SHMEMPAGES : MM_FILEPAGES] += HPAGE_PMD_NR;
	}
	vmsim__rmap_walk(vm, p, rmap_finds, &f);
	if (VMSIM_BUG_ON(vm, !f.hit, "rmap does not find mm%d pmd %#llx -> pfn %#lx", mm->id,
			 (unsigned long long)haddr, pfn))
		bad++;
	(void)vma;
	return bad;
}

/* A large folio's counts against what its pages' mappings say. */
static unsigned long check_large_folio(struct vmsim *vm, unsigned long pfn, const struct frame_use *maps)
{
	struct vmsim_page *head = vmsim_pfn_to_page(vm, pfn);
	const struct vmsim_folio_meta *fm = vmsim__folio_meta(vm, head);
	unsigned long nr = vmsim_folio_nr_pages(head), bad = 0;
	int32_t ptes = 0, pages = 0, cache = 0;

	for (unsigned long i = 0; i < nr; i++) {
		ptes += maps[pfn + i].maps;
		pages += maps[pfn + i].maps > 0;
		if (VMSIM_BUG_ON(vm, i && (!vmsim_page_test(&head[i], PG_tail) || head[i].compound_idx != i),
				 "pfn %#lx: page %lu of the folio is no tail of it", pfn, i))
			return 1;
	}
	if (VMSIM_BUG_ON(vm, fm->entire_mapcount != maps[pfn].whole,
			 "folio pfn %#lx entire_mapcount %d, mapped whole by %d pmds", pfn, fm->entire_mapcount,
			 maps[pfn].whole))
		bad++;
	if (VMSIM_BUG_ON(vm, fm->large_mapcount != ptes + maps[pfn].whole,
			 "folio pfn %#lx large_mapcount %d, %d ptes + %d pmds map it", pfn, fm->large_mapcount,
			 ptes, maps[pfn].whole))
		bad++;
	if (VMSIM_BUG_ON(vm, fm->nr_pages_mapped != pages,
			 "folio pfn %#lx nr_pages_mapped %d, %d pages have ptes", pfn, fm->nr_pages_mapped, pages))
		bad++;
	if (head->mapping && !folio_test_anon(head) && vmsim_page_test(head, PG_uptodate) &&
	    !vmsim_page_test(head, PG_device))
		cache = 1;
	if (VMSIM_BUG_ON(vm, head->refcount < ptes + maps[pfn].whole + cache && !vmsim_page_test(head, PG_device),
			 "folio pfn %#lx refcount %d < %d mappings + %d cache", pfn, head->refcount,
			 ptes + maps[pfn].whole, cache))
		bad++;
	return bad;
}

/* Shared PMD tables (hugetlb, FS-DAX): every PUD entry pointing at a PMD
 * table counts; a table's share count is the PUD entries beyond the first,
 * and every sharer maps the same file pages there, through a vma covering
 * the whole PUD range.  (That no CPU keeps a translation through a table
 * its mm no longer points to is the stale-TLB check's: the mm's own walk
 * no longer gives it.) */
struct pud_ref {
	int32_t refs;
	const struct vmsim_file *file;
	uint64_t pgoff;
};

static void walk_puds(struct vmsim *vm, struct vmsim_mm *mm, struct vmsim_page *t, int level, uint64_t base,
		      struct pud_ref *refs, bool second, unsigned long *bad)
{
	const uint64_t *tab = vmsim_table(vm, t);
	unsigned shift = PAGE_SHIFT + 9 * (unsigned)(level - 1);

	for (unsigned i = 0; i < 512; i++) {
		uint64_t v = tab[i], b = base + ((uint64_t)i << shift);
		unsigned long pfn = (unsigned long)((v & PTE_PFN_MASK) >> PAGE_SHIFT);
		struct vmsim_page *child;
		struct vm_area_struct *vma;
		struct pud_ref *r;

		if (!(v & _PAGE_PRESENT) || (level == VMSIM_LVL_PUD && (v & _PAGE_PSE)))
			continue;
		child = vmsim_pfn_to_page(vm, pfn);
		if (!child)
			continue;
		if (level > VMSIM_LVL_PUD) {
			walk_puds(vm, mm, child, level - 1, b, refs, second, bad);
			continue;
		}
		r = &refs[pfn];
		if (!second) {
			r->refs++;
			continue;
		}
		if (r->refs == 1 && child->pt_share_count == 0)
			continue;
		if (VMSIM_BUG_ON(vm, child->pt_share_count != r->refs - 1,
				 "pmd table pfn %#lx: share count %lld, but %d PUD entries point at it", pfn,
				 (long long)child->pt_share_count, r->refs)) {
			(*bad)++;
			r->refs = 1;	/* once per table */
			continue;
		}
		/* The checker holds no mmap_lock: walk the list itself. */
		DL_FOREACH(mm->mmap, vma)
			if (b < vma->vm_end)
				break;
		if (VMSIM_BUG_ON(vm, !vma || !vma->vm_file || vma->vm_start > b || vma->vm_end < b + PUD_SIZE,
				 "shared pmd table pfn %#lx: mm%d's PUD range %#llx is not one file vma", pfn, mm->id,
				 (unsigned long long)b)) {
			(*bad)++;
			continue;
		}
		if (!r->file) {
			r->file = vma->vm_file;
			r->pgoff = linear_page_index(vma, b);
		} else if (VMSIM_BUG_ON(vm, r->file != vma->vm_file || r->pgoff != linear_page_index(vma, b),
					"shared pmd table pfn %#lx: mm%d maps %s page %#llx there, another sharer %s "
					"page %#llx", pfn, mm->id, vma->vm_file->name,
					(unsigned long long)linear_page_index(vma, b), r->file->name,
					(unsigned long long)r->pgoff)) {
			(*bad)++;
		}
	}
}

static unsigned long check_shared_tables(struct vmsim *vm, unsigned long nr)
{
	struct pud_ref *refs = calloc(nr, sizeof(*refs));
	int top = vm->cfg.levels == 5 ? VMSIM_LVL_PGD : VMSIM_LVL_P4D;
	unsigned long bad = 0;
	struct vmsim_mm *mm;

	if (!refs)
		return 0;
	for (int pass = 0; pass < 2; pass++)
		LL_FOREACH(mm_world(vm)->mms, mm)
			walk_puds(vm, mm, vmsim_pfn_to_page(vm, mm->pgd), top, 0, refs, pass, &bad);
	free(refs);
	return bad;
}

/* ---- swap: every slot's count is the entries that refer to it ---- */

struct swap_ref {
	unsigned long val;	/* swp_entry_t */
	unsigned count;
};

struct swap_refs {
	struct swap_ref *v;
	size_t n, cap;
	bool oom;
};

static void swap_ref_add(struct swap_refs *r, swp_entry_t e)
{
	if (r->n == r->cap) {
		size_t cap = r->cap ? 2 * r->cap : 256;
		struct swap_ref *v = realloc(r->v, cap * sizeof(*v));

		if (!v) {
			r->oom = true;
			return;
		}
		r->v = v;
		r->cap = cap;
	}
	r->v[r->n++] = (struct swap_ref){ e.val, 1 };
}

static int cmp_ref(const void *a, const void *b)
{
	const struct swap_ref *x = a, *y = b;

	return x->val < y->val ? -1 : x->val > y->val;
}

static void shmem_swap_ref(void *arg, swp_entry_t e)
{
	swap_ref_add(arg, e);
}

struct slot_check {
	struct vmsim *vm;
	struct swap_refs *refs;
	size_t i;
	unsigned long bad;
};

/* Called for each slot in use, in entry order: the references found in
 * page tables and shmem files must match its count, and a slot the swap
 * cache holds must be the cached folio's. */
static void check_slot(void *arg, swp_entry_t e, unsigned count, bool has_cache, struct vmsim_page *cache)
{
	struct slot_check *c = arg;
	struct vmsim *vm = c->vm;
	unsigned found = 0;

	while (c->i < c->refs->n && c->refs->v[c->i].val < e.val) {
		VMSIM_BUG(vm, "swap entry %#lx referenced by a pte or shmem file but not in use", c->refs->v[c->i].val);
		c->bad++;
		c->i++;
	}
	while (c->i < c->refs->n && c->refs->v[c->i].val == e.val) {
		found++;
		c->i++;
	}
	if (VMSIM_BUG_ON(vm, found != count, "swap entry %#lx: swap_map count %u, %u references", e.val, count,
			 found))
		c->bad++;
	if (cache && VMSIM_BUG_ON(vm, !vmsim_page_test(cache, PG_swapcache) || cache->private_ != e.val,
				  "swap entry %#lx caches pfn %#lx, which is not its swap-cache folio", e.val,
				  vmsim_page_to_pfn(vm, cache)))
		c->bad++;
	if (VMSIM_BUG_ON(vm, !has_cache && !count, "swap entry %#lx in use with no reference", e.val))
		c->bad++;
}

static unsigned long check_swap(struct vmsim *vm, struct swap_refs *refs)
{
	struct slot_check c = { vm, refs, 0, 0 };

	if (refs->oom)
		return 0;
	vmsim__pagecache_for_each_swap(vm, shmem_swap_ref, refs);
	if (refs->n)
		qsort(refs->v, refs->n, sizeof(*refs->v), cmp_ref);
	vmsim__swap_for_each_slot(vm, check_slot, &c);
	for (; c.i < refs->n; c.i++) {
		VMSIM_BUG(vm, "swap entry %#lx referenced by a pte or shmem file but not in use", refs->v[c.i].val);
		c.bad++;
	}
	return c.bad;
}

/* ---- the LRU lists: each folio on the list its flags name ---- */

static unsigned long check_lru(struct vmsim *vm)
{
	struct lruvec *lv = &vm->mm_world->lruvec;
	unsigned long bad = 0;

	for (enum lru_list l = 0; l < NR_LRU_LISTS; l++) {
		struct vmsim_page *p;
		unsigned long n = 0;

		DL_FOREACH(lv->lists[l], p) {
			bool file = !vmsim_page_test(p, PG_swapbacked), active = vmsim_page_test(p, PG_active);
			enum lru_list want = vmsim_page_test(p, PG_unevictable) ? LRU_UNEVICTABLE :
					     (file ? LRU_INACTIVE_FILE : LRU_INACTIVE_ANON) + active;

			n++;
			if (VMSIM_BUG_ON(vm, !vmsim_page_test(p, PG_lru) || want != l || p->refcount <= 0,
					 "pfn %#lx on lru list %d (flags %#x, refcount %d)", vmsim_page_to_pfn(vm, p), l,
					 p->flags, p->refcount))
				bad++;
		}
		if (VMSIM_BUG_ON(vm, n != lv->nr[l], "lru list %d holds %lu folios, counted %lu", l, n, lv->nr[l]))
			bad++;
	}
	return bad;
}

/* What one full check gathers while it walks an mm's tables. */
struct walk {
	struct vmsim *vm;
	struct vmsim_mm *mm;
	struct vm_area_struct *vma;
	struct frame_use *use;
	int32_t *owner;
	struct swap_refs *refs;
	long rss[NR_MM_COUNTERS];
	unsigned long bad;
};

static unsigned level_shift(const struct vmsim *vm, int level)
{
	return level == VMSIM_LVL_PGD ? vmsim_pgdir_shift(vm) : PAGE_SHIFT + 9 * (unsigned)(level - 1);
}

/* A non-present entry: what its kind says it holds. */
static void check_entry(struct walk *w, uint64_t a, pte_t pte)
{
	struct vmsim *vm = w->vm;
	struct found f = { w->mm, a, false };
	struct vmsim_kind_hold h;
	const struct vmsim_kind *k = vmsim_kind_of(vm, pte);

	vmsim__kind_hold(w->vma, pte, &h);
	if (h.rss >= 0)
		w->rss[h.rss]++;
	if (h.swap.val)
		swap_ref_add(w->refs, h.swap);
	if (h.pfn == ~0UL)
		return;
	{
		struct vmsim_page *q = vmsim_pfn_to_page(vm, h.pfn);

		if (VMSIM_BUG_ON(vm, !q || vmsim_page_test(q, PG_buddy), "mm%d %#llx: entry names free pfn %#lx",
				 w->mm->id, (unsigned long long)a, h.pfn)) {
			w->bad++;
			return;
		}
		/* An entry that keeps the mapcount (6.15+ device-exclusive) is
		 * found by rmap too. */
		if (k && (vmsim_kind_ops(k)->flags & VMSIM_KIND_HOLDS_MAPCOUNT)) {
			w->use[h.pfn].maps++;
			vmsim__rmap_walk(vm, q, rmap_finds, &f);
			if (VMSIM_BUG_ON(vm, !f.hit, "rmap does not find mm%d %#llx -> entry for pfn %#lx",
					 w->mm->id, (unsigned long long)a, h.pfn))
				w->bad++;
		}
		if (k && (vmsim_kind_ops(k)->flags & VMSIM_KIND_HOLDS_REF))
			w->use[h.pfn].refs++;
	}
}

static void check_pte(struct walk *w, uint64_t a, pte_t *ptep)
{
	struct vmsim *vm = w->vm;
	struct found f = { w->mm, a, false };
	pte_t pte = ptep_get(ptep);
	struct vmsim_page *p;
	unsigned long pfn;

	if (pte_none(pte))
		return;
	if (!pte_present(pte)) {
		check_entry(w, a, pte);
		return;
	}
	pfn = pte_pfn(pte);
	p = vmsim__vm_normal_page(w->vma, a, pte);
	if (!p) {
		if (VMSIM_BUG_ON(vm, !vmsim_page_test(vmsim_pfn_to_page(vm, pfn), PG_zero),
				 "special pte at %#llx maps pfn %#lx", (unsigned long long)a, pfn))
			w->bad++;
		return;
	}
	if (VMSIM_BUG_ON(vm, vmsim_page_test(p, PG_buddy) ||
			 (vmsim_compound_head(p)->refcount <= 0 && !vmsim_page_test(vmsim_compound_head(p), PG_device)),
			 "mm%d %#llx maps free pfn %#lx", w->mm->id, (unsigned long long)a, pfn)) {
		w->bad++;
		return;
	}
	w->use[pfn].maps++;
	w->use[pfn].refs++;
	w->use[pfn].ptes++;
	w->use[pfn].writable += pte_write(pte);
	if (folio_test_anon(p))
		w->rss[MM_ANONPAGES]++;
	else
		w->rss[vmsim_page_test(vmsim_compound_head(p), PG_swapbacked) ? MM_SHMEMPAGES : MM_FILEPAGES]++;
	vmsim__rmap_walk(vm, p, rmap_finds, &f);
	if (VMSIM_BUG_ON(vm, !f.hit, "rmap does not find mm%d %#llx -> pfn %#lx", w->mm->id,
			 (unsigned long long)a, pfn))
		w->bad++;
}

/*
 * The entries of [start, end) below table t (at level, mapping from base),
 * reached only through tables that exist: a huge vma with a few pages
 * costs those pages' tables, not its size.  [start, end) lies inside the
 * span of t.
 */
static void walk_range(struct walk *w, struct vmsim_page *t, int level, uint64_t base, uint64_t start,
		       uint64_t end)
{
	struct vmsim *vm = w->vm;
	unsigned shift = level_shift(vm, level);
	uint64_t *tab = vmsim_table(vm, t);
	unsigned first = (unsigned)((start - base) >> shift), last = (unsigned)((end - 1 - base) >> shift);

	for (unsigned i = first; i <= last && i < 512; i++) {
		uint64_t a = base + ((uint64_t)i << shift), span = 1ULL << shift, v = tab[i];
		struct vmsim_page *next;

		if (level == VMSIM_LVL_PTE) {
			check_pte(w, a, (pte_t *)&tab[i]);
			continue;
		}
		if (level == VMSIM_LVL_PMD && pmd_leaf(__pmd(v))) {
			/* A PMD leaf (THP, DAX, hugetlb). */
			if (VMSIM_BUG_ON(vm, a < w->vma->vm_start || a + PMD_SIZE > w->vma->vm_end,
					 "mm%d pmd leaf %#llx crosses its vma's edge", w->mm->id, (unsigned long long)a))
				w->bad++;
			else
				w->bad += check_pmd_leaf(vm, w->mm, w->vma, a, (pmd_t *)&tab[i], w->use, w->rss,
							 w->owner);
			continue;
		}
		/* PUD leaves and empty (or non-present) entries. */
		if (!(v & _PAGE_PRESENT) || (level == VMSIM_LVL_PUD && (v & _PAGE_PSE)))
			continue;
		next = vmsim_pfn_to_page(vm, (unsigned long)((v & PTE_PFN_MASK) >> PAGE_SHIFT));
		if (VMSIM_BUG_ON(vm, !next || !vmsim_page_test(next, PG_table) || next->pt_level != level - 1,
				 "mm%d %#llx: level %d entry %#llx does not point to a level %d table", w->mm->id,
				 (unsigned long long)a, level, (unsigned long long)v, level - 1)) {
			w->bad++;
			continue;
		}
		walk_range(w, next, level - 1, a, start > a ? start : a, end - a < span ? end : a + span);
	}
}

/* Per frame: what the page tables say about it. */
static unsigned long check_full(struct vmsim *vm)
{
	unsigned long nr = vm->nr_pmem ? vm->pmem_base + vm->nr_pmem : vmsim_nr_frames(vm), bad = 0;
	struct frame_use *use = calloc(nr, sizeof(*use)), *maps = use;
	uint8_t *seen = calloc(nr, 1);
	int32_t *owner = calloc(nr, sizeof(*owner));
	struct swap_refs refs = { 0 };
	int top = vm->cfg.levels == 5 ? VMSIM_LVL_PGD : VMSIM_LVL_P4D;
	struct vmsim_mm *mm;

	if (!use || !seen || !owner) {
		free(use);
		free(seen);
		free(owner);
		return 0;
	}
	LL_FOREACH(mm_world(vm)->mms, mm) {
		struct walk w = { .vm = vm, .mm = mm, .use = use, .owner = owner, .refs = &refs };

		DL_FOREACH(mm->mmap, w.vma)
			walk_range(&w, vmsim_pfn_to_page(vm, mm->pgd), top, 0, w.vma->vm_start, w.vma->vm_end);
		bad += w.bad;
		for (int i = 0; i < NR_MM_COUNTERS; i++)
			if (VMSIM_BUG_ON(vm, w.rss[i] != mm->rss[i],
						"mm%d rss[%d] is %ld, ptes say %ld", mm->id, i, mm->rss[i], w.rss[i]))
				bad++;
	}
	/* Frames of absent sections were never used: nothing maps them. */
	for (unsigned long pfn = vmsim__pfn_next_present(vm, 0); pfn < nr; pfn = vmsim__pfn_next_present(vm, pfn + 1)) {
		struct vmsim_page *p = vmsim_pfn_to_page(vm, pfn);
		int32_t cache;

		if (!p)
			continue;	/* the gap between RAM and persistent memory */
		cache = ((p->mapping && !folio_test_anon(p) && vmsim_page_test(p, PG_uptodate)) ||
			 vmsim_page_test(p, PG_swapcache)) ? 1 : 0;

		if (vmsim_page_test(p, PG_buddy) || vmsim_page_test(p, PG_table) || vmsim_page_test(p, PG_zero))
			continue;
		if (VMSIM_BUG_ON(vm, p->mapcount != use[pfn].maps, "pfn %#lx mapcount %d, mapped by %d ptes", pfn,
				 p->mapcount, use[pfn].maps))
			bad++;
		if (vmsim_page_test(p, PG_head)) {
			bad += check_large_folio(vm, pfn, maps);
			continue;
		}
		if (vmsim_page_test(p, PG_tail) || vmsim_page_test(p, PG_device))
			continue;
		if (VMSIM_BUG_ON(vm, use[pfn].whole, "pfn %#lx is mapped by a pmd but heads no folio", pfn))
			bad++;
		if (p->refcount && VMSIM_BUG_ON(vm, p->refcount < use[pfn].refs + cache,
						"pfn %#lx refcount %d < %d mappings + %d cache", pfn,
						p->refcount, use[pfn].refs, cache))
			bad++;
		/* page_table_check_set(): an anonymous page mapped writable is
		 * mapped by that one pte only (else private memory is shared). */
		if (folio_test_anon(p) && VMSIM_BUG_ON(vm, use[pfn].writable && use[pfn].ptes > 1,
						       "anon pfn %#lx mapped writable by %d of its %d ptes "
						       "(page_table_check)", pfn, use[pfn].writable,
						       use[pfn].ptes))
			bad++;
	}
	free(use);
	free(owner);
	bad += check_shared_tables(vm, nr);
	bad += vmsim__dax_check(vm);
	bad += check_swap(vm, &refs);
	free(refs.v);
	bad += check_lru(vm);
	/* Secondary MMUs: the model devices' caches agree with the ptes. */
	bad += vmsim_device_check(vm);
	{
		/* No page-table page is leaked: every one hangs off some mm. */
		unsigned long reach = 0;

		LL_FOREACH(mm_world(vm)->mms, mm)
			reach += count_tables(vm, vmsim_pfn_to_page(vm, mm->pgd), top, seen);
		if (VMSIM_BUG_ON(vm, reach != vmsim_nr_pgtable_pages(vm),
				 "%lu page-table pages allocated, %lu reachable from the mms",
				 vmsim_nr_pgtable_pages(vm), reach))
			bad++;
	}
	free(seen);
	return bad;
}

unsigned long vmsim_check_all(struct vmsim *vm)
{
	unsigned long bad = 0;
	struct vmsim_mm *mm;

	if (!vm)
		return 0;
	/* No CPU may hold a translation the page tables no longer grant. */
	LL_FOREACH(mm_world(vm)->mms, mm) {
		int n = vmsim_tlb_check_stale(vm, &mm->ctx, 0, vmsim_task_size(vm));

		if (n > 0)
			bad += (unsigned long)n;
	}

	if (VMSIM_BUG_ON(vm, vmsim_locks_held(vm) != 0, "%u locks held between operations",
			 vmsim_locks_held(vm)))
		bad++;
	return bad + check_full(vm);
}

static void mm_check_after(struct vmsim *vm)
{
	/* Mid-way through an interleaved block another CPU's operation is
	 * half done; the caller checks the machine when the block ends. */
	if (vm->cfg.check == VMSIM_CHECK_FULL && !vm->sched)
		vmsim_check_all(vm);
	else if (vm->cfg.check == VMSIM_CHECK_BASIC)
		VMSIM_BUG_ON(vm, vmsim_locks_held(vm) != 0, "%u locks held between operations",
			     vmsim_locks_held(vm));
}

/* Boot: mm calls the checker after every public operation; at check=off
 * there is nothing to call (the hot paths then test one NULL pointer). */
void vmsim__mm_check_init(struct vmsim *vm)
{
	if (vm->cfg.check != VMSIM_CHECK_OFF)
		vmsim__mm_set_checker(vm, mm_check_after);
}
