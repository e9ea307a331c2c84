"""The training loop: Keras ``fit`` over an :class:`EdgeSampler`, with events, cancel and NaN guard."""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import keras
import numpy as np

from ..graph import FuzzyGraph
from .checkpoint import Checkpoint, CheckpointCallback, SavedState, restore_optimizer
from .config import TrainingConfig
from .events import EpochEvent, Event, SnapshotEvent
from .losses import UMAPTrainingModel, umap_loss
from .objectives import BatchExtras, Objectives, ObjectivesTrainingModel, ValidationReconstruction
from .sampler import EdgeSampler
from .snapshots import TrainingSnapshots, snapshot_every

log = logging.getLogger("pumap_core")

# Steps run per call into the compiled graph: amortises Python and callback overhead (which
# dominates on small data) while cancel and the NaN check still act within an epoch.
STEPS_PER_EXECUTION = 16


@dataclass(frozen=True)
class TrainResult:
    history: dict[str, list[float]]
    cancelled: bool
    diverged: bool
    steps_per_epoch: int
    edges_per_epoch: int
    snapshots: TrainingSnapshots | None = None


@dataclass
class _Flags:
    cancelled: bool = False
    diverged: bool = False
    history: dict[str, list[float]] = field(default_factory=dict)


class _Networks:
    """The trained networks (encoder, and decoder when there is one) as one set of weights."""

    def __init__(self, *nets: keras.Model) -> None:
        self.nets = [n for n in nets if n is not None]

    def get_weights(self) -> list[np.ndarray]:
        return [w for n in self.nets for w in n.get_weights()]

    def set_weights(self, weights: list[np.ndarray]) -> None:
        start = 0
        for n in self.nets:
            count = len(n.get_weights())
            n.set_weights(weights[start:start + count])
            start += count


class _Guard(keras.callbacks.Callback):
    """Stops on cancel or on a non-finite loss; keeps the weights of the last good epoch."""

    def __init__(self, encoder: keras.Model | _Networks, cancel: threading.Event,
                 flags: _Flags) -> None:
        super().__init__()
        self.encoder, self.cancel, self.flags = encoder, cancel, flags
        self.good_weights = encoder.get_weights()

    def on_train_batch_end(self, batch, logs=None):
        loss = float((logs or {}).get("loss", 0.0))
        if not math.isfinite(loss):
            self.flags.diverged = True
            self.encoder.set_weights(self.good_weights)
            self.model.stop_training = True
        elif self.cancel.is_set():
            self.flags.cancelled = True
            self.model.stop_training = True

    def on_epoch_end(self, epoch, logs=None):
        # A step can leave non-finite weights behind a finite loss (the loss is computed
        # before the update), so the weights themselves are checked before being kept.
        weights = self.encoder.get_weights()
        if all(np.isfinite(w).all() for w in weights):
            if not self.flags.diverged:
                self.good_weights = weights
        else:
            self.flags.diverged = True
            self.encoder.set_weights(self.good_weights)
            self.model.stop_training = True


