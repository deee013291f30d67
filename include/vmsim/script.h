/* The .vms scenario language (docs/scenario.md): the command table, a whole
 * script parsed into plain commands, the output lines, and the interpreter
 * that runs a script on a back end (the simulator, or a host kernel). */
#ifndef VMSIM_SCRIPT_H
#define VMSIM_SCRIPT_H

#include <vmsim/common.h>

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include <vmsim/sched.h>

VMSIM_BEGIN_DECLS

struct vmsim;

/*
 * Exit statuses of `vmsim run`, `vmsim kernel` and vms_interp_run(), defined
 * here once (docs/scenario.md "Running"):
 *   VMS_OK         every command ran and every expect held;
 *   VMS_FAILED     an expect failed ("FAIL line N: <why>"; the run stops);
 *   VMS_MALFORMED  the script is malformed, or the back end refuses it
 *                  ("error line N: <why>"; nothing runs);
 *   VMS_BUG        the simulator detected a kernel bug ("BUG ..."), or a
 *                  runner itself broke (a timeout, a dead controller);
 *   VMS_SKIP       a kernel runner cannot run this script on this host
 *                  ("skip: ..."; automake's and ctest's skip status).
 */
enum vms_status {
	VMS_OK = 0,
	VMS_FAILED = 1,
	VMS_MALFORMED = 2,
	VMS_BUG = 3,
	VMS_SKIP = 77,
};

#define VMS_NAME_MAX	128		/* a name is at most 127 characters */
#define VMS_PAGE_SIZE	4096ULL
#define VMS_IO_CHUNK	(64 * 1024)	/* read/write/fread/fwrite move at most this per call */

