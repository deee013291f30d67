#!/bin/sh
# A race scenario (sim-tests/races/README.md): for each `#@ explore: ARGS`
# line, `vmsim explore SCRIPT ARGS` must find the bug (exit 1) with the
# quirk its machine line names, and find nothing (exit 0) with the quirk
# taken off that line.
vmsim=$1 script=$2
noq=$(mktemp --suffix=.vms) out=$(mktemp) && trap 'rm -f "$noq" "$out"' EXIT || exit 1
grep -q '^machine .*quirks=' "$script" || { echo "$script: no quirks= on its machine line"; exit 1; }
sed '/^machine / s/ quirks=[^ ]*//' "$script" >"$noq"
sed -n 's/^#@ explore: //p' "$script" >"$out.args"
[ -s "$out.args" ] || { echo "$script: no '#@ explore: ARGS' line"; exit 1; }
status=0
while IFS= read -r args; do
	eval "set -- $args"
	timeout 60 "$vmsim" explore "$script" "$@" >"$out" 2>&1
	rc=$?
	if [ "$rc" != 1 ]; then
		echo "with the quirk, explore $args: exit $rc, expected 1 (the race found)"
		cat "$out"
		status=1
	fi
	timeout 60 "$vmsim" explore "$noq" "$@" >"$out" 2>&1
	rc=$?
	if [ "$rc" != 0 ]; then
		echo "without the quirk, explore $args: exit $rc, expected 0 (nothing found)"
		cat "$out"
		status=1
	fi
done <"$out.args"
rm -f "$out.args"
exit $status
