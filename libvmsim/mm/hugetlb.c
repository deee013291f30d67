/* hugetlbfs: the pool of 2 MiB pages (machine hugepages=N), reservations,
 * faults, copy-on-write, zap, fork, mprotect, mremap and pagemap of
 * hugetlb vmas, and PMD table sharing between processes that map the same
 * file range.  Follows mm/hugetlb.c and fs/hugetlbfs/inode.c of Linux
 * 6.12-6.18 for one hstate (2 MiB), no surplus pages
 * (nr_overcommit_hugepages 0), no subpool limits, no cgroup charging, no
 * migration or hwpoison of hugetlb pages.  A hugetlb "pte" is the PMD slot
 * that maps the page (huge_pte_offset); shared PMD tables carry their
 * share count in the table page (ptdesc->pt_share_count). */
#include <string.h>
#include <utlist.h>

#include "mm_internal.h"

#define HPAGE_RESV_OWNER	(1u << 0)	/* the mmap() caller of a private mapping */
#define HPAGE_RESV_UNMAPPED	(1u << 1)	/* the owner stole a page this vma COWed from */

/* A set of huge page indices (struct resv_map's regions): for a file, the
 * pages reserved or present; for a private mapping, the reservations
 * consumed. */
struct resv_map {
	uint8_t *bits;
	uint64_t nbits;
	int refs;
};

/* What vm_private_data holds for a hugetlb vma: the hugetlb vma lock of a
 * shared mapping (its presence makes the vma eligible for PMD sharing),
 * and the reservation map of a private one. */
struct hugetlb_vma_data {
	struct resv_map *resv;		/* private: vma_resv_map() */
	unsigned flags;			/* HPAGE_RESV_* */
};

static struct hstate *hstate(struct vmsim *vm) { return &mm_world(vm)->hstate; }
static struct hugetlb_vma_data *hvd(const struct vm_area_struct *vma) { return vma->vm_private_data; }

/* ---- reservation maps ---- */

struct resv_map *vmsim__resv_map_alloc(struct vmsim *vm)
{
	struct resv_map *r = vmsim__calloc(vm, 1, sizeof(*r));

	if (r)
		r->refs = 1;
	return r;
}

void vmsim__resv_map_put(struct vmsim *vm, struct resv_map *r)
{
	if (r && --r->refs == 0) {
		vmsim__free(vm, r->bits);
		vmsim__free(vm, r);
	}
}

static bool region_test(const struct resv_map *r, uint64_t idx)
{
	return idx < r->nbits && (r->bits[idx >> 3] & (1u << (idx & 7)));
}

static int region_set(struct vmsim *vm, struct resv_map *r, uint64_t idx, bool on)
{
	if (idx >= r->nbits) {
		uint64_t n = (idx + 64) & ~63ULL;
		uint8_t *b;

		if (!on)
			return 0;
		b = vmsim__realloc(vm, r->bits, n >> 3);
		if (!b)
			return -ENOMEM;
		memset(b + (r->nbits >> 3), 0, (n - r->nbits) >> 3);
		r->bits = b;
		r->nbits = n;
	}
	if (on)
		r->bits[idx >> 3] |= (uint8_t)(1u << (idx & 7));
	else
		r->bits[idx >> 3] &= (uint8_t)~(1u << (idx & 7));
	return 0;
}

/* region_count(): indices of [from, to) in the map. */
static uint64_t region_count(const struct resv_map *r, uint64_t from, uint64_t to)
{
	uint64_t n = 0;

	for (uint64_t i = from; i < to && i < r->nbits; i++)
		n += region_test(r, i);
	return n;
}

/* ---- the pool ---- */

static void enqueue_hugetlb_folio(struct hstate *h, struct vmsim_page *folio)
{
	DL_APPEND(h->free_list, folio);
	h->free_huge_pages++;
}

static struct vmsim_page *dequeue_hugetlb_folio(struct hstate *h)
{
	struct vmsim_page *folio = h->free_list;

	if (!folio)
		return NULL;
	DL_DELETE(h->free_list, folio);
	folio->prev = folio->next = NULL;
	h->free_huge_pages--;
	return folio;
}

/* free_huge_folio(): the last reference went; back to the pool, giving
 * back the reservation it consumed if it never got committed. */
static void free_huge_folio(struct vmsim *vm, struct vmsim_page *folio)
{
	struct hstate *h = hstate(vm);

	if (vmsim_page_test(folio, PG_private)) {	/* HPageRestoreReserve */
		vmsim_page_clear(folio, PG_private);
		h->resv_huge_pages++;
	}
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		folio[i].mapping = NULL;
		folio[i].index = 0;
		vmsim_page_clear(&folio[i], PG_anon_exclusive);
	}
	folio->flags &= (1u << PG_head) | (1u << PG_hugetlb) | (1u << PG_has_data);
	enqueue_hugetlb_folio(h, folio);
}

int vmsim__hugetlb_init(struct vmsim *vm)
{
	struct hstate *h = hstate(vm);

	vm->free_huge_folio = free_huge_folio;
	/* nr_hugepages=N: as many 2 MiB pages as the buddy can give. */
	for (unsigned long i = 0; i < vm->cfg.hugepages; i++) {
		struct vmsim_page *folio = vmsim_folio_alloc(vm, HPAGE_PMD_ORDER);

		if (!folio)
			break;
		vmsim_page_set(folio, PG_hugetlb);
		folio->refcount = 0;
		enqueue_hugetlb_folio(h, folio);
		h->nr_huge_pages++;
	}
	return 0;
}

void vmsim__hugetlb_exit(struct vmsim *vm)
{
	struct hstate *h = hstate(vm);
	struct vmsim_page *folio;

	while ((folio = dequeue_hugetlb_folio(h))) {
		vmsim_page_clear(folio, PG_hugetlb);
		folio->refcount = 1;
		vmsim_put_page(vm, folio);
		h->nr_huge_pages--;
	}
}

unsigned long vmsim_hugetlb_pool(struct vmsim *vm, unsigned long *free, unsigned long *resv)
{
	struct hstate *h;

	if (!vm || !vm->mm_world)
		return 0;
	h = hstate(vm);
	if (free)
		*free = h->free_huge_pages;
	if (resv)
		*resv = h->resv_huge_pages;
	return h->nr_huge_pages;
}

/* hugetlb_acct_memory() without surplus pages: a reservation needs pool
 * pages nobody has reserved yet. */
static int hugetlb_acct_memory(struct hstate *h, long delta)
{
	if (delta > 0 && h->resv_huge_pages + (unsigned long)delta > h->free_huge_pages)
		return -ENOMEM;
	h->resv_huge_pages += delta;
	return 0;
}

/* ---- reservations of a vma ---- */

static uint64_t vma_hugecache_offset(const struct vm_area_struct *vma, uint64_t addr)
{
	return ((addr - vma->vm_start) >> PMD_SHIFT) + (vma->vm_pgoff >> HPAGE_PMD_ORDER);
}

