/* userfaultfd: contexts, registration, the resolving ioctls, fault and event
 * delivery to a handler.  Follows fs/userfaultfd.c, mm/userfaultfd.c and
 * include/linux/userfaultfd_k.h of Linux 6.12-6.18 (uapi values). */
#ifndef VMSIM_USERFAULTFD_H
#define VMSIM_USERFAULTFD_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stdint.h>

VMSIM_BEGIN_DECLS

struct vmsim_mm;
struct vmsim_uffd;

/* UFFDIO_REGISTER modes (uapi values; <linux/userfaultfd.h> may give them). */
#ifndef UFFDIO_REGISTER_MODE_MISSING
#define UFFDIO_REGISTER_MODE_MISSING	((uint64_t)1 << 0)
#endif
#ifndef UFFDIO_REGISTER_MODE_WP
#define UFFDIO_REGISTER_MODE_WP		((uint64_t)1 << 1)
#endif
#ifndef UFFDIO_REGISTER_MODE_MINOR
#define UFFDIO_REGISTER_MODE_MINOR	((uint64_t)1 << 2)
#endif

/* UFFD_FEATURE_* (the ones modelled). */
#ifndef UFFD_FEATURE_PAGEFAULT_FLAG_WP
#define UFFD_FEATURE_PAGEFAULT_FLAG_WP	(1ULL << 0)
#endif
#ifndef UFFD_FEATURE_EVENT_FORK
#define UFFD_FEATURE_EVENT_FORK		(1ULL << 1)
#endif
#ifndef UFFD_FEATURE_EVENT_REMAP
#define UFFD_FEATURE_EVENT_REMAP	(1ULL << 2)
#endif
#ifndef UFFD_FEATURE_EVENT_REMOVE
#define UFFD_FEATURE_EVENT_REMOVE	(1ULL << 3)
#endif
#ifndef UFFD_FEATURE_EVENT_UNMAP
#define UFFD_FEATURE_EVENT_UNMAP	(1ULL << 6)
#endif
#ifndef UFFD_FEATURE_MINOR_SHMEM
#define UFFD_FEATURE_MINOR_SHMEM	(1ULL << 10)
#endif
#ifndef UFFD_FEATURE_WP_HUGETLBFS_SHMEM
#define UFFD_FEATURE_WP_HUGETLBFS_SHMEM	(1ULL << 12)
#endif
#ifndef UFFD_FEATURE_WP_UNPOPULATED
#define UFFD_FEATURE_WP_UNPOPULATED	(1ULL << 13)
#endif
#ifndef UFFD_FEATURE_WP_ASYNC
#define UFFD_FEATURE_WP_ASYNC		(1ULL << 15)
#endif
#define VMSIM_UFFD_FEATURES	(UFFD_FEATURE_PAGEFAULT_FLAG_WP | UFFD_FEATURE_EVENT_FORK | \
				 UFFD_FEATURE_EVENT_REMAP | UFFD_FEATURE_EVENT_REMOVE | UFFD_FEATURE_EVENT_UNMAP | \
				 UFFD_FEATURE_MINOR_SHMEM | UFFD_FEATURE_WP_HUGETLBFS_SHMEM | \
				 UFFD_FEATURE_WP_UNPOPULATED | UFFD_FEATURE_WP_ASYNC)

/* A message the handler reads (struct uffd_msg). */
enum vmsim_uffd_event {
	VMSIM_UFFD_EVENT_PAGEFAULT = 0x12,
	VMSIM_UFFD_EVENT_FORK = 0x13,
	VMSIM_UFFD_EVENT_REMAP = 0x14,
	VMSIM_UFFD_EVENT_REMOVE = 0x15,
	VMSIM_UFFD_EVENT_UNMAP = 0x16,
};
/* The uapi names, unless <linux/userfaultfd.h> already gave them (the
 * values are the same, so either set of names works). */
#ifndef UFFD_EVENT_PAGEFAULT
#define UFFD_EVENT_PAGEFAULT	VMSIM_UFFD_EVENT_PAGEFAULT
#define UFFD_EVENT_FORK		VMSIM_UFFD_EVENT_FORK
#define UFFD_EVENT_REMAP	VMSIM_UFFD_EVENT_REMAP
#define UFFD_EVENT_REMOVE	VMSIM_UFFD_EVENT_REMOVE
#define UFFD_EVENT_UNMAP	VMSIM_UFFD_EVENT_UNMAP
#endif
#ifndef UFFD_PAGEFAULT_FLAG_WRITE
#define UFFD_PAGEFAULT_FLAG_WRITE	(1ULL << 0)
#endif
#ifndef UFFD_PAGEFAULT_FLAG_WP
#define UFFD_PAGEFAULT_FLAG_WP		(1ULL << 1)
#endif
#ifndef UFFD_PAGEFAULT_FLAG_MINOR
#define UFFD_PAGEFAULT_FLAG_MINOR	(1ULL << 2)
#endif

