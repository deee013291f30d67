/* MMU notifiers: subscriptions per mm, the interval tree with its
 * collision-retry sequence, and the invalidation calls mm makes.  Follows
 * mm/mmu_notifier.c of Linux 6.12-6.18.  Simplified: no SRCU, and the
 * interval "tree" is a list kept in start order (interval_tree_iter_first/
 * next visit nodes by start).  mmu_interval_read_begin() and
 * mmu_interval_notifier_remove() sleep on subscriptions->wq only when the
 * invalidation is another CPU's (in a parallel block); serially they
 * return at once. */
#include "mm_internal.h"

struct vmsim_mmu_subscriptions {
	struct mmu_notifier *list;		/* hlist_add_head order: newest first */
	bool has_itree;
	unsigned long invalidate_seq;		/* odd: the itree is being invalidated */
	unsigned long active_invalidate_ranges;
	struct mmu_interval_notifier *itree;	/* by start */
	struct mmu_interval_notifier *deferred;	/* adds and removes, until the last inv_end */
	/* Ranges open in the itree per task of a parallel block (index + 1;
	 * 0: serial), so that a remove can tell its own invalidation from
	 * another CPU's. */
	uint8_t inv_depth[VMSIM_MAX_TASKS + 1];
	/* subscriptions->wq: "held" while the sequence is odd, so that a
	 * remove on another CPU sleeps until the last inv_end (a wait, never
	 * taken: no order). */
	struct vmsim_lock wq;
};

/* A range's private flag: its start counted it in the itree. */
#define RANGE_ITREE	(1u << 31)

static unsigned inv_task(const struct vmsim_mm *mm)
{
	return (unsigned)(vmsim_sched_current(mm->vm) + 1);
}

static const char *const event_names[] = {
	[MMU_NOTIFY_UNMAP] = "unmap",
	[MMU_NOTIFY_CLEAR] = "clear",
	[MMU_NOTIFY_PROTECTION_VMA] = "protection_vma",
	[MMU_NOTIFY_PROTECTION_PAGE] = "protection_page",
	[MMU_NOTIFY_SOFT_DIRTY] = "soft_dirty",
	[MMU_NOTIFY_RELEASE] = "release",
	[MMU_NOTIFY_MIGRATE] = "migrate",
	[MMU_NOTIFY_EXCLUSIVE] = "exclusive",
};

const char *vmsim_mmu_notifier_event_name(enum mmu_notifier_event event)
{
	return (unsigned)event <= MMU_NOTIFY_EXCLUSIVE ? event_names[event] : "?";
}

bool vmsim_mm_has_notifiers(const struct vmsim_mm *mm)
{
	return mm && mm_has_notifiers(mm);
}

static void trace_call(struct vmsim_mm *mm, const char *what, const struct mmu_notifier_range *r,
		       uint64_t start, uint64_t end)
{
	vmsim__trace(mm->vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_MMU_NOTIFIER, .cpu = -1,
			  .target = mm->id, .addr = start, .end = end, .why = what,
			  .order = r ? (unsigned)r->event : ~0u, .pfn = r && r->owner });
}

/* ---- the interval tree ---- */

static void itree_insert(struct vmsim_mmu_subscriptions *s, struct mmu_interval_notifier *n)
{
	struct mmu_interval_notifier **pp = &s->itree;

	while (*pp && (*pp)->start <= n->start)
		pp = &(*pp)->next;
	n->next = *pp;
	*pp = n;
	n->in_tree = true;
}

static void itree_remove(struct vmsim_mmu_subscriptions *s, struct mmu_interval_notifier *n)
{
	for (struct mmu_interval_notifier **pp = &s->itree; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	}
	n->next = NULL;
	n->in_tree = false;
}

static bool overlaps(const struct mmu_interval_notifier *n, const struct mmu_notifier_range *r)
{
	return n->start <= r->end - 1 && r->start <= n->last;
}

static struct mmu_interval_notifier *itree_next(struct mmu_interval_notifier *n,
						const struct mmu_notifier_range *r)
{
	for (; n; n = n->next)
		if (overlaps(n, r))
			return n;
	return NULL;
}

