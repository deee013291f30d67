#!/bin/sh
# The same seed gives the same script, another seed another one, and every
# script starts with a check=full machine line.
gen=$1
a=$(mktemp) b=$(mktemp) || exit 1
trap 'rm -f "$a" "$b"' EXIT
status=0
for seed in 1 42 4096 18446744073709551615; do
	"$gen" gen $seed >"$a" && "$gen" gen $seed >"$b" || { echo "gen $seed failed"; exit 1; }
	cmp -s "$a" "$b" || { echo "seed $seed: two different scripts"; status=1; }
	sed -n 2p "$a" | grep -q '^machine check=full cpus=[234] ' || { echo "seed $seed: no check=full machine line"; status=1; }
done
"$gen" gen 7 >"$a"; "$gen" gen 8 >"$b"
cmp -s "$a" "$b" && { echo "seeds 7 and 8 give the same script"; status=1; }
"$gen" gen x >/dev/null 2>&1 && { echo "gen x: accepted"; status=1; }
exit $status
