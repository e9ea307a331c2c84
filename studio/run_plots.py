"""Plotly figures of the Runs page: overlaid loss curves, small maps (one figure with one
legend to compare runs), new data on an old map. Labels are coloured as on every page
(:mod:`studio.colours`)."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pumap_core.runs import RunInfo
from studio.colours import PALETTE_20, categories, colour_map

#: Points drawn in a small map; bigger runs are shown as a fixed random subset (the full map is
#: on the Explore page).
SMALL_MAP_POINTS = 20_000
#: Above this many distinct labels, colours stop telling classes apart: one colour scale instead.
MAX_CLASSES = 30
_MARGIN = dict(l=10, r=10, t=36, b=10)
#: Height of one map in the comparison, and the gap between rows (room for the x axis's
#: ticks and title and the next map's title), in px.
_MAP_PX, _GAP_PX = 320, 90


#: Loss curves take the 10 strong colours of the palette, one per run, in the order given (never
#: a light/dark pair: four runs must not read as two).
LOSS_COLOURS = PALETTE_20[:10]


def loss_overlay(infos: Sequence[RunInfo], names: Sequence[str]) -> go.Figure:
    """One loss curve per run, each its own colour and named in the legend (gaps where the
    loss was not finite), epochs on the x axis."""
    fig = go.Figure()
    for k, (info, name) in enumerate(zip(infos, names)):
        history = list(info.history or [])
        fig.add_trace(go.Scatter(
            x=list(range(1, len(history) + 1)), y=history, name=name,
            mode="lines+markers" if len(history) < 40 else "lines",
            line=dict(color=LOSS_COLOURS[k % len(LOSS_COLOURS)], width=2),
            hovertemplate=f"{name}<br>epoch %{{x}}: %{{y:.4g}}<extra></extra>"))
    fig.update_layout(height=340, margin=dict(l=10, r=10, t=36, b=10), title="Loss per epoch",
                      xaxis_title="epoch", yaxis_title="loss", showlegend=True,
                      legend=dict(orientation="h", yanchor="top", y=-0.22, x=0))
    return fig


def _subset(n: int, limit: int) -> np.ndarray:
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, size=limit, replace=False))


def _label_traces(points: pd.DataFrame, size: float, opacity: float,
                  grey: bool = False) -> list[go.Scattergl]:
    """Traces for the map's points: one per label, coloured as everywhere in the studio
    (:mod:`studio.colours`: sorted labels, ``PALETTE_20``), a colour scale for numbers with
    many values, or one plain trace. Each label's trace is in the legend group of its name."""
    labels = points["label"] if "label" in points.columns else None
    rows = points.index.to_numpy()  # each point's item number: ``customdata``
    common = dict(mode="markers", hoverinfo="skip" if grey else "text")
    if grey or labels is None:
        return [go.Scattergl(x=points["x"], y=points["y"], name="map", customdata=rows,
                             marker=dict(size=size, color="#9e9e9e", opacity=opacity),
                             showlegend=grey, **common)]
    numeric = pd.api.types.is_numeric_dtype(labels) and not pd.api.types.is_bool_dtype(labels)
    if numeric and labels.nunique() > MAX_CLASSES:
        return [go.Scattergl(x=points["x"], y=points["y"], name="label", text=labels.astype(str),
                             customdata=rows,
                             marker=dict(size=size, color=labels, colorscale="Viridis",
                                         opacity=opacity, showscale=False), **common)]
    codes, names = categories(labels)
    colours = colour_map(names)
    x, y = points["x"].to_numpy(), points["y"].to_numpy()
    return [go.Scattergl(x=x[codes == k], y=y[codes == k], name=name, legendgroup=name,
                         text=np.full(int((codes == k).sum()), name), showlegend=k < MAX_CLASSES,
                         customdata=rows[codes == k],
                         marker=dict(size=size, opacity=opacity, color=colours[name]), **common)
            for k, name in enumerate(names)]


def _map_layout(fig: go.Figure, title: str, height: int, legend: bool) -> go.Figure:
    fig.update_layout(height=height, margin=_MARGIN, title=dict(text=title, font_size=13),
                      showlegend=legend, legend=dict(itemsizing="constant", title="label"))
    fig.update_xaxes(title="x", showgrid=True, zeroline=False)
    fig.update_yaxes(title="y", showgrid=True, zeroline=False, scaleanchor="x", scaleratio=1)
    return fig


