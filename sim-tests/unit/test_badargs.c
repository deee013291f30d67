/* Bad arguments to every public function: a negative errno (or nothing,
 * NULL, 0 for void functions and getters), no bug report, no crash, and
 * the state of both fixture machines unchanged (statehash.h).  The cases
 * are in badargs_*.c; `test_badargs --list FILE` also writes the functions
 * they cover, which check-badargs-coverage.sh compares with the VMSIM_API
 * declarations, so a new public function without cases fails the build. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "badargs.h"

struct fx *F;

/* script.h is being reworked; its cases come with that work. */
static const char *const covered_elsewhere[] = {
	"vms_parse", "vms_script_free", "vms_script_count", "vms_script_cmd", "vms_read_file",
	"vms_cmd_word", "vms_out_init", "vms_out_fini", "vms_out_read", "vms_out_write",
	"vms_out_fread", "vms_out_error", "vms_out_uffd_fault", "vms_out_uffd_fork",
	"vms_out_uffd_range", "vms_out_uffd_remap", "vms_out_pagemap", "vms_pm_check", "vms_out_label_frame",
	"vms_out_frame_label", "vms_run_sim", "vms_broken", "vms_command_at", "vms_command_count",
	"vms_command_of", "vms_errno_name", "vms_interp_cmd", "vms_interp_err", "vms_interp_out",
	"vms_interp_run", "vms_out_device_read", "vms_out_oom_kill", "vms_out_smaps", "vms_pm_decode",
	"vms_pm_key_bit", "vms_pm_key_name", "vms_refuse", "vms_report_bug", "vms_report_oom_kill",
	"vms_report_uffd_fault", "vms_report_uffd_fork", "vms_report_uffd_range", "vms_report_uffd_remap", "vms_skip",
	"vms_smaps_field_name", "vms_explore",
};

static const char *covered[512];
static unsigned nr_covered, nr_cases;

static void cover(const char *fn)
{
	for (unsigned i = 0; i < nr_covered; i++)
		if (!strcmp(covered[i], fn))
			return;
	if (nr_covered < sizeof(covered) / sizeof(covered[0]))
		covered[nr_covered++] = fn;
}

void ba_no_arguments(const char *fn)
{
	cover(fn);
}

uint64_t ba_bugs(void)
{
	return F->log.count + F->log2.count;
}

void ba_snap(struct sh_state st[2])
{
	sh_take(&F->sm[0], &st[0]);
	sh_take(&F->sm[1], &st[1]);
}

static const char *name(long long v)
{
	return v < 0 && v > -4096 ? vmsim_errno_name((int)v) : "";
}

void ba_verdict(const char *fn, const char *expr, int kind, long long want, long long got,
		const struct sh_state before[2], const struct sh_state after[2], uint64_t bugs0,
		const char *file, int line)
{
	const char *base = strrchr(file, '/');
	char call[96];

	file = base ? base + 1 : file;
	snprintf(call, sizeof(call), "%s(", fn);
	if (!strstr(expr, call))
		fail_msg("%s:%d: a case of %s does not call it: %s", file, line, fn, expr);
	cover(fn);
	nr_cases++;
	for (int m = 0; m < 2; m++) {
		const char *d = sh_diff(&before[m], &after[m]);

		if (d)
			fail_msg("%s:%d: %s changed the %s of machine %d", file, line, expr, d, m + 1);
	}
	if (kind == K_BUG) {
		if (ba_bugs() != bugs0 + 1)
			fail_msg("%s:%d: %s reported %llu bugs, expected one", file, line, expr,
				 (unsigned long long)(ba_bugs() - bugs0));
		F->expected_bugs++;
		return;
	}
	if (ba_bugs() != bugs0)
		fail_msg("%s:%d: %s reported a bug: %s", file, line, expr, F->log.last);
	if (got != want)
		fail_msg("%s:%d: %s returned %lld %s, expected %lld %s", file, line, expr, got, name(got),
			 want, name(want));
}

/* ---- the fixture ---- */

static void must(int ok, const char *what)
{
	if (!ok) {
		fprintf(stderr, "fixture: %s failed\n", what);
		abort();
	}
}

