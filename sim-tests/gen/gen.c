/* The scenario generator: a random but always well-formed .vms script per
 * seed.  Operations aim at a few small address windows (some straddling a
 * page-table boundary), so maps, unmaps, protections, advice, userfaultfd
 * ranges and accesses overlap often.  Only expectations that must hold on
 * Linux are written: they live in "idioms", short self-contained blocks on
 * addresses no random operation touches (see the comment above idiom()). */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "vmsgen.h"

#define MAX_PROCS	6
#define MAX_FILES	3
#define MAX_DEVICES	2

#define NWIN		5	/* windows[] below */
#define WIN_PAGES	16

/* What the generator believes a process has mapped in each window (one bit
 * a page).  Only a guess: it steers ranges towards mappings, so most
 * operations do something; a wrong guess costs nothing but an errno. */
struct gproc {
	char name[16];
	bool uffd_open;		/* its first `uffd register` has been written */
	bool event_fork;	/* ... asking for event_fork */
	uint16_t mapped[NWIN];
	uint16_t shm[NWIN];	/* shmem behind it: shared anon or a shmem file */
	uint16_t disk[NWIN];	/* a disk file behind it: no userfaultfd there */
	uint16_t reg[NWIN];	/* registered with its userfaultfd */
};

struct gfile {
	char name[8];
	bool disk;
};

struct g {
	uint64_t rng;
	FILE *f;
	unsigned cpus;
	bool swap;		/* the machine has a swap device */
	bool swap_room;		/* ... of 16M: more than random pageouts can fill */
	bool uffd;		/* this script uses userfaultfd */
	bool big;		/* this script makes huge mappings */
	bool idioms;		/* memory is ample and data kept: expectations are safe */
	bool tiny;		/* ram= 1M..4M: pressure operations run it out */
	unsigned win[NWIN], nwin;	/* the windows this script works in */
	struct gproc procs[MAX_PROCS];
	unsigned nprocs;
	struct gfile files[MAX_FILES];
	unsigned nfiles;
	unsigned next_proc, next_file;
	unsigned idiom_no;
	unsigned ndevices;
	unsigned poisoned;		/* memory_failure commands so far */
	/* Inside a parallel block: commands take their branch's CPU (no cpu=
	 * of their own) and make or end no names, so that `vmsim explore`
	 * can interleave the branches too (docs/scenario.md). */
	bool in_branch;
};

