/* The README's first example: a machine, a page table, a mapping, a walk. */
#include <stdio.h>

#include <vmsim/vmsim.h>

int main(void)
{
	struct vmsim *vm;
	unsigned long pgd, pfn;
	uint64_t addr = 0x7f0000001000;

	if (vmsim_new(NULL, &vm) || vmsim_pgd_alloc(vm, &pgd) || vmsim_page_alloc(vm, 0, &pfn))
		return 1;
	pte_t *ptep = vmsim_pte_lookup(vm, pgd, addr, true);	/* allocates p4d..pte tables */
	vmsim_set_pte(vm, ptep, pte_mkdirty(pfn_pte(pfn, PAGE_SHARED)), addr);

	struct vmsim_walk w;
	vmsim_walk(vm, pgd, addr, 0, &w);
	printf("0x%012llx -> pfn %#lx, level %d, write=%d dirty=%d, %lu tables\n",
	       (unsigned long long)addr, pte_pfn(ptep_get(w.pte)), w.level,
	       pte_write(ptep_get(w.pte)), pte_dirty(ptep_get(w.pte)), vmsim_nr_pgtable_pages(vm));

	vmsim_set_pte(vm, ptep, __pte(0), addr);
	vmsim_page_free(vm, pfn, 0);
	vmsim_pgd_free(vm, pgd);
	vmsim_free(vm);
	return 0;
}
