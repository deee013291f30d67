/* Unit tests: the mm_struct's life and introspection (mm/mm.c): ids, the
 * process's CPU, exit_mmap giving back every frame and table, the vma and
 * counter views (page tables as mm_pgtables_bytes() counts them: pud, pmd
 * and pte tables), and vma_wants_writenotify(): a shared writable mapping
 * maps read faults writable only when nothing needs to see the first
 * write (shmem without soft-dirty tracking), read-only for a disk file
 * (->page_mkwrite) or once clear_refs turned soft-dirty tracking on. */
#define TU_UNIT_MACHINE "ram=16M cpus=2 check=full"
#include "unitfix.h"

static pte_t pte_of(struct vmsim_mm *m, uint64_t addr)
{
	pte_t *ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(m), addr, false);

	return ptep ? ptep_get(ptep) : __pte(0);
}

static void test_ids_and_cpu(void **state)
{
	struct vmsim_mm *b;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &b), 0);
	assert_int_equal(vmsim_mm_id(b), vmsim_mm_id(mm) + 1);
	assert_ptr_equal(vmsim_mm_machine(b), vm);
	assert_int_equal(vmsim_mm_cpu(b), 0);
	assert_int_equal(vmsim_mm_run(b, 1), 0);
	assert_int_equal(vmsim_mm_cpu(b), 1);
	assert_non_null(vmsim_cpu_loaded(vm, 1));
	assert_int_equal(vmsim_mm_run(b, 2), -EINVAL);
	assert_int_equal(vmsim_mm_run(b, -1), -EINVAL);
	assert_int_equal(vmsim_mm_run(NULL, 0), -EINVAL);
	assert_int_equal(vmsim_mm_new(NULL, &b), -EINVAL);
	vmsim_mm_exit(b);
	vmsim_mm_exit(NULL);
}

static void test_exit_gives_everything_back(void **state)
{
	unsigned long free0 = vmsim_nr_free_pages(vm), tables0 = vmsim_nr_pgtable_pages(vm);
	struct vmsim_mm *b;
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	assert_int_equal(vmsim_mm_new(vm, &b), 0);
	assert_int_equal(vmsim_mmap(b, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(b, pg(512), 4 * P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	for (unsigned i = 0; i < 4; i++) {
		assert_int_equal(tu_write(b, pg(i), 1), 0);
		assert_int_equal(tu_write(b, pg(512 + i), 1), 0);
	}
	assert_int_equal(vmsim_madvise(b, pg(1), P, VMSIM_MADV_GUARD_INSTALL), 0);
	vmsim_mm_exit(b);
	/* Only the file's four cache pages stay: they are the file's. */
	assert_int_equal(vmsim_file_cached_pages(f), 4);
	assert_int_equal(vmsim_nr_free_pages(vm), free0 - 4);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), tables0);
}

static void test_views(void **state)
{
	struct vmsim_mm_stats st;
	struct vmsim_vma_info v;

	(void)state;
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.nr_vmas, 0);
	assert_int_equal(st.pgtable_pages, 0);		/* the pgd is not counted */
	assert_int_equal(vmsim_mm_vma(mm, 0, &v), -ENOENT);
	assert_int_equal(vmsim_mmap(mm, pg(4), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RO, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(4), 1), 0);
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.nr_vmas, 2);
	assert_int_equal(st.pgtable_pages, 3);		/* pud, pmd, pte (not p4d) */
	assert_int_equal(st.rss_anon, 1);
	/* By address, whatever the order of creation. */
	assert_int_equal(vmsim_mm_vma(mm, 0, &v), 0);
	assert_int_equal(v.start, pg(0));
	assert_false(v.has_anon_vma);
	assert_int_equal(vmsim_mm_vma(mm, 1, &v), 0);
	assert_int_equal(v.start, pg(4));
	assert_true(v.has_anon_vma);
	assert_int_equal(vmsim_mm_vma(mm, 2, &v), -ENOENT);
}

static void test_writenotify(void **state)
{
	struct vmsim_file *s, *d;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "s", VMSIM_FILE_SHMEM, P, &s), 0);
	assert_int_equal(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, P, &d), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, VMSIM_MAP_SHARED, s, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(2), P, RW, VMSIM_MAP_SHARED, d, 0), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0);
	assert_int_equal(tu_read(mm, pg(2)), 0);
	assert_true(pte_write(pte_of(mm, pg(0))));
	assert_false(pte_write(pte_of(mm, pg(2))));
	/* Soft-dirty tracking on: shmem needs the write fault too. */
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0);
	assert_false(pte_write(pte_of(mm, pg(0))));
}

/* VmPTE counts the pte table a PMD leaf deposited (mm_inc_nr_ptes() in
 * __do_huge_pmd_anonymous_page), and no more once zap_huge_pmd() freed it
 * (zap_deposited_table: mm_dec_nr_ptes()):
 *
 *   A .. A+2M   one THP: pud + pmd + the deposited table = 3
 *   DONTNEED    the PMD cleared, its table freed:  pud + pmd = 2
 */
static void test_views_count_deposited_table(void **state)
{
	struct bug_log log;
	struct vmsim *v = tu_machine_str("ram=16M thp=always check=full", &log);
	struct vmsim_mm_stats st;
	struct vmsim_mm *m;

	(void)state;
	assert_int_equal(vmsim_mm_new(v, &m), 0);
	assert_int_equal(vmsim_mmap(m, A, 2 << 20, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(m, A, 1), 0);
	vmsim_mm_stats(m, &st);
	assert_int_equal(st.faults_thp, 1);
	assert_int_equal(st.rss_anon, 512);
	assert_int_equal(st.pgtable_pages, 3);
	assert_int_equal(vmsim_madvise(m, A, 2 << 20, VMSIM_MADV_DONTNEED), 0);
	vmsim_mm_stats(m, &st);
	assert_int_equal(st.rss_anon, 0);
	assert_int_equal(st.pgtable_pages, 2);
	vmsim_free(v);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_ids_and_cpu),
		TU_TEST(test_exit_gives_everything_back),
		TU_TEST(test_views),
		TU_TEST(test_writenotify),
		cmocka_unit_test(test_views_count_deposited_table),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
