/* Unit tests: page-table pages and walks (hw/pgtable.c) with 5- and 4-level
 * paging.  Geometry from arch/x86/include/asm/pgtable_64_types.h:
 * PGDIR_SHIFT 48 (LA57) or 39, TASK_SIZE_MAX = (1 << 56 or 47) - 4096,
 * canonical = sign-extended from bit 56 or 47. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

static struct vmsim *machine(const char *opts, struct bug_log *log, unsigned long *root)
{
	struct vmsim *vm = tu_machine_str(opts, log);

	assert_non_null(vm);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 0);
	assert_int_equal(vmsim_pgd_alloc(vm, root), 0);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1);
	return vm;
}

/* Free the pgd, check nothing is left, tear down, expect no bug. */
static void finish(struct vmsim *vm, struct bug_log *log, unsigned long root)
{
	vmsim_pgd_free(vm, root);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 0);
	assert_int_equal(vmsim_nr_free_pages(vm), vmsim_nr_frames(vm) - 1);	/* zero page */
	assert_int_equal(log->count, 0);
	vmsim_free(vm);
	assert_int_equal(log->count, 0);
}

/* Index of a slot in the table page that holds it. */
static unsigned slot_index(struct vmsim *vm, struct vmsim_page *table, const void *slot)
{
	return (unsigned)((const uint64_t *)slot - vmsim_table(vm, table));
}

static void test_geometry(void **state)
{
	struct bug_log log;
	struct vmsim *vm5 = tu_machine_str("ram=4M", &log);
	struct vmsim *vm4 = tu_machine_str("ram=4M levels=4", NULL);

	(void)state;
	assert_non_null(vm5);
	assert_non_null(vm4);
	assert_int_equal(vmsim_pgdir_shift(vm5), 48);
	assert_int_equal(vmsim_pgdir_shift(vm4), 39);
	assert_int_equal(vmsim_task_size(vm5), (1ULL << 56) - 4096);
	assert_int_equal(vmsim_task_size(vm4), (1ULL << 47) - 4096);
	assert_int_equal(vmsim_task_size(vm4), 0x00007ffffffff000ULL);

	assert_true(vmsim_addr_canonical(vm4, 0));
	assert_true(vmsim_addr_canonical(vm4, 0x00007fffffffffffULL));
	assert_false(vmsim_addr_canonical(vm4, 0x0000800000000000ULL));
	assert_false(vmsim_addr_canonical(vm4, 0x00ff800000000000ULL));
	assert_true(vmsim_addr_canonical(vm4, 0xffff800000000000ULL));
	assert_false(vmsim_addr_canonical(vm4, 0xff00800000000000ULL));
	assert_true(vmsim_addr_canonical(vm4, ~0ULL));

	assert_true(vmsim_addr_canonical(vm5, 0x0000800000000000ULL));
	assert_true(vmsim_addr_canonical(vm5, 0x00ffffffffffffffULL));
	assert_false(vmsim_addr_canonical(vm5, 0x0100000000000000ULL));
	assert_true(vmsim_addr_canonical(vm5, 0xffff800000000000ULL));
	assert_false(vmsim_addr_canonical(vm5, 0xfeff800000000000ULL));
	assert_true(vmsim_addr_canonical(vm5, 0xff00000000000000ULL));
	assert_false(vmsim_addr_canonical(vm5, 0x8000000000000000ULL));
	assert_true(vmsim_addr_canonical(vm5, ~0ULL));
	vmsim_free(vm4);
	vmsim_free(vm5);
	assert_int_equal(log.count, 0);
}

