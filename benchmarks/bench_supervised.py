"""Labels that guide the map (issue 16, part 1): supervised and semi-supervised fits on MNIST.

    python benchmarks/bench_supervised.py [--epochs N] [--no-umap]

MNIST test set from ../shared/data, the benchmark split (8,000 train, 2,000 unseen). For each
setting, ours (``ParametricUMAP(...).fit(X, y)``) and umap-learn's non-parametric UMAP with the
same ``y`` (its ``transform`` places the unseen points) in the same run: 5-NN accuracy of the
unseen points (a 5-NN classifier fitted on the training map, labels of all training points)
and trustworthiness of the unseen points' map (k = 10), and the fit time.

Settings: no labels; all labels; 10 % of the labels (the rest -1, semi-supervised). Bars: with
all labels 5-NN ≥ 0.96; with 90 % hidden 5-NN ≥ 0.94 and trustworthiness ≥ 0.94.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "benchmarks"))


def _labels(y: np.ndarray, setting: str) -> np.ndarray | None:
    if setting == "none":
        return None
    if setting == "all":
        return y
    hidden = y.copy()
    hidden[np.random.default_rng(0).random(len(y)) >= 0.1] = -1
    return hidden


def _scores(train_map, y_train, X_test, test_map, y_test):
    from sklearn.neighbors import KNeighborsClassifier

    from pumap_core.metrics import trustworthiness

    knn = KNeighborsClassifier(5).fit(train_map, y_train).score(test_map, y_test)
    return knn, trustworthiness(X_test, test_map, n_neighbors=10)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None)
    parser.add_argument("--no-umap", action="store_true", help="skip umap-learn's UMAP")
    args = parser.parse_args()

    from mnist import load_mnist, split

    from pumap_core import ParametricUMAP

    Xtr, ytr, Xte, yte = split(*load_mnist())
    rows = []
    for setting in ("none", "all", "10%"):
        labels = _labels(ytr, setting)
        t0 = time.perf_counter()
        est = ParametricUMAP(random_state=0, n_training_epochs=args.epochs).fit(Xtr, labels)
        ours_s = time.perf_counter() - t0
        ours = _scores(est.embedding_, ytr, Xte, est.transform(Xte), yte)
        line = [setting, ours_s, *ours]
        if not args.no_umap:
            import umap

            t0 = time.perf_counter()
            ref = umap.UMAP(random_state=0).fit(Xtr, labels)
            ref_s = time.perf_counter() - t0
            line += [ref_s, *_scores(ref.embedding_, ytr, Xte, ref.transform(Xte), yte)]
        rows.append(line)
        print(*[f"{v:.3f}" if isinstance(v, float) else v for v in line], flush=True)
    print("\n| labels | ours: fit s | 5-NN unseen | trust. unseen | UMAP: fit s | 5-NN unseen "
          "| trust. unseen |")
    print("| --- | ---: | ---: | ---: | ---: | ---: | ---: |")
    for line in rows:
        cells = [f"{v:.1f}" if i in (1, 4) else f"{v:.3f}" for i, v in enumerate(line) if i]
        print(f"| {line[0]} | " + " | ".join(cells + ["–"] * (6 - len(cells))) + " |")


if __name__ == "__main__":
    main()
