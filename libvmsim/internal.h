/* The machine object and the helpers every layer shares (not installed). */
#ifndef VMSIM_INTERNAL_H
#define VMSIM_INTERNAL_H

#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <vmsim/vmsim.h>

#define VMSIM_TRACE_RING	32	/* events kept for bug reports */

/* Out of the way of a fast path: its callers keep no frame for it. */
#define VMSIM_NOINLINE	__attribute__((noinline))
#define VMSIM_COLD	__attribute__((noinline, cold))
#define VMSIM_MAX_HELD_LOCKS	32

/* The locks a context holds, in the order it took them (sched/lock.c):
 * the machine's own between tasks and in serial mode, each task's while
 * a block is interleaved (sched/sched.c switches them). */
struct vmsim_held {
	struct vmsim_lock *lock;
	const char *site;		/* the function that took it */
	bool read;
	bool phantom;			/* not granted: a deadlock report broke the wait */
};
struct vmsim_lockstack {
	unsigned nr;
	struct vmsim_held h[VMSIM_MAX_HELD_LOCKS];
};

struct vmsim_sched;
struct vmsim_lockdep;

struct vmsim {
	struct vmsim_config cfg;

	/* Host memory (hw/alloc.c). */
	unsigned arena;			/* jemalloc arena index */
	size_t heap_bytes;		/* live bytes from vmsim__malloc */
	size_t heap_objs;		/* live objects, to catch leaks */
	uint64_t rng;

	/* Physical memory (hw/physmem.c, hw/page_alloc.c). */
	unsigned long nr_frames;		/* RAM: the buddy allocator's frames */
	unsigned long pmem_base, nr_pmem;	/* persistent memory: PFNs from pmem_base */
	/* RAM's memmap is one virtually contiguous array (SPARSEMEM_VMEMMAP's
	 * vmemmap), reserved, not backed: a section's struct pages cost host
	 * memory once the page allocator first hands out its frames. */
	struct vmsim_page *memmap;
	size_t memmap_len;
	unsigned char *section_present;	/* per section: its struct pages are in use */
	size_t memmap_bytes;		/* struct pages of the present sections */
	/* Max-order free blocks the allocator has not touched yet (one bit
	 * each); they follow the free_area[VMSIM_MAX_PAGE_ORDER] list, lowest
	 * first (hw/page_alloc.c). */
	unsigned long *lazy_blocks;
	unsigned long lazy_first, lazy_count;
	struct vmsim_page *pmem_map;		/* persistent memory's, made on first use */
	unsigned char *frames;		/* every frame's contents (RAM, pmem), lazily backed */
	size_t frames_len;
	unsigned long frames_with_data;
	struct vmsim_page *free_area[NR_PAGE_ORDERS];
	/* Free blocks that owe a deferred TLB flush (LUF's pend_list): the
	 * head page's index holds the opaque key mm gave at free. */
	struct vmsim_page *pend_area[NR_PAGE_ORDERS];
	unsigned long nr_free_blocks[NR_PAGE_ORDERS];
	unsigned long nr_free;
	unsigned long nr_luf_pages, nr_luf_pages_max;	/* free frames in pend blocks */
	unsigned long nr_pgtables;
	struct vmsim_page *zero_page;
	/* One per 2 MiB block of frames (RAM and pmem), reserved like the
	 * memmap and backed only where large folios were made. */
	struct vmsim_folio_meta *folio_meta;
	size_t folio_meta_len;
	/* A hugetlb folio's last reference went: back to its pool (mm/hugetlb.c). */
	void (*free_huge_folio)(struct vmsim *vm, struct vmsim_page *folio);
	/* Called before a frame goes back to the buddy lists (TLB checks). */
	void (*page_free_hook)(struct vmsim *vm, struct vmsim_page *page, unsigned order);
	/* mm's __folio_put(): the last reference to a page is gone (off the
	 * LRU, out of the swap cache); called before the frame is freed. */
	void (*page_release_hook)(struct vmsim *vm, struct vmsim_page *page);
	/* mm's __alloc_pages_slowpath(): direct reclaim, then the OOM killer,
	 * for an allocation that may sleep; true when a retry may succeed. */
	bool (*alloc_slowpath)(struct vmsim *vm, unsigned order);
	bool in_reclaim;		/* PF_MEMALLOC: no recursion into reclaim */

	/* Paging geometry (hw/pgtable.c). */
	unsigned pgdir_shift;
	uint64_t task_size;

	/* Bugs (hw/bug.c). */
	vmsim_bug_handler_fn bug_fn;
	void *bug_arg;
	uint64_t bug_count;
	int in_bug;

