/* The explorer: which task takes each step, run after run.  No Linux
 * file; the schedulers are the literature's:
 *  - random: any runnable task, uniformly, from a seed per run;
 *  - PCT (Burckhardt, Kothari, Musuvathi, Nagarakatte, "A randomized
 *    scheduler with probabilistic guarantees of finding bugs", ASPLOS
 *    2010): random task priorities, the highest runnable one runs, and at
 *    d-1 random points the running task drops below all others; a bug of
 *    depth d is found with probability >= 1/(n k^(d-1));
 *  - exhaustive: depth-first over every schedule with at most k
 *    preemptions (Musuvathi and Qadeer, "Iterative context bounding",
 *    PLDI 2007), pruned with sleep sets (Godefroid, 1996): after exploring
 *    task a's step, a sibling schedule starting with an independent step
 *    b keeps a asleep until something it depends on happens, since b;a
 *    reaches what a;b reached.  Each run replays the path's prefix from a
 *    fresh machine, so runs must be deterministic (they are: every random
 *    choice of a machine comes from its seed).
 * A schedule is the task picked at each choice point (a point where more
 * than one task could run), written run-length encoded: "0:5,1:2,0:9"
 * means task 0 at the first five choice points, task 1 at the next two...
 * After a schedule's end, and wherever a policy has no opinion, the task
 * that ran last goes on, or else the lowest-numbered one that can.
 * --shard I/N: random and PCT runs are numbered, and part I makes the
 * runs whose number is I mod N; an exhaustive search numbers the
 * subtrees below its first choice points (until there are at least 16N
 * of them) and part I explores those whose number is I mod N, walking the
 * shared top of the tree to reach them. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sched_internal.h"

#define DEFAULT_RUNS		1000
#define DEFAULT_DEPTH		3
#define DEFAULT_MAX_STEPS	1000000
#define SHARD_SPREAD		16

/* One choice point on the exhaustive search's current path. */
struct node {
	uint32_t enabled;		/* tasks that could run */
	uint32_t allowed;		/* of which the search may pick (awake, within the bound) */
	int cur;			/* the task that took the step before (-1: none) */
	unsigned chosen;
	unsigned npre;			/* preemptions before this point */
	uint64_t key, prod;		/* shard key so far, and how many subtrees it tells apart */
};

struct vmsim_explorer {
	struct vmsim_explore_opts o;
	uint64_t next_run;		/* random, pct: the next run number to consider */
	uint64_t run;
	bool in_run, started, complete;
	uint64_t seed, rng;
	int error;

	/* This run's schedule: the pick at every choice point. */
	uint8_t *log;
	size_t nlog, caplog;
	/* replay */
	uint8_t *plan;
	size_t nplan;

	/* exhaustive */
	struct node *path;
	size_t depth, npath, cappath;	/* replay path[0..depth); path[] grows to npath */
	size_t pos;			/* choice points passed in this run */
	unsigned npre;
	uint32_t sleep;
	bool redundant;
	uint64_t key, prod;

	/* pct */
	uint64_t k_est;
	unsigned prio[VMSIM_MAX_TASKS];
	uint64_t change[16];
	unsigned nchange, nlowered;

	/* budget */
	uint64_t steps, choices;
	bool livelock;

	struct vmsim_explore_stats st;
};

