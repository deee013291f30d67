/* Physical memory: struct vmsim_page (Linux's struct page), the memmap, the
 * buddy allocator and frame contents.  Follows include/linux/{mm_types.h,
 * page-flags.h} and mm/page_alloc.c; no zones, no per-cpu lists, no
 * migratetypes: one node, one zone, orders 0..VMSIM_MAX_PAGE_ORDER. */
#ifndef VMSIM_PAGE_H
#define VMSIM_PAGE_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <vmsim/lock.h>

VMSIM_BEGIN_DECLS

struct vmsim;

#define VMSIM_MAX_PAGE_ORDER	9	/* 2 MiB: one PMD leaf */
#define NR_PAGE_ORDERS		(VMSIM_MAX_PAGE_ORDER + 1)

/* Page flags, named as in include/linux/page-flags.h. */
enum vmsim_pageflags {
	PG_locked,
	PG_referenced,
	PG_uptodate,
	PG_dirty,
	PG_lru,
	PG_active,
	PG_workingset,
	PG_writeback,
	PG_reserved,		/* never allocated or freed (zero page) */
	PG_private,
	PG_swapcache,
	PG_swapbacked,
	PG_head,		/* first page of an order > 0 allocation */
	PG_anon_exclusive,	/* Linux aliases PG_mappedtodisk */
	PG_readahead,		/* file pages; PG_reclaim on anon and swap cache */
	PG_hwpoison,
	PG_mlocked,		/* in a VM_LOCKED vma: on the unevictable list */
	PG_unevictable,
	/* Page types (Linux keeps these in page->page_type). */
	PG_buddy,		/* free, in the buddy lists; private = order */
	PG_table,		/* a page-table page */
	PG_zero,		/* the shared zero page */
	PG_has_data,		/* contents written since allocation */
	/* Large folios (include/linux/page-flags.h and mm_types.h). */
	PG_tail,		/* a page of a large folio after the first (compound_idx) */
	PG_partially_mapped,	/* head: some pages lost their mapping (deferred split) */
	PG_deferred_split,	/* head: on the deferred split queue */
	PG_hugetlb,		/* head: a hugetlb folio (folio_test_hugetlb) */
	PG_huge_zero,		/* head: the huge zero folio */
	PG_device,		/* persistent memory, not the buddy's (ZONE_DEVICE) */
	__NR_PAGEFLAGS
};
/* include/linux/page-flags.h: PG_reclaim (rotate to the inactive tail when
 * writeback ends; dirty file pages reclaim met) shares PG_readahead's bit,
 * which is why such a page is skipped by fault-around as Linux skips it. */
#define PG_reclaim	PG_readahead

/* Linux's struct page, reduced to what the simulator models: 64 bytes, a
 * power of two, so that a frame number is a shift away.  As in Linux,
 * fields a kind of page does not use carry another meaning there: a
 * page-table page's pt_* fields, a large folio's tail index.  A large
 * folio's own counts (entire and total mapcounts ...) live beside the
 * memmap, one record per 2 MiB block (vmsim_folio_info()). */
struct vmsim_page {
	uint32_t flags;			/* 1 << PG_* */
	int32_t refcount;		/* page_ref_count(); a large folio's on its head */
	int32_t mapcount;		/* page_mapcount(): mappings; in a large folio the
					 * PTEs that map this one page */
	uint8_t order;			/* allocation order (head pages, buddies) */
	uint8_t pt_level;		/* PG_table: 1 pte .. 5 pgd */
	union {
		uint16_t pt_entries;	/* PG_table: non-none entries */
		uint16_t compound_idx;	/* PG_tail: this page's index in its folio */
		uint16_t mlock_count;	/* PG_mlocked, on a folio's head: VM_LOCKED mappings
					 * (folio->mlock_count) */
	};
	union {
		void *mapping;		/* anon_vma | 1, or an address space */
		struct vmsim_page *pmd_huge_pte;	/* PG_table (pmd): deposited pte tables */
	};
	union {
		uint64_t index;		/* pgoff in mapping */
		int64_t pt_share_count;	/* PG_table (pmd): mms sharing it beyond the first */
	};
	uint64_t private_;		/* page_private(): buddy order; folio->swap (swap cache) (C++-safe name) */
	struct vmsim_page *prev, *next;	/* buddy free list, or LRU list (PG_lru) */
	struct vmsim_lock ptl;		/* PG_table: split page-table lock */
};

static inline bool vmsim_page_test(const struct vmsim_page *p, enum vmsim_pageflags f)
{
	return p->flags & (1u << f);
}
static inline void vmsim_page_set(struct vmsim_page *p, enum vmsim_pageflags f) { p->flags |= 1u << f; }
static inline void vmsim_page_clear(struct vmsim_page *p, enum vmsim_pageflags f) { p->flags &= ~(1u << f); }

/* compound_head(): the first page of the folio page belongs to. */
static inline struct vmsim_page *vmsim_compound_head(struct vmsim_page *p)
{
	return vmsim_page_test(p, PG_tail) ? p - p->compound_idx : p;
}
/* folio_test_large(), folio_nr_pages() on a folio's head page. */
static inline bool vmsim_folio_test_large(const struct vmsim_page *head)
{
	return vmsim_page_test(head, PG_head);
}
static inline unsigned long vmsim_folio_nr_pages(const struct vmsim_page *head)
{
	return vmsim_page_test(head, PG_head) ? 1UL << head->order : 1;
}

