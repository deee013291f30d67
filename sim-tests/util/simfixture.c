/* The shared Check fixture (see simfixture.h). */
#include <check.h>

#include "simfixture.h"

struct vmsim *vm;
struct vmsim_mm *mm;
struct bug_log tu_log;

void tu_sim_setup(void)
{
	vm = tu_machine_str("ram=16M check=full", &tu_log);
	ck_assert_ptr_nonnull(vm);
	ck_assert_int_eq(vmsim_mm_new(vm, &mm), 0);
}

void tu_sim_teardown(void)
{
	vmsim_free(vm);
	vm = NULL;
	mm = NULL;
	ck_assert_uint_eq(tu_log.count, 0);
}
