/* Page-table pages and walks.  Follows include/linux/pgtable.h
 * (pgd_offset .. pte_offset), mm/memory.c (__p4d_alloc .. __pte_alloc,
 * free_pgd_range's bottom-up order) and arch/x86 (_PAGE_TABLE entries,
 * 4-level paging folding the p4d into the pgd). */
#include <string.h>

#include "../internal.h"
#include "../sched/sched_internal.h"

unsigned vmsim_pgdir_shift(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->pgdir_shift;
}

uint64_t vmsim_task_size(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->task_size;
}

bool vmsim_addr_canonical(const struct vmsim *vm, uint64_t addr)
{
	unsigned bits;
	int64_t s;

	if (!vm)
		return false;
	bits = vm->cfg.levels == 5 ? 57 : 48;
	s = (int64_t)(addr << (64 - bits)) >> (64 - bits);
	return (uint64_t)s == addr;
}

/* The entries of a table the walk itself reached (no argument checks). */
static inline uint64_t *table_of(struct vmsim *vm, struct vmsim_page *table)
{
	return (uint64_t *)(vm->frames + ((size_t)(table - vm->memmap) << PAGE_SHIFT));
}

uint64_t *vmsim_table(struct vmsim *vm, struct vmsim_page *table)
{
	if (!vmsim__page_valid(vm, table) || !vmsim_page_test(table, PG_table))
		return NULL;
	return table_of(vm, table);
}

static struct vmsim_page *table_alloc(struct vmsim *vm, enum vmsim_level level)
{
	/* GFP_PGTABLE_USER: may enter direct reclaim where the caller could
	 * sleep (__pte_alloc() runs before the pte lock is taken). */
	struct vmsim_page *page = vmsim__alloc_pages_may_reclaim(vm, 0);

	if (!page)
		return NULL;
	vmsim_page_set(page, PG_table);
	page->pt_level = (uint8_t)level;
	page->pt_entries = 0;
	vmsim_lock_init(&page->ptl, VMSIM_LOCK_PTL);
	/* __GFP_ZERO: a new table holds only none entries. */
	(void)vmsim__frame_mem(vm, page);
	vm->nr_pgtables++;
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_PT_ALLOC, .cpu = -1,
			  .level = level, .pfn = vmsim_page_to_pfn(vm, page) });
	return page;
}

static void table_free(struct vmsim *vm, struct vmsim_page *page)
{
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_PT_FREE, .cpu = -1,
			  .level = page->pt_level, .pfn = vmsim_page_to_pfn(vm, page) });
	VMSIM_BUG_ON(vm, vmsim_lock_held(&page->ptl), "freeing table pfn %#lx with its lock held",
		     vmsim_page_to_pfn(vm, page));
	vmsim_page_clear(page, PG_table);
	page->pt_level = 0;
	page->pt_entries = 0;
	page->ptl = (struct vmsim_lock){ 0 };
	vm->nr_pgtables--;
	vmsim_put_page(vm, page);
}

/* pte_alloc_one()/pte_free(): a PTE table not yet linked anywhere (THP
 * deposits one with every PMD leaf so that a split never fails). */
struct vmsim_page *vmsim__pte_table_alloc(struct vmsim *vm)
{
	return table_alloc(vm, VMSIM_LVL_PTE);
}

void vmsim__pte_table_free(struct vmsim *vm, struct vmsim_page *table)
{
	table_free(vm, table);
}

/* The table page holding a slot the walk itself found. */
static inline struct vmsim_page *slot_page(struct vmsim *vm, const void *p)
{
	return &vm->memmap[((uintptr_t)p - (uintptr_t)vm->frames) >> PAGE_SHIFT];
}

/* A slot pointer from a user: 8-byte aligned, inside a page-table frame of
 * this machine (at level, unless VMSIM_LVL_NONE); its table or NULL.  (A
 * NULL p wraps to an offset past frames_len.) */
