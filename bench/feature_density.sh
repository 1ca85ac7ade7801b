#!/bin/sh
# Where dense features stop paying: the first layer's X W and X^T dT as dense GEMM against
# the sparse products, at Amazon Photo's shape (7650 x 745, hidden 64) and several
# densities. Sets the evidence for PG_SPARSE_FEATURE_DENSITY (src/core/dataset.h).
# Usage: sh bench/feature_density.sh [BUILD_DIR]; writes bench/results/feature_density.txt.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
cmake --build "$build" --target pargnn_bench_kernels >/dev/null
out=$here/results/feature_density.txt
cmd="pargnn_bench_kernels --only feature-density --nodes 7650 --in 745 --hidden 64 --reps 15"
{
    echo "# $(date -u '+%Y-%m-%d %H:%M UTC'); $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1), $(nproc) cores"
    echo "# load: $(uptime)"
    echo "# command: $cmd (OPENBLAS_CORETYPE and OPENBLAS_L2_SIZE unset)"
    env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$build/pargnn_bench_kernels" --only feature-density \
        --nodes 7650 --in 745 --hidden 64 --reps 15 | grep -v '^CSV'
} > "$out"
cat "$out"
