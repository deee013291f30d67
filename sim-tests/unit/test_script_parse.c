/* Unit tests: the .vms parser (script/parse.c) and the shared output lines
 * (script/output.c), against shared SCENARIO.md. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
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
		print_error("unexpected: %s\n", err);
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

	assert_int_equal(rc, 2);
	assert_null(s);
	snprintf(want, sizeof(want), "error line %d: ", line);
	if (strncmp(err, want, strlen(want)) || !strstr(err, why))
		print_error("got '%s', want '%s...%s'\n", err, want, why);
	assert_int_equal(strncmp(err, want, strlen(want)), 0);
	assert_non_null(strstr(err, why));
}

/* The one command of a script with a `process P` / `file F` prelude. */
static const struct vms_cmd *last(struct vms_script *s)
{
	return vms_script_cmd(s, vms_script_count(s) - 1);
}

#define PRE "process P\nfile F size=64K\n"

static void test_world(void **state)
{
	struct vms_script *s;
	const struct vms_cmd *c;

	(void)state;
	s = ok("machine cpus=2 ram=64M seed=7 check=full tlb=8x2 levels=4\n"
	       "process A cpu=1\nrun A cpu=0\nfork A B\nexit A\n"
	       "file F size=0x10K kind=disk\nfile G size=4096\n");
	assert_int_equal(vms_script_count(s), 7);
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
	c = vms_script_cmd(s, 6);
	assert_int_equal(c->file_kind, VMS_FILE_SHMEM);
	assert_int_equal(vms_script_cmd(s, 1)->cpu, 1);
	assert_int_equal(vms_script_cmd(s, 6)->cpu, -1);
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
	       "fwrite F 1 2 byte=0x63\nfread F 0x1000\nfread F 0 2 expect=0\n");
	c = vms_script_cmd(s, 2);
	assert_int_equal(c->op, VMS_UNMAP);
	assert_int_equal(c->addr, 0x10001);
	assert_int_equal(c->len, 3);
	c = vms_script_cmd(s, 3);
	assert_int_equal(c->prot, 0);
	c = vms_script_cmd(s, 4);
	assert_int_equal(c->op, VMS_REMAP);
	assert_int_equal(c->addr2, 0x20000);
	assert_int_equal(vms_script_cmd(s, 5)->advice, VMS_ADV_GUARD_REMOVE);
	c = vms_script_cmd(s, 6);
	assert_int_equal(c->op, VMS_PUNCH);
	assert_string_equal(c->name[0], "F");
	assert_int_equal(c->addr, 0x1000);
	assert_int_equal(c->len, 0x2000);
	c = vms_script_cmd(s, 7);
	assert_int_equal(c->byte, 0x63);
	assert_true(c->has_byte);
	c = vms_script_cmd(s, 8);
	assert_int_equal(c->len, 1);
	assert_int_equal(c->expect, VMS_EXPECT_NONE);
	c = vms_script_cmd(s, 9);
	assert_int_equal(c->len, 2);
	assert_int_equal(c->expect, VMS_EXPECT_VALUE);
	assert_int_equal(c->expect_value, 0);
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
	s = ok(PRE "read P 0x10001\nread P 0x10000 8K cpu=3 expect=0xaa\n"
	       "read P 0x10000 expect=SIGBUS\nwrite P 0x10000 3 byte=1 expect=SIGSEGV\n"
	       "write P 0x10000\ntouch P 0x10000 8K w cpu=1\ntouch P 0x10000 4K r\n");
	c = vms_script_cmd(s, 2);
	assert_int_equal(c->op, VMS_READ);
	assert_int_equal(c->len, 1);
	assert_int_equal(c->cpu, -1);
	c = vms_script_cmd(s, 3);
	assert_int_equal(c->len, 8192);
	assert_int_equal(c->cpu, 3);
	assert_int_equal(c->expect, VMS_EXPECT_VALUE);
	assert_int_equal(c->expect_value, 0xaa);
	assert_int_equal(vms_script_cmd(s, 4)->expect, VMS_EXPECT_SIGBUS);
	c = vms_script_cmd(s, 5);
	assert_int_equal(c->op, VMS_WRITE);
	assert_int_equal(c->len, 3);
	assert_int_equal(c->byte, 1);
	assert_int_equal(c->expect, VMS_EXPECT_SIGSEGV);
	assert_int_equal(vms_script_cmd(s, 6)->byte, 0xaa);
	c = vms_script_cmd(s, 7);
	assert_int_equal(c->op, VMS_TOUCH);
	assert_true(c->touch_write);
	assert_int_equal(c->cpu, 1);
	assert_false(vms_script_cmd(s, 8)->touch_write);
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
	       "uffd P resolve wp=unprotect missing=copy\n");
	c = vms_script_cmd(s, 2);
	assert_int_equal(c->op, VMS_UFFD);
	assert_int_equal(c->uffd_op, VMS_UFFD_REGISTER);
	assert_int_equal(c->uffd_modes, VMS_UFFD_MODE_MISSING | VMS_UFFD_MODE_WP);
	assert_int_equal(c->uffd_features, VMS_UFFD_FEAT_EVENT_FORK | VMS_UFFD_FEAT_WP_ASYNC);
	assert_string_equal(vms_cmd_word(c), "uffd register");
	assert_int_equal(vms_script_cmd(s, 3)->uffd_op, VMS_UFFD_UNREGISTER);
	assert_true(vms_script_cmd(s, 4)->uffd_wp);
	assert_false(vms_script_cmd(s, 5)->uffd_wp);
	c = vms_script_cmd(s, 6);
	assert_int_equal(c->uffd_op, VMS_UFFD_COPY);
	assert_int_equal(c->byte, 7);
	assert_true(c->uffd_wp);
	assert_int_equal(vms_script_cmd(s, 7)->uffd_op, VMS_UFFD_ZEROPAGE);
	c = vms_script_cmd(s, 8);
	assert_int_equal(c->uffd_op, VMS_UFFD_CONTINUE);
	assert_false(c->uffd_wp);
	c = vms_script_cmd(s, 9);
	assert_int_equal(c->resolve_missing, VMS_RESOLVE_SIGBUS);
	assert_int_equal(c->resolve_wp, VMS_RESOLVE_KEEP);
	assert_int_equal(c->resolve_minor, VMS_RESOLVE_SIGBUS);
	c = vms_script_cmd(s, 10);
	assert_int_equal(c->resolve_missing, VMS_RESOLVE_COPY);
	assert_int_equal(c->resolve_wp, VMS_RESOLVE_UNPROTECT);
	vms_script_free(s);
}

