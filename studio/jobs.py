"""Training in a background thread, observed through lock-protected snapshots.

The thread never calls ``st.*``: it only updates a :class:`JobSnapshot` under a lock, and the
Train page's fragment reads it every half second. Each browser session owns its own job object
(kept in ``st.session_state``), so sessions never see each other's jobs.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any, Callable

from pumap_core import EpochEvent, ParametricUMAP, StageEvent
from pumap_core.data import Dataset

from .errors import message_for

STAGE_LABELS = {"queued": "Waiting to start", "knn": "Finding nearest neighbours",
                "graph": "Building the fuzzy graph", "training": "Training the network",
                "saving": "Measuring quality and saving the run", "done": "Done",
                "cancelled": "Cancelled", "failed": "Failed"}


@dataclass(frozen=True)
class JobSnapshot:
    """What the page shows; immutable, so it can be handed across threads."""

    status: str = "running"          # running | done | cancelled | failed
    stage: str = "queued"
    epoch: int = 0
    n_epochs: int = 0
    losses: tuple[float, ...] = ()
    elapsed: float = 0.0
    eta: float | None = None
    error: str | None = None
    run_id: str | None = None
    started: float = field(default_factory=time.time)

    @property
    def finished(self) -> bool:
        return self.status != "running"

    @property
    def progress(self) -> float:
        """0..1 for the progress bar: the graph stages take the first 10 %."""
        if self.status == "done":
            return 1.0
        if self.n_epochs:
            return 0.1 + 0.9 * self.epoch / self.n_epochs
        return {"queued": 0.0, "knn": 0.02, "graph": 0.06}.get(self.stage, 0.1)


class TrainingJob:
    """One fit of ``ParametricUMAP(**params)`` on ``dataset``, saved as a run when it ends.

    Parameters
    ----------
    dataset : the data to embed
    params : keyword arguments of ParametricUMAP
    save : called with (estimator, dataset) after a finished or cancelled fit; returns the run
        id (the workspace's save_run in the app, anything in tests)
    """

    def __init__(self, dataset: Dataset, params: dict[str, Any],
                 save: Callable[[ParametricUMAP, Dataset], str]) -> None:
        self.dataset = dataset
        self.params = dict(params)
        self._save = save
        self._lock = threading.Lock()
        self._snapshot = JobSnapshot()
        self.estimator = ParametricUMAP(**self.params)
        self.estimator.add_listener(self._on_event)
        self._thread = threading.Thread(target=self._run, name="pumap-training", daemon=True)

    def start(self) -> "TrainingJob":
        self._thread.start()
        return self

    def snapshot(self) -> JobSnapshot:
        with self._lock:
            return self._snapshot

    def cancel(self) -> None:
        """Stop after the current step; the partial model is still saved as a run."""
        self.estimator.cancel()

    def join(self, timeout: float | None = None) -> None:
        self._thread.join(timeout)

    def _update(self, **changes: Any) -> None:
        with self._lock:
            self._snapshot = replace(self._snapshot, **changes)

    def _on_event(self, event: Any) -> None:
        if isinstance(event, EpochEvent):
            with self._lock:
                snap = self._snapshot
                self._snapshot = replace(snap, epoch=event.epoch, n_epochs=event.n_epochs,
                                         losses=snap.losses + (event.loss,),
                                         elapsed=event.elapsed, eta=event.eta)
        elif isinstance(event, StageEvent) and event.stage in ("knn", "graph", "training"):
            self._update(stage=event.stage)

    def _run(self) -> None:
        try:
            self.estimator.fit(self.dataset.X)
            self._update(stage="saving")
            run_id = self._save(self.estimator, self.dataset)
            status = "cancelled" if self.estimator.cancelled_ else "done"
            self._update(status=status, stage=status, run_id=run_id, eta=0.0)
        except Exception as exc:  # noqa: BLE001 - reported on the page as one line
            self._update(status="failed", stage="failed", error=message_for(exc))
