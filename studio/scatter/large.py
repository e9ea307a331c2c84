"""The scatter map for maps read out of core (:class:`pumap_core.large_map.LargeMap`).

Same component, same events and the same look as the raster view of :func:`scatter_map`, but
no coordinate ever goes to the browser. Per rendered view Python publishes, next to the image:

- a hover grid (``int32``, one entry per :data:`~pumap_core.large_map.HOVER_CELL`-px cell,
  top row first: an index into the view's rows, -1 where empty) and the view's rows (global
  row numbers, float64), a few hundred kB whatever the map's size;
- the tooltip values of those rows (at most one per cell), read from the Parquet parts in the
  background and written as JSON chunks of 4,096 rows, so that hovering needs no round trip.

The browser finds the cursor's cell (or the nearest non-empty one within 3 cells), as
:meth:`HoverGrid.lookup` does. Selections come back as specs; the caller resolves them out of
core (:class:`~pumap_core.large_map.RowFilter`).
"""

from __future__ import annotations

import json
import logging
import time
from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING, Any, Callable

import numpy as np
import streamlit as st

from studio.scatter._assets import component, served_dir, write_atomic
from studio.scatter._payload import PALETTE_20, digest, scale_hex
from studio.scatter._publish import (HOVER_CHUNK, KEEP_RASTERS, in_background, publish_array,
                                     publish_raster, short_hash)

if TYPE_CHECKING:
    from pumap_core.hover_grid import HoverGrid
    from pumap_core.large_map import ColourSpec, LargeMap
    from pumap_core.row_filter import RowFilter

log = logging.getLogger(__name__)

#: Cells around the cursor's searched for a point when its own cell is empty.
PICK_RADIUS = 3


def large_scatter_map(lmap: "LargeMap", *, key: str, data_id: str, colour: "ColourSpec",
                      palette: Sequence[str] = PALETTE_20, colorscale: str = "Viridis",
                      hover_columns: Sequence[str] = (), emphasis: "RowFilter | None" = None,
                      initial: Mapping[str, Any] | None = None, height: int = 600,
                      dragmode: str = "select", color_title: str = "") -> dict[str, Any] | None:
    """Draw a large map and return the user's latest event (as :func:`scatter_map`, without
    ``selection``: resolve ``spec`` with :meth:`RowFilter.from_spec`).

    Parameters
    ----------
    lmap : LargeMap, the map (shared; rendering takes its lock)
    key : str, Streamlit key of the component's value
    data_id : str, names the published files (a run id and stamp)
    colour : ColourSpec, from :meth:`LargeMap.colour`
    palette, colorscale : categorical colours; plotly colour scale name for numbers
    hover_columns : columns listed in the tooltip
    emphasis : rows drawn at full strength over the faded rest (a selection, search matches)
    initial : {"range": ..., "spec": ...}, the view to open with (a shared link)
    height, dragmode, color_title : as for :func:`scatter_map`
    """
    from pumap_core.render import View, png_bytes

    data_id = short_hash(data_id, str(lmap.n))
    value = st.session_state.get(key)
    if not value and initial:
        value = {"event": "initial", "spec": initial.get("spec"), "range": initial.get("range"),
                 "seq": 0}
    spec = value.get("spec") if value else None
    x0, x1, y0, y1 = ext = lmap.extent()
    size = (value or {}).get("size") or {}
    width = int(min(max(size.get("w") or 1000, 50), 3000))
    plot_h = int(min(max(size.get("h") or height - 42, 50), 3000))
    rng = (value or {}).get("range") or (initial or {}).get("range")
    try:
        view = View(tuple(rng["x"]), tuple(rng["y"]), width, plot_h)
    except Exception:  # no range yet, or a damaged one from a link: the whole map
        dx, dy = (x1 - x0) * 0.03, (y1 - y0) * 0.03
        view = View((x0 - dx, x1 + dx), (y0 - dy, y1 + dy), width, plot_h)
    cmap = (list(palette) if colour.kind == "categorical" else scale_hex(colorscale)
            if colour.kind == "continuous" else scale_hex("Blues")[3:])
    start = time.perf_counter()
    with lmap.lock:
        rendered = lmap.render(view, colour, cmap, emphasis=emphasis)
    png = png_bytes(rendered.rgba)
    log.info("large map %s: %d×%d px rendered in %.0f ms", data_id, view.width, view.height,
             (time.perf_counter() - start) * 1000)
    columns = [str(c) for c in hover_columns]
    args: dict[str, Any] = {
        "view": "raster", "n": int(lmap.n), "revision": data_id, "extent": list(ext),
        "coords": None, "atlas": None, "selection": [], "highlight": [],
        "color": {"mode": colour.kind if colour.kind != "density" else "none",
                  "categories": [] if colour.fold else list(colour.categories),
                  "palette": list(palette), "colorscale": colorscale,
                  "range": list(colour.range) if colour.range else None, "codes": None,
                  "title": str(color_title)},
        "spec": spec, "shape": spec if spec and spec.get("type") in ("box", "lasso") else None,
        "raster": {"url": publish_raster(png), "x": list(view.x_range), "y": list(view.y_range)},
        "range": (initial or {}).get("range"), "point_size": 2.0, "opacity": 0.5,
        "height": int(height), "dragmode": dragmode,
    }
    args["pick"], args["hover"] = publish_view(lmap, rendered.grid, short_hash(png, data_id),
                                               columns)
    if not args["range"]:
        args["range"] = {"x": args["raster"]["x"], "y": args["raster"]["y"]}
    args["signature"] = digest(*args.values())
    component()(**args, key=key, default=None)
    if not value:
        return None
    return {"event": value.get("event"), "spec": spec, "range": value.get("range"),
            "seq": value.get("seq", 0)}


