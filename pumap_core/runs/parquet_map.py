"""Maps kept as Parquet datasets outside the run folder, read out of core.

``python -m pumap_core embed`` writes an embedded dataset as a folder of Parquet files
(columns ``x``, ``y``, ``c2``... plus kept columns such as ``id``, ``label``; one file per input
partition). Such a map can hold tens of millions of rows: the workspace keeps it as a run whose
``run.json`` has ``"source": "parquet"`` and the dataset's absolute path, and this module's
:class:`ParquetIndex` (``parquet_index.json`` in the run folder) lists its files, their row
counts and the global row number each starts at, all read from Parquet footers without
reading any data. Row numbers (``row``) are therefore global and stable: row ``r`` is row
``r - part.offset`` of its part, whoever reads it.

Parts are read with pyarrow, only the columns a question needs, a few at a time
(:mod:`pumap_core.large_map`); nothing holds all rows. Runs of the ordinary kind whose ``points.parquet`` holds more than :data:`OUT_OF_CORE_ROWS`
rows are read the same way (an index made on the fly from that one file).
"""

from __future__ import annotations

import json
import math
import os
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Sequence

import numpy as np

from ..errors import InvalidDataError, ModelFileError, ModelNotFoundError, one_line

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: ``run.json``'s ``source`` for a map that references an external Parquet dataset.
PARQUET = "parquet"
#: The index of the external dataset, inside the run folder.
INDEX = "parquet_index.json"
#: Above this many points Explore reads a map out of core (a Dask frame), never whole in pandas.
OUT_OF_CORE_ROWS = 2_000_000
#: A file with more rows than this is read as several parts (groups of its row groups).
PART_ROWS = 2_000_000
INDEX_VERSION = 1


@dataclass(frozen=True)
class ParquetPart:
    """Rows ``offset .. offset + n_rows`` of the map: ``row_groups`` of one file (all if None)."""

    file: str
    offset: int
    n_rows: int
    row_groups: tuple[int, ...] | None = None


@dataclass(frozen=True)
class ParquetIndex:
    """What the footers of a Parquet dataset say: parts, row numbers, columns, extent.

    Attributes
    ----------
    path : str, the dataset (a folder of ``*.parquet`` files, or one file), absolute
    parts : tuple of ParquetPart, in row order
    columns : tuple of str, the columns of the first file (``x`` and ``y`` among them)
    n_rows : int, rows in all
    extent : (x0, x1, y0, y1) from the files' statistics, or None where they have none
    """

    path: str
    parts: tuple[ParquetPart, ...]
    columns: tuple[str, ...]
    n_rows: int
    extent: tuple[float, float, float, float] | None = None

    def to_json(self) -> dict[str, Any]:
        return {"version": INDEX_VERSION, **asdict(self)}

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> "ParquetIndex":
        parts = tuple(ParquetPart(file=str(p["file"]), offset=int(p["offset"]),
                                  n_rows=int(p["n_rows"]),
                                  row_groups=None if p.get("row_groups") is None
                                  else tuple(int(g) for g in p["row_groups"]))
                      for p in data["parts"])
        ext = data.get("extent")
        return cls(path=str(data["path"]), parts=parts, columns=tuple(map(str, data["columns"])),
                   n_rows=int(data["n_rows"]),
                   extent=None if ext is None else tuple(float(v) for v in ext))

    @property
    def offsets(self) -> np.ndarray:
        """Where each part starts, int64 of shape (n_parts + 1,) (the last is ``n_rows``)."""
        return np.array([p.offset for p in self.parts] + [self.n_rows], dtype=np.int64)


def parquet_files(path: str | os.PathLike) -> list[Path]:
    """The Parquet files of a dataset: ``path`` itself, or the ``*.parquet`` files under it
    (sorted by name: parts ``part.0``, ``part.1``... keep their order; hidden files skipped).

    Raises
    ------
    ModelNotFoundError
        Nothing at ``path``, or a folder without Parquet files.
    """
    p = Path(path).expanduser()
    if not p.exists():
        raise ModelNotFoundError(f"There is no Parquet dataset at {p}: the path does not exist "
                                 "(moved or deleted?).")
    if p.is_file():
        return [p.resolve()]
    try:
        files = sorted((f for f in p.rglob("*.parquet") if f.is_file()
                        and not any(s.startswith((".", "_")) for s in f.relative_to(p).parts)),
                       key=lambda f: _natural(str(f.relative_to(p))))
    except PermissionError:
        raise ModelFileError(f"The folder {p} cannot be read (permission denied).") from None
    if not files:
        raise ModelNotFoundError(f"The folder {p} holds no .parquet files.")
    return [f.resolve() for f in files]


