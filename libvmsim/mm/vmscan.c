/* Reclaim: shrink_folio_list (swap-out, unmap, writeback, freeing),
 * shrink_active_list and shrink_inactive_list with the classic two-list
 * aging, direct reclaim (try_to_free_pages) for allocations that find no
 * free frame, reclaim_pages for MADV_PAGEOUT.  Follows mm/vmscan.c of
 * Linux 6.18 without MGLRU (as the host runs).  Simplified: one node, no
 * memcg, no kswapd and no watermarks (reclaim runs only when an
 * allocation fails), swappiness 60 with equal anon and file costs (no
 * refault feedback), no shrinkers; writes complete before the pass ends
 * (a written folio is kept on the first pass, rotated to the inactive
 * tail as folio_end_writeback() does, and freed by a later one); dirty file
 * pages are written by the flusher, which reclaim wakes synchronously.
 * With luf=on|debug, folios whose every pte was read-only and clean are
 * freed owing their flush (v12's free_folios_luf and fold_unmap_luf()). */
#include <utlist.h>

#include "mm_internal.h"

#define SWAP_CLUSTER_MAX	32UL
#define DEF_PRIORITY		12
#define SWAPPINESS		60
#define MAX_RECLAIM_RETRIES	16

struct scan_control {
	unsigned long nr_to_reclaim, nr_reclaimed, nr_scanned;
	int priority;
	bool may_swap;
	bool force_deactivate, skipped_deactivate;
	unsigned may_deactivate;	/* DEACTIVATE_ANON | DEACTIVATE_FILE */
	bool dirty_file;		/* a dirty file folio was met: wake the flusher */
};
#define DEACTIVATE_ANON	1
#define DEACTIVATE_FILE	2

enum folio_references { FOLIOREF_RECLAIM, FOLIOREF_RECLAIM_CLEAN, FOLIOREF_KEEP, FOLIOREF_ACTIVATE };
typedef enum { PAGE_KEEP, PAGE_ACTIVATE, PAGE_SUCCESS, PAGE_CLEAN } pageout_t;

static struct vmsim_reclaim_stats *rst(struct vmsim *vm) { return &vm->mm_world->rst; }

/* folio_check_references(): mapped folios start with the references of
 * the fault that mapped them, so a mapped folio must be seen used twice
 * before it is activated. */
static enum folio_references folio_check_references(struct vmsim *vm, struct vmsim_page *p)
{
	unsigned long vm_flags;
	int referenced_ptes = vmsim__folio_referenced(vm, p, &vm_flags);
	bool referenced_folio = vmsim_page_test(p, PG_referenced);

	vmsim_page_clear(p, PG_referenced);
	if (vm_flags & VM_LOCKED)
		return FOLIOREF_ACTIVATE;
	if (referenced_ptes) {
		vmsim_page_set(p, PG_referenced);
		if (referenced_folio || referenced_ptes > 1)
			return FOLIOREF_ACTIVATE;
		/* Activate file-backed executable folios after first usage. */
		if ((vm_flags & VM_EXEC) && vmsim__folio_is_file_lru(p))
			return FOLIOREF_ACTIVATE;
		return FOLIOREF_KEEP;
	}
	/* Reclaim if clean, defer dirty folios to writeback. */
	if (referenced_folio && vmsim__folio_is_file_lru(p))
		return FOLIOREF_RECLAIM_CLEAN;
	return FOLIOREF_RECLAIM;
}

/* is_page_cache_freeable(): only the isolation and the cache hold it. */
static bool is_page_cache_freeable(const struct vmsim_page *p)
{
	return p->refcount == 2;
}

/* folio_end_writeback(): our devices are synchronous, so a write has
 * ended by the time reclaim has put the folio back. */
static void end_writeback(struct vmsim *vm, struct vmsim_page *p)
{
	vmsim_page_clear(p, PG_writeback);
	if (vmsim_page_test(p, PG_reclaim)) {
		vmsim_page_clear(p, PG_reclaim);
		vmsim__folio_rotate_reclaimable(vm, p);
	}
}

