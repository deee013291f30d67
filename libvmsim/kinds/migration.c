/* Migration entries: while a folio is copied to a new frame, every pte
 * that mapped it holds a readable, readable-exclusive or writable
 * migration entry naming the old frame, with the old pte's young, dirty,
 * soft-dirty and uffd-wp.  A CPU that touches one waits for the migration
 * (migration_entry_wait); fork shares it (a writable one becomes readable
 * in a COW parent); mprotect makes a writable one readable; zap drops it;
 * the entry stays counted in the mm's rss.  Follows mm/rmap.c
 * (try_to_migrate_one), mm/migrate.c (remove_migration_pte), mm/memory.c
 * (copy_nonpresent_pte, zap_nonpresent_ptes, do_swap_page) and
 * mm/mprotect.c of Linux 6.18.  Small folios only. */
#include <stdio.h>

#include "../mm/mm_internal.h"
#include "builtin.h"

static struct vmsim_page *entry_page(struct vmsim *vm, pte_t pte)
{
	return vmsim_pfn_to_page(vm, swp_offset_pfn(pte_to_swp_entry(pte)));
}

/* do_swap_page() -> migration_entry_wait(). */
static unsigned migration_fault(const struct vmsim_kind *k, struct vm_fault *vmf)
{
	struct vmsim_page *p = entry_page(k->vm, vmf->orig_pte);

	if (!p)
		return VM_FAULT_SIGBUS;
	vmsim_unlock(k->vm, vmf->ptl);
	vmsim__migration_entry_wait(vmf, p);
	vmsim_lock(k->vm, vmf->ptl);
	return 0;
}

static pte_t with_swp_bits(pte_t pte, pte_t from)
{
	if (pte_swp_soft_dirty(from))
		pte = pte_swp_mksoft_dirty(pte);
	if (pte_swp_uffd_wp(from))
		pte = pte_swp_mkuffd_wp(pte);
	return pte;
}

/* copy_nonpresent_pte(): COW mappings need both sides read-only. */
static int migration_copy(const struct vmsim_kind *k, struct vm_area_struct *dst, struct vm_area_struct *src,
			  uint64_t addr, pte_t *src_ptep, pte_t *child)
{
	pte_t pte = ptep_get(src_ptep);
	swp_entry_t entry = pte_to_swp_entry(pte);
	struct vmsim_page *p = entry_page(k->vm, pte);

	if (!p)
		return -EIO;
	dst->vm_mm->rss[vmsim__mm_counter(p)]++;
	if (!is_readable_migration_entry(entry) && is_cow_mapping(src->vm_flags)) {
		pte = with_swp_bits(swp_entry_to_pte(make_readable_migration_entry(swp_offset(entry))), pte);
		vmsim__set_pte_at(src->vm_mm, addr, src_ptep, pte);
	}
	*child = pte;
	return 0;
}

/* zap_nonpresent_ptes(): should_zap_folio(). */
static bool migration_zap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
			  const struct zap_details *d)
{
	struct vmsim_page *p = entry_page(k->vm, pte);

	(void)addr;
	if (!p)
		return true;
	if (d && d->single_folio && d->single_folio != p)
		return false;
	if (!should_zap_cows(d) && folio_test_anon(p))
		return false;
	vma->vm_mm->rss[vmsim__mm_counter(p)]--;
	return true;
}

/* change_pte_range(): "a protection check is difficult, so just be safe
 * and disable write". */
static pte_t migration_change_prot(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr,
				   pte_t pte, unsigned long cp_flags)
{
	swp_entry_t entry = pte_to_swp_entry(pte);
	struct vmsim_page *p = entry_page(k->vm, pte);
	pte_t new;

	(void)vma;
	(void)addr;
	(void)cp_flags;
	if (!is_writable_migration_entry(entry) || !p)
		return pte;
	entry = folio_test_anon(p) ? make_readable_exclusive_migration_entry(swp_offset(entry))
				   : make_readable_migration_entry(swp_offset(entry));
	new = swp_entry_to_pte(entry);
	if (pte_swp_soft_dirty(pte))
		new = pte_swp_mksoft_dirty(new);
	return new;
}

/* pte_to_pagemap_entry(): a PFN entry reports its frame without the A/D
 * bits (swp_offset_pfn). */
static uint64_t migration_pagemap(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte)
{
	swp_entry_t e = pte_to_swp_entry(pte);

	(void)k;
	(void)vma;
	return ((uint64_t)swp_type(e) | ((uint64_t)swp_offset_pfn(e) << MAX_SWAPFILES_SHIFT)) & PM_PFRAME_MASK;
}

