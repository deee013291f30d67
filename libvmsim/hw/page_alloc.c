/* The buddy allocator, orders 0..VMSIM_MAX_PAGE_ORDER.  Follows
 * mm/page_alloc.c (__rmqueue_smallest, expand, __free_one_page) without
 * zones, per-cpu lists or migratetypes.  Free blocks sit on per-order lists
 * (utlist) with PG_buddy and their order in page->private, as Linux keeps
 * them.  Allocation takes the list head, so it is deterministic.
 *
 * Lazy unmap flush (LUF, Byungchul Park's v12 series, never merged): a
 * block freed while a TLB flush is still owed for it carries an opaque key
 * (the head page's index, unused while a page is free) on a second list per
 * order, the pend list (v12's free_area.pend_list).  Allocation prefers the
 * free list at each order and takes a pend block only when it is empty
 * there; the block's key goes to the LUF layer (vm->luf_takeoff), which pays
 * the flush before the page is handed out.  Merges fold the two keys
 * (vm->luf_fold); split halves keep the key.  Such a block keeps its frames'
 * contents while it is free, as hardware does: a CPU still caching a
 * translation reads what was there. */
#include <string.h>
#include <utlist.h>

#include "../internal.h"

static void add_to_free_list(struct vmsim *vm, struct vmsim_page *page, unsigned order, uint32_t key)
{
	vmsim_page_set(page, PG_buddy);
	page->private_ = order;
	page->order = (uint8_t)order;
	if (key) {
		/* At the tail: the flush is deferred as long as possible. */
		page->index = key;
		DL_APPEND(vm->pend_area[order], page);
		vm->nr_luf_pages += 1UL << order;
		if (vm->nr_luf_pages > vm->nr_luf_pages_max)
			vm->nr_luf_pages_max = vm->nr_luf_pages;
	} else {
		DL_PREPEND(vm->free_area[order], page);
	}
	vm->nr_free_blocks[order]++;
}

/* The owed key of a free block's head page (0: none). */
static uint32_t block_key(const struct vmsim_page *page)
{
	return (uint32_t)page->index;
}

static void del_from_free_list(struct vmsim *vm, struct vmsim_page *page, unsigned order)
{
	if (block_key(page)) {
		DL_DELETE(vm->pend_area[order], page);
		vm->nr_luf_pages -= 1UL << order;
	} else {
		DL_DELETE(vm->free_area[order], page);
	}
	page->prev = page->next = NULL;
	vmsim_page_clear(page, PG_buddy);
	page->private_ = 0;
	page->order = 0;
	page->index = 0;
	vm->nr_free_blocks[order]--;
}

#define BLOCK_SHIFT	VMSIM_MAX_PAGE_ORDER
#define LONG_BITS	(8 * sizeof(unsigned long))

/* A never-used max-order block goes on the free list (empty then, or the
 * block leaves it at once); its section's struct pages are populated. */
static void lazy_materialize(struct vmsim *vm, unsigned long idx)
{
	unsigned long pfn = idx << BLOCK_SHIFT;

	vm->lazy_blocks[idx / LONG_BITS] &= ~(1UL << (idx % LONG_BITS));
	vm->lazy_count--;
	vmsim__section_populate(vm, pfn);
	add_to_free_list(vm, &vm->memmap[pfn], VMSIM_MAX_PAGE_ORDER, 0);
	vm->nr_free_blocks[VMSIM_MAX_PAGE_ORDER]--;	/* counted since init */
}

/* The lowest never-used block onto the (empty) max-order list. */
static void lazy_take_lowest(struct vmsim *vm)
{
	unsigned long w = vm->lazy_first / LONG_BITS;

	while (!vm->lazy_blocks[w])
		w++;
	vm->lazy_first = w * LONG_BITS + (unsigned long)__builtin_ctzl(vm->lazy_blocks[w]);
	lazy_materialize(vm, vm->lazy_first);
}

static bool lazy_block(const struct vmsim *vm, unsigned long pfn)
{
	unsigned long idx = pfn >> BLOCK_SHIFT;

	return vm->lazy_count && (vm->lazy_blocks[idx / LONG_BITS] >> (idx % LONG_BITS)) & 1;
}

