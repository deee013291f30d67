/* Unit tests: lazy unmap flush (mm/luf.c, hw/page_alloc.c's pend lists,
 * hw/tlb_flush.c's generations): the v12 generation scheme, takeoff at
 * allocation, each flush point and its quirk, luf=debug's two rules,
 * luf=off.  The fixture is luftest.h's; the stale-read detector
 * (check/luf_check.c) has its own file, test_check_luf_check.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "luftest.h"

static uint64_t done(struct vmsim *vm, int cpu)
{
	uint64_t u;

	assert_int_equal(vmsim_luf_ugen_done(vm, cpu, &u), 0);
	return u;
}

static uint64_t ipis_received(struct vmsim *vm, int cpu)
{
	struct vmsim_cpu_stats c;

	assert_int_equal(vmsim_cpu_stats(vm, cpu, &c), 0);
	return c.ipis_received;
}

/* ---- the generation scheme ---- */

/* The unmap takes a generation U for the mm and the file; the page is
 * freed owing a later one; no CPU has done either yet.  A flush point
 * flushes P's CPUs at a newer generation, after which the request is done
 * there (ugen_done >= U), and a second point finds nothing to send. */
static void test_generations(void **state)
{
	struct lx t;
	uint64_t mask, u, fu, pu, ipis;

	(void)state;
	setup(&t, "luf=on");
	defer(&t);
	assert_int_equal(st(t.vm).deferred, 1);
	assert_int_equal(st(t.vm).luf_folios, 1);
	assert_int_equal(vmsim_luf_mm_owed(t.p, &mask, &u), 1);
	assert_int_equal(mask, 0x3);
	assert_true(u >= 1);
	assert_int_equal(vmsim_luf_file_owed(t.f, &mask, &fu), 1);
	assert_int_equal(mask, 0x3);
	assert_int_equal(fu, u);
	assert_int_equal(vmsim_luf_page_owed(t.vm, t.x, &mask, &pu), 1);
	assert_int_equal(mask, 0x3);
	assert_true(pu > u);
	assert_true(st(t.vm).ugen >= pu);
	assert_true(done(t.vm, 0) < u && done(t.vm, 1) < u);
	/* The fault point (P faults another page of a writable-capable vma). */
	assert_int_equal(vmsim_mmap(t.p, B, P, VMSIM_PROT_READ, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS,
				    NULL, 0), 0);
	ipis = ipis_received(t.vm, 0);
	read_on(t.p, 1, B);
	assert_int_equal(st(t.vm).paid[VMSIM_LUF_PT_FAULT], 1);
	assert_int_equal(ipis_received(t.vm, 0), ipis + 1);	/* CPU 0 runs P too */
	assert_true(done(t.vm, 0) > pu && done(t.vm, 1) > pu);
	assert_int_equal(done(t.vm, 2), 0);			/* never in P's mask */
	/* Done already: the next fault sends nothing. */
	read_on(t.p, 1, B);
	assert_int_equal(vmsim_madvise(t.p, B, P, VMSIM_MADV_DONTNEED), 0);
	ipis = ipis_received(t.vm, 0);
	read_on(t.p, 1, B);
	assert_int_equal(st(t.vm).paid[VMSIM_LUF_PT_FAULT], 1);
	assert_int_equal(ipis_received(t.vm, 0), ipis);
	teardown(&t, 0);
}

/* arch_tlbbatch_diet(): a CPU whose ugen_done is already past a request is
 * not interrupted for it.  Q (CPUs 1 and 2) leaves a page owing; then P
 * (CPUs 0 and 1) leaves one owing and its fault point flushes CPUs 0 and
 * 1, past Q's request.  Taking Q's page off the allocator (on CPU 0)
 * interrupts CPU 2 alone.  (The task-switch point is off: it would pay
 * Q's when CPU 1 goes back to P.) */
