/* Observable machine state as hashes (see statehash.h). */
#include <stdlib.h>
#include <string.h>

#include "statehash.h"

/* FNV-1a, 64-bit. */
static void mix(uint64_t *h, const void *p, size_t n)
{
	const unsigned char *b = p;

	for (size_t i = 0; i < n; i++) {
		*h ^= b[i];
		*h *= 0x100000001b3ULL;
	}
}

static void mix64(uint64_t *h, uint64_t v)
{
	mix(h, &v, sizeof(v));
}

static void mixstr(uint64_t *h, const char *s)
{
	if (s)
		mix(h, s, strlen(s) + 1);
	else
		mix64(h, 0xdeadULL);
}

static void machine_part(const struct sh_machine *m, uint64_t *h)
{
	struct vmsim *vm = m->vm;
	const struct vmsim_config *c = vmsim_config(vm);

	mix64(h, c->cpus);
	mix64(h, c->ram);
	mix64(h, c->swap);
	mix64(h, c->levels);
	mix64(h, c->tlb_sets);
	mix64(h, c->tlb_ways);
	mix64(h, c->seed);
	mix64(h, c->check);
	mix64(h, c->data);
	mix64(h, c->luf);
	mix64(h, c->thp);
	mix64(h, c->hugepages);
	mix64(h, c->fault_around);
	mix64(h, c->quirks);
	mix64(h, c->readahead);
	mix64(h, vmsim_nr_frames(vm));
	mix64(h, vmsim_nr_free_pages(vm));
	for (unsigned o = 0; o <= VMSIM_MAX_PAGE_ORDER; o++)
		mix64(h, vmsim_nr_free_blocks(vm, o));
	mix64(h, vmsim_nr_pgtable_pages(vm));
	mix64(h, vmsim_host_bytes(vm));
	mix64(h, vmsim_cur_cpu(vm));
	mix64(h, vmsim_flush_ceiling(vm));
	mix64(h, vmsim_locks_held(vm));
	mix64(h, vmsim_nr_kinds(vm));
	mix64(h, vmsim_max_swapfiles(vm));
}

static void cpus_part(const struct sh_machine *m, uint64_t *h)
{
	struct vmsim *vm = m->vm;
	struct vmsim_tlb_entry e[256];

	for (unsigned cpu = 0; cpu < vmsim_nr_cpus(vm); cpu++) {
		struct vmsim_cpu_stats st;
		int n;

		memset(&st, 0, sizeof(st));
		vmsim_cpu_stats(vm, (int)cpu, &st);
		mix(h, &st, sizeof(st));	/* uint64_t fields only: no padding */
		mix64(h, (uintptr_t)vmsim_cpu_loaded(vm, (int)cpu));
		n = vmsim_tlb_entries(vm, (int)cpu, e, sizeof(e) / sizeof(e[0]));
		mix64(h, (uint64_t)n);
		for (int i = 0; i < n && i < (int)(sizeof(e) / sizeof(e[0])); i++) {
			mix64(h, e[i].addr);
			mix64(h, e[i].size);
			mix64(h, e[i].pcid);
			mix64(h, e[i].global);
			mix64(h, e[i].pfn);
			mix64(h, (uint64_t)e[i].write << 4 | (uint64_t)e[i].user << 3 | (uint64_t)e[i].nx << 2 |
				     (uint64_t)e[i].dirty << 1 | e[i].accessed);
			mix64(h, e[i].leaf);
		}
	}
}

/* Every struct page, and the entries of every page-table page. */
static void memmap_part(const struct sh_machine *m, uint64_t *h)
{
	struct vmsim *vm = m->vm;

	for (unsigned long pfn = 0; pfn < vmsim_nr_frames(vm); pfn++) {
		const struct vmsim_page *p = vmsim_pfn_to_page(vm, pfn);

		mix64(h, p->flags);
		mix64(h, (uint64_t)(uint32_t)p->refcount);
		mix64(h, (uint64_t)(uint32_t)p->mapcount);
		mix64(h, p->order);
		mix64(h, p->pt_level);
		mix64(h, p->pt_entries);
		mix64(h, (uintptr_t)p->mapping);
		mix64(h, p->index);
		mix64(h, p->private_);
		mix64(h, (uint64_t)(uint32_t)p->ptl.state);
		if (p->flags & (1u << PG_table))
			mix(h, vmsim_table(vm, vmsim_pfn_to_page(vm, pfn)), 512 * sizeof(uint64_t));
	}
}

