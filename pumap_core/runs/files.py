"""The files of a run folder besides ``run.json``, their names and their reading and writing.

Layout of a run folder::

    model/           the model folder written by ParametricUMAP.save (not for generated maps)
    features.npy     the training rows X, float32 (trained runs; to continue training)
    run.json         the record of the run (:mod:`.record`)
    points.parquet   the points table (:mod:`.points`): x, y, c2..., label, the data's columns
    thumbnails.npy   uint8 stack (n, cell, cell[, 3]) of pumap_core.thumbnails, memory-mapped
                     on load; runs written before it have thumbnails.zip ("{i}.png"), still read
    snapshots.npz    the map of a sample of the points as it trained (epochs, positions, rows:
                     pumap_core.training.snapshots); trained runs with snapshots only
"""

from __future__ import annotations

import logging
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import InvalidDataError, ModelFileError, one_line
from ..thumbnails import Thumbnails, cell_for
from .points import points_frame

if TYPE_CHECKING:
    from ..data.dataset import Dataset
    from ..training.snapshots import TrainingSnapshots

log = logging.getLogger("pumap_core")

RUN_JSON, POINTS, THUMBNAILS, MODEL = "run.json", "points.parquet", "thumbnails.npy", "model"
#: The rows of X a model was trained on (float32, n × d): what continued training needs to keep
#: the old points as landmarks. Trained runs only; runs written before it lack it.
FEATURES = "features.npy"
#: Thumbnails of runs written before the .npy stack: one PNG per item, "{i}.png". Still read.
LEGACY_THUMBNAILS = "thumbnails.zip"
#: The training's snapshots of the map (:class:`~pumap_core.training.snapshots.TrainingSnapshots`).
#: Runs written before them, or trained with ``snapshots=False``, lack it.
SNAPSHOTS = "snapshots.npz"
#: Every file a run folder may hold besides the model folder's.
RUN_FILES = (RUN_JSON, POINTS, THUMBNAILS, LEGACY_THUMBNAILS, FEATURES, SNAPSHOTS)


def write_points(frame: pd.DataFrame, path: Path) -> None:
    """Write a table to a Parquet file; object columns that mix numbers and words become text.

    Also writes a dataset's metadata table (:mod:`pumap_core.data.store`). A mixed column
    comes back as pandas' text dtype (``str``, gaps as NaN), like any other text column.
    """
    try:
        frame.to_parquet(path, index=False)
    except (TypeError, ValueError):  # pyarrow refuses text columns that mix numbers and words
        mixed = [c for c, dtype in frame.dtypes.items() if dtype == object]
        frame = frame.astype({c: "str" for c in mixed})
        frame.to_parquet(path, index=False)


def read_points(path: Path, where: str) -> pd.DataFrame:
    """Read a table written by :func:`write_points`; ``where`` names its folder in messages.

    Raises
    ------
    ModelFileError
        The file is missing, or is not a Parquet file pandas can read (damaged, truncated).
    """
    if not path.is_file():
        raise ModelFileError(f"{path.name} is missing from {where}; it is incomplete.")
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds of errors on damaged files
        # Its text ("Could not open Parquet input source...") goes to the log, not to the user.
        log.info("pyarrow could not read %s: %s", path, one_line(exc))
        raise ModelFileError(f"{path.name} in {where} is damaged: it is not a readable "
                             "Parquet file.") from None


def check_embedding(embedding: Any, dataset: "Dataset", advice: str) -> np.ndarray:
    """The map's coordinates as float32 (n_items, n_components ≥ 2), checked against the data.

    Raises
    ------
    InvalidDataError
        Not 2-D with two columns or more, not one row per item (``advice`` says what to do),
        or not finite.
    """
    embedding = np.asarray(embedding, dtype=np.float32)
    if embedding.ndim != 2 or embedding.shape[1] < 2:
        raise InvalidDataError(f"A map needs an (items, 2) array of coordinates; got shape "
                               f"{embedding.shape}.")
    if len(embedding) != dataset.n_items:
        raise InvalidDataError(f"The map has {len(embedding)} points but {dataset.name!r} has "
                               f"{dataset.n_items} items; {advice}.")
    if not np.isfinite(embedding).all():
        raise InvalidDataError("The map's coordinates contain NaN or infinite values.")
    return embedding


