"""The fitted model (a trained encoder, and what using and saving it needs) and its FitInfo."""

from __future__ import annotations

from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any, Callable, Mapping

import keras
import numpy as np

from .errors import InvalidDataError, NotSupportedError
from .training.objectives import ObjectiveTerms
from .validation import as_float_matrix

TRANSFORM_CHUNK = 65536


@dataclass(frozen=True)
class FitInfo:
    """How a model was fitted: the "info" of its manifest.

    Manifests written before a field existed read back its default (None: not recorded).

    Attributes
    ----------
    n_samples : rows trained on (landmark rows kept by ``add_landmarks`` included).
    n_edges : edges of the fuzzy graph.
    knn_exact : whether the neighbours were exact (brute force) rather than NN-descent's.
    steps_per_epoch, edges_per_epoch : training steps, and edge samples, per epoch.
    cancelled : training was stopped by ``cancel()``.
    epochs_trained : epochs run, one per entry of ``history["loss"]``.
    fit_seconds : wall time of ``fit``, to the millisecond.
    continued : the fit trained an earlier map further (landmarks) instead of a new one.
    terms : the extra loss terms; their keys sit beside the others in the JSON object.
    """

    n_samples: int | None = None
    n_edges: int | None = None
    knn_exact: bool | None = None
    steps_per_epoch: int | None = None
    edges_per_epoch: int | None = None
    cancelled: bool = False
    epochs_trained: int | None = None
    fit_seconds: float | None = None
    continued: bool = False
    terms: ObjectiveTerms = ObjectiveTerms()

    def to_dict(self) -> dict[str, Any]:
        """The JSON object of a manifest's "info" (fields that are None are left out)."""
        out = {f.name: getattr(self, f.name) for f in fields(self)
               if f.name != "terms" and getattr(self, f.name) is not None}
        return {**out, **self.terms.to_dict()}

    @classmethod
    def from_dict(cls, saved: Mapping[str, Any] | None) -> "FitInfo":
        """Read a manifest's "info", of this version or an older one (unknown keys are ignored)."""
        saved = dict(saved or {})
        known = {f.name for f in fields(cls)} - {"terms"}
        return cls(**{k: v for k, v in saved.items() if k in known},
                   terms=ObjectiveTerms.from_dict(saved))


@dataclass
class EmbeddingModel:
    """Owns ``transform``, ``inverse_transform``, ``export`` and ``save``; built by a fit or a load.

    Attributes
    ----------
    encoder : keras.Model mapping items of shape ``item_shape`` to ``n_components`` values.
    a, b : float, the curve parameters the map was trained with.
    n_features_in : int, width of the rows ``transform`` accepts.
    item_shape : tuple, shape of one item as the encoder sees it (``dims`` or (n_features,)).
    history : dict with the list ``"loss"`` (one entry per epoch), and one list per extra loss
        term ("reconstruction_loss", ...) when those were on.
    info : FitInfo, how the model was fitted (sizes, epochs, time, loss terms).
    decoder : keras.Model or None, embedding (n_components,) -> item of ``item_shape`` in the
        input space and value range (``parametric_reconstruction=True``).
    landmarks : LandmarkSet or None, rows kept with ``add_landmarks`` for the next fit.
    feature_names : tuple of str or None, the names of the columns trained on (a DataFrame's),
        kept in the manifest so that data read by name (``pumap_core.scale``) can be checked.
    """

    encoder: keras.Model
    a: float
    b: float
    n_features_in: int
    item_shape: tuple[int, ...]
    history: dict[str, list[float]] = field(default_factory=dict)
    info: FitInfo = FitInfo()
    decoder: keras.Model | None = None
    landmarks: Any = None
    feature_names: tuple[str, ...] | None = None

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
        return _in_chunks(self.encoder, X, batch_size, lambda rows: rows.reshape(
            (-1, *self.item_shape)))

    def inverse_transform(self, Y: Any, batch_size: int | None = None) -> np.ndarray:
        """Decode embedding points (n, n_components) into float32 rows (n, n_features_in).

        Rows are in the layout and value range of the training data (reshape them to ``dims``
        for images); with a binary cross-entropy reconstruction loss they lie in [0, 1].
        """
        if self.decoder is None:
            raise NotSupportedError("This model has no decoder, so it cannot inverse_transform; "
                                    "fit with parametric_reconstruction=True.")
        Y = as_float_matrix(Y, what="The embedding to inverse_transform")
        if Y.shape[1] != self.n_components:
            raise InvalidDataError(
                f"The map has {self.n_components} dimensions but these points have "
                f"{Y.shape[1]}; pass points of the embedding, shape (n, {self.n_components}).")
        return _in_chunks(self.decoder, Y, batch_size, lambda rows: rows)

    def export(self, path: str | Path, format: str = "keras", *, verify: bool = True,
               sample: Any = None) -> Path:
        """Write the encoder for deployment: "keras", "savedmodel" or "onnx" (see :mod:`.export`)."""
        from .export import export_encoder

        return export_encoder(self, path, format, verify=verify, sample=sample)

    def save(self, path: str | Path, *, params: dict[str, Any],
             embedding: np.ndarray | None = None) -> Path:
        """Write the model to the folder ``path``; see :func:`.persistence.save_model`.

        ``params`` are the estimator's parameters as JSON (:func:`.persistence.to_manifest`);
        ``embedding``, the training embedding (n_samples, n_components), is kept when given.
        """
        from .persistence import save_model

        return save_model(self, path, params=params, embedding=embedding)


def _in_chunks(net: keras.Model, rows: np.ndarray, batch_size: int | None,
               shape_in: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``net`` applied to ``rows`` a chunk at a time; flat float32 rows out."""
    chunk = batch_size or TRANSFORM_CHUNK
    parts = []
    for start in range(0, len(rows), chunk):
        out = keras.ops.convert_to_numpy(net(shape_in(rows[start:start + chunk]), training=False))
        parts.append(out.reshape(len(out), -1))
    return np.concatenate(parts).astype(np.float32, copy=False)
