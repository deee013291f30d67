/* The registry of entry kinds, per machine, and the dispatch mm uses at
 * every place Linux meets a non-present entry or a software pte bit
 * (include/vmsim/kind.h).  Ownership is data: a softleaf type, a marker bit
 * with a priority (handle_pte_marker() order), a special swap type, or a
 * pte bit.  A combined marker is dispatched bit by bit where Linux's
 * helpers work bit by bit (copy_pte_marker), and to its highest-priority
 * owner where Linux's if-else chain decides once (the fault). */
#include <stdio.h>
#include <string.h>

#include "mm_internal.h"

/* Marker bits a prototype may be given: the three Linux defines, then
 * free ones up to PTE_MARKER_MASK. */
#define FIRST_FREE_MARKER	3

static struct vmsim_kind_registry *reg(struct vmsim *vm) { return &vm->mm_world->kinds; }

static bool owns_anything(const struct vmsim_kind_ops *o)
{
	return o->types || o->marker || o->pte_bit || o->swp_bit ||
	       (o->flags & (VMSIM_KIND_ALLOC_MARKER | VMSIM_KIND_ALLOC_SWAP_TYPE));
}

/* Keep marker owners sorted by priority, highest first (stable). */
static void sort_marker_owners(struct vmsim_kind_registry *r)
{
	r->nr_marker_kinds = 0;
	for (unsigned i = 0; i < r->nr; i++)
		if (r->slot[i].marker)
			r->marker_kinds[r->nr_marker_kinds++] = &r->slot[i];
	for (unsigned i = 1; i < r->nr_marker_kinds; i++) {
		struct vmsim_kind *k = r->marker_kinds[i];
		unsigned j = i;

		for (; j > 0 && r->marker_kinds[j - 1]->ops->priority < k->ops->priority; j--)
			r->marker_kinds[j] = r->marker_kinds[j - 1];
		r->marker_kinds[j] = k;
	}
}

static void recompute(struct vmsim_kind_registry *r)
{
	r->bits = 0;
	r->cp_flags = 0;
	r->nr_bit_kinds = 0;
	r->copy_on_fork = 0;
	for (unsigned i = 0; i < r->nr; i++) {
		struct vmsim_kind *k = &r->slot[i];

		if (k->ops->pte_bit || k->ops->swp_bit) {
			r->bits |= k->ops->pte_bit | k->ops->swp_bit;
			r->bit_kinds[r->nr_bit_kinds++] = k;
		}
		r->cp_flags |= k->ops->cp_flags;
		if (k->ops->flags & VMSIM_KIND_COPY_ON_FORK)
			r->copy_on_fork |= 1ULL << i;
	}
	sort_marker_owners(r);
}

static int do_register(struct vmsim *vm, const struct vmsim_kind_ops *ops, bool builtin,
		       struct vmsim_kind **out)
{
	struct vmsim_kind_registry *r;
	struct vmsim_kind *k;
	pte_marker marker;
	int swap_type = -1;

	if (!vm || !ops || !ops->name || !*ops->name || !owns_anything(ops))
		return -EINVAL;
	if (ops->types & ~((1u << (SOFTLEAF_MARKER + 1)) - 1) & ~1u)
		return -EINVAL;
	if (ops->marker & ~PTE_MARKER_MASK)
		return -EINVAL;
	r = reg(vm);
	for (unsigned i = 0; i < r->nr; i++) {
		const struct vmsim_kind_ops *o = r->slot[i].ops;

		if (!strcmp(o->name, ops->name))
			return -EEXIST;
		if ((o->types & ops->types) || (r->slot[i].marker & ops->marker) ||
		    ((o->pte_bit | o->swp_bit) & (ops->pte_bit | ops->swp_bit)))
			return -EINVAL;
	}
	if (r->nr >= VMSIM_MAX_KINDS)
		return -ENOSPC;
	marker = ops->marker;
	if (ops->flags & VMSIM_KIND_ALLOC_MARKER) {
		pte_marker used = 0;

		for (unsigned i = 0; i < r->nr; i++)
			used |= r->slot[i].marker;
		for (unsigned b = FIRST_FREE_MARKER; b < 64 && (1UL << b) <= PTE_MARKER_MASK; b++) {
			if (!(used & (1UL << b))) {
				marker = 1UL << b;
				break;
			}
		}
		if (!marker)
			return -ENOSPC;
	}
	if (ops->flags & VMSIM_KIND_ALLOC_SWAP_TYPE) {
		/* A new special type takes the slot just below the lowest one
		 * and lowers MAX_SWAPFILES by one, as Linux's arithmetic does
		 * when a SWP_*_NUM grows. */
		if (r->max_swapfiles <= 1)
			return -ENOSPC;
		swap_type = (int)--r->max_swapfiles;
	}
	k = &r->slot[r->nr];
	memset(k, 0, sizeof(*k));
	k->ops = ops;
	k->vm = vm;
	k->slot = r->nr;
	k->marker = marker;
	k->swap_type = swap_type;
	k->builtin = builtin;
	r->nr++;
	recompute(r);
	if (out)
		*out = k;
	return 0;
}

int vmsim__kind_register_builtin(struct vmsim *vm, const struct vmsim_kind_ops *ops)
{
	return do_register(vm, ops, true, NULL);
}

