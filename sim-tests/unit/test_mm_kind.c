/* Unit tests: the entry-kind registry (mm/kind.c): the built-in markers
 * in handle_pte_marker()'s order (guard before uffd-wp; no poison kind
 * yet), registration errors (-EINVAL for an incomplete table, -EEXIST for
 * a name taken, -ENOSPC when full), matching order (built-ins first, then
 * user kinds in registration order), and mm asking a user kind at each of
 * its paths: fault, pagemap, fork, mprotect, zap.  The registry is
 * process-wide: tests run in order and the ENOSPC one is last. */
#include "unitfix.h"

#define TEST_SWAP_TYPE	5

static struct {
	unsigned fault, copy, zap, change_prot;
} calls;

static bool swap5_match(softleaf_t e)
{
	return softleaf_is_swap(e) && swp_type(e) == TEST_SWAP_TYPE;
}

static bool any_marker_match(softleaf_t e)
{
	return softleaf_is_marker(e);
}

static unsigned t_fault(struct vm_fault *vmf)
{
	(void)vmf;
	calls.fault++;
	return VM_FAULT_SIGBUS;
}

static pte_t t_copy(struct vm_area_struct *dst, struct vm_area_struct *src, pte_t *src_ptep, pte_t pte,
		    uint64_t addr)
{
	(void)dst;
	(void)src;
	(void)src_ptep;
	(void)addr;
	calls.copy++;
	return pte;
}

static bool t_zap(struct vm_area_struct *vma, pte_t pte, const struct zap_details *d)
{
	(void)vma;
	(void)pte;
	(void)d;
	calls.zap++;
	return true;
}

static pte_t t_change_prot(struct vm_area_struct *vma, pte_t pte, unsigned long cp_flags)
{
	(void)vma;
	(void)cp_flags;
	calls.change_prot++;
	return pte;
}

static uint64_t t_pagemap(pte_t pte)
{
	(void)pte;
	return 0x1234;
}

static int t_describe(pte_t pte, char *buf, size_t size)
{
	(void)pte;
	return snprintf(buf, size, "test");
}

static const struct vmsim_kind_ops swap5 = {
	.name = "test_swap5", .match = swap5_match, .fault = t_fault, .copy = t_copy, .zap = t_zap,
	.change_prot = t_change_prot, .pagemap = t_pagemap, .describe = t_describe,
};
/* Claims every marker: must still lose to the built-in markers. */
static const struct vmsim_kind_ops greedy = {
	.name = "test_greedy", .match = any_marker_match, .fault = t_fault, .copy = t_copy, .zap = t_zap,
	.change_prot = t_change_prot, .pagemap = t_pagemap, .describe = t_describe,
};
/* Same entries as swap5, registered later: never chosen for them. */
static const struct vmsim_kind_ops swap5_again = {
	.name = "test_swap5_again", .match = swap5_match, .fault = t_fault, .copy = t_copy, .zap = t_zap,
	.change_prot = t_change_prot, .pagemap = t_pagemap, .describe = t_describe,
};

static pte_t marker(pte_marker m)
{
	pte_t pte;

	assert_int_equal(vmsim_make_pte_marker(m, &pte), 0);
	return pte;
}

static pte_t swap_pte(unsigned type, unsigned long off)
{
	pte_t pte;

	assert_int_equal(vmsim_swp_entry_to_pte(type, off, &pte), 0);
	return pte;
}

static void test_builtins(void **state)
{
	(void)state;
	assert_true(vmsim_nr_kinds() >= 2);
	assert_string_equal(vmsim_kind_at(0)->name, "marker_guard");
	assert_string_equal(vmsim_kind_at(1)->name, "marker_uffd_wp");
	assert_null(vmsim_kind_at(vmsim_nr_kinds()));
	assert_ptr_equal(vmsim_kind_of(marker(PTE_MARKER_GUARD)), vmsim_kind_at(0));
	assert_ptr_equal(vmsim_kind_of(marker(PTE_MARKER_UFFD_WP)), vmsim_kind_at(1));
	/* A combined marker is a guard region first. */
	assert_ptr_equal(vmsim_kind_of(marker(PTE_MARKER_GUARD | PTE_MARKER_UFFD_WP)), vmsim_kind_at(0));
	/* No kind for poison markers or plain swap yet; none for present or
	 * none ptes ever. */
	assert_null(vmsim_kind_of(marker(PTE_MARKER_POISONED)));
	assert_null(vmsim_kind_of(swap_pte(TEST_SWAP_TYPE, 7)));
	assert_null(vmsim_kind_of(__pte(0)));
	assert_null(vmsim_kind_of(pfn_pte(1, PAGE_SHARED)));
}