static int fx_setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	unsigned char b = 0;

	must(f != NULL, "calloc");
	F = f;
	f->vm2 = tu_machine_str("ram=4M cpus=1 levels=4 check=full pmem=0", &f->log2);
	must(f->vm2 != NULL, "vm2");
	must(!vmsim_mm_new(f->vm2, &f->mm2), "mm_new 2");
	must(!vmsim_mmap(f->mm2, A, 2 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), "mmap 2");
	must(!tu_write(f->mm2, A, 0x22), "write 2");
	must(!vmsim_file_new(f->vm2, "g", VMSIM_FILE_SHMEM, 2 * P, &f->f2), "file g");
	must(!vmsim_page_alloc(f->vm2, 0, &f->page2), "page_alloc 2");

	f->vm = tu_machine_str("ram=16M cpus=2 check=full", &f->log);
	must(f->vm != NULL, "vm");
	must(!vmsim_mm_new(f->vm, &f->mm), "mm_new");
	must(!vmsim_file_new(f->vm, "shm", VMSIM_FILE_SHMEM, 4 * P, &f->shm), "file shm");
	must(vmsim_file_write(f->shm, 0, "shm!", 4) == 4, "write shm");
	must(!vmsim_file_new(f->vm, "disk", VMSIM_FILE_DISK, 4 * P, &f->disk), "file disk");
	must(vmsim_file_write(f->disk, 0, "disk", 4) == 4, "write disk");
	must(!vmsim_mmap(f->mm, A, 16 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), "mmap A");
	for (unsigned i = 0; i < 4; i++)
		must(!tu_write(f->mm, A + i * P, (unsigned char)(0x10 + i)), "write A");
	must(!vmsim_mmap(f->mm, B, 4 * P, TU_PROT_RW, VMSIM_MAP_SHARED, f->shm, 0), "mmap B");
	must(tu_read(f->mm, B) == 's', "read B");
	must(!vmsim_mmap(f->mm, D, 4 * P, TU_PROT_R, VMSIM_MAP_PRIVATE, f->disk, 0), "mmap D");
	must(tu_read(f->mm, D) == 'd', "read D");
	must(!vmsim_mmap(f->mm, C, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), "mmap C");
	must(!vmsim_uffd_open(f->mm, 0, &f->uffd), "uffd_open");
	must(!vmsim_uffd_register(f->uffd, C, 4 * P, UFFDIO_REGISTER_MODE_MISSING), "uffd_register");
	must(vmsim_pin_user_pages(f->mm, A + 4 * P, 1, true, &f->pinned) == 1, "pin");
	must(!vmsim_fork(f->mm, &f->child), "fork");
	must(!vmsim_mm_run(f->child, 1), "run child");
	must(tu_read(f->child, A) == 0x10, "read child");
	must(!vmsim_mm_run(f->mm, 0), "run mm");
	must(tu_read(f->mm, A) == 0x10, "read mm");
	must(!vmsim_page_alloc(f->vm, 0, &f->page), "page_alloc");
	must(!vmsim_frame_write(f->vm, vmsim_pfn_to_page(f->vm, f->page), 0, "page", 4), "frame_write");
	must(!vmsim_access(f->mm2, -1, A + P, &b, 1, false, NULL), "read 2");
	/* Each mm's context is its machine's first: both have ctx_id 2, so
	 * only a check by address tells them apart. */
	f->ctx = vmsim_cpu_loaded(f->vm, 0);
	f->ctx2 = vmsim_cpu_loaded(f->vm2, 0);
	must(f->ctx && f->ctx2 && f->ctx->ctx_id == f->ctx2->ctx_id, "contexts");

	f->sm[0] = (struct sh_machine){ .vm = f->vm, .mm = { f->mm, f->child }, .file = { f->shm, f->disk } };
	f->sm[1] = (struct sh_machine){ .vm = f->vm2, .mm = { f->mm2 }, .file = { f->f2 } };
	if (f->log.count || f->log2.count)
		fprintf(stderr, "setup bug: %s: %s / %s\n", f->log.last_func, f->log.last, f->log2.last);
	must(f->log.count == 0 && f->log2.count == 0, "no bugs in setup");
	*state = f;
	return 0;
}

static int fx_teardown(void **state)
{
	struct fx *f = *state;

	assert_int_equal(f->log.count + f->log2.count, f->expected_bugs);
	assert_int_equal(vmsim_unpin_user_pages(f->vm, &f->pinned, 1), 0);
	assert_int_equal(vmsim_page_free(f->vm, f->page, 0), 0);
	assert_int_equal(vmsim_page_free(f->vm2, f->page2, 0), 0);
	vmsim_free(f->vm);
	vmsim_free(f->vm2);
	assert_int_equal(f->log.count + f->log2.count, f->expected_bugs);
	free(f);
	F = NULL;
	return 0;
}

/* ---- decisions that are successes, so no bad-argument case shows them ---- */

/* ksys_mmap_pgoff(): MAP_ANONYMOUS never looks at the fd. */
static void test_mmap_anonymous_ignores_file(void **state)
{
	struct fx *f = *state;
	struct vmsim_vma_info v;

	assert_int_equal(vmsim_mmap(f->mm, 0x60000000, P, TU_PROT_RW,
				    VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, f->shm, P), 0);
	assert_int_equal(vmsim_mm_vma(f->mm, 4, &v), 0);
	assert_true(v.start == 0x60000000 && v.file == NULL);
	assert_int_equal(vmsim_munmap(f->mm, 0x60000000, P), 0);
}

