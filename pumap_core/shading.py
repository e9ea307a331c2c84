"""Turn datashader aggregates into RGBA pixels with numpy: the cheap half of rendering.

datashader's ``tf.shade`` does the same job through xarray and float64 intermediates and takes
~150 ms for a 1000×600 grid of 10 categories; these functions take ~20 ms, which is most of what
a zoom re-render costs once aggregation is cached. The recipe is datashader's:

* categories: each pixel's colour is the mean of its categories' colours weighted by their
  counts; its opacity follows the pixel's total count through histogram equalisation
  (``eq_hist``), from ``min_alpha`` for the sparsest pixels to 255 for the densest;
* one number per pixel (a count, or a mean value): the number picks a colour from the colour
  map (``eq_hist`` for counts, linear for values); drawn pixels are opaque.

Colours are straight (not premultiplied) RGBA, uint8, in the aggregate's row order (row 0 is
the lowest y).
"""

from __future__ import annotations

from typing import Sequence

import numpy as np

#: Entries of the lookup table a colour map is interpolated into.
LUT_SIZE = 256


def hex_to_rgb(colours: Sequence[str]) -> np.ndarray:
    """``["#rrggbb", ...]`` as float32 of shape (k, 3) in 0..255."""
    out = np.empty((len(colours), 3), dtype=np.float32)
    for i, c in enumerate(colours):
        c = c.lstrip("#")
        if len(c) == 3:
            c = "".join(ch * 2 for ch in c)
        out[i] = [int(c[j:j + 2], 16) for j in (0, 2, 4)]
    return out


def colour_lut(colours: Sequence[str], size: int = LUT_SIZE) -> np.ndarray:
    """The colour map ``colours`` interpolated into ``size`` uint8 RGB entries, shape (size, 3)."""
    rgb = hex_to_rgb(colours)
    if len(rgb) == 1:
        return np.repeat(rgb.round().astype(np.uint8), size, axis=0)
    at = np.linspace(0.0, len(rgb) - 1.0, size)
    lut = np.stack([np.interp(at, np.arange(len(rgb)), rgb[:, ch]) for ch in range(3)], axis=1)
    return lut.round().astype(np.uint8)


def _eq_hist_values(values: np.ndarray) -> np.ndarray:
    """Histogram-equalised levels in [0, 1] of positive integer ``values`` (shape (m,)).

    A value's level is the share of values up to it, rescaled so that the smallest maps to 0
    and the largest to 1 (a single distinct value maps to 1).
    """
    values = values.astype(np.int64, copy=False)
    cdf = np.cumsum(np.bincount(values)).astype(np.float64)
    lo, hi = cdf[values.min()], cdf[-1]
    scaled = (cdf - lo) / (hi - lo) if hi > lo else np.ones_like(cdf)
    return scaled[values].astype(np.float32)


def eq_hist(counts: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """:func:`_eq_hist_values` of ``counts`` where ``mask`` holds, 0 elsewhere (same shape)."""
    levels = np.zeros(counts.shape, dtype=np.float32)
    if mask.any():
        levels[mask] = _eq_hist_values(counts[mask])
    return levels


def shade_categories(agg: np.ndarray, colours: Sequence[str], min_alpha: int = 60) -> np.ndarray:
    """RGBA (h, w, 4) of a ``count_cat`` aggregate of shape (h, w, k); category i gets
    ``colours[i % len(colours)]``."""
    h, w, k = agg.shape
    rgb = hex_to_rgb(colours or ("#1f77b4",))
    rgb = rgb[np.arange(k) % len(rgb)]
    flat = agg.reshape(h * w, k)
    total = flat.sum(axis=1, dtype=np.uint32)
    drawn = np.flatnonzero(total)  # often a small share of the pixels: work on those only
    out = np.zeros((h * w, 4), dtype=np.uint8)
    if drawn.size:
        counts = total[drawn]
        mixed = (flat[drawn].astype(np.float32) @ rgb) / counts[:, None].astype(np.float32)
        out[drawn, :3] = mixed.round().astype(np.uint8)
        levels = _eq_hist_values(counts)
        out[drawn, 3] = (min_alpha + (255 - min_alpha) * levels).round().astype(np.uint8)
    return out.reshape(h, w, 4)


def shade_values(agg: np.ndarray, colours: Sequence[str], how: str) -> np.ndarray:
    """RGBA (h, w, 4) of a one-number-per-pixel aggregate of shape (h, w).

    ``how="eq_hist"`` for integer counts (0 = nothing drawn), ``"linear"`` for mean values
    (NaN = nothing drawn).
    """
    if how == "eq_hist":
        drawn = agg > 0
        levels = eq_hist(agg, drawn)
    else:
        drawn = np.isfinite(agg)
        levels = np.zeros(agg.shape, dtype=np.float32)
        if drawn.any():
            values = agg[drawn]
            lo, hi = float(values.min()), float(values.max())
            levels[drawn] = (values - lo) / (hi - lo) if hi > lo else 1.0
    lut = colour_lut(colours)
    index = np.clip((levels * (len(lut) - 1)).round().astype(np.int32), 0, len(lut) - 1)
    out = np.zeros((*agg.shape, 4), dtype=np.uint8)
    out[..., :3] = lut[index]
    out[..., 3] = np.where(drawn, 255, 0)
    return out
