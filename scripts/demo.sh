#!/bin/sh
# `make demo`: trains the paper's GCN on Cora when the shared datasets are present, else on a
# small generated SBM graph (made once, in the build folder). Says which one and why.
# Usage: sh scripts/demo.sh <pargnn binary>
set -eu

if [ $# -ne 1 ]; then
    echo "usage: sh $0 <pargnn binary>" >&2
    exit 2
fi
bin=$1
case $bin in /*) ;; *) bin=$(pwd)/$bin ;; esac
if [ ! -x "$bin" ]; then
    echo "demo: $bin not found: build it first with 'make'" >&2
    exit 1
fi
builddir=$(dirname "$bin")
# Relative dataset paths are relative to the repository root, wherever make runs from.
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
datasets=${PARGNN_DATASETS:-../shared/datasets}

if [ -d "$datasets/cora" ]; then
    echo "demo: dataset Cora ($datasets/cora, planetoid split)"
    echo "demo: the paper's GCN: 2 layers, 16 hidden, dropout 0.5, Adam lr 0.01,"
    echo "      weight decay 5e-4 on the first layer, row-normalised features, 200 epochs"
    echo "demo: expect a test accuracy near 81.5% (Kipf & Welling, 2017)"
    exec "$bin" train --data "$datasets/cora" --split planetoid --model gcn --layers 2 \
        --hidden 16 --dropout 0.5 --lr 0.01 --weight-decay 5e-4 --decay-scope first \
        --feature-norm row --epochs 200 --seed 0
fi

sbm=$builddir/demo-sbm
echo "demo: $datasets/cora not found (set PARGNN_DATASETS to the folder holding cora/),"
echo "      so training on a generated stochastic block model instead: $sbm"
if [ ! -d "$sbm" ]; then
    # Generated next to its name and renamed, so an interrupted demo does not leave a
    # half-written dataset that the next run would take as complete.
    rm -rf "$sbm.tmp"
    "$bin" generate sbm --out "$sbm.tmp" --nodes 2000 --avg-degree 8 --features 64 \
        --classes 4 --homophily 0.8 --seed 0
    mv "$sbm.tmp" "$sbm"
else
    echo "demo: reusing $sbm (delete it to generate again)"
fi
echo "demo: 2-layer GCN, 16 hidden, 200 epochs; 4 classes, so chance is 25%"
exec "$bin" train --data "$sbm" --epochs 200 --seed 0
