"""Replay a dataset's preparation on a new upload, so that it can be embedded on a saved map.

A map only makes sense for rows built exactly like its training rows: the same columns in the
same order, scaled with the *training* means and deviations, one-hot encoded over the *training*
categories. :func:`prepare_table` and :func:`read_image_zip` record what they did in
``Dataset.recipe`` (a JSON-able dict kept in the run folder); :func:`apply_recipe` replays it.

>>> from pumap_core.data import apply_recipe, load_demo
>>> recipe = load_demo("iris").recipe
>>> new = apply_recipe(open("new_flowers.csv", "rb").read(), "new_flowers.csv", recipe)
... # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import numpy as np
import pandas as pd

from ..errors import DataTypeError, InvalidDataError, InvalidParameterError
from ._common import MAX_UPLOAD_BYTES, quoted_list
from .dataset import Dataset
from .images import read_image_zip
from .prepare import RECIPE_VERSION, _as_numeric, _labels
from .tables import NOTES_ATTR, TABLE_EXTENSIONS, read_table

__all__ = ["apply_recipe", "apply_table_recipe", "invert_table_recipe"]


def apply_recipe(data: bytes, filename: str, recipe: dict[str, Any] | None, *,
                 max_bytes: int = MAX_UPLOAD_BYTES) -> Dataset:
    """Read an upload and build its features exactly as the training data's were built.

    Parameters
    ----------
    data : bytes
        The uploaded file's content.
    filename : str
        Its name (the extension picks the reader); also the new dataset's name.
    recipe : dict
        ``Dataset.recipe`` of the training data (``run.json``'s ``dataset.recipe``).
    max_bytes : int
        Largest accepted upload.

    Returns
    -------
    Dataset
        ``X`` of shape (n_items, n_training_features), the training ``feature_names`` and the
        same ``recipe``. Images are read with the training size and mode (1 image is enough).

    Raises
    ------
    InvalidParameterError
        No recipe, or a malformed one.
    InvalidDataError, DataTypeError
        The upload cannot be read, is of the other kind (a table for an image map), lacks
        training columns (all named in one message) or has text where numbers were trained.
    """
    kind = _check_recipe(recipe)
    ext = PurePath(filename).suffix.lower()
    if kind == "images":
        if ext != ".zip":
            raise InvalidDataError(f"This map was trained on images, so new data must be a .zip "
                                   f"of images; {filename} is not a .zip file.")
        height, width = recipe["size"]
        return read_image_zip(data, name=filename, size=(height, width), mode=recipe["mode"],
                              max_bytes=max_bytes, min_images=1)
    if ext not in TABLE_EXTENSIONS:
        raise InvalidDataError(f"This map was trained on a table, so new data must be a table "
                               f"({', '.join(TABLE_EXTENSIONS)}); {filename} is not one.")
    return apply_table_recipe(read_table(data, filename, max_bytes=max_bytes), recipe,
                              name=filename)


def apply_table_recipe(df: pd.DataFrame, recipe: dict[str, Any] | None, *,
                       name: str) -> Dataset:
    """Build the features of ``df`` with a table recipe (see :func:`apply_recipe`).

    Extra columns are kept in ``table`` only. The label column is optional. Gaps are filled with
    the training medians / most frequent categories when the map was trained with
    ``missing="impute"``, else their rows are dropped (and named in ``notes``). A category never
    seen in training gets all-zero one-hot columns.
    """
    if _check_recipe(recipe) != "table":
        raise InvalidParameterError("This recipe is for images; use apply_recipe with a zip.")
    if not isinstance(df, pd.DataFrame):
        raise DataTypeError(f"apply_table_recipe needs a pandas DataFrame, got "
                            f"{type(df).__name__}.")
    notes = list(df.attrs.get(NOTES_ATTR, []))
    table = df.reset_index(drop=True)
    table.attrs.pop(NOTES_ATTR, None)
    table.columns = [str(c) for c in table.columns]
    numeric, onehot = recipe["numeric"], recipe["onehot"]
    required = [e["column"] for e in numeric] + [e["column"] for e in onehot]
    absent = [c for c in required if c not in table.columns]
    if absent:
        raise InvalidDataError(f"{name} lacks {len(absent)} column(s) the map was trained on: "
                               f"{quoted_list(absent)}; add them with the same names.")

    values = np.empty((len(table), len(numeric)))
    text = []
    for j, entry in enumerate(numeric):
        parsed = _as_numeric(table[entry["column"]], entry["column"], notes)
        if parsed is None:
            text.append(entry["column"])
        else:
            values[:, j] = np.where(np.isfinite(parsed), parsed, np.nan)
    if text:
        raise DataTypeError(f"Column(s) {quoted_list(text)} of {name} hold text, but the map was "
                            "trained on numbers there; check that they are the same columns.")
    cats = {e["column"]: table[e["column"]].astype("string") for e in onehot}
    gaps = np.isnan(values)
    cat_gaps = np.column_stack([c.isna().to_numpy() for c in cats.values()] or
                               [np.zeros(len(table), bool)])
    if recipe["missing"] == "drop":
        keep = ~(gaps.any(axis=1) | cat_gaps.any(axis=1))
        if not keep.any():
            raise InvalidDataError(f"Every row of {name} has a gap in the map's columns, and the "
                                   "map was trained without such rows; upload complete rows.")
        if not keep.all():
            notes.append(f"dropped {int((~keep).sum())} row(s) with missing values, as in "
                         "training")
            values, table = values[keep], table[keep].reset_index(drop=True)
            cats = {c: s[keep].reset_index(drop=True) for c, s in cats.items()}
    elif gaps.any() or cat_gaps.any():
        values = np.where(gaps, np.array([e["fill"] for e in numeric], dtype=np.float64), values)
        cats = {e["column"]: cats[e["column"]].fillna(e["fill"]) for e in onehot}
        notes.append(f"filled {int(gaps.sum() + cat_gaps.sum())} missing value(s) with the "
                     "training medians / most frequent categories")

    shift = np.array([e["shift"] for e in numeric], dtype=np.float64)
    scale = np.array([e["scale"] for e in numeric], dtype=np.float64)
    features = [(values - shift) / scale]  # the same float64 operations as in training
    for entry in onehot:
        features.append(_one_hot(cats[entry["column"]], entry, notes))
    label_column = recipe.get("label_column")
    labels = None
    if label_column is not None and label_column in table.columns:
        labels = _labels(table[label_column], notes)
    return Dataset(name=name, X=np.hstack(features).astype(np.float32), table=table,
                   labels=labels, label_name=None if labels is None else label_column,
                   kind="table", feature_names=list(recipe["feature_names"]), notes=notes,
                   recipe=recipe)


def invert_table_recipe(X: Any, recipe: dict[str, Any] | None) -> pd.DataFrame:
    """Turn feature rows back into the table's columns, e.g. rows decoded by a map's decoder.

    Parameters
    ----------
    X : array of shape (n_rows, n_features)
        Rows in the layout of ``Dataset.X`` (scaled numbers, then one-hot blocks).
    recipe : dict
        The table recipe the features were built with.

    Returns
    -------
    pandas.DataFrame of shape (n_rows, n_columns)
        One column per training column, in the recipe's order: numbers back in their original
        units (``value * scale + shift``), and for each one-hot block the category whose column
        is largest (decoded blocks are rarely exactly 0/1).

    Raises
    ------
    InvalidParameterError
        No recipe, an image recipe, or a malformed one.
    InvalidDataError
        ``X`` is not a 2-D array with one column per feature of the recipe.
    """
    if _check_recipe(recipe) != "table":
        raise InvalidParameterError("This recipe is for images: decoded rows already are pixels "
                                    "in [0, 1].")
    X = np.asarray(X, dtype=np.float64)
    width = len(recipe["feature_names"])
    if X.ndim != 2 or X.shape[1] != width:
        raise InvalidDataError(f"Rows to turn back into the table must have {width} features "
                               f"(shape (n, {width})); got shape {X.shape}.")
    out: dict[str, Any] = {}
    for j, entry in enumerate(recipe["numeric"]):
        out[entry["column"]] = X[:, j] * entry["scale"] + entry["shift"]
    start = len(recipe["numeric"])
    for entry in recipe["onehot"]:
        categories = np.array([str(c) for c in entry["categories"]], dtype=object)
        block = X[:, start:start + len(categories)]
        out[entry["column"]] = categories[block.argmax(axis=1)]
        start += len(categories)
    return pd.DataFrame(out)


def _one_hot(values: pd.Series, entry: dict[str, Any], notes: list[str]) -> np.ndarray:
    """One column per training category; an unseen category (or a gap) is all zeros."""
    categories = [str(c) for c in entry["categories"]]
    codes = pd.Index(categories).get_indexer(values)  # -1: unseen, or a gap
    block = np.zeros((len(values), len(categories)), np.float32)
    known = np.flatnonzero(codes >= 0)
    block[known, codes[known]] = 1.0
    unseen = values[codes < 0].dropna().unique().tolist()
    if unseen:
        notes.append(f"{entry['column']!r}: value(s) not seen in training, encoded as none of "
                     f"the known categories: {quoted_list([str(u) for u in unseen], 5)}")
    return block


def _check_recipe(recipe: Any) -> str:
    """Return the recipe's kind after checking its structure; one-line error otherwise."""
    if recipe is None:
        raise InvalidParameterError("This map has no data recipe (it was trained on data built "
                                    "by hand), so new uploads cannot be prepared like its data.")
    try:
        kind, version = recipe["kind"], recipe["version"]
        if not isinstance(version, int) or version > RECIPE_VERSION:
            raise InvalidParameterError(f"This data recipe has version {version!r}; this "
                                        f"pumap_core reads up to {RECIPE_VERSION}; upgrade it.")
        if kind == "images":
            ok = (len(recipe["size"]) == 2 and all(isinstance(v, int) for v in recipe["size"])
                  and recipe["mode"] in ("L", "RGB"))
        elif kind == "table":
            ok = (recipe["missing"] in ("drop", "impute")
                  and all({"column", "shift", "scale", "fill"} <= set(e)
                          for e in recipe["numeric"])
                  and all({"column", "categories", "fill"} <= set(e) for e in recipe["onehot"])
                  and len(recipe["feature_names"]) == len(recipe["numeric"]) + sum(
                      len(e["categories"]) for e in recipe["onehot"]))
        else:
            ok = False
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise InvalidParameterError("This map's data recipe is malformed; the run folder may be "
                                    "damaged (retrain or re-import the run).")
    return kind
