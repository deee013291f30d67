/* The simulator back end of .vms scripts (`vmsim run`): each operation on a
 * libvmsim machine.  What a script means (expects, output lines, exit
 * statuses) is the interpreter's (interp.c); this file only does. */
#include <inttypes.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include <vmsim/vmsim.h>

#include "script_internal.h"
#include "show.h"

struct sim;

/* A scenario process: its mm, its userfaultfd and the handler's policy. */
struct proc {
	const char *name;		/* the script's */
	struct vmsim_mm *mm;
	struct vmsim_uffd *uffd;
	enum vms_resolve missing, wp, minor;
	struct sim *sim;
	UT_hash_handle hh;
};

struct sim {
	struct vmsim *vm;
	struct vms_backend *be;
	struct proc *procs;
	struct vmsim_uffd *forked_uffd;	/* the child context a fork event announced */
	bool oom_livelock;		/* an access gave up on VM_FAULT_OOM (see access_once) */
	uint64_t swap;			/* machine swap=: the swap area's size, 0 for none */
	int swap_type;			/* the area's type while it is active */
	/* vmsim explore */
	struct vmsim_explorer *explorer;
	bool trace;
	const char *dot;		/* frames go beside it */
	unsigned frame;
	uint64_t steps;
};

static struct sim *sim_of(struct vms_backend *be)
{
	return be->priv;
}

static struct proc *find_proc(struct sim *s, const char *name)
{
	struct proc *p;

	HASH_FIND(hh, s->procs, name, strlen(name), p);
	return p;
}

static struct proc *add_proc(struct sim *s, const char *name, struct vmsim_mm *mm)
{
	struct proc *p = calloc(1, sizeof(*p));

	if (!p)
		return NULL;
	p->name = name;
	p->mm = mm;
	p->sim = s;
	p->missing = VMS_RESOLVE_ZEROPAGE;
	p->wp = VMS_RESOLVE_UNPROTECT;
	p->minor = VMS_RESOLVE_CONTINUE;
	HASH_ADD_KEYPTR(hh, s->procs, p->name, strlen(p->name), p);
	return p;
}

/* The command's process, switched onto the command's CPU (cpu= or its
 * branch's) as the process would be to make the call there. */
static struct vmsim_mm *mm_of(struct sim *s, const struct vms_cmd *c, const char *name)
{
	struct proc *p = find_proc(s, name);

	if (!p)
		return NULL;
	if (c->cpu >= 0)
		vmsim_mm_run(p->mm, c->cpu);
	return p->mm;
}

/* ---- parallel blocks, interleaved (vmsim explore) ---- */

static void branch_task(struct vmsim *vm, void *arg)
{
	const struct vms_branch *b = arg;

	(void)vm;
	b->body(b->arg);
}

static void branch_resume(void *arg)
{
	const struct vms_branch *b = arg;

	if (b->resume)
		b->resume(b->arg);
}

static struct vmsim_show_proc *show_procs(struct sim *s, unsigned *n);

/* OUT.dot -> OUT.0001.dot: the machine before step 1 of a block ... */
static void write_frame(struct sim *s)
{
	size_t len = strlen(s->dot);
	int stem = (int)(len > 4 && !strcmp(s->dot + len - 4, ".dot") ? len - 4 : len);
	struct vmsim_show_proc *sp;
	char path[4096];
	unsigned n;

	snprintf(path, sizeof(path), "%.*s.%04u.dot", stem, s->dot, ++s->frame);
	sp = show_procs(s, &n);
	if (sp && vmsim_dot(s->vm, vms_interp_out(s->be->in), path, sp, n))
		fprintf(vms_interp_err(s->be->in), "vmsim explore: cannot write %s\n", path);
	free(sp);
}

/* --trace and --dot of a replay: every step, as it is taken. */
static void step_seen(void *arg, struct vmsim *vm, const struct vmsim_step *st)
{
	struct sim *s = arg;

	(void)vm;
	s->steps++;
	if (s->trace) {
		FILE *err = vms_interp_err(s->be->in);

		fflush(vms_interp_out(s->be->in)->f);
		fprintf(err, "step %" PRIu64 ": %s %s %s%s\n", s->steps, st->name, vmsim_sp_kind_name(st->kind),
			st->where ? st->where : "", st->choice ? " (a choice)" : "");
	}
	if (s->dot)
		write_frame(s);
}

