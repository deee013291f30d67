/* Unit tests: the standard-output lines of a .vms run (script/output.c),
 * byte for byte as docs/scenario.md "Exact formats" gives them. */
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

static char outbuf[8192];

static FILE *open_out(void)
{
	FILE *f;

	memset(outbuf, 0, sizeof(outbuf));
	f = fmemopen(outbuf, sizeof(outbuf), "w");

	assert_non_null(f);
	return f;
}

static void test_lines(void **state)
{
	struct vms_cmd c = { .op = VMS_UFFD, .uffd_op = VMS_UFFD_REGISTER, .name = { "P" } };
	struct vms_smaps sm = { .start = 0x7f0000000000ULL,
				.kb = { 8, 8, 4, 0, 8, 0, 0, 8, 0, 4, 2, 4 } };
	struct vms_out o;
	FILE *f = open_out();

	(void)state;
	assert_int_equal(vms_out_init(&o, f), 0);
	assert_int_equal(vms_out_read(&o, "P", 0x7f0000000000ULL, VMS_RES_BYTE, 0), 0);
	vms_out_read(&o, "P", 0x7f0000000000ULL, VMS_RES_SIGSEGV, 0);
	vms_out_write(&o, "P", 0x7f0000000000ULL, VMS_RES_SIGBUS);
	vms_out_fread(&o, "F", 0x1000, VMS_RES_BYTE, 0x63);
	vms_out_fread(&o, "F", 0x1000, VMS_RES_EOF, 0);
	vms_out_error(&o, &c, -EINVAL);
	c = (struct vms_cmd){ .op = VMS_PUNCH, .name = { "F" } };
	vms_out_error(&o, &c, -EOPNOTSUPP);
	c = (struct vms_cmd){ .op = VMS_DEVICE, .device_op = VMS_DEVICE_ATOMIC, .name = { "D", "P" } };
	vms_out_error(&o, &c, -EOPNOTSUPP);
	c = (struct vms_cmd){ .op = VMS_SMAPS, .name = { "P" } };
	vms_out_error(&o, &c, -ENOMEM);
	c = (struct vms_cmd){ .op = VMS_READ, .name = { "P" } };
	vms_out_error(&o, &c, -ESRCH);	/* a process the OOM killer took */
	c = (struct vms_cmd){ .op = VMS_MAP, .name = { "P" } };
	vms_out_error(&o, &c, -EHWPOISON);	/* named by the library's table */
	vms_out_uffd_fault(&o, "P", 0x7f0000001234ULL, VMS_UFFD_MODE_WP, true);
	vms_out_uffd_fault(&o, "C", 0x7f0000001000ULL, VMS_UFFD_MODE_MISSING, false);
	vms_out_uffd_fault(&o, "C", 0x7f0000001000ULL, VMS_UFFD_MODE_MINOR, false);
	vms_out_uffd_fork(&o, "P", "C");
	vms_out_uffd_range(&o, "P", "remove", 0x7f0000001000ULL, 0x2000);
	vms_out_uffd_range(&o, "P", "unmap", 0x7f0000001000ULL, 0x1000);
	vms_out_uffd_remap(&o, "P", 0x7f0000001000ULL, 0x7f0000200000ULL, 0x3000);
	vms_out_smaps(&o, "P", &sm);
	vms_out_device_read(&o, "D", "P", 0x7f0000000000ULL, 0xaa);
	vms_out_oom_kill(&o, "Q");
	fclose(f);
	assert_string_equal(outbuf,
		"read P 0x00007f0000000000 = 0x00\n"
		"read P 0x00007f0000000000 = SIGSEGV\n"
		"write P 0x00007f0000000000 = SIGBUS\n"
		"fread F 0x0000000000001000 = 0x63\n"
		"fread F 0x0000000000001000 = EOF\n"
		"error P: uffd register: EINVAL\n"
		"error F: punch: EOPNOTSUPP\n"
		"error D: device atomic: EOPNOTSUPP\n"
		"error P: smaps: ENOMEM\n"
		"error P: read: ESRCH\n"
		"error P: map: EHWPOISON\n"
		"uffd-fault P 0x00007f0000001000 wp write\n"
		"uffd-fault C 0x00007f0000001000 missing read\n"
		"uffd-fault C 0x00007f0000001000 minor read\n"
		"uffd-event P fork C\n"
		"uffd-event P remove 0x00007f0000001000 0x2000\n"
		"uffd-event P unmap 0x00007f0000001000 0x1000\n"
		"uffd-event P remap 0x00007f0000001000 0x00007f0000200000 0x3000\n"
		"smaps P 0x00007f0000000000 Size=8 Rss=8 Pss=4 Shared_Clean=0 Shared_Dirty=8 Private_Clean=0 "
		"Private_Dirty=0 Anonymous=8 AnonHugePages=0 Swap=4 SwapPss=2 Locked=4\n"
		"device D read P 0x00007f0000000000 = 0xaa\n"
		"oom-kill Q\n");
	vms_out_fini(&o);
}

