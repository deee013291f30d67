/* `vmsim kernel`: run a .vms script on the host Linux kernel (not yet). */
#include <stdio.h>

#include "vmsim_tool.h"

int vmsim_kernel_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "skip: vmsim kernel is not implemented yet\n");
	return VMSIM_EXIT_SKIP;
}
