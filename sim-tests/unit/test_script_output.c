/* Unit tests: the stdout lines of a .vms run (script/output.c), byte for
 * byte as the language's "Exact formats" give them: addresses as 0x + 16
 * lowercase hex digits, event lengths as 0x%lx, bytes as 0x + 2 digits;
 * error lines "error NAME: WORD: ERRNO"; pagemap lines with their seven
 * bits in order and #K frame labels counted in order of first output. */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>

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

/* The command word of each command, as error lines print it. */
static void test_cmd_words(void **state)
{
	static const struct { enum vms_op op; const char *word; } ops[] = {
		{ VMS_FORK, "fork" }, { VMS_FILE, "file" }, { VMS_MAP, "map" },
		{ VMS_UNMAP, "unmap" }, { VMS_PROTECT, "protect" }, { VMS_REMAP, "remap" },
		{ VMS_ADVISE, "advise" }, { VMS_PUNCH, "punch" }, { VMS_FWRITE, "fwrite" },
		{ VMS_FREAD, "fread" }, { VMS_READ, "read" }, { VMS_TOUCH, "touch" },
		{ VMS_CLEAR_REFS, "clear_refs" }, { VMS_PAGEMAP, "pagemap" },
	};
	static const struct { enum vms_uffd_op op; const char *word; } uffd[] = {
		{ VMS_UFFD_REGISTER, "uffd register" }, { VMS_UFFD_UNREGISTER, "uffd unregister" },
		{ VMS_UFFD_WP, "uffd wp" }, { VMS_UFFD_COPY, "uffd copy" },
		{ VMS_UFFD_ZEROPAGE, "uffd zeropage" }, { VMS_UFFD_CONTINUE, "uffd continue" },
	};

	(void)state;
	for (size_t i = 0; i < sizeof(ops) / sizeof(ops[0]); i++) {
		struct vms_cmd c = { .op = ops[i].op };

		assert_string_equal(vms_cmd_word(&c), ops[i].word);
	}
	for (size_t i = 0; i < sizeof(uffd) / sizeof(uffd[0]); i++) {
		struct vms_cmd c = { .op = VMS_UFFD, .uffd_op = uffd[i].op };

		assert_string_equal(vms_cmd_word(&c), uffd[i].word);
	}
}

/* Every errno a kernel may give is printed by its name, also those the
 * simulator never returns; the subject is the file for file commands. */
static void test_error_lines(void **state)
{
	struct vms_cmd c = { .op = VMS_MAP, .name = { "P", "F" } };
	struct vms_out o;
	FILE *f = open_out();

	(void)state;
	assert_int_equal(vms_out_init(&o, f), 0);
	vms_out_error(&o, &c, -ENOMEM);
	vms_out_error(&o, &c, EEXIST);		/* either sign */
	vms_out_error(&o, &c, -EXDEV);
	c = (struct vms_cmd){ .op = VMS_FREAD, .name = { "F" } };
	vms_out_error(&o, &c, -EINVAL);
	c = (struct vms_cmd){ .op = VMS_FILE, .name = { "F" } };
	vms_out_error(&o, &c, -EEXIST);
	fclose(f);
	assert_string_equal(outbuf,
		"error P: map: ENOMEM\n"
		"error P: map: EEXIST\n"
		"error P: map: EXDEV\n"
		"error F: fread: EINVAL\n"
		"error F: file: EEXIST\n");
	vms_out_fini(&o);
}

/* Byte values and addresses at the edges of their widths. */
static void test_widths(void **state)
{
	struct vms_out o;
	FILE *f = open_out();

	(void)state;
	assert_int_equal(vms_out_init(&o, f), 0);
	vms_out_read(&o, "LongProcessName", 0xffffffffffffffffULL, VMS_RES_BYTE, 0xff);
	vms_out_read(&o, "P", 0, VMS_RES_SIGBUS, 0);
	vms_out_write(&o, "P", 0xabcdefULL, VMS_RES_SIGSEGV);
	vms_out_fread(&o, "F", 0, VMS_RES_BYTE, 0x0a);
	vms_out_uffd_range(&o, "P", "unmap", 0x10000, 0x123456789ULL);
	vms_out_uffd_fault(&o, "P", 0x7f0000000fffULL, VMS_UFFD_MODE_MISSING, true);
	fclose(f);
	assert_string_equal(outbuf,
		"read LongProcessName 0xffffffffffffffff = 0xff\n"
		"read P 0x0000000000000000 = SIGBUS\n"
		"write P 0x0000000000abcdef = SIGSEGV\n"
		"fread F 0x0000000000000000 = 0x0a\n"
		"uffd-event P unmap 0x0000000000010000 0x123456789\n"
		"uffd-fault P 0x00007f0000000000 missing write\n");
	vms_out_fini(&o);
}

/* Labels both ways, for dumps that speak the output's language. */
static void test_label_lookup(void **state)
{
	struct vms_pm a = pm(1, VMS_FRAME_PAGE, 900), b = pm(1, VMS_FRAME_PAGE, 901);
	struct vms_pm z = pm(1, VMS_FRAME_ZERO, 0);
	struct vms_out o;
	uint64_t id = 0;
	FILE *f = open_out();

	(void)state;
	assert_int_equal(vms_out_init(&o, f), 0);
	assert_false(vms_out_label_frame(&o, 1, &id));
	assert_int_equal(vms_out_frame_label(&o, 900), 0);
	assert_int_equal(vms_out_pagemap(&o, "P", 0, &z), 0);	/* zero takes no label */
	assert_int_equal(vms_out_pagemap(&o, "P", 0x1000, &b), 0);
	assert_int_equal(vms_out_pagemap(&o, "P", 0x2000, &a), 0);
	assert_int_equal(vms_out_pagemap(&o, "P", 0x3000, &b), 0);
	fclose(f);
	assert_int_equal(vms_out_frame_label(&o, 901), 1);
	assert_int_equal(vms_out_frame_label(&o, 900), 2);
	assert_true(vms_out_label_frame(&o, 2, &id));
	assert_int_equal(id, 900);
	assert_false(vms_out_label_frame(&o, 3, &id));
	vms_out_fini(&o);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_output_lines),
		cmocka_unit_test(test_pagemap_labels),
		cmocka_unit_test(test_cmd_words),
		cmocka_unit_test(test_error_lines),
		cmocka_unit_test(test_widths),
		cmocka_unit_test(test_label_lookup),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
