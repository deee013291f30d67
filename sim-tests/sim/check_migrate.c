/* Sim tests: page migration, memory failure and the OOM killer through
 * the C API, check=full after every operation.  Expected values follow
 * mm/migrate.c, mm/rmap.c (try_to_migrate_one, remove_migration_pte),
 * mm/memory-failure.c and mm/oom_kill.c of Linux 6.18. */
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
	ck_assert_msg(log_.count == 0, "bug: %s (%s)", log_.last, log_.last_func);
}

static void map_anon(struct vmsim_mm *m, uint64_t addr, unsigned pages)
{
	ck_assert_int_eq(vmsim_mmap(m, addr, pages * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
}

static unsigned type_of(struct vmsim_mm *m, uint64_t addr)
{
	return (unsigned)(tu_pm(m, addr) & 0x1f);
}

/* ---- migration ---- */

/* An exclusive anonymous page moves; its data, exclusivity, writability
 * and dirtiness come along. */
START_TEST(migrate_anon)
{
	unsigned long old, failed = 9;
	uint64_t e;

	map_anon(mm, A, 2);
	ck_assert_int_eq(tu_write(mm, A, 0x11), 0);
	old = tu_pfn(mm, A);
	ck_assert_int_eq(vmsim_migrate_range(mm, A, 2 * P, &failed), 0);
	ck_assert_uint_eq(failed, 0);
	ck_assert_uint_ne(tu_pfn(mm, A), old);
	e = tu_pm(mm, A);
	ck_assert(e & PM_MMAP_EXCLUSIVE);
	ck_assert_int_eq(tu_read(mm, A), 0x11);
	/* Still writable without a fault (the entry was writable). */
	ck_assert_int_eq(tu_write(mm, A, 0x12), 0);
	ck_assert_int_eq(tu_read(mm, A), 0x12);
	/* The untouched page (none) had nothing to move. */
	ck_assert(!(tu_pm(mm, A + P) & PM_PRESENT));
}
END_TEST

/* A COW-shared page moves for both processes at once. */
START_TEST(migrate_shared)
{
	struct vmsim_mm *child;
	unsigned long old;

	map_anon(mm, A, 1);
	ck_assert_int_eq(tu_write(mm, A, 0x21), 0);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_int_eq(tu_read(child, A), 0x21);
	old = tu_pfn(mm, A);
	ck_assert_int_eq(vmsim_migrate_range(mm, A, P, NULL), 0);
	ck_assert_uint_ne(tu_pfn(mm, A), old);
	ck_assert_uint_eq(tu_pfn(mm, A), tu_pfn(child, A));
	/* Still COW: a write in the child copies. */
	ck_assert_int_eq(tu_write(child, A, 0x22), 0);
	ck_assert_uint_ne(tu_pfn(mm, A), tu_pfn(child, A));
	ck_assert_int_eq(tu_read(mm, A), 0x21);
}
END_TEST

/* A pinned exclusive page cannot be migrated. */
START_TEST(migrate_pinned)
{
	unsigned long pfn, failed = 0;
	struct vmsim_reclaim_stats st;

	map_anon(mm, A, 1);
	ck_assert_int_eq(vmsim_pin_user_pages(mm, A, 1, true, &pfn), 1);
	ck_assert_int_eq(vmsim_migrate_range(mm, A, P, &failed), -EBUSY);
	ck_assert_uint_eq(failed, 1);
	ck_assert_uint_eq(tu_pfn(mm, A), pfn);
	vmsim_reclaim_stats(vm, &st);
	ck_assert_uint_eq(st.pgmigrate_fail, 1);
	vmsim_unpin_user_pages(vm, &pfn, 1);
	ck_assert_int_eq(vmsim_migrate_range(mm, A, P, NULL), 0);
	ck_assert_uint_ne(tu_pfn(mm, A), pfn);
}
END_TEST

/* Page-cache pages move within the cache; the file reads the same. */
START_TEST(migrate_file)
{
	struct vmsim_file *f;
	unsigned char b = 0;
	unsigned long old;

	ck_assert_int_eq(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, P, &f), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(tu_write(mm, A, 0x31), 0);
	old = tu_pfn(mm, A);
	ck_assert_int_eq(vmsim_migrate_range(mm, A, P, NULL), 0);
	ck_assert_uint_ne(tu_pfn(mm, A), old);
	ck_assert(tu_pm(mm, A) & PM_FILE);
	ck_assert_int_eq(vmsim_file_read(f, 0, &b, 1), 1);
	ck_assert_int_eq(b, 0x31);
	ck_assert_uint_eq(vmsim_file_cached_pages(f), 1);
}
END_TEST

/* The two halves: migration entries in between, which pagemap shows as
 * swap entries naming the old frame (type 27 writable, 26 read-exclusive,
 * 25 read), which fork shares as readable, and which a CPU waits on. */
START_TEST(migration_entries)
{
	struct vmsim_migration *m;
	struct vmsim_mm *child;
	unsigned long old;
	uint64_t e;

	map_anon(mm, A, 2);
	ck_assert_int_eq(tu_write(mm, A, 0x41), 0);
	ck_assert_int_eq(tu_write(mm, A + P, 0x42), 0);
	old = tu_pfn(mm, A);
	ck_assert_int_eq(vmsim_migrate_start(mm, A, &m), 0);
	e = tu_pm(mm, A);
	ck_assert(!(e & PM_PRESENT) && (e & PM_SWAP));
	ck_assert_uint_eq(type_of(mm, A), SWP_MIGRATION_WRITE);
	ck_assert_uint_eq((e & PM_PFRAME_MASK) >> 5, old);
	ck_assert_int_eq(vmsim_migrate_finish(m), 0);
	ck_assert_int_eq(vmsim_migrate_finish(NULL), -EINVAL);
	ck_assert_uint_ne(tu_pfn(mm, A), old);
	ck_assert_int_eq(tu_read(mm, A), 0x41);

	/* fork of a writable entry: both sides readable. */
	ck_assert_int_eq(vmsim_migrate_start(mm, A + P, &m), 0);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_uint_eq(type_of(mm, A + P), SWP_MIGRATION_READ);
	ck_assert_uint_eq(type_of(child, A + P), SWP_MIGRATION_READ);
	/* The child's access waits for the migration: it completes first. */
	ck_assert_int_eq(tu_read(child, A + P), 0x42);
	ck_assert(tu_pm(mm, A + P) & PM_PRESENT);
	ck_assert_uint_eq(tu_pfn(mm, A + P), tu_pfn(child, A + P));
	ck_assert_int_eq(vmsim_migrate_finish(m), 0);	/* done already: frees the handle */
	/* Shared now: the parent's write copies. */
	ck_assert_int_eq(tu_write(mm, A + P, 0x43), 0);
	ck_assert_int_eq(tu_read(child, A + P), 0x42);
	vmsim_mm_exit(child);
}
END_TEST

/* mprotect makes a writable migration entry readable-exclusive (anon);
 * munmap drops the entries, and the migration finishes with nothing to
 * map. */
START_TEST(migration_entry_mprotect_munmap)
{
	struct vmsim_migration *m;

	map_anon(mm, A, 1);
	ck_assert_int_eq(tu_write(mm, A, 0x51), 0);
	ck_assert_int_eq(vmsim_migrate_start(mm, A, &m), 0);
	ck_assert_int_eq(vmsim_mprotect(mm, A, P, VMSIM_PROT_READ), 0);
	ck_assert_uint_eq(type_of(mm, A), SWP_MIGRATION_READ_EXCLUSIVE);
	ck_assert_int_eq(vmsim_mprotect(mm, A, P, TU_PROT_RW), 0);
	ck_assert_int_eq(vmsim_migrate_finish(m), 0);
	/* Exclusive again, but read-only until a write fault reuses it. */
	ck_assert(tu_pm(mm, A) & PM_MMAP_EXCLUSIVE);
	ck_assert_int_eq(tu_write(mm, A, 0x52), 0);
	ck_assert_int_eq(vmsim_migrate_start(mm, A, &m), 0);
	ck_assert_int_eq(vmsim_munmap(mm, A, P), 0);
	ck_assert_int_eq(vmsim_migrate_finish(m), 0);
}
END_TEST

/* ---- memory failure ---- */

/* A mapped anonymous page: hwpoison entries, SIGBUS (MCE) on access, the
 * frame never used again; fork copies the entry, munmap drops it. */
START_TEST(hwpoison_anon)
{
	struct vmsim_mm *child;
	unsigned long pfn;
	uint64_t e;

	map_anon(mm, A, 2);
	ck_assert_int_eq(tu_write(mm, A, 0x61), 0);
	pfn = tu_pfn(mm, A);
	ck_assert_int_eq(vmsim_memory_failure_addr(mm, A), 0);
	e = tu_pm(mm, A);
	ck_assert(!(e & PM_PRESENT) && (e & PM_SWAP));
	ck_assert_uint_eq(type_of(mm, A), SWP_HWPOISON);
	ck_assert_uint_eq((e & PM_PFRAME_MASK) >> 5, pfn);
	ck_assert_int_eq(tu_read(mm, A), -VMSIM_ACCESS_HWPOISON);
	ck_assert_int_eq(vmsim_memory_failure(vm, pfn), -EHWPOISON);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_uint_eq(type_of(child, A), SWP_HWPOISON);
	ck_assert_int_eq(tu_write(child, A, 1), VMSIM_ACCESS_HWPOISON);
	vmsim_mm_exit(child);
	/* Untouched page 1: madvise(MADV_HWPOISON) faults it in (the zero
	 * page, which the kernel owns: refused). */
	ck_assert_int_eq(vmsim_memory_failure_addr(mm, A + P), -EBUSY);
	ck_assert_int_eq(vmsim_munmap(mm, A, 2 * P), 0);
	map_anon(mm, A, 1);
	ck_assert_int_eq(tu_write(mm, A, 1), 0);
	ck_assert_uint_ne(tu_pfn(mm, A), pfn);
}
END_TEST

/* A free frame leaves the free lists for good. */
START_TEST(hwpoison_free)
{
	unsigned long before = vmsim_nr_free_pages(vm), pfn = vmsim_nr_frames(vm) - 1;
	struct vmsim_page *p = vmsim_pfn_to_page(vm, pfn);

	ck_assert_int_eq(p->refcount, 0);	/* free: inside a free block */
	ck_assert_int_eq(vmsim_memory_failure(vm, pfn), 0);
	ck_assert_uint_eq(vmsim_nr_free_pages(vm), before - 1);
	ck_assert(vmsim_page_test(p, PG_hwpoison) && !vmsim_page_test(p, PG_buddy));
	ck_assert_int_eq(vmsim_memory_failure(vm, pfn), -EHWPOISON);
	ck_assert_int_eq(vmsim_memory_failure(vm, vmsim_nr_frames(vm)), -EINVAL);
	ck_assert_int_eq(vmsim_memory_failure(vm, vmsim_mm_pgd(mm)), -EBUSY);
	ck_assert_int_eq(vmsim_memory_failure(vm, vmsim_zero_pfn(vm)), -EBUSY);
}
END_TEST

/* A clean disk page is dropped from the cache (it can be read again), a
 * dirty one poisons its mappings; shmem keeps the poisoned page. */
START_TEST(hwpoison_file)
{
	struct vmsim_file *d, *s;
	unsigned char b = 0, v = 0x71;

	ck_assert_int_eq(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, 2 * P, &d), 0);
	ck_assert_int_eq(vmsim_file_write(d, 0, &v, 1), 1);
	ck_assert_int_eq(vmsim_file_drop_caches(d), 0);	/* written back, dropped */
	ck_assert_int_eq(vmsim_mmap(mm, A, 2 * P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, d, 0), 0);
	ck_assert_int_eq(tu_read(mm, A), 0x71);
	ck_assert_int_eq(vmsim_memory_failure_addr(mm, A), 0);
	ck_assert(!(tu_pm(mm, A) & (PM_PRESENT | PM_SWAP)));
	ck_assert_int_eq(tu_read(mm, A), 0x71);		/* read again from disk */
	ck_assert_int_eq(vmsim_file_new(vm, "s", VMSIM_FILE_SHMEM, P, &s), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A + 0x100000, P, TU_PROT_RW, VMSIM_MAP_SHARED, s, 0), 0);
	ck_assert_int_eq(tu_write(mm, A + 0x100000, 1), 0);
	ck_assert_int_eq(vmsim_memory_failure_addr(mm, A + 0x100000), 0);
	ck_assert_uint_eq(type_of(mm, A + 0x100000), SWP_HWPOISON);
	ck_assert_int_eq(vmsim_file_read(s, 0, &b, 1), -EIO);
}
END_TEST

