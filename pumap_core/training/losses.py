"""UMAP's fuzzy cross-entropy as a binary cross-entropy on logits, in backend-neutral keras.ops.

UMAP's similarity of two embedded points is q = 1 / (1 + a d^(2b)), which is a sigmoid:
q = sigmoid(z) with z = -log(a) - b * log(d^2). Attraction on an edge is -log q and repulsion from
a negative sample is -log(1 - q), i.e. binary cross-entropy with targets 1 and 0. Writing it on
logits keeps it stable, and using d^2 (never sqrt(d^2)) with a small epsilon means no 0/0 in the
gradient when two points coincide (the NaNs of umap-learn #1200 / #1283 under XLA).
"""

from __future__ import annotations

import math

import keras
from keras import ops

# Same order as the 0.001 that umap-learn's own SGD adds to d^2 in the repulsive gradient.
DIST_EPS = 1e-3


def umap_logits(emb_a, emb_b, a: float, b: float):
    """Logits z (shape (m,)) of UMAP similarities between rows of ``emb_a`` and ``emb_b``."""
    d2 = ops.sum(ops.square(emb_a - emb_b), axis=-1)
    return -math.log(a) - b * ops.log(d2 + DIST_EPS)


class UMAPTrainingModel(keras.Model):
    """Wraps an encoder for training: embeds a batch of points, returns logits of point pairs.

    Inputs are a dict with ``x`` (points, shape (p, *item_shape)), and ``left`` / ``right``
    (int32 indices into those points, shape (m,)). The training target is 1 for edges of the
    graph and 0 for negative samples, with ``repulsion_strength`` as the negatives' weight, so
    Keras' own binary cross-entropy is the UMAP loss and ``model.fit`` needs no custom step.
    """

    def __init__(self, encoder: keras.Model, a: float, b: float, **kwargs) -> None:
        super().__init__(**kwargs)
        self.encoder = encoder
        self.a = float(a)
        self.b = float(b)

    def call(self, inputs, training=False):
        emb = ops.cast(self.encoder(inputs["x"], training=training), "float32")
        left = ops.take(emb, inputs["left"], axis=0)
        right = ops.take(emb, inputs["right"], axis=0)
        # shape (m, 1): Keras' cross-entropy averages over the last axis, so each pair must be
        # its own sample for the per-pair weights (repulsion_strength) to apply.
        return ops.expand_dims(umap_logits(left, right, self.a, self.b), -1)


def umap_loss():
    """The Keras loss that pairs with :class:`UMAPTrainingModel`."""
    return keras.losses.BinaryCrossentropy(from_logits=True)
