/* Unit tests: installing an entry kind over a range (mm/kind_install.c,
 * vmsim_kind_install: madvise_guard_install() of Linux 6.18 generalised):
 * a prototype marker over populated memory (the pages zapped first) and
 * its default hooks; a hole (-ENOMEM after the rest), a VM_LOCKED vma
 * (-EINVAL), the same entries again (no change), and Linux's endless
 * retry when a zap puts the blocker back, reported here.
 * Pictures: one character a page; A, B...: vmas, '.': no vma, '#': a
 * guard marker. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#define TU_UNIT_MACHINE "check=full"
#include "unitfix.h"

/* A marker kind a prototype would write: no hooks but a name. */
static const struct vmsim_kind_ops sealed = {
	.name = "sealed",
	.flags = VMSIM_KIND_ALLOC_MARKER,
	.priority = 15,
};

/*
 * Installing a prototype marker over populated anonymous memory:
 *
 *     0123      page index
 *     xx..      x: written pages; .: untouched
 *     SSSS      S: sealed markers after install
 */
static void install_defaults(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_mm_stats st;
	unsigned char b = 1;
	uint64_t pm;

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, &sealed, NULL), 0);
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(tu_write(mm, A + P, 2), 0);
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.rss_anon, 2);
	/* Bad kind names and arguments change nothing. */
	assert_int_equal(vmsim_kind_install(mm, A, 4 * P, "nosuch", NULL), -ENOENT);
	assert_int_equal(vmsim_kind_install(mm, A, 4 * P, "sealed", "x=1"), -EINVAL);
	assert_int_equal(vmsim_kind_install(mm, A + 1, P, "sealed", NULL), -EINVAL);
	assert_int_equal(tu_read(mm, A), 1);
	assert_int_equal(vmsim_kind_install(mm, A, 4 * P, "sealed", NULL), 0);
	/* The pages were zapped (rss), every slot holds the marker, which
	 * pagemap reports as a swap entry (PM_SWAP, as any marker). */
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.rss_anon, 0);
	for (int i = 0; i < 4; i++) {
		pm = tu_pm(mm, A + i * P);
		assert_true(pm & PM_SWAP);
		assert_false(pm & PM_PRESENT);
	}
	/* No fault hook: VM_FAULT_SIGBUS, as Linux answers an unknown marker. */
	assert_int_equal(vmsim_access(mm, -1, A, &b, 1, false, NULL), VMSIM_ACCESS_SIGBUS);
	/* No copy hook: copy_pte_marker() drops bits it does not know. */
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_false(tu_pm(child, A) & PM_SWAP);
	/* A kind in use cannot go. */
	assert_int_equal(vmsim_kind_unregister(vm, "sealed"), -EBUSY);
	/* No zap hook: an unrecognized entry is cleared (with a warning). */
	assert_int_equal(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(tu_pm(mm, A) & PM_SWAP, 0);
	assert_int_equal(tu_read(mm, A), 0);
	vmsim_mm_exit(child);
}

/* madvise_walk_vmas(): a hole in the range is -ENOMEM after every vma
 * around it was done:
 *
 *   A   0 1 2 3
 *       a a . b     two vmas, no vma at page 2
 *       # # . #     guard markers after install
 */
static void install_over_a_hole(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, A + 3 * P, P, VMSIM_PROT_READ, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_string_equal(tu_vmas(mm, A, 4), "AA.B");
	assert_int_equal(vmsim_kind_install(mm, A, 4 * P, "guard", NULL), -ENOMEM);
	assert_string_equal(tu_vmas(mm, A, 4), "##.#");
	/* Nothing mapped at all: -ENOMEM, nothing done. */
	assert_int_equal(vmsim_kind_install(mm, A + 0x100000, P, "guard", NULL), -ENOMEM);
	/* Installing again over its own entries is no change. */
	assert_int_equal(vmsim_kind_install(mm, A, 2 * P, "guard", NULL), 0);
	assert_string_equal(tu_vmas(mm, A, 4), "##.#");
}

/* is_valid_guard_vma(): a VM_LOCKED vma is refused with -EINVAL, and its
 * pages stay. */
static void install_refuses_locked(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW,
				    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_LOCKED, NULL, 0), 0);
	assert_true(tu_pm(mm, A) & PM_PRESENT);
	assert_int_equal(vmsim_kind_install(mm, A, 2 * P, "guard", NULL), -EINVAL);
	assert_true(tu_pm(mm, A) & PM_PRESENT);
	assert_false(tu_pm(mm, A) & PM_GUARD_REGION);
}

/* When the zap cannot clear what is in the way, Linux's
 * madvise_guard_install() loops for ever: a file vma registered for
 * uffd-wp gets its uffd-wp marker back from every zap without details
 * (zap_nonpresent_ptes keeps file uffd-wp markers unless
 * ZAP_FLAG_DROP_MARKER).  The simulator stops after a pass that changed
 * nothing and reports the livelock as a bug, -EINTR. */
static void install_livelock_reported(void **state)
{
	struct bug_log log;
	struct vmsim *v = tu_machine_str("check=full", &log);
	struct vmsim_file *f;
	struct vmsim_uffd *u;
	struct vmsim_mm *m;

	(void)state;
	assert_int_equal(vmsim_mm_new(v, &m), 0);
	assert_int_equal(vmsim_file_new(v, "F", VMSIM_FILE_SHMEM, P, &f), 0);
	assert_int_equal(vmsim_mmap(m, A, P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_uffd_open(m, 0, &u), 0);
	assert_int_equal(vmsim_uffd_register(u, A, P, UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(vmsim_uffd_writeprotect(u, A, P, true), 0);
	assert_int_equal(tu_pm(m, A) & (PM_SWAP | PM_UFFD_WP), PM_SWAP | PM_UFFD_WP);
	assert_int_equal(vmsim_kind_install(m, A, P, "guard", NULL), -EINTR);
	assert_int_equal(log.count, 1);
	assert_non_null(strstr(log.last, "livelock"));
	assert_int_equal(tu_pm(m, A) & (PM_SWAP | PM_UFFD_WP | PM_GUARD_REGION), PM_SWAP | PM_UFFD_WP);
	vmsim_free(v);
	assert_int_equal(log.count, 1);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(install_defaults),
		TU_TEST(install_over_a_hole),
		TU_TEST(install_refuses_locked),
		TU_TEST(install_livelock_reported),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
