/* Simulated CPUs: address-space contexts, PCID/ASID switching, TLBs, the
 * MMU access path and TLB flushing.  Follows arch/x86/mm/tlb.c,
 * arch/x86/include/asm/{tlbflush.h,mmu.h} and arch/x86/mm/fault.c.
 *
 * hw/ knows nothing of VMAs: the mm layer embeds a vmsim_mm_context in its
 * mm_struct, calls the flush functions after changing entries, and gets page
 * faults through the handler installed with vmsim_set_fault_handler().
 *
 * TLB geometry, per CPU (separate arrays, as Intel's L1 DTLBs):
 *   4 KiB entries: cfg.tlb_sets x cfg.tlb_ways (default 16 x 4 = 64)
 *   2 MiB entries: max(1, tlb_sets / 2) x tlb_ways (default 8 x 4 = 32)
 *   1 GiB entries: 1 x 4
 * Set index = virtual page number (in the array's page size) mod sets.
 * Replacement: an invalid way, else the least recently used way, by a
 * per-CPU counter bumped on every fill and hit (deterministic).
 * Only leaf translations are cached (no paging-structure caches).
 */
#ifndef VMSIM_CPU_H
#define VMSIM_CPU_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmsim/fault.h>

VMSIM_BEGIN_DECLS

struct vmsim;

/* TLB_NR_DYN_ASIDS: PCIDs each CPU hands out round-robin. */
#define VMSIM_TLB_NR_DYN_ASIDS	6
/* TLB_FLUSH_ALL as an end address. */
#define VMSIM_TLB_FLUSH_ALL	(~0ULL)
/* tlb_single_page_flush_ceiling's default, in strides. */
#define VMSIM_TLB_FLUSH_CEILING	33
/* How often one access may fault and be "fixed" before it is a bug. */
#define VMSIM_MAX_FAULT_RETRIES	16

/*
 * One address space as the hardware sees it (x86 mm_context_t + CR3).
 * Embedded in the mm layer's mm_struct; the caller owns the memory.
 */
struct vmsim_mm_context {
	unsigned long pgd;	/* root table PFN (what CR3 points to) */
	uint64_t ctx_id;	/* unique per context, never reused (2, 3, ...) */
	uint64_t tlb_gen;	/* bumped by every flush request; starts at 1 */
	uint64_t cpumask;	/* mm_cpumask: CPUs that may cache translations */
	int id;			/* shown as mmN in traces; init sets ctx_id - 1 */
	/* Private: the machine's list of live contexts. */
	struct vmsim_mm_context *prev_ctx, *next_ctx;
};

/*
 * init_new_context(): fill ctx for the page tables rooted at pgd_pfn (a pgd
 * from vmsim_pgd_alloc).  Returns 0, -EINVAL (NULL, not a pgd) or -EBUSY
 * when ctx is already a live context of this machine.
 *
 * Every call below that takes a context wants a live one of this machine
 * (initialised, not destroyed): any other is -EINVAL, or ignored by the void
 * ones.  A NULL machine likewise (getters give 0 or NULL).
 */
VMSIM_API int vmsim_mm_context_init(struct vmsim *vm, struct vmsim_mm_context *ctx, unsigned long pgd_pfn);
/*
 * destroy_context(): drop every TLB entry tagged with ctx on every CPU and
 * forget its ASID slots, so a recycled ASID cannot hit them; a CPU that still
 * has it loaded is left with nothing loaded.  The page tables are untouched.
 */
VMSIM_API void vmsim_mm_context_destroy(struct vmsim *vm, struct vmsim_mm_context *ctx);

/*
 * switch_mm_irqs_off() on cpu: load ctx (NULL: load nothing, the CPU idles;
 * its ASID slots and cpumask bits stay, like a lazy CPU).  Reuses the ASID
 * that already holds ctx (flushing it only if its tlb_gen is older than
 * ctx->tlb_gen), else takes the next ASID round-robin and flushes it.  Sets
 * cpu in ctx->cpumask (never cleared on switch-away).  0 or -EINVAL.
 */
VMSIM_API int vmsim_switch_mm(struct vmsim *vm, int cpu, struct vmsim_mm_context *ctx);
/* The context loaded on cpu, or NULL (also for a bad cpu). */
VMSIM_API struct vmsim_mm_context *vmsim_cpu_loaded(struct vmsim *vm, int cpu);
/* The ASID (0..5) that holds ctx on cpu, -ENOENT if none, -EINVAL. */
VMSIM_API int vmsim_cpu_asid(struct vmsim *vm, int cpu, const struct vmsim_mm_context *ctx);