enum vms_op {
	VMS_MACHINE, VMS_PROCESS, VMS_RUN, VMS_FORK, VMS_EXIT, VMS_FILE,
	VMS_PARALLEL, VMS_BRANCH, VMS_END,
	VMS_MAP, VMS_UNMAP, VMS_PROTECT, VMS_REMAP, VMS_ADVISE,
	VMS_PUNCH, VMS_FWRITE, VMS_FREAD,
	VMS_READ, VMS_WRITE, VMS_TOUCH,
	VMS_UFFD,
	VMS_MIGRATE, VMS_MEMORY_FAILURE, VMS_DEVICE, VMS_INSTALL,
	VMS_CLEAR_REFS, VMS_PAGEMAP, VMS_SMAPS, VMS_SHOW,
	VMS_EXPECT_PAGEMAP, VMS_EXPECT_SAME, VMS_EXPECT_DIFFER, VMS_EXPECT_ERROR,
	VMS_TRUNCATE,
	VMS_SWAPOFF, VMS_SWAPON,
	VMS_NR_OPS
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

enum vms_file_kind { VMS_FILE_SHMEM, VMS_FILE_DISK, VMS_FILE_DAX, VMS_FILE_HUGETLB };

/* madvise advice: the values are Linux's MADV_* numbers. */
enum vms_advice {
	VMS_ADV_WILLNEED = 3, VMS_ADV_DONTNEED = 4, VMS_ADV_REMOVE = 9,
	VMS_ADV_HUGEPAGE = 14, VMS_ADV_NOHUGEPAGE = 15, VMS_ADV_COLD = 20,
	VMS_ADV_PAGEOUT = 21, VMS_ADV_POPULATE_READ = 22, VMS_ADV_POPULATE_WRITE = 23,
	VMS_ADV_COLLAPSE = 25, VMS_ADV_GUARD_INSTALL = 102, VMS_ADV_GUARD_REMOVE = 103,
};

/* read/write/fread/device read `expect=`: nothing, every byte equals value,
 * or a signal. */
enum vms_expect { VMS_EXPECT_NONE, VMS_EXPECT_VALUE, VMS_EXPECT_SIGSEGV, VMS_EXPECT_SIGBUS };

enum vms_uffd_op {
	VMS_UFFD_REGISTER, VMS_UFFD_UNREGISTER, VMS_UFFD_WP, VMS_UFFD_COPY,
	VMS_UFFD_ZEROPAGE, VMS_UFFD_CONTINUE, VMS_UFFD_POISON, VMS_UFFD_RESOLVE,
};
#define VMS_UFFD_MODE_MISSING	1u
#define VMS_UFFD_MODE_WP	2u
#define VMS_UFFD_MODE_MINOR	4u
#define VMS_UFFD_FEAT_EVENT_FORK	1u
#define VMS_UFFD_FEAT_EVENT_REMOVE	2u
#define VMS_UFFD_FEAT_EVENT_UNMAP	4u
#define VMS_UFFD_FEAT_WP_UNPOPULATED	8u
#define VMS_UFFD_FEAT_WP_ASYNC		16u
#define VMS_UFFD_FEAT_EVENT_REMAP	32u	/* a libvmsim extension of the language */

/* `uffd resolve`: VMS_RESOLVE_KEEP leaves that fault kind's answer as it is. */
enum vms_resolve {
	VMS_RESOLVE_KEEP, VMS_RESOLVE_ZEROPAGE, VMS_RESOLVE_COPY,
	VMS_RESOLVE_UNPROTECT, VMS_RESOLVE_CONTINUE, VMS_RESOLVE_SIGBUS,
};

enum vms_device_op { VMS_DEVICE_NEW, VMS_DEVICE_ATOMIC, VMS_DEVICE_READ, VMS_DEVICE_WRITE, VMS_DEVICE_BEGIN,
		     VMS_DEVICE_COMMIT };

enum vms_show { VMS_SHOW_VMAS, VMS_SHOW_PGTABLE, VMS_SHOW_TLB, VMS_SHOW_PAGE, VMS_SHOW_STATS };
/* `show page frame=#K | pfn=N | PROC ADDR` */
enum vms_show_page { VMS_SHOW_PAGE_LABEL, VMS_SHOW_PAGE_PFN, VMS_SHOW_PAGE_ADDR };

/* pagemap fields, in output order; their names and PM_* bits are in the
 * command table (vms_pm_key_name, vms_pm_key_bit). */
enum vms_pm_key {
	VMS_PM_PRESENT, VMS_PM_SWAP, VMS_PM_FILE, VMS_PM_EXCL, VMS_PM_SD,
	VMS_PM_UFFD_WP, VMS_PM_GUARD,
	VMS_PM_NKEYS,
};

/* What a pagemap line names as its frame. */
enum vms_frame_kind { VMS_FRAME_NONE, VMS_FRAME_ZERO, VMS_FRAME_PAGE };

/* One page as printed: bits 0/1 (or -1: unknown on this host, printed `?`)
 * and, when present, an opaque frame identity (a PFN). */
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
	const char *key;
	const char *value;
};

/* The smaps fields a `smaps` line prints, in order (names in the table:
 * vms_smaps_field_name), each in kB. */
enum vms_smaps_field {
	VMS_SMAPS_SIZE, VMS_SMAPS_RSS, VMS_SMAPS_PSS, VMS_SMAPS_SHARED_CLEAN,
	VMS_SMAPS_SHARED_DIRTY, VMS_SMAPS_PRIVATE_CLEAN, VMS_SMAPS_PRIVATE_DIRTY,
	VMS_SMAPS_ANONYMOUS, VMS_SMAPS_ANON_HUGE_PAGES, VMS_SMAPS_SWAP,
	VMS_SMAPS_SWAP_PSS, VMS_SMAPS_LOCKED,
	VMS_SMAPS_NFIELDS,
};
struct vms_smaps {
	uint64_t start;			/* the VMA's start */
	uint64_t kb[VMS_SMAPS_NFIELDS];
};

/* The subject swapoff and swapon name in their error lines: the machine's
 * swap area, the one `machine swap=SIZE` made. */
