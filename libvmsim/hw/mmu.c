/* The MMU: TLB lookup, hardware page walk (A/D bits), #PF delivery and
 * retry.  Error codes and result handling follow arch/x86/mm/fault.c. */
#include <string.h>

#include "cpu_internal.h"
#include "../sched/sched_internal.h"

static enum vmsim_level top_level(const struct vmsim *vm)
{
	/* With 4 levels the pgd entry is the p4d entry: visit it once. */
	return vm->cfg.levels == 5 ? VMSIM_LVL_PGD : VMSIM_LVL_P4D;
}

struct hw_walk {
	struct vmsim_xlate x;
	uint64_t *slot[6];	/* the entry read at each level reached */
	uint64_t val[6];	/* and its value then */
	unsigned long root;
	bool up_write, up_user, up_nx;	/* the rights of the levels above the pte */
	bool all_a;		/* every entry read had A set */
	const struct vmsim_walk_memo *memo;	/* slots above the pte, when reused */
};

/* The walk from level l down, in table tab, with the rights of the levels
 * above (SDM 4.5): one load per level, to a non-present entry or a leaf,
 * without side effects.  Each level indexes 9 address bits above the level
 * below it (the top one at 48 with 5 levels, at 39 with 4, where the pgd
 * is the p4d).  Unless check=off, every table pointer is checked to name a
 * page-table page, as vmsim_walk() checks it. */
static int walk_from(struct vmsim *vm, uint64_t addr, struct hw_walk *hw, enum vmsim_level l,
		     const uint64_t *tab, bool wr, bool us, bool nx, bool all_a)
{
	bool checked = vm->cfg.check != VMSIM_CHECK_OFF;

	for (;; l--) {
		unsigned shift = PAGE_SHIFT + 9 * ((unsigned)l - 1);
		uint64_t *slot = (uint64_t *)&tab[(addr >> shift) & 511], v = *slot;
		unsigned long next;

		hw->slot[l] = slot;
		hw->val[l] = v;
		hw->x.level = l;
		hw->x.leaf = v;
		if (l == VMSIM_LVL_PTE) {
			hw->up_write = wr;
			hw->up_user = us;
			hw->up_nx = nx;
		}
		if (!(v & _PAGE_PRESENT))
			break;	/* none, PROT_NONE, swap, migration ... */
		all_a = all_a && (v & _PAGE_ACCESSED);
		/* R/W and U/S must allow it at every level; NX at any forbids. */
		wr = wr && (v & _PAGE_RW);
		us = us && (v & _PAGE_USER);
		nx = nx || (v & _PAGE_NX);
		if (l == VMSIM_LVL_PTE || ((l == VMSIM_LVL_PMD || l == VMSIM_LVL_PUD) && (v & _PAGE_PSE))) {
			uint64_t mask = l == VMSIM_LVL_PTE ? PTE_PFN_MASK :
					l == VMSIM_LVL_PMD ? PHYSICAL_PMD_PAGE_MASK : PHYSICAL_PUD_PAGE_MASK;

			hw->x.present = true;
			hw->x.size = l == VMSIM_LVL_PTE ? VMSIM_TLB_4K : l == VMSIM_LVL_PMD ? VMSIM_TLB_2M : VMSIM_TLB_1G;
			hw->x.dirty = !!(v & _PAGE_DIRTY);
			hw->x.pfn = (unsigned long)(((v & mask) + (addr & ((1ULL << shift) - 1))) >> PAGE_SHIFT);
			break;
		}
		next = (unsigned long)((v & PTE_PFN_MASK) >> PAGE_SHIFT);
		if (checked ? !vmsim__pt_entry_table(vm, v) : next >= vm->nr_frames)
			return -EIO;
		tab = (const uint64_t *)(vm->frames + ((size_t)next << PAGE_SHIFT));
	}
	hw->x.write = wr;
	hw->x.user = us;
	hw->x.nx = nx;
	hw->all_a = all_a;
	return 0;
}

/* Walk root for addr as the hardware does, without side effects: the same
 * entries vmsim_walk() visits, without its bookkeeping. */
