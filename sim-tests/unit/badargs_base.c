/* Bad-argument cases: machine.h, bug.h, trace.h, lock.h, kind.h,
 * swapops.h, leafops.h. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "badargs.h"

/* The plain lock functions, not the macros that pass the caller's name
 * to vmsim__lock_at() and the rest: a case calls the function it names. */
#undef vmsim_lock
#undef vmsim_lock_read
#undef vmsim_trylock
#undef vmsim_unlock
#undef vmsim_unlock_read

static void no_bug(struct vmsim *vm, const struct vmsim_bug_report *r, void *arg)
{
	(void)vm, (void)r, (void)arg;
}

static bool cfg_same(const struct vmsim_config *a, const struct vmsim_config *b)
{
	return a->cpus == b->cpus && a->ram == b->ram && a->swap == b->swap && a->levels == b->levels &&
	       a->tlb_sets == b->tlb_sets && a->tlb_ways == b->tlb_ways && a->seed == b->seed &&
	       a->check == b->check && a->data == b->data && a->luf == b->luf && a->thp == b->thp &&
	       a->hugepages == b->hugepages && a->fault_around == b->fault_around &&
	       a->quirks == b->quirks && a->readahead == b->readahead && a->pmem == b->pmem &&
	       a->dax_fragment == b->dax_fragment && a->dax_pmd_share == b->dax_pmd_share;
}

/* cfg with one field out of range, by number. */
static struct vmsim_config *bad_cfg(struct vmsim_config *c, int which)
{
	vmsim_config_init(c);
	switch (which) {
	case 0: c->cpus = 0; break;
	case 1: c->cpus = VMSIM_MAX_CPUS + 1; break;
	case 2: c->ram = VMSIM_MIN_RAM + 1; break;
	case 3: c->ram = VMSIM_MIN_RAM - P; break;
	case 4: c->ram = VMSIM_MAX_RAM + P; break;
	case 5: c->swap = 1; break;
	case 6: c->swap = VMSIM_MAX_RAM + P; break;
	case 7: c->levels = 3; break;
	case 8: c->tlb_sets = 3; break;
	case 9: c->tlb_sets = 8192; break;
	case 10: c->tlb_ways = 0; break;
	case 11: c->tlb_ways = 65; break;
	case 12: c->check = (enum vmsim_check_level)3; break;
	case 13: c->luf = (enum vmsim_luf_mode)3; break;
	case 14: c->thp = (enum vmsim_thp_mode)3; break;
	case 15: c->hugepages = VMSIM_MAX_HUGEPAGES + 1; break;
	case 16: c->readahead = 100; break;
	case 17: c->readahead = (1ULL << 30) + P; break;
	case 18: c->fault_around = 3 * P; break;
	case 19: c->fault_around = 2048; break;
	case 20: c->fault_around = 4ULL << 20; break;
	case 21: c->quirks = 1ULL << 63; break;
	case 22: c->quirks = VMSIM_QUIRK_PMD_SHARE_NO_I_MMAP_LOCK << 1; break;
	case 23: c->devx = (enum vmsim_devx_version)2; break;
	case 24: c->pmem = (2ULL << 20) + P; break;
	case 25: c->pmem = VMSIM_MAX_PMEM + (2ULL << 20); break;
	}
	return c;
}
#define NR_BAD_CFGS 26

