/* Unit tests: TLB arrays and PCIDs (hw/tlb.c, hw/cpu.c), following
 * arch/x86/mm/tlb.c choose_new_asid() and the x86 global-page rules. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "tlbtest.h"

#define BASE	0x400000ULL
/* An upper-half (kernel) address, canonical with 5 levels. */
#define KADDR	0xff11000000200000ULL

static struct vmsim_cpu_stats stats(struct tt *t, int cpu)
{
	struct vmsim_cpu_stats s;

	assert_int_equal(vmsim_cpu_stats(t->vm, cpu, &s), 0);
	return s;
}

static unsigned long xlate(struct tt *t, int cpu, uint64_t addr, unsigned access)
{
	unsigned long pfn = 0;

	assert_int_equal(vmsim_cpu_translate(t->vm, cpu, addr, access, &pfn), VMSIM_ACCESS_OK);
	return pfn;
}

static void test_pcid_keeps_contexts_apart(void **state)
{
	struct tt t;
	unsigned long fa, fb;

	(void)state;
	tt_setup(&t, "ram=4M cpus=1", 0, 0, false);
	assert_int_equal(tt_space(&t), 1);
	fa = tt_frame(&t);
	fb = tt_frame(&t);
	tt_map(&t, 0, BASE, fa, PAGE_SHARED);
	tt_map(&t, 1, BASE, fb, PAGE_SHARED);
	/* init_mm holds ASID 0 from boot; the first two contexts get 1, 2. */
	assert_int_equal(vmsim_switch_mm(t.vm, 0, &t.sp[0].ctx), 0);
	assert_int_equal(vmsim_cpu_asid(t.vm, 0, &t.sp[0].ctx), 1);
	assert_int_equal(xlate(&t, 0, BASE, X86_PF_USER), fa);
	assert_int_equal(vmsim_switch_mm(t.vm, 0, &t.sp[1].ctx), 0);
	assert_int_equal(vmsim_cpu_asid(t.vm, 0, &t.sp[1].ctx), 2);
	assert_int_equal(xlate(&t, 0, BASE, X86_PF_USER), fb);
	/* Back and forth: both still hit, each its own frame, no flush. */
	for (int i = 0; i < 3; i++) {
		assert_int_equal(vmsim_switch_mm(t.vm, 0, &t.sp[0].ctx), 0);
		assert_int_equal(xlate(&t, 0, BASE, X86_PF_USER), fa);
		assert_int_equal(vmsim_switch_mm(t.vm, 0, &t.sp[1].ctx), 0);
		assert_int_equal(xlate(&t, 0, BASE, X86_PF_USER), fb);
	}
	assert_int_equal(stats(&t, 0).tlb_hits, 6);
	assert_int_equal(stats(&t, 0).tlb_fills, 2);
	/* Only the two first loads flushed their (new) ASID. */
	assert_int_equal(stats(&t, 0).full_flushes, 2);
	assert_int_equal(stats(&t, 0).entries_dropped, 0);
	assert_int_equal(t.sp[0].ctx.cpumask, 1);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

static void test_seventh_context_recycles_asid(void **state)
{
	struct tt t;
	unsigned long f[7];

	(void)state;
	tt_setup(&t, "ram=4M cpus=1", 0, 0, false);
	for (unsigned i = 1; i < 7; i++)
		assert_int_equal(tt_space(&t), i);
	for (unsigned i = 0; i < 7; i++) {
		f[i] = tt_frame(&t);
		/* One page each, in different sets, so only ASIDs collide. */
		tt_map(&t, i, BASE + i * PAGE_SIZE, f[i], PAGE_SHARED);
	}
	/* ASIDs round-robin from next_asid = 1: 1, 2, 3, 4, 5, then wrap to
	 * 0 (init_mm's), then the 7th context takes 1 from context 0. */
	for (unsigned i = 0; i < 7; i++) {
		assert_int_equal(vmsim_switch_mm(t.vm, 0, &t.sp[i].ctx), 0);
		assert_int_equal(xlate(&t, 0, BASE + i * PAGE_SIZE, X86_PF_USER), f[i]);
	}
	assert_int_equal(vmsim_cpu_asid(t.vm, 0, &t.sp[5].ctx), 0);
	assert_int_equal(vmsim_cpu_asid(t.vm, 0, &t.sp[6].ctx), 1);
	assert_int_equal(vmsim_cpu_asid(t.vm, 0, &t.sp[0].ctx), -ENOENT);
	/* Context 0's entry went with its ASID; the others are intact. */
	assert_int_equal(vmsim_tlb_probe(t.vm, 0, &t.sp[0].ctx, BASE, NULL), 0);
	assert_int_equal(stats(&t, 0).entries_dropped, 1);
	for (unsigned i = 1; i < 7; i++)
		assert_int_equal(vmsim_tlb_probe(t.vm, 0, &t.sp[i].ctx, BASE + i * PAGE_SIZE, NULL), 1);
	vmsim_cpu_stats_reset(t.vm);
	assert_int_equal(vmsim_switch_mm(t.vm, 0, &t.sp[1].ctx), 0);
	assert_int_equal(xlate(&t, 0, BASE + PAGE_SIZE, X86_PF_USER), f[1]);
	assert_int_equal(stats(&t, 0).tlb_hits, 1);
	/* Context 0 comes back with a fresh ASID (2, evicting context 1) and
	 * must walk again. */
	assert_int_equal(vmsim_switch_mm(t.vm, 0, &t.sp[0].ctx), 0);
	assert_int_equal(vmsim_cpu_asid(t.vm, 0, &t.sp[0].ctx), 2);
	assert_int_equal(vmsim_cpu_asid(t.vm, 0, &t.sp[1].ctx), -ENOENT);
	assert_int_equal(xlate(&t, 0, BASE, X86_PF_USER), f[0]);
	assert_int_equal(stats(&t, 0).tlb_misses, 1);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

static void test_global_entries_survive_switch(void **state)
{
	struct tt t;
	struct vmsim_tlb_entry e;
	unsigned long kf, pfn;

	(void)state;
	tt_setup(&t, "ram=4M cpus=1", 0, 0, false);
	assert_int_equal(tt_space(&t), 1);
	kf = tt_frame(&t);
	/* A kernel page: global, no _PAGE_USER; only context 0 maps it. */
	tt_map(&t, 0, KADDR, kf, __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED | _PAGE_DIRTY |
					     _PAGE_GLOBAL | _PAGE_NX));
	assert_int_equal(vmsim_switch_mm(t.vm, 0, &t.sp[0].ctx), 0);
	assert_int_equal(xlate(&t, 0, KADDR, 0), kf);
	assert_int_equal(vmsim_tlb_probe(t.vm, 0, &t.sp[0].ctx, KADDR, &e), 1);
	assert_true(e.global);
	assert_false(e.user);
	/* Context 1's tables do not map it, yet the global entry serves. */
	assert_int_equal(vmsim_switch_mm(t.vm, 0, &t.sp[1].ctx), 0);
	vmsim_cpu_stats_reset(t.vm);
	assert_int_equal(xlate(&t, 0, KADDR, 0), kf);
	assert_int_equal(stats(&t, 0).tlb_hits, 1);
	assert_int_equal(stats(&t, 0).walks, 0);
	/* Not from user mode: the cached U/S bit says kernel only. */
	assert_int_equal(vmsim_cpu_translate(t.vm, 0, KADDR, X86_PF_USER, &pfn), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(t.last_ec, X86_PF_PROT | X86_PF_USER);
	/* That fault dropped it; refill and check flush_tlb_mm keeps it. */
	assert_int_equal(vmsim_switch_mm(t.vm, 0, &t.sp[0].ctx), 0);
	assert_int_equal(xlate(&t, 0, KADDR, 0), kf);
	vmsim_flush_tlb_mm(t.vm, &t.sp[0].ctx);
	assert_int_equal(vmsim_tlb_probe(t.vm, 0, &t.sp[1].ctx, KADDR, NULL), 1);
	/* flush_tlb_all drops global entries too. */
	vmsim_flush_tlb_all(t.vm);
	assert_int_equal(vmsim_tlb_probe(t.vm, 0, &t.sp[1].ctx, KADDR, NULL), 0);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

static void test_lru_replacement(void **state)
{
	struct tt t;
	unsigned long f;
	const struct vmsim_mm_context *ctx;

	(void)state;
	/* 2 sets x 2 ways: pages 0, 2, 4 all index set 0. */
	tt_setup(&t, "ram=4M cpus=1 tlb=2x2", 0, 0, true);
	ctx = &t.sp[0].ctx;
	f = tt_frame(&t);
	for (unsigned i = 0; i < 6; i++)
		tt_map(&t, 0, BASE + i * PAGE_SIZE, f, PAGE_SHARED);
	xlate(&t, 0, BASE, X86_PF_USER);
	xlate(&t, 0, BASE + 2 * PAGE_SIZE, X86_PF_USER);
	assert_int_equal(stats(&t, 0).tlb_evictions, 0);
	xlate(&t, 0, BASE + 4 * PAGE_SIZE, X86_PF_USER);	/* evicts page 0 */
	assert_int_equal(stats(&t, 0).tlb_evictions, 1);
	assert_int_equal(vmsim_tlb_probe(t.vm, 0, ctx, BASE, NULL), 0);
	assert_int_equal(vmsim_tlb_probe(t.vm, 0, ctx, BASE + 2 * PAGE_SIZE, NULL), 1);
	/* Page 1 goes to set 1 and evicts nothing. */
	xlate(&t, 0, BASE + PAGE_SIZE, X86_PF_USER);
	assert_int_equal(stats(&t, 0).tlb_evictions, 1);
	/* A hit refreshes page 2, so page 0's refill evicts page 4. */
	xlate(&t, 0, BASE + 2 * PAGE_SIZE, X86_PF_USER);
	xlate(&t, 0, BASE, X86_PF_USER);
	assert_int_equal(vmsim_tlb_probe(t.vm, 0, ctx, BASE + 4 * PAGE_SIZE, NULL), 0);
	assert_int_equal(vmsim_tlb_probe(t.vm, 0, ctx, BASE + 2 * PAGE_SIZE, NULL), 1);
	assert_int_equal(stats(&t, 0).tlb_evictions, 2);
	assert_int_equal(vmsim_tlb_entries(t.vm, 0, NULL, 0), 3);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

/* One fixed sequence of switches, accesses and flushes. */
static void run_sequence(struct tt *t, struct vmsim_cpu_stats out[4], uint64_t *events)
{
	char buf[64];

	tt_setup(t, "ram=4M cpus=4 tlb=4x2", BASE, BASE + 0x20000, true);
	assert_int_equal(tt_space(t), 1);
	for (unsigned i = 0; i < 40; i++) {
		int cpu = (int)(i % 4);
		uint64_t a = BASE + (uint64_t)((i * 7) % 12) * PAGE_SIZE + i;

		memset(buf, (int)i, sizeof(buf));
		vmsim_set_cur_cpu(t->vm, cpu);
		if (i % 3)
			assert_true(vmsim_cpu_write(t->vm, cpu, a, buf, sizeof(buf)) >= 0);
		else
			assert_true(vmsim_cpu_read(t->vm, cpu, a, buf, sizeof(buf)) >= 0);
		if (i % 5 == 0)
			vmsim_flush_tlb_range(t->vm, &t->sp[0].ctx, a & PAGE_MASK, (a & PAGE_MASK) + 3 * PAGE_SIZE);
		if (i % 11 == 0)
			vmsim_switch_mm(t->vm, (cpu + 1) % 4, &t->sp[i % 2].ctx);
	}
	for (int c = 0; c < 4; c++)
		out[c] = stats(t, c);
	*events = vmsim_trace_count(t->vm);
	tt_teardown(t);
}

static void test_determinism(void **state)
{
	struct tt a, b;
	struct vmsim_cpu_stats sa[4], sb[4];
	uint64_t ea, eb;

	(void)state;
	run_sequence(&a, sa, &ea);
	run_sequence(&b, sb, &eb);
	assert_int_equal(a.log.count, 0);
	assert_true(sa[0].tlb_hits + sa[1].tlb_hits + sa[2].tlb_hits + sa[3].tlb_hits > 0);
	assert_true(sa[0].tlb_evictions + sa[1].tlb_evictions + sa[2].tlb_evictions > 0);
	assert_memory_equal(sa, sb, sizeof(sa));
	assert_int_equal(ea, eb);
	assert_int_equal(a.nr_faults, b.nr_faults);
}

static void test_destroy_drops_entries(void **state)
{
	struct tt t;
	struct vmsim_mm_context *ctx;
	unsigned long f;

	(void)state;
	tt_setup(&t, "ram=4M cpus=2", 0, 0, true);
	ctx = &t.sp[0].ctx;
	f = tt_frame(&t);
	tt_map(&t, 0, BASE, f, PAGE_SHARED);
	xlate(&t, 0, BASE, X86_PF_USER);
	xlate(&t, 1, BASE, X86_PF_USER);
	assert_int_equal(vmsim_tlb_entries(t.vm, 1, NULL, 0), 1);
	vmsim_mm_context_destroy(t.vm, ctx);
	assert_int_equal(vmsim_tlb_entries(t.vm, 0, NULL, 0), 0);
	assert_int_equal(vmsim_tlb_entries(t.vm, 1, NULL, 0), 0);
	assert_null(vmsim_cpu_loaded(t.vm, 1));
	/* A destroyed context is no context of the machine any more: asking
	 * for its ASID or loading it again is bad input. */
	assert_int_equal(vmsim_cpu_asid(t.vm, 1, ctx), -EINVAL);
	assert_int_equal(vmsim_switch_mm(t.vm, 1, ctx), -EINVAL);
	/* Its frame can be freed: no TLB names it any more. */
	assert_int_equal(vmsim_page_free(t.vm, f, 0), 0);
	t.frames[0] = 0;
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pcid_keeps_contexts_apart),
		cmocka_unit_test(test_seventh_context_recycles_asid),
		cmocka_unit_test(test_global_entries_survive_switch),
		cmocka_unit_test(test_lru_replacement),
		cmocka_unit_test(test_determinism),
		cmocka_unit_test(test_destroy_drops_entries),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
