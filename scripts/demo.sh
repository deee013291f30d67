#!/bin/sh
# The guided tour: each example, with what it shows.
set -eu
b=${1:-build}
echo "== libvmsim tour =="
for ex in "$b"/example_*; do
	[ -x "$ex" ] || continue
	echo "-- $(basename "$ex" | sed 's/^example_//')"
	"$ex"
done
