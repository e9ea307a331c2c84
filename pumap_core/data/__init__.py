"""Ingest: uploads (tables, zips of images), built-in demos and synthetic maps in, a validated
:class:`Dataset` out.

Usable from plain Python; the app is one client of it.

>>> from pumap_core.data import load_demo, load_upload
>>> ds = load_demo("iris")
>>> ds.X.shape
(150, 4)

:class:`DatasetStore` keeps datasets in the workspace, found again by id.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from ..errors import InvalidDataError
from ._common import MAX_UPLOAD_BYTES, UPLOAD_LIMIT_ENV, check_upload, max_upload_bytes
from .columns import default_feature_columns
from .combine import ORIGIN, combine_datasets
from .dataset import Dataset
from .demos import DEFAULT_DEMO, DEMOS, load_demo
from .images import read_image_zip
from .recipe import apply_recipe, apply_table_recipe, invert_table_recipe
from .store import DatasetInfo, DatasetStore
from .synthetic import make_synthetic
from .table_prep import TablePreparation
from .tables import TABLE_EXTENSIONS, prepare_table, read_table

__all__ = [
    "DEFAULT_DEMO", "DEMOS", "Dataset", "DatasetInfo", "DatasetStore", "MAX_UPLOAD_BYTES",
    "ORIGIN", "SUPPORTED_EXTENSIONS", "TablePreparation", "UPLOAD_LIMIT_ENV", "UPLOAD_TYPES",
    "apply_recipe", "apply_table_recipe", "check_upload", "combine_datasets",
    "default_feature_columns", "invert_table_recipe", "load_demo", "load_upload",
    "make_synthetic", "max_upload_bytes", "prepare_table", "read_image_zip", "read_table",
]

SUPPORTED_EXTENSIONS = TABLE_EXTENSIONS + (".zip",)
#: The same without the dot, as file pickers (``st.file_uploader(type=...)``) take them.
UPLOAD_TYPES = tuple(ext.lstrip(".") for ext in SUPPORTED_EXTENSIONS)


def load_upload(data: bytes, filename: str, *, max_bytes: int = MAX_UPLOAD_BYTES,
                **options: Any) -> Dataset:
    """Turn an uploaded file into a :class:`Dataset`, choosing the reader by extension.

    Parameters
    ----------
    data : bytes
        The file's content (``uploaded_file.getvalue()`` in Streamlit).
    filename : str
        Its name; also the dataset's name.
    max_bytes : int
        Largest accepted size (default :data:`MAX_UPLOAD_BYTES`, 200 MB).
    **options
        For tables, the parameters of :class:`TablePreparation` (``feature_columns``,
        ``label_column``, ``scaling``, ``categorical``, ``missing``); for ``.zip``, those of
        :func:`read_image_zip` (``size``, ``mode``, ``max_images``, ``max_image_pixels``,
        ``max_total_pixels``).

    Returns
    -------
    Dataset

    Raises
    ------
    PumapError
        A subclass with a one-line ``user_message`` for every malformed upload.
    """
    ext = PurePath(filename).suffix.lower()
    if ext == ".zip":
        return read_image_zip(data, name=filename, max_bytes=max_bytes, **options)
    if ext in TABLE_EXTENSIONS:
        df = read_table(data, filename, max_bytes=max_bytes)
        return TablePreparation(**options).fit_transform(df, name=filename)
    kind = f"a {ext} file" if ext else "a file without extension"
    raise InvalidDataError(f"{filename} is {kind}, which is not supported; upload a table "
                           f"({', '.join(TABLE_EXTENSIONS)}) or a zip of images (.zip).")
