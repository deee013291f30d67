/* TLB shootdown: flush_tlb_mm_range, flush_tlb_func, IPIs, flush_tlb_all.
 * Follows arch/x86/mm/tlb.c of Linux 6.12 (without lazy-TLB trimming). */
#include "cpu_internal.h"
#include "../sched/sched_internal.h"

struct flush_tlb_info {
	struct vmsim_mm_context *mm;
	uint64_t start, end;
	uint64_t new_tlb_gen;
	unsigned stride_shift;
	bool freed_tables;
	int initiating_cpu;
};

void vmsim_set_flush_ceiling(struct vmsim *vm, unsigned long ceiling)
{
	if (!vm)
		return;
	vm->flush_ceiling = ceiling;
}

unsigned long vmsim_flush_ceiling(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->flush_ceiling;
}

void vmsim_debug_suppress_flush(struct vmsim *vm, bool suppress)
{
	if (!vm)
		return;
	vm->suppress_flush = suppress;
}

/* flush_tlb_func() on CPU c, which runs f->mm (checked by the caller). */
static void flush_tlb_func(struct vmsim *vm, struct vmsim_cpu *c, const struct flush_tlb_info *f)
{
	unsigned asid = c->loaded_mm_asid;
	uint64_t local_tlb_gen = c->ctxs[asid].tlb_gen;
	uint64_t mm_tlb_gen;

	if (f->new_tlb_gen <= local_tlb_gen)
		return;		/* already caught up by an earlier flush */
	mm_tlb_gen = c->loaded->tlb_gen;
	if (local_tlb_gen == mm_tlb_gen)
		return;
	/* Partial only if this flush is the one step we are behind by. */
	if (f->end != VMSIM_TLB_FLUSH_ALL && f->new_tlb_gen == local_tlb_gen + 1 &&
	    f->new_tlb_gen == mm_tlb_gen) {
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_TLB_FLUSH,
				  .cpu = c->nr, .addr = f->start, .end = f->end,
				  .why = c->nr == f->initiating_cpu ? "local" : "remote" });
		for (uint64_t addr = f->start; addr < f->end; addr += 1ULL << f->stride_shift) {
			vmsim__tlb_invlpg(vm, c, asid, addr);
			c->st.page_flushes++;
			if (addr + (1ULL << f->stride_shift) < addr)
				break;
		}
	} else {
		vmsim__tlb_flush_pcid(vm, c, asid, c->nr == f->initiating_cpu ? "local" : "remote");
	}
	c->ctxs[asid].tlb_gen = mm_tlb_gen;
}

static void send_ipi(struct vmsim *vm, struct vmsim_cpu *from, struct vmsim_cpu *to, const char *why)
{
	from->st.ipis_sent++;
	to->st.ipis_received++;
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_IPI, .cpu = from->nr,
			  .target = to->nr, .why = why });
}

