/* Unit tests: hugetlb (mm/hugetlb.c) as Linux 6.18 runs it: reservations
 * (ENOMEM at mmap, SIGBUS on a fork child's copy-on-write), the page cache
 * shared by shared and private mappings, userfaults on the huge page, and
 * PMD table sharing: a second process mapping the same 1 GiB of the file
 * points its PUD at the first one's PMD table, unsharing on munmap,
 * mprotect and uffd-wp registration with the whole PUD range flushed.  The
 * reservation scenario is the one the kernel runner's hugetlb test checks
 * on the host.  hugetlbfs files themselves are test_mm_hugetlbfs.c's. */
#define TU_UNIT_MACHINE "ram=1280M check=full hugepages=520"
#include "unitfix.h"

#define M2 (2ULL << 20)
#define G1 (1ULL << 30)
#define B 0x7f0000000000ULL	/* 1 GiB aligned */
#define SH (VMSIM_MAP_SHARED)
#define PR (VMSIM_MAP_PRIVATE)

static struct vmsim_file *hfile(const char *name, uint64_t size)
{
	struct vmsim_file *f;

	assert_int_equal(vmsim_file_new(vm, name, VMSIM_FILE_HUGETLB, size, &f), 0);
	return f;
}

static unsigned long pfn_of(struct vmsim_mm *m, uint64_t addr)
{
	return (unsigned long)(tu_pm(m, addr) & PM_PFRAME_MASK);
}

static unsigned long free_huge(void)
{
	unsigned long fr;

	vmsim_hugetlb_pool(vm, &fr, NULL);
	return fr;
}

static unsigned long resv_huge(void)
{
	unsigned long r;

	vmsim_hugetlb_pool(vm, NULL, &r);
	return r;
}

/* The PMD table that maps addr in m (NULL if none). */
static struct vmsim_page *pmd_table(struct vmsim_mm *m, uint64_t addr)
{
	struct vmsim_walk w;

	assert_int_equal(vmsim_walk(vm, vmsim_mm_pgd(m), addr, 0, &w), 0);
	return w.pmd ? w.table[VMSIM_LVL_PMD] : NULL;
}

/* The kernel runner's hugetlb scenario, pool of 3. */
static void test_reservations_and_fork_sigbus(void **state)
{
	struct vmsim_file *f = hfile("H", 4 << 20);
	struct vmsim_mm *child;
	uint64_t s = B, p = B + 8 * M2;
	unsigned long keep = free_huge() - 3;
	unsigned long pfns[520];

	(void)state;
	/* Take all but three pages away, as a pool of 3. */
	for (unsigned long i = 0; i < keep; i++)
		pfns[i] = 0;
	{
		struct vmsim_file *hog = hfile("hog", keep * M2);

		assert_int_equal(vmsim_mmap(mm, B + 64 * M2, keep * M2, RW, SH | VMSIM_MAP_POPULATE, hog, 0), 0);
	}
	assert_int_equal(free_huge(), 3);
	assert_int_equal(vmsim_mmap(mm, s, 4 << 20, RW, SH, f, 0), 0);
	assert_int_equal(resv_huge(), 2);
	assert_int_equal(vmsim_mmap(mm, p, 4 << 20, RW, PR, f, 0), -ENOMEM);
	assert_int_equal(vmsim_mmap(mm, p, M2, RW, PR, f, 0), 0);
	assert_int_equal(resv_huge(), 3);
	assert_int_equal(tu_write(mm, s, 0x5a), 0);
	assert_int_equal(tu_read(mm, p), 0x5a);
	assert_int_equal(pfn_of(mm, s), pfn_of(mm, p));
	/* The private write copies into its reserved page. */
	assert_int_equal(tu_write(mm, p, 0x6b), 0);
	assert_int_not_equal(pfn_of(mm, s), pfn_of(mm, p));
	assert_int_equal(tu_read(mm, s), 0x5a);
	/* A child has no reservation: its copy finds no free page. */
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(tu_write(child, p, 1), VMSIM_ACCESS_SIGBUS);
	assert_int_equal(tu_read(child, p), 0x6b);
	vmsim_mm_exit(child);
	(void)pfns;
}

