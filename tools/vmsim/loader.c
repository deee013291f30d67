/* `--kind FILE.so`: prototype entry kinds built as shared objects.  Each is
 * opened when the option is read and its `int vmsim_kind_init(struct vmsim
 * *vm)` runs on every simulated machine right after it is created (the
 * machine_init hook of struct vms_run_opts), so `vmsim run`, `--dot`,
 * `show`, `vmsim diff` and the `vmsim kinds` matrix see the kind as they
 * see the built-in ones.  The object takes libvmsim's functions from this
 * program, which exports them (docs/new-pte-type.md). */
#include <dlfcn.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <vmsim/vmsim.h>
#include "vmsim_tool.h"

int vmsim_tool_kind_open(struct vmsim_tool_kinds *ks, const char *path)
{
	char buf[4096];
	void *h;
	void *sym;

	if (ks->n >= VMSIM_TOOL_MAX_KINDS) {
		fprintf(stderr, "vmsim: at most %d --kind options\n", VMSIM_TOOL_MAX_KINDS);
		return VMS_MALFORMED;
	}
	/* A bare name is a file here, not a library to search for. */
	snprintf(buf, sizeof(buf), "%s%s", strchr(path, '/') ? "" : "./", path);
	h = dlopen(buf, RTLD_NOW | RTLD_LOCAL);
	if (!h) {
		fprintf(stderr, "vmsim: --kind %s: %s\n", path, dlerror());
		return VMS_MALFORMED;
	}
	sym = dlsym(h, "vmsim_kind_init");
	if (!sym) {
		fprintf(stderr, "vmsim: --kind %s: no vmsim_kind_init() in it\n", path);
		dlclose(h);
		return VMS_MALFORMED;
	}
	ks->handle[ks->n] = h;
	ks->path[ks->n] = path;
	/* POSIX guarantees a function pointer survives this conversion. */
	memcpy(&ks->init[ks->n], &sym, sizeof(sym));
	ks->n++;
	return 0;
}

/* struct vms_run_opts machine_init: every kind on the new machine, in
 * the order of the options. */
int vmsim_tool_kinds_init(struct vmsim *vm, void *arg)
{
	struct vmsim_tool_kinds *ks = arg;

	for (int i = 0; i < ks->n; i++) {
		int err = ks->init[i](vm);

		if (err) {
			fprintf(stderr, "vmsim: --kind %s: vmsim_kind_init: %s\n", ks->path[i],
				strerror(err < 0 ? -err : err));
			return err < 0 ? err : -err;
		}
	}
	return 0;
}

void vmsim_tool_kinds_close(struct vmsim_tool_kinds *ks)
{
	for (int i = 0; i < ks->n; i++)
		dlclose(ks->handle[i]);
	ks->n = 0;
}