static void test_introspection_and_checks(void **state)
{
	struct vms_script *s;
	const struct vms_cmd *c;

	(void)state;
	s = ok(PRE "process Q\nclear_refs P softdirty\npagemap P 0x10000 8K\nshow vmas P\n"
	       "show stats\nexpect pagemap P 0x10000 present=1 excl=0 frame=#3\n"
	       "expect pagemap P 0x10000 8K swap=0 file=1 sd=1 uffd_wp=0 guard=1 frame=-\n"
	       "expect pagemap P 0x10000 frame=zero\n"
	       "expect same P 0x10001 Q 0x20000\nexpect differ P 0x10000 Q 0x10000\n"
	       "expect error EEXIST map P 0x10000 4K anon private rw\n"
	       "expect error EBADF uffd P wp 0x10000 4K on\n");
	assert_int_equal(vms_script_cmd(s, 3)->op, VMS_CLEAR_REFS);
	c = vms_script_cmd(s, 4);
	assert_int_equal(c->op, VMS_PAGEMAP);
	assert_int_equal(c->len, 8192);
	c = vms_script_cmd(s, 5);
	assert_int_equal(c->op, VMS_SHOW);
	assert_int_equal(c->show, VMS_SHOW_VMAS);
	assert_string_equal(c->name[0], "P");

	assert_int_equal(vms_script_cmd(s, 6)->show, VMS_SHOW_STATS);
	c = vms_script_cmd(s, 7);
	assert_int_equal(c->op, VMS_EXPECT_PAGEMAP);
	assert_int_equal(c->len, 4096);
	assert_int_equal(c->want.mask, (1u << VMS_PM_PRESENT) | (1u << VMS_PM_EXCL));
	assert_int_equal(c->want.bit[VMS_PM_PRESENT], 1);
	assert_int_equal(c->want.bit[VMS_PM_EXCL], 0);
	assert_true(c->want.has_frame);
	assert_int_equal(c->want.frame, VMS_FRAME_PAGE);
	assert_int_equal(c->want.label, 3);
	c = vms_script_cmd(s, 8);
	assert_int_equal(c->len, 8192);
	assert_int_equal(c->want.mask, 0x76);
	assert_int_equal(c->want.bit[VMS_PM_GUARD], 1);
	assert_int_equal(c->want.frame, VMS_FRAME_NONE);
	assert_int_equal(vms_script_cmd(s, 9)->want.frame, VMS_FRAME_ZERO);
	c = vms_script_cmd(s, 10);
	assert_int_equal(c->op, VMS_EXPECT_SAME);
	assert_string_equal(c->name[1], "Q");
	assert_int_equal(c->addr, 0x10001);
	assert_int_equal(c->addr2, 0x20000);
	assert_int_equal(vms_script_cmd(s, 11)->op, VMS_EXPECT_DIFFER);
	c = vms_script_cmd(s, 12);
	assert_int_equal(c->op, VMS_EXPECT_ERROR);
	assert_int_equal(c->err, -EEXIST);
	assert_non_null(c->inner);
	assert_int_equal(c->inner->op, VMS_MAP);
	assert_int_equal(c->inner->line, 13);
	c = vms_script_cmd(s, 13);
	assert_int_equal(c->inner->op, VMS_UFFD);
	assert_int_equal(c->inner->uffd_op, VMS_UFFD_WP);
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
	vms_script_free(s);
	/* '#' inside a word is part of it. */
	bad("process Q#x\n", 1, "bad name 'Q#x'");
}

