/* Sim tests: device-exclusive entries and the model device, re-expressing
 * the exclusive cases of Linux's tools/testing/selftests/mm/hmm-tests.c
 * (exclusive, exclusive_mprotect, exclusive_cow) with the outcomes Linux
 * guarantees, on a check=full machine whose checker also runs the device
 * invariant; then the 6.14 semantics side by side, the three quirks of the
 * 2021 review failing the way it predicted, and the race of a CPU fault
 * against a device atomic in both orders.  hmm-tests use a 4 MiB buffer
 * (HMM_BUFFER_SIZE); these use 16 pages, which exercise the same paths. */
#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "simfixture.h"

#define A 0x7f0000000000ULL
#define P 4096ULL
#define NPAGES 16
#define ANON (VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)

static struct vmsim_device *dev;

static void setup(void)
{
	tu_sim_setup();
	ck_assert_int_eq(vmsim_device_new(vm, "gpu", &dev), 0);
}

/* The buffer, each page holding its index (hmm-tests: ptr[i] = i). */
static void init_buffer(struct vmsim_mm *m)
{
	ck_assert_int_eq(vmsim_mmap(m, A, NPAGES * P, TU_PROT_RW, ANON, NULL, 0), 0);
	for (unsigned i = 0; i < NPAGES; i++)
		ck_assert_int_eq(tu_write(m, A + i * P, (unsigned char)i), 0);
}

/* HMM_DMIRROR_EXCLUSIVE: every page exclusive to the device (the atomic
 * stores the value the page already holds). */
static void make_exclusive(struct vmsim_device *d, struct vmsim_mm *m)
{
	for (unsigned i = 0; i < NPAGES; i++)
		ck_assert_int_eq(vmsim_device_atomic(d, m, A + i * P, (uint8_t)i), 0);
}

static unsigned atomic_entries(struct vmsim_device *d)
{
	struct vmsim_device_tlbe t;
	unsigned n = 0;

	for (unsigned i = 0; vmsim_device_cache(d, i, &t) == 0; i++)
		n += t.atomic;
	return n;
}

static bool is_devx(struct vmsim_mm *m, uint64_t addr)
{
	pte_t *ptep = vmsim_pte_lookup(vm, vmsim_mm_pgd(m), addr, false);
	const struct vmsim_kind *k = ptep ? vmsim_kind_of(vm, ptep_get(ptep)) : NULL;

	return k && !strcmp(vmsim_kind_name(k), "device_exclusive");
}

/* hmm-tests "exclusive": the device reads what the CPU wrote; the CPU
 * faults every page back and sees (and changes) the same data; atomic
 * access is then revoked everywhere (HMM_DMIRROR_CHECK_EXCLUSIVE). */
START_TEST(exclusive)
{
	struct vmsim_mm_stats st;
	uint8_t b;

	init_buffer(mm);
	make_exclusive(dev, mm);
	ck_assert_uint_eq(atomic_entries(dev), NPAGES);
	for (unsigned i = 0; i < NPAGES; i++) {
		ck_assert(is_devx(mm, A + i * P));
		/* pagemap: a swap entry (type 30, the pfn), not present. */
		ck_assert_uint_eq(tu_pm(mm, A + i * P) & (PM_SWAP | PM_PRESENT), PM_SWAP);
		ck_assert_int_eq(vmsim_device_read(dev, mm, A + i * P, &b), 0);
		ck_assert_uint_eq(b, i);
	}
	/* 6.15+: the entries keep rss (and, checked by check=full, the
	 * mapcount and the reference). */
	vmsim_mm_stats(mm, &st);
	ck_assert_int_eq(st.rss_anon, NPAGES);
	for (unsigned i = 0; i < NPAGES; i++) {
		ck_assert_int_eq(tu_read(mm, A + i * P), (int)i);
		ck_assert_int_eq(tu_write(mm, A + i * P, (unsigned char)(i + 1)), 0);
	}
	for (unsigned i = 0; i < NPAGES; i++) {
		ck_assert_int_eq(tu_read(mm, A + i * P), (int)(i + 1));
		ck_assert(tu_pm(mm, A + i * P) & PM_PRESENT);
	}
	ck_assert_uint_eq(atomic_entries(dev), 0);
	ck_assert_ptr_null(vmsim_device_atomic_owner(vm, mm, A));
}
END_TEST

