"""pumap_core.explain: the numbers the How it works page shows are the ones training uses.

The graph is checked against the one the estimator itself builds (graph_), the kernel against
its definition (weights sum to log2 k, ρ is the nearest non-self distance), the curve against
find_ab_params and the loss against the Keras loss training minimises.
"""

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from pumap_core.explain import (blend, curve_fit, encoder_layers, explain_graph, loss_curves,
                                nearest_rows)
from pumap_core.graph import find_ab_params

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def digits500():
    from pumap_core.data import load_demo

    return load_demo("digits").X[:500]


@pytest.fixture(scope="module")
def fitted(digits500):
    from pumap_core import ParametricUMAP

    return ParametricUMAP(n_neighbors=12, set_op_mix_ratio=0.7, n_training_epochs=1,
                          random_state=0).fit(digits500)


@pytest.fixture(scope="module")
def steps(digits500):
    return explain_graph(digits500, n_neighbors=12)


def test_the_graph_is_the_one_the_estimator_trains_on(fitted, steps):
    ours = steps.graph(0.7)
    theirs = fitted.graph_
    assert ours.shape == theirs.shape and ours.nnz == theirs.nnz
    assert abs(ours - theirs).max() < 1e-6


def test_own_weights_sum_to_log2_k_and_rho_is_the_nearest_distance(steps, digits500):
    for point in (0, 17, 333):
        hood = steps.neighbourhood(point)
        assert len(hood.neighbours) == 11 and point not in hood.neighbours
        assert hood.target == pytest.approx(np.log2(12))
        assert hood.weights.sum() == pytest.approx(np.log2(12), abs=1e-3)
        others = np.delete(np.linalg.norm(digits500 - digits500[point], axis=1), point)
        assert hood.rho == pytest.approx(others.min(), rel=1e-4)
        assert np.allclose(hood.distances, np.sort(others)[:11], rtol=1e-4)
        assert hood.weights[0] == pytest.approx(1.0)  # the nearest is at ρ
        assert np.all(np.diff(hood.weights) <= 1e-7)  # farther, weaker
        assert np.allclose(hood.kernel(hood.distances), hood.weights, atol=1e-5)


@pytest.mark.parametrize("mix", [1.0, 0.5, 0.0])
def test_edges_of_a_point_are_its_row_of_the_combined_graph(steps, mix):
    graph = steps.graph(mix).tocsr()
    for point in (3, 250):
        edges = steps.edges(point, mix)
        row = graph.getrow(point).toarray().ravel()
        assert np.allclose(edges.combined, row[edges.others], atol=1e-6)
        assert set(np.flatnonzero(row)) <= set(edges.others)
        assert np.all(np.diff(edges.combined) <= 1e-9)  # strongest first
        hood = steps.neighbourhood(point)
        own = dict(zip(edges.others, edges.own))
        assert np.allclose([own[j] for j in hood.neighbours], hood.weights)
        # their view of this point: their own row, read at this point
        for j, theirs in zip(edges.others[:5], edges.theirs[:5]):
            assert theirs == pytest.approx(steps.directed[j, point])
    if mix == 1.0:  # the union never weakens an edge, and adds the points that chose this one
        edges = steps.edges(3, 1.0)
        assert np.all(edges.combined >= edges.own - 1e-7)
        assert np.all(edges.combined >= edges.theirs - 1e-7)


def test_the_curve_is_fitted_by_find_ab_params_and_follows_min_dist():
    tight, loose = curve_fit(0.05, 1.0), curve_fit(0.8, 1.0)
    assert (tight.a, tight.b) == find_ab_params(1.0, 0.05)
    assert (loose.a, loose.b) == find_ab_params(1.0, 0.8)
    assert tight.a != loose.a and tight.b != loose.b
    for fit in (tight, loose):
        assert fit.max_error < 0.15
        assert np.allclose(fit.fitted, 1 / (1 + fit.a * fit.x ** (2 * fit.b)))
    # with a larger min_dist, points at distance 0.5 still look as close as touching ones
    at = np.searchsorted(tight.x, 0.5)
    assert loose.target[at] == 1.0 and tight.target[at] < 1.0
    assert loose.fitted[at] > tight.fitted[at]


def test_loss_curves_are_the_keras_loss_of_training():
    import keras
    from keras import ops

    from pumap_core.explain import DIST_EPS
    from pumap_core.training.losses import DIST_EPS as TRAINING_EPS
    from pumap_core.training.losses import umap_logits

    assert DIST_EPS == TRAINING_EPS
    a, b = find_ab_params(1.0, 0.1)
    curves = loss_curves(a, b, negative_sample_rate=5, repulsion_strength=2.0)
    d = curves.d.astype("float32")
    pairs = np.column_stack([d, np.zeros_like(d)])
    z = ops.expand_dims(umap_logits(pairs, np.zeros_like(pairs), a, b), -1)
    bce = keras.losses.BinaryCrossentropy(from_logits=True, reduction=None)
    attraction = np.asarray(bce(np.ones((len(d), 1)), z))
    repulsion = 2.0 * np.asarray(bce(np.zeros((len(d), 1)), z))
    assert np.allclose(curves.attraction, attraction, rtol=1e-4, atol=1e-5)
    assert np.allclose(curves.repulsion, repulsion, rtol=1e-4, atol=1e-5)
    # the forces are the slopes of the losses (checked where the grid resolves the slope)
    far = curves.d > 0.3
    assert np.allclose(curves.pull[far], np.gradient(curves.attraction, curves.d)[far],
                       rtol=0.03, atol=1e-3)
    assert np.allclose(curves.push[far], -np.gradient(curves.repulsion, curves.d)[far],
                       rtol=0.03, atol=1e-3)
    assert curves.push_per_edge == 10.0
    weaker = loss_curves(a, b, repulsion_strength=1.0)
    assert np.allclose(weaker.repulsion * 2.0, curves.repulsion)


def test_encoder_layers_count_every_weight(fitted):
    layers = encoder_layers(fitted.encoder_)
    assert sum(layer.parameters for layer in layers) == fitted.encoder_.count_params()
    assert [layer.kind for layer in layers if layer.kind == "Dense"]
    assert layers[-1].output == "2"


def test_a_new_item_lands_near_its_nearest_training_items(fitted, digits500):
    new = blend(digits500, 0, 0, 0.0)
    rows, dist = nearest_rows(digits500, new, 5)
    assert rows[0] == 0 and dist[0] == pytest.approx(0.0)
    mixed = blend(digits500, 0, 1, 0.5)
    assert np.allclose(mixed, (digits500[0] + digits500[1]) / 2)
    rows, dist = nearest_rows(digits500, mixed, 5)
    assert np.all(np.diff(dist) >= 0)
    assert np.allclose(dist, np.linalg.norm(digits500[rows] - mixed, axis=1), rtol=1e-4)


def test_explain_imports_without_tensorflow():
    code = "import sys, pumap_core.explain; print(' '.join(sorted(sys.modules)))"
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True,
                         check=True)
    assert not {"tensorflow", "keras", "streamlit"} & set(out.stdout.split())
