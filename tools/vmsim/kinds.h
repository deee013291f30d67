/* The conformance matrix of `vmsim kinds` (kinds.c, kinds_gen.c): not
 * installed. */
#ifndef VMSIM_TOOL_KINDS_H
#define VMSIM_TOOL_KINDS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>

#include <vmsim/vmsim.h>

enum kvariant { KV_ANON, KV_SHMEM, KV_NR };

/* How an operation's outcome reads. */
enum kshape {
	KS_ENTRY,	/* one pagemap line after it, compared with the one before */
	KS_FORK,	/* parent's line, then the child's */
	KS_TWO,		/* two lines (mprotect r, then rw) */
	KS_MOVE,	/* the line at the new address */
	KS_GONE,	/* nothing left to look at (exit) */
	KS_PAGEMAP,	/* the line before is the answer */
	KS_SMAPS,	/* an smaps line */
};

#define KOP_SHMEM_ONLY	1u	/* file memory only (punch) */
#define KOP_SIM_ONLY	2u	/* the kernel runner cannot run it (touch x) */
#define KOP_EXEC	4u	/* the mapping is executable */
#define KOP_SWAP	8u	/* the machine needs a swap area (swapoff) */

struct kscen;

struct kop {
	const char *id;		/* --scenario KIND ID VARIANT */
	const char *title;
	unsigned features;	/* uffd features the first register must ask for */
	unsigned flags;		/* KOP_* */
	enum kshape shape;
	void (*emit)(struct kscen *s);
};

struct krecipe {
	const char *kind;	/* a built-in kind's name; NULL: `install` */
	const char *machine;	/* machine options it needs */
	unsigned features, anon_features;
	bool registers_wp;	/* leaves the range registered for uffd-wp */
	bool host;		/* a program can do it on Linux */
	void (*emit)(struct kscen *s);	/* NULL: no scenario can leave one between commands */
};

/* What each line of a scenario is for (line numbers from 1). */
enum kline { KL_SETUP, KL_BEFORE, KL_OP, KL_PROBE };
#define KSCEN_MAX_LINES	48

struct kscen {
	const struct vmsim_kind *kind;
	const struct kop *op;
	const struct krecipe *recipe;
	enum kvariant variant;
	unsigned features;
	bool host;		/* the host kernel can run it */
	char *text;
	size_t len;
	FILE *f;
	int nlines;
	enum kline role[KSCEN_MAX_LINES];
};

extern const struct kop kinds_ops[];
extern const size_t kinds_nops;

const struct krecipe *kinds_recipe(const struct vmsim_kind *k);
/* The scenario for kind k, operation op, memory v: 0 or -1 (no memory). */
int kinds_scenario(struct kscen *s, const struct vmsim_kind *k, const struct kop *op, enum kvariant v);
void kinds_scenario_free(struct kscen *s);

#endif
