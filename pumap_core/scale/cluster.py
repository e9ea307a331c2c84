"""The Dask cluster of a command: an existing scheduler, or a ``LocalCluster`` sized for it.

Sizing of the local cluster, from what was measured on a 2-core machine (DESIGN.md): each
worker process that imports TensorFlow costs ~850 MB, and one worker with two threads and
TensorFlow's thread pools at one thread each was as fast as two workers for half the memory.
So: one worker per 8 cores (at least one), all the cores as its threads, and TensorFlow's
threads shared out between the tasks that run at once (``jobs.cluster.worker_environment``).
``$PUMAP_EMBED_WORKERS`` and ``$PUMAP_EMBED_THREADS`` override both counts.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from ..errors import ClusterError, one_line
from ..jobs.cluster import worker_environment

WORKERS_ENV = "PUMAP_EMBED_WORKERS"
THREADS_ENV = "PUMAP_EMBED_THREADS"
CORES_PER_WORKER = 8
CONNECT_SECONDS = 30


def _positive(name: str) -> int | None:
    raw = os.environ.get(name, "").strip()
    return int(raw) if raw.isdigit() and int(raw) > 0 else None


def local_size() -> tuple[int, int]:
    """(workers, threads per worker) of the local cluster, from the cores or the variables."""
    cores = os.cpu_count() or 1
    workers = _positive(WORKERS_ENV) or max(1, cores // CORES_PER_WORKER)
    threads = _positive(THREADS_ENV) or max(1, cores // workers)
    return workers, threads


@contextmanager
def dask_client(scheduler: str | None = None, *, quiet: bool = True) -> Iterator[Any]:
    """A ``distributed.Client``, set as Dask's default scheduler while the block runs.

    Parameters
    ----------
    scheduler : an existing scheduler's address (``tcp://host:8786``); None starts a
        ``LocalCluster`` (:func:`local_size`) that stops with the block.
    quiet : keep Dask's own warnings (and the workers' task errors, which reach the caller
        as exceptions anyway) off the terminal.

    Raises
    ------
    ClusterError
        The scheduler cannot be reached.
    """
    import dask
    from distributed import Client, LocalCluster

    level = logging.ERROR if quiet else logging.WARNING
    # Dask reads its logging config when distributed is imported: set the level directly.
    logging.getLogger("distributed").setLevel(level)
    with dask.config.set({"logging.distributed": "error" if quiet else "warning"}):
        if scheduler:
            try:
                client = Client(scheduler, timeout=CONNECT_SECONDS)
            except (OSError, TimeoutError, ValueError) as exc:
                raise ClusterError(f"Cannot reach the Dask scheduler at {scheduler} "
                                   f"({one_line(exc)}); check the address.") from None
            with client:
                yield client
            return
        workers, threads = local_size()
        with LocalCluster(n_workers=workers, threads_per_worker=threads, processes=True,
                          host="127.0.0.1", dashboard_address="127.0.0.1:0", silence_logs=level,
                          scheduler_kwargs={"dashboard": False},  # no port 8787 clash
                          env=worker_environment(workers * threads)) as cluster, \
                Client(cluster) as client:
            yield client
