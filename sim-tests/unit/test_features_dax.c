/* Unit tests: DAX files (features/dax/) as Linux 6.18's fs/dax.c and ext4
 * map them -- a PMD leaf for a 2 MiB that is one aligned extent, PTEs
 * otherwise (fragmented extents, a misaligned vma, a private COW), the
 * (huge) zero page over holes replaced by a write, fsync cleaning every
 * mapping, hole punch and truncate unmapping everything before the blocks
 * go -- and FS-DAX PMD table sharing (machine dax_pmd_share=on): refused
 * with a reason unless the whole PUD range is PMD-mappable, unshared with
 * the whole PUD range flushed, and the two quirks of its history. */
#define TU_UNIT_MACHINE "ram=64M check=full pmem=64M"
#include "unitfix.h"

#include <stdlib.h>

#define M2 (2ULL << 20)
#define G1 (1ULL << 30)
#define B 0x7f0000000000ULL	/* 1 GiB aligned */
#define SH (VMSIM_MAP_SHARED)
#define PR (VMSIM_MAP_PRIVATE)

static struct vmsim_file *dfile(struct vmsim *m, const char *name, uint64_t size)
{
	struct vmsim_file *f;

	assert_int_equal(vmsim_file_new(m, name, VMSIM_FILE_DAX, size, &f), 0);
	return f;
}

static bool in_pmem(struct vmsim *m, unsigned long pfn)
{
	unsigned long first, n = vmsim_pmem_frames(m, &first);

	return pfn >= first && pfn < first + n;
}

/* The level of the leaf that maps addr in m. */
static int leaf_level(struct vmsim *m, struct vmsim_mm *p, uint64_t addr)
{
	struct vmsim_walk w;

	assert_int_equal(vmsim_walk(m, vmsim_mm_pgd(p), addr, 0, &w), 0);
	return w.level;
}

static struct vmsim_page *pmd_table(struct vmsim *m, struct vmsim_mm *p, uint64_t addr)
{
	struct vmsim_walk w;

	assert_int_equal(vmsim_walk(m, vmsim_mm_pgd(p), addr, 0, &w), 0);
	return w.pmd ? w.table[VMSIM_LVL_PMD] : NULL;
}

/* Trace lines of one type, for the reasons a test expects. */
static char trace_buf[1 << 16];
static void collect(void *arg, const struct vmsim_trace_event *ev)
{
	char line[256];
	size_t used = strlen(trace_buf);

	if (ev->type != (enum vmsim_trace_type)(uintptr_t)arg)
		return;
	vmsim_trace_format(ev, line, sizeof(line));
	if (used + strlen(line) + 2 < sizeof(trace_buf)) {
		strcat(trace_buf, line);
		strcat(trace_buf, "\n");
	}
}

static void trace_on(struct vmsim *m, enum vmsim_trace_type t)
{
	trace_buf[0] = 0;
	vmsim_set_trace(m, collect, (void *)(uintptr_t)t);
}

static void test_pmd_leaf_for_an_aligned_extent(void **state)
{
	struct vmsim_file *f = dfile(vm, "D", 8 << 20);
	struct vmsim_mm_stats st;
	unsigned long pfn;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, B, 8 << 20, RW, SH, f, 0), 0);
	assert_int_equal(tu_read(mm, B + 5 * P), 0);
	assert_int_equal(leaf_level(vm, mm, B), VMSIM_LVL_PMD);
	pfn = tu_pfn(mm, B);
	assert_true(in_pmem(vm, pfn));
	assert_int_equal(pfn & 511, 0);
	assert_int_equal(tu_pfn(mm, B + 511 * P), pfn + 511);
	assert_true(tu_pm(mm, B) & PM_FILE);
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.faults, 1);
	assert_int_equal(st.rss_file, 512);
	/* A write through the read-only PMD is page_mkwrite: same block. */
	assert_int_equal(tu_write(mm, B + 7, 0x42), 0);
	assert_int_equal(tu_pfn(mm, B), pfn);
	{
		unsigned char c = 0;

		assert_int_equal(vmsim_file_read(f, 7, &c, 1), 1);
		assert_int_equal(c, 0x42);
	}
	/* A write() shows through the mapping at once: no page cache. */
	assert_int_equal(vmsim_file_write(f, M2 + 3, "z", 1), 1);
	assert_int_equal(tu_read(mm, B + M2 + 3), 'z');
	assert_int_equal(vmsim_munmap(mm, B, 8 << 20), 0);
}

