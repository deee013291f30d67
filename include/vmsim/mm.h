/* Processes' memory: mm_struct, VMAs, files and the system calls on them
 * (mmap, munmap, mprotect, mremap, madvise, fork, exit), faults, memory
 * access, pagemap.  Follows mm/{mmap,vma,memory,mprotect,mremap,madvise,
 * rmap,filemap,shmem}.c and kernel/fork.c of Linux 6.12-6.18. */
#ifndef VMSIM_MM_H
#define VMSIM_MM_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

VMSIM_BEGIN_DECLS

struct vmsim;
struct vmsim_mm;
struct vmsim_file;
struct vm_area_struct;
struct vmsim_mm_context;

/* mmap protections and flags: the Linux values. */
#define VMSIM_PROT_NONE		0x0
#define VMSIM_PROT_READ		0x1
#define VMSIM_PROT_WRITE	0x2
#define VMSIM_PROT_EXEC		0x4
#define VMSIM_MAP_SHARED	0x01
#define VMSIM_MAP_PRIVATE	0x02
#define VMSIM_MAP_ANONYMOUS	0x20
#define VMSIM_MAP_LOCKED	0x2000
#define VMSIM_MAP_NORESERVE	0x4000
#define VMSIM_MAP_POPULATE	0x8000

/* madvise advice: the Linux values. */
#define VMSIM_MADV_WILLNEED	3
#define VMSIM_MADV_DONTNEED	4
#define VMSIM_MADV_REMOVE	9
#define VMSIM_MADV_HUGEPAGE	14
#define VMSIM_MADV_NOHUGEPAGE	15
#define VMSIM_MADV_COLD		20
#define VMSIM_MADV_PAGEOUT	21
#define VMSIM_MADV_POPULATE_READ 22
#define VMSIM_MADV_POPULATE_WRITE 23
#define VMSIM_MADV_COLLAPSE	25
#define VMSIM_MADV_GUARD_INSTALL 102
#define VMSIM_MADV_GUARD_REMOVE	103

#define VMSIM_MREMAP_MAYMOVE	1
#define VMSIM_MREMAP_FIXED	2

/* shmem (tmpfs, memfd), disk (page cache over a block device), dax (a
 * file on persistent memory, mapped without a page cache), hugetlb (a
 * hugetlbfs file of 2 MiB pages from the machine's pool). */
enum vmsim_file_kind { VMSIM_FILE_SHMEM, VMSIM_FILE_DISK, VMSIM_FILE_DAX, VMSIM_FILE_HUGETLB };

/* A process address space.  Returns 0 / -ENOMEM. */
VMSIM_API int vmsim_mm_new(struct vmsim *vm, struct vmsim_mm **out);
/* exit(): tear the whole address space down (exit_mmap) and free it. */
VMSIM_API void vmsim_mm_exit(struct vmsim_mm *mm);
/* fork(): a new mm copied from parent as dup_mmap does.  0 / -ENOMEM. */
VMSIM_API int vmsim_fork(struct vmsim_mm *parent, struct vmsim_mm **child);
/* A small number naming the mm in traces and dumps (1, 2, ...).  The
 * getters give 0 or NULL for a NULL mm; the calls that return an errno give
 * -EINVAL. */
VMSIM_API int vmsim_mm_id(const struct vmsim_mm *mm);
VMSIM_API struct vmsim *vmsim_mm_machine(const struct vmsim_mm *mm);
/* The CPU the process last ran on, and a context switch to another. */
VMSIM_API int vmsim_mm_cpu(const struct vmsim_mm *mm);
VMSIM_API int vmsim_mm_run(struct vmsim_mm *mm, int cpu);
/* The mm's address-space context (<vmsim/cpu.h>): which PCID it has where. */
VMSIM_API struct vmsim_mm_context *vmsim_mm_context(struct vmsim_mm *mm);

