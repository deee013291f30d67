/* Putting an entry of a named kind into every slot of a range: the general
 * form of madvise(MADV_GUARD_INSTALL).  Follows mm/madvise.c
 * madvise_guard_install() of Linux 6.18: install into none ptes, and when
 * the range holds anything else, zap it (details NULL: markers stay) and
 * try again.  When a zap leaves the same entries behind (a file vma's
 * uffd-wp state re-installed by zap_install_uffd_wp_if_needed()), Linux
 * retries forever (restart_syscall); the simulator stops and reports it. */
#include <stdio.h>
#include <string.h>

#include "mm_internal.h"

static bool is_own(struct vmsim *vm, const struct vmsim_kind *k, pte_t pte)
{
	if (pte_is_marker(pte) && k->marker)
		return (softleaf_to_marker(softleaf_from_pte(pte)) & k->marker) != 0;
	return vmsim__kind_of(vm, pte) == k;
}

static int make_entry(const struct vmsim_kind *k, struct vm_area_struct *vma, uint64_t addr,
		      const char *args, pte_t *out)
{
	if (k->ops->make)
		return k->ops->make(k, vma, addr, args, out);
	if (!k->marker || (args && *args))
		return -EINVAL;
	*out = make_pte_marker(k->marker);
	return 0;
}

int vmsim__kind_make(struct vm_area_struct *vma, uint64_t addr, const char *name, const char *args, pte_t *out)
{
	const struct vmsim_kind *k = vmsim_kind_lookup(vma->vm_mm->vm, name);

	return k ? make_entry(k, vma, addr, args, out) : -ENOENT;
}

/* One pass: install where the slot is none.  Returns 0 when every slot
 * now holds the kind's entry, 1 when something else is in the way (at
 * *blocker), or a negative errno. */
static int install_pass(struct vm_area_struct *vma, const struct vmsim_kind *k, uint64_t start, uint64_t end,
			const char *args, uint64_t *blocker)
{
	struct vmsim_mm *mm = vma->vm_mm;

	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		pmd_t *pmdp = vmsim__pmd_alloc(mm, a);
		struct vmsim_lock *ptl;
		pte_t *ptep, pte, entry;
		int err = 0;

		if (!pmdp)
			return -ENOMEM;
		/* guard_install_pmd_entry(): a PMD leaf must be zapped first. */
		if (pmd_trans_huge(pmdp_get(pmdp))) {
			*blocker = a;
			return 1;
		}
		ptep = vmsim__pte_alloc_at(mm, pmdp, a);
		if (!ptep)
			return -ENOMEM;
		ptl = vmsim__pte_lockptr(mm->vm, ptep);
		vmsim_lock(mm->vm, ptl);
		pte = ptep_get(ptep);
		if (pte_none(pte)) {
			err = make_entry(k, vma, a, args, &entry);
			if (!err) {
				vmsim__set_pte_at(mm, a, ptep, entry);
				vma->vm_kinds |= 1ULL << k->slot;
			}
		} else if (!is_own(mm->vm, k, pte)) {
			vmsim_unlock(mm->vm, ptl);
			*blocker = a;
			return 1;
		}
		vmsim_unlock(mm->vm, ptl);
		if (err)
			return err;
	}
	return 0;
}

/* A fingerprint of what is in the way, to tell a zap that made progress
 * from one that put the same entries back. */
static uint64_t blockers_hash(struct vm_area_struct *vma, const struct vmsim_kind *k, uint64_t start,
			      uint64_t end)
{
	uint64_t h = 0xcbf29ce484222325ULL;

	for (uint64_t a = start; a < end; a += PAGE_SIZE) {
		pmd_t *pmdp = vmsim__pmd_lookup(vma->vm_mm, a);
		pte_t *ptep = pmdp ? vmsim__pte_offset(vma->vm_mm, pmdp, a) : NULL;
		pte_t pte = ptep ? ptep_get(ptep) : __pte(0);

		if (pmdp && pmd_trans_huge(pmdp_get(pmdp)))
			pte = __pte(pmd_val(pmdp_get(pmdp)));
		if (pte_none(pte) || is_own(vma->vm_mm->vm, k, pte))
			continue;
		h = (h ^ a) * 0x100000001b3ULL;
		h = (h ^ pte_val(pte)) * 0x100000001b3ULL;
	}
	return h;
}

