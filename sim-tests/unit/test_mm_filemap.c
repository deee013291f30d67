/* Unit tests: files and the page cache (mm/filemap.c, mm/shmem.c,
 * mm/truncate.c, mm/readahead.c of Linux 6.18): pread/pwrite through the
 * cache (a write past the end extends the file, a read stops at EOF, a
 * shmem hole reads as zeros without adding a page), readahead on a disk
 * file's read, hole punching (mapped pages unmapped, private COW copies
 * kept, partial pages zeroed), truncate (even COW copies go; SIGBUS past
 * the new end), and dropping a disk file's clean, unmapped pages. */
#include "unitfix.h"

static void test_create_and_lookup(void **state)
{
	struct vmsim_file *f, *g;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 3 * P + 5, &f), 0);
	assert_ptr_equal(vmsim_file_lookup(vm, "f"), f);
	assert_null(vmsim_file_lookup(vm, "g"));
	assert_int_equal(vmsim_file_size(f), 3 * P + 5);
	assert_int_equal(vmsim_file_cached_pages(f), 0);
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_DISK, P, &g), -EEXIST);
	assert_int_equal(vmsim_file_new(vm, "", VMSIM_FILE_SHMEM, P, &g), -EINVAL);
	assert_int_equal(vmsim_file_new(vm, NULL, VMSIM_FILE_SHMEM, P, &g), -EINVAL);
}

static void test_read_write(void **state)
{
	struct vmsim_file *f;
	unsigned char buf[16];

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 2 * P, &f), 0);
	/* A shmem hole reads as zeros and stays a hole. */
	memset(buf, 0xff, sizeof(buf));
	assert_int_equal(vmsim_file_read(f, P, buf, 16), 16);
	assert_int_equal(buf[0], 0);
	assert_int_equal(buf[15], 0);
	assert_int_equal(vmsim_file_cached_pages(f), 0);
	/* A write across a page boundary fills two pages. */
	memset(buf, 0x5e, sizeof(buf));
	assert_int_equal(vmsim_file_write(f, P - 8, buf, 16), 16);
	assert_int_equal(vmsim_file_cached_pages(f), 2);
	memset(buf, 0, sizeof(buf));
	assert_int_equal(vmsim_file_read(f, P - 4, buf, 8), 8);
	assert_int_equal(buf[0], 0x5e);
	assert_int_equal(buf[7], 0x5e);
	/* Reads stop at EOF; a write past it extends the file. */
	assert_int_equal(vmsim_file_read(f, 2 * P - 4, buf, 16), 4);
	assert_int_equal(vmsim_file_read(f, 2 * P, buf, 16), 0);
	assert_int_equal(vmsim_file_write(f, 4 * P, buf, 1), 1);
	assert_int_equal(vmsim_file_size(f), 4 * P + 1);
	/* ksys_pread64/pwrite64: a negative offset is EINVAL. */
	assert_int_equal(vmsim_file_read(f, ~0ULL, buf, 1), -EINVAL);
	assert_int_equal(vmsim_file_write(f, ~0ULL, buf, 1), -EINVAL);
	assert_int_equal(vmsim_file_read(f, 0, NULL, 1), -EFAULT);
}

/* A read of a disk file reads ahead: more than the page asked for, never
 * past EOF. */
static void test_disk_readahead(void **state)
{
	struct vmsim_file *d;
	unsigned char b;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, 64 * P, &d), 0);
	assert_int_equal(vmsim_file_read(d, 0, &b, 1), 1);
	assert_true(vmsim_file_cached_pages(d) > 1);
	assert_true(vmsim_file_cached_pages(d) <= 64);
	assert_int_equal(b, 0);
}

