/* `vmsim diff [--kind K.so]... FILE.vms...`: run each script on the
 * simulator (with the prototype kinds loaded) and on the host kernel, show
 * a unified diff of their standard outputs, count the results. */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <vmsim/vmsim.h>

#include "kernel.h"
#include "vmsim_tool.h"

/* Run `vmsim MODE script [--kind K]...` with stdout to out; its exit
 * status, or -1. */
static int run_self(const char *mode, const char *script, const char *out, char **kinds, int nkinds)
{
	pid_t pid = fork();
	int st;

	if (pid < 0)
		return -1;
	if (pid == 0) {
		FILE *f = freopen(out, "w", stdout);
		char *argv[4 + 2 * VMSIM_TOOL_MAX_KINDS];
		int n = 0;

		if (!f)
			_exit(127);
		argv[n++] = "vmsim";
		argv[n++] = (char *)mode;
		argv[n++] = (char *)script;
		for (int i = 0; i < nkinds && i < VMSIM_TOOL_MAX_KINDS; i++) {
			argv[n++] = "--kind";
			argv[n++] = kinds[i];
		}
		argv[n] = NULL;
		execv("/proc/self/exe", argv);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0)
		return -1;
	return WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
}

/* diff -u of the two outputs to our stdout; 0 when they are the same. */
static int run_diff(const char *script, const char *sim, const char *kern)
{
	char l1[1100], l2[1100];
	pid_t pid;
	int st;

	snprintf(l1, sizeof(l1), "simulator: %s", script);
	snprintf(l2, sizeof(l2), "kernel: %s", script);
	pid = fork();
	if (pid < 0)
		return -1;
	if (pid == 0) {
		execlp("diff", "diff", "-u", "--label", l1, "--label", l2, sim, kern, (char *)NULL);
		_exit(127);
	}
	if (waitpid(pid, &st, 0) < 0 || !WIFEXITED(st))
		return -1;
	return WEXITSTATUS(st);
}

/* A kernel without soft-dirty prints sd=?: the simulator's sd is then not
 * comparable, so mask it the same way (docs/fidelity.md). */
static bool mask_sd(const char *kern, const char *sim)
{
	char line[1024];
	bool unknown = false;
	FILE *k = fopen(kern, "r"), *in, *out;
	char tmp[4096];

	if (!k)
		return false;
	while (!unknown && fgets(line, sizeof(line), k))
		unknown = strstr(line, " sd=?") != NULL;
	fclose(k);
	if (!unknown)
		return false;
	snprintf(tmp, sizeof(tmp), "%s.m", sim);
	in = fopen(sim, "r");
	out = fopen(tmp, "w");
	while (in && out && fgets(line, sizeof(line), in)) {
		char *p = strstr(line, " sd=");

		if (!strncmp(line, "pagemap ", 8) && p && (p[4] == '0' || p[4] == '1'))
			p[4] = '?';
		fputs(line, out);
	}
	if (in)
		fclose(in);
	if (out)
		fclose(out);
	rename(tmp, sim);
	return true;
}

/* A machine option the kernel runner ignores (the language) but the
 * simulator honours, so that the two would differ by design: a quirk, a
 * fault-around size other than the kernel's 64K, a readahead size other
 * than the host's read_ahead_kb.  NULL if none. */
static const char *machine_not_host(const struct vms_script *s, char *buf, size_t size)
{
	const struct vms_cmd *c = vms_script_count(s) ? vms_script_cmd(s, 0) : NULL;
	struct vmsim_config cfg;
	bool disk = false;
	uint64_t ra;

	vmsim_config_init(&cfg);
	for (size_t i = 0; i < vms_script_count(s); i++) {
		const struct vms_cmd *f = vms_script_cmd(s, i);

		f = f->inner ? f->inner : f;
		disk |= f->op == VMS_FILE && f->file_kind == VMS_FILE_DISK;
	}
	for (int i = 0; c && c->op == VMS_MACHINE && i < c->nkv; i++) {
		vmsim_config_set(&cfg, c->kv[i].key, c->kv[i].value);
		if (!strcmp(c->kv[i].key, "quirks") && c->kv[i].value[0]) {
			snprintf(buf, size, "no-kernel: quirks=%s, simulator bugs on purpose", c->kv[i].value);
			return buf;
		}
	}
	if (cfg.fault_around != 64 * 1024) {
		snprintf(buf, size, "no-kernel: fault_around=%lluK, not the kernel's 64K",
			 (unsigned long long)(cfg.fault_around >> 10));
		return buf;
	}
	/* What a disk fault maps, around it. */
	if (disk && !k_host_readahead("/var/tmp", &ra) && ra != cfg.readahead) {
		snprintf(buf, size, "no-kernel: readahead=%lluK, not the host's read_ahead_kb",
			 (unsigned long long)(cfg.readahead >> 10));
		return buf;
	}
	return NULL;
}

