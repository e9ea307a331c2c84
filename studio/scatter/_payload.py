"""Colours, sizes and hashes for the scatter component's arguments."""

from __future__ import annotations

import hashlib
import json
import math
from typing import Any

import numpy as np

from studio.colours import PALETTE_20, categories as sorted_categories

#: Categories that keep their own code (and legend entry) when encoded.
MAX_CODES = 256


def default_point_size(n: int) -> float:
    """6 px below 1k points down to 2 px at 100k, linear in log10(n) between."""
    t = min(max((math.log10(max(n, 1)) - 3.0) / 2.0, 0.0), 1.0)
    return round(6.0 - 4.0 * t, 2)


def default_opacity(n: int) -> float:
    """0.9 below 1k points down to 0.5 at 100k: dense maps need overlap to show density."""
    t = min(max((math.log10(max(n, 1)) - 3.0) / 2.0, 0.0), 1.0)
    return round(0.9 - 0.4 * t, 2)


def encode_color(color: Any, mode: str, n: int) -> dict[str, Any]:
    """Categorical → uint16 codes plus category names; continuous → float32 values.

    More categories than fit in a uint16 (row ids, free text) are folded onto the palette:
    such a column cannot have a legend anyway.
    """
    if mode not in ("categorical", "continuous"):
        raise ValueError(f"color_mode must be 'categorical' or 'continuous', got {mode!r}")
    if color is None:
        return {"mode": "none", "codes": None, "categories": []}
    if len(color) != n:
        raise ValueError(f"color has {len(color)} values for {n} points")
    if mode == "continuous":
        values = np.asarray(color, dtype=np.float32)
        finite = values[np.isfinite(values)]
        lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (0.0, 1.0)
        return {"mode": mode, "codes": values, "categories": [], "range": [lo, hi]}
    codes, categories = sorted_categories(color)
    if len(categories) > MAX_CODES:
        codes = codes % len(PALETTE_20)
        categories = [f"group {k}" for k in range(len(PALETTE_20))]
    return {"mode": mode, "codes": codes.astype(np.uint16), "categories": categories}


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


def scale_hex(name: str, steps: int = 16) -> list[str]:
    """A plotly colour scale as hex colours, for datashader."""
    from plotly.colors import sample_colorscale, unlabel_rgb

    colours = sample_colorscale(name, [k / (steps - 1) for k in range(steps)])
    return ["#%02x%02x%02x" % tuple(int(round(v)) for v in unlabel_rgb(c)) for c in colours]
