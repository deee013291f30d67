#!/bin/sh
# A quirk example: with its quirk the simulator must print EXPECTED (the
# protection is lost, as the historic bug lost it); without quirks= on the
# machine line the simulator and the host kernel must agree (the fix holds).
vmsim=$1 script=$2 expected=$3
out=$(mktemp) && noq=$(mktemp --suffix=.vms) || exit 1
trap 'rm -f "$out" "$noq"' EXIT
"$vmsim" run "$script" >"$out" || exit 1
diff -u "$expected" "$out" || exit 1
sed '/^machine/s/ quirks=[^ ]*//' "$script" >"$noq"
"$vmsim" diff "$noq"
