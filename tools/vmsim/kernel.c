/* `vmsim kernel FILE.vms`: the kernel back end of the .vms interpreter
 * (libvmsim/script/interp.c), so a script prints what `vmsim run` prints.
 * The driver (this file) forks one controller per scenario process
 * (kernel_ctl.c), does file I/O itself and reads /proc/PID/pagemap and
 * /proc/PID/smaps; kernel_host.c sets the host up (swap=, hugepages=). */
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
#ifndef MFD_HUGETLB
#define MFD_HUGETLB 4U
#endif
#define TMPFS_MAGIC_ 0x01021994
#define KPF_ZERO_PAGE 24	/* /proc/kpageflags: the zero page and the huge zero page */

int k_ctl_fd[K_MAX_SLOTS];
int k_drv_fd[K_MAX_SLOTS];
struct kshared *k_shared;
bool k_uses_hugetlb;

/* A scenario process as the driver sees it. */
struct kproc {
	const char *name;
	int slot;
	pid_t pid;
	bool alive;
};

/* A scenario file: a real file on tmpfs (shmem), on disk, or a hugetlb memfd. */
struct kfile {
	const char *name;
	char path[256];
	int fd;
};

static struct {
	struct vms_interp *in;
	struct kproc procs[K_MAX_SLOTS];
	int nprocs, nslots;
	struct kfile *files;
	int nfiles;
	char shm_dir[64], disk_dir[64];
	char drain_path[96];		/* lru_drain_all()'s file, or "" */
	int drain_fd;
	void *drain_map;
	uint64_t zero_pfn;
	int kpageflags;
	bool soft_dirty, guard, pfns, host_set;
	struct vmsim_config cfg;	/* the script's machine line */
} K = { .kpageflags = -1, .drain_fd = -1 };

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
			waitpid(K.procs[i].pid, NULL, __WALL);
		}
	}
	for (int i = 0; i < K.nfiles; i++) {
		if (K.files[i].fd >= 0)
			close(K.files[i].fd);
		if (strncmp(K.files[i].path, "/proc/", 6))
			unlink(K.files[i].path);
	}
	if (K.drain_map)
		munmap(K.drain_map, VMS_PAGE_SIZE);
	if (K.drain_fd >= 0)
		close(K.drain_fd);
	if (K.drain_path[0])
		unlink(K.drain_path);
	K.drain_map = NULL;
	K.drain_fd = -1;
	K.drain_path[0] = 0;
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
	raise(sig);	/* the janitor (kernel_host.c) sees us go and undoes the host */
}

/* ---- host probes ---- */

static uint64_t pagemap_entry(pid_t pid, uint64_t addr, int *err)
{
	char path[64];
	uint64_t e = 0;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/pagemap", (int)pid);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	*err = 0;
	if (fd < 0 || pread(fd, &e, 8, (off_t)(addr / VMS_PAGE_SIZE * 8)) != 8)
		*err = errno ? -errno : -EIO;
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
	K.zero_pfn = e & PM_PFRAME_MASK;
	K.pfns = !err && (e & PM_PRESENT) && K.zero_pfn;
	p[VMS_PAGE_SIZE] = 1;
	e = pagemap_entry(getpid(), (uintptr_t)p + VMS_PAGE_SIZE, &err);
	/* With CONFIG_MEM_SOFT_DIRTY a fresh VMA's written page is soft-dirty. */
	K.soft_dirty = !err && (e & PM_SOFT_DIRTY);
	K.guard = !madvise((void *)p, VMS_PAGE_SIZE, MADV_GUARD_INSTALL);
	munmap((void *)p, 2 * VMS_PAGE_SIZE);
	K.kpageflags = open("/proc/kpageflags", O_RDONLY | O_CLOEXEC);
}

