/* Devices that reach process memory: make_device_exclusive() for drivers
 * written against the library, and a model device (the `device` commands
 * of a .vms script) with a translation cache of its own, filled the way
 * hmm_range_fault() fills a driver's page table and emptied by its MMU
 * interval notifier.  The device follows lib/test_hmm.c (dmirror: reads and
 * writes through its page table, atomics through device-exclusive entries)
 * and drivers/gpu/drm/nouveau/nouveau_svm.c (the collision check around
 * make_device_exclusive(), ignoring its own MMU_NOTIFY_EXCLUSIVE), with the
 * device-exclusive semantics of Linux 6.15+ or, with devx=6.14, 6.14. */
#ifndef VMSIM_DEVICE_H
#define VMSIM_DEVICE_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stdint.h>

VMSIM_BEGIN_DECLS

struct vmsim;
struct vmsim_mm;
struct vmsim_device;

/*
 * make_device_exclusive(mm, addr, owner, &folio) (Linux 6.15+): fault the
 * page in writable (GUP with FOLL_WRITE), lock it, send MMU_NOTIFY_EXCLUSIVE
 * with owner (so the caller's notifier can ignore it), and replace its pte
 * by a device-exclusive entry.  On success *pfn is the page, which stays
 * locked and referenced until vmsim_device_exclusive_done(): program the
 * device meanwhile; a CPU access after that takes the page back.  Errors:
 * -EINVAL; -EFAULT (no vma, not writable, the fault failed); -ENOMEM;
 * -EOPNOTSUPP (not anonymous memory).  With devx=6.14 it is
 * make_device_exclusive_range() of one page: -EBUSY where that leaves a
 * NULL page (the folio is locked, not anonymous, or still mapped
 * elsewhere).
 */
VMSIM_API int vmsim_make_device_exclusive(struct vmsim_mm *mm, uint64_t addr, void *owner, unsigned long *pfn);
/* folio_unlock() + folio_put() of what vmsim_make_device_exclusive() gave:
 * 0, or -EINVAL (nothing done) for a NULL machine, a pfn out of range, or a
 * page that is not locked and held. */
VMSIM_API int vmsim_device_exclusive_done(struct vmsim *vm, unsigned long pfn);

/* A model device named name (1..31 characters, unique per machine): 0;
 * -EINVAL; -EEXIST; -ENOMEM.  The machine frees its devices. */
VMSIM_API int vmsim_device_new(struct vmsim *vm, const char *name, struct vmsim_device **out);
VMSIM_API struct vmsim_device *vmsim_device_lookup(struct vmsim *vm, const char *name);
VMSIM_API const char *vmsim_device_name(const struct vmsim_device *dev);
VMSIM_API unsigned vmsim_nr_devices(const struct vmsim *vm);
VMSIM_API struct vmsim_device *vmsim_device_at(const struct vmsim *vm, unsigned idx);

/*
 * One byte at addr of mm, read or written by the device through its
 * translation cache; a miss is filled as dmirror_range_fault() fills it:
 * hmm_range_fault() (faulting the page in, for write if writing) inside an
 * mmu_interval_read_begin()/read_retry() section.  0, or -EINVAL; -EFAULT
 * (no vma, no VM_READ, the fault failed); -EPERM (a write to a vma without
 * VM_WRITE); -EBUSY (every attempt collided with an invalidation).
 */
VMSIM_API int vmsim_device_read(struct vmsim_device *dev, struct vmsim_mm *mm, uint64_t addr, uint8_t *byte);
VMSIM_API int vmsim_device_write(struct vmsim_device *dev, struct vmsim_mm *mm, uint64_t addr, uint8_t byte);
/*
 * An atomic store of byte at addr: the device takes exclusive access to the
 * page (make_device_exclusive() with itself as owner, retried while an
 * invalidation collides), maps it atomic in its cache, and stores.  With
 * atomic access already held it just stores.  Errors as
 * vmsim_make_device_exclusive(), and -EBUSY when 16 attempts in a row
 * collide (also reported as a livelock).  begin stops with the page
 * exclusive and locked, before the device maps it; commit maps it and
 * stores.  Between the two, other operations may run (a CPU fault on the
 * page waits for the commit, as it sleeps on the folio lock); -EBUSY if
 * one is already pending, -ENOENT to commit none.
 */
VMSIM_API int vmsim_device_atomic(struct vmsim_device *dev, struct vmsim_mm *mm, uint64_t addr, uint8_t byte);
VMSIM_API int vmsim_device_atomic_begin(struct vmsim_device *dev, struct vmsim_mm *mm, uint64_t addr,
					uint8_t byte);
VMSIM_API int vmsim_device_atomic_commit(struct vmsim_device *dev);

/* One translation the device caches. */
struct vmsim_device_tlbe {
	int mm;			/* the process's mm id */
	uint64_t addr;		/* page address */
	unsigned long pfn;
	bool write;		/* may write through it */
	bool atomic;		/* it holds the page device-exclusive */
};
/* The idx-th cached translation, by mm id then address: 0, -ENOENT past
 * the last, -EINVAL. */
VMSIM_API int vmsim_device_cache(const struct vmsim_device *dev, unsigned idx, struct vmsim_device_tlbe *out);
/* The device that holds atomic access to addr of mm, or NULL. */
VMSIM_API struct vmsim_device *vmsim_device_atomic_owner(struct vmsim *vm, const struct vmsim_mm *mm,
							 uint64_t addr);

struct vmsim_device_stats {
	unsigned long reads, writes, atomics;	/* completed operations */
	unsigned long fills;			/* cache misses filled */
	unsigned long invalidations;		/* notifier calls that hit the device */
	unsigned long own_ignored;		/* its own MMU_NOTIFY_EXCLUSIVE, ignored */
	unsigned long retries;			/* read sides that collided */
};
VMSIM_API void vmsim_device_stats(const struct vmsim_device *dev, struct vmsim_device_stats *st);

/* The device invariant, now (check=full runs it after every operation):
 * a device holds atomic access to a page only while the pte is a
 * device-exclusive entry of that page, and no other device holds it; a
 * cached translation matches the present pte (and may write only if the
 * pte does).  Returns the number of violations, each reported as a bug. */
VMSIM_API unsigned long vmsim_device_check(struct vmsim *vm);

VMSIM_END_DECLS

#endif /* VMSIM_DEVICE_H */
