/* vmsgen: random valid .vms scenarios, a runner that sorts `vmsim run`
 * outcomes, and a line-level minimiser (sim-tests/gen/README.md). */
#ifndef VMSGEN_H
#define VMSGEN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Write the script of seed to f.  The same seed always gives the same
 * script: every choice comes from one splitmix64 stream of the seed. */
void vmsgen_write(uint64_t seed, FILE *f);
/* The same, into a malloc'ed string (NULL if out of memory). */
char *vmsgen_script(uint64_t seed, size_t *len);

/* How a run ended. */
enum vmsgen_class {
	VG_PASS,	/* exit 0 */
	VG_JUSTIFIED,	/* exit 1 as on Linux: a fork found no memory, and its child
			 * is named later (see run.c) */
	VG_HANG,	/* exit 3 for a loop Linux never leaves (an install over an
			 * entry its zap keeps), as the language says (see run.c) */
	VG_FAIL,	/* exit 1: an expect failed (or the runner gave up on a command) */
	VG_MALFORMED,	/* exit 2: a generator bug */
	VG_BUG,		/* exit 3: the simulator reported a bug */
	VG_SIGNAL,	/* killed by a signal */
	VG_TIMEOUT,	/* still running after the time limit */
	VG_OTHER,	/* any other exit status, or the run could not start */
	VG_KNOWN,	/* (soak only) a failure listed as known */
};

struct vmsgen_result {
	enum vmsgen_class cls;
	int status;		/* exit status or signal number */
	/* What identifies the failure: the class and the first BUG/FAIL/error
	 * message with its numbers blotted out, or the signal. */
	char sig[256];
	char first_err[512];	/* the first stderr line that says why */
};

struct vmsgen_runner {
	const char *vmsim;	/* path of the vmsim tool */
	unsigned timeout;	/* seconds per run */
	const char *tmpdir;
	/* 0: `vmsim run`; N: `vmsim explore --runs N --sched random`, its
	 * parallel blocks interleaved N ways (a failing run is classified
	 * by the exit status vmsim run would have given it). */
	unsigned explore;
};

/* A run under way: the child's pid, its script and its stderr. */
struct vmsgen_job {
	int pid;
	int efd, ofd;		/* its stderr and stdout */
	char path[4096];
};

/* Start `vmsim run` on text; the caller waits for j->pid, then hands its
 * wait status to vmsgen_reap, which fills r and cleans up.  0 or -errno. */
int vmsgen_spawn(const struct vmsgen_runner *rn, const char *text, size_t len, struct vmsgen_job *j);
int vmsgen_reap(struct vmsgen_job *j, int ws, struct vmsgen_result *r);
/* Both at once; fills r.  0, or -errno if it could not run. */
int vmsgen_run(const struct vmsgen_runner *rn, const char *text, size_t len, struct vmsgen_result *r);
const char *vmsgen_class_name(enum vmsgen_class c);
/* A class the campaign counts as a failure. */
bool vmsgen_is_failure(enum vmsgen_class c);

/* Shrink text (len bytes, which fail as r says) to a script that still parses and
 * fails with the same signature; returns a malloc'ed string.  Progress
 * lines go to log if not NULL. */
char *vmsgen_minimise(const struct vmsgen_runner *rn, const char *text, size_t len,
		      const struct vmsgen_result *r, FILE *log);

#endif /* VMSGEN_H */
