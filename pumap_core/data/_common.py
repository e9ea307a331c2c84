"""Checks and wording shared by the table and image readers."""

from __future__ import annotations

from ..errors import DataTypeError, InvalidDataError

#: Largest upload accepted by default: 200 MB, the same as Streamlit's ``server.maxUploadSize``.
MAX_UPLOAD_BYTES: int = 200 * 1024 * 1024

#: Fewest items (rows or images) worth mapping; UMAP needs neighbours to work with.
MIN_ITEMS: int = 3


def human_size(n_bytes: int) -> str:
    """Format a byte count for a message: ``"512 bytes"``, ``"3.2 KB"``, ``"250.0 MB"``."""
    if n_bytes < 1024:
        return f"{n_bytes} bytes"
    for unit in ("KB", "MB", "GB"):
        n_bytes /= 1024
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.1f} {unit}"
    raise AssertionError("unreachable")


def one_line(text: object, limit: int = 160) -> str:
    """Squeeze an exception text onto one short line, for use inside our own message."""
    flat = " ".join(str(text).split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def quoted_list(names: list[str], limit: int = 8, *, quote: bool = True) -> str:
    """``'a', 'b', 'c' and 2 more`` with at most ``limit`` names shown (unquoted if not quote)."""
    shown = ", ".join(repr(str(n)) if quote else str(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def check_upload(data: object, filename: str, max_bytes: int) -> bytes:
    """Return ``data`` as bytes after checking it is neither empty nor larger than ``max_bytes``.

    Raises
    ------
    DataTypeError
        ``data`` is not bytes-like (a path or a str was passed instead of the file's content).
    InvalidDataError
        The file is empty or too large.
    """
    if isinstance(data, (bytearray, memoryview)):
        data = bytes(data)
    if not isinstance(data, bytes):
        raise DataTypeError(
            f"Expected the content of {filename} as bytes, got {type(data).__name__}; "
            "pass file.read() or uploaded_file.getvalue().")
    if len(data) == 0:
        raise InvalidDataError(f"{filename} is empty (0 bytes); choose a file that contains data.")
    if len(data) > max_bytes:
        raise InvalidDataError(
            f"{filename} is {human_size(len(data))}, larger than the {human_size(max_bytes)} "
            "limit; upload a smaller file (for example a sample of the rows).")
    return data
