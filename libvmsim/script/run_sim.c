/* PLACEHOLDER for the simulator back end of .vms scripts: replaced wholesale
 * by the real interpreter when that branch is merged. */
#include <vmsim/script.h>

int vms_run_sim(const struct vms_script *s, const struct vms_run_opts *opts, FILE *out, FILE *err)
{
	const struct vms_cmd *c = vms_script_cmd(s, 0);

	(void)opts;
	(void)out;
	fprintf(err, "error line %d: not supported yet\n", c ? c->line : 1);
	return 2;
}
