/* Memory failure: a frame with an uncorrectable error is taken out of use
 * for good.  Follows mm/memory-failure.c of Linux 6.18 (memory_failure,
 * take_page_off_buddy, hwpoison_user_mappings and the page-state table:
 * me_pagecache_clean/dirty, me_swapcache_clean/dirty): a free frame leaves
 * the free lists; a mapped page is unmapped with hwpoison entries (a
 * clean disk page with plain none ptes, since it can be read again; a
 * swap-cache page with swap entries); a clean disk page leaves the page
 * cache, a shmem one stays there poisoned; a dirty swap-cache page stays
 * poisoned in the swap cache, a clean one leaves it.  Simplified: no
 * early kill (vm.memory_failure_early_kill is 0: processes learn of the
 * error when they touch it), no huge pages, no unpoison.  Frames the
 * kernel owns (page tables, the zero page) are refused without being
 * marked.  The poisoned frames are given back when the machine is freed. */
#include "mm_internal.h"

static int poison_in_use(struct vmsim *vm, struct vmsim_page *p)
{
	unsigned flags = TTU_IGNORE_MLOCK | TTU_HWPOISON;
	bool swapcache = vmsim_page_test(p, PG_swapcache);
	struct vmsim_file *f = folio_test_anon(p) ? NULL : folio_file(p);

	/* The error's reference: the frame is never freed while we run. */
	vmsim_get_page(vm, p);
	if (!vmsim__folio_trylock(vm, p)) {
		/* A migration holds it: memory_failure waits; finish it. */
		vmsim_put_page(vm, p);
		return -EBUSY;
	}
	vmsim_page_set(p, PG_hwpoison);
	if (p->mapcount > 0) {
		if (swapcache) {
			flags &= ~TTU_HWPOISON;	/* "keeping poisoned page in swap cache" */
		} else if (f && f->kind == VMSIM_FILE_DISK && !vmsim_page_test(p, PG_dirty)) {
			/* A clean page of a file that can be read again is just
			 * dropped, unless a pte had dirtied it. */
			if (vmsim__folio_mkclean(vm, p))
				vmsim_page_set(p, PG_dirty);
			else
				flags &= ~TTU_HWPOISON;
		}
		vmsim__try_to_unmap(vm, p, flags);
	}
	if (swapcache) {
		if (vmsim_page_test(p, PG_dirty)) {
			/* me_swapcache_dirty(): kept, so a swap-in finds it. */
			vmsim_page_clear(p, PG_dirty);
			vmsim_page_clear(p, PG_uptodate);
		} else {
			vmsim__delete_from_swap_cache(vm, p);	/* me_swapcache_clean() */
		}
	} else if (f && f->kind == VMSIM_FILE_DISK) {
		vmsim__filemap_remove_folio(p);		/* truncate_error_folio() */
	}
	/* delete_from_lru_cache(): reclaim must never see it again. */
	if (vmsim__folio_isolate_lru(vm, p))
		vmsim_put_page(vm, p);
	vmsim__folio_unlock(vm, p);
	return 0;
}

int vmsim_memory_failure(struct vmsim *vm, unsigned long pfn)
{
	struct vmsim_page *p;
	int err;

	if (!vm || !(p = vmsim_pfn_to_page(vm, pfn)))
		return -EINVAL;
	if (vmsim_page_test(p, PG_hwpoison))
		return -EHWPOISON;
	if (vmsim_page_test(p, PG_reserved) || vmsim_page_test(p, PG_table) || vmsim_page_test(p, PG_zero))
		return -EBUSY;
	/* A THP is split first and only the page hit is poisoned
	 * (try_to_split_thp_page()); hugetlb and persistent memory have
	 * their own handlers, not modelled: busy. */
	if (vmsim_page_test(vmsim_compound_head(p), PG_head)) {
		struct vmsim_page *folio = vmsim_compound_head(p);

		if (!folio_test_anon(folio) || vmsim_page_test(folio, PG_hugetlb) || vmsim__split_folio(vm, folio)) {
			vmsim__mm_op_done(vm);
			return -EBUSY;
		}
	} else if (vmsim_page_test(p, PG_device)) {
		return -EBUSY;
	}
	if (p->refcount == 0) {
		/* take_page_off_buddy(): a free frame is allocated to nobody;
		 * a tail of a higher-order allocation is not ours to take. */
		if (vmsim__take_page_off_buddy(vm, p))
			return -EBUSY;
		vmsim_page_set(p, PG_hwpoison);
		err = 0;
	} else {
		err = poison_in_use(vm, p);
	}
	if (!err) {
		vm->mm_world->rst.hwpoisoned++;
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = -1, .pfn = pfn,
				  .why = "memory_failure: frame poisoned" });
	}
	vmsim__mm_op_done(vm);
	return err;
}

int vmsim_memory_failure_addr(struct vmsim_mm *mm, uint64_t addr)
{
	struct vm_area_struct *vma;
	pte_t leaf;
	bool huge;
	unsigned long pfn;

	if (!mm)
		return -EINVAL;
	if (vmsim__mm_dead(mm))
		return -ESRCH;
	/* madvise_inject_error(): get_user_pages_fast(addr, 1, 0) first. */
	vmsim__mm_enter(mm);
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	vma = vmsim__find_vma(mm, addr & PAGE_MASK);
	if (!vma || (vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC)) == 0 ||
	    (vmsim__populate(mm, addr & PAGE_MASK, (addr & PAGE_MASK) + PAGE_SIZE, false) & VM_FAULT_ERROR) ||
	    !vmsim__follow_leaf(mm, addr & PAGE_MASK, &leaf, &huge, &pfn)) {
		vmsim_unlock_read(mm->vm, &mm->mmap_lock);
		vmsim__mm_op_done(mm->vm);
		return -EFAULT;
	}
	vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	return vmsim_memory_failure(mm->vm, pfn);
}

/* Machine teardown: the references memory_failure kept. */
void vmsim__hwpoison_exit(struct vmsim *vm)
{
	/* Absent sections hold no frame ever used, so none poisoned. */
	for (unsigned long pfn = vmsim__pfn_next_present(vm, 0); pfn < vm->nr_frames;
	     pfn = vmsim__pfn_next_present(vm, pfn + 1)) {
		struct vmsim_page *p = vmsim_pfn_to_page(vm, pfn);

		if (vmsim_page_test(p, PG_hwpoison) && !vmsim_page_test(p, PG_buddy) && p->refcount > 0) {
			vmsim_page_clear(p, PG_hwpoison);
			vmsim_put_page(vm, p);
		}
	}
}
