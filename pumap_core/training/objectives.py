"""The optional terms of the training loss, in keras.ops: reconstruction, global correlation, landmarks.

Each step the sampler embeds a set of points (all of them in the full-batch layout, the endpoints
of the step's edges otherwise). :class:`BatchExtras` adds to that step what the extra terms need,
as indices into those embedded points plus data-side arrays of fixed shapes (so XLA compiles one
step); :class:`ObjectivesTrainingModel` returns the pieces and adds the terms in ``compute_loss``:

* reconstruction: up to RECON_ROWS embedded points go through the decoder and are compared with
  their rows. Without ``autoencoder_loss`` the decoder sees ``stop_gradient(embedding)``, so the
  map is exactly the UMAP map; with it, the encoder is trained on both losses.
* global correlation (umap-learn's global-structure term): minus the Pearson correlation between
  data-space and embedding-space distances over GC_PAIRS random pairs of embedded points.
* landmarks: a distance between the embedding and the target position of every embedded point
  that has one (rows of NaN are free points); NaN never enters the graph (targets are zero-filled
  and masked), and the mean is over at least one point, so batches without landmarks and points
  sitting exactly on their target give finite gradients (the NaNs of umap-learn #1180).
"""

from __future__ import annotations

from dataclasses import dataclass, fields
from typing import Any, Callable, Mapping

import keras
import numpy as np
from keras import ops

from .decoding import Reconstruction
from .losses import UMAPTrainingModel, umap_logits, umap_loss

RECON_ROWS = 2048
GC_PAIRS = 2048
# Inside the square root of distances: keeps their gradient finite at distance 0.
SAFE_EPS = 1e-8


@dataclass
class Objectives:
    """Which extra loss terms a fit uses (None / 0 = off), with their weights.

    landmark_positions : float32 (n_samples, n_components) with NaN rows for free points.
    validation : raw rows (m, n_features) whose reconstruction loss is logged every epoch.
    """

    reconstruction: Reconstruction | None = None
    reconstruction_weight: float = 1.0
    autoencoder: bool = False
    global_correlation_weight: float = 0.0
    landmark_positions: np.ndarray | None = None
    landmark_weight: float = 1.0
    landmark_loss_fn: Callable | None = None
    validation: np.ndarray | None = None

    @property
    def active(self) -> bool:
        return (self.reconstruction is not None or self.global_correlation_weight > 0
                or self.landmark_positions is not None)

    def history_keys(self) -> list[str]:
        """The per-epoch entries of ``history_`` besides "loss"."""
        keys = ["umap_loss"]
        if self.reconstruction is not None:
            keys.append("reconstruction_loss")
        if self.global_correlation_weight > 0:
            keys.append("global_correlation_loss")
        if self.landmark_positions is not None:
            keys.append("landmark_loss")
        if self.reconstruction is not None and self.validation is not None:
            keys.append("val_reconstruction_loss")
        return keys


class BatchExtras:
    """Adds the inputs of the extra terms to each step of an :class:`EdgeSampler`.

    Called with ``rows``, the data row of every embedded point (None: all rows, in order).
    """

    def __init__(self, X: np.ndarray, objectives: Objectives, rng: np.random.Generator) -> None:
        self.X, self.obj, self.rng = X, objectives, rng
        lm = objectives.landmark_positions
        if lm is not None:
            self.lm_mask = np.isfinite(lm).all(axis=1).astype(np.float32)
            self.lm_pos = np.where(self.lm_mask[:, None] > 0, lm, 0).astype(np.float32)

    def _pick(self, p: int, k: int) -> np.ndarray:
        if p <= k:  # every point, once
            return np.arange(p, dtype=np.int32)
        return self.rng.integers(0, p, k, dtype=np.int32)

    def __call__(self, rows: np.ndarray | None) -> dict[str, np.ndarray]:
        p = len(self.X) if rows is None else len(rows)

        def data(idx):
            return self.X[idx if rows is None else rows[idx]]

        out: dict[str, np.ndarray] = {}
        recon = self.obj.reconstruction
        if recon is not None:
            idx = self._pick(p, RECON_ROWS)
            out["rec_idx"] = idx
            out["rec_target"] = recon.targets(data(idx).reshape(len(idx), -1))
        if self.obj.global_correlation_weight > 0:
            left = self.rng.integers(0, p, GC_PAIRS, dtype=np.int32)
            right = self.rng.integers(0, p, GC_PAIRS, dtype=np.int32)
            diff = (data(left) - data(right)).reshape(GC_PAIRS, -1)
            out["gc_left"], out["gc_right"] = left, right
            out["gc_dx"] = np.sqrt(np.einsum("ij,ij->i", diff, diff)).astype(np.float32)
        if self.obj.landmark_positions is not None:
            out["lm_pos"] = self.lm_pos if rows is None else self.lm_pos[rows]
            out["lm_mask"] = self.lm_mask if rows is None else self.lm_mask[rows]
        return out


