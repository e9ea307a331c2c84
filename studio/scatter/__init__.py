"""Interactive scatter map for the Explore page: WebGL points, image tooltips, selection.

``st.plotly_chart`` gives selection but neither hover events nor images in hover labels, so this
is a small bidirectional Streamlit component (static HTML + JS in ``frontend/``, plotly.js taken
from the installed ``plotly`` package). Hover is handled entirely in the browser; only
selections, clicks and zooms come back to Python.

Returned value (``None`` until the user does something)::

    {"selection": [int, ...],            # row indices, ascending
     "event": "select" | "click" | "clear" | "zoom",
     "range": {"x": [x0, x1], "y": [y0, y1]},   # current axes range
     "seq": int}                         # grows with every event: compare to spot new ones

A ``"zoom"`` event carries the last selection unchanged.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from studio.scatter._assets import component
from studio.scatter._atlas import make_atlas, publish_atlas
from studio.scatter._payload import (
    PALETTE_20,
    default_opacity,
    default_point_size,
    digest,
    encode_color,
    encode_indices,
    round_floats,
)

__all__ = ["PALETTE_20", "make_atlas", "publish_atlas", "scatter_map"]


def _check_atlas(atlas: Mapping[str, Any] | None) -> dict[str, Any] | None:
    if atlas is None:
        return None
    missing = {"url", "cols", "cell"} - set(atlas)
    if missing:
        raise ValueError(f"atlas needs keys url, cols, cell; missing {sorted(missing)}")
    return {"url": str(atlas["url"]), "cols": int(atlas["cols"]), "cell": int(atlas["cell"])}


def scatter_map(
    x: Sequence[float],
    y: Sequence[float],
    *,
    color: Sequence[Any] | None = None,
    color_mode: str = "categorical",
    hover: Sequence[str] | None = None,
    highlight: Sequence[int] | None = None,
    atlas: Mapping[str, Any] | None = None,
    point_size: float | None = None,
    height: int = 600,
    key: str | None = None,
    palette: Sequence[str] = PALETTE_20,
    colorscale: str = "Viridis",
    dragmode: str = "select",
) -> dict[str, Any] | None:
    """Draw an interactive scatter map and return the user's latest event.

    Parameters
    ----------
    x, y : array-like, shape (n,)
        Point coordinates (numpy arrays are fine; they are rounded to 5 significant digits).
    color : array-like, shape (n,), optional
        Categories (any hashable values) or numbers, see ``color_mode``.
    color_mode : {"categorical", "continuous"}
        Categorical: one legend entry per category, ``palette`` colours.
        Continuous: ``colorscale`` with a colour bar.
    hover : sequence of str, shape (n,), optional
        Tooltip text per point. ``<br>``, ``<b>``, ``<i>`` are kept; other HTML is escaped.
    highlight : array-like of int, optional
        Rows to emphasise; all others are dimmed. Empty or None: nothing dimmed.
    atlas : {"url": str, "cols": int, "cell": int}, optional
        A sprite sheet from :func:`make_atlas` published with :func:`publish_atlas`; the
        tooltip then shows thumbnail ``i`` of the point under the cursor.
    point_size : float, optional
        Marker size in px; by default 6 px below 1k points down to 2 px at 100k.
    height : int
        Height of the map in px.
    key : str, optional
        Streamlit key. Give one: without it the iframe is rebuilt whenever an argument changes
        (losing zoom); with it, zoom is kept as long as ``x`` and ``y`` are unchanged.
    palette, colorscale, dragmode
        Colours for categories, plotly colour scale name, initial drag mode
        (``"select"``, ``"lasso"``, ``"zoom"`` or ``"pan"``; the mode bar switches it).

    Returns
    -------
    dict or None
        The latest event (see the module docstring), or None before the first one.
    """
    xs, ys = round_floats(x), round_floats(y)
    n = len(xs)
    if len(ys) != n:
        raise ValueError(f"x has {n} values but y has {len(ys)}")
    colors = encode_color(color, color_mode, n)
    hover_text = None
    if hover is not None:
        if len(hover) != n:
            raise ValueError(f"hover has {len(hover)} texts for {n} points")
        hover_text = [str(h) for h in hover]
    args: dict[str, Any] = {
        "x": xs,
        "y": ys,
        **colors,
        "palette": list(palette),
        "colorscale": colorscale,
        "hover": hover_text,
        "highlight": encode_indices(highlight, n),
        "atlas": _check_atlas(atlas),
        "point_size": float(point_size) if point_size else default_point_size(n),
        "opacity": default_opacity(n),
        "height": int(height),
        "dragmode": dragmode,
    }
    # revision: the data. plotly's uirevision keeps zoom and selection while it is unchanged.
    args["revision"] = digest(xs, ys)
    # signature: everything drawn. Equal signatures let the iframe skip redrawing on reruns.
    drawn = (v for k, v in args.items() if k not in ("x", "y"))
    args["signature"] = digest(*drawn)
    return component()(**args, key=key, default=None)