/* do_mmap(): MAP_SHARED_VALIDATE of a file with known flags is MAP_SHARED. */
static void test_mmap_shared_validate(void **state)
{
	struct fx *f = *state;
	struct vmsim_vma_info v;

	assert_int_equal(vmsim_mmap(f->mm, 0x60000000, P, TU_PROT_RW,
				    VMSIM_MAP_SHARED | VMSIM_MAP_PRIVATE | VMSIM_MAP_POPULATE, f->shm, 0), 0);
	assert_int_equal(vmsim_mm_vma(f->mm, 4, &v), 0);
	assert_true(v.start == 0x60000000 && v.file && !strcmp(v.file, "shm"));
	assert_true(v.flags & 0x8);	/* VM_SHARED */
	assert_int_equal(tu_read(f->mm, 0x60000000), 's');
	assert_int_equal(vmsim_munmap(f->mm, 0x60000000, P), 0);
}

/* A context initialised twice is refused; it stays usable and destroyable
 * (it used to be linked twice, and the next walk of the list never ended). */
static void test_context_init_twice(void **state)
{
	struct fx *f = *state;
	struct vmsim_mm_context ctx;
	unsigned long pgd;

	assert_int_equal(vmsim_pgd_alloc(f->vm, &pgd), 0);
	assert_int_equal(vmsim_mm_context_init(f->vm, &ctx, pgd), 0);
	assert_int_equal(vmsim_mm_context_init(f->vm, &ctx, pgd), -EBUSY);
	assert_int_equal(vmsim_switch_mm(f->vm, 1, &ctx), 0);
	assert_int_equal(vmsim_cpu_asid(f->vm, 1, &ctx) >= 0, 1);
	vmsim_mm_context_destroy(f->vm, &ctx);
	assert_int_equal(vmsim_switch_mm(f->vm, 1, &ctx), -EINVAL);
	assert_null(vmsim_cpu_loaded(f->vm, 1));
	assert_int_equal(vmsim_mm_context_init(f->vm, &ctx, pgd), 0);
	vmsim_mm_context_destroy(f->vm, &ctx);
	vmsim_pgd_free(f->vm, pgd);
	assert_int_equal(vmsim_check_all(f->vm), 0);
}

/* A huge range, mostly hole, is valid for UFFDIO_REGISTER: it returns at
 * once (the merge pass used to step through the hole page by page). */
static void test_uffd_register_huge_range(void **state)
{
	struct fx *f = *state;
	struct vmsim_vma_info v;

	assert_int_equal(vmsim_uffd_register(f->uffd, C, 1ULL << 46, UFFDIO_REGISTER_MODE_MISSING), 0);
	assert_int_equal(vmsim_mm_vma(f->mm, 3, &v), 0);
	assert_true(v.start == C && v.end == C + 4 * P && (v.flags & 0x200));	/* VM_UFFD_MISSING */
	assert_int_equal(vmsim_uffd_unregister(f->uffd, C, 1ULL << 46), 0);
	assert_int_equal(vmsim_mm_vma(f->mm, 3, &v), 0);
	assert_false(v.flags & 0x200);
}

/* ---- coverage ---- */

static int list_covered(const char *path)
{
	FILE *out = fopen(path, "w");

	if (!out)
		return 1;
	for (unsigned i = 0; i < nr_covered; i++)
		fprintf(out, "%s\n", covered[i]);
	for (size_t i = 0; i < sizeof(covered_elsewhere) / sizeof(covered_elsewhere[0]); i++)
		fprintf(out, "%s (covered elsewhere)\n", covered_elsewhere[i]);
	return fclose(out) != 0;
}

#define T(fn) cmocka_unit_test_setup_teardown(fn, fx_setup, fx_teardown)

int main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		T(ba_cases_machine), T(ba_cases_bug_trace), T(ba_cases_lock), T(ba_cases_entries),
		T(ba_cases_page), T(ba_cases_pagetable), T(ba_cases_cpu), T(ba_cases_tlb),
		T(ba_cases_mm), T(ba_cases_vm_calls), T(ba_cases_file), T(ba_cases_uffd), T(ba_cases_swap),
		T(ba_cases_notifier), T(ba_cases_device), T(ba_cases_sched), T(ba_cases_luf),
		T(test_mmap_anonymous_ignores_file), T(test_mmap_shared_validate),
		T(test_context_init_twice),
		T(test_uffd_register_huge_range),
	};
	int failed = cmocka_run_group_tests(tests, NULL, NULL);

	printf("badargs: %u cases over %u functions\n", nr_cases, nr_covered);
	if (argc == 3 && !strcmp(argv[1], "--list") && list_covered(argv[2]))
		return 1;
	return failed;
}
