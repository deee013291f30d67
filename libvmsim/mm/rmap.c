/* Reverse mapping: anon_vma and its chains for anonymous pages, the file's
 * i_mmap for page-cache pages, mapcounts and rmap_walk.  Follows mm/rmap.c
 * (anon_vma_prepare, anon_vma_clone, anon_vma_fork, unlink_anon_vmas,
 * folio_add_new_anon_rmap, rmap_walk_anon/file).  Simplified: a new vma
 * never reuses a neighbour's or an idle anon_vma (find_mergeable_anon_vma,
 * anon_vma reuse in anon_vma_clone), which changes no mapping or pagemap
 * result, only which anon_vma rmap searches. */
#include <stdio.h>
#include <utlist.h>

#include "mm_internal.h"

static struct anon_vma *anon_vma_alloc(struct vmsim *vm)
{
	struct anon_vma *av = vmsim__calloc(vm, 1, sizeof(*av));

	if (!av)
		return NULL;
	av->root = av;
	av->parent = av;
	vmsim_lock_init(&av->rwsem, VMSIM_LOCK_ANON_VMA);
	return av;
}

/* anon_vma_chain_link().  An anon_vma others may walk already (clone)
 * takes the root's lock for write, as lock_anon_vma_root() does; a new
 * one no walk can reach yet does not need it (anon_vma_prepare runs
 * under the table's lock here, where Linux takes no spinlock first). */
static int avc_link(struct vm_area_struct *vma, struct anon_vma *av, bool shared)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct anon_vma_chain *avc = vmsim__calloc(vm, 1, sizeof(*avc));

	if (!avc)
		return -ENOMEM;
	avc->vma = vma;
	avc->anon_vma = av;
	DL_APPEND2(vma->anon_vma_chain, avc, same_vma_prev, same_vma_next);
	if (shared)
		vmsim_lock(vm, &av->root->rwsem);
	DL_APPEND2(av->rb_root, avc, av_prev, av_next);
	av->refcount++;
	if (shared)
		vmsim_unlock(vm, &av->root->rwsem);
	return 0;
}

/* The first anonymous page of a vma needs somewhere to point. */
int vmsim__anon_vma_prepare(struct vm_area_struct *vma)
{
	struct anon_vma *av;

	if (vma->anon_vma)
		return 0;
	mmap_assert_locked(vma->vm_mm);	/* __anon_vma_prepare() */
	av = anon_vma_alloc(vma->vm_mm->vm);
	if (!av)
		return -ENOMEM;
	if (avc_link(vma, av, false)) {
		vmsim__free(vma->vm_mm->vm, av);
		return -ENOMEM;
	}
	vma->anon_vma = av;
	return 0;
}

/* dst may map every page src may map: give it the same chains. */
int vmsim__anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct anon_vma_chain *avc;

	DL_FOREACH2(src->anon_vma_chain, avc, same_vma_next) {
		if (avc_link(dst, avc->anon_vma, true)) {
			vmsim__unlink_anon_vmas(dst);
			return -ENOMEM;
		}
	}
	dst->anon_vma = src->anon_vma;
	return 0;
}

/* fork: the child shares the parent's anon_vmas (pages still shared after
 * fork are found through them) and gets its own for pages it COWs. */
int vmsim__anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma)
{
	struct anon_vma *av;

	vma->anon_vma = NULL;
	vma->anon_vma_chain = NULL;
	if (!pvma->anon_vma)
		return 0;
	if (vmsim__anon_vma_clone(vma, pvma))
		return -ENOMEM;
	av = anon_vma_alloc(vma->vm_mm->vm);
	if (!av)
		goto err;
	av->root = pvma->anon_vma->root;
	av->parent = pvma->anon_vma;
	/* Linked first, so that a failure has no hold on the root to undo
	 * (Linux allocates the chain link before get_anon_vma(root)). */
	if (avc_link(vma, av, false)) {
		vmsim__free(vma->vm_mm->vm, av);
		goto err;
	}
	/* The lock lives in the root: it must outlive us (get_anon_vma). */
	av->root->refcount++;
	pvma->anon_vma->degree++;
	vma->anon_vma = av;
	return 0;
err:
	vmsim__unlink_anon_vmas(vma);
	return -ENOMEM;
}

void vmsim__get_anon_vma(struct anon_vma *av)
{
	av->refcount++;
}

