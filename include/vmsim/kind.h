/* Entry kinds: every kind of non-present, non-none entry (swap, migration,
 * device, hwpoison, each PTE marker) and every software bit of present
 * entries (uffd-wp) answers what mm may ask of it through one table, so mm
 * code never tests for a specific kind.  Linux scatters these answers over
 * mm/memory.c (do_swap_page, handle_pte_marker, copy_nonpresent_pte,
 * zap_nonpresent_ptes, zap_install_uffd_wp_if_needed), mm/mprotect.c
 * (change_pte_range), mm/mremap.c (move_ptes), mm/madvise.c (guard
 * regions), mm/rmap.c (try_to_unmap_one, try_to_migrate_one),
 * mm/migrate.c (remove_migration_pte), mm/swapfile.c (unuse_pte) and
 * fs/proc/task_mmu.c (pagemap, smaps).  A prototype kind registers
 * through this API exactly as the built-in ones do (docs/new-pte-type.md). */
#ifndef VMSIM_KIND_H
#define VMSIM_KIND_H

#include <vmsim/common.h>

#include <stddef.h>
#include <stdint.h>

#include <vmsim/leafops.h>
#include <vmsim/mm_types.h>

VMSIM_BEGIN_DECLS

struct vmsim;
struct vmsim_mm;
struct vmsim_kind;
struct vmsim_page;

#define VMSIM_MAX_KINDS		32

/* What a kind holds on the frame its entries name.  A kind with any of
 * these carries a PFN in the entry's offset (swp_offset_pfn(), as every
 * Linux PFN swap entry does); the checker verifies the page's counts and
 * the mm's rss against them, and rmap finds entries that hold a mapcount
 * (page_vma_mapped_walk() of 6.15+ finds device-exclusive entries). */
#define VMSIM_KIND_HOLDS_MAPCOUNT	(1u << 0)	/* entry counts in the page's mapcount */
#define VMSIM_KIND_HOLDS_REF		(1u << 1)	/* entry holds a page reference */
#define VMSIM_KIND_COUNTS_RSS		(1u << 6)	/* entry counts in the mm's rss for the page
							 * (migration, device-private, device-exclusive) */
/* Registration requests. */
#define VMSIM_KIND_ALLOC_MARKER		(1u << 2)	/* give me a free PTE marker bit */
#define VMSIM_KIND_ALLOC_SWAP_TYPE	(1u << 3)	/* give me a free special swap type */
/* fork must copy the page tables of a vma where an entry of this kind
 * was ever installed (vma_needs_copy(): a refault cannot recreate it). */
#define VMSIM_KIND_COPY_ON_FORK		(1u << 4)
/* Installing the kind gives the vma an anon_vma, so fork copies its page
 * tables (6.15-6.18 guard regions: madvise_guard_install()). */
#define VMSIM_KIND_ANON_VMA		(1u << 5)
/* A pte carrying the kind's bit, or an entry of the kind, keeps
 * MADV_COLLAPSE from folding its range into a THP (uffd-wp:
 * hpage_collapse_scan_pmd()'s SCAN_PTE_UFFD_WP). */
#define VMSIM_KIND_NO_COLLAPSE		(1u << 6)

/* What a copy hook returns when the parent's slot is present again. */
#define VMSIM_KIND_COPY_PRESENT		1

/* What one entry holds, as a kind's hold hook reports it: the rss counter
 * it is counted in, the swap slot it holds a reference to, the frame it
 * names.  The invariant checker verifies these counts, smaps reads them
 * (Swap, SwapPss, and the page of a PFN-carrying entry) and rmap walks
 * find entries naming a folio through pfn. */
struct vmsim_kind_hold {
	int rss;			/* MM_* counter, or -1 */
	swp_entry_t swap;		/* a swap_map reference; val 0: none */
	unsigned long pfn;		/* the frame it names, or ~0UL */
};

