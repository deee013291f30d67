/* Unit tests: hugetlbfs files (mm/hugetlbfs.c, fs/hugetlbfs/inode.c of
 * Linux 6.18): the file size a 2 MiB multiple, mmap at a huge page
 * aligned address and offset with its length rounded up and reserved, a
 * writable mapping growing the file, read() (holes as zeros, EOF), no
 * write(), hole punch (whole pages unmapped everywhere, private copies
 * too, and freed; partial pages zeroed) and truncate (huge page aligned
 * only; SIGBUS past the end).  The pool, faults, reservations and PMD
 * sharing are test_mm_hugetlb.c's. */
#define TU_UNIT_MACHINE "ram=1280M check=full hugepages=520"
#include "unitfix.h"

#define M2 (2ULL << 20)
#define G1 (1ULL << 30)
#define B 0x7f0000000000ULL	/* 1 GiB aligned */
#define SH (VMSIM_MAP_SHARED)
#define PR (VMSIM_MAP_PRIVATE)

static struct vmsim_file *hfile(const char *name, uint64_t size)
{
	struct vmsim_file *f;

	assert_int_equal(vmsim_file_new(vm, name, VMSIM_FILE_HUGETLB, size, &f), 0);
	return f;
}

static unsigned long free_huge(void)
{
	unsigned long fr;

	vmsim_hugetlb_pool(vm, &fr, NULL);
	return fr;
}

static unsigned long resv_huge(void)
{
	unsigned long r;

	vmsim_hugetlb_pool(vm, NULL, &r);
	return r;
}

static void test_pool_and_alignment(void **state)
{
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_hugetlb_pool(vm, NULL, NULL), 520);
	assert_int_equal(free_huge(), 520);
	assert_int_equal(vmsim_file_new(vm, "G", VMSIM_FILE_HUGETLB, 3 << 20, NULL), -EINVAL);
	f = hfile("H", 4 << 20);
	assert_int_equal(vmsim_mmap(mm, B + P, M2, RW, SH, f, 0), -EINVAL);
	assert_int_equal(vmsim_mmap(mm, B, M2, RW, SH, f, P), -EINVAL);
	/* The length rounds up to the huge page. */
	assert_int_equal(vmsim_mmap(mm, B, P, RW, SH, f, 0), 0);
	assert_int_equal(resv_huge(), 1);
	assert_int_equal(tu_write(mm, B + M2 - 1, 1), 0);
	assert_int_equal(free_huge(), 519);
	assert_int_equal(resv_huge(), 0);
	/* munmap must cut at a huge page boundary. */
	assert_int_equal(vmsim_munmap(mm, B, P), -EINVAL);
	assert_int_equal(vmsim_munmap(mm, B, M2), 0);
	/* The page stays in the file. */
	assert_int_equal(free_huge(), 519);
	assert_int_equal(vmsim_file_write(f, 0, "x", 1), -EINVAL);
}

/* hugetlbfs_file_mmap(): a writable mapping past the end of the file makes
 * the file that long (i_size_write); a read-only one does not.  read()
 * stops at EOF and reads holes as zeros (hugetlbfs_read_iter). */
static void test_mmap_grows_file_and_read(void **state)
{
	struct vmsim_file *f = hfile("H", M2);
	unsigned char buf[8] = { 1, 1, 1, 1, 1, 1, 1, 1 };

	(void)state;
	assert_int_equal(vmsim_mmap(mm, B, 2 * M2, RO, SH, f, 0), 0);
	assert_int_equal(vmsim_file_size(f), M2);
	assert_int_equal(vmsim_mmap(mm, B + 4 * M2, 2 * M2, RW, SH, f, 0), 0);
	assert_int_equal(vmsim_file_size(f), 2 * M2);
	assert_int_equal(tu_write(mm, B + 4 * M2 + M2 + 3, 0x77), 0);
	assert_int_equal(vmsim_file_read(f, M2, buf, 8), 8);
	assert_int_equal(buf[3], 0x77);
	assert_int_equal(buf[0], 0);
	assert_int_equal(vmsim_file_read(f, 0, buf, 8), 8);	/* a hole */
	assert_int_equal(buf[3], 0);
	assert_int_equal(vmsim_file_read(f, 2 * M2 - 4, buf, 8), 4);	/* EOF */
	assert_int_equal(vmsim_file_read(f, 2 * M2, buf, 8), 0);
	/* The read-only mapping sees the same page. */
	assert_int_equal(tu_read(mm, B + M2 + 3), 0x77);
}

