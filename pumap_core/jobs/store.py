"""Training jobs kept on disk: one folder per job in the workspace, read by every page.

Layout::

    <root>/jobs/<job_id>/
        job.json        the record (:class:`~pumap_core.jobs.record.JobRecord`), rewritten
                        atomically as the job moves on
        order.json      what it trains (:class:`~pumap_core.jobs.order.JobOrder`), written once
        landmarks.npy   landmark positions of a continued training (float32, NaN rows free)
        checkpoint.npz  the fit's state while it trains (:mod:`pumap_core.training.checkpoint`):
                        what Resume goes on from after the worker or the server was killed
        snapshot.npz    the latest map of the fit's sample of rows while it trains (epoch,
                        n_epochs, rows, positions; :meth:`JobStore.write_snapshot`), for the
                        Train page's live map; rewritten atomically, apart from job.json
        cancel          present once a cancel was asked for; the worker polls it

Ids start with the time (``20261201-130501-digits-3f2a``), so they sort by age.
"""

from __future__ import annotations

import json
import os
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InvalidParameterError, ModelFileError, ModelNotFoundError, one_line
from ..runs.record import (commit_folder, folder_path, new_run_id, record_folders, remove_folder,
                           write_json)
from ..runs.record import workspace_root
from .order import EmbedOrder, JobOrder, order_from_dict
from .record import FINAL, INTERRUPTED, QUEUED, TRAIN, JobRecord

JOB_JSON, ORDER_JSON, LANDMARKS, CANCEL = "job.json", "order.json", "landmarks.npy", "cancel"
CHECKPOINT, SNAPSHOT = "checkpoint.npz", "snapshot.npz"
SILENT = ("Training stopped: nothing was heard from its worker for a minute (the worker or the "
          "server was stopped).")
#: Records as last parsed, by file, with the (inode, mtime, size) they were read at: every
#: write replaces the file (a new inode), so a changed record is never served stale.
_PARSED: dict[str, tuple[tuple[int, int, int], JobRecord]] = {}
_PARSED_MAX = 20_000
#: One lock per process for read-modify-write of a record (the worker's progress thread and
#: its training thread both write).
_WRITE_LOCK = threading.Lock()


@dataclass(frozen=True, eq=False)
class JobSnapshot:
    """The latest map of a job's sample: ``positions`` (n_sample, n_components) float32 of
    the dataset's rows ``rows`` (int64) after ``epoch`` of ``n_epochs`` epochs (0: the warm
    start)."""

    epoch: int
    n_epochs: int
    positions: np.ndarray
    rows: np.ndarray


