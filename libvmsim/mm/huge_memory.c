/* Transparent huge pages mapped by a PMD leaf: when a vma may have them,
 * the anonymous huge fault and the huge zero folio, write-protect faults
 * on a PMD, fork's copy, zap, splitting a PMD into PTEs, splitting a folio
 * (and the deferred split queue), mprotect and mremap of PMD leaves.
 * Follows mm/huge_memory.c and include/linux/huge_mm.h of Linux 6.12-6.18
 * for PMD-sized THPs only (no mTHP orders, no THP in the page cache, no
 * khugepaged daemon: MADV_COLLAPSE is in khugepaged.c).  A folio split
 * happens in one step: Linux freezes the folio behind migration entries
 * while it splits, which a sequential machine cannot observe. */
#include <string.h>

#include <utlist.h>

#include "mm_internal.h"

/* ---- may this vma have THPs? (__thp_vma_allowable_orders) ---- */

bool vmsim__thp_vma_suitable(const struct vm_area_struct *vma, uint64_t addr)
{
	uint64_t haddr = addr & PMD_MASK;

	/* A file vma needs its file offset aligned like the address. */
	if (!vma_is_anonymous(vma) && (((vma->vm_start >> PAGE_SHIFT) - vma->vm_pgoff) & (HPAGE_PMD_NR - 1)))
		return false;
	return haddr >= vma->vm_start && haddr + PMD_SIZE <= vma->vm_end;
}

/* vma_thp_disabled(): MADV_NOHUGEPAGE, or the process runs with THP
 * disabled, which is what `machine thp=never` stands for with anonymous
 * memory (the kernel runner uses PR_SET_THP_DISABLE).  thp= is about
 * anonymous memory only (transparent_hugepage/enabled): DAX files keep
 * their PMD mappings under thp=never, as under enabled=never. */
static bool vma_thp_disabled(const struct vm_area_struct *vma, unsigned long vm_flags)
{
	return (vm_flags & VM_NOHUGEPAGE) ||
	       (vma->vm_mm->vm->cfg.thp == VMSIM_THP_NEVER && !vmsim__vma_is_dax(vma));
}

bool vmsim__thp_vma_allowable(const struct vm_area_struct *vma, unsigned long vm_flags, unsigned tva)
{
	const struct vmsim *vm = vma->vm_mm->vm;
	bool in_pf = tva & VMSIM_TVA_IN_PF, smaps = tva & VMSIM_TVA_SMAPS;

	/* transparent_hugepage/enabled: always, or madvise for VM_HUGEPAGE. */
	if ((tva & VMSIM_TVA_ENFORCE_SYSFS) && vma_is_anonymous(vma) &&
	    !(vm->cfg.thp == VMSIM_THP_ALWAYS || (vm->cfg.thp == VMSIM_THP_MADVISE && (vm_flags & VM_HUGEPAGE))))
		return false;
	if (vma_thp_disabled(vma, vm_flags))
		return false;
	/* khugepaged doesn't collapse DAX vmas, but a page fault is fine. */
	if (vmsim__vma_is_dax(vma))
		return in_pf;
	if (!in_pf && !smaps && (vm_flags & (VM_HUGETLB | VM_PFNMAP | VM_MIXEDMAP)))
		return false;
	if (!in_pf && !vmsim__thp_vma_suitable(vma, vma->vm_end - PMD_SIZE))
		return false;
	/* shmem_enabled is never by default and the page cache holds no
	 * large folios here: only anonymous memory and DAX get PMD leaves. */
	if (!vma_is_anonymous(vma))
		return false;
	if (!vma->anon_vma)
		return in_pf || smaps;
	return true;
}

/* ---- the huge zero folio ---- */

/* mm_get_huge_zero_folio(): one order-9 folio of zeros, allocated on the
 * first read fault that wants it and kept until the machine goes (Linux
 * frees it from a shrinker once unused). */
struct vmsim_page *vmsim__huge_zero_folio(struct vmsim *vm, bool alloc)
{
	struct vmsim_thp *thp = &mm_world(vm)->thp;
	struct vmsim_page *folio = thp->huge_zero_folio;

	if (folio || !alloc)
		return folio;
	folio = vmsim_folio_alloc(vm, HPAGE_PMD_ORDER);
	if (!folio)
		return NULL;
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		vmsim_page_set(&folio[i], PG_zero);
		vmsim_page_set(&folio[i], PG_reserved);
	}
	vmsim_page_set(folio, PG_huge_zero);
	vmsim_page_set(folio, PG_uptodate);
	thp->huge_zero_folio = folio;
	return folio;
}

bool vmsim__is_huge_zero_pmd(struct vmsim *vm, pmd_t pmd)
{
	struct vmsim_page *z = mm_world(vm)->thp.huge_zero_folio;

	return z && pmd_present(pmd) && pmd_pfn(pmd) == vmsim_page_to_pfn(vm, z);
}