static int sim_parallel(struct vms_backend *be, const struct vms_branch *b, unsigned n)
{
	struct sim *s = sim_of(be);
	struct vmsim_task t[VMSIM_MAX_TASKS];
	int err;

	for (unsigned i = 0; i < n; i++)
		t[i] = (struct vmsim_task){ .name = b[i].name, .cpu = b[i].cpu, .fn = branch_task,
					    .arg = (void *)&b[i], .resume = branch_resume };
	err = vmsim_sched_run(s->vm, s->explorer, t, n, s->trace || s->dot ? step_seen : NULL, s);
	if (err)
		return vms_broken(be->in, "cannot interleave the block: %s", vms_errno_name(err));
	/* Mid-block the checker waited (another CPU's operation was half
	 * done): the whole machine is checked now. */
	if (vmsim_config(s->vm)->check == VMSIM_CHECK_FULL)
		vmsim_check_all(s->vm);
	return 0;
}

/* ---- the machine ---- */

/* The OOM killer chose a victim: `oom-kill PROC`, and the interpreter
 * answers later commands naming it with ESRCH. */
static void oom_notify(void *arg, struct vmsim_mm *victim)
{
	struct sim *s = arg;
	struct proc *p, *t;

	HASH_ITER(hh, s->procs, p, t)
		if (p->mm == victim)
			vms_report_oom_kill(s->be->in, p->name);
}

static void bug_handler(struct vmsim *vm, const struct vmsim_bug_report *r, void *arg)
{
	struct sim *s = arg;
	char *what = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&what, &len);

	(void)vm;
	if (f) {
		fprintf(f, "%s (%s)\n%s", r->msg, r->func, r->trace ? r->trace : "");
		fclose(f);
	}
	vms_report_bug(s->be->in, what ? what : r->msg);
	free(what);
}

static void trace_sink(void *arg, const struct vmsim_trace_event *ev)
{
	struct sim *s = arg;
	char line[200];

	vmsim_trace_format(ev, line, sizeof(line));
	fprintf(vms_interp_err(s->be->in), "  [%" PRIu64 "] %s\n", ev->seq, line);
}

/* opts->machine: space-separated KEY=VALUE words, applied last. */
static int set_overrides(struct sim *s, struct vmsim_config *cfg, const char *words)
{
	FILE *err = vms_interp_err(s->be->in);
	char buf[256], *save = NULL;

	if (strlen(words) >= sizeof(buf)) {
		fprintf(err, "vmsim run: machine overrides too long\n");
		return VMS_BE_REFUSED;
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
			fprintf(err, "vmsim run: bad machine override '%s'\n", w);
			return VMS_BE_REFUSED;
		}
	}
	return 0;
}

static int sim_setup(struct vms_backend *be, const struct vms_script *sc, const struct vms_run_opts *opts)
{
	struct sim *s = sim_of(be);
	const struct vms_cmd *c = vms_script_cmd(sc, 0);
	struct vmsim_config cfg;
	int rc;

	vmsim_config_init(&cfg);
	if (c && c->op == VMS_MACHINE)
		for (int i = 0; i < c->nkv; i++)
			vmsim_config_set(&cfg, c->kv[i].key, c->kv[i].value);	/* checked by the parser */
	if (opts->machine && (rc = set_overrides(s, &cfg, opts->machine)))
		return rc;
	if (opts->has_seed)
		cfg.seed = opts->seed;
	s->explorer = opts->explorer;
	s->trace = opts->trace;
	s->dot = opts->dot;
	if (vmsim_new(&cfg, &s->vm))
		return vms_refuse(be->in, "cannot create the machine");
	s->swap = cfg.swap;
	s->swap_type = 0;	/* vmsim_new() activated it first */
	vmsim_set_bug_handler(s->vm, bug_handler, s);
	vmsim_set_oom_notify(s->vm, oom_notify, s);
	if (opts->trace)
		vmsim_set_trace(s->vm, trace_sink, s);
	if (opts->machine_init && (rc = opts->machine_init(s->vm, opts->machine_arg)))
		return vms_refuse(be->in, "cannot set up the machine: %s", strerror(rc < 0 ? -rc : rc));
	return 0;
}

