/* Helpers for the CPU/TLB tests: hand-built page tables for one or more
 * contexts and a fault handler that maps pages on demand (the part of
 * handle_mm_fault these tests need; no VMAs below mm/). */
#ifndef VMSIM_TLBTEST_H
#define VMSIM_TLBTEST_H

#include <string.h>

#include "testutil.h"

#define TT_MAX_FRAMES	64

struct tt_space {
	unsigned long pgd;
	struct vmsim_mm_context ctx;
};

struct tt {
	struct vmsim *vm;
	struct bug_log log;
	struct tt_space sp[8];
	unsigned nr_sp;
	unsigned long frames[TT_MAX_FRAMES];	/* leaf frames to free at the end */
	unsigned nr_frames;
	/* The demand-fault handler's record. */
	unsigned nr_faults;
	unsigned last_ec;
	uint64_t last_addr;
	int last_cpu;
	uint64_t fault_lo, fault_hi;		/* only faults in [lo, hi) are fixed */
};

static inline unsigned long tt_frame(struct tt *t)
{
	unsigned long pfn = 0;

	if (t->nr_frames >= TT_MAX_FRAMES || vmsim_page_alloc(t->vm, 0, &pfn))
		return 0;
	t->frames[t->nr_frames++] = pfn;
	return pfn;
}

/* A new context with its own pgd; returns its index. */
static inline unsigned tt_space(struct tt *t)
{
	struct tt_space *s = &t->sp[t->nr_sp];

	if (vmsim_pgd_alloc(t->vm, &s->pgd) || vmsim_mm_context_init(t->vm, &s->ctx, s->pgd))
		return ~0u;
	return t->nr_sp++;
}

static inline pte_t *tt_map(struct tt *t, unsigned sp, uint64_t addr, unsigned long pfn, pgprot_t prot)
{
	pte_t *ptep = vmsim_pte_lookup(t->vm, t->sp[sp].pgd, addr, true);

	if (ptep)
		vmsim_set_pte(t->vm, ptep, pfn_pte(pfn, prot), addr);
	return ptep;
}

static inline pte_t *tt_ptep(struct tt *t, unsigned sp, uint64_t addr)
{
	return vmsim_pte_lookup(t->vm, t->sp[sp].pgd, addr, false);
}

/*
 * Demand paging for the tests: a none PTE in [fault_lo, fault_hi) of the
 * faulting CPU's context gets a fresh PAGE_SHARED frame; a write fault on a
 * present read-only PTE makes it writable (do_wp_page's reuse).  Anything
 * else is VM_FAULT_SIGSEGV.
 */
static inline int tt_fault(struct vmsim *vm, int cpu, uint64_t addr, unsigned ec, void *arg)
{
	struct tt *t = arg;
	struct vmsim_mm_context *ctx = vmsim_cpu_loaded(vm, cpu);
	pte_t *ptep;

	t->nr_faults++;
	t->last_ec = ec;
	t->last_addr = addr;
	t->last_cpu = cpu;
	if (!ctx || addr < t->fault_lo || addr >= t->fault_hi)
		return VM_FAULT_SIGSEGV;
	ptep = vmsim_pte_lookup(vm, ctx->pgd, addr, true);
	if (!ptep)
		return VM_FAULT_OOM;
	if (pte_none(ptep_get(ptep))) {
		unsigned long pfn = tt_frame(t);

		if (!pfn)
			return VM_FAULT_OOM;
		vmsim_set_pte(vm, ptep, pfn_pte(pfn, PAGE_SHARED), addr & PAGE_MASK);
		return 0;
	}
	if ((ec & X86_PF_WRITE) && pte_present(ptep_get(ptep)) && !pte_write(ptep_get(ptep))) {
		vmsim_set_pte(vm, ptep, pte_mkwrite(ptep_get(ptep)), addr & PAGE_MASK);
		/* Upgrading needs no flush on x86: the stale RO entry faults. */
		return 0;
	}
	return VM_FAULT_SIGSEGV;
}

/* A machine from opts with bugs logged and the demand handler for
 * [lo, hi); one context (index 0) loaded on every CPU when load. */
static inline void tt_setup(struct tt *t, const char *opts, uint64_t lo, uint64_t hi, bool load)
{
	memset(t, 0, sizeof(*t));
	t->vm = tu_machine_str(opts, &t->log);
	if (!t->vm)
		return;
	t->fault_lo = lo;
	t->fault_hi = hi;
	vmsim_set_fault_handler(t->vm, tt_fault, t);
	if (tt_space(t) != 0)
		return;
	for (unsigned c = 0; load && c < vmsim_nr_cpus(t->vm); c++)
		vmsim_switch_mm(t->vm, (int)c, &t->sp[0].ctx);
}

/* Tear down: contexts, tables, frames, machine.  Frames already freed by
 * the test are set to 0 in t->frames. */
static inline void tt_teardown(struct tt *t)
{
	for (unsigned i = 0; i < t->nr_sp; i++) {
		vmsim_mm_context_destroy(t->vm, &t->sp[i].ctx);
		vmsim_pgd_free(t->vm, t->sp[i].pgd);
	}
	for (unsigned i = 0; i < t->nr_frames; i++)
		if (t->frames[i])
			vmsim_page_free(t->vm, t->frames[i], 0);
	vmsim_free(t->vm);
}

#endif /* VMSIM_TLBTEST_H */
