#!/bin/sh
# mm and features never test for a specific entry kind: they dispatch
# through the kind registry (mm/kind.c), so a new PTE type is one file in
# kinds/.  This greps the code (comments excluded) for the predicates and
# constructors that name one kind.  mm/kind*.c may use the generic marker
# mechanics (pte_is_marker, make_pte_marker of bits it was given).
# Exit 1 with one line per use; run by `make check`.
set -eu
cd "$(dirname "$0")/../libvmsim"
pattern='PTE_MARKER_(UFFD|GUARD|POISON)|is_guard_swp_entry|is_poisoned_swp_entry|_uffd_wp_marker|softleaf_is_(guard|poison|uffd|migration|hwpoison|device|swap)|pte_marker_(uffd|entry)|is_migration_entry|is_hwpoison_entry|is_device_[a-z_]*entry|make_(readable|writable|hwpoison|device|poisoned|guard)[a-z_]*entry'
bad=0
for f in mm/*.c features/*.c features/*/*.c check/*.c; do
	case $f in mm/kind.c|mm/kind_install.c) extra='' ;; *) extra='|pte_is_marker|make_pte_marker|softleaf_is_marker' ;; esac
	# mm/ also never touches the uffd-wp bit itself (the uffd_wp kind does).
	case $f in mm/*) extra="$extra|uffd_wp\\(|_uffd_wp_" ;; esac
	hits=$(awk '{
		s = $0; out = ""
		while (length(s)) {
			if (inc) { i = index(s, "*/"); if (!i) { s = ""; break } s = substr(s, i + 2); inc = 0; continue }
			i = index(s, "/*"); if (!i) { out = out s; break }
			out = out substr(s, 1, i - 1); s = substr(s, i + 2); inc = 1
		}
		print FILENAME ":" NR ": " out
	}' "$f" | grep -E "($pattern$extra)" | grep -v '^[^:]*:[0-9]*: *$' || true)
	if [ -n "$hits" ]; then
		echo "$hits" | sed 's/^/kind-specific code outside kinds\/: /'
		bad=1
	fi
done
exit $bad
