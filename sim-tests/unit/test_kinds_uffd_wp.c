/* Unit tests: the uffd-wp PTE marker (kinds/uffd_wp.c): a none pte
 * of file memory (or of anonymous memory with WP_UNPOPULATED) that still
 * says "write-protected".  Its table entries, and mm's use of it as Linux
 * 6.18 does: UFFDIO_WRITEPROTECT installs it on none ptes of shmem, a read
 * fault maps the page with uffd-wp kept, a write is a wp userfault, a zap
 * of a protected file page leaves one behind (pte_install_uffd_wp_if_needed)
 * while munmap drops it, anonymous zaps drop it, mprotect keeps it, fork
 * copies it only to a child that is itself registered (EVENT_FORK), and
 * write-unprotect (MM_CP_UFFD_WP_RESOLVE) removes it. */
#include "unitfix.h"

#define WP_MARKER	(PM_SWAP | PM_UFFD_WP)

struct seen {
	unsigned wp, missing, forks;
};

static int handler(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *m)
{
	struct seen *s = arg;

	if (m->event == UFFD_EVENT_FORK) {
		s->forks++;
		return VMSIM_UFFD_RETRY;
	}
	if (m->event != UFFD_EVENT_PAGEFAULT)
		return VMSIM_UFFD_RETRY;
	if (m->flags & UFFD_PAGEFAULT_FLAG_WP) {
		s->wp++;
		vmsim_uffd_writeprotect(ctx, m->address, P, false);
	} else {
		s->missing++;
	}
	return VMSIM_UFFD_RETRY;
}

static pte_t marker(pte_marker m)
{
	pte_t pte;

	assert_int_equal(vmsim_make_pte_marker(m, &pte), 0);
	return pte;
}

static uint64_t flags(struct vmsim_mm *m, unsigned i)
{
	return tu_pm(m, pg(i)) & (PM_PRESENT | PM_SWAP | PM_UFFD_WP);
}

/* A shmem file of n pages with nothing cached, mapped shared at page 0,
 * registered for wp and write-protected: markers everywhere. */