/* hmm-tests "exclusive_mprotect": after mprotect(PROT_READ) a device write
 * fails with EPERM (hmm_vma_fault on a vma without VM_WRITE).  6.15+
 * leaves the entry as it is; the notifier took the device's access. */
START_TEST(exclusive_mprotect)
{
	uint8_t b;

	init_buffer(mm);
	make_exclusive(dev, mm);
	for (unsigned i = 0; i < NPAGES; i++) {
		ck_assert_int_eq(vmsim_device_read(dev, mm, A + i * P, &b), 0);
		ck_assert_uint_eq(b, i);
	}
	ck_assert_int_eq(vmsim_mprotect(mm, A, NPAGES * P, VMSIM_PROT_READ), 0);
	ck_assert_uint_eq(atomic_entries(dev), 0);
	ck_assert(is_devx(mm, A));
	ck_assert_int_eq(vmsim_device_write(dev, mm, A, 0x55), -EPERM);
	/* Nor can it take the page again (GUP for write: -EFAULT). */
	ck_assert_int_eq(vmsim_device_atomic(dev, mm, A, 0x55), -EFAULT);
	/* The CPU can still read it back; the restored pte is read-only. */
	ck_assert_int_eq(tu_read(mm, A), 0);
	ck_assert_int_eq(tu_write(mm, A, 1), VMSIM_ACCESS_SIGSEGV);
}
END_TEST

/* hmm-tests "exclusive_cow": fork makes the parent's entries present again
 * and shares them COW; child and parent each see the data and change it
 * independently. */
START_TEST(exclusive_cow)
{
	struct vmsim_mm *child;

	init_buffer(mm);
	make_exclusive(dev, mm);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	/* Fork revoked the device's access: no entry left anywhere. */
	ck_assert_uint_eq(atomic_entries(dev), 0);
	for (unsigned i = 0; i < NPAGES; i++) {
		ck_assert(!is_devx(mm, A + i * P));
		ck_assert(!is_devx(child, A + i * P));
		ck_assert_uint_eq(tu_pfn(mm, A + i * P), tu_pfn(child, A + i * P));
	}
	for (unsigned i = 0; i < NPAGES; i++) {
		ck_assert_int_eq(tu_read(child, A + i * P), (int)i);
		ck_assert_int_eq(tu_write(child, A + i * P, (unsigned char)(i + 1)), 0);
	}
	for (unsigned i = 0; i < NPAGES; i++)
		ck_assert_int_eq(tu_read(child, A + i * P), (int)(i + 1));
	for (unsigned i = 0; i < NPAGES; i++) {
		ck_assert_int_eq(tu_read(mm, A + i * P), (int)i);
		ck_assert_int_eq(tu_write(mm, A + i * P, (unsigned char)(i + 1)), 0);
	}
	for (unsigned i = 0; i < NPAGES; i++)
		ck_assert_int_eq(tu_read(mm, A + i * P), (int)(i + 1));
	vmsim_mm_exit(child);
}
END_TEST

/* Only anonymous memory: shared memory is -EOPNOTSUPP (6.15+); a private
 * file mapping is fine, GUP for write having COWed it into an anonymous
 * page; no vma or no write permission is GUP's -EFAULT. */
