/* Unit tests: the userfaultfd API (features/userfaultfd.c) where
 * sim-tests/sim/check_uffd.c, which re-expresses Linux's uffd-unit-tests,
 * does not reach: UFFDIO_API feature rules, the context's getters, -EBADF
 * without a context, -EBUSY for a range another context holds, MODE_MINOR
 * only on shmem, MODE_WP copies, close unregistering everything, and a
 * context without a handler making userfaults SIGBUS. */
#include "unitfix.h"

struct seen {
	unsigned faults;
	uint64_t flags;
};

static int fill(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *m)
{
	struct seen *s = arg;

	if (m->event != UFFD_EVENT_PAGEFAULT)
		return VMSIM_UFFD_RETRY;
	s->faults++;
	s->flags = m->flags;
	if (m->flags & UFFD_PAGEFAULT_FLAG_WP)
		vmsim_uffd_writeprotect(ctx, m->address, P, false);
	else
		vmsim_uffd_copy(ctx, m->address, NULL, 0x3c, P, false);
	return VMSIM_UFFD_RETRY;
}

static void test_open_and_getters(void **state)
{
	struct vmsim_uffd *u;
	int tag;

	(void)state;
	assert_int_equal(vmsim_uffd_open(mm, 1ULL << 40, &u), -EINVAL);
	assert_int_equal(vmsim_uffd_open(NULL, 0, &u), -EINVAL);
	/* UFFDIO_API: WP_ASYNC brings WP_UNPOPULATED with it. */
	assert_int_equal(vmsim_uffd_open(mm, UFFD_FEATURE_WP_ASYNC, &u), 0);
	assert_int_equal(vmsim_uffd_features(u), UFFD_FEATURE_WP_ASYNC | UFFD_FEATURE_WP_UNPOPULATED);
	assert_ptr_equal(vmsim_uffd_mm(u), mm);
	assert_null(vmsim_uffd_handler_arg(u));
	vmsim_uffd_set_handler(u, fill, &tag);
	assert_ptr_equal(vmsim_uffd_handler_arg(u), &tag);
	vmsim_uffd_close(u);
}

static void test_no_context(void **state)
{
	(void)state;
	assert_int_equal(vmsim_uffd_register(NULL, pg(0), P, UFFDIO_REGISTER_MODE_MISSING), -EBADF);
	assert_int_equal(vmsim_uffd_unregister(NULL, pg(0), P), -EBADF);
	assert_int_equal(vmsim_uffd_writeprotect(NULL, pg(0), P, true), -EBADF);
	assert_int_equal(vmsim_uffd_copy(NULL, pg(0), NULL, 0, P, false), -EBADF);
	assert_int_equal(vmsim_uffd_zeropage(NULL, pg(0), P), -EBADF);
	assert_int_equal(vmsim_uffd_continue(NULL, pg(0), P, false), -EBADF);
}

/* A vma registered with one context cannot be registered with another. */
static void test_other_context_busy(void **state)
{
	struct vmsim_uffd *a, *b;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_uffd_open(mm, 0, &a), 0);
	assert_int_equal(vmsim_uffd_open(mm, 0, &b), 0);
	assert_int_equal(vmsim_uffd_register(a, pg(0), 2 * P, UFFDIO_REGISTER_MODE_MISSING), 0);
	assert_int_equal(vmsim_uffd_register(b, pg(1), 2 * P, UFFDIO_REGISTER_MODE_MISSING), -EBUSY);
	assert_int_equal(vmsim_uffd_register(b, pg(2), 2 * P, UFFDIO_REGISTER_MODE_MISSING), 0);
	vmsim_uffd_close(a);
	vmsim_uffd_close(b);
	/* Closed: nothing registered, the vmas are one again. */
	assert_int_equal(tu_nr_vmas(mm), 1);
}

/* vma_can_userfault(): minor faults need a page cache (shmem). */
static void test_minor_needs_shmem(void **state)
{
	struct vmsim_uffd *u;
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(4), P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_uffd_open(mm, UFFD_FEATURE_MINOR_SHMEM, &u), 0);
	assert_int_equal(vmsim_uffd_register(u, pg(0), P, UFFDIO_REGISTER_MODE_MINOR), -EINVAL);
	assert_int_equal(vmsim_uffd_register(u, pg(4), P, UFFDIO_REGISTER_MODE_MINOR), 0);
	vmsim_uffd_close(u);
}

/* UFFDIO_COPY with MODE_WP: the page arrives write-protected; the write
 * is then a wp userfault. */
static void test_copy_wp(void **state)
{
	struct seen s = { 0 };
	struct vmsim_uffd *u;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	vmsim_uffd_set_handler(u, fill, &s);
	assert_int_equal(vmsim_uffd_register(u, pg(0), P, UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(vmsim_uffd_copy(u, pg(0), NULL, 0x11, P, true), (long)P);
	assert_int_equal(tu_pm(mm, pg(0)) & (PM_PRESENT | PM_UFFD_WP), PM_PRESENT | PM_UFFD_WP);
	assert_int_equal(tu_read(mm, pg(0)), 0x11);
	assert_int_equal(s.faults, 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(s.faults, 1);
	assert_int_equal(s.flags, UFFD_PAGEFAULT_FLAG_WP | UFFD_PAGEFAULT_FLAG_WRITE);
	vmsim_uffd_close(u);
}

/* A missing fault with a handler: filled by UFFDIO_COPY, then no more
 * faults.  After close, the same kind of access is ordinary again. */
static void test_missing_then_close(void **state)
{
	struct seen s = { 0 };
	struct vmsim_uffd *u;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	vmsim_uffd_set_handler(u, fill, &s);
	assert_int_equal(vmsim_uffd_register(u, pg(0), 2 * P, UFFDIO_REGISTER_MODE_MISSING), 0);
	assert_int_equal(tu_read(mm, pg(0)), 0x3c);
	assert_int_equal(s.faults, 1);
	assert_int_equal(s.flags, 0);
	assert_int_equal(tu_read(mm, pg(0) + 1), 0x3c);
	assert_int_equal(s.faults, 1);
	vmsim_uffd_close(u);
	assert_int_equal(tu_read(mm, pg(1)), 0);	/* the zero page, no userfault */
	assert_int_equal(s.faults, 1);
}

/* No handler: the faulting thread would wait forever in Linux; here the
 * access is SIGBUS (documented), and nothing is mapped. */
static void test_no_handler_sigbus(void **state)
{
	struct vmsim_uffd *u;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	assert_int_equal(vmsim_uffd_register(u, pg(0), P, UFFDIO_REGISTER_MODE_MISSING), 0);
	assert_int_equal(tu_read(mm, pg(0)), -VMSIM_ACCESS_SIGBUS);
	assert_false(tu_pm(mm, pg(0)) & PM_PRESENT);
	vmsim_uffd_close(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_open_and_getters),
		TU_TEST(test_no_context),
		TU_TEST(test_other_context_busy),
		TU_TEST(test_minor_needs_shmem),
		TU_TEST(test_copy_wp),
		TU_TEST(test_missing_then_close),
		TU_TEST(test_no_handler_sigbus),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
