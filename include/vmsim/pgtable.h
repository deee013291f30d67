/* x86-64 page-table entry formats and their helpers.
 * Follows arch/x86/include/asm/{pgtable.h,pgtable_types.h,pgtable_64.h,
 * pgtable-invert.h} of Linux 6.12 (bit numbers: docs/kernel-facts.md). */
#ifndef VMSIM_PGTABLE_H
#define VMSIM_PGTABLE_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stdint.h>

VMSIM_BEGIN_DECLS

/*
 * A present x86-64 entry (all levels):
 *
 *  63 62..59 58  57..52 51 ............... 12 11 10  9  8  7  6  5  4  3  2  1  0
 * +--+------+--+------+-----------------------+--+--+--+--+--+--+--+--+--+--+--+--+
 * |NX| PKEY |SD|  --  |   PFN (bits 12..51)   |SD|UW|SP| G|PS| D| A|CD|WT| U|RW| P|
 * +--+------+--+------+-----------------------+--+--+--+--+--+--+--+--+--+--+--+--+
 *   bit 58 SD = SAVED_DIRTY (shadow-stack helper bit), bit 11 SD = SOFT_DIRTY,
 *   UW = UFFD_WP (SOFTW2), SP = SPECIAL (SOFTW1), PS = PSE (PAT on 4K PTEs),
 *   bit 12 of a 2M/1G leaf is PAT_LARGE, not part of the PFN.
 *
 * A non-present, non-none PTE (swap entry, migration entry, PTE marker ...):
 *
 *  63 .. 59 58 ........................... 9  8  7  6  5  4  3  2  1  0
 * +--------+------------------------------+--+--+--+--+--+--+--+--+--+
 * |  TYPE  |   ~OFFSET (stored inverted)  | 0| 0| X| X| X| E|UW|SD| 0|
 * +--------+------------------------------+--+--+--+--+--+--+--+--+--+
 *   E = _PAGE_SWP_EXCLUSIVE (bit 3), UW = _PAGE_SWP_UFFD_WP (bit 2),
 *   SD = _PAGE_SWP_SOFT_DIRTY (bit 1).  Bit 7 stays 0 (pmd_present tests PSE),
 *   bit 8 stays 0 (it is PROTNONE).  The inversion is the L1TF mitigation:
 *   every non-zero entry with PRESENT clear stores its PFN bits inverted.
 */

typedef uint64_t pteval_t;
typedef uint64_t pmdval_t;
typedef uint64_t pudval_t;
typedef uint64_t p4dval_t;
typedef uint64_t pgdval_t;
typedef uint64_t pgprotval_t;

/* One-member structs, so that a pte, a pmd and an integer cannot be mixed. */
typedef struct { pteval_t pte; } pte_t;
typedef struct { pmdval_t pmd; } pmd_t;
typedef struct { pudval_t pud; } pud_t;
typedef struct { p4dval_t p4d; } p4d_t;
typedef struct { pgdval_t pgd; } pgd_t;
typedef struct { pgprotval_t pgprot; } pgprot_t;

#define PAGE_SHIFT	12
#define PAGE_SIZE	(1UL << PAGE_SHIFT)
#define PAGE_MASK	(~(PAGE_SIZE-1))	/* spelt as <sys/user.h> spells it */
#define PMD_SHIFT	21
#define PMD_SIZE	(1UL << PMD_SHIFT)
#define PMD_MASK	(~(PMD_SIZE - 1))
#define PUD_SHIFT	30
#define PUD_SIZE	(1UL << PUD_SHIFT)
#define PUD_MASK	(~(PUD_SIZE - 1))
#define P4D_SHIFT	39
#define P4D_SIZE	(1UL << P4D_SHIFT)
#define P4D_MASK	(~(P4D_SIZE - 1))
/* PGDIR_SHIFT is 48 with 5 levels and 39 with 4 (p4d folded); it is a
 * property of the machine, see vmsim_pgdir_shift(). */
