#!/bin/sh
# One tool test: `vmsim run SCRIPT [ARGS]` (ARGS from an `#@ args: ...` line,
# shell-quoted) must exit with the status in its `#@ rc=N` line, print
# NAME.expected on stdout (nothing if there is none), match every
# `#@ stderr: REGEX` line (grep -E) on stderr, and with `#@ dot: REGEX`
# lines run with --dot and match each in the Graphviz file.
vmsim=$1 script=$2
dir=$(dirname "$script") name=$(basename "$script" .vms)
out=$(mktemp) && err=$(mktemp) && dot=$(mktemp) || exit 1
trap 'rm -f "$out" "$err" "$dot"' EXIT
want=$(sed -n 's/^#@ rc=\([0-9]*\).*/\1/p' "$script")
[ -n "$want" ] || { echo "$script: no '#@ rc=N' line"; exit 1; }
args=$(sed -n 's/^#@ args: //p' "$script")
eval "set -- $args"
grep -q '^#@ dot: ' "$script" && set -- "$@" --dot "$dot"
timeout 20 "$vmsim" run "$script" "$@" >"$out" 2>"$err"
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
sed -n 's/^#@ dot: //p' "$script" >"$out.re"
while IFS= read -r re; do
	grep -Eq -- "$re" "$dot" || { echo "--dot file lacks /$re/"; status=1; }
done <"$out.re"
rm -f "$out.re"
[ "$status" = 0 ] || { echo "--- stderr:"; cat "$err"; }
exit $status