/* The CPU running the current operation (default 0): flushes are local
 * there and IPIs elsewhere.  0 or -EINVAL. */
VMSIM_API int vmsim_set_cur_cpu(struct vmsim *vm, int cpu);
VMSIM_API int vmsim_cur_cpu(const struct vmsim *vm);
VMSIM_API unsigned vmsim_nr_cpus(const struct vmsim *vm);

/* ---- Page faults ---- */

/*
 * The machine's page-fault handler (the mm layer's do_user_addr_fault).
 * Called with the faulting CPU made current, the address and the x86 error
 * code (X86_PF_*); returns VM_FAULT_* bits.  No error bit means "fixed,
 * retry the access".
 */
typedef int (*vmsim_fault_fn)(struct vmsim *vm, int cpu, uint64_t addr, unsigned error_code,
			      void *arg);
/* Install fn (NULL: none; every fault is then SIGSEGV).  Returns the old. */
VMSIM_API vmsim_fault_fn vmsim_set_fault_handler(struct vmsim *vm, vmsim_fault_fn fn, void *arg);

/* Results of an access (negative errno is a bad argument, -EIO a bug). */
enum vmsim_access_result {
	VMSIM_ACCESS_OK = 0,
	VMSIM_ACCESS_SIGSEGV = 1,	/* VM_FAULT_SIGSEGV, no handler, non-canonical */
	VMSIM_ACCESS_SIGBUS = 2,	/* VM_FAULT_SIGBUS */
	VMSIM_ACCESS_HWPOISON = 3,	/* VM_FAULT_HWPOISON(_LARGE): SIGBUS, BUS_MCEERR */
	VMSIM_ACCESS_OOM = 4,		/* VM_FAULT_OOM: pagefault_out_of_memory */
	VMSIM_ACCESS_SIGKILL = 5,	/* the process was killed (OOM killer) */
};
/* "ok", "SIGSEGV", ... or a negative errno's name. */
VMSIM_API const char *vmsim_access_result_name(int result);

/*
 * One access by cpu to addr, as the MMU does it: TLB, else a hardware walk
 * of the loaded context's tables (checks P, R/W, U/S at every level and NX;
 * sets Accessed at every level and Dirty in the leaf on a write), fill, and
 * on a #PF the fault handler, then retry.  access: X86_PF_WRITE | X86_PF_USER
 * | X86_PF_INSTR.  Supervisor accesses ignore SMAP/SMEP; CR0.WP is set.
 * Returns VMSIM_ACCESS_* with *pfn the frame reached, or -EINVAL (bad cpu,
 * no context loaded, bad access bits, NULL pfn) or -EIO (a bug was reported).
 */
VMSIM_API int vmsim_cpu_translate(struct vmsim *vm, int cpu, uint64_t addr, unsigned access,
			unsigned long *pfn);
/*
 * User-mode loads, stores and instruction fetches of len bytes, crossing
 * pages; bytes really move.  Page by page: on a fatal fault the bytes of
 * the pages before it have moved.  Returns as vmsim_cpu_translate; -EINVAL
 * also for a NULL buffer or addr + len wrapping around.
 */
VMSIM_API int vmsim_cpu_read(struct vmsim *vm, int cpu, uint64_t addr, void *buf, size_t len);
VMSIM_API int vmsim_cpu_write(struct vmsim *vm, int cpu, uint64_t addr, const void *buf, size_t len);
VMSIM_API int vmsim_cpu_exec(struct vmsim *vm, int cpu, uint64_t addr, void *buf, size_t len);

/* ---- TLB contents ---- */

enum vmsim_tlb_size { VMSIM_TLB_4K, VMSIM_TLB_2M, VMSIM_TLB_1G, VMSIM_TLB_NR_SIZES };

/* One cached translation, as it was when filled. */
struct vmsim_tlb_entry {
	uint64_t addr;			/* virtual base of the page */
	enum vmsim_tlb_size size;
	unsigned pcid;			/* the ASID it was filled under */
	bool global;			/* matches every ASID */
	unsigned long pfn;		/* first frame of the page */
	bool write, user, nx;		/* effective over all levels */
	bool dirty, accessed;		/* the leaf's D and A after the walk */
	uint64_t leaf;			/* the leaf entry's value */
};

/*
 * Does cpu hold a translation of addr usable by ctx (its ASID there, or a
 * global entry)?  1 and *out (may be NULL), 0, or -EINVAL.  A probe: no
 * stats, no LRU change.
 */
VMSIM_API int vmsim_tlb_probe(struct vmsim *vm, int cpu, const struct vmsim_mm_context *ctx, uint64_t addr,
		    struct vmsim_tlb_entry *out);
