/* The fixture of the lazy-unmap-flush tests (test_mm_luf.c,
 * test_check_luf_check.c).  P maps page 0 of a disk file F read-only and
 * has run on CPUs 0 and 1, so reclaim batches its flush; P reads the page
 * on CPU 1, which caches it; MADV_PAGEOUT then unmaps it (read-only and
 * clean: LUF leaves the flush owed) and frees it.  A spare page is freed
 * right after, so that the next allocation does not take the LUF'd frame
 * (v12 takes a page that owes nothing first) unless a test wants it to. */
#ifndef VMSIM_LUFTEST_H
#define VMSIM_LUFTEST_H

#include <stdio.h>
#include <string.h>

#include "testutil.h"


#define P	4096ULL
#define A	0x7f0000000000ULL	/* P: F, private, read-only */
#define B	0x7f0000100000ULL	/* P: spare vmas */
#define C	0x7f0000200000ULL	/* Q's */

struct lx {
	struct bug_log log;
	struct vmsim *vm;
	struct vmsim_mm *p, *q;
	struct vmsim_file *f;
	unsigned long x;		/* the LUF'd frame */
	unsigned long spare[8];		/* held until the end (~0UL: none) */
};

static inline struct vmsim_luf_stats st(struct vmsim *vm)
{
	struct vmsim_luf_stats s;

	assert_int_equal(vmsim_luf_stats(vm, &s), 0);
	return s;
}

static inline void read_on(struct vmsim_mm *mm, int cpu, uint64_t addr)
{
	unsigned char b;

	assert_int_equal(vmsim_access(mm, cpu, addr, &b, 1, false, NULL), VMSIM_ACCESS_OK);
}

/* The machine, Q on CPU 2 with an anonymous page, and P up to the read
 * on CPU 1 (no unmap yet). */
static inline void setup(struct lx *t, const char *opts)
{
	char buf[256];

	memset(t, 0, sizeof(*t));
	memset(t->spare, 0xff, sizeof(t->spare));
	snprintf(buf, sizeof(buf), "cpus=3 ram=16M check=full %s", opts);
	t->vm = tu_machine_str(buf, &t->log);
	assert_non_null(t->vm);
	assert_int_equal(vmsim_file_new(t->vm, "F", VMSIM_FILE_DISK, 8 * P, &t->f), 0);
	assert_int_equal(vmsim_mm_new(t->vm, &t->q), 0);
	assert_int_equal(vmsim_mm_run(t->q, 2), 0);
	assert_int_equal(vmsim_mmap(t->q, C, 64 * P, VMSIM_PROT_READ | VMSIM_PROT_WRITE,
				    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(t->q, C, 1), 0);
	assert_int_equal(vmsim_mm_new(t->vm, &t->p), 0);
	assert_int_equal(vmsim_mm_run(t->p, 0), 0);
	assert_int_equal(vmsim_mmap(t->p, A, P, VMSIM_PROT_READ, VMSIM_MAP_PRIVATE, t->f, 0), 0);
	assert_int_equal(vmsim_mm_run(t->p, 1), 0);
	read_on(t->p, 1, A);
	t->x = tu_pfn(t->p, A);
	/* Spares, taken before anything owes a flush. */
	for (int i = 0; i < 8; i++)
		assert_int_equal(vmsim_page_alloc(t->vm, 0, &t->spare[i]), 0);
}

/* Reclaim unmaps A (LUF) and frees the frame; then one page that owes
 * nothing is freed for the next allocation: one whose buddy stays
 * allocated, so that it waits on the order-0 free list (v12 takes an
 * order-0 page owing a flush before it splits a bigger free block, and a
 * page merged with an owing buddy owes what it owes). */
static inline void defer(struct lx *t)
{
	int one = -1;

	assert_int_equal(vmsim_madvise(t->p, A, P, VMSIM_MADV_PAGEOUT), 0);
	assert_int_equal(tu_pfn(t->p, A), ~0UL);
	for (int i = 0; i < 8 && one < 0; i++)
		for (int j = 0; j < 8; j++)
			if (t->spare[j] == (t->spare[i] ^ 1))
				one = i;
	assert_true(one >= 0);
	assert_int_equal(vmsim_page_free(t->vm, t->spare[one], 0), 0);
	t->spare[one] = ~0UL;
}

static inline void teardown(struct lx *t, unsigned bugs)
{
	for (int i = 0; i < 8; i++)
		if (t->spare[i] != ~0UL)
			assert_int_equal(vmsim_page_free(t->vm, t->spare[i], 0), 0);
	if (t->log.count != bugs)
		print_error("bugs: %u, last: %s\n", t->log.count, t->log.last);
	assert_int_equal(t->log.count, bugs);
	vmsim_free(t->vm);
	assert_int_equal(t->log.count, bugs);
}

/* Allocate order-0 frames until pfn comes out (the others go back). */
static inline void take(struct lx *t, unsigned long pfn)
{
	unsigned long got[4096];
	unsigned n = 0;

	do {
		assert_true(n < 4096);
		assert_int_equal(vmsim_page_alloc(t->vm, 0, &got[n]), 0);
	} while (got[n++] != pfn);
	while (--n > 0)
		assert_int_equal(vmsim_page_free(t->vm, got[n - 1], 0), 0);
}

#endif