/* mn_itree_inv_start_range() */
static struct mmu_interval_notifier *itree_inv_start(struct vmsim_mmu_subscriptions *s,
						     const struct mmu_notifier_range *r, unsigned long *seq)
{
	struct mmu_interval_notifier *first = itree_next(s->itree, r);

	s->active_invalidate_ranges++;
	s->inv_depth[inv_task(r->mm)]++;
	if (first) {
		s->invalidate_seq |= 1;
		s->wq.state = -1;
	}
	*seq = s->invalidate_seq;
	return first;
}

/* mn_itree_inv_end(): the last writer makes the sequence even and applies
 * the deferred adds and removes. */
static void itree_inv_end(struct vmsim_mm *mm, struct vmsim_mmu_subscriptions *s)
{
	unsigned t = inv_task(mm);

	if (s->inv_depth[t])
		s->inv_depth[t]--;
	if (--s->active_invalidate_ranges || !(s->invalidate_seq & 1))
		return;
	s->invalidate_seq++;
	s->wq.state = 0;
	while (s->deferred) {
		struct mmu_interval_notifier *n = s->deferred;

		s->deferred = n->deferred_next;
		n->deferred_next = NULL;
		n->deferred = false;
		if (n->in_tree) {
			itree_remove(s, n);
			n->mm = NULL;
		} else {
			itree_insert(s, n);
		}
	}
}

static void itree_invalidate(struct vmsim_mm *mm, struct vmsim_mmu_subscriptions *s,
			     const struct mmu_notifier_range *r)
{
	unsigned long cur_seq;

	for (struct mmu_interval_notifier *n = itree_inv_start(s, r, &cur_seq); n; n = itree_next(n->next, r)) {
		if (!n->ops->invalidate(n, r, cur_seq))
			VMSIM_BUG(mm->vm, "interval notifier [%#llx, %#llx] of mm%d refused a blockable "
				  "invalidation (only non-blocking ranges may fail)",
				  (unsigned long long)n->start, (unsigned long long)n->last, mm->id);
	}
}

/* ---- what mm calls ---- */

void vmsim__mmu_notifier_invalidate_range_start(struct mmu_notifier_range *r)
{
	struct vmsim_mm *mm = r->mm;
	struct vmsim_mmu_subscriptions *s = mm->notifier_subscriptions;

	trace_call(mm, "invalidate_range_start", r, r->start, r->end);
	/* Linux sets has_itree under mm_take_all_locks(), so no range is
	 * open when it turns true; here an interval notifier may be inserted
	 * on another CPU mid-range, and the range remembers whether its end
	 * owes the itree an mn_itree_inv_end(). */
	if (s->has_itree) {
		r->flags |= RANGE_ITREE;
		itree_invalidate(mm, s, r);
	}
	for (struct mmu_notifier *sub = s->list; sub; sub = sub->next) {
		int ret;

		if (!sub->ops->invalidate_range_start)
			continue;
		ret = sub->ops->invalidate_range_start(sub, r);
		if (ret)
			VMSIM_BUG(mm->vm, "mmu notifier of mm%d failed invalidate_range_start (%s) with %d "
				  "in a blockable context", mm->id, vmsim_mmu_notifier_event_name(r->event), ret);
	}
}

void vmsim__mmu_notifier_invalidate_range_end(struct mmu_notifier_range *r)
{
	struct vmsim_mm *mm = r->mm;
	struct vmsim_mmu_subscriptions *s = mm->notifier_subscriptions;

	trace_call(mm, "invalidate_range_end", r, r->start, r->end);
	if (r->flags & RANGE_ITREE)
		itree_inv_end(mm, s);
	for (struct mmu_notifier *sub = s->list; sub; sub = sub->next)
		if (sub->ops->invalidate_range_end)
			sub->ops->invalidate_range_end(sub, r);
}

