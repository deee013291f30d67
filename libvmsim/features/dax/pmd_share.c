/* FS-DAX PMD table sharing (machine dax_pmd_share=on, off by default): the
 * design of Larry Bassel's 2019 RFC "Share PMDs for FS/DAX on x86" (never
 * merged; its config option was CONFIG_MAY_SHARE_FSDAX_PMD), with the
 * rules hugetlb's PMD sharing has in Linux 6.18 (mm/hugetlb.c):
 *
 *  - a fault whose PUD entry is none looks for another process mapping the
 *    same file page at the same place of its own 1 GiB range, with the
 *    same flags, and points its PUD entry at that process's PMD table
 *    (huge_pmd_share(), under i_mmap_rwsem; the table's share count
 *    counts the extra PUD entries);
 *  - only a shared mapping (VM_MAYSHARE) whose vma covers the whole
 *    PUD-aligned 1 GiB, not registered with userfaultfd wp or minor, may
 *    share (want_pmd_share(), page_table_shareable());
 *  - zap, mprotect, mremap and a vma split that cuts the PUD range let go
 *    of a shared table (huge_pmd_unshare(), i_mmap_rwsem held for write),
 *    and the TLB flush covers the whole PUD range, since any of the
 *    table's 512 entries may be cached through it;
 *
 * and with the condition the RFC's review asked for (Kirill Shutemov: "How
 * do you guarantee that DAX actually allocated continues space for the file
 * on backing storage and you can map it with PMD page?"): a PUD range is
 * shared only when every 2 MiB of it is one aligned extent of the file
 * within EOF, with no 4 KiB entry in the index -- so a shared table holds
 * nothing but PMD leaves.  Otherwise the fault makes a table of its own and
 * says why in the trace.  A DAX fault that must fall back to PTEs in a
 * shared table takes its mm off the table first.
 *
 * Quirk pmd_share_no_i_mmap_lock brings back the RFC's zap path, which
 * unshared under the PMD lock alone ("You don't have proper locking in
 * place to do this"); quirk pmd_unshare_partial_flush flushes only the
 * 2 MiB being unmapped, as hugetlb did before dff11abe280b. */
#include <utlist.h>

#include "dax.h"

static bool range_in_vma(const struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	return vma && vma->vm_start <= start && end <= vma->vm_end;
}


/* want_pmd_share() and the RFC review's condition: NULL, or why not. */
static const char *want_pmd_share(const struct vm_area_struct *vma, uint64_t addr)
{
	const struct vmsim_file *f = vma->vm_file;
	const struct dax_inode *di = dax_inode(f);
	uint64_t base = addr & PUD_MASK, idx = linear_page_index(vma, base);
	uint64_t eof = (f->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT;

	if (vma->vm_flags & (VM_UFFD_WP | VM_UFFD_MINOR))
		return "refused: userfaultfd wp/minor registration";
	if (!(vma->vm_flags & VM_MAYSHARE))
		return "refused: a private mapping";
	if (!range_in_vma(vma, base, base + PUD_SIZE))
		return "refused: the vma does not cover the whole PUD range";
	if (idx & PG_PMD_COLOUR)
		return "refused: file offset and address differ modulo 2 MiB";
	if (idx + (PUD_SIZE >> PAGE_SHIFT) > eof)
		return "refused: the PUD range passes the end of the file";
	for (uint64_t c = idx / HPAGE_PMD_NR; c < idx / HPAGE_PMD_NR + PTRS_PER_PMD; c++) {
		if (di->chunk_ptes[c])
			return "refused: 4 KiB entries in the index (not PMD-mappable)";
		if (!vmsim__dax_chunk_pfn(f, c)) {
			for (uint64_t k = 0; k < HPAGE_PMD_NR; k++)
				if (!di->blocks[c * HPAGE_PMD_NR + k])
					return "refused: a hole in the PUD range (not PMD-mappable)";
			return "refused: a 2 MiB of the PUD range is not one aligned extent (not PMD-mappable)";
		}
	}
	return NULL;
}

/* page_table_shareable(): svma maps file page idx at the same place of its
 * own PUD range, covers that range, with the same flags, and still has its
 * vma lock: a vma being unmapped lost it in the zap (vmsim__zap_end()), so
 * no fault picks up the table it is about to free. */
static uint64_t table_shareable(const struct vm_area_struct *svma, const struct vm_area_struct *vma, uint64_t addr,
				uint64_t idx)
{
	uint64_t saddr = ((idx - svma->vm_pgoff) << PAGE_SHIFT) + svma->vm_start;
	uint64_t sbase = saddr & PUD_MASK;

	if ((saddr & ~PUD_MASK) != (addr & ~PUD_MASK) ||
	    (vma->vm_flags & ~VM_LOCKED) != (svma->vm_flags & ~VM_LOCKED) ||
	    !range_in_vma(svma, sbase, sbase + PUD_SIZE) || !vmsim__dax_vma_lock(svma))
		return 0;
	return saddr;
}

/* A table holding nothing but PMD leaves (or none). */
static bool only_leaves(struct vmsim *vm, struct vmsim_page *table)
{
	const uint64_t *tab = vmsim_table(vm, table);

	for (unsigned i = 0; i < PTRS_PER_PMD; i++)
		if ((tab[i] & _PAGE_PRESENT) && !(tab[i] & _PAGE_PSE))
			return false;
	return true;
}

/* The fault's PMD slot (huge_pte_alloc() for a DAX vma): a PUD entry still
 * none may point at another process's table. */
pmd_t *vmsim__dax_pmd_alloc(struct vm_fault *vmf)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_file *f = vma->vm_file;
	uint64_t addr = vmf->address, idx = vmf->pgoff;
	struct vmsim_page *table = NULL;
	struct vm_area_struct *svma;
	const char *why;
	pud_t *pud = vmsim__pud_alloc(mm, addr);

	if (!pud)
		return NULL;
	if (!pud_none(pudp_get(pud)))
		return vmsim__pmd_alloc(mm, addr);
	why = want_pmd_share(vma, addr);
	if (why) {
		vmsim__trace_pmd_share(mm, addr, NULL, why);
		return vmsim__pmd_alloc(mm, addr);
	}
	/* huge_pmd_share(): i_mmap_rwsem keeps every sharer's vma (and so
	 * its table) in place while we look. */
	vmsim_lock_read(vm, &f->i_mmap_rwsem);
	DL_FOREACH2(f->i_mmap, svma, i_next) {
		uint64_t saddr;
		pmd_t *spmd;

		if (svma == vma || idx < svma->vm_pgoff || idx >= svma->vm_pgoff + vma_pages(svma))
			continue;
		saddr = table_shareable(svma, vma, addr, idx);
		if (!saddr)
			continue;
		spmd = vmsim__pmd_lookup(svma->vm_mm, saddr);
		if (!spmd || !only_leaves(vm, vmsim_slot_table(vm, spmd)))
			continue;
		table = vmsim_slot_table(vm, spmd);
		table->pt_share_count++;	/* ptdesc_pmd_pts_inc() */
		break;
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
	} else {
		vmsim__trace_pmd_share(mm, addr, NULL, "shareable, but no other process has a table to share: one of its own");
	}
	vmsim_unlock_read(vm, &f->i_mmap_rwsem);
	return vmsim__pmd_alloc(mm, addr);
}

