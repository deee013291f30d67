/* The kernel half's shared structures: mm_struct, vm_area_struct, anon_vma,
 * address_space, vm_fault, zap_details, mmu_gather.  Names and fields follow
 * include/linux/{mm_types.h,mm.h,rmap.h,fs.h}; only what is modelled. */
#ifndef VMSIM_MM_INTERNAL_H
#define VMSIM_MM_INTERNAL_H

#include "../internal.h"
#include "../sched/sched_internal.h"
#include <vmsim/kind.h>
#include <vmsim/mmu_notifier.h>

/* VM_*, struct vm_area_struct, struct vm_fault, struct zap_details and
 * MM_CP_* are public: <vmsim/mm_types.h>. */
#include <vmsim/mm_types.h>

/* Flags that must match for two vmas to merge (besides these, VM_SOFTDIRTY
 * is ignored, as in Linux's is_mergeable_vma). */
#define VM_IGNORE_MERGE	VM_SOFTDIRTY

#define MMF_HAS_PINNED	(1UL << 0)
#define MMF_OOM_VICTIM	(1UL << 1)	/* chosen by the OOM killer: dead */
#define MMF_OOM_REAPED	(1UL << 2)	/* its address space is gone */
#define MMF_FORKING	(1UL << 3)	/* a child dup_mmap() is still building:
					 * not on the task list, no OOM victim */

/* LRU lists (include/linux/mmzone.h enum lru_list): one node, no memcg.
 * The head of a list is its newest folio, the tail (head->prev) its
 * oldest, which reclaim isolates first. */
enum lru_list {
	LRU_INACTIVE_ANON,
	LRU_ACTIVE_ANON,
	LRU_INACTIVE_FILE,
	LRU_ACTIVE_FILE,
	LRU_UNEVICTABLE,
	NR_LRU_LISTS
};
struct lruvec {
	struct vmsim_page *lists[NR_LRU_LISTS];
	unsigned long nr[NR_LRU_LISTS];
};

/* The per-task TLB batch of reclaim (struct tlbflush_unmap_batch): the
 * simulator runs one operation at a time, so one per machine. */
struct tlbflush_unmap_batch {
	uint64_t cpumask;	/* arch: CPUs that must flush */
	bool flush_required;
	bool writable;		/* a cleared pte was dirty */
};

/* LUF (mm/luf.c): an owed flush, v12's struct luf_batch without its lock:
 * the CPUs that may cache a deferred translation and the generation their
 * flush must reach.  settled: the generation found done (counted once). */
struct luf_batch {
	uint64_t cpumask;
	uint64_t ugen;
	uint64_t settled;
};
struct vmsim_luf;
struct luf_slot;

struct swap_info_struct;
struct vmsim_migration;

/* A registered entry kind (mm/kind.c). */
struct vmsim_kind {
	const struct vmsim_kind_ops *ops;
	struct vmsim *vm;
	unsigned slot;			/* index: its bit in vma->vm_kinds */
	pte_marker marker;		/* the marker bits it owns */
	int swap_type;			/* a special swap type it was given, or -1 */
	void *data;
	bool builtin;
};

struct vmsim_kind_registry {
	struct vmsim_kind slot[VMSIM_MAX_KINDS];
	unsigned nr;
	struct vmsim_kind *marker_kinds[VMSIM_MAX_KINDS];	/* by priority, highest first */
	unsigned nr_marker_kinds;
	struct vmsim_kind *bit_kinds[VMSIM_MAX_KINDS];		/* owners of pte/swp bits */
	unsigned nr_bit_kinds;
	pteval_t bits;			/* every owned pte and swp bit */
	unsigned long cp_flags;		/* every kind's ops->cp_flags */
	uint64_t copy_on_fork;		/* slots with VMSIM_KIND_COPY_ON_FORK */
	unsigned max_swapfiles;		/* lowered by allocated special types */
};

struct anon_vma {
	struct anon_vma *root, *parent;
	int refcount;			/* avcs, children (on their root), pins */
	unsigned long degree;
	struct anon_vma_chain *rb_root;	/* all avcs, i.e. every vma that may map its pages */
	struct vmsim_lock rwsem;
};

/* One (vma, anon_vma) pair: how rmap finds every vma a page may be in. */
struct anon_vma_chain {
	struct vm_area_struct *vma;
	struct anon_vma *anon_vma;
	struct anon_vma_chain *same_vma_prev, *same_vma_next;
	struct anon_vma_chain *av_prev, *av_next;
};

struct vmsim_pagecache_entry;
struct resv_map;

/* A file and its page cache (struct inode + struct address_space). */
struct vmsim_file {
	struct vmsim *vm;
	char name[32];
	enum vmsim_file_kind kind;
	uint64_t i_size;
	struct vmsim_pagecache_entry *pages;	/* uthash pgoff -> folio */
	unsigned long nrpages;
	struct vmsim_pagecache_entry *store;	/* disk: written-back contents */
	struct vm_area_struct *i_mmap;		/* every vma mapping the file */
	struct vmsim_lock i_mmap_rwsem;
	struct vmsim_lock i_rwsem;		/* inode_lock: write, fallocate, truncate */
	uint64_t falloc_start, falloc_end;	/* shmem_falloc: the hole being punched */
	unsigned long ra_pages;			/* readahead window, pages */
	unsigned long swapped;			/* shmem: pages in swap (info->swapped) */
	/* shmem_swaplist: every shmem file with pages in swap, named or the
	 * unnamed one behind shared anonymous memory. */
	struct vmsim_file *swap_prev, *swap_next;
	struct vmsim_file *next;		/* the machine's files */
	struct resv_map *hugetlb_resv;		/* hugetlb: reserved or present huge pages */
	void *dax;				/* dax: the feature's inode (blocks, index) */
	bool internal;				/* shmem behind MAP_SHARED|MAP_ANONYMOUS */
	int refcount;
	struct luf_batch luf;			/* LUF: what its pages' unmaps owe */
	struct luf_slot *luf_slots;		/* luf=debug: cache slots vacated owing a flush */
};

struct vmsim_mm {
	struct vmsim *vm;
	int id;
	unsigned long pgd;
	struct vmsim_mm_context ctx;	/* what the CPUs see: CR3, PCID, tlb_gen */
	struct vm_area_struct *mmap;	/* vmas, sorted by address */
	unsigned long map_count;
	struct vmsim_lock mmap_lock;
	unsigned mm_lock_seq;		/* odd while mmap_lock is write-held */
	uint64_t vma_lock_retry;	/* CPUs whose fault retries under mmap_lock */
	struct vmsim_lock page_table_lock;
	long rss[NR_MM_COUNTERS];
	unsigned long flags;		/* MMF_* */
	int cpu;			/* CPU it last ran on */
	int tlb_flush_pending;
	/* mm->tlb_flush_batched: reclaim's deferred flushes, pending and
	 * flushed counts (flush_tlb_batched_pending). */
	unsigned long tlb_batch_pending, tlb_batch_flushed;
	struct vmsim_mm_stats st;
	struct vmsim_uffd *uffds;	/* userfaultfd contexts opened on this mm */
	struct vmsim_mmu_subscriptions *notifier_subscriptions;	/* mm/mmu_notifier.c; NULL: none ever */
	struct luf_batch luf;		/* LUF: what its deferred unmaps owe */
	struct luf_slot *luf_slots;	/* luf=debug: pte slots unmapped owing a flush */
	struct vmsim_mm *next;		/* the machine's mms */
};

/* The per-machine mm state, hung off struct vmsim. */
struct vmsim_uffd_hooks;
/* The hugetlb pool of 2 MiB pages (struct hstate, mm/hugetlb.c). */
struct hstate {
	unsigned long nr_huge_pages, free_huge_pages, resv_huge_pages;
	struct vmsim_page *free_list;		/* hugepage_freelists */
};

/* THP state of the machine (mm/huge_memory.c). */
struct vmsim_thp {
	struct vmsim_page *huge_zero_folio;	/* allocated on first use */
	struct vmsim_page **deferred;		/* the deferred split queue */
	unsigned long nr_deferred, cap_deferred;
	unsigned long split_pmds, split_folios, collapsed;	/* thp_split_pmd ... events */
};

struct vmsim_dax_hooks;
struct vmsim_mm_world {
	struct vmsim_mm *mms;
	struct vmsim_file *files;
	struct vmsim_file *shmem_swaplist;		/* mm/filemap.c */
	int next_mm_id;
	const struct vmsim_uffd_hooks *uffd;		/* features/userfaultfd.c */
	const struct vmsim_dax_hooks *dax;		/* features/dax/ */
	struct vmsim_kind_registry kinds;		/* mm/kind.c */
	void (*check_after)(struct vmsim *vm);		/* check/mm_check.c */
	struct hstate hstate;				/* mm/hugetlb.c */
	struct vmsim_thp thp;				/* mm/huge_memory.c */
	struct lruvec lruvec;				/* mm/swap.c */
	struct tlbflush_unmap_batch tlb_ubc;		/* mm/rmap.c */
	struct swap_info_struct *swap_info[MAX_SWAPFILES];	/* mm/swapfile.c */
	long nr_swap_pages, total_swap_pages;
	struct vmsim_reclaim_stats rst;			/* mm/vmscan.c */
	struct vmsim_migration *migrations;		/* mm/migrate.c: unfinished */
	vmsim_oom_fn oom_fn;				/* mm/oom_kill.c */
	void *oom_arg;
	unsigned oom_pending;				/* victims to reap when safe */
	/* folio_lock() found the folio locked by someone who holds it across
	 * operations: let them finish (true if it is unlocked now). */
	bool (*folio_lock_wait)(struct vmsim *vm, struct vmsim_page *p);	/* features/device.c */
	struct vmsim_luf *luf;				/* mm/luf.c; NULL with luf=off */
};


