"""Data page section: make a synthetic map of up to a million items and open it in Explore.

The map is kept as a run of the app's workspace (no model) and never replaces the dataset the
user has loaded.
"""

from __future__ import annotations

import streamlit as st

from pumap_core.data import make_synthetic
from pumap_core.runs import RunInfo, Workspace
from studio import state
from studio.errors import user_errors

SIZES = [1_000, 10_000, 100_000, 1_000_000]
KINDS = ["images", "table"]


def create_map(n: int, kind: str) -> RunInfo:
    """Generate ``n`` items and keep them as a map-only run of the app's workspace."""
    dataset, layout = make_synthetic(n, kind=kind)
    return Workspace().save_map(dataset, layout)


def synthetic_section() -> None:
    """Size and kind pickers and a Create button that opens the new map in Explore."""
    st.caption("Clusters of different shapes and densities with a known layout, drawn in a few "
               "seconds even at a million items. The map is kept as a run (without a model, so "
               "it cannot embed new data) and opens in Explore; the data loaded above stay "
               "as they are.")
    c1, c2 = st.columns(2)
    n = c1.selectbox("Items", SIZES, index=1, format_func=lambda v: f"{v:,}",
                     key="data.synthetic.n")
    kind = c2.radio("Kind", KINDS, horizontal=True, key="data.synthetic.kind",
                    help="images: each item has a small glyph picture shown on hover; "
                         "table: columns only.")
    created = None
    if st.button("Create map", key="data.synthetic.create"):
        with user_errors(), st.spinner(f"Drawing {n:,} items…"):
            created = create_map(n, kind)
    if created is not None:  # outside user_errors: switch_page stops the script on purpose
        state.put(state.RUN_ID, created.id)
        st.switch_page("pages/explore.py")