#define VMS_SWAP_AREA	"swap"

/*
 * One command.  name[0] is the subject: the process (the file for
 * file/punch/fwrite/fread; the device for device; the parent for fork; the
 * first process of expect same/differ; VMS_SWAP_AREA for swapoff/swapon);
 * name[1] is the fork child, the mapped file, the second process of
 * same/differ, the process a device command touches, or the entry kind of
 * install.  Numbers are as written:
 * system-call commands may carry unaligned values.  Strings belong to the
 * script.
 */
struct vms_cmd {
	int line;
	enum vms_op op;
	const char *name[2];
	uint64_t addr;		/* ADDR, OLD (remap), OFF (punch/fwrite/fread), ADDR1 */
	uint64_t len;		/* LEN; read/write/fread default 1, expect pagemap 4096 */
	union {			/* one command never needs two of these */
		uint64_t addr2;	/* remap NEW, expect same/differ ADDR2, show page pfn= */
		uint64_t off;	/* map off= */
		uint64_t size;	/* file size=, truncate SIZE */
	};
	enum vms_file_kind file_kind;
	unsigned prot;		/* VMS_PROT_* */
	unsigned map_flags;	/* VMS_MAP_* */
	enum vms_advice advice;
	int cpu;		/* cpu=N (or the branch's), -1 when not given */
	uint8_t byte;		/* byte=V (default 0xAA) */
	bool has_byte;
	bool touch_write;	/* touch w */
	bool touch_exec;	/* touch x: instruction fetches (simulator only) */
	enum vms_expect expect;	/* read/write/fread/device read expect= */
	uint8_t expect_value;
	/* uffd */
	enum vms_uffd_op uffd_op;
	unsigned uffd_modes;	/* VMS_UFFD_MODE_* */
	unsigned uffd_features;	/* VMS_UFFD_FEAT_* */
	bool uffd_wp;		/* copy/continue `wp`; `wp on` */
	enum vms_resolve resolve_missing, resolve_wp, resolve_minor;
	enum vms_device_op device_op;
	/* show: the target, and for page how the frame is named */
	enum vms_show show;
	enum vms_show_page show_page;
	/* install: the ARGS words after KIND */
	int argc;
	const char *const *argv;
	/* expect pagemap; show page frame=#K (want.label) */
	struct vms_pm_want want;
	/* expect error: the errno (negative) and the wrapped command */
	int err;
	const struct vms_cmd *inner;
	/* machine */
	int nkv;
	const struct vms_kv *kv;
};

/* ---- The command table: every command word and subcommand, once ---- */

#define VMS_CMD_WRAPPABLE	1u	/* `expect error` may wrap it */
#define VMS_CMD_SIM_ONLY	2u	/* simulator only: a kernel runner refuses the script */

struct vms_command {
	const char *word;		/* "map", "uffd register", "show vmas", "device" */
	const char *operands;		/* its positional operands, as documented */
	const char *const *keys;	/* its key= options (NULL-terminated) */
	const char *const *flags;	/* its bare-word flags (NULL-terminated) */
	const char *const *values;	/* words its operands and values may be (NULL-terminated) */
	enum vms_op op;
	int sub;			/* the enum vms_uffd_op/device_op/show, or -1 */
	unsigned attrs;			/* VMS_CMD_* */
};

VMSIM_API size_t vms_command_count(void);
/* The i-th command (NULL past the end). */
VMSIM_API const struct vms_command *vms_command_at(size_t i);
/* The table entry of a parsed command (NULL for a bad one). */
VMSIM_API const struct vms_command *vms_command_of(const struct vms_cmd *c);
/* The command's word in `error` lines: "map", "uffd register"... ("?" for NULL). */
VMSIM_API const char *vms_cmd_word(const struct vms_cmd *c);
/* pagemap key k's name ("present") and its PM_* bit (<vmsim/mm.h>); NULL/0 past the end. */
VMSIM_API const char *vms_pm_key_name(unsigned k);
VMSIM_API uint64_t vms_pm_key_bit(unsigned k);
/* smaps field i's name ("Rss"); NULL past the end. */
VMSIM_API const char *vms_smaps_field_name(unsigned i);
/* A pagemap entry (Linux's 64-bit format) as a line shows it; bits in
 * unknown print `?`; zero: the PFN is the (huge) zero page. */