/* pte_lockptr(): the split lock of the table holding ptep. */
static inline struct vmsim_lock *vmsim__pte_lockptr(struct vmsim *vm, pte_t *ptep)
{
	return &vmsim_slot_table(vm, ptep)->ptl;
}

/* FAULT_FLAG_* and VM_FAULT_* come from <vmsim/fault.h>. */


/* mmu_gather: pages are freed only after the TLB flush that follows their
 * unmapping (include/asm-generic/tlb.h's ordering rule). */
struct mmu_gather {
	struct vmsim_mm *mm;
	bool fullmm;
	bool freed_tables;
	bool cleared;
	/* What was cleared, for the flush stride (tlb_get_unmap_shift):
	 * PTEs flush page by page, only PMD leaves in 2 MiB strides. */
	bool cleared_ptes, cleared_pmds, cleared_puds;
	bool unshared_tables;		/* a shared PMD table was unhooked */
	uint64_t start, end;
	struct vmsim_page **pages;
	unsigned long nr, cap;
	/* Page-table pages free_pgtables() unlinked (tlb_remove_table()):
	 * freed after the flush, like pages. */
	struct vmsim_page **tables;
	unsigned long nr_tables, cap_tables;
};

static inline struct vmsim_mm_world *mm_world(struct vmsim *vm) { return vm->mm_world; }
static inline bool folio_test_anon(const struct vmsim_page *p) { return ((uintptr_t)p->mapping & 1) != 0; }
static inline struct anon_vma *folio_anon_vma(const struct vmsim_page *p)
{
	return folio_test_anon(p) ? (struct anon_vma *)((uintptr_t)p->mapping - 1) : NULL;
}
static inline struct vmsim_file *folio_file(const struct vmsim_page *p)
{
	return folio_test_anon(p) ? NULL : (struct vmsim_file *)p->mapping;
}
static inline uint64_t vma_address(const struct vm_area_struct *v, uint64_t pgoff)
{
	return v->vm_start + ((pgoff - v->vm_pgoff) << PAGE_SHIFT);
}
static inline bool vma_is_shmem(const struct vm_area_struct *v)
{
	return v->vm_file && v->vm_file->kind == VMSIM_FILE_SHMEM;
}
static inline bool vmsim__quirk(const struct vmsim *vm, uint64_t q) { return vm->cfg.quirks & q; }
static inline bool vmsim__vma_is_dax(const struct vm_area_struct *v)
{
	return v->vm_file && v->vm_file->kind == VMSIM_FILE_DAX;
}
/* folio_maybe_dma_pinned(): a small folio's pins ride on its refcount
 * (GUP_PIN_COUNTING_BIAS each), a large folio counts them apart. */
static inline bool vmsim__folio_maybe_dma_pinned(struct vmsim *vm, const struct vmsim_page *folio)
{
	if (vmsim_folio_test_large(folio))
		return vmsim__folio_meta(vm, folio)->pincount > 0;
	return folio->refcount >= 1024;
}

/* mmap_assert_locked(), mmap_assert_write_locked(): where Linux asserts
 * that the caller holds mmap_lock (lockdep's, so nothing with check=off). */
void vmsim__mmap_assert(struct vmsim_mm *mm, bool write, const char *func) VMSIM_COLD;
#define mmap_assert_locked(mm)								\
	do {										\
		struct vmsim_mm *vmsim__amm = (mm);					\
		if (__builtin_expect(vmsim__amm->vm->cfg.check != VMSIM_CHECK_OFF, 0))	\
			vmsim__mmap_assert(vmsim__amm, false, __func__);		\
	} while (0)
#define mmap_assert_write_locked(mm)							\
	do {										\
		struct vmsim_mm *vmsim__amm = (mm);					\
		if (__builtin_expect(vmsim__amm->vm->cfg.check != VMSIM_CHECK_OFF, 0))	\
			vmsim__mmap_assert(vmsim__amm, true, __func__);			\
	} while (0)

/* mmap_lock.c: mmap_lock's write side and the per-VMA lock.  The macros
 * keep the caller's name as the lock's site (lock-order reports). */
#define vmsim__mmap_write_lock(mm)							\
	do {										\
		struct vmsim_mm *vmsim__wmm = (mm);					\
		vmsim_lock(vmsim__wmm->vm, &vmsim__wmm->mmap_lock);			\
		vmsim__wmm->mm_lock_seq++;	/* mm_lock_seqcount_begin() */		\
	} while (0)
/* vma_end_write_all() comes first in Linux; here it is in the step of
 * the release (after its scheduling point), so that a lookup that sees
 * the marks gone depends on that step (the same object). */
#define vmsim__mmap_write_unlock(mm)							\
	do {										\
		struct vmsim_mm *vmsim__wmm = (mm);					\
		vmsim_unlock(vmsim__wmm->vm, &vmsim__wmm->mmap_lock);			\
		vmsim__wmm->mm_lock_seq++;	/* vma_end_write_all() */		\
	} while (0)
/* vma_start_write(): mark vma write-locked until mmap_write_unlock,
 * after its readers are gone.  The caller holds mmap_lock for write. */
void vmsim__vma_start_write_slow(struct vm_area_struct *vma, const char *site);
static inline bool vmsim__vma_write_locked(const struct vm_area_struct *vma)
{
	return vma->vm_lock_seq == vma->vm_mm->mm_lock_seq;
}
#define vmsim__vma_start_write(vma)							\
	do {										\
		struct vm_area_struct *vmsim__wv = (vma);				\
		if (!vmsim__vma_write_locked(vmsim__wv))				\
			vmsim__vma_start_write_slow(vmsim__wv, __func__);		\
	} while (0)
/* lock_vma_under_rcu(): the vma holding addr, read-locked, or NULL (no
 * vma there, or one being changed: take mmap_lock instead).  The walk
 * (mas_walk) and vma_start_read() are one step: the walk sees the list
 * as the last writer's step left it, so the vma found cannot be freed
 * before its count is taken. */
struct vm_area_struct *vmsim__find_vma_rcu(struct vmsim_mm *mm, uint64_t addr);
static inline struct vm_area_struct *vmsim__lock_vma_under_rcu(struct vmsim_mm *mm, uint64_t addr)
{
	struct vm_area_struct *vma;

	vmsim__sp(mm->vm, VMSIM_SP_VMA_READ, &mm->mmap_lock);
	vma = vmsim__find_vma_rcu(mm, addr);
	/* vma_start_read(): a vma a writer marked is not to be had. */
	if (!vma || vmsim__vma_write_locked(vma) ||
	    !vmsim__lock_read_here(mm->vm, &vma->vm_lock, "lock_vma_under_rcu"))
		return NULL;
	return vma;
}
#define vmsim__vma_end_read(vma) vmsim_unlock_read((vma)->vm_mm->vm, &(vma)->vm_lock)
/* Is any of mm's locks held: mmap_lock, or a vma's (a fault under it)? */
bool vmsim__mm_locked(const struct vmsim_mm *mm);
/* __vmf_anon_prepare(): an anon_vma for a fault's vma (mmap_lock tried
 * for read under the per-VMA lock): 0, VM_FAULT_OOM, or VM_FAULT_RETRY
 * with the fault's locks dropped. */
unsigned vmsim__vmf_anon_prepare_slow(struct vm_fault *vmf);
static inline unsigned vmsim__vmf_anon_prepare(struct vm_fault *vmf)
{
	return __builtin_expect(vmf->vma->anon_vma != NULL, 1) ? 0 : vmsim__vmf_anon_prepare_slow(vmf);
}

/* vma.c */
struct vm_area_struct *vmsim__find_vma(struct vmsim_mm *mm, uint64_t addr);
/* vmsim__find_vma_rcu() (above): the same without mmap_lock (an RCU
 * walk of the maple tree: a reader that checks what it found, or a
 * checker). */
struct vm_area_struct *vmsim__vma_alloc(struct vmsim_mm *mm);
void vmsim__vma_free(struct vmsim *vm, struct vm_area_struct *vma);
void vmsim__vma_link(struct vmsim_mm *mm, struct vm_area_struct *vma);
void vmsim__vma_unlink(struct vmsim_mm *mm, struct vm_area_struct *vma);
int vmsim__split_vma(struct vmsim_mm *mm, struct vm_area_struct *vma, uint64_t addr);
void vmsim__vma_try_merge(struct vmsim_mm *mm, struct vm_area_struct *vma);
pgprot_t vmsim__vm_get_page_prot(unsigned long vm_flags);
bool vmsim__range_has_hole(struct vmsim_mm *mm, uint64_t start, uint64_t end);
void vmsim__vma_set_page_prot(struct vm_area_struct *vma);
int vmsim__do_munmap(struct vmsim_mm *mm, uint64_t start, uint64_t end);
struct vmsim_uffd_unmap;
int vmsim__do_munmap_uf(struct vmsim_mm *mm, uint64_t start, uint64_t end, struct vmsim_uffd_unmap **uf);

