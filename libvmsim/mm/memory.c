/* Faults, zap and fork's page-table copy.  Follows mm/memory.c of Linux
 * 6.12-6.18: handle_pte_fault, do_anonymous_page, do_read_fault with
 * fault-around, do_cow_fault, do_shared_fault, do_wp_page (reuse/copy,
 * wp_page_copy, wp_can_reuse_anon_folio dropping a swap copy),
 * do_swap_page's dispatch to the entry kind, zap_pte_range with
 * zap_details, copy_pte_range/copy_present_ptes/copy_present_page.  A
 * fault's new page is allocated with the pte lock dropped and the pte
 * checked again afterwards, as Linux does, since the allocation may enter
 * reclaim (fork preallocates the same way).  Simplified: order-0 folios
 * only (no THP), no KSM, no NUMA hinting.  The split page-table locks are
 * taken where Linux takes them, through the lock model, though operations
 * run one at a time. */
#include <string.h>

#include <utlist.h>

#include "mm_internal.h"

/* ---- page-table access for an mm ---- */

pte_t *vmsim__pte_alloc(struct vmsim_mm *mm, uint64_t addr)
{
	return vmsim_pte_lookup(mm->vm, mm->pgd, addr, true);
}

pte_t *vmsim__pte_lookup(struct vmsim_mm *mm, uint64_t addr)
{
	return vmsim_pte_lookup(mm->vm, mm->pgd, addr, false);
}

/* One walk to addr, stopping where the tables stop (*w), and *next: the
 * end of what it found, the pte table's span or the span of the entry it
 * stopped at (a hole, a leaf), which range walks step over whole
 * (walk_page_range's *_none steps): a walk costs the tables that exist,
 * not the range's size. */
void vmsim__walk_span(struct vmsim_mm *mm, uint64_t addr, struct vmsim_walk *w, uint64_t *next)
{
	unsigned shift;
	uint64_t n;

	vmsim_walk(mm->vm, mm->pgd, addr, 0, w);
	if (w->level == VMSIM_LVL_NONE) {
		*next = ~0ULL;
		return;
	}
	shift = w->level == VMSIM_LVL_PTE ? PMD_SHIFT : PAGE_SHIFT + 9 * (unsigned)(w->level - 1);
	n = (addr | ((1ULL << shift) - 1)) + 1;
	*next = n > addr ? n : ~0ULL;
}

/* The pte slot of addr when its pte table exists, else NULL; *next as
 * vmsim__walk_span() gives it. */
pte_t *vmsim__pte_lookup_span(struct vmsim_mm *mm, uint64_t addr, uint64_t *next)
{
	struct vmsim_walk w;

	vmsim__walk_span(mm, addr, &w, next);
	return w.level == VMSIM_LVL_PTE ? w.pte : NULL;
}

/* A PMD leaf (or other non-table PMD entry) where vmsim__walk_span()
 * stopped: THP, DAX, hugetlb, a PMD migration entry. */
pmd_t *vmsim__walk_pmd_entry(const struct vmsim_walk *w)
{
	return w->level == VMSIM_LVL_PMD && !pmd_none(pmdp_get(w->pmd)) ? w->pmd : NULL;
}

void vmsim__set_pte_at(struct vmsim_mm *mm, uint64_t addr, pte_t *ptep, pte_t pte)
{
	/* luf=debug: a slot LUF left owing a flush gets a translation. */
	if (mm->luf_slots)
		vmsim__luf_check_pte(mm, addr, pte);
	vmsim_set_pte(mm->vm, ptep, pte, addr);
}

pte_t vmsim__ptep_get_and_clear(struct vmsim_mm *mm, uint64_t addr, pte_t *ptep)
{
	pte_t old = ptep_get(ptep);

	vmsim_set_pte(mm->vm, ptep, __pte(0), addr);
	return old;
}

/* ---- what an entry kind's hooks may call (<vmsim/kind.h>) ---- */

void vmsim_set_pte_at(struct vmsim_mm *mm, uint64_t addr, pte_t *ptep, pte_t pte)
{
	if (!mm || !ptep)
		return;
	vmsim__set_pte_at(mm, addr, ptep, pte);
}

unsigned vmsim_do_pte_missing(struct vm_fault *vmf)
{
	return vmf ? vmsim__do_pte_missing(vmf) : VM_FAULT_SIGBUS;
}

void vmsim_mm_add_rss(struct vmsim_mm *mm, int member, long delta)
{
	if (mm && member >= 0 && member < NR_MM_COUNTERS)
		mm->rss[member] += delta;
}

bool vmsim_userfaultfd_wp_use_markers(const struct vm_area_struct *vma)
{
	return vma && vmsim__userfaultfd_wp_use_markers(vma);
}

bool vmsim_userfaultfd_wp_async(const struct vm_area_struct *vma)
{
	return vma && vmsim__userfaultfd_wp_async(vma);
}

bool vmsim_userfaultfd_without_event_remap(const struct vm_area_struct *vma)
{
	return vma && vmsim__userfaultfd_without_event_remap(vma);
}

unsigned vmsim_handle_userfault(struct vm_fault *vmf, unsigned long reason)
{
	return vmf ? vmsim__handle_userfault(vmf, reason) : VM_FAULT_SIGBUS;
}

unsigned long vmsim_zero_pfn(struct vmsim *vm)
{
	return vmsim_page_to_pfn(vm, vmsim_zero_page(vm));
}

bool vmsim_is_zero_pfn(struct vmsim *vm, unsigned long pfn)
{
	struct vmsim_page *z;

	if (!vm)
		return false;
	if (pfn == vmsim_zero_pfn(vm))
		return true;
	z = vm->mm_world ? mm_world(vm)->thp.huge_zero_folio : NULL;
	return z && pfn - vmsim_page_to_pfn(vm, z) < HPAGE_PMD_NR;
}

/* vm_normal_page(): the struct page behind a present pte, or NULL for
 * special mappings (the zero page). */
struct vmsim_page *vmsim__vm_normal_page(struct vm_area_struct *vma, uint64_t addr, pte_t pte)
{
	(void)addr;
	if (pte_special(pte))
		return NULL;
	return vmsim_pfn_to_page(vma->vm_mm->vm, pte_pfn(pte));
}

static pte_t mk_pte(struct vmsim *vm, struct vmsim_page *p, pgprot_t prot)
{
	return pfn_pte(vmsim_page_to_pfn(vm, p), prot);
}

static pte_t maybe_mkwrite(pte_t pte, struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pte_mkwrite(pte) : pte;
}

/* ---- allocating in a fault ---- */

/* alloc_anon_folio()/folio_prealloc(): Linux allocates a fault's page with
 * the pte lock dropped (it may enter reclaim), then checks that the pte did
 * not change meanwhile (vmf_pte_changed).  Under the lock first, which
 * never sleeps; on failure the lock is dropped for a reclaiming try.  NULL
 * with *ret: VM_FAULT_OOM, or 0 (the pte changed: retry the access). */
static struct vmsim_page *fault_alloc_page(struct vm_fault *vmf, unsigned *ret)
{
	struct vmsim *vm = vmf->vma->vm_mm->vm;
	struct vmsim_page *p = vmsim_alloc_pages(vm, 0);

