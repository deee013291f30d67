/* The simulator back end of .vms scripts (`vmsim run`): each command on a
 * libvmsim machine, printing exactly what the kernel runner prints for the
 * same script (docs/scenario.md; lines from output.c). */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>

#include "show.h"

#define MAX_PROCS 256

struct sim;

/* A scenario process: its mm, its userfaultfd and the handler's policy. */
struct proc {
	char name[VMS_NAME_MAX];
	struct vmsim_mm *mm;
	struct vmsim_uffd *uffd;
	enum vms_resolve missing, wp, minor;
	struct sim *sim;
};

static void show_procs(struct proc *const *procs, unsigned n, struct vmsim_show_proc *out)
{
	for (unsigned i = 0; i < n; i++) {
		out[i].name = procs[i]->name;
		out[i].mm = procs[i]->mm;
	}
}

struct sim {
	struct vmsim *vm;
	struct vms_out out;
	FILE *err;
	struct proc *procs[MAX_PROCS];
	unsigned nprocs;
	struct vmsim_uffd *forked_uffd;	/* the child context a fork event announced */
	const struct vms_cmd *cur;
	unsigned bugs;
	bool trace;
};

/* ---- helpers ---- */

static int fail(struct sim *s, const struct vms_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));
static int fail(struct sim *s, const struct vms_cmd *c, const char *fmt, ...)
{
	va_list ap;

	fflush(s->out.f);
	fprintf(s->err, "FAIL line %d: ", c->line);
	va_start(ap, fmt);
	vfprintf(s->err, fmt, ap);
	va_end(ap);
	fprintf(s->err, "\n");
	return 1;
}

static struct proc *find_proc(struct sim *s, const char *name)
{
	for (unsigned i = 0; i < s->nprocs; i++)
		if (!strcmp(s->procs[i]->name, name))
			return s->procs[i];
	return NULL;
}

static struct vmsim_mm *find_mm(struct sim *s, const char *name)
{
	struct proc *p = find_proc(s, name);

	return p ? p->mm : NULL;
}

static void drop_proc(struct sim *s, const char *name)
{
	for (unsigned i = 0; i < s->nprocs; i++) {
		if (!strcmp(s->procs[i]->name, name)) {
			free(s->procs[i]);
			s->procs[i] = s->procs[--s->nprocs];
			return;
		}
	}
}

static struct proc *add_proc(struct sim *s, const char *name, struct vmsim_mm *mm)
{
	struct proc *p;

	if (s->nprocs >= MAX_PROCS || !(p = calloc(1, sizeof(*p))))
		return NULL;
	snprintf(p->name, VMS_NAME_MAX, "%s", name);
	p->mm = mm;
	p->sim = s;
	p->missing = VMS_RESOLVE_ZEROPAGE;
	p->wp = VMS_RESOLVE_UNPROTECT;
	p->minor = VMS_RESOLVE_CONTINUE;
	s->procs[s->nprocs++] = p;
	return p;
}

/* ---- userfaultfd: the `resolve` policy as a handler ---- */

static int uffd_handler(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *msg)
{
	struct proc *p = arg;
	struct sim *s = p->sim;
	uint64_t a = msg->address;
	unsigned kind;
	enum vms_resolve how;

	switch (msg->event) {
	case UFFD_EVENT_FORK:
		vms_out_uffd_fork(&s->out, p->name, s->cur && s->cur->op == VMS_FORK ? s->cur->name[1] : "?");
		s->forked_uffd = msg->child;
		return 0;
	case UFFD_EVENT_REMOVE:
		vms_out_uffd_range(&s->out, p->name, "remove", msg->start, msg->end - msg->start);
		return 0;
	case UFFD_EVENT_UNMAP:
		vms_out_uffd_range(&s->out, p->name, "unmap", msg->start, msg->end - msg->start);
		return 0;
	case UFFD_EVENT_PAGEFAULT:
		break;
	}
	kind = (msg->flags & UFFD_PAGEFAULT_FLAG_MINOR) ? VMS_UFFD_MODE_MINOR :
	       (msg->flags & UFFD_PAGEFAULT_FLAG_WP) ? VMS_UFFD_MODE_WP : VMS_UFFD_MODE_MISSING;
	vms_out_uffd_fault(&s->out, p->name, a, kind, msg->flags & UFFD_PAGEFAULT_FLAG_WRITE);
	how = kind == VMS_UFFD_MODE_MINOR ? p->minor : kind == VMS_UFFD_MODE_WP ? p->wp : p->missing;
	switch (how) {
	case VMS_RESOLVE_ZEROPAGE:
		vmsim_uffd_zeropage(ctx, a, VMS_PAGE_SIZE);
		break;
	case VMS_RESOLVE_COPY:
		vmsim_uffd_copy(ctx, a, NULL, 0xAA, VMS_PAGE_SIZE, false);
		break;
	case VMS_RESOLVE_UNPROTECT:
		vmsim_uffd_writeprotect(ctx, a, VMS_PAGE_SIZE, false);
		break;
	case VMS_RESOLVE_CONTINUE:
		vmsim_uffd_continue(ctx, a, VMS_PAGE_SIZE, false);
		break;
	default:
		return VMSIM_UFFD_SIGBUS;
	}
	return VMSIM_UFFD_RETRY;
}

