/* The .vms scenario language (docs/scenario.md): a whole script parsed into
 * plain commands, the output lines every back end prints, and the back ends. */
#ifndef VMSIM_SCRIPT_H
#define VMSIM_SCRIPT_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

VMSIM_BEGIN_DECLS

#define VMS_NAME_MAX	32		/* a name is at most 31 characters */
#define VMS_PAGE_SIZE	4096ULL
#define VMS_MAX_MACHINE_OPTS 16
#define VMS_MAX_SHOW_ARGS 8

enum vms_op {
	VMS_MACHINE, VMS_PROCESS, VMS_RUN, VMS_FORK, VMS_EXIT, VMS_FILE,
	VMS_MAP, VMS_UNMAP, VMS_PROTECT, VMS_REMAP, VMS_ADVISE,
	VMS_PUNCH, VMS_FWRITE, VMS_FREAD,
	VMS_READ, VMS_WRITE, VMS_TOUCH,
	VMS_UFFD,
	VMS_CLEAR_REFS, VMS_PAGEMAP, VMS_SHOW,
	VMS_EXPECT_PAGEMAP, VMS_EXPECT_SAME, VMS_EXPECT_DIFFER, VMS_EXPECT_ERROR,
};

/* PROT bits have Linux's values: PROT_READ 1, PROT_WRITE 2, PROT_EXEC 4. */
#define VMS_PROT_READ	1u
#define VMS_PROT_WRITE	2u
#define VMS_PROT_EXEC	4u

/* map flags */
#define VMS_MAP_ANON	 1u	/* else file-backed: name[1] is the file */
#define VMS_MAP_SHARED	 2u	/* else private */
#define VMS_MAP_POPULATE 4u
#define VMS_MAP_LOCKED	 8u

enum vms_file_kind { VMS_FILE_SHMEM, VMS_FILE_DISK, VMS_FILE_DAX };

enum vms_advice {
	VMS_ADV_DONTNEED, VMS_ADV_REMOVE, VMS_ADV_PAGEOUT, VMS_ADV_COLD,
	VMS_ADV_WILLNEED, VMS_ADV_POPULATE_READ, VMS_ADV_POPULATE_WRITE,
	VMS_ADV_GUARD_INSTALL, VMS_ADV_GUARD_REMOVE,
};

/* read/write/fread `expect=`: nothing, every byte equals value, or a signal. */
enum vms_expect { VMS_EXPECT_NONE, VMS_EXPECT_VALUE, VMS_EXPECT_SIGSEGV, VMS_EXPECT_SIGBUS };

enum vms_uffd_op {
	VMS_UFFD_REGISTER, VMS_UFFD_UNREGISTER, VMS_UFFD_WP, VMS_UFFD_COPY,
	VMS_UFFD_ZEROPAGE, VMS_UFFD_CONTINUE, VMS_UFFD_RESOLVE,
};
#define VMS_UFFD_MODE_MISSING	1u
#define VMS_UFFD_MODE_WP	2u
#define VMS_UFFD_MODE_MINOR	4u
#define VMS_UFFD_FEAT_EVENT_FORK	1u
#define VMS_UFFD_FEAT_EVENT_REMOVE	2u
#define VMS_UFFD_FEAT_EVENT_UNMAP	4u
#define VMS_UFFD_FEAT_WP_UNPOPULATED	8u
#define VMS_UFFD_FEAT_WP_ASYNC		16u

/* `uffd resolve`: VMS_RESOLVE_KEEP leaves that fault kind's answer as it is. */
enum vms_resolve {
	VMS_RESOLVE_KEEP, VMS_RESOLVE_ZEROPAGE, VMS_RESOLVE_COPY,
	VMS_RESOLVE_UNPROTECT, VMS_RESOLVE_CONTINUE, VMS_RESOLVE_SIGBUS,
};

enum vms_show { VMS_SHOW_VMAS, VMS_SHOW_PGTABLE, VMS_SHOW_TLB, VMS_SHOW_PAGE, VMS_SHOW_STATS };

