/* libvmsim: Linux memory management, simulated in ordinary memory.
 * The one header users include. */
#ifndef VMSIM_VMSIM_H
#define VMSIM_VMSIM_H

#include <errno.h>

#include <vmsim/machine.h>
#include <vmsim/bug.h>
#include <vmsim/trace.h>
#include <vmsim/lock.h>
#include <vmsim/pgtable.h>
#include <vmsim/swapops.h>
#include <vmsim/leafops.h>
#include <vmsim/page.h>
#include <vmsim/pagetable.h>
#include <vmsim/fault.h>
#include <vmsim/cpu.h>
#include <vmsim/mm.h>
#include <vmsim/kind.h>
#include <vmsim/swap.h>
#include <vmsim/userfaultfd.h>
#include <vmsim/sched.h>
#include <vmsim/mmu_notifier.h>
#include <vmsim/device.h>
#include <vmsim/luf.h>

VMSIM_BEGIN_DECLS

#define VMSIM_VERSION_MAJOR 0
#define VMSIM_VERSION_MINOR 1
#define VMSIM_VERSION_PATCH 0
#define VMSIM_VERSION "0.1.0"

VMSIM_END_DECLS

#endif /* VMSIM_VMSIM_H */