/* swap_writeout(): a folio nobody's swap entry refers to any more needs
 * no write (folio_free_swap); otherwise to the device. */
static int swap_writeout(struct vmsim *vm, struct vmsim_page *p)
{
	if (vmsim__folio_free_swap(vm, p))
		return 0;
	if (vmsim__swap_write(vm, vmsim__folio_swap(p), p)) {
		vmsim_page_set(p, PG_dirty);
		return 1;	/* AOP_WRITEPAGE_ACTIVATE */
	}
	rst(vm)->pswpout++;
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = -1,
			  .pfn = vmsim_page_to_pfn(vm, p), .addr = vmsim__folio_swap(p).val,
			  .why = "swap-out write" });
	vmsim_page_set(p, PG_writeback);
	return 0;
}

/* pageout(): write a dirty, unmapped folio out (anon and shmem to swap;
 * file folios reach here only from kswapd, which is not modelled). */
static pageout_t pageout(struct vmsim *vm, struct vmsim_page *p)
{
	bool shmem = !folio_test_anon(p) && p->mapping && !vmsim__folio_is_file_lru(p) &&
		     !vmsim_page_test(p, PG_swapcache);
	int res;

	if (!is_page_cache_freeable(p))
		return PAGE_KEEP;
	if (!shmem && !vmsim_page_test(p, PG_swapcache))
		return PAGE_ACTIVATE;
	/* folio_clear_dirty_for_io(): the folio is unmapped, no pte is dirty. */
	if (!vmsim_page_test(p, PG_dirty))
		return PAGE_CLEAN;
	vmsim_page_clear(p, PG_dirty);
	vmsim_page_set(p, PG_reclaim);
	res = shmem ? vmsim__shmem_writeout(vm, p) : 0;
	if (!res)
		res = swap_writeout(vm, p);
	if (res) {
		vmsim_page_clear(p, PG_reclaim);
		return PAGE_ACTIVATE;
	}
	if (!vmsim_page_test(p, PG_writeback))
		vmsim_page_clear(p, PG_reclaim);
	return PAGE_SUCCESS;
}

bool vmsim__remove_mapping(struct vmsim *vm, struct vmsim_page *p)
{
	/* The isolation and the cache's reference, nothing else; clean. */
	if (p->refcount != 2 || vmsim_page_test(p, PG_dirty) || p->mapcount > 0)
		return false;
	if (vmsim_page_test(p, PG_swapcache)) {
		vmsim__delete_from_swap_cache(vm, p);
		return true;
	}
	return vmsim__filemap_remove_folio(p);
}

/* shrink_folio_list(): try to free each isolated folio; those that stay go
 * back through *list (activated or kept).  Returns how many were freed. */
