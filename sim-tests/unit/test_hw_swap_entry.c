/* Unit tests: swap entries, special entries and PTE markers
 * (include/vmsim/swapops.h, leafops.h, hw/swap_entry.c).
 *
 * x86-64 swap PTE (arch/x86/include/asm/pgtable_64.h):
 *   | TYPE (59-63) | ~OFFSET (9-58) | 0 0 X X X E UW SD 0 |   (bits 8..0)
 * so raw = type << 59 | ((~offset & (2^50 - 1)) << 9); flags: soft-dirty
 * bit 1, uffd-wp bit 2, exclusive bit 3.  Arch-independent swp_entry_t:
 * type << 58 | offset (58 bits).  Type numbers as in Linux 6.15+ with every
 * option on (include/linux/swap.h). */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <string.h>
#include <cmocka.h>

#include "testutil.h"

#define OFF_MAX		((1UL << 50) - 1)
#define OFF_MASK50	((1ULL << 50) - 1)

/* The arch format, written from the picture above (independent of the
 * shift-based macros under test). */
static uint64_t arch_raw(uint64_t type, uint64_t offset)
{
	return (type << 59) | ((~offset & OFF_MASK50) << 9);
}

static void test_arch_raw_values(void **state)
{
	(void)state;
	/* Type 0, offset 0: all 50 offset bits set (inverted zero). */
	assert_int_equal(__swp_entry(0, 0).val, 0x07fffffffffffe00ULL);
	assert_int_equal(__swp_entry(0, 1).val, 0x07fffffffffffc00ULL);
	assert_int_equal(__swp_entry(1, 0).val, 0x0ffffffffffffe00ULL);
	assert_int_equal(__swp_entry(1, 1).val, 0x0ffffffffffffc00ULL);
	assert_int_equal(__swp_entry(5, 12345).val, 0x2fffffffff9f8c00ULL);
	assert_int_equal(__swp_entry(23, 0x12345).val, 0xbffffffffdb97400ULL);
	assert_int_equal(__swp_entry(31, OFF_MAX).val, 0xf800000000000000ULL);
	assert_int_equal(__swp_entry(31, 0).val, 0xfffffffffffffe00ULL);
	/* Decoding. */
	assert_int_equal(__swp_type(((swp_entry_t){ 0xbffffffffdb97400ULL })), 23);
	assert_int_equal(__swp_offset(((swp_entry_t){ 0xbffffffffdb97400ULL })), 0x12345);
	assert_int_equal(__swp_offset(((swp_entry_t){ 0x07fffffffffffe00ULL })), 0);
	/* Bits 0..8 never take part (flags live there). */
	assert_int_equal(__swp_offset(((swp_entry_t){ 0x2fffffffff9f8c00ULL | 0x1ff })), 12345);
	assert_int_equal(__swp_type(((swp_entry_t){ 0x2fffffffff9f8c00ULL | 0x1ff })), 5);
	/* The constants of the layout. */
	assert_int_equal(SWP_TYPE_BITS, 5);
	assert_int_equal(SWP_OFFSET_FIRST_BIT, 9);
	assert_int_equal(SWP_OFFSET_SHIFT, 14);
	assert_int_equal(SWP_ARCH_OFFSET_BITS, 50);
}

static void test_swp_entry_layout(void **state)
{
	swp_entry_t e;

	(void)state;
	assert_int_equal(SWP_TYPE_SHIFT, 58);
	e = swp_entry(5, 12345);
	assert_int_equal(e.val, 0x1400000000003039ULL);
	assert_int_equal(swp_type(e), 5);
	assert_int_equal(swp_offset(e), 12345);
	/* The offset is masked to 58 bits, bit 63 stays clear (xarray value). */
	e = swp_entry(31, ~0UL);
	assert_int_equal(e.val, 0x7fffffffffffffffULL);
	assert_int_equal(swp_type(e), 31);
	assert_int_equal(swp_offset(e), (1UL << 58) - 1);
}

