"""What resumable training costs (issue 12): the same fit without a checkpoint, with the default
one (every 10 s), and writing one after every epoch (the worst case), side by side; then a fit
stopped halfway and resumed from its checkpoint, against the uninterrupted one, on quality.

    python benchmarks/bench_checkpoint.py [--data digits|mnist] [--epochs N]

``mnist`` reads ../shared/data (the MNIST test set: 10,000 × 784); ``digits`` is scikit-learn's.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))


def load(name: str) -> tuple[np.ndarray, np.ndarray]:
    if name == "mnist":
        sys.path.insert(0, str(REPO / "benchmarks"))
        from mnist import load_mnist  # the MNIST benchmark's reader of ../shared/data

        X, y = load_mnist()
        return X.astype(np.float32), y
    from sklearn.datasets import load_digits

    digits = load_digits()
    return digits.data.astype(np.float32), digits.target


def fit(X, epochs, checkpoint=None, every=None, stop_at=None):
    from pumap_core import ParametricUMAP
    from pumap_core.training import checkpoint as ck

    if every is not None:
        os.environ[ck.EVERY_ENV] = str(every)
    est = ParametricUMAP(n_training_epochs=epochs, random_state=0)
    if stop_at is not None:
        est.add_listener(lambda e: getattr(e, "epoch", 0) == stop_at and est.cancel())
    t0 = time.perf_counter()
    est.fit(X, checkpoint=checkpoint)
    os.environ.pop(ck.EVERY_ENV, None)
    return est, time.perf_counter() - t0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", default="digits", choices=["digits", "mnist"])
    parser.add_argument("--epochs", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3, help="best of this many timings")
    args = parser.parse_args()
    from pumap_core.metrics import knn_accuracy, trustworthiness

    X, y = load(args.data)
    fit(X[:200], 2)  # warm up TensorFlow and XLA once, outside the timings
    folder = Path(tempfile.mkdtemp(prefix="pumap-ck-"))
    def best(**kw):
        runs = [fit(X, args.epochs, **kw) for _ in range(args.repeat)]
        return runs[0][0], min(t for _, t in runs)

    plain, t_plain = best()
    _, t_default = best(checkpoint=folder / "a.npz")
    _, t_every = best(checkpoint=folder / "b.npz", every=0)
    half = args.epochs // 2
    fit(X, args.epochs, folder / "c.npz", every=0, stop_at=half)
    size = (folder / "c.npz").stat().st_size
    resumed, t_rest = fit(X, args.epochs, folder / "c.npz")
    print(f"{args.data}: {len(X):,} × {X.shape[1]}, {args.epochs} epochs, best of "
          f"{args.repeat}")
    print(f"{'fit':<36}{'seconds':>9}{'× plain':>9}")
    for label, t in (("no checkpoint", t_plain), ("checkpoint every 10 s (default)", t_default),
                     ("checkpoint after every epoch", t_every)):
        print(f"{label:<36}{t:>9.1f}{t / t_plain:>9.2f}")
    print(f"{'resume the second half':<36}{t_rest:>9.1f}{t_rest / t_plain:>9.2f}")
    print(f"checkpoint file: {size / 1e6:.2f} MB (removed when a fit completes: "
          f"{not (folder / 'b.npz').exists() and not (folder / 'c.npz').exists()})")
    for label, est in (("uninterrupted", plain), ("stopped at half, resumed", resumed)):
        emb = est.transform(X)
        print(f"{label:<28} trustworthiness {trustworthiness(X, emb):.3f}  "
              f"5-NN {knn_accuracy(emb, y):.3f}  epochs {len(est.history_['loss'])}")


if __name__ == "__main__":
    main()
