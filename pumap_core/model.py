"""The fitted model: a trained encoder plus what is needed to use and save it."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import keras
import numpy as np

from .errors import InvalidDataError
from .validation import as_float_matrix

TRANSFORM_CHUNK = 65536


@dataclass
class EmbeddingModel:
    """Owns ``transform``. Built by :class:`~pumap_core.ParametricUMAP` or by loading a folder.

    Attributes
    ----------
    encoder : keras.Model mapping items of shape ``item_shape`` to ``n_components`` values.
    a, b : float, the curve parameters the map was trained with.
    n_features_in : int, width of the rows ``transform`` accepts.
    item_shape : tuple, shape of one item as the encoder sees it (``dims`` or (n_features,)).
    history : dict with the list ``"loss"`` (one entry per epoch).
    """

    encoder: keras.Model
    a: float
    b: float
    n_features_in: int
    item_shape: tuple[int, ...]
    history: dict[str, list[float]] = field(default_factory=dict)
    info: dict[str, Any] = field(default_factory=dict)

    @property
    def n_components(self) -> int:
        return int(self.encoder.output_shape[-1])

    def transform(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """Embed rows of ``X`` (shape (n, n_features_in)) into float32 (n, n_components)."""
        X = as_float_matrix(X, what="The data to transform")
        if X.shape[1] != self.n_features_in:
            raise InvalidDataError(
                f"The model was trained on rows of {self.n_features_in} features but these rows "
                f"have {X.shape[1]}; pass data with the same columns as in training.")
        chunk = batch_size or TRANSFORM_CHUNK
        parts = []
        for start in range(0, len(X), chunk):
            items = X[start:start + chunk].reshape((-1, *self.item_shape))
            parts.append(keras.ops.convert_to_numpy(self.encoder(items, training=False)))
        return np.concatenate(parts).astype(np.float32, copy=False)
