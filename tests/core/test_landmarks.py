"""Landmarks: continued training that keeps old points in place, without NaN (umap-learn #1180)."""

import json

import keras
import numpy as np
import pytest
import tensorflow as tf
from sklearn.neighbors import KNeighborsClassifier

from pumap_core import (InvalidDataError, NotFittedError, ParametricUMAP, PumapError,
                        load_ParametricUMAP)
from pumap_core.training.objectives import landmark_loss


@pytest.fixture(scope="module")
def halves(digits):
    X, y = digits
    order = np.random.default_rng(0).permutation(len(X))
    return X[order[:900]], X[order[900:]], y[order[:900]], y[order[900:]]


def _movement(old, new):
    return np.linalg.norm(new - old, axis=1).mean() / np.ptp(old, axis=0).max()


def test_old_points_stay_when_new_data_are_added(halves):
    """The issue's bar on digits: old points move < 1% of the map's extent on average, after
    add_landmarks(old rows) and a fit on new rows (umap-learn's flow), with no NaN anywhere."""
    X1, X2, y1, y2 = halves
    est = ParametricUMAP(random_state=0, n_training_epochs=40).fit(X1)
    old = est.transform(X1)
    est.add_landmarks(X1)
    np.testing.assert_array_equal(est.prev_epoch_X, X1)
    est.fit(X2)
    assert est.model_.info.continued and est.embedding_.shape == (len(X1) + len(X2), 2)
    for values in est.history_.values():  # umap-learn #1180: NaN losses on this path
        assert np.isfinite(values).all()
    assert np.isfinite(est.embedding_).all()
    new_old = est.transform(X1)
    assert _movement(old, new_old) < 0.01
    # the new rows land among old rows of their class
    assert KNeighborsClassifier(5).fit(new_old, y1).score(est.transform(X2), y2) > 0.85


def test_explicit_positions_continue_the_trained_encoder(halves):
    """A refit with landmarks starts from the fitted network (no new network, no warm start):
    with a vanishing learning rate the map is exactly where it was."""
    X1, X2 = halves[:2]
    est = ParametricUMAP(random_state=0, n_training_epochs=1, learning_rate=1e-12).fit(X1[:300])
    old = est.transform(X1[:300])
    positions = np.full((400, 2), np.nan, np.float32)
    positions[:300] = old
    est.fit(np.concatenate([X1[:300], X2[:100]]), landmark_positions=positions)
    np.testing.assert_allclose(est.transform(X1[:300]), old, atol=1e-3)
    assert est.model_.info.continued and "landmark_loss" in est.history_


def test_landmarks_on_a_new_fit_pin_points(halves):
    """On an unfitted estimator, landmark positions pull their points towards the targets."""
    X = halves[0][:400]
    targets = np.full((400, 2), np.nan, np.float32)
    targets[:20] = np.column_stack([np.linspace(-5, 5, 20), np.zeros(20)])
    est = ParametricUMAP(random_state=0, n_training_epochs=20, landmark_loss_weight=5.0)
    emb = est.fit_transform(X, landmark_positions=targets)
    assert not est.model_.info.continued
    assert np.linalg.norm(emb[:20] - targets[:20], axis=1).mean() < 1.0


def test_remove_landmarks_starts_afresh(halves):
    est = ParametricUMAP(random_state=0, n_training_epochs=1).fit(halves[0][:200])
    est.add_landmarks(halves[0][:50], sample_pct=0.5)
    assert len(est.prev_epoch_X) == 25
    est.remove_landmarks()
    assert est.prev_epoch_X is None
    est.fit(halves[1][:200])
    assert not est.model_.info.continued and "landmark_loss" not in est.history_