/* ---- the OOM killer ---- */

static struct vmsim_mm *oom_victim;
static unsigned oom_calls;

static void on_oom(void *arg, struct vmsim_mm *victim)
{
	(void)arg;
	oom_victim = victim;
	oom_calls++;
}

/* No swap: the biggest process (rss + swap + page tables) is killed when
 * memory runs out, another's fault then succeeds. */
START_TEST(oom_kill_biggest)
{
	struct vmsim_mm *big, *small;
	unsigned i;
	int r = 0;

	vmsim_free(vm);
	machine("ram=1M check=full");
	vmsim_set_oom_notify(vm, on_oom, NULL);
	oom_victim = NULL;
	oom_calls = 0;
	big = mm;
	ck_assert_int_eq(vmsim_mm_new(vm, &small), 0);
	map_anon(big, A, 256);
	map_anon(small, A, 256);
	for (i = 0; i < 64; i++)
		ck_assert_int_eq(tu_write(small, A + i * P, 1), 0);
	for (i = 0; i < 256 && !r; i++)
		r = tu_write(big, A + i * P, 1);
	/* big grew until memory ran out, then was the one killed. */
	ck_assert_int_eq(r, VMSIM_ACCESS_SIGKILL);
	ck_assert_ptr_eq(oom_victim, big);
	ck_assert_uint_eq(oom_calls, 1);
	ck_assert(vmsim_mm_oom_killed(big));
	ck_assert(!vmsim_mm_oom_killed(small));
	ck_assert_int_eq(vmsim_oom_badness(big), 0);
	ck_assert_int_eq(vmsim_munmap(big, A, P), -ESRCH);
	ck_assert_int_eq(tu_read(big, A), -VMSIM_ACCESS_SIGKILL);
	/* Its memory is back: small can grow. */
	for (i = 64; i < 192; i++)
		ck_assert_int_eq(tu_write(small, A + i * P, 1), 0);
	ck_assert_int_gt(vmsim_oom_badness(small), 192);
	vmsim_mm_exit(big);
}
END_TEST

