/* Unit tests: madvise (mm/madvise.c of Linux 6.18), advice by advice:
 * DONTNEED zaps (private COW copies too, guard markers stay), REMOVE
 * punches shared file memory, WILLNEED reads a disk file into the page
 * cache, COLD ages pages mapped once, PAGEOUT reclaims what it can without
 * swap, POPULATE_READ/WRITE fault in as GUP does, GUARD_INSTALL/REMOVE.
 * Argument checks as madvise() does them; a hole gives -ENOMEM after the
 * rest was advised.  Pictures: one character a page; A, B...: vmas, '#':
 * guard markers, '.': no vma; 1 present, 0 not. */
#include "unitfix.h"

static pte_t pte_at(uint64_t addr)
{
	pte_t *ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), addr, false);

	return ptep ? ptep_get(ptep) : __pte(0);
}

static void test_arguments(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, pg(0) + 1, P, VMSIM_MADV_DONTNEED), -EINVAL);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, 12345), -EINVAL);
	assert_int_equal(vmsim_madvise(mm, pg(0), 0, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(vmsim_madvise(mm, pg(0), ~0ULL - pg(0), VMSIM_MADV_DONTNEED), -EINVAL);
	assert_int_equal(vmsim_madvise(NULL, pg(0), P, VMSIM_MADV_DONTNEED), -EINVAL);
	/* A hole anywhere in the range: ENOMEM, but the mapped part is done. */
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(vmsim_madvise(mm, pg(1), 3 * P, VMSIM_MADV_DONTNEED), -ENOMEM);
	assert_false(tu_pm(mm, pg(1)) & PM_PRESENT);
	assert_int_equal(vmsim_madvise(mm, pg(8), P, VMSIM_MADV_DONTNEED), -ENOMEM);
}

static void test_dontneed(void **state)
{
	struct vmsim_file *f;
	unsigned char b = 0x33;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	assert_int_equal(vmsim_file_write(f, 0, &b, 1), 1);
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(2), P, RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(3), P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(2), 2), 0);	/* a private copy */
	assert_int_equal(tu_write(mm, pg(3) + 1, 3), 0);	/* into the file */
	assert_string_equal(tu_present(mm, pg(0), 4), "1011");
	assert_int_equal(vmsim_madvise(mm, pg(0), 4 * P, VMSIM_MADV_DONTNEED), 0);
	/*
	 * 0123
	 * 0000	everything zapped, the vmas stay
	 */
	assert_string_equal(tu_present(mm, pg(0), 4), "0000");
	assert_string_equal(tu_vmas(mm, pg(0), 4), "AABC");
	assert_int_equal(tu_read(mm, pg(0)), 0);	/* anon: zero-fill again */
	assert_int_equal(tu_read(mm, pg(2)), 0x33);	/* private: the file again */
	assert_int_equal(tu_read(mm, pg(3) + 1), 3);	/* shared: the file kept it */
}

static void test_dontneed_on_locked_is_einval(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON | VMSIM_MAP_LOCKED, NULL, 0), 0);
	assert_true(tu_pm(mm, pg(0)) & PM_PRESENT);	/* MAP_LOCKED populates */
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_DONTNEED), -EINVAL);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_COLD), -EINVAL);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_PAGEOUT), -EINVAL);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_GUARD_INSTALL), -EINVAL);
	assert_true(tu_pm(mm, pg(0)) & PM_PRESENT);
}

static void test_remove(void **state)
{
	struct vmsim_file *f;
	unsigned char buf[4 * 4096], b = 1;

	(void)state;
	memset(buf, 0x44, sizeof(buf));
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	assert_int_equal(vmsim_file_write(f, 0, buf, sizeof(buf)), (long)sizeof(buf));
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(8), 4 * P, RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(16), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_read(mm, pg(1)), 0x44);
	assert_int_equal(vmsim_madvise(mm, pg(1), 2 * P, VMSIM_MADV_REMOVE), 0);
	/* A hole in the file now: pages 1 and 2 read as zeros, 0 and 3 stay. */
	assert_int_equal(vmsim_file_cached_pages(f), 2);
	assert_int_equal(vmsim_file_read(f, P, &b, 1), 1);
	assert_int_equal(b, 0);
	assert_int_equal(tu_read(mm, pg(2)), 0);
	assert_int_equal(tu_read(mm, pg(3)), 0x44);
	/* vma_is_shared_maywrite() or EACCES; no file: EINVAL. */
	assert_int_equal(vmsim_madvise(mm, pg(8), P, VMSIM_MADV_REMOVE), -EACCES);
	assert_int_equal(vmsim_madvise(mm, pg(16), P, VMSIM_MADV_REMOVE), -EINVAL);
}

static void test_willneed_reads_disk_file(void **state)
{
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, 8 * P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 8 * P, RO, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_file_cached_pages(f), 0);
	assert_int_equal(vmsim_madvise(mm, pg(2), 3 * P, VMSIM_MADV_WILLNEED), 0);
	/* In the page cache, not mapped. */
	assert_true(vmsim_file_cached_pages(f) >= 3);
	assert_string_equal(tu_present(mm, pg(0), 8), "00000000");
	/* Anonymous memory: nothing to read, no error. */
	assert_int_equal(vmsim_mmap(mm, pg(16), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, pg(16), P, VMSIM_MADV_WILLNEED), 0);
	assert_false(tu_pm(mm, pg(16)) & PM_PRESENT);
}

/* madvise_cold_or_pageout_pte_range(): pages mapped once lose their young
 * bit; pages shared with another process are left alone. */
