#!/bin/sh
# Distributed scaling study (issue 5). Usage: sh bench/scaling.sh [build/pargnn]
#  1. strong scaling: 1 rank x 1 thread, 2 ranks x 1 thread, 1 rank x 2 threads (hybrid)
#     on the ogbn-arxiv-shaped graph, Amazon Photo and (SCALING_PRODUCTS=1, default) the
#     ogbn-products-shaped graph;
#  2. oversubscribed 4, 8 and 16 ranks: communication volume and equivalence with the
#     1-rank loss curve (their times mean nothing on 2 cores);
#  3. partitioners: METIS (cut and vol) vs random vs block at 2, 4, 8, 16 parts, and METIS's
#     balance tolerance (bench/partitioners.sh, which writes partitioners.md);
#  4. memory: products-shaped graph from part files (--partitions) at 4 ranks vs 1 rank.
# Writes bench/results/scaling.csv, partitioners.csv, memory.csv, the PNG plots and
# scaling.md (the commands are in the CSV). Graphs are generated once into bench/.cache.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "${1:-$here/../build/pargnn}")" && pwd)/$(basename "${1:-pargnn}")
data=${PARGNN_DATASETS:-$here/../../shared/datasets}
cache=$here/.cache
out=$here/results
mkdir -p "$cache" "$out"
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1 OMPI_MCA_rmaps_base_oversubscribe=1
products=${SCALING_PRODUCTS:-1}
epochs=${SCALING_EPOCHS:-20}
pepochs=${SCALING_PRODUCTS_EPOCHS:-3}
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

gen() { # name, then generator flags; prefers R-MAT (skewed degrees) when this pargnn has it
    name=$1; shift
    [ -e "$cache/$name" ] && return 0
    if "$bin" generate rmat --help >/dev/null 2>&1; then
        "$bin" generate rmat "$@" --out "$cache/$name.tmp" >&2
    else
        "$bin" generate sbm "$@" --out "$cache/$name.tmp" >&2
    fi
    mv "$cache/$name.tmp" "$cache/$name"
}
fmt=""
"$bin" generate rmat --help 2>/dev/null | grep -q -- "--format" && fmt="--format bin"
# shellcheck disable=SC2086
gen arxiv --nodes 169343 --avg-degree 13.8 --features 128 --classes 40 --homophily 0.65 --seed 0 $fmt
[ "$products" = 1 ] && gen products --nodes 2449029 --avg-degree 50.5 --features 100 --classes 47 --homophily 0.65 --seed 0 $fmt

csv=$out/scaling.csv
echo "graph,ranks,threads,partition,epochs,epoch_ms,comm_ms,wait_ms,comm_bytes,halo_nodes,imbalance,peak_rss_mib,max_rel_loss_diff,test_acc,load,command" > "$csv.tmp"
run() { # graph path, ranks, threads, partition, epochs, extra flags...
    g=$1 p=$2 t=$3 part=$4 ep=$5; shift 5
    cmd="pargnn train --data $g --layers 3 --hidden 256 --dropout 0.5 --epochs $ep --threads $t --partition $part --quiet --json run.json $*"
    if [ "$p" = 1 ]; then
        # shellcheck disable=SC2086
        OMP_NUM_THREADS=$t "$bin" train --data "$g" --layers 3 --hidden 256 --epochs "$ep" --threads "$t" \
            --partition "$part" --quiet --json "$tmp/run.json" "$@" >/dev/null
    else
        cmd="mpirun -np $p $cmd"
        # shellcheck disable=SC2086
        OMP_NUM_THREADS=$t mpirun --oversubscribe -np "$p" "$bin" train --data "$g" --layers 3 --hidden 256 \
            --epochs "$ep" --threads "$t" --partition "$part" --quiet --json "$tmp/run.json" "$@" >/dev/null
    fi
    ref=$tmp/ref-$(basename "$g")-$ep.json
    [ "$p" = 1 ] && [ "$t" = 1 ] && cp "$tmp/run.json" "$ref"
    python3 - "$tmp/run.json" "$ref" "$(basename "$g")" "$part" "$ep" "$(cut -d' ' -f1 /proc/loadavg)" "$cmd" >> "$csv.tmp" <<'PY'
import json, os, sys
d = json.load(open(sys.argv[1]))
diff = ""
if os.path.exists(sys.argv[2]):
    r = json.load(open(sys.argv[2]))["loss_curve"]
    diff = f'{max(abs(a - b) / abs(a) for a, b in zip(r, d["loss_curve"])):.3g}'
print(f'{sys.argv[3]},{d["ranks"]},{d["threads"]},{sys.argv[4]},{sys.argv[5]},{d["epoch_ms"]:.3f},'
      f'{d.get("comm_ms", 0):.3f},{d.get("wait_ms", 0):.3f},{d.get("comm_bytes", 0):.0f},'
      f'{d.get("halo_nodes", 0):.0f},{d.get("imbalance", 1):.4f},{d.get("peak_rss_mib", 0):.1f},'
      f'{diff},{d["test_acc"]:.4f},{sys.argv[6]},"{sys.argv[7]}"')
PY
}
graphs="$cache/arxiv"
[ -d "$data/amazon-photo" ] && graphs="$graphs $data/amazon-photo"
for g in $graphs; do
    # oversubscribed: 5 epochs against a 5-epoch 1-rank reference (equivalence, volume)
    run "$g" 1 1 metis 5
    for p in 4 8 16; do run "$g" "$p" 1 metis 5; done
    # strong scaling on the machine's 2 cores
    run "$g" 1 1 metis "$epochs"
    run "$g" 2 1 metis "$epochs"
    run "$g" 1 2 metis "$epochs"
