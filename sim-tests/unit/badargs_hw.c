/* Bad-argument cases: page.h, pagetable.h, cpu.h. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "badargs.h"

static unsigned long free_pfn(struct vmsim *vm)
{
	for (unsigned long pfn = 0; pfn < vmsim_nr_frames(vm); pfn++)
		if (vmsim_page_test(vmsim_pfn_to_page(vm, pfn), PG_buddy))
			return pfn;
	fail_msg("no free frame");
	return 0;
}

/* The pte table mapping A in mm. */
static unsigned long pte_table_pfn(void)
{
	struct vmsim_walk w;

	assert_int_equal(vmsim_walk(F->vm, vmsim_mm_pgd(F->mm), A, 0, &w), 0);
	return vmsim_page_to_pfn(F->vm, w.table[VMSIM_LVL_PTE]);
}

void ba_cases_page(void **state)
{
	struct vmsim *vm = F->vm;
	struct vmsim_page *pg = vmsim_pfn_to_page(vm, F->page), *pg2 = vmsim_pfn_to_page(F->vm2, F->page2);
	struct vmsim_page *freep = vmsim_pfn_to_page(vm, free_pfn(vm)), *zero = vmsim_zero_page(vm);
	struct vmsim_page *odd = (struct vmsim_page *)((char *)pg + 1);
	unsigned long n = vmsim_nr_frames(vm), pfn = 12345;
	unsigned char buf[8] = "sentinel";

	(void)state;
	ERR("vmsim_nr_frames", 0, vmsim_nr_frames(NULL));
	NUL("vmsim_pfn_to_page", vmsim_pfn_to_page(NULL, 0));
	NUL("vmsim_pfn_to_page", vmsim_pfn_to_page(vm, n));
	NUL("vmsim_pfn_to_page", vmsim_pfn_to_page(vm, ~0UL));
	ERR("vmsim_page_to_pfn", ~0UL, vmsim_page_to_pfn(NULL, pg));
	ERR("vmsim_page_to_pfn", ~0UL, vmsim_page_to_pfn(vm, NULL));
	ERR("vmsim_page_to_pfn", ~0UL, vmsim_page_to_pfn(vm, pg2));
	ERR("vmsim_page_to_pfn", ~0UL, vmsim_page_to_pfn(vm, odd));
	ERR("vmsim_page_to_pfn", ~0UL, vmsim_page_to_pfn(vm, vmsim_pfn_to_page(vm, 0) + n));

	NUL("vmsim_alloc_pages", vmsim_alloc_pages(NULL, 0));
	NUL("vmsim_folio_alloc", vmsim_folio_alloc(NULL, 9));
	NUL("vmsim_folio_alloc", vmsim_folio_alloc(vm, 0));
	NUL("vmsim_folio_alloc", vmsim_folio_alloc(vm, VMSIM_MAX_PAGE_ORDER + 1));
	{
		struct vmsim_folio_info fi;

		ERR("vmsim_folio_info", -EINVAL, vmsim_folio_info(NULL, F->page, &fi));
		ERR("vmsim_folio_info", -EINVAL, vmsim_folio_info(vm, F->page, NULL));
		ERR("vmsim_folio_info", -EINVAL, vmsim_folio_info(vm, ~0UL, &fi));
		ERR("vmsim_folio_info", -EINVAL, vmsim_folio_info(vm, F->page, &fi));	/* a small page */
	}
	ERR("vmsim_pmem_frames", 0, vmsim_pmem_frames(NULL, &pfn));
	assert_int_equal(pfn, 12345);
	ERR("vmsim_pmem_frames", 0, vmsim_pmem_frames(F->vm2, NULL));	/* pmem=0 */
	NUL("vmsim_alloc_pages", vmsim_alloc_pages(vm, VMSIM_MAX_PAGE_ORDER + 1));
	NUL("vmsim_alloc_pages", vmsim_alloc_pages(vm, ~0u));
	NOP("vmsim_free_pages", vmsim_free_pages(NULL, pg, 0));
	NOP("vmsim_free_pages", vmsim_free_pages(vm, NULL, 0));
	NOP("vmsim_free_pages", vmsim_free_pages(vm, pg2, 0));
	NOP("vmsim_free_pages", vmsim_free_pages(vm, odd, 0));
	NOP("vmsim_free_pages", vmsim_free_pages(vm, pg, VMSIM_MAX_PAGE_ORDER + 1));
	/* Documented bad_page() reports: a free or reserved page. */
	BUGGY("vmsim_free_pages", vmsim_free_pages(vm, freep, freep->order));
	BUGGY("vmsim_free_pages", vmsim_free_pages(vm, zero, 0));
	BUGGY("vmsim_free_pages", vmsim_free_pages(vm, pg, 1));

	ERR("vmsim_page_alloc", -EINVAL, vmsim_page_alloc(NULL, 0, &pfn));
	ERR("vmsim_page_alloc", -EINVAL, vmsim_page_alloc(vm, VMSIM_MAX_PAGE_ORDER + 1, &pfn));
	ERR("vmsim_page_alloc", -EINVAL, vmsim_page_alloc(vm, 0, NULL));
	assert_int_equal(pfn, 12345);
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(NULL, F->page, 0));
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, n, 0));
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, ~0UL, 0));
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, F->page, 1));
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, F->page, VMSIM_MAX_PAGE_ORDER + 1));
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, free_pfn(vm), 0));
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, vmsim_zero_pfn(vm), 0));
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, vmsim_mm_pgd(F->mm), 0));
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, pte_table_pfn(), 0));
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, tu_pfn(F->mm, A), 0));
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, tu_pfn(F->mm, B), 0));
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, F->pinned, 0));
	/* A double free, once the first one is done. */
	assert_int_equal(vmsim_page_alloc(vm, 1, &pfn), 0);
	assert_int_equal(vmsim_page_free(vm, pfn, 1), 0);
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, pfn, 1));
	ERR("vmsim_page_free", -EINVAL, vmsim_page_free(vm, pfn, 0));

	NOP("vmsim_get_page", vmsim_get_page(NULL, pg));
	NOP("vmsim_get_page", vmsim_get_page(vm, NULL));
	NOP("vmsim_get_page", vmsim_get_page(vm, pg2));
	BUGGY("vmsim_get_page", vmsim_get_page(vm, freep));
	NOP("vmsim_put_page", vmsim_put_page(NULL, pg));
	NOP("vmsim_put_page", vmsim_put_page(vm, NULL));
	NOP("vmsim_put_page", vmsim_put_page(vm, pg2));
	BUGGY("vmsim_put_page", vmsim_put_page(vm, freep));
	ERR("vmsim_nr_free_pages", 0, vmsim_nr_free_pages(NULL));
	ERR("vmsim_nr_free_blocks", 0, vmsim_nr_free_blocks(NULL, 0));
	ERR("vmsim_nr_free_blocks", 0, vmsim_nr_free_blocks(vm, VMSIM_MAX_PAGE_ORDER + 1));
	NUL("vmsim_zero_page", vmsim_zero_page(NULL));

	NOP("vmsim_frame_read", vmsim_frame_read(NULL, pg, 0, buf, 1));
	NOP("vmsim_frame_read", vmsim_frame_read(vm, NULL, 0, buf, 1));
	NOP("vmsim_frame_read", vmsim_frame_read(vm, pg2, 0, buf, 1));
	NOP("vmsim_frame_read", vmsim_frame_read(vm, pg, P, buf, 1));
	NOP("vmsim_frame_read", vmsim_frame_read(vm, pg, P - 1, buf, 2));
	NOP("vmsim_frame_read", vmsim_frame_read(vm, pg, SIZE_MAX, buf, 2));
	NOP("vmsim_frame_read", vmsim_frame_read(vm, pg, 0, buf, SIZE_MAX));
	NOP("vmsim_frame_read", vmsim_frame_read(vm, pg, 0, NULL, 1));
	assert_memory_equal(buf, "sentinel", 8);
	ERR("vmsim_frame_write", -EINVAL, vmsim_frame_write(NULL, pg, 0, buf, 1));
	ERR("vmsim_frame_write", -EINVAL, vmsim_frame_write(vm, NULL, 0, buf, 1));
	ERR("vmsim_frame_write", -EINVAL, vmsim_frame_write(vm, pg2, 0, buf, 1));
	ERR("vmsim_frame_write", -EINVAL, vmsim_frame_write(vm, odd, 0, buf, 1));
	ERR("vmsim_frame_write", -EINVAL, vmsim_frame_write(vm, pg, P, buf, 1));
	ERR("vmsim_frame_write", -EINVAL, vmsim_frame_write(vm, pg, P - 1, buf, 2));
	ERR("vmsim_frame_write", -EINVAL, vmsim_frame_write(vm, pg, SIZE_MAX, buf, 2));
	ERR("vmsim_frame_write", -EINVAL, vmsim_frame_write(vm, pg, 0, buf, SIZE_MAX));
	ERR("vmsim_frame_write", -EINVAL, vmsim_frame_write(vm, pg, 0, NULL, 1));
	ERR("vmsim_frame_write", -EINVAL, vmsim_frame_write(vm, zero, 0, buf, 1));
	NOP("vmsim_frame_fill", vmsim_frame_fill(NULL, pg, 0, 0xaa, 1));
	NOP("vmsim_frame_fill", vmsim_frame_fill(vm, NULL, 0, 0xaa, 1));
	NOP("vmsim_frame_fill", vmsim_frame_fill(vm, pg2, 0, 0xaa, 1));
	NOP("vmsim_frame_fill", vmsim_frame_fill(vm, pg, P, 0xaa, 1));
	NOP("vmsim_frame_fill", vmsim_frame_fill(vm, pg, 1, 0xaa, P));
	NOP("vmsim_frame_fill", vmsim_frame_fill(vm, pg, SIZE_MAX, 0xaa, 2));
	NOP("vmsim_frame_fill", vmsim_frame_fill(vm, zero, 0, 0xaa, 1));
	ERR("vmsim_frame_copy", -EINVAL, vmsim_frame_copy(NULL, pg, freep));
	ERR("vmsim_frame_copy", -EINVAL, vmsim_frame_copy(vm, NULL, pg));
	ERR("vmsim_frame_copy", -EINVAL, vmsim_frame_copy(vm, pg, NULL));
	ERR("vmsim_frame_copy", -EINVAL, vmsim_frame_copy(vm, pg2, pg));
	ERR("vmsim_frame_copy", -EINVAL, vmsim_frame_copy(vm, pg, pg2));
	ERR("vmsim_frame_copy", -EINVAL, vmsim_frame_copy(vm, odd, pg));
	ERR("vmsim_frame_copy", -EINVAL, vmsim_frame_copy(vm, zero, pg));
}

