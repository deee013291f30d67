/* Swap devices: swapon/swapoff, slots and their reference counts
 * (swap_map, SWAP_HAS_CACHE), the cluster allocator, and the device's
 * contents.  Follows mm/swapfile.c of Linux 6.18 (folio_alloc_swap,
 * swap_duplicate, swap_free, free_swap_and_cache, swp_swapcount,
 * try_to_unuse, vm_swap_full).  Simplified: one priority, no extents, no
 * discard, no large folios; counts are plain integers (no
 * COUNT_CONTINUED pages); the allocator keeps Linux's shape (512-slot
 * clusters, slot 0 the header, a current cluster filled in order, then
 * the first free cluster, then the first with room), not its per-CPU
 * clusters.  Writes are synchronous: what a device holds is what was
 * last written to the slot (nothing at all with data=off). */
#include <string.h>
#include <utlist.h>

#include "mm_internal.h"

#define SWAPFILE_CLUSTER	512

struct swap_slot {
	uint32_t count;			/* swap ptes and shmem entries */
	bool has_cache;			/* SWAP_HAS_CACHE */
	struct vmsim_page *cache;	/* the swap cache's folio, if any */
	unsigned char *data;		/* last write; NULL: zeros */
};

struct swap_cluster {
	struct swap_slot *slots;	/* SWAPFILE_CLUSTER, on first use */
	unsigned used;			/* slots taken (count or cache) */
};

struct swap_info_struct {
	int type;
	bool writeok;			/* SWP_WRITEOK: swapoff clears it first */
	uint64_t size;
	unsigned long max;		/* slots, the header included */
	unsigned long inuse_pages, cached;
	unsigned long nr_clusters;
	struct swap_cluster *clusters;
	unsigned long cur;		/* the cluster being filled */
	unsigned long next;		/* the next offset to try in it */
};

static struct vmsim_mm_world *W(struct vmsim *vm) { return vm->mm_world; }

struct swap_info_struct *vmsim__swap_info(struct vmsim *vm, swp_entry_t entry)
{
	unsigned type = swp_type(entry);
	struct swap_info_struct *si;

	if (type >= MAX_SWAPFILES)
		return NULL;
	si = W(vm)->swap_info[type];
	if (!si || !swp_offset(entry) || swp_offset(entry) >= si->max)
		return NULL;
	return si;
}

/* The slot, or NULL for a bad entry or one whose cluster was never used. */
static struct swap_slot *slot_of(struct vmsim *vm, swp_entry_t entry)
{
	struct swap_info_struct *si = vmsim__swap_info(vm, entry);
	struct swap_cluster *c;

	if (!si)
		return NULL;
	c = &si->clusters[swp_offset(entry) / SWAPFILE_CLUSTER];
	return c->slots ? &c->slots[swp_offset(entry) % SWAPFILE_CLUSTER] : NULL;
}

static bool slot_free(const struct swap_slot *s)
{
	return !s->count && !s->has_cache;
}

/* A slot's last reference went: it can be allocated again. */
static void slot_release(struct vmsim *vm, struct swap_info_struct *si, unsigned long off)
{
	struct swap_cluster *c = &si->clusters[off / SWAPFILE_CLUSTER];
	struct swap_slot *s = &c->slots[off % SWAPFILE_CLUSTER];

	vmsim__free(vm, s->data);
	s->data = NULL;
	c->used--;
	si->inuse_pages--;
	W(vm)->nr_swap_pages++;
}

/* ---- allocation (cluster_alloc_swap_entry) ---- */

static int cluster_populate(struct vmsim *vm, struct swap_cluster *c)
{
	if (!c->slots)
		c->slots = vmsim__calloc(vm, SWAPFILE_CLUSTER, sizeof(*c->slots));
	return c->slots ? 0 : -ENOMEM;
}

