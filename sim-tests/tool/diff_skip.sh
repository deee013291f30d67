#!/bin/sh
# `vmsim diff` skips, without running either side, a script the host cannot
# show: one with a simulator-only command (the kernel runner would refuse
# it), one whose author says so in a `#@ no-kernel: WHY` line, and ones
# whose machine line asks what the kernel runner ignores (quirks=, a
# fault_around= other than 64K).  All are counted as skipped with the
# reason, and nothing compared is a skip (77).
# Usage: diff_skip.sh VMSIM
vmsim=$1
dir=$(mktemp -d) || exit 1
trap 'rm -rf "$dir"' EXIT
cat >"$dir/dev.vms" <<'V'
process P
map P 0x7f0000000000 4K anon private rw
device D
device D atomic P 0x7f0000000000
V
cat >"$dir/tag.vms" <<'V'
#@ no-kernel: ram= is not the host's
machine ram=1M
process P
V
cat >"$dir/quirk.vms" <<'V'
machine quirks=fork_skips_uffd_wp
process P
V
cat >"$dir/fa.vms" <<'V'
machine fault_around=16K
process P
V
out=$("$vmsim" diff "$dir/dev.vms" "$dir/tag.vms" "$dir/quirk.vms" "$dir/fa.vms" 2>&1)
rc=$?
status=0
[ "$rc" = 77 ] || { echo "exit $rc, expected 77 (all skipped)"; status=1; }
for re in 'skipped .*/dev.vms \(simulator only: device\)' 'skipped .*/tag.vms \(no-kernel: ram= is not the host.s\)' \
	  'skipped .*/quirk.vms \(no-kernel: quirks=fork_skips_uffd_wp, simulator bugs on purpose\)' \
	  'skipped .*/fa.vms \(no-kernel: fault_around=16K, not the kernel.s 64K\)' \
	  '^0 identical, 0 differ, 4 skipped$'; do
	printf '%s\n' "$out" | grep -Eq -- "$re" || { echo "diff output lacks /$re/"; status=1; }
done
[ "$status" = 0 ] || printf '%s\n' "$out"
# A script the kernel runner skips (no DAX device here) leaves no file of
# vmsim diff's behind (TMPDIR is where it works).
mkdir "$dir/tmp"
printf 'file D size=2M kind=dax\nprocess P\n' >"$dir/dax.vms"
TMPDIR=$dir/tmp "$vmsim" diff "$dir/dax.vms" >/dev/null 2>&1
if [ -n "$(ls -A "$dir/tmp")" ]; then
	echo "vmsim diff left behind: $(ls -A "$dir/tmp")"; status=1
fi
exit $status
