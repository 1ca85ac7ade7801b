#!/bin/sh
# Serial (1 thread) GCN training-step time on Cora, CiteSeer and Amazon Photo: REPEATS
# runs of 200 epochs each; per run the median step (forward + backward + Adam, no
# evaluation) from --json; reported: median over all steps of all runs, p10/p90 spread,
# test accuracy of each run. Writes bench/results/serial_step.{md,csv}.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "${1:-$here/../build/pargnn}")" && pwd)/$(basename "${1:-pargnn}")
data=${PARGNN_DATASETS:-$here/../../shared/datasets}
repeats=${REPEATS:-3}
out=$here/results
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v python3 >/dev/null || { echo "bench: python3 is needed to read the JSON reports" >&2; exit 1; }

csv=$out/serial_step.csv
md=$out/serial_step.md
echo "dataset,run,threads,epoch_ms_median,epoch_ms_p10,epoch_ms_p90,test_acc,command" > "$csv.tmp"
for ds in cora citeseer amazon-photo; do
    [ -d "$data/$ds" ] || { echo "bench: $data/$ds not found, skipped" >&2; continue; }
    extra=""
    [ "$ds" = amazon-photo ] && extra="--hidden 64 --feature-norm none"
    for r in $(seq 1 "$repeats"); do
        cmd="pargnn train --data \$PARGNN_DATASETS/$ds --threads 1 --epochs 200 --seed $((r - 1)) $extra --quiet --json run.json"
        # shellcheck disable=SC2086
        OMP_NUM_THREADS=1 "$bin" train --data "$data/$ds" --threads 1 --epochs 200 --seed $((r - 1)) $extra \
            --quiet --json "$tmp/run.json" >/dev/null
        python3 - "$tmp/run.json" "$ds" "$r" "$cmd" >> "$csv.tmp" <<'PY'
import json, sys
d = json.load(open(sys.argv[1]))
print(f'{sys.argv[2]},{sys.argv[3]},{d["threads"]},{d["epoch_ms"]:.4f},{d["epoch_ms_p10"]:.4f},'
      f'{d["epoch_ms_p90"]:.4f},{d["test_acc"]:.4f},"{sys.argv[4]}"')
PY
    done
done
mv "$csv.tmp" "$csv"

cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
blas=$(dpkg-query -W -f='${Version}' libopenblas0 2>/dev/null || echo unknown)
cc=$(cc --version 2>/dev/null | head -n 1)
python3 - "$csv" "$md" "$cpu" "$(nproc)" "$blas" "$cc" "$repeats" <<'PY'
import csv, statistics, sys, datetime
rows = list(csv.DictReader(open(sys.argv[1])))
with open(sys.argv[2], "w") as f:
    f.write("# Serial GCN training-step time\n\n")
    f.write(f"Measured {datetime.date.today()} on {sys.argv[3]} ({sys.argv[4]} cores), "
            f"OpenBLAS {sys.argv[5]}, {sys.argv[6]}.\n")
    f.write(f"Produced by `make bench` (`sh bench/serial_step.sh build/pargnn`, REPEATS={sys.argv[7]}); "
            "one thread (`--threads 1`, OMP_NUM_THREADS=1), 200 epochs per run, step = forward + "
            "backward + Adam update, evaluation excluded.\n\n")
    f.write("| dataset | runs | step ms (median of run medians) | p10-p90 of steps (ms) | test acc per run |\n|---|---|---|---|---|\n")
    for ds in dict.fromkeys(r["dataset"] for r in rows):
        rs = [r for r in rows if r["dataset"] == ds]
        med = statistics.median(float(r["epoch_ms_median"]) for r in rs)
        lo = min(float(r["epoch_ms_p10"]) for r in rs)
        hi = max(float(r["epoch_ms_p90"]) for r in rs)
        accs = " ".join(r["test_acc"] for r in rs)
        f.write(f"| {ds} | {len(rs)} | {med:.3f} | {lo:.3f} - {hi:.3f} | {accs} |\n")
    f.write("\nCommands (one per run) are in serial_step.csv beside this file.\n")
print(open(sys.argv[2]).read())
PY
