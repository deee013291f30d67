/* madvise: DONTNEED, REMOVE, WILLNEED, COLD, PAGEOUT, POPULATE_READ/WRITE,
 * GUARD_INSTALL/REMOVE.  Follows mm/madvise.c (madvise_walk_vmas,
 * madvise_dontneed_single_vma, madvise_remove, madvise_populate,
 * madvise_cold_or_pageout_pte_range, madvise_guard_install/remove) of
 * Linux 6.12-6.18.  COLD and PAGEOUT act on folios mapped only here and on
 * an LRU; PAGEOUT reclaims them at once (reclaim_pages: anon and shmem to
 * swap, which needs a swap device; clean file pages dropped, dirty ones
 * unmapped and left to writeback). */
#include <utlist.h>

#include "mm_internal.h"

static bool valid_advice(int a)
{
	switch (a) {
	case VMSIM_MADV_WILLNEED: case VMSIM_MADV_DONTNEED: case VMSIM_MADV_REMOVE:
	case VMSIM_MADV_COLD: case VMSIM_MADV_PAGEOUT: case VMSIM_MADV_POPULATE_READ:
	case VMSIM_MADV_POPULATE_WRITE: case VMSIM_MADV_GUARD_INSTALL: case VMSIM_MADV_GUARD_REMOVE:
	case VMSIM_MADV_HUGEPAGE: case VMSIM_MADV_NOHUGEPAGE: case VMSIM_MADV_COLLAPSE:
		return true;
	}
	return false;
}

/* The pte slot of *a; where no pte table exists, NULL with *a moved to the
 * last page of the hole (the caller's a += PAGE_SIZE leaves it), so range
 * walks visit the tables that exist only (walk_page_range). */
static pte_t *lookup(struct vmsim_mm *mm, uint64_t *a, uint64_t end)
{
	uint64_t next;
	pte_t *ptep = vmsim__pte_lookup_span(mm, *a, &next);

	if (!ptep)
		*a = (next > end || next < *a ? end : next) - PAGE_SIZE;
	return ptep;
}

/* MADV_GUARD_INSTALL is an install of the guard kind (mm/kind_install.c
 * follows madvise_guard_install()). */
static int guard_install(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_MIXEDMAP | VM_HUGETLB))
		return -EINVAL;
	return vmsim__kind_install_range(vma, start, end, VMSIM_KIND_GUARD_NAME, NULL);
}

/* guard_remove_pte_entry(): entries the guard kind says go are cleared. */
static int guard_remove(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	struct vmsim_mm *mm = vma->vm_mm;

	if (vma->vm_flags & (VM_PFNMAP | VM_MIXEDMAP | VM_HUGETLB))
		return -EINVAL;	/* is_valid_guard_vma() */
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		pte_t *ptep = lookup(mm, &a, end);

		if (ptep && vmsim__kind_guard_remove(mm->vm, a, ptep_get(ptep)))
			vmsim__set_pte_at(mm, a, ptep, __pte(0));
	}
	return 0;
}

/* folio_pte_batch(): how many ptes from ptep on map the folio's pages in
 * order, alike but for dirty, soft-dirty, write and young. */
static unsigned long folio_pte_batch(struct vmsim *vm, pte_t *ptep, unsigned long max_nr)
{
	const pteval_t ignore = _PAGE_DIRTY_BITS | _PAGE_SOFT_DIRTY | _PAGE_RW | _PAGE_ACCESSED;
	pte_t first = ptep_get(ptep);
	struct vmsim_page *folio = vmsim_compound_head(vmsim_pfn_to_page(vm, pte_pfn(first)));
	unsigned long nr = 1;

	for (; nr < max_nr; nr++) {
		pte_t pte = ptep_get(ptep + nr);

		if (!pte_present(pte) || pte_pfn(pte) != pte_pfn(first) + nr ||
		    vmsim_compound_head(vmsim_pfn_to_page(vm, pte_pfn(pte))) != folio ||
		    ((pte_val(pte) ^ pte_val(first)) & ~ignore & ~PTE_PFN_MASK))
			break;
	}
	return nr;
}

