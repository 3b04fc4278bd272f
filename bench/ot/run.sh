#!/usr/bin/env bash
# Runs descent's OT benchmarks and POT's on the same problems and prints the ratio table
# (docs/ot.md quotes it). Usage, from the repository root:
#   bench/ot/run.sh [BUILD_DIR] [SIZES]      e.g. bench/ot/run.sh build 500,1000,2000,4000
#   PER_ETA=1 bench/ot/run.sh build 1000,2000,4000   also the per-eta time-to-tolerance table
# Needs the ot_bench target built and /usr/bin/python3 with python3-pot and numpy.
set -euo pipefail
BUILD=${1:-build}
SIZES=${2:-500,1000,2000,4000}
OUT=${OUT:-/tmp/descent-ot-bench}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
# One thread on both sides (numpy's BLAS included); ot_bench adds explicit 2-thread rows.
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
filter="/($(echo "$SIZES" | sed 's/,/|/g'))(/|$)"
"$BUILD/bench/ot/ot_bench" \
  --benchmark_filter="^BM_(SinkhornIteration|SinkhornToTolerance|SnsToTolerance|Copy|Read)$filter" \
  --benchmark_out="$OUT/ours.json" \
  --benchmark_out_format=json >&2
/usr/bin/python3 "$HERE/../peers/ot_pot.py" --sizes "$SIZES" --out "$OUT/pot.json" >&2
/usr/bin/python3 "$HERE/table.py" "$OUT/ours.json" "$OUT/pot.json"
# The per-eta table (time to tolerance at eta 10 ... 1200, every POT method): PER_ETA=1.
if [ "${PER_ETA:-0}" = 1 ]; then
  "$BUILD/bench/ot/ot_bench" --benchmark_filter="BM_SinkhornToToleranceEta$filter" \
    --benchmark_out="$OUT/ours_eta.json" --benchmark_out_format=json >&2
  /usr/bin/python3 "$HERE/../peers/ot_pot.py" --per-eta --sizes "$SIZES" --out "$OUT/pot_eta.json" >&2
  /usr/bin/python3 "$HERE/table.py" "$OUT/ours_eta.json" "$OUT/pot_eta.json"
fi
