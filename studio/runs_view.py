"""Runs page helpers: the runs table, the parameter comparison, and embedding new data on a map.

Nothing here draws on the page or keeps anything in the session (``st.column_config`` only
describes the table's columns). The page stays a thin sequence of widgets → these functions →
st.* calls.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Sequence

import numpy as np
import pandas as pd
import streamlit as st

from pumap_core.csv_export import to_safe_csv
from pumap_core.data import Dataset, apply_recipe, max_upload_bytes
from pumap_core.runs import Run, RunInfo, Workspace
from pumap_core.runs.points import points_frame
from studio.downloads import safe_file_name
from studio.shared_runs import shared_run

#: Parameters that say nothing about the map; left out of the comparison. The decoder,
#: autoencoder, global-structure and init settings of the Train page are shown.
_NOISE = {"verbose", "n_jobs", "low_memory", "loss_report_frequency", "keras_fit_kwargs",
          "n_epochs", "decoder", "reconstruction_validation", "landmark_loss_fn",
          "landmark_loss_weight", "parametric_reconstruction_loss_fcn",
          "parametric_reconstruction_loss_weight"}


def short_time(created: str) -> str:
    try:
        return f"{datetime.fromisoformat(created):%Y-%m-%d %H:%M}"
    except ValueError:
        return created


def label_for(info: RunInfo) -> str:
    """How a run is named in pickers: its name, with the id's tail to tell twins apart."""
    return f"{info.name} · {info.id[-4:]}"


#: How the runs table's columns are shown: headers with a help text, scores to 3 decimals.
TABLE_COLUMNS = {
    "n_neighbors": st.column_config.NumberColumn(
        "n_neighbors", help="Neighbours per item in the graph (k)."),
    "min_dist": st.column_config.NumberColumn(
        "min_dist", help="How tightly points may pack in the map."),
    "epochs": st.column_config.NumberColumn("epochs", help="Epochs trained (fewer if cancelled)."),
    "network": st.column_config.TextColumn(
        "network", help="The encoder's hidden layers: MLP 3×100 is three dense layers of 100 "
                        "units; a CNN lists its convolutions' filters first."),
    "metric": st.column_config.TextColumn("metric", help="Distance between items in the data."),
    "trustworthiness": st.column_config.NumberColumn(format="%.3f"),
    "5-NN accuracy": st.column_config.NumberColumn(format="%.3f"),
}


def runs_table(infos: Sequence[RunInfo]) -> pd.DataFrame:
    """One row per run, newest first as given; broken runs keep their error line.

    Besides the data and the quality figures, the settings people compare: ``n_neighbors``,
    ``min_dist``, ``epochs`` (trained), ``network`` and ``metric`` (empty for maps that no
    model made).
    """
    rows = []
    for info in infos:
        m = info.metrics or {}
        params = info.params or {}
        rows.append({
            "name": info.name, "dataset": info.dataset_name, "items": info.n_items,
            "n_neighbors": params.get("n_neighbors"), "min_dist": params.get("min_dist"),
            "epochs": info.epochs_trained, "network": info.network or "",
            "metric": params.get("metric") or "",
            "trustworthiness": m.get("trustworthiness"), "5-NN accuracy": m.get("knn_accuracy"),
            "fit seconds": None if info.fit_seconds is None else round(info.fit_seconds, 1),
            "created": short_time(info.created), "cancelled": info.cancelled, "problem": info.error or "", "id": info.id})
    return pd.DataFrame(rows)


def params_table(infos: Sequence[RunInfo]) -> pd.DataFrame:
    """Parameters, one column per run; rows that differ between runs come first.

    The ``differs`` column is True where at least two runs disagree. Values are shown as text
    so that mixed types (None, numbers, lists) sit in one column.
    """
    names = sorted({k for info in infos for k in info.params} - _NOISE)
    rows = {}
    for key in names:
        values = [_shown(info.params.get(key)) for info in infos]
        rows[key] = {"differs": len(set(values)) > 1,
                     **{label_for(info): v for info, v in zip(infos, values)}}
    extra = {"epochs trained": [str(i.epochs_trained) for i in infos],
             "dataset": [str(i.dataset_name) for i in infos]}
    for key, values in extra.items():
        rows[key] = {"differs": len(set(values)) > 1,
                     **{label_for(info): v for info, v in zip(infos, values)}}
    frame = pd.DataFrame.from_dict(rows, orient="index")
    if frame.empty:
        return frame
    order = sorted(range(len(frame)), key=lambda i: (not frame["differs"].iloc[i], frame.index[i]))
    return frame.iloc[order]


