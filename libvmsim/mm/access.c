/* A process's loads and stores, through its CPU's MMU: TLB, hardware walk,
 * #PF into mm (mm.c's handler: x86 do_user_addr_fault + access_error),
 * retry.  Follows arch/x86/mm/fault.c. */
#include "mm_internal.h"

enum access_op { ACC_READ, ACC_WRITE, ACC_EXEC };

static int access_as(struct vmsim_mm *mm, int cpu, uint64_t addr, void *buf, size_t len, enum access_op op,
		     uint64_t *fault_addr)
{
	unsigned char *b = buf;
	size_t done = 0;
	int ret = 0, c;

	if (!mm || (!buf && len) || addr + len < addr)
		return -EINVAL;
	if (cpu < -1 || cpu >= (int)mm->vm->cfg.cpus)
		return -EINVAL;
	if (vmsim__mm_dead(mm))
		return VMSIM_ACCESS_SIGKILL;
	if (cpu >= 0)
		mm->cpu = cpu;
	/* Another thread of the process may move mm->cpu meanwhile. */
	c = mm->cpu;
	vmsim__mm_enter(mm);
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	while (done < len) {
		uint64_t a = addr + done;
		size_t n = PAGE_SIZE - (a & (PAGE_SIZE - 1));
		int r;

		if (n > len - done)
			n = len - done;
		r = op == ACC_WRITE ? vmsim_cpu_write(mm->vm, c, a, b + done, n)
		  : op == ACC_EXEC  ? vmsim_cpu_exec(mm->vm, c, a, b + done, n)
				    : vmsim_cpu_read(mm->vm, c, a, b + done, n);
		if (r == VMSIM_ACCESS_OK) {
			done += n;
			continue;
		}
		ret = r;
		if (fault_addr)
			*fault_addr = a;
		break;
	}
	vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	vmsim__mm_op_done(mm->vm);
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
	struct vmsim *vm;
	int r = VMSIM_ACCESS_OK, c;
	size_t i;

	if (!mm || (!reqs && n))
		return -EINVAL;
	vm = mm->vm;
	/* Checked whole first: a bad request runs nothing. */
	for (i = 0; i < n; i++) {
		if (reqs[i].kind > VMSIM_ACC_FETCH || !reqs[i].size ||
		    reqs[i].addr + (reqs[i].size - 1) < reqs[i].addr ||
		    reqs[i].cpu < -1 || reqs[i].cpu >= (int)vm->cfg.cpus)
			return -EINVAL;
	}
	/* Another thread of the process may move mm->cpu meanwhile. */
	c = mm->cpu;
	vmsim__mm_enter(mm);
	vmsim_lock_read(vm, &mm->mmap_lock);
	for (i = 0; i < n && r == VMSIM_ACCESS_OK; i++) {
		const struct vmsim_access_req *q = &reqs[i];
		uint64_t a = q->addr, last = q->addr + (q->size - 1);

		/* A context switch only when the CPU changes. */
		if (q->cpu >= 0 && q->cpu != c) {
			mm->cpu = c = q->cpu;
			vmsim__mm_enter(mm);
		}
		for (;;) {
			unsigned long pfn;

			r = vmsim_cpu_translate(vm, c, a, acc[q->kind], &pfn);
			if (r != VMSIM_ACCESS_OK || (a & PAGE_MASK) == (last & PAGE_MASK))
				break;
			a = (a & PAGE_MASK) + PAGE_SIZE;
		}
	}
	vmsim_unlock_read(vm, &mm->mmap_lock);
	vmsim__mm_op_done(vm);
	if (r < 0)
		return r;
	if (result)
		*result = r;
	return r == VMSIM_ACCESS_OK ? (long)i : (long)i - 1;
}
