#!/bin/sh
# The guided tour (`make demo`): the C example, then each .vms scenario of
# examples/ with its leading comment and its output, `show` dumps included.
set -eu
b=${1:-build}
ex=$(dirname "$0")/../examples
# Teaching order: each step uses what the one before showed.
tour="zero_page fork_cow fault_around munmap_shootdown mprotect_tlb swap huge_pages quirk_fault_around_uffd quirk_fork_skips_uffd_wp quirk_pmd_unshare_partial_flush"

# A new example must be placed in the tour, not silently left out (a
# prototype kind's scenario, kind_*.vms, needs its --kind: it belongs to
# docs/new-pte-type.md's walkthrough).
for f in "$ex"/*.vms; do
	case $(basename "$f") in kind_*) continue ;; esac
	case " $tour " in *" $(basename "$f" .vms) "*) ;; *)
		echo "demo.sh: $f is not in the tour list" >&2; exit 1 ;;
	esac
done

title() { printf '\n======== %s ========\n' "$1"; }

title "hello (examples/hello.c: the library from C)"
"$b/example_hello"
for name in $tour; do
	f=$ex/$name.vms
	title "$name (examples/$name.vms)"
	# The leading comment block is the lesson; the rest is the script.
	sed -n '/^[^#]/q; s/^# \{0,1\}//p' "$f"
	# The script itself, numbered as `show` and error lines number it.
	echo "--- examples/$name.vms:"
	awk 'seen || !/^#/ { seen = 1; printf "%4d  %s\n", NR, $0 }' "$f"
	echo "\$ vmsim run examples/$name.vms"
	# One stream, so that each dump appears right after the output before it.
	"$b/vmsim" run "$f" 2>&1
done
echo
echo "Next: edit a script, run it with --trace, or see docs/tour.md."
