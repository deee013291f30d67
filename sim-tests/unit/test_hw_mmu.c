/* Unit tests: the MMU access path (hw/mmu.c), x86 semantics of
 * arch/x86/mm/fault.c error codes and the hardware A/D updates. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "tlbtest.h"

#define BASE	0x400000ULL
#define U	X86_PF_USER
#define W	X86_PF_WRITE
#define I	X86_PF_INSTR

static struct vmsim_cpu_stats stats(struct tt *t, int cpu)
{
	struct vmsim_cpu_stats s;

	assert_int_equal(vmsim_cpu_stats(t->vm, cpu, &s), 0);
	return s;
}

static void test_demand_fault_and_bytes(void **state)
{
	struct tt t;
	struct vmsim_cpu_stats s;
	char buf[8] = { 0 };
	unsigned long pfn0, pfn1;

	(void)state;
	tt_setup(&t, "ram=4M cpus=2", BASE, BASE + 0x10000, true);
	assert_non_null(t.vm);
	/* A user write crossing a page boundary: two not-present faults with
	 * error code WRITE|USER (no PROT: nothing was mapped). */
	assert_int_equal(vmsim_cpu_write(t.vm, 0, BASE + 0xffe, "abcd", 4), VMSIM_ACCESS_OK);
	assert_int_equal(t.nr_faults, 2);
	assert_int_equal(t.last_ec, X86_PF_WRITE | X86_PF_USER);
	assert_int_equal(t.last_addr, BASE + 0x1000);
	s = stats(&t, 0);
	/* Per page: miss, walk, fault, miss, walk, fill. */
	assert_int_equal(s.faults, 2);
	assert_int_equal(s.tlb_misses, 4);
	assert_int_equal(s.walks, 4);
	assert_int_equal(s.tlb_fills, 2);
	assert_int_equal(s.tlb_hits, 0);
	/* The bytes are really in the frames. */
	pfn0 = pte_pfn(ptep_get(tt_ptep(&t, 0, BASE)));
	pfn1 = pte_pfn(ptep_get(tt_ptep(&t, 0, BASE + 0x1000)));
	vmsim_frame_read(t.vm, vmsim_pfn_to_page(t.vm, pfn0), 0xffe, buf, 2);
	vmsim_frame_read(t.vm, vmsim_pfn_to_page(t.vm, pfn1), 0, buf + 2, 2);
	assert_memory_equal(buf, "abcd", 4);
	/* CPU 1 reads them through its own walk; CPU 0 again through its TLB. */
	memset(buf, 0, sizeof(buf));
	assert_int_equal(vmsim_cpu_read(t.vm, 1, BASE + 0xffe, buf, 4), VMSIM_ACCESS_OK);
	assert_memory_equal(buf, "abcd", 4);
	assert_int_equal(stats(&t, 1).tlb_fills, 2);
	assert_int_equal(vmsim_cpu_read(t.vm, 0, BASE + 0xffe, buf, 4), VMSIM_ACCESS_OK);
	assert_int_equal(stats(&t, 0).tlb_hits, 2);
	assert_int_equal(t.nr_faults, 2);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

