/* Trace events: a user sink plus a ring of the last events for bug reports.
 * Plays the part of the kernel's tracepoints (include/trace/events/). */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "../internal.h"

static const char *const type_names[VMSIM_TR_NR] = {
	[VMSIM_TR_PAGE_ALLOC] = "page_alloc",
	[VMSIM_TR_PAGE_FREE] = "page_free",
	[VMSIM_TR_PT_ALLOC] = "pgtable_alloc",
	[VMSIM_TR_PT_FREE] = "pgtable_free",
	[VMSIM_TR_SET_ENTRY] = "set_entry",
	[VMSIM_TR_WALK] = "walk",
	[VMSIM_TR_FAULT] = "fault",
	[VMSIM_TR_TLB_HIT] = "tlb_hit",
	[VMSIM_TR_TLB_MISS] = "tlb_miss",
	[VMSIM_TR_TLB_FILL] = "tlb_fill",
	[VMSIM_TR_TLB_EVICT] = "tlb_evict",
	[VMSIM_TR_TLB_FLUSH] = "tlb_flush",
	[VMSIM_TR_IPI] = "ipi",
	[VMSIM_TR_SWITCH_MM] = "switch_mm",
	[VMSIM_TR_NOTE] = "note",
	[VMSIM_TR_READAHEAD] = "readahead",
	[VMSIM_TR_FAULT_RETRY] = "fault_retry",
	[VMSIM_TR_FAULT_AROUND] = "fault_around",
	[VMSIM_TR_THP] = "thp",
	[VMSIM_TR_PMD_SHARE] = "pmd_share",
	[VMSIM_TR_DAX] = "dax",
	[VMSIM_TR_MMU_NOTIFIER] = "mmu_notifier",
	[VMSIM_TR_DEVICE] = "device",
	[VMSIM_TR_KIND_DEFAULT] = "kind_default",
	[VMSIM_TR_LUF] = "luf",
};

/* enum mmu_notifier_event, as vmsim_mmu_notifier_event_name() spells it. */
static const char *const notify_events[] = {
	"unmap", "clear", "protection_vma", "protection_page", "soft_dirty", "release", "migrate", "exclusive",
};

static const char *const level_names[] = { "-", "pte", "pmd", "pud", "p4d", "pgd" };

const char *vmsim_trace_type_name(enum vmsim_trace_type type)
{
	return (unsigned)type < VMSIM_TR_NR ? type_names[type] : "?";
}

void vmsim_set_trace(struct vmsim *vm, vmsim_trace_fn fn, void *arg)
{
	if (!vm)
		return;
	vm->trace_fn = fn;
	vm->trace_arg = arg;
	vm->trace_on = fn || vm->cfg.check != VMSIM_CHECK_OFF;
}

uint64_t vmsim_trace_count(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->trace_seq;
}

void vmsim__trace_record(struct vmsim *vm, const struct vmsim_trace_event *ev)
{
	struct vmsim_trace_event *slot = &vm->ring[vm->trace_seq % VMSIM_TRACE_RING];

	*slot = *ev;
	slot->seq = ++vm->trace_seq;
	if (vm->trace_fn)
		vm->trace_fn(vm->trace_arg, slot);
}