/*
 * mmap at exactly addr (MAP_FIXED_NOREPLACE), as do_mmap() decides:
 *  - the type is flags & MAP_TYPE (0x0f): MAP_SHARED or MAP_PRIVATE, whose
 *    other flag bits are ignored beyond MAP_ANONYMOUS, MAP_LOCKED and
 *    MAP_POPULATE; MAP_SHARED|MAP_PRIVATE (0x03) is MAP_SHARED_VALIDATE:
 *    with a file, MAP_SHARED that refuses flags outside Linux's
 *    LEGACY_MAP_MASK with -EOPNOTSUPP, anonymous -EINVAL; MAP_DROPPABLE
 *    (0x08) is -EOPNOTSUPP anonymous (not modelled), -EINVAL with a file;
 *    any other type (flags = -1 too) is -EINVAL;
 *  - MAP_ANONYMOUS ignores file, as it ignores the fd; without it a NULL
 *    file is -EBADF; a file of another machine is -EINVAL either way;
 *  - -EINVAL for unaligned addr or off, zero len, prot bits beyond
 *    READ|WRITE|EXEC (Linux ignores them); -ENOMEM for a len that
 *    page-aligns past 2^64 or a range past TASK_SIZE; -EOVERFLOW when
 *    a file's off + len passes MAX_LFS_FILESIZE (file_mmap_ok); -EEXIST
 *    if anything is mapped there;
 *    -EOPNOTSUPP for a DAX file.
 * MAP_POPULATE faults the range in; MAP_LOCKED too.
 */
VMSIM_API int vmsim_mmap(struct vmsim_mm *mm, uint64_t addr, uint64_t len, int prot, int flags,
	       struct vmsim_file *file, uint64_t off);
VMSIM_API int vmsim_munmap(struct vmsim_mm *mm, uint64_t addr, uint64_t len);
/* -ENOMEM if part of the range is unmapped (the part before the hole is
 * changed, as in Linux); -EACCES for PROT_WRITE on a read-only shared file
 * is not modelled (files are always opened read-write). */
VMSIM_API int vmsim_mprotect(struct vmsim_mm *mm, uint64_t addr, uint64_t len, int prot);
/* mremap(old, old_len, new_len, flags, new_addr); moves page-table entries. */
VMSIM_API int vmsim_mremap(struct vmsim_mm *mm, uint64_t old_addr, uint64_t old_len, uint64_t new_len,
		 int flags, uint64_t new_addr);
VMSIM_API int vmsim_madvise(struct vmsim_mm *mm, uint64_t addr, uint64_t len, int advice);

/*
 * Load or store len bytes at addr as the process would, on its CPU (cpu -1)
 * or on cpu: walk, fault, retry.  Returns an enum vmsim_access_result
 * (<vmsim/cpu.h>): VMSIM_ACCESS_OK, the signal the access raised
 * (VMSIM_ACCESS_SIGSEGV, _SIGBUS, _HWPOISON), VMSIM_ACCESS_OOM (bytes
 * before the faulting page were moved) or VMSIM_ACCESS_SIGKILL (the OOM
 * killer took the process), or -EINVAL for bad arguments.  *fault_addr (may be NULL) gets the
 * faulting address.
 */
VMSIM_API int vmsim_access(struct vmsim_mm *mm, int cpu, uint64_t addr, void *buf, size_t len, bool write,
		 uint64_t *fault_addr);
/* The same as instruction fetches (FAULT_FLAG_INSTRUCTION faults: a vma or
 * pte without execute permission is SIGSEGV); buf receives the bytes. */
VMSIM_API int vmsim_fetch(struct vmsim_mm *mm, int cpu, uint64_t addr, void *buf, size_t len,
			  uint64_t *fault_addr);

/* One access of a batch: the hardware path only (TLB, walk, accessed and
 * dirty bits, faults), no bytes move.  cpu -1: the process's CPU. */
enum vmsim_access_kind { VMSIM_ACC_LOAD, VMSIM_ACC_STORE, VMSIM_ACC_FETCH };
struct vmsim_access_req {
	uint64_t addr;
	uint32_t size;			/* >= 1; may cross pages (each page is accessed) */
	uint8_t kind;			/* enum vmsim_access_kind */
	int16_t cpu;
};
/*
 * Run n accesses of mm in order, as a program's loads, stores and
 * instruction fetches would run (a trace replay).  Stops at the first
 * access that raises a signal.  Returns how many completed (n when all
 * did) and sets *result (may be NULL) to the stopping access's
 * VMSIM_ACCESS_* (VMSIM_ACCESS_OK when all completed); -EINVAL for bad
 * arguments (nothing run).
 */
VMSIM_API long vmsim_access_many(struct vmsim_mm *mm, const struct vmsim_access_req *reqs, size_t n,
				 int *result);

