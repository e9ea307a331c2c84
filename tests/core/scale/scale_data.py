"""Helpers of the out-of-core tests (data, the command line, reading an embed's output)."""

import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parents[3]
FEATURES = [f"f{j}" for j in range(5)]
N_FILES, ROWS_PER_FILE = 4, 1500
#: Partition size for the tests: ~12 KB of features, several partitions per file.
BLOCK = 12_000
FIT_PARAMS = {"n_training_epochs": 3, "n_neighbors": 10}


def make_table(start: int, n: int, seed: int) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    blob = rng.integers(0, 2, n)
    X = rng.normal(size=(n, len(FEATURES))).astype(np.float32) + 4 * blob[:, None]
    frame = pd.DataFrame(X, columns=FEATURES)
    frame["id"] = np.arange(start, start + n, dtype=np.int64)
    frame["label"] = np.where(blob == 1, "b", "a")
    return frame



def run_cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    """``python -m pumap_core ARGS`` in the repository, its output captured as text."""
    return subprocess.run([sys.executable, "-m", "pumap_core", *map(str, args)], cwd=ROOT,
                          capture_output=True, text=True, timeout=600, check=False,
                          env={**os.environ, **(env or {})})


def read_parts(folder: Path) -> list[pd.DataFrame]:
    """The parts of an embed's output, in part order."""
    parts = sorted(folder.glob("part.*.parquet"), key=lambda p: int(p.name.split(".")[1]))
    return [pd.read_parquet(p) for p in parts]


def extent(coords: np.ndarray) -> float:
    return float(np.ptp(coords, axis=0).max())
