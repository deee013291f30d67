/* DAX files (fs/dax.c as Linux 6.18 runs it, with ext4's DAX file and
 * iomap operations reduced to what decides a mapping).  A DAX file has no
 * page cache: its blocks on the persistent memory are mapped directly, a
 * 2 MiB PMD leaf where the file's 2 MiB is one aligned extent, else PTEs.
 * What the mapping's index holds are DAX entries (struct dax_entry): a
 * hole read maps the (huge) zero page behind a zero entry, a write
 * allocates and replaces it, unmapping the zero page first.  Since 6.15 a
 * DAX block is a refcounted folio while an entry names it: 2 MiB for a PMD
 * entry, 4 KiB for a PTE entry (dax_associate_entry), back to single pages
 * when the entry goes (dax_folio_share_put).  Write faults tag the entry
 * dirty; fsync write-protects and cleans every mapping of a dirty entry
 * (dax_writeback_mapping_range).  Hole punch and truncate run as ext4 runs
 * them: every mapping of the file goes and every entry with it
 * (ext4_break_layouts), then the blocks are freed.
 *
 * Project choices: a new file gets all its blocks at once (as fallocate
 * would), 2 MiB at a time; a write into a hole allocates that hole's whole
 * 2 MiB; MAP_SYNC is not modelled. */
#include <stdlib.h>
#include <string.h>
#include <utlist.h>

#include "dax.h"
#include "../../boot.h"

static uint64_t file_pages(uint64_t size)
{
	return (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

void vmsim__dax_trace(struct vmsim *vm, int cpu, uint64_t addr, uint64_t end, unsigned long pfn, const char *why)
{
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_DAX, .cpu = cpu, .addr = addr, .end = end,
			  .pfn = pfn, .why = why });
}

/* ---- the index: DAX entries (the mapping's xarray) ---- */

static struct dax_entry *xa_find(struct dax_inode *di, uint64_t key)
{
	struct dax_entry *e;

	HASH_FIND(hh, di->entries, &key, sizeof(key), e);
	return e;
}

/* The entry covering index: its own, or a PMD entry from its 2 MiB start. */
static struct dax_entry *xa_load(struct dax_inode *di, uint64_t index)
{
	struct dax_entry *e = xa_find(di, index);

	if (!e && (index & PG_PMD_COLOUR)) {
		e = xa_find(di, index & ~(uint64_t)PG_PMD_COLOUR);
		if (e && !e->pmd)
			e = NULL;
	}
	return e;
}

static struct dax_entry *xa_store_empty(struct vmsim_file *f, uint64_t index, bool pmd)
{
	struct dax_inode *di = dax_inode(f);
	struct dax_entry *e = vmsim__calloc(f->vm, 1, sizeof(*e));

	if (!e)
		return NULL;
	e->index = pmd ? index & ~(uint64_t)PG_PMD_COLOUR : index;
	e->pmd = pmd;
	e->empty = true;
	HASH_ADD(hh, di->entries, index, sizeof(e->index), e);
	if (!pmd)
		di->chunk_ptes[index / HPAGE_PMD_NR]++;
	di->nrpages += pmd ? HPAGE_PMD_NR : 1;
	return e;
}

/* The file's entries, looked up and changed under its entry lock. */
static void entries_lock(struct vmsim_file *f)
{
	vmsim_lock(f->vm, &dax_inode(f)->entry_lock);
}

static void entries_unlock(struct vmsim_file *f)
{
	vmsim_unlock(f->vm, &dax_inode(f)->entry_lock);
}

/* DAX_LOCKED on an entry, the file's entry lock held. */
static void entry_lock(struct vmsim_file *f, struct dax_entry *e)
{
	vmsim_lock_assert_held_write(f->vm, &dax_inode(f)->entry_lock);
	VMSIM_BUG_ON(f->vm, e->locked, "dax: entry at index %#llx already locked", (unsigned long long)e->index);
	e->locked = true;
}

static void entry_unlock(struct vmsim_file *f, struct dax_entry *e)
{
	e->locked = false;
	entries_unlock(f);
}

/* dax_associate_entry() + dax_device_folio_init(): the entry's blocks
 * become one folio of its order, naming the file and the index. */
static void associate(struct vmsim_file *f, struct dax_entry *e)
{
	struct vmsim *vm = f->vm;
	struct vmsim_page *head = vmsim_pfn_to_page(vm, e->pfn);
	unsigned long nr = e->pmd ? HPAGE_PMD_NR : 1;

	if (VMSIM_BUG_ON(vm, !head || head->mapping || vmsim_page_test(head, PG_head) ||
				     vmsim_page_test(head, PG_tail),
			 "dax: associating pfn %#lx, already some entry's", e->pfn))
		return;
	if (e->pmd) {
		vmsim_page_set(head, PG_head);
		head->order = HPAGE_PMD_ORDER;
		for (unsigned long i = 1; i < nr; i++) {
			vmsim_page_set(&head[i], PG_tail);
			head[i].compound_idx = (uint16_t)i;
		}
		*vmsim__folio_meta(vm, head) = (struct vmsim_folio_meta){ 0 };
	}
	for (unsigned long i = 0; i < nr; i++) {
		head[i].mapping = f;
		head[i].index = e->index + i;
	}
}