/* /proc/PID/pagemap: one 64-bit entry per page, with Linux's bits. */
#define PM_PFRAME_BITS		55
#define PM_PFRAME_MASK		((1ULL << PM_PFRAME_BITS) - 1)
#define PM_SOFT_DIRTY		(1ULL << 55)
#define PM_MMAP_EXCLUSIVE	(1ULL << 56)
#define PM_UFFD_WP		(1ULL << 57)
#define PM_GUARD_REGION		(1ULL << 58)
#define PM_FILE			(1ULL << 61)
#define PM_SWAP			(1ULL << 62)
#define PM_PRESENT		(1ULL << 63)
VMSIM_API int vmsim_pagemap(struct vmsim_mm *mm, uint64_t addr, unsigned long npages, uint64_t *out);
/* /proc/PID/smaps of the vma containing addr: its range and these fields,
 * in kB as Linux 6.18 prints them for the same state (the zero page is in
 * no Rss; Pss divides a page among its mappers; Shared_* are pages mapped
 * more than once; Locked is the Pss of VM_LOCKED vmas).  0, -ENOMEM when no
 * vma contains addr, -EINVAL for NULL. */
struct vmsim_smaps {
	uint64_t start, end;
	uint64_t size, rss, pss, shared_clean, shared_dirty, private_clean, private_dirty;
	uint64_t anonymous, anon_huge_pages, swap, swap_pss, locked;
};
VMSIM_API int vmsim_smaps(struct vmsim_mm *mm, uint64_t addr, struct vmsim_smaps *out);
/* The PFN of the shared zero page, to tell it apart in pagemap output
 * (~0UL for NULL). */
VMSIM_API unsigned long vmsim_zero_pfn(struct vmsim *vm);
/* Is pfn the zero page or a page of the huge zero folio (is_zero_pfn(),
 * is_huge_zero_pfn())? */
VMSIM_API bool vmsim_is_zero_pfn(struct vmsim *vm, unsigned long pfn);
/* echo 4 > /proc/PID/clear_refs (soft-dirty); other types -EINVAL. */
VMSIM_API int vmsim_clear_refs(struct vmsim_mm *mm, int type);

/* pin_user_pages(FOLL_PIN|FOLL_LONGTERM [|FOLL_WRITE]) of npages from addr,
 * faulting them in; pfns (may be NULL) receives the pinned frames.
 * Returns the number pinned (0 for npages 0, as __get_user_pages), -EFAULT
 * when the first page cannot be pinned, -EINVAL for a NULL mm or an addr
 * not page aligned (Linux would round it down).  Unpin with the pfns. */
VMSIM_API long vmsim_pin_user_pages(struct vmsim_mm *mm, uint64_t addr, unsigned long npages, bool write,
			  unsigned long *pfns);
/* unpin_user_pages(): 0, or -EINVAL and nothing unpinned if vm is NULL,
 * pfns NULL with npages, or any pfn not pinned (as often as listed). */
VMSIM_API int vmsim_unpin_user_pages(struct vmsim *vm, const unsigned long *pfns, unsigned long npages);

/* Files.  A name is unique per machine; the machine owns its files.  New:
 * 0, -EINVAL (NULL machine or name, empty or >= 32 bytes name, unknown
 * kind), -EFBIG (size > 2^46), -EOPNOTSUPP (DAX), -EEXIST, -ENOMEM; out may
 * be NULL: the file is made all the same and found later by name.  Lookup
 * gives NULL for NULL arguments, size and cached pages 0 for a NULL file;
 * the calls below that return an errno give -EBADF for a NULL file. */
VMSIM_API int vmsim_file_new(struct vmsim *vm, const char *name, enum vmsim_file_kind kind, uint64_t size,
		   struct vmsim_file **out);
VMSIM_API struct vmsim_file *vmsim_file_lookup(struct vmsim *vm, const char *name);
VMSIM_API uint64_t vmsim_file_size(const struct vmsim_file *f);
/* read()/write() through the page cache; pread/pwrite semantics (a write
 * past the end extends the file).  Return bytes moved or -errno: -EFAULT
 * for a NULL buf with len or a len no user buffer can have (access_ok:
 * past 2^56 - 4096), -EINVAL when off or off + len is negative as loff_t
 * (ksys_pread64, rw_verify_area), -EFBIG for a write
 * at or past 2^46 (s_maxbytes); one that crosses it is cut short there. */
VMSIM_API long vmsim_file_write(struct vmsim_file *f, uint64_t off, const void *buf, size_t len);
VMSIM_API long vmsim_file_read(struct vmsim_file *f, uint64_t off, void *buf, size_t len);
/* fallocate(PUNCH_HOLE|KEEP_SIZE); as vfs_fallocate: -EINVAL for off < 0
 * or len <= 0 (as loff_t), -EFBIG when off + len wraps or passes 2^46. */
