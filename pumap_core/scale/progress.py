"""Progress lines for the terminal: rows done, rows per second, time left.

On a terminal one line is rewritten in place; into a file or pipe a new line is written at
most every ``every`` seconds (and at the end), so that logs stay short.
"""

from __future__ import annotations

import sys
import threading
import time
from dataclasses import dataclass
from typing import IO, Any


def duration(seconds: float) -> str:
    """``75`` → ``"1m15s"``; ``3700`` → ``"1h01m"``."""
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    if seconds < 3600:
        return f"{seconds // 60}m{seconds % 60:02d}s"
    return f"{seconds // 3600}h{seconds % 3600 // 60:02d}m"


@dataclass(frozen=True)
class Snapshot:
    """Rows and partitions done after ``elapsed`` seconds (totals None when unknown)."""

    rows: int
    parts: int
    elapsed: float
    total_rows: int | None
    total_parts: int

    @property
    def rate(self) -> float:
        return self.rows / self.elapsed if self.elapsed > 0 else 0.0

    @property
    def eta(self) -> float | None:
        """Seconds left, from rows when the total is known, else from partitions."""
        if self.total_rows and self.rows:
            return (self.total_rows - self.rows) / self.rate if self.rate else None
        if self.parts:
            return self.elapsed * (self.total_parts - self.parts) / self.parts
        return None

    def line(self) -> str:
        total = f" / {self.total_rows:,}" if self.total_rows is not None else ""
        eta = self.eta
        return (f"embed: {self.rows:,}{total} rows, {self.parts}/{self.total_parts} parts, "
                f"{self.rate:,.0f} rows/s, "
                + (f"ETA {duration(eta)}" if eta is not None else "ETA --")
                + f", {duration(self.elapsed)} elapsed")


class RowProgress:
    """Counts rows and partitions reported by workers (any thread) and prints them.

    Parameters
    ----------
    total_rows : rows expected (None if unknown, e.g. CSV).
    total_parts : partitions expected.
    stream : where lines go (default standard error).
    every : seconds between lines when ``stream`` is not a terminal.
    """

    def __init__(self, total_rows: int | None, total_parts: int, stream: IO[str] | None = None,
                 every: float = 5.0) -> None:
        self.total_rows, self.total_parts = total_rows, total_parts
        self.stream = stream or sys.stderr
        self.every = every
        self._rows = self._parts = 0
        self._lock = threading.Lock()
        self._start = time.perf_counter()
        self._last = 0.0
        self._tty = bool(getattr(self.stream, "isatty", lambda: False)())

    def add(self, rows: int) -> None:
        """One partition of ``rows`` rows is done."""
        with self._lock:
            self._rows += int(rows)
            self._parts += 1

    def on_event(self, event: Any) -> None:
        """Handler for ``Client.subscribe_topic``: events are (time, {"rows": n})."""
        msg = event[1] if isinstance(event, (tuple, list)) else event
        self.add(int(msg.get("rows", 0)))

    def snapshot(self) -> Snapshot:
        with self._lock:
            return Snapshot(self._rows, self._parts, time.perf_counter() - self._start,
                            self.total_rows, self.total_parts)

    def show(self, final: bool = False) -> Snapshot:
        """Print the current line (on a terminal always, else every ``every`` seconds)."""
        snap = self.snapshot()
        if self._tty:
            self.stream.write("\r" + snap.line().ljust(100) + ("\n" if final else ""))
        elif final or snap.elapsed - self._last >= self.every:
            self._last = snap.elapsed
            self.stream.write(snap.line() + "\n")
        self.stream.flush()
        return snap


def epoch_printer(stream: IO[str] | None = None) -> Any:
    """A ParametricUMAP listener that prints stages and epochs (loss, ETA) to ``stream``."""
    from ..training.events import EpochEvent, StageEvent

    out = stream or sys.stderr

    def listener(event: Any) -> None:
        if isinstance(event, StageEvent):
            out.write(f"fit: {event.stage}: {event.message}\n")
        elif isinstance(event, EpochEvent):
            eta = "" if event.eta is None else f", ETA {duration(event.eta)}"
            out.write(f"fit: epoch {event.epoch}/{event.n_epochs}, loss {event.loss:.4f}{eta}\n")
        out.flush()

    return listener