VMSIM_API void vms_pm_decode(uint64_t entry, uint64_t unknown, bool zero, struct vms_pm *out);
/* The name of an errno in output lines ("EINVAL"; -EINVAL works too). */
VMSIM_API const char *vms_errno_name(int err);

/* ---- Parsing ---- */

struct vms_script;

/*
 * Parse the whole of text (len bytes, need not be NUL-terminated).  Returns 0
 * and sets *out (free with vms_script_free), VMS_MALFORMED with
 * "error line N: <why>" in err (errlen bytes, may be 0) and *out NULL,
 * -ENOMEM if memory ran out, -EINVAL for NULL text (with len > 0) or out.
 */
VMSIM_API int vms_parse(const char *text, size_t len, struct vms_script **out, char *err, size_t errlen);
VMSIM_API void vms_script_free(struct vms_script *s);
VMSIM_API size_t vms_script_count(const struct vms_script *s);
VMSIM_API const struct vms_cmd *vms_script_cmd(const struct vms_script *s, size_t i);

/* Read a whole file ("-" for stdin) into a malloc'd buffer; 0 or -errno. */
VMSIM_API int vms_read_file(const char *path, char **text, size_t *len);

/* ---- Output: the exact stdout lines (docs/scenario.md "Exact formats") ---- */

/* Frame labels (#K) of one run, keyed by frame identity.  Opaque. */
struct vms_labels;

struct vms_out {
	FILE *f;
	struct vms_labels *labels;
};

/* Result of an access or fread. */
enum vms_res { VMS_RES_BYTE, VMS_RES_SIGSEGV, VMS_RES_SIGBUS, VMS_RES_EOF };

/* Every vms_out_* returns 0 or -EINVAL (a NULL or bad argument; nothing is
 * printed) or -ENOMEM. */
VMSIM_API int vms_out_init(struct vms_out *o, FILE *f);
VMSIM_API void vms_out_fini(struct vms_out *o);
/* read P ADDR = 0xVV | SIGSEGV | SIGBUS */
VMSIM_API int vms_out_read(struct vms_out *o, const char *proc, uint64_t addr, enum vms_res r, uint8_t byte);
/* write P ADDR = SIGSEGV | SIGBUS (r must be a signal) */
VMSIM_API int vms_out_write(struct vms_out *o, const char *proc, uint64_t addr, enum vms_res r);
/* fread F OFF = 0xVV | EOF */
VMSIM_API int vms_out_fread(struct vms_out *o, const char *file, uint64_t off, enum vms_res r, uint8_t byte);
/* error NAME: WORD: ERRNO, for command c (its subject and word) */
VMSIM_API int vms_out_error(struct vms_out *o, const struct vms_cmd *c, int err);
/* uffd-fault P ADDR missing|wp|minor read|write; kind is a VMS_UFFD_MODE_* */
VMSIM_API int vms_out_uffd_fault(struct vms_out *o, const char *proc, uint64_t addr, unsigned kind, bool write);
/* uffd-event P fork CHILD */
VMSIM_API int vms_out_uffd_fork(struct vms_out *o, const char *proc, const char *child);
/* uffd-event P remove|unmap ADDR LEN; what is "remove" or "unmap" */
VMSIM_API int vms_out_uffd_range(struct vms_out *o, const char *proc, const char *what, uint64_t addr, uint64_t len);
/* uffd-event P remap FROM TO LEN */
VMSIM_API int vms_out_uffd_remap(struct vms_out *o, const char *proc, uint64_t from, uint64_t to, uint64_t len);
/* pagemap P ADDR present=.. frame=..; gives a new label to a frame first seen. */
VMSIM_API int vms_out_pagemap(struct vms_out *o, const char *proc, uint64_t addr, const struct vms_pm *pm);
/* smaps P START Size=.. Rss=.. ... Locked=.. */
VMSIM_API int vms_out_smaps(struct vms_out *o, const char *proc, const struct vms_smaps *sm);
/* device D read P ADDR = 0xVV */
VMSIM_API int vms_out_device_read(struct vms_out *o, const char *dev, const char *proc, uint64_t addr,
				  uint8_t byte);