class _Progress(keras.callbacks.Callback):
    """Sends one :class:`EpochEvent` per epoch and logs every ``report_every`` epochs.

    Keeps ``keys`` of the epoch logs ("loss", and the extra terms' entries) in the history.
    """

    def __init__(self, emit: Callable[[Event], None], n_epochs: int, report_every: int,
                 flags: _Flags, keys: tuple[str, ...] = ("loss",), first_epoch: int = 0) -> None:
        super().__init__()
        self.emit, self.n_epochs, self.every, self.flags = emit, n_epochs, report_every, flags
        self.keys, self.first_epoch = keys, first_epoch

    def on_train_begin(self, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        loss = float((logs or {}).get("loss", float("nan")))
        if self.flags.diverged or not math.isfinite(loss):
            return
        for key in self.keys:
            self.flags.history.setdefault(key, []).append(float((logs or {}).get(key, math.nan)))
        done = epoch + 1
        elapsed = time.perf_counter() - self.t0
        eta = elapsed / (done - self.first_epoch) * (self.n_epochs - done)
        if done % self.every == 0 or done == self.n_epochs:
            log.info("epoch %d/%d  loss %.4f  %.1fs", done, self.n_epochs, loss, elapsed)
        terms = {key: float((logs or {}).get(key, math.nan)) for key in self.keys
                 if key != "loss"}
        self.emit(EpochEvent(epoch=done, n_epochs=self.n_epochs, loss=loss, elapsed=elapsed,
                             eta=eta, terms=terms))


class _Snapshots(keras.callbacks.Callback):
    """Embeds the fixed sample ``items`` (rows ``rows`` of the training data, shaped for the
    network) before training, every ``every`` epochs and at the end; keeps each map and sends
    it as a :class:`SnapshotEvent`. A diverged fit takes no more (its weights are the last good
    ones, already pictured)."""

    def __init__(self, net: keras.Model, items: np.ndarray, rows: np.ndarray, every: int,
                 n_epochs: int, emit: Callable[[Event], None], flags: _Flags,
                 first_epoch: int = 0) -> None:
        super().__init__()
        self.net, self.items, self.rows, self.every = net, items, rows, every
        self.n_epochs, self.emit, self.flags = n_epochs, emit, flags
        self.first_epoch = self.done = first_epoch
        self.epochs: list[int] = []
        self.positions: list[np.ndarray] = []

    def _take(self, epoch: int) -> None:
        if self.flags.diverged or (self.epochs and self.epochs[-1] == epoch):
            return
        # A direct call, not predict(): no predict function to trace, a few ms for 2,000 rows.
        out = keras.ops.convert_to_numpy(self.net(self.items, training=False))
        positions = np.asarray(out, dtype=np.float32).reshape(len(self.rows), -1)
        if not np.isfinite(positions).all():
            return
        self.epochs.append(epoch)
        self.positions.append(positions)
        self.emit(SnapshotEvent(epoch=epoch, n_epochs=self.n_epochs, positions=positions,
                                rows=self.rows))

    def on_train_begin(self, logs=None):
        self.done = self.first_epoch
        self._take(self.first_epoch)

    def on_epoch_end(self, epoch, logs=None):
        self.done = epoch + 1
        if self.done % self.every == 0:
            self._take(self.done)

    def on_train_end(self, logs=None):  # the last map: also after a cancel or early stop
        self._take(self.done)

    def result(self) -> TrainingSnapshots | None:
        if not self.epochs:
            return None
        return TrainingSnapshots.checked(np.array(self.epochs), np.stack(self.positions),
                                         self.rows)


def _fresh_optimizer(optimizer: keras.optimizers.Optimizer | None, lr: float,
                     total_steps: int) -> keras.optimizers.Optimizer:
    """A new optimizer for every fit: a user's instance is copied from its config."""
    if optimizer is not None:
        return keras.optimizers.deserialize(keras.optimizers.serialize(optimizer))
    schedule = keras.optimizers.schedules.CosineDecay(lr, decay_steps=max(1, total_steps),
                                                      alpha=0.02)
    return keras.optimizers.Adam(learning_rate=schedule)


def train(encoder: keras.Model, X: np.ndarray, graph: FuzzyGraph, *, a: float, b: float,
          item_shape: tuple[int, ...], config: TrainingConfig, rng: np.random.Generator,
          emit: Callable[[Event], None], cancel: threading.Event,
          optimizer: keras.optimizers.Optimizer | None = None,
          keras_fit_kwargs: dict[str, Any] | None = None,
          objectives: Objectives | None = None, X_raw: np.ndarray | None = None,
          val_inputs: np.ndarray | None = None, checkpoint: Checkpoint | None = None,
          saved: SavedState | None = None,
          fixed: dict[str, np.ndarray] | None = None,
          snapshot_rows: np.ndarray | None = None) -> TrainResult:
    """Train ``encoder`` in place on the UMAP loss of ``graph``.

    With active ``objectives`` the extra loss terms are added (and their decoder trained in
    place); their data-side inputs come from ``X_raw``, the rows in the input space (``X`` may
    be projected), and ``val_inputs`` are ``objectives.validation`` as the encoder takes them.

    With a ``checkpoint`` the state is written as it trains (with the ``fixed`` arrays);
    ``saved``, a state read back from it, is restored first and only the epochs left are run.

    With ``config.snapshots`` > 0, the rows ``snapshot_rows`` of ``X`` are embedded before
    training and every few epochs (:mod:`.snapshots`); the maps are in the result.
    """
    extra = objectives if objectives is not None and objectives.active else None
    heads, tails, weights = graph.edges()
    full_batch = len(X) <= config.full_batch_max_points
    batch_size = config.resolved_batch_size(len(X), graph.n_edges)
    n_epochs = config.resolved_epochs(len(X))
    steps = max(1, math.ceil(graph.n_edges / batch_size))
    sampler = EdgeSampler(X, heads, tails, weights, item_shape=item_shape,
                          edges_per_batch=batch_size,
                          negative_sample_rate=config.negative_sample_rate,
                          repulsion_strength=config.repulsion_strength,
                          steps_per_epoch=steps, full_batch=full_batch, rng=rng,
                          extras=None if extra is None else BatchExtras(
                              X if X_raw is None else X_raw, extra, rng))
    watched: Any = encoder
    own_callbacks: list = []
    keys: tuple[str, ...] = ("loss",)
    if extra is None:  # the default: Keras' own loss, nothing else computed
        model = UMAPTrainingModel(encoder, a, b)
        loss = umap_loss()
    else:
        model, loss = ObjectivesTrainingModel(encoder, a, b, extra), None
        recon = extra.reconstruction
        watched = _Networks(encoder, None if recon is None else recon.inner)
        keys += tuple(extra.history_keys())
        if recon is not None and val_inputs is not None:
            own_callbacks.append(ValidationReconstruction(encoder, recon, val_inputs,
                                                          extra.validation))
    model.compile(optimizer=_fresh_optimizer(optimizer, config.learning_rate,
                                             steps * n_epochs),
                  loss=loss, jit_compile="auto",
                  steps_per_execution=min(steps, STEPS_PER_EXECUTION))
    flags = _Flags()
    kwargs = {"epochs": n_epochs, "verbose": 0, **(keras_fit_kwargs or {})}
    first_epoch = 0
    if saved is not None:
        watched.set_weights(saved.weights)
        restore_optimizer(model.optimizer, model.trainable_variables, saved.optimizer)
        flags.history = {key: list(saved.history.get(key, [])) for key in keys}
        first_epoch = kwargs["initial_epoch"] = min(saved.epoch, kwargs["epochs"])
    user_callbacks = list(kwargs.pop("callbacks", None) or [])
    callbacks = [_Guard(watched, cancel, flags), *own_callbacks,
                 _Progress(emit, kwargs["epochs"], config.report_every, flags, keys,
                           first_epoch)]
    snapshots = None
    if config.snapshots > 0 and snapshot_rows is not None and len(snapshot_rows):
        items = X[snapshot_rows].reshape((len(snapshot_rows), *item_shape))
        snapshots = _Snapshots(encoder, items, snapshot_rows,
                               snapshot_every(kwargs["epochs"] - first_epoch, config.snapshots),
                               kwargs["epochs"], emit, flags, first_epoch)
        callbacks.append(snapshots)
    if checkpoint is not None:
        callbacks.append(CheckpointCallback(checkpoint, watched, flags.history, fixed or {},
                                            kwargs["epochs"], lambda: flags.diverged))
    callbacks += user_callbacks
    for key in ("x", "y", "batch_size", "steps_per_epoch", "validation_data", "shuffle"):
        kwargs.pop(key, None)
    if not cancel.is_set():
        model.fit(sampler, callbacks=callbacks, **kwargs)
    else:
        flags.cancelled = True
    history = {key: list(flags.history.get(key, [])) for key in keys}
    return TrainResult(history=history, cancelled=flags.cancelled,
                       diverged=flags.diverged, steps_per_epoch=steps,
                       edges_per_epoch=steps * batch_size,
                       snapshots=None if snapshots is None else snapshots.result())
