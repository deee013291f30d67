/* The vmsim command: `run` a .vms script on the simulator, `kernel` on the
 * host kernel, `diff` both, `explore` its interleavings, `kinds` the
 * entry-kind conformance matrix.  Thin: the work is in libvmsim/script/. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>
#include "vmsim_tool.h"

static int usage_to(FILE *f, int rc)
{
	fprintf(f,
		"usage: vmsim run FILE.vms|- [--trace] [--dot OUT.dot] [--seed N] [--machine 'KEY=VAL...']\n"
		"                 [--kind KIND.so]...\n"
		"       vmsim kernel FILE.vms|-\n"
		"       vmsim diff [--kind KIND.so]... FILE.vms...\n"
		"       vmsim explore FILE.vms [--runs N] [--seed N] [--sched random|pct|exhaustive]\n"
		"                      [--shard I/N] [--json] [--replay SCHEDULE] (vmsim explore -h: all)\n"
		"       vmsim kinds [--md] [--no-host] [--kind KIND.so]... [--only KIND] [--scenario KIND OP anon|shmem]\n"
		"       vmsim replay TRACE|- [--cpus N] [--switch N] [--machine 'KEY=VAL...'] [--time]\n");
	return rc;
}

/* Bad usage: the usage on stderr, exit 2 (as a malformed script). */
static int usage(void)
{
	return usage_to(stderr, VMS_MALFORMED);
}

/* Read and parse path; 0 and *s, or the exit status after a message. */
int vmsim_tool_load(const char *path, struct vms_script **s)
{
	char err[512];
	char *text;
	size_t len;
	int rc = vms_read_file(path, &text, &len);

	if (rc) {
		fprintf(stderr, "vmsim: %s: %s\n", path, strerror(-rc));
		return VMS_MALFORMED;
	}
	rc = vms_parse(text, len, s, err, sizeof(err));
	free(text);
	if (rc == -ENOMEM) {
		fprintf(stderr, "vmsim: out of memory\n");
		return VMS_BUG;
	}
	if (rc) {
		fprintf(stderr, "%s\n", err);
		return VMS_MALFORMED;
	}
	return 0;
}

static int cmd_run(int argc, char **argv)
{
	struct vmsim_tool_kinds kinds = { 0 };
	struct vms_run_opts opts = { .machine_init = vmsim_tool_kinds_init, .machine_arg = &kinds };
	const char *path = NULL;
	struct vms_script *s;
	int rc;

	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--kind") && i + 1 < argc) {
			rc = vmsim_tool_kind_open(&kinds, argv[++i]);
			if (rc) {
				vmsim_tool_kinds_close(&kinds);
				return rc;
			}
		} else if (!strcmp(argv[i], "--trace")) {
			opts.trace = true;
		} else if (!strcmp(argv[i], "--dot") && i + 1 < argc) {
			opts.dot = argv[++i];
		} else if (!strcmp(argv[i], "--machine") && i + 1 < argc) {
			/* After the script's machine line: replays a fuzzer's run. */
			opts.machine = argv[++i];
		} else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
			char *end;

			opts.has_seed = true;
			opts.seed = strtoull(argv[++i], &end, 0);
			if (*end || !*argv[i]) {
				path = NULL;
				break;
			}
		} else if (!path && (argv[i][0] != '-' || !argv[i][1])) {
			path = argv[i];
		} else {
			path = NULL;
			break;
		}
	}
	if (!path) {
		vmsim_tool_kinds_close(&kinds);
		return usage();
	}
	rc = vmsim_tool_load(path, &s);
	if (!rc) {
		rc = vms_run_sim(s, &opts, stdout, stderr);
		vms_script_free(s);
	}
	vmsim_tool_kinds_close(&kinds);
	if (rc < 0)
		fprintf(stderr, "vmsim run: %s\n", strerror(-rc));
	return rc < 0 ? VMS_BUG : rc;
}

int main(int argc, char **argv)
{
	if (argc < 2)
		return usage();
	if (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h") || !strcmp(argv[1], "help"))
		return usage_to(stdout, VMS_OK);
	if (!strcmp(argv[1], "run"))
		return cmd_run(argc - 2, argv + 2);
	if (!strcmp(argv[1], "kernel"))
		return vmsim_kernel_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "diff"))
		return vmsim_diff_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "explore"))
		return vmsim_explore_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "replay"))
		return vmsim_replay_main(argc - 2, argv + 2);
	if (!strcmp(argv[1], "kinds"))
		return vmsim_kinds_main(argc - 2, argv + 2);
	return usage();
}
