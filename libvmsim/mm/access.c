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
	int ret = 0;

	if (!mm || (!buf && len) || addr + len < addr)
		return -EINVAL;
	if (cpu < -1 || cpu >= (int)mm->vm->cfg.cpus)
		return -EINVAL;
	if (cpu >= 0)
		mm->cpu = cpu;
	vmsim__mm_enter(mm);
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	while (done < len) {
		uint64_t a = addr + done;
		size_t n = PAGE_SIZE - (a & (PAGE_SIZE - 1));
		int r;

		if (n > len - done)
			n = len - done;
		r = op == ACC_WRITE ? vmsim_cpu_write(mm->vm, mm->cpu, a, b + done, n)
		  : op == ACC_EXEC  ? vmsim_cpu_exec(mm->vm, mm->cpu, a, b + done, n)
				    : vmsim_cpu_read(mm->vm, mm->cpu, a, b + done, n);
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
