#!/bin/sh
# Accuracy of the paper's GCN recipe, mean and spread over seeds 0..9, test accuracy at the
# epoch of best validation accuracy: Cora and CiteSeer (planetoid split, hidden 16, row-
# normalised features), Amazon Photo (random20 split, hidden 64, raw features).
# Writes bench/results/accuracy.{md,csv}.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "${1:-$here/../build/pargnn}")" && pwd)/$(basename "${1:-pargnn}")
data=${PARGNN_DATASETS:-$here/../../shared/datasets}
seeds=${SEEDS:-0 1 2 3 4 5 6 7 8 9}
out=$here/results
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v python3 >/dev/null || { echo "bench: python3 is needed to read the JSON reports" >&2; exit 1; }

csv=$out/accuracy.csv
echo "dataset,seed,test_acc,val_acc,best_epoch,command" > "$csv.tmp"
for ds in cora citeseer amazon-photo; do
    [ -d "$data/$ds" ] || { echo "bench: $data/$ds not found, skipped" >&2; continue; }
    extra=""
    [ "$ds" = amazon-photo ] && extra="--hidden 64 --feature-norm none"
    for s in $seeds; do
        cmd="pargnn train --data \$PARGNN_DATASETS/$ds --epochs 200 --seed $s $extra --json run.json"
        # shellcheck disable=SC2086
        "$bin" train --data "$data/$ds" --epochs 200 --seed "$s" $extra --quiet --json "$tmp/run.json" >/dev/null
        python3 - "$tmp/run.json" "$ds" "$s" "$cmd" >> "$csv.tmp" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f'{sys.argv[2]},{sys.argv[3]},{d["test_acc"]:.4f},{d["val_acc"]:.4f},{d["best_epoch"]},"{sys.argv[4]}"')
PY
    done
done
mv "$csv.tmp" "$csv"
python3 - "$csv" "$out/accuracy.md" <<'PY'
import csv, statistics, sys, datetime
rows = list(csv.DictReader(open(sys.argv[1])))
target = {"cora": 81.0, "citeseer": 70.0, "amazon-photo": 89.5}
with open(sys.argv[2], "w") as f:
    f.write("# GCN accuracy over seeds\n\n")
    f.write(f"Measured {datetime.date.today()} by `sh bench/accuracy.sh build/pargnn`: 2-layer GCN, dropout 0.5, "
            "Adam lr 0.01, weight decay 5e-4 on the first layer, 200 epochs, test accuracy at the "
            "epoch of best validation accuracy. Commands per run in accuracy.csv.\n\n")
    f.write("| dataset | seeds | mean test acc (%) | std | min | max | target |\n|---|---|---|---|---|---|---|\n")
    for ds in dict.fromkeys(r["dataset"] for r in rows):
        a = [100 * float(r["test_acc"]) for r in rows if r["dataset"] == ds]
        sd = statistics.pstdev(a) if len(a) > 1 else 0.0
        f.write(f"| {ds} | {len(a)} | {statistics.mean(a):.2f} | {sd:.2f} | {min(a):.1f} | {max(a):.1f} | >= {target.get(ds, 0)} |\n")
print(open(sys.argv[2]).read())
PY