static uint64_t uffd_features(unsigned f)
{
	return (f & VMS_UFFD_FEAT_EVENT_FORK ? UFFD_FEATURE_EVENT_FORK : 0) |
	       (f & VMS_UFFD_FEAT_EVENT_REMOVE ? UFFD_FEATURE_EVENT_REMOVE : 0) |
	       (f & VMS_UFFD_FEAT_EVENT_UNMAP ? UFFD_FEATURE_EVENT_UNMAP : 0) |
	       (f & VMS_UFFD_FEAT_WP_UNPOPULATED ? UFFD_FEATURE_WP_UNPOPULATED : 0) |
	       (f & VMS_UFFD_FEAT_WP_ASYNC ? UFFD_FEATURE_WP_ASYNC : 0);
}

static int uffd_cmd(struct sim *s, const struct vms_cmd *c, struct proc *p)
{
	long r;

	switch (c->uffd_op) {
	case VMS_UFFD_RESOLVE:
		if (c->resolve_missing != VMS_RESOLVE_KEEP)
			p->missing = c->resolve_missing;
		if (c->resolve_wp != VMS_RESOLVE_KEEP)
			p->wp = c->resolve_wp;
		if (c->resolve_minor != VMS_RESOLVE_KEEP)
			p->minor = c->resolve_minor;
		return 0;
	case VMS_UFFD_REGISTER: {
		uint64_t want = uffd_features(c->uffd_features);
		uint64_t modes = (c->uffd_modes & VMS_UFFD_MODE_MISSING ? UFFDIO_REGISTER_MODE_MISSING : 0) |
				 (c->uffd_modes & VMS_UFFD_MODE_WP ? UFFDIO_REGISTER_MODE_WP : 0) |
				 (c->uffd_modes & VMS_UFFD_MODE_MINOR ? UFFDIO_REGISTER_MODE_MINOR : 0);

		if (!p->uffd) {
			int err = vmsim_uffd_open(p->mm, want, &p->uffd);

			if (err)
				return err;
			vmsim_uffd_set_handler(p->uffd, uffd_handler, p);
		} else if (want & ~vmsim_uffd_features(p->uffd)) {
			return -EINVAL;	/* features are fixed at open */
		}
		return vmsim_uffd_register(p->uffd, c->addr, c->len, modes);
	}
	default:
		break;
	}
	if (!p->uffd)
		return -EBADF;
	switch (c->uffd_op) {
	case VMS_UFFD_UNREGISTER:
		return vmsim_uffd_unregister(p->uffd, c->addr, c->len);
	case VMS_UFFD_WP:
		return vmsim_uffd_writeprotect(p->uffd, c->addr, c->len, c->uffd_wp);
	case VMS_UFFD_COPY:
		r = vmsim_uffd_copy(p->uffd, c->addr, NULL, c->has_byte ? c->byte : 0xAA, c->len, c->uffd_wp);
		return r < 0 ? (int)r : 0;
	case VMS_UFFD_ZEROPAGE:
		r = vmsim_uffd_zeropage(p->uffd, c->addr, c->len);
		return r < 0 ? (int)r : 0;
	case VMS_UFFD_CONTINUE:
		r = vmsim_uffd_continue(p->uffd, c->addr, c->len, c->uffd_wp);
		return r < 0 ? (int)r : 0;
	default:
		return -EINVAL;
	}
	(void)s;
}

