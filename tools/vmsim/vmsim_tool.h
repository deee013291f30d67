/* Shared between the vmsim command's files (not installed). */
#ifndef VMSIM_TOOL_H
#define VMSIM_TOOL_H

#include <vmsim/script.h>

#define VMSIM_EXIT_SKIP 77	/* the host cannot run this script (automake's skip) */

int vmsim_tool_load(const char *path, struct vms_script **s);
int vmsim_kernel_main(int argc, char **argv);
int vmsim_diff_main(int argc, char **argv);

#endif
