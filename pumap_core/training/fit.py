"""From a fuzzy graph to a trained encoder: projection, warm start (``init``), UMAP training."""

from __future__ import annotations

import threading
from typing import Any, Callable

import keras
import numpy as np

from ..graph import FuzzyGraph
from ..graph.spectral import pca_layout, spectral_layout
from .checkpoint import Checkpoint
from .events import Event
from .networks import check_encoder, copy_network, default_encoder
from .objectives import Objectives
from .projection import InputProjection, fit_projection, fold_projection
from .snapshots import sample_rows
from .config import TrainingConfig
from .trainer import TrainResult, train

# Warm start (init="spectral", the default): the network first regresses onto the graph's
# spectral layout (each axis scaled to a standard deviation of INIT_SCALE, about UMAP's natural
# spread), which untangles the map before the UMAP loss refines it; init="pca" regresses onto
# the principal components instead, init="random" skips it. Measured in benchmarks/RESULTS.md.
INIT_STEPS = 200
INIT_BATCH = 1024
INIT_SCALE = 3.0


class _LayoutBatches(keras.utils.PyDataset):
    """Rows and their target layout positions, drawn with the fit's generator."""

    def __init__(self, X, target, item_shape, rng, steps):
        super().__init__(workers=1, use_multiprocessing=False)
        self.X, self.target, self.item_shape, self.rng, self.steps = X, target, item_shape, rng, steps
        self.batch = min(INIT_BATCH, len(X))

    def __len__(self):
        return self.steps

    def __getitem__(self, index):
        rows = self.rng.integers(0, len(self.X), self.batch)
        return self.X[rows].reshape((self.batch, *self.item_shape)), self.target[rows]


def warm_start(net: keras.Model, X: np.ndarray, layout: np.ndarray, item_shape: tuple[int, ...],
               rng: np.random.Generator) -> None:
    """Fit ``net`` to ``layout`` (n_samples, n_components) with INIT_STEPS steps of MSE."""
    schedule = keras.optimizers.schedules.CosineDecay(1e-2, INIT_STEPS, alpha=0.05)
    net.compile(optimizer=keras.optimizers.Adam(schedule), loss="mse", jit_compile="auto")
    batches = _LayoutBatches(X, layout, item_shape, rng, INIT_STEPS)
    net.fit(batches, epochs=1, verbose=0)


def _widest_axis_scaled(layout: np.ndarray) -> np.ndarray:
    """Centre ``layout`` and scale it so its widest axis has std INIT_SCALE (aspect kept)."""
    layout = np.asarray(layout, dtype=np.float32)
    layout = layout - layout.mean(axis=0)
    widest = float(layout.std(axis=0).max())
    return layout * (INIT_SCALE / widest if widest > 0 else 1.0)


def initial_layout(init: str | np.ndarray, graph: FuzzyGraph, X: np.ndarray,
                   n_components: int, seed: int) -> np.ndarray | None:
    """The positions the network regresses onto before UMAP training, or None (no warm start).

    Parameters
    ----------
    init : "spectral", "pca", "random" or array of shape (n_samples, n_components)
        An array is centred and scaled like the PCA layout (its aspect ratio is kept), as
        umap-learn rescales an ``init`` array before optimising it.
    X : array of shape (n_samples, n_features), the rows the network is trained on.

    Returns
    -------
    float32 array of shape (n_samples, n_components), or None for ``"random"``.
    """
    if isinstance(init, str):
        if init == "random":
            return None
        if init == "pca":
            return _widest_axis_scaled(pca_layout(X, n_components, seed))
        return spectral_layout(graph.graph, n_components, X, seed) * INIT_SCALE
    return _widest_axis_scaled(init)


def fit_network(X: np.ndarray, graph: FuzzyGraph, *, encoder: keras.Model | None,
                item_shape: tuple[int, ...], n_components: int, a: float, b: float,
                config: TrainingConfig, rng: np.random.Generator,
                emit: Callable[[Event], None], cancel: threading.Event,
                optimizer: keras.optimizers.Optimizer | None = None,
                keras_fit_kwargs: dict[str, Any] | None = None,
                init: str | np.ndarray = "spectral",
                objectives: Objectives | None = None,
                start: keras.Model | None = None,
                checkpoint: Checkpoint | None = None,
                ) -> tuple[keras.Model, TrainResult]:
    """Train a network that maps rows of ``X`` to an embedding of ``graph``.

    With ``encoder=None`` the default MLP is built (seeded from ``rng``) and, for wide data,
    trained on principal-component inputs then folded back (see :mod:`.projection`); otherwise
    a copy of the user's encoder is trained, leaving the user's object untouched. ``init``
    chooses the warm start (see :func:`initial_layout`).

    ``start``, a trained encoder, continues that map instead: a copy of it is trained on the
    raw rows, without warm start. ``objectives`` adds the optional loss terms (see
    :mod:`.objectives`); their decoder is trained in place.

    With a ``checkpoint`` (see :mod:`.checkpoint`) the fit's state is written as it trains,
    and a state already there is picked up: its projection and weights, no warm start, only
    the epochs that are left.

    With ``config.snapshots``, a sample of the rows (drawn with this fit's seed, so that the
    fit's own random draws are unchanged) is embedded as it trains: ``result.snapshots``.
    """
    seed = int(rng.integers(2**31 - 1))
    saved = None if checkpoint is None else checkpoint.load()
    projection = None
    if start is not None:
        final = copy_network(start)
        check_encoder(final, item_shape, n_components)
    elif encoder is None:
        final = default_encoder(item_shape, n_components, seed)
        if saved is None:
            projection = fit_projection(X, rng)
        elif saved.fixed:
            projection = InputProjection(**saved.fixed)
    else:
        final = copy_network(encoder)
        check_encoder(final, item_shape, n_components)
    if projection is not None:
        X_train = projection.apply(X)
        shape = (X_train.shape[1],)
        net = default_encoder(shape, n_components, seed)
    else:
        X_train, shape, net = X, item_shape, final

    if not cancel.is_set() and start is None and saved is None:
        layout = initial_layout(init, graph, X_train, n_components, seed)
        if layout is not None:
            warm_start(net, X_train, layout, shape, rng)
    val_inputs = None
    if objectives is not None and objectives.validation is not None:
        rows = objectives.validation
        val_inputs = (rows if projection is None else projection.apply(rows)).reshape(
            (len(rows), *shape))
    result = train(net, X_train, graph, a=a, b=b, item_shape=shape, config=config, rng=rng,
                   emit=emit, cancel=cancel, optimizer=optimizer,
                   keras_fit_kwargs=keras_fit_kwargs, objectives=objectives, X_raw=X,
                   val_inputs=val_inputs, checkpoint=checkpoint, saved=saved,
                   fixed={} if projection is None else projection.arrays(),
                   snapshot_rows=sample_rows(len(X), seed) if config.snapshots else None)
    if projection is not None:
        fold_projection(net, final, projection)
    return final, result

