/* The .vms parser: a whole script becomes a list of plain commands before
 * anything runs, so a malformed script runs nothing (docs/scenario.md).
 * Which words a command takes comes from the command table (commands.c);
 * this file checks them.  Memory is the commands plus the names and words
 * they keep, allocated in chunks owned by the script. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include <vmsim/vmsim.h>

#include "script_internal.h"

#define MAX_WORDS 64

struct chunk {
	struct chunk *next;
	size_t used, cap;
	max_align_t data[];
};

/* An interned name or word, kept by the script. */
struct iname {
	UT_hash_handle hh;
	char s[];
};

struct vms_script {
	struct vms_cmd *cmds;
	size_t n, cap;
	struct chunk *chunks;
	struct iname *names;
};

/* A name alive at this point of the script: the script runs in order, so
 * "is P alive here" is a static question. */
struct live {
	const char *name;	/* interned: compared by pointer */
	UT_hash_handle hh;
};

struct vmsim__pctx {
	struct vms_script *s;
	int line;
	char *err;
	size_t errlen;
	unsigned cpus;		/* from the machine line, for cpu= checks */
	uint64_t task_size;	/* the machine's TASK_SIZE (levels=) */
	bool any_cmd;
	struct live *procs, *files, *devices;
	/* parallel blocks: open at block_line; branch_cpu of the current branch */
	int block_line;
	bool in_branch;
	int branch_cpu;
};

/* The key=value and bare words after a command's positional operands. */
struct vmsim__opts {
	int nkv, nflag;
	char *key[MAX_WORDS], *val[MAX_WORDS];
	char *flag[MAX_WORDS];
	bool kused[MAX_WORDS], fused[MAX_WORDS];
};

typedef struct vmsim__pctx pctx;
typedef struct vmsim__opts opts;

static int fail(pctx *p, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

static int fail(pctx *p, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (p->errlen)
		snprintf(p->err, p->errlen, "error line %d: %s", p->line, why);
	return VMS_MALFORMED;
}

/* ---- memory: chunks owned by the script ---- */

static void *alloc(struct vms_script *s, size_t n)
{
	struct chunk *c = s->chunks;

	n = (n + sizeof(max_align_t) - 1) & ~(sizeof(max_align_t) - 1);
	if (!c || c->cap - c->used < n) {
		size_t cap = n > 16384 ? n : 16384;

		c = malloc(sizeof(*c) + cap);
		if (!c)
			return NULL;
		c->cap = cap;
		c->used = 0;
		c->next = s->chunks;
		s->chunks = c;
	}
	c->used += n;
	return (char *)c->data + c->used - n;
}

/* The script's one copy of the string s (NULL when memory ran out). */
static const char *intern(struct vms_script *s, const char *str)
{
	struct iname *n;
	size_t len = strlen(str);

	HASH_FIND(hh, s->names, str, len, n);
	if (n)
		return n->s;
	n = alloc(s, sizeof(*n) + len + 1);
	if (!n)
		return NULL;
	memset(n, 0, sizeof(*n));
	memcpy(n->s, str, len + 1);
	HASH_ADD(hh, s->names, s[0], len, n);
	return n->s;
}

/* ---- names alive ---- */

static bool live_has(struct live *set, const char *name)
{
	struct live *l;

	HASH_FIND_PTR(set, &name, l);
	return l != NULL;
}

static int live_add(struct live **set, const char *name)
{
	struct live *l;

	if (live_has(*set, name))
		return 0;
	l = calloc(1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	l->name = name;
	HASH_ADD_PTR(*set, name, l);
	return 0;
}

static void live_del(struct live **set, const char *name)
{
	struct live *l;

	HASH_FIND_PTR(*set, &name, l);
	if (l) {
		HASH_DEL(*set, l);
		free(l);
	}
}

static void live_free(struct live **set)
{
	struct live *l, *t;

	HASH_ITER(hh, *set, l, t) {
		HASH_DEL(*set, l);
		free(l);
	}
}

/* ---- suggestions ---- */

static size_t edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b), row[64];

	if (la >= 63 || lb >= 63)
		return 99;
	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j], best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			diag = up;
			row[j] = best;
		}
	}
	return row[lb];
}

/* The word of list nearest to w, if it is near enough to be a typo. */
static const char *nearest(const char *w, const char *const *list)
{
	const char *best = NULL;
	size_t bd = 3;

	for (; list && *list; list++) {
		size_t d = edit_distance(w, *list);

		if (d < bd && d < strlen(w)) {
			bd = d;
			best = *list;
		}
	}
	return best;
}

/* " (did you mean 'x'?)" or "" into buf. */
static const char *hint(char *buf, size_t len, const char *w, const char *const *list, const char *suffix)
{
	const char *n = nearest(w, list);

	if (n)
		snprintf(buf, len, " (did you mean '%s%s'?)", n, suffix);
	else
		buf[0] = 0;
	return buf;
}

/* ---- words ---- */

/* Decimal or 0x hex, optional K/M/G (powers of 1024); nothing else.  A
 * leading 0 is still decimal: scripts have no octal. */
