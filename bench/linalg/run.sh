#!/usr/bin/env bash
# Runs descent's linear-solver benchmarks and the PETSc/scipy peers on the same Matrix Market
# files in one go and prints the ratio table (docs/linalg.md quotes it). From the repository root:
#   bench/linalg/run.sh [BUILD_DIR] [PROBLEMS]
#   e.g. bench/linalg/run.sh build-linalg poisson2d_100,poisson3d_22
# PROBLEMS defaults to all six (2-D and 3-D Poisson, 1e4 to 1e6 unknowns; about 10 minutes).
# Needs the linalg_bench target built, python3-petsc4py and python3-scipy.
set -euo pipefail
BUILD=${1:-build}
PROBLEMS=${2:-poisson2d_100,poisson2d_316,poisson2d_1000,poisson3d_22,poisson3d_46,poisson3d_100}
OUT=${OUT:-/tmp/descent-linalg-bench}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT/mtx"
# One thread everywhere (numpy's BLAS included).
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
"$BUILD/bench/linalg/linalg_bench" --write-mtx "$OUT/mtx" >&2
filter="/($(echo "$PROBLEMS" | sed 's/,/|/g'))(/|$)"
"$BUILD/bench/linalg/linalg_bench" --mtx-dir "$OUT/mtx" --benchmark_filter="$filter" \
  --benchmark_repetitions=3 --benchmark_report_aggregates_only=false \
  --benchmark_out="$OUT/ours.json" --benchmark_out_format=json >&2
/usr/bin/python3 "$HERE/../peers/linalg_petsc.py" --mtx-dir "$OUT/mtx" --problems "$PROBLEMS" \
  --out "$OUT/peers.json" >&2
/usr/bin/python3 "$HERE/table.py" "$OUT/ours.json" "$OUT/peers.json"
