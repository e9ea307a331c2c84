"""Checks and wording shared by the table and image readers."""

from __future__ import annotations

import logging
import math
import os
from typing import Any, Callable

from ..errors import DataTypeError, InvalidDataError, InvalidParameterError

log = logging.getLogger("pumap_core")

#: Largest upload accepted by default: 200 MB, the same as Streamlit's ``server.maxUploadSize``.
MAX_UPLOAD_BYTES: int = 200 * 1024 * 1024
#: Environment variable that sets the upload limit in MB, for big installations.
UPLOAD_LIMIT_ENV = "PUMAP_MAX_UPLOAD_MB"

#: Fewest items (rows or images) worth mapping; UMAP needs neighbours to work with.
MIN_ITEMS: int = 3

#: Key of ``DataFrame.attrs`` where the table reader leaves its notes for the preparation.
NOTES_ATTR = "pumap_notes"

#: Newest version of the ``recipe`` dicts (tables and images) that this pumap_core reads.
RECIPE_VERSION = 2  # 2: table recipes weigh their one-hot columns ("onehot_weight")


def max_upload_bytes() -> int:
    """The upload limit in bytes: ``$PUMAP_MAX_UPLOAD_MB`` megabytes, else 200 MB.

    A value that is not a positive number is ignored (with a warning in the log).
    """
    raw = os.environ.get(UPLOAD_LIMIT_ENV)
    if raw is None:
        return MAX_UPLOAD_BYTES
    try:
        megabytes = float(raw)
    except ValueError:
        megabytes = -1.0
    if not (megabytes > 0 and math.isfinite(megabytes)):
        log.warning("%s=%r is not a positive number of megabytes; using %d MB", UPLOAD_LIMIT_ENV,
                    raw, MAX_UPLOAD_BYTES >> 20)
        return MAX_UPLOAD_BYTES
    return int(megabytes * 1024 * 1024)


def human_size(n_bytes: int) -> str:
    """Format a byte count for a message: ``"512 bytes"``, ``"3.2 KB"``, ``"250.0 MB"``."""
    if n_bytes < 1024:
        return f"{n_bytes} bytes"
    for unit in ("KB", "MB", "GB"):
        n_bytes /= 1024
        if n_bytes < 1024 or unit == "GB":
            return f"{n_bytes:.1f} {unit}"
    raise AssertionError("unreachable")


def quoted_list(names: list[str], limit: int = 8, *, quote: bool = True) -> str:
    """``'a', 'b', 'c' and 2 more`` with at most ``limit`` names shown (unquoted if not quote)."""
    shown = ", ".join(repr(str(n)) if quote else str(n) for n in names[:limit])
    return shown + (f" and {len(names) - limit} more" if len(names) > limit else "")


def check_upload(data: object, filename: str, max_bytes: int, *,
                 expected: str = "a file that contains data",
                 smaller: str = "upload a smaller file (for example a sample of the rows)"
                 ) -> bytes:
    """Return ``data`` as bytes after checking it is neither empty nor larger than ``max_bytes``.

    The one check of every upload (tables, image zips, run zips). ``expected`` is what to
    choose instead of an empty file, ``smaller`` what to do about one over the limit.

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
        raise InvalidDataError(f"{filename} is empty (0 bytes); choose {expected}.")
    if len(data) > max_bytes:
        raise InvalidDataError(
            f"{filename} is {human_size(len(data))}, larger than the {human_size(max_bytes)} "
            f"limit; {smaller}.")
    return data


def check_recipe(recipe: Any, is_valid: Callable[[Any], bool]) -> None:
    """Check a ``Dataset.recipe`` read back from a run: present, of a known version, and
    well-formed according to ``is_valid`` (which may raise KeyError or TypeError).

    Raises
    ------
    InvalidParameterError
        With a one-line message: no recipe, a newer version, or a malformed one.
    """
    if recipe is None:
        raise InvalidParameterError("This map has no data recipe (it was trained on data built "
                                    "by hand), so new uploads cannot be prepared like its data.")
    try:
        _, version = recipe["kind"], recipe["version"]  # both required
        if not isinstance(version, int) or version > RECIPE_VERSION:
            raise InvalidParameterError(f"This data recipe has version {version!r}; this "
                                        f"pumap_core reads up to {RECIPE_VERSION}; upgrade it.")
        ok = is_valid(recipe)
    except (KeyError, TypeError):
        ok = False
    if not ok:
        raise InvalidParameterError("This map's data recipe is malformed; the run folder may be "
                                    "damaged (retrain or re-import the run).")


def check_choice(option: str, value: object, choices: tuple[str, ...]) -> None:
    """Refuse an option value that is not one of ``choices`` (one line)."""
    if value not in choices:
        raise InvalidParameterError(f"{option} must be one of {', '.join(choices)}; got "
                                    f"{value!r}.")


def check_rows(n: int, name: str, why: str = "", fix: str = "") -> None:
    """Refuse a table of fewer than MIN_ITEMS rows (``why``/``fix`` complete the line)."""
    if n < MIN_ITEMS:
        raise InvalidDataError(f"{name} has {n} row(s){why}; at least {MIN_ITEMS} rows are "
                               f"needed to make a map{fix}.")