/* put_anon_vma(): the last reference (a vma's chain link, a child's hold
 * on its root, a migration's pin) frees it. */
void vmsim__put_anon_vma(struct vmsim *vm, struct anon_vma *av)
{
	struct anon_vma *root = av->root;

	if (--av->refcount)
		return;
	vmsim__free(vm, av);
	if (root != av)
		vmsim__put_anon_vma(vm, root);
}

void vmsim__unlink_anon_vmas(struct vm_area_struct *vma)
{
	struct vmsim *vm = vma->vm_mm->vm;
	/* Newest first, as Linux walks its chain (anon_vma_clone adds at the
	 * head): a child anon_vma is freed while the parent whose degree it
	 * drops is still held by an older link of this chain. */
	while (vma->anon_vma_chain) {
		struct anon_vma_chain *avc = vma->anon_vma_chain->same_vma_prev;
		struct anon_vma *av = avc->anon_vma;
		struct vmsim_lock *l = &av->root->rwsem;

		DL_DELETE2(vma->anon_vma_chain, avc, same_vma_prev, same_vma_next);
		/* lock_anon_vma_root(): no rmap walk is inside the chain. */
		vmsim_lock(vm, l);
		DL_DELETE2(av->rb_root, avc, av_prev, av_next);
		if (!av->rb_root && av->parent != av)
			av->parent->degree--;
		vmsim_unlock(vm, l);
		vmsim__free(vm, avc);
		vmsim__put_anon_vma(vm, av);
	}
	vma->anon_vma = NULL;
}

/* ---- mapcounts (include/linux/rmap.h, mm/rmap.c __folio_add_rmap and
 * __folio_remove_rmap of 6.18 with CONFIG_PAGE_MAPCOUNT and CONFIG_MM_ID) ----
 *
 * A small folio counts its mappings in mapcount.  A large folio counts on
 * its head: entire_mapcount (PMD or hugetlb mappings of all of it),
 * large_mapcount (every mapping, PMD or PTE: folio_mapcount()),
 * nr_pages_mapped (pages some PTE maps), and on each page the PTEs that map
 * that page.  MM_ID's two slots remember which mms hold the mappings, so
 * that "mapped by one mm only" can be answered without an rmap walk. */

static void large_mapcount_add(struct vmsim_folio_meta *fm, int nr, const struct vmsim_mm *mm)
{
	int id = mm->id;

	fm->large_mapcount += nr;
	if (fm->mm_id[0] == id) {
		fm->mm_id_mapcount[0] += nr;
	} else if (fm->mm_id[1] == id) {
		fm->mm_id_mapcount[1] += nr;
	} else if (!fm->mm_id[0]) {
		fm->mm_id[0] = id;
		fm->mm_id_mapcount[0] = nr;
		/* Other mms may have mappings already. */
		if (fm->large_mapcount != nr)
			fm->maybe_mapped_shared = true;
	} else if (!fm->mm_id[1]) {
		fm->mm_id[1] = id;
		fm->mm_id_mapcount[1] = nr;
		fm->maybe_mapped_shared = true;	/* slot 0 has mappings too */
	}
}

static void large_mapcount_sub(struct vmsim_folio_meta *fm, int nr, const struct vmsim_mm *mm)
{
	int id = mm->id, slot;

	fm->large_mapcount -= nr;
	if (fm->mm_id[0] == id)
		slot = 0;
	else if (fm->mm_id[1] == id)
		slot = 1;
	else
		return;
	fm->mm_id_mapcount[slot] -= nr;
	if (fm->mm_id_mapcount[slot] > 0)
		return;
	fm->mm_id_mapcount[slot] = 0;
	fm->mm_id[slot] = 0;
	/* One slot owning every mapping: mapped exclusively again. */
	if ((fm->mm_id[0] && fm->mm_id_mapcount[0] == fm->large_mapcount) ||
	    (fm->mm_id[1] && fm->mm_id_mapcount[1] == fm->large_mapcount) || !fm->large_mapcount)
		fm->maybe_mapped_shared = false;
}

int vmsim__folio_mapcount(struct vmsim *vm, const struct vmsim_page *folio)
{
	return vmsim_folio_test_large(folio) ? vmsim__folio_meta(vm, folio)->large_mapcount : folio->mapcount;
}

