/* /proc/PID/smaps of one VMA: the fields a .vms `smaps` line prints.
 * Follows fs/proc/task_mmu.c of Linux 6.18 (smap_gather_stats,
 * smaps_pte_entry, smaps_account, smaps_page_accumulate, __show_smap) for
 * 4 KiB pages.  Simplified: no PMD leaves reach this walk yet (the library
 * maps no THP), and shmem has no swapped-out pages yet (no swap device),
 * so AnonHugePages and the shmem part of Swap are 0 as Linux shows them
 * in that state; SwapPss takes each swap entry's count as 1 (no swap map). */
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

/* One mapped (or migrating) page.  A page mapped once with no other
 * reference is private and wholly ours; otherwise Pss divides it among its
 * mappers, and a non-present entry counts as "maybe shared". */
static void smaps_account(struct mem_size_stats *mss, const struct vmsim_page *page, bool dirty,
			  bool locked, bool present)
{
	uint64_t pss = PAGE_SIZE << PSS_SHIFT;
	int mapcount;

	if (folio_test_anon(page))
		mss->anonymous += PAGE_SIZE;
	mss->resident += PAGE_SIZE;
	if (page->refcount == 1 || !present) {
		smaps_page_accumulate(mss, page, PAGE_SIZE, pss, dirty, locked, present);
		return;
	}
	mapcount = page->mapcount;
	if (mapcount >= 2)
		pss /= (uint64_t)mapcount;
	smaps_page_accumulate(mss, page, PAGE_SIZE, pss, dirty, locked, mapcount < 2);
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
		/* Its kind says what it stands for: swap, or a page (pfn
		 * swap entries). */
		struct vmsim_kind_smaps ks;

		vmsim__kind_smaps(vma, pte, &ks);
		mss->swap += ks.swap;
		mss->swap_pss += ks.swap_pss;
		if (ks.has_page) {
			present = ks.present;
			page = vmsim_pfn_to_page(vm, ks.pfn);
		}
	}
	if (page)
		smaps_account(mss, page, dirty, locked, present);
}

/* shmem_swap_usage(): the file's swapped-out pages in the vma's range. */
static uint64_t shmem_swap_usage(const struct vm_area_struct *vma)
{
	(void)vma;
	return 0;	/* the page cache holds no swap entries without a swap device */
}

int vmsim_smaps(struct vmsim_mm *mm, uint64_t addr, struct vmsim_smaps *out)
{
	struct mem_size_stats mss = { 0 };
	struct vm_area_struct *vma;

	if (!mm || !out)
		return -EINVAL;
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	vma = vmsim__find_vma(mm, addr);
	if (!vma || vma->vm_start > addr) {
		vmsim_unlock_read(mm->vm, &mm->mmap_lock);
		return -ENOMEM;
	}
	/* smap_gather_stats(): shmem swap is counted for the whole range,
	 * which a private writable mapping's COW pages could hide; the walk
	 * would then count it per hole, which comes to the same while shmem
	 * cannot swap. */
	if (vma_is_shmem(vma))
		mss.swap += shmem_swap_usage(vma);
	for (uint64_t a = vma->vm_start; a < vma->vm_end; a += PAGE_SIZE) {
		pte_t *ptep = vmsim__pte_lookup(mm, a);

		if (ptep)
			smaps_pte_entry(&mss, vma, a, ptep_get(ptep));
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
