/* Unit tests: the model device (features/device.c, <vmsim/device.h>): its
 * API rules, the cache and its statistics, reads of untouched memory (the
 * zero page, as hmm_range_fault() faults it for read), the process's exit
 * (MMU_NOTIFY_RELEASE empties the cache), and its invariant firing on a
 * translation kept across a pte changed behind mm's back. */
#include "unitfix.h"

static struct vmsim_device *d;

static void new_device(void)
{
	assert_int_equal(vmsim_device_new(vm, "gpu", &d), 0);
}

static void test_api(void **state)
{
	struct vmsim_device_stats st;
	struct vmsim_device_tlbe t;
	struct vmsim_mm *other;
	uint8_t b;

	(void)state;
	assert_int_equal(vmsim_device_new(NULL, "x", NULL), -EINVAL);
	assert_int_equal(vmsim_device_new(vm, NULL, NULL), -EINVAL);
	assert_int_equal(vmsim_device_new(vm, "0123456789012345678901234567890123", NULL), -EINVAL);
	new_device();
	assert_string_equal(vmsim_device_name(d), "gpu");
	assert_null(vmsim_device_lookup(vm, "npu"));
	assert_null(vmsim_device_at(vm, 1));
	assert_int_equal(vmsim_device_read(NULL, mm, pg(0), &b), -EINVAL);
	assert_int_equal(vmsim_device_read(d, mm, pg(0), NULL), -EINVAL);
	assert_int_equal(vmsim_device_read(d, NULL, pg(0), &b), -EINVAL);
	assert_int_equal(vmsim_device_write(d, NULL, pg(0), 1), -EINVAL);
	assert_int_equal(vmsim_device_atomic(d, NULL, pg(0), 1), -EINVAL);
	assert_int_equal(vmsim_device_atomic_commit(NULL), -EINVAL);
	assert_int_equal(vmsim_device_cache(d, 0, NULL), -EINVAL);
	assert_int_equal(vmsim_device_cache(d, 0, &t), -ENOENT);
	/* Nothing mapped: hmm_range_fault() without a vma. */
	assert_int_equal(vmsim_device_read(d, mm, pg(0), &b), -EFAULT);
	assert_int_equal(vmsim_device_write(d, mm, pg(0), 1), -EFAULT);
	/* PROT_NONE: hmm_vma_walk_test() refuses a vma without VM_READ. */
	assert_int_equal(vmsim_mmap(mm, pg(0), P, VMSIM_PROT_NONE, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_device_read(d, mm, pg(0), &b), -EFAULT);
	/* Another machine's process is not this device's. */
	{
		struct vmsim *v2 = tu_machine_str("ram=4M", NULL);

		assert_non_null(v2);
		assert_int_equal(vmsim_mm_new(v2, &other), 0);
		assert_int_equal(vmsim_device_read(d, other, 0, &b), -EINVAL);
		vmsim_free(v2);
	}
	vmsim_device_stats(d, &st);
	assert_int_equal(st.reads + st.writes + st.atomics + st.fills, 0);
}

/* A read of untouched anonymous memory faults in the zero page and caches
 * it read-only; a write then needs a writable translation: the write
 * fault replaces the zero page (COW, MMU_NOTIFY_CLEAR empties the cache
 * first) and the device caches the new page. */
static void test_zero_page_then_write(void **state)
{
	struct vmsim_device_stats st;
	struct vmsim_device_tlbe t;
	uint8_t b = 0xff;

	(void)state;
	new_device();
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_device_read(d, mm, pg(0) + 5, &b), 0);
	assert_int_equal(b, 0);
	assert_int_equal(vmsim_device_cache(d, 0, &t), 0);
	assert_int_equal(t.mm, vmsim_mm_id(mm));
	assert_int_equal(t.pfn, vmsim_zero_pfn(vm));
	assert_false(t.write);
	assert_int_equal(vmsim_device_write(d, mm, pg(0) + 5, 0x5a), 0);
	assert_int_equal(vmsim_device_cache(d, 0, &t), 0);
	assert_true(t.write);
	assert_int_equal(t.pfn, tu_pfn(mm, pg(0)));
	assert_int_equal(tu_read(mm, pg(0)) , 0);
	{
		unsigned char buf[8];

		assert_int_equal(vmsim_access(mm, -1, pg(0), buf, sizeof(buf), false, NULL), VMSIM_ACCESS_OK);
		assert_int_equal(buf[5], 0x5a);
	}
	vmsim_device_stats(d, &st);
	assert_int_equal(st.fills, 2);
	assert_int_equal(st.writes, 1);
	assert_int_equal(st.reads, 1);
	assert_true(st.invalidations >= 1);
}

