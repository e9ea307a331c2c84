"""Explore page helpers: colouring, search and filter, the selection panel and its exports."""

from __future__ import annotations

import functools
import io
import zipfile

import numpy as np
import pandas as pd
import streamlit as st

from pumap_core.csv_export import to_safe_csv
from pumap_core.runs import Run
from pumap_core.runs.points import data_columns, hover_columns
from studio.downloads import safe_file_name

# Above this many distinct values a numeric column is coloured with a continuous scale.
MAX_CATEGORIES = 30
# Columns with at most this many values can be filtered by picking values.
MAX_FILTER_VALUES = 200
GALLERY = 60
TABLE_ROWS = 5_000  # rows shown in the selection table (the export has them all)
_SEARCH = "explore.search_cache"


def palettes() -> dict[str, list[str]]:
    """Categorical palettes by name; ours (tab20, strong colours first) is the default."""
    from plotly.colors import qualitative

    from studio.scatter import PALETTE_20

    return {"tab20": list(PALETTE_20), "Plotly": qualitative.Plotly, "D3": qualitative.D3,
            "Dark24": qualitative.Dark24, "Bold": qualitative.Bold, "Pastel": qualitative.Pastel}


COLOR_SCALES = ("Viridis", "Plasma", "Magma", "Cividis", "Turbo", "Blues")


def color_spec(run: Run, column: str, mode: str) -> tuple[pd.Series, str]:
    """(values, "categorical" | "continuous") of ``column``: auto picks continuous for
    many-valued numbers. Shared by every session (see :func:`_column_facts`)."""
    return _color_spec(run.id, column, mode, run.points)


@st.cache_resource(max_entries=16, show_spinner=False)
def _color_spec(run_id: str, column: str, mode: str, _points: pd.DataFrame
                ) -> tuple[pd.Series, str]:
    values = _points[column]
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if mode == "auto":
        mode = "continuous" if numeric and values.nunique() > MAX_CATEGORIES else "categorical"
    if mode == "continuous" and numeric:
        return values.astype(float), "continuous"
    return values, "categorical"


def toolbar() -> list:
    """One row of controls above the map (run, search, colour, filter and hover), so that the
    map starts near the top of the page; the colour and filter settings fold into popovers."""
    return st.columns([3, 3, 1.4, 1.6], vertical_alignment="bottom")


def default_hover(run: Run) -> list[str]:
    """The tooltip's columns until the user picks others (:func:`hover_columns`), kept per run:
    comparing columns of a million rows takes a moment, and every zoom is a rerun."""
    return _default_hover(run.id, run.points)


@st.cache_resource(max_entries=8, show_spinner=False)
def _default_hover(run_id: str, _points: pd.DataFrame) -> list[str]:
    return hover_columns(_points)


def counts_frame(counts: pd.Series) -> pd.DataFrame:
    """``counts`` (label → items) as a table, most first, with each label's share."""
    counts = counts.sort_values(ascending=False, kind="stable")
    total = max(int(counts.sum()), 1)
    return pd.DataFrame({"label": counts.index.astype(str), "items": counts.to_numpy(),
                         "share": counts.to_numpy() / total})


def show_label_counts(table: pd.DataFrame) -> None:
    """The per-label counts as a table with a bar per label, every row visible up to 20."""
    st.dataframe(table, hide_index=True, width="stretch",
                 height=35 * (min(len(table), 20) + 1) + 3,
                 column_config={"label": st.column_config.TextColumn("label"),
                                "items": st.column_config.NumberColumn("items", format="%d"),
                                "share": st.column_config.ProgressColumn(
                                    "share", format="percent", min_value=0.0, max_value=1.0)})


def filter_choices(run: Run) -> dict[str, list[str]]:
    """Columns with few distinct values, and their values (as text), for the value filter.

    Shared by every session and kept: counting the distinct values of a million rows takes a
    second, and every zoom is a rerun. Run ids are never reused, and points never change.
    """
    return _filter_choices(run.id, run.points)


@st.cache_resource(max_entries=8, show_spinner=False)
def _filter_choices(run_id: str, _points: pd.DataFrame) -> dict[str, list[str]]:
    out = {}
    for col in data_columns(_points):
        s = _points[col]
        # The first rows settle most columns (ids, names, scores) without hashing them all.
        if (s.iloc[:20_000].nunique(dropna=True) <= MAX_FILTER_VALUES
                and s.nunique(dropna=True) <= MAX_FILTER_VALUES):
            out[col] = sorted(s.dropna().astype(str).unique().tolist(),
                              key=lambda v: (len(v), v))
    return out


