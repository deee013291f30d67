#!/bin/sh
# Under --trace, with standard output and error in one file, each command's
# result line follows its own "line N:" trace line, not some later one
# (standard output is flushed after every command).
vmsim=$1
out=$(mktemp) || exit 1
trap 'rm -f "$out"' EXIT
printf 'process P\nmap P 0x7f0000000000 8K anon private rw\nread P 0x7f0000000000\nread P 0x7f0000001000\nwrite P 0x7f0000000000\nread P 0x7f0000000000\n' |
	"$vmsim" run - --trace >"$out" 2>&1 || { echo "exit $?"; exit 1; }
# The line after each read result's trace block must come before the next
# command's trace line: print the command word of the trace line each
# result follows.
got=$(awk '/^line [0-9]+: / { cmd = $0 } /^read P/ { print cmd " -> " $0 }' "$out")
want="line 3: read -> read P 0x00007f0000000000 = 0x00
line 4: read -> read P 0x00007f0000001000 = 0x00
line 6: read -> read P 0x00007f0000000000 = 0xaa"
[ "$got" = "$want" ] && exit 0
echo "got:"; echo "$got"; echo "want:"; echo "$want"
exit 1
