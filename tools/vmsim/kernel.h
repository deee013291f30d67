/* `vmsim kernel`: what the driver (kernel.c) and the per-process
 * controllers (kernel_ctl.c) share: the request/reply protocol and the log
 * of userfaultfd lines in shared memory. */
#ifndef VMSIM_KERNEL_H
#define VMSIM_KERNEL_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

#include <vmsim/script.h>

#define K_TIMEOUT_MS	10000	/* one command may take this long */
#define K_MAX_SLOTS	256	/* processes a script may create */
#define K_MAX_RECS	8192	/* uffd lines per run */
#define K_EXIT_RUNNER	3	/* the runner itself failed (timeout, crash) */

/* Driver -> controller.  Controllers are forks of the driver taken after the
 * parse, so a command is passed as its address in the shared script. */
struct kreq {
	const struct vms_cmd *cmd;
	int child_slot;		/* fork: the child's socket slot */
	char path[256];		/* map file=: the file's path */
};

/* Controller -> driver. */
struct krep {
	int err;		/* 0 or -errno of the system call */
	int skip;		/* the host cannot do this: reason says why */
	char reason[120];
	int sig;		/* 0, SIGSEGV or SIGBUS from an access */
	uint64_t sig_addr;	/* touch: the faulting page */
	int byte;		/* read: first byte */
	int64_t mismatch;	/* read expect=V: first differing offset, or -1 */
	int mismatch_val;
	pid_t pid;		/* process/fork: the new controller's pid */
};

/* One uffd-fault or uffd-event line, recorded by a handler thread. */
struct krec {
	enum { KREC_FAULT, KREC_FORK, KREC_REMOVE, KREC_UNMAP } kind;
	char proc[VMS_NAME_MAX];
	char child[VMS_NAME_MAX];
	uint64_t addr, len;
	unsigned fault_kind;	/* VMS_UFFD_MODE_* */
	bool write;
};

/*
 * Shared by the driver and every controller (MAP_SHARED, made before the
 * first fork).  A handler thread holds lock across read(uffd) and the
 * recording, so once the driver takes lock after a command's reply, every
 * event that command caused is in rec[] (events complete inside read()).
 */
struct kshared {
	pthread_mutex_t lock;	/* process-shared, robust */
	unsigned nrec;
	bool overflow;
	struct krec rec[K_MAX_RECS];
};

/* Controller side of every slot, made by the driver before any fork. */
extern int k_ctl_fd[K_MAX_SLOTS];
extern int k_drv_fd[K_MAX_SLOTS];
extern struct kshared *k_shared;

void k_lock(void);
void k_unlock(void);

/* Become the controller of slot for process name; never returns. */
void k_controller(int slot, const char *name, int cpu) __attribute__((noreturn));

/* Pin the calling thread to cpu if the host has it; else leave it be. */
void k_pin(int cpu);

#endif
