# GCN baselines for the comparison harness (bench/compare.sh): a plain PyTorch GCN (Kipf's
# recipe, torch.sparse.mm with the normalised adjacency) and PyTorch Geometric's GCNConv, trained
# like `pargnn train` on the same OGB-layout folder. Writes a JSON report; it is not a pargnn test.
"""Usage: torch_gcn.py --impl torch|pyg --data DIR [--adj edge_index|sparse] [--layers 2]
       [--hidden 16] [--dropout 0.5] [--lr 0.01] [--weight-decay 5e-4] [--feature-norm row|none]
       [--epochs 200] [--warmup 1] [--eval every|last] [--seed 0] [--threads N]
       [--cache DIR] [--mem-limit-gb G] [--json FILE]

Model (both impls): dropout on the input of every layer, GCN convolution
A_hat = D^-1/2 (A + I) D^-1/2 (existing self-loops kept once), ReLU between layers,
Glorot-uniform weights and zero biases, softmax cross-entropy over the training nodes,
Adam with L2 weight decay on the first layer's weight only (as `pargnn --decay-scope first`).
Timed per epoch: zero_grad + forward + loss + backward + Adam step (no evaluation).
The first --warmup epochs are run and timed but excluded from the statistics.
"""
import argparse
import gzip
import json
import os
import resource
import sys
import threading
import time


def parse_args():
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--impl", choices=["torch", "pyg"], required=True)
    p.add_argument("--data", required=True)
    p.add_argument("--split", default=None)
    p.add_argument("--adj", choices=["edge_index", "sparse"], default="edge_index",
                   help="pyg only: pass edge_index (message passing, as PyG's gcn.py) or a "
                        "torch sparse CSR adj_t (SpMM, as OGB's arxiv example)")
    p.add_argument("--layers", type=int, default=2)
    p.add_argument("--hidden", type=int, default=16)
    p.add_argument("--dropout", type=float, default=0.5)
    p.add_argument("--lr", type=float, default=0.01)
    p.add_argument("--weight-decay", type=float, default=5e-4)
    p.add_argument("--feature-norm", choices=["row", "none"], default="row")
    p.add_argument("--epochs", type=int, default=200)
    p.add_argument("--warmup", type=int, default=1)
    p.add_argument("--eval", choices=["every", "last"], default="every")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--threads", type=int, default=0)
    p.add_argument("--cache", default=None, help="folder for a .npz of the parsed dataset")
    p.add_argument("--mem-limit-gb", type=float, default=0.0,
                   help="abort (exit 3) when RSS passes this; 0 = no limit")
    p.add_argument("--json", default=None)
    return p.parse_args()