static void migration_hold(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte,
			   struct vmsim_kind_hold *h)
{
	struct vmsim_page *p = entry_page(k->vm, pte);

	(void)vma;
	if (!p)
		return;
	h->rss = vmsim__mm_counter(p);
	h->pfn = vmsim_page_to_pfn(k->vm, p);
}

/* try_to_migrate_one(): the entry for pteval. */
static int migration_unmap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pteval,
			   struct vmsim_page *page, bool anon_exclusive, pte_t *out)
{
	unsigned long pfn = vmsim_page_to_pfn(k->vm, page);
	swp_entry_t entry;
	pte_t swp_pte;

	(void)vma;
	(void)addr;
	if (!pte_present(pteval)) {
		/* A mapped entry (6.15+ device-exclusive) was made only from a
		 * writable pte and writes go through it; it has no accessed or
		 * dirty bit, and its other bits are in swap form. */
		swp_pte = swp_entry_to_pte(make_writable_migration_entry(pfn));
		if (pte_swp_soft_dirty(pteval))
			swp_pte = pte_swp_mksoft_dirty(swp_pte);
		if (pte_swp_uffd_wp(pteval))
			swp_pte = pte_swp_mkuffd_wp(swp_pte);
		*out = swp_pte;
		return 0;
	}
	if (pte_write(pteval))
		entry = make_writable_migration_entry(pfn);
	else if (anon_exclusive)
		entry = make_readable_exclusive_migration_entry(pfn);
	else
		entry = make_readable_migration_entry(pfn);
	if (pte_young(pteval))
		entry = make_migration_entry_young(entry);
	if (pte_dirty(pteval))
		entry = make_migration_entry_dirty(entry);
	swp_pte = swp_entry_to_pte(entry);
	if (pte_soft_dirty(pteval))
		swp_pte = pte_swp_mksoft_dirty(swp_pte);
	if (pte_uffd_wp(pteval))
		swp_pte = pte_swp_mkuffd_wp(swp_pte);
	*out = swp_pte;
	return 0;
}

/* remove_migration_pte(): the new frame's pte. */
static int migration_remap(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t old,
			   struct vmsim_page *page, pte_t *out, bool *exclusive)
{
	swp_entry_t entry = pte_to_swp_entry(old);
	pte_t pte = pfn_pte(vmsim_page_to_pfn(k->vm, page), vma->vm_page_prot);

	(void)addr;
	if (!is_migration_entry_young(entry))
		pte = pte_mkold(pte);
	if (vmsim_page_test(page, PG_dirty) && is_migration_entry_dirty(entry))
		pte = pte_mkdirty(pte);
	pte = pte_swp_soft_dirty(old) ? pte_mksoft_dirty(pte) : pte_clear_soft_dirty(pte);
	if (is_writable_migration_entry(entry))
		pte = pte_mkwrite(pte);
	else if (pte_swp_uffd_wp(old))
		pte = pte_mkuffd_wp(pte);
	*exclusive = !is_readable_migration_entry(entry);
	*out = pte;
	return 0;
}

static int migration_describe(const struct vmsim_kind *k, pte_t pte, char *buf, size_t size)
{
	swp_entry_t e = pte_to_swp_entry(pte);

	(void)k;
	return snprintf(buf, size, "migration %s pfn %#lx%s%s",
			is_writable_migration_entry(e) ? "write" :
			is_readable_exclusive_migration_entry(e) ? "read-exclusive" : "read",
			swp_offset_pfn(e), is_migration_entry_young(e) ? " young" : "",
			is_migration_entry_dirty(e) ? " dirty" : "");
}

/* mremap moves the entry as it is: the default. */
const struct vmsim_kind_ops vmsim_kind_migration = {
	.name = VMSIM_KIND_MIGRATION_NAME,
	.types = (1u << SOFTLEAF_MIGRATION_READ) | (1u << SOFTLEAF_MIGRATION_READ_EXCLUSIVE) |
		 (1u << SOFTLEAF_MIGRATION_WRITE),
	.fault = migration_fault,
	.copy = migration_copy,
	.zap = migration_zap,
	.change_prot = migration_change_prot,
	.pagemap = migration_pagemap,
	.describe = migration_describe,
	.hold = migration_hold,
	.unmap = migration_unmap,
	.remap = migration_remap,
};
