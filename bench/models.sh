#!/bin/sh
# GraphSAGE, GIN and GAT next to GCN: mean and spread of the test accuracy (at the epoch of best
# validation accuracy) over seeds 0..9 on Cora, CiteSeer (planetoid split, hidden 16,
# row-normalised features) and Amazon Photo (random20 split, hidden 64, raw features), all
# with 2 layers, dropout 0.5, Adam lr 0.01, weight decay 5e-4 on every layer's weights
# (PyG's examples), 200 epochs; GAT with the paper's recipe on Cora and CiteSeer only; then
# the median serial step time (1 thread, 100 epochs).
# Writes bench/results/$OUT_NAME.{md,csv} (default models).
# Usage: sh bench/models.sh [pargnn binary]   (SEEDS="0 1" and MODELS="sage" narrow it)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "${1:-$here/../build/pargnn}")" && pwd)/$(basename "${1:-pargnn}")
data=${PARGNN_DATASETS:-$here/../../shared/datasets}
seeds=${SEEDS:-0 1 2 3 4 5 6 7 8 9}
models=${MODELS:-gcn sage gin gat}
out=$here/results
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v python3 >/dev/null || { echo "bench: python3 is needed to read the JSON reports" >&2; exit 1; }

name=${OUT_NAME:-models}   # results go to bench/results/$name.{md,csv}
csv=$out/$name.csv
echo "model,dataset,seed,threads,test_acc,val_acc,best_epoch,epoch_ms,command" > "$csv.tmp"
row() { # json model dataset seed command
    python3 - "$@" >> "$csv.tmp" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f'{sys.argv[2]},{sys.argv[3]},{sys.argv[4]},{d["threads"]},{d["test_acc"]:.4f},{d["val_acc"]:.4f},'
      f'{d["best_epoch"]},{d["epoch_ms"]:.3f},"{sys.argv[5]}"')
PY
}
for m in $models; do
    for ds in cora citeseer amazon-photo; do
        [ -d "$data/$ds" ] || { echo "bench: $data/$ds not found, skipped" >&2; continue; }
        extra="--model $m --decay-scope all"
        [ "$ds" = amazon-photo ] && extra="$extra --hidden 64 --feature-norm none"
        # GAT: the paper's recipe (8 heads of 8, dropout 0.6 everywhere, lr 0.005), on the
        # citation graphs it was published for
        if [ "$m" = gat ]; then
            [ "$ds" = amazon-photo ] && continue
            extra="$extra --heads 8 --hidden 8 --dropout 0.6 --attn-dropout 0.6 --message-dropout 0.6 --lr 0.005"
        fi
        for s in $seeds; do
            cmd="pargnn train --data \$PARGNN_DATASETS/$ds --epochs 200 --seed $s $extra --json run.json"
            # shellcheck disable=SC2086
            "$bin" train --data "$data/$ds" --epochs 200 --seed "$s" $extra --quiet --json "$tmp/run.json" >/dev/null
            row "$tmp/run.json" "$m" "$ds" "$s" "$cmd"
        done
        cmd="pargnn train --data \$PARGNN_DATASETS/$ds --epochs 100 --threads 1 $extra --json step.json"
        # shellcheck disable=SC2086
        "$bin" train --data "$data/$ds" --epochs 100 --threads 1 $extra --quiet --json "$tmp/step.json" >/dev/null
        row "$tmp/step.json" "$m" "$ds" step "$cmd"
    done
done
mv "$csv.tmp" "$csv"
python3 - "$csv" "$out/$name.md" "$bin" <<'PY'
import csv, statistics, sys, datetime, platform, subprocess, os
rows = list(csv.DictReader(open(sys.argv[1])))
cpu = next((l.split(":", 1)[1].strip() for l in open("/proc/cpuinfo") if l.startswith("model name")), "?")
with open(sys.argv[2], "w") as f:
    f.write("# GCN, GraphSAGE, GIN and GAT: accuracy over seeds and serial step time\n\n")
    f.write(f"Measured {datetime.date.today()} by `sh bench/models.sh build/pargnn` on {cpu} "
            f"({os.cpu_count()} cores, shared with other jobs). Recipe for every model: 2 layers, "
            "dropout 0.5, Adam lr 0.01, weight decay 5e-4 on every layer's weights "
            "(`--decay-scope all`), 200 epochs; hidden 16 and row-normalised features on Cora and "
            "CiteSeer, hidden 64 and raw features on Amazon Photo; GIN's eps fixed at 0; SAGE "
            "without output normalisation. GAT (Cora and CiteSeer only): the paper's recipe, 8 "
            "heads of 8, 1 output head, dropout, attention and message dropout 0.6, lr 0.005. "
            "Load average at the end: " + open("/proc/loadavg").read().split()[0] + ". Test accuracy at the epoch of best validation accuracy, "
            "default threads. Step: median forward + backward + Adam over 100 epochs on 1 thread. "
            "The exact command of every run is in models.csv.\n\n")
    f.write("| model | dataset | seeds | mean test acc (%) | std | min | max | serial step (ms) |\n"
            "|---|---|---|---|---|---|---|---|\n")
    keys = list(dict.fromkeys((r["model"], r["dataset"]) for r in rows))
    for m, ds in keys:
        a = [100 * float(r["test_acc"]) for r in rows if (r["model"], r["dataset"]) == (m, ds) and r["seed"] != "step"]
        st = [float(r["epoch_ms"]) for r in rows if (r["model"], r["dataset"]) == (m, ds) and r["seed"] == "step"]
        sd = statistics.pstdev(a) if len(a) > 1 else 0.0
        f.write(f"| {m} | {ds} | {len(a)} | {statistics.mean(a):.2f} | {sd:.2f} | {min(a):.1f} | "
                f"{max(a):.1f} | {st[0] if st else float('nan'):.2f} |\n")
print(open(sys.argv[2]).read())
PY
