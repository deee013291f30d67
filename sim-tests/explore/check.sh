#!/bin/sh
# One `vmsim explore` test: `vmsim explore SCRIPT ARGS` (ARGS from its
# `#@ args: ...` line, shell-quoted) must exit with the status of its
# `#@ rc=N` line, print NAME.expected on stdout (nothing if there is none)
# and match every `#@ stderr: REGEX` line (grep -E) on stderr.
vmsim=$1 script=$2
dir=$(dirname "$script") name=$(basename "$script" .vms)
out=$(mktemp) && err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err" "$out.re"' EXIT
want=$(sed -n 's/^#@ rc=\([0-9]*\).*/\1/p' "$script")
[ -n "$want" ] || { echo "$script: no '#@ rc=N' line"; exit 1; }
args=$(sed -n 's/^#@ args: //p' "$script")
eval "set -- $args"
timeout 60 "$vmsim" explore "$script" "$@" >"$out" 2>"$err"
rc=$?
status=0
if [ "$rc" != "$want" ]; then
	echo "exit status $rc, expected $want"; status=1
fi
if [ -f "$dir/$name.expected" ]; then
	diff -u "$dir/$name.expected" "$out" || status=1
elif [ -s "$out" ]; then
	echo "unexpected standard output:"; cat "$out"; status=1
fi
sed -n 's/^#@ stderr: //p' "$script" >"$out.re"
while IFS= read -r re; do
	grep -Eq -- "$re" "$err" || { echo "stderr lacks /$re/"; status=1; }
done <"$out.re"
[ "$status" = 0 ] || { echo "--- stderr:"; cat "$err"; }
exit $status
