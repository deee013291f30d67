/* Unit tests: mmu_gather (mm/mmu_gather.c, include/asm-generic/tlb.h):
 * a page unmapped by munmap, MADV_DONTNEED or exit is freed only after the
 * TLB flush that covers it has reached every CPU that may cache it, and
 * page-table pages only after a flush with freed_tables.  The order is
 * read from the trace: a frame's page_free must come after a tlb_flush on
 * the other CPU.  (check=full would also report the early free as a use
 * after free through that CPU's TLB.) */
#define TU_UNIT_MACHINE "ram=16M cpus=2 check=full"
#include "unitfix.h"

#define MAXEV 8192

static struct vmsim_trace_event ev[MAXEV];
static unsigned nev;

static void sink(void *arg, const struct vmsim_trace_event *e)
{
	(void)arg;
	if (nev < MAXEV)
		ev[nev++] = *e;
}

static void trace_on(void)
{
	nev = 0;
	vmsim_set_trace(vm, sink, NULL);
}

/* The sequence number of the first tlb_flush on cpu, or 0. */
static uint64_t first_flush_on(int cpu)
{
	for (unsigned i = 0; i < nev; i++)
		if (ev[i].type == VMSIM_TR_TLB_FLUSH && ev[i].cpu == cpu)
			return ev[i].seq;
	return 0;
}

/* The sequence number of the page_free of pfn, or 0. */
static uint64_t freed_at(unsigned long pfn, enum vmsim_trace_type type)
{
	for (unsigned i = 0; i < nev; i++)
		if (ev[i].type == type && ev[i].pfn == pfn)
			return ev[i].seq;
	return 0;
}

static int wr(int cpu, uint64_t addr)
{
	unsigned char v = 1;

	return vmsim_access(mm, cpu, addr, &v, 1, true, NULL);
}

/* n pages written on CPU 1 (cached there), then the process moves to
 * CPU 0, where the next system call runs. */
static void map_on_both(unsigned n, unsigned long *pfns)
{
	assert_int_equal(vmsim_mmap(mm, pg(0), n * P, RW, ANON, NULL, 0), 0);
	for (unsigned i = 0; i < n; i++) {
		assert_int_equal(wr(1, pg(i)), 0);
		pfns[i] = tu_pfn(mm, pg(i));
	}
	assert_int_equal(wr(0, pg(0)), 0);
	assert_int_equal(vmsim_tlb_probe(vm, 1, vmsim_cpu_loaded(vm, 1), pg(n - 1), NULL), 1);
}

static void assert_freed_after_remote_flush(const unsigned long *pfns, unsigned n)
{
	uint64_t flush = first_flush_on(1);

	assert_int_not_equal(flush, 0);
	for (unsigned i = 0; i < n; i++) {
		uint64_t freed = freed_at(pfns[i], VMSIM_TR_PAGE_FREE);

		assert_int_not_equal(freed, 0);
		assert_true(freed > flush);
	}
}

static void test_munmap(void **state)
{
	unsigned long pfns[4];
	struct vmsim_mm_context *ctx;

	(void)state;
	map_on_both(4, pfns);
	ctx = vmsim_cpu_loaded(vm, 1);
	trace_on();
	assert_int_equal(vmsim_munmap(mm, pg(0), 4 * P), 0);
	vmsim_set_trace(vm, NULL, NULL);
	assert_freed_after_remote_flush(pfns, 4);
	for (unsigned i = 0; i < 4; i++)
		assert_int_equal(vmsim_tlb_probe(vm, 1, ctx, pg(i), NULL), 0);
}

static void test_dontneed(void **state)
{
	unsigned long pfns[4];

	(void)state;
	map_on_both(4, pfns);
	trace_on();
	assert_int_equal(vmsim_madvise(mm, pg(0), 4 * P, VMSIM_MADV_DONTNEED), 0);
	vmsim_set_trace(vm, NULL, NULL);
	assert_freed_after_remote_flush(pfns, 4);
}

/* More pages than one batch holds at first: still one flush before any
 * of them is freed. */
static void test_large_batch(void **state)
{
	static unsigned long pfns[300];

	(void)state;
	map_on_both(300, pfns);
	trace_on();
	assert_int_equal(vmsim_munmap(mm, pg(0), 300 * P), 0);
	vmsim_set_trace(vm, NULL, NULL);
	assert_freed_after_remote_flush(pfns, 300);
}

/* free_pgtables(): the tables of an unmapped range go after a flush that
 * reached the other CPU (its page walker may hold them).  Linux queues
 * them on the gather (pte_free_tlb()), so munmap's one flush in
 * tlb_finish_mmu() covers the page and the tables: one IPI, one flush on
 * each CPU. */
static void test_page_tables_after_flush(void **state)
{
	unsigned long pfns[1];
	unsigned long before = vmsim_nr_pgtable_pages(vm);
	uint64_t flush;
	unsigned nfree = 0, nipi = 0, nflush0 = 0, nflush1 = 0;

	(void)state;
	map_on_both(1, pfns);
	trace_on();
	assert_int_equal(vmsim_munmap(mm, pg(0), P), 0);
	vmsim_set_trace(vm, NULL, NULL);
	flush = first_flush_on(1);
	assert_int_not_equal(flush, 0);
	for (unsigned i = 0; i < nev; i++)
		if (ev[i].type == VMSIM_TR_PT_FREE) {
			assert_true(ev[i].seq > flush);
			nfree++;
		}
	assert_int_equal(nfree, 4);	/* pte, pmd, pud, p4d tables */
	for (unsigned i = 0; i < nev; i++) {
		nipi += ev[i].type == VMSIM_TR_IPI;
		nflush0 += ev[i].type == VMSIM_TR_TLB_FLUSH && ev[i].cpu == 0;
		nflush1 += ev[i].type == VMSIM_TR_TLB_FLUSH && ev[i].cpu == 1;
	}
	assert_int_equal(nipi, 1);
	assert_int_equal(nflush0, 1);
	assert_int_equal(nflush1, 1);
	assert_int_equal(vmsim_nr_pgtable_pages(vm), before);
}

/* exit_mmap(): a full-mm gather; the CPU that ran the process flushes
 * before the frames are free. */
static void test_exit(void **state)
{
	unsigned long pfns[4];
	struct vmsim_mm *other;

	(void)state;
	map_on_both(4, pfns);
	assert_int_equal(vmsim_mm_new(vm, &other), 0);	/* the fixture frees the machine */
	trace_on();
	vmsim_mm_exit(mm);
	mm = other;
	vmsim_set_trace(vm, NULL, NULL);
	for (unsigned i = 0; i < 4; i++)
		assert_int_not_equal(freed_at(pfns[i], VMSIM_TR_PAGE_FREE), 0);
	assert_int_equal(tu_log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		TU_TEST(test_munmap),
		TU_TEST(test_dontneed),
		TU_TEST(test_large_batch),
		TU_TEST(test_page_tables_after_flush),
		TU_TEST(test_exit),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
