#!/bin/sh
# make bench: every workload on the simulator and on this machine's kernel
# (bench/vmsim-bench), then the 256 GiB scale run (SCALE_MIB), the empty
# machine, reclaim, a lackey trace's replay (with valgrind), the explorer,
# lazy unmap flush, PMD table sharing and THP faults; results in
# BUILD/bench/ (bench/README.md).  A plot of cost per page against pages
# when gnuplot is installed.
set -eu
BUILD=${1:-build}
BENCH=$BUILD/bench/vmsim-bench
OUT=$BUILD/bench
REPS=${REPS:-5}

[ -x "$BENCH" ] || { echo "bench: $BENCH not built" >&2; exit 1; }
echo "bench: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs, $(uname -r)"
"$BENCH" --reps "$REPS" --csv-file "$OUT/results.csv" | tee "$OUT/results.txt"
echo
# A process of its own, so ru_maxrss is the scale run's alone: 256 GiB of
# simulated RAM (64 Mi pages; SCALE_MIB changes it; about 5 GiB of host
# memory and half a minute).
"$BENCH" --scale --ram "${SCALE_MIB:-262144}" | tee "$OUT/scale.txt"
echo
"$BENCH" --empty --reps "$REPS" | tee "$OUT/empty.txt"
echo
"$BENCH" --reclaim | tee "$OUT/reclaim.txt"
echo
# vmsim replay of a real program's accesses (valgrind lackey), when
# valgrind is installed: the trace is recorded once, then replayed.
VMSIM=$BUILD/vmsim
if command -v valgrind >/dev/null 2>&1 && [ -x "$VMSIM" ]; then
	trace=$OUT/lackey.trace
	[ -s "$trace" ] || valgrind --tool=lackey --trace-mem=yes --log-file="$trace" \
		/bin/ls -R /usr/include >/dev/null 2>&1 || true
	if [ -s "$trace" ]; then
		echo "replay of $(wc -l <"$trace") lackey lines (valgrind --tool=lackey --trace-mem=yes ls -R /usr/include):"
		"$VMSIM" replay "$trace" --time 2>&1 | tee "$OUT/replay.txt"
	fi
fi
# The explorer: runs per second, and the search against the bound.
sh "$(dirname "$0")/../bench/explore.sh" "$BUILD" 4 | tee "$OUT/explore.txt"
echo
"$BENCH" --luf --csv | tee "$OUT/luf.csv"
echo
"$BENCH" --share | tee "$OUT/share.txt"
echo
"$BENCH" --thp --reps "$REPS" | tee "$OUT/thp.txt"
echo "bench: results in $OUT/results.csv, $OUT/results.txt, $OUT/scale.txt, $OUT/empty.txt, $OUT/reclaim.txt, $OUT/replay.txt, $OUT/explore.txt, $OUT/luf.csv, $OUT/share.txt, $OUT/thp.txt"

if command -v gnuplot >/dev/null 2>&1; then
	gnuplot <<GP && echo "bench: plot in $OUT/results.png"
set terminal pngcairo size 1100,700
set output "$OUT/results.png"
set datafile separator ","
set logscale xy
set key outside right
set xlabel "pages"
set ylabel "ns per page"
set title "vmsim (check=off, data=off) vs kernel, median"
plot for [w in "anon_fault fork cow_fault mprotect munmap shmem_read_fault"] \
	"< grep '^".w.",' $OUT/results.csv" using 2:3 with linespoints title w." sim", \
     for [w in "anon_fault fork cow_fault mprotect munmap shmem_read_fault"] \
	"< grep '^".w.",' $OUT/results.csv" using 2:4 with linespoints dashtype 2 title w." kernel"
GP
fi
