"""A map too large for memory, drawn and queried out of core, one Parquet part at a time.

:class:`LargeMap` reads a Parquet map (:mod:`pumap_core.runs.parquet_map`) part by part, only
the columns a question needs, and never holds all its rows:

- **images**: ``Canvas.points`` over each part's ``x``, ``y``, ``row`` and the colour
  column (``count_cat`` over categories found once, ``mean`` of a number, ``count``), added
  up by a Dask tree reduction, shaded
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

import functools
import operator
import threading
from collections import OrderedDict
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Callable, Iterator, Sequence

import numpy as np

from .hover_grid import HoverGrid, hover_grid
from .render import MAX_CATEGORIES, Colouring, View, category_slots, shade_image
from .row_filter import MISSING, RowFilter, as_text
from .runs.parquet_map import ParquetIndex, empty_frame, part_rows, read_table, take_rows

if TYPE_CHECKING:
    import pandas as pd
    import pyarrow as pa

#: Above this many distinct values a numeric column is coloured with a continuous scale.
AUTO_CONTINUOUS = 30
#: Threads reading parts: the machine's cores, not more (each part is decoded by pyarrow).
WORKERS = 2
_CACHED_AGGREGATES = 6


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

    Every question is a Dask bag over the parts (one partition per Parquet part, only the
    columns it needs), run by Dask's threaded scheduler on :data:`WORKERS` threads. Images are
    aggregated by datashader one part at a time and added up two by two (a tree reduction):
    memory holds a few aggregates, whatever the number of parts. (``Canvas.points`` on a
    ``dask.dataframe`` of the same parts keeps every partition's aggregate until it combines
    them, and took 2.0 s against 1.2 s per view for 20 M rows in 20 parts at 1000 × 578 px:
    benchmarks/RESULTS.md.)

    Parameters
    ----------
    index : ParquetIndex, the map's files and row numbers
    """

    def __init__(self, index: ParquetIndex) -> None:
        self.index = index
        self.n = index.n_rows
        # ``row`` is ours (global row numbers); ``__null_dask_index__`` and the like are the
        # writer's index, not the data's.
        self.columns = [c for c in index.columns if c != "row" and not c.startswith("__")]
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

    def _over_parts(self, columns: Sequence[str], job: Callable[[Any, np.ndarray], Any],
                    combine: Callable[[Any, Any], Any] | None = None) -> Any:
        """``job(arrow table, row numbers)`` of every part: the list of results in row order,
        or, with ``combine(a, b)``, their tree reduction, two at a time, so that memory holds
        a few results at once whatever the number of parts.

        The first part runs in the caller's thread, alone; the others are a Dask bag (one
        partition per part) run by Dask's threaded scheduler on :data:`WORKERS` threads. A
        pass's first call compiles datashader's numba kernels for its reduction, and
        compiling them in two threads at once is not safe: they are always compiled before
        the threads start."""
        import dask.bag as db

        def run(part):
            return job(read_table(part, columns), part_rows(part))

        first, *others = self.index.parts
        head = run(first)
        if not others:
            return head if combine is not None else [head]
        parts = db.from_sequence(others, npartitions=len(others)).map(run)
        if combine is not None:
            def fold(results):
                return functools.reduce(combine, results)
            parts = parts.reduction(fold, fold, split_every=2)
        # Threads of this process, never a distributed Client the caller may have made.
        rest = parts.compute(scheduler="threads", num_workers=WORKERS)
        return combine(head, rest) if combine is not None else [head, *rest]

    def extent(self) -> tuple[float, float, float, float]:
        """(x0, x1, y0, y1) of the points: from the Parquet statistics, else one pass."""
        if self.index.extent is not None:
            return self.index.extent

        def make():
            import pyarrow.compute as pc

            got = np.array(self._over_parts(["x", "y"], lambda t, r: [
                pc.min(t["x"]).as_py(), pc.max(t["x"]).as_py(), pc.min(t["y"]).as_py(),
                pc.max(t["y"]).as_py()]), dtype=float)
            return (float(np.nanmin(got[:, 0])), float(np.nanmax(got[:, 1])),
                    float(np.nanmin(got[:, 2])), float(np.nanmax(got[:, 3])))
        return self._fact(("extent",), make)

    def is_numeric(self, column: str) -> bool:
        import pandas as pd

        dtype = self.dtypes[column]
        return pd.api.types.is_numeric_dtype(dtype) and not pd.api.types.is_bool_dtype(dtype)

    def distinct(self, column: str, limit: int = MAX_CATEGORIES) -> list[Any] | None:
        """The distinct values of ``column`` (sorted; text for non-numbers; ``(missing)`` for
        gaps), or None when there are more than ``limit`` (at most MAX_CATEGORIES).

        One pass per column, kept: it stops at the first part that goes beyond
        MAX_CATEGORIES values (a column of ids costs one part)."""
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
                if len(seen) > MAX_CATEGORIES:
                    return None
            try:
                return sorted(seen)
            except TypeError:  # numbers and "(missing)"
                return sorted(seen, key=lambda v: (isinstance(v, str), v))
        values = self._fact(("distinct", column), make)
        return None if values is None or len(values) > limit else values

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

                got = np.array(self._over_parts([column], lambda t, r: [
                    pc.min(t[column]).as_py(), pc.max(t[column]).as_py()]), dtype=float)
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
        agg = canvas.points(frame, "x", "y", ds.summary(**reductions))
        if "sum" in agg:  # datashader's sum is NaN where a part has no point
            agg["sum"].data = np.nan_to_num(agg["sum"].data)
        return agg

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
        total = self._over_parts(list(dict.fromkeys(columns)), lambda t, r: (
            self._part_aggregate(t, r, view, colour, keep, with_rows)), _add_aggregates)
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
        return self._fact(("count", keep), lambda: int(self._over_parts(
            keep.needed(), lambda t, r: int(keep.mask(t, r).sum()), operator.add)))

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
            parts = self._over_parts(cols, one)
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


