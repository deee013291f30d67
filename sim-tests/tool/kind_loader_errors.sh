#!/bin/sh
# `--kind FILE.so` when it goes wrong, and with `vmsim kinds`: a file that
# cannot be opened, an object without vmsim_kind_init(), an init that
# fails (the same kind twice: EEXIST) are exit 2 with one line naming the
# file; the matrix gives the loaded kind its rows; a kind with a bug
# (BUGGY_SO: its fault hook maps a frame it never took) is exit 3 of
# `vmsim run`, and INTERNAL BUG cells and exit 3 of `vmsim kinds`.
# Usage: kind_loader_errors.sh VMSIM BUILD_DIR BUGGY_SO
vmsim=$1 dir=$2 buggy=$3
status=0
err=$(mktemp) && out=$(mktemp) || exit 1
trap 'rm -f "$err" "$out"' EXIT
script='process P
map P 0x7f0000000000 4K anon private rw
install P 0x7f0000000000 4K demo 7
'
expect() {	# WANT-RC STDERR-REGEX ARGS...
	want=$1 re=$2
	shift 2
	printf '%s' "$script" | "$vmsim" "$@" >"$out" 2>"$err"
	rc=$?
	if [ "$rc" != "$want" ] || { [ -n "$re" ] && ! grep -Eq -- "$re" "$err"; }; then
		echo "vmsim $*: exit $rc (want $want), stderr: $(cat "$err")"; status=1
	fi
}
expect 2 "^vmsim: --kind $dir/nosuch.so: .*No such file" run - --kind "$dir/nosuch.so"
expect 2 "^vmsim: --kind $dir/libvmsim.so: no vmsim_kind_init\(\) in it" run - --kind "$dir/libvmsim.so"
expect 2 "vmsim_kind_init: File exists" run - --kind "$dir/kind_demo.so" --kind "$dir/kind_demo.so"
# Without the kind the script's `install demo` has nothing to install.
expect 0 "" run - --kind "$dir/kind_softdirty.so"
grep -q "error P: install: ENOENT" "$out" || { echo "install of an unknown kind: $(cat "$out")"; status=1; }
expect 0 "" run - --kind "$dir/kind_demo.so"
[ -s "$out" ] && { echo "unexpected output: $(cat "$out")"; status=1; }
# The matrix: the demo kind's rows, installed with its example_args.
"$vmsim" kinds --no-host --kind "$dir/kind_demo.so" --only demo >"$out" 2>"$err"
rc=$?
[ "$rc" = 0 ] || { echo "vmsim kinds: exit $rc: $(cat "$err")"; status=1; }
grep -Eq '^demo: special swap type 23; loaded; created with `install`' "$out" ||
	{ echo "no legend for demo: $(cat "$out")"; status=1; }
grep -Eq '^demo +read fault +SIGBUS +SIGBUS *$' "$out" || { echo "no read fault row: $(cat "$out")"; status=1; }
grep -Eq '^demo +fork +copied +copied' "$out" || { echo "no fork row: $(cat "$out")"; status=1; }
grep -Eq '^demo +pagemap +swap \(default: pagemap\)' "$out" || { echo "no pagemap row: $(cat "$out")"; status=1; }
"$vmsim" kinds --no-host --kind "$dir/kind_demo.so" --scenario demo read anon | grep -qx 'install P 0x7f0000001000 4K demo 42' ||
	{ echo "the demo scenario does not install with 42"; status=1; }
# The buggy kind.
printf 'machine check=full\nprocess P\nmap P 0x7f0000000000 4K anon private rw\ninstall P 0x7f0000000000 4K buggy\nread P 0x7f0000000000\n' |
	"$vmsim" run - --kind "$buggy" >"$out" 2>"$err"
rc=$?
[ "$rc" = 3 ] && grep -q '^BUG: line 5: .*maps free pfn' "$err" || { echo "buggy run: exit $rc: $(head -3 "$err")"; status=1; }
"$vmsim" kinds --no-host --kind "$buggy" --only buggy >"$out" 2>"$err"
rc=$?
[ "$rc" = 3 ] || { echo "vmsim kinds with a buggy kind: exit $rc"; status=1; }
grep -Eq '^buggy +read fault +INTERNAL BUG: ' "$out" || { echo "no INTERNAL BUG cell: $(cat "$out")"; status=1; }
grep -Eq '^buggy +MADV_DONTNEED +dropped \(default: zap\) +dropped' "$out" || { echo "a cell without the fault is no bug: $(cat "$out")"; status=1; }
grep -q 'cell(s) are internal bugs' "$err" || { echo "no summary of the bugs: $(cat "$err")"; status=1; }
# An --only that names no kind is a mistake, not an empty table.
"$vmsim" kinds --no-host --only nosuch >"$out" 2>"$err"
rc=$?
[ "$rc" = 2 ] && grep -q "no kind 'nosuch'" "$err" || { echo "--only nosuch: exit $rc: $(cat "$err")"; status=1; }
exit $status
