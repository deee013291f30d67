/* One `vmsim run` of a script, under a time limit, sorted into a class with
 * a signature that says which failure it was (for the minimiser). */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include "vmsgen.h"

const char *vmsgen_class_name(enum vmsgen_class c)
{
	static const char *const names[] = { "pass", "oom-fail", "linux-hang", "expect-fail", "malformed", "bug",
		"signal", "timeout", "other", "known" };

	return (unsigned)c < sizeof(names) / sizeof(names[0]) ? names[c] : "?";
}

bool vmsgen_is_failure(enum vmsgen_class c)
{
	return c != VG_PASS && c != VG_JUSTIFIED && c != VG_HANG;
}

/* Numbers (decimal, hex, inside words like mm3) become '#', so the same
 * failure on other frames or lines has the same signature. */
static void blot(const char *s, char *out, size_t size)
{
	size_t n = 0;

	while (*s && *s != '\n' && n + 1 < size) {
		if (*s >= '0' && *s <= '9') {
			while ((*s >= '0' && *s <= '9') || (*s >= 'a' && *s <= 'f') || (*s >= 'A' && *s <= 'F') ||
			       *s == 'x')
				s++;
			out[n++] = '#';
			continue;
		}
		out[n++] = *s++;
	}
	out[n] = 0;
}

/* The first stderr line that explains the failure: BUG, FAIL or error. */
static void explain(const char *err, struct vmsgen_result *r)
{
	static const char *const heads[] = { "BUG", "FAIL", "error", "vmsim" };

	r->first_err[0] = 0;
	for (size_t h = 0; h < sizeof(heads) / sizeof(heads[0]) && !r->first_err[0]; h++) {
		for (const char *l = err; l && *l; l = strchr(l, '\n') ? strchr(l, '\n') + 1 : NULL) {
			const char *end = strchr(l, '\n');
			size_t len = end ? (size_t)(end - l) : strlen(l);

			if (strncmp(l, heads[h], strlen(heads[h])))
				continue;
			if (len >= sizeof(r->first_err))
				len = sizeof(r->first_err) - 1;
			memcpy(r->first_err, l, len);
			r->first_err[len] = 0;
			break;
		}
	}
}

/* Exit 1 where Linux gives no answer either, on a machine run out of
 * memory: a `process` that found no frame for its page tables with
 * nothing left to kill (all RAM in unreclaimable shmem or page tables of
 * the dying: Linux panics, "no killable processes"), and commands naming
 * the child of a `fork` that did not happen, because it found no memory
 * (ENOMEM) or its parent had been killed by the OOM killer (ESRCH).  Only
 * with the failed fork on standard output and the process forked in the
 * script. */
static bool justified(const char *err, const char *out, const char *script)
{
	const char *f = strstr(err, "FAIL line ");
	char name[64], pat[80];
	int n = 0;

	if (!f)
		return false;
	if (sscanf(f, "FAIL line %*d: process %63[^: \n]%n", name, &n) == 1 && n &&
	    !strncmp(f + n, ": ENOMEM\n", 9))
		return true;
	if (sscanf(f, "FAIL line %*d: process %63s does not exist", name) != 1 ||
	    (!strstr(out, ": fork: ENOMEM") && !strstr(out, ": fork: ESRCH")))
		return false;
	snprintf(pat, sizeof(pat), " %s\n", name);
	for (const char *l = script; (l = strstr(l, "fork ")); l++)
		if ((l == script || l[-1] == '\n') && strstr(l, pat) && strstr(l, pat) < strchr(l, '\n'))
			return true;
	return false;
}

static void classify(int ws, const char *err, const char *out, const char *script, struct vmsgen_result *r)
{
	char why[200];
	const char *msg;

	explain(err, r);
	if (WIFSIGNALED(ws)) {
		r->status = WTERMSIG(ws);
		r->cls = r->status == SIGALRM ? VG_TIMEOUT : VG_SIGNAL;
		snprintf(r->sig, sizeof(r->sig), "%s %d", vmsgen_class_name(r->cls), r->status);
		return;
	}
	r->status = WEXITSTATUS(ws);
	/* vmsim explore: "run N failed (exit X)" says how vmsim run would
	 * have ended that run. */
	if (r->status == 1 && (msg = strstr(err, " failed (exit ")) && strstr(err, "vmsim explore: run "))
		r->status = atoi(msg + 14);
	r->cls = r->status == 0 ? VG_PASS : r->status == 1 ? VG_FAIL : r->status == 2 ? VG_MALFORMED :
		 r->status == 3 ? VG_BUG : VG_OTHER;
	if (r->cls == VG_FAIL && justified(err, out, script))
		r->cls = VG_JUSTIFIED;
	/* Exit 3 is also the answer for a loop Linux spins in forever
	 * (docs/scenario.md): MADV_GUARD_INSTALL, or an install of another
	 * kind, over an entry the zap in its loop keeps (a uffd-wp marker in
	 * a shmem mapping: the host never returns).  A valid script can get
	 * there; Linux has no answer to compare with. */
	if (r->cls == VG_BUG && strstr(r->first_err, ": livelock: ") &&
	    strstr(r->first_err, "install (madvise_guard_install loop)") &&
	    strstr(r->first_err, "so Linux retries forever"))
		r->cls = VG_HANG;
	/* "BUG: line 12: what (func)", "FAIL line 12: why": the line number
	 * is not part of it. */
	msg = strstr(r->first_err, ": ");
	if (msg && !strncmp(r->first_err, "BUG: line ", 10))
		msg = strstr(msg + 2, ": ");
	blot(msg ? msg + 2 : r->first_err, why, sizeof(why));
	snprintf(r->sig, sizeof(r->sig), "%s %d: %s", vmsgen_class_name(r->cls), r->status, why);
}