static inline struct vmsim_page *slot_table_checked(struct vmsim *vm, const void *p, enum vmsim_level level)
{
	uintptr_t off;
	struct vmsim_page *t;

	if (!vm)
		return NULL;
	off = (uintptr_t)p - (uintptr_t)vm->frames;
	if (off >= vm->frames_len || (off & 7))
		return NULL;
	t = &vm->memmap[off >> PAGE_SHIFT];
	if (!vmsim_page_test(t, PG_table) || (level && t->pt_level != level))
		return NULL;
	return t;
}

struct vmsim_page *vmsim_slot_table(struct vmsim *vm, const void *p)
{
	return slot_table_checked(vm, p, VMSIM_LVL_NONE);
}

/* Table entries are none or point to a table; keep the page's count. */
static void count_entry(struct vmsim_page *t, uint64_t old, uint64_t new)
{
	bool was = (old & ~_PAGE_KNL_ERRATUM_MASK) != 0, is = (new & ~_PAGE_KNL_ERRATUM_MASK) != 0;

	if (was && !is)
		t->pt_entries--;
	else if (!was && is)
		t->pt_entries++;
}

static void set_entry_in(struct vmsim *vm, struct vmsim_page *t, void *slot, uint64_t val, uint64_t addr,
			 enum vmsim_level level)
{
	uint64_t old = *(uint64_t *)slot;

	count_entry(t, old, val);
	*(uint64_t *)slot = val;
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_SET_ENTRY, .cpu = -1,
			  .level = level, .addr = addr, .old_val = old, .new_val = val });
}

static void set_entry(struct vmsim *vm, void *slot, uint64_t val, uint64_t addr, enum vmsim_level level)
{
	set_entry_in(vm, slot_page(vm, slot), slot, val, addr, level);
}

/* The setters are scheduling points (the table is the object); a walk's
 * own table population is not: it is checked and linked in one step, as
 * pmd_install() does under the page-table lock. */
static VMSIM_NOINLINE void set_entry_sp(struct vmsim *vm, struct vmsim_page *t, void *slot, uint64_t val,
					uint64_t addr, enum vmsim_level level, const char *where)
{
	vmsim__sched_point(vm, VMSIM_SP_PTE_WRITE, t, where);
	set_entry_in(vm, t, slot, val, addr, level);
}

void vmsim_set_pte(struct vmsim *vm, pte_t *ptep, pte_t pte, uint64_t addr)
{
	struct vmsim_page *t = slot_table_checked(vm, ptep, VMSIM_LVL_PTE);

	if (!t)
		return;
	if (__builtin_expect(vm->sched != NULL, 0))
		set_entry_sp(vm, t, ptep, pte_val(pte), addr, VMSIM_LVL_PTE, __func__);
	else
		set_entry_in(vm, t, ptep, pte_val(pte), addr, VMSIM_LVL_PTE);
}

void vmsim_set_pmd(struct vmsim *vm, pmd_t *pmdp, pmd_t pmd, uint64_t addr)
{
	struct vmsim_page *t = slot_table_checked(vm, pmdp, VMSIM_LVL_PMD);

	if (!t)
		return;
	if (__builtin_expect(vm->sched != NULL, 0))
		set_entry_sp(vm, t, pmdp, pmd_val(pmd), addr, VMSIM_LVL_PMD, __func__);
	else
		set_entry_in(vm, t, pmdp, pmd_val(pmd), addr, VMSIM_LVL_PMD);
}

void vmsim_set_pud(struct vmsim *vm, pud_t *pudp, pud_t pud, uint64_t addr)
{
	struct vmsim_page *t = slot_table_checked(vm, pudp, VMSIM_LVL_PUD);

	if (!t)
		return;
	if (__builtin_expect(vm->sched != NULL, 0))
		set_entry_sp(vm, t, pudp, pud_val(pud), addr, VMSIM_LVL_PUD, __func__);
	else
		set_entry_in(vm, t, pudp, pud_val(pud), addr, VMSIM_LVL_PUD);
}

/* The table a (non-leaf, present) entry points to. */
struct vmsim_page *vmsim__pt_entry_table(struct vmsim *vm, uint64_t val)
{
	unsigned long pfn = (val & PTE_PFN_MASK) >> PAGE_SHIFT;