static struct resv_map *file_resv(const struct vm_area_struct *vma)
{
	return vma->vm_file->hugetlb_resv;
}

static bool is_vma_resv_set(const struct vm_area_struct *vma, unsigned flag)
{
	return hvd(vma) && (hvd(vma)->flags & flag);
}

/* vma_needs_reservation(): 1 when a page for addr needs no reservation
 * of its own... inverted: 0 when one is waiting for it, 1 when not. */
static int vma_needs_reservation(const struct vm_area_struct *vma, uint64_t addr)
{
	uint64_t idx = vma_hugecache_offset(vma, addr);

	if (vma->vm_flags & VM_MAYSHARE)
		return !region_test(file_resv(vma), idx);
	if (!hvd(vma) || !hvd(vma)->resv)
		return 1;
	/* A private map records the reservations already consumed. */
	return region_test(hvd(vma)->resv, idx);
}

static void vma_commit_reservation(struct vm_area_struct *vma, uint64_t addr)
{
	struct vmsim *vm = vma->vm_mm->vm;
	uint64_t idx = vma_hugecache_offset(vma, addr);

	if (vma->vm_flags & VM_MAYSHARE)
		region_set(vm, file_resv(vma), idx, true);
	else if (hvd(vma) && hvd(vma)->resv)
		region_set(vm, hvd(vma)->resv, idx, true);
}

/* vma_add_reservation(): a private owner's page went; its reservation is
 * available again. */
static void vma_add_reservation(struct vm_area_struct *vma, uint64_t addr)
{
	if (!(vma->vm_flags & VM_MAYSHARE) && hvd(vma) && hvd(vma)->resv)
		region_set(vma->vm_mm->vm, hvd(vma)->resv, vma_hugecache_offset(vma, addr), false);
}

static bool vma_has_reserves(const struct vm_area_struct *vma, long chg)
{
	if (vma->vm_flags & VM_NORESERVE)
		return (vma->vm_flags & VM_MAYSHARE) && chg == 0;
	if (vma->vm_flags & VM_MAYSHARE)
		return !chg;
	if (is_vma_resv_set(vma, HPAGE_RESV_OWNER))
		return !chg;
	return false;
}

/* alloc_hugetlb_folio(): a page for addr, from its reservation if it has
 * one, else from what nobody reserved; NULL (-ENOSPC, SIGBUS) when none. */
static struct vmsim_page *alloc_hugetlb_folio(struct vm_area_struct *vma, uint64_t addr, bool avoid_reserve)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct hstate *h = hstate(vm);
	int chg = vma_needs_reservation(vma, addr);
	bool reserved = !avoid_reserve && vma_has_reserves(vma, chg);
	struct vmsim_page *folio;

	if (!reserved && h->free_huge_pages - h->resv_huge_pages == 0)
		return NULL;
	folio = dequeue_hugetlb_folio(h);
	if (!folio)
		return NULL;
	folio->refcount = 1;
	if (reserved) {
		/* HPageRestoreReserve until the page is committed. */
		vmsim_page_set(folio, PG_private);
		h->resv_huge_pages--;
	}
	if (!avoid_reserve)
		vma_commit_reservation(vma, addr);
	vmsim_page_set(folio, PG_uptodate);
	return folio;
}

/* hugetlb_reserve_pages(): mmap reserves what the mapping may need. */
int vmsim__hugetlb_reserve_pages(struct vm_area_struct *vma, uint64_t from, uint64_t to)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct hugetlb_vma_data *d;
	long chg;

	d = vmsim__calloc(vm, 1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	if (vma->vm_flags & VM_MAYSHARE) {
		/* The file's pages not reserved (or present) yet. */
		chg = (long)(to - from - region_count(vma->vm_file->hugetlb_resv, from, to));
	} else {
		d->resv = vmsim__resv_map_alloc(vm);
		if (!d->resv) {
			vmsim__free(vm, d);
			return -ENOMEM;
		}
		d->flags = HPAGE_RESV_OWNER;
		chg = (long)(to - from);
	}
	if (!(vma->vm_flags & VM_NORESERVE) && hugetlb_acct_memory(hstate(vm), chg)) {
		vmsim__resv_map_put(vm, d->resv);
		vmsim__free(vm, d);
		return -ENOMEM;
	}
	if ((vma->vm_flags & VM_MAYSHARE) && !(vma->vm_flags & VM_NORESERVE))
		for (uint64_t i = from; i < to; i++)
			if (region_set(vm, vma->vm_file->hugetlb_resv, i, true))
				return -ENOMEM;
	vma->vm_private_data = d;
	return 0;
}

/* hugetlb_vm_op_open(): a copy of vma (split, mremap) shares its private
 * reservations; a shared one gets a vma lock of its own.  fork goes
 * through hugetlb_dup_vma_private() instead (dup = true): the child
 * keeps no reservation. */
void vmsim__hugetlb_vm_open(struct vm_area_struct *vma, bool dup)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct hugetlb_vma_data *old = hvd(vma), *d;

	vma->vm_private_data = NULL;
	if (dup && !(vma->vm_flags & VM_MAYSHARE))
		return;
	d = vmsim__calloc(vm, 1, sizeof(*d));
	if (!d)
		return;		/* no vma lock: the vma just cannot share */
	if (old && !(vma->vm_flags & VM_MAYSHARE)) {
		d->resv = old->resv;
		d->flags = old->flags;
		if (d->resv)
			d->resv->refs++;
	}
	vma->vm_private_data = d;
}

/* hugetlb_vm_op_close(): a private owner gives back the reservations it
 * did not consume in its range. */
void vmsim__hugetlb_vm_close(struct vm_area_struct *vma)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct hugetlb_vma_data *d = hvd(vma);

	if (!d)
		return;
	if (d->resv && (d->flags & HPAGE_RESV_OWNER)) {
		uint64_t start = vma_hugecache_offset(vma, vma->vm_start);
		uint64_t end = vma_hugecache_offset(vma, vma->vm_end);
		long reserve = (long)(end - start - region_count(d->resv, start, end));

		if (reserve > 0)
			hugetlb_acct_memory(hstate(vm), -reserve);
	}
	vmsim__resv_map_put(vm, d->resv);
	vmsim__free(vm, d);
	vma->vm_private_data = NULL;
}

/* hugetlb_unreserve_pages(): a file's pages [start, end) went (punch,
 * truncate); freed of them were present, the rest only reserved. */
void vmsim__hugetlb_unreserve_pages(struct vmsim_file *f, uint64_t start, uint64_t end, long freed)
{
	struct hstate *h = hstate(f->vm);
	long chg = 0;

	for (uint64_t i = start; i < end && i < f->hugetlb_resv->nbits; i++) {
		if (region_test(f->hugetlb_resv, i)) {
			region_set(f->vm, f->hugetlb_resv, i, false);
			chg++;
		}
	}
	if (chg - freed > 0)
		h->resv_huge_pages -= (unsigned long)(chg - freed);
}

/* ---- PMD sharing ---- */

