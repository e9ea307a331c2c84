"""The training service: jobs submitted to Dask workers, their records in the workspace.

One service per server. By default it uses this process's own cluster (:mod:`.cluster`: a
``LocalCluster`` sized from the GPUs and cores, in a process of its own, started on first use
and shared by every service of the process, stopped when the process ends); with
``scheduler="tcp://host:8786"`` (or ``$PUMAP_SCHEDULER``) it submits to an existing Dask
cluster instead, whose workers must see the same workspace folder. Workers are reused job
after job; no process is started per user.

>>> service = TrainingService("workspace")                       # doctest: +SKIP
>>> record = service.submit(JobOrder(dataset_id=ds_id, params={"n_neighbors": 10}))
... # doctest: +SKIP
>>> service.store.get(record.id).status                          # doctest: +SKIP
'running'
"""

from __future__ import annotations

import atexit
import logging
import os
import subprocess
import sys
import threading
import time
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, PumapError
from .cluster import TRAINING_RESOURCE
from .order import JobOrder
from .record import CANCELLED, INTERRUPTED, QUEUED, JobRecord
from .store import JobStore

log = logging.getLogger("pumap_core")
SCHEDULER_ENV = "PUMAP_SCHEDULER"
STARTUP_SECONDS = 120
#: A live worker writes its job's heartbeat every few seconds (worker.HEARTBEAT_EVERY); one
#: silent for this long after a restart is not training any more.
QUIET_SECONDS = 10.0
SERVER_STOPPED = "Training stopped: the server was stopped while it trained."
LOST = ("Training stopped: its worker was lost (killed, out of memory, or the cluster went "
        "away).")


class ServiceError(PumapError, RuntimeError):
    """The training service could not start or reach its cluster."""


