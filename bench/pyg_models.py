# PyTorch Geometric's SAGEConv, GINConv and GATConv trained with pargnn's recipe on the same
# OGB-layout folder (bench/models_pyg.sh, issue 6): the baseline pargnn's GraphSAGE, GIN and GAT
# are compared with, in accuracy and in step time. Writes a JSON report; not a pargnn test.
"""Usage: pyg_models.py --model sage|gin|gat --data DIR [--split NAME] [--mode train|time]
       [--adj edge_index|sparse] [--layers 2] [--hidden 16] [--heads 8] [--out-heads 1]
       [--dropout 0.5] [--attn-dropout 0.6] [--lr 0.01] [--weight-decay 5e-4]
       [--decay-scope all|first] [--decay-att 1|0] [--feature-norm row|none] [--epochs 200]
       [--warmup 1] [--init pyg|glorot] [--gin-mlp-norm none|batch|layer] [--seed 0] [--threads N] [--cache DIR]
       [--mem-limit-gb G] [--json FILE]

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
    p.add_argument("--gin-mlp-norm", choices=["none", "batch", "layer"], default="none")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--cache", default=None, help="folder for a .npz of the parsed dataset")
    p.add_argument("--mem-limit-gb", type=float, default=0.0)
    p.add_argument("--json", default=None)
    return p.parse_args()


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
            mlp = [nn.Linear(fin, args.hidden)]
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

        def forward(self, x, adj):
            for i, conv in enumerate(self.convs):
                x = F.dropout(x, p=args.dropout, training=self.training)
                x = conv(x, adj)
                if i + 1 < len(self.convs):
                    x = act(x)
            return x

    model = Net()
    if args.init == "glorot":
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
