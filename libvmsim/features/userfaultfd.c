/* userfaultfd: contexts, (un)registration, UFFDIO_COPY/ZEROPAGE/CONTINUE/
 * WRITEPROTECT, handle_userfault, and the fork/remove/unmap events.
 * Follows fs/userfaultfd.c, mm/userfaultfd.c (mfill_atomic*,
 * mwriteprotect_range, uffd_wp_range), include/linux/userfaultfd_k.h
 * (vma_can_userfault, userfaultfd_wp_use_markers) and mm_inline.h
 * (pte_install_uffd_wp_if_needed) of Linux 6.12-6.18, with hugetlb vmas
 * (mfill_atomic_hugetlb: whole huge pages; mm/hugetlb.c installs them).
 * Simplified: no UFFDIO_MOVE, no EVENT_REMAP (mremap drops the
 * registration of the moved range, as Linux does without it), no
 * mmap_changing (operations never interleave). */
#include <string.h>
#include <utlist.h>

#include "../mm/mm_internal.h"
#include "../boot.h"

#define MMAP_MIN_ADDR 65536UL	/* the usual vm.mmap_min_addr */

struct vmsim_uffd {
	struct vmsim_mm *mm;
	uint64_t features;
	vmsim_uffd_handler_fn fn;
	void *arg;
	struct vmsim_uffd *next;
};

struct vmsim_uffd_unmap {
	struct vmsim_uffd *ctx;
	uint64_t start, end;
	struct vmsim_uffd_unmap *next;
};

struct vmsim_uffd_fork {
	struct vmsim_uffd *parent, *child;
	struct vmsim_uffd_fork *next;
};

static struct vmsim_uffd *ctx_of(const struct vm_area_struct *vma)
{
	return vma->uffd_ctx;
}

int vmsim_uffd_open(struct vmsim_mm *mm, uint64_t features, struct vmsim_uffd **out)
{
	struct vmsim_uffd *ctx;

	if (!mm || !out || (features & ~VMSIM_UFFD_FEATURES))
		return -EINVAL;
	/* UFFDIO_API: WP_ASYNC implies WP_UNPOPULATED. */
	if (features & UFFD_FEATURE_WP_ASYNC)
		features |= UFFD_FEATURE_WP_UNPOPULATED;
	ctx = vmsim__calloc(mm->vm, 1, sizeof(*ctx));
	if (!ctx)
		return -ENOMEM;
	ctx->mm = mm;
	ctx->features = features;
	LL_APPEND(mm->uffds, ctx);
	*out = ctx;
	return 0;
}

void vmsim_uffd_set_handler(struct vmsim_uffd *ctx, vmsim_uffd_handler_fn fn, void *arg)
{
	if (!ctx)
		return;
	ctx->fn = fn;
	ctx->arg = arg;
}

void *vmsim_uffd_handler_arg(const struct vmsim_uffd *ctx)
{
	if (!ctx)
		return NULL;
	return ctx->arg;
}

uint64_t vmsim_uffd_features(const struct vmsim_uffd *ctx)
{
	if (!ctx)
		return 0;
	return ctx->features;
}

struct vmsim_mm *vmsim_uffd_mm(const struct vmsim_uffd *ctx)
{
	if (!ctx)
		return NULL;
	return ctx->mm;
}

static int deliver(struct vmsim_uffd *ctx, const struct vmsim_uffd_msg *msg)
{
	if (!ctx->fn)
		return VMSIM_UFFD_SIGBUS;
	return ctx->fn(ctx->arg, ctx, msg);
}

/* ---- queries mm asks ---- */

static bool uffd_wp_async(const struct vm_area_struct *vma)
{
	return ctx_of(vma) && (ctx_of(vma)->features & UFFD_FEATURE_WP_ASYNC);
}

/* Markers on none ptes: file memory always; anonymous with WP_UNPOPULATED. */
static bool uffd_wp_use_markers(const struct vm_area_struct *vma)
{
	if (!userfaultfd_wp(vma))
		return false;
	if (!vma_is_anonymous(vma))
		return true;
	return ctx_of(vma) && (ctx_of(vma)->features & UFFD_FEATURE_WP_UNPOPULATED);
}

/* vma_has_uffd_without_event_remap() */
static bool uffd_without_event_remap(const struct vm_area_struct *vma)
{
	return ctx_of(vma) && !(ctx_of(vma)->features & UFFD_FEATURE_EVENT_REMAP);
}

