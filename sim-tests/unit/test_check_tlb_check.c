/* Unit tests: the stale-TLB detector (check/tlb_check.c): a usable cached
 * translation may never grant more than the page tables now do (the rules
 * behind arch/x86/mm/tlb.c's flushes).  Each way of granting more is
 * reported once with its reason; granting less or the same is not; only
 * the asked range and the asked context count; a global entry counts only
 * where the context runs; with check=off no freed-frame check is made. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "tlbtest.h"

#define BASE	0x400000ULL

/* CPU 1 caches BASE -> a frame under prot, written (so dirty), then the
 * flushes are suppressed: whatever the test does to the pte stays
 * cached. */
static unsigned long cached(struct tt *t, const char *opts, pgprot_t prot)
{
	unsigned long f;
	char c = 'w';

	tt_setup(t, opts, BASE, BASE + 0x10000, true);
	assert_non_null(t->vm);
	f = tt_frame(t);
	tt_map(t, 0, BASE, f, prot);
	assert_int_equal(vmsim_cpu_write(t->vm, 1, BASE, &c, 1), VMSIM_ACCESS_OK);
	assert_int_equal(vmsim_tlb_probe(t->vm, 1, &t->sp[0].ctx, BASE, NULL), 1);
	vmsim_debug_suppress_flush(t->vm, true);
	return f;
}

static void set(struct tt *t, pte_t pte)
{
	vmsim_set_pte(t->vm, tt_ptep(t, 0, BASE), pte, BASE);
	vmsim_flush_tlb_page(t->vm, &t->sp[0].ctx, BASE);	/* suppressed */
}

static int check(struct tt *t)
{
	return vmsim_tlb_check_stale(t->vm, &t->sp[0].ctx, BASE, BASE + PAGE_SIZE);
}

static void finish(struct tt *t)
{
	vmsim_debug_suppress_flush(t->vm, false);
	vmsim_flush_tlb_all(t->vm);
	tt_teardown(t);
}

/* One reason: the pte becomes change(pte); one report naming why. */
static void reason(pgprot_t prot, pte_t (*change)(pte_t, unsigned long), const char *why)
{
	struct tt t;
	unsigned long f = cached(&t, "ram=4M cpus=2", prot);

	set(&t, change(ptep_get(tt_ptep(&t, 0, BASE)), f));
	assert_int_equal(check(&t), 1);
	assert_int_equal(t.log.count, 1);
	assert_non_null(strstr(t.log.last, why));
	assert_non_null(strstr(t.log.last, "CPU 1"));
	finish(&t);
}

static pte_t to_none(pte_t p, unsigned long f) { (void)p, (void)f; return __pte(0); }
static pte_t to_other(pte_t p, unsigned long f) { (void)p; return pfn_pte(f + 1, PAGE_SHARED); }
static pte_t to_ro(pte_t p, unsigned long f) { (void)f; return pte_wrprotect(p); }
static pte_t to_kernel(pte_t p, unsigned long f) { (void)f; return pte_clear_flags(p, _PAGE_USER); }
static pte_t to_nx(pte_t p, unsigned long f) { (void)f; return pte_set_flags(p, _PAGE_NX); }
static pte_t to_clean(pte_t p, unsigned long f) { (void)f; return pte_mkclean(p); }
static pte_t to_protnone(pte_t p, unsigned long f) { (void)p; return pfn_pte(f, PAGE_NONE); }

static void test_not_present(void **state) { (void)state; reason(PAGE_SHARED, to_none, "not present now"); }
static void test_protnone(void **state) { (void)state; reason(PAGE_SHARED, to_protnone, "not present now"); }
static void test_other_frame(void **state) { (void)state; reason(PAGE_SHARED, to_other, "maps another frame now"); }
static void test_read_only(void **state) { (void)state; reason(PAGE_SHARED, to_ro, "read-only now"); }
static void test_kernel_only(void **state) { (void)state; reason(PAGE_SHARED, to_kernel, "kernel-only now"); }
static void test_no_exec(void **state) { (void)state; reason(PAGE_SHARED_EXEC, to_nx, "no-exec now"); }
static void test_clean(void **state) { (void)state; reason(PAGE_SHARED, to_clean, "clean now"); }

