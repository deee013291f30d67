/* Unit tests: TLB shootdown and the stale-TLB detector (hw/tlb_flush.c,
 * check/tlb_check.c), following arch/x86/mm/tlb.c flush_tlb_mm_range(). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "tlbtest.h"

#define BASE	0x400000ULL
#define UW	(X86_PF_USER | X86_PF_WRITE)

static struct vmsim_cpu_stats stats(struct tt *t, int cpu)
{
	struct vmsim_cpu_stats s;

	assert_int_equal(vmsim_cpu_stats(t->vm, cpu, &s), 0);
	return s;
}

/* Two CPUs run context 0; CPU 1 caches a writable, dirty translation of
 * BASE -> frame; the test then runs on CPU 0. */
static void two_cpus(struct tt *t, const char *opts, unsigned long *frame)
{
	char c = 'w';

	tt_setup(t, opts, BASE, BASE + 0x10000, true);
	assert_non_null(t->vm);
	*frame = tt_frame(t);
	tt_map(t, 0, BASE, *frame, PAGE_SHARED);
	assert_int_equal(vmsim_cpu_write(t->vm, 1, BASE, &c, 1), VMSIM_ACCESS_OK);
	assert_int_equal(vmsim_tlb_probe(t->vm, 1, &t->sp[0].ctx, BASE, NULL), 1);
	assert_int_equal(vmsim_set_cur_cpu(t->vm, 0), 0);
	t->nr_faults = 0;
}

static void wrprotect(struct tt *t)
{
	pte_t *ptep = tt_ptep(t, 0, BASE);

	vmsim_set_pte(t->vm, ptep, pte_wrprotect(ptep_get(ptep)), BASE);
}

static void test_wrprotect_then_flush(void **state)
{
	struct tt t;
	unsigned long f;
	char c = 'x';

	(void)state;
	two_cpus(&t, "ram=4M cpus=2 check=full", &f);
	wrprotect(&t);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	assert_int_equal(t.sp[0].ctx.tlb_gen, 2);
	assert_int_equal(stats(&t, 0).ipis_sent, 1);
	assert_int_equal(stats(&t, 1).ipis_received, 1);
	assert_int_equal(stats(&t, 1).page_flushes, 1);
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, BASE, BASE + PAGE_SIZE), 0);
	/* CPU 1's write now walks, finds R/W clear and faults (PROT|WRITE|USER);
	 * the handler's fix makes it writable again. */
	assert_int_equal(vmsim_cpu_write(t.vm, 1, BASE, &c, 1), VMSIM_ACCESS_OK);
	assert_int_equal(t.nr_faults, 1);
	assert_int_equal(t.last_cpu, 1);
	assert_int_equal(t.last_ec, X86_PF_PROT | X86_PF_WRITE | X86_PF_USER);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

static void test_wrprotect_flush_suppressed(void **state)
{
	struct tt t;
	unsigned long f;
	char c = 'x', got = 0;

	(void)state;
	two_cpus(&t, "ram=4M cpus=2 check=full", &f);
	vmsim_debug_suppress_flush(t.vm, true);
	wrprotect(&t);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	assert_int_equal(t.sp[0].ctx.tlb_gen, 1);
	assert_int_equal(stats(&t, 0).ipis_sent, 0);
	/* The stale writable entry still works: no fault, the byte lands. */
	assert_int_equal(vmsim_cpu_write(t.vm, 1, BASE, &c, 1), VMSIM_ACCESS_OK);
	assert_int_equal(t.nr_faults, 0);
	vmsim_frame_read(t.vm, vmsim_pfn_to_page(t.vm, f), 0, &got, 1);
	assert_int_equal(got, 'x');
	/* ... and the detector names it. */
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, BASE, BASE + PAGE_SIZE), 1);
	assert_int_equal(t.log.count, 1);
	assert_non_null(strstr(t.log.last, "CPU 1"));
	assert_non_null(strstr(t.log.last, "read-only now"));
	/* Outside the range it is not reported. */
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, BASE + PAGE_SIZE, BASE + 2 * PAGE_SIZE), 0);
	vmsim_debug_suppress_flush(t.vm, false);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, BASE, BASE + PAGE_SIZE), 0);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 1);
}