/*
 * Put the free blocks on the lists, lowest address first out.  As Linux's
 * memblock hand-over, every frame starts free; the max-order blocks below
 * the top are not put on the list one by one (that would touch a struct
 * page of each, the whole memmap of a large machine) but kept as a bitmap
 * that stands for the list's tail: vmsim_alloc_pages() takes the lowest
 * when the list runs empty, exactly when it would have reached them, so
 * allocation order is what a list of every block gives.
 */
int vmsim__page_alloc_init(struct vmsim *vm)
{
	unsigned long pfn = vm->nr_frames, top = vm->nr_frames & ~((1UL << BLOCK_SHIFT) - 1);
	unsigned long nblocks = top >> BLOCK_SHIFT;

	vm->lazy_blocks = vmsim__calloc(vm, nblocks / LONG_BITS + 1, sizeof(unsigned long));
	if (!vm->lazy_blocks)
		return -ENOMEM;
	/* Walk down from the top, carving the largest aligned block that fits,
	 * so the list heads end up holding the lowest blocks. */
	while (pfn > top) {
		unsigned order = VMSIM_MAX_PAGE_ORDER;

		while (order > 0 && ((pfn & ((1UL << order) - 1)) || pfn < (1UL << order)))
			order--;
		pfn -= 1UL << order;
		vmsim__section_populate(vm, pfn);
		add_to_free_list(vm, &vm->memmap[pfn], order, 0);
		vm->nr_free += 1UL << order;
	}
	memset(vm->lazy_blocks, 0xff, nblocks / LONG_BITS * sizeof(unsigned long));
	if (nblocks % LONG_BITS)
		vm->lazy_blocks[nblocks / LONG_BITS] = (1UL << (nblocks % LONG_BITS)) - 1;
	vm->lazy_count = nblocks;
	vm->lazy_first = 0;
	vm->nr_free_blocks[VMSIM_MAX_PAGE_ORDER] += nblocks;
	vm->nr_free += top;
	return 0;
}

/* Frames leaving the allocator from an owed block: the flush is paid (or,
 * with the alloc point switched off, not), and the new owner starts from
 * zeros like every fresh frame. */
static void takeoff(struct vmsim *vm, struct vmsim_page *page, unsigned order, uint32_t key)
{
	unsigned long pfn = vmsim_page_to_pfn(vm, page);

	if (key && vm->luf_takeoff)
		vm->luf_takeoff(vm, key, pfn, order);
	for (unsigned long i = 0; i < (1UL << order); i++) {
		if (vmsim_page_test(page + i, PG_has_data)) {
			vmsim_page_clear(page + i, PG_has_data);
			vm->frames_with_data--;
		}
	}
	if (vm->luf_allocated)
		vm->luf_allocated(vm, pfn, order);
}

struct vmsim_page *vmsim_alloc_pages(struct vmsim *vm, unsigned order)
{
	struct vmsim_page *page = NULL;
	uint32_t key;
	unsigned o;

	if (!vm || order > VMSIM_MAX_PAGE_ORDER)
		return NULL;
	/* get_page_from_free_area() of v12: at each order the free list
	 * first, then the pend list (empty unless LUF is on). */
	for (o = order; o <= VMSIM_MAX_PAGE_ORDER; o++) {
		if (o == VMSIM_MAX_PAGE_ORDER && !vm->free_area[o] && vm->lazy_count)
			lazy_take_lowest(vm);
		page = vm->free_area[o] ? vm->free_area[o] : vm->pend_area[o];
		if (page)
			break;
	}
	if (!page)
		return NULL;
	key = block_key(page);
	del_from_free_list(vm, page, o);
	/* expand(): give back the upper halves (they owe what the block owed). */
	while (o > order) {
		o--;
		add_to_free_list(vm, page + (1UL << o), o, key);
	}
	vm->nr_free -= 1UL << order;
	if (key || vm->luf_allocated)
		takeoff(vm, page, order, key);
	page->refcount = 1;
	page->order = (uint8_t)order;
	if (order)
		vmsim_page_set(page, PG_head);
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_PAGE_ALLOC, .cpu = -1,
			  .pfn = vmsim_page_to_pfn(vm, page), .order = order });
	return page;
}