static int parse_num(const char *s, uint64_t *out)
{
	uint64_t v = 0;
	unsigned base = 10, shift = 0, digits = 0;

	if (s[0] == '0' && s[1] == 'x') {
		base = 16;
		s += 2;
	}
	for (; *s; s++, digits++) {
		unsigned d;

		if (*s >= '0' && *s <= '9')
			d = (unsigned)(*s - '0');
		else if (base == 16 && *s >= 'a' && *s <= 'f')
			d = (unsigned)(*s - 'a' + 10);
		else if (base == 16 && *s >= 'A' && *s <= 'F')
			d = (unsigned)(*s - 'A' + 10);
		else
			break;
		if (v > (UINT64_MAX - d) / base)
			return -ERANGE;
		v = v * base + d;
	}
	if (!digits)
		return -EINVAL;
	if (*s == 'K')
		shift = 10;
	else if (*s == 'M')
		shift = 20;
	else if (*s == 'G')
		shift = 30;
	if (shift)
		s++;
	if (*s)
		return -EINVAL;
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

static int num(pctx *p, const char *what, const char *s, uint64_t *out)
{
	int e = parse_num(s, out);

	if (e == -ERANGE)
		return fail(p, "number too large for %s: '%s'", what, s);
	if (e)
		return fail(p, "bad number for %s: '%s'", what, s);
	return 0;
}

static int byteval(pctx *p, const char *what, const char *s, uint8_t *out)
{
	uint64_t v;

	if (num(p, what, s, &v))
		return VMS_MALFORMED;
	if (v > 0xff)
		return fail(p, "%s must be a byte (0..0xff): '%s'", what, s);
	*out = (uint8_t)v;
	return 0;
}

static bool valid_name(const char *s)
{
	if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') || *s == '_'))
		return false;
	for (s++; *s; s++)
		if (!((*s >= 'A' && *s <= 'Z') || (*s >= 'a' && *s <= 'z') ||
		      (*s >= '0' && *s <= '9') || *s == '_'))
			return false;
	return true;
}

/* A valid name, interned into *dst. */
static int name(pctx *p, const char *s, const char **dst)
{
	if (!valid_name(s))
		return fail(p, "bad name '%s'", s);
	if (strlen(s) >= VMS_NAME_MAX)
		return fail(p, "name too long (at most %d characters): '%s'", VMS_NAME_MAX - 1, s);
	*dst = intern(p->s, s);
	return *dst ? 0 : -ENOMEM;
}

/* A name that must be alive in set. */
static int known(pctx *p, struct live *set, const char *what, const char *s, const char **dst)
{
	int rc = name(p, s, dst);

	if (rc)
		return rc;
	if (!live_has(set, *dst))
		return fail(p, "unknown name '%s' (no such %s)", s, what);
	return 0;
}

/* A name the command creates: it must not be in use. */
static int fresh(pctx *p, struct live *set, const char *s, const char **dst)
{
	int rc = name(p, s, dst);

	if (rc)
		return rc;
	if (live_has(set, *dst))
		return fail(p, "name '%s' already in use", s);
	return 0;
}

static int cpu(pctx *p, const char *s, int *out)
{
	uint64_t v;

	if (num(p, "cpu", s, &v))
		return VMS_MALFORMED;
	if (v >= p->cpus)
		return fail(p, "cpu %llu does not exist (the machine has %u)", (unsigned long long)v, p->cpus);
	*out = (int)v;
	return 0;
}

/* The names of a word list, for suggestions. */
static void word_names(const struct vmsim__word *list, const char **out, size_t max)
{
	size_t i = 0;

	for (; list->name && i + 1 < max; list++)
		out[i++] = list->name;
	out[i] = NULL;
}

static int enum_word(pctx *p, const char *what, const struct vmsim__word *list, const char *s, int *out)
{
	const char *names[32];
	char h[64];

	*out = vmsim__word_value(list, s);
	if (*out >= 0)
		return 0;
	word_names(list, names, 32);
	return fail(p, "bad %s '%s'%s", what, s, hint(h, sizeof(h), s, names, ""));
}

/* A comma list of words from list, OR-ed.  Empty or repeated is bad. */
static int bits(pctx *p, const char *what, const char *s, const struct vmsim__word *list, unsigned *out)
{
	const char *w = s;

	*out = 0;
	if (!*s || s[strlen(s) - 1] == ',')
		return fail(p, "bad %s '%s'", what, s);
	while (*w) {
		const char *comma = strchr(w, ',');
		size_t n = comma ? (size_t)(comma - w) : strlen(w);
		char tok[64];
		int v;

		if (!n || n >= sizeof(tok))
			return fail(p, "bad %s '%s'", what, s);
		memcpy(tok, w, n);
		tok[n] = 0;
		v = vmsim__word_value(list, tok);
		if (v < 0) {
			const char *names[32];
			char h[64];

			word_names(list, names, 32);
			return fail(p, "unknown %s '%s'%s", what, tok, hint(h, sizeof(h), tok, names, ""));
		}
		if (*out & (unsigned)v)
			return fail(p, "%s '%s' given twice", what, tok);
		*out |= (unsigned)v;
		w += n + (comma != NULL);
	}
	return 0;
}

static bool in_list(const char *w, const char *const *list)
{
	for (; list && *list; list++)
		if (!strcmp(w, *list))
			return true;
	return false;
}

/* ---- options ---- */

/* The value of option key (marked used), or NULL; an empty value is bad. */
static const char *opt(pctx *p, opts *o, const char *key, int *rc)
{
	for (int i = 0; i < o->nkv; i++) {
		if (!strcmp(o->key[i], key)) {
			o->kused[i] = true;
			if (!*o->val[i])
				*rc = fail(p, "empty value for %s=", key);
			return o->val[i];
		}
	}
	return NULL;
}

/* Is the bare word w given (marked used)? */
static bool flag(opts *o, const char *w)
{
	for (int i = 0; i < o->nflag; i++) {
		if (!strcmp(o->flag[i], w)) {
			o->fused[i] = true;
			return true;
		}
	}
	return false;
}

/* The first bare word not used yet, or NULL. */
static const char *stray(const opts *o)
{
	for (int i = 0; i < o->nflag; i++)
		if (!o->fused[i])
			return o->flag[i];
	return NULL;
}

/* Split the words after the positional operands; keys and flags must be
 * the command's (an unknown one is reported after the hook, which may
 * have a better message for a stray word). */
static int split_opts(pctx *p, const struct vmsim__spec *k, char **w, int nw, opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < nw; i++) {
		char *eq = strchr(w[i], '=');
		char h[80];

		if (!eq) {
			for (int j = 0; j < o->nflag; j++)
				if (!strcmp(o->flag[j], w[i]))
					return fail(p, "%s given twice", w[i]);
			o->flag[o->nflag++] = w[i];
			continue;
		}
		if (eq == w[i])
			return fail(p, "option without a key: '%s'", w[i]);
		*eq = 0;
		for (int j = 0; j < o->nkv; j++)
			if (!strcmp(o->key[j], w[i]))
				return fail(p, "option %s= given twice", w[i]);
		if (!in_list(w[i], k->pub.keys))
			return fail(p, "unknown %s %s=%s", k->key_what ? k->key_what : "option", w[i],
				    hint(h, sizeof(h), w[i], k->pub.keys, "="));
		o->key[o->nkv] = w[i];
		o->val[o->nkv++] = eq + 1;
	}
	return 0;
}

