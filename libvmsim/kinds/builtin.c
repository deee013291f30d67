/* The built-in entry kinds, registered with each machine at creation in the
 * order handle_pte_marker() (mm/memory.c) checks markers: poison, guard,
 * uffd-wp (their priorities say the same). */
#include "../mm/mm_internal.h"
#include "../boot.h"
#include "builtin.h"

int vmsim__kinds_init(struct vmsim *vm)
{
	static const struct vmsim_kind_ops *const builtin[] = {
		&vmsim_kind_poison, &vmsim_kind_guard, &vmsim_kind_uffd_wp,
	};
	int err = 0;

	vmsim__kinds_reset(vm);
	for (unsigned i = 0; i < sizeof(builtin) / sizeof(builtin[0]) && !err; i++)
		err = vmsim__kind_register_builtin(vm, builtin[i]);
	return err;
}
