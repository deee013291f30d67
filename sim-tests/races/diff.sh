#!/bin/sh
# A race scenario without its quirk, run one branch after the other, on
# the simulator and the host kernel: the same output (77 where the host
# cannot run it).
vmsim=$1 script=$2
noq=$(mktemp --suffix=.vms) && trap 'rm -f "$noq"' EXIT || exit 1
sed '/^machine / s/ quirks=[^ ]*//' "$script" >"$noq"
"$vmsim" diff "$noq"
