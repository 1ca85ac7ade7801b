#!/bin/bash
# Rank-count independence over a long run (issues 5 and 6): every model trained 100 epochs on
# 1 process and under mpirun at 2, 3 and 4 ranks (oversubscribed), on a generated SBM graph
# and on Cora; the largest relative difference of the loss curves and both test accuracies;
# then the same with --reproducible (double gradient sums: one process's bits at every P).
# Writes bench/results/equivalence.md. Not part of `make test` (test_mpi runs shorter ones).
# With the double-precision CLI (cmake --build build --target pargnn_f64_cli: build/pargnn_f64,
# or F64=path), every row is run again in double: the same algorithm without float32's
# rounding, to tell a distribution error from rounding amplified by training.
# Usage: bash bench/equivalence.sh [pargnn binary]
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "${1:-$here/../build/pargnn}")" && pwd)/$(basename "${1:-pargnn}")
data=${PARGNN_DATASETS:-$here/../../shared/datasets}
out=$here/results/equivalence.md
f64=${F64:-$(dirname "$bin")/pargnn_f64}
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMP_NUM_THREADS=1
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
cd "$tmp" || exit 1
"$bin" generate sbm --out sbm --nodes 5000 --avg-degree 10 --features 64 --classes 6 --seed 5 >/dev/null || exit 1
{
echo "# Loss curves of 2, 3 and 4 ranks against 1 process, 100 epochs"
echo
echo "Measured $(date -u +%F) by \`bash bench/equivalence.sh\` ($(nproc --all) cores, mpirun oversubscribed,"
echo "1 thread per rank; load average $(cut -d' ' -f1 /proc/loadavg)). Graphs: \`pargnn generate sbm --nodes 5000"
echo "--avg-degree 10 --features 64 --classes 6 --seed 5\` and Cora (planetoid split). METIS partitions."
echo "Command per row: \`pargnn train --data G --model M FLAGS --epochs 100 --threads 1\`, then the same"
echo "under \`mpirun -np P\`. Requirement: within 1e-4 relative at every epoch, same test accuracy."
echo "P = 1x2 is one process with \`--threads 2\` instead of 1: no distribution at all; the kernels cut"
echo "their work by shape, not by thread, so it must give the same bits (0)."
echo
table() {  # BIN [EXTRA FLAGS]: one row per graph, model and P
echo "| graph | model | flags | P | max relative loss difference | test acc, 1 process | test acc, P ranks |"
echo "|---|---|---|---|---|---|---|"
for g in sbm "$data/cora"; do
  [ -d "$g" ] || [ -f "$g" ] || { echo "($g not found: skipped)"; continue; }
  for spec in "gcn|" "sage|" "gin|--gin-eps learn" \
              "gat|--heads 4 --hidden 8 --attn-dropout 0.3 --message-dropout 0.3" \
              "gcn|--layers 3 --hidden 64 --norm batch --residual" "gin|--gin-mlp-norm batch"; do
    m=${spec%%|*} fl=${spec#*|}
    fl="$fl ${2:-}"
    # shellcheck disable=SC2086
    "$1" train --data "$g" --model "$m" $fl --epochs 100 --threads 1 --quiet --json r1.json >/dev/null || { echo "| $(basename "$g") | $m | $fl | 1 | FAILED | | |"; continue; }
    for p in 2 3 4 1x2; do
      if [ "$p" = 1x2 ]; then # the same single process on 2 threads: must be the same bits
        # shellcheck disable=SC2086
        "$1" train --data "$g" --model "$m" $fl --epochs 100 --threads 2 --quiet --json rp.json >/dev/null 2>err.txt
      # shellcheck disable=SC2086
      elif ! mpirun --oversubscribe -np "$p" "$1" train --data "$g" --model "$m" $fl --epochs 100 --threads 1 --quiet --json rp.json >/dev/null 2>err.txt; then
        echo "| $(basename "$g") | $m | $fl | $p | FAILED: $(tail -n 1 err.txt) | | |"; continue
      fi
      python3 - "$(basename "$g")" "$m" "$fl" "$p" <<'PY'
import json, sys
a = json.load(open('r1.json')); b = json.load(open('rp.json'))
w = max(abs(x - y) / abs(x) for x, y in zip(a['loss_curve'], b['loss_curve']))
ok = w <= 1e-4 and a['test_acc'] == b['test_acc'] and len(a['loss_curve']) == len(b['loss_curve'])
print(f"| {sys.argv[1]} | {sys.argv[2]} | {sys.argv[3].strip() or '-'} | {sys.argv[4]} | {w:.2e}{'' if ok else ' (NOT MET)'} "
      f"| {a['test_acc']:.4f} | {b['test_acc']:.4f} |")
PY
    done
  done
done
}
table "$bin"
echo
echo "## The same with \`--reproducible\`"
echo
echo "Parameter gradients (and GAT's reverse halo sums) summed in double and rounded once after the"
echo "sum over ranks: every P trains one process's weights, so what is left is the loss's own sum"
echo "over ranks for the report (about 1e-15)."
echo
table "$bin" --reproducible
if [ -x "$f64" ]; then
  echo
  echo "## The same in double precision (\`$(basename "$f64")\`)"
  echo
  echo "The same source compiled with pg_real = double: what is left is the algorithm's own error."
  echo
  table "$f64"
else
  echo
  echo "(No double-precision CLI at $f64: build it with \`cmake --build build --target pargnn_f64_cli\`.)"
fi
} > "$out.tmp"
mv "$out.tmp" "$out"
cat "$out"