static void walk_allocates(const char *opts, unsigned below_pgd)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine(opts, &log, &root);
	unsigned long free0 = vmsim_nr_free_pages(vm);
	struct vmsim_walk w;

	/* A lookup without alloc in an empty tree allocates nothing. */
	assert_int_equal(vmsim_walk(vm, root, 0x400000, 0, &w), 0);
	assert_null(w.pte);
	assert_null(vmsim_pte_lookup(vm, root, 0x400000, false));
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1);

	assert_int_equal(vmsim_walk(vm, root, 0x400000, VMSIM_WALK_ALLOC, &w), 0);
	assert_int_equal(w.level, VMSIM_LVL_PTE);
	assert_non_null(w.pte);
	assert_non_null(w.pmd);
	assert_non_null(w.pud);
	assert_non_null(w.p4d);
	assert_non_null(w.pgd);
	assert_int_equal(w.addr, 0x400000);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1 + below_pgd);
	assert_int_equal(vmsim_nr_free_pages(vm), free0 - below_pgd);
	/* Each table page is marked and knows its level. */
	for (int l = VMSIM_LVL_PTE; l <= VMSIM_LVL_PGD; l++) {
		assert_non_null(w.table[l]);
		assert_true(vmsim_page_test(w.table[l], PG_table));
	}
	assert_int_equal(w.table[VMSIM_LVL_PTE]->pt_level, VMSIM_LVL_PTE);
	assert_int_equal(w.table[VMSIM_LVL_PMD]->pt_level, VMSIM_LVL_PMD);
	assert_int_equal(w.table[VMSIM_LVL_PUD]->pt_level, VMSIM_LVL_PUD);
	assert_int_equal(w.table[VMSIM_LVL_PGD]->pt_level, VMSIM_LVL_PGD);
	assert_int_equal(vmsim_page_to_pfn(vm, w.table[VMSIM_LVL_PGD]), root);
	/* 0x400000: pte 0, pmd 2, everything above 0. */
	assert_int_equal(slot_index(vm, w.table[VMSIM_LVL_PTE], w.pte), 0);
	assert_int_equal(slot_index(vm, w.table[VMSIM_LVL_PMD], w.pmd), 2);
	assert_int_equal(slot_index(vm, w.table[VMSIM_LVL_PUD], w.pud), 0);
	/* Upper entries point to the next table with _PAGE_TABLE (0x67). */
	assert_int_equal(pmd_val(*w.pmd), ((uint64_t)vmsim_page_to_pfn(vm, w.table[VMSIM_LVL_PTE]) << 12) | 0x67);
	assert_int_equal(pud_val(*w.pud), ((uint64_t)vmsim_page_to_pfn(vm, w.table[VMSIM_LVL_PMD]) << 12) | 0x67);
	assert_true(vmsim_pmd_table(vm, *w.pmd) == w.table[VMSIM_LVL_PTE]);
	/* The slot of a table knows its page. */
	assert_true(vmsim_slot_table(vm, w.pte) == w.table[VMSIM_LVL_PTE]);
	assert_true(vmsim_slot_table(vm, w.pmd) == w.table[VMSIM_LVL_PMD]);

	/* Walking again allocates nothing and finds the same slot. */
	assert_ptr_equal(vmsim_pte_lookup(vm, root, 0x400000, true), w.pte);
	assert_ptr_equal(vmsim_pte_lookup(vm, root, 0x400fff, false), w.pte);
	assert_ptr_equal(vmsim_pte_lookup(vm, root, 0x401000, false), w.pte + 1);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1 + below_pgd);
	/* A second page in the same 2 MiB needs no table; in the next 2 MiB
	 * one pte table; in the next 1 GiB a pmd and a pte table. */
	assert_non_null(vmsim_pte_lookup(vm, root, 0x5ff000, true));
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1 + below_pgd);
	assert_non_null(vmsim_pte_lookup(vm, root, 0x600000, true));
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 2 + below_pgd);
	assert_non_null(vmsim_pte_lookup(vm, root, 0x40000000, true));
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 4 + below_pgd);
	finish(vm, &log, root);
}

static void test_walk_alloc_5_levels(void **state)
{
	(void)state;
	walk_allocates("ram=4M", 4);	/* p4d, pud, pmd, pte */
}

static void test_walk_alloc_4_levels(void **state)
{
	(void)state;
	walk_allocates("ram=4M levels=4", 3);	/* pud, pmd, pte (p4d folded) */
}

static void test_folded_p4d(void **state)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine("ram=4M levels=4", &log, &root);
	struct vmsim_walk w;

	(void)state;
	assert_int_equal(vmsim_walk(vm, root, 0x400000, VMSIM_WALK_ALLOC, &w), 0);
	/* With 4 levels the p4d entry is the pgd entry. */
	assert_ptr_equal((void *)w.p4d, (void *)w.pgd);
	assert_true(w.table[VMSIM_LVL_P4D] == w.table[VMSIM_LVL_PGD]);
	assert_int_equal(vmsim_page_to_pfn(vm, w.table[VMSIM_LVL_PGD]), root);
	/* ... and points straight to the pud table. */
	assert_int_equal(pgd_pfn(*w.pgd), vmsim_page_to_pfn(vm, w.table[VMSIM_LVL_PUD]));
	finish(vm, &log, root);
}

