"""Replay a training: the map of a run's snapshot sample as it formed, one frame per snapshot
(Explore and Runs), and the live map of a training that runs (the Train page's job panel).

The replay is One plotly figure with animation frames: plotly's own Play / Pause
buttons and slider (plotly.js comes with Streamlit, so nothing is fetched), the axes fixed over
every snapshot so that the points move and the frame does not, labels coloured as on every page
(:mod:`studio.colours`), each frame titled with its epoch ("warm start", "epoch 12 of 200").
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pumap_core.errors import PumapError
from pumap_core.runs import Run, RunInfo, Workspace
from pumap_core.training.snapshots import TrainingSnapshots
from studio.colours import categories, colour_map
from studio.errors import user_errors
from studio.shared_runs import shared_run

#: Milliseconds per frame when playing, and of the glide between two frames.
FRAME_MS, GLIDE_MS = 300, 200
#: Above this many distinct numbers a label column gets a colour scale (as in run_plots).
MAX_CLASSES = 30
_FONT = dict(size=16)  # read from the back of a classroom


def start_label(params: dict) -> str:
    """What the first frame shows: the warm start, or a random network with init="random"."""
    return "random start" if params.get("init") == "random" else "warm start"


def frame_label(epoch: int, start: str) -> str:
    return start if epoch == 0 else f"epoch {epoch}"


def _extent(positions: np.ndarray) -> tuple[list[float], list[float]]:
    """x and y ranges that hold every point of every snapshot, with a margin."""
    low, high = positions[..., :2].min(axis=(0, 1)), positions[..., :2].max(axis=(0, 1))
    pad = 0.05 * np.maximum(high - low, 1e-6)
    return ([float(low[0] - pad[0]), float(high[0] + pad[0])],
            [float(low[1] - pad[1]), float(high[1] + pad[1])])


def _groups(labels: pd.Series | None, rows: np.ndarray
            ) -> list[tuple[str, np.ndarray, dict]]:
    """(name, which sample points, marker) per trace: a label each (coloured by the whole
    column's categories, so that the colours are Explore's), one colour scale for numbers with
    many values, or one plain trace without labels."""
    if labels is None:
        return [("points", np.arange(len(rows)), dict(color="#1f77b4"))]
    numeric = pd.api.types.is_numeric_dtype(labels) and not pd.api.types.is_bool_dtype(labels)
    if numeric and labels.nunique() > MAX_CLASSES:
        values = labels.to_numpy(dtype=float)[rows]
        return [("label", np.arange(len(rows)),
                 dict(color=values, colorscale="Viridis", showscale=True))]
    codes, names = categories(labels)
    colours = colour_map(names)
    codes = codes[rows]
    return [(name, np.flatnonzero(codes == k), dict(color=colours[name]))
            for k, name in enumerate(names) if (codes == k).any()]


def replay_figure(snapshots: TrainingSnapshots, labels: pd.Series | None = None, *,
                  start: str = "warm start", title: str = "", height: int = 620) -> go.Figure:
    """The snapshots as an animation: frame k shows ``snapshots.positions[k]``.

    Parameters
    ----------
    snapshots : the run's snapshots (at least one)
    labels : one label per point of the run (the sample's rows are picked from it), or None
    start : the name of epoch 0 (:func:`start_label`)
    title : what is replayed (a run's name), before the frame's epoch
    """
    positions, epochs = snapshots.positions, snapshots.epochs
    last = int(epochs[-1])
    groups = _groups(labels, snapshots.rows)
    size = 8 if len(snapshots.rows) <= 600 else 6
    names = [frame_label(int(e), start) for e in epochs]

    def heading(k: int) -> str:
        shown = names[k] if epochs[k] == 0 else f"{names[k]} of {last}"
        return f"{title} — {shown}" if title else shown

    def traces(k: int) -> list[go.Scatter]:
        return [go.Scatter(x=np.round(positions[k, idx, 0], 3), y=np.round(positions[k, idx, 1], 3),
                           mode="markers", name=name,
                           marker=dict(size=size, opacity=0.8, **marker),
                           hoverinfo="name")
                for name, idx, marker in groups]

    fig = go.Figure(data=traces(0), frames=[
        go.Frame(data=traces(k), name=names[k], layout=dict(title_text=heading(k)))
        for k in range(len(epochs))])
    x_range, y_range = _extent(positions)
    # redraw: the frame's title is layout, which only a redraw puts on screen (2,000 points
    # at most: cheap).
    still = {"frame": {"duration": 0, "redraw": True}, "mode": "immediate",
             "transition": {"duration": 0}}
    fig.update_layout(
        height=height, title=dict(text=heading(0), font=dict(size=20)), font=_FONT,
        margin=dict(l=10, r=10, t=56, b=10),
        legend=dict(title="label", itemsizing="constant", font=dict(size=16)),
        updatemenus=[dict(type="buttons", direction="left", x=0, y=0, xanchor="left",
                          yanchor="top", pad=dict(t=70, r=10), showactive=False, buttons=[
                              dict(label="▶ Play", method="animate", args=[None, {
                                  "frame": {"duration": FRAME_MS, "redraw": True},
                                  "fromcurrent": True,
                                  "transition": {"duration": GLIDE_MS, "easing": "linear"}}]),
                              dict(label="❚❚ Pause", method="animate", args=[[None], still])])],
        sliders=[dict(active=0, x=0.2, len=0.8, y=0, yanchor="top", pad=dict(t=50),
                      currentvalue=dict(prefix="showing: ", font=dict(size=16)),
                      steps=[dict(label=name, method="animate", args=[[name], still])
                             for name in names])])
    fig.update_xaxes(range=x_range, autorange=False, title="x", zeroline=False,
                     tickfont=_FONT)
    fig.update_yaxes(range=y_range, autorange=False, title="y", zeroline=False,
                     scaleanchor="x", scaleratio=1, tickfont=_FONT)
    return fig


def live_map(positions: np.ndarray, rows: np.ndarray, labels: pd.Series | None, *,
             epoch: int, n_epochs: int, start: str = "warm start") -> go.Figure:
    """A small picture of a training's latest snapshot (the Train page's live map): the sample
    ``positions`` (n_sample, ≥ 2) of the data's rows ``rows``, coloured by ``labels`` (one per
    row of the data) as on every page."""
    keep = rows < len(labels) if labels is not None else np.ones(len(rows), bool)
    positions, rows = positions[keep], rows[keep]
    fig = go.Figure([go.Scattergl(x=positions[idx, 0], y=positions[idx, 1], mode="markers",
                                  name=name, hoverinfo="name",
                                  marker=dict(size=4, opacity=0.8, **marker))
                     for name, idx, marker in _groups(labels, rows)])
    shown = start if epoch == 0 else f"epoch {epoch} of {n_epochs}"
    fig.update_layout(height=290, margin=dict(l=10, r=10, t=36, b=10),
                      title=f"The map now — {shown}",
                      legend=dict(title="label", itemsizing="constant", font=dict(size=10),
                                  tracegroupgap=0))  # ten labels without a scroll bar
    fig.update_xaxes(title="x", zeroline=False)
    fig.update_yaxes(title="y", zeroline=False, scaleanchor="x", scaleratio=1)
    return fig


@st.cache_resource(max_entries=8, show_spinner=False)
def dataset_labels(root: str, dataset_id: str) -> pd.Series | None:
    """The labels of a dataset of the workspace (None: it has none, or it is gone), read once
    per server: the live map colours a training's sample with them."""
    from pumap_core.data import DatasetStore

    try:
        labels = DatasetStore(root).load(dataset_id).labels
    except PumapError:
        return None
    return None if labels is None else pd.Series(np.asarray(labels))