/* The processes for show and --dot, in creation order of the hash. */
static struct vmsim_show_proc *show_procs(struct sim *s, unsigned *n)
{
	struct vmsim_show_proc *v = calloc(HASH_COUNT(s->procs) + 1, sizeof(*v));
	struct proc *p, *t;

	*n = 0;
	if (!v)
		return NULL;
	HASH_ITER(hh, s->procs, p, t) {
		v[*n].name = p->name;
		v[*n].mm = p->mm;
		(*n)++;
	}
	return v;
}

static int sim_finish(struct vms_backend *be, const struct vms_run_opts *opts)
{
	struct sim *s = sim_of(be);
	struct vmsim_show_proc *sp;
	unsigned n;
	int err;

	if (!opts->dot)
		return 0;
	sp = show_procs(s, &n);
	err = sp ? vmsim_dot(s->vm, vms_interp_out(be->in), opts->dot, sp, n) : -ENOMEM;
	free(sp);
	if (err) {
		/* The run was fine but what was asked for is missing. */
		fprintf(vms_interp_err(be->in), "vmsim run: cannot write %s\n", opts->dot);
		return VMS_BE_REFUSED;
	}
	return 0;
}

static void sim_teardown(struct vms_backend *be)
{
	struct sim *s = sim_of(be);
	struct proc *p, *t;

	vmsim_free(s->vm);
	s->vm = NULL;
	HASH_ITER(hh, s->procs, p, t) {
		HASH_DEL(s->procs, p);
		free(p);
	}
}

static void sim_show(struct vms_backend *be, const struct vms_cmd *c, FILE *err)
{
	struct sim *s = sim_of(be);
	unsigned n;
	struct vmsim_show_proc *sp = show_procs(s, &n);

	if (sp)
		vmsim_show(s->vm, vms_interp_out(be->in), c, err, sp, n);
	free(sp);
}

/* ---- userfaultfd: the `resolve` policy as a handler ---- */

/* vma_kernel_pagesize(): the page a userfault handler answers about. */
static uint64_t page_size_at(struct vmsim_mm *mm, uint64_t addr)
{
	struct vmsim_vma_info v;

	for (unsigned i = 0; !vmsim_mm_vma(mm, i, &v); i++)
		if (addr >= v.start && addr < v.end)
			return (v.flags & VM_HUGETLB) ? (2ULL << 20) : VMS_PAGE_SIZE;
	return VMS_PAGE_SIZE;
}

