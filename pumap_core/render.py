"""Rasterise large maps with datashader: aggregate once per view, shade cheaply.

A million points are too many for a browser scatter plot, so the explorer shows an image of
them instead, re-rendered for the visible range on every zoom. Rendering has two steps of very
different cost (HoloViz's advice, followed here):

1. **aggregate**: bin the points of the visible range into a ``width × height`` grid, counting
   per category (``count_cat``), per pixel (``count``) or averaging a value (``mean``). This
   touches every point (~40 ms for 1M on one core) and is cached per (view, colour column).
2. **shade**: turn the grid into RGBA with a colour key or colour map (``eq_hist`` for counts,
   so that dense cores and sparse outliers are both visible). Cheap (numpy, :mod:`.shading`);
   changing only the colour map re-shades the cached aggregate.

Selections are resolved here too (:func:`rows_in_box`, :func:`rows_in_lasso`), so that a box or
lasso drawn on an image of a million points becomes row numbers without the browser having to
hold them.

>>> raster = MapRaster(x, y)                                   # doctest: +SKIP
>>> view = View.around(x, y, width=900, height=600)            # doctest: +SKIP
>>> png = raster.png(view, Colouring.categorical(codes, ["a", "b"], palette))  # doctest: +SKIP
"""

from __future__ import annotations

import io
import math
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any, Callable, Sequence

import numpy as np

from .errors import InvalidParameterError

#: Aggregates kept per map: a 1000×700 grid of 20 categories is 56 MB of uint32.
MAX_CACHED_AGGREGATES = 6
#: Categories beyond this share colours with wrap-around; count_cat costs memory per category.
MAX_CATEGORIES = 256


def category_slots(n_categories: int) -> int:
    """The category count aggregated for ``n_categories``: the next of 8, 16, ..., 256."""
    slots = 8
    while slots < n_categories:
        slots *= 2
    return slots


@dataclass(frozen=True)
class View:
    """The visible data range and the image size it is rendered at."""

    x_range: tuple[float, float]
    y_range: tuple[float, float]
    width: int
    height: int

    def __post_init__(self) -> None:
        for name in ("x_range", "y_range"):
            lo, hi = getattr(self, name)
            if not (math.isfinite(lo) and math.isfinite(hi) and hi > lo):
                raise InvalidParameterError(f"{name} must be two finite numbers, low < high; "
                                            f"got {(lo, hi)}.")
            object.__setattr__(self, name, (float(lo), float(hi)))
        if not (1 <= self.width <= 8192 and 1 <= self.height <= 8192):
            raise InvalidParameterError(f"Image size must be 1–8192 px per side, got "
                                        f"{self.width}×{self.height}.")

    @classmethod
    def around(cls, x: np.ndarray, y: np.ndarray, width: int, height: int,
               pad: float = 0.03) -> "View":
        """The whole map with a small margin (points on the edge stay visible)."""
        x0, x1, y0, y1 = extent(x, y)
        dx, dy = (x1 - x0) * pad, (y1 - y0) * pad
        return cls((x0 - dx, x1 + dx), (y0 - dy, y1 + dy), int(width), int(height))

    def key(self) -> tuple:
        # Ranges rounded to ~1e-9 of their span: the same zoom reported twice hits the cache.
        def r(lo: float, hi: float) -> tuple[float, float]:
            q = (hi - lo) * 1e-9
            return (round(lo / q) * q, round(hi / q) * q)
        return (r(*self.x_range), r(*self.y_range), self.width, self.height)


def extent(x: np.ndarray, y: np.ndarray) -> tuple[float, float, float, float]:
    """(x0, x1, y0, y1) of the finite points, never of zero width."""
    ok = np.isfinite(x) & np.isfinite(y)
    if not ok.any():
        return (-1.0, 1.0, -1.0, 1.0)
    xs, ys = x[ok], y[ok]
    x0, x1, y0, y1 = float(xs.min()), float(xs.max()), float(ys.min()), float(ys.max())
    if x1 - x0 <= 0:
        x0, x1 = x0 - 0.5, x1 + 0.5
    if y1 - y0 <= 0:
        y0, y1 = y0 - 0.5, y1 + 0.5
    return (x0, x1, y0, y1)


