#!/bin/sh
# What the simulator cannot run yet is refused before anything runs: exit 2,
# `error line N: not supported yet: WHAT`, nothing on standard output.
vmsim=$1
status=0
while IFS='|' read -r first line what; do
	out=$(printf '%s\nprocess P\nmap P 0x7f0000000000 4M anon private rw\nfile F size=2M\nread P 0x7f0000000000\n%s\n' \
		"$first" "$line" | "$vmsim" run - 2>/tmp/vmsim-unsup.$$)
	rc=$?
	if [ "$rc" != 2 ] || [ -n "$out" ] || ! grep -qx "error line [0-9]*: not supported yet: $what" /tmp/vmsim-unsup.$$; then
		echo "'$first / $line': exit $rc, stdout '$out', stderr: $(cat /tmp/vmsim-unsup.$$)"; status=1
	fi
done <<'LIST'
LIST
rm -f /tmp/vmsim-unsup.$$
exit $status
