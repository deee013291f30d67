/* The stdout lines of a .vms run (docs/scenario.md "Exact formats"), printed
 * by the interpreter for every back end, so that their outputs compare byte
 * for byte.  Command words, pagemap keys and smaps fields come from the
 * command table (commands.c). */
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include <vmsim/vmsim.h>

#include "script_internal.h"

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
	if (!o || !f)
		return -EINVAL;
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

	if (!o || !o->labels)
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

static bool ok(const struct vms_out *o, const char *name)
{
	return o && o->f && o->labels && name;
}

static bool is_sig(enum vms_res r)
{
	return r == VMS_RES_SIGSEGV || r == VMS_RES_SIGBUS;
}

int vms_out_read(struct vms_out *o, const char *proc, uint64_t addr, enum vms_res r, uint8_t byte)
{
	if (!ok(o, proc) || (r != VMS_RES_BYTE && !is_sig(r)))
		return -EINVAL;
	if (r == VMS_RES_BYTE)
		fprintf(o->f, "read %s 0x%016" PRIx64 " = 0x%02x\n", proc, addr, byte);
	else
		fprintf(o->f, "read %s 0x%016" PRIx64 " = %s\n", proc, addr, sig_name(r));
	return 0;
}

int vms_out_write(struct vms_out *o, const char *proc, uint64_t addr, enum vms_res r)
{
	if (!ok(o, proc) || !is_sig(r))
		return -EINVAL;
	fprintf(o->f, "write %s 0x%016" PRIx64 " = %s\n", proc, addr, sig_name(r));
	return 0;
}

int vms_out_fread(struct vms_out *o, const char *file, uint64_t off, enum vms_res r, uint8_t byte)
{
	if (!ok(o, file) || (r != VMS_RES_BYTE && r != VMS_RES_EOF))
		return -EINVAL;
	if (r == VMS_RES_BYTE)
		fprintf(o->f, "fread %s 0x%016" PRIx64 " = 0x%02x\n", file, off, byte);
	else
		fprintf(o->f, "fread %s 0x%016" PRIx64 " = EOF\n", file, off);
	return 0;
}

const char *vms_errno_name(int err)
{
	const char *name;

	if (err == INT_MIN)
		return "E?";
	if (err < 0)
		err = -err;
	name = vmsim__word_name(vmsim__errnos, err);
	if (!name)
		name = vmsim_errno_name(err);
	/* The kernel may answer with an errno neither table names. */
	if (!strcmp(name, "E?") && strerrorname_np(err))
		name = strerrorname_np(err);
	return name;
}

int vms_out_error(struct vms_out *o, const struct vms_cmd *c, int err)
{
	if (!c || !ok(o, c->name[0]) || !vms_command_of(c))
		return -EINVAL;
	fprintf(o->f, "error %s: %s: %s\n", c->name[0], vms_cmd_word(c), vms_errno_name(err));
	return 0;
}

int vms_out_uffd_fault(struct vms_out *o, const char *proc, uint64_t addr, unsigned kind, bool write)
{
	const char *k = kind == VMS_UFFD_MODE_WP ? "wp" : kind == VMS_UFFD_MODE_MINOR ? "minor" :
			kind == VMS_UFFD_MODE_MISSING ? "missing" : NULL;

	if (!ok(o, proc) || !k)
		return -EINVAL;
	fprintf(o->f, "uffd-fault %s 0x%016" PRIx64 " %s %s\n", proc,
		addr & ~(uint64_t)(VMS_PAGE_SIZE - 1), k, write ? "write" : "read");
	return 0;
}

int vms_out_uffd_fork(struct vms_out *o, const char *proc, const char *child)
{
	if (!ok(o, proc) || !child)
		return -EINVAL;
	fprintf(o->f, "uffd-event %s fork %s\n", proc, child);
	return 0;
}

int vms_out_uffd_range(struct vms_out *o, const char *proc, const char *what, uint64_t addr, uint64_t len)
{
	if (!ok(o, proc) || !what || (strcmp(what, "remove") && strcmp(what, "unmap")))
		return -EINVAL;
	fprintf(o->f, "uffd-event %s %s 0x%016" PRIx64 " 0x%" PRIx64 "\n", proc, what, addr, len);
	return 0;
}

int vms_out_uffd_remap(struct vms_out *o, const char *proc, uint64_t from, uint64_t to, uint64_t len)
{
	if (!ok(o, proc))
		return -EINVAL;
	fprintf(o->f, "uffd-event %s remap 0x%016" PRIx64 " 0x%016" PRIx64 " 0x%" PRIx64 "\n", proc, from, to, len);
	return 0;
}

int vms_out_smaps(struct vms_out *o, const char *proc, const struct vms_smaps *sm)
{
	if (!ok(o, proc) || !sm)
		return -EINVAL;
	fprintf(o->f, "smaps %s 0x%016" PRIx64, proc, sm->start);
	for (unsigned i = 0; i < VMS_SMAPS_NFIELDS; i++)
		fprintf(o->f, " %s=%" PRIu64, vms_smaps_field_name(i), sm->kb[i]);
	fputc('\n', o->f);
	return 0;
}

int vms_out_device_read(struct vms_out *o, const char *dev, const char *proc, uint64_t addr, uint8_t byte)
{
	if (!ok(o, dev) || !proc)
		return -EINVAL;
	fprintf(o->f, "device %s read %s 0x%016" PRIx64 " = 0x%02x\n", dev, proc, addr, byte);
	return 0;
}

int vms_out_oom_kill(struct vms_out *o, const char *proc)
{
	if (!ok(o, proc))
		return -EINVAL;
	fprintf(o->f, "oom-kill %s\n", proc);
	return 0;
}

static struct label *find_label(const struct vms_labels *ls, uint64_t id)
{
	struct label *l;

	HASH_FIND(hh, ls->by_frame, &id, sizeof(id), l);
	return l;
}

int vms_out_pagemap(struct vms_out *o, const char *proc, uint64_t addr, const struct vms_pm *pm)
{
	char frame[24];

	if (!ok(o, proc) || !pm || pm->frame > VMS_FRAME_PAGE)
		return -EINVAL;
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
			fprintf(o->f, " %s=?", vms_pm_key_name((unsigned)i));
		else
			fprintf(o->f, " %s=%d", vms_pm_key_name((unsigned)i), pm->bit[i] ? 1 : 0);
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
	char g[40], w[40];

	if (!o || !o->labels || !got || !want || (whylen && !why))
		return false;
	for (int i = 0; i < VMS_PM_NKEYS; i++) {
		if (!(want->mask & (1u << i)) || got->bit[i] == want->bit[i])
			continue;
		snprintf(why, whylen, "%s=%d, expected %s=%d", vms_pm_key_name((unsigned)i), got->bit[i],
			 vms_pm_key_name((unsigned)i), want->bit[i]);
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

	if (!o || !o->labels || !frame_id)
		return false;
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
	const struct label *l = o && o->labels ? find_label(o->labels, frame_id) : NULL;

	return l ? l->k : 0;
}
