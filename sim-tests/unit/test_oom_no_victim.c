/* Unit test: allocation failures that no OOM kill resolves.  Linux's
 * allocator gives up without killing when the OOM killer is disabled
 * (oom_killer_disable() around suspend) or finds nobody to kill; the
 * faulting task's own allocations also fail once it is the victim.  The
 * simulator reaches these paths only through its victim (which a script
 * cannot watch survive), so this test wraps vmsim__out_of_memory() to find
 * no victim and runs the scenarios of sim-tests/gen/regress/no-oom-kill/:
 * each must end with the status of its `#@ rc=N` line (0 without one),
 * its .expected output and every `#@ stderr: REGEX` line matching, with a
 * process that ran out of memory and lived on.  Linked with --wrap (see
 * CMakeLists.txt). */
#include <dirent.h>
#include <regex.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>

struct vmsim;
static unsigned long refused;

bool __wrap_vmsim__out_of_memory(struct vmsim *vm);
bool __wrap_vmsim__out_of_memory(struct vmsim *vm)
{
	(void)vm;
	refused++;
	return false;
}

static char *slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf = NULL;
	size_t n = 0;
	long sz;

	if (!f)
		return NULL;
	if (fseek(f, 0, SEEK_END) == 0 && (sz = ftell(f)) >= 0 && fseek(f, 0, SEEK_SET) == 0 &&
	    (buf = malloc((size_t)sz + 1)) != NULL) {
		n = fread(buf, 1, (size_t)sz, f);
		buf[n] = 0;
	}
	fclose(f);
	if (len)
		*len = n;
	return buf;
}

/* The status of the script's `#@ rc=N` line, 0 without one. */
static int want_rc(const char *text)
{
	const char *l = strstr(text, "#@ rc=");

	return l ? atoi(l + 6) : 0;
}

/* Every `#@ stderr: REGEX` line of the script matches err (POSIX ERE). */
static void stderr_matches(const char *name, const char *text, const char *err)
{
	for (const char *l = text; (l = strstr(l, "#@ stderr: ")); l++) {
		const char *re = l + 11, *end = strchr(re, '\n');
		char pat[512];
		regex_t rx;
		size_t n = end ? (size_t)(end - re) : strlen(re);

		if (n >= sizeof(pat))
			n = sizeof(pat) - 1;
		memcpy(pat, re, n);
		pat[n] = 0;
		assert_int_equal(regcomp(&rx, pat, REG_EXTENDED | REG_NOSUB | REG_NEWLINE), 0);
		if (regexec(&rx, err, 0, NULL, 0))
			fail_msg("%s: stderr lacks /%s/\n%s", name, pat, err);
		regfree(&rx);
	}
}

static void run_one(const char *dir, const char *name)
{
	static char out[1 << 16], err[1 << 16];
	char path[4096], perr[256];
	struct vms_script *s;
	size_t len;
	char *text, *want;
	FILE *of, *ef;
	int rc;

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	text = slurp(path, &len);
	assert_non_null(text);
	assert_int_equal(vms_parse(text, len, &s, perr, sizeof(perr)), 0);
	memset(out, 0, sizeof(out));
	memset(err, 0, sizeof(err));
	of = fmemopen(out, sizeof(out) - 1, "w");
	ef = fmemopen(err, sizeof(err) - 1, "w");
	refused = 0;
	rc = vms_run_sim(s, NULL, of, ef);
	fclose(of);
	fclose(ef);
	vms_script_free(s);
	if (rc != want_rc(text))
		fail_msg("%s: exit %d\n%s", name, rc, err);
	stderr_matches(name, text, err);
	free(text);
	if (!refused)
		fail_msg("%s: never ran out of memory", name);
	snprintf(path + strlen(path) - 4, 16, ".expected");
	want = slurp(path, NULL);
	if (strcmp(want ? want : "", out))
		fail_msg("%s: output\n%s\nexpected\n%s", name, out, want ? want : "");
	free(want);
}

static void scenarios_pass(void **state)
{
	const char *dir = REGRESS_DIR;
	struct dirent *d;
	DIR *dp = opendir(dir);
	unsigned n = 0;

	(void)state;
	assert_non_null(dp);
	while ((d = readdir(dp))) {
		size_t l = strlen(d->d_name);

		if (l > 4 && !strcmp(d->d_name + l - 4, ".vms")) {
			run_one(dir, d->d_name);
			n++;
		}
	}
	closedir(dp);
	assert_true(n >= 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(scenarios_pass),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
