"""The files of a run folder besides run.json: points, thumbnails (a .npy stack, or the zip of
PNGs of older runs), and checking imported zips.

Private helpers of :mod:`pumap_core.workspace`, kept apart so that each module stays readable.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..data._common import human_size
from ..errors import DataTypeError, InvalidDataError, ModelFileError, PumapError
from ..thumbnails import Thumbnails, cell_for

if TYPE_CHECKING:
    from ..data import Dataset
    from .run import Run

RUN_JSON, POINTS, THUMBNAILS, MODEL = "run.json", "points.parquet", "thumbnails.npy", "model"
#: The rows of X a model was trained on (float32, n × d): what continued training needs to keep
#: the old points as landmarks. Trained runs only; runs written before it lack it.
FEATURES = "features.npy"
#: Thumbnails of runs written before the .npy stack: one PNG per item, "{i}.png". Still read.
LEGACY_THUMBNAILS = "thumbnails.zip"
MAX_IMPORT_BYTES = 1 << 30      # a zipped run: model + points + thumbnails of ~100k images
MAX_UNPACKED_BYTES = 4 << 30    # what it may unpack to (zip bombs)
MAX_ENTRIES = 1000              # a run has fewer than 10 files


def one_line(exc: BaseException | str) -> str:
    text = " ".join(str(exc).split())
    return text[:160] or type(exc).__name__


def points_frame(embedding: np.ndarray, dataset: "Dataset") -> pd.DataFrame:
    """x, y, c2..., label, then the data's columns (renamed ``data_<name>`` on a clash)."""
    embedding = np.asarray(embedding, dtype=np.float32).reshape(len(embedding), -1)
    names = ["x", "y"] + [f"c{j}" for j in range(2, embedding.shape[1])]
    frame = pd.DataFrame({n: embedding[:, j] for j, n in enumerate(names[:embedding.shape[1]])})
    if dataset.labels is not None:
        frame["label"] = dataset.labels
    table = dataset.table.reset_index(drop=True)
    used, keep, renamed = set(frame.columns), [], []
    for pos, col in enumerate(map(str, table.columns)):
        if col == "label" and dataset.label_name == "label" and "label" in used:
            continue  # the same labels, already in the label column
        new = col
        while new in used:
            new = f"data_{new}"
        used.add(new)
        keep.append(pos)
        renamed.append(new)
    data = table.iloc[:, keep].set_axis(renamed, axis=1)
    return pd.concat([frame, data], axis=1)


def write_points(frame: pd.DataFrame, path: Path) -> None:
    try:
        frame.to_parquet(path, index=False)
    except (TypeError, ValueError):  # pyarrow refuses text columns that mix numbers and words
        mixed = frame.select_dtypes(include="object").columns
        frame = frame.astype({c: "string" for c in mixed})
        frame.to_parquet(path, index=False)


