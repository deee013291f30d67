/* Lazy unmap flush (LUF): the TLB flush owed after reclaim or migration
 * unmaps a folio whose every pte was read-only and clean is deferred until
 * the freed page leaves the allocator or a flush point is reached.  Follows
 * Byungchul Park's v12 series (February 2025, never merged): mm/rmap.c's
 * luf_ugen, luf_batch[] keyed by luf_key, fold_unmap_luf(), luf_flush(),
 * luf_flush_mm(), luf_flush_mapping(), luf_flush_vma(), can_luf_*(),
 * mm/page_alloc.c's luf_takeoff_*(), arch/x86's ugen_done and
 * arch_tlbbatch_diet().  Simplified: one zone and no per-cpu page lists
 * (so no zone batch), no kasan or init_on_free, small folios only; a flush
 * point's batch is flushed on its own rather than folded into the reclaim
 * batch in progress.  Also here: luf=debug's two rules (Dave Hansen's) and
 * the records the stale-read detector (check/luf_check.c) judges by. */
#include <stdio.h>
#include <uthash.h>

#include "mm_internal.h"

/* luf_batch[]: keys are handed out round-robin and a reused key folds the
 * new request into the old (more flushing, never less), as v12 does. */
#define NR_LUF_KEYS	4096

/* A deferred unmap a TLB entry is tagged with (id = index + 1; the array
 * grows, so records refer to one another by id). */
struct luf_rec {
	struct vmsim_luf_rec r;
	unsigned refs;			/* tagged entries alive */
	uint32_t pfn_next;		/* the next record of the same frame */
	uint32_t next_free;
};

struct luf_pfn {
	unsigned long pfn;
	uint32_t recs;			/* its first record */
	UT_hash_handle hh;
};

/* luf=debug: a slot (pte or page cache) left owing a flush. */
struct luf_slot {
	uint64_t key;			/* address or pgoff */
	uint64_t cpumask, ugen;
	unsigned long pfn;		/* the frame it held */
	UT_hash_handle hh;
};

/* What v12 keeps in task_struct: the batches and the verdict of the unmap
 * a task is doing. */
struct luf_task {
	struct tlbflush_unmap_batch ro, luf;	/* tlb_ubc_ro, tlb_ubc_luf */
	bool can_luf;
	struct vmsim_page *folio;	/* the folio being unmapped */
	uint64_t folio_cpumask, folio_ugen;	/* what its unmap owes so far */
	uint64_t last_cpumask, last_ugen;	/* ... for the last folio LUF'd */
};

struct vmsim_luf {
	uint64_t ugen;			/* luf_ugen */
	struct luf_batch keys[NR_LUF_KEYS];
	uint32_t next_key;		/* luf_kgen */
	/* One per task: [0] serially, [1 + i] for task i of an interleaved
	 * block (vmsim explore), whose operations may overlap. */
	struct luf_task task[VMSIM_MAX_TASKS + 1];
	/* Records of deferred unmaps still cached somewhere. */
	struct luf_rec *recs;
	uint32_t nr_recs, cap_recs, free_rec, live_recs;
	struct luf_pfn *by_pfn;
	struct vmsim_luf_stats st;
};

static const char *const point_names[VMSIM_LUF_NR_POINTS] = {
	[VMSIM_LUF_PT_ALLOC] = "alloc",
	[VMSIM_LUF_PT_TLB_END_VMA] = "tlb_end_vma",
	[VMSIM_LUF_PT_FAULT] = "fault",
	[VMSIM_LUF_PT_TASK_SWITCH] = "task_switch",
	[VMSIM_LUF_PT_WRITE_BEGIN] = "write_begin",
	[VMSIM_LUF_PT_MKCLEAN] = "mkclean",
	[VMSIM_LUF_PT_TRUNCATE] = "truncate",
	[VMSIM_LUF_PT_MKWRITE] = "mkwrite",
	[VMSIM_LUF_PT_LAZYFREE] = "lazyfree",
	[VMSIM_LUF_PT_BATCHED_PENDING] = "batched_pending",
};

