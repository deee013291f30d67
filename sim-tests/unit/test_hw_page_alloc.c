/* Unit tests: the buddy allocator (hw/page_alloc.c) and frame contents. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

/* A 4 MiB machine: 1024 frames = two order-9 blocks at start. */
static struct vmsim *small(struct bug_log *log)
{
	struct vmsim *vm = tu_machine_str("ram=4M", log);

	assert_non_null(vm);
	return vm;
}

static void test_initial_blocks(void **state)
{
	struct bug_log log;
	struct vmsim *vm = small(&log);

	(void)state;
	/* The zero page took one frame from the first 2 MiB block, which split
	 * into one block of each order 0..8. */
	assert_int_equal(vmsim_nr_frames(vm), 1024);
	assert_int_equal(vmsim_nr_free_pages(vm), 1023);
	assert_int_equal(vmsim_nr_free_blocks(vm, 9), 1);
	for (unsigned o = 0; o < 9; o++)
		assert_int_equal(vmsim_nr_free_blocks(vm, o), 1);
	assert_int_equal(vmsim_page_to_pfn(vm, vmsim_zero_page(vm)), 0);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static void test_split_and_merge(void **state)
{
	struct bug_log log;
	struct vmsim *vm = small(&log);
	unsigned long a, b, c;

	(void)state;
	/* Order 0 comes from the order-0 block left by the zero page: pfn 1. */
	assert_int_equal(vmsim_page_alloc(vm, 0, &a), 0);
	assert_int_equal(a, 1);
	/* The next one splits the order-1 block at pfn 2. */
	assert_int_equal(vmsim_page_alloc(vm, 0, &b), 0);
	assert_int_equal(b, 2);
	assert_int_equal(vmsim_nr_free_blocks(vm, 0), 1);	/* pfn 3 */
	assert_int_equal(vmsim_nr_free_blocks(vm, 1), 0);
	/* An order-9 block is naturally aligned: pfn 512. */
	assert_int_equal(vmsim_page_alloc(vm, 9, &c), 0);
	assert_int_equal(c, 512);
	assert_int_equal(vmsim_nr_free_pages(vm), 1024 - 1 - 2 - 512);
	/* Freeing b merges with pfn 3 into order 1 at pfn 2. */
	assert_int_equal(vmsim_page_free(vm, b, 0), 0);
	assert_int_equal(vmsim_nr_free_blocks(vm, 1), 1);
	assert_int_equal(vmsim_nr_free_blocks(vm, 0), 0);
	/* Freeing a merges nothing: its buddy, pfn 0, is the zero page. */
	assert_int_equal(vmsim_page_free(vm, a, 0), 0);
	assert_int_equal(vmsim_nr_free_blocks(vm, 0), 1);
	assert_int_equal(vmsim_page_free(vm, c, 9), 0);
	assert_int_equal(vmsim_nr_free_pages(vm), 1023);
	assert_int_equal(vmsim_nr_free_blocks(vm, 9), 1);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static void test_exhaustion(void **state)
{
	struct bug_log log;
	struct vmsim *vm = small(&log);
	unsigned long pfn, n = 0;

	(void)state;
	while (vmsim_page_alloc(vm, 0, &pfn) == 0)
		n++;
	assert_int_equal(n, 1023);
	assert_int_equal(vmsim_page_alloc(vm, 0, &pfn), -ENOMEM);
	assert_int_equal(vmsim_page_alloc(vm, 3, &pfn), -ENOMEM);
	for (pfn = 1; pfn < 1024; pfn++)
		assert_int_equal(vmsim_page_free(vm, pfn, 0), 0);
	/* Everything merged back into the original blocks. */
	assert_int_equal(vmsim_nr_free_blocks(vm, 9), 1);
	assert_int_equal(vmsim_nr_free_pages(vm), 1023);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static void test_bad_args(void **state)
{
	struct bug_log log;
	struct vmsim *vm = small(&log);
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_page_alloc(vm, 10, &pfn), -EINVAL);
	assert_int_equal(vmsim_page_alloc(vm, 0, NULL), -EINVAL);
	assert_int_equal(vmsim_page_free(vm, 5000, 0), -EINVAL);	/* out of RAM */
	assert_int_equal(vmsim_page_free(vm, 0, 0), -EINVAL);		/* zero page */
	assert_int_equal(vmsim_page_free(vm, 7, 0), -EINVAL);		/* free already */
	assert_int_equal(vmsim_page_alloc(vm, 2, &pfn), 0);
	assert_int_equal(vmsim_page_free(vm, pfn, 1), -EINVAL);	/* wrong order */
	assert_int_equal(vmsim_page_free(vm, pfn + 1, 0), -EINVAL);	/* a tail */
	assert_int_equal(vmsim_page_free(vm, pfn, 2), 0);
	assert_int_equal(vmsim_nr_free_pages(vm), 1023);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static void test_double_free_is_bug(void **state)
{
	struct bug_log log;
	struct vmsim *vm = small(&log);
	struct vmsim_page *p;

	(void)state;
	p = vmsim_alloc_pages(vm, 0);
	assert_non_null(p);
	vmsim_put_page(vm, p);
	assert_int_equal(log.count, 0);
	p->refcount = 0;
	vmsim_free_pages(vm, p, 0);
	assert_int_equal(log.count, 1);
	assert_non_null(strstr(log.last, "double free"));
	assert_int_equal(vmsim_nr_free_pages(vm), 1023);
	vmsim_free(vm);
}

static void test_leak_is_reported(void **state)
{
	struct bug_log log;
	struct vmsim *vm = small(&log);

	(void)state;
	assert_non_null(vmsim_alloc_pages(vm, 0));
	vmsim_free(vm);
	assert_int_equal(log.count, 1);
	assert_non_null(strstr(log.last, "1 frames still allocated"));
}

static void test_frame_contents(void **state)
{
	struct bug_log log;
	struct vmsim *vm = small(&log);
	struct vmsim_page *p, *q;
	unsigned char buf[8];

	(void)state;
	p = vmsim_alloc_pages(vm, 0);
	vmsim_frame_read(vm, p, 100, buf, 8);
	assert_memory_equal(buf, "\0\0\0\0\0\0\0\0", 8);
	assert_int_equal(vmsim_frame_write(vm, p, 4094, "xy", 2), 0);
	vmsim_frame_read(vm, p, 4094, buf, 2);
	assert_memory_equal(buf, "xy", 2);
	q = vmsim_alloc_pages(vm, 0);
	assert_int_equal(vmsim_frame_copy(vm, q, p), 0);
	vmsim_frame_read(vm, q, 4094, buf, 2);
	assert_memory_equal(buf, "xy", 2);
	/* A freed and reallocated frame reads as zeros again. */
	vmsim_put_page(vm, p);
	p = vmsim_alloc_pages(vm, 0);
	vmsim_frame_read(vm, p, 4094, buf, 2);
	assert_memory_equal(buf, "\0\0", 2);
	vmsim_put_page(vm, p);
	vmsim_put_page(vm, q);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static void test_data_off(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M data=off", &log);
	struct vmsim_page *p;
	unsigned char b = 1;
	size_t before;

	(void)state;

	p = vmsim_alloc_pages(vm, 0);
	before = vmsim_host_bytes(vm);
	assert_int_equal(vmsim_frame_write(vm, p, 0, "z", 1), 0);
	vmsim_frame_read(vm, p, 0, &b, 1);
	assert_int_equal(b, 0);
	/* Nothing was backed: data=off keeps no user contents. */
	assert_int_equal(vmsim_host_bytes(vm), before);
	vmsim_put_page(vm, p);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* Writing the zero page through the frame API is a caller's bad argument:
 * -EINVAL, nothing written, no bug report. */
static void test_zero_page_write_is_einval(void **state)
{
	struct bug_log log;
	struct vmsim *vm = small(&log);
	unsigned char b = 1;

	(void)state;
	assert_int_equal(vmsim_frame_write(vm, vmsim_zero_page(vm), 0, "a", 1), -EINVAL);
	vmsim_frame_read(vm, vmsim_zero_page(vm), 0, &b, 1);
	assert_int_equal(b, 0);
	assert_int_equal(log.count, 0);
	vmsim_free(vm);
}

/* SPARSEMEM: an empty 1 TiB machine holds the struct pages of the
 * sections it used (the zero page's) and no more; a section's come in
 * when its first frame is handed out.  The never-used blocks still come
 * out lowest first, after the blocks freed back to the lists, as from one
 * list of every block. */
static void test_sparse_memmap(void **state)
{
	const size_t section = 32768 * sizeof(struct vmsim_page);
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=1024G", &log);
	unsigned long nr, a, b, c, last;
	size_t host;

	(void)state;
	assert_non_null(vm);
	nr = vmsim_nr_frames(vm);
	assert_int_equal(nr, 1UL << 28);
	host = vmsim_host_bytes(vm);
	assert_true(host < (16 << 20));
	assert_int_equal(vmsim_nr_free_pages(vm), nr - 1);
	assert_int_equal(vmsim_nr_free_blocks(vm, 9), nr / 512 - 1);
	assert_int_equal(vmsim_page_alloc(vm, 9, &a), 0);
	assert_int_equal(vmsim_page_alloc(vm, 9, &b), 0);
	assert_int_equal(a, 512);
	assert_int_equal(b, 1024);
	assert_int_equal(vmsim_page_free(vm, a, 9), 0);
	assert_int_equal(vmsim_page_alloc(vm, 9, &c), 0);
	assert_int_equal(c, a);
	assert_int_equal(vmsim_host_bytes(vm), host);
	/* The first block of the second section brings its struct pages. */
	for (unsigned long i = 3; i < 64; i++)
		assert_int_equal(vmsim_page_alloc(vm, 9, &c), 0);
	assert_int_equal(vmsim_host_bytes(vm), host);
	assert_int_equal(vmsim_page_alloc(vm, 9, &c), 0);
	assert_int_equal(c, 32768);
	assert_int_equal(vmsim_host_bytes(vm), host + section);
	/* A free frame of a never-used section: memory failure takes it off
	 * the free lists (its section comes in); teardown gives it back. */
	last = nr - 1;
	assert_int_equal(vmsim_memory_failure(vm, last), 0);
	assert_true(vmsim_page_test(vmsim_pfn_to_page(vm, last), PG_hwpoison));
	assert_int_equal(vmsim_host_bytes(vm), host + 2 * section);
	assert_int_equal(vmsim_nr_free_pages(vm), nr - 1 - 64 * 512 - 1);
	/* Still the lowest never-used block next. */
	assert_int_equal(vmsim_page_alloc(vm, 9, &c), 0);
	assert_int_equal(c, 33280);
	for (unsigned long pfn = 512; pfn <= 33280; pfn += 512)
		assert_int_equal(vmsim_page_free(vm, pfn, 9), 0);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_initial_blocks),
		cmocka_unit_test(test_split_and_merge),
		cmocka_unit_test(test_exhaustion),
		cmocka_unit_test(test_bad_args),
		cmocka_unit_test(test_double_free_is_bug),
		cmocka_unit_test(test_leak_is_reported),
		cmocka_unit_test(test_frame_contents),
		cmocka_unit_test(test_data_off),
		cmocka_unit_test(test_zero_page_write_is_einval),
		cmocka_unit_test(test_sparse_memmap),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
