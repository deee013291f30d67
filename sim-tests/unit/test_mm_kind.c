/* Unit tests: mm/kind.c and mm/kind_install.c, the public entry-kind API (include/vmsim/kind.h,
 * libvmsim/mm/kind.c, kind_install.c): the per-machine registry, ownership
 * as data, allocation of marker bits and special swap types, installing a
 * prototype kind, its defaults, and the built-in poisoned marker. */
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define A 0x7f0000000000ULL
#define P 4096ULL

static struct vmsim *vm;
static struct vmsim_mm *mm;
static struct bug_log log_;

static int setup(void **state)
{
	(void)state;
	memset(&log_, 0, sizeof(log_));
	vm = tu_machine_str("check=full", &log_);
	assert_non_null(vm);
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	return 0;
}

static int teardown(void **state)
{
	(void)state;
	vmsim_free(vm);
	assert_int_equal(log_.count, 0);
	return 0;
}

/* A marker kind a prototype would write: no hooks but a name. */
static const struct vmsim_kind_ops sealed = {
	.name = "sealed",
	.flags = VMSIM_KIND_ALLOC_MARKER,
	.priority = 15,
};

static void builtin_kinds(void **state)
{
	const struct vmsim_kind *k;

	(void)state;
	/* handle_pte_marker()'s order: poison, guard, uffd-wp; then the
	 * softleaf types' owners and the device-exclusive entry. */
	assert_int_equal(vmsim_nr_kinds(vm), 7);
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 0)), "poison");
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 1)), "guard");
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 2)), "uffd_wp");
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 3)), "swap");
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 4)), "migration");
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 5)), "hwpoison");
	assert_string_equal(vmsim_kind_name(vmsim_kind_at(vm, 6)), "device_exclusive");
	assert_null(vmsim_kind_at(vm, 7));
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(make_device_exclusive_entry(5))),
			 vmsim_kind_at(vm, 6));
	k = vmsim_kind_lookup(vm, "guard");
	assert_non_null(k);
	assert_true(vmsim_kind_builtin(k));
	assert_int_equal(vmsim_kind_marker(k), PTE_MARKER_GUARD);
	assert_ptr_equal(vmsim_kind_of(vm, make_pte_marker(PTE_MARKER_GUARD)), k);
	/* A combined marker goes to its highest-priority bit's owner. */
	assert_ptr_equal(vmsim_kind_of(vm, make_pte_marker(PTE_MARKER_GUARD | PTE_MARKER_UFFD_WP)), k);
	assert_ptr_equal(vmsim_kind_of(vm, make_pte_marker(PTE_MARKER_POISONED | PTE_MARKER_GUARD)),
			 vmsim_kind_lookup(vm, "poison"));
	/* None and present ptes belong to no kind; nor does an unowned marker. */
	assert_null(vmsim_kind_of(vm, __pte(0)));
	assert_null(vmsim_kind_of(vm, pfn_pte(5, PAGE_READONLY)));
	assert_null(vmsim_kind_of(vm, make_pte_marker(1UL << 7)));
	/* Linux with every special type configured: MAX_SWAPFILES 24. */
	assert_int_equal(vmsim_max_swapfiles(vm), 24);
	assert_int_equal(vmsim_kind_unregister(vm, "guard"), -EBUSY);
	assert_int_equal(vmsim_kind_unregister(vm, "nosuch"), -ENOENT);
}

