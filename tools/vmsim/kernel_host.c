/* `vmsim kernel`: what a script asks of the host itself (machine swap=,
 * hugepages=), set up for one run and undone after it.  Runs that change
 * the host hold /run/vmsim-host.lock exclusively (swap=0 runs that page
 * out hold it shared: they need a host without swap).  Every change is
 * first written to a state file; a janitor process undoes what the file
 * lists when the driver is gone, however it went (exit, signal, SIGKILL),
 * and the next run undoes a state file left by a janitor that was killed. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel.h"

#define LOCK_PATH	"/run/vmsim-host.lock"
#define STATE_PATH	"/run/vmsim-host.state"
#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"

static struct {
	int lock_fd;		/* -1: no lock held */
	int janitor_fd;		/* write end of the janitor's pipe */
	pid_t janitor;
} H = { .lock_fd = -1, .janitor_fd = -1 };

int k_host_fds[2] = { -1, -1 };

static int read_ulong(const char *path, unsigned long *v)
{
	FILE *f = fopen(path, "r");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%lu", v) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static int write_ulong(const char *path, unsigned long v)
{
	FILE *f = fopen(path, "w");
	int err = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%lu\n", v) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

/* Add a line to the state file, durably, before the change it names. */
static int log_state(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static int log_state(const char *fmt, ...)
{
	int fd = open(STATE_PATH, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
	char line[512];
	va_list ap;
	int n, err = 0;

	if (fd < 0)
		return -errno;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) || write(fd, line, (size_t)n) != n || fsync(fd))
		err = -EIO;
	close(fd);
	return err;
}

/* Undo what the state file lists, last change first, then forget it. */
static void restore(void)
{
	char lines[32][300];
	int n = 0;
	FILE *f = fopen(STATE_PATH, "r");

	if (!f)
		return;
	while (n < 32 && fgets(lines[n], sizeof(lines[n]), f))
		n++;
	fclose(f);
	while (n-- > 0) {
		char *arg = strchr(lines[n], ' ');
		unsigned long v;

		if (!arg)
			continue;
		*arg++ = 0;
		arg[strcspn(arg, "\n")] = 0;
		if (!strcmp(lines[n], "swap")) {
			syscall(SYS_swapoff, arg);
			unlink(arg);
		} else if (!strcmp(lines[n], "hugepages") && sscanf(arg, "%lu", &v) == 1) {
			write_ulong(NR_HUGEPAGES, v);
		}
	}
	unlink(STATE_PATH);
}

static void janitor(int rfd)
{
	char b;

	/* Outlive the driver and the signals that end it. */
	signal(SIGINT, SIG_IGN);
	signal(SIGTERM, SIG_IGN);
	signal(SIGHUP, SIG_IGN);
	signal(SIGPIPE, SIG_IGN);
	setsid();
	while (read(rfd, &b, 1) < 0 && errno == EINTR)
		;
	restore();
	_exit(0);
}

static int start_janitor(void)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC))
		return -errno;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -errno;
	}
	if (pid == 0) {
		close(p[1]);
		janitor(p[0]);
	}
	close(p[0]);
	H.janitor = pid;
	H.janitor_fd = p[1];
	k_host_fds[1] = p[1];
	return 0;
}

/* A swap file of size bytes, activated: fallocate'd (swapon refuses
 * holes), a version-1 swap header, swapon(2). */
