/* `vmsim kernel FILE.vms`: run a script on the host Linux kernel and print
 * what `vmsim run` prints.  The driver forks one controller per scenario
 * process (kernel_ctl.c) and reads /proc/PID/pagemap itself. */
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/personality.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/vfs.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>
#include "kernel.h"
#include "vmsim_tool.h"

#ifndef MADV_GUARD_INSTALL
#define MADV_GUARD_INSTALL 102
#endif
#define TMPFS_MAGIC_ 0x01021994

int k_ctl_fd[K_MAX_SLOTS];
int k_drv_fd[K_MAX_SLOTS];
struct kshared *k_shared;

/* A scenario process as the driver sees it. */
struct kproc {
	char name[VMS_NAME_MAX];
	int slot;
	pid_t pid;
	bool alive;
};

/* A scenario file: a real file on tmpfs (shmem) or on disk. */
struct kfile {
	char name[VMS_NAME_MAX];
	char path[256];
	int fd;
};

static struct {
	const struct vms_script *s;
	struct vms_out out;
	struct kproc procs[K_MAX_SLOTS];
	int nprocs, nslots;
	struct kfile *files;
	int nfiles;
	char shm_dir[64], disk_dir[64];
	uint64_t zero_pfn;
	bool soft_dirty, guard, pfns;
	unsigned printed;	/* records of k_shared already printed */
} K;

void k_lock(void)
{
	if (pthread_mutex_lock(&k_shared->lock) == EOWNERDEAD)
		pthread_mutex_consistent(&k_shared->lock);
}

void k_unlock(void)
{
	pthread_mutex_unlock(&k_shared->lock);
}

/* ---- teardown: nothing outlives the driver ---- */

static void cleanup(void)
{
	for (int i = 0; i < K.nprocs; i++) {
		if (K.procs[i].pid > 0) {
			kill(K.procs[i].pid, SIGKILL);
			waitpid(K.procs[i].pid, NULL, WNOHANG | __WALL);
		}
	}
	for (int i = 0; i < K.nfiles; i++) {
		if (K.files[i].fd >= 0)
			close(K.files[i].fd);
		unlink(K.files[i].path);
	}
	if (K.shm_dir[0])
		rmdir(K.shm_dir);
	if (K.disk_dir[0])
		rmdir(K.disk_dir);
	K.nprocs = K.nfiles = 0;
	K.shm_dir[0] = K.disk_dir[0] = 0;
}

static void on_signal(int sig)
{
	cleanup();
	signal(sig, SIG_DFL);
	raise(sig);
}

static int skip(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int skip(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "skip: ");
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return VMSIM_EXIT_SKIP;
}

static int expect_fail(const struct vms_cmd *c, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
static int expect_fail(const struct vms_cmd *c, const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fprintf(stderr, "FAIL line %d: ", c->line);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fprintf(stderr, "\n");
	return 1;
}

static int runner_fail(const struct vms_cmd *c, const char *what)
{
	fflush(stdout);
	fprintf(stderr, "vmsim kernel: line %d: %s\n", c->line, what);
	return K_EXIT_RUNNER;
}

/* ---- host probes ---- */

static uint64_t pagemap_entry(pid_t pid, uint64_t addr, int *err)
{
	char path[64];
	uint64_t e = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY);
	*err = 0;
	if (fd < 0 || pread(fd, &e, 8, (off_t)(addr / VMS_PAGE_SIZE * 8)) != 8)
		*err = -errno ? -errno : -EIO;
	if (fd >= 0)
		close(fd);
	return e;
}

/* The zero page's PFN, and whether this kernel tracks soft-dirty and has
 * guard regions, read off one private page of our own. */
