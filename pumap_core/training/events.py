"""Small immutable events that the trainer sends to listeners (the app's progress bar, logs)."""

from __future__ import annotations

import logging
import threading
import time
from dataclasses import dataclass, field
from typing import Callable, Union

import numpy as np

log = logging.getLogger("pumap_core")

STAGES = ("knn", "graph", "training", "done", "cancelled", "failed")


@dataclass(frozen=True)
class StageEvent:
    """The fit moved to a new stage: one of ``STAGES``."""

    stage: str
    message: str
    elapsed: float


@dataclass(frozen=True)
class EpochEvent:
    """One reported epoch finished.

    epoch is 1-based; ``eta`` is the estimated seconds left (None until it can be estimated).
    ``loss`` is the total that is minimised; ``terms`` its parts (``umap_loss``,
    ``reconstruction_loss``, ``global_correlation_loss``, ``landmark_loss``, unweighted, and
    ``val_reconstruction_loss``) when the fit has more than the UMAP loss, else empty.
    """

    epoch: int
    n_epochs: int
    loss: float
    elapsed: float
    eta: float | None
    terms: dict[str, float] = field(default_factory=dict)


@dataclass(frozen=True, eq=False)
class SnapshotEvent:
    """The map of the fit's fixed sample of rows, now (see :mod:`.snapshots`).

    ``epoch`` is 0 for the map before UMAP training (the warm start), else the epochs done;
    ``positions`` is float32 of shape (n_sample, n_components); ``rows`` (int64, n_sample) are
    the sampled rows of the training data, the same in every event of a fit.
    """

    epoch: int
    n_epochs: int
    positions: np.ndarray
    rows: np.ndarray


Event = Union[StageEvent, EpochEvent, SnapshotEvent]
Listener = Callable[[Event], None]


class ListenersMixin:
    """Events out, cancel in, for :class:`~pumap_core.ParametricUMAP`: listeners get every
    event of later fits; ``cancel()`` from any thread stops the running fit after its step.

    Listeners and the cancel flag live in the instance's ``__dict__``, not in its parameters,
    so that ``get_params`` and ``sklearn.base.clone`` never see them.
    """

    def add_listener(self, listener: Listener) -> None:
        """Call ``listener(event)`` for every StageEvent / EpochEvent / SnapshotEvent of
        later fits."""
        self.__dict__.setdefault("_listeners", []).append(listener)

    def remove_listener(self, listener: Listener) -> None:
        self.__dict__.get("_listeners", []).remove(listener)

    def cancel(self) -> None:
        """Stop a running fit after the current step (thread-safe); the model stays usable."""
        self.__dict__.setdefault("_cancel_event", threading.Event()).set()

    def _emit(self, event: Event) -> None:
        for listener in list(self.__dict__.get("_listeners", [])):
            try:
                listener(event)
            except Exception:  # a broken progress bar must not kill a long fit
                log.exception("listener %r failed", listener)

    def _stage(self, stage: str, message: str) -> None:
        """Log and emit a StageEvent; ``_t0`` is when the fit started (set by ``fit``)."""
        log.info("%s: %s", stage, message)
        self._emit(StageEvent(stage=stage, message=message,
                              elapsed=time.perf_counter() - self._t0))

    def _reset_cancel(self) -> threading.Event:
        """The cancel flag this fit checks, cleared (a cancel() of an earlier fit is spent)."""
        cancel = self.__dict__.setdefault("_cancel_event", threading.Event())
        cancel.clear()
        return cancel
