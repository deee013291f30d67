/* `show vmas|pgtable|tlb|page|stats` and --dot: the machine drawn for
 * people.  Formats are free (docs/scenario.md); /proc/PID/maps inspires
 * vmas.  The parser has checked the arguments. */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include "show.h"

static const char *const level_name[] = { "-", "pte", "pmd", "pud", "p4d", "pgd" };

static struct vmsim_mm *lookup(const struct vmsim_show_proc *p, unsigned n, const char *name)
{
	for (unsigned i = 0; i < n; i++)
		if (!strcmp(p[i].name, name))
			return p[i].mm;
	return NULL;
}

static void frame_label(const struct vms_out *o, struct vmsim *vm, unsigned long pfn, char *buf, size_t n)
{
	unsigned k = vms_out_frame_label(o, pfn);

	if (vmsim_is_zero_pfn(vm, pfn))
		snprintf(buf, n, "zero");
	else if (k)
		snprintf(buf, n, "#%u", k);
	else
		snprintf(buf, n, "pfn %#lx", pfn);
}

/* The device that holds atomic access to the frame (a device-exclusive
 * entry names it), or NULL. */
static const char *atomic_holder(struct vmsim *vm, unsigned long pfn)
{
	for (unsigned i = 0; i < vmsim_nr_devices(vm); i++) {
		struct vmsim_device *d = vmsim_device_at(vm, i);
		struct vmsim_device_tlbe t;

		for (unsigned j = 0; vmsim_device_cache(d, j, &t) == 0; j++)
			if (t.atomic && t.pfn == pfn)
				return vmsim_device_name(d);
	}
	return NULL;
}

/* A device-exclusive entry (under devx=6.14 its read type is a special
 * swap type softleaf_type() calls swap: ask the kind). */
static bool is_device_exclusive(struct vmsim *vm, pte_t pte)
{
	const struct vmsim_kind *k = vmsim_kind_of(vm, pte);

	return k && !strcmp(vmsim_kind_name(k), "device_exclusive");
}

/* One leaf entry, decoded. */
static void describe_leaf(struct vmsim *vm, const struct vms_out *o, uint64_t v, char *buf, size_t n)
{
	pte_t pte = __pte(v);
	char lbl[32], own[64];

	if (pte_present(pte)) {
		unsigned long pfn = pte_pfn(pte);
		struct vmsim_page *p = vmsim_pfn_to_page(vm, pfn);

		struct vmsim_folio_info fi;
		char fol[64] = "";

		frame_label(o, vm, pfn, lbl, sizeof(lbl));
		/* A page of a large folio: its order and whole-folio counts
		 * (the page's own map= counts its PTEs). */
		if (!vmsim_folio_info(vm, pfn, &fi)) {
			snprintf(fol, sizeof(fol), " folio %luK entire=%d mapcount=%d", (1UL << fi.order) * 4,
				 fi.entire_mapcount, fi.mapcount);
			p = vmsim_pfn_to_page(vm, fi.head);
		}
		snprintf(buf, n, "%s %s%s%s%s%s%s%s%s%s [%s%s%s map=%d ref=%d]", lbl,
			 pte_protnone(pte) ? "protnone" : pte_write(pte) ? "rw" : "ro",
			 pte_user(pte) ? " user" : "", pte_exec(pte) ? " x" : "", pte_dirty(pte) ? " dirty" : "",
			 pte_young(pte) ? " young" : "", pte_soft_dirty(pte) ? " sd" : "",
			 pte_uffd_wp(pte) ? " uffd-wp" : "", pte_special(pte) ? " special" : "",
			 pte_global(pte) ? " global" : "", vmsim_page_owner(vm, pfn, own, sizeof(own)),
			 p && vmsim_page_test(p, PG_anon_exclusive) ? " excl" : "", fol,
			 vmsim_pfn_to_page(vm, pfn) ? vmsim_pfn_to_page(vm, pfn)->mapcount : 0, p ? p->refcount : 0);
	} else {
		softleaf_t e = softleaf_from_pte(pte);
		char d[96] = "";

		size_t used;

		vmsim_kind_describe(vm, pte, d, sizeof(d));
		used = (size_t)snprintf(buf, n, "%s (%s type=%u offset=%#lx)%s%s%s", d,
					vmsim_softleaf_type_name(softleaf_type(e)), swp_type(e), swp_offset(e),
					pte_swp_soft_dirty(pte) ? " swp-sd" : "",
					pte_swp_uffd_wp(pte) ? " swp-uffd-wp" : "",
					pte_swp_exclusive(pte) ? " swp-excl" : "");
		/* A device-exclusive entry: the frame it keeps, and the
		 * device that holds atomic access to it. */
		if (is_device_exclusive(vm, pte) && used < n) {
			unsigned long pfn = softleaf_to_pfn(e);
			struct vmsim_page *p = vmsim_pfn_to_page(vm, pfn);
			const char *dev = atomic_holder(vm, pfn);

			frame_label(o, vm, pfn, lbl, sizeof(lbl));
			snprintf(buf + used, n - used, " -> %s [%s map=%d ref=%d] %s%s", lbl,
				 vmsim_page_owner(vm, pfn, own, sizeof(own)), p ? p->mapcount : 0,
				 p ? p->refcount : 0, dev ? "atomic: device " : "no device holds it", dev ? dev : "");
		}
	}
}

