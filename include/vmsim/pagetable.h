/* Page-table pages and walks, pgd -> p4d -> pud -> pmd -> pte, for 4- and
 * 5-level paging.  Follows include/linux/pgtable.h (pXd_offset), mm/memory.c
 * (__pXd_alloc) and arch/x86/include/asm/pgtable_64_types.h.  Tables are
 * frames of the machine's memory, with a struct vmsim_page each. */
#ifndef VMSIM_PAGETABLE_H
#define VMSIM_PAGETABLE_H

#include <vmsim/common.h>

#include <vmsim/pgtable.h>
#include <vmsim/page.h>

VMSIM_BEGIN_DECLS

struct vmsim;

/* Page-table levels, as trace events and walks number them. */
enum vmsim_level {
	VMSIM_LVL_NONE = 0,
	VMSIM_LVL_PTE = 1,
	VMSIM_LVL_PMD = 2,
	VMSIM_LVL_PUD = 3,
	VMSIM_LVL_P4D = 4,
	VMSIM_LVL_PGD = 5,
};

/* 48 with levels=5, 39 with levels=4.  Every call below ignores a NULL
 * machine (0, false, NULL, -EINVAL, or nothing for void ones). */
VMSIM_API unsigned vmsim_pgdir_shift(const struct vmsim *vm);
/* TASK_SIZE_MAX: (1 << 47) - 4096 or (1 << 56) - 4096. */
VMSIM_API uint64_t vmsim_task_size(const struct vmsim *vm);
/* Sign-extended from bit 47 (4 levels) or bit 56 (5 levels). */
VMSIM_API bool vmsim_addr_canonical(const struct vmsim *vm, uint64_t addr);

/* A table's 512 entries, seen through its page; NULL if table is not a
 * page-table page of this machine. */
VMSIM_API uint64_t *vmsim_table(struct vmsim *vm, struct vmsim_page *table);

/* Allocate an empty top-level table.  Returns 0 and its PFN, -ENOMEM, or
 * -EINVAL for a NULL root. */
VMSIM_API int vmsim_pgd_alloc(struct vmsim *vm, unsigned long *root);
/*
 * Free the top-level table and every table below it.  Leaf frames are not
 * touched (the mm owns them); pgtable pages left with entries are freed all
 * the same, as free_pgtables does after the vmas were zapped.  A root that
 * is not a pgd, or that a live CPU context (an mm's) still uses, is left
 * alone.
 */
VMSIM_API void vmsim_pgd_free(struct vmsim *vm, unsigned long root);

/* The result of a walk: a pointer to the entry at each level reached. */
struct vmsim_walk {
	uint64_t addr;
	enum vmsim_level level;	/* lowest level reached */
	pgd_t *pgd;
	p4d_t *p4d;		/* == (p4d_t *)pgd with levels=4 (folded) */
	pud_t *pud;
	pmd_t *pmd;
	pte_t *pte;
	struct vmsim_page *table[6];	/* the table page of each level */
};

#define VMSIM_WALK_ALLOC	0x1	/* allocate missing tables down to the pte */
#define VMSIM_WALK_ALLOC_PMD	0x2	/* ... down to the pmd table only */

/*
 * Walk root to addr.  Stops at a none entry (unless allocating), at a leaf
 * (a PSE pud or pmd) or at a non-present, non-none pmd; w->level tells where.
 * Returns 0, -EFAULT for a non-canonical address, -EINVAL if root is not a
 * pgd from vmsim_pgd_alloc(), w is NULL or flags has bits other than the
 * two above, -ENOMEM if an allocation
 * failed (tables allocated before the failure stay, as in Linux).
 */
VMSIM_API int vmsim_walk(struct vmsim *vm, unsigned long root, uint64_t addr, unsigned flags,
	       struct vmsim_walk *w);

/*
 * The pte slot for addr, or NULL: when a level above is none (alloc false),
 * a leaf, or allocation failed.  A thin wrapper over vmsim_walk.
 */
VMSIM_API pte_t *vmsim_pte_lookup(struct vmsim *vm, unsigned long root, uint64_t addr, bool alloc);

/* Read/write a slot, keeping the table page's count of non-none entries
 * (so empty tables can be found without scanning) and tracing the change.
 * A pointer that is not a slot of a table of that level on this machine is
 * ignored. */
VMSIM_API void vmsim_set_pte(struct vmsim *vm, pte_t *ptep, pte_t pte, uint64_t addr);
VMSIM_API void vmsim_set_pmd(struct vmsim *vm, pmd_t *pmdp, pmd_t pmd, uint64_t addr);
VMSIM_API void vmsim_set_pud(struct vmsim *vm, pud_t *pudp, pud_t pud, uint64_t addr);
/* READ_ONCE() of a slot (through the value member, so C++ can read it too). */
static inline pte_t ptep_get(const pte_t *ptep) { return __pte(((const volatile pte_t *)ptep)->pte); }
static inline pmd_t pmdp_get(const pmd_t *pmdp) { return __pmd(((const volatile pmd_t *)pmdp)->pmd); }
static inline pud_t pudp_get(const pud_t *pudp) { return __pud(((const volatile pud_t *)pudp)->pud); }

/* The page of the table holding the slot p (any level), or NULL. */
VMSIM_API struct vmsim_page *vmsim_slot_table(struct vmsim *vm, const void *p);

/* The table page an entry of a higher level points to (or NULL, also for
 * an entry naming a frame that is not a table). */
VMSIM_API struct vmsim_page *vmsim_pmd_table(struct vmsim *vm, pmd_t pmd);

/*
 * Free every table in [start, end) that holds no entry, bottom-up, clearing
 * the entry that pointed to it; the top level is kept.  Returns how many
 * table pages were freed.  Tables partly outside the range are kept unless
 * empty.  Needs a TLB flush of the range afterwards when CPUs may cache
 * paging-structure entries (the mm layer does that through mmu_gather).
 */
VMSIM_API unsigned long vmsim_free_empty_tables(struct vmsim *vm, unsigned long root, uint64_t start,
				      uint64_t end);

/* Number of page-table pages allocated on the machine right now. */
VMSIM_API unsigned long vmsim_nr_pgtable_pages(const struct vmsim *vm);

VMSIM_END_DECLS

#endif /* VMSIM_PAGETABLE_H */
