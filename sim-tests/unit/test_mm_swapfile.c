/* Unit tests: swap devices (mm/swapfile.c): swapon/swapoff, slot
 * allocation order and counts (swap_map), what machine swap= does, a full
 * device, and the swap cache's hold on a slot (SWAP_HAS_CACHE).  The
 * swap cache itself is test_mm_swap_state.c's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define A 0x7f0000000000ULL
#define P 4096ULL

/* The swap offset a swap pte holds (pagemap frame: type | offset << 5). */
static unsigned long off_of(struct vmsim_mm *mm, uint64_t addr)
{
	return (unsigned long)((tu_pm(mm, addr) & PM_PFRAME_MASK) >> 5);
}

static unsigned type_of(struct vmsim_mm *mm, uint64_t addr)
{
	return (unsigned)(tu_pm(mm, addr) & 0x1f);
}

static void test_swapon_errors(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M", &log);
	struct vmsim_swap_info si;
	int type = -1;

	(void)state;
	assert_int_equal(vmsim_swapon(NULL, 64 * P, &type), -EINVAL);
	assert_int_equal(vmsim_swapon(vm, 64 * P + 1, &type), -EINVAL);
	assert_int_equal(vmsim_swapon(vm, P, &type), -EINVAL);	/* a header, no slot */
	assert_int_equal(vmsim_swap_info(vm, 0, &si), -ENOENT);
	assert_int_equal(vmsim_swapon(vm, 2 * P, &type), 0);
	assert_int_equal(type, 0);
	assert_int_equal(vmsim_swap_info(vm, 0, &si), 0);
	assert_int_equal(si.pages, 1);
	assert_int_equal(si.size, 2 * P);
	assert_int_equal(vmsim_swap_info(vm, -1, &si), -EINVAL);
	assert_int_equal(vmsim_swap_info(vm, 0, NULL), -EINVAL);
	assert_int_equal(vmsim_swap_info(vm, MAX_SWAPFILES, &si), -ENOENT);
	/* Every type below MAX_SWAPFILES, then EPERM. */
	for (int t = 1; t < (int)vmsim_max_swapfiles(vm); t++)
		assert_int_equal(vmsim_swapon(vm, 2 * P, &type), 0);
	assert_int_equal(type, 23);
	assert_int_equal(vmsim_swapon(vm, 2 * P, &type), -EPERM);
	/* A freed type is the lowest free one again. */
	assert_int_equal(vmsim_swapoff(vm, 5), 0);
	assert_int_equal(vmsim_swapoff(vm, 5), -EINVAL);
	assert_int_equal(vmsim_swapoff(vm, -1), -EINVAL);
	assert_int_equal(vmsim_swapoff(NULL, 0), -EINVAL);
	assert_int_equal(vmsim_swapon(vm, 2 * P, &type), 0);
	assert_int_equal(type, 5);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* machine swap=SIZE: device 0 of that size, active from the start. */
static void test_machine_swap(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M swap=1M", &log);
	struct vmsim_swap_info si;

	(void)state;
	assert_int_equal(vmsim_swap_info(vm, 0, &si), 0);
	assert_int_equal(si.size, 1 << 20);
	assert_int_equal(si.pages, 255);
	assert_int_equal(si.inuse, 0);
	assert_int_equal(vmsim_swap_info(vm, 1, &si), -ENOENT);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* Slots are taken in order from offset 1 (0 is the header), within the
 * current cluster, freed ones not before the cluster is done: what the
 * host's first pageouts show (offsets 1, 2, 3, ... then 5, 6, ...). */
static void test_slot_order_and_counts(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M swap=1M check=full", &log);
	struct vmsim_swap_slot slot;
	struct vmsim_mm *mm, *child;
	unsigned long pfn0;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 8 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	for (unsigned i = 0; i < 8; i++)
		assert_int_equal(tu_write(mm, A + i * P, (unsigned char)i), 0);
	pfn0 = tu_pfn(mm, A);
	assert_int_equal(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_PAGEOUT), 0);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(type_of(mm, A + i * P), 0);
		assert_int_equal(off_of(mm, A + i * P), i + 1);
	}
	assert_int_equal(vmsim_swap_slot(vm, 0, 1, &slot), 0);
	assert_int_equal(slot.count, 1);
	assert_true(slot.cached);
	assert_int_equal(slot.pfn, pfn0);	/* the folio, in the swap cache */
	assert_int_equal(vmsim_swap_slot(vm, 0, 0, &slot), 0);	/* the header */
	assert_int_equal(slot.count, 0);
	assert_false(slot.cached);
	assert_int_equal(vmsim_swap_slot(vm, 0, 256, &slot), -EINVAL);
	assert_int_equal(vmsim_swap_slot(vm, 1, 1, &slot), -ENOENT);
	/* A write fault frees slot 1; the next pageout goes on from 5. */
	assert_int_equal(tu_write(mm, A, 9), 0);
	assert_int_equal(vmsim_swap_slot(vm, 0, 1, &slot), 0);
	assert_false(slot.cached);
	assert_int_equal(slot.count, 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(off_of(mm, A), 5);
	/* fork takes one more reference; exit drops it. */
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(vmsim_swap_slot(vm, 0, 5, &slot), 0);
	assert_int_equal(slot.count, 2);
	vmsim_mm_exit(child);
	assert_int_equal(vmsim_swap_slot(vm, 0, 5, &slot), 0);
	assert_int_equal(slot.count, 1);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* A full device: pageout leaves what has no slot mapped. */
static void test_swap_full(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_swap_info si;
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_swapon(vm, 3 * P, NULL), 0);	/* two slots */
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(tu_write(mm, A + i * P, 1), 0);
	assert_int_equal(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(vmsim_swap_info(vm, 0, &si), 0);
	assert_int_equal(si.inuse, 2);
	assert_false(tu_pm(mm, A) & PM_PRESENT);
	assert_false(tu_pm(mm, A + P) & PM_PRESENT);
	assert_true(tu_pm(mm, A + 2 * P) & PM_PRESENT);
	assert_true(tu_pm(mm, A + 3 * P) & PM_PRESENT);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_swapon_errors),
		cmocka_unit_test(test_machine_swap),
		cmocka_unit_test(test_slot_order_and_counts),
		cmocka_unit_test(test_swap_full),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
