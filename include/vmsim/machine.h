/* The simulated machine: configuration, creation, teardown, errors,
 * determinism.  No Linux file: this is the simulator's own frame. */
#ifndef VMSIM_MACHINE_H
#define VMSIM_MACHINE_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

VMSIM_BEGIN_DECLS

struct vmsim;

enum vmsim_check_level { VMSIM_CHECK_OFF, VMSIM_CHECK_BASIC, VMSIM_CHECK_FULL };
enum vmsim_luf_mode { VMSIM_LUF_OFF, VMSIM_LUF_ON, VMSIM_LUF_DEBUG };
/* transparent_hugepage/enabled: never, madvise (MADV_HUGEPAGE ranges), always. */
enum vmsim_thp_mode { VMSIM_THP_NEVER, VMSIM_THP_MADVISE, VMSIM_THP_ALWAYS };

#define VMSIM_MAX_CPUS		64
#define VMSIM_MIN_RAM		(1ULL << 20)	/* 1 MiB */
#define VMSIM_MAX_RAM		(1ULL << 40)	/* 1 TiB of simulated frames */
#define VMSIM_MAX_HUGEPAGES	(1UL << 19)	/* 1 TiB of 2 MiB hugetlb pages */
#define VMSIM_MAX_PMEM		(1ULL << 40)	/* 1 TiB of persistent memory */

/* Historic kernel bugs a machine can switch back on, for teaching
 * (machine option quirks=; each one is described in docs/quirks.md). */
#define VMSIM_QUIRK_FORK_SKIPS_UFFD_WP	(1ULL << 0)	/* fork: no page-table copy for uffd-wp file vmas */
#define VMSIM_QUIRK_FAULT_AROUND_UFFD	(1ULL << 1)	/* fault-around ignores uffd-wp/minor registration */
#define VMSIM_QUIRK_DEVX_FORK_KEEPS_ENTRY (1ULL << 2)	/* fork copies a device-exclusive entry of a COW vma */
#define VMSIM_QUIRK_DEVX_RESTORE_UNLOCKED (1ULL << 3)	/* device-exclusive entries restored without the folio lock */
#define VMSIM_QUIRK_DEVX_NO_OWNER_FILTER (1ULL << 4)	/* a device's notifier does not ignore its own exclusive event */
/* Lazy unmap flush (luf=on|debug): one of its flush points switched off
 * (quirks=luf_no_<point>; docs/luf.md and <vmsim/luf.h>). */
#define VMSIM_QUIRK_LUF_NO_ALLOC	(1ULL << 5)
#define VMSIM_QUIRK_LUF_NO_TLB_END_VMA	(1ULL << 6)
#define VMSIM_QUIRK_LUF_NO_FAULT	(1ULL << 7)
#define VMSIM_QUIRK_LUF_NO_TASK_SWITCH	(1ULL << 8)
#define VMSIM_QUIRK_LUF_NO_WRITE_BEGIN	(1ULL << 9)
#define VMSIM_QUIRK_LUF_NO_MKCLEAN	(1ULL << 10)
#define VMSIM_QUIRK_LUF_NO_TRUNCATE	(1ULL << 11)
#define VMSIM_QUIRK_LUF_NO_MKWRITE	(1ULL << 12)
#define VMSIM_QUIRK_LUF_NO_LAZYFREE	(1ULL << 13)
#define VMSIM_QUIRK_LUF_NO_BATCHED_PENDING (1ULL << 14)
#define VMSIM_QUIRK_PMD_UNSHARE_PARTIAL_FLUSH (1ULL << 15) /* unsharing a PMD table (hugetlb, FS-DAX)
							    * flushes 2M, not its PUD range */
#define VMSIM_QUIRK_PMD_SHARE_NO_I_MMAP_LOCK (1ULL << 16) /* FS-DAX: a zap unshares a PMD table under the
							   * PMD lock only (the 2019 RFC) */

/* Which device-exclusive semantics (machine option devx=): Linux 6.15 and
 * later (one entry type, make_device_exclusive(), the entry keeps the
 * mapcount), or 6.14 and earlier (make_device_exclusive_range(), read and
 * write entry types, mapcount dropped). */
enum vmsim_devx_version { VMSIM_DEVX_6_15, VMSIM_DEVX_6_14 };

/* Everything a machine can be told at creation; vmsim_config_init() gives
 * the defaults of the .vms `machine` line. */