static const uint64_t point_quirks[VMSIM_LUF_NR_POINTS] = {
	[VMSIM_LUF_PT_ALLOC] = VMSIM_QUIRK_LUF_NO_ALLOC,
	[VMSIM_LUF_PT_TLB_END_VMA] = VMSIM_QUIRK_LUF_NO_TLB_END_VMA,
	[VMSIM_LUF_PT_FAULT] = VMSIM_QUIRK_LUF_NO_FAULT,
	[VMSIM_LUF_PT_TASK_SWITCH] = VMSIM_QUIRK_LUF_NO_TASK_SWITCH,
	[VMSIM_LUF_PT_WRITE_BEGIN] = VMSIM_QUIRK_LUF_NO_WRITE_BEGIN,
	[VMSIM_LUF_PT_MKCLEAN] = VMSIM_QUIRK_LUF_NO_MKCLEAN,
	[VMSIM_LUF_PT_TRUNCATE] = VMSIM_QUIRK_LUF_NO_TRUNCATE,
	[VMSIM_LUF_PT_MKWRITE] = VMSIM_QUIRK_LUF_NO_MKWRITE,
	[VMSIM_LUF_PT_LAZYFREE] = VMSIM_QUIRK_LUF_NO_LAZYFREE,
	[VMSIM_LUF_PT_BATCHED_PENDING] = VMSIM_QUIRK_LUF_NO_BATCHED_PENDING,
};

const char *vmsim_luf_point_name(enum vmsim_luf_point point)
{
	return (unsigned)point < VMSIM_LUF_NR_POINTS ? point_names[point] : NULL;
}

void vmsim__luf_trace(struct vmsim *vm, const char *what, enum vmsim_luf_point point, const struct vmsim_mm *mm,
		      uint64_t addr, unsigned long pfn, uint64_t ugen, uint64_t cpumask)
{
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_LUF, .cpu = vm->cur_cpu,
			  .why = what, .file = (unsigned)point < VMSIM_LUF_NR_POINTS ? point_names[point] : NULL,
			  .target = mm ? mm->id : -1, .addr = addr, .pfn = pfn, .new_val = ugen,
			  .old_val = cpumask });
}

/* new_luf_ugen(): never 0, which means "nothing owed". */
static uint64_t new_ugen(struct vmsim_luf *l)
{
	return ++l->ugen;
}

static bool debug(const struct vmsim *vm)
{
	return vm->cfg.luf == VMSIM_LUF_DEBUG;
}

/* current's LUF state. */
static struct luf_task *cur(struct vmsim *vm)
{
	int i = vmsim_sched_current(vm);

	return &vmsim__luf(vm)->task[i < 0 || i >= VMSIM_MAX_TASKS ? 0 : i + 1];
}

/* ---- batches and keys ---- */

/* __fold_luf_batch(): the newer generation wins; an older request whose
 * CPUs are all done by now is dropped first. */
static void fold_request(struct vmsim *vm, struct luf_batch *dst, uint64_t cpumask, uint64_t ugen)
{
	if (dst->ugen < ugen) {
		if (dst->ugen && vmsim__tlbbatch_diet(vm, &dst->cpumask, dst->ugen))
			dst->cpumask = 0;
		dst->ugen = ugen;
	}
	if (cpumask & ~dst->cpumask)
		dst->settled = 0;
	dst->cpumask |= cpumask;
}

static uint32_t new_key(struct vmsim_luf *l)
{
	l->next_key = l->next_key % (NR_LUF_KEYS - 1) + 1;
	return l->next_key;
}

/* Buddy merge (hw calls it): the merged block owes both requests. */
static uint32_t fold_keys(struct vmsim *vm, uint32_t a, uint32_t b)
{
	struct vmsim_luf *l = vmsim__luf(vm);

	if (a != b && a < NR_LUF_KEYS && b < NR_LUF_KEYS)
		fold_request(vm, &l->keys[a], l->keys[b].cpumask, l->keys[b].ugen);
	return a;
}

/* ---- flushing ---- */

uint64_t vmsim__luf_flush_start(struct vmsim *vm)
{
	struct vmsim_luf *l = vmsim__luf(vm);

	return l ? new_ugen(l) : 0;
}

/* tlb_flush_end(): the CPUs flushed (or, for flush_tlb_batched_pending,
 * the mm's whole cpumask, as v12's arch_mm_mark_ugen() does) have done
 * every request older than ugen. */
void vmsim__luf_flush_end(struct vmsim *vm, uint64_t mask, const struct vmsim_mm_context *ctx, uint64_t ugen)
{
	if (!ugen)
		return;
	if (ctx)
		vmsim__mm_mark_ugen(vm, ctx, ugen);
	vmsim__tlbbatch_mark_ugen(vm, mask, ugen);
}