/* dax_disassociate_entry() + dax_folio_share_put(): the folio, idle (no
 * mapping, no reference), goes back to single pages naming nothing. */
static void disassociate(struct vmsim *vm, struct dax_entry *e)
{
	struct vmsim_page *head;
	unsigned long nr = e->pmd ? HPAGE_PMD_NR : 1;

	if (e->zero || e->empty)
		return;
	head = vmsim_pfn_to_page(vm, e->pfn);
	if (VMSIM_BUG_ON(vm, head->refcount || vmsim__folio_mapcount(vm, head),
			 "dax: entry at index %#llx goes while its folio pfn %#lx is mapped or pinned "
			 "(refcount %d)", (unsigned long long)e->index, e->pfn, head->refcount))
		return;
	for (unsigned long i = 0; i < nr; i++) {
		head[i].mapping = NULL;
		head[i].index = 0;
		if (i) {
			vmsim_page_clear(&head[i], PG_tail);
			head[i].compound_idx = 0;
		}
	}
	vmsim_page_clear(head, PG_head);
	head->order = 0;
}

static void xa_erase(struct vmsim_file *f, struct dax_entry *e)
{
	struct dax_inode *di = dax_inode(f);

	disassociate(f->vm, e);
	HASH_DEL(di->entries, e);
	if (!e->pmd)
		di->chunk_ptes[e->index / HPAGE_PMD_NR]--;
	di->nrpages -= e->pmd ? HPAGE_PMD_NR : 1;
	vmsim__free(f->vm, e);
}

/* grab_mapping_entry(): the locked entry for index, an empty one made if
 * there is none.  PTE entries win: a PMD request that finds one in its
 * 2 MiB falls back, a PTE request that finds a PMD zero or empty entry
 * downgrades it (unmapping the huge zero page).  NULL with *ret set. */
static struct dax_entry *grab_entry(struct vm_fault *vmf, uint64_t index, unsigned order, unsigned *ret)
{
	struct vmsim_file *f = vmf->vma->vm_file;
	struct dax_inode *di = dax_inode(f);
	struct vmsim *vm = f->vm;
	struct dax_entry *e;

	entries_lock(f);
	if (order) {
		index &= ~(uint64_t)PG_PMD_COLOUR;
		e = xa_find(di, index);
		if ((e && !e->pmd) || di->chunk_ptes[index / HPAGE_PMD_NR]) {
			entries_unlock(f);
			*ret = VM_FAULT_FALLBACK;	/* dax_is_conflict() */
			return NULL;
		}
	} else {
		e = xa_load(di, index);
		if (e && e->pmd && (e->zero || e->empty)) {
			uint64_t base = e->index;

			entry_lock(f, e);
			if (e->zero)
				vmsim__dax_unmap_mapping_range(f, base, base + HPAGE_PMD_NR, false);
			vmsim__dax_trace(vm, vmf->cpu, base << PAGE_SHIFT, (base + HPAGE_PMD_NR) << PAGE_SHIFT, 0,
					 "index: PMD zero/empty entry downgraded for a PTE entry");
			xa_erase(f, e);
			e = NULL;
		}
	}
	if (!e)
		e = xa_store_empty(f, index, order != 0);
	if (!e) {
		entries_unlock(f);
		*ret = VM_FAULT_OOM;
		return NULL;
	}
	entry_lock(f, e);
	return e;
}

/* dax_insert_entry(): a zero or empty entry becomes what the fault maps
 * (a real entry replacing a zero one first unmaps the zero page from every
 * process); a real entry stays as it is (a PTE mapped from a PMD entry).
 * A write tags it dirty. */
static void insert_entry(struct vm_fault *vmf, struct dax_entry *e, unsigned long pfn, bool zero, bool dirty)
{
	struct vmsim_file *f = vmf->vma->vm_file;

	if (e->zero && !zero)
		vmsim__dax_unmap_mapping_range(f, e->index, e->index + (e->pmd ? HPAGE_PMD_NR : 1), false);
	if (e->zero || e->empty) {
		disassociate(f->vm, e);
		e->zero = zero;
		e->empty = false;
		e->pfn = zero ? 0 : pfn;
		if (!zero)
			associate(f, e);
	}
	if (dirty)
		e->dirty = true;
}

/* ---- faults ---- */

/* dax_fault_cow_page() + finish_fault(): a private write gets an anonymous
 * copy of the block, or zeros for a hole (do_cow_fault's cow_page). */
static unsigned cow_page(struct vm_fault *vmf, unsigned long blk)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_page *p;
	struct vmsim_lock *ptl;
	pte_t entry;

	mm->st.faults_cow++;
	p = vmsim_alloc_pages(vm, 0);
	if (!p)
		return VM_FAULT_OOM;
	if (blk)
		vmsim_frame_copy(vm, p, vmsim_pfn_to_page(vm, blk));
	vmsim_page_set(p, PG_uptodate);
	entry = pfn_pte(vmsim_page_to_pfn(vm, p), vma->vm_page_prot);
	entry = pte_mkdirty(entry);
	if (vma->vm_flags & VM_WRITE)
		entry = pte_mkwrite(entry);
	ptl = vmsim__pte_lockptr(vm, vmf->pte);
	vmsim_lock(vm, ptl);
	if (!pte_none(ptep_get(vmf->pte))) {
		/* A read mapped the block meanwhile: do_wp_page copies it. */
		vmsim_unlock(vm, ptl);
		vmsim_put_page(vm, p);
		return 0;
	}
	entry = vmsim__kind_inherit(vmf, entry);
	vmsim__folio_add_new_anon_rmap(vma, p, vmf->address);
	vmsim__set_pte_at(mm, vmf->address, vmf->pte, entry);
	vmsim_unlock(vm, ptl);
	return 0;
}