/* handle_userfault(): tell the handler and wait (here: call it, with
 * mmap_lock dropped as Linux drops it), then let the fault be retried. */
static unsigned handle_userfault(struct vm_fault *vmf, unsigned long reason)
{
	struct vm_area_struct *vma = vmf->vma;
	struct vmsim_uffd *ctx = ctx_of(vma);
	struct vmsim_mm *mm = vma->vm_mm;
	struct vmsim_uffd_msg msg = { .event = UFFD_EVENT_PAGEFAULT, .address = vmf->address };
	bool relock;
	int r;

	if (!ctx)
		return VM_FAULT_SIGBUS;
	if (vmf->flags & FAULT_FLAG_WRITE)
		msg.flags |= UFFD_PAGEFAULT_FLAG_WRITE;
	if (reason & VM_UFFD_WP)
		msg.flags |= UFFD_PAGEFAULT_FLAG_WP;
	if (reason & VM_UFFD_MINOR)
		msg.flags |= UFFD_PAGEFAULT_FLAG_MINOR;
	vmsim__trace(mm->vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vmf->cpu,
			  .addr = vmf->address, .why = "handle_userfault" });
	/* pte_unmap_unlock() first: the handler will change this table. */
	if (vmf->ptl) {
		vmsim_unlock(mm->vm, vmf->ptl);
		vmf->ptl = NULL;
	}
	/* release_fault_lock().  Under the per-VMA lock the fault ends
	 * here: the vma may be gone once the handler has run (a handler's
	 * SIGBUS is then VM_FAULT_COMPLETED, nothing left to release). */
	if (vmf->flags & FAULT_FLAG_VMA_LOCK) {
		vmsim__vma_end_read(vma);
		r = deliver(ctx, &msg);
		return r == VMSIM_UFFD_SIGBUS ? VM_FAULT_SIGBUS | VM_FAULT_COMPLETED : VM_FAULT_RETRY;
	}
	/* Under mmap_lock it is taken again for the caller to drop. */
	relock = vmsim_lock_held(&mm->mmap_lock) && !vmsim_lock_held_write(&mm->mmap_lock);
	if (relock)
		vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	r = deliver(ctx, &msg);
	if (relock)
		vmsim_lock_read(mm->vm, &mm->mmap_lock);
	return r == VMSIM_UFFD_SIGBUS ? VM_FAULT_SIGBUS : VM_FAULT_RETRY;
}

/* ---- events ---- */

static void uffd_remove(struct vm_area_struct *vma, uint64_t start, uint64_t end)
{
	struct vmsim_uffd *ctx = ctx_of(vma);
	struct vmsim_uffd_msg msg = { .event = UFFD_EVENT_REMOVE, .start = start, .end = end };

	if (!ctx || !(ctx->features & UFFD_FEATURE_EVENT_REMOVE))
		return;
	deliver(ctx, &msg);
}

/* mremap_userfaultfd_prep(): with EVENT_REMAP the moved vma stays
 * registered and its context is told after the move; without it the new
 * vma is not registered (userfaultfd_reset_ctx). */
static void *uffd_remap_prep(struct vm_area_struct *nv, const struct vm_area_struct *vma)
{
	struct vmsim_uffd *ctx = ctx_of(vma);

	if (ctx && (ctx->features & UFFD_FEATURE_EVENT_REMAP)) {
		nv->uffd_ctx = ctx;
		nv->vm_flags = (nv->vm_flags & ~__VM_UFFD_FLAGS) | (vma->vm_flags & __VM_UFFD_FLAGS);
		return ctx;
	}
	nv->uffd_ctx = NULL;
	nv->vm_flags &= ~__VM_UFFD_FLAGS;
	return NULL;
}

/* mremap_userfaultfd_complete(): UFFD_EVENT_REMAP, from, to, len. */
static void uffd_remap_complete(void *c, uint64_t from, uint64_t to, uint64_t len)
{
	struct vmsim_uffd_msg msg = { .event = UFFD_EVENT_REMAP, .start = from, .end = from + len, .to = to };

	deliver(c, &msg);
}

/* userfaultfd_unmap_prep(): one event per context per munmap call. */
static void uffd_unmap_prep(struct vm_area_struct *vma, uint64_t start, uint64_t end,
				   struct vmsim_uffd_unmap **list)
{
	struct vmsim_uffd *ctx = ctx_of(vma);
	struct vmsim_uffd_unmap *u;