static void probe_host(void)
{
	volatile uint8_t *p = mmap(NULL, 2 * VMS_PAGE_SIZE, PROT_READ | PROT_WRITE,
				   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	uint64_t e;
	int err;

	if (p == MAP_FAILED)
		return;
	(void)p[0];
	e = pagemap_entry(getpid(), (uintptr_t)p, &err);
	K.zero_pfn = e & ((1ULL << 55) - 1);
	K.pfns = !err && (e >> 63) && K.zero_pfn;
	p[VMS_PAGE_SIZE] = 1;
	e = pagemap_entry(getpid(), (uintptr_t)p + VMS_PAGE_SIZE, &err);
	/* With CONFIG_MEM_SOFT_DIRTY a fresh VMA's written page is soft-dirty. */
	K.soft_dirty = !err && ((e >> 55) & 1);
	K.guard = !madvise((void *)p, VMS_PAGE_SIZE, MADV_GUARD_INSTALL);
	munmap((void *)p, 2 * VMS_PAGE_SIZE);
}

static bool host_has_swap(void)
{
	FILE *f = fopen("/proc/swaps", "r");
	char line[256];
	int n = 0;

	if (!f)
		return false;
	while (fgets(line, sizeof(line), f))
		n++;
	fclose(f);
	return n > 1;
}

/* Where scripts may put mappings (docs/scenario.md), so that nothing the
 * runner does can touch its own program, heap, libraries or stack. */
static bool in_window(uint64_t a, uint64_t len)
{
	uint64_t end = a + len;

	if (end < a || a < 0x10000 || end > 0x7fff00000000ULL)
		return false;
	return end <= 0x555555554000ULL || a >= 0x560000000000ULL;
}

/* Why the host cannot run this command faithfully, or NULL. */
static const char *cannot(const struct vms_cmd *c, bool swap_on)
{
	if (c->op == VMS_EXPECT_ERROR)
		return cannot(c->inner, swap_on);
	switch (c->op) {
	case VMS_MACHINE:
		for (int i = 0; i < c->nkv; i++) {
			if (!strcmp(c->kv[i].key, "thp") && strcmp(c->kv[i].value, "never"))
				return "thp=always is not reproduced (controllers run with THP off)";
			if (!strcmp(c->kv[i].key, "quirks") && c->kv[i].value[0])
				return "quirks are simulator bugs on purpose";
			if (!strcmp(c->kv[i].key, "fault_around") &&
			    strcmp(c->kv[i].value, "64K") && strcmp(c->kv[i].value, "65536"))
				return "fault_around other than the kernel's 64K";
		}
		return NULL;
	case VMS_FILE:
		return c->file_kind == VMS_FILE_DAX ? "no DAX device on this host" : NULL;
	case VMS_ADVISE:
		if ((c->advice == VMS_ADV_GUARD_INSTALL || c->advice == VMS_ADV_GUARD_REMOVE) &&
		    !K.guard)
			return "the kernel has no guard regions (MADV_GUARD_INSTALL)";
		if (c->advice == VMS_ADV_PAGEOUT && swap_on && !host_has_swap())
			return "pageout needs swap and the host has none";
		break;
	case VMS_EXPECT_PAGEMAP:
		if ((c->want.mask & (1u << VMS_PM_SD)) && !K.soft_dirty)
			return "the kernel has no soft-dirty tracking (CONFIG_MEM_SOFT_DIRTY)";
		if (c->want.has_frame && c->want.frame != VMS_FRAME_NONE && !K.pfns)
			return "pagemap shows no PFNs (needs CAP_SYS_ADMIN)";
		return NULL;
	case VMS_PAGEMAP:
	case VMS_EXPECT_SAME:
	case VMS_EXPECT_DIFFER:
		return K.pfns ? NULL : "pagemap shows no PFNs (needs CAP_SYS_ADMIN)";
	case VMS_REMAP:
		if (!in_window(c->addr2, c->len))
			return "address range outside the scenario window";
		break;
	case VMS_UFFD:
		if (c->uffd_op == VMS_UFFD_RESOLVE)
			return NULL;
		break;
	case VMS_UNMAP:
	case VMS_PROTECT:
	case VMS_READ:
	case VMS_WRITE:
	case VMS_TOUCH:
		break;
	default:
		return NULL;
	}
	return in_window(c->addr, c->len) ? NULL : "address range outside the scenario window";
}

/* ---- controllers ---- */

static struct kproc *find_proc(const char *name)
{
	for (int i = K.nprocs - 1; i >= 0; i--)
		if (K.procs[i].alive && !strcmp(K.procs[i].name, name))
			return &K.procs[i];
	return NULL;
}

static struct kfile *find_file(const char *name)
{
	for (int i = 0; i < K.nfiles; i++)
		if (!strcmp(K.files[i].name, name))
			return &K.files[i];
	return NULL;
}

/* Wait for one reply on slot; 0, or the runner's exit status. */
static int wait_reply(const struct vms_cmd *c, int slot, struct krep *rep)
{
	struct pollfd pfd = { .fd = k_drv_fd[slot], .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, K_TIMEOUT_MS) <= 0)
		return runner_fail(c, "timed out after 10 s (a fault nobody resolves?)");
	n = read(k_drv_fd[slot], rep, sizeof(*rep));
	if (n != (ssize_t)sizeof(*rep))
		return runner_fail(c, "the process's controller died");
	return 0;
}

