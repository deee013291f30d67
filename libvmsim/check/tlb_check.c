/* Stale-TLB detector: freed frames still in a TLB, and translations that
 * grant more than the page tables.  Plays the part of mm/page_table_check.c
 * for the hardware side that Linux cannot check (arch/x86/mm/tlb.c rules). */
#include <inttypes.h>
#include <stdio.h>

#include "../hw/cpu_internal.h"
#include "../boot.h"

static const char *const size_name[VMSIM_TLB_NR_SIZES] = { "4K", "2M", "1G" };

static void describe(const struct vmsim_tlb_entry *e, char *buf, size_t size)
{
	snprintf(buf, size, "%s pcid %u%s pfn %#lx %s%s%s%s (leaf %#" PRIx64 ")", size_name[e->size],
		 e->pcid, e->global ? " global" : "", e->pfn, e->write ? "rw" : "ro",
		 e->user ? " user" : " kernel", e->nx ? " nx" : " x", e->dirty ? " dirty" : " clean",
		 e->leaf);
}

/* page_free_hook: a live TLB entry naming a freed frame is a use after free. */
static void tlb_check_free(struct vmsim *vm, struct vmsim_page *page, unsigned order)
{
	unsigned long first = vmsim_page_to_pfn(vm, page), last = first + (1UL << order);

	bool small = false;

	if (!vm->cpu)
		return;
	/* Incremental: only entries that can name these frames are looked
	 * at.  No valid 4K or 2M entry in their 2M chunks: only the 1G arrays
	 * (a few entries each) can hold them. */
	for (unsigned long ch = first >> 9; ch <= (last - 1) >> 9 && !small; ch++)
		small = vm->tlb_chunk_refs[ch & (VMSIM_TLB_CHUNKS - 1)] != 0;
	for (unsigned i = 0; i < vm->cfg.cpus; i++) {
		struct vmsim_cpu *c = &vm->cpu[i];

		for (int s = 0; s < VMSIM_TLB_NR_SIZES; s++) {
			struct vmsim_tlb_array *a = &c->tlb[s];

			if (!a->nr_valid || (s != VMSIM_TLB_1G && !small))
				continue;
			for (size_t k = 0; k < (size_t)a->sets * a->ways; k++) {
				struct vmsim_tlbe *t = &a->slot[k];
				unsigned long hit;
				char d[160];

				/* Entries of array s are all of its page size. */
				if (!t->valid || t->e.pfn >= last ||
				    t->e.pfn + (1UL << (a->shift - PAGE_SHIFT)) <= first)
					continue;
				if (!vmsim__tlb_entry_live(vm, c, t))
					continue;	/* flushed at its next switch_mm */
				if (t->luf_rec)
					continue;	/* LUF deferred its flush: the page goes owing it */
				hit = t->e.pfn > first ? t->e.pfn : first;
				if (vm->luf_tracks && vm->luf_tracks(vm, hit))
					continue;
				describe(&t->e, d, sizeof(d));
				VMSIM_BUG(vm, "use after free through CPU %u's TLB: addr %#" PRIx64
					  ", cached %s, pfn %#lx freed (order %u)", i, t->e.addr, d, hit, order);
			}
		}
	}
}

void vmsim__tlb_check_init(struct vmsim *vm)
{
	if (vm->cfg.check != VMSIM_CHECK_OFF && !vm->page_free_hook)
		vm->page_free_hook = tlb_check_free;
}

void vmsim_set_luf_tracks(struct vmsim *vm, vmsim_luf_tracks_fn fn)
{
	if (!vm)
		return;
	vm->luf_tracks = fn;
}

/* What the tables give now at va, against entry e; NULL if e is no more
 * than that. */
static const char *grants_more(const struct vmsim_tlb_entry *e, uint64_t va, const struct vmsim_xlate *x)
{
	unsigned long want = e->pfn + (unsigned long)((va - e->addr) >> PAGE_SHIFT);

	if (!x->present)
		return "not present now";
	if (x->pfn != want)
		return "maps another frame now";
	if (e->write && !x->write)
		return "read-only now";
	if (e->user && !x->user)
		return "kernel-only now";
	if (!e->nx && x->nx)
		return "no-exec now";
	if (e->write && e->dirty && !x->dirty)
		return "clean now (a write would not set D)";
	return NULL;
}

static unsigned check_entry(struct vmsim *vm, struct vmsim_cpu *c, struct vmsim_mm_context *ctx,
			    const struct vmsim_tlb_entry *e, uint64_t start, uint64_t end)
{
	uint64_t eend = e->addr + vmsim__tlb_page_size(e->size);
	uint64_t va = e->addr > start ? e->addr : start;
	uint64_t stop = eend < end ? eend : end;

	while (va < stop) {
		struct vmsim_xlate x;
		const char *why;
		uint64_t step;
		char d[160];

		if (vmsim__xlate(vm, ctx->pgd, va, &x))
			return 0;
		why = grants_more(e, va, &x);
		if (why) {
			describe(e, d, sizeof(d));
			VMSIM_BUG(vm, "stale TLB entry on CPU %d for mm%d: addr %#" PRIx64 " cached %s, "
				  "but the %s entry is %#" PRIx64 ": %s", c->nr, ctx->id, va, d,
				  x.level == VMSIM_LVL_PTE ? "pte" : x.level == VMSIM_LVL_PMD ? "pmd" :
				  x.level == VMSIM_LVL_PUD ? "pud" : "upper", x.leaf, why);
			return 1;
		}
		/* Both sides are linear up to the end of the smaller page. */
		step = x.present ? vmsim__tlb_page_size(x.size) : PAGE_SIZE;
		va = (va & ~(step - 1)) + step;
		if (!va)
			break;
	}
	return 0;
}

int vmsim_tlb_check_stale(struct vmsim *vm, struct vmsim_mm_context *ctx, uint64_t start, uint64_t end)
{
	unsigned found = 0;

	if (!vmsim__ctx_live(vm, ctx) || start > end)
		return -EINVAL;
	for (unsigned i = 0; i < vm->cfg.cpus; i++) {
		struct vmsim_cpu *c = &vm->cpu[i];
		int asid = vmsim_cpu_asid(vm, (int)i, ctx);
		bool runs = c->loaded == ctx;

		for (int s = 0; s < VMSIM_TLB_NR_SIZES; s++) {
			struct vmsim_tlb_array *a = &c->tlb[s];

			for (size_t k = 0; k < (size_t)a->sets * a->ways; k++) {
				struct vmsim_tlbe *t = &a->slot[k];

				if (!t->valid)
					continue;
				/* Global entries serve ctx only where it runs. */
				if (t->e.global ? !runs : (asid < 0 || t->e.pcid != (unsigned)asid))
					continue;
				if (!vmsim__tlb_entry_live(vm, c, t) || t->luf_rec)
					continue;	/* LUF's are the detector's (check/luf_check.c) */
				found += check_entry(vm, c, ctx, &t->e, start, end);
			}
		}
	}
	return (int)found;
}
