/* `vmsim kernel` controllers: one real process per scenario process, doing
 * its mmap/munmap/madvise/userfaultfd calls and memory accesses, with a
 * userfaultfd handler thread that applies the `uffd resolve` policy as a
 * real handler would: it answers each fault with one ioctl on the faulting
 * page (the 2 MiB page in a hugetlb mapping), and when that ioctl fails (or
 * the policy is sigbus) it gives up on the fault by sending SIGBUS to the
 * faulting thread, which is blocked in the fault and not woken otherwise. */
#include <errno.h>
#include <fcntl.h>
#include <linux/userfaultfd.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "kernel.h"

#ifndef UFFD_USER_MODE_ONLY
#define UFFD_USER_MODE_ONLY 1
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED (1 << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC (1 << 15)
#endif
#ifndef UFFDIO_CONTINUE_MODE_WP
#define UFFDIO_CONTINUE_MODE_WP ((__u64)1 << 1)
#endif
#ifndef UFFD_FEATURE_POISON
#define UFFD_FEATURE_POISON (1 << 14)
#endif
#ifndef UFFDIO_POISON
struct uffdio_poison {
	struct uffdio_range range;
	__u64 mode;
	__s64 updated;
};
#define UFFDIO_POISON _IOWR(UFFDIO, 0x08, struct uffdio_poison)
#endif
#define HPAGE_SIZE (2ULL << 20)

/* The controller's state.  After a scenario fork the child starts from a
 * copy, which is how it inherits the parent's resolve policy. */
static struct {
	char name[VMS_NAME_MAX];
	int sock;
	pid_t main_tid;
	int uffd;			/* -1 until the first register */
	unsigned features;		/* VMS_UFFD_FEAT_* it was opened with */
	enum vms_resolve missing, wp, minor;	/* under k_lock */
	char fork_child[VMS_NAME_MAX];	/* under k_lock: name for a fork event */
	int fork_ufd;			/* under k_lock: the child's new uffd */
	void *page;			/* one page of 0xAA for missing=copy */
	void *hpage[2];			/* lazily: 2 MiB of zeros, of 0xAA (hugetlb) */
} ctl = { .uffd = -1, .fork_ufd = -1, .missing = VMS_RESOLVE_ZEROPAGE,
	  .wp = VMS_RESOLVE_UNPROTECT, .minor = VMS_RESOLVE_CONTINUE };

void k_pin(int cpu)
{
	cpu_set_t set;

	if (cpu < 0 || cpu >= CPU_SETSIZE || cpu >= sysconf(_SC_NPROCESSORS_ONLN))
		return;
	CPU_ZERO(&set);
	CPU_SET(cpu, &set);
	/* A CPU the host lacks or forbids is ignored: pinning only matters
	 * for the simulator's TLBs. */
	(void)sched_setaffinity(0, sizeof(set), &set);
}

/* ---- the userfaultfd handler thread ---- */

static void record(const struct krec *r)
{
	if (k_shared->nrec < K_MAX_RECS)
		k_shared->rec[k_shared->nrec++] = *r;
	else
		k_shared->overflow = true;
}

/* The page size of the mapping at addr: 2 MiB in a hugetlb vma. */
static uint64_t page_size_at(uint64_t addr)
{
	FILE *f;
	char line[256];
	bool in = false;
	uint64_t size = VMS_PAGE_SIZE;

	if (!k_uses_hugetlb || !(f = fopen("/proc/self/smaps", "re")))
		return VMS_PAGE_SIZE;
	while (fgets(line, sizeof(line), f)) {
		unsigned long long start, end, kb;

		if (sscanf(line, "%llx-%llx ", &start, &end) == 2 && strchr(line, '-') < strchr(line, ' '))
			in = addr >= start && addr < end;
		else if (in && sscanf(line, "KernelPageSize: %llu kB", &kb) == 1)
			size = kb << 10;
	}
	fclose(f);
	return size;
}

/* A source buffer of size bytes of 0xAA (fill) or zeros. */
static void *source(uint64_t size, bool fill)
{
	void **b;

	if (size == VMS_PAGE_SIZE)
		return fill ? ctl.page : NULL;
	b = &ctl.hpage[fill];
	if (!*b) {
		*b = mmap(NULL, HPAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (*b == MAP_FAILED)
			return *b = NULL;
		memset(*b, fill ? 0xaa : 0, HPAGE_SIZE);
	}
	return *b;
}

static void resolve_fault(int fd, const struct uffd_msg *m, unsigned kind)
{
	uint64_t size = page_size_at(m->arg.pagefault.address);
	uint64_t page = m->arg.pagefault.address & ~(size - 1);
	struct uffdio_range range = { .start = page, .len = size };
	enum vms_resolve how;
	bool zeros = false;
	int rc = -1;

	k_lock();
	how = kind == VMS_UFFD_MODE_WP ? ctl.wp : kind == VMS_UFFD_MODE_MINOR ? ctl.minor :
	      ctl.missing;
	k_unlock();
	/* hugetlb has no zero page: zeropage is a copy of zeros there. */
	if (how == VMS_RESOLVE_ZEROPAGE && size != VMS_PAGE_SIZE) {
		how = VMS_RESOLVE_COPY;
		zeros = true;
	}
	switch (how) {
	case VMS_RESOLVE_ZEROPAGE: {
		struct uffdio_zeropage z = { .range = range };

		rc = ioctl(fd, UFFDIO_ZEROPAGE, &z);
		break;
	}
	case VMS_RESOLVE_COPY: {
		void *src = source(size, !zeros);
		struct uffdio_copy c = { .dst = page, .src = (uint64_t)(uintptr_t)src, .len = size };

		if (src)
			rc = ioctl(fd, UFFDIO_COPY, &c);
		break;
	}
	case VMS_RESOLVE_UNPROTECT: {
		struct uffdio_writeprotect w = { .range = range, .mode = 0 };

		rc = ioctl(fd, UFFDIO_WRITEPROTECT, &w);
		break;
	}
	case VMS_RESOLVE_CONTINUE: {
		struct uffdio_continue c = { .range = range };

		rc = ioctl(fd, UFFDIO_CONTINUE, &c);
		break;
	}
	default:
		break;
	}
	/* sigbus, or an answer that failed (EEXIST over a marker, ENOMEM...):
	 * give up on the fault.  The faulting thread sleeps interruptibly in
	 * handle_userfault(); the signal ends the wait and is delivered as the
	 * access's SIGBUS (UFFD_FEATURE_SIGBUS would not deliver the fault to
	 * the handler at all, and UFFDIO_WAKE would only refault). */
	if (rc)
		syscall(SYS_tgkill, getpid(), ctl.main_tid, SIGBUS);
}

static void *handler(void *arg)
{
	int fd = (int)(intptr_t)arg;

	for (;;) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		struct krec r = { 0 };
		struct uffd_msg m;
		ssize_t n;

		if (poll(&pfd, 1, -1) < 0 && errno != EINTR)
			return NULL;
		k_lock();
		n = read(fd, &m, sizeof(m));
		if (n != (ssize_t)sizeof(m)) {
			k_unlock();
			if (n < 0 && errno != EAGAIN && errno != EINTR)
				return NULL;
			continue;
		}
		snprintf(r.proc, sizeof(r.proc), "%s", ctl.name);
		switch (m.event) {
		case UFFD_EVENT_PAGEFAULT:
			r.kind = KREC_FAULT;
			r.addr = m.arg.pagefault.address & ~(page_size_at(m.arg.pagefault.address) - 1);
			r.write = m.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WRITE;
			r.fault_kind = (m.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_WP) ?
				       VMS_UFFD_MODE_WP :
				       (m.arg.pagefault.flags & UFFD_PAGEFAULT_FLAG_MINOR) ?
				       VMS_UFFD_MODE_MINOR : VMS_UFFD_MODE_MISSING;
			record(&r);
			k_unlock();
			resolve_fault(fd, &m, r.fault_kind);
			continue;
		case UFFD_EVENT_FORK:
			r.kind = KREC_FORK;
			snprintf(r.child, sizeof(r.child), "%s", ctl.fork_child);
			ctl.fork_ufd = (int)m.arg.fork.ufd;
			record(&r);
			break;
		case UFFD_EVENT_REMAP:
			r.kind = KREC_REMAP;
			r.addr = m.arg.remap.from;
			r.to = m.arg.remap.to;
			r.len = m.arg.remap.len;
			record(&r);
			break;
		case UFFD_EVENT_REMOVE:
		case UFFD_EVENT_UNMAP:
			r.kind = m.event == UFFD_EVENT_REMOVE ? KREC_REMOVE : KREC_UNMAP;
			r.addr = m.arg.remove.start;
			r.len = m.arg.remove.end - m.arg.remove.start;
			record(&r);
			break;
		default:
			break;
		}
		k_unlock();
	}
}

static int start_handler(int fd)
{
	pthread_attr_t a;
	pthread_t t;
	int rc;

	pthread_attr_init(&a);
	pthread_attr_setdetachstate(&a, PTHREAD_CREATE_DETACHED);
	rc = pthread_create(&t, &a, handler, (void *)(intptr_t)fd);
	pthread_attr_destroy(&a);
	return -rc;
}

/* ---- userfaultfd commands ---- */

static uint64_t uffd_features(unsigned f)
{
	uint64_t k = 0;

	k |= f & VMS_UFFD_FEAT_EVENT_FORK ? UFFD_FEATURE_EVENT_FORK : 0;
	k |= f & VMS_UFFD_FEAT_EVENT_REMOVE ? UFFD_FEATURE_EVENT_REMOVE : 0;
	k |= f & VMS_UFFD_FEAT_EVENT_UNMAP ? UFFD_FEATURE_EVENT_UNMAP : 0;
	k |= f & VMS_UFFD_FEAT_EVENT_REMAP ? UFFD_FEATURE_EVENT_REMAP : 0;
	k |= f & VMS_UFFD_FEAT_WP_UNPOPULATED ? UFFD_FEATURE_WP_UNPOPULATED : 0;
	k |= f & VMS_UFFD_FEAT_WP_ASYNC ? UFFD_FEATURE_WP_ASYNC : 0;
	return k;
}

/* Open this process's userfaultfd with the script's features plus the
 * kernel's shmem capabilities (the simulator has them all). */
static int uffd_open(unsigned features, struct krep *rep)
{
	const uint64_t caps = UFFD_FEATURE_MISSING_SHMEM | UFFD_FEATURE_MINOR_SHMEM |
			      UFFD_FEATURE_WP_HUGETLBFS_SHMEM | UFFD_FEATURE_MISSING_HUGETLBFS |
			      UFFD_FEATURE_MINOR_HUGETLBFS | UFFD_FEATURE_POISON;
	struct uffdio_api api = { .api = UFFD_API };
	int fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);

	if (fd < 0)
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	if (fd < 0) {
		rep->skip = 1;
		snprintf(rep->reason, sizeof(rep->reason), "userfaultfd not available: %s",
			 strerror(errno));
		return -1;
	}
	/* Ask once for what the kernel has, then for what we need of it. */
	if (ioctl(fd, UFFDIO_API, &api)) {
		close(fd);
		rep->skip = 1;
		snprintf(rep->reason, sizeof(rep->reason), "UFFDIO_API: %s", strerror(errno));
		return -1;
	}
	if ((api.features & uffd_features(features)) != uffd_features(features)) {
		close(fd);
		rep->skip = 1;
		snprintf(rep->reason, sizeof(rep->reason),
			 "the kernel lacks a userfaultfd feature (has 0x%llx)",
			 (unsigned long long)api.features);
		return -1;
	}
	close(fd);
	fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK);
	if (fd < 0)
		fd = (int)syscall(SYS_userfaultfd, O_CLOEXEC | O_NONBLOCK | UFFD_USER_MODE_ONLY);
	api = (struct uffdio_api){ .api = UFFD_API,
				   .features = uffd_features(features) | (caps & api.features) };
	if (fd < 0 || ioctl(fd, UFFDIO_API, &api) || start_handler(fd)) {
		if (fd >= 0)
			close(fd);
		rep->skip = 1;
		snprintf(rep->reason, sizeof(rep->reason), "userfaultfd setup failed: %s",
			 strerror(errno));
		return -1;
	}
	ctl.uffd = fd;
	ctl.features = features;
	return 0;
}

