#!/bin/sh
# The explorer's benchmark (bench/README.md "Exploring interleavings"):
# runs per second of bench/fault_vs_punch.vms under each scheduler, and
# how an exhaustive search grows with the preemption bound, with and
# without the partial-order reduction.  Usage: explore.sh [BUILD] [MAXBOUND]
set -eu
BUILD=${1:-build}
MAXB=${2:-4}
VMSIM=$BUILD/vmsim
SCRIPT=$(dirname "$0")/fault_vs_punch.vms
[ -x "$VMSIM" ] || { echo "bench: $VMSIM not built" >&2; exit 1; }
now() { date +%s%N; }
# runs, cut short, choices from the summary line; time in ms.
one() {
	t0=$(now)
	line=$("$VMSIM" explore "$SCRIPT" "$@" 2>&1 >/dev/null | tail -1)
	t1=$(now)
	runs=$(echo "$line" | sed -n 's/^vmsim explore: \([0-9]*\) runs.*/\1/p')
	cut=$(echo "$line" | sed -n 's/.*(\([0-9]*\) of the runs cut short.*/\1/p')
	choices=$(echo "$line" | sed -n 's/.* \([0-9]*\) scheduling choices.*/\1/p')
	ms=$(( (t1 - t0) / 1000000 ))
	[ "$ms" -gt 0 ] || ms=1
	printf '%-50s %8s %8s %10s %8s %9s\n' "$*" "$runs" "${cut:-0}" "$choices" "$ms" \
		"$(( runs * 1000 / ms ))"
}
printf '%-50s %8s %8s %10s %8s %9s\n' options runs "cut" choices ms runs/s
one --sched random --runs 2000 --seed 1
one --sched pct --runs 2000 --seed 1 --depth 3
b=0
while [ "$b" -le "$MAXB" ]; do
	one --sched exhaustive --bound "$b" --runs 1000000
	one --sched exhaustive --bound "$b" --runs 1000000 --no-por
	b=$((b + 1))
done