	if (p)
		return p;
	vmsim_unlock(vm, vmf->ptl);
	p = vmsim__alloc_pages_may_reclaim(vm, 0);
	vmsim_lock(vm, vmf->ptl);
	*ret = VM_FAULT_OOM;
	if (p && !pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
		vmsim_put_page(vm, p);
		p = NULL;
		*ret = 0;
	}
	return p;
}

/* ---- anonymous faults ---- */

unsigned vmsim__vmf_anon_prepare_slow(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_mm *mm = vma->vm_mm;
	unsigned ret = 0;

	/* __anon_vma_prepare() looks at the neighbours, which the per-VMA
	 * lock does not hold still: mmap_lock too, if it can be had. */
	if ((vmf->flags & FAULT_FLAG_VMA_LOCK) && !vmsim__trylock_read_at(mm->vm, &mm->mmap_lock, __func__)) {
		if (vmf->ptl) {
			vmsim_unlock(mm->vm, vmf->ptl);
			vmf->ptl = NULL;
		}
		vmsim__vma_end_read(vma);
		return VM_FAULT_RETRY;
	}
	if (vmsim__anon_vma_prepare(vma))
		ret = VM_FAULT_OOM;
	if (vmf->flags & FAULT_FLAG_VMA_LOCK)
		vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	return ret;
}

static unsigned do_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_page *p;
	unsigned ret;
	pte_t entry;

	vma->vm_mm->st.faults_anon++;
	/* A registered missing range: the handler provides the page. */
	if (userfaultfd_missing(vma))
		return vmsim__handle_userfault(vmf, VM_UFFD_MISSING);
	/* Read of an untouched page: map the shared zero page, read-only. */
	if (!(vmf->flags & FAULT_FLAG_WRITE)) {
		entry = pte_mkspecial(pfn_pte(vmsim_zero_pfn(vm), vma->vm_page_prot));
		entry = vmsim__kind_inherit(vmf, entry);
		vmsim__set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
		return 0;
	}
	ret = vmsim__vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	p = fault_alloc_page(vmf, &ret);
	if (!p)
		return ret;
	vmsim_page_set(p, PG_uptodate);
	entry = mk_pte(vm, p, vma->vm_page_prot);
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(pte_mkdirty(entry));
	entry = vmsim__kind_inherit(vmf, entry);
	vmsim__folio_add_new_anon_rmap(vma, p, vmf->address);
	vmsim__folio_add_lru_vma(vma, p);
	vmsim__set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
	return 0;
}

/* ---- file faults ---- */

/* set_pte_range() for one page-cache page. */
static void map_file_page(struct vm_fault *vmf, struct vmsim_page *p, uint64_t addr, pte_t *ptep,
			  bool write)
{
	struct vm_area_struct *vma = vmf->vma;
	pte_t entry = mk_pte(vma->vm_mm->vm, p, vma->vm_page_prot);

	if (write)
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	/* Only the faulting page inherits what its old entry carried (a
	 * uffd-wp marker's protection), never a fault-around neighbour. */
	if (addr == vmf->address)
		entry = vmsim__kind_inherit(vmf, entry);
	vmsim__folio_add_file_rmap(vma, p);
	vmsim__set_pte_at(vma->vm_mm, addr, ptep, entry);
}

/* The pte of addr for fault-around: the range lies in the faulting pte's
 * table (do_fault_around() clamps it), so it is that pte's neighbour, as
 * filemap_map_pages() steps vmf->pte; a lookup otherwise. */
static pte_t *fault_around_pte(struct vm_fault *vmf, uint64_t addr)
{
	if (vmf->pte && (addr >> PMD_SHIFT) == (vmf->address >> PMD_SHIFT))
		return vmf->pte + ((int64_t)(addr >> PAGE_SHIFT) - (int64_t)(vmf->address >> PAGE_SHIFT));
	return vmsim__pte_lookup(vmf->vma->vm_mm, addr);
}

/* filemap_map_pages(): map what the page cache already holds, uptodate and
 * unlocked, within [start_pgoff, end_pgoff] and EOF, into none ptes only. */
static void filemap_map_pages(struct vm_fault *vmf, uint64_t start_pgoff, uint64_t end_pgoff)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_file *f = vma->vm_file;
	uint64_t eof = (f->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT;

	if (!eof)
		return;
	if (end_pgoff > eof - 1)
		end_pgoff = eof - 1;
	for (uint64_t pgoff = start_pgoff; pgoff <= end_pgoff; pgoff++) {
		struct vmsim_page *p = vmsim__filemap_get(f, pgoff);
		uint64_t addr = vma_address(vma, pgoff);
		const char *skip = NULL;
		pte_t *ptep = NULL;
		bool locked = false;

		/* next_uptodate_folio(): a reference first (folio_try_get), so
		 * a truncation meanwhile cannot free the folio; one someone
		 * holds locked (a truncation, a fault) is skipped; locked, it
		 * must still be in this file's page cache.  The reference
		 * becomes the mapping's. */
		if (p)
			vmsim_get_page(vma->vm_mm->vm, p);
		if (!p)
			skip = "not in the page cache";
		else if (!vmsim_page_test(p, PG_uptodate))
			skip = "not uptodate";
		else if (!(locked = vmsim__folio_trylock(vma->vm_mm->vm, p)))
			skip = "locked";
		else if (p->mapping != f)
			skip = "truncated";
		else if (vmsim_page_test(p, PG_hwpoison))
			skip = "hwpoison";
		/* A page with a readahead mark is left to ->fault, which will
		 * start the next async window. */
		else if (vmsim_page_test(p, PG_readahead))
			skip = "readahead mark: left to ->fault";
		else if (!(ptep = fault_around_pte(vmf, addr)) || !pte_none(ptep_get(ptep)))
			skip = "pte not none";
		if (skip) {
			if (locked)
				vmsim__folio_unlock(vma->vm_mm->vm, p);
			if (p)
				vmsim_put_page(vma->vm_mm->vm, p);
			if (addr != vmf->address)
				vmsim__trace(vma->vm_mm->vm, &(struct vmsim_trace_event){
						  .type = VMSIM_TR_FAULT_AROUND, .cpu = vmf->cpu,
						  .addr = addr, .why = skip });
			continue;
		}
		map_file_page(vmf, p, addr, ptep, false);
		vmsim__folio_unlock(vma->vm_mm->vm, p);
	}
}

static bool should_fault_around(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	/* uffd_disable_fault_around(): a wp or minor handler must see every
	 * page.  The quirk brings back the bug of mapping them anyway. */
	if (vmsim__uffd_disable_fault_around(vma) &&
	    !vmsim__quirk(vma->vm_mm->vm, VMSIM_QUIRK_FAULT_AROUND_UFFD)) {
		vmsim__trace(vma->vm_mm->vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_FAULT_AROUND,
				  .cpu = vmf->cpu, .addr = vmf->address, .end = vmf->address + PAGE_SIZE,
				  .why = "off: uffd wp/minor range (uffd_disable_fault_around)" });
		return false;
	}
	return (vma->vm_mm->vm->cfg.fault_around >> PAGE_SHIFT) > 1;
}