/* madvise_cold_or_pageout_pte_range() on large folios: a PMD leaf the range
 * covers whole is aged whole; a THP the range covers only in part is split
 * first (split_folio), unless others may map it too. */
static void cold_large_folios(struct vm_area_struct *vma, uint64_t start, uint64_t end, bool pageout)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;

	for (uint64_t addr = start, next; addr < end; addr = next) {
		struct vmsim_walk w;
		pmd_t *pmdp, pmd;

		/* Missing tables are skipped whole (walk_page_range). */
		vmsim__walk_span(mm, addr, &w, &next);
		if (next > end || next < addr)
			next = end;
		pmdp = w.level == VMSIM_LVL_PTE ? w.pmd : vmsim__walk_pmd_entry(&w);
		if (!pmdp)
			continue;
		pmd = pmdp_get(pmdp);
		if (pmd_trans_huge(pmd)) {
			struct vmsim_page *folio;

			if (!pmd_present(pmd) || vmsim__is_huge_zero_pmd(vm, pmd))
				continue;
			folio = vmsim__pmd_page(vm, pmd);
			if (vmsim__folio_maybe_mapped_shared(vm, folio))
				continue;
			if (next - addr != PMD_SIZE) {
				vmsim__split_folio(vm, folio);
				continue;	/* its ptes are aged below */
			}
			if (!pageout && pmd_young(pmd)) {
				/* Under the PMD's lock (pmd_trans_huge_lock), where
				 * truncation zaps leaves: the leaf is read again. */
				struct vmsim_lock *pl = vmsim__pmd_lockptr(vm, pmdp);
				pmd_t cur;

				vmsim_lock(vm, pl);
				cur = pmdp_get(pmdp);
				if (pmd_trans_huge(cur) && pmd_present(cur) && pmd_pfn(cur) == pmd_pfn(pmd)) {
					vmsim__pmdp_invalidate(vma, addr, pmdp);
					vmsim__set_pmd_at(mm, addr, pmdp, pmd_mkold(cur));
				}
				vmsim_unlock(vm, pl);
			}
			vmsim_page_clear(folio, PG_referenced);
			if (vmsim_page_test(folio, PG_active))
				vmsim_page_set(folio, PG_workingset);
			if (!pageout) {
				vmsim__folio_deactivate(vm, folio);
				continue;
			}
			/* MADV_PAGEOUT: the whole THP goes to reclaim. */
			if (vmsim__folio_isolate_lru(vm, folio)) {
				struct vmsim_page *list = NULL;

				DL_APPEND(list, folio);
				vmsim__reclaim_pages(vm, &list);
			}
			continue;
		}
		for (uint64_t a = addr; a < next; a += PAGE_SIZE) {
			pte_t *ptep = vmsim__pte_offset(mm, pmdp, a), pte;
			struct vmsim_page *p, *folio;
			unsigned long nr;

			if (!ptep || !pte_present(pte = ptep_get(ptep)))
				continue;
			p = vmsim__vm_normal_page(vma, a, pte);
			if (!p || !vmsim_page_test(folio = vmsim_compound_head(p), PG_head) ||
			    vmsim_page_test(folio, PG_device))
				continue;
			nr = folio_pte_batch(vm, ptep, (next - a) >> PAGE_SHIFT);
			if (nr < vmsim_folio_nr_pages(folio) && !vmsim__folio_maybe_mapped_shared(vm, folio))
				vmsim__split_folio(vm, folio);
			else
				a += (nr - 1) * PAGE_SIZE;
		}
	}
}

