#!/bin/sh
# pargnn against a plain PyTorch GCN and PyTorch Geometric's GCNConv (issue 4): the same data,
# model, hyperparameters and thread counts in one run; median training step, spread, accuracy,
# peak RSS, speedups. Writes bench/results/compare.{md,csv,json}. Not part of `make test`.
#
# Usage: sh bench/compare.sh [build/pargnn]      (also run by `make bench` through run.sh)
# Environment (all optional):
#   CASES="cora citeseer amazon-photo arxiv products"   cases to run, in this order
#   THREADS="1 2"            thread counts (--threads on pargnn; torch.set_num_threads and
#                            OMP_NUM_THREADS/MKL_NUM_THREADS on the Python side)
#   PRODUCTS_THREADS="2"     thread counts for the products-shaped case (it is the slow one)
#   IMPLS="pargnn torch pyg" implementations; torch/pyg need bench/.venv (made on first use)
#   ACC_SEEDS="0 1 2"        seeds of the accuracy study on the real datasets (all impls)
#   QUICK=1                  few epochs everywhere, no products, one accuracy seed: a smoke run
#   PYG_ADJ=auto|edge_index|sparse   PyG input: auto = edge_index (gcn.py) on the real
#                            datasets, a sparse CSR adj_t (OGB arxiv example) on generated ones
#   GRAPH_GEN=auto|rmat|sbm  generator of the large graphs (auto: rmat when pargnn has it)
#   PARGNN_BIN=auto|0        let pargnn load generated graphs from its binary format if it has one
#   MEM_LIMIT_GB=22          a run whose RSS passes this is stopped (the machine has 24 GiB)
#   PRODUCTS_MIN_AVAIL_GB=20 a products run starts only with this much MemAvailable
#   KEEP_OPENBLAS_ENV=0      1 keeps OPENBLAS_CORETYPE/OPENBLAS_L2_SIZE (unset by default, both sides)
#   NO_VENV=0                1 skips PyTorch/PyG (no install)
#   OUT_NAME=compare         results go to bench/results/$OUT_NAME.{md,csv,json}
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "${1:-$here/../build/pargnn}")" && pwd)/$(basename "${1:-pargnn}")
data=${PARGNN_DATASETS:-$here/../../shared/datasets}
[ -d "$data" ] && data=$(cd "$data" && pwd)
out=$here/results
cache=$here/.cache
venv=$here/.venv
QUICK=${QUICK:-0}
if [ "$QUICK" = 1 ]; then
    CASES=${CASES:-"cora citeseer amazon-photo arxiv"}
    ACC_SEEDS=${ACC_SEEDS:-"0"}
else
    CASES=${CASES:-"cora citeseer amazon-photo arxiv products"}
    ACC_SEEDS=${ACC_SEEDS:-"0 1 2"}
fi
THREADS=${THREADS:-"1 2"}
PRODUCTS_THREADS=${PRODUCTS_THREADS:-"2"}
IMPLS=${IMPLS:-"pargnn torch pyg"}
PYG_ADJ=${PYG_ADJ:-auto}
GRAPH_GEN=${GRAPH_GEN:-auto}
PARGNN_BIN=${PARGNN_BIN:-auto}
MEM_LIMIT_GB=${MEM_LIMIT_GB:-22}
PRODUCTS_MIN_AVAIL_GB=${PRODUCTS_MIN_AVAIL_GB:-20}
if [ "${KEEP_OPENBLAS_ENV:-0}" != 1 ]; then unset OPENBLAS_CORETYPE OPENBLAS_L2_SIZE || true; fi
command -v python3 >/dev/null || { echo "compare: python3 is needed" >&2; exit 1; }
[ -x "$bin" ] || { echo "compare: $bin not found: run make first" >&2; exit 1; }
mkdir -p "$out" "$cache"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
rec=$tmp/records.jsonl
: > "$rec"
report="python3 $here/compare_report.py"
log() { echo "compare: $*" >&2; }
started=$(date -u +%Y-%m-%dT%H:%M:%SZ)