static int do_walk(struct vmsim *vm, unsigned long root, uint64_t addr, struct hw_walk *hw)
{
	hw->x = (struct vmsim_xlate){ 0 };
	hw->root = root;
	hw->memo = NULL;
	/* The root comes from a context: one whose pgd is gone is an error. */
	if (root >= vm->nr_frames || !vmsim_page_test(&vm->memmap[root], PG_table) ||
	    vm->memmap[root].pt_level != VMSIM_LVL_PGD)
		return -EINVAL;
	return walk_from(vm, addr, hw, top_level(vm), (const uint64_t *)(vm->frames + ((size_t)root << PAGE_SHIFT)),
			 true, true, false, true);
}

/*
 * A walk that reuses the entries the CPU's last walk read above the pte
 * level, when it walked the same root for an address of the same 2 MiB
 * region and every one of those entries still holds the value read then:
 * the root being the same, equal entries lead to the same tables, so the
 * new walk would visit exactly those entries, with the same rights, and
 * reach the same pte table; only the pte is read.  The A/D update after it
 * is the walk's own (set_accessed_dirty() on every level), so entries,
 * trace and fill are those of a full walk.  Anything else walks from the
 * root.  This is how the retry after a #PF reads the pte its handler has
 * just written: x86 re-executes the faulting instruction, which looks up
 * the TLB and walks from CR3 again (SDM 4.10.4.1, 4.7); the pte is the
 * only entry a fixed fault changed, unless the handler changed a level
 * above it, which the value check sees.  (A real CPU's paging-structure
 * caches may serve stale upper entries until an INVLPG or CR3 write; this
 * memo never does, so nothing a test can see depends on it.)
 */
static int walk_again(struct vmsim *vm, struct vmsim_cpu *c, unsigned long root, uint64_t addr,
		      struct hw_walk *hw)
{
	const struct vmsim_walk_memo *m = &c->memo;
	enum vmsim_level top = top_level(vm), l;
	bool up_a = true;
	int err;

	if (m->valid && m->root == root && m->region == addr >> PMD_SHIFT &&
	    vmsim_page_test(&vm->memmap[root], PG_table) && vm->memmap[root].pt_level == VMSIM_LVL_PGD) {
		for (l = top; l > VMSIM_LVL_PTE; l--) {
			if (*m->slot[l] != m->val[l])
				break;
			up_a = up_a && (m->val[l] & _PAGE_ACCESSED);
		}
		if (l == VMSIM_LVL_PTE) {
			hw->x = (struct vmsim_xlate){ 0 };
			hw->root = root;
			hw->memo = m;	/* its slots above the pte (not copied) */
			return walk_from(vm, addr, hw, VMSIM_LVL_PTE, m->pte_table, m->up_write, m->up_user,
					 m->up_nx, up_a);
		}
	}
	err = do_walk(vm, root, addr, hw);
	if (!err && hw->x.level == VMSIM_LVL_PTE) {
		struct vmsim_walk_memo *w = &c->memo;

		w->valid = true;
		w->root = root;
		w->region = addr >> PMD_SHIFT;
		w->pte_table = hw->slot[VMSIM_LVL_PTE] - ((addr >> PAGE_SHIFT) & 511);
		for (l = top; l > VMSIM_LVL_PTE; l--) {
			w->slot[l] = hw->slot[l];
			w->val[l] = hw->val[l];
		}
		w->up_write = hw->up_write;
		w->up_user = hw->up_user;
		w->up_nx = hw->up_nx;
	} else {
		c->memo.valid = false;
	}
	return err;
}

int vmsim__xlate(struct vmsim *vm, unsigned long root, uint64_t addr, struct vmsim_xlate *x)
{
	struct hw_walk hw;
	int err = do_walk(vm, root, addr, &hw);

	*x = hw.x;
	return err;
}

/* Mark every entry used Accessed, and the leaf Dirty on a write, in place:
 * the CPU's own update, not a software change (no SET_ENTRY, no counts). */
static void set_accessed_dirty(struct vmsim *vm, int cpu, uint64_t addr, struct hw_walk *hw, bool write)
{
	/* Usually every entry is accessed already (and the leaf dirty). */
	if (hw->all_a && (!write || (hw->x.leaf & _PAGE_DIRTY)))
		return;
	for (enum vmsim_level l = top_level(vm); l >= hw->x.level; l--) {
		uint64_t *slot = l > VMSIM_LVL_PTE && hw->memo ? hw->memo->slot[l] : hw->slot[l];
		uint64_t old = *slot, new = old | _PAGE_ACCESSED;

		if (l == hw->x.level && write)
			new |= _PAGE_DIRTY;
		if (new == old)
			continue;
		*slot = new;
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_WALK, .cpu = cpu,
				  .level = l, .addr = addr, .old_val = old, .new_val = new,
				  .why = write && l == hw->x.level ? "hw sets A/D" : "hw sets A" });
		if (l == hw->x.level)
			hw->x.leaf = new;
	}
	hw->x.dirty = hw->x.dirty || write;
}