static int do_uffd(const struct vms_cmd *c, struct krep *rep)
{
	struct uffdio_range range = { .start = c->addr, .len = c->len };
	void *buf;
	int rc;

	if (c->uffd_op == VMS_UFFD_RESOLVE) {
		k_lock();
		if (c->resolve_missing)
			ctl.missing = c->resolve_missing;
		if (c->resolve_wp)
			ctl.wp = c->resolve_wp;
		if (c->resolve_minor)
			ctl.minor = c->resolve_minor;
		k_unlock();
		return 0;
	}
	if (c->uffd_op == VMS_UFFD_REGISTER) {
		struct uffdio_register reg = { .range = range };

		if (ctl.uffd < 0 && uffd_open(c->uffd_features, rep))
			return 0;
		/* Features are fixed at open: asking for more later is EINVAL. */
		if (c->uffd_features & ~ctl.features)
			return -EINVAL;
		reg.mode = (c->uffd_modes & VMS_UFFD_MODE_MISSING ? UFFDIO_REGISTER_MODE_MISSING : 0) |
			   (c->uffd_modes & VMS_UFFD_MODE_WP ? UFFDIO_REGISTER_MODE_WP : 0) |
			   (c->uffd_modes & VMS_UFFD_MODE_MINOR ? UFFDIO_REGISTER_MODE_MINOR : 0);
		return ioctl(ctl.uffd, UFFDIO_REGISTER, &reg) ? -errno : 0;
	}
	if (ctl.uffd < 0)
		return -EBADF;
	switch (c->uffd_op) {
	case VMS_UFFD_UNREGISTER:
		return ioctl(ctl.uffd, UFFDIO_UNREGISTER, &range) ? -errno : 0;
	case VMS_UFFD_WP: {
		struct uffdio_writeprotect w = { .range = range,
						 .mode = c->uffd_wp ? UFFDIO_WRITEPROTECT_MODE_WP : 0 };

		return ioctl(ctl.uffd, UFFDIO_WRITEPROTECT, &w) ? -errno : 0;
	}
	case VMS_UFFD_ZEROPAGE: {
		struct uffdio_zeropage z = { .range = range };

		return ioctl(ctl.uffd, UFFDIO_ZEROPAGE, &z) ? -errno : 0;
	}
	case VMS_UFFD_CONTINUE: {
		struct uffdio_continue k = { .range = range,
					     .mode = c->uffd_wp ? UFFDIO_CONTINUE_MODE_WP : 0 };

		return ioctl(ctl.uffd, UFFDIO_CONTINUE, &k) ? -errno : 0;
	}
	case VMS_UFFD_POISON: {
		struct uffdio_poison k = { .range = range };

		return ioctl(ctl.uffd, UFFDIO_POISON, &k) ? -errno : 0;
	}
	case VMS_UFFD_COPY: {
		struct uffdio_copy k = { .dst = c->addr, .len = c->len,
					 .mode = c->uffd_wp ? UFFDIO_COPY_MODE_WP : 0 };

		if (c->len > (1ULL << 30))
			return -ENOMEM;
		buf = mmap(NULL, c->len ? c->len : 1, PROT_READ | PROT_WRITE,
			   MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (buf == MAP_FAILED)
			return -ENOMEM;
		memset(buf, c->byte, c->len);
		k.src = (uint64_t)(uintptr_t)buf;
		rc = ioctl(ctl.uffd, UFFDIO_COPY, &k) ? -errno : 0;
		munmap(buf, c->len ? c->len : 1);
		return rc;
	}
	default:
		return -EINVAL;
	}
}

/* ---- memory accesses, with SIGSEGV/SIGBUS caught ---- */

static sigjmp_buf access_jb;
static volatile sig_atomic_t in_access, access_sig;

static void on_fault(int sig)
{
	if (!in_access) {
		/* A fault outside an access is the runner's own bug: die of it. */
		signal(sig, SIG_DFL);
		raise(sig);
		return;
	}
	in_access = 0;
	access_sig = sig;
	siglongjmp(access_jb, 1);
}

/* The accesses read and write scenario memory the sanitizer knows nothing
 * about, so they are not instrumented.  A read puts its bytes in
 * k_shared->io for the driver. */
__attribute__((no_sanitize("address", "undefined")))
static void do_access(const struct vms_cmd *c, const struct vms_access *a, struct krep *rep)
{
	volatile uint64_t cur = a->addr;

	access_sig = 0;
	if (sigsetjmp(access_jb, 1)) {
		rep->sig = access_sig;
		rep->sig_addr = cur;
		return;
	}
	in_access = 1;
	if (a->touch) {
		for (uint64_t p = a->addr; p < a->addr + a->len; p += VMS_PAGE_SIZE) {
			cur = p;
			if (a->write)
				*(volatile uint8_t *)(uintptr_t)p = 0xaa;
			else
				(void)*(volatile uint8_t *)(uintptr_t)p;
		}
	} else if (a->write) {
		for (uint64_t i = 0; i < a->len; i++)
			*(volatile uint8_t *)(uintptr_t)(a->addr + i) = c->byte;
	} else {
		for (uint64_t i = 0; i < a->len; i++)
			k_shared->io[i] = *(volatile uint8_t *)(uintptr_t)(a->addr + i);
	}
	in_access = 0;
}

/* ---- the other commands ---- */

static int do_map(const struct vms_cmd *c, const char *path)
{
	int flags = MAP_FIXED_NOREPLACE, fd = -1;
	void *p;

	flags |= c->map_flags & VMS_MAP_SHARED ? MAP_SHARED : MAP_PRIVATE;
	flags |= c->map_flags & VMS_MAP_ANON ? MAP_ANONYMOUS : 0;
	flags |= c->map_flags & VMS_MAP_POPULATE ? MAP_POPULATE : 0;
	flags |= c->map_flags & VMS_MAP_LOCKED ? MAP_LOCKED : 0;
	if (!(c->map_flags & VMS_MAP_ANON)) {
		fd = open(path, O_RDWR);
		if (fd < 0)
			return -errno;
	}
	p = mmap((void *)(uintptr_t)c->addr, c->len, (int)c->prot, flags, fd, (off_t)c->off);
	if (fd >= 0)
		close(fd);
	if (p == MAP_FAILED)
		return -errno;
	if ((uintptr_t)p != c->addr) {
		/* A kernel before 4.17 takes NOREPLACE as a hint. */
		munmap(p, c->len);
		return -EEXIST;
	}
	return 0;
}

/* The swap writes a pageout starts complete before the next command runs
 * (docs/scenario.md): wait, up to 10 s, for the kernel's count of pages
 * under writeback (nr_writeback in /proc/vmstat) to drain.  Until then a
 * folio reclaim wrote is still under writeback, and a second pageout or a
 * fault would see that instead of the settled state. */
static void wait_writeback(void)
{
	for (int i = 0; i < 10000; i++) {
		FILE *f = fopen("/proc/vmstat", "r");
		char line[128];
		long n = 0;

		if (!f)
			return;
		while (fgets(line, sizeof(line), f))
			if (sscanf(line, "nr_writeback %ld", &n) == 1)
				break;
		fclose(f);
		if (n == 0)
			return;
		usleep(1000);
	}
}

/* enum vms_advice values are Linux's MADV_* numbers. */
static int do_advise(const struct vms_cmd *c)
{
	int err = madvise((void *)(uintptr_t)c->addr, c->len, (int)c->advice) ? -errno : 0;

	if (c->advice == VMS_ADV_PAGEOUT)
		wait_writeback();
	return err;
}

static void reply(const struct krep *rep)
{
	if (write(ctl.sock, rep, sizeof(*rep)) != (ssize_t)sizeof(*rep))
		_exit(1);
}

/* Pass an fd (or none, fd < 0) to the forked child over sock. */
static void send_fd(int sock, int fd)
{
	char cbuf[CMSG_SPACE(sizeof(int))] = { 0 };
	char b = fd >= 0;
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };

	if (fd >= 0) {
		struct cmsghdr *cm;

		mh.msg_control = cbuf;
		mh.msg_controllen = sizeof(cbuf);
		cm = CMSG_FIRSTHDR(&mh);
		cm->cmsg_level = SOL_SOCKET;
		cm->cmsg_type = SCM_RIGHTS;
		cm->cmsg_len = CMSG_LEN(sizeof(int));
		memcpy(CMSG_DATA(cm), &fd, sizeof(int));
	}
	(void)sendmsg(sock, &mh, 0);
}