	/* Trace (hw/trace.c).  trace_on: a sink is set, or check is not off
	 * (bug reports quote the ring); check=off runs record nothing. */
	bool trace_on;
	vmsim_trace_fn trace_fn;
	void *trace_arg;
	uint64_t trace_seq;
	struct vmsim_trace_event ring[VMSIM_TRACE_RING];

	/* The kernel half (mm/): processes, files (struct vmsim_mm_world). */
	struct vmsim_mm_world *mm_world;
	/* The persistent-memory region DAX files live on (features/dax/). */
	void *dax;
	/* Model devices (features/device.c), in creation order. */
	struct vmsim_device *devices;

	/* Lock model (sched/lock.c) and scheduler (sched/sched.c). */
	struct vmsim_lockstack main_locks;	/* serial mode, and between blocks */
	struct vmsim_lockstack *locks;		/* the running task's; NULL: main_locks */
	uint16_t lock_owner;			/* the running task + 1; 0: none */
	struct vmsim_lockdep *lockdep;		/* lock order seen so far (lazily) */
	struct vmsim_sched *sched;		/* a block being interleaved, or NULL */

	/* ---- CPUs, TLBs, flushing (hw/cpu.c, tlb.c, tlb_flush.c, mmu.c;
	 * check/tlb_check.c); see hw/cpu_internal.h ---- */
	struct vmsim_cpu *cpu;		/* cfg.cpus of them */
	int cur_cpu;			/* the CPU running the current operation */
	uint64_t last_ctx_id;		/* last_mm_ctx_id */
	struct vmsim_mm_context *contexts;	/* live contexts */
	unsigned long flush_ceiling;	/* tlb_single_page_flush_ceiling */
	bool suppress_flush;		/* test hook: flush requests do nothing */
	vmsim_fault_fn fault_fn;
	void *fault_arg;
	bool (*luf_tracks)(struct vmsim *vm, unsigned long pfn);
	unsigned *tlb_chunk_refs;	/* see hw/cpu_internal.h */
	/* ---- end CPUs ---- */

	/* ---- Lazy unmap flush (mm/luf.c, check/luf_check.c): the hooks
	 * through which hw reaches the LUF layer; all NULL with luf=off, so
	 * a machine without LUF pays one test of a pointer. ---- */
	/* Two free blocks that each owe a flush merge: the key of both. */
	uint32_t (*luf_fold)(struct vmsim *vm, uint32_t a, uint32_t b);
	/* A block owing key leaves the allocator (luf_takeoff_*): pay it. */
	void (*luf_takeoff)(struct vmsim *vm, uint32_t key, unsigned long pfn, unsigned order);
	/* Any block leaves the allocator (the stale-read detector notes it). */
	void (*luf_allocated)(struct vmsim *vm, unsigned long pfn, unsigned order);
	/* A CPU stops running prev (finish_task_switch). */
	void (*luf_switched)(struct vmsim *vm, int cpu, struct vmsim_mm_context *prev);
	/* A TLB entry tagged with a deferred unmap's record died (flushed,
	 * evicted, replaced), since the given step. */
	void (*luf_entry_gone)(struct vmsim *vm, uint32_t rec, uint64_t since);
	/* A load hit a tagged entry: the detector judges it. */
	void (*luf_stale_hit)(struct vmsim *vm, int cpu, uint64_t addr, unsigned long pfn, uint32_t rec);
	/* Steps of the machine (one per public mm operation), the clock of
	 * LUF's stale-entry lifetimes. */
	uint64_t step;
};

/* A large folio's counts, what Linux keeps in the folio's first tail
 * pages.  Every large folio here is PMD-sized (order 9) and naturally
 * aligned, so one record per 2 MiB block of frames holds them. */
struct vmsim_folio_meta {
	int32_t entire_mapcount;	/* PMD (or hugetlb) mappings of the whole folio */
	int32_t large_mapcount;		/* every mapping, PMD or PTE: folio_mapcount() */
	int32_t nr_pages_mapped;	/* pages mapped by at least one PTE */
	int32_t pincount;		/* FOLL_PIN pins (_pincount) */
	int32_t mm_id[2];		/* CONFIG_MM_ID's two owner slots (mm ids, 0 free) */
	int32_t mm_id_mapcount[2];	/* the mappings each slot's mm holds */
	bool maybe_mapped_shared;	/* FOLIO_MM_IDS_SHARED_BIT */
};
/* The PFN of a page known to be vm's (RAM or persistent memory). */
static inline unsigned long vmsim__page_pfn(const struct vmsim *vm, const struct vmsim_page *p)
{
	uintptr_t a = (uintptr_t)p, pm = (uintptr_t)vm->pmem_map;

	if (pm && a >= pm && a < pm + vm->nr_pmem * sizeof(*p))
		return vm->pmem_base + (unsigned long)((a - pm) / sizeof(*p));
	return (unsigned long)((a - (uintptr_t)vm->memmap) / sizeof(*p));
}
/* The page of a PFN the MMU produced (RAM, or persistent memory a DAX
 * mapping names). */