def read_points(path: Path, where: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(path)
    except Exception as exc:  # pyarrow raises many kinds of errors on damaged files
        reason = one_line(str(exc).replace(str(path), POINTS))
        raise ModelFileError(f"{POINTS} in {where} is damaged ({reason}).") from None


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
    write_points(points_frame(embedding, dataset), folder / POINTS)
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


def training_dataset(run: "Run") -> "Dataset":
    """The :class:`Dataset` a trained run was fitted on, rebuilt from its folder.

    ``X`` comes from ``features.npy`` (memory-mapped); the table is the data's own columns of
    ``points.parquet`` (a ``data_`` prefix added on a clash with ``x``, ``y``, ``label`` is
    taken off again); labels, thumbnails, image shape, feature names and recipe are the
    recorded ones.

    Raises
    ------
    ModelFileError
        The run has no ``features.npy`` (saved before runs kept their training rows, or a map
        without a model), or the file is damaged.
    """
    from ..data import Dataset

    facts, points = run.dataset, run.points
    d = facts.get("n_features")
    X = read_features(run.path, len(points), d if isinstance(d, int) else None, f"run {run.id}")
    if X is None:
        raise ModelFileError(f"Run {run.name!r} does not keep the rows it was trained on (it was "
                             "saved by an older version or generated); train it again to get "
                             "a run that can be continued.")
    label_name = facts.get("label_name")
    has_labels = label_name is not None and "label" in points.columns
    reserved = re.compile(r"x|y|c\d+|label")
    coords = [c for c in points.columns if re.fullmatch(r"x|y|c\d+", c)]
    data = points.drop(columns=coords + (["label"] if has_labels else []))
    data.columns = [c[5:] if c.startswith("data_") and reserved.fullmatch(c[5:]) else c
                    for c in data.columns]
    labels = points["label"].to_numpy() if has_labels else None
    if has_labels and label_name == "label" and "label" not in data.columns:
        data.insert(0, "label", labels)  # points_frame kept one copy of identical labels
    shape = facts.get("image_shape")
    return Dataset(name=str(facts.get("name") or run.name), X=X, table=data, labels=labels,
                   label_name=label_name if has_labels else None,
                   kind=facts.get("kind") or "table",
                   image_shape=None if shape is None else tuple(shape),
                   thumbnails=run.thumbnails, feature_names=list(facts.get("feature_names") or []),
                   notes=list(facts.get("notes") or []), recipe=facts.get("recipe"))


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
        reason = exc.user_message if isinstance(exc, PumapError) else one_line(exc)
        raise ModelFileError(f"{LEGACY_THUMBNAILS} in {where} is damaged "
                             f"({reason.rstrip('.')}).") from None


# -- importing -----------------------------------------------------------------------------
def open_run_zip(data: Any, max_bytes: int) -> zipfile.ZipFile:
    """The uploaded bytes as an open zip, after checking their type and size."""
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise DataTypeError(f"Pass the zip's content as bytes, not {type(data).__name__}.")
    if not data:
        raise InvalidDataError("The file is empty (0 bytes); choose a run zip.")
    if len(data) > max_bytes:
        raise InvalidDataError(f"The file is {human_size(len(data))}, more than the "
                               f"{human_size(max_bytes)} limit for a run zip.")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise InvalidDataError("The file is not a zip archive; choose a run zip exported from "
                               "pumap studio.") from None


def run_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The run's files by path inside the run folder, after checking every entry is safe."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise InvalidDataError(f"The zip holds {len(infos):,} entries, far more than a run; it "
                               "is not a run zip.")
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise InvalidDataError(f"The zip would unpack to more than {MAX_UNPACKED_BYTES >> 30} "
                               "GB; it is not a run zip.")
    files: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename.replace("\\", "/")
        parts = name.split("/")
        if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in parts:
            raise InvalidDataError(f"The zip contains an unsafe path {info.filename!r} (absolute "
                                   "or with '..'); nothing was imported.")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise InvalidDataError(f"The zip contains a symbolic link {info.filename!r}; "
                                   "nothing was imported.")
        if not info.is_dir():
            files["/".join(p for p in parts if p not in ("", "."))] = info
    tops = {rel.split("/")[0] for rel in files}
    if RUN_JSON not in files and len(tops) == 1:  # the folder itself was zipped
        top = tops.pop() + "/"
        files = {rel[len(top):]: info for rel, info in files.items() if rel.startswith(top)}
    if RUN_JSON not in files:
        raise InvalidDataError(f"The zip is not a pumap run: it lacks {RUN_JSON}.")
    return {rel: info for rel, info in files.items()
            if rel in (RUN_JSON, POINTS, THUMBNAILS, LEGACY_THUMBNAILS, FEATURES) or (
                rel.startswith(f"{MODEL}/") and not any(p.startswith(".") for p in rel.split("/")))}


def needed_members(files: dict[str, zipfile.ZipInfo], has_model: bool
                   ) -> dict[str, zipfile.ZipInfo]:
    """The members to unpack: no model files for a generated map, after checking none lacks."""
    missing = [f for f in ([f"{MODEL}/manifest.json"] if has_model else []) + [POINTS]
               if f not in files]
    if missing:
        raise InvalidDataError(f"The zip is not a pumap run: it lacks {', '.join(missing)}.")
    return {rel: info for rel, info in files.items()
            if has_model or not rel.startswith(f"{MODEL}/")}


def unzip(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError) as exc:  # CRC errors, unknown compression
        raise InvalidDataError(f"{info.filename} in the zip is damaged ({one_line(exc)}); "
                               "nothing was imported.") from None


def check_unpacked(tmp: Path, record: dict[str, Any], has_model: bool) -> None:
    """Load what will be used later, so that a broken run is refused now, not on opening."""
    if has_model:
        from ..persistence import load_model  # imports Keras: only when there is a model

        try:
            load_model(tmp / MODEL)
        except PumapError as exc:  # its message names the hidden folder; name the zip's paths
            where = exc.user_message.replace(str(tmp) + os.sep, "").replace(str(tmp), "the run")
            raise ModelFileError(f"The run's model is broken: {where}") from None
    n = len(read_points(tmp / POINTS, "the zip"))
    expected = (record.get("dataset") or {}).get("n_items")
    if isinstance(expected, int) and expected != n:
        raise ModelFileError(f"{POINTS} in the zip has {n} rows but {RUN_JSON} says "
                             f"{expected}; the zip is inconsistent.")
    read_thumbnails(tmp, n, "the zip")
    d = (record.get("dataset") or {}).get("n_features")
    read_features(tmp, n, d if isinstance(d, int) else None, "the zip")