struct vmsim_kind_ops {
	const char *name;		/* unique per machine; the `install` word */
	unsigned flags;			/* VMSIM_KIND_* */

	/* ---- which entries are this kind's, as data ----
	 * types: bit (1u << SOFTLEAF_x) for each softleaf type it owns
	 * outright (swap: SOFTLEAF_SWAP; migration: the three MIGRATION_*).
	 * marker: for markers, the PTE_MARKER_* bit(s) it owns (or
	 * VMSIM_KIND_ALLOC_MARKER).  A combined marker goes to the owner of
	 * its highest-priority bit, as handle_pte_marker() checks poison,
	 * then guard, then uffd-wp. */
	uint32_t types;
	pte_marker marker;
	int priority;
	/* Software bits of present and swap ptes this kind owns (uffd-wp:
	 * _PAGE_UFFD_WP and _PAGE_SWP_UFFD_WP), and the pagemap flag a set
	 * bit reports. */
	pteval_t pte_bit, swp_bit;
	uint64_t pm_flag;
	/* The change_protection() flags (MM_CP_*) that make this kind act on
	 * ptes without its bit (uffd-wp: MM_CP_UFFD_WP | _RESOLVE): with none
	 * of them, plain mprotect skips asking it. */
	unsigned long cp_flags;
	/* The ARGS of an example entry (`install ... KIND ARGS`), which the
	 * conformance matrix installs; NULL: none. */
	const char *example_args;

	/*
	 * Hooks.  Any may be NULL: the default is what Linux does with an
	 * entry it does not recognise, and the conformance matrix (`vmsim
	 * kinds`) shows it.  Hooks run with the entry's page-table lock held
	 * and must not sleep (no allocation that reclaims).
	 */