/* With levels=4 the p4d is folded into the pgd (as in Linux): the top table
 * is the pgd whatever its level number. */
static const char *lname(struct vmsim *vm, int level)
{
	int top = vmsim_config(vm)->levels == 5 ? 5 : 4;

	return level == top ? "pgd" : level_name[level];
}

static unsigned shift_of(struct vmsim *vm, int level)
{
	return level == 5 ? vmsim_pgdir_shift(vm) : PAGE_SHIFT + 9 * (unsigned)(level - 1);
}

/* The PUD entries below table t (at level) that point at the PMD table
 * pfn: each one's process name and address, into buf. */
static void find_sharers(struct vmsim *vm, struct vmsim_page *t, int level, uint64_t base, unsigned long pfn,
			 const char *name, const struct vmsim_mm *self, const struct vmsim_mm *mm, char *buf,
			 size_t n, size_t *used)
{
	uint64_t *tab = vmsim_table(vm, t);

	for (unsigned i = 0; i < 512 && *used < n; i++) {
		uint64_t v = tab[i], a = base + ((uint64_t)i << shift_of(vm, level));

		if (!(v & _PAGE_PRESENT) || (level == 3 && (v & _PAGE_PSE)))
			continue;
		if (level > 3) {
			find_sharers(vm, vmsim_pfn_to_page(vm, (v & PTE_PFN_MASK) >> PAGE_SHIFT), level - 1, a, pfn,
				     name, self, mm, buf, n, used);
			continue;
		}
		if (((v & PTE_PFN_MASK) >> PAGE_SHIFT) == pfn && mm != self)
			*used += (size_t)snprintf(buf + *used, n - *used, " %s@%#" PRIx64, name, a);
	}
}

static void sharers(struct vmsim *vm, const struct vmsim_show_proc *procs, unsigned nprocs,
		    const struct vmsim_mm *self, unsigned long pfn, char *buf, size_t n)
{
	int top = vmsim_config(vm)->levels == 5 ? 5 : 4;
	size_t used = 0;

	buf[0] = 0;
	for (unsigned i = 0; i < nprocs && used < n; i++)
		find_sharers(vm, vmsim_pfn_to_page(vm, vmsim_mm_pgd(procs[i].mm)), top, 0, pfn, procs[i].name, self,
			     procs[i].mm, buf, n, &used);
}

struct dump_ctx {
	const struct vmsim_show_proc *procs;
	unsigned n;
	const struct vmsim_mm *self;
};

/* Walk the tree below table t (at level), printing non-none entries in
 * [lo, hi); empty stretches are folded into one line.  A PMD table other
 * processes share (hugetlb, FS-DAX) says who. */