/* oom-kill P */
VMSIM_API int vms_out_oom_kill(struct vms_out *o, const char *proc);

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

/* ---- The interpreter and its back ends ---- */

struct vms_run_opts {
	bool trace;		/* --trace: each command's line, and the back end's trace, to err */
	const char *dot;	/* --dot FILE, or NULL */
	bool has_seed;		/* --seed N overrides machine seed= */
	uint64_t seed;
	/* "KEY=VALUE ..." machine options applied after the script's machine
	 * line (a harness bounds ram= or forces check=full); NULL for none. */
	const char *machine;
	/* `vmsim explore`: the branches of parallel blocks run interleaved,
	 * as this explorer's current run schedules them (NULL: one after the
	 * other).  With it, --dot also writes a frame before every step of
	 * a block (OUT.dot -> OUT.0001.dot ...), and --trace shows the steps. */
	struct vmsim_explorer *explorer;
	/* Called with the simulator's machine once it exists, before the first
	 * command: `vmsim run --kind` registers prototype kinds here.  0, or a
	 * negative errno that refuses the run.  Kernel runners ignore it. */
	int (*machine_init)(struct vmsim *vm, void *arg);
	void *machine_arg;
};

/* One branch of a parallel block, as the interpreter hands it to a back
 * end that interleaves them: body runs the branch's commands; resume,
 * called whenever the branch is switched in, restores its place. */
struct vms_branch {
	const char *name;		/* "cpu1 (line 12)" */
	int cpu;
	int line;			/* of its branch line */
	void (*body)(void *arg);
	void (*resume)(void *arg);
	void *arg;
};

/* The interpreter's state during one run.  Opaque. */
struct vms_interp;

/*
 * What a back-end operation returns, besides 0 (done) and a negative errno
 * (the call failed with it: an `error` line, or what `expect error` checks).
 * REFUSED, SKIP and BROKEN come from vms_refuse(), vms_skip() and
 * vms_broken(), which print their reason.
 */
enum vms_be_rc {
	VMS_BE_SIGSEGV = 1,	/* an access raised SIGSEGV (at vms_access.fault_addr) */
	VMS_BE_SIGBUS = 2,	/* an access raised SIGBUS */
	VMS_BE_REFUSED = 3,	/* this back end cannot run the command: exit VMS_MALFORMED */
	VMS_BE_SKIP = 4,	/* the host cannot run the command: exit VMS_SKIP */
	VMS_BE_BROKEN = 5,	/* the back end itself failed: exit VMS_BUG */
};

/* One access: `read`/`write` (len bytes, buf filled or stored; at most
 * VMS_IO_CHUNK) or `touch` (one byte at the start of each page of len). */
struct vms_access {
	const char *proc;
	int cpu;		/* -1: the process's current CPU */
	uint64_t addr, len;
	bool write, touch;
	uint8_t *buf;		/* len bytes; NULL for touch */
	uint64_t fault_addr;	/* out: where the signal was raised */
	bool exec;		/* touch x: instruction fetches */
};

