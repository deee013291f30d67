/* Unit tests: the device-exclusive kind (kinds/device_exclusive.c), entry
 * by entry, against Linux 6.15+ (mm/memory.c remove_device_exclusive_entry,
 * restore_exclusive_pte, copy_nonpresent_pte, zap_nonpresent_ptes;
 * mm/mprotect.c; mm/rmap.c try_to_unmap_one; fs/proc pte_to_pagemap_entry).
 * Making the entries (make_device_exclusive(), 6.14's
 * make_device_exclusive_range()) is test_mm_device_exclusive.c's; their
 * smaps accounting (a pfn swap entry) is test_mm_smaps.c's. */
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

static unsigned rmap_hits;

static void count_rmap(void *arg, struct vmsim_mm *m, uint64_t addr)
{
	(void)arg;
	assert_ptr_equal(m, mm);
	assert_int_equal(addr, pg(0));
	rmap_hits++;
}

/* The entry: swp_entry(SWP_DEVICE_EXCLUSIVE = 30, pfn), soft-dirty carried,
 * the page keeps mapcount 1 and the entry's reference; pagemap shows a
 * swap entry whose frame is 30 | pfn << 5. */
static void test_entry(void **state)
{
	struct vmsim_page *p;
	unsigned long pfn, got = 0;
	struct vmsim_mm_stats st;
	softleaf_t e;
	char d[64], want[64];

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 7), 0);
	pfn = tu_pfn(mm, pg(0));
	assert_int_equal(vmsim_make_device_exclusive(mm, pg(0) + 123, OWNER, &got), 0);
	assert_int_equal(got, pfn);
	p = vmsim_pfn_to_page(vm, pfn);
	/* Returned locked and referenced: GUP's ref + the entry's. */
	assert_true(vmsim_page_test(p, PG_locked));
	assert_int_equal(p->refcount, 2);
	assert_int_equal(vmsim_device_exclusive_done(vm, pfn), 0);
	assert_false(vmsim_page_test(p, PG_locked));
	assert_int_equal(p->refcount, 1);
	/* Done twice: the page is no longer locked, nothing happens. */
	assert_int_equal(vmsim_device_exclusive_done(vm, pfn), -EINVAL);
	assert_int_equal(p->refcount, 1);
	assert_int_equal(p->mapcount, 1);
	e = softleaf_from_pte(pte_at(pg(0)));
	assert_true(softleaf_is_device_exclusive(e));
	assert_int_equal(swp_type(e), 30);
	assert_int_equal(softleaf_to_pfn(e), pfn);
	/* A fresh anonymous pte is soft-dirty (VM_SOFTDIRTY aside, the pte
	 * bit); the entry carries it.  The dirty pte made the folio dirty. */
	assert_true(pte_swp_soft_dirty(pte_at(pg(0))));
	assert_true(vmsim_page_test(p, PG_dirty));
	assert_false(pte_swp_uffd_wp(pte_at(pg(0))));
	assert_int_equal(tu_pm(mm, pg(0)) & (PM_SWAP | PM_PRESENT | PM_FILE | PM_PFRAME_MASK),
			 PM_SWAP | 30 | ((uint64_t)pfn << 5));
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.rss_anon, 1);
	assert_int_equal(st.swap_ents, 0);
	vmsim_kind_describe(vm, pte_at(pg(0)), d, sizeof(d));
	snprintf(want, sizeof(want), "device-exclusive pfn %#lx", pfn);
	assert_string_equal(d, want);
	/* rmap finds the entry: it keeps the page mapped. */
	rmap_hits = 0;
	vmsim_page_rmap(vm, pfn, count_rmap, NULL);
	assert_int_equal(rmap_hits, 1);
	assert_int_equal(vmsim_check_all(vm), 0);
}

/* restore_exclusive_pte(): old; soft-dirty from the entry; writable (and
 * dirty because the folio is) where can_change_pte_writable() allows. */