static void test_accessed_dirty(void **state)
{
	struct tt t;
	struct vmsim_walk w;
	struct vmsim_tlb_entry e;
	unsigned long pfn;
	pte_t *ptep;
	char c = 'x';

	(void)state;
	tt_setup(&t, "ram=4M cpus=1", 0, 0, true);
	pfn = tt_frame(&t);
	/* Present, writable, user, but neither accessed nor dirty. */
	ptep = tt_map(&t, 0, BASE, pfn, __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_USER));
	assert_int_equal(vmsim_walk(t.vm, t.sp[0].pgd, BASE, 0, &w), 0);
	vmsim_set_pmd(t.vm, w.pmd, pmd_mkold(pmdp_get(w.pmd)), BASE);
	assert_false(pmd_young(pmdp_get(w.pmd)));
	/* A read sets A at every level walked, never D. */
	assert_int_equal(vmsim_cpu_read(t.vm, 0, BASE, &c, 1), VMSIM_ACCESS_OK);
	assert_true(pte_young(ptep_get(ptep)));
	assert_false(pte_dirty(ptep_get(ptep)));
	assert_true(pmd_young(pmdp_get(w.pmd)));
	assert_int_equal(vmsim_tlb_probe(t.vm, 0, &t.sp[0].ctx, BASE, &e), 1);
	assert_true(e.write);
	assert_false(e.dirty);
	/* A write through that clean cached entry walks again to set D. */
	assert_int_equal(vmsim_cpu_write(t.vm, 0, BASE, &c, 1), VMSIM_ACCESS_OK);
	assert_true(pte_val(ptep_get(ptep)) & _PAGE_DIRTY);
	assert_int_equal(stats(&t, 0).walks, 2);
	assert_int_equal(stats(&t, 0).tlb_hits, 1);
	assert_int_equal(vmsim_tlb_probe(t.vm, 0, &t.sp[0].ctx, BASE, &e), 1);
	assert_true(e.dirty);
	/* Now dirty in the TLB: a write is a plain hit, no walk. */
	assert_int_equal(vmsim_cpu_write(t.vm, 0, BASE, &c, 1), VMSIM_ACCESS_OK);
	assert_int_equal(stats(&t, 0).walks, 2);
	/* The A/D updates are the CPU's: the table still counts one entry. */
	assert_int_equal(vmsim_slot_table(t.vm, ptep)->pt_entries, 1);
	assert_int_equal(t.nr_faults, 0);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

/* The retry after a #PF reads again only the pte the faulting walk reached
 * when nothing above it changed; a handler that changed an upper level
 * gets a whole new walk (the CPU re-executes and walks from CR3), and so
 * does any walk after an upper level changed. */
static uint64_t swap_pmd_to;
static pmd_t *swap_pmd_at;
static unsigned swap_pmd_calls;

static int swap_pmd_fault(struct vmsim *vm, int cpu, uint64_t addr, unsigned ec, void *arg)
{
	(void)cpu;
	(void)ec;
	(void)arg;
	swap_pmd_calls++;
	vmsim_set_pmd(vm, swap_pmd_at, __pmd(swap_pmd_to), addr);
	return 0;
}

