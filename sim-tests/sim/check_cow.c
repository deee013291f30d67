/* Sim tests: anonymous memory, the zero page, fork and COW, following the
 * guarantees of Linux's tools/testing/selftests/mm/cow.c: after fork,
 * neither side sees the other's later writes, and a pinned page stays the
 * page the pin holds.  Every machine runs with check=full. */
#include <check.h>
#include <stdlib.h>

#include "simfixture.h"

#define A 0x7f0000000000ULL
#define P 4096ULL


START_TEST(zero_page_then_write)
{
	uint64_t e;

	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	/* Untouched: not present, but the new vma is soft-dirty. */
	ck_assert_uint_eq(tu_pm(mm, A), PM_SOFT_DIRTY);
	ck_assert_int_eq(tu_read(mm, A), 0);
	e = tu_pm(mm, A);
	/* The zero page: present, no struct page -> neither file nor exclusive. */
	ck_assert(e & PM_PRESENT);
	ck_assert(!(e & (PM_FILE | PM_MMAP_EXCLUSIVE | PM_SWAP)));
	ck_assert_uint_eq(e & PM_PFRAME_MASK, vmsim_zero_pfn(vm));
	ck_assert_int_eq(tu_write(mm, A, 0x5a), 0);
	e = tu_pm(mm, A);
	ck_assert(e & PM_PRESENT);
	ck_assert(e & PM_MMAP_EXCLUSIVE);
	ck_assert(!(e & PM_FILE));
	ck_assert_uint_ne(e & PM_PFRAME_MASK, vmsim_zero_pfn(vm));
	ck_assert_int_eq(tu_read(mm, A), 0x5a);
	ck_assert_int_eq(tu_read(mm, A + P), 0);
}
END_TEST