static void dump_table(struct vmsim *vm, const struct vms_out *o, FILE *f, struct vmsim_page *t, int level,
		       uint64_t base, uint64_t lo, uint64_t hi, int depth, const struct dump_ctx *dc)
{
	uint64_t *tab = vmsim_table(vm, t);
	unsigned shift = shift_of(vm, level);
	unsigned empty = 0;

	for (unsigned i = 0; i < 512; i++) {
		uint64_t a = base + ((uint64_t)i << shift), e = a + (1ULL << shift);
		uint64_t v = tab[i];
		char d[256];

		if (e <= lo || a >= hi)
			continue;
		if (!(v & ~(uint64_t)_PAGE_KNL_ERRATUM_MASK)) {
			empty++;
			continue;
		}
		if (empty)
			fprintf(f, "%*s(%u empty)\n", depth * 2, "", empty);
		empty = 0;
		if (level > 1 && (v & _PAGE_PRESENT) && !(level <= 3 && (v & _PAGE_PSE))) {
			struct vmsim_page *child = vmsim_pfn_to_page(vm, (v & PTE_PFN_MASK) >> PAGE_SHIFT);

			char sh[256] = "";

			if (level == 3 && child->pt_share_count > 0)
				sharers(vm, dc->procs, dc->n, dc->self, vmsim_page_to_pfn(vm, child), sh, sizeof(sh));
			fprintf(f, "%*s%s[%3u] 0x%016" PRIx64 " %#018" PRIx64 " -> %s table pfn %#lx (%u entries)%s%s\n",
				depth * 2, "", lname(vm, level), i, a, v, lname(vm, level - 1),
				vmsim_page_to_pfn(vm, child), child->pt_entries,
				child->pt_share_count > 0 && level == 3 ? " shared with" : "", sh);
			dump_table(vm, o, f, child, level - 1, a, lo, hi, depth + 1, dc);
			continue;
		}
		describe_leaf(vm, o, v, d, sizeof(d));
		fprintf(f, "%*s%s[%3u] 0x%016" PRIx64 " %#018" PRIx64 " %s%s\n", depth * 2, "", lname(vm, level), i,
			a, v, level > 1 ? "huge " : "", d);
	}
	if (empty)
		fprintf(f, "%*s(%u empty)\n", depth * 2, "", empty);
}

static void show_pgtable(struct vmsim *vm, const struct vms_out *o, FILE *f, const char *name,
			 struct vmsim_mm *mm, uint64_t lo, uint64_t hi, const struct vmsim_show_proc *procs, unsigned n)
{
	unsigned long root = vmsim_mm_pgd(mm);
	int top = vmsim_config(vm)->levels == 5 ? 5 : 4;
	struct dump_ctx dc = { procs, n, mm };

	fprintf(f, "page tables of %s (pgd pfn %#lx, %d levels):\n", name, root, top);
	dump_table(vm, o, f, vmsim_pfn_to_page(vm, root), top, 0, lo, hi, 1, &dc);
}

static void flag_text(unsigned long fl, char *buf, size_t n)
{
	static const struct { unsigned long bit; const char *name; } names[] = {
		{ 0x8, "shared" }, { 0x80, "mayshare" }, { 0x2000, "locked" }, { 0x200, "uffd_missing" },
		{ 0x1000, "uffd_wp" }, { 0x200000000000UL, "uffd_minor" }, { 0x08000000, "softdirty" },
		{ 0x20000, "dontcopy" }, { 0x02000000, "wipeonfork" },
	};
	size_t used = 0;

	buf[0] = 0;
	for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
		if (fl & names[i].bit)
			used += (size_t)snprintf(buf + used, used < n ? n - used : 0, " %s", names[i].name);
}