VMSIM_API int vmsim_file_punch(struct vmsim_file *f, uint64_t off, uint64_t len);
/* ftruncate: -EINVAL for a size that is negative as an off_t, -EFBIG
 * past the simulator's 64 TiB. */
VMSIM_API int vmsim_file_truncate(struct vmsim_file *f, uint64_t size);
/* Pages of the file in the page cache now (for tests and dumps). */
VMSIM_API unsigned long vmsim_file_cached_pages(const struct vmsim_file *f);
/* fsync(): dirty page-cache pages of a disk file written back; a DAX
 * file's dirty entries written back, their mappings write-protected and
 * clean again (dax_writeback_mapping_range).  0 or a negative errno. */
VMSIM_API int vmsim_file_fsync(struct vmsim_file *f);
/* Write dirty page-cache pages back (disk files) and drop clean ones. */
VMSIM_API int vmsim_file_drop_caches(struct vmsim_file *f);

/* Counters of an mm (as in /proc/PID/status). */
struct vmsim_mm_stats {
	long rss_anon, rss_file, rss_shmem, swap_ents;
	unsigned long nr_vmas;
	unsigned long pgtable_pages;	/* pud, pmd, pte tables (VmPTE's count) */
	unsigned long faults, faults_anon, faults_file, faults_wp, faults_cow;
	unsigned long faults_thp;	/* faults that mapped a new THP (thp_fault_alloc) */
	/* CPU faults and the per-VMA lock (vmstat's vma_lock_*): handled
	 * under it, not had (lock_vma_under_rcu failed), or retried under
	 * mmap_lock after VM_FAULT_RETRY. */
	unsigned long vma_lock_success, vma_lock_abort, vma_lock_retry;
};
VMSIM_API void vmsim_mm_stats(const struct vmsim_mm *mm, struct vmsim_mm_stats *st);

/* Introspection, for dumps and tests. */
struct vmsim_vma_info {
	uint64_t start, end;
	unsigned long flags;		/* Linux's VM_* bits */
	uint64_t pgoff;
	const char *file;		/* file name, or NULL for anonymous */
	bool has_anon_vma;
};
/* The idx-th vma by address: 0, or -ENOENT past the last, -EINVAL for
 * NULL mm or out. */
VMSIM_API int vmsim_mm_vma(const struct vmsim_mm *mm, unsigned idx, struct vmsim_vma_info *out);
/* The PFN of the process's top-level page table (~0UL for NULL). */
VMSIM_API unsigned long vmsim_mm_pgd(const struct vmsim_mm *mm);
/* Every (process, address) that maps the frame, through rmap (nothing for
 * a NULL machine or fn, a PFN out of range, free or a table). */
typedef void (*vmsim_rmap_fn)(void *arg, struct vmsim_mm *mm, uint64_t addr);
VMSIM_API void vmsim_page_rmap(struct vmsim *vm, unsigned long pfn, vmsim_rmap_fn fn, void *arg);
/* What kind of page a frame holds: "anon", "file NAME", "shmem NAME",
 * "swapcache" (a shmem page in swap, or one swap-in read and nobody has
 * mapped yet), "hwpoison" (a poisoned frame nobody has), "zero",
 * "pgtable", "free", "kernel", or "none" past the last frame; buf,
 * or NULL for a NULL machine or buf or a size of 0. */
VMSIM_API const char *vmsim_page_owner(struct vmsim *vm, unsigned long pfn, char *buf, size_t size);

/* The hugetlb pool (HugePages_Total in /proc/meminfo); *free and *resv
 * (may be NULL) get HugePages_Free and HugePages_Rsvd. */
VMSIM_API unsigned long vmsim_hugetlb_pool(struct vmsim *vm, unsigned long *free, unsigned long *resv);

/* The shrinkers' pass of `echo 2 > /proc/sys/vm/drop_caches`: the THP
 * deferred split queue is scanned and every partially mapped THP split,
 * its unmapped pages freed.  Returns how many folios were split. */
VMSIM_API unsigned long vmsim_shrink_slab(struct vmsim *vm);

/* Check every invariant of the machine now (what check=full runs after each
 * operation); returns the number of violations, each reported as a bug. */
VMSIM_API unsigned long vmsim_check_all(struct vmsim *vm);

VMSIM_END_DECLS

#endif /* VMSIM_MM_H */
