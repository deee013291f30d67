/* Unit tests: the x86-64 entry formats and helpers of include/vmsim/pgtable.h.
 *
 * Every expected raw value below is written out by hand from the x86-64 bit
 * layout (arch/x86/include/asm/pgtable_types.h, Linux 6.12):
 *   P 0, RW 1, USER 2, PWT 3, PCD 4, A 5, D 6, PSE 7, G 8 (= PROTNONE when
 *   P is clear), SPECIAL 9, UFFD_WP 10, SOFT_DIRTY 11, PAT_LARGE 12,
 *   PFN 12..51, SAVED_DIRTY 58, NX 63.
 * Protections: PAGE_NONE = A|G = 0x120, PAGE_READONLY = P|U|A|NX =
 * 0x8000000000000025, PAGE_SHARED = P|RW|U|A|NX = 0x8000000000000027.
 * The round-trip checks mirror mm/debug_vm_pgtable.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "testutil.h"

#define RO_PFN1		0x8000000000001025ULL	/* pfn_pte(1, PAGE_READONLY) */
#define RW_PFN1		0x8000000000001027ULL	/* pfn_pte(1, PAGE_SHARED) */
#define MAX_PFN		((1UL << 40) - 1)	/* 52 physical bits - 12 */

/* ---------------------------------------------------------------- pte */

static void test_pfn_pte_round_trip(void **state)
{
	(void)state;
	assert_int_equal(pte_val(pfn_pte(0, PAGE_SHARED)), 0x8000000000000027ULL);
	assert_int_equal(pte_val(pfn_pte(1, PAGE_SHARED)), RW_PFN1);
	assert_int_equal(pte_val(pfn_pte(1, PAGE_READONLY)), RO_PFN1);
	assert_int_equal(pte_val(pfn_pte(MAX_PFN, PAGE_SHARED)), 0x800ffffffffff027ULL);
	assert_int_equal(pte_pfn(pfn_pte(0, PAGE_SHARED)), 0);
	assert_int_equal(pte_pfn(pfn_pte(1, PAGE_SHARED)), 1);
	assert_int_equal(pte_pfn(pfn_pte(MAX_PFN, PAGE_SHARED)), MAX_PFN);
	assert_int_equal(pte_pfn(pfn_pte(0x12345, PAGE_READONLY)), 0x12345);
	/* A PFN above 40 bits does not fit: the mask drops the excess and
	 * it never leaks into bits 52..63 (NX, PKEY, SAVED_DIRTY). */
	assert_int_equal(pte_val(pfn_pte(1UL << 40, PAGE_SHARED)), 0x8000000000000027ULL);
	assert_int_equal(pte_val(pfn_pte((1UL << 40) | 3, PAGE_SHARED)), 0x8000000000003027ULL);
	/* pte_flags / pte_pgprot strip exactly the PFN field. */
	assert_int_equal(pte_flags(__pte(0x800ffffffffff027ULL)), 0x8000000000000027ULL);
	assert_int_equal(pgprot_val(pte_pgprot(pfn_pte(MAX_PFN, PAGE_READONLY))), 0x8000000000000025ULL);
}

/* L1TF: a non-zero entry with P clear stores its PFN inverted. */
static void test_l1tf_inversion(void **state)
{
	pte_t p;

	(void)state;
	/* pfn 1 -> physical 0x1000 -> inverted within bits 12..51. */
	p = pfn_pte(1, PAGE_NONE);
	assert_int_equal(pte_val(p), 0x000fffffffffe120ULL);
	assert_int_equal(pte_pfn(p), 1);
	assert_int_equal(pte_val(pfn_pte(0, PAGE_NONE)), 0x000ffffffffff120ULL);
	assert_int_equal(pte_pfn(pfn_pte(0, PAGE_NONE)), 0);
	assert_int_equal(pte_val(pfn_pte(MAX_PFN, PAGE_NONE)), 0x0000000000000120ULL);
	assert_int_equal(pte_pfn(pfn_pte(MAX_PFN, PAGE_NONE)), MAX_PFN);
	/* A present entry is never inverted. */
	assert_int_equal(pte_val(pfn_pte(1, PAGE_READONLY)) & PTE_PFN_MASK, 0x1000);
	/* The helpers of pgtable-invert.h. */
	assert_false(__pte_needs_invert(0));
	assert_false(__pte_needs_invert(_PAGE_PRESENT));
	assert_true(__pte_needs_invert(_PAGE_PROTNONE));
	assert_int_equal(protnone_mask(0x120), ~0ULL);
	assert_int_equal(protnone_mask(0x25), 0);
}

