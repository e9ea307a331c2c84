"""How the columns of a table are read: numbers (even written as text), gaps, saved row indices,
labels, which columns are features by default, and how numbers are scaled and categories
one-hot encoded.

These rules are shared by fitting a :class:`~pumap_core.data.TablePreparation` on a table and by
applying it to new tables, so that both read a column the same way.

>>> import pandas as pd
>>> default_feature_columns(pd.DataFrame({"Unnamed: 0": [0, 1, 2], "size": ["3,5", "4", "?"],
...                                       "name": ["a", "b", "c"]}))
['size']
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from ..errors import DataTypeError, InvalidParameterError
from ._common import quoted_list

#: More categories than this would make one-hot encoding a memory bomb (an ID column, free text).
MAX_ONEHOT_CATEGORIES = 100
#: A text column is read as numbers when at least this share of its entries parse as numbers.
_NUMERIC_SHARE = 0.95
_MISSING_LABEL = "(missing)"
#: Gap markers that exports use in number columns (UCI's "?", spreadsheets' "-" or "#N/A").
_GAP_MARKERS = frozenset({"?", "-", "--", ".", "n/a", "na", "nan", "null", "none", "missing",
                          "#n/a", "#value!", "#div/0!"})


def default_feature_columns(df: pd.DataFrame, label_column: str | None = None) -> list[str]:
    """The columns that preparing ``df`` without a choice of feature columns would embed.

    Every numeric (or boolean) column except the label, a saved row index such as
    ``Unnamed: 0`` and columns without any finite value; text columns mostly made of numbers
    (``"?"`` for gaps, decimal commas) count as numeric. This is what
    :func:`~pumap_core.data.prepare_table` uses with ``feature_columns=None``.

    Parameters
    ----------
    df : pandas.DataFrame
        The table, e.g. from :func:`~pumap_core.data.read_table`.
    label_column : str or None
        Column used to colour the map; never a feature.

    Returns
    -------
    list of str
        In the table's column order; empty when the table has no numeric column.
    """
    table = df.reset_index(drop=True)
    table.columns = [str(c) for c in table.columns]
    try:
        numeric, _ = select_features(table, "the table", None, label_column, "onehot", [])
    except DataTypeError:  # preparing would refuse the table: nothing to propose
        return []
    return list(numeric)


def select_features(table: pd.DataFrame, name: str, feature_columns: Sequence[str] | None,
                    label_column: str | None, categorical: str,
                    notes: list[str]) -> tuple[dict[str, np.ndarray], list[str]]:
    """The numeric features as float64 arrays (NaN for gaps), by name, and the categorical ones.

    Parameters
    ----------
    table : pandas.DataFrame with str column names
    name : str, the table's name in messages
    feature_columns : sequence of str or None
        Columns chosen by the user; None for :func:`default_feature_columns`.
    label_column : str or None
    categorical : {"onehot", "exclude"}, what to do with chosen text columns
    notes : list of str, extended with what was read how

    Raises
    ------
    InvalidParameterError
        A chosen column is not in the table, only the label was chosen, or a text column has
        too many categories to one-hot encode.
    DataTypeError
        No numeric column to use and no text column to encode.
    """
    explicit = feature_columns is not None
    if explicit:
        candidates = [str(c) for c in feature_columns]
        absent = [c for c in candidates if c not in table.columns]
        if absent:
            raise InvalidParameterError(f"Feature column(s) {quoted_list(absent)} not in {name}; "
                                        f"choose among: {quoted_list(list(table.columns))}.")
        if label_column in candidates:
            candidates.remove(label_column)
            notes.append(f"{label_column!r} is the label, so it is not used as a feature")
        if not candidates:
            raise InvalidParameterError("Choose at least one feature column besides the label.")
    else:
        candidates = [c for c in table.columns if c != label_column]

    numeric: dict[str, np.ndarray] = {}
    text: list[str] = []
    for col in candidates:
        as_number = as_numeric(table[col], col, notes)
        if as_number is None:
            text.append(col)
        elif not explicit and _is_saved_index(col, as_number):
            notes.append(f"ignored {col!r} (it looks like a saved row index)")
        elif not explicit and (why := not_a_measurement(col, as_number)):
            notes.append(f"left {col!r} out of the features ({why}); choose it as a feature "
                         "column to use it")
        else:
            numeric[col] = np.where(np.isfinite(as_number), as_number, np.nan)  # inf is a gap

    categories: list[str] = []
    if not explicit and text:
        notes.append(f"not used as features (not numeric): {quoted_list(text, 5)}; choose them "
                     "as feature columns to one-hot encode them")
    elif text and categorical == "exclude":
        notes.append(f"excluded non-numeric column(s) {quoted_list(text, 5)}")
    elif text:
        for col in text:
            n_cat = table[col].nunique(dropna=True)
            if n_cat > MAX_ONEHOT_CATEGORIES:
                raise InvalidParameterError(
                    f"Column {col!r} has {n_cat} different values, too many to one-hot encode "
                    f"(limit {MAX_ONEHOT_CATEGORIES}); leave it out of the feature columns.")
        categories = text

    empty = [c for c, v in numeric.items() if np.isnan(v).all()]
    for col in empty:
        del numeric[col]
    if empty:
        notes.append(f"ignored column(s) without any finite value: {quoted_list(empty, 5)}")
    if not numeric and not categories:
        found = f" (found {quoted_list(text, 5)})" if text else ""
        raise DataTypeError(f"{name} has no numeric column to use as features{found}; add "
                            "numeric columns, or choose text columns as features to one-hot "
                            "encode them.")
    return numeric, categories


def as_numeric(series: pd.Series, col: str, notes: list[str]) -> np.ndarray | None:
    """The column as float64 (NaN for gaps), or None when it is text or complex.

    A text column counts as numbers when nearly all its entries (gap markers such as ``"?"``
    aside) parse as numbers, possibly with decimal commas; ``notes`` then says so.
    """
    if pd.api.types.is_bool_dtype(series):
        return series.astype("float64").to_numpy()
    if pd.api.types.is_numeric_dtype(series):
        if pd.api.types.is_complex_dtype(series):
            return None
        return series.to_numpy(dtype=np.float64, na_value=np.nan)
    if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
        return None  # dates, intervals...: not features unless chosen and one-hot encoded
    present = series.dropna().astype(str).str.strip()
    lowered = present.str.lower()
    present = present[~lowered.isin(_GAP_MARKERS)]
    if present.empty:
        return None if series.notna().any() else np.full(len(series), np.nan)
    if lowered[present.index].isin(("true", "false")).all():  # booleans with gaps read as text
        flags = (lowered[present.index] == "true").astype("float64")
        return flags.reindex(series.index).to_numpy(dtype=np.float64, na_value=np.nan)
    parsed, how = pd.to_numeric(present, errors="coerce"), ""
    if parsed.notna().mean() < _NUMERIC_SHARE:
        parsed = pd.to_numeric(present.str.replace(",", ".", regex=False), errors="coerce")
        how = " with decimal commas"
        if parsed.notna().mean() < _NUMERIC_SHARE:
            return None
    junk = int(series.notna().sum() - parsed.notna().sum())
    detail = f"; {junk} non-numeric entries treated as missing" if junk else ""
    notes.append(f"read text column {col!r} as numbers{how}{detail}")
    return parsed.reindex(series.index).to_numpy(dtype=np.float64, na_value=np.nan)


_ID_NAMES = frozenset({"id", "index", "idx", "key", "row", "rownum", "row_id", "uid", "uuid"})
_YEAR_NAMES = frozenset({"year", "yr", "yyyy"})
#: Fewer rows than this may count up by one by chance (the tables of a doc example).
_COUNTING_ROWS = 20


def name_words(col: str) -> list[str]:
    """``"Sample ID"``, ``"sample_id"``, ``"sampleId"`` → ``["sample", "id"]``."""
    import re

    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1 \2", col)
    return [w for w in re.split(r"[^0-9a-zA-Z]+", spaced.lower()) if w]


def not_a_measurement(col: str, values: np.ndarray) -> str | None:
    """Why a numeric column describes no property of the item, or None.

    An identifier: named like one (``id``, ``sample_id``, ``index``...) with whole, distinct
    values, or whole numbers counting up by one (1, 2, 3...) over at least 20 rows. A year: named like one, or
    whole numbers between 1900 and 2100 with at most 50 distinct values. Such columns would
    spread the map by when or in which order items were recorded.
    """
    finite = values[np.isfinite(values)]
    if finite.size < 3 or not np.all(finite == np.round(finite)):
        return None
    words = name_words(col)
    if words and words[-1] in _ID_NAMES and np.unique(finite).size == finite.size:
        return "it looks like an identifier"
    if finite.size == values.size >= _COUNTING_ROWS and np.all(np.diff(finite) == 1):
        return "it counts rows"
    distinct = np.unique(finite)
    if (any(w in _YEAR_NAMES for w in words)
            or (distinct.size <= 50 and 1900 <= distinct[0] and distinct[-1] <= 2100
                and distinct.size < finite.size / 2)):
        return "it looks like a year"
    return None


def _is_saved_index(col: str, values: np.ndarray) -> bool:
    """``Unnamed: 0`` holding 0..n-1 (or 1..n) is the index pandas wrote with ``to_csv``."""
    if not (col.startswith("Unnamed:") or col == ""):
        return False
    n = len(values)
    return bool(np.array_equal(values, np.arange(n)) or np.array_equal(values, np.arange(1, n + 1)))


def read_labels(series: pd.Series, notes: list[str]) -> np.ndarray:
    """int labels for whole numbers, float for continuous values, else str.

    A gap (left only when gaps are imputed) becomes the label ``"(missing)"``.
    """
    missing = series.isna()
    if missing.any():
        notes.append(f"{int(missing.sum())} row(s) have no label; shown as {_MISSING_LABEL!r}")
        return np.array([_MISSING_LABEL if m else _label_text(v) for v, m in zip(series, missing)],
                        dtype=str)
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return np.array(series.astype(str).tolist(), dtype=str)
    values = series.to_numpy(dtype=np.float64)
    if np.all(np.isfinite(values)) and np.all(values == np.round(values)):
        return values.astype(np.int64)
    return values


def labels_for_fit(labels: np.ndarray) -> tuple[np.ndarray, str]:
    """A dataset's labels as ``fit(X, y)`` takes them, with their ``target_metric``: rows
    without a label (``"(missing)"``) become None (unlabelled: semi-supervised); continuous
    values (floats) are a numeric target, anything else classes."""
    if labels.dtype.kind == "f":
        return labels, "euclidean"
    values = labels.astype(object)
    values[labels.astype(str) == _MISSING_LABEL] = None
    return values, "categorical"


def _label_text(value: object) -> str:
    """``3.0`` (an int column that pandas turned to float because of a gap) reads as ``3``."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)


