/* VMAs: lookup, link, split and merge.  Follows mm/vma.c (is_mergeable_vma,
 * can_vma_merge_before/after, __split_vma) and mm/mmap.c (vm_get_page_prot,
 * x86's protection_map).  A sorted list instead of the maple tree: the same
 * answers, fewer lines. */
#include <utlist.h>

#include "mm_internal.h"

/* arch/x86/mm/pgprot.c protection_map[], indexed by VM_READ|WRITE|EXEC|SHARED. */
pgprot_t vmsim__vm_get_page_prot(unsigned long vm_flags)
{
	static const pgprotval_t map[16] = {
		[VM_NONE] = _PAGE_ACCESSED | _PAGE_GLOBAL,	/* PAGE_NONE */
		[VM_READ] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX,
		[VM_WRITE] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX,
		[VM_WRITE | VM_READ] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX,
		[VM_EXEC] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
		[VM_EXEC | VM_READ] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
		[VM_EXEC | VM_WRITE] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
		[VM_EXEC | VM_WRITE | VM_READ] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
		[VM_SHARED] = _PAGE_ACCESSED | _PAGE_GLOBAL,
		[VM_SHARED | VM_READ] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX,
		[VM_SHARED | VM_WRITE] = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX,
		[VM_SHARED | VM_WRITE | VM_READ] = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED | _PAGE_NX,
		[VM_SHARED | VM_EXEC] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
		[VM_SHARED | VM_EXEC | VM_READ] = _PAGE_PRESENT | _PAGE_USER | _PAGE_ACCESSED,
		[VM_SHARED | VM_EXEC | VM_WRITE] = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED,
		[VM_SHARED | VM_EXEC | VM_WRITE | VM_READ] = _PAGE_PRESENT | _PAGE_RW | _PAGE_USER | _PAGE_ACCESSED,
	};

	return __pgprot(map[vm_flags & (VM_READ | VM_WRITE | VM_EXEC | VM_SHARED)]);
}

/* find_vma(): the vma containing addr, or NULL (unlike Linux's, not the next
 * one above: callers that want that walk the list). */
static inline struct vm_area_struct *find_vma(struct vmsim_mm *mm, uint64_t addr)
{
	struct vm_area_struct *v;

	DL_FOREACH(mm->mmap, v) {
		if (addr < v->vm_start)
			return NULL;
		if (addr < v->vm_end)
			return v;
	}
	return NULL;
}

static VMSIM_NOINLINE struct vm_area_struct *find_vma_asserted(struct vmsim_mm *mm, uint64_t addr)
{
	mmap_assert_locked(mm);
	return find_vma(mm, addr);
}

/* find_vma(), which Linux calls with mmap_lock held (mmap_assert_locked;
 * out of the way of check=off's fast path). */
struct vm_area_struct *vmsim__find_vma(struct vmsim_mm *mm, uint64_t addr)
{
	if (__builtin_expect(mm->vm->cfg.check != VMSIM_CHECK_OFF, 0))
		return find_vma_asserted(mm, addr);
	return find_vma(mm, addr);
}

struct vm_area_struct *vmsim__find_vma_rcu(struct vmsim_mm *mm, uint64_t addr)
{
	return find_vma(mm, addr);
}

bool vmsim__range_has_hole(struct vmsim_mm *mm, uint64_t start, uint64_t end)
{
	uint64_t a = start;
	struct vm_area_struct *v;

	DL_FOREACH(mm->mmap, v) {
		if (v->vm_end <= a)
			continue;
		if (v->vm_start > a)
			return true;
		a = v->vm_end;
		if (a >= end)
			return false;
	}
	return a < end;
}

struct vm_area_struct *vmsim__vma_alloc(struct vmsim_mm *mm)
{
	struct vm_area_struct *v = vmsim__calloc(mm->vm, 1, sizeof(*v));

	if (v) {
		v->vm_mm = mm;
		vmsim_lock_init(&v->vm_lock, VMSIM_LOCK_VMA);
		v->vm_lock_seq = ~0u;	/* vma_lock_init(): no mark */
	}
	return v;
}

