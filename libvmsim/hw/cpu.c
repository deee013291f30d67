/* CPUs and address-space contexts: ctx_id, ASIDs, switch_mm.  Follows
 * arch/x86/mm/tlb.c (choose_new_asid, switch_mm_irqs_off) and
 * arch/x86/include/asm/mmu_context.h (init_new_context). */
#include <string.h>

#include "cpu_internal.h"
#include "../boot.h"

int vmsim__cpu_init(struct vmsim *vm)
{
	vm->cpu = vmsim__calloc(vm, vm->cfg.cpus, sizeof(*vm->cpu));
	vm->tlb_chunk_refs = vmsim__calloc(vm, VMSIM_TLB_CHUNKS, sizeof(*vm->tlb_chunk_refs));
	if (!vm->cpu || !vm->tlb_chunk_refs)
		return -ENOMEM;
	vm->last_ctx_id = VMSIM_INIT_MM_CTX_ID;	/* atomic64 last_mm_ctx_id = 1 */
	vm->flush_ceiling = VMSIM_TLB_FLUSH_CEILING;
	for (unsigned i = 0; i < vm->cfg.cpus; i++) {
		struct vmsim_cpu *c = &vm->cpu[i];

		c->nr = (int)i;
		/* initialize_tlbstate_and_flush(): init_mm in ASID 0. */
		c->loaded_mm_asid = 0;
		c->next_asid = 1;
		c->ctxs[0].ctx_id = VMSIM_INIT_MM_CTX_ID;
		c->ctxs[0].tlb_gen = 1;
		if (vmsim__tlb_alloc(vm, c))
			return -ENOMEM;
	}
	return 0;
}

void vmsim__cpu_exit(struct vmsim *vm)
{
	vmsim__free(vm, vm->tlb_chunk_refs);
	vm->tlb_chunk_refs = NULL;
	if (!vm->cpu)
		return;
	for (unsigned i = 0; i < vm->cfg.cpus; i++)
		vmsim__tlb_release(vm, &vm->cpu[i]);
	vmsim__free(vm, vm->cpu);
	vm->cpu = NULL;
}

bool vmsim__cpu_valid(const struct vmsim *vm, int cpu)
{
	return vm->cpu && cpu >= 0 && (unsigned)cpu < vm->cfg.cpus;
}

unsigned vmsim_nr_cpus(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->cfg.cpus;
}

int vmsim_set_cur_cpu(struct vmsim *vm, int cpu)
{
	if (!vm || !vmsim__cpu_valid(vm, cpu))
		return -EINVAL;
	vm->cur_cpu = cpu;
	return 0;
}

int vmsim_cur_cpu(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->cur_cpu;
}

struct vmsim_mm_context *vmsim__ctx_by_id(struct vmsim *vm, uint64_t ctx_id)
{
	for (struct vmsim_mm_context *x = vm->contexts; x; x = x->next_ctx)
		if (x->ctx_id == ctx_id)
			return x;
	return NULL;
}

bool vmsim__ctx_live(const struct vmsim *vm, const struct vmsim_mm_context *ctx)
{
	if (!vm || !ctx)
		return false;
	/* By address only: the caller's ctx may be uninitialised memory. */
	for (const struct vmsim_mm_context *x = vm->contexts; x; x = x->next_ctx)
		if (x == ctx)
			return true;
	return false;
}

int vmsim_mm_context_init(struct vmsim *vm, struct vmsim_mm_context *ctx, unsigned long pgd_pfn)
{
	struct vmsim_page *root;

	if (!vm || !ctx)
		return -EINVAL;
	/* Linking it a second time would make the list a cycle. */
	if (vmsim__ctx_live(vm, ctx))
		return -EBUSY;
	root = vmsim_pfn_to_page(vm, pgd_pfn);
	if (!root || !vmsim_page_test(root, PG_table) || root->pt_level != VMSIM_LVL_PGD)
		return -EINVAL;
	memset(ctx, 0, sizeof(*ctx));
	ctx->pgd = pgd_pfn;
	ctx->ctx_id = ++vm->last_ctx_id;
	ctx->tlb_gen = 1;
	ctx->id = (int)(ctx->ctx_id - 1);
	ctx->next_ctx = vm->contexts;
	if (vm->contexts)
		vm->contexts->prev_ctx = ctx;
	vm->contexts = ctx;
	return 0;
}

void vmsim_mm_context_destroy(struct vmsim *vm, struct vmsim_mm_context *ctx)
{
	if (!vmsim__ctx_live(vm, ctx))
		return;
	for (unsigned i = 0; i < vm->cfg.cpus; i++) {
		struct vmsim_cpu *c = &vm->cpu[i];

		if (c->loaded == ctx)
			c->loaded = NULL;
		for (unsigned a = 0; a < VMSIM_TLB_NR_DYN_ASIDS; a++) {
			if (c->ctxs[a].ctx_id != ctx->ctx_id)
				continue;
			vmsim__tlb_flush_pcid(vm, c, a, "destroy_context");
			c->ctxs[a].ctx_id = 0;
			c->ctxs[a].tlb_gen = 0;
		}
	}
	if (ctx->prev_ctx)
		ctx->prev_ctx->next_ctx = ctx->next_ctx;
	else
		vm->contexts = ctx->next_ctx;
	if (ctx->next_ctx)
		ctx->next_ctx->prev_ctx = ctx->prev_ctx;
	ctx->prev_ctx = ctx->next_ctx = NULL;
}

