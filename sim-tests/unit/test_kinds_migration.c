/* Unit tests: the migration entry kind (kinds/migration.c) through the
 * kind API: which entries it owns, how it is described and reported in
 * pagemap, and what the generic mm paths do with it through its hooks:
 * fork (copy_nonpresent_pte: a writable or exclusive entry of a COW
 * mapping becomes readable on both sides), mprotect (change_pte_range:
 * a writable entry becomes readable, exclusive for an anonymous folio),
 * a fault (migration_entry_wait), mremap, zap.  Linux 6.18. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kindtest.h"

/* describe() of the entry at addr in m. */
static const char *entry_of(struct vmsim_mm *m, uint64_t addr)
{
	static char d[96];

	vmsim_kind_describe(vm, pte_of(m, addr), d, sizeof(d));
	return d;
}

/* Ownership: the three migration types are the migration kind's; describe
 * names the type, the frame and the young and dirty bits. */
static void test_ownership(void **state)
{
	const struct vmsim_kind *mig = vmsim_kind_lookup(vm, "migration");
	char d[96];

	(void)state;
	assert_true(vmsim_kind_builtin(mig));
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(make_readable_migration_entry(3))), mig);
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(make_readable_exclusive_migration_entry(3))), mig);
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(make_writable_migration_entry(3))), mig);
	vmsim_kind_describe(vm, swp_entry_to_pte(make_migration_entry_dirty(
				       make_migration_entry_young(make_writable_migration_entry(0x42)))), d, sizeof(d));
	assert_string_equal(d, "migration write pfn 0x42 young dirty");
	vmsim_kind_describe(vm, swp_entry_to_pte(make_readable_exclusive_migration_entry(0x42)), d, sizeof(d));
	assert_string_equal(d, "migration read-exclusive pfn 0x42");
}

/* Migration entries carry young and dirty; pagemap's frame is the pfn
 * without them; mremap moves them; zap drops them. */
static void test_migration_entry(void **state)
{
	struct vmsim_migration *m;
	unsigned long pfn;
	pte_t pte;

	(void)state;
	assert_int_equal(tu_write(mm, A, 1), 0);
	pfn = tu_pfn(mm, A);
	assert_int_equal(vmsim_migrate_start(mm, A, &m), 0);
	pte = pte_at(A);
	assert_string_equal(kind_at(A), "migration");
	assert_true(softleaf_is_migration_write(softleaf_from_pte(pte)));
	assert_true(softleaf_is_migration_young(softleaf_from_pte(pte)));
	assert_true(softleaf_is_migration_dirty(softleaf_from_pte(pte)));
	assert_int_equal(tu_pm(mm, A) & PM_PFRAME_MASK, (uint64_t)SWP_MIGRATION_WRITE | ((uint64_t)pfn << 5));
	assert_int_equal(vmsim_mremap(mm, A, P, P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 0x100000), 0);
	assert_string_equal(kind_at(A + 0x100000), "migration");
	assert_int_equal(vmsim_migrate_finish(m), 0);
	assert_true(tu_pm(mm, A + 0x100000) & PM_PRESENT);
	assert_int_equal(tu_read(mm, A + 0x100000), 1);
	/* A clean, old page: the entry carries neither bit. */
	assert_int_equal(vmsim_migrate_start(mm, A + 0x100000, &m), 0);
	assert_int_equal(vmsim_munmap(mm, A + 0x100000, P), 0);
	assert_int_equal(vmsim_migrate_finish(m), 0);
}

/* fork of a COW mapping: copy_nonpresent_pte() makes a writable (or
 * readable-exclusive) entry readable in the parent as in the child, since
 * the page is now shared; the offset keeps young and dirty; the child's
 * rss counts the page.  Migration then maps the new frame in both,
 * read-only and not exclusive, so a write copies it. */
