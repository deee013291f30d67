/* libFuzzer target: the .vms parser on any bytes, then small valid scripts
 * on a tiny simulator with check=full (a BUG report is a crash). */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <vmsim/script.h>
#include <vmsim/vmsim.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* Bounds that keep one input well under a millisecond or so: few commands,
 * small ranges (each page of a range costs a fault and a full check). */
#define MAX_INPUT	4096
#define MAX_CMDS	48
#define MAX_ACCESS	(64 * 1024ULL)		/* read/write/touch/pagemap/file I/O */
#define MAX_RANGE	(4 * 1024 * 1024ULL)	/* map/unmap/protect/remap/advise/punch */

static FILE *sink;

static int tlb_ok(const char *v)
{
	unsigned sets, ways;

	return sscanf(v, "%ux%u", &sets, &ways) == 2 && sets <= 64 && ways <= 16;
}

/* Would this script run fast?  The machine line is bounded by overrides
 * (ram, swap, check) except what they cannot bound: cpus and tlb size. */
static int small_enough(const struct vms_script *s)
{
	size_t n = vms_script_count(s);

	if (n > MAX_CMDS)
		return 0;
	for (size_t i = 0; i < n; i++) {
		const struct vms_cmd *c = vms_script_cmd(s, i);
		const struct vms_cmd *x = c->op == VMS_EXPECT_ERROR ? c->inner : c;

		if (x->op == VMS_MACHINE) {
			for (int k = 0; k < x->nkv; k++) {
				if (!strcmp(x->kv[k].key, "cpus") && atoi(x->kv[k].value) > 8)
					return 0;
				if (!strcmp(x->kv[k].key, "tlb") && !tlb_ok(x->kv[k].value))
					return 0;
				/* The device-exclusive and PMD-sharing quirks fail
				 * checks on purpose. */
				if (!strcmp(x->kv[k].key, "quirks") &&
				    (strstr(x->kv[k].value, "devx") || strstr(x->kv[k].value, "pmd_")))
					return 0;
				/* Persistent memory's struct pages cost host memory. */
				if (!strcmp(x->kv[k].key, "pmem")) {
					struct vmsim_config cfg;

					vmsim_config_init(&cfg);
					if (vmsim_config_set(&cfg, "pmem", x->kv[k].value) || cfg.pmem > (64ULL << 20))
						return 0;
				}
			}
			continue;
		}
		if ((x->op == VMS_FILE || x->op == VMS_TRUNCATE) && x->size > MAX_RANGE)
			return 0;
		/* Between device begin and commit the model device holds the
		 * page by its folio lock alone, like test_hmm's dmirror: an
		 * unmap there leaves it a stale atomic mapping, which the
		 * device invariant reports by design. */
		if (x->op == VMS_DEVICE && x->device_op == VMS_DEVICE_BEGIN)
			return 0;
		switch (x->op) {
		case VMS_READ: case VMS_WRITE: case VMS_TOUCH: case VMS_PAGEMAP:
		case VMS_EXPECT_PAGEMAP: case VMS_FWRITE: case VMS_FREAD: case VMS_UFFD: case VMS_MIGRATE:
			if (x->len > MAX_ACCESS)
				return 0;
			break;
		case VMS_MAP: case VMS_UNMAP: case VMS_PROTECT: case VMS_REMAP: case VMS_ADVISE:
		case VMS_PUNCH:
			if (x->len > MAX_RANGE)
				return 0;
			break;
		default:
			break;
		}
	}
	return 1;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct vms_run_opts opts = { .machine = "ram=2M swap=1M check=full" };
	struct vms_script *s;
	char err[512];
	int rc;

	if (size > MAX_INPUT)
		return -1;
	if (!sink)
		sink = fopen("/dev/null", "w");
	rc = vms_parse((const char *)data, size, &s, err, sizeof(err));
	if (rc == VMS_MALFORMED) {
		/* Every refusal names its line. */
		if (strncmp(err, "error line ", 11))
			abort();
		return 0;
	}
	if (rc)
		return 0;
	if (small_enough(s)) {
		rc = vms_run_sim(s, &opts, sink, sink);
		if (rc == VMS_BUG)
			abort();	/* the simulator reported a bug: keep the input */
		if (rc != VMS_OK && rc != VMS_FAILED && rc != VMS_MALFORMED)
			abort();
	}
	vms_script_free(s);
	return 0;
}
