# Tables of bench/models_pyg.sh (standard library only): reads the records compare_report.py
# wrote (case = "model/dataset") and writes bench/results/NAME.{csv,md}: accuracy mean ± std of
# pargnn and PyG per model and dataset with the difference in points, and PyG's step time over
# pargnn's on the arxiv-shaped graph.
import argparse
import csv
import datetime
import json
import math
import os
import statistics

FIELDS = ["kind", "model", "dataset", "impl", "threads", "seed", "status", "test_acc", "val_acc",
          "best_epoch", "epochs_run", "epoch_ms", "epoch_ms_p10", "epoch_ms_p90", "epoch_ms_min",
          "epoch_ms_max", "peak_rss_mb", "load_avg", "error", "command"]
ACC_TOLERANCE = 1.0  # points (issue 6)
TARGET_SPEEDUP = 3.0  # PyG's step time over pargnn's on the arxiv-shaped graph (issue 6)



def blas_name(b):
    """pargnn's own AVX-512 products, or OpenBLAS's core (older reports: the core only)."""
    if b.get("products") == "avx512":
        return f"pargnn's AVX-512 kernels (OpenBLAS core {b.get('core')} unused for them)"
    return f"OpenBLAS {b.get('core')}"

def fmt(x, nd=2):
    return "-" if x is None else f"{x:.{nd}f}"


def mean_std(v):
    if not v:
        return None, None
    return statistics.mean(v), (statistics.stdev(v) if len(v) > 1 else 0.0)


