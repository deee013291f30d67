/* Unit tests: the machine's configuration (base/config.c): defaults, every
 * key of the `machine` line with its values and limits (docs/scenario.md),
 * numbers (decimal, 0x, K/M/G, never octal), quirk names, validation, and
 * vmsim_new() refusing what validation refuses. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

/* Set key=value on a default config; return the result. */
static int set(struct vmsim_config *c, const char *key, const char *value)
{
	vmsim_config_init(c);
	return vmsim_config_set(c, key, value);
}

static void expect_einval(const char *key, const char *value)
{
	struct vmsim_config c, before;

	vmsim_config_init(&c);
	/* Make the config differ from the defaults so that a reset would show. */
	assert_int_equal(vmsim_config_set(&c, "seed", "99"), 0);
	before = c;
	if (vmsim_config_set(&c, key, value) != -EINVAL)
		fail_msg("%s=%s: expected -EINVAL", key, value);
	assert_memory_equal(&c, &before, sizeof(c));
}

static void test_config_defaults(void **state)
{
	struct vmsim_config c;

	(void)state;
	memset(&c, 0xa5, sizeof(c));
	vmsim_config_init(&c);
	assert_int_equal(c.cpus, 4);
	assert_int_equal(c.ram, 256ULL << 20);
	assert_int_equal(c.swap, 0);	/* no swap, as the reference host */
	assert_int_equal(c.levels, 5);
	assert_int_equal(c.tlb_sets, 16);
	assert_int_equal(c.tlb_ways, 4);
	assert_int_equal(c.seed, 1);
	assert_int_equal(c.check, VMSIM_CHECK_BASIC);
	assert_true(c.data);
	assert_int_equal(c.luf, VMSIM_LUF_OFF);
	assert_int_equal(c.thp, VMSIM_THP_NEVER);
	assert_int_equal(c.hugepages, 0);
	assert_int_equal(c.fault_around, 64ULL << 10);
	assert_int_equal(c.quirks, 0);
	assert_int_equal(vmsim_config_validate(&c), 0);
}