def text_columns(points: pd.DataFrame) -> list[str]:
    return [c for c in data_columns(points) if not pd.api.types.is_float_dtype(points[c])]


def matching_rows(run: Run, query: str, column: str | None, values: list[str]) -> np.ndarray | None:
    """Rows whose text contains ``query`` (any text column, case-insensitive) and whose
    ``column`` is one of ``values``; None when neither filter is set.

    Kept for the last (run, query, filter) in the session: a rerun for a zoom or a selection
    must not search a million rows again.
    """
    query = query.strip()
    if not query and not (column and values):
        return None
    ident = (run.id, query.lower(), column, tuple(values))
    cached = st.session_state.get(_SEARCH)
    if cached is not None and cached[0] == ident:
        return cached[1]
    points = run.points
    mask = np.ones(len(points), dtype=bool)
    if column and values:
        mask &= points[column].astype(str).isin(values).to_numpy()
    if query:
        hit = np.zeros(len(points), dtype=bool)
        for col in text_columns(points):
            text = points[col].astype(str)
            hit |= text.str.contains(query, case=False, regex=False, na=False).to_numpy()
        mask &= hit
    rows = np.flatnonzero(mask)
    st.session_state[_SEARCH] = (ident, rows)
    return rows


def selection_frame(run: Run, rows: np.ndarray) -> pd.DataFrame:
    """The selected points with their row id, coordinates and every original column."""
    frame = run.points.iloc[rows].copy()
    frame.insert(0, "row", rows)
    return frame


def selection_csv(run: Run, rows: np.ndarray) -> bytes:
    """The selection as CSV (UTF-8), safe to open in a spreadsheet (no live formulas)."""
    return to_safe_csv(selection_frame(run, rows)).encode("utf-8")


def thumbnails_zip(run: Run, rows: np.ndarray) -> bytes:
    """A zip of the selected items' thumbnails, in sub-folders by label when there is one."""
    buf = io.BytesIO()
    labels = run.points["label"].astype(str) if "label" in run.points else None
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for i in np.asarray(rows).tolist():
            folder = f"{labels.iloc[i]}/" if labels is not None else ""
            zf.writestr(f"{folder}{i}.png", run.thumbnails[i])
    return buf.getvalue()


def show_selection(run: Run, rows: np.ndarray, *, source: str) -> np.ndarray:
    """Counts per label, a gallery and a table of the selected items, and downloads.

    Returns the rows the user picked in the table (to highlight on the map), maybe empty.
    """
    st.subheader(f"Selection: {len(rows):,} items")
    st.caption(source)
    frame = selection_frame(run, rows)
    counts, gallery = st.columns([1, 2]) if "label" in frame and run.thumbnails else (
        st.container(), st.container())
    if "label" in frame:
        with counts:
            show_label_counts(counts_frame(frame["label"].astype(str).value_counts()))
    if run.thumbnails:
        shown = rows[:GALLERY]
        caption = frame["label"].astype(str).tolist()[:GALLERY] if "label" in frame else None
        gallery.image([run.thumbnails[int(i)] for i in shown], caption=caption, width=64)
        if len(rows) > GALLERY:
            gallery.caption(f"Showing the first {GALLERY} of {len(rows):,}.")
    c1, c2 = st.columns(2)
    # Callables: the files are made when the button is clicked, not on every rerun.
    c1.download_button("Download selection (CSV)", functools.partial(selection_csv, run, rows),
                       file_name=safe_file_name(f"{run.name}-selection", ".csv"), mime="text/csv",
                       key="explore.download_csv", on_click="ignore")
    if run.thumbnails:
        c2.download_button("Download images (zip)", functools.partial(thumbnails_zip, run, rows),
                           file_name=safe_file_name(f"{run.name}-selection", ".zip"),
                           mime="application/zip",
                           key="explore.download_zip", on_click="ignore")
    table = frame.iloc[:TABLE_ROWS]
    if len(frame) > TABLE_ROWS:
        st.caption(f"The table lists the first {TABLE_ROWS:,}; the CSV has all {len(frame):,}.")
    picked = st.dataframe(table, width="stretch", height=300, hide_index=True,
                          on_select="rerun", selection_mode="multi-row",
                          key=f"explore.table.{run.id}.{hash(rows.tobytes())}")
    positions = list(getattr(picked, "selection", {}).get("rows", []) if picked else [])
    if positions:
        st.caption(f"{len(positions):,} rows picked in the table are highlighted on the map.")
    return table["row"].to_numpy()[positions] if positions else np.empty(0, dtype=np.int64)
