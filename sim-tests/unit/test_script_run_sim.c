/* Unit tests: `vmsim run`, the simulator back end (script/run_sim.c): a
 * simulator bug report during a run is a `BUG: line N:` on stderr and exit
 * status 3; the run stops there. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>

/* No script can make a correct simulator report a bug, so this test is
 * linked with --wrap=vmsim_access: an access to BUG_ADDR reports one; one
 * to EIO_ADDR reports one and fails as a livelocked fault does (-EIO). */
#define BUG_ADDR 0x7f0000000000ULL
#define EIO_ADDR 0x7f0000001000ULL

int __real_vmsim_access(struct vmsim_mm *mm, int cpu, uint64_t addr, void *buf, size_t len, bool write,
			uint64_t *fault_addr);
int __wrap_vmsim_access(struct vmsim_mm *mm, int cpu, uint64_t addr, void *buf, size_t len, bool write,
			uint64_t *fault_addr);
int __wrap_vmsim_access(struct vmsim_mm *mm, int cpu, uint64_t addr, void *buf, size_t len, bool write,
			uint64_t *fault_addr)
{
	int r = __real_vmsim_access(mm, cpu, addr, buf, len, write, fault_addr);

	if (addr == BUG_ADDR || addr == EIO_ADDR)
		VMSIM_BUG(vmsim_mm_machine(mm), "injected by the test");
	return addr == EIO_ADDR ? -EIO : r;
}

static void bug_exits_3(void **state)
{
	const char *text = "process P\nmap P 0x7f0000000000 4K anon private rw\n"
			   "read P 0x7f0000000000\nread P 0x7f0000000000\n";
	struct vms_script *s;
	char err[256], *out_buf = NULL, *err_buf = NULL;
	size_t out_len = 0, err_len = 0;
	FILE *out = open_memstream(&out_buf, &out_len), *errf = open_memstream(&err_buf, &err_len);

	(void)state;
	assert_int_equal(vms_parse(text, strlen(text), &s, err, sizeof(err)), 0);
	assert_int_equal(vms_run_sim(s, NULL, out, errf), 3);
	fclose(out);
	fclose(errf);
	/* The faulting command's own output, then nothing more. */
	assert_string_equal(out_buf, "read P 0x00007f0000000000 = 0x00\n");
	assert_non_null(strstr(err_buf, "BUG: line 3: injected by the test"));
	assert_non_null(strstr(err_buf, "line 3: the simulator reported a bug"));
	free(out_buf);
	free(err_buf);
	vms_script_free(s);
}

/* Exit 3 whatever the command returned: before, a bug whose access then
 * failed was "FAIL ... read: EIO", exit 1. */
static void bug_and_failure_exits_3(void **state)
{
	const char *text = "process P\nmap P 0x7f0000000000 8K anon private rw\n"
			   "read P 0x7f0000001000 expect=0\nread P 0x7f0000000000\n";
	struct vms_script *s;
	char err[256], *out_buf = NULL, *err_buf = NULL;
	size_t out_len = 0, err_len = 0;
	FILE *out = open_memstream(&out_buf, &out_len), *errf = open_memstream(&err_buf, &err_len);

	(void)state;
	assert_int_equal(vms_parse(text, strlen(text), &s, err, sizeof(err)), 0);
	assert_int_equal(vms_run_sim(s, NULL, out, errf), 3);
	fclose(out);
	fclose(errf);
	assert_string_equal(out_buf, "");
	assert_non_null(strstr(err_buf, "BUG: line 3: injected by the test"));
	assert_non_null(strstr(err_buf, "line 3: the simulator reported a bug"));
	assert_null(strstr(err_buf, "FAIL"));
	free(out_buf);
	free(err_buf);
	vms_script_free(s);
}

int main(void)
{
	const struct CMUnitTest tests[] = { cmocka_unit_test(bug_exits_3), cmocka_unit_test(bug_and_failure_exits_3) };

	return cmocka_run_group_tests(tests, NULL, NULL);
}