static void test_unmap(void **state)
{
	struct tt t;
	unsigned long f;
	char got = 0;

	(void)state;
	/* With the flush: CPU 1 takes a not-present fault and gets a new page. */
	two_cpus(&t, "ram=4M cpus=2", &f);
	vmsim_set_pte(t.vm, tt_ptep(&t, 0, BASE), __pte(0), BASE);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	assert_int_equal(vmsim_cpu_read(t.vm, 1, BASE, &got, 1), VMSIM_ACCESS_OK);
	assert_int_equal(t.nr_faults, 1);
	assert_int_equal(t.last_ec, X86_PF_USER);
	assert_int_equal(got, 0);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);

	/* Without it: CPU 1 still reads the old frame's 'w'. */
	two_cpus(&t, "ram=4M cpus=2", &f);
	vmsim_debug_suppress_flush(t.vm, true);
	vmsim_set_pte(t.vm, tt_ptep(&t, 0, BASE), __pte(0), BASE);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	assert_int_equal(vmsim_cpu_read(t.vm, 1, BASE, &got, 1), VMSIM_ACCESS_OK);
	assert_int_equal(t.nr_faults, 0);
	assert_int_equal(got, 'w');
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, 0, VMSIM_TLB_FLUSH_ALL), 1);
	assert_non_null(strstr(t.log.last, "not present now"));
	tt_teardown(&t);
	assert_int_equal(t.log.count, 1);
}

static void test_freed_frame(void **state)
{
	struct tt t;
	unsigned long f;

	(void)state;
	/* Unmap, flush, free: fine. */
	two_cpus(&t, "ram=4M cpus=2", &f);
	vmsim_set_pte(t.vm, tt_ptep(&t, 0, BASE), __pte(0), BASE);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	assert_int_equal(vmsim_page_free(t.vm, f, 0), 0);
	t.frames[0] = 0;
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);

	/* Unmap, no flush, free: CPU 1's TLB still names the frame. */
	two_cpus(&t, "ram=4M cpus=2", &f);
	vmsim_debug_suppress_flush(t.vm, true);
	vmsim_set_pte(t.vm, tt_ptep(&t, 0, BASE), __pte(0), BASE);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	assert_int_equal(vmsim_page_free(t.vm, f, 0), 0);
	t.frames[0] = 0;
	assert_int_equal(t.log.count, 1);
	assert_non_null(strstr(t.log.last, "use after free through CPU 1's TLB"));
	tt_teardown(&t);
	assert_int_equal(t.log.count, 1);
}

static bool luf_yes(struct vmsim *vm, unsigned long pfn)
{
	(void)vm, (void)pfn;
	return true;
}

static void test_freed_frame_lazy_cases(void **state)
{
	struct tt t;
	unsigned long f;

	(void)state;
	/* CPU 1 switched away before the flush: no IPI, but the ASID's tlb_gen
	 * is stale, so its entries die at the next switch_mm: no bug. */
	two_cpus(&t, "ram=4M cpus=2", &f);
	assert_int_equal(tt_space(&t), 1);
	assert_int_equal(vmsim_switch_mm(t.vm, 1, &t.sp[1].ctx), 0);
	vmsim_set_pte(t.vm, tt_ptep(&t, 0, BASE), __pte(0), BASE);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	assert_int_equal(stats(&t, 0).ipis_sent, 0);
	assert_int_equal(vmsim_page_free(t.vm, f, 0), 0);
	t.frames[0] = 0;
	assert_int_equal(t.log.count, 0);
	/* Coming back flushes the ASID (tlb_gen 1 < 2): the entry is gone. */
	vmsim_cpu_stats_reset(t.vm);
	assert_int_equal(vmsim_switch_mm(t.vm, 1, &t.sp[0].ctx), 0);
	assert_int_equal(stats(&t, 1).full_flushes, 1);
	assert_int_equal(stats(&t, 1).entries_dropped, 1);
	assert_int_equal(vmsim_tlb_probe(t.vm, 1, &t.sp[0].ctx, BASE, NULL), 0);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);

	/* A frame the LUF layer tracks may be freed before the flush. */
	two_cpus(&t, "ram=4M cpus=2", &f);
	vmsim_set_luf_tracks(t.vm, luf_yes);
	vmsim_set_pte(t.vm, tt_ptep(&t, 0, BASE), __pte(0), BASE);
	assert_int_equal(vmsim_page_free(t.vm, f, 0), 0);
	t.frames[0] = 0;
	assert_int_equal(t.log.count, 0);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