def test_landmark_state_round_trips(tmp_path, halves):
    est = ParametricUMAP(random_state=0, n_training_epochs=1).fit(halves[0][:200])
    P = np.random.default_rng(1).normal(size=(30, 2)).astype(np.float32)
    est.add_landmarks(halves[0][:30], landmark_positions=P, landmark_loss_weight=2.0)
    folder = est.save(tmp_path / "m")
    np.testing.assert_array_equal(np.load(folder / "landmarks.npy"), P)
    loaded = load_ParametricUMAP(folder)
    np.testing.assert_array_equal(loaded.prev_epoch_X, halves[0][:30])
    np.testing.assert_array_equal(loaded.model_.landmarks.positions, P)
    assert loaded.landmark_loss_weight == 2.0
    assert json.loads((folder / "manifest.json").read_text())["schema_version"] == 2


BAD_POSITIONS = [
    ("wrong shape", np.zeros((5, 2)), r"shape \(5, 2\) but must be .*\(40, 2\)"),
    ("three columns", np.zeros((40, 3)), r"shape \(40, 3\)"),
    ("all NaN", np.full((40, 2), np.nan), "no landmark"),
    ("half a row", np.vstack([[[1.0, np.nan]], np.full((39, 2), np.nan)]),
     r"1 row\(s\) with some but not all values NaN \(first: row 0\)"),
    ("infinite", np.vstack([[[1.0, np.inf]], np.full((39, 2), np.nan)]), "infinite"),
    ("text", [["a", "b"]] * 40, "array of numbers"),
]


@pytest.mark.parametrize("name,P,message", BAD_POSITIONS, ids=[c[0] for c in BAD_POSITIONS])
def test_bad_landmark_positions_are_one_clear_error(name, P, message):
    X = np.random.default_rng(0).normal(size=(40, 5)).astype(np.float32)
    with pytest.raises(InvalidDataError, match=message) as info:
        ParametricUMAP(n_neighbors=5, n_training_epochs=1).fit(X, landmark_positions=P)
    assert isinstance(info.value, PumapError) and "\n" not in info.value.user_message


def test_add_landmarks_needs_a_fitted_map_and_matching_rows(fitted):
    with pytest.raises(NotFittedError, match="not fitted"):
        ParametricUMAP().add_landmarks(np.zeros((3, 64)))
    with pytest.raises(InvalidDataError, match="trained on rows of 64 features"):
        fitted.add_landmarks(np.zeros((3, 5)))


def _grad(emb, target, mask, fn=None):
    e = tf.Variable(emb)
    with tf.GradientTape() as tape:
        loss = landmark_loss(e, tf.constant(target), tf.constant(mask), fn)
    return float(loss), tape.gradient(loss, e).numpy()


def test_landmark_loss_is_finite_on_target_and_without_landmarks():
    """umap-learn #1180: a norm at distance 0 and a mean over no landmark gave NaN."""
    emb = np.array([[1.0, 2.0], [3.0, 4.0]], np.float32)
    loss, g = _grad(emb, emb.copy(), np.ones(2, np.float32))
    assert loss == pytest.approx(1e-4, abs=1e-4) and np.isfinite(g).all()
    loss, g = _grad(emb, np.zeros_like(emb), np.zeros(2, np.float32))
    assert loss == 0.0 and np.all(g == 0)


def test_landmark_loss_counts_only_landmarks_default_and_custom():
    emb = np.array([[0.0, 0.0], [5.0, 5.0], [1.0, 1.0]], np.float32)
    target = np.array([[3.0, 4.0], [0.0, 0.0], [1.0, 1.0]], np.float32)
    mask = np.array([1.0, 0.0, 1.0], np.float32)
    loss, g = _grad(emb, target, mask)
    assert loss == pytest.approx((5.0 + 0.0) / 2, abs=1e-3)
    assert np.all(g[1] == 0)  # a free point feels nothing
    per_point, _ = _grad(emb, target, mask, keras.losses.mean_squared_error)
    batch_mean, _ = _grad(emb, target, mask, keras.losses.MeanSquaredError())
    assert per_point == pytest.approx(12.5 / 2) and batch_mean == pytest.approx(12.5 / 2)
