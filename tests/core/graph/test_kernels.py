"""Kernel invariants of smooth_knn_dist and compute_membership_strengths."""

import numpy as np
import pytest

from pumap_core.graph import nearest_neighbors
from pumap_core.graph._kernels import compute_membership_strengths, smooth_knn_dist


@pytest.fixture(scope="module")
def knn(digits):
    return nearest_neighbors(digits[0], 15)


def test_each_row_sums_to_log2_k(knn):
    sigmas, rhos = smooth_knn_dist(knn.distances, 15.0)
    d = knn.distances[:, 1:] - rhos[:, None]
    sums = np.where(d > 0, np.exp(-d / sigmas[:, None]), 1.0).sum(axis=1)
    np.testing.assert_allclose(sums, np.log2(15), rtol=1e-3)


def test_rho_is_the_nearest_nonzero_distance(knn):
    _, rhos = smooth_knn_dist(knn.distances, 15.0)
    expected = [row[row > 0][0] for row in knn.distances]
    np.testing.assert_allclose(rhos, expected, rtol=1e-6)


def test_local_connectivity_interpolates_between_neighbours(knn):
    _, rhos = smooth_knn_dist(knn.distances, 15.0, local_connectivity=1.5)
    first = np.array([row[row > 0][0] for row in knn.distances])
    second = np.array([row[row > 0][1] for row in knn.distances])
    np.testing.assert_allclose(rhos, (first + second) / 2, rtol=1e-5)


def test_memberships_are_in_unit_interval_and_self_is_zero(knn):
    sigmas, rhos = smooth_knn_dist(knn.distances, 15.0)
    rows, cols, vals = compute_membership_strengths(knn.indices, knn.distances, sigmas, rhos)
    assert vals.min() >= 0 and vals.max() <= 1
    assert np.all(vals[rows == cols] == 0)
    # the nearest neighbour (column 1) is always fully connected
    assert np.all(vals.reshape(-1, 15)[:, 1] == 1.0)


def test_identical_neighbours_do_not_give_nan():
    """All neighbours at one distance: sigma hits its floor instead of 0/0."""
    d = np.tile(np.array([0, 1, 1, 1, 1], np.float32), (4, 1))
    sigmas, rhos = smooth_knn_dist(d, 5.0)
    assert np.all(np.isfinite(sigmas)) and np.all(sigmas > 0)