/* huge_pmd_unshare(): if the PMD table holding pmdp is shared, this mm
 * lets go of it: its PUD entry is cleared and the whole PUD range flushed
 * (any of the 512 entries may be cached through it).  The caller holds
 * i_mmap_rwsem for write and the table's lock. */
bool vmsim__dax_pmd_unshare(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t addr, pmd_t *pmdp)
{
	/* The RFC shares tables as hugetlb does: one unshare for both (its
	 * i_mmap_assert_write_locked() is what the RFC's zap path lacked). */
	return vmsim__huge_pmd_unshare(tlb, vma, addr, pmdp);
}

/* The zap path (zap_huge_pmd() in the RFC, __unmap_hugepage_range() in
 * hugetlb): the caller holds i_mmap_rwsem for write (vmsim__zap_begin(),
 * or a DAX file operation's walk of i_mmap), and the flush is done before
 * it is released (huge_pmd_unshare_flush()).  With quirk
 * pmd_share_no_i_mmap_lock nobody took it, as in the RFC. */
bool vmsim__dax_zap_unshare(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t addr, pmd_t *pmdp)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_lock *ptl = vmsim__pmd_lockptr(vm, pmdp);
	bool done;

	vmsim_lock(vm, ptl);
	done = vmsim__dax_pmd_unshare(tlb, vma, addr, pmdp);
	vmsim_unlock(vm, ptl);
	if (done)
		tlb_flush_mmu(tlb);
	return done;
}

/* unmap_mapping_range() for a DAX file: with PMD sharing possible, under
 * i_mmap_rwsem for write (as hugetlbfs's hugetlb_vmdelete_list()), so a
 * shared table met on the way can be let go. */
void vmsim__dax_unmap_mapping_range(struct vmsim_file *f, uint64_t pgstart, uint64_t pgend, bool even_cows)
{
	struct zap_details d = { .even_cows = even_cows };
	struct vmsim *vm = f->vm;

	if (!vm->cfg.dax_pmd_share || vmsim__quirk(vm, VMSIM_QUIRK_PMD_SHARE_NO_I_MMAP_LOCK)) {
		vmsim__unmap_mapping_range(f, pgstart, pgend, even_cows);
		return;
	}
	vmsim_lock(vm, &f->i_mmap_rwsem);
	vmsim__unmap_mapping_range_tree(f, pgstart, pgend, &d);
	vmsim_unlock(vm, &f->i_mmap_rwsem);
}

/* hugetlb_unshare_pmds(): every shared table in the whole PUD ranges of
 * [start, end) within vma is let go (mprotect, mremap, a split that cuts a
 * PUD range, uffd registration, a DAX fault falling back to PTEs). */
void vmsim__dax_unshare_pmds(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct mmu_gather tlb;
	bool any = false;

	if (!(vma->vm_flags & VM_MAYSHARE))
		return;
	start &= PUD_MASK;
	end = (end + PUD_SIZE - 1) & PUD_MASK;
	if (start < (vma->vm_start & PUD_MASK))
		start = vma->vm_start & PUD_MASK;
	for (uint64_t addr = start; addr < end && addr >= start; addr += PUD_SIZE) {
		pmd_t *pmdp = vmsim__pmd_lookup(mm, addr);

		any |= pmdp && vmsim_slot_table(vm, pmdp)->pt_share_count > 0;
	}
	if (!any)
		return;
	tlb_gather_mmu(&tlb, mm, false);
	vmsim_lock(vm, &vma->vm_file->i_mmap_rwsem);
	for (uint64_t addr = start; addr < end && addr >= start; addr += PUD_SIZE) {
		pmd_t *pmdp = vmsim__pmd_lookup(mm, addr);
		struct vmsim_lock *ptl;

		if (!pmdp)
			continue;
		ptl = vmsim__pmd_lockptr(vm, pmdp);
		vmsim_lock(vm, ptl);
		vmsim__dax_pmd_unshare(&tlb, vma, addr, pmdp);
		vmsim_unlock(vm, ptl);
	}
	tlb_flush_mmu(&tlb);
	vmsim_unlock(vm, &vma->vm_file->i_mmap_rwsem);
	tlb_finish_mmu(&tlb);
}