/* do_fault_around(): the window is fault_around bytes, aligned, clamped to
 * the vma and to the pte table that holds the faulting address. */
static void do_fault_around(struct vm_fault *vmf)
{
	uint64_t nr_pages = vmf->vma->vm_mm->vm->cfg.fault_around >> PAGE_SHIFT;
	uint64_t pte_off = pte_index(vmf->address);
	uint64_t vma_off = vmf->pgoff - vmf->vma->vm_pgoff;
	uint64_t from_pte, to_pte, a, b;

	a = pte_off & ~(nr_pages - 1);
	b = pte_off - (pte_off < vma_off ? pte_off : vma_off);
	from_pte = a > b ? a : b;
	to_pte = from_pte + nr_pages;
	if (to_pte > PTRS_PER_PTE)
		to_pte = PTRS_PER_PTE;
	if (to_pte > pte_off + vma_pages(vmf->vma) - vma_off)
		to_pte = pte_off + vma_pages(vmf->vma) - vma_off;
	to_pte--;
	vmsim__trace(vmf->vma->vm_mm->vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_FAULT_AROUND,
			  .cpu = vmf->cpu, .addr = vmf->address - ((pte_off - from_pte) << PAGE_SHIFT),
			  .end = vmf->address + ((to_pte - pte_off + 1) << PAGE_SHIFT) });
	filemap_map_pages(vmf, vmf->pgoff + from_pte - pte_off, vmf->pgoff + to_pte - pte_off);
}

/* __do_fault(): ->fault of the file.  shmem_get_folio_gfp() first asks
 * userfaultfd: a page in the cache is a minor fault, a hole a missing one. */
static unsigned do_file_fault(struct vm_fault *vmf, struct vmsim_page **out)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_file *f = vma->vm_file;

	if (f->kind == VMSIM_FILE_SHMEM && vmf->pgoff >= f->falloc_start && vmf->pgoff < f->falloc_end) {
		/* shmem_falloc_wait(): the page is being punched; wait for
		 * the punch without the table's lock, then fault again. */
		struct vmsim *vm = vma->vm_mm->vm;

		vmsim_unlock(vm, vmf->ptl);
		vmf->ptl = NULL;
		/* maybe_unlock_mmap_for_io(): the per-VMA lock goes first. */
		if (vmf->flags & FAULT_FLAG_VMA_LOCK)
			vmsim__vma_end_read(vma);
		vmsim__sched_wait_free(vm, &f->i_rwsem);
		return VM_FAULT_RETRY;
	}
	if (f->kind == VMSIM_FILE_SHMEM && vmf->pgoff < (f->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT) {
		/* A swapped-out page's entry counts as present here. */
		bool p = vmsim__filemap_has_entry(f, vmf->pgoff);

		if (p && userfaultfd_minor(vma))
			return vmsim__handle_userfault(vmf, VM_UFFD_MINOR);
		if (!p && userfaultfd_missing(vma))
			return vmsim__handle_userfault(vmf, VM_UFFD_MISSING);
	}
	{
		struct vmsim *vm = vma->vm_mm->vm;
		unsigned ret;

		/* __do_fault() runs ->fault without the table's lock (it may
		 * read, allocate, reclaim), and returns the folio locked;
		 * finish_fault() takes the lock again and maps only if the
		 * entry is still what it was. */
		vmsim_unlock(vm, vmf->ptl);
		ret = vmsim__filemap_fault(f, vmf->pgoff, out, VMSIM_FILEMAP_MMAP |
					   ((vmf->flags & FAULT_FLAG_TRIED) ? VMSIM_FILEMAP_TRIED : 0));
		if (ret & VM_FAULT_RETRY)
			vmf->io_retry = true;
		if (!ret && vmsim__folio_lock(vm, *out)) {
			vmsim_put_page(vm, *out);	/* reported: nobody can unlock it */
			ret = VM_FAULT_SIGBUS;
		} else if (!ret) {
			/* filemap_fault(): truncated while we waited for it? */
			if ((*out)->mapping != f) {
				vmsim__folio_unlock(vm, *out);
				vmsim_put_page(vm, *out);
				ret = VM_FAULT_NOPAGE;
			}
		}
		vmsim_lock(vm, vmf->ptl);
		if (!ret && !pte_same(ptep_get(vmf->pte), vmf->orig_pte)) {
			/* finish_fault(): someone mapped it meanwhile. */
			vmsim__folio_unlock(vm, *out);
			vmsim_put_page(vm, *out);
			ret = VM_FAULT_NOPAGE;
		}
		return ret;
	}
}

static unsigned do_read_fault(struct vm_fault *vmf)
{
	struct vmsim_page *p;
	unsigned ret;

	if (should_fault_around(vmf)) {
		do_fault_around(vmf);
		if (!pte_none_mostly(ptep_get(vmf->pte)))
			return 0;
	}
	ret = do_file_fault(vmf, &p);
	if (ret)
		return ret & VM_FAULT_NOPAGE ? 0 : ret;
	map_file_page(vmf, p, vmf->address, vmf->pte, false);
	vmsim__folio_unlock(vmf->vma->vm_mm->vm, p);
	return 0;
}

/* Write to a none pte of a private file mapping: copy the cache page. */
static unsigned do_cow_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_page *src, *p;
	unsigned ret;
	pte_t entry;

	if (!(vmf->flags & FAULT_FLAG_TRIED))
		vma->vm_mm->st.faults_cow++;
	ret = vmsim__vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	ret = do_file_fault(vmf, &src);
	if (ret)
		return ret & VM_FAULT_NOPAGE ? 0 : ret;
	p = fault_alloc_page(vmf, &ret);
	if (!p) {
		vmsim__folio_unlock(vm, src);
		vmsim_put_page(vm, src);
		return ret ? ret : VM_FAULT_NOPAGE;
	}
	vmsim_frame_copy(vm, p, src);
	vmsim__folio_unlock(vm, src);
	vmsim_put_page(vm, src);
	vmsim_page_set(p, PG_uptodate);
	entry = maybe_mkwrite(pte_mkdirty(mk_pte(vm, p, vma->vm_page_prot)), vma);
	entry = vmsim__kind_inherit(vmf, entry);
	vmsim__folio_add_new_anon_rmap(vma, p, vmf->address);
	vmsim__folio_add_lru_vma(vma, p);
	vmsim__set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
	return 0;
}

static unsigned do_shared_fault(struct vm_fault *vmf)
{
	struct vmsim_page *p;
	unsigned ret;

	ret = do_file_fault(vmf, &p);
	if (ret)
		return ret & VM_FAULT_NOPAGE ? 0 : ret;
	vmsim__folio_mark_dirty(p);	/* ->page_mkwrite, then fault_dirty_shared_page */
	map_file_page(vmf, p, vmf->address, vmf->pte, true);
	vmsim__folio_unlock(vmf->vma->vm_mm->vm, p);
	return 0;
}

