"""Load the MNIST test set from ../shared/data (the benchmark split: 8,000 train, 2,000 unseen)."""

from __future__ import annotations

import gzip
from pathlib import Path

import numpy as np

DATA = Path(__file__).resolve().parents[2] / "shared" / "data" / "mnist-t10k"


def load_mnist(data_dir: Path = DATA) -> tuple[np.ndarray, np.ndarray]:
    """Images as float32 rows in [0, 1] (10000, 784) and labels (10000,)."""
    with gzip.open(data_dir / "t10k-images-idx3-ubyte.gz") as f:
        images = np.frombuffer(f.read(), np.uint8, offset=16).reshape(-1, 784)
    with gzip.open(data_dir / "t10k-labels-idx1-ubyte.gz") as f:
        labels = np.frombuffer(f.read(), np.uint8, offset=8)
    return images.astype(np.float32) / 255.0, labels.astype(np.int64)


def split(X: np.ndarray, y: np.ndarray, n_train: int = 8000):
    return X[:n_train], y[:n_train], X[n_train:], y[n_train:]
