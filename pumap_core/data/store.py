"""The workspace's datasets: each loaded or uploaded :class:`Dataset` kept once on disk and
found again by its id, by the app after a reload and by training workers.

Datasets live next to the runs, in ``<root>/datasets/<dataset_id>/`` (runs are in
``<root>/runs/``, see :func:`pumap_core.runs.workspace_root`). Ids are made like run ids: the
time, a slug of the name, 4 random hex digits (``20261122-130501-digits-3f2a``), so they sort by
age. A dataset is written under a hidden temporary name and renamed into place: a crash never
leaves half a dataset, and a listing never shows one.

Layout of a dataset folder::

    dataset.json     schema_version (1), id, name, created, kind, label_name, image_shape,
                     feature_names, notes, recipe, n_items, n_features; labels: null, or
                     {"file": "labels.npy", "dtype": "str" | "int64" | "float64" | "bool"};
                     thumbnails: null, or "thumbnails.npy"
    X.npy            the features, float32, shape (n_items, n_features); memory-mapped on load
    table.parquet    the metadata table, one row per item, written as a run's points table
                     (object columns that mix numbers and words are stored as text)
    labels.npy       when labels exist, shape (n_items,): text as a fixed-width unicode array,
                     whole numbers as int64, values as float64 (never an object array)
    thumbnails.npy   when thumbnails exist: the uint8 stack of Thumbnails.save; memory-mapped

Every ``.npy`` file is read with ``allow_pickle=False``, after checking its magic bytes: a file
that holds pickled objects is refused, never unpickled.

>>> store = DatasetStore(tmp_path)                   # doctest: +SKIP
>>> info = store.save(load_demo("digits"))           # doctest: +SKIP
>>> store.load(info.id).X.shape                      # doctest: +SKIP
(1797, 64)
"""

from __future__ import annotations

import os
from collections.abc import Collection
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from ..errors import (DataTypeError, InvalidDataError, InvalidParameterError, ModelFileError,
                      ModelNotFoundError, PumapError, one_line)
from ..runs.files import read_points, write_points
from ..runs.record import (age_key, commit_folder, created_from_id, folder_path, json_ready,
                           new_run_id, parse_versioned, record_folders, remove_folder,
                           workspace_root)
from ..thumbnails import Thumbnails
from .dataset import Dataset, DatasetKind

SCHEMA_VERSION = 1
DATASETS = "datasets"
DATASET_JSON, FEATURES, TABLE, LABELS, THUMBNAILS = (
    "dataset.json", "X.npy", "table.parquet", "labels.npy", "thumbnails.npy")
#: How labels are stored, by the ``dtype`` that ``dataset.json`` names: the dtype kind on load.
LABEL_DTYPES = {"str": "U", "int64": "i", "float64": "f", "bool": "b"}


@dataclass(frozen=True)
class DatasetInfo:
    """What ``dataset.json`` says about a stored dataset (read without loading its arrays).

    Parameters
    ----------
    id : str, the folder name in ``datasets/``
    name : str, the dataset's name (the uploaded file or the demo)
    created : str, ISO time of the save (for a broken folder: from its id or its mtime)
    path : Path, the dataset folder
    kind : {"table", "images"} or None (None when broken)
    n_items, n_features : int or None, the shape of ``X`` (None when broken)
    label_name : str or None
    error : str or None, a one-line reason the folder cannot be used; None when fine
    """

    id: str
    name: str
    created: str
    path: Path
    kind: DatasetKind | None = None
    n_items: int | None = None
    n_features: int | None = None
    label_name: str | None = None
    error: str | None = None