	/* `install PROC ADDR LEN KIND ARGS` and vmsim_kind_install(): the
	 * entry to put in each slot.  args may be NULL.  0 or -EINVAL.
	 * Default: the kind's marker bit; -EINVAL for non-markers. */
	int (*make)(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr,
		    const char *args, pte_t *out);
	/* do_swap_page()/handle_pte_marker(): a CPU touched the entry.
	 * VM_FAULT_* bits; 0 means resolved, retry the access.  Default:
	 * VM_FAULT_SIGBUS (print_bad_pte / "unknown marker"). */
	unsigned (*fault)(const struct vmsim_kind *k, struct vm_fault *vmf);
	/* vma_needs_copy(): must fork copy src's page tables (a refault of
	 * the child could not recreate what they hold)?  Default: only if
	 * the kind has VMSIM_KIND_COPY_ON_FORK and src ever held one. */
	bool (*needs_copy)(const struct vmsim_kind *k, const struct vm_area_struct *dst,
			   const struct vm_area_struct *src);
	/* copy_nonpresent_pte(): *child is the child's entry (pte_none:
	 * leave the slot empty); may rewrite the parent's slot; 0, or a
	 * negative errno that fails the fork (-EBUSY, -ENOMEM), or
	 * VMSIM_KIND_COPY_PRESENT when it made the parent's slot a present
	 * pte again, which fork then copies as any present pte (Linux's
	 * -ENOENT, after try_restore_exclusive_pte()).  Whatever the errno,
	 * fork(2) fails with -ENOMEM, as copy_pmd_range() turns every
	 * failure into that.  Default: markers are
	 * dropped (copy_pte_marker() keeps only bits it knows), other
	 * entries copied as they are. */
	int (*copy)(const struct vmsim_kind *k, struct vm_area_struct *dst, struct vm_area_struct *src,
		    uint64_t addr, pte_t *src_ptep, pte_t *child);
	/* zap_nonpresent_ptes(): true to clear the entry (after doing its
	 * own bookkeeping: rss, swap counts), false to keep it.  Default:
	 * cleared, with a warning ("unrecognized swap entry"). */
	bool (*zap)(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
		    const struct zap_details *d);
	/* change_pte_range() on the entry (mprotect, uffd-wp protect and
	 * resolve, by cp_flags): the new entry (none: cleared).  Default:
	 * unchanged, but a marker is cleared on MM_CP_UFFD_WP_RESOLVE
	 * (change_pte_range() keeps only poison and guard markers by name). */
	pte_t (*change_prot)(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr,
			     pte_t pte, unsigned long cp_flags);
	/* move_ptes() (mremap): the entry at its new place (none: dropped).
	 * Default: moved as it is. */
	pte_t (*move)(const struct vmsim_kind *k, struct vm_area_struct *old_vma,
		      struct vm_area_struct *new_vma, pte_t pte);
	/* The entry of this kind that takes the place of the present pte
	 * (make_device_exclusive(); try_to_migrate_one() for a migration
	 * kind): carry what the kind keeps of it (soft-dirty, uffd-wp).  0,
	 * or a negative errno.  Default: -EOPNOTSUPP, the kind cannot stand
	 * in for a present pte. */
	int (*from_present)(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
			    pte_t *out);
	/* MADV_GUARD_REMOVE walks: true to clear this entry.  Default: kept. */
	bool (*guard_remove)(const struct vmsim_kind *k, pte_t pte);
	/* pte_to_pagemap_entry(): PM_* flags beyond PM_SWAP, with the frame
	 * field.  Default: the frame is swap type | offset << 5. */
	uint64_t (*pagemap)(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte);
	/* clear_refs_pte_range() (`clear_refs P softdirty`): the entry once
	 * soft-dirty state is forgotten (none: cleared).  Default: the entry
	 * without _PAGE_SWP_SOFT_DIRTY, as for any swap pte. */
	pte_t (*clear_soft_dirty)(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr,
				  pte_t pte);
	/* One short human description ("guard marker", "swap 0:17"). */
	int (*describe)(const struct vmsim_kind *k, pte_t pte, char *buf, size_t size);
	/* What the entry holds (see struct vmsim_kind_hold; h comes filled
	 * with "nothing").  Default: nothing, as a marker holds nothing. */
	void (*hold)(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte,
		     struct vmsim_kind_hold *h);
	/* try_to_unmap_one()/try_to_migrate_one(): the entry of this kind
	 * that replaces pteval, a present pte of page being unmapped or an
	 * entry whose kind holds its mapcount (device-exclusive, bits in swap
	 * form) (a swap
	 * entry for reclaim, a migration entry, a hwpoison entry), carrying
	 * what Linux carries over; anon_exclusive: the page was exclusive.
	 * 0 or a negative errno (the unmap is aborted).  Default: -EINVAL,
	 * the kind cannot stand in for a page. */
	int (*unmap)(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pteval,
		     struct vmsim_page *page, bool anon_exclusive, pte_t *out);
	/* remove_migration_pte(): the present pte of page that replaces the
	 * entry, and whether the page is exclusive again.  0 or -EINVAL (the
	 * entry stays).  Default: -EINVAL. */
	int (*remap)(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t entry,
		     struct vmsim_page *page, pte_t *out, bool *exclusive);
	/* swapoff (try_to_unuse -> unuse_pte): bring an entry of swap device
	 * type back into memory.  Runs with only the mmap_lock held (it may
	 * allocate); must take the pte lock and recheck the entry.  0 (done,
	 * or not this device's) or a negative errno that stops swapoff.
	 * Default: 0, nothing to bring back. */
	int (*unuse)(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, pte_t pte,
		     int type);

