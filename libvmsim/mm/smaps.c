/* /proc/PID/smaps of one VMA: the fields a .vms `smaps` line prints.
 * Follows fs/proc/task_mmu.c of Linux 6.18 (smap_gather_stats,
 * smaps_pte_entry, smaps_pmd_entry, smaps_account with CONFIG_PAGE_MAPCOUNT,
 * smaps_page_accumulate, __show_smap).  A hugetlb vma counts only in
 * Shared/Private_Hugetlb, which no smaps line prints. */
#include "mm_internal.h"

#define PSS_SHIFT 12

struct mem_size_stats {
	uint64_t resident, shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t anonymous, anonymous_thp, swap;
	uint64_t pss, pss_locked, swap_pss;	/* << PSS_SHIFT */
};

static void smaps_page_accumulate(struct mem_size_stats *mss, const struct vmsim_page *page,
				  uint64_t size, uint64_t pss, bool dirty, bool locked, bool private)
{
	mss->pss += pss;
	if (locked)
		mss->pss_locked += pss;
	if (dirty || vmsim_page_test(page, PG_dirty)) {
		if (private)
			mss->private_dirty += size;
		else
			mss->shared_dirty += size;
	} else {
		if (private)
			mss->private_clean += size;
		else
			mss->shared_clean += size;
	}
}

/* One mapped (or migrating) page, or a whole folio mapped by a PMD
 * (compound).  A folio with no reference but this mapping is private and
 * wholly ours; otherwise each page's precise mapcount divides its Pss, and
 * a non-present entry counts as "maybe shared". */
static void smaps_account(struct vmsim *vm, struct mem_size_stats *mss, struct vmsim_page *page, bool compound,
			  bool dirty, bool locked, bool present)
{
	struct vmsim_page *folio = vmsim_compound_head(page);
	unsigned long nr = compound ? vmsim_folio_nr_pages(folio) : 1;
	uint64_t size = nr * PAGE_SIZE;

	if (folio_test_anon(folio))
		mss->anonymous += size;
	mss->resident += size;
	if (folio->refcount == 1 || !present) {
		smaps_page_accumulate(mss, folio, size, size << PSS_SHIFT, dirty, locked, present);
		return;
	}
	for (unsigned long i = 0; i < nr; i++, page++) {
		uint64_t pss = PAGE_SIZE << PSS_SHIFT;
		int mapcount = vmsim__page_mapcount(vm, page);

		if (mapcount >= 2)
			pss /= (uint64_t)mapcount;
		smaps_page_accumulate(mss, folio, PAGE_SIZE, pss, dirty, locked, mapcount < 2);
	}
}

/* smaps_pmd_entry(): a PMD leaf; the huge zero folio is in no Rss. */
static void smaps_pmd_entry(struct mem_size_stats *mss, struct vm_area_struct *vma, pmd_t pmd)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_page *folio;

	if (!pmd_present(pmd) || pmd_special(pmd) || vmsim__is_huge_zero_pmd(vm, pmd))
		return;
	folio = vmsim__pmd_page(vm, pmd);
	if (folio_test_anon(folio))
		mss->anonymous_thp += PMD_SIZE;
	smaps_account(vm, mss, folio, true, pmd_dirty(pmd), vma->vm_flags & VM_LOCKED, true);
}

static void smaps_pte_entry(struct mem_size_stats *mss, struct vm_area_struct *vma, uint64_t addr, pte_t pte)
{
	struct vmsim *vm = vma->vm_mm->vm;
	bool locked = vma->vm_flags & VM_LOCKED, present = false, dirty = false;
	struct vmsim_page *page = NULL;

	if (pte_present(pte)) {
		page = vmsim__vm_normal_page(vma, addr, pte);	/* NULL: the zero page is in no Rss */
		dirty = pte_dirty(pte);
		present = true;
	} else if (is_swap_pte(pte)) {
		/* Its kind says what it holds: a swap slot (Swap; SwapPss
		 * divides it among the slot's users), or a page (pfn swap
		 * entries: migration, device, hwpoison) counted as maybe
		 * shared, not as mapped here. */
		struct vmsim_kind_hold h;

		vmsim__kind_hold(vma, pte, &h);
		if (h.swap.val) {
			unsigned count = vmsim__swap_count(vm, h.swap);

			mss->swap += PAGE_SIZE;
			mss->swap_pss += (PAGE_SIZE << PSS_SHIFT) / (count ? count : 1);
		} else if (h.pfn != ~0UL) {
			page = vmsim_pfn_to_page(vm, h.pfn);
		}
	}
	if (page)
		smaps_account(vm, mss, page, false, dirty, locked, present);
}