static void test_diet(void **state)
{
	struct lx t;
	unsigned long qx;
	uint64_t mask, qu, r1, r2;

	(void)state;
	setup(&t, "luf=on quirks=luf_no_task_switch");
	assert_int_equal(vmsim_mmap(t.q, C + 64 * P, P, VMSIM_PROT_READ, VMSIM_MAP_PRIVATE, t.f, P), 0);
	assert_int_equal(vmsim_mm_run(t.q, 1), 0);
	assert_int_equal(vmsim_mm_run(t.q, 2), 0);
	read_on(t.q, 2, C + 64 * P);
	qx = tu_pfn(t.q, C + 64 * P);
	assert_int_equal(vmsim_madvise(t.q, C + 64 * P, P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(vmsim_luf_page_owed(t.vm, qx, &mask, &qu), 1);
	assert_int_equal(mask, 0x6);
	read_on(t.p, 1, A);
	defer(&t);
	assert_int_equal(vmsim_mmap(t.p, B, P, VMSIM_PROT_READ, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS,
				    NULL, 0), 0);
	read_on(t.p, 1, B);			/* the fault point: CPUs 0, 1 */
	assert_int_equal(st(t.vm).paid[VMSIM_LUF_PT_FAULT], 1);
	assert_true(done(t.vm, 0) >= qu && done(t.vm, 1) >= qu);
	assert_true(done(t.vm, 2) < qu);
	r1 = ipis_received(t.vm, 1);
	r2 = ipis_received(t.vm, 2);
	assert_int_equal(vmsim_set_cur_cpu(t.vm, 0), 0);
	take(&t, qx);
	assert_int_equal(ipis_received(t.vm, 1), r1);		/* past it: spared */
	assert_int_equal(ipis_received(t.vm, 2), r2 + 1);
	assert_true(done(t.vm, 2) >= qu);
	assert_int_equal(vmsim_luf_page_owed(t.vm, qx, NULL, NULL), 0);	/* allocated */
	assert_int_equal(vmsim_page_free(t.vm, qx, 0), 0);
	teardown(&t, 0);
}

/* ---- the allocator: pend list, takeoff, merge ---- */

/* The freed frame sits on the pend list owing its flush (still free);
 * allocations take pages that owe nothing first; the one that takes it
 * pays the flush before the page is handed out, and it owes nothing
 * after. */
static void test_takeoff(void **state)
{
	struct lx t;
	unsigned long got, free0;
	uint64_t r1;

	(void)state;
	setup(&t, "luf=on");
	free0 = vmsim_nr_free_pages(t.vm);
	defer(&t);
	assert_int_equal(vmsim_nr_free_pages(t.vm), free0 + 2);	/* x (owing) and a spare */
	assert_int_equal(st(t.vm).owed_pages, 1);
	assert_int_equal(vmsim_luf_page_owed(t.vm, t.x, NULL, NULL), 1);
	r1 = ipis_received(t.vm, 1);
	/* The spare (owing nothing) comes first. */
	assert_int_equal(vmsim_page_alloc(t.vm, 0, &got), 0);
	assert_int_not_equal(got, t.x);
	assert_int_equal(ipis_received(t.vm, 1), r1);
	assert_int_equal(vmsim_page_free(t.vm, got, 0), 0);
	assert_int_equal(vmsim_set_cur_cpu(t.vm, 0), 0);
	take(&t, t.x);
	assert_int_equal(st(t.vm).paid[VMSIM_LUF_PT_ALLOC], 1);
	assert_int_equal(ipis_received(t.vm, 1), r1 + 1);	/* allocated on CPU 0 */
	assert_int_equal(st(t.vm).owed_pages, 0);
	assert_int_equal(st(t.vm).owed_pages_max, 1);
	assert_int_equal(vmsim_luf_page_owed(t.vm, t.x, NULL, NULL), 0);
	assert_int_equal(vmsim_page_free(t.vm, t.x, 0), 0);
	teardown(&t, 0);
}

/* __free_one_page(): two owing buddies merge into a block that owes both
 * requests (the union of the CPUs, the newer generation); a split half
 * keeps owing it. */
static void test_merge(void **state)
{
	struct lx t;
	unsigned long y;
	uint64_t mask, u1, u2, u;

	(void)state;
	setup(&t, "luf=on");
	/* Q maps F's page 1 on CPUs 1 and 2. */
	assert_int_equal(vmsim_mmap(t.q, C + 64 * P, P, VMSIM_PROT_READ, VMSIM_MAP_PRIVATE, t.f, P), 0);
	assert_int_equal(vmsim_mm_run(t.q, 1), 0);
	assert_int_equal(vmsim_mm_run(t.q, 2), 0);
	read_on(t.q, 2, C + 64 * P);
	y = tu_pfn(t.q, C + 64 * P);
	/* Both pages came in together: buddies. */
	assert_int_equal(y, t.x ^ 1);
	assert_int_equal(vmsim_madvise(t.p, A, P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(vmsim_luf_page_owed(t.vm, t.x, &mask, &u1), 1);
	assert_int_equal(mask, 0x3);
	assert_int_equal(vmsim_madvise(t.q, C + 64 * P, P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(vmsim_luf_page_owed(t.vm, y, &mask, &u2), 1);
	assert_int_equal(mask, 0x7);
	assert_int_equal(vmsim_luf_page_owed(t.vm, t.x, &mask, &u), 1);
	assert_int_equal(mask, 0x7);
	assert_true(u2 > u1);
	assert_int_equal(u, u2);
	assert_int_equal(st(t.vm).owed_pages, 2);
	teardown(&t, 0);
}

/* ---- the flush points ---- */

enum { WITH, WITHOUT };

/* Trigger point p after the fixture's unmap; with the point switched off
 * the owed flush stays owed (skipped) and nothing is paid there. */
static void point(struct lx *t, enum vmsim_luf_point p)
{
	unsigned char b = 0x42;

	switch (p) {
	case VMSIM_LUF_PT_ALLOC:
		assert_int_equal(vmsim_set_cur_cpu(t->vm, 2), 0);
		take(t, t->x);
		assert_int_equal(vmsim_page_free(t->vm, t->x, 0), 0);
		break;
	case VMSIM_LUF_PT_TLB_END_VMA:
		/* munmap of a vma with no page table: no batched-pending flush. */
		assert_int_equal(vmsim_mmap(t->p, B + (64ULL << 30), P, VMSIM_PROT_READ,
					    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
		assert_int_equal(vmsim_munmap(t->p, B + (64ULL << 30), P), 0);
		break;
	case VMSIM_LUF_PT_FAULT:
		assert_int_equal(vmsim_mmap(t->p, B, P, VMSIM_PROT_READ, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS,
					    NULL, 0), 0);
		read_on(t->p, 1, B);
		break;
	case VMSIM_LUF_PT_TASK_SWITCH:
		assert_int_equal(vmsim_mm_run(t->q, 1), 0);	/* CPU 1 leaves P */
		break;
	case VMSIM_LUF_PT_WRITE_BEGIN:
		assert_int_equal(vmsim_file_write(t->f, 0, &b, 1), 1);
		break;
	case VMSIM_LUF_PT_MKCLEAN:
		/* Writeback of a dirty page of F (the cache is dropped after). */
		assert_int_equal(vmsim_file_write(t->f, P, &b, 1), 1);
		assert_int_equal(vmsim_file_drop_caches(t->f), 0);
		break;
	case VMSIM_LUF_PT_TRUNCATE:
		/* Page 1 and on: nothing P maps is zapped. */
		assert_int_equal(vmsim_file_truncate(t->f, P), 0);
		break;
	case VMSIM_LUF_PT_MKWRITE: {
		struct vmsim_file *s;

		assert_int_equal(vmsim_file_new(t->vm, "S", VMSIM_FILE_SHMEM, P, &s), 0);
		assert_int_equal(vmsim_mmap(t->p, B, P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, s, 0), 0);
		read_on(t->p, 1, B);
		assert_int_equal(vmsim_mprotect(t->p, B, P, VMSIM_PROT_READ | VMSIM_PROT_WRITE), 0);
		break;
	}
	case VMSIM_LUF_PT_BATCHED_PENDING:
		assert_int_equal(vmsim_mprotect(t->p, A, P, VMSIM_PROT_NONE), 0);
		break;
	default:
		fail();
	}
}

static void test_points(void **state)
{
	(void)state;
	for (int p = 0; p < VMSIM_LUF_NR_POINTS; p++) {
		if (p == VMSIM_LUF_PT_LAZYFREE)
			continue;	/* its own test: it needs another unmap */
		for (int w = WITH; w <= WITHOUT; w++) {
			char opts[128];
			struct lx t;

			/* Each point alone: the fault of the new mapping and the
			 * batched-pending flush would pay first at mprotect
			 * (mkwrite's test), write() before writeback (mkclean's). */
			snprintf(opts, sizeof(opts), "luf=on quirks=%s%s%s",
				 p == VMSIM_LUF_PT_MKWRITE ? "luf_no_batched_pending,luf_no_fault" :
				 p == VMSIM_LUF_PT_MKCLEAN ? "luf_no_write_begin" : "none",
				 w == WITHOUT ? ",luf_no_" : "",
				 w == WITHOUT ? vmsim_luf_point_name((enum vmsim_luf_point)p) : "");
			setup(&t, opts);
			defer(&t);
			point(&t, (enum vmsim_luf_point)p);
			if (w == WITH) {
				uint64_t u;

				if (st(t.vm).paid[p] != 1)
					print_error("point %s\n", vmsim_luf_point_name((enum vmsim_luf_point)p));
				assert_int_equal(st(t.vm).paid[p], 1);
				/* CPU 1 has flushed past the unmap's request. */
				assert_int_equal(vmsim_luf_file_owed(t.f, NULL, &u), 1);
				assert_true(done(t.vm, 1) >= u);
			} else {
				assert_int_equal(st(t.vm).paid[p], 0);
				if (p != VMSIM_LUF_PT_BATCHED_PENDING)
					assert_true(st(t.vm).skipped[p] >= 1);
			}
			teardown(&t, 0);
		}
	}
}

/* The lazyfree point: a folio reclaim unmaps (LUF) but keeps (dirty in the
 * page cache) pays its flush at once. */
static void test_lazyfree(void **state)
{
	for (int w = WITH; w <= WITHOUT; w++) {
		struct lx t;
		unsigned char b = 0x11;

		(void)state;
		setup(&t, w == WITH ? "luf=on" : "luf=on quirks=luf_no_lazyfree");
		assert_int_equal(vmsim_file_write(t.f, 0, &b, 1), 1);	/* dirty */
		assert_int_equal(vmsim_madvise(t.p, A, P, VMSIM_MADV_PAGEOUT), 0);
		assert_int_equal(st(t.vm).deferred, 1);
		assert_int_equal(st(t.vm).luf_folios, 0);		/* kept */
		assert_int_equal(st(t.vm).paid[VMSIM_LUF_PT_LAZYFREE], w == WITH);
		assert_int_equal(st(t.vm).skipped[VMSIM_LUF_PT_LAZYFREE], w == WITHOUT);
		assert_int_equal(done(t.vm, 1) != 0, w == WITH);
		teardown(&t, 0);
	}
}

/* ---- luf=debug ---- */

/* Rule 1: the fault point pays before the fault fills the slot again;
 * switched off, the new pte is reported. */
static void test_rule1(void **state)
{
	for (int w = WITH; w <= WITHOUT; w++) {
		struct lx t;

		(void)state;
		setup(&t, w == WITH ? "luf=debug" : "luf=debug quirks=luf_no_fault");
		defer(&t);
		read_on(t.p, 0, A);
		/* Without it: the page-cache slot (rule 2), then the pte. */
		assert_int_equal(st(t.vm).rule_breaks, w == WITHOUT ? 2 : 0);
		if (w == WITHOUT)
			assert_non_null(strstr(t.log.last, "LUF rule 1 broken"));
		teardown(&t, w == WITHOUT ? 2 : 0);
	}
}

/* Rule 2: read() refills the slot of a LUF'd page before any flush (v12
 * has no point on the read path); luf=on says nothing. */
static void test_rule2(void **state)
{
	for (int debug = 0; debug <= 1; debug++) {
		struct lx t;
		unsigned char b;

		(void)state;
		setup(&t, debug ? "luf=debug" : "luf=on");
		defer(&t);
		assert_int_equal(vmsim_file_read(t.f, 0, &b, 1), 1);
		assert_int_equal(st(t.vm).rule_breaks, debug);
		if (debug)
			assert_non_null(strstr(t.log.last, "LUF rule 2 broken"));
		teardown(&t, debug);
	}
}

/* ---- luf=off ---- */

/* Linux: the flush is sent at reclaim, nothing is owed. */
static void test_off(void **state)
{
	struct lx t;
	struct vmsim_luf_stats s;

	(void)state;
	setup(&t, "luf=off");
	defer(&t);
	s = st(t.vm);
	assert_int_equal(s.deferred, 0);
	assert_int_equal(s.owed_pages, 0);
	assert_int_equal(s.ugen, 0);
	assert_true(s.shootdown_ipis >= 1);
	assert_int_equal(vmsim_luf_page_owed(t.vm, t.x, NULL, NULL), 0);
	assert_int_equal(vmsim_luf_mm_owed(t.p, NULL, NULL), 0);
	assert_int_equal(vmsim_tlb_probe(t.vm, 1, NULL, A, NULL), -EINVAL);
	teardown(&t, 0);
}

/* The names of the points are the quirks' (luf_no_<name>). */
static void test_names(void **state)
{
	(void)state;
	for (int p = 0; p < VMSIM_LUF_NR_POINTS; p++) {
		char q[64];

		snprintf(q, sizeof(q), "luf_no_%s", vmsim_luf_point_name((enum vmsim_luf_point)p));
		assert_int_not_equal(vmsim_quirk_from_name(q), 0);
		assert_string_equal(vmsim_quirk_name(vmsim_quirk_from_name(q)), q);
	}
	assert_null(vmsim_luf_point_name(VMSIM_LUF_NR_POINTS));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_generations),
		cmocka_unit_test(test_diet),
		cmocka_unit_test(test_takeoff),
		cmocka_unit_test(test_merge),
		cmocka_unit_test(test_points),
		cmocka_unit_test(test_lazyfree),
		cmocka_unit_test(test_rule1),
		cmocka_unit_test(test_rule2),
		cmocka_unit_test(test_off),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