static void register_errors(void **state)
{
	static const struct vmsim_kind_ops nothing = { .name = "nothing" };
	static const struct vmsim_kind_ops dup = { .name = "guard", .flags = VMSIM_KIND_ALLOC_MARKER };
	static const struct vmsim_kind_ops steal = { .name = "steal", .marker = PTE_MARKER_UFFD_WP };
	static const struct vmsim_kind_ops steal_bit = { .name = "stealbit", .pte_bit = _PAGE_UFFD_WP };
	static const struct vmsim_kind_ops toobig = { .name = "toobig", .marker = 1UL << 20 };
	unsigned before = vmsim_nr_kinds(vm);

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, NULL, NULL), -EINVAL);
	assert_int_equal(vmsim_kind_register(NULL, &sealed, NULL), -EINVAL);
	assert_int_equal(vmsim_kind_register(vm, &nothing, NULL), -EINVAL);
	assert_int_equal(vmsim_kind_register(vm, &dup, NULL), -EEXIST);
	assert_int_equal(vmsim_kind_register(vm, &steal, NULL), -EINVAL);
	assert_int_equal(vmsim_kind_register(vm, &steal_bit, NULL), -EINVAL);
	assert_int_equal(vmsim_kind_register(vm, &toobig, NULL), -EINVAL);
	assert_int_equal(vmsim_nr_kinds(vm), before);
}

static void allocated_marker_bits_and_types(void **state)
{
	static const struct vmsim_kind_ops other = { .name = "other", .flags = VMSIM_KIND_ALLOC_MARKER };
	static const struct vmsim_kind_ops special = { .name = "special", .flags = VMSIM_KIND_ALLOC_SWAP_TYPE };
	struct vmsim_kind *k1, *k2, *k3;

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, &sealed, &k1), 0);
	assert_int_equal(vmsim_kind_register(vm, &other, &k2), 0);
	/* The first free bits after Linux's three. */
	assert_int_equal(vmsim_kind_marker(k1), 1UL << 3);
	assert_int_equal(vmsim_kind_marker(k2), 1UL << 4);
	/* A new special type sits below HWPOISON (24) and lowers
	 * MAX_SWAPFILES, as growing a SWP_*_NUM does in Linux. */
	assert_int_equal(vmsim_kind_register(vm, &special, &k3), 0);
	assert_int_equal(vmsim_kind_swap_type(k3), 23);
	assert_int_equal(vmsim_max_swapfiles(vm), 23);
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(swp_entry(23, 5))), k3);
	/* Types below it are still real swap devices'. */
	assert_ptr_equal(vmsim_kind_of(vm, swp_entry_to_pte(swp_entry(22, 5))), vmsim_kind_lookup(vm, "swap"));
	/* Priority 15 beats uffd-wp (10), loses to guard (20). */
	assert_ptr_equal(vmsim_kind_of(vm, make_pte_marker((1UL << 3) | PTE_MARKER_UFFD_WP)), k1);
	assert_ptr_equal(vmsim_kind_of(vm, make_pte_marker((1UL << 3) | PTE_MARKER_GUARD)),
			 vmsim_kind_lookup(vm, "guard"));
	assert_int_equal(vmsim_kind_unregister(vm, "special"), 0);
	assert_int_equal(vmsim_max_swapfiles(vm), 24);
	assert_int_equal(vmsim_kind_unregister(vm, "other"), 0);
	assert_int_equal(vmsim_kind_unregister(vm, "sealed"), 0);
	assert_int_equal(vmsim_nr_kinds(vm), 7);
}

/*
 * Installing a prototype marker over populated anonymous memory:
 *
 *     0123      page index
 *     xx..      x: written pages; .: untouched
 *     SSSS      S: sealed markers after install
 */
