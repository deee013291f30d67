/* MMU notifiers: how a secondary MMU (a device with its own translation
 * cache) hears that the CPU page tables of a process change.  Follows
 * include/linux/mmu_notifier.h and mm/mmu_notifier.c of Linux 6.12-6.18:
 * subscriptions with invalidate_range_start/end, arch_invalidate_secondary_tlbs
 * and release; interval notifiers with the collision-retry sequence
 * (mmu_interval_read_begin/retry).  The structures keep Linux's names and
 * fields; the functions that Linux exports are vmsim_-prefixed.
 *
 * Every mm path that changes a PTE calls them where Linux does (see
 * docs/kernel-facts.md, "MMU notifiers").  Callbacks run synchronously
 * inside the simulated operation, with the mmap lock (and sometimes a
 * page-table lock) held: they must not call back into the library's
 * system calls. */
#ifndef VMSIM_MMU_NOTIFIER_H
#define VMSIM_MMU_NOTIFIER_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stdint.h>

VMSIM_BEGIN_DECLS

struct vmsim_mm;

/* Why a range is invalidated (enum mmu_notifier_event). */
enum mmu_notifier_event {
	MMU_NOTIFY_UNMAP = 0,		/* munmap, exit, the old range of mremap */
	MMU_NOTIFY_CLEAR,		/* ptes cleared: MADV_DONTNEED, COW, hole punch, reclaim */
	MMU_NOTIFY_PROTECTION_VMA,	/* mprotect, uffd-wp: the vma's protection says it all */
	MMU_NOTIFY_PROTECTION_PAGE,	/* per-pte permission change (fork's COW protection) */
	MMU_NOTIFY_SOFT_DIRTY,		/* clear_refs soft-dirty */
	MMU_NOTIFY_RELEASE,		/* interval notifiers: the mm is going away */
	MMU_NOTIFY_MIGRATE,		/* migrate_vma: an owner may ignore its own */
	MMU_NOTIFY_EXCLUSIVE,		/* device-exclusive access taken or lost */
};

#define MMU_NOTIFIER_RANGE_BLOCKABLE	(1 << 0)

/* One invalidation: [start, end) of mm, why, and who caused it (the owner
 * passed to make_device_exclusive(), so a driver can ignore itself). */
struct mmu_notifier_range {
	struct vmsim_mm *mm;
	uint64_t start, end;
	unsigned flags;
	enum mmu_notifier_event event;
	void *owner;
};

static inline bool mmu_notifier_range_blockable(const struct mmu_notifier_range *range)
{
	return range->flags & MMU_NOTIFIER_RANGE_BLOCKABLE;
}

struct mmu_notifier;

/* Every callback is optional.  A subscription has either the
 * invalidate_range_start/end pair or arch_invalidate_secondary_tlbs, not
 * both (registration refuses that with -EINVAL, as Linux WARNs). */
struct mmu_notifier_ops {
	/* exit_mmap() or unregister: tear down every secondary mapping. */
	void (*release)(struct mmu_notifier *subscription, struct vmsim_mm *mm);
	/* Before the ptes of the range change; 0.  (A nonzero return is
	 * only allowed to non-blocking callers, which the simulator has
	 * none of: it is reported as a bug.) */
	int (*invalidate_range_start)(struct mmu_notifier *subscription, const struct mmu_notifier_range *range);
	/* After they changed. */
	void (*invalidate_range_end)(struct mmu_notifier *subscription, const struct mmu_notifier_range *range);
	/* From the CPU TLB flush (x86 flush_tlb_mm_range): a TLB that shares
	 * the CPU page tables must drop [start, end) too (end ~0: all). */
	void (*arch_invalidate_secondary_tlbs)(struct mmu_notifier *subscription, struct vmsim_mm *mm,
					       uint64_t start, uint64_t end);
};

struct mmu_notifier {
	const struct mmu_notifier_ops *ops;
	struct vmsim_mm *mm;		/* set by registration */
	/* ---- private ---- */
	struct mmu_notifier *next;
	bool linked;
};

