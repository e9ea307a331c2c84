"""Training (and embedding) jobs that belong to the server: orders, records on disk, Dask workers.

>>> from pumap_core.jobs import JobOrder, TrainingService
>>> service = TrainingService()                                   # doctest: +SKIP
>>> job = service.submit(JobOrder(dataset_id="...", params={"n_neighbors": 10}))
... # doctest: +SKIP
"""

from .order import EmbedOrder, JobOrder, build_estimator
from .record import (CANCELLED, DONE, EMBED, FAILED, FINAL, INTERRUPTED, QUEUED, RUNNING,
                     STAGE_LABELS, STATUSES, TRAIN, JobRecord)
from .service import SCHEDULER_ENV, ServiceError, TrainingService
from .store import JobStore

__all__ = [
    "CANCELLED", "DONE", "EMBED", "FAILED", "FINAL", "INTERRUPTED", "QUEUED", "RUNNING",
    "SCHEDULER_ENV", "STAGE_LABELS", "STATUSES", "TRAIN", "EmbedOrder", "JobOrder", "JobRecord",
    "JobStore", "ServiceError", "TrainingService", "build_estimator",
]