void vmsim__luf_batched_pending_done(struct vmsim_mm *mm, uint64_t ugen)
{
	struct vmsim *vm = mm->vm;
	struct vmsim_luf *l = vmsim__luf(vm);
	struct luf_batch *b = &mm->luf;

	if (!l)
		return;
	if (b->ugen && b->settled != b->ugen && !vmsim__tlbbatch_check_done(vm, b->cpumask, b->ugen)) {
		l->st.paid[VMSIM_LUF_PT_BATCHED_PENDING]++;
		vmsim__luf_trace(vm, "pay", VMSIM_LUF_PT_BATCHED_PENDING, mm, 0, ~0UL, b->ugen, mm->ctx.cpumask);
	}
	vmsim__luf_flush_end(vm, 0, &mm->ctx, ugen);
	if (b->ugen && vmsim__tlbbatch_check_done(vm, b->cpumask, b->ugen))
		b->settled = b->ugen;
}

void vmsim__luf_fold_into(struct vmsim *vm, struct tlbflush_unmap_batch *b)
{
	struct vmsim_luf *l = vmsim__luf(vm);
	struct tlbflush_unmap_batch *from[2];

	if (!l)
		return;
	from[0] = &cur(vm)->ro;
	from[1] = &cur(vm)->luf;
	for (int i = 0; i < 2; i++) {
		if (!from[i]->flush_required)
			continue;
		b->cpumask |= from[i]->cpumask;
		b->flush_required = true;
		b->writable |= from[i]->writable;
		*from[i] = (struct tlbflush_unmap_batch){ 0 };
	}
}

/* Flush the CPUs of mask now (arch_tlbbatch_flush) and mark them done. */
static void flush_cpus(struct vmsim *vm, uint64_t mask)
{
	uint64_t ugen = vmsim__luf_flush_start(vm), m = mask;

	vmsim__tlbbatch_flush(vm, &m);
	vmsim__luf_flush_end(vm, mask, NULL, ugen);
}

/* The common end of every flush point: a request (cpumask, ugen) is owed
 * at a point.  CPUs that have flushed past ugen since are not interrupted
 * (arch_tlbbatch_diet); the rest are flushed, unless the point is switched
 * off. */
static void pay(struct vmsim *vm, struct luf_batch *b, enum vmsim_luf_point point, const struct vmsim_mm *mm)
{
	struct vmsim_luf *l = vmsim__luf(vm);
	uint64_t mask = b->cpumask;

	if (!l || !b->ugen || !mask || b->settled == b->ugen)
		return;
	if (vmsim__tlbbatch_diet(vm, &mask, b->ugen)) {
		/* Flushes since the request did it all: nothing to send. */
		b->settled = b->ugen;
		l->st.avoided[point]++;
		vmsim__luf_trace(vm, "done", point, mm, 0, ~0UL, b->ugen, b->cpumask);
		return;
	}
	if (vmsim__quirk(vm, point_quirks[point])) {
		l->st.skipped[point]++;
		vmsim__luf_trace(vm, "skip", point, mm, 0, ~0UL, b->ugen, mask);
		return;
	}
	vmsim__luf_trace(vm, "pay", point, mm, 0, ~0UL, b->ugen, mask);
	flush_cpus(vm, mask);
	b->settled = b->ugen;
	l->st.paid[point]++;
}

void vmsim__luf_flush_key(struct vmsim *vm, uint32_t key, enum vmsim_luf_point point)
{
	struct vmsim_luf *l = vmsim__luf(vm);

	if (l && key && key < NR_LUF_KEYS)
		pay(vm, &l->keys[key], point, NULL);
}

void vmsim__luf_flush_mm(struct vmsim_mm *mm, enum vmsim_luf_point point)
{
	if (mm && vmsim__luf(mm->vm))
		pay(mm->vm, &mm->luf, point, mm);
}

void vmsim__luf_flush_mapping(struct vmsim_file *f, enum vmsim_luf_point point)
{
	if (f && vmsim__luf(f->vm))
		pay(f->vm, &f->luf, point, NULL);
}

/* luf_flush_vma(): a shared file mapping may have been written by other
 * mms, so the file's batch too; then the mm's own. */
void vmsim__luf_flush_vma(struct vm_area_struct *vma, enum vmsim_luf_point point)
{
	if (!vma || !vmsim__luf(vma->vm_mm->vm))
		return;
	if ((vma->vm_flags & VM_SHARED) && vma->vm_file)
		vmsim__luf_flush_mapping(vma->vm_file, point);
	vmsim__luf_flush_mm(vma->vm_mm, point);
}

