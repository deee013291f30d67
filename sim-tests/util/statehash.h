/* A machine's observable state as a few hashes, taken through the public
 * API only, so a test can tell that a call changed nothing: VMAs of every
 * mm, pagemap over the mapped ranges, the contents of the mapped frames,
 * every struct page, mm and CPU statistics, TLB contents, free frames,
 * file sizes and page caches.  The trace count is left out (a rejected
 * call may still be traced). */
#ifndef VMSIM_STATEHASH_H
#define VMSIM_STATEHASH_H

#include <vmsim/vmsim.h>

#define SH_MAX_MMS	8
#define SH_MAX_FILES	8

/* What to look at: a machine, the processes and files the test knows. */
struct sh_machine {
	struct vmsim *vm;
	struct vmsim_mm *mm[SH_MAX_MMS];
	struct vmsim_file *file[SH_MAX_FILES];
};

enum sh_part { SH_MACHINE, SH_CPUS, SH_MEMMAP, SH_MMS, SH_FRAMES, SH_FILES, SH_NR_PARTS };

struct sh_state {
	uint64_t part[SH_NR_PARTS];
};

/* Hash what m shows now into st. */
void sh_take(const struct sh_machine *m, struct sh_state *st);
/* The first part that differs, as a name, or NULL if a and b are equal. */
const char *sh_diff(const struct sh_state *a, const struct sh_state *b);

#endif