static void test_fork_makes_entries_readable(void **state)
{
	struct vmsim_migration *m;
	struct vmsim_mm_stats st;
	struct vmsim_mm *child;
	unsigned long old, new;
	char want[96];

	(void)state;
	assert_int_equal(tu_write(mm, A, 5), 0);
	old = tu_pfn(mm, A);
	assert_int_equal(vmsim_migrate_start(mm, A, &m), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	snprintf(want, sizeof(want), "migration read pfn %#lx young dirty", old);
	assert_string_equal(entry_of(mm, A), want);
	assert_string_equal(entry_of(child, A), want);
	vmsim_mm_stats(child, &st);
	assert_int_equal(st.rss_anon, 1);
	assert_int_equal(vmsim_migrate_finish(m), 0);
	new = tu_pfn(mm, A);
	assert_true(new != old);
	assert_int_equal(tu_pfn(child, A), new);
	assert_false(pte_write(pte_at(A)));
	assert_int_equal(tu_pm(mm, A) & PM_MMAP_EXCLUSIVE, 0);
	assert_int_equal(tu_write(child, A, 6), 0);
	assert_true(tu_pfn(child, A) != new);
	assert_int_equal(tu_pfn(mm, A), new);
	assert_int_equal(tu_read(mm, A), 5);
	vmsim_mm_exit(child);
}

/* mprotect: change_pte_range() turns a writable entry into a readable one
 * ("a protection check is difficult, so just be safe and disable write"),
 * readable-exclusive for an anonymous folio, so that the page comes back
 * exclusive and a later write reuses it; young and dirty stay. */
static void test_mprotect_anon_write_entry(void **state)
{
	struct vmsim_migration *m;
	unsigned long old, new;
	char want[96];

	(void)state;
	assert_int_equal(tu_write(mm, A, 5), 0);
	old = tu_pfn(mm, A);
	assert_int_equal(vmsim_migrate_start(mm, A, &m), 0);
	assert_int_equal(vmsim_mprotect(mm, A, P, VMSIM_PROT_READ), 0);
	snprintf(want, sizeof(want), "migration read-exclusive pfn %#lx young dirty", old);
	assert_string_equal(entry_of(mm, A), want);
	assert_int_equal(vmsim_migrate_finish(m), 0);
	new = tu_pfn(mm, A);
	assert_true(new != old);
	assert_false(pte_write(pte_at(A)));
	assert_int_equal(vmsim_mprotect(mm, A, P, TU_PROT_RW), 0);
	assert_int_equal(tu_write(mm, A, 6), 0);
	assert_int_equal(tu_pfn(mm, A), new);
}

/* The same for a shared shmem page: a plain readable entry (the folio is
 * not anonymous), the page read-only after migration; a write after
 * mprotect back is the shared mapping's, in place. */
static void test_mprotect_shared_write_entry(void **state)
{
	const uint64_t B = A + 0x200000;
	struct vmsim_migration *m;
	struct vmsim_file *f;
	unsigned long old, new;
	char want[96];

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, B, P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_write(mm, B, 5), 0);
	old = tu_pfn(mm, B);
	assert_int_equal(vmsim_migrate_start(mm, B, &m), 0);
	assert_true(softleaf_is_migration_write(softleaf_from_pte(pte_at(B))));
	assert_int_equal(vmsim_mprotect(mm, B, P, VMSIM_PROT_READ), 0);
	snprintf(want, sizeof(want), "migration read pfn %#lx young dirty", old);
	assert_string_equal(entry_of(mm, B), want);
	assert_int_equal(vmsim_migrate_finish(m), 0);
	new = tu_pfn(mm, B);
	assert_true(new != old);
	assert_false(pte_write(pte_at(B)));
	assert_int_equal(vmsim_mprotect(mm, B, P, TU_PROT_RW), 0);
	assert_int_equal(tu_write(mm, B, 6), 0);
	assert_int_equal(tu_pfn(mm, B), new);
	assert_int_equal(vmsim_file_read(f, 0, want, 1), 1);
	assert_int_equal(want[0], 6);
}

/* A CPU that meets the entry waits in migration_entry_wait(): in a serial
 * run the migration is finished first, and the access sees the page at
 * its new frame; finish has nothing left to do but free the handle. */
static void test_fault_waits_for_migration(void **state)
{
	struct vmsim_migration *m;
	unsigned long old;

	(void)state;
	assert_int_equal(tu_write(mm, A, 7), 0);
	old = tu_pfn(mm, A);
	assert_int_equal(vmsim_migrate_start(mm, A, &m), 0);
	assert_false(tu_pm(mm, A) & PM_PRESENT);
	assert_int_equal(tu_read(mm, A), 7);
	assert_true(tu_pm(mm, A) & PM_PRESENT);
	assert_true(tu_pfn(mm, A) != old);
	assert_int_equal(vmsim_migrate_finish(m), 0);
	assert_int_equal(tu_read(mm, A), 7);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ownership, setup, teardown),
		cmocka_unit_test_setup_teardown(test_migration_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_makes_entries_readable, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mprotect_anon_write_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mprotect_shared_write_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fault_waits_for_migration, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