START_TEST(anonymous_only)
{
	struct vmsim_file *f;

	ck_assert_int_eq(vmsim_file_new(vm, "f", VMSIM_FILE_SHMEM, 4 * P, &f), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A, P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A + P, P, TU_PROT_RW, VMSIM_MAP_PRIVATE, f, P), 0);
	ck_assert_int_eq(vmsim_mmap(mm, A + 2 * P, P, TU_PROT_R, ANON, NULL, 0), 0);
	ck_assert_int_eq(vmsim_device_atomic(dev, mm, A, 1), -EOPNOTSUPP);
	ck_assert(!is_devx(mm, A));
	ck_assert_int_eq(vmsim_device_atomic(dev, mm, A + P, 1), 0);
	ck_assert(is_devx(mm, A + P));
	ck_assert_int_eq(vmsim_device_atomic(dev, mm, A + 2 * P, 1), -EFAULT);
	ck_assert_int_eq(vmsim_device_atomic(dev, mm, A + 8 * P, 1), -EFAULT);
	ck_assert_int_eq(tu_read(mm, A + P), 1);
}
END_TEST

/* Two devices: the second one's GUP takes the page back from the first
 * (remove_device_exclusive_entry, owner NULL), which stops its atomics. */
START_TEST(two_devices)
{
	struct vmsim_device *other;
	uint8_t b;

	ck_assert_int_eq(vmsim_device_new(vm, "gpu", NULL), -EEXIST);
	ck_assert_int_eq(vmsim_device_new(vm, "", NULL), -EINVAL);
	ck_assert_int_eq(vmsim_device_new(vm, "npu", &other), 0);
	ck_assert_uint_eq(vmsim_nr_devices(vm), 2);
	ck_assert_ptr_eq(vmsim_device_at(vm, 1), other);
	ck_assert_ptr_eq(vmsim_device_lookup(vm, "npu"), other);
	init_buffer(mm);
	ck_assert_int_eq(vmsim_device_atomic(dev, mm, A, 0x11), 0);
	ck_assert_ptr_eq(vmsim_device_atomic_owner(vm, mm, A), dev);
	ck_assert_int_eq(vmsim_device_atomic(other, mm, A, 0x22), 0);
	ck_assert_ptr_eq(vmsim_device_atomic_owner(vm, mm, A), other);
	ck_assert_uint_eq(atomic_entries(dev), 0);
	ck_assert_int_eq(vmsim_device_read(dev, mm, A, &b), 0);
	ck_assert_uint_eq(b, 0x22);
	/* That read took it back from the other device in turn. */
	ck_assert_ptr_null(vmsim_device_atomic_owner(vm, mm, A));
}
END_TEST

/* The device reads through its cache; CPU changes that invalidate the
 * translation (COW after fork, MADV_DONTNEED, munmap) empty it first. */
START_TEST(cache_follows_cpu)
{
	struct vmsim_device_stats st;
	struct vmsim_device_tlbe t;
	struct vmsim_mm *child;
	uint8_t b;

	init_buffer(mm);
	ck_assert_int_eq(vmsim_device_read(dev, mm, A + P, &b), 0);
	ck_assert_uint_eq(b, 1);
	ck_assert_int_eq(vmsim_device_cache(dev, 0, &t), 0);
	ck_assert_uint_eq(t.addr, A + P);
	ck_assert_uint_eq(t.pfn, tu_pfn(mm, A + P));
	ck_assert(t.write && !t.atomic);
	ck_assert_int_eq(vmsim_device_read(dev, mm, A + P, &b), 0);
	vmsim_device_stats(dev, &st);
	ck_assert_uint_eq(st.fills, 1);
	ck_assert_uint_eq(st.reads, 2);
	/* fork write-protects the parent: the writable translation goes. */
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	ck_assert_int_eq(vmsim_device_cache(dev, 0, &t), -ENOENT);
	ck_assert_int_eq(vmsim_device_write(dev, mm, A + P, 9), 0);
	ck_assert_int_eq(tu_read(mm, A + P), 9);
	ck_assert_int_eq(tu_read(child, A + P), 1);
	ck_assert_int_eq(vmsim_madvise(mm, A + P, P, VMSIM_MADV_DONTNEED), 0);
	ck_assert_int_eq(vmsim_device_cache(dev, 0, &t), -ENOENT);
	ck_assert_int_eq(vmsim_device_read(dev, mm, A + P, &b), 0);
	ck_assert_uint_eq(b, 0);	/* the zero page, read-only */
	ck_assert_int_eq(vmsim_device_cache(dev, 0, &t), 0);
	ck_assert(!t.write);
	ck_assert_uint_eq(t.pfn, vmsim_zero_pfn(vm));
	ck_assert_int_eq(vmsim_munmap(mm, A, NPAGES * P), 0);
	ck_assert_int_eq(vmsim_device_cache(dev, 0, &t), -ENOENT);
	ck_assert_int_eq(vmsim_device_read(dev, mm, A, &b), -EFAULT);
	vmsim_mm_exit(child);
}
END_TEST