/* Copy up to max valid entries of cpu's TLB (4K, 2M, 1G arrays, set and way
 * order) into out; returns how many are valid in all, or -EINVAL. */
VMSIM_API int vmsim_tlb_entries(struct vmsim *vm, int cpu, struct vmsim_tlb_entry *out, size_t max);

/* ---- Flushing (arch/x86/mm/tlb.c) ---- */

/*
 * flush_tlb_mm_range(): bump ctx->tlb_gen; flush [start, end) in strides of
 * 1 << stride_shift on the current CPU if it runs ctx, and by IPI on every
 * other CPU in ctx->cpumask that runs ctx (with freed_tables: every CPU in
 * the mask).  end == VMSIM_TLB_FLUSH_ALL, or more strides than the ceiling,
 * is a full flush.  CPUs in the mask not running ctx flush at their next
 * vmsim_switch_mm, because their ASID's tlb_gen is then stale.
 */
VMSIM_API void vmsim_flush_tlb_mm_range(struct vmsim *vm, struct vmsim_mm_context *ctx, uint64_t start,
			      uint64_t end, unsigned stride_shift, bool freed_tables);
/* flush_tlb_page(): one 4K page. */
VMSIM_API void vmsim_flush_tlb_page(struct vmsim *vm, struct vmsim_mm_context *ctx, uint64_t addr);
/* flush_tlb_range() for 4K mappings. */
VMSIM_API void vmsim_flush_tlb_range(struct vmsim *vm, struct vmsim_mm_context *ctx, uint64_t start,
			   uint64_t end);
/* flush_tlb_mm(): everything of ctx (freed_tables set, as Linux does). */
VMSIM_API void vmsim_flush_tlb_mm(struct vmsim *vm, struct vmsim_mm_context *ctx);
/* flush_tlb_all(): every entry of every CPU, global ones included. */
VMSIM_API void vmsim_flush_tlb_all(struct vmsim *vm);
/* tlb_single_page_flush_ceiling (debugfs in Linux); 33 by default. */
VMSIM_API void vmsim_set_flush_ceiling(struct vmsim *vm, unsigned long ceiling);
VMSIM_API unsigned long vmsim_flush_ceiling(const struct vmsim *vm);

/* ---- Statistics ---- */

struct vmsim_cpu_stats {
	uint64_t tlb_hits;		/* lookups that found an entry */
	uint64_t tlb_misses;		/* lookups that found none */
	uint64_t tlb_fills;
	uint64_t tlb_evictions;		/* valid entries replaced by a fill */
	uint64_t full_flushes;		/* whole-ASID or whole-TLB flushes */
	uint64_t page_flushes;		/* single-address invalidations (INVLPG) */
	uint64_t entries_dropped;	/* entries removed by flushes/faults */
	uint64_t ipis_sent;
	uint64_t ipis_received;
	uint64_t walks;			/* hardware page walks */
	uint64_t faults;		/* #PF delivered to the handler */
	uint64_t switches;		/* vmsim_switch_mm calls that loaded a context */
};

/* Copy cpu's counters.  0 or -EINVAL. */
VMSIM_API int vmsim_cpu_stats(const struct vmsim *vm, int cpu, struct vmsim_cpu_stats *out);
/* Zero every CPU's counters. */
VMSIM_API void vmsim_cpu_stats_reset(struct vmsim *vm);

/* ---- Stale-TLB detector (check/tlb_check.c) ---- */

/*
 * With check=full, mm calls this when an operation on [start, end) of ctx
 * returns: no CPU may hold a usable translation for ctx that grants more
 * than the page tables now do (writable where the entry is read-only or
 * clean, anything where it is none, not present or another frame).  Every
 * such entry is a VMSIM_BUG.  Entries whose flush lazy unmap flush left
 * owed on purpose (luf=on|debug) are not: its stale-read detector judges
 * the loads through them.  Returns how many were found, or -EINVAL.
 */
VMSIM_API int vmsim_tlb_check_stale(struct vmsim *vm, struct vmsim_mm_context *ctx, uint64_t start,
			  uint64_t end);
/* The LUF layer's answer to "is a deferred flush tracking this frame?";
 * frames it tracks may be freed while a TLB still names them. */
typedef bool (*vmsim_luf_tracks_fn)(struct vmsim *vm, unsigned long pfn);
VMSIM_API void vmsim_set_luf_tracks(struct vmsim *vm, vmsim_luf_tracks_fn fn);
/* Test only: make every flush request a no-op, to show the detector. */
VMSIM_API void vmsim_debug_suppress_flush(struct vmsim *vm, bool suppress);

VMSIM_END_DECLS

#endif /* VMSIM_CPU_H */