def safe_distance(u, v):
    """Euclidean distances between rows, with a finite gradient when they coincide."""
    return ops.sqrt(ops.sum(ops.square(u - v), axis=-1) + SAFE_EPS)


def pearson(x, y):
    """Pearson correlation of two vectors (m,), finite when one of them is constant."""
    x = x - ops.mean(x)
    y = y - ops.mean(y)
    return ops.sum(x * y) / ops.sqrt(ops.sum(ops.square(x)) * ops.sum(ops.square(y)) + 1e-12)


def landmark_loss(emb, target, mask, loss_fn: Callable | None = None):
    """Mean landmark loss over the points with ``mask`` 1 (0 when there are none).

    Default: the Euclidean distance to the target. A user's ``loss_fn(y_true, y_pred)`` may
    return one value per point (averaged over landmarks) or a batch mean; it is called on all
    points with the free points' targets set to their own (gradient-free) embedding, so that a
    loss that is 0 for equal rows counts only landmarks, and its mean is rescaled to them.
    """
    count = ops.sum(mask)
    denom = ops.maximum(count, 1.0)
    if loss_fn is None:
        return ops.sum(mask * safe_distance(emb, target)) / denom
    keep = ops.expand_dims(mask, -1)
    target = keep * target + (1.0 - keep) * ops.stop_gradient(emb)
    value = ops.cast(loss_fn(target, emb), "float32")
    if len(value.shape) == 0:
        return value * ops.cast(ops.shape(mask)[0], "float32") / denom
    value = ops.reshape(value, (ops.shape(mask)[0], -1))
    return ops.sum(mask * ops.mean(value, axis=-1)) / denom


class ObjectivesTrainingModel(UMAPTrainingModel):
    """:class:`UMAPTrainingModel` plus the extra terms of ``objectives`` (see module docstring).

    ``call`` returns a dict of the pieces; ``compute_loss`` adds UMAP's cross-entropy (with the
    negatives' ``sample_weight``), the weighted terms and any regularisation losses, and logs
    each unweighted term as a metric (``umap_loss``, ``reconstruction_loss``, ...).
    """

    def __init__(self, encoder: keras.Model, a: float, b: float, objectives: Objectives,
                 **kwargs) -> None:
        super().__init__(encoder, a, b, **kwargs)
        self.obj = objectives
        recon = objectives.reconstruction
        self.decoder = recon.inner if recon is not None else None
        self.bce = umap_loss()
        self.umap_tracker = keras.metrics.Mean(name="umap_loss")
        if recon is not None:
            self.recon_tracker = keras.metrics.Mean(name="reconstruction_loss")
        if objectives.global_correlation_weight > 0:
            self.gc_tracker = keras.metrics.Mean(name="global_correlation_loss")
        if objectives.landmark_positions is not None:
            self.lm_tracker = keras.metrics.Mean(name="landmark_loss")

    def call(self, inputs, training=False):
        emb = ops.cast(self.encoder(inputs["x"], training=training), "float32")
        left = ops.take(emb, inputs["left"], axis=0)
        right = ops.take(emb, inputs["right"], axis=0)
        out = {"logits": ops.expand_dims(umap_logits(left, right, self.a, self.b), -1)}
        if self.decoder is not None:
            z = ops.take(emb, inputs["rec_idx"], axis=0)
            if not self.obj.autoencoder:  # the map stays the UMAP map
                z = ops.stop_gradient(z)
            pred = ops.cast(self.decoder(z, training=training), "float32")
            out["recon"] = ops.reshape(pred, (ops.shape(z)[0], -1))
        if self.obj.global_correlation_weight > 0:
            out["dz"] = safe_distance(ops.take(emb, inputs["gc_left"], axis=0),
                                      ops.take(emb, inputs["gc_right"], axis=0))
        if self.obj.landmark_positions is not None:
            out["emb"] = emb
        return out

    def compute_loss(self, x=None, y=None, y_pred=None, sample_weight=None, training=True):
        umap = self.bce(y, y_pred["logits"], sample_weight=sample_weight)
        self.umap_tracker.update_state(umap)
        total = umap
        obj = self.obj
        if self.decoder is not None:
            rec = obj.reconstruction.loss(x["rec_target"], y_pred["recon"])
            self.recon_tracker.update_state(obj.reconstruction.in_data_units(rec))
            total = total + obj.reconstruction_weight * rec
        if obj.global_correlation_weight > 0:
            gc = -pearson(x["gc_dx"], y_pred["dz"])
            self.gc_tracker.update_state(gc)
            total = total + obj.global_correlation_weight * gc
        if obj.landmark_positions is not None:
            lm = landmark_loss(y_pred["emb"], x["lm_pos"], x["lm_mask"], obj.landmark_loss_fn)
            self.lm_tracker.update_state(lm)
            total = total + obj.landmark_weight * lm
        for extra in self.losses:  # regularisers of the user's networks
            total = total + ops.cast(extra, "float32")
        return total


