/* The scenarios of the conformance matrix (`vmsim kinds`): for one entry
 * kind, one operation and one kind of memory, a .vms script that creates an
 * entry of the kind at E, prints its pagemap line, runs the operation and
 * prints what became of the entry.  The recipes that create an entry are
 * the ones a program can use on Linux where there is one (MADV_GUARD_INSTALL,
 * UFFDIO_WRITEPROTECT, UFFDIO_POISON), so the host kernel can run the same
 * script; any other kind is put there with `install` (simulator only). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kinds.h"

#define A	"0x7f0000000000"	/* the mapping: 16K */
#define E	"0x7f0000001000"	/* the entry: its second page */
#define NEW	"0x7f0000100000"	/* where mremap moves it */
#define NEW_E	"0x7f0000101000"

#define F_FORK		1u	/* uffd features, as the register command spells them */
#define F_UNPOP		2u
#define F_REMAP		4u

static void line(struct kscen *s, enum kline role, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void line(struct kscen *s, enum kline role, const char *fmt, ...)
{
	va_list ap;

	if (s->nlines + 1 >= KSCEN_MAX_LINES)
		return;
	va_start(ap, fmt);
	vfprintf(s->f, fmt, ap);
	va_end(ap);
	fputc('\n', s->f);
	s->role[++s->nlines] = role;
}

/* " features=A,B" for the bits of f, or "" (a static buffer: one call
 * per line). */
static const char *features_word(unsigned f)
{
	static const char *const name[] = { "event_fork", "wp_unpopulated", "event_remap" };
	static char buf[64];
	size_t n = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < sizeof(name) / sizeof(name[0]); i++)
		if (f & (1u << i))
			n += (size_t)snprintf(buf + n, sizeof(buf) - n, "%s%s", n ? "," : " features=", name[i]);
	return buf;
}

static void map_line(struct kscen *s, enum kline role)
{
	const char *prot = s->op->flags & KOP_EXEC ? "rwx" : "rw";

	if (s->variant == KV_SHMEM)
		line(s, role, "map P " A " 16K file=F shared %s", prot);
	else
		line(s, role, "map P " A " 16K anon private %s", prot);
}

/* ---- recipes: how each kind's entry comes to be at E ---- */

static void recipe_guard(struct kscen *s)
{
	line(s, KL_SETUP, "advise P " E " 4K guard_install");
}

/* UFFDIO_POISON needs a registered range; unregistering keeps the
 * markers (userfaultfd_clear_vma() resolves only uffd-wp state). */
static void recipe_poison(struct kscen *s)
{
	line(s, KL_SETUP, "uffd P register " A " 16K missing%s", features_word(s->features));
	line(s, KL_SETUP, "uffd P poison " E " 4K");
	line(s, KL_SETUP, "uffd P unregister " A " 16K");
}

/* A none pte write-protected: a marker in file memory, and in anonymous
 * memory with UFFD_FEATURE_WP_UNPOPULATED. */
static void recipe_uffd_wp(struct kscen *s)
{
	line(s, KL_SETUP, "uffd P register " A " 16K wp%s", features_word(s->features));
	line(s, KL_SETUP, "uffd P wp " E " 4K on");
}

/* A page written, then paged out (shmem leaves a none pte behind: its
 * swap entry lives in the page cache, not in the page table). */
static void recipe_swap(struct kscen *s)
{
	line(s, KL_SETUP, "write P " E " byte=0x5a");
	line(s, KL_SETUP, "advise P " E " 4K pageout");
}

/* memory_failure() of the written page: a hwpoison entry in its place. */
static void recipe_hwpoison(struct kscen *s)
{
	line(s, KL_SETUP, "write P " E " byte=0x5a");
	line(s, KL_SETUP, "memory_failure P " E);
}

/* A device's atomic access (make_device_exclusive(); anonymous memory
 * only, shmem fails with EOPNOTSUPP). */
static void recipe_device_exclusive(struct kscen *s)
{
	line(s, KL_SETUP, "write P " E " byte=0x5a");
	line(s, KL_SETUP, "device D");
	line(s, KL_SETUP, "device D atomic P " E " byte=0x5b");
}

static void recipe_install(struct kscen *s)
{
	const char *args = vmsim_kind_ops(s->kind)->example_args;

	line(s, KL_SETUP, "install P " E " 4K %s%s%s", vmsim_kind_name(s->kind), args ? " " : "", args ? args : "");
}

static const struct krecipe recipes[] = {
	{ "guard", NULL, 0, 0, false, true, recipe_guard },
	{ "poison", NULL, 0, 0, false, true, recipe_poison },
	{ "uffd_wp", NULL, 0, F_UNPOP, true, true, recipe_uffd_wp },
	{ "swap", "swap=1M", 0, 0, false, true, recipe_swap },
	{ "hwpoison", NULL, 0, 0, false, false, recipe_hwpoison },
	{ "device_exclusive", NULL, 0, 0, false, false, recipe_device_exclusive },
	/* Lives only inside one operation (migrate_pages() from unmap to
	 * remap): no script can leave one for another command to meet. */
	{ "migration", NULL, 0, 0, false, false, NULL },
};

