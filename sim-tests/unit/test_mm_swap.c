/* Unit tests: the LRU lists and mlock (mm/swap.c, mm/mlock.c of Linux
 * 6.18, the two-list LRU): new anonymous and page-cache folios start
 * inactive, a second read() promotes, MADV_COLD deactivates, freed folios
 * leave their list; a folio of a VM_LOCKED vma is unevictable until
 * munlocked.  What reclaim does with the lists is test_mm_vmscan.c's. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define A 0x7f0000000000ULL
#define P 4096ULL

static struct vmsim_lru_info lru(struct vmsim *vm)
{
	struct vmsim_lru_info l;

	vmsim_lru_info(vm, &l);
	return l;
}

static struct vmsim_reclaim_stats stats(struct vmsim *vm)
{
	struct vmsim_reclaim_stats st;

	vmsim_reclaim_stats(vm, &st);
	return st;
}

/* New anonymous and page-cache folios start on their inactive lists; a
 * second read() promotes a file folio (folio_mark_accessed); MADV_COLD
 * sends an active folio mapped only here back. */
static void test_lists(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M check=full", &log);
	struct vmsim_mm *mm;
	struct vmsim_file *f;
	unsigned char b;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(tu_read(mm, A + P), 0);	/* the zero page: on no list */
	assert_int_equal(lru(vm).inactive_anon, 1);
	assert_int_equal(vmsim_file_new(vm, "d", VMSIM_FILE_DISK, P, &f), 0);
	assert_int_equal(vmsim_file_read(f, 0, &b, 1), 1);
	assert_int_equal(lru(vm).inactive_file, 1);
	assert_int_equal(vmsim_file_read(f, 0, &b, 1), 1);
	assert_int_equal(lru(vm).inactive_file, 0);
	assert_int_equal(lru(vm).active_file, 1);
	assert_int_equal(stats(vm).pgactivate, 1);
	assert_int_equal(vmsim_mmap(mm, A + 0x100000, P, VMSIM_PROT_READ, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(tu_read(mm, A + 0x100000), 0);
	assert_int_equal(vmsim_madvise(mm, A + 0x100000, P, VMSIM_MADV_COLD), 0);
	assert_int_equal(lru(vm).active_file, 0);
	assert_int_equal(lru(vm).inactive_file, 1);
	assert_int_equal(stats(vm).pgdeactivate, 1);
	/* Freed folios leave their list. */
	assert_int_equal(vmsim_munmap(mm, A, 2 * P), 0);
	assert_int_equal(lru(vm).inactive_anon, 0);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

/* mlock (mm/mlock.c): a folio faulted into a VM_LOCKED vma is mlocked at
 * once (mlock_new_folio) and goes to the unevictable list, which reclaim
 * never scans; munmap munlocks and frees it. */
static void test_mlocked_unevictable(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M swap=1M check=full", &log);
	struct vmsim_mm *mm;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW,
				    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS | VMSIM_MAP_LOCKED, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, A + 16 * P, 2 * P, TU_PROT_RW,
				    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A + 16 * P, 1), 0);
	assert_int_equal(tu_write(mm, A + 17 * P, 1), 0);
	/* MAP_LOCKED populated all four. */
	assert_int_equal(lru(vm).unevictable, 4);
	assert_int_equal(lru(vm).inactive_anon + lru(vm).active_anon, 2);
	/* Reclaim takes the two evictable pages, never the locked ones. */
	assert_int_equal(vmsim_reclaim(vm, 64), 0);	/* first look: referenced */
	assert_int_equal(vmsim_reclaim(vm, 64), 0);	/* written out */
	assert_int_equal(vmsim_reclaim(vm, 64), 2);	/* freed */
	assert_int_equal(vmsim_reclaim(vm, 64), 0);
	assert_int_equal(lru(vm).unevictable, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_true(tu_pm(mm, A + i * P) & PM_PRESENT);
	assert_int_equal(vmsim_munmap(mm, A, 4 * P), 0);
	assert_int_equal(lru(vm).unevictable, 0);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lists),
		cmocka_unit_test(test_mlocked_unevictable),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