/* folio_precise_page_mapcount(): the PTEs mapping this page plus the
 * mappings of the whole folio. */
int vmsim__page_mapcount(struct vmsim *vm, struct vmsim_page *page)
{
	struct vmsim_page *folio = vmsim_compound_head(page);

	if (!vmsim_folio_test_large(folio))
		return page->mapcount;
	return page->mapcount + vmsim__folio_meta(vm, folio)->entire_mapcount;
}

/* folio_maybe_mapped_shared() */
bool vmsim__folio_maybe_mapped_shared(struct vmsim *vm, const struct vmsim_page *folio)
{
	const struct vmsim_folio_meta *fm;
	int mapcount;

	if (!vmsim_folio_test_large(folio))
		return folio->mapcount > 1;
	fm = vmsim__folio_meta(vm, folio);
	mapcount = fm->large_mapcount;
	if (vmsim_page_test(folio, PG_hugetlb))
		return mapcount > 1;
	if (mapcount <= 1)
		return false;
	if (fm->entire_mapcount || (unsigned long)mapcount > vmsim_folio_nr_pages(folio))
		return true;
	return fm->maybe_mapped_shared;
}

int vmsim__mm_counter(const struct vmsim_page *p)
{
	if (folio_test_anon(p))
		return MM_ANONPAGES;
	return vmsim_page_test(p, PG_swapbacked) ? MM_SHMEMPAGES : MM_FILEPAGES;
}

/* Point every page of a new anonymous folio at the vma's anon_vma. */
static void folio_set_anon(struct vm_area_struct *vma, struct vmsim_page *folio, uint64_t addr)
{
	unsigned long nr = vmsim_folio_nr_pages(folio);
	uint64_t index = linear_page_index(vma, addr);

	for (unsigned long i = 0; i < nr; i++) {
		folio[i].mapping = (void *)((uintptr_t)vma->anon_vma | 1);
		folio[i].index = index + i;
	}
	vmsim_page_set(folio, PG_swapbacked);
}

/* A fresh anonymous page, mapped once, exclusive to this process. */
void vmsim__folio_add_new_anon_rmap(struct vm_area_struct *vma, struct vmsim_page *p, uint64_t addr)
{
	p->mapping = (void *)((uintptr_t)vma->anon_vma | 1);
	p->index = linear_page_index(vma, addr);
	vmsim_page_set(p, PG_swapbacked);
	p->mapcount = 1;
	vmsim_page_set(p, PG_anon_exclusive);
	vma->vm_mm->rss[MM_ANONPAGES]++;
}

/* folio_add_new_anon_rmap() of a PMD-mappable folio, mapped by one PMD. */
void vmsim__folio_add_new_anon_rmap_pmd(struct vm_area_struct *vma, struct vmsim_page *folio, uint64_t haddr)
{
	struct vmsim_folio_meta *fm = vmsim__folio_meta(vma->vm_mm->vm, folio);

	folio_set_anon(vma, folio, haddr);
	*fm = (struct vmsim_folio_meta){ .entire_mapcount = 1 };
	large_mapcount_add(fm, 1, vma->vm_mm);
	vmsim_page_set(folio, PG_anon_exclusive);
	vma->vm_mm->rss[MM_ANONPAGES] += (long)vmsim_folio_nr_pages(folio);
}

/* One more PTE maps page (of a small or a large folio). */
static void add_rmap_pte(struct vm_area_struct *vma, struct vmsim_page *page)
{
	struct vmsim_page *folio = vmsim_compound_head(page);
	struct vmsim_folio_meta *fm;

	page->mapcount++;
	if (!vmsim_folio_test_large(folio))
		return;
	fm = vmsim__folio_meta(vma->vm_mm->vm, folio);
	if (page->mapcount == 1)
		fm->nr_pages_mapped++;
	large_mapcount_add(fm, 1, vma->vm_mm);
}

/* folio_add_anon_rmap_ptes(): nr pages from page, each by one more PTE
 * (a PMD split into PTEs); exclusive marks them PG_anon_exclusive. */
void vmsim__folio_add_anon_rmap_ptes(struct vm_area_struct *vma, struct vmsim_page *page, unsigned long nr,
				     bool exclusive)
{
	for (unsigned long i = 0; i < nr; i++) {
		add_rmap_pte(vma, page + i);
		if (exclusive)
			vmsim_page_set(page + i, PG_anon_exclusive);
		else
			vmsim_page_clear(page + i, PG_anon_exclusive);
	}
	vma->vm_mm->rss[MM_ANONPAGES] += (long)nr;
}

