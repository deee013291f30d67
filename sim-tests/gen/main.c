/* vmsgen: generate random scenarios, soak the simulator with them, and
 * minimise what fails.
 *
 *   vmsgen gen SEED                 print the script of SEED
 *   vmsgen soak --vmsim PATH [--seeds N] [--from S] [--jobs J] [--timeout T]
 *               [--out DIR] [--known FILE] [--no-min] [--verbose] [--explore N]
 *                                   run seeds S..S+N-1; exit 1 if any failed
 *                                   (other than the signatures in FILE)
 *   vmsgen min --vmsim PATH FILE [--timeout T]
 *                                   minimise a failing script
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <vmsim/script.h>

#include "vmsgen.h"

#define MAX_JOBS	64
#define MAX_KINDS	64	/* distinct failure signatures minimised */

static int usage(void)
{
	fprintf(stderr,
		"usage: vmsgen gen SEED\n"
		"       vmsgen soak --vmsim PATH [--seeds N] [--from S] [--jobs J] [--timeout T] [--out DIR]\n"
		"                   [--known FILE] [--no-min] [--verbose] [--explore N]\n"
		"       vmsgen min --vmsim PATH FILE [--timeout T]\n");
	return 2;
}

static bool num_arg(const char *s, uint64_t *out)
{
	char *end;

	errno = 0;
	*out = strtoull(s, &end, 0);
	return !errno && *s && !*end;
}

struct opts {
	struct vmsgen_runner rn;
	uint64_t seeds, from, jobs;
	const char *out, *file, *known;
	bool minimise, verbose;
};

static int parse_opts(int argc, char **argv, struct opts *o)
{
	uint64_t t = 10, x;

	o->seeds = 100;
	o->from = 1;
	o->jobs = (uint64_t)sysconf(_SC_NPROCESSORS_ONLN);
	o->minimise = true;
	o->rn.tmpdir = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp";
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i];
		bool more = i + 1 < argc;

		if (!strcmp(a, "--vmsim") && more)
			o->rn.vmsim = argv[++i];
		else if (!strcmp(a, "--seeds") && more && num_arg(argv[i + 1], &o->seeds))
			i++;
		else if (!strcmp(a, "--from") && more && num_arg(argv[i + 1], &o->from))
			i++;
		else if (!strcmp(a, "--jobs") && more && num_arg(argv[i + 1], &o->jobs))
			i++;
		else if (!strcmp(a, "--timeout") && more && num_arg(argv[i + 1], &t) && t > 0)
			i++;
		else if (!strcmp(a, "--out") && more)
			o->out = argv[++i];
		else if (!strcmp(a, "--known") && more)
			o->known = argv[++i];
		else if (!strcmp(a, "--explore") && more && num_arg(argv[i + 1], &x) && x > 0 && x < 100000) {
			o->rn.explore = (unsigned)x;
			i++;
		} else if (!strcmp(a, "--no-min"))
			o->minimise = false;
		else if (!strcmp(a, "--verbose"))
			o->verbose = true;
		else if (a[0] != '-' && !o->file)
			o->file = a;
		else
			return usage();
	}
	if (!o->rn.vmsim)
		return usage();
	if (o->jobs < 1)
		o->jobs = 1;
	if (o->jobs > MAX_JOBS)
		o->jobs = MAX_JOBS;
	o->rn.timeout = (unsigned)t;
	return 0;
}

static void save(const char *dir, const char *name, const char *text)
{
	char path[4096];
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	f = fopen(path, "w");
	if (!f) {
		fprintf(stderr, "vmsgen: cannot write %s: %s\n", path, strerror(errno));
		return;
	}
	fputs(text, f);
	fclose(f);
}

