/* The machine object: configuration, creation and teardown, the seeded
 * random stream, errno names.  The simulator's own frame; geometry follows
 * arch/x86/include/asm/pgtable_64_types.h. */
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "../internal.h"
#include "cpu_internal.h"

void vmsim_config_init(struct vmsim_config *cfg)
{
	*cfg = (struct vmsim_config){
		.cpus = 4,
		.ram = 256ULL << 20,
		.swap = 256ULL << 20,
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
	};
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
	if ((c->swap & (PAGE_SIZE - 1)) || c->swap > VMSIM_MAX_RAM)
		return -EINVAL;
	if (c->levels != 4 && c->levels != 5)
		return -EINVAL;
	if (!is_pow2(c->tlb_sets) || c->tlb_sets > 4096 || c->tlb_ways < 1 || c->tlb_ways > 64)
		return -EINVAL;
	if (c->check > VMSIM_CHECK_FULL || c->luf > VMSIM_LUF_DEBUG || c->thp > VMSIM_THP_ALWAYS)
		return -EINVAL;
	/* fault_around_bytes: a power of two from one page to one PTE table. */
	if ((c->readahead & (PAGE_SIZE - 1)) || c->readahead > (1ULL << 30))
		return -EINVAL;
	if (!is_pow2(c->fault_around) || c->fault_around < PAGE_SIZE ||
	    c->fault_around > PTRS_PER_PTE * PAGE_SIZE)
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
	static const char *const thps[] = { "never", "always" };
	static const char *const onoff[] = { "off", "on" };
	struct vmsim_config c = *cfg;
	uint64_t n = 0;
	unsigned e = 0;
	int err = 0;

	if (!key || !value)
		return -EINVAL;
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
		err = pick(value, thps, 2, &e);
		c.thp = (enum vmsim_thp_mode)e;
	} else if (!strcmp(key, "data")) {
		err = pick(value, onoff, 2, &e);
		c.data = e;
	} else if (!strcmp(key, "quirks")) {
		/* Historic bugs, re-introduced on purpose (docs/quirks.md). */
		char buf[128], *save = NULL;

		if (strlen(value) >= sizeof(buf))
			return -EINVAL;
		strcpy(buf, value);
		c.quirks = 0;
		for (char *q = strtok_r(buf, ",", &save); q; q = strtok_r(NULL, ",", &save)) {
			if (!strcmp(q, "fork_skips_uffd_wp"))
				c.quirks |= VMSIM_QUIRK_FORK_SKIPS_UFFD_WP;
			else if (!strcmp(q, "fault_around_uffd"))
				c.quirks |= VMSIM_QUIRK_FAULT_AROUND_UFFD;
			else if (strcmp(q, "none"))
				return -EINVAL;
		}
	} else {
		return -ENOENT;
	}
	if (err || vmsim_config_validate(&c))
		return -EINVAL;
	*cfg = c;
	return 0;
}

int vmsim_new(const struct vmsim_config *cfg, struct vmsim **out)
{
	struct vmsim_config def;
	struct vmsim *vm;
	unsigned arena;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!cfg) {
		vmsim_config_init(&def);
		cfg = &def;
	}
	if (vmsim_config_validate(cfg))
		return -EINVAL;
	if (vmsim__arena_create(&arena))
		return -ENOMEM;
	vm = vmsim__arena_malloc(arena, sizeof(*vm));
	if (!vm) {
		vmsim__arena_destroy(arena);
		return -ENOMEM;
	}
	memset(vm, 0, sizeof(*vm));
	vm->arena = arena;
	vm->cfg = *cfg;
	vm->rng = cfg->seed;
	vm->trace_on = cfg->check != VMSIM_CHECK_OFF;
	vm->pgdir_shift = cfg->levels == 5 ? PGDIR_SHIFT_L5 : PGDIR_SHIFT_L4;
	vm->task_size = (1ULL << (cfg->levels == 5 ? 56 : 47)) - PAGE_SIZE;
	err = vmsim__physmem_init(vm);
	if (!err)
		err = vmsim__cpu_init(vm);
	if (!err) {
		vmsim__mm_init(vm);
		if (!vm->mm_world)
			err = -ENOMEM;
	}
	if (err) {
		vmsim_free(vm);
		return err;
	}
	*out = vm;
	return 0;
}

