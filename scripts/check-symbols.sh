#!/bin/sh
# The library boundary, checked: libvmsim.so exports exactly the functions
# the public headers declare with VMSIM_API, and the static archive defines
# no other global symbol.  Usage: check-symbols.sh BUILD_DIR.  Run by
# `make check`; a new public function must be declared, an internal one
# must not leak.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
build=$1
declared=$(mktemp) exported=$(mktemp) archived=$(mktemp)
trap 'rm -f "$declared" "$exported" "$archived"' EXIT

# VMSIM_API declarations: the name before the first '(' on the line.
grep -h '^VMSIM_API ' "$top"/include/vmsim/*.h |
	sed 's/(.*//; s/.*[ *]\([A-Za-z_][A-Za-z0-9_]*\)$/\1/' | sort -u >"$declared"
nm -D --defined-only "$build/libvmsim.so" | awk '$2 ~ /^[TDBRW]$/ {print $3}' |
	grep -v '^_' | sort -u >"$exported"
nm --defined-only "$build/libvmsim.a" | awk '$2 ~ /^[TDBRW]$/ {print $3}' |
	grep -v '^_' | sort -u >"$archived"

rc=0
if ! diff -u "$declared" "$exported" >/dev/null; then
	echo "check-symbols: libvmsim.so exports differ from the VMSIM_API declarations"
	echo "  (- declared but not exported, + exported but not declared):"
	diff "$declared" "$exported" | sed -n 's/^< /  - /p; s/^> /  + /p'
	rc=1
fi
if ! diff -u "$declared" "$archived" >/dev/null; then
	echo "check-symbols: libvmsim.a global symbols differ from the VMSIM_API declarations:"
	diff "$declared" "$archived" | sed -n 's/^< /  - /p; s/^> /  + /p'
	rc=1
fi
[ $rc = 0 ] && echo "check-symbols: $(wc -l <"$declared") public functions, nothing else exported"
exit $rc
