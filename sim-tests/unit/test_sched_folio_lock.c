/* Unit tests: the folio lock where Linux 6.18 takes it for page-cache
 * users beyond faults and truncation: readahead
 * (page_cache_ra_unbounded: new folios enter the cache locked and are
 * unlocked as read_pages reads them), write() (generic_perform_write:
 * write_begin returns the folio locked, write_end unlocks it) and
 * UFFDIO_CONTINUE (mfill_atomic_pte_continue: shmem_get_folio locks, the
 * unlock follows the installed pte).  Each runs as the one task of a
 * block, whose steps an observer records: the folio lock's acquisitions
 * and releases are scheduling points on the folio's lock word. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define A	0x7f0000000000ULL
#define P	4096ULL

struct steps {
	unsigned n;
	struct vmsim_step s[1024];
};

static void observe(void *arg, struct vmsim *vm, const struct vmsim_step *s)
{
	struct steps *r = arg;

	(void)vm;
	if (r->n < 1024)
		r->s[r->n++] = *s;
}

/* Steps of kind k on a folio's lock word, at where. */
static unsigned folio_steps(const struct steps *r, enum vmsim_sp_kind k, const char *where)
{
	unsigned n = 0;

	for (unsigned i = 0; i < r->n; i++) {
		const struct vmsim_lock *l = r->s[i].obj;

		if (r->s[i].kind == k && l && l->lclass == VMSIM_LOCK_FOLIO && !strcmp(r->s[i].where, where))
			n++;
	}
	return n;
}

/* fn as the only task of one block (an explorer with one run). */
static void run_task(struct vmsim *vm, vmsim_task_fn fn, void *arg, struct steps *r)
{
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_EXHAUSTIVE, .bound = 0 };
	struct vmsim_task t = { .name = "cpu0", .cpu = 0, .fn = fn, .arg = arg };
	struct vmsim_explorer *x;

	memset(r, 0, sizeof(*r));
	assert_int_equal(vmsim_explorer_new(&o, &x), 0);
	assert_true(vmsim_explorer_next(x));
	assert_int_equal(vmsim_sched_run(vm, x, &t, 1, observe, r), 0);
	assert_int_equal(vmsim_explorer_done(x), 0);
	assert_false(vmsim_explorer_next(x));
	vmsim_explorer_free(x);
	assert_int_equal(vmsim_locks_held(vm), 0);
}

struct io {
	struct vmsim_file *f;
	struct vmsim_mm *mm;
	uint64_t off;
	size_t len;
	long ret;
	unsigned char buf[4 * 4096];
};

static void do_read(struct vmsim *vm, void *arg)
{
	struct io *io = arg;

	(void)vm;
	io->ret = vmsim_file_read(io->f, io->off, io->buf, io->len);
}

static void do_write(struct vmsim *vm, void *arg)
{
	struct io *io = arg;

	(void)vm;
	io->ret = vmsim_file_write(io->f, io->off, io->buf, io->len);
}

/* read() of a cold file reads ahead: every new folio is unlocked once,
 * by read_pages, after its read; none is left locked. */