/* rmap.c */
int vmsim__anon_vma_prepare(struct vm_area_struct *vma);
int vmsim__anon_vma_clone(struct vm_area_struct *dst, struct vm_area_struct *src);
int vmsim__anon_vma_fork(struct vm_area_struct *vma, struct vm_area_struct *pvma);
void vmsim__unlink_anon_vmas(struct vm_area_struct *vma);
void vmsim__get_anon_vma(struct anon_vma *av);
void vmsim__put_anon_vma(struct vmsim *vm, struct anon_vma *av);
/* Mappings of a small folio or of one page of a large folio by a PTE: rss
 * follows, except for dup (fork), whose caller counts the child. */
void vmsim__folio_add_new_anon_rmap(struct vm_area_struct *vma, struct vmsim_page *p, uint64_t addr);
void vmsim__folio_add_anon_rmap_ptes(struct vm_area_struct *vma, struct vmsim_page *page, unsigned long nr,
				     bool exclusive);
void vmsim__folio_add_file_rmap(struct vm_area_struct *vma, struct vmsim_page *p);
void vmsim__folio_dup_rmap(struct vm_area_struct *dst, struct vmsim_page *p);
void vmsim__folio_add_anon_rmap(struct vm_area_struct *vma, struct vmsim_page *p, uint64_t addr, bool exclusive);
void vmsim__folio_move_anon_rmap(struct vm_area_struct *vma, struct vmsim_page *p);
int vmsim__mm_counter(const struct vmsim_page *p);
void vmsim__folio_remove_rmap(struct vm_area_struct *vma, struct vmsim_page *p);
/* Mappings of a whole large folio by a PMD leaf (THP, DAX). */
void vmsim__folio_add_new_anon_rmap_pmd(struct vm_area_struct *vma, struct vmsim_page *folio, uint64_t haddr);
void vmsim__folio_add_file_rmap_pmd(struct vm_area_struct *vma, struct vmsim_page *folio);
void vmsim__folio_dup_rmap_pmd(struct vm_area_struct *dst, struct vmsim_page *folio);
void vmsim__folio_remove_rmap_pmd(struct vm_area_struct *vma, struct vmsim_page *folio);
/* hugetlb folios: whole mappings, in no rss counter. */
void vmsim__hugetlb_add_new_anon_rmap(struct vm_area_struct *vma, struct vmsim_page *folio, uint64_t haddr);
void vmsim__hugetlb_add_rmap(struct vm_area_struct *vma, struct vmsim_page *folio);
void vmsim__hugetlb_remove_rmap(struct vm_area_struct *vma, struct vmsim_page *folio);
/* folio_mapcount(), folio_precise_page_mapcount(), folio_maybe_mapped_shared() */
int vmsim__folio_mapcount(struct vmsim *vm, const struct vmsim_page *folio);
int vmsim__page_mapcount(struct vmsim *vm, struct vmsim_page *page);
bool vmsim__folio_maybe_mapped_shared(struct vmsim *vm, const struct vmsim_page *folio);
typedef bool (*rmap_one_fn)(struct vmsim_page *p, struct vm_area_struct *vma, uint64_t addr, pte_t *ptep, void *arg);
/* Visit every pte that maps p (ptep NULL: a PMD leaf maps its folio); the
 * callback returns false to stop. */
void vmsim__rmap_walk(struct vmsim *vm, struct vmsim_page *p, rmap_one_fn fn, void *arg);

/* filemap.c / shmem.c */
struct vmsim_page *vmsim__filemap_get(struct vmsim_file *f, uint64_t pgoff);
/* Add a folio (its reference becomes the page cache's): 0 or -ENOMEM;
 * remove one. */
int vmsim__filemap_add_folio(struct vmsim_file *f, uint64_t pgoff, struct vmsim_page *folio);
void vmsim__filemap_remove(struct vmsim_file *f, uint64_t pgoff);
/* hugetlbfs.c: a hugetlbfs file's operations (fs/hugetlbfs/inode.c). */
int vmsim__hugetlbfs_init(struct vmsim_file *f);
void vmsim__hugetlbfs_exit(struct vmsim_file *f);
long vmsim__hugetlbfs_read(struct vmsim_file *f, uint64_t off, void *buf, size_t len);
int vmsim__hugetlbfs_punch(struct vmsim_file *f, uint64_t off, uint64_t len);
int vmsim__hugetlbfs_truncate(struct vmsim_file *f, uint64_t size);
int vmsim__hugetlbfs_mmap(struct vm_area_struct *vma, uint64_t *len);
struct resv_map *vmsim__resv_map_alloc(struct vmsim *vm);
void vmsim__resv_map_put(struct vmsim *vm, struct resv_map *r);
/* The page at pgoff, read in (disk, with read-around) or allocated (shmem):
 * 0, or VM_FAULT_SIGBUS past EOF / VM_FAULT_OOM.  Takes a reference. */
#define VMSIM_FILEMAP_MMAP	0x1	/* a page fault (mmap readahead rules) */
#define VMSIM_FILEMAP_TRIED	0x2	/* FAULT_FLAG_TRIED: the retry after I/O */
unsigned vmsim__filemap_fault(struct vmsim_file *f, uint64_t pgoff, struct vmsim_page **out,
			      unsigned mode);
void vmsim__file_get(struct vmsim_file *f);
void vmsim__file_put(struct vmsim_file *f);
struct vmsim_file *vmsim__shmem_zero_setup(struct vmsim *vm, uint64_t size);
void vmsim__files_free_all(struct vmsim *vm);
void vmsim__folio_mark_dirty(struct vmsim_page *p);
/* vmsim_file_punch() without the checker after it (MADV_REMOVE, inside
 * madvise). */
int vmsim__file_punch(struct vmsim_file *f, uint64_t off, uint64_t len);
/* The folio lock (include/linux/pagemap.h).  PG_locked is the lock; the
 * lock model holds the page's lock word (its ptl: a folio is never a page
 * table) beside it, so it checks the folio lock's order and recursion and,
 * while tasks are interleaved, makes folio_lock() wait and folio_trylock()
 * a scheduling point.  A folio can stay locked past the operation that
 * locked it (a device between make_device_exclusive() and the end of its
 * atomic, a migration between its halves): handed off, the model's word
 * stays taken by no task.  folio_lock() of such a folio lets the holder
 * finish (folio_lock_wait hook), as Linux's sleeper waits for it; when
 * nothing can release it, -EDEADLK and a bug report (interleaved: it waits,
 * and a deadlock report names it); -EDEADLK too for a folio the caller
 * holds already. */
bool vmsim__folio_trylock_at(struct vmsim *vm, struct vmsim_page *p, const char *site);
int vmsim__folio_lock_at(struct vmsim *vm, struct vmsim_page *p, const char *site);
void vmsim__folio_unlock_at(struct vmsim *vm, struct vmsim_page *p, const char *site);
/* The operation ends with the folio still locked for a holder outside any
 * operation (a device): PG_locked stays, no task holds it; its
 * vmsim__folio_unlock() may come from anywhere. */
void vmsim__folio_lock_handoff_at(struct vmsim *vm, struct vmsim_page *p, const char *site);
/* A later operation takes such a folio up again (a migration's second
 * half): PG_locked is still set, the operation holds it once more. */
void vmsim__folio_lock_resume_at(struct vmsim *vm, struct vmsim_page *p, const char *site);
#define vmsim__folio_trylock(vm, p) vmsim__folio_trylock_at((vm), (p), __func__)
#define vmsim__folio_lock(vm, p) vmsim__folio_lock_at((vm), (p), __func__)
#define vmsim__folio_unlock(vm, p) vmsim__folio_unlock_at((vm), (p), __func__)
#define vmsim__folio_lock_handoff(vm, p) vmsim__folio_lock_handoff_at((vm), (p), __func__)
#define vmsim__folio_lock_resume(vm, p) vmsim__folio_lock_resume_at((vm), (p), __func__)
void vmsim__mm_set_folio_waiter(struct vmsim *vm, bool (*wait)(struct vmsim *vm, struct vmsim_page *p));
/* unmap_mapping_range(mapping, start, len, even_cows) */
void vmsim__unmap_mapping_range(struct vmsim_file *f, uint64_t pgstart, uint64_t pgend, bool even_cows);
/* unmap_mapping_range_tree(): the same, as d says, for a caller that holds
 * the file's i_mmap_rwsem already. */
void vmsim__unmap_mapping_range_tree(struct vmsim_file *f, uint64_t pgstart, uint64_t pgend, struct zap_details *d);
/* unmap_mapping_folio(folio): truncation's, markers dropped too */
void vmsim__unmap_mapping_folio(struct vmsim_file *f, struct vmsim_page *p);

/* memory.c */
unsigned vmsim__handle_mm_fault(struct vm_area_struct *vma, uint64_t addr, unsigned flags, int cpu);
struct vmsim_page *vmsim__vm_normal_page(struct vm_area_struct *vma, uint64_t addr, pte_t pte);
void vmsim__zap_page_range(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start,
			   uint64_t end, struct zap_details *details);