	/* ---- hooks for the software bits (pte_bit/swp_bit) ---- */
	/* fork (copy_present_pte, copy_present_page, copy_nonpresent_pte):
	 * child is the entry being built from old; return it with the bit
	 * kept or cleared.  Default: kept. */
	pte_t (*bit_copy)(const struct vmsim_kind *k, struct vm_area_struct *dst,
			  struct vm_area_struct *src, pte_t old, pte_t child);
	/* zap: what to leave in the cleared slot when pteval carried the
	 * bit (pte_install_uffd_wp_if_needed): an entry, or none.
	 * Default: none. */
	pte_t (*bit_zap)(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pteval,
			 const struct zap_details *d);
	/* change_pte_range(): the present or swap pte after cp_flags.
	 * Default: unchanged. */
	pte_t (*bit_change_prot)(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte,
				 unsigned long cp_flags);
	/* change_pte_range() on a none pte: an entry to install (uffd-wp
	 * markers), or none; populate_needed: tables must be allocated
	 * for that (pgtable_populate_needed()). */
	pte_t (*none_change_prot)(const struct vmsim_kind *k, struct vm_area_struct *vma,
				  unsigned long cp_flags);
	bool (*populate_needed)(const struct vmsim_kind *k, struct vm_area_struct *vma,
				unsigned long cp_flags);
	/* can_change_pte_writable(): false if the bit needs a write fault. */
	bool (*bit_may_write)(const struct vmsim_kind *k, struct vm_area_struct *vma, pte_t pte);
	/* move_ptes(): the pte with the bit kept or cleared. */
	pte_t (*bit_move)(const struct vmsim_kind *k, struct vm_area_struct *old_vma, pte_t pte);
	/* do_wp_page() on a pte with the bit: VM_FAULT_* to stop there, or 0
	 * to go on with reuse/COW (may rewrite vmf->orig_pte and the slot). */
	unsigned (*bit_wp_fault)(const struct vmsim_kind *k, struct vm_fault *vmf);
	/* A new pte built by a fault (anonymous, file, COW, unshare): the
	 * bit inherited from vmf->orig_pte, if it should be. */
	pte_t (*bit_inherit)(const struct vmsim_kind *k, const struct vm_fault *vmf, pte_t pte);

	/* ---- PMD leaves (THP, DAX, hugetlb) ----
	 * A PMD leaf keeps the software bits where a pte keeps them, so
	 * bit_copy, bit_change_prot, bit_move and pm_flag answer for PMD
	 * leaves too (given the PMD's value as a pte_t), and splitting a
	 * PMD gives each new pte the bits the PMD had.  One question is
	 * PMD-only: */
	/* wp_huge_pmd() on a PMD leaf with the bit (vmf->orig_pmd): 0 to go
	 * on with reuse/COW, VM_FAULT_FALLBACK to have the PMD split and the
	 * write handled on a pte, or VM_FAULT_* to stop.  Default: 0. */
	unsigned (*pmd_bit_wp_fault)(const struct vmsim_kind *k, struct vm_fault *vmf);
};

/*
 * Register a kind on a machine (built-in kinds are registered at creation).
 * ops must stay valid while the machine lives.  Returns 0 and sets *out
 * (may be NULL); -EINVAL for a table without a name, a kind that owns
 * nothing, or an owned type/marker/bit another kind has; -EEXIST for a
 * duplicate name; -ENOSPC when the registry, the free marker bits or the
 * free special swap types are exhausted.
 */
VMSIM_API int vmsim_kind_register(struct vmsim *vm, const struct vmsim_kind_ops *ops,
				  struct vmsim_kind **out);
/* Remove a kind: -ENOENT if unknown, -EBUSY while a vma may hold its
 * entries or for a built-in kind. */
VMSIM_API int vmsim_kind_unregister(struct vmsim *vm, const char *name);
/* The kind a pte belongs to: for a non-present entry its owner; NULL for
 * none, present ptes and entries nobody claims. */
VMSIM_API const struct vmsim_kind *vmsim_kind_of(struct vmsim *vm, pte_t pte);
VMSIM_API const struct vmsim_kind *vmsim_kind_lookup(struct vmsim *vm, const char *name);
/* The registry in matching order, for dumps and the conformance matrix. */
VMSIM_API unsigned vmsim_nr_kinds(const struct vmsim *vm);
VMSIM_API const struct vmsim_kind *vmsim_kind_at(const struct vmsim *vm, unsigned i);

