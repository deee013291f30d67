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
	/* The lock lives in the root: it must outlive us (get_anon_vma). */
	av->root->refcount++;
	pvma->anon_vma->degree++;
	if (avc_link(vma, av, false)) {
		vmsim__free(vma->vm_mm->vm, av);
		goto err;
	}
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

/* A fresh anonymous page, mapped once, exclusive to this process. */
void vmsim__folio_add_new_anon_rmap(struct vm_area_struct *vma, struct vmsim_page *p, uint64_t addr)
{
	p->mapping = (void *)((uintptr_t)vma->anon_vma | 1);
	p->index = linear_page_index(vma, addr);
	p->mapcount = 1;
	vmsim_page_set(p, PG_anon_exclusive);
	vmsim_page_set(p, PG_swapbacked);
	vma->vm_mm->rss[MM_ANONPAGES]++;
}

int vmsim__mm_counter(const struct vmsim_page *p)
{
	if (folio_test_anon(p))
		return MM_ANONPAGES;
	return vmsim_page_test(p, PG_swapbacked) ? MM_SHMEMPAGES : MM_FILEPAGES;
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
	p->mapcount++;
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
	p->mapcount++;
	vma->vm_mm->rss[vmsim__mm_counter(p)]++;
	vmsim__mlock_vma_folio(vma, p);
}

void vmsim__folio_dup_rmap(struct vmsim_page *p)
{
	p->mapcount++;
}

void vmsim__folio_remove_rmap(struct vm_area_struct *vma, struct vmsim_page *p)
{
	VMSIM_BUG_ON(vma->vm_mm->vm, p->mapcount <= 0, "rmap removal from unmapped pfn %#lx",
		     vmsim_page_to_pfn(vma->vm_mm->vm, p));
	p->mapcount--;
	vma->vm_mm->rss[vmsim__mm_counter(p)]--;
	vmsim__munlock_vma_folio(vma, p);
}

static bool rmap_one(struct vmsim *vm, struct vmsim_page *p, struct vm_area_struct *vma,
		     rmap_one_fn fn, void *arg)
{
	uint64_t addr = vma_address(vma, p->index);
	pte_t *ptep;

	if (p->index < vma->vm_pgoff || addr < vma->vm_start || addr >= vma->vm_end)
		return true;
	ptep = vmsim__pte_lookup(vma->vm_mm, addr);
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
	if (pte_pfn(ptep_get(ptep)) != vmsim_page_to_pfn(vm, p))
		return true;
	return fn(p, vma, addr, ptep, arg);
}

void vmsim__rmap_walk(struct vmsim *vm, struct vmsim_page *p, rmap_one_fn fn, void *arg)
{
	/* An unmapped page's mapping may be stale: nothing to find. */
	if (p->mapcount <= 0)
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
