"""Training in a child process, observed through snapshots.

Why a process and not a thread: Streamlit calls ``keras.backend.clear_session()`` after every
script run (its ``_clean_problem_modules``), which wrecks a Keras fit running in a thread of the
same process (seen as a hang inside ``model.fit``). A spawned child owns its own Keras, cannot
be disturbed by reruns, and gives each browser session an isolated job.

The child sends small messages on a queue; :meth:`TrainingJob.snapshot` drains them into an
immutable :class:`JobSnapshot` that the Train page's fragment draws. Cancel is a shared event
that the child turns into ``ParametricUMAP.cancel()``. The child saves the run itself.
"""

from __future__ import annotations

import logging
import multiprocessing as mp
import queue
import threading
import time
from dataclasses import dataclass, field, replace
from typing import Any

from pumap_core.data import Dataset

log = logging.getLogger("pumap_studio")

# How long a job started ahead of time waits for its data before its process exits.
STANDBY_SECONDS = 1800

STAGE_LABELS = {"queued": "Starting", "knn": "Finding nearest neighbours",
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


def _child(orders: Any, workspace_root: str | None, messages: Any, cancel: Any) -> None:
    """Runs in the spawned process: import, wait for the order, fit, measure, save, report."""
    from .quiet import quiet_tensorflow

    quiet_tensorflow()
    logging.basicConfig(level=logging.INFO)  # progress lines in the server's log, as there
    import keras  # noqa: F401 - the slow imports happen while the user is still choosing

    from pumap_core import EpochEvent, StageEvent
    from pumap_core.metrics import quality_report
    from pumap_core.training import fit  # noqa: F401
    from pumap_core.runs import Workspace

    from .errors import message_for
    from .networks import estimator_and_fit_args

    try:
        dataset, settings = orders.get(timeout=STANDBY_SECONDS)
    except queue.Empty:  # the user never pressed Train: leave quietly
        return

    def on_event(event: Any) -> None:
        if isinstance(event, EpochEvent):
            messages.put(("epoch", event.epoch, event.n_epochs, event.loss, event.elapsed,
                          event.eta))
        elif isinstance(event, StageEvent) and event.stage in ("knn", "graph", "training"):
            messages.put(("stage", event.stage))

    done = threading.Event()
    try:
        est, fit_args = estimator_and_fit_args(settings, dataset)
        est.add_listener(on_event)

        def watch_cancel() -> None:
            while not done.is_set():
                if cancel.wait(0.2):
                    est.cancel()
                    return

        threading.Thread(target=watch_cancel, daemon=True).start()
        est.fit(dataset.X, **fit_args)
        messages.put(("stage", "saving"))
        metrics = quality_report(dataset.X, est.embedding_, dataset.labels)
        info = Workspace(workspace_root).save_run(est, dataset, metrics=metrics,
                                                  name=settings.get("run_name"))
        messages.put(("end", "cancelled" if est.cancelled_ else "done", info.id, None))
    except Exception as exc:  # noqa: BLE001 - reported on the page as one line
        logging.getLogger("pumap_studio").exception("training job failed")
        messages.put(("end", "failed", None, message_for(exc)))
    finally:
        done.set()


class TrainingJob:
    """One fit, saved as a run at the end, in a process started ahead of time.

    The process starts (and imports TensorFlow) when the job is created, typically when the
    Train page opens, so pressing Train only hands it the data: that saves several seconds of
    a cold start. A job that is never started exits by itself after STANDBY_SECONDS.

    Parameters
    ----------
    workspace_root : where the run is saved (None: the default workspace)
    """

    def __init__(self, workspace_root: str | None = None) -> None:
        ctx = mp.get_context("spawn")  # never fork a process that has TensorFlow loaded
        self._orders = ctx.Queue()
        self._messages = ctx.Queue()
        self._cancel = ctx.Event()
        self._process = ctx.Process(target=_child, name="pumap-training", daemon=True,
                                    args=(self._orders, workspace_root, self._messages,
                                          self._cancel))
        self._process.start()
        self._lock = threading.Lock()
        self._snapshot = JobSnapshot()

    def start(self, dataset: Dataset, settings: dict[str, Any]) -> "TrainingJob":
        """Train on ``dataset`` with the Train form's plain ``settings``.

        With ``settings["continue_from"]`` (a run's model folder) the saved model is trained
        further instead, with ``landmark_positions`` (see
        :func:`studio.continue_training.continue_order`); ``run_name`` names the new run.
        """
        self._orders.put((dataset, dict(settings)))
        return self

    def cancel(self) -> None:
        """Stop after the current step; the partial model is still saved as a run."""
        self._cancel.set()

    def join(self, timeout: float | None = None) -> None:
        self._process.join(timeout)

    def snapshot(self) -> JobSnapshot:
        """The latest state, after applying every message the child has sent."""
        with self._lock:
            snap = self._snapshot
            while True:
                try:
                    msg = self._messages.get_nowait()
                except (queue.Empty, OSError, ValueError):
                    break
                snap = _apply(snap, msg)
            if not snap.finished and not self._process.is_alive() and self._process.exitcode:
                snap = replace(snap, status="failed", stage="failed",
                               error="The training process stopped unexpectedly (out of "
                                     "memory?); try fewer items or a smaller network.")
            self._snapshot = snap
            return snap


def _apply(snap: JobSnapshot, msg: tuple) -> JobSnapshot:
    kind = msg[0]
    if kind == "stage":
        return replace(snap, stage=msg[1])
    if kind == "epoch":
        _, epoch, n_epochs, loss, elapsed, eta = msg
        return replace(snap, epoch=epoch, n_epochs=n_epochs, losses=snap.losses + (loss,),
                       elapsed=elapsed, eta=eta)
    _, status, run_id, error = msg
    return replace(snap, status=status, stage=status, run_id=run_id, error=error,
                   eta=0.0 if status != "failed" else snap.eta)