/* dax_iomap_pte_fault() */
static unsigned dax_pte_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_file *f = vma->vm_file;
	struct dax_inode *di = dax_inode(f);
	struct vmsim *vm = f->vm;
	uint64_t index = vmf->pgoff;
	bool write = vmf->flags & FAULT_FLAG_WRITE;
	bool cow = write && !(vma->vm_flags & VM_SHARED);
	bool iwrite = write && !cow;	/* IOMAP_WRITE: allocate, dirty */
	unsigned ret = 0, major = 0;
	struct dax_entry *e;
	unsigned long blk;

	if (index >= file_pages(f->i_size))
		return VM_FAULT_SIGBUS;
	vma->vm_mm->st.faults_file++;
	e = grab_entry(vmf, index, 0, &ret);
	if (!e)
		return ret;
	blk = di->blocks[index];
	if (!blk && iwrite) {
		/* ext4_iomap_begin(IOMAP_WRITE): blocks for the hole. */
		if (vmsim__dax_alloc_chunk(f, index / HPAGE_PMD_NR, file_pages(f->i_size))) {
			ret = VM_FAULT_SIGBUS;
			goto unlock;
		}
		blk = di->blocks[index];
		major = VM_FAULT_MAJOR;	/* IOMAP_F_NEW */
	}
	if (cow) {
		ret = cow_page(vmf, blk);
	} else if (!blk) {
		/* dax_load_hole(): the zero page, read-only. */
		insert_entry(vmf, e, 0, true, false);
		ret = vmsim__vmf_insert_page_mkwrite(vmf, vmsim_zero_page(vm), false);
	} else {
		VMSIM_BUG_ON(vm, e->pmd && !e->zero && !e->empty && blk != e->pfn + (index - e->index),
			     "dax: index %#llx maps pfn %#lx, its PMD entry says %#lx",
			     (unsigned long long)index, blk, e->pfn + (unsigned long)(index - e->index));
		insert_entry(vmf, e, blk, false, iwrite);
		ret = vmsim__vmf_insert_page_mkwrite(vmf, vmsim_pfn_to_page(vm, blk), iwrite);
	}
	if (!(ret & VM_FAULT_ERROR))
		ret |= major;
unlock:
	entry_unlock(f, e);
	return ret;
}

/* dax_fault_check_fallback(): why a PMD cannot map here, or NULL. */
static const char *check_fallback(struct vm_fault *vmf, uint64_t index, uint64_t max_pgoff)
{
	struct vm_area_struct *vma = vmf->vma;
	uint64_t haddr = vmf->address & PMD_MASK;

	if ((vmf->pgoff & PG_PMD_COLOUR) != ((vmf->address >> PAGE_SHIFT) & PG_PMD_COLOUR))
		return "fallback: file offset and address differ modulo 2 MiB";
	if ((vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED))
		return "fallback: copy-on-write of a private mapping";
	if (haddr < vma->vm_start || haddr + PMD_SIZE > vma->vm_end)
		return "fallback: the 2 MiB leaves the vma";
	if ((index | PG_PMD_COLOUR) >= max_pgoff)
		return "fallback: the 2 MiB passes the end of the file";
	return NULL;
}

static uint64_t chunk_holes(const struct dax_inode *di, uint64_t chunk)
{
	uint64_t holes = 0;

	for (uint64_t k = 0; k < HPAGE_PMD_NR; k++)
		holes += !di->blocks[chunk * HPAGE_PMD_NR + k];
	return holes;
}

