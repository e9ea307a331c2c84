"""pumap_core.render: datashader images of large maps, aggregate reuse, selections."""

from __future__ import annotations

import numpy as np
import pytest

from pumap_core.errors import InvalidParameterError
from pumap_core.render import (Colouring, MapRaster, View, extent, rows_in_box, rows_in_lasso)

RED, BLUE = "#ff0000", "#0000ff"


@pytest.fixture(scope="module")
def two_blobs():
    """Category 0 around (-5, -5) (bottom left), category 1 around (5, 5) (top right)."""
    rng = np.random.default_rng(0)
    codes = np.repeat([0, 1], 5000)
    centre = np.where(codes[:, None] == 0, -5.0, 5.0)
    xy = (centre + rng.normal(scale=0.5, size=(10000, 2))).astype(np.float32)
    return xy[:, 0], xy[:, 1], codes


def _quadrant_colour(rgba, top: bool, right: bool):
    h, w = rgba.shape[:2]
    q = rgba[:h // 2] if top else rgba[h // 2:]
    q = q[:, w // 2:] if right else q[:, :w // 2]
    drawn = q[q[..., 3] > 0]
    return (drawn[:, :3].mean(axis=0) if len(drawn) else None), len(drawn)


def test_categories_are_drawn_in_their_colour_and_place(two_blobs):
    x, y, codes = two_blobs
    raster = MapRaster(x, y)
    rgba = raster.rgba(View.around(x, y, 200, 100),
                       Colouring.categorical(codes, ["a", "b"], (RED, BLUE)))
    assert rgba.shape == (100, 200, 4) and rgba.dtype == np.uint8
    top_right, n_tr = _quadrant_colour(rgba, top=True, right=True)
    bottom_left, n_bl = _quadrant_colour(rgba, top=False, right=False)
    assert n_tr > 20 and n_bl > 20
    assert top_right[2] > 200 and top_right[0] < 50, "category 1 (blue) belongs top right"
    assert bottom_left[0] > 200 and bottom_left[2] < 50, "category 0 (red) belongs bottom left"
    assert _quadrant_colour(rgba, top=True, right=False)[1] == 0  # nothing top left


def test_changing_only_the_colours_reuses_the_aggregate(two_blobs):
    x, y, codes = two_blobs
    raster = MapRaster(x, y)
    view = View.around(x, y, 120, 80)
    first = raster.png(view, Colouring.categorical(codes, ["a", "b"], (RED, BLUE), key="lab"))
    again = raster.png(view, Colouring.categorical(codes, ["a", "b"], (BLUE, RED), key="lab"))
    assert raster.aggregations == 1
    assert first != again
    zoomed = View((0.0, 8.0), (0.0, 8.0), 120, 80)
    raster.png(zoomed, Colouring.categorical(codes, ["a", "b"], (RED, BLUE), key="lab"))
    assert raster.aggregations == 2, "a new view must be aggregated"
    raster.png(view, Colouring.density((RED, BLUE)))
    assert raster.aggregations == 3, "another colouring is another aggregate"


def test_zoomed_view_shows_only_what_is_inside(two_blobs):
    x, y, codes = two_blobs
    rgba = MapRaster(x, y).rgba(View((2.0, 8.0), (2.0, 8.0), 60, 60),
                                Colouring.categorical(codes, ["a", "b"], (RED, BLUE)))
    drawn = rgba[rgba[..., 3] > 0]
    assert len(drawn) > 100
    assert (drawn[:, 2] > 200).all(), "only the blue blob lies in this range"


def test_emphasis_fades_the_other_points(two_blobs):
    x, y, codes = two_blobs
    raster = MapRaster(x, y)
    view = View.around(x, y, 100, 100)
    colouring = Colouring.categorical(codes, ["a", "b"], (RED, BLUE))
    plain = raster.rgba(view, colouring)
    chosen = np.flatnonzero(codes == 1)
    emph = raster.rgba(view, colouring, emphasis=chosen, emphasis_key="blue")
    faded = emph[50:, :50, 3][plain[50:, :50, 3] > 0]
    assert faded.max() <= 0.35 * plain[50:, :50, 3].max(), "unselected points must be faded"
    assert emph[:50, 50:, 3].max() >= 160, "selected points stay strong"


def test_continuous_values_follow_the_colour_map(two_blobs):
    x, y, _ = two_blobs
    values = (x > 0).astype(np.float32)  # 0 bottom left, 1 top right
    rgba = MapRaster(x, y).rgba(View.around(x, y, 100, 100),
                                Colouring.continuous(values, (RED, BLUE)))
    assert _quadrant_colour(rgba, top=True, right=True)[0][2] > 200
    assert _quadrant_colour(rgba, top=False, right=False)[0][0] > 200


@pytest.mark.parametrize("bad", [(1.0, 1.0), (2.0, 1.0), (0.0, float("nan"))])
def test_view_rejects_empty_or_reversed_ranges(bad):
    with pytest.raises(InvalidParameterError, match="x_range"):
        View(bad, (0.0, 1.0), 10, 10)


def test_extent_of_degenerate_maps_is_never_empty():
    assert extent(np.zeros(3, np.float32), np.ones(3, np.float32)) == (-0.5, 0.5, 0.5, 1.5)
    nan = np.full(3, np.nan, np.float32)
    assert extent(nan, nan) == (-1.0, 1.0, -1.0, 1.0)


def test_too_many_categories_get_a_clear_error():
    with pytest.raises(InvalidParameterError, match="categories"):
        Colouring.categorical(np.zeros(3, int), [str(i) for i in range(300)], (RED,))


def _inside_star(x, y, xs, ys):
    """Inside a polygon that is star-shaped around the origin, with vertices at equal angle
    steps: nearer the origin than where the ray through the point leaves the polygon (exact
    geometry, independent of the ray casting in render.py)."""
    n = len(xs)
    theta = np.mod(np.arctan2(y, x), 2 * np.pi)
    k = np.floor(theta / (2 * np.pi / n)).astype(int) % n  # the edge that ray crosses
    ax, ay, bx, by = xs[k], ys[k], xs[(k + 1) % n], ys[(k + 1) % n]
    dx, dy, ex, ey = np.cos(theta), np.sin(theta), bx - ax, by - ay
    leave = (ax * ey - ay * ex) / (dx * ey - dy * ex)  # distance along the ray to that edge
    return np.hypot(x, y) < leave


def test_rows_in_box_and_lasso_match_a_brute_force_check():
    rng = np.random.default_rng(1)
    x, y = rng.uniform(-1, 1, size=(2, 20000)).astype(np.float32)
    box = rows_in_box(x, y, (0.5, -0.2), (-0.3, 0.4))  # corners in any order
    expected = np.flatnonzero((x >= -0.2) & (x <= 0.5) & (y >= -0.3) & (y <= 0.4))
    np.testing.assert_array_equal(box, expected)

    # A concave, star-like lasso.
    angles = np.linspace(0, 2 * np.pi, 40, endpoint=False)
    radius = np.where(np.arange(40) % 2 == 0, 0.9, 0.35)
    xs, ys = radius * np.cos(angles), radius * np.sin(angles)
    got = rows_in_lasso(x, y, xs, ys)
    inside = _inside_star(x.astype(np.float64), y.astype(np.float64), xs, ys)
    # Points exactly on an edge may go either way; there are none in practice.
    assert len(np.setxor1d(got, np.flatnonzero(inside))) <= 2
    assert len(got) > 1000
    assert rows_in_lasso(x, y, [0, 1], [0, 1]).size == 0  # not a polygon


def test_category_counts_share_a_few_compiled_sizes(two_blobs):
    """Regression: each new number of categories made numba compile count_cat (1-2 s)."""
    from pumap_core.render import category_slots

    assert [category_slots(k) for k in (1, 8, 9, 16, 17, 200, 256)] == [8, 8, 16, 16, 32, 256,
                                                                        256]
    x, y, codes = two_blobs
    raster = MapRaster(x, y)
    agg = raster.aggregate(View.around(x, y, 40, 30),
                           Colouring.categorical(codes, ["a", "b"], (RED, BLUE)))
    assert agg.shape == (30, 40, 8)
    assert agg.data[..., 2:].sum() == 0 and agg.data.sum() == len(x)


def test_warm_up_lets_the_caller_pause_it_between_kernels():
    from pumap_core.render import warm_up

    calls = []
    warm_up(pause=lambda: calls.append(1))
    assert len(calls) == 6  # 3 category sizes, continuous, density, emphasis
