/* Files and the page cache: shmem (page cache, and swap: a swapped-out
 * page's slot holds its swap entry), disk (page cache over a backing
 * store, with mmap read-around and async readahead), read/write, hole
 * punch and truncate in Linux's order (unmap, then drop from the cache),
 * writeback (folio_mkclean first) and the flusher reclaim wakes.  Follows
 * mm/filemap.c (filemap_fault, do_sync/async_mmap_readahead),
 * mm/readahead.c (page_cache_ra_unbounded, get_init_ra_size,
 * get_next_ra_size), mm/shmem.c (shmem_fault, shmem_get_folio_gfp,
 * shmem_swapin_folio, shmem_writeout, shmem_unuse, shmem_fallocate) and
 * mm/truncate.c.  Simplified: one readahead state per file rather than per
 * open file; no large folios; writeback is synchronous; no shadow entries;
 * shmem swap-in reads only the page asked for (no cluster readahead). */
#include <string.h>
#include <uthash.h>
#include <utlist.h>

#include "mm_internal.h"

struct vmsim_pagecache_entry {
	uint64_t pgoff;
	struct vmsim_page *page;	/* page cache: the folio */
	swp_entry_t swap;		/* shmem: the page is in swap (page NULL) */
	unsigned char *data;		/* store: the block, NULL = zeros */
	UT_hash_handle hh;
};

#define MMAP_LOTSAMISS		100

struct ra_state {
	uint64_t start, size, async_size;
	unsigned mmap_miss;
};

static struct ra_state *file_ra(struct vmsim_file *f);

/* ---- the file objects ---- */

int vmsim_file_new(struct vmsim *vm, const char *name, enum vmsim_file_kind kind, uint64_t size,
		   struct vmsim_file **out)
{
	struct vmsim_file *f;

	if (!vm || !vm->mm_world || !name || !*name || strlen(name) >= sizeof(f->name) ||
	    (unsigned)kind > VMSIM_FILE_HUGETLB)
		return -EINVAL;
	/* A hugetlbfs file is made of whole huge pages. */
	if (kind == VMSIM_FILE_HUGETLB && (size & (PMD_SIZE - 1)))
		return -EINVAL;
	if (size > (1ULL << 46))
		return -EFBIG;
	if (kind == VMSIM_FILE_DAX && !dax_hooks(vm))
		return -EOPNOTSUPP;	/* no DAX device on this machine */
	if (vmsim_file_lookup(vm, name))
		return -EEXIST;
	f = vmsim__calloc(vm, 1, sizeof(*f) + sizeof(struct ra_state));
	if (!f)
		return -ENOMEM;
	f->vm = vm;
	strcpy(f->name, name);
	f->kind = kind;
	f->i_size = size;
	/* bdi->ra_pages: the block device's read_ahead_kb (machine option). */
	f->ra_pages = vm->cfg.readahead >> PAGE_SHIFT;
	f->refcount = 1;	/* the machine's directory entry */
	vmsim_lock_init(&f->i_mmap_rwsem, VMSIM_LOCK_I_MMAP);
	vmsim_lock_init(&f->i_rwsem, VMSIM_LOCK_INODE);
	if (kind == VMSIM_FILE_HUGETLB && vmsim__hugetlbfs_init(f)) {
		vmsim__free(vm, f);
		return -ENOMEM;
	}
	if (kind == VMSIM_FILE_DAX) {
		int err = dax_hooks(vm)->file_new(f);

		if (err) {
			vmsim__free(vm, f);
			return err;
		}
	}
	LL_PREPEND(mm_world(vm)->files, f);
	if (out)
		*out = f;
	return 0;
}

static struct ra_state *file_ra(struct vmsim_file *f)
{
	return (struct ra_state *)(f + 1);
}

/* MAP_SHARED|MAP_ANONYMOUS is shmem on an unnamed file (shmem_zero_setup). */
struct vmsim_file *vmsim__shmem_zero_setup(struct vmsim *vm, uint64_t size)
{
	struct vmsim_file *f = vmsim__calloc(vm, 1, sizeof(*f) + sizeof(struct ra_state));

	if (!f)
		return NULL;
	f->vm = vm;
	strcpy(f->name, "dev/zero");
	f->kind = VMSIM_FILE_SHMEM;
	f->i_size = size;
	f->internal = true;
	f->refcount = 0;	/* only the vmas hold it */
	vmsim_lock_init(&f->i_mmap_rwsem, VMSIM_LOCK_I_MMAP);
	vmsim_lock_init(&f->i_rwsem, VMSIM_LOCK_INODE);
	return f;
}

struct vmsim_file *vmsim_file_lookup(struct vmsim *vm, const char *name)
{
	struct vmsim_file *f;

	if (!vm || !vm->mm_world || !name)
		return NULL;
	LL_FOREACH(mm_world(vm)->files, f)
		if (!strcmp(f->name, name))
			return f;
	return NULL;
}

uint64_t vmsim_file_size(const struct vmsim_file *f)
{
	if (!f)
		return 0;
	return f->i_size;
}

unsigned long vmsim_file_cached_pages(const struct vmsim_file *f)
{
	if (!f)
		return 0;
	return f->nrpages;
}

/* info->swapped changes; the file is on shmem_swaplist while it is not 0
 * (Linux keeps it there until shmem_unuse() or eviction finds it 0). */
static void shmem_swapped_add(struct vmsim_file *f, long d)
{
	struct vmsim_mm_world *w = mm_world(f->vm);

	if (!f->swapped && d > 0)
		DL_APPEND2(w->shmem_swaplist, f, swap_prev, swap_next);
	f->swapped = (unsigned long)((long)f->swapped + d);
	if (!f->swapped)
		DL_DELETE2(w->shmem_swaplist, f, swap_prev, swap_next);
}

static void cache_delete(struct vmsim_file *f, struct vmsim_pagecache_entry *e)
{
	struct vmsim_page *p = e->page;

	if (!p) {
		/* shmem_free_swap(): a swapped-out page of the hole. */
		HASH_DEL(f->pages, e);
		vmsim__free_swap_and_cache(f->vm, e->swap);
		shmem_swapped_add(f, -1);
		vmsim__free(f->vm, e);
		return;
	}
	HASH_DEL(f->pages, e);
	f->nrpages--;
	p->mapping = NULL;
	vmsim_page_clear(p, PG_uptodate);
	vmsim_page_clear(p, PG_dirty);
	vmsim_page_clear(p, PG_readahead);
	vmsim__free(f->vm, e);
	vmsim_put_page(f->vm, p);	/* the page cache's reference */
}