static unsigned do_fault(struct vm_fault *vmf)
{
	/* One fault, however often readahead I/O makes it retry. */
	if (!(vmf->flags & FAULT_FLAG_TRIED))
		vmf->vma->vm_mm->st.faults_file++;
	if (!(vmf->flags & FAULT_FLAG_WRITE))
		return do_read_fault(vmf);
	if (!(vmf->vma->vm_flags & VM_SHARED))
		return do_cow_fault(vmf);
	return do_shared_fault(vmf);
}

/* vmf_insert_page_mkwrite() + insert_page_into_pte_locked(): the zero
 * page goes in special; any other page is one more file mapping. */
unsigned vmsim__vmf_insert_page_mkwrite(struct vm_fault *vmf, struct vmsim_page *page, bool write)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_lock *ptl;
	pte_t old, entry;

	if (vmf->address < vma->vm_start || vmf->address >= vma->vm_end || !vmf->pte)
		return VM_FAULT_SIGBUS;
	ptl = vmsim__pte_lockptr(vm, vmf->pte);
	vmsim_lock(vm, ptl);
	old = ptep_get(vmf->pte);
	if (!pte_none(old)) {
		/* Only a write to the page already there upgrades it (not
		 * dirtied here: the CPU's write sets D). */
		if (write && pte_present(old) && pte_pfn(old) == vmsim_page_to_pfn(vm, page)) {
			entry = maybe_mkwrite(pte_mkyoung(old), vma);
			if (!pte_same(entry, old))
				vmsim__set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
		}
		vmsim_unlock(vm, ptl);
		return VM_FAULT_NOPAGE;
	}
	entry = mk_pte(vm, page, vma->vm_page_prot);
	if (vmsim_page_test(page, PG_zero)) {
		entry = pte_mkspecial(entry);
	} else {
		vmsim_get_page(vm, page);
		if (write)
			entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(entry)), vma);
		vmsim__folio_add_file_rmap(vma, page);
	}
	vmsim__set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
	vmsim_unlock(vm, ptl);
	return VM_FAULT_NOPAGE;
}

/* ---- write-protect faults ---- */

static unsigned wp_page_copy(struct vm_fault *vmf, struct vmsim_page *old)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim *vm = vma->vm_mm->vm;
	bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	struct mmu_notifier_range range;
	struct vmsim_page *p;
	unsigned ret;
	bool notify;
	pte_t entry;

	if (!(vmf->flags & FAULT_FLAG_TRIED))
		vma->vm_mm->st.faults_cow++;
	ret = vmsim__vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	/* The old page must outlive the allocation, which may drop the pte
	 * lock (do_wp_page's folio_get before wp_page_copy). */
	if (old)
		vmsim_get_page(vm, old);
	p = fault_alloc_page(vmf, &ret);
	if (!p) {
		if (old)
			vmsim_put_page(vm, old);
		return ret;
	}
	if (old) {
		vmsim_frame_copy(vm, p, old);
		vmsim_put_page(vm, old);
	}
	vmsim_page_set(p, PG_uptodate);
	entry = mk_pte(vm, p, vma->vm_page_prot);
	if (unshare) {
		/* An unshare keeps what the old pte tracked. */
		if (pte_soft_dirty(vmf->orig_pte))
			entry = pte_mksoft_dirty(entry);
		entry = vmsim__kind_inherit(vmf, entry);
	} else {
		entry = maybe_mkwrite(pte_mkdirty(entry), vma);
	}
	/* ptep_clear_flush(): no CPU may keep using the old page. */
	/* MMU_NOTIFY_CLEAR around the replacement (built only if anyone
	 * listens: this is the COW fault's hot path). */
	notify = mm_has_notifiers(vma->vm_mm);
	if (notify) {
		mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, vma->vm_mm, vmf->address,
					vmf->address + PAGE_SIZE);
		mmu_notifier_invalidate_range_start(&range);
	}
	vmsim__ptep_get_and_clear(vma->vm_mm, vmf->address, vmf->pte);
	vmsim__flush_tlb_page(vma->vm_mm, vmf->address);
	vmsim__folio_add_new_anon_rmap(vma, p, vmf->address);
	vmsim__folio_add_lru_vma(vma, p);
	vmsim__set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
	if (old) {
		vmsim__folio_remove_rmap(vma, old);
		vmsim_put_page(vm, old);	/* the mapping's reference */
	}
	if (notify)
		mmu_notifier_invalidate_range_end(&range);
	return 0;
}

/* __wp_can_reuse_large_anon_folio() (6.15+, CONFIG_MM_ID): a PTE-mapped
 * THP is reused when every reference is a mapping and every mapping is
 * this mm's; one mapped page alone is let go instead. */
static bool wp_can_reuse_large_anon_folio(struct vmsim *vm, struct vmsim_page *folio)
{
	const struct vmsim_folio_meta *fm = vmsim__folio_meta(vm, folio);

	if (fm->large_mapcount <= 1)
		return false;
	if (fm->maybe_mapped_shared)
		return false;
	return fm->large_mapcount == folio->refcount;
}

/* wp_can_reuse_anon_folio(): only our mapping holds a reference, once a
 * swap-cache copy nobody else needs has been dropped. */
static bool wp_can_reuse_anon_folio(struct vm_area_struct *vma, struct vmsim_page *p)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_page *folio = vmsim_compound_head(p);

	if (vmsim_page_test(folio, PG_head))
		return wp_can_reuse_large_anon_folio(vm, folio);
	if (p->refcount > 3)
		return false;
	if (p->refcount > 1 + vmsim_page_test(p, PG_swapcache))
		return false;
	if (!vmsim__folio_trylock(vm, p))
		return false;
	if (vmsim_page_test(p, PG_swapcache))
		vmsim__folio_free_swap(vm, p);
	if (p->refcount != 1) {
		vmsim__folio_unlock(vm, p);
		return false;
	}
	vmsim__folio_move_anon_rmap(vma, p);
	vmsim__folio_unlock(vm, p);
	return true;
}

unsigned vmsim__do_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	struct vmsim_page *p;

	vma->vm_mm->st.faults_wp++;
	if (!unshare) {
		/* A software bit may want the write first (uffd-wp). */
		unsigned ret = vmsim__kind_wp_fault(vmf);

		if (ret)
			return ret;
	}
	p = vmsim__vm_normal_page(vma, vmf->address, vmf->orig_pte);
	if (vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) {
		pte_t entry;

		/* wp_page_shared(): page_mkwrite, then reuse, dirtying the page. */
		if (p)
			vmsim__folio_mark_dirty(p);
		entry = maybe_mkwrite(pte_mkdirty(pte_mkyoung(vmf->orig_pte)), vma);
		vmsim__set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
		return 0;
	}
	if (p && folio_test_anon(p) &&
	    (vmsim_page_test(p, PG_anon_exclusive) || wp_can_reuse_anon_folio(vma, p))) {
		vmsim_page_set(p, PG_anon_exclusive);
		if (unshare)
			return 0;
		/* wp_page_reuse() */
		vmsim__set_pte_at(vma->vm_mm, vmf->address, vmf->pte,
				  maybe_mkwrite(pte_mkdirty(pte_mkyoung(vmf->orig_pte)), vma));
		return 0;
	}
	return wp_page_copy(vmf, p);
}

/* ---- the fault entry point ---- */

