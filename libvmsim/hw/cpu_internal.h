/* Per-CPU hardware state shared by hw/{cpu,tlb,tlb_flush,mmu}.c and
 * check/tlb_check.c (arch/x86/include/asm/tlbflush.h: struct tlb_state). */
#ifndef VMSIM_CPU_INTERNAL_H
#define VMSIM_CPU_INTERNAL_H

#include "../internal.h"

/* init_mm's ctx_id: ASID 0 holds it at boot (initialize_tlbstate_and_flush). */
#define VMSIM_INIT_MM_CTX_ID	1

struct vmsim_tlbe {
	struct vmsim_tlb_entry e;
	uint64_t lru;		/* the CPU's tick at the last fill or hit */
	bool valid;
	/* A translation whose flush LUF deferred: the record mm/luf.c keeps
	 * of that unmap (0: none) and the step it was tagged at. */
	uint32_t luf_rec;
	uint64_t luf_since;
};

struct vmsim_tlb_array {
	unsigned sets, ways, shift;
	struct vmsim_tlbe *slot;	/* sets * ways, set-major */
};

struct vmsim_cpu {
	int nr;
	struct vmsim_mm_context *loaded;	/* cpu_tlbstate.loaded_mm (NULL: none) */
	uint16_t loaded_mm_asid;
	uint16_t next_asid;
	struct { uint64_t ctx_id, tlb_gen; } ctxs[VMSIM_TLB_NR_DYN_ASIDS];
	struct vmsim_tlb_array tlb[VMSIM_TLB_NR_SIZES];
	uint64_t tick;
	struct vmsim_cpu_stats st;
	uint64_t luf_ugen_done;		/* LUF: the newest generation this CPU has flushed */
};

/* cpu.c */
bool vmsim__cpu_valid(const struct vmsim *vm, int cpu);
struct vmsim_mm_context *vmsim__ctx_by_id(struct vmsim *vm, uint64_t ctx_id);
/* Is ctx a live context of this machine (a user's pointer, checked)? */
bool vmsim__ctx_live(const struct vmsim *vm, const struct vmsim_mm_context *ctx);

/* tlb.c: the TLB arrays.  Drops count into st.entries_dropped. */
int vmsim__tlb_alloc(struct vmsim *vm, struct vmsim_cpu *c);
void vmsim__tlb_release(struct vmsim *vm, struct vmsim_cpu *c);
uint64_t vmsim__tlb_page_size(enum vmsim_tlb_size size);
struct vmsim_tlbe *vmsim__tlb_lookup(struct vmsim_cpu *c, unsigned pcid, uint64_t addr);
void vmsim__tlb_fill(struct vmsim *vm, struct vmsim_cpu *c, const struct vmsim_tlb_entry *e);
/* INVLPG: entries of pcid (and global ones) that contain addr. */
unsigned vmsim__tlb_invlpg(struct vmsim *vm, struct vmsim_cpu *c, unsigned pcid, uint64_t addr);
/* Every non-global entry of pcid (a CR3 write without NOFLUSH). */
unsigned vmsim__tlb_flush_pcid(struct vmsim *vm, struct vmsim_cpu *c, unsigned pcid, const char *why);
/* Everything, global entries too (CR4.PGE toggle / INVPCID all). */
unsigned vmsim__tlb_flush_everything(struct vmsim *vm, struct vmsim_cpu *c, const char *why);
/* An entry leaves the TLB (flush, fault, write through a clean entry). */
void vmsim__tlb_drop(struct vmsim *vm, struct vmsim_cpu *c, struct vmsim_tlbe *t);
/* Would an entry filled under pcid still be used by the context that owns
 * the slot?  False once its tlb_gen is stale on a CPU not running it: the
 * next switch_mm flushes it before any access. */
bool vmsim__tlb_entry_live(struct vmsim *vm, struct vmsim_cpu *c, const struct vmsim_tlbe *t);

/* mmu.c: a walk without side effects, for the checker. */
struct vmsim_xlate {
	bool present;			/* every level present, leaf reached */
	enum vmsim_level level;		/* where the walk stopped */
	enum vmsim_tlb_size size;
	uint64_t leaf;			/* the entry at that level */
	unsigned long pfn;		/* frame of addr itself */
	bool write, user, nx, dirty;
};
int vmsim__xlate(struct vmsim *vm, unsigned long root, uint64_t addr, struct vmsim_xlate *x);

/* check/tlb_check.c */

#endif /* VMSIM_CPU_INTERNAL_H */
