/* `vmsim kernel`: leaving the host as the run found it.  A script may ask
 * the host for swap (machine swap=) and a hugetlb pool (hugepages=); the
 * runner also makes files and directories.  Each change is announced to a
 * janitor process before it is made; the janitor undoes them all, last
 * first, when the driver is gone however it went (exit, signal, SIGKILL).
 * Runs that change swap or the pool hold /run/vmsim-swap.lock exclusively
 * (swap=0 runs that page out hold it shared: they need a host without
 * swap) and also log those changes in /run/vmsim-swap.state, so that a run
 * after a killed janitor undoes them before making its own. */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <unistd.h>

#include "kernel.h"

#define LOCK_PATH	"/run/vmsim-swap.lock"	/* shared with other runners that change host swap */
#define STATE_PATH	"/run/vmsim-swap.state"
#define NR_HUGEPAGES	"/proc/sys/vm/nr_hugepages"
#define MAX_NOTES	64

static struct {
	int lock_fd;		/* -1: no lock held */
	int note_fd;		/* to the janitor; -1 when there is none */
	int done_fd;		/* EOF when the janitor has finished */
	bool logged;		/* changes also go to STATE_PATH */
	char swap_path[64];	/* the run's swap file ("": swap=0) */
} H = { .lock_fd = -1, .note_fd = -1, .done_fd = -1 };

int k_host_fds[3] = { -1, -1, -1 };

static int read_ulong(const char *path, unsigned long *v)
{
	FILE *f = fopen(path, "re");
	int ok;

	if (!f)
		return -errno;
	ok = fscanf(f, "%lu", v) == 1;
	fclose(f);
	return ok ? 0 : -EINVAL;
}

static int write_ulong(const char *path, unsigned long v)
{
	FILE *f = fopen(path, "we");
	int err = 0;

	if (!f)
		return -errno;
	if (fprintf(f, "%lu\n", v) < 0)
		err = -EIO;
	if (fclose(f) && !err)
		err = -errno;
	return err;
}

static void remove_dir(const char *path)
{
	DIR *d = opendir(path);
	struct dirent *e;

	while (d && (e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, ".."))
			unlinkat(dirfd(d), e->d_name, 0);
	if (d)
		closedir(d);
	rmdir(path);
}

/* Undo one change ("swap PATH", "hugepages OLD", "dir PATH"). */
static void undo(char *line)
{
	char *arg = strchr(line, ' ');
	unsigned long v;

	if (!arg)
		return;
	*arg++ = 0;
	arg[strcspn(arg, "\n")] = 0;
	if (!strcmp(line, "swap")) {
		syscall(SYS_swapoff, arg);
		unlink(arg);
	} else if (!strcmp(line, "hugepages") && sscanf(arg, "%lu", &v) == 1) {
		write_ulong(NR_HUGEPAGES, v);
	} else if (!strcmp(line, "dir")) {
		remove_dir(arg);
	} else if (!strcmp(line, "state")) {
		unlink(STATE_PATH);
	}
}

/* Undo what a killed janitor's run left in the state file. */
static void recover(void)
{
	char lines[MAX_NOTES][300];
	int n = 0;
	FILE *f = fopen(STATE_PATH, "re");

	if (!f)
		return;
	while (n < MAX_NOTES && fgets(lines[n], sizeof(lines[n]), f))
		n++;
	fclose(f);
	while (n-- > 0)
		undo(lines[n]);
	unlink(STATE_PATH);
}

static void janitor(int rfd)
{
	char buf[MAX_NOTES * 300], *lines[MAX_NOTES];
	size_t len = 0;
	int n = 0;

	while (len + 1 < sizeof(buf)) {
		ssize_t r = read(rfd, buf + len, sizeof(buf) - 1 - len);

		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		len += (size_t)r;
	}
	buf[len] = 0;
	for (char *s = buf, *nl; n < MAX_NOTES && (nl = strchr(s, '\n')); s = nl + 1) {
		*nl = 0;
		lines[n++] = s;
	}
	while (n-- > 0)
		undo(lines[n]);
	_exit(0);
}

/* Start the janitor (after the lock: it holds the lock too, so the next
 * run that changes the host waits until it has undone this one's). */
static int start_janitor(void)
{
	int note[2], done[2];
	pid_t pid;

	if (pipe2(note, O_CLOEXEC))
		return -errno;
	if (pipe2(done, O_CLOEXEC)) {
		close(note[0]);
		close(note[1]);
		return -errno;
	}
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid == 0) {
		/* A grandchild in a session of its own: not the driver's child
		 * (killing the driver's children spares it) and out of reach of
		 * the terminal's and ctest's process-group signals. */
		if (fork())
			_exit(0);
		setsid();
		for (int fd = 0; fd < 3; fd++)
			dup2(open("/dev/null", O_RDWR | O_CLOEXEC), fd);
		signal(SIGINT, SIG_IGN);
		signal(SIGTERM, SIG_IGN);
		signal(SIGHUP, SIG_IGN);
		signal(SIGPIPE, SIG_IGN);
		close(note[1]);
		close(done[0]);
		janitor(note[0]);
	}
	close(note[0]);
	close(done[1]);
	if (pid < 0 || waitpid(pid, NULL, 0) < 0) {
		close(note[1]);
		close(done[0]);
		return -ECHILD;
	}
	H.note_fd = k_host_fds[1] = note[1];
	H.done_fd = k_host_fds[2] = done[0];
	return 0;
}