int vmsim__copy_page_range(struct vm_area_struct *dst, struct vm_area_struct *src);
pte_t *vmsim__pte_alloc(struct vmsim_mm *mm, uint64_t addr);
pte_t *vmsim__pte_lookup(struct vmsim_mm *mm, uint64_t addr);
pte_t *vmsim__pte_lookup_span(struct vmsim_mm *mm, uint64_t addr, uint64_t *next);
void vmsim__walk_span(struct vmsim_mm *mm, uint64_t addr, struct vmsim_walk *w, uint64_t *next);
pmd_t *vmsim__walk_pmd_entry(const struct vmsim_walk *w);
void vmsim__set_pte_at(struct vmsim_mm *mm, uint64_t addr, pte_t *ptep, pte_t pte);
pte_t vmsim__ptep_get_and_clear(struct vmsim_mm *mm, uint64_t addr, pte_t *ptep);
unsigned vmsim__populate(struct vmsim_mm *mm, uint64_t start, uint64_t end, bool write);
bool vmsim__follow_leaf(struct vmsim_mm *mm, uint64_t addr, pte_t *leaf, bool *huge, unsigned long *pfn);
void vmsim__free_pgtables(struct mmu_gather *tlb, uint64_t start, uint64_t end);
/* vmf_insert_page_mkwrite(): a filesystem maps page at vmf->address itself
 * (DAX); write makes it writable and dirty, or an entry already there for
 * the same page writable.  VM_FAULT_NOPAGE, or SIGBUS. */
unsigned vmsim__vmf_insert_page_mkwrite(struct vm_fault *vmf, struct vmsim_page *page, bool write);

/* pgtable_generic.c: the PMD level (mm/pgtable-generic.c, pmd helpers of
 * include/linux/pgtable.h and mm/memory.c). */
pmd_t *vmsim__pmd_lookup(struct vmsim_mm *mm, uint64_t addr);	/* mm_find_pmd() */
pmd_t *vmsim__pmd_alloc(struct vmsim_mm *mm, uint64_t addr);	/* pud_alloc + pmd_alloc */
pud_t *vmsim__pud_lookup(struct vmsim_mm *mm, uint64_t addr);
pud_t *vmsim__pud_alloc(struct vmsim_mm *mm, uint64_t addr);
pte_t *vmsim__pte_offset(struct vmsim_mm *mm, pmd_t *pmdp, uint64_t addr);	/* pte_offset_map() */
pte_t *vmsim__pte_alloc_at(struct vmsim_mm *mm, pmd_t *pmdp, uint64_t addr);	/* __pte_alloc() */
static inline struct vmsim_lock *vmsim__pmd_lockptr(struct vmsim *vm, pmd_t *pmdp)
{
	return &vmsim_slot_table(vm, pmdp)->ptl;
}
void vmsim__set_pmd_at(struct vmsim_mm *mm, uint64_t addr, pmd_t *pmdp, pmd_t pmd);
pmd_t vmsim__pmdp_huge_get_and_clear(struct vmsim_mm *mm, uint64_t addr, pmd_t *pmdp);
pmd_t vmsim__pmdp_huge_clear_flush(struct vm_area_struct *vma, uint64_t addr, pmd_t *pmdp);
pmd_t vmsim__pmdp_invalidate(struct vm_area_struct *vma, uint64_t addr, pmd_t *pmdp);
void vmsim__pmd_populate(struct vmsim_mm *mm, pmd_t *pmdp, struct vmsim_page *table, uint64_t addr);
void vmsim__pgtable_trans_huge_deposit(struct vmsim_mm *mm, pmd_t *pmdp, struct vmsim_page *table);
struct vmsim_page *vmsim__pgtable_trans_huge_withdraw(struct vmsim_mm *mm, pmd_t *pmdp);
void vmsim__zap_deposited_table(struct vmsim_mm *mm, pmd_t *pmdp);
/* flush_pmd_tlb_range(): 2 MiB strides. */
void vmsim__flush_pmd_tlb_range(struct vmsim_mm *mm, uint64_t start, uint64_t end);
/* A PMD leaf maps this folio head (pmd_page). */
static inline struct vmsim_page *vmsim__pmd_page(struct vmsim *vm, pmd_t pmd)
{
	return vmsim_pfn_to_page(vm, pmd_pfn(pmd));
}

void vmsim__zap_leave(struct vm_area_struct *vma, uint64_t addr, pte_t *ptep, const struct zap_details *d,
		      pte_t pteval);
unsigned vmsim__do_wp_page(struct vm_fault *vmf);
/* exit_mmap() without freeing the mm itself (exit, the OOM killer). */
void vmsim__exit_mmap(struct vmsim_mm *mm, bool free_tables, bool locked);

/* mmu_gather.c, tlb flush glue */
void tlb_gather_mmu(struct mmu_gather *tlb, struct vmsim_mm *mm, bool fullmm);
void tlb_remove_page(struct mmu_gather *tlb, struct vmsim_page *p);
void tlb_flush_pte_range(struct mmu_gather *tlb, uint64_t addr, uint64_t size);
void tlb_flush_pmd_range(struct mmu_gather *tlb, uint64_t addr, uint64_t size);
void tlb_flush_pud_range(struct mmu_gather *tlb, uint64_t addr, uint64_t size);
void tlb_flush_mmu(struct mmu_gather *tlb);
void tlb_finish_mmu(struct mmu_gather *tlb);
void vmsim__flush_tlb_range(struct vmsim_mm *mm, uint64_t start, uint64_t end);
void vmsim__flush_tlb_page(struct vmsim_mm *mm, uint64_t addr);
void vmsim__flush_tlb_mmu(struct vmsim_mm *mm, uint64_t start, uint64_t end, bool freed_tables);
void vmsim__flush_tlb_mm_stride(struct vmsim_mm *mm, uint64_t start, uint64_t end, unsigned shift,
				bool freed_tables);
/* A system call of this process starts: it runs on the process's CPU. */
void vmsim__mm_enter(struct vmsim_mm *mm);

/* huge_memory.c: PMD-sized THPs.  TVA flags as include/linux/huge_mm.h. */
#define VMSIM_TVA_SMAPS		(1u << 0)	/* /proc/PID/smaps THPeligible */
#define VMSIM_TVA_IN_PF		(1u << 1)	/* from a page fault */
#define VMSIM_TVA_ENFORCE_SYSFS	(1u << 2)	/* obey transparent_hugepage/enabled */
bool vmsim__thp_vma_suitable(const struct vm_area_struct *vma, uint64_t addr);
bool vmsim__thp_vma_allowable(const struct vm_area_struct *vma, unsigned long vm_flags, unsigned tva);
struct vmsim_page *vmsim__huge_zero_folio(struct vmsim *vm, bool alloc);
bool vmsim__is_huge_zero_pmd(struct vmsim *vm, pmd_t pmd);
void vmsim__thp_exit(struct vmsim *vm);
unsigned vmsim__do_huge_pmd_anonymous_page(struct vm_fault *vmf);
unsigned vmsim__do_huge_pmd_wp_page(struct vm_fault *vmf);
void vmsim__huge_pmd_set_accessed(struct vm_fault *vmf);
unsigned vmsim__vmf_insert_folio_pmd(struct vm_fault *vmf, struct vmsim_page *folio, bool write);
int vmsim__copy_huge_pmd(struct vm_area_struct *dst_vma, struct vm_area_struct *src_vma, pmd_t *dst_pmd,
			 pmd_t *src_pmd, uint64_t addr);
bool vmsim__zap_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmdp, uint64_t addr);
void vmsim__split_huge_pmd(struct vm_area_struct *vma, pmd_t *pmdp, uint64_t addr);
void vmsim__split_huge_pmd_address(struct vm_area_struct *vma, uint64_t addr);
void vmsim__vma_adjust_trans_huge(struct vm_area_struct *vma, uint64_t addr);
long vmsim__change_huge_pmd(struct mmu_gather *tlb, struct vm_area_struct *vma, pmd_t *pmdp, uint64_t addr,
			    unsigned long cp_flags);
bool vmsim__move_huge_pmd(struct vm_area_struct *vma, struct vm_area_struct *new_vma, uint64_t old_addr,
			  uint64_t new_addr, pmd_t *old_pmd, pmd_t *new_pmd);
void vmsim__deferred_split_folio(struct vmsim *vm, struct vmsim_page *folio, bool partially_mapped);
int vmsim__split_folio(struct vmsim *vm, struct vmsim_page *folio);
int vmsim__split_folio_to_list(struct vmsim *vm, struct vmsim_page *folio, struct vmsim_page **list);
unsigned long vmsim__deferred_split_scan(struct vmsim *vm);
/* khugepaged.c: MADV_COLLAPSE. */
int vmsim__madvise_collapse(struct vm_area_struct *vma, uint64_t start, uint64_t end);

/* gup.c */
int vmsim__get_user_page_write(struct vmsim_mm *mm, uint64_t addr, struct vm_area_struct **vmap,
			       struct vmsim_page **out);

/* device_exclusive.c: make_device_exclusive() (devx=6.15) or
 * make_device_exclusive_range() of one page (devx=6.14).  Caller holds
 * mmap_lock; on success the folio is locked and referenced. */
int vmsim__make_device_exclusive(struct vmsim_mm *mm, uint64_t addr, void *owner, struct vmsim_page **out);

/* mmu_notifier.c: the out-of-line halves; mm calls the inlines below,
 * which cost one test when nobody ever subscribed to the mm. */