/* Is pfn the zero page or part of the huge zero page? */
static bool is_zero_pfn(uint64_t pfn)
{
	uint64_t flags;

	if (pfn == K.zero_pfn)
		return true;
	return K.kpageflags >= 0 && pread(K.kpageflags, &flags, 8, (off_t)(pfn * 8)) == 8 &&
	       (flags >> KPF_ZERO_PAGE) & 1;
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

/* ---- checks: what the host cannot run faithfully ---- */

static int check_machine(struct vms_interp *in, const struct vms_cmd *c)
{
	static const char *const thp[] = { "never", "madvise", "always" };
	char host[16];

	/* The language: a kernel runner honours swap=, thp= and hugepages=
	 * and ignores the rest of the line (quirks=, fault_around=, ...: the
	 * host runs as it is; `vmsim diff` does not compare such scripts). */
	for (int i = 0; i < c->nkv; i++)
		vmsim_config_set(&K.cfg, c->kv[i].key, c->kv[i].value);
	/* thp=never: the controllers run with PR_SET_THP_DISABLE.  madvise
	 * and always are the host's own mode or nothing. */
	if (K.cfg.thp != VMSIM_THP_NEVER &&
	    (k_host_thp_mode(host, sizeof(host)) || strcmp(host, thp[K.cfg.thp])))
		return vms_refuse(in, "thp=%s needs the host's transparent_hugepage mode %s (it is %s)",
				  thp[K.cfg.thp], thp[K.cfg.thp], host);
	return 0;
}

static int kcheck(struct vms_backend *be, const struct vms_cmd *c)
{
	const struct vms_command *k = vms_command_of(c);
	struct vms_interp *in = be->in;

	if (k->attrs & VMS_CMD_SIM_ONLY)
		return vms_refuse(in, "%s is simulator only", k->word);
	switch (c->op) {
	case VMS_MACHINE:
		return check_machine(in, c);
	case VMS_FILE:
		return c->file_kind == VMS_FILE_DAX ? vms_skip(in, "no DAX device on this host") : 0;
	case VMS_ADVISE:
		if ((c->advice == VMS_ADV_GUARD_INSTALL || c->advice == VMS_ADV_GUARD_REMOVE) && !K.guard)
			return vms_skip(in, "the kernel has no guard regions (MADV_GUARD_INSTALL)");
		break;
	case VMS_EXPECT_PAGEMAP:
		if ((c->want.mask & (1u << VMS_PM_SD)) && !K.soft_dirty)
			return vms_skip(in, "the kernel has no soft-dirty tracking (CONFIG_MEM_SOFT_DIRTY)");
		if (c->want.has_frame && c->want.frame != VMS_FRAME_NONE && !K.pfns)
			return vms_skip(in, "pagemap shows no PFNs (needs CAP_SYS_ADMIN)");
		break;
	case VMS_PAGEMAP:
	case VMS_EXPECT_SAME:
	case VMS_EXPECT_DIFFER:
		return K.pfns ? 0 : vms_skip(in, "pagemap shows no PFNs (needs CAP_SYS_ADMIN)");
	case VMS_REMAP:
		if (!in_window(c->addr2, c->len))
			return vms_skip(in, "address range outside the scenario window");
		break;
	case VMS_UFFD:
		if (c->uffd_op == VMS_UFFD_RESOLVE)
			return 0;
		break;
	case VMS_TOUCH:
		if (c->touch_exec)
			return vms_refuse(in, "touch x (instruction fetch) is simulator only");
		break;
	case VMS_UNMAP: case VMS_PROTECT: case VMS_READ: case VMS_WRITE:
		break;
	default:
		return 0;
	}
	return in_window(c->addr, c->len) ? 0 : vms_skip(in, "address range outside the scenario window");
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

/* Wait for one reply on slot; 0, or VMS_BE_BROKEN. */
static int wait_reply(int slot, struct krep *rep)
{
	struct pollfd pfd = { .fd = k_drv_fd[slot], .events = POLLIN };
	ssize_t n;

	if (poll(&pfd, 1, K_TIMEOUT_MS) <= 0)
		return vms_broken(K.in, "timed out after 10 s (a fault nobody resolves?)");
	n = read(k_drv_fd[slot], rep, sizeof(*rep));
	if (n != (ssize_t)sizeof(*rep))
		return vms_broken(K.in, "the process's controller died");
	return 0;
}

/* Print the uffd lines the command caused, in the order they came. */
static int flush_events(void)
{
	bool overflow;

	k_lock();
	for (unsigned i = 0; i < k_shared->nrec; i++) {
		const struct krec *r = &k_shared->rec[i];

		if (r->kind == KREC_FAULT)
			vms_report_uffd_fault(K.in, r->proc, r->addr, r->fault_kind, r->write);
		else if (r->kind == KREC_FORK)
			vms_report_uffd_fork(K.in, r->proc, r->child);
		else if (r->kind == KREC_REMAP)
			vms_report_uffd_remap(K.in, r->proc, r->addr, r->to, r->len);
		else
			vms_report_uffd_range(K.in, r->proc, r->kind == KREC_REMOVE ? "remove" : "unmap",
					      r->addr, r->len);
	}
	k_shared->nrec = 0;
	overflow = k_shared->overflow;
	k_unlock();
	return overflow ? vms_broken(K.in, "more than %d userfaultfd lines in one command", K_MAX_RECS) : 0;
}

/* One request to p's controller and its reply; the uffd lines it caused
 * are printed first.  0, or a back-end result. */
static int call(const struct vms_cmd *c, struct kproc *p, struct kreq *q, struct krep *rep)
{
	int rc;

	q->cmd = c;
	if (write(k_drv_fd[p->slot], q, sizeof(*q)) != (ssize_t)sizeof(*q))
		return vms_broken(K.in, "the process's controller died");
	rc = wait_reply(p->slot, rep);
	if (!rc)
		rc = flush_events();
	if (!rc && rep->skip)
		rc = vms_skip(K.in, "%s", rep->reason);
	return rc;
}

/* A command that is one call on its process's controller: its errno. */
/* lru_add_drain_all(), from user space: folios sit in per-CPU LRU batches
 * (new folios, activations, the rotation at the end of a swap write on the
 * CPU that completed it) off the LRU, where MADV_PAGEOUT and MADV_COLD
 * cannot isolate them, and their own lru_add_drain() empties only the
 * caller's CPU.  The simulator has no batches: its LRU is always settled.
 * POSIX_FADV_DONTNEED of a page-cache page that is mapped cannot
 * invalidate it, and generic_fadvise() then drains every CPU.  A runner
 * file in /var/tmp (tmpfs ignores fadvise), mapped here and never part of
 * a scenario. */
static void lru_drain_all(void)
{
	if (K.drain_fd < 0 && K.disk_dir[0]) {
		snprintf(K.drain_path, sizeof(K.drain_path), "%s/.drain", K.disk_dir);
		K.drain_fd = open(K.drain_path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (K.drain_fd < 0 || ftruncate(K.drain_fd, VMS_PAGE_SIZE)) {
			K.drain_path[0] = 0;
			return;
		}
		K.drain_map = mmap(NULL, VMS_PAGE_SIZE, PROT_READ, MAP_SHARED, K.drain_fd, 0);
		if (K.drain_map == MAP_FAILED) {
			K.drain_map = NULL;
			return;
		}
	}
	if (!K.drain_map)
		return;
	(void)*(volatile char *)K.drain_map;	/* mapped: invalidation fails */
	(void)posix_fadvise(K.drain_fd, 0, VMS_PAGE_SIZE, POSIX_FADV_DONTNEED);
}

static int simple(struct vms_backend *be, const struct vms_cmd *c)
{
	struct kreq q = { 0 };
	struct krep rep = { 0 };
	int rc;

	(void)be;
	if (c->op == VMS_ADVISE && (c->advice == VMS_ADV_PAGEOUT || c->advice == VMS_ADV_COLD))
		lru_drain_all();
	rc = call(c, find_proc(c->name[0]), &q, &rep);
	return rc ? rc : rep.err;
}

static struct kproc *new_proc(const char *name)
{
	struct kproc *p;

	if (K.nslots == K_MAX_SLOTS)
		return NULL;
	p = &K.procs[K.nprocs++];
	p->name = name;
	p->slot = K.nslots++;
	return p;
}

static int kprocess(struct vms_backend *be, const struct vms_cmd *c)
{
	struct kproc *p = new_proc(c->name[0]);
	struct krep rep;
	pid_t pid;
	int rc;

	if (!p)
		return vms_skip(be->in, "more than %d processes", K_MAX_SLOTS);
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return vms_broken(be->in, "fork failed");
	if (pid == 0)
		k_controller(p->slot, p->name, c->cpu >= 0 ? c->cpu : 0);	/* "default 0": pinned, so the host's per-CPU LRU batches and TLBs see the CPU the script means */
	p->pid = pid;
	rc = wait_reply(p->slot, &rep);
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

static int kexit(struct vms_backend *be, const struct vms_cmd *c)
{
	struct kproc *p = find_proc(c->name[0]);
	int rc = simple(be, c);

	if (!rc) {
		p->alive = false;
		wait_gone(p->pid);
	}
	return rc;
}

static int kfork(struct vms_backend *be, const struct vms_cmd *c)
{
	struct kproc *p = find_proc(c->name[0]), *child = new_proc(c->name[1]);
	struct kreq q = { 0 };
	struct krep rep = { 0 }, ready;
	int rc;

	if (!child)
		return vms_skip(be->in, "more than %d processes", K_MAX_SLOTS);
	q.child_slot = child->slot;
	fflush(stdout);
	fflush(stderr);
	if ((rc = call(c, p, &q, &rep)))
		return rc;
	if (rep.err)
		return rep.err;
	child->pid = rep.pid;
	if ((rc = wait_reply(child->slot, &ready)))
		return rc;
	child->alive = true;
	return 0;
}

static int kmap(struct vms_backend *be, const struct vms_cmd *c)
{
	struct kreq q = { 0 };
	struct krep rep = { 0 };
	int rc;

	(void)be;
	if (!(c->map_flags & VMS_MAP_ANON))
		snprintf(q.path, sizeof(q.path), "%s", find_file(c->name[1])->path);
	rc = call(c, find_proc(c->name[0]), &q, &rep);
	return rc ? rc : rep.err;
}

static int kaccess(struct vms_backend *be, const struct vms_cmd *c, struct vms_access *a)
{
	struct kreq q = { .acc = *a };
	struct krep rep = { 0 };
	int rc;

	(void)be;
	if ((rc = call(c, find_proc(a->proc), &q, &rep)))
		return rc;
	if (rep.sig) {
		a->fault_addr = rep.sig_addr;
		return rep.sig == SIGBUS ? VMS_BE_SIGBUS : VMS_BE_SIGSEGV;
	}
	if (!rep.err && !a->write && !a->touch)
		memcpy(a->buf, k_shared->io, a->len);
	return rep.err;
}

static int kclear_refs(struct vms_backend *be, const struct vms_cmd *c)
{
	char path[64];
	int fd, rc = 0;

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)find_proc(c->name[0])->pid);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "4", 1) != 1)
		rc = vms_broken(be->in, "cannot write /proc/PID/clear_refs");
	if (fd >= 0)
		close(fd);
	return rc;
}

