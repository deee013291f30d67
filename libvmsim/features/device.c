/* A model device with a translation cache of its own: lib/test_hmm.c's
 * dmirror (a per-process page table filled by hmm_range_fault() inside an
 * mmu_interval_read_begin()/read_retry() section, emptied by the interval
 * notifier; atomics through make_device_exclusive(), the atomic entry
 * programmed while the folio lock keeps the CPU out) with
 * nouveau_atomic_range_fault()'s collision check around
 * make_device_exclusive() and nouveau_svm_range_invalidate()'s filter of
 * its own MMU_NOTIFY_EXCLUSIVE.  Before the exclusive section the page is
 * faulted in writable, as nouveau's ordinary fault path does, so that the
 * faults (and their invalidations) happen outside it.  One interval
 * notifier per process the device touched, over the whole address space
 * (dmirror_fops_open).  Between make_device_exclusive() and the mapping
 * of the atomic entry (vmsim_device_atomic_begin/commit) the device holds
 * the page by the folio lock alone, as dmirror_exclusive() does: a CPU
 * fault on the entry waits for it, fork's trylock fails, and an
 * invalidation (which takes no folio lock) empties nothing yet.  The
 * device's page table is under dmirror->mutex, which the invalidation, a
 * fill's retry check and the atomic's mapping take: its acquisition ends
 * the window in which nothing but the folio lock keeps the CPU away. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <uthash.h>

#include "../mm/mm_internal.h"
#include "../boot.h"

#define MAX_TRIES	16	/* nouveau's HMM_RANGE_DEFAULT_TIMEOUT, as a count */

struct dev_entry {
	uint64_t addr;
	unsigned long pfn;
	bool write, atomic;
	UT_hash_handle hh;
};

/* The device's view of one process (struct dmirror). */
struct dev_binding {
	struct mmu_interval_notifier notifier;	/* first: the callback's container */
	struct vmsim_device *dev;
	struct vmsim_lock mutex;		/* dmirror->mutex: entries, the seq check */
	int mm_id;
	struct dev_entry *entries;		/* by address */
	struct dev_binding *next;
};

struct vmsim_device {
	struct vmsim *vm;
	char name[32];
	int mutex_class;			/* the machine's one "dmirror_mutex" class */
	struct dev_binding *bindings;
	struct vmsim_device_stats st;
	/* An atomic between begin and commit: the page is exclusive and
	 * locked, not yet mapped. */
	struct {
		bool active;
		struct dev_binding *b;
		uint64_t addr;
		struct vmsim_page *page;
		uint8_t byte;
	} pending;
	/* An atomic (or a begin) is under way on some CPU: the device does
	 * one at a time, so another CPU's is EBUSY, as a begin in an open
	 * window is (the one pending slot would be overwritten). */
	bool busy;
	struct vmsim_device *next;
};

static void trace(struct vmsim_device *d, int mm_id, uint64_t addr, unsigned long pfn, const char *what)
{
	vmsim__trace(d->vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_DEVICE, .cpu = -1, .target = mm_id,
			  .addr = addr, .pfn = pfn, .file = d->name, .why = what });
}

/* ---- the cache ---- */

static struct dev_entry *lookup(struct dev_binding *b, uint64_t addr)
{
	struct dev_entry *e;

	HASH_FIND(hh, b->entries, &addr, sizeof(addr), e);
	return e;
}

static int insert(struct dev_binding *b, uint64_t addr, unsigned long pfn, bool write, bool atomic)
{
	struct dev_entry *e = lookup(b, addr);

	if (!e) {
		e = vmsim__calloc(b->dev->vm, 1, sizeof(*e));
		if (!e)
			return -ENOMEM;
		e->addr = addr;
		HASH_ADD(hh, b->entries, addr, sizeof(e->addr), e);
	}
	e->pfn = pfn;
	e->write = write;
	e->atomic = atomic;
	return 0;
}

static void drop(struct dev_binding *b, struct dev_entry *e)
{
	trace(b->dev, b->mm_id, e->addr, e->pfn, e->atomic ? "invalidate: atomic access dropped" :
		      "invalidate: translation dropped");
	HASH_DEL(b->entries, e);
	vmsim__free(b->dev->vm, e);
}

