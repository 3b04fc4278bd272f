#!/usr/bin/env bash
# Large point clouds (3-D, squared Euclidean, eta = 20): time per Sinkhorn iteration and peak
# memory of descent's dense and matrix-free paths and of POT's sinkhorn / sinkhorn_log, one
# process per configuration; then matrix-free strong scaling under mpirun. docs/ot.md ("Large
# problems") quotes the table. Usage, from the repository root:
#   bench/ot/large.sh [BUILD_DIR] [SIZES] [RANKS]   e.g. bench/ot/large.sh build 1000,10000,100000 1,2,4
# A configuration is skipped where its dense n x n matrices would not fit in half the machine's
# memory (descent dense: 16 n^2 bytes; POT: C and the kernel, 16 n^2 bytes, plus temporaries).
set -euo pipefail
BUILD=${1:-build}
SIZES=${2:-1000,10000,100000}
RANKS=${3:-1,2,4}
HERE=$(cd "$(dirname "$0")" && pwd)
export OMP_NUM_THREADS=1 OPENBLAS_NUM_THREADS=1 MKL_NUM_THREADS=1
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
mem_bytes=$(awk '/MemTotal/ {print $2 * 1024}' /proc/meminfo)
fits() { awk -v n="$1" -v m="$mem_bytes" 'BEGIN { exit !(24 * n * n < m / 2) }'; }
its() { awk -v n="$1" 'BEGIN { print (n <= 2000 ? 20 : n <= 20000 ? 5 : 2) }'; }
for n in ${SIZES//,/ }; do
  k=$(its "$n")
  if fits "$n"; then
    "$BUILD/bench/ot/large_clouds" --n "$n" --path dense --iterations "$k"
    for m in sinkhorn sinkhorn_log; do
      /usr/bin/python3 "$HERE/../peers/ot_pot_clouds.py" --n "$n" --method $m --iterations "$k"
    done
  fi
  "$BUILD/bench/ot/large_clouds" --n "$n" --path matrix-free --iterations "$k"
  "$BUILD/bench/ot/large_clouds" --n "$n" --path matrix-free --iterations "$k" --threads 2
  for r in ${RANKS//,/ }; do
    [ "$r" = 1 ] && continue
    mpirun --oversubscribe -np "$r" "$BUILD/bench/ot/large_clouds" --n "$n" --path matrix-free \
      --iterations "$k"
  done
done