void vmsim__thp_exit(struct vmsim *vm)
{
	struct vmsim_thp *thp = &mm_world(vm)->thp;
	struct vmsim_page *z = thp->huge_zero_folio;

	if (z) {
		for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
			vmsim_page_clear(&z[i], PG_reserved);
			vmsim_page_clear(&z[i], PG_zero);
		}
		vmsim_put_page(vm, z);
		thp->huge_zero_folio = NULL;
	}
	vmsim__free(vm, thp->deferred);
	thp->deferred = NULL;
	thp->nr_deferred = thp->cap_deferred = 0;
}

static pmd_t mk_huge_pmd(struct vmsim *vm, struct vmsim_page *folio, pgprot_t prot)
{
	return pmd_mkhuge(pfn_pmd(vmsim_page_to_pfn(vm, folio), prot));
}

static pmd_t maybe_pmd_mkwrite(pmd_t pmd, const struct vm_area_struct *vma)
{
	return (vma->vm_flags & VM_WRITE) ? pmd_mkwrite(pmd) : pmd;
}

static void trace_thp(struct vmsim *vm, int cpu, uint64_t addr, const char *why)
{
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_THP, .cpu = cpu,
			  .addr = addr, .end = addr + PMD_SIZE, .why = why });
}

/* ---- the anonymous huge fault ---- */

static unsigned __do_huge_pmd_anonymous_page(struct vm_fault *vmf, struct vmsim_page *folio)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim *vm = vma->vm_mm->vm;
	uint64_t haddr = vmf->address & PMD_MASK;
	struct vmsim_page *pgtable = vmsim__pte_table_alloc(vm);
	struct vmsim_lock *ptl;
	pmd_t entry;

	if (!pgtable) {
		vmsim_put_page(vm, folio);
		return VM_FAULT_OOM;
	}
	vmsim_page_set(folio, PG_uptodate);	/* folio_zero_user(): fresh frames read as zeros */
	ptl = vmsim__pmd_lockptr(vm, vmf->pmd);
	vmsim_lock(vm, ptl);
	if (!pmd_none(pmdp_get(vmf->pmd))) {
		vmsim_unlock(vm, ptl);
		vmsim__pte_table_free(vm, pgtable);
		vmsim_put_page(vm, folio);
		return 0;
	}
	/* Deliver the page fault to userland. */
	if (userfaultfd_missing(vma)) {
		vmsim_unlock(vm, ptl);
		vmsim_put_page(vm, folio);
		vmsim__pte_table_free(vm, pgtable);
		return vmsim__handle_userfault(vmf, VM_UFFD_MISSING);
	}
	entry = maybe_pmd_mkwrite(pmd_mkdirty(mk_huge_pmd(vm, folio, vma->vm_page_prot)), vma);
	vmsim__folio_add_new_anon_rmap_pmd(vma, folio, haddr);
	vmsim__folio_add_lru_vma(vma, folio);
	vmsim__pgtable_trans_huge_deposit(vma->vm_mm, vmf->pmd, pgtable);
	vmsim__set_pmd_at(vma->vm_mm, haddr, vmf->pmd, entry);
	vmsim_unlock(vm, ptl);
	vma->vm_mm->st.faults_thp++;
	trace_thp(vm, vmf->cpu, haddr, "do_huge_pmd_anonymous_page: THP");
	return 0;
}

unsigned vmsim__do_huge_pmd_anonymous_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim *vm = vma->vm_mm->vm;
	uint64_t haddr = vmf->address & PMD_MASK;
	struct vmsim_page *folio;
	unsigned ret;

	if (!vmsim__thp_vma_suitable(vma, haddr))
		return VM_FAULT_FALLBACK;
	ret = vmsim__vmf_anon_prepare(vmf);
	if (ret)
		return ret;
	vma->vm_mm->st.faults_anon++;
	/* transparent_hugepage/use_zero_page (on by default): a read maps
	 * the huge zero folio. */
	if (!(vmf->flags & FAULT_FLAG_WRITE)) {
		struct vmsim_page *pgtable = vmsim__pte_table_alloc(vm), *zero;
		struct vmsim_lock *ptl;

		ret = 0;
		if (!pgtable)
			return VM_FAULT_OOM;
		zero = vmsim__huge_zero_folio(vm, true);
		if (!zero) {
			vmsim__pte_table_free(vm, pgtable);
			return VM_FAULT_FALLBACK;
		}
		ptl = vmsim__pmd_lockptr(vm, vmf->pmd);
		vmsim_lock(vm, ptl);
		if (!pmd_none(pmdp_get(vmf->pmd))) {
			vmsim_unlock(vm, ptl);
			vmsim__pte_table_free(vm, pgtable);
		} else if (userfaultfd_missing(vma)) {
			vmsim_unlock(vm, ptl);
			vmsim__pte_table_free(vm, pgtable);
			ret = vmsim__handle_userfault(vmf, VM_UFFD_MISSING);
		} else {
			/* set_huge_zero_folio() */
			vmsim__pgtable_trans_huge_deposit(vma->vm_mm, vmf->pmd, pgtable);
			vmsim__set_pmd_at(vma->vm_mm, haddr, vmf->pmd,
					  pmd_mkspecial(mk_huge_pmd(vm, zero, vma->vm_page_prot)));
			vmsim_unlock(vm, ptl);
			trace_thp(vm, vmf->cpu, haddr, "do_huge_pmd_anonymous_page: huge zero folio");
		}
		return ret;
	}
	folio = vmsim_folio_alloc(vm, HPAGE_PMD_ORDER);
	if (!folio) {
		trace_thp(vm, vmf->cpu, haddr, "thp_fault_fallback: no free 2M block");
		return VM_FAULT_FALLBACK;
	}
	return __do_huge_pmd_anonymous_page(vmf, folio);
}