static void test_malformed(void **state)
{
	(void)state;
	bad("process P\nfrobnicate P\n", 2, "unknown command 'frobnicate'");
	bad("process P\nread P 12z\n", 2, "bad number");
	bad("process P\nread P 0x\n", 2, "bad number");
	bad("process P\nread P -1\n", 2, "bad number");
	bad("process P\nread P 1k\n", 2, "bad number");
	bad("process P\nread P 0x10000000000000000\n", 2, "too large");
	bad("process P\nread P 0xffffffffffffffffK\n", 2, "too large");
	bad("process 9P\n", 1, "bad name '9P'");
	bad("process P-1\n", 1, "bad name");
	bad("process abcdefghijabcdefghijabcdefghijab\n", 1, "name too long");
	bad("process P\nmap P 0x10000 4K anon private rwxx\n", 2, "bad PROT 'rwxx'");
	bad("process P\nmap P 0x10000 4K anon private rw bogus\n", 2, "unexpected word 'bogus'");
	bad("process P\nmap P 0x10000 4K anon private\n", 2, "needs a PROT");
	bad("process P\nprotect P 0x10000 4K wr\n", 2, "bad PROT 'wr'");
	bad("process P\nmachine cpus=2\n", 2, "machine must be the first command");
	bad("machine ram=12Q\n", 1, "bad value for machine option ram=12Q");
	bad("machine colour=blue\n", 1, "unknown machine option colour=");
	bad("machine cpus=2 cpus=3\n", 1, "given twice");
	bad("machine cpus=2\nprocess P cpu=2\n", 2, "cpu 2 does not exist");
	bad("process P\ntouch P 0x10001 4K r\n", 2, "not page aligned");
	bad("process P\ntouch P 0x10000 100 r\n", 2, "not a multiple of the page size");
	bad("process P\ntouch P 0x10000 0 r\n", 2, "zero length");
	bad("process P\ntouch P 0x10000 4K x\n", 2, "expected r or w");
	bad("process P\npagemap P 0x10800 4K\n", 2, "not page aligned");
	bad("process P\nexpect pagemap P 0x10000 2K present=1\n", 2, "not a multiple");
	bad("process P\nexpect error EFAULT read P 0x10000\n", 2, "cannot wrap 'read'");
	bad("process P\nexpect error EFAULT exit P\n", 2, "cannot wrap 'exit'");
	bad("process P\nexpect error EWHAT unmap P 0 4K\n", 2, "unknown errno name");
	bad("read P 0x10000\n", 1, "unknown name 'P'");
	bad("process P\nmap P 0x10000 4K file=G shared rw\n", 2, "unknown name 'G'");
	bad("process P\nexit P\nread P 0x10000\n", 3, "unknown name 'P'");
	bad("process P\nprocess P\n", 2, "already in use");
	bad("process P\nfork P P\n", 2, "already in use");
	bad("process P\nexpect error ENOMEM fork P C\nexit C\n", 3, "unknown name 'C'");
	bad("process P # ok\nread P 0x10000 #3\nread P 0x10000 expect=#3\n", 3, "bad number");
	bad("process P\nexpect pagemap P 0x10000 frame=#0\n", 2, "bad frame");
	bad("process P\nexpect pagemap P 0x10000 present=2\n", 2, "must be 0 or 1");
	bad("process P\nexpect pagemap P 0x10000 colour=1\n", 2, "unknown pagemap key");
	bad("process P\nexpect pagemap P 0x10000\n", 2, "needs at least one KEY=VAL");
	bad("process P\nwrite P 0x10000 expect=0x12\n", 2, "SIGSEGV or SIGBUS");
	bad("process P\nwrite P 0x10000 byte=256\n", 2, "must be a byte");
	bad("process P\nread P 0x10000 0\n", 2, "zero length");
	bad("process P\nread P 0x10000 cpu=1 cpu=2\n", 2, "given twice");
	bad("process P\nread P 0x10000 colour=1\n", 2, "unknown option colour=");
	bad("process P\nmap P 0x10000 4K anon shared private rw\n", 2, "given twice");
	bad("process P\nmap P 0x10000 4K anon off=0 private rw\n", 2, "off= only applies");
	bad("process P\nfile F size=4K\nmap P 0x10000 4K anon file=F private rw\n", 3, "exactly one");
	bad("file F size=4K kind=nfs\n", 1, "bad file kind");
	bad("file F\n", 1, "needs size=");
	bad("process P\nrun P\n", 2, "run needs cpu=N");
	bad("process P\nuffd P register 0x10000 4K missing,bogus\n", 2, "unknown uffd mode");
	bad("process P\nuffd P register 0x10000 4K missing,,wp\n", 2, "bad uffd mode");
	bad("process P\nuffd P register 0x10000 4K wp features=event_x\n", 2, "unknown uffd feature");
	bad("process P\nuffd P resolve missing=unprotect\n", 2, "bad uffd resolve");
	bad("process P\nuffd P resolve\n", 2, "needs missing=");
	bad("process P\nuffd P dance 0 4K\n", 2, "unknown uffd command");
	bad("process P\nuffd P wp 0x10000 4K maybe\n", 2, "expected on or off");
	bad("process P\nclear_refs P all\n", 2, "only 'softdirty'");
	bad("process P\nshow colours\n", 2, "unknown target");
	bad("process P\nexpect nothing\n", 2, "unknown expect");
	bad("process P\nunmap P 0x10000\n", 2, "missing arguments");
	bad("process P\nunmap P 0x10000 4K 4K\n", 2, "too many arguments");
	bad("process P\nread P =3\n", 2, "missing arguments");
	bad("process P\nread P 0x10000 =3\n", 2, "option without a key");
	bad("process P\nread P 0x10000 cpu=\n", 2, "empty value");
	bad("process P\nread P 0xfffffffffffffff0 0x20\n", 2, "wraps");
	{
		static const char nul[] = "process P\nread P\0 0x10000\n";

		struct vms_script *s = NULL;
		char err[128];

		assert_int_equal(vms_parse(nul, sizeof(nul) - 1, &s, err, sizeof(err)), 2);
		assert_string_equal(err, "error line 2: NUL byte in the script");
	}
}