void vmsim__luf_fault(struct vm_area_struct *vma, unsigned flags, bool before)
{
	struct vmsim *vm = vma->vm_mm->vm;

	if (!vmsim__luf(vm) || before != debug(vm))
		return;
	/* "Any potential cases that make pte writable even forcely." */
	if ((vma->vm_flags & (VM_WRITE | VM_MAYWRITE)) || (flags & FAULT_FLAG_WRITE))
		vmsim__luf_flush_vma(vma, VMSIM_LUF_PT_FAULT);
}

/* luf_takeoff_check_and_fold() and luf_takeoff_end() of one block: hw
 * hands a page owing key out only after this. */
static void takeoff(struct vmsim *vm, uint32_t key, unsigned long pfn, unsigned order)
{
	struct vmsim_luf *l = vmsim__luf(vm);

	if (key >= NR_LUF_KEYS)
		return;
	(void)order;
	vmsim__luf_trace(vm, "takeoff", VMSIM_LUF_PT_ALLOC, NULL, 0, pfn, l->keys[key].ugen, l->keys[key].cpumask);
	pay(vm, &l->keys[key], VMSIM_LUF_PT_ALLOC, NULL);
}

/* finish_task_switch(): the mm a CPU leaves pays what it owes. */
static void switched(struct vmsim *vm, int cpu, struct vmsim_mm_context *prev)
{
	struct vmsim_mm *mm;
	int saved = vm->cur_cpu;

	/* A context of the mm layer's, or a bare one of a hw test's. */
	for (mm = vm->mm_world->mms; mm && &mm->ctx != prev; mm = mm->next)
		;
	if (!mm)
		return;
	vm->cur_cpu = cpu;
	vmsim__luf_flush_mm(mm, VMSIM_LUF_PT_TASK_SWITCH);
	vm->cur_cpu = saved;
}

/* ---- deferring: can_luf_*, set_tlb_ubc_flush_pending, fold_unmap_luf ---- */

/* can_luf_init(): anonymous folios (the fault handler sees their writes)
 * and page-cache folios (writes come through the file or a fault) may be
 * LUF'd; small folios only (reclaim and migration split a THP first, and
 * a large folio is never LUF'd here). */
void vmsim__can_luf_init(struct vmsim *vm, struct vmsim_page *p)
{
	struct luf_task *t;

	if (!vmsim__luf(vm))
		return;
	t = cur(vm);
	t->can_luf = !vmsim_folio_test_large(p) &&
		     (folio_test_anon(p) || (p->mapping && !vmsim_page_test(p, PG_hwpoison)));
	t->folio = p;
	t->folio_cpumask = t->folio_ugen = 0;
}

void vmsim__can_luf_fail(struct vmsim *vm)
{
	if (vmsim__luf(vm))
		cur(vm)->can_luf = false;
}

/* Tag the CPUs' cached translations of the cleared pte with a record the
 * detector can read them by. */
static void record(struct vmsim *vm, struct vmsim_mm *mm, uint64_t addr, struct vmsim_page *p, uint64_t ugen)
{
	struct vmsim_luf *l = vmsim__luf(vm);
	unsigned long pfn = vmsim_page_to_pfn(vm, p);
	struct luf_pfn *bp;
	struct luf_rec *r;
	uint32_t id;

	if (l->free_rec) {
		id = l->free_rec;
		l->free_rec = l->recs[id - 1].next_free;
	} else {
		if (l->nr_recs == l->cap_recs) {
			uint32_t cap = l->cap_recs ? l->cap_recs * 2 : 64;
			struct luf_rec *n = vmsim__realloc(vm, l->recs, cap * sizeof(*n));

			if (!n)
				return;
			l->recs = n;
			l->cap_recs = cap;
		}
		id = ++l->nr_recs;
	}
	r = &l->recs[id - 1];
	*r = (struct luf_rec){ .r = { .mm = mm, .va = addr, .pfn = pfn, .mapping = p->mapping, .index = p->index,
				      .ugen = ugen, .step = vm->step } };
	HASH_FIND(hh, l->by_pfn, &pfn, sizeof(pfn), bp);
	if (!bp) {
		bp = vmsim__calloc(vm, 1, sizeof(*bp));
		if (!bp) {
			r->next_free = l->free_rec;
			l->free_rec = id;
			return;
		}
		bp->pfn = pfn;
		HASH_ADD(hh, l->by_pfn, pfn, sizeof(bp->pfn), bp);
	}
	r->refs = vmsim__tlb_tag_luf(vm, &mm->ctx, addr, pfn, id);
	if (!r->refs) {
		if (!bp->recs) {
			HASH_DEL(l->by_pfn, bp);
			vmsim__free(vm, bp);
		}
		r->next_free = l->free_rec;
		l->free_rec = id;
		return;
	}
	if (!folio_test_anon(p) && p->mapping) {
		r->r.file = folio_file(p);
		vmsim__file_get(r->r.file);
	}
	r->pfn_next = bp->recs;
	bp->recs = id;
	l->live_recs++;
}