static int uffd_handler(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *msg)
{
	struct proc *p = arg;
	struct sim *s = p->sim;
	struct vms_interp *in = s->be->in;
	const struct vms_cmd *cur = vms_interp_cmd(in);
	uint64_t a = msg->address, size;
	unsigned kind;
	long r;

	switch (msg->event) {
	case UFFD_EVENT_FORK:
		vms_report_uffd_fork(in, p->name, cur && cur->op == VMS_FORK ? cur->name[1] : "?");
		s->forked_uffd = msg->child;
		return 0;
	case UFFD_EVENT_REMOVE:
		vms_report_uffd_range(in, p->name, "remove", msg->start, msg->end - msg->start);
		return 0;
	case UFFD_EVENT_UNMAP:
		vms_report_uffd_range(in, p->name, "unmap", msg->start, msg->end - msg->start);
		return 0;
	case UFFD_EVENT_REMAP:
		vms_report_uffd_remap(in, p->name, msg->start, msg->to, msg->end - msg->start);
		return 0;
	case UFFD_EVENT_PAGEFAULT:
		break;
	}
	kind = (msg->flags & UFFD_PAGEFAULT_FLAG_MINOR) ? VMS_UFFD_MODE_MINOR :
	       (msg->flags & UFFD_PAGEFAULT_FLAG_WP) ? VMS_UFFD_MODE_WP : VMS_UFFD_MODE_MISSING;
	vms_report_uffd_fault(in, p->name, a, kind, msg->flags & UFFD_PAGEFAULT_FLAG_WRITE);
	size = page_size_at(p->mm, a);
	a &= ~(size - 1);
	switch (kind == VMS_UFFD_MODE_MINOR ? p->minor : kind == VMS_UFFD_MODE_WP ? p->wp : p->missing) {
	case VMS_RESOLVE_ZEROPAGE:
		/* hugetlb has no zero page: a copy of zeros. */
		r = size > VMS_PAGE_SIZE ? vmsim_uffd_copy(ctx, a, NULL, 0, size, false) :
					   vmsim_uffd_zeropage(ctx, a, size);
		break;
	case VMS_RESOLVE_COPY:
		r = vmsim_uffd_copy(ctx, a, NULL, 0xAA, size, false);
		break;
	case VMS_RESOLVE_UNPROTECT:
		r = vmsim_uffd_writeprotect(ctx, a, size, false);
		break;
	case VMS_RESOLVE_CONTINUE:
		r = vmsim_uffd_continue(ctx, a, size, false);
		break;
	default:
		return VMSIM_UFFD_SIGBUS;
	}
	/* Another thread's fault on the same page was answered first: that
	 * answer woke every thread waiting on the page (wake_userfault), this
	 * one included, and its own ioctl finds the page there (EEXIST).  The
	 * access is retried.  Serially a page never becomes present that way. */
	if (r == -EEXIST) {
		uint64_t pm = 0;

		if (!vmsim_pagemap(vmsim_uffd_mm(ctx), a, 1, &pm) && (pm & PM_PRESENT))
			return VMSIM_UFFD_RETRY;
	}
	/* A handler whose answer fails gives up on the fault (docs/scenario.md). */
	return r < 0 ? VMSIM_UFFD_SIGBUS : VMSIM_UFFD_RETRY;
}

static uint64_t uffd_features(unsigned f)
{
	return (f & VMS_UFFD_FEAT_EVENT_FORK ? UFFD_FEATURE_EVENT_FORK : 0) |
	       (f & VMS_UFFD_FEAT_EVENT_REMOVE ? UFFD_FEATURE_EVENT_REMOVE : 0) |
	       (f & VMS_UFFD_FEAT_EVENT_UNMAP ? UFFD_FEATURE_EVENT_UNMAP : 0) |
	       (f & VMS_UFFD_FEAT_EVENT_REMAP ? UFFD_FEATURE_EVENT_REMAP : 0) |
	       (f & VMS_UFFD_FEAT_WP_UNPOPULATED ? UFFD_FEATURE_WP_UNPOPULATED : 0) |
	       (f & VMS_UFFD_FEAT_WP_ASYNC ? UFFD_FEATURE_WP_ASYNC : 0);
}

static int sim_uffd(struct vms_backend *be, const struct vms_cmd *c)
{
	struct sim *s = sim_of(be);
	struct proc *p = find_proc(s, c->name[0]);
	long r;

	mm_of(s, c, c->name[0]);
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
		r = vmsim_uffd_copy(p->uffd, c->addr, NULL, c->byte, c->len, c->uffd_wp);
		return r < 0 ? (int)r : 0;
	case VMS_UFFD_ZEROPAGE:
		r = vmsim_uffd_zeropage(p->uffd, c->addr, c->len);
		return r < 0 ? (int)r : 0;
	case VMS_UFFD_CONTINUE:
		r = vmsim_uffd_continue(p->uffd, c->addr, c->len, c->uffd_wp);
		return r < 0 ? (int)r : 0;
	case VMS_UFFD_POISON:
		r = vmsim_uffd_poison(p->uffd, c->addr, c->len);
		return r < 0 ? (int)r : 0;
	default:
		return vms_refuse(be->in, "not supported yet: %s", vms_cmd_word(c));
	}
}

