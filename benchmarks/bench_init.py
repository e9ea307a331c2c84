"""Initialisation (issue 5): init="spectral" vs "pca" vs "random" on MNIST, side by side.

Data: ../shared/data/mnist-t10k; the first 8,000 images train, the last 2,000 are unseen.
Each fit runs in its own subprocess (same cost of imports and XLA compilation for every row).

    python benchmarks/bench_init.py                 # 3 inits x seeds 0,1,2, default parameters
    python benchmarks/bench_init.py --quick         # 3 inits, seed 0, 50 epochs
    python benchmarks/bench_init.py --seeds 0 --inits spectral,random

Figures: fit seconds; trustworthiness (pumap_core.metrics: k=10, 2,000 random training rows,
fixed subset); 5-NN accuracy of the unseen rows (classifier fitted on the training embedding);
global structure: Pearson correlation of data and embedding distances over 20,000 random pairs
of training rows (pumap_core.metrics.distance_correlation) and of unseen rows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))


def measure(init: str, seed: int, params: dict) -> dict:
    """Fit once with ``init`` and return the figures (runs inside the child process)."""
    from sklearn.neighbors import KNeighborsClassifier

    from mnist import load_mnist, split
    from pumap_core import ParametricUMAP
    from pumap_core.metrics import distance_correlation, trustworthiness

    X, y = load_mnist()
    Xtr, ytr, Xte, yte = split(X, y)
    est = ParametricUMAP(init=init, random_state=seed, **params)
    t0 = time.perf_counter()
    emb = est.fit_transform(Xtr)
    fit_s = time.perf_counter() - t0
    unseen = est.transform(Xte)
    return {"fit_s": fit_s,
            "trust": trustworthiness(Xtr, emb, n_neighbors=10),
            "knn5": KNeighborsClassifier(5).fit(emb, ytr).score(unseen, yte),
            "dcorr": distance_correlation(Xtr, emb),
            "dcorr_unseen": distance_correlation(Xte, unseen)}


def run_child(init: str, seed: int, params: dict) -> dict | None:
    cmd = [sys.executable, __file__, "--child", init, str(seed), json.dumps(params)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(f"  {init} seed {seed} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(lines[-1])


KEYS = ("fit_s", "trust", "knn5", "dcorr", "dcorr_unseen")
HEAD = (f"{'init':<10}{'seed':>6}{'fit s':>8}{'trust':>8}{'5-NN unseen':>13}"
        f"{'dist corr':>11}{'dist corr unseen':>18}")


def row(label: str, seed: str, r: dict) -> str:
    return (f"{label:<10}{seed:>6}{r['fit_s']:8.1f}{r['trust']:8.4f}{r['knn5']:13.4f}"
            f"{r['dcorr']:11.3f}{r['dcorr_unseen']:18.3f}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--inits", default="spectral,pca,random")
    ap.add_argument("--seeds", default="0,1,2")
    ap.add_argument("--quick", action="store_true", help="seed 0 only, 50 epochs")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        init, seed, params = args.child
        print(json.dumps(measure(init, int(seed), json.loads(params))), flush=True)
        return

    params = {"n_training_epochs": 50} if args.quick else {}
    seeds = [0] if args.quick else [int(s) for s in args.seeds.split(",")]
    inits = args.inits.split(",")
    print(f"MNIST 8,000 train / 2,000 unseen, params {params or 'default'}, seeds {seeds}, "
          f"{os.cpu_count()} CPUs", flush=True)
    results: dict[str, list[dict]] = {init: [] for init in inits}
    print(HEAD, flush=True)
    for seed in seeds:  # seed-major order: a slow stretch of the machine hits every init alike
        for init in inits:
            r = run_child(init, seed, params)
            if r is None:
                print(f"{init:<10}{seed:>6}  failed", flush=True)
                continue
            results[init].append(r)
            print(row(init, str(seed), r), flush=True)
    print("\nmean over seeds\n" + HEAD)
    for init, runs in results.items():
        if runs:
            mean = {k: sum(r[k] for r in runs) / len(runs) for k in KEYS}
            print(row(init, f"x{len(runs)}", mean))


if __name__ == "__main__":
    main()
