"""A training job as recorded on disk: what it trains, where it stands, how it ended.

The record is written by whoever moves the job on (the service when it queues, cancels or
finds it interrupted; the worker while it trains), atomically, so that any page of any
session reads the same live job from ``job.json``.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any, Mapping

QUEUED, RUNNING, DONE, CANCELLED, FAILED, INTERRUPTED = (
    "queued", "running", "done", "cancelled", "failed", "interrupted")
#: Every status; the last four are final: nothing moves the job on from there.
STATUSES = (QUEUED, RUNNING, DONE, CANCELLED, FAILED, INTERRUPTED)
FINAL = frozenset({DONE, CANCELLED, FAILED, INTERRUPTED})
#: What a job does: train a map, or embed a large input on one (``epoch`` / ``n_epochs`` then
#: count the input's partitions, ``n_items`` its rows).
TRAIN, EMBED = "train", "embed"
#: A running job whose worker has not written for this long is presumed dead (its worker or
#: the server was killed): the service marks it interrupted.
STALE_SECONDS = 60.0

STAGE_LABELS = {"queued": "Waiting for a worker", "loading": "Loading the data",
                "knn": "Finding nearest neighbours", "graph": "Building the fuzzy graph",
                "training": "Training the network", "embedding": "Embedding the rows",
                "saving": "Measuring quality and saving the run", "done": "Done",
                "cancelled": "Cancelled", "failed": "Failed", "interrupted": "Interrupted"}


def known_fields(cls: type, raw: Mapping[str, Any]) -> dict[str, Any]:
    """The entries of ``raw`` that are fields of the dataclass ``cls``: a record or order
    written by a newer version (with keys this one does not know) still reads."""
    known = {f.name for f in fields(cls)}
    return {k: v for k, v in raw.items() if k in known}


@dataclass(frozen=True)
class JobRecord:
    """One job's ``job.json``.

    Attributes
    ----------
    id : str, the job folder's name (time first, so ids sort by age)
    status : one of :data:`STATUSES`
    stage : the fit's stage ("queued", "loading", "knn", "graph", "training", "saving", or
        the final status)
    created, started, ended, heartbeat : float, Unix times (0 until they happen); the
        worker refreshes ``heartbeat`` every few seconds while it runs
    owner : str, the browser session that submitted it (to lock that session's form)
    dataset_id, dataset_name, n_items : the data it trains on
    settings : dict, the Train form's settings (shown on the page; what the worker trains with
        is the job's order, :class:`~pumap_core.jobs.order.JobOrder`)
    epoch, n_epochs : progress; losses : the loss per epoch so far; eta : seconds left
    terms : the parts of that loss per epoch, by name (``umap_loss``,
        ``reconstruction_loss``...; None for epochs before a resume), when there are several
    error : str or None, one line when it failed or was interrupted
    run_id : str or None, the run it was saved as
    resumed_from : epochs its checkpoint held when it was last (re)started (0: from the start)
    kind : :data:`TRAIN` or :data:`EMBED`
    """

    id: str
    status: str = QUEUED
    stage: str = "queued"
    created: float = field(default_factory=time.time)
    started: float = 0.0
    ended: float = 0.0
    heartbeat: float = 0.0
    owner: str = ""
    dataset_id: str = ""
    dataset_name: str = ""
    n_items: int = 0
    settings: dict[str, Any] = field(default_factory=dict)
    epoch: int = 0
    n_epochs: int = 0
    losses: tuple[float | None, ...] = ()
    terms: dict[str, tuple[float | None, ...]] = field(default_factory=dict)
    eta: float | None = None
    error: str | None = None
    run_id: str | None = None
    resumed_from: int = 0
    kind: str = TRAIN

    @property
    def finished(self) -> bool:
        """Whether the job has ended (done, cancelled, failed or interrupted)."""
        return self.status in FINAL

    @property
    def elapsed(self) -> float:
        """Seconds since it started (to its end once finished)."""
        if not self.started:
            return 0.0
        return (self.ended or time.time()) - self.started

    @property
    def progress(self) -> float:
        """0..1 for a progress bar: the stages before training take the first 10 %."""
        if self.status == DONE:
            return 1.0
        if self.n_epochs:
            return min(1.0, 0.1 + 0.9 * self.epoch / self.n_epochs)
        return {"loading": 0.01, "knn": 0.02, "graph": 0.06}.get(self.stage, 0.0)

    def stale(self, now: float | None = None, after: float = STALE_SECONDS) -> bool:
        """Running, but its worker has not been heard of for ``after`` seconds."""
        now = time.time() if now is None else now
        return self.status == RUNNING and now - max(self.heartbeat, self.started) > after

    def moved(self, **changes: Any) -> "JobRecord":
        """A copy with ``changes``; a final record never changes status again, except that an
        interrupted job may be queued again to resume."""
        resumed = self.status == INTERRUPTED and changes.get("status") == QUEUED
        if self.finished and not resumed and "status" in changes \
                and changes["status"] != self.status:
            changes.pop("status")
            changes.pop("stage", None)
        return replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        out = asdict(self)
        out["losses"] = list(self.losses)
        out["terms"] = {name: list(values) for name, values in self.terms.items()}
        return out

    @classmethod
    def from_dict(cls, raw: dict[str, Any]) -> "JobRecord":
        """Read a ``job.json`` dict; unknown keys (from newer versions) are ignored."""
        values = known_fields(cls, raw)
        values["losses"] = tuple(values.get("losses") or ())
        values["terms"] = {str(name): tuple(v) for name, v in
                           dict(values.get("terms") or {}).items()}
        if values.get("status") not in STATUSES:
            raise ValueError(f"unknown job status {values.get('status')!r}")
        return cls(**values)