. "$here/common.sh"  # ensure_venv, py, py_versions, gen_graph, arxiv_graph, pargnn_input, uptime_now
have_py=0
case " $IMPLS " in *" torch "*|*" pyg "*)
    if [ "${NO_VENV:-0}" != 1 ] && ensure_venv; then have_py=1; fi
esac

# ---- cases: dataset, model and epochs; the same for every implementation
set_case() {
    c=$1 generated=0 split_flag=""
    case $c in
    cora|citeseer)
        ds=$data/$c layers=2 hidden=16 norm=row epochs=200 warmup=5 eval=every ;;
    amazon-photo)
        ds=$data/$c layers=2 hidden=64 norm=none epochs=200 warmup=5 eval=every ;;
    arxiv)  # ogbn-arxiv: 169,343 nodes, 1,166,243 undirected edges, 128 features, 40 classes
        ds=$(arxiv_graph) generated=1
        layers=3 hidden=256 norm=none epochs=${ARXIV_EPOCHS:-11} warmup=1 eval=every ;;
    products)  # ogbn-products: 2,449,029 nodes, 61,859,140 undirected edges, 100 features, 47 classes
        ds=$(gen_graph products 2449029 50.52 100 47) generated=1
        layers=3 hidden=256 norm=none epochs=${PRODUCTS_EPOCHS:-6} warmup=1 eval=last ;;
    *) log "unknown case $c"; return 1 ;;
    esac
    if [ "$QUICK" = 1 ]; then
        if [ "$generated" = 1 ]; then epochs=3; else epochs=50; fi
    fi
    adj=$PYG_ADJ
    if [ "$adj" = auto ]; then if [ "$generated" = 1 ]; then adj=sparse; else adj=edge_index; fi; fi
}

run_pargnn() {  # case threads seed kind
    pdata=$ds
    [ "$generated" = 1 ] && pdata=$(pargnn_input "$ds")
    args="train --data $pdata --layers $layers --hidden $hidden --feature-norm $norm --epochs $epochs --seed $3 --threads $2 --quiet"
    load=$(uptime_now)
    st=0
    # shellcheck disable=SC2086
    ( ulimit -v $((MEM_LIMIT_GB * 1024 * 1024)); OMP_NUM_THREADS=$2 /usr/bin/time -f '%M %e' -o "$tmp/time.txt" \
        "$bin" $args --json "$tmp/run.json" ) > "$tmp/run.log" 2>&1 || st=$?
    $report record --rec "$rec" --kind "$4" --impl pargnn --case "$1" --threads "$2" --seed "$3" \
        --json "$tmp/run.json" --time "$tmp/time.txt" --log "$tmp/run.log" --status "$st" \
        --load "$load" --cmd "OMP_NUM_THREADS=$2 pargnn $args --json run.json"
    rm -f "$tmp/run.json" "$tmp/time.txt"
}

run_py() {  # impl case threads seed kind
    [ "$have_py" = 1 ] || return 0
    cachearg=""
    [ "$generated" = 1 ] && cachearg="--cache $ds/npz"
    args="--impl $1 --data $ds --layers $layers --hidden $hidden --feature-norm $norm --epochs $epochs --warmup $warmup --eval $eval --seed $4 --threads $3"
    [ "$1" = pyg ] && args="$args --adj $adj"
    load=$(uptime_now)
    st=0
    # shellcheck disable=SC2086
    OMP_NUM_THREADS=$3 MKL_NUM_THREADS=$3 py "$here/torch_gcn.py" $args $cachearg \
        --mem-limit-gb "$MEM_LIMIT_GB" --json "$tmp/run.json" > "$tmp/run.log" 2>&1 || st=$?
    impl=$1
    [ "$1" = pyg ] && impl=pyg-$adj
    $report record --rec "$rec" --kind "$5" --impl "$impl" --case "$2" --threads "$3" --seed "$4" \
        --json "$tmp/run.json" --log "$tmp/run.log" --status "$st" --load "$load" \
        --cmd "OMP_NUM_THREADS=$3 MKL_NUM_THREADS=$3 python bench/torch_gcn.py $args --json run.json"
    rm -f "$tmp/run.json"
}

