/* Unit tests: the .vms parser (script/parse.c) and the command table it
 * reads (script/commands.c), against docs/scenario.md.  Every command word
 * of the table has good and bad forms below, and a test checks that none
 * is missing. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>

static struct vms_script *ok(const char *text)
{
	struct vms_script *s = NULL;
	char err[256];
	int rc = vms_parse(text, strlen(text), &s, err, sizeof(err));

	if (rc)
		print_error("unexpected: %s\nin:\n%s\n", err, text);
	assert_int_equal(rc, 0);
	assert_non_null(s);
	return s;
}

/* The script must be malformed at line `line`, with `why` in the message. */
static void bad(const char *text, int line, const char *why)
{
	struct vms_script *s = (void *)1;
	char err[256], want[32];
	int rc = vms_parse(text, strlen(text), &s, err, sizeof(err));

	if (rc != VMS_MALFORMED)
		print_error("parsed, but should not have:\n%s\n", text);
	assert_int_equal(rc, VMS_MALFORMED);
	assert_null(s);
	snprintf(want, sizeof(want), "error line %d: ", line);
	if (strncmp(err, want, strlen(want)) || !strstr(err, why))
		print_error("got '%s', want '%s...%s'\n", err, want, why);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
	assert_non_null(strstr(err, why));
}

/* The last command of a script with a prelude. */
static const struct vms_cmd *last(struct vms_script *s)
{
	return vms_script_cmd(s, vms_script_count(s) - 1);
}

/* Names every good and bad form may use: lines 1-6. */
#define PRE "machine cpus=2\nprocess P\nprocess Q\nfile F size=4M\nfile H size=4M kind=hugetlb\ndevice D\n"
#define L 7	/* the first line after PRE */

/* ---- every command of the table: good forms, bad forms ---- */

struct good {
	const char *word;	/* the table word the form is for */
	const char *text;	/* after PRE (for machine: the whole script) */
};

struct form {
	const char *word;
	const char *text;
	int line;		/* the line of the error, relative to L */
	const char *why;	/* in the message */
};

static const struct good goods[] = {
	{ "machine", "machine cpus=2 ram=64M swap=16M levels=4 tlb=8x2 seed=7 check=full data=off "
		     "luf=on thp=madvise hugepages=4 fault_around=4K quirks=fault_around_uffd readahead=128K" },
	{ "process", PRE "process R cpu=1" },
	{ "run", PRE "run P cpu=1" },
	{ "fork", PRE "fork P C" },
	{ "exit", PRE "exit P" },
	{ "file", PRE "file G size=2M kind=disk" },
	{ "parallel", PRE "parallel\nbranch cpu=1\nread P 0x10000\nbranch\nend" },
	{ "branch", PRE "parallel\nbranch\nend" },
	{ "end", PRE "parallel\nbranch cpu=0\nwrite Q 0x10000\nend" },
	{ "map", PRE "map P 0x10000 8K file=F off=4K shared rx populate locked" },
	{ "unmap", PRE "unmap P 0x10001 3" },
	{ "protect", PRE "protect P 0x10000 4K none" },
	{ "remap", PRE "remap P 0x10000 4K 0x20000" },
	{ "advise", PRE "advise P 0x10000 2M collapse" },
	{ "punch", PRE "punch F 0x1000 0x2000" },
	{ "truncate", PRE "truncate F 6K" },
	{ "swapoff", PRE "swapoff" },
	{ "swapon", PRE "swapon" },
	{ "fwrite", PRE "fwrite F 1 2 byte=0x63" },
	{ "fread", PRE "fread F 0x1000 8 expect=0" },
	{ "read", PRE "read P 0x10001 8K cpu=1 expect=SIGBUS" },
	{ "write", PRE "write P 0x10000 3 byte=1 expect=SIGSEGV" },
	{ "touch", PRE "touch P 0x10000 8K w cpu=1" },
	{ "uffd register", PRE "uffd P register 0x10000 4K missing,wp features=event_fork,wp_async" },
	{ "uffd unregister", PRE "uffd P unregister 0x10000 4K" },
	{ "uffd wp", PRE "uffd P wp 0x10000 4K off" },
	{ "uffd copy", PRE "uffd P copy 0x10000 4K byte=7 wp" },
	{ "uffd zeropage", PRE "uffd P zeropage 0x10000 4K" },
	{ "uffd continue", PRE "uffd P continue 0x10000 4K wp" },
	{ "uffd poison", PRE "uffd P poison 0x10000 4K" },
	{ "uffd resolve", PRE "uffd P resolve missing=sigbus wp=unprotect minor=continue" },
	{ "migrate", PRE "migrate P 0x10000 8K" },
	{ "memory_failure", PRE "memory_failure P 0x10000" },
	{ "device", PRE "device E" },
	{ "device atomic", PRE "device D atomic P 0x10000 byte=3" },
	{ "device read", PRE "device D read P 0x10000 expect=0xaa" },
	{ "device write", PRE "device D write P 0x10000 byte=3" },
	{ "device begin", PRE "device D begin P 0x10000 byte=3" },
	{ "device commit", PRE "device D commit" },
	{ "install", PRE "install P 0x10000 8K demo_kind a=1 b" },
	{ "clear_refs", PRE "clear_refs P softdirty" },
	{ "pagemap", PRE "pagemap P 0x10000 8K" },
	{ "smaps", PRE "smaps P 0x10000" },
	{ "show vmas", PRE "show vmas P" },
	{ "show pgtable", PRE "show pgtable P 0x10000 4K" },
	{ "show tlb", PRE "show tlb cpu=1" },
	{ "show page", PRE "show page frame=#2" },
	{ "show stats", PRE "show stats" },
	{ "expect pagemap", PRE "expect pagemap P 0x10000 8K present=1 swap=0 file=1 excl=0 sd=1 "
				"uffd_wp=0 guard=1 frame=#3" },
	{ "expect same", PRE "expect same P 0x10001 Q 0x20000" },
	{ "expect differ", PRE "expect differ P 0x10000 Q 0x10000" },
	{ "expect error", PRE "expect error EOPNOTSUPP device D atomic P 0x10000" },
};