void vmsim__mmu_notifier_arch_invalidate_secondary_tlbs(struct vmsim_mm *mm, uint64_t start, uint64_t end)
{
	bool any = false;

	for (struct mmu_notifier *sub = mm->notifier_subscriptions->list; sub; sub = sub->next) {
		if (!sub->ops->arch_invalidate_secondary_tlbs)
			continue;
		if (!any)
			trace_call(mm, "arch_invalidate_secondary_tlbs", NULL, start, end);
		any = true;
		sub->ops->arch_invalidate_secondary_tlbs(sub, mm, start, end);
	}
}

/* __mmu_notifier_release(): exit_mmap(), before any page is freed.
 * Interval subscribers see MMU_NOTIFY_RELEASE over everything; the others
 * get ->release and are detached. */
void vmsim__mmu_notifier_release(struct vmsim_mm *mm)
{
	struct vmsim_mmu_subscriptions *s = mm->notifier_subscriptions;

	if (s->has_itree) {
		struct mmu_notifier_range r = { .mm = mm, .start = 0, .end = ~0ULL,
						.flags = MMU_NOTIFIER_RANGE_BLOCKABLE,
						.event = MMU_NOTIFY_RELEASE };

		trace_call(mm, "release", &r, r.start, r.end);
		itree_invalidate(mm, s, &r);
		itree_inv_end(mm, s);
	}
	if (s->list)
		trace_call(mm, "release", NULL, 0, ~0ULL);
	for (struct mmu_notifier *sub = s->list; sub; sub = sub->next)
		if (sub->ops->release)
			sub->ops->release(sub, mm);
	while (s->list) {
		struct mmu_notifier *sub = s->list;

		s->list = sub->next;
		sub->next = NULL;
		sub->linked = false;
	}
}

/* The mm is freed: interval subscriptions still inserted lose it (Linux
 * keeps the mm_struct alive with mmgrab() until they are removed; the
 * simulator frees it, so a later remove has nothing to do). */
void vmsim__mmu_notifier_subscriptions_destroy(struct vmsim_mm *mm)
{
	struct vmsim_mmu_subscriptions *s = mm->notifier_subscriptions;

	if (!s)
		return;
	VMSIM_BUG_ON(mm->vm, s->list != NULL, "mm%d freed with mmu notifiers still registered", mm->id);
	while (s->itree) {
		struct mmu_interval_notifier *n = s->itree;

		itree_remove(s, n);
		n->mm = NULL;
	}
	while (s->deferred) {
		struct mmu_interval_notifier *n = s->deferred;

		s->deferred = n->deferred_next;
		n->deferred_next = NULL;
		n->deferred = false;
		n->mm = NULL;
	}
	vmsim__free(mm->vm, s);
	mm->notifier_subscriptions = NULL;
}

/* ---- registration ---- */

static struct vmsim_mmu_subscriptions *subscriptions(struct vmsim_mm *mm)
{
	struct vmsim_mmu_subscriptions *s = mm->notifier_subscriptions;

	if (s)
		return s;
	s = vmsim__calloc(mm->vm, 1, sizeof(*s));
	if (!s)
		return NULL;
	s->invalidate_seq = 2;
	vmsim_lock_init(&s->wq, VMSIM_LOCK_OTHER);
	mm->notifier_subscriptions = s;
	return s;
}

int vmsim_mmu_notifier_register(struct mmu_notifier *sub, struct vmsim_mm *mm)
{
	struct vmsim_mmu_subscriptions *s;
	const struct mmu_notifier_ops *o;

	if (!sub || !mm || !(o = sub->ops))
		return -EINVAL;
	if (o->arch_invalidate_secondary_tlbs && (o->invalidate_range_start || o->invalidate_range_end))
		return -EINVAL;
	if (sub->linked)
		return -EBUSY;
	vmsim__mmap_write_lock(mm);
	s = subscriptions(mm);
	if (s) {
		sub->mm = mm;
		sub->next = s->list;
		s->list = sub;
		sub->linked = true;
	}
	vmsim__mmap_write_unlock(mm);
	return s ? 0 : -ENOMEM;
}