static unsigned long shrink_folio_list(struct vmsim *vm, struct vmsim_page **list, struct scan_control *sc,
				       bool ignore_references)
{
	struct vmsim_page *ret = NULL, *freeable = NULL, *freeable_luf = NULL, *p;
	unsigned long nr_reclaimed = 0;
	uint32_t luf_key;

	while ((p = *list)) {
		enum folio_references references = FOLIOREF_RECLAIM;
		struct vmsim_file *file;
		bool can_luf = false;
		uint64_t index;

		DL_DELETE(*list, p);
		if (!vmsim__folio_trylock(vm, p))
			goto keep;
		sc->nr_scanned++;
		if (vmsim_page_test(p, PG_mlocked))	/* !folio_evictable() */
			goto activate_locked;
		if (!ignore_references)
			references = folio_check_references(vm, p);
		switch (references) {
		case FOLIOREF_ACTIVATE:
			goto activate_locked;
		case FOLIOREF_KEEP:
			goto keep_locked;
		default:
			break;
		}
		/* A large anonymous folio would need a whole swap cluster
		 * (CONFIG_THP_SWAP); this swap device hands out slots one by
		 * one, so folio_alloc_swap() fails for it and it is split,
		 * its pages joining this list (split_folio_to_list()). */
		if (vmsim_page_test(p, PG_head) && folio_test_anon(p)) {
			if (!sc->may_swap || p->refcount - vmsim__folio_mapcount(vm, p) > 1 ||
			    vmsim__split_folio_to_list(vm, p, list))
				goto activate_locked;
		}
		/* Anonymous memory needs a place in swap first. */
		if (folio_test_anon(p) && vmsim_page_test(p, PG_swapbacked) && !vmsim_page_test(p, PG_swapcache)) {
			if (p->refcount >= 1024)	/* folio_maybe_dma_pinned() */
				goto keep_locked;
			if (!sc->may_swap || !vmsim__add_to_swap(vm, p))
				goto activate_locked;
		}
		if (p->mapcount > 0) {
			can_luf = vmsim__try_to_unmap(vm, p, TTU_BATCH_FLUSH);
			if (p->mapcount > 0)
				goto activate_locked;
		}
		if (p->refcount >= 1024)
			goto activate_locked;
		if (vmsim_page_test(p, PG_dirty)) {
			/* Only kswapd writes file folios back; direct reclaim
			 * marks them for immediate reclaim and moves on. */
			if (vmsim__folio_is_file_lru(p)) {
				vmsim_page_set(p, PG_reclaim);
				sc->dirty_file = true;
				goto activate_locked;
			}
			if (references == FOLIOREF_RECLAIM_CLEAN)
				goto keep_locked;
			/* No CPU may keep writing it while it is written out. */
			vmsim__try_to_unmap_flush_dirty(vm);
			switch (pageout(vm, p)) {
			case PAGE_KEEP:
				goto keep_locked;
			case PAGE_ACTIVATE:
				goto activate_locked;
			case PAGE_SUCCESS:
				if (vmsim_page_test(p, PG_writeback) || vmsim_page_test(p, PG_dirty))
					goto keep_locked;
				break;	/* a synchronous write: free it now */
			case PAGE_CLEAN:
				break;
			}
		}
		file = folio_test_anon(p) || vmsim_page_test(p, PG_swapcache) ? NULL : folio_file(p);
		index = p->index;
		if (!vmsim__remove_mapping(vm, p))
			goto keep_locked;
		if (can_luf)
			vmsim__luf_cache_vacated(vm, file, index);
		vmsim__folio_unlock(vm, p);
		nr_reclaimed++;
		if (can_luf)
			DL_APPEND(freeable_luf, p);
		else
			DL_APPEND(freeable, p);
		continue;
activate_locked:
		/* Not a candidate for swapping: give back its swap space. */
		if (vmsim_page_test(p, PG_swapcache) &&
		    (vmsim__vm_swap_full(vm) || vmsim_page_test(p, PG_mlocked)))
			vmsim__folio_free_swap(vm, p);
		if (!vmsim_page_test(p, PG_mlocked)) {
			vmsim_page_set(p, PG_active);
			rst(vm)->pgactivate++;
		}
keep_locked:
		vmsim__folio_unlock(vm, p);
keep:
		/* A LUF'd folio reclaim keeps will not carry its key: pay the
		 * flush now (v12 flushes the whole LUF batch here). */
		if (can_luf)
			vmsim__luf_flush_key(vm, vmsim__fold_unmap_luf(vm), VMSIM_LUF_PT_LAZYFREE);
		DL_APPEND(ret, p);
	}
	/* Freed only once no CPU can use them: the deferred flushes first;
	 * LUF'd folios go owing theirs. */
	luf_key = vmsim__fold_unmap_luf(vm);
	vmsim__try_to_unmap_flush(vm);
	while ((p = freeable)) {
		DL_DELETE(freeable, p);
		vmsim_put_page(vm, p);
	}
	while ((p = freeable_luf)) {
		DL_DELETE(freeable_luf, p);
		vmsim__luf_put_folio(vm, p, luf_key);
	}
	*list = ret;
	sc->nr_reclaimed += nr_reclaimed;
	rst(vm)->pgsteal += nr_reclaimed;
	return nr_reclaimed;
}

