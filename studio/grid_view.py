"""The parameter grid's small multiples: one map per (n_neighbors, min_dist), filled in as the
grid's jobs finish, with shared colours (studio/colours.py), shared axes and each cell's
settings; a cell opens its run in Explore.

Maps of different runs have arbitrary position, scale and orientation, so each is centred,
scaled to unit spread and turned (rotation or reflection, orthogonal Procrustes) onto the
first finished cell: differences that remain are the parameters' doing.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from pumap_core.errors import PumapError
from pumap_core.jobs import JobRecord
from pumap_core.jobs.grid import Grid
from pumap_core.runs import Workspace
from studio import state
from studio.colours import categories, colour_map
from studio.job_view import status_line
from studio.service import job_store
from studio.shared_runs import shared_run

CELL_HEIGHT = 300
#: Points drawn per small map (a fixed subset of the items, the same in every cell).
CELL_POINTS = 3000


def normalised(xy: np.ndarray, reference: np.ndarray | None = None) -> np.ndarray:
    """``xy`` centred and scaled to unit RMS spread, and turned onto ``reference`` (same rows,
    already normalised) by the best rotation or reflection."""
    from scipy.linalg import orthogonal_procrustes

    centred = xy - xy.mean(axis=0)
    spread = np.sqrt((centred ** 2).sum(axis=1).mean()) or 1.0
    out = centred / spread
    if reference is not None:
        turn, _ = orthogonal_procrustes(out, reference)
        out = out @ turn
    return out


def grid_panel(grid: Grid) -> None:
    """Draw the grid; refreshes itself every second while a cell's job is unfinished."""
    records = {c["job_id"]: _record(c["job_id"]) for c in grid.cells}
    running = any(r is not None and not r.finished for r in records.values())

    @st.fragment(run_every=1.0 if running else None)
    def panel() -> None:
        now = {job_id: _record(job_id) for job_id in records}
        maps = _maps(grid, now)
        done = sum(1 for r in now.values() if r is not None and r.run_id and r.finished)
        st.caption(f"{done} of {len(grid.cells)} maps ready · shared settings: "
                   + ", ".join(f"{k} = {v}" for k, v in grid.settings.items()))
        legend = _legend(maps)
        if legend:
            st.markdown(legend, unsafe_allow_html=True)
        extent = max((float(np.abs(m[0]).max()) for m in maps.values()), default=2.0) * 1.05
        for k in grid.neighbours:
            columns = st.columns(len(grid.min_dists))
            for column, d in zip(columns, grid.min_dists):
                cell = grid.cell(k, d)
                with column:
                    _cell(cell, now.get(cell["job_id"]), maps.get(cell["job_id"]), extent)
        if not any(r is not None and not r.finished for r in now.values()) and running:
            st.rerun()  # all done: draw once more without the refresh

    panel()


def _record(job_id: str) -> JobRecord | None:
    try:
        return job_store().get(job_id)
    except PumapError:
        return None


def _maps(grid: Grid, records: dict[str, JobRecord | None]
          ) -> dict[str, tuple[np.ndarray, pd.Series | None]]:
    """Normalised coordinates (a fixed subset of rows) and labels of every finished cell."""
    ws, out, reference = Workspace(), {}, None
    for cell in grid.cells:
        record = records.get(cell["job_id"])
        if record is None or not record.finished or not record.run_id:
            continue
        try:
            run = shared_run(ws, record.run_id)
        except PumapError:
            continue
        n = len(run.points)
        rows = np.sort(np.random.default_rng(0).choice(n, min(n, CELL_POINTS), replace=False))
        xy = normalised(run.embedding[rows, :2], reference)
        reference = xy if reference is None else reference
        labels = run.points["label"].iloc[rows] if "label" in run.points else None
        out[cell["job_id"]] = (xy, labels)
    return out


def _legend(maps: dict) -> str:
    """One legend for every cell, as coloured swatches (labels in Explore's order)."""
    labels = next((m[1] for m in maps.values() if m[1] is not None), None)
    if labels is None:
        return ""
    _, names = categories(labels)
    colours = colour_map(names)
    swatches = " ".join(f"<span style='white-space:nowrap;margin-right:0.9em'><span style='"
                        f"display:inline-block;width:0.8em;height:0.8em;border-radius:50%;"
                        f"background:{colours[n]};margin-right:0.3em'></span>{n}</span>"
                        for n in names[:40])
    return f"<div style='font-size:1rem;line-height:1.8'>{swatches}</div>"


def _cell(cell: dict[str, Any], record: JobRecord | None, drawn: Any, extent: float) -> None:
    title = f"k = {cell['n_neighbors']} · min_dist {cell['min_dist']:g}"
    if drawn is None:
        st.markdown(f"**{title}**")
        st.progress(record.progress if record else 0.0,
                    text=status_line(record) if record else "job not found")
        st.container(height=CELL_HEIGHT - 80, border=False)
        return
    xy, labels = drawn
    fig = go.Figure()
    if labels is None:
        fig.add_trace(go.Scattergl(x=xy[:, 0], y=xy[:, 1], mode="markers",
                                   marker=dict(size=3, color="#1f77b4"), hoverinfo="skip"))
    else:
        codes, names = categories(labels)
        colours = np.array([colour_map(names)[n] for n in names])
        fig.add_trace(go.Scattergl(x=xy[:, 0], y=xy[:, 1], mode="markers",
                                   marker=dict(size=3, color=colours[codes]),
                                   text=np.array(names, dtype=object)[codes],
                                   hoverinfo="text"))
    fig.update_layout(height=CELL_HEIGHT - 50, margin=dict(l=5, r=5, t=30, b=5),
                      title=dict(text=title, font_size=15), showlegend=False,
                      dragmode=False)
    fig.update_xaxes(range=[-extent, extent], showticklabels=False, zeroline=False)
    fig.update_yaxes(range=[-extent, extent], showticklabels=False, zeroline=False,
                     scaleanchor="x", scaleratio=1)
    st.plotly_chart(fig, width="stretch", key=f"grid.map.{cell['job_id']}",
                    config={"displayModeBar": False, "scrollZoom": False})
    if st.button("Open in Explore", key=f"grid.open.{cell['job_id']}", width="stretch"):
        state.put(state.RUN_ID, record.run_id)
        st.switch_page("pages/explore.py")
