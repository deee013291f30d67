/* A process's loads and stores: walk, fault, retry, with the hardware's
 * accessed/dirty updates and x86's access_error() rules.  Follows
 * arch/x86/mm/fault.c (do_user_addr_fault, access_error).  Until CPUs
 * cache translations, every access walks the page tables. */
#include <string.h>

#include "mm_internal.h"

#define MAX_FAULT_RETRIES 16

/* x86 access_error(): may this vma be accessed this way at all? */
static bool access_error(const struct vm_area_struct *vma, bool write)
{
	if (write)
		return !(vma->vm_flags & VM_WRITE);
	return !(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC));
}

/* What the MMU would do: a usable translation, with A (and D on a write)
 * set in the pte as the hardware sets them.  NULL: a page fault. */
static struct vmsim_page *hw_translate(struct vmsim_mm *mm, uint64_t addr, bool write)
{
	pte_t *ptep = vmsim__pte_lookup(mm, addr);
	pte_t pte, n;

	if (!ptep)
		return NULL;
	pte = ptep_get(ptep);
	if (!(pte_val(pte) & _PAGE_PRESENT) || !pte_user(pte) || (write && !pte_write(pte)))
		return NULL;
	n = pte_set_flags(pte, _PAGE_ACCESSED | (write ? _PAGE_DIRTY : 0));
	if (!pte_same(n, pte))
		vmsim__set_pte_at(mm, addr, ptep, n);
	return vmsim_pfn_to_page(mm->vm, pte_pfn(pte));
}

static int fault_in(struct vmsim_mm *mm, uint64_t addr, bool write, int cpu)
{
	struct vm_area_struct *vma = vmsim__find_vma(mm, addr);
	unsigned ret;

	if (!vma || access_error(vma, write))
		return VMSIM_SIGSEGV;
	ret = vmsim__handle_mm_fault(vma, addr, (write ? FAULT_FLAG_WRITE : 0) | FAULT_FLAG_USER, cpu);
	if (ret & VM_FAULT_SIGSEGV)
		return VMSIM_SIGSEGV;
	if (ret & (VM_FAULT_SIGBUS | VM_FAULT_HWPOISON | VM_FAULT_OOM))
		return VMSIM_SIGBUS;
	return 0;
}

int vmsim_access(struct vmsim_mm *mm, int cpu, uint64_t addr, void *buf, size_t len, bool write,
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
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	while (done < len) {
		uint64_t a = addr + done;
		size_t in = a & (PAGE_SIZE - 1), n = PAGE_SIZE - in;
		struct vmsim_page *p = NULL;
		int tries;

		if (n > len - done)
			n = len - done;
		for (tries = 0; tries < MAX_FAULT_RETRIES; tries++) {
			if (!vmsim_addr_canonical(mm->vm, a) || a >= vmsim_task_size(mm->vm)) {
				ret = VMSIM_SIGSEGV;
				break;
			}
			p = hw_translate(mm, a, write);
			if (p)
				break;
			ret = fault_in(mm, a, write, mm->cpu);
			if (ret)
				break;
		}
		if (!ret && !p) {
			VMSIM_BUG(mm->vm, "access to %#llx still faults after %d retries",
				  (unsigned long long)a, MAX_FAULT_RETRIES);
			ret = VMSIM_SIGBUS;
		}
		if (ret) {
			if (fault_addr)
				*fault_addr = a;
			break;
		}
		if (write)
			vmsim_frame_write(mm->vm, p, in, b + done, n);
		else
			vmsim_frame_read(mm->vm, p, in, b + done, n);
		done += n;
	}
	vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	vmsim__mm_check_after(mm->vm);
	return ret;
}
