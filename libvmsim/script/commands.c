/* The .vms command table: every command word and subcommand once, with its
 * operands, options, flags, whether `expect error` may wrap it and whether
 * it is simulator-only.  The parser, the output lines and the docs test all
 * read this table; enumerated words (PROT, advice, errno names, pagemap
 * keys and their PM_* bits, smaps fields) are defined here too. */
#include <errno.h>
#include <string.h>

#include <vmsim/mm.h>

#include "script_internal.h"

#define LIST(...) ((const char *const[]){ __VA_ARGS__, NULL })
#define NONE NULL
#define W VMS_CMD_WRAPPABLE
#define SIM VMS_CMD_SIM_ONLY

const struct vmsim__word vmsim__prots[] = {
	{ "none", 0 }, { "r", VMS_PROT_READ }, { "rw", VMS_PROT_READ | VMS_PROT_WRITE },
	{ "rx", VMS_PROT_READ | VMS_PROT_EXEC },
	{ "rwx", VMS_PROT_READ | VMS_PROT_WRITE | VMS_PROT_EXEC }, { NULL, 0 },
};

const struct vmsim__word vmsim__file_kinds[] = {
	{ "shmem", VMS_FILE_SHMEM }, { "disk", VMS_FILE_DISK }, { "dax", VMS_FILE_DAX },
	{ "hugetlb", VMS_FILE_HUGETLB }, { NULL, 0 },
};

const struct vmsim__word vmsim__advices[] = {
	{ "dontneed", VMS_ADV_DONTNEED }, { "remove", VMS_ADV_REMOVE },
	{ "pageout", VMS_ADV_PAGEOUT }, { "cold", VMS_ADV_COLD },
	{ "willneed", VMS_ADV_WILLNEED }, { "populate_read", VMS_ADV_POPULATE_READ },
	{ "populate_write", VMS_ADV_POPULATE_WRITE }, { "guard_install", VMS_ADV_GUARD_INSTALL },
	{ "guard_remove", VMS_ADV_GUARD_REMOVE }, { "hugepage", VMS_ADV_HUGEPAGE },
	{ "nohugepage", VMS_ADV_NOHUGEPAGE }, { "collapse", VMS_ADV_COLLAPSE }, { NULL, 0 },
};

const struct vmsim__word vmsim__uffd_modes[] = {
	{ "missing", VMS_UFFD_MODE_MISSING }, { "wp", VMS_UFFD_MODE_WP },
	{ "minor", VMS_UFFD_MODE_MINOR }, { NULL, 0 },
};

const struct vmsim__word vmsim__uffd_features[] = {
	{ "event_fork", VMS_UFFD_FEAT_EVENT_FORK }, { "event_remove", VMS_UFFD_FEAT_EVENT_REMOVE },
	{ "event_unmap", VMS_UFFD_FEAT_EVENT_UNMAP }, { "event_remap", VMS_UFFD_FEAT_EVENT_REMAP },
	{ "wp_unpopulated", VMS_UFFD_FEAT_WP_UNPOPULATED }, { "wp_async", VMS_UFFD_FEAT_WP_ASYNC },
	{ NULL, 0 },
};

/* The errno names `expect error` takes; their values are the host's. */
const struct vmsim__word vmsim__errnos[] = {
	{ "EINVAL", EINVAL }, { "ENOMEM", ENOMEM }, { "EEXIST", EEXIST }, { "EFAULT", EFAULT },
	{ "EPERM", EPERM }, { "EBUSY", EBUSY }, { "EAGAIN", EAGAIN }, { "ENOENT", ENOENT },
	{ "EBADF", EBADF }, { "EACCES", EACCES }, { "EOPNOTSUPP", EOPNOTSUPP }, { "EINTR", EINTR },
	{ "EHWPOISON", EHWPOISON },
	{ NULL, 0 },
};

int vmsim__word_value(const struct vmsim__word *list, const char *name)
{
	for (; name && list->name; list++)
		if (!strcmp(list->name, name))
			return list->value;
	return -1;
}

const char *vmsim__word_name(const struct vmsim__word *list, int value)
{
	for (; list->name; list++)
		if (list->value == value)
			return list->name;
	return NULL;
}

