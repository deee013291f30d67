/* Bad-argument cases: mm.h (processes, the system calls, files) and
 * userfaultfd.h.  Expected errnos are Linux's: mm/mmap.c do_mmap,
 * mm/vma.c do_vmi_munmap, mm/mprotect.c, mm/mremap.c, mm/madvise.c,
 * mm/gup.c, fs/read_write.c, fs/open.c (vfs_fallocate, do_sys_ftruncate),
 * fs/proc/task_mmu.c, fs/userfaultfd.c. */
#include <errno.h>
#include <limits.h>
#include <string.h>

#include "badargs.h"

#define ANON	(VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS)
#define RW	TU_PROT_RW
#define E	0x70000000ULL		/* nothing mapped here */
#define TS5	((1ULL << 56) - P)	/* TASK_SIZE, levels=5 */
#define TS4	((1ULL << 47) - P)	/* TASK_SIZE, levels=4 */

static void rmap_count(void *arg, struct vmsim_mm *mm, uint64_t addr)
{
	(void)mm, (void)addr;
	++*(int *)arg;
}

void ba_cases_mm(void **state)
{
	struct vmsim_mm *mm = F->mm, *out = (struct vmsim_mm *)&out;
	struct vmsim_mm_stats st;

	(void)state;
	ERR("vmsim_mm_new", -EINVAL, vmsim_mm_new(NULL, &out));
	ERR("vmsim_mm_new", -EINVAL, vmsim_mm_new(F->vm, NULL));
	NOP("vmsim_mm_exit", vmsim_mm_exit(NULL));
	ERR("vmsim_fork", -EINVAL, vmsim_fork(NULL, &out));
	ERR("vmsim_fork", -EINVAL, vmsim_fork(mm, NULL));
	ERR("vmsim_mm_id", 0, vmsim_mm_id(NULL));
	NUL("vmsim_mm_machine", vmsim_mm_machine(NULL));
	ERR("vmsim_mm_cpu", 0, vmsim_mm_cpu(NULL));
	ERR("vmsim_mm_run", -EINVAL, vmsim_mm_run(NULL, 0));
	ERR("vmsim_mm_run", -EINVAL, vmsim_mm_run(mm, -1));
	ERR("vmsim_mm_run", -EINVAL, vmsim_mm_run(mm, 2));
	ERR("vmsim_mm_run", -EINVAL, vmsim_mm_run(mm, INT_MIN));
	ERR("vmsim_mm_run", -EINVAL, vmsim_mm_run(F->mm2, 1));
	assert_ptr_equal(out, (struct vmsim_mm *)&out);
	NOP("vmsim_mm_stats", vmsim_mm_stats(NULL, &st));
	NOP("vmsim_mm_stats", vmsim_mm_stats(mm, NULL));

	/* mmap: sys_mmap, ksys_mmap_pgoff, do_mmap, __get_unmapped_area. */
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(NULL, E, P, RW, ANON, NULL, 0));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E + 1, P, RW, ANON, NULL, 0));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, P, RW, VMSIM_MAP_SHARED, F->shm, 1));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, 0, RW, ANON, NULL, 0));
	ERR("vmsim_mmap", -ENOMEM, vmsim_mmap(mm, E, ~0ULL, RW, ANON, NULL, 0));
	ERR("vmsim_mmap", -ENOMEM, vmsim_mmap(mm, E, 1ULL << 62, RW, ANON, NULL, 0));
	ERR("vmsim_mmap", -ENOMEM, vmsim_mmap(mm, TS5, 2 * P, RW, ANON, NULL, 0));
	ERR("vmsim_mmap", -ENOMEM, vmsim_mmap(mm, TS5 + P, P, RW, ANON, NULL, 0));
	ERR("vmsim_mmap", -ENOMEM, vmsim_mmap(mm, 1ULL << 63, P, RW, ANON, NULL, 0));
	ERR("vmsim_mmap", -ENOMEM, vmsim_mmap(F->mm2, TS4, 2 * P, RW, ANON, NULL, 0));
	ERR("vmsim_mmap", -ENOMEM, vmsim_mmap(F->mm2, TS4 + P, P, RW, ANON, NULL, 0));
	ERR("vmsim_mmap", -EOVERFLOW, vmsim_mmap(mm, E, 2 * P, RW, VMSIM_MAP_SHARED, F->shm, ~0ULL & PAGE_MASK));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, P, RW, -1, NULL, 0));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, P, RW, -1, F->shm, 0));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, P, RW, VMSIM_MAP_ANONYMOUS, NULL, 0));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, P, RW, 0, F->shm, 0));
	for (int type = 4; type <= 0xf; type++)
		if (type != 0x08)
			ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, P, RW, type | VMSIM_MAP_ANONYMOUS, NULL, 0));
	/* MAP_SHARED_VALIDATE (0x03): anonymous EINVAL; a file's unknown flags EOPNOTSUPP. */
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, P, RW, 0x03 | VMSIM_MAP_ANONYMOUS, NULL, 0));
	ERR("vmsim_mmap", -EOPNOTSUPP, vmsim_mmap(mm, E, P, RW, 0x03 | 0x100000, F->shm, 0));
	ERR("vmsim_mmap", -EOPNOTSUPP, vmsim_mmap(mm, E, P, RW, 0x03 | INT_MIN, F->shm, 0));
	/* MAP_DROPPABLE (0x08): not modelled anonymous, EINVAL with a file. */
	ERR("vmsim_mmap", -EOPNOTSUPP, vmsim_mmap(mm, E, P, RW, 0x08 | VMSIM_MAP_ANONYMOUS, NULL, 0));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, P, RW, 0x08, F->shm, 0));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, P, 0x8, ANON, NULL, 0));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, P, -1, ANON, NULL, 0));
	ERR("vmsim_mmap", -EBADF, vmsim_mmap(mm, E, P, RW, VMSIM_MAP_SHARED, NULL, 0));
	ERR("vmsim_mmap", -EBADF, vmsim_mmap(mm, E, P, RW, VMSIM_MAP_PRIVATE, NULL, 0));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, P, RW, VMSIM_MAP_SHARED, F->f2, 0));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(mm, E, P, RW, ANON, F->f2, 0));
	ERR("vmsim_mmap", -EINVAL, vmsim_mmap(F->mm2, E, P, RW, VMSIM_MAP_PRIVATE, F->shm, 0));
	ERR("vmsim_mmap", -EEXIST, vmsim_mmap(mm, A + P, P, RW, ANON, NULL, 0));
	ERR("vmsim_mmap", -EEXIST, vmsim_mmap(mm, B - P, 2 * P, RW, VMSIM_MAP_SHARED | VMSIM_MAP_POPULATE, F->shm, 0));

	/* munmap: do_vmi_munmap. */
	ERR("vmsim_munmap", -EINVAL, vmsim_munmap(NULL, A, P));
	ERR("vmsim_munmap", -EINVAL, vmsim_munmap(mm, A + 1, P));
	ERR("vmsim_munmap", -EINVAL, vmsim_munmap(mm, A, 0));
	ERR("vmsim_munmap", -EINVAL, vmsim_munmap(mm, TS5 + P, P));
	ERR("vmsim_munmap", -EINVAL, vmsim_munmap(mm, A, TS5));
	ERR("vmsim_munmap", -EINVAL, vmsim_munmap(mm, A, ~0ULL));
	ERR("vmsim_munmap", -EINVAL, vmsim_munmap(F->mm2, TS4 + P, P));
	ERR("vmsim_munmap", -EINVAL, vmsim_munmap(F->mm2, A, TS4));

	/* mprotect: do_mprotect_pkey. */
	ERR("vmsim_mprotect", -EINVAL, vmsim_mprotect(NULL, A, P, TU_PROT_R));
	ERR("vmsim_mprotect", -EINVAL, vmsim_mprotect(mm, A + 1, P, TU_PROT_R));
	ERR("vmsim_mprotect", 0, vmsim_mprotect(mm, A, 0, TU_PROT_R));
	ERR("vmsim_mprotect", -ENOMEM, vmsim_mprotect(mm, A, ~0ULL, TU_PROT_R));
	ERR("vmsim_mprotect", -ENOMEM, vmsim_mprotect(mm, A, ~0ULL - 2 * P, TU_PROT_R));
	ERR("vmsim_mprotect", -EINVAL, vmsim_mprotect(mm, A, P, 0x10));
	ERR("vmsim_mprotect", -EINVAL, vmsim_mprotect(mm, A, P, -1));
	ERR("vmsim_mprotect", -ENOMEM, vmsim_mprotect(mm, E, P, TU_PROT_R));
	ERR("vmsim_mprotect", -ENOMEM, vmsim_mprotect(mm, TS5, P, TU_PROT_R));
	ERR("vmsim_mprotect", -ENOMEM, vmsim_mprotect(F->mm2, TS4 + P, P, TU_PROT_R));

	/* mremap: the flags, then mremap_to's checks. */
	ERR("vmsim_mremap", -EINVAL, vmsim_mremap(NULL, A, P, P, 3, E));
	ERR("vmsim_mremap", -EINVAL, vmsim_mremap(mm, A, P, P, 8, E));
	ERR("vmsim_mremap", -EINVAL, vmsim_mremap(mm, A, P, P, -1, E));
	ERR("vmsim_mremap", -EINVAL, vmsim_mremap(mm, A, P, P, VMSIM_MREMAP_FIXED, E));
	ERR("vmsim_mremap", -EINVAL, vmsim_mremap(mm, A + 1, P, P, 3, E));
	ERR("vmsim_mremap", -EINVAL, vmsim_mremap(mm, A, P, 0, 3, E));
	ERR("vmsim_mremap", -EINVAL, vmsim_mremap(mm, A, P, P, 3, E + 1));
	ERR("vmsim_mremap", -EINVAL, vmsim_mremap(mm, A, P, P, 3, TS5));
	ERR("vmsim_mremap", -EINVAL, vmsim_mremap(mm, A, P, P, 3, ~0ULL & PAGE_MASK));
	ERR("vmsim_mremap", -EINVAL, vmsim_mremap(F->mm2, A, P, P, 3, TS4));
	ERR("vmsim_mremap", -EINVAL, vmsim_mremap(mm, A, 2 * P, 2 * P, 3, A + P));

	/* madvise: madvise_should_skip / do_madvise. */
	ERR("vmsim_madvise", -EINVAL, vmsim_madvise(NULL, A, P, VMSIM_MADV_DONTNEED));
	ERR("vmsim_madvise", -EINVAL, vmsim_madvise(mm, A, P, 999));
	ERR("vmsim_madvise", -EINVAL, vmsim_madvise(mm, A, P, -1));
	ERR("vmsim_madvise", -EINVAL, vmsim_madvise(mm, A + 1, P, VMSIM_MADV_DONTNEED));
	ERR("vmsim_madvise", -EINVAL, vmsim_madvise(mm, A, ~0ULL, VMSIM_MADV_DONTNEED));
	ERR("vmsim_madvise", -EINVAL, vmsim_madvise(mm, A, ~0ULL - A, VMSIM_MADV_DONTNEED));
	ERR("vmsim_madvise", 0, vmsim_madvise(mm, A, 0, VMSIM_MADV_DONTNEED));
	ERR("vmsim_madvise", -ENOMEM, vmsim_madvise(mm, E, P, VMSIM_MADV_DONTNEED));
	ERR("vmsim_madvise", -ENOMEM, vmsim_madvise(mm, TS5, P, VMSIM_MADV_DONTNEED));
	ERR("vmsim_madvise", -ENOMEM, vmsim_madvise(F->mm2, TS4 + P, P, VMSIM_MADV_DONTNEED));

	/* A process's clear_refs: type 4 is CLEAR_REFS_SOFT_DIRTY; 0 and
	 * past CLEAR_REFS_LAST are EINVAL in Linux, 1-3 and 5 not modelled. */
	ERR("vmsim_clear_refs", -EINVAL, vmsim_clear_refs(NULL, 4));
	ERR("vmsim_clear_refs", -EINVAL, vmsim_clear_refs(mm, 0));
	ERR("vmsim_clear_refs", -EINVAL, vmsim_clear_refs(mm, 6));
	ERR("vmsim_clear_refs", -EINVAL, vmsim_clear_refs(mm, -1));
	ERR("vmsim_clear_refs", -EINVAL, vmsim_clear_refs(mm, 1));
}