/* prep_compound_page(): the tails point to the head. */
struct vmsim_page *vmsim_folio_alloc(struct vmsim *vm, unsigned order)
{
	struct vmsim_page *head;

	if (!vm || !order || order > VMSIM_MAX_PAGE_ORDER)
		return NULL;
	head = vmsim_alloc_pages(vm, order);
	if (!head)
		return NULL;
	for (unsigned long i = 1; i < (1UL << order); i++) {
		vmsim_page_set(&head[i], PG_tail);
		head[i].compound_idx = (uint16_t)i;
	}
	if (order == VMSIM_MAX_PAGE_ORDER)
		*vmsim__folio_meta(vm, head) = (struct vmsim_folio_meta){ 0 };
	return head;
}

int vmsim_folio_info(struct vmsim *vm, unsigned long pfn, struct vmsim_folio_info *out)
{
	struct vmsim_page *p = vm && out ? vmsim_pfn_to_page(vm, pfn) : NULL, *head;
	const struct vmsim_folio_meta *fm;

	if (!p)
		return -EINVAL;
	head = vmsim_compound_head(p);
	if (!vmsim_page_test(head, PG_head) || head->order != VMSIM_MAX_PAGE_ORDER)
		return -EINVAL;
	fm = vmsim__folio_meta(vm, head);
	*out = (struct vmsim_folio_info){ .head = vmsim_page_to_pfn(vm, head), .order = head->order,
		.entire_mapcount = fm->entire_mapcount, .mapcount = fm->large_mapcount,
		.nr_pages_mapped = fm->nr_pages_mapped, .pincount = fm->pincount,
		.maybe_mapped_shared = fm->maybe_mapped_shared };
	return 0;
}

static bool free_page_ok(struct vmsim *vm, struct vmsim_page *page, unsigned order)
{
	unsigned long pfn = vmsim_page_to_pfn(vm, page);

	if (VMSIM_BUG_ON(vm, order > VMSIM_MAX_PAGE_ORDER || pfn >= vm->nr_frames ||
			 (pfn & ((1UL << order) - 1)), "bad free of pfn %#lx order %u", pfn, order))
		return false;
	if (VMSIM_BUG_ON(vm, vmsim_page_test(page, PG_buddy), "double free of pfn %#lx", pfn))
		return false;
	if (VMSIM_BUG_ON(vm, vmsim_page_test(page, PG_reserved), "free of reserved pfn %#lx", pfn))
		return false;
	if (VMSIM_BUG_ON(vm, page->order != order, "pfn %#lx allocated at order %u, freed at %u",
			 pfn, page->order, order))
		return false;
	if (VMSIM_BUG_ON(vm, page->mapcount != 0, "free of pfn %#lx still mapped %d times", pfn, page->mapcount))
		return false;
	if (order == VMSIM_MAX_PAGE_ORDER && vmsim_page_test(page, PG_head)) {
		const struct vmsim_folio_meta *fm = vmsim__folio_meta(vm, page);

		if (VMSIM_BUG_ON(vm, fm->large_mapcount || fm->entire_mapcount || fm->pincount,
				 "free of folio pfn %#lx still mapped %d times (%d whole), %d pins", pfn,
				 fm->large_mapcount, fm->entire_mapcount, fm->pincount))
			return false;
	}
	if (VMSIM_BUG_ON(vm, vmsim_page_test(page, PG_tail), "free of pfn %#lx, a tail page", pfn))
		return false;
	return true;
}

void vmsim_free_pages(struct vmsim *vm, struct vmsim_page *page, unsigned order)
{
	vmsim__free_pages_luf(vm, page, order, 0);
}