static void test_pte_modify_flips_inversion(void **state)
{
	pte_t none, ro;

	(void)state;
	none = pfn_pte(1, PAGE_NONE);
	/* PAGE_NONE -> PAGE_READONLY: keeps PFN and A, takes P|U|NX from the
	 * new prot, drops G, and un-inverts the PFN. */
	ro = pte_modify(none, PAGE_READONLY);
	assert_int_equal(pte_val(ro), 0x8000000000001025ULL);
	assert_int_equal(pte_pfn(ro), 1);
	assert_false(pte_protnone(ro));
	/* And back: inverted again. */
	none = pte_modify(ro, PAGE_NONE);
	assert_int_equal(pte_val(none), 0x000fffffffffe120ULL);
	assert_int_equal(pte_pfn(none), 1);
	assert_true(pte_protnone(none));
	/* Between two present protections nothing is inverted; NX comes from
	 * the new prot, RW goes. */
	assert_int_equal(pte_val(pte_modify(__pte(RW_PFN1), PAGE_READONLY_EXEC)), 0x0000000000001025ULL);
	/* Kept bits (_PAGE_CHG_MASK): PCD, PWT, SPECIAL, A, SOFT_DIRTY, UFFD_WP. */
	assert_int_equal(pte_val(pte_modify(__pte(0x8000000000001e3fULL), PAGE_SHARED)),
			 0x8000000000001e3fULL);
	/* GLOBAL is not kept (it comes from the new prot); PAT (bit 7 on a
	 * 4K PTE) is. */
	assert_int_equal(pte_val(pte_modify(__pte(0x8000000000001125ULL), PAGE_READONLY)),
			 0x8000000000001025ULL);
	assert_int_equal(pte_val(pte_modify(__pte(0x80000000000010a5ULL), PAGE_READONLY)),
			 0x80000000000010a5ULL);
	/* A writable dirty PTE made read-only: Dirty moves to SavedDirty so
	 * that no Write=0,Dirty=1 (shadow stack) entry appears. */
	assert_int_equal(pte_val(pte_modify(__pte(0x8000000000001067ULL), PAGE_READONLY)),
			 0x8400000000001025ULL);
	/* A read-only saved-dirty PTE made writable: SavedDirty -> Dirty. */
	assert_int_equal(pte_val(pte_modify(__pte(0x8400000000001025ULL), PAGE_SHARED)),
			 0x8000000000001067ULL);
}

static void test_pte_protnone(void **state)
{
	pte_t p = pfn_pte(0x42, PAGE_NONE);

	(void)state;
	/* pte_protnone_tests: a PROT_NONE entry is protnone and present. */
	assert_true(pte_protnone(p));
	assert_true(pte_present(p));
	assert_false(pte_none(p));
	assert_false(pte_protnone(pfn_pte(0x42, PAGE_READONLY)));
	/* G with P set is plain GLOBAL, not PROTNONE. */
	assert_false(pte_protnone(__pte(_PAGE_PRESENT | _PAGE_GLOBAL)));
	assert_true(pte_global(__pte(_PAGE_PRESENT | _PAGE_GLOBAL)));
}

static void test_pte_none_present(void **state)
{
	(void)state;
	assert_true(pte_none(__pte(0)));
	/* Knights Landing may set A and D on a none entry: still none. */
	assert_true(pte_none(__pte(0x20)));
	assert_true(pte_none(__pte(0x40)));
	assert_true(pte_none(__pte(0x60)));
	assert_false(pte_none(__pte(0x01)));
	assert_false(pte_none(__pte(0x02)));
	assert_false(pte_none(__pte(0x1000)));
	assert_false(pte_none(__pte(0x8000000000000000ULL)));
	assert_false(pte_none(__pte(0x07fffffffffffe00ULL)));	/* swap type 0 off 0 */

	assert_true(pte_present(__pte(0x1)));
	assert_true(pte_present(__pte(0x100)));			/* PROTNONE */
	assert_false(pte_present(__pte(0x80)));			/* PSE alone: not on a pte */
	assert_false(pte_present(__pte(0x60)));
	assert_false(pte_present(__pte(0x07fffffffffffe00ULL)));
	assert_true(pte_same(__pte(RO_PFN1), pfn_pte(1, PAGE_READONLY)));
	assert_false(pte_same(__pte(RO_PFN1), __pte(RW_PFN1)));
}

static void test_pte_predicates(void **state)
{
	(void)state;
	assert_true(pte_write(__pte(RW_PFN1)));
	assert_false(pte_write(__pte(RO_PFN1)));
	assert_true(pte_dirty(__pte(0x41)));
	assert_true(pte_dirty(__pte(0x0400000000000001ULL)));	/* SAVED_DIRTY counts */
	assert_false(pte_dirty(__pte(0x801)));			/* SOFT_DIRTY does not */
	assert_true(pte_young(__pte(0x21)));
	assert_false(pte_young(__pte(0x41)));
	assert_true(pte_special(__pte(0x201)));
	assert_false(pte_special(__pte(0x401)));
	assert_true(pte_uffd_wp(__pte(0x401)));
	assert_false(pte_uffd_wp(__pte(0x801)));
	assert_true(pte_soft_dirty(__pte(0x801)));
	assert_false(pte_soft_dirty(__pte(0x201)));
	assert_true(pte_global(__pte(0x101)));
	assert_false(pte_global(__pte(0x1)));
	assert_true(pte_exec(__pte(0x1)));
	assert_false(pte_exec(__pte(RO_PFN1)));
	assert_true(pte_user(__pte(0x5)));
	assert_false(pte_user(__pte(0x3)));
	assert_true(pte_huge(__pte(0x81)));
	assert_false(pte_huge(__pte(0x1)));
	/* Flag predicates do not look at the PFN field. */
	assert_false(pte_dirty(__pte(0x000ffffffffff001ULL)));
	assert_false(pte_young(__pte(0x000ffffffffff001ULL)));
}