static struct vmsim_uffd *protected_shmem(unsigned n, uint64_t features, struct seen *s)
{
	struct vmsim_file *f;
	struct vmsim_uffd *u;

	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, n * P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), n * P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_uffd_open(mm, features, &u), 0);
	vmsim_uffd_set_handler(u, handler, s);
	assert_int_equal(vmsim_uffd_register(u, pg(0), n * P, UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(vmsim_uffd_writeprotect(u, pg(0), n * P, true), 0);
	for (unsigned i = 0; i < n; i++)
		assert_int_equal(flags(mm, i), WP_MARKER);
	return u;
}

/* Ownership is data: the marker bit with the lowest built-in priority,
 * and the present and swap pte bits with their pagemap flag. */
static void test_table(void **state)
{
	const struct vmsim_kind *k = vmsim_kind_lookup(vm, "uffd_wp");
	const struct vmsim_kind_ops *o = vmsim_kind_ops(k);
	char buf[32];

	(void)state;
	assert_non_null(k);
	assert_int_equal(vmsim_kind_marker(k), PTE_MARKER_UFFD_WP);
	assert_int_equal(o->pte_bit, _PAGE_UFFD_WP);
	assert_int_equal(o->swp_bit, _PAGE_SWP_UFFD_WP);
	assert_int_equal(o->pm_flag, PM_UFFD_WP);
	assert_ptr_equal(vmsim_kind_of(vm, marker(PTE_MARKER_UFFD_WP)), k);
	assert_ptr_not_equal(vmsim_kind_of(vm, marker(PTE_MARKER_UFFD_WP | PTE_MARKER_GUARD)), k);
	assert_ptr_not_equal(vmsim_kind_of(vm, marker(PTE_MARKER_UFFD_WP | PTE_MARKER_POISONED)), k);
	vmsim_kind_describe(vm, marker(PTE_MARKER_UFFD_WP), buf, sizeof(buf));
	assert_string_equal(buf, "uffd-wp marker");
}

static void test_read_keeps_wp_write_faults(void **state)
{
	struct seen s = { 0 };
	struct vmsim_uffd *u = protected_shmem(2, 0, &s);

	(void)state;
	assert_int_equal(tu_read(mm, pg(0)), 0);
	/* The page came in with the marker's uffd-wp (vmf_orig_pte_uffd_wp). */
	assert_int_equal(flags(mm, 0), PM_PRESENT | PM_UFFD_WP);
	assert_int_equal(s.wp + s.missing, 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(s.wp, 1);
	assert_int_equal(flags(mm, 0), PM_PRESENT);
	/* A write straight into a marker: a wp fault too, never a missing one. */
	assert_int_equal(tu_write(mm, pg(1), 1), 0);
	assert_int_equal(s.wp, 2);
	assert_int_equal(s.missing, 0);
	vmsim_uffd_close(u);
}

static void test_zap_and_mprotect(void **state)
{
	struct seen s = { 0 };
	struct vmsim_uffd *u = protected_shmem(3, 0, &s);

	(void)state;
	assert_int_equal(tu_read(mm, pg(1)), 0);	/* present, uffd-wp */
	assert_int_equal(vmsim_madvise(mm, pg(0), 3 * P, VMSIM_MADV_DONTNEED), 0);
	/* The markers stay; the zapped protected page left one behind. */
	assert_int_equal(flags(mm, 0), WP_MARKER);
	assert_int_equal(flags(mm, 1), WP_MARKER);
	assert_int_equal(vmsim_mprotect(mm, pg(0), 3 * P, RO), 0);
	assert_int_equal(vmsim_mprotect(mm, pg(0), 3 * P, RW), 0);
	assert_int_equal(flags(mm, 2), WP_MARKER);
	/* Unprotecting resolves the marker away. */
	assert_int_equal(vmsim_uffd_writeprotect(u, pg(2), P, false), 0);
	assert_int_equal(flags(mm, 2), 0);
	assert_int_equal(flags(mm, 0), WP_MARKER);
	/* munmap drops markers with the ptes. */
	assert_int_equal(vmsim_munmap(mm, pg(0), P), 0);
	assert_int_equal(tu_pm(mm, pg(0)), 0);
	vmsim_uffd_close(u);
}

/* copy_pte_marker(): only a registered child keeps the marker. */
static void test_fork(void **state)
{
	struct seen s = { 0 };
	struct vmsim_uffd *u = protected_shmem(1, UFFD_FEATURE_EVENT_FORK, &s);
	struct vmsim_mm *child;

	(void)state;
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(s.forks, 1);
	assert_int_equal(flags(child, 0), WP_MARKER);
	vmsim_mm_exit(child);
	vmsim_uffd_close(u);
	/* Without EVENT_FORK the child is not registered: no marker. */
	memset(&s, 0, sizeof(s));
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	vmsim_uffd_set_handler(u, handler, &s);
	assert_int_equal(vmsim_uffd_register(u, pg(0), P, UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(vmsim_uffd_writeprotect(u, pg(0), P, true), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(flags(child, 0), 0);
	assert_int_equal(tu_write(child, pg(0), 1), 0);	/* and no userfault */
	assert_int_equal(s.wp, 0);
	vmsim_mm_exit(child);
	vmsim_uffd_close(u);
}

/* Anonymous memory with WP_UNPOPULATED: markers on none ptes, and a zap
 * of anonymous memory drops them (there is no page cache to come back). */
static void test_anon_unpopulated(void **state)
{
	struct seen s = { 0 };
	struct vmsim_uffd *u;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_uffd_open(mm, UFFD_FEATURE_WP_UNPOPULATED, &u), 0);
	vmsim_uffd_set_handler(u, handler, &s);
	assert_int_equal(vmsim_uffd_register(u, pg(0), 2 * P, UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(vmsim_uffd_writeprotect(u, pg(0), 2 * P, true), 0);
	assert_int_equal(flags(mm, 0), WP_MARKER);
	assert_int_equal(vmsim_madvise(mm, pg(0), P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(flags(mm, 0), 0);
	assert_int_equal(flags(mm, 1), WP_MARKER);
	vmsim_uffd_close(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_table),
		TU_TEST(test_read_keeps_wp_write_faults),
		TU_TEST(test_zap_and_mprotect),
		TU_TEST(test_fork),
		TU_TEST(test_anon_unpopulated),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