static int recv_fd(int sock)
{
	char cbuf[CMSG_SPACE(sizeof(int))];
	char b;
	struct iovec iov = { .iov_base = &b, .iov_len = 1 };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cbuf,
			     .msg_controllen = sizeof(cbuf) };
	struct cmsghdr *cm;
	int fd = -1;

	if (recvmsg(sock, &mh, 0) != 1 || !b)
		return -1;
	cm = CMSG_FIRSTHDR(&mh);
	if (cm && cm->cmsg_type == SCM_RIGHTS)
		memcpy(&fd, CMSG_DATA(cm), sizeof(int));
	return fd;
}

/* Common start of a controller, in a fresh process. */
static void ctl_setup(int slot, const char *name)
{
	snprintf(ctl.name, sizeof(ctl.name), "%s", name);
	ctl.sock = k_ctl_fd[slot];
	ctl.main_tid = (pid_t)syscall(SYS_gettid);
	/* thp=never is PR_SET_THP_DISABLE, inherited from the driver. */
	prctl(PR_SET_NAME, name, 0, 0, 0);
}

static void do_fork(const struct kreq *q, struct krep *rep)
{
	const struct vms_cmd *c = q->cmd;
	int sp[2];
	pid_t pid;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sp)) {
		rep->err = -errno;
		return;
	}
	k_lock();
	snprintf(ctl.fork_child, sizeof(ctl.fork_child), "%s", c->name[1]);
	ctl.fork_ufd = -1;
	k_unlock();
	pid = fork();
	if (pid < 0) {
		rep->err = -errno;
		close(sp[0]);
		close(sp[1]);
		return;
	}
	if (pid == 0) {
		struct krep ready = { .pid = getpid() };

		close(sp[0]);
		/* The inherited fd is the parent's context; with event_fork the
		 * parent's handler got a new one for this mm and sends it. */
		if (ctl.uffd >= 0)
			close(ctl.uffd);
		ctl.uffd = -1;
		ctl_setup(q->child_slot, c->name[1]);
		ctl.uffd = recv_fd(sp[1]);
		close(sp[1]);
		if (ctl.uffd >= 0 && start_handler(ctl.uffd))
			_exit(1);
		if (ctl.uffd < 0)
			ctl.features = 0;
		reply(&ready);
		return;
	}
	close(sp[1]);
	/* fork() returned after the fork event was read (the kernel waits for
	 * it), and the handler records it under k_lock. */
	k_lock();
	send_fd(sp[0], ctl.fork_ufd);
	if (ctl.fork_ufd >= 0)
		close(ctl.fork_ufd);
	ctl.fork_ufd = -1;
	k_unlock();
	close(sp[0]);
	rep->pid = pid;
}