static void bug_handler(struct vmsim *vm, const struct vmsim_bug_report *r, void *arg)
{
	struct sim *s = arg;

	(void)vm;
	s->bugs++;
	fflush(s->out.f);
	fprintf(s->err, "BUG line %d: %s (%s)\n%s", s->cur ? s->cur->line : 0, r->msg, r->func,
		r->trace ? r->trace : "");
}

static void trace_sink(void *arg, const struct vmsim_trace_event *ev)
{
	struct sim *s = arg;
	char line[200];

	vmsim_trace_format(ev, line, sizeof(line));
	fprintf(s->err, "  [%" PRIu64 "] %s\n", ev->seq, line);
}

/* What this build cannot run yet: refused before anything runs (exit 2). */
static const char *unsupported(const struct vms_cmd *c)
{
	const struct vms_cmd *x = c->op == VMS_EXPECT_ERROR ? c->inner : c;

	if (x->op == VMS_FILE && x->file_kind == VMS_FILE_DAX)
		return "kind=dax";
	if (x->op == VMS_MACHINE) {
		for (int i = 0; i < x->nkv; i++) {
			if (!strcmp(x->kv[i].key, "luf") && strcmp(x->kv[i].value, "off"))
				return "luf=on/debug";
			if (!strcmp(x->kv[i].key, "thp") && strcmp(x->kv[i].value, "never"))
				return "thp=always";
		}
	}
	return NULL;
}

/* opts->machine: space-separated KEY=VALUE words, applied last. */
static int set_overrides(struct sim *s, struct vmsim_config *cfg, const char *words)
{
	char buf[256], *save = NULL;

	if (strlen(words) >= sizeof(buf)) {
		fprintf(s->err, "vmsim run: machine overrides too long\n");
		return 2;
	}
	snprintf(buf, sizeof(buf), "%s", words);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');

		int bad;

		if (eq)
			*eq = 0;
		bad = !eq || vmsim_config_set(cfg, w, eq + 1);
		if (eq)
			*eq = '=';
		if (bad) {
			fprintf(s->err, "vmsim run: bad machine override '%s'\n", w);
			return 2;
		}
	}
	return 0;
}

static int make_machine(struct sim *s, const struct vms_script *sc, const struct vms_run_opts *opts)
{
	struct vmsim_config cfg;
	const struct vms_cmd *c = vms_script_cmd(sc, 0);

	vmsim_config_init(&cfg);
	if (c && c->op == VMS_MACHINE)
		for (int i = 0; i < c->nkv; i++)
			if (vmsim_config_set(&cfg, c->kv[i].key, c->kv[i].value)) {
				fprintf(s->err, "error line %d: bad machine option %s=%s\n", c->line,
					c->kv[i].key, c->kv[i].value);
				return 2;
			}
	if (opts && opts->machine && set_overrides(s, &cfg, opts->machine))
		return 2;
	if (opts && opts->has_seed)
		cfg.seed = opts->seed;
	if (vmsim_new(&cfg, &s->vm)) {
		fprintf(s->err, "error line %d: cannot create the machine\n", c ? c->line : 1);
		return 2;
	}
	vmsim_set_bug_handler(s->vm, bug_handler, s);
	if (opts && opts->trace)
		vmsim_set_trace(s->vm, trace_sink, s);
	return 0;
}

/* ---- memory access ---- */

static enum vms_res res_of(int r)
{
	return r == VMSIM_ACCESS_SIGSEGV ? VMS_RES_SIGSEGV : VMS_RES_SIGBUS;
}