static bool range_in_vma(const struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	return vma && vma->vm_start <= start && end <= vma->vm_end;
}

void vmsim__trace_pmd_share(struct vmsim_mm *mm, uint64_t addr, struct vmsim_page *table, const char *why)
{
	vmsim__trace(mm->vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_PMD_SHARE, .cpu = mm->vm->cur_cpu,
			  .target = mm->id, .addr = addr & PUD_MASK, .end = (addr & PUD_MASK) + PUD_SIZE,
			  .pfn = table ? vmsim_page_to_pfn(mm->vm, table) : 0, .why = why });
}

/* want_pmd_share(): a shared mapping with its vma lock, covering the
 * whole PUD-aligned 1 GiB, and no uffd-wp/minor registration. */
bool vmsim__want_pmd_share(const struct vm_area_struct *vma, uint64_t addr)
{
	uint64_t start = addr & PUD_MASK;

	if (vma->vm_flags & (VM_UFFD_WP | VM_UFFD_MINOR))
		return false;
	if (!(vma->vm_flags & VM_MAYSHARE) || !vma->vm_private_data)
		return false;
	return range_in_vma(vma, start, start + PUD_SIZE);
}

/* page_table_shareable(): svma maps the same file page at the same place
 * in its own PUD range, with the same flags (locking aside). */
uint64_t vmsim__page_table_shareable(const struct vm_area_struct *svma, const struct vm_area_struct *vma,
				     uint64_t addr, uint64_t idx)
{
	uint64_t saddr = ((idx - svma->vm_pgoff) << PAGE_SHIFT) + svma->vm_start;
	uint64_t sbase = saddr & PUD_MASK;

	if (idx < svma->vm_pgoff || pmd_index(addr) != pmd_index(saddr) ||
	    (vma->vm_flags & ~VM_LOCKED) != (svma->vm_flags & ~VM_LOCKED) ||
	    !range_in_vma(svma, sbase, sbase + PUD_SIZE) || !svma->vm_private_data)
		return 0;
	return saddr;
}

/* The PMD slot of addr in mm's tables (huge_pte_offset), or NULL. */
static pmd_t *hugetlb_walk(struct vmsim_mm *mm, uint64_t addr)
{
	return vmsim__pmd_lookup(mm, addr);
}

/* huge_pmd_share(): under i_mmap_rwsem, find another vma of the file whose
 * PMD table for this range can be ours too, and point our PUD at it. */
static pmd_t *huge_pmd_share(struct vm_area_struct *vma, uint64_t addr, pud_t *pud)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_file *f = vma->vm_file;
	uint64_t idx = linear_page_index(vma, addr);
	struct vm_area_struct *svma;
	struct vmsim_page *table = NULL;

	vmsim_lock_read(vm, &f->i_mmap_rwsem);
	DL_FOREACH2(f->i_mmap, svma, i_next) {
		uint64_t saddr;
		pmd_t *spmd;

		if (svma == vma || idx < svma->vm_pgoff || idx >= svma->vm_pgoff + vma_pages(svma))
			continue;
		saddr = vmsim__page_table_shareable(svma, vma, addr, idx);
		if (!saddr)
			continue;
		spmd = hugetlb_walk(svma->vm_mm, saddr);
		if (spmd) {
			table = vmsim_slot_table(vm, spmd);
			table->pt_share_count++;	/* ptdesc_pmd_pts_inc() */
			break;
		}
	}
	if (table) {
		vmsim_lock(vm, &mm->page_table_lock);
		if (pud_none(pudp_get(pud))) {
			vmsim_set_pud(vm, pud, __pud(((uint64_t)vmsim_page_to_pfn(vm, table) << PAGE_SHIFT) |
						     _PAGE_TABLE), addr & PUD_MASK);
			vmsim__trace_pmd_share(mm, addr, table, "huge_pmd_share: shared");
		} else {
			table->pt_share_count--;
		}
		vmsim_unlock(vm, &mm->page_table_lock);
	}
	vmsim_unlock_read(vm, &f->i_mmap_rwsem);
	return vmsim__pmd_alloc(mm, addr);
}

/* huge_pte_alloc(): the PMD slot for addr, sharing a table when allowed. */
static pmd_t *huge_pte_alloc(struct vm_area_struct *vma, uint64_t addr)
{
	struct vmsim_mm *mm = vma->vm_mm;
	pud_t *pud = vmsim__pud_alloc(mm, addr);

	if (!pud)
		return NULL;
	if (vmsim__want_pmd_share(vma, addr) && pud_none(pudp_get(pud)))
		return huge_pmd_share(vma, addr, pud);
	return vmsim__pmd_alloc(mm, addr);
}

static bool hugetlb_pmd_shared(struct vmsim *vm, pmd_t *pmdp)
{
	return vmsim_slot_table(vm, pmdp)->pt_share_count > 0;
}

/* huge_pmd_unshare(): if the PMD table holding pmdp is shared, this mm
 * lets go of it: its PUD entry is cleared and, because any of the table's
 * 512 entries may be cached through it, the whole PUD range is flushed
 * (tlb_unshare_pmd_ptdesc).  The caller holds i_mmap_rwsem for write.
 * Returns true if it unshared. */
bool vmsim__huge_pmd_unshare(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t addr, pmd_t *pmdp)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_page *table = vmsim_slot_table(vm, pmdp);
	pud_t *pud;

	if (table->pt_share_count <= 0)
		return false;
	vmsim_lock_assert_held_write(vm, &vma->vm_file->i_mmap_rwsem);
	pud = vmsim__pud_lookup(mm, addr);
	vmsim_set_pud(vm, pud, __pud(0), addr & PUD_MASK);
	table->pt_share_count--;
	/* The quirk flushes only the 2 MiB being unmapped, as the hugetlb
	 * code did before dff11abe280b (2018). */
	if (vmsim__quirk(vm, VMSIM_QUIRK_PMD_UNSHARE_PARTIAL_FLUSH))
		tlb_flush_pmd_range(tlb, addr & PMD_MASK, PMD_SIZE);
	else
		tlb_flush_pmd_range(tlb, addr & PUD_MASK, PUD_SIZE);
	tlb->unshared_tables = true;
	vmsim__trace_pmd_share(mm, addr, table, "huge_pmd_unshare");
	return true;
}

/* adjust_range_if_pmd_sharing_possible(): a flush or notification about
 * [*start, *end) of a vma that may share PMD tables must cover whole PUD
 * ranges. */
void vmsim__adjust_range_if_pmd_sharing_possible(const struct vm_area_struct *vma, uint64_t *start,
						 uint64_t *end)
{
	uint64_t v_start = (vma->vm_start + PUD_SIZE - 1) & PUD_MASK, v_end = vma->vm_end & PUD_MASK;

	if (!(vma->vm_flags & VM_MAYSHARE) || v_end <= v_start || *end <= v_start || *start >= v_end)
		return;
	if (*start > v_start)
		*start &= PUD_MASK;
	if (*end < v_end)
		*end = (*end + PUD_SIZE - 1) & PUD_MASK;
}

