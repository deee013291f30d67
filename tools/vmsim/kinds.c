/* `vmsim kinds`: the entry-kind conformance matrix.  For every kind
 * registered on a machine (built in, or loaded with --kind) and every
 * operation of kinds_gen.c, a generated .vms scenario runs through the
 * interpreter on the simulator, and its output says what became of the
 * entry: kept, dropped, copied, changed, a signal, an errno, a livelock
 * Linux would hang in, or an internal bug (exit 3).  A cell also names the
 * hooks the kind lacks there ("default: zap"): mm then did what Linux does
 * with an entry it does not know.  For the kinds a program can create on
 * Linux the same scenario runs on the host kernel (`vmsim kernel`, root),
 * and the host column says whether Linux agrees. */
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vmsim/script.h>
#include "kinds.h"
#include "vmsim_tool.h"

#define CELL	160

/* One pagemap line's fields after the address, and its bits. */
struct pmline {
	char fields[128];
	bool present, swap, uffd_wp, guard;
	int sd;			/* -1: unknown (`?`) */
	char sig[64];		/* the set bits but sd: "swap,guard" */
	char sigsd[64];		/* and sd: "swap,guard,sd" */
};

struct outcome {
	int status;
	int npm;		/* pagemap lines: [0] is the one before the operation */
	struct pmline pm[6];
	char events[96];	/* what the operation printed: signals, errnos, uffd faults */
	char setup_err[64];	/* an error before the entry was there */
	char smaps[160];
	char bug[160];
	char refused[96];
	bool livelock, timeout;
	char defaults[96];	/* hooks the kind lacked during the operation */
};

struct cell {
	char sim[CELL];
	char host[CELL];
	bool internal;
	bool host_ran, host_agrees;
};

struct opts {
	bool md, host;
	struct vmsim_tool_kinds kinds;
	const char *only[8];
	int nonly;
	const char *tmpdir;
	int bugs;
};

