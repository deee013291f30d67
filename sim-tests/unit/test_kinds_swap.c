/* Unit tests: the swap entry kind (kinds/swap.c) through the kind API:
 * which entries it owns, how it is described and reported in pagemap, and
 * what the generic mm paths do with it through its hooks (fork, zap,
 * mprotect, mremap).  Its neighbours are test_kinds_migration.c and
 * test_kinds_hwpoison.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "kindtest.h"

/* Ownership: the swap kind owns every swap type, nothing else (the
 * migration, hwpoison and device-exclusive types are their kinds'). */
static void test_ownership(void **state)
{
	const struct vmsim_kind *swap = vmsim_kind_lookup(vm, "swap");
	char d[96];

	(void)state;
	assert_true(vmsim_kind_builtin(swap));
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(swp_entry(0, 7))), swap);
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(swp_entry(23, 7))), swap);
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(make_device_exclusive_entry(3))),
			 vmsim_kind_lookup(vm, "device_exclusive"));
	assert_int_equal(vmsim_kind_unregister(vm, "swap"), -EBUSY);
	vmsim_kind_describe(vm, swp_entry_to_pte(swp_entry(0, 0x11)), d, sizeof(d));
	assert_string_equal(d, "swap 0:0x11");
}

/* The swap entry reclaim leaves: exclusive for an exclusive page, with
 * the pte's soft-dirty; describe names its swap-cache folio; pagemap
 * reports type | offset << 5 and PM_SWAP. */
static void test_swap_entry(void **state)
{
	unsigned long pfn;
	char d[96], want[96];
	pte_t pte;

	(void)state;
	assert_int_equal(tu_write(mm, A, 1), 0);
	pfn = tu_pfn(mm, A);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_PAGEOUT), 0);
	pte = pte_at(A);
	assert_string_equal(kind_at(A), "swap");
	assert_true(pte_swp_exclusive(pte));
	assert_true(pte_swp_soft_dirty(pte));
	assert_int_equal(swp_type(pte_to_swp_entry(pte)), 0);
	assert_int_equal(swp_offset(pte_to_swp_entry(pte)), 1);
	assert_int_equal(tu_pm(mm, A), PM_SWAP | PM_SOFT_DIRTY | (1ULL << 5));
	vmsim_kind_describe(vm, pte, d, sizeof(d));
	snprintf(want, sizeof(want), "swap 0:0x1 (swap cache pfn %#lx)", pfn);
	assert_string_equal(d, want);
}

/* Through the generic paths: mprotect keeps it, mremap moves it (soft-dirty
 * set), fork shares it (the parent's loses SWP_EXCLUSIVE), DONTNEED drops
 * it and its swap reference. */
static void test_swap_paths(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_swap_slot slot;
	pte_t pte;

	(void)state;
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_PAGEOUT), 0);
	pte = pte_at(A);
	assert_int_equal(vmsim_mprotect(mm, A, P, VMSIM_PROT_READ), 0);
	assert_int_equal(pte_val(pte_at(A)), pte_val(pte));
	assert_int_equal(vmsim_mremap(mm, A, P, P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 0x100000), 0);
	assert_string_equal(kind_at(A + 0x100000), "swap");
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_false(pte_swp_exclusive(pte_at(A + 0x100000)));
	assert_int_equal(vmsim_swap_slot(vm, 0, 1, &slot), 0);
	assert_int_equal(slot.count, 2);
	vmsim_mm_exit(child);
	assert_int_equal(vmsim_madvise(mm, A + 0x100000, P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(vmsim_swap_slot(vm, 0, 1, &slot), 0);
	assert_int_equal(slot.count, 0);
	assert_false(slot.cached);	/* free_swap_and_cache: unmapped, so it went too */
	assert_int_equal(tu_read(mm, A + 0x100000), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_ownership, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_entry, setup, teardown),
		cmocka_unit_test_setup_teardown(test_swap_paths, setup, teardown),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