static void test_pte_mk_clear(void **state)
{
	(void)state;
	/* Dirty on a write-protected entry: D|SOFT_DIRTY set, then D moves to
	 * SAVED_DIRTY (bit 58) because Write=0 (mksaveddirty_shift). */
	assert_int_equal(pte_val(pte_mkdirty(__pte(RO_PFN1))), 0x8400000000001825ULL);
	/* On a writable entry D stays in bit 6. */
	assert_int_equal(pte_val(pte_mkdirty(__pte(RW_PFN1))), 0x8000000000001867ULL);
	/* mkclean clears both dirty bits, not soft-dirty. */
	assert_int_equal(pte_val(pte_mkclean(__pte(0x8400000000001825ULL))), 0x8000000000001825ULL);
	assert_int_equal(pte_val(pte_mkclean(__pte(0x8000000000001867ULL))), 0x8000000000001827ULL);
	/* mkwrite brings SAVED_DIRTY back to D; wrprotect moves D away. */
	assert_int_equal(pte_val(pte_mkwrite(__pte(0x8400000000001825ULL))), 0x8000000000001867ULL);
	assert_int_equal(pte_val(pte_wrprotect(__pte(0x8000000000001867ULL))), 0x8400000000001825ULL);
	assert_int_equal(pte_val(pte_wrprotect(__pte(RW_PFN1))), RO_PFN1);
	assert_int_equal(pte_val(pte_mkwrite(__pte(RO_PFN1))), RW_PFN1);
	/* A and the software bits. */
	assert_int_equal(pte_val(pte_mkold(__pte(RO_PFN1))), 0x8000000000001005ULL);
	assert_int_equal(pte_val(pte_mkyoung(__pte(0x8000000000001005ULL))), RO_PFN1);
	assert_int_equal(pte_val(pte_mkspecial(__pte(RO_PFN1))), 0x8000000000001225ULL);
	assert_int_equal(pte_val(pte_mksoft_dirty(__pte(RO_PFN1))), 0x8000000000001825ULL);
	assert_int_equal(pte_val(pte_clear_soft_dirty(__pte(0x8000000000001825ULL))), RO_PFN1);
	assert_int_equal(pte_val(pte_mkexec(__pte(RO_PFN1))), 0x0000000000001025ULL);
	assert_int_equal(pte_val(pte_mkglobal(__pte(RO_PFN1))), 0x8000000000001125ULL);
	assert_int_equal(pte_val(pte_mkhuge(__pte(RO_PFN1))), 0x80000000000010a5ULL);
	assert_int_equal(pte_val(pte_set_flags(__pte(0), 0x3)), 0x3);
	assert_int_equal(pte_val(pte_clear_flags(__pte(0x7), 0x2)), 0x5);
}

static void test_pte_uffd_wp(void **state)
{
	pte_t p;

	(void)state;
	/* pte_mkuffd_wp sets bit 10 and write-protects. */
	p = pte_mkuffd_wp(__pte(RW_PFN1));
	assert_int_equal(pte_val(p), 0x8000000000001425ULL);
	assert_true(pte_uffd_wp(p));
	assert_false(pte_write(p));
	/* On a writable dirty entry: D goes to SAVED_DIRTY as well. */
	p = pte_mkuffd_wp(__pte(0x8000000000001867ULL));
	assert_int_equal(pte_val(p), 0x8400000000001c25ULL);
	assert_true(pte_dirty(p));
	/* Clearing the bit does not make the entry writable again. */
	p = pte_clear_uffd_wp(__pte(0x8000000000001425ULL));
	assert_int_equal(pte_val(p), RO_PFN1);
	assert_false(pte_write(p));
}

/* pte_basic_tests() for every protection vm_get_page_prot() gives on x86. */
static void test_pte_basic_rules(void **state)
{
	const pgprot_t prots[] = { PAGE_NONE, PAGE_READONLY, PAGE_READONLY_EXEC, PAGE_COPY,
				   PAGE_COPY_EXEC, PAGE_SHARED, PAGE_SHARED_EXEC };

	(void)state;
	for (size_t i = 0; i < sizeof(prots) / sizeof(prots[0]); i++) {
		pte_t pte = pfn_pte(0x1234, prots[i]);

		assert_false(pte_dirty(pte_wrprotect(pte)));
		assert_true(pte_same(pte, pte));
		assert_true(pte_young(pte_mkyoung(pte_mkold(pte))));
		assert_true(pte_dirty(pte_mkdirty(pte_mkclean(pte))));
		assert_true(pte_write(pte_mkwrite(pte_wrprotect(pte))));
		assert_false(pte_young(pte_mkold(pte_mkyoung(pte))));
		assert_false(pte_dirty(pte_mkclean(pte_mkdirty(pte))));
		assert_false(pte_write(pte_wrprotect(pte_mkwrite(pte))));
		assert_false(pte_dirty(pte_wrprotect(pte_mkclean(pte))));
		assert_true(pte_dirty(pte_wrprotect(pte_mkdirty(pte))));
		/* No helper ever leaves Write=0,Dirty=1 behind. */
		assert_int_equal(pte_val(pte_wrprotect(pte_mkdirty(pte))) & (_PAGE_RW | _PAGE_DIRTY), 0);
		assert_int_equal(pte_val(pte_mkdirty(pte_wrprotect(pte))) & (_PAGE_RW | _PAGE_DIRTY), 0);
		/* pte_special, soft-dirty (pte_soft_dirty_tests). */
		assert_true(pte_special(pte_mkspecial(pte)));
		assert_true(pte_soft_dirty(pte_mksoft_dirty(pte)));
		assert_false(pte_soft_dirty(pte_clear_soft_dirty(pte)));
		assert_true(pte_uffd_wp(pte_mkuffd_wp(pte)));
		assert_false(pte_uffd_wp(pte_clear_uffd_wp(pte_mkuffd_wp(pte))));
		/* The PFN survives every flag change. */
		assert_int_equal(pte_pfn(pte_mkdirty(pte_mkwrite(pte_mkyoung(pte)))), 0x1234);
		assert_int_equal(pte_pfn(pte_wrprotect(pte_mkuffd_wp(pte))), 0x1234);
	}
}