static void cat(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static void put(char *buf, size_t size, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

/* snprintf that cuts a long cell short without a word. */
static void put(char *buf, size_t size, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, size, fmt, ap);
	va_end(ap);
}

static void cat(char *buf, size_t size, const char *fmt, ...)
{
	size_t used = strlen(buf);
	va_list ap;

	if (used + 1 >= size)
		return;
	va_start(ap, fmt);
	vsnprintf(buf + used, size - used, fmt, ap);
	va_end(ap);
}

/* ---- reading a run's output ---- */

static int bit_of(const char *fields, const char *key)
{
	char pat[24];
	const char *p;

	put(pat, sizeof(pat), " %s=", key);
	p = strstr(fields, pat);
	if (!p)
		return 0;
	p += strlen(pat);
	return *p == '?' ? -1 : *p == '1';
}

static void parse_pm(const char *fields, struct pmline *pm)
{
	static const char *const names[] = { "present", "swap", "file", "excl", "uffd_wp", "guard" };

	put(pm->fields, sizeof(pm->fields), " %s", fields);	/* every key after a space */
	pm->present = bit_of(pm->fields, "present") == 1;
	pm->swap = bit_of(pm->fields, "swap") == 1;
	pm->uffd_wp = bit_of(pm->fields, "uffd_wp") == 1;
	pm->guard = bit_of(pm->fields, "guard") == 1;
	pm->sd = bit_of(pm->fields, "sd");
	pm->sig[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (bit_of(pm->fields, names[i]) == 1)
			cat(pm->sig, sizeof(pm->sig), "%s%s", pm->sig[0] ? "," : "", names[i]);
	if (!pm->sig[0])
		put(pm->sig, sizeof(pm->sig), "none");
	put(pm->sigsd, sizeof(pm->sigsd), "%s%s", pm->sig, pm->sd == 1 ? ",sd" : "");
}

static bool pm_none(const struct pmline *pm)
{
	return !pm->present && !pm->swap && !pm->uffd_wp && !pm->guard;
}

/* The word after the last space of "error P: WORD: ERRNO", or of a
 * "read P ADDR = V" line. */
static const char *last_word(const char *l)
{
	const char *sp = strrchr(l, ' ');

	return sp ? sp + 1 : l;
}

static void parse_out(char *text, struct outcome *o)
{
	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		bool after = o->npm > 0;

		if (!strncmp(l, "pagemap ", 8)) {
			char *f = strchr(l + 8, ' ');

			f = f ? strchr(f + 1, ' ') : NULL;
			if (f && o->npm < (int)(sizeof(o->pm) / sizeof(o->pm[0])))
				parse_pm(f + 1, &o->pm[o->npm++]);
		} else if (!strncmp(l, "smaps ", 6)) {
			char *f = strchr(l + 6, ' ');

			f = f ? strchr(f + 1, ' ') : NULL;
			put(o->smaps, sizeof(o->smaps), "%s", f ? f + 1 : "");
		} else if (!strncmp(l, "error ", 6)) {
			if (after)
				cat(o->events, sizeof(o->events), "%serror %s", o->events[0] ? "; " : "", last_word(l));
			else if (!o->setup_err[0])
				put(o->setup_err, sizeof(o->setup_err), "%s", strchr(l, ':') ? strchr(l, ':') + 2 : l);
		} else if (!strncmp(l, "read ", 5) || !strncmp(l, "write ", 6)) {
			const char *v = last_word(l);

			if (!after)
				continue;
			if (!strncmp(l, "read ", 5) && strncmp(v, "SIG", 3))
				cat(o->events, sizeof(o->events), "%sreads %s", o->events[0] ? "; " : "", v);
			else
				cat(o->events, sizeof(o->events), "%s%s", o->events[0] ? "; " : "", v);
		} else if (!strncmp(l, "uffd-fault ", 11) && after) {
			char kind[16] = "";

			sscanf(l, "uffd-fault %*s %*s %15s", kind);
			cat(o->events, sizeof(o->events), "%suffd %s fault", o->events[0] ? "; " : "", kind);
		}
	}
}

/* stderr: the trace (defaults the kind fell back on, per line) and the
 * BUG, refusal or runner messages. */
static void parse_err(char *text, const struct kscen *s, struct outcome *o)
{
	const char *name = vmsim_kind_name(s->kind);
	int cur = 0;

	for (char *save = NULL, *l = strtok_r(text, "\n", &save); l; l = strtok_r(NULL, "\n", &save)) {
		const char *d;

		if (sscanf(l, "line %d:", &cur) == 1)
			continue;
		if (!strncmp(l, "BUG: line ", 10) && !o->bug[0]) {
			const char *what = strchr(l + 10, ':');

			what = what ? what + 2 : l;
			put(o->bug, sizeof(o->bug), "%s", what);
			o->livelock = !strncmp(what, "livelock", 8);
			continue;
		}
		if (!strncmp(l, "error line ", 11) || !strncmp(l, "skip: ", 6) || strstr(l, "timed out")) {
			const char *what = strncmp(l, "skip: ", 6) ? strchr(l + 11, ':') : l + 4;

			if (strstr(l, "timed out"))
				o->timeout = true;
			if (!o->refused[0])
				put(o->refused, sizeof(o->refused), "%s", what ? what + 2 : l);
			continue;
		}
		d = strstr(l, "] kind_default ");
		if (!d || cur <= 0 || cur >= KSCEN_MAX_LINES || s->role[cur] != KL_OP)
			continue;
		d += strlen("] kind_default ");
		if (strncmp(d, name, strlen(name)) || d[strlen(name)] != ' ')
			continue;
		d = strstr(d, ": ");
		if (d) {
			char hook[24] = "";

			sscanf(d + 2, "%23[a-z_]", hook);
			if (hook[0] && !strstr(o->defaults, hook))
				cat(o->defaults, sizeof(o->defaults), "%s%s", o->defaults[0] ? "," : "", hook);
		}
	}
}

/* ---- running a scenario ---- */

/* The scenario on the simulator, with the trace on; *raw (may be NULL)
 * gets its standard output. */
static int run_sim(const struct kscen *s, struct opts *op, struct outcome *o, char **raw)
{
	struct vms_run_opts ro = { .trace = true, .machine_init = vmsim_tool_kinds_init,
				   .machine_arg = &op->kinds };
	struct vms_script *sc;
	char *out = NULL, *err = NULL, msg[256];
	size_t olen = 0, elen = 0;
	FILE *fo, *fe;
	int rc;

	memset(o, 0, sizeof(*o));
	rc = vms_parse(s->text, s->len, &sc, msg, sizeof(msg));
	if (rc) {
		o->status = VMS_MALFORMED;
		put(o->refused, sizeof(o->refused), "generated scenario: %s", msg);
		return 0;
	}
	fo = open_memstream(&out, &olen);
	fe = open_memstream(&err, &elen);
	if (!fo || !fe) {
		if (fo)
			fclose(fo);
		if (fe)
			fclose(fe);
		vms_script_free(sc);
		return -ENOMEM;
	}
	rc = vms_run_sim(sc, &ro, fo, fe);
	fclose(fo);
	fclose(fe);
	vms_script_free(sc);
	o->status = rc < 0 ? VMS_BUG : rc;
	if (raw)
		*raw = out ? strdup(out) : NULL;
	parse_out(out, o);
	parse_err(err, s, o);
	free(out);
	free(err);
	return 0;
}

/* A whole file as a string. */
static char *slurp(const char *path)
{
	char *text = NULL, *str;
	size_t len;

	if (vms_read_file(path, &text, &len))
		return NULL;
	str = malloc(len + 1);
	if (str) {
		memcpy(str, text, len);
		str[len] = 0;
	}
	free(text);
	return str;
}

/* `vmsim kernel` on the scenario, in a child: its stdout in *out. */
static int run_host(const struct kscen *s, struct opts *op, struct outcome *o, char **out)
{
	char script[256], so[256], se[256];
	char *err;
	FILE *f;
	pid_t pid;
	int st;

	memset(o, 0, sizeof(*o));
	put(script, sizeof(script), "%s/scenario.vms", op->tmpdir);
	put(so, sizeof(so), "%s/kernel.out", op->tmpdir);
	put(se, sizeof(se), "%s/kernel.err", op->tmpdir);
	f = fopen(script, "w");
	if (!f || fwrite(s->text, 1, s->len, f) != s->len || fclose(f))
		return -EIO;
	fflush(stdout);
	fflush(stderr);
	pid = fork();
	if (pid < 0)
		return -errno;
	if (pid == 0) {
		int fd1 = open(so, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int fd2 = open(se, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (fd1 < 0 || fd2 < 0 || dup2(fd1, 1) < 0 || dup2(fd2, 2) < 0)
			_exit(127);
		execl("/proc/self/exe", "vmsim", "kernel", script, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -errno;
	o->status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
	*out = slurp(so);
	err = slurp(se);
	if (*out) {
		char *copy = strdup(*out);

		if (copy)
			parse_out(copy, o);
		free(copy);
	}
	if (err)
		parse_err(err, s, o);
	free(err);
	unlink(so);
	unlink(se);
	unlink(script);
	return 0;
}

/* ---- what a run says ---- */

static void state_of(const struct pmline *before, const struct pmline *after, char *buf, size_t size)
{
	if (!strcmp(before->fields, after->fields))
		put(buf, size, "kept");
	else if (pm_none(after))
		put(buf, size, "dropped");
	else if (!strcmp(before->sig, after->sig) && before->sd != after->sd)
		put(buf, size, "kept, sd %d -> %d", before->sd, after->sd);
	else
		put(buf, size, "changed: %s", after->sigsd);
}

/* The smaps fields that are not zero, Size aside. */
static void smaps_text(const char *fields, char *buf, size_t size)
{
	char copy[160];

	buf[0] = 0;
	put(copy, sizeof(copy), "%s", fields);
	for (char *save = NULL, *w = strtok_r(copy, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		const char *eq = strchr(w, '=');

		if (!eq || !strncmp(w, "Size=", 5) || !strcmp(eq, "=0"))
			continue;
		cat(buf, size, "%s%s", buf[0] ? " " : "", w);
	}
	if (!buf[0])
		put(buf, size, "nothing counted");
}

/* One run's outcome as a cell; *internal when it is an internal bug. */
static void describe(const struct kscen *s, const struct outcome *o, char *buf, size_t size, bool *internal)
{
	const struct pmline *b = &o->pm[0];
	char st[96] = "", st2[96];

	buf[0] = 0;
	*internal = false;
	if (o->status == VMS_BUG && o->livelock) {
		put(buf, size, "livelock (Linux hangs)");
		return;
	}
	if (o->status == VMS_BUG && o->timeout) {
		put(buf, size, "hangs (no answer in 10 s)");
		return;
	}
	if (o->status == VMS_BUG) {
		put(buf, size, "INTERNAL BUG: %s", o->bug[0] ? o->bug : o->refused);
		*internal = true;
		return;
	}
	if (o->status == VMS_SKIP) {
		put(buf, size, "skipped: %s", o->refused);
		return;
	}
	if (o->status == VMS_MALFORMED) {
		/* The simulator may refuse what it does not model yet; any
		 * other refusal is the matrix's own bug. */
		*internal = !strstr(o->refused, "not supported yet") && !strstr(o->refused, "simulator only");
		put(buf, size, "%s%s", *internal ? "INTERNAL BUG: " : "not run: ", o->refused);
		return;
	}
	if (o->status != VMS_OK) {
		put(buf, size, "INTERNAL BUG: exit %d", o->status);
		*internal = true;
		return;
	}
	if (o->setup_err[0]) {
		put(buf, size, "no entry (%s)", o->setup_err);
		return;
	}
	if (o->npm < 1 || (pm_none(b) && s->op->shape != KS_PAGEMAP)) {
		put(buf, size, "no entry (the recipe leaves a none pte)");
		return;
	}
	switch (s->op->shape) {
	case KS_ENTRY:
	case KS_MOVE:
		if (o->npm < 2)
			put(st, sizeof(st), "?");
		else
			state_of(b, &o->pm[1], st, sizeof(st));
		if (s->op->shape == KS_MOVE && !strncmp(st, "kept", 4)) {
			char moved[96];

			put(moved, sizeof(moved), "moved%s", st + 4);
			put(st, sizeof(st), "%s", moved);
		}
		/* A signal leaves the entry as it was: the signal says it. */
		if (o->events[0] && !strcmp(st, "kept"))
			put(buf, size, "%s", o->events);
		else
			put(buf, size, "%s%s%s", o->events, o->events[0] ? "; " : "", st);
		break;
	case KS_FORK:
		if (o->npm < 3) {
			put(buf, size, "?");
			break;
		}
		if (!strcmp(b->fields, o->pm[2].fields))
			put(buf, size, "copied");
		else if (pm_none(&o->pm[2]))
			put(buf, size, "not copied");
		else
			put(buf, size, "child: %s", o->pm[2].sigsd);
		if (strcmp(b->fields, o->pm[1].fields)) {
			state_of(b, &o->pm[1], st, sizeof(st));
			cat(buf, size, "; parent %s", st);
		}
		break;
	case KS_TWO:
		if (o->npm < 3) {
			put(buf, size, "?");
			break;
		}
		state_of(b, &o->pm[1], st, sizeof(st));
		state_of(b, &o->pm[2], st2, sizeof(st2));
		if (!strcmp(st, "kept") && !strcmp(st2, "kept"))
			put(buf, size, "%s%skept", o->events, o->events[0] ? "; " : "");
		else
			put(buf, size, "%s%sr: %s, rw: %s", o->events, o->events[0] ? "; " : "", st, st2);
		break;
	case KS_GONE:
		put(buf, size, "%s", o->events[0] ? o->events : "torn down");
		break;
	case KS_PAGEMAP:
		put(buf, size, "%s", b->sigsd);
		break;
	case KS_SMAPS:
		smaps_text(o->smaps, buf, size);
		break;
	}
	if (o->defaults[0])
		cat(buf, size, " (default: %s)", o->defaults);
}

/* sd=? on a host without soft-dirty: the simulator's sd is not comparable. */
static void mask_sd(char *text)
{
	for (char *p = strstr(text, " sd="); p; p = strstr(p + 4, " sd="))
		if (p[4] == '0' || p[4] == '1')
			p[4] = '?';
}

/* ---- the matrix ---- */

static bool wanted(const struct opts *op, const char *name)
{
	if (!op->nonly)
		return true;
	for (int i = 0; i < op->nonly; i++)
		if (!strcmp(op->only[i], name))
			return true;
	return false;
}

static int do_cell(const struct vmsim_kind *k, const struct kop *kop, enum kvariant v, struct opts *op,
		   struct cell *c)
{
	struct outcome o, h;
	struct kscen s;
	char *sim_out = NULL, *host_out = NULL;
	int err;

	memset(c, 0, sizeof(*c));
	if ((kop->flags & KOP_SHMEM_ONLY) && v == KV_ANON) {
		put(c->sim, sizeof(c->sim), "n/a");
		return 0;
	}
	if (kinds_scenario(&s, k, kop, v))
		return -ENOMEM;
	err = run_sim(&s, op, &o, &sim_out);
	if (err) {
		kinds_scenario_free(&s);
		return err;
	}
	describe(&s, &o, c->sim, sizeof(c->sim), &c->internal);
	if (op->host && s.recipe->host && (kop->flags & KOP_SIM_ONLY))
		put(c->host, sizeof(c->host), "not run (simulator only)");
	if (op->host && s.host && o.status != VMS_MALFORMED) {
		bool dummy;

		err = run_host(&s, op, &h, &host_out);
		if (!err) {
			char hcell[CELL];

			describe(&s, &h, hcell, sizeof(hcell), &dummy);
			c->host_ran = true;
			if (host_out && sim_out && strstr(host_out, " sd=?"))
				mask_sd(sim_out);
			if (o.livelock && h.timeout) {
				c->host_agrees = true;
				put(c->host, sizeof(c->host), "agrees (the call never returns)");
			} else if (h.status == VMS_SKIP || h.status == VMS_MALFORMED) {
				c->host_ran = false;
				put(c->host, sizeof(c->host), "not run: %s", h.refused);
			} else if (h.status == o.status && host_out && sim_out && !strcmp(host_out, sim_out)) {
				c->host_agrees = true;
				put(c->host, sizeof(c->host), "agrees");
			} else {
				put(c->host, sizeof(c->host), "Linux: %s", hcell);
			}
		}
		free(host_out);
	}
	free(sim_out);
	kinds_scenario_free(&s);
	return err;
}

/* What an entry of k is, for the legend. */
static void kind_what(const struct vmsim_kind *k, char *buf, size_t size)
{
	const struct vmsim_kind_ops *o = vmsim_kind_ops(k);
	const struct krecipe *r = kinds_recipe(k);

	buf[0] = 0;
	if (vmsim_kind_marker(k))
		cat(buf, size, "PTE marker bit %#lx, priority %d", (unsigned long)vmsim_kind_marker(k), o->priority);
	if (vmsim_kind_swap_type(k) >= 0)
		cat(buf, size, "%sspecial swap type %d", buf[0] ? "; " : "", vmsim_kind_swap_type(k));
	if (o->types)
		cat(buf, size, "%ssoftleaf types %#x", buf[0] ? "; " : "", o->types);
	if (o->pte_bit || o->swp_bit)
		cat(buf, size, "%spte bit %#llx, swap pte bit %#llx", buf[0] ? "; " : "",
		    (unsigned long long)o->pte_bit, (unsigned long long)o->swp_bit);
	cat(buf, size, "; %s", vmsim_kind_builtin(k) ? "built in" : "loaded");
	if (!r->emit)
		cat(buf, size, "; exists only inside one operation: no rows");
	else
		cat(buf, size, "; created with %s", r->kind ? (r->host ? "a system call (host too)" : "its recipe")
							    : "`install` (simulator only)");
}

static void rule(const int *w, int n)
{
	for (int i = 0; i < n; i++) {
		for (int j = 0; j < w[i]; j++)
			putchar('-');
		putchar(i + 1 < n ? ' ' : '\n');
	}
}

static void row(const char *const *f, const int *w, int n, bool md)
{
	for (int i = 0; i < n; i++) {
		if (md)
			printf("| %s ", f[i]);
		else
			printf("%-*s%s", i + 1 < n ? w[i] : 0, f[i], i + 1 < n ? " " : "");
	}
	printf(md ? "|\n" : "\n");
}

static int matrix(struct opts *op, struct vmsim *vm)
{
	unsigned nk = vmsim_nr_kinds(vm);
	const char *head[5] = { "kind", "operation", "anonymous", "shmem", "Linux 6.18 (host)" };
	int ncol = op->host ? 5 : 4, w[5] = { 0 };
	struct cell(*cells)[KV_NR];
	int err = 0;

	cells = calloc((size_t)nk * kinds_nops, sizeof(*cells));
	if (!cells)
		return -ENOMEM;
	for (unsigned i = 0; i < nk && !err; i++) {
		const struct vmsim_kind *k = vmsim_kind_at(vm, i);

		if (!wanted(op, vmsim_kind_name(k)) || !kinds_recipe(k)->emit)
			continue;
		for (size_t j = 0; j < kinds_nops && !err; j++)
			for (int v = 0; v < KV_NR && !err; v++) {
				err = do_cell(k, &kinds_ops[j], (enum kvariant)v, op, &cells[i * kinds_nops + j][v]);
				op->bugs += cells[i * kinds_nops + j][v].internal;
			}
	}
	if (err) {
		free(cells);
		return err;
	}
	/* The legend. */
	if (op->md)
		printf("| kind | its entries |\n|---|---|\n");
	for (unsigned i = 0; i < nk; i++) {
		const struct vmsim_kind *k = vmsim_kind_at(vm, i);
		char what[200];

		if (!wanted(op, vmsim_kind_name(k)))
			continue;
		kind_what(k, what, sizeof(what));
		printf(op->md ? "| %s | %s |\n" : "%s: %s\n", vmsim_kind_name(k), what);
	}
	printf("\n");
	/* Column widths for the text form. */
	for (int c = 0; c < ncol; c++)
		w[c] = (int)strlen(head[c]);
	for (unsigned i = 0; i < nk; i++)
		for (size_t j = 0; j < kinds_nops; j++) {
			struct cell *c = cells[i * kinds_nops + j];
			int l;

			if (!wanted(op, vmsim_kind_name(vmsim_kind_at(vm, i))) || !kinds_recipe(vmsim_kind_at(vm, i))->emit)
				continue;
			l = (int)strlen(vmsim_kind_name(vmsim_kind_at(vm, i)));
			w[0] = l > w[0] ? l : w[0];
			l = (int)strlen(kinds_ops[j].title);
			w[1] = l > w[1] ? l : w[1];
			for (int v = 0; v < KV_NR; v++) {
				l = (int)strlen(c[v].sim);
				w[2 + v] = l > w[2 + v] ? l : w[2 + v];
			}
		}
	row(head, w, ncol, op->md);
	if (op->md)
		printf("%s\n", ncol == 5 ? "|---|---|---|---|---|" : "|---|---|---|---|");
	else
		rule(w, ncol);
	for (unsigned i = 0; i < nk; i++) {
		const struct vmsim_kind *k = vmsim_kind_at(vm, i);

		if (!wanted(op, vmsim_kind_name(k)) || !kinds_recipe(k)->emit)
			continue;
		for (size_t j = 0; j < kinds_nops; j++) {
			struct cell *c = cells[i * kinds_nops + j];
			char host[2 * CELL + 32] = "";
			const char *f[5];

			/* One text when both kinds of memory agree on it. */
			if (c[0].host[0] && c[1].host[0] && strcmp(c[0].host, c[1].host))
				put(host, sizeof(host), "anon: %s; shmem: %s", c[0].host, c[1].host);
			else
				put(host, sizeof(host), "%s", c[0].host[0] ? c[0].host : c[1].host);
			if (!host[0])
				put(host, sizeof(host), "%s", kinds_recipe(k)->host ? "—" : "not run (simulator only)");
			f[0] = vmsim_kind_name(k);
			f[1] = kinds_ops[j].title;
			f[2] = c[0].sim;
			f[3] = c[1].sim;
			f[4] = host;
			row(f, w, ncol, op->md);
		}
	}
	free(cells);
	return 0;
}

static int usage(void)
{
	fprintf(stderr, "usage: vmsim kinds [--md] [--no-host] [--kind KIND.so]... [--only KIND]...\n"
			"       vmsim kinds [--kind KIND.so]... --scenario KIND OP anon|shmem\n");
	return VMS_MALFORMED;
}

static int print_scenario(struct vmsim *vm, const char *kind, const char *opid, const char *var)
{
	const struct vmsim_kind *k = vmsim_kind_lookup(vm, kind);
	enum kvariant v = !strcmp(var, "anon") ? KV_ANON : KV_SHMEM;
	struct kscen s;

	if (!k) {
		fprintf(stderr, "vmsim kinds: no kind '%s'\n", kind);
		return VMS_MALFORMED;
	}
	if (!kinds_recipe(k)->emit) {
		fprintf(stderr, "vmsim kinds: no scenario leaves a '%s' entry between commands\n", kind);
		return VMS_MALFORMED;
	}
	if (strcmp(var, "anon") && strcmp(var, "shmem"))
		return usage();
	for (size_t j = 0; j < kinds_nops; j++) {
		if (strcmp(kinds_ops[j].id, opid))
			continue;
		if (kinds_scenario(&s, k, &kinds_ops[j], v))
			return VMS_BUG;
		fwrite(s.text, 1, s.len, stdout);
		kinds_scenario_free(&s);
		return VMS_OK;
	}
	fprintf(stderr, "vmsim kinds: no operation '%s' (", opid);
	for (size_t j = 0; j < kinds_nops; j++)
		fprintf(stderr, "%s%s", j ? " " : "", kinds_ops[j].id);
	fprintf(stderr, ")\n");
	return VMS_MALFORMED;
}

int vmsim_kinds_main(int argc, char **argv)
{
	struct opts op = { .host = true };
	const char *scen[3] = { NULL, NULL, NULL };
	char dir[] = "/tmp/vmsim-kinds-XXXXXX";
	struct vmsim_config cfg;
	struct vmsim *vm = NULL;
	int rc = VMS_OK, err;

	for (int i = 0; i < argc && !rc; i++) {
		if (!strcmp(argv[i], "--md"))
			op.md = true;
		else if (!strcmp(argv[i], "--no-host"))
			op.host = false;
		else if (!strcmp(argv[i], "--kind") && i + 1 < argc)
			rc = vmsim_tool_kind_open(&op.kinds, argv[++i]);
		else if (!strcmp(argv[i], "--only") && i + 1 < argc && op.nonly < 8)
			op.only[op.nonly++] = argv[++i];
		else if (!strcmp(argv[i], "--scenario") && i + 3 < argc)
			scen[0] = argv[i + 1], scen[1] = argv[i + 2], scen[2] = argv[i + 3], i += 3;
		else
			rc = usage();
	}
	if (rc)
		goto out;
	/* The machine every scenario's machine will be: its kinds, in order. */
	vmsim_config_init(&cfg);
	if (vmsim_new(&cfg, &vm) || vmsim_tool_kinds_init(vm, &op.kinds)) {
		fprintf(stderr, "vmsim kinds: cannot create a machine with these kinds\n");
		rc = VMS_MALFORMED;
		goto out;
	}
	if (scen[0]) {
		rc = print_scenario(vm, scen[0], scen[1], scen[2]);
		goto out;
	}
	for (int i = 0; i < op.nonly; i++) {
		if (!vmsim_kind_lookup(vm, op.only[i])) {
			fprintf(stderr, "vmsim kinds: no kind '%s'\n", op.only[i]);
			rc = VMS_MALFORMED;
			goto out;
		}
	}
	if (op.host && geteuid() != 0) {
		fprintf(stderr, "vmsim kinds: not root: the host column is left out (vmsim kernel needs root)\n");
		op.host = false;
	}
	if (op.host && !mkdtemp(dir)) {
		fprintf(stderr, "vmsim kinds: mkdtemp: %s\n", strerror(errno));
		op.host = false;
	}
	op.tmpdir = dir;
	err = matrix(&op, vm);
	if (op.host)
		rmdir(dir);
	if (err) {
		fprintf(stderr, "vmsim kinds: %s\n", strerror(-err));
		rc = VMS_BUG;
	} else if (op.bugs) {
		fprintf(stderr, "vmsim kinds: %d cell(s) are internal bugs\n", op.bugs);
		rc = VMS_BUG;
	}
out:
	vmsim_free(vm);
	vmsim_tool_kinds_close(&op.kinds);
	return rc;
}