/* migrate PROC ADDR LEN: migrate_pages() of every page mapped there. */
static int sim_migrate(struct vms_backend *be, const struct vms_cmd *c)
{
	return vmsim_migrate_range(mm_of(sim_of(be), c, c->name[0]), c->addr, c->len, NULL);
}

/* memory_failure PROC ADDR: the frame mapped at ADDR fails. */
static int sim_memory_failure(struct vms_backend *be, const struct vms_cmd *c)
{
	return vmsim_memory_failure_addr(mm_of(sim_of(be), c, c->name[0]), c->addr);
}

/* install PROC ADDR LEN KIND [ARGS]: the ARGS words go to the kind's make
 * hook as one space-separated string. */
static int sim_install(struct vms_backend *be, const struct vms_cmd *c)
{
	struct sim *s = sim_of(be);
	struct vmsim_mm *mm = mm_of(s, c, c->name[0]);
	char args[256] = "";
	size_t used = 0;

	for (int i = 0; i < c->argc; i++) {
		int n = snprintf(args + used, sizeof(args) - used, "%s%s", i ? " " : "", c->argv[i]);

		if (n < 0 || (size_t)n >= sizeof(args) - used)
			return -EINVAL;
		used += (size_t)n;
	}
	/* ENOENT, as the library says; the likely cause on stderr, which
	 * comparisons leave alone. */
	if (mm && !vmsim_kind_lookup(s->vm, c->name[1]))
		fprintf(stderr, "note line %d: kind '%s' is not registered (a prototype needs --kind KIND.so)\n",
			c->line, c->name[1]);
	return vmsim_kind_install(mm, c->addr, c->len, c->name[1], c->argc ? args : NULL);
}

/* ---- devices (features/device.c) ---- */

static int sim_device(struct vms_backend *be, const struct vms_cmd *c)
{
	struct sim *s = sim_of(be);
	struct vmsim_device *d;

	if (c->device_op == VMS_DEVICE_NEW)
		return vmsim_device_new(s->vm, c->name[0], NULL);
	d = vmsim_device_lookup(s->vm, c->name[0]);
	switch (c->device_op) {
	case VMS_DEVICE_WRITE:
		return vmsim_device_write(d, mm_of(s, c, c->name[1]), c->addr, c->byte);
	case VMS_DEVICE_BEGIN:
		return vmsim_device_atomic_begin(d, mm_of(s, c, c->name[1]), c->addr, c->byte);
	case VMS_DEVICE_COMMIT:
		return vmsim_device_atomic_commit(d);
	default:
		return vmsim_device_atomic(d, mm_of(s, c, c->name[1]), c->addr, c->byte);
	}
}

static int sim_device_read(struct vms_backend *be, const struct vms_cmd *c, uint8_t *byte)
{
	struct sim *s = sim_of(be);

	return vmsim_device_read(vmsim_device_lookup(s->vm, c->name[0]), mm_of(s, c, c->name[1]), c->addr, byte);
}

/* ---- world and mappings ---- */

static int sim_process(struct vms_backend *be, const struct vms_cmd *c)
{
	struct sim *s = sim_of(be);
	struct vmsim_mm *mm;
	int err = vmsim_mm_new(s->vm, &mm);

	if (err)
		return err;
	if (!add_proc(s, c->name[0], mm)) {
		vmsim_mm_exit(mm);
		return -ENOMEM;
	}
	return vmsim_mm_run(mm, c->cpu >= 0 ? c->cpu : 0);
}

static int sim_run(struct vms_backend *be, const struct vms_cmd *c)
{
	return vmsim_mm_run(find_proc(sim_of(be), c->name[0])->mm, c->cpu);
}

