/* `vmsim replay TRACE`: a real program's memory accesses, recorded by
 * valgrind's lackey (`valgrind --tool=lackey --trace-mem=yes PROG`), run
 * through the simulated MMU: every page is anonymous memory mapped on first
 * touch, and the TLBs, walks and faults are counted per CPU — the
 * trace-driven use of architecture simulators, on Linux's page tables. */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>
#include "vmsim_tool.h"

#define BATCH	4096
/* A first touch maps this much around it (merged with neighbours). */
#define CHUNK	(64ULL << 10)
/* mmap_min_addr: lackey traces never need below it; such accesses are
 * counted and skipped. */
#define MIN_ADDR 0x10000ULL

struct replay {
	struct vmsim *vm;
	struct vmsim_mm *mm;
	unsigned cpus, switch_every;
	uint64_t lines, accesses, skipped, mapped_chunks, bad_lines;
	double sim_s;		/* --time: CPU seconds inside vmsim_access_many */
};

static double clock_s(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU time of the process: on a shared machine, what the replay itself
 * cost (wall time also counts other processes' turns). */
static double now_s(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

static int replay_usage(void)
{
	fprintf(stderr, "usage: vmsim replay TRACE|- [--cpus N] [--switch N] [--machine 'KEY=VAL ...'] [--time]\n"
			"  TRACE: valgrind --tool=lackey --trace-mem=yes output (lines 'I|L|S|M ADDR,SIZE')\n"
			"  --switch N: move the process to the next CPU every N accesses (default: stay on CPU 0)\n"
			"  --time: the run's time and rate on stderr (a measurement, not a result)\n");
	return VMS_MALFORMED;
}

/* First touch: map an anonymous rwx chunk around addr (its page alone if
 * the chunk would overlap another mapping). */
static int map_around(struct replay *r, uint64_t addr)
{
	const int prot = VMSIM_PROT_READ | VMSIM_PROT_WRITE | VMSIM_PROT_EXEC;
	const int flags = VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS;
	uint64_t base = addr & ~(CHUNK - 1);
	int err;

	if (base < MIN_ADDR)
		base = MIN_ADDR;
	err = vmsim_mmap(r->mm, base, CHUNK, prot, flags, NULL, 0);
	if (err == -EEXIST)
		err = vmsim_mmap(r->mm, addr & PAGE_MASK, PAGE_SIZE, prot, flags, NULL, 0);
	if (!err)
		r->mapped_chunks++;
	return err;
}

/* Run a batch; on a SIGSEGV (no mapping yet) map and go on from there. */
static int run_batch(struct replay *r, struct vmsim_access_req *q, size_t n)
{
	size_t done = 0;

	while (done < n) {
		int res = VMSIM_ACCESS_OK;
		double t0 = now_s();
		long k = vmsim_access_many(r->mm, q + done, n - done, &res);

		r->sim_s += now_s() - t0;

		if (k < 0)
			return (int)k;
		done += (size_t)k;
		if (res == VMSIM_ACCESS_OK)
			break;
		if (res != VMSIM_ACCESS_SIGSEGV) {
			fprintf(stderr, "vmsim replay: access at %#" PRIx64 ": %s\n", q[done].addr,
				vmsim_access_result_name(res));
			return -EFAULT;
		}
		if (map_around(r, q[done].addr)) {
			fprintf(stderr, "vmsim replay: cannot map %#" PRIx64 "\n", q[done].addr);
			return -ENOMEM;
		}
	}
	r->accesses += n;
	return 0;
}

static bool is_space(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\v' || c == '\f' || c == '\r';
}

/* Hex digit values, -1 for anything else (a table: the parse is the
 * replay's inner loop). */
static signed char hex_val[256];

static void hex_init(void)
{
	memset(hex_val, -1, sizeof(hex_val));
	for (int i = 0; i < 10; i++)
		hex_val['0' + i] = (signed char)i;
	for (int i = 0; i < 6; i++)
		hex_val['a' + i] = hex_val['A' + i] = (signed char)(10 + i);
}

static int hex_digit(char c)
{
	return hex_val[(unsigned char)c];
}

/* sscanf(line, "%c %" SCNx64 ",%u") by hand: the replay reads tens of
 * millions of lines, and sscanf costs more than simulating the access.
 * The same lines parse: a character, optional white space, a hex number
 * (optional 0x), a comma, optional white space, a decimal number. */
static int scan_line(const char *p, char *kind, uint64_t *addr, unsigned *size)
{
	uint64_t a = 0;
	unsigned long sz = 0;
	int d, n = 0;

	if (!*p)
		return -1;
	*kind = *p++;
	while (is_space(*p))
		p++;
	if (p[0] == '0' && (p[1] | 0x20) == 'x' && hex_digit(p[2]) >= 0)
		p += 2;
	for (; (d = hex_digit(*p)) >= 0; p++, n++)
		a = a << 4 | (uint64_t)d;
	if (!n || *p++ != ',')
		return -1;
	while (is_space(*p))
		p++;
	if (*p == '+')
		p++;
	for (n = 0; *p >= '0' && *p <= '9'; p++, n++)
		sz = sz * 10 + (unsigned long)(*p - '0');
	if (!n)
		return -1;
	*addr = a;
	*size = (unsigned)sz;
	return 0;
}

/* Lines as fgets(line, 256, f) returns them (at most 255 characters, up
 * to and including a newline), from large reads and in place: stdio's
 * per-call cost was most of a replay.  The line is NUL-terminated in the
 * buffer (the character it covers is put back by the next call). */
#define LINE_MAX_CHARS	255

struct line_reader {
	FILE *f;
	size_t len, pos;
	char saved, *cut;
	char buf[(1 << 20) + 1];
};

static char *next_line(struct line_reader *lr)
{
	size_t n, avail;
	char *p, *nl;

	if (lr->cut) {
		*lr->cut = lr->saved;
		lr->cut = NULL;
	}
	if (lr->len - lr->pos <= LINE_MAX_CHARS) {
		memmove(lr->buf, lr->buf + lr->pos, lr->len - lr->pos);
		lr->len -= lr->pos;
		lr->pos = 0;
		lr->len += fread(lr->buf + lr->len, 1, sizeof(lr->buf) - 1 - lr->len, lr->f);
		lr->buf[lr->len] = 0;
	}
	avail = lr->len - lr->pos;
	if (!avail)
		return NULL;
	p = lr->buf + lr->pos;
	n = avail < LINE_MAX_CHARS ? avail : LINE_MAX_CHARS;
	/* Lines are short: a plain loop beats a memchr call. */
	for (nl = p; nl < p + n && *nl != '\n'; nl++)
		;
	if (nl < p + n)
		n = (size_t)(nl - p) + 1;
	lr->pos += n;
	lr->cut = p + n;
	lr->saved = *lr->cut;
	*lr->cut = 0;
	return p;
}

/* One lackey line: "I  04012a4,3", " L 7ff000398,8", " S ...", " M ...". */
static int parse_line(const char *line, struct vmsim_access_req *q, int *nq)
{
	char kind;
	uint64_t addr;
	unsigned size;

	while (*line == ' ')
		line++;
	if (scan_line(line, &kind, &addr, &size) || !size)
		return -1;
	*nq = 1;
	q[0] = (struct vmsim_access_req){ .addr = addr, .size = size, .cpu = -1 };
	switch (kind) {
	case 'I':
		q[0].kind = VMSIM_ACC_FETCH;
		return 0;
	case 'L':
		q[0].kind = VMSIM_ACC_LOAD;
		return 0;
	case 'S':
		q[0].kind = VMSIM_ACC_STORE;
		return 0;
	case 'M':	/* modify: a load, then a store */
		q[0].kind = VMSIM_ACC_LOAD;
		q[1] = q[0];
		q[1].kind = VMSIM_ACC_STORE;
		*nq = 2;
		return 0;
	}
	return -1;
}

static int set_machine(struct vmsim_config *cfg, const char *words)
{
	char buf[512], *save = NULL;

	if (strlen(words) >= sizeof(buf))
		return -EINVAL;
	strcpy(buf, words);
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');

		if (!eq)
			return -EINVAL;
		*eq = 0;
		if (vmsim_config_set(cfg, w, eq + 1))
			return -EINVAL;
	}
	return 0;
}

int vmsim_replay_main(int argc, char **argv)
{
	struct replay r = { .cpus = 1 };
	struct vmsim_access_req *q;
	struct line_reader *lr = NULL;
	struct vmsim_config cfg;
	const char *path = NULL, *machine = NULL;
	bool timed = false;
	double t0 = now_s(), w0 = clock_s(CLOCK_MONOTONIC);
	size_t nq = 0;
	char *line;
	FILE *f;
	int rc = 0;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--cpus") && i + 1 < argc)
			r.cpus = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--switch") && i + 1 < argc)
			r.switch_every = (unsigned)strtoul(argv[++i], NULL, 0);
		else if (!strcmp(argv[i], "--machine") && i + 1 < argc)
			machine = argv[++i];
		else if (!strcmp(argv[i], "--time"))
			timed = true;
		else if (!path && (argv[i][0] != '-' || !argv[i][1]))
			path = argv[i];
		else
			return replay_usage();
	}
	if (!path || !r.cpus || r.cpus > VMSIM_MAX_CPUS)
		return replay_usage();
	vmsim_config_init(&cfg);
	cfg.cpus = r.cpus;
	cfg.check = VMSIM_CHECK_OFF;	/* a replay is a measurement */
	cfg.data = false;
	cfg.ram = 1ULL << 30;
	if (machine && set_machine(&cfg, machine)) {
		fprintf(stderr, "vmsim replay: bad --machine '%s'\n", machine);
		return VMS_MALFORMED;
	}
	hex_init();
	f = strcmp(path, "-") ? fopen(path, "r") : stdin;
	if (!f) {
		fprintf(stderr, "vmsim replay: %s: %s\n", path, strerror(errno));
		return VMS_MALFORMED;
	}
	q = calloc(BATCH + 1, sizeof(*q));
	if (!q || vmsim_new(&cfg, &r.vm) || vmsim_mm_new(r.vm, &r.mm)) {
		fprintf(stderr, "vmsim replay: cannot create the machine\n");
		rc = VMS_BUG;
		goto out;
	}
	lr = malloc(sizeof(*lr));
	if (!lr) {
		rc = VMS_BUG;
		goto out;
	}
	lr->f = f;
	lr->len = lr->pos = 0;
	lr->cut = NULL;
	while ((line = next_line(lr))) {
		int n;

		r.lines++;
		/* lackey's header and valgrind's own lines start with '=' */
		if (line[0] == '=' || line[0] == '\n')
			continue;
		if (parse_line(line, q + nq, &n)) {
			r.bad_lines++;
			continue;
		}
		if (q[nq].addr < MIN_ADDR) {
			r.skipped += (uint64_t)n;
			continue;
		}
		for (int j = 0; j < n; j++) {
			uint64_t k = r.accesses + nq + (uint64_t)j;

			if (r.switch_every)
				q[nq + (size_t)j].cpu = (int16_t)((k / r.switch_every) % r.cpus);
		}
		nq += (size_t)n;
		if (nq >= BATCH) {
			if (run_batch(&r, q, nq)) {
				rc = VMS_FAILED;
				goto out;
			}
			nq = 0;
		}
	}
	if (nq && run_batch(&r, q, nq))
		rc = VMS_FAILED;
	if (!rc && timed) {
		double t = now_s() - t0, w = clock_s(CLOCK_MONOTONIC) - w0;

		fprintf(stderr, "replay: CPU %.3f s (wall %.3f s), %.1f M accesses/s; in vmsim_access_many"
			" %.3f s, %.1f M accesses/s\n", t, w, t > 0 ? (double)r.accesses / t / 1e6 : 0.0, r.sim_s,
			r.sim_s > 0 ? (double)r.accesses / r.sim_s / 1e6 : 0.0);
	}
	if (!rc) {
		printf("replay: %" PRIu64 " lines, %" PRIu64 " accesses, %" PRIu64 " skipped below %#llx, "
		       "%" PRIu64 " unparsed, %" PRIu64 " first-touch mappings\n", r.lines, r.accesses, r.skipped,
		       (unsigned long long)MIN_ADDR, r.bad_lines, r.mapped_chunks);
		printf("%-4s %12s %12s %12s %12s %10s %10s\n", "cpu", "tlb_hits", "tlb_misses", "walks",
		       "faults", "fills", "evictions");
		for (unsigned c = 0; c < r.cpus; c++) {
			struct vmsim_cpu_stats st;

			vmsim_cpu_stats(r.vm, (int)c, &st);
			printf("%-4u %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %12" PRIu64 " %10" PRIu64 " %10" PRIu64 "\n",
			       c, st.tlb_hits, st.tlb_misses, st.walks, st.faults, st.tlb_fills, st.tlb_evictions);
		}
	}
out:
	if (f && f != stdin)
		fclose(f);
	free(q);
	free(lr);
	vmsim_free(r.vm);
	return rc;
}