static void test_round_trip_all_types(void **state)
{
	const unsigned long offs[] = { 0, 1, 12345, OFF_MAX };

	(void)state;
	for (unsigned t = 0; t < 32; t++) {
		for (size_t i = 0; i < sizeof(offs) / sizeof(offs[0]); i++) {
			swp_entry_t e = swp_entry(t, offs[i]), back;
			pte_t pte = swp_entry_to_pte(e);

			assert_int_equal(pte_val(pte), arch_raw(t, offs[i]));
			back = pte_to_swp_entry(pte);
			assert_int_equal(back.val, e.val);
			assert_int_equal(swp_type(back), t);
			assert_int_equal(swp_offset(back), offs[i]);
			/* Never present; bits 7 and 8 stay clear. */
			assert_false(pte_present(pte));
			assert_int_equal(pte_val(pte) & 0x1ff, 0);
			/* Only type 0 with the all-ones offset encodes to 0, which
			 * is the none PTE: every other entry is a swap PTE. */
			if (t == 0 && offs[i] == OFF_MAX) {
				assert_int_equal(pte_val(pte), 0);
				assert_true(pte_none(pte));
			} else {
				assert_true(is_swap_pte(pte));
			}
			/* The PMD encoding is the same. */
			assert_int_equal(pmd_val(swp_entry_to_pmd(e)), arch_raw(t, offs[i]));
			assert_int_equal(pmd_to_swp_entry(swp_entry_to_pmd(e)).val, e.val);
		}
	}
}

static void test_flags_survive(void **state)
{
	const unsigned types[] = { 0, 7, 23, 24, 27, 31 };
	const unsigned long offs[] = { 1, 12345, OFF_MAX };

	(void)state;
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		for (size_t j = 0; j < sizeof(offs) / sizeof(offs[0]); j++) {
			pte_t pte = swp_entry_to_pte(swp_entry(types[i], offs[j]));
			uint64_t raw = arch_raw(types[i], offs[j]);
			pte_t sd = pte_swp_mksoft_dirty(pte);
			pte_t uw = pte_swp_mkuffd_wp(pte);
			pte_t ex = pte_swp_mkexclusive(pte);
			pte_t all = pte_swp_mkexclusive(pte_swp_mkuffd_wp(pte_swp_mksoft_dirty(pte)));

			assert_int_equal(pte_val(sd), raw | 0x2);
			assert_int_equal(pte_val(uw), raw | 0x4);
			assert_int_equal(pte_val(ex), raw | 0x8);
			assert_int_equal(pte_val(all), raw | 0xe);
			assert_true(pte_swp_soft_dirty(sd) && !pte_swp_uffd_wp(sd) && !pte_swp_exclusive(sd));
			assert_true(!pte_swp_soft_dirty(uw) && pte_swp_uffd_wp(uw) && !pte_swp_exclusive(uw));
			assert_true(!pte_swp_soft_dirty(ex) && !pte_swp_uffd_wp(ex) && pte_swp_exclusive(ex));
			assert_true(pte_swp_soft_dirty(all) && pte_swp_uffd_wp(all) && pte_swp_exclusive(all));
			assert_true(is_swap_pte(all));
			assert_false(pte_present(all));
			assert_int_equal(swp_type(pte_to_swp_entry(all)), types[i]);
			assert_int_equal(swp_offset(pte_to_swp_entry(all)), offs[j]);
			assert_int_equal(swp_offset(pte_to_swp_entry(sd)), offs[j]);
			assert_int_equal(swp_offset(pte_to_swp_entry(uw)), offs[j]);
			assert_int_equal(swp_offset(pte_to_swp_entry(ex)), offs[j]);
			assert_int_equal(softleaf_from_pte(all).val, swp_entry(types[i], offs[j]).val);
			/* Clearing each flag gives the plain entry back. */
			assert_int_equal(pte_val(pte_swp_clear_exclusive(pte_swp_clear_uffd_wp(
					 pte_swp_clear_soft_dirty(all)))), raw);
		}
	}
}

static void test_type_numbers(void **state)
{
	(void)state;
	assert_int_equal(MAX_SWAPFILES, 24);
	assert_int_equal(SWP_HWPOISON, 24);
	assert_int_equal(SWP_MIGRATION_READ, 25);
	assert_int_equal(SWP_MIGRATION_READ_EXCLUSIVE, 26);
	assert_int_equal(SWP_MIGRATION_WRITE, 27);
	assert_int_equal(SWP_DEVICE_WRITE, 28);
	assert_int_equal(SWP_DEVICE_READ, 29);
	assert_int_equal(SWP_DEVICE_EXCLUSIVE, 30);
	assert_int_equal(SWP_PTE_MARKER, 31);
	/* Constructors use them. */
	assert_int_equal(swp_type(make_hwpoison_entry(1)), 24);
	assert_int_equal(swp_type(make_readable_migration_entry(1)), 25);
	assert_int_equal(swp_type(make_readable_exclusive_migration_entry(1)), 26);
	assert_int_equal(swp_type(make_writable_migration_entry(1)), 27);
	assert_int_equal(swp_type(make_writable_device_private_entry(1)), 28);
	assert_int_equal(swp_type(make_readable_device_private_entry(1)), 29);
	assert_int_equal(swp_type(make_device_exclusive_entry(1)), 30);
	assert_int_equal(swp_type(make_pte_marker_entry(1)), 31);
	assert_int_equal(swp_offset(make_writable_migration_entry(0x777)), 0x777);
}

