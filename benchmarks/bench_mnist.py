"""MNIST benchmark: pumap_core against umap-learn's UMAP and ParametricUMAP, in one run.

Data: ../shared/data/mnist-t10k; the first 8,000 images train, the last 2,000 are unseen.
Each method runs in its own subprocess so that its peak memory (ru_maxrss) is its own.

    python benchmarks/bench_mnist.py                      # ours + both references
    python benchmarks/bench_mnist.py --methods ours       # ours only
    python benchmarks/bench_mnist.py --sweep              # ours at several settings

Figures: fit seconds, transform seconds (2,000 unseen), 5-NN accuracy (classifier fitted on
the training embedding, scored on the unseen embedding), trustworthiness (k=10, first 2,000
training points), peak resident memory.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE.parent))
sys.path.insert(0, str(HERE))

SWEEP = [  # (label, ParametricUMAP keyword arguments)
    ("ours, 50 epochs", {"n_training_epochs": 50}),
    ("ours, 100 epochs", {"n_training_epochs": 100}),
    ("ours, default", {}),
    ("ours, 300 epochs", {"n_training_epochs": 300}),
]


def measure(method: str, params: dict) -> dict:
    """Fit one method and return its figures (runs inside the child process)."""
    import numpy as np
    from sklearn.manifold import trustworthiness
    from sklearn.neighbors import KNeighborsClassifier

    from mnist import load_mnist, split

    X, y = load_mnist()
    Xtr, ytr, Xte, yte = split(X, y)
    if method == "ours":
        from pumap_core import ParametricUMAP

        est = ParametricUMAP(random_state=params.pop("random_state", 0), **params)
    elif method == "umap":
        from umap import UMAP

        est = UMAP(**params)
    elif method == "umap-parametric":
        from umap.parametric_umap import ParametricUMAP as Reference

        est = Reference(**params)
    else:
        raise SystemExit(f"unknown method {method}")
    t0 = time.perf_counter()
    emb = np.asarray(est.fit_transform(Xtr))
    fit_s = time.perf_counter() - t0
    est.transform(Xte[:10])  # first-call overhead is not part of the steady-state figure
    t0 = time.perf_counter()
    unseen = np.asarray(est.transform(Xte))
    transform_s = time.perf_counter() - t0
    acc = KNeighborsClassifier(5).fit(emb, ytr).score(unseen, yte)
    trust = trustworthiness(Xtr[:2000], emb[:2000], n_neighbors=10)
    return {"fit_s": fit_s, "transform_s": transform_s, "knn5": acc, "trust": trust,
            "peak_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024}


def run_child(method: str, params: dict) -> dict | None:
    cmd = [sys.executable, __file__, "--child", method, json.dumps(params)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        print(f"  {method} failed:\n{proc.stderr[-2000:]}", file=sys.stderr)
        return None
    return json.loads(lines[-1])


def available(module: str) -> bool:
    import importlib.util

    return importlib.util.find_spec(module) is not None


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--methods", default="ours,umap,umap-parametric")
    ap.add_argument("--sweep", action="store_true", help="ours at several settings")
    ap.add_argument("--child", nargs=2, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(measure(args.child[0], json.loads(args.child[1]))), flush=True)
        return

    import keras

    runs: list[tuple[str, str, dict]] = []
    for method in args.methods.split(","):
        if method == "ours":
            runs += [(label, "ours", p) for label, p in (SWEEP if args.sweep else SWEEP[2:3])]
        elif available("umap"):
            runs.append((method, method, {}))
        else:
            print(f"(umap-learn not installed: {method} skipped)")
    print(f"keras {keras.__version__} backend={os.environ.get('KERAS_BACKEND', 'tensorflow')}, "
          f"{os.cpu_count()} CPUs")
    results = {}
    for label, method, params in runs:
        print(f"running {label} ...", flush=True)
        results[label] = run_child(method, dict(params))
    ref = results.get("umap-parametric")
    head = f"{'method':<22}{'fit s':>9}{'transform s':>13}{'5-NN':>8}{'trust':>8}{'peak MB':>9}"
    print("\n" + head + ("   fit speed-up vs umap-learn ParametricUMAP" if ref else ""))
    for label, r in results.items():
        if r is None:
            print(f"{label:<22} failed")
            continue
        line = (f"{label:<22}{r['fit_s']:9.1f}{r['transform_s']:13.3f}{r['knn5']:8.4f}"
                f"{r['trust']:8.4f}{r['peak_mb']:9.0f}")
        if ref:
            line += f"   {ref['fit_s'] / r['fit_s']:.1f}x"
        print(line)


if __name__ == "__main__":
    main()