/* zap of an entry drops rmap, rss and the reference: the frames of an
 * unmapped exclusive buffer are free again. */
START_TEST(zap_frees)
{
	unsigned long before = vmsim_nr_free_pages(vm);
	struct vmsim_mm_stats st;

	init_buffer(mm);
	make_exclusive(dev, mm);
	ck_assert_int_eq(vmsim_munmap(mm, A, NPAGES * P), 0);
	vmsim_mm_stats(mm, &st);
	ck_assert_int_eq(st.rss_anon, 0);
	ck_assert_uint_eq(atomic_entries(dev), 0);
	/* What is still allocated is page tables only. */
	ck_assert_uint_le(before - vmsim_nr_free_pages(vm), st.pgtable_pages + 1);
}
END_TEST

/* mremap carries the entry; rmap finds it at the new place and the CPU
 * fault there restores it. */
START_TEST(mremap_moves_entry)
{
	init_buffer(mm);
	ck_assert_int_eq(vmsim_device_atomic(dev, mm, A, 0x42), 0);
	ck_assert_int_eq(vmsim_mremap(mm, A, NPAGES * P, NPAGES * P, VMSIM_MREMAP_MAYMOVE | VMSIM_MREMAP_FIXED,
				      A + 64 * P), 0);
	ck_assert_uint_eq(atomic_entries(dev), 0);
	ck_assert(is_devx(mm, A + 64 * P));
	/* move_soft_dirty_pte() marks the moved entry soft-dirty. */
	ck_assert(tu_pm(mm, A + 64 * P) & PM_SOFT_DIRTY);
	ck_assert_int_eq(tu_read(mm, A + 64 * P), 0x42);
	ck_assert(!is_devx(mm, A + 64 * P));
}
END_TEST

/* fork while the device holds the folio between make_device_exclusive()
 * and its mapping: try_restore_exclusive_pte() cannot trylock, fork fails
 * with EBUSY, which fork(2) reports as ENOMEM (copy_pmd_range); after the
 * commit it succeeds.  A CPU fault in that window
 * sleeps on the folio lock: the device finishes first. */
START_TEST(fork_ebusy_and_fault_waits)
{
	struct vmsim_mm *child = NULL;
	struct vmsim_mm_stats st;

	init_buffer(mm);
	ck_assert_int_eq(vmsim_device_atomic_begin(dev, mm, A, 0x77), 0);
	ck_assert_int_eq(vmsim_device_atomic_begin(dev, mm, A + P, 0x77), -EBUSY);
	/* copy_nonpresent_pte() says -EBUSY; copy_pmd_range() makes it -ENOMEM. */
	ck_assert_int_eq(vmsim_fork(mm, &child), -ENOMEM);
	vmsim_mm_stats(mm, &st);
	ck_assert(is_devx(mm, A));
	ck_assert_int_eq(vmsim_device_atomic_commit(dev), 0);
	ck_assert_int_eq(vmsim_device_atomic_commit(dev), -ENOENT);
	ck_assert_int_eq(vmsim_fork(mm, &child), 0);
	vmsim_mm_exit(child);
	/* The CPU fault in the window: the atomic lands, then the CPU. */
	ck_assert_int_eq(vmsim_device_atomic_begin(dev, mm, A + P, 0x66), 0);
	ck_assert_int_eq(tu_read(mm, A + P), 0x66);
	ck_assert_uint_eq(atomic_entries(dev), 0);
	ck_assert_int_eq(vmsim_device_atomic_commit(dev), -ENOENT);
}
END_TEST

