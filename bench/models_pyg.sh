#!/bin/sh
# pargnn's GraphSAGE, GIN and GAT against PyTorch Geometric's SAGEConv, GINConv and GATConv
# trained with the same recipe (issue 6; bench/pyg_models.py builds the PyG side):
#  1. accuracy: test accuracy at the epoch of best validation accuracy over SEEDS on Cora,
#     CiteSeer (planetoid split, hidden 16, row-normalised features) and Amazon Photo (random20
#     split, hidden 64, raw features); 2 layers, dropout 0.5 on every layer's input, Adam
#     lr 0.01, weight decay 5e-4 on every layer's weights, 200 epochs. GAT: the GAT paper's
#     recipe (8 heads of 8 channels, 1 averaged output head, dropout 0.6 on features and
#     attention, lr 0.005, weight decay 5e-4 on every layer's weights, GAT_EPOCHS epochs);
#  2. time: median training step (forward + backward + Adam) on the ogbn-arxiv-shaped
#     generated graph (the one bench/compare.sh uses: 3 layers, hidden 256, GAT 8 heads x 32)
#     at each of THREADS, seed 0, and PyG's time over pargnn's.
# Writes bench/results/$OUT_NAME.{md,csv} (models_pyg by default). Not part of `make test`.
#
# Usage: sh bench/models_pyg.sh [build/pargnn]      (also run by `make bench` through run.sh)
# Environment (all optional):
#   MODELS="sage gin gat"   models; gat is skipped on the pargnn side (with a message) when
#                           the binary has no --model gat
#   DATASETS="cora citeseer amazon-photo"
#   SEEDS="0 1 ... 9"       accuracy seeds (the same seed on both sides; the RNGs differ)
#   ACC_THREADS=1           threads of the accuracy runs (pargnn --threads, torch threads)
#   THREADS="1 2"           thread counts of the timing runs
#   STAGES="acc time"       what to run
#   ACC_ADJ=sparse          PyG's input for SAGE and GIN in the accuracy runs: a torch sparse
#                           CSR adj_t (SpMM; the same sums as edge_index in another order, and
#                           10x faster on these wide features) or edge_index; GAT always
#                           takes edge_index
#   TIME_ADJ=sparse         the same for the timing runs (OGB's arxiv examples use adj_t)
#   TIME_REPEAT=1           rounds of the timing runs: each round times every model and
#                           thread count on both sides, pargnn first in odd rounds and PyG
#                           first in even ones; the report pairs the runs of a round and
#                           gives the median ratio of the pairs and their spread (on a
#                           shared machine one pair is weak evidence)
#   TIME_GRAPH=arxiv        the timing graph: arxiv (the arxiv-shaped graph with the
#                           generator's split, 800 training nodes) or arxiv-fractions (the same
#                           graph with ogbn-arxiv's split fractions, common.sh)
#   TIME_EPOCHS=11          epochs of a timing run; the first (warm-up) is not counted on
#                           the PyG side; pargnn's median is over all of them
#   GAT_EPOCHS=200          epochs of the GAT accuracy runs
#   INIT=pyg                initial weights on both sides: PyG's layers' own (pyg: SAGE's and
#                           GIN's Linear maps and biases U(+-1/sqrt(fan_in)); pargnn --init pyg)
#                           or Glorot weights with zero biases (glorot; pargnn's default)
#   RNG=torch               PyG's random numbers: torch's own (torch), or pargnn's
#                           (pargnn: pyg_models.py --rng pargnn draws the initial weights and
#                           every dropout mask with pargnn's keys, so a seed trains the same
#                           network on the same masks on both sides and the report pairs the
#                           seeds; SAGE and GIN only, GAT keeps torch's). PyG's step times
#                           then include drawing the masks in numpy: accuracy runs only
#   PHOTO_NORM=none         Amazon Photo's features as stored (none) or row-normalised (row):
#                           GIN's plain MLP diverges on the raw bag-of-words on both sides
#   GIN_MLP_NORM=none       GIN's norm inside its MLP on both sides (batch: BatchNorm1d
#                           after the first Linear, as PyG's GIN example; layer: LayerNorm)
#   GRAPH_GEN=auto PARGNN_BIN=auto   as in compare.sh
#   MEM_LIMIT_GB=16         a PyG run whose RSS passes this is stopped (others share the machine)
#   OUT_NAME=models_pyg
#   RECORDS=FILE            keep the run records in FILE and add to it (default: a temporary
#                           file, started empty): runs split over several invocations, e.g.
#                           MODELS=sage and MODELS=gin side by side, then STAGES=time, all
#                           with the same RECORDS, give one report of all of them
#                           (STAGES=report only renders it)
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "${1:-$here/../build/pargnn}")" && pwd)/$(basename "${1:-pargnn}")
data=${PARGNN_DATASETS:-$here/../../shared/datasets}
[ -d "$data" ] && data=$(cd "$data" && pwd)
out=$here/results
cache=$here/.cache
venv=$here/.venv
MODELS=${MODELS:-sage gin gat}
DATASETS=${DATASETS:-cora citeseer amazon-photo}
SEEDS=${SEEDS:-0 1 2 3 4 5 6 7 8 9}
ACC_THREADS=${ACC_THREADS:-1}
THREADS=${THREADS:-1 2}
STAGES=${STAGES:-acc time}
ACC_ADJ=${ACC_ADJ:-sparse}
TIME_ADJ=${TIME_ADJ:-sparse}
TIME_EPOCHS=${TIME_EPOCHS:-11}
TIME_REPEAT=${TIME_REPEAT:-1}
TIME_GRAPH=${TIME_GRAPH:-arxiv}
case $TIME_REPEAT in '' | *[!0-9]* | 0) echo "models_pyg: TIME_REPEAT must be a positive integer, not '$TIME_REPEAT'" >&2; exit 2 ;; esac
GAT_EPOCHS=${GAT_EPOCHS:-200}
INIT=${INIT:-pyg}
RNG=${RNG:-torch}
PHOTO_NORM=${PHOTO_NORM:-none}
GIN_MLP_NORM=${GIN_MLP_NORM:-none}
GRAPH_GEN=${GRAPH_GEN:-auto}
PARGNN_BIN=${PARGNN_BIN:-auto}
MEM_LIMIT_GB=${MEM_LIMIT_GB:-16}
OUT_NAME=${OUT_NAME:-models_pyg}
case $RNG in torch|pargnn) ;; *) echo "models_pyg: RNG=$RNG: expected torch or pargnn" >&2; exit 2 ;; esac
[ "$RNG" = pargnn ] && case " $STAGES " in *" time "*)
    echo "models_pyg: RNG=pargnn times numpy's mask draws on the PyG side: use it with STAGES=acc" >&2; exit 2 ;; esac