	if (!ctx || !(ctx->features & UFFD_FEATURE_EVENT_UNMAP))
		return;
	LL_FOREACH(*list, u)
		if (u->ctx == ctx && u->start == start && u->end == end)
			return;
	u = vmsim__calloc(vma->vm_mm->vm, 1, sizeof(*u));
	if (!u)
		return;
	u->ctx = ctx;
	u->start = start;
	u->end = end;
	LL_APPEND(*list, u);
}

static void uffd_unmap_complete(struct vmsim *vm, struct vmsim_uffd_unmap *list)
{
	struct vmsim_uffd_unmap *u, *t;

	LL_FOREACH_SAFE(list, u, t) {
		struct vmsim_uffd_msg msg = { .event = UFFD_EVENT_UNMAP, .start = u->start, .end = u->end };

		deliver(u->ctx, &msg);
		vmsim__free(vm, u);
	}
}

/* dup_userfaultfd(): without EVENT_FORK the child loses every uffd flag;
 * with it, each parent context gets one child context (same features and
 * handler), announced to the parent after the fork. */
static int dup_userfaultfd(struct vm_area_struct *vma, struct vm_area_struct *pvma, struct vmsim_uffd_fork **list)
{
	struct vmsim_uffd *octx = ctx_of(pvma);
	struct vmsim_uffd_fork *f;

	if (!octx || !(octx->features & UFFD_FEATURE_EVENT_FORK)) {
		vma->uffd_ctx = NULL;
		vma->vm_flags &= ~__VM_UFFD_FLAGS;
		return 0;
	}
	LL_FOREACH(*list, f) {
		if (f->parent == octx) {
			vma->uffd_ctx = f->child;
			return 0;
		}
	}
	f = vmsim__calloc(vma->vm_mm->vm, 1, sizeof(*f));
	if (!f)
		return -ENOMEM;
	if (vmsim_uffd_open(vma->vm_mm, octx->features, &f->child)) {
		vmsim__free(vma->vm_mm->vm, f);
		return -ENOMEM;
	}
	f->child->fn = octx->fn;
	f->child->arg = octx->arg;
	f->parent = octx;
	LL_APPEND(*list, f);
	vma->uffd_ctx = f->child;
	return 0;
}

static void dup_userfaultfd_complete(struct vmsim *vm, struct vmsim_uffd_fork *list, struct vmsim_mm *child)
{
	struct vmsim_uffd_fork *f, *t;

	LL_FOREACH_SAFE(list, f, t) {
		struct vmsim_uffd_msg msg = { .event = UFFD_EVENT_FORK, .child = f->child, .child_mm = child };

		deliver(f->parent, &msg);
		vmsim__free(vm, f);
	}
}

static void dup_userfaultfd_fail(struct vmsim *vm, struct vmsim_uffd_fork *list)
{
	struct vmsim_uffd_fork *f, *t;

	LL_FOREACH_SAFE(list, f, t)
		vmsim__free(vm, f);
}

static void uffd_mm_exit(struct vmsim_mm *mm)
{
	struct vmsim_uffd *ctx, *t;

	LL_FOREACH_SAFE(mm->uffds, ctx, t) {
		LL_DELETE(mm->uffds, ctx);
		vmsim__free(mm->vm, ctx);
	}
}

/* ---- registration ---- */

static int validate_range(struct vmsim_mm *mm, uint64_t start, uint64_t len)
{
	uint64_t ts = vmsim_task_size(mm->vm);

	if ((start & ~PAGE_MASK) || (len & ~PAGE_MASK) || !len)
		return -EINVAL;
	if (start < MMAP_MIN_ADDR || start >= ts || len > ts - start)
		return -EINVAL;
	return 0;
}

/* Every ioctl's first checks: an open context, a page-aligned range. */
static int range_ok(const struct vmsim_uffd *ctx, uint64_t start, uint64_t len)
{
	return ctx ? validate_range(ctx->mm, start, len) : -EBADF;
}

