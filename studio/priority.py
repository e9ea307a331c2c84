"""Page runs first: background work gives way while a script runs for someone.

The server has background threads (writing a large map's hover rows and thumbnails, compiling
datashader's kernels) that hold Python's interpreter lock for seconds in all. A page run that
shares it with them takes two or three times as long, which a user sees as a slow first map or
zoom. So app.py marks every page run with :func:`foreground`, and background jobs call
:func:`give_way` between steps.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager

YIELD_S = 0.4     # background work resumes this long after the last page run ends
MAX_WAIT_S = 3.0  # ... or after this long, if page runs keep coming
_lock = threading.Lock()
_runs = {"count": 0, "last": 0.0}


@contextmanager
def foreground() -> Iterator[None]:
    """Marks a page run: background work pauses meanwhile, and for :data:`YIELD_S` after,
    while the browser fetches what it drew."""
    with _lock:
        _runs["count"] += 1
    try:
        yield
    finally:
        with _lock:
            _runs["count"] -= 1
            _runs["last"] = time.monotonic()


def give_way() -> None:
    """Called by background jobs between steps: wait while pages run (at most
    :data:`MAX_WAIT_S`, so that the work still gets done)."""
    deadline = time.monotonic() + MAX_WAIT_S
    while time.monotonic() < deadline:
        with _lock:
            busy = _runs["count"] > 0 or time.monotonic() - _runs["last"] < YIELD_S
        if not busy:
            return
        time.sleep(0.05)