static int sim_fork(struct vms_backend *be, const struct vms_cmd *c)
{
	struct sim *s = sim_of(be);
	struct proc *parent = find_proc(s, c->name[0]), *cp;
	struct vmsim_mm *child;
	int err;

	mm_of(s, c, c->name[0]);
	s->forked_uffd = NULL;
	err = vmsim_fork(parent->mm, &child);
	if (err)
		return err;
	cp = add_proc(s, c->name[1], child);
	if (!cp) {
		vmsim_mm_exit(child);
		return -ENOMEM;
	}
	/* With event_fork the child's new context keeps the parent's policy,
	 * and faults print with the child's name. */
	cp->missing = parent->missing;
	cp->wp = parent->wp;
	cp->minor = parent->minor;
	if (s->forked_uffd) {
		cp->uffd = s->forked_uffd;
		vmsim_uffd_set_handler(cp->uffd, uffd_handler, cp);
	}
	return 0;
}

static int sim_exit(struct vms_backend *be, const struct vms_cmd *c)
{
	struct sim *s = sim_of(be);
	struct proc *p = find_proc(s, c->name[0]);

	vmsim_mm_exit(p->mm);
	HASH_DEL(s->procs, p);
	free(p);
	return 0;
}

static int sim_file(struct vms_backend *be, const struct vms_cmd *c)
{
	enum vmsim_file_kind k = c->file_kind == VMS_FILE_DISK ? VMSIM_FILE_DISK :
				 c->file_kind == VMS_FILE_HUGETLB ? VMSIM_FILE_HUGETLB :
				 c->file_kind == VMS_FILE_DAX ? VMSIM_FILE_DAX : VMSIM_FILE_SHMEM;

	return vmsim_file_new(sim_of(be)->vm, c->name[0], k, c->size, NULL);
}

static int vmsim_prot(unsigned prot)
{
	return (prot & VMS_PROT_READ ? VMSIM_PROT_READ : 0) | (prot & VMS_PROT_WRITE ? VMSIM_PROT_WRITE : 0) |
	       (prot & VMS_PROT_EXEC ? VMSIM_PROT_EXEC : 0);
}

static int sim_map(struct vms_backend *be, const struct vms_cmd *c)
{
	struct sim *s = sim_of(be);
	struct vmsim_file *f = NULL;
	int flags = (c->map_flags & VMS_MAP_SHARED ? VMSIM_MAP_SHARED : VMSIM_MAP_PRIVATE) |
		    (c->map_flags & VMS_MAP_ANON ? VMSIM_MAP_ANONYMOUS : 0) |
		    (c->map_flags & VMS_MAP_POPULATE ? VMSIM_MAP_POPULATE : 0) |
		    (c->map_flags & VMS_MAP_LOCKED ? VMSIM_MAP_LOCKED : 0);

	if (!(c->map_flags & VMS_MAP_ANON) && !(f = vmsim_file_lookup(s->vm, c->name[1])))
		return -EBADF;
	return vmsim_mmap(mm_of(s, c, c->name[0]), c->addr, c->len, vmsim_prot(c->prot), flags, f, c->off);
}

static int sim_unmap(struct vms_backend *be, const struct vms_cmd *c)
{
	return vmsim_munmap(mm_of(sim_of(be), c, c->name[0]), c->addr, c->len);
}

static int sim_protect(struct vms_backend *be, const struct vms_cmd *c)
{
	return vmsim_mprotect(mm_of(sim_of(be), c, c->name[0]), c->addr, c->len, vmsim_prot(c->prot));
}

static int sim_remap(struct vms_backend *be, const struct vms_cmd *c)
{
	return vmsim_mremap(mm_of(sim_of(be), c, c->name[0]), c->addr, c->len, c->len,
			    VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, c->addr2);
}

/* enum vms_advice values are Linux's MADV_* numbers, as VMSIM_MADV_* are. */
static int sim_advise(struct vms_backend *be, const struct vms_cmd *c)
{
	return vmsim_madvise(mm_of(sim_of(be), c, c->name[0]), c->addr, c->len, (int)c->advice);
}

static int sim_punch(struct vms_backend *be, const struct vms_cmd *c)
{
	struct vmsim_file *f = vmsim_file_lookup(sim_of(be)->vm, c->name[0]);

	return f ? vmsim_file_punch(f, c->addr, c->len) : -EBADF;
}

