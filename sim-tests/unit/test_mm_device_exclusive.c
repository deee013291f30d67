/* Unit tests: making a page device-exclusive (mm/device_exclusive.c):
 * make_device_exclusive() of Linux 6.15+ (mm/rmap.c: GUP for write, which
 * faults in or breaks COW first, even of a private file page; the folio
 * lock handed to the caller until vmsim_device_exclusive_done();
 * MMU_NOTIFY_EXCLUSIVE with the caller as owner) and, behind devx=6.14,
 * make_device_exclusive_range() (every mapping converted, the mapcount
 * dropped, mprotect turning write entries into read ones).  The argument
 * rules.  The entry itself is test_kinds_device_exclusive.c's. */
/* Swap, for reclaim of a device-exclusive page. */
#define TU_UNIT_MACHINE "ram=16M check=full swap=1M"
#include "unitfix.h"

static int owner_tag;
#define OWNER ((void *)&owner_tag)

static pte_t pte_at(uint64_t addr)
{
	pte_t *ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), addr, false);

	assert_non_null(ptep);
	return ptep_get(ptep);
}

static unsigned long make(uint64_t addr)
{
	unsigned long pfn = 0;

	assert_int_equal(vmsim_make_device_exclusive(mm, addr, OWNER, &pfn), 0);
	assert_int_equal(vmsim_device_exclusive_done(vm, pfn), 0);
	return pfn;
}

static int mock_start(struct mmu_notifier *sub, const struct mmu_notifier_range *r)
{
	(void)sub;
	function_called();
	check_expected(r->event);
	check_expected(r->start);
	check_expected(r->end);
	check_expected_ptr(r->owner);
	return 0;
}

static const struct mmu_notifier_ops mock_ops = { .invalidate_range_start = mock_start };

static void expect_start(enum mmu_notifier_event ev, uint64_t start, void *owner)
{
	expect_function_call(mock_start);
	expect_value(mock_start, r->event, ev);
	expect_value(mock_start, r->start, start);
	expect_value(mock_start, r->end, start + P);
	expect_value(mock_start, r->owner, owner);
}

/* Errors change nothing. */
static void test_errors(void **state)
{
	struct vmsim_file *f;
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_make_device_exclusive(NULL, pg(0), NULL, &pfn), -EINVAL);
	assert_int_equal(vmsim_make_device_exclusive(mm, pg(0), NULL, NULL), -EINVAL);
	assert_int_equal(vmsim_make_device_exclusive(mm, pg(0), NULL, &pfn), -EFAULT);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RO, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_make_device_exclusive(mm, pg(0), NULL, &pfn), -EFAULT);
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(1), P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_make_device_exclusive(mm, pg(1), NULL, &pfn), -EOPNOTSUPP);
	/* The GUP fault stays; the page is not locked or held. */
	pfn = tu_pfn(mm, pg(1));
	assert_false(vmsim_page_test(vmsim_pfn_to_page(vm, pfn), PG_locked));
	assert_true(tu_pm(mm, pg(1)) & PM_PRESENT);
}

/* GUP for write: an untouched page is faulted in (no zero page), a page
 * shared after fork is COWed first; the entry is then made. */
static void test_gup_write(void **state)
{
	struct vmsim_mm *child;
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	pfn = make(pg(0));
	assert_int_not_equal(pfn, vmsim_zero_pfn(vm));
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	pfn = make(pg(1));
	assert_int_not_equal(pfn, tu_pfn(child, pg(1)));
	assert_int_equal(tu_read(child, pg(1)), 1);
	assert_int_equal(tu_read(mm, pg(1)), 1);
	vmsim_mm_exit(child);
}

/* make_device_exclusive(): MMU_NOTIFY_EXCLUSIVE with the caller's owner;
 * the CPU fault taking it back: MMU_NOTIFY_EXCLUSIVE with none.  The GUP
 * of an untouched page faults without notifying. */
static void test_notifier_events(void **state)
{
	struct mmu_notifier sub = { .ops = &mock_ops };

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmu_notifier_register(&sub, mm), 0);
	expect_start(MMU_NOTIFY_EXCLUSIVE, pg(0), OWNER);
	make(pg(0));
	expect_start(MMU_NOTIFY_EXCLUSIVE, pg(0), NULL);
	assert_int_equal(tu_read(mm, pg(0)), 0);
	vmsim_mmu_notifier_unregister(&sub, mm);
}

