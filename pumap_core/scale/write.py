"""Embed a large input into a Parquet dataset on a Dask cluster, with progress.

The lazy frame of :func:`.embed.embed` is written with Dask's own ``to_parquet``: one file
``part.<i>.parquet`` per input partition, in order. Workers report the rows of each finished
partition as worker events, which the client counts for the progress line.
"""

from __future__ import annotations

import re
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from ..errors import (
    ClusterError,
    InvalidParameterError,
    PumapError,
    UnreadableInputError,
    one_line,
)
from .cache import ModelRef, preload
from .embed import embed, model_ref
from .inputs import is_read_error, read_input
from .progress import RowProgress

#: What a folder written by :func:`embed_to_parquet` holds (so it may be replaced).
_OURS = re.compile(r"part\.\d+\.parquet|_metadata|_common_metadata")


@dataclass(frozen=True)
class EmbedReport:
    """What an embed wrote: ``rows`` in ``parts`` files of ``output``, in ``seconds`` after the
    workers had loaded the model (``load_seconds``)."""

    output: str
    rows: int
    parts: int
    seconds: float
    load_seconds: float = 0.0

    @property
    def rate(self) -> float:
        return self.rows / self.seconds if self.seconds > 0 else 0.0


def check_output(output: str) -> bool:
    """Whether ``output`` holds an earlier result to replace; refuse anything else there.

    Raises
    ------
    InvalidParameterError
        ``output`` is a file, or a folder with files this command did not write.
    """
    import fsspec

    fs, path = fsspec.core.url_to_fs(output)
    if not fs.exists(path):
        return False
    if not fs.isdir(path):
        raise InvalidParameterError(f"{output} is a file; choose a folder for the output.")
    names = [str(p).rstrip("/").rsplit("/", 1)[-1] for p in fs.ls(path, detail=False)]
    others = [n for n in names if not _OURS.fullmatch(n)]
    if others:
        raise InvalidParameterError(f"{output} already holds other files ({others[0]}, ...); "
                                    "choose a new or empty folder for the output.")
    return bool(names)


def embed_to_parquet(model: Any, source: str, output: str, *, client: Any,
                     columns: Sequence[str] | None = None, keep: Sequence[str] = (),
                     block: str | int | None = None,
                     progress: Callable[[RowProgress, bool], None] | None = None,
                     poll: float = 0.5) -> EmbedReport:
    """Embed every row of ``source`` with ``model`` into the Parquet dataset ``output``.

    Parameters
    ----------
    model : a model folder (or fitted ParametricUMAP, see :func:`.embed.model_ref`).
    source : Parquet / CSV files (path, folder, glob, URL).
    output : folder written (replaced if it holds an earlier result of this function).
    client : the ``distributed.Client`` to run on.
    progress : called every ``poll`` seconds with the row counter and False, at the end
        with True.

    Raises
    ------
    PumapError
        Bad input, columns or model (before any work starts), an unreadable file found while
        reading (UnreadableInputError), a worker lost (ClusterError).
    """
    from distributed import wait

    table = read_input(source, block=block)
    topic = f"pumap-embed-{uuid.uuid4().hex}"
    ref, _ = model_ref(model)
    points = embed(ref, table.frame, columns, keep, topic=topic)
    replace = check_output(output)
    load_seconds = warm_up(client, ref)
    counter = RowProgress(table.n_rows, points.npartitions)
    client.subscribe_topic(topic, counter.on_event)
    start = time.perf_counter()
    try:
        future = client.compute(points.to_parquet(output, write_index=False, compute=False,
                                                  overwrite=replace))
        while True:
            try:
                wait(future, timeout=poll)
                break
            except TimeoutError:
                if progress is not None:
                    progress(counter, False)
        _result(future, source)
        seconds = time.perf_counter() - start
        deadline = time.perf_counter() + 2.0  # the last partitions' events may trail the result
        while counter.snapshot().parts < points.npartitions and time.perf_counter() < deadline:
            time.sleep(0.05)
    finally:
        client.unsubscribe_topic(topic)
    if progress is not None:
        progress(counter, True)
    return EmbedReport(output=output, rows=counter.snapshot().rows, parts=points.npartitions,
                       seconds=seconds, load_seconds=load_seconds)


def warm_up(client: Any, ref: ModelRef) -> float:
    """Load the model on every worker of ``client`` at once; returns the seconds it took.

    Workers that join later load it with their first partition (the cache does that anyway).
    """
    start = time.perf_counter()
    workers = list(client.scheduler_info().get("workers", {}))
    futures = [client.submit(preload, ref, workers=[w], allow_other_workers=False, pure=False)
               for w in workers]
    for future in futures:
        _result(future, "the model")
    return time.perf_counter() - start


def _result(future: Any, source: str) -> Any:
    """The future's result, its failure said in one of our errors."""
    try:
        return future.result()
    except PumapError:
        raise
    except Exception as exc:
        from distributed import KilledWorker

        if isinstance(exc, KilledWorker):
            raise ClusterError(
                "A Dask worker died while embedding (out of memory?); use smaller partitions "
                "($PUMAP_BLOCKSIZE, e.g. 32MiB) or workers with more memory.") from None
        if is_read_error(exc):
            raise UnreadableInputError(f"Could not read {source} ({one_line(exc)}); check "
                                       "that every file is complete and has the same columns."
                                       ) from None
        raise