static void install_defaults(void **state)
{
	struct vmsim_mm *child;
	struct vmsim_mm_stats st;
	unsigned char b = 1;
	uint64_t pm;

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, &sealed, NULL), 0);
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(tu_write(mm, A + P, 2), 0);
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.rss_anon, 2);
	/* Bad kind names and arguments change nothing. */
	assert_int_equal(vmsim_kind_install(mm, A, 4 * P, "nosuch", NULL), -ENOENT);
	assert_int_equal(vmsim_kind_install(mm, A, 4 * P, "sealed", "x=1"), -EINVAL);
	assert_int_equal(vmsim_kind_install(mm, A + 1, P, "sealed", NULL), -EINVAL);
	assert_int_equal(tu_read(mm, A), 1);
	assert_int_equal(vmsim_kind_install(mm, A, 4 * P, "sealed", NULL), 0);
	/* The pages were zapped (rss), every slot holds the marker, which
	 * pagemap reports as a swap entry (PM_SWAP, as any marker). */
	vmsim_mm_stats(mm, &st);
	assert_int_equal(st.rss_anon, 0);
	for (int i = 0; i < 4; i++) {
		pm = tu_pm(mm, A + i * P);
		assert_true(pm & PM_SWAP);
		assert_false(pm & PM_PRESENT);
	}
	/* No fault hook: VM_FAULT_SIGBUS, as Linux answers an unknown marker. */
	assert_int_equal(vmsim_access(mm, -1, A, &b, 1, false, NULL), VMSIM_ACCESS_SIGBUS);
	/* No copy hook: copy_pte_marker() drops bits it does not know. */
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_false(tu_pm(child, A) & PM_SWAP);
	/* A kind in use cannot go. */
	assert_int_equal(vmsim_kind_unregister(vm, "sealed"), -EBUSY);
	/* No zap hook: an unrecognized entry is cleared (with a warning). */
	assert_int_equal(vmsim_madvise(mm, A, 4 * P, VMSIM_MADV_DONTNEED), 0);
	assert_int_equal(tu_pm(mm, A) & PM_SWAP, 0);
	assert_int_equal(tu_read(mm, A), 0);
	vmsim_mm_exit(child);
}

/* A kind that survives fork of a vma without anon_vma needs a say in
 * vma_needs_copy(): VMSIM_KIND_COPY_ON_FORK and a copy hook. */
static int keep_copy(const struct vmsim_kind *k, struct vm_area_struct *dst, struct vm_area_struct *src,
		     uint64_t addr, pte_t *src_ptep, pte_t *child)
{
	(void)k;
	(void)dst;
	(void)src;
	(void)addr;
	*child = *src_ptep;
	return 0;
}

static void copy_on_fork(void **state)
{
	static const struct vmsim_kind_ops kept = {
		.name = "kept", .flags = VMSIM_KIND_ALLOC_MARKER | VMSIM_KIND_COPY_ON_FORK,
		.copy = keep_copy,
	};
	struct vmsim_file *f;
	struct vmsim_mm *child;

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, &kept, NULL), 0);
	/* A shared file mapping has no anon_vma: fork skips its tables
	 * unless a kind asks for them. */
	assert_int_equal(vmsim_file_new(vm, "F", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	assert_int_equal(vmsim_kind_install(mm, A + P, P, "kept", NULL), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_true(tu_pm(child, A + P) & PM_SWAP);
	assert_false(tu_pm(child, A) & PM_SWAP);
	vmsim_mm_exit(child);
}

static int handler_zeropage(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *msg)
{
	(void)arg;
	(void)ctx;
	(void)msg;
	return VMSIM_UFFD_SIGBUS;
}

/* UFFDIO_POISON (mm/userfaultfd.c mfill_atomic_pte_poison): markers in
 * none ptes only; any access is VM_FAULT_HWPOISON; fork copies them;
 * MADV_DONTNEED (should_zap_cows) removes them. */
static void uffd_poison(void **state)
{
	struct vmsim_uffd *u;
	struct vmsim_mm *child;
	unsigned char b;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A + 2 * P, 7), 0);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	vmsim_uffd_set_handler(u, handler_zeropage, NULL);
	assert_int_equal(vmsim_uffd_register(u, A, 4 * P, UFFDIO_REGISTER_MODE_MISSING), 0);
	assert_int_equal(vmsim_uffd_poison(u, A, 2 * P), 2 * P);
	/* A populated pte stops it: what came before is done. */
	assert_int_equal(vmsim_uffd_poison(u, A + 2 * P, 2 * P), -EEXIST);
	assert_int_equal(vmsim_uffd_poison(u, A, P), -EEXIST);	/* even over a marker */
	assert_int_equal(vmsim_access(mm, -1, A, &b, 1, false, NULL), VMSIM_ACCESS_HWPOISON);
	assert_int_equal(vmsim_access(mm, -1, A + P, &b, 1, true, NULL), VMSIM_ACCESS_HWPOISON);
	assert_true(tu_pm(mm, A) & PM_SWAP);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_true(tu_pm(child, A) & PM_SWAP);
	assert_int_equal(vmsim_access(child, -1, A, &b, 1, false, NULL), VMSIM_ACCESS_HWPOISON);
	vmsim_mm_exit(child);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_DONTNEED), 0);
	assert_false(tu_pm(mm, A) & PM_SWAP);
}

