# Shell pieces shared by bench/compare.sh and bench/models_pyg.sh; sourced, never run. The
# sourcing script sets: bin (the pargnn binary), venv (bench/.venv), cache (bench/.cache),
# GRAPH_GEN (auto|rmat|sbm), PARGNN_BIN (auto|0), and defines log().

# ---- PyTorch / PyG in bench/.venv (benchmark-only; never needed to build or test pargnn).
# PyPI's Linux torch wheel is the CUDA build (no CPU-only wheel on PyPI): ~5 GB with its nvidia-*
# dependencies. It runs on the CPU here. Versions are pinned by what PyPI serves at install time
# and recorded in the results. Returns 0 when torch and torch_geometric import.
ensure_venv() {
    if ! "$venv/bin/python" -c 'import torch, torch_geometric, numpy, pandas' 2>/dev/null; then
        log "installing torch, torch_geometric, numpy, pandas into $venv (once; ~5 GB)"
        { python3 -m venv "$venv" && "$venv/bin/pip" install --progress-bar off -q \
            torch torch_geometric numpy pandas; } >&2 || log "venv install failed"
    fi
    if "$venv/bin/python" -c 'import torch, torch_geometric, numpy, pandas' 2>/dev/null; then
        return 0
    fi
    log "PyTorch/PyG not available: only pargnn runs"
    return 1
}
py() { "$venv/bin/python" -W ignore "$@"; }

# torch, PyG, numpy and Python versions, one line (after ensure_venv)
py_versions() {
    py -c 'import torch, torch_geometric, numpy, sys
blas = "MKL" if torch.backends.mkl.is_available() else "no MKL"
print(f"torch {torch.__version__} ({blas}), torch_geometric {torch_geometric.__version__}, numpy {numpy.__version__}, python {sys.version.split()[0]}")'
}

# ---- generated graphs: made once with pargnn's own generator, kept in bench/.cache/graphs
gen_graph() {  # name nodes avg_degree features classes -> prints the OGB folder
    name=$1 nodes=$2 deg=$3 feats=$4 classes=$5
    gen=$GRAPH_GEN
    if [ "$gen" = auto ]; then
        if "$bin" generate rmat --help >/dev/null 2>&1; then gen=rmat; else gen=sbm; fi
    fi
    dir=$cache/graphs/$name-$gen
    cmd="pargnn generate $gen --out $dir --nodes $nodes --avg-degree $deg --features $feats --classes $classes --homophily 0.6 --seed 0"
    if [ ! -f "$dir/made-by.txt" ] || [ "$(cat "$dir/made-by.txt")" != "$cmd" ]; then
        log "generating: $cmd"
        rm -rf "$dir" "$dir.tmp"
        mkdir -p "$cache/graphs"
        "$bin" generate "$gen" --out "$dir.tmp" --nodes "$nodes" --avg-degree "$deg" --features "$feats" \
            --classes "$classes" --homophily 0.6 --seed 0 >&2
        echo "$cmd" > "$dir.tmp/made-by.txt"
        mv "$dir.tmp" "$dir"
        rm -f "$dir.pgbin"
    fi
    echo "$dir"
}

# ogbn-arxiv's shape: 169,343 nodes, 1,166,243 undirected edges, 128 features, 40 classes
arxiv_graph() { gen_graph arxiv 169343 13.77 128 40; }

# The same graph with ogbn-arxiv's share of labelled nodes: a seeded permutation, 53.7% train,
# 17.6% valid, the rest test (split "arxiv-fractions"; raw/ is the arxiv-shaped graph's). The
# generator's random20 split trains 800 nodes, which leaves most rows of the output layer's
# gradient zero: products that skip zeros (gemm.c) are timed on this one too.
arxiv_graph_fractions() {
    src=$(arxiv_graph)
    dir=$cache/graphs/arxiv-rmat-fractions
    stamp="$(cat "$src/made-by.txt"); split arxiv-fractions 0.537 0.176 seed 0"
    if [ ! -f "$dir/made-by.txt" ] || [ "$(cat "$dir/made-by.txt")" != "$stamp" ]; then
        log "writing ogbn-arxiv's split fractions for the arxiv-shaped graph"
        rm -rf "$dir" "$dir.tmp" "$dir.pgbin"
        mkdir -p "$dir.tmp/split/arxiv-fractions"
        ln -s "$(cd "$src" && pwd)/raw" "$dir.tmp/raw"
        py - "$dir.tmp" <<'PYEOF' >&2 || { rm -rf "$dir.tmp"; return 1; }
import gzip, sys
import numpy as np
d = sys.argv[1]
with gzip.open(d + "/raw/num-node-list.csv.gz", "rt") as f:
    n = int(f.read().split()[0])
perm = np.random.default_rng(0).permutation(n)
a, b = int(0.537 * n), int(0.537 * n) + int(0.176 * n)
for name, ids in (("train", perm[:a]), ("valid", perm[a:b]), ("test", perm[b:])):
    with gzip.open(d + "/split/arxiv-fractions/" + name + ".csv.gz", "wt") as f:
        f.write("\n".join(str(i) for i in np.sort(ids)) + "\n")
PYEOF
        echo "$stamp" > "$dir.tmp/made-by.txt"
        mv "$dir.tmp" "$dir"
    fi
    echo "$dir"
}

# pargnn's own input for a generated graph: its binary format when `pargnn convert` exists
pargnn_input() {  # ogb_dir -> prints what pargnn's --data gets
    if [ "$PARGNN_BIN" != 0 ] && "$bin" convert --help >/dev/null 2>&1; then
        if [ ! -f "$1.pgbin" ]; then
            "$bin" convert --data "$1" --out "$1.pgbin" >&2 || { rm -f "$1.pgbin"; echo "$1"; return; }
        fi
        echo "$1.pgbin"
    else
        echo "$1"
    fi
}

uptime_now() { uptime | sed 's/.*load average: //'; }
