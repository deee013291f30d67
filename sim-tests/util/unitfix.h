/* The CMocka fixture the mm unit tests share: a check=full machine whose
 * bugs are logged, and one process.  Teardown fails the test if any bug
 * was reported.  A file may define TU_UNIT_MACHINE before including this
 * to change the machine options.  Include once per test program. */
#ifndef VMSIM_UNITFIX_H
#define VMSIM_UNITFIX_H

#include <stdarg.h>
#include <stdio.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#ifndef TU_UNIT_MACHINE
#define TU_UNIT_MACHINE "ram=16M check=full"
#endif

#define P	4096ULL
/* A 2 MiB aligned base: one pte table covers pages 0..511 from here. */
#define A	0x7f0000000000ULL
#define ANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)
#define RW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
#define RO	VMSIM_PROT_READ

static struct vmsim *vm;
static struct vmsim_mm *mm;
static struct bug_log tu_log;

static int tu_unit_setup(void **state)
{
	(void)state;
	vm = tu_machine_str(TU_UNIT_MACHINE, &tu_log);
	if (!vm || vmsim_mm_new(vm, &mm))
		return -1;
	return 0;
}

static int tu_unit_teardown(void **state)
{
	(void)state;
	vmsim_free(vm);
	vm = NULL;
	mm = NULL;
	if (tu_log.count)
		print_error("bug reported: %s (%s)\n", tu_log.last, tu_log.last_func);
	assert_int_equal(tu_log.count, 0);
	return 0;
}

#define TU_TEST(f) cmocka_unit_test_setup_teardown(f, tu_unit_setup, tu_unit_teardown)

/* Page i of the 2 MiB aligned test area. */
static inline uint64_t pg(unsigned i)
{
	return A + (uint64_t)i * P;
}

#endif /* VMSIM_UNITFIX_H */