/* splitmix64, as the library's own stream: the same on every host. */
static uint64_t rnd(struct g *g)
{
	uint64_t z = (g->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static unsigned below(struct g *g, unsigned n)
{
	return n ? (unsigned)(rnd(g) % n) : 0;
}

static bool chance(struct g *g, unsigned percent)
{
	return below(g, 100) < percent;
}

/* One of n weighted choices. */
static unsigned weighted(struct g *g, const unsigned *w, unsigned n)
{
	unsigned total = 0, r;

	for (unsigned i = 0; i < n; i++)
		total += w[i];
	r = below(g, total);
	for (unsigned i = 0; i < n; i++) {
		if (r < w[i])
			return i;
		r -= w[i];
	}
	return n - 1;
}

#define PICK(g, arr) ((arr)[below((g), sizeof(arr) / sizeof((arr)[0]))])

/*
 * The windows random operations aim at, 16 pages each:
 *   0x10000000     plain
 *   0x101f8000     straddles a 2 MiB (PMD) boundary
 *   0x7fff8000     straddles a 1 GiB (PUD) boundary
 *   0x7ffffff8000  straddles 512 GiB (a p4d entry, a pgd entry at 4 levels)
 *   0x7f0000000000 high
 * BIG (0x100000000000) holds the huge mappings of `big` scripts; idioms use
 * IDIOM (0x600000000000), which nothing else touches.
 */
static const uint64_t windows[NWIN] = { 0x10000000, 0x101f8000, 0x7fff8000, 0x7ffffff8000, 0x7f0000000000 };
#define BIG		((uint64_t)0x100000000000)
#define IDIOM		((uint64_t)0x600000000000)
#define PG		((uint64_t)4096)

static const char *const prots[] = { "none", "r", "rw", "rx", "rwx" };

static const char *prot(struct g *g)
{
	static const unsigned w[] = { 5, 15, 50, 10, 20 };

	return prots[weighted(g, w, 5)];
}

/* Rarely, a range the system calls must refuse cleanly: unaligned, empty,
 * or wrapping around. */
static void spoil(struct g *g, uint64_t *addr, uint64_t *len)
{
	if (chance(g, 2))
		*addr += 1 + below(g, PG - 1);
	if (chance(g, 1))
		*len = 0;
	if (chance(g, 1))
		*len = 0xfffffffffffff000ULL;
}

/* An address and a length in one of the script's windows; now and then a
 * page-table sized jump inside BIG. */
static void range(struct g *g, uint64_t *addr, uint64_t *len)
{
	uint64_t base = windows[g->win[below(g, g->nwin)]];
	unsigned off = below(g, WIN_PAGES);
	unsigned n = chance(g, 80) ? 1 + below(g, 6) : 1 + below(g, WIN_PAGES);

	if (g->big && chance(g, 15)) {
		/* Any 512 GiB entry of the 64 TiB mapping, then a pud, a pmd. */
		base = BIG + (uint64_t)below(g, 128) * (512ULL << 30) + (uint64_t)below(g, 4) * (16ULL << 30) +
		       (uint64_t)below(g, 3) * (2ULL << 20);
		if (chance(g, 30))
			base -= 2 * PG;	/* end of the previous table */
	}
	*addr = base + off * PG;
	*len = n * PG;
	spoil(g, addr, len);
}

/* Mostly a range that starts on (or just before) a page the process has
 * mapped, else any range. */
static void mapped_range(struct g *g, const struct gproc *p, uint64_t *addr, uint64_t *len)
{
	unsigned bits[NWIN * WIN_PAGES], n = 0, k, start;

	for (unsigned w = 0; w < NWIN; w++)
		for (unsigned i = 0; i < WIN_PAGES; i++)
			if (p->mapped[w] & (1u << i))
				bits[n++] = w * WIN_PAGES + i;
	if (!n || chance(g, 15)) {
		range(g, addr, len);
		return;
	}
	k = bits[below(g, n)];
	start = k % WIN_PAGES;
	if (start && chance(g, 15))
		start--;
	*addr = windows[k / WIN_PAGES] + start * PG;
	*len = (chance(g, 85) ? 1 + below(g, 4) : 1 + below(g, WIN_PAGES)) * PG;
	spoil(g, addr, len);
}

/* Mostly a range the process has nothing mapped in (so `map` works). */
static void free_range(struct g *g, const struct gproc *p, uint64_t *addr, uint64_t *len)
{
	for (int tries = 0; tries < 4 && chance(g, 85); tries++) {
		unsigned w = g->win[below(g, g->nwin)], off = below(g, WIN_PAGES);
		unsigned n = 1 + below(g, chance(g, 80) ? 6 : WIN_PAGES - off);
		unsigned bits = n >= WIN_PAGES ? 0xffffu : ((1u << n) - 1) << off;

		if (off + n > WIN_PAGES || (p->mapped[w] & bits))
			continue;
		*addr = windows[w] + off * PG;
		*len = n * PG;
		spoil(g, addr, len);
		return;
	}
	range(g, addr, len);
}

/* The window pages of [addr, addr + len) as bits: true if the range lies in
 * a window, page aligned and not empty. */
static bool window_bits(uint64_t addr, uint64_t len, unsigned *w, uint16_t *bits)
{
	for (unsigned i = 0; i < NWIN; i++) {
		uint64_t b = windows[i], e = b + WIN_PAGES * PG;

		if (addr < b || addr >= e || (addr & (PG - 1)) || !len || (len & (PG - 1)) || len > e - addr)
			continue;
		*w = i;
		*bits = (uint16_t)((((1u << (len / PG)) - 1) << ((addr - b) / PG)) & 0xffffu);
		return true;
	}
	return false;
}

static void model_map(struct gproc *p, uint64_t addr, uint64_t len, bool shm, bool disk)
{
	unsigned w;
	uint16_t b;

	if (window_bits(addr, len, &w, &b) && !(p->mapped[w] & b)) {
		p->mapped[w] |= b;
		if (shm)
			p->shm[w] |= b;
		if (disk)
			p->disk[w] |= b;
	}
}

static void model_unmap(struct gproc *p, uint64_t addr, uint64_t len)
{
	unsigned w;
	uint16_t b;

	if (window_bits(addr, len, &w, &b)) {
		p->mapped[w] &= (uint16_t)~b;
		p->shm[w] &= (uint16_t)~b;
		p->disk[w] &= (uint16_t)~b;
		p->reg[w] &= (uint16_t)~b;
	}
}

/* A run of set pages of bits (at most 1..6 of them), starting on a random
 * one; false if none is set. */
static bool run_range(struct g *g, const uint16_t *bits, uint64_t *addr, uint64_t *len)
{
	unsigned set[NWIN * WIN_PAGES], n = 0, k, w, i, max = 1 + below(g, 6), len_pages = 0;

	for (w = 0; w < NWIN; w++)
		for (i = 0; i < WIN_PAGES; i++)
			if (bits[w] & (1u << i))
				set[n++] = w * WIN_PAGES + i;
	if (!n)
		return false;
	k = set[below(g, n)];
	w = k / WIN_PAGES;
	/* Often the whole run, from its first page. */
	if (chance(g, 40))
		while (k % WIN_PAGES && (bits[w] & (1u << (k % WIN_PAGES - 1))))
			k--;
	for (i = k % WIN_PAGES; i < WIN_PAGES && len_pages < max && (bits[w] & (1u << i)); i++)
		len_pages++;
	*addr = windows[w] + (uint64_t)(k % WIN_PAGES) * PG;
	*len = len_pages * PG;
	return true;
}

static struct gproc *any_proc(struct g *g)
{
	return &g->procs[below(g, g->nprocs)];
}

static void cpu_opt(struct g *g, unsigned percent)
{
	if (!g->in_branch && chance(g, percent))
		fprintf(g->f, " cpu=%u", below(g, g->cpus));
}

static void new_proc(struct g *g, const struct gproc *parent)
{
	struct gproc *p = &g->procs[g->nprocs++];

	memset(p, 0, sizeof(*p));
	snprintf(p->name, sizeof(p->name), "P%u", g->next_proc++);
	if (parent) {
		memcpy(p->mapped, parent->mapped, sizeof(p->mapped));
		memcpy(p->shm, parent->shm, sizeof(p->shm));
		memcpy(p->disk, parent->disk, sizeof(p->disk));
		/* With event_fork the child inherits the context and its
		 * registrations; without, its first register opens one. */
		if (parent->event_fork) {
			memcpy(p->reg, parent->reg, sizeof(p->reg));
			p->uffd_open = p->event_fork = true;
		}
		fprintf(g->f, "fork %s %s\n", parent->name, p->name);
	} else {
		fprintf(g->f, "process %s", p->name);
		cpu_opt(g, 70);
		fputc('\n', g->f);
	}
}

/*
 * The huge branch's hook.  THP (machine thp=madvise|always, advise
 * hugepage|nohugepage|collapse), hugetlb (machine hugepages=N, file
 * kind=hugetlb with 2 MiB-aligned maps and offsets) and DAX files
 * (kind=dax) are refused by `vmsim run` until that branch lands; then
 * huge_machine() adds their machine options, op_huge() their operations
 * (weight HUGE_OP in script(), 0 today), and files() may pick the kinds.
 * The windows already straddle 2 MiB boundaries, and the 2 MiB-aligned
 * ones (0x10000000, BIG) take a huge page whole.
 */
static const bool huge_supported = false;

static void huge_machine(struct g *g)
{
	(void)g;
}

static void op_huge(struct g *g)
{
	(void)g;
}

static void machine(struct g *g)
{
	static const char *const tiny[] = { "1M", "2M", "3M", "4M" };
	static const char *const swaps[] = { "256K", "1M", "4M", "16M" };
	static const char *const tlbs[] = { "1x1", "2x2", "4x1", "1x4", "16x4", "2x8" };
	static const char *const fa[] = { "4K", "16K", "64K", "2M" };
	static const char *const ra[] = { "0", "16K", "128K" };
	unsigned r = below(g, 100);
	bool data = !chance(g, 10);
	bool small = r < 30;

	g->cpus = 2 + below(g, 3);
	fprintf(g->f, "machine check=full cpus=%u seed=%u", g->cpus, below(g, 1000));
	if (small)
		fprintf(g->f, " ram=%s", PICK(g, tiny));
	else if (r < 50)
		fprintf(g->f, " ram=16M");
	/* Swap: reclaim pages anonymous and shmem memory out under pressure
	 * (most tiny machines), and `advise pageout` has somewhere to go. */
	g->swap = chance(g, small ? 60 : 40);
	if (g->swap) {
		const char *sz = PICK(g, swaps);

		g->swap_room = !strcmp(sz, "16M");
		fprintf(g->f, " swap=%s", sz);
	}
	if (chance(g, 50))
		fprintf(g->f, " levels=4");
	if (chance(g, 30))
		fprintf(g->f, " tlb=%s", PICK(g, tlbs));
	if (chance(g, 30))
		fprintf(g->f, " fault_around=%s", PICK(g, fa));
	if (chance(g, 20))
		fprintf(g->f, " readahead=%s", PICK(g, ra));
	if (chance(g, 5))
		fprintf(g->f, " devx=6.14");
	if (!data)
		fprintf(g->f, " data=off");
	huge_machine(g);
	fputc('\n', g->f);
	/* One to three windows per script, so that operations meet. */
	for (unsigned i = 0; i < NWIN; i++)
		g->win[i] = i;
	for (unsigned i = NWIN - 1; i > 0; i--) {
		unsigned j = below(g, i + 1), t = g->win[i];

		g->win[i] = g->win[j];
		g->win[j] = t;
	}
	g->nwin = 1 + below(g, 3);
	g->uffd = chance(g, 50);
	g->big = chance(g, 15);
	g->idioms = !small && data;
	g->tiny = small;
}

static void files(struct g *g)
{
	static const char *const sizes[] = { "4K", "8K", "16K", "64K", "10000", "0x11000", "1" };
	static const char *const large[] = { "256K", "1M", "2M", "4M" };
	unsigned n = 1 + below(g, MAX_FILES);

	for (unsigned i = 0; i < n; i++) {
		struct gfile *f = &g->files[g->nfiles++];

		snprintf(f->name, sizeof(f->name), "F%u", g->next_file++);
		f->disk = chance(g, 50);
		fprintf(g->f, "file %s size=%s%s\n", f->name, g->tiny && chance(g, 50) ? PICK(g, large) :
			PICK(g, sizes), f->disk ? " kind=disk" : "");
	}
}

/* ---- random operations ---- */

/* Before an operation that changes ptes: load the range into a TLB (on
 * some CPU), so that a flush the operation forgets leaves a stale entry
 * for check=full to find. */
static void warm(struct g *g, const struct gproc *p, uint64_t a, uint64_t l)
{
	if (!chance(g, 40) || !l || l > WIN_PAGES * PG || (a & (PG - 1)) || (l & (PG - 1)))
		return;
	fprintf(g->f, "touch %s 0x%" PRIx64 " 0x%" PRIx64 " %s", p->name, a, l, chance(g, 30) ? "w" : "r");
	cpu_opt(g, 50);
	fputc('\n', g->f);
}

static void op_map(struct g *g)
{
	struct gproc *p = any_proc(g);
	bool bad_off = false, anon, shared, shm = false, disk = false;
	uint64_t a, l;

	free_range(g, p, &a, &l);
	if (g->big && chance(g, 10)) {
		static const uint64_t lens[] = { 2ULL << 20, (1ULL << 30) + PG, 64ULL << 30, 4ULL << 40,
						 64ULL << 40 };

		a = BIG;
		l = PICK(g, lens);
	}
	fprintf(g->f, "map %s 0x%" PRIx64 " 0x%" PRIx64, p->name, a, l);
	anon = chance(g, 45);
	shared = !chance(g, 60);
	if (anon) {
		fprintf(g->f, " anon");
		shm = shared;
	} else {
		const struct gfile *f = &g->files[below(g, g->nfiles)];

		fprintf(g->f, " file=%s", f->name);
		shm = !f->disk;
		disk = f->disk;
		if (chance(g, 40)) {
			bad_off = chance(g, 2);
			fprintf(g->f, " off=0x%" PRIx64, (uint64_t)below(g, 4) * PG + (bad_off ? 0x800 : 0));
		}
	}
	fprintf(g->f, " %s %s", shared ? "shared" : "private", prot(g));
	/* Populating a huge range is slow on Linux too (and mlock populates):
	 * keep it to small ones, and away from scripts whose idioms need free
	 * memory. */
	if (l <= WIN_PAGES * PG || (l <= (1ULL << 30) && !g->idioms)) {
		if (chance(g, 15))
			fprintf(g->f, " populate");
		if (chance(g, 10))
			fprintf(g->f, " locked");
	}
	fputc('\n', g->f);
	if (!bad_off)
		model_map(p, a, l, shm, disk);
}

static void op_remap(struct g *g)
{
	struct gproc *p = any_proc(g);
	uint64_t a, l, b, m;
	unsigned w;
	uint16_t bits;

	mapped_range(g, p, &a, &l);
	warm(g, p, a, l);
	if (chance(g, 20))	/* somewhere no table exists yet */
		b = windows[below(g, NWIN)] + (uint64_t)below(g, WIN_PAGES) * PG;
	else if (chance(g, 50))
		free_range(g, p, &b, &m);
	else
		range(g, &b, &m);
	b &= ~(PG - 1);
	fprintf(g->f, "remap %s 0x%" PRIx64 " 0x%" PRIx64 " 0x%" PRIx64 "\n", p->name, a, l, b);
	/* It moves only what is wholly mapped, to a range it replaces. */
	if (window_bits(a, l, &w, &bits) && (p->mapped[w] & bits) == bits &&
	    (b + l <= a || a + l <= b)) {
		bool shm = (p->shm[w] & bits) == bits, disk = (p->disk[w] & bits) == bits;

		model_unmap(p, a, l);
		model_unmap(p, b, l);
		model_map(p, b, l, shm, disk);
	}
}

static void op_simple_range(struct g *g, const char *cmd)
{
	struct gproc *p = any_proc(g);
	uint64_t a, l;

	mapped_range(g, p, &a, &l);
	warm(g, p, a, l);
	fprintf(g->f, "%s %s 0x%" PRIx64 " 0x%" PRIx64, cmd, p->name, a, l);
	if (!strcmp(cmd, "protect"))
		fprintf(g->f, " %s", prot(g));
	fputc('\n', g->f);
	if (!strcmp(cmd, "unmap"))
		model_unmap(p, a, l);
}

static void op_advise(struct g *g)
{
	static const char *const adv[] = { "dontneed", "remove", "pageout", "cold", "willneed",
		"populate_read", "populate_write", "guard_install", "guard_remove" };
	struct gproc *p = any_proc(g);
	uint64_t a, l;

	mapped_range(g, p, &a, &l);
	warm(g, p, a, l);
	fprintf(g->f, "advise %s 0x%" PRIx64 " 0x%" PRIx64 " %s\n", p->name, a, l, PICK(g, adv));
}

/* A page-aligned range for the commands that insist on one. */
static void aligned(struct g *g, const struct gproc *p, uint64_t *a, uint64_t *l)
{
	mapped_range(g, p, a, l);
	*a &= ~(PG - 1);
	if (!*l || *l > WIN_PAGES * PG)
		*l = PG;
}

static void op_access(struct g *g, bool write)
{
	struct gproc *p = any_proc(g);
	uint64_t a, l;

	mapped_range(g, p, &a, &l);
	a &= ~(PG - 1);
	if (chance(g, 20))
		a += below(g, PG);
	fprintf(g->f, "%s %s 0x%" PRIx64, write ? "write" : "read", p->name, a);
	if (chance(g, 30))
		fprintf(g->f, " %u", 1 + below(g, 3 * PG));
	if (write && chance(g, 50))
		fprintf(g->f, " byte=0x%02x", below(g, 256));
	cpu_opt(g, 30);
	fputc('\n', g->f);
}

static void op_touch(struct g *g)
{
	struct gproc *p = any_proc(g);
	uint64_t a, l;

	aligned(g, p, &a, &l);
	/* x: instruction fetches (SIGSEGV without PROT_EXEC). */
	fprintf(g->f, "touch %s 0x%" PRIx64 " 0x%" PRIx64 " %s", p->name, a, l,
		chance(g, 12) ? "x" : chance(g, 50) ? "w" : "r");
	cpu_opt(g, 30);
	fputc('\n', g->f);
}

static void op_pagemap(struct g *g)
{
	struct gproc *p = any_proc(g);
	uint64_t a, l;

	aligned(g, p, &a, &l);
	fprintf(g->f, "pagemap %s 0x%" PRIx64 " 0x%" PRIx64 "\n", p->name, a, l);
}

static void op_file(struct g *g)
{
	struct gfile *f = &g->files[below(g, g->nfiles)];
	uint64_t off = (uint64_t)below(g, 20) * PG + (chance(g, 20) ? below(g, PG) : 0);

	switch (below(g, 7)) {
	case 6: {
		/* ftruncate: shrink past mapped pages (SIGBUS there), grow
		 * back (zeros), now and then a size that is no page multiple. */
		static const char *const sizes[] = { "0", "1", "4K", "8K", "10000", "64K", "0x11000" };

		fprintf(g->f, "truncate %s %s\n", f->name, PICK(g, sizes));
		break;
	}
	case 0: case 1:
		fprintf(g->f, "punch %s 0x%" PRIx64 " 0x%x\n", f->name, off,
			chance(g, 80) ? (1 + below(g, 4)) * 4096u : 1 + below(g, 3 * 4096));
		break;
	case 2: case 3:
		fprintf(g->f, "fwrite %s 0x%" PRIx64 " %u", f->name, off, 1 + below(g, 2 * 4096));
		if (chance(g, 50))
			fprintf(g->f, " byte=0x%02x", below(g, 256));
		fputc('\n', g->f);
		break;
	default:
		fprintf(g->f, "fread %s 0x%" PRIx64, f->name, off);
		if (chance(g, 40))
			fprintf(g->f, " %u", 1 + below(g, 2 * 4096));
		fputc('\n', g->f);
		break;
	}
}

/* An access right after a userfaultfd command, into its range: that is
 * where the faults are. */
static void poke(struct g *g, const struct gproc *p, uint64_t a, uint64_t l)
{
	static const char *const what[] = { "r", "w" };

	if (!chance(g, 50) || !l || l > WIN_PAGES * PG || (a & (PG - 1)))
		return;
	if (chance(g, 50))
		fprintf(g->f, "touch %s 0x%" PRIx64 " 0x%" PRIx64 " %s", p->name, a, l, PICK(g, what));
	else
		fprintf(g->f, "%s %s 0x%" PRIx64, chance(g, 50) ? "write" : "read", p->name,
			a + (uint64_t)below(g, (unsigned)(l / PG)) * PG + (chance(g, 20) ? below(g, PG) : 0));
	cpu_opt(g, 30);
	fputc('\n', g->f);
}

static void op_uffd(struct g *g)
{
	static const char *const any_modes[] = { "missing", "wp", "minor", "missing,wp", "missing,minor",
		"wp,minor", "missing,wp,minor" };
	static const char *const anon_modes[] = { "missing", "wp", "missing,wp" };
	static const char *const feats[] = { "event_fork", "event_remove", "event_unmap",
		"wp_unpopulated", "wp_async" };
	struct gproc *p = any_proc(g);
	uint64_t a, l;
	unsigned k = below(g, 100);

	/* Mostly a process that has a userfaultfd already. */
	for (int tries = 0; tries < 3 && !p->uffd_open && k >= 30; tries++)
		p = any_proc(g);
	if (k < 30) {
		/* Mostly a run of mapped pages, with modes its memory allows. */
		uint16_t can[NWIN];
		bool run;

		for (unsigned i = 0; i < NWIN; i++)
			can[i] = p->mapped[i] & (uint16_t)~p->disk[i];
		run = chance(g, 80) && run_range(g, can, &a, &l);
		unsigned w;
		uint16_t b;
		bool shm;

		shm = run && window_bits(a, l, &w, &b) && (p->shm[w] & b) == b;

		if (!run)
			mapped_range(g, p, &a, &l);
		fprintf(g->f, "uffd %s register 0x%" PRIx64 " 0x%" PRIx64 " %s", p->name, a, l,
			!shm && chance(g, 90) ? PICK(g, anon_modes) : PICK(g, any_modes));
		if ((!p->uffd_open && chance(g, 70)) || chance(g, 5)) {
			const char *sep = " features=";
			unsigned set = 1 + below(g, 31);

			for (unsigned i = 0; i < 5; i++)
				if (set & (1u << i)) {
					fprintf(g->f, "%s%s", sep, feats[i]);
					sep = ",";
				}
			if (!p->uffd_open)
				p->event_fork = set & 1;
		}
		p->uffd_open = true;
		fputc('\n', g->f);
		if (run && window_bits(a, l, &w, &b))
			p->reg[w] |= b;
		if (chance(g, 40))
			fprintf(g->f, "uffd %s wp 0x%" PRIx64 " 0x%" PRIx64 " on\n", p->name, a, l);
		poke(g, p, a, l);
		return;
	}
	if (!(chance(g, 85) && run_range(g, p->reg, &a, &l)))
		mapped_range(g, p, &a, &l);
	if (k < 55)
		warm(g, p, a, l);
	if (k < 38) {
		fprintf(g->f, "uffd %s unregister 0x%" PRIx64 " 0x%" PRIx64 "\n", p->name, a, l);
	} else if (k < 55) {
		fprintf(g->f, "uffd %s wp 0x%" PRIx64 " 0x%" PRIx64 " %s\n", p->name, a, l,
			chance(g, 65) ? "on" : "off");
	} else if (k < 67) {
		fprintf(g->f, "uffd %s copy 0x%" PRIx64 " 0x%" PRIx64, p->name, a, l);
		if (chance(g, 50))
			fprintf(g->f, " byte=0x%02x", below(g, 256));
		if (chance(g, 30))
			fprintf(g->f, " wp");
		fputc('\n', g->f);
	} else if (k < 74) {
		fprintf(g->f, "uffd %s zeropage 0x%" PRIx64 " 0x%" PRIx64 "\n", p->name, a, l);
	} else if (k < 80) {
		fprintf(g->f, "uffd %s continue 0x%" PRIx64 " 0x%" PRIx64 "%s\n", p->name, a, l,
			chance(g, 30) ? " wp" : "");
	} else if (k < 86) {
		fprintf(g->f, "uffd %s poison 0x%" PRIx64 " 0x%" PRIx64 "\n", p->name, a, l);
	} else {
		static const char *const missing[] = { "zeropage", "copy", "sigbus" };
		static const char *const wp[] = { "unprotect", "sigbus" };
		static const char *const minor[] = { "continue", "sigbus" };
		unsigned set = 1 + below(g, 7);

		fprintf(g->f, "uffd %s resolve", p->name);
		if (set & 1)
			fprintf(g->f, " missing=%s", PICK(g, missing));
		if (set & 2)
			fprintf(g->f, " wp=%s", PICK(g, wp));
		if (set & 4)
			fprintf(g->f, " minor=%s", PICK(g, minor));
		fputc('\n', g->f);
		return;
	}
	poke(g, p, a, l);
}

static void op_show(struct g *g)
{
	struct gproc *p = any_proc(g);
	uint64_t a, l;

	aligned(g, p, &a, &l);
	switch (below(g, 5)) {
	case 0:
		fprintf(g->f, "show vmas %s\n", p->name);
		break;
	case 1:
		fprintf(g->f, "show pgtable %s 0x%" PRIx64 " 0x%" PRIx64 "\n", p->name, a, l);
		break;
	case 2:
		fprintf(g->f, "show tlb\n");
		break;
	case 3:
		fprintf(g->f, "show page %s 0x%" PRIx64 "\n", p->name, a);
		break;
	default:
		fprintf(g->f, "show stats\n");
		break;
	}
}

static void op_smaps(struct g *g)
{
	struct gproc *p = any_proc(g);
	uint64_t a, l;

	aligned(g, p, &a, &l);
	fprintf(g->f, "smaps %s 0x%" PRIx64 "\n", p->name, a);
}

/* Simulator-only operations on process memory: migration (migration
 * entries inside the operation), memory failure (hwpoison entries, a frame
 * lost for good: a few per script), and install of the built-in entry
 * kinds (now and then one that cannot be installed, or none such). */
static void op_sim(struct g *g)
{
	static const char *const kinds[] = { "guard", "guard", "poison", "uffd_wp", "uffd_wp", "swap",
		"hwpoison", "device_exclusive", "nosuch" };
	struct gproc *p = any_proc(g);
	uint64_t a, l;
	unsigned k = below(g, 100);

	aligned(g, p, &a, &l);
	if (k < 45 || (k < 60 && g->poisoned >= (g->tiny ? 1u : 4u))) {
		warm(g, p, a, l);
		fprintf(g->f, "migrate %s 0x%" PRIx64 " 0x%" PRIx64 "\n", p->name, a, l);
	} else if (k < 60) {
		g->poisoned++;
		fprintf(g->f, "memory_failure %s 0x%" PRIx64 "\n", p->name, a + (chance(g, 20) ? below(g, PG) : 0));
	} else {
		warm(g, p, a, l);
		fprintf(g->f, "install %s 0x%" PRIx64 " 0x%" PRIx64 " %s\n", p->name, a, l, PICK(g, kinds));
	}
}

/* A device (make_device_exclusive, an MMU notifier, a translation cache):
 * created outside parallel blocks, then atomics, reads and writes through
 * it, and the two halves of an atomic with commands in between. */
static void op_device(struct g *g)
{
	struct gproc *p = any_proc(g);
	unsigned d;
	uint64_t a, l;

	if (!g->ndevices || (g->ndevices < MAX_DEVICES && !g->in_branch && chance(g, 10))) {
		if (g->in_branch)
			return;
		fprintf(g->f, "device D%u\n", g->ndevices++);
		return;
	}
	d = below(g, g->ndevices);
	aligned(g, p, &a, &l);
	a += (uint64_t)below(g, (unsigned)(l / PG)) * PG;
	switch (below(g, 10)) {
	case 0: case 1: case 2: case 3:
		fprintf(g->f, "device D%u atomic %s 0x%" PRIx64, d, p->name, a);
		break;
	case 4: case 5:
		fprintf(g->f, "device D%u read %s 0x%" PRIx64 "\n", d, p->name,
			a + (chance(g, 20) ? below(g, PG) : 0));
		return;
	case 6: case 7:
		fprintf(g->f, "device D%u write %s 0x%" PRIx64, d, p->name, a + (chance(g, 20) ? below(g, PG) : 0));
		break;
	case 8: {
		/* The two halves, with what may run in between: the model
		 * device holds the page by its folio lock alone, so a CPU
		 * access waits for the commit, and a second begin is EBUSY.
		 * Nothing that zaps or moves the page: the lock does not stop
		 * that, and the device's atomic would be lost (a race of the
		 * model driver, which check=full reports). */
		unsigned n = below(g, 3);

		fprintf(g->f, "device D%u begin %s 0x%" PRIx64 "%s\n", d, p->name, a, chance(g, 40) ? " byte=0x5c" : "");
		for (unsigned i = 0; i < n; i++) {
			switch (below(g, 6)) {
			case 0: fprintf(g->f, "read %s 0x%" PRIx64 "\n", p->name, a); break;
			case 1: fprintf(g->f, "write %s 0x%" PRIx64 " byte=0x%02x\n", p->name, a, below(g, 256)); break;
			case 2: fprintf(g->f, "pagemap %s 0x%" PRIx64 " 0x1000\n", p->name, a); break;
			case 3: fprintf(g->f, "smaps %s 0x%" PRIx64 "\n", p->name, a); break;
			case 4: fprintf(g->f, "device D%u read %s 0x%" PRIx64 "\n", d, p->name, a); break;
			default: fprintf(g->f, "device D%u begin %s 0x%" PRIx64 "\n", d, p->name, a + PG); break;
			}
		}
		fprintf(g->f, "device D%u commit\n", d);
		return;
	}
	default:
		/* Nothing pending: ENOENT. */
		fprintf(g->f, "device D%u commit\n", d);
		return;
	}
	if (chance(g, 40))
		fprintf(g->f, " byte=0x%02x", below(g, 256));
	fputc('\n', g->f);
}

static void op_map(struct g *g);
static void op_simple_range(struct g *g, const char *cmd);
static void op_remap(struct g *g);
static void op_advise(struct g *g);
static void op_access(struct g *g, bool write);
static void op_touch(struct g *g);
static void op_file(struct g *g);
static void op_uffd(struct g *g);
static void op_pagemap(struct g *g);

/*
 * A parallel block: two to four branches, each on a CPU of its own, of one
 * to four commands that make or end no names (no fork, exit, process,
 * file or device; no idioms).  `vmsim run` runs them in order; `vmsim
 * explore` could interleave them as written.
 */
static void op_parallel(struct g *g)
{
	unsigned cpu[4] = { 0, 1, 2, 3 }, n = 2 + below(g, g->cpus - 1);

	if (n > 4)
		n = 4;
	for (unsigned i = g->cpus - 1; i > 0; i--) {
		unsigned j = below(g, i + 1), t = cpu[i];

		cpu[i] = cpu[j];
		cpu[j] = t;
	}
	fprintf(g->f, "parallel\n");
	g->in_branch = true;
	for (unsigned b = 0; b < n; b++) {
		unsigned ops = 1 + below(g, 4);

		fprintf(g->f, "branch cpu=%u\n", cpu[b]);
		for (unsigned i = 0; i < ops; i++) {
			switch (below(g, 16)) {
			case 0: op_map(g); break;
			case 1: op_simple_range(g, "unmap"); break;
			case 2: op_simple_range(g, "protect"); break;
			case 3: op_remap(g); break;
			case 4: op_advise(g); break;
			case 5: op_access(g, false); break;
			case 6: op_access(g, true); break;
			case 7: op_touch(g); break;
			case 8: op_file(g); break;
			case 9: if (g->uffd) op_uffd(g); else op_pagemap(g); break;
			case 10: op_smaps(g); break;
			case 11: op_sim(g); break;
			case 12: if (g->ndevices) op_device(g); else op_access(g, true); break;
			case 13: fprintf(g->f, "clear_refs %s softdirty\n", any_proc(g)->name); break;
			default: op_touch(g); break;
			}
		}
	}
	g->in_branch = false;
	fprintf(g->f, "end\n");
}

/*
 * Memory pressure, for tiny machines: megabytes mapped, populated, touched,
 * written through files, copied on write after fork and paged out, in four
 * 8 MiB slots at PRESSURE, so that frames, page tables and swap run out and
 * every allocation-failure path runs.
 */
#define PRESSURE	((uint64_t)0x40000000)

static void op_exit(struct g *g);

static void op_pressure(struct g *g)
{
	static const uint64_t lens[] = { 64 << 10, 256 << 10, 1 << 20, 4 << 20 };
	struct gproc *p = any_proc(g);
	uint64_t a = PRESSURE + (uint64_t)below(g, 4) * (8 << 20), l = PICK(g, lens);
	unsigned k = below(g, 100);

	if (chance(g, 30))
		a += (uint64_t)below(g, 64) * PG;
	if (k < 30) {
		fprintf(g->f, "map %s 0x%" PRIx64 " 0x%" PRIx64, p->name, a, l);
		if (chance(g, 60))
			fprintf(g->f, " anon");
		else
			fprintf(g->f, " file=%s", g->files[below(g, g->nfiles)].name);
		fprintf(g->f, " %s rw%s\n", chance(g, 70) ? "private" : "shared", chance(g, 40) ? " populate" : "");
	} else if (k < 55) {
		fprintf(g->f, "touch %s 0x%" PRIx64 " 0x%" PRIx64 " %s", p->name, a, l, chance(g, 80) ? "w" : "r");
		cpu_opt(g, 30);
		fputc('\n', g->f);
	} else if (k < 65) {
		fprintf(g->f, "fwrite %s 0 0x%" PRIx64 "\n", g->files[below(g, g->nfiles)].name, l);
	} else if (k < 75) {
		static const char *const adv[] = { "populate_write", "populate_read", "pageout", "dontneed",
			"cold", "willneed" };

		fprintf(g->f, "advise %s 0x%" PRIx64 " 0x%" PRIx64 " %s\n", p->name, a, l, PICK(g, adv));
	} else if (k < 85) {
		fprintf(g->f, "unmap %s 0x%" PRIx64 " 0x%" PRIx64 "\n", p->name, a, l);
	} else if (k < 92) {
		/* A fork that finds no memory leaves its child unborn, and the
		 * script stops at the child's next command: exit instead. */
		op_exit(g);
	} else {
		fprintf(g->f, "punch %s 0 0x%" PRIx64 "\n", g->files[below(g, g->nfiles)].name, l);
	}
}

/* Run the machine out of frames, do a few things that need memory, give
 * the frames back: the allocation-failure paths with state around them. */
static void op_oom_burst(struct g *g)
{
	struct gproc *p = any_proc(g);
	uint64_t a = PRESSURE + 3 * (8 << 20);
	unsigned n = 1 + below(g, 3);

	fprintf(g->f, "map %s 0x%" PRIx64 " 4M anon private rw\n", p->name, a);
	fprintf(g->f, "advise %s 0x%" PRIx64 " 4M populate_write\n", p->name, a);
	for (unsigned i = 0; i < n; i++) {
		switch (below(g, 10)) {
		case 0: op_remap(g); break;
		case 1: op_remap(g); break;
		case 2: op_advise(g); break;
		case 3: if (g->uffd) op_uffd(g); break;
		case 4: op_access(g, true); break;
		case 5: op_map(g); break;
		case 6: op_simple_range(g, "protect"); break;
		case 7: op_touch(g); break;
		case 8: op_file(g); break;
		default: op_access(g, false); break;
		}
	}
	fprintf(g->f, "unmap %s 0x%" PRIx64 " 4M\n", p->name, a);
}

static void op_exit(struct g *g)
{
	unsigned i = below(g, g->nprocs);

	fprintf(g->f, "exit %s\n", g->procs[i].name);
	g->procs[i] = g->procs[--g->nprocs];
	if (!g->nprocs)
		new_proc(g, NULL);
}

/*
 * Idioms: short blocks whose every expectation holds on Linux whatever came
 * before, because they work at IDIOM + 1 MiB * k (a fresh range per idiom,
 * which no random operation names and which the idiom unmaps again in every
 * process that has it), and run only where memory is ample and data kept.
 * fork, exit and clear_refs elsewhere cannot change the frames they check:
 *   cow    private anon: fork shares the frame, a write in the child copies
 *          it, and each side reads its own bytes;
 *   shared shared anon: the child reaches the same frame after fork;
 *   file   one file mapped shared by two processes and privately by a
 *          third: one page cache frame, then a private copy on write;
 *   remap  mremap moves the pte, so the moved page is the parent's frame;
 *   uffd   UFFDIO_COPY fills the page a later read sees, a second copy is
 *          EEXIST, and UFFDIO_POISON makes a page that raises SIGBUS;
 *   trunc  ftruncate of a shared file mapping: SIGBUS past the new end,
 *          the page before it kept, zeros when the file grows back;
 *   swap   (a big enough swap device: nothing else can fill it) a private
 *          page paged out is a swap entry, read back with its byte;
 *   migr   (simulator) migration keeps the bytes, the page present;
 *   mce    (simulator) memory_failure of a private page: SIGBUS after;
 *   dev    (simulator) a device atomic on an anonymous page: the CPU and
 *          the device read the byte it stored.
 * Idioms never stand inside a parallel block.
 */
static void idiom(struct g *g)
{
	struct gproc *p = any_proc(g);
	uint64_t a = IDIOM + (uint64_t)g->idiom_no++ * (1ULL << 20);
	unsigned v = 1 + below(g, 254), w = (v + 1 + below(g, 253)) % 256;
	char c[16];

	if (g->nprocs >= MAX_PROCS)
		return;
	snprintf(c, sizeof(c), "P%u", g->next_proc);
	switch (below(g, 10)) {
	case 0:	/* cow */
		fprintf(g->f, "map %s 0x%" PRIx64 " 8K anon private rw\n", p->name, a);
		fprintf(g->f, "write %s 0x%" PRIx64 " byte=0x%02x\n", p->name, a, v);
		new_proc(g, p);
		fprintf(g->f, "expect same %s 0x%" PRIx64 " %s 0x%" PRIx64 "\n", p->name, a, c, a);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", c, a, v);
		fprintf(g->f, "write %s 0x%" PRIx64 " byte=0x%02x\n", c, a, w);
		fprintf(g->f, "expect differ %s 0x%" PRIx64 " %s 0x%" PRIx64 "\n", p->name, a, c, a);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", p->name, a, v);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", c, a, w);
		fprintf(g->f, "unmap %s 0x%" PRIx64 " 8K\n", c, a);
		break;
	case 1:	/* shared */
		fprintf(g->f, "map %s 0x%" PRIx64 " 8K anon shared rw\n", p->name, a);
		fprintf(g->f, "write %s 0x%" PRIx64 " byte=0x%02x\n", p->name, a + PG, v);
		new_proc(g, p);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", c, a + PG, v);
		fprintf(g->f, "expect same %s 0x%" PRIx64 " %s 0x%" PRIx64 "\n", p->name, a + PG, c, a + PG);
		fprintf(g->f, "write %s 0x%" PRIx64 " byte=0x%02x\n", c, a, w);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", p->name, a, w);
		fprintf(g->f, "expect same %s 0x%" PRIx64 " %s 0x%" PRIx64 "\n", p->name, a, c, a);
		fprintf(g->f, "unmap %s 0x%" PRIx64 " 8K\n", c, a);
		break;
	case 2: {	/* file */
		struct gproc *q = any_proc(g);
		char f[16];

		snprintf(f, sizeof(f), "I%u", g->idiom_no);
		fprintf(g->f, "file %s size=8K%s\n", f, chance(g, 50) ? " kind=disk" : "");
		fprintf(g->f, "fwrite %s 0 8K byte=0x%02x\n", f, v);
		fprintf(g->f, "map %s 0x%" PRIx64 " 8K file=%s shared rw\n", p->name, a, f);
		fprintf(g->f, "write %s 0x%" PRIx64 " byte=0x%02x\n", p->name, a + PG, w);
		if (q != p) {
			fprintf(g->f, "map %s 0x%" PRIx64 " 8K file=%s private rw\n", q->name, a, f);
			fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", q->name, a + PG, w);
			fprintf(g->f, "expect same %s 0x%" PRIx64 " %s 0x%" PRIx64 "\n", p->name, a + PG, q->name, a + PG);
			fprintf(g->f, "write %s 0x%" PRIx64 " byte=0x%02x\n", q->name, a + PG, v);
			fprintf(g->f, "expect differ %s 0x%" PRIx64 " %s 0x%" PRIx64 "\n", p->name, a + PG, q->name, a + PG);
			fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", p->name, a + PG, w);
			fprintf(g->f, "unmap %s 0x%" PRIx64 " 8K\n", q->name, a);
		}
		fprintf(g->f, "fread %s 0x1000 expect=0x%02x\n", f, w);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", p->name, a, v);
		break;
	}
	case 3:	/* remap */
		fprintf(g->f, "map %s 0x%" PRIx64 " 4K anon private rw\n", p->name, a);
		fprintf(g->f, "write %s 0x%" PRIx64 " byte=0x%02x\n", p->name, a, v);
		new_proc(g, p);
		fprintf(g->f, "remap %s 0x%" PRIx64 " 4K 0x%" PRIx64 "\n", c, a, a + 0x80000);
		fprintf(g->f, "expect same %s 0x%" PRIx64 " %s 0x%" PRIx64 "\n", p->name, a, c, a + 0x80000);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", c, a + 0x80000, v);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=SIGSEGV\n", c, a);
		fprintf(g->f, "unmap %s 0x%" PRIx64 " 4K\n", c, a + 0x80000);
		break;
	case 4:	/* uffd */
		if (!g->uffd)
			return;
		fprintf(g->f, "map %s 0x%" PRIx64 " 8K anon private rw\n", p->name, a);
		fprintf(g->f, "uffd %s register 0x%" PRIx64 " 8K missing\n", p->name, a);
		p->uffd_open = true;
		fprintf(g->f, "uffd %s copy 0x%" PRIx64 " 4K byte=0x%02x\n", p->name, a, v);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", p->name, a, v);
		fprintf(g->f, "expect error EEXIST uffd %s copy 0x%" PRIx64 " 4K\n", p->name, a);
		fprintf(g->f, "uffd %s poison 0x%" PRIx64 " 4K\n", p->name, a + PG);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=SIGBUS\n", p->name, a + PG);
		fprintf(g->f, "expect error EEXIST uffd %s poison 0x%" PRIx64 " 4K\n", p->name, a);
		fprintf(g->f, "uffd %s unregister 0x%" PRIx64 " 8K\n", p->name, a);
		break;
	case 5: {	/* trunc */
		char f[16];

		snprintf(f, sizeof(f), "T%u", g->idiom_no);
		fprintf(g->f, "file %s size=8K%s\n", f, chance(g, 50) ? " kind=disk" : "");
		fprintf(g->f, "fwrite %s 0 8K byte=0x%02x\n", f, v);
		fprintf(g->f, "map %s 0x%" PRIx64 " 8K file=%s shared rw\n", p->name, a, f);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", p->name, a + PG, v);
		fprintf(g->f, "truncate %s 4K\n", f);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=SIGBUS\n", p->name, a + PG);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", p->name, a, v);
		fprintf(g->f, "truncate %s 8K\n", f);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x00\n", p->name, a + PG);
		break;
	}
	case 6:	/* swap */
		if (!g->swap || g->big || !g->swap_room)
			return;
		fprintf(g->f, "map %s 0x%" PRIx64 " 8K anon private rw\n", p->name, a);
		fprintf(g->f, "write %s 0x%" PRIx64 " byte=0x%02x\n", p->name, a, v);
		fprintf(g->f, "advise %s 0x%" PRIx64 " 8K pageout\n", p->name, a);
		fprintf(g->f, "expect pagemap %s 0x%" PRIx64 " present=0 swap=1\n", p->name, a);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", p->name, a, v);
		fprintf(g->f, "expect pagemap %s 0x%" PRIx64 " present=1\n", p->name, a);
		break;
	case 7:	/* migr */
		fprintf(g->f, "map %s 0x%" PRIx64 " 8K anon private rw\n", p->name, a);
		fprintf(g->f, "write %s 0x%" PRIx64 " byte=0x%02x\n", p->name, a, v);
		fprintf(g->f, "migrate %s 0x%" PRIx64 " 8K\n", p->name, a);
		fprintf(g->f, "expect pagemap %s 0x%" PRIx64 " present=1\n", p->name, a);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", p->name, a, v);
		break;
	case 8:	/* mce */
		if (g->poisoned >= 4)
			return;
		g->poisoned++;
		fprintf(g->f, "map %s 0x%" PRIx64 " 8K anon private rw\n", p->name, a);
		fprintf(g->f, "write %s 0x%" PRIx64 " byte=0x%02x\n", p->name, a, v);
		fprintf(g->f, "memory_failure %s 0x%" PRIx64 "\n", p->name, a);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=SIGBUS\n", p->name, a);
		break;
	default: {	/* dev */
		char d[16];

		snprintf(d, sizeof(d), "DI%u", g->idiom_no);
		fprintf(g->f, "device %s\n", d);
		fprintf(g->f, "map %s 0x%" PRIx64 " 8K anon private rw\n", p->name, a);
		fprintf(g->f, "write %s 0x%" PRIx64 " byte=0x%02x\n", p->name, a, v);
		fprintf(g->f, "device %s atomic %s 0x%" PRIx64 " byte=0x%02x\n", d, p->name, a, w);
		fprintf(g->f, "device %s read %s 0x%" PRIx64 " expect=0x%02x\n", d, p->name, a, w);
		fprintf(g->f, "read %s 0x%" PRIx64 " expect=0x%02x\n", p->name, a, w);
		fprintf(g->f, "expect pagemap %s 0x%" PRIx64 " present=1\n", p->name, a);
		break;
	}
	}
	fprintf(g->f, "unmap %s 0x%" PRIx64 " 8K\n", p->name, a);
}