def _natural(name: str) -> list[Any]:
    """Sort key: ``part.10`` after ``part.9``."""
    import re

    return [int(t) if t.isdigit() else t for t in re.split(r"(\d+)", name)]


def index_parquet(path: str | os.PathLike, *, part_rows: int = PART_ROWS) -> ParquetIndex:
    """Index a Parquet dataset from its footers (no data are read).

    Raises
    ------
    ModelNotFoundError
        The path does not exist or holds no Parquet files.
    ModelFileError
        A file cannot be read, or is not Parquet.
    InvalidDataError
        The files have no ``x`` / ``y`` columns, or no rows.
    """
    import pyarrow.parquet as pq

    files = parquet_files(path)
    parts: list[ParquetPart] = []
    columns: tuple[str, ...] = ()
    lo = np.array([np.inf, np.inf])
    hi = -lo
    stats_ok, offset = True, 0
    for f in files:
        try:
            meta = pq.ParquetFile(f).metadata
        except PermissionError:
            raise ModelFileError(f"{f.name} cannot be read (permission denied).") from None
        except Exception as exc:  # pyarrow raises several kinds on damaged files
            raise ModelFileError(f"{f.name} is not a readable Parquet file "
                                 f"({one_line(exc)}).") from None
        names = tuple(meta.schema.to_arrow_schema().names)
        if not columns:
            columns = names
            missing = [c for c in ("x", "y") if c not in names]
            if missing:
                raise InvalidDataError(f"{f.name} has no {' and '.join(missing)} column: an "
                                       "embedded dataset needs the map's coordinates x and y.")
        elif not {"x", "y"} <= set(names):
            raise InvalidDataError(f"{f.name} has no x and y columns, unlike the first file.")
        stats_ok = stats_ok and _extend(meta, names, lo, hi)
        parts.extend(_split(str(f), meta, offset, part_rows))
        offset += meta.num_rows
    if offset == 0:
        raise InvalidDataError(f"The Parquet dataset at {path} has no rows.")
    extent = (float(lo[0]), float(hi[0]), float(lo[1]), float(hi[1])) if stats_ok and \
        np.isfinite(lo).all() and np.isfinite(hi).all() else None
    return ParquetIndex(path=str(Path(path).expanduser().resolve()), parts=tuple(parts),
                        columns=columns, n_rows=offset, extent=extent)


def _split(file: str, meta: Any, offset: int, part_rows: int) -> list[ParquetPart]:
    """One part per file, or per run of row groups up to ``part_rows`` rows in a large file."""
    if meta.num_rows <= part_rows or meta.num_row_groups <= 1:
        return [ParquetPart(file, offset, meta.num_rows)] if meta.num_rows else []
    parts, groups, rows = [], [], 0
    for g in range(meta.num_row_groups):
        n = meta.row_group(g).num_rows
        if groups and rows + n > part_rows:
            parts.append(ParquetPart(file, offset, rows, tuple(groups)))
            offset, groups, rows = offset + rows, [], 0
        groups.append(g)
        rows += n
    if groups:
        parts.append(ParquetPart(file, offset, rows, tuple(groups)))
    return parts


def _extend(meta: Any, names: Sequence[str], lo: np.ndarray, hi: np.ndarray) -> bool:
    """Widen (lo, hi) of x and y by the row groups' statistics; False where one has none."""
    where = [names.index("x"), names.index("y")]
    for g in range(meta.num_row_groups):
        group = meta.row_group(g)
        for k, col in enumerate(where):
            st = group.column(col).statistics
            if st is None or not st.has_min_max:
                return False
            if not (math.isfinite(float(st.min)) and math.isfinite(float(st.max))):
                return False
            lo[k], hi[k] = min(lo[k], float(st.min)), max(hi[k], float(st.max))
    return True


