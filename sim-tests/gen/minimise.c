/* Delta debugging (Zeller's ddmin, complements only) over the lines of a
 * failing script, then over the optional words of each remaining line.  A
 * candidate counts only if it still parses (vms_parse: dropping `process P`
 * makes every later use of P malformed, so such a candidate is skipped
 * without running) and fails with the same signature. */
#include <stdlib.h>
#include <string.h>

#include <vmsim/script.h>

#include "vmsgen.h"

struct lines {
	char **v;
	size_t n;
};

struct mctx {
	const struct vmsgen_runner *rn;
	const char *want;	/* signature to keep */
	FILE *log;
	unsigned tests;
};

static char *join(char *const *v, size_t n, const bool *skip, size_t *len)
{
	size_t total = 1, at = 0;
	char *s;

	for (size_t i = 0; i < n; i++)
		if (!skip || !skip[i])
			total += strlen(v[i]) + 1;
	s = malloc(total);
	if (!s)
		return NULL;
	for (size_t i = 0; i < n; i++) {
		size_t l;

		if (skip && skip[i])
			continue;
		l = strlen(v[i]);
		memcpy(s + at, v[i], l);
		s[at + l] = '\n';
		at += l + 1;
	}
	s[at] = 0;
	*len = at;
	return s;
}

/* Does this text parse and still fail the same way? */
static bool still_fails(struct mctx *m, const char *text, size_t len)
{
	struct vms_script *s;
	struct vmsgen_result r;
	char err[256];

	if (vms_parse(text, len, &s, err, sizeof(err)))
		return false;
	vms_script_free(s);
	m->tests++;
	if (vmsgen_run(m->rn, text, len, &r))
		return false;
	return !strcmp(r.sig, m->want);
}

static bool try_without(struct mctx *m, struct lines *l, size_t from, size_t to)
{
	bool *skip = calloc(l->n, sizeof(*skip));
	size_t len;
	char *text;
	bool ok;

	if (!skip)
		return false;
	for (size_t i = from; i < to; i++)
		skip[i] = true;
	text = join(l->v, l->n, skip, &len);
	ok = text && still_fails(m, text, len);
	free(text);
	if (ok) {
		for (size_t i = from; i < to; i++)
			free(l->v[i]);
		memmove(l->v + from, l->v + to, (l->n - to) * sizeof(*l->v));
		l->n -= to - from;
	}
	free(skip);
	return ok;
}

static void ddmin(struct mctx *m, struct lines *l)
{
	size_t gran = 2;

	while (l->n >= 2) {
		size_t chunk = (l->n + gran - 1) / gran;
		bool cut = false;

		for (size_t start = 0; start < l->n; start += chunk) {
			size_t end = start + chunk < l->n ? start + chunk : l->n;

			if (try_without(m, l, start, end)) {
				cut = true;
				break;
			}
		}
		if (cut) {
			gran = gran > 2 ? gran - 1 : 2;
			continue;
		}
		if (chunk == 1)
			break;
		gran = gran * 2 < l->n ? gran * 2 : l->n;
	}
}

/* Drop single words (options, flags, machine settings) that the failure
 * does not need: words from the third on, and machine options. */
static void shrink_words(struct mctx *m, struct lines *l)
{
	for (size_t i = 0; i < l->n; i++) {
		size_t first = strncmp(l->v[i], "machine", 7) ? 2 : 1;
		size_t w = first;

		for (;;) {
			char *line = l->v[i], *p = line, *start = NULL, *cand, *text;
			size_t k = 0, len;
			bool ok;

			/* find word w */
			while (*p) {
				while (*p == ' ')
					p++;
				if (!*p)
					break;
				if (k == w) {
					start = p;
					break;
				}
				while (*p && *p != ' ')
					p++;
				k++;
			}
			if (!start)
				break;
			p = start;
			while (*p && *p != ' ')
				p++;
			cand = malloc(strlen(line) + 1);
			if (!cand)
				return;
			memcpy(cand, line, (size_t)(start - line));
			strcpy(cand + (start - line), *p ? p + 1 : p);
			for (size_t e = strlen(cand); e && cand[e - 1] == ' ';)
				cand[--e] = 0;
			l->v[i] = cand;
			text = join(l->v, l->n, NULL, &len);
			ok = text && still_fails(m, text, len);
			free(text);
			if (ok) {
				free(line);
			} else {
				l->v[i] = line;
				free(cand);
				w++;
			}
		}
	}
}

char *vmsgen_minimise(const struct vmsgen_runner *rn, const char *text, size_t text_len,
		      const struct vmsgen_result *r, FILE *log)
{
	struct mctx m = { .rn = rn, .want = r->sig, .log = log };
	struct lines l = { 0 };
	char *copy = strndup(text, text_len), *out;
	const char *p = copy;
	size_t before, len;

	if (!copy)
		return NULL;

	/* Lines without comments and blank lines. */
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		const char *h = memchr(p, '#', n);
		char **v;

		while (h && h > p && h[-1] != ' ' && h[-1] != '\t')
			h = memchr(h + 1, '#', n - (size_t)(h + 1 - p));
		if (h)
			n = (size_t)(h - p);
		while (n && (p[n - 1] == ' ' || p[n - 1] == '\t' || p[n - 1] == '\r'))
			n--;
		if (n) {
			v = realloc(l.v, (l.n + 1) * sizeof(*v));
			if (!v)
				break;
			l.v = v;
			l.v[l.n] = strndup(p, n);
			if (!l.v[l.n])
				break;
			l.n++;
		}
		p = e ? e + 1 : p + strlen(p);
	}
	free(copy);
	before = l.n;
	ddmin(&m, &l);
	shrink_words(&m, &l);
	ddmin(&m, &l);
	if (log)
		fprintf(log, "minimised %zu lines to %zu in %u runs\n", before, l.n, m.tests);
	out = join(l.v, l.n, NULL, &len);
	for (size_t i = 0; i < l.n; i++)
		free(l.v[i]);
	free(l.v);
	return out;
}