static void test_flush_ceiling(void **state)
{
	struct tt t;
	struct vmsim_cpu_stats s;
	struct vmsim_mm_context *ctx;
	unsigned long f, pfn;

	(void)state;
	tt_setup(&t, "ram=4M cpus=1", 0, 0, true);
	ctx = &t.sp[0].ctx;
	f = tt_frame(&t);
	for (unsigned i = 0; i < 40; i++) {
		tt_map(&t, 0, BASE + i * PAGE_SIZE, f, PAGE_SHARED);
		assert_int_equal(vmsim_cpu_translate(t.vm, 0, BASE + i * PAGE_SIZE, X86_PF_USER, &pfn), 0);
	}
	assert_int_equal(vmsim_tlb_entries(t.vm, 0, NULL, 0), 40);
	assert_int_equal(vmsim_flush_ceiling(t.vm), 33);
	/* 33 pages: not more than the ceiling, so 33 INVLPGs. */
	vmsim_cpu_stats_reset(t.vm);
	vmsim_flush_tlb_range(t.vm, ctx, BASE, BASE + 33 * PAGE_SIZE);
	s = stats(&t, 0);
	assert_int_equal(s.page_flushes, 33);
	assert_int_equal(s.full_flushes, 0);
	assert_int_equal(s.entries_dropped, 33);
	assert_int_equal(vmsim_tlb_entries(t.vm, 0, NULL, 0), 7);
	assert_int_equal(vmsim_tlb_probe(t.vm, 0, ctx, BASE + 33 * PAGE_SIZE, NULL), 1);
	/* 34 pages: a full flush of the ASID. */
	vmsim_cpu_stats_reset(t.vm);
	vmsim_flush_tlb_range(t.vm, ctx, BASE, BASE + 34 * PAGE_SIZE);
	s = stats(&t, 0);
	assert_int_equal(s.page_flushes, 0);
	assert_int_equal(s.full_flushes, 1);
	assert_int_equal(s.entries_dropped, 7);
	assert_int_equal(vmsim_tlb_entries(t.vm, 0, NULL, 0), 0);
	/* The ceiling is a tunable. */
	vmsim_set_flush_ceiling(t.vm, 40);
	vmsim_cpu_stats_reset(t.vm);
	vmsim_flush_tlb_range(t.vm, ctx, BASE, BASE + 34 * PAGE_SIZE);
	assert_int_equal(stats(&t, 0).page_flushes, 34);
	assert_int_equal(stats(&t, 0).full_flushes, 0);
	/* A 2M stride: 3 strides, 3 INVLPGs. */
	vmsim_cpu_stats_reset(t.vm);
	vmsim_flush_tlb_mm_range(t.vm, ctx, 0x40000000ULL, 0x40000000ULL + 3 * PMD_SIZE, PMD_SHIFT, false);
	assert_int_equal(stats(&t, 0).page_flushes, 3);
	assert_int_equal(ctx->tlb_gen, 5);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

static void test_ipis_follow_running_cpus(void **state)
{
	struct tt t;
	struct vmsim_mm_context *ctx;

	(void)state;
	tt_setup(&t, "ram=4M cpus=4", 0, 0, true);
	ctx = &t.sp[0].ctx;
	assert_int_equal(ctx->cpumask, 0xf);
	/* CPU 3 leaves for another context; its bit stays in the mask. */
	assert_int_equal(tt_space(&t), 1);
	assert_int_equal(vmsim_switch_mm(t.vm, 3, &t.sp[1].ctx), 0);
	assert_int_equal(ctx->cpumask, 0xf);
	/* From CPU 0: IPIs to CPUs 1 and 2, which run ctx; not to 3. */
	vmsim_flush_tlb_page(t.vm, ctx, BASE);
	assert_int_equal(stats(&t, 0).ipis_sent, 2);
	assert_int_equal(stats(&t, 1).ipis_received, 1);
	assert_int_equal(stats(&t, 2).ipis_received, 1);
	assert_int_equal(stats(&t, 3).ipis_received, 0);
	/* freed_tables (flush_tlb_mm): every CPU in the mask gets one. */
	vmsim_flush_tlb_mm(t.vm, ctx);
	assert_int_equal(stats(&t, 0).ipis_sent, 5);
	assert_int_equal(stats(&t, 3).ipis_received, 1);
	/* From CPU 3, which does not run ctx: no local flush, IPIs to 0-2. */
	vmsim_cpu_stats_reset(t.vm);
	assert_int_equal(vmsim_set_cur_cpu(t.vm, 3), 0);
	vmsim_flush_tlb_range(t.vm, ctx, BASE, BASE + 2 * PAGE_SIZE);
	assert_int_equal(stats(&t, 3).ipis_sent, 3);
	assert_int_equal(stats(&t, 3).page_flushes, 0);
	assert_int_equal(stats(&t, 0).page_flushes, 2);
	/* Idle CPU 2 (nothing loaded) is skipped too. */
	assert_int_equal(vmsim_switch_mm(t.vm, 2, NULL), 0);
	vmsim_cpu_stats_reset(t.vm);
	vmsim_flush_tlb_page(t.vm, ctx, BASE);
	assert_int_equal(stats(&t, 3).ipis_sent, 2);
	/* flush_tlb_all reaches every other CPU. */
	vmsim_cpu_stats_reset(t.vm);
	vmsim_flush_tlb_all(t.vm);
	assert_int_equal(stats(&t, 3).ipis_sent, 3);
	for (int c = 0; c < 4; c++)
		assert_int_equal(stats(&t, c).full_flushes, 1);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

static void test_check_ignores_doomed_and_dirty(void **state)
{
	struct tt t;
	unsigned long f;
	pte_t *ptep;

	(void)state;
	two_cpus(&t, "ram=4M cpus=2", &f);
	/* Clearing D without a flush leaves CPU 1 able to write without
	 * setting it: a lost dirty bit, reported. */
	ptep = tt_ptep(&t, 0, BASE);
	vmsim_debug_suppress_flush(t.vm, true);
	vmsim_set_pte(t.vm, ptep, pte_mkclean(ptep_get(ptep)), BASE);
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, BASE, BASE + PAGE_SIZE), 1);
	assert_non_null(strstr(t.log.last, "clean now"));
	/* Clearing only A needs no flush on x86 (ptep_clear_flush_young). */
	vmsim_set_pte(t.vm, ptep, pte_mkold(pte_mkdirty(ptep_get(ptep))), BASE);
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, BASE, BASE + PAGE_SIZE), 0);
	assert_int_equal(vmsim_tlb_check_stale(t.vm, NULL, 0, 1), -EINVAL);
	assert_int_equal(vmsim_tlb_check_stale(t.vm, &t.sp[0].ctx, 2, 1), -EINVAL);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_wrprotect_then_flush),
		cmocka_unit_test(test_wrprotect_flush_suppressed),
		cmocka_unit_test(test_unmap),
		cmocka_unit_test(test_freed_frame),
		cmocka_unit_test(test_freed_frame_lazy_cases),
		cmocka_unit_test(test_flush_ceiling),
		cmocka_unit_test(test_ipis_follow_running_cpus),
		cmocka_unit_test(test_check_ignores_doomed_and_dirty),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
