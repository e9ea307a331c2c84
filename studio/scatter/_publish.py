"""Publish a map's data as static files next to the component's page.

The iframe fetches them by URL: coordinates and colour codes as raw little-endian arrays,
hover rows as JSON chunks, thumbnails as sprite pages, datashader images as PNG. The websocket
then carries only small arguments, and a rerun (a selection, a zoom) never re-sends a million
points. Names carry a data id and a content key, so an existing file is never rewritten and a
browser never shows a stale cached one.

Large outputs (hover chunks and thumbnail pages of a 1M-point map take seconds) are written by
one background thread; the browser retries a missing file for a few seconds. That thread gives
way to page runs (:mod:`studio.priority`): a zoom or a first frame does not share the
interpreter with it.
"""

from __future__ import annotations

import hashlib
import json
import logging
import threading
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, Callable

import numpy as np

from studio.priority import give_way
from studio.scatter._assets import served_dir, write_atomic

if TYPE_CHECKING:
    import pandas as pd

    from pumap_core.thumbnails import Thumbnails

log = logging.getLogger(__name__)

HOVER_CHUNK = 4096            # rows per hover file: ~100–300 kB of JSON
KEEP_RASTERS = 48             # datashader images kept on disk (each is made for one zoom)
_BACKGROUND = ThreadPoolExecutor(max_workers=1, thread_name_prefix="pumap-publish")
_QUEUED: set[str] = set()
_LOCK = threading.Lock()


def short_hash(*parts: bytes | str) -> str:
    h = hashlib.blake2b(digest_size=10)
    for part in parts:
        h.update(part.encode() if isinstance(part, str) else part)
        h.update(b"\x00")
    return h.hexdigest()


def publish(name: str, make: Callable[[], bytes]) -> str:
    """Write ``make()`` as ``name`` unless it is there already; return its relative URL."""
    path = served_dir() / name
    if not path.is_file():
        write_atomic(path, make())
    return name


def publish_array(name: str, array: np.ndarray, dtype: str) -> str:
    return publish(name, lambda: np.ascontiguousarray(array, dtype=np.dtype(dtype).newbyteorder(
        "<")).tobytes())


def in_background(job_key: str, job: Callable[[Callable[[], None]], None]) -> None:
    """Run ``job(give_way)`` once per process and key, on the background thread; the job calls
    its argument between files."""
    with _LOCK:
        if job_key in _QUEUED:
            return
        _QUEUED.add(job_key)

    def run() -> None:
        try:
            job(give_way)
        except Exception:  # a failed preview file must not take the app down; log it
            log.exception("publishing %s failed", job_key)
            with _LOCK:
                _QUEUED.discard(job_key)

    _BACKGROUND.submit(run)


def publish_hover(data_id: str, frame: "pd.DataFrame",
                  columns: "Sequence[str] | None" = None) -> dict[str, Any] | None:
    """Rows of ``frame`` (``columns`` only, as text) in chunks of :data:`HOVER_CHUNK` rows.

    ``frame`` is sliced chunk by chunk: selecting the columns first would copy a million rows.
    """
    columns = [str(c) for c in (frame.columns if columns is None else columns)]
    if not columns:
        return None
    prefix = f"h_{data_id}_{short_hash(*columns)}_"
    folder = served_dir()

    def job(pause: Callable[[], None] = lambda: None) -> None:
        for k, start in enumerate(range(0, len(frame), HOVER_CHUNK)):
            path = folder / f"{prefix}{k}.json"
            if path.is_file():
                continue
            pause()
            part = frame.iloc[start:start + HOVER_CHUNK][columns]
            text = part.astype(str).apply(lambda col: col.str.slice(0, 60)).to_numpy().tolist()
            write_atomic(path, json.dumps(text, ensure_ascii=False,
                                          separators=(",", ":")).encode())

    if len(frame) <= 2 * HOVER_CHUNK:
        job()  # small maps: ready with the first frame
    else:
        in_background(prefix, job)
    return {"prefix": prefix, "chunk": HOVER_CHUNK, "columns": columns}


def publish_thumbnails(data_id: str, thumbnails: "Thumbnails") -> dict[str, Any]:
    """Thumbnail sprite pages; item i is cell ``i % per_page`` of page ``i // per_page``."""
    prefix = f"t_{data_id}_{thumbnails.cell}_"
    folder = served_dir()

    def job(pause: Callable[[], None] = lambda: None) -> None:
        for k in range(thumbnails.n_pages):
            path = folder / f"{prefix}{k}.png"
            if not path.is_file():
                pause()
                write_atomic(path, thumbnails.page_png(k))

    if thumbnails.n_pages <= 1:
        job()
    else:
        in_background(prefix, job)
    return {"prefix": prefix, "cell": thumbnails.cell, "cols": thumbnails.page_cols,
            "per_page": thumbnails.per_page}


def publish_raster(png: bytes) -> str:
    """A datashader image; older ones beyond :data:`KEEP_RASTERS` are removed."""
    name = f"r_{short_hash(png)}.png"
    folder = served_dir()
    publish(name, lambda: png)
    olds = sorted(folder.glob("r_*.png"), key=_mtime)
    for old in olds[:-KEEP_RASTERS]:
        old.unlink(missing_ok=True)
    return name


def _mtime(path: Path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0
