/* Check suite (forked): VMSIM_BUG reporting end to end.  With the default
 * handler a bug aborts the process, which Check catches as SIGABRT in the
 * forked child; with an installed handler the report's fields reach the
 * user; a frame still allocated at vmsim_free() is reported as a leak. */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <check.h>

#include "testutil.h"

/* ---- the default handler aborts ---- */

START_TEST(test_double_free_aborts)
{
	struct vmsim *vm = tu_machine_str("ram=4M", NULL);	/* default handler */
	struct vmsim_page *p;

	ck_assert_ptr_nonnull(vm);
	p = vmsim_alloc_pages(vm, 0);
	ck_assert_ptr_nonnull(p);
	vmsim_put_page(vm, p);		/* refcount 1 -> 0: freed */
	p->refcount = 0;
	vmsim_free_pages(vm, p, 0);	/* double free: VMSIM_BUG -> abort() */
	ck_abort_msg("a VMSIM_BUG with the default handler returned");
}
END_TEST

START_TEST(test_leak_aborts)
{
	struct vmsim *vm = tu_machine_str("ram=4M", NULL);

	ck_assert_ptr_nonnull(vm);
	ck_assert_ptr_nonnull(vmsim_alloc_pages(vm, 0));
	vmsim_free(vm);			/* leak: VMSIM_BUG -> abort() */
	ck_abort_msg("vmsim_free with a leaked frame returned");
}
END_TEST

/* Restoring the default handler with NULL makes bugs fatal again. */
START_TEST(test_restored_default_aborts)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M", &log);
	struct vmsim_lock l;

	ck_assert_ptr_nonnull(vm);
	vmsim_set_bug_handler(vm, NULL, NULL);
	vmsim_lock_init(&l, VMSIM_LOCK_PTL);
	vmsim_unlock(vm, &l);		/* unlock of an unheld lock */
	ck_abort_msg("bug after restoring the default handler returned");
}
END_TEST

/* A clean run does not abort (the control case for the above). */
START_TEST(test_clean_run_does_not_abort)
{
	struct vmsim *vm = tu_machine_str("ram=4M", NULL);
	struct vmsim_page *p;

	ck_assert_ptr_nonnull(vm);
	p = vmsim_alloc_pages(vm, 0);
	ck_assert_ptr_nonnull(p);
	vmsim_put_page(vm, p);
	ck_assert_uint_eq(vmsim_bug_count(vm), 0);
	vmsim_free(vm);
}
END_TEST

/* ---- a user handler sees the report ---- */

struct seen {
	unsigned calls;
	char func[64], file[256], msg[512], trace[8192];
	int line;
	uint64_t count;
	struct vmsim *vm;
	void *arg;
};

static void catcher(struct vmsim *vm, const struct vmsim_bug_report *r, void *arg)
{
	struct seen *s = arg;

	s->calls++;
	s->vm = vm;
	s->arg = arg;
	snprintf(s->func, sizeof(s->func), "%s", r->func);
	snprintf(s->file, sizeof(s->file), "%s", r->file);
	snprintf(s->msg, sizeof(s->msg), "%s", r->msg);
	snprintf(s->trace, sizeof(s->trace), "%s", r->trace ? r->trace : "");
	s->line = r->line;
	s->count = r->count;
}

START_TEST(test_handler_sees_report)
{
	struct vmsim *vm = tu_machine_str("ram=4M", NULL);
	struct seen s;
	struct vmsim_page *p;
	unsigned long pfn;
	char want[64];

	memset(&s, 0, sizeof(s));
	ck_assert_ptr_nonnull(vm);
	/* The previous handler is the default one: NULL. */
	ck_assert(vmsim_set_bug_handler(vm, catcher, &s) == NULL);
	p = vmsim_alloc_pages(vm, 0);
	ck_assert_ptr_nonnull(p);
	pfn = vmsim_page_to_pfn(vm, p);
	vmsim_put_page(vm, p);
	ck_assert_uint_eq(s.calls, 0);
	p->refcount = 0;
	vmsim_free_pages(vm, p, 0);		/* double free */

	ck_assert_uint_eq(s.calls, 1);
	ck_assert_ptr_eq(s.vm, vm);
	ck_assert_ptr_eq(s.arg, &s);
	ck_assert_uint_eq(s.count, 1);
	ck_assert_uint_eq(vmsim_bug_count(vm), 1);
	/* func names the function that found it, so it can be grepped for. */
	ck_assert_str_eq(s.func, "free_page_ok");
	ck_assert_ptr_nonnull(strstr(s.file, "page_alloc.c"));
	ck_assert_int_gt(s.line, 0);
	snprintf(want, sizeof(want), "double free of pfn %#lx", pfn);
	ck_assert_str_eq(s.msg, want);
	/* The trace holds the last events, oldest first: the allocation,
	 * then the first free of that frame. */
	{
		char *alloc, *freed;

		snprintf(want, sizeof(want), "page_alloc pfn=%#lx order=0\n", pfn);
		alloc = strstr(s.trace, want);
		snprintf(want, sizeof(want), "page_free pfn=%#lx order=0\n", pfn);
		freed = strstr(s.trace, want);
		ck_assert_ptr_nonnull(alloc);
		ck_assert_ptr_nonnull(freed);
		ck_assert(alloc < freed);
	}
	/* The block was not freed twice: the count of free frames is right. */
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), vmsim_nr_frames(vm) - 1);

	/* A second bug counts up. */
	vmsim_free_pages(vm, p, 0);
	ck_assert_uint_eq(s.calls, 2);
	ck_assert_uint_eq(s.count, 2);
	vmsim_free(vm);
	ck_assert_uint_eq(s.calls, 2);
}
END_TEST