/* vma_can_userfault() */
static bool vma_can_userfault(const struct vm_area_struct *vma, unsigned long vm_flags, bool wp_async)
{
	vm_flags &= __VM_UFFD_FLAGS;
	if ((vm_flags & VM_UFFD_MINOR) && !vma_is_shmem(vma) && !is_vm_hugetlb_page(vma))
		return false;
	if (wp_async && vm_flags == VM_UFFD_WP)
		return true;
	return vma_is_anonymous(vma) || vma_is_shmem(vma) || is_vm_hugetlb_page(vma);
}

/* Give [start, end) of vma its own vma, splitting where needed. */
static struct vm_area_struct *isolate(struct vmsim_mm *mm, struct vm_area_struct *vma, uint64_t start,
				      uint64_t end)
{
	if (start > vma->vm_start) {
		if (vmsim__split_vma(mm, vma, start))
			return NULL;
		vma = vma->next;
	}
	if (end < vma->vm_end && vmsim__split_vma(mm, vma, end))
		return NULL;
	return vma;
}

/* userfaultfd_set_vm_flags(): shared mappings switch write-notify with wp. */
static void set_vm_flags(struct vm_area_struct *vma, unsigned long flags)
{
	bool wp_changed = (vma->vm_flags ^ flags) & VM_UFFD_WP;

	vmsim__vma_start_write(vma);	/* vm_flags_reset() */
	vma->vm_flags = flags;
	if ((vma->vm_flags & VM_SHARED) && wp_changed)
		vmsim__vma_set_page_prot(vma);
}

static long wp_range(struct vm_area_struct *vma, uint64_t start, uint64_t end, bool enable)
{
	unsigned long cp = enable ? MM_CP_UFFD_WP : MM_CP_UFFD_WP_RESOLVE;
	struct mmu_gather tlb;
	long ret;

	/* vma_wants_manual_pte_write_upgrade() */
	if (!enable && (vma->vm_flags & VM_WRITE) &&
	    (!(vma->vm_flags & VM_SHARED) ||
	     vma->vm_page_prot.pgprot != vmsim__vm_get_page_prot(vma->vm_flags).pgprot))
		cp |= MM_CP_TRY_CHANGE_WRITABLE;
	tlb_gather_mmu(&tlb, vma->vm_mm, false);
	ret = vmsim__change_protection(&tlb, vma, start, end, cp);
	tlb_finish_mmu(&tlb);
	return ret;
}

int vmsim_uffd_register(struct vmsim_uffd *ctx, uint64_t start, uint64_t len, uint64_t modes)
{
	struct vmsim_mm *mm;
	struct vm_area_struct *v;
	unsigned long vm_flags = 0;
	bool wp_async, found = false;
	uint64_t end;
	int err = 0;

	err = range_ok(ctx, start, len);
	if (err)
		return err;
	mm = ctx->mm;
	if (!modes || (modes & ~(UFFDIO_REGISTER_MODE_MISSING | UFFDIO_REGISTER_MODE_WP | UFFDIO_REGISTER_MODE_MINOR)))
		return -EINVAL;
	if (modes & UFFDIO_REGISTER_MODE_MISSING)
		vm_flags |= VM_UFFD_MISSING;
	if (modes & UFFDIO_REGISTER_MODE_WP)
		vm_flags |= VM_UFFD_WP;
	if (modes & UFFDIO_REGISTER_MODE_MINOR)
		vm_flags |= VM_UFFD_MINOR;
	end = start + len;
	wp_async = ctx->features & UFFD_FEATURE_WP_ASYNC;
	vmsim__mm_enter(mm);
	vmsim__mmap_write_lock(mm);
	/* Every vma in the range must accept it (holes are fine). */
	err = -EINVAL;
	DL_FOREACH(mm->mmap, v) {
		if (v->vm_end <= start || v->vm_start >= end)
			continue;
		found = true;
		if (!vma_can_userfault(v, vm_flags, wp_async)) {
			err = -EINVAL;
			goto out;
		}
		if (!(v->vm_flags & VM_MAYWRITE)) {
			err = -EPERM;
			goto out;
		}
		if (v->uffd_ctx && v->uffd_ctx != ctx) {
			err = -EBUSY;
			goto out;
		}
		/* A hugetlb vma is registered by whole huge pages. */
		if (is_vm_hugetlb_page(v) && (((start > v->vm_start ? start : v->vm_start) & ~PMD_MASK) ||
					      (end < v->vm_end && (end & ~PMD_MASK)))) {
			err = -EINVAL;
			goto out;
		}
	}
	if (!found)
		goto out;
	err = 0;
	for (v = mm->mmap; v && !err; v = v ? v->next : NULL) {
		uint64_t s, e;

		if (v->vm_end <= start)
			continue;
		if (v->vm_start >= end)
			break;
		if (v->uffd_ctx == ctx && (v->vm_flags & vm_flags) == vm_flags)
			continue;
		s = v->vm_start > start ? v->vm_start : start;
		e = v->vm_end < end ? v->vm_end : end;
		v = isolate(mm, v, s, e);
		if (!v) {
			err = -ENOMEM;
			break;
		}
		set_vm_flags(v, (v->vm_flags & ~__VM_UFFD_FLAGS) | vm_flags);
		v->uffd_ctx = ctx;
		/* uffd_disable_huge_pmd_share(): wp and minor handlers must see
		 * their own page tables. */
		if (is_vm_hugetlb_page(v) && (v->vm_flags & (VM_UFFD_WP | VM_UFFD_MINOR)))
			vmsim__hugetlb_unshare_all_pmds(v);
	}
	/* vma_modify_flags_uffd() merges what now matches its neighbours. */
	for (uint64_t a = start; !err && a < end;) {
		v = vmsim__find_vma(mm, a);
		if (!v) {
			/* A hole: on to the next vma, not page by page (a range
			 * may span the whole address space). */
			DL_FOREACH(mm->mmap, v)
				if (v->vm_start > a)
					break;
			if (!v)
				break;
			a = v->vm_start;
			continue;
		}
		a = v->vm_end;
		vmsim__vma_try_merge(mm, v);
	}
out:
	vmsim__mmap_write_unlock(mm);
	vmsim__mm_op_done(mm->vm);
	return err;
}