def scale_parameters(values: np.ndarray, names: list[str], scaling: str, notes: list[str]
             ) -> tuple[np.ndarray, np.ndarray]:
    """The per-column ``shift`` and ``scale`` of ``(v - shift) / scale`` for ``scaling``
    ("standardize", "minmax" or "none"), with notes saying what was done.

    A constant column gets scale 1, so that it becomes 0 rather than 0/0.
    """
    d = values.shape[1]
    if d == 0:
        return np.zeros(0), np.ones(0)
    constant = np.ptp(values, axis=0) == 0
    if constant.any():
        flat = [name for name, is_constant in zip(names, constant) if is_constant]
        notes.append(f"constant column(s) {quoted_list(flat, 5)} carry no information")
    if scaling == "standardize":
        notes.append(f"standardized {len(names)} numeric column(s) to mean 0 and variance 1")
        return values.mean(axis=0), np.where(constant, 1.0, values.std(axis=0))
    if scaling == "minmax":
        notes.append(f"scaled {len(names)} numeric column(s) to [0, 1]")
        shift = values.min(axis=0)
        return shift, np.where(constant, 1.0, values.max(axis=0) - shift)
    return np.zeros(d), np.ones(d)


def one_hot(values: pd.Series, column: str, categories: list[str],
             notes: list[str]) -> np.ndarray:
    """One column per training category; an unseen category (or a gap) is all zeros."""
    codes = pd.Index(categories).get_indexer(values)  # -1: unseen, or a gap
    block = np.zeros((len(values), len(categories)), np.float32)
    known = np.flatnonzero(codes >= 0)
    block[known, codes[known]] = 1.0
    unseen = values[codes < 0].dropna().unique().tolist()
    if unseen:
        notes.append(f"{column!r}: value(s) not seen in training, encoded as none of the known "
                     f"categories: {quoted_list([str(u) for u in unseen], 5)}")
    return block


#: Two rows that differ only in one category are this share of the numbers' typical standard
#: deviation apart (1 when there are no numbers to compare with).
CATEGORY_STEP = 0.5


def onehot_weight(scaled: np.ndarray, scaling: str) -> float:
    """The value a one-hot column takes for its category, given the scaled numeric features:
    a category change (two columns flip) moves a row ``CATEGORY_STEP`` × the mean standard
    deviation of the non-constant numeric columns; 1 with ``scaling="none"``."""
    if scaling == "none":
        return 1.0
    spread = scaled.std(axis=0) if scaled.size else np.zeros(0)
    spread = spread[spread > 0]
    typical = float(spread.mean()) if spread.size else 1.0 / CATEGORY_STEP
    return CATEGORY_STEP * typical / np.sqrt(2.0)