command -v python3 >/dev/null || { echo "models_pyg: python3 is needed" >&2; exit 1; }
[ -x "$bin" ] || { echo "models_pyg: $bin not found: run make first" >&2; exit 1; }
mkdir -p "$out" "$cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rec=${RECORDS:-$tmp/records.jsonl}
[ -n "${RECORDS:-}" ] || : > "$rec"
log() { echo "models_pyg: $*" >&2; }
. "$here/common.sh"  # ensure_venv, py, py_versions, arxiv_graph, pargnn_input, uptime_now
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)
load_start=$(cat /proc/loadavg)
settings="MODELS='$MODELS' DATASETS='$DATASETS' SEEDS='$SEEDS' ACC_THREADS=$ACC_THREADS THREADS='$THREADS' STAGES='$STAGES' ACC_ADJ=$ACC_ADJ TIME_ADJ=$TIME_ADJ TIME_EPOCHS=$TIME_EPOCHS TIME_REPEAT=$TIME_REPEAT GAT_EPOCHS=$GAT_EPOCHS INIT=$INIT RNG=$RNG PHOTO_NORM=$PHOTO_NORM GIN_MLP_NORM=$GIN_MLP_NORM GRAPH_GEN=$GRAPH_GEN OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset}"
ensure_venv || { log "PyTorch/PyG are needed for this comparison"; exit 1; }
pargnn_gat=0
"$bin" train --help 2>&1 | grep -q -- '--heads' && pargnn_gat=1

# record: kind model dataset impl threads seed status json cmd [time-file]
record() {
    python3 "$here/compare_report.py" record --rec "$rec" --kind "$1" --case "$2/$3" --impl "$4" \
        --threads "$5" --seed "$6" --status "$7" --json "$8" --log "$tmp/run.log" \
        --load "$(uptime_now)" --cmd "$9" --time "$tmp/time.txt"
    rm -f "$8" "$tmp/time.txt"
}

# flags of model $1 on dataset $2 (both sides take the same names); stage acc or time ($3)
model_flags() {
    f="--model $1"
    if [ "$3" = time ]; then
        f="$f --layers 3 --feature-norm none"
        if [ "$1" = gat ]; then f="$f --heads 8 --hidden 32 --out-heads 1"; else f="$f --hidden 256"; fi
    else
        case $2 in amazon-photo) f="$f --feature-norm $PHOTO_NORM" ;; *) f="$f --feature-norm row" ;; esac
        if [ "$1" = gat ]; then f="$f --heads 8 --hidden 8 --out-heads 1"
        elif [ "$2" = amazon-photo ]; then f="$f --hidden 64"
        else f="$f --hidden 16"; fi
    fi
    [ "$1" = gin ] && [ "$GIN_MLP_NORM" != none ] && f="$f --gin-mlp-norm $GIN_MLP_NORM"
    if [ "$1" = gat ]; then
        f="$f --dropout 0.6 --attn-dropout 0.6 --lr 0.005"
    else
        f="$f --dropout 0.5 --lr 0.01"
    fi
    echo "$f --weight-decay 5e-4 --decay-scope all"
}