static void file_destroy(struct vmsim_file *f)
{
	struct vmsim_pagecache_entry *e, *t;

	HASH_ITER(hh, f->pages, e, t)
		cache_delete(f, e);
	HASH_ITER(hh, f->store, e, t) {
		HASH_DEL(f->store, e);
		vmsim__free(f->vm, e->data);
		vmsim__free(f->vm, e);
	}
	if (f->kind == VMSIM_FILE_HUGETLB)
		vmsim__hugetlbfs_exit(f);
	if (f->kind == VMSIM_FILE_DAX && dax_hooks(f->vm))
		dax_hooks(f->vm)->file_free(f);
	vmsim__luf_file_exit(f);
	vmsim__free(f->vm, f);
}

void vmsim__file_get(struct vmsim_file *f)
{
	f->refcount++;
}

void vmsim__file_put(struct vmsim_file *f)
{
	if (--f->refcount == 0)
		file_destroy(f);
}

void vmsim__files_free_all(struct vmsim *vm)
{
	struct vmsim_file *f, *t;

	LL_FOREACH_SAFE(mm_world(vm)->files, f, t) {
		LL_DELETE(mm_world(vm)->files, f);
		vmsim__file_put(f);
	}
}

/* ---- the page cache ---- */

struct vmsim_page *vmsim__filemap_get(struct vmsim_file *f, uint64_t pgoff)
{
	struct vmsim_pagecache_entry *e;

	/* A lookup, and whatever insertion follows it before the next
	 * point (so it needs no second look, as under the xa_lock). */
	vmsim__sp(f->vm, VMSIM_SP_PAGECACHE, vmsim__sp_cache_slot(f, pgoff));
	HASH_FIND(hh, f->pages, &pgoff, sizeof(pgoff), e);
	return e ? e->page : NULL;
}

int vmsim__filemap_add_folio(struct vmsim_file *f, uint64_t pgoff, struct vmsim_page *folio)
{
	struct vmsim_pagecache_entry *e = vmsim__calloc(f->vm, 1, sizeof(*e));
	unsigned long nr = vmsim_folio_nr_pages(folio);

	if (!e)
		return -ENOMEM;
	e->pgoff = pgoff;
	e->page = folio;
	for (unsigned long i = 0; i < nr; i++) {
		folio[i].mapping = f;
		folio[i].index = pgoff + i;
	}
	HASH_ADD(hh, f->pages, pgoff, sizeof(pgoff), e);
	f->nrpages += nr;
	return 0;
}

/* Drop the folio at pgoff from the page cache (its reference goes). */
void vmsim__filemap_remove(struct vmsim_file *f, uint64_t pgoff)
{
	struct vmsim_pagecache_entry *e;
	unsigned long nr;

	HASH_FIND(hh, f->pages, &pgoff, sizeof(pgoff), e);
	if (!e)
		return;
	nr = vmsim_folio_nr_pages(e->page);
	for (unsigned long i = 1; i < nr; i++)
		e->page[i].mapping = NULL;
	f->nrpages -= nr - 1;
	cache_delete(f, e);
}

static struct vmsim_pagecache_entry *cache_entry(struct vmsim_file *f, uint64_t pgoff)
{
	struct vmsim_pagecache_entry *e;

	HASH_FIND(hh, f->pages, &pgoff, sizeof(pgoff), e);
	return e;
}

/* Does the page cache hold something at pgoff: a folio, or (shmem) the
 * swap entry of one (filemap_get_entry). */
bool vmsim__filemap_has_entry(struct vmsim_file *f, uint64_t pgoff)
{
	return cache_entry(f, pgoff) != NULL;
}

static struct vmsim_lock *folio_lockptr(struct vmsim_page *p);

/* Add a new folio at pgoff; locked (filemap_add_folio()'s
 * __folio_set_locked(): nobody can have seen it) for a read into it. */
static struct vmsim_page *cache_add(struct vmsim_file *f, uint64_t pgoff, bool locked)
{
	struct vmsim_pagecache_entry *e = vmsim__calloc(f->vm, 1, sizeof(*e));
	struct vmsim_page *p;

	if (!e)
		return NULL;
	/* filemap_alloc_folio() may reclaim, and reclaim may take pages of
	 * this very file: the slot is looked at again afterwards. */
	p = vmsim__alloc_pages_may_reclaim(f->vm, 0);
	if (!p || cache_entry(f, pgoff)) {
		if (p)
			vmsim_put_page(f->vm, p);
		vmsim__free(f->vm, e);
		return NULL;
	}
	if (locked) {
		vmsim__lock_fresh_at(f->vm, folio_lockptr(p), "filemap_add_folio");
		vmsim_page_set(p, PG_locked);
	}
	e->pgoff = pgoff;
	e->page = p;
	p->mapping = f;
	p->index = pgoff;
	if (f->kind == VMSIM_FILE_SHMEM)
		vmsim_page_set(p, PG_swapbacked);
	/* luf=debug: the slot a LUF'd page left gets another page. */
	if (f->luf_slots)
		vmsim__luf_check_cache(f, pgoff, "given a new page");
	HASH_ADD(hh, f->pages, pgoff, sizeof(pgoff), e);
	f->nrpages++;
	vmsim__folio_add_lru(f->vm, p);	/* filemap_add_folio() */
	return p;
}

static struct vmsim_pagecache_entry *store_find(struct vmsim_file *f, uint64_t pgoff)
{
	struct vmsim_pagecache_entry *e;

	HASH_FIND(hh, f->store, &pgoff, sizeof(pgoff), e);
	return e;
}

/* The read of a locked new cache page from the backing store; it stays
 * locked (the I/O's folio_end_read() is the caller's). */
static void read_block(struct vmsim_file *f, struct vmsim_page *p)
{
	struct vmsim_pagecache_entry *s = store_find(f, p->index);

	if (s && s->data)
		vmsim_frame_write(f->vm, p, 0, s->data, PAGE_SIZE);
	vmsim_page_set(p, PG_uptodate);
}

/* A new cache page read from the backing store, still locked
 * (write_begin's page: filemap_add_folio(), then ->read_folio). */
static struct vmsim_page *read_in_locked(struct vmsim_file *f, uint64_t pgoff)
{
	struct vmsim_page *p = cache_add(f, pgoff, true);

	if (p)
		read_block(f, p);
	return p;
}

/* filemap_read_folio(): read, then unlocked (folio_end_read). */
static struct vmsim_page *read_in(struct vmsim_file *f, uint64_t pgoff)
{
	struct vmsim_page *p = read_in_locked(f, pgoff);

	if (p)
		vmsim__folio_unlock(f->vm, p);
	return p;
}

/* read_pages(): the readahead batch is read, each folio unlocked as its
 * read completes (folio_end_read). */
