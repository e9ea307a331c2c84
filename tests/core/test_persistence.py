"""Save / load round trip and every way a model folder can be broken."""

import json

import keras
import numpy as np
import pytest

from pumap_core import ModelFileError, ModelNotFoundError, ParametricUMAP, load_ParametricUMAP


@pytest.fixture()
def saved(fitted, tmp_path):
    return fitted.save(tmp_path / "model")


def test_round_trip_gives_the_same_transform(fitted, saved, small):
    loaded = load_ParametricUMAP(saved)
    np.testing.assert_allclose(loaded.transform(small[0]), fitted.transform(small[0]), atol=1e-6)
    np.testing.assert_array_equal(loaded.embedding_, fitted.embedding_)
    assert loaded.history_ == fitted.history_
    assert loaded.get_params() == fitted.get_params()
    assert loaded.n_features_in_ == 64


def test_folder_is_json_and_keras_without_pickles(saved):
    names = sorted(p.name for p in saved.iterdir())
    assert names == ["embedding.npy", "encoder.keras", "history.json", "manifest.json"]
    manifest = json.loads((saved / "manifest.json").read_text())
    assert manifest["schema_version"] == 1
    assert {"a", "b", "n_features_in"} <= set(manifest["model"])
    assert {"pumap_core", "keras", "numpy"} <= set(manifest["versions"])


def test_custom_encoder_round_trip(small, tmp_path):
    enc = keras.Sequential([keras.Input((64,)), keras.layers.Dense(16, activation="tanh"),
                            keras.layers.Dense(2)])
    est = ParametricUMAP(encoder=enc, n_training_epochs=1, random_state=0).fit(small[0])
    loaded = load_ParametricUMAP(est.save(tmp_path / "m"))
    np.testing.assert_allclose(loaded.transform(small[0]), est.embedding_, atol=1e-6)
    assert isinstance(loaded.encoder, keras.Model)


def test_saving_again_replaces_the_old_model(fitted, saved):
    fitted.save(saved)
    assert load_ParametricUMAP(saved).n_features_in_ == 64


def test_refuses_to_overwrite_a_folder_that_is_not_a_model(fitted, tmp_path):
    (tmp_path / "notes.txt").write_text("keep me")
    with pytest.raises(ModelFileError, match="not a saved model folder"):
        fitted.save(tmp_path)
    assert (tmp_path / "notes.txt").read_text() == "keep me"


def test_missing_folder(tmp_path):
    with pytest.raises(ModelNotFoundError, match="No saved model folder"):
        load_ParametricUMAP(tmp_path / "nowhere")


def test_missing_file(saved):
    (saved / "encoder.keras").unlink()
    with pytest.raises(ModelNotFoundError, match="encoder.keras is missing"):
        load_ParametricUMAP(saved)


def test_truncated_file_is_detected(saved):
    data = (saved / "encoder.keras").read_bytes()
    (saved / "encoder.keras").write_bytes(data[: len(data) // 2])
    with pytest.raises(ModelFileError, match="encoder.keras is corrupt"):
        load_ParametricUMAP(saved)


def test_corrupt_manifest(saved):
    (saved / "manifest.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load_ParametricUMAP(saved)


def test_newer_schema_version(saved):
    manifest = json.loads((saved / "manifest.json").read_text())
    manifest["schema_version"] = 99
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="newer pumap_core.*upgrade"):
        load_ParametricUMAP(saved)


def test_encoder_that_keras_cannot_read(saved):
    """A file that matches its checksum but is not a Keras archive still fails clearly."""
    (saved / "encoder.keras").write_bytes(b"garbage")
    manifest = json.loads((saved / "manifest.json").read_text())
    import hashlib

    manifest["files"]["encoder.keras"] = hashlib.sha256(b"garbage").hexdigest()
    (saved / "manifest.json").write_text(json.dumps(manifest))
    with pytest.raises(ModelFileError, match="could not be loaded"):
        load_ParametricUMAP(saved)


def test_info_keeps_the_manifest_keys_of_before(saved):
    """FitInfo (once a dict) writes the same "info" keys, and reads older and newer manifests."""
    from pumap_core.model import FitInfo

    info = json.loads((saved / "manifest.json").read_text())["info"]
    assert list(info) == ["n_samples", "n_edges", "knn_exact", "steps_per_epoch",
                          "edges_per_epoch", "cancelled", "epochs_trained", "fit_seconds",
                          "continued"]
    assert FitInfo.from_dict(info).to_dict() == info
    older = {k: v for k, v in info.items() if k != "continued"}  # before continued training
    assert FitInfo.from_dict(older).continued is False
    assert FitInfo.from_dict({**info, "added_later": 1}).to_dict() == info
    assert FitInfo.from_dict(None) == FitInfo()
    terms = {**info, "reconstruction": "mse", "autoencoder": False, "n_landmarks": 3}
    assert FitInfo.from_dict(terms).terms.n_landmarks == 3
    assert FitInfo.from_dict(terms).to_dict() == terms