static void test_config_set_each_key(void **state)
{
	struct vmsim_config c;

	(void)state;
	assert_int_equal(set(&c, "cpus", "1"), 0);
	assert_int_equal(c.cpus, 1);
	assert_int_equal(set(&c, "cpus", "64"), 0);
	assert_int_equal(c.cpus, 64);
	assert_int_equal(set(&c, "cpus", "0x10"), 0);
	assert_int_equal(c.cpus, 16);

	assert_int_equal(set(&c, "ram", "1M"), 0);
	assert_int_equal(c.ram, 1ULL << 20);
	assert_int_equal(set(&c, "ram", "4096K"), 0);
	assert_int_equal(c.ram, 4ULL << 20);
	assert_int_equal(set(&c, "ram", "2G"), 0);
	assert_int_equal(c.ram, 2ULL << 30);
	assert_int_equal(set(&c, "ram", "0x200000"), 0);
	assert_int_equal(c.ram, 2ULL << 20);
	assert_int_equal(set(&c, "ram", "8388608"), 0);
	assert_int_equal(c.ram, 8ULL << 20);
	assert_int_equal(set(&c, "ram", "0x10M"), 0);
	assert_int_equal(c.ram, 16ULL << 20);

	assert_int_equal(set(&c, "swap", "0"), 0);
	assert_int_equal(c.swap, 0);
	assert_int_equal(set(&c, "swap", "64K"), 0);
	assert_int_equal(c.swap, 64ULL << 10);
	assert_int_equal(set(&c, "swap", "1G"), 0);
	assert_int_equal(c.swap, 1ULL << 30);

	assert_int_equal(set(&c, "levels", "4"), 0);
	assert_int_equal(c.levels, 4);
	assert_int_equal(set(&c, "levels", "5"), 0);
	assert_int_equal(c.levels, 5);

	assert_int_equal(set(&c, "tlb", "1x1"), 0);
	assert_int_equal(c.tlb_sets, 1);
	assert_int_equal(c.tlb_ways, 1);
	assert_int_equal(set(&c, "tlb", "64x8"), 0);
	assert_int_equal(c.tlb_sets, 64);
	assert_int_equal(c.tlb_ways, 8);
	assert_int_equal(set(&c, "tlb", "4096x64"), 0);
	assert_int_equal(c.tlb_sets, 4096);
	assert_int_equal(c.tlb_ways, 64);

	assert_int_equal(set(&c, "seed", "42"), 0);
	assert_int_equal(c.seed, 42);
	assert_int_equal(set(&c, "seed", "0"), 0);
	assert_int_equal(c.seed, 0);
	assert_int_equal(set(&c, "seed", "0xdeadbeefcafe"), 0);
	assert_int_equal(c.seed, 0xdeadbeefcafeULL);
	assert_int_equal(set(&c, "seed", "18446744073709551615"), 0);
	assert_int_equal(c.seed, ~0ULL);

	assert_int_equal(set(&c, "check", "off"), 0);
	assert_int_equal(c.check, VMSIM_CHECK_OFF);
	assert_int_equal(set(&c, "check", "basic"), 0);
	assert_int_equal(c.check, VMSIM_CHECK_BASIC);
	assert_int_equal(set(&c, "check", "full"), 0);
	assert_int_equal(c.check, VMSIM_CHECK_FULL);

	assert_int_equal(set(&c, "data", "off"), 0);
	assert_false(c.data);
	assert_int_equal(set(&c, "data", "on"), 0);
	assert_true(c.data);

	assert_int_equal(set(&c, "luf", "on"), 0);
	assert_int_equal(c.luf, VMSIM_LUF_ON);
	assert_int_equal(set(&c, "luf", "debug"), 0);
	assert_int_equal(c.luf, VMSIM_LUF_DEBUG);
	assert_int_equal(set(&c, "luf", "off"), 0);
	assert_int_equal(c.luf, VMSIM_LUF_OFF);

	assert_int_equal(set(&c, "thp", "always"), 0);
	assert_int_equal(c.thp, VMSIM_THP_ALWAYS);
	assert_int_equal(set(&c, "thp", "madvise"), 0);
	assert_int_equal(c.thp, VMSIM_THP_MADVISE);
	assert_int_equal(set(&c, "hugepages", "16"), 0);
	assert_int_equal(c.hugepages, 16);
	assert_int_equal(set(&c, "thp", "never"), 0);
	assert_int_equal(c.thp, VMSIM_THP_NEVER);

	assert_int_equal(set(&c, "fault_around", "4K"), 0);
	assert_int_equal(c.fault_around, 4096);
	assert_int_equal(set(&c, "fault_around", "2M"), 0);
	assert_int_equal(c.fault_around, 2ULL << 20);
	assert_int_equal(set(&c, "fault_around", "0x8000"), 0);
	assert_int_equal(c.fault_around, 32768);

	assert_int_equal(set(&c, "quirks", ""), 0);
	assert_int_equal(c.quirks, 0);
}

/* Several keys in a row accumulate. */
static void test_config_set_accumulates(void **state)
{
	struct vmsim_config c;

	(void)state;
	vmsim_config_init(&c);
	assert_int_equal(vmsim_config_set(&c, "ram", "8M"), 0);
	assert_int_equal(vmsim_config_set(&c, "levels", "4"), 0);
	assert_int_equal(vmsim_config_set(&c, "seed", "7"), 0);
	assert_int_equal(c.ram, 8ULL << 20);
	assert_int_equal(c.levels, 4);
	assert_int_equal(c.seed, 7);
	assert_int_equal(c.cpus, 4);
}

/* Numbers are decimal unless they start with 0x: a leading zero is not
 * octal. */
static void test_config_decimal_not_octal(void **state)
{
	struct vmsim_config c;

	(void)state;
	assert_int_equal(set(&c, "cpus", "010"), 0);
	assert_int_equal(c.cpus, 10);
	assert_int_equal(set(&c, "seed", "0100"), 0);
	assert_int_equal(c.seed, 100);
	assert_int_equal(set(&c, "ram", "010M"), 0);
	assert_int_equal(c.ram, 10ULL << 20);
	/* "09" is not a bad octal number either. */
	assert_int_equal(set(&c, "cpus", "09"), 0);
	assert_int_equal(c.cpus, 9);
	assert_int_equal(set(&c, "ram", "0X100000"), 0);
	assert_int_equal(c.ram, 1ULL << 20);
}