/* huge_pmd_set_accessed(): a spurious fault on a PMD leaf. */
void vmsim__huge_pmd_set_accessed(struct vm_fault *vmf)
{
	struct vmsim_mm *mm = vmf->vma->vm_mm;
	struct vmsim_lock *ptl = vmsim__pmd_lockptr(mm->vm, vmf->pmd);
	pmd_t entry;

	vmsim_lock(mm->vm, ptl);
	if (pmd_same(pmdp_get(vmf->pmd), vmf->orig_pmd)) {
		entry = pmd_mkyoung(vmf->orig_pmd);
		if (vmf->flags & FAULT_FLAG_WRITE)
			entry = pmd_mkdirty(entry);
		if (!pmd_same(entry, vmf->orig_pmd))
			vmsim__set_pmd_at(mm, vmf->address, vmf->pmd, entry);
	}
	vmsim_unlock(mm->vm, ptl);
}

/* vmf_insert_folio_pmd() + insert_pmd(): a filesystem's PMD leaf for a
 * 2 MiB folio (DAX), or the huge zero folio (special) for a DAX hole.  An
 * entry already there is only made young, dirty and writable for a write
 * to the same folio.  VM_FAULT_NOPAGE, or SIGBUS. */
unsigned vmsim__vmf_insert_folio_pmd(struct vm_fault *vmf, struct vmsim_page *folio, bool write)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	uint64_t addr = vmf->address & PMD_MASK;
	struct vmsim_lock *ptl;
	pmd_t entry, old;

	if (addr < vma->vm_start || addr >= vma->vm_end)
		return VM_FAULT_SIGBUS;
	if (VMSIM_BUG_ON(vm, !vmsim_page_test(folio, PG_head) || folio->order != HPAGE_PMD_ORDER,
			 "vmf_insert_folio_pmd: pfn %#lx is no 2M folio", vmsim_page_to_pfn(vm, folio)))
		return VM_FAULT_SIGBUS;
	ptl = vmsim__pmd_lockptr(vm, vmf->pmd);
	vmsim_lock(vm, ptl);
	old = pmdp_get(vmf->pmd);
	if (!pmd_none(old)) {
		if (write && pmd_pfn(old) == vmsim_page_to_pfn(vm, folio)) {
			entry = maybe_pmd_mkwrite(pmd_mkdirty(pmd_mkyoung(old)), vma);
			if (!pmd_same(entry, old))
				vmsim__set_pmd_at(mm, addr, vmf->pmd, entry);
		}
		vmsim_unlock(vm, ptl);
		return VM_FAULT_NOPAGE;
	}
	entry = mk_huge_pmd(vm, folio, vma->vm_page_prot);
	if (vmsim_page_test(folio, PG_huge_zero)) {
		entry = pmd_mkspecial(entry);
	} else {
		vmsim_get_page(vm, folio);
		vmsim__folio_add_file_rmap_pmd(vma, folio);
	}
	if (write)
		entry = maybe_pmd_mkwrite(pmd_mkyoung(pmd_mkdirty(entry)), vma);
	vmsim__set_pmd_at(mm, addr, vmf->pmd, entry);
	vmsim_unlock(vm, ptl);
	return VM_FAULT_NOPAGE;
}

/* do_huge_zero_wp_pmd() (6.13+): a write to the huge zero folio replaces
 * it with a new THP; without a free 2M block the PMD is split instead. */