/* pagemap keys in output order, with the Linux 6.18 bit each one shows. */
static const struct { const char *name; uint64_t bit; } pm_keys[VMS_PM_NKEYS] = {
	[VMS_PM_PRESENT] = { "present", PM_PRESENT },
	[VMS_PM_SWAP] = { "swap", PM_SWAP },
	[VMS_PM_FILE] = { "file", PM_FILE },
	[VMS_PM_EXCL] = { "excl", PM_MMAP_EXCLUSIVE },
	[VMS_PM_SD] = { "sd", PM_SOFT_DIRTY },
	[VMS_PM_UFFD_WP] = { "uffd_wp", PM_UFFD_WP },
	[VMS_PM_GUARD] = { "guard", PM_GUARD_REGION },
};

const char *vms_pm_key_name(unsigned k)
{
	return k < VMS_PM_NKEYS ? pm_keys[k].name : NULL;
}

uint64_t vms_pm_key_bit(unsigned k)
{
	return k < VMS_PM_NKEYS ? pm_keys[k].bit : 0;
}

void vms_pm_decode(uint64_t entry, uint64_t unknown, bool zero, struct vms_pm *out)
{
	if (!out)
		return;
	memset(out, 0, sizeof(*out));
	for (unsigned k = 0; k < VMS_PM_NKEYS; k++)
		out->bit[k] = (unknown & pm_keys[k].bit) ? -1 : (entry & pm_keys[k].bit) != 0;
	if (entry & PM_PRESENT) {
		out->frame = zero ? VMS_FRAME_ZERO : VMS_FRAME_PAGE;
		out->frame_id = entry & PM_PFRAME_MASK;
	}
}

/* /proc/PID/smaps field names, in the order a smaps line prints them. */
static const char *const smaps_fields[VMS_SMAPS_NFIELDS] = {
	[VMS_SMAPS_SIZE] = "Size", [VMS_SMAPS_RSS] = "Rss", [VMS_SMAPS_PSS] = "Pss",
	[VMS_SMAPS_SHARED_CLEAN] = "Shared_Clean", [VMS_SMAPS_SHARED_DIRTY] = "Shared_Dirty",
	[VMS_SMAPS_PRIVATE_CLEAN] = "Private_Clean", [VMS_SMAPS_PRIVATE_DIRTY] = "Private_Dirty",
	[VMS_SMAPS_ANONYMOUS] = "Anonymous", [VMS_SMAPS_ANON_HUGE_PAGES] = "AnonHugePages",
	[VMS_SMAPS_SWAP] = "Swap", [VMS_SMAPS_SWAP_PSS] = "SwapPss", [VMS_SMAPS_LOCKED] = "Locked",
};

const char *vms_smaps_field_name(unsigned i)
{
	return i < VMS_SMAPS_NFIELDS ? smaps_fields[i] : NULL;
}

#define PROT_WORDS "none", "r", "rw", "rx", "rwx"
#define ADVICE_WORDS "dontneed", "remove", "pageout", "cold", "willneed", "populate_read", \
	"populate_write", "guard_install", "guard_remove", "hugepage", "nohugepage", "collapse"
#define MACHINE_KEYS "cpus", "ram", "swap", "levels", "tlb", "seed", "check", "data", "luf", \
	"thp", "hugepages", "fault_around", "quirks", "readahead", "devx", "pmem", "dax_fragment", "dax_pmd_share"
#define PM_KEYS "present", "swap", "file", "excl", "sd", "uffd_wp", "guard"
#define ERRNO_WORDS "EINVAL", "ENOMEM", "EEXIST", "EFAULT", "EPERM", "EBUSY", "EAGAIN", \
	"ENOENT", "EBADF", "EACCES", "EOPNOTSUPP", "EINTR", "EHWPOISON"

/*
 * be_op: the back-end operation that runs the command (interp.c).
 * Operand letters (parse.c operand()): P process, Q a second process, N a
 * new process, C a new child process, F file, G new file, D device, E new
 * device, A address, a optional address, B second address, O file offset,
 * Z file size, L length, l optional length, R PROT, V advice, W r|w|x, S
 * on|off, M uffd modes, K the word softdirty, T an entry kind's name, * the
 * rest.
 */
#define CMD(w, ops, a, k, f, v, o, s, at, fn) \
	{ .pub = { .word = w, .operands = ops, .keys = k, .flags = f, .values = v, .op = o, \
		   .sub = s, .attrs = at }, .args = a, .be_op = fn }
#define OP(field) VMSIM__BE_OP(field)

