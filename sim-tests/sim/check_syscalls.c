/* Sim tests: argument checking and partial effects of mmap, munmap,
 * mprotect, mremap and madvise, as Linux's do_mmap, __do_munmap,
 * do_mprotect_pkey, mremap and madvise return them; and guard regions
 * (MADV_GUARD_INSTALL, the first PTE-marker kind). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "simfixture.h"

#define A 0x7f0000000000ULL
#define P 4096ULL
#define ANON (VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)


static unsigned long nr_vmas(void)
{
	struct vmsim_mm_stats st;

	vmsim_mm_stats(mm, &st);
	return st.nr_vmas;
}

START_TEST(mmap_errors)
{
	struct vmsim_file *f;

	ck_assert_int_eq(vmsim_mmap(mm, A, 0, TU_PROT_RW, ANON, NULL, 0), -EINVAL);
	ck_assert_int_eq(vmsim_mmap(mm, A + 1, P, TU_PROT_RW, ANON, NULL, 0), -EINVAL);
	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_ANONYMOUS, NULL, 0), -EINVAL);
	ck_assert_int_eq(vmsim_mmap(mm, A, P, 0x10, ANON, NULL, 0), -EINVAL);
	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE, NULL, 0), -EBADF);
	/* Past TASK_SIZE (5 levels: 1 << 56) and wrapping lengths. */
	ck_assert_int_eq(vmsim_mmap(mm, 1ULL << 56, P, TU_PROT_RW, ANON, NULL, 0), -ENOMEM);
	ck_assert_int_eq(vmsim_mmap(mm, A, ~0ULL, TU_PROT_RW, ANON, NULL, 0), -ENOMEM);
	ck_assert_int_eq(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 100), -EINVAL);
	ck_assert_uint_eq(nr_vmas(), 0);
	/* Overlap is EEXIST, and changes nothing. */
	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A + 3 * P, 2 * P, TU_PROT_RW, ANON, NULL, 0), -EEXIST);
	ck_assert_int_eq(vmsim_mmap(mm, A - P, 2 * P, TU_PROT_RW, ANON, NULL, 0), -EEXIST);
	ck_assert_uint_eq(nr_vmas(), 1);
	ck_assert_int_eq(tu_read(mm, A), 1);
	/* An unaligned length is rounded up. */
	ck_assert_int_eq(vmsim_mmap(mm, A + 0x100000, 10, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A + 0x100000 + P - 1, 1), 0);
	ck_assert_int_eq(tu_read(mm, A + 0x100000 + P), -VMSIM_ACCESS_SIGSEGV);
}
END_TEST

