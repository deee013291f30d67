/* What only the composition root (vmsim.c) calls: each layer's setup and
 * teardown, and the registrations that let a lower layer call a higher one
 * through a hook instead of by name. */
#ifndef VMSIM_BOOT_H
#define VMSIM_BOOT_H

struct vmsim;

/* sched/: the lock order learned on this machine. */
void vmsim__lockdep_exit(struct vmsim *vm);
/* hw/ */
int vmsim__physmem_init(struct vmsim *vm);
void vmsim__physmem_exit(struct vmsim *vm);
int vmsim__cpu_init(struct vmsim *vm);
void vmsim__cpu_exit(struct vmsim *vm);
/* mm/: processes, files, the fault handler the CPUs call. */
int vmsim__mm_init(struct vmsim *vm);
void vmsim__mm_exit(struct vmsim *vm);
/* kinds/: the built-in entry kinds, into mm's registry. */
int vmsim__kinds_init(struct vmsim *vm);
/* features/ */
void vmsim__userfaultfd_init(struct vmsim *vm);
/* DAX files on the machine's persistent memory (none without pmem=). */
int vmsim__dax_init(struct vmsim *vm);
void vmsim__dax_exit(struct vmsim *vm);
/* features/device.c: the folio-lock waiter; devices go before the mms. */
void vmsim__device_init(struct vmsim *vm);
void vmsim__device_exit(struct vmsim *vm);
/* check/: the stale-TLB detector on frees, the invariant checker after
 * every operation (both only when the check level asks for them). */
void vmsim__tlb_check_init(struct vmsim *vm);
void vmsim__mm_check_init(struct vmsim *vm);
/* check/luf_check.c: the stale-read detector, whenever luf is not off. */
void vmsim__luf_check_init(struct vmsim *vm);

#endif /* VMSIM_BOOT_H */
