/* The stale-read detector of lazy unmap flush: a load that hits a
 * translation whose flush LUF deferred reads the frame the unmapped pte
 * named.  That is harmless while the frame still holds what the address
 * means (LUF's premise: a freed page does not change while it sits in the
 * allocator); it is a stale read once the frame was handed out again, or
 * the data the address means now lives elsewhere and differs (written
 * through another mapping or the file, replaced in the page cache, the
 * address remapped).  No Linux file: the reviewers of the series (Dave
 * Hansen, David Hildenbrand) asked for a way to find such reads. */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../mm/mm_internal.h"
#include "../boot.h"

/* What the address means now, compared with the frame the stale entry
 * reads: NULL when they agree, else why not (now_pfn: the frame that holds
 * it now, ~0UL if none).  Nothing here may yield to another CPU's
 * operation (vmsim explore): r must stay valid. */
static const char *judge(struct vmsim *vm, const struct vmsim_luf_rec *r, unsigned long pfn,
			 unsigned long *now_pfn)
{
	static unsigned char old[PAGE_SIZE], now[PAGE_SIZE];
	struct vmsim_mm *mm = r->mm;
	struct vm_area_struct *vma;
	struct vmsim_page *g = NULL;
	pte_t *ptep, pte;
	bool anon = r->mapping && ((uintptr_t)r->mapping & 1);

	*now_pfn = ~0UL;
	if (r->realloc)
		return "the frame was handed out again since";
	vma = vmsim__find_vma_rcu(mm, r->va);
	if (!vma || r->va < vma->vm_start)
		return "the address is not mapped now";
	ptep = vmsim__pte_lookup(mm, r->va);
	pte = ptep ? ptep_get(ptep) : __pte(0);
	if (pte_present(pte)) {
		*now_pfn = pte_pfn(pte);
		if (*now_pfn == pfn)
			return NULL;
		g = vmsim_pfn_to_page(vm, *now_pfn);
		if (!g || g->mapping != r->mapping || g->index != r->index)
			return "the address maps another page now";
		vmsim_frame_read(vm, g, 0, now, PAGE_SIZE);
	} else if (!anon && !r->file) {
		return NULL;	/* nothing to compare with: a frame of no file */
	} else if (!anon && !pte_none(pte) && !vma->vm_file) {
		return "the address maps another page now";
	} else if (!anon) {
		/* A page-cache page, by the file and offset the vma maps. */
		uint64_t pgoff = linear_page_index(vma, r->va);

		if (!pte_none(pte) || vma->vm_file != r->file || pgoff != r->index)
			return "the address maps another page now";
		g = vmsim__file_peek(r->file, pgoff, now);
		if (g)
			*now_pfn = vmsim_page_to_pfn(vm, g);
	} else {
		struct vmsim_kind_hold h;

		if (pte_none(pte))
			return "the address holds no page now";
		vmsim__kind_hold(vma, pte, &h);
		if (h.pfn != ~0UL) {
			*now_pfn = h.pfn;
			if (h.pfn == pfn)
				return NULL;
			vmsim_frame_read(vm, vmsim_pfn_to_page(vm, h.pfn), 0, now, PAGE_SIZE);
		} else if (h.swap.val) {
			struct vmsim_page *c = vmsim__swap_slot_cache(vm, h.swap);

			if (c)
				*now_pfn = vmsim_page_to_pfn(vm, c);
			vmsim__swap_peek(vm, h.swap, now);
		} else {
			return "the address holds no page now";
		}
	}
	/* Same page, another frame: only the data can differ (data=off keeps
	 * none, so nothing can be told then). */
	if (!vm->cfg.data)
		return NULL;
	vmsim_frame_read(vm, vmsim_pfn_to_page(vm, pfn), 0, old, PAGE_SIZE);
	return memcmp(old, now, PAGE_SIZE) ? "its data changed since" : NULL;
}

/* luf_stale_hit: a load through a tagged entry. */
static void stale_hit(struct vmsim *vm, int cpu, uint64_t addr, unsigned long pfn, uint32_t id)
{
	struct vmsim_luf_rec *r = vmsim__luf_rec(vm, id);
	unsigned long now_pfn;
	const char *why;
	char now[40] = "";
	uint64_t done;

	if (!r)
		return;
	why = judge(vm, r, pfn, &now_pfn);
	vmsim__luf_note_hit(vm, why != NULL);
	if (!why)
		return;
	done = vmsim__cpu_ugen_done(vm, cpu);
	vmsim__luf_trace(vm, "stale", VMSIM_LUF_NR_POINTS, r->mm, addr & PAGE_MASK, pfn, r->ugen, 1ULL << cpu);
	if (r->reported & (1ULL << cpu))
		return;
	r->reported |= 1ULL << cpu;
	if (now_pfn != ~0UL)
		snprintf(now, sizeof(now), " (now pfn %#lx)", now_pfn);
	VMSIM_BUG(vm, "stale read: CPU %d read mm%d %#" PRIx64 " through a translation LUF left in its TLB "
		  "(unmapped at step %" PRIu64 "): old pfn %#lx, but %s%s; the flush owed: generation %" PRIu64
		  ", CPU %d has done %" PRIu64, cpu, r->mm->id, addr, r->step, pfn, why, now, r->ugen, cpu, done);
}

void vmsim__luf_check_init(struct vmsim *vm)
{
	if (vm->cfg.luf != VMSIM_LUF_OFF)
		vm->luf_stale_hit = stale_hit;
}
