/* The TLB hardware: set-associative arrays tagged by PCID, INVLPG and CR3
 * flushes (the instructions arch/x86/include/asm/tlbflush.h issues). */
#include <string.h>

#include "cpu_internal.h"

static const unsigned size_shift[VMSIM_TLB_NR_SIZES] = { PAGE_SHIFT, PMD_SHIFT, PUD_SHIFT };

uint64_t vmsim__tlb_page_size(enum vmsim_tlb_size size)
{
	return 1ULL << size_shift[size];
}

int vmsim__tlb_alloc(struct vmsim *vm, struct vmsim_cpu *c)
{
	/* Geometry: see <vmsim/cpu.h>. */
	unsigned sets[VMSIM_TLB_NR_SIZES] = { vm->cfg.tlb_sets,
		vm->cfg.tlb_sets >= 2 ? vm->cfg.tlb_sets / 2 : 1, 1 };
	unsigned ways[VMSIM_TLB_NR_SIZES] = { vm->cfg.tlb_ways, vm->cfg.tlb_ways, 4 };

	for (int s = 0; s < VMSIM_TLB_NR_SIZES; s++) {
		struct vmsim_tlb_array *a = &c->tlb[s];

		a->sets = sets[s];
		a->ways = ways[s];
		a->shift = size_shift[s];
		a->slot = vmsim__calloc(vm, (size_t)a->sets * a->ways, sizeof(*a->slot));
		if (!a->slot)
			return -ENOMEM;
	}
	return 0;
}

void vmsim__tlb_release(struct vmsim *vm, struct vmsim_cpu *c)
{
	for (int s = 0; s < VMSIM_TLB_NR_SIZES; s++) {
		vmsim__free(vm, c->tlb[s].slot);
		c->tlb[s].slot = NULL;
	}
}

static struct vmsim_tlbe *set_of(struct vmsim_tlb_array *a, uint64_t addr)
{
	return &a->slot[(size_t)((addr >> a->shift) & (a->sets - 1)) * a->ways];
}

static bool matches(const struct vmsim_tlbe *t, unsigned pcid, uint64_t addr, unsigned shift)
{
	return t->valid && (t->e.global || t->e.pcid == pcid) && t->e.addr == (addr >> shift << shift);
}

struct vmsim_tlbe *vmsim__tlb_lookup(struct vmsim_cpu *c, unsigned pcid, uint64_t addr)
{
	/* Two sizes can both match only after a missing flush; the smaller
	 * page wins, which is as good as any choice hardware makes. */
	for (int s = 0; s < VMSIM_TLB_NR_SIZES; s++) {
		struct vmsim_tlb_array *a = &c->tlb[s];
		struct vmsim_tlbe *set;

		if (!a->nr_valid)
			continue;
		set = set_of(a, addr);
		for (unsigned w = 0; w < a->ways; w++)
			if (matches(&set[w], pcid, addr, a->shift))
				return &set[w];
	}
	return NULL;
}

/* The per-2M-chunk count of entries that may cache its frames (see
 * cpu_internal.h); 1G entries are left to a scan of their small arrays. */
static inline void chunk_ref(struct vmsim *vm, const struct vmsim_tlbe *t, int d)
{
	if (t->e.size != VMSIM_TLB_1G)
		vm->tlb_chunk_refs[VMSIM_TLB_CHUNK(t->e.pfn)] += (unsigned)d;
}

static void trace_tlb(struct vmsim *vm, enum vmsim_trace_type type, int cpu, const struct vmsim_tlbe *t,
		      const char *why)
{
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = type, .cpu = cpu,
			  .level = t->e.size + 1, .addr = t->e.addr, .new_val = t->e.leaf, .pfn = t->e.pfn,
			  .why = why });
}

/* A tagged entry is gone: the LUF layer learns how long it lived. */
static void luf_gone(struct vmsim *vm, struct vmsim_tlbe *t)
{
	uint32_t rec = t->luf_rec;

	t->luf_rec = 0;
	if (vm->luf_entry_gone)
		vm->luf_entry_gone(vm, rec, t->luf_since);
}

