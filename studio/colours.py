"""The one categorical palette of the studio and the one rule that gives a label its colour.

Every picture of a map (Explore, Reconstruct, the Runs page's small maps, the live map of a
training) colours a label the same way: the labels are sorted as :func:`categories` sorts them
(numbers numerically, text alphabetically, ``(missing)`` last) and the k-th gets
``PALETTE_20[k % 20]``. So "3" is the same orange on every page and in every run of the data.
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd

# matplotlib's tab20 reordered: the 10 strong tab10 colours first, their light partners after,
# so that up to 10 classes get the most distinct colours.
PALETTE_20 = (
    "#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd",
    "#8c564b", "#e377c2", "#7f7f7f", "#bcbd22", "#17becf",
    "#aec7e8", "#ffbb78", "#98df8a", "#ff9896", "#c5b0d5",
    "#c49c94", "#f7b6d2", "#c7c7c7", "#dbdb8d", "#9edae5",
)
MISSING = "(missing)"


def categories(values: Any) -> tuple[np.ndarray, list[str]]:
    """(codes, category names) of ``values``: codes index the sorted categories; a missing
    value gets the last category, ``(missing)``."""
    series = values if isinstance(values, pd.Series) else pd.Series(np.asarray(values,
                                                                               dtype=object))
    # factorize copes with mixed types and missing values, and sorts numbers numerically.
    codes, uniques = pd.factorize(series.reset_index(drop=True), sort=True)
    names = [str(u) for u in uniques]
    if (codes < 0).any():
        codes = np.where(codes < 0, len(names), codes)
        names.append(MISSING)
    return codes, names


def colour_map(names: Sequence[str], palette: Sequence[str] = PALETTE_20) -> dict[str, str]:
    """Category name → colour, for categories in :func:`categories` order."""
    return {name: palette[k % len(palette)] for k, name in enumerate(names)}