static void read_pages(struct vmsim_file *f, struct vmsim_page **batch, unsigned *nr)
{
	for (unsigned i = 0; i < *nr; i++) {
		read_block(f, batch[i]);
		vmsim__folio_unlock(f->vm, batch[i]);
	}
	*nr = 0;
}

static uint64_t file_pages(const struct vmsim_file *f)
{
	return (f->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT;
}

/* Folios a readahead batch holds locked at once (the lock model keeps
 * VMSIM_MAX_HELD_LOCKS locks a task; Linux's batch is the whole run of
 * new folios): a batch is read when full. */
#define RA_BATCH	16

/* page_cache_ra_unbounded(): read nr pages from index that are not cached
 * yet, never past EOF, and mark the page lookahead pages from the end.
 * New folios go into the page cache locked; each run of them is read
 * (read_pages) when an old folio or the end is met, and unlocked as it
 * is read. */
static void ra_unbounded(struct vmsim_file *f, uint64_t index, uint64_t nr, uint64_t lookahead,
			 const char *why)
{
	uint64_t end = file_pages(f);
	uint64_t mark = nr - lookahead;
	struct vmsim_page *batch[RA_BATCH];
	unsigned nb = 0;

	if (!end || index >= end)
		return;
	if (index + nr > end)
		nr = end - index;
	vmsim__trace(f->vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_READAHEAD, .cpu = -1,
			  .addr = index, .end = index + nr, .why = why, .file = f->name });
	for (uint64_t i = 0; i < nr; i++) {
		struct vmsim_page *p;

		if (vmsim__filemap_get(f, index + i)) {
			read_pages(f, batch, &nb);
			continue;
		}
		if (nb == RA_BATCH)
			read_pages(f, batch, &nb);
		p = cache_add(f, index + i, true);
		if (!p)
			break;
		if (i == mark)
			vmsim_page_set(p, PG_readahead);
		batch[nb++] = p;
	}
	read_pages(f, batch, &nb);
}

static uint64_t get_init_ra_size(uint64_t size, uint64_t max)
{
	uint64_t n = 1;

	while (n < size)
		n <<= 1;
	if (n <= max / 32)
		n *= 4;
	else if (n <= max / 4)
		n *= 2;
	else
		n = max;
	return n;
}

static uint64_t get_next_ra_size(const struct ra_state *ra, uint64_t max)
{
	if (ra->size < max / 16)
		return 4 * ra->size;
	if (ra->size <= max / 2)
		return 2 * ra->size;
	return max;
}

/* A hit on a PG_readahead page: read the next window ahead of use. */
static void async_readahead(struct vmsim_file *f, struct vmsim_page *p)
{
	struct ra_state *ra = file_ra(f);

	vmsim_page_clear(p, PG_readahead);
	if (!f->ra_pages)
		return;
	if (p->index == ra->start + ra->size - ra->async_size || p->index == ra->start + ra->size) {
		ra->start += ra->size;
		ra->size = get_next_ra_size(ra, f->ra_pages);
		ra->async_size = ra->size;
	} else {
		/* A marker from another stream: start over from here. */
		ra->start = p->index + 1;
		ra->size = get_init_ra_size(1, f->ra_pages);
		ra->async_size = ra->size;
	}
	ra_unbounded(f, ra->start, ra->size, ra->async_size, "async readahead");
}

/* do_sync_mmap_readahead(): read around the faulting page. */
static void sync_mmap_readahead(struct vmsim_file *f, uint64_t pgoff)
{
	struct ra_state *ra = file_ra(f);

	if (!f->ra_pages)
		return;
	if (ra->mmap_miss < MMAP_LOTSAMISS * 10)
		ra->mmap_miss++;
	if (ra->mmap_miss > MMAP_LOTSAMISS)
		return;
	ra->start = pgoff > f->ra_pages / 2 ? pgoff - f->ra_pages / 2 : 0;
	ra->size = f->ra_pages;
	ra->async_size = f->ra_pages / 4;
	ra_unbounded(f, ra->start, ra->size, ra->async_size, "sync read-around");
}

/* ---- shmem: pages in swap ---- */

enum sgp_type { SGP_READ, SGP_CACHE, SGP_WRITE };

/* shmem_swapin_folio(): the folio of a swapped-out page back in the page
 * cache (from the swap cache, or read from the device), out of the swap
 * cache, dirty, its swap slot freed.  With a reference. */
static int shmem_swapin_folio(struct vmsim_file *f, struct vmsim_pagecache_entry *e, enum sgp_type sgp,
			      struct vmsim_page **out)
{
	struct vmsim *vm = f->vm;
	swp_entry_t entry = e->swap;
	struct vmsim_page *p = vmsim__swap_cache_get_folio(vm, entry, NULL, 0);
	uint64_t pgoff = e->pgoff;
	bool new;

	if (!p) {
		p = vmsim__read_swap_cache_async(vm, entry, &new);
		if (!p)
			return -ENOMEM;
		/* The read may have reclaimed: is the entry still ours? */
		e = cache_entry(f, pgoff);
		if (!e || e->page || e->swap.val != entry.val) {
			vmsim_put_page(vm, p);
			return -EAGAIN;
		}
	}
	if (vmsim_page_test(p, PG_hwpoison)) {
		vmsim_put_page(vm, p);
		return -EIO;
	}
	/* shmem_add_to_page_cache() in place of the swap entry. */
	vmsim_get_page(vm, p);
	e->page = p;
	e->swap.val = 0;
	p->mapping = f;
	p->index = pgoff;
	f->nrpages++;
	shmem_swapped_add(f, -1);
	if (sgp == SGP_WRITE)
		vmsim__folio_mark_accessed(vm, p);
	vmsim__delete_from_swap_cache(vm, p);
	vmsim_page_set(p, PG_dirty);
	vmsim__swap_free(vm, entry);
	*out = p;
	return 0;
}

/* shmem_get_folio(): the folio at pgoff with a reference; a swapped-out
 * page comes back in, a hole gets a fresh zeroed page unless sgp is
 * SGP_READ (*out NULL then).  0, -ENOMEM, -EIO (poisoned). */
static int shmem_get_folio(struct vmsim_file *f, uint64_t pgoff, enum sgp_type sgp, struct vmsim_page **out)
{
	for (int tries = 0; tries < 8; tries++) {
		struct vmsim_pagecache_entry *e = cache_entry(f, pgoff);
		struct vmsim_page *p;
		int err;

		if (e && e->page) {
			if (vmsim_page_test(e->page, PG_hwpoison))
				return -EIO;
			if (sgp == SGP_WRITE)
				vmsim__folio_mark_accessed(f->vm, e->page);
			vmsim_get_page(f->vm, e->page);
			*out = e->page;
			return 0;
		}
		if (e) {
			err = shmem_swapin_folio(f, e, sgp, out);
			if (err == -EAGAIN)
				continue;
			return err;
		}
		if (sgp == SGP_READ) {
			*out = NULL;
			return 0;
		}
		p = cache_add(f, pgoff, false);
		if (!p) {
			if (cache_entry(f, pgoff))
				continue;
			return -ENOMEM;
		}
		vmsim_page_set(p, PG_uptodate);
		vmsim_get_page(f->vm, p);
		*out = p;
		return 0;
	}
	return -ENOMEM;
}

