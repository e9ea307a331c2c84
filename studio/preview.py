"""A preview of a Dataset: shape, notes, class counts, table head or image grid."""

from __future__ import annotations

import numpy as np
import pandas as pd
import streamlit as st

from pumap_core.data import Dataset

GRID = 40


def sample_per_class(labels: np.ndarray | None, n: int, limit: int = GRID) -> list[int]:
    """Up to ``limit`` item numbers: the first few of every class in turn (as many of each as
    fit), so that the preview shows every class; the first ``limit`` items without labels."""
    if labels is None:
        return list(range(min(n, limit)))
    codes, _ = pd.factorize(pd.Series(labels).astype(str), sort=True)
    per = max(1, limit // max(codes.max() + 1, 1))
    picked = pd.Series(np.arange(n)).groupby(codes).head(per)
    return sorted(picked.tolist()[:limit], key=lambda i: (codes[i], i))


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
        shown = sample_per_class(ds.labels, ds.n_items)
        st.write(f"{len(shown)} of the images" + (", a few of each class" if counts else ""))
        labels = ds.labels if ds.labels is not None else [""] * ds.n_items
        st.image([ds.thumbnails[i] for i in shown], caption=[str(labels[i]) for i in shown],
                 width=64)
    else:
        st.dataframe(ds.table.head(20), width="stretch")