struct vmsim_luf_rec *vmsim__luf_rec(struct vmsim *vm, uint32_t id)
{
	struct vmsim_luf *l = vmsim__luf(vm);

	return l && id && id <= l->nr_recs && l->recs[id - 1].refs ? &l->recs[id - 1].r : NULL;
}

static void rec_release(struct vmsim *vm, struct luf_rec *r, uint32_t id)
{
	struct vmsim_luf *l = vmsim__luf(vm);
	unsigned long pfn = r->r.pfn;
	struct luf_pfn *bp;

	HASH_FIND(hh, l->by_pfn, &pfn, sizeof(pfn), bp);
	if (bp) {
		uint32_t *pp = &bp->recs;

		while (*pp && *pp != id)
			pp = &l->recs[*pp - 1].pfn_next;
		if (*pp)
			*pp = r->pfn_next;
		if (!bp->recs) {
			HASH_DEL(l->by_pfn, bp);
			vmsim__free(vm, bp);
		}
	}
	if (r->r.file)
		vmsim__file_put(r->r.file);
	r->r.file = NULL;
	r->next_free = l->free_rec;
	l->free_rec = id;
	l->live_recs--;
}

/* A tagged entry is gone: how long it lived. */
static void entry_gone(struct vmsim *vm, uint32_t id, uint64_t since)
{
	struct vmsim_luf *l = vmsim__luf(vm);
	struct luf_rec *r;

	if (!l || !id || id > l->nr_recs)
		return;
	if (vm->step - since > l->st.stale_max_steps)
		l->st.stale_max_steps = vm->step - since;
	r = &l->recs[id - 1];
	if (r->refs && --r->refs == 0)
		rec_release(vm, r, id);
}

/* A block left the allocator: deferred translations of its frames now
 * name someone else's page. */
static void allocated(struct vmsim *vm, unsigned long pfn, unsigned order)
{
	struct vmsim_luf *l = vmsim__luf(vm);

	if (!l->live_recs)
		return;
	for (unsigned long f = pfn; f < pfn + (1UL << order); f++) {
		struct luf_pfn *bp;

		HASH_FIND(hh, l->by_pfn, &f, sizeof(f), bp);
		for (uint32_t id = bp ? bp->recs : 0; id; id = l->recs[id - 1].pfn_next)
			l->recs[id - 1].r.realloc = true;
	}
}

void vmsim__luf_note_hit(struct vmsim *vm, bool stale)
{
	struct vmsim_luf *l = vmsim__luf(vm);

	if (!l)
		return;
	l->st.deferred_hits++;
	if (stale)
		l->st.stale_reads++;
}

static struct luf_slot *slot_find(struct luf_slot *h, uint64_t key)
{
	struct luf_slot *s;

	HASH_FIND(hh, h, &key, sizeof(key), s);
	return s;
}

static void slot_note(struct vmsim *vm, struct luf_slot **h, uint64_t key, uint64_t cpumask, uint64_t ugen,
		      unsigned long pfn)
{
	struct luf_slot *s = slot_find(*h, key);

	if (!s) {
		s = vmsim__calloc(vm, 1, sizeof(*s));
		if (!s)
			return;
		s->key = key;
		HASH_ADD(hh, *h, key, sizeof(s->key), s);
	}
	s->cpumask |= cpumask;
	if (ugen > s->ugen)
		s->ugen = ugen;
	s->pfn = pfn;
}

static void slots_free(struct vmsim *vm, struct luf_slot **h)
{
	struct luf_slot *s, *t;

	HASH_ITER(hh, *h, s, t) {
		HASH_DEL(*h, s);
		vmsim__free(vm, s);
	}
}

