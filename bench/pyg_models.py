# PyTorch Geometric's SAGEConv, GINConv and GATConv trained with pargnn's recipe on the same
# OGB-layout folder (bench/models_pyg.sh, issue 6): the baseline pargnn's GraphSAGE, GIN and GAT
# are compared with, in accuracy and in step time. Writes a JSON report; not a pargnn test.
"""Usage: pyg_models.py --model sage|gin|gat --data DIR [--split NAME] [--mode train|time]
       [--adj edge_index|sparse] [--layers 2] [--hidden 16] [--heads 8] [--out-heads 1]
       [--dropout 0.5] [--attn-dropout 0.6] [--lr 0.01] [--weight-decay 5e-4]
       [--decay-scope all|first] [--decay-att 1|0] [--feature-norm row|none] [--epochs 200]
       [--warmup 1] [--init pyg|glorot] [--rng torch|pargnn] [--gin-mlp-norm none|batch|layer] [--seed 0]
       [--threads N] [--cache DIR] [--mem-limit-gb G] [--json FILE]

Models, as pargnn builds them (README, "Models"; src/nn/net.c):
  sage  SAGEConv(aggr="mean", root_weight=True, normalize=False): mean(H_nbr) W + b + H W_self.
  gin   GINConv(Linear-ReLU-Linear, eps=0, train_eps=False), MLP width --hidden;
        --gin-mlp-norm batch|layer puts BatchNorm1d or LayerNorm after the first Linear (PyG's
        GIN example; pargnn's --gin-mlp-norm, whose first map has no bias before batch norm).
  gat   GATConv: hidden layers --heads heads of --hidden channels, concatenated; the output
        layer --out-heads heads, averaged; --attn-dropout on the attention coefficients;
        self-loops added (GATConv's default); ELU between layers.
Every model: dropout --dropout on the input of every layer, layer 0's features included
(pargnn's layer_input); ReLU (GAT: ELU) between layers; softmax cross-entropy over the
training nodes; Adam with L2 decay (torch's weight_decay, added to the gradient, as pargnn's
pg_adam_step) on the weight matrices of every layer (--decay-scope all) or of layer 0 only,
never on biases or batch-norm parameters; GAT's attention vectors are decayed unless
--decay-att 0. --init pyg keeps PyG's own initialisation (Linear: kaiming_uniform(a=sqrt(5)),
i.e. U(+-1/sqrt(fan_in)), and a uniform bias; GATConv: Glorot and zero bias); --init glorot
sets every weight to Glorot-uniform and every bias to 0, as pargnn does.

--rng pargnn (SAGE and GIN) draws the initial weights (per --init) and every dropout mask
with pargnn's counter-based keys for --seed (Philox4x32-10, src/core/rng.h; the keys of
src/nn/net.c and src/ops/elementwise.c), so PyG trains the same network on the same masks as
`pargnn train --seed S`: the two runs differ only in floating-point summation order. That
pairs the comparison seed by seed (common random numbers): what is left of a difference is
the implementation's, not the random streams'. --rng torch (the default) keeps torch's own.

--mode train evaluates on every split after every epoch and reports the test accuracy at the
first epoch of best validation accuracy (pargnn's rule). --mode time skips the evaluation:
the report is the step time. Timed per epoch in both modes: zero_grad + forward + loss +
backward + Adam step; the first --warmup epochs are excluded from the statistics.
"""
import argparse
import os
import resource
import sys
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import torch_gcn  # noqa: E402  (the dataset reader, the memory watchdog and the JSON writer)


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--model", choices=["sage", "gin", "gat"], required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--split", default=None)
    p.add_argument("--mode", choices=["train", "time"], default="train")
    p.add_argument("--adj", choices=["edge_index", "sparse"], default="edge_index",
                   help="edge_index (message passing) or a torch sparse CSR adj_t (SpMM)")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=16, help="width; GAT: channels per head")
    p.add_argument("--heads", type=int, default=8, help="GAT: heads of the hidden layers")
    p.add_argument("--out-heads", type=int, default=1, help="GAT: heads of the output layer")
    p.add_argument("--dropout", type=float, default=0.5)
    p.add_argument("--attn-dropout", type=float, default=0.6, help="GAT only")
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--decay-scope", choices=["all", "first"], default="all")
    p.add_argument("--decay-att", type=int, choices=[0, 1], default=1)
    p.add_argument("--feature-norm", choices=["row", "none"], default="row")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--init", choices=["pyg", "glorot"], default="pyg")
    p.add_argument("--rng", choices=["torch", "pargnn"], default="torch",
                   help="pargnn: initial weights and dropout masks drawn as pargnn draws them")
    p.add_argument("--gin-mlp-norm", choices=["none", "batch", "layer"], default="none")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--cache", default=None, help="folder for a .npz of the parsed dataset")
    p.add_argument("--mem-limit-gb", type=float, default=0.0)
    p.add_argument("--json", default=None)
    return p.parse_args()