/* shmem_get_folio(SGP_NOALLOC) (UFFDIO_CONTINUE): the page if the cache
 * has it, swapped-out ones brought back; -EFAULT for a hole or a file
 * that is not shmem.  With a reference. */
int vmsim__shmem_get_noalloc(struct vmsim_file *f, uint64_t pgoff, struct vmsim_page **out)
{
	struct vmsim_pagecache_entry *e = f ? cache_entry(f, pgoff) : NULL;

	if (!e)
		return -EFAULT;
	if (e->page) {
		vmsim_get_page(f->vm, e->page);
		*out = e->page;
		return 0;
	}
	return shmem_get_folio(f, pgoff, SGP_CACHE, out) ? -ENOMEM : 0;
}

/* shmem_swapin_range() (MADV_WILLNEED on shmem): swapped-out pages of
 * [start, end) are read into the swap cache, not mapped or cached. */
void vmsim__shmem_swapin_range(struct vmsim_file *f, uint64_t start, uint64_t end)
{
	for (uint64_t pgoff = start; pgoff < end; pgoff++) {
		struct vmsim_pagecache_entry *e = cache_entry(f, pgoff);
		struct vmsim_page *p;
		bool new;

		if (!e || e->page)
			continue;
		p = vmsim__read_swap_cache_async(f->vm, e->swap, &new);
		if (p)
			vmsim_put_page(f->vm, p);
	}
}

/* shmem_writeout(): reclaim moves a clean-for-io shmem folio into the swap
 * cache; its page-cache slot keeps the swap entry (one swap reference).
 * 0, or 1 to activate the folio instead (no swap). */
int vmsim__shmem_writeout(struct vmsim *vm, struct vmsim_page *p)
{
	struct vmsim_file *f = folio_file(p);
	struct vmsim_pagecache_entry *e = f ? cache_entry(f, p->index) : NULL;
	swp_entry_t entry;

	if (!e || e->page != p)
		return 1;
	entry = vmsim__folio_alloc_swap(vm);
	if (!entry.val) {
		vmsim_page_set(p, PG_dirty);	/* redirty */
		return 1;
	}
	if (vmsim__add_to_swap_cache(vm, p, entry)) {
		vmsim__swap_slot_clear_cache(vm, entry);
		vmsim_page_set(p, PG_dirty);
		return 1;
	}
	vmsim__swap_shmem_alloc(vm, entry);
	/* shmem_delete_from_page_cache(folio, swp_to_radix_entry(swap)) */
	e->page = NULL;
	e->swap = entry;
	f->nrpages--;
	shmem_swapped_add(f, 1);
	p->mapping = NULL;
	vmsim_put_page(vm, p);	/* the page cache's reference */
	return 0;
}

/* shmem_unuse() for one swap device: every swapped-out page of every shmem
 * file on shmem_swaplist comes back, the unnamed files of shared anonymous
 * memory included. */
int vmsim__shmem_unuse(struct vmsim *vm, int type)
{
	struct vmsim_file *f;

again:
	DL_FOREACH2(mm_world(vm)->shmem_swaplist, f, swap_next) {
		struct vmsim_pagecache_entry *e, *t;

		HASH_ITER(hh, f->pages, e, t) {
			struct vmsim_page *p;
			int err;

			if (e->page || (int)swp_type(e->swap) != type)
				continue;
			err = shmem_get_folio(f, e->pgoff, SGP_CACHE, &p);
			if (err)
				return err;
			vmsim_put_page(vm, p);
			goto again;	/* the swap-in may have changed any file */
		}
	}
	return 0;
}

/* shmem_partial_swap_usage(): swapped-out pages of [pgstart, pgend), what
 * /proc/PID/smaps counts as Swap for a shmem mapping (mm/smaps.c). */
unsigned long vmsim__shmem_swapped_range(struct vmsim_file *f, uint64_t pgstart, uint64_t pgend)
{
	struct vmsim_pagecache_entry *e, *t;
	unsigned long n = 0;

	if (!f->swapped)
		return 0;
	HASH_ITER(hh, f->pages, e, t)
		if (!e->page && e->pgoff >= pgstart && e->pgoff < pgend)
			n++;
	return n;
}

/* For the checker: the swap entries shmem page caches hold. */
void vmsim__pagecache_for_each_swap(struct vmsim *vm, void (*fn)(void *arg, swp_entry_t e), void *arg)
{
	struct vmsim_file *f;

	DL_FOREACH2(mm_world(vm)->shmem_swaplist, f, swap_next) {
		struct vmsim_pagecache_entry *e, *t;

		HASH_ITER(hh, f->pages, e, t)
			if (!e->page)
				fn(arg, e->swap);
	}
}

/* __folio_migrate_mapping() for a page-cache folio: new takes old's slot
 * and the cache's reference. */
bool vmsim__filemap_replace_folio(struct vmsim_page *old, struct vmsim_page *new)
{
	struct vmsim_file *f = folio_file(old);
	struct vmsim_pagecache_entry *e = f ? cache_entry(f, old->index) : NULL;

	if (!e || e->page != old)
		return false;
	/* old keeps its mapping until it is freed: remove_migration_ptes()
	 * still walks the file's i_mmap through it. */
	e->page = new;
	vmsim_get_page(f->vm, new);
	vmsim_put_page(f->vm, old);
	return true;
}

/* filemap_remove_folio() for __remove_mapping(): a clean, unmapped
 * page-cache folio leaves its file (the caller keeps its reference). */
bool vmsim__filemap_remove_folio(struct vmsim_page *p)
{
	struct vmsim_file *f = folio_file(p);
	struct vmsim_pagecache_entry *e = f ? cache_entry(f, p->index) : NULL;

	if (!e || e->page != p)
		return false;
	cache_delete(f, e);
	return true;
}