/* The race for the explorer: a CPU store and a device atomic on one page,
 * in both orders.  Whichever comes last wins; the device never keeps
 * atomic access to a page the CPU maps (check=full after each step). */
START_TEST(race_cpu_fault_vs_device_atomic)
{
	init_buffer(mm);
	/* device first, CPU second */
	ck_assert_int_eq(vmsim_device_atomic(dev, mm, A, 0xd0), 0);
	ck_assert_int_eq(tu_write(mm, A, 0xc0), 0);
	ck_assert_uint_eq(atomic_entries(dev), 0);
	ck_assert_int_eq(tu_read(mm, A), 0xc0);
	/* CPU first, device second */
	ck_assert_int_eq(tu_write(mm, A + P, 0xc1), 0);
	ck_assert_int_eq(vmsim_device_atomic(dev, mm, A + P, 0xd1), 0);
	ck_assert_uint_eq(atomic_entries(dev), 1);
	ck_assert_int_eq(tu_read(mm, A + P), 0xd1);
	/* interleaved: device begins, CPU faults (waits), device commits */
	ck_assert_int_eq(vmsim_device_atomic_begin(dev, mm, A + 2 * P, 0xd2), 0);
	ck_assert_int_eq(tu_write(mm, A + 2 * P, 0xc2), 0);
	ck_assert_int_eq(tu_read(mm, A + 2 * P), 0xc2);
	ck_assert_uint_eq(atomic_entries(dev), 0);
}
END_TEST

/* ---- devx=6.14 side by side ---- */

static struct vmsim *vm614;
static struct vmsim_mm *mm614;
static struct bug_log log614;

static void setup614(void)
{
	memset(&log614, 0, sizeof(log614));
	vm614 = tu_machine_str("ram=16M check=full devx=6.14", &log614);
	ck_assert_ptr_nonnull(vm614);
	ck_assert_int_eq(vmsim_mm_new(vm614, &mm614), 0);
	ck_assert_int_eq(vmsim_device_new(vm614, "gpu", &dev), 0);
}

static void teardown614(void)
{
	vmsim_free(vm614);
	ck_assert_uint_eq(log614.count, 0);
}

static pte_t pte614(uint64_t addr)
{
	return ptep_get(vmsim_pte_lookup(vm614, vmsim_mm_pgd(mm614), addr, false));
}

/* Two entry types (the readable one taking a special swap type, so
 * MAX_SWAPFILES is 23 as with SWP_DEVICE_NUM 4); the entry drops the
 * mapcount; mprotect turns a write entry into a read entry, and the
 * restored pte is then read-only even after mprotect gives write back;
 * shared memory is -EBUSY, not -EOPNOTSUPP. */