void vmsim__mmu_notifier_invalidate_range_start(struct mmu_notifier_range *r);
void vmsim__mmu_notifier_invalidate_range_end(struct mmu_notifier_range *r);
void vmsim__mmu_notifier_arch_invalidate_secondary_tlbs(struct vmsim_mm *mm, uint64_t start, uint64_t end);
void vmsim__mmu_notifier_release(struct vmsim_mm *mm);
void vmsim__mmu_notifier_subscriptions_destroy(struct vmsim_mm *mm);

static inline bool mm_has_notifiers(const struct vmsim_mm *mm)
{
	return mm->notifier_subscriptions != NULL;
}
static inline void mmu_notifier_range_init_owner(struct mmu_notifier_range *r, enum mmu_notifier_event event,
						 unsigned flags, struct vmsim_mm *mm, uint64_t start,
						 uint64_t end, void *owner)
{
	*r = (struct mmu_notifier_range){ .mm = mm, .start = start, .end = end, .flags = flags,
					  .event = event, .owner = owner };
}
static inline void mmu_notifier_range_init(struct mmu_notifier_range *r, enum mmu_notifier_event event,
					   unsigned flags, struct vmsim_mm *mm, uint64_t start, uint64_t end)
{
	mmu_notifier_range_init_owner(r, event, flags, mm, start, end, NULL);
}
static inline void mmu_notifier_invalidate_range_start(struct mmu_notifier_range *r)
{
	if (mm_has_notifiers(r->mm)) {
		r->flags |= MMU_NOTIFIER_RANGE_BLOCKABLE;
		vmsim__mmu_notifier_invalidate_range_start(r);
	}
}
static inline void mmu_notifier_invalidate_range_end(struct mmu_notifier_range *r)
{
	if (mm_has_notifiers(r->mm))
		vmsim__mmu_notifier_invalidate_range_end(r);
}
static inline void mmu_notifier_arch_invalidate_secondary_tlbs(struct vmsim_mm *mm, uint64_t start, uint64_t end)
{
	if (mm_has_notifiers(mm))
		vmsim__mmu_notifier_arch_invalidate_secondary_tlbs(mm, start, end);
}
static inline void mmu_notifier_release(struct vmsim_mm *mm)
{
	if (mm_has_notifiers(mm))
		vmsim__mmu_notifier_release(mm);
}

/* mprotect.c */
/* can_change_pte_writable(): may this pte become writable without a write
 * fault (no COW, soft-dirty or uffd-wp tracking needs one)? */
bool vmsim__can_change_pte_writable(struct vm_area_struct *vma, uint64_t addr, pte_t pte);
/* change_protection(): ptes changed, or -ENOMEM when uffd-wp markers need a
 * page table that cannot be had (what was done before stays). */
long vmsim__change_protection(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start,
			      uint64_t end, unsigned long cp_flags);

/* userfaultfd, as mm calls it.  features/userfaultfd.c fills the table at
 * boot (the composition root); with none, no vma is ever registered. */
#define VM_UFFD_REASON_MISSING	VM_UFFD_MISSING
struct vmsim_uffd_unmap;
struct vmsim_uffd_fork;
struct vmsim_uffd_hooks {
	/* handle_userfault(): deliver the fault; VM_FAULT_RETRY or an error. */
	unsigned (*handle_userfault)(struct vm_fault *vmf, unsigned long reason);
	/* userfaultfd_wp_async(), userfaultfd_wp_use_markers() */
	bool (*wp_async)(const struct vm_area_struct *vma);
	bool (*wp_use_markers)(const struct vm_area_struct *vma);
	/* vma_has_uffd_without_event_remap() */
	bool (*without_event_remap)(const struct vm_area_struct *vma);
	/* mremap: the new vma keeps the old one's registration only with
	 * EVENT_REMAP (mremap_userfaultfd_prep), whose context then hears of
	 * the move (mremap_userfaultfd_complete). */
	void *(*remap_prep)(struct vm_area_struct *nv, const struct vm_area_struct *vma);
	void (*remap_complete)(void *ctx, uint64_t from, uint64_t to, uint64_t len);
	/* madvise DONTNEED/REMOVE: UFFD_EVENT_REMOVE first. */
	void (*remove)(struct vm_area_struct *vma, uint64_t start, uint64_t end);
	/* munmap: which contexts want UFFD_EVENT_UNMAP; then deliver it. */
	void (*unmap_prep)(struct vm_area_struct *vma, uint64_t start, uint64_t end,
			   struct vmsim_uffd_unmap **list);
	void (*unmap_complete)(struct vmsim *vm, struct vmsim_uffd_unmap *list);
	/* fork: the child vma keeps its registration only with EVENT_FORK. */
	int (*dup)(struct vm_area_struct *vma, struct vm_area_struct *pvma, struct vmsim_uffd_fork **list);
	void (*dup_complete)(struct vmsim *vm, struct vmsim_uffd_fork *list, struct vmsim_mm *child);
	void (*dup_fail)(struct vmsim *vm, struct vmsim_uffd_fork *list);
	void (*mm_exit)(struct vmsim_mm *mm);
};
void vmsim__mm_set_uffd_hooks(struct vmsim *vm, const struct vmsim_uffd_hooks *h);

static inline const struct vmsim_uffd_hooks *uffd_hooks(struct vmsim *vm)
{
	return vm->mm_world->uffd;
}
static inline unsigned vmsim__handle_userfault(struct vm_fault *vmf, unsigned long reason)
{
	const struct vmsim_uffd_hooks *h = uffd_hooks(vmf->vma->vm_mm->vm);

	return h ? h->handle_userfault(vmf, reason) : VM_FAULT_SIGBUS;
}
static inline bool vmsim__userfaultfd_wp_async(const struct vm_area_struct *vma)
{
	const struct vmsim_uffd_hooks *h = uffd_hooks(vma->vm_mm->vm);

	return h && h->wp_async(vma);
}
static inline bool vmsim__userfaultfd_wp_use_markers(const struct vm_area_struct *vma)
{
	const struct vmsim_uffd_hooks *h = uffd_hooks(vma->vm_mm->vm);

	return h && h->wp_use_markers(vma);
}
static inline bool vmsim__userfaultfd_without_event_remap(const struct vm_area_struct *vma)
{
	const struct vmsim_uffd_hooks *h = uffd_hooks(vma->vm_mm->vm);

	return h && h->without_event_remap(vma);
}
/* uffd_disable_fault_around(): a wp or minor handler must see every page. */
static inline bool vmsim__uffd_disable_fault_around(const struct vm_area_struct *vma)
{
	return vma->vm_flags & (VM_UFFD_WP | VM_UFFD_MINOR);
}
static inline void *vmsim__mremap_userfaultfd_prep(struct vm_area_struct *nv, const struct vm_area_struct *vma)
{
	const struct vmsim_uffd_hooks *h = uffd_hooks(vma->vm_mm->vm);

	if (h)
		return h->remap_prep(nv, vma);
	nv->uffd_ctx = NULL;
	nv->vm_flags &= ~__VM_UFFD_FLAGS;
	return NULL;
}
static inline void vmsim__mremap_userfaultfd_complete(struct vmsim *vm, void *ctx, uint64_t from, uint64_t to,
						      uint64_t len)
{
	if (ctx && uffd_hooks(vm))
		uffd_hooks(vm)->remap_complete(ctx, from, to, len);
}
static inline void vmsim__userfaultfd_remove(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	const struct vmsim_uffd_hooks *h = uffd_hooks(vma->vm_mm->vm);

	if (h)
		h->remove(vma, start, end);
}
static inline void vmsim__userfaultfd_unmap_prep(struct vm_area_struct *vma, uint64_t start, uint64_t end,
						 struct vmsim_uffd_unmap **list)
{
	const struct vmsim_uffd_hooks *h = uffd_hooks(vma->vm_mm->vm);

	if (h)
		h->unmap_prep(vma, start, end, list);
}
static inline void vmsim__userfaultfd_unmap_complete(struct vmsim *vm, struct vmsim_uffd_unmap *list)
{
	if (uffd_hooks(vm))
		uffd_hooks(vm)->unmap_complete(vm, list);
}
static inline int vmsim__dup_userfaultfd(struct vm_area_struct *vma, struct vm_area_struct *pvma,
					 struct vmsim_uffd_fork **list)
{
	const struct vmsim_uffd_hooks *h = uffd_hooks(vma->vm_mm->vm);

	return h ? h->dup(vma, pvma, list) : 0;
}
static inline void vmsim__dup_userfaultfd_complete(struct vmsim *vm, struct vmsim_uffd_fork *list,
						   struct vmsim_mm *child)
{
	if (uffd_hooks(vm))
		uffd_hooks(vm)->dup_complete(vm, list, child);
}
static inline void vmsim__dup_userfaultfd_fail(struct vmsim *vm, struct vmsim_uffd_fork *list)
{
	if (uffd_hooks(vm))
		uffd_hooks(vm)->dup_fail(vm, list);
}
static inline void vmsim__userfaultfd_mm_exit(struct vmsim_mm *mm)
{
	if (uffd_hooks(mm->vm))
		uffd_hooks(mm->vm)->mm_exit(mm);
}
/* kind.c: the registry (built-in kinds join it at boot, kinds/builtin.c)
 * and the dispatch at every place mm meets an entry of some kind. */