static void test_fragmented_extents_map_ptes(void **state)
{
	struct bug_log log = { 0 };
	struct vmsim *m = tu_machine_str("ram=32M check=full pmem=16M dax_fragment=1", &log);
	struct vmsim_mm *p;
	struct vmsim_file *f;

	(void)state;
	assert_non_null(m);
	assert_int_equal(vmsim_mm_new(m, &p), 0);
	f = dfile(m, "D", 4 << 20);
	assert_int_equal(vmsim_mmap(p, B, 4 << 20, RW, SH, f, 0), 0);
	trace_on(m, VMSIM_TR_DAX);
	assert_int_equal(tu_write(p, B, 1), 0);
	assert_int_equal(leaf_level(m, p, B), VMSIM_LVL_PTE);
	assert_non_null(strstr(trace_buf, "fallback: the file's 2 MiB is not one aligned extent"));
	assert_true(in_pmem(m, tu_pfn(p, B)));
	assert_int_equal(tu_read(p, B + 3 * P), 0);
	vmsim_set_trace(m, NULL, NULL);
	vmsim_mm_exit(p);
	vmsim_free(m);
	assert_int_equal(log.count, 0);
}

static void test_misaligned_vma_and_private_cow(void **state)
{
	struct vmsim_file *f = dfile(vm, "D", 8 << 20);
	unsigned long blk;
	unsigned char c = 0;

	(void)state;
	assert_int_equal(vmsim_file_write(f, 0, "ab", 2), 2);
	/* Offset one page from the address's 2 MiB colour: PTEs. */
	assert_int_equal(vmsim_mmap(mm, B + P, 4 << 20, RW, SH, f, 0), 0);
	assert_int_equal(tu_read(mm, B + P), 'a');
	assert_int_equal(leaf_level(vm, mm, B + P), VMSIM_LVL_PTE);
	blk = tu_pfn(mm, B + P);
	/* The index now holds a PTE entry in the first 2 MiB: PTE entries
	 * win, so another mapping of it is PTEs too (grab_mapping_entry). */
	assert_int_equal(vmsim_mmap(mm, B + G1, 4 << 20, RW, PR, f, 0), 0);
	assert_int_equal(tu_read(mm, B + G1 + 1), 'b');
	assert_int_equal(leaf_level(vm, mm, B + G1), VMSIM_LVL_PTE);
	assert_int_equal(tu_pfn(mm, B + G1), blk);
	/* A private mapping reads the block itself, copies on write. */
	assert_int_equal(vmsim_file_write(f, M2, "cd", 2), 2);
	assert_int_equal(tu_read(mm, B + G1 + M2 + 1), 'd');
	assert_int_equal(leaf_level(vm, mm, B + G1 + M2), VMSIM_LVL_PMD);
	blk = tu_pfn(mm, B + G1 + M2);
	assert_true(in_pmem(vm, blk));
	assert_int_equal(tu_write(mm, B + G1 + M2, 'X'), 0);
	assert_false(in_pmem(vm, tu_pfn(mm, B + G1 + M2)));
	assert_false(tu_pm(mm, B + G1 + M2) & PM_FILE);
	assert_int_equal(tu_read(mm, B + G1 + M2 + 1), 'd');
	/* The PMD went (a file PMD splits by unmapping); a neighbour comes
	 * back as a PTE of the block's next page. */
	assert_int_equal(tu_pm(mm, B + G1 + M2 + P) & PM_PRESENT, 0);
	assert_int_equal(tu_read(mm, B + G1 + M2 + P), 0);
	assert_int_equal(tu_pfn(mm, B + G1 + M2 + P), blk + 1);
	assert_int_equal(vmsim_file_read(f, M2, &c, 1), 1);
	assert_int_equal(c, 'c');
	/* A private write to an untouched page is a COW of the block. */
	assert_int_equal(tu_write(mm, B + G1 + M2 + 100 * P, 'Y'), 0);
	assert_false(in_pmem(vm, tu_pfn(mm, B + G1 + M2 + 100 * P)));
}