def publish_view(lmap: "LargeMap", grid: "HoverGrid", view_id: str, columns: Sequence[str]
                 ) -> tuple[dict[str, Any], dict[str, Any] | None]:
    """Publish a view's hover grid and its rows' tooltip values; return the component's
    ``pick`` and ``hover`` arguments."""
    gh, gw = grid.cells.shape
    pick = {"cells": publish_array(f"g_{view_id}.bin", grid.cells, "i4"),
            "rows": publish_array(f"gr_{view_id}.bin", grid.rows.astype(np.float64), "f8"),
            "w": gw, "h": gh, "cell": grid.cell, "width": grid.view.width,
            "height": grid.view.height, "x": list(grid.view.x_range),
            "y": list(grid.view.y_range), "radius": PICK_RADIUS}
    _forget_old_views()
    if not columns:
        return pick, None
    prefix = f"hv_{view_id}_{short_hash(*columns)}_"
    folder = served_dir()

    def job(pause: Callable[[], None] = lambda: None) -> None:
        pause()  # reading the rows' values takes a pass over the parts: page runs go first
        frame = lmap.take(grid.rows, columns)  # ascending rows: chunk k holds rows[k*4096:]
        for k, start in enumerate(range(0, len(frame), HOVER_CHUNK)):
            pause()
            part = frame.iloc[start:start + HOVER_CHUNK][list(columns)]
            text = part.astype(str).apply(lambda col: col.str.slice(0, 60)).to_numpy().tolist()
            write_atomic(folder / f"{prefix}{k}.json",
                         json.dumps(text, ensure_ascii=False, separators=(",", ":")).encode())

    if not (folder / f"{prefix}0.json").is_file():
        if len(grid.rows) <= HOVER_CHUNK:
            job()  # a sparse view: ready with the image
        else:
            in_background(prefix, job)
    return pick, {"prefix": prefix, "chunk": HOVER_CHUNK, "columns": list(columns)}


def _forget_old_views() -> None:
    """Keep the files of the newest :data:`KEEP_RASTERS` views only."""
    folder = served_dir()
    grids = sorted(folder.glob("g_*.bin"), key=_mtime)
    for old in grids[:-KEEP_RASTERS]:
        view_id = old.stem[2:]
        for path in [old, folder / f"gr_{view_id}.bin", *folder.glob(f"hv_{view_id}_*.json")]:
            path.unlink(missing_ok=True)


def _mtime(path) -> float:
    try:
        return path.stat().st_mtime
    except OSError:
        return 0.0


__all__ = ["PICK_RADIUS", "large_scatter_map", "publish_view"]