/* userfaultfd_clear_vma(): drop the flags, and every uffd-wp bit and
 * marker the range still carries. */
static void clear_vma(struct vm_area_struct *v, uint64_t s, uint64_t e)
{
	if (userfaultfd_wp(v))
		wp_range(v, s, e, false);
	set_vm_flags(v, v->vm_flags & ~__VM_UFFD_FLAGS);
	v->uffd_ctx = NULL;
}

int vmsim_uffd_unregister(struct vmsim_uffd *ctx, uint64_t start, uint64_t len)
{
	struct vmsim_mm *mm;
	struct vm_area_struct *v;
	uint64_t end;
	bool wp_async;
	int err;

	err = range_ok(ctx, start, len);
	if (err)
		return err;
	mm = ctx->mm;
	end = start + len;
	wp_async = ctx->features & UFFD_FEATURE_WP_ASYNC;
	vmsim__mm_enter(mm);
	vmsim__mmap_write_lock(mm);
	DL_FOREACH(mm->mmap, v) {
		if (v->vm_end <= start || v->vm_start >= end)
			continue;
		if (!vma_can_userfault(v, v->vm_flags, wp_async)) {
			err = -EINVAL;
			goto out;
		}
	}
	for (v = mm->mmap; v && !err; v = v ? v->next : NULL) {
		uint64_t s, e;

		if (v->vm_end <= start)
			continue;
		if (v->vm_start >= end)
			break;
		if (!v->uffd_ctx)
			continue;
		s = v->vm_start > start ? v->vm_start : start;
		e = v->vm_end < end ? v->vm_end : end;
		v = isolate(mm, v, s, e);
		if (!v) {
			err = -ENOMEM;
			break;
		}
		clear_vma(v, s, e);
		vmsim__vma_try_merge(mm, v);
		v = vmsim__find_vma(mm, s);
	}
out:
	vmsim__mmap_write_unlock(mm);
	vmsim__mm_op_done(mm->vm);
	return err;
}

void vmsim_uffd_close(struct vmsim_uffd *ctx)
{
	struct vmsim_mm *mm;
	struct vm_area_struct *v;

	if (!ctx)
		return;
	mm = ctx->mm;
	vmsim__mmap_write_lock(mm);
	/* userfaultfd_release_all(): each vma of ctx is cleared and merged
	 * with its neighbours where it now can be (userfaultfd_clear_vma). */
	for (v = mm->mmap; v; v = v->next) {
		uint64_t start = v->vm_start;

		if (v->uffd_ctx != ctx)
			continue;
		clear_vma(v, v->vm_start, v->vm_end);
		vmsim__vma_try_merge(mm, v);
		v = vmsim__find_vma(mm, start);
	}
	vmsim__mmap_write_unlock(mm);
	LL_DELETE(mm->uffds, ctx);
	vmsim__free(mm->vm, ctx);
}