unsigned vmsim__filemap_fault(struct vmsim_file *f, uint64_t pgoff, struct vmsim_page **out, unsigned mode)
{
	bool for_mmap = mode & VMSIM_FILEMAP_MMAP, tried = mode & VMSIM_FILEMAP_TRIED;
	bool io = false;
	struct vmsim_page *p;

	if (pgoff >= file_pages(f))
		return VM_FAULT_SIGBUS;
	p = vmsim__filemap_get(f, pgoff);
	if (f->kind == VMSIM_FILE_SHMEM) {
		int err = shmem_get_folio(f, pgoff, SGP_CACHE, &p);

		if (err)
			return err == -EIO ? VM_FAULT_SIGBUS : VM_FAULT_OOM;
		*out = p;
		return 0;
	} else if (p) {
		struct ra_state *ra = file_ra(f);

		if (for_mmap && ra->mmap_miss)
			ra->mmap_miss--;
		/* do_async_mmap_readahead() only on the first try. */
		if (vmsim_page_test(p, PG_readahead) && !(for_mmap && tried)) {
			async_readahead(f, p);
			io = true;
		}
	} else {
		if (for_mmap)
			sync_mmap_readahead(f, pgoff);
		p = vmsim__filemap_get(f, pgoff);
		if (!p) {
			vmsim__trace(f->vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_READAHEAD,
					  .cpu = -1, .addr = pgoff, .end = pgoff + 1, .why = "read",
					  .file = f->name });
			p = read_in(f, pgoff);
		}
		if (!p)
			return VM_FAULT_OOM;
		io = true;
	}
	/* filemap_fault() dropped mmap_lock for the read I/O (fpin): the
	 * fault is retried, and on the retry fault-around finds the pages the
	 * readahead brought in.  A retry never drops it again. */
	if (for_mmap && io && !tried)
		return VM_FAULT_RETRY;
	vmsim_get_page(f->vm, p);
	*out = p;
	return 0;
}

void vmsim__folio_mark_dirty(struct vmsim_page *p)
{
	/* A DAX folio's dirtiness is its index entry's (noop_dirty_folio). */
	if (!vmsim_page_test(p, PG_device))
		vmsim_page_set(p, PG_dirty);
}

/* What a read() of page pgoff would give now, without reading anything
 * in, marking anything or yielding to another CPU's operation (the
 * stale-read detector compares with it); the page-cache page, if any. */
struct vmsim_page *vmsim__file_peek(struct vmsim_file *f, uint64_t pgoff, unsigned char *buf)
{
	struct vmsim_pagecache_entry *e = cache_entry(f, pgoff);
	struct vmsim_pagecache_entry *s;

	if (e && e->page) {
		vmsim_frame_read(f->vm, e->page, 0, buf, PAGE_SIZE);
		return e->page;
	} else if (e) {
		vmsim__swap_peek(f->vm, e->swap, buf);	/* shmem, swapped out */
	} else if ((s = store_find(f, pgoff)) && s->data) {
		memcpy(buf, s->data, PAGE_SIZE);
	} else {
		memset(buf, 0, PAGE_SIZE);
	}
	return NULL;
}

/* ---- the folio lock (include/linux/pagemap.h, __folio_lock) ---- */

/* The page's lock word: a folio is never a page table, so its ptl (in a
 * union with the rest in Linux's struct page) is free for the model.
 * PG_locked is set exactly while it is held (by a task or handed off). */
static struct vmsim_lock *folio_lockptr(struct vmsim_page *p)
{
	if (p->ptl.lclass != VMSIM_LOCK_FOLIO)
		vmsim_lock_init(&p->ptl, VMSIM_LOCK_FOLIO);
	return &p->ptl;
}

/* Held by the running task (not by another one, not across operations). */
static bool folio_lock_mine(const struct vmsim *vm, const struct vmsim_lock *l)
{
	return l->state == -1 && l->owner == vm->lock_owner;
}

bool vmsim__folio_trylock_at(struct vmsim *vm, struct vmsim_page *p, const char *site)
{
	/* A scheduling point, taken or not. */
	if (!vmsim__trylock_at(vm, folio_lockptr(p), site))
		return false;
	vmsim_page_set(p, PG_locked);
	return true;
}

int vmsim__folio_lock_at(struct vmsim *vm, struct vmsim_page *p, const char *site)
{
	struct vmsim_lock *l = folio_lockptr(p);

	if (vmsim__lock_outside(l)) {
		/* Held across operations: the waiter lets the holder finish
		 * (a device's atomic), as the sleeper in folio_lock() waits
		 * for it.  Interleaved, a holder the hook does not know (a
		 * device in the middle of its operation on another CPU) is
		 * waited for; serially nobody else can release it. */
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vm->cur_cpu,
				  .pfn = vmsim_page_to_pfn(vm, p),
				  .why = "folio_lock: locked, waiting for its holder to finish" });
		if (!(vm->mm_world->folio_lock_wait && vm->mm_world->folio_lock_wait(vm, p)) && !vm->sched) {
			VMSIM_BUG(vm, "folio_lock of pfn %#lx: held across operations by nobody who can release "
				  "it (Linux would sleep forever)", vmsim_page_to_pfn(vm, p));
			return -EDEADLK;
		}
	} else if (!vm->sched && l->state != 0) {
		/* Serially only the caller can hold it: the model reports the
		 * deadlock and leaves the lock as it was. */
		vmsim__lock_at(vm, l, site);
		return -EDEADLK;
	}
	/* Interleaved, waits for the holder (a deadlock report may break
	 * the wait; the task then goes on without it, as the model does). */
	vmsim__lock_at(vm, l, site);
	if (folio_lock_mine(vm, l))
		vmsim_page_set(p, PG_locked);
	return 0;
}

void vmsim__folio_unlock_at(struct vmsim *vm, struct vmsim_page *p, const char *site)
{
	struct vmsim_lock *l = folio_lockptr(p);

	if (vmsim__lock_outside(l)) {
		/* Its holder across operations lets go. */
		vmsim_page_clear(p, PG_locked);
		vmsim__lock_release_outside(vm, l, site);
		return;
	}
	if (folio_lock_mine(vm, l))
		vmsim_page_clear(p, PG_locked);
	vmsim__unlock_at(vm, l, site);
}

void vmsim__folio_lock_handoff_at(struct vmsim *vm, struct vmsim_page *p, const char *site)
{
	vmsim__lock_handoff(vm, folio_lockptr(p), site);
}

void vmsim__folio_lock_resume_at(struct vmsim *vm, struct vmsim_page *p, const char *site)
{
	vmsim__lock_adopt(vm, folio_lockptr(p), site);
}

/* ---- read(), write() ---- */

