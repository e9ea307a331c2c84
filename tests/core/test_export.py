"""Export of the encoder for deployment: Keras file, TensorFlow SavedModel, ONNX."""

import io
import zipfile

import keras
import numpy as np
import pytest

from pumap_core import ExportError, InvalidParameterError, NotFittedError, ParametricUMAP
from pumap_core import export as export_module
from pumap_core.export import INPUT_NAME, export_bytes, export_encoder

FORMATS = ["keras", "savedmodel", "onnx"]


def _run_keras(path, items):
    net = keras.saving.load_model(path, compile=False, safe_mode=True)
    return keras.ops.convert_to_numpy(net(items))


def _run_savedmodel(path, items):
    import tensorflow as tf

    serve = tf.saved_model.load(str(path)).signatures["serving_default"]
    (spec,) = serve.structured_input_signature[1].values()
    assert tuple(spec.shape[1:]) == items.shape[1:]  # same input as the Keras encoder
    return serve(**{INPUT_NAME: tf.constant(items)})["output_0"].numpy()


def _run_onnx(path_or_bytes, items):
    import onnxruntime

    source = path_or_bytes if isinstance(path_or_bytes, bytes) else str(path_or_bytes)
    session = onnxruntime.InferenceSession(source, providers=["CPUExecutionProvider"])
    (inp,) = session.get_inputs()
    assert inp.name == INPUT_NAME and tuple(inp.shape[1:]) == items.shape[1:]
    return session.run(None, {INPUT_NAME: items})[0]


RUN = {"keras": _run_keras, "savedmodel": _run_savedmodel, "onnx": _run_onnx}


@pytest.fixture(scope="module")
def image_model(small):
    """A custom conv encoder on 8×8×1 items (dims): the exported input is (n, 8, 8, 1)."""
    X, _ = small
    encoder = keras.Sequential([
        keras.Input((8, 8, 1)), keras.layers.Conv2D(4, 3, strides=2, activation="relu"),
        keras.layers.Flatten(), keras.layers.Dense(2)])
    return ParametricUMAP(encoder=encoder, dims=(8, 8, 1), n_training_epochs=1,
                          random_state=0).fit(X)


@pytest.mark.parametrize("format", FORMATS)
def test_export_gives_the_keras_models_output(fitted, small, tmp_path, format):
    X, _ = small
    path = export_encoder(fitted, tmp_path / "enc", format)
    assert path.exists() and path.name == {"keras": "enc.keras", "onnx": "enc.onnx",
                                           "savedmodel": "enc"}[format]
    rows = X[:50]
    np.testing.assert_allclose(RUN[format](path, rows), fitted.transform(rows), atol=1e-4, rtol=0)


@pytest.mark.parametrize("format", FORMATS)
def test_export_of_a_custom_image_encoder_takes_images(image_model, small, tmp_path, format):
    X, _ = small
    path = export_encoder(image_model.model_, tmp_path / "conv", format, sample=X)
    images = X[:20].reshape(20, 8, 8, 1)
    np.testing.assert_allclose(RUN[format](path, images), image_model.transform(X[:20]),
                               atol=1e-4, rtol=0)


def test_export_bytes_for_downloads(fitted, small):
    rows = small[0][:10]
    expected = fitted.transform(rows)
    name, data = export_bytes(fitted, "onnx")
    assert name == "encoder.onnx"
    np.testing.assert_allclose(_run_onnx(data, rows), expected, atol=1e-4, rtol=0)
    name, data = export_bytes(fitted, "keras")
    assert name == "encoder.keras" and zipfile.is_zipfile(io.BytesIO(data))  # .keras is a zip
    name, data = export_bytes(fitted, "savedmodel")
    assert name == "encoder_savedmodel.zip"
    names = zipfile.ZipFile(io.BytesIO(data)).namelist()
    assert "encoder_savedmodel/saved_model.pb" in names
    assert any(n.startswith("encoder_savedmodel/variables/") for n in names)


def test_verify_catches_an_artifact_that_disagrees(fitted, tmp_path, monkeypatch):
    real = export_module._run_artifact
    monkeypatch.setattr(export_module, "_run_artifact",
                        lambda path, fmt, items: real(path, fmt, items) + 1e-2)
    with pytest.raises(ExportError, match="disagrees with the Keras encoder"):
        export_encoder(fitted, tmp_path / "bad.keras")
    assert not (tmp_path / "bad.keras").exists()  # nothing left where a bad export would be
    export_encoder(fitted, tmp_path / "unchecked.keras", verify=False)
    assert (tmp_path / "unchecked.keras").is_file()


def test_keras_export_of_an_unregistered_subclass_fails_clearly(tmp_path):
    class Unregistered(keras.Model):
        def __init__(self):
            super().__init__()
            self.z = keras.layers.Dense(2)

        def call(self, x):
            return self.z(x)

    net = Unregistered()
    net(np.zeros((1, 5), np.float32))
    fake = type("Fitted", (), {"encoder": net, "item_shape": (5,)})()
    with pytest.raises(ExportError, match="does not load back.*register_keras_serializable"):
        export_encoder(fake, tmp_path / "sub.keras")
    # the same network exports to ONNX, which needs no Python class to run
    path = export_encoder(fake, tmp_path / "sub.onnx", "onnx")
    x = np.ones((3, 5), np.float32)
    np.testing.assert_allclose(_run_onnx(path, x), keras.ops.convert_to_numpy(net(x)), atol=1e-5)


def test_bad_requests_get_one_clear_error(fitted, tmp_path):
    with pytest.raises(InvalidParameterError, match="format must be one of"):
        export_encoder(fitted, tmp_path / "x", "tflite")
    with pytest.raises(NotFittedError, match="not fitted"):
        export_encoder(ParametricUMAP(), tmp_path / "x.keras")
    with pytest.raises(InvalidParameterError, match="Cannot export a str"):
        export_encoder("model", tmp_path / "x.keras")
    (tmp_path / "docs").mkdir()
    (tmp_path / "docs" / "notes.txt").write_text("keep me")
    with pytest.raises(ExportError, match="not a SavedModel folder"):
        export_encoder(fitted, tmp_path / "docs", "savedmodel")
    assert (tmp_path / "docs" / "notes.txt").read_text() == "keep me"
    with pytest.raises(InvalidParameterError, match="sample has shape"):
        export_encoder(fitted, tmp_path / "x.keras", sample=np.zeros((3, 10)))


def test_a_savedmodel_is_replaced_by_a_new_export(fitted, tmp_path):
    first = export_encoder(fitted, tmp_path / "sm", "savedmodel")
    again = export_encoder(fitted, tmp_path / "sm", "savedmodel")
    assert first == again and (again / "saved_model.pb").is_file()


def test_estimator_and_fitted_model_export_methods(fitted, small, tmp_path):
    rows = small[0][:10]
    path = fitted.export(tmp_path / "est", "onnx", sample=rows)
    assert path == tmp_path / "est.onnx"
    np.testing.assert_allclose(_run_onnx(path, rows), fitted.transform(rows), atol=1e-4, rtol=0)
    path = fitted.model_.export(tmp_path / "model.keras")
    np.testing.assert_allclose(_run_keras(path, rows), fitted.transform(rows), atol=1e-4, rtol=0)
    with pytest.raises(NotFittedError):
        ParametricUMAP().export(tmp_path / "nothing.keras")