static char *slurp(int fd, size_t max)
{
	size_t cap = 4096, n = 0;
	char *buf = malloc(cap);

	if (!buf)
		return NULL;
	lseek(fd, 0, SEEK_SET);
	for (;;) {
		ssize_t got;

		if (n + 1 == cap) {
			char *nb;

			if (cap >= max)
				break;
			nb = realloc(buf, cap * 2);
			if (!nb)
				break;
			buf = nb;
			cap *= 2;
		}
		got = read(fd, buf + n, cap - 1 - n);
		if (got <= 0)
			break;
		n += (size_t)got;
	}
	buf[n] = 0;
	return buf;
}

static int write_all(int fd, const char *p, size_t len)
{
	while (len) {
		ssize_t w = write(fd, p, len);

		if (w < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		p += w;
		len -= (size_t)w;
	}
	return 0;
}

int vmsgen_spawn(const struct vmsgen_runner *rn, const char *text, size_t len, struct vmsgen_job *j)
{
	char epath[sizeof(j->path)], opath[sizeof(j->path)];
	int fd, err;

	memset(j, 0, sizeof(*j));
	j->efd = j->ofd = -1;
	snprintf(j->path, sizeof(j->path), "%s/vmsgen-XXXXXX", rn->tmpdir ? rn->tmpdir : "/tmp");
	snprintf(epath, sizeof(epath), "%s/vmsgen-err-XXXXXX", rn->tmpdir ? rn->tmpdir : "/tmp");
	snprintf(opath, sizeof(opath), "%s/vmsgen-out-XXXXXX", rn->tmpdir ? rn->tmpdir : "/tmp");
	fd = mkstemp(j->path);
	if (fd < 0)
		return -errno;
	err = write_all(fd, text, len);
	close(fd);
	if (!err && (j->efd = mkstemp(epath)) < 0)
		err = -errno;
	if (!err && (j->ofd = mkstemp(opath)) < 0)
		err = -errno;
	if (!err) {
		unlink(epath);
		unlink(opath);
		j->pid = fork();
		if (j->pid < 0)
			err = -errno;
	}
	if (err) {
		if (j->efd >= 0) {
			close(j->efd);
			unlink(epath);
		}
		unlink(j->path);
		return err;
	}
	if (j->pid == 0) {
		int null = open("/dev/null", O_RDWR);
		struct rlimit core = { 0, 0 };

		/* The time limit outlives exec: SIGALRM ends a hung run. */
		setrlimit(RLIMIT_CORE, &core);
		dup2(null, 0);
		dup2(j->ofd, 1);
		dup2(j->efd, 2);
		alarm(rn->timeout ? rn->timeout : 10);
		if (rn->explore) {
			char runs[16], seed[24];
			uint64_t h = 0xcbf29ce484222325ULL;

			/* The scheduler's seed follows the script, so a run repeats. */
			for (size_t i = 0; i < len; i++)
				h = (h ^ (unsigned char)text[i]) * 0x100000001b3ULL;
			snprintf(runs, sizeof(runs), "%u", rn->explore);
			snprintf(seed, sizeof(seed), "%llu", (unsigned long long)(h >> 1));
			execl(rn->vmsim, rn->vmsim, "explore", j->path, "--runs", runs, "--sched", "random", "--seed",
			      seed, (char *)NULL);
		} else {
			execl(rn->vmsim, rn->vmsim, "run", j->path, (char *)NULL);
		}
		_exit(127);
	}
	return 0;
}

int vmsgen_reap(struct vmsgen_job *j, int ws, struct vmsgen_result *r)
{
	char *errtext = slurp(j->efd, 1 << 20), *out = NULL, *script = NULL;
	int err = 0, fd;

	/* Standard output and the script matter only to justify an exit 1. */
	if (WIFEXITED(ws) && WEXITSTATUS(ws) == 1) {
		out = slurp(j->ofd, 16 << 20);
		if ((fd = open(j->path, O_RDONLY)) >= 0) {
			script = slurp(fd, 16 << 20);
			close(fd);
		}
	}
	memset(r, 0, sizeof(*r));
	classify(ws, errtext ? errtext : "", out ? out : "", script ? script : "", r);
	free(errtext);
	free(out);
	free(script);
	close(j->efd);
	close(j->ofd);
	unlink(j->path);
	if (r->cls == VG_OTHER && r->status == 127)
		err = -ENOEXEC;
	return err;
}

int vmsgen_run(const struct vmsgen_runner *rn, const char *text, size_t len, struct vmsgen_result *r)
{
	struct vmsgen_job j;
	int ws, err = vmsgen_spawn(rn, text, len, &j);

	if (err)
		return err;
	while (waitpid(j.pid, &ws, 0) < 0)
		if (errno != EINTR)
			return -errno;
	return vmsgen_reap(&j, ws, r);
}
