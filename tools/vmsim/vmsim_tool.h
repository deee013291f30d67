/* Shared between the vmsim command's files (not installed). */
#ifndef VMSIM_TOOL_H
#define VMSIM_TOOL_H

#include <vmsim/script.h>

/* Exit statuses: enum vms_status (script.h). */

int vmsim_tool_load(const char *path, struct vms_script **s);
int vmsim_kernel_main(int argc, char **argv);
int vmsim_diff_main(int argc, char **argv);

/* `vmsim replay` (replay.c): a lackey memory trace through the MMU. */
int vmsim_replay_main(int argc, char **argv);

#endif