	if (VMSIM_BUG_ON(vm, pfn >= vm->nr_frames || !vmsim_page_test(&vm->memmap[pfn], PG_table),
			 "entry %#llx does not point to a page table", (unsigned long long)val))
		return NULL;
	return &vm->memmap[pfn];
}

struct vmsim_page *vmsim_pmd_table(struct vmsim *vm, pmd_t pmd)
{
	unsigned long pfn = (pmd_val(pmd) & PTE_PFN_MASK) >> PAGE_SHIFT;

	if (!vm || pmd_none(pmd) || !pmd_present(pmd) || pmd_leaf(pmd))
		return NULL;
	/* The value comes from the caller: one that names no table is bad
	 * input, not a corrupt table. */
	if (pfn >= vm->nr_frames || !vmsim_page_test(&vm->memmap[pfn], PG_table))
		return NULL;
	return vmsim__pt_entry_table(vm, pmd_val(pmd));
}

/* pXd_populate(): link a fresh table below *slot. */
static struct vmsim_page *populate(struct vmsim *vm, uint64_t *slot, enum vmsim_level child, uint64_t addr)
{
	struct vmsim_page *t = table_alloc(vm, child);

	if (!t)
		return NULL;
	set_entry(vm, slot, ((uint64_t)vmsim_page_to_pfn(vm, t) << PAGE_SHIFT) | _PAGE_TABLE, addr,
		  child + 1);
	return t;
}

/* Each level indexes 9 bits above the one below it; the pgd's shift is
 * 48 with 5 levels and, with 4, the walk starts at the (folded) p4d (39). */
static inline unsigned shift_of(enum vmsim_level l)
{
	return PAGE_SHIFT + 9 * ((unsigned)l - 1);
}

int vmsim_pgd_alloc(struct vmsim *vm, unsigned long *root)
{
	struct vmsim_page *t;

	if (!vm || !root)
		return -EINVAL;
	t = table_alloc(vm, VMSIM_LVL_PGD);
	if (!t)
		return -ENOMEM;
	*root = vmsim_page_to_pfn(vm, t);
	return 0;
}

/* The table below a present, non-leaf entry.  Checked unless check=off,
 * where the walk must cost only the loads the hardware would do. */
static inline struct vmsim_page *next_table(struct vmsim *vm, uint64_t val)
{
	if (vm->cfg.check == VMSIM_CHECK_OFF)
		return &vm->memmap[(val & PTE_PFN_MASK) >> PAGE_SHIFT];
	return vmsim__pt_entry_table(vm, val);
}

/* The root comes from the caller: a PFN that is not a pgd is bad input
 * (an error), not an internal inconsistency, whatever the check level. */
static bool valid_root(struct vmsim *vm, unsigned long root)
{
	return vm && root < vm->nr_frames && vmsim_page_test(&vm->memmap[root], PG_table) &&
	       vm->memmap[root].pt_level == VMSIM_LVL_PGD;
}