/* Run f on an in-memory stream and compare what it printed. */
static char outbuf[4096];

static FILE *open_out(void)
{
	FILE *f = fmemopen(outbuf, sizeof(outbuf), "w");

	assert_non_null(f);
	return f;
}

static void test_output_lines(void **state)
{
	struct vms_cmd c = { .op = VMS_UFFD, .uffd_op = VMS_UFFD_REGISTER, .name = { "P" } };
	struct vms_out o;
	FILE *f = open_out();

	(void)state;
	assert_int_equal(vms_out_init(&o, f), 0);
	vms_out_read(&o, "P", 0x7f0000000000ULL, VMS_RES_BYTE, 0);
	vms_out_read(&o, "P", 0x7f0000000000ULL, VMS_RES_SIGSEGV, 0);
	vms_out_write(&o, "P", 0x7f0000000000ULL, VMS_RES_SIGBUS);
	vms_out_fread(&o, "F", 0x1000, VMS_RES_BYTE, 0x63);
	vms_out_fread(&o, "F", 0x1000, VMS_RES_EOF, 0);
	vms_out_error(&o, &c, -EINVAL);
	c = (struct vms_cmd){ .op = VMS_PUNCH, .name = { "F" } };
	vms_out_error(&o, &c, -EOPNOTSUPP);
	vms_out_uffd_fault(&o, "P", 0x7f0000001234ULL, VMS_UFFD_MODE_WP, true);
	vms_out_uffd_fault(&o, "C", 0x7f0000001000ULL, VMS_UFFD_MODE_MISSING, false);
	vms_out_uffd_fault(&o, "C", 0x7f0000001000ULL, VMS_UFFD_MODE_MINOR, false);
	vms_out_uffd_fork(&o, "P", "C");
	vms_out_uffd_range(&o, "P", "remove", 0x7f0000001000ULL, 0x2000);
	vms_out_uffd_range(&o, "P", "unmap", 0x7f0000001000ULL, 0x1000);
	fclose(f);
	assert_string_equal(outbuf,
		"read P 0x00007f0000000000 = 0x00\n"
		"read P 0x00007f0000000000 = SIGSEGV\n"
		"write P 0x00007f0000000000 = SIGBUS\n"
		"fread F 0x0000000000001000 = 0x63\n"
		"fread F 0x0000000000001000 = EOF\n"
		"error P: uffd register: EINVAL\n"
		"error F: punch: EOPNOTSUPP\n"
		"uffd-fault P 0x00007f0000001000 wp write\n"
		"uffd-fault C 0x00007f0000001000 missing read\n"
		"uffd-fault C 0x00007f0000001000 minor read\n"
		"uffd-event P fork C\n"
		"uffd-event P remove 0x00007f0000001000 0x2000\n"
		"uffd-event P unmap 0x00007f0000001000 0x1000\n");
	vms_out_fini(&o);
}

