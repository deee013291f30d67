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

static unsigned long check_full(struct vmsim *vm)
{
	unsigned long nr = vmsim_nr_frames(vm), bad = 0;
	int32_t *maps = calloc(nr, sizeof(*maps));
	struct vmsim_mm *mm;

	if (!maps)
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

				if (!ptep || !pte_present(pte = ptep_get(ptep)))
					continue;
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
				maps[pte_pfn(pte)]++;
				if (folio_test_anon(p))
					rss[MM_ANONPAGES]++;
				else
					rss[vmsim_page_test(p, PG_swapbacked) ? MM_SHMEMPAGES : MM_FILEPAGES]++;
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
		if (VMSIM_BUG_ON(vm, p->mapcount != maps[pfn], "pfn %#lx mapcount %d, mapped by %d ptes", pfn,
				 p->mapcount, maps[pfn]))
			bad++;
		if (p->refcount && VMSIM_BUG_ON(vm, p->refcount < maps[pfn] + cache,
						"pfn %#lx refcount %d < %d mappings + %d cache", pfn,
						p->refcount, maps[pfn], cache))
			bad++;
	}
	free(maps);
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
