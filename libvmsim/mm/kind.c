/* The registry of entry kinds: the one place mm asks "what is this entry".
 * Built-in kinds (kinds/, registered at boot in handle_pte_marker()'s
 * priority order) are matched before kinds a user registers. */
#include <string.h>

#include "mm_internal.h"

#define MAX_KINDS 32

static const struct vmsim_kind_ops *builtin[MAX_KINDS], *user[MAX_KINDS];
static unsigned nr_builtin, nr_user;

static bool complete(const struct vmsim_kind_ops *ops)
{
	return ops && ops->name && ops->match && ops->fault && ops->copy && ops->zap &&
	       ops->change_prot && ops->pagemap && ops->describe;
}

static bool known(const char *name)
{
	for (unsigned i = 0; i < nr_builtin + nr_user; i++)
		if (!strcmp(vmsim_kind_at(i)->name, name))
			return true;
	return false;
}

void vmsim__kind_register_builtin(const struct vmsim_kind_ops *ops)
{
	if (!complete(ops) || known(ops->name) || nr_builtin >= MAX_KINDS)
		return;
	builtin[nr_builtin++] = ops;
}

int vmsim_kind_register(const struct vmsim_kind_ops *ops)
{
	if (!complete(ops))
		return -EINVAL;
	if (known(ops->name))
		return -EEXIST;
	if (nr_user >= MAX_KINDS)
		return -ENOSPC;
	user[nr_user++] = ops;
	return 0;
}

const struct vmsim_kind_ops *vmsim_kind_of(pte_t pte)
{
	softleaf_t e = softleaf_from_pte(pte);

	if (softleaf_is_none(e))
		return NULL;
	for (unsigned i = 0; i < nr_builtin + nr_user; i++)
		if (vmsim_kind_at(i)->match(e))
			return vmsim_kind_at(i);
	return NULL;
}

unsigned vmsim_nr_kinds(void)
{
	return nr_builtin + nr_user;
}

const struct vmsim_kind_ops *vmsim_kind_at(unsigned i)
{
	if (i < nr_builtin)
		return builtin[i];
	return i < nr_builtin + nr_user ? user[i - nr_builtin] : NULL;
}
