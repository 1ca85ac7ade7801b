#!/bin/sh
# Data-layer scale study (issue 3): generates the ogbn-products-sized R-MAT graph straight to
# the binary format (time and peak RSS from /usr/bin/time -v), writes the same graph once as
# gzip'ed OGB CSV (pargnn convert --to ogb), then times loading each with the page cache warm.
# Usage: sh bench/data_scale.sh [build/pargnn]   (env: NODES DEG FEAT CLASSES BIN_REPS CSV_REPS)
# Writes bench/results/data_scale.md and data_scale.csv; the graphs stay in bench/.cache.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=$(cd "$(dirname "${1:-$here/../build/pargnn}")" && pwd)/$(basename "${1:-pargnn}")
builddir=$(dirname "$bin")
nodes=${NODES:-2400000}
deg=${DEG:-52}
feat=${FEAT:-100}
classes=${CLASSES:-47}
bin_reps=${BIN_REPS:-5}
csv_reps=${CSV_REPS:-3}
cache=$here/.cache/data_scale
out=$here/results
mkdir -p "$cache" "$out"
if [ ! -x /usr/bin/time ]; then
    echo "data_scale: needs GNU time for peak RSS: apt-get install time" >&2
    exit 1
fi
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# The loader timer, linked to the same library the CLI uses.
cc -O2 -std=c11 -D_POSIX_C_SOURCE=200809L -I"$here/../include" "$here/load_time.c" \
    "$builddir/libpargnn.a" -fopenmp -lz -lopenblas -lm -o "$tmp/load_time"

machine="$(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), $(free -g | awk '/Mem:/{print $2}') GiB"
when=$(date -u '+%Y-%m-%d %H:%M UTC')
rev=$(cd "$here/.." && git rev-parse --short HEAD 2>/dev/null || echo unknown)

# time_v NAME CMD...: runs CMD under /usr/bin/time -v; sets t_wall (s) and t_rss (MiB).
time_v() {
    name=$1; shift
    load_before=$(cut -d' ' -f1-3 /proc/loadavg)
    /usr/bin/time -v "$@" >"$tmp/$name.out" 2>"$tmp/$name.err" || {
        echo "data_scale: $name failed:" >&2; tail -5 "$tmp/$name.err" >&2; exit 1; }
    t_wall=$(awk -F': ' '/Elapsed \(wall clock\)/{n=split($2,a,":"); s=0; for(i=1;i<=n;i++) s=s*60+a[i]; print s}' "$tmp/$name.err")
    t_rss=$(awk -F': ' '/Maximum resident/{printf "%.0f", $2/1024}' "$tmp/$name.err")
    t_load="$load_before"
    grep -E '^wrote' "$tmp/$name.out" >&2 || true
}

gen_cmd="$bin generate rmat --nodes $nodes --avg-degree $deg --features $feat --classes $classes --seed 0 --format bin --out $cache/products.bin"
echo "data_scale: $gen_cmd" >&2
# shellcheck disable=SC2086
time_v generate $gen_cmd
gen_wall=$t_wall gen_rss=$t_rss gen_load=$t_load
wrote=$(grep -E '^wrote' "$tmp/generate.out" | head -1)

conv_cmd="$bin convert --data $cache/products.bin --to ogb --out $cache/products_ogb"
echo "data_scale: $conv_cmd" >&2
rm -rf "$cache/products_ogb"
# shellcheck disable=SC2086
time_v convert $conv_cmd
conv_wall=$t_wall conv_rss=$t_rss
bin_bytes=$(stat -c %s "$cache/products.bin")
csv_bytes=$(du -sb "$cache/products_ogb" | cut -f1)

# Warm the page cache for both, then time the loads.
cat "$cache/products.bin" >/dev/null
find "$cache/products_ogb" -type f -exec cat {} + >/dev/null
load_before=$(cut -d' ' -f1-3 /proc/loadavg)
bin_line=$("$tmp/load_time" "$cache/products.bin" "$bin_reps" 1)
csv_line=$("$tmp/load_time" "$cache/products_ogb" "$csv_reps" 0)
load_after=$(cut -d' ' -f1-3 /proc/loadavg)
bin_med=$(echo "$bin_line" | cut -d, -f3)
csv_med=$(echo "$csv_line" | cut -d, -f3)
speedup=$(awk -v a="$csv_med" -v b="$bin_med" 'BEGIN{printf "%.1f", a/b}')

{
    echo "what,command,wall_s,peak_rss_mib,bytes,load_avg"
    echo "generate_bin,\"$gen_cmd\",$gen_wall,$gen_rss,$bin_bytes,$gen_load"
    echo "convert_to_ogb_csv_gz,\"$conv_cmd\",$conv_wall,$conv_rss,$csv_bytes,"
    echo "load_bin_median_of_$bin_reps,\"load_time $cache/products.bin $bin_reps 1\",$bin_med,,$bin_bytes,$load_before"
    echo "load_csv_gz_median_of_$csv_reps,\"load_time $cache/products_ogb $csv_reps 0\",$csv_med,,$csv_bytes,$load_after"
} >"$out/data_scale.csv"

cat >"$out/data_scale.md" <<EOF
# Data layer at ogbn-products scale

Machine: $machine. Date: $when. Commit: $rev (plus uncommitted work when run by a developer).
Produced by \`sh bench/data_scale.sh\`; raw figures in \`data_scale.csv\`. Load average
(1, 5, 15 min) is recorded because other jobs may share the cores.

| step | wall time | peak RSS | size |
|---|---|---|---|
| generate rmat, --format bin | ${gen_wall} s (load avg $gen_load) | ${gen_rss} MiB | $bin_bytes bytes |
| convert to gzip'ed OGB CSV | ${conv_wall} s | ${conv_rss} MiB | $csv_bytes bytes |

$wrote

Loading (pargnn_dataset_load, page cache warm; load avg before: $load_before, after: $load_after):

| input | median | min | max | repeats |
|---|---|---|---|---|
| binary (mmap, checksums and structure checked) | $(echo "$bin_line" | cut -d, -f3) s | $(echo "$bin_line" | cut -d, -f4) s | $(echo "$bin_line" | cut -d, -f5) s | $bin_reps (after 1 warm-up) |
| gzip'ed OGB CSV (parse, CSR build) | $(echo "$csv_line" | cut -d, -f3) s | $(echo "$csv_line" | cut -d, -f4) s | $(echo "$csv_line" | cut -d, -f5) s | $csv_reps |

Binary load is **${speedup}x** faster than parsing the gzip'ed CSV.

Commands:

    $gen_cmd
    $conv_cmd
    load_time PATH REPEATS WARMUP   (bench/load_time.c, linked to libpargnn.a)
EOF
cat "$out/data_scale.md"