/* set_tlb_ubc_flush_pending()'s LUF part.  v12 fails LUF for the whole
 * folio at a writable pte; the simulator also at a dirty one (its data may
 * not be what the page cache or swap will hold). */
struct tlbflush_unmap_batch *vmsim__luf_pending_batch(struct vm_area_struct *vma, uint64_t addr, pte_t pteval,
						      struct vmsim_page *p)
{
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim *vm = mm->vm;
	struct vmsim_luf *l = vmsim__luf(vm);
	struct luf_task *t;
	uint64_t ugen;

	if (!l)
		return &vm->mm_world->tlb_ubc;
	t = cur(vm);
	if (!t->can_luf || t->folio != p)
		return &vm->mm_world->tlb_ubc;
	/* Interleaved (vmsim explore), the folio may have left its page
	 * cache since the walk began: nothing to pay by then. */
	if (!folio_test_anon(p) && !p->mapping) {
		t->can_luf = false;
		return &vm->mm_world->tlb_ubc;
	}
	/* can_luf_vma(): a shared mapping needs a file to find its mms by. */
	if (pte_write(pteval) || pte_dirty(pteval) || ((vma->vm_flags & VM_SHARED) && !vma->vm_file)) {
		t->can_luf = false;
		return &vm->mm_world->tlb_ubc;
	}
	/* fold_luf_batch_mm(): the mm owes it, and the file for its mms. */
	ugen = new_ugen(l);
	fold_request(vm, &mm->luf, mm->ctx.cpumask, ugen);
	if (!folio_test_anon(p) && p->mapping)
		fold_request(vm, &folio_file(p)->luf, mm->ctx.cpumask, ugen);
	t->folio_cpumask |= mm->ctx.cpumask;
	t->folio_ugen = ugen;
	l->st.deferred++;
	vmsim__luf_trace(vm, "defer", VMSIM_LUF_NR_POINTS, mm, addr, vmsim_page_to_pfn(vm, p), ugen,
			 mm->ctx.cpumask);
	record(vm, mm, addr, p, ugen);
	/* v12 counts it in mm->tlb_flush_batched like any deferred flush, so
	 * that the next zap, mprotect, mremap or madvise of the mm flushes it
	 * (flush_tlb_batched_pending()); switched off, only the LUF points
	 * know of it. */
	if (vmsim__quirk(vm, VMSIM_QUIRK_LUF_NO_BATCHED_PENDING))
		mm->tlb_batch_pending--;
	if (debug(vm))
		slot_note(vm, &mm->luf_slots, addr, mm->ctx.cpumask, ugen, vmsim_page_to_pfn(vm, p));
	return &t->ro;
}

bool vmsim__luf_unmap_done(struct vmsim *vm)
{
	struct tlbflush_unmap_batch *to;
	struct luf_task *t;
	bool can;

	if (!vmsim__luf(vm))
		return false;
	t = cur(vm);
	can = t->can_luf && t->ro.flush_required;
	to = can ? &t->luf : &vm->mm_world->tlb_ubc;
	if (t->ro.flush_required) {
		to->cpumask |= t->ro.cpumask;
		to->flush_required = true;
		to->writable |= t->ro.writable;
		t->ro = (struct tlbflush_unmap_batch){ 0 };
	}
	if (can) {
		t->last_cpumask = t->folio_cpumask;
		t->last_ugen = t->folio_ugen;
	}
	t->can_luf = false;
	t->folio = NULL;
	return can;
}

uint32_t vmsim__fold_unmap_luf(struct vmsim *vm)
{
	struct vmsim_luf *l = vmsim__luf(vm);
	struct tlbflush_unmap_batch *ubc = &vm->mm_world->tlb_ubc;
	struct luf_task *t;
	uint64_t ugen;
	uint32_t key;

	if (!l)
		return 0;
	t = cur(vm);
	if (!t->luf.flush_required)
		return 0;
	/* The CPUs the ordinary batch flushes next anyway owe nothing more. */
	if (ubc->flush_required)
		t->luf.cpumask &= ~ubc->cpumask;
	if (!t->luf.cpumask) {
		t->luf = (struct tlbflush_unmap_batch){ 0 };
		return 0;
	}
	ugen = new_ugen(l);
	key = new_key(l);
	fold_request(vm, &l->keys[key], t->luf.cpumask, ugen);
	l->keys[key].settled = 0;
	t->luf = (struct tlbflush_unmap_batch){ 0 };
	return key;
}

