"""parametric_reconstruction: the decoder, inverse_transform, autoencoder loss, save / load."""

import json

import keras
import numpy as np
import pytest
from sklearn.decomposition import PCA

from pumap_core import (InvalidDataError, InvalidParameterError, NotSupportedError,
                        ParametricUMAP, load_ParametricUMAP)


@pytest.fixture(scope="module")
def split(digits):
    X, _ = digits
    order = np.random.default_rng(0).permutation(len(X))
    return X[order[:1400]], X[order[1400:]]


@pytest.fixture(scope="module")
def decoded(split):
    """Digits fitted with a decoder and a validation set (the held-out rows)."""
    Xtr, Xte = split
    return ParametricUMAP(random_state=0, n_training_epochs=40, parametric_reconstruction=True,
                          reconstruction_validation=Xte).fit(Xtr)


def test_decoder_beats_two_component_pca_on_held_out_digits(decoded, split):
    """The issue's bar, on digits: unseen rows through encoder -> decoder beat PCA(2)."""
    Xtr, Xte = split
    rec = decoded.inverse_transform(decoded.transform(Xte))
    pca = PCA(2).fit(Xtr)
    pca_mse = np.mean((pca.inverse_transform(pca.transform(Xte)) - Xte) ** 2)
    assert rec.shape == Xte.shape and rec.dtype == np.float32
    assert np.mean((rec - Xte) ** 2) < 0.8 * pca_mse


def test_inverse_transform_returns_the_data_range(decoded, split):
    """Trained on standardised rows, the decoder still answers in pixel values (0..16)."""
    Xtr, _ = split
    rec = decoded.inverse_transform(decoded.embedding_)
    np.testing.assert_allclose(rec.mean(axis=0), Xtr.mean(axis=0), atol=1.0)
    assert rec.max() > 10


def test_history_reports_reconstruction_losses_per_epoch(decoded, split):
    h = decoded.history_
    assert len(h["reconstruction_loss"]) == len(h["val_reconstruction_loss"]) == 40
    assert h["reconstruction_loss"][-1] < h["reconstruction_loss"][0]
    # the validation figure is the data-space MSE of the held-out rows
    Xte = split[1]
    mse = np.mean((decoded.inverse_transform(decoded.transform(Xte)) - Xte) ** 2)
    assert h["val_reconstruction_loss"][-1] == pytest.approx(mse, rel=1e-3)


def test_estimator_and_model_share_inverse_transform(decoded):
    emb = decoded.embedding_[:5]
    np.testing.assert_array_equal(decoded.inverse_transform(emb),
                                  decoded.model_.inverse_transform(emb))
    assert isinstance(decoded.decoder_, keras.Model) and decoded.decoder is None


def _fit(X, **params):
    return ParametricUMAP(random_state=3, n_training_epochs=3, parametric_reconstruction=True,
                          **params).fit(X)


def test_reconstruction_loss_leaves_the_map_alone_without_autoencoder_loss(small):
    """Only the decoder learns from the reconstruction loss: its weight does not move the map."""
    X = small[0]
    base = _fit(X, parametric_reconstruction_loss_weight=0.0).embedding_
    np.testing.assert_allclose(_fit(X, parametric_reconstruction_loss_weight=5.0).embedding_,
                               base, atol=1e-4)
    joint = _fit(X, parametric_reconstruction_loss_weight=5.0, autoencoder_loss=True).embedding_
    assert np.abs(joint - base).max() > 1e-2


def test_binary_cross_entropy_decodes_into_zero_one(small):
    X = small[0] / 16.0
    est = _fit(X, parametric_reconstruction_loss_fcn="binary_crossentropy")
    rec = est.inverse_transform(np.random.default_rng(0).normal(0, 20, (50, 2)))
    assert rec.min() >= 0.0 and rec.max() <= 1.0
    with pytest.raises(InvalidDataError, match=r"needs data in \[0, 1\].*X / 255"):
        _fit(small[0], parametric_reconstruction_loss_fcn=keras.losses.BinaryCrossentropy())


