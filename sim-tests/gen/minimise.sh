#!/bin/sh
# The minimiser keeps the failure and drops everything else: SCRIPT fails
# an expect on purpose among unrelated lines; what is left must be exactly
# the lines the failure needs.
gen=$1 vmsim=$2 script=$3
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$gen" min --vmsim "$vmsim" "$script" >"$out"
rc=$?
[ "$rc" = 1 ] || { echo "vmsgen min: exit $rc, expected 1"; cat "$out"; exit 1; }
# (The signature blots out numbers, so the value read does not matter and
# the write goes too: an untouched page reads 0x00, not 0x06, just as well.)
want='process P
map P 0x10000 4K anon private rw
read P 0x10000 expect=0x06'
got=$(sed -n '/^--- minimal script/,/^---$/p' "$out" | sed '1d;$d')
[ "$got" = "$want" ] || { echo "minimal script:"; echo "$got"; echo "expected:"; echo "$want"; exit 1; }
