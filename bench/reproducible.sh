#!/bin/bash
# What --reproducible costs: the median training epoch of every model on the
# ogbn-arxiv-shaped generated graph (the models_pyg.sh timing recipe: 3 layers, hidden 256,
# GAT 8 heads x 32), with and without the flag, at 1 and 2 threads, runs interleaved so
# that a change of machine load hits both alike. With OLD=path/to/pargnn, an older build
# is timed beside them (its default mode), to check that the default mode kept its speed.
# OpenBLAS's Haswell override is unset for these commands alone (see README, "Measuring").
# Writes bench/results/reproducible_cost.md (and .csv). The ratios are paired: each run
# against the other mode's run of the same repeat, then the median of those ratios (this VM
# slows down by up to 2x for minutes at a time, which the absolute medians carry).
# Usage: bash bench/reproducible.sh [pargnn binary]   (REPEATS=3 EPOCHS=5 MODELS="gcn sage gin gat";
#        REPORT_ONLY=1 renders the .md again from the .csv)
set -u
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "${1:-$here/../build/pargnn}")" && pwd)/$(basename "${1:-pargnn}")
out=$here/results/reproducible_cost
REPEATS=${REPEATS:-3} EPOCHS=${EPOCHS:-5} MODELS=${MODELS:-"gcn sage gin gat"} OLD=${OLD:-}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
if [ "${REPORT_ONLY:-0}" != 1 ]; then
graph=$tmp/arxiv.bin
"$bin" generate sbm --out "$graph" --format bin --nodes 169343 --avg-degree 13.77 --features 128 \
    --classes 40 --seed 1 >/dev/null || { echo "generate failed" >&2; exit 1; }
flags() { # model -> its flags
    if [ "$1" = gat ]; then echo "--model gat --layers 3 --feature-norm none --heads 8 --hidden 32 --out-heads 1"
    else echo "--model $1 --layers 3 --feature-norm none --hidden 256"; fi
}
echo "impl,model,threads,rep,epoch_ms,gemm_ms,spmm_ms,load" > "$out.csv.tmp"
for rep in $(seq 1 "$REPEATS"); do
  for m in $MODELS; do
    for t in 1 2; do
      for impl in default reproducible ${OLD:+old}; do
        b=$bin x=""
        [ "$impl" = reproducible ] && x=--reproducible
        [ "$impl" = old ] && b=$OLD
        echo "rep $rep $m threads $t $impl (load $(cut -d' ' -f1 /proc/loadavg))" >&2
        # shellcheck disable=SC2046,SC2086
        if env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$b" train --data "$graph" $(flags "$m") $x \
               --epochs "$EPOCHS" --threads "$t" --quiet --json "$tmp/r.json" >/dev/null 2>"$tmp/err"; then
          python3 - "$tmp/r.json" "$impl" "$m" "$t" "$rep" "$(cut -d' ' -f1 /proc/loadavg)" >> "$out.csv.tmp" <<'PY'
import json, sys
r = json.load(open(sys.argv[1])); ph = r["phase_ms"]
print(",".join(sys.argv[2:6] + [f"{r['epoch_ms']:.1f}", f"{ph['gemm']:.1f}", f"{ph['spmm']:.1f}", sys.argv[6]]))
PY
        else
          echo "$impl $m threads $t failed: $(tail -n 1 "$tmp/err")" >&2
        fi
      done
    done
  done
done
mv "$out.csv.tmp" "$out.csv"
fi
python3 - "$out.csv" "$REPEATS" "$EPOCHS" "$(nproc --all)" > "$out.md.tmp" <<'PY'
import csv, statistics, sys
rows = list(csv.DictReader(open(sys.argv[1])))
print("# The cost of --reproducible: median training epoch, ogbn-arxiv-shaped graph\n")
print(f"`bash bench/reproducible.sh` ({sys.argv[4]} cores; {sys.argv[2]} runs of {sys.argv[3]} epochs per row, "
      "interleaved; each run's epoch time is its median epoch, and the table gives the median "
      "of the runs and their range). Graph: `pargnn generate sbm --nodes 169343 --avg-degree 13.77 "
      "--features 128 --classes 40 --seed 1`; 3 layers, hidden 256 (GAT: 8 heads of 32). "
      "Load averages during the runs: " +
      f"{min(float(r['load']) for r in rows):.2f} to {max(float(r['load']) for r in rows):.2f}.\n")
impls = [i for i in ("old", "default", "reproducible") if any(r["impl"] == i for r in rows)]
def cell(i, m, t, key="epoch_ms"):
    v = [float(r[key]) for r in rows if r["impl"] == i and r["model"] == m and r["threads"] == t]
    return (statistics.median(v), min(v), max(v)) if v else None
def paired(a, b, m, t, key="epoch_ms"):  # median over repeats of a / b, and the range
    by = {(r["impl"], r["rep"]): float(r[key]) for r in rows if r["model"] == m and r["threads"] == t}
    v = [by[(a, k)] / by[(b, k)] for (i, k) in by if i == a and (b, k) in by]
    return f"{statistics.median(v):.2f}x ({min(v):.2f}-{max(v):.2f})" if v else "-"
print("| model | threads | " + " | ".join(f"{i} epoch ms (range)" for i in impls) +
      " | reproducible / default | its GEMM phase | its SpMM phase |" +
      (" default / old |" if "old" in impls else ""))
print("|---|---|" + "---|" * len(impls) + "---|---|---|" + ("---|" if "old" in impls else ""))
for m in dict.fromkeys(r["model"] for r in rows):
    for t in ("1", "2"):
        cs = [cell(i, m, t) for i in impls]
        if None in cs: continue
        print(f"| {m} | {t} | " + " | ".join(f"{c[0]:.0f} ({c[1]:.0f}-{c[2]:.0f})" for c in cs) +
              f" | {paired('reproducible', 'default', m, t)} | {paired('reproducible', 'default', m, t, 'gemm_ms')}"
              f" | {paired('reproducible', 'default', m, t, 'spmm_ms')} |" +
              (f" {paired('default', 'old', m, t)} |" if "old" in impls else ""))
print("\nRatios are paired within a repeat (the modes of one repeat ran one after another), "
      "then the median of the repeats with their range. `old` is the build before the fixed "
      "row tiles and global neighbour order (default mode), timed beside them with OLD=.")
PY
mv "$out.md.tmp" "$out.md"
cat "$out.md"