/* choose_new_asid() with PCID: the slot holding ctx, or the next one. */
static unsigned choose_new_asid(struct vmsim_cpu *c, const struct vmsim_mm_context *next,
				uint64_t next_tlb_gen, bool *need_flush)
{
	unsigned asid;

	for (asid = 0; asid < VMSIM_TLB_NR_DYN_ASIDS; asid++) {
		if (c->ctxs[asid].ctx_id != next->ctx_id)
			continue;
		*need_flush = c->ctxs[asid].tlb_gen < next_tlb_gen;
		return asid;
	}
	asid = c->next_asid++;
	if (asid >= VMSIM_TLB_NR_DYN_ASIDS) {
		asid = 0;
		c->next_asid = 1;
	}
	*need_flush = true;
	return asid;
}

int vmsim_switch_mm(struct vmsim *vm, int cpu, struct vmsim_mm_context *next)
{
	struct vmsim_mm_context *prev;
	struct vmsim_cpu *c;
	bool need_flush;
	unsigned asid;

	if (!vm || !vmsim__cpu_valid(vm, cpu))
		return -EINVAL;
	if (next && !vmsim__ctx_live(vm, next))
		return -EINVAL;
	c = &vm->cpu[cpu];
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_SWITCH_MM, .cpu = cpu,
			  .target = next ? next->id : 0 });
	if (!next) {
		/* Idle: keep the ASIDs and the cpumask bit, like a lazy CPU. */
		c->loaded = NULL;
		return 0;
	}
	c->st.switches++;
	if (c->loaded == next)
		return 0;	/* same mm, not lazy: no flush (switch_mm_irqs_off) */
	/* Start receiving IPIs, then read tlb_gen. */
	next->cpumask |= 1ULL << cpu;
	asid = choose_new_asid(c, next, next->tlb_gen, &need_flush);
	if (need_flush) {
		c->ctxs[asid].ctx_id = next->ctx_id;
		c->ctxs[asid].tlb_gen = next->tlb_gen;
		/* load_new_mm_cr3(..., true): a CR3 write that flushes the PCID. */
		vmsim__tlb_flush_pcid(vm, c, asid, "switch_mm");
	}
	prev = c->loaded;
	c->loaded = next;
	c->loaded_mm_asid = (uint16_t)asid;
	/* finish_task_switch(): LUF pays what the mm this CPU leaves owes. */
	if (prev && vm->luf_switched)
		vm->luf_switched(vm, cpu, prev);
	return 0;
}

struct vmsim_mm_context *vmsim_cpu_loaded(struct vmsim *vm, int cpu)
{
	if (!vm || !vmsim__cpu_valid(vm, cpu))
		return NULL;
	return vm->cpu[cpu].loaded;
}

int vmsim_cpu_asid(struct vmsim *vm, int cpu, const struct vmsim_mm_context *ctx)
{
	if (!vmsim__ctx_live(vm, ctx) || !vmsim__cpu_valid(vm, cpu))
		return -EINVAL;
	for (int a = 0; a < VMSIM_TLB_NR_DYN_ASIDS; a++)
		if (vm->cpu[cpu].ctxs[a].ctx_id == ctx->ctx_id)
			return a;
	return -ENOENT;
}

vmsim_fault_fn vmsim_set_fault_handler(struct vmsim *vm, vmsim_fault_fn fn, void *arg)
{
	vmsim_fault_fn old;

	if (!vm)
		return NULL;
	old = vm->fault_fn;

	vm->fault_fn = fn;
	vm->fault_arg = fn ? arg : NULL;
	return old;
}

int vmsim_cpu_stats(const struct vmsim *vm, int cpu, struct vmsim_cpu_stats *out)
{
	if (!vm || !out || !vmsim__cpu_valid(vm, cpu))
		return -EINVAL;
	*out = vm->cpu[cpu].st;
	return 0;
}

void vmsim_cpu_stats_reset(struct vmsim *vm)
{
	for (unsigned i = 0; vm && i < vm->cfg.cpus; i++)
		memset(&vm->cpu[i].st, 0, sizeof(vm->cpu[i].st));
}

const char *vmsim_access_result_name(int r)
{
	static const char *const names[] = { "ok", "SIGSEGV", "SIGBUS", "HWPOISON", "OOM", "SIGKILL" };

	if (r < 0 && r > -4096)
		return vmsim_errno_name(r);
	return r >= 0 && (unsigned)r < sizeof(names) / sizeof(names[0]) ? names[r] : "?";
}
