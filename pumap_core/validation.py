"""Turn whatever the user passed into a clean float32 matrix, or say clearly why not."""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import DataTypeError, InvalidDataError


def _frame_to_array(X: Any) -> np.ndarray:
    """A pandas DataFrame becomes an array only if every column is numeric."""
    import pandas as pd

    bad = [str(c) for c in X.columns if not (
        pd.api.types.is_numeric_dtype(X[c]) or pd.api.types.is_bool_dtype(X[c]))]
    if bad:
        shown = ", ".join(repr(c) for c in bad[:5]) + (" ..." if len(bad) > 5 else "")
        raise DataTypeError(
            f"The table has non-numeric columns ({shown}); drop them or encode them as numbers "
            "before embedding.")
    return X.to_numpy(dtype=np.float64, na_value=np.nan)


def as_float_matrix(X: Any, *, what: str = "X", min_rows: int = 1) -> np.ndarray:
    """Validate ``X`` and return it as a C-contiguous float32 array of shape (n_samples, n_features).

    Parameters
    ----------
    X : array-like of shape (n_samples, n_features)
        NumPy array, nested lists or a pandas DataFrame with numeric columns.
    what : str
        Name used in messages ("X", "the new data"...).
    min_rows : int
        Fewest rows accepted.

    Raises
    ------
    DataTypeError
        Text, object, complex or sparse input.
    InvalidDataError
        Wrong shape, too few rows, NaN or infinite values.
    """
    if hasattr(X, "tocsr") or type(X).__module__.startswith("scipy.sparse"):
        raise DataTypeError(f"{what} is a sparse matrix; convert it with .toarray() first.")
    if hasattr(X, "columns") and hasattr(X, "dtypes"):
        X = _frame_to_array(X)
    try:
        arr = np.asarray(X)
    except (ValueError, TypeError) as exc:  # ragged nested lists
        raise InvalidDataError(f"{what} must be a rectangular table of numbers ({exc}).") from None
    if arr.dtype == object or arr.dtype.kind in "USVO":
        try:
            arr = arr.astype(np.float64)
        except (ValueError, TypeError):
            raise DataTypeError(
                f"{what} contains text or other non-numeric values; keep only numeric columns."
            ) from None
    if arr.dtype.kind == "c":
        raise DataTypeError(f"{what} contains complex numbers; pass real-valued features.")
    if arr.dtype.kind not in "biuf":
        raise DataTypeError(f"{what} has unsupported type {arr.dtype}; pass numbers.")
    if arr.ndim != 2:
        hint = " Use X.reshape(-1, 1) for a single feature." if arr.ndim == 1 else (
            " Flatten each item to one row (e.g. X.reshape(len(X), -1)) and pass dims=...."
            if arr.ndim > 2 else "")
        raise InvalidDataError(
            f"{what} must be 2-D (rows × features), but it has {arr.ndim} dimension(s).{hint}")
    n, d = arr.shape
    if n == 0 or d == 0:
        raise InvalidDataError(f"{what} is empty (shape {n} × {d}); pass at least one row and one "
                               "feature.")
    if n < min_rows:
        raise InvalidDataError(f"{what} has {n} row(s); at least {min_rows} are needed to learn a "
                               "map.")
    out = np.ascontiguousarray(arr, dtype=np.float32)
    finite = np.isfinite(out)
    if not finite.all():
        bad_rows = int((~finite).any(axis=1).sum())
        kind = "NaN" if np.isnan(out).any() else "infinite"
        raise InvalidDataError(
            f"{what} has {kind} values in {bad_rows} row(s); drop or impute them before embedding.")
    return out


def feature_names_of(X: Any) -> tuple[str, ...] | None:
    """The column names of a table whose columns are all named by strings (scikit-learn's rule
    for ``feature_names_in_``), else None (arrays, unnamed or numbered columns)."""
    columns = getattr(X, "columns", None)
    names = [] if columns is None else list(columns)
    return tuple(names) if names and all(isinstance(n, str) for n in names) else None