static void test_readahead_locks_new_folios(void **state)
{
	static struct io io;
	static struct steps r;
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=8M", &log);
	unsigned long cached;

	(void)state;
	assert_non_null(vm);
	assert_int_equal(vmsim_file_new(vm, "F", VMSIM_FILE_DISK, 256 * 1024, &io.f), 0);
	io.off = 0;
	io.len = P;
	run_task(vm, do_read, &io, &r);
	assert_int_equal(io.ret, (long)P);
	cached = vmsim_file_cached_pages(io.f);
	assert_true(cached > 1);			/* it did read ahead */
	assert_int_equal(folio_steps(&r, VMSIM_SP_UNLOCK, "read_pages"), cached);
	/* Locked before they were in the cache: no wait, no point. */
	assert_int_equal(folio_steps(&r, VMSIM_SP_LOCK, "read_pages"), 0);
	/* Serially too, and the next read finds them unlocked. */
	assert_int_equal(vmsim_file_read(io.f, 48 * P, io.buf, P), (long)P);
	assert_int_equal(vmsim_locks_held(vm), 0);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* write(): each page under its folio's lock, from write_begin to
 * write_end.  A cached page is locked by write() (a point); a new one
 * enters the cache locked and is read under the lock (a partial write
 * needs the rest of the block), then written, then unlocked. */
static void test_write_locks_each_folio(void **state)
{
	static struct io io;
	static struct steps r;
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=8M", &log);

	(void)state;
	assert_non_null(vm);
	assert_int_equal(vmsim_file_new(vm, "F", VMSIM_FILE_DISK, 64 * P, &io.f), 0);
	assert_int_equal(vmsim_file_write(io.f, 0, io.buf, 2 * P), (long)(2 * P));	/* now cached */
	assert_int_equal(vmsim_file_cached_pages(io.f), 2);
	memset(io.buf, 0x77, sizeof(io.buf));
	io.off = 0;
	io.len = 2 * P;
	run_task(vm, do_write, &io, &r);
	assert_int_equal(io.ret, (long)(2 * P));
	assert_int_equal(folio_steps(&r, VMSIM_SP_LOCK, "file_write"), 2);
	assert_int_equal(folio_steps(&r, VMSIM_SP_UNLOCK, "file_write"), 2);
	/* A partial write of a page not cached. */
	io.off = 40 * P + 100;
	io.len = 10;
	run_task(vm, do_write, &io, &r);
	assert_int_equal(io.ret, 10);
	assert_int_equal(folio_steps(&r, VMSIM_SP_LOCK, "file_write"), 0);
	assert_int_equal(folio_steps(&r, VMSIM_SP_UNLOCK, "file_write"), 1);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static int minor_handler(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *msg)
{
	long *ret = arg;

	*ret = vmsim_uffd_continue(ctx, msg->address & ~(P - 1), P, false);
	return VMSIM_UFFD_RETRY;
}

static void touch(struct vmsim *vm, void *arg)
{
	struct io *io = arg;

	(void)vm;
	assert_int_equal(tu_read(io->mm, A + P), 0x33);
}

/* UFFDIO_CONTINUE maps the cached page under its folio's lock. */
static void test_continue_locks_folio(void **state)
{
	static struct io io;
	static struct steps r;
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=8M", &log);
	struct vmsim_uffd *ctx;
	long cont = 0;

	(void)state;
	assert_non_null(vm);
	assert_int_equal(vmsim_file_new(vm, "S", VMSIM_FILE_SHMEM, 16 * P, &io.f), 0);
	memset(io.buf, 0x33, P);
	assert_int_equal(vmsim_file_write(io.f, P, io.buf, P), (long)P);
	assert_int_equal(vmsim_mm_new(vm, &io.mm), 0);
	assert_int_equal(vmsim_mmap(io.mm, A, 16 * P, TU_PROT_RW, VMSIM_MAP_SHARED, io.f, 0), 0);
	assert_int_equal(vmsim_uffd_open(io.mm, UFFD_FEATURE_MINOR_SHMEM, &ctx), 0);
	vmsim_uffd_set_handler(ctx, minor_handler, &cont);
	assert_int_equal(vmsim_uffd_register(ctx, A, 16 * P, UFFDIO_REGISTER_MODE_MINOR), 0);
	run_task(vm, touch, &io, &r);
	assert_int_equal(cont, (long)P);
	assert_int_equal(folio_steps(&r, VMSIM_SP_LOCK, "mfill_one"), 1);
	assert_int_equal(folio_steps(&r, VMSIM_SP_UNLOCK, "mfill_one"), 1);
	vmsim_uffd_close(ctx);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_readahead_locks_new_folios),
		cmocka_unit_test(test_write_locks_each_folio),
		cmocka_unit_test(test_continue_locks_folio),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
