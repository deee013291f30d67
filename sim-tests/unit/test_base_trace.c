/* Unit tests: trace events (base/trace.c): what the sink receives for
 * page and page-table events, in order and numbered, the count kept with
 * no sink, one line per event, and the type names. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

struct sink {
	unsigned n;
	struct vmsim_trace_event ev[64];
};

static void record(void *arg, const struct vmsim_trace_event *ev)
{
	struct sink *s = arg;

	if (s->n < 64)
		s->ev[s->n] = *ev;
	s->n++;
}

static void test_trace_page_events(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M", &log);
	struct sink s = { 0 };
	unsigned long pfn;
	uint64_t seq0;
	char line[160];

	(void)state;
	assert_non_null(vm);
	seq0 = vmsim_trace_count(vm);
	assert_true(seq0 >= 1);		/* the zero page's allocation */
	vmsim_set_trace(vm, record, &s);
	assert_int_equal(vmsim_page_alloc(vm, 2, &pfn), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ev[0].type, VMSIM_TR_PAGE_ALLOC);
	assert_int_equal(s.ev[0].pfn, pfn);
	assert_int_equal(s.ev[0].order, 2);
	assert_int_equal(s.ev[0].cpu, -1);
	assert_int_equal(s.ev[0].seq, seq0 + 1);
	assert_int_equal(vmsim_trace_count(vm), seq0 + 1);
	vmsim_trace_format(&s.ev[0], line, sizeof(line));
	assert_string_equal(line, "page_alloc pfn=0x4 order=2");

	assert_int_equal(vmsim_page_free(vm, pfn, 2), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[1].type, VMSIM_TR_PAGE_FREE);
	assert_int_equal(s.ev[1].pfn, pfn);
	assert_int_equal(s.ev[1].order, 2);
	assert_int_equal(s.ev[1].seq, seq0 + 2);
	vmsim_trace_format(&s.ev[1], line, sizeof(line));
	assert_string_equal(line, "page_free pfn=0x4 order=2");

	/* No sink: nothing delivered, events still counted. */
	vmsim_set_trace(vm, NULL, NULL);
	assert_int_equal(vmsim_page_alloc(vm, 0, &pfn), 0);
	assert_int_equal(vmsim_page_free(vm, pfn, 0), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(vmsim_trace_count(vm), seq0 + 4);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static void test_trace_pgtable_events(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M levels=4", &log);
	struct sink s = { 0 };
	unsigned long root;
	pte_t *p;
	char line[160];
	unsigned i;

	(void)state;
	assert_non_null(vm);
	vmsim_set_trace(vm, record, &s);
	assert_int_equal(vmsim_pgd_alloc(vm, &root), 0);
	/* A table allocation: the page, then the table. */
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[0].type, VMSIM_TR_PAGE_ALLOC);
	assert_int_equal(s.ev[1].type, VMSIM_TR_PT_ALLOC);
	assert_int_equal(s.ev[1].level, VMSIM_LVL_PGD);
	assert_int_equal(s.ev[1].pfn, root);
	vmsim_trace_format(&s.ev[1], line, sizeof(line));
	assert_non_null(strstr(line, "pgtable_alloc"));
	assert_non_null(strstr(line, "pgd"));

	s.n = 0;
	p = vmsim_pte_lookup(vm, root, 0x7f0000001000ULL, true);
	assert_non_null(p);
	/* pud, pmd, pte tables: page_alloc, pgtable_alloc, set_entry each. */
	assert_int_equal(s.n, 9);
	for (i = 0; i < 3; i++) {
		assert_int_equal(s.ev[3 * i].type, VMSIM_TR_PAGE_ALLOC);
		assert_int_equal(s.ev[3 * i + 1].type, VMSIM_TR_PT_ALLOC);
		assert_int_equal(s.ev[3 * i + 1].level, VMSIM_LVL_PUD - (int)i);
		assert_int_equal(s.ev[3 * i + 2].type, VMSIM_TR_SET_ENTRY);
		assert_int_equal(s.ev[3 * i + 2].old_val, 0);
		assert_int_equal(s.ev[3 * i + 2].new_val, (s.ev[3 * i + 1].pfn << 12) | 0x67);
	}
	/* The pgd entry (= p4d, folded) links the pud table. */
	assert_int_equal(s.ev[2].level, VMSIM_LVL_P4D);

	s.n = 0;
	vmsim_set_pte(vm, p, pfn_pte(0x12, PAGE_READONLY), 0x7f0000001000ULL);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ev[0].type, VMSIM_TR_SET_ENTRY);
	assert_int_equal(s.ev[0].level, VMSIM_LVL_PTE);
	assert_int_equal(s.ev[0].addr, 0x7f0000001000ULL);
	assert_int_equal(s.ev[0].old_val, 0);
	assert_int_equal(s.ev[0].new_val, 0x8000000000012025ULL);
	vmsim_trace_format(&s.ev[0], line, sizeof(line));
	assert_string_equal(line, "set_entry pte 0x00007f0000001000: 0 -> 0x8000000000012025");
	vmsim_set_pte(vm, p, __pte(0), 0x7f0000001000ULL);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[1].old_val, 0x8000000000012025ULL);
	assert_int_equal(s.ev[1].new_val, 0);

	s.n = 0;
	vmsim_pgd_free(vm, root);
	/* Frees emit pgtable_free and page_free for all four tables. */
	{
		unsigned ptf = 0, pf = 0;

		for (i = 0; i < s.n && i < 64; i++) {
			ptf += s.ev[i].type == VMSIM_TR_PT_FREE;
			pf += s.ev[i].type == VMSIM_TR_PAGE_FREE;
		}
		assert_int_equal(ptf, 4);
		assert_int_equal(pf, 4);
	}
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static void test_trace_format(void **state)
{
	char buf[160];
	struct vmsim_trace_event ev;
	int n;

	(void)state;
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_PAGE_ALLOC, .cpu = -1, .pfn = 0x1f, .order = 0 };
	n = vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "page_alloc pfn=0x1f order=0");
	assert_int_equal(n, (int)strlen(buf));
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_PT_FREE, .level = 2, .pfn = 0x40 };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "pgtable_free pmd table pfn=0x40");
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_TLB_FLUSH, .cpu = 2, .why = "munmap" };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "cpu2 tlb_flush all munmap");
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_TLB_FLUSH, .cpu = 0, .addr = 0x1000, .end = 0x3000 };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "cpu0 tlb_flush 0x0000000000001000-0x0000000000003000");
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_IPI, .cpu = 1, .target = 3 };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "cpu1 ipi -> cpu3");
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_SWITCH_MM, .cpu = 1, .target = 7 };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "cpu1 switch_mm mm7");
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .why = "hello" };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "note hello");
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_WALK, .cpu = 3, .addr = 0x2000, .level = 1, .new_val = 0x25 };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "cpu3 walk 0x0000000000002000 pte 0x25");
	/* Truncation follows snprintf. */
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .why = "0123456789" };
	n = vmsim_trace_format(&ev, buf, 8);
	assert_int_equal(n, 15);
	assert_string_equal(buf, "note 01");

	assert_string_equal(vmsim_trace_type_name(VMSIM_TR_PAGE_ALLOC), "page_alloc");
	assert_string_equal(vmsim_trace_type_name(VMSIM_TR_SET_ENTRY), "set_entry");
	assert_string_equal(vmsim_trace_type_name(VMSIM_TR_TLB_FLUSH), "tlb_flush");
	assert_string_equal(vmsim_trace_type_name(VMSIM_TR_NR), "?");
	for (int t = 0; t < VMSIM_TR_NR; t++) {
		assert_non_null(vmsim_trace_type_name((enum vmsim_trace_type)t));
		assert_string_not_equal(vmsim_trace_type_name((enum vmsim_trace_type)t), "?");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_trace_page_events),
		cmocka_unit_test(test_trace_pgtable_events),
		cmocka_unit_test(test_trace_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
