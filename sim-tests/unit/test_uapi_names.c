/* Unit test: <vmsim/userfaultfd.h> uses the uapi names and values, and a
 * program may include <linux/userfaultfd.h> first (kernel developers do). */
#include <linux/userfaultfd.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <vmsim/vmsim.h>

static void test_values_match_uapi(void **state)
{
	(void)state;
	assert_int_equal(VMSIM_UFFD_EVENT_PAGEFAULT, UFFD_EVENT_PAGEFAULT);
	assert_int_equal(VMSIM_UFFD_EVENT_FORK, UFFD_EVENT_FORK);
	assert_int_equal(VMSIM_UFFD_EVENT_REMOVE, UFFD_EVENT_REMOVE);
	assert_int_equal(VMSIM_UFFD_EVENT_UNMAP, UFFD_EVENT_UNMAP);
	assert_int_equal(UFFDIO_REGISTER_MODE_WP, 2);
	assert_int_equal(UFFD_FEATURE_WP_ASYNC, 1 << 15);
	assert_int_equal(UFFD_FEATURE_WP_UNPOPULATED, 1 << 13);
	assert_int_equal(UFFD_PAGEFAULT_FLAG_MINOR, 4);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(test_values_match_uapi) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
