#!/bin/sh
# Benchmarks (not part of `make test`). Usage: sh bench/run.sh [build/pargnn]
# Runs each study in turn; results, with the commands that produced them, go to
# bench/results/. Timings mean most on an otherwise idle machine.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../build/pargnn}
sh "$here/accuracy.sh" "$bin"
sh "$here/serial_step.sh" "$bin"
# ceilings, kernels, epoch lower bound and phases (docs/performance.md); cachegrind_spmm.sh
# (valgrind, slow) is run by hand
sh "$here/roofline.sh" "$(dirname "$bin")"
sh "$here/feature_density.sh" "$(dirname "$bin")"
# pargnn vs PyTorch and PyG (installs them into bench/.venv on first use; see compare.sh)
sh "$here/compare.sh" "$bin"
# GraphSAGE and GIN accuracy over seeds and serial step (bench/results/models.md)
sh "$here/models.sh" "$bin"
# the same models against PyG's SAGEConv, GINConv and GATConv with the same recipe: accuracy
# over seeds and the arxiv-shaped step time (bench/results/models_pyg.md; uses bench/.venv)
sh "$here/models_pyg.sh" "$bin"
# SAGE and GIN paired seed by seed: PyG draws pargnn's initial weights and dropout masks, so
# what is left of a difference is the implementation's (bench/results/models_pyg_paired.md)
RNG=pargnn MODELS="sage gin" STAGES=acc OUT_NAME=models_pyg_paired sh "$here/models_pyg.sh" "$bin"
# distributed: strong scaling, oversubscribed ranks, partitioners, memory (docs/scaling.md)
sh "$here/scaling.sh" "$bin"
# rank-count independence over 100 epochs, default and --reproducible (mpirun), and what
# --reproducible costs per epoch
bash "$here/equivalence.sh" "$bin"
bash "$here/reproducible.sh" "$bin"
