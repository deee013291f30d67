/* Unit tests: the per-VMA lock (mm/mmap_lock.c, the fault handler in
 * mm/mm.c).  As do_user_addr_fault() in Linux 6.18, a CPU fault first
 * looks its vma up and read-locks it (lock_vma_under_rcu); a vma that a
 * writer under mmap_lock has marked (vma_start_write) is not had, and the
 * fault takes mmap_lock for read instead; a VM_FAULT_RETRY under the vma
 * lock (a userfault) has dropped it, and the fault is retried under
 * mmap_lock.  The counters are vmstat's vma_lock_{success,abort,retry}. */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define A	0x7f0000000000ULL
#define B	0x7f1000000000ULL
#define P	4096ULL

static struct vmsim_mm_stats stats(struct vmsim_mm *mm)
{
	struct vmsim_mm_stats st;

	vmsim_mm_stats(mm, &st);
	return st;
}

/* Serially every fault is had under the vma's lock: nobody holds
 * mmap_lock between operations. */
static void test_fault_under_vma_lock(void **state)
{
	struct bug_log log;
	struct vmsim *vm = tu_machine_str("ram=4M cpus=2", &log);
	struct vmsim_mm *mm;
	struct vmsim_mm_stats st;

	(void)state;
	assert_non_null(vm);
	assert_int_equal(vmsim_mm_new(vm, &mm), 0);
	assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0), 0);
	assert_int_equal(tu_write(mm, A, 1), 0);
	assert_int_equal(tu_read(mm, A + P), 0);	/* the zero page */
	assert_int_equal(tu_read(mm, A), 1);		/* a TLB hit: no fault */
	st = stats(mm);
	assert_int_equal(st.faults, 2);
	assert_int_equal(st.vma_lock_success, 2);
	assert_int_equal(st.vma_lock_abort, 0);
	assert_int_equal(st.vma_lock_retry, 0);
	/* No vma: lock_vma_under_rcu finds none, lock_mmap finds none. */
	assert_int_equal(tu_read(mm, B), -VMSIM_ACCESS_SIGSEGV);
	st = stats(mm);
	assert_int_equal(st.vma_lock_abort, 1);
	/* access_error() under the vma lock: counted as had (SUCCESS). */
	assert_int_equal(vmsim_mprotect(mm, A + 2 * P, P, VMSIM_PROT_READ), 0);
	assert_int_equal(tu_write(mm, A + 2 * P, 1), VMSIM_ACCESS_SIGSEGV);
	st = stats(mm);
	assert_int_equal(st.vma_lock_success, 3);
	assert_int_equal(st.vma_lock_abort, 1);
	assert_int_equal(vmsim_locks_held(vm), 0);
	vmsim_free(vm);
	assert_int_equal(log.count, 0);
}

struct uffd_state {
	unsigned calls;
	unsigned locks_held;		/* while the handler ran */
	bool resolve_first;
};

static int uffd_handler(void *arg, struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *msg)
{
	struct uffd_state *u = arg;
	struct vmsim *vm = vmsim_mm_machine(vmsim_uffd_mm(ctx));

	u->calls++;
	u->locks_held += vmsim_locks_held(vm);
	if (u->calls == 1 && !u->resolve_first)
		return VMSIM_UFFD_RETRY;	/* not yet: the fault comes again */
	assert_true(vmsim_uffd_copy(ctx, msg->address & ~(P - 1), NULL, 0x5a, P, false) > 0);
	return VMSIM_UFFD_RETRY;
}

/* handle_userfault() under the vma lock drops it (release_fault_lock)
 * and answers VM_FAULT_RETRY; the access is made again, and if it faults
 * again the fault takes mmap_lock (do_user_addr_fault's lock_mmap). */