/* madvise_cold_or_pageout_pte_range(), one pte table at a time. */
static void cold_or_pageout_range(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start,
				  uint64_t end, bool pageout)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_page *list = NULL;
	struct vmsim_lock *ptl;
	pte_t *ptep = vmsim__pte_lookup(mm, start);

	if (!ptep)
		return;
	ptl = vmsim__pte_lockptr(vm, ptep);
	vmsim_lock(vm, ptl);
	vmsim__flush_tlb_batched_pending(mm);
	for (uint64_t a = start; a < end; a += PAGE_SIZE, ptep++) {
		pte_t pte = ptep_get(ptep);
		struct vmsim_page *p;

		if (!pte_present(pte))
			continue;
		p = vmsim__vm_normal_page(vma, a, pte);
		/* Other mappings of the folio, and folios off the LRU, are
		 * left alone; large folios were seen to above. */
		if (!p || vmsim_page_test(p, PG_head) || vmsim_page_test(p, PG_tail) ||
		    !vmsim_page_test(p, PG_lru) || p->mapcount != 1)
			continue;
		/* COLD clears the accessed bit (PAGEOUT ignores references). */
		if (!pageout && pte_young(pte)) {
			vmsim__ptep_get_and_clear(mm, a, ptep);
			vmsim__set_pte_at(mm, a, ptep, pte_mkold(pte));
			tlb_flush_pte_range(tlb, a, PAGE_SIZE);
		}
		vmsim_page_clear(p, PG_referenced);
		if (vmsim_page_test(p, PG_active))
			vmsim_page_set(p, PG_workingset);
		if (!pageout) {
			vmsim__folio_deactivate(vm, p);
			continue;
		}
		if (vmsim__folio_isolate_lru(vm, p)) {
			if (vmsim_page_test(p, PG_unevictable))
				vmsim__folio_putback_lru(vm, p);
			else
				DL_APPEND(list, p);
		}
	}
	vmsim_unlock(vm, ptl);
	if (pageout)
		vmsim__reclaim_pages(vm, &list);
}

/* madvise_cold() / madvise_pageout(): can_madv_lru_vma() refuses locked
 * and pfnmap vmas. */
static int cold_or_pageout(struct vm_area_struct *vma, uint64_t start, uint64_t end, bool pageout)
{
	struct mmu_gather tlb;

	if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP))
		return -EINVAL;
	cold_large_folios(vma, start, end, pageout);
	tlb_gather_mmu(&tlb, vma->vm_mm, false);
	for (uint64_t a = start; a < end;) {
		uint64_t next;
		/* A missing table is skipped whole (walk_page_range). */
		bool table = vmsim__pte_lookup_span(vma->vm_mm, a, &next) != NULL;

		if (next > end || next < a)
			next = end;
		if (table)
			cold_or_pageout_range(&tlb, vma, a, next, pageout);
		a = next;
	}
	tlb_finish_mmu(&tlb);
	return 0;
}

static int willneed(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	struct vmsim_file *f = vma->vm_file;

	if (!f) {
		/* swapin_walk_pmd_entry(): every swap entry of the range is
		 * read into the swap cache (the ptes stay). */
		for (uint64_t a = start; a < end; a += PAGE_SIZE) {
			struct vmsim_kind_hold h;
			struct vmsim_page *p;
			pte_t *ptep = lookup(vma->vm_mm, &a, end);
			bool new;

			if (!ptep)
				continue;
			vmsim__kind_hold(vma, ptep_get(ptep), &h);
			if (!h.swap.val || !(p = vmsim__read_swap_cache_async(vma->vm_mm->vm, h.swap, &new)))
				continue;
			vmsim_put_page(vma->vm_mm->vm, p);
		}
		return 0;
	}
	if (f->kind == VMSIM_FILE_SHMEM) {
		vmsim__shmem_swapin_range(f, linear_page_index(vma, start), linear_page_index(vma, end));
		return 0;
	}

	/* vfs_fadvise(WILLNEED): read the range into the page cache. */
	if (!f || f->kind != VMSIM_FILE_DISK)
		return 0;
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		uint64_t pgoff = linear_page_index(vma, a);
		struct vmsim_page *p;

		if (pgoff * PAGE_SIZE >= f->i_size)
			break;
		if (!vmsim__filemap_get(f, pgoff) && !vmsim__filemap_fault(f, pgoff, &p, false))
			vmsim_put_page(f->vm, p);
	}
	return 0;
}

/* madvise_update_vma(): new flags for [start, end) of vma, splitting it
 * there (and a PMD leaf across a new boundary) and merging what it can. */