/* dax_iomap_pmd_fault() */
static unsigned dax_pmd_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_file *f = vma->vm_file;
	struct dax_inode *di = dax_inode(f);
	struct vmsim *vm = f->vm;
	uint64_t haddr = vmf->address & PMD_MASK;
	uint64_t index = vmf->pgoff & ~(uint64_t)PG_PMD_COLOUR, chunk = index / HPAGE_PMD_NR;
	uint64_t max_pgoff = file_pages(f->i_size), holes;
	/* ext4_dax_huge_fault(): only a shared write is a write to the file. */
	bool iwrite = (vmf->flags & FAULT_FLAG_WRITE) && (vma->vm_flags & VM_SHARED);
	unsigned ret = VM_FAULT_FALLBACK;
	const char *why;
	struct dax_entry *e;
	unsigned long pfn = 0;
	pmd_t pmd;

	if (index >= max_pgoff)
		return VM_FAULT_SIGBUS;
	why = check_fallback(vmf, index, max_pgoff);
	if (why)
		goto fallback;
	e = grab_entry(vmf, index, HPAGE_PMD_ORDER, &ret);
	if (!e) {
		why = ret == VM_FAULT_FALLBACK ? "fallback: the index has 4 KiB entries in this 2 MiB"
					       : "fallback: no memory for an entry";
		ret = VM_FAULT_FALLBACK;
		goto fallback;
	}
	pmd = pmdp_get(vmf->pmd);
	if (!pmd_none(pmd) && !pmd_trans_huge(pmd)) {
		ret = 0;	/* raced with a PTE fault: retried */
		goto unlock;
	}
	holes = chunk_holes(di, chunk);
	if (holes == HPAGE_PMD_NR && !iwrite) {
		/* dax_pmd_load_hole(): the huge zero folio (no deposited
		 * table: x86 needs none for it). */
		struct vmsim_page *zero = vmsim__huge_zero_folio(vm, true);

		if (!zero || !pmd_none(pmd)) {
			why = "fallback: hole, and no huge zero folio or the pmd is taken";
			goto unlock;
		}
		insert_entry(vmf, e, 0, true, false);
		ret = vmsim__vmf_insert_folio_pmd(vmf, zero, false);
		vma->vm_mm->st.faults_file++;
		vmsim__dax_trace(vm, vmf->cpu, haddr, haddr + PMD_SIZE, vmsim_page_to_pfn(vm, zero),
				 "pmd fault: hole, huge zero folio");
		goto unlock;
	}
	if (holes && !iwrite) {
		why = "fallback: part of the 2 MiB is a hole";
		goto unlock;
	}
	if (holes && vmsim__dax_alloc_chunk(f, chunk, max_pgoff)) {
		why = "fallback: no space for the hole's blocks";
		goto unlock;
	}
	pfn = vmsim__dax_chunk_pfn(f, chunk);
	if (!pfn) {
		why = "fallback: the file's 2 MiB is not one aligned extent";
		goto unlock;
	}
	insert_entry(vmf, e, pfn, false, iwrite);
	ret = vmsim__vmf_insert_folio_pmd(vmf, vmsim_pfn_to_page(vm, pfn), iwrite);
	if (holes)
		ret |= VM_FAULT_MAJOR;
	vma->vm_mm->st.faults_file++;
	vmsim__dax_trace(vm, vmf->cpu, haddr, haddr + PMD_SIZE, pfn,
			 iwrite ? "pmd fault: 2 MiB extent mapped writable" : "pmd fault: 2 MiB extent mapped");
unlock:
	entry_unlock(f, e);
fallback:
	if (ret == VM_FAULT_FALLBACK) {
		vmsim__dax_trace(vm, vmf->cpu, haddr, haddr + PMD_SIZE, 0, why);
		/* A shared PMD table holds PMD leaves only: this mm leaves it
		 * rather than split a leaf every sharer sees. */
		if (vmsim_slot_table(vm, vmf->pmd)->pt_share_count > 0)
			vmsim__dax_unshare_pmds(vma, haddr & PUD_MASK, (haddr & PUD_MASK) + PUD_SIZE);
		else if (pmd_trans_huge(pmdp_get(vmf->pmd)))
			vmsim__split_huge_pmd(vma, vmf->pmd, vmf->address);
	}
	return ret;
}

/* ->huge_fault / ->fault / ->page_mkwrite: dax_iomap_fault(). */
static unsigned dax_fault(struct vm_fault *vmf, unsigned order)
{
	struct vmsim_file *f = vmf->vma->vm_file;
	unsigned ret = VM_FAULT_FALLBACK;

	/* do_cow_fault(): the anon_vma before ->fault. */
	if (order == 0 && (vmf->flags & FAULT_FLAG_WRITE) && !(vmf->vma->vm_flags & VM_SHARED)) {
		ret = vmsim__vmf_anon_prepare(vmf);
		if (ret)
			return ret;
	}
	/* ext4_dax_huge_fault(): filemap_invalidate_lock_shared(). */
	vmsim_lock_read(f->vm, &dax_inode(f)->invalidate_lock);
	if (order == 0)
		ret = dax_pte_fault(vmf);
	else if (order == HPAGE_PMD_ORDER)
		ret = dax_pmd_fault(vmf);
	vmsim_unlock_read(f->vm, &dax_inode(f)->invalidate_lock);
	return ret;
}

/* ---- the inode: blocks ---- */

/* The arrays cover size, rounded up to whole 2 MiB chunks. */
static int resize(struct vmsim_file *f, uint64_t size)
{
	struct dax_inode *di = dax_inode(f);
	uint64_t need = (file_pages(size) + PG_PMD_COLOUR) & ~(uint64_t)PG_PMD_COLOUR;
	unsigned long *b;
	uint16_t *c;

	if (need <= di->nr_blocks)
		return 0;
	b = vmsim__realloc(f->vm, di->blocks, need * sizeof(*b));
	if (!b)
		return -ENOMEM;
	di->blocks = b;
	c = vmsim__realloc(f->vm, di->chunk_ptes, need / HPAGE_PMD_NR * sizeof(*c));
	if (!c)
		return -ENOMEM;
	di->chunk_ptes = c;
	memset(b + di->nr_blocks, 0, (need - di->nr_blocks) * sizeof(*b));
	memset(c + di->nr_blocks / HPAGE_PMD_NR, 0, (need - di->nr_blocks) / HPAGE_PMD_NR * sizeof(*c));
	di->nr_blocks = need;
	return 0;
}