/* pagemap fields, in output order; bit numbers in the comments (6.18). */
enum vms_pm_key {
	VMS_PM_PRESENT,		/* 63 */
	VMS_PM_SWAP,		/* 62 */
	VMS_PM_FILE,		/* 61 */
	VMS_PM_EXCL,		/* 56 */
	VMS_PM_SD,		/* 55 */
	VMS_PM_UFFD_WP,		/* 57 */
	VMS_PM_GUARD,		/* 58 */
	VMS_PM_NKEYS,
};

/* What a pagemap line names as its frame. */
enum vms_frame_kind { VMS_FRAME_NONE, VMS_FRAME_ZERO, VMS_FRAME_PAGE };

/* One page as a back end reads it: bits 0/1 (or -1: unknown on this host,
 * printed `?`) and, when present, an opaque frame identity (a PFN). */
struct vms_pm {
	int8_t bit[VMS_PM_NKEYS];
	enum vms_frame_kind frame;
	uint64_t frame_id;		/* meaningful for VMS_FRAME_PAGE */
};

/* `expect pagemap` KEY=VAL list: bits in mask must equal bit[]; frame too. */
struct vms_pm_want {
	unsigned mask;			/* 1u << enum vms_pm_key */
	uint8_t bit[VMS_PM_NKEYS];
	bool has_frame;
	enum vms_frame_kind frame;	/* `-`, `zero`, or `#label` */
	unsigned label;			/* K of `#K`, >= 1 */
};

/* A machine-line option, kept as text for vmsim_config_set(). */
struct vms_kv {
	char key[16];
	char value[48];
};

/*
 * One command.  name[0] is the process (the file for file/punch/fwrite/fread;
 * the parent for fork, the first process for expect same/differ); name[1] is
 * the fork child, the mapped file, or the second process of same/differ.
 * Numbers are as written: system-call commands may carry unaligned values.
 */
struct vms_cmd {
	int line;
	enum vms_op op;
	char name[2][VMS_NAME_MAX];
	uint64_t addr;		/* ADDR, OLD (remap), OFF (punch/fwrite/fread), ADDR1 */
	uint64_t len;		/* LEN; read/write/fread default 1, expect pagemap 4096 */
	uint64_t addr2;		/* remap NEW, expect same/differ ADDR2 */
	uint64_t off;		/* map off= */
	uint64_t size;		/* file size= */
	enum vms_file_kind file_kind;
	unsigned prot;		/* VMS_PROT_* */
	unsigned map_flags;	/* VMS_MAP_* */
	enum vms_advice advice;
	uint8_t byte;		/* byte=V for write/fwrite/uffd copy (default 0xAA) */
	bool has_byte;
	bool touch_write;	/* touch w */
	int cpu;		/* cpu=N, -1 when not given */
	enum vms_expect expect;	/* read/write/fread expect= */
	uint8_t expect_value;
	/* uffd */
	enum vms_uffd_op uffd_op;
	unsigned uffd_modes;	/* VMS_UFFD_MODE_* */
	unsigned uffd_features;	/* VMS_UFFD_FEAT_* */
	bool uffd_wp;		/* copy/continue `wp`; `wp on` */
	enum vms_resolve resolve_missing, resolve_wp, resolve_minor;
	/* show: target and the remaining words (free format) */
	enum vms_show show;
	int show_argc;
	char show_argv[VMS_MAX_SHOW_ARGS][VMS_NAME_MAX];
	/* expect pagemap */
	struct vms_pm_want want;
	/* expect error: the errno (negative) and the wrapped command */
	int err;
	struct vms_cmd *inner;
	/* machine */
	int nkv;
	struct vms_kv kv[VMS_MAX_MACHINE_OPTS];
};

struct vms_script;

/*
 * Parse the whole of text (len bytes, need not be NUL-terminated).  Returns 0
 * and sets *out (free with vms_script_free), or 2 with "error line N: <why>"
 * in err (errlen bytes) and *out NULL.  -ENOMEM if memory ran out.
 */
VMSIM_API int vms_parse(const char *text, size_t len, struct vms_script **out, char *err, size_t errlen);
VMSIM_API void vms_script_free(struct vms_script *s);
VMSIM_API size_t vms_script_count(const struct vms_script *s);
VMSIM_API const struct vms_cmd *vms_script_cmd(const struct vms_script *s, size_t i);

