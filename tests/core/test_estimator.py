"""The scikit-learn contract and umap-learn compatibility of ParametricUMAP."""

import keras
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError as SklearnNotFittedError

from pumap_core import InvalidParameterError, NotFittedError, ParametricUMAP


def test_init_only_stores_parameters():
    est = ParametricUMAP(n_neighbors=7, metric="nonsense", n_training_epochs=-3)
    assert est.get_params()["n_neighbors"] == 7  # nothing validated before fit
    assert not hasattr(est, "embedding_")


def test_get_set_params_and_clone():
    est = ParametricUMAP(n_neighbors=7, min_dist=0.3, random_state=2)
    assert est.set_params(spread=2.0) is est and est.spread == 2.0
    twin = clone(est)
    assert twin is not est and twin.get_params() == est.get_params()


def test_clone_of_a_fitted_estimator_is_unfitted(fitted):
    twin = clone(fitted)
    with pytest.raises(NotFittedError):
        twin.transform(np.zeros((1, 64)))


def test_not_fitted_error_is_also_sklearns():
    with pytest.raises(SklearnNotFittedError, match="not fitted"):
        ParametricUMAP().transform(np.zeros((3, 4)))


def test_fit_returns_self_and_sets_fitted_attributes(small):
    X, _ = small
    est = ParametricUMAP(n_training_epochs=3, random_state=0)
    assert est.fit(X) is est
    assert est.embedding_.shape == (400, 2) and est.embedding_.dtype == np.float32
    assert est.n_features_in_ == 64
    assert len(est.history_["loss"]) == 3 and est._history is est.history_
    assert est.graph_.shape == (400, 400)
    assert est.encoder is None and isinstance(est.encoder_, keras.Model)


def test_fit_transform_equals_transform_of_training_data(fitted, small):
    np.testing.assert_allclose(fitted.transform(small[0]), fitted.embedding_, atol=1e-5)


def test_same_seed_same_embedding_other_seed_differs(small):
    X, _ = small
    a = ParametricUMAP(random_state=5, n_training_epochs=3).fit_transform(X)
    b = ParametricUMAP(random_state=5, n_training_epochs=3).fit_transform(X)
    c = ParametricUMAP(random_state=6, n_training_epochs=3).fit_transform(X)
    np.testing.assert_array_equal(a, b)
    assert np.abs(a - c).max() > 1e-3


def test_history_counts_epochs_and_early_stopping_counts_the_same(small):
    X, _ = small
    stop = keras.callbacks.EarlyStopping(monitor="loss", patience=1, min_delta=10.0)
    est = ParametricUMAP(n_training_epochs=20, random_state=0,
                         keras_fit_kwargs={"callbacks": [stop]}).fit(X)
    # min_delta=10 means no epoch ever improves: stop after 1 + patience epochs
    assert len(est.history_["loss"]) == 2


def test_n_components_three(small):
    emb = ParametricUMAP(n_components=3, n_training_epochs=2, random_state=0).fit_transform(small[0])
    assert emb.shape == (400, 3)


def test_conv_encoder_with_dims_in_fit_and_transform(small):
    X, _ = small
    conv = keras.Sequential([
        keras.Input((8, 8, 1)), keras.layers.Conv2D(8, 3, activation="relu"),
        keras.layers.Flatten(), keras.layers.Dense(2)])
    before = [w.copy() for w in conv.get_weights()]
    est = ParametricUMAP(encoder=conv, dims=(8, 8, 1), n_training_epochs=2, random_state=0)
    est.fit(X)
    assert est.transform(X[:10]).shape == (10, 2)  # flat rows reshaped in transform too
    for w0, w1 in zip(before, conv.get_weights()):  # the user's object is not mutated
        np.testing.assert_array_equal(w0, w1)


def test_encoder_with_wrong_output_size_is_a_clear_error(small):
    enc = keras.Sequential([keras.Input((64,)), keras.layers.Dense(5)])
    with pytest.raises(InvalidParameterError, match=r"returns shape \(5,\).*n_components is 2"):
        ParametricUMAP(encoder=enc, n_training_epochs=1).fit(small[0])


def test_dims_that_do_not_match_the_features(small):
    with pytest.raises(InvalidParameterError, match=r"dims=\(7, 7\) holds 49 values"):
        ParametricUMAP(dims=(7, 7), n_training_epochs=1).fit(small[0])


def test_user_optimizer_is_copied_not_reused(small):
    opt = keras.optimizers.Adam(1e-3)
    est = ParametricUMAP(optimizer=opt, n_training_epochs=1, random_state=0)
    est.fit(small[0])
    est.fit(small[0])  # a reused, already built optimizer would fail here
    assert opt.iterations.numpy() == 0


@pytest.mark.parametrize("metric", ["cosine", "manhattan", "correlation"])
def test_other_metrics_fit(small, metric):
    emb = ParametricUMAP(metric=metric, n_training_epochs=1, random_state=0).fit_transform(small[0])
    assert np.isfinite(emb).all()


def test_digits_map_separates_classes(digits):
    """The quality bar for the library: 5-NN accuracy >= 0.9 in the trained digits map.

    Measured by cross-validation inside the training embedding, and on unseen digits placed
    with transform (a looser 0.85 there: 450 test points and one seed make that figure vary
    by a few points).
    """
    from sklearn.model_selection import cross_val_score, train_test_split
    from sklearn.neighbors import KNeighborsClassifier

    X, y = digits
    Xtr, Xte, ytr, yte = train_test_split(X, y, test_size=0.25, random_state=0, stratify=y)
    est = ParametricUMAP(random_state=0).fit(Xtr)
    inside = cross_val_score(KNeighborsClassifier(5), est.embedding_, ytr, cv=5).mean()
    unseen = KNeighborsClassifier(5).fit(est.embedding_, ytr).score(est.transform(Xte), yte)
    assert inside >= 0.9
    assert unseen >= 0.85
