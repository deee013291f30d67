/* Unit tests: the prototype soft-dirty marker of examples/kind_softdirty.c,
 * one case per rule it proposes (see the example's header for the kernel
 * places).  The expected values are the proposal's: a soft-dirty pte of a
 * file vma that a zap takes away while markers are kept leaves the marker;
 * pagemap reports it PM_SWAP | PM_SOFT_DIRTY; a fault maps the page again
 * soft-dirty; clear_refs, munmap and exit take it away; mprotect, uffd-wp
 * resolve and mremap keep it; fork copies it where the tables are copied. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define VMSIM_KIND_SO
#include "../../examples/kind_softdirty.c"

#define A 0x7f0000000000ULL
#define P 4096ULL
#define SD_MARKER (PM_SWAP | PM_SOFT_DIRTY)

static struct vmsim *vm;
static struct vmsim_mm *mm;
static struct vmsim_file *f;
static struct bug_log log_;

static int setup(void **state)
{
	(void)state;
	memset(&log_, 0, sizeof(log_));
	vm = tu_machine_str("check=full", &log_);
	if (!vm || vmsim_kind_init(vm) || vmsim_mm_new(vm, &mm) || vmsim_file_new(vm, "F", VMSIM_FILE_SHMEM, 8 * P, &f))
		return -1;
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmsim_free(vm);
	assert_int_equal(log_.count, 0);
	return 0;
}

/* A shared mapping of F after clear_refs, with page 0 written. */
static void written_shared(void)
{
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_int_equal(tu_write(mm, A, 0x5a), 0);
	assert_int_equal(tu_pm(mm, A) & (PM_PRESENT | PM_SOFT_DIRTY), PM_PRESENT | PM_SOFT_DIRTY);
}

static void dontneed_leaves_marker(void **state)
{
	const struct vmsim_kind *k = vmsim_kind_lookup(vm, "softdirty");
	uint64_t pm;

	(void)state;
	written_shared();
	assert_int_equal(tu_read(mm, A + P), 0);	/* read: a clean pte */
	assert_int_equal(vmsim_madvise(mm, A, 2 * P, VMSIM_MADV_DONTNEED), 0);
	pm = tu_pm(mm, A);
	assert_int_equal(pm & (PM_PRESENT | SD_MARKER), SD_MARKER);
	assert_int_equal(tu_pm(mm, A + P), 0);		/* nothing to remember */
	/* The page itself stayed in the page cache. */
	assert_int_equal(vmsim_file_cached_pages(f), 2);
	assert_non_null(k);
	assert_int_equal(vmsim_kind_marker(k), 1UL << 3);
}

/* No marker where the vma is soft-dirty as a whole (it reports every page
 * anyway), nor in anonymous memory (zap_install_uffd_wp_if_needed()'s
 * scope: file vmas). */
