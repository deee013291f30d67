/* VMSIM_BUG reports: what BUG()/WARN() are to the kernel (include/asm-generic/bug.h),
 * but delivered to a replaceable handler so tests can expect them. */
#include <stdio.h>
#include <stdlib.h>

#include "../internal.h"

static void default_handler(struct vmsim *vm, const struct vmsim_bug_report *r, void *arg)
{
	(void)vm;
	(void)arg;
	fprintf(stderr, "VMSIM_BUG in %s (%s:%d): %s\n", r->func, r->file, r->line, r->msg);
	if (r->trace && *r->trace)
		fprintf(stderr, "last trace events:\n%s", r->trace);
	fflush(stderr);
	abort();
}

vmsim_bug_handler_fn vmsim_set_bug_handler(struct vmsim *vm, vmsim_bug_handler_fn h, void *arg)
{
	vmsim_bug_handler_fn old;

	if (!vm)
		return NULL;
	old = vm->bug_fn;

	vm->bug_fn = h ? h : default_handler;
	vm->bug_arg = h ? arg : NULL;
	/* NULL stands for the default both ways, whether it was never
	 * replaced (bug_fn still NULL) or restored with NULL. */
	return old == default_handler ? NULL : old;
}

uint64_t vmsim_bug_count(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->bug_count;
}

void vmsim__bug(struct vmsim *vm, const char *func, const char *file, int line, const char *fmt, ...)
{
	char msg[512], trace[VMSIM_TRACE_RING * 128];
	struct vmsim_bug_report r;
	va_list ap;

	if (!vm || !fmt)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	vm->bug_count++;
	/* A bug found while reporting a bug is counted, not reported again. */
	if (vm->in_bug)
		return;
	vm->in_bug = 1;
	vmsim__trace_ring_text(vm, trace, sizeof(trace));
	r.func = func;
	r.file = file;
	r.line = line;
	r.msg = msg;
	r.trace = trace;
	r.count = vm->bug_count;
	(vm->bug_fn ? vm->bug_fn : default_handler)(vm, &r, vm->bug_arg);
	vm->in_bug = 0;
}
