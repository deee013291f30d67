/* The stdout lines of a .vms run (docs/scenario.md, "Exact formats"), shared by the
 * simulator and the kernel runner so that their outputs compare byte for byte. */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include <vmsim/vmsim.h>
#include <vmsim/script.h>

/* #K labels: K counts distinct frames in order of first pagemap output. */
struct label {
	uint64_t frame_id;
	unsigned k;
	UT_hash_handle hh;
};

struct vms_labels {
	struct label *by_frame;
	unsigned next;
};

int vms_out_init(struct vms_out *o, FILE *f)
{
	o->f = f;
	o->labels = calloc(1, sizeof(*o->labels));
	if (!o->labels)
		return -ENOMEM;
	o->labels->next = 1;
	return 0;
}

void vms_out_fini(struct vms_out *o)
{
	struct label *l, *tmp;

	if (!o->labels)
		return;
	HASH_ITER(hh, o->labels->by_frame, l, tmp) {
		HASH_DEL(o->labels->by_frame, l);
		free(l);
	}
	free(o->labels);
	o->labels = NULL;
}

static const char *sig_name(enum vms_res r)
{
	return r == VMS_RES_SIGBUS ? "SIGBUS" : "SIGSEGV";
}

void vms_out_read(struct vms_out *o, const char *proc, uint64_t addr, enum vms_res r, uint8_t byte)
{
	if (r == VMS_RES_BYTE)
		fprintf(o->f, "read %s 0x%016" PRIx64 " = 0x%02x\n", proc, addr, byte);
	else
		fprintf(o->f, "read %s 0x%016" PRIx64 " = %s\n", proc, addr, sig_name(r));
}

void vms_out_write(struct vms_out *o, const char *proc, uint64_t addr, enum vms_res r)
{
	fprintf(o->f, "write %s 0x%016" PRIx64 " = %s\n", proc, addr, sig_name(r));
}

void vms_out_fread(struct vms_out *o, const char *file, uint64_t off, enum vms_res r, uint8_t byte)
{
	if (r == VMS_RES_BYTE)
		fprintf(o->f, "fread %s 0x%016" PRIx64 " = 0x%02x\n", file, off, byte);
	else
		fprintf(o->f, "fread %s 0x%016" PRIx64 " = EOF\n", file, off);
}

const char *vms_cmd_word(const struct vms_cmd *c)
{
	static const char *const words[] = { "machine", "process", "run", "fork", "exit",
		"file", "map", "unmap", "protect", "remap", "advise", "punch", "fwrite",
		"fread", "read", "write", "touch", "uffd", "clear_refs", "pagemap", "show",
		"expect pagemap", "expect same", "expect differ", "expect error" };
	static const char *const uffd[] = { "uffd register", "uffd unregister", "uffd wp",
		"uffd copy", "uffd zeropage", "uffd continue", "uffd resolve" };

	if (c->op == VMS_UFFD)
		return uffd[c->uffd_op];
	return words[c->op];
}

void vms_out_error(struct vms_out *o, const struct vms_cmd *c, int err)
{
	const char *name = vmsim_errno_name(err);

	/* The kernel may answer with an errno the simulator has no name for. */
	if (!strcmp(name, "E?") && strerrorname_np(err < 0 ? -err : err))
		name = strerrorname_np(err < 0 ? -err : err);
	fprintf(o->f, "error %s: %s: %s\n", c->name[0], vms_cmd_word(c), name);
}

void vms_out_uffd_fault(struct vms_out *o, const char *proc, uint64_t addr, unsigned kind, bool write)
{
	const char *k = kind == VMS_UFFD_MODE_WP ? "wp" :
			kind == VMS_UFFD_MODE_MINOR ? "minor" : "missing";

	fprintf(o->f, "uffd-fault %s 0x%016" PRIx64 " %s %s\n", proc,
		addr & ~(uint64_t)(VMS_PAGE_SIZE - 1), k, write ? "write" : "read");
}

void vms_out_uffd_fork(struct vms_out *o, const char *proc, const char *child)
{
	fprintf(o->f, "uffd-event %s fork %s\n", proc, child);
}