static void drop_range(struct dev_binding *b, uint64_t start, uint64_t end)
{
	struct dev_entry *e, *t;

	HASH_ITER(hh, b->entries, e, t)
		if (e->addr >= start && e->addr < end)
			drop(b, e);
}

/* dmirror_interval_invalidate(), with nouveau's filter of the event its
 * own make_device_exclusive() sends (the quirk leaves it out). */
static bool dev_invalidate(struct mmu_interval_notifier *n, const struct mmu_notifier_range *r,
			   unsigned long cur_seq)
{
	struct dev_binding *b = (struct dev_binding *)n;
	struct vmsim_device *d = b->dev;

	if (r->event == MMU_NOTIFY_EXCLUSIVE && r->owner == d &&
	    !vmsim__quirk(d->vm, VMSIM_QUIRK_DEVX_NO_OWNER_FILTER)) {
		d->st.own_ignored++;
		trace(d, b->mm_id, r->start, 0, "invalidate: its own exclusive event, ignored");
		return true;
	}
	vmsim_lock(d->vm, &b->mutex);
	d->st.invalidations++;
	mmu_interval_set_seq(n, cur_seq);
	drop_range(b, r->start, r->end);
	vmsim_unlock(d->vm, &b->mutex);
	return true;
}

static const struct mmu_interval_notifier_ops dev_notifier_ops = { .invalidate = dev_invalidate };

/* The device's view of mm, made on first use (dmirror binds at open());
 * *created says it is new, so that an access that fails can undo it. */
static struct dev_binding *binding(struct vmsim_device *d, struct vmsim_mm *mm, bool *created)
{
	struct dev_binding *b, **pp;

	*created = false;
	for (pp = &d->bindings; (b = *pp); pp = &b->next)
		if (b->notifier.mm == mm)
			return b;
	b = vmsim__calloc(d->vm, 1, sizeof(*b));
	if (!b)
		return NULL;
	b->dev = d;
	vmsim_lock_init(&b->mutex, (enum vmsim_lock_class)d->mutex_class);
	b->mm_id = mm->id;
	if (vmsim_mmu_interval_notifier_insert(&b->notifier, mm, 0, ~0ULL & PAGE_MASK, &dev_notifier_ops)) {
		vmsim__free(d->vm, b);
		return NULL;
	}
	*pp = b;
	*created = true;
	return b;
}

static void unbind(struct vmsim_device *d, struct dev_binding *b)
{
	struct dev_entry *e, *t;

	for (struct dev_binding **pp = &d->bindings; *pp; pp = &(*pp)->next) {
		if (*pp == b) {
			*pp = b->next;
			break;
		}
	}
	vmsim_mmu_interval_notifier_remove(&b->notifier);
	HASH_ITER(hh, b->entries, e, t) {
		HASH_DEL(b->entries, e);
		vmsim__free(d->vm, e);
	}
	vmsim__free(d->vm, b);
}

/* An access that failed on a binding it made leaves no trace of it. */
static int undo_if_new(struct vmsim_device *d, struct dev_binding *b, bool created, int err)
{
	if (err && created && !b->entries)
		unbind(d, b);
	return err;
}

/* ---- hmm_range_fault() of one page ---- */

/* The page at addr, valid (and writable if write): the walk, faulting
 * what hmm_pte_need_fault() says needs it.  Caller holds mmap_lock. */
static int hmm_fault_page(struct vmsim_mm *mm, uint64_t addr, bool write, unsigned long *pfn, bool *writable)
{
	for (int tries = 0; tries < MAX_TRIES; tries++) {
		struct vm_area_struct *vma = vmsim__find_vma(mm, addr);
		pte_t *ptep;
		pte_t pte;
		unsigned ret;

		/* hmm_vma_walk_hole() without a vma; hmm_vma_walk_test(). */
		if (!vma || !(vma->vm_flags & VM_READ) || (vma->vm_flags & VM_PFNMAP))
			return -EFAULT;
		ptep = vmsim__pte_lookup(mm, addr);
		pte = ptep ? ptep_get(ptep) : __pte(0);
		if (pte_present(pte) && (!write || pte_write(pte))) {
			if (!vmsim__vm_normal_page(vma, addr, pte) && pte_pfn(pte) != vmsim_zero_pfn(mm->vm))
				return -EFAULT;
			*pfn = pte_pfn(pte);
			*writable = pte_write(pte);
			return 0;
		}
		/* hmm_vma_fault() */
		if (write && !(vma->vm_flags & VM_WRITE))
			return -EPERM;
		ret = vmsim__handle_mm_fault(vma, addr, FAULT_FLAG_REMOTE | (write ? FAULT_FLAG_WRITE : 0), mm->cpu);
		if (ret & VM_FAULT_ERROR)
			return -EFAULT;
		/* -EBUSY: walk again */
	}
	return -EBUSY;
}

