/* A process's loads and stores, through its CPU's MMU: TLB, hardware walk,
 * #PF into mm (mm.c's handler: x86 do_user_addr_fault + access_error),
 * retry.  Follows arch/x86/mm/fault.c. */
#include <string.h>

#include "mm_internal.h"
#include "../hw/cpu_internal.h"

enum access_op { ACC_READ, ACC_WRITE, ACC_EXEC };

static const unsigned op_access[] = {
	[ACC_READ] = X86_PF_USER,
	[ACC_WRITE] = X86_PF_USER | X86_PF_WRITE,
	[ACC_EXEC] = X86_PF_USER | X86_PF_INSTR,
};

/* mm-enter for an access: switch_mm only when the CPU runs another mm (a
 * context switch); vmsim__mm_enter()'s work without its checks, which the
 * public entry points made. */
static inline struct vmsim_cpu *access_enter(struct vmsim *vm, struct vmsim_mm *mm)
{
	struct vmsim_cpu *c = &vm->cpu[mm->cpu];

	if (c->loaded != &mm->ctx)
		vmsim_switch_mm(vm, mm->cpu, &mm->ctx);
	vm->cur_cpu = mm->cpu;
	return c;	/* the CPU of the whole call */
}

/* The bytes of one page that a TLB hit translated: the copy
 * vmsim_frame_read/write() make, for a frame the MMU produced. */
static inline int hit_copy(struct vmsim *vm, unsigned long pfn, size_t off, void *buf, size_t n, enum access_op op)
{
	struct vmsim_page *page = vmsim__pfn_page(vm, pfn);

	if (op == ACC_WRITE)
		return vmsim_frame_write(vm, page, off, buf, n);
	if (!vmsim_page_test(page, PG_has_data))
		memset(buf, 0, n);
	else
		vmsim_frame_read(vm, page, off, buf, n);
	return 0;
}

/*
 * The loads and stores of one call.  Serially, each page first tries the
 * TLB-hit path (vmsim__tlb_hit: a lookup and a copy, no lock, as a hit
 * costs the hardware nothing the kernel sees); anything else (a miss, a
 * fault) goes through the MMU model.  The hardware walk takes no lock;
 * the fault handler takes the per-VMA lock or mmap_lock
 * (do_user_addr_fault, mm.c).  While a block is interleaved (vm->sched),
 * every page goes through the MMU model, so that its walks and faults
 * are scheduling points.
 */
static int access_as(struct vmsim_mm *mm, int cpu, uint64_t addr, void *buf, size_t len, enum access_op op,
		     uint64_t *fault_addr)
{
	unsigned char *b = buf;
	struct vmsim_cpu *c;
	struct vmsim *vm;
	size_t done = 0;
	bool serial;
	int ret = 0;

	if (!mm || (!buf && len) || addr + len < addr)
		return -EINVAL;
	vm = mm->vm;
	if (cpu < -1 || cpu >= (int)vm->cfg.cpus)
		return -EINVAL;
	if (vmsim__mm_dead(mm))
		return VMSIM_ACCESS_SIGKILL;
	if (cpu >= 0)
		mm->cpu = cpu;
	/* Another thread of the process may move mm->cpu meanwhile. */
	c = access_enter(vm, mm);
	serial = !vm->sched;
	while (done < len) {
		uint64_t a = addr + done;
		size_t off = (size_t)(a & (PAGE_SIZE - 1));
		size_t n = PAGE_SIZE - off;
		unsigned long pfn;
		int r, hit;

		if (n > len - done)
			n = len - done;
		hit = serial ? vmsim__tlb_hit(vm, c, a, op_access[op], &pfn) : 0;

		if (hit > 0) {
			r = hit_copy(vm, pfn, off, b + done, n, op);
		} else {
			/* The handler may have switched this CPU away. */
			r = c->loaded ? vmsim__cpu_access(vm, c, a, op == ACC_WRITE ? NULL : b + done,
							  op == ACC_WRITE ? b + done : NULL, n, op_access[op], hit < 0)
				      : -EINVAL;
		}
		if (r == VMSIM_ACCESS_OK) {
			done += n;
			continue;
		}
		ret = r;
		if (fault_addr)
			*fault_addr = a;
		break;
	}
	mm->vma_lock_retry &= ~(1ULL << c->nr);	/* the access is over */
	vmsim__mm_op_done(vm);
	/* The OOM killer chose this process while it faulted. */
	if (vmsim__mm_dead(mm))
		return VMSIM_ACCESS_SIGKILL;
	return ret;
}