/* While the device holds the folio lock (between make_device_exclusive()
 * and its done), reclaim's folio_trylock() fails: the entry stays. */
static void test_reclaim_locked(void **state)
{
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 9), 0);
	assert_int_equal(vmsim_make_device_exclusive(mm, pg(0), OWNER, &pfn), 0);
	for (int i = 0; i < 8; i++)
		vmsim_reclaim(vm, 64);
	assert_true(softleaf_is_device_exclusive(softleaf_from_pte(pte_at(pg(0)))));
	assert_int_equal(vmsim_device_exclusive_done(vm, pfn), 0);
}

static void test_614(void **state)
{
	struct vmsim *v;
	struct vmsim_mm *m;
	struct bug_log log = { 0 };
	unsigned long pfn;
	pte_t *ptep;
	softleaf_t e;

	(void)state;
	v = tu_machine_str("ram=16M check=full devx=6.14", &log);
	assert_non_null(v);
	assert_int_equal(vmsim_mm_new(v, &m), 0);
	assert_int_equal(vmsim_mmap(m, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(m, pg(0), 3), 0);
	assert_int_equal(vmsim_make_device_exclusive(m, pg(0), NULL, &pfn), 0);
	assert_int_equal(vmsim_device_exclusive_done(v, pfn), 0);
	ptep = vmsim_pte_lookup(v, vmsim_mm_pgd(m), pg(0), false);
	e = softleaf_from_pte(ptep_get(ptep));
	/* The write entry: Linux's type number; the mapcount dropped. */
	assert_int_equal(swp_type(e), 30);
	assert_int_equal(vmsim_pfn_to_page(v, pfn)->mapcount, 0);
	/* mprotect: write entry -> read entry (the special type, 23), and
	 * giving write back does not undo it. */
	assert_int_equal(vmsim_mprotect(m, pg(0), P, RO), 0);
	assert_int_equal(swp_type(softleaf_from_pte(ptep_get(ptep))), 23);
	assert_int_equal(vmsim_mprotect(m, pg(0), P, RW), 0);
	assert_int_equal(swp_type(softleaf_from_pte(ptep_get(ptep))), 23);
	assert_int_equal(tu_read(m, pg(0)), 3);
	assert_false(pte_write(ptep_get(ptep)));
	assert_int_equal(vmsim_pfn_to_page(v, pfn)->mapcount, 1);
	/* A write entry restored by a write: writable and dirty. */
	assert_int_equal(tu_write(m, pg(0), 4), 0);
	assert_int_equal(vmsim_make_device_exclusive(m, pg(0), NULL, &pfn), 0);
	assert_int_equal(vmsim_device_exclusive_done(v, pfn), 0);
	vmsim_page_clear(vmsim_pfn_to_page(v, pfn), PG_dirty);
	assert_int_equal(tu_read(m, pg(0)), 4);
	assert_true(pte_write(ptep_get(ptep)) && pte_dirty(ptep_get(ptep)));
	vmsim_free(v);
	assert_int_equal(log.count, 0);
}

/* A private file mapping: GUP for write (FOLL_WRITE) breaks COW first, so
 * the page made exclusive is the process's anonymous copy and the file
 * keeps its data. */
static void test_private_file_cow_first(void **state)
{
	struct vmsim_file *f;
	unsigned long pfn, filepfn;
	unsigned char b = 0x33;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	assert_int_equal(vmsim_file_write(f, 0, &b, 1), 1);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0x33);
	filepfn = tu_pfn(mm, pg(0));
	assert_true(tu_pm(mm, pg(0)) & PM_FILE);
	pfn = make(pg(0));
	assert_true(pfn != filepfn);
	assert_true(softleaf_is_device_exclusive(softleaf_from_pte(pte_at(pg(0)))));
	assert_int_equal(tu_write(mm, pg(0), 0x44), 0);
	assert_int_equal(tu_pfn(mm, pg(0)), pfn);
	assert_false(tu_pm(mm, pg(0)) & PM_FILE);
	assert_int_equal(vmsim_file_read(f, 0, &b, 1), 1);
	assert_int_equal(b, 0x33);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_errors),
		TU_TEST(test_gup_write),
		TU_TEST(test_notifier_events),
		TU_TEST(test_reclaim_locked),
		TU_TEST(test_614),
		TU_TEST(test_private_file_cow_first),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
