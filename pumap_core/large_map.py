"""A map too large for memory, drawn and queried out of core, one Parquet part at a time.

:class:`LargeMap` reads a Parquet map (:mod:`pumap_core.runs.parquet_map`) part by part, only
the columns a question needs, and never holds all its rows:

- **images**: ``Canvas.points`` over each part's ``x``, ``y``, ``row`` and the colour
  column, summed into running totals (``count_cat`` over categories found once, ``mean`` of a number, ``count``), shaded
  by :func:`pumap_core.render.shade_image` exactly like an in-memory map. Searches and
  selections are drawn as a second aggregate of the matching rows over the faded rest.
- **hover**: the same pass aggregates ``max(row)`` per pixel, so each rendered view comes with
  a :class:`HoverGrid`: per cell of :data:`HOVER_CELL` px, one representative row. The browser
  looks the cursor's cell up (or the nearest non-empty one) and shows that row's values,
  published per view: at most one row per cell is ever read, never every coordinate.
- **selections and search**: :class:`RowFilter` (text, values of a column, a box, a lasso,
  rows) is applied per part: counts, counts per label, the first rows, a capped CSV export.

Nothing here imports Streamlit; the app caches one :class:`LargeMap` per run.
"""

from __future__ import annotations

import math
import threading
from collections import OrderedDict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import numpy as np

from .render import MAX_CATEGORIES, Colouring, View, category_slots, shade_image
from .runs.parquet_map import ParquetIndex, empty_frame, part_rows, read_table, take_rows

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: Hover grid cell side in image pixels: at most (width / 2) × (height / 2) rows per view.
HOVER_CELL = 2
#: Above this many distinct values a numeric column is coloured with a continuous scale.
AUTO_CONTINUOUS = 30
#: Threads reading parts: the machine's cores, not more (each part is decoded by pyarrow).
WORKERS = 2
MISSING = "(missing)"
_CACHED_AGGREGATES = 6


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


@dataclass(frozen=True)
class ColourSpec:
    """How a large map is coloured: ``kind`` categorical / continuous / density, the column,
    its categories (text) or value range; ``fold`` when values are hashed onto the palette."""

    kind: str
    column: str | None = None
    categories: tuple[str, ...] = ()
    range: tuple[float, float] | None = None
    fold: int = 0

    @property
    def key(self) -> str:
        return f"{self.kind}|{self.column}|{len(self.categories)}|{self.fold}"