void ba_cases_pagetable(void **state)
{
	struct vmsim *vm = F->vm;
	unsigned long root = vmsim_mm_pgd(F->mm), table = pte_table_pfn(), r = 777;
	struct vmsim_walk w, w2, junk;
	uint64_t local = 0;
	struct vmsim_page *pg = vmsim_pfn_to_page(vm, F->page);

	(void)state;
	assert_int_equal(vmsim_walk(vm, root, A, 0, &w), 0);
	assert_int_equal(vmsim_walk(F->vm2, vmsim_mm_pgd(F->mm2), A, 0, &w2), 0);
	assert_int_equal(w.level, VMSIM_LVL_PTE);
	assert_int_equal(w2.level, VMSIM_LVL_PTE);

	ERR("vmsim_pgdir_shift", 0, vmsim_pgdir_shift(NULL));
	ERR("vmsim_task_size", 0, vmsim_task_size(NULL));
	ERR("vmsim_addr_canonical", false, vmsim_addr_canonical(NULL, 0));
	NUL("vmsim_table", vmsim_table(NULL, w.table[VMSIM_LVL_PTE]));
	NUL("vmsim_table", vmsim_table(vm, NULL));
	NUL("vmsim_table", vmsim_table(vm, pg));
	NUL("vmsim_table", vmsim_table(vm, w2.table[VMSIM_LVL_PTE]));
	ERR("vmsim_pgd_alloc", -EINVAL, vmsim_pgd_alloc(NULL, &r));
	ERR("vmsim_pgd_alloc", -EINVAL, vmsim_pgd_alloc(vm, NULL));
	assert_int_equal(r, 777);
	NOP("vmsim_pgd_free", vmsim_pgd_free(NULL, vmsim_mm_pgd(F->mm)));
	NOP("vmsim_pgd_free", vmsim_pgd_free(vm, 0));
	NOP("vmsim_pgd_free", vmsim_pgd_free(vm, vmsim_nr_frames(vm)));
	NOP("vmsim_pgd_free", vmsim_pgd_free(vm, table));
	NOP("vmsim_pgd_free", vmsim_pgd_free(vm, root));		/* an mm's */
	assert_int_equal(vmsim_pgd_alloc(vm, &r), 0);
	vmsim_pgd_free(vm, r);
	NOP("vmsim_pgd_free", vmsim_pgd_free(vm, r));		/* twice */

	ERR("vmsim_walk", -EINVAL, vmsim_walk(NULL, root, A, 0, &junk));
	ERR("vmsim_walk", -EINVAL, vmsim_walk(vm, root, A, 0, NULL));
	ERR("vmsim_walk", -EINVAL, vmsim_walk(vm, root, A, 4, &junk));
	ERR("vmsim_walk", -EINVAL, vmsim_walk(vm, root, A, ~0u, &junk));
	ERR("vmsim_walk", -EINVAL, vmsim_walk(vm, 0, A, VMSIM_WALK_ALLOC, &junk));
	ERR("vmsim_walk", -EINVAL, vmsim_walk(vm, table, A, VMSIM_WALK_ALLOC, &junk));
	ERR("vmsim_walk", -EINVAL, vmsim_walk(vm, ~0UL, A, VMSIM_WALK_ALLOC, &junk));
	ERR("vmsim_walk", -EFAULT, vmsim_walk(vm, root, 1ULL << 60, VMSIM_WALK_ALLOC, &junk));
	ERR("vmsim_walk", -EFAULT, vmsim_walk(F->vm2, vmsim_mm_pgd(F->mm2), 1ULL << 47, VMSIM_WALK_ALLOC, &junk));
	NUL("vmsim_pte_lookup", vmsim_pte_lookup(NULL, root, A, true));
	NUL("vmsim_pte_lookup", vmsim_pte_lookup(vm, 0, A, true));
	NUL("vmsim_pte_lookup", vmsim_pte_lookup(vm, table, A, true));
	NUL("vmsim_pte_lookup", vmsim_pte_lookup(vm, root, 1ULL << 60, true));

	NOP("vmsim_set_pte", vmsim_set_pte(NULL, w.pte, __pte(0), A));
	NOP("vmsim_set_pte", vmsim_set_pte(vm, NULL, __pte(0), A));
	NOP("vmsim_set_pte", vmsim_set_pte(vm, (pte_t *)&local, __pte(0), A));
	NOP("vmsim_set_pte", vmsim_set_pte(vm, w2.pte, __pte(0), A));
	NOP("vmsim_set_pte", vmsim_set_pte(vm, (pte_t *)w.pmd, __pte(0), A));
	NOP("vmsim_set_pte", vmsim_set_pte(vm, (pte_t *)((char *)w.pte + 1), __pte(0), A));
	NOP("vmsim_set_pmd", vmsim_set_pmd(NULL, w.pmd, __pmd(0), A));
	NOP("vmsim_set_pmd", vmsim_set_pmd(vm, NULL, __pmd(0), A));
	NOP("vmsim_set_pmd", vmsim_set_pmd(vm, (pmd_t *)&local, __pmd(0), A));
	NOP("vmsim_set_pmd", vmsim_set_pmd(vm, w2.pmd, __pmd(0), A));
	NOP("vmsim_set_pmd", vmsim_set_pmd(vm, (pmd_t *)w.pte, __pmd(0), A));
	NOP("vmsim_set_pud", vmsim_set_pud(NULL, w.pud, __pud(0), A));
	NOP("vmsim_set_pud", vmsim_set_pud(vm, NULL, __pud(0), A));
	NOP("vmsim_set_pud", vmsim_set_pud(vm, w2.pud, __pud(0), A));
	NOP("vmsim_set_pud", vmsim_set_pud(vm, (pud_t *)w.pmd, __pud(0), A));
	NUL("vmsim_slot_table", vmsim_slot_table(NULL, w.pte));
	NUL("vmsim_slot_table", vmsim_slot_table(vm, NULL));
	NUL("vmsim_slot_table", vmsim_slot_table(vm, &local));
	NUL("vmsim_slot_table", vmsim_slot_table(vm, w2.pte));
	NUL("vmsim_pmd_table", vmsim_pmd_table(NULL, *w.pmd));
	NUL("vmsim_pmd_table", vmsim_pmd_table(vm, __pmd(0)));
	NUL("vmsim_pmd_table", vmsim_pmd_table(vm, __pmd(((uint64_t)F->page << PAGE_SHIFT) | _PAGE_TABLE)));
	NUL("vmsim_pmd_table", vmsim_pmd_table(vm, __pmd((1ULL << 40) | _PAGE_TABLE)));
	ERR("vmsim_free_empty_tables", 0, vmsim_free_empty_tables(NULL, root, 0, ~0ULL));
	ERR("vmsim_free_empty_tables", 0, vmsim_free_empty_tables(vm, 0, 0, ~0ULL));
	ERR("vmsim_free_empty_tables", 0, vmsim_free_empty_tables(vm, table, 0, ~0ULL));
	ERR("vmsim_free_empty_tables", 0, vmsim_free_empty_tables(vm, root, 10 * P, 5 * P));
	ERR("vmsim_nr_pgtable_pages", 0, vmsim_nr_pgtable_pages(NULL));
}