static void test_config_bad_values(void **state)
{
	(void)state;
	expect_einval("cpus", "0");
	expect_einval("cpus", "65");
	expect_einval("cpus", "4294967297");	/* would truncate to 1 */
	expect_einval("cpus", "-1");
	expect_einval("cpus", "two");
	expect_einval("cpus", "");
	expect_einval("cpus", "4x");
	expect_einval("ram", "512K");		/* below 1 MiB */
	expect_einval("ram", "2048G");		/* above 1 TiB */
	expect_einval("ram", "1048577");	/* not a page multiple */
	expect_einval("ram", "4T");
	expect_einval("ram", "4MB");
	expect_einval("ram", "M");
	expect_einval("ram", "0x");
	expect_einval("ram", "99999999999999999999");
	expect_einval("ram", "17179869184G");	/* overflows 64 bits */
	expect_einval("ram", "+4M");
	expect_einval("swap", "4097");
	expect_einval("swap", "2T");
	expect_einval("levels", "3");
	expect_einval("levels", "6");
	expect_einval("levels", "4294967300");
	expect_einval("tlb", "16");
	expect_einval("tlb", "3x4");		/* sets must be a power of two */
	expect_einval("tlb", "0x4");		/* "0" sets, not hex */
	expect_einval("tlb", "16x0");
	expect_einval("tlb", "16x65");
	expect_einval("tlb", "8192x4");
	expect_einval("tlb", "x4");
	expect_einval("tlb", "16x");
	expect_einval("tlb", "16x4x");
	expect_einval("seed", "-5");
	expect_einval("seed", "1.5");
	expect_einval("check", "on");
	expect_einval("check", "FULL");
	expect_einval("data", "yes");
	expect_einval("data", "1");
	expect_einval("luf", "always");
	expect_einval("thp", "sometimes");
	expect_einval("hugepages", "-1");
	expect_einval("hugepages", "many");
	expect_einval("fault_around", "0");
	expect_einval("fault_around", "2K");
	expect_einval("fault_around", "4M");
	expect_einval("fault_around", "12K");
	expect_einval("quirks", "nosuchquirk");
}

static void test_config_unknown_key(void **state)
{
	struct vmsim_config c, before;

	(void)state;
	vmsim_config_init(&c);
	before = c;
	assert_int_equal(vmsim_config_set(&c, "memory", "4M"), -ENOENT);
	assert_int_equal(vmsim_config_set(&c, "RAM", "4M"), -ENOENT);
	assert_int_equal(vmsim_config_set(&c, "", "4M"), -ENOENT);
	assert_memory_equal(&c, &before, sizeof(c));
	assert_int_equal(vmsim_config_set(&c, NULL, "4M"), -EINVAL);
	assert_int_equal(vmsim_config_set(&c, "ram", NULL), -EINVAL);
	assert_memory_equal(&c, &before, sizeof(c));
}

static void test_validate_and_new_reject(void **state)
{
	struct vmsim_config c;
	struct vmsim *vm = (struct vmsim *)&c;

	(void)state;
	assert_int_equal(vmsim_config_validate(NULL), -EINVAL);
#define BAD(field, value) do {						\
		vmsim_config_init(&c);					\
		c.field = value;					\
		assert_int_equal(vmsim_config_validate(&c), -EINVAL);	\
		vm = (struct vmsim *)&c;				\
		assert_int_equal(vmsim_new(&c, &vm), -EINVAL);		\
		assert_null(vm);					\
	} while (0)
	BAD(cpus, 0);
	BAD(cpus, 65);
	BAD(ram, 0);
	BAD(ram, (1ULL << 20) - 4096);
	BAD(ram, (1ULL << 40) + 4096);
	BAD(ram, (4ULL << 20) + 1);
	BAD(swap, 100);
	BAD(levels, 3);
	BAD(tlb_sets, 0);
	BAD(tlb_sets, 24);
	BAD(tlb_sets, 8192);
	BAD(tlb_ways, 0);
	BAD(tlb_ways, 65);
	BAD(check, (enum vmsim_check_level)3);
	BAD(luf, (enum vmsim_luf_mode)3);
	BAD(thp, (enum vmsim_thp_mode)3);
	BAD(hugepages, VMSIM_MAX_HUGEPAGES + 1);
	BAD(fault_around, 0);
	BAD(fault_around, 4096 * 3);
	BAD(fault_around, 2048);
	BAD(fault_around, 4ULL << 20);
