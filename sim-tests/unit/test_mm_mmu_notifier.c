/* Unit tests: mm/mmu_notifier.c and the calls mm makes to it, with a
 * mocked subscription (expect_function_call / check_expected for the order
 * of invalidate_range_start/end and their ranges, will_return for what
 * start answers).  Expected events and ranges are Linux 6.12-6.18's: munmap
 * and exit's unmap_vmas (UNMAP), MADV_DONTNEED and COW (CLEAR, one page),
 * mprotect's change_pud_range (PROTECTION_VMA from the first populated pud
 * to the end of the p4d span), fork's copy_page_range of a COW vma
 * (PROTECTION_PAGE over the vma), writeback's folio_mkclean
 * (PROTECTION_PAGE over each mapping of the page), mremap's
 * move_page_tables (UNMAP of the old range, then the munmap of the old
 * vma), clear_refs (SOFT_DIRTY over
 * everything), exit_mmap's mmu_notifier_release, x86 flush_tlb_mm_range's
 * arch_invalidate_secondary_tlbs, and the interval tree's sequence. */
#include "unitfix.h"

/* ---- the mock ---- */

static int mock_start(struct mmu_notifier *sub, const struct mmu_notifier_range *r)
{
	(void)sub;
	function_called();
	check_expected(r->event);
	check_expected(r->start);
	check_expected(r->end);
	assert_true(mmu_notifier_range_blockable(r));
	return (int)mock();
}

static void mock_end(struct mmu_notifier *sub, const struct mmu_notifier_range *r)
{
	(void)sub;
	function_called();
	check_expected(r->event);
	check_expected(r->start);
	check_expected(r->end);
}

static void mock_release(struct mmu_notifier *sub, struct vmsim_mm *m)
{
	(void)sub;
	(void)m;
	function_called();
}

static void mock_secondary(struct mmu_notifier *sub, struct vmsim_mm *m, uint64_t start, uint64_t end)
{
	(void)sub;
	(void)m;
	function_called();
	check_expected(start);
	check_expected(end);
}

static const struct mmu_notifier_ops mock_ops = {
	.release = mock_release,
	.invalidate_range_start = mock_start,
	.invalidate_range_end = mock_end,
};

static struct mmu_notifier sub;

/* One start/end pair, in that order, for [start, end). */
static void expect_range(enum mmu_notifier_event ev, uint64_t start, uint64_t end)
{
	expect_function_call(mock_start);
	expect_value(mock_start, r->event, ev);
	expect_value(mock_start, r->start, start);
	expect_value(mock_start, r->end, end);
	will_return(mock_start, 0);
	expect_function_call(mock_end);
	expect_value(mock_end, r->event, ev);
	expect_value(mock_end, r->start, start);
	expect_value(mock_end, r->end, end);
}

static void subscribe(void)
{
	sub = (struct mmu_notifier){ .ops = &mock_ops };
	assert_int_equal(vmsim_mmu_notifier_register(&sub, mm), 0);
}

/* ---- registration ---- */

static void test_register_rules(void **state)
{
	static const struct mmu_notifier_ops both = {
		.invalidate_range_start = mock_start,
		.arch_invalidate_secondary_tlbs = mock_secondary,
	};
	struct mmu_notifier bad = { .ops = &both }, none = { 0 };

	(void)state;
	assert_false(vmsim_mm_has_notifiers(mm));
	assert_int_equal(vmsim_mmu_notifier_register(NULL, mm), -EINVAL);
	assert_int_equal(vmsim_mmu_notifier_register(&none, mm), -EINVAL);
	/* __mmu_notifier_register(): one or the other, never both. */
	assert_int_equal(vmsim_mmu_notifier_register(&bad, mm), -EINVAL);
	subscribe();
	assert_ptr_equal(sub.mm, mm);
	assert_true(vmsim_mm_has_notifiers(mm));
	assert_int_equal(vmsim_mmu_notifier_register(&sub, mm), -EBUSY);
	expect_function_call(mock_release);
	vmsim_mmu_notifier_unregister(&sub, mm);
	/* Unregistered: a zap no longer calls it (an unexpected call fails). */
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_munmap(mm, pg(0), P), 0);
	assert_string_equal(vmsim_mmu_notifier_event_name(MMU_NOTIFY_EXCLUSIVE), "exclusive");
	assert_string_equal(vmsim_mmu_notifier_event_name((enum mmu_notifier_event)42), "?");
}