static const struct form bads[] = {
	{ "machine", PRE "machine cpus=2", 0, "machine must be the first command" },
	{ "machine", "machine cpu=2", 1 - L, "unknown machine option cpu= (did you mean 'cpus='?)" },
	{ "machine", "machine swap=-1", 1 - L, "bad value for machine option swap=-1" },
	{ "machine", "machine thp=sometimes", 1 - L, "bad value for machine option thp=sometimes" },
	{ "machine", "machine hugepages", 1 - L, "expected KEY=VALUE, got 'hugepages'" },
	{ "process", PRE "process P", 0, "name 'P' already in use" },
	{ "process", PRE "process R cpu=2", 0, "cpu 2 does not exist (the machine has 2)" },
	{ "run", PRE "run P", 0, "run needs cpu=N" },
	{ "fork", PRE "fork P Q", 0, "already in use" },
	{ "exit", PRE "exit P\nexit P", 1, "unknown name 'P'" },
	{ "file", PRE "file G", 0, "file needs size=SIZE" },
	{ "file", PRE "file G size=4K kind=nfs", 0, "bad file kind 'nfs'" },
	{ "parallel", PRE "parallel\nbranch\nparallel", 2, "parallel blocks do not nest" },
	{ "parallel", PRE "parallel\nbranch\nread P 0x10000", 0, "parallel block without end" },
	{ "parallel", PRE "parallel\nread P 0x10000", 1, "must be in a branch" },
	{ "branch", PRE "branch cpu=1", 0, "branch outside a parallel block" },
	{ "branch", PRE "parallel\nbranch cpu=1\nread P 0x10000 cpu=0", 2, "in a branch that runs on cpu 1" },
	{ "end", PRE "end", 0, "end without parallel" },
	{ "end", PRE "parallel\nend", 1, "parallel block without a branch" },
	{ "map", PRE "map P 0x10000 4K anon privat rw", 0,
	  "map needs private or shared, not 'privat' (did you mean 'private'?)" },
	{ "map", PRE "map P 0x10000 4K anon private rwz", 0, "bad PROT 'rwz'" },
	{ "map", PRE "map P 0x10000 4K file=F anon private rw", 0, "exactly one of anon or file=NAME" },
	{ "map", PRE "map P 0x10000 4K anon shared private rw", 0, "private/shared given twice" },
	{ "map", PRE "map P 0x10000 4K anon off=0 private rw", 0, "off= only applies to a file mapping" },
	{ "map", PRE "map P 0x10000 4K anon private rw populate bogus", 0, "unexpected word 'bogus'" },
	{ "unmap", PRE "unmap P 0x10000 4K 4K", 0, "unmap: too many arguments" },
	{ "protect", PRE "protect P 0x10000 4K wr", 0, "bad PROT 'wr'" },
	{ "remap", PRE "remap P 0x10000 4K", 0, "remap: missing arguments" },
	{ "advise", PRE "advise P 0x10000 4K hugepages", 0, "bad advice 'hugepages' (did you mean 'hugepage'?)" },
	{ "punch", PRE "punch G 0 4K", 0, "unknown name 'G' (no such file)" },
	{ "truncate", PRE "truncate F 4X", 0, "bad number for SIZE: '4X'" },
	{ "truncate", PRE "truncate F", 0, "truncate: missing arguments" },
	{ "swapoff", PRE "swapoff /swapfile", 0, "swapoff: too many arguments" },
	{ "swapon", PRE "swapon cpu=1", 0, "unknown option cpu=" },
	{ "fwrite", PRE "fwrite F 0 4K byte=256", 0, "must be a byte" },
	{ "fread", PRE "fread F 0 0", 0, "fread: zero length" },
	{ "fread", PRE "fread F 0 expect=SIGBUS", 0, "fread: expect= is a byte value" },
	{ "read", PRE "read P 0x10000 0", 0, "read: zero length" },
	{ "read", PRE "read P 0xfffffffffffffff0 0x20", 0, "wraps" },
	{ "read", PRE "read P 0x10000 expect=0x100", 0, "must be a byte" },
	{ "write", PRE "write P 0x10000 expect=0x12", 0, "SIGSEGV or SIGBUS" },
	{ "touch", PRE "touch P 0x10000 4K rw", 0, "expected r, w or x" },
	{ "touch", PRE "touch P 0x10001 4K r", 0, "not page aligned" },
	{ "touch", PRE "touch P 0x10000 100 r", 0, "not a multiple of the page size" },
	{ "touch", PRE "touch P 0x10000 0 r", 0, "zero length" },
	{ "touch", PRE "touch P 0xfffffffffffff000 0x2000 r", 0, "wraps" },
	{ "touch", PRE "touch P 0x00fffffffffff000 4K r", 0, "beyond the user address space" },
	{ "uffd register", PRE "uffd P register 0x10000 4K missing,,wp", 0, "bad uffd mode" },
	{ "uffd register", PRE "uffd P register 0x10000 4K wp features=event_x", 0, "unknown uffd feature" },
	{ "uffd register", PRE "uffd P register 0x10000 4K", 0, "missing arguments" },
	{ "uffd unregister", PRE "uffd P unregister 0x10000 4K wp", 0, "too many arguments" },
	{ "uffd wp", PRE "uffd P wp 0x10000 4K maybe", 0, "expected on or off" },
	{ "uffd copy", PRE "uffd P copy 0x10000 4K byte=1 byte=2", 0, "option byte= given twice" },
	{ "uffd zeropage", PRE "uffd P zeropage 0x10000 4K byte=1", 0, "unknown option byte=" },
	{ "uffd continue", PRE "uffd P continue 0x10000", 0, "missing arguments" },
	{ "uffd poison", PRE "uffd P poison 0x10000 4K wp", 0, "too many arguments" },
	{ "uffd resolve", PRE "uffd P resolve", 0, "needs missing=, wp= or minor=" },
	{ "uffd resolve", PRE "uffd P resolve missing=unprotect", 0, "bad uffd resolve missing=unprotect" },
	{ "migrate", PRE "migrate R 0x10000 4K", 0, "unknown name 'R'" },
	{ "memory_failure", PRE "memory_failure P", 0, "missing arguments" },
	{ "device", PRE "device D", 0, "already in use" },
	{ "device", PRE "device D frob P 0", 0, "unknown device command 'frob'" },
	{ "device atomic", PRE "device E atomic P 0x10000", 0, "unknown name 'E' (no such device)" },
	{ "device read", PRE "device D read P 0x10000 expect=SIGSEGV", 0, "expect= is a byte value" },
	{ "device write", PRE "device D write P 0x10000 expect=3", 0, "unknown option expect=" },
	{ "device begin", PRE "device D begin P", 0, "missing arguments" },
	{ "device commit", PRE "device D commit P", 0, "too many arguments" },
	{ "install", PRE "install P 0x10000 4K", 0, "missing arguments" },
	{ "install", PRE "install P 0x10000 4K 9kind", 0, "bad entry kind name" },
	{ "clear_refs", PRE "clear_refs P all", 0, "only 'softdirty'" },
	{ "pagemap", PRE "pagemap P 0x10800 4K", 0, "not page aligned" },
	{ "pagemap", PRE "pagemap P 0x10000 0x0100000000000000", 0, "beyond the user address space" },
	{ "smaps", PRE "smaps P 0x10001", 0, "not page aligned" },
	{ "show vmas", PRE "show vmas R", 0, "unknown name 'R' (no such process)" },
	{ "show pgtable", PRE "show pgtable X", 0, "unknown name 'X' (no such process)" },
	{ "show pgtable", PRE "show pgtable P 0x10000", 0, "give all of PROC [ADDR LEN] or none" },
	{ "show tlb", PRE "show tlb cpu=9", 0, "cpu 9 does not exist" },
	{ "show page", PRE "show page #1", 0, "give frame=#K, pfn=N or PROC ADDR" },
	{ "show page", PRE "show page frame=zero", 0, "frame= takes #K" },
	{ "show stats", PRE "show stats P", 0, "too many arguments" },
	{ "expect pagemap", PRE "expect pagemap P 0x10000 2K present=1", 0, "not a multiple" },
	{ "expect pagemap", PRE "expect pagemap P 0x10000 frame=#0", 0, "bad frame" },
	{ "expect pagemap", PRE "expect pagemap P 0x10000 present=2", 0, "must be 0 or 1" },
	{ "expect pagemap", PRE "expect pagemap P 0x10000 colour=1", 0, "unknown pagemap key colour=" },
	{ "expect pagemap", PRE "expect pagemap P 0x10000", 0, "needs at least one KEY=VAL" },
	{ "expect pagemap", PRE "expect pagemap P 0x00fffffffffff000 present=0", 0, "beyond the user address" },
	{ "expect same", PRE "expect same P 0x10000 R 0x10000", 0, "unknown name 'R'" },
	{ "expect differ", PRE "expect differ P 0x10000 Q", 0, "missing arguments" },
	{ "expect error", PRE "expect error EFAULT read P 0x10000", 0, "cannot wrap 'read'" },
	{ "expect error", PRE "expect error EINVAL uffd P resolve missing=copy", 0, "cannot wrap 'uffd resolve'" },
	{ "expect error", PRE "expect error EWHAT unmap P 0 4K", 0, "unknown errno name 'EWHAT'" },
	{ "expect error", PRE "expect error ENOMEM fork P C\nexit C", 1, "unknown name 'C'" },
	{ "expect error", PRE "expect error EINVAL expect error EINVAL unmap P 0 4K", 0, "cannot wrap 'expect'" },
};