def write_data(folder: Path, embedding: np.ndarray, dataset: "Dataset") -> None:
    """Write ``points.parquet`` and, for data with thumbnails, ``thumbnails.npy``."""
    frame = points_frame(embedding, dataset.table, dataset.labels, dataset.label_name)
    write_points(frame, folder / POINTS)
    if dataset.thumbnails is not None:
        dataset.thumbnails.save(folder / THUMBNAILS)


def write_features(folder: Path, dataset: "Dataset") -> None:
    """Write ``features.npy``: the dataset's X (float32, shape (n_items, n_features))."""
    np.save(folder / FEATURES, np.ascontiguousarray(dataset.X, dtype=np.float32),
            allow_pickle=False)


def read_features(folder: Path, n: int, d: int | None, where: str) -> np.ndarray | None:
    """The run's training rows, memory-mapped (float32, shape (n, d)), or None without the file.

    Raises
    ------
    ModelFileError
        The file is damaged or does not hold one row of ``d`` features per point.
    """
    path = folder / FEATURES
    if not path.is_file():
        return None
    try:
        X = np.load(path, mmap_mode="r", allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:
        raise ModelFileError(f"{FEATURES} in {where} is damaged ({one_line(exc)}).") from None
    if X.dtype != np.float32 or X.ndim != 2 or len(X) != n or (d is not None and X.shape[1] != d):
        raise ModelFileError(f"{FEATURES} in {where} holds an array of shape {X.shape} "
                             f"({X.dtype}) for {n} points; the run is inconsistent.")
    return X


def write_snapshots(folder: Path, snapshots: "TrainingSnapshots | None", n: int) -> None:
    """Write ``snapshots.npz`` (the sampled rows below ``n``, the run's points), if any."""
    if snapshots is not None and len(snapshots):
        snapshots.within(n).save(folder / SNAPSHOTS)


def read_snapshots(folder: Path, n: int, where: str) -> "TrainingSnapshots | None":
    """The run's snapshots of its training, or None when it has none.

    Raises
    ------
    ModelFileError
        The file is damaged, or its rows are not points of the run.
    """
    from ..training.snapshots import TrainingSnapshots

    path = folder / SNAPSHOTS
    if not path.is_file():
        return None
    try:
        snapshots = TrainingSnapshots.load(path)
    except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
        raise ModelFileError(f"{SNAPSHOTS} in {where} is damaged ({one_line(exc)}).") from None
    if len(snapshots.rows) and (snapshots.rows.min() < 0 or snapshots.rows.max() >= n):
        raise ModelFileError(f"{SNAPSHOTS} in {where} names rows beyond its {n} points; the "
                             "run is inconsistent.")
    return snapshots


def read_thumbnails(folder: Path, n: int, where: str) -> Thumbnails | None:
    """The run's thumbnails (memory-mapped), converted from a legacy zip if need be, or None.

    Raises
    ------
    ModelFileError
        The file is damaged or does not hold one thumbnail per point.
    """
    if (folder / THUMBNAILS).is_file():
        thumbnails = Thumbnails.load(folder / THUMBNAILS, mmap=True, where=where)
        found = THUMBNAILS
    elif (folder / LEGACY_THUMBNAILS).is_file():
        thumbnails = _read_legacy(folder / LEGACY_THUMBNAILS, n, where)
        found = LEGACY_THUMBNAILS
    else:
        return None
    if len(thumbnails) != n:
        raise ModelFileError(f"{found} in {where} has {len(thumbnails)} thumbnails for {n} "
                             "points; the run is inconsistent.")
    return thumbnails


def _read_legacy(path: Path, n: int, where: str) -> Thumbnails:
    """One PNG per item, "{i}.png", as older runs saved them; stacked, not rewritten."""
    try:
        with zipfile.ZipFile(path) as zf:
            return Thumbnails.from_pngs([zf.read(f"{i}.png") for i in range(n)], cell_for(n))
    except (zipfile.BadZipFile, KeyError, OSError, ValueError, EOFError) as exc:
        raise ModelFileError(f"{LEGACY_THUMBNAILS} in {where} is damaged "
                             f"({one_line(exc).rstrip('.')}).") from None
