#!/bin/sh
# Command-line usage of vmsim: bad usage prints the usage and exits 2; --help
# prints it on stdout and exits 0; `run -` reads the script from stdin.
vmsim=$1 ex=$2
status=0
bad() {	# ARGS...: exit 2 with "usage:" on stderr, nothing on stdout
	out=$("$vmsim" "$@" 2>/tmp/vmsim-usage.$$); rc=$?
	if [ "$rc" != 2 ] || [ -n "$out" ] || ! grep -q '^usage: vmsim' /tmp/vmsim-usage.$$; then
		echo "vmsim $*: exit $rc, stdout '$out', stderr: $(cat /tmp/vmsim-usage.$$)"; status=1
	fi
}
bad
bad frobnicate
bad run
bad run a.vms b.vms
bad run --seed
bad run --seed 12x a.vms
bad run --dot
bad run --machine
bad run --nonsense a.vms
bad kernel
bad diff
"$vmsim" --help | grep -q '^usage: vmsim run' || { echo "--help"; status=1; }
"$vmsim" run - <"$ex/zero_page.vms" 2>/dev/null | cmp -s - "$ex/zero_page.expected" ||
	{ echo "run - (stdin) differs"; status=1; }
"$vmsim" run /nonexistent/x.vms 2>/tmp/vmsim-usage.$$; rc=$?
[ "$rc" = 2 ] && grep -q 'No such file' /tmp/vmsim-usage.$$ || { echo "missing file: exit $rc"; status=1; }
"$vmsim" run "$ex/zero_page.vms" --dot /nonexistent/x.dot >/dev/null 2>/tmp/vmsim-usage.$$; rc=$?
[ "$rc" = 2 ] && grep -q 'cannot write' /tmp/vmsim-usage.$$ || { echo "unwritable --dot: exit $rc"; status=1; }
rm -f /tmp/vmsim-usage.$$
exit $status
