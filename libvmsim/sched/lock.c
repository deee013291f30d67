/* The lock model: mmap_lock, page-table locks, i_mmap_rwsem, anon_vma and
 * folio locks and the rest of <vmsim/lock.h> as checked state.  What
 * lockdep (kernel/locking/lockdep.c) would report becomes a VMSIM_BUG:
 * recursion, release of a lock not held, lockdep_assert_held, and lock
 * order.  Order is checked twice: against the hierarchy at the top of
 * mm/rmap.c (the class numbers), and against every order seen so far on
 * this machine (lockdep's graph of classes: taking B while holding A adds
 * A -> B; taking A while holding B when B ->* A is known is an inversion,
 * reported once, with the stack of locks held at both acquisitions).
 * In serial mode a lock already taken is held by the caller: taking it
 * again is a deadlock.  While a block is interleaved (sched.c) a
 * contended lock makes its task wait instead.  Simplified: rwsems let
 * readers in while a writer waits (Linux's are fair). */
#include <stdio.h>
#include <string.h>

#include "sched_internal.h"
#include "../boot.h"

static const char *const class_names[VMSIM_LOCK_NR_CLASSES] = {
	[VMSIM_LOCK_INODE] = "i_rwsem",
	[VMSIM_LOCK_MMAP] = "mmap_lock",
	[VMSIM_LOCK_VMA] = "vm_lock",
	[VMSIM_LOCK_HUGETLB_VMA] = "hugetlb_vma_lock",
	[VMSIM_LOCK_I_MMAP_HUGETLB] = "hugetlbfs_i_mmap_rwsem",
	[VMSIM_LOCK_FOLIO] = "folio_lock",
	[VMSIM_LOCK_I_MMAP] = "i_mmap_rwsem",
	[VMSIM_LOCK_ANON_VMA] = "anon_vma->rwsem",
	[VMSIM_LOCK_PAGE_TABLE] = "page_table_lock",
	[VMSIM_LOCK_PTL] = "ptl",
	[VMSIM_LOCK_SWAP] = "swap_lock",
	[VMSIM_LOCK_MAPPING] = "i_pages",
	[VMSIM_LOCK_OTHER] = "lock",
};

#define NR_CLASSES	(VMSIM_LOCK_NR_CLASSES + VMSIM_LOCK_MAX_USER_CLASSES)

/* The first time an order A -> B was seen: who, and what it held. */
struct order_seen {
	uint8_t from, to;
	char task[48];
	struct vmsim_lockstack held;	/* held when it took `to` (`from` among them) */
	const char *site;		/* where it took `to` */
	struct order_seen *next;
};

struct vmsim_lockdep {
	uint64_t after[NR_CLASSES];	/* bit b of after[a]: b was taken holding a */
	uint64_t into[NR_CLASSES];	/* bit a of into[b]: the same edge, the other way */
	uint64_t reported[NR_CLASSES];	/* inversions already reported */
	struct order_seen *seen;
	unsigned nr_user;
	char user_names[VMSIM_LOCK_MAX_USER_CLASSES][32];
};

const char *vmsim_lock_class_name(enum vmsim_lock_class c)
{
	return (unsigned)c < VMSIM_LOCK_NR_CLASSES ? class_names[c] : "?";
}

const char *vmsim_lock_class_name_vm(const struct vmsim *vm, unsigned c)
{
	if (c < VMSIM_LOCK_NR_CLASSES)
		return class_names[c];
	if (!vm || !vm->lockdep || c - VMSIM_LOCK_NR_CLASSES >= vm->lockdep->nr_user)
		return "?";
	return vm->lockdep->user_names[c - VMSIM_LOCK_NR_CLASSES];
}

static struct vmsim_lockdep *lockdep(struct vmsim *vm)
{
	if (!vm->lockdep)
		vm->lockdep = vmsim__calloc(vm, 1, sizeof(*vm->lockdep));
	return vm->lockdep;
}

int vmsim_lock_class_new(struct vmsim *vm, const char *name)
{
	struct vmsim_lockdep *ld;

	if (!vm || !name || !*name || strlen(name) >= sizeof(ld->user_names[0]))
		return -EINVAL;
	ld = lockdep(vm);
	if (!ld)
		return -ENOMEM;
	if (ld->nr_user >= VMSIM_LOCK_MAX_USER_CLASSES)
		return -ENOSPC;
	strcpy(ld->user_names[ld->nr_user], name);
	return VMSIM_LOCK_NR_CLASSES + (int)ld->nr_user++;
}

