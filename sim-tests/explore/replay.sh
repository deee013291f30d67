#!/bin/sh
# `vmsim explore --replay`: a failing run's schedule, as printed, reruns
# exactly that run; --trace shows its steps, --dot its frames; a schedule
# that does not fit the script, or is not a schedule, is refused (2).
vmsim=$1 dir=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
script=$dir/failed_run.vms
fail() { echo "replay: $*"; cat "$tmp/err" 2>/dev/null; exit 1; }

"$vmsim" explore "$script" --sched exhaustive --bound 0 >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "the exploration should fail"
sched=$(sed -n 's/.*--replay \(.*\)$/\1/p' "$tmp/err")
[ -n "$sched" ] || fail "no replay hint"

"$vmsim" explore "$script" --replay "$sched" >"$tmp/out" 2>"$tmp/err"
[ $? = 1 ] || fail "the replay of $sched should fail as the run did"
grep -q '^FAIL line 18: read P 0x00007f0000000000 = 0x02, expected 0x01$' "$tmp/err" || fail "no FAIL line"
[ -s "$tmp/out" ] && fail "stdout should be empty"

# The other order passes; --trace names every step and the commands.
"$vmsim" explore "$script" --replay "" --trace >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] || fail "the default schedule should pass"
grep -q '^step 1: cpu0 (line 13) start start (a choice)$' "$tmp/err" || fail "no first step"
grep -q '^line 14: write$' "$tmp/err" || fail "no command line in the trace"
grep -Eq '^step [0-9]+: cpu1 \(line 15\) ' "$tmp/err" || fail "no step of cpu1"
steps=$(grep -c '^step ' "$tmp/err")

# --dot: one frame before each step, and the picture at the end.
"$vmsim" explore "$script" --replay "" --dot "$tmp/m.dot" >"$tmp/out" 2>"$tmp/err"
[ $? = 0 ] || fail "--dot run"
[ -s "$tmp/m.dot" ] || fail "no final picture"
frames=$(ls "$tmp"/m.[0-9][0-9][0-9][0-9].dot | wc -l)
[ "$frames" = "$steps" ] || fail "$frames frames for $steps steps"
grep -q '^digraph' "$tmp/m.0001.dot" || fail "a frame is not Graphviz"

"$vmsim" explore "$script" --replay 7:1 >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] || fail "a schedule naming task 7 should not fit"
grep -q '^vmsim explore: the schedule does not fit this script$' "$tmp/err" || fail "no 'does not fit'"
"$vmsim" explore "$script" --replay 0:x >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] || fail "a malformed schedule should be refused"
"$vmsim" explore "$script" --trace >"$tmp/out" 2>"$tmp/err"
[ $? = 2 ] || fail "--trace without --replay is a usage error"
grep -q '^usage: vmsim explore' "$tmp/err" || fail "no usage"
exit 0
