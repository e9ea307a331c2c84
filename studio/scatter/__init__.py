"""Interactive scatter map for the Explore page, from a thousand to millions of points.

``st.plotly_chart`` gives selection but neither hover events nor images in hover labels, and
re-sends every point on every rerun, so this is a small bidirectional Streamlit component
(static HTML + JS in ``frontend/``, plotly.js from the installed ``plotly`` package). Two views:

- **points** (up to :data:`RASTER_THRESHOLD` points): WebGL markers, legend toggles.
- **raster** (above it): a datashader image of the visible range, rendered here and re-rendered
  after every zoom or pan (:mod:`pumap_core.render`: aggregate once per view, shade cheaply).

In both, the data travel as static files (:mod:`._publish`), the browser finds the point under
the cursor with a spatial grid and shows its thumbnail and row values with no round trip, and
box / lasso / click selections come back as a *spec* that is resolved to rows here.

Returned value (``None`` until the user does something)::

    {"selection": ndarray of int,          # row indices, ascending
     "event": "select" | "click" | "clear" | "zoom" | "initial",
     "spec": {"type": "box", "x": [x0, x1], "y": [y0, y1]} | {"type": "lasso", "x": [...],
             "y": [...]} | {"type": "rows", "rows": [...]} | None,
     "range": {"x": [x0, x1], "y": [y0, y1]} | None,   # the visible range
     "seq": int}                            # grows with every event
"""

from __future__ import annotations

import threading
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np
import streamlit as st

from studio.scatter._assets import component
from studio.scatter._payload import (PALETTE_20, default_opacity, default_point_size, digest,
                                     encode_color, scale_hex)
from studio.scatter._publish import (publish_array, publish_hover, publish_raster,
                                     publish_thumbnails, short_hash)
from studio.scatter._selection import resolve_spec

if TYPE_CHECKING:
    import pandas as pd

    from pumap_core.thumbnails import Thumbnails

__all__ = ["PALETTE_20", "RASTER_THRESHOLD", "scatter_map"]

#: Above this many points the map is a datashader image. plotly's WebGL scatter still pans
#: smoothly at 100k points on a laptop; at 200k+ the first draw takes seconds.
RASTER_THRESHOLD = 100_000


def scatter_map(
    x: Sequence[float],
    y: Sequence[float],
    *,
    key: str,
    data_id: str | None = None,
    color: Sequence[Any] | None = None,
    color_mode: str = "categorical",
    color_key: str = "",
    hover: "pd.DataFrame | None" = None,
    hover_columns: Sequence[str] | None = None,
    thumbnails: "Thumbnails | None" = None,
    highlight: Sequence[int] | None = None,
    view: str = "auto",
    initial: Mapping[str, Any] | None = None,
    point_size: float | None = None,
    height: int = 600,
    palette: Sequence[str] = PALETTE_20,
    colorscale: str = "Viridis",
    color_title: str = "",
    dragmode: str = "select",
) -> dict[str, Any] | None:
    """Draw an interactive scatter map and return the user's latest event.

    Parameters
    ----------
    x, y : array-like, shape (n,)
        Point coordinates.
    key : str
        Streamlit key; the component's last value is read back from the session under it.
    data_id : str, optional
        A unique name for these points (a run id): names the published files. By default a
        hash of the coordinates.
    color : array-like, shape (n,), optional
        Categories (any values) or numbers, see ``color_mode``.
    color_mode : {"categorical", "continuous"}
        Categorical: ``palette`` colours and a legend. Continuous: ``colorscale``.
    color_key : str
        Names the colour column: encoded colours and raster aggregates are cached by it.
    hover : DataFrame with n rows, optional
        Values listed in the tooltip (as text): ``hover_columns`` of it, by default all.
    thumbnails : Thumbnails, optional
        One image per point, shown in the tooltip.
    highlight : array-like of int, optional
        Rows to emphasise (search matches, rows picked in a table); the others are dimmed.
    view : {"auto", "points", "raster"}
        ``auto``: points up to :data:`RASTER_THRESHOLD`, raster above.
    initial : {"range": {"x": [..], "y": [..]}, "spec": ...}, optional
        The view to open with (a shared link), used until the user's first event.
    color_title : str
        The colour bar's title (the colour column's name).
    point_size, height, palette, colorscale, dragmode
        Marker size in px (default by point count), map height in px, colours, the plotly
        colour scale name, and the initial drag mode (``"select"``, ``"lasso"``, ``"zoom"``,
        ``"pan"``; the mode bar switches it).
    """
    xs = np.asarray(x, dtype=np.float32).ravel()
    ys = np.asarray(y, dtype=np.float32).ravel()
    n = xs.size
    if ys.size != n:
        raise ValueError(f"x has {n} values but y has {ys.size}")
    if hover is not None and len(hover) != n:
        raise ValueError(f"hover has {len(hover)} rows for {n} points")
    if thumbnails is not None and len(thumbnails) != n:
        raise ValueError(f"{len(thumbnails)} thumbnails for {n} points")
    if view == "auto":
        view = "raster" if n > RASTER_THRESHOLD else "points"
    if view not in ("points", "raster"):
        raise ValueError(f"view must be 'auto', 'points' or 'raster', got {view!r}")
    data_id = data_id or short_hash(xs.tobytes(), ys.tobytes())
    data_id = short_hash(data_id, str(n))  # a safe file name whatever the id holds

    value = st.session_state.get(key)
    if not value and initial:
        value = {"event": "initial", "spec": initial.get("spec"), "range": initial.get("range"),
                 "seq": 0}
    spec = value.get("spec") if value else None
    selection = resolve_spec(data_id, xs, ys, spec)

    from pumap_core.render import extent

    ext = list(extent(xs, ys))
    colors = _colours(data_id, color, color_mode, color_key, n)
    color_arg: dict[str, Any] = {"mode": colors["mode"], "categories": colors["categories"],
                                 "palette": list(palette), "colorscale": colorscale,
                                 "range": colors.get("range"), "codes": None,
                                 "title": str(color_title)}
    if view == "points" and colors["codes"] is not None:
        dtype = "f4" if colors["mode"] == "continuous" else "u2"
        color_arg["codes"] = publish_array(f"c_{data_id}_{colors['id']}.bin", colors["codes"],
                                           dtype)
    emphasis = _emphasis(selection, highlight)
    args: dict[str, Any] = {
        "view": view, "n": n, "revision": data_id, "extent": ext,
        "coords": publish_array(f"xy_{data_id}.bin", np.column_stack([xs, ys]), "f4"),
        "color": color_arg,
        "hover": (publish_hover(data_id, hover, hover_columns) if hover is not None
                  else None),
        "atlas": publish_thumbnails(data_id, thumbnails) if thumbnails is not None else None,
        "spec": spec,
        "shape": spec if spec and spec.get("type") in ("box", "lasso") else None,
        "selection": selection.tolist() if view == "points" else [],
        "highlight": (np.asarray(highlight, np.int64).tolist()
                      if view == "points" and highlight is not None else []),
        "raster": None,
        "range": (initial or {}).get("range"),
        "point_size": float(point_size) if point_size else default_point_size(n),
        "opacity": default_opacity(n),
        "height": int(height),
        "dragmode": dragmode,
    }
    if view == "raster":
        args["raster"] = _raster(data_id, xs, ys, value, args, colors, emphasis)
        if not args["range"]:
            args["range"] = {"x": args["raster"]["x"], "y": args["raster"]["y"]}
    # signature: everything drawn. Equal signatures let the iframe skip redrawing on reruns.
    args["signature"] = digest(*(v for k, v in args.items() if k != "selection"),
                               short_hash(selection.tobytes()))
    component()(**args, key=key, default=None)
    if not value:
        return None
    return {"selection": selection, "event": value.get("event"), "spec": spec,
            "range": value.get("range"), "seq": value.get("seq", 0)}