# pargnn's random numbers (src/core/rng.c, src/core/rng.h): Philox4x32-10 of the counter
# (c0, c1, c2, c3) under the 64-bit key = seed; a draw for item (row, col) of stream S, "epoch"
# E and layer L is word col % 4 of the call for counter (row, col / 4, E, (S << 24) ^ L).
RNG_DROPOUT, RNG_INIT = 1, 2


def philox(np, seed, c0, c1, c2, c3):
    """The four 32-bit output words (uint64 arrays) for counters broadcast from c0..c3."""
    u32 = np.uint64(0xFFFFFFFF)
    c0, c1, c2, c3 = (np.asarray(c, dtype=np.uint64) & u32 for c in (c0, c1, c2, c3))
    c0, c1, c2, c3 = np.broadcast_arrays(c0, c1, c2, c3)
    k0, k1 = seed & 0xFFFFFFFF, (seed >> 32) & 0xFFFFFFFF
    for _ in range(10):
        p0 = np.uint64(0xD2511F53) * c0
        p1 = np.uint64(0xCD9E8D57) * c2
        c0, c1, c2, c3 = ((p1 >> np.uint64(32)) ^ c1 ^ np.uint64(k0), p1 & u32,
                          (p0 >> np.uint64(32)) ^ c3 ^ np.uint64(k1), p0 & u32)
        k0, k1 = (k0 + 0x9E3779B9) & 0xFFFFFFFF, (k1 + 0xBB67AE85) & 0xFFFFFFFF
    return c0, c1, c2, c3


def philox_self_check():
    """The Random123 known-answer vectors of Philox4x32-10 (key = k1 << 32 | k0); exits on
    a mismatch rather than train PyG on other draws than pargnn's."""
    import numpy as np
    kat = [((0, 0, 0, 0), 0, (0x6627e8d5, 0xe169c58d, 0xbc57ac4c, 0x9b00dbd8)),
           ((0xffffffff,) * 4, 0xffffffffffffffff, (0x408f276d, 0x41c83b0e, 0xa20bc7c6, 0x6d5451fd)),
           ((0x243f6a88, 0x85a308d3, 0x13198a2e, 0x03707344), (0x299f31d0 << 32) | 0xa4093822,
            (0xd16cfe09, 0x94fdcceb, 0x5001e420, 0x24126ea1))]
    for ctr, key, want in kat:
        got = tuple(int(w) for w in philox(np, key, *ctr))
        if got != want:
            sys.exit(f"pyg_models.py: philox{ctr} under key {key:#x} gives {got}, not {want}")


def pargnn_u32(np, seed, stream, epoch, layer, rows, cols):
    """pg_rng_u32 for every (rows[k], cols[k])."""
    rows, cols = np.asarray(rows, dtype=np.uint64), np.asarray(cols, dtype=np.uint64)
    w = philox(np, seed, rows, cols >> np.uint64(2), epoch, (stream << 24) ^ layer)
    sel = cols & np.uint64(3)
    return np.choose(sel.astype(np.int64), w)


def pargnn_uniform(np, seed, rows, cols, a, layer, mat):
    """net.c's uniform(): a (rows, cols) float32 matrix U(-a, a), keyed (layer, mat, i, j)."""
    i, j = np.meshgrid(np.arange(rows), np.arange(cols), indexing="ij")
    u = pargnn_u32(np, seed, RNG_INIT, mat, layer, i.ravel(), j.ravel())
    unit = (u >> np.uint64(8)).astype(np.float64) * (1.0 / 16777216.0)
    return ((2.0 * unit - 1.0) * a).astype(np.float32).reshape(rows, cols)