/* hugetlb_unshare_pmds(): every shared PMD table in [start, end) of vma is
 * let go (uffd-wp/minor registration, a split that leaves a PUD range half
 * covered). */
static void hugetlb_unshare_pmds(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct mmu_gather tlb;

	if (!(vma->vm_flags & VM_MAYSHARE))
		return;
	start = (start + PUD_SIZE - 1) & PUD_MASK;
	end &= PUD_MASK;
	if (start >= end)
		return;
	tlb_gather_mmu(&tlb, mm, false);
	vmsim_lock(vm, &vma->vm_file->i_mmap_rwsem);
	for (uint64_t addr = start; addr < end; addr += PUD_SIZE) {
		pmd_t *pmdp = hugetlb_walk(mm, addr);
		struct vmsim_lock *ptl;

		if (!pmdp)
			continue;
		ptl = vmsim__pmd_lockptr(vm, pmdp);
		vmsim_lock(vm, ptl);
		vmsim__huge_pmd_unshare(&tlb, vma, addr, pmdp);
		vmsim_unlock(vm, ptl);
	}
	tlb_flush_mmu(&tlb);	/* huge_pmd_unshare_flush(), before i_mmap_rwsem goes */
	vmsim_unlock(vm, &vma->vm_file->i_mmap_rwsem);
	tlb_finish_mmu(&tlb);
}

void vmsim__hugetlb_unshare_all_pmds(struct vm_area_struct *vma)
{
	hugetlb_unshare_pmds(vma, vma->vm_start, vma->vm_end);
}

/* hugetlb_vm_op_split() + hugetlb_split(): only at a huge page boundary;
 * a PUD range the split leaves half covered cannot stay shared. */
int vmsim__hugetlb_split(struct vm_area_struct *vma, uint64_t addr)
{
	if (addr & ~PMD_MASK)
		return -EINVAL;
	if (addr & ~PUD_MASK) {
		uint64_t floor = addr & PUD_MASK, ceil = floor + PUD_SIZE;

		if (floor >= vma->vm_start && ceil <= vma->vm_end)
			hugetlb_unshare_pmds(vma, floor, ceil);
	}
	return 0;
}

/* ---- faults ---- */

static pmd_t make_huge_pte(struct vm_area_struct *vma, struct vmsim_page *folio, bool writable)
{
	pmd_t entry = pmd_mkhuge(pfn_pmd(vmsim_page_to_pfn(vma->vm_mm->vm, folio), vma->vm_page_prot));

	if (writable)
		entry = pmd_mkwrite(pmd_mkdirty(entry));
	else
		entry = pmd_wrprotect(entry);
	return pmd_mkyoung(entry);
}

static void set_huge_pte_at(struct vmsim_mm *mm, uint64_t addr, pmd_t *pmdp, pmd_t entry)
{
	vmsim_set_pmd(mm->vm, pmdp, entry, addr & PMD_MASK);
}

static struct vmsim_page *hugetlb_pagecache(struct vmsim_file *f, uint64_t idx)
{
	return vmsim__filemap_get(f, idx << HPAGE_PMD_ORDER);
}

/* A handler answers a userfault on a hugetlb vma about its 2 MiB page. */
static unsigned hugetlb_handle_userfault(struct vm_fault *vmf, unsigned long reason)
{
	vmf->address &= PMD_MASK;
	return vmsim__handle_userfault(vmf, reason);
}

/* hugetlb_wp(): copy-on-write of a private page, or making a shared one
 * writable. */
static unsigned hugetlb_wp(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	uint64_t haddr = vmf->address & PMD_MASK;
	pmd_t pte = pmdp_get(vmf->pmd), newpte;
	struct vmsim_page *old, *new;
	bool cow_from_owner = false;
	unsigned ret;

	/* A uffd-wp protected entry is not copied (the handler had it). */
	if (!unshare && !vmsim__kind_may_write(vma, __pte(pmd_val(pte))))
		return 0;
	if (!unshare && !(vma->vm_flags & VM_WRITE))
		return VM_FAULT_SIGSEGV;
	if (vma->vm_flags & VM_MAYSHARE) {
		set_huge_pte_at(mm, haddr, vmf->pmd, pmd_mkdirty(pmd_mkwrite(pte)));
		return 0;
	}
	old = vmsim__pmd_page(vm, pte);
retry_avoidcopy:
	if (vmsim__folio_mapcount(vm, old) == 1 && folio_test_anon(old)) {
		vmsim_page_set(old, PG_anon_exclusive);
		if (!unshare)
			set_huge_pte_at(mm, haddr, vmf->pmd, pmd_mkdirty(pmd_mkwrite(pmd_mkyoung(pte))));
		return 0;
	}
	if (is_vma_resv_set(vma, HPAGE_RESV_OWNER) && folio_test_anon(old))
		cow_from_owner = true;
	new = alloc_hugetlb_folio(vma, haddr, cow_from_owner);
	if (!new) {
		if (cow_from_owner) {
			/* unmap_ref_private(): the owner's reliability first: the
			 * children lose the page, and SIGBUS when they touch it. */
			vmsim_unlock(vm, vmf->ptl);
			vmsim__hugetlb_unmap_ref_private(vma, old, haddr);
			vmsim_lock(vm, vmf->ptl);
			pte = pmdp_get(vmf->pmd);
			if (pmd_present(pte) && vmsim__pmd_page(vm, pte) == old) {
				cow_from_owner = false;
				goto retry_avoidcopy;
			}
			return 0;
		}
		return VM_FAULT_SIGBUS;
	}
	ret = vmsim__vmf_anon_prepare(vmf);
	if (ret) {
		vmsim_put_page(vm, new);
		return ret;
	}
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		vmsim_frame_copy(vm, &new[i], &old[i]);
	newpte = make_huge_pte(vma, new, !unshare);
	newpte = vmsim__kind_pmd_bits_copy(vma, vma, pte, newpte);
	/* Secondary MMUs let go of the old page first (the page-table lock
	 * dropped meanwhile, as Linux drops it for the copy). */
	if (mm_has_notifiers(mm)) {
		struct mmu_notifier_range range;

		mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, haddr, haddr + PMD_SIZE);
		vmsim_unlock(vm, vmf->ptl);
		mmu_notifier_invalidate_range_start(&range);
		mmu_notifier_invalidate_range_end(&range);
		vmsim_lock(vm, vmf->ptl);
	}
	/* huge_ptep_clear_flush(): no CPU may keep using the old page. */
	vmsim__pmdp_huge_clear_flush(vma, haddr, vmf->pmd);
	vmsim__hugetlb_remove_rmap(vma, old);
	vmsim__hugetlb_add_new_anon_rmap(vma, new, haddr);
	vmsim_page_clear(new, PG_private);
	set_huge_pte_at(mm, haddr, vmf->pmd, newpte);
	vmsim_put_page(vm, old);
	mm->st.faults_cow++;
	return 0;
}