@dataclass(frozen=True, eq=False)
class Colouring:
    """How points are coloured: by category, by a number, or by density only.

    Build with :meth:`categorical`, :meth:`continuous` or :meth:`density`. ``key`` names the
    column (aggregates are cached by it), ``cmap`` is a list of hex colours.
    """

    kind: str
    key: str
    cmap: tuple[str, ...]
    codes: np.ndarray | None = None
    categories: tuple[str, ...] = ()
    values: np.ndarray | None = None

    @classmethod
    def categorical(cls, codes: np.ndarray, categories: Sequence[str], palette: Sequence[str],
                    key: str = "category") -> "Colouring":
        """``codes[i]`` in ``[0, len(categories))`` is point i's category."""
        codes = np.asarray(codes)
        if len(categories) > MAX_CATEGORIES:
            raise InvalidParameterError(f"{len(categories)} categories are too many to colour "
                                        f"(at most {MAX_CATEGORIES}); colour by another column.")
        if codes.size and (codes.min() < 0 or codes.max() >= len(categories)):
            raise InvalidParameterError("Category codes must lie in [0, number of categories).")
        return cls("categorical", key, tuple(palette), codes=codes.astype(np.uint16),
                   categories=tuple(map(str, categories)))

    @classmethod
    def continuous(cls, values: np.ndarray, cmap: Sequence[str], key: str = "value") -> "Colouring":
        return cls("continuous", key, tuple(cmap), values=np.asarray(values, dtype=np.float32))

    @classmethod
    def density(cls, cmap: Sequence[str]) -> "Colouring":
        return cls("density", "", tuple(cmap))


class MapRaster:
    """Datashader images of one map, with its aggregates cached per view and colouring.

    Parameters
    ----------
    x, y : array-like of shape (n,)
        Point coordinates. Non-finite points are never drawn.
    """

    def __init__(self, x: np.ndarray, y: np.ndarray) -> None:
        import pandas as pd

        x = np.asarray(x, dtype=np.float32).ravel()
        y = np.asarray(y, dtype=np.float32).ravel()
        if x.shape != y.shape:
            raise InvalidParameterError(f"x has {x.size} values but y has {y.size}.")
        self.n = x.size
        self._frame = pd.DataFrame({"x": x, "y": y})
        self._aggs: OrderedDict[tuple, Any] = OrderedDict()
        self.aggregations = 0  # how many times points were binned (tests check reuse)

    # -- aggregation (expensive, cached) --------------------------------------------------
    def aggregate(self, view: View, colouring: Colouring, rows: np.ndarray | None = None,
                  rows_key: str = "") -> Any:
        """The xarray aggregate of ``colouring`` in ``view`` (of ``rows`` only, if given)."""
        cache_key = (view.key(), colouring.kind, colouring.key, rows_key)
        if cache_key in self._aggs:
            self._aggs.move_to_end(cache_key)
            return self._aggs[cache_key]
        import datashader as ds

        frame = self._frame
        if colouring.kind == "categorical":
            import pandas as pd

            # numba compiles count_cat once per number of categories (seconds): round it up to
            # a few sizes, compiled by warm_up(), so a new colour column never waits for it.
            frame = frame.assign(c=pd.Categorical.from_codes(
                colouring.codes.astype(np.int32),
                categories=range(category_slots(len(colouring.categories)))))
            reduction = ds.count_cat("c")
        elif colouring.kind == "continuous":
            frame = frame.assign(v=colouring.values)
            reduction = ds.mean("v")
        else:
            reduction = ds.count()
        if rows is not None:
            frame = frame.iloc[np.asarray(rows, dtype=np.int64)]
        canvas = ds.Canvas(plot_width=view.width, plot_height=view.height,
                           x_range=view.x_range, y_range=view.y_range)
        agg = canvas.points(frame, "x", "y", reduction)
        self.aggregations += 1
        self._aggs[cache_key] = agg
        while len(self._aggs) > MAX_CACHED_AGGREGATES:
            self._aggs.popitem(last=False)
        return agg

    # -- shading (cheap) ------------------------------------------------------------------
    def rgba(self, view: View, colouring: Colouring, *, emphasis: np.ndarray | None = None,
             emphasis_key: str = "", spread: bool = True) -> np.ndarray:
        """The image as uint8 RGBA of shape (height, width, 4), top row first.

        ``emphasis``: rows drawn at full strength over the other points, which are faded
        (a selection or search matches). ``emphasis_key`` must change when the rows do.
        """
        base = self.aggregate(view, colouring)
        top = None if emphasis is None else self.aggregate(view, colouring, emphasis,
                                                           emphasis_key)
        return shade_image(base, colouring, top, spread=spread)

    def png(self, view: View, colouring: Colouring, **kwargs: Any) -> bytes:
        """:meth:`rgba` encoded as PNG (fast settings: images are re-made on every zoom)."""
        return png_bytes(self.rgba(view, colouring, **kwargs))