static long scan_cluster(struct vmsim *vm, struct swap_info_struct *si, unsigned long ci, unsigned long from)
{
	struct swap_cluster *c = &si->clusters[ci];
	unsigned long first = ci * SWAPFILE_CLUSTER, end = first + SWAPFILE_CLUSTER;

	if (end > si->max)
		end = si->max;
	if (from < first)
		from = first;
	if (!from)
		from = 1;	/* slot 0 holds the swap header */
	if (c->used == SWAPFILE_CLUSTER || cluster_populate(vm, c))
		return -1;
	for (unsigned long off = from; off < end; off++)
		if (slot_free(&c->slots[off % SWAPFILE_CLUSTER]))
			return (long)off;
	return -1;
}

static long alloc_slot(struct vmsim *vm, struct swap_info_struct *si)
{
	long off = scan_cluster(vm, si, si->cur, si->next);

	if (off < 0) {
		/* A fresh cluster first, then any with room, lowest first. */
		for (unsigned long ci = 0; ci < si->nr_clusters && off < 0; ci++)
			if (!si->clusters[ci].used && ci != si->cur)
				off = scan_cluster(vm, si, ci, 0);
		for (unsigned long ci = 0; ci < si->nr_clusters && off < 0; ci++)
			off = scan_cluster(vm, si, ci, 0);
		if (off < 0)
			return -1;
	}
	si->cur = (unsigned long)off / SWAPFILE_CLUSTER;
	si->next = (unsigned long)off + 1;
	return off;
}

/* folio_alloc_swap(): a slot for the folio, held by SWAP_HAS_CACHE (the
 * caller adds the folio to the swap cache).  0 when swap is full or off. */
swp_entry_t vmsim__folio_alloc_swap(struct vmsim *vm)
{
	for (int type = 0; type < MAX_SWAPFILES; type++) {
		struct swap_info_struct *si = W(vm)->swap_info[type];
		struct swap_slot *s;
		long off;

		if (!si || !si->writeok || si->inuse_pages == si->max - 1)
			continue;
		off = alloc_slot(vm, si);
		if (off < 0)
			continue;
		s = &si->clusters[off / SWAPFILE_CLUSTER].slots[off % SWAPFILE_CLUSTER];
		s->has_cache = true;
		si->clusters[off / SWAPFILE_CLUSTER].used++;
		si->inuse_pages++;
		W(vm)->nr_swap_pages--;
		return swp_entry((unsigned long)type, (pgoff_t)off);
	}
	return (swp_entry_t){ 0 };
}

/* ---- counts ---- */

/* swap_duplicate(): one more pte (fork) or shmem entry refers to the
 * slot.  0, or -ENOENT for an entry that is not in use. */
int vmsim__swap_duplicate(struct vmsim *vm, swp_entry_t entry)
{
	struct swap_slot *s = slot_of(vm, entry);

	if (!s || slot_free(s))
		return -ENOENT;
	s->count++;
	return 0;
}

/* swap_shmem_alloc(): the shmem page-cache entry's reference. */
void vmsim__swap_shmem_alloc(struct vmsim *vm, swp_entry_t entry)
{
	struct swap_slot *s = slot_of(vm, entry);

	if (!VMSIM_BUG_ON(vm, !s || !s->has_cache, "swap_shmem_alloc of unused entry %#lx", entry.val))
		s->count++;
}

static void put_count(struct vmsim *vm, swp_entry_t entry, const char *who)
{
	struct swap_info_struct *si = vmsim__swap_info(vm, entry);
	struct swap_slot *s = slot_of(vm, entry);

	if (VMSIM_BUG_ON(vm, !s || !s->count, "%s: swap entry %#lx has no reference", who, entry.val))
		return;
	if (--s->count == 0 && !s->has_cache)
		slot_release(vm, si, swp_offset(entry));
}

/* swap_free(): one reference less; the slot is free when none is left
 * and the swap cache does not hold it. */
void vmsim__swap_free(struct vmsim *vm, swp_entry_t entry)
{
	put_count(vm, entry, "swap_free");
}

/* free_swap_and_cache() (zap): drop the pte's reference; a folio left in
 * the swap cache with no reference and unmapped goes too
 * (__try_to_reclaim_swap with TTRS_UNMAPPED | TTRS_FULL). */