class JobStore:
    """The jobs of a workspace.

    Parameters
    ----------
    root : str, Path or None
        The workspace folder (None: ``$PUMAP_WORKSPACE``, else ``./workspace``).
    """

    def __init__(self, root: str | os.PathLike | None = None) -> None:
        self.root = workspace_root(root)
        self.jobs_dir = self.root / "jobs"

    def __repr__(self) -> str:
        return f"JobStore({str(self.root)!r})"

    def create(self, order: JobOrder | EmbedOrder, *, owner: str = "", dataset_name: str = "",
               n_items: int = 0, landmarks: np.ndarray | None = None) -> JobRecord:
        """A new queued job for ``order``; its folder appears whole (written, then renamed)."""
        slug = dataset_name or "job"
        raw = JobRecord(id=new_run_id(slug), owner=owner, dataset_id=order.dataset_id,
                        dataset_name=dataset_name, n_items=int(n_items),
                        settings=order.settings(),
                        kind=getattr(order, "kind", TRAIN)).to_dict()

        def write(tmp: Path) -> None:
            write_json(tmp / ORDER_JSON, order.to_dict())
            if landmarks is not None:
                np.save(tmp / LANDMARKS, np.asarray(landmarks, np.float32), allow_pickle=False)

        commit_folder(self.jobs_dir, raw, JOB_JSON, write, slug=slug, what="job")
        return JobRecord.from_dict(raw)

    def get(self, job_id: str) -> JobRecord:
        """The job's record as last written; a running job whose worker has been silent for a
        minute (killed with the server, say) is marked interrupted on the way.

        Raises
        ------
        ModelNotFoundError
            There is no such job.
        ModelFileError
            Its ``job.json`` is damaged.
        """
        record = self._read(job_id)
        if record.stale():
            record = self.update(job_id, status=INTERRUPTED, stage=INTERRUPTED,
                                 ended=time.time(), error=SILENT)
        return record

    def order(self, job_id: str) -> JobOrder | EmbedOrder:
        """What the job does."""
        try:
            raw = json.loads((self._path(job_id) / ORDER_JSON).read_text(encoding="utf-8"))
            return order_from_dict(raw)
        except FileNotFoundError:
            raise ModelNotFoundError(f"There is no training job {job_id!r}.") from None
        except (ValueError, TypeError) as exc:
            raise ModelFileError(f"The order of job {job_id} is damaged ({one_line(exc)}).") \
                from None

    def landmarks(self, job_id: str) -> np.ndarray | None:
        """The landmark positions of a continued training, or None."""
        path = self._path(job_id) / LANDMARKS
        return np.load(path, allow_pickle=False) if path.is_file() else None

    def checkpoint_path(self, job_id: str) -> Path:
        """Where the job's fit keeps its resumable state."""
        return self._path(job_id) / CHECKPOINT

    def checkpoint_progress(self, job_id: str) -> tuple[int, list[float]] | None:
        """The epochs a Resume would start from, with their losses (None: no checkpoint, so it
        would start over)."""
        from ..training.checkpoint import Checkpoint

        return Checkpoint(self.checkpoint_path(job_id), key="").progress()

    def checkpoint_epoch(self, job_id: str) -> int | None:
        progress = self.checkpoint_progress(job_id)
        return None if progress is None else progress[0]

    def write_snapshot(self, job_id: str, epoch: int, n_epochs: int, positions: np.ndarray,
                       rows: np.ndarray) -> None:
        """Keep the fit's latest map of its sample (a temporary file, then renamed, so that a
        reader never sees half of it)."""
        folder = self._path(job_id)
        tmp = folder / f".{SNAPSHOT}.{os.getpid()}.{threading.get_ident()}.tmp"
        with open(tmp, "wb") as fh:
            np.savez(fh, epoch=np.int32(epoch), n_epochs=np.int32(n_epochs),
                     positions=np.asarray(positions, np.float32),
                     rows=np.asarray(rows, np.int64))
        os.replace(tmp, folder / SNAPSHOT)

    def snapshot(self, job_id: str) -> JobSnapshot | None:
        """The latest map :meth:`write_snapshot` kept for the job, or None (none yet, or the
        file is unreadable: the live map is a picture, never a reason to fail)."""
        try:
            with np.load(self._path(job_id) / SNAPSHOT, allow_pickle=False) as data:
                snap = JobSnapshot(epoch=int(data["epoch"]), n_epochs=int(data["n_epochs"]),
                                   positions=data["positions"], rows=data["rows"])
        except (OSError, ValueError, KeyError, EOFError):
            return None
        ok = snap.positions.ndim == 2 and len(snap.positions) == len(snap.rows)
        return snap if ok else None

    def reopen(self, job_id: str, *, owner: str | None = None) -> JobRecord:
        """Queue an interrupted job again (its checkpoint kept, any cancel forgotten), for
        ``owner`` when given."""
        (self._path(job_id) / CANCEL).unlink(missing_ok=True)
        taken = {} if owner is None else {"owner": owner}
        return self.update(job_id, status=QUEUED, stage="queued", ended=0.0, error=None,
                           heartbeat=0.0, **taken)

    def discard(self, job_id: str) -> None:
        """Delete an ended job's folder (checkpoint included); runs it saved are kept."""
        if not self.get(job_id).finished:
            raise InvalidParameterError("This job is still queued or running; cancel it first.")
        remove_folder(self._path(job_id))

    def update(self, job_id: str, **changes: Any) -> JobRecord:
        """Move the job on (``JobRecord.moved``) and write it; a final status is kept."""
        with _WRITE_LOCK:
            record = self._read(job_id).moved(**changes)
            write_json(self._path(job_id) / JOB_JSON, record.to_dict())
            return record

    def list(self, *, active_only: bool = False) -> list[JobRecord]:
        """Every readable job, oldest first (the order of the queue); damaged ones are skipped."""
        records = []
        for path in record_folders(self.jobs_dir):
            try:
                record = self.get(path.name)
            except (ModelFileError, ModelNotFoundError, OSError):
                continue
            if not (active_only and record.status in FINAL):
                records.append(record)
        return sorted(records, key=lambda r: (r.created, r.id))

    def request_cancel(self, job_id: str) -> None:
        """Ask the job to stop: the worker sees it within a fraction of a second."""
        (self._path(job_id) / CANCEL).touch()

    def cancel_requested(self, job_id: str) -> bool:
        return (self._path(job_id) / CANCEL).exists()

    def _read(self, job_id: str) -> JobRecord:
        """The record, parsed again only when its file was replaced: every page of every
        session lists the jobs a few times a second, and most of them have long ended."""
        path = self._path(job_id) / JOB_JSON
        try:
            stat = path.stat()
            version = (stat.st_ino, stat.st_mtime_ns, stat.st_size)
            known = _PARSED.get(str(path))
            if known is not None and known[0] == version:
                return known[1]
            record = JobRecord.from_dict(json.loads(path.read_text(encoding="utf-8")))
            if len(_PARSED) > _PARSED_MAX:
                _PARSED.clear()
            _PARSED[str(path)] = (version, record)
            return record
        except FileNotFoundError:
            raise ModelNotFoundError(f"There is no training job {job_id!r}.") from None
        except (ValueError, TypeError) as exc:
            raise ModelFileError(f"The record of job {job_id} is damaged ({one_line(exc)}).") \
                from None

    def _path(self, job_id: str) -> Path:
        return folder_path(self.jobs_dir, job_id, "job")