#define PGDIR_SHIFT_L5	48
#define PGDIR_SHIFT_L4	39
#define PTRS_PER_PTE	512
#define PTRS_PER_PMD	512
#define PTRS_PER_PUD	512
#define PTRS_PER_P4D	512
#define PTRS_PER_PGD	512
#define HPAGE_PMD_ORDER	(PMD_SHIFT - PAGE_SHIFT)
#define HPAGE_PMD_NR	(1UL << HPAGE_PMD_ORDER)

#define _PAGE_BIT_PRESENT	0
#define _PAGE_BIT_RW		1
#define _PAGE_BIT_USER		2
#define _PAGE_BIT_PWT		3
#define _PAGE_BIT_PCD		4
#define _PAGE_BIT_ACCESSED	5
#define _PAGE_BIT_DIRTY		6
#define _PAGE_BIT_PSE		7
#define _PAGE_BIT_PAT		7
#define _PAGE_BIT_GLOBAL	8
#define _PAGE_BIT_SOFTW1	9
#define _PAGE_BIT_SOFTW2	10
#define _PAGE_BIT_SOFTW3	11
#define _PAGE_BIT_PAT_LARGE	12
#define _PAGE_BIT_SOFTW5	58
#define _PAGE_BIT_NX		63
#define _PAGE_BIT_SPECIAL	_PAGE_BIT_SOFTW1
#define _PAGE_BIT_UFFD_WP	_PAGE_BIT_SOFTW2
#define _PAGE_BIT_SOFT_DIRTY	_PAGE_BIT_SOFTW3
#define _PAGE_BIT_SAVED_DIRTY	_PAGE_BIT_SOFTW5
/* Only meaningful while PRESENT is clear. */
#define _PAGE_BIT_PROTNONE	_PAGE_BIT_GLOBAL

#define _PAGE_PRESENT	(1ULL << _PAGE_BIT_PRESENT)
#define _PAGE_RW	(1ULL << _PAGE_BIT_RW)
#define _PAGE_USER	(1ULL << _PAGE_BIT_USER)
#define _PAGE_PWT	(1ULL << _PAGE_BIT_PWT)
#define _PAGE_PCD	(1ULL << _PAGE_BIT_PCD)
#define _PAGE_ACCESSED	(1ULL << _PAGE_BIT_ACCESSED)
#define _PAGE_DIRTY	(1ULL << _PAGE_BIT_DIRTY)
#define _PAGE_PSE	(1ULL << _PAGE_BIT_PSE)
#define _PAGE_PAT	(1ULL << _PAGE_BIT_PAT)
#define _PAGE_GLOBAL	(1ULL << _PAGE_BIT_GLOBAL)
#define _PAGE_PAT_LARGE	(1ULL << _PAGE_BIT_PAT_LARGE)
#define _PAGE_SPECIAL	(1ULL << _PAGE_BIT_SPECIAL)
#define _PAGE_UFFD_WP	(1ULL << _PAGE_BIT_UFFD_WP)
#define _PAGE_SOFT_DIRTY (1ULL << _PAGE_BIT_SOFT_DIRTY)
#define _PAGE_SAVED_DIRTY (1ULL << _PAGE_BIT_SAVED_DIRTY)
#define _PAGE_NX	(1ULL << _PAGE_BIT_NX)
#define _PAGE_PROTNONE	(1ULL << _PAGE_BIT_PROTNONE)
#define _PAGE_DIRTY_BITS (_PAGE_DIRTY | _PAGE_SAVED_DIRTY)
/* pte_none ignores A and D: Knights Landing may set them on a none entry. */
#define _PAGE_KNL_ERRATUM_MASK (_PAGE_DIRTY | _PAGE_ACCESSED)

/* Bits of a swap (non-present) PTE; they alias present-PTE bits 1..3. */
#define _PAGE_SWP_SOFT_DIRTY	_PAGE_RW
#define _PAGE_SWP_UFFD_WP	_PAGE_USER
#define _PAGE_SWP_EXCLUSIVE	_PAGE_PWT

