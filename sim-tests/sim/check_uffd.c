/* Sim tests: userfaultfd through the C API, re-expressing the cases of
 * Linux's tools/testing/selftests/mm/uffd-unit-tests.c that fit (wp-fork,
 * wp-fork-with-event, wp-unpopulated, minor, minor-wp, events, sigbus,
 * sigbus-wp) for anonymous and shmem memory, plus the uffd-wp marker's
 * life and the fault-around rule (uffd_disable_fault_around). */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "simfixture.h"

#define A 0x7f0000000000ULL
#define P 4096ULL

static struct vmsim_file *f;

/* What the handler saw, and how it answers. */
struct hstate {
	unsigned faults, missing, wp, minor, writes;
	unsigned forks, removes, unmaps, remaps;
	uint64_t last_addr, ev_start, ev_end, ev_to;
	struct vmsim_uffd *child;
	bool sigbus;
};

static int handler(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *m)
{
	struct hstate *h = arg;

	switch (m->event) {
	case UFFD_EVENT_FORK:
		h->forks++;
		h->child = m->child;
		return 0;
	case UFFD_EVENT_REMOVE:
		h->removes++;
		h->ev_start = m->start;
		h->ev_end = m->end;
		return 0;
	case UFFD_EVENT_UNMAP:
		h->unmaps++;
		h->ev_start = m->start;
		h->ev_end = m->end;
		return 0;
	case UFFD_EVENT_REMAP:
		h->remaps++;
		h->ev_start = m->start;
		h->ev_end = m->end;
		h->ev_to = m->to;
		return 0;
	case UFFD_EVENT_PAGEFAULT:
		break;
	}
	h->faults++;
	h->last_addr = m->address;
	if (m->flags & UFFD_PAGEFAULT_FLAG_WRITE)
		h->writes++;
	if (h->sigbus)
		return VMSIM_UFFD_SIGBUS;
	if (m->flags & UFFD_PAGEFAULT_FLAG_MINOR) {
		h->minor++;
		vmsim_uffd_continue(ctx, m->address, P, false);
	} else if (m->flags & UFFD_PAGEFAULT_FLAG_WP) {
		h->wp++;
		vmsim_uffd_writeprotect(ctx, m->address, P, false);
	} else {
		h->missing++;
		vmsim_uffd_copy(ctx, m->address, NULL, 0xAB, P, false);
	}
	return VMSIM_UFFD_RETRY;
}

static void setup(void)
{
	tu_sim_setup();
	ck_assert_int_eq(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 64 * P, &f), 0);
}

static struct vmsim_uffd *open_uffd(struct vmsim_mm *m, uint64_t features, struct hstate *h)
{
	struct vmsim_uffd *u;

	ck_assert_int_eq(vmsim_uffd_open(m, features, &u), 0);
	vmsim_uffd_set_handler(u, handler, h);
	return u;
}

static void map_anon(void)
{
	ck_assert_int_eq(vmsim_mmap(mm, A, 16 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
}

static void map_shmem(void)
{
	ck_assert_int_eq(vmsim_mmap(mm, A, 16 * P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
}

/* wp-fork: without EVENT_FORK the child is not registered and writes
 * freely; the parent stays protected.  Anonymous and shmem alike. */
static void wp_fork(bool shmem)
{
	struct hstate h = { 0 };
	struct vmsim_uffd *u;
	struct vmsim_mm *child;

	shmem ? map_shmem() : map_anon();
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	u = open_uffd(mm, 0, &h);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 16 * P, UFFDIO_REGISTER_MODE_WP), 0);
	ck_assert_int_eq(vmsim_uffd_writeprotect(u, A, 16 * P, true), 0);
	ck_assert(tu_pm(mm, A) & PM_UFFD_WP);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert(!(tu_pm(child, A) & PM_UFFD_WP));
	ck_assert_int_eq(tu_write(child, A, 2), 0);
	ck_assert_uint_eq(h.faults, 0);
	ck_assert_int_eq(tu_write(mm, A, 3), 0);
	ck_assert_uint_eq(h.wp, 1);
	ck_assert_uint_eq(h.last_addr, A);
	vmsim_mm_exit(child);
}

START_TEST(wp_fork_anon) { wp_fork(false); }
END_TEST
START_TEST(wp_fork_shmem) { wp_fork(true); }
END_TEST

/* wp-fork-with-event: the child keeps VM_UFFD_WP, so its ptes (and, on
 * shmem, even with no anon_vma) must be copied with their uffd-wp bits. */
static void wp_fork_event(bool shmem)
{
	struct hstate h = { 0 };
	struct vmsim_uffd *u;
	struct vmsim_mm *child;

	shmem ? map_shmem() : map_anon();
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	u = open_uffd(mm, UFFD_FEATURE_EVENT_FORK, &h);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 16 * P, UFFDIO_REGISTER_MODE_WP), 0);
	ck_assert_int_eq(vmsim_uffd_writeprotect(u, A, 16 * P, true), 0);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_uint_eq(h.forks, 1);
	ck_assert_ptr_nonnull(h.child);
	ck_assert(tu_pm(child, A) & PM_UFFD_WP);
	/* The child's context inherited the handler: its write faults. */
	ck_assert_int_eq(tu_write(child, A, 2), 0);
	ck_assert_uint_eq(h.wp, 1);
	if (shmem) {
		/* A none pte of shmem carried a marker into the child. */
		ck_assert(tu_pm(child, A + P) & PM_UFFD_WP);
		ck_assert(tu_pm(child, A + P) & PM_SWAP);
	}
	vmsim_mm_exit(child);
}

