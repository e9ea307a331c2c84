"""Graph invariants, and equality with umap-learn's fuzzy_simplicial_set on the same kNN."""

import numpy as np
import pytest

from pumap_core.errors import InvalidParameterError
from pumap_core.graph import find_ab_params, fuzzy_simplicial_set, knn as knn_module
from pumap_core.graph import nearest_neighbors


@pytest.fixture(scope="module")
def knn(digits):
    return nearest_neighbors(digits[0], 15)


def test_graph_is_symmetric_without_self_loops(knn):
    g = fuzzy_simplicial_set(knn).graph
    assert abs(g - g.T).max() < 1e-6
    assert g.diagonal().max() == 0
    assert g.data.min() > 0 and g.data.max() <= 1


@pytest.mark.parametrize("mix", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("local_connectivity", [1.0, 2.0])
def test_graph_equals_umap_learn_on_the_same_knn(digits, knn, mix, local_connectivity):
    from umap.umap_ import fuzzy_simplicial_set as reference

    ours = fuzzy_simplicial_set(knn, set_op_mix_ratio=mix, local_connectivity=local_connectivity)
    theirs, sigmas, rhos = reference(digits[0], 15, None, "euclidean", knn_indices=knn.indices,
                                     knn_dists=knn.distances, set_op_mix_ratio=mix,
                                     local_connectivity=local_connectivity)
    assert abs(ours.graph - theirs).max() < 1e-6
    np.testing.assert_allclose(ours.sigmas, sigmas, rtol=1e-6)
    np.testing.assert_allclose(ours.rhos, rhos, rtol=1e-6)


def test_intersection_is_contained_in_union(knn):
    union = fuzzy_simplicial_set(knn, set_op_mix_ratio=1.0).graph
    inter = fuzzy_simplicial_set(knn, set_op_mix_ratio=0.0).graph
    assert inter.nnz < union.nnz
    assert (inter - union).max() <= 1e-7


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


def test_ab_params_match_umap_learn():
    from umap.umap_ import find_ab_params as reference

    for spread, min_dist in [(1.0, 0.1), (1.0, 0.0), (2.0, 0.5)]:
        np.testing.assert_allclose(find_ab_params(spread, min_dist),
                                   reference(spread, min_dist), rtol=1e-4)


def test_ab_params_reject_min_dist_beyond_spread():
    with pytest.raises(InvalidParameterError, match="min_dist"):
        find_ab_params(1.0, 2.0)