static void show_vmas(FILE *f, const char *name, struct vmsim_mm *mm)
{
	struct vmsim_vma_info v;

	fprintf(f, "vmas of %s:\n", name);
	for (unsigned i = 0; !vmsim_mm_vma(mm, i, &v); i++) {
		char fl[160];

		flag_text(v.flags, fl, sizeof(fl));
		fprintf(f, "  %012" PRIx64 "-%012" PRIx64 " %c%c%c%c %08" PRIx64 " %-12s%s%s\n", v.start, v.end,
			v.flags & 1 ? 'r' : '-', v.flags & 2 ? 'w' : '-', v.flags & 4 ? 'x' : '-',
			v.flags & 8 ? 's' : 'p', v.pgoff << PAGE_SHIFT, v.file ? v.file : "[anon]", fl,
			v.has_anon_vma ? " anon_vma" : "");
	}
}

/* The process whose mm holds PCID asid on cpu, or NULL. */
static const char *pcid_owner(struct vmsim *vm, int cpu, unsigned asid, const struct vmsim_show_proc *procs,
			      unsigned n)
{
	for (unsigned i = 0; i < n; i++)
		if (vmsim_cpu_asid(vm, cpu, vmsim_mm_context(procs[i].mm)) == (int)asid)
			return procs[i].name;
	return NULL;
}

/* Each CPU's TLB; an entry names the process whose PCID tags it, so an
 * entry of a process not running there is not taken for a stale one. */
static void show_tlb(struct vmsim *vm, FILE *f, int only, const struct vmsim_show_proc *procs, unsigned n)
{
	struct vmsim_tlb_entry e[512];

	for (unsigned cpu = 0; cpu < vmsim_nr_cpus(vm); cpu++) {
		struct vmsim_mm_context *ctx = vmsim_cpu_loaded(vm, (int)cpu);
		const char *running = NULL;
		int nr, asid = -1;

		if (only >= 0 && (unsigned)only != cpu)
			continue;
		nr = vmsim_tlb_entries(vm, (int)cpu, e, 512);
		for (unsigned i = 0; ctx && i < n; i++)
			if (vmsim_mm_context(procs[i].mm) == ctx)
				running = procs[i].name;
		if (ctx)
			asid = vmsim_cpu_asid(vm, (int)cpu, ctx);
		if (ctx)
			fprintf(f, "cpu%u tlb: %d entries, running %s (mm%d, pcid %d)\n", cpu, nr < 0 ? 0 : nr,
				running ? running : "?", ctx->id, asid);
		else
			fprintf(f, "cpu%u tlb: %d entries, running nothing\n", cpu, nr < 0 ? 0 : nr);
		for (int i = 0; i < nr && i < 512; i++) {
			const char *owner = pcid_owner(vm, (int)cpu, e[i].pcid, procs, n);

			fprintf(f, "  0x%016" PRIx64 " %s pcid %u (%s) pfn %#lx %s%s%s%s%s\n", e[i].addr,
				e[i].size == VMSIM_TLB_4K ? "4K" : e[i].size == VMSIM_TLB_2M ? "2M" : "1G", e[i].pcid,
				owner ? owner : "no live process", e[i].pfn, e[i].write ? "rw" : "ro",
				e[i].user ? " user" : "", e[i].nx ? " nx" : "", e[i].dirty ? " dirty" : "",
				e[i].global ? " global" : "");
		}
	}
}

struct rmap_print {
	FILE *f;
	const struct vmsim_show_proc *procs;
	unsigned n;
};

static void print_mapper(void *arg, struct vmsim_mm *mm, uint64_t addr)
{
	struct rmap_print *r = arg;
	const char *name = "?";

	for (unsigned i = 0; i < r->n; i++)
		if (r->procs[i].mm == mm)
			name = r->procs[i].name;
	fprintf(r->f, "  mapped by %s at 0x%016" PRIx64 "\n", name, addr);
}

/* `show page frame=#K | pfn=N | PROC ADDR` (checked by the parser).  A
 * bare `#K` cannot be used: a word starting with `#` begins a comment. */