void vmsim__free_pages_luf(struct vmsim *vm, struct vmsim_page *page, unsigned order, uint32_t key)
{
	unsigned long pfn;

	/* Bad arguments (not the state errors free_page_ok reports). */
	if (!vmsim__page_valid(vm, page) || order > VMSIM_MAX_PAGE_ORDER)
		return;
	pfn = vmsim_page_to_pfn(vm, page);
	if (!free_page_ok(vm, page, order))
		return;
	if (vm->page_free_hook)
		vm->page_free_hook(vm, page, order);
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_PAGE_FREE, .cpu = -1,
			  .pfn = pfn, .order = order });
	for (unsigned long i = 0; i < (1UL << order); i++) {
		struct vmsim_page *p = page + i;
		bool data = vmsim_page_test(p, PG_has_data);

		*p = (struct vmsim_page){ 0 };
		/* An owed block keeps what a stale translation reads. */
		if (data && key)
			vmsim_page_set(p, PG_has_data);
		else if (data)
			vm->frames_with_data--;
	}
	vm->nr_free += 1UL << order;
	/* __free_one_page(): merge with the buddy while it is free and whole. */
	while (order < VMSIM_MAX_PAGE_ORDER) {
		unsigned long buddy_pfn = pfn ^ (1UL << order);
		struct vmsim_page *buddy;

		if (buddy_pfn + (1UL << order) > vm->nr_frames)
			break;
		buddy = &vm->memmap[buddy_pfn];
		if (!vmsim_page_test(buddy, PG_buddy) || buddy->private_ != order)
			break;
		/* v12: the merged block owes what either half owed. */
		if (block_key(buddy))
			key = !key ? block_key(buddy) : vm->luf_fold ? vm->luf_fold(vm, key, block_key(buddy)) : key;
		del_from_free_list(vm, buddy, order);
		pfn &= buddy_pfn;
		order++;
	}
	add_to_free_list(vm, &vm->memmap[pfn], order, key);
}

int vmsim__take_page_off_buddy(struct vmsim *vm, struct vmsim_page *page)
{
	unsigned long pfn = vmsim_page_to_pfn(vm, page);

	/* A never-used block: on the list first (where is moot: it leaves). */
	if (lazy_block(vm, pfn))
		lazy_materialize(vm, pfn >> BLOCK_SHIFT);

	for (unsigned order = 0; order <= VMSIM_MAX_PAGE_ORDER; order++) {
		unsigned long head = pfn & ~((1UL << order) - 1);
		struct vmsim_page *h = &vm->memmap[head];

		uint32_t key;

		if (!vmsim_page_test(h, PG_buddy) || h->private_ != order)
			continue;
		key = block_key(h);
		del_from_free_list(vm, h, order);
		/* break_down_buddy_pages(): every half but the one holding
		 * pfn goes back, down to the single frame. */
		while (order > 0) {
			order--;
			if (pfn & (1UL << order)) {
				add_to_free_list(vm, h, order, key);
				h += 1UL << order;
			} else {
				add_to_free_list(vm, h + (1UL << order), order, key);
			}
		}
		vm->nr_free--;
		/* A frame leaving for good leaves the allocator all the same. */
		if (key || vm->luf_allocated)
			takeoff(vm, page, 0, key);
		page->refcount = 1;
		page->order = 0;
		return 0;
	}
	return -EBUSY;
}

bool vmsim__may_sleep(const struct vmsim *vm)
{
	if (vm->in_reclaim)
		return false;
	const struct vmsim_lockstack *ls = vm->locks ? vm->locks : &vm->main_locks;

	/* Spinlocks (ptl, page_table_lock) and the rmap locks reclaim itself
	 * takes forbid it; the sleeping locks reclaim never waits for do not:
	 * mmap_lock, a vma's lock, i_rwsem, and a folio lock (reclaim only
	 * trylocks folios, and skips one held, as do_cow_fault's source is). */
	for (unsigned i = 0; i < ls->nr; i++) {
		unsigned c = ls->h[i].lock->lclass;

		if (c != VMSIM_LOCK_MMAP && c != VMSIM_LOCK_VMA && c != VMSIM_LOCK_INODE && c != VMSIM_LOCK_FOLIO)
			return false;
	}
	return true;
}

