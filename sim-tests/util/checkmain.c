/* The common main() of the Check (sim-tests/sim) suites. */
#include <check.h>
#include <stdlib.h>

#include "testutil.h"

int tu_check_main(Suite *s)
{
	SRunner *sr = srunner_create(s);
	int failed;

	srunner_set_fork_status(sr, CK_FORK);
	srunner_run_all(sr, CK_NORMAL);
	failed = srunner_ntests_failed(sr);
	srunner_free(sr);
	return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