#define __PHYSICAL_MASK_SHIFT	52
#define __PHYSICAL_MASK		((1ULL << __PHYSICAL_MASK_SHIFT) - 1)
#define PTE_PFN_MASK		((pteval_t)PAGE_MASK & __PHYSICAL_MASK)
#define PTE_FLAGS_MASK		(~PTE_PFN_MASK)
#define PHYSICAL_PMD_PAGE_MASK	((pteval_t)PMD_MASK & __PHYSICAL_MASK)
#define PHYSICAL_PUD_PAGE_MASK	((pteval_t)PUD_MASK & __PHYSICAL_MASK)

/* Bits pte_modify() keeps (everything else comes from the new protection). */
#define _COMMON_PAGE_CHG_MASK	(PTE_PFN_MASK | _PAGE_PCD | _PAGE_PWT | \
				 _PAGE_SPECIAL | _PAGE_ACCESSED | \
				 _PAGE_DIRTY_BITS | _PAGE_SOFT_DIRTY | _PAGE_UFFD_WP)
#define _PAGE_CHG_MASK		(_COMMON_PAGE_CHG_MASK | _PAGE_PAT)
#define _HPAGE_CHG_MASK		(_COMMON_PAGE_CHG_MASK | _PAGE_PSE | _PAGE_PAT_LARGE)

/* Protections (arch/x86/include/asm/pgtable_types.h). */
#define __pgprot(x)		((pgprot_t){ (x) })
#define pgprot_val(p)		((p).pgprot)
#define _PAGE_TABLE		(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_DIRTY)
#define _KERNPG_TABLE		(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY)
#define PAGE_NONE		__pgprot(_PAGE_ACCESSED | _PAGE_GLOBAL)
#define PAGE_SHARED		__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_SHARED_EXEC	__pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY_NOEXEC	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_COPY_EXEC		__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)
#define PAGE_COPY		PAGE_COPY_NOEXEC
#define PAGE_READONLY		__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX)
#define PAGE_READONLY_EXEC	__pgprot(_PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED)

#define __pte(x)	((pte_t){ (x) })
#define __pmd(x)	((pmd_t){ (x) })
#define __pud(x)	((pud_t){ (x) })
#define __p4d(x)	((p4d_t){ (x) })
#define __pgd(x)	((pgd_t){ (x) })
#define pte_val(x)	((x).pte)
#define pmd_val(x)	((x).pmd)
#define pud_val(x)	((x).pud)
#define p4d_val(x)	((x).p4d)
#define pgd_val(x)	((x).pgd)

/* ---- L1TF inversion (pgtable-invert.h) ---- */

static inline bool __pte_needs_invert(uint64_t val)
{
	return val && !(val & _PAGE_PRESENT);
}

/* Mask to XOR with the PFN bits: all ones for an inverted entry. */
static inline uint64_t protnone_mask(uint64_t val)
{
	return __pte_needs_invert(val) ? ~0ULL : 0;
}

static inline uint64_t flip_protnone_guard(uint64_t oldval, uint64_t val, uint64_t mask)
{
	/* When a PTE crosses between inverted and not, flip its PFN bits. */
	if (!__pte_needs_invert(oldval) != !__pte_needs_invert(val))
		val = (val & ~mask) | (~val & mask);
	return val;
}

/* ---- The shadow-stack dirty shuffle (x86 does it unconditionally) ---- */

/* A write-protected entry keeps its dirtiness in SAVED_DIRTY, never DIRTY,
 * because Write=0,Dirty=1 means "shadow stack" to CPUs that have them. */
static inline uint64_t mksaveddirty_shift(uint64_t v)
{
	uint64_t cond = (~v >> _PAGE_BIT_RW) & 1;

	v |= ((v >> _PAGE_BIT_DIRTY) & cond) << _PAGE_BIT_SAVED_DIRTY;
	v &= ~(cond << _PAGE_BIT_DIRTY);
	return v;
}

static inline uint64_t clear_saveddirty_shift(uint64_t v)
{
	uint64_t cond = (v >> _PAGE_BIT_RW) & 1;

	v |= ((v >> _PAGE_BIT_SAVED_DIRTY) & cond) << _PAGE_BIT_DIRTY;
	v &= ~(cond << _PAGE_BIT_SAVED_DIRTY);
	return v;
}