/* folio_add_anon_rmap_pte() / folio_add_new_anon_rmap() for a folio that
 * may already be anonymous (a swap-cache hit keeps its anon_vma and index)
 * or not yet (a folio read in by swap-in). */
void vmsim__folio_add_anon_rmap(struct vm_area_struct *vma, struct vmsim_page *p, uint64_t addr, bool exclusive)
{
	if (!folio_test_anon(p)) {
		/* __folio_set_anon(): a folio that may be shared (a swap-cache
		 * folio another process's swap pte may still name) needs the
		 * oldest anon_vma, whose chains reach every process of the
		 * fork tree. */
		struct anon_vma *av = exclusive ? vma->anon_vma : vma->anon_vma->root;

		p->mapping = (void *)((uintptr_t)av | 1);
		p->index = linear_page_index(vma, addr);
	}
	add_rmap_pte(vma, p);
	if (exclusive)
		vmsim_page_set(p, PG_anon_exclusive);
	vmsim_page_set(p, PG_swapbacked);
	vma->vm_mm->rss[MM_ANONPAGES]++;
	vmsim__mlock_vma_folio(vma, p);
}

/* folio_move_anon_rmap(): an exclusive folio reused by a write fault now
 * belongs to this vma's anon_vma. */
void vmsim__folio_move_anon_rmap(struct vm_area_struct *vma, struct vmsim_page *p)
{
	p->mapping = (void *)((uintptr_t)vma->anon_vma | 1);
}

void vmsim__folio_add_file_rmap(struct vm_area_struct *vma, struct vmsim_page *p)
{
	add_rmap_pte(vma, p);
	vma->vm_mm->rss[vmsim__mm_counter(p)]++;
	vmsim__mlock_vma_folio(vma, p);
}

/* Does a PMD mapping of folio count in its mm's rss?  Not a hugetlb folio
 * (hugetlb_add_file_rmap), nor a DAX one when PMD tables of DAX files may
 * be shared: a shared table's leaves are every sharer's, counted by none,
 * as hugetlb's are (this project's choice; the RFC left rss alone). */
static bool pmd_in_rss(const struct vmsim *vm, const struct vmsim_page *folio)
{
	if (vmsim_page_test(folio, PG_hugetlb))
		return false;
	return !(vmsim_page_test(folio, PG_device) && vm->cfg.dax_pmd_share);
}

/* folio_add_file_rmap_pmd() */
void vmsim__folio_add_file_rmap_pmd(struct vm_area_struct *vma, struct vmsim_page *folio)
{
	struct vmsim_folio_meta *fm = vmsim__folio_meta(vma->vm_mm->vm, folio);

	fm->entire_mapcount++;
	large_mapcount_add(fm, 1, vma->vm_mm);
	if (pmd_in_rss(vma->vm_mm->vm, folio))
		vma->vm_mm->rss[vmsim__mm_counter(folio)] += (long)vmsim_folio_nr_pages(folio);
}

/* fork: the child's PTE maps p too (folio_try_dup_anon_rmap_pte,
 * folio_dup_file_rmap_pte); the caller counts the child's rss. */
void vmsim__folio_dup_rmap(struct vm_area_struct *dst, struct vmsim_page *p)
{
	add_rmap_pte(dst, p);
}

/* fork of a PMD leaf (folio_try_dup_anon_rmap_pmd, folio_dup_file_rmap_pmd). */
void vmsim__folio_dup_rmap_pmd(struct vm_area_struct *dst, struct vmsim_page *folio)
{
	struct vmsim_folio_meta *fm = vmsim__folio_meta(dst->vm_mm->vm, folio);

	fm->entire_mapcount++;
	large_mapcount_add(fm, 1, dst->vm_mm);
}

/* deferred_split_folio() when an anonymous THP lost some but not all of
 * its pages' mappings (__folio_remove_rmap's partially_mapped). */
static void maybe_deferred_split(struct vm_area_struct *vma, struct vmsim_page *folio)
{
	if (folio_test_anon(folio) && !vmsim_page_test(folio, PG_hugetlb) &&
	    !vmsim_page_test(folio, PG_partially_mapped))
		vmsim__deferred_split_folio(vma->vm_mm->vm, folio, true);
}

