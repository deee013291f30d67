/* The lock model: Linux's mm locks as checked state, not host mutexes.
 * Simulated CPUs run serially, so "taking" a lock records its owner and
 * checks what lockdep would check (recursion, order, held assertions). */
#ifndef VMSIM_LOCK_H
#define VMSIM_LOCK_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stdint.h>

VMSIM_BEGIN_DECLS

struct vmsim;

/* Lock classes in the order Linux nests them (mm/rmap.c's comment):
 * a lock may be taken only while every held lock has a lower class. */
enum vmsim_lock_class {
	VMSIM_LOCK_MMAP,		/* mm->mmap_lock (rw) */
	VMSIM_LOCK_FOLIO,		/* folio lock */
	VMSIM_LOCK_I_MMAP,		/* mapping->i_mmap_rwsem (rw) */
	VMSIM_LOCK_ANON_VMA,		/* anon_vma->rwsem (rw) */
	VMSIM_LOCK_PAGE_TABLE,		/* mm->page_table_lock */
	VMSIM_LOCK_PTL,			/* split page-table lock */
	VMSIM_LOCK_OTHER,		/* leaf locks with no order (tests) */
	VMSIM_LOCK_NR_CLASSES
};

/* The lock word: 0 free, >0 that many readers, -1 - owner: write-held. */
struct vmsim_lock {
	int32_t state;
	uint16_t lclass;
	uint16_t owner;		/* context that holds it for write */
};

/* 0, or -EINVAL for NULL or a class outside the enum.  The calls below
 * ignore a NULL machine, a NULL lock or one never initialised (false from
 * the bool ones).  Taking a held lock again or releasing one not held is
 * what the model exists to find: a VMSIM_BUG report (lockdep's splat),
 * the lock left as it was; a lock taken out of order is reported and
 * taken, as lockdep warns and goes on. */
VMSIM_API int vmsim_lock_init(struct vmsim_lock *l, enum vmsim_lock_class c);
/* Exclusive (spin_lock, down_write, mmap_write_lock). */
VMSIM_API void vmsim_lock(struct vmsim *vm, struct vmsim_lock *l);
/* Shared (down_read, mmap_read_lock). */
VMSIM_API void vmsim_lock_read(struct vmsim *vm, struct vmsim_lock *l);
/* true if taken; never blocks (spin_trylock, folio_trylock). */
VMSIM_API bool vmsim_trylock(struct vmsim *vm, struct vmsim_lock *l);
VMSIM_API void vmsim_unlock(struct vmsim *vm, struct vmsim_lock *l);
VMSIM_API void vmsim_unlock_read(struct vmsim *vm, struct vmsim_lock *l);
VMSIM_API bool vmsim_lock_held(const struct vmsim_lock *l);
VMSIM_API bool vmsim_lock_held_write(const struct vmsim_lock *l);
/* lockdep_assert_held: a VMSIM_BUG unless held (write: held exclusively). */
#define vmsim_lock_assert_held(vm, l) vmsim__lock_assert((vm), (l), false, __func__)
#define vmsim_lock_assert_held_write(vm, l) vmsim__lock_assert((vm), (l), true, __func__)
VMSIM_API void vmsim__lock_assert(struct vmsim *vm, const struct vmsim_lock *l, bool write, const char *func);
/* Locks held by the machine's running context (0 between operations). */
VMSIM_API unsigned vmsim_locks_held(const struct vmsim *vm);
VMSIM_API const char *vmsim_lock_class_name(enum vmsim_lock_class c);

VMSIM_END_DECLS

#endif /* VMSIM_LOCK_H */