void vmsim_flush_tlb_mm_range(struct vmsim *vm, struct vmsim_mm_context *mm, uint64_t start,
			      uint64_t end, unsigned stride_shift, bool freed_tables)
{
	struct flush_tlb_info info;
	struct vmsim_cpu *me;

	if (!vm || !vm->cpu || !vmsim__ctx_live(vm, mm))
		return;
	if (vm->suppress_flush) {
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vm->cur_cpu,
				  .why = "flush_tlb_mm_range suppressed (debug)" });
		return;
	}
	vmsim__sp(vm, VMSIM_SP_TLB_FLUSH, mm);
	me = &vm->cpu[vm->cur_cpu];
	/* Should we flush just the requested range? */
	if (end == VMSIM_TLB_FLUSH_ALL || start > end || stride_shift >= 64 ||
	    ((end - start) >> stride_shift) > vm->flush_ceiling) {
		start = 0;
		end = VMSIM_TLB_FLUSH_ALL;
	}
	info = (struct flush_tlb_info){ .mm = mm, .start = start, .end = end,
		.new_tlb_gen = ++mm->tlb_gen, .stride_shift = stride_shift,
		.freed_tables = freed_tables, .initiating_cpu = me->nr };
	/* native_flush_tlb_multi() over mm_cpumask: the local CPU runs the
	 * function directly, the others by IPI.  should_flush_tlb() skips CPUs
	 * that do not run mm, unless tables were freed (then the IPI arrives
	 * and flush_tlb_func returns at once: f->mm != loaded_mm). */
	for (unsigned i = 0; i < vm->cfg.cpus; i++) {
		struct vmsim_cpu *c = &vm->cpu[i];
		bool runs = c->loaded == mm;

		if (!(mm->cpumask & (1ULL << i)) && !(c == me && runs))
			continue;
		if (c == me) {
			if (runs)
				flush_tlb_func(vm, c, &info);
			continue;
		}
		if (!runs && !freed_tables)
			continue;
		/* The IPI lands on the other CPU between two of its steps. */
		vmsim__sp(vm, VMSIM_SP_IPI, mm);
		runs = c->loaded == mm;
		send_ipi(vm, me, c, "flush_tlb_mm_range");
		if (runs)
			flush_tlb_func(vm, c, &info);
	}
}

void vmsim_flush_tlb_page(struct vmsim *vm, struct vmsim_mm_context *ctx, uint64_t addr)
{
	addr &= PAGE_MASK;
	vmsim_flush_tlb_mm_range(vm, ctx, addr, addr + PAGE_SIZE, PAGE_SHIFT, false);
}

void vmsim_flush_tlb_range(struct vmsim *vm, struct vmsim_mm_context *ctx, uint64_t start, uint64_t end)
{
	vmsim_flush_tlb_mm_range(vm, ctx, start, end, PAGE_SHIFT, false);
}

void vmsim_flush_tlb_mm(struct vmsim *vm, struct vmsim_mm_context *ctx)
{
	vmsim_flush_tlb_mm_range(vm, ctx, 0, VMSIM_TLB_FLUSH_ALL, 0, true);
}

void vmsim_flush_tlb_all(struct vmsim *vm)
{
	struct vmsim_cpu *me;

	if (!vm || !vm->cpu)
		return;
	if (vm->suppress_flush) {
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vm->cur_cpu,
				  .why = "flush_tlb_all suppressed (debug)" });
		return;
	}
	vmsim__sp(vm, VMSIM_SP_TLB_FLUSH, NULL);
	me = &vm->cpu[vm->cur_cpu];
	/* on_each_cpu(do_flush_tlb_all): __flush_tlb_all() drops global entries
	 * and every PCID. */
	for (unsigned i = 0; i < vm->cfg.cpus; i++) {
		struct vmsim_cpu *c = &vm->cpu[i];

		if (c != me) {
			vmsim__sp(vm, VMSIM_SP_IPI, NULL);
			send_ipi(vm, me, c, "flush_tlb_all");
		}
		vmsim__tlb_flush_everything(vm, c, "flush_tlb_all");
	}
}

/* arch_tlbbatch_should_defer(): worth batching only when some other CPU
 * may cache the mm's translations. */
bool vmsim__tlbbatch_should_defer(struct vmsim *vm, const struct vmsim_mm_context *ctx)
{
	return vm->cpu && (ctx->cpumask & ~(1ULL << vm->cur_cpu)) != 0;
}

/* arch_tlbbatch_add_pending(): inc_mm_tlb_gen() (CPUs that do not run the
 * mm now flush at their next switch to it) and the mm's CPUs join the
 * batch. */
void vmsim__tlbbatch_add_pending(struct vmsim *vm, uint64_t *cpumask, struct vmsim_mm_context *ctx)
{
	(void)vm;
	ctx->tlb_gen++;
	*cpumask |= ctx->cpumask;
}