/* dmirror_range_fault(): fill the cache for addr inside a read side. */
static int fill(struct vmsim_device *d, struct dev_binding *b, struct vmsim_mm *mm, uint64_t addr, bool write,
		struct dev_entry **out)
{
	for (int tries = 0; tries < MAX_TRIES; tries++) {
		unsigned long seq = vmsim_mmu_interval_read_begin(&b->notifier);
		unsigned long pfn = 0;
		bool writable = false;
		int err;

		vmsim_lock_read(d->vm, &mm->mmap_lock);
		err = hmm_fault_page(mm, addr, write, &pfn, &writable);
		vmsim_unlock_read(d->vm, &mm->mmap_lock);
		if (err == -EBUSY)
			continue;
		if (err)
			return err;
		vmsim_lock(d->vm, &b->mutex);
		if (mmu_interval_read_retry(&b->notifier, seq)) {
			vmsim_unlock(d->vm, &b->mutex);
			d->st.retries++;
			continue;
		}
		err = insert(b, addr, pfn, writable, false);
		vmsim_unlock(d->vm, &b->mutex);
		if (err)
			return err;
		d->st.fills++;
		trace(d, b->mm_id, addr, pfn, writable ? "fill: writable" : "fill: read-only");
		*out = lookup(b, addr);
		return 0;
	}
	return -EBUSY;
}

static int access_checks(struct vmsim_device *d, struct vmsim_mm *mm)
{
	if (!d || !mm || mm->vm != d->vm)
		return -EINVAL;
	return 0;
}

/* The first checks of the paths an access takes, before the device binds
 * to the process: hmm_vma_walk_test() (no vma, no VM_READ: -EFAULT),
 * hmm_vma_fault() (a write without VM_WRITE: -EPERM), and GUP's
 * check_vma_flags() for make_device_exclusive() (-EFAULT). */
enum access_kind { ACC_READ, ACC_WRITE, ACC_ATOMIC };

static int vma_checks(struct vmsim_mm *mm, uint64_t addr, enum access_kind kind)
{
	struct vm_area_struct *vma;
	int err = 0;

	vmsim_lock_read(mm->vm, &mm->mmap_lock);
	vma = vmsim__find_vma(mm, addr);
	if (!vma || (vma->vm_flags & VM_PFNMAP))
		err = -EFAULT;
	else if (kind == ACC_ATOMIC && !(vma->vm_flags & VM_WRITE))
		err = -EFAULT;
	else if (kind != ACC_ATOMIC && !(vma->vm_flags & VM_READ))
		err = -EFAULT;
	else if (kind == ACC_WRITE && !(vma->vm_flags & VM_WRITE))
		err = -EPERM;
	vmsim_unlock_read(mm->vm, &mm->mmap_lock);
	return err;
}

int vmsim_device_read(struct vmsim_device *d, struct vmsim_mm *mm, uint64_t addr, uint8_t *byte)
{
	struct dev_binding *b;
	struct dev_entry *e;
	bool created;
	int err;

	if (access_checks(d, mm) || !byte)
		return -EINVAL;
	if ((err = vma_checks(mm, addr, ACC_READ)))
		return err;
	b = binding(d, mm, &created);
	if (!b)
		return -ENOMEM;
	e = lookup(b, addr & PAGE_MASK);
	if (!e && (err = fill(d, b, mm, addr & PAGE_MASK, false, &e))) {
		undo_if_new(d, b, created, err);
		vmsim__mm_op_done(d->vm);
		return err;
	}
	vmsim_frame_read(d->vm, vmsim_pfn_to_page(d->vm, e->pfn), addr & ~PAGE_MASK, byte, 1);
	d->st.reads++;
	trace(d, b->mm_id, addr, e->pfn, e->atomic ? "read (atomic entry)" : "read");
	vmsim__mm_op_done(d->vm);
	return 0;
}

