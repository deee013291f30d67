/* swp_entry_t and the classic swapops.h vocabulary, on the x86-64 swap-PTE
 * encoding.  Follows include/linux/{swap.h,swapops.h} as of Linux 6.15-6.18
 * (one SWP_DEVICE_EXCLUSIVE type; every special type configured in). */
#ifndef VMSIM_SWAPOPS_H
#define VMSIM_SWAPOPS_H

#include <vmsim/common.h>

#include <vmsim/pgtable.h>

VMSIM_BEGIN_DECLS

/*
 * The arch-independent swp_entry_t (never stored in a page table as is):
 *
 *   63  62 ...... 58  57 ............................................ 0
 * +---+-------------+------------------------------------------------+
 * | 0 | TYPE (5 b)  |                OFFSET (58 bits)                |
 * +---+-------------+------------------------------------------------+
 *
 * Bit 63 stays clear so that the value fits an xarray value entry.  The top
 * of the 5-bit type space is carved out for special entries, stacked upward
 * from MAX_SWAPFILES:
 *
 *   0 .. 23  real swap files          27  SWP_MIGRATION_WRITE
 *   24       SWP_HWPOISON             28  SWP_DEVICE_WRITE  (device private)
 *   25       SWP_MIGRATION_READ       29  SWP_DEVICE_READ   (device private)
 *   26       SWP_MIGRATION_READ_EXCL  30  SWP_DEVICE_EXCLUSIVE
 *                                     31  SWP_PTE_MARKER
 */
typedef struct { unsigned long val; } swp_entry_t;
typedef unsigned long pgoff_t;

#define MAX_SWAPFILES_SHIFT	5
#define BITS_PER_XA_VALUE	63
#define SWP_TYPE_SHIFT		(BITS_PER_XA_VALUE - MAX_SWAPFILES_SHIFT)
#define SWP_OFFSET_MASK		((1UL << SWP_TYPE_SHIFT) - 1)

#define SWP_HWPOISON_NUM	1
#define SWP_MIGRATION_NUM	3
#define SWP_DEVICE_NUM		3
#define SWP_PTE_MARKER_NUM	1
#define MAX_SWAPFILES \
	((1 << MAX_SWAPFILES_SHIFT) - SWP_DEVICE_NUM - SWP_MIGRATION_NUM - \
	 SWP_HWPOISON_NUM - SWP_PTE_MARKER_NUM)
#define SWP_HWPOISON			MAX_SWAPFILES
#define SWP_MIGRATION_READ		(MAX_SWAPFILES + SWP_HWPOISON_NUM)
#define SWP_MIGRATION_READ_EXCLUSIVE	(MAX_SWAPFILES + SWP_HWPOISON_NUM + 1)
#define SWP_MIGRATION_WRITE		(MAX_SWAPFILES + SWP_HWPOISON_NUM + 2)
#define SWP_DEVICE_WRITE	(MAX_SWAPFILES + SWP_HWPOISON_NUM + SWP_MIGRATION_NUM)
#define SWP_DEVICE_READ		(MAX_SWAPFILES + SWP_HWPOISON_NUM + SWP_MIGRATION_NUM + 1)
#define SWP_DEVICE_EXCLUSIVE	(MAX_SWAPFILES + SWP_HWPOISON_NUM + SWP_MIGRATION_NUM + 2)
#define SWP_PTE_MARKER		(MAX_SWAPFILES + SWP_HWPOISON_NUM + SWP_MIGRATION_NUM + SWP_DEVICE_NUM)

/* x86-64 arch format (pgtable_64.h): type in bits 59..63, offset inverted
 * in bits 9..58, so the largest offset a PTE can hold has 50 bits. */
#define SWP_TYPE_BITS		5
#define SWP_OFFSET_FIRST_BIT	(_PAGE_BIT_PROTNONE + 1)
#define SWP_OFFSET_SHIFT	(SWP_OFFSET_FIRST_BIT + SWP_TYPE_BITS)
#define SWP_ARCH_OFFSET_BITS	(64 - SWP_OFFSET_SHIFT)
#define __swp_type(x)		((unsigned)((x).val >> (64 - SWP_TYPE_BITS)))
#define __swp_offset(x)		(~(x).val << SWP_TYPE_BITS >> SWP_OFFSET_SHIFT)
#define __swp_entry(type, offset) ((swp_entry_t){ \
	(~(unsigned long)(offset) << SWP_OFFSET_SHIFT >> SWP_TYPE_BITS) | \
	((unsigned long)(type) << (64 - SWP_TYPE_BITS)) })
#define __pte_to_swp_entry(pte)	((swp_entry_t){ pte_val(pte) })
#define __pmd_to_swp_entry(pmd)	((swp_entry_t){ pmd_val(pmd) })
#define __swp_entry_to_pte(x)	(__pte((x).val))
#define __swp_entry_to_pmd(x)	(__pmd((x).val))

