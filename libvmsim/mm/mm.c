/* mm_struct: creation, exit (exit_mmap), the machine's list of processes,
 * unmap_mapping_range, and the vma page-protection rule.  Follows
 * kernel/fork.c (mm_init), mm/mmap.c (exit_mmap, vma_set_page_prot,
 * vma_wants_writenotify) and mm/memory.c (unmap_mapping_range). */
#include <utlist.h>

#include "mm_internal.h"
#include "../boot.h"

/* access_error(): true if the access may not be made; else the fault's
 * flags. */
static inline __attribute__((always_inline)) bool access_error(unsigned ec, const struct vm_area_struct *vma, unsigned *flags)
{
	if (ec & X86_PF_WRITE) {
		if (!(vma->vm_flags & VM_WRITE))
			return true;
		*flags |= FAULT_FLAG_WRITE;
	} else if (ec & X86_PF_INSTR) {
		if (!(vma->vm_flags & VM_EXEC))
			return true;
		*flags |= FAULT_FLAG_INSTRUCTION;
	} else if ((ec & X86_PF_PROT) || !(vma->vm_flags & (VM_READ | VM_WRITE | VM_EXEC))) {
		return true;
	}
	return false;
}

/* do_user_addr_fault()'s lock_mmap: the fault under mmap_lock for read. */
static VMSIM_NOINLINE unsigned fault_mmap_locked(struct vmsim_mm *mm, int cpu, uint64_t addr, unsigned ec,
						 unsigned flags)
{
	struct vm_area_struct *vma;
	unsigned fault;

	mm->vma_lock_retry &= ~(1ULL << cpu);
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	vma = vmsim__find_vma(mm, addr);
	if (!vma || access_error(ec, vma, &flags))
		fault = VM_FAULT_SIGSEGV;
	else
		fault = vmsim__handle_mm_fault(vma, addr, flags, cpu);
	vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	return fault;
}

/* do_user_addr_fault(): a CPU's #PF, for the process it runs.  First
 * under the per-VMA lock (lock_vma_under_rcu); without it, or after
 * VM_FAULT_RETRY under it, under mmap_lock for read.  A retry is the
 * CPU's: the access is made again (as after a retry under mmap_lock),
 * and its next fault takes mmap_lock (mm->vma_lock_retry). */
static int mm_fault_handler(struct vmsim *vm, int cpu, uint64_t addr, unsigned ec, void *arg)
{
	struct vmsim_mm_context *ctx = vmsim_cpu_loaded(vm, cpu);
	struct vmsim_mm *mm;
	struct vm_area_struct *vma;
	unsigned flags = FAULT_FLAG_USER;
	unsigned fault;

	(void)arg;
	if (!ctx)
		return VM_FAULT_SIGSEGV;
	mm = (struct vmsim_mm *)((char *)ctx - offsetof(struct vmsim_mm, ctx));
	if (__builtin_expect(mm->vma_lock_retry != 0, 0) && (mm->vma_lock_retry & (1ULL << cpu)))
		return (int)fault_mmap_locked(mm, cpu, addr, ec, flags);
	vma = vmsim__lock_vma_under_rcu(mm, addr);
	if (__builtin_expect(!vma, 0)) {
		mm->st.vma_lock_abort++;
		return (int)fault_mmap_locked(mm, cpu, addr, ec, flags);
	}
	if (access_error(ec, vma, &flags)) {
		vmsim__vma_end_read(vma);
		mm->st.vma_lock_success++;
		return VM_FAULT_SIGSEGV;
	}
	fault = vmsim__handle_mm_fault(vma, addr, flags | FAULT_FLAG_VMA_LOCK, cpu);
	if (__builtin_expect(!(fault & (VM_FAULT_RETRY | VM_FAULT_COMPLETED)), 1))
		vmsim__vma_end_read(vma);
	if (__builtin_expect(!(fault & VM_FAULT_RETRY), 1)) {
		mm->st.vma_lock_success++;
		return (int)(fault & ~VM_FAULT_COMPLETED);
	}
	mm->st.vma_lock_retry++;
	mm->vma_lock_retry |= 1ULL << cpu;
	return (int)fault;
}