static void test_userfault_retry(void **state)
{
	for (int resolve_first = 1; resolve_first >= 0; resolve_first--) {
		struct uffd_state u = { .resolve_first = resolve_first };
		struct bug_log log;
		struct vmsim *vm = tu_machine_str("ram=4M", &log);
		struct vmsim_mm *mm;
		struct vmsim_uffd *ctx;
		struct vmsim_mm_stats st;

		(void)state;
		assert_non_null(vm);
		assert_int_equal(vmsim_mm_new(vm, &mm), 0);
		assert_int_equal(vmsim_mmap(mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0),
				 0);
		assert_int_equal(vmsim_uffd_open(mm, 0, &ctx), 0);
		vmsim_uffd_set_handler(ctx, uffd_handler, &u);
		assert_int_equal(vmsim_uffd_register(ctx, A, 4 * P, UFFDIO_REGISTER_MODE_MISSING), 0);
		assert_int_equal(tu_read(mm, A), 0x5a);
		assert_int_equal(u.calls, resolve_first ? 1 : 2);
		assert_int_equal(u.locks_held, 0);
		st = stats(mm);
		/* One retry under the vma lock; a second fault, if any, was
		 * under mmap_lock and counts in neither. */
		assert_int_equal(st.vma_lock_retry, 1);
		assert_int_equal(st.vma_lock_success, 0);
		assert_int_equal(st.vma_lock_abort, 0);
		assert_int_equal(st.faults, resolve_first ? 1 : 2);
		/* The next fault tries the vma lock again. */
		assert_int_equal(tu_write(mm, A + P, 1), 0);
		assert_int_equal(stats(mm).vma_lock_retry, 2);
		vmsim_uffd_close(ctx);
		vmsim_free(vm);
		assert_int_equal(log.count, 0);
	}
}

/* ---- interleaved: what each step of a run was ---- */

struct run {
	struct vmsim *vm;
	struct vmsim_mm *mm;
	struct bug_log log;
	unsigned n;
	struct vmsim_step s[512];
};

static void observe(void *arg, struct vmsim *vm, const struct vmsim_step *s)
{
	struct run *r = arg;

	(void)vm;
	if (r->n < 512)
		r->s[r->n++] = *s;
}

static void fault_a(struct vmsim *vm, void *arg)
{
	struct run *r = arg;

	(void)vm;
	assert_int_equal(tu_write(r->mm, A + P, 2), 0);
}

static void protect_a(struct vmsim *vm, void *arg)
{
	struct run *r = arg;

	(void)vm;
	assert_int_equal(vmsim_mprotect(r->mm, A, 4 * P, VMSIM_PROT_READ | VMSIM_PROT_WRITE | VMSIM_PROT_EXEC), 0);
}

static void protect_b(struct vmsim *vm, void *arg)
{
	struct run *r = arg;

	(void)vm;
	assert_int_equal(vmsim_mprotect(r->mm, B, 4 * P, VMSIM_PROT_READ), 0);
}

/* The first step of task t of kind k at or after step i, or -1. */
static int find(const struct run *r, unsigned t, enum vmsim_sp_kind k, int i)
{
	for (; i >= 0 && (unsigned)i < r->n; i++)
		if (r->s[i].task == t && r->s[i].kind == k)
			return i;
	return -1;
}

struct tally {
	unsigned runs, had, fell_back, marked_first;
};

/* Task 0 faults on A, task 1 mprotects A (same_vma) or B: every
 * interleaving at bound 2. */
