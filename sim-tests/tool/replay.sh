#!/bin/sh
# vmsim replay: a lackey trace runs through the MMU with first-touch
# anonymous mappings.  Ten loads of one page: the first finds no vma (walk,
# #PF, SIGSEGV: the replay maps the chunk), then faults the zero page in
# (walk, #PF: do_anonymous_page), then walks and fills; the other nine hit.
# A store to a page of that chunk: a miss, a walk, a write fault (new
# anonymous page), a walk and a fill.  A modify (M) is a load then a store.
vmsim=$1
trace=$(mktemp) out=$(mktemp)
trap 'rm -f "$trace" "$out"' EXIT
{
	echo "==1== Lackey, an example Valgrind tool"
	for i in 0 1 2 3 4 5 6 7 8 9; do echo " L 7f0000000${i}00,8"; done
	echo " S 7f0000001000,4"
	echo " M 7f0000001008,4"
	echo "I  7f0000002000,3"
	echo "nonsense"
} >"$trace"
"$vmsim" replay "$trace" >"$out" || { echo "exit $?"; cat "$out"; exit 1; }
cat >"$trace" <<'X'
replay: 15 lines, 14 accesses, 0 skipped below 0x10000, 1 unparsed, 1 first-touch mappings
cpu      tlb_hits   tlb_misses        walks       faults      fills  evictions
X
# hits: 9 loads + the M's load and store (the store hits the dirty entry the
# S made) = 11; misses: 3 (first load) + 2 (S: miss, then the fault's retry)
# + 2 (I: a new page, zero page for the fetch) = 7; faults 2 + 1 + 1.
printf '%-4u %12u %12u %12u %12u %10u %10u\n' 0 11 7 7 4 3 0 >>"$trace"
diff -u "$trace" "$out"