static int opts_done(pctx *p, const struct vmsim__spec *k, const opts *o)
{
	const char *w = stray(o);
	char h[80];

	if (w)
		return fail(p, "unexpected word '%s'%s", w, hint(h, sizeof(h), w, k->pub.flags, ""));
	return 0;
}

/* The options most commands share, applied from the table's key list. */
static int common_keys(pctx *p, struct vms_cmd *c, opts *o)
{
	const char *v;
	int rc = 0, k;

	if ((v = opt(p, o, "cpu", &rc)) && !rc && cpu(p, v, &c->cpu))
		return VMS_MALFORMED;
	if ((v = opt(p, o, "byte", &rc)) && !rc) {
		if (byteval(p, "byte", v, &c->byte))
			return VMS_MALFORMED;
		c->has_byte = true;
	}
	if ((v = opt(p, o, "size", &rc)) && !rc && num(p, "size", v, &c->size))
		return VMS_MALFORMED;
	if ((v = opt(p, o, "kind", &rc)) && !rc) {
		if (enum_word(p, "file kind", vmsim__file_kinds, v, &k))
			return VMS_MALFORMED;
		c->file_kind = (enum vms_file_kind)k;
	}
	if ((v = opt(p, o, "off", &rc)) && !rc && num(p, "off", v, &c->off))
		return VMS_MALFORMED;
	if ((v = opt(p, o, "file", &rc)) && !rc && known(p, p->files, "file", v, &c->name[1]))
		return VMS_MALFORMED;
	if ((v = opt(p, o, "features", &rc)) && !rc &&
	    bits(p, "uffd feature", v, vmsim__uffd_features, &c->uffd_features))
		return VMS_MALFORMED;
	if (!rc && flag(o, "wp"))
		c->uffd_wp = true;
	return rc;
}

/* ---- operands ---- */

static int operand(pctx *p, struct vms_cmd *c, char kind, const char *w)
{
	int k;

	switch (kind) {
	case 'P':
	case 'p':
		return known(p, p->procs, "process", w, &c->name[0]);
	case 'Q':
		return known(p, p->procs, "process", w, &c->name[1]);
	case 'N':
		return fresh(p, p->procs, w, &c->name[0]);
	case 'C':
		return fresh(p, p->procs, w, &c->name[1]);
	case 'F':
		return known(p, p->files, "file", w, &c->name[0]);
	case 'G':
		return fresh(p, p->files, w, &c->name[0]);
	case 'D':
		return known(p, p->devices, "device", w, &c->name[0]);
	case 'E':
		return fresh(p, p->devices, w, &c->name[0]);
	case 'A':
	case 'a':
		return num(p, "ADDR", w, &c->addr);
	case 'B':
		return num(p, c->op == VMS_REMAP ? "NEW" : "ADDR2", w, &c->addr2);
	case 'O':
		return num(p, "OFF", w, &c->addr);
	case 'Z':
		return num(p, "SIZE", w, &c->size);
	case 'L':
	case 'l':
		return num(p, "LEN", w, &c->len);
	case 'R':
		if ((k = vmsim__word_value(vmsim__prots, w)) < 0)
			return fail(p, "bad PROT '%s' (none r rw rx rwx)", w);
		c->prot = (unsigned)k;
		return 0;
	case 'V':
		if (enum_word(p, "advice", vmsim__advices, w, &k))
			return VMS_MALFORMED;
		c->advice = (enum vms_advice)k;
		return 0;
	case 'W':
		if (strcmp(w, "r") && strcmp(w, "w") && strcmp(w, "x"))
			return fail(p, "touch: expected r, w or x, got '%s'", w);
		c->touch_write = w[0] == 'w';
		c->touch_exec = w[0] == 'x';
		return 0;
	case 'S':
		if (strcmp(w, "on") && strcmp(w, "off"))
			return fail(p, "uffd wp: expected on or off, got '%s'", w);
		c->uffd_wp = !strcmp(w, "on");
		return 0;
	case 'M':
		return bits(p, "uffd mode", w, vmsim__uffd_modes, &c->uffd_modes);
	case 'K':
		if (strcmp(w, "softdirty"))
			return fail(p, "clear_refs: only 'softdirty' is supported, not '%s'", w);
		return 0;
	case 'T':
		if (!valid_name(w))
			return fail(p, "bad entry kind name '%s'", w);
		c->name[1] = intern(p->s, w);
		return c->name[1] ? 0 : -ENOMEM;
	default:
		return fail(p, "internal: operand kind '%c'", kind);
	}
}