int vmsim__kind_register_builtin(struct vmsim *vm, const struct vmsim_kind_ops *ops);
void vmsim__kinds_reset(struct vmsim *vm);
struct vmsim_kind *vmsim__kind_of(struct vmsim *vm, pte_t pte);
unsigned vmsim__kind_fault(struct vm_fault *vmf);
unsigned vmsim__kind_wp_fault(struct vm_fault *vmf);
pte_t vmsim__kind_inherit(const struct vm_fault *vmf, pte_t pte);
bool vmsim__kind_needs_copy(struct vm_area_struct *dst, struct vm_area_struct *src);
void vmsim__kind_note_no_copy(struct vm_area_struct *src);
pte_t vmsim__kind_bits_copy(struct vm_area_struct *dst, struct vm_area_struct *src, pte_t old, pte_t child);
int vmsim__kind_copy(struct vm_area_struct *dst, struct vm_area_struct *src, uint64_t addr, pte_t *src_ptep,
		     pte_t *child);
bool vmsim__kind_zap(struct vm_area_struct *vma, uint64_t addr, pte_t pte, const struct zap_details *d);
pte_t vmsim__kind_zap_leave(struct vm_area_struct *vma, pte_t pteval, const struct zap_details *d);
pte_t vmsim__kind_change_prot(struct vm_area_struct *vma, uint64_t addr, pte_t pte, unsigned long cp_flags);
bool vmsim__kind_populate_needed(struct vm_area_struct *vma, unsigned long cp_flags);
bool vmsim__kind_may_write(struct vm_area_struct *vma, pte_t pte);
pte_t vmsim__kind_move(struct vm_area_struct *old_vma, struct vm_area_struct *new_vma, uint64_t addr, pte_t pte);
bool vmsim__kind_guard_remove(struct vmsim *vm, uint64_t addr, pte_t pte);
uint64_t vmsim__kind_pagemap(struct vm_area_struct *vma, uint64_t addr, pte_t pte);
pte_t vmsim__kind_clear_soft_dirty(struct vm_area_struct *vma, uint64_t addr, pte_t pte);
/* The same questions about a PMD leaf (THP, DAX, hugetlb): the software
 * bits sit where they sit in a pte, so the bit hooks answer for both. */
pmd_t vmsim__kind_pmd_bits_copy(struct vm_area_struct *dst, struct vm_area_struct *src, pmd_t old, pmd_t child);
pte_t vmsim__kind_pmd_split_bits(struct vm_area_struct *vma, pmd_t pmd, pte_t pte);
pmd_t vmsim__kind_pmd_change_prot(struct vm_area_struct *vma, pmd_t pmd, unsigned long cp_flags);
pmd_t vmsim__kind_pmd_move(struct vm_area_struct *old_vma, struct vm_area_struct *new_vma, uint64_t addr, pmd_t pmd);
unsigned vmsim__kind_pmd_wp_fault(struct vm_fault *vmf);
bool vmsim__kind_blocks_collapse(struct vmsim *vm, pte_t pte);
uint64_t vmsim__kind_pmd_pagemap(struct vm_area_struct *vma, uint64_t addr, pmd_t pmd);
void vmsim__kind_note_vma(struct vm_area_struct *vma, pte_t pte);
void vmsim__kind_hold(struct vm_area_struct *vma, pte_t pte, struct vmsim_kind_hold *h);
int vmsim__kind_unmap_entry(struct vm_area_struct *vma, uint64_t addr, const char *name, pte_t pteval,
			    struct vmsim_page *page, bool anon_exclusive, pte_t *out);
int vmsim__kind_remap(struct vm_area_struct *vma, uint64_t addr, pte_t entry, struct vmsim_page *page, pte_t *out,
		      bool *exclusive);
int vmsim__kind_unuse(struct vm_area_struct *vma, uint64_t addr, pte_t pte, int type);
/* The entry of kind name that replaces the present pte (ops->from_present):
 * 0, -ENOENT (no such kind), -EOPNOTSUPP (it has no such hook), or the
 * hook's errno. */
int vmsim__kind_from_present(struct vm_area_struct *vma, const char *name, uint64_t addr, pte_t pte, pte_t *out);
/* The frame a non-present entry names when its kind holds something on it,
 * and what (*holds: VMSIM_KIND_HOLDS_MAPCOUNT | _HOLDS_REF | _COUNTS_RSS);
 * NULL otherwise. */
struct vmsim_page *vmsim__kind_entry_page(struct vmsim *vm, pte_t pte, unsigned *holds);
/* kind_install.c: the guard kind's name, which MADV_GUARD_* act on. */
#define VMSIM_KIND_GUARD_NAME	"guard"
/* device_exclusive.c: the kind make_device_exclusive() installs. */
#define VMSIM_KIND_DEVICE_EXCLUSIVE_NAME	"device_exclusive"
int vmsim__kind_make(struct vm_area_struct *vma, uint64_t addr, const char *name, const char *args, pte_t *out);
int vmsim__kind_install_range(struct vm_area_struct *vma, uint64_t start, uint64_t end, const char *name,
			      const char *args);

/* The page fault paths memory.c shares with the uffd-wp marker kind. */
unsigned vmsim__do_pte_missing(struct vm_fault *vmf);

/* hugetlb.c: hugetlbfs files and their vmas (mm/hugetlb.c). */
int vmsim__hugetlb_init(struct vmsim *vm);
void vmsim__hugetlb_exit(struct vmsim *vm);
int vmsim__hugetlb_reserve_pages(struct vm_area_struct *vma, uint64_t from, uint64_t to);
void vmsim__hugetlb_vm_open(struct vm_area_struct *vma, bool dup);
void vmsim__hugetlb_vm_close(struct vm_area_struct *vma);
void vmsim__hugetlb_unreserve_pages(struct vmsim_file *f, uint64_t start, uint64_t end, long freed);
bool vmsim__want_pmd_share(const struct vm_area_struct *vma, uint64_t addr);
uint64_t vmsim__page_table_shareable(const struct vm_area_struct *svma, const struct vm_area_struct *vma,
				     uint64_t addr, uint64_t idx);
bool vmsim__huge_pmd_unshare(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t addr, pmd_t *pmdp);
/* The trace line of a PMD table shared, unshared or refused (hugetlb and
 * FS-DAX sharing alike). */
void vmsim__trace_pmd_share(struct vmsim_mm *mm, uint64_t addr, struct vmsim_page *table, const char *why);
void vmsim__adjust_range_if_pmd_sharing_possible(const struct vm_area_struct *vma, uint64_t *start,
						 uint64_t *end);
void vmsim__hugetlb_unshare_all_pmds(struct vm_area_struct *vma);
unsigned vmsim__hugetlb_no_page(struct vm_fault *vmf);
void vmsim__hugetlb_unmap_ref_private(struct vm_area_struct *vma, struct vmsim_page *folio, uint64_t addr);
unsigned vmsim__hugetlb_fault(struct vm_fault *vmf);
int vmsim__hugetlb_mfill_atomic_pte(struct vm_area_struct *vma, uint64_t addr, const unsigned char *src,
				    int byte, bool is_continue, bool wp);
int vmsim__hugetlb_install_entry(struct vm_area_struct *vma, uint64_t addr, pte_t entry);
void vmsim__unmap_hugepage_range(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start,
				 uint64_t end, struct zap_details *d);
void vmsim__hugetlb_vmdelete_list(struct vmsim_file *f, uint64_t pgstart, uint64_t pgend, struct zap_details *d);
void vmsim__hugetlb_zap_begin(struct vm_area_struct *vma, uint64_t *start, uint64_t *end);
void vmsim__hugetlb_zap_end(struct vm_area_struct *vma, const struct zap_details *d);
int vmsim__copy_hugetlb_page_range(struct vm_area_struct *dst, struct vm_area_struct *src);
int vmsim__hugetlb_split(struct vm_area_struct *vma, uint64_t addr);
uint64_t vmsim__pagemap_hugetlb(struct vm_area_struct *vma, uint64_t addr);
uint64_t vmsim__move_hugetlb_page_tables(struct vm_area_struct *ov, struct vm_area_struct *nv, uint64_t old,
				    uint64_t new, uint64_t len);
long vmsim__hugetlb_change_protection(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t start,
				      uint64_t end, unsigned long cp_flags);

/* DAX files, as mm calls the feature (features/dax/ registers the table
 * at boot, as a filesystem's dax vm_operations).  With none registered a
 * DAX file cannot be created. */
struct vmsim_dax_hooks {
	/* The filesystem's inode: its blocks on the persistent memory for
	 * a new file of f->i_size bytes (0 or -ENOSPC), and their release. */
	int (*file_new)(struct vmsim_file *f);
	void (*file_free)(struct vmsim_file *f);
	/* ->huge_fault(vmf, order) / ->fault / ->page_mkwrite:
	 * dax_iomap_fault(); order 0 or HPAGE_PMD_ORDER; called with no
	 * page-table lock held.  VM_FAULT_* (FALLBACK: try PTEs). */
	unsigned (*fault)(struct vm_fault *vmf, unsigned order);
	/* read()/write() (dax_iomap_rw), hole punch, truncate, fsync
	 * (dax_writeback_mapping_range). */
	long (*rw)(struct vmsim_file *f, uint64_t off, void *buf, size_t len, bool write);
	int (*punch)(struct vmsim_file *f, uint64_t off, uint64_t len);
	int (*truncate)(struct vmsim_file *f, uint64_t size);
	int (*fsync)(struct vmsim_file *f);
	/* FS-DAX PMD sharing (machine dax_pmd_share=on): the PMD slot for a
	 * fault, sharing another process's table when allowed; unsharing one
	 * table (as huge_pmd_unshare) or every shared table of a range. */
	pmd_t *(*pmd_alloc)(struct vm_fault *vmf);
	bool (*pmd_unshare)(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t addr, pmd_t *pmdp);
	void (*unshare_range)(struct vm_area_struct *vma, uint64_t start, uint64_t end);
};
void vmsim__mm_set_dax_hooks(struct vmsim *vm, const struct vmsim_dax_hooks *h);
static inline const struct vmsim_dax_hooks *dax_hooks(struct vmsim *vm)
{
	return vm->mm_world->dax;
}
static inline unsigned vmsim__dax_fault(struct vm_fault *vmf, unsigned order)
{
	const struct vmsim_dax_hooks *h = dax_hooks(vmf->vma->vm_mm->vm);

	return h ? h->fault(vmf, order) : VM_FAULT_SIGBUS;
}
/* Before a range of a DAX vma changes (mprotect, mremap, a split), its
 * shared PMD tables are let go. */