/* Expected classification of each type number (offset 1). */
struct kind {
	enum softleaf_type st;
	bool swap, mig, mig_r, mig_rx, mig_w, dev, dev_w, dev_x, hwp, marker, pfn;
};

static struct kind kind_of(unsigned t)
{
	struct kind k = { 0 };

	if (t < 24) {
		k.st = SOFTLEAF_SWAP;
		k.swap = true;
		return k;
	}
	switch (t) {
	case 24: k.st = SOFTLEAF_HWPOISON; k.hwp = k.pfn = true; break;
	case 25: k.st = SOFTLEAF_MIGRATION_READ; k.mig = k.mig_r = k.pfn = true; break;
	case 26: k.st = SOFTLEAF_MIGRATION_READ_EXCLUSIVE; k.mig = k.mig_rx = k.pfn = true; break;
	case 27: k.st = SOFTLEAF_MIGRATION_WRITE; k.mig = k.mig_w = k.pfn = true; break;
	case 28: k.st = SOFTLEAF_DEVICE_PRIVATE_WRITE; k.dev = k.dev_w = k.pfn = true; break;
	case 29: k.st = SOFTLEAF_DEVICE_PRIVATE_READ; k.dev = k.pfn = true; break;
	case 30: k.st = SOFTLEAF_DEVICE_EXCLUSIVE; k.dev_x = k.pfn = true; break;
	default: k.st = SOFTLEAF_MARKER; k.marker = true; break;
	}
	return k;
}

static void test_softleaf_predicates(void **state)
{
	(void)state;
	for (unsigned t = 0; t < 32; t++) {
		struct kind k = kind_of(t);
		softleaf_t e = softleaf_from_pte(swp_entry_to_pte(swp_entry(t, 1)));

		assert_int_equal(swp_type(e), t);
		assert_int_equal(softleaf_type(e), k.st);
		assert_false(softleaf_is_none(e));
		assert_int_equal(softleaf_is_swap(e), k.swap);
		assert_int_equal(softleaf_is_migration(e), k.mig);
		assert_int_equal(softleaf_is_migration_read(e), k.mig_r);
		assert_int_equal(softleaf_is_migration_read_exclusive(e), k.mig_rx);
		assert_int_equal(softleaf_is_migration_write(e), k.mig_w);
		assert_int_equal(softleaf_is_device_private(e), k.dev);
		assert_int_equal(softleaf_is_device_private_write(e), k.dev_w);
		assert_int_equal(softleaf_is_device_exclusive(e), k.dev_x);
		assert_int_equal(softleaf_is_hwpoison(e), k.hwp);
		assert_int_equal(softleaf_is_marker(e), k.marker);
		assert_int_equal(softleaf_has_pfn(e), k.pfn);
		/* The classic swapops.h names agree. */
		assert_int_equal(non_swap_entry(e), !k.swap);
		assert_int_equal(is_migration_entry(e), k.mig);
		assert_int_equal(is_readable_migration_entry(e), k.mig_r);
		assert_int_equal(is_readable_exclusive_migration_entry(e), k.mig_rx);
		assert_int_equal(is_writable_migration_entry(e), k.mig_w);
		assert_int_equal(is_device_private_entry(e), k.dev);
		assert_int_equal(is_writable_device_private_entry(e), k.dev_w);
		assert_int_equal(is_device_exclusive_entry(e), k.dev_x);
		assert_int_equal(is_hwpoison_entry(e), k.hwp);
		assert_int_equal(is_pte_marker_entry(e), k.marker);
		/* is_pfn_swap_entry includes hwpoison (6.x). */
		assert_int_equal(is_pfn_swap_entry(e), k.pfn);
		assert_int_equal(pte_is_marker(softleaf_to_pte(e)), k.marker);
		assert_int_equal(is_pte_marker(softleaf_to_pte(e)), k.marker);
	}
}