static inline struct vmsim_page *vmsim__pfn_page(struct vmsim *vm, unsigned long pfn)
{
	if (__builtin_expect(pfn < vm->nr_frames, 1))
		return &vm->memmap[pfn];
	return vmsim_pfn_to_page(vm, pfn);
}
static inline struct vmsim_folio_meta *vmsim__folio_meta(struct vmsim *vm, const struct vmsim_page *head)
{
	return &vm->folio_meta[vmsim__page_pfn(vm, head) >> 9];
}

/* Host allocation, charged to the machine (jemalloc arena or malloc). */
void *vmsim__malloc(struct vmsim *vm, size_t size);
void *vmsim__calloc(struct vmsim *vm, size_t n, size_t size);
void *vmsim__realloc(struct vmsim *vm, void *p, size_t size);
void vmsim__free(struct vmsim *vm, void *p);
char *vmsim__strdup(struct vmsim *vm, const char *s);
int vmsim__arena_create(unsigned *arena);
void vmsim__arena_destroy(unsigned arena);
void *vmsim__arena_malloc(unsigned arena, size_t size);
void vmsim__arena_free(unsigned arena, void *p);

/* Physical memory setup/teardown is in boot.h (the root calls it). */
/* Is page an entry of vm's memmap?  Public functions take struct page
 * pointers from users: NULL, another machine's page or a stray pointer is
 * bad input, rejected before anything is touched. */
static inline bool vmsim__page_valid(const struct vmsim *vm, const struct vmsim_page *page)
{
	uintptr_t off;

	if (!vm || !page || !vm->memmap)
		return false;
	off = (uintptr_t)page - (uintptr_t)vm->memmap;
	if (off < vm->nr_frames * sizeof(*page))
		return off % sizeof(*page) == 0;
	/* Or the persistent memory's. */
	off = (uintptr_t)page - (uintptr_t)vm->pmem_map;
	return vm->pmem_map && off < vm->nr_pmem * sizeof(*page) && off % sizeof(*page) == 0;
}
/* Sections (SPARSEMEM): 2^15 frames, 128 MiB, as x86-64's SECTION_SIZE_BITS
 * 27.  A section is present once a frame of it was handed out; the struct
 * pages of an absent one are all zero (free frames never used) and take
 * no host memory.  Code that visits every frame skips absent sections. */
#define VMSIM_SECTION_SHIFT	15
#define VMSIM_SECTION_FRAMES	(1UL << VMSIM_SECTION_SHIFT)
void vmsim__section_populate(struct vmsim *vm, unsigned long pfn);
/* The first pfn >= pfn in a present section (nr_frames if none). */
static inline unsigned long vmsim__pfn_next_present(const struct vmsim *vm, unsigned long pfn)
{
	while (pfn < vm->nr_frames && !vm->section_present[pfn >> VMSIM_SECTION_SHIFT])
		pfn = (pfn | (VMSIM_SECTION_FRAMES - 1)) + 1;
	return pfn;
}
/* An allocation that may sleep (GFP_KERNEL): on failure, direct reclaim and
 * the OOM killer through vm->alloc_slowpath, then a retry.  It sleeps only
 * where Linux could: no lock but sleeping ones held (mmap_lock, a vma's
 * lock, i_rwsem, a folio lock: might_sleep()), never
 * from inside reclaim; otherwise it fails like GFP_NOWAIT. */
struct vmsim_page *vmsim__alloc_pages_may_reclaim(struct vmsim *vm, unsigned order);
bool vmsim__may_sleep(const struct vmsim *vm);
/* take_page_off_buddy(): a free frame leaves the free lists for good
 * (memory failure); 0, or -EBUSY if it is not free. */
int vmsim__take_page_off_buddy(struct vmsim *vm, struct vmsim_page *page);
/* Deferred TLB flushes of reclaim (arch/x86 arch_tlbbatch_*): a batch is the
 * mask of CPUs that may cache a cleared translation. */
bool vmsim__tlbbatch_should_defer(struct vmsim *vm, const struct vmsim_mm_context *ctx);
void vmsim__tlbbatch_add_pending(struct vmsim *vm, uint64_t *cpumask, struct vmsim_mm_context *ctx);
void vmsim__tlbbatch_flush(struct vmsim *vm, uint64_t *cpumask);
/* The persistent memory's struct pages, on first use (features/dax/):
 * memremap_pages().  0 or -ENOMEM. */
int vmsim__pmem_map_populate(struct vmsim *vm);
/* LUF's per-CPU generations (v12 arch_tlbbatch_*): a request of
 * generation ugen is done on CPU c iff ugen_done[c] >= ugen.  check_done:
 * every CPU of mask is done; diet: drop the done ones from *mask, true if
 * none is left; mark: the CPUs of mask (of ctx's cpumask) flushed at ugen. */