static int call(const struct vms_cmd *c, struct kproc *p, struct kreq *q, struct krep *rep)
{
	q->cmd = c;
	if (write(k_drv_fd[p->slot], q, sizeof(*q)) != (ssize_t)sizeof(*q))
		return runner_fail(c, "the process's controller died");
	return wait_reply(c, p->slot, rep);
}

static struct kproc *new_proc(const char *name)
{
	struct kproc *p;

	if (K.nslots == K_MAX_SLOTS)
		return NULL;
	p = &K.procs[K.nprocs++];
	snprintf(p->name, sizeof(p->name), "%s", name);
	p->slot = K.nslots++;
	return p;
}

static int start_process(const struct vms_cmd *c)
{
	struct kproc *p = new_proc(c->name[0]);
	struct krep rep;
	pid_t pid;
	int rc;

	if (!p)
		return runner_fail(c, "too many processes");
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return runner_fail(c, "fork failed");
	if (pid == 0)
		k_controller(p->slot, p->name, c->cpu);
	p->pid = pid;
	rc = wait_reply(c, p->slot, &rep);
	p->alive = !rc;
	return rc;
}

/* Wait until pid has gone, so that its mm is torn down before the next
 * command looks (it may be a grandchild: a pidfd serves both). */
static void wait_gone(pid_t pid)
{
	int fd = (int)syscall(SYS_pidfd_open, pid, 0);
	struct pollfd pfd = { .fd = fd, .events = POLLIN };

	if (fd >= 0) {
		poll(&pfd, 1, K_TIMEOUT_MS);
		close(fd);
	}
	waitpid(pid, NULL, WNOHANG | __WALL);
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
}

/* ---- files ---- */

