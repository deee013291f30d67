/* Unit tests: vma split and merge (mm/vma.c), against Linux's rules:
 * is_mergeable_vma() (same flags but VM_SOFTDIRTY, same file, same
 * userfaultfd context), is_mergeable_anon_vma() (the same anon_vma, or one
 * side without one whose neighbour is not a forked vma with an anon_vma
 * chain longer than one), contiguous pgoff; __split_vma() keeps pgoff
 * linear.  Pictures: one character a page, A, B...: vmas, '.': no vma. */
#include "unitfix.h"

/* The public VM_* values (<vmsim/mm_types.h>) are include/linux/mm.h's. */
_Static_assert(VM_READ == 0x1UL, "VM_READ as include/linux/mm.h");
_Static_assert(VM_WRITE == 0x2UL, "VM_WRITE as include/linux/mm.h");
_Static_assert(VM_SHARED == 0x8UL, "VM_SHARED as include/linux/mm.h");
_Static_assert(VM_LOCKED == 0x2000UL, "VM_LOCKED as include/linux/mm.h");
_Static_assert(VM_SOFTDIRTY == 0x08000000UL, "VM_SOFTDIRTY as include/linux/mm.h");

static struct vmsim_vma_info vma_at(uint64_t addr)
{
	struct vmsim_vma_info v;

	for (unsigned k = 0; !vmsim_mm_vma(mm, k, &v); k++)
		if (addr >= v.start && addr < v.end)
			return v;
	fail_msg("no vma at %#llx", (unsigned long long)addr);
	return v;
}