bool vmsim__tlbbatch_check_done(const struct vmsim *vm, uint64_t mask, uint64_t ugen);
bool vmsim__tlbbatch_diet(const struct vmsim *vm, uint64_t *mask, uint64_t ugen);
void vmsim__tlbbatch_mark_ugen(struct vmsim *vm, uint64_t mask, uint64_t ugen);
void vmsim__mm_mark_ugen(struct vmsim *vm, const struct vmsim_mm_context *ctx, uint64_t ugen);
uint64_t vmsim__cpu_ugen_done(const struct vmsim *vm, int cpu);
/* Tag every cached translation of addr under ctx that names pfn with a
 * deferred unmap's record; how many were tagged. */
unsigned vmsim__tlb_tag_luf(struct vmsim *vm, const struct vmsim_mm_context *ctx, uint64_t addr,
			    unsigned long pfn, uint32_t rec);
/* The tagged entries alive now, and the oldest one's step (0: none). */
unsigned long vmsim__tlb_luf_tagged(const struct vmsim *vm, uint64_t *oldest);
/* Free a block that owes a flush: key (nonzero) travels with it through
 * the buddy lists until it leaves them (vm->luf_takeoff). */
void vmsim__free_pages_luf(struct vmsim *vm, struct vmsim_page *page, unsigned order, uint32_t key);
/* The key the free block holding pfn owes (0: none, or not free). */
uint32_t vmsim__page_luf_key(struct vmsim *vm, unsigned long pfn);
/* Host address of a frame's contents; zeroes it first if never written. */
unsigned char *vmsim__frame_mem(struct vmsim *vm, struct vmsim_page *page);
int vmsim__page_alloc_init(struct vmsim *vm);
/* The table a present, non-leaf entry points to; a VMSIM_BUG and NULL if
 * it names none (hw/pgtable.c; the checked walks use it). */
struct vmsim_page *vmsim__pt_entry_table(struct vmsim *vm, uint64_t val);
/* vmsim_free_empty_tables(), but each empty table is only unlinked from
 * its parent and handed to fn (with the first address it mapped), to be
 * freed with vmsim__table_free() once no TLB can still walk it; and only
 * a table whose whole span lies in [floor, ceiling_last]. */
unsigned long vmsim__unlink_empty_tables(struct vmsim *vm, unsigned long root, uint64_t start, uint64_t end,
					 uint64_t floor, uint64_t ceiling_last,
					 void (*fn)(void *arg, struct vmsim_page *table, uint64_t addr), void *arg);
void vmsim__table_free(struct vmsim *vm, struct vmsim_page *table);

/* hw/pgtable.c: the slot of a level for addr (allocating tables above it
 * when alloc), the PTE slot below a PMD slot, and a PTE table outside any
 * tree (pte_alloc_one, pte_free). */
uint64_t *vmsim__walk_to(struct vmsim *vm, unsigned long root, uint64_t addr, enum vmsim_level target, bool alloc);
pte_t *vmsim__pte_from_pmd(struct vmsim *vm, pmd_t *pmdp, uint64_t addr, bool alloc);
struct vmsim_page *vmsim__pte_table_alloc(struct vmsim *vm);
void vmsim__pte_table_free(struct vmsim *vm, struct vmsim_page *table);

/* Trace emission (base/trace.c).  A macro, so that an event nobody
 * records costs a test and nothing else: the event (a compound literal,
 * whose commas __VA_ARGS__ keeps together) is built only when recorded. */
void vmsim__trace_record(struct vmsim *vm, const struct vmsim_trace_event *ev);
/* Recorded in place (vmsim__trace_record's work, inline): the event is
 * built straight into its ring slot, no call and no second copy, so that
 * check=basic's ring costs little on the hot paths. */
#define vmsim__trace(vm, ...)						\
	do {								\
		struct vmsim *vmsim__tvm = (vm);				\
		if (vmsim__tvm->trace_on) {					\
			struct vmsim_trace_event *vmsim__tev =			\
				&vmsim__tvm->ring[vmsim__tvm->trace_seq % VMSIM_TRACE_RING]; \
			*vmsim__tev = *(__VA_ARGS__);				\
			vmsim__tev->seq = ++vmsim__tvm->trace_seq;		\
			if (vmsim__tvm->trace_fn)				\
				vmsim__tvm->trace_fn(vmsim__tvm->trace_arg, vmsim__tev); \
		}							\
	} while (0)
/* The ring as text, oldest first, into buf. */
void vmsim__trace_ring_text(struct vmsim *vm, char *buf, size_t size);


#endif /* VMSIM_INTERNAL_H */
