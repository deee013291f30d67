/* Unit tests: the invariant checker (check/mm_check.c, vmsim_check_all):
 * silent on a clean machine after every kind of operation, and each check
 * fires, once, on a violation planted through the public API (a pte
 * written behind mm's back, a struct page's counts changed, a lost page
 * table, a lock left held, a TLB flush suppressed, a private page made
 * writable twice), as Linux's
 * page_table_check and DEBUG_VM assertions would. */
#include "unitfix.h"

#define MAXMSG 8

static struct {
	unsigned n;
	char msg[MAXMSG][256];
} bugs;

static void collect(struct vmsim *v, const struct vmsim_bug_report *r, void *arg)
{
	(void)v;
	(void)arg;
	if (bugs.n < MAXMSG)
		snprintf(bugs.msg[bugs.n], sizeof(bugs.msg[0]), "%s", r->msg);
	bugs.n++;
}

/* Reports now go to the collector, not the fixture's log. */
static void watch(void)
{
	memset(&bugs, 0, sizeof(bugs));
	vmsim_set_bug_handler(vm, collect, NULL);
}

static void unwatch(void)
{
	vmsim_set_bug_handler(vm, tu_bug_recorder, &tu_log);
}

static bool reported(const char *what)
{
	for (unsigned i = 0; i < bugs.n && i < MAXMSG; i++)
		if (strstr(bugs.msg[i], what))
			return true;
	return false;
}

static pte_t *slot(uint64_t addr)
{
	pte_t *ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), addr, false);

	assert_non_null(ptep);
	return ptep;
}

static void test_clean_machine(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(8), 4 * P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_read(mm, pg(1)), 0);
	assert_int_equal(tu_write(mm, pg(8), 1), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(tu_write(child, pg(0), 2), 0);
	assert_int_equal(vmsim_madvise(mm, pg(2), P, VMSIM_MADV_GUARD_INSTALL), 0);
	watch();
	assert_int_equal(vmsim_check_all(vm), 0);
	assert_int_equal(bugs.n, 0);
	unwatch();
	vmsim_mm_exit(child);
}

static void test_mapcount(void **state)
{
	struct vmsim_page *p;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	p = vmsim_pfn_to_page(vm, tu_pfn(mm, pg(0)));
	watch();
	p->mapcount++;
	assert_int_equal(vmsim_check_all(vm), 1);
	assert_true(reported("mapcount 2, mapped by 1 ptes"));
	p->mapcount--;
	assert_int_equal(vmsim_check_all(vm), 0);
	unwatch();
}

/* A shmem page mapped once holds the cache's reference and the mapping's. */
static void test_refcount(void **state)
{
	struct vmsim_file *f;
	struct vmsim_page *p;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	p = vmsim_pfn_to_page(vm, tu_pfn(mm, pg(0)));
	assert_int_equal(p->refcount, 2);
	watch();
	p->refcount--;
	assert_int_equal(vmsim_check_all(vm), 1);
	assert_true(reported("refcount 1 < 1 mappings + 1 cache"));
	p->refcount++;
	unwatch();
}

static void test_pte_to_free_frame(void **state)
{
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);	/* the pte table */
	assert_int_equal(vmsim_page_alloc(vm, 0, &pfn), 0);
	assert_int_equal(vmsim_page_free(vm, pfn, 0), 0);
	watch();
	vmsim_set_pte(vm, slot(pg(1)), pfn_pte(pfn, PAGE_SHARED), pg(1));
	assert_int_equal(vmsim_check_all(vm), 1);
	assert_true(reported("maps free pfn"));
	vmsim_set_pte(vm, slot(pg(1)), __pte(0), pg(1));
	unwatch();
}

/* vm_normal_page() gives no page for a special pte: only the zero page
 * may be mapped that way. */
static void test_special_pte(void **state)
{
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0);	/* zero page: special, fine */
	assert_int_equal(vmsim_page_alloc(vm, 0, &pfn), 0);
	watch();
	vmsim_set_pte(vm, slot(pg(1)), pte_mkspecial(pfn_pte(pfn, PAGE_READONLY)), pg(1));
	assert_int_equal(vmsim_check_all(vm), 1);
	assert_true(reported("special pte"));
	vmsim_set_pte(vm, slot(pg(1)), __pte(0), pg(1));
	unwatch();
	assert_int_equal(vmsim_page_free(vm, pfn, 0), 0);
}

/* The same page at a second address of another vma, counts adjusted:
 * rmap (the page's anon_vma) cannot find it there, and rss disagrees. */