static int never_fault(struct vmsim *vm, int cpu, uint64_t addr, unsigned ec, void *arg)
{
	(void)vm, (void)cpu, (void)addr, (void)ec, (void)arg;
	return VM_FAULT_SIGSEGV;
}

static bool never_tracks(struct vmsim *vm, unsigned long pfn)
{
	(void)vm, (void)pfn;
	return false;
}

void ba_cases_cpu(void **state)
{
	struct vmsim *vm = F->vm;
	struct vmsim_mm_context z, zero_ctx, *mmctx = vmsim_cpu_loaded(vm, 0);
	struct vmsim_mm_context ctx2 = *F->ctx2;
	unsigned long table = pte_table_pfn(), pfn;
	unsigned char buf[2] = { 0 };

	(void)state;
	memset(&z, 0, sizeof(z));
	zero_ctx = z;
	assert_non_null(mmctx);
	ERR("vmsim_mm_context_init", -EINVAL, vmsim_mm_context_init(NULL, &z, vmsim_mm_pgd(F->mm)));
	ERR("vmsim_mm_context_init", -EINVAL, vmsim_mm_context_init(vm, NULL, vmsim_mm_pgd(F->mm)));
	ERR("vmsim_mm_context_init", -EINVAL, vmsim_mm_context_init(vm, &z, 0));
	ERR("vmsim_mm_context_init", -EINVAL, vmsim_mm_context_init(vm, &z, table));
	ERR("vmsim_mm_context_init", -EINVAL, vmsim_mm_context_init(vm, &z, vmsim_nr_frames(vm)));
	ERR("vmsim_mm_context_init", -EBUSY, vmsim_mm_context_init(vm, F->ctx, vmsim_mm_pgd(F->mm)));
	ERR("vmsim_mm_context_init", -EBUSY, vmsim_mm_context_init(vm, mmctx, vmsim_mm_pgd(F->mm)));
	assert_memory_equal(&z, &zero_ctx, sizeof(z));
	NOP("vmsim_mm_context_destroy", vmsim_mm_context_destroy(NULL, F->ctx));
	NOP("vmsim_mm_context_destroy", vmsim_mm_context_destroy(vm, NULL));
	NOP("vmsim_mm_context_destroy", vmsim_mm_context_destroy(vm, &z));
	NOP("vmsim_mm_context_destroy", vmsim_mm_context_destroy(vm, F->ctx2));

	ERR("vmsim_switch_mm", -EINVAL, vmsim_switch_mm(NULL, 0, F->ctx));
	ERR("vmsim_switch_mm", -EINVAL, vmsim_switch_mm(vm, -1, F->ctx));
	ERR("vmsim_switch_mm", -EINVAL, vmsim_switch_mm(vm, 2, F->ctx));
	ERR("vmsim_switch_mm", -EINVAL, vmsim_switch_mm(vm, INT_MIN, NULL));
	ERR("vmsim_switch_mm", -EINVAL, vmsim_switch_mm(vm, 0, &z));
	ERR("vmsim_switch_mm", -EINVAL, vmsim_switch_mm(vm, 0, F->ctx2));
	NUL("vmsim_cpu_loaded", vmsim_cpu_loaded(NULL, 0));
	NUL("vmsim_cpu_loaded", vmsim_cpu_loaded(vm, -1));
	NUL("vmsim_cpu_loaded", vmsim_cpu_loaded(vm, 2));
	ERR("vmsim_cpu_asid", -EINVAL, vmsim_cpu_asid(NULL, 0, mmctx));
	ERR("vmsim_cpu_asid", -EINVAL, vmsim_cpu_asid(vm, -1, mmctx));
	ERR("vmsim_cpu_asid", -EINVAL, vmsim_cpu_asid(vm, 2, mmctx));
	ERR("vmsim_cpu_asid", -EINVAL, vmsim_cpu_asid(vm, 0, NULL));
	ERR("vmsim_cpu_asid", -EINVAL, vmsim_cpu_asid(vm, 0, &z));
	/* Same ctx_id as mm's context, which holds an ASID on CPU 0. */
	ERR("vmsim_cpu_asid", -EINVAL, vmsim_cpu_asid(vm, 0, F->ctx2));
	ERR("vmsim_set_cur_cpu", -EINVAL, vmsim_set_cur_cpu(NULL, 0));
	ERR("vmsim_set_cur_cpu", -EINVAL, vmsim_set_cur_cpu(vm, -1));
	ERR("vmsim_set_cur_cpu", -EINVAL, vmsim_set_cur_cpu(vm, 2));
	ERR("vmsim_cur_cpu", 0, vmsim_cur_cpu(NULL));
	ERR("vmsim_nr_cpus", 0, vmsim_nr_cpus(NULL));
	NUL("vmsim_set_fault_handler", vmsim_set_fault_handler(NULL, never_fault, NULL));
	STR("vmsim_access_result_name", "?", vmsim_access_result_name(INT_MIN));
	STR("vmsim_access_result_name", "?", vmsim_access_result_name(VMSIM_ACCESS_SIGKILL + 1));
	STR("vmsim_access_result_name", "?", vmsim_access_result_name(-4096));
	STR("vmsim_access_result_name", "?", vmsim_access_result_name(INT_MAX));

	ERR("vmsim_cpu_translate", -EINVAL, vmsim_cpu_translate(NULL, 0, A, X86_PF_USER, &pfn));
	ERR("vmsim_cpu_translate", -EINVAL, vmsim_cpu_translate(vm, -1, A, X86_PF_USER, &pfn));
	ERR("vmsim_cpu_translate", -EINVAL, vmsim_cpu_translate(vm, 2, A, X86_PF_USER, &pfn));
	ERR("vmsim_cpu_translate", -EINVAL, vmsim_cpu_translate(vm, 0, A, X86_PF_USER, NULL));
	ERR("vmsim_cpu_translate", -EINVAL, vmsim_cpu_translate(vm, 0, A, X86_PF_RSVD, &pfn));
	ERR("vmsim_cpu_translate", -EINVAL, vmsim_cpu_translate(vm, 0, A, ~0u, &pfn));
	ERR("vmsim_cpu_translate", -EINVAL, vmsim_cpu_translate(vm, 0, A, X86_PF_WRITE | X86_PF_INSTR, &pfn));
	/* A non-canonical address is #GP: SIGSEGV before any TLB or walk. */
	ERR("vmsim_cpu_translate", VMSIM_ACCESS_SIGSEGV, vmsim_cpu_translate(vm, 0, 1ULL << 60, X86_PF_USER, &pfn));
	ERR("vmsim_cpu_read", -EINVAL, vmsim_cpu_read(NULL, 0, A, buf, 1));
	ERR("vmsim_cpu_read", -EINVAL, vmsim_cpu_read(vm, -1, A, buf, 1));
	ERR("vmsim_cpu_read", -EINVAL, vmsim_cpu_read(vm, 2, A, buf, 1));
	ERR("vmsim_cpu_read", -EINVAL, vmsim_cpu_read(vm, 0, A, NULL, 1));
	ERR("vmsim_cpu_read", -EINVAL, vmsim_cpu_read(vm, 0, ~0ULL, buf, 2));
	ERR("vmsim_cpu_read", VMSIM_ACCESS_SIGSEGV, vmsim_cpu_read(vm, 0, 1ULL << 60, buf, 1));
	ERR("vmsim_cpu_write", -EINVAL, vmsim_cpu_write(NULL, 0, A, buf, 1));
	ERR("vmsim_cpu_write", -EINVAL, vmsim_cpu_write(vm, -1, A, buf, 1));
	ERR("vmsim_cpu_write", -EINVAL, vmsim_cpu_write(vm, 0, A, NULL, 1));
	ERR("vmsim_cpu_write", -EINVAL, vmsim_cpu_write(vm, 0, ~0ULL, buf, 2));
	ERR("vmsim_cpu_write", VMSIM_ACCESS_SIGSEGV, vmsim_cpu_write(vm, 0, 1ULL << 60, buf, 1));
	ERR("vmsim_cpu_exec", -EINVAL, vmsim_cpu_exec(NULL, 0, A, buf, 1));
	ERR("vmsim_cpu_exec", -EINVAL, vmsim_cpu_exec(vm, 2, A, buf, 1));
	ERR("vmsim_cpu_exec", -EINVAL, vmsim_cpu_exec(vm, 0, A, NULL, 1));
	ERR("vmsim_cpu_exec", -EINVAL, vmsim_cpu_exec(vm, 0, ~0ULL, buf, 2));
	ERR("vmsim_cpu_exec", VMSIM_ACCESS_SIGSEGV, vmsim_cpu_exec(vm, 0, 1ULL << 60, buf, 1));
	assert_memory_equal(F->ctx2, &ctx2, sizeof(ctx2));
}

