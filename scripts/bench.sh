#!/bin/sh
# make bench: every workload on the simulator and on this machine's kernel
# (bench/vmsim-bench), then the 16 GiB scale run; results in BUILD/bench/.
# A plot of cost per page against pages when gnuplot is installed.
set -eu
BUILD=${1:-build}
BENCH=$BUILD/bench/vmsim-bench
OUT=$BUILD/bench
REPS=${REPS:-5}

[ -x "$BENCH" ] || { echo "bench: $BENCH not built" >&2; exit 1; }
echo "bench: $(grep -m1 'model name' /proc/cpuinfo | sed 's/.*: //'), $(nproc) CPUs, $(uname -r)"
"$BENCH" --reps "$REPS" --csv-file "$OUT/results.csv" | tee "$OUT/results.txt"
echo
# A process of its own, so ru_maxrss is the scale run's alone.
"$BENCH" --scale | tee "$OUT/scale.txt"
echo
"$BENCH" --reclaim | tee "$OUT/reclaim.txt"
# The explorer: runs per second, and the search against the bound.
sh "$(dirname "$0")/../bench/explore.sh" "$BUILD" 4 | tee "$OUT/explore.txt"
echo
"$BENCH" --luf --csv | tee "$OUT/luf.csv"
echo "bench: results in $OUT/results.csv, $OUT/results.txt, $OUT/scale.txt, $OUT/reclaim.txt, $OUT/explore.txt, $OUT/luf.csv"

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