int vmsim_device_write(struct vmsim_device *d, struct vmsim_mm *mm, uint64_t addr, uint8_t byte)
{
	struct dev_binding *b;
	struct dev_entry *e;
	bool created;
	int err = 0;

	if (access_checks(d, mm))
		return -EINVAL;
	if ((err = vma_checks(mm, addr, ACC_WRITE)))
		return err;
	b = binding(d, mm, &created);
	if (!b)
		return -ENOMEM;
	/* dmirror_do_write(): only a writable translation will do. */
	e = lookup(b, addr & PAGE_MASK);
	if (!e || !e->write)
		err = fill(d, b, mm, addr & PAGE_MASK, true, &e);
	if (!err) {
		vmsim_frame_write(d->vm, vmsim_pfn_to_page(d->vm, e->pfn), addr & ~PAGE_MASK, &byte, 1);
		d->st.writes++;
		trace(d, b->mm_id, addr, e->pfn, "write");
	}
	undo_if_new(d, b, created, err);
	vmsim__mm_op_done(d->vm);
	return err;
}

/* ---- atomics ---- */

static int atomic_begin(struct vmsim_device *d, struct dev_binding *b, struct vmsim_mm *mm, uint64_t addr,
			uint8_t byte)
{
	struct vmsim *vm = d->vm;

	for (int tries = 0; tries < MAX_TRIES; tries++) {
		struct vm_area_struct *vma;
		struct vmsim_page *p;
		unsigned long seq, pfn;
		bool writable;
		int err;

		/* The ordinary fault path first: the page writable in the CPU
		 * page table (a device-exclusive entry of another device, or
		 * a COW, resolved here, outside the exclusive section). */
		vmsim_lock_read(vm, &mm->mmap_lock);
		vma = vmsim__find_vma(mm, addr);
		if (vma && (vma->vm_flags & VM_WRITE))
			hmm_fault_page(mm, addr, true, &pfn, &writable);
		vmsim_unlock_read(vm, &mm->mmap_lock);

		seq = vmsim_mmu_interval_read_begin(&b->notifier);
		vmsim_lock_read(vm, &mm->mmap_lock);
		err = vmsim__make_device_exclusive(mm, addr, d, &p);
		vmsim_unlock_read(vm, &mm->mmap_lock);
		if (err)
			return err;
		if (!mmu_interval_read_retry(&b->notifier, seq)) {
			d->pending.active = true;
			d->pending.b = b;
			d->pending.addr = addr;
			d->pending.page = p;
			d->pending.byte = byte;
			trace(d, b->mm_id, addr, vmsim_page_to_pfn(vm, p), "atomic: page exclusive, folio locked");
			return 0;
		}
		d->st.retries++;
		trace(d, b->mm_id, addr, vmsim_page_to_pfn(vm, p), "atomic: collided with an invalidation, retry");
		vmsim__folio_unlock(vm, p);
		vmsim_put_page(vm, p);
	}
	VMSIM_BUG(vm, "device %s: make_device_exclusive of mm%d %#llx collided with an invalidation %d times "
		  "in a row: livelock (a notifier that does not ignore its own MMU_NOTIFY_EXCLUSIVE "
		  "invalidates the device on every attempt)", d->name, b->mm_id, (unsigned long long)addr,
		  MAX_TRIES);
	return -EBUSY;
}

/* The atomic may be done only while the pte is this page's
 * device-exclusive entry: otherwise the CPU uses the page meanwhile. */
static void check_exclusive(struct vmsim_device *d, struct dev_binding *b, uint64_t addr, unsigned long pfn)
{
	struct vmsim_mm *mm = b->notifier.mm;
	pte_t *ptep = mm ? vmsim__pte_lookup(mm, addr) : NULL;
	pte_t pte = ptep ? ptep_get(ptep) : __pte(0);
	unsigned holds;

	if (vmsim__kind_entry_page(d->vm, pte, &holds) == vmsim_pfn_to_page(d->vm, pfn) &&
	    vmsim__kind_of(d->vm, pte) == vmsim_kind_lookup(d->vm, VMSIM_KIND_DEVICE_EXCLUSIVE_NAME))
		return;
	VMSIM_BUG(d->vm, "device invariant: device %s does an atomic on pfn %#lx for mm%d %#llx, whose pte is "
		  "%#llx, not that page's device-exclusive entry (the CPU can use the page: the atomic is lost)",
		  d->name, pfn, b->mm_id, (unsigned long long)addr, (unsigned long long)pte_val(pte));
}