static int sim_truncate(struct vms_backend *be, const struct vms_cmd *c)
{
	struct vmsim_file *f = vmsim_file_lookup(sim_of(be)->vm, c->name[0]);

	return f ? vmsim_file_truncate(f, c->size) : -EBADF;
}

/* ---- the swap area (mm/swapfile.c) ---- */

/* With swap=0 there is no area: swapoff finds no active one (EINVAL). */
static int sim_swapoff(struct vms_backend *be, const struct vms_cmd *c)
{
	struct sim *s = sim_of(be);

	(void)c;
	return s->swap ? vmsim_swapoff(s->vm, s->swap_type) : -EINVAL;
}

/* sys_swapon(): EBUSY for an area already active (IS_SWAPFILE); with no
 * area there is no swap signature to find (EINVAL). */
static int sim_swapon(struct vms_backend *be, const struct vms_cmd *c)
{
	struct sim *s = sim_of(be);
	struct vmsim_swap_info si;

	(void)c;
	if (!s->swap)
		return -EINVAL;
	if (!vmsim_swap_info(s->vm, s->swap_type, &si))
		return -EBUSY;
	return vmsim_swapon(s->vm, s->swap, &s->swap_type);
}

static long sim_fwrite(struct vms_backend *be, const struct vms_cmd *c, uint64_t off, const void *buf, size_t len)
{
	struct vmsim_file *f = vmsim_file_lookup(sim_of(be)->vm, c->name[0]);

	return f ? vmsim_file_write(f, off, buf, len) : -EBADF;
}

static long sim_fread(struct vms_backend *be, const struct vms_cmd *c, uint64_t off, void *buf, size_t len)
{
	struct vmsim_file *f = vmsim_file_lookup(sim_of(be)->vm, c->name[0]);

	return f ? vmsim_file_read(f, off, buf, len) : -EBADF;
}

/* ---- memory access ---- */

/* A VMSIM_ACCESS_* result as the interpreter's: a machine check is SIGBUS. */
static int access_result(int r)
{
	/* The OOM killer took the process during its own access: oom_notify
	 * printed it, and a dead process prints nothing more. */
	if (r <= 0 || r == VMSIM_ACCESS_SIGKILL)
		return r == VMSIM_ACCESS_SIGKILL ? 0 : r;
	return r == VMSIM_ACCESS_SIGSEGV ? VMS_BE_SIGSEGV : VMS_BE_SIGBUS;
}

/* How often a fault that ran out of memory is retried before the run
 * calls it a livelock. */
#define OOM_RETRIES 16

/*
 * One access as the program makes it.  VM_FAULT_OOM raises no signal: the
 * allocator has run the OOM killer, pagefault_out_of_memory() returns and
 * the instruction faults again (arch/x86/mm/fault.c, mm/oom_kill.c 6.18),
 * until the victim's memory is back or the process itself was the victim.
 * Under `vmsim explore` the victim may be finishing another branch's
 * operation; in script order nothing can change, and a fault that keeps
 * failing is a loop Linux never leaves: a bug report.
 */
static int access_once(struct sim *s, struct vmsim_mm *mm, int cpu, uint64_t addr, void *buf, size_t len,
		       bool write, bool exec, uint64_t *fault_addr)
{
	int r = VMSIM_ACCESS_OOM;

	for (int tries = 0; r == VMSIM_ACCESS_OOM && tries <= OOM_RETRIES; tries++)
		r = exec ? vmsim_fetch(mm, cpu, addr, buf, len, fault_addr)
			 : vmsim_access(mm, cpu, addr, buf, len, write, fault_addr);
	if (r == VMSIM_ACCESS_OOM) {
		char what[200];

		snprintf(what, sizeof(what), "livelock: the fault at %#llx keeps returning VM_FAULT_OOM with the "
			 "process alive (no OOM victim), and Linux retries it forever (pagefault_out_of_memory)",
			 (unsigned long long)(fault_addr ? *fault_addr : addr));
		vms_report_bug(s->be->in, what);
		s->oom_livelock = true;
		r = 0;
	}
	return r;
}