static void top_address(const char *opts, uint64_t task_size)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine(opts, &log, &root);
	uint64_t last = task_size - 1;	/* the last user byte */
	struct vmsim_walk w;

	assert_int_equal(vmsim_task_size(vm), task_size);
	assert_int_equal(vmsim_walk(vm, root, last, VMSIM_WALK_ALLOC, &w), 0);
	assert_int_equal(w.level, VMSIM_LVL_PTE);
	/* ...ffffefff: pte 510, pmd/pud 511, p4d/pgd 511/255 or 255. */
	assert_int_equal(slot_index(vm, w.table[VMSIM_LVL_PTE], w.pte), 510);
	assert_int_equal(slot_index(vm, w.table[VMSIM_LVL_PMD], w.pmd), 511);
	assert_int_equal(slot_index(vm, w.table[VMSIM_LVL_PUD], w.pud), 511);
	if (task_size >> 47 > 1) {
		assert_int_equal(slot_index(vm, w.table[VMSIM_LVL_P4D], w.p4d), 511);
		assert_int_equal(slot_index(vm, w.table[VMSIM_LVL_PGD], w.pgd), 255);
	} else {
		assert_int_equal(slot_index(vm, w.table[VMSIM_LVL_PGD], w.pgd), 255);
	}
	vmsim_set_pte(vm, w.pte, pfn_pte(1, PAGE_READONLY), task_size - 4096);
	assert_ptr_equal(vmsim_pte_lookup(vm, root, task_size - 4096, false), w.pte);
	assert_int_equal(pte_pfn(ptep_get(w.pte)), 1);
	vmsim_set_pte(vm, w.pte, __pte(0), task_size - 4096);
	finish(vm, &log, root);
}

/* With 4 levels a walk that finds the top entry none stops at the folded
 * p4d, whose entry spans 512 GiB: a caller skipping the span it reports
 * (zap) must not skip 256 TiB. */
static void test_folded_p4d_none_level(void **state)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine("ram=4M levels=4", &log, &root);
	struct vmsim_walk w;

	(void)state;
	assert_int_equal(vmsim_walk(vm, root, 0x40000000, 0, &w), 0);
	assert_int_equal(w.level, VMSIM_LVL_P4D);
	assert_ptr_equal(w.p4d, w.pgd);
	assert_true(p4d_val(*w.p4d) == 0);
	finish(vm, &log, root);
}

/* exit_mmap() at 4 levels: a vma whose first 512 GiB have no tables still
 * has the pages above mapped and zapped (they used to be skipped, and the
 * frames leaked at teardown). */
static void test_exit_zaps_past_empty_p4d(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M levels=4", &log);
	struct vmsim_mm *mm;
	unsigned long free;

	(void)state;
	assert_non_null(vm);
	free = vmsim_nr_free_pages(vm);
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, 0x40000000, 1ULL << 40, TU_PROT_RW,
				    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, 1ULL << 39, 1), 0);
	assert_int_equal(tu_write(mm, (1ULL << 40) + 0x3ffff000, 2), 0);
	assert_int_equal(tu_read(mm, 1ULL << 39), 1);
	vmsim_mm_exit(mm);
	assert_int_equal(vmsim_nr_free_pages(vm), free);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 0);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static void test_top_user_address_5(void **state)
{
	(void)state;
	top_address("ram=4M", (1ULL << 56) - 4096);
}

static void test_top_user_address_4(void **state)
{
	(void)state;
	top_address("ram=4M levels=4", (1ULL << 47) - 4096);
}