void vmsim__vma_free(struct vmsim *vm, struct vm_area_struct *vma)
{
	/* vm_ops->close(): a hugetlb vma gives back what it reserved. */
	if (is_vm_hugetlb_page(vma) && vma->vm_private_data)
		vmsim__hugetlb_vm_close(vma);
	vmsim__free(vm, vma);
}

/* Insert by address; the file's i_mmap learns of it too (under its lock,
 * unless the caller holds it). */
static void vma_link(struct vmsim_mm *mm, struct vm_area_struct *vma, bool i_mmap_held)
{
	struct vm_area_struct *v, *after = NULL;

	/* vma_link(): a new vma is write-locked before it is in the tree
	 * (vma_start_write on a detached vma: a mark, no wait). */
	if (mm->mm_lock_seq & 1)
		vma->vm_lock_seq = mm->mm_lock_seq;
	DL_FOREACH(mm->mmap, v) {
		if (v->vm_start > vma->vm_start)
			break;
		after = v;
	}
	if (!after)
		DL_PREPEND(mm->mmap, vma);
	else if (!after->next)
		DL_APPEND(mm->mmap, vma);
	else
		DL_APPEND_ELEM(mm->mmap, after, vma);
	mm->map_count++;
	if (vma->vm_file) {
		vmsim__file_get(vma->vm_file);
		if (!i_mmap_held)
			vmsim_lock(mm->vm, &vma->vm_file->i_mmap_rwsem);
		DL_APPEND2(vma->vm_file->i_mmap, vma, i_prev, i_next);
		if (!i_mmap_held)
			vmsim_unlock(mm->vm, &vma->vm_file->i_mmap_rwsem);
	}
}

void vmsim__vma_link(struct vmsim_mm *mm, struct vm_area_struct *vma)
{
	vma_link(mm, vma, false);
}

void vmsim__vma_unlink(struct vmsim_mm *mm, struct vm_area_struct *vma)
{
	/* vma_mark_detached() asserts the vma is write-locked: no reader
	 * holds it or can take it. */
	if (mm->mm_lock_seq & 1)
		vmsim__vma_start_write(vma);
	DL_DELETE(mm->mmap, vma);
	vma->prev = vma->next = NULL;
	mm->map_count--;
	if (vma->vm_file) {
		vmsim_lock(mm->vm, &vma->vm_file->i_mmap_rwsem);
		DL_DELETE2(vma->vm_file->i_mmap, vma, i_prev, i_next);
		vmsim_unlock(mm->vm, &vma->vm_file->i_mmap_rwsem);
		vma->i_prev = vma->i_next = NULL;
		vmsim__file_put(vma->vm_file);
	}
}

/* __split_vma(): vma keeps [vm_start, addr), a new vma gets [addr, vm_end).
 * The new one shares the anon_vmas (anon_vma_clone), as in Linux. */
int vmsim__split_vma(struct vmsim_mm *mm, struct vm_area_struct *vma, uint64_t addr)
{
	struct vm_area_struct *n;

	mmap_assert_write_locked(mm);
	if (addr <= vma->vm_start || addr >= vma->vm_end || (addr & ~PAGE_MASK))
		return -EINVAL;
	/* __split_vma(): vma_start_write(vma); the new half is write-locked
	 * as it is linked. */
	vmsim__vma_start_write(vma);
	/* vm_ops->may_split: hugetlb vmas split only at a huge page boundary,
	 * and unshare the PMD tables the split leaves half covered. */
	if (is_vm_hugetlb_page(vma)) {
		int err = vmsim__hugetlb_split(vma, addr);

		if (err)
			return err;
	}
	/* A PUD range the split leaves half covered cannot stay shared
	 * (hugetlb_split()'s rule, for FS-DAX sharing too). */
	if (addr & ~PUD_MASK)
		vmsim__dax_unshare_range(vma, addr & PUD_MASK, (addr & PUD_MASK) + PUD_SIZE);
	/* vma_adjust_trans_huge(): a PMD leaf across the new boundary is split. */
	vmsim__vma_adjust_trans_huge(vma, addr);
	n = vmsim__vma_alloc(mm);
	if (!n)
		return -ENOMEM;
	n->vm_start = addr;
	n->vm_end = vma->vm_end;
	n->vm_flags = vma->vm_flags;
	n->vm_page_prot = vma->vm_page_prot;
	n->vm_file = vma->vm_file;
	n->vm_pgoff = vma->vm_pgoff + ((addr - vma->vm_start) >> PAGE_SHIFT);
	n->uffd_ctx = vma->uffd_ctx;
	n->vm_kinds = vma->vm_kinds;
	if (vmsim__anon_vma_clone(n, vma)) {
		vmsim__vma_free(mm->vm, n);
		return -ENOMEM;
	}
	if (is_vm_hugetlb_page(vma)) {
		/* vm_ops->open() on the new half. */
		n->vm_private_data = vma->vm_private_data;
		vmsim__hugetlb_vm_open(n, false);
	}
	vmsim__dax_vma_open(n);
	/* vma_prepare(): the file's rmap walkers (truncation, reclaim) see
	 * the vma whole or both halves, never the first half alone. */
	if (vma->vm_file)
		vmsim_lock(mm->vm, &vma->vm_file->i_mmap_rwsem);
	vma->vm_end = addr;
	vma_link(mm, n, true);
	if (vma->vm_file)
		vmsim_unlock(mm->vm, &vma->vm_file->i_mmap_rwsem);
	return 0;
}

