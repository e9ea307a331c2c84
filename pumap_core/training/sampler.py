"""Edge batches drawn by weight on the fly, from O(edges) arrays (no repeated edge list)."""

from __future__ import annotations

from typing import Callable

import keras
import numpy as np


class EdgeSampler(keras.utils.PyDataset):
    """Each item is one training step: points to embed and the pairs to score.

    Edges are drawn with probability proportional to their membership weight, as UMAP's SGD
    visits them, by inverting the cumulative weights (O(log E) per draw, O(E) memory).

    Two layouts, one model:

    * ``full_batch`` (small data): every step embeds all n points once and scores many edges
      among them; negatives are uniform over all points, as in UMAP itself. The network cost per
      step is n forward passes whatever the number of edges, so large edge batches are cheap.
    * otherwise: the step embeds the 2 * B endpoints of its B edges; negatives are other
      endpoints of the batch (umap-learn's in-batch negatives).

    Every random draw comes from ``rng``, the fit's single generator; Keras calls ``__getitem__``
    in order from one thread, so a seeded fit is reproducible.
    """

    def __init__(self, X: np.ndarray, heads: np.ndarray, tails: np.ndarray,
                 weights: np.ndarray, *, item_shape: tuple[int, ...], edges_per_batch: int,
                 negative_sample_rate: int, repulsion_strength: float, steps_per_epoch: int,
                 full_batch: bool, rng: np.random.Generator,
                 extras: Callable[[np.ndarray | None], dict] | None = None) -> None:
        super().__init__(workers=1, use_multiprocessing=False)
        # extras(rows) adds the inputs of optional loss terms (training.objectives); rows are
        # the data rows of the embedded points, None for all of them in the full batch.
        self.extras = extras
        self.X = X
        self.item_shape = item_shape
        self.heads, self.tails = heads, tails
        cdf = np.cumsum(weights, dtype=np.float64)
        self.cdf = cdf / cdf[-1]
        self.B = int(edges_per_batch)
        self.r = int(negative_sample_rate)
        self.steps = int(steps_per_epoch)
        self.full_batch = full_batch
        self.rng = rng
        self.x_all = X.reshape((len(X), *item_shape)) if full_batch else None
        self.y = np.concatenate([np.ones(self.B), np.zeros(self.B * self.r)]).astype(
            np.float32)[:, None]
        self.sample_weight = np.concatenate(
            [np.ones(self.B), np.full(self.B * self.r, repulsion_strength)]).astype(np.float32)

    def __len__(self) -> int:
        return self.steps

    def draw_edges(self) -> tuple[np.ndarray, np.ndarray]:
        """B edges drawn by weight, as (heads, tails)."""
        picks = np.searchsorted(self.cdf, self.rng.random(self.B), side="right")
        np.minimum(picks, len(self.cdf) - 1, out=picks)
        return self.heads[picks], self.tails[picks]

    def __getitem__(self, index: int):
        h, t = self.draw_edges()
        B, r = self.B, self.r
        if self.full_batch:
            x = self.x_all
            negatives = self.rng.integers(0, len(self.X), B * r, dtype=np.int32)
            left = np.concatenate([h, np.repeat(h, r)])
            right = np.concatenate([t, negatives])
        else:
            x = self.X[np.concatenate([h, t])].reshape((2 * B, *self.item_shape))
            ar = np.arange(B, dtype=np.int32)
            negatives = self.rng.integers(0, 2 * B, B * r, dtype=np.int32)
            left = np.concatenate([ar, np.repeat(ar, r)])
            right = np.concatenate([ar + B, negatives])
        inputs = {"x": x, "left": left.astype(np.int32), "right": right.astype(np.int32)}
        if self.extras is not None:
            inputs.update(self.extras(None if self.full_batch else np.concatenate([h, t])))
        return inputs, self.y, self.sample_weight