static void test_softleaf_from_pte_none(void **state)
{
	(void)state;
	/* Present, PROT_NONE and none PTEs all give the none leaf. */
	assert_true(softleaf_is_none(softleaf_from_pte(pfn_pte(5, PAGE_READONLY))));
	assert_true(softleaf_is_none(softleaf_from_pte(pfn_pte(5, PAGE_NONE))));
	assert_true(softleaf_is_none(softleaf_from_pte(__pte(0))));
	assert_true(softleaf_is_none(softleaf_from_pte(__pte(0x60))));	/* KNL A/D */
	assert_int_equal(softleaf_type(softleaf_from_pte(pfn_pte(5, PAGE_SHARED))), SOFTLEAF_NONE);
	assert_int_equal(softleaf_type(softleaf_mk_none()), SOFTLEAF_NONE);
	/* A present PTE that has bit 2 (USER) etc. is no marker. */
	assert_false(pte_is_marker(pfn_pte(5, PAGE_READONLY)));
	/* PMDs: present and none give none; migration is a valid softleaf. */
	assert_true(softleaf_is_none(softleaf_from_pmd(pmd_mkhuge(pfn_pmd(0x200, PAGE_READONLY)))));
	assert_true(softleaf_is_none(softleaf_from_pmd(__pmd(0))));
	assert_true(pmd_is_migration_entry(swp_entry_to_pmd(make_writable_migration_entry(0x200))));
	assert_true(pmd_is_valid_softleaf(swp_entry_to_pmd(make_readable_migration_entry(0x200))));
	assert_true(pmd_is_valid_softleaf(swp_entry_to_pmd(make_readable_device_private_entry(0x200))));
	assert_false(pmd_is_valid_softleaf(swp_entry_to_pmd(make_hwpoison_entry(0x200))));
	assert_false(pmd_is_valid_softleaf(swp_entry_to_pmd(swp_entry(3, 0x200))));
	assert_false(pmd_is_valid_softleaf(pmd_mkhuge(pfn_pmd(0x200, PAGE_READONLY))));
	assert_false(pmd_is_migration_entry(__pmd(0)));
}

static void test_migration_entries(void **state)
{
	const unsigned long pfns[] = { 0, 1, 0xabcde, (1UL << 40) - 1 };

	(void)state;
	assert_int_equal(SWP_PFN_BITS, 40);
	assert_int_equal(SWP_MIG_YOUNG_BIT, 40);
	assert_int_equal(SWP_MIG_DIRTY_BIT, 41);
	assert_true(migration_entry_supports_ad());
	for (size_t i = 0; i < sizeof(pfns) / sizeof(pfns[0]); i++) {
		swp_entry_t e = make_writable_migration_entry(pfns[i]);
		swp_entry_t y = make_migration_entry_young(e);
		swp_entry_t yd = make_migration_entry_dirty(y);
		swp_entry_t back;

		assert_false(is_migration_entry_young(e));
		assert_false(is_migration_entry_dirty(e));
		assert_int_equal(swp_offset(y), pfns[i] | (1UL << 40));
		assert_true(is_migration_entry_young(y));
		assert_false(is_migration_entry_dirty(y));
		assert_int_equal(swp_offset(yd), pfns[i] | (3UL << 40));
		assert_true(is_migration_entry_dirty(yd));
		assert_int_equal(swp_offset(make_migration_entry_dirty(e)), pfns[i] | (1UL << 41));
		assert_false(is_migration_entry_young(make_migration_entry_dirty(e)));
		/* Through a PTE and back: type, A/D and PFN all survive. */
		assert_int_equal(pte_val(swp_entry_to_pte(yd)), arch_raw(27, pfns[i] | (3UL << 40)));
		back = softleaf_from_pte(swp_entry_to_pte(yd));
		assert_true(softleaf_is_migration_write(back));
		assert_true(softleaf_is_migration_young(back));
		assert_true(softleaf_is_migration_dirty(back));
		assert_int_equal(swp_offset_pfn(back), pfns[i]);
		assert_int_equal(softleaf_to_pfn(back), pfns[i]);
		assert_false(softleaf_is_migration_young(softleaf_from_pte(swp_entry_to_pte(e))));
		assert_false(softleaf_is_migration_dirty(softleaf_from_pte(swp_entry_to_pte(y))));
	}
	/* The largest PFN with both bits, raw. */
	assert_int_equal(pte_val(swp_entry_to_pte(make_migration_entry_dirty(make_migration_entry_young(
				 make_writable_migration_entry((1UL << 40) - 1))))), 0xdff8000000000000ULL);
	/* Readable kinds keep their type when aged. */
	assert_true(is_readable_migration_entry(make_migration_entry_young(make_readable_migration_entry(9))));
	assert_true(is_readable_exclusive_migration_entry(
		make_migration_entry_dirty(make_readable_exclusive_migration_entry(9))));
}