static unsigned do_huge_zero_wp_pmd(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim *vm = vma->vm_mm->vm;
	uint64_t haddr = vmf->address & PMD_MASK;
	struct vmsim_page *folio = vmsim_folio_alloc(vm, HPAGE_PMD_ORDER);
	struct mmu_notifier_range range;
	struct vmsim_lock *ptl;

	if (!folio)
		return VM_FAULT_FALLBACK;
	vmsim_page_set(folio, PG_uptodate);
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, vma->vm_mm, haddr, haddr + PMD_SIZE);
	mmu_notifier_invalidate_range_start(&range);
	ptl = vmsim__pmd_lockptr(vm, vmf->pmd);
	vmsim_lock(vm, ptl);
	if (!pmd_same(pmdp_get(vmf->pmd), vmf->orig_pmd)) {
		vmsim_unlock(vm, ptl);
		mmu_notifier_invalidate_range_end(&range);
		vmsim_put_page(vm, folio);
		return 0;
	}
	vmsim__pmdp_huge_clear_flush(vma, haddr, vmf->pmd);
	/* map_anon_folio_pmd(); the deposited table stays where it was. */
	vmsim__folio_add_new_anon_rmap_pmd(vma, folio, haddr);
	vmsim__folio_add_lru_vma(vma, folio);
	vmsim__set_pmd_at(vma->vm_mm, haddr, vmf->pmd,
			  maybe_pmd_mkwrite(pmd_mkdirty(mk_huge_pmd(vm, folio, vma->vm_page_prot)), vma));
	vmsim_unlock(vm, ptl);
	mmu_notifier_invalidate_range_end(&range);
	vma->vm_mm->st.faults_thp++;
	trace_thp(vm, vmf->cpu, haddr, "do_huge_zero_wp_pmd: THP replaces the huge zero folio");
	return 0;
}

/* do_huge_pmd_wp_page(): reuse an exclusive THP, else split the PMD and
 * let the PTE level copy the one page (VM_FAULT_FALLBACK). */
unsigned vmsim__do_huge_pmd_wp_page(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim *vm = vma->vm_mm->vm;
	bool unshare = vmf->flags & FAULT_FLAG_UNSHARE;
	uint64_t haddr = vmf->address & PMD_MASK;
	pmd_t orig_pmd = vmf->orig_pmd;
	struct vmsim_lock *ptl = vmsim__pmd_lockptr(vm, vmf->pmd);
	struct vmsim_page *folio;

	vma->vm_mm->st.faults_wp++;
	if (vmsim__is_huge_zero_pmd(vm, orig_pmd)) {
		unsigned ret = unshare ? VM_FAULT_FALLBACK : do_huge_zero_wp_pmd(vmf);

		if (!(ret & VM_FAULT_FALLBACK))
			return ret;
		goto fallback;
	}
	vmsim_lock(vm, ptl);
	if (!pmd_same(pmdp_get(vmf->pmd), orig_pmd)) {
		vmsim_unlock(vm, ptl);
		return 0;
	}
	folio = vmsim__pmd_page(vm, orig_pmd);
	/* PageAnonExclusive, or no reference but our mapping's. */
	if (!vmsim_page_test(folio, PG_anon_exclusive)) {
		if (folio->refcount != 1) {
			vmsim_unlock(vm, ptl);
			goto fallback;
		}
		/* folio_move_anon_rmap(): the folio is ours alone now. */
		for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
			folio[i].mapping = (void *)((uintptr_t)vma->anon_vma | 1);
		vmsim_page_set(folio, PG_anon_exclusive);
	}
	if (!unshare) {
		pmd_t entry = maybe_pmd_mkwrite(pmd_mkdirty(pmd_mkyoung(orig_pmd)), vma);

		vmsim__set_pmd_at(vma->vm_mm, haddr, vmf->pmd, entry);
	}
	vmsim_unlock(vm, ptl);
	return 0;
fallback:
	vmsim__split_huge_pmd(vma, vmf->pmd, vmf->address);
	return VM_FAULT_FALLBACK;
}

/* ---- fork ---- */

/* copy_huge_pmd(): 0, -ENOMEM, or -EAGAIN when the PMD was split and the
 * PTE level must copy it (an exclusive, maybe pinned THP). */
