/* The bad-argument suite's frame (test_badargs.c): a fixture of two
 * machines with processes, files, contexts and pages, and the CASE macros
 * that call a public function with one bad argument and check its result,
 * that no bug was reported, and that the state hash of both machines is
 * the same before and after. */
#ifndef VMSIM_BADARGS_H
#define VMSIM_BADARGS_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "testutil.h"
#include "statehash.h"

#define P	4096ULL
#define A	0x10000000ULL	/* anon private RW, 16 pages, 4 written, 1 pinned */
#define B	0x20000000ULL	/* shmem "shm" shared RW, 4 pages, 1 read */
#define D	0x30000000ULL	/* disk "disk" private R, 4 pages, 1 read */
#define C	0x40000000ULL	/* anon RW, 4 pages, uffd MISSING, untouched */

struct fx {
	struct bug_log log, log2;
	struct vmsim *vm, *vm2;			/* vm2: levels=4, one CPU */
	struct vmsim_mm *mm, *child, *mm2;	/* mm runs on CPU 0, child on 1 */
	struct vmsim_file *shm, *disk, *f2;
	struct vmsim_uffd *uffd;		/* on mm, C registered */
	struct vmsim_mm_context *ctx, *ctx2;	/* mm's and mm2's: the same ctx_id */
	unsigned long page, page2;		/* from vmsim_page_alloc */
	unsigned long pinned;			/* A + 4 pages, pinned for write */
	unsigned expected_bugs;
	struct sh_machine sm[2];
};

extern struct fx *F;

enum { K_VALUE, K_BUG };

void ba_verdict(const char *fn, const char *expr, int kind, long long want, long long got,
		const struct sh_state before[2], const struct sh_state after[2], uint64_t bugs0,
		const char *file, int line);
void ba_snap(struct sh_state st[2]);
uint64_t ba_bugs(void);

#define BA_CASE(fn, kind, want, expr) do {						\
	struct sh_state b0_[2], b1_[2];							\
	uint64_t bugs_ = ba_bugs();							\
	long long got_;									\
	ba_snap(b0_);									\
	got_ = (expr);									\
	ba_snap(b1_);									\
	ba_verdict(fn, #expr, kind, (long long)(want), got_, b0_, b1_, bugs_, __FILE__, __LINE__); \
} while (0)

/* A call returning a number (errno, count, bool): it must equal want. */
#define ERR(fn, want, expr)	BA_CASE(fn, K_VALUE, want, (long long)(expr))
/* A call returning a pointer: it must be NULL. */
#define NUL(fn, expr)		BA_CASE(fn, K_VALUE, 0, (long long)(uintptr_t)(expr))
/* A call returning a string: it must be want. */
#define STR(fn, want, expr)	BA_CASE(fn, K_VALUE, 0, (long long)(strcmp((expr), (want)) != 0))
/* A void call: it must do nothing. */
#define NOP(fn, expr)		BA_CASE(fn, K_VALUE, 0, ((expr), 0LL))
/* A void call whose misuse is documented as a VMSIM_BUG report: exactly
 * one bug, and nothing else changes. */
#define BUGGY(fn, expr)		BA_CASE(fn, K_BUG, 0, ((expr), 0LL))
/* A function that takes no argument at all: nothing can be bad. */
void ba_no_arguments(const char *fn);

/* The cases, one cmocka test per header (or part of one). */
void ba_cases_machine(void **state);	/* badargs_base.c */
void ba_cases_bug_trace(void **state);
void ba_cases_lock(void **state);
void ba_cases_entries(void **state);
void ba_cases_page(void **state);	/* badargs_hw.c */
void ba_cases_pagetable(void **state);
void ba_cases_cpu(void **state);
void ba_cases_tlb(void **state);
void ba_cases_mm(void **state);		/* badargs_mm.c */
void ba_cases_vm_calls(void **state);
void ba_cases_file(void **state);
void ba_cases_uffd(void **state);
void ba_cases_swap(void **state);	/* badargs_swap.c */
void ba_cases_notifier(void **state);	/* badargs_device.c */
void ba_cases_device(void **state);
void ba_cases_sched(void **state);	/* badargs_sched.c */
void ba_cases_luf(void **state);	/* badargs_luf.c */

#endif