/* ---- the mm paths ---- */

static void test_munmap_is_unmap(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	subscribe();
	expect_range(MMU_NOTIFY_UNMAP, pg(1), pg(3));
	assert_int_equal(vmsim_munmap(mm, pg(1), 2 * P), 0);
	/* Nothing mapped there any more: vms_clear_ptes() is not reached. */
	assert_int_equal(vmsim_munmap(mm, pg(1), 2 * P), 0);
	expect_function_call(mock_release);
	vmsim_mmu_notifier_unregister(&sub, mm);
}

static void test_dontneed_is_clear(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	subscribe();
	expect_range(MMU_NOTIFY_CLEAR, pg(0), pg(2));
	assert_int_equal(vmsim_madvise(mm, pg(0), 2 * P, VMSIM_MADV_DONTNEED), 0);
	expect_function_call(mock_release);
	vmsim_mmu_notifier_unregister(&sub, mm);
}

/* change_pud_range(): nothing populated, no range; otherwise from the
 * first populated pud (here the start) to the end of the p4d span (here
 * the end, A being 512 GiB aligned). */
static void test_mprotect_is_protection_vma(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	subscribe();
	assert_int_equal(vmsim_mprotect(mm, pg(0), 4 * P, RO), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0);
	expect_range(MMU_NOTIFY_PROTECTION_VMA, pg(0), pg(4));
	assert_int_equal(vmsim_mprotect(mm, pg(0), 4 * P, RW), 0);
	expect_function_call(mock_release);
	vmsim_mmu_notifier_unregister(&sub, mm);
}

/* copy_page_range() of a COW vma: PROTECTION_PAGE over the vma; then a
 * write in the parent to the page it now shares copies it (wp_page_copy:
 * CLEAR of that one page). */
static void test_fork_and_cow(void **state)
{
	struct vmsim_mm *child;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(2), 1), 0);
	subscribe();
	expect_range(MMU_NOTIFY_PROTECTION_PAGE, pg(0), pg(4));
	assert_int_equal(vmsim_fork(mm, &child), 0);
	expect_range(MMU_NOTIFY_CLEAR, pg(2), pg(3));
	assert_int_equal(tu_write(mm, pg(2), 2), 0);
	/* The child is another mm: nobody listens there. */
	assert_int_equal(tu_write(child, pg(2), 3), 0);
	vmsim_mm_exit(child);
	expect_function_call(mock_release);
	vmsim_mmu_notifier_unregister(&sub, mm);
}

/* A shared mapping loses no write permission in the parent: no range. */
static void test_fork_shared_no_range(void **state)
{
	struct vmsim_mm *child;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	subscribe();
	assert_int_equal(vmsim_fork(mm, &child), 0);
	vmsim_mm_exit(child);
	expect_function_call(mock_release);
	vmsim_mmu_notifier_unregister(&sub, mm);
}

/* fsync of a disk file: folio_mkclean() write-protects the dirty page's
 * shared mapping inside page_vma_mkclean_one()'s PROTECTION_PAGE range of
 * that page; a private mapping of it is no candidate (invalid_mkclean_vma)
 * and the clean page beside it is not written back: no range for either.
 * The next write only makes the pte writable again (wp_page_reuse: no
 * range). */
static void test_writeback_mkclean_is_protection_page(void **state)
{
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "wb", VMSIM_FILE_DISK, 2 * P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(8), 2 * P, RW, VMSIM_MAP_PRIVATE, f, 0), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(tu_read(mm, pg(9)), 1);
	subscribe();
	expect_range(MMU_NOTIFY_PROTECTION_PAGE, pg(1), pg(2));
	assert_int_equal(vmsim_file_fsync(f), 0);
	assert_int_equal(tu_write(mm, pg(1), 2), 0);
	expect_function_call(mock_release);
	vmsim_mmu_notifier_unregister(&sub, mm);
}