int vmsim_walk(struct vmsim *vm, unsigned long root, uint64_t addr, unsigned flags, struct vmsim_walk *w)
{
	bool alloc = flags & (VMSIM_WALK_ALLOC | VMSIM_WALK_ALLOC_PMD);
	enum vmsim_level stop = (flags & VMSIM_WALK_ALLOC) || !alloc ? VMSIM_LVL_PTE : VMSIM_LVL_PMD;
	struct vmsim_page *t;
	enum vmsim_level l;
	uint64_t *slot;

	if (!vm || !w || (flags & ~(VMSIM_WALK_ALLOC | VMSIM_WALK_ALLOC_PMD)))
		return -EINVAL;
	memset(w, 0, sizeof(*w));
	w->addr = addr;
	if (!vmsim_addr_canonical(vm, addr))
		return -EFAULT;
	if (!valid_root(vm, root))
		return -EINVAL;
	t = &vm->memmap[root];
	l = VMSIM_LVL_PGD;
	for (;;) {
		/* With 4 levels the pgd indexes at 39 bits: it is the p4d. */
		slot = &table_of(vm, t)[(addr >> (l == VMSIM_LVL_PGD ? vm->pgdir_shift : shift_of(l))) & 511];
		w->table[l] = t;
		w->level = l;
		switch (l) {
		case VMSIM_LVL_PGD: w->pgd = (pgd_t *)slot; break;
		case VMSIM_LVL_P4D: w->p4d = (p4d_t *)slot; break;
		case VMSIM_LVL_PUD: w->pud = (pud_t *)slot; break;
		case VMSIM_LVL_PMD: w->pmd = (pmd_t *)slot; break;
		default: w->pte = (pte_t *)slot; return 0;
		}
		if (l == VMSIM_LVL_PGD && vm->cfg.levels == 4) {
			/* p4d folded: the pgd entry is the p4d entry, and a walk
			 * that stops here stops at the p4d level, whose entry
			 * spans 1 << 39, not at a pgd spanning 1 << 48. */
			w->p4d = (p4d_t *)slot;
			w->table[VMSIM_LVL_P4D] = t;
			l = VMSIM_LVL_P4D;
			w->level = l;
		}
		if (l == stop)
			return 0;
		if ((*slot & ~_PAGE_KNL_ERRATUM_MASK) == 0) {
			if (!alloc)
				return 0;
			t = populate(vm, slot, l - 1, addr);
			if (!t)
				return -ENOMEM;
		} else {
			/* A leaf or a non-present pmd (migration) ends the walk. */
			if ((l == VMSIM_LVL_PUD || l == VMSIM_LVL_PMD) && (*slot & _PAGE_PSE))
				return 0;
			if (!(*slot & _PAGE_PRESENT))
				return 0;
			t = next_table(vm, *slot);
			if (!t)
				return -EIO;
		}
		l--;
	}
}

/* The same walk as vmsim_walk() down to the slot of level target, without
 * filling a struct vmsim_walk (the huge-page paths).  NULL when a level
 * above is none (unless alloc), a leaf or not present, or allocation
 * failed. */
uint64_t *vmsim__walk_to(struct vmsim *vm, unsigned long root, uint64_t addr, enum vmsim_level target, bool alloc)
{
	struct vmsim_page *t;
	enum vmsim_level l;

	if (!vmsim_addr_canonical(vm, addr) || !valid_root(vm, root))
		return NULL;
	t = &vm->memmap[root];
	l = vm->cfg.levels == 4 ? VMSIM_LVL_P4D : VMSIM_LVL_PGD;
	for (; l > target; l--) {
		uint64_t *slot = &table_of(vm, t)[(addr >> shift_of(l)) & 511];

		if ((*slot & ~_PAGE_KNL_ERRATUM_MASK) == 0) {
			if (!alloc)
				return NULL;
			t = populate(vm, slot, l - 1, addr);
			if (!t)
				return NULL;
			continue;
		}
		if (((l == VMSIM_LVL_PUD || l == VMSIM_LVL_PMD) && (*slot & _PAGE_PSE)) || !(*slot & _PAGE_PRESENT))
			return NULL;
		t = next_table(vm, *slot);
		if (!t)
			return NULL;
	}
	return &table_of(vm, t)[(addr >> shift_of(target)) & 511];
}

/* The same walk as vmsim_walk() down to the pte, without filling a
 * struct vmsim_walk: the fault and zap paths call this for every page.
 * It follows table memory directly, one load per level (the struct page
 * of a table only where one is allocated, or checked unless check=off). */