static bool has_word(const struct vms_script *s, const char *word)
{
	for (size_t i = 0; i < vms_script_count(s); i++)
		if (!strcmp(vms_cmd_word(vms_script_cmd(s, i)), word))
			return true;
	return false;
}

static void test_good_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(goods) / sizeof(goods[0]); i++) {
		struct vms_script *s = ok(goods[i].text);

		if (!has_word(s, goods[i].word))
			print_error("no '%s' in: %s\n", goods[i].word, goods[i].text);
		assert_true(has_word(s, goods[i].word));
		vms_script_free(s);
	}
}

static void test_bad_forms(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bads) / sizeof(bads[0]); i++)
		bad(bads[i].text, L + bads[i].line, bads[i].why);
}

/* Every command of the table has a good and a bad form here. */
static void test_table_covered(void **state)
{
	(void)state;
	assert_true(vms_command_count() > 40);
	assert_null(vms_command_at(vms_command_count()));
	for (size_t i = 0; i < vms_command_count(); i++) {
		const char *w = vms_command_at(i)->word;
		bool good = false, badf = false;

		for (size_t j = 0; j < sizeof(goods) / sizeof(goods[0]); j++)
			good |= !strcmp(goods[j].word, w);
		for (size_t j = 0; j < sizeof(bads) / sizeof(bads[0]); j++)
			badf |= !strcmp(bads[j].word, w);
		if (!good || !badf)
			print_error("command '%s' lacks a %s form in this test\n", w, good ? "bad" : "good");
		assert_true(good && badf);
		/* A parsed command finds its own entry again. */
		for (size_t j = 0; j < sizeof(goods) / sizeof(goods[0]); j++) {
			struct vms_script *s;

			if (strcmp(goods[j].word, w))
				continue;
			s = ok(goods[j].text);
			for (size_t k = 0; k < vms_script_count(s); k++)
				if (!strcmp(vms_cmd_word(vms_script_cmd(s, k)), w))
					assert_ptr_equal(vms_command_of(vms_script_cmd(s, k)), vms_command_at(i));
			vms_script_free(s);
		}
	}
}

/* What the table says about wrapping and simulator-only commands. */
static void test_table_attrs(void **state)
{
	static const char *const wrappable[] = { "file", "fork", "map", "unmap", "protect", "remap",
		"advise", "punch", "truncate", "swapoff", "swapon", "fwrite", "fread", "uffd register",
		"uffd unregister", "uffd wp", "uffd copy", "uffd zeropage", "uffd continue", "uffd poison", "smaps", "migrate",
		"memory_failure", "device", "device atomic", "device read", "device write", "device begin",
		"device commit", "install", NULL };
	static const char *const sim_only[] = { "migrate", "memory_failure", "device", "device atomic",
		"device read", "device write", "device begin", "device commit", "install", NULL };

	(void)state;
	for (size_t i = 0; i < vms_command_count(); i++) {
		const struct vms_command *k = vms_command_at(i);
		bool w = false, s = false;

		for (int j = 0; wrappable[j]; j++)
			w |= !strcmp(wrappable[j], k->word);
		for (int j = 0; sim_only[j]; j++)
			s |= !strcmp(sim_only[j], k->word);
		if (w != !!(k->attrs & VMS_CMD_WRAPPABLE) || s != !!(k->attrs & VMS_CMD_SIM_ONLY))
			print_error("'%s': attrs %#x\n", k->word, k->attrs);
		assert_int_equal(w, !!(k->attrs & VMS_CMD_WRAPPABLE));
		assert_int_equal(s, !!(k->attrs & VMS_CMD_SIM_ONLY));
	}
	/* pagemap keys and their Linux bits, defined once. */
	assert_string_equal(vms_pm_key_name(VMS_PM_PRESENT), "present");
	assert_int_equal(vms_pm_key_bit(VMS_PM_PRESENT), 1ULL << 63);
	assert_int_equal(vms_pm_key_bit(VMS_PM_SWAP), 1ULL << 62);
	assert_int_equal(vms_pm_key_bit(VMS_PM_FILE), 1ULL << 61);
	assert_int_equal(vms_pm_key_bit(VMS_PM_EXCL), 1ULL << 56);
	assert_int_equal(vms_pm_key_bit(VMS_PM_SD), 1ULL << 55);
	assert_int_equal(vms_pm_key_bit(VMS_PM_UFFD_WP), 1ULL << 57);
	assert_int_equal(vms_pm_key_bit(VMS_PM_GUARD), 1ULL << 58);
	assert_null(vms_pm_key_name(VMS_PM_NKEYS));
	assert_string_equal(vms_smaps_field_name(VMS_SMAPS_SWAP_PSS), "SwapPss");
	assert_null(vms_smaps_field_name(VMS_SMAPS_NFIELDS));
}