static int do_access(struct sim *s, const struct vms_cmd *c)
{
	struct vmsim_mm *mm = find_mm(s, c->name[0]);
	bool write = c->op == VMS_WRITE || (c->op == VMS_TOUCH && c->touch_write);
	const char *what = write ? "write" : "read";
	unsigned char *buf = NULL;
	uint64_t at = c->addr;
	int r = 0;

	if (!mm)
		return fail(s, c, "process %s does not exist", c->name[0]);
	if (c->op == VMS_TOUCH) {
		unsigned char b = 0xAA;

		for (uint64_t a = c->addr; a < c->addr + c->len && !r; a += VMS_PAGE_SIZE) {
			r = vmsim_access(mm, c->cpu, a, &b, 1, write, NULL);
			at = a;
		}
	} else {
		buf = malloc(c->len ? c->len : 1);
		if (!buf)
			return fail(s, c, "out of memory");
		memset(buf, write ? c->byte : 0, c->len);
		r = vmsim_access(mm, c->cpu, c->addr, buf, c->len, write, NULL);
	}
	if (r < 0) {
		free(buf);
		return fail(s, c, "%s: %s", what, vmsim_errno_name(r));
	}
	if (c->expect == VMS_EXPECT_SIGSEGV || c->expect == VMS_EXPECT_SIGBUS) {
		int want = c->expect == VMS_EXPECT_SIGBUS ? VMSIM_ACCESS_SIGBUS : VMSIM_ACCESS_SIGSEGV;

		free(buf);
		if (r && res_of(r) == res_of(want))
			r = want;
		if (r != want)
			return fail(s, c, "%s %s 0x%016" PRIx64 ": %s, expected %s", what, c->name[0], c->addr,
				    r == VMSIM_ACCESS_SIGBUS ? "Bus error" : r ? "Segmentation fault" : "no signal",
				    want == VMSIM_ACCESS_SIGBUS ? "SIGBUS" : "SIGSEGV");
		return 0;
	}
	if (c->expect == VMS_EXPECT_VALUE) {
		if (r) {
			free(buf);
			return fail(s, c, "read %s 0x%016" PRIx64 " = %s, expected 0x%02x", c->name[0], c->addr,
				    r == VMSIM_ACCESS_SIGBUS ? "SIGBUS" : "SIGSEGV", c->expect_value);
		}
		for (uint64_t i = 0; i < c->len; i++) {
			if (buf[i] != c->expect_value) {
				int rc = fail(s, c, "read %s 0x%016" PRIx64 " = 0x%02x, expected 0x%02x", c->name[0],
					      c->addr + i, buf[i], c->expect_value);

				free(buf);
				return rc;
			}
		}
		free(buf);
		return 0;
	}
	if (r) {
		if (write)
			vms_out_write(&s->out, c->name[0], at, res_of(r));
		else
			vms_out_read(&s->out, c->name[0], at, res_of(r), 0);
	} else if (c->op == VMS_READ) {
		vms_out_read(&s->out, c->name[0], c->addr, VMS_RES_BYTE, buf[0]);
	}
	free(buf);
	return 0;
}

/* ---- pagemap ---- */

static int read_pm(struct sim *s, const struct vms_cmd *c, const char *name, uint64_t addr, struct vms_pm *pm)
{
	struct vmsim_mm *mm = find_mm(s, name);
	uint64_t e;

	if (!mm)
		return fail(s, c, "process %s does not exist", name);
	if (vmsim_pagemap(mm, addr & ~(VMS_PAGE_SIZE - 1), 1, &e))
		return fail(s, c, "pagemap %s 0x%016" PRIx64 ": bad address", name, addr);
	memset(pm, 0, sizeof(*pm));
	pm->bit[VMS_PM_PRESENT] = (e & PM_PRESENT) != 0;
	pm->bit[VMS_PM_SWAP] = (e & PM_SWAP) != 0;
	pm->bit[VMS_PM_FILE] = (e & PM_FILE) != 0;
	pm->bit[VMS_PM_EXCL] = (e & PM_MMAP_EXCLUSIVE) != 0;
	pm->bit[VMS_PM_SD] = (e & PM_SOFT_DIRTY) != 0;
	pm->bit[VMS_PM_UFFD_WP] = (e & PM_UFFD_WP) != 0;
	pm->bit[VMS_PM_GUARD] = (e & PM_GUARD_REGION) != 0;
	if (e & PM_PRESENT) {
		uint64_t pfn = e & PM_PFRAME_MASK;

		pm->frame = pfn == vmsim_zero_pfn(s->vm) ? VMS_FRAME_ZERO : VMS_FRAME_PAGE;
		pm->frame_id = pfn;
	}
	return 0;
}

