"""How it works page helpers: where the data come from, and the pictures of each step.

The numbers come from :mod:`pumap_core.explain`; this module turns them into plotly figures and
tables in Explore's colours (:func:`studio.reconstruct_view.label_traces`). Nothing here draws
on the page.
"""

from __future__ import annotations

import base64
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pumap_core.explain import CurveFit, Edges, GraphSteps, LossCurves, Neighbourhood
from pumap_core.explain import explain_graph
from pumap_core.graph.spectral import spectral_layout
from pumap_core.runs import Run
from pumap_core.runs.points import data_columns
from studio.reconstruct_view import label_traces

#: Items the page works on; a larger run is shown through an even subset (said on the page).
MAX_ITEMS = 5000
#: Font sizes for a projector.
FONT, TITLE = 16, 18
STAR, EDGE, NEIGHBOUR, NEW = "#d62728", "#222222", "#000000", "#9467bd"
#: Parameters a source without a run starts from (ParametricUMAP's defaults).
DEFAULTS = {"n_neighbors": 15, "metric": "euclidean", "min_dist": 0.1, "spread": 1.0,
            "negative_sample_rate": 5, "repulsion_strength": 1.0, "set_op_mix_ratio": 1.0,
            "local_connectivity": 1.0}


@dataclass(frozen=True, eq=False)
class Source:
    """The items the page explains: features, a map, pictures and parameters.

    key : str, names the source (the cache key of its graph)
    rows : int array (m,), the items' rows in the run or dataset (all of them up to MAX_ITEMS)
    X : float32 array (m, d)
    points : DataFrame (m rows) with x, y, label (when known) and the data's columns
    pictures : Thumbnails or None, indexed by the original rows
    params : dict, the parameters of the run (or DEFAULTS)
    run : Run or None, with a model for step 5
    layout : str, how the map was made, said on the page
    """

    key: str
    name: str
    rows: np.ndarray
    X: np.ndarray
    points: pd.DataFrame
    pictures: Any
    params: dict
    run: Run | None
    layout: str

    def picture(self, item: int) -> bytes | None:
        """The PNG of item ``item`` (a position in ``rows``), or None."""
        return None if self.pictures is None else self.pictures[int(self.rows[item])]

    def label(self, item: int) -> str:
        return str(self.points["label"].iloc[item]) if "label" in self.points else ""

    def caption(self, item: int) -> str:
        """``item 12 · label 3`` (without labels, ``item 12``)."""
        label = self.label(item)
        return f"item {item}" + (f" · label {label}" if label else "")


def _subset(n: int) -> np.ndarray:
    return np.arange(n)[:: max(1, -(-n // MAX_ITEMS))]


def run_source(run: Run) -> Source:
    """A trained run: its training rows (features.npy), its map and its parameters.

    Raises
    ------
    ModelFileError
        The run keeps no training rows.
    """
    data = run.training_data()
    rows = _subset(len(run.points))
    note = "" if len(rows) == len(run.points) else (
        f" (every {rows[1]}th of its {len(run.points):,} items)")
    return Source(key=f"run:{run.id}", name=run.name, rows=rows,
                  X=np.asarray(data.X[rows], dtype=np.float32),
                  points=run.points.iloc[rows].reset_index(drop=True),
                  pictures=run.thumbnails, params={**DEFAULTS, **run.params}, run=run,
                  layout=f"The map of run “{run.name}”{note}.")


@st.cache_resource(max_entries=4, show_spinner="Finding every item's neighbours…")
def _graph(key: str, k: int, metric: str, local_connectivity: float,
           _X: np.ndarray) -> GraphSteps:
    return explain_graph(_X, k, metric, local_connectivity=local_connectivity)


def graph_steps(source: Source, k: int) -> GraphSteps:
    """The neighbours and weights of the source's items for ``k`` (one copy per server)."""
    p = source.params
    return _graph(source.key, int(k), str(p["metric"]), float(p["local_connectivity"]),
                  source.X)


def dataset_source(ds: Any) -> Source:
    """The loaded dataset, mapped by the spectral layout of its graph (UMAP's starting point,
    no training: a few seconds at most)."""
    rows = _subset(len(ds.X))
    X = np.asarray(ds.X[rows], dtype=np.float32)
    # the checksum tells two datasets of one name apart (a new upload of "table.csv")
    key = f"dataset:{ds.name}:{X.shape}:{float(X[:200].sum()):.6g}"
    steps = _graph(key, DEFAULTS["n_neighbors"], DEFAULTS["metric"], 1.0, X)
    xy = _layout(key, steps.graph(1.0), X)
    table = ds.table.iloc[rows].reset_index(drop=True)
    points = pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1]})
    if ds.labels is not None:
        points["label"] = np.asarray(ds.labels, dtype=object)[rows]
    points = pd.concat([points, table.drop(columns=[c for c in table.columns
                                                    if c in points.columns])], axis=1)
    note = "" if len(rows) == len(ds.X) else f" (every {rows[1]}th item)"
    return Source(key=key, name=ds.name, rows=rows, X=X, points=points,
                  pictures=ds.thumbnails, params=dict(DEFAULTS), run=None,
                  layout=f"“{ds.name}”{note}, laid out by the spectral layout of its graph: "
                         "where UMAP starts, before any training (train a run to see the "
                         "trained map and step 5).")


