/* `vmsim explore`: the command line of libvmsim/script/explore.c, and
 * `vmsim explore --merge`, which joins the JSON lines of the parts of one
 * exploration (each made with --shard I/N --json, on one machine under GNU
 * parallel or as the tasks of a batch array job: docs/explore.md). */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

#include "vmsim_tool.h"

static int usage(void)
{
	fprintf(stderr,
		"usage: vmsim explore FILE.vms [--sched random|pct|exhaustive] [--runs N] [--seed N]\n"
		"                      [--depth D] [--bound K] [--no-por] [--shard I/N] [--json]\n"
		"                      [--keep-going] [--max-steps N]\n"
		"       vmsim explore FILE.vms --replay SCHEDULE [--trace] [--dot OUT.dot]\n"
		"       vmsim explore --merge FILE.jsonl...\n");
	return VMS_MALFORMED;
}

static bool number(const char *s, uint64_t *v)
{
	char *end;

	if (!s || !*s || *s == '-')
		return false;
	errno = 0;
	*v = strtoull(s, &end, 0);
	return !*end && !errno;
}

/* ---- --merge ---- */

struct rec {
	json_t *j;
	unsigned shard;
	uint64_t run;
};

static int by_run(const void *a, const void *b)
{
	const struct rec *x = a, *y = b;

	if (x->run != y->run)
		return x->run < y->run ? -1 : 1;
	return x->shard < y->shard ? -1 : x->shard > y->shard;
}

/* "I/N" -> i, n */
static bool shard_of(json_t *j, unsigned *i, unsigned *n)
{
	const char *s = json_string_value(json_object_get(j, "shard"));

	return s && sscanf(s, "%u/%u", i, n) == 2 && *n > 0 && *i < *n;
}

static int merge(int argc, char **argv)
{
	struct rec *recs = NULL;
	size_t nrec = 0, cap = 0;
	unsigned nshards = 0, have = 0;
	uint64_t runs = 0, failed = 0, done_parts = 0, complete_parts = 0;
	unsigned char *seen = NULL;
	const char *sched = NULL;
	int rc = VMS_OK;

	if (argc < 1)
		return usage();
	for (int a = 0; a < argc && rc == VMS_OK; a++) {
		FILE *f = strcmp(argv[a], "-") ? fopen(argv[a], "r") : stdin;
		char *line = NULL;
		size_t len = 0;
		unsigned lineno = 0;

		if (!f) {
			fprintf(stderr, "vmsim explore --merge: %s: %s\n", argv[a], strerror(errno));
			rc = VMS_MALFORMED;
			break;
		}
		while (getline(&line, &len, f) > 0 && rc == VMS_OK) {
			json_error_t e;
			json_t *j;
			unsigned i, n;

			lineno++;
			if (line[0] == '\n')
				continue;
			j = json_loads(line, 0, &e);
			if (!j || !json_is_object(j) || !shard_of(j, &i, &n) || !json_is_string(json_object_get(j, "sched"))) {
				fprintf(stderr, "vmsim explore --merge: %s:%u: not a record of vmsim explore --json\n",
					argv[a], lineno);
				json_decref(j);
				rc = VMS_MALFORMED;
				break;
			}
			if (!nshards) {
				nshards = n;
				seen = calloc(n, 1);
				sched = NULL;
			}
			if (n != nshards || (sched && strcmp(sched, json_string_value(json_object_get(j, "sched"))))) {
				fprintf(stderr, "vmsim explore --merge: %s:%u: a part of another exploration (%u parts, "
					"not %u; or another scheduler)\n", argv[a], lineno, n, nshards);
				json_decref(j);
				rc = VMS_MALFORMED;
				break;
			}
			if (json_is_true(json_object_get(j, "summary"))) {
				if (seen && !seen[i]++)
					have++;
				done_parts++;
				complete_parts += json_is_true(json_object_get(j, "complete"));
				json_decref(j);
				continue;
			}
			if (!json_is_integer(json_object_get(j, "run")) || !json_is_integer(json_object_get(j, "status"))) {
				fprintf(stderr, "vmsim explore --merge: %s:%u: a run without its number or status\n",
					argv[a], lineno);
				json_decref(j);
				rc = VMS_MALFORMED;
				break;
			}
			if (nrec == cap) {
				struct rec *r = realloc(recs, (cap = cap ? 2 * cap : 1024) * sizeof(*r));

				if (!r) {
					json_decref(j);
					rc = VMS_BUG;
					break;
				}
				recs = r;
			}
			recs[nrec++] = (struct rec){ j, i, (uint64_t)json_integer_value(json_object_get(j, "run")) };
		}
		free(line);
		if (f != stdin)
			fclose(f);
	}
	if (rc == VMS_OK) {
		qsort(recs, nrec, sizeof(*recs), by_run);
		for (size_t k = 0; k < nrec; k++) {
			char *text = json_dumps(recs[k].j, JSON_COMPACT | JSON_PRESERVE_ORDER);

			if (text)
				puts(text);
			free(text);
			runs++;
			if (json_integer_value(json_object_get(recs[k].j, "status")) != 0)
				failed++;
		}
		printf("{\"summary\":true,\"shard\":\"0/1\",\"sched\":\"%s\",\"runs\":%" PRIu64 ",\"failed\":%" PRIu64
		       ",\"complete\":%s,\"parts\":%u}\n", sched ? sched : (nrec ? json_string_value(
		       json_object_get(recs[0].j, "sched")) : "?"), runs, failed,
		       nshards && have == nshards && complete_parts == done_parts ? "true" : "false", nshards);
		fprintf(stderr, "vmsim explore --merge: %" PRIu64 " runs from %u of %u parts, %" PRIu64 " failed\n",
			runs, have, nshards, failed);
		if (have < nshards)
			fprintf(stderr, "vmsim explore --merge: %u parts have no summary line (not finished?)\n",
				nshards - have);
		for (size_t k = 0; k < nrec; k++) {
			json_t *j = recs[k].j;

			if (json_integer_value(json_object_get(j, "status")) == 0)
				continue;
			fprintf(stderr, "vmsim explore --merge: first failure: run %" PRIu64 " of part %u: %s\n"
				"  --replay %s\n", recs[k].run, recs[k].shard,
				json_string_value(json_object_get(j, "message")),
				json_string_value(json_object_get(j, "schedule")));
			break;
		}
		rc = failed ? VMS_FAILED : VMS_OK;
	}
	for (size_t k = 0; k < nrec; k++)
		json_decref(recs[k].j);
	free(recs);
	free(seen);
	return rc;
}