static inline void vmsim__dax_unshare_range(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	const struct vmsim_dax_hooks *h = dax_hooks(vma->vm_mm->vm);

	if (h && vma->vm_mm->vm->cfg.dax_pmd_share && vmsim__vma_is_dax(vma))
		h->unshare_range(vma, start, end);
}
/* FS-DAX PMD sharing's vma lock, as hugetlb's (vm_private_data): a shared
 * DAX vma has one from mmap, fork, split or mremap on, and only a vma that
 * has one lends its PMD tables (page_table_shareable()).  The zap of
 * munmap and exit takes it away (__hugetlb_zap_end()): between that zap
 * and the vma leaving i_mmap, a fault in another process must not pick up
 * the (emptied) table the vma is about to free. */
extern const char vmsim__dax_vma_lock_token;
static inline void vmsim__dax_vma_open(struct vm_area_struct *v)
{
	if (vmsim__vma_is_dax(v) && (v->vm_flags & VM_MAYSHARE))
		v->vm_private_data = (void *)&vmsim__dax_vma_lock_token;
}
static inline bool vmsim__dax_vma_lock(const struct vm_area_struct *v)
{
	return v->vm_private_data == &vmsim__dax_vma_lock_token;
}
/* May a zap of this DAX vma find a shared PMD table?  Then it holds the
 * file's i_mmap_rwsem for write, as hugetlb's does (huge_pmd_unshare()'s
 * rule) -- but not with quirk pmd_share_no_i_mmap_lock, the RFC's path. */
static inline bool vmsim__dax_zap_may_unshare(const struct vm_area_struct *vma)
{
	const struct vmsim *vm = vma->vm_mm->vm;

	return vm->cfg.dax_pmd_share && (vma->vm_flags & VM_MAYSHARE) && vmsim__vma_is_dax(vma) &&
	       !vmsim__quirk(vm, VMSIM_QUIRK_PMD_SHARE_NO_I_MMAP_LOCK);
}
/* hugetlb_zap_begin(), hugetlb_zap_end() around a zap of one vma
 * (unmap_vmas(), zap_page_range_single()), and their FS-DAX twin: a vma
 * whose PMD tables may be shared holds i_mmap_rwsem for write across the
 * zap, and its notifier and flush range [*start, *end) covers whole PUD
 * ranges.  Not from unmap_mapping_range(), which holds i_mmap_rwsem for
 * read: hugetlbfs and a DAX file that may share walk i_mmap themselves. */
static inline void vmsim__zap_begin(struct vm_area_struct *vma, uint64_t *start, uint64_t *end)
{
	if (__builtin_expect(!vma->vm_file, 1))
		return;
	if (is_vm_hugetlb_page(vma)) {
		vmsim__hugetlb_zap_begin(vma, start, end);
	} else if (vmsim__dax_zap_may_unshare(vma)) {
		vmsim__adjust_range_if_pmd_sharing_possible(vma, start, end);
		vmsim_lock(vma->vm_mm->vm, &vma->vm_file->i_mmap_rwsem);
	}
}
static inline void vmsim__zap_end(struct vm_area_struct *vma, const struct zap_details *d)
{
	if (__builtin_expect(!vma->vm_file, 1))
		return;
	if (is_vm_hugetlb_page(vma)) {
		vmsim__hugetlb_zap_end(vma, d);
	} else if (vmsim__dax_zap_may_unshare(vma)) {
		if (d && (d->zap_flags & ZAP_FLAG_UNMAP))
			vma->vm_private_data = NULL;
		vmsim_unlock(vma->vm_mm->vm, &vma->vm_file->i_mmap_rwsem);
	}
}

/* ---- memory pressure ---- */

/* The kinds mm asks by name to build their entries (in kinds/). */
#define VMSIM_KIND_SWAP_NAME		"swap"
#define VMSIM_KIND_MIGRATION_NAME	"migration"
#define VMSIM_KIND_HWPOISON_NAME	"hwpoison"

static inline bool vmsim__mm_dead(const struct vmsim_mm *mm)
{
	return mm->flags & MMF_OOM_VICTIM;
}

/* swap.c: the LRU lists and mlock */
bool vmsim__folio_is_file_lru(const struct vmsim_page *p);
void vmsim__folio_add_lru(struct vmsim *vm, struct vmsim_page *p);
void vmsim__folio_add_lru_vma(struct vm_area_struct *vma, struct vmsim_page *p);
bool vmsim__folio_isolate_lru(struct vmsim *vm, struct vmsim_page *p);
void vmsim__folio_putback_lru(struct vmsim *vm, struct vmsim_page *p);
void vmsim__folio_mark_accessed(struct vmsim *vm, struct vmsim_page *p);
void vmsim__folio_deactivate(struct vmsim *vm, struct vmsim_page *p);
void vmsim__folio_rotate_reclaimable(struct vmsim *vm, struct vmsim_page *p);
void vmsim__mlock_vma_folio(struct vm_area_struct *vma, struct vmsim_page *p);
void vmsim__munlock_vma_folio(struct vm_area_struct *vma, struct vmsim_page *p);
void vmsim__folio_release(struct vmsim *vm, struct vmsim_page *p);
struct vmsim_page *vmsim__lru_tail(struct vmsim *vm, enum lru_list l);
unsigned long vmsim__lru_size(struct vmsim *vm, enum lru_list l);

/* swapfile.c: devices and slots */
struct swap_info_struct *vmsim__swap_info(struct vmsim *vm, swp_entry_t entry);
swp_entry_t vmsim__folio_alloc_swap(struct vmsim *vm);
int vmsim__swap_duplicate(struct vmsim *vm, swp_entry_t entry);
void vmsim__swap_shmem_alloc(struct vmsim *vm, swp_entry_t entry);
void vmsim__swap_free(struct vmsim *vm, swp_entry_t entry);
void vmsim__free_swap_and_cache(struct vmsim *vm, swp_entry_t entry);
unsigned vmsim__swap_count(struct vmsim *vm, swp_entry_t entry);
bool vmsim__vm_swap_full(struct vmsim *vm);
bool vmsim__swap_enabled(struct vmsim *vm);
struct vmsim_page *vmsim__swap_slot_cache(struct vmsim *vm, swp_entry_t entry);
int vmsim__swap_slot_set_cache(struct vmsim *vm, swp_entry_t entry, struct vmsim_page *p);
void vmsim__swap_slot_clear_cache(struct vmsim *vm, swp_entry_t entry);
int vmsim__swap_write(struct vmsim *vm, swp_entry_t entry, struct vmsim_page *p);
void vmsim__swap_read(struct vmsim *vm, swp_entry_t entry, struct vmsim_page *p);
void vmsim__swap_peek(struct vmsim *vm, swp_entry_t entry, unsigned char *buf);
void vmsim__swap_exit(struct vmsim *vm);
void vmsim__swap_for_each_slot(struct vmsim *vm, void (*fn)(void *arg, swp_entry_t e, unsigned count,
							    bool has_cache, struct vmsim_page *cache),
			       void *arg);
/* swapoff's walks (try_to_unuse): every process (kinds' unuse hooks),
 * every shmem file. */
int vmsim__unuse_mms(struct vmsim *vm, int type);
int vmsim__shmem_unuse(struct vmsim *vm, int type);

/* swap_state.c: the swap cache and swap-in */
int vmsim__add_to_swap_cache(struct vmsim *vm, struct vmsim_page *p, swp_entry_t entry);
void vmsim__delete_from_swap_cache(struct vmsim *vm, struct vmsim_page *p);
swp_entry_t vmsim__folio_swap(const struct vmsim_page *p);
bool vmsim__add_to_swap(struct vmsim *vm, struct vmsim_page *p);
bool vmsim__folio_free_swap(struct vmsim *vm, struct vmsim_page *p);
struct vmsim_page *vmsim__swap_cache_get_folio(struct vmsim *vm, swp_entry_t entry, struct vm_area_struct *vma,
					      uint64_t addr);
struct vmsim_page *vmsim__read_swap_cache_async(struct vmsim *vm, swp_entry_t entry, bool *new);
struct vmsim_page *vmsim__swapin_readahead(struct vm_fault *vmf, swp_entry_t entry);