/* ---- what the fields hold ---- */

static void test_world(void **state)
{
	struct vms_script *s;
	const struct vms_cmd *c;

	(void)state;
	s = ok("machine cpus=2 ram=64M seed=7 check=full tlb=8x2 levels=4\n"
	       "process A cpu=1\nrun A cpu=0\nfork A B\nexit A\n"
	       "file F size=0x10K kind=disk\nfile G size=4096\nfile H size=2M kind=hugetlb\n");
	assert_int_equal(vms_script_count(s), 8);
	c = vms_script_cmd(s, 0);
	assert_int_equal(c->op, VMS_MACHINE);
	assert_int_equal(c->nkv, 6);
	assert_string_equal(c->kv[1].key, "ram");
	assert_string_equal(c->kv[1].value, "64M");
	c = vms_script_cmd(s, 1);
	assert_int_equal(c->op, VMS_PROCESS);
	assert_int_equal(c->line, 2);
	assert_string_equal(c->name[0], "A");
	assert_int_equal(c->cpu, 1);
	c = vms_script_cmd(s, 2);
	assert_int_equal(c->op, VMS_RUN);
	assert_int_equal(c->cpu, 0);
	c = vms_script_cmd(s, 3);
	assert_int_equal(c->op, VMS_FORK);
	assert_string_equal(c->name[1], "B");
	assert_int_equal(vms_script_cmd(s, 4)->op, VMS_EXIT);
	c = vms_script_cmd(s, 5);
	assert_int_equal(c->op, VMS_FILE);
	assert_int_equal(c->size, 0x4000);
	assert_int_equal(c->file_kind, VMS_FILE_DISK);
	assert_int_equal(vms_script_cmd(s, 6)->file_kind, VMS_FILE_SHMEM);
	assert_int_equal(vms_script_cmd(s, 6)->cpu, -1);
	assert_int_equal(vms_script_cmd(s, 7)->file_kind, VMS_FILE_HUGETLB);
	vms_script_free(s);
}

static void test_mappings(void **state)
{
	struct vms_script *s;
	const struct vms_cmd *c;

	(void)state;
	s = ok(PRE "map P 0x7f0000000000 2M rw anon private populate\n");
	c = last(s);
	assert_int_equal(c->op, VMS_MAP);
	assert_int_equal(c->addr, 0x7f0000000000ULL);
	assert_int_equal(c->len, 2 << 20);
	assert_int_equal(c->prot, VMS_PROT_READ | VMS_PROT_WRITE);
	assert_int_equal(c->map_flags, VMS_MAP_ANON | VMS_MAP_POPULATE);
	vms_script_free(s);

	s = ok(PRE "map P 0x10000 8K file=F off=4K shared rx locked\n");
	c = last(s);
	assert_string_equal(c->name[1], "F");
	assert_int_equal(c->off, 4096);
	assert_int_equal(c->prot, VMS_PROT_READ | VMS_PROT_EXEC);
	assert_int_equal(c->map_flags, VMS_MAP_SHARED | VMS_MAP_LOCKED);
	vms_script_free(s);

	/* System-call commands pass unaligned values on: the back end says EINVAL. */
	s = ok(PRE "unmap P 0x10001 3\nprotect P 0x10000 4K none\nremap P 0x10000 4K 0x20000\n"
	       "advise P 0x10000 4K guard_remove\npunch F 0x1000 0x2000\n"
	       "fwrite F 1 2 byte=0x63\nfread F 0x1000\nfread F 0 2 expect=0\n"
	       "advise P 0x10000 4K hugepage\nadvise P 0x10000 4K nohugepage\ntruncate F 0x1801\n");
	c = vms_script_cmd(s, L - 1);
	assert_int_equal(c->op, VMS_UNMAP);
	assert_int_equal(c->addr, 0x10001);
	assert_int_equal(c->len, 3);
	assert_int_equal(vms_script_cmd(s, L)->prot, 0);
	c = vms_script_cmd(s, L + 1);
	assert_int_equal(c->op, VMS_REMAP);
	assert_int_equal(c->addr2, 0x20000);
	assert_int_equal(vms_script_cmd(s, L + 2)->advice, VMS_ADV_GUARD_REMOVE);
	c = vms_script_cmd(s, L + 3);
	assert_int_equal(c->op, VMS_PUNCH);
	assert_string_equal(c->name[0], "F");
	assert_int_equal(c->addr, 0x1000);
	assert_int_equal(c->len, 0x2000);
	c = vms_script_cmd(s, L + 9);
	assert_int_equal(c->op, VMS_TRUNCATE);
	assert_string_equal(c->name[0], "F");
	assert_int_equal(c->size, 0x1801);
	c = vms_script_cmd(s, L + 4);
	assert_int_equal(c->byte, 0x63);
	assert_true(c->has_byte);
	c = vms_script_cmd(s, L + 5);
	assert_int_equal(c->len, 1);
	assert_int_equal(c->expect, VMS_EXPECT_NONE);
	c = vms_script_cmd(s, L + 6);
	assert_int_equal(c->len, 2);
	assert_int_equal(c->expect, VMS_EXPECT_VALUE);
	assert_int_equal(c->expect_value, 0);
	/* advice values are Linux's MADV_* numbers */
	assert_int_equal(vms_script_cmd(s, L + 7)->advice, 14);
	assert_int_equal(vms_script_cmd(s, L + 8)->advice, 15);
	vms_script_free(s);

	s = ok(PRE "fwrite F 0 4K\n");
	assert_int_equal(last(s)->byte, 0xaa);
	assert_false(last(s)->has_byte);
	vms_script_free(s);
}