void ba_cases_tlb(void **state)
{
	struct vmsim *vm = F->vm;
	struct vmsim_mm_context z, *mmctx = vmsim_cpu_loaded(vm, 0);
	struct vmsim_mm_context ctx2 = *F->ctx2;
	struct vmsim_tlb_entry e;
	struct vmsim_cpu_stats st;

	(void)state;
	memset(&z, 0, sizeof(z));
	ERR("vmsim_tlb_probe", -EINVAL, vmsim_tlb_probe(NULL, 0, mmctx, A, &e));
	ERR("vmsim_tlb_probe", -EINVAL, vmsim_tlb_probe(vm, -1, mmctx, A, &e));
	ERR("vmsim_tlb_probe", -EINVAL, vmsim_tlb_probe(vm, 2, mmctx, A, &e));
	ERR("vmsim_tlb_probe", -EINVAL, vmsim_tlb_probe(vm, 0, NULL, A, &e));
	ERR("vmsim_tlb_probe", -EINVAL, vmsim_tlb_probe(vm, 0, &z, A, &e));
	/* Same ctx_id as mm's context, whose translation of A CPU 0 holds. */
	ERR("vmsim_tlb_probe", -EINVAL, vmsim_tlb_probe(vm, 0, F->ctx2, A, &e));
	ERR("vmsim_tlb_entries", -EINVAL, vmsim_tlb_entries(NULL, 0, &e, 1));
	ERR("vmsim_tlb_entries", -EINVAL, vmsim_tlb_entries(vm, -1, &e, 1));
	ERR("vmsim_tlb_entries", -EINVAL, vmsim_tlb_entries(vm, 2, &e, 1));
	ERR("vmsim_tlb_entries", -EINVAL, vmsim_tlb_entries(vm, 0, NULL, 1));

	NOP("vmsim_flush_tlb_mm_range", vmsim_flush_tlb_mm_range(NULL, mmctx, A, A + P, PAGE_SHIFT, false));
	NOP("vmsim_flush_tlb_mm_range", vmsim_flush_tlb_mm_range(vm, NULL, A, A + P, PAGE_SHIFT, false));
	NOP("vmsim_flush_tlb_mm_range", vmsim_flush_tlb_mm_range(vm, &z, A, A + P, PAGE_SHIFT, true));
	NOP("vmsim_flush_tlb_mm_range", vmsim_flush_tlb_mm_range(vm, F->ctx2, A, A + P, PAGE_SHIFT, true));
	NOP("vmsim_flush_tlb_page", vmsim_flush_tlb_page(NULL, mmctx, A));
	NOP("vmsim_flush_tlb_page", vmsim_flush_tlb_page(vm, NULL, A));
	NOP("vmsim_flush_tlb_page", vmsim_flush_tlb_page(vm, F->ctx2, A));
	NOP("vmsim_flush_tlb_range", vmsim_flush_tlb_range(NULL, mmctx, A, A + P));
	NOP("vmsim_flush_tlb_range", vmsim_flush_tlb_range(vm, NULL, A, A + P));
	NOP("vmsim_flush_tlb_range", vmsim_flush_tlb_range(vm, F->ctx2, A, A + P));
	NOP("vmsim_flush_tlb_mm", vmsim_flush_tlb_mm(NULL, mmctx));
	NOP("vmsim_flush_tlb_mm", vmsim_flush_tlb_mm(vm, NULL));
	NOP("vmsim_flush_tlb_mm", vmsim_flush_tlb_mm(vm, &z));
	NOP("vmsim_flush_tlb_mm", vmsim_flush_tlb_mm(vm, F->ctx2));
	NOP("vmsim_flush_tlb_all", vmsim_flush_tlb_all(NULL));
	NOP("vmsim_set_flush_ceiling", vmsim_set_flush_ceiling(NULL, 1));
	ERR("vmsim_flush_ceiling", 0, vmsim_flush_ceiling(NULL));
	ERR("vmsim_cpu_stats", -EINVAL, vmsim_cpu_stats(NULL, 0, &st));
	ERR("vmsim_cpu_stats", -EINVAL, vmsim_cpu_stats(vm, -1, &st));
	ERR("vmsim_cpu_stats", -EINVAL, vmsim_cpu_stats(vm, 2, &st));
	ERR("vmsim_cpu_stats", -EINVAL, vmsim_cpu_stats(vm, 0, NULL));
	NOP("vmsim_cpu_stats_reset", vmsim_cpu_stats_reset(NULL));
	ERR("vmsim_tlb_check_stale", -EINVAL, vmsim_tlb_check_stale(NULL, mmctx, 0, ~0ULL));
	ERR("vmsim_tlb_check_stale", -EINVAL, vmsim_tlb_check_stale(vm, NULL, 0, ~0ULL));
	ERR("vmsim_tlb_check_stale", -EINVAL, vmsim_tlb_check_stale(vm, &z, 0, ~0ULL));
	ERR("vmsim_tlb_check_stale", -EINVAL, vmsim_tlb_check_stale(vm, F->ctx2, 0, ~0ULL));
	ERR("vmsim_tlb_check_stale", -EINVAL, vmsim_tlb_check_stale(vm, mmctx, 10 * P, 5 * P));
	NOP("vmsim_set_luf_tracks", vmsim_set_luf_tracks(NULL, never_tracks));
	NOP("vmsim_debug_suppress_flush", vmsim_debug_suppress_flush(NULL, true));
	/* No tlb_gen of a context that was not this machine's moved. */
	assert_memory_equal(F->ctx2, &ctx2, sizeof(ctx2));
}
