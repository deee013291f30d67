/* `vmsim explore`: a script run again and again on the simulator, the
 * branches of its parallel blocks interleaved as an explorer schedules
 * them (<vmsim/sched.h>), every run judged as `vmsim run` judges it, with
 * check=full.  The first failure is printed with what replays it.  With
 * --json every run of this part is one line of JSON, then a summary line
 * (docs/explore.md has the fields): many parts run under GNU parallel or
 * a batch system, and `vmsim explore --merge` joins their lines. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmsim/script.h>

#define SCHEDULE_MAX	(1 << 20)

static const char *policy_name(enum vmsim_sched_policy p)
{
	switch (p) {
	case VMSIM_SCHED_RANDOM: return "random";
	case VMSIM_SCHED_PCT: return "pct";
	case VMSIM_SCHED_EXHAUSTIVE: return "exhaustive";
	default: return "replay";
	}
}

/* A JSON string: quotes, backslashes and control characters escaped. */
static void json_str(FILE *f, const char *s)
{
	fputc('"', f);
	for (; s && *s; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c == '\n')
			fputs("\\n", f);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

/* The FAIL or BUG line of a run's stderr (the first of them). */
static void first_reason(const char *err, char *buf, size_t size)
{
	const char *p = err;

	buf[0] = 0;
	while (p && *p) {
		const char *nl = strchr(p, '\n');
		size_t len = nl ? (size_t)(nl - p) : strlen(p);

		if (!strncmp(p, "FAIL ", 5) || !strncmp(p, "BUG: ", 5)) {
			snprintf(buf, size, "%.*s", (int)len, p);
			return;
		}
		p = nl ? nl + 1 : NULL;
	}
}

struct run {
	char *out, *err;
	size_t outlen, errlen;
	int rc;
};

/* One run, its output kept. */
static int one_run(const struct vms_script *s, struct vmsim_explorer *x, struct run *r)
{
	struct vms_run_opts ro = { .machine = "check=full", .explorer = x };
	FILE *out = open_memstream(&r->out, &r->outlen), *err = open_memstream(&r->err, &r->errlen);

	if (!out || !err) {
		if (out)
			fclose(out);
		if (err)
			fclose(err);
		return -ENOMEM;
	}
	r->rc = vms_run_sim(s, &ro, out, err);
	fclose(out);
	fclose(err);
	return 0;
}

static void record(FILE *f, const struct vms_explore_opts *o, struct vmsim_explorer *x, const struct run *r,
		   const char *schedule, const struct vmsim_explore_stats *before)
{
	struct vmsim_explore_stats st;
	char why[512];

	vmsim_explorer_stats(x, &st);
	first_reason(r->err, why, sizeof(why));
	fprintf(f, "{\"shard\":\"%u/%u\",\"run\":%" PRIu64 ",\"sched\":\"%s\",\"seed\":\"0x%016" PRIx64 "\","
		"\"status\":%d,\"steps\":%" PRIu64 ",\"choices\":%" PRIu64 ",\"schedule\":",
		o->x.shard, o->x.nshards ? o->x.nshards : 1, vmsim_explorer_run(x), policy_name(o->x.policy),
		vmsim_explorer_seed(x), r->rc, st.steps - before->steps, st.choices - before->choices);
	json_str(f, schedule);
	fputs(",\"message\":", f);
	json_str(f, why);
	fputs("}\n", f);
}

static int replay(const struct vms_script *s, const struct vms_explore_opts *o, struct vmsim_explorer *x,
		  FILE *out, FILE *err)
{
	struct vms_run_opts ro = { .machine = "check=full", .explorer = x, .trace = o->trace, .dot = o->dot };
	int rc, e;

	if (!vmsim_explorer_next(x))
		return VMS_BUG;
	rc = vms_run_sim(s, &ro, out, err);
	e = vmsim_explorer_done(x);
	if (rc == VMS_MALFORMED || rc < 0)
		return rc < 0 ? VMS_BUG : rc;
	if (e == -EINVAL) {
		fprintf(err, "vmsim explore: the schedule does not fit this script\n");
		return VMS_MALFORMED;
	}
	if (e) {
		fprintf(err, "vmsim explore: the run did not follow its schedule\n");
		return VMS_BUG;
	}
	return rc == VMS_OK ? VMS_OK : VMS_FAILED;
}

int vms_explore(const struct vms_script *s, const struct vms_explore_opts *o, FILE *out, FILE *err)
{
	struct vmsim_explore_stats st, before;
	struct vmsim_explorer *x;
	uint64_t mine = 0, failed = 0;
	bool finished = false;
	char *schedule;
	int status = VMS_OK, e;

	if (!s || !o || !out || !err)
		return -EINVAL;
	e = vmsim_explorer_new(&o->x, &x);
	if (e) {
		fprintf(err, "vmsim explore: %s\n", e == -EINVAL ? "bad options (or a malformed schedule)"
								: "out of memory");
		return e == -EINVAL ? VMS_MALFORMED : VMS_BUG;
	}
	if (o->x.policy == VMSIM_SCHED_REPLAY) {
		status = replay(s, o, x, out, err);
		vmsim_explorer_free(x);
		return status;
	}
	schedule = malloc(SCHEDULE_MAX);
	if (!schedule) {
		vmsim_explorer_free(x);
		return VMS_BUG;
	}
	while (status == VMS_OK || (status == VMS_FAILED && o->keep_going)) {
		struct run r = { 0 };

		vmsim_explorer_stats(x, &before);
		if (!vmsim_explorer_next(x)) {
			finished = true;
			break;
		}
		if (one_run(s, x, &r)) {
			status = VMS_BUG;
			break;
		}
		e = vmsim_explorer_done(x);
		vmsim_explorer_schedule(x, schedule, SCHEDULE_MAX);
		if (r.rc == VMS_MALFORMED || r.rc < 0 || e) {
			/* The script, or the explorer: the same for every run. */
			if (e)
				fprintf(err, "vmsim explore: run %" PRIu64 " did not retrace its schedule (%s): "
					"something in it is not deterministic\n", vmsim_explorer_run(x),
					schedule);
			else
				fputs(r.err ? r.err : "", err);
			status = r.rc == VMS_MALFORMED && !e ? VMS_MALFORMED : VMS_BUG;
		} else if (vmsim_explorer_mine(x)) {
			mine++;
			if (o->json)
				record(out, o, x, &r, schedule, &before);
			if (r.rc != VMS_OK) {
				if (!failed && !o->json) {
					fputs(r.out ? r.out : "", out);
					fputs(r.err ? r.err : "", err);
					fflush(out);
				}
				if (!failed || o->keep_going)
					fprintf(err, "vmsim explore: run %" PRIu64 " failed (exit %d); scheduler seed "
						"0x%016" PRIx64 ", schedule %s\n"
						"vmsim explore: replay it with: vmsim explore %s --replay %s\n",
						vmsim_explorer_run(x), r.rc, vmsim_explorer_seed(x), schedule,
						o->path ? o->path : "FILE.vms", schedule);
				failed++;
				status = VMS_FAILED;
			}
		}
		vmsim_explorer_stats(x, &st);
		free(r.out);
		free(r.err);
		/* Nothing to interleave: one run says it all. */
		if (status == VMS_OK && st.runs == 1 && st.choices == 0) {
			finished = true;
			break;
		}
	}
	vmsim_explorer_stats(x, &st);
	if (status == VMS_OK || status == VMS_FAILED) {
		fprintf(err, "vmsim explore: %" PRIu64 " runs (%s%s), %" PRIu64 " failed, %" PRIu64
			" scheduling choices", mine, policy_name(o->x.policy),
			o->x.nshards > 1 ? ", one part" : "", failed, st.choices);
		if (o->x.policy == VMSIM_SCHED_EXHAUSTIVE)
			fprintf(err, "; bound %u, %s", o->x.bound,
				st.complete ? "every schedule explored" : "stopped before the end");
		if (o->x.policy == VMSIM_SCHED_EXHAUSTIVE && st.redundant)
			fprintf(err, " (%" PRIu64 " of the runs cut short by the reduction)", st.redundant);
		fputc('\n', err);
		if (o->json)
			fprintf(out, "{\"summary\":true,\"shard\":\"%u/%u\",\"sched\":\"%s\",\"runs\":%" PRIu64
				",\"failed\":%" PRIu64 ",\"complete\":%s}\n", o->x.shard,
				o->x.nshards ? o->x.nshards : 1, policy_name(o->x.policy), mine, failed,
				finished && (o->x.policy != VMSIM_SCHED_EXHAUSTIVE || st.complete) ? "true" : "false");
	}
	free(schedule);
	vmsim_explorer_free(x);
	return status;
}