static void test_access(void **state)
{
	struct vms_script *s;
	const struct vms_cmd *c;

	(void)state;
	s = ok(PRE "read P 0x10001\nread P 0x10000 8K cpu=1 expect=0xaa\n"
	       "read P 0x10000 expect=SIGBUS\nwrite P 0x10000 3 byte=1 expect=SIGSEGV\n"
	       "write P 0x10000\ntouch P 0x10000 8K w cpu=1\ntouch P 0x10000 4K r\n"
	       "read P 0x10000 1G\ntouch P 0x10000 4K x\n");
	c = vms_script_cmd(s, L - 1);
	assert_int_equal(c->op, VMS_READ);
	assert_int_equal(c->len, 1);
	assert_int_equal(c->cpu, -1);
	c = vms_script_cmd(s, L);
	assert_int_equal(c->len, 8192);
	assert_int_equal(c->cpu, 1);
	assert_int_equal(c->expect, VMS_EXPECT_VALUE);
	assert_int_equal(c->expect_value, 0xaa);
	assert_int_equal(vms_script_cmd(s, L + 1)->expect, VMS_EXPECT_SIGBUS);
	c = vms_script_cmd(s, L + 2);
	assert_int_equal(c->op, VMS_WRITE);
	assert_int_equal(c->len, 3);
	assert_int_equal(c->byte, 1);
	assert_int_equal(c->expect, VMS_EXPECT_SIGSEGV);
	assert_int_equal(vms_script_cmd(s, L + 3)->byte, 0xaa);
	c = vms_script_cmd(s, L + 4);
	assert_int_equal(c->op, VMS_TOUCH);
	assert_true(c->touch_write);
	assert_int_equal(c->cpu, 1);
	assert_false(c->touch_exec);
	assert_false(vms_script_cmd(s, L + 5)->touch_write);
	assert_int_equal(vms_script_cmd(s, L + 6)->len, 1ULL << 30);
	/* touch x: instruction fetches, neither a write nor a plain read. */
	c = vms_script_cmd(s, L + 7);
	assert_true(c->touch_exec);
	assert_false(c->touch_write);
	vms_script_free(s);
	/* touch/pagemap up to TASK_SIZE: levels=4 ends at 2^47 - 4K. */
	s = ok("machine levels=4\nprocess P\ntouch P 0x7fffffffe000 4K r\npagemap P 0x7fffffffe000 4K\n");
	vms_script_free(s);
	bad("machine levels=4\nprocess P\npagemap P 0x7ffffffff000 4K\n", 3, "beyond the user address space");
	bad("machine levels=4\nprocess P\ntouch P 0x800000000000 4K w\n", 3, "beyond the user address space");
	s = ok("process P\npagemap P 0x00ffffffffffe000 0x1000\nexpect pagemap P 0x7fffffffff000 present=0\n");
	vms_script_free(s);
}

static void test_uffd(void **state)
{
	struct vms_script *s;
	const struct vms_cmd *c;

	(void)state;
	s = ok(PRE "uffd P register 0x10000 4K missing,wp features=event_fork,wp_async\n"
	       "uffd P unregister 0x10000 4K\nuffd P wp 0x10000 4K on\nuffd P wp 0x10000 4K off\n"
	       "uffd P copy 0x10000 4K byte=7 wp\nuffd P zeropage 0x10000 4K\n"
	       "uffd P continue 0x10000 4K\nuffd P resolve missing=sigbus minor=sigbus\n"
	       "uffd P resolve wp=unprotect missing=copy\nuffd P poison 0x10000 8K\n");
	c = vms_script_cmd(s, L - 1);
	assert_int_equal(c->op, VMS_UFFD);
	assert_int_equal(c->uffd_op, VMS_UFFD_REGISTER);
	assert_int_equal(c->uffd_modes, VMS_UFFD_MODE_MISSING | VMS_UFFD_MODE_WP);
	assert_int_equal(c->uffd_features, VMS_UFFD_FEAT_EVENT_FORK | VMS_UFFD_FEAT_WP_ASYNC);
	assert_string_equal(vms_cmd_word(c), "uffd register");
	assert_int_equal(vms_script_cmd(s, L)->uffd_op, VMS_UFFD_UNREGISTER);
	assert_true(vms_script_cmd(s, L + 1)->uffd_wp);
	assert_false(vms_script_cmd(s, L + 2)->uffd_wp);
	c = vms_script_cmd(s, L + 3);
	assert_int_equal(c->uffd_op, VMS_UFFD_COPY);
	assert_int_equal(c->byte, 7);
	assert_true(c->uffd_wp);
	assert_int_equal(vms_script_cmd(s, L + 4)->uffd_op, VMS_UFFD_ZEROPAGE);
	c = vms_script_cmd(s, L + 5);
	assert_int_equal(c->uffd_op, VMS_UFFD_CONTINUE);
	assert_false(c->uffd_wp);
	c = vms_script_cmd(s, L + 6);
	assert_int_equal(c->resolve_missing, VMS_RESOLVE_SIGBUS);
	assert_int_equal(c->resolve_wp, VMS_RESOLVE_KEEP);
	assert_int_equal(c->resolve_minor, VMS_RESOLVE_SIGBUS);
	c = vms_script_cmd(s, L + 7);
	assert_int_equal(c->resolve_missing, VMS_RESOLVE_COPY);
	assert_int_equal(c->resolve_wp, VMS_RESOLVE_UNPROTECT);
	c = last(s);
	assert_int_equal(c->uffd_op, VMS_UFFD_POISON);
	assert_int_equal(c->len, 8192);
	assert_string_equal(vms_cmd_word(c), "uffd poison");
	vms_script_free(s);
}

