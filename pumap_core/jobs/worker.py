"""What a training worker runs: one job, from its record on disk to a run in the workspace.

:func:`run_job` is the task the service submits to Dask. It lives in an importable module so
that workers import it (and TensorFlow, once per worker process) instead of unpickling a
function with its globals. Progress goes to the job's record as it comes (a few writes a
second at most); a cancel asked for on any page reaches the fit through the job folder.
"""

from __future__ import annotations

import functools
import logging
import threading
import time
from typing import Any, Callable

from ..errors import NotFittedError, user_message
from ..quiet import quiet_tensorflow
from .record import CANCELLED, DONE, EMBED, FAILED, INTERRUPTED, RUNNING
from .store import JobStore

log = logging.getLogger("pumap_core")
#: Progress is written at most this often (seconds); the heartbeat at least this often.
WRITE_EVERY, HEARTBEAT_EVERY, CANCEL_POLL = 0.3, 3.0, 0.2
LOST_WORKER = ("The worker that trained this job stopped (it was killed, or ran out of "
               "memory).")


def run_job(root: str, job_id: str) -> str:
    """Train job ``job_id`` of the workspace ``root`` and save it as a run.

    Returns the final status. A job found already running was started by a worker that died
    (Dask gave it to this one): it is marked interrupted rather than trained twice.
    """
    quiet_tensorflow()  # before the fit imports it: the worker's output is the server's log
    store = JobStore(root)
    record = store.get(job_id)
    if record.finished:
        return record.status
    if record.status == RUNNING:
        store.update(job_id, status=INTERRUPTED, stage=INTERRUPTED, ended=time.time(),
                     error=LOST_WORKER)
        return INTERRUPTED
    if store.cancel_requested(job_id):
        store.update(job_id, status=CANCELLED, stage=CANCELLED, ended=time.time())
        return CANCELLED
    resumed, losses = _usable_checkpoint(store, job_id)
    now = time.time()
    store.update(job_id, status=RUNNING, stage="loading", started=now, heartbeat=now,
                 resumed_from=resumed, epoch=resumed, losses=losses)
    reporter = _Reporter(store, job_id, losses)
    work = _embed if record.kind == EMBED else _train
    try:
        status, run_id = work(store, job_id, reporter)
        reporter.finish(status=status, stage=status, run_id=run_id, eta=0.0)
    except Exception as exc:  # noqa: BLE001 - the page shows it as one line
        log.exception("training job %s failed", job_id)
        status = FAILED
        reporter.finish(status=FAILED, stage=FAILED, error=user_message(exc))
    store.checkpoint_path(job_id).unlink(missing_ok=True)  # only an interrupted job resumes
    return status


def import_run(root: str, zip_path: str) -> Any:
    """Add the run zipped at ``zip_path`` to the workspace ``root`` (a light task beside any
    training: checking the run loads its model, and so TensorFlow, here rather than in the
    server). Returns its RunInfo; a bad zip raises its one-line PumapError."""
    from pathlib import Path

    from ..runs import Workspace

    quiet_tensorflow()
    return Workspace(root).import_zip(Path(zip_path).read_bytes())


def _usable_checkpoint(store: JobStore, job_id: str) -> tuple[int, tuple[float, ...]]:
    """Epochs the job's checkpoint holds and their losses ((0, ()): none); an unreadable one is
    removed, so that the job starts over."""
    progress = store.checkpoint_progress(job_id)
    if progress is None:
        store.checkpoint_path(job_id).unlink(missing_ok=True)
        return 0, ()
    return progress[0], tuple(progress[1])


def _train(store: JobStore, job_id: str, reporter: "_Reporter") -> tuple[str, str]:
    """Load, fit, measure and save; returns the final status and the run's id."""
    from ..data import DatasetStore
    from ..metrics import quality_report
    from ..runs import Workspace
    from ..runs.files import MODEL
    from .order import build_estimator

    order = store.order(job_id)
    dataset = DatasetStore(store.root).load(order.dataset_id)
    workspace = Workspace(store.root)
    fit_args: dict[str, Any] = {}
    model = None
    if order.continue_from:
        model = str(workspace.load_run(order.continue_from).path / MODEL)
        fit_args["landmark_positions"] = store.landmarks(job_id)
    est = build_estimator(order, dataset, continue_model=model)
    if order.use_labels and dataset.labels is not None and model is None:
        from ..data.columns import labels_for_fit

        fit_args["y"], target_metric = labels_for_fit(dataset.labels)
        est.set_params(target_metric=target_metric)
    est.add_listener(reporter.on_event)
    est.add_listener(functools.partial(_live_map, store, job_id))
    reporter.watch(est.cancel)
    est.fit(dataset.X, checkpoint=store.checkpoint_path(job_id), **fit_args)
    reporter.update(stage="saving")
    metrics = quality_report(dataset.X, est.embedding_, dataset.labels)
    info = workspace.save_run(est, dataset, metrics=metrics, name=order.run_name)
    return (CANCELLED if est.cancelled_ else DONE), info.id


