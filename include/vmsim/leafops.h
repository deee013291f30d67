/* softleaf_t: current Linux's name for what a non-present, non-none entry
 * encodes.  Follows include/linux/leafops.h (Linux 6.19). */
#ifndef VMSIM_LEAFOPS_H
#define VMSIM_LEAFOPS_H

#include <vmsim/common.h>

#include <vmsim/swapops.h>

VMSIM_BEGIN_DECLS

/* Temporary in Linux too: a softleaf_t is a swp_entry_t. */
typedef swp_entry_t softleaf_t;
#define LEAF_TYPE_SHIFT SWP_TYPE_SHIFT

enum softleaf_type {
	SOFTLEAF_NONE,
	SOFTLEAF_SWAP,
	SOFTLEAF_MIGRATION_READ,
	SOFTLEAF_MIGRATION_READ_EXCLUSIVE,
	SOFTLEAF_MIGRATION_WRITE,
	SOFTLEAF_DEVICE_PRIVATE_READ,
	SOFTLEAF_DEVICE_PRIVATE_WRITE,
	SOFTLEAF_DEVICE_EXCLUSIVE,
	SOFTLEAF_HWPOISON,
	SOFTLEAF_MARKER,
};

static inline softleaf_t softleaf_mk_none(void) { return (softleaf_t){ 0 }; }

/* A present or none PTE gives the none leaf. */
static inline softleaf_t softleaf_from_pte(pte_t pte)
{
	if (pte_present(pte) || pte_none(pte))
		return softleaf_mk_none();
	return pte_to_swp_entry(pte);
}
static inline pte_t softleaf_to_pte(softleaf_t entry) { return swp_entry_to_pte(entry); }
static inline softleaf_t softleaf_from_pmd(pmd_t pmd)
{
	if (pmd_present(pmd) || pmd_none(pmd))
		return softleaf_mk_none();
	return pmd_to_swp_entry(pmd);
}
static inline bool softleaf_is_none(softleaf_t entry) { return entry.val == 0; }

static inline enum softleaf_type softleaf_type(softleaf_t entry)
{
	unsigned type_num;

	if (softleaf_is_none(entry))
		return SOFTLEAF_NONE;
	type_num = (unsigned)(entry.val >> LEAF_TYPE_SHIFT);
	if (type_num < MAX_SWAPFILES)
		return SOFTLEAF_SWAP;
	switch (type_num) {
	case SWP_MIGRATION_READ: return SOFTLEAF_MIGRATION_READ;
	case SWP_MIGRATION_READ_EXCLUSIVE: return SOFTLEAF_MIGRATION_READ_EXCLUSIVE;
	case SWP_MIGRATION_WRITE: return SOFTLEAF_MIGRATION_WRITE;
	case SWP_DEVICE_WRITE: return SOFTLEAF_DEVICE_PRIVATE_WRITE;
	case SWP_DEVICE_READ: return SOFTLEAF_DEVICE_PRIVATE_READ;
	case SWP_DEVICE_EXCLUSIVE: return SOFTLEAF_DEVICE_EXCLUSIVE;
	case SWP_HWPOISON: return SOFTLEAF_HWPOISON;
	case SWP_PTE_MARKER: return SOFTLEAF_MARKER;
	}
	return SOFTLEAF_NONE;
}