/* hugetlb_no_page(): the first touch of a huge page: from the page cache,
 * or a new page (into the page cache for a shared mapping, anonymous for
 * a private one). */
unsigned vmsim__hugetlb_no_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_file *f = vma->vm_file;
	uint64_t haddr = vmf->address & PMD_MASK, idx = vma_hugecache_offset(vma, haddr);
	bool anon_rmap = false;
	struct vmsim_page *folio;
	pmd_t entry;

	/* The owner stole a page this process had COWed: it must die. */
	if (is_vma_resv_set(vma, HPAGE_RESV_UNMAPPED))
		return VM_FAULT_SIGBUS;
	folio = hugetlb_pagecache(f, idx);
	if (!folio) {
		if (idx >= (f->i_size >> PMD_SHIFT))
			return VM_FAULT_SIGBUS;
		if (userfaultfd_missing(vma))
			return hugetlb_handle_userfault(vmf, VM_UFFD_MISSING);
		if (!(vma->vm_flags & VM_MAYSHARE)) {
			unsigned ret = vmsim__vmf_anon_prepare(vmf);

			if (ret)
				return ret;
		}
		folio = alloc_hugetlb_folio(vma, haddr, false);
		if (!folio)
			return VM_FAULT_SIGBUS;
		if (vma->vm_flags & VM_MAYSHARE) {
			/* The allocation's reference is the page cache's. */
			if (vmsim__filemap_add_folio(f, idx << HPAGE_PMD_ORDER, folio)) {
				vmsim_put_page(vm, folio);
				return VM_FAULT_OOM;
			}
			vmsim_page_clear(folio, PG_private);
			vmsim_get_page(vm, folio);
		} else {
			anon_rmap = true;
		}
	} else {
		if (userfaultfd_minor(vma))
			return hugetlb_handle_userfault(vmf, VM_UFFD_MINOR);
		vmsim_get_page(vm, folio);
	}
	if (anon_rmap) {
		vmsim__hugetlb_add_new_anon_rmap(vma, folio, haddr);
		vmsim_page_clear(folio, PG_private);
	} else {
		vmsim__hugetlb_add_rmap(vma, folio);
	}
	entry = make_huge_pte(vma, folio, (vma->vm_flags & VM_WRITE) && (vma->vm_flags & VM_SHARED));
	/* A uffd-wp marker's protection stays with the new entry. */
	entry = __pmd(pte_val(vmsim__kind_inherit(vmf, __pte(pmd_val(entry)))));
	set_huge_pte_at(mm, haddr, vmf->pmd, entry);
	mm->st.faults_file++;
	/* Optimization: do the COW without a second fault. */
	if ((vmf->flags & FAULT_FLAG_WRITE) && !(vma->vm_flags & VM_SHARED))
		return hugetlb_wp(vmf);
	return 0;
}

unsigned vmsim__hugetlb_fault(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	unsigned flags = vmf->flags, ret;
	struct vmsim_lock *ptl;
	pmd_t entry;

	/* A hugetlb fault is about the huge page: its address, its index. */
	vmf->address &= PMD_MASK;
	vmf->pgoff = linear_page_index(vma, vmf->address);
	vmf->pmd = huge_pte_alloc(vma, vmf->address);
	if (!vmf->pmd)
		return VM_FAULT_OOM;
	/* The "huge pte" is the PMD slot (what huge_pte_alloc() returns). */
	vmf->pte = (pte_t *)vmf->pmd;
	vmf->orig_pte = __pte(pmd_val(pmdp_get(vmf->pmd)));
	vmf->orig_pmd = pmdp_get(vmf->pmd);
	ptl = vmsim__pmd_lockptr(vm, vmf->pmd);
	vmsim_lock(vm, ptl);
	vmf->ptl = ptl;
	if (pte_none(vmf->orig_pte)) {
		ret = vmsim__hugetlb_no_page(vmf);
	} else if (!pmd_present(vmf->orig_pmd) || !pmd_leaf(vmf->orig_pmd)) {
		/* A marker: poison is SIGBUS, a uffd-wp marker a fault on a
		 * none entry that remembers the protection (its kind says). */
		vmf->flags |= FAULT_FLAG_ORIG_PTE_VALID;
		ret = vmsim__kind_fault(vmf);
		if (ret & VM_FAULT_HWPOISON)
			ret = (ret & ~VM_FAULT_HWPOISON) | VM_FAULT_HWPOISON_LARGE;
	} else if ((flags & (FAULT_FLAG_WRITE | FAULT_FLAG_UNSHARE)) && !pmd_write(vmf->orig_pmd)) {
		/* Userfault-wp first: the handler, or WP_ASYNC drops the bit. */
		ret = (flags & FAULT_FLAG_WRITE) ? vmsim__kind_pmd_wp_fault(vmf) : 0;
		if (!ret)
			ret = hugetlb_wp(vmf);
	} else {
		entry = pmd_mkyoung(vmf->orig_pmd);
		if (flags & FAULT_FLAG_WRITE)
			entry = pmd_mkdirty(entry);
		if (!pmd_same(entry, vmf->orig_pmd))
			set_huge_pte_at(mm, vmf->address, vmf->pmd, entry);
		ret = 0;
	}
	if (vmf->ptl)
		vmsim_unlock(vm, vmf->ptl);
	return ret;
}

/* ---- zap ---- */

/* __unmap_hugepage_range(): every entry of [start, end) goes; a shared
 * PMD table is just unshared, and then flushed over its whole PUD range
 * before the caller lets i_mmap_rwsem go (it holds it for write:
 * hugetlb_zap_begin() or hugetlb_vmdelete_list()). */