START_TEST(wp_fork_event_anon) { wp_fork_event(false); }
END_TEST
START_TEST(wp_fork_event_shmem) { wp_fork_event(true); }
END_TEST

START_TEST(wp_unpopulated)
{
	struct hstate h = { 0 };
	struct vmsim_uffd *u;

	map_anon();
	u = open_uffd(mm, UFFD_FEATURE_WP_UNPOPULATED, &h);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 16 * P, UFFDIO_REGISTER_MODE_WP), 0);
	ck_assert_int_eq(vmsim_uffd_writeprotect(u, A, 16 * P, true), 0);
	ck_assert_uint_eq(tu_pm(mm, A) & (PM_SWAP | PM_UFFD_WP), PM_SWAP | PM_UFFD_WP);
	ck_assert_int_eq(tu_write(mm, A, 7), 0);
	ck_assert_uint_eq(h.wp, 1);
	ck_assert_int_eq(tu_read(mm, A), 7);
}
END_TEST

START_TEST(wp_plain_anon_no_marker)
{
	struct hstate h = { 0 };
	struct vmsim_uffd *u;

	map_anon();
	u = open_uffd(mm, 0, &h);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 16 * P, UFFDIO_REGISTER_MODE_WP), 0);
	ck_assert_int_eq(vmsim_uffd_writeprotect(u, A, 16 * P, true), 0);
	ck_assert_uint_eq(tu_pm(mm, A) & PM_UFFD_WP, 0);
	ck_assert_int_eq(tu_write(mm, A, 7), 0);
	ck_assert_uint_eq(h.faults, 0);
}
END_TEST

START_TEST(wp_async)
{
	struct hstate h = { 0 };
	struct vmsim_uffd *u;

	map_anon();
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	u = open_uffd(mm, UFFD_FEATURE_WP_ASYNC, &h);
	/* WP_ASYNC implies WP_UNPOPULATED. */
	ck_assert(vmsim_uffd_features(u) & UFFD_FEATURE_WP_UNPOPULATED);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 16 * P, UFFDIO_REGISTER_MODE_WP), 0);
	ck_assert_int_eq(vmsim_uffd_writeprotect(u, A, 16 * P, true), 0);
	ck_assert_int_eq(tu_write(mm, A, 2), 0);
	ck_assert_int_eq(tu_write(mm, A + P, 2), 0);
	ck_assert_uint_eq(h.faults, 0);	/* resolved in place, no handler */
	ck_assert_uint_eq(tu_pm(mm, A) & PM_UFFD_WP, 0);
	ck_assert(tu_pm(mm, A + 2 * P) & PM_UFFD_WP);
}
END_TEST

/* minor and minor-wp on shmem: a cached page raises a minor fault, which
 * UFFDIO_CONTINUE resolves; fault-around never maps the neighbours. */