/* ---- hooks: what the operand letters cannot say ---- */

int vmsim__hook_machine(pctx *p, struct vms_cmd *c, opts *o)
{
	struct vmsim_config cfg;
	struct vms_kv *kv;

	if (p->any_cmd)
		return fail(p, "machine must be the first command");
	kv = alloc(p->s, (size_t)(o->nkv ? o->nkv : 1) * sizeof(*kv));
	if (!kv)
		return -ENOMEM;
	vmsim_config_init(&cfg);
	for (int i = 0; i < o->nkv; i++) {
		int e = vmsim_config_set(&cfg, o->key[i], o->val[i]);

		if (e == -ENOENT)	/* in the table but not in this library */
			return fail(p, "unknown machine option %s=", o->key[i]);
		if (e)
			return fail(p, "bad value for machine option %s=%s", o->key[i], o->val[i]);
		kv[i].key = intern(p->s, o->key[i]);
		kv[i].value = intern(p->s, o->val[i]);
		if (!kv[i].key || !kv[i].value)
			return -ENOMEM;
		o->kused[i] = true;
	}
	c->kv = kv;
	c->nkv = o->nkv;
	p->cpus = cfg.cpus;
	/* TASK_SIZE_MAX: the top user page stays unmapped (x86-64). */
	p->task_size = (1ULL << (cfg.levels == 4 ? 47 : 56)) - VMS_PAGE_SIZE;
	return 0;
}

int vmsim__hook_run(pctx *p, struct vms_cmd *c, opts *o)
{
	(void)o;
	if (c->cpu < 0)
		return fail(p, "run needs cpu=N");
	return 0;
}

int vmsim__hook_file(pctx *p, struct vms_cmd *c, opts *o)
{
	int rc = 0;

	(void)c;
	if (!opt(p, o, "size", &rc))
		return fail(p, "file needs size=SIZE");
	return rc;
}

int vmsim__hook_map(pctx *p, struct vms_cmd *c, opts *o)
{
	const char *w;
	int rc = 0, nprot = 0;
	bool priv, shared;

	if (flag(o, "anon"))
		c->map_flags |= VMS_MAP_ANON;
	if (!(c->map_flags & VMS_MAP_ANON) == !c->name[1])
		return fail(p, "map needs exactly one of anon or file=NAME");
	if (opt(p, o, "off", &rc) && (c->map_flags & VMS_MAP_ANON))
		return fail(p, "off= only applies to a file mapping");
	priv = flag(o, "private");
	shared = flag(o, "shared");
	if (priv && shared)
		return fail(p, "private/shared given twice");
	if (!priv && !shared) {
		char h[64];

		if ((w = stray(o)) && vmsim__word_value(vmsim__prots, w) < 0)
			return fail(p, "map needs private or shared, not '%s'%s", w,
				    hint(h, sizeof(h), w, (const char *const[]){ "private", "shared", NULL }, ""));
		return fail(p, "map needs private or shared");
	}
	if (shared)
		c->map_flags |= VMS_MAP_SHARED;
	for (const struct vmsim__word *k = vmsim__prots; k->name; k++) {
		if (flag(o, k->name)) {
			c->prot = (unsigned)k->value;
			nprot++;
		}
	}
	if (nprot > 1)
		return fail(p, "PROT given twice");
	if (flag(o, "populate"))
		c->map_flags |= VMS_MAP_POPULATE;
	if (flag(o, "locked"))
		c->map_flags |= VMS_MAP_LOCKED;
	if (!nprot) {
		/* The likeliest reading of a stray word here is a misspelt PROT. */
		if ((w = stray(o)))
			return fail(p, "bad PROT '%s' (none r rw rx rwx)", w);
		return fail(p, "map needs a PROT (none r rw rx rwx)");
	}
	return rc;
}