unsigned vmsim__do_pte_missing(struct vm_fault *vmf)
{
	if (is_vm_hugetlb_page(vmf->vma))
		return vmsim__hugetlb_no_page(vmf);
	if (vma_is_anonymous(vmf->vma))
		return do_anonymous_page(vmf);
	return do_fault(vmf);
}

static unsigned handle_pte_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	pte_t entry;

	vmf->orig_pte = ptep_get(vmf->pte);
	if (pte_none(vmf->orig_pte))
		return vmsim__do_pte_missing(vmf);
	vmf->flags |= FAULT_FLAG_ORIG_PTE_VALID;
	if (!pte_present(vmf->orig_pte))
		return vmsim__kind_fault(vmf);	/* do_swap_page(): its kind answers */
	if (vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) {
		if (!pte_write(vmf->orig_pte))
			return vmsim__do_wp_page(vmf);
		if (vmf->flags & FAULT_FLAG_UNSHARE)
			return 0;
	}
	/* Spurious or access-bit fault: mark young (and dirty on write). */
	entry = pte_mkyoung(vmf->orig_pte);
	if (vmf->flags & FAULT_FLAG_WRITE)
		entry = pte_mkdirty(entry);
	if (!pte_same(entry, vmf->orig_pte))
		vmsim__set_pte_at(vma->vm_mm, vmf->address, vmf->pte, entry);
	return 0;
}

/* create_huge_pmd(): a THP for anonymous memory, ->huge_fault for DAX. */
static unsigned create_huge_pmd(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;

	if (vma_is_anonymous(vma))
		return vmsim__do_huge_pmd_anonymous_page(vmf);
	if (vmsim__vma_is_dax(vma))
		return vmsim__dax_fault(vmf, HPAGE_PMD_ORDER);
	return VM_FAULT_FALLBACK;
}

/* wp_huge_pmd(): a write to a read-only PMD leaf. */
static unsigned wp_huge_pmd(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	unsigned ret;

	if (vma_is_anonymous(vma)) {
		if (!(vmf->flags & FAULT_FLAG_UNSHARE)) {
			/* A software bit may want the write first (uffd-wp). */
			ret = vmsim__kind_pmd_wp_fault(vmf);
			if (ret == VM_FAULT_FALLBACK)
				goto split;
			if (ret)
				return ret;
		}
		return vmsim__do_huge_pmd_wp_page(vmf);
	}
	if ((vma->vm_flags & (VM_SHARED | VM_MAYSHARE)) && vmsim__vma_is_dax(vma)) {
		ret = vmsim__dax_fault(vmf, HPAGE_PMD_ORDER);
		if (!(ret & VM_FAULT_FALLBACK))
			return ret;
	}
split:
	/* COW or write-notify is handled at the pte level. */
	vmsim__split_huge_pmd(vma, vmf->pmd, vmf->address);
	return VM_FAULT_FALLBACK;
}

/* __handle_mm_fault(): the PMD level first, then the pte. */
static unsigned __handle_mm_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_mm *mm = vma->vm_mm;
	unsigned ret;
	pmd_t pmd;

	/* Without THPs and DAX no PMD leaf can be in the way (a collapse
	 * needs THPs allowed): one walk down to the pte, as before THPs. */
	if (mm->vm->cfg.thp == VMSIM_THP_NEVER && !vmsim__vma_is_dax(vma)) {
		vmf->pte = vmsim__pte_alloc(mm, vmf->address);
		if (vmf->pte)
			goto pte_level;
	}
	/* A DAX vma may share another process's PMD table (FS-DAX sharing). */
	if (vmsim__vma_is_dax(vma) && mm->vm->cfg.dax_pmd_share && dax_hooks(mm->vm))
		vmf->pmd = dax_hooks(mm->vm)->pmd_alloc(vmf);
	else
		vmf->pmd = vmsim__pmd_alloc(mm, vmf->address);
	if (!vmf->pmd)
		return VM_FAULT_OOM;
	pmd = pmdp_get(vmf->pmd);
	if (pmd_none(pmd)) {
		if ((mm->vm->cfg.thp != VMSIM_THP_NEVER || vmsim__vma_is_dax(vma)) &&
		    vmsim__thp_vma_allowable(vma, vma->vm_flags, VMSIM_TVA_IN_PF | VMSIM_TVA_ENFORCE_SYSFS)) {
			ret = create_huge_pmd(vmf);
			if (!(ret & VM_FAULT_FALLBACK))
				return ret;
		}
	} else if (pmd_trans_huge(pmd)) {
		vmf->orig_pmd = pmd;
		if ((vmf->flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) && !pmd_write(pmd)) {
			ret = wp_huge_pmd(vmf);
			if (!(ret & VM_FAULT_FALLBACK))
				return ret;
		} else if (!(vmf->flags & FAULT_FLAG_UNSHARE)) {
			vmsim__huge_pmd_set_accessed(vmf);
			return 0;
		} else {
			return 0;
		}
	}
	/* A shared PMD table holds PMD leaves only (FS-DAX sharing): a DAX
	 * fault that falls back to PTEs takes this mm off it first, and the
	 * PTEs go into a table of its own. */
	if (vmsim__vma_is_dax(vma) && mm->vm->cfg.dax_pmd_share) {
		if (vmsim_slot_table(mm->vm, vmf->pmd)->pt_share_count > 0)
			vmsim__dax_unshare_range(vma, vmf->address & PUD_MASK, (vmf->address & PUD_MASK) + PUD_SIZE);
		vmf->pmd = vmsim__pmd_alloc(mm, vmf->address);
		if (!vmf->pmd)
			return VM_FAULT_OOM;
	}
	vmf->pte = vmsim__pte_alloc_at(mm, vmf->pmd, vmf->address);
	if (!vmf->pte) {
		/* Raced with a huge fault: the access is simply retried. */
		return pmd_trans_huge(pmdp_get(vmf->pmd)) ? 0 : VM_FAULT_OOM;
	}
	/* A DAX file has no page cache: its ->fault (a none pte) and
	 * ->page_mkwrite (a shared write to a read-only pte) map the
	 * persistent memory themselves, taking the pte lock on their own. */
	if (vmsim__vma_is_dax(vma)) {
		pte_t pte = ptep_get(vmf->pte);

		if (pte_none(pte) || ((vmf->flags & FAULT_FLAG_WRITE) && pte_present(pte) && !pte_write(pte) &&
				      (vma->vm_flags & VM_SHARED)))
			return vmsim__dax_fault(vmf, 0);
	}
pte_level:
	/* pte_offset_map_lock(): the entry changes under its table's lock. */
	vmf->ptl = vmsim__pte_lockptr(mm->vm, vmf->pte);
	vmsim_lock(mm->vm, vmf->ptl);
	ret = handle_pte_fault(vmf);
	if (vmf->ptl)
		vmsim_unlock(mm->vm, vmf->ptl);
	return ret;
}

/* A fault that returns VM_FAULT_RETRY or VM_FAULT_COMPLETED under the
 * per-VMA lock has dropped it: the vma may be gone. */