/* ---- files ---- */

static int kfile(struct vms_backend *be, const struct vms_cmd *c)
{
	struct kfile *f;
	void *v = realloc(K.files, (size_t)(K.nfiles + 1) * sizeof(*K.files));

	if (!v)
		return vms_broken(be->in, "out of memory");
	K.files = v;
	f = &K.files[K.nfiles];
	f->name = c->name[0];
	if (c->file_kind == VMS_FILE_HUGETLB) {
		/* A hugetlbfs file of the default 2 MiB size; controllers open
		 * it through the driver's fd. */
		f->fd = memfd_create(c->name[0], MFD_HUGETLB | MFD_CLOEXEC);
		if (f->fd < 0)
			return vms_skip(be->in, "no hugetlb memfd on this host: %s", strerror(errno));
		snprintf(f->path, sizeof(f->path), "/proc/%d/fd/%d", (int)getpid(), f->fd);
	} else {
		snprintf(f->path, sizeof(f->path), "%s/%s",
			 c->file_kind == VMS_FILE_DISK ? K.disk_dir : K.shm_dir, c->name[0]);
		f->fd = open(f->path, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
		if (f->fd < 0)
			return -errno;
	}
	if (ftruncate(f->fd, (off_t)c->size)) {
		int err = -errno;

		close(f->fd);
		if (c->file_kind != VMS_FILE_HUGETLB)
			unlink(f->path);
		return err;
	}
	K.nfiles++;
	return 0;
}

static int ktruncate(struct vms_backend *be, const struct vms_cmd *c)
{
	(void)be;
	return ftruncate(find_file(c->name[0])->fd, (off_t)c->size) ? -errno : 0;
}

/* The driver makes the call: try_to_unuse() brings back every process's
 * pages whoever asks. */
static int kswapoff(struct vms_backend *be, const struct vms_cmd *c)
{
	(void)be;
	(void)c;
	return k_host_swapoff();
}

static int kswapon(struct vms_backend *be, const struct vms_cmd *c)
{
	(void)be;
	(void)c;
	return k_host_swapon();
}

static int kpunch(struct vms_backend *be, const struct vms_cmd *c)
{
	(void)be;
	return fallocate(find_file(c->name[0])->fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			 (off_t)c->addr, (off_t)c->len) ? -errno : 0;
}

static long kfwrite(struct vms_backend *be, const struct vms_cmd *c, uint64_t off, const void *buf, size_t len)
{
	ssize_t n = pwrite(find_file(c->name[0])->fd, buf, len, (off_t)off);

	(void)be;
	return n < 0 ? -errno : n;
}

static long kfread(struct vms_backend *be, const struct vms_cmd *c, uint64_t off, void *buf, size_t len)
{
	ssize_t n = pread(find_file(c->name[0])->fd, buf, len, (off_t)off);

	(void)be;
	return n < 0 ? -errno : n;
}

/* ---- introspection ---- */

static int kpagemap(struct vms_backend *be, const char *proc, uint64_t addr, uint64_t *entry, bool *zero)
{
	int err;

	*entry = pagemap_entry(find_proc(proc)->pid, addr, &err);
	if (err)
		return vms_broken(be->in, "cannot read /proc/PID/pagemap: %s", strerror(-err));
	*zero = (*entry & PM_PRESENT) && is_zero_pfn(*entry & PM_PFRAME_MASK);
	return 0;
}

/* /proc/PID/smaps: the vma containing addr and its fields, in kB. */
static int ksmaps(struct vms_backend *be, const struct vms_cmd *c, struct vms_smaps *out)
{
	char path[64], line[512];
	bool in_vma = false, found = false;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/smaps", (int)find_proc(c->name[0])->pid);
	f = fopen(path, "re");
	if (!f)
		return vms_broken(be->in, "cannot read /proc/PID/smaps: %s", strerror(errno));
	memset(out, 0, sizeof(*out));
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, kb;
		char name[64];

		if (sscanf(line, "%llx-%llx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' ')) {
			if (found)
				break;
			in_vma = c->addr >= start && c->addr < end;
			if (in_vma) {
				found = true;
				out->start = start;
			}
			continue;
		}
		if (!in_vma || sscanf(line, "%63[^:]: %llu kB", name, &kb) != 2)
			continue;
		for (unsigned i = 0; i < VMS_SMAPS_NFIELDS; i++)
			if (!strcmp(name, vms_smaps_field_name(i)))
				out->kb[i] = kb;
	}
	fclose(f);
	return found ? 0 : -ENOMEM;
}

/* ---- the run ---- */

/* What the script asks of the host, read off its commands. */
static void plan_of(const struct vms_script *s, struct k_host_plan *plan)
{
	bool pageout = false, swappable = false;
	int slots = 0;

	*plan = (struct k_host_plan){ .swap = K.cfg.swap, .hugepages = K.cfg.hugepages,
				      .hugetlb = K.cfg.hugepages > 0, .thp = K.cfg.thp != VMSIM_THP_NEVER };
	for (size_t i = 0; i < vms_script_count(s); i++) {
		const struct vms_cmd *c = vms_script_cmd(s, i);

		if (c->op == VMS_EXPECT_ERROR)
			c = c->inner;
		slots += c->op == VMS_PROCESS || c->op == VMS_FORK;
		if (c->op == VMS_FILE && c->file_kind == VMS_FILE_HUGETLB)
			plan->hugetlb = k_uses_hugetlb = true;
		if (c->op == VMS_ADVISE && c->advice == VMS_ADV_PAGEOUT)
			pageout = true;
		/* What pageout can only swap: anonymous and shmem memory. */
		if ((c->op == VMS_MAP && (c->map_flags & VMS_MAP_ANON)) ||
		    (c->op == VMS_FILE && c->file_kind == VMS_FILE_SHMEM))
			swappable = true;
	}
	plan->pageout = pageout && swappable;
	plan->slots = slots;
}

static int make_infra(void)
{
	pthread_mutexattr_t ma;
	struct statfs sf;

	k_shared = mmap(NULL, sizeof(*k_shared), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (k_shared == MAP_FAILED) {
		k_shared = NULL;
		return -ENOMEM;
	}
	pthread_mutexattr_init(&ma);
	pthread_mutexattr_setpshared(&ma, PTHREAD_PROCESS_SHARED);
	pthread_mutexattr_setrobust(&ma, PTHREAD_MUTEX_ROBUST);
	pthread_mutex_init(&k_shared->lock, &ma);
	pthread_mutexattr_destroy(&ma);
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
	if (!mkdtemp(K.shm_dir) || k_host_note("dir %s", K.shm_dir) || statfs(K.shm_dir, &sf) ||
	    sf.f_type != TMPFS_MAGIC_)
		return -ENOENT;
	snprintf(K.disk_dir, sizeof(K.disk_dir), "/var/tmp/vmsim-XXXXXX");
	if (!mkdtemp(K.disk_dir) || k_host_note("dir %s", K.disk_dir)) {
		K.disk_dir[0] = 0;
		return -ENOENT;
	}
	return 0;
}

static int ksetup(struct vms_backend *be, const struct vms_script *s, const struct vms_run_opts *opts)
{
	struct k_host_plan plan;
	int rc;

	(void)opts;
	K.in = be->in;
	plan_of(s, &plan);
	if (plan.slots > K_MAX_SLOTS)
		return vms_skip(be->in, "more than %d processes", K_MAX_SLOTS);
	if (K.cfg.thp == VMSIM_THP_NEVER)
		prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0);	/* the controllers inherit it */
	/* The driver writes and reads files itself: on the processes' default
	 * CPU, so that the folios it adds sit in the same per-CPU LRU batch
	 * that a process's lru_add_drain() (MADV_PAGEOUT, MADV_COLD) empties.
	 * On another CPU they stay off the LRU and reclaim skips them. */
	k_pin(0);
	signal(SIGINT, on_signal);
	signal(SIGTERM, on_signal);
	signal(SIGHUP, on_signal);
	signal(SIGPIPE, SIG_IGN);
	K.host_set = true;
	if ((rc = k_host_acquire(&plan, be->in)))
		return rc;
	rc = make_infra();
	if (rc)
		return vms_skip(be->in, "cannot set up the runner (tmpfs at /dev/shm, /var/tmp): %s",
				strerror(-rc));
	return 0;
}

static void kteardown(struct vms_backend *be)
{
	(void)be;
	cleanup();
	for (int i = 0; i < K_MAX_SLOTS; i++) {
		if (k_drv_fd[i] >= 0)
			close(k_drv_fd[i]);
		if (k_ctl_fd[i] >= 0)
			close(k_ctl_fd[i]);
		k_drv_fd[i] = k_ctl_fd[i] = -1;
	}
	if (K.host_set)
		k_host_release();
	if (k_shared)
		munmap(k_shared, sizeof(*k_shared));
	k_shared = NULL;
	free(K.files);
	K.files = NULL;
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

int vmsim_kernel_main(int argc, char **argv)
{
	struct vms_backend be = {
		.name = "vmsim kernel",
		.check = kcheck, .setup = ksetup, .teardown = kteardown,
		.process = kprocess, .run = simple, .fork = kfork, .exit = kexit, .file = kfile,
		.map = kmap, .unmap = simple, .protect = simple, .remap = simple, .advise = simple,
		.punch = kpunch, .truncate = ktruncate, .fwrite = kfwrite, .fread = kfread, .access = kaccess, .uffd = simple,
		.clear_refs = kclear_refs, .pagemap = kpagemap, .smaps = ksmaps,
		.swapoff = kswapoff, .swapon = kswapon,
	};
	struct vms_script *s;
	int rc;

	if (argc != 1)
		return fprintf(stderr, "usage: vmsim kernel FILE.vms|-\n"), VMS_MALFORMED;
	reexec_without_aslr(argc, argv);
	rc = vmsim_tool_load(argv[0], &s);
	if (rc)
		return rc;
	for (int i = 0; i < K_MAX_SLOTS; i++)
		k_ctl_fd[i] = k_drv_fd[i] = -1;
	vmsim_config_init(&K.cfg);
	probe_host();
	be.pm_unknown = K.soft_dirty ? 0 : PM_SOFT_DIRTY;
	rc = vms_interp_run(s, &be, NULL, stdout, stderr);
	if (K.kpageflags >= 0)
		close(K.kpageflags);
	vms_script_free(s);
	return rc < 0 ? VMS_BUG : rc;
}