static int madvise_update_vma(struct vm_area_struct *vma, uint64_t start, uint64_t end, unsigned long new_flags)
{
	struct vmsim_mm *mm = vma->vm_mm;
	int err;

	if (new_flags == vma->vm_flags)
		return 0;
	if (start > vma->vm_start) {
		err = vmsim__split_vma(mm, vma, start);
		if (err)
			return err;
		vma = vma->next;
	}
	if (end < vma->vm_end) {
		err = vmsim__split_vma(mm, vma, end);
		if (err)
			return err;
	}
	vmsim__vma_start_write(vma);	/* vm_flags_reset() */
	vma->vm_flags = new_flags;
	vmsim__vma_try_merge(mm, vma);
	return 0;
}

/* hugepage_madvise(): MADV_HUGEPAGE and MADV_NOHUGEPAGE exclude each other. */
static int hugepage_madvise(struct vm_area_struct *vma, uint64_t start, uint64_t end, int advice)
{
	unsigned long flags = vma->vm_flags;

	if (advice == VMSIM_MADV_HUGEPAGE)
		flags = (flags & ~VM_NOHUGEPAGE) | VM_HUGEPAGE;
	else
		flags = (flags & ~VM_HUGEPAGE) | VM_NOHUGEPAGE;
	return madvise_update_vma(vma, start, end, flags);
}

static int advise_one(struct vm_area_struct *vma, uint64_t start, uint64_t end, int advice)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct mmu_notifier_range range;
	struct mmu_gather tlb;

	switch (advice) {
	case VMSIM_MADV_HUGEPAGE:
	case VMSIM_MADV_NOHUGEPAGE:
		return hugepage_madvise(vma, start, end, advice);
	case VMSIM_MADV_COLLAPSE:
		return vmsim__madvise_collapse(vma, start, end);
	case VMSIM_MADV_DONTNEED:
		if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP))
			return -EINVAL;
		/* madvise_dontneed_free_valid_vma(): whole huge pages only. */
		if (is_vm_hugetlb_page(vma)) {
			if (start & ~PMD_MASK)
				return -EINVAL;
			end &= PMD_MASK;
			if (end <= start)
				return 0;
		}
		vmsim__userfaultfd_remove(vma, start, end);
		/* zap_page_range_single(): MMU_NOTIFY_CLEAR. */
		mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, start, end);
		vmsim__zap_begin(vma, &range.start, &range.end);
		tlb_gather_mmu(&tlb, mm, false);
		mmu_notifier_invalidate_range_start(&range);
		vmsim__zap_page_range(&tlb, vma, start, end, NULL);
		mmu_notifier_invalidate_range_end(&range);
		vmsim__zap_end(vma, NULL);
		tlb_finish_mmu(&tlb);
		return 0;
	case VMSIM_MADV_REMOVE:
		if (vma->vm_flags & VM_LOCKED)
			return -EINVAL;
		if (!vma->vm_file)
			return -EINVAL;
		if ((vma->vm_flags & (VM_SHARED | VM_MAYWRITE)) != (VM_SHARED | VM_MAYWRITE))
			return -EACCES;
		vmsim__userfaultfd_remove(vma, start, end);
		{
			/* madvise_remove(): fallocate takes inode_lock, which
			 * nests outside mmap_lock, so mmap_lock is dropped
			 * around it (the caller looks the vmas up again). */
			struct vmsim_file *f = vma->vm_file;
			uint64_t off = linear_page_index(vma, start) << PAGE_SHIFT;
			int err;

			vmsim__file_get(f);
			vmsim__mmap_write_unlock(mm);
			err = vmsim__file_punch(f, off, end - start);
			vmsim__mmap_write_lock(mm);
			vmsim__file_put(f);
			return err;
		}
	case VMSIM_MADV_WILLNEED:
		return willneed(vma, start, end);
	case VMSIM_MADV_COLD:
		return cold_or_pageout(vma, start, end, false);
	case VMSIM_MADV_PAGEOUT:
		return cold_or_pageout(vma, start, end, true);
	case VMSIM_MADV_GUARD_INSTALL:
		return guard_install(vma, start, end);
	case VMSIM_MADV_GUARD_REMOVE:
		return guard_remove(vma, start, end);
	}
	return -EINVAL;
}