static int sim_access(struct vms_backend *be, const struct vms_cmd *c, struct vms_access *a)
{
	struct sim *s = sim_of(be);
	struct vmsim_mm *mm = find_proc(s, a->proc)->mm;
	int r = 0;

	if (!a->touch)
		return access_result(access_once(s, mm, a->cpu, a->addr, a->buf, a->len, a->write, false,
						 &a->fault_addr));
	(void)c;
	s->oom_livelock = false;
	for (uint64_t p = a->addr; p < a->addr + a->len && !r && !s->oom_livelock; p += VMS_PAGE_SIZE) {
		unsigned char b = 0xAA;

		r = access_once(s, mm, a->cpu, p, &b, 1, a->write, a->exec, NULL);
		a->fault_addr = p;
	}
	return access_result(r);
}

/* ---- introspection ---- */

static int sim_clear_refs(struct vms_backend *be, const struct vms_cmd *c)
{
	return vmsim_clear_refs(mm_of(sim_of(be), c, c->name[0]), 4);
}

static int sim_pagemap(struct vms_backend *be, const char *proc, uint64_t addr, uint64_t *entry, bool *zero)
{
	struct sim *s = sim_of(be);
	int err = vmsim_pagemap(find_proc(s, proc)->mm, addr, 1, entry);

	if (err)
		return err;
	*zero = (*entry & PM_PRESENT) && vmsim_is_zero_pfn(s->vm, (unsigned long)(*entry & PM_PFRAME_MASK));
	return 0;
}

static int sim_smaps(struct vms_backend *be, const struct vms_cmd *c, struct vms_smaps *out)
{
	struct vmsim_smaps sm;
	int err = vmsim_smaps(mm_of(sim_of(be), c, c->name[0]), c->addr, &sm);

	if (err)
		return err;
	out->start = sm.start;
	out->kb[VMS_SMAPS_SIZE] = sm.size;
	out->kb[VMS_SMAPS_RSS] = sm.rss;
	out->kb[VMS_SMAPS_PSS] = sm.pss;
	out->kb[VMS_SMAPS_SHARED_CLEAN] = sm.shared_clean;
	out->kb[VMS_SMAPS_SHARED_DIRTY] = sm.shared_dirty;
	out->kb[VMS_SMAPS_PRIVATE_CLEAN] = sm.private_clean;
	out->kb[VMS_SMAPS_PRIVATE_DIRTY] = sm.private_dirty;
	out->kb[VMS_SMAPS_ANONYMOUS] = sm.anonymous;
	out->kb[VMS_SMAPS_ANON_HUGE_PAGES] = sm.anon_huge_pages;
	out->kb[VMS_SMAPS_SWAP] = sm.swap;
	out->kb[VMS_SMAPS_SWAP_PSS] = sm.swap_pss;
	out->kb[VMS_SMAPS_LOCKED] = sm.locked;
	return 0;
}

int vms_run_sim(const struct vms_script *sc, const struct vms_run_opts *opts, FILE *out, FILE *err)
{
	struct sim s = { 0 };
	struct vms_backend be = {
		.name = "vmsim run", .priv = &s,
		.setup = sim_setup, .finish = sim_finish, .teardown = sim_teardown,
		.process = sim_process, .run = sim_run, .fork = sim_fork, .exit = sim_exit,
		.file = sim_file, .map = sim_map, .unmap = sim_unmap, .protect = sim_protect,
		.remap = sim_remap, .advise = sim_advise, .punch = sim_punch,
		.fwrite = sim_fwrite, .fread = sim_fread, .access = sim_access, .uffd = sim_uffd,
		.clear_refs = sim_clear_refs, .pagemap = sim_pagemap, .smaps = sim_smaps,
		.show = sim_show, .install = sim_install, .truncate = sim_truncate, .migrate = sim_migrate,
		.memory_failure = sim_memory_failure, .device = sim_device, .device_read = sim_device_read,
		.parallel = sim_parallel, .swapoff = sim_swapoff, .swapon = sim_swapon,
	};

	s.be = &be;
	return vms_interp_run(sc, &be, opts, out, err);
}
