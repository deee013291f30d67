#!/bin/sh
# machine thp=madvise on the kernel runner: it runs where the host's THP
# mode is madvise (then MADV_HUGEPAGE gets a THP on the first fault of an
# aligned 2M range: AnonHugePages; MADV_COLLAPSE refuses a range advised
# nohugepage) and is refused (exit 2) elsewhere; thp=always likewise.
vmsim=$1 dir=$2
mode=$(sed 's/.*\[\(.*\)\].*/\1/' /sys/kernel/mm/transparent_hugepage/enabled 2>/dev/null)
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
status=0
for want in madvise always; do
	sed "s/^machine thp=madvise/machine thp=$want/" "$dir/thp.vms" | "$vmsim" kernel - >"$out" 2>&1
	rc=$?
	[ "$rc" = 77 ] && exit 77
	if [ "$mode" = "$want" ]; then
		[ "$want" = madvise ] || continue	# always: another scenario
		sed -i 's/ sd=[01?] / sd=? /' "$out"
		diff -u "$dir/thp.expected" "$out" || status=1
		[ "$rc" = 0 ] || { echo "thp=$want on a $mode host: exit $rc"; status=1; }
	elif [ "$rc" != 2 ] || ! grep -q "^error line [0-9]*: thp=$want needs the host's transparent_hugepage mode" "$out"; then
		echo "thp=$want on a $mode host: exit $rc, expected 2"; cat "$out"; status=1
	fi
done
exit $status