/* move_page_tables(): UNMAP of the old range; then do_munmap() of the old
 * vma, another UNMAP of it. */
static void test_mremap(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	subscribe();
	expect_range(MMU_NOTIFY_UNMAP, pg(0), pg(2));
	expect_range(MMU_NOTIFY_UNMAP, pg(0), pg(2));
	assert_int_equal(vmsim_mremap(mm, pg(0), 2 * P, 2 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, pg(8)), 0);
	assert_int_equal(tu_read(mm, pg(8)), 1);
	expect_function_call(mock_release);
	vmsim_mmu_notifier_unregister(&sub, mm);
}

static void test_clear_refs_is_soft_dirty(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	subscribe();
	expect_range(MMU_NOTIFY_SOFT_DIRTY, 0, ~0ULL);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	expect_function_call(mock_release);
	vmsim_mmu_notifier_unregister(&sub, mm);
}

/* exit_mmap(): mmu_notifier_release() first; the subscription is then
 * detached, so unmap_vmas()'s UNMAP range does not reach it. */
static void test_exit_releases(void **state)
{
	struct vmsim_mm *other;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &other), 0);
	assert_int_equal(vmsim_mmap(other, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(other, pg(0), 1), 0);
	sub = (struct mmu_notifier){ .ops = &mock_ops };
	assert_int_equal(vmsim_mmu_notifier_register(&sub, other), 0);
	expect_function_call(mock_release);
	vmsim_mm_exit(other);
	assert_false(sub.linked);
}

/* The hook Linux calls from flush_tlb_mm_range(): the range the CPU flush
 * used, everything above the single-page ceiling. */
static void test_secondary_tlbs(void **state)
{
	static const struct mmu_notifier_ops tlb_ops = { .arch_invalidate_secondary_tlbs = mock_secondary };
	struct mmu_notifier t = { .ops = &tlb_ops };

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 64 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(40), 1), 0);
	assert_int_equal(vmsim_mmu_notifier_register(&t, mm), 0);
	/* DONTNEED of one page: the mmu_gather flushes that page. */
	expect_function_call(mock_secondary);
	expect_value(mock_secondary, start, pg(0));
	expect_value(mock_secondary, end, pg(1));
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_DONTNEED), 0);
	/* mprotect of 64 pages that cleared one at pg(40): a 1-page flush
	 * range; 34 pages or more would be a full flush (0, ~0). */
	expect_function_call(mock_secondary);
	expect_value(mock_secondary, start, pg(40));
	expect_value(mock_secondary, end, pg(41));
	assert_int_equal(vmsim_mprotect(mm, pg(0), 64 * P, RO), 0);
	vmsim_set_flush_ceiling(vm, 0);
	expect_function_call(mock_secondary);
	expect_value(mock_secondary, start, 0);
	expect_value(mock_secondary, end, VMSIM_TLB_FLUSH_ALL);
	assert_int_equal(vmsim_madvise(mm, pg(40), P, VMSIM_MADV_DONTNEED), 0);
	vmsim_mmu_notifier_unregister(&t, mm);
}

/* Reclaim defers its flush (TTU_BATCH_FLUSH) when the mm runs on other
 * CPUs; x86's arch_tlbbatch_add_pending() then tells secondary TLBs at
 * once, for the whole address space (0, -1UL), since the batch flushes
 * CPUs, not ranges. */
static unsigned long batch_secondary;

static void count_full_secondary(struct mmu_notifier *s, struct vmsim_mm *m, uint64_t start, uint64_t end)
{
	(void)s;
	(void)m;
	if (start == 0 && end == VMSIM_TLB_FLUSH_ALL)
		batch_secondary++;
}