void vmsim__unmap_hugepage_range(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start,
				 uint64_t end, struct zap_details *d)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_page *ref = d ? d->single_folio : NULL;

	start &= PMD_MASK;
	end = (end + PMD_SIZE - 1) & PMD_MASK;
	if (start < vma->vm_start)
		start = vma->vm_start;
	if (end > vma->vm_end)
		end = vma->vm_end;
	for (uint64_t addr = start; addr < end; addr += PMD_SIZE) {
		pmd_t *pmdp = hugetlb_walk(mm, addr);
		struct vmsim_lock *ptl;
		struct vmsim_page *folio;
		pmd_t pte;

		if (!pmdp) {
			addr = (addr | (PUD_SIZE - 1)) + 1 - PMD_SIZE;
			continue;
		}
		ptl = vmsim__pmd_lockptr(vm, pmdp);
		vmsim_lock(vm, ptl);
		if (vmsim__huge_pmd_unshare(tlb, vma, addr, pmdp)) {
			vmsim_unlock(vm, ptl);
			addr = (addr | (PUD_SIZE - 1)) + 1 - PMD_SIZE;
			continue;
		}
		pte = pmdp_get(pmdp);
		if (pmd_none(pte)) {
			vmsim_unlock(vm, ptl);
			continue;
		}
		if (!pmd_present(pte) || !pmd_leaf(pte)) {
			/* A marker: its kind keeps it or not (uffd-wp stays
			 * unless markers go). */
			if (vmsim__kind_zap(vma, addr, __pte(pmd_val(pte)), d))
				set_huge_pte_at(mm, addr, pmdp, __pmd(0));
			vmsim_unlock(vm, ptl);
			continue;
		}
		folio = vmsim__pmd_page(vm, pte);
		if (ref && folio != ref) {
			vmsim_unlock(vm, ptl);
			continue;
		}
		/* The vma lost a page it COWed: later faults there fail. */
		if (ref && hvd(vma))
			hvd(vma)->flags |= HPAGE_RESV_UNMAPPED;
		set_huge_pte_at(mm, addr, pmdp, __pmd(0));
		tlb_flush_pmd_range(tlb, addr, PMD_SIZE);
		if (pmd_dirty(pte))
			vmsim__folio_mark_dirty(folio);
		/* Leave a uffd-wp marker if the protection must outlive it. */
		if (!zap_drop_markers(d)) {
			pte_t leave = vmsim__kind_zap_leave(vma, __pte(pmd_val(pte)), d);

			if (!pte_none(leave)) {
				set_huge_pte_at(mm, addr, pmdp, __pmd(pte_val(leave)));
				vmsim__kind_note_vma(vma, leave);
			}
		}
		vmsim__hugetlb_remove_rmap(vma, folio);
		/* The private owner's reservation comes back with its page. */
		if (!(vma->vm_flags & VM_MAYSHARE) && is_vma_resv_set(vma, HPAGE_RESV_OWNER) &&
		    folio_test_anon(folio) && !vmsim__folio_mapcount(vm, folio)) {
			vmsim_page_set(folio, PG_private);
			vma_add_reservation(vma, addr);
		}
		vmsim_unlock(vm, ptl);
		tlb_remove_page(tlb, folio);
	}
	/* huge_pmd_unshare_flush(): before i_mmap_rwsem is dropped. */
	if (tlb->unshared_tables)
		tlb_flush_mmu(tlb);
}

/* unmap_hugepage_range(): one vma's [start, end) zapped with a gather of
 * its own; the caller holds i_mmap_rwsem for write. */
static void unmap_hugepage_range(struct vm_area_struct *vma, uint64_t start, uint64_t end, struct zap_details *d)
{
	struct mmu_notifier_range range;
	struct mmu_gather tlb;

	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, vma->vm_mm, start, end);
	vmsim__adjust_range_if_pmd_sharing_possible(vma, &range.start, &range.end);
	mmu_notifier_invalidate_range_start(&range);
	tlb_gather_mmu(&tlb, vma->vm_mm, false);
	vmsim__unmap_hugepage_range(&tlb, vma, start, end, d);
	mmu_notifier_invalidate_range_end(&range);
	tlb_finish_mmu(&tlb);
}

/* hugetlb_vmdelete_list(): [pgstart, pgend) of the file leaves every vma
 * that maps it, private copies included; the caller (hugetlbfs punch and
 * truncate) holds i_mmap_rwsem for write, so it is not unmap_mapping_range()
 * (which holds it for read: no table could be unshared under it). */
void vmsim__hugetlb_vmdelete_list(struct vmsim_file *f, uint64_t pgstart, uint64_t pgend, struct zap_details *d)
{
	struct vm_area_struct *v;

	vmsim_lock_assert_held_write(f->vm, &f->i_mmap_rwsem);
	DL_FOREACH2(f->i_mmap, v, i_next) {
		uint64_t vs = v->vm_pgoff, ve = v->vm_pgoff + vma_pages(v);
		uint64_t s = pgstart > vs ? pgstart : vs, e = pgend < ve ? pgend : ve;

		if (s < e)
			unmap_hugepage_range(v, vma_address(v, s), vma_address(v, e), d);
	}
}

/* __hugetlb_zap_begin(), __hugetlb_zap_end(): see vmsim__zap_begin(). */
void vmsim__hugetlb_zap_begin(struct vm_area_struct *vma, uint64_t *start, uint64_t *end)
{
	vmsim__adjust_range_if_pmd_sharing_possible(vma, start, end);
	vmsim_lock(vma->vm_mm->vm, &vma->vm_file->i_mmap_rwsem);
}

void vmsim__hugetlb_zap_end(struct vm_area_struct *vma, const struct zap_details *d)
{
	struct vmsim *vm = vma->vm_mm->vm;

	if (d && (d->zap_flags & ZAP_FLAG_UNMAP) && (vma->vm_flags & VM_MAYSHARE) && hvd(vma)) {
		/* The vma lock goes with the mapping, before i_mmap_rwsem. */
		vmsim__free(vm, hvd(vma));
		vma->vm_private_data = NULL;
	}
	vmsim_unlock(vm, &vma->vm_file->i_mmap_rwsem);
}

/* unmap_ref_private(): the owner takes the page back from every other
 * private mapping of the file at that offset. */
void vmsim__hugetlb_unmap_ref_private(struct vm_area_struct *vma, struct vmsim_page *folio, uint64_t addr)
{
	struct vmsim_file *f = vma->vm_file;
	uint64_t pgoff = linear_page_index(vma, addr);
	struct vm_area_struct *iter;
	struct zap_details d = { .single_folio = folio };

	vmsim_lock(f->vm, &f->i_mmap_rwsem);
	DL_FOREACH2(f->i_mmap, iter, i_next) {
		uint64_t a;

		if (iter == vma || (iter->vm_flags & VM_MAYSHARE) || is_vma_resv_set(iter, HPAGE_RESV_OWNER))
			continue;
		if (pgoff < iter->vm_pgoff || pgoff >= iter->vm_pgoff + vma_pages(iter))
			continue;
		a = vma_address(iter, pgoff);
		unmap_hugepage_range(iter, a, a + PMD_SIZE, &d);
	}
	vmsim_unlock(f->vm, &f->i_mmap_rwsem);
}

/* ---- fork ---- */