struct vmsim_page *vmsim__alloc_pages_may_reclaim(struct vmsim *vm, unsigned order)
{
	for (;;) {
		struct vmsim_page *p = vmsim_alloc_pages(vm, order);

		if (p || !vm->alloc_slowpath || !vmsim__may_sleep(vm))
			return p;
		if (!vm->alloc_slowpath(vm, order))
			return NULL;
	}
}

int vmsim_page_alloc(struct vmsim *vm, unsigned order, unsigned long *pfn)
{
	struct vmsim_page *page;

	if (!vm || order > VMSIM_MAX_PAGE_ORDER || !pfn)
		return -EINVAL;
	page = vmsim_alloc_pages(vm, order);
	if (!page)
		return -ENOMEM;
	*pfn = vmsim_page_to_pfn(vm, page);
	return 0;
}

int vmsim_page_free(struct vmsim *vm, unsigned long pfn, unsigned order)
{
	struct vmsim_page *page;

	if (!vm || order > VMSIM_MAX_PAGE_ORDER || pfn >= vm->nr_frames || (pfn & ((1UL << order) - 1)))
		return -EINVAL;
	page = &vm->memmap[pfn];
	/* Only a block this API handed out, whole and unmapped, may come back. */
	if (vmsim_page_test(page, PG_buddy) || vmsim_page_test(page, PG_reserved) ||
	    vmsim_page_test(page, PG_table) || vmsim_page_test(page, PG_swapcache) ||
	    page->refcount != 1 || page->order != order || page->mapcount || page->mapping)
		return -EINVAL;
	page->refcount = 0;
	vmsim_free_pages(vm, page, order);
	return 0;
}

void vmsim_get_page(struct vmsim *vm, struct vmsim_page *page)
{
	if (!vmsim__page_valid(vm, page))
		return;
	page = vmsim_compound_head(page);
	/* An idle persistent-memory folio sits at 0 (free_zone_device_folio
	 * left it there for the filesystem), and mapping it takes it up again. */
	if (VMSIM_BUG_ON(vm, page->refcount <= 0 && !vmsim_page_test(page, PG_reserved) &&
			 !vmsim_page_test(page, PG_device),
			 "get_page on pfn %#lx with refcount %d", vmsim_page_to_pfn(vm, page), page->refcount))
		return;
	page->refcount++;
}

void vmsim_put_page(struct vmsim *vm, struct vmsim_page *page)
{
	if (!vmsim__page_valid(vm, page))
		return;
	page = vmsim_compound_head(page);
	if (VMSIM_BUG_ON(vm, page->refcount <= 0, "put_page on pfn %#lx with refcount %d",
			 vmsim_page_to_pfn(vm, page), page->refcount))
		return;
	if (--page->refcount || vmsim_page_test(page, PG_reserved) || vmsim_page_test(page, PG_device))
		return;
	/* __folio_put(): off the LRU (page_release_hook), then to the
	 * hugetlb pool or the buddy allocator. */
	if (vm->page_release_hook)
		vm->page_release_hook(vm, page);
	if (vmsim_page_test(page, PG_hugetlb) && vm->free_huge_folio) {
		vm->free_huge_folio(vm, page);
	} else {
		vmsim_free_pages(vm, page, page->order);
	}
}

unsigned long vmsim_nr_free_pages(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->nr_free;
}

unsigned long vmsim_nr_free_blocks(const struct vmsim *vm, unsigned order)
{
	return vm && order <= VMSIM_MAX_PAGE_ORDER ? vm->nr_free_blocks[order] : 0;
}

uint32_t vmsim__page_luf_key(struct vmsim *vm, unsigned long pfn)
{
	for (unsigned order = 0; order <= VMSIM_MAX_PAGE_ORDER && pfn < vm->nr_frames; order++) {
		struct vmsim_page *h = &vm->memmap[pfn & ~((1UL << order) - 1)];

		if (!lazy_block(vm, pfn) && vmsim_page_test(h, PG_buddy) && h->private_ == order)
			return block_key(h);
	}
	return 0;
}
