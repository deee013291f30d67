/* The .vms interpreter: runs a parsed script on a back end (the simulator,
 * run_sim.c; the host kernel, tools/vmsim/kernel.c) and owns what a script
 * means beyond the system calls: which names exist, expect pagemap / same /
 * differ / error, frame labels, every standard-output line, the FAIL /
 * error / BUG / skip messages and the exit statuses (docs/scenario.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "script_internal.h"

/* A name's state at run time: the parser knows which names a correct run
 * has; a command that failed at run time, or the OOM killer, can leave a
 * name without its object. */
struct name {
	const char *name;
	bool oom_killed;
	UT_hash_handle hh;
};

struct vms_interp {
	struct vms_backend *be;
	const struct vms_run_opts *opts;
	struct vms_out out;
	FILE *err;
	const struct vms_cmd *cur;
	unsigned bugs;
	struct name *procs, *files, *devices;
	uint8_t *buf;		/* VMS_IO_CHUNK bytes for read/write/fread/fwrite */
	/* An interleaved block: the first branch to fail stops the others
	 * at their next command. */
	int block_rc;
	bool bug_said;
};

/* ---- names ---- */

static struct name *name_find(struct name *set, const char *s)
{
	struct name *n;

	HASH_FIND(hh, set, s, strlen(s), n);
	return n;
}

static int name_add(struct name **set, const char *s)
{
	struct name *n = name_find(*set, s);

	if (n) {
		n->oom_killed = false;
		return 0;
	}
	n = calloc(1, sizeof(*n));
	if (!n)
		return -ENOMEM;
	n->name = s;
	HASH_ADD_KEYPTR(hh, *set, n->name, strlen(n->name), n);
	return 0;
}

static void name_del(struct name **set, const char *s)
{
	struct name *n = name_find(*set, s);

	if (n && !n->oom_killed) {
		HASH_DEL(*set, n);
		free(n);
	}
}

static void names_free(struct name **set)
{
	struct name *n, *t;

	HASH_ITER(hh, *set, n, t) {
		HASH_DEL(*set, n);
		free(n);
	}
}

/* ---- messages ---- */