@st.cache_resource(max_entries=4, show_spinner="Laying the map out…")
def _layout(key: str, _graph_matrix: Any, _X: np.ndarray) -> np.ndarray:
    return spectral_layout(_graph_matrix, 2, _X, seed=0)


def png_uri(png: bytes | None) -> str | None:
    return None if png is None else "data:image/png;base64," + base64.b64encode(png).decode()


def neighbour_table(source: Source, hood: Neighbourhood) -> pd.DataFrame:
    """One line per neighbour: its picture (or its first columns), label, distance, weight."""
    frame = pd.DataFrame({"item": hood.neighbours})
    if source.pictures is not None:
        frame["picture"] = [png_uri(source.picture(j)) for j in hood.neighbours]
    if "label" in source.points:
        frame["label"] = [source.label(j) for j in hood.neighbours]
    frame["distance"] = hood.distances
    frame["weight"] = hood.weights
    if source.pictures is None:
        for c in [c for c in data_columns(source.points) if c != "label"][:4]:
            frame[c] = source.points[c].iloc[hood.neighbours].to_numpy()
    return frame


def edge_table(source: Source, edges: Edges) -> pd.DataFrame:
    frame = pd.DataFrame({"item": edges.others})
    if "label" in source.points:
        frame["label"] = [source.label(j) for j in edges.others]
    frame["its own view"] = edges.own
    frame["the other's view"] = edges.theirs
    frame["after the union"] = edges.combined
    return frame


def _style(fig: go.Figure, title: str, height: int) -> go.Figure:
    fig.update_layout(height=height, font=dict(size=FONT), hovermode="closest",
                      title=dict(text=title, font_size=TITLE),
                      margin=dict(l=10, r=10, t=48, b=10))
    return fig


def _map(points: pd.DataFrame, title: str, height: int, fade: float = 0.35) -> go.Figure:
    fig = go.Figure(label_traces(points, 5 if len(points) < 3000 else 3))
    fig.update_traces(marker_opacity=fade, unselected=dict(marker=dict(opacity=fade)),
                      selected=dict(marker=dict(opacity=fade)))
    fig.update_layout(clickmode="event+select", dragmode="pan",
                      legend=dict(title=dict(text="label"), itemsizing="constant"))
    # frame all but the farthest 0.5 % at each end (a few outliers would squash the rest)
    (x0, y0), (x1, y1) = np.percentile(points[["x", "y"]].to_numpy(), [0.5, 99.5], axis=0)
    pad_x, pad_y = 0.06 * (x1 - x0 or 1.0), 0.06 * (y1 - y0 or 1.0)
    fig.update_xaxes(showticklabels=False, zeroline=False, title=None,
                     range=[x0 - pad_x, x1 + pad_x])
    fig.update_yaxes(showticklabels=False, zeroline=False, title=None, scaleanchor="x",
                     scaleratio=1, range=[y0 - pad_y, y1 + pad_y])
    return _style(fig, title, height)


