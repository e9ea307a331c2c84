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
from .config import TrainingConfig
from .events import EpochEvent, Event
from .losses import UMAPTrainingModel, umap_loss
from .sampler import EdgeSampler

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


@dataclass
class _Flags:
    cancelled: bool = False
    diverged: bool = False
    losses: list[float] = field(default_factory=list)


class _Guard(keras.callbacks.Callback):
    """Stops on cancel or on a non-finite loss; keeps the weights of the last good epoch."""

    def __init__(self, encoder: keras.Model, cancel: threading.Event, flags: _Flags) -> None:
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
    """Sends one :class:`EpochEvent` per epoch and logs every ``report_every`` epochs."""

    def __init__(self, emit: Callable[[Event], None], n_epochs: int, report_every: int,
                 flags: _Flags) -> None:
        super().__init__()
        self.emit, self.n_epochs, self.every, self.flags = emit, n_epochs, report_every, flags

    def on_train_begin(self, logs=None):
        self.t0 = time.perf_counter()

    def on_epoch_end(self, epoch, logs=None):
        loss = float((logs or {}).get("loss", float("nan")))
        if self.flags.diverged or not math.isfinite(loss):
            return
        self.flags.losses.append(loss)
        done = epoch + 1
        elapsed = time.perf_counter() - self.t0
        eta = elapsed / done * (self.n_epochs - done)
        if done % self.every == 0 or done == self.n_epochs:
            log.info("epoch %d/%d  loss %.4f  %.1fs", done, self.n_epochs, loss, elapsed)
        self.emit(EpochEvent(epoch=done, n_epochs=self.n_epochs, loss=loss, elapsed=elapsed,
                             eta=eta))


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
          keras_fit_kwargs: dict[str, Any] | None = None) -> TrainResult:
    """Train ``encoder`` in place on the UMAP loss of ``graph``."""
    heads, tails, weights = graph.edges()
    full_batch = len(X) <= config.full_batch_max_points
    batch_size = config.resolved_batch_size(len(X), graph.n_edges)
    n_epochs = config.resolved_epochs(len(X))
    steps = max(1, math.ceil(graph.n_edges / batch_size))
    sampler = EdgeSampler(X, heads, tails, weights, item_shape=item_shape,
                          edges_per_batch=batch_size,
                          negative_sample_rate=config.negative_sample_rate,
                          repulsion_strength=config.repulsion_strength,
                          steps_per_epoch=steps, full_batch=full_batch, rng=rng)
    model = UMAPTrainingModel(encoder, a, b)
    model.compile(optimizer=_fresh_optimizer(optimizer, config.learning_rate,
                                             steps * n_epochs),
                  loss=umap_loss(), jit_compile="auto",
                  steps_per_execution=min(steps, STEPS_PER_EXECUTION))
    flags = _Flags()
    kwargs = {"epochs": n_epochs, "verbose": 0, **(keras_fit_kwargs or {})}
    user_callbacks = list(kwargs.pop("callbacks", None) or [])
    callbacks = [_Guard(encoder, cancel, flags),
                 _Progress(emit, kwargs["epochs"], config.report_every, flags)] + user_callbacks
    for key in ("x", "y", "batch_size", "steps_per_epoch", "validation_data", "shuffle"):
        kwargs.pop(key, None)
    if not cancel.is_set():
        model.fit(sampler, callbacks=callbacks, **kwargs)
    else:
        flags.cancelled = True
    return TrainResult(history={"loss": list(flags.losses)}, cancelled=flags.cancelled,
                       diverged=flags.diverged, steps_per_epoch=steps,
                       edges_per_epoch=steps * batch_size)