static const struct krecipe install_recipe = { NULL, NULL, 0, 0, false, false, recipe_install };

const struct krecipe *kinds_recipe(const struct vmsim_kind *k)
{
	for (size_t i = 0; i < sizeof(recipes) / sizeof(recipes[0]); i++)
		if (vmsim_kind_builtin(k) && !strcmp(recipes[i].kind, vmsim_kind_name(k)))
			return &recipes[i];
	return &install_recipe;
}

/* ---- operations ---- */

/* The range is registered for write protection (the uffd-wp recipe keeps
 * its own registration). */
static void want_wp(struct kscen *s)
{
	if (!s->recipe->registers_wp)
		line(s, KL_OP, "uffd P register " A " 16K wp%s", features_word(s->features));
}

static void probe(struct kscen *s)
{
	line(s, KL_PROBE, "pagemap P " E " 4K");
}

static void op_read(struct kscen *s)
{
	line(s, KL_OP, "read P " E);
	probe(s);
}

static void op_write(struct kscen *s)
{
	line(s, KL_OP, "write P " E);
	probe(s);
}

static void op_exec(struct kscen *s)
{
	line(s, KL_OP, "touch P " E " 4K x");
	probe(s);
}

static void op_fork(struct kscen *s)
{
	line(s, KL_OP, "fork P C");
	probe(s);
	line(s, KL_PROBE, "pagemap C " E " 4K");
}

static void op_fork_wp(struct kscen *s)
{
	want_wp(s);
	op_fork(s);
}

/* munmap, then the same mapping again: an entry that outlived its vma
 * would show up. */
static void op_munmap(struct kscen *s)
{
	line(s, KL_OP, "unmap P " A " 16K");
	map_line(s, KL_PROBE);
	probe(s);
}

static void op_exit(struct kscen *s)
{
	line(s, KL_OP, "exit P");
}

static void op_dontneed(struct kscen *s)
{
	line(s, KL_OP, "advise P " E " 4K dontneed");
	probe(s);
}

static void op_pageout(struct kscen *s)
{
	line(s, KL_OP, "advise P " E " 4K pageout");
	probe(s);
}

static void op_mprotect(struct kscen *s)
{
	line(s, KL_OP, "protect P " A " 16K r");
	probe(s);
	line(s, KL_OP, "protect P " A " 16K rw");
	probe(s);
}

static void op_wp_on(struct kscen *s)
{
	want_wp(s);
	line(s, KL_OP, "uffd P wp " E " 4K on");
	probe(s);
}

static void op_wp_off(struct kscen *s)
{
	want_wp(s);
	line(s, KL_OP, "uffd P wp " E " 4K off");
	probe(s);
}

static void op_unregister(struct kscen *s)
{
	want_wp(s);
	line(s, KL_OP, "uffd P unregister " A " 16K");
	probe(s);
}

static void op_mremap(struct kscen *s)
{
	line(s, KL_OP, "remap P " A " 16K " NEW);
	line(s, KL_PROBE, "pagemap P " NEW_E " 4K");
}

/* Registered without UFFD_FEATURE_EVENT_REMAP: Linux 6.13+ drops the
 * uffd-wp state of what it moves. */
static void op_mremap_uffd(struct kscen *s)
{
	want_wp(s);
	op_mremap(s);
}

/* With it (`features=event_remap`, a libvmsim extension), the moved
 * entries keep their state. */
static void op_mremap_uffd_remap(struct kscen *s)
{
	want_wp(s);
	op_mremap(s);
}

static void op_guard_install(struct kscen *s)
{
	line(s, KL_OP, "advise P " E " 4K guard_install");
	probe(s);
}

static void op_guard_remove(struct kscen *s)
{
	line(s, KL_OP, "advise P " E " 4K guard_remove");
	probe(s);
}

static void op_punch(struct kscen *s)
{
	line(s, KL_OP, "punch F 0x1000 4K");
	probe(s);
}

/* The file ends at the entry's page. */
static void op_truncate(struct kscen *s)
{
	line(s, KL_OP, "truncate F 0x1000");
	probe(s);
}

static void op_remove(struct kscen *s)
{
	line(s, KL_OP, "advise P " E " 4K remove");
	probe(s);
}

/* try_to_unuse(): every process's swap entries of the area come back
 * through their kind's unuse hook; the others are left alone. */
static void op_swapoff(struct kscen *s)
{
	line(s, KL_OP, "swapoff");
	probe(s);
}

static void op_pagemap(struct kscen *s)
{
	(void)s;	/* the line printed before any operation */
}

static void op_smaps(struct kscen *s)
{
	line(s, KL_OP, "smaps P " A);
}

static void op_clear_refs(struct kscen *s)
{
	line(s, KL_OP, "clear_refs P softdirty");
	probe(s);
}

static void op_populate_read(struct kscen *s)
{
	line(s, KL_OP, "advise P " E " 4K populate_read");
	probe(s);
}

static void op_populate_write(struct kscen *s)
{
	line(s, KL_OP, "advise P " E " 4K populate_write");
	probe(s);
}

