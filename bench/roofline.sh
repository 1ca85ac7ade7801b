#!/bin/sh
# Roofline study (not part of make test): measures this machine's ceilings and the kernels
# (bench/kernels.c), then pargnn's GCN epoch and per-phase times on an ogbn-arxiv-shaped
# generated graph and on Cora at 1 and 2 threads, in natural order and with --reorder rcm and
# --reorder metis (Cora's 2,708 nodes make one cluster: its metis rows are the natural order), and
# writes bench/results/roofline.{md,csv} plus the raw kernel output.
# Usage: sh bench/roofline.sh [BUILD_DIR]
# env: REPEATS=3 (runs per epoch figure), EPOCHS=30, KREPS=15 (timed calls per kernel),
#      QUICK=1 (a 20000-node graph instead of the arxiv shape)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
data=${PARGNN_DATASETS:-$here/../../shared/datasets}
repeats=${REPEATS:-3}
epochs=${EPOCHS:-30}
out=$here/results
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v python3 >/dev/null || { echo "roofline: python3 is needed to read the JSON reports" >&2; exit 1; }
cmake --build "$build" --target pargnn_cli pargnn_bench_kernels >/dev/null

nodes=169343; deg=13.7
[ "${QUICK:-0}" = 1 ] && nodes=20000
# OpenBLAS picks its kernels from the CPU unless told otherwise: measure what the CPU gets.
run() { env -u OPENBLAS_CORETYPE -u OPENBLAS_L2_SIZE "$@"; }

{
    echo "date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
    echo "machine: $(lscpu | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1), $(nproc) cores"
    echo "openblas: $(dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null || echo unknown)"
    echo "compiler: $(cc --version | head -n 1)"
    echo "load before: $(uptime)"
} > "$tmp/machine.txt"

# 1. ceilings, kernels, epoch model (graph generated inside the bench, same shape)
kreps=${KREPS:-15}
kcmd="pargnn_bench_kernels --reps $kreps --nodes $nodes --avg-degree $deg --in 128 --hidden 256 --classes 40 --layers 3"
# shellcheck disable=SC2086
run "$build/pargnn_bench_kernels" --reps "$kreps" --nodes $nodes --avg-degree $deg --in 128 --hidden 256 --classes 40 \
    --layers 3 > "$tmp/kernels.txt"
# shellcheck disable=SC2086
run "$build/pargnn_bench_kernels" --nodes 2708 --avg-degree 3.9 --in 1433 --hidden 16 --classes 7 \
    --layers 2 --reps 50 > "$tmp/kernels_cora.txt"

# 2. whole epochs through the CLI
gen="$build/pargnn generate sbm --out $tmp/arxiv.bin --format bin --nodes $nodes --avg-degree $deg --features 128 --classes 40 --seed 1"
$gen >/dev/null
rmat=""
if "$build/pargnn" generate rmat --help >/dev/null 2>&1; then
    "$build/pargnn" generate rmat --out "$tmp/rmat.bin" --format bin --nodes $nodes --avg-degree $deg \
        --features 128 --classes 40 --seed 1 >/dev/null && rmat=rmat
fi
echo "case,graph,threads,reorder,run,epoch_ms,spmm,gemm,elementwise,loss,optimizer,test_acc,command" > "$tmp/epochs.csv"
for g in arxiv $rmat cora; do
    if [ "$g" = cora ]; then
        [ -d "$data/cora" ] || continue
        src="$data/cora"; flags="--epochs 200"
    else
        src="$tmp/$g.bin"; flags="--layers 3 --hidden 256 --epochs $epochs --feature-norm none"
    fi
    for t in 1 2; do
        for ro in none rcm metis; do
            for r in $(seq 1 "$repeats"); do
                # shellcheck disable=SC2086
                OMP_NUM_THREADS=$t run "$build/pargnn" train --data "$src" $flags --threads $t --reorder $ro \
                    --seed $((r - 1)) --quiet --json "$tmp/run.json" >/dev/null
                python3 - "$tmp/run.json" "$g" "$t" "$ro" "$r" \
                    "pargnn train --data $g $flags --threads $t --reorder $ro --seed $((r - 1))" >> "$tmp/epochs.csv" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
p = d["phase_ms"]
print(f'epoch,{sys.argv[2]},{sys.argv[3]},{sys.argv[4]},{sys.argv[5]},{d["epoch_ms"]:.4f},'
      f'{p["spmm"]:.4f},{p["gemm"]:.4f},{p["elementwise"]:.4f},{p["loss"]:.4f},{p["optimizer"]:.4f},'
      f'{d["test_acc"]:.4f},"{sys.argv[6]}"')
PY
            done
        done
    done
done
echo "load after: $(uptime)" >> "$tmp/machine.txt"

cp "$tmp/kernels.txt" "$out/roofline_kernels_arxiv.txt"
cp "$tmp/kernels_cora.txt" "$out/roofline_kernels_cora.txt"
cp "$tmp/epochs.csv" "$out/roofline_epochs.csv"
python3 - "$tmp/machine.txt" "$tmp/kernels.txt" "$tmp/kernels_cora.txt" "$tmp/epochs.csv" "$out/roofline.md" \
    "$kcmd" "$gen" "$repeats" <<'PY'