void ba_cases_machine(void **state)
{
	static const char *const bad_sets[][2] = {
		{ "ram", "1X" }, { "ram", "0" }, { "ram", "-4K" }, { "ram", "99999999999999999999" },
		{ "ram", "18446744073709551615K" }, { "cpus", "0" }, { "cpus", "65" }, { "cpus", "" },
		{ "levels", "3" }, { "tlb", "3x4" }, { "tlb", "16" }, { "tlb", "16x0" },
		{ "check", "max" }, { "luf", "2" }, { "thp", "" }, { "data", "yes" },
		{ "quirks", "nosuch" }, { "quirks", "none,nosuch" }, { "fault_around", "3K" },
		{ "readahead", "2G" }, { "hugepages", "99999999" }, { "swap", "1" },
		{ "pmem", "3M" }, { "pmem", "2T" }, { "dax_fragment", "2000000" }, { "dax_fragment", "x" },
		{ "dax_pmd_share", "maybe" },
		{ "devx", "6.13" }, { "devx", "" },
	};
	struct vmsim_config cfg, orig, bad;
	struct vmsim *out = (struct vmsim *)&cfg;
	struct vmsim_host_mem hm;

	(void)state;
	vmsim_config_init(&orig);
	cfg = orig;
	NOP("vmsim_config_init", vmsim_config_init(NULL));
	ERR("vmsim_config_set", -EINVAL, vmsim_config_set(NULL, "ram", "1M"));
	ERR("vmsim_config_set", -EINVAL, vmsim_config_set(&cfg, NULL, "1M"));
	ERR("vmsim_config_set", -EINVAL, vmsim_config_set(&cfg, "ram", NULL));
	ERR("vmsim_config_set", -ENOENT, vmsim_config_set(&cfg, "nosuch", "1"));
	ERR("vmsim_config_set", -ENOENT, vmsim_config_set(&cfg, "", "1"));
	for (size_t i = 0; i < sizeof(bad_sets) / sizeof(bad_sets[0]); i++)
		ERR("vmsim_config_set", -EINVAL, vmsim_config_set(&cfg, bad_sets[i][0], bad_sets[i][1]));
	assert_true(cfg_same(&cfg, &orig));

	ERR("vmsim_quirk_from_name", 0, vmsim_quirk_from_name(NULL));
	ERR("vmsim_quirk_from_name", 0, vmsim_quirk_from_name("nosuch"));
	ERR("vmsim_quirk_from_name", 0, vmsim_quirk_from_name(""));
	NUL("vmsim_quirk_name", vmsim_quirk_name(0));
	NUL("vmsim_quirk_name", vmsim_quirk_name(VMSIM_QUIRK_FORK_SKIPS_UFFD_WP | VMSIM_QUIRK_FAULT_AROUND_UFFD));
	NUL("vmsim_quirk_name", vmsim_quirk_name(1ULL << 63));

	ERR("vmsim_config_validate", -EINVAL, vmsim_config_validate(NULL));
	for (int i = 0; i < NR_BAD_CFGS; i++)
		ERR("vmsim_config_validate", -EINVAL, vmsim_config_validate(bad_cfg(&bad, i)));

	ERR("vmsim_new", -EINVAL, vmsim_new(NULL, NULL));
	ERR("vmsim_new", -EINVAL, vmsim_new(&orig, NULL));
	for (int i = 0; i < NR_BAD_CFGS; i++) {
		ERR("vmsim_new", -EINVAL, vmsim_new(bad_cfg(&bad, i), &out));
		assert_null(out);
	}
	NOP("vmsim_free", vmsim_free(NULL));
	NUL("vmsim_config", vmsim_config(NULL));
	ERR("vmsim_random", 0, vmsim_random(NULL));
	STR("vmsim_errno_name", "E?", vmsim_errno_name(INT_MIN));
	STR("vmsim_errno_name", "E?", vmsim_errno_name(INT_MAX));
	STR("vmsim_errno_name", "E?", vmsim_errno_name(0));
	STR("vmsim_strerror", "Unknown error", vmsim_strerror(INT_MIN));
	STR("vmsim_strerror", "Unknown error", vmsim_strerror(-4095));
	ERR("vmsim_errno_from_name", 0, vmsim_errno_from_name(NULL));
	ERR("vmsim_errno_from_name", 0, vmsim_errno_from_name(""));
	ERR("vmsim_errno_from_name", 0, vmsim_errno_from_name("einval"));
	ERR("vmsim_host_bytes", 0, vmsim_host_bytes(NULL));
	memset(&hm, 0x5a, sizeof(hm));
	ERR("vmsim_host_bytes_detail", 0, vmsim_host_bytes_detail(NULL, &hm));
	assert_true(hm.heap_bytes == (size_t)0x5a5a5a5a5a5a5a5aULL);
}

static void sink(void *arg, const struct vmsim_trace_event *ev)
{
	(void)arg, (void)ev;
}