static inline bool fault_lock_dropped(unsigned flags, unsigned ret)
{
	return (flags & FAULT_FLAG_VMA_LOCK) && (ret & (VM_FAULT_RETRY | VM_FAULT_COMPLETED));
}

unsigned vmsim__handle_mm_fault(struct vm_area_struct *vma, uint64_t addr, unsigned flags, int cpu)
{
	struct vm_fault vmf = {
		.vma = vma,
		.flags = flags,
		.address = addr & PAGE_MASK,
		.real_address = addr,
		.pgoff = linear_page_index(vma, addr & PAGE_MASK),
		.cpu = cpu,
	};
	struct vmsim_mm *mm = vma->vm_mm;
	unsigned ret;

	mm->st.faults++;
	vmsim__luf_fault(vma, flags, true);
	if (is_vm_hugetlb_page(vma)) {
		ret = vmsim__hugetlb_fault(&vmf);
		if (!fault_lock_dropped(flags, ret))
			vmsim__luf_fault(vma, flags, false);
		return ret;
	}
again:
	vmf.ptl = NULL;
	vmf.pte = NULL;
	ret = __handle_mm_fault(&vmf);
	/* do_user_addr_fault(): a fault that dropped mmap_lock for I/O is
	 * retried at once, once, with FAULT_FLAG_TRIED (simplified: under
	 * the per-VMA lock too, which it keeps, where Linux drops it and
	 * retries under mmap_lock). */
	if ((ret & VM_FAULT_RETRY) && vmf.io_retry && !(vmf.flags & FAULT_FLAG_TRIED)) {
		vmsim__trace(mm->vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_FAULT_RETRY,
				  .cpu = cpu, .addr = vmf.address,
				  .why = "mmap_lock dropped for read I/O, FAULT_FLAG_TRIED" });
		vmf.flags = (vmf.flags & ~FAULT_FLAG_ORIG_PTE_VALID) | FAULT_FLAG_TRIED;
		vmf.io_retry = false;
		goto again;
	}
	vmsim__trace(mm->vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_FAULT, .cpu = cpu,
			  .addr = vmf.address, .level = vmf.pte ? VMSIM_LVL_PTE : VMSIM_LVL_PMD,
			  .new_val = vmf.pte ? pte_val(ptep_get(vmf.pte)) : vmf.pmd ? pmd_val(pmdp_get(vmf.pmd)) : 0,
			  .pfn = ret, .why = (flags & FAULT_FLAG_WRITE) ? "write" : "read" });
	if (!fault_lock_dropped(flags, ret))
		vmsim__luf_fault(vma, flags, false);
	return ret;
}

/* ---- zap ---- */

static bool should_zap_folio(const struct zap_details *d, const struct vmsim_page *p)
{
	if (d && d->single_folio && d->single_folio != p)
		return false;
	return should_zap_cows(d) || !folio_test_anon(p);
}

/* zap_install_uffd_wp_if_needed(): what a cleared entry carried may have
 * to outlive it (a file vma's uffd-wp protection becomes a marker).  Zap
 * on anonymous memory always means dropping everything; munmap and exit
 * drop markers. */
void vmsim__zap_leave(struct vm_area_struct *vma, uint64_t addr, pte_t *ptep, const struct zap_details *d,
		      pte_t pteval)
{
	pte_t leave;

	if (vma_is_anonymous(vma) || zap_drop_markers(d))
		return;
	leave = vmsim__kind_zap_leave(vma, pteval, d);
	if (!pte_none(leave) && pte_none(ptep_get(ptep))) {
		vmsim__set_pte_at(vma->vm_mm, addr, ptep, leave);
		vmsim__kind_note_vma(vma, leave);
	}
}

static void zap_one(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t addr, pte_t *ptep,
		    struct zap_details *d)
{
	struct vmsim_mm *mm = vma->vm_mm;
	pte_t pte = ptep_get(ptep);

	if (pte_none(pte))
		return;
	if (pte_present(pte)) {
		struct vmsim_page *p = vmsim__vm_normal_page(vma, addr, pte);

		if (p && !should_zap_folio(d, p))
			return;
		if (!p && d && d->single_folio)
			return;
		vmsim__ptep_get_and_clear(mm, addr, ptep);
		tlb_flush_pte_range(tlb, addr, PAGE_SIZE);
		vmsim__zap_leave(vma, addr, ptep, d, pte);
		if (!p)
			return;
		if (!folio_test_anon(p) && pte_dirty(pte))
			vmsim__folio_mark_dirty(p);
		vmsim__folio_remove_rmap(vma, p);
		tlb_remove_page(tlb, p);	/* freed only after the flush */
		return;
	}
	/* zap_nonpresent_ptes(): its kind decides, and keeps its books. */
	if (vmsim__kind_zap(vma, addr, pte, d)) {
		vmsim__ptep_get_and_clear(mm, addr, ptep);
		vmsim__zap_leave(vma, addr, ptep, d, pte);
	}
}

/* unmap_page_range() over [start, end) of one vma. */
void vmsim__zap_page_range(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start,
			   uint64_t end, struct zap_details *d)
{
	struct vmsim_mm *mm = vma->vm_mm;
	uint64_t addr = start;

	if (is_vm_hugetlb_page(vma)) {
		vmsim__unmap_hugepage_range(tlb, vma, start, end, d);
		return;
	}
	while (addr < end) {
		struct vmsim_walk w;
		uint64_t next;

		vmsim_walk(mm->vm, mm->pgd, addr, 0, &w);
		/* A PMD table other mms share (FS-DAX) is let go, not emptied:
		 * the whole PUD range leaves this mm (huge_pmd_unshare). */
		if (w.pmd && w.table[VMSIM_LVL_PMD]->pt_share_count > 0 && dax_hooks(mm->vm) &&
		    dax_hooks(mm->vm)->pmd_unshare(tlb, vma, addr, w.pmd)) {
			next = (addr | (PUD_SIZE - 1)) + 1;
			addr = next > end || next < addr ? end : next;
			continue;
		}
		if (w.level == VMSIM_LVL_PMD && pmd_trans_huge(pmdp_get(w.pmd))) {
			/* zap_pmd_range(): a leaf the range covers goes whole;
			 * one it covers in part is split first. */
			next = (addr | (PMD_SIZE - 1)) + 1;
			if (next > end || next < addr)
				next = end;
			if (next - addr != PMD_SIZE) {
				vmsim__split_huge_pmd(vma, w.pmd, addr);
				continue;
			}
			if (d && d->single_folio && vmsim__pmd_page(mm->vm, pmdp_get(w.pmd)) != d->single_folio) {
				addr = next;
				continue;
			}
			vmsim__zap_huge_pmd(tlb, vma, w.pmd, addr);
			addr = next;
			continue;
		}
		if (w.level == VMSIM_LVL_PTE) {
			struct vmsim_lock *ptl = vmsim__pte_lockptr(mm->vm, w.pte);

			next = (addr | (PMD_SIZE - 1)) + 1;
			if (next > end || next < addr)
				next = end;
			vmsim_lock(mm->vm, ptl);
			vmsim__flush_tlb_batched_pending(mm);
			for (pte_t *ptep = w.pte; addr < next; addr += PAGE_SIZE, ptep++)
				zap_one(tlb, vma, addr, ptep, d);
			vmsim_unlock(mm->vm, ptl);
			continue;
		}
		if (w.level == VMSIM_LVL_NONE)
			break;
		/* A missing table: skip the region its entry would map. */
		next = (addr | ((1ULL << (PAGE_SHIFT + 9 * (w.level - 1))) - 1)) + 1;
		addr = next > end || next < addr ? end : next;
	}
	/* tlb_end_vma(): LUF leaves no stale entry of this vma behind (v12). */
	vmsim__luf_flush_vma(vma, VMSIM_LUF_PT_TLB_END_VMA);
}