def shade_image(agg: Any, colouring: Colouring, emphasis: Any | None = None, *,
                spread: bool = True) -> np.ndarray:
    """RGBA uint8 (height, width, 4), top row first, of an aggregate of ``colouring``'s kind.

    ``emphasis``: an aggregate of some rows (same view and colouring) drawn at full strength
    over the faded rest. Shared by :class:`MapRaster` and the out-of-core
    :class:`pumap_core.large_map.LargeMap`, so both draw the same pixels.
    """
    aggs = [agg] if emphasis is None else [agg, emphasis]
    layers = [_shade(a, colouring, min_alpha=60 if k == 0 else 160) for k, a in enumerate(aggs)]
    if spread:
        layers = [_dynspread(img, a) for img, a in zip(layers, aggs)]
    rgba = layers[0] if emphasis is None else _over(layers[1], layers[0], base_alpha=0.3)
    return rgba[::-1]  # datashader's row 0 is the bottom (lowest y)


def png_bytes(rgba: np.ndarray) -> bytes:
    """RGBA uint8 as PNG, fast settings (images are re-made on every zoom)."""
    from PIL import Image

    buf = io.BytesIO()
    Image.fromarray(np.ascontiguousarray(rgba), "RGBA").save(buf, format="PNG",
                                                             compress_level=1)
    return buf.getvalue()


def _shade(agg: Any, colouring: Colouring, min_alpha: int) -> np.ndarray:
    """RGBA pixels of an aggregate (numpy shading: see :mod:`.shading` for why)."""
    from .shading import shade_categories, shade_values

    data = agg.data
    if colouring.kind == "categorical":
        return shade_categories(data, colouring.cmap, min_alpha=min_alpha)
    return shade_values(data, colouring.cmap,
                        how="linear" if colouring.kind == "continuous" else "eq_hist")


def _dynspread(rgba: np.ndarray, agg: Any) -> np.ndarray:
    """Grow isolated pixels (zoomed in, a sparse halo) by up to 2 px with datashader's dynspread."""
    import datashader.transfer_functions as tf

    h, w = rgba.shape[:2]
    image = tf.Image(np.ascontiguousarray(rgba).view(np.uint32).reshape(h, w),
                     coords={"y": agg.coords["y"], "x": agg.coords["x"]}, dims=["y", "x"])
    spread = tf.dynspread(image, threshold=0.5, max_px=2)
    return spread.to_numpy().view(np.uint8).reshape(h, w, 4)