/* A registered kind's table, the marker bit or special swap type it was
 * given, its private data pointer, and whether it is built in. */
VMSIM_API const struct vmsim_kind_ops *vmsim_kind_ops(const struct vmsim_kind *k);
VMSIM_API const char *vmsim_kind_name(const struct vmsim_kind *k);
VMSIM_API pte_marker vmsim_kind_marker(const struct vmsim_kind *k);
VMSIM_API int vmsim_kind_swap_type(const struct vmsim_kind *k);
VMSIM_API void *vmsim_kind_data(const struct vmsim_kind *k);
VMSIM_API void vmsim_kind_set_data(struct vmsim_kind *k, void *data);
VMSIM_API bool vmsim_kind_builtin(const struct vmsim_kind *k);
/* One short description of any non-present pte (a marker's parts joined
 * by '|', "unrecognized entry 0x..." when no kind claims it). */
VMSIM_API int vmsim_kind_describe(struct vmsim *vm, pte_t pte, char *buf, size_t size);
/* MAX_SWAPFILES on this machine: 24 as in Linux with every special type
 * configured, lowered by one for each special swap type a kind took. */
VMSIM_API unsigned vmsim_max_swapfiles(const struct vmsim *vm);

/*
 * Put an entry of kind name in every page slot of [addr, addr + len) of
 * mm, as madvise(MADV_GUARD_INSTALL) installs guard markers: under the
 * mmap and page-table locks, after zapping whatever the range maps (with
 * its rss, rmap and TLB flush), with page tables allocated as needed and
 * the vma marked as holding the kind.  args go to the kind's make hook.
 * 0; -ENOENT unknown kind; -EINVAL bad range or args; -ENOMEM a hole or no
 * memory; -EINTR when the zap keeps leaving entries behind (the livelock
 * Linux spins in forever; also reported as a VMSIM_BUG).
 */
VMSIM_API int vmsim_kind_install(struct vmsim_mm *mm, uint64_t addr, uint64_t len, const char *name,
				 const char *args);

/*
 * A kind built as a shared object (`vmsim run|diff|kinds --kind FILE.so`)
 * defines this function: the vmsim tool calls it on every machine it
 * creates, before the first command, to register the kind(s).  0, or a
 * negative errno that refuses the run.  (Declared here for the object's
 * own compiler; libvmsim does not define it.)
 */
int vmsim_kind_init(struct vmsim *vm);

/* ---- what a hook may call (the hook runs under the page-table lock) ---- */

/* set_pte_at() of a slot the hook was given, with the bookkeeping of the
 * page-table page (entry count, trace). */
VMSIM_API void vmsim_set_pte_at(struct vmsim_mm *mm, uint64_t addr, pte_t *ptep, pte_t pte);
/* do_pte_missing(): handle the fault as on a none pte (a marker that
 * only remembers something, like uffd-wp). */
VMSIM_API unsigned vmsim_do_pte_missing(struct vm_fault *vmf);
/* add_mm_counter(): MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES. */
VMSIM_API void vmsim_mm_add_rss(struct vmsim_mm *mm, int member, long delta);
/* userfaultfd_wp_use_markers(), userfaultfd_wp_async(): features of the
 * vma's userfaultfd context. */
VMSIM_API bool vmsim_userfaultfd_wp_use_markers(const struct vm_area_struct *vma);
VMSIM_API bool vmsim_userfaultfd_wp_async(const struct vm_area_struct *vma);
/* vma_has_uffd_without_event_remap() (mremap drops uffd-wp state). */
VMSIM_API bool vmsim_userfaultfd_without_event_remap(const struct vm_area_struct *vma);
/* handle_userfault(vmf, VM_UFFD_*): deliver a userfault. */
VMSIM_API unsigned vmsim_handle_userfault(struct vm_fault *vmf, unsigned long reason);

VMSIM_END_DECLS

#endif /* VMSIM_KIND_H */
