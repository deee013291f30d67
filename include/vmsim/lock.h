/* The lock model: Linux's mm locks as checked state, not host mutexes.
 * In serial mode a lock that is taken can only be held by the caller, so
 * taking it again is a deadlock; while vmsim_sched_run() interleaves tasks
 * (<vmsim/sched.h>), a contended lock makes its task wait.  Either way the
 * model checks what lockdep checks: recursion, held-lock assertions, and
 * the order of lock classes (the documented hierarchy of mm/rmap.c, and
 * every order seen so far, reported with both acquisition stacks the
 * first time the opposite order is taken, deadlock or not). */
#ifndef VMSIM_LOCK_H
#define VMSIM_LOCK_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stdint.h>

VMSIM_BEGIN_DECLS

struct vmsim;

/* Lock classes in the order Linux nests them (the comment at the top of
 * mm/rmap.c): a lock may be taken while holding locks of lower classes
 * only.  Classes a hierarchy does not order come after
 * VMSIM_LOCK_NR_CLASSES (vmsim_lock_class_new); their order is learned. */
enum vmsim_lock_class {
	VMSIM_LOCK_INODE,		/* inode->i_rwsem (write, truncate, fallocate) */
	VMSIM_LOCK_MMAP,		/* mm->mmap_lock (rw) */
	VMSIM_LOCK_VMA,			/* the per-VMA lock (vma_start_read/write) */
	VMSIM_LOCK_HUGETLB_VMA,		/* hugetlb's vma_lock (PMD sharing) */
	VMSIM_LOCK_I_MMAP_HUGETLB,	/* a hugetlbfs file's i_mmap_rwsem (its own
					 * lockdep class: it nests outside folio_lock) */
	VMSIM_LOCK_FOLIO,		/* folio lock */
	VMSIM_LOCK_I_MMAP,		/* mapping->i_mmap_rwsem (rw) */
	VMSIM_LOCK_ANON_VMA,		/* anon_vma->rwsem (rw) */
	VMSIM_LOCK_PAGE_TABLE,		/* mm->page_table_lock */
	VMSIM_LOCK_PTL,			/* split page-table lock */
	VMSIM_LOCK_SWAP,		/* swap_info->lock, swap cluster locks */
	VMSIM_LOCK_MAPPING,		/* mapping->i_pages (the page cache's, the swap cache's) */
	VMSIM_LOCK_OTHER,		/* leaf locks with no order (tests) */
	VMSIM_LOCK_NR_CLASSES
};
/* Classes a machine may add (vmsim_lock_class_new). */
#define VMSIM_LOCK_MAX_USER_CLASSES	32

/* The lock word: 0 free, >0 that many readers, -1: write-held (by owner). */
struct vmsim_lock {
	int32_t state;
	uint16_t lclass;
	uint16_t owner;		/* the task that holds it for write, + 1 */
};

/* 0, or -EINVAL for NULL or a class past the last one a machine can
 * create (VMSIM_LOCK_NR_CLASSES + VMSIM_LOCK_MAX_USER_CLASSES).  The calls
 * below ignore a NULL machine, a NULL lock, one never initialised or one
 * of a class the machine has not created (false from the bool ones).  Taking a held lock again or releasing one not held is
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
/* The same, naming the function that takes or drops the lock (what the
 * macros below pass: lock-order reports show where each lock was taken). */
VMSIM_API void vmsim__lock_at(struct vmsim *vm, struct vmsim_lock *l, const char *site);
VMSIM_API void vmsim__lock_read_at(struct vmsim *vm, struct vmsim_lock *l, const char *site);
VMSIM_API bool vmsim__trylock_at(struct vmsim *vm, struct vmsim_lock *l, const char *site);
VMSIM_API void vmsim__unlock_at(struct vmsim *vm, struct vmsim_lock *l, const char *site);
VMSIM_API void vmsim__unlock_read_at(struct vmsim *vm, struct vmsim_lock *l, const char *site);
#define vmsim_lock(vm, l) vmsim__lock_at((vm), (l), __func__)
#define vmsim_lock_read(vm, l) vmsim__lock_read_at((vm), (l), __func__)
#define vmsim_trylock(vm, l) vmsim__trylock_at((vm), (l), __func__)
#define vmsim_unlock(vm, l) vmsim__unlock_at((vm), (l), __func__)
#define vmsim_unlock_read(vm, l) vmsim__unlock_read_at((vm), (l), __func__)

/* Is it held at all (by anyone), held for write? */
VMSIM_API bool vmsim_lock_held(const struct vmsim_lock *l);
VMSIM_API bool vmsim_lock_held_write(const struct vmsim_lock *l);
/* lockdep_assert_held: a VMSIM_BUG unless the running context holds it
 * (write: exclusively). */
#define vmsim_lock_assert_held(vm, l) vmsim__lock_assert((vm), (l), false, __func__)
#define vmsim_lock_assert_held_write(vm, l) vmsim__lock_assert((vm), (l), true, __func__)
VMSIM_API void vmsim__lock_assert(struct vmsim *vm, const struct vmsim_lock *l, bool write, const char *func);
/* Locks held by the machine's running context (0 between operations). */
VMSIM_API unsigned vmsim_locks_held(const struct vmsim *vm);
VMSIM_API const char *vmsim_lock_class_name(enum vmsim_lock_class c);
/* A new class for this machine, named name (copied; at most 31
 * characters), with no place in the hierarchy: its order with every other
 * class is learned as locks are taken.  Returns the class, -EINVAL, or
 * -ENOSPC after VMSIM_LOCK_MAX_USER_CLASSES. */
VMSIM_API int vmsim_lock_class_new(struct vmsim *vm, const char *name);
/* Any class's name on this machine ("?" if it has none). */
VMSIM_API const char *vmsim_lock_class_name_vm(const struct vmsim *vm, unsigned c);

VMSIM_END_DECLS

#endif /* VMSIM_LOCK_H */
