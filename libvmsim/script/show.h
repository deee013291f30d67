/* Human-oriented dumps of a machine (`show ...`, --dot): free format, to
 * stderr or a file; never part of the compared standard output. */
#ifndef VMSIM_SCRIPT_SHOW_H
#define VMSIM_SCRIPT_SHOW_H

#include <stdio.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>

struct vmsim_show_proc {
	const char *name;
	struct vmsim_mm *mm;
};

/* Run one `show` command c against the processes in procs[0..n). */
void vmsim_show(struct vmsim *vm, const struct vms_out *o, const struct vms_cmd *c, FILE *f,
		const struct vmsim_show_proc *procs, unsigned n);
/* Write every process's page-table tree as Graphviz to path; shared frames
 * are one node with an edge from each entry mapping them. 0 or -errno. */
int vmsim_dot(struct vmsim *vm, const struct vms_out *o, const char *path,
	      const struct vmsim_show_proc *procs, unsigned n);

#endif