void vmsim__mmap_assert(struct vmsim_mm *mm, bool write, const char *func)
{
	vmsim__lock_assert(mm->vm, &mm->mmap_lock, write, func);
}

int vmsim__mm_init(struct vmsim *vm)
{
	vm->mm_world = vmsim__calloc(vm, 1, sizeof(struct vmsim_mm_world));
	if (!vm->mm_world)
		return -ENOMEM;
	vmsim_set_fault_handler(vm, mm_fault_handler, NULL);
	/* hw calls mm back when a page's last reference goes and when an
	 * allocation that may sleep finds no free frame. */
	vm->page_release_hook = vmsim__folio_release;
	vm->alloc_slowpath = vmsim__alloc_slowpath;
	/* luf=on|debug: the allocator's and the CPUs' LUF hooks. */
	if (vmsim__luf_init(vm))
		return -ENOMEM;
	return vmsim__hugetlb_init(vm);
}

void vmsim__mm_set_uffd_hooks(struct vmsim *vm, const struct vmsim_uffd_hooks *h)
{
	vm->mm_world->uffd = h;
}

void vmsim__mm_set_dax_hooks(struct vmsim *vm, const struct vmsim_dax_hooks *h)
{
	vm->mm_world->dax = h;
}

void vmsim__mm_set_checker(struct vmsim *vm, void (*after)(struct vmsim *vm))
{
	vm->mm_world->check_after = after;
}

void vmsim__mm_set_folio_waiter(struct vmsim *vm, bool (*wait)(struct vmsim *vm, struct vmsim_page *p))
{
	vm->mm_world->folio_lock_wait = wait;
}

void vmsim__mm_exit(struct vmsim *vm)
{
	struct vmsim_mm *mm, *t;

	if (!vm->mm_world)
		return;
	LL_FOREACH_SAFE(mm_world(vm)->mms, mm, t)
		vmsim_mm_exit(mm);
	vmsim__migrations_exit(vm);
	vmsim__files_free_all(vm);
	vmsim__thp_exit(vm);
	vmsim__hugetlb_exit(vm);
	vmsim__swap_exit(vm);
	vmsim__hwpoison_exit(vm);
	vmsim__luf_exit(vm);
	vm->alloc_slowpath = NULL;
	vmsim__free(vm, vm->mm_world);
	vm->mm_world = NULL;
}

int vmsim_mm_new(struct vmsim *vm, struct vmsim_mm **out)
{
	struct vmsim_mm *mm;

	if (!vm || !out || !vm->mm_world)
		return -EINVAL;
	mm = vmsim__calloc(vm, 1, sizeof(*mm));
	if (!mm)
		return -ENOMEM;
	mm->vm = vm;
	if (vmsim_pgd_alloc(vm, &mm->pgd)) {
		vmsim__free(vm, mm);
		return -ENOMEM;
	}
	mm->id = ++mm_world(vm)->next_mm_id;
	vmsim_mm_context_init(vm, &mm->ctx, mm->pgd);
	mm->ctx.id = mm->id;
	vmsim_lock_init(&mm->mmap_lock, VMSIM_LOCK_MMAP);
	vmsim_lock_init(&mm->page_table_lock, VMSIM_LOCK_PAGE_TABLE);
	LL_APPEND(mm_world(vm)->mms, mm);
	*out = mm;
	return 0;
}

int vmsim_mm_id(const struct vmsim_mm *mm)
{
	if (!mm)
		return 0;
	return mm->id;
}

struct vmsim_mm_context *vmsim_mm_context(struct vmsim_mm *mm)
{
	return mm ? &mm->ctx : NULL;
}

