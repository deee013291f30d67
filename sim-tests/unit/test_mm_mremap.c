/* Unit tests: mremap(MREMAP_MAYMOVE | MREMAP_FIXED) with an unchanged
 * length (mm/mremap.c of Linux 6.18: mremap_to, move_vma, move_ptes,
 * remap_move): page-table entries move, frames stay; moved ptes are
 * soft-dirty; the target is unmapped first; several vmas move together
 * with their gaps kept; a range registered with userfaultfd (no
 * EVENT_REMAP) arrives unregistered and without uffd-wp.
 * Pictures: one character a page, A, B...: vmas, '.': no vma. */
#include "unitfix.h"

#define MOVE	(VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED)

static void test_move_keeps_frames(void **state)
{
	unsigned long f0, f1;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 2), 0);
	f0 = tu_pfn(mm, pg(0));
	f1 = tu_pfn(mm, pg(1));
	assert_int_equal(vmsim_mremap(mm, pg(0), 4 * P, 4 * P, MOVE, pg(16)), 0);
	/*
	 * 0123456789abcdef0123
	 * ................AAAA
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 20), "................AAAA");
	assert_int_equal(tu_pfn(mm, pg(16)), f0);
	assert_int_equal(tu_pfn(mm, pg(17)), f1);
	assert_string_equal(tu_present(mm, pg(16), 4), "1100");
	assert_int_equal(tu_read(mm, pg(17)), 2);
	assert_int_equal(tu_read(mm, pg(0)), -VMSIM_ACCESS_SIGSEGV);
}

/* move_soft_dirty_pte(): the new address was never seen clean. */
static void test_moved_pte_is_soft_dirty(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_false(tu_pm(mm, pg(0)) & PM_SOFT_DIRTY);
	assert_int_equal(vmsim_mremap(mm, pg(0), P, P, MOVE, pg(8)), 0);
	assert_true(tu_pm(mm, pg(8)) & PM_SOFT_DIRTY);
}

/* Part of a vma moves: the vma splits; moved back, the pieces rejoin (an
 * anonymous vma keeps its pgoff when it moves, so the offsets still line
 * up, and both pieces have the same anon_vma). */
static void test_part_moves_and_returns(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(3), 3), 0);
	assert_int_equal(vmsim_mremap(mm, pg(2), 2 * P, 2 * P, MOVE, pg(8)), 0);
	/*
	 * 0123456789
	 * AA......BB
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 10), "AA......BB");
	assert_int_equal(tu_read(mm, pg(9)), 3);
	assert_int_equal(vmsim_mremap(mm, pg(8), 2 * P, 2 * P, MOVE, pg(2)), 0);
	/*
	 * 0123456789
	 * AAAA......
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 10), "AAAA......");
	assert_int_equal(tu_read(mm, pg(3)), 3);
}

/* remap_move(): every vma of the range moves, the gaps between them are
 * kept, and what the target has in those gaps stays (checked on the host
 * kernel with the same steps as a .vms script). */
static void test_several_vmas_keep_gaps(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(3), 2 * P, RO, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(vmsim_mmap(mm, pg(18), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(18), 7), 0);
	assert_int_equal(vmsim_mmap(mm, pg(20), P, RW, ANON, NULL, 0), 0);
	/*
	 * 0123456789abcdef01234
	 * AA.BB.............C.D
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 21), "AA.BB.............C.D");
	assert_int_equal(vmsim_mremap(mm, pg(0), 5 * P, 5 * P, MOVE, pg(16)), 0);
	/*
	 * 0123456789abcdef01234
	 * ................AABCC	the old C stays in the gap (B now); the
	 *			old B (C now) replaced D
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 21), "................AABCC");
	assert_int_equal(tu_read(mm, pg(16)), 1);
	assert_int_equal(tu_read(mm, pg(18)), 7);
	assert_int_equal(tu_write(mm, pg(19), 1), VMSIM_ACCESS_SIGSEGV);	/* B is read-only */
}

static void test_errors(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mremap(mm, pg(0) + 1, P, P, MOVE, pg(8)), -EINVAL);
	assert_int_equal(vmsim_mremap(mm, pg(0), P, P, MOVE, pg(8) + 1), -EINVAL);
	assert_int_equal(vmsim_mremap(mm, pg(0), P, P, VMSIM_MREMAP_FIXED, pg(8)), -EINVAL);
	assert_int_equal(vmsim_mremap(mm, pg(0), P, P, MOVE | 0x100, pg(8)), -EINVAL);
	assert_int_equal(vmsim_mremap(mm, pg(0), 4 * P, 4 * P, MOVE, pg(2)), -EINVAL);	/* overlap */
	assert_int_equal(vmsim_mremap(mm, pg(0), P, 0, MOVE, pg(8)), -EINVAL);
	assert_int_equal(vmsim_mremap(mm, pg(5), P, P, MOVE, pg(8)), -EFAULT);	/* nothing there */
	assert_int_equal(vmsim_mremap(NULL, pg(0), P, P, MOVE, pg(8)), -EINVAL);
	/* Nothing moved. */
	assert_string_equal(tu_vmas(mm, pg(0), 12), "AAAA........");
}

/* mremap_userfaultfd_prep() without EVENT_REMAP: the new range is not
 * registered, and move_ptes() drops uffd-wp bits and markers (as the host
 * shows: sim-tests/fidelity/remap_uffd_wp.vms). */
static void test_uffd_registration_dropped(void **state)
{
	struct vmsim_uffd *u;
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 2 * P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	assert_int_equal(vmsim_uffd_register(u, pg(0), 2 * P, UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(vmsim_uffd_writeprotect(u, pg(0), 2 * P, true), 0);
	assert_true(tu_pm(mm, pg(0)) & PM_UFFD_WP);
	assert_int_equal(tu_pm(mm, pg(1)) & (PM_SWAP | PM_UFFD_WP), PM_SWAP | PM_UFFD_WP);	/* marker */
	assert_int_equal(vmsim_mremap(mm, pg(0), 2 * P, 2 * P, MOVE, pg(8)), 0);
	assert_true(tu_pm(mm, pg(8)) & PM_PRESENT);
	assert_false(tu_pm(mm, pg(8)) & PM_UFFD_WP);
	assert_false(tu_pm(mm, pg(9)) & (PM_SWAP | PM_UFFD_WP));
	assert_int_equal(vmsim_uffd_writeprotect(u, pg(8), 2 * P, true), -ENOENT);
	/* A write goes through: nothing is protected any more. */
	assert_int_equal(tu_write(mm, pg(8), 2), 0);
	vmsim_uffd_close(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_move_keeps_frames),
		TU_TEST(test_moved_pte_is_soft_dirty),
		TU_TEST(test_part_moves_and_returns),
		TU_TEST(test_several_vmas_keep_gaps),
		TU_TEST(test_errors),
		TU_TEST(test_uffd_registration_dropped),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
