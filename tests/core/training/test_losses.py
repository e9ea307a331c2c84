"""The UMAP loss written as binary cross-entropy on logits."""

import numpy as np
import tensorflow as tf

from pumap_core.training.losses import DIST_EPS, umap_logits, umap_loss


def test_logits_give_umap_similarity():
    a, b = 1.58, 0.9
    ea = np.array([[0.0, 0.0], [1.0, 2.0]], np.float32)
    eb = np.array([[3.0, 4.0], [1.5, 2.0]], np.float32)
    q = 1 / (1 + np.exp(-np.asarray(umap_logits(ea, eb, a, b))))
    d2 = ((ea - eb) ** 2).sum(1) + DIST_EPS
    np.testing.assert_allclose(q, 1 / (1 + a * d2 ** b), rtol=1e-5)


def test_loss_is_attraction_plus_weighted_repulsion():
    z = np.array([0.5, -1.0, 2.0], np.float32)
    y = np.array([1.0, 0.0, 0.0], np.float32)
    w = np.array([1.0, 3.0, 3.0], np.float32)
    q = 1 / (1 + np.exp(-z))
    expected = (-np.log(q[0]) - 3 * np.log(1 - q[1]) - 3 * np.log(1 - q[2])) / 3
    got = float(umap_loss()(y[:, None], z[:, None], sample_weight=w))
    np.testing.assert_allclose(got, expected, rtol=1e-5)


def test_gradient_is_finite_when_points_coincide():
    """umap-learn #1200 / #1283: sqrt(d^2) at d = 0 gave NaN gradients under XLA."""
    e = tf.Variable(np.zeros((4, 2), np.float32))
    loss_fn = umap_loss()

    @tf.function(jit_compile=True)
    def grads():
        with tf.GradientTape() as tape:
            z = umap_logits(tf.gather(e, [0, 1]), tf.gather(e, [2, 3]), 1.58, 0.9)
            loss = loss_fn(tf.constant([[1.0], [0.0]]), z[:, None])
        return loss, tf.convert_to_tensor(tape.gradient(loss, e))

    loss, g = grads()
    assert np.isfinite(loss.numpy()) and np.all(np.isfinite(g.numpy()))