struct vmsim_config {
	unsigned cpus;			/* 1..VMSIM_MAX_CPUS; default 4 */
	uint64_t ram;			/* bytes, page multiple; default 256 MiB */
	uint64_t swap;			/* bytes, page multiple, 0 or at least 2 pages
					 * (a header and a slot); default 0: no swap */
	unsigned levels;		/* 4 or 5; default 5 */
	unsigned tlb_sets, tlb_ways;	/* per CPU, sets a power of two; 16x4 */
	uint64_t seed;			/* every random choice comes from it; 1 */
	enum vmsim_check_level check;	/* default basic */
	bool data;			/* keep frame contents; default on */
	enum vmsim_luf_mode luf;	/* default off */
	enum vmsim_thp_mode thp;	/* default never */
	unsigned long hugepages;	/* hugetlb pool, 2 MiB pages; default 0 */
	uint64_t fault_around;		/* bytes, power of two, 4K..2M; 64 KiB */
	uint64_t quirks;		/* VMSIM_QUIRK_* bits; default none */
	enum vmsim_devx_version devx;	/* default VMSIM_DEVX_6_15 */
	uint64_t readahead;		/* disk read_ahead_kb in bytes, page multiple,
					 * <= 1 GiB; default 8 MiB (this project's
					 * machines; Linux's generic default is 128K) */
	uint64_t pmem;			/* persistent memory for DAX files, bytes, a
					 * 2 MiB multiple; default 64 MiB */
	unsigned dax_fragment;		/* every Nth 2 MiB extent a DAX file gets is
					 * scattered 4 KiB blocks (0 never, 1 always);
					 * default 0 */
	bool dax_pmd_share;		/* FS-DAX PMD table sharing (the 2019 RFC's
					 * CONFIG_MAY_SHARE_FSDAX_PMD); default off */
};

/* Fill cfg with the defaults (NULL: nothing). */
VMSIM_API void vmsim_config_init(struct vmsim_config *cfg);

/*
 * Set one option by its .vms name and text value ("ram", "256M"; "tlb",
 * "16x4"; "check", "full" ...).  Returns 0, -ENOENT for an unknown key,
 * -EINVAL for a bad value or a NULL argument; cfg is unchanged on error.
 */
VMSIM_API int vmsim_config_set(struct vmsim_config *cfg, const char *key, const char *value);

/* The VMSIM_QUIRK_* bit of a quirk's name (0 if unknown), and back. */
VMSIM_API uint64_t vmsim_quirk_from_name(const char *name);
VMSIM_API const char *vmsim_quirk_name(uint64_t bit);

/* 0 if every field is in range, else -EINVAL (also for NULL and for a
 * quirk bit no VMSIM_QUIRK_* names). */
VMSIM_API int vmsim_config_validate(const struct vmsim_config *cfg);

/*
 * Create a machine.  cfg may be NULL for the defaults.  Returns 0 and sets
 * *out, or -EINVAL (bad config) / -ENOMEM.  The caller owns the machine and
 * frees it with vmsim_free().
 */
VMSIM_API int vmsim_new(const struct vmsim_config *cfg, struct vmsim **out);

/* Tear the machine down and release every byte it allocated.  NULL is ok.
 * Anything found still in use (a leak) is a bug report through the
 * machine's handler, during this call. */
VMSIM_API void vmsim_free(struct vmsim *vm);

/* The configuration the machine was created with (NULL for NULL).  The
 * getters below return 0 for a NULL machine. */
VMSIM_API const struct vmsim_config *vmsim_config(const struct vmsim *vm);

/* The machine's deterministic random stream (from cfg.seed). */
VMSIM_API uint64_t vmsim_random(struct vmsim *vm);

/* "EINVAL" for -EINVAL (or EINVAL); "E?" for an unknown number. */
VMSIM_API const char *vmsim_errno_name(int err);
/* Human text for a negative errno, as strerror. */
VMSIM_API const char *vmsim_strerror(int err);
/* The errno for a name such as "EINVAL", negative; 0 if unknown. */
VMSIM_API int vmsim_errno_from_name(const char *name);

/* Host bytes the machine holds right now (its allocator's count). */
VMSIM_API size_t vmsim_host_bytes(const struct vmsim *vm);

/* Where the host bytes go.  heap_bytes, heap_objs, frame_bytes and
 * memmap_bytes are the machine's own counts (vmsim_host_bytes() is
 * heap_bytes + frame_bytes + memmap_bytes); memmap_bytes are the struct
 * pages of the memory sections in use (the memmap is populated a 128 MiB
 * section at a time, when the section's first frame is handed out);
 * arena_allocated and arena_resident are jemalloc's statistics for the
 * machine's arena (small + large allocated; resident pages incl. allocator
 * metadata and fragmentation), 0 when built without jemalloc or without
 * jemalloc statistics.  Returns vmsim_host_bytes(vm). */
struct vmsim_host_mem {
	size_t heap_bytes, heap_objs, frame_bytes;
	size_t arena_allocated, arena_resident;
	size_t memmap_bytes;
};
VMSIM_API size_t vmsim_host_bytes_detail(const struct vmsim *vm, struct vmsim_host_mem *out);

VMSIM_END_DECLS

#endif /* VMSIM_MACHINE_H */