static void test_sim_only(void **state)
{
	struct vms_script *s;
	const struct vms_cmd *c;

	(void)state;
	s = ok(PRE "migrate P 0x10000 8K\nmemory_failure P 0x10000\ndevice E\n"
	       "device D atomic Q 0x20000 byte=3\ndevice D read P 0x10000 expect=0x7\n"
	       "install P 0x10000 8K demo a=1 b\n");
	c = vms_script_cmd(s, L - 1);
	assert_int_equal(c->op, VMS_MIGRATE);
	assert_int_equal(c->len, 8192);
	c = vms_script_cmd(s, L);
	assert_int_equal(c->op, VMS_MEMORY_FAILURE);
	assert_int_equal(c->addr, 0x10000);
	c = vms_script_cmd(s, L + 1);
	assert_int_equal(c->op, VMS_DEVICE);
	assert_int_equal(c->device_op, VMS_DEVICE_NEW);
	assert_string_equal(c->name[0], "E");
	c = vms_script_cmd(s, L + 2);
	assert_int_equal(c->device_op, VMS_DEVICE_ATOMIC);
	assert_string_equal(c->name[0], "D");
	assert_string_equal(c->name[1], "Q");
	assert_int_equal(c->addr, 0x20000);
	assert_int_equal(c->byte, 3);
	assert_string_equal(vms_cmd_word(c), "device atomic");
	c = vms_script_cmd(s, L + 3);
	assert_int_equal(c->device_op, VMS_DEVICE_READ);
	assert_int_equal(c->expect, VMS_EXPECT_VALUE);
	assert_int_equal(c->expect_value, 7);
	c = last(s);
	assert_int_equal(c->op, VMS_INSTALL);
	assert_string_equal(c->name[1], "demo");
	assert_int_equal(c->argc, 2);
	assert_string_equal(c->argv[0], "a=1");
	assert_string_equal(c->argv[1], "b");
	vms_script_free(s);
}

/* swapoff/swapon: no operands, the swap area as their subject, wrappable
 * by expect error, allowed in a branch (which gives them its CPU). */
static void test_swap_area(void **state)
{
	struct vms_script *s;
	const struct vms_cmd *c;

	(void)state;
	s = ok("machine swap=1M\nswapoff\nswapon\nexpect error EINVAL swapoff\nexpect error EBUSY swapon\n"
	       "parallel\nbranch cpu=1\nswapoff\nend\n");
	c = vms_script_cmd(s, 1);
	assert_int_equal(c->op, VMS_SWAPOFF);
	assert_int_equal(c->line, 2);
	assert_string_equal(c->name[0], VMS_SWAP_AREA);
	assert_string_equal(vms_cmd_word(c), "swapoff");
	c = vms_script_cmd(s, 2);
	assert_int_equal(c->op, VMS_SWAPON);
	assert_string_equal(c->name[0], "swap");
	assert_string_equal(vms_cmd_word(c), "swapon");
	c = vms_script_cmd(s, 3);
	assert_int_equal(c->op, VMS_EXPECT_ERROR);
	assert_int_equal(c->err, -EINVAL);
	assert_int_equal(c->inner->op, VMS_SWAPOFF);
	assert_string_equal(c->inner->name[0], "swap");
	c = vms_script_cmd(s, 4);
	assert_int_equal(c->err, -EBUSY);
	assert_int_equal(c->inner->op, VMS_SWAPON);
	c = vms_script_cmd(s, 7);
	assert_int_equal(c->op, VMS_SWAPOFF);
	assert_int_equal(c->cpu, 1);
	vms_script_free(s);
	/* Without a machine line too: swap=0 is an answer (EINVAL), not malformed. */
	s = ok("swapon\n");
	assert_int_equal(vms_script_cmd(s, 0)->op, VMS_SWAPON);
	vms_script_free(s);
	bad("swapoff 0\n", 1, "swapoff: too many arguments");
	bad("swapon byte=1\n", 1, "unknown option byte=");
	bad("swapon swap\n", 1, "swapon: too many arguments");
}

static void test_introspection_and_checks(void **state)
{
	struct vms_script *s;
	const struct vms_cmd *c;

	(void)state;
	s = ok(PRE "clear_refs P softdirty\npagemap P 0x10000 8K\nshow vmas P\n"
	       "show stats\nexpect pagemap P 0x10000 present=1 excl=0 frame=#3\n"
	       "expect pagemap P 0x10000 8K swap=0 file=1 sd=1 uffd_wp=0 guard=1 frame=-\n"
	       "expect pagemap P 0x10000 frame=zero\n"
	       "expect same P 0x10001 Q 0x20000\nexpect differ P 0x10000 Q 0x10000\n"
	       "expect error EEXIST map P 0x10000 4K anon private rw\n"
	       "expect error EBADF uffd P wp 0x10000 4K on\n"
	       "smaps P 0x10000\nexpect error ENOMEM smaps Q 0x7f0000000000\n"
	       "show pgtable P\nshow pgtable Q 0x10000 8K\nshow tlb\nshow page P 0x10000\n"
	       "show page pfn=0x12\nshow page frame=#4\n");
	assert_int_equal(vms_script_cmd(s, L - 1)->op, VMS_CLEAR_REFS);
	c = vms_script_cmd(s, L);
	assert_int_equal(c->op, VMS_PAGEMAP);
	assert_int_equal(c->len, 8192);
	c = vms_script_cmd(s, L + 1);
	assert_int_equal(c->op, VMS_SHOW);
	assert_int_equal(c->show, VMS_SHOW_VMAS);
	assert_string_equal(c->name[0], "P");
	assert_int_equal(vms_script_cmd(s, L + 2)->show, VMS_SHOW_STATS);
	c = vms_script_cmd(s, L + 3);
	assert_int_equal(c->op, VMS_EXPECT_PAGEMAP);
	assert_int_equal(c->len, 4096);
	assert_int_equal(c->want.mask, (1u << VMS_PM_PRESENT) | (1u << VMS_PM_EXCL));
	assert_int_equal(c->want.bit[VMS_PM_PRESENT], 1);
	assert_int_equal(c->want.bit[VMS_PM_EXCL], 0);
	assert_true(c->want.has_frame);
	assert_int_equal(c->want.frame, VMS_FRAME_PAGE);
	assert_int_equal(c->want.label, 3);
	c = vms_script_cmd(s, L + 4);
	assert_int_equal(c->len, 8192);
	assert_int_equal(c->want.mask, 0x76);
	assert_int_equal(c->want.bit[VMS_PM_GUARD], 1);
	assert_int_equal(c->want.frame, VMS_FRAME_NONE);
	assert_int_equal(vms_script_cmd(s, L + 5)->want.frame, VMS_FRAME_ZERO);
	c = vms_script_cmd(s, L + 6);
	assert_int_equal(c->op, VMS_EXPECT_SAME);
	assert_string_equal(c->name[1], "Q");
	assert_int_equal(c->addr, 0x10001);
	assert_int_equal(c->addr2, 0x20000);
	assert_int_equal(vms_script_cmd(s, L + 7)->op, VMS_EXPECT_DIFFER);
	c = vms_script_cmd(s, L + 8);
	assert_int_equal(c->op, VMS_EXPECT_ERROR);
	assert_int_equal(c->err, -EEXIST);
	assert_non_null(c->inner);
	assert_int_equal(c->inner->op, VMS_MAP);
	assert_int_equal(c->inner->line, L + 8 + 1);
	c = vms_script_cmd(s, L + 9);
	assert_int_equal(c->inner->op, VMS_UFFD);
	assert_int_equal(c->inner->uffd_op, VMS_UFFD_WP);
	c = vms_script_cmd(s, L + 10);
	assert_int_equal(c->op, VMS_SMAPS);
	assert_int_equal(c->addr, 0x10000);
	assert_int_equal(vms_script_cmd(s, L + 11)->inner->op, VMS_SMAPS);
	c = vms_script_cmd(s, L + 12);
	assert_int_equal(c->show, VMS_SHOW_PGTABLE);
	assert_int_equal(c->len, 0);
	c = vms_script_cmd(s, L + 13);
	assert_string_equal(c->name[0], "Q");
	assert_int_equal(c->addr, 0x10000);
	assert_int_equal(c->len, 0x2000);
	assert_int_equal(vms_script_cmd(s, L + 14)->cpu, -1);
	c = vms_script_cmd(s, L + 15);
	assert_int_equal(c->show_page, VMS_SHOW_PAGE_ADDR);
	assert_string_equal(c->name[0], "P");
	c = vms_script_cmd(s, L + 16);
	assert_int_equal(c->show_page, VMS_SHOW_PAGE_PFN);
	assert_int_equal(c->addr2, 0x12);
	c = last(s);
	assert_int_equal(c->show_page, VMS_SHOW_PAGE_LABEL);
	assert_int_equal(c->want.label, 4);
	vms_script_free(s);
	/* The errno names expect error takes (docs/scenario.md). */
	s = ok(PRE "expect error EACCES advise P 0 4K pageout\nexpect error EINTR unmap P 0 4K\n"
	       "expect error EOPNOTSUPP punch F 0 4K\nexpect error EPERM map P 0 4K anon private rw\n"
	       "expect error EAGAIN fwrite F 0 1\nexpect error ENOENT fread F 0\n"
	       "expect error EFAULT advise P 0 4K populate_read\nexpect error EBUSY unmap P 0 4K\n");
	assert_int_equal(vms_script_cmd(s, L - 1)->err, -EACCES);
	assert_int_equal(vms_script_cmd(s, L)->err, -EINTR);
	assert_int_equal(vms_script_cmd(s, L + 1)->err, -EOPNOTSUPP);
	vms_script_free(s);
}

