#!/bin/sh
# The unit-test mirror (sim-tests/README.md): every libvmsim/mm/*.c,
# libvmsim/kinds/*.c and libvmsim/check/*.c has its own unit file,
# sim-tests/unit/test_<dir>_<file>.c, a dash in the name becoming an
# underscore (mm/memory-failure.c -> test_mm_memory_failure.c).  A file
# that truly has no unit of its own is listed below with the reason.
# Exit 1 with one line per missing unit (or stale exception); run by
# `make check`.
set -eu
cd "$(dirname "$0")/.."

# One line each: <dir>/<file>.c <reason>.  None today: every file has
# its unit.
exceptions='
'

bad=0
for f in libvmsim/mm/*.c libvmsim/kinds/*.c libvmsim/check/*.c; do
	rel=${f#libvmsim/}
	dir=${rel%%/*}
	base=$(basename "$rel" .c | tr - _)
	unit=sim-tests/unit/test_${dir}_${base}.c
	excepted=$(printf '%s\n' "$exceptions" | awk -v f="$rel" '$1 == f { print "y" }')
	if [ -n "$excepted" ]; then
		if [ -e "$unit" ]; then
			echo "$rel: listed as having no unit, but $unit exists (drop the exception)"
			bad=1
		fi
	elif [ ! -e "$unit" ]; then
		echo "$rel: no unit file $unit"
		bad=1
	fi
done
# An exception for a file that is gone is stale too.
printf '%s\n' "$exceptions" | while read -r f why; do
	[ -z "$f" ] && continue
	if [ ! -e "libvmsim/$f" ]; then
		echo "$f: listed as an exception but there is no libvmsim/$f"
		exit 1
	fi
done || bad=1
exit $bad