/* read/write/fread/device read: LEN, and what expect= may be. */
int vmsim__hook_access(pctx *p, struct vms_cmd *c, opts *o)
{
	const char *v;
	int rc = 0;

	if (c->op == VMS_READ || c->op == VMS_WRITE || c->op == VMS_FREAD) {
		if (!c->len)
			return fail(p, "%s: zero length", vms_cmd_word(c));
		if (c->op != VMS_FREAD && c->addr + c->len < c->addr)
			return fail(p, "range wraps around the address space");
	}
	if (!(v = opt(p, o, "expect", &rc)) || rc)
		return rc;
	if (!strcmp(v, "SIGSEGV") || !strcmp(v, "SIGBUS")) {
		if (c->op != VMS_READ && c->op != VMS_WRITE)
			return fail(p, "%s: expect= is a byte value, not '%s'", vms_cmd_word(c), v);
		c->expect = v[3] == 'B' ? VMS_EXPECT_SIGBUS : VMS_EXPECT_SIGSEGV;
		return 0;
	}
	if (c->op == VMS_WRITE)
		return fail(p, "write: expect= is SIGSEGV or SIGBUS, not '%s'", v);
	if (byteval(p, "expect", v, &c->expect_value))
		return VMS_MALFORMED;
	c->expect = VMS_EXPECT_VALUE;
	return 0;
}

static int aligned(pctx *p, uint64_t addr, uint64_t len)
{
	if (addr % VMS_PAGE_SIZE)
		return fail(p, "address 0x%llx is not page aligned", (unsigned long long)addr);
	if (len % VMS_PAGE_SIZE)
		return fail(p, "length 0x%llx is not a multiple of the page size", (unsigned long long)len);
	return 0;
}

/* touch/pagemap/expect pagemap: whole pages of the user address space. */
int vmsim__hook_range(pctx *p, struct vms_cmd *c, opts *o)
{
	(void)o;
	if (aligned(p, c->addr, c->len))
		return VMS_MALFORMED;
	if (!c->len)
		return fail(p, "zero length");
	if (c->addr + c->len < c->addr)
		return fail(p, "range wraps around the address space");
	if (c->addr + c->len > p->task_size)
		return fail(p, "range ends beyond the user address space (0x%llx)",
			    (unsigned long long)p->task_size);
	return 0;
}

int vmsim__hook_smaps(pctx *p, struct vms_cmd *c, opts *o)
{
	(void)o;
	return aligned(p, c->addr, 0);
}

int vmsim__hook_resolve(pctx *p, struct vms_cmd *c, opts *o)
{
	static const struct {
		const char *key;
		const char *names[3];
		enum vms_resolve vals[3];
	} r[3] = {
		{ "missing", { "zeropage", "copy", "sigbus" },
		  { VMS_RESOLVE_ZEROPAGE, VMS_RESOLVE_COPY, VMS_RESOLVE_SIGBUS } },
		{ "wp", { "unprotect", "sigbus", NULL }, { VMS_RESOLVE_UNPROTECT, VMS_RESOLVE_SIGBUS, 0 } },
		{ "minor", { "continue", "sigbus", NULL }, { VMS_RESOLVE_CONTINUE, VMS_RESOLVE_SIGBUS, 0 } },
	};
	enum vms_resolve *dst[3] = { &c->resolve_missing, &c->resolve_wp, &c->resolve_minor };
	int rc = 0;

	for (int i = 0; i < 3; i++) {
		const char *v = opt(p, o, r[i].key, &rc);

		if (!v || rc)
			continue;
		for (int j = 0; j < 3 && r[i].names[j]; j++)
			if (!strcmp(v, r[i].names[j]))
				*dst[i] = r[i].vals[j];
		if (!*dst[i])
			return fail(p, "bad uffd resolve %s=%s", r[i].key, v);
	}
	if (rc)
		return rc;
	if (!c->resolve_missing && !c->resolve_wp && !c->resolve_minor)
		return fail(p, "uffd resolve needs missing=, wp= or minor=");
	return 0;
}

/* A frame as `expect pagemap` and `show page` name it: -, zero or #K. */
static int frame_word(pctx *p, const char *v, struct vms_pm_want *want)
{
	uint64_t lab;

	want->has_frame = true;
	if (!strcmp(v, "-")) {
		want->frame = VMS_FRAME_NONE;
	} else if (!strcmp(v, "zero")) {
		want->frame = VMS_FRAME_ZERO;
	} else if (v[0] == '#' && !parse_num(v + 1, &lab) && lab >= 1 && lab <= 0x7fffffff) {
		want->frame = VMS_FRAME_PAGE;
		want->label = (unsigned)lab;
	} else {
		return fail(p, "bad frame '%s' (-, zero or #K)", v);
	}
	return 0;
}

/* show page frame=#K | pfn=N | PROC ADDR */
int vmsim__hook_show_page(pctx *p, struct vms_cmd *c, opts *o)
{
	const char *frame, *pfn;
	int rc = 0, forms;

	frame = opt(p, o, "frame", &rc);
	pfn = opt(p, o, "pfn", &rc);
	if (rc)
		return rc;
	forms = (frame != NULL) + (pfn != NULL) + (c->name[0] != NULL);
	if (forms != 1)
		return fail(p, "show page: give frame=#K, pfn=N or PROC ADDR");
	if (frame) {
		c->show_page = VMS_SHOW_PAGE_LABEL;
		if (frame_word(p, frame, &c->want))
			return VMS_MALFORMED;
		if (c->want.frame != VMS_FRAME_PAGE)
			return fail(p, "show page: frame= takes #K");
	} else if (pfn) {
		c->show_page = VMS_SHOW_PAGE_PFN;
		if (num(p, "pfn", pfn, &c->addr2))
			return VMS_MALFORMED;
	} else {
		c->show_page = VMS_SHOW_PAGE_ADDR;
	}
	return 0;
}