void ba_cases_bug_trace(void **state)
{
	const char *volatile nofmt = NULL;
	struct vmsim_trace_event ev = { .type = VMSIM_TR_NR, .level = 99 };
	char buf[64];

	(void)state;
	NUL("vmsim_set_bug_handler", vmsim_set_bug_handler(NULL, no_bug, NULL));
	ERR("vmsim_bug_count", 0, vmsim_bug_count(NULL));
	NOP("vmsim__bug", vmsim__bug(NULL, "f", "file.c", 1, "%s", "x"));
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-security"	/* a NULL format is the point */
	NOP("vmsim__bug", vmsim__bug(F->vm, "f", "file.c", 1, nofmt));
#pragma GCC diagnostic pop
	NOP("vmsim_set_trace", vmsim_set_trace(NULL, sink, NULL));
	ERR("vmsim_trace_format", -EINVAL, vmsim_trace_format(NULL, buf, sizeof(buf)));
	ERR("vmsim_trace_format", -EINVAL, vmsim_trace_format(&ev, NULL, sizeof(buf)));
	/* An unknown type or level is printed as "?", not read out of bounds. */
	ERR("vmsim_trace_format", 1, vmsim_trace_format(&ev, buf, sizeof(buf)) > 0);
	/* (Values an enum of this range can hold: UBSan checks enum loads.) */
	ev.type = (enum vmsim_trace_type)31;
	ev.level = -1;
	ERR("vmsim_trace_format", 1, vmsim_trace_format(&ev, buf, sizeof(buf)) > 0);
	STR("vmsim_trace_type_name", "?", vmsim_trace_type_name(VMSIM_TR_NR));
	STR("vmsim_trace_type_name", "?", vmsim_trace_type_name((enum vmsim_trace_type)31));
	ERR("vmsim_trace_count", 0, vmsim_trace_count(NULL));
}

