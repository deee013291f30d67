/* Sim tests: the swap life cycle and reclaim through the C API, with
 * check=full after every operation (swap_map counts, swap-cache
 * references, MM_SWAPENTS, the LRU lists).  Expected values are Linux's:
 * what the host shows for the same steps (sim-tests/fidelity/swap_*.vms)
 * and what mm/{memory,swapfile,swap_state,vmscan,madvise}.c do. */
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

#define A 0x7f0000000000ULL
#define P 4096ULL

static struct bug_log log_;
static struct vmsim *vm;
static struct vmsim_mm *mm;

static void machine(const char *opts)
{
	vm = tu_machine_str(opts, &log_);
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(vmsim_mm_new(vm, &mm), 0);
}

static void setup(void)
{
	machine("ram=16M swap=16M check=full");
}

static void teardown(void)
{
	vmsim_free(vm);
	ck_assert_uint_eq(log_.count, 0);
}

static void map_anon(struct vmsim_mm *m, uint64_t addr, unsigned pages)
{
	ck_assert_int_eq(vmsim_mmap(m, addr, pages * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
}

/* Write byte i+1 into page i. */
static void fill(struct vmsim_mm *m, uint64_t addr, unsigned pages)
{
	for (unsigned i = 0; i < pages; i++)
		ck_assert_int_eq(tu_write(m, addr + i * P, (unsigned char)(i + 1)), 0);
}

static bool swapped(struct vmsim_mm *m, uint64_t addr)
{
	uint64_t e = tu_pm(m, addr);

	return !(e & PM_PRESENT) && (e & PM_SWAP);
}

static long swapents(struct vmsim_mm *m)
{
	struct vmsim_mm_stats st;

	vmsim_mm_stats(m, &st);
	return st.swap_ents;
}

static struct vmsim_swap_info swapinfo(void)
{
	struct vmsim_swap_info si;

	ck_assert_int_eq(vmsim_swap_info(vm, 0, &si), 0);
	return si;
}

/* The swap entry a pte holds, from pagemap's frame field (type | offset << 5). */
static unsigned long swap_offset_of(struct vmsim_mm *m, uint64_t addr)
{
	return (unsigned long)((tu_pm(m, addr) & PM_PFRAME_MASK) >> 5);
}

/*
 * pageout, then a read and a write:
 *
 *     0123      page
 *     ss..      after pageout of 0-1 (s: swap pte; the folios stay in the
 *               swap cache, their writes done)
 *     Ps..      read of 0: the swap-cache folio again, writable (it was
 *               exclusive), slot kept while the folio is cached
 *     PP..      write of 1: the slot is freed (should_try_to_free_swap)
 */
START_TEST(pageout_and_swapin)
{
	unsigned long pfn0, pfn1;
	struct vmsim_swap_slot slot;

	map_anon(mm, A, 4);
	fill(mm, A, 4);
	pfn0 = tu_pfn(mm, A);
	pfn1 = tu_pfn(mm, A + P);
	ck_assert_int_eq(vmsim_madvise(mm, A, 2 * P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert(swapped(mm, A) && swapped(mm, A + P));
	ck_assert(tu_pm(mm, A + 2 * P) & PM_PRESENT);
	ck_assert_int_eq(swapents(mm), 2);
	ck_assert_uint_eq(swapinfo().inuse, 2);
	ck_assert_uint_eq(swapinfo().cached, 2);
	ck_assert_int_eq(vmsim_swap_slot(vm, 0, swap_offset_of(mm, A), &slot), 0);
	ck_assert_uint_eq(slot.count, 1);
	ck_assert(slot.cached);
	ck_assert_uint_eq(slot.pfn, pfn0);
	/* A read finds the folio in the swap cache: same frame, exclusive. */
	ck_assert_int_eq(tu_read(mm, A), 1);
	ck_assert_uint_eq(tu_pfn(mm, A), pfn0);
	ck_assert(tu_pm(mm, A) & PM_MMAP_EXCLUSIVE);
	ck_assert_int_eq(swapents(mm), 1);
	ck_assert_uint_eq(swapinfo().inuse, 2);		/* still cached */
	/* A write frees the swap copy. */
	ck_assert_int_eq(tu_write(mm, A + P, 0x22), 0);
	ck_assert_uint_eq(tu_pfn(mm, A + P), pfn1);
	ck_assert_uint_eq(swapinfo().inuse, 1);
	ck_assert_int_eq(swapents(mm), 0);
	ck_assert_int_eq(tu_read(mm, A + P), 0x22);
	ck_assert_int_eq(tu_read(mm, A + 3 * P), 4);
}
END_TEST

/* Once reclaim has freed the clean swap-cache folios, a swap-in reads the
 * device into a new folio. */
START_TEST(swapin_from_device)
{
	struct vmsim_reclaim_stats st;

	map_anon(mm, A, 8);
	fill(mm, A, 8);
	ck_assert_int_eq(vmsim_madvise(mm, A, 8 * P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert_uint_eq(vmsim_reclaim(vm, 8), 8);
	ck_assert_uint_eq(swapinfo().cached, 0);
	ck_assert_uint_eq(swapinfo().inuse, 8);
	for (unsigned i = 0; i < 8; i++)
		ck_assert_int_eq(tu_read(mm, A + i * P), (int)i + 1);
	vmsim_reclaim_stats(vm, &st);
	ck_assert_uint_eq(st.pswpout, 8);
	ck_assert_uint_eq(st.pswpin, 8);	/* the fault's page and its readahead */
	ck_assert_int_eq(swapents(mm), 0);
}
END_TEST

/* A second pageout of a clean swap-cache folio needs no write: the folio
 * is dropped at once (it is clean and the swap copy is good). */
START_TEST(pageout_clean_again)
{
	struct vmsim_reclaim_stats st;

	map_anon(mm, A, 1);
	fill(mm, A, 1);
	ck_assert_int_eq(vmsim_madvise(mm, A, P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert_int_eq(tu_read(mm, A), 1);
	ck_assert_int_eq(vmsim_madvise(mm, A, P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert(swapped(mm, A));
	ck_assert_uint_eq(swapinfo().cached, 0);
	vmsim_reclaim_stats(vm, &st);
	ck_assert_uint_eq(st.pswpout, 1);
	ck_assert_int_eq(tu_read(mm, A), 1);
}
END_TEST

/* vm_swap_full(): with more than half of swap in use, a swap-in frees
 * the slot even on a read fault (should_try_to_free_swap). */
START_TEST(swap_full_frees_on_read)
{
	struct vmsim_swap_slot slot;
	unsigned long off;

	vmsim_free(vm);
	machine("ram=16M swap=36K check=full");	/* 8 slots */
	map_anon(mm, A, 6);
	fill(mm, A, 6);
	ck_assert_int_eq(vmsim_madvise(mm, A, 6 * P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert_uint_eq(swapinfo().inuse, 6);
	off = swap_offset_of(mm, A);
	ck_assert_int_eq(tu_read(mm, A), 1);
	ck_assert_int_eq(vmsim_swap_slot(vm, 0, off, &slot), 0);
	ck_assert(!slot.cached && !slot.count);
	ck_assert_uint_eq(swapinfo().inuse, 5);
	/* Below half full again: a read keeps the swap copy. */
	vmsim_free(vm);
	machine("ram=16M swap=36K check=full");
	map_anon(mm, A, 4);
	fill(mm, A, 4);
	ck_assert_int_eq(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert_int_eq(tu_read(mm, A), 1);
	ck_assert_uint_eq(swapinfo().inuse, 4);
}
END_TEST

/* fork shares the slot; the parent's pte is no longer exclusive, so its
 * swap-in maps the page read-only and its write copies. */
START_TEST(fork_while_swapped)
{
	struct vmsim_mm *child;
	struct vmsim_swap_slot slot;
	unsigned long off;

	map_anon(mm, A, 2);
	fill(mm, A, 2);
	ck_assert_int_eq(vmsim_madvise(mm, A, 2 * P, VMSIM_MADV_PAGEOUT), 0);
	off = swap_offset_of(mm, A);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert(swapped(child, A));
	ck_assert_int_eq(swapents(child), 2);
	ck_assert_int_eq(vmsim_swap_slot(vm, 0, off, &slot), 0);
	ck_assert_uint_eq(slot.count, 2);
	/* Both see the swap-cache folio on a read: the same frame, shared. */
	ck_assert_int_eq(tu_read(mm, A), 1);
	ck_assert_int_eq(tu_read(child, A), 1);
	ck_assert_uint_eq(tu_pfn(mm, A), tu_pfn(child, A));
	ck_assert(!(tu_pm(mm, A) & PM_MMAP_EXCLUSIVE));
	/* A write in the parent copies. */
	ck_assert_int_eq(tu_write(mm, A, 0x55), 0);
	ck_assert_uint_ne(tu_pfn(mm, A), tu_pfn(child, A));
	ck_assert_int_eq(tu_read(child, A), 1);
	/* The child's exit drops its swap reference to the second page. */
	vmsim_mm_exit(child);
	ck_assert_int_eq(vmsim_swap_slot(vm, 0, swap_offset_of(mm, A + P), &slot), 0);
	ck_assert_uint_eq(slot.count, 1);
	ck_assert_int_eq(tu_read(mm, A + P), 2);
}
END_TEST

/* MADV_PAGEOUT leaves alone a folio another process maps. */
START_TEST(pageout_shared_skipped)
{
	struct vmsim_mm *child;

	map_anon(mm, A, 2);
	fill(mm, A, 2);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_int_eq(tu_write(child, A + P, 9), 0);	/* page 1 now private to each */
	ck_assert_int_eq(vmsim_madvise(mm, A, 2 * P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert(tu_pm(mm, A) & PM_PRESENT);
	ck_assert(swapped(mm, A + P));
	ck_assert_int_eq(swapents(child), 0);
	vmsim_mm_exit(child);
}
END_TEST

/* With no swap device, anonymous memory cannot be paged out. */
START_TEST(no_swap)
{
	struct vmsim_reclaim_stats st;

	vmsim_free(vm);
	machine("ram=16M check=full");
	map_anon(mm, A, 2);
	fill(mm, A, 2);
	ck_assert_int_eq(vmsim_madvise(mm, A, 2 * P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert(tu_pm(mm, A) & PM_PRESENT);
	ck_assert_int_eq(vmsim_swap_info(vm, 0, &(struct vmsim_swap_info){ 0 }), -ENOENT);
	vmsim_reclaim_stats(vm, &st);
	ck_assert_uint_eq(st.pswpout, 0);
}
END_TEST

/* A locked vma refuses MADV_PAGEOUT and MADV_COLD; reclaim never takes
 * its pages (they are on the unevictable list). */
START_TEST(mlocked)
{
	struct vmsim_lru_info lru;

	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW,
				    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_LOCKED, NULL, 0), 0);
	fill(mm, A, 4);
	ck_assert_int_eq(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_PAGEOUT), -EINVAL);
	ck_assert_int_eq(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_COLD), -EINVAL);
	vmsim_lru_info(vm, &lru);
	ck_assert_uint_eq(lru.unevictable, 4);
	ck_assert_uint_eq(vmsim_reclaim(vm, 32), 0);
	for (unsigned i = 0; i < 4; i++)
		ck_assert(tu_pm(mm, A + i * P) & PM_PRESENT);
	/* munmap unlocks them on the way out. */
	ck_assert_int_eq(vmsim_munmap(mm, A, 4 * P), 0);
	vmsim_lru_info(vm, &lru);
	ck_assert_uint_eq(lru.unevictable, 0);
}
END_TEST

/* shmem: the page leaves the page cache for swap, the pte goes (none:
 * present=0 swap=0), and a fault or read() brings it back. */
START_TEST(shmem_swap)
{
	struct vmsim_file *f;
	unsigned char b = 0;
	uint64_t e;

	ck_assert_int_eq(vmsim_file_new(vm, "s", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	fill(mm, A, 4);
	ck_assert_uint_eq(vmsim_file_cached_pages(f), 4);
	ck_assert_int_eq(vmsim_madvise(mm, A, 2 * P, VMSIM_MADV_PAGEOUT), 0);
	e = tu_pm(mm, A);
	ck_assert(!(e & PM_PRESENT) && !(e & PM_SWAP));
	ck_assert_uint_eq(vmsim_file_cached_pages(f), 2);
	ck_assert_uint_eq(swapinfo().inuse, 2);
	ck_assert_int_eq(swapents(mm), 0);	/* shmem swap is the file's, not the mm's */
	ck_assert_int_eq(tu_read(mm, A), 1);
	ck_assert_int_eq(vmsim_file_read(f, P, &b, 1), 1);
	ck_assert_int_eq(b, 2);
	ck_assert_uint_eq(vmsim_file_cached_pages(f), 4);
	ck_assert_uint_eq(swapinfo().inuse, 0);
}
END_TEST

/* A clean shmem page (read, never written) is dropped, not written. */
START_TEST(shmem_clean_dropped)
{
	struct vmsim_file *f;
	struct vmsim_reclaim_stats st;

	ck_assert_int_eq(vmsim_file_new(vm, "s", VMSIM_FILE_SHMEM, P, &f), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(tu_read(mm, A), 0);
	ck_assert_int_eq(vmsim_madvise(mm, A, P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert_uint_eq(vmsim_file_cached_pages(f), 0);
	vmsim_reclaim_stats(vm, &st);
	ck_assert_uint_eq(st.pswpout, 0);
	ck_assert_int_eq(tu_read(mm, A), 0);
}
END_TEST

/* userfaultfd write protection travels with the page through swap. */
START_TEST(uffd_wp_in_swap)
{
	struct vmsim_uffd *u;

	map_anon(mm, A, 1);
	fill(mm, A, 1);
	ck_assert_int_eq(vmsim_uffd_open(mm, 0, &u), 0);
	ck_assert_int_eq(vmsim_uffd_register(u, A, P, UFFDIO_REGISTER_MODE_WP), 0);
	ck_assert_int_eq(vmsim_uffd_writeprotect(u, A, P, true), 0);
	ck_assert_int_eq(vmsim_madvise(mm, A, P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert(swapped(mm, A));
	ck_assert(tu_pm(mm, A) & PM_UFFD_WP);
	ck_assert_int_eq(tu_read(mm, A), 1);
	ck_assert(tu_pm(mm, A) & PM_UFFD_WP);
	/* Still protected: a write goes to the (absent) handler: SIGBUS. */
	ck_assert_int_eq(tu_write(mm, A, 2), VMSIM_ACCESS_SIGBUS);
}
END_TEST

static unsigned minor_faults;

static int minor_handler(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *m)
{
	(void)arg;
	if (m->event != UFFD_EVENT_PAGEFAULT)
		return 0;
	ck_assert(m->flags & UFFD_PAGEFAULT_FLAG_MINOR);
	minor_faults++;
	ck_assert_int_eq(vmsim_uffd_continue(ctx, m->address, P, false), P);
	return VMSIM_UFFD_RETRY;
}

/* A shmem page in swap is still "in the page cache" for userfaultfd: a
 * fault on it in a minor-registered range is a minor fault, and
 * UFFDIO_CONTINUE brings it back (shmem_get_folio, SGP_NOALLOC). */
START_TEST(uffd_minor_swapped_shmem)
{
	struct vmsim_file *f;
	struct vmsim_uffd *u;
	unsigned char v = 0x77;

	ck_assert_int_eq(vmsim_file_new(vm, "s", VMSIM_FILE_SHMEM, P, &f), 0);
	ck_assert_int_eq(vmsim_file_write(f, 0, &v, 1), 1);
	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(tu_read(mm, A), 0x77);
	ck_assert_int_eq(vmsim_madvise(mm, A, P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert_uint_eq(vmsim_file_cached_pages(f), 0);
	ck_assert_int_eq(vmsim_uffd_open(mm, 0, &u), 0);
	vmsim_uffd_set_handler(u, minor_handler, NULL);
	ck_assert_int_eq(vmsim_uffd_register(u, A, P, UFFDIO_REGISTER_MODE_MINOR), 0);
	minor_faults = 0;
	ck_assert_int_eq(tu_read(mm, A), 0x77);
	ck_assert_uint_eq(minor_faults, 1);
	ck_assert_uint_eq(vmsim_file_cached_pages(f), 1);
}
END_TEST

/* MADV_WILLNEED on swapped-out anonymous memory reads it into the swap
 * cache; the ptes stay swap entries until a fault maps the cached folio. */
START_TEST(willneed_swapin)
{
	struct vmsim_reclaim_stats st;

	map_anon(mm, A, 4);
	fill(mm, A, 4);
	ck_assert_int_eq(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert_uint_eq(vmsim_reclaim(vm, 4), 4);
	ck_assert_uint_eq(swapinfo().cached, 0);
	ck_assert_int_eq(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_WILLNEED), 0);
	ck_assert_uint_eq(swapinfo().cached, 4);
	ck_assert(swapped(mm, A));
	vmsim_reclaim_stats(vm, &st);
	ck_assert_uint_eq(st.pswpin, 4);
	for (unsigned i = 0; i < 4; i++)
		ck_assert_int_eq(tu_read(mm, A + i * P), (int)i + 1);
	vmsim_reclaim_stats(vm, &st);
	ck_assert_uint_eq(st.pswpin, 4);	/* all swap-cache hits */
}
END_TEST

/* Direct reclaim: touching three times the RAM keeps every byte. */
START_TEST(direct_reclaim)
{
	struct vmsim_reclaim_stats st;
	unsigned n = 768;

	vmsim_free(vm);
	machine("ram=1M swap=8M check=full");
	map_anon(mm, A, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(tu_write(mm, A + i * P, (unsigned char)(i * 7 + 1)), 0);
	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(tu_read(mm, A + i * P), (unsigned char)(i * 7 + 1));
	vmsim_reclaim_stats(vm, &st);
	ck_assert_uint_gt(st.allocstall, 0);
	ck_assert_uint_ge(st.pswpout, n - 256);
	ck_assert_uint_gt(st.pswpin, 0);
	ck_assert_uint_eq(st.oom_kill, 0);
	ck_assert_int_gt(swapents(mm), 0);
}
END_TEST

/* Reclaim of pages other CPUs may cache defers the flush (TTU_BATCH_FLUSH)
 * and flushes once for the batch; a dirty page is flushed before it is
 * written (try_to_unmap_flush_dirty), one by one. */
START_TEST(batched_flush)
{
	struct vmsim_reclaim_stats st;

	map_anon(mm, A, 16);
	for (int cpu = 0; cpu < 4; cpu++) {
		vmsim_mm_run(mm, cpu);
		ck_assert_int_eq(tu_read(mm, A + (unsigned)cpu * P), 0);
	}
	fill(mm, A, 16);
	ck_assert_int_eq(vmsim_madvise(mm, A, 16 * P, VMSIM_MADV_PAGEOUT), 0);
	vmsim_reclaim_stats(vm, &st);
	ck_assert_uint_eq(st.tlb_batch_flushes, 16);
	for (unsigned i = 0; i < 16; i++)
		ck_assert_int_eq(tu_read(mm, A + i * P), (int)i + 1);
	/* Clean now (their swap copies are good): one flush for all. */
	ck_assert_int_eq(vmsim_madvise(mm, A, 16 * P, VMSIM_MADV_PAGEOUT), 0);
	vmsim_reclaim_stats(vm, &st);
	ck_assert_uint_eq(st.tlb_batch_flushes, 17);
	ck_assert_uint_eq(st.pswpout, 16);
	for (unsigned i = 0; i < 16; i++)
		ck_assert(swapped(mm, A + i * P));
}
END_TEST

/* swapoff brings everything back; without enough memory it fails and
 * leaves the device. */
START_TEST(swapoff_back)
{
	map_anon(mm, A, 4);
	fill(mm, A, 4);
	ck_assert_int_eq(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_PAGEOUT), 0);
	ck_assert_uint_eq(vmsim_reclaim(vm, 4), 4);
	ck_assert_int_eq(vmsim_swapoff(vm, 0), 0);
	ck_assert_int_eq(vmsim_swap_info(vm, 0, &(struct vmsim_swap_info){ 0 }), -ENOENT);
	for (unsigned i = 0; i < 4; i++) {
		ck_assert(tu_pm(mm, A + i * P) & PM_PRESENT);
		ck_assert_int_eq(tu_read(mm, A + i * P), (int)i + 1);
	}
	ck_assert_int_eq(swapents(mm), 0);
	ck_assert_int_eq(vmsim_swapoff(vm, 0), -EINVAL);
	ck_assert_int_eq(vmsim_swapon(vm, 8 * P, NULL), 0);
	ck_assert_int_eq(vmsim_swapon(vm, 3000, NULL), -EINVAL);
}
END_TEST

/* swapoff without room for the pages: its allocations reclaim, then call
 * the OOM killer, which picks the only process; swapoff fails and the
 * device stays (empty, once the victim's memory is gone). */
START_TEST(swapoff_enomem)
{
	unsigned n = 512;

	vmsim_free(vm);
	machine("ram=1M swap=8M check=full");
	map_anon(mm, A, n);
	for (unsigned i = 0; i < n; i++)
		ck_assert_int_eq(tu_write(mm, A + i * P, 1), 0);
	ck_assert_int_eq(vmsim_swapoff(vm, 0), -ENOMEM);
	ck_assert(vmsim_mm_oom_killed(mm));
	ck_assert_int_eq(vmsim_swap_info(vm, 0, &(struct vmsim_swap_info){ 0 }), 0);
	ck_assert_uint_eq(swapinfo().inuse, 0);
	ck_assert_int_eq(tu_read(mm, A), -VMSIM_ACCESS_SIGKILL);
	ck_assert_int_eq(vmsim_swapoff(vm, 0), 0);
}
END_TEST

Suite *swap_suite(void);
Suite *swap_suite(void)
{
	Suite *s = suite_create("swap");
	TCase *tc = tcase_create("swap");

	/* check=full over a machine under pressure: slow under sanitizers. */
	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, pageout_and_swapin);
	tcase_add_test(tc, swapin_from_device);
	tcase_add_test(tc, pageout_clean_again);
	tcase_add_test(tc, swap_full_frees_on_read);
	tcase_add_test(tc, fork_while_swapped);
	tcase_add_test(tc, pageout_shared_skipped);
	tcase_add_test(tc, no_swap);
	tcase_add_test(tc, mlocked);
	tcase_add_test(tc, shmem_swap);
	tcase_add_test(tc, shmem_clean_dropped);
	tcase_add_test(tc, uffd_wp_in_swap);
	tcase_add_test(tc, uffd_minor_swapped_shmem);
	tcase_add_test(tc, willneed_swapin);
	tcase_add_test(tc, direct_reclaim);
	tcase_add_test(tc, batched_flush);
	tcase_add_test(tc, swapoff_back);
	tcase_add_test(tc, swapoff_enomem);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_check_main(swap_suite());
}
