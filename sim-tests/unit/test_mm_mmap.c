/* Unit tests: mmap and munmap (mm/mmap.c, mm/vma.c of Linux 6.18) for
 * MAP_FIXED_NOREPLACE placement: argument checks in do_mmap's order, the
 * new vma's flags, MAP_POPULATE / MAP_LOCKED population (__mm_populate:
 * private writable memory is written, PROT_NONE skipped), munmap splitting
 * vmas and freeing pages and page tables.
 * Pictures: one character a page; A, B...: vmas, '.': no vma. */
#include "unitfix.h"

/* The public VM_* values (<vmsim/mm_types.h>) are include/linux/mm.h's. */
_Static_assert(VM_READ == 0x1UL, "VM_READ as include/linux/mm.h");
_Static_assert(VM_WRITE == 0x2UL, "VM_WRITE as include/linux/mm.h");
_Static_assert(VM_EXEC == 0x4UL, "VM_EXEC as include/linux/mm.h");
_Static_assert(VM_SHARED == 0x8UL, "VM_SHARED as include/linux/mm.h");
_Static_assert(VM_MAYREAD == 0x10UL, "VM_MAYREAD as include/linux/mm.h");
_Static_assert(VM_MAYWRITE == 0x20UL, "VM_MAYWRITE as include/linux/mm.h");
_Static_assert(VM_MAYEXEC == 0x40UL, "VM_MAYEXEC as include/linux/mm.h");
_Static_assert(VM_MAYSHARE == 0x80UL, "VM_MAYSHARE as include/linux/mm.h");
_Static_assert(VM_LOCKED == 0x2000UL, "VM_LOCKED as include/linux/mm.h");
_Static_assert(VM_SOFTDIRTY == 0x08000000UL, "VM_SOFTDIRTY as include/linux/mm.h");

static struct vmsim_vma_info vma0(void)
{
	struct vmsim_vma_info v;

	assert_int_equal(vmsim_mm_vma(mm, 0, &v), 0);
	return v;
}

static void test_arguments(void **state)
{
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0) + 1, P, RW, ANON, NULL, 0), -EINVAL);
	assert_int_equal(vmsim_mmap(mm, pg(0), 0, RW, ANON, NULL, 0), -EINVAL);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_SHARED, f, 1), -EINVAL);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_ANONYMOUS, NULL, 0), -EINVAL);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_PRIVATE, NULL, 0), -EBADF);
	/* file_mmap_ok(): a file mapping must end below MAX_LFS_FILESIZE. */
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_SHARED, f, 1ULL << 63), -EOVERFLOW);
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, VMSIM_MAP_SHARED, f, (1ULL << 63) - P), -EOVERFLOW);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_SHARED, f, (1ULL << 63) - 2 * P), 0);
	assert_int_equal(vmsim_munmap(mm, pg(0), P), 0);
	assert_int_equal(vmsim_mmap(mm, vmsim_task_size(vm), P, RW, ANON, NULL, 0), -ENOMEM);
	assert_int_equal(vmsim_mmap(mm, vmsim_task_size(vm) - P, 2 * P, RW, ANON, NULL, 0), -ENOMEM);
	assert_int_equal(vmsim_mmap(NULL, pg(0), P, RW, ANON, NULL, 0), -EINVAL);
	assert_int_equal(tu_nr_vmas(mm), 0);
	/* The last page below TASK_SIZE is fine. */
	assert_int_equal(vmsim_mmap(mm, vmsim_task_size(vm) - P, P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, vmsim_task_size(vm) - 1, 1), 0);
}

static void test_noreplace(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(2), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 3 * P, RW, ANON, NULL, 0), -EEXIST);
	assert_int_equal(vmsim_mmap(mm, pg(3), P, RO, ANON, NULL, 0), -EEXIST);
	/* len is rounded up to pages: a byte at page 1 ends where page 2
	 * starts, a byte more would overlap. */
	assert_int_equal(vmsim_mmap(mm, pg(1), 1, RO, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), P + 1, RO, ANON, NULL, 0), -EEXIST);
	/*
	 * 01234
	 * .ABB.
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 5), ".ABB.");
}

static void test_new_vma_flags(void **state)
{
	struct vmsim_file *f;
	struct vmsim_vma_info v;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RO | VMSIM_PROT_EXEC, ANON, NULL, 0), 0);
	v = vma0();
	assert_int_equal(v.flags & 0xff, VM_READ | VM_EXEC | VM_MAYREAD | VM_MAYWRITE | VM_MAYEXEC);
	assert_true(v.flags & VM_SOFTDIRTY);
	assert_false(v.has_anon_vma);
	assert_null(v.file);
	assert_int_equal(vmsim_munmap(mm, pg(0), P), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, VMSIM_MAP_SHARED, f, 2 * P), 0);
	v = vma0();
	assert_int_equal(v.flags & 0xff, VM_READ | VM_WRITE | VM_SHARED | VM_MAYREAD | VM_MAYWRITE |
						 VM_MAYEXEC | VM_MAYSHARE);
	assert_string_equal(v.file, "f");
	assert_int_equal(v.pgoff, 2);
	assert_int_equal(v.start, pg(0));
	assert_int_equal(v.end, pg(2));
	assert_int_equal(vmsim_munmap(mm, pg(0), 2 * P), 0);
	/* Shared anonymous memory is an unnamed shmem file at offset 0. */
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	v = vma0();
	assert_true(v.flags & VM_SHARED);
	assert_int_equal(v.pgoff, 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_true(tu_pm(mm, pg(0)) & PM_FILE);
}