def rss_kb():
    with open("/proc/self/statm") as f:
        return int(f.read().split()[1]) * (os.sysconf("SC_PAGE_SIZE") // 1024)


def mem_available_kb():
    with open("/proc/meminfo") as f:
        for line in f:
            if line.startswith("MemAvailable:"):
                return int(line.split()[1])
    return 1 << 40


def start_watchdog(limit_gb, report):
    """Exits the process before the machine runs out of memory (others share it): when its
    RSS passes the limit or the machine has under 1 GiB available."""
    if limit_gb <= 0:
        return
    limit_kb = limit_gb * 1024 * 1024

    def watch():
        while True:
            r = rss_kb()
            avail = mem_available_kb()
            if r > limit_kb or avail < 1048576:
                report["error"] = (f"RSS {r / 1048576:.1f} GiB passed --mem-limit-gb {limit_gb}" if r > limit_kb
                                   else f"machine nearly out of memory (MemAvailable {avail / 1048576:.1f} GiB) at RSS {r / 1048576:.1f} GiB")
                report["peak_rss_kb"] = r
                write_json(report)
                sys.stderr.write("torch_gcn: " + report["error"] + "\n")
                os._exit(3)
            time.sleep(0.02)

    threading.Thread(target=watch, daemon=True).start()


def write_json(report):
    path = report.get("_json")
    if path:
        with open(path, "w") as f:
            json.dump({k: v for k, v in report.items() if not k.startswith("_")}, f, indent=1)


# ---------------------------------------------------------------- data (outside any timing)

def read_csv(path, dtype):
    import numpy as np
    import pandas as pd
    for p in (path + ".gz", path):
        if os.path.exists(p):
            df = pd.read_csv(p, header=None, dtype=dtype, engine="c")
            return np.ascontiguousarray(df.to_numpy(dtype=dtype))
    raise FileNotFoundError(path + "[.gz]")


def load_dataset(root, split, cache):
    """Returns n, edges (2, E) int64 both directions, duplicates dropped, self-loops once,
    features (n, F) float32, labels (n,) int64, and the split's id arrays."""
    import numpy as np
    raw = os.path.join(root, "raw")
    schemes = sorted(os.listdir(os.path.join(root, "split")))
    if split is None:
        if len(schemes) != 1:
            raise SystemExit(f"torch_gcn: {root}/split has {schemes}: give --split")
        split = schemes[0]
    stamp = []
    for name in sorted(os.listdir(raw)):
        st = os.stat(os.path.join(raw, name))
        stamp.append(f"{name}:{st.st_size}:{int(st.st_mtime)}")
    stamp = "|".join(stamp) + f"|split={split}"
    npz = os.path.join(cache, "dataset.npz") if cache else None
    if npz and os.path.exists(npz):
        z = np.load(npz)
        if str(z["stamp"]) == stamp:
            return (int(z["n"]), z["edges"], z["feat"], z["labels"],
                    {k: z[k] for k in ("train", "valid", "test")}, split, True)
    n = int(read_csv(os.path.join(raw, "num-node-list.csv"), np.int64).ravel()[0])
    e = read_csv(os.path.join(raw, "edge.csv"), np.int64)
    if e.size and (e.min() < 0 or e.max() >= n):
        raise SystemExit("torch_gcn: edge id out of range")
    src = np.concatenate([e[:, 0], e[:, 1]])
    dst = np.concatenate([e[:, 1], e[:, 0]])
    del e
    key = np.unique(src * n + dst)  # sorted by (src, dst): CSR order, duplicates dropped
    del src, dst
    edges = np.stack([key // n, key % n])
    del key
    feat = read_csv(os.path.join(raw, "node-feat.csv"), np.float32)
    labels = read_csv(os.path.join(raw, "node-label.csv"), np.int64).ravel()
    sp = {}
    for k in ("train", "valid", "test"):
        sp[k] = read_csv(os.path.join(root, "split", split, k + ".csv"), np.int64).ravel()
    if feat.shape[0] != n or labels.shape[0] != n:
        raise SystemExit("torch_gcn: feature or label count differs from num-node-list")
    if npz:
        os.makedirs(cache, exist_ok=True)
        tmp = npz + f".tmp{os.getpid()}.npz"
        np.savez(tmp, stamp=stamp, n=n, edges=edges, feat=feat, labels=labels, **sp)
        os.replace(tmp, npz)
    return n, edges, feat, labels, sp, split, False


# ---------------------------------------------------------------- models

def build_models(torch, impl, dims, dropout, adj_input):
    import torch.nn as nn
    import torch.nn.functional as F

    class KipfLayer(nn.Module):
        """Z = A_hat (H W) + b, as pygcn's GraphConvolution (torch.sparse.mm)."""

        def __init__(self, fin, fout):
            super().__init__()
            self.weight = nn.Parameter(torch.empty(fin, fout))
            self.bias = nn.Parameter(torch.zeros(fout))
            nn.init.xavier_uniform_(self.weight)

        def forward(self, h, a_hat):
            return torch.sparse.mm(a_hat, h @ self.weight) + self.bias

    class GCN(nn.Module):
        def __init__(self):
            super().__init__()
            if impl == "torch":
                self.convs = nn.ModuleList(KipfLayer(a, b) for a, b in zip(dims[:-1], dims[1:]))
            else:
                from torch_geometric.nn import GCNConv
                self.convs = nn.ModuleList(GCNConv(a, b, cached=True, normalize=True)
                                           for a, b in zip(dims[:-1], dims[1:]))

        def forward(self, x, adj):
            for i, conv in enumerate(self.convs):
                x = F.dropout(x, p=dropout, training=self.training)
                x = conv(x, adj)
                if i + 1 < len(self.convs):
                    x = F.relu(x)
            return x

        def first_weight(self):
            c = self.convs[0]
            return c.weight if impl == "torch" else c.lin.weight

    return GCN()


def normalized_adjacency(torch, n, edges):
    """A_hat = D^-1/2 (A + I) D^-1/2 as a CSR tensor; a self-loop is added only where missing."""
    ei = torch.from_numpy(edges)
    has_loop = torch.zeros(n, dtype=torch.bool)
    has_loop[ei[0][ei[0] == ei[1]]] = True
    missing = torch.nonzero(~has_loop).ravel()
    row = torch.cat([ei[0], missing])
    col = torch.cat([ei[1], missing])
    deg = torch.bincount(row, minlength=n).to(torch.float32)
    dinv = deg.pow(-0.5)
    val = dinv[row] * dinv[col]
    a = torch.sparse_coo_tensor(torch.stack([row, col]), val, (n, n)).coalesce()
    return a.to_sparse_csr()


# ---------------------------------------------------------------- training (shared with pyg_models.py)

def train(model, opt, x, adj, y, idx, epochs, warmup, evaluate_at, report):
    """Full-graph training. Timed per epoch: zero_grad + forward + softmax cross-entropy over
    the training nodes + backward + optimizer step. Untimed: the loss check, then, when
    evaluate_at(epoch) (0-based), accuracy on every split; the first epoch of best validation
    accuracy is kept. The first `warmup` epochs are left out of the step statistics. Adds the
    statistics, accuracies and losses to report (and "error" on a non-finite loss); returns
    the loss of every epoch run."""
    import numpy as np
    import torch
    import torch.nn.functional as F

    def evaluate():
        model.eval()
        with torch.no_grad():
            pred = model(x, adj).argmax(1)
        model.train()
        return {k: float((pred[v] == y[v]).float().mean()) for k, v in idx.items()}

    model.train()
    step_ms, losses = [], []
    best = {"valid": -1.0}
    best_epoch = -1
    for epoch in range(epochs):
        t = time.perf_counter()
        opt.zero_grad(set_to_none=True)
        out = model(x, adj)
        loss = F.cross_entropy(out[idx["train"]], y[idx["train"]])
        loss.backward()
        opt.step()
        step_ms.append(1e3 * (time.perf_counter() - t))
        losses.append(float(loss))  # validation, outside the timed region
        if not np.isfinite(losses[-1]):
            report["error"] = f"loss is {losses[-1]} at epoch {epoch}"
            break
        if evaluate_at(epoch):
            acc = evaluate()
            if acc["valid"] > best["valid"]:
                best, best_epoch = acc, epoch
    timed = np.array(step_ms[warmup:] if len(step_ms) > warmup else step_ms)
    stat = (lambda f: float(f(timed))) if timed.size else (lambda f: None)
    report.update({
        "epochs_run": len(step_ms), "warmup": warmup, "epochs_timed": int(timed.size),
        "epoch_ms": stat(np.median), "epoch_ms_min": stat(np.min), "epoch_ms_max": stat(np.max),
        "epoch_ms_p10": stat(lambda a: np.percentile(a, 10)),
        "epoch_ms_p90": stat(lambda a: np.percentile(a, 90)), "step_ms": step_ms,
        "test_acc": best.get("test"), "val_acc": best.get("valid"), "train_acc": best.get("train"),
        "best_epoch": best_epoch + 1, "loss_first": losses[0] if losses else None,
        "loss_last": losses[-1] if losses else None,
    })
    return losses


def start_run(args, report):
    """The start every Python-side run shares (this script and pyg_models.py): the memory
    watchdog, the thread count, the seeds, and the dataset as tensors. Returns (torch, d) with
    d.n, d.edges (numpy, (2, E)), d.x (row-normalised when args.feature_norm == "row"), d.y,
    d.idx (split name -> node tensor), d.num_classes, d.split, d.cached, d.t0, d.t_load."""
    start_watchdog(args.mem_limit_gb, report)
    if args.threads > 0:
        os.environ.setdefault("OMP_NUM_THREADS", str(args.threads))
    t0 = time.perf_counter()
    import numpy as np
    import torch
    if args.threads > 0:
        torch.set_num_threads(args.threads)
    torch.manual_seed(args.seed)
    np.random.seed(args.seed)

    n, edges, feat, labels, sp, split, cached = load_dataset(args.data, args.split, args.cache)
    t_load = time.perf_counter() - t0
    x = torch.from_numpy(feat)
    if args.feature_norm == "row":
        s = x.sum(1, keepdim=True)
        x = x / torch.where(s == 0, torch.ones_like(s), s)
    import types
    return torch, types.SimpleNamespace(
        n=n, edges=edges, x=x, y=torch.from_numpy(labels),
        idx={k: torch.from_numpy(v) for k, v in sp.items()}, num_classes=int(labels.max()) + 1,
        split=split, cached=cached, t0=t0, t_load=t_load)


def main():
    args = parse_args()
    report = {"_json": args.json, "impl": args.impl if args.impl == "torch" else f"pyg-{args.adj}",
              "dataset": args.data, "argv": sys.argv[1:]}
    torch, d = start_run(args, report)
    n, edges, x, y, idx, num_classes = d.n, d.edges, d.x, d.y, d.idx, d.num_classes
    split, cached, t0, t_load = d.split, d.cached, d.t0, d.t_load
    dims = [x.shape[1]] + [args.hidden] * (args.layers - 1) + [num_classes]

    if args.impl == "torch":
        adj = normalized_adjacency(torch, n, edges)
    elif args.adj == "edge_index":
        adj = torch.from_numpy(edges)
    else:
        from torch_geometric.utils import to_torch_csr_tensor
        adj = to_torch_csr_tensor(torch.from_numpy(edges), size=(n, n))
    del edges
    model = build_models(torch, args.impl, dims, args.dropout, adj)
    w0 = model.first_weight()
    rest = [p for p in model.parameters() if p is not w0]
    opt = torch.optim.Adam([{"params": [w0], "weight_decay": args.weight_decay},
                            {"params": rest, "weight_decay": 0.0}], lr=args.lr)
    t_setup = time.perf_counter() - t0 - t_load

    train(model, opt, x, adj, y, idx, args.epochs, args.warmup,
          lambda epoch: args.eval == "every" or epoch + 1 == args.epochs, report)
    usage = resource.getrusage(resource.RUSAGE_SELF)
    report.update({
        "split": split, "num_nodes": n, "num_edges": int(adj.shape[1]) if adj.layout == torch.strided else int(adj._nnz()),
        "num_features": int(x.shape[1]), "num_classes": num_classes, "layers": args.layers,
        "hidden": args.hidden, "threads": torch.get_num_threads(), "seed": args.seed,
        "load_s": t_load, "setup_s": t_setup,
        "cache_hit": cached, "peak_rss_kb": usage.ru_maxrss,
        "torch": torch.__version__, "config": vars(args),
    })
    if args.impl == "pyg":
        import torch_geometric
        report["torch_geometric"] = torch_geometric.__version__
    write_json(report)
    print(f"{report['impl']} {os.path.basename(args.data.rstrip('/'))} threads={report['threads']} "
          f"epoch_ms={report['epoch_ms']:.3f} test_acc={report['test_acc']} "
          f"peak_rss={usage.ru_maxrss / 1024:.0f}MB")
    return 1 if "error" in report else 0


if __name__ == "__main__":
    sys.exit(main())