static void where_none_is_left(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(tu_pm(mm, A) & (PM_SWAP | PM_SOFT_DIRTY), PM_SOFT_DIRTY);
	assert_int_equal(vmsim_mmap(mm, A + 16 * P, P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_int_equal(tu_write(mm, A + 16 * P, 1), 0);
	assert_int_equal(vmsim_madvise(mm, A + 16 * P, P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(tu_pm(mm, A + 16 * P), 0);
}

static void fault_keeps_soft_dirty(void **state)
{
	unsigned char b = 0;

	(void)state;
	written_shared();
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(vmsim_access(mm, -1, A, &b, 1, false, NULL), VMSIM_ACCESS_OK);
	assert_int_equal(b, 0x5a);
	assert_int_equal(tu_pm(mm, A) & (PM_PRESENT | PM_SWAP | PM_SOFT_DIRTY), PM_PRESENT | PM_SOFT_DIRTY);
}

static void clear_refs_munmap_exit_drop_it(void **state)
{
	struct vmsim_mm *child;

	(void)state;
	written_shared();
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_int_equal(tu_pm(mm, A), 0);
	assert_int_equal(tu_write(mm, A, 2), 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(vmsim_munmap(mm, A, 4 * P), 0);
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_false(tu_pm(mm, A) & PM_SWAP);
	/* exit: the checker at check=full finds nothing left behind. */
	assert_int_equal(vmsim_mm_new(vm, &child), 0);
	assert_int_equal(vmsim_mmap(child, A, P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_clear_refs(child, 4), 0);
	assert_int_equal(tu_write(child, A, 3), 0);
	assert_int_equal(vmsim_madvise(child, A, P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(tu_pm(child, A) & SD_MARKER, SD_MARKER);
	vmsim_mm_exit(child);
}

/* mprotect, UFFDIO_WRITEPROTECT resolve (which clears a marker without a
 * change_prot hook) and mremap keep it; a punched hole too: the page's
 * contents did change. */
static void kept_by(void **state)
{
	struct vmsim_uffd *u;

	(void)state;
	written_shared();
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(vmsim_mprotect(mm, A, 4 * P, VMSIM_PROT_READ), 0);
	assert_int_equal(vmsim_mprotect(mm, A, 4 * P, TU_PROT_RW), 0);
	assert_int_equal(tu_pm(mm, A) & SD_MARKER, SD_MARKER);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	assert_int_equal(vmsim_uffd_register(u, A, 4 * P, UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(vmsim_uffd_writeprotect(u, A, 4 * P, false), 0);
	assert_int_equal(vmsim_uffd_unregister(u, A, 4 * P), 0);
	assert_int_equal(tu_pm(mm, A) & SD_MARKER, SD_MARKER);
	assert_int_equal(vmsim_mremap(mm, A, 4 * P, 4 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 16 * P), 0);
	assert_int_equal(tu_pm(mm, A + 16 * P) & SD_MARKER, SD_MARKER);
	assert_int_equal(tu_write(mm, A + 17 * P, 4), 0);
	assert_int_equal(vmsim_file_punch(f, P, P), 0);
	assert_int_equal(tu_pm(mm, A + 17 * P) & (PM_PRESENT | SD_MARKER), SD_MARKER);
}

/* fork copies page tables only where vma_needs_copy() says so: a child
 * registered for uffd-wp (EVENT_FORK) gets the marker through its copy
 * hook; a plain shared mapping is refilled by faults, marker or not. */
static int no_handler(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *msg)
{
	(void)arg;
	(void)ctx;
	(void)msg;
	return 0;
}

static void fork_copies_with_the_tables(void **state)
{
	struct vmsim_mm *plain, *wp;
	struct vmsim_uffd *u;

	(void)state;
	written_shared();
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(vmsim_fork(mm, &plain), 0);
	assert_false(tu_pm(plain, A) & PM_SWAP);
	assert_int_equal(vmsim_uffd_open(mm, UFFD_FEATURE_EVENT_FORK, &u), 0);
	vmsim_uffd_set_handler(u, no_handler, NULL);
	assert_int_equal(vmsim_uffd_register(u, A, 4 * P, UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(vmsim_fork(mm, &wp), 0);
	assert_int_equal(tu_pm(wp, A) & SD_MARKER, SD_MARKER);
	vmsim_mm_exit(plain);
	vmsim_mm_exit(wp);
}

/* What the conformance matrix found: MADV_GUARD_INSTALL over the marker in
 * a file vma never ends on Linux's loop (its zap keeps markers), as over a
 * uffd-wp marker.  The simulator stops it with a livelock report. */
static void guard_install_livelock(void **state)
{
	struct bug_log own = { 0 };
	struct vmsim *v = tu_machine_str("check=full", &own);
	struct vmsim_file *g;
	struct vmsim_mm *m;

	(void)state;
	assert_non_null(v);
	assert_int_equal(vmsim_kind_init(v), 0);
	assert_int_equal(vmsim_mm_new(v, &m), 0);
	assert_int_equal(vmsim_file_new(v, "G", VMSIM_FILE_SHMEM, P, &g), 0);
	assert_int_equal(vmsim_mmap(m, A, P, TU_PROT_RW, VMSIM_MAP_SHARED, g, 0), 0);
	assert_int_equal(vmsim_kind_install(m, A, P, "softdirty", NULL), 0);
	assert_int_equal(vmsim_madvise(m, A, P, VMSIM_MADV_GUARD_INSTALL), -EINTR);
	assert_int_equal(own.count, 1);
	assert_non_null(strstr(own.last, "livelock: guard install"));
	assert_non_null(strstr(own.last, "soft-dirty marker"));
	vmsim_free(v);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(dontneed_leaves_marker, setup, teardown),
		cmocka_unit_test_setup_teardown(where_none_is_left, setup, teardown),
		cmocka_unit_test_setup_teardown(fault_keeps_soft_dirty, setup, teardown),
		cmocka_unit_test_setup_teardown(clear_refs_munmap_exit_drop_it, setup, teardown),
		cmocka_unit_test_setup_teardown(kept_by, setup, teardown),
		cmocka_unit_test_setup_teardown(fork_copies_with_the_tables, setup, teardown),
		cmocka_unit_test_setup_teardown(guard_install_livelock, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
