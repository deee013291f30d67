/* Unit tests: the .vms interpreter (script/interp.c) on a mock back end:
 * expect logic, frame labels, output lines and their order, names that a
 * failed command never made, and every exit status. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>

/* The mock: what it answers, and what it saw. */
static struct mock {
	int map_err;			/* map answers this */
	int fork_err;
	uint64_t sig_at;		/* an access reaching this address raises sig */
	int sig;
	uint8_t byte;			/* reads see this (at sig_at - 1: byte ^ 1) */
	int refuse_op, skip_op, broken_op;	/* check refuses / op skips / op breaks (op + 1) */
	int bug_op;			/* this op reports a bug (op + 1) */
	int bug_ret;			/* and returns this */
	bool uffd_on_read;		/* a read reports a uffd fault first */
	bool oom_on_write;		/* a write makes the OOM killer kill Q */
	int swapoff_err, swapon_err;	/* swapoff / swapon answer these */
	uint64_t file_size;
	/* seen */
	int setups, teardowns, calls;
	uint64_t max_chunk, total, last_cpu;
	char log[4096];
} M;

static void seen(const char *fmt, ...)
{
	size_t n = strlen(M.log);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(M.log + n, sizeof(M.log) - n, fmt, ap);
	va_end(ap);
}

static int common(struct vms_backend *be, const struct vms_cmd *c)
{
	M.calls++;
	seen("%s;", vms_cmd_word(c));
	if (M.skip_op == (int)c->op + 1)
		return vms_skip(be->in, "the mock cannot");
	if (M.broken_op == (int)c->op + 1)
		return vms_broken(be->in, "the mock broke");
	if (M.bug_op == (int)c->op + 1) {
		vms_report_bug(be->in, "injected");
		return M.bug_ret;
	}
	return 0;
}

static int m_check(struct vms_backend *be, const struct vms_cmd *c)
{
	return M.refuse_op == (int)c->op + 1 ? vms_refuse(be->in, "not supported yet: %s", vms_cmd_word(c)) : 0;
}

static int m_setup(struct vms_backend *be, const struct vms_script *s, const struct vms_run_opts *o)
{
	(void)be;
	(void)s;
	(void)o;
	M.setups++;
	return 0;
}

static void m_teardown(struct vms_backend *be)
{
	(void)be;
	M.teardowns++;
}

static int m_op(struct vms_backend *be, const struct vms_cmd *c)
{
	return common(be, c);
}

static int m_map(struct vms_backend *be, const struct vms_cmd *c)
{
	int r = common(be, c);

	return r ? r : M.map_err;
}

static int m_swapoff(struct vms_backend *be, const struct vms_cmd *c)
{
	int r = common(be, c);

	return r ? r : M.swapoff_err;
}

static int m_swapon(struct vms_backend *be, const struct vms_cmd *c)
{
	int r = common(be, c);

	return r ? r : M.swapon_err;
}

static int m_fork(struct vms_backend *be, const struct vms_cmd *c)
{
	int r = common(be, c);

	return r ? r : M.fork_err;
}

static long m_fwrite(struct vms_backend *be, const struct vms_cmd *c, uint64_t off, const void *buf, size_t len)
{
	(void)be;
	(void)c;
	(void)buf;
	M.max_chunk = len > M.max_chunk ? len : M.max_chunk;
	M.total += len;
	if (off + len > M.file_size)
		M.file_size = off + len;
	return (long)len;
}

static long m_fread(struct vms_backend *be, const struct vms_cmd *c, uint64_t off, void *buf, size_t len)
{
	(void)be;
	(void)c;
	if (off >= M.file_size)
		return 0;
	if (len > M.file_size - off)
		len = M.file_size - off;
	memset(buf, M.byte, len);
	M.max_chunk = len > M.max_chunk ? len : M.max_chunk;
	return (long)len;
}