static int do_pagemap(struct sim *s, const struct vms_cmd *c)
{
	for (uint64_t a = c->addr; a < c->addr + c->len; a += VMS_PAGE_SIZE) {
		struct vms_pm pm;
		char why[160];
		int rc = read_pm(s, c, c->name[0], a, &pm);

		if (rc)
			return rc;
		if (c->op == VMS_PAGEMAP) {
			if (vms_out_pagemap(&s->out, c->name[0], a, &pm))
				return fail(s, c, "out of memory");
		} else if (!vms_pm_check(&s->out, &pm, &c->want, why, sizeof(why))) {
			return fail(s, c, "pagemap %s 0x%016" PRIx64 ": %s", c->name[0], a, why);
		}
	}
	return 0;
}

static int do_same(struct sim *s, const struct vms_cmd *c)
{
	struct vms_pm a, b;
	bool same;
	int rc;

	if ((rc = read_pm(s, c, c->name[0], c->addr, &a)) || (rc = read_pm(s, c, c->name[1], c->addr2, &b)))
		return rc;
	if (!a.bit[VMS_PM_PRESENT])
		return fail(s, c, "%s 0x%016" PRIx64 " is not present", c->name[0], c->addr);
	if (!b.bit[VMS_PM_PRESENT])
		return fail(s, c, "%s 0x%016" PRIx64 " is not present", c->name[1], c->addr2);
	same = a.frame_id == b.frame_id;
	if (same != (c->op == VMS_EXPECT_SAME))
		return fail(s, c, "the two pages map %s frames", same ? "the same" : "different");
	return 0;
}

/* ---- system-call commands: 0 or -errno in *err ---- */

static int advice_of(enum vms_advice a)
{
	static const int map[] = {
		[VMS_ADV_DONTNEED] = VMSIM_MADV_DONTNEED, [VMS_ADV_REMOVE] = VMSIM_MADV_REMOVE,
		[VMS_ADV_PAGEOUT] = VMSIM_MADV_PAGEOUT, [VMS_ADV_COLD] = VMSIM_MADV_COLD,
		[VMS_ADV_WILLNEED] = VMSIM_MADV_WILLNEED, [VMS_ADV_POPULATE_READ] = VMSIM_MADV_POPULATE_READ,
		[VMS_ADV_POPULATE_WRITE] = VMSIM_MADV_POPULATE_WRITE,
		[VMS_ADV_GUARD_INSTALL] = VMSIM_MADV_GUARD_INSTALL,
		[VMS_ADV_GUARD_REMOVE] = VMSIM_MADV_GUARD_REMOVE,
	};

	return map[a];
}

static int fileop(struct sim *s, const struct vms_cmd *c, bool quiet)
{
	struct vmsim_file *f = vmsim_file_lookup(s->vm, c->name[0]);
	unsigned char buf[4096];
	uint64_t done = 0;

	if (!f)
		return -EBADF;
	if (c->op == VMS_PUNCH)
		return vmsim_file_punch(f, c->addr, c->len);
	if (c->op == VMS_FWRITE) {
		memset(buf, c->byte, sizeof(buf));
		while (done < c->len) {
			size_t n = c->len - done < sizeof(buf) ? c->len - done : sizeof(buf);
			long w = vmsim_file_write(f, c->addr + done, buf, n);

			if (w < 0)
				return (int)w;
			done += (uint64_t)w;
		}
		return 0;
	}
	while (done < c->len) {
		size_t n = c->len - done < sizeof(buf) ? c->len - done : sizeof(buf);
		long r = vmsim_file_read(f, c->addr + done, buf, n);

		if (r < 0)
			return (int)r;
		if (r == 0)
			break;
		if (done == 0 && !quiet && c->expect == VMS_EXPECT_NONE)
			vms_out_fread(&s->out, c->name[0], c->addr, VMS_RES_BYTE, buf[0]);
		for (long i = 0; c->expect == VMS_EXPECT_VALUE && i < r; i++)
			if (buf[i] != c->expect_value)
				return 1000 + fail(s, c, "fread %s 0x%016" PRIx64 " = 0x%02x, expected 0x%02x",
						   c->name[0], c->addr + done + (uint64_t)i, buf[i], c->expect_value);
		done += (uint64_t)r;
	}
	if (done == 0 && !quiet && c->expect == VMS_EXPECT_NONE)
		vms_out_fread(&s->out, c->name[0], c->addr, VMS_RES_EOF, 0);
	if (done < c->len && c->expect == VMS_EXPECT_VALUE)
		return 1000 + fail(s, c, "fread %s: end of file at 0x%016" PRIx64, c->name[0], c->addr + done);
	return 0;
}