/* A TLB fill's scheduling point; its object is the table the walk ends
 * in, what the fill reads without a lock. */
static VMSIM_COLD void sp_fill(struct vmsim *vm, unsigned long root, uint64_t addr)
{
	struct vmsim_walk w;

	vmsim__sched_point(vm, VMSIM_SP_TLB_FILL, vmsim_walk(vm, root, addr, 0, &w) ? NULL : w.table[w.level],
			   "walk_and_fill");
}

/* Walk, check, update A/D and fill.  0, 1 for a page fault with its error
 * code in *ec, or -EIO. */
static int walk_and_fill(struct vmsim *vm, struct vmsim_cpu *c, uint64_t addr, unsigned access,
			 unsigned long *pfn, unsigned *ec)
{
	struct vmsim_mm_context *ctx = c->loaded;
	bool write = access & X86_PF_WRITE;
	struct hw_walk hw0, *hw = &hw0;
	unsigned long npages;
	uint64_t psize;
	int err;

	if (__builtin_expect(vm->sched != NULL, 0)) {
		sp_fill(vm, ctx->pgd, addr);
		if (c->loaded != ctx) {
			/* Another CPU's step destroyed the context: a #PF,
			 * which finds nothing loaded. */
			*ec = access;
			return 1;
		}
	}
	c->st.walks++;
	err = walk_again(vm, c, ctx->pgd, addr, hw);
	if (err)
		return -EIO;
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_WALK, .cpu = c->nr,
			  .level = hw->x.level, .addr = addr, .new_val = hw->x.leaf });
	if (!hw->x.present) {
		*ec = access;
		return 1;
	}
	if ((write && !hw->x.write) || ((access & X86_PF_USER) && !hw->x.user) ||
	    ((access & X86_PF_INSTR) && hw->x.nx)) {
		*ec = access | X86_PF_PROT;
		return 1;
	}
	psize = vmsim__tlb_page_size(hw->x.size);
	npages = (unsigned long)(psize >> PAGE_SHIFT);
	if (VMSIM_BUG_ON(vm, !vmsim_pfn_to_page(vm, hw->x.pfn) ||
			 !vmsim_pfn_to_page(vm, (hw->x.pfn & ~(npages - 1)) + npages - 1),
			 "cpu%d walk of %#llx reached pfn %#lx outside RAM (leaf %#llx)", c->nr,
			 (unsigned long long)addr, hw->x.pfn, (unsigned long long)hw->x.leaf))
		return -EIO;
	set_accessed_dirty(vm, c->nr, addr, hw, write);
	vmsim__tlb_fill(vm, c, &(struct vmsim_tlb_entry){
		.addr = addr & ~(psize - 1), .size = hw->x.size, .pcid = c->loaded_mm_asid,
		.global = !!(hw->x.leaf & _PAGE_GLOBAL), .pfn = hw->x.pfn & ~(npages - 1),
		.write = hw->x.write, .user = hw->x.user, .nx = hw->x.nx, .dirty = hw->x.dirty,
		.accessed = true, .leaf = hw->x.leaf });
	*pfn = hw->x.pfn;
	return 0;
}

/* mm_fault_error(): the order Linux tests the bits in. */
static int fault_result(struct vmsim *vm, int cpu, uint64_t addr, int vmf)
{
	if (!(vmf & VM_FAULT_ERROR))
		return VMSIM_ACCESS_OK;
	if (vmf & VM_FAULT_OOM)
		return VMSIM_ACCESS_OOM;
	if (vmf & (VM_FAULT_HWPOISON | VM_FAULT_HWPOISON_LARGE))
		return VMSIM_ACCESS_HWPOISON;
	if (vmf & VM_FAULT_SIGBUS)
		return VMSIM_ACCESS_SIGBUS;
	if (vmf & VM_FAULT_SIGSEGV)
		return VMSIM_ACCESS_SIGSEGV;
	VMSIM_BUG(vm, "cpu%d fault at %#llx returned %#x (FALLBACK must not escape)", cpu,
		  (unsigned long long)addr, (unsigned)vmf);
	return -EIO;
}

