/* The kernel's view of a mapping, as an entry kind's hooks see it: vm_flags,
 * struct vm_area_struct, struct vm_fault, struct zap_details and the
 * change_protection flags.  Names, values and meanings follow
 * include/linux/{mm.h,mm_types.h} and mm/memory.c of Linux 6.18, so code
 * written against them moves into the kernel with a rename at most. */
#ifndef VMSIM_MM_TYPES_H
#define VMSIM_MM_TYPES_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stdint.h>

#include <vmsim/lock.h>
#include <vmsim/pgtable.h>

VMSIM_BEGIN_DECLS

struct vmsim_mm;
struct vmsim_file;
struct vmsim_lock;
struct vmsim_kind;
struct anon_vma;
struct anon_vma_chain;

/* vm_flags (include/linux/mm.h values). */
#define VM_NONE		0x00000000UL
#define VM_READ		0x00000001UL
#define VM_WRITE	0x00000002UL
#define VM_EXEC		0x00000004UL
#define VM_SHARED	0x00000008UL
#define VM_MAYREAD	0x00000010UL
#define VM_MAYWRITE	0x00000020UL
#define VM_MAYEXEC	0x00000040UL
#define VM_MAYSHARE	0x00000080UL
#define VM_UFFD_MISSING	0x00000200UL
#define VM_PFNMAP	0x00000400UL
#define VM_UFFD_WP	0x00001000UL
#define VM_LOCKED	0x00002000UL
#define VM_SEQ_READ	0x00008000UL
#define VM_RAND_READ	0x00010000UL
#define VM_DONTCOPY	0x00020000UL
#define VM_DONTEXPAND	0x00040000UL
#define VM_ACCOUNT	0x00100000UL
#define VM_NORESERVE	0x00200000UL
#define VM_HUGETLB	0x00400000UL	/* a hugetlbfs mapping */
#define VM_WIPEONFORK	0x02000000UL
#define VM_SOFTDIRTY	0x08000000UL
#define VM_MIXEDMAP	0x10000000UL
#define VM_HUGEPAGE	0x20000000UL	/* MADV_HUGEPAGE */
#define VM_NOHUGEPAGE	0x40000000UL	/* MADV_NOHUGEPAGE */
#define VM_UFFD_MINOR	(1UL << 41)	/* VM_HIGH_ARCH bit 41 since 6.16 (38 before) */
#define __VM_UFFD_FLAGS	(VM_UFFD_MISSING | VM_UFFD_WP | VM_UFFD_MINOR)

/* The mm's rss counters (enum of include/linux/mm_types_task.h). */
enum { MM_FILEPAGES, MM_ANONPAGES, MM_SWAPENTS, MM_SHMEMPAGES, NR_MM_COUNTERS };

/* change_protection() flags (include/linux/mm.h MM_CP_*). */
#define MM_CP_TRY_CHANGE_WRITABLE	(1UL << 0)
#define MM_CP_PROT_NUMA			(1UL << 1)
#define MM_CP_UFFD_WP			(1UL << 2)
#define MM_CP_UFFD_WP_RESOLVE		(1UL << 3)

/*
 * struct vm_area_struct.  Hooks may read every field above the line; the
 * fields below it belong to libvmsim (lists, rmap chains, userfaultfd).
 */
struct vm_area_struct {
	uint64_t vm_start, vm_end;	/* [vm_start, vm_end), page aligned */
	struct vmsim_mm *vm_mm;
	unsigned long vm_flags;		/* VM_* */
	pgprot_t vm_page_prot;		/* protection of a new pte (vm_get_page_prot) */
	uint64_t vm_pgoff;		/* file offset in pages; anon: vm_start >> PAGE_SHIFT */
	struct vmsim_file *vm_file;	/* NULL: anonymous */
	struct anon_vma *anon_vma;	/* NULL until the first anonymous page */
	/* ---- private ---- */
	struct anon_vma_chain *anon_vma_chain;	/* this vma's avcs */
	struct vm_area_struct *prev, *next;	/* the mm's list, by address */
	struct vm_area_struct *i_prev, *i_next;	/* the file's i_mmap */
	void *uffd_ctx;
	uint64_t vm_kinds;		/* kinds (by registry slot) that may have entries here */
	void *vm_private_data;		/* hugetlb: the vma's reservations and lock */
	uint64_t swap_readahead_info;	/* last swap fault address | window | hits */
	/* The per-VMA lock: readers (faults) hold vm_lock shared; a writer
	 * marks the vma with the mm's odd mm_lock_seq (vma_start_write), and
	 * the mark ends with mmap_write_unlock. */
	struct vmsim_lock vm_lock;
	unsigned vm_lock_seq;
};

/* What a fault is about (struct vm_fault). */
struct vm_fault {
	struct vm_area_struct *vma;
	unsigned flags;			/* FAULT_FLAG_* (<vmsim/fault.h>) */
	uint64_t address;		/* page aligned */
	uint64_t real_address;		/* as the CPU faulted */
	uint64_t pgoff;			/* linear_page_index(vma, address) */
	pmd_t *pmd;
	pte_t *pte;			/* the slot; its table's lock is held */
	pte_t orig_pte;			/* the entry when the fault began */
	pmd_t orig_pmd;			/* a fault on a PMD leaf: the entry when it began */
	int cpu;			/* the faulting CPU */
	/* ---- private ---- */
	struct vmsim_page *page;
	struct vmsim_lock *ptl;		/* the pte table's lock, while held */
	bool io_retry;			/* RETRY because filemap_fault did I/O */
};

/* zap_details (mm/memory.c): who is zapping and what must stay. */
#define ZAP_FLAG_DROP_MARKER	(1u << 0)	/* markers go too (munmap, exit) */
#define ZAP_FLAG_UNMAP		(1u << 1)	/* the vma itself goes */
struct zap_details {
	struct vmsim_page *single_folio;	/* only ptes mapping this folio */
	bool even_cows;				/* private COW copies too */
	unsigned zap_flags;			/* ZAP_FLAG_* */
};

/* NULL details (MADV_DONTNEED, guard install) zap everything but markers. */
static inline bool zap_drop_markers(const struct zap_details *d)
{
	return d && (d->zap_flags & ZAP_FLAG_DROP_MARKER);
}
static inline bool should_zap_cows(const struct zap_details *d)
{
	return !d || d->even_cows;
}

static inline unsigned long vma_pages(const struct vm_area_struct *v)
{
	return (unsigned long)((v->vm_end - v->vm_start) >> PAGE_SHIFT);
}
static inline bool vma_is_anonymous(const struct vm_area_struct *v) { return !v->vm_file; }
static inline bool is_cow_mapping(unsigned long flags)
{
	return (flags & (VM_SHARED | VM_MAYWRITE)) == VM_MAYWRITE;
}
static inline uint64_t linear_page_index(const struct vm_area_struct *v, uint64_t addr)
{
	return ((addr - v->vm_start) >> PAGE_SHIFT) + v->vm_pgoff;
}
static inline bool is_vm_hugetlb_page(const struct vm_area_struct *v) { return v->vm_flags & VM_HUGETLB; }
static inline bool userfaultfd_wp(const struct vm_area_struct *v) { return v->vm_flags & VM_UFFD_WP; }
static inline bool userfaultfd_missing(const struct vm_area_struct *v) { return v->vm_flags & VM_UFFD_MISSING; }
static inline bool userfaultfd_minor(const struct vm_area_struct *v) { return v->vm_flags & VM_UFFD_MINOR; }

VMSIM_END_DECLS

#endif /* VMSIM_MM_TYPES_H */