class ValidationReconstruction(keras.callbacks.Callback):
    """Adds ``val_reconstruction_loss`` (data units, like ``reconstruction_loss``) to each epoch.

    ``inputs`` are the validation rows as the trained network takes them (projected, shaped),
    ``rows`` the raw rows (m, n_features) they must be reconstructed into.
    """

    CHUNK = 4096

    def __init__(self, net: keras.Model, recon: Reconstruction, inputs: np.ndarray,
                 rows: np.ndarray) -> None:
        super().__init__()
        self.net, self.recon, self.inputs = net, recon, inputs
        self.targets = recon.targets(rows.reshape(len(rows), -1))

    def value(self) -> float:
        total = 0.0
        for start in range(0, len(self.inputs), self.CHUNK):
            z = self.net(self.inputs[start:start + self.CHUNK], training=False)
            pred = ops.reshape(ops.cast(self.recon.inner(z, training=False), "float32"),
                               (ops.shape(z)[0], -1))
            part = self.recon.loss(self.targets[start:start + self.CHUNK], pred)
            total += float(ops.convert_to_numpy(part)) * len(pred)
        return float(self.recon.in_data_units(total / len(self.inputs)))

    def on_epoch_end(self, epoch, logs=None):
        if logs is not None:
            logs["val_reconstruction_loss"] = self.value()


@dataclass(frozen=True)
class ObjectiveTerms:
    """Which extra loss terms a fit used, as its :class:`~pumap_core.model.FitInfo` keeps them.

    None means the term was off (and the key is left out of the manifest's "info").

    Attributes
    ----------
    reconstruction : "mse", "binary_crossentropy" or "custom", the decoder's loss mode.
    autoencoder : whether the encoder was trained on the reconstruction loss too (set with
        ``reconstruction``).
    global_correlation_weight : weight of the global-structure term.
    n_landmarks : number of points that had a target position.
    """

    reconstruction: str | None = None
    autoencoder: bool | None = None
    global_correlation_weight: float | None = None
    n_landmarks: int | None = None

    def to_dict(self) -> dict[str, Any]:
        """The terms that were on, as JSON."""
        return {f.name: getattr(self, f.name) for f in fields(self)
                if getattr(self, f.name) is not None}

    @classmethod
    def from_dict(cls, saved: Mapping[str, Any]) -> "ObjectiveTerms":
        """Read the keys of :meth:`to_dict` from ``saved`` (other keys are ignored)."""
        return cls(**{f.name: saved[f.name] for f in fields(cls) if f.name in saved})


def describe(objectives: Objectives) -> ObjectiveTerms:
    """The terms ``objectives`` switches on, with their settings."""
    recon = objectives.reconstruction
    positions = objectives.landmark_positions
    return ObjectiveTerms(
        reconstruction=None if recon is None else recon.mode,
        autoencoder=None if recon is None else bool(objectives.autoencoder),
        global_correlation_weight=(float(objectives.global_correlation_weight)
                                   if objectives.global_correlation_weight > 0 else None),
        n_landmarks=(None if positions is None
                     else int(np.isfinite(positions).all(axis=1).sum())))
