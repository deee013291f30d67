#!/bin/sh
# One kernel-runner test: `vmsim kernel SCRIPT` must exit RC (default 0) and
# print exactly EXPECTED.  A skip (77) when RC is not 77 is passed on to
# ctest as a skip (SKIP_RETURN_CODE), so hosts without a feature skip.
vmsim=$1 script=$2 expected=$3 want=${4:-0}
out=$(mktemp) || exit 1
"$vmsim" kernel "$script" >"$out"
rc=$?
if [ "$rc" = 77 ] && [ "$want" != 77 ]; then rm -f "$out"; exit 77; fi
# A host without soft-dirty prints sd=?; the stored outputs were verified on
# such a host, so compare with sd masked either way.
sed -i 's/ sd=[01?] / sd=? /' "$out"
if ! diff -u "$expected" "$out"; then rm -f "$out"; exit 1; fi
rm -f "$out"
if [ "$rc" != "$want" ]; then echo "exit status $rc, expected $want"; exit 1; fi
exit 0