class DatasetStore:
    """The datasets of a workspace: save, load, list, inspect and delete them by id.

    Parameters
    ----------
    root : str, Path or None
        The workspace folder (the same as :class:`pumap_core.runs.Workspace`'s); None means
        ``$PUMAP_WORKSPACE``, else ``./workspace``. Created on the first save.
    """

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        self.root = workspace_root(root)
        self.datasets_dir = self.root / DATASETS

    def __repr__(self) -> str:
        return f"DatasetStore({str(self.root)!r})"

    def save(self, dataset: Dataset) -> DatasetInfo:
        """Keep ``dataset`` under a fresh id; nothing appears in ``datasets/`` unless all of it
        was written.

        Raises
        ------
        DataTypeError
            ``dataset`` is not a :class:`Dataset`.
        InvalidDataError
            Its table cannot be written as Parquet (column names that are not text...).
        """
        if not isinstance(dataset, Dataset):
            raise DataTypeError(f"DatasetStore.save takes a Dataset, not "
                                f"{type(dataset).__name__}.")
        now = datetime.now().astimezone()
        labels = None if dataset.labels is None else stored_labels(dataset.labels)
        record = {
            "schema_version": SCHEMA_VERSION, "id": new_run_id(dataset.name, now),
            "name": dataset.name, "created": now.isoformat(timespec="milliseconds"),
            "kind": dataset.kind, "label_name": dataset.label_name,
            "image_shape": dataset.image_shape, "feature_names": list(dataset.feature_names),
            "notes": list(dataset.notes), "recipe": dataset.recipe,
            "n_items": dataset.n_items, "n_features": dataset.n_features,
            "labels": None if labels is None else {"file": LABELS, "dtype": labels.dtype.name
                                                   if labels.dtype.kind != "U" else "str"},
            "thumbnails": None if dataset.thumbnails is None else THUMBNAILS,
        }

        def write(tmp: Path) -> None:
            np.save(tmp / FEATURES, dataset.X, allow_pickle=False)
            try:
                write_points(dataset.table, tmp / TABLE)
            except (TypeError, ValueError) as exc:  # pyarrow's errors derive from these
                raise InvalidDataError(f"The table of {dataset.name!r} cannot be saved "
                                       f"({one_line(exc).rstrip('.')}).") from None
            if labels is not None:
                np.save(tmp / LABELS, labels, allow_pickle=False)
            if dataset.thumbnails is not None:
                dataset.thumbnails.save(tmp / THUMBNAILS)

        return self._commit(json_ready(record), write)

    def load(self, dataset_id: str) -> Dataset:
        """The stored dataset; ``X`` and the thumbnails are memory-mapped (read-only).

        Raises
        ------
        InvalidParameterError
            ``dataset_id`` is not an id, or names a link out of the workspace.
        ModelNotFoundError
            There is no such dataset, or a file it needs is missing.
        ModelFileError
            A file is damaged, holds pickled objects, or disagrees with ``dataset.json``.
        """
        path = self._existing(dataset_id)
        record = read_dataset_json(path)
        where = f"dataset {dataset_id}"
        n, d = record["n_items"], record["n_features"]
        X = _read_npy(_file(path, FEATURES), where, mmap=True)
        if X.dtype != np.float32 or X.shape != (n, d):
            raise ModelFileError(f"{FEATURES} in {where} holds an array of shape {X.shape} "
                                 f"({X.dtype}), not ({n}, {d}) float32; the dataset is "
                                 "inconsistent.")
        table = read_points(_file(path, TABLE), where)
        if table.shape == (0, 0):  # Parquet keeps no row count for a table without columns
            table = pd.DataFrame(index=pd.RangeIndex(n))
        labels = None
        if record["labels"] is not None:
            labels = _read_npy(_file(path, LABELS), where, mmap=False)
            if labels.ndim != 1 or labels.dtype.kind != LABEL_DTYPES[record["labels"]["dtype"]]:
                raise ModelFileError(f"{LABELS} in {where} holds {labels.dtype} of shape "
                                     f"{labels.shape}, not the {record['labels']['dtype']} "
                                     "labels dataset.json names.")
        thumbnails = None
        if record["thumbnails"] is not None:
            thumbnails = Thumbnails.load(_file(path, THUMBNAILS), mmap=True, where=where)
        image_shape = record["image_shape"]
        try:
            return Dataset(name=record["name"], X=X, table=table, labels=labels,
                           label_name=record["label_name"], kind=record["kind"],
                           image_shape=None if image_shape is None else tuple(image_shape),
                           thumbnails=thumbnails, feature_names=list(record["feature_names"]),
                           notes=list(record["notes"]), recipe=record["recipe"])
        except PumapError as exc:  # sizes that disagree, NaN in X...
            raise ModelFileError(f"The files of {where} do not make a valid dataset "
                                 f"({exc.user_message.rstrip('.')}).") from None

    def info(self, dataset_id: str) -> DatasetInfo:
        """What ``dataset.json`` says, after checking the files it names exist.

        Raises
        ------
        InvalidParameterError, ModelNotFoundError, ModelFileError
            As :meth:`load` (the arrays themselves are not read).
        """
        return self._info(self._existing(dataset_id))

    def list(self) -> list[DatasetInfo]:
        """Every dataset, newest first; a broken folder appears with its ``error`` set."""
        infos = []
        for path in record_folders(self.datasets_dir):
            try:
                infos.append(self._info(path))
            except (PumapError, OSError) as exc:
                infos.append(DatasetInfo(id=path.name, name=path.name, path=path,
                                         created=created_from_id(path),
                                         error=getattr(exc, "user_message", None) or
                                         f"Dataset {path.name} cannot be read "
                                         f"({one_line(exc)})."))
        return sorted(infos, key=age_key, reverse=True)

    def delete(self, dataset_id: str, *, in_use: Collection[str] = ()) -> None:
        """Delete a dataset folder, unless a job still needs it.

        Parameters
        ----------
        dataset_id : str
        in_use : collection of str
            Ids of datasets that queued or running jobs still need (runs never need one: they
            keep their own ``features.npy``). A single id as a string is one id.

        Raises
        ------
        InvalidParameterError
            ``dataset_id`` is in ``in_use``, or is not an id.
        ModelNotFoundError
            There is no such dataset.
        """
        path = self._existing(dataset_id)
        if dataset_id in ((in_use,) if isinstance(in_use, str) else in_use):
            raise InvalidParameterError(f"Dataset {dataset_id} is still needed by a queued or "
                                        "running job; cancel the job or let it finish first.")
        remove_folder(path)

    # -- internals --------------------------------------------------------------------------
    def _path(self, dataset_id: str) -> Path:
        return folder_path(self.datasets_dir, dataset_id, "dataset")

    def _existing(self, dataset_id: str) -> Path:
        path = self._path(dataset_id)
        if not path.is_dir():
            raise ModelNotFoundError(f"There is no dataset {dataset_id!r} in the workspace "
                                     f"{self.root}.")
        return path

    def _info(self, path: Path) -> DatasetInfo:
        record = read_dataset_json(path)
        needed = [FEATURES, TABLE] + [LABELS] * (record["labels"] is not None) + \
            [THUMBNAILS] * (record["thumbnails"] is not None)
        for name in needed:
            _file(path, name)
        return DatasetInfo(id=path.name, name=record["name"], created=record["created"],
                           path=path, kind=record["kind"], n_items=record["n_items"],
                           n_features=record["n_features"], label_name=record["label_name"])

    def _commit(self, record: dict[str, Any], write: Callable[[Path], None]) -> DatasetInfo:
        """Write a dataset whole under a free id (:func:`pumap_core.runs.record.commit_folder`)."""
        return self._info(commit_folder(self.datasets_dir, record, DATASET_JSON, write,
                                        slug=record["name"], what="dataset", root=self.root))


