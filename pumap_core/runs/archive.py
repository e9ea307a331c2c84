"""Run zips: a run folder packed for download, and an uploaded zip checked on the way in.

Nothing from a zip reaches the workspace before it is checked: entry count and unpacked size
(zip bombs), paths (absolute, ``..``, links), the files a run needs, then the model, points,
thumbnails, features and snapshots are loaded from the unpacked copy.
"""

from __future__ import annotations

import io
import os
import re
import zipfile
from pathlib import Path
from typing import Any

from ..csv_export import to_safe_csv
from ..data import check_upload
from ..errors import InvalidDataError, ModelFileError, PumapError, one_line
from .files import (MODEL, POINTS, RUN_FILES, RUN_JSON, read_features, read_points,
                    read_snapshots, read_thumbnails)

MAX_IMPORT_BYTES = 1 << 30      # a zipped run: model + points + thumbnails of ~100k images
MAX_UNPACKED_BYTES = 4 << 30    # what it may unpack to (zip bombs)
MAX_ENTRIES = 1000              # a run has fewer than 10 files
#: Already compressed: stored as they are in a zip.
_PACKED_SUFFIXES = (".zip", ".keras", ".parquet")


def pack(folder: Path, where: str) -> bytes:
    """The run folder as a zip, plus ``points.csv`` for spreadsheets (hidden files left out).

    ``points.csv`` is written by :func:`~pumap_core.csv_export.to_safe_csv`: no live formulas.
    """
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for file in sorted(folder.rglob("*")):
            rel = file.relative_to(folder)
            if file.is_symlink() or not file.is_file() or any(
                    p.startswith(".") for p in rel.parts):
                continue
            packed = file.suffix in _PACKED_SUFFIXES
            # A thumbnail stack can be 256 MB: level 1 is 4× faster than 6, ~10% larger.
            archive.write(file, rel.as_posix(),
                          compress_type=zipfile.ZIP_STORED if packed else zipfile.ZIP_DEFLATED,
                          compresslevel=1 if file.suffix == ".npy" else None)
        points = read_points(folder / POINTS, where)
        archive.writestr("points.csv", to_safe_csv(points))
    return buffer.getvalue()


def open_run_zip(data: Any, max_bytes: int) -> zipfile.ZipFile:
    """The uploaded bytes as an open zip, after the checks of every upload (type, size)."""
    data = check_upload(data, "The run zip", max_bytes, expected="a run zip",
                        smaller="a run of that size cannot be imported here")
    try:
        return zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError):
        raise InvalidDataError("The file is not a zip archive; choose a run zip exported from "
                               "pumap studio.") from None


def run_members(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """The run's files by path inside the run folder, after checking every entry is safe."""
    infos = archive.infolist()
    if len(infos) > MAX_ENTRIES:
        raise InvalidDataError(f"The zip holds {len(infos):,} entries, far more than a run; it "
                               "is not a run zip.")
    if sum(i.file_size for i in infos) > MAX_UNPACKED_BYTES:
        raise InvalidDataError(f"The zip would unpack to more than {MAX_UNPACKED_BYTES >> 30} "
                               "GB; it is not a run zip.")
    files: dict[str, zipfile.ZipInfo] = {}
    for info in infos:
        name = info.filename.replace("\\", "/")
        parts = name.split("/")
        if name.startswith("/") or re.match(r"[A-Za-z]:", name) or ".." in parts:
            raise InvalidDataError(f"The zip contains an unsafe path {info.filename!r} (absolute "
                                   "or with '..'); nothing was imported.")
        if (info.external_attr >> 16) & 0o170000 == 0o120000:
            raise InvalidDataError(f"The zip contains a symbolic link {info.filename!r}; "
                                   "nothing was imported.")
        if not info.is_dir():
            files["/".join(p for p in parts if p not in ("", "."))] = info
    tops = {rel.split("/")[0] for rel in files}
    if RUN_JSON not in files and len(tops) == 1:  # the folder itself was zipped
        top = tops.pop() + "/"
        files = {rel[len(top):]: info for rel, info in files.items() if rel.startswith(top)}
    if RUN_JSON not in files:
        raise InvalidDataError(f"The zip is not a pumap run: it lacks {RUN_JSON}.")
    return {rel: info for rel, info in files.items()
            if rel in RUN_FILES or (
                rel.startswith(f"{MODEL}/") and not any(p.startswith(".") for p in rel.split("/")))}


def needed_members(files: dict[str, zipfile.ZipInfo], has_model: bool
                   ) -> dict[str, zipfile.ZipInfo]:
    """The members to unpack: no model files for a generated map, after checking none lacks."""
    missing = [f for f in ([f"{MODEL}/manifest.json"] if has_model else []) + [POINTS]
               if f not in files]
    if missing:
        raise InvalidDataError(f"The zip is not a pumap run: it lacks {', '.join(missing)}.")
    return {rel: info for rel, info in files.items()
            if has_model or not rel.startswith(f"{MODEL}/")}


def unzip(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    """One member's bytes; a damaged member is a one-line InvalidDataError."""
    try:
        return archive.read(info)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, OSError, ValueError, EOFError,
            NotImplementedError, RuntimeError) as exc:  # CRC errors, unknown compression
        raise InvalidDataError(f"{info.filename} in the zip is damaged ({one_line(exc)}); "
                               "nothing was imported.") from None


def check_unpacked(tmp: Path, record: dict[str, Any], has_model: bool) -> None:
    """Load what will be used later, so that a broken run is refused now, not on opening."""
    if has_model:
        from ..persistence import load_model  # imports Keras: only when there is a model

        try:
            load_model(tmp / MODEL)
        except PumapError as exc:  # its message names the hidden folder; name the zip's paths
            where = exc.user_message.replace(str(tmp) + os.sep, "").replace(str(tmp), "the run")
            raise ModelFileError(f"The run's model is broken: {where}") from None
    n = len(read_points(tmp / POINTS, "the zip"))
    expected = (record.get("dataset") or {}).get("n_items")
    if isinstance(expected, int) and expected != n:
        raise ModelFileError(f"{POINTS} in the zip has {n} rows but {RUN_JSON} says "
                             f"{expected}; the zip is inconsistent.")
    read_thumbnails(tmp, n, "the zip")
    d = (record.get("dataset") or {}).get("n_features")
    read_features(tmp, n, d if isinstance(d, int) else None, "the zip")
    read_snapshots(tmp, n, "the zip")
