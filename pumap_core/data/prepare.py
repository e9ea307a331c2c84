"""Turn a DataFrame into a :class:`Dataset`: pick features, fill or drop gaps, encode, scale."""

from __future__ import annotations

from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd

from ..errors import DataTypeError, InvalidDataError, InvalidParameterError
from ._common import MIN_ITEMS, quoted_list
from .dataset import Dataset

Scaling = Literal["standardize", "minmax", "none"]
Categorical = Literal["onehot", "exclude"]
Missing = Literal["drop", "impute"]

SCALINGS = ("standardize", "minmax", "none")
CATEGORICALS = ("onehot", "exclude")
MISSINGS = ("drop", "impute")

#: More categories than this would make one-hot encoding a memory bomb (an ID column, free text).
MAX_ONEHOT_CATEGORIES = 100
#: A text column is read as numbers when at least this share of its entries parse as numbers.
_NUMERIC_SHARE = 0.95
_MISSING_LABEL = "(missing)"
#: Version of the ``recipe`` dict that :func:`prepare_table` writes and :mod:`.recipe` reads.
RECIPE_VERSION = 1
#: Gap markers that exports use in number columns (UCI's "?", spreadsheets' "-" or "#N/A").
_GAP_MARKERS = frozenset({"?", "-", "--", ".", "n/a", "na", "nan", "null", "none", "missing",
                          "#n/a", "#value!", "#div/0!"})


def prepare_table(df: pd.DataFrame, *, name: str, feature_columns: Sequence[str] | None = None,
                  label_column: str | None = None, scaling: Scaling = "standardize",
                  categorical: Categorical = "onehot", missing: Missing = "drop") -> Dataset:
    """Build the features of a table and keep its original columns as metadata.

    Parameters
    ----------
    df : pandas.DataFrame
        The table, e.g. from :func:`read_table` (its ``attrs["pumap_notes"]`` are carried over).
    name : str
        Name of the dataset.
    feature_columns : sequence of str or None
        Columns to embed. None means every numeric (or boolean) column except the label, and
        except a leftover row index such as ``Unnamed: 0``. Text columns mostly made of numbers
        (``"?"`` for gaps, decimal commas) count as numeric.
    label_column : str or None
        Column used to colour the map; never a feature.
    scaling : {"standardize", "minmax", "none"}
        Applied to numeric features (constant columns become 0). One-hot columns stay 0/1, so
        that two rows differing in one category are always the same distance apart.
    categorical : {"onehot", "exclude"}
        What to do with non-numeric columns listed in ``feature_columns``.
    missing : {"drop", "impute"}
        Drop rows with a gap in a feature or the label, or fill gaps (median for numbers, most
        frequent value for categories; a missing label becomes ``"(missing)"``).

    Returns
    -------
    Dataset
        ``kind="table"``; ``table`` holds the original columns of the rows kept.

    Raises
    ------
    InvalidParameterError
        Unknown option, label or feature column not in the table, too many categories.
    DataTypeError
        No numeric column to use.
    InvalidDataError
        Fewer than 3 rows, before or after dropping missing values.
    """
    _check_choice("scaling", scaling, SCALINGS)
    _check_choice("categorical", categorical, CATEGORICALS)
    _check_choice("missing", missing, MISSINGS)
    if not isinstance(df, pd.DataFrame):
        raise DataTypeError(f"prepare_table needs a pandas DataFrame, got {type(df).__name__}.")
    notes = list(df.attrs.get("pumap_notes", []))
    table = df.reset_index(drop=True)
    table.attrs.pop("pumap_notes", None)  # now in the Dataset's notes
    table.columns = [str(c) for c in table.columns]
    _check_rows(len(table), name)
    columns = list(table.columns)
    if label_column is not None and label_column not in columns:
        raise InvalidParameterError(f"Label column {label_column!r} is not in {name}; choose one "
                                    f"of: {quoted_list(columns)}.")

    numeric, categories = _select_features(table, name, feature_columns, label_column,
                                           categorical, notes)
    n = len(table)
    values = np.column_stack(list(numeric.values())) if numeric else np.empty((n, 0))
    gaps = np.isnan(values)
    cat_gaps = table[categories].isna().to_numpy() if categories else np.zeros((n, 0), bool)
    label_gaps = (table[label_column].isna().to_numpy() if label_column is not None
                  else np.zeros(len(table), bool))

    if missing == "drop":
        keep = ~(gaps.any(axis=1) | cat_gaps.any(axis=1) | label_gaps)
        if not keep.all():
            where = [c for c, bad in zip(list(numeric) + categories,
                                         np.hstack([gaps, cat_gaps]).any(axis=0)) if bad]
            where += [label_column] if label_gaps.any() else []
            notes.append(f"dropped {int((~keep).sum())} row(s) with missing values "
                         f"(in {quoted_list(where, 5)})")
            _check_rows(int(keep.sum()), name, " left after dropping rows with missing values",
                        "; use missing='impute' to fill the gaps instead")
        values, table = values[keep], table[keep].reset_index(drop=True)
    else:
        n_filled = int(gaps.sum() + cat_gaps.sum())
        if n_filled:
            notes.append(f"imputed {n_filled} missing value(s) (median for numbers, most "
                         "frequent value for categories)")
    # Medians are kept in the recipe even without gaps, so that new data can be filled alike.
    medians = np.nanmedian(values, axis=0)
    if missing == "impute":
        values = np.where(gaps, medians, values)

    scaled, shifts, scales = _scale(values, list(numeric), scaling, notes)
    features, names = [scaled], list(numeric)
    onehot = []
    for col in categories:
        cats = table[col].astype("string")
        fill = cats.mode(dropna=True).iloc[0]
        if missing == "impute" and cats.isna().any():
            cats = cats.fillna(fill)
        dummies = pd.get_dummies(cats, dtype=np.float32)
        features.append(dummies.to_numpy())
        names += [f"{col}={v}" for v in dummies.columns]
        onehot.append({"column": col, "categories": [str(v) for v in dummies.columns],
                       "fill": str(fill)})
        notes.append(f"one-hot encoded {col!r} ({dummies.shape[1]} columns)")

    labels = None
    if label_column is not None:
        labels = _labels(table[label_column], notes)
    recipe = table_recipe(list(numeric), shifts, scales, medians, onehot, scaling=scaling,
                          missing=missing, label_column=label_column, feature_names=names)
    return Dataset(name=name, X=np.hstack(features).astype(np.float32), table=table,
                   labels=labels, label_name=label_column, kind="table", feature_names=names,
                   notes=notes, recipe=recipe)


