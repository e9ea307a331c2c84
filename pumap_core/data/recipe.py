"""Replay a dataset's preparation on a new upload, so that it can be embedded on a saved map.

A map only makes sense for rows built exactly like its training rows: the same columns in the
same order, scaled with the *training* means and deviations, one-hot encoded over the *training*
categories. :func:`prepare_table` and :func:`read_image_zip` record what they did in
``Dataset.recipe`` (a JSON-able dict kept in the run folder); :func:`apply_recipe` replays it.
A table recipe is the dict form of a :class:`TablePreparation`, which does the work.

>>> from pumap_core.data import apply_recipe, load_demo
>>> recipe = load_demo("iris").recipe
>>> new = apply_recipe(open("new_flowers.csv", "rb").read(), "new_flowers.csv", recipe)
... # doctest: +SKIP
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

import pandas as pd

from ..errors import InvalidDataError, InvalidParameterError
from ._common import MAX_UPLOAD_BYTES, check_recipe
from .dataset import Dataset
from .images import read_image_zip
from .table_prep import TablePreparation
from .tables import TABLE_EXTENSIONS, read_table

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
    ext = PurePath(filename).suffix.lower()
    if _is_images(recipe):
        if ext != ".zip":
            raise InvalidDataError(f"This map was trained on images, so new data must be a .zip "
                                   f"of images; {filename} is not a .zip file.")
        height, width = recipe["size"]
        return read_image_zip(data, name=filename, size=(height, width), mode=recipe["mode"],
                              max_bytes=max_bytes, min_images=1)
    prep = TablePreparation.from_dict(recipe)
    if ext not in TABLE_EXTENSIONS:
        raise InvalidDataError(f"This map was trained on a table, so new data must be a table "
                               f"({', '.join(TABLE_EXTENSIONS)}); {filename} is not one.")
    return prep.transform(read_table(data, filename, max_bytes=max_bytes), name=filename)


def apply_table_recipe(df: pd.DataFrame, recipe: dict[str, Any] | None, *,
                       name: str) -> Dataset:
    """Build the features of ``df`` with a table recipe (see :func:`apply_recipe`).

    ``TablePreparation.from_dict(recipe).transform(df, name=name)``: extra columns are kept in
    ``table`` only, the label column is optional, gaps are filled or their rows dropped as in
    training, and a category never seen in training gets all-zero one-hot columns.
    """
    return _read(recipe, "This recipe is for images; use apply_recipe with a zip.").transform(
        df, name=name)


def invert_table_recipe(X: Any, recipe: dict[str, Any] | None) -> pd.DataFrame:
    """Turn feature rows back into the table's columns, e.g. rows decoded by a map's decoder.

    ``TablePreparation.from_dict(recipe).inverse_transform(X)``.

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
    return _read(recipe, "This recipe is for images: decoded rows already are pixels in "
                         "[0, 1].").inverse_transform(X)


def _read(recipe: Any, if_images: str) -> TablePreparation:
    """The table preparation a recipe records; ``if_images`` is the error for an image one."""
    if _is_images(recipe):
        raise InvalidParameterError(if_images)
    return TablePreparation.from_dict(recipe)


def _is_images(recipe: Any) -> bool:
    """Whether ``recipe`` is an image recipe, after checking its structure (a table recipe is
    checked by :meth:`TablePreparation.from_dict`)."""
    if not (isinstance(recipe, dict) and recipe.get("kind") == "images"):
        return False
    check_recipe(recipe, lambda r: len(r["size"]) == 2 and all(
        isinstance(v, int) for v in r["size"]) and r["mode"] in ("L", "RGB"))
    return True