/* ---- pte ---- */

static inline pteval_t pte_flags(pte_t pte) { return pte_val(pte) & PTE_FLAGS_MASK; }
static inline pte_t pte_set_flags(pte_t pte, pteval_t set) { return __pte(pte_val(pte) | set); }
static inline pte_t pte_clear_flags(pte_t pte, pteval_t clear) { return __pte(pte_val(pte) & ~clear); }

static inline bool pte_none(pte_t pte) { return !(pte_val(pte) & ~_PAGE_KNL_ERRATUM_MASK); }
static inline bool pte_same(pte_t a, pte_t b) { return pte_val(a) == pte_val(b); }
/* PROT_NONE entries are "present" to mm: only the hardware sees them absent. */
static inline bool pte_present(pte_t pte) { return pte_flags(pte) & (_PAGE_PRESENT | _PAGE_PROTNONE); }
static inline bool pte_protnone(pte_t pte)
{
	return (pte_flags(pte) & (_PAGE_PROTNONE | _PAGE_PRESENT)) == _PAGE_PROTNONE;
}
static inline bool pte_write(pte_t pte) { return pte_flags(pte) & _PAGE_RW; }
static inline bool pte_dirty(pte_t pte) { return pte_flags(pte) & _PAGE_DIRTY_BITS; }
static inline bool pte_young(pte_t pte) { return pte_flags(pte) & _PAGE_ACCESSED; }
static inline bool pte_special(pte_t pte) { return pte_flags(pte) & _PAGE_SPECIAL; }
static inline bool pte_soft_dirty(pte_t pte) { return pte_flags(pte) & _PAGE_SOFT_DIRTY; }
static inline bool pte_uffd_wp(pte_t pte) { return pte_flags(pte) & _PAGE_UFFD_WP; }
static inline bool pte_global(pte_t pte) { return pte_flags(pte) & _PAGE_GLOBAL; }
static inline bool pte_exec(pte_t pte) { return !(pte_flags(pte) & _PAGE_NX); }
static inline bool pte_user(pte_t pte) { return pte_flags(pte) & _PAGE_USER; }
static inline bool pte_huge(pte_t pte) { return pte_flags(pte) & _PAGE_PSE; }

static inline pte_t pte_wrprotect(pte_t pte)
{
	return __pte(mksaveddirty_shift(pte_val(pte_clear_flags(pte, _PAGE_RW))));
}
/* Linux's pte_mkwrite(pte, vma) needs the vma only for shadow stacks. */
static inline pte_t pte_mkwrite(pte_t pte)
{
	return __pte(clear_saveddirty_shift(pte_val(pte_set_flags(pte, _PAGE_RW))));
}
/* x86 sets soft-dirty together with dirty. */
static inline pte_t pte_mkdirty(pte_t pte)
{
	return __pte(mksaveddirty_shift(pte_val(pte_set_flags(pte, _PAGE_DIRTY | _PAGE_SOFT_DIRTY))));
}
static inline pte_t pte_mkclean(pte_t pte) { return pte_clear_flags(pte, _PAGE_DIRTY_BITS); }
static inline pte_t pte_mkyoung(pte_t pte) { return pte_set_flags(pte, _PAGE_ACCESSED); }
static inline pte_t pte_mkold(pte_t pte) { return pte_clear_flags(pte, _PAGE_ACCESSED); }
static inline pte_t pte_mkspecial(pte_t pte) { return pte_set_flags(pte, _PAGE_SPECIAL); }
static inline pte_t pte_mksoft_dirty(pte_t pte) { return pte_set_flags(pte, _PAGE_SOFT_DIRTY); }
static inline pte_t pte_clear_soft_dirty(pte_t pte) { return pte_clear_flags(pte, _PAGE_SOFT_DIRTY); }
/* Setting uffd-wp also write-protects: the protection is the point. */
static inline pte_t pte_mkuffd_wp(pte_t pte) { return pte_wrprotect(pte_set_flags(pte, _PAGE_UFFD_WP)); }
static inline pte_t pte_clear_uffd_wp(pte_t pte) { return pte_clear_flags(pte, _PAGE_UFFD_WP); }
static inline pte_t pte_mkexec(pte_t pte) { return pte_clear_flags(pte, _PAGE_NX); }
static inline pte_t pte_mkglobal(pte_t pte) { return pte_set_flags(pte, _PAGE_GLOBAL); }
static inline pte_t pte_mkhuge(pte_t pte) { return pte_set_flags(pte, _PAGE_PSE); }