static void non_canonical(const char *opts, const uint64_t *bad, size_t n)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine(opts, &log, &root);
	unsigned long free0 = vmsim_nr_free_pages(vm);
	struct vmsim_walk w;

	for (size_t i = 0; i < n; i++) {
		assert_int_equal(vmsim_walk(vm, root, bad[i], VMSIM_WALK_ALLOC, &w), -EFAULT);
		assert_null(w.pte);
		assert_int_equal(vmsim_walk(vm, root, bad[i], VMSIM_WALK_ALLOC_PMD, &w), -EFAULT);
		assert_null(vmsim_pte_lookup(vm, root, bad[i], true));
		assert_int_equal(vmsim_nr_pgtable_pages(vm), 1);
		assert_int_equal(vmsim_nr_free_pages(vm), free0);
	}
	finish(vm, &log, root);
}

static void test_non_canonical_4(void **state)
{
	const uint64_t bad[] = { 1ULL << 47, 0x0000ffffffffffffULL, 1ULL << 56, 0x8000000000000000ULL,
				 0xfff0000000000000ULL };

	(void)state;
	non_canonical("ram=4M levels=4", bad, sizeof(bad) / sizeof(bad[0]));
}

static void test_non_canonical_5(void **state)
{
	const uint64_t bad[] = { 1ULL << 56, 0x00ff800000000000ULL | (1ULL << 56), 0x8000000000000000ULL,
				 0xfe00000000000000ULL, 0xffff7fffffffffffULL & ~(1ULL << 56) };

	(void)state;
	non_canonical("ram=4M", bad, sizeof(bad) / sizeof(bad[0]));
}

/* tables: allocated for addr; total: also for the top page (shared upper
 * tables are allocated once). */
static void upper_half(const char *opts, uint64_t addr, unsigned pgd_idx, unsigned tables,
		       unsigned total)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine(opts, &log, &root);
	struct vmsim_walk w;

	assert_int_equal(vmsim_walk(vm, root, addr, VMSIM_WALK_ALLOC, &w), 0);
	assert_int_equal(w.level, VMSIM_LVL_PTE);
	assert_int_equal(slot_index(vm, w.table[VMSIM_LVL_PGD], w.pgd), pgd_idx);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1 + tables);
	/* The very top page too. */
	assert_int_equal(vmsim_walk(vm, root, ~0ULL, VMSIM_WALK_ALLOC, &w), 0);
	assert_int_equal(slot_index(vm, w.table[VMSIM_LVL_PGD], w.pgd), 511);
	assert_int_equal(slot_index(vm, w.table[VMSIM_LVL_PTE], w.pte), 511);
	/* The range-based free handles the sign-extended half: everything empty. */
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1 + total);
	assert_int_equal(vmsim_free_empty_tables(vm, root, addr, ~0ULL), total);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1);
	finish(vm, &log, root);
}

static void test_upper_half_4(void **state)
{
	(void)state;
	upper_half("ram=4M levels=4", 0xffff800000000000ULL, 256, 3, 6);
}

static void test_upper_half_5(void **state)
{
	(void)state;
	upper_half("ram=4M", 0xff00000000000000ULL, 256, 4, 8);
	/* Same pgd slot as the top page (511), p4d slot 256 against 511:
	 * only the p4d table is shared. */
	upper_half("ram=4M", 0xffff800000000000ULL, 511, 4, 7);
}

