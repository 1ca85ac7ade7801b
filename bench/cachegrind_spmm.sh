#!/bin/sh
# Simulated cache behaviour of the SpMM kernel with and without node reordering:
# valgrind --tool=cachegrind on one SpMM of the ogbn-arxiv-shaped A_hat (bench/kernels.c
# --only spmm-cachegrind), the kernel's own lines picked out of cg_annotate. Valgrind does
# not run AVX-512, so the AVX2 kernel is measured (same access pattern).
# Usage: [GRAPH=uniform|powerlaw] sh bench/cachegrind_spmm.sh [BUILD_DIR]; writes
# bench/results/cachegrind_spmm_GRAPH.{md,txt}.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
build=$(cd "${1:-$here/../build}" && pwd)
out=$here/results
width=${WIDTH:-64}
nodes=${NODES:-169343}
graph=${GRAPH:-uniform}   # or powerlaw
mkdir -p "$out"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
command -v valgrind >/dev/null || { echo "cachegrind_spmm: valgrind is not installed" >&2; exit 1; }
cmake --build "$build" --target pargnn_bench_kernels >/dev/null
# Zen 4 per core: 32 KiB 8-way L1d; LL = the 32 MiB L3 (cachegrind has two levels).
caches="--I1=32768,8,64 --D1=32768,8,64 --LL=33554432,16,64"
: > "$tmp/all.txt"
for ro in none degree rcm; do
    cmd="valgrind --tool=cachegrind --cache-sim=yes $caches pargnn_bench_kernels --only spmm-cachegrind --nodes $nodes --reorder $ro --width $width --graph $graph"
    # shellcheck disable=SC2086
    valgrind --tool=cachegrind --cache-sim=yes $caches --cachegrind-out-file="$tmp/cg.$ro" \
        "$build/pargnn_bench_kernels" --only spmm-cachegrind --nodes "$nodes" --reorder "$ro" \
        --width "$width" --graph "$graph" > "$tmp/run.$ro" 2>&1
    cg_annotate "$tmp/cg.$ro" > "$tmp/ann.$ro"
    echo "== $ro: $cmd" >> "$tmp/all.txt"
    cat "$tmp/run.$ro" | grep -v '^==' >> "$tmp/all.txt" || true
    grep -E 'Ir|rows_avx2|rows_generic|PROGRAM TOTALS' "$tmp/ann.$ro" | head -n 8 >> "$tmp/all.txt"
done
cp "$tmp/all.txt" "$out/cachegrind_spmm_$graph.txt"
python3 - "$tmp" "$out/cachegrind_spmm_$graph.md" "$width" "$nodes" "$graph" <<'PY'
import re, sys, datetime
tmp, md, width, nodes, graph = sys.argv[1:6]
def kernel_line(path):
    hdr = None
    for line in open(path):
        if line.strip().startswith("Ir") and "D1mr" in line:
            hdr = line.split()
        if "rows_avx2" in line or "rows_generic" in line:
            toks = [t for t in line.split() if re.fullmatch(r"[\d,]+", t)]
            vals = [int(t.replace(",", "")) for t in toks][: len(hdr)]
            return dict(zip(hdr, vals))
    return None
with open(md, "w") as f:
    f.write("# SpMM cache simulation (cachegrind) with and without reordering\n\n")
    f.write(f"{datetime.date.today()}: one SpMM Y = A_hat X, width {width}, ogbn-arxiv-shaped {graph} "
            f"graph ({nodes} nodes, average degree 13.7, generated inside bench/kernels.c), one thread, "
            "AVX2 kernel (valgrind has no AVX-512). Simulated caches: D1 32 KiB 8-way, LL 32 MiB 16-way, "
            "64-byte lines. Counts are the kernel function's only (cg_annotate), not the setup's. "
            "Produced by `sh bench/cachegrind_spmm.sh BUILD`.\n\n")
    f.write("| order | data reads | D1 read misses | D1 miss rate | LL read misses | LL miss rate |\n|---|---|---|---|---|---|\n")
    for ro in ("none", "degree", "rcm"):
        k = kernel_line(f"{tmp}/ann.{ro}")
        if not k:
            f.write(f"| {ro} | (kernel not found in cg_annotate output) | | | | |\n")
            continue
        dr, d1, dl = k.get("Dr", 0), k.get("D1mr", 0), k.get("DLmr", 0)
        f.write(f"| {ro} | {dr:,} | {d1:,} | {100 * d1 / max(dr, 1):.2f}% | {dl:,} | {100 * dl / max(dr, 1):.3f}% |\n")
print(open(md).read())
PY