void ba_cases_lock(void **state)
{
	struct vmsim_lock l, junk = { .state = 0, .lclass = 0xffff, .owner = 0 }, before, user;
	struct vmsim *vm = F->vm;

	(void)state;
	memset(&l, 0x5a, sizeof(l));
	before = l;
	ERR("vmsim_lock_init", -EINVAL, vmsim_lock_init(NULL, VMSIM_LOCK_MMAP));
	/* Past every class a machine may create (vmsim_lock_class_new). */
	ERR("vmsim_lock_init", -EINVAL,
	    vmsim_lock_init(&l, (enum vmsim_lock_class)(VMSIM_LOCK_NR_CLASSES + VMSIM_LOCK_MAX_USER_CLASSES)));
	assert_memory_equal(&l, &before, sizeof(l));
	assert_int_equal(vmsim_lock_init(&l, VMSIM_LOCK_OTHER), 0);

	NOP("vmsim_lock", vmsim_lock(NULL, &l));
	NOP("vmsim_lock", vmsim_lock(vm, NULL));
	NOP("vmsim_lock", vmsim_lock(vm, &junk));
	NOP("vmsim_lock_read", vmsim_lock_read(NULL, &l));
	NOP("vmsim_lock_read", vmsim_lock_read(vm, NULL));
	NOP("vmsim_lock_read", vmsim_lock_read(vm, &junk));
	ERR("vmsim_trylock", false, vmsim_trylock(NULL, &l));
	ERR("vmsim_trylock", false, vmsim_trylock(vm, NULL));
	ERR("vmsim_trylock", false, vmsim_trylock(vm, &junk));
	NOP("vmsim_unlock", vmsim_unlock(NULL, &l));
	NOP("vmsim_unlock", vmsim_unlock(vm, NULL));
	NOP("vmsim_unlock", vmsim_unlock(vm, &junk));
	NOP("vmsim_unlock_read", vmsim_unlock_read(NULL, &l));
	NOP("vmsim_unlock_read", vmsim_unlock_read(vm, NULL));
	NOP("vmsim_unlock_read", vmsim_unlock_read(vm, &junk));
	ERR("vmsim_lock_held", false, vmsim_lock_held(NULL));
	ERR("vmsim_lock_held_write", false, vmsim_lock_held_write(NULL));
	NOP("vmsim__lock_assert", vmsim__lock_assert(NULL, &l, false, "f"));
	NOP("vmsim__lock_assert", vmsim__lock_assert(vm, NULL, true, "f"));
	NOP("vmsim__lock_assert", vmsim__lock_assert(vm, &junk, true, "f"));
	ERR("vmsim_locks_held", 0, vmsim_locks_held(NULL));
	STR("vmsim_lock_class_name", "?", vmsim_lock_class_name(VMSIM_LOCK_NR_CLASSES));

	/* The same, naming the caller. */
	NOP("vmsim__lock_at", vmsim__lock_at(NULL, &l, "f"));
	NOP("vmsim__lock_at", vmsim__lock_at(vm, NULL, "f"));
	NOP("vmsim__lock_at", vmsim__lock_at(vm, &junk, "f"));
	NOP("vmsim__lock_read_at", vmsim__lock_read_at(NULL, &l, "f"));
	NOP("vmsim__lock_read_at", vmsim__lock_read_at(vm, NULL, "f"));
	NOP("vmsim__lock_read_at", vmsim__lock_read_at(vm, &junk, "f"));
	ERR("vmsim__trylock_at", false, vmsim__trylock_at(NULL, &l, "f"));
	ERR("vmsim__trylock_at", false, vmsim__trylock_at(vm, NULL, "f"));
	ERR("vmsim__trylock_at", false, vmsim__trylock_at(vm, &junk, "f"));
	NOP("vmsim__unlock_at", vmsim__unlock_at(NULL, &l, "f"));
	NOP("vmsim__unlock_at", vmsim__unlock_at(vm, NULL, "f"));
	NOP("vmsim__unlock_at", vmsim__unlock_at(vm, &junk, "f"));
	NOP("vmsim__unlock_read_at", vmsim__unlock_read_at(NULL, &l, "f"));
	NOP("vmsim__unlock_read_at", vmsim__unlock_read_at(vm, NULL, "f"));
	NOP("vmsim__unlock_read_at", vmsim__unlock_read_at(vm, &junk, "f"));

	/* A class this machine never created is as bad as no class. */
	assert_int_equal(vmsim_lock_init(&user, (enum vmsim_lock_class)VMSIM_LOCK_NR_CLASSES), 0);
	NOP("vmsim_lock", vmsim_lock(vm, &user));
	NOP("vmsim_lock_read", vmsim_lock_read(vm, &user));
	ERR("vmsim_trylock", false, vmsim_trylock(vm, &user));
	NOP("vmsim_unlock", vmsim_unlock(vm, &user));
	NOP("vmsim__lock_assert", vmsim__lock_assert(vm, &user, false, "f"));
	STR("vmsim_lock_class_name_vm", "?", vmsim_lock_class_name_vm(vm, VMSIM_LOCK_NR_CLASSES));
	STR("vmsim_lock_class_name_vm", "?", vmsim_lock_class_name_vm(NULL, VMSIM_LOCK_NR_CLASSES));
	STR("vmsim_lock_class_name_vm", "?", vmsim_lock_class_name_vm(vm, ~0u));
	ERR("vmsim_lock_class_new", -EINVAL, vmsim_lock_class_new(NULL, "c"));
	ERR("vmsim_lock_class_new", -EINVAL, vmsim_lock_class_new(vm, NULL));
	ERR("vmsim_lock_class_new", -EINVAL, vmsim_lock_class_new(vm, ""));
	ERR("vmsim_lock_class_new", -EINVAL, vmsim_lock_class_new(vm, "a_class_name_of_thirty_two_chars"));

	/* Misuse the lock model exists to catch: one bug report each, the
	 * lock as it was. */
	BUGGY("vmsim_unlock", vmsim_unlock(vm, &l));
	BUGGY("vmsim_unlock_read", vmsim_unlock_read(vm, &l));
	BUGGY("vmsim__lock_assert", vmsim__lock_assert(vm, &l, false, "f"));
	vmsim_lock(vm, &l);
	BUGGY("vmsim_lock", vmsim_lock(vm, &l));
	BUGGY("vmsim_lock_read", vmsim_lock_read(vm, &l));
	ERR("vmsim_trylock", false, vmsim_trylock(vm, &l));
	assert_true(vmsim_lock_held_write(&l));
	vmsim_unlock(vm, &l);
	assert_int_equal(vmsim_locks_held(vm), 0);
}

static int dummy_make(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr, const char *args,
		      pte_t *out)
{
	(void)k, (void)vma, (void)addr, (void)args, (void)out;
	return -EINVAL;
}

