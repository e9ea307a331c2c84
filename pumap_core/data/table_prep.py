"""Table preparation as one fitted object: pick features, fill or drop gaps, scale, one-hot.

A map only makes sense for rows built exactly like its training rows: the same columns in the
same order, scaled with the *training* means and deviations, one-hot encoded over the *training*
categories. :class:`TablePreparation` learns that on the training table (``fit``), replays it
on new tables (``transform``), turns feature rows back into the table's columns
(``inverse_transform``) and converts to and from the ``recipe`` dict that every run keeps in its
``run.json`` (``to_dict`` / ``from_dict``): this module is the one writer and reader of that
format.

>>> import pandas as pd
>>> frame = pd.DataFrame({"size": [1.0, 2.0, 4.0], "kind": ["a", "b", "a"]})
>>> prep = TablePreparation(label_column="kind").fit(frame, name="t.csv")
>>> prep.feature_names_
['size']
>>> TablePreparation.from_dict(prep.to_dict()).transform(frame, name="again.csv").X.shape
(3, 1)
"""

from __future__ import annotations

from typing import Any, Literal, Sequence

import numpy as np
import pandas as pd
from sklearn.base import BaseEstimator

from ..errors import DataTypeError, InvalidDataError, InvalidParameterError, NotFittedError
from ._common import (NOTES_ATTR, RECIPE_VERSION, check_choice, check_recipe, check_rows,
                      quoted_list)
from .columns import (as_numeric, one_hot, onehot_weight, read_labels, scale_parameters,
                      select_features)
from .dataset import Dataset

__all__ = ["TablePreparation"]

Scaling = Literal["standardize", "minmax", "none"]
Categorical = Literal["onehot", "exclude"]
Missing = Literal["drop", "impute"]

SCALINGS = ("standardize", "minmax", "none")
CATEGORICALS = ("onehot", "exclude")
MISSINGS = ("drop", "impute")


