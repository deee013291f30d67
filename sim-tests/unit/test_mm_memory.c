/* Unit tests: page faults (mm/memory.c) as Linux 6.18 handles them:
 * do_anonymous_page (the zero page on read, a new exclusive page on
 * write), do_wp_page (reuse an exclusive anon page, copy a shared one or
 * the zero page; shared mappings reuse and dirty), do_read_fault with
 * do_fault_around's window, do_cow_fault, do_shared_fault, SIGBUS past
 * EOF, and access_error's SIGSEGV.  Pictures: one character a page; 1
 * present, 0 not. */
#include "unitfix.h"

static unsigned long pfn(struct vmsim_mm *m, unsigned i)
{
	return tu_pfn(m, pg(i));
}

static struct vmsim_mm_stats stats(void)
{
	struct vmsim_mm_stats st;

	vmsim_mm_stats(mm, &st);
	return st;
}

/* A shmem file of n pages, every byte of page i equal to 0x10 + i. */
static struct vmsim_file *filled(const char *name, unsigned n)
{
	struct vmsim_file *f;
	unsigned char buf[4096];

	assert_int_equal(vmsim_file_new(vm, name, VMSIM_FILE_SHMEM, n * P, &f), 0);
	for (unsigned i = 0; i < n; i++) {
		memset(buf, 0x10 + i, sizeof(buf));
		assert_int_equal(vmsim_file_write(f, i * P, buf, sizeof(buf)), (long)sizeof(buf));
	}
	return f;
}

/* ---- anonymous memory ---- */

static void test_anon_read_maps_zero_page(void **state)
{
	uint64_t e;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0);
	e = tu_pm(mm, pg(0));
	assert_true(e & PM_PRESENT);
	assert_int_equal(e & PM_PFRAME_MASK, vmsim_zero_pfn(vm));
	/* No struct page behind it: neither exclusive nor file. */
	assert_false(e & (PM_MMAP_EXCLUSIVE | PM_FILE));
	assert_int_equal(stats().rss_anon, 0);
	assert_int_equal(stats().faults_anon, 1);
	/* The zero page is read-only: writing copies it (wp_page_copy). */
	assert_int_equal(tu_write(mm, pg(0) + 7, 0x5a), 0);
	assert_int_not_equal(pfn(mm, 0), vmsim_zero_pfn(vm));
	assert_true(tu_pm(mm, pg(0)) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(tu_read(mm, pg(0)), 0);
	assert_int_equal(tu_read(mm, pg(0) + 7), 0x5a);
	assert_int_equal(stats().rss_anon, 1);
	assert_int_equal(stats().faults_wp, 1);
}