static void report_min(const struct opts *o, const char *text, size_t len, const struct vmsgen_result *r,
		       const char *name)
{
	char *min = vmsgen_minimise(&o->rn, text, len, r, stdout);

	if (!min) {
		printf("(could not minimise: out of memory)\n");
		return;
	}
	printf("--- minimal script (%s):\n%s---\n", r->sig, min);
	if (o->out) {
		char fname[256];

		snprintf(fname, sizeof(fname), "%s.min.vms", name);
		save(o->out, fname, min);
	}
	free(min);
}

struct kind {
	char sig[256];
	uint64_t first_seed, count;
	bool known;
};

/* Failures already reported and being fixed elsewhere: one signature a
 * line, as the soak prints them; lines starting with '#' explain them.
 * Returns how many were read into kinds[], or -1 if the file is missing. */
static int read_known(const char *path, struct kind *kinds, unsigned max)
{
	char line[256];
	unsigned n = 0;
	FILE *f = fopen(path, "r");

	if (!f)
		return -1;
	while (n < max && fgets(line, sizeof(line), f)) {
		line[strcspn(line, "\n")] = 0;
		if (!line[0] || line[0] == '#')
			continue;
		memset(&kinds[n], 0, sizeof(kinds[n]));
		snprintf(kinds[n].sig, sizeof(kinds[n].sig), "%s", line);
		kinds[n++].known = true;
	}
	fclose(f);
	return (int)n;
}