/* Bad arguments print nothing and say -EINVAL. */
static void test_bad_arguments(void **state)
{
	struct vms_cmd c = { .op = VMS_MAP, .name = { NULL } };
	struct vms_pm pm = { .frame = VMS_FRAME_NONE };
	struct vms_pm_want want = { 0 };
	struct vms_out o, none = { 0 };
	uint64_t id;
	char why[16];
	FILE *f = open_out();

	(void)state;
	assert_int_equal(vms_out_init(NULL, f), -EINVAL);
	assert_int_equal(vms_out_init(&o, NULL), -EINVAL);
	assert_int_equal(vms_out_init(&o, f), 0);
	assert_int_equal(vms_out_read(NULL, "P", 0, VMS_RES_BYTE, 0), -EINVAL);
	assert_int_equal(vms_out_read(&o, NULL, 0, VMS_RES_BYTE, 0), -EINVAL);
	assert_int_equal(vms_out_read(&o, "P", 0, VMS_RES_EOF, 0), -EINVAL);
	assert_int_equal(vms_out_read(&none, "P", 0, VMS_RES_BYTE, 0), -EINVAL);
	assert_int_equal(vms_out_write(&o, "P", 0, VMS_RES_BYTE), -EINVAL);
	assert_int_equal(vms_out_fread(&o, "F", 0, VMS_RES_SIGBUS, 0), -EINVAL);
	assert_int_equal(vms_out_error(&o, NULL, -EINVAL), -EINVAL);
	assert_int_equal(vms_out_error(&o, &c, -EINVAL), -EINVAL);
	c = (struct vms_cmd){ .op = VMS_NR_OPS, .name = { "P" } };
	assert_int_equal(vms_out_error(&o, &c, -EINVAL), -EINVAL);
	assert_int_equal(vms_out_uffd_fault(&o, "P", 0, 0, false), -EINVAL);
	assert_int_equal(vms_out_uffd_fork(&o, "P", NULL), -EINVAL);
	assert_int_equal(vms_out_uffd_range(&o, "P", "munmap", 0, 0), -EINVAL);
	assert_int_equal(vms_out_uffd_range(&o, "P", NULL, 0, 0), -EINVAL);
	assert_int_equal(vms_out_uffd_remap(&o, NULL, 0, 0, 0), -EINVAL);
	assert_int_equal(vms_out_pagemap(&o, "P", 0, NULL), -EINVAL);
	assert_int_equal(vms_out_pagemap(NULL, "P", 0, &pm), -EINVAL);
	pm.frame = (enum vms_frame_kind)7;
	assert_int_equal(vms_out_pagemap(&o, "P", 0, &pm), -EINVAL);
	assert_int_equal(vms_out_smaps(&o, "P", NULL), -EINVAL);
	assert_int_equal(vms_out_device_read(&o, "D", NULL, 0, 0), -EINVAL);
	assert_int_equal(vms_out_oom_kill(&o, NULL), -EINVAL);
	assert_false(vms_pm_check(NULL, &pm, &want, why, sizeof(why)));
	assert_false(vms_pm_check(&o, NULL, &want, why, sizeof(why)));
	assert_false(vms_out_label_frame(NULL, 1, &id));
	assert_false(vms_out_label_frame(&o, 1, NULL));
	assert_int_equal(vms_out_frame_label(NULL, 1), 0);
	vms_out_fini(NULL);
	vms_out_fini(&none);
	fclose(f);
	assert_string_equal(outbuf, "");
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
	uint64_t id;
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
	assert_true(vms_out_label_frame(&o, 2, &id));
	assert_int_equal(id, 500);
	assert_false(vms_out_label_frame(&o, 3, &id));
	assert_int_equal(vms_out_frame_label(&o, 77), 1);
	assert_int_equal(vms_out_frame_label(&o, 78), 0);
	vms_out_fini(&o);
}

/* A raw pagemap entry as a line shows it: the table's bits, unknown bits
 * as ?, the frame from the PFN. */
static void test_pm_decode(void **state)
{
	struct vms_pm p;

	(void)state;
	vms_pm_decode(PM_PRESENT | PM_MMAP_EXCLUSIVE | PM_SOFT_DIRTY | 0x1234, 0, false, &p);
	assert_int_equal(p.bit[VMS_PM_PRESENT], 1);
	assert_int_equal(p.bit[VMS_PM_EXCL], 1);
	assert_int_equal(p.bit[VMS_PM_SD], 1);
	assert_int_equal(p.bit[VMS_PM_FILE], 0);
	assert_int_equal(p.frame, VMS_FRAME_PAGE);
	assert_int_equal(p.frame_id, 0x1234);
	vms_pm_decode(PM_SWAP | PM_UFFD_WP | PM_GUARD_REGION | 0x55, PM_SOFT_DIRTY, false, &p);
	assert_int_equal(p.bit[VMS_PM_PRESENT], 0);
	assert_int_equal(p.bit[VMS_PM_SWAP], 1);
	assert_int_equal(p.bit[VMS_PM_UFFD_WP], 1);
	assert_int_equal(p.bit[VMS_PM_GUARD], 1);
	assert_int_equal(p.bit[VMS_PM_SD], -1);
	assert_int_equal(p.frame, VMS_FRAME_NONE);
	vms_pm_decode(PM_PRESENT | PM_FILE | 9, 0, true, &p);
	assert_int_equal(p.frame, VMS_FRAME_ZERO);
	assert_int_equal(p.bit[VMS_PM_FILE], 1);
	vms_pm_decode(0, 0, false, NULL);
	/* errno names: the expect error set, the library's, then glibc's */
	assert_string_equal(vms_errno_name(-EACCES), "EACCES");
	assert_string_equal(vms_errno_name(EINTR), "EINTR");
	assert_string_equal(vms_errno_name(-EHWPOISON), "EHWPOISON");
	assert_string_equal(vms_errno_name(-EROFS), "EROFS");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_lines),
		cmocka_unit_test(test_bad_arguments),
		cmocka_unit_test(test_pagemap_labels),
		cmocka_unit_test(test_pm_decode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