static inline unsigned long pte_pfn(pte_t pte)
{
	uint64_t v = pte_val(pte);

	v ^= protnone_mask(v);
	return (v & PTE_PFN_MASK) >> PAGE_SHIFT;
}

static inline pte_t pfn_pte(unsigned long pfn, pgprot_t prot)
{
	uint64_t v = (uint64_t)pfn << PAGE_SHIFT;

	v ^= protnone_mask(pgprot_val(prot));
	v &= PTE_PFN_MASK;
	return __pte(v | pgprot_val(prot));
}

/* New protection, same page: keeps the _PAGE_CHG_MASK bits. */
static inline pte_t pte_modify(pte_t pte, pgprot_t newprot)
{
	uint64_t val = pte_val(pte), oldval = val;

	val &= _PAGE_CHG_MASK;
	val |= pgprot_val(newprot) & ~_PAGE_CHG_MASK;
	val = flip_protnone_guard(oldval, val, PTE_PFN_MASK);
	/* Never leave Write=0,Dirty=1 behind (x86 tests the old RW here). */
	if (oldval & _PAGE_RW)
		val = mksaveddirty_shift(val);
	else
		val = clear_saveddirty_shift(val);
	return __pte(val);
}

static inline pgprot_t pte_pgprot(pte_t pte)
{
	uint64_t v = pte_val(pte);

	return __pgprot(v & ~(PTE_PFN_MASK));
}

/* Swap-PTE flag bits. */
static inline bool pte_swp_soft_dirty(pte_t pte) { return pte_flags(pte) & _PAGE_SWP_SOFT_DIRTY; }
static inline pte_t pte_swp_mksoft_dirty(pte_t pte) { return pte_set_flags(pte, _PAGE_SWP_SOFT_DIRTY); }
static inline pte_t pte_swp_clear_soft_dirty(pte_t pte) { return pte_clear_flags(pte, _PAGE_SWP_SOFT_DIRTY); }
static inline bool pte_swp_uffd_wp(pte_t pte) { return pte_flags(pte) & _PAGE_SWP_UFFD_WP; }
static inline pte_t pte_swp_mkuffd_wp(pte_t pte) { return pte_set_flags(pte, _PAGE_SWP_UFFD_WP); }
static inline pte_t pte_swp_clear_uffd_wp(pte_t pte) { return pte_clear_flags(pte, _PAGE_SWP_UFFD_WP); }
static inline bool pte_swp_exclusive(pte_t pte) { return pte_flags(pte) & _PAGE_SWP_EXCLUSIVE; }
static inline pte_t pte_swp_mkexclusive(pte_t pte) { return pte_set_flags(pte, _PAGE_SWP_EXCLUSIVE); }
static inline pte_t pte_swp_clear_exclusive(pte_t pte) { return pte_clear_flags(pte, _PAGE_SWP_EXCLUSIVE); }
/* The bits that are not part of the type/offset encoding. */
static inline pte_t pte_swp_clear_flags(pte_t pte)
{
	return pte_clear_flags(pte, _PAGE_SWP_EXCLUSIVE | _PAGE_SWP_SOFT_DIRTY | _PAGE_SWP_UFFD_WP);
}

/* ---- pmd ---- */

