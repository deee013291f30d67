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
	unsigned nr_valid;		/* valid entries: lookups and scans skip an empty array */
	struct vmsim_tlbe *slot;	/* sets * ways, set-major */
};

/* mmu.c: the entries the CPU's last walk read above a pte table (see
 * walk_again() there: reused only while every one still holds its value,
 * so it is never observable, unlike a real paging-structure cache). */
struct vmsim_walk_memo {
	bool valid;
	bool up_write, up_user, up_nx;	/* rights of the levels above the pte */
	unsigned long root;
	uint64_t region;		/* addr >> PMD_SHIFT */
	uint64_t *pte_table;
	uint64_t *slot[6];
	uint64_t val[6];
};

struct vmsim_cpu {
	int nr;
	struct vmsim_mm_context *loaded;	/* cpu_tlbstate.loaded_mm (NULL: none) */
	uint16_t loaded_mm_asid;
	uint16_t next_asid;
	struct { uint64_t ctx_id, tlb_gen; } ctxs[VMSIM_TLB_NR_DYN_ASIDS];
	struct vmsim_tlb_array tlb[VMSIM_TLB_NR_SIZES];
	uint64_t tick;
	uint64_t fill_gen;		/* fills so far (entries appear only by a fill) */
	struct vmsim_walk_memo memo;
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
/* Invalidate one entry (counted in st.entries_dropped). */
void vmsim__tlb_drop(struct vmsim *vm, struct vmsim_cpu *c, struct vmsim_tlb_array *a, struct vmsim_tlbe *t);
/* vm->tlb_chunk_refs: for each 2M-aligned run of frames (hashed into
 * VMSIM_TLB_CHUNKS counters), how many valid 4K and 2M entries of all CPUs
 * name a frame in it.  A frame whose counter is 0 is cached by no such
 * entry: the stale-TLB check of a free (check/tlb_check.c) then needs no
 * scan.  Kept by fill and drop, the only places an entry changes. */
#define VMSIM_TLB_CHUNKS	4096
#define VMSIM_TLB_CHUNK(pfn)	(((pfn) >> 9) & (VMSIM_TLB_CHUNKS - 1))
/* INVLPG: entries of pcid (and global ones) that contain addr. */
unsigned vmsim__tlb_invlpg(struct vmsim *vm, struct vmsim_cpu *c, unsigned pcid, uint64_t addr);
/* Every non-global entry of pcid (a CR3 write without NOFLUSH). */
unsigned vmsim__tlb_flush_pcid(struct vmsim *vm, struct vmsim_cpu *c, unsigned pcid, const char *why);
/* Everything, global entries too (CR4.PGE toggle / INVPCID all). */
unsigned vmsim__tlb_flush_everything(struct vmsim *vm, struct vmsim_cpu *c, const char *why);
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
/* mmu.c: vmsim_cpu_translate() and vmsim_cpu_read/write/exec() for callers
 * that checked their arguments (cpu valid, a context loaded, access bits).
 * missed: the caller's vmsim__tlb_hit() of addr (the first page) has just
 * found no 4K entry, and nothing ran since: with the larger arrays empty
 * the lookup would find nothing, so it is not repeated. */
int vmsim__cpu_translate(struct vmsim *vm, struct vmsim_cpu *c, uint64_t addr, unsigned access,
			 unsigned long *pfn, bool missed);
int vmsim__cpu_access(struct vmsim *vm, struct vmsim_cpu *c, uint64_t addr, void *rbuf, const void *wbuf,
		      size_t len, unsigned access, bool missed);

/*
 * The TLB-hit half of an access, inline in the access loops: a lookup in
 * the 4K array and, on a usable hit, what vmsim__cpu_translate() does for
 * it (count, LRU tick, trace event).  The lookup order is the full
 * lookup's: 4K first and the first matching way, so a 4K hit is the entry
 * vmsim__tlb_lookup() would return.  False, having changed nothing, for
 * anything else (a miss, a larger page, rights the entry lacks, a write
 * through a clean entry, an entry LUF tagged): the caller then runs
 * vmsim__cpu_translate(), which looks up again and handles it.  1 for a hit, 0 for a 4K entry that
 * cannot serve the access, -1 for no 4K entry of addr at all.  A non-canonical address never
 * matches (entries hold canonical addresses), so its #GP is left to the
 * slow path too.  No lock: the hardware takes none for a TLB hit.
 */
static inline __attribute__((always_inline)) int vmsim__tlb_hit(struct vmsim *vm, struct vmsim_cpu *c,
								 uint64_t addr, unsigned access, unsigned long *pfn)
{
	struct vmsim_tlb_array *a = &c->tlb[VMSIM_TLB_4K];
	struct vmsim_tlbe *set = &a->slot[(size_t)((addr >> PAGE_SHIFT) & (a->sets - 1)) * a->ways];
	uint64_t page = addr & PAGE_MASK;
	unsigned pcid = c->loaded_mm_asid;

	for (unsigned w = 0; w < a->ways; w++) {
		struct vmsim_tlbe *t = &set[w];

		if (!t->valid || t->e.addr != page || (!t->e.global && t->e.pcid != pcid))
			continue;
		/* A translation whose flush LUF deferred is judged on the slow
		 * path, under mmap_lock (see mmu.c). */
		if (((access & X86_PF_WRITE) && !(t->e.write && t->e.dirty)) || t->luf_rec ||
		    ((access & X86_PF_USER) && !t->e.user) || ((access & X86_PF_INSTR) && t->e.nx))
			return 0;
		c->st.tlb_hits++;
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_TLB_HIT, .cpu = c->nr,
				  .addr = addr, .new_val = t->e.leaf, .pfn = t->e.pfn });
		t->lru = ++c->tick;
		*pfn = t->e.pfn;
		return 1;
	}
	return -1;
}

/* check/tlb_check.c */

#endif /* VMSIM_CPU_INTERNAL_H */