struct mmu_interval_notifier;

struct mmu_interval_notifier_ops {
	/* [range->start, range->end) meets the subscription.  Call
	 * mmu_interval_set_seq(sub, cur_seq) under the lock that also guards
	 * mmu_interval_read_retry(), then stop using the range; return true
	 * (false only for non-blocking ranges, which never occur here). */
	bool (*invalidate)(struct mmu_interval_notifier *interval_sub, const struct mmu_notifier_range *range,
			   unsigned long cur_seq);
};

struct mmu_interval_notifier {
	uint64_t start, last;		/* the watched range, last included */
	const struct mmu_interval_notifier_ops *ops;
	struct vmsim_mm *mm;		/* NULL once the mm has exited */
	unsigned long invalidate_seq;
	/* ---- private ---- */
	struct mmu_interval_notifier *next, *deferred_next;
	bool in_tree, deferred;
};

/*
 * mmu_notifier_register(): attach subscription to mm (its ops must be set).
 * 0; -EINVAL for NULL arguments, a subscription without ops, or one with
 * both arch_invalidate_secondary_tlbs and the start/end pair; -EBUSY if it
 * is already registered.
 */
VMSIM_API int vmsim_mmu_notifier_register(struct mmu_notifier *subscription, struct vmsim_mm *mm);
/* mmu_notifier_unregister(): ->release, then detach (nothing if the mm's
 * exit already released it). */
VMSIM_API void vmsim_mmu_notifier_unregister(struct mmu_notifier *subscription, struct vmsim_mm *mm);

/*
 * mmu_interval_notifier_insert(): watch [start, start + length) of mm.
 * 0; -EINVAL for NULL arguments; -EOVERFLOW for a zero length or a range
 * that wraps.  Inserted during an invalidation, it joins when the last
 * one ends (the deferred list), with an odd sequence, as in Linux.
 */
VMSIM_API int vmsim_mmu_interval_notifier_insert(struct mmu_interval_notifier *interval_sub, struct vmsim_mm *mm,
						 uint64_t start, uint64_t length,
						 const struct mmu_interval_notifier_ops *ops);
/* mmu_interval_notifier_remove(); nothing once the mm has exited. */
VMSIM_API void vmsim_mmu_interval_notifier_remove(struct mmu_interval_notifier *interval_sub);
/*
 * mmu_interval_read_begin(): the sequence to pass to
 * mmu_interval_read_retry().  Linux sleeps here while an invalidation of
 * the mm is in progress; operations run one at a time in the simulator, so
 * that can only be a caller inside a callback, and the sequence it gets
 * makes the retry true.
 */
VMSIM_API unsigned long vmsim_mmu_interval_read_begin(struct mmu_interval_notifier *interval_sub);

/* mmu_interval_set_seq(): from ->invalidate, with cur_seq. */
static inline void mmu_interval_set_seq(struct mmu_interval_notifier *interval_sub, unsigned long cur_seq)
{
	interval_sub->invalidate_seq = cur_seq;
}
/* mmu_interval_read_retry(): did an invalidation collide with the read
 * side begun at seq?  Call under the same lock as ->invalidate. */
static inline bool mmu_interval_read_retry(const struct mmu_interval_notifier *interval_sub, unsigned long seq)
{
	return interval_sub->invalidate_seq != seq;
}
static inline bool mmu_interval_check_retry(const struct mmu_interval_notifier *interval_sub, unsigned long seq)
{
	return interval_sub->invalidate_seq != seq;
}

/* "unmap", "clear", "protection_vma", ... "exclusive"; "?" if unknown. */
VMSIM_API const char *vmsim_mmu_notifier_event_name(enum mmu_notifier_event event);
/* mm_has_notifiers(): has anyone ever subscribed to mm? */
VMSIM_API bool vmsim_mm_has_notifiers(const struct vmsim_mm *mm);

VMSIM_END_DECLS

#endif /* VMSIM_MMU_NOTIFIER_H */