def test_custom_decoder_with_dims(small):
    X = small[0]
    dec = keras.Sequential([keras.Input((2,)), keras.layers.Dense(32, activation="relu"),
                            keras.layers.Dense(64), keras.layers.Reshape((8, 8, 1))])
    before = [w.copy() for w in dec.get_weights()]
    est = _fit(X, decoder=dec, dims=(8, 8, 1))
    assert est.inverse_transform(est.embedding_[:4]).shape == (4, 64)  # flat rows, as X
    for w0, w1 in zip(before, dec.get_weights()):  # the user's network is not trained
        np.testing.assert_array_equal(w0, w1)


def test_decoder_of_the_wrong_shape_is_one_clear_error(small):
    dec = keras.Sequential([keras.Input((2,)), keras.layers.Dense(10)])
    with pytest.raises(InvalidParameterError, match=r"decoder returns shape \(10,\).*Dense\(64\)"):
        _fit(small[0], decoder=dec)


def test_inverse_transform_without_a_decoder(fitted):
    with pytest.raises(NotSupportedError, match="fit with parametric_reconstruction=True") as e:
        fitted.inverse_transform(np.zeros((2, 2)))
    assert "\n" not in e.value.user_message


def test_inverse_transform_of_points_with_the_wrong_width(decoded):
    with pytest.raises(InvalidDataError, match=r"map has 2 dimensions but these points have 3"):
        decoded.inverse_transform(np.zeros((2, 3)))


def test_decoder_round_trips_through_save_and_load(decoded, tmp_path):
    folder = decoded.save(tmp_path / "m")
    loaded = load_ParametricUMAP(folder)
    points = np.random.default_rng(0).normal(0, 5, (20, 2)).astype(np.float32)
    np.testing.assert_allclose(loaded.inverse_transform(points),
                               decoded.inverse_transform(points), atol=1e-5)
    manifest = json.loads((folder / "manifest.json").read_text())
    assert "decoder.keras" in manifest["files"] and manifest["schema_version"] == 2
    assert manifest["params"]["reconstruction_validation"] == "array"
    assert loaded.parametric_reconstruction and loaded.reconstruction_validation is None
    assert loaded.history_["val_reconstruction_loss"] == decoded.history_["val_reconstruction_loss"]
    # the saved decoder alone (plain Keras, safe mode) already answers in the data's range
    alone = keras.saving.load_model(folder / "decoder.keras", safe_mode=True)
    np.testing.assert_allclose(keras.ops.convert_to_numpy(alone(points)),
                               decoded.inverse_transform(points), atol=1e-5)


def test_custom_reconstruction_loss_is_named_not_saved(small, tmp_path):
    def l1(y_true, y_pred):
        return keras.ops.mean(keras.ops.abs(y_true - y_pred), axis=-1)

    est = _fit(small[0], parametric_reconstruction_loss_fcn=l1)
    folder = est.save(tmp_path / "m")
    assert json.loads((folder / "manifest.json").read_text())["params"][
        "parametric_reconstruction_loss_fcn"] == "custom"
    with pytest.warns(UserWarning, match="custom function, which is not saved"):
        loaded = load_ParametricUMAP(folder)
    np.testing.assert_allclose(loaded.inverse_transform(est.embedding_[:5]),
                               est.inverse_transform(est.embedding_[:5]), atol=1e-5)


def test_continued_fit_continues_the_decoder(small):
    """A fit with landmarks trains the fitted decoder further (same standardisation), on a
    copy: the earlier decoder object is left as it was."""
    X = small[0]
    est = _fit(X[:300])
    old_decoder = est.decoder_
    points = est.embedding_[:10]
    before = est.inverse_transform(points)
    est.add_landmarks(X[:300])
    est.set_params(n_training_epochs=1, learning_rate=1e-12).fit(X[300:])
    assert est.model_.info.continued and est.decoder_ is not old_decoder
    np.testing.assert_allclose(est.inverse_transform(points), before, atol=1e-3)
    np.testing.assert_array_equal(keras.ops.convert_to_numpy(old_decoder(points)).reshape(10, -1),
                                  before)