int vmsim_kind_register(struct vmsim *vm, const struct vmsim_kind_ops *ops, struct vmsim_kind **out)
{
	return do_register(vm, ops, false, out);
}

int vmsim_kind_unregister(struct vmsim *vm, const char *name)
{
	struct vmsim_kind_registry *r;
	struct vmsim_kind *k;
	struct vmsim_mm *mm;
	unsigned i;

	if (!vm || !name)
		return -EINVAL;
	r = reg(vm);
	k = (struct vmsim_kind *)vmsim_kind_lookup(vm, name);
	if (!k)
		return -ENOENT;
	if (k->builtin)
		return -EBUSY;
	i = k->slot;
	/* Entries may remain in any vma that ever held one. */
	for (mm = vm->mm_world->mms; mm; mm = mm->next)
		for (struct vm_area_struct *v = mm->mmap; v; v = v->next)
			if (v->vm_kinds & (1ULL << i))
				return -EBUSY;
	if (k->swap_type >= 0 && (unsigned)k->swap_type != r->max_swapfiles)
		return -EBUSY;	/* a later special type sits below it */
	if (k->swap_type >= 0)
		r->max_swapfiles++;
	/* Later slots move down one: their vm_kinds bits move with them. */
	for (mm = vm->mm_world->mms; mm; mm = mm->next)
		for (struct vm_area_struct *v = mm->mmap; v; v = v->next) {
			uint64_t low = v->vm_kinds & ((1ULL << i) - 1);

			v->vm_kinds = low | ((v->vm_kinds >> 1) & ~((1ULL << i) - 1));
		}
	memmove(&r->slot[i], &r->slot[i + 1], (r->nr - i - 1) * sizeof(r->slot[0]));
	r->nr--;
	for (unsigned j = i; j < r->nr; j++)
		r->slot[j].slot = j;
	recompute(r);
	return 0;
}

void vmsim__kinds_reset(struct vmsim *vm)
{
	struct vmsim_kind_registry *r = reg(vm);

	memset(r, 0, sizeof(*r));
	r->max_swapfiles = MAX_SWAPFILES;
}

/* ---- lookup ---- */

const struct vmsim_kind *vmsim_kind_lookup(struct vmsim *vm, const char *name)
{
	if (!vm || !name)
		return NULL;
	for (unsigned i = 0; i < reg(vm)->nr; i++)
		if (!strcmp(reg(vm)->slot[i].ops->name, name))
			return &reg(vm)->slot[i];
	return NULL;
}

/* The owner of a marker's highest-priority bit. */
static struct vmsim_kind *marker_owner(struct vmsim_kind_registry *r, pte_marker m)
{
	for (unsigned i = 0; i < r->nr_marker_kinds; i++)
		if (r->marker_kinds[i]->marker & m)
			return r->marker_kinds[i];
	return NULL;
}

struct vmsim_kind *vmsim__kind_of(struct vmsim *vm, pte_t pte)
{
	struct vmsim_kind_registry *r = reg(vm);
	softleaf_t e = softleaf_from_pte(pte);
	enum softleaf_type t;

	if (softleaf_is_none(e))
		return NULL;
	/* Special types a kind was given sit below Linux's: match them by
	 * number before softleaf_type() would call them swap. */
	if (swp_type(e) >= r->max_swapfiles && swp_type(e) < MAX_SWAPFILES) {
		for (unsigned i = 0; i < r->nr; i++)
			if (r->slot[i].swap_type == (int)swp_type(e))
				return &r->slot[i];
		return NULL;
	}
	t = softleaf_type(e);
	if (t == SOFTLEAF_MARKER)
		return marker_owner(r, softleaf_to_marker(e));
	for (unsigned i = 0; i < r->nr; i++)
		if (r->slot[i].ops->types & (1u << t))
			return &r->slot[i];
	return NULL;
}

const struct vmsim_kind *vmsim_kind_of(struct vmsim *vm, pte_t pte)
{
	return vm ? vmsim__kind_of(vm, pte) : NULL;
}

unsigned vmsim_nr_kinds(const struct vmsim *vm)
{
	return vm ? vm->mm_world->kinds.nr : 0;
}

const struct vmsim_kind *vmsim_kind_at(const struct vmsim *vm, unsigned i)
{
	return vm && i < vm->mm_world->kinds.nr ? &vm->mm_world->kinds.slot[i] : NULL;
}

const struct vmsim_kind_ops *vmsim_kind_ops(const struct vmsim_kind *k) { return k ? k->ops : NULL; }
const char *vmsim_kind_name(const struct vmsim_kind *k) { return k ? k->ops->name : NULL; }
pte_marker vmsim_kind_marker(const struct vmsim_kind *k) { return k ? k->marker : 0; }
int vmsim_kind_swap_type(const struct vmsim_kind *k) { return k ? k->swap_type : -1; }
void *vmsim_kind_data(const struct vmsim_kind *k) { return k ? k->data : NULL; }
void vmsim_kind_set_data(struct vmsim_kind *k, void *data)
{
	if (k)
		k->data = data;
}
bool vmsim_kind_builtin(const struct vmsim_kind *k) { return k && k->builtin; }

