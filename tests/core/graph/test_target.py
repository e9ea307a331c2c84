"""Supervised and semi-supervised UMAP: labels change the graph as umap-learn's do."""

from __future__ import annotations

import numpy as np
import pytest
import scipy.sparse as sp

from pumap_core import ParametricUMAP
from pumap_core.errors import InvalidDataError, InvalidParameterError
from pumap_core.graph.target import (UNLABELLED, categorical_intersection, far_distance,
                                     general_intersection, label_codes,
                                     reset_local_connectivity)


def _cross_share(graph, labels) -> float:
    """The share of the graph's weight on edges between different labels."""
    coo = graph.tocoo()
    return float(coo.data[labels[coo.row] != labels[coo.col]].sum() / coo.data.sum())


def _chain(n=6):
    """A symmetric path graph 0-1-2-...: every edge of weight 1, and 0.5 to the next but one."""
    g = np.zeros((n, n), dtype=np.float32)
    for i in range(n - 1):
        g[i, i + 1] = g[i + 1, i] = 1.0
    for i in range(n - 2):
        g[i, i + 2] = g[i + 2, i] = 0.5
    return sp.csr_matrix(g)


def test_edges_between_labels_are_weakened_by_far_and_to_unknowns_by_unknown_dist():
    graph = _chain()
    labels = np.array([0, 0, 0, 1, 1, UNLABELLED])
    out = categorical_intersection(graph, labels, target_weight=0.5).toarray()
    assert np.allclose(out, out.T)
    assert np.allclose(out.max(axis=1), 1.0)  # every point keeps its strongest edge at 1
    assert out[1, 2] == pytest.approx(1.0)  # same label
    assert out[2, 3] < 0.02  # different labels: exp(-5) from each side, joined
    assert 0.2 < out[4, 5] < 1.0  # to an unlabelled point: exp(-1), then scaled
    cut = categorical_intersection(graph, labels, target_weight=1.0).toarray()
    assert cut[2, 3] == 0.0 and far_distance(1.0) > 1e6  # weight 1 cuts the edge


def test_reset_local_connectivity_keeps_a_union_of_scaled_rows():
    g = sp.csr_matrix(np.array([[0, 0.2, 0.1], [0.2, 0, 0.0], [0.1, 0, 0]], dtype=np.float32))
    out = reset_local_connectivity(g).toarray()
    assert np.allclose(out, out.T) and np.allclose(out.max(axis=1), 1.0)


def test_a_numeric_target_pulls_together_points_with_close_values():
    graph = _chain()
    target = np.zeros((6, 6), dtype=np.float32)
    target[0, 5] = target[5, 0] = 1.0  # the target says 0 and 5 belong together
    out = general_intersection(graph, sp.csr_matrix(target), target_weight=0.9).toarray()
    assert out[0, 5] > 0.5 and np.allclose(out, out.T)
    # weight 0: the data's weights as they are, the target's edge only at the data's floor
    kept = general_intersection(graph, sp.csr_matrix(target), target_weight=0.0).toarray()
    assert kept[0, 5] < 0.6 * out[0, 5]
    assert kept[0, 1] == pytest.approx(1.0) and kept[0, 2] == pytest.approx(0.75)


def test_labels_of_any_kind_become_codes_with_unknowns():
    assert label_codes(["b", "a", None, float("nan"), "b"], 5).tolist() == [1, 0, -1, -1, 1]
    assert label_codes(np.array([3, -1, 7]), 3).tolist() == [0, -1, 1]
    with pytest.raises(InvalidDataError, match=r"y has 2 values but X has 3 rows"):
        label_codes([1, 2], 3)
    with pytest.raises(InvalidDataError, match=r"one value per row"):
        label_codes(np.zeros((3, 2)), 3)