struct vmsim *vmsim_mm_machine(const struct vmsim_mm *mm)
{
	if (!mm)
		return NULL;
	return mm->vm;
}

int vmsim_mm_cpu(const struct vmsim_mm *mm)
{
	if (!mm)
		return 0;
	return mm->cpu;
}

static void enter_on(struct vmsim_mm *mm, int cpu)
{
	if (vmsim_cpu_loaded(mm->vm, cpu) != &mm->ctx)
		vmsim_switch_mm(mm->vm, cpu, &mm->ctx);
	vmsim_set_cur_cpu(mm->vm, cpu);
}

int vmsim_mm_run(struct vmsim_mm *mm, int cpu)
{
	if (!mm || cpu < 0 || (unsigned)cpu >= mm->vm->cfg.cpus)
		return -EINVAL;
	mm->cpu = cpu;
	enter_on(mm, cpu);
	return 0;
}

/* A system call runs on the calling thread's CPU.  Serially that is the
 * process's CPU; in an interleaved block it is the running task's, since
 * another branch may have moved the process meanwhile (mm->cpu is the
 * CPU it last ran on, shared by its threads): a userfault handler's ioctl
 * on the faulting CPU switched the other task's CPU under it. */
void vmsim__mm_enter(struct vmsim_mm *mm)
{
	struct vmsim *vm = mm->vm;

	enter_on(mm, vm->sched && vm->cur_cpu >= 0 ? vm->cur_cpu : mm->cpu);
}

/* exit_mmap(): zap everything (markers too) and free the vmas; with
 * free_tables the page tables below the pgd go too (the OOM killer's
 * husk; exit frees them with the pgd).  The caller holds mm's mmap_lock
 * when locked (the OOM reaper's trylock), else no lock of mm. */
void vmsim__exit_mmap(struct vmsim_mm *mm, bool free_tables, bool locked)
{
	struct vmsim *vm = mm->vm;
	struct zap_details d = { .even_cows = true, .zap_flags = ZAP_FLAG_DROP_MARKER | ZAP_FLAG_UNMAP };
	struct mmu_notifier_range range;
	struct vm_area_struct *v, *t;
	struct mmu_gather tlb;

	if (!locked)
		vmsim__mmap_write_lock(mm);
	/* free_pgtables() write-locks each vma (the reaper's faulting
	 * threads are gone; here every vma at once, before the zap). */
	DL_FOREACH(mm->mmap, v)
		vmsim__vma_start_write(v);
	/* Secondary MMUs let go before any page is freed. */
	mmu_notifier_release(mm);
	tlb_gather_mmu(&tlb, mm, true);
	/* unmap_vmas(): one MMU_NOTIFY_UNMAP range over everything. */
	mmu_notifier_range_init(&range, MMU_NOTIFY_UNMAP, 0, mm, 0, ~0ULL);
	mmu_notifier_invalidate_range_start(&range);
	DL_FOREACH(mm->mmap, v) {
		uint64_t s = v->vm_start, e = v->vm_end;

		vmsim__zap_begin(v, &s, &e);
		vmsim__zap_page_range(&tlb, v, v->vm_start, v->vm_end, &d);
		vmsim__zap_end(v, &d);
	}
	mmu_notifier_invalidate_range_end(&range);
	/* free_pgtables(): every vma leaves the rmap (its anon_vma chains,
	 * the file's i_mmap, each under its lock) before a table goes, so
	 * that no rmap walk on another CPU reaches a freed table. */
	DL_FOREACH_SAFE(mm->mmap, v, t) {
		vmsim__unlink_anon_vmas(v);
		vmsim__vma_unlink(mm, v);
		vmsim__vma_free(vm, v);
	}
	if (free_tables)
		vmsim__free_pgtables(&tlb, 0, vmsim_task_size(vm) + PAGE_SIZE);
	else
		tlb_flush_mmu(&tlb);
	tlb_finish_mmu(&tlb);
	vmsim__mmap_write_unlock(mm);
	vmsim__userfaultfd_mm_exit(mm);
}