int vmsim__copy_hugetlb_page_range(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct vmsim_mm *dst_mm = dst->vm_mm, *src_mm = src->vm_mm;
	struct vmsim *vm = src_mm->vm;
	bool cow = is_cow_mapping(src->vm_flags);
	int ret = 0;

	for (uint64_t addr = src->vm_start; addr < src->vm_end && !ret; addr += PMD_SIZE) {
		pmd_t *src_pte = hugetlb_walk(src_mm, addr), *dst_pte, entry;
		struct vmsim_lock *dst_ptl, *src_ptl;

		if (!src_pte) {
			addr = (addr | (PUD_SIZE - 1)) + 1 - PMD_SIZE;
			continue;
		}
		dst_pte = huge_pte_alloc(dst, addr);
		if (!dst_pte)
			return -ENOMEM;
		/* A table the child already shares needs no copy. */
		if (hugetlb_pmd_shared(vm, dst_pte)) {
			addr = (addr | (PUD_SIZE - 1)) + 1 - PMD_SIZE;
			continue;
		}
		dst_ptl = vmsim__pmd_lockptr(vm, dst_pte);
		src_ptl = vmsim__pmd_lockptr(vm, src_pte);
		vmsim_lock(vm, dst_ptl);
		if (src_ptl != dst_ptl)
			vmsim_lock(vm, src_ptl);
		entry = pmdp_get(src_pte);
		if (pmd_none(entry)) {
			;
		} else if (!pmd_present(entry) || !pmd_leaf(entry)) {
			pte_t child;

			if (!vmsim__kind_copy(dst, src, addr, (pte_t *)src_pte, &child) && !pte_none(child))
				set_huge_pte_at(dst_mm, addr, dst_pte, __pmd(pte_val(child)));
		} else {
			struct vmsim_page *folio = vmsim__pmd_page(vm, entry);

			vmsim_get_page(vm, folio);
			if (folio_test_anon(folio) && vmsim_page_test(folio, PG_anon_exclusive) &&
			    (src_mm->flags & MMF_HAS_PINNED) && vmsim__folio_maybe_dma_pinned(vm, folio)) {
				/* hugetlb_try_dup_anon_rmap() failed: the child gets
				 * its own copy now. */
				struct vmsim_page *copy = alloc_hugetlb_folio(dst, addr, false);

				vmsim_put_page(vm, folio);
				if (!copy || vmsim__anon_vma_prepare(dst)) {
					if (copy)
						vmsim_put_page(vm, copy);
					ret = -ENOMEM;
				} else {
					for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
						vmsim_frame_copy(vm, &copy[i], &folio[i]);
					vmsim__hugetlb_add_new_anon_rmap(dst, copy, addr);
					vmsim_page_clear(copy, PG_private);
					set_huge_pte_at(dst_mm, addr, dst_pte,
							vmsim__kind_pmd_bits_copy(dst, src, entry,
										  make_huge_pte(dst, copy, true)));
				}
			} else {
				if (folio_test_anon(folio))
					vmsim_page_clear(folio, PG_anon_exclusive);
				vmsim__hugetlb_add_rmap(dst, folio);
				if (cow && pmd_write(entry)) {
					set_huge_pte_at(src_mm, addr, src_pte, pmd_wrprotect(entry));
					entry = pmd_wrprotect(entry);
				}
				entry = vmsim__kind_pmd_bits_copy(dst, src, entry, entry);
				set_huge_pte_at(dst_mm, addr, dst_pte, entry);
			}
		}
		if (src_ptl != dst_ptl)
			vmsim_unlock(vm, src_ptl);
		vmsim_unlock(vm, dst_ptl);
	}
	return ret;
}

/* ---- mprotect, uffd-wp ---- */

long vmsim__hugetlb_change_protection(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start,
				      uint64_t end, unsigned long cp_flags)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	uint64_t fstart = start, fend = end;
	bool shared_pmd = false;
	long pages = 0;

	(void)tlb;
	/* In the case of shared PMDs the area to flush could be beyond
	 * start/end: cover the whole PUD ranges. */
	vmsim__adjust_range_if_pmd_sharing_possible(vma, &fstart, &fend);
	vmsim_lock(vm, &vma->vm_file->i_mmap_rwsem);
	{
		struct mmu_gather utlb;

		tlb_gather_mmu(&utlb, mm, false);
		for (uint64_t addr = start; addr < end; addr += PMD_SIZE) {
			pmd_t *pmdp = hugetlb_walk(mm, addr), old, new;
			struct vmsim_lock *ptl;

			if (!pmdp) {
				/* uffd-wp on an empty range needs a table for markers. */
				if ((cp_flags & MM_CP_UFFD_WP) && vmsim__kind_populate_needed(vma, cp_flags))
					pmdp = huge_pte_alloc(vma, addr);
				if (!pmdp) {
					addr = (addr | (PUD_SIZE - 1)) + 1 - PMD_SIZE;
					continue;
				}
			}
			ptl = vmsim__pmd_lockptr(vm, pmdp);
			vmsim_lock(vm, ptl);
			if (vmsim__huge_pmd_unshare(&utlb, vma, addr, pmdp)) {
				pages++;
				shared_pmd = true;
				vmsim_unlock(vm, ptl);
				addr = (addr | (PUD_SIZE - 1)) + 1 - PMD_SIZE;
				continue;
			}
			old = pmdp_get(pmdp);
			if (pmd_present(old) && pmd_leaf(old))
				new = vmsim__kind_pmd_change_prot(vma, pmd_modify(old, vma->vm_page_prot), cp_flags);
			else
				new = __pmd(pte_val(vmsim__kind_change_prot(vma, addr, __pte(pmd_val(old)), cp_flags)));
			if (!pmd_same(old, new)) {
				set_huge_pte_at(mm, addr, pmdp, new);
				if (pmd_none(old))
					vmsim__kind_note_vma(vma, __pte(pmd_val(new)));
				pages++;
			}
			vmsim_unlock(vm, ptl);
		}
		/* flush_hugetlb_tlb_range() over the adjusted range if a table
		 * was unshared, else over the range itself. */
		if (shared_pmd)
			vmsim__flush_pmd_tlb_range(mm, fstart, fend);
		else
			vmsim__flush_pmd_tlb_range(mm, start, end);
		tlb_finish_mmu(&utlb);
	}
	vmsim_unlock(vm, &vma->vm_file->i_mmap_rwsem);
	return pages;
}

/* ---- mremap ---- */

/* move_hugetlb_page_tables(): entries move one by one; a shared table is
 * unshared first (the new place gets its own).  The bytes whose entries
 * moved: len, unless a table for the new place could not be had. */
uint64_t vmsim__move_hugetlb_page_tables(struct vm_area_struct *ov, struct vm_area_struct *nv, uint64_t old,
					 uint64_t new, uint64_t len)
{
	struct vmsim_mm *mm = ov->vm_mm;
	struct vmsim *vm = mm->vm;
	uint64_t fstart = old, fend = old + len, i;
	struct mmu_gather tlb;
	int err = 0;

	vmsim__adjust_range_if_pmd_sharing_possible(ov, &fstart, &fend);
	tlb_gather_mmu(&tlb, mm, false);
	vmsim_lock(vm, &ov->vm_file->i_mmap_rwsem);
	for (i = 0; i < len && !err; i += PMD_SIZE) {
		pmd_t *src = hugetlb_walk(mm, old + i), *dst, pte;
		struct vmsim_lock *ptl;

		if (!src || pmd_none(pmdp_get(src)))
			continue;
		ptl = vmsim__pmd_lockptr(vm, src);
		vmsim_lock(vm, ptl);
		if (vmsim__huge_pmd_unshare(&tlb, ov, old + i, src)) {
			vmsim_unlock(vm, ptl);
			i = ((old + i) | (PUD_SIZE - 1)) + 1 - PMD_SIZE - old;
			continue;
		}
		vmsim_unlock(vm, ptl);
		dst = huge_pte_alloc(nv, new + i);
		if (!dst) {
			err = -ENOMEM;
			break;
		}
		pte = pmdp_get(src);
		set_huge_pte_at(mm, old + i, src, __pmd(0));
		pte = __pmd(pte_val(vmsim__kind_move(ov, nv, old + i, __pte(pmd_val(pte)))));
		if (!pmd_none(pte))
			set_huge_pte_at(mm, new + i, dst, pte);
	}
	tlb_flush_mmu(&tlb);
	vmsim_unlock(vm, &ov->vm_file->i_mmap_rwsem);
	tlb_finish_mmu(&tlb);
	vmsim__flush_pmd_tlb_range(mm, fstart, fend);
	return err ? i : len;
}