static void test_cold(void **state)
{
	struct vmsim_mm *child;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(tu_write(mm, pg(0), 2), 0);	/* pg 0: the parent's own again */
	assert_true(pte_young(pte_at(pg(0))));
	assert_true(pte_young(pte_at(pg(1))));
	assert_int_equal(vmsim_madvise(mm, pg(0), 2 * P, VMSIM_MADV_COLD), 0);
	assert_false(pte_young(pte_at(pg(0))));
	assert_true(pte_young(pte_at(pg(1))));
	assert_string_equal(tu_present(mm, pg(0), 2), "11");
	vmsim_mm_exit(child);
}

/* Without swap only file pages can go: a disk file's page mapped once is
 * unmapped; being dirty it stays in the page cache (shrink_folio_list:
 * only kswapd writes file folios back, madvise's reclaim marks and keeps
 * them; checked on the host); anonymous memory stays. */
static void test_pageout(void **state)
{
	struct vmsim_file *f;
	unsigned char b = 0;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(4), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 0x21), 0);
	assert_int_equal(tu_write(mm, pg(4), 0x22), 0);
	assert_int_equal(vmsim_madvise(mm, pg(0), 5 * P, VMSIM_MADV_PAGEOUT), -ENOMEM);	/* hole 1..3 */
	assert_false(tu_pm(mm, pg(0)) & PM_PRESENT);
	assert_int_equal(vmsim_file_cached_pages(f), 1);
	assert_true(tu_pm(mm, pg(4)) & PM_PRESENT);
	assert_int_equal(vmsim_file_read(f, 0, &b, 1), 1);
	assert_int_equal(b, 0x21);
	assert_int_equal(tu_read(mm, pg(0)), 0x21);
}

static void test_populate(void **state)
{
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 2 * P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, pg(0), 2 * P, VMSIM_MADV_POPULATE_READ), 0);
	assert_int_equal(tu_pfn(mm, pg(1)), vmsim_zero_pfn(vm));
	assert_int_equal(vmsim_madvise(mm, pg(0), 2 * P, VMSIM_MADV_POPULATE_WRITE), 0);
	assert_int_not_equal(tu_pfn(mm, pg(1)), vmsim_zero_pfn(vm));
	assert_true(tu_pm(mm, pg(1)) & PM_MMAP_EXCLUSIVE);
	/* Permissions: EINVAL, nothing done. */
	assert_int_equal(vmsim_mmap(mm, pg(4), P, RO, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(5), P, VMSIM_PROT_NONE, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, pg(4), P, VMSIM_MADV_POPULATE_WRITE), -EINVAL);
	assert_int_equal(vmsim_madvise(mm, pg(5), P, VMSIM_MADV_POPULATE_READ), -EINVAL);
	assert_string_equal(tu_present(mm, pg(4), 2), "00");
	/* A hole: ENOMEM, what came before it is populated. */
	assert_int_equal(vmsim_mmap(mm, pg(8), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, pg(8), 4 * P, VMSIM_MADV_POPULATE_WRITE), -ENOMEM);
	assert_string_equal(tu_present(mm, pg(8), 2), "11");
	/* A fault that fails (past EOF): EFAULT. */
	assert_int_equal(vmsim_mmap(mm, pg(16), 4 * P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_madvise(mm, pg(16), 4 * P, VMSIM_MADV_POPULATE_READ), -EFAULT);
	assert_string_equal(tu_present(mm, pg(16), 4), "1100");
}

static void test_guard_install_and_remove(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 8 * P, RW, ANON, NULL, 0), 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(tu_write(mm, pg(i), (unsigned char)(i + 1)), 0);
	assert_int_equal(vmsim_madvise(mm, pg(2), 3 * P, VMSIM_MADV_GUARD_INSTALL), 0);
	/*
	 * 01234567
	 * AA###AAA	one vma still; the pages under the markers are gone
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AA###AAA");
	assert_int_equal(tu_nr_vmas(mm), 1);
	assert_int_equal(tu_pm(mm, pg(3)) & (PM_PRESENT | PM_SWAP | PM_GUARD_REGION), PM_SWAP | PM_GUARD_REGION);
	assert_int_equal(tu_read(mm, pg(3)), -VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(tu_write(mm, pg(4), 1), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(vmsim_madvise(mm, pg(0), 8 * P, VMSIM_MADV_POPULATE_WRITE), -EFAULT);
	/* DONTNEED leaves markers (zap without ZAP_FLAG_DROP_MARKER). */
	assert_int_equal(vmsim_madvise(mm, pg(0), 8 * P, VMSIM_MADV_DONTNEED), 0);
	/*
	 * 01234567
	 * AA###AAA
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AA###AAA");
	assert_int_equal(vmsim_madvise(mm, pg(3), P, VMSIM_MADV_GUARD_REMOVE), 0);
	/*
	 * 01234567
	 * AA#A#AAA	page 3 is ordinary memory again, zero-filled
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AA#A#AAA");
	assert_int_equal(tu_read(mm, pg(3)), 0);
	/* munmap drops what it unmaps; a new mapping there is clean. */
	assert_int_equal(vmsim_munmap(mm, pg(0), 8 * P), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 8 * P, RW, ANON, NULL, 0), 0);
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AAAAAAAA");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_arguments),
		TU_TEST(test_dontneed),
		TU_TEST(test_dontneed_on_locked_is_einval),
		TU_TEST(test_remove),
		TU_TEST(test_willneed_reads_disk_file),
		TU_TEST(test_cold),
		TU_TEST(test_pageout),
		TU_TEST(test_populate),
		TU_TEST(test_guard_install_and_remove),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