def stored_labels(labels: np.ndarray) -> np.ndarray:
    """Labels as ``labels.npy`` holds them: bool, int64, float64, else fixed-width unicode.

    Parameters
    ----------
    labels : ndarray of shape (n_items,)

    Returns
    -------
    ndarray of shape (n_items,), never of dtype object
    """
    labels = np.asarray(labels)
    kind = labels.dtype.kind
    if kind == "b":
        return labels.astype(bool)
    if kind in "iu":
        return labels.astype(np.int64)
    if kind == "f":
        return labels.astype(np.float64)
    return labels.astype(str)  # object arrays of str, bytes, anything else: as text


def read_dataset_json(folder: Path) -> dict[str, Any]:
    """The checked ``dataset.json`` of a dataset folder.

    Raises
    ------
    ModelNotFoundError
        The file is missing.
    ModelFileError
        Not valid JSON, written by a newer pumap_core, or a field has the wrong type.
    """
    where = f"dataset {folder.name}"
    path = _file(folder, DATASET_JSON)
    record = parse_versioned(path.read_bytes(), DATASET_JSON, where, kind="dataset",
                             newest=SCHEMA_VERSION)
    labels = record.get("labels")
    checks = {
        "name": isinstance(record.get("name"), str),
        "created": isinstance(record.get("created"), str),
        "kind": record.get("kind") in ("table", "images"),
        "n_items": _count(record.get("n_items")), "n_features": _count(record.get("n_features")),
        "label_name": isinstance(record.get("label_name"), (str, type(None))),
        "image_shape": record.get("image_shape") is None or (
            isinstance(record["image_shape"], list) and all(map(_count, record["image_shape"]))),
        "feature_names": _texts(record.get("feature_names")),
        "notes": _texts(record.get("notes")),
        "recipe": isinstance(record.get("recipe"), (dict, type(None))),
        "labels": labels is None or (isinstance(labels, dict)
                                     and labels.get("dtype") in LABEL_DTYPES),
        "thumbnails": record.get("thumbnails") in (None, THUMBNAILS),
    }
    bad = [name for name, ok in checks.items() if not ok]
    if bad:
        raise ModelFileError(f"{DATASET_JSON} in {where} has an invalid {bad[0]!r} field.")
    return record


def _count(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value > 0


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _file(folder: Path, name: str) -> Path:
    """``folder / name``, which must be a plain file (a link could point anywhere)."""
    path = folder / name
    if path.is_symlink():
        raise ModelFileError(f"{name} in dataset {folder.name} is a link; refused.")
    if not path.is_file():
        raise ModelNotFoundError(f"Dataset {folder.name} is incomplete: {name} is missing.")
    return path


def _read_npy(path: Path, where: str, *, mmap: bool) -> np.ndarray:
    """One array from a ``.npy`` file, never unpickled."""
    try:
        with open(path, "rb") as f:
            if f.read(6) != b"\x93NUMPY":  # else np.load would try (and refuse) a pickle
                raise ValueError("not a .npy file")
        array = np.load(path, mmap_mode="r" if mmap else None, allow_pickle=False)
    except (OSError, ValueError, EOFError) as exc:  # bad header, truncated data, object arrays
        reason = one_line(str(exc).replace(str(path), path.name)).split(". ")[0]
        raise ModelFileError(f"{path.name} in {where} is damaged "
                             f"({reason.rstrip('.') or type(exc).__name__}).") from None
    return array
