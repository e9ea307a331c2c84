"""File names of the studio's downloads: one rule, used by every download button.

Run names are free text ("digits · k=15 · min_dist 0.1"); a downloaded file's name keeps only
ASCII letters, digits, ``.``, ``-`` and ``_`` (spaces and everything else become ``_``), so that
it needs no quoting in a shell and every file system takes it.
"""

from __future__ import annotations

import re
import unicodedata

_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")
#: Longest stem kept (file systems allow 255 bytes; the suffix comes on top).
MAX_STEM = 100


def safe_file_name(stem: str, suffix: str = "", fallback: str = "download") -> str:
    """``stem`` + ``suffix`` as a safe file name: ``"digits · k=15"`` + ``".zip"`` →
    ``"digits_k_15.zip"``. Accents are dropped (``é`` → ``e``); a stem with nothing safe left
    becomes ``fallback`` (itself made safe)."""
    ascii_stem = unicodedata.normalize("NFKD", str(stem)).encode("ascii", "ignore").decode()
    safe = _UNSAFE.sub("_", ascii_stem)
    safe = re.sub(r"_*([.-])_*", r"\1", safe)  # "a - b" → "a-b", not "a_-_b"
    safe = safe.strip("._-")[:MAX_STEM].rstrip("._-")
    if not safe:
        return safe_file_name(fallback, suffix) if fallback != stem else "download" + suffix
    return safe + suffix