static inline pmdval_t pmd_pfn_mask(pmd_t pmd)
{
	return (pmd_val(pmd) & _PAGE_PSE) ? PHYSICAL_PMD_PAGE_MASK : PTE_PFN_MASK;
}
static inline pmdval_t pmd_flags(pmd_t pmd) { return pmd_val(pmd) & ~pmd_pfn_mask(pmd); }
static inline pmd_t pmd_set_flags(pmd_t pmd, pmdval_t set) { return __pmd(pmd_val(pmd) | set); }
static inline pmd_t pmd_clear_flags(pmd_t pmd, pmdval_t clear) { return __pmd(pmd_val(pmd) & ~clear); }

static inline bool pmd_none(pmd_t pmd) { return (pmd_val(pmd) & ~_PAGE_KNL_ERRATUM_MASK) == 0; }
/* PSE counts as present: split_huge_page clears P for a moment. */
static inline bool pmd_present(pmd_t pmd) { return pmd_flags(pmd) & (_PAGE_PRESENT | _PAGE_PROTNONE | _PAGE_PSE); }
static inline bool pmd_leaf(pmd_t pmd) { return pmd_flags(pmd) & _PAGE_PSE; }
static inline bool pmd_trans_huge(pmd_t pmd) { return pmd_leaf(pmd); }
static inline bool pmd_same(pmd_t a, pmd_t b) { return pmd_val(a) == pmd_val(b); }
static inline bool pmd_write(pmd_t pmd) { return pmd_flags(pmd) & _PAGE_RW; }
static inline bool pmd_dirty(pmd_t pmd) { return pmd_flags(pmd) & _PAGE_DIRTY_BITS; }
static inline bool pmd_young(pmd_t pmd) { return pmd_flags(pmd) & _PAGE_ACCESSED; }
static inline bool pmd_soft_dirty(pmd_t pmd) { return pmd_flags(pmd) & _PAGE_SOFT_DIRTY; }
static inline bool pmd_uffd_wp(pmd_t pmd) { return pmd_flags(pmd) & _PAGE_UFFD_WP; }
static inline bool pmd_special(pmd_t pmd) { return pmd_flags(pmd) & _PAGE_SPECIAL; }
static inline bool pmd_exec(pmd_t pmd) { return !(pmd_flags(pmd) & _PAGE_NX); }
static inline bool pmd_user(pmd_t pmd) { return pmd_flags(pmd) & _PAGE_USER; }
static inline bool pmd_global(pmd_t pmd) { return pmd_flags(pmd) & _PAGE_GLOBAL; }

static inline pmd_t pmd_wrprotect(pmd_t pmd)
{
	return __pmd(mksaveddirty_shift(pmd_val(pmd_clear_flags(pmd, _PAGE_RW))));
}
static inline pmd_t pmd_mkwrite(pmd_t pmd)
{
	return __pmd(clear_saveddirty_shift(pmd_val(pmd_set_flags(pmd, _PAGE_RW))));
}
static inline pmd_t pmd_mkdirty(pmd_t pmd)
{
	return __pmd(mksaveddirty_shift(pmd_val(pmd_set_flags(pmd, _PAGE_DIRTY | _PAGE_SOFT_DIRTY))));
}
static inline pmd_t pmd_mkclean(pmd_t pmd) { return pmd_clear_flags(pmd, _PAGE_DIRTY_BITS); }
static inline pmd_t pmd_mkyoung(pmd_t pmd) { return pmd_set_flags(pmd, _PAGE_ACCESSED); }
static inline pmd_t pmd_mkold(pmd_t pmd) { return pmd_clear_flags(pmd, _PAGE_ACCESSED); }
static inline pmd_t pmd_mkhuge(pmd_t pmd) { return pmd_set_flags(pmd, _PAGE_PSE); }
static inline pmd_t pmd_mkspecial(pmd_t pmd) { return pmd_set_flags(pmd, _PAGE_SPECIAL); }
static inline pmd_t pmd_mksoft_dirty(pmd_t pmd) { return pmd_set_flags(pmd, _PAGE_SOFT_DIRTY); }
static inline pmd_t pmd_clear_soft_dirty(pmd_t pmd) { return pmd_clear_flags(pmd, _PAGE_SOFT_DIRTY); }
static inline pmd_t pmd_mkuffd_wp(pmd_t pmd) { return pmd_wrprotect(pmd_set_flags(pmd, _PAGE_UFFD_WP)); }
static inline pmd_t pmd_clear_uffd_wp(pmd_t pmd) { return pmd_clear_flags(pmd, _PAGE_UFFD_WP); }
/* A present but not valid pmd (split_huge_page's trick). */
static inline pmd_t pmd_mkinvalid(pmd_t pmd)
{
	uint64_t v = pmd_val(pmd), nv = v & ~(_PAGE_PRESENT | _PAGE_PROTNONE);

	return __pmd(flip_protnone_guard(v, nv, PHYSICAL_PMD_PAGE_MASK));
}

