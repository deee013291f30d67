/* Sim tests: file mappings and the page cache.  Fault-around windows follow
 * mm/memory.c do_fault_around(): fault_around bytes (64K = 16 pages),
 * aligned down, clamped to the vma and to the pte table; only pages already
 * in the page cache are mapped. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "simfixture.h"

#define A 0x7f0000000000ULL	/* 2 MiB aligned */
#define P 4096ULL

static struct vmsim_file *f;

static void setup(void)
{
	static unsigned char buf[64 * 4096];

	tu_sim_setup();
	ck_assert_int_eq(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 64 * P, &f), 0);
	memset(buf, 0x63, sizeof(buf));
	ck_assert_int_eq(vmsim_file_write(f, 0, buf, sizeof(buf)), (long)sizeof(buf));
	ck_assert_uint_eq(vmsim_file_cached_pages(f), 64);
}

/* Which of n pages from addr are present, as a string of 1s and 0s. */
static const char *present(uint64_t addr, unsigned n)
{
	static char s[128];

	for (unsigned i = 0; i < n; i++)
		s[i] = (tu_pm(mm, addr + i * P) & PM_PRESENT) ? '1' : '0';
	s[n] = 0;
	return s;
}

START_TEST(fault_around_window)
{
	ck_assert_int_eq(vmsim_mmap(mm, A, 64 * P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(tu_read(mm, A + 5 * P), 0x63);
	/* pages 0..15: the aligned 16-page window around page 5 */
	ck_assert_str_eq(present(A, 20), "11111111111111110000");
	ck_assert(tu_pm(mm, A) & PM_FILE);
	/* mapped once each, so exclusive in pagemap's sense */
	ck_assert(tu_pm(mm, A) & PM_MMAP_EXCLUSIVE);
}
END_TEST

START_TEST(fault_around_clamped_to_vma)
{
	/* vma = file pages 3..22 at A+3P: the window starts at the vma start. */
	ck_assert_int_eq(vmsim_mmap(mm, A + 3 * P, 20 * P, VMSIM_PROT_READ, VMSIM_MAP_PRIVATE, f, 3 * P), 0);
	ck_assert_int_eq(tu_read(mm, A + 5 * P), 0x63);
	ck_assert_str_eq(present(A + 3 * P, 20), "11111111111111110000");
	/* A short vma: the window ends with it. */
	ck_assert_int_eq(vmsim_mmap(mm, A + 0x100000, 8 * P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(tu_read(mm, A + 0x100000 + 5 * P), 0x63);
	ck_assert_str_eq(present(A + 0x100000, 8), "11111111");
}
END_TEST

START_TEST(fault_around_stops_at_pmd)
{
	uint64_t start = A + 0x200000 - 8 * P;

	ck_assert_int_eq(vmsim_mmap(mm, start, 32 * P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(tu_read(mm, A + 0x200000 - 2 * P), 0x63);
	/* 8 pages up to the 2 MiB boundary; nothing in the next pte table. */
	ck_assert_str_eq(present(start, 16), "1111111100000000");
}
END_TEST

START_TEST(fault_around_only_cached_pages)
{
	struct vmsim_file *g;
	unsigned char b = 1;

	ck_assert_int_eq(vmsim_file_new(vm, "g", VMSIM_FILE_SHMEM, 64 * P, &g), 0);
	for (int i = 0; i <= 4; i += 2)
		ck_assert_int_eq(vmsim_file_write(g, i * P, &b, 1), 1);
	ck_assert_int_eq(vmsim_mmap(mm, A, 16 * P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, g, 0), 0);
	ck_assert_int_eq(tu_read(mm, A + P), 0);
	/* 0, 2, 4 from the cache; 1 allocated by the fault itself. */
	ck_assert_str_eq(present(A, 8), "11101000");
	ck_assert_uint_eq(vmsim_file_cached_pages(g), 4);
}
END_TEST

START_TEST(fault_around_off)
{
	struct vmsim_config cfg;
	struct vmsim *vm2;
	struct vmsim_mm *mm2;
	struct vmsim_file *g;
	struct bug_log l2;
	unsigned char b = 1;
	uint64_t e;

	vmsim_config_init(&cfg);
	ck_assert_int_eq(vmsim_config_set(&cfg, "fault_around", "4K"), 0);
	ck_assert_int_eq(vmsim_config_set(&cfg, "ram", "8M"), 0);
	vm2 = tu_machine(&cfg, &l2);
	ck_assert_int_eq(vmsim_mm_new(vm2, &mm2), 0);
	ck_assert_int_eq(vmsim_file_new(vm2, "g", VMSIM_FILE_SHMEM, 4 * P, &g), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(vmsim_file_write(g, i * P, &b, 1), 1);
	ck_assert_int_eq(vmsim_mmap(mm2, A, 4 * P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, g, 0), 0);
	ck_assert_int_eq(tu_read(mm2, A), 1);
	vmsim_pagemap(mm2, A + P, 1, &e);
	ck_assert(!(e & PM_PRESENT));
	vmsim_free(vm2);
	ck_assert_uint_eq(l2.count, 0);
}
END_TEST

START_TEST(private_file_cow)
{
	unsigned char b;
	unsigned long cache_pfn;

	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	ck_assert_int_eq(tu_read(mm, A), 0x63);
	cache_pfn = tu_pfn(mm, A);
	ck_assert(tu_pm(mm, A) & PM_FILE);
	ck_assert_int_eq(tu_write(mm, A, 0x11), 0);
	/* COW: an anonymous copy; the file is untouched. */
	ck_assert_uint_ne(tu_pfn(mm, A), cache_pfn);
	ck_assert(!(tu_pm(mm, A) & PM_FILE));
	ck_assert(tu_pm(mm, A) & PM_MMAP_EXCLUSIVE);
	ck_assert_int_eq(vmsim_file_read(f, 0, &b, 1), 1);
	ck_assert_int_eq(b, 0x63);
	/* Write fault on a none pte of a private mapping: do_cow_fault. */
	ck_assert_int_eq(tu_write(mm, A + 3 * P, 0x22), 0);
	ck_assert(!(tu_pm(mm, A + 3 * P) & PM_FILE));
	ck_assert_int_eq(tu_read(mm, A + 3 * P + 1), 0x63);
	/* A hole punched in the file keeps the private copies (even_cows=0). */
	ck_assert_int_eq(vmsim_file_punch(f, 0, 4 * P), 0);
	ck_assert_int_eq(tu_read(mm, A), 0x11);
	ck_assert_int_eq(tu_read(mm, A + P), 0);
}
END_TEST

START_TEST(shared_write_reaches_file)
{
	struct vmsim_mm *other;
	unsigned char b;

	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(tu_write(mm, A + 1, 0x44), 0);
	ck_assert_int_eq(vmsim_file_read(f, 1, &b, 1), 1);
	ck_assert_int_eq(b, 0x44);
	ck_assert_int_eq(vmsim_mm_new(vm, &other), 0);
	ck_assert_int_eq(vmsim_mmap(other, A, 4 * P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(tu_read(other, A + 1), 0x44);
	ck_assert_uint_eq(tu_pfn(other, A), tu_pfn(mm, A));
	/* Mapped twice now: neither is exclusive. */
	ck_assert(!(tu_pm(mm, A) & PM_MMAP_EXCLUSIVE));
	/* write() through the file shows through both mappings. */
	b = 0x55;
	ck_assert_int_eq(vmsim_file_write(f, 2, &b, 1), 1);
	ck_assert_int_eq(tu_read(other, A + 2), 0x55);
	vmsim_mm_exit(other);
}
END_TEST

/* ksys_pread64/ksys_pwrite64: a negative loff_t is EINVAL (not end of
 * file, not EFBIG), and nothing is read or written. */
START_TEST(negative_offset_is_einval)
{
	unsigned char b = 0x5a;

	ck_assert_int_eq(vmsim_file_read(f, 1ULL << 63, &b, 1), -EINVAL);
	ck_assert_int_eq(vmsim_file_write(f, ~0ULL - 4095, &b, 1), -EINVAL);
	ck_assert_uint_eq(vmsim_file_size(f), 64 * P);
	ck_assert_int_eq(vmsim_file_read(f, 64 * P, &b, 1), 0);
}
END_TEST

START_TEST(sigbus_past_eof)
{
	ck_assert_int_eq(vmsim_mmap(mm, A, 128 * P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(tu_read(mm, A + 63 * P), 0x63);
	ck_assert_int_eq(tu_read(mm, A + 64 * P), -VMSIM_ACCESS_SIGBUS);
	ck_assert_int_eq(vmsim_file_truncate(f, 10 * P), 0);
	/* Truncation unmapped and dropped the pages past the end. */
	ck_assert(!(tu_pm(mm, A + 20 * P) & PM_PRESENT));
	ck_assert_int_eq(tu_read(mm, A + 20 * P), -VMSIM_ACCESS_SIGBUS);
	ck_assert_int_eq(tu_read(mm, A + 9 * P), 0x63);
}
END_TEST

START_TEST(punch_unmaps_shared)
{
	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(tu_read(mm, A + P), 0x63);
	ck_assert_int_eq(vmsim_file_punch(f, P, P), 0);
	ck_assert(!(tu_pm(mm, A + P) & PM_PRESENT));
	ck_assert(tu_pm(mm, A) & PM_PRESENT);
	ck_assert_int_eq(tu_read(mm, A + P), 0);
	ck_assert_uint_eq(vmsim_file_cached_pages(f), 64);
}
END_TEST

START_TEST(madvise_on_files)
{
	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 0x12), 0);
	/* DONTNEED on a shared mapping drops the pte, not the data. */
	ck_assert_int_eq(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_DONTNEED), 0);
	ck_assert(!(tu_pm(mm, A) & PM_PRESENT));
	ck_assert_int_eq(tu_read(mm, A), 0x12);
	/* REMOVE punches the hole: data gone. */
	ck_assert_int_eq(vmsim_madvise(mm, A, P, VMSIM_MADV_REMOVE), 0);
	ck_assert_int_eq(tu_read(mm, A), 0);
	ck_assert_int_eq(vmsim_madvise(mm, A, P, VMSIM_MADV_POPULATE_WRITE), 0);
	ck_assert(tu_pm(mm, A) & PM_PRESENT);
}
END_TEST

START_TEST(disk_read_around)
{
	struct vmsim_file *d;
	struct vmsim_config cfg;
	struct vmsim *vm2;
	struct vmsim_mm *mm2;
	struct bug_log l2;

	/* With this machine's read_ahead_kb (8 MiB, the default), read-around
	 * takes the whole 64-page file; filemap_fault() dropped mmap_lock for
	 * the I/O, so the fault is retried and fault-around maps the aligned
	 * 16-page window (what the host kernel shows: docs/fidelity.md). */
	ck_assert_int_eq(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, 64 * P, &d), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, 64 * P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, d, 0), 0);
	ck_assert_int_eq(tu_read(mm, A + 20 * P), 0);
	ck_assert_uint_eq(vmsim_file_cached_pages(d), 64);
	ck_assert_str_eq(present(A + 12 * P, 24), "000011111111111111110000");

	/* With a 128 KiB window (Linux's generic default): pages 4..35 are
	 * read, the one at 4 + 32 - 8 = 28 carries the readahead mark, and
	 * fault-around on the retry skips it. */
	vmsim_config_init(&cfg);
	ck_assert_int_eq(vmsim_config_set(&cfg, "readahead", "128K"), 0);
	ck_assert_int_eq(vmsim_config_set(&cfg, "ram", "8M"), 0);
	vm2 = tu_machine(&cfg, &l2);
	ck_assert_int_eq(vmsim_mm_new(vm2, &mm2), 0);
	ck_assert_int_eq(vmsim_file_new(vm2, "d", VMSIM_FILE_DISK, 64 * P, &d), 0);
	ck_assert_int_eq(vmsim_mmap(mm2, A, 64 * P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, d, 0), 0);
	ck_assert_int_eq(tu_read(mm2, A + 20 * P), 0);
	ck_assert_uint_eq(vmsim_file_cached_pages(d), 32);
	{
		char s2[17];

		for (int i = 0; i < 16; i++)
			s2[i] = (tu_pm(mm2, A + (16 + (uint64_t)i) * P) & PM_PRESENT) ? '1' : '0';
		s2[16] = 0;
		ck_assert_str_eq(s2, "1111111111110111");
	}
	vmsim_free(vm2);
	ck_assert_uint_eq(l2.count, 0);
}
END_TEST

/* Disk files write dirty pages back; clean, unmapped pages can then be
 * dropped, and the data comes back from the backing store. */
START_TEST(disk_writeback_and_drop)
{
	struct vmsim_file *d;
	unsigned char b = 0x77, r = 0;

	ck_assert_int_eq(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, 8 * P, &d), 0);
	ck_assert_int_eq(vmsim_file_write(d, 3 * P + 5, &b, 1), 1);
	ck_assert_int_eq(vmsim_mmap(mm, A, 8 * P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, d, 0), 0);
	ck_assert_int_eq(tu_read(mm, A + P), 0);
	ck_assert_uint_gt(vmsim_file_cached_pages(d), 0);
	ck_assert_int_eq(vmsim_file_drop_caches(d), 0);
	/* Every page the read-in and its retry's fault-around mapped (the
	 * whole 8-page file) stays; unmapped ones would have gone. */
	ck_assert(tu_pm(mm, A + 7 * P) & PM_PRESENT);
	ck_assert_uint_eq(vmsim_file_cached_pages(d), 8);
	ck_assert_int_eq(vmsim_munmap(mm, A + 4 * P, 4 * P), 0);
	ck_assert_int_eq(vmsim_file_drop_caches(d), 0);
	ck_assert_uint_eq(vmsim_file_cached_pages(d), 4);
	ck_assert_int_eq(vmsim_file_read(d, 3 * P + 5, &r, 1), 1);
	ck_assert_int_eq(r, 0x77);
	ck_assert_int_eq(tu_read(mm, A + 3 * P + 5), 0x77);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("file");
	TCase *tc = tcase_create("pagecache");

	tcase_add_checked_fixture(tc, setup, tu_sim_teardown);
	tcase_add_test(tc, fault_around_window);
	tcase_add_test(tc, fault_around_clamped_to_vma);
	tcase_add_test(tc, fault_around_stops_at_pmd);
	tcase_add_test(tc, fault_around_only_cached_pages);
	tcase_add_test(tc, fault_around_off);
	tcase_add_test(tc, private_file_cow);
	tcase_add_test(tc, shared_write_reaches_file);
	tcase_add_test(tc, sigbus_past_eof);
	tcase_add_test(tc, negative_offset_is_einval);
	tcase_add_test(tc, punch_unmaps_shared);
	tcase_add_test(tc, madvise_on_files);
	tcase_add_test(tc, disk_read_around);
	tcase_add_test(tc, disk_writeback_and_drop);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_check_main(suite());
}