/* Free the blocks of pages [from, to). */
static void free_blocks(struct vmsim_file *f, uint64_t from, uint64_t to)
{
	struct dax_inode *di = dax_inode(f);

	if (to > di->nr_blocks)
		to = di->nr_blocks;
	for (uint64_t i = from; i < to; i++) {
		unsigned long run = 0;

		/* A whole 2 MiB extent goes at once. */
		if (!(i % HPAGE_PMD_NR) && i + HPAGE_PMD_NR <= to)
			run = vmsim__dax_chunk_pfn(f, i / HPAGE_PMD_NR);
		if (run) {
			vmsim__dax_free_blocks(f->vm, run, HPAGE_PMD_ORDER);
			memset(&di->blocks[i], 0, HPAGE_PMD_NR * sizeof(di->blocks[0]));
			i += HPAGE_PMD_NR - 1;
		} else if (di->blocks[i]) {
			vmsim__dax_free_blocks(f->vm, di->blocks[i], 0);
			di->blocks[i] = 0;
		}
	}
}

static void delete_all_entries(struct vmsim_file *f)
{
	struct dax_entry *e, *t;

	entries_lock(f);
	HASH_ITER(hh, dax_inode(f)->entries, e, t)
		xa_erase(f, e);
	entries_unlock(f);
}

static int dax_file_new(struct vmsim_file *f)
{
	struct vmsim *vm = f->vm;
	struct dax_inode *di;
	int err;

	struct dax_region *r = vmsim__dax_region(vm);

	/* No space: nothing is allocated, nothing changes. */
	if (file_pages(f->i_size) > r->free)
		return -ENOSPC;
	if (!r->invalidate_class) {
		int ic = vmsim_lock_class_new(vm, "invalidate_lock"), ec = vmsim_lock_class_new(vm, "dax_entry_lock");

		if (ic < 0 || ec < 0)
			return -ENOSPC;	/* the machine's user lock classes ran out */
		r->invalidate_class = ic;
		r->entry_class = ec;
	}
	di = vmsim__calloc(vm, 1, sizeof(*di));
	if (!di || vmsim__pmem_map_populate(vm)) {
		vmsim__free(vm, di);
		return -ENOMEM;
	}
	di->fragment = vm->cfg.dax_fragment;
	vmsim_lock_init(&di->invalidate_lock, (enum vmsim_lock_class)r->invalidate_class);
	vmsim_lock_init(&di->entry_lock, (enum vmsim_lock_class)r->entry_class);
	f->dax = di;
	err = resize(f, f->i_size);
	for (uint64_t c = 0; !err && c < di->nr_blocks / HPAGE_PMD_NR; c++)
		err = vmsim__dax_alloc_chunk(f, c, file_pages(f->i_size));
	if (err) {
		free_blocks(f, 0, di->nr_blocks);
		vmsim__free(vm, di->blocks);
		vmsim__free(vm, di->chunk_ptes);
		vmsim__free(vm, di);
		f->dax = NULL;
	}
	return err;
}

static void dax_file_free(struct vmsim_file *f)
{
	struct dax_inode *di = dax_inode(f);

	if (!di)
		return;
	delete_all_entries(f);
	free_blocks(f, 0, di->nr_blocks);
	vmsim__free(f->vm, di->blocks);
	vmsim__free(f->vm, di->chunk_ptes);
	vmsim__free(f->vm, di);
	f->dax = NULL;
}

/* dax_break_layout_inode() as ext4_break_layouts() calls it before a hole
 * punch or a truncate: every mapping of the file, in every process, goes
 * (COW copies stay), then, with every folio idle, every entry.  -EBUSY if
 * a pin keeps a folio busy (Linux waits for it). */
static int break_layouts(struct vmsim_file *f)
{
	struct dax_entry *e, *t;

	vmsim__dax_unmap_mapping_range(f, 0, ~0ULL >> PAGE_SHIFT, false);
	entries_lock(f);
	HASH_ITER(hh, dax_inode(f)->entries, e, t) {
		if (!e->zero && !e->empty && vmsim_pfn_to_page(f->vm, e->pfn)->refcount) {
			entries_unlock(f);
			return -EBUSY;
		}
	}
	entries_unlock(f);
	delete_all_entries(f);
	return 0;
}

/* dax_zero_range() on an allocated block. */
static void zero_in_block(struct vmsim_file *f, uint64_t pgoff, size_t off, size_t len)
{
	unsigned long blk = pgoff < dax_inode(f)->nr_blocks ? dax_inode(f)->blocks[pgoff] : 0;

	if (blk && len)
		vmsim_frame_fill(f->vm, vmsim_pfn_to_page(f->vm, blk), off, 0, len);
}