/*
 * A back end: a struct of operations on named processes and files.  Every
 * operation returns 0, -errno, or an enum vms_be_rc; the interpreter does
 * the rest (names, expects, labels, output lines, exit statuses).  The
 * interpreter sets in before calling check.  An operation a back end lacks
 * is NULL: the interpreter refuses commands that need it.
 */
struct vms_backend {
	const char *name;	/* for messages: "vmsim run", "vmsim kernel" */
	void *priv;
	struct vms_interp *in;	/* set by the interpreter */
	uint64_t pm_unknown;	/* PM_* bits it cannot read (printed `?`); set by check or setup */
	/* Before anything runs, once per command and per wrapped command:
	 * 0, or REFUSED / SKIP with the reason. */
	int (*check)(struct vms_backend *be, const struct vms_cmd *c);
	/* The machine (the script's machine line is its first command, if any). */
	int (*setup)(struct vms_backend *be, const struct vms_script *s, const struct vms_run_opts *opts);
	/* After the last command when all went well (the --dot output); may be NULL. */
	int (*finish)(struct vms_backend *be, const struct vms_run_opts *opts);
	/* Always called last, also after a failed setup. */
	void (*teardown)(struct vms_backend *be);
	/* World and mappings: the command says what. */
	int (*process)(struct vms_backend *be, const struct vms_cmd *c);
	int (*run)(struct vms_backend *be, const struct vms_cmd *c);
	int (*fork)(struct vms_backend *be, const struct vms_cmd *c);
	int (*exit)(struct vms_backend *be, const struct vms_cmd *c);
	int (*file)(struct vms_backend *be, const struct vms_cmd *c);
	int (*map)(struct vms_backend *be, const struct vms_cmd *c);
	int (*unmap)(struct vms_backend *be, const struct vms_cmd *c);
	int (*protect)(struct vms_backend *be, const struct vms_cmd *c);
	int (*remap)(struct vms_backend *be, const struct vms_cmd *c);
	int (*advise)(struct vms_backend *be, const struct vms_cmd *c);
	int (*punch)(struct vms_backend *be, const struct vms_cmd *c);
	/* write()/read() through the file: bytes moved (0 at EOF), or -errno. */
	long (*fwrite)(struct vms_backend *be, const struct vms_cmd *c, uint64_t off, const void *buf, size_t len);
	long (*fread)(struct vms_backend *be, const struct vms_cmd *c, uint64_t off, void *buf, size_t len);
	int (*access)(struct vms_backend *be, const struct vms_cmd *c, struct vms_access *a);
	/* Every uffd subcommand, resolve included (the handler is the back
	 * end's; it reports faults and events with vms_report_*). */
	int (*uffd)(struct vms_backend *be, const struct vms_cmd *c);
	int (*clear_refs)(struct vms_backend *be, const struct vms_cmd *c);
	/* One page's /proc/PID/pagemap entry; *zero: it maps the zero page. */
	int (*pagemap)(struct vms_backend *be, const char *proc, uint64_t addr, uint64_t *entry, bool *zero);
	int (*smaps)(struct vms_backend *be, const struct vms_cmd *c, struct vms_smaps *out);
	/* show: free-format dump to err; NULL to ignore show lines. */
	void (*show)(struct vms_backend *be, const struct vms_cmd *c, FILE *err);
	/* Simulator only. */
	int (*migrate)(struct vms_backend *be, const struct vms_cmd *c);
	int (*memory_failure)(struct vms_backend *be, const struct vms_cmd *c);
	int (*device)(struct vms_backend *be, const struct vms_cmd *c);	/* all but read */
	int (*device_read)(struct vms_backend *be, const struct vms_cmd *c, uint8_t *byte);
	int (*install)(struct vms_backend *be, const struct vms_cmd *c);
	/* ftruncate() of a file. */
	int (*truncate)(struct vms_backend *be, const struct vms_cmd *c);
	/* `vmsim explore`: run the n branches of a block interleaved (0, or
	 * an enum vms_be_rc / -errno for the back end's own trouble); NULL:
	 * the back end runs blocks one branch after the other. */
	int (*parallel)(struct vms_backend *be, const struct vms_branch *b, unsigned n);
	/* swapoff(2) / swapon(2) of the machine's swap area (machine swap=),
	 * with Linux's errors: swapoff EINVAL when the area is not active
	 * (or there is none), ENOMEM when memory cannot hold its pages (it
	 * stays active); swapon EBUSY when it is active, EINVAL when there
	 * is none (swap=0). */
	int (*swapoff)(struct vms_backend *be, const struct vms_cmd *c);
	int (*swapon)(struct vms_backend *be, const struct vms_cmd *c);
};

