/* The invariant checker: after each public operation (check=basic: the
 * cheap part; check=full: everything) the machine must be consistent, as
 * Linux's page_table_check and DEBUG_VM assertions demand: every present
 * pte names an allocated frame whose mapcount equals the ptes that map it,
 * refcounts cover mappings and the page cache, rmap finds every mapping,
 * rss counters match, no lock is left held. */
#include <stdlib.h>
#include <utlist.h>

#include "../mm/mm_internal.h"
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

/* Page-table pages reachable from the table t (itself included). */
static unsigned long count_tables(struct vmsim *vm, struct vmsim_page *t, int level)
{
	uint64_t *tab = vmsim_table(vm, t);
	unsigned long n = 1;

	if (level <= VMSIM_LVL_PTE)
		return n;
	for (unsigned i = 0; i < 512; i++) {
		uint64_t v = tab[i];

		if (!(v & _PAGE_PRESENT) || ((level == VMSIM_LVL_PMD || level == VMSIM_LVL_PUD) && (v & _PAGE_PSE)))
			continue;
		n += count_tables(vm, vmsim_pfn_to_page(vm, (unsigned long)((v & PTE_PFN_MASK) >> PAGE_SHIFT)),
				  level - 1);
	}
	return n;
}

static int mm_counter(const struct vmsim_page *p)
{
	if (folio_test_anon(p))
		return MM_ANONPAGES;
	return vmsim_page_test(p, PG_swapbacked) ? MM_SHMEMPAGES : MM_FILEPAGES;
}

/* Per frame: what the page tables say about it. */
struct frame_use {
	int32_t maps;		/* ptes and entries that count in the mapcount */
	int32_t refs;		/* ptes and entries that hold a reference */
	int32_t ptes;		/* present ptes */
	int32_t writable;	/* of which writable */
};

/* A non-present entry that names a frame (6.15+ device-exclusive,
 * migration...): what its kind says it holds must be there. */
static unsigned long check_entry(struct vmsim *vm, struct vmsim_mm *mm, uint64_t a, pte_t pte,
				 struct frame_use *use, long *rss)
{
	unsigned holds;
	struct vmsim_page *p = vmsim__kind_entry_page(vm, pte, &holds);
	unsigned long pfn;

	if (!p)
		return 0;
	pfn = vmsim_page_to_pfn(vm, p);
	if (VMSIM_BUG_ON(vm, vmsim_page_test(p, PG_buddy) || p->refcount <= 0,
			 "mm%d %#llx: entry %#llx names free pfn %#lx", mm->id, (unsigned long long)a,
			 (unsigned long long)pte_val(pte), pfn))
		return 1;
	if (holds & VMSIM_KIND_HOLDS_MAPCOUNT) {
		struct found f = { mm, a, false };

		use[pfn].maps++;
		vmsim__rmap_walk(vm, p, rmap_finds, &f);
		if (VMSIM_BUG_ON(vm, !f.hit, "rmap does not find mm%d %#llx -> entry for pfn %#lx", mm->id,
				 (unsigned long long)a, pfn))
			return 1;
	}
	if (holds & VMSIM_KIND_HOLDS_REF)
		use[pfn].refs++;
	if (holds & VMSIM_KIND_COUNTS_RSS)
		rss[mm_counter(p)]++;
	return 0;
}

