/* Shared between the vmsim command's files (not installed). */
#ifndef VMSIM_TOOL_H
#define VMSIM_TOOL_H

#include <vmsim/script.h>

/* Exit statuses: enum vms_status (script.h). */

struct vmsim;

/* --kind FILE.so (loader.c). */
#define VMSIM_TOOL_MAX_KINDS	16
struct vmsim_tool_kinds {
	int n;
	const char *path[VMSIM_TOOL_MAX_KINDS];
	void *handle[VMSIM_TOOL_MAX_KINDS];
	int (*init[VMSIM_TOOL_MAX_KINDS])(struct vmsim *vm);
};
/* dlopen path and find its vmsim_kind_init(): 0, or an exit status after
 * a message. */
int vmsim_tool_kind_open(struct vmsim_tool_kinds *ks, const char *path);
/* A struct vms_run_opts machine_init hook (arg: the kinds). */
int vmsim_tool_kinds_init(struct vmsim *vm, void *arg);
void vmsim_tool_kinds_close(struct vmsim_tool_kinds *ks);

int vmsim_tool_load(const char *path, struct vms_script **s);
int vmsim_kinds_main(int argc, char **argv);
int vmsim_kernel_main(int argc, char **argv);
int vmsim_diff_main(int argc, char **argv);
int vmsim_explore_main(int argc, char **argv);

/* `vmsim replay` (replay.c): a lackey memory trace through the MMU. */
int vmsim_replay_main(int argc, char **argv);

#endif