int vmsim_access(struct vmsim_mm *mm, int cpu, uint64_t addr, void *buf, size_t len, bool write,
		 uint64_t *fault_addr)
{
	return access_as(mm, cpu, addr, buf, len, write ? ACC_WRITE : ACC_READ, fault_addr);
}

int vmsim_fetch(struct vmsim_mm *mm, int cpu, uint64_t addr, void *buf, size_t len, uint64_t *fault_addr)
{
	return access_as(mm, cpu, addr, buf, len, ACC_EXEC, fault_addr);
}

long vmsim_access_many(struct vmsim_mm *mm, const struct vmsim_access_req *reqs, size_t n, int *result)
{
	static const unsigned acc[] = {
		[VMSIM_ACC_LOAD] = X86_PF_USER,
		[VMSIM_ACC_STORE] = X86_PF_USER | X86_PF_WRITE,
		[VMSIM_ACC_FETCH] = X86_PF_USER | X86_PF_INSTR,
	};
	struct vmsim_cpu *c;
	struct vmsim *vm;
	int r = VMSIM_ACCESS_OK;
	bool serial;
	size_t i;

	if (!mm || (!reqs && n))
		return -EINVAL;
	vm = mm->vm;
	/* Checked whole first: a bad request runs nothing. */
	for (i = 0; i < n; i++) {
		const struct vmsim_access_req *q = &reqs[i];

		/* One test per request (| not ||: no branch per condition). */
		if (((unsigned)q->kind > VMSIM_ACC_FETCH) | !q->size | (q->addr + (q->size - 1) < q->addr) |
		    ((unsigned)(q->cpu + 1) > vm->cfg.cpus))
			return -EINVAL;
	}
	/* Another thread of the process may move mm->cpu meanwhile. */
	c = access_enter(vm, mm);
	serial = !vm->sched;	/* see access_as() */
	for (i = 0; i < n && r == VMSIM_ACCESS_OK; i++) {
		const struct vmsim_access_req *q = &reqs[i];
		uint64_t a = q->addr, last = q->addr + (q->size - 1);
		unsigned long pfn;

		/* A context switch only when the CPU changes. */
		if (q->cpu >= 0 && q->cpu != c->nr) {
			mm->vma_lock_retry &= ~(1ULL << c->nr);
			mm->cpu = q->cpu;
			c = access_enter(vm, mm);
		}
		for (;;) {
			/* A TLB hit needs no lock (see access_as()). */
			int hit = serial ? vmsim__tlb_hit(vm, c, a, acc[q->kind], &pfn) : 0;

			if (hit <= 0)
				r = c->loaded ? vmsim__cpu_translate(vm, c, a, acc[q->kind], &pfn, hit < 0) : -EINVAL;
			if (r != VMSIM_ACCESS_OK || (a & PAGE_MASK) == (last & PAGE_MASK))
				break;
			a = (a & PAGE_MASK) + PAGE_SIZE;
		}
	}
	mm->vma_lock_retry &= ~(1ULL << c->nr);
	vmsim__mm_op_done(vm);
	if (r < 0)
		return r;
	if (result)
		*result = r;
	return r == VMSIM_ACCESS_OK ? (long)i : (long)i - 1;
}