/* ---- UFFDIO_WRITEPROTECT ---- */

int vmsim_uffd_writeprotect(struct vmsim_uffd *ctx, uint64_t start, uint64_t len, bool wp)
{
	struct vmsim_mm *mm;
	struct vm_area_struct *v;
	uint64_t end;
	int err;

	err = range_ok(ctx, start, len);
	if (err)
		return err;
	mm = ctx->mm;
	end = start + len;
	vmsim__mm_enter(mm);
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	err = -ENOENT;
	DL_FOREACH(mm->mmap, v) {
		uint64_t s, e;

		if (v->vm_end <= start || v->vm_start >= end)
			continue;
		if (!userfaultfd_wp(v)) {
			err = -ENOENT;
			break;
		}
		s = v->vm_start > start ? v->vm_start : start;
		e = v->vm_end < end ? v->vm_end : end;
		/* mwriteprotect_range(): a failure (no page table for the
		 * markers) ends it with that error. */
		if (wp_range(v, s, e, wp) < 0) {
			err = -ENOMEM;
			break;
		}
		err = 0;
	}
	vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	vmsim__mm_op_done(mm->vm);
	return err;
}

/* ---- mfill: COPY, ZEROPAGE, CONTINUE, POISON ---- */

enum mfill_mode { MFILL_COPY, MFILL_ZEROPAGE, MFILL_CONTINUE, MFILL_POISON };

/* mfill_atomic_install_pte() */
static int install_pte(struct vm_area_struct *vma, uint64_t addr, pte_t *ptep, struct vmsim_page *p,
		       bool in_cache, bool wp)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_lock *ptl = vmsim__pte_lockptr(vm, ptep);
	bool writable = (vma->vm_flags & VM_WRITE) && !(in_cache && !(vma->vm_flags & VM_SHARED));
	pte_t pte = pte_mkdirty(pfn_pte(vmsim_page_to_pfn(vm, p), vma->vm_page_prot));

	if (writable)
		pte = pte_mkwrite(pte);
	if (wp)
		pte = pte_mkuffd_wp(pte);
	/* The check that counts is under the table's lock: two threads'
	 * ioctls for one page (two faults answered at once) must not both
	 * install it. */
	vmsim_lock(vm, ptl);
	if (!pte_none_mostly(ptep_get(ptep))) {
		vmsim_unlock(vm, ptl);
		return -EEXIST;
	}
	/* A writable pte without a fault: LUF's mkwrite point. */
	if (writable)
		vmsim__luf_flush_vma(vma, VMSIM_LUF_PT_MKWRITE);
	if (in_cache) {
		vmsim__folio_add_file_rmap(vma, p);
	} else {
		vmsim__folio_add_new_anon_rmap(vma, p, addr);
		vmsim__folio_add_lru_vma(vma, p);
	}
	vmsim__set_pte_at(vma->vm_mm, addr, ptep, pte);
	vmsim_unlock(vm, ptl);
	return 0;
}

static int fill_page(struct vmsim *vm, struct vmsim_page *p, const unsigned char *src, int byte)
{
	if (src)
		return vmsim_frame_write(vm, p, 0, src, PAGE_SIZE);
	vmsim_frame_fill(vm, p, 0, byte, PAGE_SIZE);
	return 0;
}