static void test_holes_zero_page_then_a_write_allocates(void **state)
{
	struct vmsim_file *f = dfile(vm, "D", 8 << 20);
	struct vmsim_mm *q;
	unsigned long zero;

	(void)state;
	assert_int_equal(vmsim_file_punch(f, M2, M2), 0);
	assert_int_equal(vmsim_mmap(mm, B, 8 << 20, RW, SH, f, 0), 0);
	assert_int_equal(vmsim_mm_new(vm, &q), 0);
	assert_int_equal(vmsim_mmap(q, B, 8 << 20, RO, SH, f, 0), 0);
	/* A read of the hole maps the huge zero folio. */
	assert_int_equal(tu_read(mm, B + M2 + 9), 0);
	assert_int_equal(tu_read(q, B + M2 + 9), 0);
	assert_int_equal(leaf_level(vm, mm, B + M2), VMSIM_LVL_PMD);
	zero = tu_pfn(mm, B + M2);
	assert_false(in_pmem(vm, zero));
	assert_int_equal(tu_pfn(q, B + M2), zero);
	/* A write allocates a 2 MiB extent and unmaps the zero folio from
	 * every process first. */
	assert_int_equal(tu_write(mm, B + M2 + 9, 7), 0);
	assert_true(in_pmem(vm, tu_pfn(mm, B + M2)));
	assert_int_equal(tu_pm(q, B + M2) & PM_PRESENT, 0);
	assert_int_equal(tu_read(q, B + M2 + 9), 7);
	assert_int_equal(tu_pfn(q, B + M2), tu_pfn(mm, B + M2));
	/* A 4 KiB hole: the PMD zero entry gives way to a PTE one. */
	assert_int_equal(vmsim_file_punch(f, 2 * M2 + 5 * P, P), 0);
	assert_int_equal(tu_read(mm, B + 2 * M2), 0);
	assert_int_equal(leaf_level(vm, mm, B + 2 * M2), VMSIM_LVL_PTE);
	assert_int_equal(tu_read(mm, B + 2 * M2 + 5 * P), 0);
	assert_int_equal(tu_pfn(mm, B + 2 * M2 + 5 * P), vmsim_page_to_pfn(vm, vmsim_zero_page(vm)));
	assert_true(in_pmem(vm, tu_pfn(mm, B + 2 * M2)));
	assert_int_equal(tu_write(mm, B + 2 * M2 + 5 * P, 3), 0);
	assert_true(in_pmem(vm, tu_pfn(mm, B + 2 * M2 + 5 * P)));
	assert_int_equal(tu_read(mm, B + 2 * M2 + 5 * P), 3);
	vmsim_mm_exit(q);
}

static void test_fsync_write_protects_and_cleans(void **state)
{
	struct vmsim_file *f = dfile(vm, "D", 4 << 20);
	struct vmsim_mm_stats before, after;
	struct vmsim_walk w;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, B, 4 << 20, RW, SH, f, 0), 0);
	assert_int_equal(tu_write(mm, B, 1), 0);
	assert_int_equal(vmsim_walk(vm, vmsim_mm_pgd(mm), B, 0, &w), 0);
	assert_true(pmd_write(pmdp_get(w.pmd)) && pmd_dirty(pmdp_get(w.pmd)));
	assert_int_equal(vmsim_file_fsync(f), 0);
	assert_false(pmd_write(pmdp_get(w.pmd)) || pmd_dirty(pmdp_get(w.pmd)));
	vmsim_mm_stats(mm, &before);
	/* The next write faults again: the entry is dirty once more. */
	assert_int_equal(tu_write(mm, B + 1, 2), 0);
	vmsim_mm_stats(mm, &after);
	assert_int_equal(after.faults, before.faults + 1);
	assert_true(pmd_write(pmdp_get(w.pmd)));
}

static unsigned prot_page_starts;

