/* Checked constructors over the swapops.h inlines (which, like Linux's,
 * silently mask), and the names of softleaf types. */
#include "../internal.h"

int vmsim_swp_entry_to_pte(unsigned type, unsigned long offset, pte_t *out)
{
	if (!out || type >= (1u << MAX_SWAPFILES_SHIFT) || (offset >> SWP_ARCH_OFFSET_BITS))
		return -EINVAL;
	*out = swp_entry_to_pte(swp_entry(type, offset));
	return 0;
}

int vmsim_make_pte_marker(pte_marker marker, pte_t *out)
{
	if (!out || !marker || (marker & ~PTE_MARKER_MASK))
		return -EINVAL;
	*out = make_pte_marker(marker);
	return 0;
}

const char *vmsim_softleaf_type_name(enum softleaf_type type)
{
	static const char *const names[] = {
		[SOFTLEAF_NONE] = "none",
		[SOFTLEAF_SWAP] = "swap",
		[SOFTLEAF_MIGRATION_READ] = "migration_read",
		[SOFTLEAF_MIGRATION_READ_EXCLUSIVE] = "migration_read_exclusive",
		[SOFTLEAF_MIGRATION_WRITE] = "migration_write",
		[SOFTLEAF_DEVICE_PRIVATE_READ] = "device_private_read",
		[SOFTLEAF_DEVICE_PRIVATE_WRITE] = "device_private_write",
		[SOFTLEAF_DEVICE_EXCLUSIVE] = "device_exclusive",
		[SOFTLEAF_HWPOISON] = "hwpoison",
		[SOFTLEAF_MARKER] = "marker",
	};

	return (unsigned)type <= SOFTLEAF_MARKER ? names[type] : "?";
}
