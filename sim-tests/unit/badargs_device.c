/* Bad-argument cases: mmu_notifier.h and device.h.  Expected errnos are
 * Linux's where Linux has the call (mm/mmu_notifier.c
 * __mmu_notifier_register and __mmu_interval_notifier_insert, mm/rmap.c
 * make_device_exclusive with GUP's check_vma_flags, mm/hmm.c for the
 * device's accesses), else the headers' own. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "badargs.h"

#define E	0x70000000ULL		/* nothing mapped here */

static int start_nop(struct mmu_notifier *s, const struct mmu_notifier_range *r)
{
	(void)s, (void)r;
	return 0;
}

static void tlbs_nop(struct mmu_notifier *s, struct vmsim_mm *m, uint64_t a, uint64_t b)
{
	(void)s, (void)m, (void)a, (void)b;
}

static bool inv_nop(struct mmu_interval_notifier *n, const struct mmu_notifier_range *r, unsigned long seq)
{
	(void)n, (void)r, (void)seq;
	return true;
}

void ba_cases_notifier(void **state)
{
	static const struct mmu_notifier_ops both = { .invalidate_range_start = start_nop,
						      .arch_invalidate_secondary_tlbs = tlbs_nop };
	static const struct mmu_notifier_ops good = { .invalidate_range_start = start_nop };
	static const struct mmu_interval_notifier_ops iops = { .invalidate = inv_nop };
	static const struct mmu_interval_notifier_ops no_inv = { 0 };
	struct mmu_notifier sub = { .ops = &good }, none = { 0 }, bad = { .ops = &both };
	struct mmu_interval_notifier n;
	struct vmsim *v;
	struct vmsim_mm *m;

	(void)state;
	ERR("vmsim_mmu_notifier_register", -EINVAL, vmsim_mmu_notifier_register(NULL, F->mm));
	ERR("vmsim_mmu_notifier_register", -EINVAL, vmsim_mmu_notifier_register(&sub, NULL));
	ERR("vmsim_mmu_notifier_register", -EINVAL, vmsim_mmu_notifier_register(&none, F->mm));
	/* __mmu_notifier_register(): secondary TLBs or start/end, not both. */
	ERR("vmsim_mmu_notifier_register", -EINVAL, vmsim_mmu_notifier_register(&bad, F->mm));
	NOP("vmsim_mmu_notifier_unregister", vmsim_mmu_notifier_unregister(NULL, F->mm));
	NOP("vmsim_mmu_notifier_unregister", vmsim_mmu_notifier_unregister(&sub, NULL));
	NOP("vmsim_mmu_notifier_unregister", vmsim_mmu_notifier_unregister(&sub, F->mm));
	/* Registered twice (on a machine of its own: the fixture's stay
	 * without subscribers). */
	v = tu_machine_str("ram=4M", NULL);
	assert_non_null(v);
	assert_int_equal(vmsim_mm_new(v, &m), 0);
	assert_int_equal(vmsim_mmu_notifier_register(&sub, m), 0);
	ERR("vmsim_mmu_notifier_register", -EBUSY, vmsim_mmu_notifier_register(&sub, m));
	vmsim_mmu_notifier_unregister(&sub, m);
	vmsim_free(v);

	memset(&n, 0, sizeof(n));
	ERR("vmsim_mmu_interval_notifier_insert", -EINVAL,
	    vmsim_mmu_interval_notifier_insert(NULL, F->mm, 0, P, &iops));
	ERR("vmsim_mmu_interval_notifier_insert", -EINVAL, vmsim_mmu_interval_notifier_insert(&n, NULL, 0, P, &iops));
	ERR("vmsim_mmu_interval_notifier_insert", -EINVAL, vmsim_mmu_interval_notifier_insert(&n, F->mm, 0, P, NULL));
	ERR("vmsim_mmu_interval_notifier_insert", -EINVAL,
	    vmsim_mmu_interval_notifier_insert(&n, F->mm, 0, P, &no_inv));
	/* __mmu_interval_notifier_insert(): length 0 or a wrapping range. */
	ERR("vmsim_mmu_interval_notifier_insert", -EOVERFLOW,
	    vmsim_mmu_interval_notifier_insert(&n, F->mm, A, 0, &iops));
	ERR("vmsim_mmu_interval_notifier_insert", -EOVERFLOW,
	    vmsim_mmu_interval_notifier_insert(&n, F->mm, ~0ULL - P + 1, 2 * P, &iops));
	NOP("vmsim_mmu_interval_notifier_remove", vmsim_mmu_interval_notifier_remove(NULL));
	NOP("vmsim_mmu_interval_notifier_remove", vmsim_mmu_interval_notifier_remove(&n));
	ERR("vmsim_mmu_interval_read_begin", 0, vmsim_mmu_interval_read_begin(NULL));
	ERR("vmsim_mmu_interval_read_begin", 0, vmsim_mmu_interval_read_begin(&n));
	STR("vmsim_mmu_notifier_event_name", "?", vmsim_mmu_notifier_event_name((enum mmu_notifier_event)8));
	STR("vmsim_mmu_notifier_event_name", "?", vmsim_mmu_notifier_event_name((enum mmu_notifier_event)-1));
	ERR("vmsim_mm_has_notifiers", 0, vmsim_mm_has_notifiers(NULL));
}