START_TEST(minor_shmem)
{
	struct hstate h = { 0 };
	struct vmsim_uffd *u;
	unsigned char buf[16 * 4096];

	memset(buf, 0x5a, sizeof(buf));
	ck_assert_int_eq(vmsim_file_write(f, 0, buf, sizeof(buf)), (long)sizeof(buf));
	map_shmem();
	u = open_uffd(mm, UFFD_FEATURE_MINOR_SHMEM, &h);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 16 * P, UFFDIO_REGISTER_MODE_MINOR | UFFDIO_REGISTER_MODE_WP), 0);
	ck_assert_int_eq(tu_read(mm, A + P), 0x5a);
	ck_assert_uint_eq(h.minor, 1);
	ck_assert_uint_eq(tu_pm(mm, A) & PM_PRESENT, 0);
	ck_assert_uint_eq(tu_pm(mm, A + 2 * P) & PM_PRESENT, 0);
	/* minor-wp: CONTINUE with WP maps it write-protected. */
	ck_assert_int_eq(vmsim_uffd_continue(u, A + 2 * P, P, true), (long)P);
	ck_assert(tu_pm(mm, A + 2 * P) & PM_UFFD_WP);
	ck_assert_int_eq(tu_write(mm, A + 2 * P, 1), 0);
	ck_assert_uint_eq(h.wp, 1);
	ck_assert_int_eq(vmsim_uffd_continue(u, A + 2 * P, P, false), -EEXIST);
	/* CONTINUE is for shmem minor ranges only. */
	ck_assert_int_eq(vmsim_mmap(mm, A + 0x100000, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	ck_assert_int_eq(vmsim_uffd_register(u, A + 0x100000, 4 * P, UFFDIO_REGISTER_MODE_MINOR), -EINVAL);
}
END_TEST

/* Missing-only registration leaves fault-around on: the cached
 * neighbours map without faults (uffd_disable_fault_around). */
START_TEST(missing_keeps_fault_around)
{
	struct hstate h = { 0 };
	struct vmsim_uffd *u;
	unsigned char buf[16 * 4096];

	memset(buf, 1, sizeof(buf));
	ck_assert_int_eq(vmsim_file_write(f, 0, buf, sizeof(buf)), (long)sizeof(buf));
	map_shmem();
	u = open_uffd(mm, 0, &h);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 16 * P, UFFDIO_REGISTER_MODE_MISSING), 0);
	ck_assert_int_eq(tu_read(mm, A + P), 1);
	ck_assert_uint_eq(h.faults, 0);
	ck_assert(tu_pm(mm, A + 15 * P) & PM_PRESENT);
}
END_TEST

/* events: fork, remove (DONTNEED), unmap, each with its range. */
START_TEST(events)
{
	struct hstate h = { 0 };
	struct vmsim_uffd *u;
	struct vmsim_mm *child;

	map_anon();
	u = open_uffd(mm, UFFD_FEATURE_EVENT_FORK | UFFD_FEATURE_EVENT_REMOVE | UFFD_FEATURE_EVENT_UNMAP, &h);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 16 * P, UFFDIO_REGISTER_MODE_MISSING), 0);
	ck_assert_int_eq(tu_read(mm, A), 0xAB);
	ck_assert_uint_eq(h.missing, 1);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_uint_eq(h.forks, 1);
	ck_assert_int_eq(tu_read(child, A + P), 0xAB);
	ck_assert_uint_eq(h.missing, 2);
	ck_assert_int_eq(vmsim_madvise(mm, A, 2 * P, VMSIM_MADV_DONTNEED), 0);
	ck_assert_uint_eq(h.removes, 1);
	ck_assert_uint_eq(h.ev_start, A);
	ck_assert_uint_eq(h.ev_end, A + 2 * P);
	ck_assert_int_eq(vmsim_munmap(mm, A + 4 * P, 4 * P), 0);
	ck_assert_uint_eq(h.unmaps, 1);
	ck_assert_uint_eq(h.ev_end - h.ev_start, 4 * P);
	vmsim_mm_exit(child);
}
END_TEST

/* mremap of a registered range: with EVENT_REMAP the new vma stays
 * registered, keeps its uffd-wp bits and the handler hears (from, to, len)
 * before the old range's unmap; without it, nothing is heard and the new
 * range is no longer registered (mremap_userfaultfd_prep). */
static void remap_case(bool event_remap)
{
	struct hstate h = { 0 };
	struct vmsim_uffd *u;
	const uint64_t B = A + 0x200000;

	map_anon();
	u = open_uffd(mm, UFFD_FEATURE_EVENT_UNMAP | (event_remap ? UFFD_FEATURE_EVENT_REMAP : 0), &h);
	ck_assert_int_eq(tu_write(mm, A, 7), 0);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 16 * P, UFFDIO_REGISTER_MODE_WP), 0);
	ck_assert_int_eq(vmsim_uffd_writeprotect(u, A, 16 * P, true), 0);
	ck_assert_int_eq(vmsim_mremap(mm, A, 4 * P, 4 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, B), 0);
	ck_assert_uint_eq(h.remaps, event_remap ? 1 : 0);
	if (event_remap) {
		/* The unmap event came last: it set ev_* after the remap. */
		ck_assert_uint_eq(h.ev_to, B);
	}
	ck_assert_uint_eq(h.unmaps, 1);
	ck_assert_uint_eq(h.ev_start, A);
	ck_assert_uint_eq(h.ev_end, A + 4 * P);
	ck_assert_uint_eq(!!(tu_pm(mm, B) & PM_UFFD_WP), event_remap);
	ck_assert_int_eq(tu_write(mm, B, 8), 0);
	ck_assert_uint_eq(h.wp, event_remap ? 1 : 0);
	ck_assert_int_eq(tu_read(mm, B), 8);
}

