/* Scenario tests (Check, forked): a missing TLB flush aborts through the
 * default VMSIM_BUG handler, as the arch/x86/mm/tlb.c rules demand. */
#include <check.h>
#include <signal.h>
#include <stdlib.h>

#include "tlbtest.h"

#define BASE	0x400000ULL

/* Default bug handler (log NULL): a bug prints and aborts. */
static void setup_default(struct tt *t, unsigned long *f)
{
	char c = 'w';

	memset(t, 0, sizeof(*t));
	t->vm = tu_machine_str("ram=4M cpus=2 check=full", NULL);
	ck_assert_ptr_nonnull(t->vm);
	ck_assert_uint_eq(tt_space(t), 0);
	vmsim_switch_mm(t->vm, 0, &t->sp[0].ctx);
	vmsim_switch_mm(t->vm, 1, &t->sp[0].ctx);
	*f = tt_frame(t);
	tt_map(t, 0, BASE, *f, PAGE_SHARED);
	ck_assert_int_eq(vmsim_cpu_write(t->vm, 1, BASE, &c, 1), VMSIM_ACCESS_OK);
}

START_TEST(stale_writable_aborts)
{
	struct tt t;
	unsigned long f;
	pte_t *ptep;

	setup_default(&t, &f);
	vmsim_debug_suppress_flush(t.vm, true);
	ptep = tt_ptep(&t, 0, BASE);
	vmsim_set_pte(t.vm, ptep, pte_wrprotect(ptep_get(ptep)), BASE);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, BASE, BASE + PAGE_SIZE);
	/* Not reached: the default handler aborted. */
	tt_teardown(&t);
}
END_TEST

START_TEST(free_under_tlb_aborts)
{
	struct tt t;
	unsigned long f;

	setup_default(&t, &f);
	vmsim_debug_suppress_flush(t.vm, true);
	vmsim_set_pte(t.vm, tt_ptep(&t, 0, BASE), __pte(0), BASE);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	vmsim_page_free(t.vm, f, 0);
	tt_teardown(&t);
}
END_TEST

START_TEST(flushed_is_quiet)
{
	struct tt t;
	unsigned long f;
	pte_t *ptep;

	setup_default(&t, &f);
	ptep = tt_ptep(&t, 0, BASE);
	vmsim_set_pte(t.vm, ptep, pte_wrprotect(ptep_get(ptep)), BASE);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	ck_assert_int_eq(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, BASE, BASE + PAGE_SIZE), 0);
	vmsim_set_pte(t.vm, ptep, __pte(0), BASE);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	ck_assert_int_eq(vmsim_page_free(t.vm, f, 0), 0);
	t.frames[0] = 0;
	ck_assert_uint_eq(vmsim_bug_count(t.vm), 0);
	tt_teardown(&t);
}
END_TEST

static Suite *stale_suite(void)
{
	Suite *s = suite_create("stale_tlb");
	TCase *tc = tcase_create("default_handler");

	tcase_add_test_raise_signal(tc, stale_writable_aborts, SIGABRT);
	tcase_add_test_raise_signal(tc, free_under_tlb_aborts, SIGABRT);
	tcase_add_test(tc, flushed_is_quiet);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(stale_suite());
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