static inline unsigned long pmd_pfn(pmd_t pmd)
{
	uint64_t v = pmd_val(pmd);

	v ^= protnone_mask(v);
	return (v & pmd_pfn_mask(pmd)) >> PAGE_SHIFT;
}

static inline pmd_t pfn_pmd(unsigned long pfn, pgprot_t prot)
{
	uint64_t v = (uint64_t)pfn << PAGE_SHIFT;

	v ^= protnone_mask(pgprot_val(prot));
	v &= PHYSICAL_PMD_PAGE_MASK;
	return __pmd(v | pgprot_val(prot));
}

static inline pmd_t pmd_modify(pmd_t pmd, pgprot_t newprot)
{
	uint64_t val = pmd_val(pmd), oldval = val;

	val &= _HPAGE_CHG_MASK;
	val |= pgprot_val(newprot) & ~_HPAGE_CHG_MASK;
	val = flip_protnone_guard(oldval, val, PHYSICAL_PMD_PAGE_MASK);
	val = (oldval & _PAGE_RW) ? mksaveddirty_shift(val) : clear_saveddirty_shift(val);
	return __pmd(val);
}

static inline bool pmd_swp_soft_dirty(pmd_t pmd) { return pmd_val(pmd) & _PAGE_SWP_SOFT_DIRTY; }
static inline pmd_t pmd_swp_mksoft_dirty(pmd_t pmd) { return pmd_set_flags(pmd, _PAGE_SWP_SOFT_DIRTY); }
static inline pmd_t pmd_swp_clear_soft_dirty(pmd_t pmd) { return pmd_clear_flags(pmd, _PAGE_SWP_SOFT_DIRTY); }
static inline bool pmd_swp_uffd_wp(pmd_t pmd) { return pmd_val(pmd) & _PAGE_SWP_UFFD_WP; }
static inline pmd_t pmd_swp_mkuffd_wp(pmd_t pmd) { return pmd_set_flags(pmd, _PAGE_SWP_UFFD_WP); }
static inline pmd_t pmd_swp_clear_uffd_wp(pmd_t pmd) { return pmd_clear_flags(pmd, _PAGE_SWP_UFFD_WP); }

/* ---- pud ---- */

static inline pudval_t pud_pfn_mask(pud_t pud)
{
	return (pud_val(pud) & _PAGE_PSE) ? PHYSICAL_PUD_PAGE_MASK : PTE_PFN_MASK;
}
static inline pudval_t pud_flags(pud_t pud) { return pud_val(pud) & ~pud_pfn_mask(pud); }
static inline pud_t pud_set_flags(pud_t pud, pudval_t set) { return __pud(pud_val(pud) | set); }
static inline pud_t pud_clear_flags(pud_t pud, pudval_t clear) { return __pud(pud_val(pud) & ~clear); }

