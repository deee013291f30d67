/* The built-in entry kinds, registered with mm at boot in the order
 * handle_pte_marker() (mm/memory.c) checks markers: poison, guard, uffd-wp. */
#include "../mm/mm_internal.h"
#include "../boot.h"

extern const struct vmsim_kind_ops vmsim_kind_guard;
extern const struct vmsim_kind_ops vmsim_kind_uffd_wp;

void vmsim__kinds_init(void)
{
	/* Idempotent: the registry is process-wide, machines come and go. */
	vmsim__kind_register_builtin(&vmsim_kind_guard);
	vmsim__kind_register_builtin(&vmsim_kind_uffd_wp);
}