START_TEST(mmap_merges_neighbours)
{
	ck_assert_int_eq(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A + 2 * P, 2 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_uint_eq(nr_vmas(), 1);
	ck_assert_int_eq(vmsim_mmap(mm, A + 4 * P, 2 * P, VMSIM_PROT_READ, ANON, NULL, 0), 0);
	ck_assert_uint_eq(nr_vmas(), 2);
	/* mprotect splits; restoring the protection merges again. */
	ck_assert_int_eq(vmsim_mprotect(mm, A + P, P, VMSIM_PROT_READ), 0);
	ck_assert_uint_eq(nr_vmas(), 4);
	ck_assert_int_eq(vmsim_mprotect(mm, A + P, P, TU_PROT_RW), 0);
	ck_assert_uint_eq(nr_vmas(), 2);
}
END_TEST

START_TEST(munmap_errors_and_split)
{
	ck_assert_int_eq(vmsim_munmap(mm, A + 1, P), -EINVAL);
	ck_assert_int_eq(vmsim_munmap(mm, A, 0), -EINVAL);
	ck_assert_int_eq(vmsim_munmap(mm, 1ULL << 57, P), -EINVAL);
	/* Unmapping nothing is fine. */
	ck_assert_int_eq(vmsim_munmap(mm, A, P), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	for (int i = 0; i < 4; i++)
		ck_assert_int_eq(tu_write(mm, A + i * P, (unsigned char)(i + 1)), 0);
	ck_assert_int_eq(vmsim_munmap(mm, A + P, 2 * P), 0);
	ck_assert_uint_eq(nr_vmas(), 2);
	ck_assert_int_eq(tu_read(mm, A), 1);
	ck_assert_int_eq(tu_read(mm, A + P), -VMSIM_ACCESS_SIGSEGV);
	ck_assert_int_eq(tu_read(mm, A + 2 * P), -VMSIM_ACCESS_SIGSEGV);
	ck_assert_int_eq(tu_read(mm, A + 3 * P), 4);
	ck_assert_uint_eq(tu_pm(mm, A + P), 0);
}
END_TEST

START_TEST(mprotect_errors_and_hole)
{
	ck_assert_int_eq(vmsim_mprotect(mm, A + 1, P, VMSIM_PROT_READ), -EINVAL);
	ck_assert_int_eq(vmsim_mprotect(mm, A, P, 0x100), -EINVAL);
	ck_assert_int_eq(vmsim_mprotect(mm, A, P, VMSIM_PROT_READ), -ENOMEM);
	ck_assert_int_eq(vmsim_mprotect(mm, A, 0, VMSIM_PROT_READ), 0);
	/*  0123      page index
	 *  AA.B      A, B: vmas; .: hole */
	ck_assert_int_eq(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A + 3 * P, P, TU_PROT_RW, ANON, NULL, 0), 0);
	/* The part before the hole changes, then ENOMEM. */
	ck_assert_int_eq(vmsim_mprotect(mm, A, 4 * P, VMSIM_PROT_READ), -ENOMEM);
	ck_assert_int_eq(tu_write(mm, A, 1), VMSIM_ACCESS_SIGSEGV);
	ck_assert_int_eq(tu_write(mm, A + P, 1), VMSIM_ACCESS_SIGSEGV);
	ck_assert_int_eq(tu_write(mm, A + 3 * P, 1), 0);
	/* PROT_NONE: no access at all; pagemap still says present. */
	ck_assert_int_eq(tu_write(mm, A + 3 * P, 1), 0);
	ck_assert_int_eq(vmsim_mprotect(mm, A + 3 * P, P, VMSIM_PROT_NONE), 0);
	ck_assert_int_eq(tu_read(mm, A + 3 * P), -VMSIM_ACCESS_SIGSEGV);
	ck_assert(tu_pm(mm, A + 3 * P) & PM_PRESENT);
	ck_assert_int_eq(vmsim_mprotect(mm, A + 3 * P, P, VMSIM_PROT_READ), 0);
	ck_assert_int_eq(tu_read(mm, A + 3 * P), 1);
}
END_TEST

START_TEST(mremap_errors)
{
	ck_assert_int_eq(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(vmsim_mremap(mm, A + 1, P, P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 0x10000), -EINVAL);
	ck_assert_int_eq(vmsim_mremap(mm, A, P, P, VMSIM_MREMAP_FIXED, A + 0x10000), -EINVAL);
	ck_assert_int_eq(vmsim_mremap(mm, A, P, P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 0x10001), -EINVAL);
	/* Overlapping source and target. */
	ck_assert_int_eq(vmsim_mremap(mm, A, 2 * P, 2 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + P), -EINVAL);
	/* Nothing mapped at the source. */
	ck_assert_int_eq(vmsim_mremap(mm, A + 0x40000, P, P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 0x80000), -EFAULT);
	/* Starting in a gap before a vma. */
	ck_assert_int_eq(vmsim_mremap(mm, A - P, 2 * P, 2 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 0x80000), -EFAULT);
	ck_assert_uint_eq(nr_vmas(), 1);
}
END_TEST

/* 6.17+ remap_move(): a same-size MREMAP_FIXED move takes every vma of the
 * range, gaps kept, and leaves what is mapped in the target's gaps. */
START_TEST(mremap_moves_several_vmas)
{
	const int MV = VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED;

	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A + 2 * P, 2 * P, VMSIM_PROT_READ, ANON, NULL, 0), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A + 0x81000, P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 5), 0);
	ck_assert_int_eq(tu_write(mm, A + 0x81000, 6), 0);
	/* [A, A+3P): all of the first vma, the first page of the second. */
	ck_assert_int_eq(vmsim_mremap(mm, A, 3 * P, 3 * P, MV, A + 0x80000), 0);
	ck_assert_int_eq(tu_read(mm, A + 0x80000), 5);
	ck_assert_int_eq(tu_read(mm, A + 0x81000), 6);
	ck_assert_int_eq(tu_read(mm, A + 0x82000), 0);
	ck_assert_int_eq(tu_write(mm, A + 0x82000, 1), VMSIM_ACCESS_SIGSEGV);
	ck_assert_int_eq(tu_read(mm, A), -VMSIM_ACCESS_SIGSEGV);
	ck_assert_int_eq(tu_read(mm, A + 2 * P), -VMSIM_ACCESS_SIGSEGV);
	ck_assert_int_eq(tu_read(mm, A + 3 * P), 0);
	/* A vma past the end of the range only: nothing at the start. */
	ck_assert_int_eq(vmsim_mremap(mm, A + 2 * P, 2 * P, 2 * P, MV, A + 0x100000), -EFAULT);
	ck_assert_int_eq(tu_read(mm, A + 3 * P), 0);
}
END_TEST

