/* The registry of entry kinds: the one place mm asks "what is this entry".
 * Built-in kinds come first, in handle_pte_marker()'s priority order. */
#include <string.h>

#include "../mm/mm_internal.h"

#define MAX_KINDS 32

extern const struct vmsim_kind_ops vmsim_kind_guard;
extern const struct vmsim_kind_ops vmsim_kind_uffd_wp;

static const struct vmsim_kind_ops *kinds[MAX_KINDS] = {
	&vmsim_kind_guard,
	&vmsim_kind_uffd_wp,
};
static unsigned nr_kinds = 2;

int vmsim_kind_register(const struct vmsim_kind_ops *ops)
{
	if (!ops || !ops->name || !ops->match || !ops->fault || !ops->copy || !ops->zap ||
	    !ops->change_prot || !ops->pagemap || !ops->describe)
		return -EINVAL;
	for (unsigned i = 0; i < nr_kinds; i++)
		if (!strcmp(kinds[i]->name, ops->name))
			return -EEXIST;
	if (nr_kinds >= MAX_KINDS)
		return -ENOSPC;
	kinds[nr_kinds++] = ops;
	return 0;
}

const struct vmsim_kind_ops *vmsim_kind_of(pte_t pte)
{
	softleaf_t e = softleaf_from_pte(pte);

	if (softleaf_is_none(e))
		return NULL;
	for (unsigned i = 0; i < nr_kinds; i++)
		if (kinds[i]->match(e))
			return kinds[i];
	return NULL;
}

unsigned vmsim_nr_kinds(void)
{
	return nr_kinds;
}

const struct vmsim_kind_ops *vmsim_kind_at(unsigned i)
{
	return i < nr_kinds ? kinds[i] : NULL;
}