/* isolate_lru_folios(): up to nr from the tail (oldest) of list l. */
static struct vmsim_page *isolate(struct vmsim *vm, enum lru_list l, unsigned long nr, unsigned long *taken)
{
	struct vmsim_page *list = NULL, *p;

	*taken = 0;
	while (*taken < nr && (p = vmsim__lru_tail(vm, l))) {
		vmsim__folio_isolate_lru(vm, p);
		DL_APPEND(list, p);
		(*taken)++;
	}
	return list;
}

/* move_folios_to_lru(), then folio_end_writeback() of the writes reclaim
 * started: such a folio keeps its isolation reference until it is on its
 * list again, then goes to the tail of the inactive list
 * (folio_rotate_reclaimable), to be freed by the next scan. */
static void putback_and_end(struct vmsim *vm, struct vmsim_page **list)
{
	struct vmsim_page *p, **written;
	unsigned long n = 0, cap = 0;

	DL_COUNT(*list, p, cap);
	written = cap ? vmsim__malloc(vm, cap * sizeof(*written)) : NULL;
	while ((p = *list)) {
		DL_DELETE(*list, p);
		if (vmsim_page_test(p, PG_writeback) && written) {
			vmsim__folio_add_lru(vm, p);
			written[n++] = p;
			continue;
		}
		if (vmsim_page_test(p, PG_writeback))
			end_writeback(vm, p);
		vmsim__folio_putback_lru(vm, p);
	}
	for (unsigned long i = 0; i < n; i++) {
		end_writeback(vm, written[i]);
		vmsim_put_page(vm, written[i]);
	}
	vmsim__free(vm, written);
}

/* shrink_inactive_list() */
static unsigned long shrink_inactive_list(struct vmsim *vm, unsigned long nr_to_scan, enum lru_list l,
					  struct scan_control *sc)
{
	unsigned long taken, reclaimed;
	struct vmsim_page *list = isolate(vm, l, nr_to_scan, &taken);

	if (!taken)
		return 0;
	rst(vm)->pgscan += taken;
	reclaimed = shrink_folio_list(vm, &list, sc, false);
	putback_and_end(vm, &list);
	return reclaimed;
}

/* shrink_active_list(): age the oldest active folios; all go inactive but
 * referenced executable file folios (their accessed bits cleared on the
 * way), as the classic LRU does. */
static void shrink_active_list(struct vmsim *vm, unsigned long nr_to_scan, enum lru_list l)
{
	unsigned long taken;
	struct vmsim_page *list = isolate(vm, l, nr_to_scan, &taken), *p;
	struct vmsim_page *l_active = NULL, *l_inactive = NULL;

	rst(vm)->pgrefill += taken;
	while ((p = list)) {
		unsigned long vm_flags;

		DL_DELETE(list, p);
		if (vmsim_page_test(p, PG_mlocked)) {
			vmsim__folio_putback_lru(vm, p);
			continue;
		}
		if (vmsim__folio_referenced(vm, p, &vm_flags) && (vm_flags & VM_EXEC) &&
		    vmsim__folio_is_file_lru(p)) {
			DL_APPEND(l_active, p);
			continue;
		}
		vmsim_page_clear(p, PG_active);
		vmsim_page_set(p, PG_workingset);
		DL_APPEND(l_inactive, p);
	}
	while ((p = l_active)) {
		DL_DELETE(l_active, p);
		vmsim__folio_putback_lru(vm, p);
	}
	while ((p = l_inactive)) {
		DL_DELETE(l_inactive, p);
		rst(vm)->pgdeactivate++;
		vmsim__folio_putback_lru(vm, p);
	}
}