void ba_cases_device(void **state)
{
	struct vmsim_device *d, *out = (struct vmsim_device *)&out;
	struct vmsim_device_stats st;
	struct vmsim_device_tlbe t;
	unsigned long pfn = 7;
	uint8_t b = 0x5a;

	(void)state;
	/* make_device_exclusive(): GUP for write, check_vma_flags(). */
	ERR("vmsim_make_device_exclusive", -EINVAL, vmsim_make_device_exclusive(NULL, A, NULL, &pfn));
	ERR("vmsim_make_device_exclusive", -EINVAL, vmsim_make_device_exclusive(F->mm, A, NULL, NULL));
	ERR("vmsim_make_device_exclusive", -EFAULT, vmsim_make_device_exclusive(F->mm, E, NULL, &pfn));
	ERR("vmsim_make_device_exclusive", -EFAULT, vmsim_make_device_exclusive(F->mm, D, NULL, &pfn));
	ERR("vmsim_make_device_exclusive", -EFAULT, vmsim_make_device_exclusive(F->mm, 1ULL << 63, NULL, &pfn));
	ERR("vmsim_make_device_exclusive", -EFAULT, vmsim_make_device_exclusive(F->mm, ~0ULL, NULL, &pfn));
	assert_int_equal(pfn, 7);
	ERR("vmsim_device_exclusive_done", -EINVAL, vmsim_device_exclusive_done(NULL, F->page));
	ERR("vmsim_device_exclusive_done", -EINVAL, vmsim_device_exclusive_done(F->vm, ~0UL));
	ERR("vmsim_device_exclusive_done", -EINVAL, vmsim_device_exclusive_done(F->vm, F->page));
	ERR("vmsim_device_exclusive_done", -EINVAL, vmsim_device_exclusive_done(F->vm, vmsim_zero_pfn(F->vm)));
	ERR("vmsim_device_exclusive_done", -EINVAL, vmsim_device_exclusive_done(F->vm, vmsim_mm_pgd(F->mm)));

	ERR("vmsim_device_new", -EINVAL, vmsim_device_new(NULL, "gpu", &out));
	ERR("vmsim_device_new", -EINVAL, vmsim_device_new(F->vm, NULL, &out));
	ERR("vmsim_device_new", -EINVAL, vmsim_device_new(F->vm, "", &out));
	ERR("vmsim_device_new", -EINVAL, vmsim_device_new(F->vm, "0123456789abcdef0123456789abcdef", &out));
	assert_ptr_equal(out, (struct vmsim_device *)&out);
	assert_int_equal(vmsim_device_new(F->vm, "gpu", &d), 0);
	ERR("vmsim_device_new", -EEXIST, vmsim_device_new(F->vm, "gpu", &out));
	NUL("vmsim_device_lookup", vmsim_device_lookup(NULL, "gpu"));
	NUL("vmsim_device_lookup", vmsim_device_lookup(F->vm, NULL));
	NUL("vmsim_device_lookup", vmsim_device_lookup(F->vm, "npu"));
	NUL("vmsim_device_lookup", vmsim_device_lookup(F->vm2, "gpu"));
	NUL("vmsim_device_name", vmsim_device_name(NULL));
	ERR("vmsim_nr_devices", 0, vmsim_nr_devices(NULL));
	NUL("vmsim_device_at", vmsim_device_at(NULL, 0));
	NUL("vmsim_device_at", vmsim_device_at(F->vm, 1));
	NUL("vmsim_device_at", vmsim_device_at(F->vm, UINT_MAX));

	/* The accesses: hmm_range_fault() without a vma or VM_READ is
	 * -EFAULT; a write to a vma without VM_WRITE -EPERM (hmm_vma_fault);
	 * a process of another machine is not this device's. */
	ERR("vmsim_device_read", -EINVAL, vmsim_device_read(NULL, F->mm, A, &b));
	ERR("vmsim_device_read", -EINVAL, vmsim_device_read(d, NULL, A, &b));
	ERR("vmsim_device_read", -EINVAL, vmsim_device_read(d, F->mm, A, NULL));
	ERR("vmsim_device_read", -EINVAL, vmsim_device_read(d, F->mm2, A, &b));
	ERR("vmsim_device_read", -EFAULT, vmsim_device_read(d, F->mm, E, &b));
	ERR("vmsim_device_read", -EFAULT, vmsim_device_read(d, F->mm, ~0ULL, &b));
	assert_int_equal(b, 0x5a);
	ERR("vmsim_device_write", -EINVAL, vmsim_device_write(NULL, F->mm, A, 1));
	ERR("vmsim_device_write", -EINVAL, vmsim_device_write(d, NULL, A, 1));
	ERR("vmsim_device_write", -EINVAL, vmsim_device_write(d, F->mm2, A, 1));
	ERR("vmsim_device_write", -EFAULT, vmsim_device_write(d, F->mm, E, 1));
	ERR("vmsim_device_write", -EPERM, vmsim_device_write(d, F->mm, D, 1));
	ERR("vmsim_device_write", -EPERM, vmsim_device_write(d, F->mm, D + P, 1));
	ERR("vmsim_device_atomic", -EINVAL, vmsim_device_atomic(NULL, F->mm, A, 1));
	ERR("vmsim_device_atomic", -EINVAL, vmsim_device_atomic(d, NULL, A, 1));
	ERR("vmsim_device_atomic", -EINVAL, vmsim_device_atomic(d, F->mm2, A, 1));
	ERR("vmsim_device_atomic", -EFAULT, vmsim_device_atomic(d, F->mm, E, 1));
	ERR("vmsim_device_atomic", -EFAULT, vmsim_device_atomic(d, F->mm, D, 1));
	ERR("vmsim_device_atomic_begin", -EINVAL, vmsim_device_atomic_begin(NULL, F->mm, A, 1));
	ERR("vmsim_device_atomic_begin", -EINVAL, vmsim_device_atomic_begin(d, NULL, A, 1));
	ERR("vmsim_device_atomic_begin", -EFAULT, vmsim_device_atomic_begin(d, F->mm, E, 1));
	ERR("vmsim_device_atomic_begin", -EFAULT, vmsim_device_atomic_begin(d, F->mm, D, 1));
	ERR("vmsim_device_atomic_commit", -EINVAL, vmsim_device_atomic_commit(NULL));
	ERR("vmsim_device_atomic_commit", -ENOENT, vmsim_device_atomic_commit(d));

	ERR("vmsim_device_cache", -EINVAL, vmsim_device_cache(NULL, 0, &t));
	ERR("vmsim_device_cache", -EINVAL, vmsim_device_cache(d, 0, NULL));
	ERR("vmsim_device_cache", -ENOENT, vmsim_device_cache(d, 0, &t));
	ERR("vmsim_device_cache", -ENOENT, vmsim_device_cache(d, UINT_MAX, &t));
	NUL("vmsim_device_atomic_owner", vmsim_device_atomic_owner(NULL, F->mm, A));
	NUL("vmsim_device_atomic_owner", vmsim_device_atomic_owner(F->vm, NULL, A));
	NUL("vmsim_device_atomic_owner", vmsim_device_atomic_owner(F->vm, F->mm, E));
	NOP("vmsim_device_stats", vmsim_device_stats(NULL, &st));
	NOP("vmsim_device_stats", vmsim_device_stats(d, NULL));
	ERR("vmsim_device_check", 0, vmsim_device_check(NULL));
}