void vmsim__lockdep_exit(struct vmsim *vm)
{
	struct order_seen *o, *n;

	if (!vm->lockdep)
		return;
	for (o = vm->lockdep->seen; o; o = n) {
		n = o->next;
		vmsim__free(vm, o);
	}
	vmsim__free(vm, vm->lockdep);
	vm->lockdep = NULL;
}

int vmsim_lock_init(struct vmsim_lock *l, enum vmsim_lock_class c)
{
	if (!l || (unsigned)c >= NR_CLASSES)
		return -EINVAL;
	*l = (struct vmsim_lock){ .state = 0, .lclass = (uint16_t)c, .owner = 0 };
	return 0;
}

/* A lock a user hands in: NULL, never initialised, or of a class this
 * machine has not created is bad input, ignored before any state
 * changes. */
static inline bool lock_arg_ok(const struct vmsim *vm, const struct vmsim_lock *l)
{
	if (__builtin_expect(!vm || !l, 0))
		return false;
	return __builtin_expect(l->lclass < VMSIM_LOCK_NR_CLASSES, 1) ||
	       (vm->lockdep && (unsigned)l->lclass - VMSIM_LOCK_NR_CLASSES < vm->lockdep->nr_user);
}

/* The fast paths below are what serial mode pays for every lock: keep
 * them to a few loads and stores. */
static inline struct vmsim_lockstack *stack_of(struct vmsim *vm)
{
	return vm->locks ? vm->locks : &vm->main_locks;
}

static inline int find_held(const struct vmsim_lockstack *ls, const struct vmsim_lock *l)
{
	for (int i = (int)ls->nr; i-- > 0;)
		if (ls->h[i].lock == l)
			return i;
	return -1;
}

static VMSIM_COLD void too_many(struct vmsim *vm)
{
	VMSIM_BUG(vm, "too many locks held");
}

static inline void push(struct vmsim *vm, struct vmsim_lockstack *ls, struct vmsim_lock *l, const char *site,
			bool read, bool phantom)
{
	struct vmsim_held *h;

	if (__builtin_expect(ls->nr >= VMSIM_MAX_HELD_LOCKS, 0)) {
		too_many(vm);
		return;
	}
	h = &ls->h[ls->nr++];
	h->lock = l;
	h->site = site;
	h->read = read;
	h->phantom = phantom;
}

static inline void remove_at(struct vmsim_lockstack *ls, int i)
{
	if (__builtin_expect((unsigned)i + 1 < ls->nr, 0))
		memmove(&ls->h[i], &ls->h[i + 1], (ls->nr - (unsigned)i - 1) * sizeof(ls->h[0]));
	ls->nr--;
}

/* ---- lock order ---- */

static bool ordered(unsigned c)
{
	return c < VMSIM_LOCK_OTHER;
}

/* Is `to` reachable from `from` in the graph of orders seen? */
static bool reaches(const struct vmsim_lockdep *ld, unsigned from, unsigned to)
{
	uint64_t seen = 1ULL << from, frontier = 1ULL << from;

	while (frontier) {
		uint64_t next = 0;

		for (unsigned c = 0; c < NR_CLASSES; c++)
			if (frontier & (1ULL << c))
				next |= ld->after[c];
		if (next & (1ULL << to))
			return true;
		frontier = next & ~seen;
		seen |= next;
	}
	return false;
}

static const struct order_seen *find_seen(const struct vmsim_lockdep *ld, unsigned from, unsigned to)
{
	for (const struct order_seen *o = ld->seen; o; o = o->next)
		if (o->from == from && o->to == to)
			return o;
	return NULL;
}

/* The first recorded edge of some path from -> ... -> to. */
static const struct order_seen *path_start(const struct vmsim_lockdep *ld, unsigned from, unsigned to)
{
	for (unsigned c = 0; c < NR_CLASSES; c++)
		if ((ld->after[from] & (1ULL << c)) && (c == to || reaches(ld, c, to)))
			return find_seen(ld, from, c);
	return NULL;
}

static const char *task_name(struct vmsim *vm)
{
	int i = vmsim_sched_current(vm);

	return i >= 0 ? vm->sched->t[i].spec.name : "the machine";
}