def _marker_size(n: int) -> float:
    return 4 if n < 2000 else 2


def small_map(points: pd.DataFrame, title: str) -> go.Figure:
    """A small WebGL scatter of a run's map with axes, coloured by label as in Explore, with
    a legend of the labels."""
    shown = points.iloc[_subset(len(points), SMALL_MAP_POINTS)]
    return _map_layout(go.Figure(_label_traces(shown, _marker_size(len(shown)), 0.8)), title,
                       360, legend=True)


def compare_maps(maps: Sequence[pd.DataFrame], titles: Sequence[str], columns: int = 3,
                 highlight: Sequence[int] | None = None) -> go.Figure:
    """Runs' maps side by side in one figure (``columns`` per row), each with its axes, and
    one legend for all: a label is one legend entry (clicking it hides it in every map).

    Labels are coloured per map as in Explore (sorted labels, ``PALETTE_20``), so runs of the
    same data agree; when runs of different data give one label different colours, the
    legend names each pairing with its run. ``highlight``: item numbers (the same items in
    every map: runs of the same data) drawn strong, the rest faded; each point's item number
    is its ``customdata``, so a box or lasso selection on any map says which items it holds.
    """
    from plotly.subplots import make_subplots

    columns = 2 if len(maps) == 4 else max(1, min(columns, len(maps)))  # 2 × 2, not 3 + 1
    rows = -(-len(maps) // columns)
    area = rows * _MAP_PX + (rows - 1) * _GAP_PX  # the plotting area's height, in px
    fig = make_subplots(rows=rows, cols=columns, subplot_titles=list(titles),
                        horizontal_spacing=0.06, vertical_spacing=_GAP_PX / area)
    listed: dict[str, str] = {}  # legend name → colour already in the legend
    for k, (points, title) in enumerate(zip(maps, titles)):
        shown = points.iloc[_subset(len(points), SMALL_MAP_POINTS)]
        for trace in _label_traces(shown, _marker_size(len(shown)), 0.8):
            colour = trace.marker.color if isinstance(trace.marker.color, str) else None
            if colour is not None and listed.get(trace.name, colour) != colour:
                trace.update(name=f"{trace.name} ({title})", legendgroup=f"{trace.name}|{k}")
            trace.update(showlegend=trace.showlegend is not False and trace.name not in listed)
            listed.setdefault(trace.name, colour)
            if highlight is not None:
                trace.update(selectedpoints=np.flatnonzero(
                    np.isin(trace.customdata, highlight)).tolist(),
                    unselected=dict(marker=dict(opacity=0.08)))
            fig.add_trace(trace, row=k // columns + 1, col=k % columns + 1)
    fig.update_layout(height=area + 50, margin=dict(l=10, r=10, t=40, b=10),
                      showlegend=True, legend=dict(itemsizing="constant", title="label"),
                      dragmode="select" if highlight is not None or len(maps) > 1 else "zoom")
    fig.update_annotations(font_size=13)
    fig.update_xaxes(title="x", zeroline=False)
    for k in range(len(maps)):  # each map keeps its own aspect ratio: its y follows its x
        suffix = "" if k == 0 else str(k + 1)
        fig.update_yaxes(title="y" if k % columns == 0 else None, zeroline=False,
                         scaleanchor=f"x{suffix}", scaleratio=1, row=k // columns + 1,
                         col=k % columns + 1)
    return fig


def embed_map(points: pd.DataFrame, new: pd.DataFrame, title: str,
              by_label: bool = True) -> go.Figure:
    """The run's map (faded, by label or grey) with the new points on top as "new data"
    (black diamonds: no label's colour)."""
    old = points.iloc[_subset(len(points), SMALL_MAP_POINTS)]
    fig = go.Figure(_label_traces(old, 3 if len(old) < 5000 else 2, 0.3, grey=not by_label))
    hover = ("row " + pd.Series(range(len(new))).astype(str)
             + (" · " + new["label"].astype(str) if "label" in new.columns else ""))
    fig.add_trace(go.Scattergl(x=new["x"], y=new["y"], mode="markers", name="new data",
                               text=hover, hoverinfo="text",
                               marker=dict(size=9, color="black", symbol="diamond",
                                           line=dict(width=1, color="white"))))
    return _map_layout(fig, title, 480, legend=True)