pte_t *vmsim_pte_lookup(struct vmsim *vm, unsigned long root, uint64_t addr, bool alloc)
{
	enum vmsim_level l;
	bool checked;
	uint64_t *tab;

	if (!vmsim_addr_canonical(vm, addr) || !valid_root(vm, root))
		return NULL;
	checked = vm->cfg.check != VMSIM_CHECK_OFF;
	tab = (uint64_t *)(vm->frames + ((size_t)root << PAGE_SHIFT));
	l = vm->cfg.levels == 4 ? VMSIM_LVL_P4D : VMSIM_LVL_PGD;
	for (; l > VMSIM_LVL_PTE; l--) {
		uint64_t *slot = &tab[(addr >> shift_of(l)) & 511], v = *slot;
		unsigned long pfn;

		if ((v & ~_PAGE_KNL_ERRATUM_MASK) == 0) {
			struct vmsim_page *t;

			if (!alloc)
				return NULL;
			t = populate(vm, slot, l - 1, addr);
			if (!t)
				return NULL;
			tab = table_of(vm, t);
			continue;
		}
		if (((l == VMSIM_LVL_PUD || l == VMSIM_LVL_PMD) && (v & _PAGE_PSE)) || !(v & _PAGE_PRESENT))
			return NULL;
		pfn = (unsigned long)((v & PTE_PFN_MASK) >> PAGE_SHIFT);
		if (checked ? !vmsim__pt_entry_table(vm, v) : pfn >= vm->nr_frames)
			return NULL;
		tab = (uint64_t *)(vm->frames + ((size_t)pfn << PAGE_SHIFT));
	}
	return (pte_t *)&tab[(addr >> PAGE_SHIFT) & 511];
}

/* The PTE slot of addr below the PMD slot pmdp: NULL if the PMD is none
 * (unless alloc: __pte_alloc), a leaf or not present. */
pte_t *vmsim__pte_from_pmd(struct vmsim *vm, pmd_t *pmdp, uint64_t addr, bool alloc)
{
	uint64_t v = pmd_val(*pmdp);
	struct vmsim_page *t;

	if ((v & ~_PAGE_KNL_ERRATUM_MASK) == 0) {
		if (!alloc)
			return NULL;
		t = populate(vm, (uint64_t *)pmdp, VMSIM_LVL_PTE, addr);
		if (!t)
			return NULL;
	} else {
		if ((v & _PAGE_PSE) || !(v & _PAGE_PRESENT))
			return NULL;
		t = next_table(vm, v);
		if (!t)
			return NULL;
	}
	return (pte_t *)&table_of(vm, t)[pte_index(addr)];
}

/* Where an unlinked table goes: freed now (sink NULL), or handed to the
 * caller, who frees it after its TLB flush (free_pgtables' gather). */
struct table_sink {
	void (*fn)(void *arg, struct vmsim_page *table, uint64_t addr);
	void *arg;
	uint64_t floor, ceiling_last;	/* only tables whose span lies in [floor, ceiling_last] */
};

/* Free the tables below slot (at level l) whose span lies in [start, end)
 * and are empty, or all of them when force; returns pages freed. */
static unsigned long free_below(struct vmsim *vm, uint64_t *slot, enum vmsim_level l, uint64_t base,
				uint64_t start, uint64_t end, bool force, const struct table_sink *sink)
{
	struct vmsim_page *t;
	unsigned long freed = 0;
	unsigned shift;
	uint64_t *tab;

	if ((*slot & ~_PAGE_KNL_ERRATUM_MASK) == 0 || !(*slot & _PAGE_PRESENT))
		return 0;
	if ((l == VMSIM_LVL_PUD || l == VMSIM_LVL_PMD) && (*slot & _PAGE_PSE))
		return 0;
	t = vmsim__pt_entry_table(vm, *slot);
	if (!t)
		return 0;
	tab = table_of(vm, t);
	shift = shift_of(l - 1);
	if (l - 1 > VMSIM_LVL_PTE) {
		for (unsigned i = 0; i < 512; i++) {
			uint64_t b = base + ((uint64_t)i << shift);
			uint64_t e = b + (1ULL << shift) - 1;

			if (!force && (e < start || b >= end))
				continue;
			freed += free_below(vm, &tab[i], l - 1, b, start, end, force, sink);
		}
	}
	/* free_pgtables()' floor and ceiling: a table whose span reaches
	 * beyond them also serves a mapping that stays, which may be
	 * faulting into it right now (under its per-VMA lock). */
	if (!force && sink) {
		uint64_t span_last = (1ULL << (l == VMSIM_LVL_PGD ? vm->pgdir_shift : shift_of(l))) - 1;

		if (base < sink->floor || base + span_last > sink->ceiling_last)
			return freed;
	}
	if (force || t->pt_entries == 0) {
		/* A PMD table other mms still point to (hugetlb or FS-DAX
		 * sharing) is theirs too: its sharers unshare before freeing. */
		if (VMSIM_BUG_ON(vm, t->pt_share_count > 0,
				 "freeing pmd table pfn %#lx still shared by %lld more mms",
				 vmsim_page_to_pfn(vm, t), (long long)t->pt_share_count))
			return freed;
		VMSIM_BUG_ON(vm, t->pmd_huge_pte != NULL, "freeing pmd table pfn %#lx with deposited pte tables",
			     vmsim_page_to_pfn(vm, t));
		set_entry(vm, slot, 0, base, l);
		/* pXd_free_tlb(tlb, table, address): the address is where
		 * the range freed starts within the table's span. */
		if (sink)
			sink->fn(sink->arg, t, base > start ? base : start);
		else
			table_free(vm, t);
		freed++;
	}
	return freed;
}