/* unmap.c: rmap walks that change mappings, reclaim's TLB batch */
#define RMAP_WALK_ENTRIES	0x1	/* match non-present entries naming the folio */
#define RMAP_WALK_NOTIFY_CLEAR	0x2	/* MMU_NOTIFY_CLEAR around each vma's visit, as
					 * try_to_unmap_one()/try_to_migrate_one() */
#define RMAP_WALK_MKCLEAN	0x4	/* folio_mkclean(): shared vmas only
					 * (invalid_mkclean_vma), each visit inside
					 * MMU_NOTIFY_PROTECTION_PAGE, as
					 * page_vma_mkclean_one() */
void vmsim__rmap_walk_locked(struct vmsim *vm, struct vmsim_page *p, unsigned flags, rmap_one_fn fn, void *arg);
#define TTU_IGNORE_MLOCK	0x8
#define TTU_HWPOISON		0x20
#define TTU_BATCH_FLUSH		0x40
bool vmsim__try_to_unmap(struct vmsim *vm, struct vmsim_page *p, unsigned flags);
bool vmsim__try_to_migrate(struct vmsim *vm, struct vmsim_page *p, unsigned flags, bool *can_luf);
void vmsim__remove_migration_ptes(struct vmsim *vm, struct vmsim_page *src, struct vmsim_page *dst);
int vmsim__folio_referenced(struct vmsim *vm, struct vmsim_page *p, unsigned long *vm_flags);
int vmsim__folio_mkclean(struct vmsim *vm, struct vmsim_page *p);
void vmsim__try_to_unmap_flush(struct vmsim *vm);
void vmsim__try_to_unmap_flush_dirty(struct vmsim *vm);
void vmsim__flush_tlb_batched_pending(struct vmsim_mm *mm);

/* vmscan.c */
unsigned long vmsim__reclaim_pages(struct vmsim *vm, struct vmsim_page **list);
bool vmsim__alloc_slowpath(struct vmsim *vm, unsigned order);
/* __remove_mapping(): an isolated, unmapped, clean folio leaves the page
 * or swap cache (the isolation reference stays).  False if it cannot. */
bool vmsim__remove_mapping(struct vmsim *vm, struct vmsim_page *p);

/* oom_kill.c */
bool vmsim__out_of_memory(struct vmsim *vm);
/* mm.c: mm_pgtables_bytes() in pages (VmPTE, and oom_badness's share). */
unsigned long vmsim__mm_pgtables(const struct vmsim_mm *mm);
void vmsim__oom_reap_pending(struct vmsim *vm);

/* migrate.c */
void vmsim__migration_entry_wait(struct vm_fault *vmf, struct vmsim_page *p);
void vmsim__migrations_exit(struct vmsim *vm);

/* memory-failure.c */
void vmsim__hwpoison_exit(struct vmsim *vm);

/* filemap.c: shmem swap, writeback */
bool vmsim__filemap_replace_folio(struct vmsim_page *old, struct vmsim_page *new);
bool vmsim__filemap_has_entry(struct vmsim_file *f, uint64_t pgoff);
int vmsim__shmem_get_noalloc(struct vmsim_file *f, uint64_t pgoff, struct vmsim_page **out);
void vmsim__shmem_swapin_range(struct vmsim_file *f, uint64_t start, uint64_t end);
void vmsim__pagecache_for_each_swap(struct vmsim *vm, void (*fn)(void *arg, swp_entry_t e), void *arg);
/* For smaps: Swap of a shmem mapping is its file's swapped-out pages in
 * the mapped range; for other entries vmsim__kind_hold() says (a swap
 * reference: Swap, and SwapPss by vmsim__swap_count(); a pfn: the page). */
unsigned long vmsim__shmem_swapped_range(struct vmsim_file *f, uint64_t pgstart, uint64_t pgend);
int vmsim__shmem_writeout(struct vmsim *vm, struct vmsim_page *p);
void vmsim__wakeup_flusher(struct vmsim *vm);
bool vmsim__filemap_remove_folio(struct vmsim_page *p);
struct vmsim_page *vmsim__file_peek(struct vmsim_file *f, uint64_t pgoff, unsigned char *buf);

/* luf.c: lazy unmap flush (v12), NULL-cheap when luf=off. */
int vmsim__luf_init(struct vmsim *vm);
void vmsim__luf_exit(struct vmsim *vm);
static inline struct vmsim_luf *vmsim__luf(const struct vmsim *vm)
{
	return vm->mm_world->luf;
}
/* try_to_unmap()/try_to_migrate() of folio p starts: may LUF defer it? */
void vmsim__can_luf_init(struct vmsim *vm, struct vmsim_page *p);
void vmsim__can_luf_fail(struct vmsim *vm);
/* set_tlb_ubc_flush_pending()'s choice: the batch a deferred flush of
 * pteval goes to (the read-only one while the folio may be LUF'd, which
 * also makes the mm and the file owe it). */
struct tlbflush_unmap_batch *vmsim__luf_pending_batch(struct vm_area_struct *vma, uint64_t addr, pte_t pteval,
						      struct vmsim_page *p);
/* The walk is over: the folio's read-only batch joins the LUF batch (true)
 * or the ordinary one (false). */
bool vmsim__luf_unmap_done(struct vmsim *vm);
/* fold_unmap_luf(): the LUF batch becomes a key the freed folios carry
 * (0: nothing is owed).  Call before vmsim__try_to_unmap_flush(). */
uint32_t vmsim__fold_unmap_luf(struct vmsim *vm);
/* try_to_unmap_flush()'s LUF part: the read-only and LUF batches are
 * flushed with it; a generation before, ugen_done after. */
void vmsim__luf_fold_into(struct vmsim *vm, struct tlbflush_unmap_batch *b);
uint64_t vmsim__luf_flush_start(struct vmsim *vm);
void vmsim__luf_flush_end(struct vmsim *vm, uint64_t mask, const struct vmsim_mm_context *ctx, uint64_t ugen);
/* flush_tlb_batched_pending() flushed mm at ugen (arch_mm_mark_ugen()). */
void vmsim__luf_batched_pending_done(struct vmsim_mm *mm, uint64_t ugen);
/* A folio reclaim or migration freed: with the key its unmap owes, or,
 * when a reference remains (the page is not freed now), the flush is paid
 * at once (the lazyfree point). */
void vmsim__luf_put_folio(struct vmsim *vm, struct vmsim_page *p, uint32_t key);
/* The flush points. */
void vmsim__luf_flush_key(struct vmsim *vm, uint32_t key, enum vmsim_luf_point point);
void vmsim__luf_flush_mm(struct vmsim_mm *mm, enum vmsim_luf_point point);
void vmsim__luf_flush_mapping(struct vmsim_file *f, enum vmsim_luf_point point);
void vmsim__luf_flush_vma(struct vm_area_struct *vma, enum vmsim_luf_point point);
/* handle_mm_fault()'s point: before the fault with luf=debug (v12's
 * CONFIG_LUF_DEBUG), after it otherwise. */
void vmsim__luf_fault(struct vm_area_struct *vma, unsigned flags, bool before);
/* luf=debug: Dave Hansen's two rules.  A pte slot unmapped owing a flush
 * gets a present pte; a page-cache slot vacated owing one gets a page. */
void vmsim__luf_check_pte(struct vmsim_mm *mm, uint64_t addr, pte_t pte);
void vmsim__luf_check_cache(struct vmsim_file *f, uint64_t pgoff, const char *what);
/* A folio the current walk LUF'd leaves its page-cache slot (reclaim), or
 * is replaced in it (migration: checked at once). */
void vmsim__luf_cache_vacated(struct vmsim *vm, struct vmsim_file *f, uint64_t pgoff);
void vmsim__luf_cache_replaced(struct vmsim *vm, struct vmsim_file *f, uint64_t pgoff);
void vmsim__luf_mm_exit(struct vmsim_mm *mm);
void vmsim__luf_file_exit(struct vmsim_file *f);
/* The stale-read detector's view of a deferred unmap (check/luf_check.c). */
struct vmsim_luf_rec {
	struct vmsim_mm *mm;
	uint64_t va;
	unsigned long pfn;		/* the frame the deferred translation names */
	struct vmsim_file *file;	/* its page-cache home (a reference), or NULL */
	void *mapping;			/* anon_vma|1 or the file, at the unmap */
	uint64_t index;
	uint64_t ugen;			/* the generation the flush must reach */
	uint64_t step;			/* when it was unmapped */
	bool realloc;			/* the frame left the allocator since */
	uint64_t reported;		/* CPUs already reported */
};
struct vmsim_luf_rec *vmsim__luf_rec(struct vmsim *vm, uint32_t id);
void vmsim__luf_note_hit(struct vmsim *vm, bool stale);
void vmsim__luf_trace(struct vmsim *vm, const char *what, enum vmsim_luf_point point, const struct vmsim_mm *mm,
		      uint64_t addr, unsigned long pfn, uint64_t ugen, uint64_t cpumask);

/* The checker, as mm calls it at the end of every public operation
 * (check/mm_check.c registers it at boot). */
void vmsim__mm_set_checker(struct vmsim *vm, void (*after)(struct vmsim *vm));
static inline void vmsim__mm_op_done(struct vmsim *vm)
{
	vm->step++;
	if (vm->mm_world->oom_pending)
		vmsim__oom_reap_pending(vm);
	if (vm->mm_world->check_after)
		vm->mm_world->check_after(vm);
}

#endif /* VMSIM_MM_INTERNAL_H */
