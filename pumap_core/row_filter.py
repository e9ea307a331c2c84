"""Which rows of a map a question is about: a search, values of a column, a box, a lasso,
clicked rows. Matched part by part on Arrow tables (:class:`pumap_core.large_map.LargeMap`):
text is compared in C++, never as millions of Python strings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: How a missing value is shown, matched and coloured.
MISSING = "(missing)"


def as_text(values: "pd.Series") -> "pd.Series":
    """Values as the text they are matched and coloured by; gaps as ``(missing)``."""
    return values.astype(object).where(values.notna(), MISSING).astype(str)


@dataclass(frozen=True)
class RowFilter:
    """Rows matching every criterion that is set: a text, column values, a box, a lasso, rows.

    ``query`` is searched (any case) in ``text_columns``; ``values`` are compared as text.
    """

    query: str = ""
    text_columns: tuple[str, ...] = ()
    column: str | None = None
    values: tuple[str, ...] = ()
    box: tuple[float, float, float, float] | None = None
    lasso: tuple[tuple[float, ...], tuple[float, ...]] | None = None
    rows: tuple[int, ...] = ()

    @classmethod
    def from_spec(cls, spec: dict[str, Any] | None) -> "RowFilter | None":
        """A selection spec from the map (box, lasso, rows), or None when it holds nothing."""
        if not spec:
            return None
        try:
            kind = spec.get("type")
            if kind == "box":
                (x0, x1), (y0, y1) = sorted(map(float, spec["x"])), sorted(map(float, spec["y"]))
                return cls(box=(x0, x1, y0, y1))
            if kind == "lasso" and len(spec["x"]) > 2 and len(spec["x"]) == len(spec["y"]):
                return cls(lasso=(tuple(map(float, spec["x"])), tuple(map(float, spec["y"]))))
            if kind == "rows" and spec["rows"]:
                return cls(rows=tuple(sorted({int(r) for r in spec["rows"]})))
        except (TypeError, ValueError, KeyError):
            return None
        return None

    @property
    def is_empty(self) -> bool:
        return not (self.query or (self.column and self.values) or self.box or self.lasso
                    or self.rows)

    def needed(self) -> list[str]:
        """The columns :meth:`mask` reads (besides ``row``)."""
        cols = ["x", "y"] if self.box or self.lasso else []
        if self.query:
            cols += list(self.text_columns)
        if self.column and self.values:
            cols.append(self.column)
        return cols

    def mask(self, table: "pa.Table", rows: np.ndarray) -> np.ndarray:
        """Which rows of a part match, bool (n,): ``table`` holds the :meth:`needed` columns
        (Arrow: text is matched in C++, never as Python strings), ``rows`` their numbers."""
        import pyarrow as pa
        import pyarrow.compute as pc

        from .render import rows_in_box, rows_in_lasso

        keep = np.ones(len(rows), dtype=bool)
        if self.rows:
            keep &= np.isin(rows, np.asarray(self.rows, dtype=np.int64))
        if self.box or self.lasso:
            x, y = table["x"].to_numpy(), table["y"].to_numpy()
            inside = np.zeros(len(rows), dtype=bool)
            inside[rows_in_box(x, y, self.box[:2], self.box[2:]) if self.box
                   else rows_in_lasso(x, y, *self.lasso)] = True
            keep &= inside
        if self.column and self.values:
            text = pc.cast(table[self.column], pa.string())
            hit = pc.fill_null(pc.is_in(text, value_set=pa.array(list(self.values))), False)
            hit = hit.to_numpy(zero_copy_only=False)
            if MISSING in self.values:
                hit |= pc.is_null(text).to_numpy(zero_copy_only=False)
            keep &= hit
        if self.query:
            hit = np.zeros(len(rows), dtype=bool)
            for col in self.text_columns:
                found = pc.match_substring(pc.cast(table[col], pa.string()), self.query,
                                           ignore_case=True)
                hit |= pc.fill_null(found, False).to_numpy(zero_copy_only=False)
            keep &= hit
        return keep
