"""Nearest neighbours: exact search and NN-descent agree; self first; metric names."""

import numpy as np
import pytest

from pumap_core.errors import InvalidParameterError
from pumap_core.graph import knn as knn_module
from pumap_core.graph import nearest_neighbors


def test_self_is_first_even_with_duplicate_rows():
    X = np.repeat(np.arange(20, dtype=np.float32)[:, None], 2, axis=0)  # every row twice
    res = nearest_neighbors(X, 4)
    np.testing.assert_array_equal(res.indices[:, 0], np.arange(40))
    assert np.all(res.distances[:, 0] == 0)


@pytest.mark.parametrize("metric", ["euclidean", "cosine", "manhattan", "correlation"])
def test_nn_descent_agrees_with_exact_search(digits, metric, monkeypatch):
    X = digits[0][:600] + 0.01  # no all-zero rows for cosine / correlation
    exact = nearest_neighbors(X, 10, metric)
    monkeypatch.setattr(knn_module, "EXACT_BUDGET", 0)
    approx = nearest_neighbors(X, 10, metric, seed=3, n_jobs=1)
    assert exact.exact and not approx.exact
    recall = np.mean([len(set(a) & set(b)) / 10 for a, b in zip(exact.indices, approx.indices)])
    assert recall > 0.95


def test_metric_aliases_and_unknown_metric():
    assert knn_module.canonical_metric("L2") == "euclidean"
    assert knn_module.canonical_metric("l1") == "manhattan"
    with pytest.raises(InvalidParameterError, match="Unknown metric 'hamming'"):
        knn_module.canonical_metric("hamming")


def test_self_distance_is_zero_so_rho_is_the_nearest_other_point():
    """Regression: brute-force euclidean left ~1e-7 as a point's distance to itself (float32
    round-off), which smooth_knn_dist took as the nearest neighbour: ρ ≈ 0 for every point
    (found by the How it works page on an image zip)."""
    from pumap_core.graph import fuzzy_simplicial_set

    rng = np.random.default_rng(1)
    X = np.clip(rng.normal(0.5, 0.1, (40, 144)), 0, 1).astype(np.float32)
    knn = nearest_neighbors(X, 15)
    assert np.all(knn.distances[:, 0] == 0)
    rhos = fuzzy_simplicial_set(knn).rhos
    assert np.allclose(rhos, knn.distances[:, 1])
    assert rhos.min() > 0.5
