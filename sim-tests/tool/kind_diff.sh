#!/bin/sh
# `vmsim diff --kind KIND.so`: the simulator's side runs with the prototype,
# the host's without, so the diff is what the kernel patch would change.
# For examples/kind_softdirty.vms: where Linux leaves none ptes after
# MADV_DONTNEED, the prototype leaves markers (swap=1).  77 without a host
# that can run the script.
# Usage: kind_diff.sh VMSIM KIND_SO SCRIPT
vmsim=$1 so=$2 script=$3
out=$("$vmsim" diff --kind "$so" "$script" 2>/dev/null)
rc=$?
[ "$rc" = 77 ] && exit 77
status=0
[ "$rc" = 1 ] || { echo "exit $rc, expected 1 (they differ)"; status=1; }
for re in '^-pagemap P 0x00007f0000000000 present=0 swap=1 ' '^\+pagemap P 0x00007f0000000000 present=0 swap=0 ' \
	  '^-pagemap P 0x00007f0000001000 present=0 swap=1 ' '1 differ'; do
	printf '%s\n' "$out" | grep -Eq -- "$re" || { echo "diff output lacks /$re/"; status=1; }
done
[ "$status" = 0 ] || printf '%s\n' "$out"
exit $status