START_TEST(madvise_dontneed_and_errors)
{
	ck_assert_int_eq(vmsim_madvise(mm, A + 1, P, VMSIM_MADV_DONTNEED), -EINVAL);
	ck_assert_int_eq(vmsim_madvise(mm, A, P, 999), -EINVAL);
	ck_assert_int_eq(vmsim_madvise(mm, A, P, VMSIM_MADV_DONTNEED), -ENOMEM);
	ck_assert_int_eq(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 9), 0);
	ck_assert_int_eq(tu_write(mm, A + P, 9), 0);
	/* A hole after the vma: the mapped part is done, then ENOMEM. */
	ck_assert_int_eq(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_DONTNEED), -ENOMEM);
	ck_assert_uint_eq(tu_pm(mm, A) & PM_PRESENT, 0);
	ck_assert_int_eq(tu_read(mm, A + P), 0);
	/* POPULATE_WRITE on read-only memory: GUP's check_vma_flags() refuses
	 * the vma, which madvise_populate() reports as EINVAL. */
	ck_assert_int_eq(vmsim_mprotect(mm, A, 2 * P, VMSIM_PROT_READ), 0);
	ck_assert_int_eq(vmsim_madvise(mm, A, P, VMSIM_MADV_POPULATE_WRITE), -EINVAL);
	ck_assert_int_eq(vmsim_madvise(mm, A, P, VMSIM_MADV_POPULATE_READ), 0);
	ck_assert_uint_eq(tu_pfn(mm, A), vmsim_zero_pfn(vm));
}
END_TEST

/* MADV_POPULATE_* is GUP over the range (faultin_page_range), not a vma
 * walk: it stops at the first hole (ENOMEM) or refused vma (EINVAL), and
 * what follows is not populated. */
START_TEST(madvise_populate_stops_at_hole)
{
	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A + 2 * P, P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A + 3 * P, P, VMSIM_PROT_READ, ANON, NULL, 0), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A + 4 * P, P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(vmsim_madvise(mm, A, 3 * P, VMSIM_MADV_POPULATE_WRITE), -ENOMEM);
	ck_assert(tu_pm(mm, A) & PM_PRESENT);
	ck_assert_uint_eq(tu_pm(mm, A + 2 * P) & PM_PRESENT, 0);
	ck_assert_int_eq(vmsim_madvise(mm, A + 2 * P, 3 * P, VMSIM_MADV_POPULATE_WRITE), -EINVAL);
	ck_assert(tu_pm(mm, A + 2 * P) & PM_PRESENT);
	ck_assert_uint_eq(tu_pm(mm, A + 3 * P) & PM_PRESENT, 0);
	ck_assert_uint_eq(tu_pm(mm, A + 4 * P) & PM_PRESENT, 0);
}
END_TEST