/* Run script s on back end be; an enum vms_status. */
VMSIM_API int vms_interp_run(const struct vms_script *s, struct vms_backend *be,
			     const struct vms_run_opts *opts, FILE *out, FILE *err);

/* What a back end tells the interpreter while a command runs (printed in
 * the order they come). */
VMSIM_API void vms_report_uffd_fault(struct vms_interp *in, const char *proc, uint64_t addr,
				     unsigned kind, bool write);
VMSIM_API void vms_report_uffd_fork(struct vms_interp *in, const char *proc, const char *child);
VMSIM_API void vms_report_uffd_range(struct vms_interp *in, const char *proc, const char *what,
				     uint64_t addr, uint64_t len);
VMSIM_API void vms_report_uffd_remap(struct vms_interp *in, const char *proc, uint64_t from, uint64_t to,
				     uint64_t len);
/* The OOM killer killed proc: `oom-kill P`; later commands naming it fail ESRCH. */
VMSIM_API void vms_report_oom_kill(struct vms_interp *in, const char *proc);
/* A detected bug: "BUG line N: <what>"; the run ends with VMS_BUG after
 * this command, whatever it returned. */
VMSIM_API void vms_report_bug(struct vms_interp *in, const char *what);
/* Print why and return VMS_BE_REFUSED / VMS_BE_SKIP / VMS_BE_BROKEN. */
VMSIM_API int vms_refuse(struct vms_interp *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
VMSIM_API int vms_skip(struct vms_interp *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
VMSIM_API int vms_broken(struct vms_interp *in, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The command running now (NULL between commands), the labels, stderr. */
VMSIM_API const struct vms_cmd *vms_interp_cmd(const struct vms_interp *in);
VMSIM_API const struct vms_out *vms_interp_out(const struct vms_interp *in);
VMSIM_API FILE *vms_interp_err(const struct vms_interp *in);

/* The simulator back end (`vmsim run`): vms_interp_run on a libvmsim machine. */
VMSIM_API int vms_run_sim(const struct vms_script *s, const struct vms_run_opts *opts, FILE *out, FILE *err);

/* ---- `vmsim explore` (docs/explore.md) ---- */

struct vms_explore_opts {
	struct vmsim_explore_opts x;	/* scheduler, seed, runs, bound, shard ... */
	const char *path;		/* the script's file, for the replay hint */
	bool json;			/* one JSON record per run (and a summary) on out */
	bool keep_going;		/* go on after a failed run */
	bool trace;			/* replay: --trace */
	const char *dot;		/* replay: --dot OUT.dot, and its frames */
};

/*
 * Run s again and again on the simulator, its parallel blocks interleaved
 * as o->x schedules them, each run checked with check=full.  Returns 0 (no
 * run failed), 1 (a run failed: its output, seed and schedule are
 * printed), 2 (s is malformed, or a replayed schedule does not fit it), 3
 * (trouble of the explorer's own: a run that does not retrace its
 * schedule, no memory).
 */
VMSIM_API int vms_explore(const struct vms_script *s, const struct vms_explore_opts *o, FILE *out, FILE *err);

VMSIM_END_DECLS

#endif /* VMSIM_SCRIPT_H */