class TrainingService:
    """Submits jobs to Dask and keeps their records true.

    Parameters
    ----------
    root : str, Path or None
        The workspace (None: ``$PUMAP_WORKSPACE``, else ``./workspace``).
    scheduler : str or None
        An existing Dask scheduler's address; None: ``$PUMAP_SCHEDULER``, else a cluster of
        our own with ``n_workers`` workers (default :func:`.cluster.default_workers`).
    """

    def __init__(self, root: Any = None, *, scheduler: str | None = None,
                 n_workers: int | None = None) -> None:
        from distributed import Client

        self.store = JobStore(root)
        shared = scheduler or os.environ.get(SCHEDULER_ENV)
        address = shared or local_cluster(n_workers)
        try:
            self.client = Client(address, timeout=STARTUP_SECONDS, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ServiceError(f"Cannot reach the Dask scheduler at {address} ({exc}); check "
                               f"{SCHEDULER_ENV} or unset it to train on this machine.") from None
        self.address = address
        self._futures: dict[str, Any] = {}
        self._lock = threading.Lock()
        self._recover(own_cluster=not shared)

    # -- jobs -------------------------------------------------------------------------------
    def submit(self, order: JobOrder, *, owner: str = "", dataset_name: str = "",
               n_items: int = 0, landmarks: np.ndarray | None = None) -> JobRecord:
        """Queue a training; its record is on disk before this returns."""
        record = self.store.create(order, owner=owner, dataset_name=dataset_name,
                                   n_items=n_items, landmarks=landmarks)
        self._send(record.id)
        return record

    def cancel(self, job_id: str) -> JobRecord:
        """Stop a job: a queued one never starts; a running one stops after its current step
        and keeps its partial model as a run."""
        self.store.request_cancel(job_id)
        record = self.store.get(job_id)
        if record.status == QUEUED:
            with self._lock:
                future = self._futures.get(job_id)
            if future is not None:
                future.cancel()
            record = self.store.update(job_id, status=CANCELLED, stage=CANCELLED,
                                       ended=time.time())
        return record

    def resume(self, job_id: str, *, owner: str | None = None) -> JobRecord:
        """Queue an interrupted job again: it goes on from its last checkpoint (or, when it
        was stopped before training began, starts over); ``owner`` takes it over."""
        record = self.store.get(job_id)
        if record.status != INTERRUPTED:
            raise InvalidParameterError(f"Only an interrupted job can be resumed; this one is "
                                        f"{record.status}.")
        record = self.store.reopen(job_id, owner=owner)
        self._send(job_id)
        return record

    def discard(self, job_id: str) -> None:
        """Forget an ended job (an interrupted one's checkpoint goes with it)."""
        self.store.discard(job_id)

    def import_run_zip(self, data: bytes) -> Any:
        """Add a run from a zip (:meth:`~pumap_core.runs.Workspace.import_zip`), checked and
        its model loaded on a worker, so that this process never imports TensorFlow for it.

        The zip travels through the workspace (which the workers see), not through Dask.
        Returns the new run's :class:`~pumap_core.runs.RunInfo`; its errors are raised here.
        """
        from .worker import import_run

        uploads = self.store.root / "uploads"
        uploads.mkdir(parents=True, exist_ok=True)
        path = uploads / f"run-{time.time_ns()}.zip"
        path.write_bytes(data)
        try:
            future = self.client.submit(import_run, str(self.store.root), str(path), pure=False)
            return future.result()
        finally:
            path.unlink(missing_ok=True)

    def jobs(self) -> list[JobRecord]:
        """Every job, oldest first (those whose worker went silent marked interrupted)."""
        return self.store.list()

    def close(self) -> None:
        """Disconnect from the cluster (a cluster of this process's own keeps running)."""
        self.client.close()

    # -- internals --------------------------------------------------------------------------
    def _send(self, job_id: str) -> None:
        from .worker import run_job

        future = self.client.submit(run_job, str(self.store.root), job_id,
                                    key=f"train-{job_id}-{time.time_ns()}", pure=False,
                                    resources=self._training_resources())
        with self._lock:
            self._futures[job_id] = future
        future.add_done_callback(lambda f, job_id=job_id: self._settled(job_id, f))

    def _training_resources(self) -> dict[str, int] | None:
        """One "training" per job when the cluster's workers declare that resource (ours do),
        so that a worker trains one job at a time and its other thread stays free."""
        workers = self.client.scheduler_info().get("workers", {}).values()
        declared = any(TRAINING_RESOURCE in (w.get("resources") or {}) for w in workers)
        return {TRAINING_RESOURCE: 1} if declared else None

    def _settled(self, job_id: str, future: Any) -> None:
        """A task ended: if its worker died, the record still says running or queued."""
        with self._lock:
            self._futures.pop(job_id, None)
        if future.status == "finished" or future.cancelled():
            return
        try:
            record = self.store.get(job_id)
            if not record.finished:
                self.store.update(job_id, status=INTERRUPTED, stage=INTERRUPTED,
                                  ended=time.time(), error=LOST)
        except Exception:  # noqa: BLE001 - a callback must not raise into Dask's thread
            log.exception("could not mark job %s interrupted", job_id)

    def _recover(self, own_cluster: bool) -> None:
        """After a (re)start: queued jobs are sent again. A job still marked running whose
        worker has gone quiet was trained by a cluster that died with its server, when the
        cluster is our own (a new one trains nothing yet): it is marked interrupted now. On a
        shared cluster it may still be training; the heartbeat decides, within a minute."""
        for record in self.jobs():
            if record.status == QUEUED:
                self._send(record.id)
            elif own_cluster and record.stale(after=QUIET_SECONDS):
                self.store.update(record.id, status=INTERRUPTED, stage=INTERRUPTED,
                                  ended=time.time(), error=SERVER_STOPPED)


_CLUSTERS: dict[int | None, tuple[subprocess.Popen, str]] = {}
_CLUSTERS_LOCK = threading.Lock()


def local_cluster(n_workers: int | None = None) -> str:
    """The address of this process's own training cluster, started on first use.

    Raises
    ------
    ServiceError
        The cluster process did not report its address in time.
    """
    with _CLUSTERS_LOCK:
        known = _CLUSTERS.get(n_workers)
        if known is not None and known[0].poll() is None:
            return known[1]
        command = [sys.executable, "-m", "pumap_core.jobs.cluster"]
        if n_workers:
            command += ["--workers", str(int(n_workers))]
        process = subprocess.Popen(command, stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                                   text=True, start_new_session=True)
        line = _read_line(process, STARTUP_SECONDS)
        if not line.startswith("tcp://"):
            _stop(process)
            raise ServiceError("The training cluster did not start; see the server's log.")
        _CLUSTERS[n_workers] = (process, line.strip())
        return line.strip()


def stop_local_clusters() -> None:
    """Stop this process's clusters (also done when the process exits)."""
    with _CLUSTERS_LOCK:
        for process, _ in _CLUSTERS.values():
            _stop(process)
        _CLUSTERS.clear()


atexit.register(stop_local_clusters)


def _stop(process: subprocess.Popen) -> None:
    """End a cluster process: it stops when its input closes (and so when we die)."""
    try:
        process.stdin.close()
        process.wait(timeout=30)
    except (OSError, subprocess.TimeoutExpired):
        process.kill()


def _read_line(process: subprocess.Popen, timeout: float) -> str:
    """The process's first line of output, or "" if it ends or says nothing in time."""
    box: list[str] = []
    reader = threading.Thread(target=lambda: box.append(process.stdout.readline()), daemon=True)
    reader.start()
    reader.join(timeout)
    return box[0] if box else ""
