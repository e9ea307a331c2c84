"""Read an uploaded table (CSV, TSV, TXT, Parquet, Excel) into a DataFrame, with clear errors,
and turn it into features in one call (:func:`prepare_table`), so that both steps of a table
upload live under one name.
"""

from __future__ import annotations

import csv
import io
from pathlib import PurePath
from typing import Sequence

import pandas as pd

from ..errors import InvalidDataError, one_line
from ._common import MAX_UPLOAD_BYTES, NOTES_ATTR, check_upload, log
from .dataset import Dataset
from .table_prep import Categorical, Missing, Scaling, TablePreparation

__all__ = ["TABLE_EXTENSIONS", "read_table", "prepare_table"]

TEXT_EXTENSIONS = (".csv", ".tsv", ".txt")
TABLE_EXTENSIONS = TEXT_EXTENSIONS + (".parquet", ".xlsx", ".xls")

_DELIMITERS = ",;\t|"
_SNIFF_CHARS = 64 * 1024


def read_table(data: bytes, filename: str, *, max_bytes: int = MAX_UPLOAD_BYTES) -> pd.DataFrame:
    """Parse the bytes of an uploaded table.

    Text files are decoded as UTF-8 (with or without BOM), UTF-16 when they start with its BOM,
    else Windows-1252, else Latin-1; the delimiter is sniffed among ``, ; TAB |`` (whitespace for
    files with none of them). Parquet is read with pyarrow, ``.xlsx`` with openpyxl and ``.xls``
    with python-calamine (first sheet only).

    Parameters
    ----------
    data : bytes
        The file's content.
    filename : str
        Its name; the extension picks the parser and the name appears in messages.
    max_bytes : int
        Largest accepted size.

    Returns
    -------
    pandas.DataFrame
        With string column names. Notes on what the reader had to guess (encoding, sheet,
        missing header) are in ``df.attrs["pumap_notes"]``; :func:`prepare_table` copies them.

    Raises
    ------
    InvalidDataError
        Empty, too large, unsupported extension, binary content in a text file, or a file that
        its parser cannot read.
    """
    ext = PurePath(filename).suffix.lower()
    if ext not in TABLE_EXTENSIONS:
        raise InvalidDataError(f"{filename} is not a supported table; upload one of: "
                               f"{', '.join(TABLE_EXTENSIONS)}.")
    data = check_upload(data, filename, max_bytes)
    notes: list[str] = []
    if ext in TEXT_EXTENSIONS:
        df = _read_text(data, filename, ext, notes)
    elif ext == ".parquet":
        df = _read_parquet(data, filename)
    else:
        df = _read_excel(data, filename, ext, notes)
    if df.shape[0] == 0 or df.shape[1] == 0:
        raise InvalidDataError(f"{filename} contains no rows of data; check that it is the "
                               "right file and that the data start below a single header row.")
    df.columns = _unique_names([str(c) for c in df.columns])
    df.attrs[NOTES_ATTR] = notes
    return df


def prepare_table(df: pd.DataFrame, *, name: str, feature_columns: Sequence[str] | None = None,
                  label_column: str | None = None, scaling: Scaling = "standardize",
                  categorical: Categorical = "onehot", missing: Missing = "drop") -> Dataset:
    """Build the features of a table: ``TablePreparation(...).fit_transform(df, name=name)``.

    The options are those of :class:`TablePreparation`; the returned Dataset's ``recipe`` is
    the fitted preparation's :meth:`~TablePreparation.to_dict`.
    """
    return TablePreparation(feature_columns=feature_columns, label_column=label_column,
                            scaling=scaling, categorical=categorical,
                            missing=missing).fit_transform(df, name=name)