static int print_stack(const struct vmsim *vm, char *buf, size_t size, const struct vmsim_lockstack *ls,
		       unsigned taking, const char *site, bool read)
{
	int n = 0;

	for (unsigned i = 0; i < ls->nr && (size_t)n < size; i++)
		n += snprintf(buf + n, size - (size_t)n, "\n    #%u %s%s at %s", i,
			      vmsim_lock_class_name_vm(vm, ls->h[i].lock->lclass), ls->h[i].read ? " (read)" : "",
			      ls->h[i].site ? ls->h[i].site : "?");
	if ((size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, "\n    -> %s%s at %s", vmsim_lock_class_name_vm(vm, taking),
			      read ? " (read)" : "", site ? site : "?");
	return n;
}

static void remember(struct vmsim *vm, struct vmsim_lockdep *ld, unsigned from, unsigned to, const char *site)
{
	struct order_seen *o = vmsim__calloc(vm, 1, sizeof(*o));

	ld->after[from] |= 1ULL << to;
	ld->into[to] |= 1ULL << from;
	if (!o)
		return;
	o->from = (uint8_t)from;
	o->to = (uint8_t)to;
	snprintf(o->task, sizeof(o->task), "%s", task_name(vm));
	o->held = *stack_of(vm);
	o->site = site;
	o->next = ld->seen;
	ld->seen = o;
}

static void report_inversion(struct vmsim *vm, unsigned held, unsigned taking, const char *site, bool read,
			     const struct order_seen *other, bool documented)
{
	char now[1024], then[1024] = "";

	print_stack(vm, now, sizeof(now), stack_of(vm), taking, site, read);
	if (other)
		print_stack(vm, then, sizeof(then), &other->held, other->to, other->site, false);
	vmsim__bug(vm, site ? site : "vmsim_lock", __FILE__, __LINE__,
		   "lock order inversion: %s taken while holding %s%s\n  this order, %s:%s\n  %s%s%s%s",
		   vmsim_lock_class_name_vm(vm, taking), vmsim_lock_class_name_vm(vm, held),
		   documented ? " (mm/rmap.c nests it outside)" : "", task_name(vm), now,
		   other ? "the other order, first seen on " : "the other order is mm/rmap.c's",
		   other ? other->task : "", other ? ":" : "", then);
}

/* lockdep's check_prev_add() for every lock held whose class has not
 * been seen before c yet, then the new edges. */
static VMSIM_NOINLINE void check_order_slow(struct vmsim *vm, const struct vmsim_lockstack *ls,
							const struct vmsim_lock *l, const char *site, bool read)
{
	unsigned c = l->lclass;
	struct vmsim_lockdep *ld = lockdep(vm);

	if (!ld)
		return;
	for (unsigned i = 0; i < ls->nr; i++) {
		unsigned h = ls->h[i].lock->lclass;
		bool against_doc;

		if (h == c || h == VMSIM_LOCK_OTHER || h >= NR_CLASSES || ls->h[i].phantom)
			continue;
		if (!(ld->after[h] & (1ULL << c))) {
			against_doc = ordered(h) && ordered(c) && h > c;
			if ((against_doc || reaches(ld, c, h)) && !(ld->reported[h] & (1ULL << c))) {
				ld->reported[h] |= 1ULL << c;
				ld->reported[c] |= 1ULL << h;
				report_inversion(vm, h, c, site, read, path_start(ld, c, h), against_doc);
			}
			remember(vm, ld, h, c, site);
		}
	}
}

/* Is the order of l after every lock held known already?  The usual
 * case, a test per lock held.  With check=off there is no lock-order
 * checking at all (a kernel built without lockdep); recursion is still a
 * deadlock. */
static inline bool order_known(const struct vmsim *vm, const struct vmsim_lockstack *ls, const struct vmsim_lock *l)
{
	unsigned c = l->lclass;
	uint64_t known;

	if (!ls->nr || vm->cfg.check == VMSIM_CHECK_OFF || c == VMSIM_LOCK_OTHER || c >= NR_CLASSES)
		return true;
	known = (vm->lockdep ? vm->lockdep->into[c] : 0) | (1ULL << c) | (1ULL << VMSIM_LOCK_OTHER);
	for (unsigned i = 0; i < ls->nr; i++)
		if (!(known & (1ULL << (ls->h[i].lock->lclass & 63))))
			return false;
	return true;
}

static inline void check_order(struct vmsim *vm, const struct vmsim_lockstack *ls, const struct vmsim_lock *l,
			       const char *site, bool read)
{
	if (!order_known(vm, ls, l))
		check_order_slow(vm, ls, l, site, read);
}

/* ---- taking and dropping ---- */

/* Reported under the public name the caller used. */
#define LOCK_BUG_ON(vm, name, cond, ...) \
	((cond) ? (vmsim__bug((vm), (name), __FILE__, __LINE__, __VA_ARGS__), true) : false)

static uint16_t me(const struct vmsim *vm)
{
	return vm->lock_owner;
}

/* Everything but the common case: a contended or recursive lock, and
 * any lock while tasks are interleaved. */
static VMSIM_NOINLINE void lock_slow(struct vmsim *vm, struct vmsim_lock *l, const char *site,
						 bool read)
{
	struct vmsim_lockstack *ls = stack_of(vm);
	int i = find_held(ls, l);

	if (read) {
		/* A second read acquisition by the same context is allowed
		 * (readers are let in while a writer waits: no deadlock). */
		if (LOCK_BUG_ON(vm, "vmsim_lock_read", (i >= 0 && !ls->h[i].read) || (!vm->sched && l->state < 0),
				"deadlock: %s write-held", vmsim_lock_class_name_vm(vm, l->lclass)))
			return;
	} else if (LOCK_BUG_ON(vm, "vmsim_lock", i >= 0 || (!vm->sched && l->state != 0), "deadlock: %s already %s",
			       vmsim_lock_class_name_vm(vm, l->lclass),
			       (i >= 0 ? ls->h[i].read : l->state > 0) ? "read-held" : "held")) {
		return;
	}
	if (vm->sched && i < 0 &&
	    !vmsim__sched_acquire(vm, read ? VMSIM_SP_LOCK_READ : VMSIM_SP_LOCK, l, site)) {
		push(vm, ls, l, site, read, true);
		return;
	}
	check_order(vm, ls, l, site, read);
	if (read) {
		l->state++;
	} else {
		l->state = -1;
		l->owner = me(vm);
	}
	push(vm, ls, l, site, read, false);
}

/* The usual acquisition: a free lock, by the serial caller, in an order
 * seen before.  No call but the slow path's, so no frame. */
void vmsim__lock_at(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	struct vmsim_lockstack *ls;
	struct vmsim_held *h;

	if (!lock_arg_ok(vm, l))
		return;
	ls = stack_of(vm);
	if (__builtin_expect(vm->sched != NULL || l->state != 0 || ls->nr >= VMSIM_MAX_HELD_LOCKS ||
			     !order_known(vm, ls, l), 0)) {
		lock_slow(vm, l, site, false);
		return;
	}
	l->state = -1;
	l->owner = me(vm);
	h = &ls->h[ls->nr++];
	h->lock = l;
	h->site = site;
	h->read = false;
	h->phantom = false;
}

void vmsim__lock_read_at(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	struct vmsim_lockstack *ls;
	struct vmsim_held *h;

	if (!lock_arg_ok(vm, l))
		return;
	ls = stack_of(vm);
	if (__builtin_expect(vm->sched != NULL || l->state < 0 || ls->nr >= VMSIM_MAX_HELD_LOCKS ||
			     !order_known(vm, ls, l), 0)) {
		lock_slow(vm, l, site, true);
		return;
	}
	l->state++;
	h = &ls->h[ls->nr++];
	h->lock = l;
	h->site = site;
	h->read = true;
	h->phantom = false;
}

bool vmsim__trylock_at(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	if (!lock_arg_ok(vm, l))
		return false;
	if (vm->sched)
		vmsim__sched_point(vm, VMSIM_SP_TRYLOCK, l, site);
	if (l->state != 0)
		return false;
	/* A trylock cannot deadlock: lockdep adds no order for it. */
	l->state = -1;
	l->owner = me(vm);
	push(vm, stack_of(vm), l, site, false, false);
	return true;
}

/* vmsim__lock_read_here() past its fast path (sched_internal.h). */
bool vmsim__lock_read_here_slow(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	if (!lock_arg_ok(vm, l) || l->state < 0)
		return false;
	l->state++;
	push(vm, stack_of(vm), l, site, true, false);
	return true;
}

/* A lock nobody else can reach yet (__folio_set_locked() of a folio not
 * in the page cache): taken without a wait or a point, and without an
 * order (it cannot be waited for). */
void vmsim__lock_fresh_at(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	if (!lock_arg_ok(vm, l))
		return;
	if (LOCK_BUG_ON(vm, site ? site : "vmsim__lock_fresh_at", l->state != 0, "new %s already held",
			vmsim_lock_class_name_vm(vm, l->lclass)))
		return;
	l->state = -1;
	l->owner = me(vm);
	push(vm, stack_of(vm), l, site, false, false);
}

/* down_read_trylock() (mmap_read_trylock). */
bool vmsim__trylock_read_at(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	if (!lock_arg_ok(vm, l))
		return false;
	if (vm->sched)
		vmsim__sched_point(vm, VMSIM_SP_TRYLOCK, l, site);
	return vmsim__lock_read_here_slow(vm, l, site);
}

/* lockdep's acquire and release around a writer's wait for readers
 * (__vma_enter_locked(), __vma_exit_locked()): wait until nobody holds
 * l, learn the order, keep nothing.  Waiting for a lock the caller holds
 * is a deadlock. */
void vmsim__lock_wait_order(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	struct vmsim_lockstack *ls;

	if (!lock_arg_ok(vm, l))
		return;
	ls = stack_of(vm);
	if (LOCK_BUG_ON(vm, site ? site : "vmsim__lock_wait_order", find_held(ls, l) >= 0 ||
			(!vm->sched && l->state != 0), "deadlock: waiting for %s, which is %s",
			vmsim_lock_class_name_vm(vm, l->lclass), find_held(ls, l) >= 0 ? "held here" : "held"))
		return;
	if (vm->sched && l->state != 0 && !vmsim__sched_acquire(vm, VMSIM_SP_WAIT, l, site))
		return;
	check_order(vm, ls, l, site, false);
}

static VMSIM_NOINLINE void unlock_slow(struct vmsim *vm, struct vmsim_lock *l, const char *site,
						   bool read)
{
	const char *name = read ? "vmsim_unlock_read" : "vmsim_unlock";
	struct vmsim_lockstack *ls;
	bool bad;
	int i;

	if (vm->sched)
		vmsim__sched_point(vm, VMSIM_SP_UNLOCK, l, site);
	ls = stack_of(vm);
	i = find_held(ls, l);
	if (i >= 0 && ls->h[i].phantom) {
		remove_at(ls, i);
		return;
	}
	if (read)
		bad = l->state <= 0 || (i >= 0 && !ls->h[i].read) || (vm->sched && i < 0);
	else
		bad = l->state != -1 || (i >= 0 && ls->h[i].read) || (vm->sched && i < 0);
	if (LOCK_BUG_ON(vm, name, bad, "%s of %s not %s-held", read ? "read-unlock" : "unlock",
			vmsim_lock_class_name_vm(vm, l->lclass), read ? "read" : "write"))
		return;
	if (read) {
		l->state--;
	} else {
		l->state = 0;
		l->owner = 0;
	}
	if (i >= 0)
		remove_at(ls, i);
	else
		vmsim__bug(vm, name, __FILE__, __LINE__, "releasing %s that is not held",
			   vmsim_lock_class_name_vm(vm, l->lclass));
}

/* The usual release: the last lock taken, by the serial caller. */
void vmsim__unlock_at(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	struct vmsim_lockstack *ls;
	unsigned n;

	if (!lock_arg_ok(vm, l))
		return;
	ls = stack_of(vm);
	n = ls->nr;
	if (__builtin_expect(!vm->sched && l->state == -1 && n && ls->h[n - 1].lock == l && !ls->h[n - 1].read, 1)) {
		l->state = 0;
		l->owner = 0;
		ls->nr = n - 1;
		return;
	}
	unlock_slow(vm, l, site, false);
}

void vmsim__unlock_read_at(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	struct vmsim_lockstack *ls;
	unsigned n;

	if (!lock_arg_ok(vm, l))
		return;
	ls = stack_of(vm);
	n = ls->nr;
	if (__builtin_expect(!vm->sched && l->state > 0 && n && ls->h[n - 1].lock == l && ls->h[n - 1].read, 1)) {
		l->state--;
		ls->nr = n - 1;
		return;
	}
	unlock_slow(vm, l, site, true);
}

/* ---- hand-off: a lock one operation takes and a later one releases ---- */

void vmsim__lock_handoff(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	struct vmsim_lockstack *ls = stack_of(vm);
	int i = find_held(ls, l);

	if (i >= 0 && ls->h[i].phantom) {
		remove_at(ls, i);	/* never had it: nothing to hand on */
		return;
	}
	if (LOCK_BUG_ON(vm, site ? site : "vmsim__lock_handoff", i < 0 || ls->h[i].read || l->state != -1,
			"hand-off of %s not write-held", vmsim_lock_class_name_vm(vm, l->lclass)))
		return;
	remove_at(ls, i);
	l->owner = VMSIM_LOCK_OWNER_OUTSIDE;
}

void vmsim__lock_adopt(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	struct vmsim_lockstack *ls = stack_of(vm);

	if (LOCK_BUG_ON(vm, site ? site : "vmsim__lock_adopt", !vmsim__lock_outside(l),
			"taking up %s, which was not handed off", vmsim_lock_class_name_vm(vm, l->lclass)))
		return;
	/* Taken again as far as the order goes: this operation holds it now. */
	check_order(vm, ls, l, site, false);
	l->owner = me(vm);
	push(vm, ls, l, site, false, false);
}

void vmsim__lock_release_outside(struct vmsim *vm, struct vmsim_lock *l, const char *site)
{
	if (vm->sched)
		vmsim__sched_point(vm, VMSIM_SP_UNLOCK, l, site);
	if (LOCK_BUG_ON(vm, site ? site : "vmsim__lock_release_outside", !vmsim__lock_outside(l),
			"release of %s, which was not handed off", vmsim_lock_class_name_vm(vm, l->lclass)))
		return;
	l->state = 0;
	l->owner = 0;
}

/* The plain names, for callers that cannot use the macros (pointers). */
void (vmsim_lock)(struct vmsim *vm, struct vmsim_lock *l)
{
	vmsim__lock_at(vm, l, NULL);
}

void (vmsim_lock_read)(struct vmsim *vm, struct vmsim_lock *l)
{
	vmsim__lock_read_at(vm, l, NULL);
}

bool (vmsim_trylock)(struct vmsim *vm, struct vmsim_lock *l)
{
	return vmsim__trylock_at(vm, l, NULL);
}

void (vmsim_unlock)(struct vmsim *vm, struct vmsim_lock *l)
{
	vmsim__unlock_at(vm, l, NULL);
}

void (vmsim_unlock_read)(struct vmsim *vm, struct vmsim_lock *l)
{
	vmsim__unlock_read_at(vm, l, NULL);
}

bool vmsim_lock_held(const struct vmsim_lock *l)
{
	return l && l->state != 0;
}

bool vmsim_lock_held_write(const struct vmsim_lock *l)
{
	return l && l->state == -1;
}

void vmsim__lock_assert(struct vmsim *vm, const struct vmsim_lock *l, bool write, const char *func)
{
	const struct vmsim_lockstack *ls;
	int i;

	if (!lock_arg_ok(vm, l))
		return;
	ls = stack_of(vm);
	i = find_held(ls, l);
	if (i < 0 || ls->h[i].phantom || (write && ls->h[i].read))
		vmsim__bug(vm, func, __FILE__, __LINE__, "%s not held%s", vmsim_lock_class_name_vm(vm, l->lclass),
			   write ? " for write" : "");
}

unsigned vmsim_locks_held(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->locks ? vm->locks->nr : vm->main_locks.nr;
}

void vmsim__lock_describe_waiter(struct vmsim *vm, const struct vmsim__task *t, char *buf, size_t size)
{
	const struct vmsim_lock *l = t->next.obj;
	int n = snprintf(buf, size, "%s waits for %s%s at %s, holding:", t->spec.name,
			 vmsim_lock_class_name_vm(vm, l->lclass), t->next.kind == VMSIM_SP_LOCK_READ ? " (read)" :
			 t->next.kind == VMSIM_SP_WAIT ? " (to be free)" : "", t->next.where ? t->next.where : "?");

	for (unsigned i = 0; i < t->locks.nr && n > 0 && (size_t)n < size; i++)
		n += snprintf(buf + n, size - (size_t)n, " %s%s (%s)",
			      vmsim_lock_class_name_vm(vm, t->locks.h[i].lock->lclass),
			      t->locks.h[i].read ? " read" : "", t->locks.h[i].site ? t->locks.h[i].site : "?");
	if (!t->locks.nr && n > 0 && (size_t)n < size)
		snprintf(buf + n, size - (size_t)n, " nothing");
}