int vmsim__copy_huge_pmd(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma, pmd_t *dst_pmd,
			 pmd_t *src_pmd, uint64_t addr)
{
	struct vmsim_mm *dst_mm = dst_vma->vm_mm, *src_mm = src_vma->vm_mm;
	struct vmsim *vm = src_mm->vm;
	struct vmsim_lock *dst_ptl, *src_ptl;
	struct vmsim_page *pgtable, *folio = NULL;
	pmd_t pmd;

	/* Skip if it can be refilled by a fault (file THP, DAX). */
	if (!vma_is_anonymous(dst_vma))
		return 0;
	pgtable = vmsim__pte_table_alloc(vm);
	if (!pgtable)
		return -ENOMEM;
	dst_ptl = vmsim__pmd_lockptr(vm, dst_pmd);
	src_ptl = vmsim__pmd_lockptr(vm, src_pmd);
	vmsim_lock(vm, dst_ptl);
	vmsim_lock(vm, src_ptl);
	pmd = pmdp_get(src_pmd);
	if (!pmd_trans_huge(pmd) || !pmd_present(pmd)) {
		vmsim_unlock(vm, src_ptl);
		vmsim_unlock(vm, dst_ptl);
		vmsim__pte_table_free(vm, pgtable);
		return -EAGAIN;
	}
	if (!vmsim__is_huge_zero_pmd(vm, pmd)) {
		folio = vmsim__pmd_page(vm, pmd);
		/* folio_try_dup_anon_rmap_pmd(): an exclusive THP that may be
		 * pinned must not be shared: split, copy at the PTE level. */
		if (vmsim_page_test(folio, PG_anon_exclusive) && (src_mm->flags & MMF_HAS_PINNED) &&
		    vmsim__folio_maybe_dma_pinned(vm, folio)) {
			vmsim_unlock(vm, src_ptl);
			vmsim_unlock(vm, dst_ptl);
			vmsim__pte_table_free(vm, pgtable);
			vmsim__split_huge_pmd(src_vma, src_pmd, addr);
			return -EAGAIN;
		}
		vmsim_get_page(vm, folio);
		vmsim_page_clear(folio, PG_anon_exclusive);
		vmsim__folio_dup_rmap_pmd(dst_vma, folio);
		dst_mm->rss[MM_ANONPAGES] += HPAGE_PMD_NR;
	}
	vmsim__pgtable_trans_huge_deposit(dst_mm, dst_pmd, pgtable);
	/* pmdp_set_wrprotect(): both sides read-only until a write COWs. */
	if (pmd_write(pmd))
		vmsim__set_pmd_at(src_mm, addr, src_pmd, pmd_wrprotect(pmd));
	pmd = vmsim__kind_pmd_bits_copy(dst_vma, src_vma, pmd, pmd_mkold(pmd_wrprotect(pmd)));
	vmsim__set_pmd_at(dst_mm, addr, dst_pmd, pmd);
	vmsim_unlock(vm, src_ptl);
	vmsim_unlock(vm, dst_ptl);
	return 0;
}

/* ---- zap ---- */

/* zap_huge_pmd(): the whole PMD leaf goes; the folio is freed after the
 * gather's flush.  Returns true when there was a leaf. */
bool vmsim__zap_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmdp, uint64_t addr)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_lock *ptl = vmsim__pmd_lockptr(vm, pmdp);
	struct vmsim_page *folio;
	pmd_t orig;

	vmsim_lock(vm, ptl);
	orig = pmdp_get(pmdp);
	if (!pmd_trans_huge(orig)) {
		vmsim_unlock(vm, ptl);
		return false;
	}
	orig = vmsim__pmdp_huge_get_and_clear(mm, addr, pmdp);
	tlb_flush_pmd_range(tlb, addr & PMD_MASK, PMD_SIZE);
	if (vmsim__is_huge_zero_pmd(vm, orig)) {
		/* Only anonymous memory deposits a table (DAX's hole does not). */
		if (vma_is_anonymous(vma))
			vmsim__zap_deposited_table(mm, pmdp);
		vmsim_unlock(vm, ptl);
		return true;
	}
	folio = vmsim__pmd_page(vm, orig);
	if (!folio_test_anon(folio) && pmd_dirty(orig))
		vmsim__folio_mark_dirty(folio);
	vmsim__folio_remove_rmap_pmd(vma, folio);
	if (folio_test_anon(folio))
		vmsim__zap_deposited_table(mm, pmdp);
	vmsim_unlock(vm, ptl);
	tlb_remove_page(tlb, folio);
	return true;
}

/* ---- splitting a PMD into PTEs ---- */

static void __split_huge_zero_page_pmd(struct vm_area_struct *vma, uint64_t haddr, pmd_t *pmdp)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	pmd_t old = vmsim__pmdp_huge_clear_flush(vma, haddr, pmdp);
	struct vmsim_page *pgtable = vmsim__pgtable_trans_huge_withdraw(mm, pmdp);
	pte_t *pte;

	if (!pgtable)
		return;
	pte = (pte_t *)vmsim_table(vm, pgtable);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++) {
		pte_t entry = pte_mkspecial(pfn_pte(vmsim_zero_pfn(vm), vma->vm_page_prot));

		entry = vmsim__kind_pmd_split_bits(vma, old, entry);
		vmsim_set_pte(vm, &pte[i], entry, haddr + i * PAGE_SIZE);
	}
	vmsim__pmd_populate(mm, pmdp, pgtable, haddr);
}

