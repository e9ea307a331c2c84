"""Large tables in: Parquet or CSV files as a Dask data frame, partitioned by bytes, checked.

A source is a Parquet file, a folder of Parquet (or CSV) files, or a glob pattern of either,
as a local path or an fsspec URL (``s3://...`` where its filesystem package is installed).
Dask reads them (:func:`dask.dataframe.read_parquet` / :func:`~dask.dataframe.read_csv`);
this module only finds the files, checks that they can be read, and chooses the partition size:
by bytes of uncompressed data (row groups of Parquet files are split or joined to it), so a
single huge file never becomes one huge partition. A worker's peak memory is several times its
partition (about 6× measured, see DESIGN.md), which is why the default is modest.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Sequence
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import (
    DataTypeError,
    InputNotFoundError,
    InvalidDataError,
    PumapError,
    UnreadableInputError,
    one_line,
)

if TYPE_CHECKING:
    import dask.dataframe as dd

PARQUET_SUFFIXES = (".parquet", ".parq", ".pq")
CSV_SUFFIXES = (".csv", ".csv.gz", ".csv.bz2", ".csv.xz", ".csv.zst")
#: Uncompressed bytes per partition (``$PUMAP_BLOCKSIZE`` overrides, e.g. "128MiB").
DEFAULT_BLOCKSIZE = "64MiB"
BLOCKSIZE_ENV = "PUMAP_BLOCKSIZE"
#: Rows per partition when a pandas frame is turned into a Dask one.
PANDAS_PARTITION_ROWS = 100_000


@dataclass(frozen=True)
class InputTable:
    """Files found for a source and the lazy frame that reads them.

    Attributes
    ----------
    frame : dask DataFrame, one partition per block of ``blocksize`` bytes.
    source : the path, folder, pattern or URL as given.
    files : the files read, sorted (full URLs for remote filesystems).
    format : "parquet" or "csv".
    n_rows : total rows from the Parquet footers (None for CSV: unknown until read).
    """

    frame: Any
    source: str
    files: tuple[str, ...]
    format: str
    n_rows: int | None


def blocksize() -> str | int:
    """The partition size in bytes: ``$PUMAP_BLOCKSIZE`` or :data:`DEFAULT_BLOCKSIZE`."""
    raw = os.environ.get(BLOCKSIZE_ENV, "").strip()
    return int(raw) if raw.isdigit() else (raw or DEFAULT_BLOCKSIZE)


def find_files(source: str) -> tuple[str, list[str]]:
    """The format ("parquet" or "csv") and the sorted files of ``source``.

    A folder gives its Parquet files (or, if it has none, its CSV files), found recursively;
    names starting with "_" or "." (``_metadata``, ``_SUCCESS``) are skipped, as Dask does.

    Raises
    ------
    InputNotFoundError
        Nothing matches, or nothing that matches is a Parquet or CSV file.
    InvalidDataError
        The files mix Parquet and CSV.
    """
    import fsspec

    fs, path = fsspec.core.url_to_fs(str(source))
    if fs.isdir(path):
        found = [f for f in fs.find(path) if not _hidden(f[len(path):])]
    elif any(ch in path for ch in "*?["):
        found = [f for f in fs.glob(path) if fs.isfile(f)]
    elif fs.isfile(path):
        found = [path]
    else:
        raise InputNotFoundError(f"No file or folder at {source}; check the path.")
    parquet = sorted(f for f in found if f.lower().endswith(PARQUET_SUFFIXES))
    csv = sorted(f for f in found if f.lower().endswith(CSV_SUFFIXES))
    if parquet and csv and not fs.isdir(path):
        raise InvalidDataError(f"{source} matches both Parquet and CSV files; give one kind.")
    if not parquet and not csv:
        raise InputNotFoundError(
            f"No Parquet or CSV files match {source} (looked for {', '.join(PARQUET_SUFFIXES)}"
            f" and .csv names).")
    files = parquet or csv
    local = "file" in (fs.protocol if isinstance(fs.protocol, tuple) else (fs.protocol,))
    return ("parquet" if parquet else "csv"), [f if local else fs.unstrip_protocol(f)
                                               for f in files]


def _hidden(relative: str) -> bool:
    return any(part.startswith(("_", ".")) for part in relative.split("/") if part)


def parquet_rows(files: Sequence[str]) -> int:
    """Total rows of Parquet ``files``, from their footers (a few KB read per file).

    Raises
    ------
    UnreadableInputError
        A file is not Parquet, or is truncated or corrupt (the first such file is named).
    """
    import fsspec
    import pyarrow.parquet as pq

    def rows(file: str) -> int:
        try:
            with fsspec.open(file, "rb") as f:
                return pq.read_metadata(f).num_rows
        except Exception as exc:  # noqa: BLE001 - pyarrow raises several kinds here
            raise UnreadableInputError(
                f"{file} cannot be read as Parquet ({one_line(exc)}); replace or remove it."
            ) from None

    with ThreadPoolExecutor(max_workers=min(16, max(1, len(files)))) as pool:
        return int(sum(pool.map(rows, files)))


def read_input(source: str | os.PathLike, *, block: str | int | None = None) -> InputTable:
    """Find, check and open ``source`` as a lazy Dask frame (nothing but footers is read).

    Parameters
    ----------
    source : a Parquet file, a folder, a glob pattern of Parquet or CSV files, or fsspec URL.
    block : bytes per partition (an int or "64MiB"); default :func:`blocksize`.

    Raises
    ------
    InputNotFoundError, UnreadableInputError, InvalidDataError
    """
    import dask.dataframe as dd

    source = str(source)
    kind, files = find_files(source)
    size = block or blocksize()
    if kind == "parquet":
        n_rows = parquet_rows(files)
        with reading_errors(source):
            frame = dd.read_parquet(files, split_row_groups="adaptive", blocksize=size)
    else:
        n_rows = None
        with reading_errors(source):  # Dask reads a sample of the first file here
            frame = dd.read_csv(files, blocksize=size, assume_missing=True)
    return InputTable(frame=frame, source=source, files=tuple(files), format=kind, n_rows=n_rows)


def as_dask_frame(data: Any, *, block: str | int | None = None) -> Any:
    """``data`` as a Dask DataFrame: a path or URL is read with :func:`read_input`, a pandas
    frame split every :data:`PANDAS_PARTITION_ROWS` rows, a Dask frame kept as it is."""
    import dask.dataframe as dd

    if isinstance(data, dd.DataFrame):
        return data
    if isinstance(data, pd.DataFrame):
        return dd.from_pandas(data, npartitions=max(1, -(-len(data) // PANDAS_PARTITION_ROWS)),
                              sort=False)
    if isinstance(data, (str, os.PathLike)):
        return read_input(data, block=block).frame
    raise DataTypeError(f"Cannot read {type(data).__name__} as a table; pass a path, a glob, "
                        "a pandas or a Dask DataFrame.")


def _is_number(dtype: Any) -> bool:
    return pd.api.types.is_numeric_dtype(dtype) or pd.api.types.is_bool_dtype(dtype)


def feature_columns(frame: dd.DataFrame, columns: Sequence[str] | None = None, *,
                    exclude: Sequence[str] = ()) -> list[str]:
    """Check the feature columns of ``frame``; default: every numeric column not in ``exclude``.

    Raises
    ------
    InvalidDataError
        A column is missing, or (by default) no column is numeric.
    DataTypeError
        A chosen column is not numeric.
    """
    dtypes = frame.dtypes
    if columns is None:
        chosen = [str(c) for c, t in dtypes.items() if _is_number(t) and c not in exclude]
        if not chosen:
            raise InvalidDataError("The input has no numeric column to embed; choose the "
                                   "feature columns (--columns a,b,...).")
        return chosen
    chosen = check_present(frame, columns)
    if not chosen:
        raise InvalidDataError("No feature column was given; name at least one.")
    bad = [c for c in chosen if not _is_number(dtypes[c])]
    if bad:
        raise DataTypeError(
            f"Column {bad[0]!r} is not numeric (its type is {dtypes[bad[0]]}); choose numeric "
            "feature columns, or encode it as numbers first.")
    return chosen


def check_present(frame: dd.DataFrame, columns: Sequence[str]) -> list[str]:
    """``columns`` as a list, each checked to be a column of ``frame`` (InvalidDataError)."""
    have = [str(c) for c in frame.columns]
    chosen = [str(c) for c in columns]
    missing = [c for c in chosen if c not in have]
    if missing:
        shown = ", ".join(have[:12]) + (", ..." if len(have) > 12 else "")
        raise InvalidDataError(f"Column {missing[0]!r} is not in the input (its columns: "
                               f"{shown}); check the column names.")
    return chosen


@contextmanager
def reading_errors(source: str) -> Iterator[None]:
    """Turn a failure to read the input (pyarrow, pandas' parser, the filesystem) into an
    :class:`UnreadableInputError` naming ``source``; our own errors pass through."""
    try:
        yield
    except Exception as exc:
        if not is_read_error(exc):
            raise
        raise UnreadableInputError(
            f"Could not read {source} ({one_line(exc)}); check that every file is complete "
            "and of the same kind and columns.") from None


def is_read_error(exc: BaseException) -> bool:
    """Whether ``exc`` is how pyarrow, pandas or a filesystem say that a file cannot be read."""
    import pyarrow as pa

    return isinstance(exc, (OSError, UnicodeDecodeError, pa.ArrowException,
                            pd.errors.ParserError, pd.errors.EmptyDataError)) and not isinstance(
        exc, PumapError)


def float_rows(part: pd.DataFrame, columns: Sequence[str]) -> np.ndarray:
    """The feature columns of one partition as float32 (rows, len(columns))."""
    return part[list(columns)].to_numpy(dtype=np.float32, na_value=np.nan)