static void test_pmd_leaf_stops_walk(void **state)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine("ram=4M", &log, &root);
	struct vmsim_walk w;
	pmd_t leaf = pmd_mkhuge(pfn_pmd(0x200, PAGE_READONLY));
	unsigned long n;

	(void)state;
	assert_int_equal(vmsim_walk(vm, root, 0x200000, VMSIM_WALK_ALLOC_PMD, &w), 0);
	assert_int_equal(w.level, VMSIM_LVL_PMD);
	assert_null(w.pte);
	n = vmsim_nr_pgtable_pages(vm);
	assert_int_equal(n, 4);		/* pgd, p4d, pud, pmd: no pte table */
	vmsim_set_pmd(vm, w.pmd, leaf, 0x200000);
	assert_int_equal(w.table[VMSIM_LVL_PMD]->pt_entries, 1);

	/* Any address in the 2 MiB stops at the leaf, alloc or not. */
	assert_int_equal(vmsim_walk(vm, root, 0x3ff000, VMSIM_WALK_ALLOC, &w), 0);
	assert_int_equal(w.level, VMSIM_LVL_PMD);
	assert_null(w.pte);
	assert_int_equal(pmd_val(*w.pmd), pmd_val(leaf));
	assert_null(vmsim_pte_lookup(vm, root, 0x200000, true));
	assert_null(vmsim_pte_lookup(vm, root, 0x2ff000, false));
	assert_null(vmsim_pmd_table(vm, *w.pmd));
	assert_int_equal(vmsim_nr_pgtable_pages(vm), n);
	/* A non-present, non-none pmd (migration entry) stops it too. */
	vmsim_set_pmd(vm, w.pmd, swp_entry_to_pmd(make_writable_migration_entry(0x200)), 0x200000);
	assert_int_equal(vmsim_walk(vm, root, 0x200000, VMSIM_WALK_ALLOC, &w), 0);
	assert_int_equal(w.level, VMSIM_LVL_PMD);
	assert_null(w.pte);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), n);
	/* Freeing empty tables keeps the pmd table holding the entry. */
	assert_int_equal(vmsim_free_empty_tables(vm, root, 0, 1ULL << 47), 0);
	/* The neighbouring 2 MiB still gets a pte table. */
	assert_non_null(vmsim_pte_lookup(vm, root, 0x400000, true));
	assert_int_equal(vmsim_nr_pgtable_pages(vm), n + 1);
	/* A leaf PUD (1 GiB) stops at VMSIM_LVL_PUD. */
	{
		struct vmsim_walk w2;

		assert_int_equal(vmsim_walk(vm, root, 0x80000000, 0, &w2), 0);
		vmsim_set_pud(vm, w2.pud, pud_mkhuge(pfn_pud(0x40000, PAGE_READONLY)), 0x80000000);
		assert_int_equal(vmsim_walk(vm, root, 0x80000000, VMSIM_WALK_ALLOC, &w2), 0);
		assert_int_equal(w2.level, VMSIM_LVL_PUD);
		assert_null(w2.pmd);
		assert_null(w2.pte);
	}
	finish(vm, &log, root);
}

static void test_pt_entries(void **state)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine("ram=4M", &log, &root);
	struct vmsim_walk w;
	struct vmsim_page *pt;

	(void)state;
	assert_int_equal(vmsim_walk(vm, root, 0x400000, VMSIM_WALK_ALLOC, &w), 0);
	pt = w.table[VMSIM_LVL_PTE];
	assert_int_equal(pt->pt_entries, 0);
	/* Each upper table holds one entry: the link to the one below. */
	assert_int_equal(w.table[VMSIM_LVL_PMD]->pt_entries, 1);
	assert_int_equal(w.table[VMSIM_LVL_PUD]->pt_entries, 1);
	assert_int_equal(w.table[VMSIM_LVL_P4D]->pt_entries, 1);
	assert_int_equal(w.table[VMSIM_LVL_PGD]->pt_entries, 1);

	vmsim_set_pte(vm, w.pte, pfn_pte(1, PAGE_READONLY), 0x400000);
	assert_int_equal(pt->pt_entries, 1);
	/* Overwriting a non-none entry does not count twice. */
	vmsim_set_pte(vm, w.pte, pte_mkdirty(pfn_pte(1, PAGE_SHARED)), 0x400000);
	assert_int_equal(pt->pt_entries, 1);
	vmsim_set_pte(vm, w.pte + 1, swp_entry_to_pte(swp_entry(1, 2)), 0x401000);
	assert_int_equal(pt->pt_entries, 2);
	vmsim_set_pte(vm, w.pte + 2, make_pte_marker(PTE_MARKER_GUARD), 0x402000);
	assert_int_equal(pt->pt_entries, 3);
	vmsim_set_pte(vm, w.pte + 3, pfn_pte(3, PAGE_NONE), 0x403000);
	assert_int_equal(pt->pt_entries, 4);
	/* An entry with only A/D is none (pte_none): not counted. */
	vmsim_set_pte(vm, w.pte + 4, __pte(_PAGE_ACCESSED | _PAGE_DIRTY), 0x404000);
	assert_int_equal(pt->pt_entries, 4);
	vmsim_set_pte(vm, w.pte + 4, __pte(0), 0x404000);
	assert_int_equal(pt->pt_entries, 4);
	/* Clearing counts down, to A/D-only as well. */
	vmsim_set_pte(vm, w.pte, __pte(0), 0x400000);
	assert_int_equal(pt->pt_entries, 3);
	vmsim_set_pte(vm, w.pte + 1, __pte(_PAGE_ACCESSED), 0x401000);
	assert_int_equal(pt->pt_entries, 2);
	vmsim_set_pte(vm, w.pte + 2, __pte(0), 0x402000);
	vmsim_set_pte(vm, w.pte + 3, __pte(0), 0x403000);
	assert_int_equal(pt->pt_entries, 0);
	/* All 512 slots. */
	for (unsigned i = 0; i < 512; i++)
		vmsim_set_pte(vm, w.pte + i, pfn_pte(i + 1, PAGE_READONLY), 0x400000 + i * 4096ULL);
	assert_int_equal(pt->pt_entries, 512);
	for (unsigned i = 0; i < 512; i++)
		vmsim_set_pte(vm, w.pte + i, __pte(0), 0x400000 + i * 4096ULL);
	assert_int_equal(pt->pt_entries, 0);
	finish(vm, &log, root);
}

