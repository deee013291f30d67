/* Unit tests: the stale-read detector of lazy unmap flush
 * (check/luf_check.c, docs/luf.md).  A load through a translation whose
 * flush LUF left owed is judged against what the address means now: the
 * same data in the freed frame is LUF's premise (counted, not reported);
 * a frame handed out again, an address unmapped or mapping another file,
 * or data changed where the page lives now is a stale read, reported once
 * per CPU with the old frame and why.  The fixture is luftest.h's:
 *
 *   A: F page 0, private, read-only      CPU 1's TLB: A -> x (tagged)
 *   |----|                               x: freed, owing the flush
 *
 * Each case is the reviewers' case (Hansen's A and B, the reallocated
 * frame) with the one point that protects it switched off, and with the
 * point on, where the detector must stay silent. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "luftest.h"

enum { WITH, WITHOUT };

static unsigned char load(struct vmsim_mm *mm, int cpu, uint64_t addr)
{
	unsigned char b = 0xee;

	assert_int_equal(vmsim_access(mm, cpu, addr, &b, 1, false, NULL), VMSIM_ACCESS_OK);
	return b;
}

/* LUF's premise: a read through the deferred translation of a frame that
 * is still free and unchanged is no stale read. */
static void test_detector_silent(void **state)
{
	struct lx t;

	(void)state;
	setup(&t, "luf=on");
	defer(&t);
	read_on(t.p, 1, A);			/* hits the deferred translation */
	assert_int_equal(st(t.vm).deferred_hits, 1);
	assert_int_equal(st(t.vm).stale_reads, 0);
	teardown(&t, 0);
}

/* Without the alloc point the frame is handed out still cached: the next
 * read through the deferred translation is reported. */
static void test_detector_realloc(void **state)
{
	struct lx t;
	char old[32];

	(void)state;
	setup(&t, "luf=on quirks=luf_no_alloc");
	defer(&t);
	take(&t, t.x);
	assert_int_equal(st(t.vm).skipped[VMSIM_LUF_PT_ALLOC], 1);
	read_on(t.p, 1, A);
	assert_int_equal(st(t.vm).stale_reads, 1);
	assert_int_equal(t.log.count, 1);
	assert_non_null(strstr(t.log.last, "stale read: CPU 1 read mm"));
	assert_non_null(strstr(t.log.last, "handed out again"));
	snprintf(old, sizeof(old), "old pfn %#lx,", t.x);
	assert_non_null(strstr(t.log.last, old));
	assert_int_equal(vmsim_page_free(t.vm, t.x, 0), 0);
	teardown(&t, 1);
}

/* Hansen's case B: write() puts the new data in a new page-cache page
 * while CPU 1 still caches the old frame.  With the write_begin point the
 * flush is paid first and CPU 1 reads the new byte; without it CPU 1 reads
 * the old frame's byte, a stale read reported once however often it is
 * read (each read is counted), naming the page's frame now. */
static void test_detector_data_changed(void **state)
{
	for (int w = WITH; w <= WITHOUT; w++) {
		struct lx t;
		unsigned char b = 0x42;
		char old[32];

		(void)state;
		setup(&t, w == WITH ? "luf=on" : "luf=on quirks=luf_no_write_begin");
		defer(&t);
		assert_int_equal(vmsim_file_write(t.f, 0, &b, 1), 1);
		assert_int_equal(load(t.p, 1, A), w == WITH ? 0x42 : 0);
		assert_int_equal(st(t.vm).stale_reads, w == WITHOUT);
		if (w == WITHOUT) {
			assert_non_null(strstr(t.log.last, "its data changed since (now pfn "));
			snprintf(old, sizeof(old), "old pfn %#lx,", t.x);
			assert_non_null(strstr(t.log.last, old));
			assert_int_equal(load(t.p, 1, A), 0);
			assert_int_equal(st(t.vm).stale_reads, 2);
		}
		teardown(&t, w == WITHOUT);
	}
}

/* The page read back into another frame with the same data (read(), which
 * has no point) is what the address means, unchanged: no stale read. */
static void test_detector_same_data_elsewhere(void **state)
{
	struct lx t;
	unsigned char b = 0xee;

	(void)state;
	setup(&t, "luf=on");
	defer(&t);
	assert_int_equal(vmsim_file_read(t.f, 0, &b, 1), 1);
	assert_int_equal(b, 0);
	assert_int_equal(load(t.p, 1, A), 0);
	assert_int_equal(st(t.vm).deferred_hits, 1);
	assert_int_equal(st(t.vm).stale_reads, 0);
	teardown(&t, 0);
}

/* With data=off no frame keeps data: a changed page cannot be told from
 * an unchanged one, so case B is not reported (the hit is counted). */
static void test_detector_no_data(void **state)
{
	struct lx t;
	unsigned char b = 0x42;

	(void)state;
	setup(&t, "luf=on data=off quirks=luf_no_write_begin");
	defer(&t);
	assert_int_equal(vmsim_file_write(t.f, 0, &b, 1), 1);
	load(t.p, 1, A);
	assert_int_equal(st(t.vm).deferred_hits, 1);
	assert_int_equal(st(t.vm).stale_reads, 0);
	teardown(&t, 0);
}

/* Hansen's case A: A is unmapped (and then maps another file, G) with
 * both points that pay at munmap switched off (tlb_end_vma,
 * batched_pending).  An anonymous page keeps the page table, so that the
 * munmap frees no table and flushes nothing of its own:
 *
 *   A         A+16P
 *   |F-|......|an|      ->   |..|......|an|   ->   |G-|......|an|
 *
 * Unmapped: "the address is not mapped now"; mapping G: "the address maps
 * another page now", and CPU 1 reads F's old frame, not G's 0x47.  With
 * the points on, the read faults G in and nothing is stale. */
static void test_detector_remapped(void **state)
{
	for (int v = 0; v < 3; v++) {
		struct lx t;
		struct vmsim_file *g;
		unsigned char b = 0x47;

		(void)state;
		setup(&t, v == 0 ? "luf=on" : "luf=on quirks=luf_no_tlb_end_vma,luf_no_batched_pending");
		assert_int_equal(vmsim_file_new(t.vm, "G", VMSIM_FILE_DISK, P, &g), 0);
		assert_int_equal(vmsim_file_write(g, 0, &b, 1), 1);
		assert_int_equal(vmsim_mmap(t.p, A + 16 * P, P, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
					    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
		assert_int_equal(tu_write(t.p, A + 16 * P, 1), 0);
		defer(&t);
		assert_int_equal(vmsim_munmap(t.p, A, P), 0);
		if (v != 1)
			assert_int_equal(vmsim_mmap(t.p, A, P, VMSIM_PROT_READ, VMSIM_MAP_PRIVATE, g, 0), 0);
		assert_int_equal(load(t.p, 1, A), v == 0 ? 0x47 : 0);
		assert_int_equal(st(t.vm).stale_reads, v != 0);
		if (v == 1)
			assert_non_null(strstr(t.log.last, "the address is not mapped now"));
		if (v == 2)
			assert_non_null(strstr(t.log.last, "the address maps another page now"));
		teardown(&t, v != 0);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_detector_silent),
		cmocka_unit_test(test_detector_realloc),
		cmocka_unit_test(test_detector_data_changed),
		cmocka_unit_test(test_detector_same_data_elsewhere),
		cmocka_unit_test(test_detector_no_data),
		cmocka_unit_test(test_detector_remapped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