/* VMAs, statistics and pagemap of each mm; the contents of what it maps. */
static void mms_part(const struct sh_machine *m, uint64_t *h, uint64_t *frames)
{
	struct vmsim *vm = m->vm;

	for (int i = 0; i < SH_MAX_MMS && m->mm[i]; i++) {
		struct vmsim_mm *mm = m->mm[i];
		struct vmsim_mm_stats st;
		struct vmsim_vma_info v;

		mix64(h, (uint64_t)vmsim_mm_id(mm));
		mix64(h, (uint64_t)vmsim_mm_cpu(mm));
		mix64(h, vmsim_mm_pgd(mm));
		vmsim_mm_stats(mm, &st);
		mix(h, &st, sizeof(st));	/* long fields only: no padding */
		for (unsigned idx = 0; vmsim_mm_vma(mm, idx, &v) == 0; idx++) {
			unsigned long n = (unsigned long)((v.end - v.start) >> PAGE_SHIFT);
			uint64_t *pm = calloc(n ? n : 1, sizeof(*pm));

			mix64(h, v.start);
			mix64(h, v.end);
			mix64(h, v.flags);
			mix64(h, v.pgoff);
			mixstr(h, v.file);
			mix64(h, v.has_anon_vma);
			if (!pm)
				abort();
			if (vmsim_pagemap(mm, v.start, n, pm) == 0) {
				mix(h, pm, n * sizeof(*pm));
				for (unsigned long k = 0; k < n; k++) {
					struct vmsim_page *p;
					unsigned char buf[PAGE_SIZE];

					if (!(pm[k] & PM_PRESENT))
						continue;
					p = vmsim_pfn_to_page(vm, (unsigned long)(pm[k] & PM_PFRAME_MASK));
					if (!p)
						continue;
					vmsim_frame_read(vm, p, 0, buf, sizeof(buf));
					mix(frames, buf, sizeof(buf));
				}
			}
			free(pm);
		}
	}
}

static void files_part(const struct sh_machine *m, uint64_t *h)
{
	for (int i = 0; i < SH_MAX_FILES && m->file[i]; i++) {
		mix64(h, vmsim_file_size(m->file[i]));
		mix64(h, vmsim_file_cached_pages(m->file[i]));
	}
}

void sh_take(const struct sh_machine *m, struct sh_state *st)
{
	for (int p = 0; p < SH_NR_PARTS; p++)
		st->part[p] = 0xcbf29ce484222325ULL;
	machine_part(m, &st->part[SH_MACHINE]);
	cpus_part(m, &st->part[SH_CPUS]);
	memmap_part(m, &st->part[SH_MEMMAP]);
	mms_part(m, &st->part[SH_MMS], &st->part[SH_FRAMES]);
	files_part(m, &st->part[SH_FILES]);
}

const char *sh_diff(const struct sh_state *a, const struct sh_state *b)
{
	static const char *const names[SH_NR_PARTS] = {
		[SH_MACHINE] = "machine counters and config",
		[SH_CPUS] = "CPU statistics, loaded contexts or TLBs",
		[SH_MEMMAP] = "struct pages or page tables",
		[SH_MMS] = "VMAs, mm statistics or pagemap",
		[SH_FRAMES] = "contents of mapped frames",
		[SH_FILES] = "file sizes or page caches",
	};

	for (int p = 0; p < SH_NR_PARTS; p++)
		if (a->part[p] != b->part[p])
			return names[p];
	return NULL;
}