static int mfill_one(struct vm_area_struct *vma, uint64_t addr, enum mfill_mode mode,
		     const unsigned char *src, int byte, bool wp)
{
	struct vmsim *vm = vma->vm_mm->vm;
	pmd_t *pmdp = vmsim__pmd_alloc(vma->vm_mm, addr);
	struct vmsim_page *p;
	pte_t *ptep;
	int err;

	if (!pmdp)
		return -ENOMEM;
	/* mfill_atomic(): a THP already maps the range. */
	if (pmd_trans_huge(pmdp_get(pmdp)))
		return -EEXIST;
	ptep = vmsim__pte_alloc_at(vma->vm_mm, pmdp, addr);
	if (!ptep)
		return -ENOMEM;
	if (mode == MFILL_POISON) {
		/* mfill_atomic_pte_poison(): refuse to overwrite any pte, even
		 * a marker; the entry is the poison kind's. */
		struct vmsim_lock *ptl = vmsim__pte_lockptr(vm, ptep);
		pte_t entry;

		err = vmsim__kind_make(vma, addr, "poison", NULL, &entry);
		if (err)
			return err;
		vmsim_lock(vm, ptl);
		err = -EEXIST;
		if (pte_none(ptep_get(ptep))) {
			vmsim__set_pte_at(vma->vm_mm, addr, ptep, entry);
			vmsim__kind_note_vma(vma, entry);
			err = 0;
		}
		vmsim_unlock(vm, ptl);
		return err;
	}
	if (mode == MFILL_CONTINUE) {
		/* The page must already be in the page cache (shmem_get_folio
		 * with SGP_NOALLOC: a swapped-out page is brought back). */
		uint64_t pgoff = linear_page_index(vma, addr);

		/* shmem_get_folio() returns it locked, the lock held until
		 * the pte is in (mfill_atomic_pte_continue): a page that
		 * left the cache meanwhile (truncation, swap-out) is looked
		 * up again. */
		for (;;) {
			err = vmsim__shmem_get_noalloc(vma->vm_file, pgoff, &p);
			if (err)
				return err;
			if (vmsim__folio_lock(vm, p)) {
				vmsim_put_page(vm, p);
				return -EFAULT;
			}
			if (p->mapping == vma->vm_file && p->index == pgoff)
				break;
			vmsim__folio_unlock(vm, p);
			vmsim_put_page(vm, p);
		}
		err = install_pte(vma, addr, ptep, p, true, wp);
		vmsim__folio_unlock(vm, p);
		if (err)
			vmsim_put_page(vm, p);
		return err;
	}
	if (!(vma->vm_flags & VM_SHARED)) {
		if (mode == MFILL_ZEROPAGE) {
			/* The zero page needs a strictly none pte: no marker. */
			struct vmsim_lock *ptl = vmsim__pte_lockptr(vm, ptep);

			vmsim_lock(vm, ptl);
			err = -EEXIST;
			if (pte_none(ptep_get(ptep))) {
				vmsim__set_pte_at(vma->vm_mm, addr, ptep,
						  pte_mkspecial(pfn_pte(vmsim_zero_pfn(vm), vma->vm_page_prot)));
				err = 0;
			}
			vmsim_unlock(vm, ptl);
			return err;
		}
		if (!pte_none_mostly(ptep_get(ptep)))
			return -EEXIST;
		/* mfill_atomic_pte_copy() allocates with no lock but the
		 * mmap_lock held: it may reclaim, which may change ptes. */
		p = vmsim__alloc_pages_may_reclaim(vm, 0);
		if (!p)
			return -ENOMEM;
		fill_page(vm, p, src, byte);
		vmsim_page_set(p, PG_uptodate);
		err = install_pte(vma, addr, ptep, p, false, wp);
		if (err)
			vmsim_put_page(vm, p);
		return err;
	}
	/* shmem_mfill_atomic_pte(): a new page in the page cache, mapped. */
	{
		struct vmsim_file *f = vma->vm_file;
		uint64_t pgoff = linear_page_index(vma, addr);
		unsigned ret;

		if (pgoff >= (f->i_size + PAGE_SIZE - 1) >> PAGE_SHIFT)
			return -EFAULT;
		if (vmsim__filemap_has_entry(f, pgoff))
			return -EEXIST;	/* a folio, or a swapped-out one's entry */
		if (!pte_none_mostly(ptep_get(ptep)))
			return -EEXIST;
		ret = vmsim__filemap_fault(f, pgoff, &p, false);	/* allocates the hole */
		if (ret)
			return -ENOMEM;
		if (mode == MFILL_COPY)
			fill_page(vm, p, src, byte);
		vmsim__folio_mark_dirty(p);
		err = install_pte(vma, addr, ptep, p, true, wp);
		if (err)
			vmsim_put_page(vm, p);
		return err;
	}
}