def _live_map(store: JobStore, job_id: str, event: Any) -> None:
    """Keep the fit's latest snapshot of the map for the Train page (its own small file: the
    record, read twice a second by every page, stays small)."""
    from ..training.events import SnapshotEvent

    if isinstance(event, SnapshotEvent):
        store.write_snapshot(job_id, event.epoch, event.n_epochs, event.positions, event.rows)


class _Stopped(Exception):
    """Raised from an embed's progress callback when a cancel was asked for."""


def _embed(store: JobStore, job_id: str, reporter: "_Reporter") -> tuple[str, str | None]:
    """Embed the order's input with its run's model on the cluster this task runs on (from
    inside the task, the Dask way: ``worker_client``), into ``maps/<job id>/`` of the
    workspace, then keep it as a large map. A cancel stops it and removes what was written."""
    import shutil

    from distributed import worker_client

    from ..runs import Workspace
    from ..runs.files import MODEL
    from ..scale.write import embed_to_parquet

    order = store.order(job_id)
    workspace = Workspace(store.root)
    info = workspace.run_info(order.run_id)  # a Parquet map with a model embeds too
    if not info.has_model:
        raise NotFittedError(f"{info.name!r} has no model to place the rows with; choose a "
                             "trained run.")
    model = info.path / MODEL
    output = workspace.maps_dir / job_id

    def progress(counter: Any, final: bool) -> None:
        snap = counter.snapshot()
        reporter.update(stage="embedding", epoch=snap.parts, n_epochs=snap.total_parts,
                        eta=snap.eta, force=final)
        if store.cancel_requested(job_id):
            raise _Stopped

    reporter.update(stage="embedding")
    reporter.watch()
    try:
        with worker_client() as client:
            embed_to_parquet(str(model), order.source, str(output), client=client,
                             columns=order.columns, keep=order.keep, progress=progress)
    except _Stopped:
        shutil.rmtree(output, ignore_errors=True)
        return CANCELLED, None
    reporter.update(stage="saving")
    info = workspace.add_parquet_map(output, name=order.name, model_dir=model)
    return DONE, info.id


def _finite(value: float) -> float | None:
    """A loss for the record: NaN (not computed, or diverged) as None."""
    return value if value == value else None


class _Reporter:
    """Turns fit events into record writes; a thread keeps the heartbeat and polls cancel."""

    def __init__(self, store: JobStore, job_id: str, losses: tuple = ()) -> None:
        self.store, self.job_id = store, job_id
        self._losses: list[float | None] = list(losses)  # a resumed job's, up to its checkpoint
        self._terms: dict[str, list[float | None]] = {}
        self._pending: dict[str, Any] = {}
        self._last_write = 0.0
        self._done = threading.Event()
        self._lock = threading.Lock()

    def on_event(self, event: Any) -> None:
        from ..training.events import EpochEvent, StageEvent

        if isinstance(event, EpochEvent):
            before = len(self._losses)
            self._losses.append(_finite(event.loss))
            for name, value in event.terms.items():  # epochs before a resume: None
                self._terms.setdefault(name, [None] * before).append(_finite(value))
            self.update(epoch=event.epoch, n_epochs=event.n_epochs,
                        losses=tuple(self._losses), eta=event.eta,
                        terms={name: tuple(v) for name, v in self._terms.items()},
                        force=event.epoch == event.n_epochs)
        elif isinstance(event, StageEvent) and event.stage in ("knn", "graph", "training"):
            self.update(stage=event.stage)

    def update(self, force: bool = True, **changes: Any) -> None:
        """Write ``changes`` now, or with the next write when they come too fast."""
        with self._lock:
            self._pending.update(changes)
            now = time.time()
            if not force and now - self._last_write < WRITE_EVERY:
                return
            self._flush(now)

    def _flush(self, now: float) -> None:
        self.store.update(self.job_id, heartbeat=now, **self._pending)
        self._pending, self._last_write = {}, now

    def watch(self, cancel: Callable[[], None] | None = None) -> None:
        """Keep the heartbeat until :meth:`finish`, and call ``cancel`` once a cancel marker
        appears."""

        def loop() -> None:
            while not self._done.wait(CANCEL_POLL):
                if cancel is not None and self.store.cancel_requested(self.job_id):
                    cancel()
                with self._lock:
                    if self._pending or time.time() - self._last_write > HEARTBEAT_EVERY:
                        self._flush(time.time())

        threading.Thread(target=loop, name=f"pumap-job-{self.job_id}", daemon=True).start()

    def finish(self, **changes: Any) -> None:
        self._done.set()
        self.update(ended=time.time(), **changes)