void ba_cases_vm_calls(void **state)
{
	struct vmsim *vm = F->vm;
	struct vmsim_mm *mm = F->mm;
	struct vmsim_vma_info v;
	unsigned char buf[4] = { 0 };
	uint64_t pm[2], fa = 42;
	unsigned long pfns[2] = { 0 }, unpinned = tu_pfn(mm, A + P);
	char own[32];
	int calls = 0;

	(void)state;
	/* access: an mm, a buffer, no wrap, a CPU of the machine. */
	ERR("vmsim_access", -EINVAL, vmsim_access(NULL, -1, A, buf, 1, false, &fa));
	ERR("vmsim_access", -EINVAL, vmsim_access(mm, -1, A, NULL, 1, false, &fa));
	ERR("vmsim_access", -EINVAL, vmsim_access(mm, -1, ~0ULL, buf, 2, true, &fa));
	ERR("vmsim_access", -EINVAL, vmsim_access(mm, -2, A, buf, 1, false, &fa));
	ERR("vmsim_access", -EINVAL, vmsim_access(mm, 2, A, buf, 1, false, &fa));
	/* Non-canonical: #GP, SIGSEGV, nothing walked. */
	ERR("vmsim_access", VMSIM_ACCESS_SIGSEGV, vmsim_access(mm, -1, 1ULL << 60, buf, 1, false, &fa));
	assert_true(fa == 1ULL << 60);
	/* fetch: the same rules. */
	ERR("vmsim_fetch", -EINVAL, vmsim_fetch(NULL, -1, A, buf, 1, &fa));
	ERR("vmsim_fetch", -EINVAL, vmsim_fetch(mm, -1, A, NULL, 1, &fa));
	ERR("vmsim_fetch", -EINVAL, vmsim_fetch(mm, -1, ~0ULL, buf, 2, &fa));
	ERR("vmsim_fetch", -EINVAL, vmsim_fetch(mm, 2, A, buf, 1, &fa));
	ERR("vmsim_fetch", VMSIM_ACCESS_SIGSEGV, vmsim_fetch(mm, -1, 1ULL << 60, buf, 1, &fa));

	/* access_many: checked whole before anything runs. */
	{
		struct vmsim_access_req q[2] = { { .addr = A, .size = 1 }, { .addr = A, .size = 1 } };
		int res = 7;

		ERR("vmsim_access_many", -EINVAL, vmsim_access_many(NULL, q, 1, &res));
		ERR("vmsim_access_many", -EINVAL, vmsim_access_many(mm, NULL, 1, &res));
		q[1].size = 0;
		ERR("vmsim_access_many", -EINVAL, vmsim_access_many(mm, q, 2, &res));
		q[1].size = 2;
		q[1].addr = ~0ULL;
		ERR("vmsim_access_many", -EINVAL, vmsim_access_many(mm, q, 2, &res));
		q[1].addr = A;
		q[1].kind = 7;
		ERR("vmsim_access_many", -EINVAL, vmsim_access_many(mm, q, 2, &res));
		q[1].kind = VMSIM_ACC_LOAD;
		q[1].cpu = 2;
		ERR("vmsim_access_many", -EINVAL, vmsim_access_many(mm, q, 2, &res));
		q[1].cpu = -2;
		ERR("vmsim_access_many", -EINVAL, vmsim_access_many(mm, q, 2, &res));
		assert_int_equal(res, 7);
	}
	/* smaps: no vma is ENOMEM, as reading /proc/PID/smaps finds none. */
	{
		struct vmsim_smaps sm;

		ERR("vmsim_smaps", -EINVAL, vmsim_smaps(NULL, A, &sm));
		ERR("vmsim_smaps", -EINVAL, vmsim_smaps(mm, A, NULL));
		ERR("vmsim_smaps", -ENOMEM, vmsim_smaps(mm, 0x70000000ULL, &sm));
		ERR("vmsim_smaps", -ENOMEM, vmsim_smaps(mm, TS5, &sm));
	}
	NUL("vmsim_mm_context", vmsim_mm_context(NULL));
	ERR("vmsim_pagemap", -EINVAL, vmsim_pagemap(NULL, A, 1, pm));
	ERR("vmsim_pagemap", -EINVAL, vmsim_pagemap(mm, A, 1, NULL));
	ERR("vmsim_pagemap", -EINVAL, vmsim_pagemap(mm, A + 1, 1, pm));
	ERR("vmsim_pagemap", -EINVAL, vmsim_pagemap(mm, A, ~0UL, pm));
	ERR("vmsim_zero_pfn", ~0UL, vmsim_zero_pfn(NULL));
	ERR("vmsim_is_zero_pfn", 0, vmsim_is_zero_pfn(NULL, 0));
	ERR("vmsim_is_zero_pfn", 0, vmsim_is_zero_pfn(vm, ~0UL));
	ERR("vmsim_is_zero_pfn", 0, vmsim_is_zero_pfn(vm, F->pinned));
	ERR("vmsim_hugetlb_pool", 0, vmsim_hugetlb_pool(NULL, NULL, NULL));
	ERR("vmsim_shrink_slab", 0, vmsim_shrink_slab(NULL));

	/* pin_user_pages: nr_pages 0 is 0 (__get_user_pages); no vma EFAULT. */
	ERR("vmsim_pin_user_pages", -EINVAL, vmsim_pin_user_pages(NULL, A, 1, false, pfns));
	ERR("vmsim_pin_user_pages", -EINVAL, vmsim_pin_user_pages(mm, A + 1, 1, false, pfns));
	ERR("vmsim_pin_user_pages", 0, vmsim_pin_user_pages(mm, A, 0, false, pfns));
	ERR("vmsim_pin_user_pages", -EFAULT, vmsim_pin_user_pages(mm, E, 1, false, pfns));
	ERR("vmsim_pin_user_pages", -EFAULT, vmsim_pin_user_pages(mm, TS5, 1, false, pfns));
	ERR("vmsim_pin_user_pages", -EFAULT, vmsim_pin_user_pages(mm, D, 1, true, pfns));
	/* Unpin is all or nothing: a pfn not pinned, or pinned fewer times
	 * than listed, leaves every pin in place. */
	ERR("vmsim_unpin_user_pages", -EINVAL, vmsim_unpin_user_pages(NULL, &F->pinned, 1));
	ERR("vmsim_unpin_user_pages", -EINVAL, vmsim_unpin_user_pages(vm, NULL, 1));
	ERR("vmsim_unpin_user_pages", -EINVAL, vmsim_unpin_user_pages(vm, &unpinned, 1));
	pfns[0] = vmsim_nr_frames(vm);
	ERR("vmsim_unpin_user_pages", -EINVAL, vmsim_unpin_user_pages(vm, pfns, 1));
	pfns[0] = F->pinned;
	pfns[1] = F->pinned;
	ERR("vmsim_unpin_user_pages", -EINVAL, vmsim_unpin_user_pages(vm, pfns, 2));
	pfns[1] = unpinned;
	ERR("vmsim_unpin_user_pages", -EINVAL, vmsim_unpin_user_pages(vm, pfns, 2));
	pfns[1] = F->page;
	ERR("vmsim_unpin_user_pages", -EINVAL, vmsim_unpin_user_pages(vm, pfns, 2));

	ERR("vmsim_mm_vma", -EINVAL, vmsim_mm_vma(NULL, 0, &v));
	ERR("vmsim_mm_vma", -EINVAL, vmsim_mm_vma(mm, 0, NULL));
	ERR("vmsim_mm_vma", -ENOENT, vmsim_mm_vma(mm, 1000, &v));
	ERR("vmsim_mm_vma", -ENOENT, vmsim_mm_vma(mm, UINT_MAX, &v));
	ERR("vmsim_mm_pgd", ~0UL, vmsim_mm_pgd(NULL));
	NOP("vmsim_page_rmap", vmsim_page_rmap(NULL, F->pinned, rmap_count, &calls));
	NOP("vmsim_page_rmap", vmsim_page_rmap(vm, F->pinned, NULL, &calls));
	NOP("vmsim_page_rmap", vmsim_page_rmap(vm, vmsim_nr_frames(vm), rmap_count, &calls));
	NOP("vmsim_page_rmap", vmsim_page_rmap(vm, ~0UL, rmap_count, &calls));
	NOP("vmsim_page_rmap", vmsim_page_rmap(vm, vmsim_mm_pgd(mm), rmap_count, &calls));
	assert_int_equal(calls, 0);
	NUL("vmsim_page_owner", vmsim_page_owner(NULL, F->pinned, own, sizeof(own)));
	NUL("vmsim_page_owner", vmsim_page_owner(vm, F->pinned, NULL, sizeof(own)));
	NUL("vmsim_page_owner", vmsim_page_owner(vm, F->pinned, own, 0));
	STR("vmsim_page_owner", "none", vmsim_page_owner(vm, ~0UL, own, sizeof(own)));
	ERR("vmsim_check_all", 0, vmsim_check_all(NULL));
}

