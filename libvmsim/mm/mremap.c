/* mremap to a fixed address, moving page-table entries rather than
 * faulting them again.  Follows mm/mremap.c (mremap_to, move_vma,
 * move_page_tables, move_ptes, move_soft_dirty_pte) for
 * MREMAP_MAYMOVE|MREMAP_FIXED with an unchanged length. */
#include <utlist.h>

#include "mm_internal.h"

/* A moved entry is soft-dirty: the new address was never seen clean. */
static pte_t move_soft_dirty_pte(pte_t pte)
{
	if (pte_present(pte))
		return pte_mksoft_dirty(pte);
	if (is_swap_pte(pte))
		return pte_swp_mksoft_dirty(pte);
	return pte;
}

/* move_ptes(): each entry of [old, old + len), within one pte table,
 * goes to its new slot; what its kind keeps only for this vma (uffd-wp
 * state when the context has no EVENT_REMAP, 6.13+) is dropped on the way.
 * The bytes whose entries moved: len, unless a table for the new place
 * could not be had. */
static uint64_t move_ptes(struct vm_area_struct *ov, struct vm_area_struct *nv, uint64_t old, uint64_t new,
			  uint64_t len)
{
	struct vmsim_mm *mm = ov->vm_mm;
	uint64_t i = 0, next;
	pte_t *src = vmsim__pte_lookup_span(mm, old, &next);

	/* Reclaim may still owe a flush of the old ptes' translations. */
	vmsim__flush_tlb_batched_pending(mm);
	for (; src && i < len; i += PAGE_SIZE, src++) {
		pte_t *dst, pte;

		if (pte_none(ptep_get(src)))
			continue;
		dst = vmsim__pte_alloc(mm, new + i);
		if (!dst)
			return i;
		pte = vmsim__ptep_get_and_clear(mm, old + i, src);
		pte = vmsim__kind_move(ov, nv, old + i, move_soft_dirty_pte(pte));
		if (pte_none(pte))
			continue;
		vmsim__set_pte_at(mm, new + i, dst, pte);
		if (!pte_present(pte))
			vmsim__kind_note_vma(nv, pte);
	}
	return len;
}

/* move_page_tables(): extent by extent up to the next PMD boundary of
 * either side; a PMD leaf moves whole when the extent is a whole aligned
 * PMD on both sides, and is split otherwise.  Only the source tables that
 * exist are walked.  The bytes of [old, old + len) whose entries moved:
 * len, unless a table for the new place could not be had. */
static uint64_t move_page_tables(struct vm_area_struct *ov, struct vm_area_struct *nv, uint64_t old, uint64_t new,
				 uint64_t len)
{
	struct vmsim_mm *mm = ov->vm_mm;
	struct mmu_notifier_range range;
	uint64_t i, extent, moved;

	if (is_vm_hugetlb_page(ov))
		return vmsim__move_hugetlb_page_tables(ov, nv, old, new, len);
	vmsim__dax_unshare_range(ov, old, old + len);
	/* The old range is MMU_NOTIFY_UNMAP. */
	mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, mm, old, old + len);
	mmu_notifier_invalidate_range_start(&range);
	for (i = 0; i < len; i += extent) {
		uint64_t o = old + i, n = new + i, next;
		pmd_t *old_pmd;

		extent = PMD_SIZE - (o & ~PMD_MASK);
		if (PMD_SIZE - (n & ~PMD_MASK) < extent)
			extent = PMD_SIZE - (n & ~PMD_MASK);
		if (len - i < extent)
			extent = len - i;
		old_pmd = vmsim__pmd_lookup(mm, o);
		if (!old_pmd) {
			/* A missing upper table is skipped whole. */
			vmsim__pte_lookup_span(mm, o, &next);
			extent = next > o && next - o < len - i ? next - o : len - i;
			continue;
		}
		if (pmd_trans_huge(pmdp_get(old_pmd))) {
			if (extent == PMD_SIZE) {
				pmd_t *new_pmd = vmsim__pmd_alloc(mm, n);

				if (!new_pmd)
					break;
				/* The allocation may have moved nothing, but refetch. */
				old_pmd = vmsim__pmd_lookup(mm, o);
				if (vmsim__move_huge_pmd(ov, nv, o, n, old_pmd, new_pmd))
					continue;
			}
			vmsim__split_huge_pmd(ov, old_pmd, o);
		}
		moved = move_ptes(ov, nv, o, n, extent);
		if (moved < extent) {
			i += moved;
			break;
		}
	}
	vmsim__flush_tlb_range(mm, old, old + len);
	mmu_notifier_invalidate_range_end(&range);
	return i < len ? i : len;
}

/* mremap_to() + move_vma() for [old, old + old_len), which lies in one vma
 * (check_prep_vma: EFAULT otherwise), to new.  Caller holds mmap_lock. */
