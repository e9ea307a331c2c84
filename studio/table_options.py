"""The Data page's choices for an uploaded table, with a look at the table before it is loaded:
its first rows, what each column holds, the label and the features, in plain words."""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from pumap_core.data import TablePreparation, default_feature_columns
from pumap_core.data.profile import column_profile, default_label_column
from studio import state
from studio.errors import user_errors
from studio.service import stored_dataset_id

NONE = "(none)"
#: Each option of the preparation, in plain words with its effect; the first is the default.
SCALING = {"standardize": "Same scale for every column — recommended",
           "minmax": "Each column squeezed into 0 … 1",
           "none": "Numbers as they are (only if they share one unit)"}
CATEGORICAL = {"onehot": "Text columns as categories (one yes/no column per value)",
               "exclude": "Leave text columns out"}
MISSING = {"drop": "Drop rows with a gap", "impute": "Fill gaps (median, or most frequent value)"}
HEAD_ROWS = 8


def table_options(df: pd.DataFrame, upload: Any) -> None:
    """Label, features and preparation of the uploaded table ``df``; "Load table" prepares it
    and makes it the session's dataset."""
    columns = [str(c) for c in df.columns]
    guess = _once(("label", upload.file_id), lambda: default_label_column(df))
    label = st.selectbox("Label / colour column", [NONE] + columns,
                         index=columns.index(guess) + 1 if guess in columns else 0,
                         key=f"data.label.{upload.file_id}",
                         help="Colours the map and measures how well classes separate; never "
                              "a feature. Chosen for you: the column with a few distinct "
                              "values that looks most like a class.")
    label = None if label == NONE else label
    defaults = _once(("features", upload.file_id, label),
                     lambda: default_feature_columns(df, label))
    features = st.multiselect("Feature columns", [c for c in columns if c != label],
                              default=defaults, key=f"data.features.{upload.file_id}.{label}",
                              help="Columns that describe each item. By default every numeric "
                                   "column except identifiers and years; add a text column to "
                                   "encode it as categories.")
    profile = _once(("profile", upload.file_id, label, tuple(features)),
                    lambda: column_profile(df, label, features or None))
    st.caption(f"{len(df):,} rows × {len(columns)} columns · "
               f"{len(features) if features else len(defaults)} feature column(s)"
               + (f" · label `{label}`" if label else ""))
    st.dataframe(profile, width="stretch", hide_index=True,
                 height=int(35 * (min(len(profile), 10) + 1) + 3),
                 column_config={"role": st.column_config.TextColumn("role", width="large")})
    st.caption(f"The first {HEAD_ROWS} rows")
    st.dataframe(df.head(HEAD_ROWS), width="stretch", height=int(35 * (HEAD_ROWS + 1) + 3))
    left_out = profile[profile["role"].str.startswith("left out: it")]
    if len(left_out):
        st.caption("Left out of the features: " + "; ".join(
            f"`{c}` ({r.removeprefix('left out: ')})"
            for c, r in zip(left_out["column"], left_out["role"]))
            + ". Add them above to use them.")
    c1, c2, c3 = st.columns(3)
    scaling = c1.radio("Numbers", list(SCALING), format_func=SCALING.get, key="data.scaling",
                       help="Without a common scale the column with the largest numbers "
                            "decides every distance.")
    categorical = c2.radio("Text columns", list(CATEGORICAL), format_func=CATEGORICAL.get,
                           key="data.categorical",
                           help="Categories are put on the same footing as the numbers, so "
                                "that a two-valued column does not split the map by itself.")
    missing = c3.radio("Gaps", list(MISSING), format_func=MISSING.get, key="data.missing",
                       help="Median for numbers, most frequent value for text.")
    if st.button("Load table", type="primary", key="data.load_table"):
        with user_errors():
            ds = TablePreparation(feature_columns=features or None, label_column=label,
                                  scaling=scaling, categorical=categorical,
                                  missing=missing).fit_transform(df, name=upload.name)
            state.put(state.DATASET, ds)
            stored_dataset_id(ds)  # kept in the workspace: a reload loses nothing
            state.flash("success", f"Loaded {ds.n_items} rows from {upload.name}.")
            st.rerun()


def _once(key: tuple, make: Any) -> Any:
    """``make()`` once per session and key: reading text columns as numbers takes seconds on
    a big table, and the page reruns on every click."""
    cache = st.session_state.setdefault("data.table_facts", {})
    if key not in cache:
        if len(cache) > 32:
            cache.clear()
        cache[key] = make()
    return cache[key]