# ---- timing: every case, implementation and thread count, seed 0
for c in $CASES; do
    set_case "$c" || continue
    [ -d "$ds" ] || { log "$ds not found: $c skipped"; continue; }
    if [ "$generated" = 1 ] && [ "$have_py" = 1 ] && [ ! -f "$ds/npz/dataset.npz" ]; then
        # parse the gzip CSV once, in its own process, so no timed run's peak RSS includes it
        log "caching $c as .npz for the Python side"
        py "$here/torch_gcn.py" --impl torch --data "$ds" --cache "$ds/npz" --epochs 0 >/dev/null 2>&1 || true
    fi
    ths=$THREADS
    [ "$c" = products ] && ths=$PRODUCTS_THREADS
    for t in $ths; do
        for impl in $IMPLS; do
            avail=$(awk '/^MemAvailable:/{print int($2 / 1048576)}' /proc/meminfo)
            if [ "$c" = products ] && [ "$avail" -lt "$PRODUCTS_MIN_AVAIL_GB" ]; then
                # the kernel's OOM killer would pick this run or, worse, someone else's
                log "products $impl threads=$t skipped: $avail GiB available, PRODUCTS_MIN_AVAIL_GB=$PRODUCTS_MIN_AVAIL_GB"
                continue
            fi
            log "$c threads=$t $impl (load $(uptime_now))"
            if [ "$impl" = pargnn ]; then run_pargnn "$c" "$t" 0 time; else run_py "$impl" "$c" "$t" 0 time; fi
        done
    done
done

# ---- accuracy at equal seeds on the real datasets, at the last thread count; the timing runs
# above are seed 0 at that thread count and count as seed 0 here
accth=$(echo "$THREADS" | awk '{print $NF}')
for c in $CASES; do
    case $c in cora|citeseer|amazon-photo) ;; *) continue ;; esac
    set_case "$c"
    [ -d "$ds" ] || continue
    for s in $ACC_SEEDS; do
        [ "$s" = 0 ] && continue
        for impl in $IMPLS; do
            log "accuracy $c seed=$s $impl"
            if [ "$impl" = pargnn ]; then run_pargnn "$c" "$accth" "$s" acc; else run_py "$impl" "$c" "$accth" "$s" acc; fi
        done
    done
done

# ---- machine and versions, then the tables
cpu=$(lscpu 2>/dev/null | sed -n 's/^Model name:[[:space:]]*//p' | head -n 1)
blas=$(dpkg-query -W -f='${Version}' libopenblas0 2>/dev/null || dpkg-query -W -f='${Version}' libopenblas0-pthread 2>/dev/null || echo unknown)
cc=$(cc --version 2>/dev/null | head -n 1)
pyv=""
[ "$have_py" = 1 ] && pyv=$(py_versions)
$report render --rec "$rec" --out "$out" --name "${OUT_NAME:-compare}" --acc-threads "$accth" --cpu "$cpu" --cores "$(nproc)" --mem "$(free -g | awk '/^Mem:/{print $2}') GiB" \
    --blas "$blas" --cc "$cc" --pyv "$pyv" --pargnn "$("$bin" --version 2>/dev/null || echo unknown)" \
    --started "$started" --env "QUICK=$QUICK CASES='$CASES' THREADS='$THREADS' PRODUCTS_THREADS='$PRODUCTS_THREADS' IMPLS='$IMPLS' ACC_SEEDS='$ACC_SEEDS' PYG_ADJ=$PYG_ADJ GRAPH_GEN=$GRAPH_GEN OPENBLAS_CORETYPE=${OPENBLAS_CORETYPE:-unset} OPENBLAS_L2_SIZE=${OPENBLAS_L2_SIZE:-unset}"