int vmsim__kind_install_range(struct vm_area_struct *vma, uint64_t start, uint64_t end, const char *name,
			      const char *args)
{
	struct vmsim_mm *mm = vma->vm_mm;
	const struct vmsim_kind *k = vmsim_kind_lookup(mm->vm, name);
	uint64_t blocker = 0;
	pte_t probe;
	int err;

	if (!k)
		return -ENOENT;
	/* Bad arguments change nothing. */
	err = make_entry(k, vma, start, args, &probe);
	if (err)
		return err;
	/* madvise_guard_install(): the range is no longer empty from a page
	 * table perspective, so fork must copy it (6.15-6.18: an anon_vma). */
	if ((k->ops->flags & VMSIM_KIND_ANON_VMA) && vmsim__anon_vma_prepare(vma))
		return -ENOMEM;
	for (;;) {
		struct mmu_notifier_range range;
		struct mmu_gather tlb;
		uint64_t before;

		err = install_pass(vma, k, start, end, args, &blocker);
		if (err <= 0)
			return err;
		before = blockers_hash(vma, k, start, end);
		/* zap_page_range_single(): MMU_NOTIFY_CLEAR. */
		mmu_notifier_range_init(&range, MMU_NOTIFY_CLEAR, 0, mm, start, end);
		vmsim__zap_begin(vma, &range.start, &range.end);
		tlb_gather_mmu(&tlb, mm, false);
		mmu_notifier_invalidate_range_start(&range);
		vmsim__zap_page_range(&tlb, vma, start, end, NULL);
		mmu_notifier_invalidate_range_end(&range);
		vmsim__zap_end(vma, NULL);
		tlb_finish_mmu(&tlb);
		if (blockers_hash(vma, k, start, end) == before) {
			pte_t *ptep = vmsim__pte_lookup(mm, blocker);
			char what[96] = "";

			if (ptep)
				vmsim_kind_describe(mm->vm, ptep_get(ptep), what, sizeof(what));
			VMSIM_BUG(mm->vm, "livelock: %s install (madvise_guard_install loop) at %#llx: "
				  "the zap leaves %s (%#llx) in place, so Linux retries forever",
				  k->ops->name, (unsigned long long)blocker, *what ? what : "a present pte",
				  ptep ? (unsigned long long)pte_val(ptep_get(ptep)) : 0ULL);
			return -EINTR;
		}
		/* Progress: Linux would go round again (at worst after
		 * MAX_MADVISE_GUARD_RETRIES, by restart_syscall()). */
	}
}

int vmsim_kind_install(struct vmsim_mm *mm, uint64_t addr, uint64_t len, const char *name, const char *args)
{
	uint64_t end, a;
	int err = 0, unmapped = 0;

	if (!mm || !name)
		return -EINVAL;
	if (!vmsim_kind_lookup(mm->vm, name))
		return -ENOENT;
	if ((addr & ~PAGE_MASK) || !len || (len & ~PAGE_MASK))
		return -EINVAL;
	end = addr + len;
	if (end < addr || end > mm->vm->task_size)
		return -EINVAL;
	vmsim__mm_enter(mm);
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	/* As madvise_walk_vmas(): a hole is -ENOMEM after the rest is done. */
	for (a = addr; a < end && !err;) {
		struct vm_area_struct *v = vmsim__find_vma(mm, a);
		uint64_t e;

		if (!v) {
			struct vm_area_struct *n;

			for (n = mm->mmap; n && n->vm_start <= a; n = n->next)
				;
			unmapped = 1;
			if (!n || n->vm_start >= end)
				break;
			a = n->vm_start;
			continue;
		}
		e = v->vm_end < end ? v->vm_end : end;
		if (v->vm_flags & (VM_LOCKED | VM_PFNMAP | VM_MIXEDMAP))
			err = -EINVAL;
		else
			err = vmsim__kind_install_range(v, a, e, name, args);
		a = e;
	}
	vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	vmsim__mm_op_done(mm->vm);
	if (err)
		return err;
	return unmapped ? -ENOMEM : 0;
}
