/* Page-fault vocabulary: VM_FAULT_* results and FAULT_FLAG_* flags
 * (include/linux/mm_types.h) and the x86 error code (asm/trap_pf.h). */
#ifndef VMSIM_FAULT_H
#define VMSIM_FAULT_H

#include <vmsim/common.h>

VMSIM_BEGIN_DECLS

/* What handle_mm_fault() returns (vm_fault_t). */
#define VM_FAULT_OOM		0x000001
#define VM_FAULT_SIGBUS		0x000002
#define VM_FAULT_MAJOR		0x000004
#define VM_FAULT_HWPOISON	0x000010
#define VM_FAULT_HWPOISON_LARGE	0x000020
#define VM_FAULT_SIGSEGV	0x000040
#define VM_FAULT_NOPAGE		0x000100
#define VM_FAULT_LOCKED		0x000200
#define VM_FAULT_RETRY		0x000400
#define VM_FAULT_FALLBACK	0x000800
#define VM_FAULT_DONE_COW	0x001000
#define VM_FAULT_NEEDDSYNC	0x002000
#define VM_FAULT_COMPLETED	0x004000
#define VM_FAULT_HINDEX_MASK	0x0f0000
#define VM_FAULT_SET_HINDEX(x)	((x) << 16)
#define VM_FAULT_GET_HINDEX(x)	(((unsigned)(x) >> 16) & 0xf)
#define VM_FAULT_ERROR		(VM_FAULT_OOM | VM_FAULT_SIGBUS | VM_FAULT_SIGSEGV | \
				 VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE | VM_FAULT_FALLBACK)

/* enum fault_flag: how a fault is handled. */
#define FAULT_FLAG_WRITE		(1u << 0)
#define FAULT_FLAG_MKWRITE		(1u << 1)
#define FAULT_FLAG_ALLOW_RETRY		(1u << 2)
#define FAULT_FLAG_RETRY_NOWAIT		(1u << 3)
#define FAULT_FLAG_KILLABLE		(1u << 4)
#define FAULT_FLAG_TRIED		(1u << 5)
#define FAULT_FLAG_USER			(1u << 6)
#define FAULT_FLAG_REMOTE		(1u << 7)
#define FAULT_FLAG_INSTRUCTION		(1u << 8)
#define FAULT_FLAG_INTERRUPTIBLE	(1u << 9)
#define FAULT_FLAG_UNSHARE		(1u << 10)
#define FAULT_FLAG_ORIG_PTE_VALID	(1u << 11)
#define FAULT_FLAG_VMA_LOCK		(1u << 12)

/* enum x86_pf_error_code: what the CPU pushes with #PF.  Also the access
 * kinds vmsim_cpu_translate() takes (WRITE, USER, INSTR). */
#define X86_PF_PROT	(1u << 0)	/* 0: page not present; 1: protection */
#define X86_PF_WRITE	(1u << 1)	/* 0: read; 1: write */
#define X86_PF_USER	(1u << 2)	/* 0: kernel mode; 1: user mode */
#define X86_PF_RSVD	(1u << 3)	/* a reserved bit was set */
#define X86_PF_INSTR	(1u << 4)	/* an instruction fetch */

VMSIM_END_DECLS

#endif /* VMSIM_FAULT_H */
