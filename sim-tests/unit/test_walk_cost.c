/* Unit test: walks over a range cost the page tables that exist, not the
 * range's size (walk_page_range skips a none pgd/p4d/pud/pmd whole): the
 * full checker, clear_refs, fork's page-table copy, mprotect, mremap,
 * madvise, smaps and migrate, over a huge vma with two pages in it.  Linked with --wrap on the page-table lookups (see
 * CMakeLists.txt), which count the descents and tables the library makes;
 * the bounds are a few per populated table, where walking page by page
 * would make one per page of the vma. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <vmsim/vmsim.h>

static unsigned long lookups;

struct vmsim_walk;
int __real_vmsim_walk(struct vmsim *vm, unsigned long root, uint64_t addr, unsigned flags, struct vmsim_walk *w);
int __wrap_vmsim_walk(struct vmsim *vm, unsigned long root, uint64_t addr, unsigned flags, struct vmsim_walk *w);
int __wrap_vmsim_walk(struct vmsim *vm, unsigned long root, uint64_t addr, unsigned flags, struct vmsim_walk *w)
{
	lookups++;
	return __real_vmsim_walk(vm, root, addr, flags, w);
}

pte_t *__real_vmsim_pte_lookup(struct vmsim *vm, unsigned long root, uint64_t addr, bool alloc);
pte_t *__wrap_vmsim_pte_lookup(struct vmsim *vm, unsigned long root, uint64_t addr, bool alloc);
pte_t *__wrap_vmsim_pte_lookup(struct vmsim *vm, unsigned long root, uint64_t addr, bool alloc)
{
	lookups++;
	return __real_vmsim_pte_lookup(vm, root, addr, alloc);
}

uint64_t *__real_vmsim_table(struct vmsim *vm, struct vmsim_page *table);
uint64_t *__wrap_vmsim_table(struct vmsim *vm, struct vmsim_page *table);
uint64_t *__wrap_vmsim_table(struct vmsim *vm, struct vmsim_page *table)
{
	lookups++;
	return __real_vmsim_table(vm, table);
}

/* The library's own descents to one level (pmd lookups and allocations). */
uint64_t *__real_vmsim__walk_to(struct vmsim *vm, unsigned long root, uint64_t addr, enum vmsim_level target,
				bool alloc);
uint64_t *__wrap_vmsim__walk_to(struct vmsim *vm, unsigned long root, uint64_t addr, enum vmsim_level target,
				bool alloc);
uint64_t *__wrap_vmsim__walk_to(struct vmsim *vm, unsigned long root, uint64_t addr, enum vmsim_level target,
				bool alloc)
{
	lookups++;
	return __real_vmsim__walk_to(vm, root, addr, target, alloc);
}

#define BASE	0x100000000000ULL	/* 16 TiB: a pud-aligned start */
#define PG	4096ULL
/* Page tables under two pages far apart (5 levels): pgd, p4d, two puds,
 * two pmds, two pte tables.  A walk may step through every entry of the
 * tables that exist (a descent per none pmd of a present pmd table), so a
 * few tables' worth of entries; page by page, a 1 GiB vma costs 262144. */
#define BOUND	(4 * 512)
/* A 64 TiB vma adds its 128 p4d entries and two pud tables of entries,
 * and an operation may look up each page of the two pte tables more than
 * once; per 2 MiB it would cost 2^25. */
#define BOUND_HUGE	(16 * 512)

struct fix {
	struct vmsim *vm;
	struct vmsim_mm *mm;
	uint64_t far;
};