unsigned vmsim_max_swapfiles(const struct vmsim *vm)
{
	return vm ? vm->mm_world->kinds.max_swapfiles : 0;
}

/* ---- markers, bit by bit ---- */

/* The part of marker m that k owns, as a marker pte. */
static pte_t marker_part(const struct vmsim_kind *k, pte_marker m)
{
	return make_pte_marker(m & k->marker);
}

static pte_marker marker_of(pte_t pte)
{
	softleaf_t e = softleaf_from_pte(pte);

	return softleaf_is_marker(e) ? softleaf_to_marker(e) : 0;
}

/* A hook the kind lacks: mm does what Linux does with an entry it does not
 * know, and says so in the trace (the conformance matrix reads it). */
static void note_default(const struct vmsim_kind *k, uint64_t addr, const char *why)
{
	vmsim__trace(k->vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_KIND_DEFAULT, .cpu = -1,
			  .addr = addr, .why = why, .file = k->ops->name });
}

/* Combine the kinds' answers for their parts of a marker: a kind's part
 * either stays a marker (its bits, possibly changed) or goes (none).
 * MAP_DROP_ANY: one part going clears the slot (move_ptes()).
 * MAP_KEEP_SWP_BITS: the result keeps the software bits of the swap pte
 * (soft-dirty: move_soft_dirty_pte()), as the paths that keep the pte
 * itself do; copy_pte_marker() builds a bare marker, and so does a copy. */
#define MAP_DROP_ANY		1u
#define MAP_KEEP_SWP_BITS	2u
typedef pte_t (*part_fn)(const struct vmsim_kind *k, pte_t part, void *arg);

static pte_t marker_map(struct vmsim *vm, pte_t pte, part_fn fn, void *arg, unsigned how)
{
	struct vmsim_kind_registry *r = reg(vm);
	pte_marker m = marker_of(pte), out = 0;
	/* What the slot holds beyond the bare marker's encoding. */
	pteval_t swp_bits = pte_val(pte) ^ pte_val(make_pte_marker(m));

	for (unsigned i = 0; i < r->nr_marker_kinds; i++) {
		const struct vmsim_kind *k = r->marker_kinds[i];
		pte_t res;

		if (!(m & k->marker))
			continue;
		res = fn(k, marker_part(k, m), arg);
		if (pte_none(res)) {
			if (how & MAP_DROP_ANY)
				return __pte(0);
			continue;
		}
		out |= marker_of(res);
	}
	/* Bits nobody owns are dropped, as copy_pte_marker() drops them. */
	if (!out)
		return __pte(0);
	return __pte(pte_val(make_pte_marker(out)) | ((how & MAP_KEEP_SWP_BITS) ? swp_bits : 0));
}

/* ---- dispatch: faults ---- */

unsigned vmsim__kind_fault(struct vm_fault *vmf)
{
	struct vmsim *vm = vmf->vma->vm_mm->vm;
	struct vmsim_kind *k = vmsim__kind_of(vm, vmf->orig_pte);

	/* do_swap_page(): print_bad_pte(); handle_pte_marker(): an unknown
	 * marker is VM_FAULT_SIGBUS. */
	if (!k) {
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = vmf->cpu,
				  .addr = vmf->address,
				  .why = "fault on an entry no kind claims: SIGBUS (print_bad_pte)" });
		return VM_FAULT_SIGBUS;
	}
	if (!k->ops->fault) {
		note_default(k, vmf->address, "fault: VM_FAULT_SIGBUS (handle_pte_marker, do_swap_page)");
		return VM_FAULT_SIGBUS;
	}
	return k->ops->fault(k, vmf);
}

unsigned vmsim__kind_wp_fault(struct vm_fault *vmf)
{
	struct vmsim_kind_registry *r = reg(vmf->vma->vm_mm->vm);

	if (!(pte_val(vmf->orig_pte) & r->bits))
		return 0;
	for (unsigned i = 0; i < r->nr_bit_kinds; i++) {
		const struct vmsim_kind *k = r->bit_kinds[i];
		unsigned ret;

		if (!(pte_val(vmf->orig_pte) & k->ops->pte_bit) || !k->ops->bit_wp_fault)
			continue;
		ret = k->ops->bit_wp_fault(k, vmf);
		if (ret)
			return ret;
	}
	return 0;
}

pte_t vmsim__kind_inherit(const struct vm_fault *vmf, pte_t pte)
{
	struct vmsim_kind_registry *r = reg(vmf->vma->vm_mm->vm);

	if (!(vmf->flags & FAULT_FLAG_ORIG_PTE_VALID))
		return pte;
	for (unsigned i = 0; i < r->nr_bit_kinds; i++) {
		const struct vmsim_kind *k = r->bit_kinds[i];

		if (k->ops->bit_inherit)
			pte = k->ops->bit_inherit(k, vmf, pte);
	}
	return pte;
}

/* ---- fork ---- */

bool vmsim__kind_needs_copy(struct vm_area_struct *dst, struct vm_area_struct *src)
{
	struct vmsim_kind_registry *r = reg(src->vm_mm->vm);

	if (src->vm_kinds & r->copy_on_fork)
		return true;
	for (unsigned i = 0; i < r->nr; i++) {
		const struct vmsim_kind *k = &r->slot[i];

		if (k->ops->needs_copy && k->ops->needs_copy(k, dst, src))
			return true;
	}
	return false;
}

