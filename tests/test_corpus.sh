#!/usr/bin/env bash
# Runs pargnn on every malformed input listed in tests/corpus/MANIFEST and checks: the exit
# code, the message, no crash (exit >= 128), no hang (timeout), no file left behind.
# Usage: bash tests/test_corpus.sh <pargnn binary> <datasets dir> <scratch dir>
set -u

if [ $# -ne 3 ]; then
    echo "usage: bash $0 <pargnn binary> <datasets dir> <scratch dir>" >&2
    exit 2
fi
BIN=$1
SCRATCH=$3
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
CORPUS=$(cd "$(dirname "$0")/corpus" && pwd) || exit 1
MANIFEST=$CORPUS/MANIFEST
[ -x "$BIN" ] || { echo "FAIL: $BIN is not an executable" >&2; exit 1; }
[ -f "$MANIFEST" ] || { echo "FAIL: no $MANIFEST" >&2; exit 1; }
rm -rf "$SCRATCH" && mkdir -p "$SCRATCH/gen" "$SCRATCH/cases" || exit 1
GEN=$SCRATCH/gen
# Sanitizer builds are several times slower; a hang is anything far beyond that.
LIMIT=${PARGNN_CORPUS_TIMEOUT:-60}

failures=0
passes=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }

# ---- generated cases
# A 300 MiB line without a newline, gzip'ed to ~300 KiB: longer than the 256 MiB limit.
head -c $((300 << 20)) /dev/zero | tr '\0' '7' | gzip -1 >"$GEN/long_line.txt.gz" || exit 1
# A gzip inside a gzip is unpacked once: the text is binary gzip data and is refused.
head -c $((300 << 20)) /dev/zero | gzip -1 | gzip -1 >"$GEN/zeros.txt.gz" || exit 1
# Checkpoints of the intact tiny OGB dataset, then damaged copies.
if ! "$BIN" train --data "$CORPUS/ogb/valid" --epochs 2 --quiet --save "$GEN/good.ckpt" \
        >"$GEN/train.out" 2>&1; then
    fail "cannot train on $CORPUS/ogb/valid to make checkpoints:"
    cat "$GEN/train.out"
    exit 1
fi
size=$(stat -c %s "$GEN/good.ckpt")
head -c $((size / 2)) "$GEN/good.ckpt" >"$GEN/truncated.ckpt"
cp "$GEN/good.ckpt" "$GEN/flipped.ckpt"
printf '\xff' | dd of="$GEN/flipped.ckpt" bs=1 seek=$((size - 40)) conv=notrunc status=none

# ---- the manifest
n=0
while IFS= read -r line; do
    case $line in '#'* | '') continue ;; esac
    name=$(echo "${line%%|*}" | xargs)
    rest=${line#*|}
    code=$(echo "${rest%%|*}" | xargs)
    rest=${rest#*|}
    msg=${rest%%|*}
    msg=${msg# }
    msg=${msg% }
    args=${rest#*|}
    args=${args//@C/$CORPUS}
    args=${args//@G/$GEN}
    n=$((n + 1))
    dir=$SCRATCH/cases/$name
    mkdir -p "$dir"
    # shellcheck disable=SC2086 # the arguments are words without spaces
    (cd "$dir" && exec timeout -k 5 "$LIMIT" "$BIN" $args >"$SCRATCH/out" 2>"$SCRATCH/err")
    rc=$?
    left=$(ls -A "$dir")
    if [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        fail "$name: no answer within ${LIMIT}s (pargnn $args)"
    elif [ "$rc" -ge 128 ]; then
        fail "$name: crashed with exit $rc (pargnn $args)"
        sed -n '1,20s/^/      /p' "$SCRATCH/err"
    elif [ "$rc" != "$code" ]; then
        fail "$name: exit $rc, expected $code (pargnn $args)"
        sed -n '1,10s/^/      /p' "$SCRATCH/out" "$SCRATCH/err"
    elif ! grep -qF -e "$msg" "$SCRATCH/err"; then
        fail "$name: stderr does not mention '$msg' (pargnn $args)"
        sed -n '1,10s/^/      /p' "$SCRATCH/err"
    elif [ -n "$left" ]; then
        fail "$name: left files behind: $left"
    elif grep -q "Sanitizer\|runtime error" "$SCRATCH/err"; then
        fail "$name: sanitizer report"
        sed -n '1,20s/^/      /p' "$SCRATCH/err"
    else
        passes=$((passes + 1))
    fi
done <"$MANIFEST"

# The intact inputs beside the broken ones must load, or the cases above prove nothing.
"$BIN" info --data "$CORPUS/ogb/valid" >"$SCRATCH/out" 2>&1 || fail "ogb/valid does not load"
"$BIN" info --data "$CORPUS/bin/valid.bin" >"$SCRATCH/out" 2>&1 || fail "bin/valid.bin does not load"
"$BIN" info --data "$CORPUS/edgelist/graph.txt" --features "$CORPUS/edgelist/features.csv" \
    --labels "$CORPUS/edgelist/labels.txt" >"$SCRATCH/out" 2>&1 ||
    fail "edgelist/graph.txt with its features and labels does not load"

if [ "$n" -lt 40 ]; then fail "only $n cases read from $MANIFEST"; fi
echo "corpus: $passes of $n cases passed, $failures failures"
[ "$failures" = 0 ]
