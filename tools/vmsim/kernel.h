/* `vmsim kernel`: what the driver (kernel.c), the per-process controllers
 * (kernel_ctl.c) and the host set-up (kernel_host.c) share: the
 * request/reply protocol, and the log of userfaultfd lines and the I/O
 * buffer in shared memory. */
#ifndef VMSIM_KERNEL_H
#define VMSIM_KERNEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <vmsim/script.h>

#define K_TIMEOUT_MS	10000	/* one command may take this long */
#define K_MAX_SLOTS	256	/* processes a script may create */
#define K_MAX_RECS	8192	/* uffd lines per command */

/* Driver -> controller.  Controllers are forks of the driver taken after the
 * parse, so a command is passed as its address in the shared script. */
struct kreq {
	const struct vms_cmd *cmd;
	int child_slot;		/* fork: the child's socket slot */
	char path[256];		/* map file=: the file's path */
	struct vms_access acc;	/* read/write/touch: this part of the access */
};

/* Controller -> driver. */
struct krep {
	int err;		/* 0 or -errno of the system call */
	int skip;		/* the host cannot do this: reason says why */
	char reason[120];
	int sig;		/* 0, SIGSEGV or SIGBUS from an access */
	uint64_t sig_addr;	/* where the access faulted */
	pid_t pid;		/* process/fork: the new controller's pid */
};

/* One uffd-fault or uffd-event line, recorded by a handler thread. */
struct krec {
	enum { KREC_FAULT, KREC_FORK, KREC_REMOVE, KREC_UNMAP, KREC_REMAP } kind;
	char proc[VMS_NAME_MAX];
	char child[VMS_NAME_MAX];
	uint64_t addr, len, to;
	unsigned fault_kind;	/* VMS_UFFD_MODE_* */
	bool write;
};

/*
 * Shared by the driver and every controller (MAP_SHARED, made before the
 * first fork).  A handler thread holds lock across read(uffd) and the
 * recording, so once the driver takes lock after a command's reply, every
 * event that command caused is in rec[] (events complete inside read()).
 * io holds what a read access read (one command at a time uses it).
 */
struct kshared {
	pthread_mutex_t lock;	/* process-shared, robust */
	unsigned nrec;
	bool overflow;
	struct krec rec[K_MAX_RECS];
	uint8_t io[VMS_IO_CHUNK];
};

/* Controller side of every slot, made by the driver before any fork. */
extern int k_ctl_fd[K_MAX_SLOTS];
extern int k_drv_fd[K_MAX_SLOTS];
extern struct kshared *k_shared;
/* Set before the first controller starts: whether a script maps hugetlb
 * files (the handler then asks which page size faulted). */
extern bool k_uses_hugetlb;

void k_lock(void);
void k_unlock(void);

/* Become the controller of slot for process name; never returns. */
void k_controller(int slot, const char *name, int cpu) __attribute__((noreturn));

/* Pin the calling thread to cpu if the host has it; else leave it be. */
void k_pin(int cpu);

/* ---- the host (kernel_host.c) ---- */

/* What a script needs of the host for its run. */
struct k_host_plan {
	uint64_t swap;			/* machine swap= bytes, 0: none */
	unsigned long hugepages;	/* machine hugepages= */
	bool hugetlb;			/* hugepages= > 0 or a hugetlb file */
	bool pageout;			/* advise pageout: needs the swap the script says */
	bool thp;			/* thp= other than never: THP allocations compact */
	int slots;			/* processes the script may create */
};

/* The lock and the janitor's pipes: controllers close them (-1 when none). */
extern int k_host_fds[3];

/* Announce a change before making it ("dir PATH"...): 0 or -errno. */
int k_host_note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* Take the lock plan needs, start the janitor that will undo every change
 * k_host_note() announces, and set the host up as plan says; 0, or
 * VMS_BE_SKIP after vms_skip(). */
int k_host_acquire(const struct k_host_plan *plan, struct vms_interp *in);
/* Undo it (the janitor does, and is waited for), release the lock. */
void k_host_release(void);
/* swapoff(2) / swapon(2) of the swap file plan.swap made: 0 or -errno
 * (-EINVAL when there is none). */
int k_host_swapoff(void);
int k_host_swapon(void);
/* The host's transparent_hugepage/enabled mode ("madvise"). */
int k_host_thp_mode(char *buf, size_t len);
/* read_ahead_kb of the disk holding dir, in bytes. */
int k_host_readahead(const char *dir, uint64_t *bytes);

#endif