static void atomic_commit(struct vmsim_device *d)
{
	struct vmsim *vm = d->vm;
	struct dev_binding *b = d->pending.b;
	struct vmsim_page *p = d->pending.page;
	unsigned long pfn = vmsim_page_to_pfn(vm, p);
	uint64_t addr = d->pending.addr;

	d->pending.active = false;
	if (!b->notifier.mm) {
		/* The process exited meanwhile: nothing left to map. */
		trace(d, b->mm_id, addr, pfn, "atomic: the process is gone, folio unlocked");
		vmsim__folio_unlock(vm, p);
		vmsim_put_page(vm, p);
		return;
	}
	/* dmirror_atomic_map() under the device's mutex, then the atomic
	 * itself; only then the folio is unlocked (dmirror_exclusive()). */
	vmsim_lock(vm, &b->mutex);
	check_exclusive(d, b, addr, pfn);
	if (insert(b, addr, pfn, true, true))
		VMSIM_BUG(vm, "device %s: no memory for its page table", d->name);
	vmsim_frame_write(vm, p, 0, &d->pending.byte, 1);
	vmsim_unlock(vm, &b->mutex);
	d->st.atomics++;
	trace(d, b->mm_id, addr, pfn, "atomic: mapped, stored, folio unlocked");
	vmsim__folio_unlock(vm, p);
	vmsim_put_page(vm, p);
}

int vmsim_device_atomic_begin(struct vmsim_device *d, struct vmsim_mm *mm, uint64_t addr, uint8_t byte)
{
	struct dev_binding *b;
	bool created;
	int err;

	if (access_checks(d, mm))
		return -EINVAL;
	if (d->pending.active)
		return -EBUSY;
	if ((err = vma_checks(mm, addr, ACC_ATOMIC)))
		return err;
	b = binding(d, mm, &created);
	if (!b)
		return -ENOMEM;
	/* Checked and claimed in one step (no scheduling point between). */
	if (d->pending.active || d->busy)
		return undo_if_new(d, b, created, -EBUSY);
	d->busy = true;
	err = undo_if_new(d, b, created, atomic_begin(d, b, mm, addr & PAGE_MASK, byte));
	d->busy = false;
	vmsim__mm_op_done(d->vm);
	return err;
}

int vmsim_device_atomic_commit(struct vmsim_device *d)
{
	if (!d)
		return -EINVAL;
	if (!d->pending.active)
		return -ENOENT;
	atomic_commit(d);
	vmsim__mm_op_done(d->vm);
	return 0;
}

int vmsim_device_atomic(struct vmsim_device *d, struct vmsim_mm *mm, uint64_t addr, uint8_t byte)
{
	struct dev_binding *b;
	struct dev_entry *e;
	bool created;
	int err;

	if (access_checks(d, mm))
		return -EINVAL;
	if (d->pending.active)
		return -EBUSY;
	if ((err = vma_checks(mm, addr, ACC_ATOMIC)))
		return err;
	b = binding(d, mm, &created);
	if (!b)
		return -ENOMEM;
	e = lookup(b, addr & PAGE_MASK);
	if (e && e->atomic) {
		/* Still exclusive: the device's own mapping does it. */
		check_exclusive(d, b, e->addr, e->pfn);
		vmsim_frame_write(d->vm, vmsim_pfn_to_page(d->vm, e->pfn), 0, &byte, 1);
		d->st.atomics++;
		trace(d, b->mm_id, e->addr, e->pfn, "atomic (already exclusive)");
		vmsim__mm_op_done(d->vm);
		return 0;
	}
	if (d->pending.active || d->busy)
		return undo_if_new(d, b, created, -EBUSY);
	d->busy = true;
	err = undo_if_new(d, b, created, atomic_begin(d, b, mm, addr & PAGE_MASK, byte));
	if (!err)
		atomic_commit(d);
	d->busy = false;
	vmsim__mm_op_done(d->vm);
	return err;
}