void ba_cases_entries(void **state)
{
	struct vmsim *vm = F->vm;
	struct vmsim_kind_ops part = { .name = "part" }, steal = { .name = "steal", .marker = PTE_MARKER_GUARD };
	struct vmsim_kind_ops dup = { .name = "guard", .flags = VMSIM_KIND_ALLOC_MARKER };
	struct vmsim_kind_ops big = { .name = "big", .marker = PTE_MARKER_MASK + 1 };
	struct vmsim_kind_ops mk = { .name = "mk", .flags = VMSIM_KIND_ALLOC_MARKER, .make = dummy_make };
	struct vmsim_kind_ops nameless = { .flags = VMSIM_KIND_ALLOC_MARKER };
	struct vmsim_kind *k = NULL;
	char buf[64];
	pte_t pte = __pte(0x1234), before = pte;

	(void)state;
	/* The registry: a table that owns nothing, owns what another kind
	 * owns, a bit past PTE_MARKER_MASK, a taken name, no name. */
	ERR("vmsim_kind_register", -EINVAL, vmsim_kind_register(NULL, &mk, &k));
	ERR("vmsim_kind_register", -EINVAL, vmsim_kind_register(vm, NULL, &k));
	ERR("vmsim_kind_register", -EINVAL, vmsim_kind_register(vm, &part, &k));
	ERR("vmsim_kind_register", -EINVAL, vmsim_kind_register(vm, &steal, &k));
	ERR("vmsim_kind_register", -EINVAL, vmsim_kind_register(vm, &big, &k));
	ERR("vmsim_kind_register", -EEXIST, vmsim_kind_register(vm, &dup, &k));
	ERR("vmsim_kind_register", -EINVAL, vmsim_kind_register(vm, &nameless, &k));
	ERR("vmsim_kind_unregister", -EINVAL, vmsim_kind_unregister(NULL, "guard"));
	ERR("vmsim_kind_unregister", -EINVAL, vmsim_kind_unregister(vm, NULL));
	ERR("vmsim_kind_unregister", -ENOENT, vmsim_kind_unregister(vm, "nosuch"));
	ERR("vmsim_kind_unregister", -EBUSY, vmsim_kind_unregister(vm, "guard"));
	NUL("vmsim_kind_of", vmsim_kind_of(NULL, make_pte_marker(PTE_MARKER_GUARD)));
	NUL("vmsim_kind_of", vmsim_kind_of(vm, __pte(0)));
	NUL("vmsim_kind_of", vmsim_kind_of(vm, __pte(_PAGE_PRESENT | _PAGE_RW)));
	NUL("vmsim_kind_lookup", vmsim_kind_lookup(NULL, "guard"));
	NUL("vmsim_kind_lookup", vmsim_kind_lookup(vm, NULL));
	NUL("vmsim_kind_lookup", vmsim_kind_lookup(vm, "nosuch"));
	ERR("vmsim_nr_kinds", 0, vmsim_nr_kinds(NULL));
	NUL("vmsim_kind_at", vmsim_kind_at(NULL, 0));
	NUL("vmsim_kind_at", vmsim_kind_at(vm, vmsim_nr_kinds(vm)));
	NUL("vmsim_kind_at", vmsim_kind_at(vm, ~0u));
	NUL("vmsim_kind_ops", vmsim_kind_ops(NULL));
	NUL("vmsim_kind_name", vmsim_kind_name(NULL));
	ERR("vmsim_kind_marker", 0, vmsim_kind_marker(NULL));
	ERR("vmsim_kind_swap_type", -1, vmsim_kind_swap_type(NULL));
	NUL("vmsim_kind_data", vmsim_kind_data(NULL));
	NOP("vmsim_kind_set_data", vmsim_kind_set_data(NULL, buf));
	ERR("vmsim_kind_builtin", false, vmsim_kind_builtin(NULL));
	ERR("vmsim_max_swapfiles", 0, vmsim_max_swapfiles(NULL));
	ERR("vmsim_kind_describe", -EINVAL, vmsim_kind_describe(NULL, pte, buf, sizeof(buf)));
	ERR("vmsim_kind_describe", -EINVAL, vmsim_kind_describe(vm, pte, NULL, sizeof(buf)));
	ERR("vmsim_kind_describe", -EINVAL, vmsim_kind_describe(vm, pte, buf, 0));
	/* Installing: an unknown kind, a bad range, a hole, an argument the
	 * kind refuses; nothing changes. */
	ERR("vmsim_kind_install", -EINVAL, vmsim_kind_install(NULL, A, P, "guard", NULL));
	ERR("vmsim_kind_install", -EINVAL, vmsim_kind_install(F->mm, A, P, NULL, NULL));
	ERR("vmsim_kind_install", -ENOENT, vmsim_kind_install(F->mm, A, P, "nosuch", NULL));
	ERR("vmsim_kind_install", -EINVAL, vmsim_kind_install(F->mm, A + 1, P, "guard", NULL));
	ERR("vmsim_kind_install", -EINVAL, vmsim_kind_install(F->mm, A, 0, "guard", NULL));
	ERR("vmsim_kind_install", -EINVAL, vmsim_kind_install(F->mm, A, P + 1, "guard", NULL));
	ERR("vmsim_kind_install", -EINVAL, vmsim_kind_install(F->mm, ~0ULL & PAGE_MASK, 2 * P, "guard", NULL));
	ERR("vmsim_kind_install", -EINVAL, vmsim_kind_install(F->mm, 1ULL << 57, P, "guard", NULL));
	ERR("vmsim_kind_install", -EINVAL, vmsim_kind_install(F->mm, A, P, "guard", "unexpected"));
	ERR("vmsim_kind_install", -ENOMEM, vmsim_kind_install(F->mm, 0x70000000ULL, P, "guard", NULL));
	/* What a hook may call, called wrongly. */
	NOP("vmsim_set_pte_at", vmsim_set_pte_at(NULL, A, &pte, pte));
	NOP("vmsim_set_pte_at", vmsim_set_pte_at(F->mm, A, NULL, pte));
	ERR("vmsim_do_pte_missing", VM_FAULT_SIGBUS, vmsim_do_pte_missing(NULL));
	NOP("vmsim_mm_add_rss", vmsim_mm_add_rss(NULL, MM_ANONPAGES, 1));
	NOP("vmsim_mm_add_rss", vmsim_mm_add_rss(F->mm, NR_MM_COUNTERS, 1));
	NOP("vmsim_mm_add_rss", vmsim_mm_add_rss(F->mm, -1, 1));
	ERR("vmsim_userfaultfd_wp_use_markers", false, vmsim_userfaultfd_wp_use_markers(NULL));
	ERR("vmsim_userfaultfd_wp_async", false, vmsim_userfaultfd_wp_async(NULL));
	ERR("vmsim_userfaultfd_without_event_remap", false, vmsim_userfaultfd_without_event_remap(NULL));
	ERR("vmsim_handle_userfault", VM_FAULT_SIGBUS, vmsim_handle_userfault(NULL, VM_UFFD_MISSING));

	ERR("vmsim_swp_entry_to_pte", -EINVAL, vmsim_swp_entry_to_pte(32, 0, &pte));
	ERR("vmsim_swp_entry_to_pte", -EINVAL, vmsim_swp_entry_to_pte(~0u, 0, &pte));
	ERR("vmsim_swp_entry_to_pte", -EINVAL, vmsim_swp_entry_to_pte(0, 1UL << 50, &pte));
	ERR("vmsim_swp_entry_to_pte", -EINVAL, vmsim_swp_entry_to_pte(0, ~0UL, &pte));
	ERR("vmsim_swp_entry_to_pte", -EINVAL, vmsim_swp_entry_to_pte(0, 0, NULL));
	ERR("vmsim_make_pte_marker", -EINVAL, vmsim_make_pte_marker(0, &pte));
	ERR("vmsim_make_pte_marker", -EINVAL, vmsim_make_pte_marker(PTE_MARKER_MASK + 1, &pte));
	ERR("vmsim_make_pte_marker", -EINVAL, vmsim_make_pte_marker(~0UL, &pte));
	ERR("vmsim_make_pte_marker", -EINVAL, vmsim_make_pte_marker(PTE_MARKER_GUARD, NULL));
	assert_true(pte_same(pte, before));
	STR("vmsim_softleaf_type_name", "?", vmsim_softleaf_type_name((enum softleaf_type)(SOFTLEAF_MARKER + 1)));
	STR("vmsim_softleaf_type_name", "?", vmsim_softleaf_type_name((enum softleaf_type)15));
}
