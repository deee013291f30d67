/* The Check fixture the sim suites share: a 16 MiB check=full machine whose
 * bugs are logged and one process on it.  Teardown frees the machine and
 * fails the test if any bug was reported, at any point of the test. */
#ifndef VMSIM_SIMFIXTURE_H
#define VMSIM_SIMFIXTURE_H

#include "testutil.h"

/* The fixture's machine, its process and its bug log (the names every
 * suite uses). */
extern struct vmsim *vm;
extern struct vmsim_mm *mm;
extern struct bug_log tu_log;

/* tcase_add_checked_fixture(tc, tu_sim_setup, tu_sim_teardown); a suite
 * that needs more (a file) calls tu_sim_setup() first in its own setup. */
void tu_sim_setup(void);
void tu_sim_teardown(void);

#endif /* VMSIM_SIMFIXTURE_H */