void vmsim__tlb_fill(struct vmsim *vm, struct vmsim_cpu *c, const struct vmsim_tlb_entry *e)
{
	struct vmsim_tlb_array *a = &c->tlb[e->size];
	struct vmsim_tlbe *set = set_of(a, e->addr), *victim = NULL;
	bool refill;

	struct vmsim_tlbe *free_way = NULL, *oldest = &set[0];

	/* Refilling the same page replaces its entry: no duplicates; else
	 * the first invalid way, else the least recently used (one pass). */
	for (unsigned w = 0; w < a->ways; w++) {
		struct vmsim_tlbe *t = &set[w];

		if (!t->valid) {
			if (!free_way)
				free_way = t;
			continue;
		}
		if (t->e.addr == e->addr && (t->e.global || e->global || t->e.pcid == e->pcid)) {
			victim = t;
			break;
		}
		if (t->lru < oldest->lru || !oldest->valid)
			oldest = t;
	}
	refill = victim != NULL;
	if (!victim)
		victim = free_way ? free_way : oldest;
	if (victim->valid && !refill) {
		c->st.tlb_evictions++;
		trace_tlb(vm, VMSIM_TR_TLB_EVICT, c->nr, victim, "lru");
	}
	if (!victim->valid) {
		a->nr_valid++;
	} else {
		chunk_ref(vm, victim, -1);
		if (victim->luf_rec)
			luf_gone(vm, victim);
	}
	victim->e = *e;
	victim->valid = true;
	chunk_ref(vm, victim, 1);
	victim->lru = ++c->tick;
	c->fill_gen++;
	c->st.tlb_fills++;
	trace_tlb(vm, VMSIM_TR_TLB_FILL, c->nr, victim, NULL);
}

void vmsim__tlb_drop(struct vmsim *vm, struct vmsim_cpu *c, struct vmsim_tlb_array *a, struct vmsim_tlbe *t)
{
	chunk_ref(vm, t, -1);
	t->valid = false;
	a->nr_valid--;
	c->st.entries_dropped++;
	if (t->luf_rec)
		luf_gone(vm, t);
}

unsigned vmsim__tlb_invlpg(struct vmsim *vm, struct vmsim_cpu *c, unsigned pcid, uint64_t addr)
{
	unsigned n = 0;

	for (int s = 0; s < VMSIM_TLB_NR_SIZES; s++) {
		struct vmsim_tlb_array *a = &c->tlb[s];
		struct vmsim_tlbe *set;

		if (!a->nr_valid)
			continue;
		set = set_of(a, addr);
		for (unsigned w = 0; w < a->ways; w++) {
			if (matches(&set[w], pcid, addr, a->shift)) {
				vmsim__tlb_drop(vm, c, a, &set[w]);
				n++;
			}
		}
	}
	return n;
}

static unsigned flush_where(struct vmsim *vm, struct vmsim_cpu *c, bool all, unsigned pcid, const char *why)
{
	unsigned n = 0;

	for (int s = 0; s < VMSIM_TLB_NR_SIZES; s++) {
		struct vmsim_tlb_array *a = &c->tlb[s];

		for (size_t i = 0; a->nr_valid && i < (size_t)a->sets * a->ways; i++) {
			struct vmsim_tlbe *t = &a->slot[i];

			if (t->valid && (all || (!t->e.global && t->e.pcid == pcid))) {
				vmsim__tlb_drop(vm, c, a, t);
				n++;
			}
		}
	}
	c->st.full_flushes++;
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_TLB_FLUSH, .cpu = c->nr,
			  .pfn = pcid, .order = n, .why = why });
	return n;
}

unsigned vmsim__tlb_flush_pcid(struct vmsim *vm, struct vmsim_cpu *c, unsigned pcid, const char *why)
{
	return flush_where(vm, c, false, pcid, why);
}

unsigned vmsim__tlb_flush_everything(struct vmsim *vm, struct vmsim_cpu *c, const char *why)
{
	return flush_where(vm, c, true, 0, why);
}

bool vmsim__tlb_entry_live(struct vmsim *vm, struct vmsim_cpu *c, const struct vmsim_tlbe *t)
{
	unsigned asid = t->e.pcid;
	struct vmsim_mm_context *ctx;

	if (!t->valid)
		return false;
	if (t->e.global)
		return true;
	if (c->loaded && c->loaded_mm_asid == asid)
		return true;
	ctx = vmsim__ctx_by_id(vm, c->ctxs[asid].ctx_id);
	return ctx && c->ctxs[asid].tlb_gen >= ctx->tlb_gen;
}