void vmsim__kind_note_no_copy(struct vm_area_struct *src)
{
	struct vmsim_kind_registry *r = reg(src->vm_mm->vm);

	for (unsigned i = 0; i < r->nr; i++) {
		const struct vmsim_kind *k = &r->slot[i];

		if ((src->vm_kinds & (1ULL << i)) && !k->ops->needs_copy)
			note_default(k, src->vm_start, "needs_copy: page tables not copied "
				     "(vma_needs_copy: a fault would refill them)");
	}
}

static pte_t bits_copy(struct vmsim *vm, struct vm_area_struct *dst, struct vm_area_struct *src,
		       pte_t old, pte_t child)
{
	struct vmsim_kind_registry *r = reg(vm);

	if (!(pte_val(old) & r->bits))
		return child;
	for (unsigned i = 0; i < r->nr_bit_kinds; i++) {
		const struct vmsim_kind *k = r->bit_kinds[i];
		pteval_t bit = pte_present(old) ? k->ops->pte_bit : k->ops->swp_bit;

		if ((pte_val(old) & bit) && k->ops->bit_copy)
			child = k->ops->bit_copy(k, dst, src, old, child);
	}
	return child;
}

pte_t vmsim__kind_bits_copy(struct vm_area_struct *dst, struct vm_area_struct *src, pte_t old, pte_t child)
{
	return bits_copy(src->vm_mm->vm, dst, src, old, child);
}

struct copy_arg {
	struct vm_area_struct *dst, *src;
	uint64_t addr;
	pte_t *src_ptep;
	int err;
};

static pte_t copy_part(const struct vmsim_kind *k, pte_t part, void *arg)
{
	struct copy_arg *a = arg;
	pte_t child = __pte(0);
	int err;

	if (!k->ops->copy) {
		note_default(k, a->addr, "copy: not in the child (copy_pte_marker keeps only known bits)");
		return __pte(0);
	}
	err = k->ops->copy(k, a->dst, a->src, a->addr, &part, &child);
	if (err && !a->err)
		a->err = err;
	return child;
}

int vmsim__kind_copy(struct vm_area_struct *dst, struct vm_area_struct *src, uint64_t addr, pte_t *src_ptep,
		     pte_t *child)
{
	struct vmsim *vm = src->vm_mm->vm;
	pte_t pte = ptep_get(src_ptep);
	struct vmsim_kind *k = vmsim__kind_of(vm, pte);
	int err = 0;

	if (pte_is_marker(pte)) {
		struct copy_arg a = { dst, src, addr, src_ptep, 0 };

		*child = marker_map(vm, pte, copy_part, &a, 0);
		err = a.err;
	} else if (k && k->ops->copy) {
		*child = __pte(0);
		err = k->ops->copy(k, dst, src, addr, src_ptep, child);
	} else {
		/* copy_nonpresent_pte() falls through to a plain copy. */
		if (k)
			note_default(k, addr, "copy: copied as it is (copy_nonpresent_pte)");
		*child = pte;
	}
	if (err)
		return err;	/* a negative errno, or VMSIM_KIND_COPY_PRESENT */
	if (!pte_none(*child))
		*child = bits_copy(vm, dst, src, pte, *child);
	if (!pte_none(*child) && (k = vmsim__kind_of(vm, *child)))
		dst->vm_kinds |= 1ULL << k->slot;
	return 0;
}

/* ---- zap ---- */

struct zap_arg {
	struct vm_area_struct *vma;
	uint64_t addr;
	const struct zap_details *d;
};

static pte_t zap_part(const struct vmsim_kind *k, pte_t part, void *arg)
{
	struct zap_arg *a = arg;

	if (!k->ops->zap) {
		note_default(k, a->addr, "zap: cleared (zap_nonpresent_ptes: unrecognized swap entry, WARN)");
		return __pte(0);
	}
	return k->ops->zap(k, a->vma, a->addr, part, a->d) ? __pte(0) : part;
}

bool vmsim__kind_zap(struct vm_area_struct *vma, uint64_t addr, pte_t pte, const struct zap_details *d)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_kind *k;

	if (pte_is_marker(pte)) {
		struct zap_arg a = { vma, addr, d };

		/* Kept if any part is kept: zap_nonpresent_ptes() keeps a
		 * marker as soon as one of its branches says so. */
		return pte_none(marker_map(vm, pte, zap_part, &a, 0));
	}
	k = vmsim__kind_of(vm, pte);
	if (!k) {
		vmsim__trace(vm, &(struct vmsim_trace_event){ .type = VMSIM_TR_NOTE, .cpu = -1, .addr = addr,
				  .why = "zap of an unrecognized entry: cleared (WARN)" });
		return true;
	}
	if (!k->ops->zap) {
		note_default(k, addr, "zap: cleared (zap_nonpresent_ptes: unrecognized swap entry, WARN)");
		return true;
	}
	return k->ops->zap(k, vma, addr, pte, d);
}