/* inactive_is_low(): below 1 GiB of memory, the inactive list should be
 * at least as long as the active one (inactive_ratio 1). */
static bool inactive_is_low(struct vmsim *vm, enum lru_list inactive)
{
	unsigned long in = vmsim__lru_size(vm, inactive), act = vmsim__lru_size(vm, inactive + 1);
	unsigned long gb = (in + act) >> (30 - PAGE_SHIFT), ratio = 1;

	if (gb) {
		/* int_sqrt(10 * gb) */
		while ((ratio + 1) * (ratio + 1) <= 10 * gb)
			ratio++;
	}
	return in * ratio < act;
}

static bool can_reclaim_anon(struct vmsim *vm, struct scan_control *sc)
{
	return sc->may_swap && vmsim__swap_enabled(vm);
}

/* get_scan_count(): how many of each list to scan at this priority. */
static void get_scan_count(struct vmsim *vm, struct scan_control *sc, unsigned long nr[NR_LRU_LISTS])
{
	bool anon = can_reclaim_anon(vm, sc);
	unsigned long ap = SWAPPINESS, fp = 200 - SWAPPINESS;
	bool cache_trim = (vmsim__lru_size(vm, LRU_INACTIVE_FILE) >> sc->priority) &&
			  !(sc->may_deactivate & DEACTIVATE_FILE);

	for (enum lru_list l = LRU_INACTIVE_ANON; l <= LRU_ACTIVE_FILE; l++) {
		bool file = l >= LRU_INACTIVE_FILE;
		unsigned long scan = vmsim__lru_size(vm, l) >> sc->priority;

		if (!anon)		/* SCAN_FILE */
			nr[l] = file ? scan : 0;
		else if (!sc->priority)	/* SCAN_EQUAL: close to OOM, no cleverness */
			nr[l] = scan;
		else if (cache_trim)	/* plenty of inactive file: those first */
			nr[l] = file ? scan : 0;
		else			/* SCAN_FRACT */
			nr[l] = scan * (file ? fp : ap) / (ap + fp);
	}
}

/* shrink_lruvec() */
static void shrink_lruvec(struct vmsim *vm, struct scan_control *sc)
{
	unsigned long nr[NR_LRU_LISTS] = { 0 };

	sc->may_deactivate = 0;
	if (sc->force_deactivate || inactive_is_low(vm, LRU_INACTIVE_ANON))
		sc->may_deactivate |= DEACTIVATE_ANON;
	if (sc->force_deactivate || inactive_is_low(vm, LRU_INACTIVE_FILE))
		sc->may_deactivate |= DEACTIVATE_FILE;
	get_scan_count(vm, sc, nr);
	while (nr[LRU_INACTIVE_ANON] || nr[LRU_ACTIVE_FILE] || nr[LRU_INACTIVE_FILE]) {
		for (enum lru_list l = LRU_INACTIVE_ANON; l <= LRU_ACTIVE_FILE; l++) {
			unsigned long n = nr[l] < SWAP_CLUSTER_MAX ? nr[l] : SWAP_CLUSTER_MAX;
			bool file = l >= LRU_INACTIVE_FILE;

			if (!n)
				continue;
			nr[l] -= n;
			if (l == LRU_ACTIVE_ANON || l == LRU_ACTIVE_FILE) {
				if (sc->may_deactivate & (file ? DEACTIVATE_FILE : DEACTIVATE_ANON))
					shrink_active_list(vm, n, l);
				else
					sc->skipped_deactivate = true;
			} else {
				shrink_inactive_list(vm, n, l, sc);
			}
		}
		if (sc->nr_reclaimed >= sc->nr_to_reclaim)
			break;
	}
	/* Keep the anon inactive list from running dry. */
	if (can_reclaim_anon(vm, sc) && inactive_is_low(vm, LRU_INACTIVE_ANON))
		shrink_active_list(vm, SWAP_CLUSTER_MAX, LRU_ACTIVE_ANON);
	if (sc->dirty_file) {
		/* wakeup_flusher_threads(WB_REASON_VMSCAN) */
		sc->dirty_file = false;
		vmsim__wakeup_flusher(vm);
	}
}

