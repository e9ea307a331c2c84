"""A preview of a Dataset: shape, notes, class counts, table head or image grid."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from pumap_core.data import Dataset

GRID = 40


def show_dataset(ds: Dataset) -> None:
    st.subheader(f"Loaded: {ds.name}")
    c1, c2, c3 = st.columns(3)
    c1.metric("Items", f"{ds.n_items:,}")
    c2.metric("Features", f"{ds.n_features:,}")
    c3.metric("Kind", "images " + "×".join(map(str, ds.image_shape)) if ds.kind == "images"
              else "table")
    for note in ds.notes:
        st.caption(f"• {note}")
    counts = ds.class_counts()
    if counts:
        st.write(f"**{len(counts)} classes** in `{ds.label_name}`")
        frame = pd.DataFrame({"class": [str(k) for k in counts], "items": list(counts.values())})
        st.bar_chart(frame, x="class", y="items", height=200)
    if ds.kind == "images" and ds.thumbnails:
        st.write(f"First {min(GRID, ds.n_items)} images")
        labels = ds.labels if ds.labels is not None else [""] * ds.n_items
        st.image(ds.thumbnails[:GRID], caption=[str(v) for v in labels[:GRID]], width=64)
    else:
        st.dataframe(ds.table.head(20), width="stretch")
