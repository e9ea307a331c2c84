"""Explore page helpers: colouring, hover text, thumbnails atlas, selection summary and export."""

from __future__ import annotations

import html
import io
import zipfile

import numpy as np
import pandas as pd
import streamlit as st

from pumap_core.workspace import Run
from studio.scatter import make_atlas, publish_atlas

COORDS = ("x", "y")
# Above this many distinct values a numeric column is coloured with a continuous scale.
MAX_CATEGORIES = 30
HOVER_COLUMNS = 6
GALLERY = 60


def data_columns(points: pd.DataFrame) -> list[str]:
    """Columns a user may colour by or see on hover (not the coordinates)."""
    return [c for c in points.columns if c not in COORDS and not (c.startswith("c") and c[1:].isdigit())]


def color_spec(values: pd.Series, mode: str) -> tuple[list, str]:
    """(values, "categorical" | "continuous"): auto picks continuous for many-valued numbers."""
    numeric = pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values)
    if mode == "auto":
        mode = "continuous" if numeric and values.nunique() > MAX_CATEGORIES else "categorical"
    if mode == "continuous" and numeric:
        return values.astype(float).tolist(), "continuous"
    return values.astype(str).tolist(), "categorical"


@st.cache_data(show_spinner=False, max_entries=4)
def hover_texts(run_id: str, _points: pd.DataFrame, columns: tuple[str, ...]) -> list[str]:
    """One short HTML line set per point: row number then the chosen columns.

    Cached by run id and columns (run ids are unique), so a selection or zoom rerun does not
    rebuild tens of thousands of strings.
    """
    points = _points
    shown = columns[:HOVER_COLUMNS]
    parts = [("row", pd.Series(np.arange(len(points)), index=points.index).astype(str))]
    for col in shown:
        parts.append((col, points[col].astype(str).str.slice(0, 40)))
    lines = [f"<b>{html.escape(name)}</b>: " + vals.map(html.escape) for name, vals in parts]
    text = lines[0]
    for line in lines[1:]:
        text = text + "<br>" + line
    return text.tolist()


def atlas_for(run: Run) -> dict | None:
    """Publish the run's thumbnails as one sprite sheet (once per session and run)."""
    if not run.thumbnails:
        return None
    entry = st.session_state.get("explore.atlas")
    if entry is None or entry["run_id"] != run.id:  # one atlas per session: they can be large
        cell = 32 if len(run.thumbnails) <= 20000 else 16
        png, cols = make_atlas(run.thumbnails, cell=cell)
        entry = {"run_id": run.id, "png": png, "cols": cols, "cell": cell}
        st.session_state["explore.atlas"] = entry
    # publish on every run: it is a no-op when the file is there, and it survives tmp cleaners
    return {"url": publish_atlas(entry["png"]), "cols": entry["cols"], "cell": entry["cell"]}


def selection_frame(run: Run, rows: list[int]) -> pd.DataFrame:
    """The selected points with their row id, coordinates and every original column."""
    frame = run.points.iloc[rows].copy()
    frame.insert(0, "row", rows)
    return frame


def thumbnails_zip(run: Run, rows: list[int]) -> bytes:
    """A zip of the selected items' thumbnails, in sub-folders by label when there is one."""
    buf = io.BytesIO()
    labels = run.points["label"].astype(str) if "label" in run.points else None
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for i in rows:
            folder = f"{labels.iloc[i]}/" if labels is not None else ""
            zf.writestr(f"{folder}{i}.png", run.thumbnails[i])
    return buf.getvalue()


def show_selection(run: Run, rows: list[int]) -> None:
    """Counts per label, a gallery or a table of the selected items, and downloads."""
    st.subheader(f"Selection: {len(rows):,} items")
    frame = selection_frame(run, rows)
    if "label" in frame:
        counts = frame["label"].astype(str).value_counts()
        st.dataframe(counts.rename("items").to_frame().T, width="stretch")
    if run.thumbnails:
        shown = rows[:GALLERY]
        caption = frame["label"].astype(str).tolist()[:GALLERY] if "label" in frame else None
        st.image([run.thumbnails[i] for i in shown], caption=caption, width=64)
        if len(rows) > GALLERY:
            st.caption(f"Showing the first {GALLERY} of {len(rows):,}.")
    else:
        st.dataframe(frame, width="stretch", height=300)
    c1, c2 = st.columns(2)
    c1.download_button("Download selection (CSV)", frame.to_csv(index=False).encode(),
                       file_name=f"{run.name}-selection.csv", mime="text/csv",
                       key="explore.download_csv")
    if run.thumbnails:
        c2.download_button("Download images (zip)", thumbnails_zip(run, rows),
                           file_name=f"{run.name}-selection.zip", mime="application/zip",
                           key="explore.download_zip")
