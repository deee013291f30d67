/* Coroutines: a stack of its own for each simulated CPU's task, and a
 * switch between stacks.  No Linux file: Linux's CPUs are real.  On x86-64
 * the switch is a few instructions (the callee-saved registers, the MXCSR
 * and x87 control words, the stack pointer); elsewhere it is ucontext.
 * Under AddressSanitizer every switch is announced to it, so that its
 * shadow stacks follow. */
#include <stdlib.h>
#include <string.h>

#include "sched_internal.h"

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define VMSIM_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define VMSIM_ASAN 1
#endif
#ifdef VMSIM_ASAN
#include <sanitizer/common_interface_defs.h>
#endif

#if defined(__x86_64__)
/* vmsim__coro_switch(&from->sp, to->sp): push the callee-saved state on
 * this stack, save the stack pointer, load the other one, pop its state,
 * return into it.  A fresh stack is laid out as if it had switched away
 * just before calling trampoline (r12: the coroutine, r13: its entry). */
__asm__(".text\n"
	".globl vmsim__coro_switch\n"
	".hidden vmsim__coro_switch\n"
	".type vmsim__coro_switch,@function\n"
	"vmsim__coro_switch:\n"
	"\tpushq %rbp\n\tpushq %rbx\n\tpushq %r12\n\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n"
	"\tsubq $8, %rsp\n\tstmxcsr (%rsp)\n\tfnstcw 4(%rsp)\n"
	"\tmovq %rsp, (%rdi)\n"
	"\tmovq %rsi, %rsp\n"
	"\tldmxcsr (%rsp)\n\tfldcw 4(%rsp)\n\taddq $8, %rsp\n"
	"\tpopq %r15\n\tpopq %r14\n\tpopq %r13\n\tpopq %r12\n\tpopq %rbx\n\tpopq %rbp\n"
	"\tret\n"
	".size vmsim__coro_switch, .-vmsim__coro_switch\n"
	".globl vmsim__coro_trampoline\n"
	".hidden vmsim__coro_trampoline\n"
	".type vmsim__coro_trampoline,@function\n"
	"vmsim__coro_trampoline:\n"
	"\tmovq %r12, %rdi\n"
	"\tcallq *%r13\n"
	"\tud2\n"
	".size vmsim__coro_trampoline, .-vmsim__coro_trampoline\n");
void vmsim__coro_switch(void **from_sp, void *to_sp);
void vmsim__coro_trampoline(void);
#endif

/* The first code a coroutine runs; its entry never returns (the task's
 * end switches away for good). */
static void coro_entry(struct vmsim__coro *co)
{
#ifdef VMSIM_ASAN
	__sanitizer_finish_switch_fiber(NULL, &co->from->stack_bottom, &co->from->stack_size);
#endif
	co->fn(co->arg);
	abort();	/* unreachable: fn ends with vmsim__coro_exit() */
}

#if !defined(__x86_64__)
static void uctx_entry(unsigned hi, unsigned lo)
{
	coro_entry((struct vmsim__coro *)(((uintptr_t)hi << 32) | lo));
}
#endif

int vmsim__coro_init(struct vmsim__coro *co, size_t stack_size, void (*fn)(void *), void *arg)
{
	memset(co, 0, sizeof(*co));
	co->stack = malloc(stack_size);
	if (!co->stack)
		return -ENOMEM;
	co->stack_bottom = co->stack;
	co->stack_size = stack_size;
	co->fn = fn;
	co->arg = arg;
#if defined(__x86_64__)
	{
		uintptr_t top = ((uintptr_t)co->stack + stack_size) & ~(uintptr_t)15;
		uint64_t *sp = (uint64_t *)(top - 8);	/* the return address slot: 8 mod 16 */

		*sp-- = (uint64_t)(uintptr_t)vmsim__coro_trampoline;
		*sp-- = 0;				/* rbp */
		*sp-- = 0;				/* rbx */
		*sp-- = (uint64_t)(uintptr_t)co;	/* r12 */
		*sp-- = (uint64_t)(uintptr_t)coro_entry;	/* r13 */
		*sp-- = 0;				/* r14 */
		*sp = 0;				/* r15 */
		sp--;
		*sp = 0x1f80 | ((uint64_t)0x037f << 32);	/* MXCSR, x87 control word: their defaults */
		co->sp = sp;
	}
#else
	if (getcontext(&co->uc)) {
		free(co->stack);
		return -ENOMEM;
	}
	co->uc.uc_stack.ss_sp = co->stack;
	co->uc.uc_stack.ss_size = stack_size;
	co->uc.uc_link = NULL;
	makecontext(&co->uc, (void (*)(void))uctx_entry, 2, (unsigned)((uintptr_t)co >> 32),
		    (unsigned)(uintptr_t)co);
#endif
	return 0;
}

void vmsim__coro_release(struct vmsim__coro *co)
{
	free(co->stack);
	co->stack = NULL;
}

/* Switch from the running coroutine (or the host's own stack, from) to
 * to.  Returns when something switches back to from.  dying: from never
 * runs again (its sanitizer state can go). */
static void do_switch(struct vmsim__coro *from, struct vmsim__coro *to, bool dying)
{
#ifdef VMSIM_ASAN
	void *fake = NULL;

	to->from = from;
	__sanitizer_start_switch_fiber(dying ? NULL : &fake, to->stack_bottom, to->stack_size);
#else
	(void)dying;
	to->from = from;
#endif
#if defined(__x86_64__)
	vmsim__coro_switch(&from->sp, to->sp);
#else
	swapcontext(&from->uc, &to->uc);
#endif
#ifdef VMSIM_ASAN
	__sanitizer_finish_switch_fiber(fake, &from->from->stack_bottom, &from->from->stack_size);
#endif
}

void vmsim__coro_switch_to(struct vmsim__coro *from, struct vmsim__coro *to)
{
	do_switch(from, to, false);
}

void vmsim__coro_exit(struct vmsim__coro *from, struct vmsim__coro *to)
{
	do_switch(from, to, true);
	abort();	/* nothing switches back to a finished coroutine */
}