const struct kop kinds_ops[] = {
	{ "read", "read fault", 0, 0, KS_ENTRY, op_read },
	{ "write", "write fault", 0, 0, KS_ENTRY, op_write },
	{ "exec", "exec fault", 0, KOP_EXEC | KOP_SIM_ONLY, KS_ENTRY, op_exec },
	{ "fork", "fork", 0, 0, KS_FORK, op_fork },
	{ "fork_wp", "fork, child uffd-wp (EVENT_FORK)", F_FORK, 0, KS_FORK, op_fork_wp },
	{ "munmap", "munmap", 0, 0, KS_ENTRY, op_munmap },
	{ "exit", "exit", 0, 0, KS_GONE, op_exit },
	{ "dontneed", "MADV_DONTNEED", 0, 0, KS_ENTRY, op_dontneed },
	{ "pageout", "MADV_PAGEOUT", 0, 0, KS_ENTRY, op_pageout },
	{ "mprotect", "mprotect r, then rw", 0, 0, KS_TWO, op_mprotect },
	{ "wp_on", "uffd-wp on", 0, 0, KS_ENTRY, op_wp_on },
	{ "wp_off", "uffd-wp off", 0, 0, KS_ENTRY, op_wp_off },
	{ "unregister", "uffd unregister (wp)", 0, 0, KS_ENTRY, op_unregister },
	{ "mremap", "mremap", 0, 0, KS_MOVE, op_mremap },
	{ "mremap_uffd", "mremap, uffd-wp registered", 0, 0, KS_MOVE, op_mremap_uffd },
	{ "mremap_uffd_remap", "mremap, uffd-wp registered, EVENT_REMAP", F_REMAP, 0, KS_MOVE, op_mremap_uffd_remap },
	{ "guard_install", "MADV_GUARD_INSTALL over it", 0, 0, KS_ENTRY, op_guard_install },
	{ "guard_remove", "MADV_GUARD_REMOVE over it", 0, 0, KS_ENTRY, op_guard_remove },
	{ "punch", "punch hole (file)", 0, KOP_SHMEM_ONLY, KS_ENTRY, op_punch },
	{ "truncate", "truncate the file before it", 0, KOP_SHMEM_ONLY, KS_ENTRY, op_truncate },
	{ "remove", "MADV_REMOVE", 0, 0, KS_ENTRY, op_remove },
	{ "swapoff", "swapoff", 0, KOP_SWAP, KS_ENTRY, op_swapoff },
	{ "pagemap", "pagemap", 0, 0, KS_PAGEMAP, op_pagemap },
	{ "smaps", "smaps", 0, 0, KS_SMAPS, op_smaps },
	{ "clear_refs", "clear_refs softdirty", 0, 0, KS_ENTRY, op_clear_refs },
	{ "populate_read", "GUP: MADV_POPULATE_READ", 0, 0, KS_ENTRY, op_populate_read },
	{ "populate_write", "GUP: MADV_POPULATE_WRITE", 0, 0, KS_ENTRY, op_populate_write },
};
const size_t kinds_nops = sizeof(kinds_ops) / sizeof(kinds_ops[0]);

int kinds_scenario(struct kscen *s, const struct vmsim_kind *k, const struct kop *op, enum kvariant v)
{
	const struct krecipe *r = kinds_recipe(k);

	memset(s, 0, sizeof(*s));
	s->kind = k;
	s->op = op;
	s->variant = v;
	s->recipe = r;
	s->features = r->features | op->features | (v == KV_ANON ? r->anon_features : 0);
	s->host = r->host && !(op->flags & KOP_SIM_ONLY);
	s->f = open_memstream(&s->text, &s->len);
	if (!s->f)
		return -1;
	fprintf(s->f, "# vmsim kinds: %s, %s, %s memory\n", vmsim_kind_name(k), op->title, v == KV_ANON ? "anonymous" : "shmem");
	s->role[++s->nlines] = KL_SETUP;
	line(s, KL_SETUP, "machine cpus=2 check=full%s%s%s", r->machine ? " " : "", r->machine ? r->machine : "",
	     (op->flags & KOP_SWAP) && !(r->machine && strstr(r->machine, "swap=")) ? " swap=1M" : "");
	line(s, KL_SETUP, "process P");
	if (v == KV_SHMEM)
		line(s, KL_SETUP, "file F size=16K");
	map_line(s, KL_SETUP);
	/* A new vma is soft-dirty as a whole: forget it, so that pagemap's sd
	 * says what the entry itself holds. */
	line(s, KL_SETUP, "clear_refs P softdirty");
	r->emit(s);
	line(s, op->shape == KS_PAGEMAP ? KL_OP : KL_BEFORE, "pagemap P " E " 4K");
	op->emit(s);
	/* The last command is not the operation's: what the machine's
	 * teardown does is not charged to it. */
	line(s, KL_SETUP, "process END");
	if (fclose(s->f))
		return -1;
	s->f = NULL;
	return 0;
}

void kinds_scenario_free(struct kscen *s)
{
	free(s->text);
	s->text = NULL;
}
