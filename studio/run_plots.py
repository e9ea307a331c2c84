"""Plotly figures of the Runs page: overlaid loss curves, small maps, new data on an old map."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from pumap_core.runs import RunInfo

#: Points drawn in a small map; bigger runs are shown as a fixed random subset (the full map is
#: on the Explore page).
SMALL_MAP_POINTS = 20_000
#: Above this many distinct labels, colours stop telling classes apart: one colour scale instead.
MAX_CLASSES = 30
_MARGIN = dict(l=10, r=10, t=36, b=10)


def loss_overlay(infos: Sequence[RunInfo], names: Sequence[str]) -> go.Figure:
    """One loss curve per run (gaps where the loss was not finite), epochs on the x axis."""
    fig = go.Figure()
    for info, name in zip(infos, names):
        history = list(info.history or [])
        fig.add_trace(go.Scatter(x=list(range(1, len(history) + 1)), y=history, name=name,
                                 mode="lines+markers" if len(history) < 40 else "lines"))
    fig.update_layout(height=320, margin=_MARGIN, title="Loss per epoch", xaxis_title="epoch",
                      yaxis_title="UMAP loss", legend=dict(orientation="h", y=-0.25))
    return fig


def _subset(n: int, limit: int) -> np.ndarray:
    if n <= limit:
        return np.arange(n)
    return np.sort(np.random.default_rng(0).choice(n, size=limit, replace=False))


def _label_traces(points: pd.DataFrame, size: float, opacity: float,
                  grey: bool = False) -> list[go.Scattergl]:
    """Traces for the map's points: one per class, a colour scale, or one plain trace."""
    labels = points["label"] if "label" in points.columns else None
    common = dict(mode="markers", hoverinfo="skip" if grey else "text")
    if grey or labels is None:
        return [go.Scattergl(x=points["x"], y=points["y"], name="map",
                             marker=dict(size=size, color="#9e9e9e", opacity=opacity),
                             showlegend=grey, **common)]
    numeric = pd.api.types.is_numeric_dtype(labels) and not pd.api.types.is_bool_dtype(labels)
    if numeric and labels.nunique() > MAX_CLASSES:
        return [go.Scattergl(x=points["x"], y=points["y"], name="label", text=labels.astype(str),
                             marker=dict(size=size, color=labels, colorscale="Viridis",
                                         opacity=opacity, showscale=False), **common)]
    text = labels.astype(str)
    return [go.Scattergl(x=points["x"][text == c], y=points["y"][text == c], name=c,
                         text=text[text == c], marker=dict(size=size, opacity=opacity), **common)
            for c in sorted(text.unique())[:MAX_CLASSES]]


def _map_layout(fig: go.Figure, title: str, height: int, legend: bool) -> go.Figure:
    fig.update_layout(height=height, margin=_MARGIN, title=dict(text=title, font_size=13),
                      showlegend=legend, legend=dict(itemsizing="constant"))
    fig.update_xaxes(showticklabels=False, title=None)
    fig.update_yaxes(showticklabels=False, title=None, scaleanchor="x", scaleratio=1)
    return fig


def small_map(points: pd.DataFrame, title: str) -> go.Figure:
    """A small WebGL scatter of a run's map, coloured by label."""
    shown = points.iloc[_subset(len(points), SMALL_MAP_POINTS)]
    size = 4 if len(shown) < 2000 else 2
    return _map_layout(go.Figure(_label_traces(shown, size, 0.8)), title, 320, legend=False)


def embed_map(points: pd.DataFrame, new: pd.DataFrame, title: str,
              by_label: bool = True) -> go.Figure:
    """The run's map (faded, by label or grey) with the new points on top as "new data"."""
    old = points.iloc[_subset(len(points), SMALL_MAP_POINTS)]
    fig = go.Figure(_label_traces(old, 3 if len(old) < 5000 else 2, 0.3, grey=not by_label))
    hover = ("row " + pd.Series(range(len(new))).astype(str)
             + (" · " + new["label"].astype(str) if "label" in new.columns else ""))
    fig.add_trace(go.Scattergl(x=new["x"], y=new["y"], mode="markers", name="new data",
                               text=hover, hoverinfo="text",
                               marker=dict(size=9, color="#d62728", symbol="diamond",
                                           line=dict(width=1, color="black"))))
    return _map_layout(fig, title, 480, legend=True)