def test_labels_separate_the_classes_in_the_graph_and_the_map(small):
    X, y = small
    plain = ParametricUMAP(random_state=0, n_training_epochs=3).fit(X)
    guided = ParametricUMAP(random_state=0, n_training_epochs=3).fit(X, y)
    assert _cross_share(plain.graph_, y) > 0.03
    assert _cross_share(guided.graph_, y) < 0.2 * _cross_share(plain.graph_, y)
    assert guided.get_params()["target_weight"] == 0.5  # umap-learn's defaults
    assert guided.fit_transform(X, y).shape == (len(X), 2)


def test_all_unlabelled_is_the_map_of_x_alone_and_one_class_fits(small):
    X, _ = small
    plain = ParametricUMAP(random_state=0, n_training_epochs=2).fit(X)
    unknown = ParametricUMAP(random_state=0, n_training_epochs=2).fit(X, np.full(len(X), -1))
    np.testing.assert_allclose(unknown.embedding_, plain.embedding_, atol=1e-5)
    single = ParametricUMAP(random_state=0, n_training_epochs=2).fit(X, ["one"] * len(X))
    assert np.isfinite(single.embedding_).all()


def test_partly_labelled_points_keep_their_edges(small):
    X, y = small
    partial = y.copy()
    partial[50:] = UNLABELLED  # only the first 50 are known
    est = ParametricUMAP(random_state=0, n_training_epochs=2).fit(X, partial)
    degree = np.asarray((est.graph_ > 0).sum(axis=1)).ravel()
    assert degree[50:].min() >= 1
    codes = np.asarray(partial)
    coo = est.graph_.tocoo()
    known = (codes[coo.row] != UNLABELLED) & (codes[coo.col] != UNLABELLED)
    assert _cross_share(sp.csr_matrix((coo.data[known], (coo.row[known], coo.col[known])),
                                      shape=est.graph_.shape), y) < 0.05


def test_a_numeric_target_fits_and_save_load_keeps_the_target_parameters(small, tmp_path):
    from pumap_core import load_ParametricUMAP

    X, _ = small
    value = X[:, :8].mean(axis=1)  # a continuous target
    est = ParametricUMAP(random_state=0, n_training_epochs=2, target_metric="euclidean",
                         target_weight=0.8, target_n_neighbors=10).fit(X, value)
    assert np.isfinite(est.embedding_).all()
    est.save(tmp_path / "m")
    back = load_ParametricUMAP(tmp_path / "m")
    assert (back.target_metric, back.target_weight, back.target_n_neighbors) == (
        "euclidean", 0.8, 10)
    np.testing.assert_allclose(back.transform(X[:5]), est.transform(X[:5]), atol=1e-5)


@pytest.mark.parametrize("params, y, message", [
    ({"target_weight": 1.5}, "labels", r"target_weight must be >= 0 and <= 1"),
    ({"target_metric": "hamming-ish"}, "labels", r"Unknown target_metric 'hamming-ish'"),
    ({"target_n_neighbors": 1}, "labels", r"target_n_neighbors must be >= 2"),
    ({"target_metric": "euclidean"}, "nan", r"y holds NaN"),
    ({"target_metric": "euclidean"}, "text", r"y must hold numbers"),
    ({}, "short", r"y has 10 values but X has 400 rows"),
])
def test_bad_targets_are_one_clear_error(small, params, y, message):
    X, labels = small
    y = {"labels": labels, "nan": np.where(np.arange(len(X)) == 3, np.nan, 1.0),
         "text": np.array(["a"] * len(X)), "short": labels[:10]}[y]
    with pytest.raises((InvalidDataError, InvalidParameterError), match=message):
        ParametricUMAP(n_training_epochs=1, **params).fit(X, y)


def test_a_datasets_labels_for_fit_leave_missing_ones_unlabelled():
    from pumap_core.data.columns import labels_for_fit

    values, metric = labels_for_fit(np.array(["a", "(missing)", "b"]))
    assert values.tolist() == ["a", None, "b"] and metric == "categorical"
    assert label_codes(values, 3).tolist() == [0, UNLABELLED, 1]
    numbers, metric = labels_for_fit(np.array([0.5, 1.5]))
    assert metric == "euclidean" and numbers.tolist() == [0.5, 1.5]
