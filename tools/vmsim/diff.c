/* `vmsim diff`: run scripts on the simulator and the kernel, compare (not yet). */
#include <stdio.h>

#include "vmsim_tool.h"

int vmsim_diff_main(int argc, char **argv)
{
	(void)argc;
	(void)argv;
	fprintf(stderr, "vmsim diff: not implemented yet\n");
	return 2;
}