void vmsim__free_swap_and_cache(struct vmsim *vm, swp_entry_t entry)
{
	struct swap_slot *s = slot_of(vm, entry);
	struct vmsim_page *p;

	put_count(vm, entry, "free_swap_and_cache");
	if (!s || s->count || !s->has_cache || !(p = s->cache))
		return;
	if ((p->mapcount > 0 && !vmsim__vm_swap_full(vm)) || vmsim_page_test(p, PG_locked) ||
	    vmsim_page_test(p, PG_writeback))
		return;
	vmsim_get_page(vm, p);
	vmsim__delete_from_swap_cache(vm, p);
	vmsim_page_set(p, PG_dirty);
	vmsim_put_page(vm, p);
}

/* __swap_count()/swp_swapcount(): references to the slot, the swap
 * cache's excluded. */
unsigned vmsim__swap_count(struct vmsim *vm, swp_entry_t entry)
{
	struct swap_slot *s = slot_of(vm, entry);

	return s ? s->count : 0;
}

/* vm_swap_full(): more than half of swap is in use. */
bool vmsim__vm_swap_full(struct vmsim *vm)
{
	return W(vm)->nr_swap_pages * 2 < W(vm)->total_swap_pages;
}

bool vmsim__swap_enabled(struct vmsim *vm)
{
	return W(vm)->nr_swap_pages > 0;
}

/* ---- the swap cache's slots (mm/swap_state.c uses these) ---- */

struct vmsim_page *vmsim__swap_slot_cache(struct vmsim *vm, swp_entry_t entry)
{
	struct swap_slot *s = slot_of(vm, entry);

	return s ? s->cache : NULL;
}

/* SWAP_HAS_CACHE taken for a folio about to be read in (swapcache_prepare):
 * -EEXIST when another folio has it, -ENOENT for a free slot. */
int vmsim__swap_slot_set_cache(struct vmsim *vm, swp_entry_t entry, struct vmsim_page *p)
{
	struct swap_info_struct *si = vmsim__swap_info(vm, entry);
	struct swap_slot *s = slot_of(vm, entry);

	if (!s || slot_free(s))
		return -ENOENT;
	if (s->cache && p)
		return -EEXIST;
	if (!s->cache && p)
		si->cached++;
	else if (s->cache && !p)
		si->cached--;
	s->cache = p;
	s->has_cache = true;
	return 0;
}

/* swapcache_clear(): the folio left the swap cache. */
void vmsim__swap_slot_clear_cache(struct vmsim *vm, swp_entry_t entry)
{
	struct swap_info_struct *si = vmsim__swap_info(vm, entry);
	struct swap_slot *s = slot_of(vm, entry);

	if (VMSIM_BUG_ON(vm, !s || !s->has_cache, "swapcache_clear of entry %#lx not cached", entry.val))
		return;
	if (s->cache)
		si->cached--;
	s->cache = NULL;
	s->has_cache = false;
	if (!s->count)
		slot_release(vm, si, swp_offset(entry));
}

/* ---- the device's contents (swap_writepage / swap_read_folio) ---- */

int vmsim__swap_write(struct vmsim *vm, swp_entry_t entry, struct vmsim_page *p)
{
	struct swap_slot *s = slot_of(vm, entry);

	if (VMSIM_BUG_ON(vm, !s, "swap write to bad entry %#lx", entry.val))
		return -EIO;
	if (!vm->cfg.data || !vmsim_page_test(p, PG_has_data)) {
		vmsim__free(vm, s->data);
		s->data = NULL;
		return 0;
	}
	if (!s->data && !(s->data = vmsim__malloc(vm, PAGE_SIZE)))
		return -ENOMEM;
	vmsim_frame_read(vm, p, 0, s->data, PAGE_SIZE);
	return 0;
}

void vmsim__swap_read(struct vmsim *vm, swp_entry_t entry, struct vmsim_page *p)
{
	struct swap_slot *s = slot_of(vm, entry);

	if (s && s->data)
		vmsim_frame_write(vm, p, 0, s->data, PAGE_SIZE);
	else
		vmsim_frame_fill(vm, p, 0, 0, PAGE_SIZE);
}