static void test_punch(void **state)
{
	struct vmsim_file *f;
	unsigned char buf[4 * 4096], b = 0;

	(void)state;
	memset(buf, 0x71, sizeof(buf));
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	assert_int_equal(vmsim_file_write(f, 0, buf, sizeof(buf)), (long)sizeof(buf));
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(8), 4 * P, RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0x71);		/* maps all four */
	assert_int_equal(tu_write(mm, pg(9), 0x72), 0);		/* a private copy */
	/* Punch [P + 100, 3P + 10): page 2 whole, the ends of 1 and 3 partly. */
	assert_int_equal(vmsim_file_punch(f, P + 100, 2 * P - 90), 0);
	/*
	 * 0123		shared mapping: only page 2's pte went
	 * 1101
	 */
	assert_string_equal(tu_present(mm, pg(0), 4), "1101");
	assert_int_equal(vmsim_file_cached_pages(f), 3);
	assert_int_equal(tu_read(mm, pg(1) + 99), 0x71);
	assert_int_equal(tu_read(mm, pg(1) + 100), 0);
	assert_int_equal(tu_read(mm, pg(2)), 0);
	assert_int_equal(tu_read(mm, pg(3) + 9), 0);
	assert_int_equal(tu_read(mm, pg(3) + 10), 0x71);
	/* The private copy survives the punch (even_cows = false). */
	assert_int_equal(tu_read(mm, pg(9)), 0x72);
	assert_int_equal(vmsim_file_read(f, P + 100, &b, 1), 1);
	assert_int_equal(b, 0);
	assert_int_equal(vmsim_file_punch(f, 0, 0), -EINVAL);
	assert_int_equal(vmsim_file_punch(f, 8 * P, P), 0);	/* past EOF: nothing */
	assert_int_equal(vmsim_file_size(f), 4 * P);		/* KEEP_SIZE */
}

static void test_truncate(void **state)
{
	struct vmsim_file *f;
	unsigned char buf[4 * 4096];

	(void)state;
	memset(buf, 0x31, sizeof(buf));
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	assert_int_equal(vmsim_file_write(f, 0, buf, sizeof(buf)), (long)sizeof(buf));
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0x31);
	assert_int_equal(tu_write(mm, pg(3), 0x32), 0);	/* a private copy past the new end */
	assert_int_equal(vmsim_file_truncate(f, P + 10), 0);
	assert_int_equal(vmsim_file_size(f), P + 10);
	assert_int_equal(vmsim_file_cached_pages(f), 2);
	/* Even the COW copy is unmapped; past EOF is SIGBUS now. */
	assert_string_equal(tu_present(mm, pg(0), 4), "1100");
	assert_int_equal(tu_read(mm, pg(3)), -VMSIM_ACCESS_SIGBUS);
	assert_int_equal(tu_read(mm, pg(2)), -VMSIM_ACCESS_SIGBUS);
	/* The tail of the last page is zeroed. */
	assert_int_equal(tu_read(mm, pg(1) + 9), 0x31);
	assert_int_equal(tu_read(mm, pg(1) + 10), 0);
	/* Growing again: zeros, no SIGBUS. */
	assert_int_equal(vmsim_file_truncate(f, 4 * P), 0);
	assert_int_equal(tu_read(mm, pg(3)), 0);
	assert_int_equal(tu_read(mm, pg(1) + 10), 0);
	/* A length that is negative as an off_t: EINVAL, nothing changes. */
	assert_int_equal(vmsim_file_truncate(f, 1ULL << 63), -EINVAL);
	assert_int_equal(vmsim_file_size(f), 4 * P);
}

static void test_drop_caches(void **state)
{
	struct vmsim_file *d, *s;
	unsigned char b = 0x11;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, 4 * P, &d), 0);
	assert_int_equal(vmsim_file_new(vm, "s", VMSIM_FILE_SHMEM, 4 * P, &s), 0);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(vmsim_file_write(d, i * P, &b, 1), 1);
		assert_int_equal(vmsim_file_write(s, i * P, &b, 1), 1);
	}
	assert_int_equal(vmsim_file_cached_pages(d), 4);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RO, VMSIM_MAP_SHARED, d, 2 * P), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0x11);
	assert_int_equal(vmsim_file_drop_caches(d), 0);
	/* Written back, then dropped, except the mapped page. */
	assert_int_equal(vmsim_file_cached_pages(d), 1);
	assert_true(tu_pm(mm, pg(0)) & PM_PRESENT);
	b = 0;
	assert_int_equal(vmsim_file_read(d, 3 * P, &b, 1), 1);
	assert_int_equal(b, 0x11);
	/* shmem has no backing store to drop to. */
	assert_int_equal(vmsim_file_drop_caches(s), 0);
	assert_int_equal(vmsim_file_cached_pages(s), 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_create_and_lookup),
		TU_TEST(test_read_write),
		TU_TEST(test_disk_readahead),
		TU_TEST(test_punch),
		TU_TEST(test_truncate),
		TU_TEST(test_drop_caches),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