static void __split_huge_pmd_locked(struct vm_area_struct *vma, pmd_t *pmdp, uint64_t haddr)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_page *folio, *pgtable;
	bool write, young, dirty, soft_dirty, anon_exclusive;
	pmd_t old;
	pte_t entry, *pte;

	mm_world(vm)->thp.split_pmds++;
	trace_thp(vm, vm->cur_cpu, haddr, "split_huge_pmd");
	if (!vma_is_anonymous(vma)) {
		/* A file THP or DAX PMD is just unmapped: a fault refills it. */
		old = vmsim__pmdp_huge_clear_flush(vma, haddr, pmdp);
		if (vmsim__is_huge_zero_pmd(vm, old))
			return;
		folio = vmsim__pmd_page(vm, old);
		if (pmd_dirty(old))
			vmsim__folio_mark_dirty(folio);
		vmsim__folio_remove_rmap_pmd(vma, folio);
		vmsim_put_page(vm, folio);
		return;
	}
	if (vmsim__is_huge_zero_pmd(vm, pmdp_get(pmdp))) {
		__split_huge_zero_page_pmd(vma, haddr, pmdp);
		return;
	}
	/* Never let the huge and the small entries be cached at once: the PMD
	 * goes not-present and is flushed before the PTE table replaces it. */
	old = vmsim__pmdp_invalidate(vma, haddr, pmdp);
	folio = vmsim__pmd_page(vm, old);
	dirty = pmd_dirty(old);
	if (dirty)
		vmsim__folio_mark_dirty(folio);
	write = pmd_write(old);
	young = pmd_young(old);
	soft_dirty = pmd_soft_dirty(old);
	/* Each PTE will hold its own reference, and PageAnonExclusive goes
	 * to every page. */
	anon_exclusive = vmsim_page_test(folio, PG_anon_exclusive);
	folio->refcount += HPAGE_PMD_NR - 1;
	vmsim__folio_add_anon_rmap_ptes(vma, folio, HPAGE_PMD_NR, anon_exclusive);
	pgtable = vmsim__pgtable_trans_huge_withdraw(mm, pmdp);
	if (!pgtable)
		return;
	entry = pfn_pte(vmsim_page_to_pfn(vm, folio), vma->vm_page_prot);
	if (write)
		entry = pte_mkwrite(entry);
	if (!young)
		entry = pte_mkold(entry);
	if (dirty)
		entry = pte_mkdirty(entry);
	if (soft_dirty)
		entry = pte_mksoft_dirty(entry);
	entry = vmsim__kind_pmd_split_bits(vma, old, entry);
	pte = (pte_t *)vmsim_table(vm, pgtable);
	for (unsigned long i = 0; i < HPAGE_PMD_NR; i++)
		vmsim_set_pte(vm, &pte[i], __pte(pte_val(entry) + (i << PAGE_SHIFT)), haddr + i * PAGE_SIZE);
	vmsim__folio_remove_rmap_pmd(vma, folio);
	vmsim__pmd_populate(mm, pmdp, pgtable, haddr);
}

/* __split_huge_pmd(): under the PMD lock, if it still holds a THP. */
void vmsim__split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmdp, uint64_t addr)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_lock *ptl = vmsim__pmd_lockptr(vm, pmdp);
	struct mmu_notifier_range range;

	/* __split_huge_pmd(): secondary MMUs drop the huge translation. */
	mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, vma->vm_mm, addr & PMD_MASK, (addr & PMD_MASK) + PMD_SIZE);
	mmu_notifier_invalidate_range_start(&range);
	vmsim_lock(vm, ptl);
	if (pmd_trans_huge(pmdp_get(pmdp)))
		__split_huge_pmd_locked(vma, pmdp, addr & PMD_MASK);
	vmsim_unlock(vm, ptl);
	mmu_notifier_invalidate_range_end(&range);
}

void vmsim__split_huge_pmd_address(struct vm_area_struct *vma, uint64_t addr)
{
	pmd_t *pmdp = vmsim__pmd_lookup(vma->vm_mm, addr);

	if (pmdp)
		vmsim__split_huge_pmd(vma, pmdp, addr);
}

/* vma_adjust_trans_huge(): a vma boundary moving to addr inside a PMD the
 * vma maps whole splits that PMD (split_huge_pmd_if_needed). */
void vmsim__vma_adjust_trans_huge(struct vm_area_struct *vma, uint64_t addr)
{
	uint64_t lo = addr & PMD_MASK;

	if ((addr & ~PMD_MASK) && lo >= vma->vm_start && lo + PMD_SIZE <= vma->vm_end)
		vmsim__split_huge_pmd_address(vma, addr);
}

/* ---- mprotect ---- */

