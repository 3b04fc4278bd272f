#!/usr/bin/env bash
# Runs descent's optimizer-step benchmarks and Python PyTorch's, one thread, and prints the
# ns/parameter table quoted in docs/optim.md. Usage, from the repository root:
#   bench/optim/run.sh [BUILD_DIR] [SIZES]      e.g. bench/optim/run.sh build 100000,1000000,10000000
# Needs the optim_bench target built and /usr/bin/python3 with python3-torch.
set -euo pipefail
BUILD=${1:-build}
SIZES=${2:-100000,1000000,10000000}
OUT=${OUT:-/tmp/descent-optim-bench}
HERE=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$OUT"
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
filter="/($(echo "$SIZES" | sed 's/,/|/g'))(/|$)"
"$BUILD/bench/optim/optim_bench" --benchmark_filter="$filter" --benchmark_repetitions="${REPS:-5}" \
  --benchmark_report_aggregates_only=true --benchmark_out="$OUT/ours.json" \
  --benchmark_out_format=json >&2
/usr/bin/python3 "$HERE/../peers/optim_torch.py" --sizes "$SIZES" --out "$OUT/pytorch.json" >&2
/usr/bin/python3 "$HERE/table.py" "$OUT/ours.json" "$OUT/pytorch.json"