/* tlb_clean: the lookup of this access just missed, so no entry holds
 * addr and the invalidation would drop nothing. */
static int page_fault(struct vmsim *vm, struct vmsim_cpu *c, uint64_t addr, unsigned error_code, bool tlb_clean)
{
	int saved = vm->cur_cpu, vmf;

	/* A #PF invalidates the faulting address's entries (SDM 4.10.4.1),
	 * so the retry walks the tables the handler fixed. */
	if (!tlb_clean)
		vmsim__tlb_invlpg(vm, c, c->loaded_mm_asid, addr);
	c->st.faults++;
	if (!vm->fault_fn) {
		vmf = VM_FAULT_SIGSEGV;
	} else {
		vm->cur_cpu = c->nr;
		vmf = vm->fault_fn(vm, c->nr, addr, error_code, vm->fault_arg);
		vm->cur_cpu = saved;
	}
	vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_FAULT, .cpu = c->nr,
			  .addr = addr, .old_val = error_code, .new_val = (uint64_t)(unsigned)vmf,
			  .why = vm->fault_fn ? "#PF" : "#PF, no handler" });
	return fault_result(vm, c->nr, addr, vmf);
}

int vmsim_cpu_translate(struct vmsim *vm, int cpu, uint64_t addr, unsigned access, unsigned long *pfn)
{
	if (!vm || !pfn || !vmsim__cpu_valid(vm, cpu) ||
	    (access & ~(X86_PF_WRITE | X86_PF_USER | X86_PF_INSTR)) || !vm->cpu[cpu].loaded ||
	    ((access & X86_PF_WRITE) && (access & X86_PF_INSTR)))
		return -EINVAL;
	return vmsim__cpu_translate(vm, &vm->cpu[cpu], addr, access, pfn, false);
}

int vmsim__cpu_translate(struct vmsim *vm, struct vmsim_cpu *c, uint64_t addr, unsigned access,
			 unsigned long *pfn, bool missed)
{
	bool write = access & X86_PF_WRITE;
	int cpu = c->nr;
	/* clean: as of fill_gen, with this context and ASID loaded, no TLB
	 * entry matches addr (a lookup missed, or the #PF dropped them). */
	bool clean = missed && !c->tlb[VMSIM_TLB_2M].nr_valid && !c->tlb[VMSIM_TLB_1G].nr_valid;
	struct vmsim_mm_context *clean_ctx = c->loaded;
	uint64_t clean_gen = c->fill_gen;
	uint16_t clean_asid = c->loaded_mm_asid;

	/* vmsim_addr_canonical(), inline: bits 63..47 (56 with 5 levels) equal. */
	if ((uint64_t)((int64_t)(addr << (vm->cfg.levels == 5 ? 7 : 16)) >> (vm->cfg.levels == 5 ? 7 : 16)) != addr) {
		/* #GP, not #PF: the handler never sees it. */
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_FAULT, .cpu = cpu,
				  .addr = addr, .why = "#GP non-canonical" });
		return VMSIM_ACCESS_SIGSEGV;
	}
	for (unsigned tries = 0;; tries++) {
		struct vmsim_tlbe *t;
		unsigned ec = 0;
		int r;

		if (!c->loaded)
			return VMSIM_ACCESS_SIGSEGV;	/* the handler unloaded us */
		if (tries >= VMSIM_MAX_FAULT_RETRIES) {
			VMSIM_BUG(vm, "cpu%d access %#x at %#llx still faults after %u fixed faults",
				  cpu, access, (unsigned long long)addr, VMSIM_MAX_FAULT_RETRIES);
			return -EIO;
		}
		/* Entries appear only by a fill: none since we knew there was
		 * no match (the handler filled nothing here, switched nothing)
		 * means the lookup misses again. */
		clean = clean && c->fill_gen == clean_gen && c->loaded == clean_ctx &&
			c->loaded_mm_asid == clean_asid;
		t = clean ? NULL : vmsim__tlb_lookup(c, c->loaded_mm_asid, addr);
		if (t) {
			uint64_t off = addr & (vmsim__tlb_page_size(t->e.size) - 1);

			c->st.tlb_hits++;
			vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_TLB_HIT,
					  .cpu = cpu, .addr = addr, .new_val = t->e.leaf, .pfn = t->e.pfn });
			/* The cached rights are the rights, whatever the PTE says now. */
			if ((write && !t->e.write) || ((access & X86_PF_USER) && !t->e.user) ||
			    ((access & X86_PF_INSTR) && t->e.nx)) {
				clean_gen = c->fill_gen;
				clean_ctx = c->loaded;
				clean_asid = c->loaded_mm_asid;
				r = page_fault(vm, c, addr, access | X86_PF_PROT, false);
				if (r)
					return r;
				clean = true;
				continue;
			}
			if (!(write && !t->e.dirty)) {
				t->lru = ++c->tick;
				*pfn = t->e.pfn + (unsigned long)(off >> PAGE_SHIFT);
				/* A translation whose flush LUF deferred: is what it
				 * reads still what the address holds? */
				if (t->luf_rec && vm->luf_stale_hit)
					vm->luf_stale_hit(vm, cpu, addr, *pfn, t->luf_rec);
				return VMSIM_ACCESS_OK;
			}
			/* A write through a clean entry: the CPU walks again to set
			 * D (and faults if the entry no longer allows the write). */
			vmsim__tlb_drop(vm, c, &c->tlb[t->e.size], t);
			clean = false;
		} else {
			clean = true;
			c->st.tlb_misses++;
			vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_TLB_MISS,
					  .cpu = cpu, .addr = addr });
		}
		r = walk_and_fill(vm, c, addr, access, pfn, &ec);
		if (r <= 0)
			return r;
		/* After the #PF's invalidation, before its handler runs,
		 * nothing matches addr. */
		clean_gen = c->fill_gen;
		clean_ctx = c->loaded;
		clean_asid = c->loaded_mm_asid;
		r = page_fault(vm, c, addr, ec, clean);
		if (r)
			return r;
		clean = true;
	}
}

