/* Unit tests: `show` dumps and --dot (script/show.c), through vms_run_sim.
 * The format is free, so these check content, not bytes: each dump names
 * what a student needs to follow a scenario (ranges, permissions, backing,
 * the frame labels of the pagemap lines, entry kinds, TLB entries, who maps
 * a page, the counters), and it goes to standard error only. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>

static char *out, *err;

/* Run text; out and err receive what went to each stream. */
static int run(const char *text, const struct vms_run_opts *opts)
{
	struct vms_script *s = NULL;
	char msg[256];
	size_t olen = 0, elen = 0;
	FILE *fo, *fe;
	int rc;

	free(out);
	free(err);
	assert_int_equal(vms_parse(text, strlen(text), &s, msg, sizeof(msg)), 0);
	fo = open_memstream(&out, &olen);
	fe = open_memstream(&err, &elen);
	assert_non_null(fo);
	assert_non_null(fe);
	rc = vms_run_sim(s, opts, fo, fe);
	fclose(fo);
	fclose(fe);
	vms_script_free(s);
	return rc;
}

static void has(const char *what)
{
	if (!strstr(err, what))
		print_error("missing '%s' in:\n%s\n", what, err);
	assert_non_null(strstr(err, what));
}

static void test_vmas(void **state)
{
	(void)state;
	assert_int_equal(run("file F size=16K\nprocess P\n"
			     "map P 0x7f0000000000 16K anon private rw\n"
			     "write P 0x7f0000000000\n"
			     "protect P 0x7f0000001000 4K r\n"
			     "map P 0x7f0000100000 8K file=F off=4K shared rw locked\n"
			     "show vmas P\n", NULL), 0);
	/* show writes nothing to stdout: the outputs of two back ends compare. */
	assert_string_equal(out, "");
	has("vmas of P");
	/* The split by mprotect, as /proc/PID/maps would list it. */
	has("7f0000000000-7f0000001000 rw-p");
	has("7f0000001000-7f0000002000 r--p");
	has("7f0000002000-7f0000004000 rw-p");
	has("[anon]");
	has("anon_vma");
	/* The file, its offset in bytes, and the flags that matter. */
	has("7f0000100000-7f0000102000 rw-s 00001000 F");
	has("locked");
	has("shared");
}

static void test_pgtable(void **state)
{
	(void)state;
	assert_int_equal(run("process P\n"
			     "map P 0x7f0000000000 16K anon private rw\n"
			     "write P 0x7f0000000000\n"
			     "read P 0x7f0000001000\n"
			     "advise P 0x7f0000002000 4K guard_install\n"
			     "pagemap P 0x7f0000000000 4K\n"
			     "show pgtable P\n", NULL), 0);
	has("page tables of P");
	has("5 levels");
	/* Every level on the way down, then the leaves. */
	has("pgd[");
	has("p4d[");
	has("pud[");
	has("pmd[");
	has("pte[");
	/* The written page by the label its pagemap line gave it, writable. */
	has("#1 rw user");
	has("anon");
	/* The zero page under the read, and the guard marker by its kind. */
	has("zero ro");
	has("guard marker");
	has("empty");
}

static void test_tlb_and_stats(void **state)
{
	(void)state;
	assert_int_equal(run("machine cpus=2\nprocess P\n"
			     "map P 0x7f0000000000 8K anon private rw\n"
			     "write P 0x7f0000000000\n"
			     "read P 0x7f0000001000 cpu=1\n"
			     "show tlb\nshow stats\n", NULL), 0);
	has("cpu0 tlb:");
	has("cpu1 tlb:");
	has("0x00007f0000000000 4K");
	has("rw user nx dirty");
	has("0x00007f0000001000 4K");
	/* Counters: what was allocated and how it was faulted. */
	has("P: 1 vmas, rss anon 1");
	has("faults 2 (anon 2");
	has("page-table pages");
	has("walks");
	has("IPIs");
}

static void test_page(void **state)
{
	(void)state;
	assert_int_equal(run("process P\n"
			     "map P 0x7f0000000000 4K anon private rw\n"
			     "write P 0x7f0000000000\n"
			     "fork P C\n"
			     "pagemap P 0x7f0000000000 4K\n"
			     "show page P 0x7f0000000000\n"
			     "show page frame=#1\n"
			     "show page P 0x7f0000100000\n"
			     "show page frame=#9\n", NULL), 0);
	has("anon refcount 2 mapcount 2");
	/* Who maps it, by process name, through rmap. */
	has("mapped by P at 0x00007f0000000000");
	has("mapped by C at 0x00007f0000000000");
	/* Mistakes are explained, not fatal. */
	has("nothing present at P 0x00007f0000100000");
	has("no frame #9 yet");
}

static void test_dot(void **state)
{
	char path[] = "/tmp/vmsim-show-XXXXXX";
	struct vms_run_opts opts = { 0 };
	char buf[4096];
	size_t n;
	FILE *f;
	int fd;

	(void)state;
	fd = mkstemp(path);
	assert_true(fd >= 0);
	close(fd);
	opts.dot = path;
	assert_int_equal(run("process P\nmap P 0x7f0000000000 4K anon private rw\n"
			     "write P 0x7f0000000000\n", &opts), 0);
	f = fopen(path, "r");
	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = 0;
	fclose(f);
	unlink(path);
	assert_non_null(strstr(buf, "digraph"));
	assert_non_null(strstr(buf, "\"P\""));
	assert_non_null(strstr(buf, "->"));
}

static int cleanup(void **state)
{
	(void)state;
	free(out);
	free(err);
	out = err = NULL;
	return 0;
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vmas),
		cmocka_unit_test(test_pgtable),
		cmocka_unit_test(test_tlb_and_stats),
		cmocka_unit_test(test_page),
		cmocka_unit_test(test_dot),
	};

	return cmocka_run_group_tests(tests, NULL, cleanup);
}