/* splitmix64: the run seeds, and each run's stream. */
static uint64_t mix(uint64_t z)
{
	z += 0x9e3779b97f4a7c15ULL;
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static uint64_t rnd(struct vmsim_explorer *x)
{
	x->rng += 0x9e3779b97f4a7c15ULL;
	return mix(x->rng);
}

/* The n-th (from 0) set bit of m. */
static unsigned nth_bit(uint32_t m, unsigned n)
{
	while (n--)
		m &= m - 1;
	return (unsigned)__builtin_ctz(m);
}

/* Candidates in search order: the task that ran last first (going on is
 * no preemption), then by number. */
static unsigned cand_index(uint32_t allowed, int cur, unsigned t)
{
	uint32_t below = allowed & ((1u << t) - 1);

	if (cur >= 0 && (allowed & (1u << cur))) {
		if ((unsigned)cur == t)
			return 0;
		return 1 + (unsigned)__builtin_popcount(below & ~(1u << cur));
	}
	return (unsigned)__builtin_popcount(below);
}

static int cand_at(uint32_t allowed, int cur, unsigned idx)
{
	if (cur >= 0 && (allowed & (1u << cur))) {
		if (idx == 0)
			return cur;
		allowed &= ~(1u << cur);
		idx--;
	}
	if (idx >= (unsigned)__builtin_popcount(allowed))
		return -1;
	return (int)nth_bit(allowed, idx);
}

static unsigned fallback(uint32_t enabled, int last)
{
	if (last >= 0 && (enabled & (1u << last)))
		return (unsigned)last;
	return (unsigned)__builtin_ctz(enabled);
}

/* ---- schedules as text ---- */

int vmsim_explorer_schedule(const struct vmsim_explorer *x, char *buf, size_t size)
{
	size_t n = 0;

	if (!x || (!buf && size))
		return -EINVAL;
	if (size)
		buf[0] = 0;
	for (size_t i = 0; i < x->nlog;) {
		size_t j = i;
		int w;

		while (j < x->nlog && x->log[j] == x->log[i])
			j++;
		w = snprintf(n < size ? buf + n : NULL, n < size ? size - n : 0, "%s%u:%zu", i ? "," : "",
			     x->log[i], j - i);
		n += (size_t)w;
		i = j;
	}
	return (int)n;
}

static int parse_schedule(struct vmsim_explorer *x, const char *s)
{
	while (s && *s) {
		char *end;
		unsigned long t = strtoul(s, &end, 10), c;

		if (end == s || *end != ':' || t >= VMSIM_MAX_TASKS)
			return -EINVAL;
		s = end + 1;
		c = strtoul(s, &end, 10);
		if (end == s || !c || c > 100000000 || (*end && *end != ','))
			return -EINVAL;
		s = *end ? end + 1 : end;
		if (x->nplan + c > 100000000)
			return -EINVAL;
		{
			uint8_t *p = realloc(x->plan, x->nplan + c);

			if (!p)
				return -ENOMEM;
			x->plan = p;
		}
		memset(x->plan + x->nplan, (int)t, c);
		x->nplan += c;
	}
	return 0;
}

static int log_pick(struct vmsim_explorer *x, unsigned t)
{
	if (x->nlog == x->caplog) {
		size_t cap = x->caplog ? 2 * x->caplog : 256;
		uint8_t *p = realloc(x->log, cap);

		if (!p)
			return -ENOMEM;
		x->log = p;
		x->caplog = cap;
	}
	x->log[x->nlog++] = (uint8_t)t;
	return 0;
}

/* ---- life ---- */

int vmsim_explorer_new(const struct vmsim_explore_opts *o, struct vmsim_explorer **out)
{
	struct vmsim_explorer *x;

	if (!o || !out || o->policy > VMSIM_SCHED_REPLAY)
		return -EINVAL;
	if ((o->nshards && o->shard >= o->nshards) || (!o->nshards && o->shard))
		return -EINVAL;
	if (o->policy == VMSIM_SCHED_PCT && o->depth > 16)
		return -EINVAL;
	x = calloc(1, sizeof(*x));
	if (!x)
		return -ENOMEM;
	x->o = *o;
	if (!x->o.nshards)
		x->o.nshards = 1;
	if (!x->o.runs && o->policy != VMSIM_SCHED_EXHAUSTIVE)
		x->o.runs = DEFAULT_RUNS;
	if (!x->o.depth)
		x->o.depth = DEFAULT_DEPTH;
	if (!x->o.max_steps)
		x->o.max_steps = DEFAULT_MAX_STEPS;
	x->o.schedule = NULL;
	x->k_est = 64;
	if (o->policy == VMSIM_SCHED_REPLAY) {
		int err = parse_schedule(x, o->schedule);

		if (err) {
			vmsim_explorer_free(x);
			return err;
		}
	}
	*out = x;
	return 0;
}

void vmsim_explorer_free(struct vmsim_explorer *x)
{
	if (!x)
		return;
	free(x->log);
	free(x->plan);
	free(x->path);
	free(x);
}

bool vmsim_explorer_next(struct vmsim_explorer *x)
{
	if (!x)
		return false;
	if (x->in_run)
		vmsim_explorer_done(x);
	switch (x->o.policy) {
	case VMSIM_SCHED_RANDOM:
	case VMSIM_SCHED_PCT:
		while (x->next_run < x->o.runs && x->next_run % x->o.nshards != x->o.shard)
			x->next_run++;
		if (x->next_run >= x->o.runs)
			return false;
		x->run = x->next_run++;
		break;
	case VMSIM_SCHED_REPLAY:
		if (x->started)
			return false;
		x->run = 0;
		break;
	case VMSIM_SCHED_EXHAUSTIVE:
		if (x->complete || (x->o.runs && x->st.runs >= x->o.runs))
			return false;
		x->run = x->st.runs;
		break;
	}
	x->started = true;
	x->in_run = true;
	x->error = 0;
	x->seed = mix(x->o.seed ^ mix(x->run + 1));
	x->rng = x->seed;
	x->nlog = 0;
	x->pos = 0;
	x->npre = 0;
	x->sleep = 0;
	x->redundant = false;
	x->key = 0;
	x->prod = 1;
	x->steps = 0;
	x->choices = 0;
	x->livelock = false;
	x->nlowered = 0;
	if (x->o.policy == VMSIM_SCHED_PCT) {
		x->nchange = x->o.depth - 1;
		for (unsigned i = 0; i < x->nchange; i++)
			x->change[i] = 1 + rnd(x) % x->k_est;
	}
	x->st.runs++;
	return true;
}

/* Exhaustive: the next path to try, from the deepest point with an
 * untried candidate of this part. */
static void backtrack(struct vmsim_explorer *x)
{
	uint64_t target = (uint64_t)SHARD_SPREAD * x->o.nshards;

	x->depth = x->npath;
	while (x->depth > 0) {
		struct node *nd = &x->path[x->depth - 1];
		unsigned ncand = (unsigned)__builtin_popcount(nd->allowed);
		bool decided_here = nd->prod < target && nd->prod * (ncand ? ncand : 1) >= target;
		int next = -1;

		/* A subtree the key already gave to another part: leave it. */
		if (nd->prod >= target && nd->key % x->o.nshards != x->o.shard)
			ncand = 0;
		for (unsigned i = ncand ? cand_index(nd->allowed, nd->cur, nd->chosen) + 1 : 0; i < ncand; i++) {
			if (decided_here && (nd->key * ncand + i) % x->o.nshards != x->o.shard)
				continue;
			next = cand_at(nd->allowed, nd->cur, i);
			break;
		}
		if (next >= 0) {
			nd->chosen = (unsigned)next;
			x->npath = x->depth;
			return;
		}
		x->depth--;
	}
	x->npath = 0;
	x->complete = true;
}

static bool run_is_mine(const struct vmsim_explorer *x)
{
	if (x->o.policy != VMSIM_SCHED_EXHAUSTIVE)
		return true;
	return x->key % x->o.nshards == x->o.shard;
}

int vmsim_explorer_done(struct vmsim_explorer *x)
{
	if (!x || !x->in_run)
		return -EINVAL;
	x->in_run = false;
	x->st.steps += x->steps;
	x->st.choices += x->choices;
	if (x->choices > x->st.max_choices)
		x->st.max_choices = x->choices;
	if (x->choices > x->k_est)
		x->k_est = x->choices;
	if (run_is_mine(x))
		x->st.mine++;
	if (x->redundant)
		x->st.redundant++;
	if (x->o.policy == VMSIM_SCHED_EXHAUSTIVE) {
		if (x->pos < x->depth && !x->error)
			x->error = -EIO;	/* the run ended before its recorded prefix */
		if (x->error)
			x->complete = true;
		else
			backtrack(x);
	}
	if (x->o.policy == VMSIM_SCHED_REPLAY && x->nlog < x->nplan && !x->error)
		x->error = -EINVAL;	/* the schedule is longer than the run */
	return x->error;
}

uint64_t vmsim_explorer_run(const struct vmsim_explorer *x)
{
	return x ? x->run : 0;
}

uint64_t vmsim_explorer_seed(const struct vmsim_explorer *x)
{
	return x ? x->seed : 0;
}

bool vmsim_explorer_mine(const struct vmsim_explorer *x)
{
	return x && run_is_mine(x);
}

void vmsim_explorer_stats(const struct vmsim_explorer *x, struct vmsim_explore_stats *out)
{
	if (!x || !out)
		return;
	*out = x->st;
	out->complete = x->complete && !x->error;
}

/* ---- the scheduler's questions ---- */

void vmsim__explorer_block(struct vmsim_explorer *x, unsigned n)
{
	/* A new set of tasks: nobody sleeps yet. */
	x->sleep = 0;
	if (x->o.policy != VMSIM_SCHED_PCT)
		return;
	/* PCT: fresh priorities d .. d+n-1, a random permutation; the
	 * change points lower a task to 0 .. d-2. */
	for (unsigned i = 0; i < n; i++)
		x->prio[i] = x->o.depth + i;
	for (unsigned i = n; i > 1; i--) {
		unsigned j = (unsigned)(rnd(x) % i), t = x->prio[i - 1];

		x->prio[i - 1] = x->prio[j];
		x->prio[j] = t;
	}
}

static unsigned pick_exhaustive(struct vmsim_explorer *x, uint32_t enabled, int last)
{
	int cur = last >= 0 && (enabled & (1u << last)) ? last : -1;
	uint64_t target = (uint64_t)SHARD_SPREAD * x->o.nshards;
	struct node *nd;
	unsigned pick, ncand;

	if (x->redundant)
		return fallback(enabled, last);
	if (x->pos < x->depth) {
		nd = &x->path[x->pos];
		if (nd->enabled != enabled || nd->cur != cur) {
			x->error = -EIO;	/* not the run we replayed: nondeterminism */
			x->redundant = true;
			return fallback(enabled, last);
		}
		pick = nd->chosen;
	} else {
		uint32_t awake = x->o.no_por ? enabled : enabled & ~x->sleep;
		uint32_t allowed = cur >= 0 && x->npre >= x->o.bound ? awake & (1u << cur) : awake;

		if (x->npath == x->cappath) {
			size_t cap = x->cappath ? 2 * x->cappath : 256;
			struct node *p = realloc(x->path, cap * sizeof(*p));

			if (!p) {
				x->error = -ENOMEM;
				x->redundant = true;
				return fallback(enabled, last);
			}
			x->path = p;
			x->cappath = cap;
		}
		nd = &x->path[x->npath++];
		*nd = (struct node){ .enabled = enabled, .allowed = allowed, .cur = cur, .npre = x->npre,
				     .key = x->key, .prod = x->prod };
		x->depth = x->npath;
		if (!allowed) {
			/* Everything that could run sleeps (or would be one
			 * preemption too many): what follows was explored. */
			x->redundant = true;
			nd->chosen = fallback(enabled, last);
			x->pos++;
			return nd->chosen;
		}
		nd->chosen = (unsigned)cand_at(allowed, cur, 0);
		pick = nd->chosen;
	}
	ncand = (unsigned)__builtin_popcount(nd->allowed);
	if (nd->prod < target && ncand) {
		x->key = nd->key * ncand + cand_index(nd->allowed, cur, pick);
		x->prod = nd->prod * ncand;
	}
	if (cur >= 0 && pick != (unsigned)cur)
		x->npre++;
	x->pos++;
	return pick;
}

static unsigned pick_pct(struct vmsim_explorer *x, uint32_t enabled, int last)
{
	unsigned best = 0, bestp = 0;
	bool any = false;

	for (unsigned i = 0; i < x->nchange; i++) {
		if (x->change[i] == x->choices + 1 && last >= 0) {
			x->prio[last] = x->nlowered < x->o.depth ? x->o.depth - 1 - x->nlowered : 0;
			x->nlowered++;
		}
	}
	for (unsigned i = 0; i < VMSIM_MAX_TASKS; i++) {
		if (!(enabled & (1u << i)))
			continue;
		if (!any || x->prio[i] > bestp) {
			best = i;
			bestp = x->prio[i];
			any = true;
		}
	}
	return best;
}

unsigned vmsim__explorer_pick(struct vmsim_explorer *x, struct vmsim_sched *s, uint32_t enabled, int last)
{
	unsigned pick;

	(void)s;
	if (x->livelock) {
		/* Past the step budget: round robin, so that a task spinning
		 * for another's progress lets it make some. */
		uint32_t after = enabled & ~((2u << (last < 0 ? 0 : last)) - 1);

		pick = after ? (unsigned)__builtin_ctz(after) : (unsigned)__builtin_ctz(enabled);
	} else if (x->o.policy == VMSIM_SCHED_REPLAY) {
		if (x->nlog < x->nplan) {
			pick = x->plan[x->nlog];
			if (!(enabled & (1u << pick))) {
				x->error = -EINVAL;	/* the schedule does not fit this script */
				pick = fallback(enabled, last);
			}
		} else {
			pick = fallback(enabled, last);
		}
	} else if (x->o.policy == VMSIM_SCHED_RANDOM) {
		pick = nth_bit(enabled, (unsigned)(rnd(x) % (unsigned)__builtin_popcount(enabled)));
	} else if (x->o.policy == VMSIM_SCHED_PCT) {
		pick = pick_pct(x, enabled, last);
	} else {
		pick = pick_exhaustive(x, enabled, last);
	}
	x->choices++;
	if (log_pick(x, pick))
		x->error = -ENOMEM;
	return pick;
}

void vmsim__explorer_stepped(struct vmsim_explorer *x, struct vmsim_sched *s, unsigned i, bool choice)
{
	const struct vmsim_step *st = &s->t[i].next;

	if (++x->steps > x->o.max_steps && !x->livelock) {
		x->livelock = true;
		vmsim__bug(s->vm, "vmsim_sched_run", __FILE__, __LINE__,
			   "livelock: %llu scheduling steps in one run and the tasks have not ended",
			   (unsigned long long)x->o.max_steps);
	}
	if (x->steps > 8 * x->o.max_steps) {
		fprintf(stderr, "vmsim: an explored run does not end (%llu steps)\n",
			(unsigned long long)x->steps);
		abort();
	}
	if (x->o.policy != VMSIM_SCHED_EXHAUSTIVE || x->o.no_por)
		return;
	/* Sleep sets: the siblings explored before this pick sleep too. */
	if (choice && x->pos && !x->redundant && x->pos <= x->npath) {
		const struct node *nd = &x->path[x->pos - 1];
		unsigned idx = cand_index(nd->allowed, nd->cur, i);

		for (unsigned k = 0; k < idx; k++)
			x->sleep |= 1u << cand_at(nd->allowed, nd->cur, k);
	}
	if (!choice && (x->sleep & (1u << i)))
		x->redundant = true;	/* the one task that can run sleeps */
	x->sleep &= ~(1u << i);
	for (unsigned u = 0; u < s->n; u++)
		if ((x->sleep & (1u << u)) && !vmsim__sp_independent(&s->t[u].next, st))
			x->sleep &= ~(1u << u);
}

bool vmsim__explorer_over_budget(const struct vmsim_explorer *x)
{
	return x->livelock;
}