void vmsim__folio_remove_rmap(struct vm_area_struct *vma, struct vmsim_page *p)
{
	struct vmsim_page *folio = vmsim_compound_head(p);
	struct vmsim_folio_meta *fm;

	VMSIM_BUG_ON(vma->vm_mm->vm, p->mapcount <= 0, "rmap removal from unmapped pfn %#lx",
		     vmsim_page_to_pfn(vma->vm_mm->vm, p));
	p->mapcount--;
	vma->vm_mm->rss[vmsim__mm_counter(p)]--;
	vmsim__munlock_vma_folio(vma, p);
	if (!vmsim_folio_test_large(folio))
		return;
	fm = vmsim__folio_meta(vma->vm_mm->vm, folio);
	large_mapcount_sub(fm, 1, vma->vm_mm);
	/* A page left unmapped while others stay mapped by PTEs only. */
	if (p->mapcount == 0 && --fm->nr_pages_mapped > 0 && !fm->entire_mapcount)
		maybe_deferred_split(vma, folio);
}

/* folio_remove_rmap_pmd(): the last PMD mapping going while some pages
 * are still mapped by PTEs leaves the folio partially mapped. */
void vmsim__folio_remove_rmap_pmd(struct vm_area_struct *vma, struct vmsim_page *folio)
{
	struct vmsim_folio_meta *fm = vmsim__folio_meta(vma->vm_mm->vm, folio);

	VMSIM_BUG_ON(vma->vm_mm->vm, fm->entire_mapcount <= 0, "pmd rmap removal from unmapped folio pfn %#lx",
		     vmsim_page_to_pfn(vma->vm_mm->vm, folio));
	fm->entire_mapcount--;
	large_mapcount_sub(fm, 1, vma->vm_mm);
	if (pmd_in_rss(vma->vm_mm->vm, folio))
		vma->vm_mm->rss[vmsim__mm_counter(folio)] -= (long)vmsim_folio_nr_pages(folio);
	if (!fm->entire_mapcount && fm->nr_pages_mapped > 0 &&
	    (unsigned long)fm->nr_pages_mapped < vmsim_folio_nr_pages(folio))
		maybe_deferred_split(vma, folio);
}

/* hugetlb_add_new_anon_rmap(), hugetlb_add_file_rmap(), hugetlb_remove_rmap():
 * a hugetlb folio is mapped whole or not at all, and counts in no rss. */
void vmsim__hugetlb_add_new_anon_rmap(struct vm_area_struct *vma, struct vmsim_page *folio, uint64_t haddr)
{
	struct vmsim_folio_meta *fm = vmsim__folio_meta(vma->vm_mm->vm, folio);

	folio_set_anon(vma, folio, haddr);
	vmsim_page_clear(folio, PG_swapbacked);
	*fm = (struct vmsim_folio_meta){ .entire_mapcount = 1 };
	large_mapcount_add(fm, 1, vma->vm_mm);
	vmsim_page_set(folio, PG_anon_exclusive);
}

void vmsim__hugetlb_add_rmap(struct vm_area_struct *vma, struct vmsim_page *folio)
{
	struct vmsim_folio_meta *fm = vmsim__folio_meta(vma->vm_mm->vm, folio);

	fm->entire_mapcount++;
	large_mapcount_add(fm, 1, vma->vm_mm);
}

void vmsim__hugetlb_remove_rmap(struct vm_area_struct *vma, struct vmsim_page *folio)
{
	struct vmsim_folio_meta *fm = vmsim__folio_meta(vma->vm_mm->vm, folio);

	VMSIM_BUG_ON(vma->vm_mm->vm, fm->entire_mapcount <= 0, "hugetlb rmap removal from unmapped folio pfn %#lx",
		     vmsim_page_to_pfn(vma->vm_mm->vm, folio));
	fm->entire_mapcount--;
	large_mapcount_sub(fm, 1, vma->vm_mm);
}

/* The mapping of p in vma, if there is one: a PTE, or a PMD leaf (THP,
 * hugetlb, DAX) mapping its folio, which the callback gets as ptep NULL. */