def _decode(data: bytes, filename: str, notes: list[str]) -> str:
    """Decode text, falling back to single-byte encodings (never fails for text files)."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass  # a binary file that happens to start like a BOM; the NUL check below says so
    if b"\x00" in data[:_SNIFF_CHARS]:
        raise InvalidDataError(f"{filename} is not a text file (it contains binary data); "
                               "export it as CSV text, or upload it with its real extension.")
    try:
        return data.decode("utf-8-sig")  # also plain UTF-8; drops the BOM Excel writes
    except UnicodeDecodeError:
        pass
    for encoding, label in (("cp1252", "Windows-1252"), ("latin-1", "Latin-1")):
        try:
            text = data.decode(encoding)
        except UnicodeDecodeError:  # cp1252 leaves five bytes undefined; Latin-1 takes all
            continue
        notes.append(f"the file is not valid UTF-8; read it as {label} (check accented "
                     "characters)")
        return text
    raise AssertionError("Latin-1 decodes every byte string")


def _sniff_delimiter(sample: str, ext: str) -> str:
    """csv.Sniffer among the usual delimiters, then a count-based fallback."""
    lines = [line for line in sample.splitlines() if line.strip()][:100]
    try:
        return csv.Sniffer().sniff("\n".join(lines), delimiters=_DELIMITERS).delimiter
    except csv.Error:
        pass
    # The Sniffer gives up on ragged or heavily quoted files; take the delimiter that occurs the
    # same (non-zero) number of times on most lines, preferring the extension's usual one.
    preferred = "\t" if ext == ".tsv" else ","
    order = preferred + "".join(d for d in _DELIMITERS if d != preferred)
    best, best_share = None, 0.0
    for delim in order:
        counts = [line.count(delim) for line in lines]
        mode = max(set(counts), key=counts.count) if counts else 0
        share = counts.count(mode) / len(counts) if mode else 0.0
        if share > best_share:
            best, best_share = delim, share
    if best is not None:
        return best
    if any(" " in line.strip() for line in lines):
        return r"\s+"  # numpy.savetxt and many .txt exports separate columns with spaces
    return preferred  # a single column


def _read_text(data: bytes, filename: str, ext: str, notes: list[str]) -> pd.DataFrame:
    text = _decode(data, filename, notes)
    if not text.strip():
        raise InvalidDataError(f"{filename} contains only blank lines; choose a file with data.")
    sample = text[:_SNIFF_CHARS]
    if len(text) > _SNIFF_CHARS and "\n" in sample:  # never sniff a truncated last line
        sample = sample[: sample.rindex("\n")]
    sep = _sniff_delimiter(sample, ext)
    try:
        df = _parse_csv(text, sep, header="infer")
        if df.shape[1] > 1 and all(_is_number(c) for c in df.columns):
            # No header (numpy.savetxt, some instrument exports): the first row is data.
            df = _parse_csv(text, sep, header=None)
            df.columns = [f"col_{i + 1}" for i in range(df.shape[1])]
            notes.append("the first row looks like data, not column names; named the columns "
                         f"col_1 … col_{df.shape[1]}")
    except pd.errors.EmptyDataError:
        raise InvalidDataError(f"{filename} contains no rows of data; choose a file with "
                               "data.") from None
    except (pd.errors.ParserError, ValueError, csv.Error) as exc:
        shown = {"\t": "tab", r"\s+": "spaces"}.get(sep, repr(sep))
        raise InvalidDataError(f"{filename} could not be parsed as a table with {shown} "
                               f"between columns ({_parser_reason(exc)}); check that every row has "
                               "the same number of columns.") from None
    return df


def _parser_reason(exc: Exception) -> str:
    """pandas' tokenizer message without its "Error tokenizing data. C error:" preamble."""
    return one_line(str(exc).replace("Error tokenizing data. C error: ", ""))


def _parse_csv(text: str, sep: str, header: str | None) -> pd.DataFrame:
    engine = "python" if len(sep) > 1 else "c"
    kwargs = {} if engine == "python" else {"low_memory": False}
    return pd.read_csv(io.StringIO(text), sep=sep, header=header, engine=engine, **kwargs)


def _read_parquet(data: bytes, filename: str) -> pd.DataFrame:
    try:
        return pd.read_parquet(io.BytesIO(data), engine="pyarrow")
    except ImportError:
        raise InvalidDataError("Reading Parquet files needs pyarrow (pip install pyarrow); or "
                               "upload the table as CSV.") from None
    except Exception as exc:  # pyarrow raises ArrowInvalid, OSError, TypeError... on bad files
        # pyarrow's text ("Could not open Parquet input source '<Buffer>'...") means nothing to
        # the user: say what to do, and keep its reason for the log.
        log.info("pyarrow could not read %s: %s", filename, one_line(exc))
        raise InvalidDataError(f"{filename} is not a readable Parquet file (it may be damaged or "
                               "another format); export it again, or upload a CSV.") from None


def _read_excel(data: bytes, filename: str, ext: str, notes: list[str]) -> pd.DataFrame:
    # openpyxl for .xlsx; the legacy binary .xls needs calamine (pandas deprecated xlrd).
    engine, package = ("openpyxl", "openpyxl") if ext == ".xlsx" else ("calamine",
                                                                        "python-calamine")
    try:
        with pd.ExcelFile(io.BytesIO(data), engine=engine) as book:
            sheets = book.sheet_names
            df = pd.read_excel(book, sheet_name=0)
    except ImportError:
        raise InvalidDataError(f"Reading {ext} files needs {package} (pip install {package}); or "
                               "save the sheet as CSV.") from None
    except Exception as exc:  # zipfile, XML and xlrd errors of every kind on damaged workbooks
        raise InvalidDataError(f"{filename} could not be read as an Excel workbook "
                               f"({one_line(exc)}); save it again from Excel, or as CSV.") from None
    if len(sheets) > 1:
        notes.append(f"read the first sheet {sheets[0]!r} of {len(sheets)}")
    return df


def _is_number(name: object) -> bool:
    try:
        float(str(name))
    except ValueError:
        return False
    return True


def _unique_names(names: list[str]) -> list[str]:
    """Make column names unique (``x``, ``x.1``...), as pandas does for CSV headers."""
    seen: dict[str, int] = {}
    out = []
    for name in names:
        new = name
        while new in seen:
            seen[name] += 1
            new = f"{name}.{seen[name]}"
        seen.setdefault(new, 0)
        out.append(new)
    return out
