"""Selection specs sent by the map (a box, a lasso, clicked rows) resolved to row indices."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import numpy as np
import streamlit as st

from pumap_core.render import rows_in_box, rows_in_lasso

_KEY = "scatter.selection"  # session key: the last resolved spec (a lasso over 1M points costs)
_EMPTY = np.empty(0, dtype=np.int64)


def resolve_spec(data_id: str, x: np.ndarray, y: np.ndarray,
                 spec: Mapping[str, Any] | None) -> np.ndarray:
    """Rows (ascending int64) selected by ``spec``; an empty array for none or a bad spec.

    Specs come from the browser or from a shared link, so anything malformed selects nothing
    rather than raising.
    """
    if not spec:
        return _EMPTY
    ident = (data_id, json.dumps(spec, sort_keys=True, default=str))
    cached = st.session_state.get(_KEY)
    if cached is not None and cached[0] == ident:
        return cached[1]
    try:
        rows = _resolve(x, y, spec)
    except (TypeError, ValueError, KeyError):
        rows = _EMPTY
    st.session_state[_KEY] = (ident, rows)
    return rows


def _resolve(x: np.ndarray, y: np.ndarray, spec: Mapping[str, Any]) -> np.ndarray:
    kind = spec.get("type")
    if kind == "box":
        xr, yr = [float(v) for v in spec["x"]], [float(v) for v in spec["y"]]
        if len(xr) != 2 or len(yr) != 2:
            return _EMPTY
        return rows_in_box(x, y, xr, yr)
    if kind == "lasso":
        return rows_in_lasso(x, y, [float(v) for v in spec["x"]], [float(v) for v in spec["y"]])
    if kind == "rows":
        rows = np.unique(np.asarray([int(v) for v in spec["rows"]], dtype=np.int64))
        return rows[(rows >= 0) & (rows < x.size)]
    return _EMPTY