static void test_pfn_entries(void **state)
{
	swp_entry_t e;

	(void)state;
	e = make_hwpoison_entry(0x77);
	assert_int_equal(pte_val(swp_entry_to_pte(e)), 0xc7ffffffffff1000ULL);
	assert_true(is_hwpoison_entry(e));
	assert_true(is_pfn_swap_entry(e));
	assert_true(non_swap_entry(e));
	assert_int_equal(swp_offset_pfn(e), 0x77);
	e = softleaf_from_pte(swp_entry_to_pte(make_device_exclusive_entry(0x1234)));
	assert_true(softleaf_has_pfn(e));
	assert_int_equal(softleaf_to_pfn(e), 0x1234);
	e = make_readable_device_private_entry(0x99);
	assert_true(is_pfn_swap_entry(e));
	assert_false(is_writable_device_private_entry(e));
	assert_true(is_writable_device_private_entry(make_writable_device_private_entry(0x99)));
	/* Ordinary swap entries and markers carry no PFN. */
	assert_false(is_pfn_swap_entry(swp_entry(0, 5)));
	assert_false(is_pfn_swap_entry(swp_entry(23, 5)));
	assert_false(is_pfn_swap_entry(make_pte_marker_entry(PTE_MARKER_GUARD)));
	/* swp_offset_pfn masks the bits above SWP_PFN_BITS. */
	assert_int_equal(swp_offset_pfn(swp_entry(25, (1UL << 45) | 0x42)), 0x42);
}

static void test_markers(void **state)
{
	pte_t uffd = make_pte_marker(PTE_MARKER_UFFD_WP);
	pte_t poison = make_pte_marker(PTE_MARKER_POISONED);
	pte_t guard = make_pte_marker(PTE_MARKER_GUARD);

	(void)state;
	assert_int_equal(PTE_MARKER_UFFD_WP, 1);
	assert_int_equal(PTE_MARKER_POISONED, 2);
	assert_int_equal(PTE_MARKER_GUARD, 4);
	/* Linux's three bits, then bits 3..15 kept free for prototype kinds. */
	assert_int_equal(PTE_MARKER_MASK, 0xffff);
	/* Type 31, offset = the marker bits. */
	assert_int_equal(pte_val(uffd), 0xfffffffffffffc00ULL);
	assert_int_equal(pte_val(poison), 0xfffffffffffffa00ULL);
	assert_int_equal(pte_val(guard), 0xfffffffffffff600ULL);
	assert_int_equal(pte_val(swp_entry_to_pte(make_poisoned_swp_entry())), pte_val(poison));
	assert_int_equal(pte_val(swp_entry_to_pte(make_guard_swp_entry())), pte_val(guard));

	/* Every marker is a swap PTE (in the wide sense) and a marker. */
	assert_true(is_swap_pte(uffd) && is_swap_pte(poison) && is_swap_pte(guard));
	assert_true(pte_is_marker(uffd) && pte_is_marker(poison) && pte_is_marker(guard));
	assert_true(is_pte_marker(uffd) && is_pte_marker(poison) && is_pte_marker(guard));
	assert_int_equal(softleaf_to_marker(softleaf_from_pte(guard)), PTE_MARKER_GUARD);
	assert_int_equal(pte_marker_get(pte_to_swp_entry(poison)), PTE_MARKER_POISONED);

	/* uffd-wp. */
	assert_true(pte_marker_uffd_wp(uffd));
	assert_false(pte_marker_uffd_wp(poison));
	assert_false(pte_marker_uffd_wp(guard));
	assert_true(pte_is_uffd_wp_marker(uffd));
	assert_false(pte_is_uffd_wp_marker(guard));
	assert_true(pte_marker_entry_uffd_wp(pte_to_swp_entry(uffd)));
	assert_true(softleaf_is_uffd_wp_marker(softleaf_from_pte(uffd)));
	/* pte_is_uffd_marker: uffd-wp or poison, not guard. */
	assert_true(pte_is_uffd_marker(uffd));
	assert_true(pte_is_uffd_marker(poison));
	assert_false(pte_is_uffd_marker(guard));
	/* poison and guard. */
	assert_true(softleaf_is_poison_marker(softleaf_from_pte(poison)));
	assert_false(softleaf_is_poison_marker(softleaf_from_pte(guard)));
	assert_true(is_poisoned_swp_entry(pte_to_swp_entry(poison)));
	assert_false(is_poisoned_swp_entry(pte_to_swp_entry(uffd)));
	assert_true(softleaf_is_guard_marker(softleaf_from_pte(guard)));
	assert_false(softleaf_is_guard_marker(softleaf_from_pte(uffd)));
	assert_false(softleaf_is_guard_marker(softleaf_from_pte(poison)));
	assert_true(is_guard_swp_entry(pte_to_swp_entry(guard)));
	assert_false(is_guard_swp_entry(pte_to_swp_entry(poison)));
	/* Marker bits in a non-marker entry mean nothing. */
	assert_false(softleaf_is_guard_marker(swp_entry(3, PTE_MARKER_GUARD)));
	assert_false(is_guard_swp_entry(swp_entry(3, PTE_MARKER_GUARD)));
	assert_false(pte_marker_uffd_wp(swp_entry_to_pte(swp_entry(3, PTE_MARKER_UFFD_WP))));
}

