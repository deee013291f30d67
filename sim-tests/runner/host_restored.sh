#!/bin/sh
# vmsim kernel leaves the host as it found it: after a run that asked for
# swap and a hugetlb pool, after runs that turned the swap off (and on),
# and after one killed by SIGKILL in the middle
# (its janitor undoes the changes), no swap file of the run is active or
# left on disk and nr_hugepages is back.
vmsim=$1 dir=$2
[ "$(id -u)" = 0 ] || exit 77
hp_before=$(cat /proc/sys/vm/nr_hugepages)
script=$(mktemp) || exit 1
trap 'rm -f "$script"' EXIT
status=0
restored() {	# PID
	! grep -q "/var/tmp/vmsim-swap-$1 " /proc/swaps && [ ! -e "/var/tmp/vmsim-swap-$1" ] &&
		[ "$(cat /proc/sys/vm/nr_hugepages)" = "$hp_before" ]
}
check() {	# WHAT PID: the janitor may take a moment
	for i in $(seq 50); do restored $2 && return; sleep 0.1; done
	if grep -q "/var/tmp/vmsim-swap-$2 " /proc/swaps || [ -e "/var/tmp/vmsim-swap-$2" ]; then
		echo "$1: swap file of run $2 still there"; status=1
	fi
	if [ "$(cat /proc/sys/vm/nr_hugepages)" != "$hp_before" ]; then
		echo "$1: nr_hugepages $(cat /proc/sys/vm/nr_hugepages), was $hp_before"; status=1
	fi
}
"$vmsim" kernel "$dir/swap.vms" >/dev/null 2>&1 &
pid=$!
wait $pid
check "a finished run" $pid
# Runs that turned the swap file off with swapoff, and on again with
# swapon: the janitor's swapoff of a file that is off fails, the file goes.
for cmds in 'swapoff' 'swapoff swapon'; do
	printf 'machine swap=1M\n' >"$script"
	for c in $cmds; do echo "$c" >>"$script"; done
	"$vmsim" kernel "$script" >/dev/null 2>&1 &
	pid=$!
	wait $pid || { echo "a run of: $cmds: exit $?"; status=1; }
	check "a run of: $cmds" $pid
done
# A run that is still touching 1G when it is killed.
cat >"$script" <<'VMS'
machine swap=16M hugepages=1
process P
map P 0x7f0000000000 1G anon private rw
touch P 0x7f0000000000 1G w
touch P 0x7f0000000000 1G w
touch P 0x7f0000000000 1G w
VMS
"$vmsim" kernel "$script" >/dev/null 2>&1 &
pid=$!
for i in 1 2 3 4 5 6 7 8 9 10; do
	grep -q "/var/tmp/vmsim-swap-$pid " /proc/swaps && break
	sleep 0.1
done
grep -q "/var/tmp/vmsim-swap-$pid " /proc/swaps || { echo "the run never activated its swap file"; status=1; }
kill -KILL $pid
wait $pid 2>/dev/null
check "a killed run" $pid
exit $status
