/* Lazy unmap flush (LUF): Byungchul Park's series "LUF (Lazy Unmap Flush)",
 * posted from v10 (May 2024) to v12 (February 2025) and never merged.  The
 * simulator models v12 (machine option luf=on|debug; docs/luf.md): reclaim
 * and migration leave the TLB flush owed for a folio every pte of which was
 * read-only and clean, and pay it when the freed page leaves the allocator
 * or at one of the flush points below. */
#ifndef VMSIM_LUF_H
#define VMSIM_LUF_H

#include <vmsim/common.h>

#include <stdint.h>

VMSIM_BEGIN_DECLS

struct vmsim;
struct vmsim_mm;
struct vmsim_file;

/* The flush points, each switchable (machine quirks=luf_no_<name>). */
enum vmsim_luf_point {
	VMSIM_LUF_PT_ALLOC,		/* a page owing a flush leaves the allocator */
	VMSIM_LUF_PT_TLB_END_VMA,	/* tlb_end_vma(): munmap, zap, exit */
	VMSIM_LUF_PT_FAULT,		/* handle_mm_fault() on a writable vma or for a write */
	VMSIM_LUF_PT_TASK_SWITCH,	/* finish_task_switch(): a CPU leaves an mm */
	VMSIM_LUF_PT_WRITE_BEGIN,	/* mapping_write_begin(): write() to a file */
	VMSIM_LUF_PT_MKCLEAN,		/* folio_mkclean(): writeback */
	VMSIM_LUF_PT_TRUNCATE,		/* truncate, hole punch, invalidation */
	VMSIM_LUF_PT_MKWRITE,		/* a pte made writable without a fault */
	VMSIM_LUF_PT_LAZYFREE,		/* reclaim keeps (or cannot free) a LUF'd folio */
	VMSIM_LUF_PT_BATCHED_PENDING,	/* flush_tlb_batched_pending(): zap, mprotect, mremap,
					 * madvise of an mm LUF deferred an unmap of */
	VMSIM_LUF_NR_POINTS
};

/* "alloc", "tlb_end_vma", ... (the quirk is "luf_no_" and the name); NULL
 * for a value outside the enum. */
VMSIM_API const char *vmsim_luf_point_name(enum vmsim_luf_point point);

/* Counters since the machine started; all zero with luf=off but the two
 * CPU sums. */
struct vmsim_luf_stats {
	uint64_t ugen;			/* luf_ugen: the last generation handed out */
	uint64_t deferred;		/* ptes whose flush LUF left owed */
	uint64_t luf_folios;		/* folios freed owing a flush */
	uint64_t paid[VMSIM_LUF_NR_POINTS];	/* owed flushes a point paid (a flush was sent) */
	uint64_t avoided[VMSIM_LUF_NR_POINTS];	/* owed flushes a point found already done
						 * by other flushes (no interrupt) */
	uint64_t skipped[VMSIM_LUF_NR_POINTS];	/* owed flushes a point switched off left owed */
	uint64_t owed_pages;		/* free frames owing a flush now */
	uint64_t owed_pages_max;
	uint64_t deferred_hits;		/* loads through a deferred translation */
	uint64_t stale_reads;		/* ... that read changed data (the detector's reports) */
	uint64_t stale_max_steps;	/* longest a deferred translation lived, in steps */
	uint64_t rule_breaks;		/* luf=debug: Hansen's rules broken */
	uint64_t shootdown_ipis;	/* every CPU's IPIs sent */
	uint64_t flushed_entries;	/* every CPU's TLB entries dropped */
};

/* Fill *out.  0, or -EINVAL for a NULL argument. */
VMSIM_API int vmsim_luf_stats(const struct vmsim *vm, struct vmsim_luf_stats *out);

/* The newest generation cpu has flushed (its ugen_done); a request of
 * generation U is done there iff this is at least U.  0, -EINVAL. */
VMSIM_API int vmsim_luf_ugen_done(const struct vmsim *vm, int cpu, uint64_t *out);

/* What is owed: the CPUs that may still cache a deferred translation and
 * the generation their flush must reach.  For the free block holding pfn,
 * an mm, a file.  1 when something was ever owed there (*cpumask and *ugen
 * set; the request may be done already), 0 when nothing (both 0), -EINVAL
 * for a NULL argument or a pfn outside RAM.  Either output may be NULL. */
VMSIM_API int vmsim_luf_page_owed(struct vmsim *vm, unsigned long pfn, uint64_t *cpumask, uint64_t *ugen);
VMSIM_API int vmsim_luf_mm_owed(const struct vmsim_mm *mm, uint64_t *cpumask, uint64_t *ugen);
VMSIM_API int vmsim_luf_file_owed(const struct vmsim_file *f, uint64_t *cpumask, uint64_t *ugen);

VMSIM_END_DECLS

#endif /* VMSIM_LUF_H */
