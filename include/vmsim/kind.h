/* Entry kinds: every kind of non-present, non-none entry (swap, migration,
 * device, hwpoison, each PTE marker) answers everything mm may ask of it
 * through one table, so mm code never tests for a specific kind.  Linux
 * scatters these answers over mm/memory.c (do_swap_page, copy_nonpresent_pte,
 * zap_nonpresent_ptes), mm/mprotect.c, mm/mremap.c and fs/proc/task_mmu.c. */
#ifndef VMSIM_KIND_H
#define VMSIM_KIND_H

#include <vmsim/common.h>

#include <stddef.h>
#include <stdint.h>

#include <vmsim/leafops.h>

VMSIM_BEGIN_DECLS

struct vm_fault;
struct vm_area_struct;
struct zap_details;

/* change_protection flags (mm.h MM_CP_*). */
#define MM_CP_TRY_CHANGE_WRITABLE	(1UL << 0)
#define MM_CP_PROT_NUMA			(1UL << 1)
#define MM_CP_UFFD_WP			(1UL << 2)
#define MM_CP_UFFD_WP_RESOLVE		(1UL << 3)

struct vmsim_kind_ops {
	const char *name;
	/* Does this kind own the entry? */
	bool (*match)(softleaf_t entry);
	/* do_swap_page(): a CPU touched the entry.  VM_FAULT_* bits; 0 means
	 * the entry was resolved and the access is retried. */
	unsigned (*fault)(struct vm_fault *vmf);
	/* copy_nonpresent_pte(): the child's entry (pte_none: leave it empty);
	 * may rewrite the parent's entry through src_ptep. */
	pte_t (*copy)(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma, pte_t *src_ptep,
		      pte_t pte, uint64_t addr);
	/* zap_nonpresent_ptes(): true to clear the entry under these details. */
	bool (*zap)(struct vm_area_struct *vma, pte_t pte, const struct zap_details *details);
	/* change_pte_range(): the entry after mprotect / uffd-wp change. */
	pte_t (*change_prot)(struct vm_area_struct *vma, pte_t pte, unsigned long cp_flags);
	/* pte_to_pagemap_entry(): PM_* flags beyond PM_SWAP (soft-dirty, uffd-wp,
	 * guard) and the frame field. */
	uint64_t (*pagemap)(pte_t pte);
	/* One short human description, e.g. "guard marker". */
	int (*describe)(pte_t pte, char *buf, size_t size);
};

/*
 * Register a kind (built-in kinds register at start).  Kinds are tried in
 * registration order, except that markers are matched poison, guard, uffd-wp
 * first, as handle_pte_marker() checks them.  Returns 0, -EEXIST for a
 * duplicate name, -EINVAL for a table missing a hook, -ENOSPC when full.
 */
VMSIM_API int vmsim_kind_register(const struct vmsim_kind_ops *ops);
/* The kind of a non-present, non-none PTE, or NULL if none claims it. */
VMSIM_API const struct vmsim_kind_ops *vmsim_kind_of(pte_t pte);
/* Registered kinds, for the conformance matrix. */
VMSIM_API unsigned vmsim_nr_kinds(void);
VMSIM_API const struct vmsim_kind_ops *vmsim_kind_at(unsigned i);

VMSIM_END_DECLS

#endif /* VMSIM_KIND_H */