/* Number of frames, and the memmap entry for a PFN (NULL if out of range).
 * Every call below ignores a NULL machine and a page pointer that is not an
 * entry of this machine's memmap (NULL, another machine's page): void ones
 * do nothing, the others return NULL, 0, ~0UL (a PFN) or -EINVAL. */
VMSIM_API unsigned long vmsim_nr_frames(const struct vmsim *vm);
VMSIM_API struct vmsim_page *vmsim_pfn_to_page(struct vmsim *vm, unsigned long pfn);
VMSIM_API unsigned long vmsim_page_to_pfn(const struct vmsim *vm, const struct vmsim_page *page);
/* Frames of persistent memory (machine pmem=, for DAX files): how many,
 * and the first one's PFN in *first (may be NULL).  They follow RAM, 2 MiB
 * aligned (a 2 MiB gap after RAM), never come from the buddy allocator,
 * and carry PG_device. */
VMSIM_API unsigned long vmsim_pmem_frames(const struct vmsim *vm, unsigned long *first);

/*
 * Allocate 2^order contiguous, naturally aligned frames.  The head page has
 * refcount 1 and PG_head when order > 0.  Returns NULL when no block of that
 * order is free (callers turn that into -ENOMEM).  Never-written frames read
 * as zeros.
 */
VMSIM_API struct vmsim_page *vmsim_alloc_pages(struct vmsim *vm, unsigned order);
/* A large folio of 2^order pages (order > 0): the head has PG_head, the
 * others PG_tail pointing to it (prep_compound_page).  NULL when no block
 * is free. */
VMSIM_API struct vmsim_page *vmsim_folio_alloc(struct vmsim *vm, unsigned order);
/* Give a block back; it merges with its free buddies.  An order above
 * VMSIM_MAX_PAGE_ORDER does nothing; a reserved page, a page already free,
 * still mapped or freed at another order than allocated is a VMSIM_BUG (the
 * kernel's bad_page()), nothing freed.  Users want vmsim_page_free. */
VMSIM_API void vmsim_free_pages(struct vmsim *vm, struct vmsim_page *page, unsigned order);
/* Checked, PFN-level wrappers for users: 0 / -EINVAL / -ENOMEM.  Free
 * takes back only a block vmsim_page_alloc handed out: whole, unmapped,
 * with no other reference, not in a page cache; anything else is -EINVAL. */
VMSIM_API int vmsim_page_alloc(struct vmsim *vm, unsigned order, unsigned long *pfn);
VMSIM_API int vmsim_page_free(struct vmsim *vm, unsigned long pfn, unsigned order);

/* Reference counting (include/linux/page_ref.h); put frees at zero.  A
 * page of a large folio counts on its folio's head (folio_get/put).  A get
 * or put of a free page is a VMSIM_BUG report, the count unchanged. */
VMSIM_API void vmsim_get_page(struct vmsim *vm, struct vmsim_page *page);
VMSIM_API void vmsim_put_page(struct vmsim *vm, struct vmsim_page *page);

/* A large folio's counts, as /proc/kpagecount and dumps show them:
 * 0 and *out filled for a page of a large folio (out->head is its first
 * frame), -EINVAL for a page that belongs to none. */
struct vmsim_folio_info {
	unsigned long head;		/* PFN of the folio's first page */
	unsigned order;
	int entire_mapcount;		/* mappings of the whole folio (PMD, hugetlb) */
	int mapcount;			/* every mapping: folio_mapcount() */
	int nr_pages_mapped;		/* pages some PTE maps */
	int pincount;			/* FOLL_PIN pins */
	bool maybe_mapped_shared;	/* more than one mm may map it */
};
VMSIM_API int vmsim_folio_info(struct vmsim *vm, unsigned long pfn, struct vmsim_folio_info *out);

/* Frames free now, and free blocks of each order (for tests and stats). */
VMSIM_API unsigned long vmsim_nr_free_pages(const struct vmsim *vm);
VMSIM_API unsigned long vmsim_nr_free_blocks(const struct vmsim *vm, unsigned order);

/* The shared zero page (reserved, never freed). */
VMSIM_API struct vmsim_page *vmsim_zero_page(struct vmsim *vm);

/*
 * Frame contents.  Reads of a never-written frame give zeros; with
 * data=off writes are dropped and reads always give zeros (page-table pages
 * always keep their contents).  off + len must stay within the frame, buf
 * may be NULL only with len 0, and the zero page is never written: else
 * write and copy return -EINVAL, read and fill do nothing.
 */
VMSIM_API void vmsim_frame_read(struct vmsim *vm, struct vmsim_page *page, size_t off, void *buf, size_t len);
VMSIM_API int vmsim_frame_write(struct vmsim *vm, struct vmsim_page *page, size_t off, const void *buf, size_t len);
VMSIM_API void vmsim_frame_fill(struct vmsim *vm, struct vmsim_page *page, size_t off, int byte, size_t len);
/* Copy a whole frame (COW). */
VMSIM_API int vmsim_frame_copy(struct vmsim *vm, struct vmsim_page *dst, struct vmsim_page *src);

VMSIM_END_DECLS

#endif /* VMSIM_PAGE_H */
