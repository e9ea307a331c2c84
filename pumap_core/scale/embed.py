"""Embed a Dask frame with a saved model: a lazy ``map_partitions``, one model load per worker.

>>> import dask.dataframe as dd
>>> from pumap_core.scale import embed
>>> points = embed("model_dir", dd.read_parquet("big/"), keep=["id"])   # doctest: +SKIP
>>> points.to_parquet("points/")                                        # doctest: +SKIP

Each task receives a :class:`~.cache.ModelRef` (folder path + manifest digest) and gets the
model from its worker's cache, so the client never imports TensorFlow for a saved model and no
Keras model is pickled. The output keeps the points-table convention of
:mod:`pumap_core.runs.points`: ``x``, ``y`` (``c2``, ... beyond two components), then the kept
columns (renamed ``data_x`` on a clash), the input's index and row order in every partition.
"""

from __future__ import annotations

import shutil
import tempfile
import weakref
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InvalidDataError
from ..manifest import feature_names, read_manifest
from ..runs.points import points_frame
from .cache import ModelRef, cached_model
from .inputs import as_dask_frame, check_present, feature_columns, float_rows


def model_ref(model: Any) -> tuple[ModelRef, dict[str, Any]]:
    """A reference to ``model`` (a model folder, a ModelRef, or a fitted ParametricUMAP) and its
    manifest.

    A fitted estimator is saved to a temporary folder, removed when the reference (and so
    every frame built on it) is gone. Workers must see that folder: on a cluster of other
    machines, save the model on shared storage and pass its path instead.
    """
    if isinstance(model, ModelRef):
        return model, read_manifest(model.path, check_files=False)
    if isinstance(model, (str, Path)):
        return ModelRef.of(model)
    if not hasattr(model, "save"):
        raise InvalidDataError(f"Cannot embed with a {type(model).__name__}; pass a model "
                               "folder or a fitted ParametricUMAP.")
    folder = Path(tempfile.mkdtemp(prefix="pumap-embed-model-"))
    model.save(folder / "model")
    ref, manifest = ModelRef.of(folder / "model")
    weakref.finalize(ref, shutil.rmtree, folder, ignore_errors=True)
    return ref, manifest


def model_columns(frame: Any, manifest: dict[str, Any], columns: Sequence[str] | None,
                  keep: Sequence[str] = ()) -> list[str]:
    """The feature columns to embed ``frame`` with: ``columns``, else those the model was
    trained on, else every numeric column not kept; checked against the model.

    Raises
    ------
    InvalidDataError
        A column is missing, or they are not the columns (or the number) trained on.
    DataTypeError
        A column is not numeric.
    """
    trained = feature_names(manifest)
    chosen = feature_columns(frame, columns if columns is not None else trained, exclude=keep)
    if trained is not None and chosen != trained:
        raise InvalidDataError(
            f"The model was trained on the columns {_names(trained)}, not {_names(chosen)}; "
            "pass the same columns, in the same order.")
    width = int(manifest["model"]["n_features_in"])
    if len(chosen) != width:
        raise InvalidDataError(f"The model was trained on {width} columns but {len(chosen)} "
                               f"were given ({_names(chosen)}); pass the columns it was "
                               "trained on.")
    return chosen


def _names(columns: Sequence[str]) -> str:
    return ", ".join(columns[:8]) + (f", ... ({len(columns)} in all)" if len(columns) > 8 else "")


def embed_partition(part: pd.DataFrame, ref: ModelRef, columns: Sequence[str],
                    keep: Sequence[str], n_components: int,
                    topic: str | None = None) -> pd.DataFrame:
    """Embed one partition: its points table, with the partition's index and row order.

    ``topic``: when set and running on a Dask worker, the number of rows done is logged as a
    worker event under that topic (the command line's progress subscribes to it).
    """
    if len(part):
        coords = cached_model(ref).transform(float_rows(part, columns))
    else:
        coords = np.zeros((0, n_components), np.float32)
    out = points_frame(coords, part[list(keep)])
    out.index = part.index
    if topic is not None:
        report_rows(topic, len(part))
    return out


def report_rows(topic: str, rows: int) -> None:
    """Log ``rows`` done under ``topic`` on this Dask worker (nothing outside a worker)."""
    try:
        from distributed import get_worker

        worker = get_worker()
    except (ImportError, ValueError):
        return
    worker.log_event(topic, {"rows": int(rows)})


def embed(model: Any, data: Any, columns: Sequence[str] | None = None,
          keep: Sequence[str] = (), *, block: str | int | None = None,
          topic: str | None = None) -> Any:
    """The lazy Dask frame of ``data`` placed on the map of ``model``.

    Parameters
    ----------
    model : a model folder (path) or a fitted ParametricUMAP (saved to a temporary folder).
    data : a Dask or pandas DataFrame, or a path, folder, glob or URL of Parquet / CSV files.
    columns : the feature columns; default those the model was trained on.
    keep : columns copied beside the coordinates (ids, labels...).
    block : partition size in bytes when ``data`` is a path (see :func:`.inputs.blocksize`).
    topic : a Dask worker-event topic that gets the rows done by each partition.

    Returns
    -------
    dask DataFrame with float32 ``x``, ``y`` (``c2``...), then ``keep``; one partition per
    input partition, rows in input order. Nothing is computed until the caller asks.
    """
    ref, manifest = model_ref(model)
    frame = as_dask_frame(data, block=block)
    keep = check_present(frame, keep)
    chosen = model_columns(frame, manifest, columns, keep)
    n_components = int(manifest["model"]["n_components"])
    needed = chosen + [c for c in keep if c not in chosen]
    meta = points_frame(np.zeros((0, n_components), np.float32),
                        pd.DataFrame({c: pd.Series(dtype=frame.dtypes[c]) for c in keep}))
    return frame[needed].map_partitions(embed_partition, ref, chosen, keep, n_components,
                                        topic, meta=meta, align_dataframes=False)