def _over(top: np.ndarray, base: np.ndarray, base_alpha: float) -> np.ndarray:
    """``top`` composited over ``base`` faded to ``base_alpha`` (straight-alpha RGBA uint8).

    Done in numpy rather than with datashader's ``stack``, whose first call compiles for
    seconds: the explorer must answer its first selection quickly.
    """
    h, w = top.shape[:2]
    top, base = top.reshape(-1, 4), base.reshape(-1, 4)
    out = np.zeros_like(top)
    drawn = np.flatnonzero((top[:, 3] > 0) | (base[:, 3] > 0))  # often a small share
    t, b = top[drawn].astype(np.float32), base[drawn].astype(np.float32)
    at = t[:, 3:4] / 255.0
    ab = b[:, 3:4] / 255.0 * base_alpha
    ao = at + ab * (1.0 - at)
    rgb = (t[:, :3] * at + b[:, :3] * ab * (1.0 - at)) / np.maximum(ao, 1e-6)
    out[drawn, :3] = rgb.round().astype(np.uint8)
    out[drawn, 3] = (ao[:, 0] * 255.0).round().astype(np.uint8)
    return out.reshape(h, w, 4)


# -- selections ---------------------------------------------------------------------------
def rows_in_box(x: np.ndarray, y: np.ndarray, x_range: Sequence[float],
                y_range: Sequence[float]) -> np.ndarray:
    """Indices (ascending) of the points inside the box, edges included."""
    x0, x1 = sorted(map(float, x_range))
    y0, y1 = sorted(map(float, y_range))
    inside = (x >= x0) & (x <= x1) & (y >= y0) & (y <= y1)
    return np.flatnonzero(inside)


def rows_in_lasso(x: np.ndarray, y: np.ndarray, xs: Sequence[float],
                  ys: Sequence[float]) -> np.ndarray:
    """Indices (ascending) of the points inside the closed polygon ``(xs, ys)``.

    Points are first cut to the polygon's bounding box (cheap), then tested with an even-odd
    ray cast vectorised over the polygon's edges.
    """
    px = np.asarray(xs, dtype=np.float64)
    py = np.asarray(ys, dtype=np.float64)
    if px.size < 3 or px.size != py.size:
        return np.empty(0, dtype=np.int64)
    cand = rows_in_box(x, y, (px.min(), px.max()), (py.min(), py.max()))
    cx = x[cand].astype(np.float64)
    cy = y[cand].astype(np.float64)
    inside = np.zeros(cand.size, dtype=bool)
    qx, qy = np.roll(px, 1), np.roll(py, 1)
    for ax, ay, bx, by in zip(px, py, qx, qy):
        crosses = (ay > cy) != (by > cy)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = ax + (cy - ay) * (bx - ax) / (by - ay)
        inside ^= crosses & (cx < at)
    return cand[inside]


def warm_up(pause: Callable[[], None] = lambda: None) -> None:
    """Compile datashader's numba kernels (seconds on first use) on a tiny map.

    Call it once, early, on a background thread, so that the first large map a user opens
    renders in milliseconds rather than waiting for the compiler. Categorical aggregates are
    compiled per :func:`category_slots` size: the common ones (up to 32 categories) here.
    ``pause()`` is called before each kernel (an app lets its page runs go first there).
    """
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 64)).astype(np.float32)
    raster = MapRaster(x, y)
    view = View.around(x, y, 32, 24)
    palette = ("#1f77b4", "#ff7f0e")
    # Likeliest first (10 classes round to 16), so that a map opened seconds after the server
    # started waits least; emphasis (search, selection: ~3 s to compile) last.
    colourings = [Colouring.categorical(np.arange(64) % k, [str(i) for i in range(k)], palette,
                                        key=str(k)) for k in (16, 8, 32)]
    for colouring in colourings + [Colouring.continuous(x, palette), Colouring.density(palette)]:
        pause()
        raster.png(view, colouring)
    pause()
    raster.png(view, colourings[0], emphasis=np.arange(8), emphasis_key="warm")