/* change_pte_range() of Linux 6.18: poison and guard markers are skipped
 * by name, any other marker is cleared by uffd-wp resolve (UFFDIO_
 * WRITEPROTECT off, unregister); plain mprotect leaves them all. */
static void change_prot_default(void **state)
{
	struct vmsim_uffd *u;

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, &sealed, NULL), 0);
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_kind_install(mm, A, P, "sealed", NULL), 0);
	assert_int_equal(vmsim_madvise(mm, A + P, P, VMSIM_MADV_GUARD_INSTALL), 0);
	assert_int_equal(vmsim_kind_install(mm, A + 2 * P, P, "poison", NULL), 0);
	assert_int_equal(vmsim_mprotect(mm, A, 4 * P, VMSIM_PROT_READ), 0);
	assert_int_equal(vmsim_mprotect(mm, A, 4 * P, TU_PROT_RW), 0);
	for (int i = 0; i < 3; i++)
		assert_true(tu_pm(mm, A + i * P) & PM_SWAP);
	assert_int_equal(vmsim_uffd_open(mm, 0, &u), 0);
	assert_int_equal(vmsim_uffd_register(u, A, 4 * P, UFFDIO_REGISTER_MODE_WP), 0);
	assert_int_equal(vmsim_uffd_writeprotect(u, A, 4 * P, true), 0);
	assert_true(tu_pm(mm, A) & PM_SWAP);
	assert_int_equal(vmsim_uffd_writeprotect(u, A, 4 * P, false), 0);
	assert_false(tu_pm(mm, A) & PM_SWAP);
	assert_true(tu_pm(mm, A + P) & PM_GUARD_REGION);
	assert_true(tu_pm(mm, A + 2 * P) & PM_SWAP);
}

/* Every hook a kind lacks shows in the trace where mm falls back on
 * Linux's way with an unknown entry (what `vmsim kinds` reads): the
 * kind's name, the address, and the hook first in the text. */
struct seen {
	char hooks[256];
	unsigned events;
	bool bad;
};

static void record_defaults(void *arg, const struct vmsim_trace_event *ev)
{
	struct seen *s = arg;
	char line[200];

	if (ev->type != VMSIM_TR_KIND_DEFAULT)
		return;
	s->events++;
	/* The entry's address: A, or where the first mremap put it. */
	if (!ev->file || strcmp(ev->file, "sealed") || (ev->addr != A && ev->addr != A + 16 * P))
		s->bad = true;
	snprintf(s->hooks + strlen(s->hooks), sizeof(s->hooks) - strlen(s->hooks), "%.*s ",
		 (int)strcspn(ev->why, ":"), ev->why);
	vmsim_trace_format(ev, line, sizeof(line));
	if (ev->addr == A && strncmp(line, "kind_default sealed 0x00007f0000000000: ", 40))
		s->bad = true;
}