@st.cache_resource(max_entries=8, show_spinner=False)
def _figure(root: str, run_id: str, stamp: tuple[int, int], _run: Run) -> go.Figure | None:
    snapshots = _run.snapshots()
    if snapshots is None:
        return None
    labels = _run.points["label"] if "label" in _run.points.columns else None
    return replay_figure(snapshots, labels, start=start_label(_run.params))


def replay_section(ws: Workspace, infos: Sequence[RunInfo], key: str) -> None:
    """"Replay the training" for one of ``infos`` (a picker when several have snapshots);
    nothing at all when none has."""
    with_snapshots = [info for info in infos if info.error is None and info.has_snapshots]
    if not with_snapshots:
        return
    st.subheader("Replay the training")
    st.caption("How the map formed: the warm start, then the UMAP loss pulling neighbours "
               "together and pushing the rest apart. Press Play, or drag the slider.")
    info = with_snapshots[0]
    if len(with_snapshots) > 1:
        by_id = {i.id: i for i in with_snapshots}
        info = by_id[st.selectbox("Run to replay", list(by_id), key=f"{key}.replay_run",
                                  format_func=lambda r: by_id[r].name)]
    if not st.toggle("Show the replay", key=f"{key}.replay_on",
                     help="Draws the training's snapshots as an animation."):
        return
    figure = None
    with user_errors():
        figure = _figure(str(ws.root), info.id, ws.stamp(info.id), shared_run(ws, info.id))
    if figure is not None:
        points = sum(len(trace.x) for trace in figure.data)
        st.plotly_chart(figure, key=f"{key}.replay", width="stretch")
        st.caption(f"{len(figure.frames)} snapshots of the same {points:,} points, taken as it "
                   "trained.")