/* do_try_to_free_pages(): priority from DEF_PRIORITY down to 0, scanning
 * 1/2^priority of every list each round, until enough was freed; a pass
 * that freed nothing for want of deactivation is run again with it. */
static unsigned long do_try_to_free_pages(struct vmsim *vm, unsigned long nr_to_reclaim, bool may_swap)
{
	struct scan_control sc = { .nr_to_reclaim = nr_to_reclaim, .may_swap = may_swap };

	vm->in_reclaim = true;
retry:
	for (sc.priority = DEF_PRIORITY; sc.priority >= 0; sc.priority--) {
		shrink_lruvec(vm, &sc);
		if (sc.nr_reclaimed >= sc.nr_to_reclaim)
			break;
	}
	if (!sc.nr_reclaimed && sc.skipped_deactivate && !sc.force_deactivate) {
		sc.force_deactivate = true;
		sc.skipped_deactivate = false;
		goto retry;
	}
	vm->in_reclaim = false;
	return sc.nr_reclaimed;
}

unsigned long vmsim_reclaim(struct vmsim *vm, unsigned long nr)
{
	unsigned long got;

	if (!vm || !nr || vm->in_reclaim)
		return 0;
	vm->mm_world->rst.allocstall++;
	got = do_try_to_free_pages(vm, nr, true);
	vmsim__mm_op_done(vm);
	return got;
}

/* zone_reclaimable_pages(): what reclaim could still free; anonymous
 * folios only while swap has room. */
static unsigned long reclaimable_pages(struct vmsim *vm)
{
	unsigned long n = vmsim__lru_size(vm, LRU_INACTIVE_FILE) + vmsim__lru_size(vm, LRU_ACTIVE_FILE);

	if (vmsim__swap_enabled(vm))
		n += vmsim__lru_size(vm, LRU_INACTIVE_ANON) + vmsim__lru_size(vm, LRU_ACTIVE_ANON);
	return n;
}

/* __alloc_pages_slowpath() for order-0 frames: direct reclaim, retried
 * while it makes no progress but reclaimable pages remain, at most
 * MAX_RECLAIM_RETRIES times (should_reclaim_retry); then the OOM killer. */
bool vmsim__alloc_slowpath(struct vmsim *vm, unsigned order)
{
	(void)order;
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vm->cur_cpu,
			  .why = "no free frame: direct reclaim" });
	for (int tries = 0; tries <= MAX_RECLAIM_RETRIES; tries++) {
		rst(vm)->allocstall++;
		if (do_try_to_free_pages(vm, SWAP_CLUSTER_MAX, true))
			return true;
		if (!reclaimable_pages(vm))
			break;
	}
	return vmsim__out_of_memory(vm);
}

/* reclaim_pages() (MADV_PAGEOUT): the given isolated folios, references
 * ignored; what cannot go is put back. */
unsigned long vmsim__reclaim_pages(struct vmsim *vm, struct vmsim_page **list)
{
	struct scan_control sc = { .nr_to_reclaim = ~0UL, .may_swap = true };
	unsigned long got;
	struct vmsim_page *p;

	if (!*list)
		return 0;
	DL_FOREACH(*list, p)
		vmsim_page_clear(p, PG_active);
	vm->in_reclaim = true;
	got = shrink_folio_list(vm, list, &sc, true);
	putback_and_end(vm, list);
	vm->in_reclaim = false;
	return got;
}

void vmsim_reclaim_stats(const struct vmsim *vm, struct vmsim_reclaim_stats *out)
{
	if (vm && out)
		*out = vm->mm_world->rst;
}