static void test_populate(void **state)
{
	struct vmsim_file *f;
	unsigned char b = 5;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 2 * P, &f), 0);
	assert_int_equal(vmsim_file_write(f, 0, &b, 1), 1);
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON | VMSIM_MAP_POPULATE, NULL, 0), 0);
	assert_string_equal(tu_present(mm, pg(0), 2), "11");
	assert_int_not_equal(tu_pfn(mm, pg(0)), vmsim_zero_pfn(vm));	/* written */
	assert_int_equal(vmsim_mmap(mm, pg(4), 2 * P, RO, ANON | VMSIM_MAP_POPULATE, NULL, 0), 0);
	assert_int_equal(tu_pfn(mm, pg(4)), vmsim_zero_pfn(vm));	/* read */
	assert_int_equal(vmsim_mmap(mm, pg(8), 2 * P, VMSIM_PROT_NONE, ANON | VMSIM_MAP_POPULATE, NULL, 0), 0);
	assert_string_equal(tu_present(mm, pg(8), 2), "00");
	/* A private file mapping that is writable is written: COW now. */
	assert_int_equal(vmsim_mmap(mm, pg(12), 2 * P, RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_POPULATE, f, 0), 0);
	assert_false(tu_pm(mm, pg(12)) & PM_FILE);
	/* A shared one is read: the page cache pages themselves. */
	assert_int_equal(vmsim_mmap(mm, pg(16), 2 * P, RW, VMSIM_MAP_SHARED | VMSIM_MAP_POPULATE, f, 0), 0);
	assert_true(tu_pm(mm, pg(16)) & PM_FILE);
	assert_int_equal(tu_read(mm, pg(16)), 5);
}

static void test_locked(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON | VMSIM_MAP_LOCKED, NULL, 0), 0);
	assert_true(vma0().flags & VM_LOCKED);
	assert_string_equal(tu_present(mm, pg(0), 2), "11");
}

static void test_munmap_splits_and_frees(void **state)
{
	unsigned long free0, tables0;
	struct vmsim_mm_stats st;

	(void)state;
	free0 = vmsim_nr_free_pages(vm);
	tables0 = vmsim_nr_pgtable_pages(vm);
	assert_int_equal(vmsim_mmap(mm, pg(0), 8 * P, RW, ANON, NULL, 0), 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(tu_write(mm, pg(i), 1), 0);
	assert_int_equal(vmsim_munmap(mm, pg(2), 3 * P), 0);
	/*
	 * 01234567
	 * AA...BBB
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AA...BBB");
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.rss_anon, 5);
	assert_int_equal(tu_read(mm, pg(3)), -VMSIM_ACCESS_SIGSEGV);
	/* A range with nothing in it is fine. */
	assert_int_equal(vmsim_munmap(mm, pg(2), 3 * P), 0);
	assert_int_equal(vmsim_munmap(mm, pg(0), 8 * P), 0);
	/* Every page and table below the pgd is back (free_pgtables). */
	assert_int_equal(vmsim_nr_free_pages(vm), free0);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), tables0);
	assert_int_equal(vmsim_munmap(mm, pg(0) + 1, P), -EINVAL);
	assert_int_equal(vmsim_munmap(mm, pg(0), 0), -EINVAL);
	assert_int_equal(vmsim_munmap(mm, vmsim_task_size(vm), 2 * P), -EINVAL);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_arguments),
		TU_TEST(test_noreplace),
		TU_TEST(test_new_vma_flags),
		TU_TEST(test_populate),
		TU_TEST(test_locked),
		TU_TEST(test_munmap_splits_and_frees),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
