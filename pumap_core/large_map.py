"""A map too large for memory, drawn and queried out of core: datashader over a Dask frame.

:class:`LargeMap` reads a Parquet map (:mod:`pumap_core.runs.parquet_map`) part by part, only
the columns a question needs, and never holds all its rows:

- **images**: ``Canvas.points`` over the Dask frame of ``x``, ``y``, ``row`` and the colour
  column (``count_cat`` over categories found once, ``mean`` of a number, ``count``), shaded
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
from .runs.parquet_map import ParquetIndex, dask_frame, empty_frame, read_part, take_rows

if TYPE_CHECKING:
    import pandas as pd

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

    def mask(self, frame: "pd.DataFrame") -> np.ndarray:
        """Which rows of a part (with :meth:`needed` columns and ``row``) match, bool (n,)."""
        from .render import rows_in_box, rows_in_lasso

        keep = np.ones(len(frame), dtype=bool)
        if self.rows:
            keep &= np.isin(frame["row"].to_numpy(), np.asarray(self.rows, dtype=np.int64))
        if self.box or self.lasso:
            x, y = frame["x"].to_numpy(), frame["y"].to_numpy()
            inside = np.zeros(len(frame), dtype=bool)
            inside[rows_in_box(x, y, self.box[:2], self.box[2:]) if self.box
                   else rows_in_lasso(x, y, *self.lasso)] = True
            keep &= inside
        if self.column and self.values:
            keep &= as_text(frame[self.column]).isin(self.values).to_numpy()
        if self.query:
            hit = np.zeros(len(frame), dtype=bool)
            for col in self.text_columns:
                hit |= frame[col].astype(str).str.contains(self.query, case=False, regex=False,
                                                           na=False).to_numpy()
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

    def _map_parts(self, columns: Sequence[str], job: Callable[["pd.DataFrame"], Any]
                   ) -> list[Any]:
        """``job(part frame)`` for every part (``row`` plus ``columns``), in row order."""
        def one(part):
            return job(read_part(part, columns))

        with ThreadPoolExecutor(WORKERS) as pool:
            return list(pool.map(one, self.index.parts))

    def extent(self) -> tuple[float, float, float, float]:
        """(x0, x1, y0, y1) of the points: from the Parquet statistics, else one pass."""
        if self.index.extent is not None:
            return self.index.extent

        def make():
            got = np.array(self._map_parts(["x", "y"], lambda f: [
                np.nanmin(f["x"]), np.nanmax(f["x"]), np.nanmin(f["y"]), np.nanmax(f["y"])]))
            return (float(got[:, 0].min()), float(got[:, 1].max()), float(got[:, 2].min()),
                    float(got[:, 3].max()))
        return self._fact(("extent",), make)

    def is_numeric(self, column: str) -> bool:
        import pandas as pd

        dtype = self.dtypes[column]
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)

    def distinct(self, column: str, limit: int = MAX_CATEGORIES) -> list[Any] | None:
        """The distinct values of ``column`` (native, sorted), or None beyond ``limit``."""
        import pandas as pd

        def make():
            seen: set = set()
            for part in self.index.parts:
                values = read_part(part, [column])[column]
                seen.update(as_text(values).unique().tolist() if not self.is_numeric(column)
                            else pd.unique(values.dropna()).tolist())
                if values.isna().any() and self.is_numeric(column):
                    seen.add(MISSING)
                if len(seen) > limit:
                    return None
            try:
                return sorted(seen)
            except TypeError:
                return sorted(seen, key=str)
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
                got = np.array(self._map_parts([column], lambda f: [
                    np.nanmin(f[column]) if len(f) else np.nan,
                    np.nanmax(f[column]) if len(f) else np.nan]), dtype=float)
                return (float(np.nanmin(got[:, 0])), float(np.nanmax(got[:, 1])))
            return ColourSpec("continuous", column, range=self._fact(("range", column), make))
        values = self.distinct(column)
        if values is None:  # ids, free text: hashed onto the palette, no legend
            return ColourSpec("categorical", column,
                              categories=tuple(f"group {k}" for k in range(20)), fold=20)
        return ColourSpec("categorical", column, categories=tuple(map(str, values)))

    # -- images -----------------------------------------------------------------------------
    def _prepared(self, colour: ColourSpec, keep: RowFilter | None) -> Callable:
        import pandas as pd

        slots = category_slots(len(colour.categories)) if colour.kind == "categorical" else 0
        lookup = {c: k for k, c in enumerate(colour.categories)}

        def prepare(frame: "pd.DataFrame") -> "pd.DataFrame":
            if keep is not None:
                frame = frame[keep.mask(frame)]
            out = pd.DataFrame({"row": frame["row"], "x": frame["x"], "y": frame["y"]})
            if colour.kind == "categorical":
                text = as_text(frame[colour.column])
                codes = (pd.util.hash_array(text.to_numpy(object)) % colour.fold
                         if colour.fold else text.map(lookup).fillna(0).to_numpy())
                out["c"] = pd.Categorical.from_codes(np.asarray(codes, dtype=np.int32),
                                                     categories=range(slots))
            elif colour.kind == "continuous":
                out["v"] = frame[colour.column].astype(np.float64)
            return out
        return prepare

    def aggregate(self, view: View, colour: ColourSpec, keep: RowFilter | None = None,
                  with_rows: bool = False) -> Any:
        """The datashader aggregate of ``view`` (an xarray Dataset: ``agg``, and ``row``, the
        max row number per pixel, when ``with_rows``), out of core; cached per view."""
        key = (view.key(), colour.key, keep, with_rows)
        if key in self._aggs:
            self._aggs.move_to_end(key)
            return self._aggs[key]
        import dask
        import datashader as ds

        columns = ["x", "y"] + ([colour.column] if colour.column else []) + (
            keep.needed() if keep is not None else [])
        frame = dask_frame(self.index, list(dict.fromkeys(columns)))
        prepare = self._prepared(colour, keep)
        frame = frame.map_partitions(prepare, meta=prepare(empty_frame(self.index, columns)))
        reduction = (ds.count_cat("c") if colour.kind == "categorical" else
                     ds.mean("v") if colour.kind == "continuous" else ds.count())
        reductions = {"agg": reduction, **({"row": ds.max("row")} if with_rows else {})}
        canvas = ds.Canvas(plot_width=view.width, plot_height=view.height,
                           x_range=view.x_range, y_range=view.y_range)
        # Threads of this process, never a distributed client the server may have started.
        with dask.config.set(scheduler="threads", num_workers=WORKERS):
            agg = canvas.points(frame, "x", "y", ds.summary(**reductions))
        self.aggregations += 1
        self._aggs[key] = agg
        while len(self._aggs) > _CACHED_AGGREGATES:
            self._aggs.popitem(last=False)
        return agg

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
            keep.needed(), lambda f: int(keep.mask(f).sum())))))

    def summary(self, keep: RowFilter, label: str | None = "label",
                first: int = 1000) -> SelectionSummary:
        """Count, counts per ``label`` value and the first ``first`` rows (every column)."""
        import pandas as pd

        def make():
            if keep.rows:  # clicked rows: only their parts are read
                rows = take_rows(self.index, keep.rows, self.columns)
                rows = rows[keep.mask(rows)]
                per = as_text(rows[label]).value_counts() if label in self.columns else None
                return SelectionSummary(len(rows), per, rows.iloc[:first])
            cols = keep.needed() + ([label] if label in self.columns else [])

            def one(frame):
                hit = keep.mask(frame)
                per = (as_text(frame.loc[hit, label]).value_counts()
                       if label in self.columns else None)
                return int(hit.sum()), per, frame["row"].to_numpy()[hit][:first]
            parts = self._map_parts(list(dict.fromkeys(cols)), one)
            total = sum(p[0] for p in parts)
            per = None
            if label in self.columns:
                per = pd.concat([p[1] for p in parts]).groupby(level=0).sum()
                per = per.sort_values(ascending=False)
            ids = np.concatenate([p[2] for p in parts])[:first]
            return SelectionSummary(total, per, take_rows(self.index, ids, self.columns))
        return self._fact(("summary", keep, label, first), make)

    def csv_chunks(self, keep: RowFilter, max_rows: int) -> Iterator[str]:
        """The matching rows (``row`` and every column) as safe CSV text, part by part, at
        most ``max_rows`` rows; the header first."""
        from .csv_export import to_safe_csv

        left, header = max_rows, True
        for part in self.index.parts:
            if left <= 0:
                return
            frame = read_part(part, self.columns)
            frame = frame[keep.mask(frame)].iloc[:left]
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
