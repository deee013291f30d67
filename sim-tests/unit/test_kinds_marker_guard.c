/* Unit tests: the guard-region PTE marker (kinds/marker_guard.c; Linux
 * 6.13+ MADV_GUARD_INSTALL): its table entries (match, pagemap, describe)
 * and what mm does with it: any access is SIGSEGV, fork copies it (the
 * vma got an anon_vma at install), mprotect leaves it, DONTNEED and a hole
 * punch keep it, mremap moves it, munmap drops it.
 * Pictures: one character a page; A, B...: vmas, '#': guard markers. */
#include "unitfix.h"

static pte_t marker(pte_marker m)
{
	pte_t pte;

	assert_int_equal(vmsim_make_pte_marker(m, &pte), 0);
	return pte;
}

/* Ownership is data: the guard kind owns PTE_MARKER_GUARD with the
 * priority handle_pte_marker() gives it (after poison, before uffd-wp). */
static void test_table(void **state)
{
	const struct vmsim_kind *k = vmsim_kind_lookup(vm, "guard");
	char buf[64];

	(void)state;
	assert_non_null(k);
	assert_int_equal(vmsim_kind_marker(k), PTE_MARKER_GUARD);
	assert_ptr_equal(vmsim_kind_of(vm, marker(PTE_MARKER_GUARD)), k);
	assert_ptr_equal(vmsim_kind_of(vm, marker(PTE_MARKER_GUARD | PTE_MARKER_UFFD_WP)), k);
	/* A poisoned page is a poison marker first. */
	assert_ptr_equal(vmsim_kind_of(vm, marker(PTE_MARKER_GUARD | PTE_MARKER_POISONED)),
			 vmsim_kind_lookup(vm, "poison"));
	assert_ptr_not_equal(vmsim_kind_of(vm, marker(PTE_MARKER_UFFD_WP)), k);
	vmsim_kind_describe(vm, marker(PTE_MARKER_GUARD), buf, sizeof(buf));
	assert_string_equal(buf, "guard marker");
	vmsim_kind_describe(vm, marker(PTE_MARKER_GUARD | PTE_MARKER_UFFD_WP), buf, sizeof(buf));
	assert_string_equal(buf, "guard marker|uffd-wp marker");
}

static void test_access_fork_mprotect(void **state)
{
	struct vmsim_mm *child;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, pg(1), 2 * P, VMSIM_MADV_GUARD_INSTALL), 0);
	/*
	 * 0123
	 * A##A
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 4), "A##A");
	assert_int_equal(tu_read(mm, pg(1)), -VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(tu_write(mm, pg(2), 1), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(tu_write(mm, pg(3), 1), 0);
	/* Nothing but the markers in the vma: fork still copies them. */
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_string_equal(tu_vmas(child, pg(0), 4), "A##A");
	assert_int_equal(tu_read(child, pg(2)), -VMSIM_ACCESS_SIGSEGV);
	vmsim_mm_exit(child);
	/* change_pte_range() skips them. */
	assert_int_equal(vmsim_mprotect(mm, pg(0), 4 * P, RO), 0);
	assert_int_equal(vmsim_mprotect(mm, pg(0), 4 * P, RW), 0);
	assert_string_equal(tu_vmas(mm, pg(0), 4), "A##A");
	assert_int_equal(tu_read(mm, pg(1)), -VMSIM_ACCESS_SIGSEGV);
}

static void test_zaps(void **state)
{
	struct vmsim_file *f;
	unsigned char buf[4 * 4096];

	(void)state;
	memset(buf, 0x61, sizeof(buf));
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	assert_int_equal(vmsim_file_write(f, 0, buf, sizeof(buf)), (long)sizeof(buf));
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0x61);
	assert_int_equal(vmsim_madvise(mm, pg(1), P, VMSIM_MADV_GUARD_INSTALL), 0);
	/* The page cache keeps the data under the marker. */
	assert_int_equal(vmsim_file_cached_pages(f), 4);
	assert_int_equal(vmsim_madvise(mm, pg(0), 4 * P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(vmsim_file_punch(f, 0, 4 * P), 0);
	/*
	 * 0123	DONTNEED and a hole punch zap without dropping markers
	 * A#AA
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 4), "A#AA");
	assert_int_equal(vmsim_mremap(mm, pg(0), 4 * P, 4 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED,
				      pg(8)), 0);
	/*
	 * 0123456789ab	the marker moves with its pte
	 * ........A#AA
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 12), "........A#AA");
	assert_int_equal(tu_read(mm, pg(9)), -VMSIM_ACCESS_SIGSEGV);
	/* munmap drops it: a new mapping there is plain memory. */
	assert_int_equal(vmsim_munmap(mm, pg(8), 4 * P), 0);
	assert_int_equal(vmsim_mmap(mm, pg(8), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_pm(mm, pg(9)) & (PM_SWAP | PM_GUARD_REGION), 0);
	assert_int_equal(tu_read(mm, pg(9)), 0);
}

/* An existing page is zapped before the marker goes in; removing the
 * marker makes the address fault in afresh. */
static void test_install_over_page_and_remove(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 0x5a), 0);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_GUARD_INSTALL), 0);
	assert_false(tu_pm(mm, pg(0)) & PM_PRESENT);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_GUARD_REMOVE), 0);
	assert_int_equal(tu_pm(mm, pg(0)) & (PM_SWAP | PM_GUARD_REGION), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_table),
		TU_TEST(test_access_fork_mprotect),
		TU_TEST(test_zaps),
		TU_TEST(test_install_over_page_and_remove),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