def _mark(fig: go.Figure, points: pd.DataFrame, rows: Any, name: str, symbol: str, size: int,
          colour: str, text: list[str] | None = None) -> None:
    rows = np.atleast_1d(rows)
    fig.add_trace(go.Scatter(x=points["x"].iloc[rows], y=points["y"].iloc[rows],
                             mode="markers", name=name, text=text, hoverinfo="text+name",
                             marker=dict(symbol=symbol, size=size, color=colour,
                                         line=dict(width=2, color="black"))))


def _lines(fig: go.Figure, points: pd.DataFrame, point: int, others: np.ndarray,
           weights: np.ndarray, name: str) -> None:
    """One line per edge, as thick as its weight (0 → 1 px, 1 → 9 px)."""
    x0, y0 = points["x"].iloc[point], points["y"].iloc[point]
    for j, w in zip(others, weights):
        if w <= 0:
            continue
        fig.add_trace(go.Scatter(x=[x0, points["x"].iloc[j]], y=[y0, points["y"].iloc[j]],
                                 mode="lines", line=dict(width=1 + 8 * float(w), color=EDGE),
                                 opacity=0.75, name=name, legendgroup=name, showlegend=False,
                                 hoverinfo="text", text=[f"weight {w:.2f}"] * 2))


def neighbour_map(source: Source, hood: Neighbourhood, title: str) -> go.Figure:
    """The whole map, the chosen item as a star and its neighbours ringed, joined by lines."""
    points = source.points
    fig = _map(points, title, 560)
    _lines(fig, points, hood.point, hood.neighbours, hood.weights, "edge")
    _mark(fig, points, hood.neighbours, "neighbours", "circle-open", 13, NEIGHBOUR,
          [f"item {j}: distance {d:.3g}" for j, d in zip(hood.neighbours, hood.distances)])
    _mark(fig, points, hood.point, "chosen item", "star", 22, STAR, [f"item {hood.point}"])
    return fig


def _zoom(fig: go.Figure, points: pd.DataFrame, rows: np.ndarray) -> None:
    """Frame the rows (at least a fifth of the map) so that the lines can be told apart."""
    xy = points[["x", "y"]].to_numpy()
    low, high = xy[rows].min(axis=0), xy[rows].max(axis=0)
    side = max(float(np.max(high - low)) * 1.3, 0.2 * float(np.max(np.ptp(xy, axis=0))))
    centre = (low + high) / 2
    fig.update_xaxes(range=[centre[0] - side / 2, centre[0] + side / 2])
    fig.update_yaxes(range=[centre[1] - side / 2, centre[1] + side / 2])


def edges_map(source: Source, point: int, edges: Edges, which: str, title: str) -> go.Figure:
    """The chosen item's edges (``which``: "own" or "combined"), zoomed on them."""
    points = source.points
    weights = edges.own if which == "own" else edges.combined
    fig = _map(points, title, 460, fade=0.25)
    fig.update_layout(showlegend=False)
    _lines(fig, points, point, edges.others, weights, which)
    shown = edges.others[weights > 0]
    _mark(fig, points, shown, "linked", "circle", 9, NEIGHBOUR,
          [f"item {j}: weight {w:.2f}" for j, w in zip(shown, weights[weights > 0])])
    _mark(fig, points, point, "chosen item", "star", 22, STAR, [f"item {point}"])
    _zoom(fig, points, np.append(edges.others, point))
    return fig


