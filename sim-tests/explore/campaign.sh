#!/bin/sh
# A campaign in parts, as docs/explore.md runs it: N parts under GNU
# parallel, each with --shard I/N --json, joined by --merge.  The parts
# together make exactly the runs of the whole: the same schedules for an
# exhaustive search, the same run numbers for a random one.  A failure in
# any part makes the merge exit 1.
vmsim=$1 dir=$2
tmp=$(mktemp -d) || exit 1
trap 'rm -rf "$tmp"' EXIT
fail() { echo "campaign: $*"; cat "$tmp/err" 2>/dev/null; exit 1; }
schedules() { sed -n 's/.*"schedule":"\([^"]*\)".*/\1/p' "$1" | sort; }
command -v parallel >/dev/null || { echo "GNU parallel is not installed"; exit 77; }
script=$dir/punch_vs_fault.vms

"$vmsim" explore "$script" --sched exhaustive --bound 2 --json >"$tmp/whole" 2>"$tmp/err" || fail "whole"
parallel -j 3 "$vmsim" explore "$script" --sched exhaustive --bound 2 --shard {}/3 --json '>' "$tmp/part.{}" \
	'2>/dev/null' ::: 0 1 2 || fail "a part failed"
"$vmsim" explore --merge "$tmp"/part.0 "$tmp"/part.1 "$tmp"/part.2 >"$tmp/merged" 2>"$tmp/err" || fail "merge"
schedules "$tmp/whole" >"$tmp/w"
schedules "$tmp/merged" >"$tmp/m"
cmp -s "$tmp/w" "$tmp/m" || fail "the parts' schedules differ from the whole's: $(diff "$tmp/w" "$tmp/m" | head)"
[ "$(sort -u "$tmp/m" | wc -l)" = "$(wc -l <"$tmp/m")" ] || fail "a schedule in two parts"
grep -q "\"summary\":true,\"shard\":\"0/1\",\"sched\":\"exhaustive\",\"runs\":$(wc -l <"$tmp/w"),\"failed\":0,\"complete\":true,\"parts\":3" \
	"$tmp/merged" || fail "merged summary: $(tail -1 "$tmp/merged")"

# Random runs are split by number: 0..29, each once.
parallel -j 3 "$vmsim" explore "$script" --sched random --runs 30 --shard {}/3 --json '>' "$tmp/r.{}" \
	'2>/dev/null' ::: 0 1 2 || fail "a random part failed"
"$vmsim" explore --merge "$tmp"/r.* >"$tmp/merged" 2>"$tmp/err" || fail "merge random"
sed -n 's/.*"run":\([0-9]*\),.*/\1/p' "$tmp/merged" >"$tmp/runs"
seq 0 29 | cmp -s - "$tmp/runs" || fail "random runs: $(tr '\n' ' ' <"$tmp/runs")"

# A part that failed makes the whole fail, and names the first failure.
race=$dir/../races/uffd_fault_around.vms
for i in 0 1; do
	"$vmsim" explore "$race" --sched random --seed 1 --runs 200 --keep-going --shard $i/2 --json \
		>"$tmp/f.$i" 2>/dev/null
done
"$vmsim" explore --merge "$tmp/f.0" "$tmp/f.1" >"$tmp/merged" 2>"$tmp/err"
[ $? = 1 ] || fail "a failure in a part should make the merge exit 1"
grep -q '^vmsim explore --merge: first failure: run [0-9]* of part [01]: FAIL line' "$tmp/err" ||
	fail "no first failure"
# A line that is not a record, and parts of two explorations, are refused.
echo 'not json' >"$tmp/bad"
"$vmsim" explore --merge "$tmp/bad" >/dev/null 2>"$tmp/err"
[ $? = 2 ] || fail "a bad line should be refused"
"$vmsim" explore --merge "$tmp/f.0" "$tmp/part.0" >/dev/null 2>"$tmp/err"
[ $? = 2 ] || fail "parts of two explorations should be refused"
# Parts counted from one (1/3 2/3 3/3) cover the same runs: N/N is part 0.
"$vmsim" explore "$script" --sched exhaustive --bound 2 --shard 3/3 --json >"$tmp/p3" 2>/dev/null ||
	fail "--shard 3/3"
cmp -s "$tmp/part.0" "$tmp/p3" || fail "--shard 3/3 is not part 0/3: $(diff "$tmp/part.0" "$tmp/p3" | head -4)"
"$vmsim" explore "$script" --shard 4/3 >/dev/null 2>&1
[ $? = 2 ] || fail "--shard 4/3 should be refused"
exit 0