/* madvise_populate() -> faultin_page_range() -> __get_user_pages() with
 * FOLL_MADV_POPULATE: not a vma walk but GUP over the whole range, which
 * stops at the first problem, after populating what came before it: no
 * vma -> ENOMEM; check_vma_flags() refusing the vma (no VM_WRITE for a
 * write, no VM_READ for a read, VM_IO/VM_PFNMAP) -> EINVAL; a fault that
 * fails (SIGBUS past EOF, SIGSEGV on a guard marker) -> EFAULT, but a
 * poisoned page or marker -> EHWPOISON (faultin_page_range() asks for
 * FOLL_HWPOISON, and vm_fault_to_errno() honours it). */
static int madvise_populate(struct vmsim_mm *mm, uint64_t start, uint64_t end, bool write)
{
	for (uint64_t a = start; a < end;) {
		struct vm_area_struct *v = vmsim__find_vma(mm, a);
		uint64_t e;
		unsigned ret;

		if (!v)
			return -ENOMEM;
		if ((v->vm_flags & VM_PFNMAP) || !(v->vm_flags & (write ? VM_WRITE : VM_READ)))
			return -EINVAL;
		e = v->vm_end < end ? v->vm_end : end;
		ret = vmsim__populate(mm, a, e, write);
		if (ret & VM_FAULT_OOM)
			return -ENOMEM;
		if (ret & VM_FAULT_HWPOISON)
			return -EHWPOISON;
		if (ret)
			return -EFAULT;
		a = e;
	}
	return 0;
}

int vmsim_madvise(struct vmsim_mm *mm, uint64_t start, uint64_t len, int advice)
{
	struct vm_area_struct *v;
	uint64_t end, a;
	int err = 0, unmapped = 0;
	bool write;

	if (!mm || !valid_advice(advice))
		return -EINVAL;
	if (vmsim__mm_dead(mm))
		return -ESRCH;
	if (start & ~PAGE_MASK)
		return -EINVAL;
	/* PAGE_ALIGN(len_in): a length that rounds up to 0 wrapped. */
	if (len && !((len + PAGE_SIZE - 1) & PAGE_MASK))
		return -EINVAL;
	len = (len + PAGE_SIZE - 1) & PAGE_MASK;
	end = start + len;
	if (end < start)
		return -EINVAL;
	if (end == start)
		return 0;
	vmsim__mm_enter(mm);
	if (advice == VMSIM_MADV_POPULATE_READ || advice == VMSIM_MADV_POPULATE_WRITE) {
		/* madvise_need_mmap_write() is false for populate: GUP runs under
		 * the read lock, which a userfault drops while its handler runs. */
		vmsim_lock_read(mm->vm, &mm->mmap_lock);
		err = madvise_populate(mm, start, end, advice == VMSIM_MADV_POPULATE_WRITE);
		vmsim_unlock_read(mm->vm, &mm->mmap_lock);
		vmsim__mm_op_done(mm->vm);
		return err;
	}
	/* madvise_need_mmap_write(): WILLNEED, COLD and PAGEOUT only read. */
	write = advice != VMSIM_MADV_WILLNEED && advice != VMSIM_MADV_COLD && advice != VMSIM_MADV_PAGEOUT;
	if (write)
		vmsim__mmap_write_lock(mm);
	else
		vmsim_lock_read(mm->vm, &mm->mmap_lock);
	/* madvise_walk_vmas(): act on the mapped parts; a hole makes the
	 * result -ENOMEM, but only after the rest was done. */
	for (a = start; a < end;) {
		v = vmsim__find_vma(mm, a);
		if (!v) {
			struct vm_area_struct *n = NULL;

			DL_FOREACH(mm->mmap, n)
				if (n->vm_start > a)
					break;
			unmapped = 1;
			if (!n || n->vm_start >= end)
				break;
			a = n->vm_start;
			continue;
		}
		{
			uint64_t e = v->vm_end < end ? v->vm_end : end;

			err = advise_one(v, a, e, advice);
			if (err)
				break;
			a = e;
		}
	}
	if (write)
		vmsim__mmap_write_unlock(mm);
	else
		vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	vmsim__mm_op_done(mm->vm);
	if (err)
		return err;
	return unmapped ? -ENOMEM : 0;
}