START_TEST(v614_semantics)
{
	struct vmsim_file *f;
	unsigned long pfn;
	char d[64];

	ck_assert_uint_eq(vmsim_max_swapfiles(vm614), 23);
	ck_assert_int_eq(vmsim_mmap(mm614, A, 2 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(tu_write(mm614, A, 5), 0);
	pfn = tu_pfn(mm614, A);
	ck_assert_int_eq(vmsim_device_atomic(dev, mm614, A, 6), 0);
	ck_assert_int_eq(vmsim_pfn_to_page(vm614, pfn)->mapcount, 0);
	vmsim_kind_describe(vm614, pte614(A), d, sizeof(d));
	ck_assert_ptr_nonnull(strstr(d, "device-exclusive write pfn"));
	ck_assert_int_eq(vmsim_mprotect(mm614, A, 2 * P, VMSIM_PROT_READ), 0);
	vmsim_kind_describe(vm614, pte614(A), d, sizeof(d));
	ck_assert_ptr_nonnull(strstr(d, "device-exclusive read pfn"));
	ck_assert_int_eq(vmsim_mprotect(mm614, A, 2 * P, TU_PROT_RW), 0);
	ck_assert_int_eq(tu_read(mm614, A), 6);
	ck_assert(!pte_write(pte614(A)));
	ck_assert_int_eq(vmsim_pfn_to_page(vm614, pfn)->mapcount, 1);
	ck_assert_int_eq(vmsim_file_new(vm614, "f", VMSIM_FILE_SHMEM, P, &f), 0);
	ck_assert_int_eq(vmsim_mmap(mm614, A + 4 * P, P, TU_PROT_RW, VMSIM_MAP_SHARED, f, 0), 0);
	ck_assert_int_eq(vmsim_device_atomic(dev, mm614, A + 4 * P, 1), -EBUSY);
}
END_TEST

/* The same hmm-tests cases hold under 6.14. */
START_TEST(v614_exclusive_cow)
{
	struct vmsim_mm *child;

	ck_assert_int_eq(vmsim_mmap(mm614, A, 4 * P, TU_PROT_RW, ANON, NULL, 0), 0);
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_int_eq(tu_write(mm614, A + i * P, (unsigned char)i), 0);
		ck_assert_int_eq(vmsim_device_atomic(dev, mm614, A + i * P, (uint8_t)i), 0);
	}
	ck_assert_int_eq(vmsim_fork(mm614, &child), 0);
	for (unsigned i = 0; i < 4; i++) {
		ck_assert_int_eq(tu_read(child, A + i * P), (int)i);
		ck_assert_int_eq(tu_write(child, A + i * P, (unsigned char)(i + 1)), 0);
		ck_assert_int_eq(tu_read(mm614, A + i * P), (int)i);
	}
	vmsim_mm_exit(child);
}
END_TEST

/* ---- the quirks: each check fails as the review predicted ---- */

static struct vmsim *qvm;
static struct vmsim_mm *qmm;
static struct bug_log qlog;

static void quirk_machine(const char *quirk)
{
	char opts[128];

	memset(&qlog, 0, sizeof(qlog));
	snprintf(opts, sizeof(opts), "ram=16M check=full quirks=%s", quirk);
	qvm = tu_machine_str(opts, &qlog);
	ck_assert_ptr_nonnull(qvm);
	ck_assert_int_eq(vmsim_mm_new(qvm, &qmm), 0);
	ck_assert_int_eq(vmsim_device_new(qvm, "gpu", &dev), 0);
	ck_assert_int_eq(vmsim_mmap(qmm, A, P, TU_PROT_RW, ANON, NULL, 0), 0);
	ck_assert_int_eq(tu_write(qmm, A, 1), 0);
}

/* Keeping the entry across fork in a COW mapping: parent and child both
 * restore writable ptes of one private page, and a write of either is
 * seen by the other (page_table_check's anon rule fails). */
START_TEST(quirk_fork_keeps_entry)
{
	struct vmsim_mm *child;

	quirk_machine("devx_fork_keeps_entry");
	ck_assert_int_eq(vmsim_device_atomic(dev, qmm, A, 2), 0);
	ck_assert_int_eq(vmsim_fork(qmm, &child), 0);
	ck_assert_uint_eq(qlog.count, 0);
	ck_assert_int_eq(tu_write(child, A, 3), 0);
	ck_assert_uint_eq(qlog.count, 0);
	ck_assert_int_eq(tu_write(qmm, A, 4), 0);
	ck_assert_uint_ge(qlog.count, 1);
	ck_assert_ptr_nonnull(strstr(qlog.last, "page_table_check"));
	/* The child's private memory changed under it. */
	ck_assert_int_eq(tu_read(child, A), 4);
	vmsim_free(qvm);
}
END_TEST

/* Restoring without the folio lock: fork (or a CPU fault) in the window
 * between make_device_exclusive() and the device's mapping takes the page
 * back at once, and the device then does its atomic on a page the CPU
 * maps. */
START_TEST(quirk_restore_unlocked)
{
	struct vmsim_mm *child;

	quirk_machine("devx_restore_unlocked");
	ck_assert_int_eq(vmsim_device_atomic_begin(dev, qmm, A, 2), 0);
	ck_assert_int_eq(vmsim_fork(qmm, &child), 0);
	ck_assert_uint_eq(qlog.count, 0);
	ck_assert_int_eq(vmsim_device_atomic_commit(dev), 0);
	ck_assert_uint_ge(qlog.count, 1);
	ck_assert_ptr_nonnull(strstr(qlog.last, "device invariant"));
	vmsim_free(qvm);
}
END_TEST

/* A notifier that does not ignore its own MMU_NOTIFY_EXCLUSIVE: every
 * make_device_exclusive() invalidates the device that asked for it, the
 * collision check fails every time, the device gives up (EBUSY). */
START_TEST(quirk_no_owner_filter)
{
	struct vmsim_device_stats st;

	quirk_machine("devx_no_owner_filter");
	ck_assert_int_eq(vmsim_device_atomic(dev, qmm, A, 2), -EBUSY);
	ck_assert_uint_eq(qlog.count, 1);
	ck_assert_ptr_nonnull(strstr(qlog.last, "livelock"));
	vmsim_device_stats(dev, &st);
	ck_assert_uint_eq(st.retries, 16);
	ck_assert_uint_eq(st.own_ignored, 0);
	vmsim_free(qvm);
}
END_TEST

/* Without the quirk, the device ignored its own event each time. */
START_TEST(owner_filtered)
{
	struct vmsim_device_stats st;

	init_buffer(mm);
	ck_assert_int_eq(vmsim_device_atomic(dev, mm, A, 2), 0);
	vmsim_device_stats(dev, &st);
	ck_assert_uint_eq(st.own_ignored, 1);
	ck_assert_uint_eq(st.retries, 0);
	ck_assert_uint_eq(st.atomics, 1);
}
END_TEST

static Suite *suite(void)
{
	Suite *s = suite_create("device");
	TCase *tc = tcase_create("hmm-tests");
	TCase *t614 = tcase_create("devx-6.14");
	TCase *tq = tcase_create("quirks");

	tcase_add_checked_fixture(tc, setup, tu_sim_teardown);
	tcase_add_test(tc, exclusive);
	tcase_add_test(tc, exclusive_mprotect);
	tcase_add_test(tc, exclusive_cow);
	tcase_add_test(tc, anonymous_only);
	tcase_add_test(tc, two_devices);
	tcase_add_test(tc, cache_follows_cpu);
	tcase_add_test(tc, zap_frees);
	tcase_add_test(tc, mremap_moves_entry);
	tcase_add_test(tc, fork_ebusy_and_fault_waits);
	tcase_add_test(tc, race_cpu_fault_vs_device_atomic);
	tcase_add_test(tc, owner_filtered);
	suite_add_tcase(s, tc);
	tcase_add_checked_fixture(t614, setup614, teardown614);
	tcase_add_test(t614, v614_semantics);
	tcase_add_test(t614, v614_exclusive_cow);
	suite_add_tcase(s, t614);
	tcase_add_test(tq, quirk_fork_keeps_entry);
	tcase_add_test(tq, quirk_restore_unlocked);
	tcase_add_test(tq, quirk_no_owner_filter);
	suite_add_tcase(s, tq);
	return s;
}

int main(void)
{
	return tu_check_main(suite());
}