/* ext4_punch_hole(): within EOF; partial blocks zeroed, whole ones freed. */
static int __dax_punch(struct vmsim_file *f, uint64_t off, uint64_t len)
{
	uint64_t end = off + len, first, last;
	int err;

	if (off >= f->i_size)
		return 0;
	if (end > f->i_size)
		end = f->i_size;
	err = break_layouts(f);
	if (err)
		return err;
	first = (off + PAGE_SIZE - 1) >> PAGE_SHIFT;
	last = end >> PAGE_SHIFT;
	if (first > last) {	/* inside one page */
		zero_in_block(f, off >> PAGE_SHIFT, off & ~PAGE_MASK, end - off);
		return 0;
	}
	if (off & ~PAGE_MASK)
		zero_in_block(f, off >> PAGE_SHIFT, off & ~PAGE_MASK, PAGE_SIZE - (off & ~PAGE_MASK));
	if (end & ~PAGE_MASK)
		zero_in_block(f, end >> PAGE_SHIFT, 0, end & ~PAGE_MASK);
	free_blocks(f, first, last);
	vmsim__dax_trace(f->vm, f->vm->cur_cpu, first << PAGE_SHIFT, last << PAGE_SHIFT, 0,
			 "punch: mappings and entries gone, then the blocks freed");
	return 0;
}

/* ext4_setattr() size change: a shrink breaks layouts, unmaps even COW
 * copies past the new EOF (truncate_pagecache), zeroes the tail of the
 * last block and frees the rest; a growth leaves a hole. */
static int __dax_truncate(struct vmsim_file *f, uint64_t size)
{
	uint64_t old = f->i_size, from = file_pages(size);
	int err;

	if (size >= old) {
		err = resize(f, size);
		if (!err)
			f->i_size = size;
		return err;
	}
	err = break_layouts(f);
	if (err)
		return err;
	f->i_size = size;
	vmsim__dax_unmap_mapping_range(f, from, ~0ULL >> PAGE_SHIFT, true);
	if (size & ~PAGE_MASK)
		zero_in_block(f, size >> PAGE_SHIFT, size & ~PAGE_MASK, PAGE_SIZE - (size & ~PAGE_MASK));
	free_blocks(f, from, dax_inode(f)->nr_blocks);
	return 0;
}

/* Both under filemap_invalidate_lock() (and inode_lock, which the caller
 * holds): no fault is half way through mapping a block they free. */
static int dax_punch(struct vmsim_file *f, uint64_t off, uint64_t len)
{
	int err;

	vmsim_lock(f->vm, &dax_inode(f)->invalidate_lock);
	err = __dax_punch(f, off, len);
	vmsim_unlock(f->vm, &dax_inode(f)->invalidate_lock);
	return err;
}

static int dax_truncate(struct vmsim_file *f, uint64_t size)
{
	int err;

	vmsim_lock(f->vm, &dax_inode(f)->invalidate_lock);
	err = __dax_truncate(f, size);
	vmsim_unlock(f->vm, &dax_inode(f)->invalidate_lock);
	return err;
}

/* dax_iomap_rw(): read() and write() copy to and from the blocks directly.
 * A write allocates the holes it covers, extends EOF, and first drops the
 * entries of the range and its mappings (the zero page must not stay
 * mapped over a new block: invalidate_inode_pages2_range()). */
static long dax_rw(struct vmsim_file *f, uint64_t off, void *buf, size_t len, bool write)
{
	struct dax_inode *di = dax_inode(f);
	struct vmsim *vm = f->vm;
	unsigned char *b = buf;
	uint64_t end;
	size_t done = 0;

	if (!write) {
		if (off >= f->i_size)
			return 0;
		if (len > f->i_size - off)
			len = (size_t)(f->i_size - off);
	}
	if (!len)
		return 0;
	end = off + len;
	if (write) {
		bool fresh = false;

		if (end > (1ULL << 46))
			return -EFBIG;
		if (resize(f, end))
			return -ENOMEM;
		for (uint64_t p = off >> PAGE_SHIFT; p <= (end - 1) >> PAGE_SHIFT; p++) {
			if (di->blocks[p])
				continue;
			if (vmsim__dax_alloc_chunk(f, p / HPAGE_PMD_NR, file_pages(end))) {
				if (p == off >> PAGE_SHIFT)
					return -ENOSPC;
				end = p << PAGE_SHIFT;
				break;
			}
			fresh = true;
		}
		if (fresh) {
			struct dax_entry *e, *t;
			uint64_t s = off >> PAGE_SHIFT, l = (end - 1) >> PAGE_SHIFT;

			entries_lock(f);
			HASH_ITER(hh, di->entries, e, t) {
				uint64_t last = e->index + (e->pmd ? HPAGE_PMD_NR : 1) - 1;

				if (last < s || e->index > l || e->dirty || e->locked)
					continue;
				if (!e->zero && !e->empty && vmsim_pfn_to_page(vm, e->pfn)->refcount)
					continue;	/* mapped: kept, as a busy entry is */
				xa_erase(f, e);
			}
			entries_unlock(f);
			vmsim__dax_unmap_mapping_range(f, s, l + 1, false);
		}
		if (end > f->i_size)
			f->i_size = end;
		len = (size_t)(end - off);
	}
	while (done < len) {
		uint64_t pos = off + done, pg = pos >> PAGE_SHIFT;
		size_t o = pos & ~PAGE_MASK, n = PAGE_SIZE - o;
		unsigned long blk = pg < di->nr_blocks ? di->blocks[pg] : 0;

		if (n > len - done)
			n = len - done;
		if (write)
			vmsim_frame_write(vm, vmsim_pfn_to_page(vm, blk), o, b + done, n);
		else if (blk)
			vmsim_frame_read(vm, vmsim_pfn_to_page(vm, blk), o, b + done, n);
		else
			memset(b + done, 0, n);
		done += n;
	}
	return (long)done;
}