class TablePreparation(BaseEstimator):
    """Build the features of a table and keep its original columns as metadata.

    Parameters
    ----------
    feature_columns : sequence of str or None
        Columns to embed. None means every numeric (or boolean) column except the label, and
        except a leftover row index such as ``Unnamed: 0`` (see
        :func:`~pumap_core.data.default_feature_columns`). Text columns mostly made of numbers
        (``"?"`` for gaps, decimal commas) count as numeric.
    label_column : str or None
        Column used to colour the map; never a feature.
    scaling : {"standardize", "minmax", "none"}
        Applied to numeric features (constant columns become 0). One-hot columns are put on a
        scale comparable to the numbers: with "standardize" or "minmax", two rows that differ
        only in one category are :data:`~.columns.CATEGORY_STEP` (half) of the numbers' typical
        standard deviation apart, so that a category shapes the neighbourhoods without cutting
        the map into one island per value (on Palmer penguins a 0/1 ``sex`` split each species
        in two). With "none" they stay 0/1.
    categorical : {"onehot", "exclude"}
        What to do with non-numeric columns listed in ``feature_columns``.
    missing : {"drop", "impute"}
        Drop rows with a gap in a feature or the label, or fill gaps (median for numbers, most
        frequent value for categories; a missing label becomes ``"(missing)"``). New tables
        are treated alike, with the training medians and categories.

    Attributes
    ----------
    numeric_columns_ : list of str
        The numeric feature columns, in the order of the first columns of ``X``.
    shift_, scale_ : ndarray of shape (n_numeric,)
        Numeric column ``c`` becomes ``(c - shift_) / scale_``: the mean and standard deviation
        (``"standardize"``), the minimum and range (``"minmax"``) or 0 and 1, with ``scale_`` 1
        for a constant column.
    fill_ : ndarray of shape (n_numeric,)
        The training medians, which fill gaps in new tables when ``missing="impute"``.
    onehot_columns_ : list of str
        The one-hot encoded columns; their blocks follow the numeric columns in ``X``.
    categories_ : list of list of str
        The categories of each one-hot column, in the order of its block.
    onehot_fill_ : list of str
        The most frequent category of each one-hot column.
    onehot_weight_ : float
        The value of a one-hot column for its category (0 otherwise).
    feature_names_ : list of str
        One name per column of ``X`` (one-hot columns are named ``"column=value"``).
    """

    def __init__(self, feature_columns: Sequence[str] | None = None,
                 label_column: str | None = None, scaling: Scaling = "standardize",
                 categorical: Categorical = "onehot", missing: Missing = "drop") -> None:
        self.feature_columns = feature_columns
        self.label_column = label_column
        self.scaling = scaling
        self.categorical = categorical
        self.missing = missing

    def fit(self, df: pd.DataFrame, *, name: str = "the table") -> "TablePreparation":
        """Learn the features, scaling and categories of ``df`` (see :meth:`fit_transform`)."""
        self.fit_transform(df, name=name)
        return self

    def fit_transform(self, df: pd.DataFrame, *, name: str = "the table") -> Dataset:
        """Fit on ``df`` and return its features.

        Parameters
        ----------
        df : pandas.DataFrame
            The table, e.g. from :func:`~pumap_core.data.read_table` (its
            ``attrs["pumap_notes"]`` are carried over).
        name : str
            Name of the dataset, also used in messages.

        Returns
        -------
        Dataset
            ``kind="table"``; ``table`` holds the original columns of the rows kept; ``recipe``
            is :meth:`to_dict`.

        Raises
        ------
        InvalidParameterError
            Unknown option, label or feature column not in the table, too many categories.
        DataTypeError
            No numeric column to use.
        InvalidDataError
            Fewer than 3 rows, before or after dropping missing values.
        """
        for option, choices in (("scaling", SCALINGS), ("categorical", CATEGORICALS),
                                ("missing", MISSINGS)):
            check_choice(option, getattr(self, option), choices)
        table, notes = _table_and_notes(df)
        check_rows(len(table), name)
        label = self.label_column
        if label is not None and label not in table.columns:
            raise InvalidParameterError(f"Label column {label!r} is not in {name}; choose one "
                                        f"of: {quoted_list(list(table.columns))}.")

        numeric, categories = select_features(table, name, self.feature_columns, label,
                                              self.categorical, notes)
        values = (np.column_stack(list(numeric.values())) if numeric
                  else np.empty((len(table), 0)))
        values, table, self.fill_ = _drop_or_fill(values, table, list(numeric), categories,
                                                  label, self.missing, name, notes)
        self.numeric_columns_ = list(numeric)
        self.shift_, self.scale_ = scale_parameters(values, self.numeric_columns_,
                                                    self.scaling, notes)

        self.onehot_weight_ = onehot_weight((values - self.shift_) / self.scale_, self.scaling)
        cats = {col: table[col].astype("string") for col in categories}
        self.onehot_columns_, self.categories_, self.onehot_fill_ = list(categories), [], []
        for col in categories:
            fill = cats[col].mode(dropna=True).iloc[0]
            cats[col] = cats[col].fillna(fill)  # gaps are left only with missing="impute"
            self.categories_.append(sorted(str(v) for v in cats[col].unique()))
            self.onehot_fill_.append(str(fill))
            notes.append(f"one-hot encoded {col!r} ({len(self.categories_[-1])} columns"
                         + (f", {self.onehot_weight_:.2f} for yes" if self.onehot_weight_ != 1
                            else "") + ")")
        self.feature_names_ = self.numeric_columns_ + [
            f"{col}={v}" for col, cat in zip(categories, self.categories_) for v in cat]
        return self._dataset(values, cats, table, notes, name)

    def transform(self, df: pd.DataFrame, *, name: str = "new data") -> Dataset:
        """Build the features of a new table exactly as the training table's were built.

        Extra columns are kept in ``table`` only; the column order does not matter. The label
        column is optional. Gaps are filled with the training medians / most frequent
        categories when fitted with ``missing="impute"``, else their rows are dropped (and
        counted in ``notes``). A category never seen in training gets all-zero one-hot columns.

        Parameters
        ----------
        df : pandas.DataFrame
            The new table.
        name : str
            Name of the new dataset, also used in messages.

        Returns
        -------
        Dataset
            ``X`` of shape (n_rows_kept, n_training_features), the training
            ``feature_names`` and ``recipe``.

        Raises
        ------
        InvalidDataError
            Training columns are missing (all named in one message), or every row has a gap.
        DataTypeError
            Text where numbers were trained.
        """
        self._check_fitted()
        table, notes = _table_and_notes(df)
        absent = [c for c in self.numeric_columns_ + self.onehot_columns_
                  if c not in table.columns]
        if absent:
            raise InvalidDataError(f"{name} lacks {len(absent)} column(s) the map was trained "
                                   f"on: {quoted_list(absent)}; add them with the same names.")
        values = np.empty((len(table), len(self.numeric_columns_)))
        text = []
        for j, col in enumerate(self.numeric_columns_):
            parsed = as_numeric(table[col], col, notes)
            if parsed is None:
                text.append(col)
            else:
                values[:, j] = np.where(np.isfinite(parsed), parsed, np.nan)
        if text:
            raise DataTypeError(f"Column(s) {quoted_list(text)} of {name} hold text, but the map "
                                "was trained on numbers there; check that they are the same "
                                "columns.")
        cats = {col: table[col].astype("string") for col in self.onehot_columns_}
        gaps = np.isnan(values)
        cat_gaps = np.column_stack([c.isna().to_numpy() for c in cats.values()] or
                                   [np.zeros(len(table), bool)])
        if self.missing == "drop":
            keep = ~(gaps.any(axis=1) | cat_gaps.any(axis=1))
            if not keep.any():
                raise InvalidDataError(f"Every row of {name} has a gap in the map's columns, and "
                                       "the map was trained without such rows; upload complete "
                                       "rows.")
            if not keep.all():
                notes.append(f"dropped {int((~keep).sum())} row(s) with missing values, as in "
                             "training")
                values, table = values[keep], table[keep].reset_index(drop=True)
                cats = {c: s[keep].reset_index(drop=True) for c, s in cats.items()}
        elif gaps.any() or cat_gaps.any():
            values = np.where(gaps, self.fill_, values)
            cats = {c: cats[c].fillna(f) for c, f in zip(self.onehot_columns_, self.onehot_fill_)}
            notes.append(f"filled {int(gaps.sum() + cat_gaps.sum())} missing value(s) with the "
                         "training medians / most frequent categories")
        return self._dataset(values, cats, table, notes, name)

    def inverse_transform(self, X: Any) -> pd.DataFrame:
        """Turn feature rows back into the table's columns, e.g. rows decoded by a map.

        Parameters
        ----------
        X : array of shape (n_rows, n_features)
            Rows in the layout of ``Dataset.X`` (scaled numbers, then one-hot blocks).

        Returns
        -------
        pandas.DataFrame of shape (n_rows, n_numeric + n_onehot)
            One column per training column, numeric columns first: numbers back in their
            original units (``value * scale_ + shift_``), and for each one-hot block the
            category whose column is largest (decoded blocks are rarely exactly 0/1).

        Raises
        ------
        InvalidDataError
            ``X`` is not a 2-D array with one column per feature.
        """
        self._check_fitted()
        X = np.asarray(X, dtype=np.float64)
        width = len(self.feature_names_)
        if X.ndim != 2 or X.shape[1] != width:
            raise InvalidDataError(f"Rows to turn back into the table must have {width} features "
                                   f"(shape (n, {width})); got shape {X.shape}.")
        out: dict[str, Any] = {}
        for j, col in enumerate(self.numeric_columns_):
            out[col] = X[:, j] * self.scale_[j] + self.shift_[j]
        start = len(self.numeric_columns_)
        for col, categories in zip(self.onehot_columns_, self.categories_):
            block = X[:, start:start + len(categories)]
            out[col] = np.array(categories, dtype=object)[block.argmax(axis=1)]
            start += len(categories)
        return pd.DataFrame(out)

    def to_dict(self) -> dict[str, Any]:
        """The JSON-able recipe (``Dataset.recipe``, kept in ``run.json``).

        Returns
        -------
        dict
            ``{"kind": "table", "version": 2, "scaling", "missing", "label_column", "numeric":
            [{"column", "shift", "scale", "fill"}], "onehot": [{"column", "categories",
            "fill"}], "onehot_weight", "feature_names"}``: the fitted attributes, column by
            column (a version 1 recipe has no ``onehot_weight``: its one-hot columns are 0/1).
        """
        self._check_fitted()
        numeric = [{"column": col, "shift": float(shift), "scale": float(scale),
                    "fill": float(fill)}
                   for col, shift, scale, fill in zip(self.numeric_columns_, self.shift_,
                                                      self.scale_, self.fill_)]
        onehot = [{"column": col, "categories": list(categories), "fill": fill}
                  for col, categories, fill in zip(self.onehot_columns_, self.categories_,
                                                   self.onehot_fill_)]
        return {"kind": "table", "version": RECIPE_VERSION, "scaling": self.scaling,
                "missing": self.missing, "label_column": self.label_column, "numeric": numeric,
                "onehot": onehot, "onehot_weight": float(self.onehot_weight_),
                "feature_names": list(self.feature_names_)}

    @classmethod
    def from_dict(cls, recipe: Any) -> "TablePreparation":
        """The fitted preparation that :meth:`to_dict` wrote (any version up to this one's).

        ``feature_columns`` becomes the recipe's numeric and one-hot columns.

        Raises
        ------
        InvalidParameterError
            No recipe, an image recipe, a newer version or a malformed recipe (one line).
        """
        check_recipe(recipe, _is_table_recipe)
        numeric, onehot = recipe["numeric"], recipe["onehot"]
        prep = cls(feature_columns=[e["column"] for e in numeric + onehot],
                   label_column=recipe.get("label_column"), scaling=recipe.get("scaling"),
                   missing=recipe["missing"])
        prep.numeric_columns_ = [e["column"] for e in numeric]
        prep.shift_, prep.scale_, prep.fill_ = (np.array([e[key] for e in numeric], np.float64)
                                                for key in ("shift", "scale", "fill"))
        prep.onehot_columns_ = [e["column"] for e in onehot]
        prep.categories_ = [[str(c) for c in e["categories"]] for e in onehot]
        prep.onehot_fill_ = [e["fill"] for e in onehot]
        prep.onehot_weight_ = float(recipe.get("onehot_weight", 1.0))
        prep.feature_names_ = list(recipe["feature_names"])
        return prep

    def _check_fitted(self) -> None:
        if not hasattr(self, "feature_names_"):
            raise NotFittedError("This TablePreparation is not fitted yet; call fit(df) first, "
                                 "or make it from a recipe with TablePreparation.from_dict.")

    def _dataset(self, values: np.ndarray, cats: dict[str, pd.Series], table: pd.DataFrame,
                 notes: list[str], name: str) -> Dataset:
        """The Dataset of gap-free rows (float64 numbers, text of the one-hot columns).

        Fit and transform share it, so that training and new rows go through the same float64
        operations and one-hot encoding.
        """
        features = [(values - self.shift_) / self.scale_]
        for col, categories in zip(self.onehot_columns_, self.categories_):
            features.append(self.onehot_weight_ * one_hot(cats[col], col, categories, notes))
        labels = None
        if self.label_column is not None and self.label_column in table.columns:
            labels = read_labels(table[self.label_column], notes)
        return Dataset(name=name, X=np.hstack(features).astype(np.float32), table=table,
                       labels=labels, label_name=None if labels is None else self.label_column,
                       kind="table", feature_names=list(self.feature_names_), notes=notes,
                       recipe=self.to_dict())