import csv, statistics, sys
machine = open(sys.argv[1]).read().strip().splitlines()
def rows(path):
    return [l.split(",", 6) for l in open(path) if l.startswith("CSV,")]
k_arxiv, k_cora = rows(sys.argv[2]), rows(sys.argv[3])
ep = list(csv.DictReader(open(sys.argv[4])))
def get(rs, kind, name, t):
    for r in rs:
        if r[1] == kind and r[2] == name and int(r[3]) == t:
            return float(r[4]), r[6].strip() if len(r) > 6 else ""
    return None, ""
def med(g, t, ro, key):
    v = [float(r[key]) for r in ep if r["graph"] == g and int(r["threads"]) == t and r["reorder"] == ro]
    return statistics.median(v) if v else None
with open(sys.argv[5], "w") as f:
    f.write("# Roofline: ceilings, kernels and GCN epochs\n\n")
    for l in machine:
        f.write(f"- {l}\n")
    f.write(f"\nProduced by `sh bench/roofline.sh BUILD` (kernels: `{sys.argv[6]}`; graph: `{sys.argv[7]}`; "
            f"{sys.argv[8]} runs per epoch figure, median). Raw output: roofline_kernels_*.txt, roofline_epochs.csv.\n\n")
    f.write("## Ceilings\n\n| ceiling | 1 thread | 2 threads |\n|---|---|---|\n")
    for name, unit in (("triad", "GB/s"), ("sgemm_2048", "GFLOP/s"), ("gather_f40", "GB/s"),
                       ("gather_f128", "GB/s"), ("gather_f256", "GB/s")):
        if get(k_arxiv, "ceiling", name, 1)[0] is None:
            continue
        a, _ = get(k_arxiv, "ceiling", name, 1); b, _ = get(k_arxiv, "ceiling", name, 2)
        f.write(f"| {name} ({unit}) | {a:.1f} | {b:.1f} |\n")
    f.write("\n## Kernels on the arxiv-shaped graph (generated uniform; natural order unless named)\n\n"
            "gather_fW: reading uniformly random rows of W floats (what a SpMM fetches when the graph has no "
            "locality). 'fetched' counts the bytes a SpMM without reuse reads: CSR + one input row per non-zero "
            "+ the output.\n\n"
            "| kernel | threads | ms | achieved | fraction of ceiling | fetched | fraction of random-row reads |\n"
            "|---|---|---|---|---|---|---|\n")
    for r in k_arxiv:
        if r[1] == "spmm" and ("avx512" in r[2] or "generic none" in r[2] or "unweighted" in r[2]):
            extra = dict(kv.split("=") for kv in r[6].strip().split(";") if "=" in kv)
            f.write(f"| {r[2]} | {r[3]} | {float(r[4]):.2f} | {extra.get('GB/s', '')} GB/s | "
                    f"{extra.get('fraction_of_triad', '')} of triad | {extra.get('fetched_GB/s', '-')} GB/s | "
                    f"{extra.get('fraction_of_gather', '-')} |\n")
        if r[1] == "gemm":
            extra = dict(kv.split("=") for kv in r[6].strip().split(";") if "=" in kv)
            f.write(f"| gemm {r[2]} | {r[3]} | | {float(r[4]):.1f} GFLOP/s | {extra.get('fraction_of_best', '')} of SGEMM | | |\n")
    f.write("\n## Epochs (training step: forward + backward + Adam)\n\n"
            "| graph | threads | reorder | epoch ms | lower bound ms | x bound | spmm | gemm | elementwise | test acc |\n"
            "|---|---|---|---|---|---|---|---|---|---|\n")
    for g, ks in (("arxiv", k_arxiv), ("rmat", None), ("cora", k_cora)):
        for t in (1, 2):
            lb = get(ks, "epoch", "lower_bound", t)[0] if ks else None
            for ro in ("none", "rcm", "metis"):
                e = med(g, t, ro, "epoch_ms")
                if e is None:
                    continue
                x = f"{e / lb:.2f}" if lb else "-"
                f.write(f"| {g} | {t} | {ro} | {e:.2f} | {lb:.2f} | {x} | " if lb else f"| {g} | {t} | {ro} | {e:.2f} | - | - | ")
                f.write(f"{med(g, t, ro, 'spmm'):.2f} | {med(g, t, ro, 'gemm'):.2f} | {med(g, t, ro, 'elementwise'):.2f} | "
                        f"{med(g, t, ro, 'test_acc'):.4f} |\n")
        e1, e2 = med(g, 1, "none", "epoch_ms"), med(g, 2, "none", "epoch_ms")
        if e1 and e2:
            f.write(f"| {g} | speed-up 2 vs 1 thread | | {e1 / e2:.2f}x | | | | | | |\n")
print(open(sys.argv[5]).read())
PY