START_TEST(remap_event) { remap_case(true); }
END_TEST
START_TEST(remap_no_event) { remap_case(false); }
END_TEST

static void sigbus_case(bool shmem)
{
	struct hstate h = { .sigbus = true };
	struct vmsim_uffd *u;

	shmem ? map_shmem() : map_anon();
	u = open_uffd(mm, 0, &h);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 16 * P, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP), 0);
	ck_assert_int_eq(tu_read(mm, A), -VMSIM_ACCESS_SIGBUS);
	ck_assert_uint_eq(h.faults, 1);
	/* sigbus-wp: a page copied in write-protected, then written. */
	ck_assert_int_eq(vmsim_uffd_copy(u, A, NULL, 3, P, true), (long)P);
	ck_assert_int_eq(tu_read(mm, A), 3);
	ck_assert_int_eq(tu_write(mm, A, 4), VMSIM_ACCESS_SIGBUS);
	ck_assert_uint_eq(h.faults, 2);
	ck_assert_int_eq(tu_read(mm, A), 3);
}

START_TEST(sigbus_anon) { sigbus_case(false); }
END_TEST
START_TEST(sigbus_shmem) { sigbus_case(true); }
END_TEST

/* A marker's life on shmem: wp on a none page makes a marker; DONTNEED of
 * a protected page leaves one; a hole punch keeps it; a fault on it is a wp
 * fault first; munmap drops it. */
START_TEST(marker_life)
{
	struct hstate h = { 0 };
	struct vmsim_uffd *u;

	map_shmem();
	ck_assert_int_eq(tu_write(mm, A + P, 1), 0);
	u = open_uffd(mm, 0, &h);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 16 * P, UFFDIO_REGISTER_MODE_WP), 0);
	ck_assert_int_eq(vmsim_uffd_writeprotect(u, A, 16 * P, true), 0);
	ck_assert_uint_eq(tu_pm(mm, A) & (PM_SWAP | PM_UFFD_WP), PM_SWAP | PM_UFFD_WP);
	ck_assert_int_eq(vmsim_madvise(mm, A + P, P, VMSIM_MADV_DONTNEED), 0);
	ck_assert_uint_eq(tu_pm(mm, A + P) & (PM_SWAP | PM_UFFD_WP), PM_SWAP | PM_UFFD_WP);
	ck_assert_int_eq(vmsim_file_punch(f, P, P), 0);
	ck_assert_uint_eq(tu_pm(mm, A + P) & (PM_SWAP | PM_UFFD_WP), PM_SWAP | PM_UFFD_WP);
	ck_assert_int_eq(tu_write(mm, A + P, 2), 0);
	ck_assert_uint_eq(h.wp, 1);
	/* mprotect keeps markers and the bit. */
	ck_assert_int_eq(vmsim_mprotect(mm, A, 16 * P, VMSIM_PROT_READ), 0);
	ck_assert(tu_pm(mm, A + 2 * P) & PM_UFFD_WP);
	ck_assert_int_eq(vmsim_mprotect(mm, A, 16 * P, TU_PROT_RW), 0);
	ck_assert_int_eq(vmsim_munmap(mm, A, 16 * P), 0);
	map_shmem();
	ck_assert_uint_eq(tu_pm(mm, A + 2 * P), PM_SOFT_DIRTY);
}
END_TEST