static bool rmap_one(struct vmsim *vm, struct vmsim_page *p, struct vm_area_struct *vma,
		     rmap_one_fn fn, void *arg)
{
	uint64_t addr = vma_address(vma, p->index);
	unsigned long pfn = vmsim_page_to_pfn(vm, p);
	pmd_t *pmdp, pmd;
	pte_t *ptep;

	if (p->index < vma->vm_pgoff || addr < vma->vm_start || addr >= vma->vm_end)
		return true;
	pmdp = vmsim__pmd_lookup(vma->vm_mm, addr);
	if (!pmdp)
		return true;
	pmd = pmdp_get(pmdp);
	if (pmd_leaf(pmd)) {
		if (!pmd_present(pmd) || pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT) != pfn)
			return true;
		return fn(p, vma, addr, NULL, arg);
	}
	ptep = vmsim__pte_offset(vma->vm_mm, pmdp, addr);
	if (!ptep)
		return true;
	if (!pte_present(ptep_get(ptep))) {
		unsigned holds;

		/* page_vma_mapped_walk() also finds the entries that keep
		 * the page mapped (6.15+ device-exclusive). */
		if (vmsim__kind_entry_page(vm, ptep_get(ptep), &holds) != p ||
		    !(holds & VMSIM_KIND_HOLDS_MAPCOUNT))
			return true;
		return fn(p, vma, addr, ptep, arg);
	}
	if (pte_pfn(ptep_get(ptep)) != pfn)
		return true;
	return fn(p, vma, addr, ptep, arg);
}

void vmsim__rmap_walk(struct vmsim *vm, struct vmsim_page *p, rmap_one_fn fn, void *arg)
{
	/* An unmapped page's mapping may be stale: nothing to find. */
	if (vmsim__page_mapcount(vm, p) <= 0)
		return;
	if (folio_test_anon(p)) {
		struct anon_vma *av = folio_anon_vma(p);
		struct anon_vma_chain *avc;

		DL_FOREACH2(av->rb_root, avc, av_next)
			if (!rmap_one(vm, p, avc->vma, fn, arg))
				return;
	} else if (p->mapping) {
		struct vmsim_file *f = folio_file(p);
		struct vm_area_struct *v;

		DL_FOREACH2(f->i_mmap, v, i_next)
			if (!rmap_one(vm, p, v, fn, arg))
				return;
	}
}

struct rmap_user {
	vmsim_rmap_fn fn;
	void *arg;
};

static bool rmap_user_one(struct vmsim_page *p, struct vm_area_struct *vma, uint64_t addr, pte_t *ptep,
			  void *arg)
{
	struct rmap_user *u = arg;

	(void)p;
	(void)ptep;
	u->fn(u->arg, vma->vm_mm, addr);
	return true;
}

void vmsim_page_rmap(struct vmsim *vm, unsigned long pfn, vmsim_rmap_fn fn, void *arg)
{
	struct vmsim_page *p = vmsim_pfn_to_page(vm, pfn);
	struct rmap_user u = { fn, arg };

	if (fn && p && !vmsim_page_test(p, PG_buddy) && !vmsim_page_test(p, PG_table))
		vmsim__rmap_walk(vm, p, rmap_user_one, &u);
}

const char *vmsim_page_owner(struct vmsim *vm, unsigned long pfn, char *buf, size_t size)
{
	struct vmsim_page *p = vmsim_pfn_to_page(vm, pfn);

	if (!vm || !buf || !size)
		return NULL;
	if (!p)
		snprintf(buf, size, "none");
	else if (vmsim_page_test(p, PG_buddy))
		snprintf(buf, size, "free");
	else if (vmsim_page_test(p, PG_zero))
		snprintf(buf, size, "zero");
	else if (vmsim_page_test(p, PG_table))
		snprintf(buf, size, "pgtable");
	else if (folio_test_anon(p))
		snprintf(buf, size, "anon");
	else if (p->mapping)
		snprintf(buf, size, "%s %s", folio_file(p)->kind == VMSIM_FILE_SHMEM ? "shmem" : "file",
			 folio_file(p)->name);
	else if (vmsim_page_test(p, PG_swapcache))
		snprintf(buf, size, "swapcache");
	else if (vmsim_page_test(p, PG_hwpoison))
		snprintf(buf, size, "hwpoison");
	else
		snprintf(buf, size, "kernel");
	return buf;
}
