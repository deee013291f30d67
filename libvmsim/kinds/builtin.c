/* The built-in entry kinds, registered with each machine at creation: the
 * markers in the order handle_pte_marker() (mm/memory.c) checks them:
 * poison, guard, uffd-wp (their priorities say the same); then swap,
 * migration and hwpoison entries, each owning its softleaf types, and the
 * device-exclusive entry of the machine's devx= version. */
#include "../mm/mm_internal.h"
#include "../boot.h"
#include "builtin.h"

int vmsim__kinds_init(struct vmsim *vm)
{
	static const struct vmsim_kind_ops *const builtin[] = {
		&vmsim_kind_poison, &vmsim_kind_guard, &vmsim_kind_uffd_wp,
		&vmsim_kind_swap, &vmsim_kind_migration, &vmsim_kind_hwpoison,
	};
	int err = 0;

	vmsim__kinds_reset(vm);
	for (unsigned i = 0; i < sizeof(builtin) / sizeof(builtin[0]) && !err; i++)
		err = vmsim__kind_register_builtin(vm, builtin[i]);
	/* The device-exclusive entry, as the machine's Linux has it. */
	if (!err)
		err = vmsim__kind_register_builtin(vm, vm->cfg.devx == VMSIM_DEVX_6_14 ?
						   &vmsim_kind_device_exclusive_614 :
						   &vmsim_kind_device_exclusive);
	return err;
}
