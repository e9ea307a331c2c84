r"""Every CSV that pumap writes, with text cells that spreadsheets cannot run as formulas.

Labels and data columns come from uploads, so a cell such as ``=HYPERLINK("http://x")`` would be
a live formula once the exported CSV is opened in Excel, LibreOffice or Google Sheets (CSV
injection). OWASP's rule is applied to text cells and to column names: one that begins with
``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a single quote ``'`` in front, which
spreadsheets show as text. Numbers are never touched: numeric columns are written as pandas
writes them, and a text cell that is a plain decimal number (``-3.5``, ``+1e-3``) stays as it is,
since a spreadsheet reads it as that number and nothing else.

Lines end with CR LF (RFC 4180). With pandas' default LF, a cell holding a bare carriage return
is written unquoted, and spreadsheets start a new row there: ``"x\r=1+1"`` would put a formula at
the start of a line. With CR LF as the terminator, every cell with a line break is quoted.
"""

from __future__ import annotations

import re
from typing import Any

import pandas as pd

__all__ = ["FORMULA_PREFIXES", "neutralise_cell", "safe_frame", "to_safe_csv"]

#: First characters that make a spreadsheet read a cell as a formula (OWASP, CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r")

# A plain decimal number, as a spreadsheet reads it: left alone even in a text column.
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?")


def neutralise_cell(value: Any) -> Any:
    """``value`` with a leading ``'`` if it is text that a spreadsheet would run as a formula.

    Anything that is not a ``str`` (numbers, NaN, ``None``, dates) is returned unchanged, and so
    is text that is a plain decimal number.
    """
    if (isinstance(value, str) and value.startswith(FORMULA_PREFIXES)
            and not _NUMBER.fullmatch(value)):
        return "'" + value
    return value


def safe_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells and column names are neutralised (see module doc).

    Only text columns (object, string and category dtypes) are rewritten, and only the cells
    that need it; missing values stay missing. A category column comes back as an object column.
    """
    out = frame.copy()
    for position in range(out.shape[1]):  # by position: column names may repeat
        column = out.iloc[:, position]
        if isinstance(column.dtype, pd.CategoricalDtype):
            column = column.astype(object)
        elif not (pd.api.types.is_object_dtype(column.dtype)
                  or pd.api.types.is_string_dtype(column.dtype)):
            continue  # numbers, booleans, dates: nothing a spreadsheet would run
        # Each distinct value is checked once: a million labels are a handful of values.
        quoted = {value: neutralise_cell(value) for value in pd.unique(column.dropna())}
        quoted = {value: safe for value, safe in quoted.items() if safe is not value}
        if quoted:
            hit = column.isin(list(quoted))
            column = column.where(~hit, column[hit].map(quoted))
        out.isetitem(position, column)
    out.columns = [neutralise_cell(c) for c in out.columns]
    return out


def to_safe_csv(frame: pd.DataFrame) -> str:
    r"""``frame`` as CSV text, without its index, safe to open in a spreadsheet.

    Parameters
    ----------
    frame : pandas.DataFrame
        Any table; it is not modified.

    Returns
    -------
    str
        ``safe_frame(frame).to_csv(index=False, lineterminator="\r\n")``: text cells and
        column names that begin with ``= + - @``, a tab or a carriage return are prefixed with
        ``'``; numbers as pandas writes them; missing values as empty cells; lines end with
        CR LF, and cells holding a line break are quoted.
    """
    return safe_frame(frame).to_csv(index=False, lineterminator="\r\n")