static int count_prot_page(struct mmu_notifier *sub, const struct mmu_notifier_range *r)
{
	(void)sub;
	if (r->event == MMU_NOTIFY_PROTECTION_PAGE && r->start == B && r->end == B + (2 << 20))
		prot_page_starts++;
	return 0;
}

/* fsync's page_vma_mkclean_one() tells secondary MMUs, as it write-protects
 * the 2 MiB leaf: MMU_NOTIFY_PROTECTION_PAGE over the entry's range. */
static void test_fsync_notifies_secondary_mmus(void **state)
{
	static const struct mmu_notifier_ops ops = { .invalidate_range_start = count_prot_page };
	static struct mmu_notifier sub = { .ops = &ops };
	struct vmsim_file *f = dfile(vm, "D", 4 << 20);

	(void)state;
	assert_int_equal(vmsim_mmap(mm, B, 4 << 20, RW, SH, f, 0), 0);
	assert_int_equal(tu_write(mm, B, 1), 0);
	assert_int_equal(vmsim_mmu_notifier_register(&sub, mm), 0);
	prot_page_starts = 0;
	assert_int_equal(vmsim_file_fsync(f), 0);
	assert_int_equal(prot_page_starts, 1);
	vmsim_mmu_notifier_unregister(&sub, mm);
}

static void test_punch_unmaps_the_file_before_freeing(void **state)
{
	struct vmsim_file *f = dfile(vm, "D", 4 << 20);
	struct vmsim_mm *q;
	unsigned char c = 9;

	(void)state;
	assert_int_equal(vmsim_mm_new(vm, &q), 0);
	assert_int_equal(vmsim_mm_run(q, 1), 0);
	assert_int_equal(vmsim_mmap(mm, B, 4 << 20, RW, SH, f, 0), 0);
	assert_int_equal(vmsim_mmap(q, B, 4 << 20, RW, SH, f, 0), 0);
	assert_int_equal(tu_write(mm, B + 5 * P, 5), 0);
	assert_int_equal(tu_write(q, B + M2, 6), 0);
	assert_int_equal(tu_read(q, B + 5 * P), 5);
	/* ext4_break_layouts(): every mapping of the file goes, both
	 * processes, then the block; the stale-TLB detector watches. */
	assert_int_equal(vmsim_file_punch(f, 5 * P, P), 0);
	assert_string_equal(tu_present(mm, B, 8), "00000000");
	assert_int_equal(tu_pm(q, B + M2) & PM_PRESENT, 0);
	assert_int_equal(tu_read(q, B + 5 * P), 0);
	assert_int_equal(tu_read(q, B + M2), 6);
	assert_int_equal(vmsim_file_read(f, 5 * P, &c, 1), 1);
	assert_int_equal(c, 0);
	vmsim_mm_exit(q);
}

static void test_truncate_sigbus_past_eof(void **state)
{
	struct vmsim_file *f = dfile(vm, "D", 4 << 20);

	(void)state;
	assert_int_equal(vmsim_mmap(mm, B, 4 << 20, RW, SH, f, 0), 0);
	assert_int_equal(vmsim_mmap(mm, B + G1, 4 << 20, RW, PR, f, 0), 0);
	assert_int_equal(tu_write(mm, B + M2, 1), 0);
	assert_int_equal(tu_write(mm, B + G1 + M2, 2), 0);	/* a COW copy */
	assert_int_equal(vmsim_file_truncate(f, M2 + 100), 0);
	assert_int_equal(tu_read(mm, B + M2), 1);
	assert_int_equal(tu_read(mm, B + M2 + 100), 0);
	assert_int_equal(tu_read(mm, B + M2 + P), -VMSIM_ACCESS_SIGBUS);
	/* truncate_pagecache(): even the COW copy past EOF goes. */
	assert_int_equal(tu_read(mm, B + G1 + M2 + P), -VMSIM_ACCESS_SIGBUS);
	/* Growing again leaves a hole that reads as zeros. */
	assert_int_equal(vmsim_file_truncate(f, 4 << 20), 0);
	assert_int_equal(tu_read(mm, B + M2 + 2 * P), 0);
	assert_int_equal(tu_write(mm, B + M2 + 2 * P, 4), 0);
	assert_int_equal(tu_read(mm, B + M2 + 2 * P), 4);
	assert_true(in_pmem(vm, tu_pfn(mm, B + M2 + 2 * P)));
}

