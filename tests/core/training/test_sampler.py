"""Edge sampling by weight, without an expanded edge list."""

import numpy as np

from pumap_core.training.sampler import EdgeSampler


def make(full_batch, rng, B=20000, r=2):
    X = np.arange(12, dtype=np.float32).reshape(6, 2)
    heads = np.array([0, 1, 2, 3], np.int32)
    tails = np.array([1, 0, 3, 2], np.int32)
    weights = np.array([0.1, 0.1, 0.4, 0.4], np.float32)
    return EdgeSampler(X, heads, tails, weights, item_shape=(2,), edges_per_batch=B,
                       negative_sample_rate=r, repulsion_strength=0.5, steps_per_epoch=3,
                       full_batch=full_batch, rng=rng)


def test_edges_are_drawn_in_proportion_to_weight():
    s = make(True, np.random.default_rng(0))
    h, _ = s.draw_edges()
    freq = np.bincount(h, minlength=4) / len(h)
    np.testing.assert_allclose(freq, [0.1, 0.1, 0.4, 0.4], atol=0.01)


def test_full_batch_items_index_all_points():
    s = make(True, np.random.default_rng(0), B=10)
    inputs, y, w = s[0]
    assert inputs["x"].shape == (6, 2)
    assert inputs["left"].shape == inputs["right"].shape == w.shape == (30,)
    assert y.shape == (30, 1)
    assert set(zip(inputs["left"][:10], inputs["right"][:10])) <= {(0, 1), (1, 0), (2, 3), (3, 2)}
    assert y[:10].sum() == 10 and y[10:].sum() == 0
    np.testing.assert_allclose(w[10:], 0.5)
    assert inputs["right"][10:].max() < 6 and np.all(inputs["left"][10:] == np.repeat(inputs["left"][:10], 2))


def test_edge_batch_items_embed_the_endpoints():
    s = make(False, np.random.default_rng(0), B=10)
    inputs, _, _ = s[0]
    x, left, right = inputs["x"], inputs["left"], inputs["right"]
    assert x.shape == (20, 2)
    # a positive pair joins a head and its tail: rows that are graph neighbours
    pairs = {tuple(p) for p in zip(x[left[:10], 0], x[right[:10], 0])}
    assert pairs <= {(0.0, 2.0), (2.0, 0.0), (4.0, 6.0), (6.0, 4.0)}
    assert right[10:].max() < 20


def test_same_generator_seed_gives_same_batches():
    a = make(True, np.random.default_rng(7), B=50)[0]
    b = make(True, np.random.default_rng(7), B=50)[0]
    np.testing.assert_array_equal(a[0]["right"], b[0]["right"])