static void test_uffd_wp_any_none_mostly(void **state)
{
	pte_t swap = swp_entry_to_pte(swp_entry(2, 100));

	(void)state;
	/* pte_swp_uffd_wp_any: the swap bit or a uffd-wp marker. */
	assert_false(pte_swp_uffd_wp_any(swap));
	assert_true(pte_swp_uffd_wp_any(pte_swp_mkuffd_wp(swap)));
	assert_true(pte_swp_uffd_wp_any(make_pte_marker(PTE_MARKER_UFFD_WP)));
	assert_false(pte_swp_uffd_wp_any(make_pte_marker(PTE_MARKER_GUARD)));
	assert_false(pte_swp_uffd_wp_any(make_pte_marker(PTE_MARKER_POISONED)));
	/* A present PTE has USER in bit 2: that is not swp-uffd-wp. */
	assert_false(pte_swp_uffd_wp_any(pfn_pte(5, PAGE_READONLY)));
	assert_false(pte_swp_uffd_wp_any(pte_mkuffd_wp(pfn_pte(5, PAGE_SHARED))));
	assert_false(pte_swp_uffd_wp_any(__pte(0)));
	/* pte_none_mostly: none, or only a marker. */
	assert_true(pte_none_mostly(__pte(0)));
	assert_true(pte_none_mostly(__pte(0x60)));
	assert_true(pte_none_mostly(make_pte_marker(PTE_MARKER_UFFD_WP)));
	assert_true(pte_none_mostly(make_pte_marker(PTE_MARKER_POISONED)));
	assert_true(pte_none_mostly(make_pte_marker(PTE_MARKER_GUARD)));
	assert_false(pte_none_mostly(swap));
	assert_false(pte_none_mostly(swp_entry_to_pte(make_writable_migration_entry(3))));
	assert_false(pte_none_mostly(pfn_pte(5, PAGE_READONLY)));
	assert_false(pte_none_mostly(pfn_pte(5, PAGE_NONE)));
	/* is_swap_pte: not none and not present. */
	assert_true(is_swap_pte(swap));
	assert_false(is_swap_pte(__pte(0)));
	assert_false(is_swap_pte(pfn_pte(5, PAGE_READONLY)));
	assert_false(is_swap_pte(pfn_pte(5, PAGE_NONE)));
}