START_TEST(fork_shares_then_cow_in_child)
{
	struct vmsim_mm *child;
	unsigned long pfn;

	ck_assert_int_eq(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	pfn = tu_pfn(mm, A);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	/* Shared after fork: same frame, mapped twice, so not exclusive. */
	ck_assert_uint_eq(tu_pfn(child, A), pfn);
	ck_assert(!(tu_pm(mm, A) & PM_MMAP_EXCLUSIVE));
	ck_assert(!(tu_pm(child, A) & PM_MMAP_EXCLUSIVE));
	ck_assert_int_eq(tu_write(child, A, 2), 0);
	ck_assert_uint_ne(tu_pfn(child, A), pfn);
	ck_assert_int_eq(tu_read(mm, A), 1);
	ck_assert_int_eq(tu_read(child, A), 2);
	/* The parent's page is mapped once again: exclusive, and its write
	 * reuses it (wp_can_reuse_anon_folio), no copy. */
	ck_assert(tu_pm(mm, A) & PM_MMAP_EXCLUSIVE);
	ck_assert_int_eq(tu_write(mm, A, 3), 0);
	ck_assert_uint_eq(tu_pfn(mm, A), pfn);
	ck_assert_int_eq(tu_read(child, A), 2);
	vmsim_mm_exit(child);
}
END_TEST

START_TEST(fork_then_cow_in_parent)
{
	struct vmsim_mm *child;
	unsigned long pfn;

	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	pfn = tu_pfn(mm, A);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_int_eq(tu_write(mm, A, 9), 0);
	ck_assert_uint_ne(tu_pfn(mm, A), pfn);
	ck_assert_uint_eq(tu_pfn(child, A), pfn);
	ck_assert_int_eq(tu_read(child, A), 1);
	ck_assert_int_eq(tu_read(mm, A), 9);
	vmsim_mm_exit(child);
	/* The child's exit leaves the parent's data alone. */
	ck_assert_int_eq(tu_read(mm, A), 9);
}
END_TEST

START_TEST(fork_of_zero_page_and_untouched)
{
	struct vmsim_mm *child;

	ck_assert_int_eq(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	ck_assert_int_eq(tu_read(mm, A), 0);
	ck_assert_int_eq(tu_write(mm, A + P, 7), 0);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	/* The zero-page pte is copied as is (special, no struct page). */
	ck_assert_uint_eq(tu_pfn(child, A), vmsim_zero_pfn(vm));
	ck_assert_int_eq(tu_write(child, A, 4), 0);
	ck_assert_int_eq(tu_read(mm, A), 0);
	ck_assert_int_eq(tu_read(child, A + P), 7);
	vmsim_mm_exit(child);
}
END_TEST

/* cow.c "R/O-mapping a page registered as R/W pin": a pinned exclusive
 * page is copied for the child at fork, so the parent keeps the pinned
 * page writable and the pin sees the parent's writes. */
START_TEST(pinned_page_copied_at_fork)
{
	struct vmsim_mm *child;
	unsigned long pin;

	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	ck_assert_int_eq(vmsim_pin_user_pages(mm, A, 1, true, &pin), 1);
	ck_assert_uint_eq(pin, tu_pfn(mm, A));
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_uint_ne(tu_pfn(child, A), pin);
	ck_assert(tu_pm(mm, A) & PM_MMAP_EXCLUSIVE);
	ck_assert(tu_pm(child, A) & PM_MMAP_EXCLUSIVE);
	ck_assert_int_eq(tu_read(child, A), 1);
	ck_assert_int_eq(tu_write(mm, A, 2), 0);
	ck_assert_uint_eq(tu_pfn(mm, A), pin);
	ck_assert_int_eq(tu_read(child, A), 1);
	vmsim_unpin_user_pages(vm, &pin, 1);
	vmsim_mm_exit(child);
}
END_TEST

/* A read pin of a page shared by fork unshares it first (gup_must_unshare),
 * so the pin can never be left on a page the parent COWs away from. */
START_TEST(read_pin_unshares)
{
	struct vmsim_mm *child;
	unsigned long pin, shared;

	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	shared = tu_pfn(mm, A);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_int_eq(vmsim_pin_user_pages(child, A, 1, false, &pin), 1);
	ck_assert_uint_ne(pin, shared);
	ck_assert_uint_eq(tu_pfn(child, A), pin);
	/* Unshared, but still read-only: no write happened. */
	ck_assert_int_eq(tu_write(mm, A, 5), 0);
	ck_assert_int_eq(tu_read(child, A), 1);
	ck_assert_int_eq(tu_write(child, A, 6), 0);
	ck_assert_uint_eq(tu_pfn(child, A), pin);
	vmsim_unpin_user_pages(vm, &pin, 1);
	vmsim_mm_exit(child);
}
END_TEST

/* cow.c after mprotect: R/O then R/W again must still COW after fork. */
START_TEST(cow_after_mprotect)
{
	struct vmsim_mm *child;

	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_int_eq(vmsim_mprotect(mm, A, P, VMSIM_PROT_READ), 0);
	ck_assert_int_eq(vmsim_mprotect(mm, A, P, TU_PROT_RW), 0);
	/* The page is shared: mprotect must not have made it writable. */
	ck_assert_int_eq(tu_write(mm, A, 2), 0);
	ck_assert_int_eq(tu_read(child, A), 1);
	ck_assert_int_eq(tu_read(mm, A), 2);
	vmsim_mm_exit(child);
}
END_TEST

/* An exclusive page made R/O and R/W again is writable at once
 * (can_change_pte_writable), without a copy. */
START_TEST(mprotect_upgrade_exclusive)
{
	unsigned long pfn;

	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	pfn = tu_pfn(mm, A);
	ck_assert_int_eq(vmsim_mprotect(mm, A, P, VMSIM_PROT_READ), 0);
	ck_assert_int_eq(tu_write(mm, A, 2), VMSIM_ACCESS_SIGSEGV);
	ck_assert_int_eq(vmsim_mprotect(mm, A, P, TU_PROT_RW), 0);
	ck_assert_int_eq(tu_write(mm, A, 2), 0);
	ck_assert_uint_eq(tu_pfn(mm, A), pfn);
}
END_TEST

/* cow.c after mremap: moved pages keep their frames and still COW. */
START_TEST(cow_after_mremap)
{
	struct vmsim_mm *child;
	unsigned long pfn;

	ck_assert_int_eq(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	pfn = tu_pfn(mm, A);
	ck_assert_int_eq(vmsim_mremap(mm, A, 2 * P, 2 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 0x100000), 0);
	ck_assert_int_eq(tu_read(mm, A), -VMSIM_ACCESS_SIGSEGV);
	ck_assert_uint_eq(tu_pfn(mm, A + 0x100000), pfn);
	/* mremap marks moved entries soft-dirty. */
	ck_assert(tu_pm(mm, A + 0x100000) & PM_SOFT_DIRTY);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_int_eq(tu_write(child, A + 0x100000, 2), 0);
	ck_assert_int_eq(tu_read(mm, A + 0x100000), 1);
	vmsim_mm_exit(child);
}
END_TEST

START_TEST(shared_anon_survives_fork)
{
	struct vmsim_mm *child;

	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	/* Shared anonymous memory is shmem: pagemap says file. */
	ck_assert(tu_pm(mm, A) & PM_FILE);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	/* vma_needs_copy() is false: the child refaults from the page cache. */
	ck_assert_uint_eq(tu_pm(child, A) & PM_PRESENT, 0);
	ck_assert_int_eq(tu_write(child, A, 2), 0);
	ck_assert_int_eq(tu_read(mm, A), 2);
	ck_assert_uint_eq(tu_pfn(child, A), tu_pfn(mm, A));
	vmsim_mm_exit(child);
}
END_TEST

START_TEST(exit_frees_everything)
{
	struct vmsim_mm *child;
	unsigned long free0 = vmsim_nr_free_pages(vm);

	ck_assert_int_eq(vmsim_mmap(mm, A, 64 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	for (int i = 0; i < 64; i++)
		ck_assert_int_eq(tu_write(mm, A + i * P, (unsigned char)i), 0);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_int_eq(tu_write(child, A, 1), 0);
	vmsim_mm_exit(child);
	ck_assert_int_eq(vmsim_munmap(mm, A, 64 * P), 0);
	/* All 64 pages and every table below the pgd are back. */
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), free0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("cow");
	TCase *tc = tcase_create("anon");

	tcase_add_checked_fixture(tc, tu_sim_setup, tu_sim_teardown);
	tcase_add_test(tc, zero_page_then_write);
	tcase_add_test(tc, fork_shares_then_cow_in_child);
	tcase_add_test(tc, fork_then_cow_in_parent);
	tcase_add_test(tc, fork_of_zero_page_and_untouched);
	tcase_add_test(tc, pinned_page_copied_at_fork);
	tcase_add_test(tc, read_pin_unshares);
	tcase_add_test(tc, cow_after_mprotect);
	tcase_add_test(tc, mprotect_upgrade_exclusive);
	tcase_add_test(tc, cow_after_mremap);
	tcase_add_test(tc, shared_anon_survives_fork);
	tcase_add_test(tc, exit_frees_everything);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_check_main(suite());
}