static void test_mprotect_splits_and_rejoins(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 8 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	/*
	 * 01234567
	 * AAAAAAAA
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AAAAAAAA");
	assert_int_equal(vmsim_mprotect(mm, pg(2), 2 * P, RO), 0);
	/*
	 * 01234567
	 * AABBCCCC	B read-only
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AABBCCCC");
	assert_int_equal(vma_at(pg(2)).flags & (VM_READ | VM_WRITE), VM_READ);
	assert_int_equal(vma_at(pg(4)).flags & (VM_READ | VM_WRITE), VM_READ | VM_WRITE);
	/* The split halves share the anon_vma (__split_vma clones it). */
	assert_true(vma_at(pg(2)).has_anon_vma);
	assert_true(vma_at(pg(7)).has_anon_vma);
	assert_int_equal(vmsim_mprotect(mm, pg(2), 2 * P, RW), 0);
	/*
	 * 01234567
	 * AAAAAAAA	prev, middle and next merged in one step
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AAAAAAAA");
	assert_int_equal(tu_nr_vmas(mm), 1);
	assert_int_equal(tu_read(mm, pg(0)), 1);
}

static void test_adjacent_anon_mmaps_merge(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);	/* prev has an anon_vma */
	assert_int_equal(vmsim_mmap(mm, pg(8), 4 * P, RW, ANON, NULL, 0), 0);
	/*
	 * 0123456789ab
	 * AAAA....BBBB
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 12), "AAAA....BBBB");
	assert_int_equal(vmsim_mmap(mm, pg(4), 4 * P, RW, ANON, NULL, 0), 0);
	/*
	 * 0123456789ab
	 * AAAAAAAAAAAA	the new vma joins both neighbours
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 12), "AAAAAAAAAAAA");
	assert_int_equal(vma_at(pg(0)).start, pg(0));
	assert_int_equal(vma_at(pg(0)).end, pg(12));
}

static void test_different_flags_do_not_merge(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(2), 2 * P, RO, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(4), 2 * P, RW, ANON | VMSIM_MAP_LOCKED, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(6), 2 * P, RW, VMSIM_MAP_SHARED | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	/*
	 * 01234567
	 * AABBCCDD	rw, r, rw+locked, rw shared
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AABBCCDD");
	assert_true(vma_at(pg(4)).flags & VM_LOCKED);
	assert_true(vma_at(pg(6)).flags & VM_SHARED);
}

/* VM_SOFTDIRTY is the one flag is_mergeable_vma() ignores. */
static void test_softdirty_ignored(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_false(vma_at(pg(0)).flags & VM_SOFTDIRTY);
	assert_int_equal(vmsim_mmap(mm, pg(2), 2 * P, RW, ANON, NULL, 0), 0);
	/*
	 * 0123
	 * AAAA	merged; the merged vma is soft-dirty (the new part is)
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 4), "AAAA");
	assert_true(vma_at(pg(0)).flags & VM_SOFTDIRTY);
}

static void test_file_offsets_must_be_contiguous(void **state)
{
	struct vmsim_file *f, *g;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 32 * P, &f), 0);
	assert_int_equal(vmsim_file_new(vm, "g", VMSIM_FILE_SHMEM, 32 * P, &g), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 2 * P, RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(2), 2 * P, RW, VMSIM_MAP_SHARED, f, 2 * P), 0);
	assert_int_equal(vmsim_mmap(mm, pg(4), 2 * P, RW, VMSIM_MAP_SHARED, f, 8 * P), 0);
	assert_int_equal(vmsim_mmap(mm, pg(6), 2 * P, RW, VMSIM_MAP_SHARED, g, 10 * P), 0);
	assert_int_equal(vmsim_mmap(mm, pg(8), 2 * P, RW, VMSIM_MAP_PRIVATE, g, 12 * P), 0);
	assert_int_equal(vmsim_mmap(mm, pg(10), 2 * P, RW, ANON, NULL, 0), 0);
	/*
	 * 0123456789ab
	 * AAAABBCCDDEE	f@0 + f@2 merge; f@8 is not contiguous; g is another
	 *		file; private g differs in flags; anon has no file
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 12), "AAAABBCCDDEE");
	assert_int_equal(vma_at(pg(3)).pgoff, 0);
	assert_string_equal(vma_at(pg(6)).file, "g");
	assert_null(vma_at(pg(10)).file);
}

static void test_split_keeps_pgoff_linear(void **state)
{
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 32 * P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, pg(0), 8 * P, RW, VMSIM_MAP_SHARED, f, 4 * P), 0);
	assert_int_equal(vmsim_munmap(mm, pg(2), 3 * P), 0);
	/*
	 * 01234567
	 * AA...BBB	B maps file pages 9..11
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AA...BBB");
	assert_int_equal(vma_at(pg(0)).pgoff, 4);
	assert_int_equal(vma_at(pg(5)).pgoff, 9);
	assert_int_equal(vma_at(pg(5)).end, pg(8));
	/* Mapping the hole back with the matching offset rejoins all three. */
	assert_int_equal(vmsim_mmap(mm, pg(2), 3 * P, RW, VMSIM_MAP_SHARED, f, 6 * P), 0);
	/*
	 * 01234567
	 * AAAAAAAA
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AAAAAAAA");
}

/* Two vmas with their own anon_vmas never merge: their pages could not be
 * found through one anon_vma afterwards. */
static void test_distinct_anon_vmas_do_not_merge(void **state)
{
	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_mmap(mm, pg(4), 4 * P, RW | VMSIM_PROT_EXEC, ANON, NULL, 0), 0);
	assert_int_equal(tu_write(mm, pg(0), 1), 0);
	assert_int_equal(tu_write(mm, pg(4), 2), 0);
	/*
	 * 01234567
	 * AAAABBBB	both faulted: two anon_vmas
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AAAABBBB");
	assert_int_equal(vmsim_mprotect(mm, pg(4), 4 * P, RW), 0);
	/*
	 * 01234567
	 * AAAABBBB	same flags now, still two
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AAAABBBB");
}

/* After fork the child's vma has an anon_vma chain of two (its own and the
 * parent's).  Its split halves share one anon_vma, so they merge again;
 * but a new vma without anon_vma does not join it (vma_had_uncowed_parents).
 * The host kernel (6.18) does both, as /proc/PID/maps shows. */
static void test_forked_vma_merge_rules(void **state)
{
	struct vmsim_mm *child;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 4 * P, RW, ANON, NULL, 0), 0);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(tu_write(mm, pg(i), 1), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_int_equal(vmsim_mprotect(child, pg(1), P, RO), 0);
	/*
	 * 0123		child
	 * ABCC
	 */
	assert_string_equal(tu_vmas(child, pg(0), 4), "ABCC");
	assert_int_equal(vmsim_mprotect(child, pg(1), P, RW), 0);
	/*
	 * 0123		child: one anon_vma, merged
	 * AAAA
	 */
	assert_string_equal(tu_vmas(child, pg(0), 4), "AAAA");
	assert_int_equal(vmsim_mmap(child, pg(4), 4 * P, RW, ANON, NULL, 0), 0);
	/*
	 * 01234567	child: the new vma stays apart
	 * AAAABBBB
	 */
	assert_string_equal(tu_vmas(child, pg(0), 8), "AAAABBBB");
	/* The parent's own vma (chain of one) takes a new neighbour in. */
	assert_int_equal(vmsim_mmap(mm, pg(4), 4 * P, RW, ANON, NULL, 0), 0);
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AAAAAAAA");
	vmsim_mm_exit(child);
}

/* A userfaultfd registration is part of what must match. */
static void test_uffd_context_splits(void **state)
{
	struct vmsim_uffd *u;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, pg(0), 8 * P, RW, ANON, NULL, 0), 0);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	assert_int_equal(vmsim_uffd_register(u, pg(2), 2 * P, UFFDIO_REGISTER_MODE_MISSING), 0);
	/*
	 * 01234567
	 * AABBCCCC	B registered
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AABBCCCC");
	assert_int_equal(vmsim_uffd_unregister(u, pg(2), 2 * P), 0);
	/*
	 * 01234567
	 * AAAAAAAA
	 */
	assert_string_equal(tu_vmas(mm, pg(0), 8), "AAAAAAAA");
	vmsim_uffd_close(u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_mprotect_splits_and_rejoins),
		TU_TEST(test_adjacent_anon_mmaps_merge),
		TU_TEST(test_different_flags_do_not_merge),
		TU_TEST(test_softdirty_ignored),
		TU_TEST(test_file_offsets_must_be_contiguous),
		TU_TEST(test_split_keeps_pgoff_linear),
		TU_TEST(test_distinct_anon_vmas_do_not_merge),
		TU_TEST(test_forked_vma_merge_rules),
		TU_TEST(test_uffd_context_splits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