/* The victim need not be the process that faulted: here the one that
 * runs out is small, the killed one is big, and the fault succeeds. */
START_TEST(oom_kill_other)
{
	struct vmsim_mm *big, *small;

	vmsim_free(vm);
	machine("ram=1M check=full");
	vmsim_set_oom_notify(vm, on_oom, NULL);
	oom_victim = NULL;
	big = mm;
	ck_assert_int_eq(vmsim_mm_new(vm, &small), 0);
	map_anon(big, A, 256);
	map_anon(small, A, 64);
	for (unsigned i = 0; i < 256 && !vmsim_mm_oom_killed(big); i++)
		if (tu_write(big, A + i * P, 1))
			break;
	vmsim_mm_exit(big);	/* whatever happened, start clean */
	ck_assert_int_eq(vmsim_mm_new(vm, &big), 0);
	map_anon(big, A, 256);
	for (unsigned i = 0; i < 200; i++)
		ck_assert_int_eq(tu_write(big, A + i * P, 1), 0);
	oom_victim = NULL;
	for (unsigned i = 0; i < 64; i++)
		ck_assert_int_eq(tu_write(small, A + i * P, 2), 0);
	ck_assert_ptr_eq(oom_victim, big);
	ck_assert(!vmsim_mm_oom_killed(small));
	vmsim_mm_exit(big);
}
END_TEST

Suite *migrate_suite(void);
Suite *migrate_suite(void)
{
	Suite *s = suite_create("migrate");
	TCase *tc = tcase_create("migrate");

	tcase_set_timeout(tc, 120);
	tcase_add_checked_fixture(tc, setup, teardown);
	tcase_add_test(tc, migrate_anon);
	tcase_add_test(tc, migrate_shared);
	tcase_add_test(tc, migrate_pinned);
	tcase_add_test(tc, migrate_file);
	tcase_add_test(tc, migration_entries);
	tcase_add_test(tc, migration_entry_mprotect_munmap);
	tcase_add_test(tc, hwpoison_anon);
	tcase_add_test(tc, hwpoison_free);
	tcase_add_test(tc, hwpoison_file);
	tcase_add_test(tc, oom_kill_biggest);
	tcase_add_test(tc, oom_kill_other);
	suite_add_tcase(s, tc);
	return s;
}

int main(void)
{
	return tu_check_main(migrate_suite());
}