static void test_restore(void **state)
{
	struct vmsim_device *d;
	uint8_t b;
	pte_t pte;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	make(pg(0));
	/* Restored by a device's hmm_range_fault() (no CPU walk sets A
	 * afterwards): the pte is exactly what restore built. */
	assert_int_equal(vmsim_device_new(vm, "d", &d), 0);
	assert_int_equal(vmsim_device_read(d, mm, pg(0), &b), 0);
	assert_int_equal(b, 1);
	pte = pte_at(pg(0));
	assert_true(pte_present(pte));
	assert_false(pte_young(pte));
	assert_true(pte_write(pte));
	assert_true(pte_dirty(pte));
	assert_true(pte_soft_dirty(pte));
	make(pg(0));
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_false(pte_swp_soft_dirty(pte_at(pg(0))));
	/* Soft-dirty tracking on: the restored pte must not be writable
	 * (can_change_pte_writable), the write faults and sets soft-dirty. */
	assert_int_equal(tu_read(mm, pg(0)), 1);
	pte = pte_at(pg(0));
	assert_false(pte_write(pte));
	assert_false(pte_soft_dirty(pte));
	assert_int_equal(tu_write(mm, pg(0), 2), 0);
	assert_true(pte_soft_dirty(pte_at(pg(0))));
}

/* A clean folio gives a clean pte on restore (6.15: dirty only if the
 * folio is). */
static void test_restore_clean(void **state)
{
	struct vmsim_page *p;
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	pfn = make(pg(0));
	p = vmsim_pfn_to_page(vm, pfn);
	vmsim_page_clear(p, PG_dirty);
	assert_int_equal(tu_read(mm, pg(0)), 0);
	assert_true(pte_write(pte_at(pg(0))));
	assert_false(pte_dirty(pte_at(pg(0))));
}

/* uffd-wp protect sets the entry's swp uffd-wp bit (change_pte_range
 * treats it as any swap entry); restore carries it into a read-only pte. */
static void test_uffd_wp(void **state)
{
	struct vmsim_uffd *u;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	make(pg(0));
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	assert_int_equal(vmsim_uffd_register(u, pg(0), P, UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(vmsim_uffd_writeprotect(u, pg(0), P, true), 0);
	assert_true(pte_swp_uffd_wp(pte_at(pg(0))));
	assert_true(tu_pm(mm, pg(0)) & PM_UFFD_WP);
	assert_int_equal(tu_read(mm, pg(0)), 1);
	assert_true(pte_uffd_wp(pte_at(pg(0))));
	assert_false(pte_write(pte_at(pg(0))));
	vmsim_uffd_close(u);
}

/* mprotect leaves a 6.15 entry as it is. */
static void test_mprotect_keeps(void **state)
{
	pte_t before;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	make(pg(0));
	before = pte_at(pg(0));
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RO), 0);
	assert_int_equal(pte_val(pte_at(pg(0))), pte_val(before));
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RW), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0);
	assert_true(pte_write(pte_at(pg(0))));
}

/* zap: DONTNEED (no details) and munmap remove the entry, its mapcount,
 * rss and reference; a hole punch on a private file mapping
 * (unmap_mapping_range without even_cows) keeps the private copy. */
static void test_zap(void **state)
{
	struct vmsim_mm_stats st;
	struct vmsim_file *f;
	struct vmsim_page *p;
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	pfn = make(pg(0));
	p = vmsim_pfn_to_page(vm, pfn);
	vmsim_get_page(vm, p);	/* watch the frame */
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(p->refcount, 1);
	assert_int_equal(p->mapcount, 0);
	vmsim_put_page(vm, p);
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.rss_anon, 0);
	assert_true(pte_none(pte_at(pg(0))));

	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(1), P, RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	make(pg(1));
	assert_int_equal(vmsim_file_punch(f, 0, P), 0);
	assert_true(softleaf_is_device_exclusive(softleaf_from_pte(pte_at(pg(1)))));
	assert_int_equal(vmsim_file_truncate(f, 0), 0);
	assert_true(pte_none(pte_at(pg(1))));
}

/* fork: the parent's pte is present again, shared COW with the child
 * (both read-only, PG_anon_exclusive gone, mapcount 2). */
