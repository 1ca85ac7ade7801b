#!/usr/bin/env bash
# Command-line tests of the binary format and the R-MAT generator: generate --format bin,
# convert (OGB -> binary and back), train and predict on a binary file, damaged files refused.
# Usage: bash tests/test_cli_bin.sh <pargnn binary> <datasets dir> <scratch dir>
set -u
if [ $# -ne 3 ]; then
    echo "usage: bash $0 <pargnn binary> <datasets dir> <scratch dir>" >&2
    exit 2
fi
BIN=$1
S=$3
rm -rf "$S" && mkdir -p "$S" || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
pass() { echo "ok:   $*"; }
# expect CODE DESCRIPTION [NEEDLE] -- ARGS...: runs pargnn ARGS, checks the exit code and that
# stderr holds NEEDLE.
expect() {
    local code=$1 what=$2 needle=$3
    shift 4
    "$BIN" "$@" >"$S/out" 2>"$S/err"
    local rc=$?
    if [ "$rc" != "$code" ]; then
        fail "$what: exit $rc, expected $code"; sed 's/^/      /' "$S/err" | head -5; return
    fi
    if [ -n "$needle" ] && ! grep -qF -- "$needle" "$S/err"; then
        fail "$what: stderr lacks '$needle'"; sed 's/^/      /' "$S/err" | head -5; return
    fi
    pass "$what"
}

expect 0 "generate rmat --help" "" -- generate rmat --help
grep -q -- "--format" "$S/out" || fail "generate rmat --help does not list --format"
expect 0 "generate rmat --format bin" "" -- generate rmat --nodes 1500 --avg-degree 8 \
    --features 16 --classes 3 --format bin --out "$S/r.bin" --seed 4
[ -f "$S/r.bin" ] || fail "no r.bin written"
ls "$S" | grep -q tmp && fail "a temporary file was left behind"
expect 0 "generate rmat --format ogb (same seed)" "" -- generate rmat --nodes 1500 --avg-degree 8 \
    --features 16 --classes 3 --out "$S/r_ogb" --seed 4
expect 0 "convert ogb -> bin" "" -- convert --data "$S/r_ogb" --out "$S/r2.bin"
if cmp -s "$S/r.bin" "$S/r2.bin"; then
    pass "generate --format bin equals generate --format ogb + convert (byte for byte)"
else
    fail "generate --format bin differs from generate --format ogb + convert"
fi
expect 0 "convert bin -> ogb" "" -- convert --data "$S/r.bin" --to ogb --out "$S/back_ogb"
expect 0 "convert back -> bin" "" -- convert --data "$S/back_ogb" --out "$S/r3.bin"
cmp -s "$S/r.bin" "$S/r3.bin" && pass "bin -> ogb -> bin is the same file" ||
    fail "bin -> ogb -> bin changed the file"
expect 0 "generate sbm --format bin" "" -- generate sbm --nodes 800 --format bin --out "$S/s.bin"
expect 0 "train on a binary file" "" -- train --data "$S/r.bin" --epochs 5 --save "$S/m.ckpt" --quiet
expect 0 "predict on a binary file" "" -- predict --model-file "$S/m.ckpt" --data "$S/r.bin" \
    --out "$S/pred.csv"
[ "$(wc -l <"$S/pred.csv")" -ge 1500 ] && pass "predict wrote a row per node" ||
    fail "predict wrote $(wc -l <"$S/pred.csv") lines"
expect 2 "train --split that the file lacks" 'no split scheme "other"' -- \
    train --data "$S/r.bin" --split other --epochs 1
expect 2 "convert a missing input" "no such folder" -- convert --data "$S/none" --out "$S/x.bin"
expect 2 "convert without --out" "--out" -- convert --data "$S/r.bin"
expect 2 "rmat with a + b + c > 1" "d = 1 - a - b - c" -- generate rmat --a 0.8 --b 0.3 --out "$S/x.bin" --format bin
expect 2 "rmat with too few nodes per class" "--nodes" -- generate rmat --nodes 300 --classes 8 --out "$S/x.bin" --format bin
# Damaged files: a flipped byte near the end (test split ids), a truncated copy.
cp "$S/r.bin" "$S/bad.bin"
size=$(stat -c %s "$S/bad.bin")
printf '\xff' | dd of="$S/bad.bin" bs=1 seek=$((size - 200)) conv=notrunc status=none
expect 2 "train on a corrupted binary file" "checksum mismatch" -- train --data "$S/bad.bin" --epochs 1
head -c $((size - 64)) "$S/r.bin" >"$S/short.bin"
expect 2 "train on a truncated binary file" "truncated" -- train --data "$S/short.bin" --epochs 1
expect 2 "convert onto a folder path that cannot be created" "cannot create" -- \
    convert --data "$S/r.bin" --out "$S/nodir/x.bin"

if [ $failures -ne 0 ]; then
    echo "$failures failure(s)"
    exit 1
fi
echo "all passed"