static bool pcid_of(struct vmsim_cpu *c, const struct vmsim_mm_context *ctx, unsigned *pcid)
{
	for (unsigned a = 0; a < VMSIM_TLB_NR_DYN_ASIDS; a++) {
		if (c->ctxs[a].ctx_id == ctx->ctx_id) {
			*pcid = a;
			return true;
		}
	}
	return false;
}

int vmsim_tlb_probe(struct vmsim *vm, int cpu, const struct vmsim_mm_context *ctx, uint64_t addr,
		    struct vmsim_tlb_entry *out)
{
	struct vmsim_cpu *c;
	struct vmsim_tlbe *t = NULL;
	unsigned pcid;

	if (!vmsim__ctx_live(vm, ctx) || !vmsim__cpu_valid(vm, cpu))
		return -EINVAL;
	c = &vm->cpu[cpu];
	if (pcid_of(c, ctx, &pcid)) {
		t = vmsim__tlb_lookup(c, pcid, addr);
	} else {
		/* No ASID for ctx here: only global entries can serve it. */
		for (int s = 0; s < VMSIM_TLB_NR_SIZES && !t; s++) {
			struct vmsim_tlb_array *a = &c->tlb[s];
			struct vmsim_tlbe *set = set_of(a, addr);

			for (unsigned w = 0; w < a->ways && !t; w++)
				if (set[w].valid && set[w].e.global && matches(&set[w], 0, addr, a->shift))
					t = &set[w];
		}
	}
	if (!t)
		return 0;
	if (out)
		*out = t->e;
	return 1;
}

int vmsim_tlb_entries(struct vmsim *vm, int cpu, struct vmsim_tlb_entry *out, size_t max)
{
	struct vmsim_cpu *c;
	size_t n = 0;

	if (!vm || !vmsim__cpu_valid(vm, cpu) || (!out && max))
		return -EINVAL;
	c = &vm->cpu[cpu];
	for (int s = 0; s < VMSIM_TLB_NR_SIZES; s++) {
		struct vmsim_tlb_array *a = &c->tlb[s];

		for (size_t i = 0; i < (size_t)a->sets * a->ways; i++) {
			if (!a->slot[i].valid)
				continue;
			if (n < max)
				out[n] = a->slot[i].e;
			n++;
		}
	}
	return (int)n;
}

unsigned vmsim__tlb_tag_luf(struct vmsim *vm, const struct vmsim_mm_context *ctx, uint64_t addr,
			    unsigned long pfn, uint32_t rec)
{
	unsigned n = 0;

	for (unsigned i = 0; vm->cpu && i < vm->cfg.cpus; i++) {
		struct vmsim_cpu *c = &vm->cpu[i];
		struct vmsim_tlbe *t;
		unsigned pcid;

		if (!pcid_of(c, ctx, &pcid))
			continue;
		t = vmsim__tlb_lookup(c, pcid, addr);
		/* An entry of another frame is some older unmap's, still tagged
		 * with that one's record. */
		if (!t || t->e.global || t->e.size != VMSIM_TLB_4K || t->e.pfn != pfn || t->luf_rec)
			continue;
		t->luf_rec = rec;
		t->luf_since = vm->step;
		n++;
	}
	return n;
}

unsigned long vmsim__tlb_luf_tagged(const struct vmsim *vm, uint64_t *oldest)
{
	unsigned long n = 0;

	*oldest = 0;
	for (unsigned i = 0; vm->cpu && i < vm->cfg.cpus; i++) {
		const struct vmsim_cpu *c = &vm->cpu[i];

		for (int s = 0; s < VMSIM_TLB_NR_SIZES; s++) {
			const struct vmsim_tlb_array *a = &c->tlb[s];

			for (size_t k = 0; k < (size_t)a->sets * a->ways; k++) {
				const struct vmsim_tlbe *t = &a->slot[k];

				if (!t->valid || !t->luf_rec)
					continue;
				if (!n++ || t->luf_since < *oldest)
					*oldest = t->luf_since;
			}
		}
	}
	return n;
}