static int m_access(struct vms_backend *be, const struct vms_cmd *c, struct vms_access *a)
{
	int r = common(be, c);

	if (r)
		return r;
	M.last_cpu = (uint64_t)a->cpu;
	M.max_chunk = a->len > M.max_chunk ? a->len : M.max_chunk;
	M.total += a->len;
	if (M.uffd_on_read && !a->write)
		vms_report_uffd_fault(be->in, a->proc, a->addr, VMS_UFFD_MODE_MISSING, false);
	if (M.oom_on_write && a->write)
		vms_report_oom_kill(be->in, "Q");
	if (M.sig && M.sig_at >= a->addr && M.sig_at < a->addr + a->len) {
		a->fault_addr = a->touch ? M.sig_at & ~0xfffULL : M.sig_at;
		return M.sig;
	}
	if (a->buf && !a->write) {
		memset(a->buf, M.byte, a->len);
		if (M.sig_at && M.sig_at - 1 >= a->addr && M.sig_at - 1 < a->addr + a->len)
			a->buf[M.sig_at - 1 - a->addr] ^= 1;
	}
	return 0;
}

/* pagemap: page N of 0x10000.. maps frame 100 + N % 3; 0x50000 is the zero
 * page; 0x60000 is not present. */
static int m_pagemap(struct vms_backend *be, const char *proc, uint64_t addr, uint64_t *e, bool *zero)
{
	(void)be;
	(void)proc;
	*zero = addr == 0x50000;
	if (addr == 0x60000) {
		*e = 0;
		return 0;
	}
	*e = PM_PRESENT | PM_MMAP_EXCLUSIVE | PM_SOFT_DIRTY | (100 + ((addr >> 12) % 3));
	return 0;
}

static int m_smaps(struct vms_backend *be, const struct vms_cmd *c, struct vms_smaps *out)
{
	int r = common(be, c);

	if (r)
		return r;
	if (c->addr != 0x10000)
		return -ENOMEM;
	memset(out, 0, sizeof(*out));
	out->start = 0x10000;
	out->kb[VMS_SMAPS_SIZE] = 8;
	return 0;
}

static void m_show(struct vms_backend *be, const struct vms_cmd *c, FILE *err)
{
	(void)be;
	fprintf(err, "shown %s\n", vms_cmd_word(c));
}

static struct vms_backend mock_be(void)
{
	struct vms_backend be = {
		.name = "mock", .check = m_check, .setup = m_setup, .teardown = m_teardown,
		.process = m_op, .run = m_op, .fork = m_fork, .exit = m_op, .file = m_op, .map = m_map,
		.unmap = m_op, .protect = m_op, .remap = m_op, .advise = m_op, .punch = m_op,
		.fwrite = m_fwrite, .fread = m_fread, .access = m_access, .uffd = m_op,
		.clear_refs = m_op, .pagemap = m_pagemap, .smaps = m_smaps, .show = m_show,
		.swapoff = m_swapoff, .swapon = m_swapon,
	};

	return be;
}

static char *out_buf, *err_buf;

/* Run text on be; the exit status; stdout and stderr in out_buf/err_buf. */
static int run_be(const char *text, struct vms_backend *be, const struct vms_run_opts *opts)
{
	struct vms_script *s;
	size_t ol = 0, el = 0;
	char err[256];
	FILE *out, *errf;
	int rc = vms_parse(text, strlen(text), &s, err, sizeof(err));

	if (rc)
		print_error("%s\n", err);
	assert_int_equal(rc, 0);
	free(out_buf);
	free(err_buf);
	out = open_memstream(&out_buf, &ol);
	errf = open_memstream(&err_buf, &el);
	rc = vms_interp_run(s, be, opts, out, errf);
	fclose(out);
	fclose(errf);
	vms_script_free(s);
	return rc;
}

static int run(const char *text)
{
	struct vms_backend be = mock_be();

	return run_be(text, &be, NULL);
}

static int setup(void **state)
{
	(void)state;
	memset(&M, 0, sizeof(M));
	M.byte = 0x5a;
	return 0;
}

#define PRE "process P\nprocess Q\nfile F size=64K\n"