int vmsim__hook_expect_pagemap(pctx *p, struct vms_cmd *c, opts *o)
{
	struct vms_pm_want *want = &c->want;

	if (vmsim__hook_range(p, c, o))
		return VMS_MALFORMED;
	if (!o->nkv)
		return fail(p, "expect pagemap needs at least one KEY=VAL");
	for (int i = 0; i < o->nkv; i++) {
		const char *key = o->key[i], *v = o->val[i];
		unsigned k;

		o->kused[i] = true;
		if (!strcmp(key, "frame")) {
			if (frame_word(p, v, want))
				return VMS_MALFORMED;
			continue;
		}
		for (k = 0; k < VMS_PM_NKEYS && strcmp(key, vms_pm_key_name(k)); k++)
			;
		if (k == VMS_PM_NKEYS)
			return fail(p, "unknown pagemap key '%s'", key);
		if (strcmp(v, "0") && strcmp(v, "1"))
			return fail(p, "pagemap %s= must be 0 or 1, not '%s'", key, v);
		want->mask |= 1u << k;
		want->bit[k] = v[0] == '1';
	}
	return 0;
}

/* ---- commands ---- */

/* The names of the commands whose word starts with w0 (their subcommand
 * words when sub), for suggestions; *at: where the subcommand word is. */
static void group_words(const char *w0, bool sub, const char **out, size_t max, int *at)
{
	size_t n = 0;

	for (size_t i = 0; i < vmsim__nspecs && n + 1 < max; i++) {
		const char *word = vmsim__specs[i].pub.word, *sp = strchr(word, ' ');

		if (!sub && !sp) {
			out[n++] = word;
		} else if (sub && sp && !strncmp(word, w0, (size_t)(sp - word)) && !w0[sp - word]) {
			out[n++] = sp + 1;
			*at = vmsim__specs[i].sub_at;
		}
	}
	out[n] = NULL;
}

/* The table entry for this line's words, or NULL after an error. */
static const struct vmsim__spec *lookup(pctx *p, char **w, int nw)
{
	const struct vmsim__spec *plain = NULL;
	const char *words[64];
	bool group = false;
	char h[80];
	int at = 1;

	for (size_t i = 0; i < vmsim__nspecs; i++) {
		const struct vmsim__spec *k = &vmsim__specs[i];
		const char *sp = strchr(k->pub.word, ' ');
		size_t n = sp ? (size_t)(sp - k->pub.word) : strlen(k->pub.word);

		if (strncmp(k->pub.word, w[0], n) || w[0][n])
			continue;
		group = true;
		if (!sp)
			plain = k;
		else if (k->sub_at < nw && !strcmp(sp + 1, w[k->sub_at]))
			return k;
	}
	if (!group) {
		group_words(w[0], false, words, 64, &at);
		fail(p, "unknown command '%s'%s", w[0], hint(h, sizeof(h), w[0], words, ""));
		return NULL;
	}
	group_words(w[0], true, words, 64, &at);
	if (plain) {
		/* `device D` has no subcommand; `device D frob` names a bad one. */
		if (words[0] && at < nw && !strchr(w[at], '=')) {
			fail(p, "unknown %s command '%s'%s", w[0], w[at], hint(h, sizeof(h), w[at], words, ""));
			return NULL;
		}
		return plain;
	}
	if (at >= nw)
		fail(p, "%s: missing arguments", w[0]);
	else if (!strcmp(w[0], "expect"))
		fail(p, "unknown expect '%s' (pagemap, same, differ or error)%s", w[at],
		     hint(h, sizeof(h), w[at], words, ""));
	else if (!strcmp(w[0], "show"))
		fail(p, "show: unknown target '%s'%s", w[at], hint(h, sizeof(h), w[at], words, ""));
	else
		fail(p, "unknown %s command '%s'%s", w[0], w[at], hint(h, sizeof(h), w[at], words, ""));
	return NULL;
}

static int parse_cmd(pctx *p, char **w, int nw, struct vms_cmd *c, bool wrapped);

/* expect error ERRNO COMMAND... */
static int parse_expect_error(pctx *p, char **w, int nw, struct vms_cmd *c)
{
	const struct vms_command *k;
	struct vms_cmd *inner;
	const char *names[32];
	char h[64];
	int e, rc;

	if (nw < 4)
		return fail(p, "expect error: missing arguments");
	e = vmsim__word_value(vmsim__errnos, w[2]);
	if (e < 0) {
		word_names(vmsim__errnos, names, 32);
		return fail(p, "expect error: unknown errno name '%s'%s", w[2], hint(h, sizeof(h), w[2], names, ""));
	}
	c->err = -e;
	inner = alloc(p->s, sizeof(*inner));
	if (!inner)
		return -ENOMEM;
	memset(inner, 0, sizeof(*inner));
	rc = parse_cmd(p, w + 3, nw - 3, inner, true);
	if (rc)
		return rc;
	k = vms_command_of(inner);
	if (!k || !(k->attrs & VMS_CMD_WRAPPABLE))
		return fail(p, "expect error cannot wrap '%s' (it cannot fail with an errno)", k ? k->word : w[3]);
	c->inner = inner;
	return 0;
}

/*
 * Parse one command (words w[0..nw-1]) into c.  wrapped: inside `expect
 * error`, where the command is expected to fail, so a process, file or
 * device it would create does not come to exist.
 */