pte_t vmsim__kind_zap_leave(struct vm_area_struct *vma, pte_t pteval, const struct zap_details *d)
{
	struct vmsim_kind_registry *r = reg(vma->vm_mm->vm);
	pte_marker leave = 0;

	for (unsigned i = 0; i < r->nr_bit_kinds; i++) {
		const struct vmsim_kind *k = r->bit_kinds[i];
		pte_t m;

		if (!k->ops->bit_zap)
			continue;
		m = k->ops->bit_zap(k, vma, pteval, d);
		leave |= marker_of(m);
	}
	return leave ? make_pte_marker(leave) : __pte(0);
}

/* ---- change_protection ---- */

struct prot_arg {
	struct vm_area_struct *vma;
	uint64_t addr;
	unsigned long cp_flags;
};

/* change_pte_range() keeps poison and guard markers explicitly and clears
 * every other marker on uffd-wp resolve: that is what a marker bit without
 * a change_prot hook gets. */
static pte_t prot_part(const struct vmsim_kind *k, pte_t part, void *arg)
{
	struct prot_arg *a = arg;

	if (k->ops->change_prot)
		return k->ops->change_prot(k, a->vma, a->addr, part, a->cp_flags);
	if (a->cp_flags & MM_CP_UFFD_WP_RESOLVE) {
		note_default(k, a->addr, "change_prot: marker cleared on uffd-wp resolve (change_pte_range)");
		return __pte(0);
	}
	note_default(k, a->addr, "change_prot: unchanged (change_pte_range)");
	return part;
}

static pte_t bits_change_prot(struct vmsim_kind_registry *r, struct vm_area_struct *vma, pte_t pte,
			      unsigned long cp_flags)
{
	for (unsigned i = 0; i < r->nr_bit_kinds; i++) {
		const struct vmsim_kind *k = r->bit_kinds[i];

		if (k->ops->bit_change_prot)
			pte = k->ops->bit_change_prot(k, vma, pte, cp_flags);
	}
	return pte;
}

pte_t vmsim__kind_change_prot(struct vm_area_struct *vma, uint64_t addr, pte_t pte, unsigned long cp_flags)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_kind_registry *r = reg(vm);

	/* Plain mprotect of a pte that carries no kind's bit: nothing to ask
	 * (the fast path of every present pte). */
	if (pte_present(pte) && !(cp_flags & r->cp_flags) && !(pte_val(pte) & r->bits))
		return pte;

	if (pte_none(pte)) {
		pte_marker m = 0;

		for (unsigned i = 0; i < r->nr_bit_kinds; i++) {
			const struct vmsim_kind *k = r->bit_kinds[i];

			if (k->ops->none_change_prot)
				m |= marker_of(k->ops->none_change_prot(k, vma, cp_flags));
		}
		return m ? make_pte_marker(m) : pte;
	}
	if (pte_present(pte))
		return bits_change_prot(r, vma, pte, cp_flags);
	if (pte_is_marker(pte)) {
		struct prot_arg a = { vma, addr, cp_flags };

		return marker_map(vm, pte, prot_part, &a, MAP_KEEP_SWP_BITS);
	}
	{
		struct vmsim_kind *k = vmsim__kind_of(vm, pte);

		if (k && k->ops->change_prot)
			pte = k->ops->change_prot(k, vma, addr, pte, cp_flags);
		else if (k)
			note_default(k, addr, "change_prot: unchanged (change_pte_range)");
	}
	return pte_none(pte) ? pte : bits_change_prot(r, vma, pte, cp_flags);
}

bool vmsim__kind_populate_needed(struct vm_area_struct *vma, unsigned long cp_flags)
{
	struct vmsim_kind_registry *r = reg(vma->vm_mm->vm);

	for (unsigned i = 0; i < r->nr_bit_kinds; i++) {
		const struct vmsim_kind *k = r->bit_kinds[i];

		if (k->ops->populate_needed && k->ops->populate_needed(k, vma, cp_flags))
			return true;
	}
	return false;
}

bool vmsim__kind_may_write(struct vm_area_struct *vma, pte_t pte)
{
	struct vmsim_kind_registry *r = reg(vma->vm_mm->vm);

	if (!(pte_val(pte) & r->bits))
		return true;
	for (unsigned i = 0; i < r->nr_bit_kinds; i++) {
		const struct vmsim_kind *k = r->bit_kinds[i];

		if ((pte_val(pte) & k->ops->pte_bit) && k->ops->bit_may_write &&
		    !k->ops->bit_may_write(k, vma, pte))
			return false;
	}
	return true;
}

/* ---- mremap ---- */

struct move_arg {
	struct vm_area_struct *old_vma, *new_vma;
	uint64_t addr;
};

static pte_t move_part(const struct vmsim_kind *k, pte_t part, void *arg)
{
	struct move_arg *a = arg;

	if (k->ops->move)
		return k->ops->move(k, a->old_vma, a->new_vma, part);
	note_default(k, a->addr, "move: moved as it is (move_ptes)");
	return part;
}

