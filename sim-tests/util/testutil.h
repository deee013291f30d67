/* Shared helpers for the test tiers: machines that record bugs instead of
 * aborting, so a test can expect one. */
#ifndef VMSIM_TESTUTIL_H
#define VMSIM_TESTUTIL_H

#include <vmsim/vmsim.h>

struct bug_log {
	unsigned count;
	char last[512];
	char last_func[64];
};

/* Make a machine (cfg NULL: defaults) whose bugs go to log. */
struct vmsim *tu_machine(const struct vmsim_config *cfg, struct bug_log *log);
/* A machine from "key=value key=value" text, bugs to log (may be NULL:
 * default handler).  Returns NULL if the text is bad. */
struct vmsim *tu_machine_str(const char *opts, struct bug_log *log);
void tu_bug_recorder(struct vmsim *vm, const struct vmsim_bug_report *r, void *arg);

#endif
