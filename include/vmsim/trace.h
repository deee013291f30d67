/* Trace events: one record per thing the machine does, delivered to a sink
 * the user installs, and kept in a small ring for bug reports.
 * Loosely follows include/trace/events/{kmem,tlb,pagemap}.h. */
#ifndef VMSIM_TRACE_H
#define VMSIM_TRACE_H

#include <vmsim/common.h>

#include <stddef.h>
#include <stdint.h>

VMSIM_BEGIN_DECLS

struct vmsim;

enum vmsim_trace_type {
	VMSIM_TR_PAGE_ALLOC,	/* pfn, order */
	VMSIM_TR_PAGE_FREE,	/* pfn, order */
	VMSIM_TR_PT_ALLOC,	/* pfn = table page, level */
	VMSIM_TR_PT_FREE,	/* pfn = table page, level */
	VMSIM_TR_SET_ENTRY,	/* addr, level, old -> new */
	VMSIM_TR_WALK,		/* cpu, addr, level reached, new = leaf value */
	VMSIM_TR_FAULT,		/* cpu, addr, flags = FAULT_FLAG_*, result */
	VMSIM_TR_TLB_HIT,	/* cpu, addr */
	VMSIM_TR_TLB_MISS,	/* cpu, addr */
	VMSIM_TR_TLB_FILL,	/* cpu, addr, new = cached entry */
	VMSIM_TR_TLB_EVICT,	/* cpu, addr */
	VMSIM_TR_TLB_FLUSH,	/* cpu, addr..end (end 0: all), why */
	VMSIM_TR_IPI,		/* cpu -> target */
	VMSIM_TR_SWITCH_MM,	/* cpu, mm id */
	VMSIM_TR_NOTE,		/* free text in why */
	VMSIM_TR_READAHEAD,	/* page-cache read I/O: pgoffs addr..end of a file, why = sync/async/read */
	VMSIM_TR_FAULT_RETRY,	/* cpu, addr: the fault dropped mmap_lock (why) and is retried */
	VMSIM_TR_FAULT_AROUND,	/* cpu, addr..end: fault-around window, or addr skipped (why) */
	VMSIM_TR_THP,		/* addr..end of a PMD (or pfn, order of a folio): a THP event, why */
	VMSIM_TR_PMD_SHARE,	/* addr..end of a PUD range, pfn = the PMD table: shared, unshared or refused (why) */
	VMSIM_TR_DAX,		/* cpu, addr..end, pfn: a DAX fault's decision or an index event (why) */
	VMSIM_TR_MMU_NOTIFIER,	/* target = mm id, addr..end, why = the call, order = event
				 * (enum mmu_notifier_event, ~0u: none), pfn = 1 if an owner */
	VMSIM_TR_DEVICE,	/* file = device name, target = mm id, addr, pfn, why = what it did */
	VMSIM_TR_KIND_DEFAULT,	/* addr: an entry kind (file = its name) has no hook here; why = the
				 * hook and what mm did instead (Linux's way with an unknown entry) */
	VMSIM_TR_LUF,		/* lazy unmap flush: why = what (defer, pay, done, skip, free, stale,
				 * rule), file = the flush point, target = mm id (-1: none), addr,
				 * pfn (~0: none), new = the generation, old = the CPUs */
	VMSIM_TR_NR
};

struct vmsim_trace_event {
	uint64_t seq;		/* 1, 2, 3 ... per machine */
	enum vmsim_trace_type type;
	int cpu;		/* -1 when no CPU is involved */
	int level;		/* page-table level: 1 pte .. 5 pgd; 0 none */
	uint64_t addr, end;
	uint64_t old_val, new_val;	/* raw entry values for SET_ENTRY/FILL */
	uint64_t pfn;
	unsigned order;
	int target;		/* IPI target CPU; mm id for SWITCH_MM */
	const char *why;	/* static text, may be NULL */
	const char *file;	/* READAHEAD: the file's name; DEVICE: the device's; KIND_DEFAULT: the kind's;
				 * LUF: the flush point's */
};

typedef void (*vmsim_trace_fn)(void *arg, const struct vmsim_trace_event *ev);

/* Send every event to fn (NULL: stop).  The ring is kept either way.
 * A NULL machine: nothing (and vmsim_trace_count gives 0). */
VMSIM_API void vmsim_set_trace(struct vmsim *vm, vmsim_trace_fn fn, void *arg);

/* One readable line (no newline); returns snprintf's count. */
VMSIM_API int vmsim_trace_format(const struct vmsim_trace_event *ev, char *buf, size_t size);

/* The name of a type ("page_alloc", "tlb_flush" ...). */
VMSIM_API const char *vmsim_trace_type_name(enum vmsim_trace_type type);

/* Events recorded since the machine started (none with check=off and no
 * sink: such machines skip tracing altogether, for speed). */
VMSIM_API uint64_t vmsim_trace_count(const struct vmsim *vm);

VMSIM_END_DECLS

#endif /* VMSIM_TRACE_H */