static unsigned long check_full(struct vmsim *vm)
{
	unsigned long nr = vmsim_nr_frames(vm), bad = 0;
	struct frame_use *use = calloc(nr, sizeof(*use));
	struct vmsim_mm *mm;

	if (!use)
		return 0;
	LL_FOREACH(mm_world(vm)->mms, mm) {
		struct vm_area_struct *vma;
		long rss[NR_MM_COUNTERS] = { 0 };

		DL_FOREACH(mm->mmap, vma) {
			for (uint64_t a = vma->vm_start; a < vma->vm_end; a += PAGE_SIZE) {
				pte_t *ptep = vmsim__pte_lookup(mm, a);
				struct vmsim_page *p;
				struct found f = { mm, a, false };
				pte_t pte;

				if (!ptep || pte_none(pte = ptep_get(ptep)))
					continue;
				if (!pte_present(pte)) {
					bad += check_entry(vm, mm, a, pte, use, rss);
					continue;
				}
				p = vmsim__vm_normal_page(vma, a, pte);
				if (!p) {
					if (VMSIM_BUG_ON(vm, pte_pfn(pte) != vmsim_zero_pfn(vm),
							 "special pte at %#llx maps pfn %#lx",
							 (unsigned long long)a, pte_pfn(pte)))
						bad++;
					continue;
				}
				if (VMSIM_BUG_ON(vm, vmsim_page_test(p, PG_buddy) || p->refcount <= 0,
						 "mm%d %#llx maps free pfn %#lx", mm->id, (unsigned long long)a,
						 pte_pfn(pte))) {
					bad++;
					continue;
				}
				use[pte_pfn(pte)].maps++;
				use[pte_pfn(pte)].refs++;
				use[pte_pfn(pte)].ptes++;
				use[pte_pfn(pte)].writable += pte_write(pte);
				rss[mm_counter(p)]++;
				vmsim__rmap_walk(vm, p, rmap_finds, &f);
				if (VMSIM_BUG_ON(vm, !f.hit, "rmap does not find mm%d %#llx -> pfn %#lx", mm->id,
						 (unsigned long long)a, pte_pfn(pte)))
					bad++;
			}
		}
		for (int i = 0; i < NR_MM_COUNTERS; i++)
			if (i != MM_SWAPENTS && VMSIM_BUG_ON(vm, rss[i] != mm->rss[i],
						"mm%d rss[%d] is %ld, ptes say %ld", mm->id, i, mm->rss[i], rss[i]))
				bad++;
	}
	for (unsigned long pfn = 0; pfn < nr; pfn++) {
		struct vmsim_page *p = vmsim_pfn_to_page(vm, pfn);
		int32_t cache = (p->mapping && !folio_test_anon(p) && vmsim_page_test(p, PG_uptodate)) ? 1 : 0;

		if (vmsim_page_test(p, PG_buddy) || vmsim_page_test(p, PG_table) || vmsim_page_test(p, PG_zero))
			continue;
		if (VMSIM_BUG_ON(vm, p->mapcount != use[pfn].maps, "pfn %#lx mapcount %d, mapped by %d ptes", pfn,
				 p->mapcount, use[pfn].maps))
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
	{
		/* No page-table page is leaked: every one hangs off some mm. */
		unsigned long reach = 0;
		int top = vm->cfg.levels == 5 ? VMSIM_LVL_PGD : VMSIM_LVL_P4D;

		LL_FOREACH(mm_world(vm)->mms, mm)
			reach += count_tables(vm, vmsim_pfn_to_page(vm, mm->pgd), top);
		if (VMSIM_BUG_ON(vm, reach != vmsim_nr_pgtable_pages(vm),
				 "%lu page-table pages allocated, %lu reachable from the mms",
				 vmsim_nr_pgtable_pages(vm), reach))
			bad++;
	}
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
	/* Secondary MMUs: the model devices' caches agree with the ptes. */
	bad += vmsim_device_check(vm);
	return bad + check_full(vm);
}

static void mm_check_after(struct vmsim *vm)
{
	if (vm->cfg.check == VMSIM_CHECK_FULL)
		vmsim_check_all(vm);
	else if (vm->cfg.check == VMSIM_CHECK_BASIC)
		VMSIM_BUG_ON(vm, vmsim_locks_held(vm) != 0, "%u locks held between operations",
			     vmsim_locks_held(vm));
}

/* Boot: mm calls the checker after every public operation. */
void vmsim__mm_check_init(struct vmsim *vm)
{
	vmsim__mm_set_checker(vm, mm_check_after);
}