START_TEST(guard_regions)
{
	struct vmsim_mm *child;
	uint64_t e;

	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A + P, 3), 0);
	ck_assert_int_eq(vmsim_madvise(mm, A + P, 2 * P, VMSIM_MADV_GUARD_INSTALL), 0);
	/* The page that was there is gone; both are guard markers. */
	e = tu_pm(mm, A + P);
	ck_assert(e & PM_SWAP);
	ck_assert(e & PM_GUARD_REGION);
	ck_assert(!(e & PM_PRESENT));
	ck_assert_int_eq(tu_read(mm, A + P), -VMSIM_ACCESS_SIGSEGV);
	ck_assert_int_eq(tu_write(mm, A + 2 * P, 1), VMSIM_ACCESS_SIGSEGV);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	/* Kept by DONTNEED and mprotect. */
	ck_assert_int_eq(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_DONTNEED), 0);
	ck_assert_int_eq(vmsim_mprotect(mm, A, 4 * P, VMSIM_PROT_READ), 0);
	ck_assert(tu_pm(mm, A + P) & PM_GUARD_REGION);
	/* Copied by fork. */
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert(tu_pm(child, A + 2 * P) & PM_GUARD_REGION);
	ck_assert_int_eq(tu_read(child, A + 2 * P), -VMSIM_ACCESS_SIGSEGV);
	/* Removed by GUARD_REMOVE: reads as a fresh page again. */
	ck_assert_int_eq(vmsim_madvise(child, A + P, 2 * P, VMSIM_MADV_GUARD_REMOVE), 0);
	ck_assert_int_eq(tu_read(child, A + P), 0);
	ck_assert(tu_pm(mm, A + P) & PM_GUARD_REGION);
	vmsim_mm_exit(child);
	/* Dropped by munmap: a new mapping there has no trace of them. */
	ck_assert_int_eq(vmsim_munmap(mm, A, 4 * P), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_uint_eq(tu_pm(mm, A + P), PM_SOFT_DIRTY);
	ck_assert_int_eq(tu_read(mm, A + P), 0);
}
END_TEST

START_TEST(soft_dirty_clear_refs)
{
	ck_assert_int_eq(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	ck_assert(tu_pm(mm, A) & PM_SOFT_DIRTY);
	ck_assert_int_eq(vmsim_clear_refs(mm, 4), 0);
	ck_assert(!(tu_pm(mm, A) & PM_SOFT_DIRTY));
	ck_assert(!(tu_pm(mm, A + P) & PM_SOFT_DIRTY));
	/* A read does not dirty; the next write faults and sets it again. */
	ck_assert_int_eq(tu_read(mm, A), 1);
	ck_assert(!(tu_pm(mm, A) & PM_SOFT_DIRTY));
	ck_assert_int_eq(tu_write(mm, A, 2), 0);
	ck_assert(tu_pm(mm, A) & PM_SOFT_DIRTY);
	ck_assert_int_eq(vmsim_clear_refs(mm, 1), -EINVAL);
}
END_TEST

/* The checker itself: a broken mapcount must be reported. */
START_TEST(checker_catches_mapcount)
{
	struct vmsim_page *p;

	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	p = vmsim_pfn_to_page(vm, tu_pfn(mm, A));
	p->mapcount++;
	ck_assert_uint_ge(vmsim_check_all(vm), 1);
	ck_assert_uint_ge(tu_log.count, 1);
	p->mapcount--;
	tu_log.count = 0;
}
END_TEST

/* ... and so must a page-table page no process can reach (a leak). */
START_TEST(checker_catches_table_leak)
{
	unsigned long pgd;

	ck_assert_int_eq(vmsim_pgd_alloc(vm, &pgd), 0);
	ck_assert_uint_ge(vmsim_check_all(vm), 1);
	ck_assert(strstr(tu_log.last, "reachable") != NULL);
	vmsim_pgd_free(vm, pgd);
	tu_log.count = 0;
	ck_assert_uint_eq(vmsim_check_all(vm), 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("syscalls");
	TCase *tc = tcase_create("args");

	tcase_add_checked_fixture(tc, tu_sim_setup, tu_sim_teardown);
	tcase_add_test(tc, mmap_errors);
	tcase_add_test(tc, mmap_merges_neighbours);
	tcase_add_test(tc, munmap_errors_and_split);
	tcase_add_test(tc, mprotect_errors_and_hole);
	tcase_add_test(tc, mremap_errors);
	tcase_add_test(tc, mremap_moves_several_vmas);
	tcase_add_test(tc, madvise_dontneed_and_errors);
	tcase_add_test(tc, madvise_populate_stops_at_hole);
	tcase_add_test(tc, guard_regions);
	tcase_add_test(tc, soft_dirty_clear_refs);
	tcase_add_test(tc, checker_catches_mapcount);
	tcase_add_test(tc, checker_catches_table_leak);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_check_main(suite());
}