/* pte_advanced_tests(), on a slot of a real page table. */
static void test_pte_advanced(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M", &log);
	unsigned long root;
	pte_t *ptep, pte;

	(void)state;
	assert_non_null(vm);
	assert_int_equal(vmsim_pgd_alloc(vm, &root), 0);
	ptep = vmsim_pte_lookup(vm, root, 0x400000, true);
	assert_non_null(ptep);

	vmsim_set_pte(vm, ptep, pfn_pte(7, PAGE_SHARED), 0x400000);
	vmsim_set_pte(vm, ptep, pte_wrprotect(ptep_get(ptep)), 0x400000);
	assert_false(pte_write(ptep_get(ptep)));
	vmsim_set_pte(vm, ptep, __pte(0), 0x400000);
	assert_true(pte_none(ptep_get(ptep)));

	pte = pte_mkclean(pte_wrprotect(pfn_pte(7, PAGE_SHARED)));
	vmsim_set_pte(vm, ptep, pte, 0x400000);
	pte = pte_mkdirty(pte_mkwrite(pte));
	vmsim_set_pte(vm, ptep, pte, 0x400000);
	assert_true(pte_write(ptep_get(ptep)) && pte_dirty(ptep_get(ptep)));
	assert_int_equal(pte_val(ptep_get(ptep)), 0x8000000000007867ULL);

	vmsim_set_pte(vm, ptep, pte_mkyoung(pfn_pte(7, PAGE_SHARED)), 0x400000);
	vmsim_set_pte(vm, ptep, pte_mkold(ptep_get(ptep)), 0x400000);
	assert_false(pte_young(ptep_get(ptep)));
	vmsim_set_pte(vm, ptep, __pte(0), 0x400000);

	vmsim_pgd_free(vm, root);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* ------------------------------------------------------- swap-PTE flags */

static void test_pte_swap_flags(void **state)
{
	/* swp_entry_to_pte(swp_entry(3, 0x1234)) = 3<<59 | (~0x1234 & (2^50-1)) << 9 */
	const uint64_t raw = 0x1fffffffffdb9600ULL;
	pte_t p = __pte(raw), q;

	(void)state;
	assert_int_equal(pte_val(swp_entry_to_pte(swp_entry(3, 0x1234))), raw);
	assert_false(pte_present(p));
	assert_false(pte_none(p));

	/* Soft-dirty: bit 1 (pte_swap_soft_dirty_tests). */
	q = pte_swp_mksoft_dirty(p);
	assert_int_equal(pte_val(q), raw | 0x2);
	assert_true(pte_swp_soft_dirty(q));
	assert_false(pte_swp_soft_dirty(pte_swp_clear_soft_dirty(q)));
	assert_int_equal(pte_val(pte_swp_clear_soft_dirty(q)), raw);
	/* uffd-wp: bit 2. */
	q = pte_swp_mkuffd_wp(p);
	assert_int_equal(pte_val(q), raw | 0x4);
	assert_true(pte_swp_uffd_wp(q));
	assert_int_equal(pte_val(pte_swp_clear_uffd_wp(q)), raw);
	/* exclusive: bit 3. */
	q = pte_swp_mkexclusive(p);
	assert_int_equal(pte_val(q), raw | 0x8);
	assert_true(pte_swp_exclusive(q));
	assert_int_equal(pte_val(pte_swp_clear_exclusive(q)), raw);
	/* All three, and pte_swp_clear_flags strips exactly those. */
	q = pte_swp_mkexclusive(pte_swp_mkuffd_wp(pte_swp_mksoft_dirty(p)));
	assert_int_equal(pte_val(q), raw | 0xe);
	assert_int_equal(pte_val(pte_swp_clear_flags(q)), raw);
	assert_false(pte_present(q));
	/* The swap flags do not change the decoded entry. */
	assert_int_equal(swp_type(pte_to_swp_entry(q)), 3);
	assert_int_equal(swp_offset(pte_to_swp_entry(q)), 0x1234);
	/* On present entries these are RW/USER/PWT (debug_vm_pgtable does that). */
	assert_true(pte_swp_soft_dirty(pte_swp_mksoft_dirty(pfn_pte(1, PAGE_READONLY))));
	assert_false(pte_swp_soft_dirty(pte_swp_clear_soft_dirty(pfn_pte(1, PAGE_SHARED))));
}

static void test_pte_swap_exclusive(void **state)
{
	unsigned long max_off;
	swp_entry_t e, e2;
	pte_t pte;

	(void)state;
	/* generic_max_swapfile_size()'s probe: 50 offset bits on x86-64. */
	max_off = swp_offset(pte_to_swp_entry(swp_entry_to_pte(swp_entry(0, ~0UL))));
	assert_int_equal(max_off, (1UL << 50) - 1);
	e = swp_entry((1 << MAX_SWAPFILES_SHIFT) - 1, max_off);
	pte = swp_entry_to_pte(e);
	assert_int_equal(pte_val(pte), 0xf800000000000000ULL);
	assert_false(pte_swp_exclusive(pte));
	assert_true(is_swap_pte(pte));
	e2 = pte_to_swp_entry(pte);
	assert_int_equal(e.val, e2.val);

	pte = pte_swp_mkexclusive(pte);
	assert_true(pte_swp_exclusive(pte));
	assert_true(is_swap_pte(pte));
	assert_false(pte_swp_soft_dirty(pte));
	assert_int_equal(pte_to_swp_entry(pte).val, e.val);

	pte = pte_swp_clear_exclusive(pte);
	assert_false(pte_swp_exclusive(pte));
	assert_true(is_swap_pte(pte));
	assert_int_equal(pte_to_swp_entry(pte).val, e.val);
}

/* pte_swap_tests: the arch conversions are plain copies. */
static void test_pte_swap_arch_copy(void **state)
{
	pte_t pte = pfn_pte(0x4321, PAGE_READONLY);
	swp_entry_t s = __pte_to_swp_entry(pte);

	(void)state;
	assert_int_equal(s.val, pte_val(pte));
	assert_int_equal(pte_pfn(__swp_entry_to_pte(s)), 0x4321);
}

/* ---------------------------------------------------------------- pmd */

static void test_pmd_pfn(void **state)
{
	pmd_t pmd;

	(void)state;
	/* 2 MiB leaf at pfn 0x200 (physical 0x200000). */
	pmd = pmd_mkhuge(pfn_pmd(0x200, PAGE_READONLY));
	assert_int_equal(pmd_val(pmd), 0x80000000002000a5ULL);
	assert_int_equal(pmd_pfn(pmd), 0x200);
	/* pfn_pmd masks to a 2 MiB boundary. */
	assert_int_equal(pmd_val(pfn_pmd(0x201, PAGE_READONLY)), 0x8000000000200025ULL);
	assert_int_equal(pmd_val(pfn_pmd(0x3ff, PAGE_READONLY)), 0x8000000000200025ULL);
	/* Bit 12 of a leaf is PAT_LARGE: a flag, not part of the PFN. */
	pmd = __pmd(0x80000000002010a5ULL);
	assert_int_equal(pmd_pfn(pmd), 0x200);
	assert_int_equal(pmd_flags(pmd), 0x80000000000010a5ULL);
	assert_int_equal(pmd_pfn_mask(pmd), 0x000fffffffe00000ULL);
	/* Without PSE the entry points to a table and bit 12 is PFN. */
	pmd = __pmd(0x0000000000201067ULL);
	assert_int_equal(pmd_pfn(pmd), 0x201);
	assert_int_equal(pmd_flags(pmd), 0x67);
	assert_int_equal(pmd_pfn_mask(pmd), 0x000ffffffffff000ULL);
	/* The largest 2 MiB-aligned 40-bit pfn. */
	pmd = pmd_mkhuge(pfn_pmd(0xfffffffe00UL, PAGE_READONLY));
	assert_int_equal(pmd_val(pmd), 0x800fffffffe000a5ULL);
	assert_int_equal(pmd_pfn(pmd), 0xfffffffe00UL);
	assert_int_equal(pmd_pfn(pmd_mkhuge(pfn_pmd(0, PAGE_READONLY))), 0);
}

static void test_pmd_present_none_leaf(void **state)
{
	(void)state;
	/* split_huge_page clears P for a moment: PSE alone still counts. */
	assert_true(pmd_present(__pmd(_PAGE_PSE)));
	assert_true(pmd_present(__pmd(_PAGE_PROTNONE)));
	assert_true(pmd_present(__pmd(_PAGE_PRESENT)));
	assert_false(pmd_present(__pmd(0x2)));
	assert_false(pmd_present(__pmd(0x07fffffffffffe00ULL)));
	assert_true(pmd_none(__pmd(0)));
	assert_true(pmd_none(__pmd(0x60)));
	assert_false(pmd_none(__pmd(0x80)));
	assert_true(pmd_leaf(__pmd(0x80000000002000a5ULL)));
	assert_true(pmd_trans_huge(__pmd(0x80000000002000a5ULL)));
	assert_false(pmd_leaf(__pmd(0x201067)));
	assert_true(pmd_same(__pmd(0x201067), __pmd(0x201067)));
	assert_false(pmd_same(__pmd(0x201067), __pmd(0x201027)));
}

static void test_pmd_predicates(void **state)
{
	const uint64_t leaf = 0x80000000002000a5ULL;	/* RO huge, pfn 0x200 */

	(void)state;
	assert_false(pmd_write(__pmd(leaf)));
	assert_true(pmd_write(__pmd(leaf | 0x2)));
	assert_false(pmd_dirty(__pmd(leaf)));
	assert_true(pmd_dirty(__pmd(leaf | 0x40)));
	assert_true(pmd_dirty(__pmd(leaf | _PAGE_SAVED_DIRTY)));
	assert_true(pmd_young(__pmd(leaf)));
	assert_false(pmd_young(__pmd(leaf & ~0x20ULL)));
	assert_true(pmd_soft_dirty(__pmd(leaf | 0x800)));
	assert_false(pmd_soft_dirty(__pmd(leaf)));
	assert_true(pmd_uffd_wp(__pmd(leaf | 0x400)));
	assert_false(pmd_uffd_wp(__pmd(leaf)));
	assert_true(pmd_special(__pmd(leaf | 0x200)));
	assert_false(pmd_special(__pmd(leaf)));
	assert_false(pmd_exec(__pmd(leaf)));
	assert_true(pmd_exec(__pmd(leaf & ~_PAGE_NX)));
	assert_true(pmd_user(__pmd(leaf)));
	assert_false(pmd_user(__pmd(leaf & ~0x4ULL)));
	assert_false(pmd_global(__pmd(leaf)));
	assert_true(pmd_global(__pmd(leaf | 0x100)));
}

static void test_pmd_mk_clear(void **state)
{
	const uint64_t ro = 0x80000000002000a5ULL, rw = 0x80000000002000a7ULL;

	(void)state;
	assert_int_equal(pmd_val(pmd_mkdirty(__pmd(ro))), 0x84000000002008a5ULL);
	assert_int_equal(pmd_val(pmd_mkdirty(__pmd(rw))), 0x80000000002008e7ULL);
	assert_int_equal(pmd_val(pmd_mkclean(__pmd(0x84000000002008a5ULL))), 0x80000000002008a5ULL);
	assert_int_equal(pmd_val(pmd_mkwrite(__pmd(0x84000000002008a5ULL))), 0x80000000002008e7ULL);
	assert_int_equal(pmd_val(pmd_wrprotect(__pmd(0x80000000002008e7ULL))), 0x84000000002008a5ULL);
	assert_int_equal(pmd_val(pmd_mkold(__pmd(ro))), 0x8000000000200085ULL);
	assert_int_equal(pmd_val(pmd_mkyoung(__pmd(0x8000000000200085ULL))), ro);
	assert_int_equal(pmd_val(pmd_mkhuge(__pmd(0x8000000000200025ULL))), ro);
	assert_int_equal(pmd_val(pmd_mkspecial(__pmd(ro))), 0x80000000002002a5ULL);
	assert_int_equal(pmd_val(pmd_mksoft_dirty(__pmd(ro))), 0x80000000002008a5ULL);
	assert_int_equal(pmd_val(pmd_clear_soft_dirty(__pmd(0x80000000002008a5ULL))), ro);
	/* uffd-wp write-protects here too. */
	assert_int_equal(pmd_val(pmd_mkuffd_wp(__pmd(rw))), 0x80000000002004a5ULL);
	assert_false(pmd_write(pmd_mkuffd_wp(__pmd(rw))));
	assert_int_equal(pmd_val(pmd_clear_uffd_wp(__pmd(0x80000000002004a5ULL))), ro);
	assert_int_equal(pmd_val(pmd_set_flags(__pmd(0), 0x80)), 0x80);
	assert_int_equal(pmd_val(pmd_clear_flags(__pmd(0x81), 0x1)), 0x80);
}

static void test_pmd_mkinvalid_modify(void **state)
{
	pmd_t pmd;

	(void)state;
	/* pmd_mkinvalid: P (and PROTNONE) cleared, PFN inverted (L1TF), PSE
	 * kept so that pmd_present stays true. */
	pmd = pmd_mkinvalid(__pmd(0x80000000002000a5ULL));
	assert_int_equal(pmd_val(pmd), 0x800fffffffc000a4ULL);
	assert_true(pmd_present(pmd));
	assert_int_equal(pmd_pfn(pmd), 0x200);
	/* pmd_modify to PAGE_NONE: PSE kept (_HPAGE_CHG_MASK), G from the new
	 * prot, PFN inverted in the 2 MiB field. */
	pmd = pmd_modify(__pmd(0x80000000002000a5ULL), PAGE_NONE);
	assert_int_equal(pmd_val(pmd), 0x000fffffffc001a0ULL);
	assert_int_equal(pmd_pfn(pmd), 0x200);
	assert_true(pmd_present(pmd));
	/* ... and back. */
	pmd = pmd_modify(pmd, PAGE_READONLY);
	assert_int_equal(pmd_val(pmd), 0x80000000002000a5ULL);
	/* Writable dirty -> read-only: D to SAVED_DIRTY. */
	assert_int_equal(pmd_val(pmd_modify(__pmd(0x80000000002000e7ULL), PAGE_READONLY)),
			 0x84000000002000a5ULL);
	/* A PROT_NONE leaf from pfn_pmd is stored inverted too. */
	pmd = pmd_mkhuge(pfn_pmd(0x200, PAGE_NONE));
	assert_int_equal(pmd_val(pmd), 0x000fffffffc001a0ULL);
	assert_int_equal(pmd_pfn(pmd), 0x200);
}

/* pmd_basic_tests() over the x86 protections. */
static void test_pmd_basic_rules(void **state)
{
	const pgprot_t prots[] = { PAGE_NONE, PAGE_READONLY, PAGE_READONLY_EXEC, PAGE_COPY,
				   PAGE_COPY_EXEC, PAGE_SHARED, PAGE_SHARED_EXEC };

	(void)state;
	for (size_t i = 0; i < sizeof(prots) / sizeof(prots[0]); i++) {
		pmd_t pmd = pmd_mkhuge(pfn_pmd(0x400, prots[i]));

		assert_false(pmd_dirty(pmd_wrprotect(pmd)));
		assert_true(pmd_same(pmd, pmd));
		assert_true(pmd_young(pmd_mkyoung(pmd_mkold(pmd))));
		assert_true(pmd_dirty(pmd_mkdirty(pmd_mkclean(pmd))));
		assert_true(pmd_write(pmd_mkwrite(pmd_wrprotect(pmd))));
		assert_false(pmd_young(pmd_mkold(pmd_mkyoung(pmd))));
		assert_false(pmd_dirty(pmd_mkclean(pmd_mkdirty(pmd))));
		assert_false(pmd_write(pmd_wrprotect(pmd_mkwrite(pmd))));
		assert_false(pmd_dirty(pmd_wrprotect(pmd_mkclean(pmd))));
		assert_true(pmd_dirty(pmd_wrprotect(pmd_mkdirty(pmd))));
		assert_true(pmd_leaf(pmd));
		/* pmd_soft_dirty_tests */
		assert_true(pmd_soft_dirty(pmd_mksoft_dirty(pmd)));
		assert_false(pmd_soft_dirty(pmd_clear_soft_dirty(pmd)));
		assert_true(pmd_uffd_wp(pmd_mkuffd_wp(pmd)));
		assert_false(pmd_uffd_wp(pmd_clear_uffd_wp(pmd_mkuffd_wp(pmd))));
		assert_true(pmd_special(pmd_mkspecial(pmd)));
		assert_int_equal(pmd_pfn(pmd_mkdirty(pmd_mkwrite(pmd))), 0x400);
	}
}

static void test_pmd_swap_flags(void **state)
{
	/* swp_entry_to_pmd(swp_entry(SWP_MIGRATION_WRITE = 27, 0x200)). */
	const uint64_t raw = 0xdffffffffffbfe00ULL;
	pmd_t pmd = swp_entry_to_pmd(swp_entry(27, 0x200)), q;

	(void)state;
	assert_int_equal(pmd_val(pmd), raw);
	assert_false(pmd_present(pmd));		/* bits 0, 7, 8 clear */
	assert_false(pmd_none(pmd));
	q = pmd_swp_mksoft_dirty(pmd);
	assert_int_equal(pmd_val(q), raw | 0x2);
	assert_true(pmd_swp_soft_dirty(q));
	assert_false(pmd_swp_soft_dirty(pmd_swp_clear_soft_dirty(q)));
	q = pmd_swp_mkuffd_wp(q);
	assert_int_equal(pmd_val(q), raw | 0x6);
	assert_true(pmd_swp_uffd_wp(q));
	assert_false(pmd_swp_uffd_wp(pmd_swp_clear_uffd_wp(q)));
	/* The flags do not disturb the decoded entry. */
	assert_int_equal(pmd_to_swp_entry(q).val, swp_entry(27, 0x200).val);
	/* pmd_swap_tests: arch conversions are copies. */
	pmd = pmd_mkhuge(pfn_pmd(0x600, PAGE_READONLY));
	assert_int_equal(pmd_pfn(__swp_entry_to_pmd(__pmd_to_swp_entry(pmd))), 0x600);
}

/* ---------------------------------------------------------------- pud */

static void test_pud(void **state)
{
	pud_t pud;

	(void)state;
	/* 1 GiB leaf at pfn 0x40000 (physical 0x40000000). */
	pud = pud_mkhuge(pfn_pud(0x40000, PAGE_READONLY));
	assert_int_equal(pud_val(pud), 0x80000000400000a5ULL);
	assert_int_equal(pud_pfn(pud), 0x40000);
	assert_int_equal(pud_val(pfn_pud(0x7ffff, PAGE_READONLY)), 0x8000000040000025ULL);
	/* PAT_LARGE (bit 12) and bits 13..29 are not PFN in a leaf. */
	assert_int_equal(pud_pfn(__pud(0x80000000400010a5ULL)), 0x40000);
	assert_int_equal(pud_flags(__pud(0x80000000400010a5ULL)), 0x80000000000010a5ULL);
	/* A table pointer uses the full 4K field. */
	assert_int_equal(pud_pfn(__pud(0x0000000000201067ULL)), 0x201);
	assert_int_equal(pud_pfn_mask(__pud(0x80ULL)), 0x000fffffc0000000ULL);
	/* Largest 1 GiB-aligned 40-bit pfn. */
	pud = pud_mkhuge(pfn_pud(0xfffffc0000UL, PAGE_READONLY));
	assert_int_equal(pud_val(pud), 0x800fffffc00000a5ULL);
	assert_int_equal(pud_pfn(pud), 0xfffffc0000UL);
	/* PROT_NONE leaf: inverted, pfn recovered. */
	pud = pud_mkhuge(pfn_pud(0x40000, PAGE_NONE));
	assert_int_equal(pud_val(pud), 0x000fffff800001a0ULL);
	assert_int_equal(pud_pfn(pud), 0x40000);

	/* pud_present looks at P only (unlike pmd_present). */
	assert_false(pud_present(__pud(_PAGE_PSE)));
	assert_true(pud_present(__pud(_PAGE_PRESENT)));
	assert_true(pud_leaf(__pud(_PAGE_PSE)));
	assert_false(pud_leaf(__pud(0x201067)));
	assert_true(pud_none(__pud(0x60)));
	assert_false(pud_none(__pud(0x1)));
	assert_true(pud_same(__pud(5), __pud(5)));
	assert_false(pud_same(__pud(5), __pud(7)));

	/* Predicates and helpers. */
	pud = __pud(0x80000000400000a5ULL);
	assert_false(pud_write(pud));
	assert_true(pud_user(pud));
	assert_false(pud_exec(pud));
	assert_true(pud_exec(__pud(0x400000a5ULL)));
	assert_false(pud_global(pud));
	assert_true(pud_global(__pud(0x400001a5ULL)));
	assert_true(pud_young(pud));
	assert_false(pud_dirty(pud));
	assert_int_equal(pud_val(pud_mkdirty(pud)), 0x84000000400008a5ULL);
	assert_true(pud_dirty(pud_mkdirty(pud)));
	assert_int_equal(pud_val(pud_mkclean(__pud(0x84000000400008a5ULL))), 0x80000000400008a5ULL);
	assert_int_equal(pud_val(pud_mkwrite(__pud(0x84000000400008a5ULL))), 0x80000000400008e7ULL);
	assert_int_equal(pud_val(pud_wrprotect(__pud(0x80000000400008e7ULL))), 0x84000000400008a5ULL);
	assert_int_equal(pud_val(pud_mkold(pud)), 0x8000000040000085ULL);
	assert_int_equal(pud_val(pud_mkyoung(__pud(0x8000000040000085ULL))), 0x80000000400000a5ULL);
	assert_int_equal(pud_val(pud_set_flags(__pud(0), 0x2)), 0x2);
	assert_int_equal(pud_val(pud_clear_flags(__pud(0x3), 0x2)), 0x1);
}

static void test_pud_basic_rules(void **state)
{
	const pgprot_t prots[] = { PAGE_NONE, PAGE_READONLY, PAGE_READONLY_EXEC, PAGE_COPY,
				   PAGE_COPY_EXEC, PAGE_SHARED, PAGE_SHARED_EXEC };

	(void)state;
	for (size_t i = 0; i < sizeof(prots) / sizeof(prots[0]); i++) {
		pud_t pud = pud_mkhuge(pfn_pud(0x80000, prots[i]));

		assert_false(pud_dirty(pud_wrprotect(pud)));
		assert_true(pud_same(pud, pud));
		assert_true(pud_young(pud_mkyoung(pud_mkold(pud))));
		assert_true(pud_dirty(pud_mkdirty(pud_mkclean(pud))));
		assert_false(pud_dirty(pud_mkclean(pud_mkdirty(pud))));
		assert_true(pud_write(pud_mkwrite(pud_wrprotect(pud))));
		assert_false(pud_write(pud_wrprotect(pud_mkwrite(pud))));
		assert_false(pud_young(pud_mkold(pud_mkyoung(pud))));
		assert_false(pud_dirty(pud_wrprotect(pud_mkclean(pud))));
		assert_true(pud_dirty(pud_wrprotect(pud_mkdirty(pud))));
		assert_true(pud_leaf(pud));
		assert_int_equal(pud_pfn(pud_mkdirty(pud_mkwrite(pud))), 0x80000);
	}
}

/* ------------------------------------------------------- p4d, pgd, index */

static void test_p4d_pgd_index(void **state)
{
	(void)state;
	assert_true(p4d_none(__p4d(0x60)));
	assert_false(p4d_none(__p4d(0x1067)));
	assert_true(p4d_present(__p4d(0x1067)));
	assert_false(p4d_present(__p4d(0x1066)));
	assert_false(p4d_leaf(__p4d(0x10e7)));
	assert_int_equal(p4d_pfn(__p4d(0x000ffffffffff067ULL)), MAX_PFN);
	assert_true(pgd_none(__pgd(0x20)));
	assert_false(pgd_none(__pgd(0x1)));
	assert_true(pgd_present(__pgd(0x1067)));
	assert_int_equal(pgd_pfn(__pgd(0x8000000000abc067ULL)), 0xabc);

	/* 0x7fffffffefff: the last byte below the 4-level TASK_SIZE_MAX. */
	assert_int_equal(pte_index(0x7fffffffefffULL), 510);
	assert_int_equal(pmd_index(0x7fffffffefffULL), 511);
	assert_int_equal(pud_index(0x7fffffffefffULL), 511);
	assert_int_equal(p4d_index(0x7fffffffefffULL), 255);
	assert_int_equal(pte_index(0x1000), 1);
	assert_int_equal(pmd_index(0x200000), 1);
	assert_int_equal(pud_index(0x40000000), 1);
	assert_int_equal(p4d_index(0x8000000000ULL), 1);
	assert_int_equal(PTRS_PER_PTE, 512);
	assert_int_equal(HPAGE_PMD_NR, 512);
	assert_int_equal(PMD_SIZE, 0x200000);
	assert_int_equal(PUD_SIZE, 0x40000000);
	assert_int_equal(P4D_SIZE, 0x8000000000ULL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pfn_pte_round_trip),
		cmocka_unit_test(test_l1tf_inversion),
		cmocka_unit_test(test_pte_modify_flips_inversion),
		cmocka_unit_test(test_pte_protnone),
		cmocka_unit_test(test_pte_none_present),
		cmocka_unit_test(test_pte_predicates),
		cmocka_unit_test(test_pte_mk_clear),
		cmocka_unit_test(test_pte_uffd_wp),
		cmocka_unit_test(test_pte_basic_rules),
		cmocka_unit_test(test_pte_advanced),
		cmocka_unit_test(test_pte_swap_flags),
		cmocka_unit_test(test_pte_swap_exclusive),
		cmocka_unit_test(test_pte_swap_arch_copy),
		cmocka_unit_test(test_pmd_pfn),
		cmocka_unit_test(test_pmd_present_none_leaf),
		cmocka_unit_test(test_pmd_predicates),
		cmocka_unit_test(test_pmd_mk_clear),
		cmocka_unit_test(test_pmd_mkinvalid_modify),
		cmocka_unit_test(test_pmd_basic_rules),
		cmocka_unit_test(test_pmd_swap_flags),
		cmocka_unit_test(test_pud),
		cmocka_unit_test(test_pud_basic_rules),
		cmocka_unit_test(test_p4d_pgd_index),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