pte_t vmsim__kind_move(struct vm_area_struct *old_vma, struct vm_area_struct *new_vma, uint64_t addr, pte_t pte)
{
	struct vmsim *vm = old_vma->vm_mm->vm;
	struct vmsim_kind_registry *r = reg(vm);

	if (pte_is_marker(pte)) {
		struct move_arg a = { old_vma, new_vma, addr };

		/* move_ptes() clears the whole slot when one part must go. */
		pte = marker_map(vm, pte, move_part, &a, MAP_DROP_ANY | MAP_KEEP_SWP_BITS);
	} else if (!pte_present(pte)) {
		struct vmsim_kind *k = vmsim__kind_of(vm, pte);

		if (k && k->ops->move)
			pte = k->ops->move(k, old_vma, new_vma, pte);
		else if (k)
			note_default(k, addr, "move: moved as it is (move_ptes)");
	}
	if (pte_none(pte) || !(pte_val(pte) & r->bits))
		return pte;
	for (unsigned i = 0; i < r->nr_bit_kinds; i++) {
		const struct vmsim_kind *k = r->bit_kinds[i];

		if (k->ops->bit_move)
			pte = k->ops->bit_move(k, old_vma, pte);
	}
	return pte;
}

/* ---- present ptes turned into entries, and the frames entries name ---- */

int vmsim__kind_from_present(struct vm_area_struct *vma, const char *name, uint64_t addr, pte_t pte, pte_t *out)
{
	const struct vmsim_kind *k = vmsim_kind_lookup(vma->vm_mm->vm, name);

	if (!k)
		return -ENOENT;
	if (!k->ops->from_present)
		return -EOPNOTSUPP;
	return k->ops->from_present(k, vma, addr, pte, out);
}

#define HOLDS_ANY	(VMSIM_KIND_HOLDS_MAPCOUNT | VMSIM_KIND_HOLDS_REF | VMSIM_KIND_COUNTS_RSS)

struct vmsim_page *vmsim__kind_entry_page(struct vmsim *vm, pte_t pte, unsigned *holds)
{
	struct vmsim_kind *k;

	*holds = 0;
	if (pte_present(pte) || pte_none(pte) || pte_is_marker(pte))
		return NULL;
	k = vmsim__kind_of(vm, pte);
	if (!k || !(k->ops->flags & HOLDS_ANY))
		return NULL;
	*holds = k->ops->flags & HOLDS_ANY;
	return vmsim_pfn_to_page(vm, softleaf_to_pfn(softleaf_from_pte(pte)));
}

/* ---- madvise, pagemap, describe ---- */

bool vmsim__kind_guard_remove(struct vmsim *vm, uint64_t addr, pte_t pte)
{
	struct vmsim_kind_registry *r = reg(vm);
	pte_marker m = marker_of(pte);
	struct vmsim_kind *k;

	/* guard_remove_pte_entry() clears the whole pte. */
	for (unsigned i = 0; i < r->nr_marker_kinds; i++) {
		k = r->marker_kinds[i];
		if (!(m & k->marker))
			continue;
		if (!k->ops->guard_remove)
			note_default(k, addr, "guard_remove: kept (guard_remove_pte_entry)");
		else if (k->ops->guard_remove(k, marker_part(k, m)))
			return true;
	}
	if (!m && !pte_none(pte) && !pte_present(pte) && (k = vmsim__kind_of(vm, pte)) && !k->ops->guard_remove)
		note_default(k, addr, "guard_remove: kept (guard_remove_pte_entry)");
	return false;
}

uint64_t vmsim__kind_pagemap(struct vm_area_struct *vma, uint64_t addr, pte_t pte)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_kind_registry *r = reg(vm);
	softleaf_t e = softleaf_from_pte(pte);
	uint64_t flags = 0;

	if (pte_present(pte)) {
		for (unsigned i = 0; i < r->nr_bit_kinds; i++)
			if (pte_val(pte) & r->bit_kinds[i]->ops->pte_bit)
				flags |= r->bit_kinds[i]->ops->pm_flag;
		return flags;
	}
	/* Every non-present entry: PM_SWAP and, by default, the frame
	 * swap type | offset << MAX_SWAPFILES_SHIFT. */
	flags = PM_SWAP | (((uint64_t)swp_type(e) | ((uint64_t)swp_offset(e) << MAX_SWAPFILES_SHIFT)) &
			   PM_PFRAME_MASK);
	for (unsigned i = 0; i < r->nr_bit_kinds; i++)
		if (pte_val(pte) & r->bit_kinds[i]->ops->swp_bit)
			flags |= r->bit_kinds[i]->ops->pm_flag;
	if (pte_is_marker(pte)) {
		pte_marker m = marker_of(pte);

		for (unsigned i = 0; i < r->nr_marker_kinds; i++) {
			const struct vmsim_kind *k = r->marker_kinds[i];

			if (!(m & k->marker))
				continue;
			if (k->ops->pagemap)
				flags |= k->ops->pagemap(k, vma, marker_part(k, m)) & ~PM_PFRAME_MASK;
			else
				note_default(k, addr, "pagemap: PM_SWAP, frame = type | offset << 5");
		}
		return flags;
	}
	{
		struct vmsim_kind *k = vmsim__kind_of(vm, pte);

		if (k && k->ops->pagemap) {
			uint64_t v = k->ops->pagemap(k, vma, pte);

			flags = (flags & ~PM_PFRAME_MASK) | v;
		} else if (k) {
			note_default(k, addr, "pagemap: PM_SWAP, frame = type | offset << 5");
		}
	}
	return flags;
}