/*
 * PFN-carrying entries (migration, device, hwpoison) keep the PFN in the low
 * SWP_PFN_BITS of the offset and, for migration, the old PTE's accessed and
 * dirty bits just above it.  Linux computes SWP_PFN_BITS at boot from
 * MAX_PHYSMEM_BITS (52 with LA57, 46 without); libvmsim uses the LA57 value
 * for both level settings (docs/kernel-facts.md).
 */
#define MAX_PHYSMEM_BITS	52
#define SWP_PFN_BITS		(MAX_PHYSMEM_BITS - PAGE_SHIFT)
#define SWP_PFN_MASK		((1UL << SWP_PFN_BITS) - 1)
#define SWP_MIG_YOUNG_BIT	(SWP_PFN_BITS)
#define SWP_MIG_DIRTY_BIT	(SWP_PFN_BITS + 1)
#define SWP_MIG_TOTAL_BITS	(SWP_PFN_BITS + 2)
#define SWP_MIG_YOUNG		(1UL << SWP_MIG_YOUNG_BIT)
#define SWP_MIG_DIRTY		(1UL << SWP_MIG_DIRTY_BIT)

static inline swp_entry_t swp_entry(unsigned long type, pgoff_t offset)
{
	return (swp_entry_t){ (type << SWP_TYPE_SHIFT) | (offset & SWP_OFFSET_MASK) };
}
static inline unsigned swp_type(swp_entry_t entry) { return (unsigned)(entry.val >> SWP_TYPE_SHIFT); }
static inline pgoff_t swp_offset(swp_entry_t entry) { return entry.val & SWP_OFFSET_MASK; }
static inline unsigned long swp_offset_pfn(swp_entry_t entry) { return swp_offset(entry) & SWP_PFN_MASK; }

/* A swap PTE in the wide sense: anything not none and not present. */
static inline bool is_swap_pte(pte_t pte) { return !pte_none(pte) && !pte_present(pte); }

static inline swp_entry_t pte_to_swp_entry(pte_t pte)
{
	swp_entry_t arch = __pte_to_swp_entry(pte_swp_clear_flags(pte));

	return swp_entry(__swp_type(arch), __swp_offset(arch));
}
static inline pte_t swp_entry_to_pte(swp_entry_t entry)
{
	return __swp_entry_to_pte(__swp_entry(swp_type(entry), swp_offset(entry)));
}
static inline swp_entry_t pmd_to_swp_entry(pmd_t pmd)
{
	swp_entry_t arch = __pmd_to_swp_entry(pmd_swp_clear_uffd_wp(pmd_swp_clear_soft_dirty(pmd)));

	return swp_entry(__swp_type(arch), __swp_offset(arch));
}
static inline pmd_t swp_entry_to_pmd(swp_entry_t entry)
{
	return __swp_entry_to_pmd(__swp_entry(swp_type(entry), swp_offset(entry)));
}

static inline bool non_swap_entry(swp_entry_t entry) { return swp_type(entry) >= MAX_SWAPFILES; }

/* Device private and device exclusive. */
static inline swp_entry_t make_readable_device_private_entry(pgoff_t offset) { return swp_entry(SWP_DEVICE_READ, offset); }
static inline swp_entry_t make_writable_device_private_entry(pgoff_t offset) { return swp_entry(SWP_DEVICE_WRITE, offset); }
static inline bool is_device_private_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_DEVICE_WRITE || swp_type(e) == SWP_DEVICE_READ;
}
static inline bool is_writable_device_private_entry(swp_entry_t e) { return swp_type(e) == SWP_DEVICE_WRITE; }
static inline swp_entry_t make_device_exclusive_entry(pgoff_t offset) { return swp_entry(SWP_DEVICE_EXCLUSIVE, offset); }
static inline bool is_device_exclusive_entry(swp_entry_t e) { return swp_type(e) == SWP_DEVICE_EXCLUSIVE; }

/* Migration. */
static inline bool is_migration_entry(swp_entry_t e)
{
	return swp_type(e) == SWP_MIGRATION_READ || swp_type(e) == SWP_MIGRATION_READ_EXCLUSIVE ||
	       swp_type(e) == SWP_MIGRATION_WRITE;
}
static inline bool is_writable_migration_entry(swp_entry_t e) { return swp_type(e) == SWP_MIGRATION_WRITE; }
static inline bool is_readable_migration_entry(swp_entry_t e) { return swp_type(e) == SWP_MIGRATION_READ; }
static inline bool is_readable_exclusive_migration_entry(swp_entry_t e) { return swp_type(e) == SWP_MIGRATION_READ_EXCLUSIVE; }
static inline swp_entry_t make_readable_migration_entry(pgoff_t offset) { return swp_entry(SWP_MIGRATION_READ, offset); }
static inline swp_entry_t make_readable_exclusive_migration_entry(pgoff_t offset) { return swp_entry(SWP_MIGRATION_READ_EXCLUSIVE, offset); }
static inline swp_entry_t make_writable_migration_entry(pgoff_t offset) { return swp_entry(SWP_MIGRATION_WRITE, offset); }
/* x86-64's 50 offset bits hold SWP_MIG_TOTAL_BITS (42), so A/D are kept. */
static inline bool migration_entry_supports_ad(void) { return SWP_ARCH_OFFSET_BITS >= SWP_MIG_TOTAL_BITS; }
static inline swp_entry_t make_migration_entry_young(swp_entry_t e)
{
	return migration_entry_supports_ad() ? swp_entry(swp_type(e), swp_offset(e) | SWP_MIG_YOUNG) : e;
}
static inline bool is_migration_entry_young(swp_entry_t e)
{
	return migration_entry_supports_ad() ? (swp_offset(e) & SWP_MIG_YOUNG) != 0 : false;
}
static inline swp_entry_t make_migration_entry_dirty(swp_entry_t e)
{
	return migration_entry_supports_ad() ? swp_entry(swp_type(e), swp_offset(e) | SWP_MIG_DIRTY) : e;
}
static inline bool is_migration_entry_dirty(swp_entry_t e)
{
	return migration_entry_supports_ad() ? (swp_offset(e) & SWP_MIG_DIRTY) != 0 : false;
}