void vmsim__luf_put_folio(struct vmsim *vm, struct vmsim_page *p, uint32_t key)
{
	struct vmsim_luf *l = vmsim__luf(vm);

	if (!l || !key) {
		vmsim_put_page(vm, p);
		return;
	}
	if (p->refcount != 1) {
		/* Someone else frees it, without the key: pay now. */
		vmsim__luf_flush_key(vm, key, VMSIM_LUF_PT_LAZYFREE);
		vmsim_put_page(vm, p);
		return;
	}
	p->refcount = 0;
	if (vm->page_release_hook)
		vm->page_release_hook(vm, p);
	l->st.luf_folios++;
	vmsim__luf_trace(vm, "free", VMSIM_LUF_NR_POINTS, NULL, 0, vmsim_page_to_pfn(vm, p), l->keys[key].ugen,
			 l->keys[key].cpumask);
	vmsim__free_pages_luf(vm, p, p->order, key);
}

/* ---- luf=debug: Dave Hansen's rules ---- */

static void rule_break(struct vmsim *vm, struct luf_slot *s, const char *rule, const char *what, uint64_t key,
		       const struct vmsim_mm *mm, const struct vmsim_file *f)
{
	struct vmsim_luf *l = vmsim__luf(vm);
	uint64_t owe = s->cpumask;

	vmsim__tlbbatch_diet(vm, &owe, s->ugen);
	l->st.rule_breaks++;
	vmsim__luf_trace(vm, "rule", VMSIM_LUF_NR_POINTS, mm, mm ? key : 0, ~0UL, s->ugen, owe);
	if (mm)
		VMSIM_BUG(vm, "LUF rule 1 broken: %s: mm%d pte slot %#llx %s before its deferred flush "
			  "(generation %llu, CPUs %#llx still owe it)", rule, mm->id, (unsigned long long)key, what,
			  (unsigned long long)s->ugen, (unsigned long long)owe);
	else
		VMSIM_BUG(vm, "LUF rule 2 broken: %s: file %s page-cache slot %llu %s before its deferred flush "
			  "(generation %llu, CPUs %#llx still owe it)", rule, f->name, (unsigned long long)key, what,
			  (unsigned long long)s->ugen, (unsigned long long)owe);
}

void vmsim__luf_check_pte(struct vmsim_mm *mm, uint64_t addr, pte_t pte)
{
	struct luf_slot *s;

	if (!mm->luf_slots || !pte_present(pte))
		return;
	s = slot_find(mm->luf_slots, addr);
	if (!s)
		return;
	/* The same frame again (a failed migration puts src back): every
	 * stale translation agrees with it. */
	if (pte_pfn(pte) != s->pfn && !vmsim__tlbbatch_check_done(mm->vm, s->cpumask, s->ugen))
		rule_break(mm->vm, s, "a LUF'd pte can't be rewritten until after a luf_flush()",
			   "made present", addr, mm, NULL);
	HASH_DEL(mm->luf_slots, s);
	vmsim__free(mm->vm, s);
}

void vmsim__luf_check_cache(struct vmsim_file *f, uint64_t pgoff, const char *what)
{
	struct luf_slot *s;

	if (!f->luf_slots)
		return;
	s = slot_find(f->luf_slots, pgoff);
	if (!s)
		return;
	if (!vmsim__tlbbatch_check_done(f->vm, s->cpumask, s->ugen))
		rule_break(f->vm, s, "a LUF'd page's position in the page cache can't be replaced until after a "
			   "luf_flush()", what, pgoff, NULL, f);
	HASH_DEL(f->luf_slots, s);
	vmsim__free(f->vm, s);
}

void vmsim__luf_cache_vacated(struct vmsim *vm, struct vmsim_file *f, uint64_t pgoff)
{
	if (vmsim__luf(vm) && debug(vm) && f && cur(vm)->last_ugen)
		slot_note(vm, &f->luf_slots, pgoff, cur(vm)->last_cpumask, cur(vm)->last_ugen, ~0UL);
}

void vmsim__luf_cache_replaced(struct vmsim *vm, struct vmsim_file *f, uint64_t pgoff)
{
	vmsim__luf_cache_vacated(vm, f, pgoff);
	if (f)
		vmsim__luf_check_cache(f, pgoff, "replaced (migration)");
}

void vmsim__luf_mm_exit(struct vmsim_mm *mm)
{
	slots_free(mm->vm, &mm->luf_slots);
}