const struct vmsim__spec vmsim__specs[] = {
	/* World */
	{ .pub = { "machine", "", LIST(MACHINE_KEYS), NONE,
		   LIST("4", "5", "off", "basic", "full", "on", "debug", "never", "madvise", "always"),
		   VMS_MACHINE, -1, 0 },
	  .args = "", .own_keys = true, .key_what = "machine option", .hook = vmsim__hook_machine },
	CMD("process", "NAME", "N", LIST("cpu"), NONE, NONE, VMS_PROCESS, -1, 0, OP(process)),
	{ .pub = { "run", "NAME", LIST("cpu"), NONE, NONE, VMS_RUN, -1, 0 }, .be_op = OP(run), .args = "P",
	  .hook = vmsim__hook_run },
	CMD("fork", "PARENT CHILD", "PC", NONE, NONE, NONE, VMS_FORK, -1, W, OP(fork)),
	CMD("exit", "NAME", "P", NONE, NONE, NONE, VMS_EXIT, -1, 0, OP(exit)),
	{ .pub = { "file", "NAME", LIST("size", "kind"), NONE, LIST("shmem", "disk", "dax", "hugetlb"),
		   VMS_FILE, -1, W }, .be_op = OP(file), .args = "G", .hook = vmsim__hook_file },
	CMD("parallel", "", "", NONE, NONE, NONE, VMS_PARALLEL, -1, 0, 0),
	CMD("branch", "", "", LIST("cpu"), NONE, NONE, VMS_BRANCH, -1, 0, 0),
	CMD("end", "", "", NONE, NONE, NONE, VMS_END, -1, 0, 0),
	/* Mappings */
	{ .pub = { "map", "PROC ADDR LEN", LIST("file", "off"),
		   LIST("anon", "private", "shared", PROT_WORDS, "populate", "locked"), NONE,
		   VMS_MAP, -1, W }, .be_op = OP(map), .args = "PAL", .hook = vmsim__hook_map },
	CMD("unmap", "PROC ADDR LEN", "PAL", NONE, NONE, NONE, VMS_UNMAP, -1, W, OP(unmap)),
	CMD("protect", "PROC ADDR LEN PROT", "PALR", NONE, NONE, LIST(PROT_WORDS), VMS_PROTECT, -1, W, OP(protect)),
	CMD("remap", "PROC OLD LEN NEW", "PALB", NONE, NONE, NONE, VMS_REMAP, -1, W, OP(remap)),
	CMD("advise", "PROC ADDR LEN ADVICE", "PALV", NONE, NONE, LIST(ADVICE_WORDS), VMS_ADVISE, -1, W, OP(advise)),
	CMD("punch", "FILE OFF LEN", "FOL", NONE, NONE, NONE, VMS_PUNCH, -1, W, OP(punch)),
	CMD("truncate", "FILE SIZE", "FZ", NONE, NONE, NONE, VMS_TRUNCATE, -1, W, OP(truncate)),
	CMD("fwrite", "FILE OFF LEN", "FOL", LIST("byte"), NONE, NONE, VMS_FWRITE, -1, W, 0),
	{ .pub = { "fread", "FILE OFF [LEN]", LIST("expect"), NONE, NONE, VMS_FREAD, -1, W },
	  .args = "FOl", .len = 1, .hook = vmsim__hook_access },
	/* Memory access */
	{ .pub = { "read", "PROC ADDR [LEN]", LIST("cpu", "expect"), NONE, LIST("SIGSEGV", "SIGBUS"),
		   VMS_READ, -1, 0 }, .args = "PAl", .len = 1, .hook = vmsim__hook_access },
	{ .pub = { "write", "PROC ADDR [LEN]", LIST("byte", "cpu", "expect"), NONE,
		   LIST("SIGSEGV", "SIGBUS"), VMS_WRITE, -1, 0 }, .args = "PAl", .len = 1, .hook = vmsim__hook_access },
	{ .pub = { "touch", "PROC ADDR LEN r|w|x", LIST("cpu"), NONE, LIST("r", "w", "x"), VMS_TOUCH, -1, 0 },
	  .args = "PALW", .hook = vmsim__hook_range },
	/* userfaultfd */
	{ .pub = { "uffd register", "PROC ADDR LEN MODES", LIST("features"), NONE,
		   LIST("missing", "wp", "minor", "event_fork", "event_remove", "event_unmap",
			"event_remap", "wp_unpopulated", "wp_async"), VMS_UFFD, VMS_UFFD_REGISTER, W },
	  .be_op = OP(uffd), .args = "PALM", .sub_at = 2 },
	{ .pub = { "uffd unregister", "PROC ADDR LEN", NONE, NONE, NONE, VMS_UFFD, VMS_UFFD_UNREGISTER, W },
	  .be_op = OP(uffd), .args = "PAL", .sub_at = 2 },
	{ .pub = { "uffd wp", "PROC ADDR LEN on|off", NONE, NONE, LIST("on", "off"), VMS_UFFD, VMS_UFFD_WP, W },
	  .be_op = OP(uffd), .args = "PALS", .sub_at = 2 },
	{ .pub = { "uffd copy", "PROC ADDR LEN", LIST("byte"), LIST("wp"), NONE, VMS_UFFD, VMS_UFFD_COPY, W },
	  .be_op = OP(uffd), .args = "PAL", .sub_at = 2 },
	{ .pub = { "uffd zeropage", "PROC ADDR LEN", NONE, NONE, NONE, VMS_UFFD, VMS_UFFD_ZEROPAGE, W },
	  .be_op = OP(uffd), .args = "PAL", .sub_at = 2 },
	{ .pub = { "uffd continue", "PROC ADDR LEN", NONE, LIST("wp"), NONE, VMS_UFFD, VMS_UFFD_CONTINUE, W },
	  .be_op = OP(uffd), .args = "PAL", .sub_at = 2 },
	{ .pub = { "uffd poison", "PROC ADDR LEN", NONE, NONE, NONE, VMS_UFFD, VMS_UFFD_POISON, W },
	  .be_op = OP(uffd), .args = "PAL", .sub_at = 2 },
	/* resolve never fails, so expect error cannot wrap it */
	{ .pub = { "uffd resolve", "PROC", LIST("missing", "wp", "minor"), NONE,
		   LIST("zeropage", "copy", "sigbus", "unprotect", "continue"), VMS_UFFD, VMS_UFFD_RESOLVE, 0 },
	  .be_op = OP(uffd), .args = "P", .sub_at = 2, .own_keys = true, .hook = vmsim__hook_resolve },
	/* The machine's swap area (this project's extension) */
	CMD("swapoff", "", "", NONE, NONE, NONE, VMS_SWAPOFF, -1, W, OP(swapoff)),
	CMD("swapon", "", "", NONE, NONE, NONE, VMS_SWAPON, -1, W, OP(swapon)),
	/* Simulator only */
	CMD("migrate", "PROC ADDR LEN", "PAL", NONE, NONE, NONE, VMS_MIGRATE, -1, W | SIM, OP(migrate)),
	CMD("memory_failure", "PROC ADDR", "PA", NONE, NONE, NONE, VMS_MEMORY_FAILURE, -1, W | SIM, OP(memory_failure)),
	{ .pub = { "device", "NAME", NONE, NONE, NONE, VMS_DEVICE, VMS_DEVICE_NEW, W | SIM },
	  .be_op = OP(device), .args = "E" },
	{ .pub = { "device atomic", "NAME PROC ADDR", LIST("byte"), NONE, NONE, VMS_DEVICE,
		   VMS_DEVICE_ATOMIC, W | SIM }, .be_op = OP(device), .args = "DQA", .sub_at = 2 },
	{ .pub = { "device read", "NAME PROC ADDR", LIST("expect"), NONE, NONE, VMS_DEVICE,
		   VMS_DEVICE_READ, W | SIM }, .args = "DQA", .sub_at = 2, .hook = vmsim__hook_access },
	{ .pub = { "device write", "NAME PROC ADDR", LIST("byte"), NONE, NONE, VMS_DEVICE,
		   VMS_DEVICE_WRITE, W | SIM }, .be_op = OP(device), .args = "DQA", .sub_at = 2 },
	{ .pub = { "device begin", "NAME PROC ADDR", LIST("byte"), NONE, NONE, VMS_DEVICE,
		   VMS_DEVICE_BEGIN, W | SIM }, .be_op = OP(device), .args = "DQA", .sub_at = 2 },
	{ .pub = { "device commit", "NAME", NONE, NONE, NONE, VMS_DEVICE, VMS_DEVICE_COMMIT, W | SIM },
	  .be_op = OP(device), .args = "D", .sub_at = 2 },
	CMD("install", "PROC ADDR LEN KIND [ARGS]", "PALT*", NONE, NONE, NONE, VMS_INSTALL, -1, W | SIM, OP(install)),
	/* Introspection */
	CMD("clear_refs", "PROC softdirty", "PK", NONE, NONE, LIST("softdirty"), VMS_CLEAR_REFS, -1, 0, OP(clear_refs)),
	{ .pub = { "pagemap", "PROC ADDR LEN", NONE, NONE, NONE, VMS_PAGEMAP, -1, 0 }, .args = "PAL",
	  .hook = vmsim__hook_range },
	{ .pub = { "smaps", "PROC ADDR", NONE, NONE, NONE, VMS_SMAPS, -1, W }, .args = "PA",
	  .hook = vmsim__hook_smaps },
	{ .pub = { "show vmas", "PROC", NONE, NONE, NONE, VMS_SHOW, VMS_SHOW_VMAS, 0 }, .args = "P",
	  .sub_at = 1 },
	{ .pub = { "show pgtable", "PROC [ADDR LEN]", NONE, NONE, NONE, VMS_SHOW, VMS_SHOW_PGTABLE, 0 },
	  .args = "Pal", .sub_at = 1 },
	{ .pub = { "show tlb", "", LIST("cpu"), NONE, NONE, VMS_SHOW, VMS_SHOW_TLB, 0 }, .args = "",
	  .sub_at = 1 },
	{ .pub = { "show page", "[PROC ADDR]", LIST("frame", "pfn"), NONE, NONE, VMS_SHOW, VMS_SHOW_PAGE, 0 },
	  .args = "pa", .sub_at = 1, .own_keys = true, .hook = vmsim__hook_show_page },
	{ .pub = { "show stats", "", NONE, NONE, NONE, VMS_SHOW, VMS_SHOW_STATS, 0 }, .args = "",
	  .sub_at = 1 },
	/* Checks */
	{ .pub = { "expect pagemap", "PROC ADDR [LEN]", LIST(PM_KEYS, "frame"), NONE,
		   LIST("0", "1", "-", "zero"), VMS_EXPECT_PAGEMAP, -1, 0 },
	  .args = "PAl", .len = VMS_PAGE_SIZE, .sub_at = 1, .own_keys = true, .key_what = "pagemap key",
	  .hook = vmsim__hook_expect_pagemap },
	{ .pub = { "expect same", "PROC1 ADDR1 PROC2 ADDR2", NONE, NONE, NONE, VMS_EXPECT_SAME, -1, 0 },
	  .args = "PAQB", .sub_at = 1 },
	{ .pub = { "expect differ", "PROC1 ADDR1 PROC2 ADDR2", NONE, NONE, NONE, VMS_EXPECT_DIFFER, -1, 0 },
	  .args = "PAQB", .sub_at = 1 },
	/* ERRNO, then a whole command (parse.c) */
	{ .pub = { "expect error", "ERRNO COMMAND...", NONE, NONE, LIST(ERRNO_WORDS), VMS_EXPECT_ERROR, -1, 0 },
	  .args = "*", .sub_at = 1 },
};