static void test_free_empty_tables(void **state)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine("ram=4M", &log, &root);
	pte_t *a, *b, *c;
	struct vmsim_walk w;

	(void)state;
	a = vmsim_pte_lookup(vm, root, 0x200000, true);		/* pmd slot 1 */
	b = vmsim_pte_lookup(vm, root, 0x400000, true);		/* pmd slot 2 */
	c = vmsim_pte_lookup(vm, root, 0x40000000, true);	/* pud slot 1 */
	assert_non_null(a);
	assert_non_null(b);
	assert_non_null(c);
	/* pgd, p4d, pud, pmd, pte(a), pte(b), pmd(c), pte(c) */
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 8);
	vmsim_set_pte(vm, a, pfn_pte(1, PAGE_READONLY), 0x200000);

	/* An empty range frees nothing. */
	assert_int_equal(vmsim_free_empty_tables(vm, root, 0x400000, 0x400000), 0);
	/* Only b's range: its pte table goes; the pmd table keeps a's link. */
	assert_int_equal(vmsim_free_empty_tables(vm, root, 0x400000, 0x600000), 1);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 7);
	assert_null(vmsim_pte_lookup(vm, root, 0x400000, false));
	assert_ptr_equal(vmsim_pte_lookup(vm, root, 0x200000, false), a);
	/* c's tables lie outside [0x200000, 0x400000) and stay although empty. */
	assert_int_equal(vmsim_free_empty_tables(vm, root, 0x200000, 0x400000), 0);
	assert_ptr_equal(vmsim_pte_lookup(vm, root, 0x40000000, false), c);
	/* The whole user half: c's pmd and pte go, a's chain stays. */
	assert_int_equal(vmsim_free_empty_tables(vm, root, 0, vmsim_task_size(vm)), 2);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 5);
	assert_null(vmsim_pte_lookup(vm, root, 0x40000000, false));
	assert_int_equal(vmsim_walk(vm, root, 0x40000000, 0, &w), 0);
	assert_int_equal(w.level, VMSIM_LVL_PUD);
	assert_true(pud_none(*w.pud));
	assert_ptr_equal(vmsim_pte_lookup(vm, root, 0x200000, false), a);
	assert_int_equal(pte_pfn(ptep_get(a)), 1);
	/* Once a is cleared, the whole chain below the pgd goes (4 tables);
	 * the pgd itself stays. */
	vmsim_set_pte(vm, a, __pte(0), 0x200000);
	assert_int_equal(vmsim_free_empty_tables(vm, root, 0, vmsim_task_size(vm)), 4);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1);
	assert_int_equal(vmsim_walk(vm, root, 0x200000, 0, &w), 0);
	assert_int_equal(w.level, VMSIM_LVL_PGD);
	assert_true(pgd_none(*w.pgd));
	assert_int_equal(vmsim_pfn_to_page(vm, root)->pt_entries, 0);
	/* Nothing left to free. */
	assert_int_equal(vmsim_free_empty_tables(vm, root, 0, vmsim_task_size(vm)), 0);
	finish(vm, &log, root);
}