def _add_aggregates(total: Any, agg: Any) -> Any:
    """Two parts' aggregates as one (in place in ``total``): counts and sums add, the
    per-pixel ``row`` is the larger."""
    for name in agg.data_vars:
        if name == "row":
            total[name].data = np.fmax(total[name].data, agg[name].data)
        else:
            total[name].data += agg[name].data
    return total


def warm_up(pause: Callable[[], None] = lambda: None) -> None:
    """Compile the kernels of :meth:`LargeMap.render` (seconds each on first use: datashader
    compiles per combination of reductions) on a tiny Parquet map in a temporary folder.

    Call once, early, on a background thread (the app does, after :func:`render.warm_up`);
    ``pause()`` is called before each kernel.
    """
    import tempfile
    from pathlib import Path

    import pandas as pd

    from .runs.parquet_map import index_parquet

    rng = np.random.default_rng(0)
    with tempfile.TemporaryDirectory(prefix="pumap-warm-") as tmp:
        frame = pd.DataFrame({"x": rng.normal(size=64).astype(np.float32),
                              "y": rng.normal(size=64).astype(np.float32),
                              "label": [f"c{k % 10}" for k in range(64)],
                              "v": rng.random(64)})
        frame.to_parquet(Path(tmp) / "part.0.parquet", index=False)
        lmap = LargeMap(index_parquet(tmp))
        view = View((-3.0, 3.0), (-3.0, 3.0), 32, 24)
        for column in ("label", "v", None):  # 10 classes (16 slots) first: the likeliest
            pause()
            lmap.render(view, lmap.colour(column), ("#1f77b4", "#ff7f0e"))
        pause()
        lmap.render(view, lmap.colour("label"), ("#1f77b4",), emphasis=RowFilter(rows=(1,)))
