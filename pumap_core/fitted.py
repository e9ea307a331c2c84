"""What a fitted :class:`~pumap_core.ParametricUMAP` does with its model: transform, decode,
save and export, each handed to the fitted :class:`~pumap_core.model.EmbeddingModel`."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import numpy as np

from .errors import NotFittedError

log = logging.getLogger("pumap_core")


class FittedModelMixin:
    """The estimator's methods that use ``model_`` (set by ``fit`` or a loader)."""

    def _fitted(self):
        if "model_" not in self.__dict__:
            raise NotFittedError("This ParametricUMAP is not fitted yet; call fit(X) first.")
        return self.model_

    def transform(self, X: Any, batch_size: int | None = None) -> np.ndarray:
        """Embed new rows with the trained encoder: (n, n_features_in_) → (n, n_components)."""
        return self._fitted().transform(X, batch_size=batch_size)

    def inverse_transform(self, X: Any) -> np.ndarray:
        """Decode map points (n, n_components) into rows (n, n_features_in_) in the data's range.

        Needs ``parametric_reconstruction=True`` at fit time (NotSupportedError otherwise).
        """
        return self._fitted().inverse_transform(X)

    @property
    def _history(self) -> dict[str, list[float]]:
        """umap-learn's name for ``history_``."""
        self._fitted()
        return self.history_

    def save(self, save_location: str | Path, verbose: bool = False) -> Path:
        """Write the fitted model to the folder ``save_location`` (see :mod:`.persistence`)."""
        from .persistence import to_manifest

        path = self._fitted().save(save_location, params=to_manifest(self),
                                   embedding=self.embedding_)
        if verbose:
            log.info("saved to %s", path)
        return path

    def export(self, path: str | Path, format: str = "keras", *, verify: bool = True,
               sample: Any = None) -> Path:
        """Write the trained encoder as "keras", "savedmodel" or "onnx", checked against Keras.

        See :func:`pumap_core.export.export_encoder`; returns the file or folder written.
        """
        return self._fitted().export(path, format, verify=verify, sample=sample)