static long file_write(struct vmsim_file *f, uint64_t off, const void *buf, size_t len)
{
	const unsigned char *b = buf;
	size_t done = 0;

	if (!f)
		return -EBADF;
	/* vfs_write(): access_ok() first, and no user buffer is longer than
	 * the largest x86-64 user address space (5 levels). */
	if ((!buf && len) || len > (1ULL << 56) - PAGE_SIZE)
		return -EFAULT;
	/* ksys_pwrite64(): a negative loff_t is EINVAL before any limit;
	 * rw_verify_area(): so is pos + count. */
	if ((int64_t)off < 0 || (int64_t)(off + len) < 0)
		return -EINVAL;
	/* hugetlbfs has no write_iter: write() is EINVAL. */
	if (f->kind == VMSIM_FILE_HUGETLB)
		return -EINVAL;
	/* generic_write_check_limits(): at s_maxbytes or past it EFBIG, else
	 * a short write up to it. */
	if (off >= (1ULL << 46))
		return -EFBIG;
	if (len > (1ULL << 46) - off)
		len = (size_t)((1ULL << 46) - off);
	if (f->kind == VMSIM_FILE_DAX)
		return dax_hooks(f->vm)->rw(f, off, (void *)buf, len, true);
	while (done < len) {
		uint64_t pos = off + done, pgoff = pos >> PAGE_SHIFT;
		size_t in = pos & (PAGE_SIZE - 1), n = PAGE_SIZE - in;
		struct vmsim_page *p = vmsim__filemap_get(f, pgoff);

		if (n > len - done)
			n = len - done;
		/* mapping_write_begin()'s LUF point: v12 pays the file's owed
		 * flush after ->write_begin(), luf=debug before it. */
		if (f->vm->cfg.luf == VMSIM_LUF_DEBUG)
			vmsim__luf_flush_mapping(f, VMSIM_LUF_PT_WRITE_BEGIN);
		if (f->kind == VMSIM_FILE_SHMEM) {
			/* shmem_write_begin(): SGP_WRITE brings a swapped page in. */
			int err = shmem_get_folio(f, pgoff, SGP_WRITE, &p);

			if (err)
				return done ? (long)done : err == -EIO ? -EIO : -ENOMEM;
			vmsim_put_page(f->vm, p);
		} else if (!p) {
			/* A partial write needs the rest of the block first:
			 * the new folio is read under its lock and stays
			 * locked (FGP_WRITEBEGIN). */
			p = read_in_locked(f, pgoff);
			if (!p)
				return done ? (long)done : -ENOMEM;
		} else {
			vmsim__folio_mark_accessed(f->vm, p);	/* FGP_ACCESSED */
		}
		/* write_begin() returns the folio locked (__filemap_get_folio
		 * with FGP_LOCK, shmem_get_folio): one that left the cache
		 * while we waited (reclaim; truncation waits for i_rwsem) is
		 * looked up again. */
		if (!folio_lock_mine(f->vm, folio_lockptr(p))) {
			/* The lookup's reference (filemap_get_entry's folio_get):
			 * while we wait, migration or reclaim may take the folio
			 * out of the cache, but not free it under us. */
			vmsim_get_page(f->vm, p);
			if (vmsim__folio_lock(f->vm, p)) {
				vmsim_put_page(f->vm, p);
				return done ? (long)done : -EIO;
			}
			if (p->mapping != f || vmsim__filemap_get(f, pgoff) != p) {
				vmsim__folio_unlock(f->vm, p);
				vmsim_put_page(f->vm, p);
				continue;
			}
			vmsim_put_page(f->vm, p);	/* the cache still holds it */
		}
		if (f->vm->cfg.luf == VMSIM_LUF_ON)
			vmsim__luf_flush_mapping(f, VMSIM_LUF_PT_WRITE_BEGIN);
		vmsim_frame_write(f->vm, p, in, b + done, n);
		vmsim__folio_mark_dirty(p);
		vmsim__folio_unlock(f->vm, p);	/* write_end() */
		done += n;
		if (off + done > f->i_size)
			f->i_size = off + done;
	}
	return (long)done;
}

/* write(): under inode_lock, as generic_file_write_iter takes it; a file
 * operation is a public operation: the checker runs after it. */
long vmsim_file_write(struct vmsim_file *f, uint64_t off, const void *buf, size_t len)
{
	long r;

	if (!f)
		return -EBADF;
	vmsim_lock(f->vm, &f->i_rwsem);
	r = file_write(f, off, buf, len);
	vmsim_unlock(f->vm, &f->i_rwsem);
	vmsim__mm_op_done(f->vm);
	return r;
}

long vmsim_file_read(struct vmsim_file *f, uint64_t off, void *buf, size_t len)
{
	unsigned char *b = buf;
	size_t done = 0;

	if (!f)
		return -EBADF;
	/* vfs_read(): access_ok() first (see vmsim_file_write). */
	if ((!buf && len) || len > (1ULL << 56) - PAGE_SIZE)
		return -EFAULT;
	/* ksys_pread64(): a negative loff_t is EINVAL, not end of file;
	 * rw_verify_area(): so is pos + count. */
	if ((int64_t)off < 0 || (int64_t)(off + len) < 0)
		return -EINVAL;
	if (f->kind == VMSIM_FILE_HUGETLB)
		return vmsim__hugetlbfs_read(f, off, buf, len);
	if (f->kind == VMSIM_FILE_DAX)
		return dax_hooks(f->vm)->rw(f, off, buf, len, false);
	if (off >= f->i_size)
		return 0;
	if (len > f->i_size - off)
		len = f->i_size - off;
	if (f->kind == VMSIM_FILE_DISK && len) {
		uint64_t first = off >> PAGE_SHIFT, last = (off + len - 1) >> PAGE_SHIFT;

		/* page_cache_sync_ra() of a fresh stream: the initial window. */
		if (!vmsim__filemap_get(f, first)) {
			struct ra_state *ra = file_ra(f);
			uint64_t req = last - first + 1;

			ra->start = first;
			ra->size = get_init_ra_size(req, f->ra_pages);
			if (ra->size < req)
				ra->size = req;
			ra->async_size = ra->size > req ? ra->size - req : ra->size;
			ra_unbounded(f, ra->start, ra->size, ra->async_size, "read() readahead");
		}
	}
	while (done < len) {
		uint64_t pos = off + done, pgoff = pos >> PAGE_SHIFT;
		size_t in = pos & (PAGE_SIZE - 1), n = PAGE_SIZE - in;
		struct vmsim_page *p = vmsim__filemap_get(f, pgoff);

		if (n > len - done)
			n = len - done;
		if (p && vmsim_page_test(p, PG_hwpoison))
			return done ? (long)done : -EIO;	/* shmem_get_folio(): -EIO */
		if (f->kind == VMSIM_FILE_SHMEM && !p && cache_entry(f, pgoff)) {
			/* shmem_file_read_iter(): SGP_READ swaps the page in. */
			int err = shmem_get_folio(f, pgoff, SGP_READ, &p);

			if (err)
				return done ? (long)done : err;
			vmsim_put_page(f->vm, p);
		} else if (!p && f->kind == VMSIM_FILE_DISK) {
			p = read_in(f, pgoff);
		} else if (p && vmsim_page_test(p, PG_readahead) && f->kind == VMSIM_FILE_DISK) {
			async_readahead(f, p);
		}
		/* filemap_read(): a read of a folio marks it accessed. */
		if (p && (in == 0 || done == 0))
			vmsim__folio_mark_accessed(f->vm, p);
		if (p)
			vmsim_frame_read(f->vm, p, in, b + done, n);
		else
			memset(b + done, 0, n);	/* a shmem hole: no page is added */
		done += n;
	}
	return (long)done;
}