void vmsim_mmu_notifier_unregister(struct mmu_notifier *sub, struct vmsim_mm *mm)
{
	struct vmsim_mmu_subscriptions *s;

	if (!sub || !mm || !sub->linked || !(s = mm->notifier_subscriptions))
		return;
	if (sub->ops->release)
		sub->ops->release(sub, mm);
	for (struct mmu_notifier **pp = &s->list; *pp; pp = &(*pp)->next) {
		if (*pp == sub) {
			*pp = sub->next;
			break;
		}
	}
	sub->next = NULL;
	sub->linked = false;
}

int vmsim_mmu_interval_notifier_insert(struct mmu_interval_notifier *n, struct vmsim_mm *mm, uint64_t start,
				       uint64_t length, const struct mmu_interval_notifier_ops *ops)
{
	struct vmsim_mmu_subscriptions *s;

	if (!n || !mm || !ops || !ops->invalidate)
		return -EINVAL;
	if (!length || start + (length - 1) < start)
		return -EOVERFLOW;
	s = subscriptions(mm);
	if (!s)
		return -ENOMEM;
	s->has_itree = true;
	*n = (struct mmu_interval_notifier){ .start = start, .last = start + (length - 1), .ops = ops, .mm = mm };
	/* __mmu_interval_notifier_insert(): during an invalidation we cannot
	 * know which ranges it covers, so the new one counts as invalidated. */
	if (s->active_invalidate_ranges) {
		if (s->invalidate_seq & 1) {
			n->deferred = true;
			n->deferred_next = s->deferred;
			s->deferred = n;
		} else {
			s->invalidate_seq |= 1;
			s->wq.state = -1;
			itree_insert(s, n);
		}
		n->invalidate_seq = s->invalidate_seq;
	} else {
		n->invalidate_seq = s->invalidate_seq - 1;
		itree_insert(s, n);
	}
	return 0;
}

void vmsim_mmu_interval_notifier_remove(struct mmu_interval_notifier *n)
{
	struct vmsim_mmu_subscriptions *s;

	if (!n || !n->mm || !(s = n->mm->notifier_subscriptions))
		return;
	if (s->invalidate_seq & 1) {
		if (n->deferred) {
			/* Inserted during this invalidation, never joined. */
			for (struct mmu_interval_notifier **pp = &s->deferred; *pp; pp = &(*pp)->deferred_next) {
				if (*pp == n) {
					*pp = n->deferred_next;
					break;
				}
			}
			n->deferred = false;
		} else if (n->in_tree) {
			struct vmsim *vm = n->mm->vm;
			/* Serially, only the caller can be inside it. */
			bool own = s->inv_depth[inv_task(n->mm)] || !vmsim_sched_active(vm);

			/* Linux forbids a remove from inside the
			 * invalidation (it would wait for itself); leave as
			 * it would. */
			if (own)
				VMSIM_BUG(vm, "mmu_interval_notifier_remove() of [%#llx, %#llx] from inside "
					  "an invalidation of mm%d", (unsigned long long)n->start,
					  (unsigned long long)n->last, n->mm->id);
			n->deferred = true;
			n->deferred_next = s->deferred;
			s->deferred = n;
			if (own)
				return;
			/* Another CPU's invalidation: the last
			 * mn_itree_inv_end() removes it, and remove sleeps
			 * until then (wait_event on invalidate_seq). */
			vmsim__sched_wait_free(vm, &s->wq);
			return;
		}
	} else if (n->in_tree) {
		itree_remove(s, n);
	}
	n->mm = NULL;
}

unsigned long vmsim_mmu_interval_read_begin(struct mmu_interval_notifier *n)
{
	struct vmsim_mmu_subscriptions *s;
	unsigned long seq;

	if (!n || !n->mm || !(s = n->mm->notifier_subscriptions))
		return 0;
	seq = n->invalidate_seq;
	/* An invalidation of n under way on another CPU: sleep until its
	 * last inv_end (wait_event on invalidate_seq), so that the caller
	 * reads the page tables after it.  Serially, or inside its own
	 * invalidation, it returns at once (Linux would wait for itself). */
	if (seq == s->invalidate_seq && vmsim_sched_active(n->mm->vm) && !s->inv_depth[inv_task(n->mm)])
		vmsim__sched_wait_free(n->mm->vm, &s->wq);
	return seq;
}
