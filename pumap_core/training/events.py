"""Small immutable events that the trainer sends to listeners (the app's progress bar, logs)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Union

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
    """

    epoch: int
    n_epochs: int
    loss: float
    elapsed: float
    eta: float | None


Event = Union[StageEvent, EpochEvent]
Listener = Callable[[Event], None]