/* What a swap-in of entry would give, without reading anything in: the
 * swap cache's folio, else the slot's last write (the stale-read detector
 * compares with it). */
void vmsim__swap_peek(struct vmsim *vm, swp_entry_t entry, unsigned char *buf)
{
	struct swap_slot *s = slot_of(vm, entry);

	if (s && s->cache)
		vmsim_frame_read(vm, s->cache, 0, buf, PAGE_SIZE);
	else if (s && s->data)
		memcpy(buf, s->data, PAGE_SIZE);
	else
		memset(buf, 0, PAGE_SIZE);
}

/* ---- swapon / swapoff ---- */

int vmsim_swapon(struct vmsim *vm, uint64_t size, int *type)
{
	struct swap_info_struct *si;
	unsigned long max;
	int t;

	if (!vm || (size & (PAGE_SIZE - 1)) || size < 2 * PAGE_SIZE || size > VMSIM_MAX_RAM)
		return -EINVAL;
	for (t = 0; t < (int)vmsim_max_swapfiles(vm) && W(vm)->swap_info[t]; t++)
		;
	if (t >= (int)vmsim_max_swapfiles(vm))
		return -EPERM;
	max = (unsigned long)(size >> PAGE_SHIFT);
	si = vmsim__calloc(vm, 1, sizeof(*si));
	if (!si)
		return -ENOMEM;
	si->nr_clusters = (max + SWAPFILE_CLUSTER - 1) / SWAPFILE_CLUSTER;
	si->clusters = vmsim__calloc(vm, si->nr_clusters, sizeof(*si->clusters));
	if (!si->clusters) {
		vmsim__free(vm, si);
		return -ENOMEM;
	}
	si->type = t;
	si->size = size;
	si->max = max;
	si->writeok = true;
	si->next = 1;
	W(vm)->swap_info[t] = si;
	W(vm)->nr_swap_pages += (long)(max - 1);
	W(vm)->total_swap_pages += (long)(max - 1);
	if (type)
		*type = t;
	return 0;
}

static void swap_info_free(struct vmsim *vm, struct swap_info_struct *si)
{
	for (unsigned long ci = 0; ci < si->nr_clusters; ci++) {
		struct swap_cluster *c = &si->clusters[ci];

		if (!c->slots)
			continue;
		for (unsigned i = 0; i < SWAPFILE_CLUSTER; i++)
			vmsim__free(vm, c->slots[i].data);
		vmsim__free(vm, c->slots);
	}
	vmsim__free(vm, si->clusters);
	vmsim__free(vm, si);
}

/* try_to_unuse(): every reference to the device goes back to memory.
 * Processes first (unuse_mm through the kinds' unuse hooks), then shmem
 * files (shmem_unuse), then whatever the swap cache still holds. */
static int try_to_unuse(struct vmsim *vm, int type)
{
	struct swap_info_struct *si = W(vm)->swap_info[type];
	int err;

	err = vmsim__unuse_mms(vm, type);
	if (!err)
		err = vmsim__shmem_unuse(vm, type);
	if (err)
		return err;
	for (unsigned long ci = 0; ci < si->nr_clusters; ci++) {
		struct swap_cluster *c = &si->clusters[ci];

		for (unsigned i = 0; c->slots && i < SWAPFILE_CLUSTER; i++) {
			struct vmsim_page *p = c->slots[i].cache;

			if (c->slots[i].count)
				return -EBUSY;	/* a reference nobody could bring back */
			if (!p)
				continue;
			/* folio_free_swap() of an unmapped or swapped-in folio. */
			vmsim_get_page(vm, p);
			vmsim__delete_from_swap_cache(vm, p);
			vmsim_page_set(p, PG_dirty);
			vmsim_put_page(vm, p);
		}
	}
	return si->inuse_pages ? -EBUSY : 0;
}

