/* Unit tests: the built-in entry kinds every machine starts with
 * (kinds/builtin.c): the markers in handle_pte_marker()'s order (poison,
 * guard, uffd-wp), then the owners of the softleaf types (swap,
 * migration, hwpoison) and the device-exclusive entry of the machine's
 * devx= version with the MAX_SWAPFILES it implies (24 for 6.15+, 23 for
 * 6.14); none of them can be unregistered; each machine has its own
 * registry. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#define TU_UNIT_MACHINE "check=full"
#include "unitfix.h"

static void builtin_kinds(void **state)
{
	const struct vmsim_kind *k;

	(void)state;
	/* handle_pte_marker()'s order: poison, guard, uffd-wp; then the
	 * softleaf types' owners and the device-exclusive entry. */
	assert_int_equal(vmsim_nr_kinds(vm), 7);
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 0)), "poison");
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 1)), "guard");
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 2)), "uffd_wp");
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 3)), "swap");
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 4)), "migration");
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 5)), "hwpoison");
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 6)), "device_exclusive");
	assert_null(vmsim_kind_at(vm, 7));
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(make_device_exclusive_entry(5))),
			 vmsim_kind_at(vm, 6));
	k = vmsim_kind_lookup(vm, "guard");
	assert_non_null(k);
	assert_true(vmsim_kind_builtin(k));
	assert_int_equal(vmsim_kind_marker(k), PTE_MARKER_GUARD);
	assert_ptr_equal(vmsim_kind_of(vm, make_pte_marker(PTE_MARKER_GUARD)), k);
	/* A combined marker goes to its highest-priority bit's owner. */
	assert_ptr_equal(vmsim_kind_of(vm, make_pte_marker(PTE_MARKER_GUARD | PTE_MARKER_UFFD_WP)), k);
	assert_ptr_equal(vmsim_kind_of(vm, make_pte_marker(PTE_MARKER_POISONED | PTE_MARKER_GUARD)),
			 vmsim_kind_lookup(vm, "poison"));
	/* None and present ptes belong to no kind; nor does an unowned marker. */
	assert_null(vmsim_kind_of(vm, __pte(0)));
	assert_null(vmsim_kind_of(vm, pfn_pte(5, PAGE_READONLY)));
	assert_null(vmsim_kind_of(vm, make_pte_marker(1UL << 7)));
	/* Linux with every special type configured: MAX_SWAPFILES 24. */
	assert_int_equal(vmsim_max_swapfiles(vm), 24);
	assert_int_equal(vmsim_kind_unregister(vm, "guard"), -EBUSY);
	assert_int_equal(vmsim_kind_unregister(vm, "nosuch"), -ENOENT);
}

/* devx=6.14: the device-exclusive kind of 6.12-6.14, whose readable type
 * is one more special swap type (SWP_DEVICE_NUM 4), so MAX_SWAPFILES is
 * 23; the kinds and their order are the same. */
static void builtin_kinds_devx_614(void **state)
{
	struct bug_log log;
	struct vmsim *v = tu_machine_str("devx=6.14 check=full", &log);
	const struct vmsim_kind *k;

	(void)state;
	assert_non_null(v);
	assert_int_equal(vmsim_nr_kinds(v), 7);
	k = vmsim_kind_at(v, 6);
	assert_string_equal(vmsim_kind_name(k), "device_exclusive");
	assert_true(vmsim_kind_builtin(k));
	assert_int_equal(vmsim_max_swapfiles(v), 23);
	assert_int_equal(vmsim_kind_swap_type(k), 23);
	assert_ptr_equal(vmsim_kind_of(v, swp_entry_to_pte(swp_entry(23, 5))), k);
	assert_ptr_equal(vmsim_kind_of(v, swp_entry_to_pte(make_device_exclusive_entry(5))), k);
	assert_ptr_equal(vmsim_kind_of(v, swp_entry_to_pte(swp_entry(22, 5))), vmsim_kind_lookup(v, "swap"));
	for (unsigned i = 0; i < 7; i++)
		assert_int_equal(vmsim_kind_unregister(v, vmsim_kind_name(vmsim_kind_at(v, i))), -EBUSY);
	vmsim_free(v);
	assert_int_equal(log.count, 0);
}

/* Every machine has its own registry: a kind registered on one is not on
 * another, and a new machine starts with the built-in seven. */
static void builtin_kinds_per_machine(void **state)
{
	static const struct vmsim_kind_ops mine = { .name = "mine", .flags = VMSIM_KIND_ALLOC_MARKER };
	struct bug_log log;
	struct vmsim *v = tu_machine_str("check=full", &log);

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, &mine, NULL), 0);
	assert_int_equal(vmsim_nr_kinds(vm), 8);
	assert_int_equal(vmsim_nr_kinds(v), 7);
	assert_null(vmsim_kind_lookup(v, "mine"));
	assert_false(vmsim_kind_builtin(vmsim_kind_lookup(vm, "mine")));
	assert_int_equal(vmsim_kind_unregister(vm, "mine"), 0);
	vmsim_free(v);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(builtin_kinds),
		TU_TEST(builtin_kinds_devx_614),
		TU_TEST(builtin_kinds_per_machine),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