static void test_free_empty_tables_4(void **state)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine("ram=4M levels=4", &log, &root);
	pte_t *a;

	(void)state;
	a = vmsim_pte_lookup(vm, root, 0x7f0000000000ULL, true);
	assert_non_null(vmsim_pte_lookup(vm, root, 0x1000, true));
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 7);
	vmsim_set_pte(vm, a, pfn_pte(9, PAGE_READONLY), 0x7f0000000000ULL);
	assert_int_equal(vmsim_free_empty_tables(vm, root, 0, vmsim_task_size(vm)), 3);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 4);
	assert_ptr_equal(vmsim_pte_lookup(vm, root, 0x7f0000000000ULL, false), a);
	vmsim_set_pte(vm, a, __pte(0), 0x7f0000000000ULL);
	assert_int_equal(vmsim_free_empty_tables(vm, root, 0, vmsim_task_size(vm)), 3);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1);
	finish(vm, &log, root);
}

/* vmsim_pgd_free frees every table, even those still holding entries. */
static void pgd_free_all(const char *opts)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine(opts, &log, &root);
	const uint64_t addrs[] = { 0x1000, 0x200000, 0x40000000, 0x8000000000ULL, 0x7ffffffff000ULL,
				   0xffffffffffe00000ULL };
	unsigned long free0 = vmsim_nr_free_pages(vm) + 1;	/* + the pgd */

	for (size_t i = 0; i < sizeof(addrs) / sizeof(addrs[0]); i++) {
		pte_t *p = vmsim_pte_lookup(vm, root, addrs[i], true);

		assert_non_null(p);
		vmsim_set_pte(vm, p, pfn_pte(1, PAGE_READONLY), addrs[i]);
	}
	/* And a huge pmd leaf. */
	{
		struct vmsim_walk w;

		assert_int_equal(vmsim_walk(vm, root, 0x600000, VMSIM_WALK_ALLOC_PMD, &w), 0);
		vmsim_set_pmd(vm, w.pmd, pmd_mkhuge(pfn_pmd(0x200, PAGE_READONLY)), 0x600000);
	}
	assert_true(vmsim_nr_pgtable_pages(vm) > 10);
	vmsim_pgd_free(vm, root);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 0);
	assert_int_equal(vmsim_nr_free_pages(vm), free0);
	assert_int_equal(log.count, 0);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static void test_pgd_free_5(void **state)
{
	(void)state;
	pgd_free_all("ram=4M");
}

static void test_pgd_free_4(void **state)
{
	(void)state;
	pgd_free_all("ram=4M levels=4");
}

/* A table left behind is a leaked frame: vmsim_free reports it. */
static void test_table_leak_reported(void **state)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine("ram=4M", &log, &root);

	(void)state;
	assert_non_null(vmsim_pte_lookup(vm, root, 0x1000, true));
	vmsim_free(vm);
	assert_int_equal(log.count, 1);
	assert_non_null(strstr(log.last, "5 frames still allocated"));
	assert_string_equal(log.last_func, "vmsim_free");
}

static void enomem(const char *opts, unsigned below_pgd)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine(opts, &log, &root);
	unsigned long pfns[1024], n = 0, pfn, free0;
	struct vmsim_walk w;

	/* Fill RAM, leaving room for two tables. */
	while (vmsim_nr_free_pages(vm) > 2 && vmsim_page_alloc(vm, 0, &pfn) == 0)
		pfns[n++] = pfn;
	assert_int_equal(vmsim_nr_free_pages(vm), 2);
	assert_int_equal(vmsim_walk(vm, root, 0x400000, VMSIM_WALK_ALLOC, &w), -ENOMEM);
	assert_null(w.pte);
	/* The two that fit stay linked, as in Linux. */
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 3);
	assert_int_equal(vmsim_nr_free_pages(vm), 0);
	assert_null(vmsim_pte_lookup(vm, root, 0x400000, true));
	assert_int_equal(vmsim_walk(vm, root, 0x400000, VMSIM_WALK_ALLOC_PMD, &w),
			 below_pgd == 4 ? -ENOMEM : 0);
	assert_int_equal(log.count, 0);
	/* With memory back the walk completes. */
	free0 = n;
	while (n > 0)
		assert_int_equal(vmsim_page_free(vm, pfns[--n], 0), 0);
	assert_int_equal(vmsim_walk(vm, root, 0x400000, VMSIM_WALK_ALLOC, &w), 0);
	assert_non_null(w.pte);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1 + below_pgd);
	assert_true(free0 > 1000);
	finish(vm, &log, root);
}