def pargnn_dropout_mask(np, seed, epoch, layer, p, rows, cols):
    """elementwise.c's dropout: keep (row, col) when its draw is >= p * 2^32; the kept
    value is scaled by float(1 / (1 - p)). Returns the float32 factor of each (row, col)."""
    t = p * 4294967296.0
    thr = 0xFFFFFFFF if t >= 4294967295.0 else int(t)
    u = pargnn_u32(np, seed, RNG_DROPOUT, epoch, layer, rows, cols)
    return np.where(u >= np.uint64(thr), np.float32(1.0 / (1.0 - p)), np.float32(0))


def set_pargnn_weights(torch, np, model, args):
    """Copies pg_net_init's initial weights for --seed into the PyG layers: per layer l,
    matrix key 0 is the first map (SAGE: the neighbour map lin_l; GIN: the MLP's first
    Linear) and key 1 the second (SAGE: the root map lin_r; GIN: the MLP's last Linear), with
    bias keys 4 and 5 under --init pyg. pargnn stores W as (fin, fout): torch's weight is W^T."""
    import torch.nn as nn
    seed = args.seed

    def load(lin, l, mat, bmat):
        fout, fin = lin.weight.shape
        a = 1.0 / np.sqrt(fin) if args.init == "pyg" else np.sqrt(6.0 / (fin + fout))
        with torch.no_grad():
            lin.weight.copy_(torch.from_numpy(pargnn_uniform(np, seed, fin, fout, a, l, mat).T.copy()))
            if lin.bias is not None:
                if args.init == "pyg":
                    lin.bias.copy_(torch.from_numpy(pargnn_uniform(np, seed, 1, fout, a, l, bmat)[0]))
                else:
                    lin.bias.zero_()

    for l, conv in enumerate(model.convs):
        if args.model == "sage":
            load(conv.lin_l, l, 0, 4)
            load(conv.lin_r, l, 1, 5)
        else:
            lins = [m for m in conv.nn if isinstance(m, nn.Linear)]
            load(lins[0], l, 0, 4)  # without a bias before batch norm (build_model)
            load(lins[1], l, 1, 5)


def build_model(torch, args, fin, num_classes):
    import torch.nn as nn
    import torch.nn.functional as F
    from torch_geometric.nn import GATConv, GINConv, SAGEConv

    L = args.layers
    convs = []
    for i in range(L):
        last = i == L - 1
        if args.model == "sage":
            fout = num_classes if last else args.hidden
            convs.append(SAGEConv(fin, fout, aggr="mean", root_weight=True, normalize=False))
        elif args.model == "gin":
            fout = num_classes if last else args.hidden
            # --rng pargnn builds pargnn's model: its first map has no bias before batch norm
            # (a trainable zero bias there takes Adam steps on rounding noise, and the
            # running mean that evaluation uses lags behind it)
            bias = not (args.rng == "pargnn" and args.gin_mlp_norm == "batch")
            mlp = [nn.Linear(fin, args.hidden, bias=bias)]
            if args.gin_mlp_norm == "batch":
                mlp.append(nn.BatchNorm1d(args.hidden))
            elif args.gin_mlp_norm == "layer":
                mlp.append(nn.LayerNorm(args.hidden))
            mlp += [nn.ReLU(), nn.Linear(args.hidden, fout)]
            convs.append(GINConv(nn.Sequential(*mlp), eps=0.0, train_eps=False))
        else:
            heads = args.out_heads if last else args.heads
            fout = num_classes if last else args.hidden * args.heads
            convs.append(GATConv(fin, num_classes if last else args.hidden, heads=heads,
                                 concat=not last, dropout=args.attn_dropout))
        fin = fout
    act = F.elu if args.model == "gat" else F.relu

    class Net(nn.Module):
        def __init__(self):
            super().__init__()
            self.convs = nn.ModuleList(convs)

            self.epoch = 0  # --rng pargnn: the 0-based epoch key of the next training pass

        def dropout(self, x, layer):
            if not self.training or args.dropout <= 0:
                return x
            if args.rng == "torch":
                return F.dropout(x, p=args.dropout, training=True)
            import numpy as np
            # a mask only where x is non-zero: a zero stays zero, and the ReLU before a
            # hidden layer's dropout already zeroes the gradient there
            r, c = (t.numpy() for t in torch.nonzero(x, as_tuple=True))
            mask = torch.zeros_like(x)
            mask[r, c] = torch.from_numpy(
                pargnn_dropout_mask(np, args.seed, self.epoch, layer, args.dropout, r, c))
            return x * mask

        def forward(self, x, adj):
            for i, conv in enumerate(self.convs):
                x = self.dropout(x, i)
                x = conv(x, adj)
                if i + 1 < len(self.convs):
                    x = act(x)
            if self.training:
                self.epoch += 1
            return x

    model = Net()
    if args.rng == "pargnn":
        import numpy as np
        set_pargnn_weights(torch, np, model, args)
    elif args.init == "glorot":
        from torch_geometric.nn.inits import glorot
        with torch.no_grad():
            for mod in model.modules():
                if isinstance(mod, nn.BatchNorm1d):
                    continue  # batch norm keeps weight 1 and bias 0
                for prm in mod.parameters(recurse=False):
                    if prm.dim() >= 2:
                        glorot(prm)  # U(+-sqrt(6 / (size(-2) + size(-1))))
                    else:
                        prm.zero_()
    return model