#undef BAD
	assert_int_equal(vmsim_new(NULL, NULL), -EINVAL);
	/* The edges are fine. */
	vmsim_config_init(&c);
	c.ram = 1ULL << 20;
	c.cpus = 64;
	c.levels = 4;
	c.tlb_sets = 4096;
	c.tlb_ways = 64;
	c.fault_around = 2ULL << 20;
	assert_int_equal(vmsim_new(&c, &vm), 0);
	assert_non_null(vm);
	assert_int_equal(vmsim_nr_frames(vm), 256);
	assert_int_equal(vmsim_config(vm)->cpus, 64);
	vmsim_free(vm);
}

/* The project's own keys, as docs/scenario.md's machine table gives them:
 * their defaults, their values, their limits. */
static void test_config_extension_keys(void **state)
{
	struct vmsim_config c;

	(void)state;
	vmsim_config_init(&c);
	assert_int_equal(c.readahead, 8ULL << 20);
	assert_int_equal(c.pmem, 64ULL << 20);
	assert_int_equal(c.devx, VMSIM_DEVX_6_15);
	assert_int_equal(c.dax_fragment, 0);
	assert_false(c.dax_pmd_share);

	assert_int_equal(set(&c, "readahead", "0"), 0);		/* readahead off */
	assert_int_equal(c.readahead, 0);
	assert_int_equal(set(&c, "readahead", "128K"), 0);	/* Linux's generic default */
	assert_int_equal(c.readahead, 128ULL << 10);
	assert_int_equal(set(&c, "readahead", "1G"), 0);
	assert_int_equal(c.readahead, 1ULL << 30);
	assert_int_equal(set(&c, "pmem", "0"), 0);		/* no DAX device */
	assert_int_equal(c.pmem, 0);
	assert_int_equal(set(&c, "pmem", "2M"), 0);
	assert_int_equal(c.pmem, 2ULL << 20);
	assert_int_equal(set(&c, "dax_fragment", "1"), 0);
	assert_int_equal(c.dax_fragment, 1);
	assert_int_equal(set(&c, "dax_fragment", "3"), 0);
	assert_int_equal(c.dax_fragment, 3);
	assert_int_equal(set(&c, "dax_pmd_share", "on"), 0);
	assert_true(c.dax_pmd_share);
	assert_int_equal(set(&c, "devx", "6.14"), 0);
	assert_int_equal(c.devx, VMSIM_DEVX_6_14);
	assert_int_equal(set(&c, "devx", "6.15"), 0);
	assert_int_equal(c.devx, VMSIM_DEVX_6_15);

	expect_einval("readahead", "4097");	/* a page multiple */
	expect_einval("readahead", "2G");	/* at most 1G */
	expect_einval("pmem", "1M");		/* a 2M multiple */
	expect_einval("pmem", "2048G");		/* at most 1 TiB */
	expect_einval("dax_pmd_share", "yes");
	expect_einval("devx", "6.13");
	expect_einval("devx", "6.16");
}

/* quirks=Q1,Q2 sets the bits the names stand for (docs/quirks.md), each
 * name once, and replaces what was there; `none` clears them; one unknown
 * name refuses the whole value. */
