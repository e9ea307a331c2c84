"""Hover without coordinates in the browser: one representative row per few pixels of a view.

A rendered view of a large map also aggregates ``max(row)`` per pixel; :func:`hover_grid`
keeps, per cell of :data:`HOVER_CELL` px, the largest row number in it. The browser gets the
grid (int32, a few hundred kB) and the tooltip values of those rows, and finds the cursor's cell
or the nearest non-empty one (:meth:`HoverGrid.lookup`; ``frontend/data.js`` does the same).
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from .render import View

#: Hover grid cell side in image pixels: at most (width / 2) × (height / 2) rows per view.
HOVER_CELL = 2


@dataclass(frozen=True, eq=False)
class HoverGrid:
    """The representative row of each :data:`HOVER_CELL`-px cell of one rendered view.

    ``cells`` is int32 of shape (rows, cols), top row first: an index into ``rows`` (global
    row numbers, ascending), -1 where the cell holds no point.
    """

    cells: np.ndarray
    rows: np.ndarray
    cell: int
    view: View

    def lookup(self, px: float, py: float, radius: int = 3) -> int:
        """The row shown for image pixel (px, py) (from the top left): the cell's, else the
        nearest non-empty cell's within ``radius`` cells (ties: the first in row order); -1."""
        gh, gw = self.cells.shape
        cx, cy = int(px // self.cell), int(py // self.cell)
        best, best_d = -1, math.inf
        for y in range(max(0, cy - radius), min(gh, cy + radius + 1)):
            for x in range(max(0, cx - radius), min(gw, cx + radius + 1)):
                k = self.cells[y, x]
                d = (x - cx) ** 2 + (y - cy) ** 2
                if k >= 0 and d <= radius * radius and d < best_d:
                    best, best_d = int(self.rows[k]), d
        return best


def hover_grid(rows: np.ndarray, view: View, cell: int = HOVER_CELL) -> HoverGrid:
    """The :class:`HoverGrid` of a per-pixel ``max(row)`` aggregate (NaN where empty, row 0
    at the lowest y): per cell of ``cell`` px, the largest row number in it."""
    h, w = rows.shape
    gh, gw = -(-h // cell), -(-w // cell)
    full = np.full((gh * cell, gw * cell), -1, dtype=np.int64)
    full[:h, :w] = np.where(np.isfinite(rows), rows, -1).astype(np.int64)[::-1]
    best = full.reshape(gh, cell, gw, cell).max(axis=(1, 3))
    present = np.unique(best[best >= 0])
    cells = np.full(best.shape, -1, dtype=np.int32)
    hit = best >= 0
    cells[hit] = np.searchsorted(present, best[hit]).astype(np.int32)
    return HoverGrid(cells=cells, rows=present, cell=cell, view=view)