/* pfn_mkclean_range() in one vma: every pte or PMD leaf there mapping the
 * entry's frames is write-protected and cleaned, and flushed.  A leaf in a
 * PMD table other mms share may already be clean through another sharer's
 * walk while this mm's CPUs still cache it writable: it is flushed too
 * (the RFC never said; without it a write after fsync would go unseen). */
static void mkclean_vma(struct vm_area_struct *vma, const struct dax_entry *e)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	uint64_t count = e->pmd ? HPAGE_PMD_NR : 1;
	uint64_t first = e->index > vma->vm_pgoff ? e->index : vma->vm_pgoff;
	uint64_t last = e->index + count, vend = vma->vm_pgoff + vma_pages(vma);
	struct mmu_notifier_range range;

	if (last > vend)
		last = vend;
	if (first >= last)
		return;
	/* page_vma_mkclean_one(): secondary MMUs drop the writable
	 * translations too (MMU_NOTIFY_PROTECTION_PAGE over the range). */
	mmu_notifier_range_init(&range, MMU_NOTIFY_PROTECTION_PAGE, 0, mm, vma_address(vma, first),
				vma_address(vma, last - 1) + PAGE_SIZE);
	mmu_notifier_invalidate_range_start(&range);
	for (uint64_t pg = first; pg < last; pg++) {
		uint64_t addr = vma_address(vma, pg);
		unsigned long want = e->pfn + (unsigned long)(pg - e->index);
		pmd_t *pmdp = vmsim__pmd_lookup(mm, addr);
		struct vmsim_lock *ptl;
		pte_t *ptep;
		pmd_t pmd;

		if (!pmdp)
			continue;
		pmd = pmdp_get(pmdp);
		if (pmd_trans_huge(pmd)) {
			uint64_t haddr = addr & PMD_MASK;

			ptl = vmsim__pmd_lockptr(vm, pmdp);
			vmsim_lock(vm, ptl);
			if (pmd_pfn(pmd) + ((addr - haddr) >> PAGE_SHIFT) == want) {
				if (pmd_write(pmd) || pmd_dirty(pmd)) {
					pmd = vmsim__pmdp_invalidate(vma, haddr, pmdp);
					vmsim__set_pmd_at(mm, haddr, pmdp, pmd_mkclean(pmd_wrprotect(pmd)));
				} else if (vmsim_slot_table(vm, pmdp)->pt_share_count > 0) {
					vmsim__flush_pmd_tlb_range(mm, haddr, haddr + PMD_SIZE);
				}
			}
			vmsim_unlock(vm, ptl);
			pg += ((haddr + PMD_SIZE - addr) >> PAGE_SHIFT) - 1;
			continue;
		}
		ptep = vmsim__pte_offset(mm, pmdp, addr);
		if (!ptep)
			continue;
		ptl = vmsim__pte_lockptr(vm, ptep);
		vmsim_lock(vm, ptl);
		if (pte_present(ptep_get(ptep)) && pte_pfn(ptep_get(ptep)) == want &&
		    (pte_write(ptep_get(ptep)) || pte_dirty(ptep_get(ptep)))) {
			pte_t old = vmsim__ptep_get_and_clear(mm, addr, ptep);

			vmsim__flush_tlb_page(mm, addr);
			vmsim__set_pte_at(mm, addr, ptep, pte_mkclean(pte_wrprotect(old)));
		}
		vmsim_unlock(vm, ptl);
	}
	mmu_notifier_invalidate_range_end(&range);
}

/* dax_writeback_mapping_range() over the whole file (fsync/msync). */
static int dax_fsync(struct vmsim_file *f)
{
	struct dax_entry *e, *t;
	struct vm_area_struct *v;

	entries_lock(f);
	HASH_ITER(hh, dax_inode(f)->entries, e, t) {
		if (!e->dirty)
			continue;
		if (e->zero || e->empty) {
			e->dirty = false;
			continue;
		}
		entry_lock(f, e);
		vmsim_lock_read(f->vm, &f->i_mmap_rwsem);
		DL_FOREACH2(f->i_mmap, v, i_next) {
			uint64_t vs = v->vm_pgoff, ve = vs + vma_pages(v);

			if (e->index + (e->pmd ? HPAGE_PMD_NR : 1) > vs && e->index < ve)
				mkclean_vma(v, e);
		}
		vmsim_unlock_read(f->vm, &f->i_mmap_rwsem);
		e->dirty = false;	/* dax_flush(), then the tag goes */
		e->locked = false;
	}
	entries_unlock(f);
	return 0;
}

/* ---- the checker's questions ---- */

/* Every mapping of a DAX vma names the block its file page has now (or
 * the zero page over a hole, or a private copy); every real entry's folio
 * is associated with it; no entry is left locked; every allocated block
 * belongs to exactly one file page. */
