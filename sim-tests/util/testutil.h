/* Shared helpers for the test tiers: machines that record bugs instead of
 * aborting, so a test can expect one. */
#ifndef VMSIM_TESTUTIL_H
#define VMSIM_TESTUTIL_H

#include <vmsim/vmsim.h>

struct bug_log {
	unsigned count;
	char last[512];
	char last_func[64];
};

/* Make a machine (cfg NULL: defaults) whose bugs go to log. */
struct vmsim *tu_machine(const struct vmsim_config *cfg, struct bug_log *log);
/* A machine from "key=value key=value" text, bugs to log (may be NULL:
 * default handler).  Returns NULL if the text is bad. */
struct vmsim *tu_machine_str(const char *opts, struct bug_log *log);
void tu_bug_recorder(struct vmsim *vm, const struct vmsim_bug_report *r, void *arg);

/* ---- process helpers (mm) ---- */
#define TU_PROT_R	VMSIM_PROT_READ
#define TU_PROT_RW	(VMSIM_PROT_READ | VMSIM_PROT_WRITE)
/* One byte load; returns the byte, or -VMSIM_ACCESS_SIGSEGV / -VMSIM_ACCESS_SIGBUS. */
int tu_read(struct vmsim_mm *mm, uint64_t addr);
/* One byte store; returns 0 or VMSIM_ACCESS_SIGSEGV / VMSIM_ACCESS_SIGBUS. */
int tu_write(struct vmsim_mm *mm, uint64_t addr, unsigned char v);
/* The pagemap entry of one page. */
uint64_t tu_pm(struct vmsim_mm *mm, uint64_t addr);
/* The PFN a present page maps, or ~0UL. */
unsigned long tu_pfn(struct vmsim_mm *mm, uint64_t addr);

/*
 * npages from addr, one character a page, as Linux's tools/testing/vma
 * draws ranges in its comments: a letter for each vma (A for the first one
 * met in the range, B for the next...), '.' where no vma is, '#' for a
 * guard marker.  At most TU_DRAW_MAX pages; the string is static.
 */
#define TU_DRAW_MAX	128
const char *tu_vmas(struct vmsim_mm *mm, uint64_t addr, unsigned npages);
/* The same pages as '1' (present) or '0'; another static string. */
const char *tu_present(struct vmsim_mm *mm, uint64_t addr, unsigned npages);
/* The number of vmas of mm. */
unsigned long tu_nr_vmas(const struct vmsim_mm *mm);

/* Run a Check suite in fork mode (a BUG()'s abort is a caught failure);
 * returns main()'s exit status.  Check is only linked into sim tests. */
struct Suite;
int tu_check_main(struct Suite *s);
#endif