/* Read a whole file ("-" for stdin) into a malloc'd buffer; 0 or -errno. */
VMSIM_API int vms_read_file(const char *path, char **text, size_t *len);

/* The command's word in `error` lines: "map", "uffd register"... */
VMSIM_API const char *vms_cmd_word(const struct vms_cmd *c);

/* ---- Output: the exact stdout lines (docs/scenario.md, "Exact formats") ---- */

/* Frame labels (#K) of one run, keyed by frame identity.  Opaque. */
struct vms_labels;

struct vms_out {
	FILE *f;
	struct vms_labels *labels;
};

/* Result of an access or fread. */
enum vms_res { VMS_RES_BYTE, VMS_RES_SIGSEGV, VMS_RES_SIGBUS, VMS_RES_EOF };

VMSIM_API int vms_out_init(struct vms_out *o, FILE *f);
VMSIM_API void vms_out_fini(struct vms_out *o);
/* read P ADDR = 0xVV | SIGSEGV | SIGBUS */
VMSIM_API void vms_out_read(struct vms_out *o, const char *proc, uint64_t addr, enum vms_res r, uint8_t byte);
/* write P ADDR = SIGSEGV | SIGBUS (r must be a signal) */
VMSIM_API void vms_out_write(struct vms_out *o, const char *proc, uint64_t addr, enum vms_res r);
/* fread F OFF = 0xVV | EOF */
VMSIM_API void vms_out_fread(struct vms_out *o, const char *file, uint64_t off, enum vms_res r, uint8_t byte);
/* error NAME: WORD: ERRNO, for command c (its subject and word) */
VMSIM_API void vms_out_error(struct vms_out *o, const struct vms_cmd *c, int err);
/* uffd-fault P ADDR missing|wp|minor read|write; kind is a VMS_UFFD_MODE_* */
VMSIM_API void vms_out_uffd_fault(struct vms_out *o, const char *proc, uint64_t addr, unsigned kind, bool write);
/* uffd-event P fork CHILD */
VMSIM_API void vms_out_uffd_fork(struct vms_out *o, const char *proc, const char *child);
/* uffd-event P remove|unmap ADDR LEN; what is "remove" or "unmap" */
VMSIM_API void vms_out_uffd_range(struct vms_out *o, const char *proc, const char *what, uint64_t addr, uint64_t len);
/* pagemap P ADDR present=.. frame=..; gives a new label to a frame first seen. */
VMSIM_API int vms_out_pagemap(struct vms_out *o, const char *proc, uint64_t addr, const struct vms_pm *pm);

/*
 * Does got satisfy want?  Never gives labels: a frame not yet printed
 * matches no #K.  Returns true, or false with a reason in why.
 */
VMSIM_API bool vms_pm_check(const struct vms_out *o, const struct vms_pm *got,
		  const struct vms_pm_want *want, char *why, size_t whylen);

/* The frame a label #k names (false if none yet), and the label of a
 * frame (0 if it has none): for dumps that speak the labels' language. */
VMSIM_API bool vms_out_label_frame(const struct vms_out *o, unsigned k, uint64_t *frame_id);
VMSIM_API unsigned vms_out_frame_label(const struct vms_out *o, uint64_t frame_id);

/* ---- Back ends ---- */

struct vms_run_opts {
	bool trace;		/* --trace: trace to err */
	const char *dot;	/* --dot FILE, or NULL */
	bool has_seed;		/* --seed N overrides machine seed= */
	uint64_t seed;
	/* "KEY=VALUE ..." machine options applied after the script's machine
	 * line (a harness bounds ram= or forces check=full); NULL for none. */
	const char *machine;
};

/* Run s on the simulator; 0 ok, 1 an expect failed, 2 malformed (or
 * refused: not supported yet), 3 the simulator reported a bug (BUG line). */
VMSIM_API int vms_run_sim(const struct vms_script *s, const struct vms_run_opts *opts, FILE *out, FILE *err);

VMSIM_END_DECLS

#endif /* VMSIM_SCRIPT_H */
