/* The CMocka fixture of the unit tests of the swap-entry kinds (swap,
 * migration, hwpoison): a check=full machine with a little RAM and a swap
 * area, one process with four private anonymous pages at A, and what the
 * pte at an address is.  Teardown fails the test if a bug was reported.
 * Include once per test program, after <cmocka.h>. */
#ifndef VMSIM_KINDTEST_H
#define VMSIM_KINDTEST_H

#include "testutil.h"

#define A 0x7f0000000000ULL
#define P 4096ULL

static struct bug_log log_;
static struct vmsim *vm;
static struct vmsim_mm *mm;

static int setup(void **state)
{
	(void)state;
	vm = tu_machine_str("ram=4M swap=1M check=full", &log_);
	assert_non_null(vm);
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmsim_free(vm);
	assert_int_equal(log_.count, 0);
	return 0;
}

/* The name of the kind of the pte at addr (NULL: no pte table there). */
static inline const char *kind_at(uint64_t addr)
{
	struct vmsim_walk w;

	if (vmsim_walk(vm, vmsim_mm_pgd(mm), addr, 0, &w) || w.level != VMSIM_LVL_PTE)
		return NULL;
	return vmsim_kind_name(vmsim_kind_of(vm, ptep_get(w.pte)));
}

/* The pte at addr in m (which must have a pte table there). */
static inline pte_t pte_of(struct vmsim_mm *m, uint64_t addr)
{
	struct vmsim_walk w;

	assert_int_equal(vmsim_walk(vm, vmsim_mm_pgd(m), addr, 0, &w), 0);
	assert_int_equal(w.level, VMSIM_LVL_PTE);
	return ptep_get(w.pte);
}

static inline pte_t pte_at(uint64_t addr)
{
	return pte_of(mm, addr);
}

#endif /* VMSIM_KINDTEST_H */