struct sd_arg {
	struct vm_area_struct *vma;
	uint64_t addr;
};

static pte_t sd_part(const struct vmsim_kind *k, pte_t part, void *arg)
{
	struct sd_arg *a = arg;

	if (k->ops->clear_soft_dirty)
		return k->ops->clear_soft_dirty(k, a->vma, a->addr, part);
	note_default(k, a->addr, "clear_soft_dirty: the swap pte's soft-dirty bit cleared (clear_refs_pte_range)");
	return part;
}

pte_t vmsim__kind_clear_soft_dirty(struct vm_area_struct *vma, uint64_t addr, pte_t pte)
{
	struct vmsim *vm = vma->vm_mm->vm;
	struct vmsim_kind *k;

	if (pte_is_marker(pte)) {
		struct sd_arg a = { vma, addr };

		pte = marker_map(vm, pte, sd_part, &a, MAP_KEEP_SWP_BITS);
	} else if ((k = vmsim__kind_of(vm, pte))) {
		if (k->ops->clear_soft_dirty)
			return k->ops->clear_soft_dirty(k, vma, addr, pte);
		note_default(k, addr, "clear_soft_dirty: the swap pte's soft-dirty bit cleared (clear_refs_pte_range)");
	}
	return pte_none(pte) ? pte : pte_swp_clear_soft_dirty(pte);
}

int vmsim_kind_describe(struct vmsim *vm, pte_t pte, char *buf, size_t size)
{
	struct vmsim_kind_registry *r;
	size_t used = 0;

	if (!vm || !buf || !size)
		return -EINVAL;
	r = reg(vm);
	buf[0] = 0;
	if (pte_is_marker(pte)) {
		pte_marker m = marker_of(pte), known = 0;

		for (unsigned i = 0; i < r->nr_marker_kinds && used < size; i++) {
			const struct vmsim_kind *k = r->marker_kinds[i];
			char part[64];

			if (!(m & k->marker))
				continue;
			known |= m & k->marker;
			if (k->ops->describe)
				k->ops->describe(k, marker_part(k, m), part, sizeof(part));
			else
				snprintf(part, sizeof(part), "%s", k->ops->name);
			used += (size_t)snprintf(buf + used, size - used, "%s%s", used ? "|" : "", part);
		}
		if (m & ~known && used < size)
			used += (size_t)snprintf(buf + used, size - used, "%sunknown marker %#lx",
						 used ? "|" : "", m & ~known);
		return (int)used;
	}
	{
		struct vmsim_kind *k = vmsim__kind_of(vm, pte);

		if (!k)
			return snprintf(buf, size, "unrecognized entry %#llx", (unsigned long long)pte_val(pte));
		if (k->ops->describe)
			return k->ops->describe(k, pte, buf, size);
		return snprintf(buf, size, "%s", k->ops->name);
	}
}

void vmsim__kind_note_vma(struct vm_area_struct *vma, pte_t pte)
{
	struct vmsim_kind *k = vmsim__kind_of(vma->vm_mm->vm, pte);

	if (k)
		vma->vm_kinds |= 1ULL << k->slot;
	if (pte_is_marker(pte)) {
		struct vmsim_kind_registry *r = reg(vma->vm_mm->vm);

		for (unsigned i = 0; i < r->nr_marker_kinds; i++)
			if (marker_of(pte) & r->marker_kinds[i]->marker)
				vma->vm_kinds |= 1ULL << r->marker_kinds[i]->slot;
	}
}

/* ---- PMD leaves: the same bits, one level up ---- */

static pte_t as_pte(pmd_t pmd) { return __pte(pmd_val(pmd)); }
static pmd_t as_pmd(pte_t pte) { return __pmd(pte_val(pte)); }

pmd_t vmsim__kind_pmd_bits_copy(struct vm_area_struct *dst, struct vm_area_struct *src, pmd_t old, pmd_t child)
{
	return as_pmd(bits_copy(src->vm_mm->vm, dst, src, as_pte(old), as_pte(child)));
}

/* __split_huge_pmd_locked(): every pte keeps the software bits the PMD had. */
pte_t vmsim__kind_pmd_split_bits(struct vm_area_struct *vma, pmd_t pmd, pte_t pte)
{
	struct vmsim_kind_registry *r = reg(vma->vm_mm->vm);

	for (unsigned i = 0; i < r->nr_bit_kinds; i++)
		pte = __pte(pte_val(pte) | (pmd_val(pmd) & r->bit_kinds[i]->ops->pte_bit));
	return pte;
}

pmd_t vmsim__kind_pmd_change_prot(struct vm_area_struct *vma, pmd_t pmd, unsigned long cp_flags)
{
	struct vmsim_kind_registry *r = reg(vma->vm_mm->vm);

	if (!(cp_flags & r->cp_flags) && !(pmd_val(pmd) & r->bits))
		return pmd;
	return as_pmd(bits_change_prot(r, vma, as_pte(pmd), cp_flags));
}

pmd_t vmsim__kind_pmd_move(struct vm_area_struct *old_vma, struct vm_area_struct *new_vma, uint64_t addr, pmd_t pmd)
{
	return as_pmd(vmsim__kind_move(old_vma, new_vma, addr, as_pte(pmd)));
}