int vmsim_explore_main(int argc, char **argv)
{
	struct vms_explore_opts o = { .x = { .policy = VMSIM_SCHED_EXHAUSTIVE, .bound = 2, .runs = 0 } };
	bool runs_given = false;
	struct vms_script *s;
	const char *path = NULL;
	int rc;

	if (argc >= 1 && !strcmp(argv[0], "--merge"))
		return merge(argc - 1, argv + 1);
	for (int i = 0; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;
		uint64_t n;

		if (!strcmp(a, "--sched") && v) {
			i++;
			if (!strcmp(v, "random"))
				o.x.policy = VMSIM_SCHED_RANDOM;
			else if (!strcmp(v, "pct"))
				o.x.policy = VMSIM_SCHED_PCT;
			else if (!strcmp(v, "exhaustive"))
				o.x.policy = VMSIM_SCHED_EXHAUSTIVE;
			else
				return usage();
		} else if (!strcmp(a, "--runs") && number(v, &n) && n) {
			i++;
			o.x.runs = n;
			runs_given = true;
		} else if (!strcmp(a, "--seed") && number(v, &n)) {
			i++;
			o.x.seed = n;
		} else if (!strcmp(a, "--depth") && number(v, &n) && n >= 1 && n <= 16) {
			i++;
			o.x.depth = (unsigned)n;
		} else if (!strcmp(a, "--bound") && number(v, &n) && n <= 1000) {
			i++;
			o.x.bound = (unsigned)n;
		} else if (!strcmp(a, "--max-steps") && number(v, &n) && n) {
			i++;
			o.x.max_steps = n;
		} else if (!strcmp(a, "--no-por")) {
			o.x.no_por = true;
		} else if (!strcmp(a, "--shard") && v) {
			unsigned si, sn;
			char tail;

			i++;
			/* Part I makes the runs numbered I mod N, so parts
			 * counted from 1 (N/N is part 0) cover the same. */
			if (sscanf(v, "%u/%u%c", &si, &sn, &tail) != 2 || !sn || si > sn)
				return usage();
			o.x.shard = si % sn;
			o.x.nshards = sn;
		} else if (!strcmp(a, "--json")) {
			o.json = true;
		} else if (!strcmp(a, "--keep-going")) {
			o.keep_going = true;
		} else if (!strcmp(a, "--replay") && v) {
			i++;
			o.x.schedule = v;
		} else if (!strcmp(a, "--trace")) {
			o.trace = true;
		} else if (!strcmp(a, "--dot") && v) {
			i++;
			o.dot = v;
		} else if (!path && (a[0] != '-' || !a[1])) {
			path = a;
		} else {
			return usage();
		}
	}
	if (!path)
		return usage();
	if (o.x.schedule)
		o.x.policy = VMSIM_SCHED_REPLAY;
	else if ((o.trace || o.dot) && !o.x.schedule)
		return usage();		/* --trace and --dot show one run: a replay */
	/* An exhaustive search stops at 10000 runs unless told otherwise. */
	if (o.x.policy == VMSIM_SCHED_EXHAUSTIVE && !runs_given)
		o.x.runs = 10000;
	o.path = path;
	rc = vmsim_tool_load(path, &s);
	if (rc)
		return rc;
	rc = vms_explore(s, &o, stdout, stderr);
	vms_script_free(s);
	return rc < 0 ? VMS_BUG : rc;
}