/* ---- pagemap ---- */

/* pagemap_hugetlb_range(): present, file, exclusive (mapped once and not
 * through a shared PMD table) and uffd-wp; nothing else. */
uint64_t vmsim__pagemap_hugetlb(struct vm_area_struct *vma, uint64_t addr)
{
	struct vmsim *vm = vma->vm_mm->vm;
	pmd_t *pmdp = hugetlb_walk(vma->vm_mm, addr), pte;
	uint64_t flags = 0, frame = 0;

	if (vma->vm_flags & VM_SOFTDIRTY)
		flags |= PM_SOFT_DIRTY;
	if (!pmdp)
		return flags;
	pte = pmdp_get(pmdp);
	if (pmd_present(pte) && pmd_leaf(pte)) {
		struct vmsim_page *folio = vmsim__pmd_page(vm, pte);

		if (!folio_test_anon(folio))
			flags |= PM_FILE;
		if (!vmsim__folio_maybe_mapped_shared(vm, folio) && !hugetlb_pmd_shared(vm, pmdp))
			flags |= PM_MMAP_EXCLUSIVE;
		flags |= vmsim__kind_pmd_pagemap(vma, addr, pte) & PM_UFFD_WP;
		flags |= PM_PRESENT;
		frame = pmd_pfn(pte) + ((addr & ~PMD_MASK) >> PAGE_SHIFT);
	} else if (!pmd_none(pte)) {
		flags |= vmsim__kind_pagemap(vma, addr, __pte(pmd_val(pte))) & PM_UFFD_WP;
	}
	return (frame & PM_PFRAME_MASK) | flags;
}

/* ---- userfaultfd ---- */

/* hugetlb_mfill_atomic_pte(): UFFDIO_COPY (src or byte fill) or
 * UFFDIO_CONTINUE (is_continue) of the huge page at addr; wp maps it
 * protected as MM_CP_UFFD_WP would.  0, -EEXIST, -EFAULT, -ENOMEM. */
int vmsim__hugetlb_mfill_atomic_pte(struct vm_area_struct *vma, uint64_t addr, const unsigned char *src,
				    int byte, bool is_continue, bool wp)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_file *f = vma->vm_file;
	bool shared = vma->vm_flags & VM_SHARED, in_cache = false;
	uint64_t haddr = addr & PMD_MASK, idx = vma_hugecache_offset(vma, haddr);
	pmd_t *pmdp = huge_pte_alloc(vma, haddr), entry;
	struct vmsim_page *folio;
	struct vmsim_lock *ptl;

	if (!pmdp)
		return -ENOMEM;
	if (!is_continue && !pte_none_mostly(__pte(pmd_val(pmdp_get(pmdp)))))
		return -EEXIST;
	if (is_continue) {
		folio = hugetlb_pagecache(f, idx);
		if (!folio)
			return -EFAULT;
		vmsim_get_page(vm, folio);
		/* filemap_lock_hugetlb_folio(): locked until the entry is in
		 * (the i_rwsem a truncation takes is not held here, so it is
		 * looked at again under the lock). */
		if (vmsim__folio_lock(vm, folio)) {
			vmsim_put_page(vm, folio);
			return -EFAULT;
		}
		if (hugetlb_pagecache(f, idx) != folio) {
			vmsim__folio_unlock(vm, folio);
			vmsim_put_page(vm, folio);
			return -EFAULT;
		}
		in_cache = true;
	} else {
		if (shared && hugetlb_pagecache(f, idx))
			return -EEXIST;
		folio = alloc_hugetlb_folio(vma, haddr, false);
		if (!folio)
			return -ENOMEM;
		for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
			if (src)
				vmsim_frame_write(vm, &folio[i], 0, src + i * PAGE_SIZE, PAGE_SIZE);
			else
				vmsim_frame_fill(vm, &folio[i], 0, byte, PAGE_SIZE);
		}
		if (shared) {
			if (idx >= (f->i_size >> PMD_SHIFT) || vmsim__filemap_add_folio(f, idx << HPAGE_PMD_ORDER, folio)) {
				vmsim_put_page(vm, folio);
				return -EFAULT;
			}
			vmsim_page_clear(folio, PG_private);
			vmsim_get_page(vm, folio);
			in_cache = true;
		} else if (vmsim__anon_vma_prepare(vma)) {
			vmsim_put_page(vm, folio);
			return -ENOMEM;
		}
	}
	ptl = vmsim__pmd_lockptr(vm, pmdp);
	vmsim_lock(vm, ptl);
	if (!pte_none_mostly(__pte(pmd_val(pmdp_get(pmdp))))) {
		vmsim_unlock(vm, ptl);
		if (is_continue)
			vmsim__folio_unlock(vm, folio);
		vmsim_put_page(vm, folio);
		return -EEXIST;
	}
	if (in_cache) {
		vmsim__hugetlb_add_rmap(vma, folio);
	} else {
		vmsim__hugetlb_add_new_anon_rmap(vma, folio, haddr);
		vmsim_page_clear(folio, PG_private);
	}
	entry = pmd_mkdirty(make_huge_pte(vma, folio, !(wp || (is_continue && !shared))));
	if (wp)
		entry = vmsim__kind_pmd_change_prot(vma, entry, MM_CP_UFFD_WP);
	set_huge_pte_at(mm, haddr, pmdp, entry);
	vmsim_unlock(vm, ptl);
	if (is_continue)
		vmsim__folio_unlock(vm, folio);
	return 0;
}

/* UFFDIO_POISON on hugetlb: an entry (the poison marker) in a strictly none
 * slot, else -EEXIST. */
int vmsim__hugetlb_install_entry(struct vm_area_struct *vma, uint64_t addr, pte_t entry)
{
	struct vmsim_mm *mm = vma->vm_mm;
	pmd_t *pmdp = huge_pte_alloc(vma, addr & PMD_MASK);
	struct vmsim_lock *ptl;
	int err = 0;

	if (!pmdp)
		return -ENOMEM;
	ptl = vmsim__pmd_lockptr(mm->vm, pmdp);
	vmsim_lock(mm->vm, ptl);
	if (!pmd_none(pmdp_get(pmdp)))
		err = -EEXIST;
	else
		set_huge_pte_at(mm, addr, pmdp, __pmd(pte_val(entry)));
	vmsim_unlock(mm->vm, ptl);
	if (!err)
		vmsim__kind_note_vma(vma, entry);
	return err;
}