static int make_file(const struct vms_cmd *c)
{
	struct kfile *f;
	void *v = realloc(K.files, (size_t)(K.nfiles + 1) * sizeof(*K.files));

	if (!v)
		return -ENOMEM;
	K.files = v;
	f = &K.files[K.nfiles];
	snprintf(f->name, sizeof(f->name), "%s", c->name[0]);
	snprintf(f->path, sizeof(f->path), "%s/%s",
		 c->file_kind == VMS_FILE_DISK ? K.disk_dir : K.shm_dir, c->name[0]);
	f->fd = open(f->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (f->fd < 0)
		return -errno;
	K.nfiles++;
	if (ftruncate(f->fd, (off_t)c->size))
		return -errno;
	return 0;
}

static int file_io(const struct vms_cmd *c, bool quiet)
{
	struct kfile *f = find_file(c->name[0]);
	uint8_t buf[65536];
	uint64_t done = 0;

	if (!f)
		return expect_fail(c, "file %s does not exist", c->name[0]);
	if (c->op == VMS_PUNCH)
		return fallocate(f->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
				 (off_t)c->addr, (off_t)c->len) ? -errno : 0;
	if (c->op == VMS_FWRITE) {
		memset(buf, c->byte, sizeof(buf));
		while (done < c->len) {
			size_t n = c->len - done < sizeof(buf) ? c->len - done : sizeof(buf);
			ssize_t w = pwrite(f->fd, buf, n, (off_t)(c->addr + done));

			if (w < 0)
				return -errno;
			done += (uint64_t)w;
		}
		return 0;
	}
	while (done < c->len) {
		size_t n = c->len - done < sizeof(buf) ? c->len - done : sizeof(buf);
		ssize_t r = pread(f->fd, buf, n, (off_t)(c->addr + done));

		if (r < 0)
			return -errno;
		if (r == 0)
			break;
		if (done == 0 && !quiet && c->expect == VMS_EXPECT_NONE)
			vms_out_fread(&K.out, c->name[0], c->addr, VMS_RES_BYTE, buf[0]);
		for (ssize_t i = 0; c->expect == VMS_EXPECT_VALUE && i < r; i++)
			if (buf[i] != c->expect_value)
				return expect_fail(c, "fread %s 0x%016" PRIx64 " = 0x%02x, expected 0x%02x",
						   c->name[0], c->addr + done + (uint64_t)i, buf[i],
						   c->expect_value);
		done += (uint64_t)r;
	}
	if (done == 0 && !quiet && c->expect == VMS_EXPECT_NONE)
		vms_out_fread(&K.out, c->name[0], c->addr, VMS_RES_EOF, 0);
	if (done < c->len && c->expect == VMS_EXPECT_VALUE)
		return expect_fail(c, "fread %s: end of file at 0x%016" PRIx64, c->name[0],
				   c->addr + done);
	return 0;
}

/* ---- pagemap ---- */

static int read_pm(const struct vms_cmd *c, const char *name, uint64_t addr, struct vms_pm *pm)
{
	struct kproc *p = find_proc(name);
	uint64_t e;
	int err;

	if (!p)
		return expect_fail(c, "process %s does not exist", name);
	e = pagemap_entry(p->pid, addr & ~(VMS_PAGE_SIZE - 1), &err);
	if (err)
		return runner_fail(c, "cannot read /proc/PID/pagemap");
	memset(pm, 0, sizeof(*pm));
	pm->bit[VMS_PM_PRESENT] = (e >> 63) & 1;
	pm->bit[VMS_PM_SWAP] = (e >> 62) & 1;
	pm->bit[VMS_PM_FILE] = (e >> 61) & 1;
	pm->bit[VMS_PM_EXCL] = (e >> 56) & 1;
	pm->bit[VMS_PM_SD] = K.soft_dirty ? (int8_t)((e >> 55) & 1) : -1;
	pm->bit[VMS_PM_UFFD_WP] = (e >> 57) & 1;
	pm->bit[VMS_PM_GUARD] = (e >> 58) & 1;
	if (e >> 63) {
		uint64_t pfn = e & ((1ULL << 55) - 1);

		pm->frame = pfn == K.zero_pfn ? VMS_FRAME_ZERO : VMS_FRAME_PAGE;
		pm->frame_id = pfn;
	}
	return 0;
}

static int do_pagemap(const struct vms_cmd *c)
{
	for (uint64_t a = c->addr; a < c->addr + c->len; a += VMS_PAGE_SIZE) {
		struct vms_pm pm;
		char why[160];
		int rc = read_pm(c, c->name[0], a, &pm);

		if (rc)
			return rc;
		if (c->op == VMS_PAGEMAP) {
			if (vms_out_pagemap(&K.out, c->name[0], a, &pm))
				return runner_fail(c, "out of memory");
		} else if (!vms_pm_check(&K.out, &pm, &c->want, why, sizeof(why))) {
			return expect_fail(c, "pagemap %s 0x%016" PRIx64 ": %s", c->name[0], a, why);
		}
	}
	return 0;
}

static int do_same(const struct vms_cmd *c)
{
	struct vms_pm a, b;
	bool same;
	int rc;

	if ((rc = read_pm(c, c->name[0], c->addr, &a)) || (rc = read_pm(c, c->name[1], c->addr2, &b)))
		return rc;
	if (!a.bit[VMS_PM_PRESENT])
		return expect_fail(c, "%s 0x%016" PRIx64 " is not present", c->name[0], c->addr);
	if (!b.bit[VMS_PM_PRESENT])
		return expect_fail(c, "%s 0x%016" PRIx64 " is not present", c->name[1], c->addr2);
	same = a.frame_id == b.frame_id;
	if (same != (c->op == VMS_EXPECT_SAME))
		return expect_fail(c, "the two pages map %s frames", same ? "the same" : "different");
	return 0;
}

/* ---- commands ---- */

/* Print the uffd lines the last command caused, in the order they came. */
static void flush_events(void)
{
	k_lock();
	for (; K.printed < k_shared->nrec; K.printed++) {
		const struct krec *r = &k_shared->rec[K.printed];

		if (r->kind == KREC_FAULT)
			vms_out_uffd_fault(&K.out, r->proc, r->addr, r->fault_kind, r->write);
		else if (r->kind == KREC_FORK)
			vms_out_uffd_fork(&K.out, r->proc, r->child);
		else
			vms_out_uffd_range(&K.out, r->proc, r->kind == KREC_REMOVE ? "remove" : "unmap",
					   r->addr, r->len);
	}
	k_unlock();
}

static int check_access(const struct vms_cmd *c, const struct krep *rep)
{
	enum vms_res r = rep->sig == SIGBUS ? VMS_RES_SIGBUS : VMS_RES_SIGSEGV;
	const char *what = c->op == VMS_WRITE || (c->op == VMS_TOUCH && c->touch_write) ?
			   "write" : "read";

	if (c->expect == VMS_EXPECT_SIGSEGV || c->expect == VMS_EXPECT_SIGBUS) {
		int want = c->expect == VMS_EXPECT_SIGBUS ? SIGBUS : SIGSEGV;

		if (rep->sig != want)
			return expect_fail(c, "%s %s 0x%016" PRIx64 ": %s, expected %s", what,
					   c->name[0], c->addr, rep->sig ? strsignal(rep->sig) : "no signal",
					   want == SIGBUS ? "SIGBUS" : "SIGSEGV");
		return 0;
	}
	if (c->expect == VMS_EXPECT_VALUE) {
		if (rep->sig)
			return expect_fail(c, "read %s 0x%016" PRIx64 " = %s, expected 0x%02x",
					   c->name[0], c->addr, r == VMS_RES_SIGBUS ? "SIGBUS" : "SIGSEGV",
					   c->expect_value);
		if (rep->mismatch >= 0)
			return expect_fail(c, "read %s 0x%016" PRIx64 " = 0x%02x, expected 0x%02x",
					   c->name[0], c->addr + (uint64_t)rep->mismatch,
					   rep->mismatch_val, c->expect_value);
		return 0;
	}
	if (rep->sig) {
		uint64_t at = c->op == VMS_TOUCH ? rep->sig_addr : c->addr;

		if (what[0] == 'w')
			vms_out_write(&K.out, c->name[0], at, r);
		else
			vms_out_read(&K.out, c->name[0], at, r, 0);
	} else if (c->op == VMS_READ) {
		vms_out_read(&K.out, c->name[0], c->addr, VMS_RES_BYTE, (uint8_t)rep->byte);
	}
	return 0;
}

/*
 * Run one system-call-like command.  Returns 0 with *err set to its result
 * (0 or -errno), or an exit status (1 FAIL, 77 skip, 3 runner failure).
 */
static int syscall_cmd(const struct vms_cmd *c, int *err, bool quiet)
{
	struct kreq q = { 0 };
	struct krep rep = { 0 };
	struct kproc *p, *child;
	int rc;

	*err = 0;
	switch (c->op) {
	case VMS_FILE:
		*err = make_file(c);
		return 0;
	case VMS_PUNCH:
	case VMS_FWRITE:
	case VMS_FREAD:
		rc = file_io(c, quiet);
		if (rc < 0) {
			*err = rc;
			rc = 0;
		}
		return rc;
	default:
		break;
	}
	p = find_proc(c->name[0]);
	if (!p)
		return expect_fail(c, "process %s does not exist", c->name[0]);
	if (c->op == VMS_MAP && !(c->map_flags & VMS_MAP_ANON)) {
		struct kfile *f = find_file(c->name[1]);

		if (!f)
			return expect_fail(c, "file %s does not exist", c->name[1]);
		snprintf(q.path, sizeof(q.path), "%s", f->path);
	}
	if (c->op == VMS_FORK) {
		child = new_proc(c->name[1]);
		if (!child)
			return runner_fail(c, "too many processes");
		q.child_slot = child->slot;
		fflush(stdout);
		fflush(stderr);
		if ((rc = call(c, p, &q, &rep)))
			return rc;
		if (!rep.err) {
			struct krep ready;

			child->pid = rep.pid;
			if ((rc = wait_reply(c, child->slot, &ready)))
				return rc;
			child->alive = true;
		}
		*err = rep.err;
		return 0;
	}
	if ((rc = call(c, p, &q, &rep)))
		return rc;
	if (rep.skip)
		return skip("line %d: %s", c->line, rep.reason);
	*err = rep.err;
	if (c->op == VMS_EXIT) {
		p->alive = false;
		wait_gone(p->pid);
	}
	return 0;
}

static int run_cmd(const struct vms_cmd *c)
{
	struct krep rep = { 0 };
	struct kreq q = { 0 };
	struct kproc *p;
	int rc = 0, err = 0;

	switch (c->op) {
	case VMS_MACHINE:
	case VMS_SHOW:
		return 0;
	case VMS_PROCESS:
		return start_process(c);
	case VMS_RUN:
	case VMS_READ:
	case VMS_WRITE:
	case VMS_TOUCH:
		p = find_proc(c->name[0]);
		if (!p)
			return expect_fail(c, "process %s does not exist", c->name[0]);
		if ((rc = call(c, p, &q, &rep)))
			return rc;
		flush_events();
		return c->op == VMS_RUN ? 0 : check_access(c, &rep);
	case VMS_CLEAR_REFS: {
		char path[64];
		int fd;

		p = find_proc(c->name[0]);
		if (!p)
			return expect_fail(c, "process %s does not exist", c->name[0]);
		snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)p->pid);
		fd = open(path, O_WRONLY);
		if (fd < 0 || write(fd, "4", 1) != 1)
			rc = runner_fail(c, "cannot write /proc/PID/clear_refs");
		if (fd >= 0)
			close(fd);
		return rc;
	}
	case VMS_PAGEMAP:
	case VMS_EXPECT_PAGEMAP:
		return do_pagemap(c);
	case VMS_EXPECT_SAME:
	case VMS_EXPECT_DIFFER:
		return do_same(c);
	case VMS_EXPECT_ERROR:
		rc = syscall_cmd(c->inner, &err, true);
		flush_events();
		if (rc)
			return rc;
		if (err != c->err)
			return expect_fail(c, "%s: %s, expected %s", vms_cmd_word(c->inner),
					   err ? vmsim_errno_name(err) : "success",
					   vmsim_errno_name(c->err));
		return 0;
	default:
		rc = syscall_cmd(c, &err, false);
		flush_events();
		if (!rc && err)
			vms_out_error(&K.out, c, err);
		return rc;
	}
}

