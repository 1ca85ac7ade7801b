#!/usr/bin/env bash
# Runs one libFuzzer target for a number of seconds, seeded from tests/corpus (malformed
# inputs) and the small valid inputs beside them, and prints one summary line. A crash,
# leak, sanitizer report or hang makes libFuzzer exit non-zero and leave crash-* files.
# Usage: bash tests/fuzz/run.sh <fuzz target> <pargnn binary> <seconds> <work dir>
set -u
if [ $# -ne 4 ]; then
    echo "usage: bash $0 <fuzz target> <pargnn binary> <seconds> <work dir>" >&2
    exit 2
fi
TARGET=$1 CLI=$2 SECONDS_=$3 WORK=$4
SRC=$(cd "$(dirname "$0")/.." && pwd)/corpus
name=$(basename "$TARGET")
mkdir -p "$WORK/corpus" "$WORK/seeds" "$WORK/artifacts" || exit 1
seeds=$WORK/seeds
# prefix BYTE FILE OUT: a seed whose first byte selects the target's mode.
prefix() { { printf "\\$(printf %03o "$1")"; cat "$2"; } >"$3"; }
case $name in
fuzz_edgelist)
    i=0
    for f in "$SRC"/edgelist/*; do
        for mode in 0 1 2 3; do prefix $mode "$f" "$seeds/s$i.$mode"; done
        i=$((i + 1))
    done ;;
fuzz_ogb)
    files="raw/num-node-list raw/num-edge-list raw/edge raw/node-feat raw/node-label split/s/train split/s/valid split/s/test"
    i=0
    for d in "$SRC"/ogb/*/; do
        k=0
        for f in $files; do
            for ext in csv csv.gz; do
                [ -f "$d$f.$ext" ] && prefix $k "$d$f.$ext" "$seeds/s$i.$k.$ext"
            done
            k=$((k + 1))
        done
        i=$((i + 1))
    done ;;
fuzz_checkpoint)
    cp "$SRC"/checkpoint/* "$seeds/"
    "$CLI" train --data "$SRC/ogb/valid" --epochs 3 --quiet --save "$seeds/good.ckpt" >/dev/null ||
        { echo "$name: cannot make a seed checkpoint" >&2; exit 1; }
    "$CLI" train --data "$SRC/ogb/valid" --epochs 2 --layers 3 --hidden 4 --dropout 0 --quiet \
        --save "$seeds/deep.ckpt" >/dev/null || exit 1 ;;
fuzz_binfmt)
    # Valid files (sparse and dense features, directed with original ids, unlabelled), then
    # the corpus's broken ones; each raw (mode 0), with checksums repaired (1) and with the
    # file size repaired too (5).
    mk=$WORK/valid
    mkdir -p "$mk" || exit 1
    el=$SRC/edgelist
    { "$CLI" generate sbm --format bin --nodes 200 --classes 2 --features 8 --avg-degree 4 \
          --out "$mk/sbm.bin" &&
      "$CLI" convert --data "$SRC/ogb/valid" --out "$mk/ogb.bin" &&
      "$CLI" convert --data "$el/graph.txt" --features "$el/features.csv" \
          --labels "$el/labels.txt" --out "$mk/edgelist.bin" &&
      "$CLI" convert --data "$el/graph.txt" --undirected --out "$mk/unlabelled.bin"; } \
        >/dev/null || { echo "$name: cannot make seed binary datasets" >&2; exit 1; }
    for f in "$mk"/*.bin "$SRC"/bin/*.bin; do
        for mode in 0 1 5; do prefix $mode "$f" "$seeds/$(basename "$f").$mode"; done
    done ;;
esac
# Leaks are findings too.
export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1}
start=$(date +%s)
"$TARGET" -max_total_time="$SECONDS_" -timeout=20 -rss_limit_mb=3072 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$WORK/artifacts/" "$WORK/corpus" "$seeds" \
    >"$WORK/log" 2>&1
rc=$?
end=$(date +%s)
execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$WORK/log" | grep -o '[0-9]*$')
echo "$name: exit $rc, ${execs:-?} executions in $((end - start)) s, corpus $(ls "$WORK/corpus" | wc -l) files"
if [ "$rc" != 0 ]; then
    grep -m 20 -E "ERROR|SUMMARY|panic|Test unit written" "$WORK/log"
    ls "$WORK/artifacts"
fi
exit "$rc"
