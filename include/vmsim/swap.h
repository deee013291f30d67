/* Memory pressure: swap devices and the swap cache, reclaim, the OOM
 * killer, page migration and memory failure.  Follows mm/{swapfile,
 * swap_state,swap,vmscan,rmap,oom_kill,migrate,memory-failure}.c of Linux
 * 6.18; what each part simplifies is said in its source file's header and
 * in docs/fidelity.md. */
#ifndef VMSIM_SWAP_H
#define VMSIM_SWAP_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stdint.h>

VMSIM_BEGIN_DECLS

struct vmsim;
struct vmsim_mm;

/* ---- swap devices (mm/swapfile.c) ---- */

/*
 * swapon(): a swap device of size bytes (a page multiple: the first page is
 * the header, the rest are slots).  The machine option swap=SIZE activates
 * one at creation.  *type (may be NULL) gets the lowest free type.
 * 0; -EINVAL for a size that is not a page multiple or holds no slot;
 * -EPERM when every type below MAX_SWAPFILES is in use; -ENOMEM.
 */
VMSIM_API int vmsim_swapon(struct vmsim *vm, uint64_t size, int *type);
/*
 * swapoff(): bring every page of the device back into memory
 * (try_to_unuse: each swap entry in every process and every shmem file,
 * through the swap kind's unuse hook), then remove it.  0; -EINVAL for a
 * type that is not active; -ENOMEM when memory cannot hold the pages (the
 * device stays, as in Linux).
 */
VMSIM_API int vmsim_swapoff(struct vmsim *vm, int type);

struct vmsim_swap_info {
	uint64_t size;			/* bytes, header page included */
	unsigned long pages;		/* usable slots */
	unsigned long inuse;		/* slots allocated */
	unsigned long cached;		/* slots whose page is in the swap cache */
};
/* 0, or -ENOENT when type is not an active device (-EINVAL: bad args). */
VMSIM_API int vmsim_swap_info(struct vmsim *vm, int type, struct vmsim_swap_info *out);

/* One slot's swap_map: references (swap ptes, shmem page-cache entries)
 * and whether the swap cache holds its page (at pfn). */
struct vmsim_swap_slot {
	unsigned count;
	bool cached;
	unsigned long pfn;
};
/* 0; -ENOENT for an inactive type; -EINVAL for an offset past the end. */
VMSIM_API int vmsim_swap_slot(struct vmsim *vm, int type, unsigned long offset, struct vmsim_swap_slot *out);

/* ---- reclaim (mm/vmscan.c, mm/swap.c) ---- */

struct vmsim_lru_info {
	unsigned long inactive_anon, active_anon, inactive_file, active_file, unevictable;
};
VMSIM_API void vmsim_lru_info(const struct vmsim *vm, struct vmsim_lru_info *out);

/* Counters since the machine started (Linux's /proc/vmstat names). */
struct vmsim_reclaim_stats {
	unsigned long allocstall;	/* entries into direct reclaim */
	unsigned long pgscan;		/* folios isolated from the inactive lists */
	unsigned long pgsteal;		/* folios reclaimed */
	unsigned long pgactivate, pgdeactivate;
	unsigned long pswpout, pswpin;	/* pages written to / read from swap */
	unsigned long pgrefill;		/* folios scanned on the active lists */
	unsigned long tlb_batch_flushes;	/* try_to_unmap_flush(_dirty) that flushed */
	unsigned long oom_kill;
	unsigned long pgmigrate_success, pgmigrate_fail;
	unsigned long hwpoisoned;	/* frames memory_failure() took out */
};
VMSIM_API void vmsim_reclaim_stats(const struct vmsim *vm, struct vmsim_reclaim_stats *out);

/*
 * Direct reclaim now, as an allocation that found no free frame would do
 * it (try_to_free_pages): scan the LRU lists from the oldest end until nr
 * pages are freed or nothing more can be.  Returns the pages reclaimed.
 * Never calls the OOM killer.
 */
VMSIM_API unsigned long vmsim_reclaim(struct vmsim *vm, unsigned long nr);

/* ---- the OOM killer (mm/oom_kill.c) ---- */

/*
 * Called when the OOM killer has killed victim (before the address space
 * is torn down).  A killed process's mm stays valid as a husk: its vmas
 * and pages are gone, every later call on it fails with -ESRCH (accesses
 * with VMSIM_ACCESS_SIGKILL), and vmsim_mm_exit() frees it as usual.
 */
typedef void (*vmsim_oom_fn)(void *arg, struct vmsim_mm *victim);
VMSIM_API void vmsim_set_oom_notify(struct vmsim *vm, vmsim_oom_fn fn, void *arg);
VMSIM_API bool vmsim_mm_oom_killed(const struct vmsim_mm *mm);
/* oom_badness(): rss + swap entries + page-table pages, in pages. */
VMSIM_API long vmsim_oom_badness(const struct vmsim_mm *mm);

/* ---- page migration (mm/migrate.c; simulator only) ---- */

/*
 * migrate_pages() of every page mapped in [addr, addr + len): each folio is
 * unmapped through rmap into migration entries, copied to a new frame and
 * mapped again.  0 when every folio moved; -EBUSY when some could not
 * (pinned, or referenced beyond its mappings), the others moved;
 * *nr_failed (may be NULL) gets how many.  -EINVAL bad range, -EFAULT
 * for a hole, -ENOMEM when no frame could be found.
 */
VMSIM_API int vmsim_migrate_range(struct vmsim_mm *mm, uint64_t addr, uint64_t len,
				  unsigned long *nr_failed);
/*
 * The two halves of one page's migration, for tests and the explorer: start
 * leaves migration entries in every mapping of the folio at addr (and the
 * folio locked); a CPU that touches one waits, which in serial runs means
 * the migration is finished first.  finish copies and maps the new frame
 * (unless such a CPU did already) and frees the handle, which must not be
 * used again.  start: 0, -EFAULT (nothing present there), -EBUSY (pinned;
 * nothing changed), -ENOMEM.  finish: 0, -EBUSY when the copy could not be
 * made (the old frame is mapped again), -EINVAL for NULL.  Handles never
 * finished are freed with the machine.
 */
struct vmsim_migration;
VMSIM_API int vmsim_migrate_start(struct vmsim_mm *mm, uint64_t addr, struct vmsim_migration **out);
VMSIM_API int vmsim_migrate_finish(struct vmsim_migration *m);

/* ---- memory failure (mm/memory-failure.c; simulator only) ---- */

/*
 * memory_failure(pfn): the frame has an uncorrectable error.  A free frame
 * is taken off the free lists; a mapped one is unmapped from every process
 * with hwpoison entries (an access raises SIGBUS, BUS_MCEERR_AR); a clean
 * disk page-cache page is just dropped from the cache; the frame is never
 * used again.  0; -EINVAL pfn out of range; -EHWPOISON already poisoned;
 * -EBUSY for frames the kernel owns (page tables, the zero page).
 */
VMSIM_API int vmsim_memory_failure(struct vmsim *vm, unsigned long pfn);
/* madvise(MADV_HWPOISON)-like: the frame mapped at addr (faulted in for
 * reading first, as GUP does); errors as vmsim_memory_failure, -EFAULT for
 * an address nothing can be mapped at. */
VMSIM_API int vmsim_memory_failure_addr(struct vmsim_mm *mm, uint64_t addr);

VMSIM_END_DECLS

#endif /* VMSIM_SWAP_H */
