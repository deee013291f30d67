/* The lock model: mmap_lock, page-table locks, i_mmap_rwsem, anon_vma and
 * folio locks as checked state.  Operations run serially, so a lock that is
 * already taken can never be released by someone else: taking it again is
 * a deadlock, reported as a VMSIM_BUG, as lockdep would.  Order follows the
 * hierarchy at the top of mm/rmap.c. */
#include "../internal.h"

static const char *const class_names[VMSIM_LOCK_NR_CLASSES] = {
	[VMSIM_LOCK_MMAP] = "mmap_lock",
	[VMSIM_LOCK_FOLIO] = "folio_lock",
	[VMSIM_LOCK_I_MMAP] = "i_mmap_rwsem",
	[VMSIM_LOCK_ANON_VMA] = "anon_vma->rwsem",
	[VMSIM_LOCK_PAGE_TABLE] = "page_table_lock",
	[VMSIM_LOCK_PTL] = "ptl",
	[VMSIM_LOCK_OTHER] = "lock",
};

const char *vmsim_lock_class_name(enum vmsim_lock_class c)
{
	return (unsigned)c < VMSIM_LOCK_NR_CLASSES ? class_names[c] : "?";
}

int vmsim_lock_init(struct vmsim_lock *l, enum vmsim_lock_class c)
{
	if (!l || (unsigned)c >= VMSIM_LOCK_NR_CLASSES)
		return -EINVAL;
	*l = (struct vmsim_lock){ .state = 0, .lclass = (uint16_t)c, .owner = 0 };
	return 0;
}

/* A lock a user hands in: NULL or never initialised (no class) is bad
 * input, ignored before any state changes. */
static bool lock_arg_ok(const struct vmsim *vm, const struct vmsim_lock *l)
{
	return vm && l && l->lclass < VMSIM_LOCK_NR_CLASSES;
}

/* Nesting rule: classes strictly increase, except that several locks of a
 * class that Linux nests with subclasses (folio, ptl of two tables, two
 * mmap_locks at fork) may be held together. */
static bool order_ok(const struct vmsim *vm, const struct vmsim_lock *l)
{
	for (unsigned i = 0; i < vm->nr_held; i++) {
		const struct vmsim_lock *h = vm->held[i];

		if (h->lclass > l->lclass && l->lclass != VMSIM_LOCK_OTHER && h->lclass != VMSIM_LOCK_OTHER)
			return false;
	}
	return true;
}

static void push(struct vmsim *vm, struct vmsim_lock *l)
{
	if (VMSIM_BUG_ON(vm, vm->nr_held >= VMSIM_MAX_HELD_LOCKS, "too many locks held"))
		return;
	vm->held[vm->nr_held++] = l;
}

static void pop(struct vmsim *vm, struct vmsim_lock *l)
{
	for (unsigned i = vm->nr_held; i-- > 0;) {
		if (vm->held[i] == l) {
			for (unsigned j = i; j + 1 < vm->nr_held; j++)
				vm->held[j] = vm->held[j + 1];
			vm->nr_held--;
			return;
		}
	}
	VMSIM_BUG(vm, "releasing %s that is not held", vmsim_lock_class_name(l->lclass));
}

void vmsim_lock(struct vmsim *vm, struct vmsim_lock *l)
{
	if (!lock_arg_ok(vm, l))
		return;
	if (VMSIM_BUG_ON(vm, l->state != 0, "deadlock: %s already %s", vmsim_lock_class_name(l->lclass),
			 l->state > 0 ? "read-held" : "held"))
		return;
	VMSIM_BUG_ON(vm, !order_ok(vm, l), "lock order: %s taken inside a later class",
		     vmsim_lock_class_name(l->lclass));
	l->state = -1;
	l->owner = vm->ctx;
	push(vm, l);
}

void vmsim_lock_read(struct vmsim *vm, struct vmsim_lock *l)
{
	if (!lock_arg_ok(vm, l))
		return;
	if (VMSIM_BUG_ON(vm, l->state < 0, "deadlock: %s write-held", vmsim_lock_class_name(l->lclass)))
		return;
	VMSIM_BUG_ON(vm, !order_ok(vm, l), "lock order: %s taken inside a later class",
		     vmsim_lock_class_name(l->lclass));
	l->state++;
	push(vm, l);
}

bool vmsim_trylock(struct vmsim *vm, struct vmsim_lock *l)
{
	if (!lock_arg_ok(vm, l) || l->state != 0)
		return false;
	l->state = -1;
	l->owner = vm->ctx;
	push(vm, l);
	return true;
}

void vmsim_unlock(struct vmsim *vm, struct vmsim_lock *l)
{
	if (!lock_arg_ok(vm, l))
		return;
	if (VMSIM_BUG_ON(vm, l->state != -1, "unlock of %s not write-held", vmsim_lock_class_name(l->lclass)))
		return;
	l->state = 0;
	l->owner = 0;
	pop(vm, l);
}

void vmsim_unlock_read(struct vmsim *vm, struct vmsim_lock *l)
{
	if (!lock_arg_ok(vm, l))
		return;
	if (VMSIM_BUG_ON(vm, l->state <= 0, "read-unlock of %s not read-held", vmsim_lock_class_name(l->lclass)))
		return;
	l->state--;
	pop(vm, l);
}

bool vmsim_lock_held(const struct vmsim_lock *l)
{
	return l && l->state != 0;
}

bool vmsim_lock_held_write(const struct vmsim_lock *l)
{
	return l && l->state == -1;
}

void vmsim__lock_assert(struct vmsim *vm, const struct vmsim_lock *l, bool write, const char *func)
{
	if (!lock_arg_ok(vm, l))
		return;
	if (write ? l->state != -1 : l->state == 0)
		vmsim__bug(vm, func, __FILE__, __LINE__, "%s not held%s", vmsim_lock_class_name(l->lclass),
			   write ? " for write" : "");
}

unsigned vmsim_locks_held(const struct vmsim *vm)
{
	if (!vm)
		return 0;
	return vm->nr_held;
}