static int zero_copier(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *msg)
{
	uint64_t *where = arg;

	*where = msg->address;
	/* hugetlb has no zero page: the answer is a copy of zeros. */
	assert_int_equal(vmsim_uffd_zeropage(ctx, msg->address, M2), -EINVAL);
	assert_int_equal(vmsim_uffd_copy(ctx, msg->address, NULL, 0, M2, false), (long)M2);
	return VMSIM_UFFD_RETRY;
}

static void test_uffd_missing_names_the_huge_page(void **state)
{
	struct vmsim_file *f = hfile("H", 4 << 20);
	struct vmsim_uffd *u;
	uint64_t where = 0;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, B, 4 << 20, RW, SH, f, 0), 0);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	vmsim_uffd_set_handler(u, zero_copier, &where);
	assert_int_equal(vmsim_uffd_register(u, B + P, M2, UFFDIO_REGISTER_MODE_MISSING), -EINVAL);
	assert_int_equal(vmsim_uffd_register(u, B + M2, M2, UFFDIO_REGISTER_MODE_MISSING), 0);
	assert_int_equal(tu_read(mm, B + M2 + P), 0);
	assert_int_equal(where, B + M2);
	assert_true(tu_pm(mm, B + M2) & PM_MMAP_EXCLUSIVE);
	assert_true(tu_pm(mm, B + M2 + P) & PM_FILE);
	assert_int_equal(pfn_of(mm, B + M2 + P), pfn_of(mm, B + M2) + 1);
}

/* Two processes map the same 1 GiB of a file, shared. */
static struct vmsim_mm *share_setup(struct vmsim_file **fp)
{
	struct vmsim_file *f = hfile("H", G1);
	struct vmsim_mm *q;

	assert_int_equal(vmsim_mm_new(vm, &q), 0);
	assert_int_equal(vmsim_mm_run(q, 1), 0);
	assert_int_equal(vmsim_mmap(mm, B, G1, RW, SH, f, 0), 0);
	assert_int_equal(vmsim_mmap(q, B + 4 * G1, G1, RW, SH, f, 0), 0);
	*fp = f;
	return q;
}

static void test_pmd_table_shared_between_processes(void **state)
{
	struct vmsim_file *f;
	struct vmsim_mm *q = share_setup(&f);
	struct vmsim_page *t;
	unsigned long tables;

	(void)state;
	assert_int_equal(tu_write(mm, B, 1), 0);
	t = pmd_table(mm, B);
	assert_non_null(t);
	tables = vmsim_nr_pgtable_pages(vm);
	/* Q's first fault finds P's table through the file's i_mmap. */
	assert_int_equal(tu_write(q, B + 4 * G1 + 5 * M2, 2), 0);
	assert_ptr_equal(pmd_table(q, B + 4 * G1), t);
	assert_int_equal(t->pt_share_count, 1);
	/* No table of its own below the PUD: only its upper levels. */
	assert_true(vmsim_nr_pgtable_pages(vm) <= tables + 3);
	/* P's page is mapped in Q without a fault: the entry is the same. */
	assert_int_equal(pfn_of(q, B + 4 * G1), pfn_of(mm, B));
	assert_int_equal(tu_read(mm, B + 5 * M2), 2);
	/* Mapped once, but through a shared table: not exclusive. */
	assert_false(tu_pm(mm, B) & PM_MMAP_EXCLUSIVE);
	vmsim_mm_exit(q);
	assert_int_equal(t->pt_share_count, 0);
	assert_true(tu_pm(mm, B) & PM_MMAP_EXCLUSIVE);
	assert_int_equal(tu_read(mm, B + 5 * M2), 2);
}

static void test_munmap_unshares_and_flushes_the_pud_range(void **state)
{
	struct vmsim_file *f;
	struct vmsim_mm *q = share_setup(&f);
	struct vmsim_page *t;

	(void)state;
	assert_int_equal(tu_write(mm, B, 1), 0);
	assert_int_equal(tu_write(mm, B + 7 * M2, 7), 0);
	assert_int_equal(tu_read(q, B + 4 * G1 + 7 * M2), 7);
	assert_int_equal(tu_read(q, B + 4 * G1), 1);
	t = pmd_table(mm, B);
	assert_int_equal(t->pt_share_count, 1);
	/* Q unmaps 2 MiB: it lets go of the whole shared table, and its
	 * TLB entries for the other pages of the range must go too (the
	 * checker would report the one for B + 7M as stale otherwise). */
	assert_int_equal(vmsim_munmap(q, B + 4 * G1, M2), 0);
	assert_int_equal(t->pt_share_count, 0);
	assert_null(pmd_table(q, B + 4 * G1 + 7 * M2));
	assert_int_equal(tu_read(mm, B), 1);
	/* Q's vma no longer covers the PUD range: a new fault gets a table
	 * of its own. */
	assert_int_equal(tu_read(q, B + 4 * G1 + 7 * M2), 7);
	assert_ptr_not_equal(pmd_table(q, B + 4 * G1 + 7 * M2), t);
	vmsim_mm_exit(q);
}