def param_groups(model, args):
    """Weight matrices (and GAT's attention vectors) get the L2 term; biases, batch norm and
    anything 1-D do not. Returns the groups and the decayed names (recorded in the report)."""
    import torch.nn as nn
    mods = dict(model.named_modules())
    decayed, plain, names = [], [], []
    for name, prm in model.named_parameters():
        owner = mods.get(name.rsplit(".", 1)[0])
        layer = int(name.split(".")[1])
        is_att = name.rsplit(".", 1)[-1].startswith("att_")
        ok = prm.dim() >= 2 and not isinstance(owner, nn.BatchNorm1d)
        ok = ok and (args.decay_scope == "all" or layer == 0) and (args.decay_att or not is_att)
        (decayed if ok else plain).append(prm)
        if ok:
            names.append(name)
    return [{"params": decayed, "weight_decay": args.weight_decay},
            {"params": plain, "weight_decay": 0.0}], names


def main():
    args = parse_args()
    if args.rng == "pargnn" and args.model == "gat":
        sys.exit("pyg_models.py: --rng pargnn: SAGE and GIN only (GATConv's attention dropout "
                 "draws inside the layer)")
    if args.rng == "pargnn" and args.mode == "time":
        sys.exit("pyg_models.py: --rng pargnn draws the masks in numpy inside the step: "
                 "use it with --mode train only")
    if args.rng == "pargnn":
        philox_self_check()
    report = {"_json": args.json, "impl": f"pyg-{args.adj}", "model": args.model,
              "dataset": args.data, "argv": sys.argv[1:]}
    torch, d = torch_gcn.start_run(args, report)
    n, edges, x, y, idx, num_classes = d.n, d.edges, d.x, d.y, d.idx, d.num_classes
    split, cached, t0, t_load = d.split, d.cached, d.t0, d.t_load
    ei = torch.from_numpy(edges)
    if args.adj == "sparse":
        from torch_geometric.utils import to_torch_csr_tensor
        adj = to_torch_csr_tensor(ei, size=(n, n))  # symmetric: adj_t = adj
    else:
        adj = ei
    del edges
    model = build_model(torch, args, x.shape[1], num_classes)
    groups, decayed = param_groups(model, args)
    opt = torch.optim.Adam(groups, lr=args.lr)
    t_setup = time.perf_counter() - t0 - t_load

    losses = torch_gcn.train(model, opt, x, adj, y, idx, args.epochs, args.warmup,
                             lambda epoch: args.mode == "train", report)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    import torch_geometric
    report.update({
        "split": split, "num_nodes": n, "num_edges": int(ei.shape[1]),
        "num_features": int(x.shape[1]), "num_classes": num_classes,
        "threads": torch.get_num_threads(), "seed": args.seed,
        "loss_curve": losses,
        "decayed": decayed, "num_params": sum(p.numel() for p in model.parameters()),
        "load_s": t_load, "setup_s": t_setup, "cache_hit": cached, "peak_rss_kb": usage.ru_maxrss,
        "torch": torch.__version__, "torch_geometric": torch_geometric.__version__,
        "config": vars(args),
    })
    torch_gcn.write_json(report)
    print(f"pyg {args.model} {os.path.basename(args.data.rstrip('/'))} threads={report['threads']} "
          f"epoch_ms={report['epoch_ms']} test_acc={report['test_acc']} best_epoch={report['best_epoch']}")
    return 1 if "error" in report else 0


if __name__ == "__main__":
    sys.exit(main())