static void test_no_space_is_sigbus(void **state)
{
	struct vmsim_file *f;

	(void)state;
	assert_int_equal(vmsim_file_new(vm, "big", VMSIM_FILE_DAX, 65 << 20, NULL), -ENOSPC);
	f = dfile(vm, "D", 64 << 20);
	assert_int_equal(vmsim_file_punch(f, 0, M2), 0);
	assert_int_equal(vmsim_file_truncate(f, 66 << 20), 0);
	assert_int_equal(vmsim_mmap(mm, B, 66 << 20, RW, SH, f, 0), 0);
	/* The punched 2 MiB comes back for the first write past it... */
	assert_int_equal(tu_write(mm, B + (64 << 20), 1), 0);
	/* ...and the region is full for the hole at the start. */
	assert_int_equal(tu_write(mm, B, 1), VMSIM_ACCESS_SIGBUS);
	assert_int_equal(tu_read(mm, B), 0);
}

/* ---- FS-DAX PMD table sharing ---- */

#define SHARE_MACHINE "ram=64M check=full pmem=2G dax_pmd_share=on"

struct share {
	struct bug_log log;
	struct vmsim *m;
	struct vmsim_mm *p, *q;
	struct vmsim_file *f;
};

static void share_setup(struct share *s, const char *extra)
{
	char opts[200];

	snprintf(opts, sizeof(opts), "%s %s", SHARE_MACHINE, extra);
	memset(&s->log, 0, sizeof(s->log));
	s->m = tu_machine_str(opts, &s->log);
	assert_non_null(s->m);
	assert_int_equal(vmsim_mm_new(s->m, &s->p), 0);
	assert_int_equal(vmsim_mm_new(s->m, &s->q), 0);
	assert_int_equal(vmsim_mm_run(s->q, 1), 0);
	s->f = dfile(s->m, "D", G1);
	assert_int_equal(vmsim_mmap(s->p, B, G1, RW, SH, s->f, 0), 0);
	assert_int_equal(vmsim_mmap(s->q, B + 4 * G1, G1, RW, SH, s->f, 0), 0);
}

/* bugs: how many reports the test expects; ~0u: one or more. */
static void share_done(struct share *s, unsigned bugs)
{
	vmsim_set_trace(s->m, NULL, NULL);
	vmsim_free(s->m);
	if (bugs == ~0u) {
		assert_true(s->log.count > 0);
		return;
	}
	if (s->log.count != bugs)
		print_error("bugs: %u, last: %s\n", s->log.count, s->log.last);
	assert_int_equal(s->log.count, bugs);
}

static void test_share_and_unshare(void **state)
{
	struct share s;
	struct vmsim_page *t;
	struct vmsim_mm_stats st;

	(void)state;
	share_setup(&s, "");
	trace_on(s.m, VMSIM_TR_PMD_SHARE);
	assert_int_equal(tu_write(s.p, B, 1), 0);
	t = pmd_table(s.m, s.p, B);
	assert_non_null(strstr(trace_buf, "no other process has a table to share"));
	/* Q's first fault points its PUD at P's table: P's page is there. */
	assert_int_equal(tu_read(s.q, B + 4 * G1), 1);
	assert_ptr_equal(pmd_table(s.m, s.q, B + 4 * G1), t);
	assert_int_equal(t->pt_share_count, 1);
	assert_non_null(strstr(trace_buf, "huge_pmd_share: shared"));
	/* Q's faults fill P's table too. */
	assert_int_equal(tu_write(s.q, B + 4 * G1 + 9 * M2, 2), 0);
	assert_int_equal(tu_read(s.p, B + 9 * M2), 2);
	vmsim_mm_stats(s.p, &st);
	assert_int_equal(st.faults, 1);
	/* With sharing on, DAX PMD leaves count in no rss. */
	assert_int_equal(st.rss_file, 0);
	/* mprotect of Q's range lets go of the table. */
	assert_int_equal(vmsim_mprotect(s.q, B + 4 * G1, G1, RO), 0);
	assert_int_equal(t->pt_share_count, 0);
	assert_ptr_not_equal(pmd_table(s.m, s.q, B + 4 * G1), t);
	assert_int_equal(tu_read(s.q, B + 4 * G1 + 9 * M2), 2);
	assert_ptr_not_equal(pmd_table(s.m, s.q, B + 4 * G1), t);
	/* A third process shares P's table again; munmap unshares. */
	{
		struct vmsim_mm *r;

		assert_int_equal(vmsim_mm_new(s.m, &r), 0);
		assert_int_equal(vmsim_mm_run(r, 2), 0);
		assert_int_equal(vmsim_mmap(r, B + 8 * G1, G1, RW, SH, s.f, 0), 0);
		assert_int_equal(tu_read(r, B + 8 * G1 + 9 * M2), 2);
		assert_ptr_equal(pmd_table(s.m, r, B + 8 * G1), t);
		assert_int_equal(vmsim_munmap(r, B + 8 * G1, G1), 0);
		assert_int_equal(t->pt_share_count, 0);
		vmsim_mm_exit(r);
	}
	share_done(&s, 0);
}