/* hugetlbfs_punch_hole(): whole huge pages in the hole leave every
 * mapping, private copies too (__unmap_hugepage_range zaps every pte of
 * the range), then the file, their pages and reservations back to the
 * pool; a partly covered huge page only has those bytes zeroed:
 *
 *   file   [ 0 | 1 ]        two huge pages, both written
 *   punch      [ hole ..... one whole page: page 1 goes
 *   punch  [.x.]            4K inside page 0: zeroed, the page stays
 */
static void test_punch(void **state)
{
	struct vmsim_file *f = hfile("H", 2 * M2);
	unsigned long free0;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, B, 2 * M2, RW, SH, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, B + 4 * M2, 2 * M2, RW, PR, f, 0), 0);
	assert_int_equal(tu_write(mm, B + 100, 0x11), 0);
	assert_int_equal(tu_write(mm, B + 5000, 0x22), 0);
	assert_int_equal(tu_write(mm, B + M2, 0x33), 0);
	assert_int_equal(tu_write(mm, B + 4 * M2 + M2, 0x44), 0);	/* a private copy of page 1 */
	free0 = free_huge();
	assert_int_equal(vmsim_file_punch(f, M2, M2), 0);
	assert_int_equal(free_huge(), free0 + 2);
	assert_false(tu_pm(mm, B + M2) & PM_PRESENT);
	assert_false(tu_pm(mm, B + 4 * M2 + M2) & PM_PRESENT);
	assert_int_equal(tu_read(mm, B + M2), 0);
	assert_int_equal(tu_read(mm, B + 4 * M2 + M2), 0);
	free0 = free_huge();
	assert_int_equal(vmsim_file_punch(f, P, P), 0);
	assert_int_equal(free_huge(), free0);
	assert_int_equal(tu_read(mm, B + 100), 0x11);
	assert_int_equal(tu_read(mm, B + 5000), 0);
	assert_true(tu_pm(mm, B) & PM_PRESENT);
}

/* hugetlb_vmtruncate(): only to a huge page boundary (EINVAL otherwise,
 * hugetlbfs_setattr); the pages past the new end leave every mapping and
 * the pool gets them back; an access there is SIGBUS. */
static void test_truncate(void **state)
{
	struct vmsim_file *f = hfile("H", 2 * M2);
	unsigned long free0;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, B, 2 * M2, RW, SH, f, 0), 0);
	assert_int_equal(tu_write(mm, B, 1), 0);
	assert_int_equal(tu_write(mm, B + M2, 2), 0);
	assert_int_equal(vmsim_file_truncate(f, M2 + P), -EINVAL);
	assert_int_equal(vmsim_file_size(f), 2 * M2);
	free0 = free_huge();
	assert_int_equal(vmsim_file_truncate(f, M2), 0);
	assert_int_equal(vmsim_file_size(f), M2);
	assert_int_equal(free_huge(), free0 + 1);
	assert_int_equal(tu_read(mm, B), 1);
	assert_int_equal(tu_read(mm, B + M2), -VMSIM_ACCESS_SIGBUS);
	/* Growing it again brings a hole, not the old page. */
	assert_int_equal(vmsim_file_truncate(f, 2 * M2), 0);
	assert_int_equal(tu_read(mm, B + M2), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_pool_and_alignment),
		TU_TEST(test_mmap_grows_file_and_read),
		TU_TEST(test_punch),
		TU_TEST(test_truncate),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
