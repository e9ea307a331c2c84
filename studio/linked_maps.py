"""The Runs page's maps side by side, linked: a box or lasso selection on one map highlights the
same items in every other (runs of the same data), the rest faded."""

from __future__ import annotations

from typing import Sequence

import numpy as np
import streamlit as st

from pumap_core.runs import RunInfo, Workspace
from studio.run_plots import compare_maps
from studio.runs_view import label_for
from studio.shared_runs import shared_run

KEY = "runs.maps"


def same_data(infos: Sequence[RunInfo]) -> bool:
    """Whether the runs map the same items (so item k of one is item k of another)."""
    return len({(i.dataset_name, i.n_items) for i in infos}) == 1


def linked_maps(infos: Sequence[RunInfo]) -> np.ndarray | None:
    """Draw the runs' maps; returns the items selected on any of them (None: no selection)."""
    ws = Workspace()
    points = [shared_run(ws, i.id).points for i in infos]
    linked = len(infos) > 1 and same_data(infos)
    titles = [label_for(i) for i in infos]
    fig = compare_maps(points, titles)
    picked = _picked(st.session_state.get(KEY), fig) if linked else None
    if picked is not None:
        fig = compare_maps(points, titles, highlight=picked)
    st.plotly_chart(fig, key=KEY, on_select="rerun" if linked else "ignore",
                    selection_mode=("box", "lasso"))
    if linked:
        st.caption("Drag a box (or a lasso, from the tool bar) on any map: the same items are "
                   "highlighted in every map." + (
                       f" {len(picked):,} items selected; double-click a map to clear."
                       if picked is not None else ""))
    elif len(infos) > 1:
        st.caption("These runs map different data, so a selection is not linked across them.")
    return picked


def _picked(event, fig) -> np.ndarray | None:
    """The item numbers of a plotly selection event on ``fig`` (the figure the event was made
    on, without highlight): each point's trace and index in it name its ``customdata``."""
    points = ((event or {}).get("selection") or {}).get("points") or []
    rows = []
    for p in points:
        try:
            rows.append(int(fig.data[p["curve_number"]].customdata[p["point_index"]]))
        except (KeyError, IndexError, TypeError):
            continue  # a point of a figure that has changed since
    return np.unique(np.array(rows, dtype=np.int64)) if rows else None
