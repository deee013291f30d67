/* Unit tests: machine configuration, creation, the random stream, errno
 * names and trace events (base/machine.c, base/config.c, base/trace.c). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

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

static void test_new_with_defaults(void **state)
{
	struct vmsim *vm = NULL;
	const struct vmsim_config *c;

	(void)state;
	assert_int_equal(vmsim_new(NULL, &vm), 0);
	assert_non_null(vm);
	c = vmsim_config(vm);
	assert_int_equal(c->ram, 256ULL << 20);
	assert_int_equal(vmsim_nr_frames(vm), 65536);
	assert_int_equal(vmsim_pgdir_shift(vm), 48);
	assert_int_equal(vmsim_bug_count(vm), 0);
	vmsim_free(vm);
	vmsim_free(NULL);	/* allowed */
}

/* Set key=value on a default config; return the result. */
static int set(struct vmsim_config *c, const char *key, const char *value)
{
	vmsim_config_init(c);
	return vmsim_config_set(c, key, value);
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

static uint64_t first_random(uint64_t seed, unsigned skip)
{
	struct vmsim_config c;
	struct vmsim *vm;
	uint64_t r;

	vmsim_config_init(&c);
	c.ram = 1ULL << 20;
	c.seed = seed;
	assert_int_equal(vmsim_new(&c, &vm), 0);
	for (unsigned i = 0; i < skip; i++)
		(void)vmsim_random(vm);
	r = vmsim_random(vm);
	vmsim_free(vm);
	return r;
}

static void test_random(void **state)
{
	uint64_t a[8], b[8];
	struct vmsim_config c;
	struct vmsim *x, *y;

	(void)state;
	vmsim_config_init(&c);
	c.ram = 1ULL << 20;
	c.seed = 12345;
	assert_int_equal(vmsim_new(&c, &x), 0);
	assert_int_equal(vmsim_new(&c, &y), 0);
	for (int i = 0; i < 8; i++) {
		a[i] = vmsim_random(x);
		b[i] = vmsim_random(y);
	}
	/* Same seed, same stream; a stream does not repeat itself at once. */
	assert_memory_equal(a, b, sizeof(a));
	for (int i = 1; i < 8; i++)
		assert_true(a[i] != a[i - 1]);
	vmsim_free(x);
	vmsim_free(y);
	/* Other seeds, other streams (seed 0 included). */
	assert_true(first_random(1, 0) != first_random(2, 0));
	assert_true(first_random(0, 0) != first_random(1, 0));
	assert_true(first_random(1, 3) != first_random(2, 3));
	assert_int_equal(first_random(7, 5), first_random(7, 5));
	/* The default seed is 1. */
	assert_int_equal(vmsim_new(NULL, &x), 0);
	assert_int_equal(vmsim_random(x), first_random(1, 0));
	vmsim_free(x);
}

static void test_errno_names(void **state)
{
	(void)state;
	assert_string_equal(vmsim_errno_name(-EINVAL), "EINVAL");
	assert_string_equal(vmsim_errno_name(EINVAL), "EINVAL");
	assert_string_equal(vmsim_errno_name(-ENOMEM), "ENOMEM");
	assert_string_equal(vmsim_errno_name(-EFAULT), "EFAULT");
	assert_string_equal(vmsim_errno_name(-ENOENT), "ENOENT");
	assert_string_equal(vmsim_errno_name(-EIO), "EIO");
	assert_string_equal(vmsim_errno_name(-EHWPOISON), "EHWPOISON");
	assert_string_equal(vmsim_errno_name(-EOPNOTSUPP), "EOPNOTSUPP");
	assert_string_equal(vmsim_errno_name(-99999), "E?");
	assert_string_equal(vmsim_errno_name(0), "E?");

	assert_string_equal(vmsim_strerror(0), "Success");
	assert_string_equal(vmsim_strerror(-ENOMEM), "Cannot allocate memory");
	assert_string_equal(vmsim_strerror(ENOMEM), "Cannot allocate memory");
	assert_string_equal(vmsim_strerror(-EINVAL), "Invalid argument");
	assert_string_equal(vmsim_strerror(-EFAULT), "Bad address");
	assert_string_equal(vmsim_strerror(-99999), "Unknown error");

	assert_int_equal(vmsim_errno_from_name("EINVAL"), -EINVAL);
	assert_int_equal(vmsim_errno_from_name("ENOMEM"), -ENOMEM);
	assert_int_equal(vmsim_errno_from_name("EHWPOISON"), -EHWPOISON);
	assert_int_equal(vmsim_errno_from_name("EBOGUS"), 0);
	assert_int_equal(vmsim_errno_from_name("einval"), 0);
	assert_int_equal(vmsim_errno_from_name(""), 0);
	assert_int_equal(vmsim_errno_from_name(NULL), 0);
	/* Round trip over the names the library knows. */
	{
		const int errs[] = { EPERM, ENOENT, EIO, EBADF, EAGAIN, ENOMEM, EFAULT, EBUSY, EEXIST,
				     EINVAL, ENOSPC, ESRCH, EOPNOTSUPP, EFBIG, ENXIO, ENODEV, ESPIPE,
				     EOVERFLOW, EHWPOISON };

		for (size_t i = 0; i < sizeof(errs) / sizeof(errs[0]); i++) {
			assert_int_equal(vmsim_errno_from_name(vmsim_errno_name(-errs[i])), -errs[i]);
			assert_string_not_equal(vmsim_strerror(-errs[i]), "Unknown error");
		}
	}
}

/* ------------------------------------------------------------- trace */

struct sink {
	unsigned n;
	struct vmsim_trace_event ev[64];
};

static void record(void *arg, const struct vmsim_trace_event *ev)
{
	struct sink *s = arg;

	if (s->n < 64)
		s->ev[s->n] = *ev;
	s->n++;
}

static void test_trace_page_events(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M", &log);
	struct sink s = { 0 };
	unsigned long pfn;
	uint64_t seq0;
	char line[160];

	(void)state;
	assert_non_null(vm);
	seq0 = vmsim_trace_count(vm);
	assert_true(seq0 >= 1);		/* the zero page's allocation */
	vmsim_set_trace(vm, record, &s);
	assert_int_equal(vmsim_page_alloc(vm, 2, &pfn), 0);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ev[0].type, VMSIM_TR_PAGE_ALLOC);
	assert_int_equal(s.ev[0].pfn, pfn);
	assert_int_equal(s.ev[0].order, 2);
	assert_int_equal(s.ev[0].cpu, -1);
	assert_int_equal(s.ev[0].seq, seq0 + 1);
	assert_int_equal(vmsim_trace_count(vm), seq0 + 1);
	vmsim_trace_format(&s.ev[0], line, sizeof(line));
	assert_string_equal(line, "page_alloc pfn=0x4 order=2");

	assert_int_equal(vmsim_page_free(vm, pfn, 2), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[1].type, VMSIM_TR_PAGE_FREE);
	assert_int_equal(s.ev[1].pfn, pfn);
	assert_int_equal(s.ev[1].order, 2);
	assert_int_equal(s.ev[1].seq, seq0 + 2);
	vmsim_trace_format(&s.ev[1], line, sizeof(line));
	assert_string_equal(line, "page_free pfn=0x4 order=2");

	/* No sink: nothing delivered, events still counted. */
	vmsim_set_trace(vm, NULL, NULL);
	assert_int_equal(vmsim_page_alloc(vm, 0, &pfn), 0);
	assert_int_equal(vmsim_page_free(vm, pfn, 0), 0);
	assert_int_equal(s.n, 2);
	assert_int_equal(vmsim_trace_count(vm), seq0 + 4);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static void test_trace_pgtable_events(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M levels=4", &log);
	struct sink s = { 0 };
	unsigned long root;
	pte_t *p;
	char line[160];
	unsigned i;

	(void)state;
	assert_non_null(vm);
	vmsim_set_trace(vm, record, &s);
	assert_int_equal(vmsim_pgd_alloc(vm, &root), 0);
	/* A table allocation: the page, then the table. */
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[0].type, VMSIM_TR_PAGE_ALLOC);
	assert_int_equal(s.ev[1].type, VMSIM_TR_PT_ALLOC);
	assert_int_equal(s.ev[1].level, VMSIM_LVL_PGD);
	assert_int_equal(s.ev[1].pfn, root);
	vmsim_trace_format(&s.ev[1], line, sizeof(line));
	assert_non_null(strstr(line, "pgtable_alloc"));
	assert_non_null(strstr(line, "pgd"));

	s.n = 0;
	p = vmsim_pte_lookup(vm, root, 0x7f0000001000ULL, true);
	assert_non_null(p);
	/* pud, pmd, pte tables: page_alloc, pgtable_alloc, set_entry each. */
	assert_int_equal(s.n, 9);
	for (i = 0; i < 3; i++) {
		assert_int_equal(s.ev[3 * i].type, VMSIM_TR_PAGE_ALLOC);
		assert_int_equal(s.ev[3 * i + 1].type, VMSIM_TR_PT_ALLOC);
		assert_int_equal(s.ev[3 * i + 1].level, VMSIM_LVL_PUD - (int)i);
		assert_int_equal(s.ev[3 * i + 2].type, VMSIM_TR_SET_ENTRY);
		assert_int_equal(s.ev[3 * i + 2].old_val, 0);
		assert_int_equal(s.ev[3 * i + 2].new_val, (s.ev[3 * i + 1].pfn << 12) | 0x67);
	}
	/* The pgd entry (= p4d, folded) links the pud table. */
	assert_int_equal(s.ev[2].level, VMSIM_LVL_P4D);

	s.n = 0;
	vmsim_set_pte(vm, p, pfn_pte(0x12, PAGE_READONLY), 0x7f0000001000ULL);
	assert_int_equal(s.n, 1);
	assert_int_equal(s.ev[0].type, VMSIM_TR_SET_ENTRY);
	assert_int_equal(s.ev[0].level, VMSIM_LVL_PTE);
	assert_int_equal(s.ev[0].addr, 0x7f0000001000ULL);
	assert_int_equal(s.ev[0].old_val, 0);
	assert_int_equal(s.ev[0].new_val, 0x8000000000012025ULL);
	vmsim_trace_format(&s.ev[0], line, sizeof(line));
	assert_string_equal(line, "set_entry pte 0x00007f0000001000: 0 -> 0x8000000000012025");
	vmsim_set_pte(vm, p, __pte(0), 0x7f0000001000ULL);
	assert_int_equal(s.n, 2);
	assert_int_equal(s.ev[1].old_val, 0x8000000000012025ULL);
	assert_int_equal(s.ev[1].new_val, 0);

	s.n = 0;
	vmsim_pgd_free(vm, root);
	/* Frees emit pgtable_free and page_free for all four tables. */
	{
		unsigned ptf = 0, pf = 0;

		for (i = 0; i < s.n && i < 64; i++) {
			ptf += s.ev[i].type == VMSIM_TR_PT_FREE;
			pf += s.ev[i].type == VMSIM_TR_PAGE_FREE;
		}
		assert_int_equal(ptf, 4);
		assert_int_equal(pf, 4);
	}
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

static void test_trace_format(void **state)
{
	char buf[160];
	struct vmsim_trace_event ev;
	int n;

	(void)state;
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_PAGE_ALLOC, .cpu = -1, .pfn = 0x1f, .order = 0 };
	n = vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "page_alloc pfn=0x1f order=0");
	assert_int_equal(n, (int)strlen(buf));
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_PT_FREE, .level = 2, .pfn = 0x40 };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "pgtable_free pmd table pfn=0x40");
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_TLB_FLUSH, .cpu = 2, .why = "munmap" };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "cpu2 tlb_flush all munmap");
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_TLB_FLUSH, .cpu = 0, .addr = 0x1000, .end = 0x3000 };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "cpu0 tlb_flush 0x0000000000001000-0x0000000000003000");
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_IPI, .cpu = 1, .target = 3 };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "cpu1 ipi -> cpu3");
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_SWITCH_MM, .cpu = 1, .target = 7 };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "cpu1 switch_mm mm7");
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .why = "hello" };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "note hello");
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_WALK, .cpu = 3, .addr = 0x2000, .level = 1, .new_val = 0x25 };
	vmsim_trace_format(&ev, buf, sizeof(buf));
	assert_string_equal(buf, "cpu3 walk 0x0000000000002000 pte 0x25");
	/* Truncation follows snprintf. */
	ev = (struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .why = "0123456789" };
	n = vmsim_trace_format(&ev, buf, 8);
	assert_int_equal(n, 15);
	assert_string_equal(buf, "note 01");

	assert_string_equal(vmsim_trace_type_name(VMSIM_TR_PAGE_ALLOC), "page_alloc");
	assert_string_equal(vmsim_trace_type_name(VMSIM_TR_SET_ENTRY), "set_entry");
	assert_string_equal(vmsim_trace_type_name(VMSIM_TR_TLB_FLUSH), "tlb_flush");
	assert_string_equal(vmsim_trace_type_name(VMSIM_TR_NR), "?");
	for (int t = 0; t < VMSIM_TR_NR; t++) {
		assert_non_null(vmsim_trace_type_name((enum vmsim_trace_type)t));
		assert_string_not_equal(vmsim_trace_type_name((enum vmsim_trace_type)t), "?");
	}
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_config_defaults),
		cmocka_unit_test(test_new_with_defaults),
		cmocka_unit_test(test_config_set_each_key),
		cmocka_unit_test(test_config_set_accumulates),
		cmocka_unit_test(test_config_decimal_not_octal),
		cmocka_unit_test(test_config_bad_values),
		cmocka_unit_test(test_config_unknown_key),
		cmocka_unit_test(test_validate_and_new_reject),
		cmocka_unit_test(test_random),
		cmocka_unit_test(test_errno_names),
		cmocka_unit_test(test_trace_page_events),
		cmocka_unit_test(test_trace_pgtable_events),
		cmocka_unit_test(test_trace_format),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
