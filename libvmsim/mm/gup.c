/* pin_user_pages(FOLL_PIN | FOLL_LONGTERM): fault in, then pin by adding
 * GUP_PIN_COUNTING_BIAS to the refcount, as Linux does for small folios.
 * Follows mm/gup.c (__get_user_pages, gup_must_unshare, try_grab_folio). */
#include "mm_internal.h"

#define GUP_PIN_COUNTING_BIAS 1024

long vmsim_pin_user_pages(struct vmsim_mm *mm, uint64_t addr, unsigned long npages, bool write,
			  unsigned long *pfns)
{
	unsigned long i;

	if (!mm || (addr & ~PAGE_MASK))
		return -EINVAL;
	if (!npages)
		return 0;	/* __get_user_pages(): nothing asked, nothing done */
	if (vmsim__mm_dead(mm))
		return -ESRCH;
	vmsim__mm_enter(mm);
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	for (i = 0; i < npages; i++) {
		uint64_t a = addr + ((uint64_t)i << PAGE_SHIFT);
		struct vm_area_struct *vma = vmsim__find_vma(mm, a);
		struct vmsim_page *p = NULL;
		unsigned long pfn = 0;
		bool present = false, huge;
		pte_t pte = __pte(0);
		int tries;

		if (!vma || (write ? !(vma->vm_flags & VM_WRITE) : !(vma->vm_flags & (VM_READ | VM_WRITE))))
			break;
		for (tries = 0; tries < 4; tries++) {
			unsigned flags = 0;

			/* follow_page_mask(): a pte, or a PMD leaf (follow_huge_pmd). */
			present = vmsim__follow_leaf(mm, a, &pte, &huge, &pfn);
			if (present && !pte_protnone(pte)) {
				p = pte_special(pte) ? NULL : vmsim_pfn_to_page(mm->vm, pfn);
				if (write && !pte_write(pte))
					flags = FAULT_FLAG_WRITE;
				/* gup_must_unshare(): a read pin of a shared anon page
				 * would see a later COW go elsewhere: unshare first.
				 * A PMD leaf keeps the flag on its first page. */
				else if (!write && p && folio_test_anon(p) &&
					 !vmsim_page_test(huge ? vmsim_compound_head(p) : p, PG_anon_exclusive))
					flags = FAULT_FLAG_UNSHARE;
				else
					break;
			} else {
				flags = write ? FAULT_FLAG_WRITE : 0;
			}
			p = NULL;
			if (vmsim__handle_mm_fault(vma, a, flags, mm->cpu) & VM_FAULT_ERROR)
				break;
		}
		present = vmsim__follow_leaf(mm, a, &pte, &huge, &pfn);
		if (!p && !(present && pte_special(pte)))
			break;
		if (p) {
			/* try_grab_folio(FOLL_PIN): a small folio takes the bias on
			 * its refcount, a large one one reference and one pin. */
			struct vmsim_page *folio = vmsim_compound_head(p);

			if (vmsim_folio_test_large(folio)) {
				folio->refcount++;
				vmsim__folio_meta(mm->vm, folio)->pincount++;
			} else {
				folio->refcount += GUP_PIN_COUNTING_BIAS;
			}
			mm->flags |= MMF_HAS_PINNED;
		}
		if (pfns)
			pfns[i] = pfn;
	}
	vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	vmsim__mm_op_done(mm->vm);
	return i ? (long)i : -EFAULT;
}

int vmsim_unpin_user_pages(struct vmsim *vm, const unsigned long *pfns, unsigned long npages)
{
	unsigned long i;

	if (!vm || (!pfns && npages))
		return -EINVAL;
	/* All or nothing: take each pin off tentatively, so a frame listed
	 * more often than it is pinned is caught, and put them back if any
	 * pfn is not pinned (a user's wrong argument, not a kernel bug).  A
	 * large folio counts its pins apart (folio->_pincount). */
	for (i = 0; i < npages; i++) {
		struct vmsim_page *p = vmsim_pfn_to_page(vm, pfns[i]), *folio;

		if (p && vmsim_page_test(p, PG_zero))
			continue;	/* pinning the zero page takes no pin */
		if (!p || vmsim_page_test(p, PG_buddy))
			break;
		folio = vmsim_compound_head(p);
		if (vmsim_folio_test_large(folio)) {
			if (vmsim__folio_meta(vm, folio)->pincount <= 0)
				break;
			vmsim__folio_meta(vm, folio)->pincount--;
			continue;
		}
		if (p->refcount < GUP_PIN_COUNTING_BIAS)
			break;
		p->refcount -= GUP_PIN_COUNTING_BIAS;
	}
	if (i < npages) {
		while (i-- > 0) {
			struct vmsim_page *p = vmsim_pfn_to_page(vm, pfns[i]), *folio;

			if (vmsim_page_test(p, PG_zero))
				continue;
			folio = vmsim_compound_head(p);
			if (vmsim_folio_test_large(folio))
				vmsim__folio_meta(vm, folio)->pincount++;
			else
				p->refcount += GUP_PIN_COUNTING_BIAS;
		}
		return -EINVAL;
	}
	for (i = 0; i < npages; i++) {
		struct vmsim_page *p = vmsim_pfn_to_page(vm, pfns[i]);

		if (vmsim_page_test(p, PG_zero))
			continue;
		/* unpin_user_page(): drop the bias (a large folio's one
		 * reference) as a put, which frees at 0. */
		if (!vmsim_folio_test_large(vmsim_compound_head(p)))
			p->refcount++;
		vmsim_put_page(vm, p);
	}
	return 0;
}

/* get_user_page_vma_remote(mm, addr, FOLL_GET | FOLL_WRITE, &vma): the page
 * at addr, faulted in writable, with a reference.  check_vma_flags(): no
 * vma, VM_IO/VM_PFNMAP, or a write to a vma without VM_WRITE is -EFAULT;
 * a fault that fails is -EFAULT (-ENOMEM when out of memory); a special
 * pte (the zero page is never writable) is -EFAULT.  Caller holds
 * mmap_lock. */
int vmsim__get_user_page_write(struct vmsim_mm *mm, uint64_t addr, struct vm_area_struct **vmap,
			       struct vmsim_page **out)
{
	struct vm_area_struct *vma = vmsim__find_vma(mm, addr);

	if (!vma || (vma->vm_flags & VM_PFNMAP) || !(vma->vm_flags & VM_WRITE))
		return -EFAULT;
	for (int tries = 0; tries < 16; tries++) {
		pte_t *ptep = vmsim__pte_lookup(mm, addr);
		pte_t pte = ptep ? ptep_get(ptep) : __pte(0);
		unsigned ret;

		if (pte_present(pte) && pte_write(pte)) {
			struct vmsim_page *p = vmsim__vm_normal_page(vma, addr, pte);

			if (!p)
				return -EFAULT;
			vmsim_get_page(mm->vm, p);
			*vmap = vma;
			*out = p;
			return 0;
		}
		ret = vmsim__handle_mm_fault(vma, addr, FAULT_FLAG_WRITE | FAULT_FLAG_REMOTE, mm->cpu);
		if (ret & VM_FAULT_OOM)
			return -ENOMEM;
		if (ret & VM_FAULT_ERROR)
			return -EFAULT;
	}
	VMSIM_BUG(mm->vm, "GUP of mm%d %#llx for write: still not writable after 16 faults", mm->id,
		  (unsigned long long)addr);
	return -EFAULT;
}