static void test_output_and_labels(void **state)
{
	(void)state;
	assert_int_equal(run(PRE "read P 0x10000\npagemap P 0x10000 16K\npagemap Q 0x50000 4K\n"
			     "expect pagemap P 0x13000 present=1 excl=1 frame=#1\n"
			     "expect pagemap P 0x50000 frame=zero\n"
			     "expect pagemap P 0x60000 present=0 frame=-\n"
			     "smaps P 0x10000\nfwrite F 0 3 byte=7\nfread F 0\nfread F 0x10000\n"), VMS_OK);
	assert_string_equal(out_buf,
		"read P 0x0000000000010000 = 0x5a\n"
		"pagemap P 0x0000000000010000 present=1 swap=0 file=0 excl=1 sd=1 uffd_wp=0 guard=0 frame=#1\n"
		"pagemap P 0x0000000000011000 present=1 swap=0 file=0 excl=1 sd=1 uffd_wp=0 guard=0 frame=#2\n"
		"pagemap P 0x0000000000012000 present=1 swap=0 file=0 excl=1 sd=1 uffd_wp=0 guard=0 frame=#3\n"
		"pagemap P 0x0000000000013000 present=1 swap=0 file=0 excl=1 sd=1 uffd_wp=0 guard=0 frame=#1\n"
		"pagemap Q 0x0000000000050000 present=1 swap=0 file=0 excl=1 sd=1 uffd_wp=0 guard=0 frame=zero\n"
		"smaps P 0x0000000000010000 Size=8 Rss=0 Pss=0 Shared_Clean=0 Shared_Dirty=0 Private_Clean=0 "
		"Private_Dirty=0 Anonymous=0 AnonHugePages=0 Swap=0 SwapPss=0 Locked=0\n"
		"fread F 0x0000000000000000 = 0x5a\n"
		"fread F 0x0000000000010000 = EOF\n");
	assert_string_equal(err_buf, "");
	assert_int_equal(M.setups, 1);
	assert_int_equal(M.teardowns, 1);
}