def table_recipe(columns: list[str], shifts: np.ndarray, scales: np.ndarray,
                 medians: np.ndarray, onehot: list[dict[str, Any]], *, scaling: str,
                 missing: str, label_column: str | None,
                 feature_names: list[str]) -> dict[str, Any]:
    """The JSON-able record of a table's preparation, replayed by :mod:`.recipe`.

    Numeric column ``c`` becomes ``(c - shift) / scale``: ``shift``/``scale`` are the mean and
    standard deviation (``"standardize"``), the minimum and range (``"minmax"``) or 0 and 1, with
    ``scale`` 1 for a constant column; ``fill`` is the training median. One-hot columns follow,
    one per category in ``categories`` order; ``fill`` is the most frequent category.
    """
    numeric = []
    for col, shift, scale, median in zip(columns, shifts, scales, medians):
        numeric.append({"column": col, "shift": float(shift), "scale": float(scale),
                        "fill": float(median)})
    return {"kind": "table", "version": RECIPE_VERSION, "scaling": scaling, "missing": missing,
            "label_column": label_column, "numeric": numeric, "onehot": onehot,
            "feature_names": list(feature_names)}


def _check_choice(option: str, value: object, choices: tuple[str, ...]) -> None:
    if value not in choices:
        raise InvalidParameterError(f"{option} must be one of {', '.join(choices)}; got "
                                    f"{value!r}.")


def _check_rows(n: int, name: str, why: str = "", fix: str = "") -> None:
    if n < MIN_ITEMS:
        raise InvalidDataError(f"{name} has {n} row(s){why}; at least {MIN_ITEMS} rows are "
                               f"needed to make a map{fix}.")


def _select_features(table: pd.DataFrame, name: str, feature_columns: Sequence[str] | None,
                     label_column: str | None, categorical: str,
                     notes: list[str]) -> tuple[dict[str, np.ndarray], list[str]]:
    """Return numeric features as float64 arrays (by name) and the categorical column names."""
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
        as_number = _as_numeric(table[col], col, notes)
        if as_number is None:
            text.append(col)
        elif not explicit and _is_saved_index(col, as_number):
            notes.append(f"ignored {col!r} (it looks like a saved row index)")
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


def _as_numeric(series: pd.Series, col: str, notes: list[str]) -> np.ndarray | None:
    """The column as float64 (NaN for gaps), or None when it is text or complex."""
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


def _is_saved_index(col: str, values: np.ndarray) -> bool:
    """``Unnamed: 0`` holding 0..n-1 (or 1..n) is the index pandas wrote with ``to_csv``."""
    if not (col.startswith("Unnamed:") or col == ""):
        return False
    n = len(values)
    return bool(np.array_equal(values, np.arange(n)) or np.array_equal(values, np.arange(1, n + 1)))


def _scale(values: np.ndarray, names: list[str], scaling: str, notes: list[str]
           ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Scale each column as ``(v - shift) / scale``; a constant column becomes 0, not 0/0.

    Returns the scaled values and the per-column ``shift`` and ``scale`` (for the recipe).
    """
    d = values.shape[1]
    if d == 0:
        return values, np.zeros(0), np.ones(0)
    constant = np.ptp(values, axis=0) == 0
    if constant.any():
        flat = [name for name, is_constant in zip(names, constant) if is_constant]
        notes.append(f"constant column(s) {quoted_list(flat, 5)} carry no information")
    if scaling == "standardize":
        notes.append(f"standardized {len(names)} numeric column(s) to mean 0 and variance 1")
        shift, scale = values.mean(axis=0), np.where(constant, 1.0, values.std(axis=0))
    elif scaling == "minmax":
        notes.append(f"scaled {len(names)} numeric column(s) to [0, 1]")
        shift = values.min(axis=0)
        scale = np.where(constant, 1.0, values.max(axis=0) - shift)
    else:
        return values, np.zeros(d), np.ones(d)
    return (values - shift) / scale, shift, scale


def _labels(series: pd.Series, notes: list[str]) -> np.ndarray:
    """int labels for whole numbers, float for continuous values, else str."""
    missing = series.isna()
    if missing.any():  # only reached with missing="impute"
        notes.append(f"{int(missing.sum())} row(s) have no label; shown as {_MISSING_LABEL!r}")
        return np.array([_MISSING_LABEL if m else _label_text(v) for v, m in zip(series, missing)],
                        dtype=str)
    if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
        return np.array(series.astype(str).tolist(), dtype=str)
    values = series.to_numpy(dtype=np.float64)
    if np.all(np.isfinite(values)) and np.all(values == np.round(values)):
        return values.astype(np.int64)
    return values


def _label_text(value: object) -> str:
    """``3.0`` (an int column that pandas turned to float because of a gap) reads as ``3``."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return str(int(value))
    return str(value)