void ba_cases_file(void **state)
{
	struct vmsim *vm = F->vm;
	struct vmsim_file *f = F->shm, *out = (struct vmsim_file *)&out;
	char name[64];
	unsigned char buf[4] = { 0 };

	(void)state;
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	ERR("vmsim_file_new", -EINVAL, vmsim_file_new(NULL, "x", VMSIM_FILE_SHMEM, P, &out));
	ERR("vmsim_file_new", -EINVAL, vmsim_file_new(vm, NULL, VMSIM_FILE_SHMEM, P, &out));
	ERR("vmsim_file_new", -EINVAL, vmsim_file_new(vm, "", VMSIM_FILE_SHMEM, P, &out));
	ERR("vmsim_file_new", -EINVAL, vmsim_file_new(vm, name, VMSIM_FILE_SHMEM, P, &out));
	name[32] = 0;
	ERR("vmsim_file_new", -EINVAL, vmsim_file_new(vm, name, VMSIM_FILE_SHMEM, P, &out));
	ERR("vmsim_file_new", -EINVAL, vmsim_file_new(vm, "x", (enum vmsim_file_kind)4, P, &out));
	/* hugetlbfs: whole 2 MiB pages only. */
	ERR("vmsim_file_new", -EINVAL, vmsim_file_new(vm, "x", VMSIM_FILE_HUGETLB, P, &out));
	ERR("vmsim_file_new", -EFBIG, vmsim_file_new(vm, "x", VMSIM_FILE_SHMEM, (1ULL << 46) + 1, &out));
	ERR("vmsim_file_new", -EFBIG, vmsim_file_new(vm, "x", VMSIM_FILE_DISK, ~0ULL, &out));
	/* DAX: no persistent memory on vm2; more than the region on vm. */
	ERR("vmsim_file_new", -EOPNOTSUPP, vmsim_file_new(F->vm2, "x", VMSIM_FILE_DAX, P, &out));
	ERR("vmsim_file_new", -ENOSPC, vmsim_file_new(vm, "x", VMSIM_FILE_DAX, 1ULL << 40, &out));
	ERR("vmsim_file_new", -EEXIST, vmsim_file_new(vm, "shm", VMSIM_FILE_DISK, P, &out));
	assert_ptr_equal(out, (struct vmsim_file *)&out);
	NUL("vmsim_file_lookup", vmsim_file_lookup(NULL, "shm"));
	NUL("vmsim_file_lookup", vmsim_file_lookup(vm, NULL));
	NUL("vmsim_file_lookup", vmsim_file_lookup(vm, "g"));	/* vm2's */
	ERR("vmsim_file_size", 0, vmsim_file_size(NULL));
	ERR("vmsim_file_cached_pages", 0, vmsim_file_cached_pages(NULL));

	/* pwrite/pread: ksys_p*64 (pos < 0), vfs_*: access_ok (EFAULT, before
	 * anything else: checked on the host, a count of 2^62 or 2^63 is EFAULT
	 * there), rw_verify_area (pos + count < 0). */
	ERR("vmsim_file_write", -EBADF, vmsim_file_write(NULL, 0, buf, 1));
	ERR("vmsim_file_write", -EFAULT, vmsim_file_write(f, 0, NULL, 1));
	ERR("vmsim_file_write", -EINVAL, vmsim_file_write(f, 1ULL << 63, buf, 1));
	ERR("vmsim_file_write", -EINVAL, vmsim_file_write(f, ~0ULL, buf, 1));
	ERR("vmsim_file_write", -EFAULT, vmsim_file_write(f, 0, buf, SIZE_MAX));
	ERR("vmsim_file_write", -EFAULT, vmsim_file_write(f, 1ULL << 62, buf, 1ULL << 62));
	ERR("vmsim_file_write", -EINVAL, vmsim_file_write(f, INT64_MAX, buf, 1));
	ERR("vmsim_file_write", -EINVAL, vmsim_file_write(f, INT64_MAX - 1, buf, 4));
	ERR("vmsim_file_write", -EFBIG, vmsim_file_write(f, 1ULL << 46, buf, 1));
	ERR("vmsim_file_write", -EFBIG, vmsim_file_write(F->disk, (1ULL << 47) - 1, buf, 2));
	ERR("vmsim_file_read", -EBADF, vmsim_file_read(NULL, 0, buf, 1));
	ERR("vmsim_file_read", -EFAULT, vmsim_file_read(f, 0, NULL, 1));
	ERR("vmsim_file_read", -EINVAL, vmsim_file_read(f, 1ULL << 63, buf, 1));
	ERR("vmsim_file_read", -EFAULT, vmsim_file_read(F->disk, 0, buf, SIZE_MAX));
	ERR("vmsim_file_read", -EFAULT, vmsim_file_read(F->disk, 1ULL << 62, buf, 1ULL << 62));
	ERR("vmsim_file_read", -EINVAL, vmsim_file_read(F->disk, INT64_MAX, buf, 1));
	ERR("vmsim_file_read", -EINVAL, vmsim_file_read(F->disk, INT64_MAX - 1, buf, 4));

	/* fallocate(PUNCH_HOLE|KEEP_SIZE): vfs_fallocate. */
	ERR("vmsim_file_punch", -EBADF, vmsim_file_punch(NULL, 0, P));
	ERR("vmsim_file_punch", -EINVAL, vmsim_file_punch(f, 1ULL << 63, P));
	ERR("vmsim_file_punch", -EINVAL, vmsim_file_punch(f, ~0ULL, 1));
	ERR("vmsim_file_punch", -EINVAL, vmsim_file_punch(f, 0, 0));
	ERR("vmsim_file_punch", -EINVAL, vmsim_file_punch(f, 0, 1ULL << 63));
	ERR("vmsim_file_punch", -EINVAL, vmsim_file_punch(f, 0, ~0ULL));
	ERR("vmsim_file_punch", -EFBIG, vmsim_file_punch(f, 1ULL << 62, 1ULL << 62));
	ERR("vmsim_file_punch", -EFBIG, vmsim_file_punch(f, (1ULL << 63) - 1, 1));
	ERR("vmsim_file_punch", -EFBIG, vmsim_file_punch(f, 1ULL << 46, 1));
	ERR("vmsim_file_punch", -EFBIG, vmsim_file_punch(f, 0, (1ULL << 46) + 1));
	/* ftruncate: do_sys_ftruncate, inode_newsize_ok. */
	ERR("vmsim_file_truncate", -EBADF, vmsim_file_truncate(NULL, 0));
	ERR("vmsim_file_truncate", -EINVAL, vmsim_file_truncate(f, 1ULL << 63));
	ERR("vmsim_file_truncate", -EINVAL, vmsim_file_truncate(f, ~0ULL));
	ERR("vmsim_file_truncate", -EFBIG, vmsim_file_truncate(f, (1ULL << 46) + 1));
	ERR("vmsim_file_drop_caches", -EBADF, vmsim_file_drop_caches(NULL));
	ERR("vmsim_file_fsync", -EBADF, vmsim_file_fsync(NULL));
}