static void test_config_quirks(void **state)
{
	static const char *const names[] = {
		"fork_skips_uffd_wp", "fault_around_uffd", "devx_fork_keeps_entry", "devx_restore_unlocked",
		"devx_no_owner_filter", "pmd_unshare_partial_flush", "pmd_share_no_i_mmap_lock",
		"luf_no_alloc", "luf_no_tlb_end_vma", "luf_no_fault", "luf_no_task_switch",
		"luf_no_write_begin", "luf_no_mkclean", "luf_no_truncate", "luf_no_mkwrite",
		"luf_no_lazyfree", "luf_no_batched_pending",
	};
	const size_t n = sizeof(names) / sizeof(names[0]);
	struct vmsim_config c;
	uint64_t all = 0;

	(void)state;
	for (size_t i = 0; i < n; i++) {
		uint64_t bit = vmsim_quirk_from_name(names[i]);

		assert_true(bit && !(bit & (bit - 1)));	/* one bit */
		assert_false(all & bit);		/* of its own */
		all |= bit;
		assert_string_equal(vmsim_quirk_name(bit), names[i]);
		assert_int_equal(set(&c, "quirks", names[i]), 0);
		assert_int_equal(c.quirks, bit);
	}
	assert_int_equal(vmsim_quirk_from_name(NULL), 0);
	assert_int_equal(vmsim_quirk_from_name("none"), 0);
	assert_int_equal(vmsim_quirk_from_name("FORK_SKIPS_UFFD_WP"), 0);
	assert_null(vmsim_quirk_name(0));
	assert_null(vmsim_quirk_name(VMSIM_QUIRK_FORK_SKIPS_UFFD_WP | VMSIM_QUIRK_FAULT_AROUND_UFFD));
	assert_int_equal(set(&c, "quirks", "fork_skips_uffd_wp,luf_no_fault"), 0);
	assert_int_equal(c.quirks, VMSIM_QUIRK_FORK_SKIPS_UFFD_WP | VMSIM_QUIRK_LUF_NO_FAULT);
	assert_int_equal(vmsim_config_set(&c, "quirks", "fault_around_uffd"), 0);
	assert_int_equal(c.quirks, VMSIM_QUIRK_FAULT_AROUND_UFFD);
	assert_int_equal(vmsim_config_set(&c, "quirks", "none"), 0);
	assert_int_equal(c.quirks, 0);
	expect_einval("quirks", "fork_skips_uffd_wp,bogus");
	/* validate refuses a bit no quirk names */
	vmsim_config_init(&c);
	c.quirks = all;
	assert_int_equal(vmsim_config_validate(&c), 0);
	c.quirks = 1ULL << 63;
	assert_int_equal(vmsim_config_validate(&c), -EINVAL);
}

/* dax_share_without_lock is another name of pmd_share_no_i_mmap_lock: the
 * same bit, alone or among others, and the quirk keeps its own name. */
static void test_config_quirk_alias(void **state)
{
	struct vmsim_config c;

	(void)state;
	assert_int_equal(vmsim_quirk_from_name("dax_share_without_lock"), VMSIM_QUIRK_PMD_SHARE_NO_I_MMAP_LOCK);
	assert_int_equal(set(&c, "quirks", "dax_share_without_lock"), 0);
	assert_int_equal(c.quirks, VMSIM_QUIRK_PMD_SHARE_NO_I_MMAP_LOCK);
	assert_int_equal(set(&c, "quirks", "pmd_share_no_i_mmap_lock"), 0);
	assert_int_equal(c.quirks, VMSIM_QUIRK_PMD_SHARE_NO_I_MMAP_LOCK);
	assert_int_equal(set(&c, "quirks", "luf_no_fault,dax_share_without_lock"), 0);
	assert_int_equal(c.quirks, VMSIM_QUIRK_LUF_NO_FAULT | VMSIM_QUIRK_PMD_SHARE_NO_I_MMAP_LOCK);
	assert_int_equal(set(&c, "quirks", "dax_share_without_lock,pmd_share_no_i_mmap_lock"), 0);
	assert_int_equal(c.quirks, VMSIM_QUIRK_PMD_SHARE_NO_I_MMAP_LOCK);
	assert_string_equal(vmsim_quirk_name(VMSIM_QUIRK_PMD_SHARE_NO_I_MMAP_LOCK), "pmd_share_no_i_mmap_lock");
	assert_int_equal(vmsim_quirk_from_name("dax_share_without"), 0);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_config_set_each_key),
		cmocka_unit_test(test_config_set_accumulates),
		cmocka_unit_test(test_config_decimal_not_octal),
		cmocka_unit_test(test_config_bad_values),
		cmocka_unit_test(test_config_unknown_key),
		cmocka_unit_test(test_validate_and_new_reject),
		cmocka_unit_test(test_config_extension_keys),
		cmocka_unit_test(test_config_quirks),
		cmocka_unit_test(test_config_quirk_alias),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
