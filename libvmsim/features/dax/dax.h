/* What the files of features/dax/ share: the persistent-memory region, a
 * DAX inode (its blocks and its index of DAX entries), and the PMD sharing
 * entry points. */
#ifndef VMSIM_FEATURES_DAX_H
#define VMSIM_FEATURES_DAX_H

#include <uthash.h>

#include "../../mm/mm_internal.h"

#define PG_PMD_COLOUR	(HPAGE_PMD_NR - 1)

/* One entry of a DAX file's index (the xarray of fs/dax.c): a PTE entry
 * covers one page, a PMD entry 512 from a 512-aligned index.  An empty
 * entry holds a place while a fault works (grab_mapping_entry) and stays
 * behind, as Linux's do; a zero entry stands for a hole mapped read-only
 * to the (huge) zero page. */
struct dax_entry {
	uint64_t index;		/* the key: first page it covers */
	unsigned long pfn;	/* first frame; 0 for empty and zero entries */
	bool pmd, zero, empty;
	bool dirty;		/* PAGECACHE_TAG_DIRTY: written since the last fsync */
	bool locked;		/* DAX_LOCKED: a fault or writeback works on it
				 * (holding the file's entry_lock) */
	UT_hash_handle hh;
};

/* The filesystem's view of a DAX file. */
struct dax_inode {
	unsigned long *blocks;	/* frame of each file page, 0 for a hole */
	uint64_t nr_blocks;	/* pages the arrays cover (i_size rounded up to 2M) */
	uint16_t *chunk_ptes;	/* PTE entries in the index, per 2 MiB of the file */
	unsigned fragment;	/* this file's dax_fragment */
	unsigned long nrpages;	/* pages the index's entries cover */
	struct dax_entry *entries;
	/* mapping->invalidate_lock: faults take it shared, punch and
	 * truncate exclusive (ext4_dax_huge_fault, ext4_punch_hole), so no
	 * fault maps a block a punch is freeing.  entry_lock stands for the
	 * DAX_LOCKED bits of the entries and the xarray's lock: one per file,
	 * so two faults of one file never work on entries at once (in Linux,
	 * only two on the same entry wait for each other). */
	struct vmsim_lock invalidate_lock;
	struct vmsim_lock entry_lock;
};

/* The persistent memory: which frames are free, and the extent
 * allocator's deterministic fragmentation count. */
struct dax_region {
	uint8_t *used;		/* one byte per pmem page */
	unsigned long nr, free;
	unsigned long chunks;	/* 2 MiB requests served */
	/* The lock classes of dax_inode, made with the first DAX file (0
	 * before): ordered as they are seen taken. */
	int invalidate_class, entry_class;
};

static inline struct dax_inode *dax_inode(const struct vmsim_file *f) { return f->dax; }
struct dax_region *vmsim__dax_region(struct vmsim *vm);

/* pmem.c: the region and its extents. */
int vmsim__dax_region_init(struct vmsim *vm);
void vmsim__dax_region_exit(struct vmsim *vm);
int vmsim__dax_alloc_chunk(struct vmsim_file *f, uint64_t chunk, uint64_t limit);
void vmsim__dax_free_blocks(struct vmsim *vm, unsigned long pfn, unsigned order);
/* A chunk's pages one 2M-aligned contiguous run: its first frame, else 0. */
unsigned long vmsim__dax_chunk_pfn(const struct vmsim_file *f, uint64_t chunk);

/* dax.c: the trace of a DAX decision. */
void vmsim__dax_trace(struct vmsim *vm, int cpu, uint64_t addr, uint64_t end, unsigned long pfn, const char *why);

/* pmd_share.c: FS-DAX PMD table sharing (machine dax_pmd_share=on). */
pmd_t *vmsim__dax_pmd_alloc(struct vm_fault *vmf);
bool vmsim__dax_pmd_unshare(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t addr, pmd_t *pmdp);
void vmsim__dax_unshare_pmds(struct vm_area_struct *vma, uint64_t start, uint64_t end);
/* The zap path's unshare: i_mmap_rwsem taken around it (unless the quirk). */
bool vmsim__dax_zap_unshare(struct mmu_gather *tlb, struct vm_area_struct *vma, uint64_t addr, pmd_t *pmdp);
void vmsim__dax_unmap_mapping_range(struct vmsim_file *f, uint64_t pgstart, uint64_t pgend, bool even_cows);

/* The checker's questions (check/mm_check.c): a DAX file's index and
 * blocks against its mappings, and every shared PMD table against its
 * sharers.  Each returns the number of violations reported. */
unsigned long vmsim__dax_check(struct vmsim *vm);

#endif /* VMSIM_FEATURES_DAX_H */