static void test_enomem_5(void **state)
{
	(void)state;
	enomem("ram=4M", 4);
}

static void test_enomem_4(void **state)
{
	(void)state;
	enomem("ram=4M levels=4", 3);
}

/* Free after a failed walk, without retrying. */
static void test_enomem_then_free(void **state)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine("ram=4M", &log, &root);
	unsigned long pfns[1024], n = 0, pfn;

	(void)state;
	while (vmsim_page_alloc(vm, 0, &pfn) == 0)
		pfns[n++] = pfn;
	assert_null(vmsim_pte_lookup(vm, root, 0x400000, true));
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1);
	assert_int_equal(vmsim_pgd_alloc(vm, &pfn), -ENOMEM);
	while (n > 0)
		assert_int_equal(vmsim_page_free(vm, pfns[--n], 0), 0);
	finish(vm, &log, root);
}

static void test_set_entry_traced(void **state)
{
	struct bug_log log;
	unsigned long root;
	struct vmsim *vm = machine("ram=4M", &log, &root);
	pte_t *p = vmsim_pte_lookup(vm, root, 0x400000, true);
	uint64_t before;

	(void)state;
	assert_non_null(p);
	before = vmsim_trace_count(vm);
	vmsim_set_pte(vm, p, pfn_pte(1, PAGE_READONLY), 0x400000);
	assert_int_equal(vmsim_trace_count(vm), before + 1);
	vmsim_set_pte(vm, p, __pte(0), 0x400000);
	assert_int_equal(vmsim_trace_count(vm), before + 2);
	finish(vm, &log, root);
}

/* A root that is not a pgd is the caller's mistake: an error, no bug. */
static void test_bad_root_is_einval(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M", &log);
	struct vmsim_walk w;
	unsigned long data, pgd;

	(void)state;
	assert_non_null(vm);
	assert_int_equal(vmsim_page_alloc(vm, 0, &data), 0);
	assert_int_equal(vmsim_pgd_alloc(vm, &pgd), 0);
	assert_int_equal(vmsim_walk(vm, data, 0x7f0000000000ULL, VMSIM_WALK_ALLOC, &w), -EINVAL);
	assert_int_equal(vmsim_walk(vm, 1UL << 40, 0x7f0000000000ULL, 0, &w), -EINVAL);
	assert_null(vmsim_pte_lookup(vm, data, 0x7f0000000000ULL, true));
	assert_int_equal(vmsim_free_empty_tables(vm, data, 0, 1ULL << 47), 0);
	vmsim_pgd_free(vm, data);	/* ignored */
	/* Nothing was allocated below the bogus root, nothing reported. */
	assert_int_equal(vmsim_nr_pgtable_pages(vm), 1);
	assert_int_equal(log.count, 0);
	vmsim_pgd_free(vm, pgd);
	assert_int_equal(vmsim_page_free(vm, data, 0), 0);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_root_is_einval),
		cmocka_unit_test(test_geometry),
		cmocka_unit_test(test_walk_alloc_5_levels),
		cmocka_unit_test(test_walk_alloc_4_levels),
		cmocka_unit_test(test_folded_p4d),
		cmocka_unit_test(test_folded_p4d_none_level),
		cmocka_unit_test(test_exit_zaps_past_empty_p4d),
		cmocka_unit_test(test_top_user_address_5),
		cmocka_unit_test(test_top_user_address_4),
		cmocka_unit_test(test_non_canonical_4),
		cmocka_unit_test(test_non_canonical_5),
		cmocka_unit_test(test_upper_half_4),
		cmocka_unit_test(test_upper_half_5),
		cmocka_unit_test(test_pmd_leaf_stops_walk),
		cmocka_unit_test(test_pt_entries),
		cmocka_unit_test(test_free_empty_tables),
		cmocka_unit_test(test_free_empty_tables_4),
		cmocka_unit_test(test_pgd_free_5),
		cmocka_unit_test(test_pgd_free_4),
		cmocka_unit_test(test_table_leak_reported),
		cmocka_unit_test(test_enomem_5),
		cmocka_unit_test(test_enomem_4),
		cmocka_unit_test(test_enomem_then_free),
		cmocka_unit_test(test_set_entry_traced),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