/* vma_had_uncowed_parents(): a forked vma's anon_vma chain also names its
 * parent's anon_vma; joining others to it would spread that lock. */
static bool had_uncowed_parents(const struct vm_area_struct *v)
{
	return v->anon_vma && v->anon_vma_chain && v->anon_vma_chain->same_vma_next;
}

/* is_mergeable_vma() + is_mergeable_anon_vma() (6.18) + offset continuity. */
static bool can_merge(const struct vm_area_struct *a, const struct vm_area_struct *b)
{
	if (a->vm_end != b->vm_start)
		return false;
	if ((a->vm_flags ^ b->vm_flags) & ~VM_IGNORE_MERGE)
		return false;
	if (a->vm_file != b->vm_file || a->uffd_ctx != b->uffd_ctx)
		return false;
	/* hugetlb_vm_ops has ->close (is_mergeable_vma's vm_ops test): its
	 * vmas keep per-vma reservations and never merge here. */
	if (is_vm_hugetlb_page(a))
		return false;
	if (a->vm_pgoff + vma_pages(a) != b->vm_pgoff)
		return false;
	/* The same anon_vma (whatever the chains), or one side has none and
	 * the other did not inherit its anon_vma at fork. */
	if (a->anon_vma && b->anon_vma)
		return a->anon_vma == b->anon_vma;
	if (a->anon_vma || b->anon_vma)
		return !had_uncowed_parents(a->anon_vma ? a : b);
	return true;
}

/* Fold b into a (a precedes b).  b's avcs go; its pages already point at
 * the common anon_vma.  False, and nothing changed, when a cannot get b's
 * anon_vma (dup_anon_vma failing: vma_expand gives up, mmap_region then
 * maps a vma of its own). */
static bool merge_into(struct vmsim_mm *mm, struct vm_area_struct *a, struct vm_area_struct *b)
{
	/* vma_prepare(): both are write-locked before either changes. */
	vmsim__vma_start_write(a);
	vmsim__vma_start_write(b);
	if (!a->anon_vma && b->anon_vma && vmsim__anon_vma_clone(a, b))
		return false;
	a->vm_end = b->vm_end;
	a->vm_flags |= b->vm_flags & VM_SOFTDIRTY;
	vmsim__unlink_anon_vmas(b);
	vmsim__vma_unlink(mm, b);
	vmsim__vma_free(mm->vm, b);
	return true;
}

/* vma_merge_existing_range()/vma_merge_new_range(): join with neighbours
 * where they can (a merge that finds no memory is not made). */
void vmsim__vma_try_merge(struct vmsim_mm *mm, struct vm_area_struct *vma)
{
	struct vm_area_struct *prev = vma == mm->mmap ? NULL : vma->prev;
	struct vm_area_struct *next = vma->next;

	mmap_assert_write_locked(mm);
	if (next && can_merge(vma, next))
		merge_into(mm, vma, next);
	if (prev && can_merge(prev, vma))
		merge_into(mm, prev, vma);
}