enum mem_op { OP_READ, OP_WRITE, OP_EXEC };

static int access_bytes(struct vmsim *vm, int cpu, uint64_t addr, void *rbuf, const void *wbuf,
			size_t len, enum mem_op op)
{
	static const unsigned acc[] = { X86_PF_USER, X86_PF_USER | X86_PF_WRITE, X86_PF_USER | X86_PF_INSTR };

	if (!vm || !vmsim__cpu_valid(vm, cpu) || !vm->cpu[cpu].loaded)
		return -EINVAL;
	if (len && ((op == OP_WRITE ? !wbuf : !rbuf) || addr + (len - 1) < addr))
		return -EINVAL;
	return vmsim__cpu_access(vm, &vm->cpu[cpu], addr, rbuf, wbuf, len, acc[op], false);
}

int vmsim__cpu_access(struct vmsim *vm, struct vmsim_cpu *c, uint64_t addr, void *rbuf, const void *wbuf,
		      size_t len, unsigned access, bool missed)
{
	size_t done = 0;

	while (done < len) {
		uint64_t a = addr + done;
		size_t off = (size_t)(a & (PAGE_SIZE - 1));
		size_t n = len - done < PAGE_SIZE - off ? len - done : PAGE_SIZE - off;
		struct vmsim_page *page;
		unsigned long pfn;
		int r = vmsim__cpu_translate(vm, c, a, access, &pfn, missed && !done);

		if (r)
			return r;
		page = vmsim__pfn_page(vm, pfn);
		if (access & X86_PF_WRITE) {
			r = vmsim_frame_write(vm, page, off, (const unsigned char *)wbuf + done, n);
			if (r)
				return r;
		} else {
			vmsim_frame_read(vm, page, off, (unsigned char *)rbuf + done, n);
		}
		done += n;
	}
	return VMSIM_ACCESS_OK;
}

int vmsim_cpu_read(struct vmsim *vm, int cpu, uint64_t addr, void *buf, size_t len)
{
	return access_bytes(vm, cpu, addr, buf, NULL, len, OP_READ);
}

int vmsim_cpu_write(struct vmsim *vm, int cpu, uint64_t addr, const void *buf, size_t len)
{
	return access_bytes(vm, cpu, addr, NULL, buf, len, OP_WRITE);
}

int vmsim_cpu_exec(struct vmsim *vm, int cpu, uint64_t addr, void *buf, size_t len)
{
	return access_bytes(vm, cpu, addr, buf, NULL, len, OP_EXEC);
}