@dataclass(frozen=True, eq=False)
class HoverGrid:
    """The representative row of each :data:`HOVER_CELL`-px cell of one rendered view.

    ``cells`` is int32 of shape (rows, cols), top row first: an index into ``rows`` (global
    row numbers, ascending), -1 where the cell holds no point.
    """

    cells: np.ndarray
    rows: np.ndarray
    cell: int
    view: View

    def lookup(self, px: float, py: float, radius: int = 3) -> int:
        """The row shown for image pixel (px, py) (from the top left): the cell's, else the
        nearest non-empty cell's within ``radius`` cells (ties: the first in row order); -1."""
        gh, gw = self.cells.shape
        cx, cy = int(px // self.cell), int(py // self.cell)
        best, best_d = -1, math.inf
        for y in range(max(0, cy - radius), min(gh, cy + radius + 1)):
            for x in range(max(0, cx - radius), min(gw, cx + radius + 1)):
                k = self.cells[y, x]
                d = (x - cx) ** 2 + (y - cy) ** 2
                if k >= 0 and d <= radius * radius and d < best_d:
                    best, best_d = int(self.rows[k]), d
        return best


@dataclass(frozen=True, eq=False)
class Rendered:
    """One view of a large map: the image (RGBA uint8, top row first) and its hover grid."""

    rgba: np.ndarray
    grid: HoverGrid


@dataclass(frozen=True, eq=False)
class SelectionSummary:
    """What a filter selects: how many rows, how many per label, and the first rows."""

    count: int
    per_label: "pd.Series | None"
    first: "pd.DataFrame"
    extra: dict[str, Any] = field(default_factory=dict)


class LargeMap:
    """A Parquet map read out of core; safe to share between threads (one render at a time).

    Parts are read a few at a time (:data:`WORKERS` threads), only the columns a question
    needs, and aggregated by datashader one part at a time into running totals: memory holds
    one aggregate per thread, whatever the number of parts. (datashader's own Dask path keeps
    every partition's aggregate until it combines them: 6.2 s and 0.9 GB for a 2 M-row map of
    20 parts at 1000 × 578 px, against ~0.5 s here.)

    Parameters
    ----------
    index : ParquetIndex, the map's files and row numbers
    """

    def __init__(self, index: ParquetIndex) -> None:
        self.index = index
        self.n = index.n_rows
        self.columns = [c for c in index.columns if c != "row"]
        self.dtypes = empty_frame(index, self.columns).dtypes
        self.lock = threading.Lock()
        self._aggs: OrderedDict[tuple, Any] = OrderedDict()
        self._facts: dict[tuple, Any] = {}
        self.aggregations = 0

    # -- facts, computed once ---------------------------------------------------------------
    def _fact(self, key: tuple, make: Callable[[], Any]) -> Any:
        if key not in self._facts:
            self._facts[key] = make()
        return self._facts[key]

    def _map_parts(self, columns: Sequence[str],
                   job: Callable[[Any, np.ndarray], Any]) -> Iterator[Any]:
        """``job(arrow table, row numbers)`` for every part, in row order (lazily)."""
        def one(part):
            return job(read_table(part, columns), part_rows(part))

        with ThreadPoolExecutor(WORKERS) as pool:
            yield from pool.map(one, self.index.parts)

    def extent(self) -> tuple[float, float, float, float]:
        """(x0, x1, y0, y1) of the points: from the Parquet statistics, else one pass."""
        if self.index.extent is not None:
            return self.index.extent

        def make():
            import pyarrow.compute as pc

            got = np.array(list(self._map_parts(["x", "y"], lambda t, r: [
                pc.min(t["x"]).as_py(), pc.max(t["x"]).as_py(), pc.min(t["y"]).as_py(),
                pc.max(t["y"]).as_py()])), dtype=float)
            return (float(np.nanmin(got[:, 0])), float(np.nanmax(got[:, 1])),
                    float(np.nanmin(got[:, 2])), float(np.nanmax(got[:, 3])))
        return self._fact(("extent",), make)

    def is_numeric(self, column: str) -> bool:
        import pandas as pd

        dtype = self.dtypes[column]
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)

    def distinct(self, column: str, limit: int = MAX_CATEGORIES) -> list[Any] | None:
        """The distinct values of ``column`` (sorted; text for non-numbers; ``(missing)`` for
        gaps), or None as soon as there are more than ``limit``."""
        import pyarrow as pa
        import pyarrow.compute as pc

        def make():
            seen: set = set()
            numeric = self.is_numeric(column)
            for part in self.index.parts:
                values = read_table(part, [column])[column]
                if not numeric:
                    values = pc.cast(values, pa.string())
                if values.null_count:
                    seen.add(MISSING)
                seen.update(v for v in pc.unique(values.drop_null()).to_pylist())
                if len(seen) > limit:
                    return None
            try:
                return sorted(seen)
            except TypeError:  # numbers and "(missing)"
                return sorted(seen, key=lambda v: (isinstance(v, str), v))
        return self._fact(("distinct", column, limit), make)

    def colour(self, column: str | None, mode: str = "auto") -> ColourSpec:
        """How to colour by ``column`` (None: density); categories or range found once."""
        if column is None:
            return ColourSpec("density")
        numeric = self.is_numeric(column)
        if mode == "auto":
            few = self.distinct(column, AUTO_CONTINUOUS) if numeric else True
            mode = "continuous" if numeric and few is None else "categorical"
        if mode == "continuous" and numeric:
            def make():
                import pyarrow.compute as pc

                got = np.array(list(self._map_parts([column], lambda t, r: [
                    pc.min(t[column]).as_py(), pc.max(t[column]).as_py()])), dtype=float)
                return (float(np.nanmin(got[:, 0])), float(np.nanmax(got[:, 1])))
            return ColourSpec("continuous", column, range=self._fact(("range", column), make))
        values = self.distinct(column)
        if values is None:  # ids, free text: hashed onto the palette, no legend
            return ColourSpec("categorical", column,
                              categories=tuple(f"group {k}" for k in range(20)), fold=20)
        return ColourSpec("categorical", column, categories=tuple(map(str, values)))

    # -- images -----------------------------------------------------------------------------
    def _codes(self, column: "pa.ChunkedArray", colour: ColourSpec) -> np.ndarray:
        """Category codes (int32) of a part's colour column, found by Arrow (C++)."""
        import pandas as pd
        import pyarrow as pa
        import pyarrow.compute as pc

        if colour.fold:
            text = column.to_pandas().astype(str).to_numpy(object)
            return (pd.util.hash_array(text) % colour.fold).astype(np.int32)
        numeric = self.is_numeric(colour.column)
        natives = self.distinct(colour.column)
        present = [v for v in natives if v != MISSING]
        values = column if numeric else pc.cast(column, pa.string())
        codes = pc.index_in(values, value_set=pa.array(present, type=values.type))
        if MISSING in natives:  # missing values' own category (sorted among the others)
            where = np.array([natives.index(v) for v in present] + [natives.index(MISSING)])
            codes = pc.fill_null(codes, len(present))
            return where[codes.to_numpy()].astype(np.int32)
        return pc.fill_null(codes, 0).to_numpy().astype(np.int32)

    def _part_aggregate(self, table: Any, rows: np.ndarray, view: View, colour: ColourSpec,
                        keep: RowFilter | None, with_rows: bool) -> Any:
        import datashader as ds
        import pandas as pd

        frame = pd.DataFrame({"x": table["x"].to_numpy(), "y": table["y"].to_numpy(),
                              "row": rows})
        if colour.kind == "categorical":
            slots = category_slots(len(colour.categories))
            frame["c"] = pd.Categorical.from_codes(self._codes(table[colour.column], colour),
                                                   categories=range(slots))
            reductions = {"agg": ds.count_cat("c")}
        elif colour.kind == "continuous":
            frame["v"] = table[colour.column].to_numpy(zero_copy_only=False).astype(np.float64)
            reductions = {"sum": ds.sum("v"), "n": ds.count("v")}
        else:
            reductions = {"agg": ds.count()}
        if with_rows:
            reductions["row"] = ds.max("row")
        if keep is not None:
            frame = frame[keep.mask(table, rows)]
        canvas = ds.Canvas(plot_width=view.width, plot_height=view.height,
                           x_range=view.x_range, y_range=view.y_range)
        return canvas.points(frame, "x", "y", ds.summary(**reductions))

    def aggregate(self, view: View, colour: ColourSpec, keep: RowFilter | None = None,
                  with_rows: bool = False) -> Any:
        """The datashader aggregate of ``view`` (an xarray Dataset: ``agg``, and ``row``, the
        max row number per pixel, when ``with_rows``), out of core; cached per view."""
        key = (view.key(), colour.key, keep, with_rows)
        if key in self._aggs:
            self._aggs.move_to_end(key)
            return self._aggs[key]
        columns = ["x", "y"] + ([colour.column] if colour.column else []) + (
            keep.needed() if keep is not None else [])
        total = None
        for agg in self._map_parts(list(dict.fromkeys(columns)), lambda t, r: (
                self._part_aggregate(t, r, view, colour, keep, with_rows))):
            if "sum" in agg:  # datashader's sum is NaN where a part has no point
                agg["sum"].data = np.nan_to_num(agg["sum"].data)
            if total is None:
                total = agg
                continue
            for name in agg.data_vars:
                if name == "row":
                    total[name].data = np.fmax(total[name].data, agg[name].data)
                else:
                    total[name].data += agg[name].data
        if colour.kind == "continuous":  # mean = sum / count, NaN where nothing was drawn
            with np.errstate(invalid="ignore", divide="ignore"):
                total["agg"] = total["sum"] / total["n"].where(total["n"] > 0)
        self.aggregations += 1
        self._aggs[key] = total
        while len(self._aggs) > _CACHED_AGGREGATES:
            self._aggs.popitem(last=False)
        return total

    def render(self, view: View, colour: ColourSpec, cmap: Sequence[str], *,
               emphasis: RowFilter | None = None) -> Rendered:
        """The image of ``view`` and its hover grid; ``emphasis`` rows over the faded rest."""
        base = self.aggregate(view, colour, with_rows=True)
        top = None if emphasis is None else self.aggregate(view, colour, emphasis)["agg"]
        colouring = Colouring(colour.kind, colour.key, tuple(cmap),
                              categories=colour.categories)
        rgba = shade_image(base["agg"], colouring, top)
        return Rendered(rgba, hover_grid(base["row"].data, view))

    # -- questions about rows ---------------------------------------------------------------
    def count(self, keep: RowFilter) -> int:
        """How many rows match ``keep`` (one pass over its columns; cached)."""
        return self._fact(("count", keep), lambda: int(sum(self._map_parts(
            keep.needed(), lambda t, r: int(keep.mask(t, r).sum())))))

    def summary(self, keep: RowFilter, label: str | None = "label",
                first: int = 1000) -> SelectionSummary:
        """Count, counts per ``label`` value and the first ``first`` rows (every column)."""
        import pandas as pd
        import pyarrow as pa

        has_label = label in self.columns

        def per_label(table, hit):
            if not has_label:
                return None
            values = table[label].filter(pa.array(hit))
            return values.to_pandas().pipe(as_text).value_counts()

        def make():
            if keep.rows:  # clicked rows: only their parts are read
                rows = take_rows(self.index, keep.rows, self.columns)
                return SelectionSummary(len(rows), as_text(rows[label]).value_counts()
                                        if has_label else None, rows.iloc[:first])
            cols = list(dict.fromkeys(keep.needed() + ([label] if has_label else [])))

            def one(table, rows):
                hit = keep.mask(table, rows)
                return int(hit.sum()), per_label(table, hit), rows[hit][:first]
            parts = list(self._map_parts(cols, one))
            per = None
            if has_label:
                per = pd.concat([p[1] for p in parts]).groupby(level=0).sum()
                per = per.sort_values(ascending=False)
            ids = np.concatenate([p[2] for p in parts])[:first]
            return SelectionSummary(sum(p[0] for p in parts), per,
                                    take_rows(self.index, ids, self.columns))
        return self._fact(("summary", keep, label, first), make)

    def csv_chunks(self, keep: RowFilter, max_rows: int) -> Iterator[str]:
        """The matching rows (``row`` and every column) as safe CSV text, part by part, at
        most ``max_rows`` rows; the header first."""
        from .csv_export import to_safe_csv

        left, header = max_rows, True
        for part in self.index.parts:
            if left <= 0:
                return
            table, rows = read_table(part, self.columns), part_rows(part)
            hit = np.flatnonzero(keep.mask(table, rows))[:left]
            frame = table.take(hit).to_pandas()
            frame.insert(0, "row", rows[hit])
            if len(frame) or header:
                text = to_safe_csv(frame)
                yield text if header else text.split("\n", 1)[1]
                header, left = False, left - len(frame)

    def take(self, rows: Sequence[int], columns: Sequence[str]) -> "pd.DataFrame":
        """The rows numbered ``rows`` (ascending), ``row`` plus ``columns``."""
        return take_rows(self.index, rows, columns)


def hover_grid(rows: np.ndarray, view: View, cell: int = HOVER_CELL) -> HoverGrid:
    """The :class:`HoverGrid` of a per-pixel ``max(row)`` aggregate (NaN where empty, row 0
    at the lowest y): per cell of ``cell`` px, the largest row number in it."""
    h, w = rows.shape
    gh, gw = -(-h // cell), -(-w // cell)
    full = np.full((gh * cell, gw * cell), -1, dtype=np.int64)
    full[:h, :w] = np.where(np.isfinite(rows), rows, -1).astype(np.int64)[::-1]
    best = full.reshape(gh, cell, gw, cell).max(axis=(1, 3))
    present = np.unique(best[best >= 0])
    cells = np.full(best.shape, -1, dtype=np.int32)
    hit = best >= 0
    cells[hit] = np.searchsorted(present, best[hit]).astype(np.int32)
    return HoverGrid(cells=cells, rows=present, cell=cell, view=view)