static void test_retry_walk_after_fault(void **state)
{
	struct vmsim_walk w0, w1;
	unsigned long a, b, got;
	uint64_t old_pmd;
	struct tt t;
	pte_t *ptep;
	char c = 0;

	(void)state;
	tt_setup(&t, "ram=4M cpus=1", BASE, BASE + 0x10000, true);
	/* Demand fault with the pmd not accessed: the retry reads the new
	 * pte and still sets A on every level above it, as a walk does. */
	a = tt_frame(&t);
	ptep = tt_map(&t, 0, BASE + 0x1000, a, PAGE_SHARED);
	assert_int_equal(vmsim_walk(t.vm, t.sp[0].pgd, BASE, 0, &w0), 0);
	vmsim_set_pmd(t.vm, w0.pmd, pmd_mkold(pmdp_get(w0.pmd)), BASE);
	assert_int_equal(vmsim_cpu_read(t.vm, 0, BASE, &c, 1), VMSIM_ACCESS_OK);
	assert_int_equal(t.nr_faults, 1);
	assert_true(pmd_young(pmdp_get(w0.pmd)));
	assert_true(pte_young(ptep_get(tt_ptep(&t, 0, BASE))));
	assert_int_equal(stats(&t, 0).walks, 2);
	/* A handler that points the pmd at another pte table: the retry must
	 * walk from the root and find the other table's entry. */
	vmsim_set_pte(t.vm, ptep, __pte(0), BASE + 0x1000);
	assert_int_equal(tt_space(&t), 1);
	b = tt_frame(&t);
	tt_map(&t, 1, BASE + 0x1000, b, PAGE_SHARED);
	assert_int_equal(vmsim_walk(t.vm, t.sp[1].pgd, BASE + 0x1000, 0, &w1), 0);
	old_pmd = pmd_val(pmdp_get(w0.pmd));
	swap_pmd_at = w0.pmd;
	swap_pmd_to = pmd_val(pmdp_get(w1.pmd));
	vmsim_set_fault_handler(t.vm, swap_pmd_fault, NULL);
	assert_int_equal(vmsim_cpu_translate(t.vm, 0, BASE + 0x1000, U, &got), VMSIM_ACCESS_OK);
	assert_int_equal(swap_pmd_calls, 1);
	assert_int_equal(got, b);
	/* Without a fault: the pmd back to the first table (mapping a there),
	 * flushed; the next miss in the region must not reuse the walk above. */
	vmsim_set_pmd(t.vm, w0.pmd, __pmd(old_pmd), BASE);
	vmsim_set_pte(t.vm, ptep, pfn_pte(a, PAGE_SHARED), BASE + 0x1000);
	vmsim_flush_tlb_all(t.vm);
	assert_int_equal(vmsim_cpu_translate(t.vm, 0, BASE + 0x1000, U, &got), VMSIM_ACCESS_OK);
	assert_int_equal(got, a);
	assert_int_equal(swap_pmd_calls, 1);
	vmsim_set_pte(t.vm, ptep, __pte(0), BASE + 0x1000);
	vmsim_flush_tlb_all(t.vm);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

static void test_protection_error_codes(void **state)
{
	struct tt t;
	unsigned long pfn;
	char c = 0;

	(void)state;
	tt_setup(&t, "ram=4M cpus=1", BASE, BASE + 0x1000, true);
	pfn = tt_frame(&t);
	/* Write to a read-only page: PROT|WRITE|USER; the handler makes it
	 * writable and the retry succeeds. */
	tt_map(&t, 0, BASE, pfn, PAGE_READONLY);
	assert_int_equal(vmsim_cpu_write(t.vm, 0, BASE, &c, 1), VMSIM_ACCESS_OK);
	assert_int_equal(t.nr_faults, 1);
	assert_int_equal(t.last_ec, X86_PF_PROT | X86_PF_WRITE | X86_PF_USER);
	/* A write hit on a cached read-only entry faults too, and the fault
	 * drops the entry so the retry sees the fixed PTE. */
	tt_map(&t, 0, BASE, pfn, PAGE_READONLY);
	vmsim_flush_tlb_page(t.vm, &t.sp[0].ctx, BASE);
	assert_int_equal(vmsim_cpu_read(t.vm, 0, BASE, &c, 1), VMSIM_ACCESS_OK);
	vmsim_cpu_stats_reset(t.vm);
	assert_int_equal(vmsim_cpu_write(t.vm, 0, BASE, &c, 1), VMSIM_ACCESS_OK);
	assert_int_equal(t.nr_faults, 2);
	assert_int_equal(t.last_ec, X86_PF_PROT | X86_PF_WRITE | X86_PF_USER);
	assert_int_equal(stats(&t, 0).tlb_hits, 1);
	assert_int_equal(stats(&t, 0).tlb_misses, 1);
	assert_int_equal(stats(&t, 0).entries_dropped, 1);
	/* User access to a kernel page: PROT|USER, outside the handler's
	 * window, so SIGSEGV. */
	tt_map(&t, 0, BASE + 0x1000, pfn, __pgprot(_PAGE_PRESENT | _PAGE_RW | _PAGE_ACCESSED));
	assert_int_equal(vmsim_cpu_read(t.vm, 0, BASE + 0x1000, &c, 1), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(t.last_ec, X86_PF_PROT | X86_PF_USER);
	/* The same page from kernel mode is fine. */
	unsigned long got = 0;
	assert_int_equal(vmsim_cpu_translate(t.vm, 0, BASE + 0x1000, 0, &got), VMSIM_ACCESS_OK);
	assert_int_equal(got, pfn);
	/* Fetch from an NX page: PROT|INSTR|USER. */
	tt_map(&t, 0, BASE + 0x2000, pfn, PAGE_SHARED);
	assert_int_equal(vmsim_cpu_exec(t.vm, 0, BASE + 0x2000, &c, 1), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(t.last_ec, X86_PF_PROT | X86_PF_INSTR | X86_PF_USER);
	tt_map(&t, 0, BASE + 0x3000, pfn, PAGE_SHARED_EXEC);
	assert_int_equal(vmsim_cpu_exec(t.vm, 0, BASE + 0x3000, &c, 1), VMSIM_ACCESS_OK);
	/* PROT_NONE has P clear: a not-present fault (no PROT bit). */
	tt_map(&t, 0, BASE + 0x4000, pfn, PAGE_NONE);
	assert_true(pte_protnone(ptep_get(tt_ptep(&t, 0, BASE + 0x4000))));
	assert_int_equal(vmsim_cpu_read(t.vm, 0, BASE + 0x4000, &c, 1), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(t.last_ec, X86_PF_USER);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

static int ret_code;
static unsigned ret_calls;
static int fixed_result(struct vmsim *vm, int cpu, uint64_t addr, unsigned ec, void *arg)
{
	(void)vm, (void)cpu, (void)addr, (void)ec, (void)arg;
	ret_calls++;
	return ret_code;
}

static void test_fault_results(void **state)
{
	static const struct { int vmf, want; } cases[] = {
		{ VM_FAULT_SIGSEGV, VMSIM_ACCESS_SIGSEGV },
		{ VM_FAULT_SIGBUS, VMSIM_ACCESS_SIGBUS },
		{ VM_FAULT_HWPOISON, VMSIM_ACCESS_HWPOISON },
		{ VM_FAULT_HWPOISON_LARGE | VM_FAULT_SET_HINDEX(3), VMSIM_ACCESS_HWPOISON },
		{ VM_FAULT_OOM, VMSIM_ACCESS_OOM },
		/* mm_fault_error() tests OOM before SIGBUS. */
		{ VM_FAULT_OOM | VM_FAULT_SIGBUS, VMSIM_ACCESS_OOM },
	};
	struct tt t;
	char c;

	(void)state;
	tt_setup(&t, "ram=4M cpus=1", 0, 0, true);
	/* No handler: every fault is SIGSEGV. */
	vmsim_set_fault_handler(t.vm, NULL, NULL);
	assert_int_equal(vmsim_cpu_read(t.vm, 0, BASE, &c, 1), VMSIM_ACCESS_SIGSEGV);
	vmsim_set_fault_handler(t.vm, fixed_result, NULL);
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		ret_code = cases[i].vmf;
		assert_int_equal(vmsim_cpu_read(t.vm, 0, BASE, &c, 1), cases[i].want);
	}
	assert_string_equal(vmsim_access_result_name(VMSIM_ACCESS_SIGBUS), "SIGBUS");
	/* A handler that claims success without fixing anything: bounded. */
	ret_code = VM_FAULT_NOPAGE;
	ret_calls = 0;
	assert_int_equal(vmsim_cpu_read(t.vm, 0, BASE, &c, 1), -EIO);
	assert_int_equal(ret_calls, VMSIM_MAX_FAULT_RETRIES);
	assert_int_equal(t.log.count, 1);
	assert_non_null(strstr(t.log.last, "still faults"));
	/* Non-canonical (57-bit VA): #GP, the handler is not asked. */
	ret_calls = 0;
	assert_int_equal(vmsim_cpu_read(t.vm, 0, 0x0100000000000000ULL, &c, 1), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(ret_calls, 0);
	tt_teardown(&t);
}

static void test_bad_arguments(void **state)
{
	struct tt t;
	struct vmsim_cpu_stats before, after;
	unsigned long pfn;
	uint64_t seq;
	char c;

	(void)state;
	tt_setup(&t, "ram=4M cpus=2", BASE, BASE + 0x1000, true);
	assert_int_equal(vmsim_cpu_read(t.vm, 0, BASE, &c, 1), VMSIM_ACCESS_OK);
	before = stats(&t, 0);
	seq = vmsim_trace_count(t.vm);
	assert_int_equal(vmsim_cpu_read(t.vm, 2, BASE, &c, 1), -EINVAL);
	assert_int_equal(vmsim_cpu_read(t.vm, -1, BASE, &c, 1), -EINVAL);
	assert_int_equal(vmsim_cpu_read(t.vm, 0, BASE, NULL, 1), -EINVAL);
	assert_int_equal(vmsim_cpu_write(t.vm, 0, BASE, NULL, 1), -EINVAL);
	assert_int_equal(vmsim_cpu_exec(t.vm, 0, BASE, NULL, 1), -EINVAL);
	assert_int_equal(vmsim_cpu_read(t.vm, 0, ~0ULL - 1, &c, 4), -EINVAL);
	assert_int_equal(vmsim_cpu_translate(t.vm, 0, BASE, X86_PF_PROT, &pfn), -EINVAL);
	assert_int_equal(vmsim_cpu_translate(t.vm, 0, BASE, 0, NULL), -EINVAL);
	assert_int_equal(vmsim_cpu_translate(t.vm, 64, BASE, 0, &pfn), -EINVAL);
	assert_int_equal(vmsim_switch_mm(t.vm, 2, &t.sp[0].ctx), -EINVAL);
	assert_int_equal(vmsim_set_cur_cpu(t.vm, 2), -EINVAL);
	assert_int_equal(vmsim_cpu_stats(t.vm, 2, &after), -EINVAL);
	assert_int_equal(vmsim_tlb_probe(t.vm, 5, &t.sp[0].ctx, BASE, NULL), -EINVAL);
	assert_int_equal(vmsim_mm_context_init(t.vm, &t.sp[1].ctx, t.frames[0]), -EINVAL);
	/* Nothing moved: same stats, no trace events, no faults. */
	after = stats(&t, 0);
	assert_memory_equal(&before, &after, sizeof(before));
	assert_int_equal(vmsim_trace_count(t.vm), seq);
	assert_int_equal(vmsim_cur_cpu(t.vm), 0);
	/* Zero bytes is a successful no-op; no context loaded is a bad call. */
	assert_int_equal(vmsim_cpu_read(t.vm, 0, BASE, NULL, 0), VMSIM_ACCESS_OK);
	assert_int_equal(vmsim_switch_mm(t.vm, 1, NULL), 0);
	assert_int_equal(vmsim_cpu_read(t.vm, 1, BASE, &c, 1), -EINVAL);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

/* The stale-TLB check of a free looks only where an entry can name the
 * frames: a 2M entry still cached over a freed block is found, whatever
 * frame of the block the free starts at; a block in another 2M run is
 * freed without a report. */
static void test_free_under_2m_entry(void **state)
{
	const uint64_t va = 0x40000000ULL;
	unsigned long huge, other, pfn;
	struct vmsim_walk w;
	struct tt t;

	(void)state;
	tt_setup(&t, "ram=8M cpus=1", 0, 0, true);
	assert_int_equal(vmsim_page_alloc(t.vm, 9, &huge), 0);
	assert_int_equal(vmsim_page_alloc(t.vm, 9, &other), 0);
	assert_int_equal(vmsim_walk(t.vm, t.sp[0].pgd, va, VMSIM_WALK_ALLOC_PMD, &w), 0);
	vmsim_set_pmd(t.vm, w.pmd, pmd_mkhuge(pfn_pmd(huge, PAGE_SHARED)), va);
	assert_int_equal(vmsim_cpu_translate(t.vm, 0, va + 5 * PAGE_SIZE, X86_PF_USER, &pfn), VMSIM_ACCESS_OK);
	assert_int_equal(vmsim_page_free(t.vm, other, 9), 0);
	assert_int_equal(t.log.count, 0);
	/* Unmapped without a flush: the 2M entry still caches the block. */
	vmsim_set_pmd(t.vm, w.pmd, __pmd(0), va);
	assert_int_equal(vmsim_page_free(t.vm, huge, 9), 0);
	assert_int_equal(t.log.count, 1);
	assert_non_null(strstr(t.log.last, "use after free through CPU 0's TLB"));
	vmsim_flush_tlb_mm(t.vm, &t.sp[0].ctx);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 1);
}

static void test_pmd_leaf_one_entry(void **state)
{
	struct tt t;
	struct vmsim_walk w;
	struct vmsim_tlb_entry e[8];
	struct vmsim_cpu_stats s;
	unsigned long huge, pfn;
	const uint64_t va = 0x40000000ULL;

	(void)state;
	tt_setup(&t, "ram=8M cpus=1", 0, 0, true);
	assert_int_equal(vmsim_page_alloc(t.vm, 9, &huge), 0);
	assert_int_equal(huge & 511, 0);
	assert_int_equal(vmsim_walk(t.vm, t.sp[0].pgd, va, VMSIM_WALK_ALLOC_PMD, &w), 0);
	vmsim_set_pmd(t.vm, w.pmd, pmd_mkhuge(pfn_pmd(huge, PAGE_SHARED)), va);
	vmsim_cpu_stats_reset(t.vm);
	for (unsigned i = 0; i < 512; i++) {
		assert_int_equal(vmsim_cpu_translate(t.vm, 0, va + i * PAGE_SIZE + 8, X86_PF_USER, &pfn),
				 VMSIM_ACCESS_OK);
		assert_int_equal(pfn, huge + i);
	}
	s = stats(&t, 0);
	assert_int_equal(s.walks, 1);
	assert_int_equal(s.tlb_fills, 1);
	assert_int_equal(s.tlb_hits, 511);
	assert_int_equal(vmsim_tlb_entries(t.vm, 0, e, 8), 1);
	assert_int_equal(e[0].size, VMSIM_TLB_2M);
	assert_int_equal(e[0].addr, va);
	assert_int_equal(e[0].pfn, huge);
	/* A write marks the PMD leaf dirty (re-walk through the clean entry). */
	assert_int_equal(vmsim_cpu_translate(t.vm, 0, va + 0x1234, X86_PF_USER | X86_PF_WRITE, &pfn),
			 VMSIM_ACCESS_OK);
	assert_true(pmd_val(pmdp_get(w.pmd)) & _PAGE_DIRTY);
	/* Unmap and flush before the frames go back. */
	vmsim_set_pmd(t.vm, w.pmd, __pmd(0), va);
	vmsim_flush_tlb_mm(t.vm, &t.sp[0].ctx);
	assert_int_equal(vmsim_page_free(t.vm, huge, 9), 0);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

static void test_four_levels_and_pud_leaf(void **state)
{
	struct tt t;
	struct vmsim_walk w;
	struct vmsim_tlb_entry e;
	unsigned long pfn;
	pud_t old;
	const uint64_t va = 0x80000000ULL;	/* 2 GiB: PUD aligned */

	(void)state;
	/* 4-level paging folds the p4d into the pgd; 1 GiB of RAM so that a
	 * PUD leaf onto frames 0.. stays inside memory. */
	tt_setup(&t, "ram=1G cpus=1 levels=4", 0, 0, true);
	assert_non_null(t.vm);
	assert_int_equal(vmsim_walk(t.vm, t.sp[0].pgd, va, VMSIM_WALK_ALLOC_PMD, &w), 0);
	assert_non_null(w.pud);
	old = pudp_get(w.pud);	/* the pmd table, put back at the end */
	vmsim_set_pud(t.vm, w.pud, pud_mkhuge(pfn_pud(0, PAGE_READONLY)), va);
	assert_int_equal(vmsim_cpu_translate(t.vm, 0, va + 0x12345678, X86_PF_USER, &pfn), VMSIM_ACCESS_OK);
	assert_int_equal(pfn, 0x12345);
	assert_int_equal(vmsim_tlb_probe(t.vm, 0, &t.sp[0].ctx, va + 0x3ffff000, &e), 1);
	assert_int_equal(e.size, VMSIM_TLB_1G);
	assert_false(e.write);
	/* Read-only leaf: a write is a protection fault; 57-bit addresses
	 * are non-canonical with 4 levels. */
	assert_int_equal(vmsim_cpu_translate(t.vm, 0, va, X86_PF_USER | X86_PF_WRITE, &pfn),
			 VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(t.last_ec, X86_PF_PROT | X86_PF_WRITE | X86_PF_USER);
	t.nr_faults = 0;
	assert_int_equal(vmsim_cpu_translate(t.vm, 0, 1ULL << 50, X86_PF_USER, &pfn), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(t.nr_faults, 0);
	vmsim_set_pud(t.vm, w.pud, old, va);
	vmsim_flush_tlb_mm(t.vm, &t.sp[0].ctx);
	tt_teardown(&t);
	assert_int_equal(t.log.count, 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_demand_fault_and_bytes),
		cmocka_unit_test(test_accessed_dirty),
		cmocka_unit_test(test_retry_walk_after_fault),
		cmocka_unit_test(test_protection_error_codes),
		cmocka_unit_test(test_fault_results),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_pmd_leaf_one_entry),
		cmocka_unit_test(test_free_under_2m_entry),
		cmocka_unit_test(test_four_levels_and_pud_leaf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