static void test_fork(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_page *p;
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	pfn = make(pg(0));
	assert_int_equal(vmsim_fork(mm, &child), 0);
	p = vmsim_pfn_to_page(vm, pfn);
	assert_true(pte_present(pte_at(pg(0))));
	assert_false(pte_write(pte_at(pg(0))));
	assert_int_equal(tu_pfn(child, pg(0)), pfn);
	assert_int_equal(p->mapcount, 2);
	assert_false(vmsim_page_test(p, PG_anon_exclusive));
	vmsim_mm_exit(child);
}

/* Another holder of the folio lock: try_restore_exclusive_pte() fails with
 * -EBUSY, which copy_pmd_range() turns into fork's -ENOMEM; the parent is
 * left as it was. */
static void test_fork_busy(void **state)
{
	struct vmsim_mm *child = NULL;
	unsigned long pfn;
	pte_t before;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_make_device_exclusive(mm, pg(0), NULL, &pfn), 0);
	before = pte_at(pg(0));
	assert_int_equal(vmsim_fork(mm, &child), -ENOMEM);
	assert_null(child);
	assert_int_equal(pte_val(pte_at(pg(0))), pte_val(before));
	assert_int_equal(vmsim_device_exclusive_done(vm, pfn), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	vmsim_mm_exit(child);
}

/* ---- rmap walks (6.15+: page_vma_mapped_walk finds the entries) ---- */

static unsigned clears;

static int count_clear(struct mmu_notifier *sub, const struct mmu_notifier_range *r)
{
	(void)sub;
	if (r->event == MMU_NOTIFY_CLEAR && r->start == pg(0) && r->end == pg(0) + P && !r->owner)
		clears++;
	return 0;
}

static const struct mmu_notifier_ops clear_ops = { .invalidate_range_start = count_clear };

/* Reclaim: try_to_unmap_one() replaces the entry by a swap entry, under
 * an MMU_NOTIFY_CLEAR of the page; the entry's soft-dirty bit carries over
 * and the mapping's rss becomes a swap entry's.  The data comes back on
 * the next CPU access. */
static void test_reclaim(void **state)
{
	/* static: a failed assertion leaves it registered until teardown. */
	static struct mmu_notifier sub = { .ops = &clear_ops };
	struct vmsim_mm_stats st;
	softleaf_t e;
	int passes;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 9), 0);
	make(pg(0));
	assert_int_equal(vmsim_mmu_notifier_register(&sub, mm), 0);
	clears = 0;
	for (passes = 0; passes < 8 && !softleaf_is_swap(softleaf_from_pte(pte_at(pg(0)))); passes++)
		vmsim_reclaim(vm, 64);
	e = softleaf_from_pte(pte_at(pg(0)));
	assert_true(softleaf_is_swap(e));
	assert_true(pte_swp_soft_dirty(pte_at(pg(0))));
	assert_true(clears >= 1);
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.rss_anon, 0);
	assert_int_equal(st.swap_ents, 1);
	vmsim_mmu_notifier_unregister(&sub, mm);
	assert_int_equal(tu_read(mm, pg(0)), 9);
}

/* memory_failure(): try_to_unmap(TTU_HWPOISON) finds the entry and leaves
 * a hwpoison entry; the mapcount and the entry's reference go. */
static void test_memory_failure(void **state)
{
	struct vmsim_page *p;
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 9), 0);
	pfn = make(pg(0));
	assert_int_equal(vmsim_memory_failure(vm, pfn), 0);
	assert_true(softleaf_is_hwpoison(softleaf_from_pte(pte_at(pg(0)))));
	p = vmsim_pfn_to_page(vm, pfn);
	assert_int_equal(p->mapcount, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_entry),
		TU_TEST(test_restore),
		TU_TEST(test_restore_clean),
		TU_TEST(test_uffd_wp),
		TU_TEST(test_mprotect_keeps),
		TU_TEST(test_zap),
		TU_TEST(test_fork),
		TU_TEST(test_fork_busy),
		TU_TEST(test_reclaim),
		TU_TEST(test_memory_failure),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