static unsigned long check_file(struct vmsim *vm, struct vmsim_file *f, uint8_t *owned)
{
	struct dax_inode *di = dax_inode(f);
	struct dax_entry *e, *t;
	struct vm_area_struct *v;
	unsigned long bad = 0;

	for (uint64_t i = 0; i < di->nr_blocks; i++) {
		unsigned long blk = di->blocks[i];

		if (!blk)
			continue;
		if (VMSIM_BUG_ON(vm, i >= file_pages(f->i_size), "dax: file %s page %#llx past EOF keeps block %#lx",
				 f->name, (unsigned long long)i, blk) ||
		    VMSIM_BUG_ON(vm, owned[blk - vm->pmem_base]++, "dax: block %#lx belongs to two file pages", blk))
			bad++;
	}
	HASH_ITER(hh, di->entries, e, t) {
		struct vmsim_page *p;

		if (VMSIM_BUG_ON(vm, e->locked, "dax: file %s entry %#llx left locked", f->name,
				 (unsigned long long)e->index))
			bad++;
		if (e->zero || e->empty)
			continue;
		p = vmsim_pfn_to_page(vm, e->pfn);
		if (VMSIM_BUG_ON(vm, e->pfn != di->blocks[e->index] || p->mapping != f || p->index != e->index ||
					     (e->pmd != vmsim_page_test(p, PG_head)),
				 "dax: file %s entry %#llx (pfn %#lx, %s) disagrees with its blocks or folio", f->name,
				 (unsigned long long)e->index, e->pfn, e->pmd ? "pmd" : "pte"))
			bad++;
	}
	DL_FOREACH2(f->i_mmap, v, i_next) {
		for (uint64_t a = v->vm_start; a < v->vm_end; a += PAGE_SIZE) {
			pmd_t *pmdp = vmsim__pmd_lookup(v->vm_mm, a);
			pte_t leaf;
			bool huge;
			unsigned long pfn;
			uint64_t pg = linear_page_index(v, a);
			struct vmsim_page *p;

			if (!pmdp || pmd_none(pmdp_get(pmdp))) {
				/* Nothing in this 2 MiB: on to the next. */
				uint64_t next = (a | (PMD_SIZE - 1)) + 1;

				a = next > a && next < v->vm_end ? next - PAGE_SIZE : v->vm_end;
				continue;
			}
			if (!vmsim__follow_leaf(v->vm_mm, a, &leaf, &huge, &pfn))
				continue;
			p = vmsim_pfn_to_page(vm, pfn);
			if (!p || vmsim_page_test(p, PG_zero) || folio_test_anon(p))
				continue;
			if (VMSIM_BUG_ON(vm, pg >= di->nr_blocks || di->blocks[pg] != pfn ||
						     !xa_load(di, pg) || vmsim_compound_head(p)->mapping != f,
					 "dax: mm%d %#llx maps pfn %#lx, but file %s page %#llx is block %#lx",
					 v->vm_mm->id, (unsigned long long)a, pfn, f->name, (unsigned long long)pg,
					 pg < di->nr_blocks ? di->blocks[pg] : 0))
				bad++;
		}
	}
	return bad;
}

unsigned long vmsim__dax_check(struct vmsim *vm)
{
	struct dax_region *r = vmsim__dax_region(vm);
	struct vmsim_file *f;
	unsigned long bad = 0, used = 0;
	uint8_t *owned;

	if (!r)
		return 0;
	owned = calloc(r->nr ? r->nr : 1, 1);
	if (!owned)
		return 0;
	LL_FOREACH(mm_world(vm)->files, f)
		if (f->kind == VMSIM_FILE_DAX && f->dax)
			bad += check_file(vm, f, owned);
	for (unsigned long i = 0; i < r->nr; i++) {
		used += r->used[i];
		if (VMSIM_BUG_ON(vm, r->used[i] != owned[i], "dax: block %#lx is %s but %s by a file",
				 vm->pmem_base + i, r->used[i] ? "allocated" : "free", owned[i] ? "owned" : "not owned"))
			bad++;
	}
	if (VMSIM_BUG_ON(vm, used + r->free != r->nr, "dax: %lu blocks used + %lu free != %lu", used, r->free, r->nr))
		bad++;
	free(owned);
	return bad;
}

/* ---- boot ---- */

static const struct vmsim_dax_hooks dax_hooks_impl = {
	.file_new = dax_file_new,
	.file_free = dax_file_free,
	.fault = dax_fault,
	.rw = dax_rw,
	.punch = dax_punch,
	.truncate = dax_truncate,
	.fsync = dax_fsync,
	.pmd_alloc = vmsim__dax_pmd_alloc,
	.pmd_unshare = vmsim__dax_zap_unshare,
	.unshare_range = vmsim__dax_unshare_pmds,
};

/* A machine with persistent memory gets DAX files. */
int vmsim__dax_init(struct vmsim *vm)
{
	int err;

	if (!vm->nr_pmem)
		return 0;
	err = vmsim__dax_region_init(vm);
	if (!err)
		vmsim__mm_set_dax_hooks(vm, &dax_hooks_impl);
	return err;
}

void vmsim__dax_exit(struct vmsim *vm)
{
	vmsim__dax_region_exit(vm);
}
