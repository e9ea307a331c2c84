"""Reconstruction, global structure and landmarks (issue 5): the issue's bars, side by side.

Data: ../shared/data/mnist-t10k; the first 8,000 images train, the last 2,000 are unseen.
Each fit runs in its own subprocess.

    python benchmarks/bench_reconstruction.py              # every part, umap-learn included
    python benchmarks/bench_reconstruction.py --quick      # 50 epochs, no umap-learn
    python benchmarks/bench_reconstruction.py --parts landmarks --seed 1

(a) reconstruction: mean squared error (pixels in [0, 1]) of the 2,000 unseen images through
    encoder -> decoder (``inverse_transform(transform(X))``), parametric_reconstruction=True with
    and without autoencoder_loss, next to PCA with 2 components fitted on the training images.
(b) global structure: Pearson correlation of data and embedding distances over 20,000 random
    pairs (pumap_core.metrics.distance_correlation), default vs global_correlation_loss_weight=1;
    trustworthiness and 5-NN of unseen points show what it costs locally.
(c) landmarks: fit on the first 4,000 training images, then fit on all 8,000 with the first
    4,000 as landmarks at their positions from the first fit (NaN rows for the others); mean
    distance each old point moved, as % of the old map's extent (its bounding box's larger
    side), for pumap_core and umap-learn's ParametricUMAP doing the same; trust / 5-NN of the
    first map (4,000 rows) and of the re-trained one (8,000 rows), unseen 5-NN on the 2,000.
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

RUNS = {  # name: (part, ParametricUMAP keyword arguments)
    "default": ("global", {}),
    "global_corr_1": ("global", {"global_correlation_loss_weight": 1.0}),
    "reconstruction": ("reconstruction", {"parametric_reconstruction": True}),
    "reconstruction+autoencoder": ("reconstruction", {"parametric_reconstruction": True,
                                                      "autoencoder_loss": True}),
    "landmarks": ("landmarks", {}),
    "umap-learn landmarks": ("landmarks", {}),
}


def _scores(est, Xtr, ytr, Xte, yte, emb) -> dict:
    from sklearn.neighbors import KNeighborsClassifier

    from pumap_core.metrics import distance_correlation, trustworthiness

    unseen = est.transform(Xte)
    return {"trust": trustworthiness(Xtr, emb, n_neighbors=10),
            "knn5": KNeighborsClassifier(5).fit(emb, ytr).score(unseen, yte),
            "dcorr": distance_correlation(Xtr, emb),
            "dcorr_unseen": distance_correlation(Xte, unseen)}


def _movement(old, new) -> dict:
    import numpy as np

    if not np.isfinite(new).all():
        return {"nan": True}
    extent = float(np.ptp(old, axis=0).max())
    step = np.linalg.norm(new - old, axis=1)
    return {"move_mean_pct": 100 * float(step.mean()) / extent,
            "move_median_pct": 100 * float(np.median(step)) / extent,
            "move_p95_pct": 100 * float(np.percentile(step, 95)) / extent, "extent": extent}


def measure(name: str, seed: int, params: dict) -> dict:
    """One run of RUNS (inside the child process)."""
    import numpy as np

    from mnist import load_mnist, split

    X, y = load_mnist()
    Xtr, ytr, Xte, yte = split(X, y)
    t0 = time.perf_counter()
    if name == "umap-learn landmarks":
        return _umap_learn_landmarks(Xtr, ytr, Xte, yte, seed, params)
    from pumap_core import ParametricUMAP

    est = ParametricUMAP(random_state=seed, **params)
    if name == "landmarks":
        half = len(Xtr) // 2
        old = est.fit_transform(Xtr[:half])
        first_s = time.perf_counter() - t0
        first = _scores(est, Xtr[:half], ytr[:half], Xte, yte, old)
        positions = np.full((len(Xtr), old.shape[1]), np.nan, np.float32)
        positions[:half] = old
        est.fit(Xtr, landmark_positions=positions)
        out = {"fit_s": time.perf_counter() - t0, "first_fit_s": first_s,
               "knn5_first": first["knn5"], "trust_first": first["trust"],
               **_movement(old, est.transform(Xtr[:half]))}
        return {**out, **_scores(est, Xtr, ytr, Xte, yte, est.embedding_)}
    emb = est.fit_transform(Xtr)
    out = {"fit_s": time.perf_counter() - t0, **_scores(est, Xtr, ytr, Xte, yte, emb)}
    if params.get("parametric_reconstruction"):
        out["mse_unseen"] = float(np.mean((est.inverse_transform(est.transform(Xte)) - Xte) ** 2))
        out["mse_train"] = float(np.mean((est.inverse_transform(emb) - Xtr) ** 2))
    return out


def _umap_learn_landmarks(Xtr, ytr, Xte, yte, seed, params) -> dict:
    """umap-learn's ParametricUMAP, landmark re-training as in its tutorial."""
    import numpy as np
    from umap.parametric_umap import ParametricUMAP as Reference

    t0 = time.perf_counter()
    half = len(Xtr) // 2
    est = Reference(random_state=seed, **params)
    old = np.asarray(est.fit_transform(Xtr[:half]))
    first_s = time.perf_counter() - t0
    first = _scores(est, Xtr[:half], ytr[:half], Xte, yte, old)
    positions = np.full((len(Xtr), old.shape[1]), np.nan, np.float32)
    positions[:half] = old
    try:
        est.fit(Xtr, landmark_positions=positions)
    except Exception as exc:  # report, do not hide: this path is what #1180 is about
        return {"error": f"{type(exc).__name__}: {str(exc).splitlines()[0][:200]}",
                "first_fit_s": first_s}
    new = np.asarray(est.transform(Xtr[:half]))
    out = {"fit_s": time.perf_counter() - t0, "first_fit_s": first_s,
           "knn5_first": first["knn5"], "trust_first": first["trust"], **_movement(old, new)}
    emb = np.asarray(est.transform(Xtr))
    if np.isfinite(emb).all():
        out.update(_scores(est, Xtr, ytr, Xte, yte, emb))
    return out