/* shmem_swap_usage(): the file's swapped-out pages in the vma's range. */
static uint64_t shmem_swap_usage(const struct vm_area_struct *vma)
{
	return (uint64_t)vmsim__shmem_swapped_range(vma->vm_file, vma->vm_pgoff,
						    vma->vm_pgoff + vma_pages(vma)) << PAGE_SHIFT;
}

int vmsim_smaps(struct vmsim_mm *mm, uint64_t addr, struct vmsim_smaps *out)
{
	struct mem_size_stats mss = { 0 };
	struct vm_area_struct *vma;
	bool hole_walk = false;

	if (!mm || !out)
		return -EINVAL;
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	vma = vmsim__find_vma(mm, addr);
	if (!vma || vma->vm_start > addr) {
		vmsim_unlock_read(mm->vm, &mm->mmap_lock);
		return -ENOMEM;
	}
	/* smap_gather_stats(): a shared or read-only shmem mapping counts the
	 * file's swapped pages in its range at once (shmem_swap_usage); a
	 * private writable one may hide swapped file pages behind its COW
	 * copies, so then only holes count (smaps_pte_hole). */
	if (vma_is_shmem(vma)) {
		uint64_t swapped = shmem_swap_usage(vma);

		if (!swapped || (vma->vm_flags & VM_SHARED) || !(vma->vm_flags & VM_WRITE))
			mss.swap += swapped;
		else
			hole_walk = true;
	}
	/* walk_page_vma(): the tables that exist; a missing one is a hole
	 * (smaps_pte_hole) counted whole.  smaps_hugetlb_range() fills only
	 * the *_Hugetlb fields. */
	for (uint64_t a = vma->vm_start; a < vma->vm_end && !is_vm_hugetlb_page(vma);) {
		uint64_t next;
		struct vmsim_walk w;
		pte_t *ptep;

		vmsim__walk_span(mm, a, &w, &next);
		ptep = w.level == VMSIM_LVL_PTE ? w.pte : NULL;
		if (next > vma->vm_end || next < a)
			next = vma->vm_end;
		if (!ptep) {
			pmd_t *pmdp = vmsim__walk_pmd_entry(&w);

			if (pmdp && pmd_trans_huge(pmdp_get(pmdp)))
				smaps_pmd_entry(&mss, vma, pmdp_get(pmdp));
			else if (hole_walk)
				mss.swap += (uint64_t)vmsim__shmem_swapped_range(vma->vm_file, linear_page_index(vma, a),
										 linear_page_index(vma, next)) << PAGE_SHIFT;
			a = next;
			continue;
		}
		for (; a < next; a += PAGE_SIZE, ptep++) {
			pte_t pte = ptep_get(ptep);

			if (hole_walk && pte_none(pte)) {
				uint64_t idx = linear_page_index(vma, a);

				mss.swap += (uint64_t)vmsim__shmem_swapped_range(vma->vm_file, idx, idx + 1)
					    << PAGE_SHIFT;
				continue;
			}
			smaps_pte_entry(&mss, vma, a, pte);
		}
	}
	*out = (struct vmsim_smaps){
		.start = vma->vm_start,
		.end = vma->vm_end,
		.size = (vma->vm_end - vma->vm_start) >> 10,
		.rss = mss.resident >> 10,
		.pss = (mss.pss >> PSS_SHIFT) >> 10,
		.shared_clean = mss.shared_clean >> 10,
		.shared_dirty = mss.shared_dirty >> 10,
		.private_clean = mss.private_clean >> 10,
		.private_dirty = mss.private_dirty >> 10,
		.anonymous = mss.anonymous >> 10,
		.anon_huge_pages = mss.anonymous_thp >> 10,
		.swap = mss.swap >> 10,
		.swap_pss = (mss.swap_pss >> PSS_SHIFT) >> 10,
		.locked = (mss.pss_locked >> PSS_SHIFT) >> 10,
	};
	vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	return 0;
}