/* The first address the pgd slot i maps (upper half sign-extended). */
static uint64_t pgd_slot_base(const struct vmsim *vm, unsigned i)
{
	uint64_t b = (uint64_t)i << vm->pgdir_shift;

	if (i >= 256)
		b |= ~((1ULL << (vm->pgdir_shift + 9)) - 1);
	return b;
}

static void free_all(struct vmsim *vm, unsigned long root)
{
	struct vmsim_page *t = &vm->memmap[root];
	uint64_t *tab = table_of(vm, t);
	enum vmsim_level top = vm->cfg.levels == 4 ? VMSIM_LVL_P4D : VMSIM_LVL_PGD;

	for (unsigned i = 0; i < 512; i++)
		free_below(vm, &tab[i], top, pgd_slot_base(vm, i), 0, ~0ULL, true, NULL);
}

void vmsim_pgd_free(struct vmsim *vm, unsigned long root)
{
	if (!valid_root(vm, root))
		return;
	/* A root some CPU context still points to (an mm's) is in use. */
	for (const struct vmsim_mm_context *x = vm->contexts; x; x = x->next_ctx)
		if (x->pgd == root)
			return;
	free_all(vm, root);
	table_free(vm, &vm->memmap[root]);
}

static unsigned long free_empty(struct vmsim *vm, unsigned long root, uint64_t start, uint64_t end,
				const struct table_sink *sink)
{
	enum vmsim_level top;
	uint64_t *tab;
	unsigned long freed = 0;

	if (!valid_root(vm, root) || start >= end)
		return 0;
	top = vm->cfg.levels == 4 ? VMSIM_LVL_P4D : VMSIM_LVL_PGD;
	tab = table_of(vm, &vm->memmap[root]);
	for (unsigned i = 0; i < 512; i++) {
		uint64_t b = pgd_slot_base(vm, i);
		uint64_t e = b + (1ULL << vm->pgdir_shift) - 1;

		if (e < start || b >= end)
			continue;
		freed += free_below(vm, &tab[i], top, b, start, end, false, sink);
	}
	return freed;
}

unsigned long vmsim_free_empty_tables(struct vmsim *vm, unsigned long root, uint64_t start, uint64_t end)
{
	return free_empty(vm, root, start, end, NULL);
}

unsigned long vmsim__unlink_empty_tables(struct vmsim *vm, unsigned long root, uint64_t start, uint64_t end,
					 uint64_t floor, uint64_t ceiling_last,
					 void (*fn)(void *arg, struct vmsim_page *table, uint64_t addr), void *arg)
{
	struct table_sink sink = { fn, arg, floor, ceiling_last };

	return free_empty(vm, root, start, end, &sink);
}

void vmsim__table_free(struct vmsim *vm, struct vmsim_page *table)
{
	table_free(vm, table);
}

unsigned long vmsim_nr_pgtable_pages(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->nr_pgtables;
}