void vmsim_free(struct vmsim *vm)
{
	unsigned arena;

	if (!vm)
		return;
	/* Processes and files first: they hold frames (and CPUs cache them). */
	vmsim__mm_exit(vm);
	vmsim__cpu_exit(vm);
	if (vm->zero_page) {
		vmsim_page_clear(vm->zero_page, PG_reserved);
		vm->zero_page->refcount = 0;
		vmsim_free_pages(vm, vm->zero_page, 0);
		vm->zero_page = NULL;
	}
	/* Every frame must be back: anything else is a leak in a layer above. */
	if (vm->memmap && vm->nr_free != vm->nr_frames)
		VMSIM_BUG(vm, "teardown with %lu frames still allocated", vm->nr_frames - vm->nr_free);
	vmsim__physmem_exit(vm);
	if (vm->heap_objs)
		VMSIM_BUG(vm, "teardown with %zu host allocations (%zu bytes) still live",
			  vm->heap_objs, vm->heap_bytes);
	arena = vm->arena;
	vmsim__arena_free(arena, vm);
	vmsim__arena_destroy(arena);
}

const struct vmsim_config *vmsim_config(const struct vmsim *vm)
{
	return &vm->cfg;
}

/* splitmix64: small, fast, and the same on every host. */
uint64_t vmsim_random(struct vmsim *vm)
{
	uint64_t z = (vm->rng += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

size_t vmsim_host_bytes(const struct vmsim *vm)
{
	return vm->heap_bytes + vm->frames_with_data * PAGE_SIZE;
}

static const struct { int err; const char *name; const char *text; } errnos[] = {
	{ EPERM, "EPERM", "Operation not permitted" },
	{ ENOENT, "ENOENT", "No such file or directory" },
	{ EIO, "EIO", "Input/output error (simulator bug)" },
	{ EBADF, "EBADF", "Bad file descriptor" },
	{ EAGAIN, "EAGAIN", "Resource temporarily unavailable" },
	{ ENOMEM, "ENOMEM", "Cannot allocate memory" },
	{ EFAULT, "EFAULT", "Bad address" },
	{ EBUSY, "EBUSY", "Device or resource busy" },
	{ EEXIST, "EEXIST", "File exists" },
	{ EINVAL, "EINVAL", "Invalid argument" },
	{ ENOSPC, "ENOSPC", "No space left on device" },
	{ ESRCH, "ESRCH", "No such process" },
	{ EOPNOTSUPP, "EOPNOTSUPP", "Operation not supported" },
	{ EFBIG, "EFBIG", "File too large" },
	{ ENXIO, "ENXIO", "No such device or address" },
	{ ENODEV, "ENODEV", "No such device" },
	{ ESPIPE, "ESPIPE", "Illegal seek" },
	{ EOVERFLOW, "EOVERFLOW", "Value too large for defined data type" },
	{ EHWPOISON, "EHWPOISON", "Memory page has hardware error" },
};

const char *vmsim_errno_name(int err)
{
	if (err == INT_MIN)
		return "E?";
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].err == err)
			return errnos[i].name;
	return "E?";
}

const char *vmsim_strerror(int err)
{
	if (err == 0)
		return "Success";
	if (err == INT_MIN)
		return "Unknown error";
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (errnos[i].err == err)
			return errnos[i].text;
	return "Unknown error";
}

int vmsim_errno_from_name(const char *name)
{
	for (size_t i = 0; name && i < sizeof(errnos) / sizeof(errnos[0]); i++)
		if (!strcmp(errnos[i].name, name))
			return -errnos[i].err;
	return 0;
}