/* folio_lock() found a folio locked: if a device holds it between begin
 * and commit, the waiter sleeps until the device is done. */
static bool folio_lock_wait(struct vmsim *vm, struct vmsim_page *p)
{
	for (struct vmsim_device *d = vm->devices; d; d = d->next) {
		if (d->pending.active && d->pending.page == p) {
			atomic_commit(d);
			return true;
		}
	}
	return false;
}

/* ---- devices ---- */

int vmsim_device_new(struct vmsim *vm, const char *name, struct vmsim_device **out)
{
	struct vmsim_device *d, **pp;

	if (!vm || !name || !*name || strlen(name) >= sizeof(d->name))
		return -EINVAL;
	if (vmsim_device_lookup(vm, name))
		return -EEXIST;
	d = vmsim__calloc(vm, 1, sizeof(*d));
	if (!d)
		return -ENOMEM;
	/* One lock class for every device's mutex, made with the first. */
	d->mutex_class = vm->devices ? vm->devices->mutex_class : vmsim_lock_class_new(vm, "dmirror_mutex");
	if (d->mutex_class < 0) {
		int err = d->mutex_class;

		vmsim__free(vm, d);
		return err;
	}
	d->vm = vm;
	snprintf(d->name, sizeof(d->name), "%s", name);
	for (pp = &vm->devices; *pp; pp = &(*pp)->next)
		;
	*pp = d;
	if (out)
		*out = d;
	return 0;
}

struct vmsim_device *vmsim_device_lookup(struct vmsim *vm, const char *name)
{
	for (struct vmsim_device *d = vm && name ? vm->devices : NULL; d; d = d->next)
		if (!strcmp(d->name, name))
			return d;
	return NULL;
}

const char *vmsim_device_name(const struct vmsim_device *d)
{
	return d ? d->name : NULL;
}

unsigned vmsim_nr_devices(const struct vmsim *vm)
{
	unsigned n = 0;

	for (const struct vmsim_device *d = vm ? vm->devices : NULL; d; d = d->next)
		n++;
	return n;
}

struct vmsim_device *vmsim_device_at(const struct vmsim *vm, unsigned idx)
{
	struct vmsim_device *d = vm ? vm->devices : NULL;

	while (d && idx--)
		d = d->next;
	return d;
}

void vmsim_device_stats(const struct vmsim_device *d, struct vmsim_device_stats *st)
{
	if (d && st)
		*st = d->st;
}

static int cmp_tlbe(const void *a, const void *b)
{
	const struct vmsim_device_tlbe *x = a, *y = b;

	if (x->mm != y->mm)
		return x->mm < y->mm ? -1 : 1;
	return x->addr < y->addr ? -1 : x->addr > y->addr;
}

int vmsim_device_cache(const struct vmsim_device *d, unsigned idx, struct vmsim_device_tlbe *out)
{
	struct vmsim_device_tlbe *all;
	unsigned n = 0, i = 0;
	int err = -ENOENT;

	if (!d || !out)
		return -EINVAL;
	for (struct dev_binding *b = d->bindings; b; b = b->next)
		n += HASH_COUNT(b->entries);
	if (idx >= n)
		return -ENOENT;
	all = malloc(n * sizeof(*all));
	if (!all)
		return -ENOMEM;
	for (struct dev_binding *b = d->bindings; b; b = b->next)
		for (struct dev_entry *e = b->entries; e; e = e->hh.next)
			all[i++] = (struct vmsim_device_tlbe){ .mm = b->mm_id, .addr = e->addr, .pfn = e->pfn,
							       .write = e->write, .atomic = e->atomic };
	qsort(all, n, sizeof(*all), cmp_tlbe);
	*out = all[idx];
	err = 0;
	free(all);
	return err;
}

struct vmsim_device *vmsim_device_atomic_owner(struct vmsim *vm, const struct vmsim_mm *mm, uint64_t addr)
{
	for (struct vmsim_device *d = vm && mm ? vm->devices : NULL; d; d = d->next) {
		for (struct dev_binding *b = d->bindings; b; b = b->next) {
			struct dev_entry *e;

			if (b->notifier.mm != mm)
				continue;
			e = lookup(b, addr & PAGE_MASK);
			if (e && e->atomic)
				return d;
		}
	}
	return NULL;
}

/* ---- the invariant ---- */

