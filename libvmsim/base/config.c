/* The machine's configuration: defaults, validation, and the `machine`
 * line's KEY=VALUE words.  The simulator's own frame (no Linux file); the
 * defaults are those of docs/scenario.md's `machine` command. */
#include <errno.h>
#include <string.h>
#include <strings.h>
#include <stdlib.h>

#include "../internal.h"

/* Historic kernel bugs a machine can switch back on (docs/quirks.md). */
static const struct { const char *name; uint64_t bit; } quirks[] = {
	{ "fork_skips_uffd_wp", VMSIM_QUIRK_FORK_SKIPS_UFFD_WP },
	{ "fault_around_uffd", VMSIM_QUIRK_FAULT_AROUND_UFFD },
	{ "devx_fork_keeps_entry", VMSIM_QUIRK_DEVX_FORK_KEEPS_ENTRY },
	{ "devx_restore_unlocked", VMSIM_QUIRK_DEVX_RESTORE_UNLOCKED },
	{ "devx_no_owner_filter", VMSIM_QUIRK_DEVX_NO_OWNER_FILTER },
	{ "luf_no_alloc", VMSIM_QUIRK_LUF_NO_ALLOC },
	{ "luf_no_tlb_end_vma", VMSIM_QUIRK_LUF_NO_TLB_END_VMA },
	{ "luf_no_fault", VMSIM_QUIRK_LUF_NO_FAULT },
	{ "luf_no_task_switch", VMSIM_QUIRK_LUF_NO_TASK_SWITCH },
	{ "luf_no_write_begin", VMSIM_QUIRK_LUF_NO_WRITE_BEGIN },
	{ "luf_no_mkclean", VMSIM_QUIRK_LUF_NO_MKCLEAN },
	{ "luf_no_truncate", VMSIM_QUIRK_LUF_NO_TRUNCATE },
	{ "luf_no_mkwrite", VMSIM_QUIRK_LUF_NO_MKWRITE },
	{ "luf_no_lazyfree", VMSIM_QUIRK_LUF_NO_LAZYFREE },
	{ "luf_no_batched_pending", VMSIM_QUIRK_LUF_NO_BATCHED_PENDING },
	{ "pmd_unshare_partial_flush", VMSIM_QUIRK_PMD_UNSHARE_PARTIAL_FLUSH },
	{ "pmd_share_no_i_mmap_lock", VMSIM_QUIRK_PMD_SHARE_NO_I_MMAP_LOCK },
	/* Aliases, after their quirk's own name (which vmsim_quirk_name()
	 * gives back): the name the race's issue used. */
	{ "dax_share_without_lock", VMSIM_QUIRK_PMD_SHARE_NO_I_MMAP_LOCK },
};

uint64_t vmsim_quirk_from_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof(quirks) / sizeof(quirks[0]); i++)
		if (!strcmp(quirks[i].name, name))
			return quirks[i].bit;
	return 0;
}

const char *vmsim_quirk_name(uint64_t bit)
{
	for (size_t i = 0; i < sizeof(quirks) / sizeof(quirks[0]); i++)
		if (quirks[i].bit == bit)
			return quirks[i].name;
	return NULL;
}

void vmsim_config_init(struct vmsim_config *cfg)
{
	if (!cfg)
		return;
	*cfg = (struct vmsim_config){
		.cpus = 4,
		.ram = 256ULL << 20,
		.swap = 0,
		.levels = 5,
		.tlb_sets = 16,
		.tlb_ways = 4,
		.seed = 1,
		.check = VMSIM_CHECK_BASIC,
		.data = true,
		.luf = VMSIM_LUF_OFF,
		.thp = VMSIM_THP_NEVER,
		.fault_around = 64ULL << 10,
		.quirks = 0,
		.readahead = 8ULL << 20,
		.pmem = 64ULL << 20,
	};
}

/* Every quirk bit the table knows. */
static uint64_t known_quirks(void)
{
	uint64_t all = 0;

	for (size_t i = 0; i < sizeof(quirks) / sizeof(quirks[0]); i++)
		all |= quirks[i].bit;
	return all;
}

static bool is_pow2(uint64_t x)
{
	return x && !(x & (x - 1));
}

int vmsim_config_validate(const struct vmsim_config *c)
{
	if (!c || c->cpus < 1 || c->cpus > VMSIM_MAX_CPUS)
		return -EINVAL;
	if (c->ram < VMSIM_MIN_RAM || c->ram > VMSIM_MAX_RAM || (c->ram & (PAGE_SIZE - 1)))
		return -EINVAL;
	/* A swap device is a header page and at least one slot. */
	if ((c->swap & (PAGE_SIZE - 1)) || c->swap > VMSIM_MAX_RAM || c->swap == PAGE_SIZE)
		return -EINVAL;
	if (c->levels != 4 && c->levels != 5)
		return -EINVAL;
	if (!is_pow2(c->tlb_sets) || c->tlb_sets > 4096 || c->tlb_ways < 1 || c->tlb_ways > 64)
		return -EINVAL;
	if (c->check > VMSIM_CHECK_FULL || c->luf > VMSIM_LUF_DEBUG || c->thp > VMSIM_THP_ALWAYS ||
	    c->hugepages > VMSIM_MAX_HUGEPAGES || c->devx > VMSIM_DEVX_6_14)
		return -EINVAL;
	/* fault_around_bytes: a power of two from one page to one PTE table. */
	if ((c->readahead & (PAGE_SIZE - 1)) || c->readahead > (1ULL << 30))
		return -EINVAL;
	if ((c->pmem & (PMD_SIZE - 1)) || c->pmem > VMSIM_MAX_PMEM)
		return -EINVAL;
	if (!is_pow2(c->fault_around) || c->fault_around < PAGE_SIZE ||
	    c->fault_around > PTRS_PER_PTE * PAGE_SIZE)
		return -EINVAL;
	if (c->quirks & ~known_quirks())
		return -EINVAL;
	return 0;
}