def _shown(value: Any) -> str:
    if value is None:
        return "auto"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, dict):
        return str(value.get("class_name", "custom"))
    return str(value)


def zip_name(info: RunInfo) -> str:
    """``<run name>.zip`` as a safe file name (:func:`studio.downloads.safe_file_name`)."""
    return safe_file_name(info.name, ".zip", fallback=info.id)


#: Encoder export formats: download label and MIME type.
EXPORTS = {"keras": ("Encoder: Keras (.keras)", "application/octet-stream"),
           "savedmodel": ("Encoder: SavedModel (.zip)", "application/zip"),
           "onnx": ("Encoder: ONNX (.onnx)", "application/octet-stream")}


def _export_stem(info: RunInfo) -> str:
    return safe_file_name(f"{info.name}-encoder", fallback=f"{info.id}-encoder")


def export_name(info: RunInfo, fmt: str) -> str:
    """The downloaded file's name, as :func:`pumap_core.export.export_bytes` names it."""
    stem = _export_stem(info)
    return f"{stem}_savedmodel.zip" if fmt == "savedmodel" else f"{stem}.{fmt}"


def encoder_export(ws: Workspace, info: RunInfo, fmt: str) -> bytes:
    """The run's encoder as a ``fmt`` file (checked against Keras on sample rows), for a
    download button that makes it only when clicked."""
    from pumap_core.export import export_bytes

    model = shared_run(ws, info.id).estimator()
    return export_bytes(model, fmt, name=_export_stem(info))[1]


def highlight_differences(frame: pd.DataFrame) -> Any:
    """A Styler that shades the rows where the runs' values differ."""
    if frame.empty:
        return frame
    return frame.style.apply(
        lambda row: ["background-color: rgba(255, 193, 7, 0.25)" if row["differs"] else ""]
        * len(row), axis=1)


@dataclass(frozen=True, eq=False)
class Embedded:
    """New data placed on a saved map.

    Attributes
    ----------
    run_id : the run whose model embedded it
    dataset : the new data, prepared with the run's recipe
    coords : float32 array of shape (n_items, n_components)
    millis : time spent in ``transform``, in milliseconds
    """

    run_id: str
    dataset: Dataset
    coords: np.ndarray
    millis: float

    @property
    def n_items(self) -> int:
        return len(self.coords)

    def frame(self) -> pd.DataFrame:
        """The points table (:mod:`pumap_core.runs.points`) of the new items."""
        return points_frame(self.coords, self.dataset.table, self.dataset.labels,
                            self.dataset.label_name)

    def csv(self) -> bytes:
        """The points table as CSV (UTF-8), safe to open in a spreadsheet (no live formulas)."""
        return to_safe_csv(self.frame()).encode("utf-8")


def embed_upload(run: Run, data: bytes, filename: str,
                 max_bytes: int | None = None) -> Embedded:
    """Prepare ``data`` exactly like the run's training data and embed it with its model.

    Raises
    ------
    PumapError
        A one-line reason: the wrong kind of file, missing columns, text where numbers were
        trained, no recipe, a damaged model.
    """
    ds = apply_recipe(data, filename, run.recipe,
                      max_bytes=max_upload_bytes() if max_bytes is None else max_bytes)
    estimator = run.estimator()
    start = time.perf_counter()
    coords = np.asarray(estimator.transform(ds.X), dtype=np.float32)
    millis = (time.perf_counter() - start) * 1000
    return Embedded(run_id=run.id, dataset=ds, coords=coords, millis=millis)
