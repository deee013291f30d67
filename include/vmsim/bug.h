/* VMSIM_BUG: an internal inconsistency (what Linux would BUG()/WARN() on),
 * reported through a handler the user can replace. */
#ifndef VMSIM_BUG_H
#define VMSIM_BUG_H

#include <vmsim/common.h>

#include <stdint.h>

VMSIM_BEGIN_DECLS

struct vmsim;

struct vmsim_bug_report {
	const char *func;	/* function that found it; grep for it */
	const char *file;
	int line;
	const char *msg;	/* what is wrong */
	const char *trace;	/* the machine's last trace events, one a line */
	uint64_t count;		/* how many bugs this machine has reported */
};

/* Called for every bug.  The default prints the report to stderr and
 * aborts; a handler that returns lets the operation fail with -EIO. */
typedef void (*vmsim_bug_handler_fn)(struct vmsim *vm, const struct vmsim_bug_report *r, void *arg);

/* Install h (NULL restores the default).  Returns the previous handler,
 * NULL if that was the default.  A NULL machine: nothing, NULL (and 0 from
 * vmsim_bug_count; vmsim__bug ignores a NULL machine or format). */
VMSIM_API vmsim_bug_handler_fn vmsim_set_bug_handler(struct vmsim *vm, vmsim_bug_handler_fn h, void *arg);

/* Bugs reported so far by this machine. */
VMSIM_API uint64_t vmsim_bug_count(const struct vmsim *vm);

VMSIM_API void vmsim__bug(struct vmsim *vm, const char *func, const char *file, int line,
		const char *fmt, ...) __attribute__((format(printf, 5, 6)));

#define VMSIM_BUG(vm, ...) vmsim__bug((vm), __func__, __FILE__, __LINE__, __VA_ARGS__)
/* Reports and evaluates to true when cond holds. */
#define VMSIM_BUG_ON(vm, cond, ...) \
	((cond) ? (vmsim__bug((vm), __func__, __FILE__, __LINE__, __VA_ARGS__), 1) : 0)

VMSIM_END_DECLS

#endif /* VMSIM_BUG_H */