const size_t vmsim__nspecs = sizeof(vmsim__specs) / sizeof(vmsim__specs[0]);

size_t vms_command_count(void)
{
	return vmsim__nspecs;
}

const struct vms_command *vms_command_at(size_t i)
{
	return i < vmsim__nspecs ? &vmsim__specs[i].pub : NULL;
}

/* The subcommand field of a parsed command, or -1 for a plain command. */
static int sub_of(const struct vms_cmd *c)
{
	switch (c->op) {
	case VMS_UFFD:
		return (int)c->uffd_op;
	case VMS_DEVICE:
		return (int)c->device_op;
	case VMS_SHOW:
		return (int)c->show;
	default:
		return -1;
	}
}

const struct vmsim__spec *vmsim__spec_of(const struct vms_cmd *c)
{
	if (!c)
		return NULL;
	for (size_t i = 0; i < vmsim__nspecs; i++)
		if (vmsim__specs[i].pub.op == c->op && vmsim__specs[i].pub.sub == sub_of(c))
			return &vmsim__specs[i];
	return NULL;
}

const struct vms_command *vms_command_of(const struct vms_cmd *c)
{
	const struct vmsim__spec *k = vmsim__spec_of(c);

	return k ? &k->pub : NULL;
}

const char *vms_cmd_word(const struct vms_cmd *c)
{
	const struct vms_command *k = vms_command_of(c);

	return k ? k->word : "?";
}
