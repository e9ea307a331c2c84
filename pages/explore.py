"""Explore: the 2-D map of a run, coloured by any column, with hover previews and selection."""

import streamlit as st

from pumap_core.workspace import Workspace
from studio import state
from studio.errors import user_errors
from studio.explore_view import atlas_for, color_spec, data_columns, hover_texts, show_selection
from studio.runs_view import keep_cached, load_run_cached
from studio.scatter import scatter_map

st.title("Explore")
runs = [r for r in Workspace().list_runs() if r.error is None]
if not runs:
    st.info("No map yet: train one on the Train page (the digits demo takes well under a minute).")
    st.stop()

ids = [r.id for r in runs]
names = {r.id: f"{r.name} — {r.dataset_name}, {r.n_items:,} items" for r in runs}
current = state.get(state.RUN_ID)
run_id = st.selectbox("Run", ids, index=ids.index(current) if current in ids else 0,
                      format_func=names.get, key="explore.run",
                      help="Every training is kept as a run; pick which map to explore.")
state.put(state.RUN_ID, run_id)

run = None
keep_cached([run_id])  # one run in memory at a time: a map can be large
with user_errors():
    run = load_run_cached(Workspace(), run_id)
if run is None:
    st.stop()

columns = data_columns(run.points)
c1, c2, c3 = st.columns([2, 1, 3])
default = columns.index("label") if "label" in columns else 0
color_col = c1.selectbox("Colour by", columns or ["(none)"], index=default, key="explore.color",
                         help="Categories get distinct colours; numbers with many values get a "
                              "colour scale.")
mode = c2.selectbox("Colours", ["auto", "categorical", "continuous"], key="explore.color_mode",
                    help="Force a palette of distinct colours or a continuous colour scale.")
hover_cols = c3.multiselect("Shown on hover", columns, default=columns[:4], key="explore.hover",
                            help="Values listed in the tooltip next to the thumbnail.")

colors, color_mode = (color_spec(run.points[color_col], mode) if columns else (None, "categorical"))
hover = hover_texts(run.id, run.points, tuple(hover_cols))
event = scatter_map(run.points["x"].to_numpy(), run.points["y"].to_numpy(), color=colors,
                    color_mode=color_mode, hover=hover,
                    atlas=atlas_for(run), height=620,
                    key=f"explore.map.{run_id}")
st.caption("Drag to select a box (lasso in the tool bar), scroll to zoom, double-click to reset.")

rows = list(event["selection"]) if event else []
if rows:
    show_selection(run, rows)
else:
    st.caption("Select points on the map to see them here and export them.")