static inline bool pud_none(pud_t pud) { return (pud_val(pud) & ~_PAGE_KNL_ERRATUM_MASK) == 0; }
static inline bool pud_present(pud_t pud) { return pud_flags(pud) & _PAGE_PRESENT; }
static inline bool pud_leaf(pud_t pud) { return pud_val(pud) & _PAGE_PSE; }
static inline bool pud_same(pud_t a, pud_t b) { return pud_val(a) == pud_val(b); }
static inline bool pud_write(pud_t pud) { return pud_flags(pud) & _PAGE_RW; }
static inline bool pud_dirty(pud_t pud) { return pud_flags(pud) & _PAGE_DIRTY_BITS; }
static inline bool pud_young(pud_t pud) { return pud_flags(pud) & _PAGE_ACCESSED; }
static inline bool pud_user(pud_t pud) { return pud_flags(pud) & _PAGE_USER; }
static inline bool pud_exec(pud_t pud) { return !(pud_flags(pud) & _PAGE_NX); }
static inline bool pud_global(pud_t pud) { return pud_flags(pud) & _PAGE_GLOBAL; }
static inline pud_t pud_wrprotect(pud_t pud)
{
	return __pud(mksaveddirty_shift(pud_val(pud_clear_flags(pud, _PAGE_RW))));
}
static inline pud_t pud_mkwrite(pud_t pud)
{
	return __pud(clear_saveddirty_shift(pud_val(pud_set_flags(pud, _PAGE_RW))));
}
static inline pud_t pud_mkdirty(pud_t pud)
{
	return __pud(mksaveddirty_shift(pud_val(pud_set_flags(pud, _PAGE_DIRTY | _PAGE_SOFT_DIRTY))));
}
static inline pud_t pud_mkclean(pud_t pud) { return pud_clear_flags(pud, _PAGE_DIRTY_BITS); }
static inline pud_t pud_mkyoung(pud_t pud) { return pud_set_flags(pud, _PAGE_ACCESSED); }
static inline pud_t pud_mkold(pud_t pud) { return pud_clear_flags(pud, _PAGE_ACCESSED); }
static inline pud_t pud_mkhuge(pud_t pud) { return pud_set_flags(pud, _PAGE_PSE); }

static inline unsigned long pud_pfn(pud_t pud)
{
	uint64_t v = pud_val(pud);

	v ^= protnone_mask(v);
	return (v & pud_pfn_mask(pud)) >> PAGE_SHIFT;
}

static inline pud_t pfn_pud(unsigned long pfn, pgprot_t prot)
{
	uint64_t v = (uint64_t)pfn << PAGE_SHIFT;

	v ^= protnone_mask(pgprot_val(prot));
	v &= PHYSICAL_PUD_PAGE_MASK;
	return __pud(v | pgprot_val(prot));
}

/* ---- p4d, pgd: table entries only (no 512 GiB pages) ---- */

static inline bool p4d_none(p4d_t p4d) { return (p4d_val(p4d) & ~_PAGE_KNL_ERRATUM_MASK) == 0; }
static inline bool p4d_present(p4d_t p4d) { return p4d_val(p4d) & _PAGE_PRESENT; }
static inline bool p4d_leaf(p4d_t p4d) { (void)p4d; return false; }
static inline unsigned long p4d_pfn(p4d_t p4d) { return (p4d_val(p4d) & PTE_PFN_MASK) >> PAGE_SHIFT; }
static inline bool pgd_none(pgd_t pgd) { return (pgd_val(pgd) & ~_PAGE_KNL_ERRATUM_MASK) == 0; }
static inline bool pgd_present(pgd_t pgd) { return pgd_val(pgd) & _PAGE_PRESENT; }
static inline unsigned long pgd_pfn(pgd_t pgd) { return (pgd_val(pgd) & PTE_PFN_MASK) >> PAGE_SHIFT; }

/* Index of addr in the table of each level. */
static inline unsigned pte_index(uint64_t addr) { return (addr >> PAGE_SHIFT) & (PTRS_PER_PTE - 1); }
static inline unsigned pmd_index(uint64_t addr) { return (addr >> PMD_SHIFT) & (PTRS_PER_PMD - 1); }
static inline unsigned pud_index(uint64_t addr) { return (addr >> PUD_SHIFT) & (PTRS_PER_PUD - 1); }
static inline unsigned p4d_index(uint64_t addr) { return (addr >> P4D_SHIFT) & (PTRS_PER_P4D - 1); }

VMSIM_END_DECLS

#endif /* VMSIM_PGTABLE_H */