static void test_anon_write_maps_new_page(void **state)
{
	unsigned long free0;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	free0 = vmsim_nr_free_pages(vm);
	assert_int_equal(tu_write(mm, pg(1) + 100, 3), 0);
	/*
	 * 01
	 * 01	only the written page; no zero page on the way
	 */
	assert_string_equal(tu_present(mm, pg(0), 2), "01");
	assert_int_not_equal(pfn(mm, 1), vmsim_zero_pfn(vm));
	assert_true(tu_pm(mm, pg(1)) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(tu_read(mm, pg(1) + 99), 0);	/* a new page is zeroed */
	assert_int_equal(stats().rss_anon, 1);
	assert_int_equal(stats().faults_wp, 0);
	/* One data page and the p4d, pud, pmd and pte tables below the pgd. */
	assert_int_equal(free0 - vmsim_nr_free_pages(vm), 5);
}

/* After fork the page is shared read-only; the first writer copies, and
 * the last one left reuses the original (wp_can_reuse_anon_folio). */
static void test_wp_copy_then_reuse(void **state)
{
	struct vmsim_mm *child;
	unsigned long orig;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	orig = pfn(mm, 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(pfn(child, 0), orig);
	assert_false(tu_pm(mm, pg(0)) & PM_MMAP_EXCLUSIVE);	/* mapcount 2 */
	assert_int_equal(tu_write(mm, pg(0), 2), 0);		/* parent copies */
	assert_int_not_equal(pfn(mm, 0), orig);
	assert_int_equal(tu_read(child, pg(0)), 1);
	assert_int_equal(tu_write(child, pg(0), 3), 0);	/* child reuses */
	assert_int_equal(pfn(child, 0), orig);
	assert_true(tu_pm(child, pg(0)) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(tu_read(mm, pg(0)), 2);
	assert_int_equal(tu_read(child, pg(0)), 3);
	vmsim_mm_exit(child);
}

/* A reference other than the mapping's (here a pin) forbids reuse. */
static void test_wp_extra_reference_copies(void **state)
{
	struct vmsim_mm *child;
	unsigned long orig;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	orig = pfn(mm, 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	vmsim_mm_exit(child);
	/* Mapped once again, but PageAnonExclusive was cleared by fork: reuse
	 * depends on the refcount alone, and a foreign reference blocks it. */
	vmsim_get_page(vm, vmsim_pfn_to_page(vm, orig));
	assert_int_equal(tu_write(mm, pg(0), 2), 0);
	assert_int_not_equal(pfn(mm, 0), orig);
	vmsim_put_page(vm, vmsim_pfn_to_page(vm, orig));
	assert_int_equal(tu_read(mm, pg(0)), 2);
}

static void test_access_error(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RO, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(1), P, VMSIM_PROT_NONE, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(tu_read(mm, pg(0)), 0);
	assert_int_equal(tu_read(mm, pg(1)), -VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(tu_read(mm, pg(2)), -VMSIM_ACCESS_SIGSEGV);	/* no vma */
	/* access_error() refuses before any fault handling: nothing mapped. */
	assert_false(tu_pm(mm, pg(1)) & PM_PRESENT);
}

/* A write to a present, writable but clean pte only sets D (no copy). */
static void test_spurious_write_keeps_page(void **state)
{
	unsigned long before;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	before = pfn(mm, 0);
	assert_int_equal(tu_write(mm, pg(0), 2), 0);
	assert_int_equal(pfn(mm, 0), before);
	assert_int_equal(stats().faults_wp, 0);
}

/* ---- file memory ---- */

/* do_fault_around(): fault_around_bytes (64K: 16 ptes) aligned down in
 * the pte table, clamped to the vma and the table; cached pages only. */
static void test_fault_around_window(void **state)
{
	struct vmsim_file *f = filled("f", 64);

	(void)state;
	/* The vma starts at page 3 of the table, maps file pages 0..39. */
	assert_int_equal(vmsim_mmap(mm, pg(3), 40 * P, RO, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_read(mm, pg(5)), 0x12);
	/*
	 * 0123456789abcdef0123456789abcdef0123456789abcdef	page index
	 * 000111111111111111100000000000000000000000000000
	 *
	 * The aligned window 0..15 begins before the vma: it starts at the
	 * vma instead, and is 16 pages long from there (3..18).
	 */
	assert_string_equal(tu_present(mm, pg(0), 48), "000" "1111111111111111" "00000000000000000000000000000");
	assert_int_equal(tu_read(mm, pg(37)), 0x10 + 34);
	/*
	 * 0123456789abcdef0123456789abcdef0123456789abcdef
	 * 000111111111111111100000000000001111111111100000
	 *
	 * Window 32..47, cut at the vma's end (page 43).
	 */
	assert_string_equal(tu_present(mm, pg(0), 48), "000" "1111111111111111" "0000000000000" "11111111111" "00000");
	assert_int_equal(tu_read(mm, pg(20)), 0x10 + 17);
	/*
	 * 0123456789abcdef0123456789abcdef0123456789abcdef
	 * 000111111111111111111111111111111111111111100000
	 *
	 * Window 16..31; 16..18 were mapped already and are left as they are.
	 */
	assert_string_equal(tu_present(mm, pg(0), 48), "000" "1111111111111111111111111111111111111111" "00000");
}

static void test_fault_around_stops_at_table(void **state)
{
	struct vmsim_file *f = filled("f", 32);

	(void)state;
	/* Pages 504..519 of the area: the pte table ends after 511. */
	assert_int_equal(vmsim_mmap(mm, pg(504), 16 * P, RO, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_read(mm, pg(505)), 0x11);
	/*
	 * 504     512     (page index)
	 * 11111111|00000000	no further than the pte table
	 */
	assert_string_equal(tu_present(mm, pg(504), 16), "1111111100000000");
}

static void test_fault_around_only_cached(void **state)
{
	struct vmsim_file *f;
	unsigned char b = 7;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 16 * P, &f), 0);
	assert_int_equal(vmsim_file_write(f, 2 * P, &b, 1), 1);
	assert_int_equal(vmsim_file_write(f, 9 * P, &b, 1), 1);
	assert_int_equal(vmsim_mmap(mm, pg(0), 16 * P, RO, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_read(mm, pg(4)), 0);
	/*
	 * 0123456789abcdef
	 * 0010100001000000	the cached pages 2 and 9, and the faulting 4
	 */
	assert_string_equal(tu_present(mm, pg(0), 16), "0010100001000000");
}

static void test_fault_around_off(void **state)
{
	struct vmsim_config cfg;
	struct vmsim *v2;
	struct vmsim_mm *m2;
	struct vmsim_file *f;
	struct bug_log log;
	unsigned char b = 1;

	(void)state;
	vmsim_config_init(&cfg);
	assert_int_equal(vmsim_config_set(&cfg, "ram", "8M"), 0);
	assert_int_equal(vmsim_config_set(&cfg, "fault_around", "4K"), 0);
	v2 = tu_machine(&cfg, &log);
	assert_non_null(v2);
	assert_int_equal(vmsim_mm_new(v2, &m2), 0);
	assert_int_equal(vmsim_file_new(v2, "f", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(vmsim_file_write(f, i * P, &b, 1), 1);
	assert_int_equal(vmsim_mmap(m2, pg(0), 4 * P, RO, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_read(m2, pg(1)), 1);
	assert_string_equal(tu_present(m2, pg(0), 4), "0100");
	vmsim_free(v2);
	assert_int_equal(log.count, 0);
}

/* Private file mapping: a read maps the cache page; a write (first or
 * after the read) gives the process its own anonymous copy. */
static void test_file_private_cow(void **state)
{
	struct vmsim_file *f = filled("f", 4);
	unsigned char b = 0;
	uint64_t e;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0x10);
	e = tu_pm(mm, pg(0));
	assert_true(e & PM_FILE);
	assert_int_equal(stats().rss_shmem, 4);	/* fault-around mapped all */
	assert_int_equal(tu_write(mm, pg(0), 0xee), 0);	/* do_wp_page: copy */
	e = tu_pm(mm, pg(0));
	assert_false(e & PM_FILE);
	assert_true(e & PM_MMAP_EXCLUSIVE);
	assert_int_equal(tu_read(mm, pg(0) + 1), 0x10);	/* the copy has the data */
	/* A write to a page never mapped: do_cow_fault. */
	assert_int_equal(vmsim_munmap(mm, pg(3), P), 0);
	assert_int_equal(vmsim_mmap(mm, pg(3), P, RW, VMSIM_MAP_PRIVATE, f, 3 * P), 0);
	assert_int_equal(tu_write(mm, pg(3), 0xdd), 0);
	assert_false(tu_pm(mm, pg(3)) & PM_FILE);
	assert_int_equal(tu_read(mm, pg(3) + 1), 0x13);
	assert_int_equal(stats().rss_anon, 2);
	/* The file never saw the writes. */
	assert_int_equal(vmsim_file_read(f, 0, &b, 1), 1);
	assert_int_equal(b, 0x10);
	assert_int_equal(vmsim_file_read(f, 3 * P, &b, 1), 1);
	assert_int_equal(b, 0x13);
}

/* Shared file mapping: writes reach the page cache, in place. */
static void test_file_shared_write(void **state)
{
	struct vmsim_file *f = filled("f", 4);
	unsigned char b = 0;
	unsigned long p0;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_write(mm, pg(2), 0x77), 0);	/* do_shared_fault */
	assert_int_equal(vmsim_file_read(f, 2 * P, &b, 1), 1);
	assert_int_equal(b, 0x77);
	assert_true(tu_pm(mm, pg(2)) & PM_FILE);
	assert_int_equal(tu_read(mm, pg(1)), 0x11);		/* read fault */
	p0 = pfn(mm, 1);
	assert_int_equal(tu_write(mm, pg(1), 0x66), 0);	/* wp_page_shared: reuse */
	assert_int_equal(pfn(mm, 1), p0);
	assert_int_equal(vmsim_file_read(f, P, &b, 1), 1);
	assert_int_equal(b, 0x66);
	assert_int_equal(stats().rss_anon, 0);
}

static void test_file_sigbus_past_eof(void **state)
{
	struct vmsim_file *f = filled("f", 2);

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_read(mm, pg(1)), 0x11);
	assert_int_equal(tu_read(mm, pg(2)), -VMSIM_ACCESS_SIGBUS);
	assert_int_equal(tu_write(mm, pg(3), 1), VMSIM_ACCESS_SIGBUS);
	/* Private mappings too: there is no page to copy from. */
	assert_int_equal(vmsim_mmap(mm, pg(8), 4 * P, RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(tu_write(mm, pg(10), 1), VMSIM_ACCESS_SIGBUS);
	assert_string_equal(tu_present(mm, pg(0), 4), "1100");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_anon_read_maps_zero_page),
		TU_TEST(test_anon_write_maps_new_page),
		TU_TEST(test_wp_copy_then_reuse),
		TU_TEST(test_wp_extra_reference_copies),
		TU_TEST(test_access_error),
		TU_TEST(test_spurious_write_keeps_page),
		TU_TEST(test_fault_around_window),
		TU_TEST(test_fault_around_stops_at_table),
		TU_TEST(test_fault_around_only_cached),
		TU_TEST(test_fault_around_off),
		TU_TEST(test_file_private_cow),
		TU_TEST(test_file_shared_write),
		TU_TEST(test_file_sigbus_past_eof),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
