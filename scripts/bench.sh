#!/bin/sh
# Benchmarks (bench/): not built yet in this version.
set -eu
echo "bench: no benchmarks yet (see issue: benchmarks side by side with the kernel)" >&2
exit 0