/* change_huge_pmd(): HPAGE_PMD_NR if the leaf changed, 0 if there was none. */
long vmsim__change_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmdp, uint64_t addr,
			    unsigned long cp_flags)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_lock *ptl = vmsim__pmd_lockptr(vm, pmdp);
	pmd_t old, entry;

	vmsim_lock(vm, ptl);
	old = pmdp_get(pmdp);
	if (!pmd_trans_huge(old)) {
		vmsim_unlock(vm, ptl);
		return 0;
	}
	entry = pmd_modify(old, vma->vm_page_prot);
	entry = vmsim__kind_pmd_change_prot(vma, entry, cp_flags);
	/* can_change_pmd_writable(): as for a pte, on the folio's head. */
	if ((cp_flags & MM_CP_TRY_CHANGE_WRITABLE) && !pmd_write(entry) && (vma->vm_flags & VM_WRITE) &&
	    ((vma->vm_flags & VM_SOFTDIRTY) || pmd_soft_dirty(entry)) &&
	    vmsim__kind_may_write(vma, __pte(pmd_val(entry))) && !(vma->vm_flags & VM_SHARED) &&
	    !vmsim__is_huge_zero_pmd(vm, entry)) {
		struct vmsim_page *folio = vmsim__pmd_page(vm, entry);

		if (folio_test_anon(folio) && vmsim_page_test(folio, PG_anon_exclusive))
			entry = pmd_mkwrite(entry);
	}
	if (!pmd_same(old, entry)) {
		/* As for a pte: LUF's debt for the vma is paid first. */
		if (!pmd_write(old) && pmd_write(entry))
			vmsim__luf_flush_vma(vma, VMSIM_LUF_PT_MKWRITE);
		vmsim__set_pmd_at(mm, addr, pmdp, entry);
		tlb_flush_pmd_range(tlb, addr & PMD_MASK, PMD_SIZE);
	}
	vmsim_unlock(vm, ptl);
	return HPAGE_PMD_NR;
}

/* ---- mremap ---- */

/* move_huge_pmd(): the leaf moves whole to new_pmd (none); its deposited
 * table follows it to the new PMD table. */
bool vmsim__move_huge_pmd(struct vm_area_struct *vma, struct vm_area_struct *new_vma, uint64_t old_addr,
			  uint64_t new_addr, pmd_t *old_pmd, pmd_t *new_pmd)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_lock *old_ptl = vmsim__pmd_lockptr(vm, old_pmd), *new_ptl = vmsim__pmd_lockptr(vm, new_pmd);
	pmd_t pmd;

	if (!pmd_none(pmdp_get(new_pmd)))
		return false;
	vmsim_lock(vm, old_ptl);
	if (!pmd_trans_huge(pmdp_get(old_pmd))) {
		vmsim_unlock(vm, old_ptl);
		return false;
	}
	if (new_ptl != old_ptl)
		vmsim_lock(vm, new_ptl);
	pmd = vmsim__pmdp_huge_get_and_clear(mm, old_addr, old_pmd);
	if (new_ptl != old_ptl) {
		struct vmsim_page *pgtable = vmsim__pgtable_trans_huge_withdraw(mm, old_pmd);

		if (pgtable)
			vmsim__pgtable_trans_huge_deposit(mm, new_pmd, pgtable);
	}
	/* move_soft_dirty_pmd(), then what the kinds keep across a move. */
	pmd = vmsim__kind_pmd_move(vma, new_vma, old_addr, pmd_mksoft_dirty(pmd));
	vmsim__set_pmd_at(mm, new_addr, new_pmd, pmd);
	vmsim__flush_pmd_tlb_range(mm, old_addr, old_addr + PMD_SIZE);
	if (new_ptl != old_ptl)
		vmsim_unlock(vm, new_ptl);
	vmsim_unlock(vm, old_ptl);
	return true;
}

/* ---- splitting a folio, the deferred split queue ---- */

/* deferred_split_folio(): queue a partially mapped THP; the shrinker
 * (drop_slab, memory pressure) splits it later. */
void vmsim__deferred_split_folio(struct vmsim *vm, struct vmsim_page *folio, bool partially_mapped)
{
	struct vmsim_thp *thp = &mm_world(vm)->thp;

	if (partially_mapped)
		vmsim_page_set(folio, PG_partially_mapped);
	if (vmsim_page_test(folio, PG_deferred_split))
		return;
	if (thp->nr_deferred == thp->cap_deferred) {
		unsigned long cap = thp->cap_deferred ? thp->cap_deferred * 2 : 16;
		struct vmsim_page **n = vmsim__realloc(vm, thp->deferred, cap * sizeof(*n));

		if (!n)
			return;		/* stays unqueued: only memory is lost */
		thp->deferred = n;
		thp->cap_deferred = cap;
	}
	thp->deferred[thp->nr_deferred++] = folio;
	vmsim_page_set(folio, PG_deferred_split);
}