static void test_rmap_and_rss(void **state)
{
	struct vmsim_page *p;
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(1), P, RW | VMSIM_PROT_EXEC, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	/* Read-only, so that two ptes on it break only what is tested here
	 * (not page_table_check's writable rule, tested below). */
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RO), 0);
	pfn = tu_pfn(mm, pg(0));
	p = vmsim_pfn_to_page(vm, pfn);
	watch();
	/* Drop pg 1's own page from view by pointing its pte at pg 0's. */
	{
		pte_t old = ptep_get(slot(pg(1)));

		vmsim_set_pte(vm, slot(pg(1)), pfn_pte(pfn, PAGE_READONLY), pg(1));
		vmsim_flush_tlb_all(vm);	/* no stale entry on top */
		p->mapcount++;
		p->refcount++;
		vmsim_pfn_to_page(vm, pte_pfn(old))->mapcount--;
		assert_int_equal(vmsim_check_all(vm), 1);
		assert_true(reported("rmap does not find"));
		vmsim_set_pte(vm, slot(pg(1)), old, pg(1));
		vmsim_pfn_to_page(vm, pte_pfn(old))->mapcount++;
		p->mapcount--;
		p->refcount--;
	}
	assert_int_equal(vmsim_check_all(vm), 0);
	/* A pte nobody accounted for, to a page of no file or anon_vma:
	 * mapcount, rmap and rss all disagree with it. */
	{
		unsigned long k;

		assert_int_equal(vmsim_page_alloc(vm, 0, &k), 0);
		assert_int_equal(vmsim_mmap(mm, pg(2), P, RO, ANON, NULL, 0), 0);
		vmsim_set_pte(vm, vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), pg(2), true), pfn_pte(k, PAGE_READONLY), pg(2));
		memset(&bugs, 0, sizeof(bugs));
		assert_int_equal(vmsim_check_all(vm), 3);
		assert_true(reported("rss["));
		assert_true(reported("mapcount 0, mapped by 1 ptes"));
		assert_true(reported("rmap does not find"));
		vmsim_set_pte(vm, slot(pg(2)), __pte(0), pg(2));
		assert_int_equal(vmsim_page_free(vm, k, 0), 0);
	}
	unwatch();
}

/* page_table_check: after fork parent and child share a page read-only;
 * making the parent's pte writable behind mm's back lets it write into
 * the child's memory. */
static void test_anon_writable_twice(void **state)
{
	struct vmsim_mm *child;
	pte_t old;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	old = ptep_get(slot(pg(0)));
	assert_false(pte_write(old));
	watch();
	vmsim_set_pte(vm, slot(pg(0)), pte_mkwrite(old), pg(0));
	assert_int_equal(vmsim_check_all(vm), 1);
	assert_true(reported("mapped writable by 1 of its 2 ptes"));
	vmsim_set_pte(vm, slot(pg(0)), old, pg(0));
	assert_int_equal(vmsim_check_all(vm), 0);
	unwatch();
	vmsim_mm_exit(child);
}

static void test_leaked_page_table(void **state)
{
	unsigned long root;

	(void)state;
	watch();
	assert_int_equal(vmsim_pgd_alloc(vm, &root), 0);
	assert_int_equal(vmsim_check_all(vm), 1);
	assert_true(reported("page-table pages allocated"));
	vmsim_pgd_free(vm, root);
	assert_int_equal(vmsim_check_all(vm), 0);
	unwatch();
}

static void test_lock_held(void **state)
{
	struct vmsim_lock l;

	(void)state;
	vmsim_lock_init(&l, VMSIM_LOCK_OTHER);
	watch();
	vmsim_lock(vm, &l);
	assert_int_equal(vmsim_check_all(vm), 1);
	assert_true(reported("locks held between operations"));
	vmsim_unlock(vm, &l);
	assert_int_equal(vmsim_check_all(vm), 0);
	unwatch();
}

/* mprotect with the flush suppressed: the CPU keeps a writable entry for
 * a read-only pte.  check=full reports it when mprotect returns. */
static void test_stale_tlb(void **state)
{
	struct vmsim_mm_context *ctx;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	ctx = vmsim_cpu_loaded(vm, vmsim_mm_cpu(mm));
	watch();
	vmsim_debug_suppress_flush(vm, true);
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RO), 0);
	assert_int_equal(bugs.n, 1);
	assert_true(reported("stale TLB entry"));
	assert_int_equal(vmsim_check_all(vm), 1);
	vmsim_debug_suppress_flush(vm, false);
	vmsim_flush_tlb_mm(vm, ctx);
	assert_int_equal(vmsim_check_all(vm), 0);
	unwatch();
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_clean_machine),
		TU_TEST(test_mapcount),
		TU_TEST(test_refcount),
		TU_TEST(test_pte_to_free_frame),
		TU_TEST(test_special_pte),
		TU_TEST(test_rmap_and_rss),
		TU_TEST(test_anon_writable_twice),
		TU_TEST(test_leaked_page_table),
		TU_TEST(test_lock_held),
		TU_TEST(test_stale_tlb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
