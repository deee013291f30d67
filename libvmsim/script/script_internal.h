/* What the .vms files share and nobody else sees: the command table's
 * parsing half (commands.c holds the table, parse.c the code it names). */
#ifndef VMSIM_SCRIPT_INTERNAL_H
#define VMSIM_SCRIPT_INTERNAL_H

#include <stddef.h>

#include <vmsim/script.h>

struct vmsim__pctx;
struct vmsim__opts;

/* Rules a table entry's operand letters cannot say (which options go
 * together, what expect= means here...); 0 or VMS_MALFORMED. */
typedef int (*vmsim__parse_hook)(struct vmsim__pctx *p, struct vms_cmd *c, struct vmsim__opts *o);

/*
 * One command of the table.  args has one letter per positional operand
 * (parse.c operand()): upper case required, lower case optional (only at
 * the end), '*' every remaining word.  The subcommand word, if any, is word
 * sub_at of the line; with an optional LEN, len is its default.  With own_keys the hook reads every option itself;
 * else parse.c applies the common ones (cpu= byte= size= ...).  be_op
 * names the back-end operation that runs it, when the interpreter needs no
 * more than that operation and the names its operand letters give: then a
 * new command is its table entry and its back ends' operations.
 */
/* A back-end operation taking the command alone, by its place in struct
 * vms_backend; 0 for a command the interpreter runs itself. */
typedef int (*vmsim__be_fn)(struct vms_backend *be, const struct vms_cmd *c);
#define VMSIM__BE_OP(field) offsetof(struct vms_backend, field)

struct vmsim__spec {
	struct vms_command pub;
	size_t be_op;
	const char *args;
	uint64_t len;		/* LEN when an optional one is not given */
	int sub_at;
	bool own_keys;
	const char *key_what;	/* what an unknown key is called: "option" if NULL */
	vmsim__parse_hook hook;
};

extern const struct vmsim__spec vmsim__specs[];
extern const size_t vmsim__nspecs;
/* The table entry of a parsed command (NULL for a bad one). */
const struct vmsim__spec *vmsim__spec_of(const struct vms_cmd *c);

/* Enumerated words and their values, defined once (commands.c). */
struct vmsim__word {
	const char *name;
	int value;
};
extern const struct vmsim__word vmsim__prots[], vmsim__file_kinds[], vmsim__advices[],
	vmsim__uffd_modes[], vmsim__uffd_features[], vmsim__errnos[];
/* The value of name in a NULL-terminated word list, or -1. */
int vmsim__word_value(const struct vmsim__word *list, const char *name);
const char *vmsim__word_name(const struct vmsim__word *list, int value);

/* The hooks the table names (parse.c). */
int vmsim__hook_machine(struct vmsim__pctx *p, struct vms_cmd *c, struct vmsim__opts *o);
int vmsim__hook_run(struct vmsim__pctx *p, struct vms_cmd *c, struct vmsim__opts *o);
int vmsim__hook_file(struct vmsim__pctx *p, struct vms_cmd *c, struct vmsim__opts *o);
int vmsim__hook_map(struct vmsim__pctx *p, struct vms_cmd *c, struct vmsim__opts *o);
int vmsim__hook_access(struct vmsim__pctx *p, struct vms_cmd *c, struct vmsim__opts *o);
int vmsim__hook_range(struct vmsim__pctx *p, struct vms_cmd *c, struct vmsim__opts *o);
int vmsim__hook_smaps(struct vmsim__pctx *p, struct vms_cmd *c, struct vmsim__opts *o);
int vmsim__hook_resolve(struct vmsim__pctx *p, struct vms_cmd *c, struct vmsim__opts *o);
int vmsim__hook_show_page(struct vmsim__pctx *p, struct vms_cmd *c, struct vmsim__opts *o);
int vmsim__hook_expect_pagemap(struct vmsim__pctx *p, struct vms_cmd *c, struct vmsim__opts *o);

#endif