/* Returns 0 with *err the call's result, or an exit status (FAIL). */
static int syscall_cmd(struct sim *s, const struct vms_cmd *c, int *err, bool quiet)
{
	struct vmsim_mm *mm = NULL, *child;
	struct vmsim_file *f = NULL;
	int prot = 0, flags = 0, rc;

	*err = 0;
	switch (c->op) {
	case VMS_FILE:
		*err = vmsim_file_new(s->vm, c->name[0], (enum vmsim_file_kind)c->file_kind, c->size, NULL);
		return 0;
	case VMS_PUNCH:
	case VMS_FWRITE:
	case VMS_FREAD:
		rc = fileop(s, c, quiet);
		if (rc >= 1000)
			return rc - 1000;
		*err = rc;
		return 0;
	default:
		break;
	}
	mm = find_mm(s, c->name[0]);
	if (!mm)
		return fail(s, c, "process %s does not exist", c->name[0]);
	if (c->cpu >= 0)
		vmsim_mm_run(mm, c->cpu);
	prot = (c->prot & VMS_PROT_READ ? VMSIM_PROT_READ : 0) | (c->prot & VMS_PROT_WRITE ? VMSIM_PROT_WRITE : 0) |
	       (c->prot & VMS_PROT_EXEC ? VMSIM_PROT_EXEC : 0);
	switch (c->op) {
	case VMS_FORK: {
		struct proc *parent = find_proc(s, c->name[0]), *cp;

		s->forked_uffd = NULL;
		*err = vmsim_fork(mm, &child);
		if (*err)
			return 0;
		cp = add_proc(s, c->name[1], child);
		if (!cp) {
			vmsim_mm_exit(child);
			*err = -ENOMEM;
			return 0;
		}
		/* With event_fork the child's new context keeps the parent's
		 * policy, and faults print with the child's name. */
		cp->missing = parent->missing;
		cp->wp = parent->wp;
		cp->minor = parent->minor;
		if (s->forked_uffd) {
			cp->uffd = s->forked_uffd;
			vmsim_uffd_set_handler(cp->uffd, uffd_handler, cp);
		}
		return 0;
	}
	case VMS_EXIT:
		vmsim_mm_exit(mm);
		drop_proc(s, c->name[0]);
		return 0;
	case VMS_MAP:
		flags = (c->map_flags & VMS_MAP_SHARED ? VMSIM_MAP_SHARED : VMSIM_MAP_PRIVATE) |
			(c->map_flags & VMS_MAP_ANON ? VMSIM_MAP_ANONYMOUS : 0) |
			(c->map_flags & VMS_MAP_POPULATE ? VMSIM_MAP_POPULATE : 0) |
			(c->map_flags & VMS_MAP_LOCKED ? VMSIM_MAP_LOCKED : 0);
		if (!(c->map_flags & VMS_MAP_ANON)) {
			f = vmsim_file_lookup(s->vm, c->name[1]);
			if (!f) {
				*err = -EBADF;
				return 0;
			}
		}
		*err = vmsim_mmap(mm, c->addr, c->len, prot, flags, f, c->off);
		return 0;
	case VMS_UNMAP:
		*err = vmsim_munmap(mm, c->addr, c->len);
		return 0;
	case VMS_PROTECT:
		*err = vmsim_mprotect(mm, c->addr, c->len, prot);
		return 0;
	case VMS_REMAP:
		*err = vmsim_mremap(mm, c->addr, c->len, c->len, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, c->addr2);
		return 0;
	case VMS_ADVISE:
		*err = vmsim_madvise(mm, c->addr, c->len, advice_of(c->advice));
		return 0;
	case VMS_UFFD:
		*err = uffd_cmd(s, c, find_proc(s, c->name[0]));
		return 0;
	default:
		return fail(s, c, "%s: not supported yet", vms_cmd_word(c));
	}
}