static void serve(void)
{
	for (;;) {
		struct krep rep = { 0 };
		const struct vms_cmd *c;
		pid_t me = getpid();
		struct kreq q;
		ssize_t n = read(ctl.sock, &q, sizeof(q));

		if (n != (ssize_t)sizeof(q))
			_exit(0);	/* the driver is gone */
		c = q.cmd;
		/* cpu= or the command's branch: the call runs there. */
		if (c->cpu >= 0)
			k_pin(c->cpu);
		switch (c->op) {
		case VMS_RUN:
			break;
		case VMS_EXIT:
			reply(&rep);
			_exit(0);
		case VMS_FORK:
			do_fork(&q, &rep);
			if (getpid() != me)
				continue;	/* the child replied "ready" already */
			break;
		case VMS_MAP:
			rep.err = do_map(c, q.path);
			break;
		case VMS_UNMAP:
			rep.err = munmap((void *)(uintptr_t)c->addr, c->len) ? -errno : 0;
			break;
		case VMS_PROTECT:
			rep.err = mprotect((void *)(uintptr_t)c->addr, c->len, (int)c->prot) ?
				  -errno : 0;
			break;
		case VMS_REMAP: {
			void *p = mremap((void *)(uintptr_t)c->addr, c->len, c->len,
					 MREMAP_MAYMOVE | MREMAP_FIXED, (void *)(uintptr_t)c->addr2);

			rep.err = p == MAP_FAILED ? -errno : 0;
			break;
		}
		case VMS_ADVISE:
			rep.err = do_advise(c);
			break;
		case VMS_READ:
		case VMS_WRITE:
		case VMS_TOUCH:
			do_access(c, &q.acc, &rep);
			break;
		case VMS_UFFD:
			rep.err = do_uffd(c, &rep);
			break;
		default:
			rep.err = -EINVAL;
			break;
		}
		reply(&rep);
	}
}