struct vmsim_uffd_msg {
	enum vmsim_uffd_event event;
	uint64_t address;		/* PAGEFAULT: page aligned */
	uint64_t flags;			/* PAGEFAULT: UFFD_PAGEFAULT_FLAG_* */
	uint64_t start, end;		/* REMOVE, UNMAP; REMAP: the old range */
	uint64_t to;			/* REMAP: where [start, end) went */
	struct vmsim_uffd *child;	/* FORK: the child's new context */
	struct vmsim_mm *child_mm;	/* FORK */
};

/* What the handler tells the faulting thread.  VMSIM_UFFD_RETRY: the fault
 * was resolved (or not: the access simply faults again, bounded). */
#define VMSIM_UFFD_RETRY	0
#define VMSIM_UFFD_SIGBUS	1

/*
 * The handler runs synchronously, as if a handler thread read the message
 * while the faulting thread waits (mmap_lock is dropped meanwhile, as
 * handle_userfault does).  It may call the ioctls below.  Events (fork,
 * remap, remove, unmap) ignore the return value.  A context with no handler makes
 * a userfault SIGBUS (in Linux the thread would wait forever).
 */
typedef int (*vmsim_uffd_handler_fn)(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *msg);

/* userfaultfd() + UFFDIO_API: -EINVAL for unknown features.  WP_ASYNC
 * implies WP_UNPOPULATED, as UFFDIO_API does. */
VMSIM_API int vmsim_uffd_open(struct vmsim_mm *mm, uint64_t features, struct vmsim_uffd **out);
/* Close: unregisters every range (as the last close of the fd does).  A
 * NULL context: close and set_handler do nothing, the getters give NULL/0,
 * the ioctls below -EBADF (a bad fd). */
VMSIM_API void vmsim_uffd_close(struct vmsim_uffd *ctx);
VMSIM_API void vmsim_uffd_set_handler(struct vmsim_uffd *ctx, vmsim_uffd_handler_fn fn, void *arg);
VMSIM_API void *vmsim_uffd_handler_arg(const struct vmsim_uffd *ctx);
VMSIM_API uint64_t vmsim_uffd_features(const struct vmsim_uffd *ctx);
VMSIM_API struct vmsim_mm *vmsim_uffd_mm(const struct vmsim_uffd *ctx);

/* UFFDIO_REGISTER / UNREGISTER. */
VMSIM_API int vmsim_uffd_register(struct vmsim_uffd *ctx, uint64_t start, uint64_t len, uint64_t modes);
VMSIM_API int vmsim_uffd_unregister(struct vmsim_uffd *ctx, uint64_t start, uint64_t len);
/* UFFDIO_COPY of len bytes from src (NULL: pages filled with byte), with
 * UFFDIO_COPY_MODE_WP if wp.  Returns bytes copied (>0), or -errno when
 * nothing was (-EEXIST, -ENOENT, -EINVAL, -EFAULT). */
VMSIM_API long vmsim_uffd_copy(struct vmsim_uffd *ctx, uint64_t dst, const void *src, int byte, uint64_t len, bool wp);
/* UFFDIO_ZEROPAGE: bytes zero-filled or -errno. */
VMSIM_API long vmsim_uffd_zeropage(struct vmsim_uffd *ctx, uint64_t dst, uint64_t len);
/* UFFDIO_WRITEPROTECT: 0 or -errno (-ENOENT where a vma is not uffd-wp). */
VMSIM_API int vmsim_uffd_writeprotect(struct vmsim_uffd *ctx, uint64_t start, uint64_t len, bool wp);
/* UFFDIO_CONTINUE (shmem minor faults): bytes mapped or -errno. */
VMSIM_API long vmsim_uffd_continue(struct vmsim_uffd *ctx, uint64_t start, uint64_t len, bool wp);
/* UFFDIO_POISON: poisoned markers (any access: SIGBUS, BUS_MCEERR_AR) in
 * none ptes only (-EEXIST over anything, markers included); bytes done
 * or -errno, as UFFDIO_COPY. */
VMSIM_API long vmsim_uffd_poison(struct vmsim_uffd *ctx, uint64_t start, uint64_t len);


VMSIM_END_DECLS

#endif /* VMSIM_USERFAULTFD_H */