static void script(struct g *g)
{
	enum { MAP, UNMAP, PROTECT, REMAP, ADVISE, FORK, EXIT, PROCESS, RUN, READ, WRITE, TOUCH,
	       FILEOP, CLEAR_REFS, PAGEMAP, UFFD, SHOW, SMAPS, SIM, DEVICE, PARALLEL, HUGE_OP, IDIOM_OP,
	       PRESSURE_OP, OOM_BURST, NOPS };
	unsigned w[NOPS] = {
		[MAP] = 14, [UNMAP] = 5, [PROTECT] = 6, [REMAP] = 4, [ADVISE] = 10, [FORK] = 3,
		[EXIT] = 2, [PROCESS] = 1, [RUN] = 3, [READ] = 12, [WRITE] = 12, [TOUCH] = 6,
		[FILEOP] = 6, [CLEAR_REFS] = 2, [PAGEMAP] = 3, [UFFD] = 0, [SHOW] = 1, [SMAPS] = 2,
		[SIM] = 4, [DEVICE] = 0, [PARALLEL] = 3, [HUGE_OP] = huge_supported ? 4 : 0, [IDIOM_OP] = 0,
	};
	unsigned n;

	machine(g);
	files(g);
	new_proc(g, NULL);
	if (chance(g, 50))
		new_proc(g, NULL);
	if (g->uffd)
		w[UFFD] = 14;
	if (chance(g, 30))
		w[DEVICE] = 6;
	if (g->idioms)
		w[IDIOM_OP] = 2;
	w[PRESSURE_OP] = g->tiny ? 12 : g->idioms ? 0 : 2;
	if (g->tiny) {
		w[FORK] = 1;
		w[OOM_BURST] = 6;
	}
	n = 20 + below(g, 180);
	for (unsigned i = 0; i < n; i++) {
		switch (weighted(g, w, NOPS)) {
		case MAP: op_map(g); break;
		case UNMAP: op_simple_range(g, "unmap"); break;
		case PROTECT: op_simple_range(g, "protect"); break;
		case REMAP: op_remap(g); break;
		case ADVISE: op_advise(g); break;
		case FORK:
			if (g->nprocs < MAX_PROCS)
				new_proc(g, any_proc(g));
			break;
		case EXIT: op_exit(g); break;
		case PROCESS:
			if (g->nprocs < MAX_PROCS)
				new_proc(g, NULL);
			break;
		case RUN:
			fprintf(g->f, "run %s cpu=%u\n", any_proc(g)->name, below(g, g->cpus));
			break;
		case READ: op_access(g, false); break;
		case WRITE: op_access(g, true); break;
		case TOUCH: op_touch(g); break;
		case FILEOP: op_file(g); break;
		case CLEAR_REFS: fprintf(g->f, "clear_refs %s softdirty\n", any_proc(g)->name); break;
		case PAGEMAP: op_pagemap(g); break;
		case UFFD: op_uffd(g); break;
		case SHOW: op_show(g); break;
		case SMAPS: op_smaps(g); break;
		case SIM: op_sim(g); break;
		case DEVICE: op_device(g); break;
		case PARALLEL: op_parallel(g); break;
		case HUGE_OP: op_huge(g); break;
		case PRESSURE_OP: op_pressure(g); break;
		case OOM_BURST: op_oom_burst(g); break;
		default: idiom(g); break;
		}
	}
}

void vmsgen_write(uint64_t seed, FILE *f)
{
	struct g g = { .rng = seed, .f = f };

	fprintf(f, "# vmsgen seed %" PRIu64 "\n", seed);
	script(&g);
}

char *vmsgen_script(uint64_t seed, size_t *len)
{
	char *buf = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&buf, &n);

	if (!f)
		return NULL;
	vmsgen_write(seed, f);
	if (fclose(f)) {
		free(buf);
		return NULL;
	}
	if (len)
		*len = n;
	return buf;
}