def kernel_figure(hood: Neighbourhood) -> go.Figure:
    """Weight against data distance: 1 up to ρ, then exp(-(d - ρ) / σ); the neighbours as dots."""
    d = np.linspace(0, float(hood.distances.max()) * 1.15, 200)
    fig = go.Figure([
        go.Scatter(x=d, y=hood.kernel(d), mode="lines", name="exp(-(d − ρ) / σ)",
                   line=dict(width=3, color="#1f77b4")),
        go.Scatter(x=hood.distances, y=hood.weights, mode="markers", name="neighbours",
                   marker=dict(size=12, color=NEIGHBOUR), text=[f"item {j}" for j in
                                                                hood.neighbours])])
    fig.add_vline(x=hood.rho, line_dash="dash", annotation_text="ρ", annotation_font_size=FONT)
    fig.update_xaxes(title="distance in the data", rangemode="tozero")
    fig.update_yaxes(title="weight", range=[0, 1.08])
    fig.update_layout(legend=dict(orientation="h", y=-0.25))
    return _style(fig, "Each neighbour's weight", 340)


def curve_figure(fit: CurveFit) -> go.Figure:
    fig = go.Figure([
        go.Scatter(x=fit.x, y=fit.target, mode="lines", name="target: 1, then exp(−(d − "
                   "min_dist) / spread)", line=dict(width=3, dash="dash", color="#7f7f7f")),
        go.Scatter(x=fit.x, y=fit.fitted, mode="lines", name="1 / (1 + a·d^(2b))",
                   line=dict(width=4, color="#d62728"))])
    fig.add_vline(x=fit.min_dist, line_dash="dot", annotation_text="min_dist",
                  annotation_font_size=FONT)
    fig.update_xaxes(title="distance on the map", range=[0, float(fit.x[-1])])
    fig.update_yaxes(title="how close they look", range=[0, 1.05])
    fig.update_layout(legend=dict(orientation="h", y=-0.22))
    return _style(fig, f"a = {fit.a:.3f}, b = {fit.b:.3f}", 420)


def loss_figure(curves: LossCurves) -> go.Figure:
    fig = go.Figure([
        go.Scatter(x=curves.d, y=curves.attraction, mode="lines",
                   line=dict(width=4, color="#1f77b4"), name="pull: an edge, −log q(d)"),
        go.Scatter(x=curves.d, y=curves.repulsion, mode="lines",
                   line=dict(width=4, color="#ff7f0e"),
                   name=f"push: one negative sample × {curves.repulsion_strength:g}, "
                        "−log(1 − q(d))")])
    top = float(min(8.0, max(curves.attraction.max(), curves.repulsion[curves.d > 0.2].max())))
    fig.update_xaxes(title="distance of the two points on the map")
    fig.update_yaxes(title="loss", range=[0, top * 1.05])
    fig.update_layout(legend=dict(orientation="h", y=-0.22))
    return _style(fig, "Loss of one pair", 420)


def partner(source: Source, item: int) -> int:
    """An item to blend with ``item``: the most similar one of another label (the farthest
    one without labels)."""
    dist = np.linalg.norm(source.X - source.X[item], axis=1)
    if "label" in source.points:
        other = (source.points["label"].astype(str) != source.label(item)).to_numpy()
        if other.any():
            return int(np.flatnonzero(other)[np.argmin(dist[other])])
    return int(np.argmax(dist))


def layers_table(layers: list) -> pd.DataFrame:
    return pd.DataFrame({"layer": [layer.name for layer in layers],
                         "kind": [layer.kind for layer in layers],
                         "outputs": [layer.output for layer in layers],
                         "weights": [layer.parameters for layer in layers]})


def new_item_map(source: Source, where: np.ndarray, near: np.ndarray, parents: tuple[int, int],
                 title: str) -> go.Figure:
    """The map, the new item where the network puts it, its nearest training items ringed."""
    points = source.points
    fig = _map(points, title, 520)
    _mark(fig, points, np.asarray(parents), "the two items blended", "diamond", 14, "#ffffff")
    _mark(fig, points, near, "nearest training items", "circle-open", 13, NEIGHBOUR,
          [f"item {j}" for j in near])
    fig.add_trace(go.Scatter(x=[float(where[0])], y=[float(where[1])], mode="markers",
                             name="new item", hoverinfo="name",
                             marker=dict(symbol="star", size=24, color=NEW,
                                         line=dict(width=2, color="black"))))
    return fig