run_pargnn() {  # kind model dataset-name data-path threads seed epochs
    if [ "$2" = gat ] && [ "$pargnn_gat" = 0 ]; then
        log "pargnn $2 $3: skipped, $bin has no --model gat yet"
        return 0
    fi
    args="train --data $4 $(model_flags "$2" "$3" "$1") --init $INIT --epochs $7 --seed $6 --threads $5 --quiet"
    st=0
    # shellcheck disable=SC2086
    OMP_NUM_THREADS=$5 /usr/bin/time -f '%M %e' -o "$tmp/time.txt" \
        "$bin" $args --json "$tmp/run.json" > "$tmp/run.log" 2>&1 || st=$?
    record "$1" "$2" "$3" pargnn "$5" "$6" "$st" "$tmp/run.json" \
        "OMP_NUM_THREADS=$5 pargnn $(echo "$args" | sed "s#$data#\$PARGNN_DATASETS#; s#$cache#bench/.cache#") --json run.json"
}

run_pyg() {  # kind model dataset-name data-path threads seed epochs
    adj=$ACC_ADJ mode="train --init $INIT"
    [ "$RNG" = pargnn ] && [ "$2" != gat ] && mode="$mode --rng pargnn"
    [ "$1" = time ] && adj=$TIME_ADJ mode="time --init $INIT --warmup 1 --cache $4/npz"
    [ "$2" = gat ] && adj=edge_index
    args="--data $4 $(model_flags "$2" "$3" "$1") --epochs $7 --seed $6 --threads $5 --adj $adj --mode $mode"
    st=0
    # shellcheck disable=SC2086
    OMP_NUM_THREADS=$5 MKL_NUM_THREADS=$5 py "$here/pyg_models.py" $args \
        --mem-limit-gb "$MEM_LIMIT_GB" --json "$tmp/run.json" > "$tmp/run.log" 2>&1 || st=$?
    record "$1" "$2" "$3" "pyg-$adj" "$5" "$6" "$st" "$tmp/run.json" \
        "OMP_NUM_THREADS=$5 MKL_NUM_THREADS=$5 python bench/pyg_models.py $(echo "$args" | sed "s#$data#\$PARGNN_DATASETS#; s#$cache#bench/.cache#g") --json run.json"
}

case " $STAGES " in *" acc "*)
    for m in $MODELS; do
        epochs=200
        [ "$m" = gat ] && epochs=$GAT_EPOCHS
        for ds in $DATASETS; do
            [ -d "$data/$ds" ] || { log "$data/$ds not found, skipped"; continue; }
            for s in $SEEDS; do
                log "accuracy $m $ds seed=$s (load $(uptime_now))"
                run_pargnn acc "$m" "$ds" "$data/$ds" "$ACC_THREADS" "$s" "$epochs"
                run_pyg acc "$m" "$ds" "$data/$ds" "$ACC_THREADS" "$s" "$epochs"
            done
        done
    done
esac

case " $STAGES " in *" time "*)
    case $TIME_GRAPH in
        arxiv) ds=$(arxiv_graph) ;;
        arxiv-fractions) ds=$(arxiv_graph_fractions) || { log "cannot write the split"; exit 1; } ;;
        *) log "TIME_GRAPH: '$TIME_GRAPH' is not arxiv or arxiv-fractions"; exit 2 ;;
    esac
    if [ ! -f "$ds/npz/dataset.npz" ]; then
        # parse the gzip CSV once, in its own process, outside every timed run
        log "caching the arxiv-shaped graph as .npz for the Python side"
        py "$here/torch_gcn.py" --impl torch --data "$ds" --cache "$ds/npz" --epochs 0 >/dev/null 2>&1 || true
    fi
    pdata=$(pargnn_input "$ds")
    r=1
    while [ "$r" -le "$TIME_REPEAT" ]; do
        for m in $MODELS; do
            for t in $THREADS; do
                log "time $m $TIME_GRAPH threads=$t round $r of $TIME_REPEAT (load $(uptime_now))"
                if [ $((r % 2)) = 1 ]; then
                    run_pargnn time "$m" "$TIME_GRAPH" "$pdata" "$t" 0 "$TIME_EPOCHS"
                    run_pyg time "$m" "$TIME_GRAPH" "$ds" "$t" 0 "$TIME_EPOCHS"
                else
                    run_pyg time "$m" "$TIME_GRAPH" "$ds" "$t" 0 "$TIME_EPOCHS"
                    run_pargnn time "$m" "$TIME_GRAPH" "$pdata" "$t" 0 "$TIME_EPOCHS"
                fi
            done
        done
        r=$((r + 1))
    done
esac

# this invocation's settings and load at its start and end, as a record of kind "meta"
python3 -c 'import json, sys; print(json.dumps(dict(kind="meta", started=sys.argv[1], load_start=sys.argv[2],
    load_end=sys.argv[3], env=sys.argv[4], pargnn_gat=sys.argv[5] == "1")))' "$started" "$load_start" \
    "$(cat /proc/loadavg)" "$settings" "$pargnn_gat" >> "$rec"
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
python3 "$here/models_pyg_report.py" --rec "$rec" --out "$out" --name "$OUT_NAME" \
    --cpu "$cpu" --cores "$(nproc)" --mem "$(free -g | awk '/^Mem:/{print $2}') GiB" \
    --pyv "$(py_versions)" --pargnn "$("$bin" --version 2>/dev/null || echo unknown) ($bin)"