static int parse_cmd(pctx *p, char **w, int nw, struct vms_cmd *c, bool wrapped)
{
	const struct vmsim__spec *k = lookup(p, w, nw);
	char *pos[MAX_WORDS];
	int npos = 0, nreq = 0, nmax, first = 1, rc;
	bool rest;
	opts o;

	if (!k)
		return VMS_MALFORMED;
	c->line = p->line;
	c->cpu = -1;
	c->op = k->pub.op;
	c->byte = 0xaa;
	c->len = k->len;
	switch (c->op) {
	case VMS_UFFD:
		c->uffd_op = (enum vms_uffd_op)k->pub.sub;
		break;
	case VMS_DEVICE:
		c->device_op = (enum vms_device_op)k->pub.sub;
		break;
	case VMS_SHOW:
		c->show = (enum vms_show)k->pub.sub;
		break;
	case VMS_SWAPOFF:
	case VMS_SWAPON:
		c->name[0] = VMS_SWAP_AREA;	/* what their error lines name */
		break;
	default:
		break;
	}
	if (c->op == VMS_EXPECT_ERROR) {
		if (wrapped)
			return fail(p, "expect error cannot wrap 'expect'");
		return parse_expect_error(p, w, nw, c);
	}
	if (c->op == VMS_EXPECT_PAGEMAP || c->op == VMS_EXPECT_SAME || c->op == VMS_EXPECT_DIFFER ||
	    c->op == VMS_SHOW)
		first = 2;
	/* The positional operands: words up to the first key=value, at most
	 * strlen(args) of them ('*': all the rest, whatever they are). */
	rest = strchr(k->args, '*') != NULL;
	nmax = (int)strlen(k->args) - rest;
	for (const char *a = k->args; *a; a++)
		nreq += *a >= 'A' && *a <= 'Z';
	for (int i = first; i < nw; i++) {
		if (k->sub_at && i == k->sub_at)
			continue;
		if (npos >= nmax && !rest)
			break;
		if (!rest && strchr(w[i], '='))
			break;
		pos[npos++] = w[i];
		first = i + 1;
	}
	if (npos < nreq)
		return fail(p, "%s: missing arguments", k->pub.word);
	/* Optional operands come all or none (show pgtable P [ADDR LEN]),
	 * except one optional LEN. */
	if (nmax - nreq >= 2 && npos != nreq && npos != nmax)
		return fail(p, "%s: give all of %s or none", k->pub.word, k->pub.operands);
	if (k->sub_at && first <= k->sub_at && k->sub_at < nw)
		first = k->sub_at + 1;
	if (split_opts(p, k, w + first, nw - first, &o))
		return VMS_MALFORMED;
	if (!k->pub.flags && o.nflag) {
		if (k->own_keys || (nmax == 0 && k->pub.keys))
			return fail(p, "%s: expected KEY=VALUE, got '%s'", k->pub.word, o.flag[0]);
		return fail(p, "%s: too many arguments", k->pub.word);
	}
	for (int i = 0; i < npos && i < nmax; i++)
		if ((rc = operand(p, c, k->args[i], pos[i])))
			return rc;
	if (rest && npos > nmax) {
		const char **argv = alloc(p->s, (size_t)(npos - nmax) * sizeof(*argv));

		if (!argv)
			return -ENOMEM;
		for (int i = nmax; i < npos; i++)
			if (!(argv[i - nmax] = intern(p->s, pos[i])))
				return -ENOMEM;
		c->argv = argv;
		c->argc = npos - nmax;
	}
	if (!k->own_keys && (rc = common_keys(p, c, &o)))
		return rc;
	if (k->hook && (rc = k->hook(p, c, &o)))
		return rc;
	if (c->op == VMS_SHOW && c->show == VMS_SHOW_PGTABLE && npos == 2)
		return fail(p, "show pgtable: give both ADDR and LEN, or neither");
	if ((rc = opts_done(p, k, &o)))
		return rc;
	for (int i = 0; i < o.nkv; i++)
		if (!o.kused[i])
			return fail(p, "option %s= does not apply here", o.key[i]);
	/* A branch's commands run on its CPU. */
	if (p->in_branch && p->branch_cpu >= 0 && c->op != VMS_RUN && c->op != VMS_SHOW &&
	    c->op != VMS_BRANCH && c->op != VMS_END) {
		if (c->cpu >= 0 && c->cpu != p->branch_cpu)
			return fail(p, "cpu=%d in a branch that runs on cpu %d", c->cpu, p->branch_cpu);
		c->cpu = p->branch_cpu;
	}
	if (wrapped)
		return 0;
	switch (c->op) {
	case VMS_PROCESS:
		return live_add(&p->procs, c->name[0]);
	case VMS_FORK:
		return live_add(&p->procs, c->name[1]);
	case VMS_EXIT:
		live_del(&p->procs, c->name[0]);
		return 0;
	case VMS_FILE:
		return live_add(&p->files, c->name[0]);
	case VMS_DEVICE:
		return c->device_op == VMS_DEVICE_NEW ? live_add(&p->devices, c->name[0]) : 0;
	default:
		return 0;
	}
}

