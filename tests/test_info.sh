#!/usr/bin/env bash
# `pargnn info` and edge lists end to end: statistics of a hand-made graph as text and as
# JSON, an OGB folder, training and predicting on an edge list (original ids in the output),
# and the refusal to train without labels.
# Usage: bash tests/test_info.sh <pargnn binary> <datasets dir> <scratch dir>
set -u
if [ $# -ne 3 ]; then
    echo "usage: bash $0 <pargnn binary> <datasets dir> <scratch dir>" >&2
    exit 2
fi
BIN=$1 DATA=$2 S=$3
case $BIN in /*) ;; *) BIN=$PWD/$BIN ;; esac
[ -x "$BIN" ] || { echo "FAIL: $BIN is not an executable" >&2; exit 1; }
rm -rf "$S" && mkdir -p "$S" || exit 1
CORPUS=$(cd "$(dirname "$0")/corpus" && pwd) || exit 1
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok:   $*"; }
# has FILE TEXT NAME: FILE contains the literal TEXT.
has() { if grep -qF -e "$2" "$1"; then ok "$3"; else fail "$3: no '$2' in:"; sed 's/^/      /' "$1"; fi; }

# Undirected: triangle 100-200-300, edge 400-500 twice, self-loop on 500, node 7 only in the
# features. Degrees (row lengths) 2 2 2 1 2 0; 3 components; 1 isolated node.
printf '# t\n100 200\n200,300\n300 100 0.5\n400 500\n500 400\n500 500\n' >"$S/g.txt"
printf '100,1,0\n200,0,0\n300,0,0\n400,0,1\n500,0,0\n7,0,0\n' >"$S/f.csv"
"$BIN" info --data "$S/g.txt" --undirected --features "$S/f.csv" >"$S/out" 2>"$S/err"
rc=$?
[ $rc = 0 ] || { fail "info on an edge list: exit $rc"; cat "$S/err"; }
has "$S/out" "nodes          6" "info: node count (ids renumbered, feature-only node kept)"
has "$S/out" "edges          9 directed entries, 5 undirected (undirected graph)" "info: edges"
has "$S/out" "self-loops     1" "info: self-loops"
has "$S/out" "isolated       1 nodes" "info: isolated"
has "$S/out" "degree         min 0  max 2  mean 1.50  p50 2  p90 2  p99 2" "info: degrees"
has "$S/out" "components     3 (largest 3 nodes)" "info: components"
has "$S/out" "features       2 wide, 16.6667% non-zero" "info: feature density"
has "$S/out" "classes        none (no labels" "info: no labels"

"$BIN" info --data "$S/g.txt" --json >"$S/json" 2>"$S/err" || fail "info --json: exit $?"
has "$S/json" '"directed": true' "info --json: directed by default"
has "$S/json" '"edges_undirected": 5' "info --json: undirected pairs of a directed graph"
if command -v python3 >/dev/null 2>&1; then
    if python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); assert d["nodes"]==5 and d["components"]==2 and d["degree"]["max"]==2 and d["out_degree_max"]==2' "$S/json"; then
        ok "info --json parses and holds the counts"
    else
        fail "info --json: not valid JSON or wrong counts:"; cat "$S/json"
    fi
fi

# Memory estimate grows with the model.
"$BIN" info --data "$CORPUS/ogb/valid" --json --hidden 16 >"$S/j16" 2>&1
"$BIN" info --data "$CORPUS/ogb/valid" --json --hidden 4096 >"$S/j4096" 2>&1
m16=$(grep -o '"train_bytes": [0-9]*' "$S/j16" | grep -o '[0-9]*$')
m4096=$(grep -o '"train_bytes": [0-9]*' "$S/j4096" | grep -o '[0-9]*$')
if [ -n "$m16" ] && [ -n "$m4096" ] && [ "$m4096" -gt $((m16 * 100)) ]; then
    ok "info: training memory grows with --hidden ($m16 -> $m4096 bytes)"
else
    fail "info: training memory estimate $m16 -> $m4096"
fi
# ... and with the model: GAT's per-edge coefficients and heads, norms and residuals.
"$BIN" info --data "$CORPUS/ogb/valid" --json --hidden 16 --model gat --heads 8 >"$S/jgat" 2>&1
"$BIN" info --data "$CORPUS/ogb/valid" --json --hidden 16 --layers 3 --norm batch --residual >"$S/jbn" 2>&1
"$BIN" info --data "$CORPUS/ogb/valid" --json --hidden 16 --layers 3 >"$S/j3" 2>&1
mgat=$(grep -o '"train_bytes": [0-9]*' "$S/jgat" | grep -o '[0-9]*$')
mbn=$(grep -o '"train_bytes": [0-9]*' "$S/jbn" | grep -o '[0-9]*$')
m3=$(grep -o '"train_bytes": [0-9]*' "$S/j3" | grep -o '[0-9]*$')
if [ -n "$mgat" ] && [ "$mgat" -gt $((m16 * 4)) ] && grep -q '"model": "gat", "heads": 8' "$S/jgat" &&
   [ -n "$mbn" ] && [ -n "$m3" ] && [ "$mbn" -gt "$m3" ]; then
    ok "info: the estimate follows --model gat --heads 8 ($m16 -> $mgat) and --norm/--residual ($m3 -> $mbn)"
else
    fail "info: model estimates gcn $m16, gat $mgat, 3 layers $m3, with batch norm and residual $mbn"
fi
# ... and with --reproducible: a double copy of the gradients (and GAT's source sums).
"$BIN" info --data "$CORPUS/ogb/valid" --json --hidden 16 --model gat --heads 8 --reproducible >"$S/jrep" 2>&1
mrep=$(grep -o '"train_bytes": [0-9]*' "$S/jrep" | grep -o '[0-9]*$')
if [ -n "$mrep" ] && [ -n "$mgat" ] && [ "$mrep" -gt "$mgat" ]; then
    ok "info: --reproducible adds its double buffers ($mgat -> $mrep)"
else
    fail "info: --reproducible estimate $mgat -> $mrep"
fi
"$BIN" info --data "$CORPUS/ogb/valid" --heads 2 >"$S/out" 2>&1
[ $? = 2 ] && has "$S/out" "--heads" "info: --heads without GAT refused" || fail "info --heads 2 (GCN) accepted"
"$BIN" info --data "$CORPUS/ogb/valid" --layers 0 >"$S/out" 2>&1
[ $? = 2 ] && has "$S/out" "--layers" "info: bad --layers refused" || fail "info --layers 0 accepted"

# Training needs labels; with them an edge list trains, and predict names original ids.
"$BIN" train --data "$S/g.txt" --epochs 1 --save "$S/x.ckpt" >"$S/out" 2>&1
rc=$?
[ $rc = 2 ] && has "$S/out" "training needs them" "train refuses an unlabelled edge list" ||
    fail "train on an unlabelled graph: exit $rc"
[ ! -e "$S/x.ckpt" ] || fail "a refused train left $S/x.ckpt"
# 90 nodes in 3 classes: ring edges inside each class.
: >"$S/big.txt"
: >"$S/y.txt"
for i in $(seq 0 89); do
    echo "$((1000 + i)) $((1000 + (i + 3) % 90))" >>"$S/big.txt"
    echo "$((1000 + i)),$((i % 3))" >>"$S/y.txt"
done
"$BIN" train --data "$S/big.txt" --labels "$S/y.txt" --epochs 5 --quiet --save "$S/m.ckpt" \
    >"$S/out" 2>&1 || { fail "train on a labelled edge list: exit $?"; cat "$S/out"; }
"$BIN" predict --model-file "$S/m.ckpt" --data "$S/big.txt" --out "$S/p.csv" >"$S/out" 2>&1 ||
    { fail "predict on an edge list: exit $?"; cat "$S/out"; }
if [ -f "$S/p.csv" ] && [ "$(sed -n 2p "$S/p.csv" | cut -d, -f1)" = 1000 ] &&
    [ "$(wc -l <"$S/p.csv")" = 91 ]; then
    ok "predict writes original ids"
else
    fail "predict output:"; head -3 "$S/p.csv"
fi

# With features, predict needs the same features file.
: >"$S/bigf.csv"
for i in $(seq 0 89); do echo "$((1000 + i)),$((i % 3)),1" >>"$S/bigf.csv"; done
"$BIN" train --data "$S/big.txt" --labels "$S/y.txt" --features "$S/bigf.csv" --epochs 3 \
    --quiet --save "$S/mf.ckpt" >"$S/out" 2>&1 || { fail "train with --features: exit $?"; cat "$S/out"; }
"$BIN" predict --model-file "$S/mf.ckpt" --data "$S/big.txt" --out "$S/pf.csv" >"$S/out" 2>&1
rc=$?
[ $rc = 2 ] && has "$S/out" "model takes 2 features" "predict without the features refused" ||
    fail "predict without --features: exit $rc"
[ ! -e "$S/pf.csv" ] || fail "a refused predict left $S/pf.csv"
"$BIN" predict --model-file "$S/mf.ckpt" --data "$S/big.txt" --features "$S/bigf.csv" \
    --out "$S/pf.csv" >"$S/out" 2>&1 && [ -f "$S/pf.csv" ] && ok "predict with --features" ||
    { fail "predict with --features"; cat "$S/out"; }

if [ -d "$DATA/cora" ]; then
    "$BIN" info --data "$DATA/cora" >"$S/out" 2>&1 || fail "info on Cora: exit $?"
    has "$S/out" "edges          10556 directed entries, 5278 undirected" "info on Cora"
    has "$S/out" "classes        7:" "info on Cora: classes"
else
    echo "skip: no $DATA/cora"
fi

echo "$failures failure(s)"
[ "$failures" = 0 ]