static void show_page(struct vmsim *vm, const struct vms_out *o, FILE *f, const struct vms_cmd *c,
		      const struct vmsim_show_proc *procs, unsigned n)
{
	uint64_t pfn = c->addr2, e;
	struct vmsim_page *p;
	char own[64];
	struct rmap_print r = { f, procs, n };

	if (c->show_page == VMS_SHOW_PAGE_LABEL && !vms_out_label_frame(o, c->want.label, &pfn)) {
		fprintf(f, "show page: no frame #%u yet (labels come from pagemap lines)\n", c->want.label);
		return;
	}
	if (c->show_page == VMS_SHOW_PAGE_ADDR) {
		struct vmsim_mm *mm = lookup(procs, n, c->name[0]);

		if (!mm || vmsim_pagemap(mm, c->addr & ~(uint64_t)(PAGE_SIZE - 1), 1, &e) || !(e & PM_PRESENT)) {
			fprintf(f, "show page: nothing present at %s 0x%016" PRIx64 "\n", c->name[0], c->addr);
			return;
		}
		pfn = e & PM_PFRAME_MASK;
	}
	p = vmsim_pfn_to_page(vm, (unsigned long)pfn);
	if (!p) {
		fprintf(f, "show page: no pfn %#" PRIx64 "\n", pfn);
		return;
	}
	fprintf(f, "page pfn %#" PRIx64 ": %s refcount %d mapcount %d index %#" PRIx64 " flags%s%s%s%s%s%s%s%s%s%s%s%s"
		"%s\n", pfn,
		vmsim_page_owner(vm, (unsigned long)pfn, own, sizeof(own)), p->refcount, p->mapcount, p->index,
		vmsim_page_test(p, PG_anon_exclusive) ? " anon_exclusive" : "",
		vmsim_page_test(p, PG_dirty) ? " dirty" : "", vmsim_page_test(p, PG_uptodate) ? " uptodate" : "",
		vmsim_page_test(p, PG_readahead) ? " readahead/reclaim" : "",
		vmsim_page_test(p, PG_swapbacked) ? " swapbacked" : "",
		vmsim_page_test(p, PG_lru) ? " lru" : "", vmsim_page_test(p, PG_active) ? " active" : "",
		vmsim_page_test(p, PG_referenced) ? " referenced" : "",
		vmsim_page_test(p, PG_unevictable) ? " unevictable" : "", vmsim_page_test(p, PG_mlocked) ? " mlocked" : "",
		vmsim_page_test(p, PG_locked) ? " locked" : "", vmsim_page_test(p, PG_hwpoison) ? " hwpoison" : "",
		vmsim_page_test(p, PG_swapcache) ? " swapcache" : "");
	if (vmsim_page_test(p, PG_swapcache)) {
		swp_entry_t se = { (unsigned long)p->private_ };

		fprintf(f, "  in the swap cache for swap entry %u:%#lx\n", swp_type(se), swp_offset(se));
	}
	vmsim_page_rmap(vm, (unsigned long)pfn, print_mapper, &r);
}

/* Lazy unmap flush: what was deferred, where the flushes were paid. */
static void show_luf(struct vmsim *vm, FILE *f)
{
	struct vmsim_luf_stats ls;

	vmsim_luf_stats(vm, &ls);
	fprintf(f, "luf: %" PRIu64 " ptes deferred, %" PRIu64 " folios freed owing, %" PRIu64 " pages owe a flush now "
		"(most %" PRIu64 "), generation %" PRIu64 "\n", ls.deferred, ls.luf_folios, ls.owed_pages,
		ls.owed_pages_max, ls.ugen);
	fprintf(f, "luf points (paid/done already/left owed):");
	for (int p = 0; p < VMSIM_LUF_NR_POINTS; p++)
		fprintf(f, " %s %" PRIu64 "/%" PRIu64 "/%" PRIu64, vmsim_luf_point_name((enum vmsim_luf_point)p),
			ls.paid[p], ls.avoided[p], ls.skipped[p]);
	fprintf(f, "\nluf: %" PRIu64 " loads through deferred translations (%" PRIu64 " stale), longest-lived %"
		PRIu64 " steps, %" PRIu64 " rule breaks; %" PRIu64 " shootdown IPIs, %" PRIu64 " TLB entries flushed\n",
		ls.deferred_hits, ls.stale_reads, ls.stale_max_steps, ls.rule_breaks, ls.shootdown_ipis,
		ls.flushed_entries);
}

