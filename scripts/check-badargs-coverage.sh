#!/bin/sh
# Every public function has bad-argument cases: run the suite with --list,
# which writes the functions its cases called (and those covered elsewhere),
# and compare with the VMSIM_API declarations, extracted as
# check-symbols.sh does.  Usage: check-badargs-coverage.sh TEST_BINARY.
# A new public function without cases in sim-tests/unit/badargs_*.c fails.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
bin=$1
declared=$(mktemp) listed=$(mktemp) covered=$(mktemp)
trap 'rm -f "$declared" "$listed" "$covered"' EXIT

grep -h '^VMSIM_API ' "$top"/include/vmsim/*.h |
	sed 's/(.*//; s/.*[ *]\([A-Za-z_][A-Za-z0-9_]*\)$/\1/' | sort -u >"$declared"
if ! "$bin" --list "$listed" >/dev/null 2>&1; then
	echo "check-badargs-coverage: $bin failed; run it for the failing cases"
	exit 1
fi
awk '{print $1}' "$listed" | sort -u >"$covered"
if ! diff -u "$declared" "$covered" >/dev/null; then
	echo "check-badargs-coverage: bad-argument cases differ from the VMSIM_API declarations"
	echo "  (- declared without cases, + cases for no declared function):"
	diff "$declared" "$covered" | sed -n 's/^< /  - /p; s/^> /  + /p'
	exit 1
fi
echo "check-badargs-coverage: $(wc -l <"$covered") public functions," \
	"$(grep -c 'covered elsewhere' "$listed") of them covered elsewhere"
