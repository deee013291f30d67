/* Unit tests: pin_user_pages(FOLL_PIN | FOLL_LONGTERM) and unpin (mm/gup.c
 * of Linux 6.18): pages are faulted in as the access needs (a write pin
 * breaks COW, a read pin of a shared anonymous page unshares it first,
 * gup_must_unshare), a pin adds GUP_PIN_COUNTING_BIAS (1024) to a small
 * folio's refcount, the zero page is never pinned, a hole or a vma without
 * the right permission ends the pin (-EFAULT when nothing was pinned). */
#include "unitfix.h"

#define BIAS 1024

static int32_t refs(unsigned long pfn)
{
	return vmsim_pfn_to_page(vm, pfn)->refcount;
}

static void test_pin_faults_in_and_biases(void **state)
{
	unsigned long pfns[3];

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 3 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_pin_user_pages(mm, pg(0), 3, true, pfns), 3);
	assert_string_equal(tu_present(mm, pg(0), 3), "111");
	for (unsigned i = 0; i < 3; i++) {
		assert_int_equal(pfns[i], tu_pfn(mm, pg(i)));
		assert_int_not_equal(pfns[i], vmsim_zero_pfn(vm));
		assert_int_equal(refs(pfns[i]), 1 + BIAS);
	}
	vmsim_unpin_user_pages(vm, pfns, 3);
	for (unsigned i = 0; i < 3; i++)
		assert_int_equal(refs(pfns[i]), 1);
	/* Still mapped and intact after the unpin. */
	assert_int_equal(tu_write(mm, pg(1), 9), 0);
	assert_int_equal(tu_pfn(mm, pg(1)), pfns[1]);
}

static void test_read_pin_of_zero_page(void **state)
{
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_pin_user_pages(mm, pg(0), 1, false, &pfn), 1);
	assert_int_equal(pfn, vmsim_zero_pfn(vm));
	vmsim_unpin_user_pages(vm, &pfn, 1);	/* the zero page: nothing to undo */
	assert_int_equal(tu_log.count, 0);
}

/* A write pin of a page shared with a child breaks COW for the pinner. */
static void test_write_pin_breaks_cow(void **state)
{
	struct vmsim_mm *child;
	unsigned long orig, pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 5), 0);
	orig = tu_pfn(mm, pg(0));
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(vmsim_pin_user_pages(mm, pg(0), 1, true, &pfn), 1);
	assert_int_not_equal(pfn, orig);
	assert_int_equal(tu_pfn(mm, pg(0)), pfn);
	assert_int_equal(tu_pfn(child, pg(0)), orig);
	assert_int_equal(refs(pfn), 1 + BIAS);
	vmsim_unpin_user_pages(vm, &pfn, 1);
	vmsim_mm_exit(child);
}

/* gup_must_unshare(): a read pin of a shared anonymous page first gets the
 * pinner its own copy (FAULT_FLAG_UNSHARE), mapped read-only still, so a
 * later COW cannot move the process away from what the pin sees. */
static void test_read_pin_unshares(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_mm_stats st;
	unsigned long orig, pfn, wp;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 5), 0);
	orig = tu_pfn(mm, pg(0));
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(vmsim_pin_user_pages(mm, pg(0), 1, false, &pfn), 1);
	assert_int_not_equal(pfn, orig);
	assert_true(tu_pm(mm, pg(0)) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(tu_read(mm, pg(0)), 5);
	/* Unshared but not made writable: the write faults, then reuses the
	 * now exclusive page rather than copying it away from the pin. */
	vmsim_mm_stats(mm, &st);
	wp = st.faults_wp;
	assert_int_equal(tu_write(mm, pg(0), 6), 0);
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.faults_wp, wp + 1);
	assert_int_equal(tu_pfn(mm, pg(0)), pfn);
	assert_int_equal(tu_read(child, pg(0)), 5);
	vmsim_unpin_user_pages(vm, &pfn, 1);
	vmsim_mm_exit(child);
}

static void test_pin_stops_at_hole_and_permission(void **state)
{
	unsigned long pfns[4];

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(4), P, RO, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_pin_user_pages(mm, pg(0), 4, true, pfns), 2);	/* hole at 2 */
	vmsim_unpin_user_pages(vm, pfns, 2);
	assert_int_equal(vmsim_pin_user_pages(mm, pg(2), 1, true, pfns), -EFAULT);
	assert_int_equal(vmsim_pin_user_pages(mm, pg(4), 1, true, pfns), -EFAULT);	/* read-only */
	assert_int_equal(vmsim_pin_user_pages(mm, pg(4), 1, false, pfns), 1);
	vmsim_unpin_user_pages(vm, pfns, 1);
	assert_int_equal(vmsim_pin_user_pages(mm, pg(0) + 1, 1, true, pfns), -EINVAL);
	/* __get_user_pages(): nr_pages 0 pins nothing, successfully. */
	assert_int_equal(vmsim_pin_user_pages(mm, pg(0), 0, true, pfns), 0);
	assert_int_equal(vmsim_pin_user_pages(NULL, pg(0), 1, true, pfns), -EINVAL);
}

static void test_pin_file_page(void **state)
{
	struct vmsim_file *f;
	unsigned long pfn;
	unsigned char b = 0;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_pin_user_pages(mm, pg(0), 1, true, &pfn), 1);
	/* The page cache's reference, the mapping's, and the pin. */
	assert_int_equal(refs(pfn), 2 + BIAS);
	assert_true(tu_pm(mm, pg(0)) & PM_FILE);
	assert_int_equal(tu_write(mm, pg(0), 4), 0);
	assert_int_equal(vmsim_file_read(f, 0, &b, 1), 1);
	assert_int_equal(b, 4);
	vmsim_unpin_user_pages(vm, &pfn, 1);
	assert_int_equal(refs(pfn), 2);
}

/* A user's unpin of a page it never pinned is a bad argument: -EINVAL,
 * nothing unpinned, no bug report. */
static void test_unpin_unpinned_is_einval(void **state)
{
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	pfn = tu_pfn(mm, pg(0));
	assert_int_equal(vmsim_unpin_user_pages(vm, &pfn, 1), -EINVAL);
	assert_int_equal(tu_log.count, 0);
	assert_int_equal(refs(pfn), 1);		/* left alone */
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_pin_faults_in_and_biases),
		TU_TEST(test_read_pin_of_zero_page),
		TU_TEST(test_write_pin_breaks_cow),
		TU_TEST(test_read_pin_unshares),
		TU_TEST(test_pin_stops_at_hole_and_permission),
		TU_TEST(test_pin_file_page),
		TU_TEST(test_unpin_unpinned_is_einval),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