/* parallel/branch/end: a branch's commands run on its CPU. */
static void test_parallel(void **state)
{
	struct vms_script *s;

	(void)state;
	s = ok(PRE "parallel\nbranch cpu=1\nread P 0x10000\nwrite Q 0x10000 cpu=1\n"
	       "expect error EINVAL unmap P 1 1\nbranch\nread Q 0x10000\nend\nread P 0x10000\n");
	assert_int_equal(vms_script_cmd(s, L - 1)->op, VMS_PARALLEL);
	assert_int_equal(vms_script_cmd(s, L)->op, VMS_BRANCH);
	assert_int_equal(vms_script_cmd(s, L)->cpu, 1);
	assert_int_equal(vms_script_cmd(s, L + 1)->cpu, 1);
	assert_int_equal(vms_script_cmd(s, L + 2)->cpu, 1);
	assert_int_equal(vms_script_cmd(s, L + 3)->inner->cpu, 1);
	assert_int_equal(vms_script_cmd(s, L + 4)->cpu, -1);	/* a branch with no cpu= */
	assert_int_equal(vms_script_cmd(s, L + 5)->cpu, -1);
	assert_int_equal(vms_script_cmd(s, L + 6)->op, VMS_END);
	assert_int_equal(last(s)->cpu, -1);
	vms_script_free(s);
	/* blocks in sequence are fine */
	s = ok(PRE "parallel\nbranch\nend\nparallel\nbranch cpu=0\nend\n");
	vms_script_free(s);
}

static void test_lexical(void **state)
{
	struct vms_script *s;

	(void)state;
	/* Comments only at a word's start; blank lines, tabs and CRLF are fine. */
	s = ok("# heading\n\n  \t\nprocess P   # trailing\r\nprocess\tQ\t#x\n"
	       "map P 010 0x1K anon private rw\nexpect pagemap P 0 frame=#12 # c\n");
	assert_int_equal(vms_script_count(s), 4);
	assert_string_equal(vms_script_cmd(s, 1)->name[0], "Q");
	/* A leading 0 is decimal, not octal; hex takes a K suffix too. */
	assert_int_equal(vms_script_cmd(s, 2)->addr, 10);
	assert_int_equal(vms_script_cmd(s, 2)->len, 0x400);
	assert_int_equal(vms_script_cmd(s, 3)->want.label, 12);
	assert_int_equal(vms_script_cmd(s, 3)->line, 7);
	/* One copy of each name: the same string wherever it is used. */
	assert_ptr_equal(vms_script_cmd(s, 0)->name[0], vms_script_cmd(s, 2)->name[0]);
	vms_script_free(s);
	/* '#' inside a word is part of it. */
	bad("process Q#x\n", 1, "bad name 'Q#x'");
	bad("process P\nfrobnicate P\n", 2, "unknown command 'frobnicate'");
	bad("process P\nmapp P 0 4K anon private rw\n", 2, "unknown command 'mapp' (did you mean 'map'?)");
	bad("process P\nread P 12z\n", 2, "bad number");
	bad("process P\nread P 0x\n", 2, "bad number");
	bad("process P\nread P -1\n", 2, "bad number");
	bad("process P\nread P 1k\n", 2, "bad number");
	bad("process P\nread P 0x10000000000000000\n", 2, "too large");
	bad("process P\nread P 0xffffffffffffffffK\n", 2, "too large");
	bad("process 9P\n", 1, "bad name '9P'");
	bad("process P-1\n", 1, "bad name");
	bad("process " "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefghij"
	    "abcdefghijabcdefghijabcdefghijabcdefghijabcdefghijabcdefgh\n", 1, "name too long");
	bad("read P 0x10000\n", 1, "unknown name 'P'");
	bad("process P\nread P =3\n", 2, "read: missing arguments");
	bad("process P\nread P 0x10000 =3\n", 2, "option without a key");
	bad("process P\nread P 0x10000 cpu=\n", 2, "empty value");
	bad("process P\nread P 0x10000 colour=1\n", 2, "unknown option colour=");
	bad("process P\nread P 0x10000 cpus=1\n", 2, "unknown option cpus= (did you mean 'cpu='?)");
	bad("process P\nexpect nothing\n", 2, "unknown expect 'nothing'");
	bad("process P\nshow colours\n", 2, "unknown target 'colours'");
	bad("process P\nuffd P dance 0 4K\n", 2, "unknown uffd command 'dance'");
	bad("process P\nuffd P\n", 2, "uffd: missing arguments");
	{
		static const char nul[] = "process P\nread P\0 0x10000\n";
		struct vms_script *n = NULL;
		char err[128];

		assert_int_equal(vms_parse(nul, sizeof(nul) - 1, &n, err, sizeof(err)), VMS_MALFORMED);
		assert_string_equal(err, "error line 2: NUL byte in the script");
	}
	{
		char words[1024] = "process P";

		for (int i = 0; i < 70; i++)
			strcat(words, " x");
		bad(words, 1, "too many words");
	}
}

