/* The built-in entry kinds' tables (kinds/builtin.c registers them). */
#ifndef VMSIM_KINDS_BUILTIN_H
#define VMSIM_KINDS_BUILTIN_H

#include <vmsim/kind.h>

extern const struct vmsim_kind_ops vmsim_kind_poison;
extern const struct vmsim_kind_ops vmsim_kind_guard;
extern const struct vmsim_kind_ops vmsim_kind_uffd_wp;
extern const struct vmsim_kind_ops vmsim_kind_swap;
extern const struct vmsim_kind_ops vmsim_kind_migration;
extern const struct vmsim_kind_ops vmsim_kind_hwpoison;
extern const struct vmsim_kind_ops vmsim_kind_device_exclusive;
extern const struct vmsim_kind_ops vmsim_kind_device_exclusive_614;

#endif