int vmsim_swapoff(struct vmsim *vm, int type)
{
	struct swap_info_struct *si;
	int err;

	if (!vm || type < 0 || type >= MAX_SWAPFILES || !(si = W(vm)->swap_info[type]) || !si->writeok)
		return -EINVAL;
	si->writeok = false;
	W(vm)->nr_swap_pages -= (long)(si->max - 1 - si->inuse_pages);
	W(vm)->total_swap_pages -= (long)(si->max - 1);
	err = try_to_unuse(vm, type);
	if (err) {
		/* reinsert_swap_info(): the device is usable again. */
		si->writeok = true;
		W(vm)->nr_swap_pages += (long)(si->max - 1 - si->inuse_pages);
		W(vm)->total_swap_pages += (long)(si->max - 1);
		vmsim__mm_op_done(vm);
		return err == -EBUSY ? -ENOMEM : err;
	}
	W(vm)->swap_info[type] = NULL;
	swap_info_free(vm, si);
	vmsim__mm_op_done(vm);
	return 0;
}

/* Machine teardown: whatever is left (processes are gone by now). */
void vmsim__swap_exit(struct vmsim *vm)
{
	for (int t = 0; t < MAX_SWAPFILES; t++) {
		struct swap_info_struct *si = W(vm)->swap_info[t];

		if (!si)
			continue;
		for (unsigned long ci = 0; ci < si->nr_clusters; ci++) {
			struct swap_cluster *c = &si->clusters[ci];

			for (unsigned i = 0; c->slots && i < SWAPFILE_CLUSTER; i++) {
				struct vmsim_page *p = c->slots[i].cache;

				if (p) {
					vmsim_get_page(vm, p);
					vmsim__delete_from_swap_cache(vm, p);
					vmsim_put_page(vm, p);
				}
			}
		}
		W(vm)->swap_info[t] = NULL;
		swap_info_free(vm, si);
	}
}

int vmsim_swap_info(struct vmsim *vm, int type, struct vmsim_swap_info *out)
{
	struct swap_info_struct *si;

	if (!vm || !out || type < 0)
		return -EINVAL;
	if (type >= MAX_SWAPFILES || !(si = W(vm)->swap_info[type]))
		return -ENOENT;
	*out = (struct vmsim_swap_info){ .size = si->size, .pages = si->max - 1, .inuse = si->inuse_pages,
					 .cached = si->cached };
	return 0;
}

int vmsim_swap_slot(struct vmsim *vm, int type, unsigned long offset, struct vmsim_swap_slot *out)
{
	struct swap_info_struct *si;
	struct swap_slot *s;

	if (!vm || !out || type < 0)
		return -EINVAL;
	if (type >= MAX_SWAPFILES || !(si = W(vm)->swap_info[type]))
		return -ENOENT;
	if (offset >= si->max)
		return -EINVAL;
	s = offset ? slot_of(vm, swp_entry((unsigned long)type, offset)) : NULL;
	*out = (struct vmsim_swap_slot){ 0 };
	if (s) {
		out->count = s->count;
		out->cached = s->cache != NULL;
		out->pfn = s->cache ? vmsim_page_to_pfn(vm, s->cache) : 0;
	}
	return 0;
}

/* For the checker: every slot's count and cache, through fn. */
void vmsim__swap_for_each_slot(struct vmsim *vm, void (*fn)(void *arg, swp_entry_t e, unsigned count,
							    bool has_cache, struct vmsim_page *cache),
			       void *arg)
{
	for (int t = 0; t < MAX_SWAPFILES; t++) {
		struct swap_info_struct *si = W(vm)->swap_info[t];

		for (unsigned long ci = 0; si && ci < si->nr_clusters; ci++) {
			struct swap_cluster *c = &si->clusters[ci];

			for (unsigned i = 0; c->slots && i < SWAPFILE_CLUSTER; i++) {
				struct swap_slot *s = &c->slots[i];

				if (!slot_free(s))
					fn(arg, swp_entry((unsigned long)t, ci * SWAPFILE_CLUSTER + i), s->count,
					   s->has_cache, s->cache);
			}
		}
	}
}