static struct vms_pm pm(int present, enum vms_frame_kind k, uint64_t id)
{
	struct vms_pm p = { .bit = { (int8_t)present, 0, 0, (int8_t)present, 1, 0, 0 },
			    .frame = k, .frame_id = id };

	return p;
}

static void test_pagemap_labels(void **state)
{
	struct vms_pm_want want = { .has_frame = true, .frame = VMS_FRAME_PAGE, .label = 1 };
	struct vms_pm a = pm(1, VMS_FRAME_PAGE, 500), b = pm(1, VMS_FRAME_PAGE, 77);
	struct vms_pm z = pm(1, VMS_FRAME_ZERO, 0), n = pm(0, VMS_FRAME_NONE, 0);
	struct vms_out o;
	char why[128];
	FILE *f = open_out();

	(void)state;
	assert_int_equal(vms_out_init(&o, f), 0);
	/* A frame not yet printed matches no label, and checking gives none. */
	assert_false(vms_pm_check(&o, &a, &want, why, sizeof(why)));
	assert_string_equal(why, "frame=a frame not yet labelled, expected frame=#1");
	assert_int_equal(vms_out_pagemap(&o, "P", 0x7f0000000000ULL, &b), 0);
	assert_int_equal(vms_out_pagemap(&o, "P", 0x7f0000001000ULL, &a), 0);
	assert_int_equal(vms_out_pagemap(&o, "Q", 0x7f0000002000ULL, &b), 0);
	assert_int_equal(vms_out_pagemap(&o, "Q", 0x7f0000003000ULL, &z), 0);
	n.bit[VMS_PM_SD] = -1;
	assert_int_equal(vms_out_pagemap(&o, "Q", 0x7f0000004000ULL, &n), 0);
	fclose(f);
	assert_string_equal(outbuf,
		"pagemap P 0x00007f0000000000 present=1 swap=0 file=0 excl=1 sd=1 uffd_wp=0 guard=0 frame=#1\n"
		"pagemap P 0x00007f0000001000 present=1 swap=0 file=0 excl=1 sd=1 uffd_wp=0 guard=0 frame=#2\n"
		"pagemap Q 0x00007f0000002000 present=1 swap=0 file=0 excl=1 sd=1 uffd_wp=0 guard=0 frame=#1\n"
		"pagemap Q 0x00007f0000003000 present=1 swap=0 file=0 excl=1 sd=1 uffd_wp=0 guard=0 frame=zero\n"
		"pagemap Q 0x00007f0000004000 present=0 swap=0 file=0 excl=0 sd=? uffd_wp=0 guard=0 frame=-\n");
	assert_true(vms_pm_check(&o, &b, &want, why, sizeof(why)));
	assert_false(vms_pm_check(&o, &a, &want, why, sizeof(why)));
	assert_string_equal(why, "frame=#2, expected frame=#1");
	want.label = 2;
	assert_true(vms_pm_check(&o, &a, &want, why, sizeof(why)));
	want.frame = VMS_FRAME_ZERO;
	assert_true(vms_pm_check(&o, &z, &want, why, sizeof(why)));
	assert_false(vms_pm_check(&o, &n, &want, why, sizeof(why)));
	assert_string_equal(why, "frame=-, expected frame=zero");
	want = (struct vms_pm_want){ .mask = 1u << VMS_PM_EXCL, .bit = { [VMS_PM_EXCL] = 0 } };
	assert_false(vms_pm_check(&o, &a, &want, why, sizeof(why)));
	assert_string_equal(why, "excl=1, expected excl=0");
	assert_true(vms_pm_check(&o, &n, &want, why, sizeof(why)));
	vms_out_fini(&o);
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
		assert_true(rc == 0 || rc == 2);
		if (rc)
			assert_int_equal(strncmp(err, "error line ", 11), 0);
		vms_script_free(s);
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_world),
		cmocka_unit_test(test_mappings),
		cmocka_unit_test(test_access),
		cmocka_unit_test(test_uffd),
		cmocka_unit_test(test_introspection_and_checks),
		cmocka_unit_test(test_lexical),
		cmocka_unit_test(test_malformed),
		cmocka_unit_test(test_output_lines),
		cmocka_unit_test(test_pagemap_labels),
		cmocka_unit_test(test_mutations),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