/* Scenario addresses must not meet our own mappings: run without ASLR, so
 * libraries and stack sit at 0x7ffff7..., above the scripts' window. */
static void reexec_without_aslr(int argc, char **argv)
{
	int pers = personality(0xffffffff);
	char **nargv;

	if (pers == -1 || (pers & ADDR_NO_RANDOMIZE) || getenv("VMSIM_KERNEL_REEXEC"))
		return;
	if (personality((unsigned long)pers | ADDR_NO_RANDOMIZE) == -1)
		return;
	nargv = calloc((size_t)argc + 3, sizeof(*nargv));
	if (!nargv)
		return;
	nargv[0] = "vmsim";
	nargv[1] = "kernel";
	for (int i = 0; i < argc; i++)
		nargv[i + 2] = argv[i];
	setenv("VMSIM_KERNEL_REEXEC", "1", 1);
	execv("/proc/self/exe", nargv);
	free(nargv);
}

static int setup(void)
{
	pthread_mutexattr_t ma;
	struct statfs sf;

	k_shared = mmap(NULL, sizeof(*k_shared), PROT_READ | PROT_WRITE,
			MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (k_shared == MAP_FAILED)
		return -ENOMEM;
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&k_shared->lock, &ma);
	pthread_mutexattr_destroy(&ma);
	for (int i = 0; i < K_MAX_SLOTS; i++)
		k_ctl_fd[i] = k_drv_fd[i] = -1;
	for (int i = 0; i < K_MAX_SLOTS; i++) {
		int sp[2];

		/* One slot per process the script can create, made before any
		 * fork so that a controller's fork hands the child its slot. */
		if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp))
			return -errno;
		k_drv_fd[i] = sp[0];
		k_ctl_fd[i] = sp[1];
	}
	snprintf(K.shm_dir, sizeof(K.shm_dir), "/dev/shm/vmsim-XXXXXX");
	if (!mkdtemp(K.shm_dir) || statfs(K.shm_dir, &sf) || sf.f_type != TMPFS_MAGIC_) {
		K.shm_dir[0] = 0;
		return -ENOENT;
	}
	snprintf(K.disk_dir, sizeof(K.disk_dir), "/var/tmp/vmsim-XXXXXX");
	if (!mkdtemp(K.disk_dir)) {
		K.disk_dir[0] = 0;
		return -ENOENT;
	}
	return 0;
}