static inline bool softleaf_is_swap(softleaf_t e) { return softleaf_type(e) == SOFTLEAF_SWAP; }
static inline bool softleaf_is_migration_write(softleaf_t e) { return softleaf_type(e) == SOFTLEAF_MIGRATION_WRITE; }
static inline bool softleaf_is_migration_read(softleaf_t e) { return softleaf_type(e) == SOFTLEAF_MIGRATION_READ; }
static inline bool softleaf_is_migration_read_exclusive(softleaf_t e)
{
	return softleaf_type(e) == SOFTLEAF_MIGRATION_READ_EXCLUSIVE;
}
static inline bool softleaf_is_migration(softleaf_t e)
{
	enum softleaf_type t = softleaf_type(e);

	return t == SOFTLEAF_MIGRATION_READ || t == SOFTLEAF_MIGRATION_READ_EXCLUSIVE ||
	       t == SOFTLEAF_MIGRATION_WRITE;
}
static inline bool softleaf_is_device_private_write(softleaf_t e) { return softleaf_type(e) == SOFTLEAF_DEVICE_PRIVATE_WRITE; }
static inline bool softleaf_is_device_private(softleaf_t e)
{
	enum softleaf_type t = softleaf_type(e);

	return t == SOFTLEAF_DEVICE_PRIVATE_WRITE || t == SOFTLEAF_DEVICE_PRIVATE_READ;
}
static inline bool softleaf_is_device_exclusive(softleaf_t e) { return softleaf_type(e) == SOFTLEAF_DEVICE_EXCLUSIVE; }
static inline bool softleaf_is_hwpoison(softleaf_t e) { return softleaf_type(e) == SOFTLEAF_HWPOISON; }
static inline bool softleaf_is_marker(softleaf_t e) { return softleaf_type(e) == SOFTLEAF_MARKER; }
static inline pte_marker softleaf_to_marker(softleaf_t e) { return swp_offset(e) & PTE_MARKER_MASK; }
static inline bool softleaf_has_pfn(softleaf_t e)
{
	return softleaf_is_migration(e) || softleaf_is_device_private(e) ||
	       softleaf_is_device_exclusive(e) || softleaf_is_hwpoison(e);
}
static inline unsigned long softleaf_to_pfn(softleaf_t e) { return swp_offset_pfn(e); }
static inline bool softleaf_is_poison_marker(softleaf_t e)
{
	return softleaf_is_marker(e) && (softleaf_to_marker(e) & PTE_MARKER_POISONED);
}
static inline bool softleaf_is_guard_marker(softleaf_t e)
{
	return softleaf_is_marker(e) && (softleaf_to_marker(e) & PTE_MARKER_GUARD);
}
static inline bool softleaf_is_uffd_wp_marker(softleaf_t e)
{
	return softleaf_is_marker(e) && (softleaf_to_marker(e) & PTE_MARKER_UFFD_WP);
}
static inline bool softleaf_is_migration_young(softleaf_t e)
{
	return migration_entry_supports_ad() ? (swp_offset(e) & SWP_MIG_YOUNG) != 0 : false;
}
static inline bool softleaf_is_migration_dirty(softleaf_t e)
{
	return migration_entry_supports_ad() ? (swp_offset(e) & SWP_MIG_DIRTY) != 0 : false;
}
static inline bool pte_is_marker(pte_t pte) { return softleaf_is_marker(softleaf_from_pte(pte)); }
static inline bool pte_is_uffd_wp_marker(pte_t pte) { return softleaf_is_uffd_wp_marker(softleaf_from_pte(pte)); }
/* uffd-wp and poison markers are the userfaultfd-specific ones. */
static inline bool pte_is_uffd_marker(pte_t pte)
{
	softleaf_t e = softleaf_from_pte(pte);

	return softleaf_is_uffd_wp_marker(e) || softleaf_is_poison_marker(e);
}
static inline bool pmd_is_migration_entry(pmd_t pmd) { return softleaf_is_migration(softleaf_from_pmd(pmd)); }
static inline bool pmd_is_valid_softleaf(pmd_t pmd)
{
	softleaf_t e = softleaf_from_pmd(pmd);

	return softleaf_is_device_private(e) || softleaf_is_migration(e);
}

/* The name of a type, as Linux spells the enum without its prefix
 * ("swap", "migration_read", ... "marker"). */
VMSIM_API const char *vmsim_softleaf_type_name(enum softleaf_type type);

VMSIM_END_DECLS

#endif /* VMSIM_LEAFOPS_H */