/* pte_free_tlb() and friends: the table is unlinked now and freed with
 * the gather's pages after the flush, whose range it joins by one page
 * (tlb_flush_pmd_range(tlb, address, PAGE_SIZE)). */
static void tlb_remove_table(void *arg, struct vmsim_page *table, uint64_t addr)
{
	struct mmu_gather *tlb = arg;
	struct vmsim *vm = tlb->mm->vm;

	if (tlb->nr_tables == tlb->cap_tables) {
		unsigned long cap = tlb->cap_tables ? 2 * tlb->cap_tables : 16;
		struct vmsim_page **t = vmsim__realloc(vm, tlb->tables, cap * sizeof(*t));

		if (!t) {
			/* No memory to defer it (tlb_remove_table_one()):
			 * flush and free this one at once. */
			vmsim__flush_tlb_mmu(tlb->mm, 0, ~0ULL, true);
			vmsim__table_free(vm, table);
			return;
		}
		tlb->tables = t;
		tlb->cap_tables = cap;
	}
	tlb->tables[tlb->nr_tables++] = table;
	tlb->freed_tables = true;
	/* pte_free_tlb() is tlb_flush_pmd_range(), pmd_free_tlb()
	 * tlb_flush_pud_range(), and so on up: the stride of the flush is
	 * the smallest of what was cleared. */
	if (table->pt_level == VMSIM_LVL_PTE)
		tlb_flush_pmd_range(tlb, addr, PAGE_SIZE);
	else
		tlb_flush_pud_range(tlb, addr, PAGE_SIZE);
}

/* free_pgtables(): page-table pages of the unmapped range that are now
 * empty are unlinked and queued on the gather; tlb_finish_mmu()'s one
 * flush covers the pages and the tables, then frees both. */
void vmsim__free_pgtables(struct mmu_gather *tlb, uint64_t start, uint64_t end)
{
	struct vmsim_mm *mm = tlb->mm;
	uint64_t floor = 0, ceiling_last = ~0ULL;
	struct vm_area_struct *v;

	/* free_pgtables(): floor is where the mapping before the range ends,
	 * ceiling where the one after it starts; a table reaching past either
	 * stays, for that mapping (whose faults do not wait for mmap_lock). */
	DL_FOREACH(mm->mmap, v) {
		if (v->vm_end <= start)
			floor = v->vm_end;
		else if (v->vm_start >= end) {
			ceiling_last = v->vm_start - 1;
			break;
		}
	}
	vmsim__unlink_empty_tables(mm->vm, mm->pgd, start, end, floor, ceiling_last, tlb_remove_table, tlb);
}

/* ---- fork: copy_page_range ---- */

/* vma_needs_copy(): can a fault refill the child instead?  Not if the child
 * would lose pfn maps, anonymous pages, or what an entry kind keeps in the
 * tables (uffd-wp protection, 6.12-6.18 rule). */
static bool vma_needs_copy(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	if (vmsim__kind_needs_copy(dst, src))
		return true;
	if (src->vm_flags & (VM_PFNMAP | VM_MIXEDMAP))
		return true;
	if (src->anon_vma)
		return true;
	vmsim__kind_note_no_copy(src);
	return false;
}

/* copy_present_page(): a possibly pinned exclusive page is copied for the
 * child now, so COW can never move the parent away from the pin.  The
 * page comes from *prealloc, or without sleeping; -EAGAIN asks the caller
 * to drop the pte locks and preallocate one (folio_prealloc). */
static int copy_present_page(struct vm_area_struct *dst, struct vm_area_struct *src, pte_t *dst_ptep,
			     uint64_t addr, pte_t pte, struct vmsim_page *srcp, struct vmsim_page **prealloc)
{
	struct vmsim *vm = dst->vm_mm->vm;
	struct vmsim_page *p = *prealloc;
	pte_t entry;

	if (vmsim__anon_vma_prepare(dst))
		return -ENOMEM;
	if (!p && !(p = vmsim_alloc_pages(vm, 0)))
		return -EAGAIN;
	*prealloc = NULL;
	vmsim_frame_copy(vm, p, srcp);
	vmsim_page_set(p, PG_uptodate);
	vmsim__folio_add_new_anon_rmap(dst, p, addr);
	vmsim__folio_add_lru_vma(dst, p);
	entry = maybe_mkwrite(pte_mkdirty(mk_pte(vm, p, dst->vm_page_prot)), dst);
	entry = vmsim__kind_bits_copy(dst, src, pte, entry);
	vmsim__set_pte_at(dst->vm_mm, addr, dst_ptep, entry);
	return 0;
}

static int copy_one(struct vm_area_struct *dst, struct vm_area_struct *src, uint64_t addr, pte_t *src_ptep,
		    bool *wrprotected, struct vmsim_page **prealloc)
{
	struct vmsim_mm *dst_mm = dst->vm_mm;
	pte_t pte = ptep_get(src_ptep);
	struct vmsim_page *p;
	pte_t *dst_ptep;

	if (pte_none(pte))
		return 0;
	dst_ptep = vmsim__pte_alloc(dst_mm, addr);
	if (!dst_ptep)
		return -ENOMEM;
	if (!pte_present(pte)) {
		/* copy_nonpresent_pte(): the entry's kind says what the
		 * child gets (and may fail the fork). */
		pte_t child;
		int err = vmsim__kind_copy(dst, src, addr, src_ptep, &child);

		if (err < 0)
			return err;
		if (err != VMSIM_KIND_COPY_PRESENT) {
			if (!pte_none(child))
				vmsim__set_pte_at(dst_mm, addr, dst_ptep, child);
			return 0;
		}
		/* The kind made the parent's entry present again (a
		 * device-exclusive entry restored): copy that pte. */
		pte = ptep_get(src_ptep);
		if (VMSIM_BUG_ON(src->vm_mm->vm, !pte_present(pte), "copy hook at %#llx said present, left %#llx",
				 (unsigned long long)addr, (unsigned long long)pte_val(pte)))
			return -EIO;
	}
	p = vmsim__vm_normal_page(src, addr, pte);
	if (p) {
		if (folio_test_anon(p)) {
			if (vmsim_page_test(p, PG_anon_exclusive) && (src->vm_mm->flags & MMF_HAS_PINNED) &&
			    vmsim__folio_maybe_dma_pinned(dst->vm_mm->vm, vmsim_compound_head(p)))
				return copy_present_page(dst, src, dst_ptep, addr, pte, p, prealloc);
			vmsim_page_clear(p, PG_anon_exclusive);
			vmsim__folio_dup_rmap(dst, p);
			dst_mm->rss[MM_ANONPAGES]++;
		} else {
			vmsim__folio_add_file_rmap(dst, p);
		}
		vmsim_get_page(dst_mm->vm, p);
	}
	/* __copy_present_ptes() */
	if (is_cow_mapping(src->vm_flags) && pte_write(pte)) {
		vmsim__set_pte_at(src->vm_mm, addr, src_ptep, pte_wrprotect(pte));
		pte = pte_wrprotect(pte);
		*wrprotected = true;
	}
	if (src->vm_flags & VM_SHARED)
		pte = pte_mkclean(pte);
	pte = pte_mkold(pte);
	pte = vmsim__kind_bits_copy(dst, src, pte, pte);
	vmsim__set_pte_at(dst_mm, addr, dst_ptep, pte);
	return 0;
}

