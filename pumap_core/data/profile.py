"""A first look at a table before it is prepared: what each column holds, which column is the
label and which columns will be features.

>>> import pandas as pd
>>> df = pd.DataFrame({"species": ["a", "b", "a", "c"] * 5, "mass": [3.5, 4.1, 3.9, 5.0] * 5,
...                    "year": [2007, 2008] * 10})
>>> default_label_column(df)
'species'
>>> column_profile(df, "species")["role"].tolist()
['label', 'feature', 'left out: it looks like a year']
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .columns import name_words, as_numeric, default_feature_columns, not_a_measurement

#: A label has at most this many distinct values (and at most a third of the rows).
MAX_LABEL_VALUES = 50
#: Names that say "this column is the class".
_LABEL_NAMES = frozenset({"label", "labels", "class", "classes", "target", "y", "species",
                          "category", "categories", "type", "kind", "group", "digit", "genre",
                          "cluster", "variety", "diagnosis", "outcome"})


def default_label_column(df: pd.DataFrame) -> str | None:
    """The most label-like column of ``df``, or None.

    A candidate has 2 to :data:`MAX_LABEL_VALUES` distinct values, at most a third of the rows,
    and is text, boolean or whole numbers that are neither an identifier nor a year. Among
    candidates, a name such as ``label``, ``class`` or ``species`` wins, then text over
    numbers, then the first or last column (where tables keep their class), then the column
    order.
    """
    n = len(df)
    best, best_key = None, None
    for position, col in enumerate(df.columns):
        series = df[col]
        distinct = series.nunique(dropna=True)
        if not 2 <= distinct <= min(MAX_LABEL_VALUES, max(n // 3, 2)):
            continue
        numeric = as_numeric(series, str(col), [])
        is_text = numeric is None or pd.api.types.is_bool_dtype(series)
        if not is_text:
            finite = numeric[np.isfinite(numeric)]
            if not np.all(finite == np.round(finite)) or not_a_measurement(str(col), numeric):
                continue
        named = any(w in _LABEL_NAMES for w in name_words(str(col)))
        edge = position in (0, len(df.columns) - 1)
        key = (named, is_text, edge, -position)
        if best_key is None or key > best_key:
            best, best_key = str(col), key
    return best


def column_profile(df: pd.DataFrame, label_column: str | None = None,
                   feature_columns: list[str] | None = None) -> pd.DataFrame:
    """One row per column of ``df``: ``column``, ``type``, ``distinct``, ``missing`` and
    ``role`` ("label", "feature", or "left out: why"), as preparing the table would treat it.

    ``feature_columns`` None means the default features
    (:func:`~pumap_core.data.default_feature_columns`).
    """
    notes: list[str] = []
    features = (default_feature_columns(df, label_column) if feature_columns is None
                else list(feature_columns))
    rows = []
    for col in df.columns:
        name, series = str(col), df[col]
        numeric = as_numeric(series, name, notes)
        if pd.api.types.is_bool_dtype(series):
            kind = "true / false"
        elif pd.api.types.is_numeric_dtype(series):
            kind = "number"
        elif numeric is not None:
            kind = "number (written as text)"
        elif pd.api.types.is_datetime64_any_dtype(series):
            kind = "date"
        else:
            kind = "text"
        if name == label_column:
            role = "label"
        elif name in features:
            role = "feature (one-hot)" if numeric is None else "feature"
        elif numeric is None:
            role = "left out: text (add it to encode it as categories)"
        elif name.startswith("Unnamed:") or name == "":
            role = "left out: a saved row index"
        elif np.isnan(numeric).all():
            role = "left out: no numbers"
        else:
            why = not_a_measurement(name, numeric)
            role = f"left out: {why}" if why else "left out"
        rows.append({"column": name, "type": kind, "distinct": int(series.nunique(dropna=True)),
                     "missing": int(series.isna().sum()), "role": role})
    return pd.DataFrame(rows, columns=["column", "type", "distinct", "missing", "role"])
