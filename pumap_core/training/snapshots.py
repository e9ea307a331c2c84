"""Snapshots of the map while it trains: a fixed sample of the rows, embedded every few epochs.

A fit with ``snapshots`` on (the default) embeds the same random sample of at most
:data:`SAMPLE_ROWS` rows with the current network once before UMAP training (the warm start,
epoch 0), then every :func:`snapshot_every` epochs, and once more at the end: about
``count + 2`` pictures of the map that show the spectral warm start, then the UMAP loss pulling
neighbours together and pushing the rest apart. A transform of 2,000 rows takes milliseconds,
so the cost is a few % of the fit (measured in benchmarks/RESULTS.md).

This module holds the data and the plan (importable without Keras: run folders read it); the
Keras callback that takes them is in :mod:`.trainer`.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import numpy as np

#: Rows in the sample (all rows of smaller data).
SAMPLE_ROWS = 2000
#: Snapshots taken over a fit with ``snapshots=True`` (besides the warm start and the end).
DEFAULT_COUNT = 40


@dataclass(frozen=True, eq=False)
class TrainingSnapshots:
    """The map of a sample of the training rows at several epochs.

    Attributes
    ----------
    epochs : int32 array of shape (n_snapshots,), increasing; 0 is the map before UMAP
        training (the warm start), a resumed fit starts at the epoch it resumed from
    positions : float32 array of shape (n_snapshots, n_sample, n_components)
    rows : int64 array of shape (n_sample,), the sampled rows of the training data, sorted
    """

    epochs: np.ndarray
    positions: np.ndarray
    rows: np.ndarray

    def __len__(self) -> int:
        return len(self.epochs)

    def save(self, path: str | os.PathLike) -> None:
        """Write the three arrays to an ``.npz`` file (no pickles)."""
        np.savez_compressed(path, epochs=self.epochs, positions=self.positions, rows=self.rows)

    @classmethod
    def load(cls, path: str | os.PathLike) -> "TrainingSnapshots":
        """Read a file written by :meth:`save`.

        Raises
        ------
        ValueError
            The file is not such a file, or its arrays do not agree in shape.
        OSError
            It cannot be read.
        """
        with np.load(Path(path), allow_pickle=False) as data:
            return cls.checked(data["epochs"], data["positions"], data["rows"])

    @classmethod
    def checked(cls, epochs: np.ndarray, positions: np.ndarray,
                rows: np.ndarray) -> "TrainingSnapshots":
        """The arrays as the attributes' dtypes, after checking that their shapes agree."""
        epochs = np.asarray(epochs).astype(np.int32)
        positions = np.asarray(positions, dtype=np.float32)
        rows = np.asarray(rows).astype(np.int64)
        if (epochs.ndim != 1 or positions.ndim != 3 or rows.ndim != 1
                or positions.shape[:2] != (len(epochs), len(rows))):
            raise ValueError(f"snapshot arrays of shapes {epochs.shape}, {positions.shape} and "
                             f"{rows.shape} do not agree")
        return cls(epochs=epochs, positions=positions, rows=rows)

    def within(self, n_rows: int) -> "TrainingSnapshots":
        """Only the sampled rows below ``n_rows`` (a fit with landmarks trains on more rows
        than its data: the landmarks' rows come after them)."""
        keep = self.rows < n_rows
        if keep.all():
            return self
        return TrainingSnapshots(self.epochs, self.positions[:, keep], self.rows[keep])


def sample_rows(n_rows: int, seed: int, limit: int | None = None) -> np.ndarray:
    """The rows a fit takes its snapshots of: all of them, or ``limit`` (default
    :data:`SAMPLE_ROWS`) drawn with ``seed`` (sorted int64)."""
    limit = SAMPLE_ROWS if limit is None else limit
    if n_rows <= limit:
        return np.arange(n_rows, dtype=np.int64)
    rows = np.random.default_rng(seed).choice(n_rows, size=limit, replace=False)
    return np.sort(rows).astype(np.int64)


def snapshot_every(n_epochs: int, count: int) -> int:
    """Epochs between snapshots, so that about ``count`` are taken over ``n_epochs``."""
    return max(1, round(n_epochs / max(1, count)))


def snapshot_count(setting: bool | int) -> int:
    """The ``snapshots`` parameter as a count: True → :data:`DEFAULT_COUNT`, False → 0."""
    if setting is True:
        return DEFAULT_COUNT
    return int(setting)