static void test_secondary_tlbs_reclaim_batch(void **state)
{
	static const struct mmu_notifier_ops ops = { .arch_invalidate_secondary_tlbs = count_full_secondary };
	struct mmu_notifier t = { .ops = &ops };
	struct bug_log log = { 0 };
	struct vmsim *v = tu_machine_str("ram=16M swap=1M cpus=2 check=full", &log);
	struct vmsim_mm *m;
	uint8_t b = 1;

	(void)state;
	assert_non_null(v);
	assert_int_equal(vmsim_mm_new(v, &m), 0);
	assert_int_equal(vmsim_mmap(m, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_access(m, 0, pg(0), &b, 1, true, NULL), 0);
	/* The mm now runs on both CPUs: the unmap's flush is batched. */
	assert_int_equal(vmsim_access(m, 1, pg(0), &b, 1, false, NULL), 0);
	assert_int_equal(vmsim_mmu_notifier_register(&t, m), 0);
	batch_secondary = 0;
	assert_int_equal(vmsim_madvise(m, pg(0), P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(batch_secondary, 1);
	vmsim_mmu_notifier_unregister(&t, m);
	vmsim_free(v);
	assert_int_equal(log.count, 0);
}

/* Newest subscription first (hlist_add_head), for start and end alike. */
static int order_start(struct mmu_notifier *s, const struct mmu_notifier_range *r)
{
	(void)r;
	function_called();
	check_expected_ptr(s);
	return 0;
}

static void order_end(struct mmu_notifier *s, const struct mmu_notifier_range *r)
{
	(void)r;
	function_called();
	check_expected_ptr(s);
}

static void test_subscription_order(void **state)
{
	static const struct mmu_notifier_ops ops = { .invalidate_range_start = order_start,
						     .invalidate_range_end = order_end };
	struct mmu_notifier a = { .ops = &ops }, b = { .ops = &ops };

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmu_notifier_register(&a, mm), 0);
	assert_int_equal(vmsim_mmu_notifier_register(&b, mm), 0);
	expect_function_call(order_start);
	expect_value(order_start, s, &b);
	expect_function_call(order_start);
	expect_value(order_start, s, &a);
	expect_function_call(order_end);
	expect_value(order_end, s, &b);
	expect_function_call(order_end);
	expect_value(order_end, s, &a);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_DONTNEED), 0);
	vmsim_mmu_notifier_unregister(&a, mm);
	vmsim_mmu_notifier_unregister(&b, mm);
}

/* ---- interval notifiers ---- */

/* The first interval notifier of an mm inserted while a range is open
 * (here from a plain subscriber's invalidate_range_start; on Linux another
 * CPU cannot, mm_take_all_locks() serialises it): that range's end owes
 * the interval tree nothing, so the tree's sequence is even again after
 * it and after the next range, and the notifier goes at once. */
static struct mmu_interval_notifier mid_range_n;

static bool nop_invalidate(struct mmu_interval_notifier *n, const struct mmu_notifier_range *r,
			   unsigned long cur_seq)
{
	(void)r;
	mmu_interval_set_seq(n, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops nop_ops = { .invalidate = nop_invalidate };

static int insert_start(struct mmu_notifier *plain, const struct mmu_notifier_range *r)
{
	(void)plain;
	if (!mid_range_n.ops)
		assert_int_equal(vmsim_mmu_interval_notifier_insert(&mid_range_n, r->mm, r->start, 64 * P, &nop_ops), 0);
	return 0;
}

static void test_interval_insert_mid_range(void **state)
{
	static const struct mmu_notifier_ops ops = { .invalidate_range_start = insert_start };
	struct mmu_notifier plain = { .ops = &ops };
	unsigned long seq;

	(void)state;
	memset(&mid_range_n, 0, sizeof(mid_range_n));
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(vmsim_mmu_notifier_register(&plain, mm), 0);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_DONTNEED), 0);
	assert_ptr_equal(mid_range_n.mm, mm);
	assert_int_equal(vmsim_madvise(mm, pg(1), P, VMSIM_MADV_DONTNEED), 0);
	seq = vmsim_mmu_interval_read_begin(&mid_range_n);
	assert_false(mmu_interval_read_retry(&mid_range_n, seq));
	vmsim_mmu_interval_notifier_remove(&mid_range_n);
	assert_null(mid_range_n.mm);
	vmsim_mmu_notifier_unregister(&plain, mm);
}

struct watcher {
	struct mmu_interval_notifier n;
	unsigned calls;
	unsigned long last_seq;
	enum mmu_notifier_event last_event;
	bool filter_clear;	/* ignore MMU_NOTIFY_CLEAR without set_seq */
};

