/* madvise: DONTNEED, REMOVE, WILLNEED, COLD, PAGEOUT, POPULATE_READ/WRITE,
 * GUARD_INSTALL/REMOVE.  Follows mm/madvise.c (madvise_walk_vmas,
 * madvise_dontneed_single_vma, madvise_remove, madvise_populate,
 * madvise_guard_install/remove) of Linux 6.12-6.18.  PAGEOUT reclaims only
 * clean-able disk-file pages: there is no swap yet, as on the host. */
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
		pte_t *ptep = vmsim__pte_lookup(mm, a);

		if (ptep && vmsim__kind_guard_remove(mm->vm, ptep_get(ptep)))
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
		pmd_t *pmdp, pmd;

		next = (addr | (PMD_SIZE - 1)) + 1;
		if (next > end || next < addr)
			next = end;
		pmdp = vmsim__pmd_lookup(mm, addr);
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
				vmsim__pmdp_invalidate(vma, addr, pmdp);
				vmsim__set_pmd_at(mm, addr, pmdp, pmd_mkold(pmd));
			}
			vmsim_page_clear(folio, PG_referenced);
			vmsim_page_clear(folio, PG_active);
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

static int cold(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	struct vmsim_mm *mm = vma->vm_mm;

	cold_large_folios(vma, start, end, false);

	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		pte_t *ptep = vmsim__pte_lookup(mm, a);
		struct vmsim_page *p;
		pte_t pte;

		if (!ptep || !pte_present(pte = ptep_get(ptep)))
			continue;
		p = vmsim__vm_normal_page(vma, a, pte);
		/* Shared pages are left alone: others may still use them. */
		if (!p || vmsim__folio_maybe_mapped_shared(mm->vm, vmsim_compound_head(p)))
			continue;
		if (pte_young(pte)) {
			vmsim__set_pte_at(mm, a, ptep, pte_mkold(pte));
			vmsim__flush_tlb_page(mm, a);
		}
		vmsim_page_clear(p, PG_referenced);
		vmsim_page_clear(p, PG_active);
	}
	return 0;
}

static int pageout(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	struct zap_details d = { .even_cows = false };

	cold(vma, start, end);
	/* Only pages mapped here alone, of a disk file: unmap, write back,
	 * drop.  Anonymous and shmem pages would need swap. */
	if (!vma->vm_file || vma->vm_file->kind != VMSIM_FILE_DISK)
		return 0;
	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		pte_t *ptep = vmsim__pte_lookup(vma->vm_mm, a);
		struct vmsim_page *p;
		struct mmu_gather tlb;

		if (!ptep || !pte_present(ptep_get(ptep)))
			continue;
		p = vmsim__vm_normal_page(vma, a, ptep_get(ptep));
		if (!p || folio_test_anon(p) || p->mapcount != 1)
			continue;
		d.single_folio = p;
		tlb_gather_mmu(&tlb, vma->vm_mm, false);
		vmsim__zap_page_range(&tlb, vma, a, a + PAGE_SIZE, &d);
		tlb_finish_mmu(&tlb);
	}
	vmsim_file_drop_caches(vma->vm_file);
	return 0;
}

static int willneed(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	struct vmsim_file *f = vma->vm_file;

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
		tlb_gather_mmu(&tlb, mm, false);
		vmsim__zap_page_range(&tlb, vma, start, end, NULL);
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
		return vmsim__file_punch(vma->vm_file, linear_page_index(vma, start) << PAGE_SHIFT, end - start);
	case VMSIM_MADV_WILLNEED:
		return willneed(vma, start, end);
	case VMSIM_MADV_COLD:
		if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP))
			return -EINVAL;
		return cold(vma, start, end);
	case VMSIM_MADV_PAGEOUT:
		if (vma->vm_flags & (VM_LOCKED | VM_PFNMAP))
			return -EINVAL;
		return pageout(vma, start, end);
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
 * fails (SIGBUS past EOF, SIGSEGV on a guard marker) -> EFAULT. */
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

	if (!mm || !valid_advice(advice))
		return -EINVAL;
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
	vmsim_lock(mm->vm, &mm->mmap_lock);
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
	vmsim_unlock(mm->vm, &mm->mmap_lock);
	vmsim__mm_op_done(mm->vm);
	if (err)
		return err;
	return unmapped ? -ENOMEM : 0;
}