/* A .vms number: decimal or 0x hex, with an optional K/M/G suffix. */
static int parse_size(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;
	unsigned shift = 0;

	if (!s || !*s || *s == '-' || *s == '+')
		return -EINVAL;
	errno = 0;
	/* Base 0 would read a leading 0 as octal ("010" = 8): only 0x
	 * switches base. */
	v = strtoull(s, &end, (s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) ? 16 : 10);
	if (errno || end == s)
		return -EINVAL;
	if (*end == 'K')
		shift = 10, end++;
	else if (*end == 'M')
		shift = 20, end++;
	else if (*end == 'G')
		shift = 30, end++;
	if (*end || (shift && v > (~0ULL >> shift)))
		return -EINVAL;
	*out = (uint64_t)v << shift;
	return 0;
}

static int pick(const char *v, const char *const names[], unsigned n, unsigned *out)
{
	for (unsigned i = 0; i < n; i++) {
		if (!strcmp(v, names[i])) {
			*out = i;
			return 0;
		}
	}
	return -EINVAL;
}

int vmsim_config_set(struct vmsim_config *cfg, const char *key, const char *value)
{
	static const char *const checks[] = { "off", "basic", "full" };
	static const char *const lufs[] = { "off", "on", "debug" };
	static const char *const thps[] = { "never", "madvise", "always" };
	static const char *const onoff[] = { "off", "on" };
	struct vmsim_config c;
	uint64_t n = 0;
	unsigned e = 0;
	int err = 0;

	if (!cfg || !key || !value)
		return -EINVAL;
	c = *cfg;
	if (!strcmp(key, "cpus") || !strcmp(key, "levels") || !strcmp(key, "seed")) {
		err = parse_size(value, &n);
		if (!err && !strcmp(key, "cpus"))
			c.cpus = n > VMSIM_MAX_CPUS ? 0 : (unsigned)n;
		else if (!err && !strcmp(key, "levels"))
			c.levels = n > 5 ? 0 : (unsigned)n;
		else if (!err)
			c.seed = n;
	} else if (!strcmp(key, "ram")) {
		err = parse_size(value, &c.ram);
	} else if (!strcmp(key, "swap")) {
		err = parse_size(value, &c.swap);
	} else if (!strcmp(key, "readahead")) {
		err = parse_size(value, &c.readahead);
	} else if (!strcmp(key, "hugepages")) {
		err = parse_size(value, &n);
		if (!err && n > VMSIM_MAX_HUGEPAGES)
			err = -EINVAL;
		c.hugepages = (unsigned long)n;
	} else if (!strcmp(key, "pmem")) {
		err = parse_size(value, &c.pmem);
	} else if (!strcmp(key, "dax_fragment")) {
		err = parse_size(value, &n);
		if (!err && n > 1000000)
			err = -EINVAL;
		c.dax_fragment = (unsigned)n;
	} else if (!strcmp(key, "dax_pmd_share")) {
		err = pick(value, onoff, 2, &e);
		c.dax_pmd_share = e;
	} else if (!strcmp(key, "fault_around")) {
		err = parse_size(value, &c.fault_around);
	} else if (!strcmp(key, "tlb")) {
		const char *x = strchr(value, 'x');
		char sets[32];
		uint64_t s, w;

		if (!x || (size_t)(x - value) >= sizeof(sets))
			return -EINVAL;
		memcpy(sets, value, (size_t)(x - value));
		sets[x - value] = 0;
		if (parse_size(sets, &s) || parse_size(x + 1, &w) || s > 4096 || w > 64)
			return -EINVAL;
		c.tlb_sets = (unsigned)s;
		c.tlb_ways = (unsigned)w;
	} else if (!strcmp(key, "check")) {
		err = pick(value, checks, 3, &e);
		c.check = (enum vmsim_check_level)e;
	} else if (!strcmp(key, "luf")) {
		err = pick(value, lufs, 3, &e);
		c.luf = (enum vmsim_luf_mode)e;
	} else if (!strcmp(key, "thp")) {
		err = pick(value, thps, 3, &e);
		c.thp = (enum vmsim_thp_mode)e;
	} else if (!strcmp(key, "devx")) {
		static const char *const devxs[] = { "6.15", "6.14" };

		err = pick(value, devxs, 2, &e);
		c.devx = (enum vmsim_devx_version)e;
	} else if (!strcmp(key, "data")) {
		err = pick(value, onoff, 2, &e);
		c.data = e;
	} else if (!strcmp(key, "quirks")) {
		/* Historic bugs, re-introduced on purpose (docs/quirks.md). */
		char buf[256], *save = NULL;

		if (strlen(value) >= sizeof(buf))
			return -EINVAL;
		strcpy(buf, value);
		c.quirks = 0;
		for (char *q = strtok_r(buf, ",", &save); q; q = strtok_r(NULL, ",", &save)) {
			uint64_t bit = vmsim_quirk_from_name(q);

			if (!bit && strcmp(q, "none"))
				return -EINVAL;
			c.quirks |= bit;
		}
	} else {
		return -ENOENT;
	}
	if (err || vmsim_config_validate(&c))
		return -EINVAL;
	*cfg = c;
	return 0;
}

