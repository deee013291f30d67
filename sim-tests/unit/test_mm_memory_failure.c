/* Unit tests: memory failure (mm/memory-failure.c of Linux 6.18): the
 * argument rules, a clean swap-cache page (unmapped to swap entries and
 * dropped from the cache: the device's copy is read again), the vmstat
 * count and the frames it refuses (the kernel's, a piece of a
 * higher-order allocation).  The hwpoison entry is
 * test_kinds_hwpoison.c's; longer sequences are in sim/check_migrate.c. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define A 0x7f0000000000ULL
#define P 4096ULL

static void test_memory_failure_args(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_memory_failure(NULL, 1), -EINVAL);
	assert_int_equal(vmsim_memory_failure(vm, vmsim_nr_frames(vm)), -EINVAL);
	assert_int_equal(vmsim_memory_failure_addr(NULL, A), -EINVAL);
	assert_int_equal(vmsim_memory_failure_addr(mm, A), -EFAULT);	/* nothing mapped */
	assert_int_equal(vmsim_mmap(mm, A, P, VMSIM_PROT_NONE, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_memory_failure_addr(mm, A), -EFAULT);	/* PROT_NONE: GUP fails */
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* A clean swap-cache page (swapped in by a read, the copy on the device
 * still good): hwpoison_user_mappings() keeps it out of TTU_HWPOISON
 * ("keeping poisoned page in swap cache"), so the pte becomes a swap
 * entry again, and me_swapcache_clean() deletes it from the swap cache:
 * the next access reads the device's copy into a new frame. */
static void test_clean_swapcache_page(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M swap=1M check=full", &log);
	struct vmsim_swap_slot slot;
	struct vmsim_mm *mm;
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 0x5a), 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(tu_read(mm, A), 0x5a);
	pfn = tu_pfn(mm, A);
	assert_int_equal(vmsim_swap_slot(vm, 0, 1, &slot), 0);
	assert_true(slot.cached);
	assert_int_equal(slot.pfn, pfn);
	assert_int_equal(vmsim_memory_failure(vm, pfn), 0);
	assert_int_equal(tu_pm(mm, A) & (PM_PRESENT | PM_SWAP), PM_SWAP);
	assert_int_equal(tu_pm(mm, A) & PM_PFRAME_MASK, 0 | (1ULL << 5));	/* type 0, offset 1 */
	assert_int_equal(vmsim_swap_slot(vm, 0, 1, &slot), 0);
	assert_false(slot.cached);
	assert_int_equal(tu_read(mm, A), 0x5a);
	assert_true(tu_pfn(mm, A) != pfn);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* vmstat's hwpoison count grows by the frames taken out, not by refusals:
 * a page table and the zero page are the kernel's (-EBUSY), a frame twice
 * is -EHWPOISON, and a free frame inside a higher-order allocation is no
 * buddy page to take (MF_MSG_KERNEL_HIGH_ORDER: ignored, -EBUSY) until
 * the block is freed. */
static void test_counts_and_refusals(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_reclaim_stats st;
	unsigned long pfn, free;
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_memory_failure(vm, vmsim_mm_pgd(mm)), -EBUSY);
	assert_int_equal(vmsim_memory_failure(vm, vmsim_zero_pfn(vm)), -EBUSY);
	assert_int_equal(vmsim_page_alloc(vm, 2, &pfn), 0);
	assert_int_equal(vmsim_memory_failure(vm, pfn + 1), -EBUSY);
	vmsim_reclaim_stats(vm, &st);
	assert_int_equal(st.hwpoisoned, 0);
	assert_int_equal(vmsim_page_free(vm, pfn, 2), 0);
	free = vmsim_nr_free_pages(vm);
	assert_int_equal(vmsim_memory_failure(vm, pfn + 1), 0);
	assert_int_equal(vmsim_nr_free_pages(vm), free - 1);
	assert_int_equal(vmsim_memory_failure(vm, pfn + 1), -EHWPOISON);
	vmsim_reclaim_stats(vm, &st);
	assert_int_equal(st.hwpoisoned, 1);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_memory_failure_args),
		cmocka_unit_test(test_clean_swapcache_page),
		cmocka_unit_test(test_counts_and_refusals),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