/* Entries come back sorted by process, then address. */
static void test_cache_order(void **state)
{
	struct vmsim_device_tlbe t;
	struct vmsim_mm *other;
	uint8_t b;

	(void)state;
	new_device();
	assert_int_equal(vmsim_mm_new(vm, &other), 0);
	assert_int_equal(vmsim_mmap(other, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_device_read(d, other, pg(0), &b), 0);
	assert_int_equal(vmsim_device_read(d, mm, pg(3), &b), 0);
	assert_int_equal(vmsim_device_read(d, mm, pg(1), &b), 0);
	assert_int_equal(vmsim_device_cache(d, 0, &t), 0);
	assert_true(t.mm == vmsim_mm_id(mm) && t.addr == pg(1));
	assert_int_equal(vmsim_device_cache(d, 1, &t), 0);
	assert_true(t.mm == vmsim_mm_id(mm) && t.addr == pg(3));
	assert_int_equal(vmsim_device_cache(d, 2, &t), 0);
	assert_int_equal(t.mm, vmsim_mm_id(other));
	assert_int_equal(vmsim_device_cache(d, 3, &t), -ENOENT);
	/* The other process exits: MMU_NOTIFY_RELEASE empties its part. */
	vmsim_mm_exit(other);
	assert_int_equal(vmsim_device_cache(d, 2, &t), -ENOENT);
	assert_int_equal(vmsim_device_check(vm), 0);
}

/* The invariant: a pte changed behind mm's back (no notifier) leaves the
 * device's translation stale, and the check says so, once. */
static struct bug_log seen;

static void test_invariant_fires(void **state)
{
	pte_t *ptep, old;
	unsigned long spare;
	uint8_t b;

	(void)state;
	new_device();
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(vmsim_device_read(d, mm, pg(0), &b), 0);
	ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), pg(0), false);
	old = ptep_get(ptep);
	assert_int_equal(vmsim_page_alloc(vm, 0, &spare), 0);
	memset(&seen, 0, sizeof(seen));
	vmsim_set_bug_handler(vm, tu_bug_recorder, &seen);
	vmsim_set_pte(vm, ptep, pfn_pte(spare, PAGE_READONLY), pg(0));
	assert_int_equal(vmsim_device_check(vm), 1);
	assert_non_null(strstr(seen.last, "kept a mapping the CPU side invalidated"));
	vmsim_set_pte(vm, ptep, old, pg(0));
	assert_int_equal(vmsim_device_check(vm), 0);
	vmsim_set_bug_handler(vm, tu_bug_recorder, &tu_log);
	assert_int_equal(vmsim_page_free(vm, spare, 0), 0);
}

/* An atomic while the device already holds the page just stores; a
 * pending begin refuses a second one; a machine freed with an atomic
 * pending gives everything back (the teardown checks it). */
static void test_atomic_paths(void **state)
{
	struct vmsim_device_stats st;

	(void)state;
	new_device();
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_device_atomic(d, mm, pg(0), 1), 0);
	assert_int_equal(vmsim_device_atomic(d, mm, pg(0), 2), 0);
	vmsim_device_stats(d, &st);
	assert_int_equal(st.atomics, 2);
	assert_int_equal(st.own_ignored, 1);
	assert_ptr_equal(vmsim_device_atomic_owner(vm, mm, pg(0)), d);
	assert_int_equal(tu_read(mm, pg(0)), 2);
	assert_int_equal(vmsim_device_atomic_begin(d, mm, pg(1), 3), 0);
	assert_int_equal(vmsim_device_atomic(d, mm, pg(0), 4), -EBUSY);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_api),
		TU_TEST(test_zero_page_then_write),
		TU_TEST(test_cache_order),
		TU_TEST(test_invariant_fires),
		TU_TEST(test_atomic_paths),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