/* ---- punch hole, truncate, writeback ---- */

/* Zero [from, to) of a cached page: the partial ends of a hole. */
static void zero_partial(struct vmsim_file *f, uint64_t pgoff, size_t from, size_t to)
{
	struct vmsim_page *p = vmsim__filemap_get(f, pgoff);
	struct vmsim_pagecache_entry *s;

	if (p)
		vmsim_frame_fill(f->vm, p, from, 0, to - from);
	s = store_find(f, pgoff);
	if (s && s->data)
		memset(s->data + from, 0, to - from);
}

/* The (up to) DROP_BATCH smallest page-cache indices in [from, pend),
 * ascending, into idx: a batch of find_lock_entries(). */
#define DROP_BATCH	32

static unsigned drop_batch(struct vmsim_file *f, uint64_t from, uint64_t pend, uint64_t *idx)
{
	struct vmsim_pagecache_entry *e, *t;
	unsigned n = 0;

	HASH_ITER(hh, f->pages, e, t) {
		unsigned i;

		if (e->pgoff < from || e->pgoff >= pend || (n == DROP_BATCH && e->pgoff > idx[n - 1]))
			continue;
		if (n < DROP_BATCH)
			n++;
		for (i = n - 1; i > 0 && idx[i - 1] > e->pgoff; i--)
			idx[i] = idx[i - 1];
		idx[i] = e->pgoff;
	}
	return n;
}

/* truncate_inode_pages_range() over whole pages [pstart, pend): batches
 * of indices, each looked up again after its scheduling point and its
 * folio checked again under the folio lock, as Linux does (reclaim on
 * another CPU may have taken the folio out meanwhile: the inode lock does
 * not stop it). */
static void drop_range(struct vmsim_file *f, uint64_t pstart, uint64_t pend)
{
	struct vmsim_pagecache_entry *e, *t;
	uint64_t idx[DROP_BATCH], from = pstart;
	unsigned n;

	while ((n = drop_batch(f, from, pend, idx))) {
		for (unsigned i = 0; i < n; i++) {
			struct vmsim_page *p;
			bool locked;

			/* A point per page: fault-around may map it until
			 * here. */
			vmsim__sp(f->vm, VMSIM_SP_PAGECACHE, vmsim__sp_cache_slot(f, idx[i]));
			if (!(e = cache_entry(f, idx[i])))
				continue;
			if (!(p = e->page)) {
				cache_delete(f, e);	/* a shmem page in swap: its slot is freed */
				continue;
			}
			/* truncate_inode_folio(), under the folio lock (no
			 * fault maps it meanwhile): still mapped ->
			 * unmap_mapping_folio(), which drops markers over
			 * that folio's range. */
			vmsim_get_page(f->vm, p);
			locked = !vmsim__folio_lock(f->vm, p);
			/* truncate_inode_partial_folio()/folio_invalidate:
			 * gone from the cache while we waited: skip it. */
			if ((e = cache_entry(f, idx[i])) && e->page == p) {
				if (p->mapcount > 0)
					vmsim__unmap_mapping_folio(f, p);
				cache_delete(f, e);
			}
			if (locked)
				vmsim__folio_unlock(f->vm, p);
			vmsim_put_page(f->vm, p);
		}
		from = idx[n - 1] + 1;
	}
	HASH_ITER(hh, f->store, e, t) {
		if (e->pgoff < pstart || e->pgoff >= pend)
			continue;
		HASH_DEL(f->store, e);
		vmsim__free(f->vm, e->data);
		vmsim__free(f->vm, e);
	}
}

static int file_punch(struct vmsim_file *f, uint64_t off, uint64_t len)
{
	uint64_t end, pstart, pend;

	if (!f)
		return -EBADF;
	/* vfs_fallocate(): offset < 0 || len <= 0 is EINVAL (loff_t), a sum
	 * that wraps or passes s_maxbytes EFBIG. */
	if ((int64_t)off < 0 || (int64_t)len <= 0)
		return -EINVAL;
	if ((int64_t)(off + len) < 0 || off + len > (1ULL << 46))
		return -EFBIG;
	if (f->kind == VMSIM_FILE_HUGETLB)
		return vmsim__hugetlbfs_punch(f, off, len);
	if (f->kind == VMSIM_FILE_DAX)
		return dax_hooks(f->vm)->punch(f, off, len);
	if (off >= f->i_size)
		return 0;
	end = off + len;
	if (end > f->i_size)
		end = f->i_size;
	pstart = (off + PAGE_SIZE - 1) >> PAGE_SHIFT;
	pend = end >> PAGE_SHIFT;
	/* Both shmem and truncate_pagecache_range unmap with even_cows=0:
	 * private COW copies survive a hole punch. */
	if (pend > pstart)
		vmsim__unmap_mapping_range(f, pstart, pend, false);
	if ((off >> PAGE_SHIFT) == ((end - 1) >> PAGE_SHIFT) && (off & ~PAGE_MASK) + len < PAGE_SIZE) {
		zero_partial(f, off >> PAGE_SHIFT, off & ~PAGE_MASK, (end - 1) - (off & PAGE_MASK) + 1);
		vmsim__luf_flush_mapping(f, VMSIM_LUF_PT_TRUNCATE);
		return 0;
	}
	if (off & ~PAGE_MASK)
		zero_partial(f, off >> PAGE_SHIFT, off & ~PAGE_MASK, PAGE_SIZE);
	if (end & ~PAGE_MASK)
		zero_partial(f, end >> PAGE_SHIFT, 0, end & ~PAGE_MASK);
	drop_range(f, pstart, pend);
	/* truncate_inode_pages_range()'s LUF point (v12). */
	vmsim__luf_flush_mapping(f, VMSIM_LUF_PT_TRUNCATE);
	return 0;
}

/* shmem_fallocate(PUNCH_HOLE) and its disk twin, under inode_lock.  A
 * shmem fault inside the hole meanwhile waits for the punch (shmem_falloc,
 * the inode's i_private in Linux); fault-around does not look.  Without
 * the checker after it (MADV_REMOVE, inside madvise). */