static int soak(const struct opts *o)
{
	struct { struct vmsgen_job j; uint64_t seed; bool busy; } run[MAX_JOBS];
	struct kind kinds[MAX_KINDS];
	unsigned nkinds = 0, busy = 0;
	uint64_t count[VG_KNOWN + 1] = { 0 }, next = o->from, end = o->from + o->seeds, failed = 0;
	struct timespec t0, t1;

	memset(run, 0, sizeof(run));
	if (o->known) {
		int n = read_known(o->known, kinds, MAX_KINDS / 2);

		if (n < 0) {
			fprintf(stderr, "vmsgen: cannot read %s: %s\n", o->known, strerror(errno));
			return 2;
		}
		nkinds = (unsigned)n;
	}
	if (o->out && mkdir(o->out, 0777) && errno != EEXIST) {
		fprintf(stderr, "vmsgen: cannot create %s: %s\n", o->out, strerror(errno));
		return 2;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	while (next < end || busy) {
		struct vmsgen_result r;
		unsigned slot;
		int ws, err;
		pid_t pid;

		/* Keep jobs runs going. */
		while (next < end && busy < o->jobs) {
			size_t len;
			char *text = vmsgen_script(next, &len);

			for (slot = 0; run[slot].busy; slot++)
				;
			if (!text || (err = vmsgen_spawn(&o->rn, text, len, &run[slot].j))) {
				fprintf(stderr, "vmsgen: cannot run seed %" PRIu64 "\n", next);
				free(text);
				return 2;
			}
			free(text);
			run[slot].seed = next++;
			run[slot].busy = true;
			busy++;
		}
		pid = wait(&ws);
		if (pid < 0) {
			if (errno == EINTR)
				continue;
			fprintf(stderr, "vmsgen: wait: %s\n", strerror(errno));
			return 2;
		}
		for (slot = 0; slot < o->jobs && !(run[slot].busy && run[slot].j.pid == pid); slot++)
			;
		if (slot == o->jobs)
			continue;
		run[slot].busy = false;
		busy--;
		err = vmsgen_reap(&run[slot].j, ws, &r);
		if (err) {
			fprintf(stderr, "vmsgen: cannot run %s: %s\n", o->rn.vmsim, strerror(-err));
			return 2;
		}
		count[r.cls]++;
		if (o->verbose)
			printf("seed %" PRIu64 ": %s\n", run[slot].seed, r.sig);
		if (vmsgen_is_failure(r.cls)) {
			unsigned k;

			for (k = 0; k < nkinds && strcmp(kinds[k].sig, r.sig); k++)
				;
			if (k < nkinds && kinds[k].known) {
				count[r.cls]--;
				count[VG_KNOWN]++;
			} else {
				failed++;
				printf("seed %" PRIu64 ": %s\n  %s\n", run[slot].seed, r.sig, r.first_err);
			}
			if (k == nkinds && nkinds < MAX_KINDS) {
				snprintf(kinds[k].sig, sizeof(kinds[k].sig), "%s", r.sig);
				kinds[k].count = 0;
				kinds[k].known = false;
				nkinds++;
			}
			if (k < nkinds && !kinds[k].count++)
				kinds[k].first_seed = run[slot].seed;
		}
		fflush(stdout);
	}
	clock_gettime(CLOCK_MONOTONIC, &t1);
	printf("vmsgen: %" PRIu64 " seeds (%" PRIu64 "..%" PRIu64 ") in %.1f s:", o->seeds, o->from, end - 1,
	       (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9);
	for (int c = 0; c <= VG_KNOWN; c++)
		if (count[c])
			printf(" %s %" PRIu64, vmsgen_class_name((enum vmsgen_class)c), count[c]);
	printf("\n");
	/* One minimal script per distinct failure. */
	for (unsigned k = 0; k < nkinds; k++) {
		struct vmsgen_result r;
		size_t len;
		char *text;
		char name[64];

		if (kinds[k].known) {
			if (kinds[k].count)
				printf("known failure: %" PRIu64 " seeds, first %" PRIu64 ": %s\n", kinds[k].count,
				       kinds[k].first_seed, kinds[k].sig);
			continue;
		}
		text = vmsgen_script(kinds[k].first_seed, &len);
		printf("failure %u: %" PRIu64 " seeds, first %" PRIu64 ": %s\n", k + 1, kinds[k].count,
		       kinds[k].first_seed, kinds[k].sig);
		snprintf(name, sizeof(name), "seed-%" PRIu64, kinds[k].first_seed);
		if (text && o->out) {
			char fname[80];

			snprintf(fname, sizeof(fname), "%s.vms", name);
			save(o->out, fname, text);
		}
		if (text && o->minimise && !vmsgen_run(&o->rn, text, len, &r) && !strcmp(r.sig, kinds[k].sig))
			report_min(o, text, len, &r, name);
		else if (o->minimise)
			printf("(seed %" PRIu64 " does not fail the same way when run alone)\n", kinds[k].first_seed);
		free(text);
	}
	return failed ? 1 : 0;
}

static int minimise_file(const struct opts *o)
{
	struct vmsgen_result r;
	char *text;
	size_t len;
	int err;

	if (!o->file)
		return usage();
	err = vms_read_file(o->file, &text, &len);
	if (err) {
		fprintf(stderr, "vmsgen: %s: %s\n", o->file, strerror(-err));
		return 2;
	}
	err = vmsgen_run(&o->rn, text, len, &r);
	if (err) {
		fprintf(stderr, "vmsgen: cannot run %s: %s\n", o->rn.vmsim, strerror(-err));
		free(text);
		return 2;
	}
	printf("%s: %s\n  %s\n", o->file, r.sig, r.first_err);
	if (!vmsgen_is_failure(r.cls)) {
		free(text);
		return 0;
	}
	report_min(o, text, len, &r, "min");
	free(text);
	return 1;
}

int main(int argc, char **argv)
{
	struct opts o;
	uint64_t seed;
	int rc;

	memset(&o, 0, sizeof(o));
	if (argc == 3 && !strcmp(argv[1], "gen") && num_arg(argv[2], &seed)) {
		vmsgen_write(seed, stdout);
		return ferror(stdout) ? 1 : 0;
	}
	if (argc < 2 || (strcmp(argv[1], "soak") && strcmp(argv[1], "min")))
		return usage();
	if ((rc = parse_opts(argc - 2, argv + 2, &o)))
		return rc;
	if (!strcmp(argv[1], "soak"))
		return o.file ? usage() : soak(&o);
	return minimise_file(&o);
}
