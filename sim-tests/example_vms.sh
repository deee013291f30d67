#!/bin/sh
# One tour example: `vmsim run SCRIPT [ARGS]` exits 0 and prints exactly
# EXPECTED (ARGS: `--kind KIND.so` for a prototype kind's scenario).
vmsim=$1 script=$2 expected=$3
shift 3
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
"$vmsim" run "$script" "$@" >"$out" 2>/dev/null
rc=$?
diff -u "$expected" "$out" || exit 1
[ "$rc" = 0 ] || { echo "exit status $rc"; exit 1; }
