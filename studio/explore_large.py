"""Explore for maps read out of core: the same controls as for other runs, over a
:class:`~pumap_core.large_map.LargeMap` (datashader over Dask), never the whole map in pandas.

Colouring, search, the value filter and selections are questions asked of the Parquet parts
(:class:`~pumap_core.large_map.RowFilter`); their answers are kept in the shared map object, so
a zoom or another session does not ask again. Widget keys are the Explore page's.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import streamlit as st

from pumap_core.large_map import LargeMap
from pumap_core.row_filter import RowFilter
from pumap_core.runs import RunInfo, Workspace
from pumap_core.runs.parquet_map import check_files
from pumap_core.runs.points import hover_columns, is_coordinate
from studio import explore_url
from studio.downloads import safe_file_name
from studio.errors import user_errors
from studio.explore_view import (COLOR_SCALES, MAX_FILTER_VALUES, counts_frame, palettes,
                                 show_label_counts)
from studio.priority import foreground
from studio.scatter.large import large_scatter_map
from studio.shared_runs import shared_large_map

#: Rows listed in the selection's table; the CSV export stops at EXPORT_ROWS.
TABLE_ROWS = 1_000
EXPORT_ROWS = 1_000_000
PICKED = "explore.large_picked"


def data_columns(lmap: LargeMap) -> list[str]:
    return [c for c in lmap.columns if not is_coordinate(c)]


def text_columns(lmap: LargeMap) -> list[str]:
    """Columns searched for text: all but floats (numbers are found by their value filter)."""
    import pandas as pd

    return [c for c in data_columns(lmap) if not pd.api.types.is_float_dtype(lmap.dtypes[c])]


def filter_choices(lmap: LargeMap) -> dict[str, list[str]]:
    """Columns with at most MAX_FILTER_VALUES distinct values and those values, as text.
    (A column of ids stops being counted at its first part.)"""
    out = {}
    for col in text_columns(lmap):
        values = lmap.distinct(col, MAX_FILTER_VALUES)
        if values is not None:
            out[col] = sorted(map(str, values), key=lambda v: (len(v), v))
    return out


@st.cache_resource(max_entries=8, show_spinner=False)
def default_hover(map_id: str, _lmap: LargeMap) -> list[str]:
    """The tooltip's first columns (:func:`~pumap_core.runs.points.hover_columns`) of the map
    ``map_id``, judged on its first 2,000 rows: a column equal to another there is taken for
    a copy of it (reading every part to be sure would take minutes)."""
    first = _lmap.take(range(min(_lmap.n, 2000)), data_columns(_lmap))
    return hover_columns(first.drop(columns="row"))


def explore_large(ws: Workspace, info: RunInfo, link: Mapping[str, Any], bar: Sequence[Any]
                  ) -> None:
    """The Explore page for a map read out of core; ``bar`` is the page's
    :func:`~studio.explore_view.toolbar` (its first column holds the run picker)."""
    lmap = None
    with user_errors():
        lmap = shared_large_map(ws, info.id)
    if lmap is None:
        return
    columns = data_columns(lmap)
    options = columns or ["(none)"]
    if st.session_state.get("explore.color") not in options:
        linked = link.get("color")
        st.session_state["explore.color"] = (linked if linked in columns else
                                             "label" if "label" in columns else options[0])
        if link:
            st.session_state["explore.query"] = link.get("q", "")
    query = bar[1].text_input("Search", key="explore.query", placeholder="text in any column",
                              help="Points whose values contain this text (any column, any "
                                   "case) are highlighted.")
    with bar[2].popover("Colour", width="stretch", help="Colour by a column, palette, scale."):
        color_col = st.selectbox("Colour by", options, key="explore.color",
                                 help="Categories get distinct colours; numbers with many "
                                      "values get a colour scale.")
        mode = st.selectbox("Colours", ["auto", "categorical", "continuous"],
                            key="explore.color_mode")
        with st.spinner("Reading the column's values…"):
            colour = lmap.colour(color_col if columns else None, mode)
        if colour.kind == "continuous":
            scale = st.selectbox("Colour scale", COLOR_SCALES, key="explore.scale")
            palette = palettes()["tab20"]
        else:
            scale = "Viridis"
            palette = palettes()[st.selectbox("Palette", list(palettes()),
                                              key="explore.palette")]

    choices = filter_choices(lmap)
    with bar[3].popover("Filter · hover", width="stretch",
                        help="Highlight only some values; pick the columns the tooltip lists."):
        filter_col = st.selectbox("Only where", ["(any)"] + list(choices),
                                  key="explore.filter_col")
        only: list[str] = []
        if filter_col != "(any)":
            linked = [v for v in (link.get("only") or "").split("|") if v in choices[filter_col]]
            only = st.multiselect(f"{filter_col} is", choices[filter_col],
                                  default=linked or None, key=f"explore.only.{filter_col}")
        hover_cols = st.multiselect("Shown on hover", columns, default=default_hover(
                                        f"{info.id}|{ws.stamp(info.id)}", lmap),
                                    key="explore.hover",
                                    help="Constant and repeated columns are left out at first.")
    search = RowFilter(query=query.strip(), text_columns=tuple(text_columns(lmap)),
                       column=filter_col if only else None, values=tuple(only))
    search = None if search.is_empty else search

    @st.fragment
    @foreground()
    def map_and_selection() -> None:
        initial = None
        if link:
            initial = {"range": explore_url.decode_range(link),
                       "spec": explore_url.decode_spec(link.get("sel"))}
        key = f"explore.map.{info.id}"
        value = st.session_state.get(key) or initial or {}
        picked = RowFilter.from_spec(value.get("spec"))
        in_table = st.session_state.get(PICKED) or ()  # rows picked in the selection's table
        with user_errors(), st.spinner("Drawing the map…"):
            check_files(lmap.index)  # a zoom, long after the page opened: files still there?
            event = large_scatter_map(
                lmap, key=key, data_id=f"{info.id}|{ws.stamp(info.id)}", colour=colour,
                palette=palette, colorscale=scale, hover_columns=hover_cols,
                emphasis=RowFilter(rows=in_table) if in_table else picked or search,
                initial=initial, height=600, color_title=color_col if columns else "")
            st.caption(f"A datashader image of all {lmap.n:,} points, read out of core: zoom "
                       "in for detail, hover for any point. Drag to select a box (lasso in "
                       "the tool bar), click a point, click the map (or hold Ctrl) to zoom "
                       "with the wheel, double-click to see the whole map.")
            if search is not None:
                st.caption(f"{lmap.count(search):,} of {lmap.n:,} points match the search "
                           "and filter and are highlighted.")
            x0, x1, y0, y1 = lmap.extent()
            st.query_params.from_dict(explore_url.view_params(
                run_id=info.id, color=color_col if columns else None, query=query, only=only,
                rng=(event or {}).get("range") or (initial or {}).get("range"),
                spec=(event or {}).get("spec"), extent_span=max(x1 - x0, y1 - y0)))
            chosen = RowFilter.from_spec((event or {}).get("spec")) or picked
            source = "Selected on the map."
            if chosen is None and search is not None and st.toggle(
                    "Use the matches as the selection", key="explore.use_matches"):
                chosen, source = search, "The points matching the search and filter."
            new_pick: tuple[int, ...] = ()
            if chosen is None:
                st.caption("Select points on the map to see them here and export them.")
            else:
                new_pick = show_selection(lmap, info, chosen, source)
            if new_pick != in_table:
                st.session_state[PICKED] = new_pick
                redraw_map()  # rows picked in the table: highlight them

    map_and_selection()


def redraw_map() -> None:
    """Run the map's fragment again; in a whole-page run (a selection that changed with a
    widget), the page."""
    from streamlit.errors import StreamlitAPIException

    try:
        st.rerun(scope="fragment")
    except StreamlitAPIException:  # not a fragment run
        st.rerun()


def show_selection(lmap: LargeMap, info: RunInfo, chosen: RowFilter, source: str
                   ) -> tuple[int, ...]:
    """Counts per label, the first rows, and a CSV of the selection (capped).

    Returns the rows picked in the table (to highlight on the map), maybe none."""
    with st.spinner("Counting the selection…"):
        summary = lmap.summary(chosen, first=TABLE_ROWS)
    st.subheader(f"Selection: {summary.count:,} items")
    st.caption(source)
    if summary.per_label is not None and len(summary.per_label):
        left, _ = st.columns([1, 2])
        with left:
            show_label_counts(counts_frame(summary.per_label))
    capped = summary.count > EXPORT_ROWS
    st.download_button("Download selection (CSV)",
                       lambda: "".join(lmap.csv_chunks(chosen, EXPORT_ROWS)).encode("utf-8"),
                       file_name=safe_file_name(f"{info.name}-selection", ".csv"),
                       mime="text/csv",
                       key="explore.download_csv", on_click="ignore",
                       help=f"At most {EXPORT_ROWS:,} rows." if capped else None)
    if capped:
        st.caption(f"The CSV holds the first {EXPORT_ROWS:,} of the {summary.count:,} selected "
                   "rows; select less, or read the Parquet files directly for all of them.")
    if summary.count > len(summary.first):
        st.caption(f"The table lists the first {len(summary.first):,} rows.")
    table = st.dataframe(summary.first, width="stretch", height=300, hide_index=True,
                         on_select="rerun", selection_mode="multi-row",
                         key=f"explore.table.{info.id}.{hash(chosen)}")
    positions = list(getattr(table, "selection", {}).get("rows", []) if table else [])
    if positions:
        st.caption(f"{len(positions):,} rows picked in the table are highlighted on the map.")
    return tuple(int(r) for r in summary.first["row"].to_numpy()[positions])


__all__ = ["explore_large", "filter_choices", "show_selection"]
