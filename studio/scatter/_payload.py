"""Turn arrays into the small JSON arguments the scatter component receives."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import numpy as np

# matplotlib's tab20 reordered: the 10 strong tab10 colours first, their light partners after,
# so that up to 10 classes get the most distinct colours.
PALETTE_20 = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
    "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)


def default_point_size(n: int) -> float:
    """6 px below 1k points down to 2 px at 100k, linear in log10(n) between."""
    t = min(max((math.log10(max(n, 1)) - 3.0) / 2.0, 0.0), 1.0)
    return round(6.0 - 4.0 * t, 2)


def default_opacity(n: int) -> float:
    """0.9 below 1k points down to 0.5 at 100k: dense maps need overlap to show density."""
    t = min(max((math.log10(max(n, 1)) - 3.0) / 2.0, 0.0), 1.0)
    return round(0.9 - 0.4 * t, 2)


def round_floats(values: Any, digits: int = 5) -> list[float | None]:
    """A float array as a list rounded to ~``digits`` significant digits; NaN/inf become None.

    One decimal count for the whole array (from its largest magnitude) keeps this vectorised;
    ``np.round`` divides an integer by a power of ten, so the floats print short in JSON.
    None because Streamlit's ``json.dumps`` would write NaN, which the browser cannot parse.
    """
    a = np.asarray(values, dtype=np.float64).ravel()
    finite = np.isfinite(a)
    all_finite = bool(finite.all())
    top = float(np.max(np.abs(a if all_finite else a[finite]))) if finite.any() else 0.0
    decimals = digits - 1 - math.floor(math.log10(top)) if top > 0 else 0
    decimals = min(decimals, 300)  # 10**decimals must stay a finite double
    out = np.round(a, decimals).tolist()
    if not all_finite:
        for i in np.flatnonzero(~finite).tolist():
            out[i] = None
    return out


def encode_color(color: Any, mode: str, n: int) -> dict[str, Any]:
    """Categorical → integer codes plus category names; continuous → rounded floats."""
    if mode not in ("categorical", "continuous"):
        raise ValueError(f"color_mode must be 'categorical' or 'continuous', got {mode!r}")
    if color is None:
        return {"color": None, "categories": [], "color_mode": "categorical"}
    if len(color) != n:
        raise ValueError(f"color has {len(color)} values for {n} points")
    if mode == "continuous":
        return {"color": round_floats(color), "categories": [], "color_mode": mode}
    import pandas as pd

    # factorize copes with mixed types and missing values, and sorts numbers numerically.
    codes, uniques = pd.factorize(pd.Series(np.asarray(color, dtype=object)), sort=True)
    categories = [str(u) for u in uniques]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(categories), codes)
        categories.append("(missing)")
    return {"color": codes.astype(np.int32).tolist(), "categories": categories, "color_mode": mode}


def encode_indices(indices: Any, n: int) -> list[int]:
    if indices is None:
        return []
    a = np.asarray(indices, dtype=np.int64).ravel()
    if a.size and (a.min() < 0 or a.max() >= n):
        raise ValueError(f"highlight indices must lie in [0, {n})")
    return a.tolist()


def digest(*parts: Any) -> str:
    """A short content hash of JSON-able parts: lets the iframe skip redraws that change nothing."""
    h = hashlib.blake2b(digest_size=12)
    for part in parts:
        if isinstance(part, list) and part and isinstance(part[0], str):
            h.update("\x00".join(part).encode())  # hover text: join is faster than json.dumps
        elif isinstance(part, list) and len(part) > 64:
            # Long number lists (None → NaN): hashing their bytes is ~10× faster than JSON.
            h.update(np.asarray(part, dtype=np.float64).tobytes())
        else:
            h.update(json.dumps(part, separators=(",", ":")).encode())
        h.update(b"\x01")
    return h.hexdigest()