def write_index(folder: Path, index: ParquetIndex) -> None:
    """Write ``parquet_index.json`` in ``folder`` (a run folder being committed)."""
    (folder / INDEX).write_text(json.dumps(index.to_json(), indent=1), encoding="utf-8")


def read_index(folder: Path, where: str) -> ParquetIndex:
    """The index kept in a run folder.

    Raises
    ------
    ModelFileError
        The index is missing or damaged.
    """
    try:
        return ParquetIndex.from_json(json.loads((folder / INDEX).read_text(encoding="utf-8")))
    except FileNotFoundError:
        raise ModelFileError(f"{INDEX} is missing from {where}; it is incomplete.") from None
    except (ValueError, KeyError, TypeError) as exc:
        raise ModelFileError(f"{INDEX} in {where} is damaged ({one_line(exc)}).") from None


def check_files(index: ParquetIndex) -> None:
    """Check that every file of the dataset is still there and readable.

    Raises
    ------
    ModelNotFoundError
        A file was moved or deleted since the map was added.
    ModelFileError
        A file cannot be read.
    """
    for file in sorted({p.file for p in index.parts}):
        if not os.path.isfile(file):
            raise ModelNotFoundError(f"The map's Parquet file {file} is gone (moved or "
                                     f"deleted?); add the dataset again from its new place.")
        if not os.access(file, os.R_OK):
            raise ModelFileError(f"The map's Parquet file {file} cannot be read "
                                 "(permission denied).")


def read_table(part: ParquetPart, columns: Sequence[str]) -> "pa.Table":
    """``columns`` of one part as an Arrow table (no pandas conversion: text stays Arrow)."""
    import pyarrow.parquet as pq

    wanted = [c for c in dict.fromkeys(columns) if c != "row"]
    f = pq.ParquetFile(part.file)
    return (f.read(columns=wanted) if part.row_groups is None
            else f.read_row_groups(list(part.row_groups), columns=wanted))


def part_rows(part: ParquetPart) -> np.ndarray:
    """The global row numbers of a part, int64 of shape (part.n_rows,)."""
    return np.arange(part.offset, part.offset + part.n_rows, dtype=np.int64)


def read_part(part: ParquetPart, columns: Sequence[str]) -> "pd.DataFrame":
    """``columns`` of one part as pandas, with the global ``row`` number (int64) first."""
    frame = read_table(part, columns).to_pandas()
    frame.insert(0, "row", np.arange(part.offset, part.offset + len(frame), dtype=np.int64))
    return frame


def take_rows(index: ParquetIndex, rows: Sequence[int], columns: Sequence[str]
              ) -> "pd.DataFrame":
    """The rows numbered ``rows`` (``row`` plus ``columns``), in ascending row order.

    Only the parts holding some of them are read. Rows out of range are left out.
    """
    import pandas as pd

    rows = np.unique(np.asarray(rows, dtype=np.int64))
    rows = rows[(rows >= 0) & (rows < index.n_rows)]
    offsets = index.offsets
    which = np.searchsorted(offsets, rows, side="right") - 1
    frames = []
    for k in np.unique(which):
        part = index.parts[int(k)]
        local = rows[which == k] - part.offset
        # Arrow takes the rows before pandas sees them: text is converted for those only.
        frame = read_table(part, columns).take(local).to_pandas()
        frame.insert(0, "row", rows[which == k])
        frames.append(frame)
    if not frames:
        return empty_frame(index, columns)
    return pd.concat(frames, ignore_index=True)


def empty_frame(index: ParquetIndex, columns: Sequence[str]) -> "pd.DataFrame":
    """No rows, the dtypes of :func:`read_part` (from the first file's schema only)."""
    import pyarrow.parquet as pq

    wanted = [c for c in dict.fromkeys(columns) if c != "row"]
    schema = pq.read_schema(index.parts[0].file)
    frame = schema.empty_table().select(wanted).to_pandas()
    frame.insert(0, "row", np.empty(0, dtype=np.int64))
    return frame
