"""A parameter grid: one training per (n_neighbors, min_dist) pair of the same data, queued as
jobs of the training service and kept together, so that a lecture can show the small maps
side by side as they fill in.

>>> cells = grid_cells((5, 50), (0.0, 0.5))
>>> [(c["n_neighbors"], c["min_dist"]) for c in cells]
[(5, 0.0), (5, 0.5), (50, 0.0), (50, 0.5)]
"""

from __future__ import annotations

import json
import time
from dataclasses import asdict, dataclass, field
from typing import Any, Mapping, Sequence

from ..errors import InvalidParameterError, ModelNotFoundError
from ..runs.record import folder_path, new_run_id, workspace_root, write_json

#: The grid a lecture starts from: local to global, clumped to even.
NEIGHBOURS = (5, 15, 50)
MIN_DISTS = (0.0, 0.1, 0.5)
#: Settings that keep a small map's picture at a fraction of the default's time
#: (benchmarks/bench_grid.py measures them on digits).
FAST = {"n_training_epochs": 40, "init": "pca"}
MAX_CELLS = 25


def grid_cells(neighbours: Sequence[int], min_dists: Sequence[float]) -> list[dict[str, Any]]:
    """The (n_neighbors, min_dist) of every cell, row by row (a row per n_neighbors)."""
    neighbours = sorted({int(k) for k in neighbours})
    min_dists = sorted({float(d) for d in min_dists})
    if not neighbours or not min_dists:
        raise InvalidParameterError("Choose at least one number of neighbours and one "
                                    "minimum distance for the grid.")
    if len(neighbours) * len(min_dists) > MAX_CELLS:
        raise InvalidParameterError(f"A grid of {len(neighbours)} × {len(min_dists)} maps is "
                                    f"too many to compare; keep it to {MAX_CELLS} cells.")
    return [{"n_neighbors": k, "min_dist": d} for k in neighbours for d in min_dists]


@dataclass(frozen=True)
class Grid:
    """A grid of jobs: its id, data, the settings shared by every cell, and the cells (each
    ``{"n_neighbors", "min_dist", "job_id"}``) row by row."""

    id: str
    dataset_id: str
    dataset_name: str
    neighbours: tuple[int, ...]
    min_dists: tuple[float, ...]
    settings: dict[str, Any] = field(default_factory=dict)
    cells: tuple[dict[str, Any], ...] = ()
    created: float = field(default_factory=time.time)

    def cell(self, n_neighbors: int, min_dist: float) -> dict[str, Any]:
        return next(c for c in self.cells
                    if c["n_neighbors"] == n_neighbors and c["min_dist"] == min_dist)


class GridStore:
    """Grids kept in the workspace's ``grids/<id>.json`` (written atomically)."""

    def __init__(self, root: Any = None) -> None:
        self.dir = workspace_root(root) / "grids"

    def add(self, dataset_id: str, dataset_name: str, settings: Mapping[str, Any],
            cells: Sequence[Mapping[str, Any]]) -> Grid:
        """Keep a grid whose cells already name their jobs."""
        grid = Grid(id=new_run_id(dataset_name or "grid"), dataset_id=dataset_id,
                    dataset_name=dataset_name,
                    neighbours=tuple(sorted({int(c["n_neighbors"]) for c in cells})),
                    min_dists=tuple(sorted({float(c["min_dist"]) for c in cells})),
                    settings=dict(settings), cells=tuple(dict(c) for c in cells))
        self.dir.mkdir(parents=True, exist_ok=True)
        write_json(self.dir / f"{grid.id}.json", asdict(grid))
        return grid

    def get(self, grid_id: str) -> Grid:
        path = folder_path(self.dir, grid_id, "grid").with_suffix(".json")
        try:
            raw = json.loads(path.read_text(encoding="utf-8"))
            return Grid(**{**raw, "neighbours": tuple(raw["neighbours"]),
                           "min_dists": tuple(raw["min_dists"]), "cells": tuple(raw["cells"])})
        except (OSError, ValueError, TypeError, KeyError) as exc:
            raise ModelNotFoundError(f"There is no readable grid {grid_id!r} in the "
                                     "workspace.") from exc

    def latest(self) -> Grid | None:
        """The newest readable grid, or None."""
        for path in sorted(self.dir.glob("*.json"), reverse=True) if self.dir.is_dir() else []:
            try:
                return self.get(path.stem)
            except ModelNotFoundError:
                continue
        return None