static int add_swap(uint64_t size)
{
	unsigned char hdr[4096] = { 0 };
	uint32_t version = 1, last = (uint32_t)(size / sizeof(hdr) - 1);
	char path[64];
	int fd, err = 0;

	snprintf(path, sizeof(path), "/var/tmp/vmsim-swap-%d", (int)getpid());
	if ((err = log_state("swap %s\n", path)))
		return err;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	memcpy(hdr + 1024, &version, 4);
	memcpy(hdr + 1028, &last, 4);
	memcpy(hdr + sizeof(hdr) - 10, "SWAPSPACE2", 10);
	if (fallocate(fd, 0, 0, (off_t)size) || pwrite(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    fsync(fd))
		err = -errno ? -errno : -EIO;
	close(fd);
	if (!err && syscall(SYS_swapon, path, 0))
		err = -errno;
	return err;
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

int k_host_acquire(const struct k_host_plan *plan, struct vms_interp *in)
{
	bool exclusive = plan->swap || plan->hugetlb;
	unsigned long old, now;
	int err;

	if (!exclusive && !plan->pageout)
		return 0;
	if (exclusive && geteuid())
		return vms_skip(in, "swap= and hugetlb need root");
	H.lock_fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
	if (H.lock_fd < 0 && exclusive)
		return vms_skip(in, "cannot open %s: %s", LOCK_PATH, strerror(errno));
	if (H.lock_fd >= 0) {
		k_host_fds[0] = H.lock_fd;
		while (flock(H.lock_fd, exclusive ? LOCK_EX : LOCK_SH) && errno == EINTR)
			;
	}
	if (!exclusive) {
		if (host_has_swap())
			return vms_skip(in, "swap=0 with pageout needs a host without active swap");
		return 0;
	}
	/* A state file now is one a killed janitor left: undo it first. */
	restore();
	if ((err = start_janitor()))
		return vms_skip(in, "cannot start the janitor: %s", strerror(-err));
	if (host_has_swap() && !plan->swap && plan->pageout)
		return vms_skip(in, "swap=0 with pageout needs a host without active swap");
	if (plan->swap) {
		if (host_has_swap())
			return vms_skip(in, "the host has swap of its own; swap= needs it to be the only one");
		if ((err = add_swap(plan->swap)))
			return vms_skip(in, "cannot activate a %llu-byte swap file: %s",
					(unsigned long long)plan->swap, strerror(-err));
	}
	if (plan->hugetlb) {
		if ((err = read_ulong(NR_HUGEPAGES, &old)))
			return vms_skip(in, "cannot read %s: %s", NR_HUGEPAGES, strerror(-err));
		if (old != plan->hugepages) {
			if ((err = log_state("hugepages %lu\n", old)) ||
			    (err = write_ulong(NR_HUGEPAGES, plan->hugepages)))
				return vms_skip(in, "cannot set %s: %s", NR_HUGEPAGES, strerror(-err));
		}
		if (read_ulong(NR_HUGEPAGES, &now) || now != plan->hugepages)
			return vms_skip(in, "the host could reserve %lu of %lu huge pages", now, plan->hugepages);
	}
	return 0;
}

void k_host_release(void)
{
	if (H.janitor_fd >= 0) {
		close(H.janitor_fd);
		H.janitor_fd = k_host_fds[1] = -1;
		while (waitpid(H.janitor, NULL, 0) < 0 && errno == EINTR)
			;
	}
	if (H.lock_fd >= 0) {
		close(H.lock_fd);
		H.lock_fd = k_host_fds[0] = -1;
	}
}

/* The bracketed word of /sys/kernel/mm/transparent_hugepage/enabled. */
int k_host_thp_mode(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "r");
	char line[128], *a, *b;

	if (!f)
		return -errno;
	a = fgets(line, sizeof(line), f);
	fclose(f);
	if (!a || !(a = strchr(line, '[')) || !(b = strchr(a, ']')))
		return -EINVAL;
	*b = 0;
	snprintf(buf, len, "%s", a + 1);
	return 0;
}

/* read_ahead_kb of the block device holding dir, in bytes. */
int k_host_readahead(const char *dir, uint64_t *bytes)
{
	struct stat st;
	char path[128];
	unsigned long kb;

	if (stat(dir, &st))
		return -errno;
	snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/queue/read_ahead_kb", major(st.st_dev),
		 minor(st.st_dev));
	if (read_ulong(path, &kb)) {
		/* A partition: the queue is its disk's. */
		snprintf(path, sizeof(path), "/sys/dev/block/%u:%u/../queue/read_ahead_kb", major(st.st_dev),
			 minor(st.st_dev));
		if (read_ulong(path, &kb))
			return -ENOENT;
	}
	*bytes = (uint64_t)kb << 10;
	return 0;
}
