"""The curve parameters a, b of UMAP's low-dimensional similarity 1 / (1 + a d^(2b))."""

from __future__ import annotations

import numpy as np
from scipy.optimize import curve_fit

from ..errors import InvalidParameterError


def umap_curve(x: np.ndarray, a: float, b: float) -> np.ndarray:
    """UMAP's similarity of two map points at distance ``x``: 1 / (1 + a x^(2b))."""
    return 1.0 / (1.0 + a * x ** (2 * b))


def target_curve(x: np.ndarray, spread: float, min_dist: float) -> np.ndarray:
    """The curve :func:`find_ab_params` fits: 1 below ``min_dist``, then
    exp(-(x - min_dist) / spread)."""
    return np.where(x < min_dist, 1.0, np.exp(-(x - min_dist) / spread))


def find_ab_params(spread: float, min_dist: float) -> tuple[float, float]:
    """Fit a, b so that 1 / (1 + a x^(2b)) approximates the UMAP target curve.

    The target is 1 for x < min_dist and exp(-(x - min_dist) / spread) beyond, on [0, 3 * spread].
    """
    if not spread > 0:
        raise InvalidParameterError(f"spread must be positive, got {spread}.")
    if not 0 <= min_dist <= spread:
        raise InvalidParameterError(
            f"min_dist must be between 0 and spread ({spread}), got {min_dist}.")
    xv = np.linspace(0, spread * 3, 300)
    (a, b), _ = curve_fit(umap_curve, xv, target_curve(xv, spread, min_dist))
    return float(a), float(b)