START_TEST(test_handler_replaced_returns_previous)
{
	struct vmsim *vm = tu_machine_str("ram=4M", NULL);
	struct seen a, b;
	struct vmsim_lock l;

	memset(&a, 0, sizeof(a));
	memset(&b, 0, sizeof(b));
	ck_assert_ptr_nonnull(vm);
	ck_assert(vmsim_set_bug_handler(vm, catcher, &a) == NULL);	/* the default */
	ck_assert(vmsim_set_bug_handler(vm, catcher, &b) == catcher);
	/* Restored with NULL, the default reads back as NULL again. */
	ck_assert(vmsim_set_bug_handler(vm, NULL, NULL) == catcher);
	ck_assert(vmsim_set_bug_handler(vm, catcher, &b) == NULL);
	vmsim_lock_init(&l, VMSIM_LOCK_MMAP);
	vmsim_unlock(vm, &l);
	ck_assert_uint_eq(a.calls, 0);
	ck_assert_uint_eq(b.calls, 1);
	ck_assert_str_eq(b.func, "vmsim_unlock");
	ck_assert_ptr_nonnull(strstr(b.msg, "mmap_lock"));
	vmsim_free(vm);
}
END_TEST

/* ---- leaks at teardown ---- */

START_TEST(test_leak_reported_at_free)
{
	struct vmsim *vm = tu_machine_str("ram=4M", NULL);
	struct seen s;

	memset(&s, 0, sizeof(s));
	ck_assert_ptr_nonnull(vm);
	vmsim_set_bug_handler(vm, catcher, &s);
	ck_assert_ptr_nonnull(vmsim_alloc_pages(vm, 0));
	ck_assert_ptr_nonnull(vmsim_alloc_pages(vm, 3));
	vmsim_free(vm);
	ck_assert_uint_eq(s.calls, 1);
	ck_assert_str_eq(s.func, "vmsim_free");
	ck_assert_str_eq(s.msg, "teardown with 9 frames still allocated");
	ck_assert_ptr_nonnull(strstr(s.trace, "page_alloc"));
}
END_TEST

START_TEST(test_no_leak_no_report)
{
	struct vmsim *vm = tu_machine_str("ram=4M", NULL);
	struct seen s;
	unsigned long root;

	memset(&s, 0, sizeof(s));
	ck_assert_ptr_nonnull(vm);
	vmsim_set_bug_handler(vm, catcher, &s);
	ck_assert_int_eq(vmsim_pgd_alloc(vm, &root), 0);
	ck_assert_ptr_nonnull(vmsim_pte_lookup(vm, root, 0x1000, true));
	vmsim_pgd_free(vm, root);
	vmsim_free(vm);
	ck_assert_uint_eq(s.calls, 0);
}
END_TEST

static Suite *bug_suite(void)
{
	Suite *s = suite_create("bug");
	TCase *fatal = tcase_create("default-handler");
	TCase *handler = tcase_create("user-handler");

	tcase_add_test_raise_signal(fatal, test_double_free_aborts, SIGABRT);
	tcase_add_test_raise_signal(fatal, test_leak_aborts, SIGABRT);
	tcase_add_test_raise_signal(fatal, test_restored_default_aborts, SIGABRT);
	tcase_add_test(fatal, test_clean_run_does_not_abort);
	suite_add_tcase(s, fatal);

	tcase_add_test(handler, test_handler_sees_report);
	tcase_add_test(handler, test_handler_replaced_returns_previous);
	tcase_add_test(handler, test_leak_reported_at_free);
	tcase_add_test(handler, test_no_leak_no_report);
	suite_add_tcase(s, handler);
	return s;
}

int main(void)
{
	SRunner *sr = srunner_create(bug_suite());
	int failed;

	/* The abort tests need a child process each. */
	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed == 0 ? 0 : 1;
}