/* A vma of len with its first page and a page far inside written. */
static void setup_vma(struct fix *f, const char *check, uint64_t len)
{
	struct vmsim_config cfg;
	unsigned char b = 1;

	vmsim_config_init(&cfg);
	assert_int_equal(vmsim_config_set(&cfg, "check", check), 0);
	assert_int_equal(vmsim_new(&cfg, &f->vm), 0);
	assert_int_equal(vmsim_mm_new(f->vm, &f->mm), 0);
	assert_int_equal(vmsim_mmap(f->mm, BASE, len, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
				    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	f->far = BASE + len / 2 + 5 * PG;
	assert_int_equal(vmsim_access(f->mm, 0, BASE, &b, 1, true, NULL), 0);
	assert_int_equal(vmsim_access(f->mm, 0, f->far, &b, 1, true, NULL), 0);
}

/* check=full after an operation: was one descent per page of every vma. */
static void full_check_walks_tables(void **state)
{
	struct fix f;
	unsigned char b;

	(void)state;
	setup_vma(&f, "full", 1ULL << 30);
	lookups = 0;
	assert_int_equal(vmsim_check_all(f.vm), 0);
	assert_in_range(lookups, 1, BOUND);
	/* And it still sees the pages: a read is checked, nothing is wrong. */
	lookups = 0;
	assert_int_equal(vmsim_access(f.mm, 1, f.far, &b, 1, false, NULL), 0);
	assert_int_equal(b, 1);
	assert_in_range(lookups, 1, 2 * BOUND);
	vmsim_free(f.vm);
}

/* The same with a vma of 64 TiB: costs are those of the 1 GiB one. */
static void full_check_huge_vma(void **state)
{
	struct fix f;

	(void)state;
	setup_vma(&f, "full", 64ULL << 40);
	lookups = 0;
	assert_int_equal(vmsim_check_all(f.vm), 0);
	assert_in_range(lookups, 1, BOUND);
	vmsim_free(f.vm);
}

/* clear_refs (soft-dirty): was one lookup per page of every vma. */
static void clear_refs_skips_holes(void **state)
{
	struct fix f;
	uint64_t pm;

	(void)state;
	setup_vma(&f, "basic", 1ULL << 30);
	lookups = 0;
	assert_int_equal(vmsim_clear_refs(f.mm, 4), 0);
	assert_in_range(lookups, 1, BOUND);
	/* Both pages lost soft-dirty (and are write-protected for it). */
	assert_int_equal(vmsim_pagemap(f.mm, BASE, 1, &pm), 0);
	assert_true((pm & PM_PRESENT) && !(pm & PM_SOFT_DIRTY));
	assert_int_equal(vmsim_pagemap(f.mm, f.far, 1, &pm), 0);
	assert_true((pm & PM_PRESENT) && !(pm & PM_SOFT_DIRTY));
	vmsim_free(f.vm);
}

/* fork's copy_page_range: was one walk per 2 MiB of every anon vma. */
static void fork_skips_holes(void **state)
{
	struct fix f;
	struct vmsim_mm *child;
	uint64_t a, b;

	(void)state;
	setup_vma(&f, "basic", 64ULL << 30);
	lookups = 0;
	assert_int_equal(vmsim_fork(f.mm, &child), 0);
	assert_in_range(lookups, 1, BOUND);
	/* The child shares both pages. */
	assert_int_equal(vmsim_pagemap(f.mm, f.far, 1, &a), 0);
	assert_int_equal(vmsim_pagemap(child, f.far, 1, &b), 0);
	assert_true((b & PM_PRESENT) && (a & PM_PFRAME_MASK) == (b & PM_PFRAME_MASK));
	assert_int_equal(vmsim_pagemap(f.mm, BASE, 1, &a), 0);
	assert_int_equal(vmsim_pagemap(child, BASE, 1, &b), 0);
	assert_true((b & PM_PRESENT) && (a & PM_PFRAME_MASK) == (b & PM_PFRAME_MASK));
	vmsim_free(f.vm);
}

/* mprotect (change_protection): was one lookup per page of the range. */
static void mprotect_skips_holes(void **state)
{
	struct fix f;
	unsigned char b = 2;

	(void)state;
	setup_vma(&f, "basic", 1ULL << 30);
	lookups = 0;
	assert_int_equal(vmsim_mprotect(f.mm, BASE, 1ULL << 30, VMSIM_PROT_READ), 0);
	assert_in_range(lookups, 1, BOUND);
	assert_int_equal(vmsim_access(f.mm, 0, f.far, &b, 1, true, NULL), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(vmsim_access(f.mm, 0, f.far, &b, 1, false, NULL), 0);
	assert_int_equal(b, 1);
	vmsim_free(f.vm);
}

/* mremap (move_page_tables): was one lookup per page of the range. */
static void mremap_skips_holes(void **state)
{
	struct fix f;
	uint64_t to = 0x200000000000ULL;
	unsigned char b = 0;

	(void)state;
	setup_vma(&f, "basic", 1ULL << 30);
	lookups = 0;
	assert_int_equal(vmsim_mremap(f.mm, BASE, 1ULL << 30, 1ULL << 30,
				      VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, to), 0);
	assert_in_range(lookups, 1, BOUND);
	assert_int_equal(vmsim_access(f.mm, 0, to + (f.far - BASE), &b, 1, false, NULL), 0);
	assert_int_equal(b, 1);
	assert_int_equal(vmsim_access(f.mm, 0, f.far, &b, 1, false, NULL), VMSIM_ACCESS_SIGSEGV);
	vmsim_free(f.vm);
}

/* madvise COLD, PAGEOUT, GUARD_REMOVE and WILLNEED (anonymous): were one
 * lookup per page, or per 2 MiB (COLD and PAGEOUT, one pte table at a
 * time), over a 64 TiB vma. */
static void madvise_skips_holes(void **state)
{
	static const int advice[] = { VMSIM_MADV_COLD, VMSIM_MADV_PAGEOUT, VMSIM_MADV_GUARD_REMOVE,
				      VMSIM_MADV_WILLNEED };
	struct fix f;
	unsigned char b = 0;

	(void)state;
	setup_vma(&f, "basic", 64ULL << 40);
	for (unsigned i = 0; i < sizeof(advice) / sizeof(advice[0]); i++) {
		lookups = 0;
		assert_int_equal(vmsim_madvise(f.mm, BASE, 64ULL << 40, advice[i]), 0);
		assert_in_range(lookups, 0, BOUND_HUGE);
	}
	/* Anonymous pages stay (no swap): the data is there. */
	assert_int_equal(vmsim_access(f.mm, 0, f.far, &b, 1, false, NULL), 0);
	assert_int_equal(b, 1);
	vmsim_free(f.vm);
}

/* /proc/PID/smaps of a 64 TiB vma (walk_page_vma): was one lookup per
 * page. */
static void smaps_skips_holes(void **state)
{
	struct vmsim_smaps sm;
	struct fix f;

	(void)state;
	setup_vma(&f, "basic", 64ULL << 40);
	lookups = 0;
	assert_int_equal(vmsim_smaps(f.mm, f.far, &sm), 0);
	assert_in_range(lookups, 1, BOUND_HUGE);
	assert_int_equal(sm.size, (64ULL << 40) >> 10);
	assert_int_equal(sm.rss, 8);
	assert_int_equal(sm.anonymous, 8);
	vmsim_free(f.vm);
}

/* migrate of a 64 TiB range (the simulator's migrate_pages() over it, as
 * queue_pages_range() walks it): was one lookup per page. */
static void migrate_skips_holes(void **state)
{
	struct fix f;
	unsigned char b = 0;

	(void)state;
	setup_vma(&f, "basic", 64ULL << 40);
	lookups = 0;
	assert_int_equal(vmsim_migrate_range(f.mm, BASE, 64ULL << 40, NULL), 0);
	assert_in_range(lookups, 1, BOUND_HUGE);
	assert_int_equal(vmsim_access(f.mm, 0, f.far, &b, 1, false, NULL), 0);
	assert_int_equal(b, 1);
	vmsim_free(f.vm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(full_check_walks_tables),
		cmocka_unit_test(full_check_huge_vma),
		cmocka_unit_test(clear_refs_skips_holes),
		cmocka_unit_test(fork_skips_holes),
		cmocka_unit_test(mprotect_skips_holes),
		cmocka_unit_test(mremap_skips_holes),
		cmocka_unit_test(madvise_skips_holes),
		cmocka_unit_test(smaps_skips_holes),
		cmocka_unit_test(migrate_skips_holes),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