unsigned vmsim__kind_pmd_wp_fault(struct vm_fault *vmf)
{
	struct vmsim_kind_registry *r = reg(vmf->vma->vm_mm->vm);

	if (!(pmd_val(vmf->orig_pmd) & r->bits))
		return 0;
	for (unsigned i = 0; i < r->nr_bit_kinds; i++) {
		const struct vmsim_kind *k = r->bit_kinds[i];
		unsigned ret;

		if (!(pmd_val(vmf->orig_pmd) & k->ops->pte_bit) || !k->ops->pmd_bit_wp_fault)
			continue;
		ret = k->ops->pmd_bit_wp_fault(k, vmf);
		if (ret)
			return ret;
	}
	return 0;
}

uint64_t vmsim__kind_pmd_pagemap(struct vm_area_struct *vma, uint64_t addr, pmd_t pmd)
{
	return vmsim__kind_pagemap(vma, addr, as_pte(pmd));
}

/* hpage_collapse_scan_pmd(): does a kind forbid folding this entry into
 * a THP (VMSIM_KIND_NO_COLLAPSE)? */
bool vmsim__kind_blocks_collapse(struct vmsim *vm, pte_t pte)
{
	struct vmsim_kind_registry *r = reg(vm);
	struct vmsim_kind *k;

	for (unsigned i = 0; i < r->nr_bit_kinds; i++) {
		const struct vmsim_kind *b = r->bit_kinds[i];

		if ((b->ops->flags & VMSIM_KIND_NO_COLLAPSE) &&
		    (pte_val(pte) & (pte_present(pte) ? b->ops->pte_bit : b->ops->swp_bit)))
			return true;
	}
	if (pte_present(pte) || pte_none(pte))
		return false;
	if (pte_is_marker(pte)) {
		for (unsigned i = 0; i < r->nr_marker_kinds; i++)
			if ((marker_of(pte) & r->marker_kinds[i]->marker) &&
			    (r->marker_kinds[i]->ops->flags & VMSIM_KIND_NO_COLLAPSE))
				return true;
		return false;
	}
	k = vmsim__kind_of(vm, pte);
	return k && (k->ops->flags & VMSIM_KIND_NO_COLLAPSE);
}

/* ---- memory pressure: holds, unmap/remap, swapoff ---- */

void vmsim__kind_hold(struct vm_area_struct *vma, pte_t pte, struct vmsim_kind_hold *h)
{
	struct vmsim_kind *k;

	*h = (struct vmsim_kind_hold){ .rss = -1, .swap = { 0 }, .pfn = ~0UL };
	if (pte_none(pte) || pte_present(pte) || pte_is_marker(pte))
		return;
	k = vmsim__kind_of(vma->vm_mm->vm, pte);
	if (k && k->ops->hold)
		k->ops->hold(k, vma, pte, h);
}

int vmsim__kind_unmap_entry(struct vm_area_struct *vma, uint64_t addr, const char *name, pte_t pteval,
			    struct vmsim_page *page, bool anon_exclusive, pte_t *out)
{
	const struct vmsim_kind *k = vmsim_kind_lookup(vma->vm_mm->vm, name);

	if (!k || !k->ops->unmap)
		return -EINVAL;
	return k->ops->unmap(k, vma, addr, pteval, page, anon_exclusive, out);
}

int vmsim__kind_remap(struct vm_area_struct *vma, uint64_t addr, pte_t entry, struct vmsim_page *page, pte_t *out,
		      bool *exclusive)
{
	struct vmsim_kind *k = vmsim__kind_of(vma->vm_mm->vm, entry);

	if (!k || !k->ops->remap)
		return -EINVAL;
	return k->ops->remap(k, vma, addr, entry, page, out, exclusive);
}

int vmsim__kind_unuse(struct vm_area_struct *vma, uint64_t addr, pte_t pte, int type)
{
	struct vmsim_kind *k = vmsim__kind_of(vma->vm_mm->vm, pte);

	if (!k || !k->ops->unuse)
		return 0;
	return k->ops->unuse(k, vma, addr, pte, type);
}

/* unuse_mm() for every process: each entry a kind may have to bring back
 * from swap device type, looked at without the pte lock (the hook takes it
 * and rechecks), under the mmap_lock. */
int vmsim__unuse_mms(struct vmsim *vm, int type)
{
	struct vmsim_mm *mm;

	for (mm = vm->mm_world->mms; mm; mm = mm->next) {
		struct vm_area_struct *v;
		int err = 0;

		if (mm->flags & MMF_OOM_VICTIM)
			continue;
		vmsim_lock_read(vm, &mm->mmap_lock);
		for (v = mm->mmap; v && !err; v = v->next) {
			for (uint64_t a = v->vm_start; a < v->vm_end && !err; a += PAGE_SIZE) {
				pte_t *ptep = vmsim__pte_lookup(mm, a);
				pte_t pte;

				if (!ptep || !is_swap_pte(pte = ptep_get(ptep)))
					continue;
				err = vmsim__kind_unuse(v, a, pte, type);
			}
		}
		vmsim_unlock_read(vm, &mm->mmap_lock);
		if (err)
			return err;
	}
	return 0;
}