def run_child(name: str, seed: int, params: dict) -> dict:
    cmd = [sys.executable, __file__, "--child", name, str(seed), json.dumps(params)]
    env = dict(os.environ, TF_CPP_MIN_LOG_LEVEL="3")
    proc = subprocess.run(cmd, capture_output=True, text=True, env=env)
    lines = [ln for ln in proc.stdout.splitlines() if ln.startswith("{")]
    if proc.returncode != 0 or not lines:
        tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"crashed: {tail[:300]}"}
    return json.loads(lines[-1])


def pca_mse() -> dict:
    import numpy as np
    from sklearn.decomposition import PCA

    from mnist import load_mnist, split

    Xtr, _, Xte, _ = split(*load_mnist())
    pca = PCA(2).fit(Xtr)
    rec = pca.inverse_transform(pca.transform(Xte))
    return {"mse_unseen": float(np.mean((rec - Xte) ** 2)),
            "mse_train": float(np.mean((pca.inverse_transform(pca.transform(Xtr)) - Xtr) ** 2))}


def _fmt(r: dict, key: str, spec: str) -> str:
    return format(r[key], spec) if key in r else "-"


def report(results: dict) -> None:
    def line(label, r, cols):
        if "error" in r:
            return f"{label:<30}error: {r['error']}"
        if r.get("nan"):
            return f"{label:<30}NaN in the re-trained map"
        return f"{label:<30}" + "".join(f"{_fmt(r, k, s):>{w}}" for k, s, w in cols)

    part = {name: RUNS[name][0] if name in RUNS else "reconstruction" for name in results}
    cols = [("mse_unseen", ".4f", 12), ("mse_train", ".4f", 11), ("trust", ".4f", 8),
            ("knn5", ".4f", 7), ("fit_s", ".1f", 8)]
    if "reconstruction" in part.values():
        print("\n(a) reconstruction MSE, 2,000 unseen MNIST images through encoder -> decoder")
        print(f"{'':<30}{'MSE unseen':>12}{'MSE train':>11}{'trust':>8}{'5-NN':>7}{'fit s':>8}")
    for name, r in results.items():
        if part[name] == "reconstruction":
            print(line(name, r, cols))
    cols = [("dcorr", ".3f", 11), ("dcorr_unseen", ".3f", 14), ("trust", ".4f", 8),
            ("knn5", ".4f", 7), ("fit_s", ".1f", 8)]
    if "global" in part.values():
        print("\n(b) global structure: Pearson r of data vs embedding distances (20,000 pairs)")
        print(f"{'':<30}{'r train':>11}{'r unseen':>14}{'trust':>8}{'5-NN':>7}{'fit s':>8}")
    for name, r in results.items():
        if part[name] == "global":
            print(line(name, r, cols))
    cols = [("move_mean_pct", ".2f", 11), ("move_median_pct", ".2f", 10),
            ("move_p95_pct", ".2f", 8), ("trust_first", ".4f", 11), ("knn5_first", ".4f", 10),
            ("trust", ".4f", 8), ("knn5", ".4f", 7), ("first_fit_s", ".1f", 9),
            ("fit_s", ".1f", 8)]
    if "landmarks" in part.values():
        print("\n(c) landmarks: movement of the 4,000 old points, % of the old map's extent")
        print(f"{'':<30}{'mean %':>11}{'median %':>10}{'p95 %':>8}{'trust 1st':>11}"
              f"{'5-NN 1st':>10}{'trust':>8}{'5-NN':>7}{'1st s':>9}{'total s':>8}")
    for name, r in results.items():
        if part[name] == "landmarks":
            print(line(name, r, cols))


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawTextHelpFormatter)
    ap.add_argument("--parts", default="reconstruction,global,landmarks")
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="50 epochs, no umap-learn")
    ap.add_argument("--no-umap-learn", action="store_true")
    ap.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        name, seed, params = args.child
        print(json.dumps(measure(name, int(seed), json.loads(params))), flush=True)
        return

    parts = args.parts.split(",")
    extra = {"n_training_epochs": 50} if args.quick else {}
    print(f"MNIST 8,000 train / 2,000 unseen, seed {args.seed}, "
          f"{'50 epochs' if args.quick else 'default epochs'}, {os.cpu_count()} CPUs", flush=True)
    results: dict[str, dict] = {}
    if "reconstruction" in parts:
        results["PCA, 2 components"] = pca_mse()
    for name, (part, params) in RUNS.items():
        if part not in parts:
            continue
        if name.startswith("umap-learn"):
            if args.quick or args.no_umap_learn:
                continue
            run_params = dict(params)
        else:
            run_params = {**params, **extra}
        print(f"running {name} ...", flush=True)
        results[name] = run_child(name, args.seed, run_params)
        print("  " + json.dumps(results[name]), flush=True)
    report(results)


if __name__ == "__main__":
    main()