static void default_trace(void **state)
{
	struct seen seen = { "", 0, false };
	struct vmsim_mm *child;
	unsigned char b;
	uint64_t pm;

	(void)state;
	assert_int_equal(vmsim_kind_register(vm, &sealed, NULL), 0);
	assert_int_equal(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_kind_install(mm, A, P, "sealed", NULL), 0);
	vmsim_set_trace(vm, record_defaults, &seen);
	assert_int_equal(vmsim_access(mm, -1, A, &b, 1, false, NULL), VMSIM_ACCESS_SIGBUS);
	assert_int_equal(vmsim_pagemap(mm, A, 1, &pm), 0);
	/* No anon_vma yet: vma_needs_copy() lets the child refault. */
	assert_int_equal(vmsim_fork(mm, &child), 0);
	vmsim_mm_exit(child);
	assert_int_equal(tu_write(mm, A + P, 1), 0);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	vmsim_mm_exit(child);
	assert_int_equal(vmsim_mremap(mm, A, 2 * P, 2 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 16 * P), 0);
	assert_int_equal(vmsim_mremap(mm, A + 16 * P, 2 * P, 2 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A), 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_GUARD_REMOVE), 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_DONTNEED), 0);
	vmsim_set_trace(vm, NULL, NULL);
	assert_false(seen.bad);
	assert_string_equal(seen.hooks, "fault pagemap needs_copy copy move move guard_remove zap ");
	/* A kind with the hooks: nothing to say. */
	memset(&seen, 0, sizeof(seen));
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_GUARD_INSTALL), 0);
	vmsim_set_trace(vm, record_defaults, &seen);
	assert_int_equal(vmsim_access(mm, -1, A, &b, 1, true, NULL), VMSIM_ACCESS_SIGSEGV);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_GUARD_REMOVE), 0);
	vmsim_set_trace(vm, NULL, NULL);
	assert_int_equal(seen.events, 0);
}

/* move_ptes() moves the whole pte and move_soft_dirty_pte() marks it: a
 * guard marker arrives soft-dirty (_PAGE_SWP_SOFT_DIRTY), a slot it did
 * not fill stays sd=0 (clear_refs took VM_SOFTDIRTY away); fork builds a
 * bare marker (copy_pte_marker()), and clear_refs clears the bit again. */
static void marker_swp_bits(void **state)
{
	struct vmsim_mm *child;

	(void)state;
	assert_int_equal(vmsim_mmap(mm, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(vmsim_madvise(mm, A, P, VMSIM_MADV_GUARD_INSTALL), 0);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_false(tu_pm(mm, A) & PM_SOFT_DIRTY);
	assert_int_equal(vmsim_mremap(mm, A, 2 * P, 2 * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED, A + 16 * P), 0);
	assert_true(tu_pm(mm, A + 16 * P) & PM_GUARD_REGION);
	assert_true(tu_pm(mm, A + 16 * P) & PM_SOFT_DIRTY);
	assert_false(tu_pm(mm, A + 17 * P) & PM_SOFT_DIRTY);
	assert_int_equal(vmsim_fork(mm, &child), 0);
	assert_true(tu_pm(child, A + 16 * P) & PM_GUARD_REGION);
	assert_false(tu_pm(child, A + 16 * P) & PM_SOFT_DIRTY);
	vmsim_mm_exit(child);
	assert_int_equal(vmsim_clear_refs(mm, 4), 0);
	assert_int_equal(tu_pm(mm, A + 16 * P) & (PM_GUARD_REGION | PM_SOFT_DIRTY), PM_GUARD_REGION);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(builtin_kinds, setup, teardown),
		cmocka_unit_test_setup_teardown(register_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(allocated_marker_bits_and_types, setup, teardown),
		cmocka_unit_test_setup_teardown(install_defaults, setup, teardown),
		cmocka_unit_test_setup_teardown(copy_on_fork, setup, teardown),
		cmocka_unit_test_setup_teardown(uffd_poison, setup, teardown),
		cmocka_unit_test_setup_teardown(change_prot_default, setup, teardown),
		cmocka_unit_test_setup_teardown(default_trace, setup, teardown),
		cmocka_unit_test_setup_teardown(marker_swp_bits, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
