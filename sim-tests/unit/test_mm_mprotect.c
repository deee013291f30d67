/* Unit tests: mprotect (mm/mprotect.c of Linux 6.18): access follows the
 * new protection at once (the TLB is flushed), PROT_NONE keeps the page
 * (a protnone pte, still present to pagemap), a hole stops the walk with
 * -ENOMEM after the part before it was changed, and
 * can_change_pte_writable() makes a pte writable without a fault only when
 * no fault is needed: an exclusive anonymous page, soft-dirty already set,
 * no uffd-wp; a shared mapping's pte only when dirty.
 * Pictures: one character a page; A, B...: vmas, '.': no vma. */
#include "unitfix.h"

static unsigned long faults_wp(void)
{
	struct vmsim_mm_stats st;

	vmsim_mm_stats(mm, &st);
	return st.faults_wp;
}

static pte_t pte_at(uint64_t addr)
{
	pte_t *ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(mm), addr, false);

	return ptep ? ptep_get(ptep) : __pte(0);
}

static void test_protection_applies(void **state)
{
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 7), 0);
	pfn = tu_pfn(mm, pg(0));
	assert_int_equal(vmsim_mprotect(mm, pg(0), 2 * P, RO), 0);
	assert_int_equal(tu_write(mm, pg(0), 8), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(tu_read(mm, pg(0)), 7);
	assert_int_equal(vmsim_mprotect(mm, pg(0), 2 * P, VMSIM_PROT_NONE), 0);
	assert_int_equal(tu_read(mm, pg(0)), -VMSIM_ACCESS_SIGSEGV);
	/* pte_protnone(): not accessible, but pte_present() and the frame kept. */
	assert_true(pte_protnone(pte_at(pg(0))));
	assert_true(tu_pm(mm, pg(0)) & PM_PRESENT);
	assert_int_equal(tu_pfn(mm, pg(0)), pfn);
	assert_int_equal(vmsim_mprotect(mm, pg(0), 2 * P, RW), 0);
	assert_int_equal(tu_read(mm, pg(0)), 7);
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
}

/* The other CPU's cached writable translation is shot down. */
static void test_tlb_flushed(void **state)
{
	struct vmsim_mm_context *ctx;
	struct vmsim_tlb_entry e;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 7), 0);
	ctx = vmsim_cpu_loaded(vm, vmsim_mm_cpu(mm));
	assert_non_null(ctx);
	assert_int_equal(vmsim_tlb_probe(vm, vmsim_mm_cpu(mm), ctx, pg(0), &e), 1);
	assert_true(e.write);
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RO), 0);
	assert_int_equal(vmsim_tlb_probe(vm, vmsim_mm_cpu(mm), ctx, pg(0), &e), 0);
}

static void test_hole_and_arguments(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(3), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mprotect(mm, pg(1), 4 * P, RO), -ENOMEM);
	/*
	 * 012345
	 * AB.CC.	B (page 1) changed before the hole; C untouched
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 6), "AB.CC.");
	assert_int_equal(tu_write(mm, pg(1), 1), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(tu_write(mm, pg(3), 1), 0);
	/* Nothing mapped at the start: ENOMEM, nothing changed. */
	assert_int_equal(vmsim_mprotect(mm, pg(2), 2 * P, RO), -ENOMEM);
	assert_int_equal(tu_write(mm, pg(3), 2), 0);
	assert_int_equal(vmsim_mprotect(mm, pg(0) + 1, P, RO), -EINVAL);
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, 0x100), -EINVAL);
	assert_int_equal(vmsim_mprotect(mm, pg(0), 0, RO), 0);
	assert_int_equal(vmsim_mprotect(NULL, pg(0), P, RO), -EINVAL);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
}

/* An exclusive anonymous page becomes writable with the vma: no fault. */
static void test_exclusive_anon_made_writable(void **state)
{
	unsigned long wp;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RO), 0);
	assert_false(pte_write(pte_at(pg(0))));
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RW), 0);
	assert_true(pte_write(pte_at(pg(0))));
	wp = faults_wp();
	assert_int_equal(tu_write(mm, pg(0), 2), 0);
	assert_int_equal(faults_wp(), wp);
}

/* A page shared with a child needs the COW fault: it stays read-only. */
static void test_shared_anon_stays_readonly(void **state)
{
	struct vmsim_mm *child;
	unsigned long wp;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RO), 0);
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RW), 0);
	assert_false(pte_write(pte_at(pg(0))));
	wp = faults_wp();
	assert_int_equal(tu_write(mm, pg(0), 2), 0);
	assert_int_equal(faults_wp(), wp + 1);
	assert_int_equal(tu_read(child, pg(0)), 1);
	vmsim_mm_exit(child);
}

/* Soft-dirty tracking on (clear_refs): the write must fault to set it. */
static void test_softdirty_tracking_needs_fault(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RO), 0);
	assert_int_equal(vmsim_mprotect(mm, pg(0), P, RW), 0);
	assert_false(pte_write(pte_at(pg(0))));
	assert_false(tu_pm(mm, pg(0)) & PM_SOFT_DIRTY);
	assert_int_equal(tu_write(mm, pg(0), 2), 0);
	assert_true(tu_pm(mm, pg(0)) & PM_SOFT_DIRTY);
}

/* A disk file's shared mapping wants write notification: a clean pte stays
 * read-only (page_mkwrite must run), a dirty one may be writable. */
static void test_shared_file_dirty_only(void **state)
{
	struct vmsim_file *d;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, 2 * P, &d), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, VMSIM_MAP_SHARED, d, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);	/* dirty */
	assert_int_equal(tu_read(mm, pg(1)), 0);	/* clean */
	assert_true(tu_pm(mm, pg(1)) & PM_PRESENT);
	assert_int_equal(vmsim_mprotect(mm, pg(0), 2 * P, RO), 0);
	assert_int_equal(vmsim_mprotect(mm, pg(0), 2 * P, RW), 0);
	assert_true(pte_write(pte_at(pg(0))));
	assert_false(pte_write(pte_at(pg(1))));
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_protection_applies),
		TU_TEST(test_tlb_flushed),
		TU_TEST(test_hole_and_arguments),
		TU_TEST(test_exclusive_anon_made_writable),
		TU_TEST(test_shared_anon_stays_readonly),
		TU_TEST(test_softdirty_tracking_needs_fault),
		TU_TEST(test_shared_file_dirty_only),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