static void test_register_errors(void **state)
{
	struct vmsim_kind_ops incomplete = swap5;
	struct vmsim_kind_ops dup = swap5;
	unsigned n = vmsim_nr_kinds();

	(void)state;
	assert_int_equal(vmsim_kind_register(NULL), -EINVAL);
	incomplete.name = "test_incomplete";
	incomplete.describe = NULL;
	assert_int_equal(vmsim_kind_register(&incomplete), -EINVAL);
	incomplete.describe = t_describe;
	incomplete.name = NULL;
	assert_int_equal(vmsim_kind_register(&incomplete), -EINVAL);
	dup.name = "marker_guard";
	assert_int_equal(vmsim_kind_register(&dup), -EEXIST);
	assert_int_equal(vmsim_nr_kinds(), n);
}

static void test_matching_order(void **state)
{
	unsigned n = vmsim_nr_kinds();

	(void)state;
	assert_int_equal(vmsim_kind_register(&swap5), 0);
	assert_int_equal(vmsim_kind_register(&swap5), -EEXIST);
	assert_int_equal(vmsim_kind_register(&greedy), 0);
	assert_int_equal(vmsim_kind_register(&swap5_again), 0);
	assert_int_equal(vmsim_nr_kinds(), n + 3);
	assert_ptr_equal(vmsim_kind_at(n), &swap5);
	assert_ptr_equal(vmsim_kind_of(swap_pte(TEST_SWAP_TYPE, 7)), &swap5);
	assert_null(vmsim_kind_of(swap_pte(TEST_SWAP_TYPE + 1, 7)));
	assert_ptr_equal(vmsim_kind_of(marker(PTE_MARKER_GUARD)), vmsim_kind_at(0));
	assert_ptr_equal(vmsim_kind_of(marker(PTE_MARKER_UFFD_WP)), vmsim_kind_at(1));
	/* What no built-in claims goes to the first user kind that does. */
	assert_ptr_equal(vmsim_kind_of(marker(PTE_MARKER_POISONED)), &greedy);
}

/* An entry of a user kind in a process's page table: every mm path that
 * meets it asks the kind (do_swap_page, pagemap, copy_nonpresent_pte,
 * change_pte_range, zap_nonpresent_ptes). */
static void test_mm_asks_the_kind(void **state)
{
	struct vmsim_mm *child;
	pte_t *ptep;

	(void)state;
	memset(&calls, 0, sizeof(calls));
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);	/* an anon_vma: fork copies */
	ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), pg(0), false);
	assert_non_null(ptep);
	vmsim_set_pte(vm, ptep, swap_pte(TEST_SWAP_TYPE, 9), pg(0));
	assert_int_equal(tu_pm(mm, pg(0)), PM_SWAP | PM_SOFT_DIRTY | 0x1234);
	assert_int_equal(tu_read(mm, pg(0)), -VMSIM_ACCESS_SIGBUS);
	assert_int_equal(calls.fault, 1);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(calls.copy, 1);
	assert_int_equal(tu_pm(child, pg(0)), PM_SWAP | PM_SOFT_DIRTY | 0x1234);
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RO), 0);
	assert_int_equal(calls.change_prot, 1);
	assert_int_equal(vmsim_munmap(mm, pg(0), P), 0);
	assert_int_equal(calls.zap, 1);
	vmsim_mm_exit(child);
	assert_int_equal(calls.zap, 2);
}

static void test_full(void **state)
{
	static struct vmsim_kind_ops many[40];
	static char names[40][16];
	int r = 0;
	unsigned i;

	(void)state;
	for (i = 0; i < 40; i++) {
		many[i] = swap5;
		snprintf(names[i], sizeof(names[i]), "test_fill%u", i);
		many[i].name = names[i];
		r = vmsim_kind_register(&many[i]);
		if (r)
			break;
	}
	assert_int_equal(r, -ENOSPC);
	assert_true(i > 0 && i < 40);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_builtins),
		TU_TEST(test_register_errors),
		TU_TEST(test_matching_order),
		TU_TEST(test_mm_asks_the_kind),
		TU_TEST(test_full),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