static bool watcher_invalidate(struct mmu_interval_notifier *n, const struct mmu_notifier_range *r,
			       unsigned long cur_seq)
{
	struct watcher *w = (struct watcher *)n;

	w->calls++;
	w->last_seq = cur_seq;
	w->last_event = r->event;
	if (w->filter_clear && r->event == MMU_NOTIFY_CLEAR)
		return true;
	mmu_interval_set_seq(n, cur_seq);
	return true;
}

static const struct mmu_interval_notifier_ops watcher_ops = { .invalidate = watcher_invalidate };

static void test_interval_sequence(void **state)
{
	struct watcher w = { 0 };
	unsigned long seq;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 8 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmu_interval_notifier_insert(&w.n, mm, pg(2), 2 * P, &watcher_ops), 0);
	assert_int_equal(w.n.last, pg(4) - 1);
	/* A fresh subscription starts odd and one below the mm's sequence. */
	seq = vmsim_mmu_interval_read_begin(&w.n);
	assert_true(seq & 1);
	assert_false(mmu_interval_read_retry(&w.n, seq));
	/* Outside the watched range: no call, no collision. */
	assert_int_equal(vmsim_madvise(mm, pg(0), 2 * P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(w.calls, 0);
	assert_false(mmu_interval_read_retry(&w.n, seq));
	/* Touching it: the callback gets an odd cur_seq; the reader retries. */
	assert_int_equal(vmsim_madvise(mm, pg(3), 2 * P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(w.calls, 1);
	assert_int_equal(w.last_event, MMU_NOTIFY_CLEAR);
	assert_true(w.last_seq & 1);
	assert_true(mmu_interval_read_retry(&w.n, seq));
	assert_true(mmu_interval_check_retry(&w.n, seq));
	/* A new read side after it sees a stable sequence. */
	seq = vmsim_mmu_interval_read_begin(&w.n);
	assert_false(mmu_interval_read_retry(&w.n, seq));
	/* A callback that filters an event (returns without set_seq) leaves
	 * the reader alone: that is how a driver ignores itself. */
	w.filter_clear = true;
	assert_int_equal(vmsim_madvise(mm, pg(2), P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(w.calls, 2);
	assert_false(mmu_interval_read_retry(&w.n, seq));
	vmsim_mmu_interval_notifier_remove(&w.n);
	assert_null(w.n.mm);
	assert_int_equal(vmsim_madvise(mm, pg(2), P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(w.calls, 2);
}

static void test_interval_errors(void **state)
{
	struct watcher w = { 0 };

	(void)state;
	assert_int_equal(vmsim_mmu_interval_notifier_insert(NULL, mm, 0, P, &watcher_ops), -EINVAL);
	assert_int_equal(vmsim_mmu_interval_notifier_insert(&w.n, mm, 0, P, NULL), -EINVAL);
	assert_int_equal(vmsim_mmu_interval_notifier_insert(&w.n, mm, 0, 0, &watcher_ops), -EOVERFLOW);
	assert_int_equal(vmsim_mmu_interval_notifier_insert(&w.n, mm, ~0ULL - P, 2 * P, &watcher_ops),
			 -EOVERFLOW);
	/* Removing what was never inserted is harmless. */
	vmsim_mmu_interval_notifier_remove(&w.n);
	vmsim_mmu_interval_notifier_remove(NULL);
}

/* Inserted while the tree is being invalidated (from another watcher's
 * callback): deferred until the invalidation ends, and born odd so its
 * first reader retries. */
static struct watcher late;

static bool inserting_invalidate(struct mmu_interval_notifier *n, const struct mmu_notifier_range *r,
				 unsigned long cur_seq)
{
	(void)r;
	mmu_interval_set_seq(n, cur_seq);
	if (!late.n.ops)
		assert_int_equal(vmsim_mmu_interval_notifier_insert(&late.n, n->mm, pg(0), P, &watcher_ops), 0);
	return true;
}

static void test_interval_deferred_insert(void **state)
{
	static const struct mmu_interval_notifier_ops ops = { .invalidate = inserting_invalidate };
	struct mmu_interval_notifier first;
	unsigned long seq;

	(void)state;
	memset(&late, 0, sizeof(late));
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmu_interval_notifier_insert(&first, mm, pg(0), 2 * P, &ops), 0);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_DONTNEED), 0);
	/* It joined after the invalidation and was not called by it. */
	assert_int_equal(late.calls, 0);
	assert_true(late.n.invalidate_seq & 1);
	seq = vmsim_mmu_interval_read_begin(&late.n);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(late.calls, 1);
	assert_true(mmu_interval_read_retry(&late.n, seq));
	vmsim_mmu_interval_notifier_remove(&late.n);
	vmsim_mmu_interval_notifier_remove(&first);
}

/* exit_mmap(): interval subscribers get MMU_NOTIFY_RELEASE over
 * everything, and lose the freed mm. */
static void test_interval_release(void **state)
{
	struct vmsim_mm *other;
	struct watcher w = { 0 };

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &other), 0);
	assert_int_equal(vmsim_mmu_interval_notifier_insert(&w.n, other, pg(0), P, &watcher_ops), 0);
	vmsim_mm_exit(other);
	assert_true(w.calls >= 1);
	assert_null(w.n.mm);
	vmsim_mmu_interval_notifier_remove(&w.n);
}

static void test_release_event_first(void **state)
{
	struct vmsim_mm *other;
	struct watcher w = { 0 };

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &other), 0);
	assert_int_equal(vmsim_mmap(other, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmu_interval_notifier_insert(&w.n, other, pg(0), P, &watcher_ops), 0);
	w.filter_clear = false;
	vmsim_mm_exit(other);
	/* RELEASE, then unmap_vmas()'s UNMAP over everything. */
	assert_int_equal(w.calls, 2);
	assert_int_equal(w.last_event, MMU_NOTIFY_UNMAP);
}

/* Nobody listening: no notifier work and no notifier trace events. */
static unsigned notifier_events;

static void count_events(void *arg, const struct vmsim_trace_event *ev)
{
	(void)arg;
	if (ev->type == VMSIM_TR_MMU_NOTIFIER)
		notifier_events++;
}

static void test_no_subscriber_no_trace(void **state)
{
	char line[200];

	(void)state;
	notifier_events = 0;
	vmsim_set_trace(vm, count_events, NULL);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(vmsim_munmap(mm, pg(0), P), 0);
	assert_int_equal(notifier_events, 0);
	subscribe();
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	expect_range(MMU_NOTIFY_UNMAP, pg(0), pg(1));
	assert_int_equal(vmsim_munmap(mm, pg(0), P), 0);
	assert_int_equal(notifier_events, 2);
	vmsim_set_trace(vm, NULL, NULL);
	vmsim_trace_format(&(struct vmsim_trace_event){ .type = VMSIM_TR_MMU_NOTIFIER, .target = 1,
				   .addr = 0x1000, .end = 0x2000, .why = "invalidate_range_start",
				   .order = MMU_NOTIFY_EXCLUSIVE, .pfn = 1 }, line, sizeof(line));
	assert_string_equal(line, "mmu_notifier mm1 invalidate_range_start "
			    "0x0000000000001000-0x0000000000002000 exclusive owner");
	expect_function_call(mock_release);
	vmsim_mmu_notifier_unregister(&sub, mm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_register_rules),
		TU_TEST(test_munmap_is_unmap),
		TU_TEST(test_dontneed_is_clear),
		TU_TEST(test_mprotect_is_protection_vma),
		TU_TEST(test_fork_and_cow),
		TU_TEST(test_fork_shared_no_range),
		TU_TEST(test_writeback_mkclean_is_protection_page),
		TU_TEST(test_mremap),
		TU_TEST(test_clear_refs_is_soft_dirty),
		TU_TEST(test_exit_releases),
		TU_TEST(test_secondary_tlbs),
		TU_TEST(test_subscription_order),
		TU_TEST(test_interval_insert_mid_range),
		TU_TEST(test_interval_sequence),
		TU_TEST(test_interval_errors),
		TU_TEST(test_interval_deferred_insert),
		TU_TEST(test_interval_release),
		TU_TEST(test_release_event_first),
		TU_TEST(test_no_subscriber_no_trace),
		cmocka_unit_test(test_secondary_tlbs_reclaim_batch),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