/* Is pte the device-exclusive entry of the page d's atomic holds? */
static bool pending_exclusive(struct vmsim_device *d, pte_t pte)
{
	unsigned holds;

	return vmsim__kind_entry_page(d->vm, pte, &holds) == d->pending.page &&
	       vmsim__kind_of(d->vm, pte) == vmsim_kind_lookup(d->vm, VMSIM_KIND_DEVICE_EXCLUSIVE_NAME);
}

static unsigned long check_entry(struct vmsim_device *d, struct dev_binding *b, struct dev_entry *e)
{
	struct vmsim *vm = d->vm;
	struct vmsim_mm *mm = b->notifier.mm;
	pte_t *ptep = vmsim__pte_lookup(mm, e->addr);
	pte_t pte = ptep ? ptep_get(ptep) : __pte(0);

	if (e->atomic) {
		unsigned holds;
		struct vmsim_device *other;

		if (vmsim__kind_entry_page(vm, pte, &holds) != vmsim_pfn_to_page(vm, e->pfn) ||
		    vmsim__kind_of(vm, pte) != vmsim_kind_lookup(vm, VMSIM_KIND_DEVICE_EXCLUSIVE_NAME)) {
			VMSIM_BUG(vm, "device invariant: device %s holds atomic access to mm%d %#llx (pfn %#lx) but "
				  "the pte there is %#llx, not that page's device-exclusive entry", d->name,
				  b->mm_id, (unsigned long long)e->addr, e->pfn, (unsigned long long)pte_val(pte));
			return 1;
		}
		for (other = d->next; other; other = other->next) {
			if (vmsim_device_atomic_owner(vm, mm, e->addr) == other) {
				VMSIM_BUG(vm, "device invariant: devices %s and %s both hold atomic access to mm%d "
					  "%#llx", d->name, other->name, b->mm_id, (unsigned long long)e->addr);
				return 1;
			}
		}
		return 0;
	}
	/* Between the halves of an atomic the page is already this device's
	 * exclusive entry, and the device ignored its own MMU_NOTIFY_EXCLUSIVE
	 * (as nouveau_svm_range_invalidate() does): a translation it had of
	 * that same page stays until the commit maps it for atomics. */
	if (d->pending.active && d->pending.b == b && d->pending.addr == e->addr &&
	    vmsim_page_to_pfn(vm, d->pending.page) == e->pfn && pending_exclusive(d, pte))
		return 0;
	if (!pte_present(pte) || pte_pfn(pte) != e->pfn || (e->write && !pte_write(pte))) {
		VMSIM_BUG(vm, "device invariant: device %s translates mm%d %#llx -> pfn %#lx%s, but the CPU pte "
			  "is %#llx: its cache kept a mapping the CPU side invalidated", d->name, b->mm_id,
			  (unsigned long long)e->addr, e->pfn, e->write ? " (write)" : "",
			  (unsigned long long)pte_val(pte));
		return 1;
	}
	return 0;
}

unsigned long vmsim_device_check(struct vmsim *vm)
{
	unsigned long bad = 0;

	for (struct vmsim_device *d = vm ? vm->devices : NULL; d; d = d->next) {
		for (struct dev_binding *b = d->bindings; b; b = b->next) {
			if (!b->notifier.mm) {
				/* The process exited: RELEASE emptied the cache. */
				if (VMSIM_BUG_ON(vm, b->entries != NULL, "device invariant: device %s still caches "
						 "translations of exited mm%d", d->name, b->mm_id))
					bad++;
				continue;
			}
			for (struct dev_entry *e = b->entries; e; e = e->hh.next)
				bad += check_entry(d, b, e);
		}
	}
	return bad;
}

/* ---- boot ---- */

void vmsim__device_init(struct vmsim *vm)
{
	vmsim__mm_set_folio_waiter(vm, folio_lock_wait);
}

void vmsim__device_exit(struct vmsim *vm)
{
	while (vm->devices) {
		struct vmsim_device *d = vm->devices;

		vm->devices = d->next;
		if (d->pending.active) {
			vmsim__folio_unlock(vm, d->pending.page);
			vmsim_put_page(vm, d->pending.page);
		}
		while (d->bindings)
			unbind(d, d->bindings);
		vmsim__free(vm, d);
	}
}