void k_controller(int slot, const char *name, int cpu)
{
	struct sigaction sa = { .sa_handler = on_fault };
	struct krep ready = { 0 };

	/* Only the driver may hold the driver's ends: its death is then EOF. */
	for (int i = 0; i < K_MAX_SLOTS; i++)
		if (k_drv_fd[i] >= 0)
			close(k_drv_fd[i]);
	/* Nor the host lock and the janitor's pipe (kernel_host.c). */
	for (int i = 0; i < 3; i++)
		if (k_host_fds[i] >= 0)
			close(k_host_fds[i]);
	prctl(PR_SET_PDEATHSIG, SIGKILL, 0, 0, 0);
	signal(SIGCHLD, SIG_IGN);	/* scenario children reap themselves */
	signal(SIGPIPE, SIG_IGN);
	signal(SIGINT, SIG_DFL);	/* the driver's handlers clean up for it */
	signal(SIGTERM, SIG_DFL);
	signal(SIGHUP, SIG_DFL);
	sigaction(SIGSEGV, &sa, NULL);
	sigaction(SIGBUS, &sa, NULL);
	ctl_setup(slot, name);
	ctl.page = mmap(NULL, VMS_PAGE_SIZE, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS,
			-1, 0);
	if (ctl.page == MAP_FAILED)
		_exit(1);
	memset(ctl.page, 0xaa, VMS_PAGE_SIZE);
	k_pin(cpu);
	ready.pid = getpid();
	reply(&ready);
	serve();
	_exit(0);
}