static void test_expect_fails(void **state)
{
	(void)state;
	/* A label is given by pagemap output only: #1 is not known yet. */
	assert_int_equal(run(PRE "expect pagemap P 0x10000 frame=#1\nread P 0x10000\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: pagemap P 0x0000000000010000: frame=a frame not yet "
				     "labelled, expected frame=#1\n");
	assert_string_equal(out_buf, "");	/* the run stopped */
	assert_int_equal(M.teardowns, 1);
	assert_int_equal(run(PRE "pagemap P 0x10000 8K\nexpect pagemap P 0x10000 8K frame=#1\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 5: pagemap P 0x0000000000011000: frame=#2, expected frame=#1\n");
	assert_int_equal(run(PRE "expect pagemap P 0x60000 present=1\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: pagemap P 0x0000000000060000: present=0, expected present=1\n");
	/* same/differ */
	assert_int_equal(run(PRE "expect same P 0x10000 Q 0x13000\nexpect differ P 0x10000 Q 0x11000\n"), VMS_OK);
	assert_int_equal(run(PRE "expect same P 0x10000 Q 0x11000\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: the two pages map different frames\n");
	assert_int_equal(run(PRE "expect differ P 0x10000 Q 0x13000\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: the two pages map the same frames\n");
	assert_int_equal(run(PRE "expect same P 0x10000 Q 0x60000\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: Q 0x0000000000060000 is not present\n");
	/* read expect= */
	M.sig_at = 0x10005;
	assert_int_equal(run(PRE "read P 0x10000 16 expect=0x5a\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: read P 0x0000000000010004 = 0x5b, expected 0x5a\n");
	M.sig_at = 0;
	assert_int_equal(run(PRE "read P 0x10000 expect=SIGSEGV\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: read P 0x0000000000010000: no signal, expected SIGSEGV\n");
	M.sig = VMS_BE_SIGBUS;
	M.sig_at = 0x10000;
	assert_int_equal(run(PRE "read P 0x10000 expect=SIGSEGV\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: read P 0x0000000000010000: Bus error, expected SIGSEGV\n");
	assert_int_equal(run(PRE "read P 0x10000 expect=0\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: read P 0x0000000000010000 = SIGBUS, expected 0x00\n");
	assert_int_equal(run(PRE "write P 0x10000 expect=SIGBUS\n"), VMS_OK);
	/* fread expect= */
	M.file_size = 8;
	assert_int_equal(run(PRE "fread F 0 16 expect=0x5a\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: fread F: end of file at 0x0000000000000008\n");
}

static void test_signals_and_errors(void **state)
{
	(void)state;
	M.sig = VMS_BE_SIGSEGV;
	M.sig_at = 0x12010;
	M.map_err = -EEXIST;
	/* A signal prints the command's ADDR; touch, the faulting page. */
	assert_int_equal(run(PRE "read P 0x11000 8K\nwrite P 0x12000 32\ntouch P 0x10000 16K w\n"
			     "map P 0x10000 4K anon private rw\nread P 0x10000\n"), VMS_OK);
	assert_string_equal(out_buf,
		"read P 0x0000000000011000 = SIGSEGV\n"
		"write P 0x0000000000012000 = SIGSEGV\n"
		"write P 0x0000000000012000 = SIGSEGV\n"
		"error P: map: EEXIST\n"
		"read P 0x0000000000010000 = 0x5a\n");
	/* expect error */
	assert_int_equal(run(PRE "expect error EEXIST map P 0x10000 4K anon private rw\n"), VMS_OK);
	assert_string_equal(out_buf, "");
	assert_int_equal(run(PRE "expect error EINVAL map P 0x10000 4K anon private rw\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: map: EEXIST, expected EINVAL\n");
	M.map_err = 0;
	assert_int_equal(run(PRE "expect error EACCES map P 0x10000 4K anon private rw\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: map: success, expected EACCES\n");
	/* expect error is quiet: no smaps or fread line */
	assert_int_equal(run(PRE "expect error ENOMEM smaps P 0x20000\nsmaps Q 0x30000\n"), VMS_OK);
	assert_string_equal(out_buf, "error Q: smaps: ENOMEM\n");
}

/* swapoff/swapon: each its back end's operation; a failure prints an error
 * line naming the swap area (or is what expect error checks); a back end
 * without the operation refuses the script before anything runs. */
static void test_swap_area(void **state)
{
	struct vms_backend be = mock_be();

	(void)state;
	assert_int_equal(run(PRE "swapoff\nswapon\n"), VMS_OK);
	assert_string_equal(M.log, "process;process;file;swapoff;swapon;");
	assert_string_equal(out_buf, "");
	M.swapoff_err = -EINVAL;
	M.swapon_err = -EBUSY;
	assert_int_equal(run(PRE "swapoff\nswapon\nread P 0x10000\n"), VMS_OK);
	assert_string_equal(out_buf, "error swap: swapoff: EINVAL\nerror swap: swapon: EBUSY\n"
				     "read P 0x0000000000010000 = 0x5a\n");
	assert_int_equal(run(PRE "expect error EINVAL swapoff\nexpect error EBUSY swapon\n"), VMS_OK);
	assert_string_equal(out_buf, "");
	assert_int_equal(run(PRE "expect error EBUSY swapoff\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: swapoff: EINVAL, expected EBUSY\n");
	M.swapoff_err = -ENOMEM;
	assert_int_equal(run(PRE "swapoff\n"), VMS_OK);
	assert_string_equal(out_buf, "error swap: swapoff: ENOMEM\n");
	M.swapon_err = 0;
	assert_int_equal(run(PRE "expect error EBUSY swapon\n"), VMS_FAILED);
	assert_string_equal(err_buf, "FAIL line 4: swapon: success, expected EBUSY\n");
	be.swapon = NULL;
	M.calls = 0;
	assert_int_equal(run_be(PRE "swapoff\nexpect error EBUSY swapon\n", &be, NULL), VMS_MALFORMED);
	assert_string_equal(err_buf, "error line 5: mock cannot run swapon\n");
	assert_int_equal(M.calls, 0);
}

/* A name a failed command never made, and one the OOM killer took. */
static void test_names(void **state)
{
	(void)state;
	M.fork_err = -ENOMEM;
	assert_int_equal(run(PRE "fork P C\nread C 0x10000\n"), VMS_FAILED);
	assert_string_equal(out_buf, "error P: fork: ENOMEM\n");
	assert_string_equal(err_buf, "FAIL line 5: process C does not exist\n");
	M.oom_on_write = true;
	assert_int_equal(run(PRE "write P 0x10000\nread Q 0x10000\nunmap Q 0x10000 4K\nread P 0x10000\n"), VMS_OK);
	assert_string_equal(out_buf, "oom-kill Q\nerror Q: read: ESRCH\nerror Q: unmap: ESRCH\n"
				     "read P 0x0000000000010000 = 0x5a\n");
	/* exit: the name is gone, and may be made again */
	assert_int_equal(run(PRE "exit P\nprocess P\nread P 0x10000\n"), VMS_OK);
}

/* read/write move at most VMS_IO_CHUNK per call; 1G takes no 1G buffer. */
static void test_streaming(void **state)
{
	(void)state;
	assert_int_equal(run(PRE "read P 0x10000 1G\n"), VMS_OK);
	assert_int_equal(M.max_chunk, VMS_IO_CHUNK);
	assert_int_equal(M.total, 1ULL << 30);
	assert_string_equal(out_buf, "read P 0x0000000000010000 = 0x5a\n");
	M.total = M.max_chunk = 0;
	assert_int_equal(run(PRE "write P 0x10000 100000\nfwrite F 0 300000\nfread F 0 300000 expect=0x5a\n"),
			 VMS_OK);
	assert_int_equal(M.max_chunk, VMS_IO_CHUNK);
	assert_int_equal(M.total, 400000);
	/* The first signal ends the access: no call after it. */
	M.sig = VMS_BE_SIGBUS;
	M.sig_at = 0x10000 + 3 * VMS_IO_CHUNK + 5;
	M.calls = 0;
	assert_int_equal(run(PRE "read P 0x10000 1M\n"), VMS_OK);
	assert_int_equal(M.calls, 3 + 4);	/* process, process, file; 4 chunks */
	assert_string_equal(out_buf, "read P 0x0000000000010000 = SIGBUS\n");
}

/* Lines a back end reports come out in order, before the command's own. */
static void test_report_order(void **state)
{
	struct vms_backend be = mock_be();
	struct vms_run_opts opts = { .trace = true };

	(void)state;
	M.uffd_on_read = true;
	assert_int_equal(run_be(PRE "read P 0x10000\nshow stats\nread Q 0x20000 cpu=1\n", &be, &opts), VMS_OK);
	assert_string_equal(out_buf,
		"uffd-fault P 0x0000000000010000 missing read\n"
		"read P 0x0000000000010000 = 0x5a\n"
		"uffd-fault Q 0x0000000000020000 missing read\n"
		"read Q 0x0000000000020000 = 0x5a\n");
	assert_string_equal(err_buf,
		"line 1: process\nline 2: process\nline 3: file\nline 4: read\nline 5: show stats\n"
		"shown show stats\nline 6: read\n");
	assert_int_equal(M.last_cpu, 1);
	/* show lines are ignored by a back end that has no show */
	be.show = NULL;
	assert_int_equal(run_be(PRE "show stats\n", &be, NULL), VMS_OK);
	assert_string_equal(err_buf, "");
}

/* A branch's commands reach the back end with the branch's CPU. */
static void test_parallel(void **state)
{
	(void)state;
	assert_int_equal(run("machine cpus=3\n" PRE "parallel\nbranch cpu=2\nread P 0x10000\nbranch\n"
			     "read Q 0x10000\nend\n"), VMS_OK);
	assert_int_equal((int)M.last_cpu, -1);
	assert_string_equal(M.log, "process;process;file;read;read;");
	assert_int_equal(run("machine cpus=3\n" PRE "parallel\nbranch cpu=2\nread P 0x10000\nend\n"), VMS_OK);
	assert_int_equal(M.last_cpu, 2);
}

static void test_statuses(void **state)
{
	struct vms_backend be = mock_be();

	(void)state;
	/* Refused before anything runs: no setup, no output. */
	M.refuse_op = VMS_UNMAP + 1;
	assert_int_equal(run(PRE "read P 0x10000\nunmap P 0x10000 4K\n"), VMS_MALFORMED);
	assert_string_equal(err_buf, "error line 5: not supported yet: unmap\n");
	assert_string_equal(out_buf, "");
	assert_int_equal(M.setups, 0);
	/* ... also inside expect error */
	assert_int_equal(run(PRE "expect error EINVAL unmap P 0x10000 4K\n"), VMS_MALFORMED);
	M.refuse_op = 0;
	/* A command the back end has no operation for. */
	be.smaps = NULL;
	assert_int_equal(run_be(PRE "smaps P 0x10000\n", &be, NULL), VMS_MALFORMED);
	assert_string_equal(err_buf, "error line 4: mock cannot run smaps\n");
	assert_int_equal(run(PRE "migrate P 0x10000 4K\n"), VMS_MALFORMED);
	assert_string_equal(err_buf, "error line 4: migrate is simulator only\n");
	/* skip and broken */
	M.skip_op = VMS_UNMAP + 1;
	assert_int_equal(run(PRE "read P 0x10000\nunmap P 0x10000 4K\nread P 0x10000\n"), VMS_SKIP);
	assert_string_equal(err_buf, "skip: line 5: the mock cannot\n");
	assert_string_equal(out_buf, "read P 0x0000000000010000 = 0x5a\n");
	assert_int_equal(M.teardowns, 1);
	M.skip_op = 0;
	M.broken_op = VMS_READ + 1;
	assert_int_equal(run(PRE "read P 0x10000\n"), VMS_BUG);
	assert_string_equal(err_buf, "mock: line 4: the mock broke\n");
	M.broken_op = 0;
	/* A bug is exit 3 whatever the command returned: an error, a
	 * failure the access reports, or success. */
	M.bug_op = VMS_READ + 1;
	M.bug_ret = -EIO;
	assert_int_equal(run(PRE "read P 0x10000\nread P 0x10000\n"), VMS_BUG);
	assert_string_equal(err_buf, "BUG: line 4: injected\nmock: line 4: the simulator reported a bug\n");
	assert_int_equal(run(PRE "read P 0x10000 expect=0x11\n"), VMS_BUG);
	M.bug_ret = 0;
	assert_int_equal(run(PRE "read P 0x10000\nread P 0x10000\n"), VMS_BUG);
	assert_string_equal(out_buf, "read P 0x0000000000010000 = 0x5a\n");
	M.bug_op = VMS_MAP + 1;
	M.bug_ret = -ENOMEM;
	assert_int_equal(run(PRE "expect error ENOMEM map P 0x10000 4K anon private rw\n"), VMS_BUG);
}

static void test_bad_arguments(void **state)
{
	struct vms_backend be = mock_be(), half = mock_be();
	struct vms_script *s;
	char err[64];

	(void)state;
	assert_int_equal(vms_parse("process P", 9, &s, err, sizeof(err)), 0);
	assert_int_equal(vms_interp_run(NULL, &be, NULL, stdout, stderr), -EINVAL);
	assert_int_equal(vms_interp_run(s, NULL, NULL, stdout, stderr), -EINVAL);
	assert_int_equal(vms_interp_run(s, &be, NULL, NULL, stderr), -EINVAL);
	assert_int_equal(vms_interp_run(s, &be, NULL, stdout, NULL), -EINVAL);
	half.setup = NULL;
	assert_int_equal(vms_interp_run(s, &half, NULL, stdout, stderr), -EINVAL);
	vms_script_free(s);
	/* Reports with no interpreter are ignored. */
	vms_report_uffd_fault(NULL, "P", 0, VMS_UFFD_MODE_WP, true);
	vms_report_oom_kill(NULL, "P");
	vms_report_bug(NULL, "x");
	assert_int_equal(vms_refuse(NULL, "x"), VMS_BE_REFUSED);
	assert_int_equal(vms_skip(NULL, "x"), VMS_BE_SKIP);
	assert_int_equal(vms_broken(NULL, "x"), VMS_BE_BROKEN);
	assert_null(vms_interp_cmd(NULL));
	assert_null(vms_interp_out(NULL));
	assert_null(vms_interp_err(NULL));
	free(out_buf);
	free(err_buf);
	out_buf = err_buf = NULL;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup(test_output_and_labels, setup),
		cmocka_unit_test_setup(test_expect_fails, setup),
		cmocka_unit_test_setup(test_signals_and_errors, setup),
		cmocka_unit_test_setup(test_swap_area, setup),
		cmocka_unit_test_setup(test_names, setup),
		cmocka_unit_test_setup(test_streaming, setup),
		cmocka_unit_test_setup(test_report_order, setup),
		cmocka_unit_test_setup(test_parallel, setup),
		cmocka_unit_test_setup(test_statuses, setup),
		cmocka_unit_test_setup(test_bad_arguments, setup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