static int count_slots(const struct vms_script *s)
{
	int n = 0;

	for (size_t i = 0; i < vms_script_count(s); i++) {
		const struct vms_cmd *c = vms_script_cmd(s, i);

		n += c->op == VMS_PROCESS || c->op == VMS_FORK ||
		     (c->op == VMS_EXPECT_ERROR && c->inner->op == VMS_FORK);
	}
	return n;
}

int vmsim_kernel_main(int argc, char **argv)
{
	struct vms_script *s;
	bool swap_on = true;
	int rc;

	if (argc != 1)
		return fprintf(stderr, "usage: vmsim kernel FILE.vms|-\n"), 2;
	reexec_without_aslr(argc, argv);
	rc = vmsim_tool_load(argv[0], &s);
	if (rc)
		return rc;
	K.s = s;
	prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);
	probe_host();
	/* Everything the host cannot do is found before anything runs, so a
	 * skipped script prints nothing on stdout. */
	for (size_t i = 0; i < vms_script_count(s); i++) {
		const struct vms_cmd *c = vms_script_cmd(s, i);
		const char *why;

		for (int k = 0; c->op == VMS_MACHINE && k < c->nkv; k++)
			if (!strcmp(c->kv[k].key, "swap"))
				swap_on = strcmp(c->kv[k].value, "0") != 0;
		why = cannot(c, swap_on);
		if (why) {
			int line = c->line;

			vms_script_free(s);
			return skip("line %d: %s", line, why);
		}
	}
	if (count_slots(s) > K_MAX_SLOTS) {
		vms_script_free(s);
		return skip("more than %d processes", K_MAX_SLOTS);
	}
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	rc = setup();
	if (rc || vms_out_init(&K.out, stdout)) {
		cleanup();
		vms_script_free(s);
		return skip("cannot set up the runner (tmpfs at /dev/shm, /var/tmp): %s",
			    strerror(-rc));
	}
	rc = 0;
	for (size_t i = 0; !rc && i < vms_script_count(s); i++)
		rc = run_cmd(vms_script_cmd(s, i));
	if (k_shared->overflow && !rc)
		rc = runner_fail(vms_script_cmd(s, 0), "too many userfaultfd lines");
	fflush(stdout);
	cleanup();
	vms_out_fini(&K.out);
	free(K.files);
	vms_script_free(s);
	return rc;
}