/* exit(): the address space, then the mm itself. */
void vmsim_mm_exit(struct vmsim_mm *mm)
{
	struct vmsim *vm;

	if (!mm)
		return;
	vm = mm->vm;
	vmsim__mm_enter(mm);
	if (!(mm->flags & MMF_OOM_REAPED))
		vmsim__exit_mmap(mm, false, false);
	if ((mm->flags & MMF_OOM_VICTIM) && !(mm->flags & MMF_OOM_REAPED))
		vm->mm_world->oom_pending--;
	/* No CPU may keep walking or caching the freed tables. */
	vmsim_mm_context_destroy(vm, &mm->ctx);
	vmsim__mmu_notifier_subscriptions_destroy(mm);
	vmsim_pgd_free(vm, mm->pgd);
	vmsim__luf_mm_exit(mm);
	LL_DELETE(mm_world(vm)->mms, mm);
	vmsim__free(vm, mm);
	vmsim__mm_op_done(vm);
}

/* vma_wants_writenotify(): must a write to a shared mapping fault first,
 * so the kernel learns the page got dirty? */
static bool wants_writenotify(const struct vm_area_struct *vma)
{
	if ((vma->vm_flags & (VM_WRITE | VM_SHARED)) != (VM_WRITE | VM_SHARED))
		return false;
	if (vma->vm_file && (vma->vm_file->kind == VMSIM_FILE_DISK || vma->vm_file->kind == VMSIM_FILE_DAX))
		return true;		/* ->page_mkwrite (ext4's, dax's) and writeback */
	if (!(vma->vm_flags & VM_SOFTDIRTY) && !is_vm_hugetlb_page(vma))
		return true;		/* soft-dirty tracking is on (hugetlb has none) */
	return userfaultfd_wp(vma);
}

/* vma_set_page_prot(): shared mappings that want write notification get
 * the private (read-only) protections. */
void vmsim__vma_set_page_prot(struct vm_area_struct *vma)
{
	unsigned long flags = vma->vm_flags;

	if (wants_writenotify(vma))
		flags &= ~VM_SHARED;
	vma->vm_page_prot = vmsim__vm_get_page_prot(flags);
}

/* unmap_mapping_range_tree(): zap [pgstart, pgend) of the file in every
 * vma that maps it, as d says; the caller holds i_mmap_rwsem. */
void vmsim__unmap_mapping_range_tree(struct vmsim_file *f, uint64_t pgstart, uint64_t pgend, struct zap_details *d)
{
	struct vm_area_struct *v;

	DL_FOREACH2(f->i_mmap, v, i_next) {
		uint64_t vs = v->vm_pgoff, ve = v->vm_pgoff + vma_pages(v);
		uint64_t s = pgstart > vs ? pgstart : vs, e = pgend < ve ? pgend : ve;
		struct mmu_notifier_range range;
		struct mmu_gather tlb;

		if (s >= e)
			continue;
		/* zap_page_range_single(): MMU_NOTIFY_CLEAR over the part. */
		mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, v->vm_mm, vma_address(v, s), vma_address(v, e));
		tlb_gather_mmu(&tlb, v->vm_mm, false);
		mmu_notifier_invalidate_range_start(&range);
		vmsim__zap_page_range(&tlb, v, vma_address(v, s), vma_address(v, e), d);
		mmu_notifier_invalidate_range_end(&range);
		tlb_finish_mmu(&tlb);
	}
}

static void unmap_mapping_range_tree(struct vmsim_file *f, uint64_t pgstart, uint64_t pgend, struct zap_details *d)
{
	vmsim_lock_read(f->vm, &f->i_mmap_rwsem);
	vmsim__unmap_mapping_range_tree(f, pgstart, pgend, d);
	vmsim_unlock_read(f->vm, &f->i_mmap_rwsem);
}