/* Why the script at path is not for the host: its `#@ no-kernel` line, or
 * its first simulator-only command word (the kernel runner refuses the
 * whole script for it); NULL if it is.  Such a script is not compared but
 * counted as skipped.  A script that does not parse is left to the two
 * runs, which report it. */
static const char *sim_only_word(const char *path, char *buf, size_t size)
{
	struct vms_script *s = NULL;
	const char *word = NULL;
	char *text;
	size_t len;

	if (vms_read_file(path, &text, &len))
		return NULL;
	/* A `#@ no-kernel: why` comment: the author says the host cannot show
	 * it (a machine option the runner ignores, such as ram= or luf=). */
	for (const char *l = text; l && l < text + len; l = memchr(l, '\n', (size_t)(text + len - l)), l = l ? l + 1 : NULL) {
		if ((size_t)(text + len - l) > 12 && !strncmp(l, "#@ no-kernel", 12)) {
			const char *e = memchr(l, '\n', (size_t)(text + len - l));
			int n = (int)((e ? e : text + len) - l);

			snprintf(buf, size, "%.*s", n - 3, l + 3);
			free(text);
			return buf;
		}
	}
	if (vms_parse(text, len, &s, NULL, 0) == 0) {
		word = machine_not_host(s, buf, size);
		for (size_t i = 0; i < vms_script_count(s) && !word; i++) {
			const struct vms_cmd *c = vms_script_cmd(s, i);
			const struct vms_command *k = vms_command_of(c->inner ? c->inner : c);


			if (k && (k->attrs & VMS_CMD_SIM_ONLY)) {
				snprintf(buf, size, "%s", k->word);
				word = buf;
			}
		}
		vms_script_free(s);
	}
	free(text);
	return word;
}

int vmsim_diff_main(int argc, char **argv)
{
	const char *tmp = getenv("TMPDIR");
	char dir[256];
	int same = 0, differ = 0, skipped = 0, nkinds = 0, nfiles = 0;
	char *kinds[VMSIM_TOOL_MAX_KINDS], **files = argv;

	/* --kind K.so: for the simulator's runs (the host has Linux's kinds). */
	for (int i = 0; i < argc; i++) {
		if (!strcmp(argv[i], "--kind") && i + 1 < argc && nkinds < VMSIM_TOOL_MAX_KINDS) {
			kinds[nkinds++] = argv[++i];
		} else if (argv[i][0] == '-' && argv[i][1]) {
			nfiles = 0;	/* an unknown option */
			break;
		} else {
			files[nfiles++] = argv[i];
		}
	}
	if (nfiles < 1) {
		fprintf(stderr, "usage: vmsim diff [--kind KIND.so]... FILE.vms...\n");
		return VMS_MALFORMED;
	}
	argc = nfiles;
	snprintf(dir, sizeof(dir), "%s/vmsim-diff-XXXXXX", tmp && *tmp && strlen(tmp) < 200 ? tmp : "/tmp");
	if (!mkdtemp(dir)) {
		fprintf(stderr, "vmsim diff: mkdtemp: %s\n", strerror(errno));
		return VMS_MALFORMED;
	}
	for (int i = 0; i < argc; i++) {
		char sim[300], kern[300];
		int ks, ss, ds;

		snprintf(sim, sizeof(sim), "%s/sim.out", dir);
		snprintf(kern, sizeof(kern), "%s/kernel.out", dir);
		char word[160];

		fflush(stdout);
		if (sim_only_word(argv[i], word, sizeof(word))) {
			printf("skipped %s (%s%s)\n", argv[i], strncmp(word, "no-kernel", 9) ? "simulator only: " : "", word);
			skipped++;
			continue;
		}
		ks = run_self("kernel", argv[i], kern, NULL, 0);
		if (ks == VMS_SKIP) {
			printf("skipped %s (the host cannot run it)\n", argv[i]);
			skipped++;
			unlink(kern);	/* what the runner printed before it skipped */
			continue;
		}
		ss = run_self("run", argv[i], sim, kinds, nkinds);
		if (mask_sd(kern, sim))
			printf("note: %s: sd not compared (the host kernel has no soft-dirty)\n", argv[i]);
		fflush(stdout);
		ds = run_diff(argv[i], sim, kern);
		if (ks != ss)
			printf("%s: exit status: simulator %d, kernel %d\n", argv[i], ss, ks);
		if (ds == 0 && ks == ss)
			same++;
		else
			differ++;
		unlink(sim);
		unlink(kern);
	}
	rmdir(dir);
	printf("%d identical, %d differ, %d skipped\n", same, differ, skipped);
	/* Nothing compared at all: a skip, so ctest can say so. */
	if (!differ && !same && skipped)
		return VMS_SKIP;
	return differ ? VMS_FAILED : VMS_OK;
}