/* Bad arguments are -EINVAL, never a crash. */
static void test_bad_arguments(void **state)
{
	struct vms_script *s = (void *)1;
	char err[64], *text;
	size_t len;

	(void)state;
	assert_int_equal(vms_parse(NULL, 0, &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(vms_parse(NULL, 5, &s, err, sizeof(err)), -EINVAL);
	assert_int_equal(vms_parse("process P", 9, NULL, err, sizeof(err)), -EINVAL);
	assert_int_equal(vms_parse("process P", 9, &s, NULL, 10), -EINVAL);
	/* No room for a message is fine. */
	assert_int_equal(vms_parse("frob", 4, &s, NULL, 0), VMS_MALFORMED);
	assert_null(s);
	assert_int_equal(vms_parse("", 0, &s, err, sizeof(err)), 0);
	assert_int_equal(vms_script_count(s), 0);
	vms_script_free(s);
	vms_script_free(NULL);
	assert_int_equal(vms_script_count(NULL), 0);
	assert_null(vms_script_cmd(NULL, 0));
	assert_int_equal(vms_read_file(NULL, &text, &len), -EINVAL);
	assert_int_equal(vms_read_file("x", NULL, &len), -EINVAL);
	assert_int_equal(vms_read_file("x", &text, NULL), -EINVAL);
	assert_int_equal(vms_read_file("/nonexistent/x.vms", &text, &len), -ENOENT);
	assert_null(vms_command_of(NULL));
	assert_string_equal(vms_cmd_word(NULL), "?");
}

/* The parser keeps a script in memory proportional to its size: the
 * commands and their names, not fixed arrays per command. */
static void test_memory(void **state)
{
	static const char line[] = "read P 0x7f0000000000 4K cpu=1\n";
	size_t n = 3600000 / (sizeof(line) - 1), len = 0;
	char *text = malloc(n * (sizeof(line) - 1) + 16);
	struct vms_script *s;
	struct mallinfo2 before, after;
	char err[64];

	(void)state;
	assert_non_null(text);
	len += (size_t)sprintf(text, "process P\n");
	for (size_t i = 0; i < n; i++, len += sizeof(line) - 1)
		memcpy(text + len, line, sizeof(line) - 1);
	before = mallinfo2();
	assert_int_equal(vms_parse(text, len, &s, err, sizeof(err)), 0);
	after = mallinfo2();
	assert_int_equal(vms_script_count(s), n + 1);
	/* glibc's count (a sanitizer's allocator keeps none: 0 growth).
	 * About 190 bytes per command of 31: six times the text. */
	if (after.uordblks > before.uordblks)
		assert_true(after.uordblks - before.uordblks < 8 * len);
	/* A command is a fixed, small struct (before: 2.7 KB of arrays). */
	assert_true(sizeof(struct vms_cmd) <= 192);
	vms_script_free(s);
	free(text);
}

/* Mutations of a valid script never crash the parser (the ASan build runs
 * this too); each either parses or is reported with a line number. */
static void test_mutations(void **state)
{
	static const char base[] =
		"machine cpus=2\nprocess P\nfile F size=64K kind=disk\n"
		"map P 0x7f0000000000 64K file=F shared rw populate\n"
		"uffd P register 0x7f0000000000 4K missing,wp features=event_fork\n"
		"fork P C # comment\nwrite C 0x7f0000000000 2 byte=3\n"
		"expect pagemap C 0x7f0000000000 8K present=1 frame=#1\n"
		"expect error EINVAL remap P 0x7f0000000000 4K 0x7f0000100000\n"
		"parallel\nbranch cpu=1\nsmaps P 0x7f0000000000\nend\n"
		"uffd P resolve missing=copy wp=sigbus\nfread F 0 expect=0xaa\n";
	static const char junk[] = " \t\n#=,x0K-_9\r";
	char buf[sizeof(base)], err[256];
	uint64_t rng = 12345;

	(void)state;
	for (int i = 0; i < 20000; i++) {
		struct vms_script *s;
		int rc;

		memcpy(buf, base, sizeof(base));
		for (int m = 0; m < 1 + i % 4; m++) {
			rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
			buf[(rng >> 33) % (sizeof(base) - 1)] = junk[(rng >> 20) % (sizeof(junk) - 1)];
		}
		rc = vms_parse(buf, sizeof(base) - 1 - (size_t)(i % 7), &s, err, sizeof(err));
		assert_true(rc == 0 || rc == VMS_MALFORMED);
		if (rc)
			assert_int_equal(strncmp(err, "error line ", 11), 0);
		vms_script_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_good_forms),
		cmocka_unit_test(test_bad_forms),
		cmocka_unit_test(test_table_covered),
		cmocka_unit_test(test_table_attrs),
		cmocka_unit_test(test_world),
		cmocka_unit_test(test_mappings),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_uffd),
		cmocka_unit_test(test_sim_only),
		cmocka_unit_test(test_swap_area),
		cmocka_unit_test(test_introspection_and_checks),
		cmocka_unit_test(test_parallel),
		cmocka_unit_test(test_lexical),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_memory),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