static void test_mprotect_and_uffd_wp_unshare(void **state)
{
	struct vmsim_file *f;
	struct vmsim_mm *q = share_setup(&f);
	struct vmsim_page *t;
	struct vmsim_uffd *u;

	(void)state;
	assert_int_equal(tu_write(mm, B, 1), 0);
	assert_int_equal(tu_read(q, B + 4 * G1 + M2), 0);
	t = pmd_table(mm, B);
	assert_int_equal(t->pt_share_count, 1);
	assert_int_equal(vmsim_mprotect(q, B + 4 * G1, G1, RO), 0);
	assert_int_equal(t->pt_share_count, 0);
	assert_int_equal(tu_read(q, B + 4 * G1), 1);
	/* Different flags: Q cannot share P's table again. */
	assert_ptr_not_equal(pmd_table(q, B + 4 * G1), t);
	assert_int_equal(tu_write(q, B + 4 * G1, 3), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(vmsim_mprotect(q, B + 4 * G1, G1, RW), 0);
	vmsim_mm_exit(q);
	/* A fork's child refaults and shares again; uffd-wp registration of
	 * the child unshares it. */
	assert_int_equal(vmsim_fork(mm, &q), 0);
	assert_int_equal(tu_read(q, B + M2), 0);
	assert_ptr_equal(pmd_table(q, B), t);
	assert_int_equal(vmsim_uffd_open(q, 0, &u), 0);
	assert_int_equal(vmsim_uffd_register(u, B, G1, UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(t->pt_share_count, 0);
	assert_null(pmd_table(q, B));
	vmsim_mm_exit(q);
}

/* The quirk of the hugetlb code before dff11abe280b: unsharing flushes the
 * 2 MiB being unmapped only; the TLB keeps Q's translations of the other
 * pages of the shared table, which Q no longer maps: the stale-TLB
 * detector reports them. */
static void test_quirk_partial_flush_leaves_stale_tlb(void **state)
{
	struct bug_log log = { 0 };
	struct vmsim *qvm = tu_machine_str("ram=1280M check=full hugepages=8 quirks=pmd_unshare_partial_flush", &log);
	struct vmsim_mm *p, *q;
	struct vmsim_file *f;

	(void)state;
	assert_non_null(qvm);
	assert_int_equal(vmsim_file_new(qvm, "H", VMSIM_FILE_HUGETLB, G1, &f), 0);
	assert_int_equal(vmsim_mm_new(qvm, &p), 0);
	assert_int_equal(vmsim_mm_new(qvm, &q), 0);
	assert_int_equal(vmsim_mm_run(q, 1), 0);
	assert_int_equal(vmsim_mmap(p, B, G1, RW, SH | VMSIM_MAP_NORESERVE, f, 0), 0);
	assert_int_equal(vmsim_mmap(q, B, G1, RW, SH | VMSIM_MAP_NORESERVE, f, 0), 0);
	assert_int_equal(tu_write(p, B + 7 * M2, 7), 0);
	assert_int_equal(tu_read(q, B + 7 * M2), 7);	/* cached on CPU 1 */
	assert_int_equal(log.count, 0);
	assert_int_equal(vmsim_munmap(q, B, M2), 0);
	assert_true(log.count > 0);
	assert_non_null(strstr(log.last, "stale TLB entry"));
	vmsim_free(qvm);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_reservations_and_fork_sigbus),
		TU_TEST(test_uffd_missing_names_the_huge_page),
		TU_TEST(test_pmd_table_shared_between_processes),
		TU_TEST(test_munmap_unshares_and_flushes_the_pud_range),
		TU_TEST(test_mprotect_and_uffd_wp_unshare),
		TU_TEST(test_quirk_partial_flush_leaves_stale_tlb),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