/* The folio's pages that no PTE maps any more go back to the buddy; each
 * page mapped by PTEs becomes a folio of its own.  Linux freezes the folio
 * behind migration entries meanwhile (unmap_folio/remap_page), which no
 * sequential observer can tell from this.  -EBUSY if pinned or still mapped
 * by a PMD that cannot be split. */
static bool split_one_pmd(struct vmsim_page *p, struct vm_area_struct *vma, uint64_t addr, pte_t *ptep, void *arg)
{
	(void)p;
	(void)arg;
	if (!ptep)
		vmsim__split_huge_pmd_address(vma, addr);
	return true;
}

int vmsim__split_folio(struct vmsim *vm, struct vmsim_page *folio)
{
	return vmsim__split_folio_to_list(vm, folio, NULL);
}

/* split_folio_to_list(): as split_folio(), the new folios joining the
 * LRU beside the old one, or, for a folio isolated from it (reclaim),
 * the list, each with a reference of its own. */
int vmsim__split_folio_to_list(struct vmsim *vm, struct vmsim_page *folio, struct vmsim_page **list)
{
	unsigned long nr = vmsim_folio_nr_pages(folio);
	bool on_lru = vmsim_page_test(folio, PG_lru);
	struct vmsim_folio_meta *fm;
	int32_t extra;

	if (!vmsim_folio_test_large(folio) || vmsim_page_test(folio, PG_hugetlb) ||
	    vmsim_page_test(folio, PG_device) || vmsim_page_test(folio, PG_huge_zero) || !folio_test_anon(folio))
		return -EINVAL;
	fm = vmsim__folio_meta(vm, folio);
	/* unmap_folio() with TTU_SPLIT_HUGE_PMD: PMD mappings become PTEs. */
	if (fm->entire_mapcount)
		vmsim__rmap_walk(vm, folio, split_one_pmd, NULL);
	if (fm->entire_mapcount)
		return -EBUSY;
	/* can_split_folio(): no references beyond the mappings (and ours). */
	extra = folio->refcount - fm->large_mapcount;
	if (fm->pincount || extra < 0)
		return -EBUSY;
	mm_world(vm)->thp.split_folios++;
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_THP, .cpu = -1,
			  .pfn = vmsim_page_to_pfn(vm, folio), .order = HPAGE_PMD_ORDER, .why = "split_folio" });
	for (unsigned long i = 0; i < nr; i++) {
		struct vmsim_page *p = &folio[i];
		uint32_t keep = (1u << PG_anon_exclusive) | (1u << PG_has_data);

		if (i) {
			/* The folio's flags go to every new folio (its place on
			 * the LRU is taken below). */
			p->flags = (p->flags & keep) | (folio->flags & ~keep & ~((1u << PG_head) |
				   (1u << PG_partially_mapped) | (1u << PG_deferred_split) | (1u << PG_lru) |
				   (1u << PG_locked)));
			vmsim_page_clear(p, PG_tail);
			p->compound_idx = 0;
			p->refcount = p->mapcount;
		}
		p->order = 0;
	}
	vmsim_page_clear(folio, PG_head);
	vmsim_page_clear(folio, PG_partially_mapped);
	vmsim_page_clear(folio, PG_deferred_split);
	folio->refcount = folio->mapcount + extra;
	*fm = (struct vmsim_folio_meta){ 0 };
	for (unsigned long i = 0; i < nr; i++) {
		struct vmsim_page *p = &folio[i];

		if (p->refcount == 0) {
			p->mapping = NULL;
			vmsim_free_pages(vm, p, 0);
		} else if (i && on_lru) {
			vmsim__folio_add_lru(vm, p);	/* lru_add_split_folio() */
		} else if (i && list) {
			vmsim_get_page(vm, p);
			DL_APPEND(*list, p);
		}
	}
	return 0;
}

/* deferred_split_scan(): split every partially mapped folio on the queue.
 * Returns how many were split. */
unsigned long vmsim__deferred_split_scan(struct vmsim *vm)
{
	struct vmsim_thp *thp = &mm_world(vm)->thp;
	unsigned long split = 0, n = thp->nr_deferred;

	thp->nr_deferred = 0;
	for (unsigned long i = 0; i < n; i++) {
		struct vmsim_page *folio = thp->deferred[i];

		/* A folio freed since it was queued lost the flag with it. */
		if (!vmsim_page_test(folio, PG_deferred_split))
			continue;
		vmsim_page_clear(folio, PG_deferred_split);
		if (vmsim_page_test(folio, PG_partially_mapped) && !vmsim__split_folio(vm, folio))
			split++;
	}
	return split;
}

unsigned long vmsim_shrink_slab(struct vmsim *vm)
{
	unsigned long n;

	if (!vm || !vm->mm_world)
		return 0;
	n = vmsim__deferred_split_scan(vm);
	vmsim__mm_op_done(vm);
	return n;
}