static void test_share_refused_with_reasons(void **state)
{
	struct share s;
	struct vmsim_mm *r;

	(void)state;
	share_setup(&s, "");
	trace_on(s.m, VMSIM_TR_PMD_SHARE);
	/* A private mapping never shares. */
	assert_int_equal(vmsim_mm_new(s.m, &r), 0);
	assert_int_equal(vmsim_mmap(r, B, G1, RO, PR, s.f, 0), 0);
	assert_int_equal(tu_read(r, B), 0);
	assert_non_null(strstr(trace_buf, "refused: a private mapping"));
	/* A hole in the PUD range: not PMD-mappable. */
	assert_int_equal(vmsim_file_punch(s.f, 100 * M2, P), 0);
	assert_int_equal(tu_read(s.p, B), 0);
	assert_int_equal(tu_read(s.q, B + 4 * G1), 0);
	assert_non_null(strstr(trace_buf, "refused: a hole in the PUD range"));
	assert_ptr_not_equal(pmd_table(s.m, s.p, B), pmd_table(s.m, s.q, B + 4 * G1));
	/* A vma that covers part of the PUD range only. */
	assert_int_equal(vmsim_munmap(s.q, B + 4 * G1, G1), 0);
	assert_int_equal(vmsim_mmap(s.q, B + 4 * G1, G1 - M2, RW, SH, s.f, 0), 0);
	assert_int_equal(tu_read(s.q, B + 4 * G1), 0);
	assert_non_null(strstr(trace_buf, "refused: the vma does not cover the whole PUD range"));
	vmsim_mm_exit(r);
	share_done(&s, 0);
	{
		/* Fragmented extents. */
		share_setup(&s, "dax_fragment=7");
		trace_on(s.m, VMSIM_TR_PMD_SHARE);
		assert_int_equal(tu_read(s.p, B), 0);
		assert_non_null(strstr(trace_buf, "is not one aligned extent"));
		share_done(&s, 0);
	}
}

static void test_fallback_in_a_shared_table_unshares(void **state)
{
	struct share s;
	struct vmsim_page *t;

	(void)state;
	share_setup(&s, "");
	assert_int_equal(tu_write(s.p, B, 1), 0);
	assert_int_equal(tu_read(s.q, B + 4 * G1), 1);
	t = pmd_table(s.m, s.p, B);
	assert_ptr_equal(pmd_table(s.m, s.q, B + 4 * G1), t);
	/* R maps 2 MiB of the file off its colour: PTE entries in the
	 * index there.  Q's fault in that 2 MiB must fall back to PTEs, and a
	 * shared table holds PMD leaves only: Q leaves it first. */
	{
		struct vmsim_mm *r;

		assert_int_equal(vmsim_mm_new(s.m, &r), 0);
		assert_int_equal(vmsim_mmap(r, B + 8 * G1 + P, 4 * M2, RW, SH, s.f, 5 * M2), 0);
		assert_int_equal(tu_write(r, B + 8 * G1 + P, 9), 0);
		assert_int_equal(leaf_level(s.m, r, B + 8 * G1 + P), VMSIM_LVL_PTE);
		assert_int_equal(tu_read(s.q, B + 4 * G1 + 5 * M2), 9);
		assert_int_equal(t->pt_share_count, 0);
		assert_ptr_not_equal(pmd_table(s.m, s.q, B + 4 * G1), t);
		assert_int_equal(leaf_level(s.m, s.q, B + 4 * G1 + 5 * M2), VMSIM_LVL_PTE);
		assert_int_equal(tu_read(s.q, B + 4 * G1), 1);
		assert_int_equal(leaf_level(s.m, s.q, B + 4 * G1), VMSIM_LVL_PMD);
		assert_ptr_equal(pmd_table(s.m, s.p, B), t);
		vmsim_mm_exit(r);
	}
	share_done(&s, 0);
}