static int no_handler(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *msg)
{
	(void)arg, (void)ctx, (void)msg;
	return VMSIM_UFFD_SIGBUS;
}

void ba_cases_uffd(void **state)
{
	struct vmsim_uffd *u = F->uffd, *out = (struct vmsim_uffd *)&out;
	unsigned char page[P];

	(void)state;
	memset(page, 0x77, sizeof(page));
	/* userfaultfd() + UFFDIO_API: unknown features are EINVAL. */
	ERR("vmsim_uffd_open", -EINVAL, vmsim_uffd_open(NULL, 0, &out));
	ERR("vmsim_uffd_open", -EINVAL, vmsim_uffd_open(F->mm, 0, NULL));
	ERR("vmsim_uffd_open", -EINVAL, vmsim_uffd_open(F->mm, 1ULL << 63, &out));
	ERR("vmsim_uffd_open", -EINVAL, vmsim_uffd_open(F->mm, ~VMSIM_UFFD_FEATURES, &out));
	assert_ptr_equal(out, (struct vmsim_uffd *)&out);
	NOP("vmsim_uffd_close", vmsim_uffd_close(NULL));
	NOP("vmsim_uffd_set_handler", vmsim_uffd_set_handler(NULL, no_handler, NULL));
	NUL("vmsim_uffd_handler_arg", vmsim_uffd_handler_arg(NULL));
	ERR("vmsim_uffd_features", 0, vmsim_uffd_features(NULL));
	NUL("vmsim_uffd_mm", vmsim_uffd_mm(NULL));

	/* The ioctls: a bad fd is EBADF; validate_range() is EINVAL for an
	 * unaligned or empty range, below mmap_min_addr, past TASK_SIZE or
	 * wrapping. */
	ERR("vmsim_uffd_register", -EBADF, vmsim_uffd_register(NULL, C, P, UFFDIO_REGISTER_MODE_MISSING));
	ERR("vmsim_uffd_register", -EINVAL, vmsim_uffd_register(u, C + 1, P, UFFDIO_REGISTER_MODE_MISSING));
	ERR("vmsim_uffd_register", -EINVAL, vmsim_uffd_register(u, C, P + 1, UFFDIO_REGISTER_MODE_MISSING));
	ERR("vmsim_uffd_register", -EINVAL, vmsim_uffd_register(u, C, 0, UFFDIO_REGISTER_MODE_MISSING));
	ERR("vmsim_uffd_register", -EINVAL, vmsim_uffd_register(u, 0, P, UFFDIO_REGISTER_MODE_MISSING));
	ERR("vmsim_uffd_register", -EINVAL, vmsim_uffd_register(u, TS5, P, UFFDIO_REGISTER_MODE_MISSING));
	ERR("vmsim_uffd_register", -EINVAL, vmsim_uffd_register(u, C, ~0ULL & PAGE_MASK, UFFDIO_REGISTER_MODE_MISSING));
	ERR("vmsim_uffd_register", -EINVAL, vmsim_uffd_register(u, C, P, 0));
	ERR("vmsim_uffd_register", -EINVAL, vmsim_uffd_register(u, C, P, 1ULL << 3));
	ERR("vmsim_uffd_register", -EINVAL, vmsim_uffd_register(u, C, P, ~0ULL));
	ERR("vmsim_uffd_register", -EINVAL, vmsim_uffd_register(u, C, P, UFFDIO_REGISTER_MODE_MINOR));
	ERR("vmsim_uffd_register", -EINVAL, vmsim_uffd_register(u, E, P, UFFDIO_REGISTER_MODE_MISSING));
	ERR("vmsim_uffd_register", -EINVAL, vmsim_uffd_register(u, D, P, UFFDIO_REGISTER_MODE_MISSING));
	ERR("vmsim_uffd_unregister", -EBADF, vmsim_uffd_unregister(NULL, C, P));
	ERR("vmsim_uffd_unregister", -EINVAL, vmsim_uffd_unregister(u, C + 1, P));
	ERR("vmsim_uffd_unregister", -EINVAL, vmsim_uffd_unregister(u, C, 0));
	ERR("vmsim_uffd_unregister", -EINVAL, vmsim_uffd_unregister(u, TS5, P));
	ERR("vmsim_uffd_copy", -EBADF, vmsim_uffd_copy(NULL, C, page, 0, P, false));
	ERR("vmsim_uffd_copy", -EINVAL, vmsim_uffd_copy(u, C + 1, page, 0, P, false));
	ERR("vmsim_uffd_copy", -EINVAL, vmsim_uffd_copy(u, C, page, 0, 0, false));
	ERR("vmsim_uffd_copy", -EINVAL, vmsim_uffd_copy(u, C, page, 0, P - 1, false));
	ERR("vmsim_uffd_copy", -EINVAL, vmsim_uffd_copy(u, TS5, page, 0, P, false));
	ERR("vmsim_uffd_copy", -ENOENT, vmsim_uffd_copy(u, E, page, 0, P, false));
	ERR("vmsim_uffd_copy", -EINVAL, vmsim_uffd_copy(u, C, page, 0, P, true));
	ERR("vmsim_uffd_zeropage", -EBADF, vmsim_uffd_zeropage(NULL, C, P));
	ERR("vmsim_uffd_zeropage", -EINVAL, vmsim_uffd_zeropage(u, C + 1, P));
	ERR("vmsim_uffd_zeropage", -EINVAL, vmsim_uffd_zeropage(u, C, 0));
	ERR("vmsim_uffd_zeropage", -EINVAL, vmsim_uffd_zeropage(u, TS5, P));
	ERR("vmsim_uffd_zeropage", -ENOENT, vmsim_uffd_zeropage(u, A, P));
	ERR("vmsim_uffd_writeprotect", -EBADF, vmsim_uffd_writeprotect(NULL, C, P, true));
	ERR("vmsim_uffd_writeprotect", -EINVAL, vmsim_uffd_writeprotect(u, C + 1, P, true));
	ERR("vmsim_uffd_writeprotect", -EINVAL, vmsim_uffd_writeprotect(u, C, 0, true));
	ERR("vmsim_uffd_writeprotect", -EINVAL, vmsim_uffd_writeprotect(u, TS5, P, true));
	ERR("vmsim_uffd_writeprotect", -ENOENT, vmsim_uffd_writeprotect(u, C, P, true));
	ERR("vmsim_uffd_continue", -EBADF, vmsim_uffd_continue(NULL, C, P, false));
	ERR("vmsim_uffd_continue", -EINVAL, vmsim_uffd_continue(u, C + 1, P, false));
	ERR("vmsim_uffd_continue", -EINVAL, vmsim_uffd_continue(u, C, 0, false));
	ERR("vmsim_uffd_continue", -EINVAL, vmsim_uffd_continue(u, TS5, P, false));
	ERR("vmsim_uffd_continue", -EINVAL, vmsim_uffd_continue(u, C, P, false));
	/* UFFDIO_POISON: as the other mfill calls. */
	ERR("vmsim_uffd_poison", -EBADF, vmsim_uffd_poison(NULL, C, P));
	ERR("vmsim_uffd_poison", -EINVAL, vmsim_uffd_poison(u, C + 1, P));
	ERR("vmsim_uffd_poison", -EINVAL, vmsim_uffd_poison(u, C, 0));
	ERR("vmsim_uffd_poison", -EINVAL, vmsim_uffd_poison(u, TS5, P));
	ERR("vmsim_uffd_poison", -ENOENT, vmsim_uffd_poison(u, A, P));
}