int k_host_note(const char *fmt, ...)
{
	char line[300];
	va_list ap;
	int n, err = 0;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line) - 1)
		return -EINVAL;
	line[n++] = '\n';
	line[n] = 0;
	if (H.logged) {
		int fd = open(STATE_PATH, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);

		if (fd < 0 || write(fd, line, (size_t)n) != n || fsync(fd))
			err = -EIO;
		if (fd >= 0)
			close(fd);
	}
	if (H.note_fd < 0 || write(H.note_fd, line, (size_t)n) != n)
		err = -EIO;
	return err;
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
	if ((err = k_host_note("swap %s", path)))
		return err;
	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0)
		return -errno;
	memcpy(hdr + 1024, &version, 4);
	memcpy(hdr + 1028, &last, 4);
	memcpy(hdr + sizeof(hdr) - 10, "SWAPSPACE2", 10);
	if (fallocate(fd, 0, 0, (off_t)size) || pwrite(fd, hdr, sizeof(hdr), 0) != (ssize_t)sizeof(hdr) ||
	    fsync(fd))
		err = errno ? -errno : -EIO;
	close(fd);
	if (!err && syscall(SYS_swapon, path, 0))
		err = -errno;
	if (!err)
		snprintf(H.swap_path, sizeof(H.swap_path), "%s", path);
	return err;
}

/* swapoff(2) and swapon(2) of the run's swap file, as the host answers.
 * With swap=0 there is no file, and the answer is what Linux gives for a
 * file that is no swap area: swapoff finds no active area with its
 * mapping, swapon no swap signature (both EINVAL). */
int k_host_swapoff(void)
{
	if (!H.swap_path[0])
		return -EINVAL;
	return syscall(SYS_swapoff, H.swap_path) ? -errno : 0;
}

int k_host_swapon(void)
{
	if (!H.swap_path[0])
		return -EINVAL;
	return syscall(SYS_swapon, H.swap_path, 0) ? -errno : 0;
}

static bool host_has_swap(void)
{
	FILE *f = fopen("/proc/swaps", "re");
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
	bool exclusive = plan->swap || plan->hugetlb || plan->thp;
	unsigned long old, now = 0;
	int err;

	if ((plan->swap || plan->hugetlb) && geteuid())
		return vms_skip(in, "swap= and hugetlb need root");
	H.lock_fd = open(LOCK_PATH, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (H.lock_fd < 0 && exclusive)
		return vms_skip(in, "cannot open %s: %s", LOCK_PATH, strerror(errno));
	if (H.lock_fd >= 0) {
		k_host_fds[0] = H.lock_fd;
		while (flock(H.lock_fd, exclusive ? LOCK_EX : LOCK_SH) && errno == EINTR)
			;
	}
	if ((err = start_janitor()))
		return vms_skip(in, "cannot start the janitor: %s", strerror(-err));
	if (exclusive) {
		/* A state file now is one a killed janitor left. */
		recover();
		H.logged = true;
		if ((err = k_host_note("state -")))
			return vms_skip(in, "cannot write %s: %s", STATE_PATH, strerror(-err));
	}
	if (host_has_swap() && (plan->swap || plan->pageout))
		return vms_skip(in, "the host has swap of its own: swap=%llu needs it to have none but the run's",
				(unsigned long long)plan->swap);
	if (plan->swap && (err = add_swap(plan->swap)))
		return vms_skip(in, "cannot activate a %llu-byte swap file: %s", (unsigned long long)plan->swap,
				strerror(-err));
	if (plan->hugetlb) {
		if ((err = read_ulong(NR_HUGEPAGES, &old)))
			return vms_skip(in, "cannot read %s: %s", NR_HUGEPAGES, strerror(-err));
		if (old != plan->hugepages &&
		    ((err = k_host_note("hugepages %lu", old)) || (err = write_ulong(NR_HUGEPAGES, plan->hugepages))))
			return vms_skip(in, "cannot set %s: %s", NR_HUGEPAGES, strerror(-err));
		if (read_ulong(NR_HUGEPAGES, &now) || now != plan->hugepages)
			return vms_skip(in, "the host could reserve %lu of %lu huge pages", now, plan->hugepages);
	}
	return 0;
}

void k_host_release(void)
{
	if (H.note_fd >= 0) {
		char b;

		close(H.note_fd);
		H.note_fd = k_host_fds[1] = -1;
		/* The janitor closes its end of done when it has undone all. */
		while (read(H.done_fd, &b, 1) < 0 && errno == EINTR)
			;
		close(H.done_fd);
		H.done_fd = k_host_fds[2] = -1;
	}
	if (H.lock_fd >= 0) {
		close(H.lock_fd);
		H.lock_fd = k_host_fds[0] = -1;
	}
}

/* The bracketed word of /sys/kernel/mm/transparent_hugepage/enabled. */
int k_host_thp_mode(char *buf, size_t len)
{
	FILE *f = fopen("/sys/kernel/mm/transparent_hugepage/enabled", "re");
	char line[128], *a, *b;

	snprintf(buf, len, "unknown");
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
