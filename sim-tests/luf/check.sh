#!/bin/sh
# One lazy-unmap-flush scenario (sim-tests/luf/NAME.vms):
#  - `vmsim run NAME.vms` exits with `#@ rc=N` (default 0), prints
#    NAME.expected and matches every `#@ stderr: REGEX` line;
#  - with `#@ same-as-off`, the run with luf=off prints the same (LUF made
#    no difference a program could see: Linux's answer);
#  - every `#@ quirk: Q[,Q2...] rc=N [REGEX]` line runs it again with
#    `--machine quirks=Q...` (flush points switched off): exit N, stderr
#    matching REGEX.
vmsim=$1 script=$2
dir=$(dirname "$script") name=$(basename "$script" .vms)
out=$(mktemp) && err=$(mktemp) || exit 1
trap 'rm -f "$out" "$err" "$out.re"' EXIT
status=0
fail() { echo "$name: $*"; status=1; }

want=$(sed -n 's/^#@ rc=\([0-9]*\).*/\1/p' "$script")
timeout 20 "$vmsim" run "$script" >"$out" 2>"$err"
rc=$?
[ "$rc" = "${want:-0}" ] || fail "exit status $rc, expected ${want:-0}"
if [ -f "$dir/$name.expected" ]; then
	diff -u "$dir/$name.expected" "$out" || fail "standard output differs"
fi
sed -n 's/^#@ stderr: //p' "$script" >"$out.re"
while IFS= read -r re; do
	grep -Eq -- "$re" "$err" || fail "stderr lacks /$re/"
done <"$out.re"
[ "$status" = 0 ] || { echo "--- stderr:"; cat "$err"; }

if grep -q '^#@ same-as-off' "$script"; then
	timeout 20 "$vmsim" run "$script" --machine luf=off >"$out" 2>"$err"
	rc=$?
	[ "$rc" = "${want:-0}" ] || fail "luf=off: exit status $rc"
	diff -u "$dir/$name.expected" "$out" >/dev/null || fail "luf=off prints something else"
fi

sed -n 's/^#@ quirk: //p' "$script" | while read -r q qrc re; do
	qwant=${qrc#rc=}
	timeout 20 "$vmsim" run "$script" --machine "quirks=$q" >"$out" 2>"$err"
	rc=$?
	if [ "$rc" != "$qwant" ]; then
		echo "$name: quirks=$q: exit status $rc, expected $qwant"; cat "$err"; exit 1
	fi
	if [ -n "$re" ] && ! grep -Eq -- "$re" "$err"; then
		echo "$name: quirks=$q: stderr lacks /$re/"; cat "$err"; exit 1
	fi
done || status=1
exit $status