static void explore(vmsim_task_fn other, bool same_vma, struct tally *t)
{
	struct vmsim_explore_opts o = { .policy = VMSIM_SCHED_EXHAUSTIVE, .bound = 2 };
	struct vmsim_explorer *x;

	memset(t, 0, sizeof(*t));
	assert_int_equal(vmsim_explorer_new(&o, &x), 0);
	while (vmsim_explorer_next(x)) {
		static struct run r;
		struct vmsim_task tasks[2] = {
			{ .name = "cpu0", .cpu = 0, .fn = fault_a, .arg = &r },
			{ .name = "cpu1", .cpu = 1, .fn = other, .arg = &r },
		};
		struct vmsim_mm_stats st, before;
		int rd, lk, mark, unl, next;

		memset(&r, 0, sizeof(r));
		r.vm = tu_machine_str("ram=4M cpus=2", &r.log);
		assert_non_null(r.vm);
		assert_int_equal(vmsim_mm_new(r.vm, &r.mm), 0);
		assert_int_equal(vmsim_mmap(r.mm, A, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0),
				 0);
		assert_int_equal(vmsim_mmap(r.mm, B, 4 * P, TU_PROT_RW, VMSIM_MAP_PRIVATE | VMSIM_MAP_ANONYMOUS, NULL, 0),
				 0);
		/* A has its anon_vma: the fault needs no mmap_lock for it. */
		assert_int_equal(tu_write(r.mm, A, 1), 0);
		assert_int_equal(tu_write(r.mm, B, 1), 0);
		before = stats(r.mm);
		assert_int_equal(vmsim_sched_run(r.vm, x, tasks, 2, observe, &r), 0);
		assert_int_equal(vmsim_explorer_done(x), 0);
		assert_int_equal(vmsim_locks_held(r.vm), 0);
		st = stats(r.mm);
		st.vma_lock_abort -= before.vma_lock_abort;
		st.vma_lock_success -= before.vma_lock_success;
		t->runs++;
		/* The fault's lookup names the mm's mmap_lock (vma_read); then
		 * either the vma's lock, released by an unlock of a lock of the
		 * VMA class, or mmap_lock itself, for read. */
		rd = find(&r, 0, VMSIM_SP_VMA_READ, 0);
		assert_true(rd >= 0);
		lk = find(&r, 0, VMSIM_SP_LOCK_READ, rd);
		next = rd + 1;
		while ((unsigned)next < r.n && r.s[next].task != 0)
			next++;
		if (lk >= 0) {
			/* Fell back: at once after the lookup, on the object
			 * the lookup named. */
			assert_int_equal(lk, next);
			assert_ptr_equal(r.s[lk].obj, r.s[rd].obj);
			assert_int_equal(st.vma_lock_abort, 1);
			assert_int_equal(st.vma_lock_success, 0);
			t->fell_back++;
		} else {
			int u = rd;
			bool vma_unlock = false;

			while ((u = find(&r, 0, VMSIM_SP_UNLOCK, u + 1)) >= 0)
				if (((const struct vmsim_lock *)r.s[u].obj)->lclass == VMSIM_LOCK_VMA)
					vma_unlock = true;
			assert_true(vma_unlock);
			assert_int_equal(st.vma_lock_abort, 0);
			assert_int_equal(st.vma_lock_success, 1);
			t->had++;
		}
		/* A fault falls back exactly when mprotect marked A before the
		 * lookup and had not yet dropped mmap_lock (which ends the
		 * mark, in the step of the release: its unlock names the
		 * lookup's object too). */
		mark = find(&r, 1, VMSIM_SP_VMA_WRITE, 0);
		unl = -1;
		for (int i = 0; (unsigned)i < r.n; i++)
			if (r.s[i].task == 1 && r.s[i].kind == VMSIM_SP_UNLOCK && r.s[i].obj == r.s[rd].obj)
				unl = i;
		if (same_vma && mark >= 0 && mark < rd && unl > rd) {
			assert_true(lk >= 0);
			t->marked_first++;
		} else {
			assert_true(lk < 0);
		}
		assert_int_equal(tu_read(r.mm, A + P), 2);
		vmsim_free(r.vm);
		assert_int_equal(r.log.count, 0);
	}
	vmsim_explorer_free(x);
}

/* mprotect of the faulting vma: some runs find it marked and take
 * mmap_lock; in the others the fault has the vma's lock. */
static void test_fallback_when_write_locked(void **state)
{
	struct tally t;

	(void)state;
	explore(protect_a, true, &t);
	assert_true(t.runs > 1);
	assert_true(t.fell_back > 0);
	assert_true(t.had > 0);
	assert_int_equal(t.fell_back, t.marked_first);
	assert_int_equal(t.fell_back + t.had, t.runs);
}

/* mprotect of another vma never holds the fault up. */
static void test_other_vma_never_falls_back(void **state)
{
	struct tally t;

	(void)state;
	explore(protect_b, false, &t);
	assert_true(t.runs > 1);
	assert_int_equal(t.fell_back, 0);
	assert_int_equal(t.had, t.runs);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_fault_under_vma_lock),
		cmocka_unit_test(test_userfault_retry),
		cmocka_unit_test(test_fallback_when_write_locked),
		cmocka_unit_test(test_other_vma_never_falls_back),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