/* parallel / branch / end: blocks of branches, not nested. */
static int block(pctx *p, const struct vms_cmd *c)
{
	switch (c->op) {
	case VMS_PARALLEL:
		if (p->block_line)
			return fail(p, "parallel blocks do not nest (the block of line %d has no end yet)",
				    p->block_line);
		p->block_line = p->line;
		p->in_branch = false;
		return 0;
	case VMS_BRANCH:
		if (!p->block_line)
			return fail(p, "branch outside a parallel block");
		p->in_branch = true;
		p->branch_cpu = c->cpu;
		return 0;
	case VMS_END:
		if (!p->block_line)
			return fail(p, "end without parallel");
		if (!p->in_branch)
			return fail(p, "parallel block without a branch");
		p->block_line = 0;
		p->in_branch = false;
		return 0;
	case VMS_MACHINE:
		return 0;
	default:
		if (p->block_line && !p->in_branch)
			return fail(p, "a command in a parallel block must be in a branch");
		return 0;
	}
}

/* Split a line into words in place; a word starting with '#' ends it. */
static int split_line(pctx *p, char *s, char **w, int *nw)
{
	*nw = 0;
	for (;;) {
		while (*s == ' ' || *s == '\t' || *s == '\r')
			s++;
		if (!*s || *s == '#')
			return 0;
		if (*nw == MAX_WORDS)
			return fail(p, "too many words (at most %d)", MAX_WORDS);
		w[(*nw)++] = s;
		while (*s && *s != ' ' && *s != '\t' && *s != '\r')
			s++;
		if (*s)
			*s++ = 0;
	}
}

static int script_push(struct vms_script *s, const struct vms_cmd *c)
{
	if (s->n == s->cap) {
		size_t cap = s->cap ? s->cap * 2 : 32;
		struct vms_cmd *v = realloc(s->cmds, cap * sizeof(*v));

		if (!v)
			return -ENOMEM;
		s->cmds = v;
		s->cap = cap;
	}
	s->cmds[s->n++] = *c;
	return 0;
}

int vms_parse(const char *text, size_t len, struct vms_script **out, char *err, size_t errlen)
{
	pctx p = { .err = err, .errlen = errlen, .cpus = 4, .task_size = (1ULL << 56) - VMS_PAGE_SIZE };
	char *w[MAX_WORDS], *buf = NULL;
	size_t at = 0, bufcap = 0;
	int rc = 0, nw;

	if (!out || !text || (errlen && !err))
		return -EINVAL;
	*out = NULL;
	if (errlen)
		err[0] = 0;
	p.s = calloc(1, sizeof(*p.s));
	if (!p.s)
		return -ENOMEM;
	for (p.line = 1; !rc && at < len; p.line++) {
		const char *nl = memchr(text + at, '\n', len - at);
		size_t n = nl ? (size_t)(nl - (text + at)) : len - at;
		struct vms_cmd c;

		/* A NUL inside a line would silently hide the rest of it. */
		if (memchr(text + at, 0, n)) {
			rc = fail(&p, "NUL byte in the script");
			break;
		}
		if (n + 1 > bufcap) {
			char *nb = realloc(buf, n + 1);

			if (!nb) {
				rc = -ENOMEM;
				break;
			}
			buf = nb;
			bufcap = n + 1;
		}
		memcpy(buf, text + at, n);
		buf[n] = 0;
		at += n + (nl != NULL);
		rc = split_line(&p, buf, w, &nw);
		if (rc || !nw)
			continue;
		memset(&c, 0, sizeof(c));
		rc = parse_cmd(&p, w, nw, &c, false);
		if (!rc)
			rc = block(&p, &c);
		if (!rc)
			rc = script_push(p.s, &c);
		p.any_cmd = true;
	}
	if (!rc && p.block_line) {
		p.line = p.block_line;
		rc = fail(&p, "parallel block without end");
	}
	free(buf);
	live_free(&p.procs);
	live_free(&p.files);
	live_free(&p.devices);
	if (rc) {
		vms_script_free(p.s);
		return rc;
	}
	/* Keep no spare room: a long script is mostly its commands. */
	if (p.s->n && p.s->n < p.s->cap) {
		struct vms_cmd *v = realloc(p.s->cmds, p.s->n * sizeof(*v));

		if (v)
			p.s->cmds = v;
		p.s->cap = p.s->n;
	}
	*out = p.s;
	return 0;
}

void vms_script_free(struct vms_script *s)
{
	if (!s)
		return;
	HASH_CLEAR(hh, s->names);
	while (s->chunks) {
		struct chunk *c = s->chunks;

		s->chunks = c->next;
		free(c);
	}
	free(s->cmds);
	free(s);
}

size_t vms_script_count(const struct vms_script *s)
{
	return s ? s->n : 0;
}

const struct vms_cmd *vms_script_cmd(const struct vms_script *s, size_t i)
{
	return s && i < s->n ? &s->cmds[i] : NULL;
}

int vms_read_file(const char *path, char **text, size_t *len)
{
	FILE *f;
	size_t cap = 4096, n = 0;
	char *buf;

	if (!path || !text || !len)
		return -EINVAL;
	f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	if (!f)
		return -errno;
	buf = malloc(cap);
	while (buf) {
		size_t got = fread(buf + n, 1, cap - n, f);

		n += got;
		if (got == 0)
			break;
		if (n == cap) {
			char *nb = realloc(buf, cap * 2);

			if (!nb) {
				free(buf);
				buf = NULL;
				break;
			}
			buf = nb;
			cap *= 2;
		}
	}
	if (f != stdin)
		fclose(f);
	if (!buf)
		return -ENOMEM;
	*text = buf;
	*len = n;
	return 0;
}
