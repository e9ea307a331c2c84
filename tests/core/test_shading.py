"""pumap_core.shading: numpy shading gives datashader's pixels (it replaces tf.shade for speed)."""

from __future__ import annotations

import datashader as ds
import datashader.transfer_functions as tf
import numpy as np
import pandas as pd
import pytest

from pumap_core.shading import colour_lut, eq_hist, shade_categories, shade_values

PALETTE = ("#1f77b4", "#ff7f0e", "#2ca02c", "#d62728")


@pytest.fixture(scope="module")
def points():
    rng = np.random.default_rng(3)
    n = 40_000
    codes = rng.integers(0, 4, n)
    xy = rng.normal(size=(n, 2)) * (1 + codes[:, None]) + codes[:, None] * 2.0
    return pd.DataFrame({"x": xy[:, 0], "y": xy[:, 1], "c": pd.Categorical(codes),
                         "v": xy[:, 0] - xy[:, 1]})


def _canvas():
    return ds.Canvas(plot_width=160, plot_height=120, x_range=(-8, 14), y_range=(-8, 14))


def _pixels(image) -> np.ndarray:
    return image.to_numpy().view(np.uint8).reshape(*image.shape, 4)


def test_categories_match_datashader(points):
    agg = _canvas().points(points, "x", "y", ds.count_cat("c"))
    ours = shade_categories(agg.data, PALETTE, min_alpha=60)
    theirs = _pixels(tf.shade(agg, color_key=dict(enumerate(PALETTE)), how="eq_hist",
                              min_alpha=60))
    drawn = theirs[..., 3] > 0
    assert drawn.sum() > 1000
    assert np.array_equal(ours[..., 3] > 0, drawn), "the same pixels are drawn"
    assert np.abs(ours[drawn].astype(int) - theirs[drawn].astype(int)).max() <= 1


def test_density_follows_the_colour_map_by_rank(points):
    agg = _canvas().points(points, "x", "y", ds.count())
    ours = shade_values(agg.data, ("#ffffff", "#000000"), how="eq_hist")
    counts = agg.data
    drawn = counts > 0
    assert np.array_equal(ours[..., 3] > 0, drawn)
    assert (ours[drawn, 3] == 255).all()
    # darker where denser: the densest pixel is black, a single-count pixel is light
    assert tuple(ours[counts == counts.max()][0, :3]) == (0, 0, 0)
    assert ours[counts == 1][:, 0].min() > 150


def test_mean_values_are_mapped_linearly(points):
    agg = _canvas().points(points, "x", "y", ds.mean("v"))
    ours = shade_values(agg.data, ("#000000", "#ff0000"), how="linear")
    drawn = np.isfinite(agg.data)
    assert np.array_equal(ours[..., 3] > 0, drawn)
    lo, hi = np.nanmin(agg.data), np.nanmax(agg.data)
    expected = np.round((agg.data[drawn] - lo) / (hi - lo) * 255)
    assert np.abs(ours[drawn, 0].astype(int) - expected).max() <= 1


def test_eq_hist_ranks_counts_and_handles_edge_cases():
    counts = np.array([[0, 1, 1], [2, 9, 0]])
    levels = eq_hist(counts, counts > 0)
    assert levels[0, 0] == 0 and levels[0, 1] == 0 and levels[1, 1] == 1
    assert 0 < levels[1, 0] < 1
    assert (eq_hist(np.full((2, 2), 4), np.ones((2, 2), bool)) == 1).all()
    assert (eq_hist(np.zeros((2, 2), int), np.zeros((2, 2), bool)) == 0).all()


def test_colour_lut_runs_from_first_to_last_colour():
    lut = colour_lut(["#000000", "#ffffff"], size=5)
    assert lut.shape == (5, 3) and tuple(lut[0]) == (0, 0, 0) and tuple(lut[-1]) == (255,) * 3
    assert tuple(colour_lut(["#abc"], size=2)[1]) == (0xaa, 0xbb, 0xcc)