void vmsim__luf_file_exit(struct vmsim_file *f)
{
	slots_free(f->vm, &f->luf_slots);
}

/* ---- the machine ---- */

int vmsim__luf_init(struct vmsim *vm)
{
	struct vmsim_luf *l;

	if (vm->cfg.luf == VMSIM_LUF_OFF)
		return 0;
	l = vmsim__calloc(vm, 1, sizeof(*l));
	if (!l)
		return -ENOMEM;
	vm->mm_world->luf = l;
	vm->luf_fold = fold_keys;
	vm->luf_takeoff = takeoff;
	vm->luf_allocated = allocated;
	vm->luf_switched = switched;
	vm->luf_entry_gone = entry_gone;
	return 0;
}

void vmsim__luf_exit(struct vmsim *vm)
{
	struct vmsim_luf *l = vmsim__luf(vm);
	struct luf_pfn *bp, *t;

	if (!l)
		return;
	for (uint32_t i = 0; i < l->nr_recs; i++)
		if (l->recs[i].refs && l->recs[i].r.file)
			vmsim__file_put(l->recs[i].r.file);
	HASH_ITER(hh, l->by_pfn, bp, t) {
		HASH_DEL(l->by_pfn, bp);
		vmsim__free(vm, bp);
	}
	vmsim__free(vm, l->recs);
	vmsim__free(vm, l);
	vm->mm_world->luf = NULL;
	vm->luf_fold = NULL;
	vm->luf_takeoff = NULL;
	vm->luf_allocated = NULL;
	vm->luf_switched = NULL;
	vm->luf_entry_gone = NULL;
}

/* ---- the public view ---- */

int vmsim_luf_stats(const struct vmsim *vm, struct vmsim_luf_stats *out)
{
	const struct vmsim_luf *l;
	uint64_t oldest;

	if (!vm || !out)
		return -EINVAL;
	l = vm->mm_world ? vm->mm_world->luf : NULL;
	*out = l ? l->st : (struct vmsim_luf_stats){ 0 };
	if (l) {
		out->ugen = l->ugen;
		out->owed_pages = vm->nr_luf_pages;
		out->owed_pages_max = vm->nr_luf_pages_max;
		/* Translations still cached have lived this long so far. */
		if (vmsim__tlb_luf_tagged(vm, &oldest) && vm->step - oldest > out->stale_max_steps)
			out->stale_max_steps = vm->step - oldest;
	}
	for (unsigned i = 0; i < vmsim_nr_cpus(vm); i++) {
		struct vmsim_cpu_stats c;

		vmsim_cpu_stats(vm, (int)i, &c);
		out->shootdown_ipis += c.ipis_sent;
		out->flushed_entries += c.entries_dropped;
	}
	return 0;
}

int vmsim_luf_ugen_done(const struct vmsim *vm, int cpu, uint64_t *out)
{
	if (!vm || !out || cpu < 0 || (unsigned)cpu >= vmsim_nr_cpus(vm))
		return -EINVAL;
	*out = vmsim__cpu_ugen_done(vm, cpu);
	return 0;
}

static int owed(const struct luf_batch *b, uint64_t *cpumask, uint64_t *ugen)
{
	if (cpumask)
		*cpumask = b ? b->cpumask : 0;
	if (ugen)
		*ugen = b ? b->ugen : 0;
	return b && b->ugen ? 1 : 0;
}

int vmsim_luf_page_owed(struct vmsim *vm, unsigned long pfn, uint64_t *cpumask, uint64_t *ugen)
{
	struct vmsim_luf *l;
	uint32_t key;

	if (!vm || pfn >= vmsim_nr_frames(vm))
		return -EINVAL;
	l = vmsim__luf(vm);
	key = l ? vmsim__page_luf_key(vm, pfn) : 0;
	return owed(key && key < NR_LUF_KEYS ? &l->keys[key] : NULL, cpumask, ugen);
}

int vmsim_luf_mm_owed(const struct vmsim_mm *mm, uint64_t *cpumask, uint64_t *ugen)
{
	if (!mm)
		return -EINVAL;
	return owed(&mm->luf, cpumask, ugen);
}

int vmsim_luf_file_owed(const struct vmsim_file *f, uint64_t *cpumask, uint64_t *ugen)
{
	if (!f)
		return -EINVAL;
	return owed(&f->luf, cpumask, ugen);
}