/* Hardware poison: Linux passes the page; here the PFN. */
static inline swp_entry_t make_hwpoison_entry(unsigned long pfn) { return swp_entry(SWP_HWPOISON, pfn); }
static inline bool is_hwpoison_entry(swp_entry_t e) { return swp_type(e) == SWP_HWPOISON; }

static inline bool is_pfn_swap_entry(swp_entry_t e)
{
	return is_migration_entry(e) || is_device_private_entry(e) ||
	       is_device_exclusive_entry(e) || is_hwpoison_entry(e);
}

/* PTE markers: a swap PTE of type SWP_PTE_MARKER whose offset is a bitmask. */
typedef unsigned long pte_marker;
#define PTE_MARKER_UFFD_WP	(1UL << 0)
#define PTE_MARKER_POISONED	(1UL << 1)
#define PTE_MARKER_GUARD	(1UL << 2)
/* Linux's mask is BIT(3) - 1; bits 3..15 are left free here for marker
 * kinds a prototype registers (vmsim_kind_register with
 * VMSIM_KIND_ALLOC_MARKER), as a new marker would widen it in the kernel. */
#define PTE_MARKER_MASK		((1UL << 16) - 1)

static inline swp_entry_t make_pte_marker_entry(pte_marker marker) { return swp_entry(SWP_PTE_MARKER, marker); }
static inline bool is_pte_marker_entry(swp_entry_t e) { return swp_type(e) == SWP_PTE_MARKER; }
static inline pte_marker pte_marker_get(swp_entry_t e) { return swp_offset(e) & PTE_MARKER_MASK; }
static inline bool is_pte_marker(pte_t pte) { return is_swap_pte(pte) && is_pte_marker_entry(pte_to_swp_entry(pte)); }
static inline pte_t make_pte_marker(pte_marker marker) { return swp_entry_to_pte(make_pte_marker_entry(marker)); }
static inline swp_entry_t make_poisoned_swp_entry(void) { return make_pte_marker_entry(PTE_MARKER_POISONED); }
static inline swp_entry_t make_guard_swp_entry(void) { return make_pte_marker_entry(PTE_MARKER_GUARD); }
static inline bool is_poisoned_swp_entry(swp_entry_t e)
{
	return is_pte_marker_entry(e) && (pte_marker_get(e) & PTE_MARKER_POISONED);
}
static inline bool is_guard_swp_entry(swp_entry_t e)
{
	return is_pte_marker_entry(e) && (pte_marker_get(e) & PTE_MARKER_GUARD);
}
/* userfaultfd_k.h */
static inline bool pte_marker_entry_uffd_wp(swp_entry_t e)
{
	return is_pte_marker_entry(e) && (pte_marker_get(e) & PTE_MARKER_UFFD_WP);
}
static inline bool pte_marker_uffd_wp(pte_t pte)
{
	return is_swap_pte(pte) && pte_marker_entry_uffd_wp(pte_to_swp_entry(pte));
}
/* A swap PTE carrying uffd-wp, as a bit or as a marker. */
static inline bool pte_swp_uffd_wp_any(pte_t pte)
{
	if (!is_swap_pte(pte))
		return false;
	return pte_swp_uffd_wp(pte) || pte_marker_uffd_wp(pte);
}
/* "Treat as empty" for file-backed memory: none, or only a marker. */
static inline bool pte_none_mostly(pte_t pte) { return pte_none(pte) || is_pte_marker(pte); }

/* Exported, checked constructors: -EINVAL for a type >= 32 or an offset the
 * x86-64 swap PTE cannot hold (more than 50 bits), instead of masking. */
VMSIM_API int vmsim_swp_entry_to_pte(unsigned type, unsigned long offset, pte_t *out);
/* -EINVAL for 0 or bits outside PTE_MARKER_MASK. */
VMSIM_API int vmsim_make_pte_marker(pte_marker marker, pte_t *out);

VMSIM_END_DECLS

#endif /* VMSIM_SWAPOPS_H */