/* unmap_mapping_range(): zap [pgstart, pgend) of the file in every vma. */
void vmsim__unmap_mapping_range(struct vmsim_file *f, uint64_t pgstart, uint64_t pgend, bool even_cows)
{
	struct zap_details d = { .even_cows = even_cows };

	unmap_mapping_range_tree(f, pgstart, pgend, &d);
}

/* unmap_mapping_folio(): truncation found the folio still mapped (it was
 * mapped again after the unmap_mapping_range() that came first): zap its
 * ptes in every vma, and the uffd-wp markers over its index with them
 * (ZAP_FLAG_DROP_MARKER), private COW copies kept. */
void vmsim__unmap_mapping_folio(struct vmsim_file *f, struct vmsim_page *p)
{
	struct zap_details d = { .single_folio = p, .even_cows = false, .zap_flags = ZAP_FLAG_DROP_MARKER };

	unmap_mapping_range_tree(f, p->index, p->index + 1, &d);
}

/* Tables below t that mm_pgtables_bytes() counts: pud, pmd and pte tables
 * (Linux accounts neither the pgd nor p4d tables), with the pte tables
 * PMD leaves deposited (mm_inc_nr_ptes() goes with every
 * pgtable_trans_huge_deposit() of a new PMD leaf). */
static unsigned long count_pgtables(struct vmsim *vm, struct vmsim_page *t, int level)
{
	uint64_t *tab = vmsim_table(vm, t);
	unsigned long n = level <= VMSIM_LVL_PUD ? 1 : 0;

	if (level == VMSIM_LVL_PTE)
		return n;
	if (level == VMSIM_LVL_PMD) {
		const struct vmsim_page *d;

		DL_FOREACH(t->pmd_huge_pte, d)
			n++;
	}
	for (unsigned i = 0; i < PTRS_PER_PTE; i++) {
		uint64_t v = tab[i];

		if (!(v & _PAGE_PRESENT) || (level <= VMSIM_LVL_PUD && (v & _PAGE_PSE)))
			continue;
		n += count_pgtables(vm, vmsim_pfn_to_page(vm, (unsigned long)((v & PTE_PFN_MASK) >> PAGE_SHIFT)),
				    level - 1);
	}
	return n;
}

unsigned long vmsim__mm_pgtables(const struct vmsim_mm *mm)
{
	return count_pgtables(mm->vm, vmsim_pfn_to_page(mm->vm, mm->pgd),
			      mm->vm->cfg.levels == 5 ? VMSIM_LVL_PGD : VMSIM_LVL_P4D);
}

void vmsim_mm_stats(const struct vmsim_mm *mm, struct vmsim_mm_stats *st)
{
	if (!mm || !st)
		return;
	*st = mm->st;
	st->pgtable_pages = vmsim__mm_pgtables(mm);
	st->rss_anon = mm->rss[MM_ANONPAGES];
	st->rss_file = mm->rss[MM_FILEPAGES];
	st->rss_shmem = mm->rss[MM_SHMEMPAGES];
	st->swap_ents = mm->rss[MM_SWAPENTS];
	st->nr_vmas = mm->map_count;
}

int vmsim_mm_vma(const struct vmsim_mm *mm, unsigned idx, struct vmsim_vma_info *out)
{
	struct vm_area_struct *v;
	unsigned i = 0;

	if (!mm || !out)
		return -EINVAL;
	DL_FOREACH(mm->mmap, v) {
		if (i++ != idx)
			continue;
		out->start = v->vm_start;
		out->end = v->vm_end;
		out->flags = v->vm_flags;
		out->pgoff = v->vm_pgoff;
		out->file = v->vm_file ? v->vm_file->name : NULL;
		out->has_anon_vma = v->anon_vma != NULL;
		return 0;
	}
	return -ENOENT;
}

unsigned long vmsim_mm_pgd(const struct vmsim_mm *mm)
{
	if (!mm)
		return ~0UL;
	return mm->pgd;
}