static void show_stats(struct vmsim *vm, FILE *f, const struct vmsim_show_proc *procs, unsigned n)
{
	struct vmsim_lru_info lru;
	struct vmsim_reclaim_stats rs;

	fprintf(f, "frames: %lu total, %lu free, %lu page-table pages\n", vmsim_nr_frames(vm),
		vmsim_nr_free_pages(vm), vmsim_nr_pgtable_pages(vm));
	vmsim_lru_info(vm, &lru);
	fprintf(f, "lru: anon %lu inactive %lu active, file %lu inactive %lu active, %lu unevictable\n",
		lru.inactive_anon, lru.active_anon, lru.inactive_file, lru.active_file, lru.unevictable);
	for (int t = 0; t < MAX_SWAPFILES; t++) {
		struct vmsim_swap_info si;

		if (!vmsim_swap_info(vm, t, &si))
			fprintf(f, "swap %d: %lu slots, %lu in use, %lu in the swap cache\n", t, si.pages, si.inuse,
				si.cached);
	}
	vmsim_reclaim_stats(vm, &rs);
	fprintf(f, "reclaim: %lu direct, %lu scanned, %lu reclaimed, %lu swapped out, %lu swapped in, "
		"%lu batched flushes, %lu oom kills, %lu migrated, %lu hwpoisoned\n", rs.allocstall, rs.pgscan,
		rs.pgsteal, rs.pswpout, rs.pswpin, rs.tlb_batch_flushes, rs.oom_kill, rs.pgmigrate_success,
		rs.hwpoisoned);
	if (vmsim_config(vm)->luf != VMSIM_LUF_OFF)
		show_luf(vm, f);
	for (unsigned i = 0; i < n; i++) {
		struct vmsim_mm_stats st;

		vmsim_mm_stats(procs[i].mm, &st);
		fprintf(f, "%s: %lu vmas, rss anon %ld file %ld shmem %ld, swap entries %ld; faults %lu (anon %lu, "
			"file %lu, wp %lu, cow %lu)%s\n",
			procs[i].name, st.nr_vmas, st.rss_anon, st.rss_file, st.rss_shmem, st.swap_ents, st.faults,
			st.faults_anon, st.faults_file, st.faults_wp, st.faults_cow,
			vmsim_mm_oom_killed(procs[i].mm) ? " (killed by the OOM killer)" : "");
	}
	for (unsigned cpu = 0; cpu < vmsim_nr_cpus(vm); cpu++) {
		struct vmsim_cpu_stats c;
		uint64_t look;

		vmsim_cpu_stats(vm, (int)cpu, &c);
		look = c.tlb_hits + c.tlb_misses;
		fprintf(f, "cpu%u: tlb %" PRIu64 " hits %" PRIu64 " misses (%.1f%% hit), %" PRIu64 " walks, %" PRIu64
			" faults, %" PRIu64 " full + %" PRIu64 " page flushes, IPIs %" PRIu64 " sent %" PRIu64 " received\n",
			cpu, c.tlb_hits, c.tlb_misses, look ? 100.0 * (double)c.tlb_hits / (double)look : 0.0, c.walks,
			c.faults, c.full_flushes, c.page_flushes, c.ipis_sent, c.ipis_received);
	}
	for (unsigned i = 0; i < vmsim_nr_devices(vm); i++) {
		struct vmsim_device *d = vmsim_device_at(vm, i);
		struct vmsim_device_stats st;
		struct vmsim_device_tlbe t;
		unsigned cached = 0, atomic = 0;

		vmsim_device_stats(d, &st);
		for (; vmsim_device_cache(d, cached, &t) == 0; cached++)
			atomic += t.atomic;
		fprintf(f, "device %s: %lu reads, %lu writes, %lu atomics; %lu fills, %lu invalidations (%lu of its "
			"own exclusive ignored), %lu retries; %u cached (%u atomic)\n", vmsim_device_name(d),
			st.reads, st.writes, st.atomics, st.fills, st.invalidations, st.own_ignored, st.retries,
			cached, atomic);
		for (unsigned j = 0; vmsim_device_cache(d, j, &t) == 0; j++)
			fprintf(f, "  mm%d 0x%016" PRIx64 " -> pfn %#lx%s%s\n", t.mm, t.addr, t.pfn,
				t.write ? " write" : "", t.atomic ? " atomic" : "");
	}
}