done
if [ "$products" = 1 ]; then
    run "$cache/products" 1 1 metis "$pepochs"
    run "$cache/products" 2 1 metis "$pepochs"
    run "$cache/products" 1 2 metis "$pepochs"
fi
mv "$csv.tmp" "$csv"

# Partitioners: quality from `pargnn partition` (no training needed), METIS's balance
# tolerance against volume and the 2-rank step time: bench/partitioners.sh writes
# partitioners.csv (read by plot_scaling.py), partitioners_time.csv and partitioners.md.
sh "$here/partitioners.sh" "$bin"

# Memory: the products-shaped graph read from part files at 4 ranks vs one process.
# Four ranks of this graph need about 27 GB together: on a 23 GiB machine they finish only
# with swap (e.g. a 16 GiB swap file), and a swapped-out page leaves the RSS that getrusage
# reports (peak_rss_mib). So besides it, footprint() samples each process of the command: VmRSS +
# VmSwap every 2 s and keeps each one's peak (max_rank_footprint_mib).
descendants() {  # PID: PID and every process below it (mpirun's ranks)
    echo "$1"
    for c in $(ps -o pid= --ppid "$1" 2>/dev/null); do descendants "$c"; done
}
footprint() {  # OUT CMD...: runs CMD, writes the largest per-process peak of RSS + swap (MiB)
    fout=$1; shift
    : > "$fout.samples"
    "$@" & cpid=$!
    while kill -0 $cpid 2>/dev/null; do
        for p in $(descendants $cpid); do
            awk -v p="$p" '/^VmRSS/{r=$2} /^VmSwap/{s=$2} END{print p, r + s}' "/proc/$p/status" 2>/dev/null >> "$fout.samples"
        done
        sleep 2
    done
    wait $cpid; st=$?
    awk '{ if ($2 > m[$1]) m[$1] = $2 } END { x = 0; for (p in m) if (m[p] > x) x = m[p]; printf "%.1f\n", x / 1024 }' "$fout.samples" > "$fout"
    return $st
}
if [ "$products" = 1 ]; then
    mcsv=$out/memory.csv
    echo "graph,ranks,source,max_rank_rss_mib,max_rank_footprint_mib,command" > "$mcsv.tmp"
    footprint "$tmp/f1" env OMP_NUM_THREADS=1 "$bin" train --data "$cache/products" --layers 3 --hidden 256 --epochs 1 --threads 1 --quiet --json "$tmp/m1.json" >/dev/null
    "$bin" partition --data "$cache/products" --parts 4 --out "$cache/products-p4" >/dev/null
    # Four ranks share this machine's memory: a rank killed for memory is recorded, not fatal.
    if ! footprint "$tmp/f4" env OMP_NUM_THREADS=1 mpirun --oversubscribe -np 4 "$bin" train --partitions "$cache/products-p4" --layers 3 --hidden 256 --epochs 1 --threads 1 --quiet --json "$tmp/m4.json" >/dev/null; then
        echo "scaling: the 4-rank products run failed (out of memory when the ranks share one machine? add swap)" >&2
        rm -f "$tmp/m4.json"
    fi
    python3 - "$tmp/m1.json" "$tmp/m4.json" "$(cat "$tmp/f1")" "$(cat "$tmp/f4" 2>/dev/null)" >> "$mcsv.tmp" <<'PY'
import json, os, sys
a = json.load(open(sys.argv[1]))
print(f'products,1,dataset,{a["peak_rss_mib"]:.1f},{sys.argv[3]},"pargnn train --data products --layers 3 --hidden 256 --epochs 1 --threads 1"')
if os.path.exists(sys.argv[2]):
    b = json.load(open(sys.argv[2]))
    print(f'products,4,partitions,{b["peak_rss_mib"]:.1f},{sys.argv[4]},"mpirun -np 4 pargnn train --partitions products-p4 --layers 3 --hidden 256 --epochs 1 --threads 1"')
else:
    print('products,4,partitions,failed,failed,"mpirun -np 4 pargnn train --partitions products-p4 --layers 3 --hidden 256 --epochs 1 --threads 1"')
PY
    mv "$mcsv.tmp" "$mcsv"
    rm -rf "$cache/products-p4"
fi

py=python3
if ! python3 -c "import matplotlib" 2>/dev/null; then
    [ -x "$here/.venv/bin/python" ] || python3 -m venv "$here/.venv"
    "$here/.venv/bin/python" -c "import matplotlib" 2>/dev/null || "$here/.venv/bin/pip" install -q matplotlib
    py=$here/.venv/bin/python
fi
"$py" "$here/plot_scaling.py" "$out"
