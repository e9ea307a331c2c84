"""The Explore view in the page URL, so that a copied link reopens the same view.

Query parameters (all optional; anything malformed is ignored, never an error)::

    run=<run id>  color=<column>  q=<search text>  only=<value>|<value>...
    x=<x0>,<x1>  y=<y0>,<y1>                       the visible range
    sel=box:<x0>,<x1>,<y0>,<y1> | lasso:<x> <y>;<x> <y>;... | rows:<i>,<j>,...

Selections travel as their shape (a box or lasso stays a few dozen characters whatever it
holds); clicked rows only up to :data:`MAX_URL_ROWS`.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from typing import Any

MAX_URL_ROWS = 200
MAX_LASSO_POINTS = 120  # a lasso is thinned to this many vertices in a link


def _num(v: float, span: float) -> str:
    """A coordinate with enough digits for its scale (~1e-6 of the span)."""
    digits = max(0, 6 - math.floor(math.log10(span))) if span > 0 else 6
    return f"{v:.{min(digits, 12)}f}".rstrip("0").rstrip(".") or "0"


def _pair(text: str | None) -> list[float] | None:
    try:
        a, b = (float(t) for t in str(text).split(","))
    except (TypeError, ValueError):
        return None
    return [a, b] if math.isfinite(a) and math.isfinite(b) and a < b else None


def encode_range(rng: Mapping[str, Any] | None) -> dict[str, str]:
    if not rng:
        return {}
    try:
        (x0, x1), (y0, y1) = rng["x"], rng["y"]
    except (KeyError, TypeError, ValueError):
        return {}
    return {"x": f"{_num(x0, x1 - x0)},{_num(x1, x1 - x0)}",
            "y": f"{_num(y0, y1 - y0)},{_num(y1, y1 - y0)}"}


def decode_range(params: Mapping[str, str]) -> dict[str, list[float]] | None:
    x, y = _pair(params.get("x")), _pair(params.get("y"))
    return {"x": x, "y": y} if x and y else None


def encode_spec(spec: Mapping[str, Any] | None, extent_span: float) -> str | None:
    """A selection spec as one short string, or None when it cannot travel in a link."""
    if not spec:
        return None
    kind = spec.get("type")
    if kind == "box":
        v = [*spec["x"], *spec["y"]]
        return "box:" + ",".join(_num(float(t), extent_span) for t in v)
    if kind == "lasso":
        xs, ys = list(spec["x"]), list(spec["y"])
        step = max(1, math.ceil(len(xs) / MAX_LASSO_POINTS))
        pts = zip(xs[::step], ys[::step])
        return "lasso:" + ";".join(f"{_num(a, extent_span)} {_num(b, extent_span)}"
                                   for a, b in pts)
    if kind == "rows" and 0 < len(spec["rows"]) <= MAX_URL_ROWS:
        return "rows:" + ",".join(str(int(r)) for r in spec["rows"])
    return None


def decode_spec(text: str | None) -> dict[str, Any] | None:
    if not text or ":" not in text:
        return None
    kind, _, body = text.partition(":")
    try:
        if kind == "box":
            x0, x1, y0, y1 = (float(t) for t in body.split(","))
            return {"type": "box", "x": [x0, x1], "y": [y0, y1]}
        if kind == "lasso":
            pts = [tuple(float(t) for t in p.split()) for p in body.split(";") if p.strip()]
            if len(pts) < 3 or any(len(p) != 2 for p in pts):
                return None
            return {"type": "lasso", "x": [p[0] for p in pts], "y": [p[1] for p in pts]}
        if kind == "rows":
            rows = [int(t) for t in body.split(",") if t.strip()][:MAX_URL_ROWS]
            return {"type": "rows", "rows": rows} if rows else None
    except ValueError:
        return None
    return None


def view_params(*, run_id: str, color: str | None, query: str, only: list[str],
                rng: Mapping[str, Any] | None, spec: Mapping[str, Any] | None,
                extent_span: float) -> dict[str, str]:
    """Everything that makes the view, as query parameters (empty values left out)."""
    params: dict[str, str] = {"run": run_id}
    if color:
        params["color"] = color
    if query:
        params["q"] = query
    if only:
        params["only"] = "|".join(only)
    params.update(encode_range(rng))
    sel = encode_spec(spec, extent_span)
    if sel:
        params["sel"] = sel
    return params