int vmsim__copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct vmsim_mm *mm = src->vm_mm;
	struct vmsim_page *prealloc = NULL;
	struct mmu_notifier_range range;
	bool wrprotected = false, is_cow;
	uint64_t addr = src->vm_start;
	int err = 0;

	if (!vma_needs_copy(dst, src))
		return 0;
	if (is_vm_hugetlb_page(src))
		return vmsim__copy_hugetlb_page_range(dst, src);
	/* A COW mapping's parent ptes lose write permission: secondary MMUs
	 * hear of it (MMU_NOTIFY_PROTECTION_PAGE over the vma). */
	is_cow = is_cow_mapping(src->vm_flags);
	mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_PAGE, 0, mm, src->vm_start, src->vm_end);
	if (is_cow)
		mmu_notifier_invalidate_range_start(&range);
	while (addr < src->vm_end && !err) {
		struct vmsim_walk w;
		uint64_t next;
		pte_t *src_pte;

		vmsim__walk_span(mm, addr, &w, &next);
		src_pte = w.level == VMSIM_LVL_PTE ? w.pte : NULL;
		if (next > src->vm_end)
			next = src->vm_end;
		if (!src_pte) {
			if (w.level == VMSIM_LVL_PMD && pmd_trans_huge(pmdp_get(w.pmd))) {
				/* copy_pmd_range(): a leaf is copied whole, unless it
				 * had to be split (-EAGAIN: copy its ptes below). */
				pmd_t *dst_pmd = vmsim__pmd_alloc(dst->vm_mm, addr);

				if (!dst_pmd) {
					err = -ENOMEM;
					break;
				}
				err = vmsim__copy_huge_pmd(dst, src, dst_pmd, w.pmd, addr & PMD_MASK);
				if (err == -EAGAIN) {
					err = 0;
					continue;
				}
			}
			addr = next;
			continue;
		}
		{
			/* copy_pte_range(): the child's table first, then both
			 * locks, the child's outside. */
			pte_t *dst_pte = vmsim__pte_alloc(dst->vm_mm, addr);
			struct vmsim_lock *dst_ptl, *src_ptl;
			pte_t *ptep;

			if (!dst_pte) {
				err = -ENOMEM;
				break;
			}
			/* The walk again: the allocation may have reclaimed. */
			vmsim_walk(mm->vm, mm->pgd, addr, 0, &w);
			src_ptl = vmsim__pte_lockptr(mm->vm, w.pte);
			dst_ptl = vmsim__pte_lockptr(mm->vm, dst_pte);
			vmsim_lock(mm->vm, dst_ptl);
			vmsim_lock(mm->vm, src_ptl);
			for (ptep = w.pte; addr < next && !err; addr += PAGE_SIZE, ptep++) {
				err = copy_one(dst, src, addr, ptep, &wrprotected, &prealloc);
				if (err == -EAGAIN)
					break;
			}
			vmsim_unlock(mm->vm, src_ptl);
			vmsim_unlock(mm->vm, dst_ptl);
			if (err == -EAGAIN) {
				/* folio_prealloc() with no lock held; then the
				 * same pte again. */
				prealloc = vmsim__alloc_pages_may_reclaim(mm->vm, 0);
				err = prealloc ? 0 : -ENOMEM;
			}
		}
	}
	if (prealloc)
		vmsim_put_page(mm->vm, prealloc);
	(void)wrprotected;	/* dup_mmap flushes the parent's whole TLB at the end */
	if (is_cow)
		mmu_notifier_invalidate_range_end(&range);
	/* copy_pmd_range(): whatever copy_pte_range() failed with (a kind's
	 * -EBUSY included), fork sees -ENOMEM. */
	return err ? -ENOMEM : 0;
}

/* ---- populate (MAP_POPULATE, MADV_POPULATE_*) ---- */

/* follow_page_mask()'s look at addr: the present leaf that maps it, a pte
 * or a PMD leaf (THP, DAX, hugetlb; its value in *leaf, *huge set), with
 * the frame of addr itself in *pfn.  False when nothing present maps it. */
bool vmsim__follow_leaf(struct vmsim_mm *mm, uint64_t addr, pte_t *leaf, bool *huge, unsigned long *pfn)
{
	pmd_t *pmdp = vmsim__pmd_lookup(mm, addr), pmd;
	pte_t *ptep;

	*huge = false;
	if (!pmdp)
		return false;
	pmd = pmdp_get(pmdp);
	if (pmd_leaf(pmd)) {
		if (!pmd_present(pmd) || !(pmd_val(pmd) & (_PAGE_PRESENT | _PAGE_PROTNONE)))
			return false;
		*leaf = __pte(pmd_val(pmd));
		*huge = true;
		*pfn = pmd_pfn(pmd) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
		return true;
	}
	ptep = vmsim__pte_offset(mm, pmdp, addr);
	if (!ptep || !pte_present(ptep_get(ptep)))
		return false;
	*leaf = ptep_get(ptep);
	*pfn = pte_pfn(*leaf);
	return true;
}

/* Fault in every page of [start, end) as GUP does; returns VM_FAULT_* of
 * the first failure, 0 if all succeeded. */
unsigned vmsim__populate(struct vmsim_mm *mm, uint64_t start, uint64_t end, bool write)
{
	mmap_assert_locked(mm);	/* __get_user_pages() */
	for (uint64_t addr = start; addr < end; addr += PAGE_SIZE) {
		unsigned flags = write ? FAULT_FLAG_WRITE : 0;
		int tries;

		/* A userfault returns VM_FAULT_RETRY: look again, as GUP does. */
		for (tries = 0; tries < 16; tries++) {
			struct vm_area_struct *vma = vmsim__find_vma(mm, addr);
			unsigned long pfn;
			unsigned ret;
			bool huge;
			pte_t leaf;

			if (!vma)
				return VM_FAULT_SIGSEGV;
			if (vmsim__follow_leaf(mm, addr, &leaf, &huge, &pfn) && (!write || pte_write(leaf)))
				break;
			/* GUP never breaks COW for a read; for a write it does. */
			ret = vmsim__handle_mm_fault(vma, addr, flags, mm->cpu);
			if (ret & VM_FAULT_ERROR)
				return ret;
		}
		if (tries == 16)
			return VM_FAULT_SIGBUS;
	}
	return 0;
}