START_TEST(errors)
{
	struct hstate h = { 0 };
	struct vmsim_uffd *u;
	struct vmsim_file *d;

	ck_assert_int_eq(vmsim_uffd_open(mm, 1ULL << 40, &u), -EINVAL);
	map_anon();
	u = open_uffd(mm, 0, &h);
	ck_assert_int_eq(vmsim_uffd_register(u, A + 1, P, UFFDIO_REGISTER_MODE_MISSING), -EINVAL);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 0, UFFDIO_REGISTER_MODE_MISSING), -EINVAL);
	ck_assert_int_eq(vmsim_uffd_register(u, A, P, 0), -EINVAL);
	ck_assert_int_eq(vmsim_uffd_register(u, 0x1000, P, UFFDIO_REGISTER_MODE_MISSING), -EINVAL);
	ck_assert_int_eq(vmsim_uffd_register(u, A + 0x200000, P, UFFDIO_REGISTER_MODE_MISSING), -EINVAL);
	ck_assert_int_eq(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, 4 * P, &d), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A + 0x100000, 4 * P, TU_PROT_RW, VMSIM_MAP_SHARED, d, 0), 0);
	ck_assert_int_eq(vmsim_uffd_register(u, A + 0x100000, P, UFFDIO_REGISTER_MODE_MISSING), -EINVAL);
	ck_assert_int_eq(vmsim_uffd_writeprotect(u, A, P, true), -ENOENT);
	ck_assert_int_eq(vmsim_uffd_copy(u, A, NULL, 0, P, false), -ENOENT);
	ck_assert_int_eq(vmsim_uffd_register(u, A, 4 * P, UFFDIO_REGISTER_MODE_MISSING), 0);
	ck_assert_int_eq(vmsim_uffd_copy(u, A, NULL, 0, P, true), -EINVAL);
	ck_assert_int_eq(vmsim_uffd_copy(u, A, NULL, 9, 2 * P, false), (long)(2 * P));
	/* A partial copy reports what it did; none at all is the error. */
	ck_assert_int_eq(vmsim_uffd_copy(u, A + P, NULL, 9, 2 * P, false), -EEXIST);
	ck_assert_int_eq(vmsim_uffd_zeropage(u, A, P), -EEXIST);
	ck_assert_int_eq(vmsim_uffd_zeropage(u, A + 2 * P, 2 * P), (long)(2 * P));
	ck_assert_int_eq(tu_read(mm, A + 3 * P), 0);
	ck_assert_uint_eq(tu_pfn(mm, A + 3 * P), vmsim_zero_pfn(vm));
	ck_assert_int_eq(vmsim_uffd_unregister(u, A, 16 * P), 0);
}
END_TEST

/* Registration splits vmas at the range's ends and merges them back when
 * the registration goes (vma_modify_flags_uffd, userfaultfd_clear_vma). */
START_TEST(register_splits_and_merges)
{
	struct hstate h = { 0 };
	struct vmsim_uffd *u;
	struct vmsim_mm_stats st;

	map_anon();
	u = open_uffd(mm, 0, &h);
	ck_assert_int_eq(vmsim_uffd_register(u, A + 4 * P, 4 * P, UFFDIO_REGISTER_MODE_MISSING), 0);
	vmsim_mm_stats(mm, &st);
	ck_assert_uint_eq(st.nr_vmas, 3);
	/* Registering the rest with the same mode merges into one. */
	ck_assert_int_eq(vmsim_uffd_register(u, A, 16 * P, UFFDIO_REGISTER_MODE_MISSING), 0);
	vmsim_mm_stats(mm, &st);
	ck_assert_uint_eq(st.nr_vmas, 1);
	ck_assert_int_eq(vmsim_uffd_unregister(u, A + 4 * P, 4 * P), 0);
	vmsim_mm_stats(mm, &st);
	ck_assert_uint_eq(st.nr_vmas, 3);
	ck_assert_int_eq(vmsim_uffd_unregister(u, A, 16 * P), 0);
	vmsim_mm_stats(mm, &st);
	ck_assert_uint_eq(st.nr_vmas, 1);
	/* Unregistered: a fault no longer reaches the handler. */
	ck_assert_int_eq(tu_read(mm, A), 0);
	ck_assert_uint_eq(h.faults, 0);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("uffd");
	TCase *tc = tcase_create("unit-tests");

	tcase_add_checked_fixture(tc, setup, tu_sim_teardown);
	tcase_add_test(tc, wp_fork_anon);
	tcase_add_test(tc, wp_fork_shmem);
	tcase_add_test(tc, wp_fork_event_anon);
	tcase_add_test(tc, wp_fork_event_shmem);
	tcase_add_test(tc, wp_unpopulated);
	tcase_add_test(tc, wp_plain_anon_no_marker);
	tcase_add_test(tc, wp_async);
	tcase_add_test(tc, minor_shmem);
	tcase_add_test(tc, missing_keeps_fault_around);
	tcase_add_test(tc, events);
	tcase_add_test(tc, remap_event);
	tcase_add_test(tc, remap_no_event);
	tcase_add_test(tc, sigbus_anon);
	tcase_add_test(tc, sigbus_shmem);
	tcase_add_test(tc, marker_life);
	tcase_add_test(tc, errors);
	tcase_add_test(tc, register_splits_and_merges);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_check_main(suite());
}
