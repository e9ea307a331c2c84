"""LargeMap: images, hover grids, filters and exports out of core, checked by brute force."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from pumap_core.hover_grid import hover_grid
from pumap_core.large_map import LargeMap
from pumap_core.row_filter import RowFilter
from pumap_core.render import MapRaster, View, Colouring
from pumap_core.runs.parquet_map import index_parquet


@pytest.fixture(scope="module")
def data(tmp_path_factory):
    folder = tmp_path_factory.mktemp("emb")
    rng = np.random.default_rng(3)
    n = 20_000
    labels = rng.integers(0, 4, n)
    frame = pd.DataFrame({"x": (rng.normal(size=n) + 3 * labels).astype(np.float32),
                          "y": rng.normal(size=n).astype(np.float32),
                          "id": [f"item-{i}" for i in range(n)],
                          "label": [f"c{v}" for v in labels]})
    for k, part in enumerate(np.array_split(np.arange(n), 4)):
        frame.iloc[part].to_parquet(folder / f"part.{k}.parquet", index=False)
    return LargeMap(index_parquet(folder)), frame


def _pixels(frame, view):
    """Each point's image pixel (column, row from the top), datashader's binning."""
    (x0, x1), (y0, y1) = view.x_range, view.y_range
    px = np.floor((frame.x.to_numpy(np.float64) - x0) / (x1 - x0) * view.width).astype(int)
    py = np.floor((frame.y.to_numpy(np.float64) - y0) / (y1 - y0) * view.height).astype(int)
    ok = (px >= 0) & (px < view.width) & (py >= 0) & (py < view.height)
    return px, view.height - 1 - py, ok


def test_the_image_matches_the_in_memory_renderer(data):
    lmap, frame = data
    view = View((-3.0, 12.0), (-3.0, 3.0), 300, 200)
    colour = lmap.colour("label")
    palette = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728"]
    out = lmap.render(view, colour, palette)
    codes = pd.Categorical(frame.label, categories=colour.categories).codes
    ref = MapRaster(frame.x.to_numpy(), frame.y.to_numpy()).rgba(
        view, Colouring.categorical(codes, colour.categories, palette))
    assert out.rgba.shape == (200, 300, 4)
    assert np.array_equal(out.rgba, ref)


def test_the_hover_grid_maps_each_cell_to_its_largest_row(data):
    lmap, frame = data
    view = View((-1.0, 4.0), (-1.5, 1.5), 240, 160)  # zoomed in: cells of one or a few points
    grid = lmap.render(view, lmap.colour("label"), ["#000000"]).grid
    px, py, ok = _pixels(frame, view)
    cell = grid.cell
    expected = np.full(grid.cells.shape, -1)
    rows = np.flatnonzero(ok)
    np.maximum.at(expected, (py[rows] // cell, px[rows] // cell), rows)
    got = np.where(grid.cells >= 0, grid.rows[np.maximum(grid.cells, 0)], -1)
    assert (got == expected).mean() > 0.999  # edge rounding of float32 may move a point
    assert (got >= 0).sum() > 1000


def test_hover_lookup_finds_the_nearest_shown_point(data):
    """Brute force: over the representative points, the one whose cell is nearest the
    cursor's cell (within the radius) is the one the lookup returns."""
    lmap, frame = data
    view = View((-1.0, 4.0), (-1.5, 1.5), 240, 160)
    grid = lmap.render(view, lmap.colour("label"), ["#000000"]).grid
    px, py, _ = _pixels(frame, view)
    reps = grid.rows
    rng = np.random.default_rng(0)
    for qx, qy in rng.uniform([0, 0], [240, 160], size=(300, 2)):
        cx, cy = int(qx // grid.cell), int(qy // grid.cell)
        d = (px[reps] // grid.cell - cx) ** 2 + (py[reps] // grid.cell - cy) ** 2
        near = d <= 9
        got = grid.lookup(qx, qy, radius=3)
        if not near.any():
            assert got == -1
        else:
            assert got in set(reps[near & (d == d[near].min())].tolist())
            assert frame.id.iloc[got] == f"item-{got}"


def test_filters_count_like_pandas(data):
    lmap, frame = data
    box = RowFilter(box=(0.0, 5.0, -0.5, 0.5))
    inside = frame[(frame.x >= 0) & (frame.x <= 5) & (frame.y >= -0.5) & (frame.y <= 0.5)]
    summary = lmap.summary(box, first=10)
    assert summary.count == len(inside) == lmap.count(box)
    assert summary.per_label.to_dict() == inside.label.value_counts().to_dict()
    assert summary.first["row"].tolist() == inside.index[:10].tolist()
    lasso = RowFilter.from_spec({"type": "lasso", "x": [0, 5, 5, 0], "y": [-0.5, -0.5, .5, .5]})
    assert lmap.count(lasso) == len(inside)
    search = RowFilter(query="ITEM-19", text_columns=("id", "label"), column="label",
                       values=("c1", "c2"))
    want = frame.id.str.contains("item-19") & frame.label.isin(["c1", "c2"])
    assert lmap.count(search) == int(want.sum())
    csv = "".join(lmap.csv_chunks(search, max_rows=5)).splitlines()
    assert csv[0] == "row,x,y,id,label" and len(csv) == 6
    assert [int(line.split(",")[0]) for line in csv[1:]] == np.flatnonzero(want)[:5].tolist()


def test_emphasis_draws_the_matches_over_the_faded_rest(data):
    lmap, _ = data
    view = View((-3.0, 12.0), (-3.0, 3.0), 120, 80)
    colour = lmap.colour("label")
    plain = lmap.render(view, colour, ["#1f77b4"]).rgba
    marked = lmap.render(view, colour, ["#1f77b4"],
                         emphasis=RowFilter(box=(0.0, 1.0, 0.0, 1.0))).rgba
    assert plain[..., 3].mean() > marked[..., 3].mean()  # the rest is faded


def test_hover_grid_of_an_empty_view():
    rows = np.full((5, 7), np.nan)
    grid = hover_grid(rows, View((0, 1), (0, 1), 7, 5))
    assert grid.cells.shape == (3, 4) and (grid.cells == -1).all() and grid.rows.size == 0
    assert grid.lookup(3, 3) == -1
