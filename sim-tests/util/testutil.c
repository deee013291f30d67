/* Shared test helpers (see testutil.h). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "testutil.h"

void tu_bug_recorder(struct vmsim *vm, const struct vmsim_bug_report *r, void *arg)
{
	struct bug_log *log = arg;

	(void)vm;
	log->count++;
	snprintf(log->last, sizeof(log->last), "%s", r->msg);
	snprintf(log->last_func, sizeof(log->last_func), "%s", r->func);
}

struct vmsim *tu_machine(const struct vmsim_config *cfg, struct bug_log *log)
{
	struct vmsim *vm;

	if (vmsim_new(cfg, &vm))
		return NULL;
	if (log) {
		memset(log, 0, sizeof(*log));
		vmsim_set_bug_handler(vm, tu_bug_recorder, log);
	}
	return vm;
}

struct vmsim *tu_machine_str(const char *opts, struct bug_log *log)
{
	struct vmsim_config cfg;
	char buf[512], *save = NULL;

	vmsim_config_init(&cfg);
	snprintf(buf, sizeof(buf), "%s", opts ? opts : "");
	for (char *w = strtok_r(buf, " ", &save); w; w = strtok_r(NULL, " ", &save)) {
		char *eq = strchr(w, '=');

		if (!eq)
			return NULL;
		*eq = 0;
		if (vmsim_config_set(&cfg, w, eq + 1))
			return NULL;
	}
	return tu_machine(&cfg, log);
}

int tu_read(struct vmsim_mm *mm, uint64_t addr)
{
	unsigned char b;
	int r = vmsim_access(mm, -1, addr, &b, 1, false, NULL);

	return r ? -r : b;
}

int tu_write(struct vmsim_mm *mm, uint64_t addr, unsigned char v)
{
	return vmsim_access(mm, -1, addr, &v, 1, true, NULL);
}

uint64_t tu_pm(struct vmsim_mm *mm, uint64_t addr)
{
	uint64_t e = 0;

	vmsim_pagemap(mm, addr, 1, &e);
	return e;
}

unsigned long tu_pfn(struct vmsim_mm *mm, uint64_t addr)
{
	uint64_t e = tu_pm(mm, addr);

	return (e & PM_PRESENT) ? (unsigned long)(e & PM_PFRAME_MASK) : ~0UL;
}

const char *tu_vmas(struct vmsim_mm *mm, uint64_t addr, unsigned npages)
{
	static char s[TU_DRAW_MAX + 1];
	int first = -1;

	if (npages > TU_DRAW_MAX)
		npages = TU_DRAW_MAX;
	for (unsigned i = 0; i < npages; i++) {
		uint64_t a = addr + (uint64_t)i * 4096;
		struct vmsim_vma_info v;
		int idx = -1;

		for (unsigned k = 0; !vmsim_mm_vma(mm, k, &v); k++)
			if (a >= v.start && a < v.end) {
				idx = (int)k;
				break;
			}
		if (idx < 0) {
			s[i] = '.';
			continue;
		}
		if (first < 0)
			first = idx;
		s[i] = (tu_pm(mm, a) & PM_GUARD_REGION) ? '#' : (char)('A' + (idx - first) % 26);
	}
	s[npages] = 0;
	return s;
}

const char *tu_present(struct vmsim_mm *mm, uint64_t addr, unsigned npages)
{
	static char s[TU_DRAW_MAX + 1];

	if (npages > TU_DRAW_MAX)
		npages = TU_DRAW_MAX;
	for (unsigned i = 0; i < npages; i++)
		s[i] = (tu_pm(mm, addr + (uint64_t)i * 4096) & PM_PRESENT) ? '1' : '0';
	s[npages] = 0;
	return s;
}

unsigned long tu_nr_vmas(const struct vmsim_mm *mm)
{
	struct vmsim_mm_stats st;

	vmsim_mm_stats(mm, &st);
	return st.nr_vmas;
}