int vmsim__file_punch(struct vmsim_file *f, uint64_t off, uint64_t len)
{
	int r;

	if (!f)
		return -EBADF;
	vmsim_lock(f->vm, &f->i_rwsem);
	if (f->kind == VMSIM_FILE_SHMEM && len && off + len > off) {
		f->falloc_start = (off + PAGE_SIZE - 1) >> PAGE_SHIFT;
		f->falloc_end = (off + len) >> PAGE_SHIFT;
	}
	r = file_punch(f, off, len);
	f->falloc_start = f->falloc_end = 0;
	vmsim_unlock(f->vm, &f->i_rwsem);
	return r;
}

int vmsim_file_punch(struct vmsim_file *f, uint64_t off, uint64_t len)
{
	int r = vmsim__file_punch(f, off, len);

	if (f)
		vmsim__mm_op_done(f->vm);
	return r;
}

static int file_truncate(struct vmsim_file *f, uint64_t size)
{
	uint64_t old, from;

	if (!f)
		return -EBADF;
	/* do_sys_ftruncate(): a negative length is EINVAL, before
	 * inode_newsize_ok()'s EFBIG. */
	if ((int64_t)size < 0)
		return -EINVAL;
	if (size > (1ULL << 46))
		return -EFBIG;
	if (f->kind == VMSIM_FILE_HUGETLB)
		return vmsim__hugetlbfs_truncate(f, size);
	if (f->kind == VMSIM_FILE_DAX)
		return dax_hooks(f->vm)->truncate(f, size);
	old = f->i_size;
	f->i_size = size;
	if (size >= old)
		return 0;
	/* truncate_pagecache(): unmap (even COWs) past the new end, drop. */
	from = (size + PAGE_SIZE - 1) >> PAGE_SHIFT;
	vmsim__unmap_mapping_range(f, from, ~0ULL >> PAGE_SHIFT, true);
	if (size & ~PAGE_MASK)
		zero_partial(f, size >> PAGE_SHIFT, size & ~PAGE_MASK, PAGE_SIZE);
	drop_range(f, from, ~0ULL);
	vmsim__unmap_mapping_range(f, from, ~0ULL >> PAGE_SHIFT, true);
	vmsim__luf_flush_mapping(f, VMSIM_LUF_PT_TRUNCATE);
	return 0;
}

int vmsim_file_truncate(struct vmsim_file *f, uint64_t size)
{
	int r;

	if (!f)
		return -EBADF;
	vmsim_lock(f->vm, &f->i_rwsem);
	r = file_truncate(f, size);
	vmsim_unlock(f->vm, &f->i_rwsem);
	vmsim__mm_op_done(f->vm);
	return r;
}

/* Write a dirty page back to the store (disk files only):
 * folio_clear_dirty_for_io() write-protects and cleans its shared
 * mappings first (folio_mkclean), so a later store faults and dirties it
 * again; when the write ends, a folio reclaim wanted goes to the tail of
 * its inactive list (folio_end_writeback). */
static int writeback(struct vmsim_file *f, struct vmsim_page *p)
{
	struct vmsim_pagecache_entry *s = store_find(f, p->index);

	if (vmsim__folio_mkclean(f->vm, p))
		vmsim_page_set(p, PG_dirty);

	if (!s) {
		s = vmsim__calloc(f->vm, 1, sizeof(*s));
		if (!s)
			return -ENOMEM;
		s->pgoff = p->index;
		HASH_ADD(hh, f->store, pgoff, sizeof(s->pgoff), s);
	}
	if (f->vm->cfg.data) {
		if (!s->data)
			s->data = vmsim__malloc(f->vm, PAGE_SIZE);
		if (!s->data)
			return -ENOMEM;
		vmsim_frame_read(f->vm, p, 0, s->data, PAGE_SIZE);
	}
	vmsim_page_clear(p, PG_dirty);
	if (vmsim_page_test(p, PG_reclaim)) {
		vmsim_page_clear(p, PG_reclaim);
		vmsim__folio_rotate_reclaimable(f->vm, p);
	}
	return 0;
}

/* fsync(): a disk file's dirty pages go to its store (they stay cached);
 * a DAX file's dirty entries are written back (dax_writeback_mapping_range:
 * every mapping of them write-protected and cleaned again). */
static int __vmsim_file_fsync(struct vmsim_file *f)
{
	struct vmsim_pagecache_entry *e, *t;

	if (!f)
		return -EBADF;
	if (f->kind == VMSIM_FILE_DAX)
		return dax_hooks(f->vm)->fsync(f);
	if (f->kind != VMSIM_FILE_DISK)
		return 0;
	HASH_ITER(hh, f->pages, e, t)
		if (vmsim_page_test(e->page, PG_dirty) && writeback(f, e->page))
			return -ENOMEM;
	return 0;
}

int vmsim_file_fsync(struct vmsim_file *f)
{
	int r = __vmsim_file_fsync(f);

	if (f)
		vmsim__mm_op_done(f->vm);
	return r;
}

/* The flusher threads, woken by reclaim that met dirty file folios
 * (wakeup_flusher_threads): every dirty disk page is written now. */
void vmsim__wakeup_flusher(struct vmsim *vm)
{
	struct vmsim_file *f;

	LL_FOREACH(mm_world(vm)->files, f) {
		struct vmsim_pagecache_entry *e, *t;

		if (f->kind != VMSIM_FILE_DISK)
			continue;
		HASH_ITER(hh, f->pages, e, t)
			if (vmsim_page_test(e->page, PG_dirty) && !vmsim_page_test(e->page, PG_locked))
				writeback(f, e->page);
	}
}

/* Simplified: one step for the whole file (no scheduling point inside),
 * where Linux's invalidate_mapping_pages locks one folio at a time. */
int vmsim_file_drop_caches(struct vmsim_file *f)
{
	struct vmsim_pagecache_entry *e, *t;

	if (!f)
		return -EBADF;
	if (f->kind != VMSIM_FILE_DISK)
		return 0;	/* shmem pages have no other home but swap (reclaim) */
	HASH_ITER(hh, f->pages, e, t) {
		if (vmsim_page_test(e->page, PG_dirty) && writeback(f, e->page))
			return -ENOMEM;
		/* Only unmapped, unreferenced pages can go (invalidate_mapping_pages). */
		if (e->page->mapcount == 0 && e->page->refcount == 1)
			cache_delete(f, e);
	}
	/* mapping_try_invalidate()'s LUF point (v12). */
	vmsim__luf_flush_mapping(f, VMSIM_LUF_PT_TRUNCATE);
	return 0;
}