def main():
    p = argparse.ArgumentParser()
    for k in ("rec", "out", "name", "cpu", "cores", "mem", "pyv", "pargnn"):
        p.add_argument("--" + k.replace("_", "-"), default="")
    a = p.parse_args()
    recs = [json.loads(l) for l in open(a.rec) if l.strip()]
    metas = [r for r in recs if r["kind"] == "meta"]  # one per invocation of models_pyg.sh
    recs = [r for r in recs if r["kind"] != "meta"]
    for r in recs:
        r["model"], r["dataset"] = r["case"].split("/", 1)
    os.makedirs(a.out, exist_ok=True)
    with open(os.path.join(a.out, a.name + ".csv"), "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=FIELDS, extrasaction="ignore")
        w.writeheader()
        for r in recs:
            w.writerow(r)

    now = datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    L = ["# GraphSAGE, GIN and GAT: pargnn against PyG's same model and recipe (issue 6)", "",
         f"Measured by `sh bench/models_pyg.sh` on {a.cpu} ({a.cores} cores, {a.mem}), shared with "
         f"other jobs; report written {now}.", "",
         f"- pargnn: {a.pargnn}; the kernels of its dense products (its JSON's \"blas\"): "
         f"{', '.join(sorted({blas_name(r['blas']) for r in recs if isinstance(r.get('blas'), dict)})) or 'not recorded'}",
         f"- Python side: {a.pyv}",
         "- invocations (settings; /proc/loadavg at their start and end; each run's 1-minute load "
         "average at its end is in the CSV):"]
    for m in metas:
        L.append(f"  - {m['started']}: `{m['env']}`; load `{m['load_start']}` to `{m['load_end']}`")
    L.append("")
    if metas and not any(m["pargnn_gat"] for m in metas):
        L += ["pargnn had no `--model gat`: its GAT runs were skipped; PyG's GAT rows stand alone.", ""]
    notes = a.name + "_notes.md"
    if os.path.exists(os.path.join(a.out, notes)):
        L += [f"Why the models differ where they do, and what to change: [{notes}]({notes}).", ""]
    photo = "row-normalised" if any("PHOTO_NORM=row" in m["env"] for m in metas) else "raw"
    mlp_norm = next((n for n in ("batch", "layer") if any(f"GIN_MLP_NORM={n}" in m["env"] for m in metas)), None)
    gin_mlp = ("Linear-ReLU-Linear" if mlp_norm is None else
               f"Linear-{'BatchNorm' if mlp_norm == 'batch' else 'LayerNorm'}-ReLU-Linear "
               f"(pargnn `--gin-mlp-norm {mlp_norm}`)")
    init = ("PyG's layers' own initialisation (SAGE's and GIN's Linear maps and biases U(±1/sqrt(fan_in)); "
            "pargnn `--init pyg`)" if any("INIT=pyg" in m["env"] for m in metas) and
            any("--init" in r.get("command", "") for r in recs) else
            "each side's own initialisation")
    L += ["Recipe (both sides): 2 layers, dropout on the input of every layer (features included), "
          "ReLU between layers, Adam, L2 weight decay 5e-4 on every layer's weight matrices (not "
          "biases), test accuracy at the first epoch of best validation accuracy. SAGE: mean "
          f"aggregator, root weight, no output normalisation; GIN: MLP {gin_mlp}, eps 0; "
          "dropout 0.5, lr 0.01, 200 epochs, hidden 16 and row-normalised features on Cora and "
          f"CiteSeer, hidden 64 and {photo} features on Amazon Photo; {init}. GAT: 8 heads x 8 channels "
          "(concatenated), 1 output head (averaged), ELU, dropout 0.6 on features and attention, "
          "lr 0.005, attention vectors decayed too.", ""]
    paired = any("RNG=pargnn" in m["env"] for m in metas)
    if paired:
        L += ["Random numbers: the PyG side of SAGE and GIN ran with `pyg_models.py --rng pargnn`: "
              "its initial weights and every dropout mask are pargnn's draws for the same seed, so "
              "each seed trains the same network on the same masks on both sides, and the two "
              "runs differ only in floating-point summation order (the \"Paired by seed\" table). "
              "GAT, if run, keeps torch's random numbers.", ""]
    else:
        L += ["The seeds are the same numbers on both sides, but the random streams differ "
              "(initial weights, dropout masks).", ""]

    acc = [r for r in recs if r["kind"] == "acc" and r["status"] == 0 and r.get("test_acc") is not None]
    failed = [r for r in recs if r["status"] != 0]
    keys = list(dict.fromkeys((r["model"], r["dataset"]) for r in acc))
    if keys:
        L += ["## Accuracy", "",
              "Test accuracy (%) over seeds: mean ± sample std [min, max]. diff = pargnn − PyG in "
              "points; se = standard error of that difference, sqrt(s1²/n1 + s2²/n2). "
              f"\"within\" is |diff| ≤ {ACC_TOLERANCE:g}.", "",
              "| model | dataset | seeds | pargnn | PyG | diff | se | within 1 point | pargnn best epoch (median) | PyG best epoch (median) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
        for m, ds in keys:
            side = {}
            for impl in ("pargnn", "pyg"):
                rs = [r for r in acc if (r["model"], r["dataset"]) == (m, ds) and r["impl"].startswith(impl)]
                v = [100 * r["test_acc"] for r in rs]
                side[impl] = (v, mean_std(v), [r["best_epoch"] for r in rs])
            cells = []
            for impl in ("pargnn", "pyg"):
                v, (mu, sd), _ = side[impl]
                cells.append("-" if mu is None else f"{mu:.2f} ± {sd:.2f} [{min(v):.1f}, {max(v):.1f}]")
            (v1, (m1, s1), e1), (v2, (m2, s2), e2) = side["pargnn"], side["pyg"]
            if m1 is not None and m2 is not None:
                d = m1 - m2
                se = math.sqrt(s1 ** 2 / len(v1) + s2 ** 2 / len(v2))
                dd, ss, ok = f"{round(d, 2) + 0.0:+.2f}", f"{se:.2f}", "yes" if abs(d) <= ACC_TOLERANCE else "**no**"
            else:
                dd = ss = ok = "-"
            med = lambda e: f"{statistics.median(e):.0f}" if e else "-"
            L.append(f"| {m} | {ds} | {len(v1)}/{len(v2)} | {cells[0]} | {cells[1]} | {dd} | {ss} | {ok} | "
                     f"{med(e1)} | {med(e2)} |")
        L.append("")

    pair_rows = []
    for m, ds in keys:
        by = {}
        for r in acc:
            if (r["model"], r["dataset"]) == (m, ds) and "--rng pargnn" in r["command"]:
                by.setdefault(r["seed"], {})["pyg"] = r
        for r in acc:
            if (r["model"], r["dataset"]) == (m, ds) and r["impl"] == "pargnn" and r["seed"] in by:
                by[r["seed"]]["pargnn"] = r
        seeds = sorted(s_ for s_, v in by.items() if len(v) == 2)
        if seeds:
            pair_rows.append((m, ds, [by[s_] for s_ in seeds]))
    if pair_rows:
        L += ["## Paired by seed (same initial weights and dropout masks)", "",
              "Per seed d = pargnn − PyG test accuracy (points): mean d with its standard error "
              "sd(d)/sqrt(n), and the largest |d|; equal = seeds with the same test accuracy (to "
              "0.05 points) at the same best epoch. Loss curves: the relative difference "
              "|pargnn − PyG| / pargnn of the training loss at epoch 1 (largest over the seeds) "
              "and at epoch 50 (median), and how many seeds' curves ever differ by more than 1e-3, "
              "with the median first epoch they do: float32 rounding differences that training "
              "amplifies, as between rank counts (README, \"Rank-count independence\").", "",
              "| model | dataset | seeds | mean d | se | max \\|d\\| | equal | loss epoch 1 | loss epoch 50 | curves past 1e-3 (first epoch) |",
              "|---|---|---|---|---|---|---|---|---|---|"]
        for m, ds, prs in pair_rows:
            d = [100 * (p["pargnn"]["test_acc"] - p["pyg"]["test_acc"]) for p in prs]
            sd = statistics.stdev(d) / math.sqrt(len(d)) if len(d) > 1 else 0.0
            eq = sum(abs(x) < 0.05 and p["pargnn"]["best_epoch"] == p["pyg"]["best_epoch"]
                     for x, p in zip(d, prs))
            rel1, rel50, past = [], [], []
            for p in prs:
                la, lb = p["pargnn"].get("loss_curve"), p["pyg"].get("loss_curve")
                if not la or not lb:
                    continue
                rd = [abs(x - y) / abs(x) if x else abs(y) for x, y in zip(la, lb)]
                rel1.append(rd[0])
                if len(rd) >= 50:
                    rel50.append(rd[49])
                first = next((i + 1 for i, x in enumerate(rd) if x > 1e-3), None)
                if first is not None:
                    past.append(first)
            e = lambda v: f"{v:.1e}" if v is not None else "-"
            pc = f"{len(past)}/{len(rel1)}" + (f" ({statistics.median(past):.0f})" if past else "")
            L.append(f"| {m} | {ds} | {len(d)} | {round(statistics.mean(d), 2) + 0.0:+.2f} | {sd:.2f} | "
                     f"{max(abs(x) for x in d):.1f} | {eq}/{len(d)} | {e(max(rel1) if rel1 else None)} | "
                     f"{e(statistics.median(rel50) if rel50 else None)} | {pc} |")
        L.append("")

    tim = [r for r in recs if r["kind"] == "time"]
    if tim:
        graphs = sorted({r["dataset"] for r in tim})
        title = "the ogbn-arxiv-shaped graph" + (" with ogbn-arxiv's split fractions (53.7% train)"
                                                 if graphs == ["arxiv-fractions"] else "")
        L += [f"## Step time on {title}", "",
              "Median training step (forward + backward + Adam, no evaluation) in ms with [p10, p90]; "
              "3 layers, hidden 256 (GAT: 8 heads x 32), raw features, seed 0. ratio = PyG median / "
              "pargnn median; range = PyG p10 / pargnn p90 to PyG p90 / pargnn p10. PyG's first "
              "(warm-up) epoch is left out; pargnn's JSON statistics include its first epoch, which "
              "inflates its p90 with few epochs (so the range's low end is pessimistic). "
              f"Target: ratio ≥ {TARGET_SPEEDUP:g}. load = load averages after the PyG run (rounds: the "
              "1-minute one of each).", "",
              "With several rounds (TIME_REPEAT), the k-th pargnn run of a model and thread count "
              "is paired with the k-th PyG run (the same round, side by side): the ms columns give the "
              "median over rounds of each run's median [lowest, highest], ratio is the median of the "
              "pairs' ratios, range their lowest to highest, and ≥ 3x counts the pairs that reach it.", "",
              "| model | threads | rounds | pargnn ms | PyG ms | PyG input | ratio | range | ≥ 3x | load |",
              "|---|---|---|---|---|---|---|---|---|---|"]
        for m in dict.fromkeys(r["model"] for r in tim):
            for t in sorted({r["threads"] for r in tim if r["model"] == m}):
                ok_runs = lambda own: [r for r in tim if r["model"] == m and r["threads"] == t
                                       and (r["impl"] == "pargnn") == own and r["status"] == 0]
                prs, qrs = ok_runs(True), ok_runs(False)
                pairs = list(zip(prs, qrs))
                if len(pairs) > 1:
                    ms = lambda rs: [r["epoch_ms"] for r in rs]
                    cell = lambda rs: f"{statistics.median(ms(rs)):.1f} [{min(ms(rs)):.1f}, {max(ms(rs)):.1f}]"
                    ratios = [q["epoch_ms"] / p["epoch_ms"] for p, q in pairs]
                    reach = sum(x >= TARGET_SPEEDUP for x in ratios)
                    med = statistics.median(ratios)
                    L.append(f"| {m} | {t} | {len(pairs)} | {cell([p for p, _ in pairs])} | "
                             f"{cell([q for _, q in pairs])} | {pairs[0][1]['impl']} | {med:.2f} | "
                             f"{min(ratios):.2f}-{max(ratios):.2f} | {reach}/{len(pairs)} | "
                             f"{', '.join(str(q.get('load_avg', '-')).split(',')[0] for _, q in pairs)} |")
                    continue
                pr, qr = (prs or [None])[0], (qrs or [None])[0]
                cell = lambda r: "-" if r is None else \
                    f"{r['epoch_ms']:.1f} [{r['epoch_ms_p10']:.1f}, {r['epoch_ms_p90']:.1f}]"
                if pr and qr:
                    ratio = qr["epoch_ms"] / pr["epoch_ms"]
                    lo, hi = qr["epoch_ms_p10"] / pr["epoch_ms_p90"], qr["epoch_ms_p90"] / pr["epoch_ms_p10"]
                    rc, rg, ok = f"{ratio:.2f}", f"{lo:.2f}-{hi:.2f}", "yes" if ratio >= TARGET_SPEEDUP else "**no**"
                else:
                    rc = rg = ok = "-"
                L.append(f"| {m} | {t} | {1 if pr and qr else 0} | {cell(pr)} | {cell(qr)} | "
                         f"{qr['impl'] if qr else '-'} | {rc} | {rg} | {ok} | {(qr or pr or {}).get('load_avg', '-')} |")
        L.append("")
    if failed:
        L += ["## Failed runs", ""]
        for r in failed:
            L.append(f"- {r['kind']} {r['case']} {r['impl']} threads={r['threads']} seed={r['seed']}: "
                     f"{r.get('error', 'exit status %d' % r['status'])}")
        L.append("")
    L += ["## Commands", "", "One line per kind of run (seed 0; the others differ only in `--seed`); "
          f"every run's command is in {a.name}.csv.", "", "```"]
    seen = set()
    for r in recs:
        if r["seed"] == 0 and r["command"] not in seen:
            seen.add(r["command"])
            L.append(r["command"])
    L += ["```", ""]
    with open(os.path.join(a.out, a.name + ".md"), "w") as f:
        f.write("\n".join(L))
    print("\n".join(L))


if __name__ == "__main__":
    main()