def _emphasis(selection: np.ndarray, highlight: Sequence[int] | None) -> np.ndarray | None:
    """Rows drawn at full strength in the raster view: the highlighted ones among the selected
    (rows picked in the selection's table), else the selection, else the highlight."""
    marked = None if highlight is None or not len(highlight) else np.asarray(highlight, np.int64)
    if not selection.size:
        return marked
    both = np.intersect1d(selection, marked) if marked is not None else selection
    return both if both.size else selection


def _colours(data_id: str, color: Any, mode: str, color_key: str, n: int) -> dict[str, Any]:
    """Encoded colours, shared by every session showing this map and colour column, so that
    reruns do not re-factorize a million values (``color_key`` names the column)."""
    ident = short_hash(data_id, color_key, mode)
    if not color_key:
        return {**encode_color(color, mode, n), "id": ident}
    return _shared_colours(ident, mode, n, color)


@st.cache_resource(max_entries=8, show_spinner=False)
def _shared_colours(ident: str, mode: str, n: int, _color: Any) -> dict[str, Any]:
    return {**encode_color(_color, mode, n), "id": ident}


class _SharedRaster:
    """One :class:`MapRaster` per map for all sessions (aggregates are tens of MB), used by
    one script run at a time: its aggregate cache is not thread-safe."""

    def __init__(self, xs: np.ndarray, ys: np.ndarray) -> None:
        from pumap_core.render import MapRaster

        self.raster = MapRaster(xs, ys)
        self.lock = threading.Lock()


@st.cache_resource(max_entries=2, show_spinner=False)
def _shared_raster(data_id: str, _xs: np.ndarray, _ys: np.ndarray) -> _SharedRaster:
    return _SharedRaster(_xs, _ys)


def _raster(data_id: str, xs: np.ndarray, ys: np.ndarray, value: Mapping[str, Any] | None,
            args: Mapping[str, Any], colors: Mapping[str, Any],
            emphasis: np.ndarray | None) -> dict[str, Any]:
    """Render (or reuse) the datashader image of the visible range; return its placement."""
    from pumap_core.render import View

    shared = _shared_raster(data_id, xs, ys)
    size = (value or {}).get("size") or {}
    width = int(min(max(size.get("w") or 1000, 50), 3000))
    height = int(min(max(size.get("h") or args["height"] - 42, 50), 3000))
    rng = (value or {}).get("range") or args.get("range")
    try:
        view = View(tuple(rng["x"]), tuple(rng["y"]), width, height)
    except Exception:  # no range yet, or a damaged one from a link: the whole map
        view = View.around(xs, ys, width, height)
    with shared.lock:
        png = shared.raster.png(view, _colouring(colors, args), emphasis=emphasis,
                                emphasis_key="" if emphasis is None
                                else short_hash(emphasis.tobytes()))
    return {"url": publish_raster(png), "x": list(view.x_range), "y": list(view.y_range)}


def _colouring(colors: Mapping[str, Any], args: Mapping[str, Any]):
    from pumap_core.render import Colouring

    c = args["color"]
    if colors["mode"] == "categorical" and colors["codes"] is not None:
        return Colouring.categorical(colors["codes"], colors["categories"], c["palette"],
                                     key=colors["id"])
    if colors["mode"] == "continuous":
        return Colouring.continuous(colors["codes"], scale_hex(c["colorscale"]), key=colors["id"])
    return Colouring.density(scale_hex("Blues")[3:])