/* mfill_atomic_hugetlb(): whole huge pages only; no zero page. */
static long mfill_hugetlb(struct vm_area_struct *vma, uint64_t dst, const void *src, int byte, uint64_t len,
			  bool wp, enum mfill_mode mode, int *err)
{
	long copied = 0;

	*err = -EINVAL;
	if ((dst & ~PMD_MASK) || (len & ~PMD_MASK) || mode == MFILL_ZEROPAGE)
		return 0;
	if (mode == MFILL_CONTINUE && !userfaultfd_minor(vma))
		return 0;
	*err = 0;
	for (uint64_t a = dst; a < dst + len && !*err; a += PMD_SIZE) {
		if (mode == MFILL_POISON) {
			pte_t entry;

			*err = vmsim__kind_make(vma, a, "poison", NULL, &entry);
			if (!*err)
				*err = vmsim__hugetlb_install_entry(vma, a, entry);
		} else {
			*err = vmsim__hugetlb_mfill_atomic_pte(vma, a, src ? (const unsigned char *)src + (a - dst) :
							       NULL, byte, mode == MFILL_CONTINUE, wp);
		}
		if (!*err)
			copied += PMD_SIZE;
	}
	return copied;
}

static long mfill(struct vmsim_uffd *ctx, uint64_t dst, const void *src, int byte, uint64_t len, bool wp,
		  enum mfill_mode mode)
{
	struct vmsim_mm *mm;
	struct vm_area_struct *vma;
	long copied = 0;
	int err;

	err = range_ok(ctx, dst, len);
	if (err)
		return err;
	mm = ctx->mm;
	vmsim__mm_enter(mm);
	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	vma = vmsim__find_vma(mm, dst);
	err = -ENOENT;
	if (!vma || dst + len > vma->vm_end || !vma->uffd_ctx)
		goto out;
	err = -EINVAL;
	if (wp && !userfaultfd_wp(vma))
		goto out;
	if (is_vm_hugetlb_page(vma)) {
		copied = mfill_hugetlb(vma, dst, src, byte, len, wp, mode, &err);
		goto out;
	}
	if (!vma_is_anonymous(vma) && !vma_is_shmem(vma))
		goto out;
	if (mode == MFILL_CONTINUE && (!vma_is_shmem(vma) || !userfaultfd_minor(vma)))
		goto out;
	err = -ENOMEM;
	if (!(vma->vm_flags & VM_SHARED) && vmsim__anon_vma_prepare(vma))
		goto out;
	err = 0;
	for (uint64_t a = dst; a < dst + len; a += PAGE_SIZE) {
		err = mfill_one(vma, a, mode, src ? (const unsigned char *)src + (a - dst) : NULL, byte, wp);
		if (err)
			break;
		copied += PAGE_SIZE;
	}
out:
	vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	vmsim__mm_op_done(mm->vm);
	return copied ? copied : err;
}

long vmsim_uffd_copy(struct vmsim_uffd *ctx, uint64_t dst, const void *src, int byte, uint64_t len, bool wp)
{
	return mfill(ctx, dst, src, byte, len, wp, MFILL_COPY);
}

long vmsim_uffd_zeropage(struct vmsim_uffd *ctx, uint64_t dst, uint64_t len)
{
	return mfill(ctx, dst, NULL, 0, len, false, MFILL_ZEROPAGE);
}

long vmsim_uffd_continue(struct vmsim_uffd *ctx, uint64_t start, uint64_t len, bool wp)
{
	return mfill(ctx, start, NULL, 0, len, wp, MFILL_CONTINUE);
}

long vmsim_uffd_poison(struct vmsim_uffd *ctx, uint64_t start, uint64_t len)
{
	return mfill(ctx, start, NULL, 0, len, false, MFILL_POISON);
}

static const struct vmsim_uffd_hooks uffd_hooks_impl = {
	.handle_userfault = handle_userfault,
	.wp_async = uffd_wp_async,
	.wp_use_markers = uffd_wp_use_markers,
	.without_event_remap = uffd_without_event_remap,
	.remap_prep = uffd_remap_prep,
	.remap_complete = uffd_remap_complete,
	.remove = uffd_remove,
	.unmap_prep = uffd_unmap_prep,
	.unmap_complete = uffd_unmap_complete,
	.dup = dup_userfaultfd,
	.dup_complete = dup_userfaultfd_complete,
	.dup_fail = dup_userfaultfd_fail,
	.mm_exit = uffd_mm_exit,
};

/* Boot: mm calls userfaultfd through this table. */
void vmsim__userfaultfd_init(struct vmsim *vm)
{
	vmsim__mm_set_uffd_hooks(vm, &uffd_hooks_impl);
}