static void test_checked_constructors(void **state)
{
	pte_t p = __pte(0x5a5a);

	(void)state;
	assert_int_equal(vmsim_swp_entry_to_pte(0, 0, &p), 0);
	assert_int_equal(pte_val(p), 0x07fffffffffffe00ULL);
	assert_int_equal(vmsim_swp_entry_to_pte(31, OFF_MAX, &p), 0);
	assert_int_equal(pte_val(p), 0xf800000000000000ULL);
	assert_int_equal(vmsim_swp_entry_to_pte(5, 12345, &p), 0);
	assert_int_equal(pte_val(p), 0x2fffffffff9f8c00ULL);
	/* Out of range: -EINVAL, *out untouched. */
	p = __pte(0x5a5a);
	assert_int_equal(vmsim_swp_entry_to_pte(32, 0, &p), -EINVAL);
	assert_int_equal(vmsim_swp_entry_to_pte(~0u, 0, &p), -EINVAL);
	assert_int_equal(vmsim_swp_entry_to_pte(0, 1UL << 50, &p), -EINVAL);
	assert_int_equal(vmsim_swp_entry_to_pte(3, ~0UL, &p), -EINVAL);
	assert_int_equal(vmsim_swp_entry_to_pte(3, 1UL << 57, &p), -EINVAL);
	assert_int_equal(pte_val(p), 0x5a5a);
	assert_int_equal(vmsim_swp_entry_to_pte(0, 0, NULL), -EINVAL);

	assert_int_equal(vmsim_make_pte_marker(PTE_MARKER_UFFD_WP, &p), 0);
	assert_int_equal(pte_val(p), 0xfffffffffffffc00ULL);
	assert_int_equal(vmsim_make_pte_marker(PTE_MARKER_GUARD, &p), 0);
	assert_int_equal(pte_val(p), 0xfffffffffffff600ULL);
	assert_int_equal(vmsim_make_pte_marker(7, &p), 0);
	assert_int_equal(pte_val(p), 0xfffffffffffff000ULL);
	p = __pte(0x5a5a);
	assert_int_equal(vmsim_make_pte_marker(0, &p), -EINVAL);
	assert_int_equal(vmsim_make_pte_marker(0x10000, &p), -EINVAL);
	assert_int_equal(vmsim_make_pte_marker(0x10001, &p), -EINVAL);
	assert_int_equal(vmsim_make_pte_marker(~0UL, &p), -EINVAL);
	assert_int_equal(pte_val(p), 0x5a5a);
	assert_int_equal(vmsim_make_pte_marker(1, NULL), -EINVAL);
}

static void test_type_names(void **state)
{
	(void)state;
	assert_string_equal(vmsim_softleaf_type_name(SOFTLEAF_NONE), "none");
	assert_string_equal(vmsim_softleaf_type_name(SOFTLEAF_SWAP), "swap");
	assert_string_equal(vmsim_softleaf_type_name(SOFTLEAF_MIGRATION_READ), "migration_read");
	assert_string_equal(vmsim_softleaf_type_name(SOFTLEAF_MIGRATION_READ_EXCLUSIVE),
			    "migration_read_exclusive");
	assert_string_equal(vmsim_softleaf_type_name(SOFTLEAF_MIGRATION_WRITE), "migration_write");
	assert_string_equal(vmsim_softleaf_type_name(SOFTLEAF_DEVICE_PRIVATE_READ), "device_private_read");
	assert_string_equal(vmsim_softleaf_type_name(SOFTLEAF_DEVICE_PRIVATE_WRITE), "device_private_write");
	assert_string_equal(vmsim_softleaf_type_name(SOFTLEAF_DEVICE_EXCLUSIVE), "device_exclusive");
	assert_string_equal(vmsim_softleaf_type_name(SOFTLEAF_HWPOISON), "hwpoison");
	assert_string_equal(vmsim_softleaf_type_name(SOFTLEAF_MARKER), "marker");
	assert_string_equal(vmsim_softleaf_type_name((enum softleaf_type)10), "?");
	assert_string_equal(vmsim_softleaf_type_name((enum softleaf_type)-1), "?");
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_arch_raw_values),
		cmocka_unit_test(test_swp_entry_layout),
		cmocka_unit_test(test_round_trip_all_types),
		cmocka_unit_test(test_flags_survive),
		cmocka_unit_test(test_type_numbers),
		cmocka_unit_test(test_softleaf_predicates),
		cmocka_unit_test(test_softleaf_from_pte_none),
		cmocka_unit_test(test_migration_entries),
		cmocka_unit_test(test_pfn_entries),
		cmocka_unit_test(test_markers),
		cmocka_unit_test(test_uffd_wp_any_none_mostly),
		cmocka_unit_test(test_checked_constructors),
		cmocka_unit_test(test_type_names),
	};
	return cmocka_run_group_tests(tests, NULL, NULL);
}