static int mremap_to(struct vmsim_mm *mm, uint64_t old, uint64_t old_len, uint64_t new)
{
	struct vm_area_struct *vma, *nv;
	uint64_t new_len = old_len, moved;
	struct vmsim_uffd_unmap *uf = NULL;
	void *uctx;
	int err;

	vma = vmsim__find_vma(mm, old);
	if (!vma || old_len > vma->vm_end - old)
		return -EFAULT;
	/* mremap_to() unmaps the target first. */
	err = vmsim__do_munmap(mm, new, new + new_len);
	if (err)
		return err;
	vma = vmsim__find_vma(mm, old);
	if (old > vma->vm_start && (err = vmsim__split_vma(mm, vma, old)))
		return err;
	vma = vmsim__find_vma(mm, old);
	if (old + old_len < vma->vm_end && (err = vmsim__split_vma(mm, vma, old + old_len)))
		return err;
	/* move_vma(): the source is write-locked before its entries move
	 * (the new vma is, as it is linked). */
	vmsim__vma_start_write(vma);
	/* copy_vma(): same file offset, flags and anon_vmas at the new place. */
	nv = vmsim__vma_alloc(mm);
	if (!nv)
		return -ENOMEM;
	nv->vm_start = new;
	nv->vm_end = new + new_len;
	nv->vm_flags = vma->vm_flags;
	nv->vm_page_prot = vma->vm_page_prot;
	nv->vm_pgoff = vma->vm_pgoff;
	nv->vm_file = vma->vm_file;
	nv->vm_kinds = vma->vm_kinds;
	if (is_vm_hugetlb_page(vma)) {
		/* copy_vma() calls vm_ops->open(). */
		nv->vm_private_data = vma->vm_private_data;
		vmsim__hugetlb_vm_open(nv, false);
	}
	vmsim__dax_vma_open(nv);
	/* mremap_userfaultfd_prep(): the new vma stays registered only if
	 * the context asked for UFFD_EVENT_REMAP. */
	uctx = vmsim__mremap_userfaultfd_prep(nv, vma);
	vmsim__vma_set_page_prot(nv);
	if (vmsim__anon_vma_clone(nv, vma)) {
		vmsim__vma_free(mm->vm, nv);
		return -ENOMEM;
	}
	vmsim__vma_link(mm, nv);
	moved = move_page_tables(vma, nv, old, new, old_len);
	if (moved < old_len) {
		/* move_vma(): move the entries back (their tables are still
		 * there, so this cannot fail) and unmap the new area instead. */
		move_page_tables(nv, vma, new, old, moved);
		vmsim__do_munmap(mm, new, new + new_len);
		vma = vmsim__find_vma(mm, old);
		if (vma)
			vmsim__vma_try_merge(mm, vma);
		return -ENOMEM;
	}
	/* do_mremap()'s end: the old range's unmap events come after the
	 * context hears of the move (mremap_userfaultfd_complete, then
	 * userfaultfd_unmap_complete). */
	err = vmsim__do_munmap_uf(mm, old, old + old_len, &uf);
	nv = vmsim__find_vma(mm, new);
	if (nv)
		vmsim__vma_try_merge(mm, nv);
	vmsim__mremap_userfaultfd_complete(mm->vm, uctx, old, new, old_len);
	vmsim__userfaultfd_unmap_complete(mm->vm, uf);
	return err;
}

/* remap_move() (mm/mremap.c, 6.17+): a move with old_len == new_len takes
 * every vma in [start, end), each clipped to the range, and puts it at the
 * same distance from the previous one as in the source, so the gaps are
 * kept (and what is mapped in the target's gaps stays).  A range that
 * starts in a gap, or holds no vma, is EFAULT; a uffd-armed vma moves only
 * alone (vma_multi_allowed). */
static int remap_move(struct vmsim_mm *mm, uint64_t start, uint64_t end, uint64_t target)
{
	uint64_t addr = start, last_end = 0;
	bool seen = false;

	while (addr < end) {
		struct vm_area_struct *v;
		uint64_t from, len, offset;
		int err;

		DL_FOREACH(mm->mmap, v)
			if (v->vm_end > addr)
				break;
		if (!v || v->vm_start >= end)
			break;
		if (!seen && start < v->vm_start)
			return -EFAULT;
		from = v->vm_start > addr ? v->vm_start : addr;
		len = (v->vm_end < end ? v->vm_end : end) - from;
		offset = seen ? v->vm_start - last_end : 0;
		last_end = v->vm_end;
		if (v->uffd_ctx && (seen || v->vm_end < end))
			return -EFAULT;
		err = mremap_to(mm, from, len, target + offset);
		if (err)
			return err;
		seen = true;
		target += offset + len;
		addr = from + len;
	}
	return seen ? 0 : -EFAULT;
}

int vmsim_mremap(struct vmsim_mm *mm, uint64_t old, uint64_t old_len, uint64_t new_len, int flags,
		 uint64_t new)
{
	uint64_t ts;
	int err;

	if (!mm)
		return -EINVAL;
	if (vmsim__mm_dead(mm))
		return -ESRCH;
	ts = vmsim_task_size(mm->vm);
	if (flags & ~(VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED))
		return -EINVAL;
	if ((flags & VMSIM_MREMAP_FIXED) && !(flags & VMSIM_MREMAP_MAYMOVE))
		return -EINVAL;
	if (old & ~PAGE_MASK)
		return -EINVAL;
	old_len = (old_len + PAGE_SIZE - 1) & PAGE_MASK;
	new_len = (new_len + PAGE_SIZE - 1) & PAGE_MASK;
	if (!new_len)
		return -EINVAL;
	/* Only the move the scripts use is modelled. */
	if (!(flags & VMSIM_MREMAP_FIXED) || old_len != new_len)
		return -EOPNOTSUPP;
	if (new & ~PAGE_MASK)
		return -EINVAL;
	if (new_len > ts || new > ts - new_len)
		return -EINVAL;
	if (new + new_len > old && new < old + old_len)
		return -EINVAL;	/* overlapping ranges */
	vmsim__mm_enter(mm);
	vmsim__mmap_write_lock(mm);
	err = remap_move(mm, old, old + old_len, new);
	vmsim__mmap_write_unlock(mm);
	vmsim__mm_op_done(mm->vm);
	return err;
}