/* fsync write-protects a leaf of a shared table: the first sharer's walk
 * cleans and flushes it, the others find it clean already and must flush
 * their CPUs' writable entries all the same (the checker's stale-TLB pass
 * runs after the fsync). */
static void test_fsync_flushes_every_sharer(void **state)
{
	struct share s;
	struct vmsim_page *t;

	(void)state;
	share_setup(&s, "");
	assert_int_equal(tu_write(s.p, B, 1), 0);
	assert_int_equal(tu_write(s.q, B + 4 * G1 + 1, 2), 0);
	t = pmd_table(s.m, s.p, B);
	assert_int_equal(t->pt_share_count, 1);
	assert_int_equal(vmsim_file_fsync(s.f), 0);
	assert_int_equal(tu_write(s.p, B + 2, 3), 0);
	assert_int_equal(tu_read(s.q, B + 4 * G1 + 2), 3);
	share_done(&s, 0);
}

/* Quirk: unsharing flushes only the 2 MiB being unmapped: the other mm's
 * CPU keeps translations through the table it no longer points to. */
static void test_quirk_partial_flush_leaves_stale_tlb(void **state)
{
	struct share s;

	(void)state;
	share_setup(&s, "quirks=pmd_unshare_partial_flush");
	assert_int_equal(tu_write(s.p, B, 1), 0);
	assert_int_equal(tu_read(s.q, B + 4 * G1), 1);
	assert_int_equal(tu_read(s.q, B + 4 * G1 + 7 * M2), 0);
	assert_int_equal(vmsim_madvise(s.q, B + 4 * G1, M2, VMSIM_MADV_DONTNEED), 0);
	assert_non_null(strstr(s.log.last, "stale TLB entry"));
	share_done(&s, ~0u);
}

/* Quirk: the RFC's zap unshares under the PMD lock alone. */
static void test_quirk_unshare_without_i_mmap_lock(void **state)
{
	struct share s;

	(void)state;
	share_setup(&s, "quirks=pmd_share_no_i_mmap_lock");
	assert_int_equal(tu_write(s.p, B, 1), 0);
	assert_int_equal(tu_read(s.q, B + 4 * G1), 1);
	assert_int_equal(vmsim_munmap(s.q, B + 4 * G1, G1), 0);
	assert_non_null(strstr(s.log.last, "i_mmap_rwsem"));
	share_done(&s, ~0u);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_pmd_leaf_for_an_aligned_extent),
		TU_TEST(test_fragmented_extents_map_ptes),
		TU_TEST(test_misaligned_vma_and_private_cow),
		TU_TEST(test_holes_zero_page_then_a_write_allocates),
		TU_TEST(test_fsync_write_protects_and_cleans),
		TU_TEST(test_fsync_notifies_secondary_mmus),
		TU_TEST(test_punch_unmaps_the_file_before_freeing),
		TU_TEST(test_truncate_sigbus_past_eof),
		TU_TEST(test_no_space_is_sigbus),
		TU_TEST(test_share_and_unshare),
		TU_TEST(test_share_refused_with_reasons),
		TU_TEST(test_fallback_in_a_shared_table_unshares),
		TU_TEST(test_fsync_flushes_every_sharer),
		TU_TEST(test_quirk_partial_flush_leaves_stale_tlb),
		TU_TEST(test_quirk_unshare_without_i_mmap_lock),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