/* Granting more than the TLB entry is no problem: it faults and refills. */
static void test_more_permissive_is_fine(void **state)
{
	struct tt t;
	unsigned long f = cached(&t, "ram=4M cpus=2", PAGE_SHARED);
	pte_t p;

	(void)state;
	p = ptep_get(tt_ptep(&t, 0, BASE));
	set(&t, pte_mkexec(p));
	assert_int_equal(check(&t), 0);
	set(&t, pte_mkold(pte_mkexec(p)));	/* A does not matter */
	assert_int_equal(check(&t), 0);
	assert_int_equal(t.log.count, 0);
	(void)f;
	finish(&t);
}

/* Only [start, end) and only the asked context are checked. */
static void test_range_and_context(void **state)
{
	struct tt t;
	unsigned long f = cached(&t, "ram=4M cpus=2", PAGE_SHARED);

	(void)state;
	set(&t, __pte(0));
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, BASE + PAGE_SIZE, BASE + 2 * PAGE_SIZE), 0);
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, 0, BASE), 0);
	assert_int_equal(tt_space(&t), 1);
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[1].ctx, 0, VMSIM_TLB_FLUSH_ALL), 0);
	assert_int_equal(t.log.count, 0);
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, 0, VMSIM_TLB_FLUSH_ALL), 1);
	(void)f;
	finish(&t);
}

/* A global entry matches every ASID, but serves a context only on a CPU
 * that runs it: once CPU 1 runs another context it is not counted. */
static void test_global_only_where_running(void **state)
{
	struct tt t;
	unsigned long f = cached(&t, "ram=4M cpus=2", __pgprot(pgprot_val(PAGE_SHARED) | _PAGE_GLOBAL));
	struct vmsim_tlb_entry e;

	(void)state;
	assert_int_equal(vmsim_tlb_probe(t.vm, 1, &t.sp[0].ctx, BASE, &e), 1);
	assert_true(e.global);
	set(&t, __pte(0));
	assert_int_equal(check(&t), 1);
	t.log.count = 0;
	assert_int_equal(tt_space(&t), 1);
	assert_int_equal(vmsim_switch_mm(t.vm, 1, &t.sp[1].ctx), 0);
	assert_int_equal(check(&t), 0);
	assert_int_equal(t.log.count, 0);
	(void)f;
	finish(&t);
}

/* check=off installs no freed-frame hook: the same early free is silent. */
static void test_check_off_is_silent(void **state)
{
	struct tt t;
	unsigned long f = cached(&t, "ram=4M cpus=2 check=off", PAGE_SHARED);

	(void)state;
	set(&t, __pte(0));
	assert_int_equal(vmsim_page_free(t.vm, f, 0), 0);
	t.frames[0] = 0;
	assert_int_equal(t.log.count, 0);
	finish(&t);
}

static void test_bad_arguments(void **state)
{
	struct tt t;
	struct vmsim_mm_context bogus;

	(void)state;
	tt_setup(&t, "ram=4M", BASE, BASE + 0x10000, true);
	memset(&bogus, 0, sizeof(bogus));
	bogus.ctx_id = 12345;
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &bogus, 0, 1), -EINVAL);
	assert_int_equal(vmsim_tlb_check_stale(NULL, &t.sp[0].ctx, 0, 1), -EINVAL);
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, 0, 0), 0);
	tt_teardown(&t);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_not_present),
		cmocka_unit_test(test_protnone),
		cmocka_unit_test(test_other_frame),
		cmocka_unit_test(test_read_only),
		cmocka_unit_test(test_kernel_only),
		cmocka_unit_test(test_no_exec),
		cmocka_unit_test(test_clean),
		cmocka_unit_test(test_more_permissive_is_fine),
		cmocka_unit_test(test_range_and_context),
		cmocka_unit_test(test_global_only_where_running),
		cmocka_unit_test(test_check_off_is_silent),
		cmocka_unit_test(test_bad_arguments),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