static int run_cmd(struct sim *s, const struct vms_cmd *c)
{
	struct vmsim_mm *mm;
	int rc, err;

	switch (c->op) {
	case VMS_MACHINE:
		return 0;
	case VMS_SHOW: {
		struct vmsim_show_proc sp[MAX_PROCS];

		show_procs(s->procs, s->nprocs, sp);
		fflush(s->out.f);
		vmsim_show(s->vm, &s->out, c, s->err, sp, s->nprocs);
		return 0;
	}
	case VMS_PROCESS:
		rc = vmsim_mm_new(s->vm, &mm);
		if (rc || !add_proc(s, c->name[0], mm))
			return fail(s, c, "cannot create process %s", c->name[0]);
		if (vmsim_mm_run(mm, c->cpu >= 0 ? c->cpu : 0))
			return fail(s, c, "no cpu %d", c->cpu);
		return 0;
	case VMS_RUN:
		mm = find_mm(s, c->name[0]);
		if (!mm)
			return fail(s, c, "process %s does not exist", c->name[0]);
		if (vmsim_mm_run(mm, c->cpu >= 0 ? c->cpu : vmsim_mm_cpu(mm)))
			return fail(s, c, "no cpu %d", c->cpu);
		return 0;
	case VMS_READ:
	case VMS_WRITE:
	case VMS_TOUCH:
		return do_access(s, c);
	case VMS_CLEAR_REFS:
		mm = find_mm(s, c->name[0]);
		if (!mm)
			return fail(s, c, "process %s does not exist", c->name[0]);
		vmsim_clear_refs(mm, 4);
		return 0;
	case VMS_PAGEMAP:
	case VMS_EXPECT_PAGEMAP:
		return do_pagemap(s, c);
	case VMS_EXPECT_SAME:
	case VMS_EXPECT_DIFFER:
		return do_same(s, c);
	case VMS_EXPECT_ERROR:
		rc = syscall_cmd(s, c->inner, &err, true);
		if (rc)
			return rc;
		if (err != c->err)
			return fail(s, c, "%s: %s, expected %s", vms_cmd_word(c->inner),
				    err ? vmsim_errno_name(err) : "success", vmsim_errno_name(c->err));
		return 0;
	default:
		rc = syscall_cmd(s, c, &err, false);
		if (!rc && err)
			vms_out_error(&s->out, c, err);
		return rc;
	}
}

int vms_run_sim(const struct vms_script *sc, const struct vms_run_opts *opts, FILE *out, FILE *err)
{
	struct sim *s;
	size_t n = vms_script_count(sc);
	int rc = 0;

	for (size_t i = 0; i < n; i++) {
		const struct vms_cmd *c = vms_script_cmd(sc, i);
		const char *what = unsupported(c);

		if (what) {
			fprintf(err, "error line %d: not supported yet: %s\n", c->line, what);
			return 2;
		}
	}
	s = calloc(1, sizeof(*s));
	if (!s)
		return 3;
	s->err = err;
	if ((rc = make_machine(s, sc, opts)) || vms_out_init(&s->out, out)) {
		vmsim_free(s->vm);
		free(s);
		return rc ? rc : 3;
	}
	for (size_t i = 0; i < n && !rc; i++) {
		s->cur = vms_script_cmd(sc, i);
		if (opts && opts->trace)
			fprintf(err, "line %d: %s\n", s->cur->line, vms_cmd_word(s->cur));
		rc = run_cmd(s, s->cur);
		if (!rc && s->bugs) {
			fflush(out);
			fprintf(err, "vmsim run: line %d: the simulator reported a bug\n", s->cur->line);
			rc = 3;
		}
	}
	fflush(out);
	if (opts && opts->dot && !rc) {
		struct vmsim_show_proc sp[MAX_PROCS];

		show_procs(s->procs, s->nprocs, sp);
		if (vmsim_dot(s->vm, &s->out, opts->dot, sp, s->nprocs)) {
			/* The run was fine but what was asked for is missing. */
			fprintf(err, "vmsim run: cannot write %s\n", opts->dot);
			rc = 2;
		}
	}
	s->cur = NULL;
	vmsim_free(s->vm);
	for (unsigned i = 0; i < s->nprocs; i++)
		free(s->procs[i]);
	vms_out_fini(&s->out);
	if (s->bugs && !rc)
		rc = 3;
	free(s);
	return rc;
}