/* arch_tlbbatch_flush(): flush_tlb_multi() of a full flush with no mm
 * (TLB_GENERATION_INVALID): every CPU of the batch flushes whatever mm it
 * runs if it is behind; the others are IPI'd for it. */
void vmsim__tlbbatch_flush(struct vmsim *vm, uint64_t *cpumask)
{
	struct vmsim_cpu *me;

	if (!vm->cpu || !*cpumask)
		return;
	if (vm->suppress_flush) {
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vm->cur_cpu,
				  .why = "arch_tlbbatch_flush suppressed (debug)" });
		return;
	}
	me = &vm->cpu[vm->cur_cpu];
	for (unsigned i = 0; i < vm->cfg.cpus; i++) {
		struct vmsim_cpu *c = &vm->cpu[i];
		unsigned asid;

		if (!(*cpumask & (1ULL << i)))
			continue;
		if (c != me)
			send_ipi(vm, me, c, "arch_tlbbatch_flush");
		if (!c->loaded)
			continue;
		asid = c->loaded_mm_asid;
		if (c->ctxs[asid].tlb_gen == c->loaded->tlb_gen)
			continue;	/* nothing to do: already up to date */
		vmsim__tlb_flush_pcid(vm, c, asid, c == me ? "local batch" : "remote batch");
		c->ctxs[asid].tlb_gen = c->loaded->tlb_gen;
	}
	*cpumask = 0;
}

/* ---- LUF's generations (v12 arch_tlbbatch_check_done/diet/mark_ugen) ----
 * A CPU's ugen_done is the generation of the newest LUF-aware flush it took
 * part in; a request of generation ugen is done there once ugen_done has
 * reached it, whatever flushed it. */

bool vmsim__tlbbatch_check_done(const struct vmsim *vm, uint64_t mask, uint64_t ugen)
{
	for (unsigned i = 0; vm->cpu && i < vm->cfg.cpus; i++)
		if ((mask & (1ULL << i)) && vm->cpu[i].luf_ugen_done < ugen)
			return false;
	return true;
}

bool vmsim__tlbbatch_diet(const struct vmsim *vm, uint64_t *mask, uint64_t ugen)
{
	for (unsigned i = 0; vm->cpu && i < vm->cfg.cpus; i++)
		if ((*mask & (1ULL << i)) && vm->cpu[i].luf_ugen_done >= ugen)
			*mask &= ~(1ULL << i);
	return *mask == 0;
}

void vmsim__tlbbatch_mark_ugen(struct vmsim *vm, uint64_t mask, uint64_t ugen)
{
	for (unsigned i = 0; vm->cpu && i < vm->cfg.cpus; i++)
		if ((mask & (1ULL << i)) && vm->cpu[i].luf_ugen_done < ugen)
			vm->cpu[i].luf_ugen_done = ugen;
}

/* arch_mm_mark_ugen(): after flush_tlb_batched_pending(), the CPUs of the
 * mm's cpumask.  On x86 since 6.13 a CPU that runs another mm when the
 * flush IPI arrives leaves the mask in that very IPI (flush_tlb_func()),
 * so v12 marks only CPUs that flushed the mm or hold nothing; this
 * simulator never trims the mask, and marks just those. */
void vmsim__mm_mark_ugen(struct vmsim *vm, const struct vmsim_mm_context *ctx, uint64_t ugen)
{
	uint64_t mask = 0;

	for (unsigned i = 0; vm->cpu && i < vm->cfg.cpus; i++)
		if (!vm->cpu[i].loaded || vm->cpu[i].loaded == ctx)
			mask |= 1ULL << i;
	vmsim__tlbbatch_mark_ugen(vm, ctx->cpumask & mask, ugen);
}

uint64_t vmsim__cpu_ugen_done(const struct vmsim *vm, int cpu)
{
	return vm->cpu && cpu >= 0 && (unsigned)cpu < vm->cfg.cpus ? vm->cpu[cpu].luf_ugen_done : 0;
}