int vmsim_trace_format(const struct vmsim_trace_event *ev, char *buf, size_t size)
{
	const char *name, *lvl, *why;

	if (!ev || (!buf && size))
		return -EINVAL;
	name = vmsim_trace_type_name(ev->type);
	lvl = (unsigned)ev->level <= 5 ? level_names[ev->level] : "?";
	why = ev->why ? ev->why : "";

	switch (ev->type) {
	case VMSIM_TR_PAGE_ALLOC:
	case VMSIM_TR_PAGE_FREE:
		return snprintf(buf, size, "%s pfn=%#" PRIx64 " order=%u%s%s", name, ev->pfn,
				ev->order, *why ? " " : "", why);
	case VMSIM_TR_PT_ALLOC:
	case VMSIM_TR_PT_FREE:
		return snprintf(buf, size, "%s %s table pfn=%#" PRIx64, name, lvl, ev->pfn);
	case VMSIM_TR_SET_ENTRY:
		return snprintf(buf, size, "%s %s 0x%016" PRIx64 ": %#" PRIx64 " -> %#" PRIx64, name,
				lvl, ev->addr, ev->old_val, ev->new_val);
	case VMSIM_TR_TLB_FLUSH:
		if (!ev->end)
			return snprintf(buf, size, "cpu%d %s all%s%s", ev->cpu, name, *why ? " " : "", why);
		return snprintf(buf, size, "cpu%d %s 0x%016" PRIx64 "-0x%016" PRIx64 "%s%s", ev->cpu,
				name, ev->addr, ev->end, *why ? " " : "", why);
	case VMSIM_TR_IPI:
		return snprintf(buf, size, "cpu%d %s -> cpu%d%s%s", ev->cpu, name, ev->target,
				*why ? " " : "", why);
	case VMSIM_TR_SWITCH_MM:
		return snprintf(buf, size, "cpu%d %s mm%d", ev->cpu, name, ev->target);
	case VMSIM_TR_NOTE:
		return snprintf(buf, size, "%s %s", name, why);
	case VMSIM_TR_READAHEAD:
		return snprintf(buf, size, "%s %s pages %#" PRIx64 "-%#" PRIx64 " (%s)", name,
				ev->file ? ev->file : "?", ev->addr, ev->end, why);
	case VMSIM_TR_FAULT_RETRY:
		return snprintf(buf, size, "cpu%d %s 0x%016" PRIx64 " (%s)", ev->cpu, name, ev->addr, why);
	case VMSIM_TR_FAULT_AROUND:
		if (ev->end)
			return snprintf(buf, size, "cpu%d %s 0x%016" PRIx64 "-0x%016" PRIx64 "%s%s", ev->cpu,
					name, ev->addr, ev->end, *why ? " " : "", why);
		return snprintf(buf, size, "cpu%d %s skip 0x%016" PRIx64 " (%s)", ev->cpu, name, ev->addr,
				why);
	case VMSIM_TR_THP:
		if (ev->end)
			return snprintf(buf, size, "%s 0x%016" PRIx64 "-0x%016" PRIx64 " %s", name, ev->addr,
					ev->end, why);
		return snprintf(buf, size, "%s folio pfn=%#" PRIx64 " order=%u %s", name, ev->pfn, ev->order, why);
	case VMSIM_TR_DAX:
		return snprintf(buf, size, "cpu%d %s 0x%016" PRIx64 "-0x%016" PRIx64 " pfn=%#" PRIx64 " %s", ev->cpu,
				name, ev->addr, ev->end, ev->pfn, why);
	case VMSIM_TR_PMD_SHARE:
		return snprintf(buf, size, "%s mm%d 0x%016" PRIx64 "-0x%016" PRIx64 " pmd table pfn=%#" PRIx64 " %s",
				name, ev->target, ev->addr, ev->end, ev->pfn, why);
	case VMSIM_TR_MMU_NOTIFIER:
		return snprintf(buf, size, "%s mm%d %s 0x%016" PRIx64 "-0x%016" PRIx64 "%s%s%s", name, ev->target,
				why, ev->addr, ev->end, ev->order < 8 ? " " : "",
				ev->order < 8 ? notify_events[ev->order] : "", ev->pfn ? " owner" : "");
	case VMSIM_TR_DEVICE:
		return snprintf(buf, size, "%s %s mm%d 0x%016" PRIx64 " pfn=%#" PRIx64 " %s", name,
				ev->file ? ev->file : "?", ev->target, ev->addr, ev->pfn, why);
	case VMSIM_TR_KIND_DEFAULT:
		return snprintf(buf, size, "%s %s 0x%016" PRIx64 ": %s", name, ev->file ? ev->file : "?",
				ev->addr, why);
	case VMSIM_TR_LUF: {
		char mm[48] = "", pfn[32] = "";

		if (ev->target >= 0 && ev->addr)
			snprintf(mm, sizeof(mm), " mm%d 0x%016" PRIx64, ev->target, ev->addr);
		else if (ev->target >= 0)
			snprintf(mm, sizeof(mm), " mm%d", ev->target);
		if (ev->pfn != ~0ULL)
			snprintf(pfn, sizeof(pfn), " pfn=%#" PRIx64, ev->pfn);
		return snprintf(buf, size, "cpu%d %s %s%s%s%s%s ugen=%" PRIu64 " cpus=%#" PRIx64, ev->cpu, name, why,
				ev->file ? " " : "", ev->file ? ev->file : "", mm, pfn, ev->new_val, ev->old_val);
	}
	default:
		return snprintf(buf, size, "cpu%d %s 0x%016" PRIx64 " %s %#" PRIx64 "%s%s", ev->cpu, name,
				ev->addr, lvl, ev->new_val, *why ? " " : "", why);
	}
}

void vmsim__trace_ring_text(struct vmsim *vm, char *buf, size_t size)
{
	uint64_t first = vm->trace_seq > VMSIM_TRACE_RING ? vm->trace_seq - VMSIM_TRACE_RING : 0;
	size_t used = 0;

	buf[0] = 0;
	for (uint64_t s = first; s < vm->trace_seq && used + 1 < size; s++) {
		const struct vmsim_trace_event *ev = &vm->ring[s % VMSIM_TRACE_RING];
		char line[160];
		int n;

		vmsim_trace_format(ev, line, sizeof(line));
		n = snprintf(buf + used, size - used, "  #%" PRIu64 " %s\n", ev->seq, line);
		if (n < 0 || (size_t)n >= size - used)
			break;
		used += (size_t)n;
	}
}
