"""The one object every ingest path returns: features for UMAP and what the app shows of them."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any, Literal

import numpy as np
import pandas as pd

from ..errors import DataTypeError, InvalidDataError
from ..thumbnails import Thumbnails

DatasetKind = Literal["table", "images"]


@dataclass(frozen=True, eq=False)  # eq=False: comparing arrays field by field is meaningless
class Dataset:
    """Validated features, one metadata row per item, labels and thumbnails.

    Parameters
    ----------
    name : str
        What the app calls the dataset (the uploaded file name or the demo name).
    X : ndarray of shape (n_items, n_features), float32
        The finite features fed to UMAP, already scaled.
    table : pandas.DataFrame with n_items rows
        Metadata to show on hover and to export: the original columns of a table, or ``file``
        (the path inside the zip) and ``label`` (when sub-folders exist) for images.
    labels : ndarray of shape (n_items,) or None
        One class per item (str or int), a float value when a table's label column is
        continuous, or None when there are no labels.
    label_name : str or None
        Name of the label column (``"label"`` for images and digits).
    kind : {"table", "images"}
        Where the data came from.
    image_shape : tuple of int or None
        ``(height, width)`` or ``(height, width, 3)`` of the images behind each row of ``X``.
    thumbnails : Thumbnails or None
        One small picture per item, fitted into a square cell (64, 32 or 16 px by the number of
        items), made once at ingest for hover previews and atlas pages; ``thumbnails[i]`` gives
        item i as PNG bytes.
    feature_names : list of str
        One name per column of ``X`` (one-hot columns are named ``"column=value"``).
    notes : list of str
        Human-readable notes about what ingest did ("dropped 3 rows with missing values").
    recipe : dict or None
        JSON-able record of how ``X`` was built (feature columns, scaling parameters, one-hot
        categories, imputation values; or image size and mode), so that a new upload can be
        turned into the same features with :func:`pumap_core.data.apply_recipe`. None for a
        hand-made dataset.
    """

    name: str
    X: np.ndarray
    table: pd.DataFrame
    labels: np.ndarray | None = None
    label_name: str | None = None
    kind: DatasetKind = "table"
    image_shape: tuple[int, ...] | None = None
    thumbnails: Thumbnails | None = None
    feature_names: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    recipe: dict[str, Any] | None = None

    def __post_init__(self) -> None:
        # The readers build consistent objects; these checks catch hand-made ones early, with a
        # clear message, instead of deep inside the kNN search or the explorer.
        X = np.ascontiguousarray(self.X, dtype=np.float32)
        object.__setattr__(self, "X", X)
        if X.ndim != 2 or X.shape[0] == 0 or X.shape[1] == 0:
            raise InvalidDataError(f"Dataset {self.name!r}: X must be a non-empty 2-D array, got "
                                   f"shape {X.shape}.")
        if not np.isfinite(X).all():
            raise InvalidDataError(f"Dataset {self.name!r}: X contains NaN or infinite values.")
        n, d = X.shape
        if self.thumbnails is not None and not isinstance(self.thumbnails, Thumbnails):
            raise DataTypeError(f"Dataset {self.name!r}: thumbnails must be a Thumbnails stack, "
                                f"not {type(self.thumbnails).__name__} (Thumbnails.from_pngs "
                                "converts PNG bytes).")
        sizes = {"table": len(self.table),
                 "labels": None if self.labels is None else len(self.labels),
                 "thumbnails": None if self.thumbnails is None else len(self.thumbnails)}
        for what, size in sizes.items():
            if size is not None and size != n:
                raise InvalidDataError(f"Dataset {self.name!r}: {what} has {size} entries for {n} "
                                       "rows of X.")
        if self.feature_names and len(self.feature_names) != d:
            raise InvalidDataError(f"Dataset {self.name!r}: {len(self.feature_names)} feature "
                                   f"names for {d} columns of X.")
        if self.kind not in ("table", "images"):
            raise InvalidDataError(f"Dataset {self.name!r}: kind must be 'table' or 'images', "
                                   f"not {self.kind!r}.")
        if self.image_shape is not None and int(np.prod(self.image_shape)) != d:
            raise InvalidDataError(f"Dataset {self.name!r}: image_shape {self.image_shape} does "
                                   f"not match {d} features.")

    def head(self, n: int) -> "Dataset":
        """The first ``n`` items: rows of ``X``, ``table``, ``labels`` and ``thumbnails``."""
        return replace(self, X=self.X[:n], table=self.table.iloc[:n],
                       labels=None if self.labels is None else self.labels[:n],
                       thumbnails=(None if self.thumbnails is None
                                   else self.thumbnails.take(slice(0, n))))

    @property
    def n_items(self) -> int:
        """Number of rows of ``X`` (items on the map)."""
        return int(self.X.shape[0])

    @property
    def n_features(self) -> int:
        """Number of columns of ``X``."""
        return int(self.X.shape[1])

    def class_counts(self) -> dict[Any, int] | None:
        """Items per class, ordered by class, or None without discrete labels."""
        if self.labels is None or self.labels.dtype.kind == "f":
            return None
        values, counts = np.unique(self.labels, return_counts=True)
        return {v.item(): int(c) for v, c in zip(values, counts)}