void vms_out_uffd_range(struct vms_out *o, const char *proc, const char *what, uint64_t addr, uint64_t len)
{
	fprintf(o->f, "uffd-event %s %s 0x%016" PRIx64 " 0x%" PRIx64 "\n", proc, what, addr, len);
}

static struct label *find_label(const struct vms_labels *ls, uint64_t id)
{
	struct label *l;

	HASH_FIND(hh, ls->by_frame, &id, sizeof(id), l);
	return l;
}

int vms_out_pagemap(struct vms_out *o, const char *proc, uint64_t addr, const struct vms_pm *pm)
{
	static const char *const keys[] = { "present", "swap", "file", "excl", "sd",
		"uffd_wp", "guard" };
	char frame[24];

	if (pm->frame == VMS_FRAME_NONE) {
		snprintf(frame, sizeof(frame), "-");
	} else if (pm->frame == VMS_FRAME_ZERO) {
		snprintf(frame, sizeof(frame), "zero");
	} else {
		struct label *l = find_label(o->labels, pm->frame_id);

		if (!l) {
			l = malloc(sizeof(*l));
			if (!l)
				return -ENOMEM;
			l->frame_id = pm->frame_id;
			l->k = o->labels->next++;
			HASH_ADD(hh, o->labels->by_frame, frame_id, sizeof(l->frame_id), l);
		}
		snprintf(frame, sizeof(frame), "#%u", l->k);
	}
	fprintf(o->f, "pagemap %s 0x%016" PRIx64, proc, addr);
	for (int i = 0; i < VMS_PM_NKEYS; i++) {
		if (pm->bit[i] < 0)
			fprintf(o->f, " %s=?", keys[i]);
		else
			fprintf(o->f, " %s=%d", keys[i], pm->bit[i] ? 1 : 0);
	}
	fprintf(o->f, " frame=%s\n", frame);
	return 0;
}

static void frame_text(const struct vms_out *o, enum vms_frame_kind kind, uint64_t id,
		       bool is_label, unsigned label, char *buf, size_t len)
{
	const struct label *l;

	if (kind == VMS_FRAME_NONE)
		snprintf(buf, len, "-");
	else if (kind == VMS_FRAME_ZERO)
		snprintf(buf, len, "zero");
	else if (is_label)
		snprintf(buf, len, "#%u", label);
	else if ((l = find_label(o->labels, id)))
		snprintf(buf, len, "#%u", l->k);
	else
		snprintf(buf, len, "a frame not yet labelled");
}

bool vms_pm_check(const struct vms_out *o, const struct vms_pm *got,
		  const struct vms_pm_want *want, char *why, size_t whylen)
{
	static const char *const keys[] = { "present", "swap", "file", "excl", "sd",
		"uffd_wp", "guard" };
	char g[40], w[40];

	for (int i = 0; i < VMS_PM_NKEYS; i++) {
		if (!(want->mask & (1u << i)) || got->bit[i] == want->bit[i])
			continue;
		snprintf(why, whylen, "%s=%d, expected %s=%d", keys[i], got->bit[i], keys[i],
			 want->bit[i]);
		return false;
	}
	if (!want->has_frame)
		return true;
	if (got->frame == want->frame) {
		const struct label *l;

		if (got->frame != VMS_FRAME_PAGE)
			return true;
		l = find_label(o->labels, got->frame_id);
		if (l && l->k == want->label)
			return true;
	}
	frame_text(o, got->frame, got->frame_id, false, 0, g, sizeof(g));
	frame_text(o, want->frame, 0, true, want->label, w, sizeof(w));
	snprintf(why, whylen, "frame=%s, expected frame=%s", g, w);
	return false;
}

bool vms_out_label_frame(const struct vms_out *o, unsigned k, uint64_t *frame_id)
{
	const struct label *l, *t;

	HASH_ITER(hh, o->labels->by_frame, l, t) {
		if (l->k == k) {
			*frame_id = l->frame_id;
			return true;
		}
	}
	return false;
}

unsigned vms_out_frame_label(const struct vms_out *o, uint64_t frame_id)
{
	const struct label *l = find_label(o->labels, frame_id);

	return l ? l->k : 0;
}