void vmsim_show(struct vmsim *vm, const struct vms_out *o, const struct vms_cmd *c, FILE *f,
		const struct vmsim_show_proc *procs, unsigned n)
{
	struct vmsim_mm *mm = c->name[0] ? lookup(procs, n, c->name[0]) : NULL;

	fprintf(f, "--- show (line %d)\n", c->line);
	switch (c->show) {
	case VMS_SHOW_VMAS:
		if (mm)
			show_vmas(f, c->name[0], mm);
		break;
	case VMS_SHOW_PGTABLE:
		if (mm && c->len)
			show_pgtable(vm, o, f, c->name[0], mm, c->addr, c->addr + c->len < c->addr ? ~0ULL : c->addr + c->len,
				     procs, n);
		else if (mm)
			show_pgtable(vm, o, f, c->name[0], mm, 0, ~0ULL, procs, n);
		break;
	case VMS_SHOW_TLB:
		show_tlb(vm, f, c->cpu, procs, n);
		break;
	case VMS_SHOW_PAGE:
		show_page(vm, o, f, c, procs, n);
		break;
	case VMS_SHOW_STATS:
		show_stats(vm, f, procs, n);
		break;
	}
}

/* ---- Graphviz ---- */

static void dot_table(struct vmsim *vm, const struct vms_out *o, FILE *f, struct vmsim_page *t, int level,
		      uint64_t base, unsigned char *seen)
{
	uint64_t *tab = vmsim_table(vm, t);
	unsigned long tpfn = vmsim_page_to_pfn(vm, t);

	/* A table drawn already is one more processes share (a PMD table of
	 * hugetlb or FS-DAX sharing): every sharer's PUD edge leads to it. */
	if (seen[tpfn])
		return;
	seen[tpfn] = 1;
	if (level == 2 && t->pt_share_count > 0)
		fprintf(f, "  t%lu [shape=box,style=filled,fillcolor=orange,label=\"%s table\\npfn %#lx\\n"
			"shared: %lld more PUD entries\"];\n", tpfn, lname(vm, level), tpfn,
			(long long)t->pt_share_count);
	else
		fprintf(f, "  t%lu [shape=box,label=\"%s table\\npfn %#lx\"];\n", tpfn, lname(vm, level), tpfn);
	for (unsigned i = 0; i < 512; i++) {
		uint64_t v = tab[i], a = base + ((uint64_t)i << shift_of(vm, level));

		if (!(v & ~(uint64_t)_PAGE_KNL_ERRATUM_MASK))
			continue;
		if (level > 1 && (v & _PAGE_PRESENT) && !(level <= 3 && (v & _PAGE_PSE))) {
			unsigned long c = (v & PTE_PFN_MASK) >> PAGE_SHIFT;

			fprintf(f, "  t%lu -> t%lu [label=\"%u\"];\n", tpfn, c, i);
			dot_table(vm, o, f, vmsim_pfn_to_page(vm, c), level - 1, a, seen);
		} else if (pte_present(__pte(v))) {
			unsigned long pfn = pte_pfn(__pte(v));
			char lbl[32];

			bool huge = level > 1;

			frame_label(o, vm, pfn, lbl, sizeof(lbl));
			if (!seen[pfn]) {
				seen[pfn] = 1;
				/* A PMD leaf's frame is a 2 MiB folio. */
				fprintf(f, "  f%lu [shape=%s,style=filled,fillcolor=%s,label=\"%s%s\"];\n", pfn,
					huge ? "box3d" : "ellipse", vmsim_is_zero_pfn(vm, pfn) ? "lightgrey" : "lightyellow",
					lbl, huge ? "\\n2M" : "");
			}
			fprintf(f, "  t%lu -> f%lu [label=\"%u %s%s\",color=%s%s];\n", tpfn, pfn, i, huge ? "huge " : "",
				pte_write(__pte(v)) ? "rw" : "ro", pte_write(__pte(v)) ? "black" : "blue",
				huge ? ",penwidth=2" : "");
		} else {
			/* Named as its kind describes it; an edge to the frame it
			 * leads to: the one a migration, hwpoison or device-exclusive
			 * entry names (red, with the device that holds it), a swap
			 * entry's swap-cache folio. */
			softleaf_t e = softleaf_from_pte(__pte(v));
			unsigned long pfn = ~0UL;
			const char *why = "names", *dev = NULL;
			bool devx = is_device_exclusive(vm, __pte(v));
			char d[96] = "";

			vmsim_kind_describe(vm, __pte(v), d, sizeof(d));
			fprintf(f, "  x%lu_%u [shape=note,label=\"%s\"];\n  t%lu -> x%lu_%u;\n", tpfn, i,
				d[0] ? d : vmsim_softleaf_type_name(softleaf_type(e)), tpfn, tpfn, i);
			if (softleaf_has_pfn(e)) {
				pfn = softleaf_to_pfn(e);
				if (devx)
					dev = atomic_holder(vm, pfn);
			} else if (softleaf_is_swap(e)) {
				struct vmsim_swap_slot slot;

				if (!vmsim_swap_slot(vm, (int)swp_type(e), swp_offset(e), &slot) && slot.cached) {
					pfn = slot.pfn;
					why = "swap cache";
				}
			}
			if (vmsim_pfn_to_page(vm, pfn)) {
				char lbl[32];

				frame_label(o, vm, pfn, lbl, sizeof(lbl));
				if (!seen[pfn]) {
					seen[pfn] = 1;
					fprintf(f, "  f%lu [shape=ellipse,style=filled,fillcolor=lightyellow,"
						"label=\"%s\"];\n", pfn, lbl);
				}
				if (devx)
					fprintf(f, "  x%lu_%u -> f%lu [style=dashed,color=red,label=\"%s%s\"];\n",
						tpfn, i, pfn, dev ? "atomic: device " : "no device", dev ? dev : "");
				else
					fprintf(f, "  x%lu_%u -> f%lu [style=dashed,label=\"%s\"];\n", tpfn, i, pfn,
						why);
			}
		}
	}
}

int vmsim_dot(struct vmsim *vm, const struct vms_out *o, const char *path,
	      const struct vmsim_show_proc *procs, unsigned n)
{
	FILE *f = fopen(path, "w");
	unsigned char *seen;
	int top = vmsim_config(vm)->levels == 5 ? 5 : 4;

	if (!f)
		return -errno;
	{
		/* Frames of RAM and of the persistent memory above it. */
		unsigned long first, npmem = vmsim_pmem_frames(vm, &first);

		seen = calloc(npmem ? first + npmem : vmsim_nr_frames(vm), 1);
	}
	if (!seen) {
		fclose(f);
		return -ENOMEM;
	}
	fprintf(f, "digraph vmsim {\n  rankdir=LR;\n");
	for (unsigned i = 0; i < n; i++) {
		unsigned long root = vmsim_mm_pgd(procs[i].mm);

		fprintf(f, "  p%u [shape=plaintext,label=\"%s\"];\n  p%u -> t%lu;\n", i, procs[i].name, i, root);
		dot_table(vm, o, f, vmsim_pfn_to_page(vm, root), top, 0, seen);
	}
	fprintf(f, "}\n");
	free(seen);
	return fclose(f) ? -EIO : 0;
}
