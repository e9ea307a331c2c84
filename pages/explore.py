"""Explore: the 2-D map of a run, coloured by any column, with hover previews, search,
selection and export; the view is kept in the URL so that a link reopens it."""

import numpy as np
import streamlit as st

from pumap_core.render import extent
from pumap_core.runs import Workspace
from pumap_core.runs.points import data_columns
from studio import explore_url, state
from studio.priority import foreground
from studio.errors import user_errors
from studio.explore_large import explore_large
from studio.explore_view import (COLOR_SCALES, color_spec, default_hover, filter_choices,
                                 matching_rows, palettes, show_selection, toolbar)
from studio.replay import replay_section
from studio.shared_runs import shared_run
from studio.scatter import RASTER_THRESHOLD, scatter_map
from studio.routing import ensure_app_navigation

ensure_app_navigation()

st.title("Explore")
runs = [r for r in Workspace().list_runs() if r.error is None]
if not runs:
    st.info("No map yet: train one on the Train page (the digits demo takes well under a "
            "minute), or create a synthetic map on the Data page.")
    st.stop()

# A shared link: its view wins once, when the page opens.
url = dict(st.query_params)
ids = [r.id for r in runs]
if not st.session_state.get("explore.url_applied"):
    st.session_state["explore.url_applied"] = True
    if url.get("run") in ids:
        state.put(state.RUN_ID, url["run"])
        st.session_state["explore.run"] = url["run"]
        st.session_state["explore.link"] = url
names = {r.id: f"{r.name} — {r.dataset_name}, {r.n_items:,} items" for r in runs}
current = state.get(state.RUN_ID)
if st.session_state.get("explore.run") not in ids:  # first visit, or its run was deleted
    st.session_state["explore.run"] = current if current in ids else ids[0]
bar = toolbar()  # run, search, colour, filter and hover: one row, the map right below
run_id = bar[0].selectbox("Run", ids, format_func=names.get, key="explore.run",
                      help="Every training is kept as a run; pick which map to explore.")
state.put(state.RUN_ID, run_id)

link = st.session_state.get("explore.link") or {}
link = link if link.get("run") == run_id else {}
if Workspace().is_out_of_core(next(r for r in runs if r.id == run_id)):
    explore_large(Workspace(), next(r for r in runs if r.id == run_id), link, bar)  # out of core
    st.stop()

run = None
with user_errors():
    run = shared_run(Workspace(), run_id)
if run is None:
    st.stop()
columns = data_columns(run.points)
choices = filter_choices(run)
if st.session_state.get("explore.color") not in (columns or ["(none)"]):
    linked = link.get("color")
    st.session_state["explore.color"] = (linked if linked in columns else
                                         "label" if "label" in columns else
                                         (columns or ["(none)"])[0])
    if link:
        st.session_state["explore.query"] = link.get("q", "")

query = bar[1].text_input("Search", key="explore.query", placeholder="text in any column",
                         help="Points whose values contain this text (any column, any case) "
                              "are highlighted.")
with bar[2].popover("Colour", width="stretch", help="Colour by a column, palette, scale."):
    color_col = st.selectbox("Colour by", columns or ["(none)"], key="explore.color",
                             help="Categories get distinct colours; numbers with many values "
                                  "get a colour scale.")
    mode = st.selectbox("Colours", ["auto", "categorical", "continuous"],
                        key="explore.color_mode",
                        help="Force a palette of distinct colours or a continuous colour scale.")
    colors, color_mode = (color_spec(run, color_col, mode) if columns
                          else (None, "categorical"))
    if color_mode == "continuous":
        scale = st.selectbox("Colour scale", COLOR_SCALES, key="explore.scale")
        palette = palettes()["tab20"]
    else:
        scale = "Viridis"
        palette = palettes()[st.selectbox("Palette", list(palettes()), key="explore.palette")]
with bar[3].popover("Filter · hover", width="stretch",
                    help="Highlight only some values; pick the columns the tooltip lists."):
    filter_col = st.selectbox("Only where", ["(any)"] + list(choices), key="explore.filter_col",
                              index=(1 + list(choices).index("label")) if "label" in choices
                              else 0)
    only = []
    if filter_col != "(any)":
        linked = [v for v in (link.get("only") or "").split("|") if v in choices[filter_col]]
        only = st.multiselect(f"{filter_col} is", choices[filter_col], default=linked or None,
                              key=f"explore.only.{filter_col}",
                              help="Highlight only points with these values.")
    hover_cols = st.multiselect("Shown on hover", columns, default=default_hover(run),
                                key="explore.hover",
                                help="Values listed in the tooltip next to the thumbnail "
                                     "(constant and repeated columns are left out at first).")

matches = matching_rows(run, query, filter_col if filter_col != "(any)" else None, only)


@st.fragment
@foreground()  # a fragment run does not pass through app.py's mark
def map_and_selection() -> None:
    """The map and what is selected on it: a zoom or a selection reruns only this part."""
    picked = st.session_state.get("explore.picked")
    highlight = picked if picked is not None and len(picked) else matches
    initial = None
    if link:
        initial = {"range": explore_url.decode_range(link), "spec": explore_url.decode_spec(
            link.get("sel"))}
    x, y = run.points["x"].to_numpy(), run.points["y"].to_numpy()
    event = scatter_map(x, y, key=f"explore.map.{run_id}", data_id=run.id, color=colors,
                        color_mode=color_mode, color_key=f"{color_col}|{mode}",
                        hover=run.points, hover_columns=hover_cols,
                        thumbnails=run.thumbnails, highlight=highlight, initial=initial,
                        palette=palette, colorscale=scale, color_title=color_col, height=600)
    big = len(x) > RASTER_THRESHOLD
    st.caption(("A datashader image of all points: zoom in for detail, hover for any point. "
                if big else "") +
               "Drag to select a box (lasso in the tool bar), click a point, click the map (or "
               "hold Ctrl) to zoom with the wheel, double-click to see the whole map.")
    if matches is not None:
        st.caption(f"{len(matches):,} of {len(x):,} points match the search and filter and "
                   "are highlighted.")

    # The URL follows the view, so that a copied link reopens it.
    x0, x1, y0, y1 = extent(x.astype(np.float32), y.astype(np.float32))
    st.query_params.from_dict(explore_url.view_params(
        run_id=run_id, color=color_col if columns else None, query=query, only=only,
        rng=(event or {}).get("range") or (initial or {}).get("range"),
        spec=(event or {}).get("spec"), extent_span=max(x1 - x0, y1 - y0)))

    rows = event["selection"] if event else np.empty(0, dtype=np.int64)
    source = "Selected on the map."
    if not len(rows) and matches is not None and len(matches) and st.toggle(
            "Use the matches as the selection", key="explore.use_matches"):
        rows, source = matches, "The points matching the search and filter."
    new_pick = show_selection(run, rows, source=source) if len(rows) else None
    if not len(rows):
        st.caption("Select points on the map to see them here and export them.")
    if (new_pick is None) != (picked is None) or (
            new_pick is not None and not np.array_equal(new_pick, picked)):
        st.session_state["explore.picked"] = new_pick
        if new_pick is not None and len(new_pick) or picked is not None and len(picked):
            st.rerun(scope="fragment")  # rows picked in the table: highlight them on the map


map_and_selection()
if st.button("Present this map", key="explore.present", icon=":material/slideshow:",
             help="The map alone, large, with big type: for a projector."):
    st.switch_page("pages/present.py", query_params={"run": run_id})
replay_section(Workspace(), [r for r in runs if r.id == run_id], key="explore")
