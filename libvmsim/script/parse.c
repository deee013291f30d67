/* The .vms parser: a whole script becomes a list of plain commands before
 * anything runs, so a malformed script runs nothing (docs/scenario.md). */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>

#define MAX_WORDS 64

struct vms_script {
	struct vms_cmd *cmds;
	size_t n, cap;
};

/* Names alive at this point of the script (the script is straight-line, so
 * "is P alive here" is a static question). */
struct names {
	char (*v)[VMS_NAME_MAX];
	size_t n, cap;
};

struct pctx {
	int line;
	char *err;
	size_t errlen;
	unsigned cpus;		/* from the machine line, for cpu= checks */
	bool any_cmd;
	struct names procs, files;
};

/* The key=value and bare words after a command's positional arguments. */
struct opts {
	int nkv, nflag;
	char *key[MAX_WORDS], *val[MAX_WORDS];
	char *flag[MAX_WORDS];
	bool kused[MAX_WORDS], fused[MAX_WORDS];
};

static int fail(struct pctx *p, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

static int fail(struct pctx *p, const char *fmt, ...)
{
	char why[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(why, sizeof(why), fmt, ap);
	va_end(ap);
	if (p->errlen)
		snprintf(p->err, p->errlen, "error line %d: %s", p->line, why);
	return 2;
}

/* ---- names ---- */

static bool names_has(const struct names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++)
		if (!strcmp(ns->v[i], s))
			return true;
	return false;
}

static int names_add(struct names *ns, const char *s)
{
	if (ns->n == ns->cap) {
		size_t cap = ns->cap ? ns->cap * 2 : 16;
		void *v = realloc(ns->v, cap * sizeof(*ns->v));

		if (!v)
			return -ENOMEM;
		ns->v = v;
		ns->cap = cap;
	}
	snprintf(ns->v[ns->n++], VMS_NAME_MAX, "%s", s);
	return 0;
}

static void names_del(struct names *ns, const char *s)
{
	for (size_t i = 0; i < ns->n; i++) {
		if (!strcmp(ns->v[i], s)) {
			memmove(ns->v[i], ns->v[ns->n - 1], VMS_NAME_MAX);
			ns->n--;
			return;
		}
	}
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

static int num(struct pctx *p, const char *what, const char *s, uint64_t *out)
{
	int e = parse_num(s, out);

	if (e == -ERANGE)
		return fail(p, "number too large for %s: '%s'", what, s);
	if (e)
		return fail(p, "bad number for %s: '%s'", what, s);
	return 0;
}

static int byteval(struct pctx *p, const char *what, const char *s, uint8_t *out)
{
	uint64_t v;

	if (num(p, what, s, &v))
		return 2;
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

static int name(struct pctx *p, const char *s, char *dst)
{
	if (!valid_name(s))
		return fail(p, "bad name '%s'", s);
	if (strlen(s) >= VMS_NAME_MAX)
		return fail(p, "name too long (at most %d characters): '%s'", VMS_NAME_MAX - 1, s);
	snprintf(dst, VMS_NAME_MAX, "%s", s);
	return 0;
}

static int proc(struct pctx *p, const char *s, char *dst)
{
	if (name(p, s, dst))
		return 2;
	if (!names_has(&p->procs, s))
		return fail(p, "unknown name '%s' (no such process)", s);
	return 0;
}

static int file(struct pctx *p, const char *s, char *dst)
{
	if (name(p, s, dst))
		return 2;
	if (!names_has(&p->files, s))
		return fail(p, "unknown name '%s' (no such file)", s);
	return 0;
}

/* A name that the command creates: it must not be in use. */
static int new_name(struct pctx *p, const struct names *ns, const char *s, char *dst)
{
	if (name(p, s, dst))
		return 2;
	if (names_has(ns, s))
		return fail(p, "name '%s' already in use", s);
	return 0;
}

static int prot(const char *s, unsigned *out)
{
	static const char *const names[] = { "none", "r", "rw", "rx", "rwx" };
	static const unsigned vals[] = { 0, VMS_PROT_READ, VMS_PROT_READ | VMS_PROT_WRITE,
		VMS_PROT_READ | VMS_PROT_EXEC, VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_EXEC };

	for (unsigned i = 0; i < 5; i++) {
		if (!strcmp(s, names[i])) {
			*out = vals[i];
			return 0;
		}
	}
	return -1;
}

static int pick(const char *s, const char *const *names, int n)
{
	for (int i = 0; i < n; i++)
		if (!strcmp(s, names[i]))
			return i;
	return -1;
}

static int cpu(struct pctx *p, const char *s, int *out)
{
	uint64_t v;

	if (num(p, "cpu", s, &v))
		return 2;
	if (v >= p->cpus)
		return fail(p, "cpu %llu does not exist (the machine has %u)",
			    (unsigned long long)v, p->cpus);
	*out = (int)v;
	return 0;
}

/* ---- options ---- */

static int split_opts(struct pctx *p, char **w, int nw, struct opts *o)
{
	memset(o, 0, sizeof(*o));
	for (int i = 0; i < nw; i++) {
		char *eq = strchr(w[i], '=');

		if (!eq) {
			o->flag[o->nflag++] = w[i];
			continue;
		}
		if (eq == w[i])
			return fail(p, "option without a key: '%s'", w[i]);
		*eq = 0;
		for (int j = 0; j < o->nkv; j++)
			if (!strcmp(o->key[j], w[i]))
				return fail(p, "option %s= given twice", w[i]);
		o->key[o->nkv] = w[i];
		o->val[o->nkv++] = eq + 1;
	}
	return 0;
}

/* The value of option key, or NULL; an empty value is malformed. */
static const char *opt(struct pctx *p, struct opts *o, const char *key, int *rc)
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

/* Index in names[] of the one bare word from that set, -1 if none, -2 (and
 * an error) if two are given. */
static int take_flag(struct pctx *p, struct opts *o, const char *const *names, int n, const char *what)
{
	int found = -1;

	for (int i = 0; i < o->nflag; i++) {
		int k = pick(o->flag[i], names, n);

		if (k < 0 || o->fused[i])
			continue;
		if (found >= 0) {
			fail(p, "%s given twice", what);
			return -2;
		}
		o->fused[i] = true;
		found = k;
	}
	return found;
}

static int take_prot(struct pctx *p, struct opts *o, unsigned *out, bool *found)
{
	*found = false;
	for (int i = 0; i < o->nflag; i++) {
		unsigned v;

		if (o->fused[i] || prot(o->flag[i], &v))
			continue;
		if (*found)
			return fail(p, "PROT given twice");
		o->fused[i] = true;
		*out = v;
		*found = true;
	}
	return 0;
}

static int opts_done(struct pctx *p, const struct opts *o)
{
	for (int i = 0; i < o->nkv; i++)
		if (!o->kused[i])
			return fail(p, "unknown option %s=", o->key[i]);
	for (int i = 0; i < o->nflag; i++)
		if (!o->fused[i])
			return fail(p, "unexpected word '%s'", o->flag[i]);
	return 0;
}

static int nargs(struct pctx *p, const char *cmd, int nw, int min, int max)
{
	if (nw < min)
		return fail(p, "%s: missing arguments", cmd);
	if (max >= 0 && nw > max)
		return fail(p, "%s: too many arguments", cmd);
	return 0;
}

static int aligned_range(struct pctx *p, const struct vms_cmd *c, bool need_len)
{
	if (c->addr % VMS_PAGE_SIZE)
		return fail(p, "address 0x%llx is not page aligned", (unsigned long long)c->addr);
	if (c->len % VMS_PAGE_SIZE)
		return fail(p, "length 0x%llx is not a multiple of the page size",
			    (unsigned long long)c->len);
	if (need_len && !c->len)
		return fail(p, "zero length");
	if (c->addr + c->len < c->addr)
		return fail(p, "range wraps around the address space");
	return 0;
}

/* ---- commands ---- */

static int parse_cmd(struct pctx *p, char **w, int nw, struct vms_cmd *c, bool wrapped);

static int cmd_machine(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	struct vmsim_config cfg;

	if (p->any_cmd)
		return fail(p, "machine must be the first command");
	vmsim_config_init(&cfg);
	for (int i = 1; i < nw; i++) {
		char *eq = strchr(w[i], '=');
		int e;

		if (!eq || eq == w[i])
			return fail(p, "machine: expected key=value, got '%s'", w[i]);
		*eq = 0;
		for (int j = 0; j < c->nkv; j++)
			if (!strcmp(c->kv[j].key, w[i]))
				return fail(p, "machine option %s= given twice", w[i]);
		if (strlen(w[i]) >= sizeof(c->kv[0].key))
			return fail(p, "unknown machine option %s=", w[i]);
		if (strlen(eq + 1) >= sizeof(c->kv[0].value))
			return fail(p, "machine option %s= value too long", w[i]);
		e = vmsim_config_set(&cfg, w[i], eq + 1);
		if (e == -ENOENT)
			return fail(p, "unknown machine option %s=", w[i]);
		if (e)
			return fail(p, "bad value for machine option %s=%s", w[i], eq + 1);
		if (c->nkv == VMS_MAX_MACHINE_OPTS)
			return fail(p, "machine: too many options");
		snprintf(c->kv[c->nkv].key, sizeof(c->kv[0].key), "%s", w[i]);
		snprintf(c->kv[c->nkv].value, sizeof(c->kv[0].value), "%s", eq + 1);
		c->nkv++;
	}
	p->cpus = cfg.cpus;
	return 0;
}

static int cmd_process(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	struct opts o;
	const char *v;
	int rc = 0;

	if (nargs(p, "process", nw, 2, -1) || new_name(p, &p->procs, w[1], c->name[0]) ||
	    split_opts(p, w + 2, nw - 2, &o))
		return 2;
	if ((v = opt(p, &o, "cpu", &rc)) && !rc && cpu(p, v, &c->cpu))
		return 2;
	return rc ? rc : opts_done(p, &o);
}

static int cmd_run(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	struct opts o;
	const char *v;
	int rc = 0;

	if (nargs(p, "run", nw, 2, -1) || proc(p, w[1], c->name[0]) ||
	    split_opts(p, w + 2, nw - 2, &o))
		return 2;
	v = opt(p, &o, "cpu", &rc);
	if (rc)
		return rc;
	if (!v)
		return fail(p, "run needs cpu=N");
	if (cpu(p, v, &c->cpu))
		return 2;
	return opts_done(p, &o);
}

static int cmd_file(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	static const char *const kinds[] = { "shmem", "disk", "dax" };
	struct opts o;
	const char *v;
	int rc = 0;

	if (nargs(p, "file", nw, 2, -1) || new_name(p, &p->files, w[1], c->name[0]) ||
	    split_opts(p, w + 2, nw - 2, &o))
		return 2;
	v = opt(p, &o, "size", &rc);
	if (rc)
		return rc;
	if (!v)
		return fail(p, "file needs size=SIZE");
	if (num(p, "size", v, &c->size))
		return 2;
	c->file_kind = VMS_FILE_SHMEM;
	if ((v = opt(p, &o, "kind", &rc)) && !rc) {
		int k = pick(v, kinds, 3);

		if (k < 0)
			return fail(p, "bad file kind '%s' (shmem, disk or dax)", v);
		c->file_kind = (enum vms_file_kind)k;
	}
	return rc ? rc : opts_done(p, &o);
}

/* PROC ADDR LEN, the start of most mapping commands. */
static int proc_addr_len(struct pctx *p, char **w, struct vms_cmd *c)
{
	if (proc(p, w[1], c->name[0]) || num(p, "ADDR", w[2], &c->addr) ||
	    num(p, "LEN", w[3], &c->len))
		return 2;
	return 0;
}

static int cmd_map(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	static const char *const share[] = { "private", "shared" };
	static const char *const anon[] = { "anon" };
	static const char *const pop[] = { "populate" };
	static const char *const lock[] = { "locked" };
	struct opts o;
	const char *v;
	bool has_prot;
	int rc = 0, k;

	if (nargs(p, "map", nw, 6, -1) || proc_addr_len(p, w, c) ||
	    split_opts(p, w + 4, nw - 4, &o))
		return 2;
	k = take_flag(p, &o, anon, 1, "anon");
	if (k == -2)
		return 2;
	v = opt(p, &o, "file", &rc);
	if (rc)
		return rc;
	if ((k == 0) == (v != NULL))
		return fail(p, "map needs exactly one of anon or file=NAME");
	if (k == 0)
		c->map_flags |= VMS_MAP_ANON;
	else if (file(p, v, c->name[1]))
		return 2;
	if ((v = opt(p, &o, "off", &rc)) && !rc) {
		if (c->map_flags & VMS_MAP_ANON)
			return fail(p, "off= only applies to a file mapping");
		if (num(p, "off", v, &c->off))
			return 2;
	}
	if (rc)
		return rc;
	k = take_flag(p, &o, share, 2, "private/shared");
	if (k == -2)
		return 2;
	if (k < 0)
		return fail(p, "map needs private or shared");
	if (k == 1)
		c->map_flags |= VMS_MAP_SHARED;
	if (take_prot(p, &o, &c->prot, &has_prot))
		return 2;
	if (!has_prot) {
		/* The likeliest reading of a stray word here is a misspelt PROT. */
		for (int i = 0; i < o.nflag; i++)
			if (!o.fused[i])
				return fail(p, "bad PROT '%s' (none r rw rx rwx)", o.flag[i]);
		return fail(p, "map needs a PROT (none r rw rx rwx)");
	}
	if ((k = take_flag(p, &o, pop, 1, "populate")) == -2)
		return 2;
	if (k == 0)
		c->map_flags |= VMS_MAP_POPULATE;
	if ((k = take_flag(p, &o, lock, 1, "locked")) == -2)
		return 2;
	if (k == 0)
		c->map_flags |= VMS_MAP_LOCKED;
	return opts_done(p, &o);
}

static int cmd_protect(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	if (nargs(p, "protect", nw, 5, 5) || proc_addr_len(p, w, c))
		return 2;
	if (prot(w[4], &c->prot))
		return fail(p, "bad PROT '%s' (none r rw rx rwx)", w[4]);
	return 0;
}

static int cmd_advise(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	static const char *const adv[] = { "dontneed", "remove", "pageout", "cold", "willneed",
		"populate_read", "populate_write", "guard_install", "guard_remove" };
	int k;

	if (nargs(p, "advise", nw, 5, 5) || proc_addr_len(p, w, c))
		return 2;
	k = pick(w[4], adv, 9);
	if (k < 0)
		return fail(p, "bad advice '%s'", w[4]);
	c->advice = (enum vms_advice)k;
	return 0;
}

static int cmd_fileio(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	struct opts o;
	const char *v;
	int rc = 0, first = 3;

	if (nargs(p, w[0], nw, c->op == VMS_FREAD ? 3 : 4, c->op == VMS_PUNCH ? 4 : -1) ||
	    file(p, w[1], c->name[0]) || num(p, "OFF", w[2], &c->addr))
		return 2;
	c->len = 1;
	if (c->op != VMS_FREAD || (nw > 3 && !strchr(w[3], '='))) {
		if (num(p, "LEN", w[3], &c->len))
			return 2;
		first = 4;
	}
	if (c->op == VMS_FREAD && !c->len)
		return fail(p, "fread: zero length");
	if (split_opts(p, w + first, nw - first, &o))
		return 2;
	if (c->op == VMS_FWRITE) {
		c->byte = 0xaa;
		if ((v = opt(p, &o, "byte", &rc)) && !rc) {
			if (byteval(p, "byte", v, &c->byte))
				return 2;
			c->has_byte = true;
		}
	} else if (c->op == VMS_FREAD) {
		if ((v = opt(p, &o, "expect", &rc)) && !rc) {
			if (byteval(p, "expect", v, &c->expect_value))
				return 2;
			c->expect = VMS_EXPECT_VALUE;
		}
	}
	return rc ? rc : opts_done(p, &o);
}

static int cmd_access(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	struct opts o;
	const char *v;
	int rc = 0, first = 3;

	if (nargs(p, w[0], nw, 3, -1) || proc(p, w[1], c->name[0]) ||
	    num(p, "ADDR", w[2], &c->addr))
		return 2;
	c->len = 1;
	if (nw > 3 && !strchr(w[3], '=')) {
		if (num(p, "LEN", w[3], &c->len))
			return 2;
		first = 4;
	}
	if (!c->len)
		return fail(p, "%s: zero length", w[0]);
	if (c->addr + c->len < c->addr)
		return fail(p, "range wraps around the address space");
	if (split_opts(p, w + first, nw - first, &o))
		return 2;
	if ((v = opt(p, &o, "cpu", &rc)) && !rc && cpu(p, v, &c->cpu))
		return 2;
	if (c->op == VMS_WRITE) {
		c->byte = 0xaa;
		if ((v = opt(p, &o, "byte", &rc)) && !rc) {
			if (byteval(p, "byte", v, &c->byte))
				return 2;
			c->has_byte = true;
		}
	}
	if ((v = opt(p, &o, "expect", &rc)) && !rc) {
		if (!strcmp(v, "SIGSEGV"))
			c->expect = VMS_EXPECT_SIGSEGV;
		else if (!strcmp(v, "SIGBUS"))
			c->expect = VMS_EXPECT_SIGBUS;
		else if (c->op == VMS_WRITE)
			return fail(p, "write: expect= is SIGSEGV or SIGBUS, not '%s'", v);
		else if (byteval(p, "expect", v, &c->expect_value))
			return 2;
		else
			c->expect = VMS_EXPECT_VALUE;
	}
	return rc ? rc : opts_done(p, &o);
}

static int cmd_touch(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	struct opts o;
	const char *v;
	int rc = 0;

	if (nargs(p, "touch", nw, 5, -1) || proc_addr_len(p, w, c) || aligned_range(p, c, true))
		return 2;
	if (!strcmp(w[4], "w"))
		c->touch_write = true;
	else if (strcmp(w[4], "r"))
		return fail(p, "touch: expected r or w, got '%s'", w[4]);
	if (split_opts(p, w + 5, nw - 5, &o))
		return 2;
	if ((v = opt(p, &o, "cpu", &rc)) && !rc && cpu(p, v, &c->cpu))
		return 2;
	return rc ? rc : opts_done(p, &o);
}

/* A comma list of names from set; bit i for set[i].  Empty or repeated is bad. */
static int bits(struct pctx *p, const char *what, const char *list, const char *const *set,
		int n, unsigned *out)
{
	char buf[256];
	char *save = NULL, *tok;

	if (strlen(list) >= sizeof(buf) || !*list)
		return fail(p, "bad %s '%s'", what, list);
	snprintf(buf, sizeof(buf), "%s", list);
	*out = 0;
	if (buf[strlen(buf) - 1] == ',')
		return fail(p, "bad %s '%s'", what, list);
	for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		int k = pick(tok, set, n);

		if (k < 0)
			return fail(p, "unknown %s '%s'", what, tok);
		if (*out & (1u << k))
			return fail(p, "%s '%s' given twice", what, tok);
		*out |= 1u << k;
	}
	if (!*out || list[0] == ',' || strstr(list, ",,"))
		return fail(p, "bad %s '%s'", what, list);
	return 0;
}

static int cmd_uffd(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	static const char *const subs[] = { "register", "unregister", "wp", "copy",
		"zeropage", "continue", "resolve" };
	static const char *const modes[] = { "missing", "wp", "minor" };
	static const char *const feats[] = { "event_fork", "event_remove", "event_unmap",
		"wp_unpopulated", "wp_async" };
	static const char *const wpw[] = { "wp" };
	static const char *const onoff[] = { "off", "on" };
	struct opts o;
	const char *v;
	int rc = 0, k, first = 5;

	if (nargs(p, "uffd", nw, 3, -1) || proc(p, w[1], c->name[0]))
		return 2;
	k = pick(w[2], subs, 7);
	if (k < 0)
		return fail(p, "unknown uffd command '%s'", w[2]);
	c->uffd_op = (enum vms_uffd_op)k;
	if (c->uffd_op == VMS_UFFD_RESOLVE) {
		static const struct { const char *key; const char *const names[2];
				      enum vms_resolve vals[2]; } r[3] = {
			{ "missing", { "zeropage", "copy" }, { VMS_RESOLVE_ZEROPAGE, VMS_RESOLVE_COPY } },
			{ "wp", { "unprotect", NULL }, { VMS_RESOLVE_UNPROTECT, 0 } },
			{ "minor", { "continue", NULL }, { VMS_RESOLVE_CONTINUE, 0 } },
		};
		enum vms_resolve *dst[3] = { &c->resolve_missing, &c->resolve_wp, &c->resolve_minor };

		if (split_opts(p, w + 3, nw - 3, &o))
			return 2;
		for (int i = 0; i < 3; i++) {
			if (!(v = opt(p, &o, r[i].key, &rc)) || rc)
				continue;
			if (!strcmp(v, "sigbus"))
				*dst[i] = VMS_RESOLVE_SIGBUS;
			else if (r[i].names[0] && !strcmp(v, r[i].names[0]))
				*dst[i] = r[i].vals[0];
			else if (r[i].names[1] && !strcmp(v, r[i].names[1]))
				*dst[i] = r[i].vals[1];
			else
				return fail(p, "bad uffd resolve %s=%s", r[i].key, v);
		}
		if (rc)
			return rc;
		if (!c->resolve_missing && !c->resolve_wp && !c->resolve_minor)
			return fail(p, "uffd resolve needs missing=, wp= or minor=");
		return opts_done(p, &o);
	}
	if (nargs(p, "uffd", nw, 5, -1) || num(p, "ADDR", w[3], &c->addr) ||
	    num(p, "LEN", w[4], &c->len))
		return 2;
	switch (c->uffd_op) {
	case VMS_UFFD_REGISTER:
		if (nargs(p, "uffd register", nw, 6, -1) ||
		    bits(p, "uffd mode", w[5], modes, 3, &c->uffd_modes))
			return 2;
		first = 6;
		break;
	case VMS_UFFD_WP:
		if (nargs(p, "uffd wp", nw, 6, 6))
			return 2;
		k = pick(w[5], onoff, 2);
		if (k < 0)
			return fail(p, "uffd wp: expected on or off, got '%s'", w[5]);
		c->uffd_wp = k;
		return 0;
	default:
		break;
	}
	if (split_opts(p, w + first, nw - first, &o))
		return 2;
	if (c->uffd_op == VMS_UFFD_REGISTER && (v = opt(p, &o, "features", &rc)) && !rc &&
	    bits(p, "uffd feature", v, feats, 5, &c->uffd_features))
		return 2;
	if (c->uffd_op == VMS_UFFD_COPY) {
		c->byte = 0xaa;
		if ((v = opt(p, &o, "byte", &rc)) && !rc) {
			if (byteval(p, "byte", v, &c->byte))
				return 2;
			c->has_byte = true;
		}
	}
	if (c->uffd_op == VMS_UFFD_COPY || c->uffd_op == VMS_UFFD_CONTINUE) {
		if ((k = take_flag(p, &o, wpw, 1, "wp")) == -2)
			return 2;
		c->uffd_wp = k == 0;
	}
	return rc ? rc : opts_done(p, &o);
}

static int cmd_show(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	static const char *const what[] = { "vmas", "pgtable", "tlb", "page", "stats" };
	int k;

	if (nargs(p, "show", nw, 2, 2 + VMS_MAX_SHOW_ARGS))
		return 2;
	k = pick(w[1], what, 5);
	if (k < 0)
		return fail(p, "show: unknown target '%s'", w[1]);
	c->show = (enum vms_show)k;
	for (int i = 2; i < nw; i++) {
		if (strlen(w[i]) >= VMS_NAME_MAX)
			return fail(p, "show: argument too long: '%s'", w[i]);
		snprintf(c->show_argv[c->show_argc++], VMS_NAME_MAX, "%s", w[i]);
	}
	return 0;
}

static int cmd_expect_pagemap(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	static const char *const keys[] = { "present", "swap", "file", "excl", "sd",
		"uffd_wp", "guard" };
	struct vms_pm_want *want = &c->want;
	int first = 5;

	/* w[0..1] = "expect pagemap" */
	if (nargs(p, "expect pagemap", nw, 5, -1) || proc(p, w[2], c->name[0]) ||
	    num(p, "ADDR", w[3], &c->addr))
		return 2;
	c->len = VMS_PAGE_SIZE;
	if (!strchr(w[4], '=')) {
		if (num(p, "LEN", w[4], &c->len))
			return 2;
		first = 5;
	} else {
		first = 4;
	}
	if (aligned_range(p, c, true))
		return 2;
	if (first >= nw)
		return fail(p, "expect pagemap needs at least one KEY=VAL");
	for (int i = first; i < nw; i++) {
		char *eq = strchr(w[i], '=');
		int k;

		if (!eq)
			return fail(p, "expect pagemap: expected KEY=VAL, got '%s'", w[i]);
		*eq = 0;
		if (!strcmp(w[i], "frame")) {
			const char *v = eq + 1;
			uint64_t lab;

			if (want->has_frame)
				return fail(p, "option frame= given twice");
			want->has_frame = true;
			if (!strcmp(v, "-")) {
				want->frame = VMS_FRAME_NONE;
			} else if (!strcmp(v, "zero")) {
				want->frame = VMS_FRAME_ZERO;
			} else if (v[0] == '#' && !parse_num(v + 1, &lab) && lab >= 1 &&
				   lab <= 0x7fffffff) {
				want->frame = VMS_FRAME_PAGE;
				want->label = (unsigned)lab;
			} else {
				return fail(p, "bad frame '%s' (-, zero or #K)", v);
			}
			continue;
		}
		k = pick(w[i], keys, VMS_PM_NKEYS);
		if (k < 0)
			return fail(p, "unknown pagemap key '%s'", w[i]);
		if (want->mask & (1u << k))
			return fail(p, "option %s= given twice", w[i]);
		if (strcmp(eq + 1, "0") && strcmp(eq + 1, "1"))
			return fail(p, "pagemap %s= must be 0 or 1, not '%s'", w[i], eq + 1);
		want->mask |= 1u << k;
		want->bit[k] = eq[1] == '1';
	}
	return 0;
}

static int cmd_expect(struct pctx *p, char **w, int nw, struct vms_cmd *c)
{
	static const char *const errs[] = { "EINVAL", "ENOMEM", "EEXIST", "EFAULT", "EPERM",
		"EBUSY", "EAGAIN", "ENOENT", "EBADF" };
	static const char *const wrappable[] = { "file", "fork", "map", "unmap", "protect",
		"remap", "advise", "punch", "fwrite", "fread", "uffd" };
	int rc;

	if (nargs(p, "expect", nw, 2, -1))
		return 2;
	if (!strcmp(w[1], "pagemap")) {
		c->op = VMS_EXPECT_PAGEMAP;
		return cmd_expect_pagemap(p, w, nw, c);
	}
	if (!strcmp(w[1], "same") || !strcmp(w[1], "differ")) {
		c->op = w[1][0] == 's' ? VMS_EXPECT_SAME : VMS_EXPECT_DIFFER;
		if (nargs(p, "expect same/differ", nw, 6, 6) || proc(p, w[2], c->name[0]) ||
		    num(p, "ADDR1", w[3], &c->addr) || proc(p, w[4], c->name[1]) ||
		    num(p, "ADDR2", w[5], &c->addr2))
			return 2;
		return 0;
	}
	if (strcmp(w[1], "error"))
		return fail(p, "unknown expect '%s' (pagemap, same, differ or error)", w[1]);
	c->op = VMS_EXPECT_ERROR;
	if (nargs(p, "expect error", nw, 4, -1))
		return 2;
	if (pick(w[2], errs, 9) < 0)
		return fail(p, "expect error: unknown errno name '%s'", w[2]);
	c->err = vmsim_errno_from_name(w[2]);
	if (pick(w[3], wrappable, 11) < 0)
		return fail(p, "expect error cannot wrap '%s' (it cannot fail with an errno)", w[3]);
	c->inner = calloc(1, sizeof(*c->inner));
	if (!c->inner)
		return -ENOMEM;
	rc = parse_cmd(p, w + 3, nw - 3, c->inner, true);
	return rc;
}

/*
 * Parse one command (words w[0..nw-1]) into c.  wrapped: inside `expect
 * error`, where the command is expected to fail, so a fork child or a file
 * it would create does not come to exist.
 */
static int parse_cmd(struct pctx *p, char **w, int nw, struct vms_cmd *c, bool wrapped)
{
	static const char *const cmds[] = { "machine", "process", "run", "fork", "exit", "file",
		"map", "unmap", "protect", "remap", "advise", "punch", "fwrite", "fread",
		"read", "write", "touch", "uffd", "clear_refs", "pagemap", "show", "expect" };
	int k = pick(w[0], cmds, (int)(sizeof(cmds) / sizeof(cmds[0])));
	int rc;

	c->line = p->line;
	c->cpu = -1;
	if (k < 0)
		return fail(p, "unknown command '%s'", w[0]);
	if (k < VMS_EXPECT_PAGEMAP)
		c->op = (enum vms_op)k;
	switch (k) {
	case VMS_MACHINE:
		return cmd_machine(p, w, nw, c);
	case VMS_PROCESS:
		if ((rc = cmd_process(p, w, nw, c)))
			return rc;
		return names_add(&p->procs, c->name[0]);
	case VMS_RUN:
		return cmd_run(p, w, nw, c);
	case VMS_FORK:
		if (nargs(p, "fork", nw, 3, 3) || proc(p, w[1], c->name[0]) ||
		    new_name(p, &p->procs, w[2], c->name[1]))
			return 2;
		return wrapped ? 0 : names_add(&p->procs, c->name[1]);
	case VMS_EXIT:
		if (nargs(p, "exit", nw, 2, 2) || proc(p, w[1], c->name[0]))
			return 2;
		names_del(&p->procs, c->name[0]);
		return 0;
	case VMS_FILE:
		if ((rc = cmd_file(p, w, nw, c)))
			return rc;
		return wrapped ? 0 : names_add(&p->files, c->name[0]);
	case VMS_MAP:
		return cmd_map(p, w, nw, c);
	case VMS_UNMAP:
		return nargs(p, "unmap", nw, 4, 4) || proc_addr_len(p, w, c) ? 2 : 0;
	case VMS_PROTECT:
		return cmd_protect(p, w, nw, c);
	case VMS_REMAP:
		if (nargs(p, "remap", nw, 5, 5) || proc_addr_len(p, w, c) ||
		    num(p, "NEW", w[4], &c->addr2))
			return 2;
		return 0;
	case VMS_ADVISE:
		return cmd_advise(p, w, nw, c);
	case VMS_PUNCH:
	case VMS_FWRITE:
	case VMS_FREAD:
		return cmd_fileio(p, w, nw, c);
	case VMS_READ:
	case VMS_WRITE:
		return cmd_access(p, w, nw, c);
	case VMS_TOUCH:
		return cmd_touch(p, w, nw, c);
	case VMS_UFFD:
		return cmd_uffd(p, w, nw, c);
	case VMS_CLEAR_REFS:
		if (nargs(p, "clear_refs", nw, 3, 3) || proc(p, w[1], c->name[0]))
			return 2;
		if (strcmp(w[2], "softdirty"))
			return fail(p, "clear_refs: only 'softdirty' is supported, not '%s'", w[2]);
		return 0;
	case VMS_PAGEMAP:
		if (nargs(p, "pagemap", nw, 4, 4) || proc_addr_len(p, w, c) ||
		    aligned_range(p, c, true))
			return 2;
		return 0;
	case VMS_SHOW:
		return cmd_show(p, w, nw, c);
	default:
		return cmd_expect(p, w, nw, c);
	}
}

/* Split a line into words in place; a word starting with '#' ends it. */
static int split_line(struct pctx *p, char *s, char **w, int *nw)
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
	struct pctx p = { .err = err, .errlen = errlen, .cpus = 4 };
	struct vms_script *s = calloc(1, sizeof(*s));
	char *buf = malloc(len + 1);
	char *line, *w[MAX_WORDS];
	int rc = 0, nw;

	*out = NULL;
	if (errlen)
		err[0] = 0;
	if (!s || !buf) {
		free(s);
		free(buf);
		return -ENOMEM;
	}
	line = buf;
	memcpy(buf, text, len);
	buf[len] = 0;
	/* A NUL inside a line would silently hide the rest of it. */
	if (memchr(buf, 0, len)) {
		const char *z = memchr(buf, 0, len);

		p.line = 1;
		for (const char *q = buf; q < z; q++)
			p.line += *q == '\n';
		rc = fail(&p, "NUL byte in the script");
		line = NULL;
	}
	for (p.line = 1; !rc && line; p.line++) {
		char *nl = memchr(line, '\n', len - (size_t)(line - buf));
		struct vms_cmd c;

		if (nl)
			*nl = 0;
		rc = split_line(&p, line, w, &nw);
		if (!rc && nw) {
			memset(&c, 0, sizeof(c));
			rc = parse_cmd(&p, w, nw, &c, false);
			if (rc) {
				free(c.inner);
			} else if ((rc = script_push(s, &c))) {
				free(c.inner);
			}
			p.any_cmd = true;
		}
		line = nl ? nl + 1 : NULL;
	}
	free(buf);
	free(p.procs.v);
	free(p.files.v);
	if (rc) {
		vms_script_free(s);
		return rc;
	}
	*out = s;
	return 0;
}

void vms_script_free(struct vms_script *s)
{
	if (!s)
		return;
	for (size_t i = 0; i < s->n; i++)
		free(s->cmds[i].inner);
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
	FILE *f = strcmp(path, "-") ? fopen(path, "rb") : stdin;
	size_t cap = 4096, n = 0;
	char *buf;

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