static int fail(struct vms_interp *in, const struct vms_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* An expect that did not hold (or a command that cannot go on): stop, 1.
 * After a bug report the bug is the story (the run ends 3): no FAIL line. */
static int fail(struct vms_interp *in, const struct vms_cmd *c, const char *fmt, ...)
{
	va_list ap;

	if (in->bugs)
		return VMS_FAILED;
	fflush(in->out.f);
	fprintf(in->err, "FAIL line %d: ", c->line);
	va_start(ap, fmt);
	vfprintf(in->err, fmt, ap);
	va_end(ap);
	fputc('\n', in->err);
	return VMS_FAILED;
}

static int say(struct vms_interp *in, int rc, const char *head, bool line, const char *fmt, va_list ap)
{
	if (!in)
		return rc;
	fflush(in->out.f);
	fputs(head, in->err);
	if (line && in->cur)
		fprintf(in->err, "line %d: ", in->cur->line);
	vfprintf(in->err, fmt, ap);
	fputc('\n', in->err);
	return rc;
}

int vms_refuse(struct vms_interp *in, const char *fmt, ...)
{
	char head[32] = "error: ";
	va_list ap;
	int rc;

	if (in && in->cur)
		snprintf(head, sizeof(head), "error line %d: ", in->cur->line);
	va_start(ap, fmt);
	rc = say(in, VMS_BE_REFUSED, head, false, fmt, ap);
	va_end(ap);
	return rc;
}

int vms_skip(struct vms_interp *in, const char *fmt, ...)
{
	va_list ap;
	int rc;

	va_start(ap, fmt);
	rc = say(in, VMS_BE_SKIP, "skip: ", true, fmt, ap);
	va_end(ap);
	return rc;
}

int vms_broken(struct vms_interp *in, const char *fmt, ...)
{
	char head[64] = "vmsim: ";
	va_list ap;
	int rc;

	if (in && in->be && in->be->name)
		snprintf(head, sizeof(head), "%s: ", in->be->name);
	va_start(ap, fmt);
	rc = say(in, VMS_BE_BROKEN, head, true, fmt, ap);
	va_end(ap);
	return rc;
}

/* The exit status a back-end result stands for (0: go on). */
static int status_of(struct vms_interp *in, int r)
{
	switch (r) {
	case VMS_BE_REFUSED:
		return VMS_MALFORMED;
	case VMS_BE_SKIP:
		return VMS_SKIP;
	case VMS_BE_BROKEN:
		return VMS_BUG;
	case VMS_BE_SIGSEGV:
	case VMS_BE_SIGBUS:
		vms_broken(in, "a signal from a command that makes no access");
		return VMS_BUG;
	default:
		return r > 0 ? (vms_broken(in, "unknown back-end result %d", r), VMS_BUG) : 0;
	}
}

/* ---- reports from the back end ---- */

void vms_report_uffd_fault(struct vms_interp *in, const char *proc, uint64_t addr, unsigned kind, bool write)
{
	if (in)
		vms_out_uffd_fault(&in->out, proc, addr, kind, write);
}

void vms_report_uffd_fork(struct vms_interp *in, const char *proc, const char *child)
{
	if (in)
		vms_out_uffd_fork(&in->out, proc, child);
}

void vms_report_uffd_range(struct vms_interp *in, const char *proc, const char *what, uint64_t addr,
			   uint64_t len)
{
	if (in)
		vms_out_uffd_range(&in->out, proc, what, addr, len);
}

void vms_report_uffd_remap(struct vms_interp *in, const char *proc, uint64_t from, uint64_t to, uint64_t len)
{
	if (in)
		vms_out_uffd_remap(&in->out, proc, from, to, len);
}

void vms_report_oom_kill(struct vms_interp *in, const char *proc)
{
	struct name *n;

	if (!in || !proc)
		return;
	vms_out_oom_kill(&in->out, proc);
	n = name_find(in->procs, proc);
	if (n)
		n->oom_killed = true;
}

void vms_report_bug(struct vms_interp *in, const char *what)
{
	size_t len;

	if (!in || !what)
		return;
	in->bugs++;
	fflush(in->out.f);
	len = strlen(what);
	fprintf(in->err, "BUG: line %d: %s%s", in->cur ? in->cur->line : 0, what,
		len && what[len - 1] == '\n' ? "" : "\n");
}

const struct vms_cmd *vms_interp_cmd(const struct vms_interp *in)
{
	return in ? in->cur : NULL;
}

const struct vms_out *vms_interp_out(const struct vms_interp *in)
{
	return in ? &in->out : NULL;
}

FILE *vms_interp_err(const struct vms_interp *in)
{
	return in ? in->err : NULL;
}

/* ---- checks before anything runs ---- */

/* The back-end operation the table names for c, or NULL. */
static vmsim__be_fn be_fn(const struct vms_backend *be, const struct vmsim__spec *k)
{
	vmsim__be_fn fn;

	if (!k->be_op)
		return NULL;
	memcpy(&fn, (const char *)be + k->be_op, sizeof(fn));
	return fn;
}

/* Does the back end have what c needs? */
static bool has_op(const struct vms_backend *be, const struct vms_cmd *c)
{
	const struct vmsim__spec *k = vmsim__spec_of(c);

	if (k->be_op)
		return be_fn(be, k) != NULL;
	switch (c->op) {
	case VMS_FWRITE: return be->fwrite;
	case VMS_FREAD: return be->fread;
	case VMS_READ: case VMS_WRITE: case VMS_TOUCH: return be->access;
	case VMS_DEVICE: return be->device_read;
	case VMS_PAGEMAP: case VMS_EXPECT_PAGEMAP: case VMS_EXPECT_SAME: case VMS_EXPECT_DIFFER:
		return be->pagemap;
	case VMS_SMAPS: return be->smaps;
	default: return true;	/* the interpreter's own (expect error, show, blocks) */
	}
}

static int check_one(struct vms_interp *in, const struct vms_cmd *c)
{
	const struct vms_command *k = vms_command_of(c);
	int r = 0;

	if (!k)
		return vms_refuse(in, "a command this interpreter does not know");
	if (in->be->check && (r = in->be->check(in->be, c)))
		return r < 0 ? vms_refuse(in, "%s: %s", k->word, vms_errno_name(r)) : r;
	if (!has_op(in->be, c)) {
		if (k->attrs & VMS_CMD_SIM_ONLY)
			return vms_refuse(in, "%s is simulator only", k->word);
		return vms_refuse(in, "%s cannot run %s", in->be->name, k->word);
	}
	return 0;
}

/* ---- what interleaving needs of a block ---- */

/* The names a command makes or unmakes (process, fork child, file,
 * device, exit) and those it only uses, by its operand letters. */
static void names_of(const struct vms_cmd *c, const char *made[2], const char *used[3])
{
	const struct vmsim__spec *k = vmsim__spec_of(c);
	unsigned nm = 0, nu = 0;

	made[0] = made[1] = used[0] = used[1] = used[2] = NULL;
	if (c->op == VMS_EXPECT_ERROR)
		c = c->inner, k = vmsim__spec_of(c);
	for (const char *a = k->args; *a; a++) {
		const char *n = strchr("NGE", *a) ? c->name[0] : *a == 'C' ? c->name[1] :
				strchr("PpFD", *a) ? c->name[0] : *a == 'Q' ? c->name[1] : NULL;

		if (!n)
			continue;
		if (strchr("NGEC", *a) || (c->op == VMS_EXIT && *a == 'P')) {
			if (nm < 2)
				made[nm++] = n;
		} else if (nu < 3) {
			used[nu++] = n;
		}
	}
	if (c->op == VMS_MAP && !(c->map_flags & VMS_MAP_ANON) && nu < 3)
		used[nu] = c->name[1];
}

static bool same(const char *a, const char *b)
{
	return a && b && !strcmp(a, b);
}

/* Does a command of branch [b0, b1) make, unmake or use a name that a
 * command of [o0, o1) makes or unmakes? */
static const char *shared_name(const struct vms_script *s, size_t b0, size_t b1, size_t o0, size_t o1)
{
	for (size_t i = b0; i < b1; i++) {
		const char *bm[2], *bu[3];

		names_of(vms_script_cmd(s, i), bm, bu);
		for (size_t j = o0; j < o1; j++) {
			const char *om[2], *ou[3];

			names_of(vms_script_cmd(s, j), om, ou);
			for (int x = 0; x < 2; x++) {
				for (int y = 0; y < 2; y++)
					if (same(om[x], bm[y]))
						return om[x];
				for (int y = 0; y < 3; y++)
					if (same(om[x], bu[y]))
						return om[x];
			}
		}
	}
	return NULL;
}

/* Interleaved, a block's branches must not depend on each other's names
 * (in script order they may: a later branch can use what an earlier one
 * made), and each needs a CPU of its own. */
static int check_block(struct vms_interp *in, const struct vms_script *s, size_t at)
{
	size_t start[VMSIM_MAX_TASKS + 1], end = at + 1;
	unsigned n = 0;
	uint64_t cpus = 0;

	for (; vms_script_cmd(s, end)->op != VMS_END; end++) {
		const struct vms_cmd *c = vms_script_cmd(s, end);

		if (c->op != VMS_BRANCH)
			continue;
		in->cur = c;
		if (n == VMSIM_MAX_TASKS)
			return vms_refuse(in, "vmsim explore: at most %d branches in a block", VMSIM_MAX_TASKS);
		if (c->cpu < 0 || (cpus & (1ULL << c->cpu)))
			return vms_refuse(in, "vmsim explore: each branch needs a CPU of its own (branch cpu=N)");
		cpus |= 1ULL << c->cpu;
		start[n++] = end;
	}
	start[n] = end;
	for (unsigned i = 0; i < n; i++) {
		for (unsigned j = 0; j < n; j++) {
			const char *name;

			if (i == j || !(name = shared_name(s, start[i] + 1, start[i + 1], start[j] + 1, start[j + 1])))
				continue;
			in->cur = vms_script_cmd(s, start[i]);
			return vms_refuse(in, "vmsim explore: this branch uses %s, which the branch of line %d makes or "
					  "ends: interleaved, it may not exist yet or any more", name,
					  vms_script_cmd(s, start[j])->line);
		}
	}
	return 0;
}

static int check_all(struct vms_interp *in, const struct vms_script *s)
{
	for (size_t i = 0; i < vms_script_count(s); i++) {
		const struct vms_cmd *c = vms_script_cmd(s, i);
		int r;

		in->cur = c;
		r = check_one(in, c);
		if (!r && c->op == VMS_EXPECT_ERROR)
			r = check_one(in, c->inner);
		if (!r && c->op == VMS_PARALLEL && in->opts->explorer && in->be->parallel)
			r = check_block(in, s, i);
		if (r)
			return status_of(in, r);
	}
	in->cur = NULL;
	return 0;
}

/* ---- commands ---- */

/* Is the name there?  0 to go on, *err = -ESRCH for a name the OOM
 * killer took, or FAIL for one a failed command never made. */
static int present(struct vms_interp *in, const struct vms_cmd *c, struct name *set, const char *what,
		   const char *s, int *err)
{
	struct name *n = s ? name_find(set, s) : NULL;

	if (!s || *err)
		return 0;
	if (n && n->oom_killed) {
		*err = -ESRCH;
		return 0;
	}
	if (!n)
		return fail(in, c, "%s %s does not exist", what, s);
	return 0;
}

/* The names a command needs, by the operand letters of its table entry
 * (and map's file=). */
static int subjects(struct vms_interp *in, const struct vms_cmd *c, int *err)
{
	const struct vmsim__spec *k = vmsim__spec_of(c);
	int rc = 0;

	*err = 0;
	for (const char *a = k->args; *a && !rc; a++) {
		switch (*a) {
		case 'P': case 'p':
			rc = present(in, c, in->procs, "process", c->name[0], err);
			break;
		case 'Q':
			rc = present(in, c, in->procs, "process", c->name[1], err);
			break;
		case 'F':
			rc = present(in, c, in->files, "file", c->name[0], err);
			break;
		case 'D':
			rc = present(in, c, in->devices, "device", c->name[0], err);
			break;
		default:
			break;
		}
	}
	if (!rc && c->op == VMS_MAP && !(c->map_flags & VMS_MAP_ANON))
		rc = present(in, c, in->files, "file", c->name[1], err);
	return rc;
}

/* The names a command made, by its operand letters; exit's is gone. */
static int made(struct vms_interp *in, const struct vms_cmd *c)
{
	const struct vmsim__spec *k = vmsim__spec_of(c);
	int err = 0;

	for (const char *a = k->args; *a && !err; a++) {
		if (*a == 'N')
			err = name_add(&in->procs, c->name[0]);
		else if (*a == 'C')
			err = name_add(&in->procs, c->name[1]);
		else if (*a == 'G')
			err = name_add(&in->files, c->name[0]);
		else if (*a == 'E')
			err = name_add(&in->devices, c->name[0]);
	}
	if (c->op == VMS_EXIT)
		name_del(&in->procs, c->name[0]);
	return err ? (vms_broken(in, "out of memory"), VMS_BUG) : 0;
}

/* fwrite: LEN bytes of V, streamed. */
static int do_fwrite(struct vms_interp *in, const struct vms_cmd *c)
{
	uint64_t done = 0;

	memset(in->buf, c->byte, VMS_IO_CHUNK);
	while (done < c->len) {
		size_t n = c->len - done < VMS_IO_CHUNK ? (size_t)(c->len - done) : VMS_IO_CHUNK;
		long w = in->be->fwrite(in->be, c, c->addr + done, in->buf, n);

		if (w <= 0)
			return w < 0 ? (int)w : -EIO;
		done += (uint64_t)w;
	}
	return 0;
}

/* fread: prints the first byte (EOF at or past the end) unless quiet or
 * expect=; expect= checks every byte.  -errno, 0, or FAIL. */
static int do_fread(struct vms_interp *in, const struct vms_cmd *c, bool quiet)
{
	bool print = !quiet && c->expect == VMS_EXPECT_NONE;
	uint64_t done = 0;

	while (done < c->len) {
		size_t n = c->len - done < VMS_IO_CHUNK ? (size_t)(c->len - done) : VMS_IO_CHUNK;
		long r = in->be->fread(in->be, c, c->addr + done, in->buf, n);

		if (r < 0 || r > (long)n)
			return r < 0 ? (int)r : vms_broken(in, "fread returned more than asked");
		if (r == 0)
			break;
		if (done == 0 && print)
			vms_out_fread(&in->out, c->name[0], c->addr, VMS_RES_BYTE, in->buf[0]);
		for (long i = 0; c->expect == VMS_EXPECT_VALUE && i < r; i++)
			if (in->buf[i] != c->expect_value)
				return fail(in, c, "fread %s 0x%016" PRIx64 " = 0x%02x, expected 0x%02x", c->name[0],
					    c->addr + done + (uint64_t)i, in->buf[i], c->expect_value);
		done += (uint64_t)r;
	}
	if (done == 0 && print)
		vms_out_fread(&in->out, c->name[0], c->addr, VMS_RES_EOF, 0);
	if (done < c->len && c->expect == VMS_EXPECT_VALUE)
		return fail(in, c, "fread %s: end of file at 0x%016" PRIx64, c->name[0], c->addr + done);
	return 0;
}

static int do_device_read(struct vms_interp *in, const struct vms_cmd *c, bool quiet)
{
	uint8_t b = 0;
	int r = in->be->device_read(in->be, c, &b);

	if (r)
		return r;
	if (c->expect == VMS_EXPECT_VALUE && b != c->expect_value)
		return fail(in, c, "device %s read %s 0x%016" PRIx64 " = 0x%02x, expected 0x%02x", c->name[0],
			    c->name[1], c->addr, b, c->expect_value);
	if (!quiet && c->expect == VMS_EXPECT_NONE)
		vms_out_device_read(&in->out, c->name[0], c->name[1], c->addr, b);
	return 0;
}

/*
 * A command that models a system call: 0 with *err its result (0 or
 * -errno), or an exit status.  quiet: under expect error, print nothing.
 */
static int syscall_cmd(struct vms_interp *in, const struct vms_cmd *c, bool quiet, int *err)
{
	const struct vmsim__spec *k = vmsim__spec_of(c);
	struct vms_backend *be = in->be;
	struct vms_smaps sm;
	int rc = subjects(in, c, err), r;

	if (rc || *err)
		return rc;
	if (k->be_op) {
		r = be_fn(be, k)(be, c);
	} else if (c->op == VMS_FWRITE) {
		r = do_fwrite(in, c);
	} else if (c->op == VMS_FREAD) {
		if ((r = do_fread(in, c, quiet)) == VMS_FAILED)
			return r;
	} else if (c->op == VMS_DEVICE) {
		if ((r = do_device_read(in, c, quiet)) == VMS_FAILED)
			return r;
	} else if (c->op == VMS_SMAPS) {
		r = be->smaps(be, c, &sm);
		if (!r && !quiet)
			vms_out_smaps(&in->out, c->name[0], &sm);
	} else {
		return vms_broken(in, "%s is no system call", vms_cmd_word(c)), VMS_BUG;
	}
	if (r > 0)
		return status_of(in, r);
	*err = r;
	return r ? 0 : made(in, c);
}

static enum vms_res res_of(int r)
{
	return r == VMS_BE_SIGBUS ? VMS_RES_SIGBUS : VMS_RES_SIGSEGV;
}

static const char *sig_text(int r)
{
	return r == VMS_BE_SIGBUS ? "SIGBUS" : r == VMS_BE_SIGSEGV ? "SIGSEGV" : "no signal";
}

/*
 * read/write/touch.  read and write move at most VMS_IO_CHUNK bytes per
 * back-end call (a 1G read takes no 1G buffer); the first signal ends the
 * access, as it would end the program's loop.
 */
static int do_access(struct vms_interp *in, const struct vms_cmd *c)
{
	bool write = c->op == VMS_WRITE || (c->op == VMS_TOUCH && c->touch_write);
	const char *what = write ? "write" : "read";
	struct vms_access a = { .proc = c->name[0], .cpu = c->cpu, .write = write,
				.exec = c->op == VMS_TOUCH && c->touch_exec };
	int64_t mismatch = -1;
	uint8_t first = 0, mval = 0;
	uint64_t at = c->addr;
	int r = 0, rc, err;

	if ((rc = subjects(in, c, &err)))
		return rc;
	if (err) {
		if (!in->bugs)	/* a bug report is the story: the call never returned */
			vms_out_error(&in->out, c, err);
		return 0;
	}
	if (c->op == VMS_TOUCH) {
		a.addr = c->addr;
		a.len = c->len;
		a.touch = true;
		r = in->be->access(in->be, c, &a);
		at = a.fault_addr;
	} else {
		if (write)
			memset(in->buf, c->byte, VMS_IO_CHUNK);
		for (uint64_t done = 0; done < c->len && !r; done += a.len) {
			a.addr = c->addr + done;
			a.len = c->len - done < VMS_IO_CHUNK ? c->len - done : VMS_IO_CHUNK;
			a.buf = in->buf;
			r = in->be->access(in->be, c, &a);
			if (r || write)
				continue;
			if (done == 0)
				first = in->buf[0];
			for (uint64_t i = 0; c->expect == VMS_EXPECT_VALUE && mismatch < 0 && i < a.len; i++) {
				if (in->buf[i] != c->expect_value) {
					mismatch = (int64_t)(done + i);
					mval = in->buf[i];
				}
			}
		}
	}
	if (r < 0)
		return fail(in, c, "%s: %s", what, vms_errno_name(r));
	if (r && r != VMS_BE_SIGSEGV && r != VMS_BE_SIGBUS)
		return status_of(in, r);
	/* The OOM killer took the process during this access: its
	 * `oom-kill` line is all there is to print. */
	{
		struct name *n = name_find(in->procs, c->name[0]);

		if (n && n->oom_killed)
			return 0;
	}
	if (c->expect == VMS_EXPECT_SIGSEGV || c->expect == VMS_EXPECT_SIGBUS) {
		int want = c->expect == VMS_EXPECT_SIGBUS ? VMS_BE_SIGBUS : VMS_BE_SIGSEGV;

		if (r != want)
			return fail(in, c, "%s %s 0x%016" PRIx64 ": %s, expected %s", what, c->name[0], c->addr,
				    r == VMS_BE_SIGBUS ? "Bus error" : r ? "Segmentation fault" : "no signal",
				    sig_text(want));
		return 0;
	}
	if (c->expect == VMS_EXPECT_VALUE) {
		if (r)
			return fail(in, c, "read %s 0x%016" PRIx64 " = %s, expected 0x%02x", c->name[0], c->addr,
				    sig_text(r), c->expect_value);
		if (mismatch >= 0)
			return fail(in, c, "read %s 0x%016" PRIx64 " = 0x%02x, expected 0x%02x", c->name[0],
				    c->addr + (uint64_t)mismatch, mval, c->expect_value);
		return 0;
	}
	if (r) {
		if (c->op != VMS_TOUCH)
			at = c->addr;
		if (write)
			vms_out_write(&in->out, c->name[0], at, res_of(r));
		else
			vms_out_read(&in->out, c->name[0], at, res_of(r), 0);
	} else if (c->op == VMS_READ) {
		vms_out_read(&in->out, c->name[0], c->addr, VMS_RES_BYTE, first);
	}
	return 0;
}

/* One page's pagemap line as the back end reads it: 0 or an exit status. */
static int read_pm(struct vms_interp *in, const struct vms_cmd *c, const char *proc, uint64_t addr,
		   struct vms_pm *pm)
{
	uint64_t e = 0;
	bool zero = false;
	int r = in->be->pagemap(in->be, proc, addr & ~(VMS_PAGE_SIZE - 1), &e, &zero);

	if (r > 0)
		return status_of(in, r);
	if (r)
		return fail(in, c, "pagemap %s 0x%016" PRIx64 ": %s", proc, addr, vms_errno_name(r));
	vms_pm_decode(e, in->be->pm_unknown, zero, pm);
	return 0;
}

static int do_pagemap(struct vms_interp *in, const struct vms_cmd *c)
{
	int rc, err;

	if ((rc = subjects(in, c, &err)))
		return rc;
	if (err) {
		if (!in->bugs)	/* a bug report is the story: the call never returned */
			vms_out_error(&in->out, c, err);
		return 0;
	}
	for (uint64_t a = c->addr; a < c->addr + c->len; a += VMS_PAGE_SIZE) {
		struct vms_pm pm;
		char why[160];

		if ((rc = read_pm(in, c, c->name[0], a, &pm)))
			return rc;
		if (c->op == VMS_PAGEMAP) {
			if (vms_out_pagemap(&in->out, c->name[0], a, &pm))
				return vms_broken(in, "out of memory"), VMS_BUG;
		} else if (!vms_pm_check(&in->out, &pm, &c->want, why, sizeof(why))) {
			return fail(in, c, "pagemap %s 0x%016" PRIx64 ": %s", c->name[0], a, why);
		}
	}
	return 0;
}

static int do_same(struct vms_interp *in, const struct vms_cmd *c)
{
	struct vms_pm a, b;
	bool same;
	int rc, err;

	if ((rc = subjects(in, c, &err)))
		return rc;
	if (err)
		return fail(in, c, "a process was killed by the OOM killer");
	if ((rc = read_pm(in, c, c->name[0], c->addr, &a)) || (rc = read_pm(in, c, c->name[1], c->addr2, &b)))
		return rc;
	if (!a.bit[VMS_PM_PRESENT])
		return fail(in, c, "%s 0x%016" PRIx64 " is not present", c->name[0], c->addr);
	if (!b.bit[VMS_PM_PRESENT])
		return fail(in, c, "%s 0x%016" PRIx64 " is not present", c->name[1], c->addr2);
	same = a.frame_id == b.frame_id;
	if (same != (c->op == VMS_EXPECT_SAME))
		return fail(in, c, "the two pages map %s frames", same ? "the same" : "different");
	return 0;
}

/* process, run, exit, clear_refs: no errno line; a failure is a FAIL. */
static int plain_cmd(struct vms_interp *in, const struct vms_cmd *c)
{
	const struct vmsim__spec *k = vmsim__spec_of(c);
	int rc, err, r;

	if ((rc = subjects(in, c, &err)))
		return rc;
	if (err) {
		if (!in->bugs)	/* a bug report is the story: the call never returned */
			vms_out_error(&in->out, c, err);
		return 0;
	}
	r = be_fn(in->be, k)(in->be, c);
	if (r > 0)
		return status_of(in, r);
	if (r == -EINVAL && c->op == VMS_RUN)
		return fail(in, c, "no cpu %d", c->cpu);
	if (r)
		return fail(in, c, "%s %s: %s", k->pub.word, c->name[0], vms_errno_name(r));
	return made(in, c);
}

static int run_cmd(struct vms_interp *in, const struct vms_cmd *c)
{
	int rc, err;

	switch (c->op) {
	case VMS_MACHINE: case VMS_PARALLEL: case VMS_BRANCH: case VMS_END:
		return 0;
	case VMS_SHOW:
		if (in->be->show) {
			fflush(in->out.f);
			in->be->show(in->be, c, in->err);
		}
		return 0;
	case VMS_READ:
	case VMS_WRITE:
	case VMS_TOUCH:
		return do_access(in, c);
	case VMS_PAGEMAP:
	case VMS_EXPECT_PAGEMAP:
		return do_pagemap(in, c);
	case VMS_EXPECT_SAME:
	case VMS_EXPECT_DIFFER:
		return do_same(in, c);
	case VMS_EXPECT_ERROR:
		if ((rc = syscall_cmd(in, c->inner, true, &err)))
			return rc;
		if (err != c->err)
			return fail(in, c, "%s: %s, expected %s", vms_cmd_word(c->inner),
				    err ? vms_errno_name(err) : "success", vms_errno_name(c->err));
		return 0;
	default:
		if (!(vms_command_of(c)->attrs & VMS_CMD_WRAPPABLE))
			return plain_cmd(in, c);
		if ((rc = syscall_cmd(in, c, false, &err)))
			return rc;
		if (err)
			if (!in->bugs)	/* a bug report is the story: the call never returned */
				vms_out_error(&in->out, c, err);
		return 0;
	}
}

/* ---- parallel blocks, interleaved ---- */

struct branch {
	struct vms_interp *in;
	const struct vms_script *s;
	size_t first, end;		/* its commands */
	const struct vms_cmd *cur;
	uint8_t *buf;			/* its own I/O buffer */
	char name[48];
};

/* Switched in: the command it is in, its buffer. */
static void branch_resume(void *arg)
{
	struct branch *b = arg;

	b->in->cur = b->cur;
	b->in->buf = b->buf;
}

/* A bug ends the run as it does serially; the first failure of any
 * branch stops the others at their next command. */
static int after_cmd(struct vms_interp *in, int rc)
{
	if (in->bugs && !in->bug_said) {
		fflush(in->out.f);
		fprintf(in->err, "%s: line %d: the simulator reported a bug\n", in->be->name, in->cur->line);
		in->bug_said = true;
	}
	if (in->bugs)
		rc = VMS_BUG;
	fflush(in->out.f);
	return rc;
}

static void branch_body(void *arg)
{
	struct branch *b = arg;
	struct vms_interp *in = b->in;

	for (size_t i = b->first; i < b->end && !in->block_rc; i++) {
		int rc;

		b->cur = in->cur = vms_script_cmd(b->s, i);
		if (in->opts->trace) {
			fflush(in->out.f);
			fprintf(in->err, "line %d: %s\n", in->cur->line, vms_cmd_word(in->cur));
		}
		rc = after_cmd(in, run_cmd(in, in->cur));
		if (rc && !in->block_rc)
			in->block_rc = rc;
	}
}

/* The block that starts at *at: its branches, as the back end
 * interleaves them.  *at moves to the block's end. */
static int run_block(struct vms_interp *in, const struct vms_script *s, size_t *at)
{
	struct branch br[VMSIM_MAX_TASKS];
	struct vms_branch vb[VMSIM_MAX_TASKS];
	uint8_t *main_buf = in->buf;
	size_t i = *at + 1;
	unsigned n = 0;
	int rc = 0;

	for (; vms_script_cmd(s, i)->op != VMS_END; i++) {
		const struct vms_cmd *c = vms_script_cmd(s, i);

		if (c->op == VMS_BRANCH) {
			br[n] = (struct branch){ .in = in, .s = s, .first = i + 1, .end = i + 1, .cur = c };
			snprintf(br[n].name, sizeof(br[n].name), "cpu%d (line %d)", c->cpu, c->line);
			vb[n] = (struct vms_branch){ .name = br[n].name, .cpu = c->cpu, .line = c->line,
						     .body = branch_body, .resume = branch_resume, .arg = &br[n] };
			n++;
		} else {
			br[n - 1].end = i + 1;
		}
	}
	*at = i;
	for (unsigned k = 0; k < n && !rc; k++)
		if (!(br[k].buf = malloc(VMS_IO_CHUNK)))
			rc = vms_broken(in, "out of memory");
	in->block_rc = 0;
	if (!rc)
		rc = status_of(in, in->be->parallel(in->be, vb, n));
	for (unsigned k = 0; k < n; k++)
		free(br[k].buf);
	in->buf = main_buf;
	in->cur = vms_script_cmd(s, i);
	if (!rc)
		rc = in->block_rc;
	in->block_rc = 0;
	return after_cmd(in, rc);
}

int vms_interp_run(const struct vms_script *s, struct vms_backend *be, const struct vms_run_opts *opts,
		   FILE *out, FILE *err)
{
	static const struct vms_run_opts none;
	struct vms_interp in = { .be = be, .err = err };
	int rc;

	if (!s || !be || !out || !err || !be->name || !be->setup || !be->teardown)
		return -EINVAL;
	if (!opts)
		opts = &none;
	in.buf = malloc(VMS_IO_CHUNK);
	if (!in.buf || vms_out_init(&in.out, out)) {
		free(in.buf);
		return -ENOMEM;
	}
	be->in = &in;
	in.opts = opts;
	rc = check_all(&in, s);
	if (!rc) {
		rc = status_of(&in, be->setup(be, s, opts));
		for (size_t i = 0; !rc && i < vms_script_count(s); i++) {
			in.cur = vms_script_cmd(s, i);
			if (opts->trace) {
				fflush(out);
				fprintf(err, "line %d: %s\n", in.cur->line, vms_cmd_word(in.cur));
			}
			if (in.cur->op == VMS_PARALLEL && opts->explorer && be->parallel) {
				rc = run_block(&in, s, &i);
				continue;
			}
			rc = run_cmd(&in, in.cur);
			/* A bug is a bug whatever the command returned. */
			if (in.bugs) {
				fflush(out);
				fprintf(err, "%s: line %d: the simulator reported a bug\n", be->name, in.cur->line);
				rc = VMS_BUG;
			}
			fflush(out);
		}
		in.cur = NULL;
		if (!rc && be->finish)
			rc = status_of(&in, be->finish(be, opts));
		be->teardown(be);
		/* A bug found at teardown (a leak) outranks a FAIL. */
		if (in.bugs && rc != VMS_BUG) {
			fprintf(err, "%s: teardown: the simulator reported a bug\n", be->name);
			rc = VMS_BUG;
		}
	}
	fflush(out);
	be->in = NULL;
	vms_out_fini(&in.out);
	names_free(&in.procs);
	names_free(&in.files);
	names_free(&in.devices);
	free(in.buf);
	return rc;
}
