/* The composition root: a machine is physical memory and CPUs (hw/), then
 * the kernel (mm/), its entry kinds (kinds/), checkers (check/) and
 * features (features/), each registering the hooks through which the layer
 * below calls it.  Nothing below this file knows what sits above it. */
#include <string.h>

#include "internal.h"
#include "boot.h"

int vmsim_new(const struct vmsim_config *cfg, struct vmsim **out)
{
	struct vmsim_config def;
	struct vmsim *vm;
	unsigned arena;
	int err;

	if (!out)
		return -EINVAL;
	*out = NULL;
	if (!cfg) {
		vmsim_config_init(&def);
		cfg = &def;
	}
	if (vmsim_config_validate(cfg))
		return -EINVAL;
	if (vmsim__arena_create(&arena))
		return -ENOMEM;
	vm = vmsim__arena_malloc(arena, sizeof(*vm));
	if (!vm) {
		vmsim__arena_destroy(arena);
		return -ENOMEM;
	}
	memset(vm, 0, sizeof(*vm));
	vm->arena = arena;
	vm->cfg = *cfg;
	vm->rng = cfg->seed;
	vm->trace_on = cfg->check != VMSIM_CHECK_OFF;
	vm->pgdir_shift = cfg->levels == 5 ? PGDIR_SHIFT_L5 : PGDIR_SHIFT_L4;
	vm->task_size = (1ULL << (cfg->levels == 5 ? 56 : 47)) - PAGE_SIZE;
	/* Bottom up: the machine, then the kernel, then what hooks into it. */
	err = vmsim__physmem_init(vm);
	if (!err)
		err = vmsim__cpu_init(vm);
	if (!err)
		err = vmsim__mm_init(vm);
	if (!err)
		err = vmsim__kinds_init(vm);
	if (!err)
		err = vmsim__dax_init(vm);
	/* machine swap=SIZE: one swap device, active from the start. */
	if (!err && cfg->swap)
		err = vmsim_swapon(vm, cfg->swap, NULL);
	if (!err) {
		vmsim__userfaultfd_init(vm);
		vmsim__device_init(vm);
		vmsim__tlb_check_init(vm);	/* watches frees from the start */
		vmsim__mm_check_init(vm);
		vmsim__luf_check_init(vm);
	}
	if (err) {
		vmsim_free(vm);
		return err;
	}
	*out = vm;
	return 0;
}

void vmsim_free(struct vmsim *vm)
{
	unsigned arena;

	if (!vm)
		return;
	/* Devices first (a pending atomic holds a page), then processes and
	 * files: they hold frames (and CPUs cache them). */
	vmsim__device_exit(vm);
	vmsim__mm_exit(vm);
	vmsim__dax_exit(vm);
	vmsim__cpu_exit(vm);
	if (vm->zero_page) {
		vmsim_page_clear(vm->zero_page, PG_reserved);
		vm->zero_page->refcount = 0;
		vmsim_free_pages(vm, vm->zero_page, 0);
		vm->zero_page = NULL;
	}
	/* Every frame must be back: anything else is a leak in a layer above. */
	if (vm->memmap && vm->nr_free != vm->nr_frames)
		VMSIM_BUG(vm, "teardown with %lu frames still allocated", vm->nr_frames - vm->nr_free);
	vmsim__physmem_exit(vm);
	vmsim__lockdep_exit(vm);
	if (vm->heap_objs)
		VMSIM_BUG(vm, "teardown with %zu host allocations (%zu bytes) still live",
			  vm->heap_objs, vm->heap_bytes);
	arena = vm->arena;
	vmsim__arena_free(arena, vm);
	vmsim__arena_destroy(arena);
}