def _table_and_notes(df: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """The table with a fresh row index and str column names, and the reader's notes."""
    if not isinstance(df, pd.DataFrame):
        raise DataTypeError(f"Preparing a table needs a pandas DataFrame, got "
                            f"{type(df).__name__}.")
    notes = list(df.attrs.get(NOTES_ATTR, []))
    table = df.reset_index(drop=True)
    table.attrs.pop(NOTES_ATTR, None)  # now in the Dataset's notes
    table.columns = [str(c) for c in table.columns]
    return table, notes


def _drop_or_fill(values: np.ndarray, table: pd.DataFrame, numeric: list[str],
                  categories: list[str], label: str | None, missing: str, name: str,
                  notes: list[str]) -> tuple[np.ndarray, pd.DataFrame, np.ndarray]:
    """Drop the training rows that have a gap, or fill numeric gaps with the column medians.

    Categories are filled later, with their most frequent value. Returns the numeric values,
    the table of the rows kept and the medians (kept even without gaps, so that new data can
    be filled alike).
    """
    n = len(table)
    gaps = np.isnan(values)
    cat_gaps = table[categories].isna().to_numpy() if categories else np.zeros((n, 0), bool)
    label_gaps = table[label].isna().to_numpy() if label is not None else np.zeros(n, bool)
    if missing == "drop":
        keep = ~(gaps.any(axis=1) | cat_gaps.any(axis=1) | label_gaps)
        if not keep.all():
            where = [c for c, bad in zip(numeric + categories,
                                         np.hstack([gaps, cat_gaps]).any(axis=0)) if bad]
            where += [label] if label_gaps.any() else []
            notes.append(f"dropped {int((~keep).sum())} row(s) with missing values "
                         f"(in {quoted_list(where, 5)})")
            check_rows(int(keep.sum()), name, " left after dropping rows with missing "
                        "values", "; use missing='impute' to fill the gaps instead")
        values, table = values[keep], table[keep].reset_index(drop=True)
    else:
        n_filled = int(gaps.sum() + cat_gaps.sum())
        if n_filled:
            notes.append(f"imputed {n_filled} missing value(s) (median for numbers, most "
                         "frequent value for categories)")
    medians = np.nanmedian(values, axis=0)
    if missing == "impute":
        values = np.where(gaps, medians, values)
    return values, table, medians


def _is_table_recipe(recipe: dict[str, Any]) -> bool:
    return (recipe["kind"] == "table" and recipe["missing"] in MISSINGS
            and all({"column", "shift", "scale", "fill"} <= set(e) for e in recipe["numeric"])
            and all({"column", "categories", "fill"} <= set(e) for e in recipe["onehot"])
            and len(recipe["feature_names"]) == len(recipe["numeric"]) + sum(
                len(e["categories"]) for e in recipe["onehot"]))
