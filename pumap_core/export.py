"""Export the trained encoder for deployment: a Keras file, a TensorFlow SavedModel, or ONNX.

Every format takes exactly what the Keras encoder takes: float32 items of shape
``(n, *item_shape)``, i.e. ``(n, n_features)`` rows, or ``(n, *dims)`` when the model was fitted
with ``dims`` (flat rows are *not* reshaped by the exported artifact; reshape them first, as
``transform`` does). The output is the embedding, float32 ``(n, n_components)``.

========== ============================ =====================================================
format     written                      how to run it
========== ============================ =====================================================
keras      ``<name>.keras`` (a file)    ``keras.saving.load_model(path)(items)``
savedmodel a folder (``saved_model.pb`` ``tf.saved_model.load(path).serve(items)``, or the
           + ``variables/``)            signature ``serving_default(items=...)["output_0"]``
onnx       ``<name>.onnx`` (a file)     ``onnxruntime.InferenceSession(path).run(None,
                                        {"items": items})[0]``
========== ============================ =====================================================

With ``verify=True`` (default) the written artifact is loaded back with its own runtime and run
on a few sample items; an :class:`~pumap_core.errors.ExportError` is raised when its output
differs from the Keras encoder's by more than ``VERIFY_TOLERANCE`` (relative to the output's
scale). ONNX export needs ``tf2onnx`` and ``onnx`` (and ``onnxruntime`` to verify); they and
TensorFlow are imported only when used.
"""

from __future__ import annotations

import io
import shutil
import tempfile
import warnings
import zipfile
from pathlib import Path
from typing import Any

import keras
import numpy as np

from .errors import ExportError, InvalidParameterError, NotFittedError, one_line

FORMATS = ("keras", "savedmodel", "onnx")
#: Name of the input in the SavedModel signature and the ONNX graph.
INPUT_NAME = "items"
#: Largest accepted |exported - keras| on the sample, times max(1, max |keras output|).
VERIFY_TOLERANCE = 1e-4
VERIFY_ROWS = 16
_SUFFIX = {"keras": ".keras", "onnx": ".onnx", "savedmodel": ""}
_ONNX_PACKAGES = "pip install tf2onnx onnx onnxruntime"


def _encoder_and_shape(model: Any) -> tuple[keras.Model, tuple[int, ...]]:
    """The Keras encoder and the shape of one item, from an estimator, a fitted model or a net."""
    if isinstance(model, keras.Model):
        shape = tuple(model.input_shape[1:]) if _has_input_shape(model) else None
        if shape is None or any(v is None for v in shape):
            raise InvalidParameterError(
                "This Keras model has no fixed input shape; export the fitted ParametricUMAP "
                "(or its model_) instead, which knows the item shape.")
        return model, shape
    if "model_" in getattr(model, "__dict__", {}):  # a fitted ParametricUMAP
        model = model.model_
    if hasattr(model, "encoder") and hasattr(model, "item_shape") and model.encoder is not None:
        return model.encoder, tuple(int(v) for v in model.item_shape)
    if hasattr(model, "get_params"):
        raise NotFittedError("This ParametricUMAP is not fitted yet; call fit(X) before export.")
    raise InvalidParameterError(
        f"Cannot export a {type(model).__name__}; pass a fitted ParametricUMAP, its model_, "
        "or a Keras model.")


def _has_input_shape(net: keras.Model) -> bool:
    try:
        return net.input_shape is not None
    except (AttributeError, ValueError):
        return False


def _target(path: str | Path, format: str) -> Path:
    """The path written: the format's suffix is added when missing; a SavedModel is a folder."""
    path = Path(path)
    suffix = _SUFFIX[format]
    if suffix and path.suffix != suffix:
        path = path.with_name(path.name + suffix)
    if format == "savedmodel":
        if path.is_file() or (path.is_dir() and any(path.iterdir())
                              and not (path / "saved_model.pb").exists()):
            raise ExportError(f"{path} exists and is not a SavedModel folder; choose a new or "
                              "empty folder.")
    elif path.is_dir():
        raise ExportError(f"{path} is a folder; give a file name ending in {suffix}.")
    return path


def _sample(item_shape: tuple[int, ...], sample: Any) -> np.ndarray:
    """Items to compare on: the caller's (flat rows are reshaped) or seeded standard normals."""
    if sample is None:
        return np.random.default_rng(0).standard_normal(
            (VERIFY_ROWS, *item_shape)).astype(np.float32)
    sample = np.asarray(sample, dtype=np.float32)[:VERIFY_ROWS]
    try:
        return sample.reshape((len(sample), *item_shape))
    except ValueError:
        raise InvalidParameterError(
            f"sample has shape {sample.shape[1:]} per row but the encoder takes items of shape "
            f"{item_shape}; pass training-like rows.") from None


def _run_artifact(path: Path, format: str, items: np.ndarray) -> np.ndarray:
    """Load the exported artifact with its own runtime and embed ``items``."""
    if format == "keras":
        net = keras.saving.load_model(path, compile=False, safe_mode=True)
        return keras.ops.convert_to_numpy(net(items, training=False))
    if format == "savedmodel":
        import tensorflow as tf

        serve = tf.saved_model.load(str(path)).signatures["serving_default"]
        outputs = serve(**{INPUT_NAME: tf.constant(items)})
        return next(iter(outputs.values())).numpy()
    import onnxruntime

    session = onnxruntime.InferenceSession(str(path), providers=["CPUExecutionProvider"])
    return session.run(None, {session.get_inputs()[0].name: items})[0]


def _write(net: keras.Model, path: Path, format: str, item_shape: tuple[int, ...]) -> None:
    if format == "keras":
        net.save(path)
        return
    import tensorflow as tf

    signature = [tf.TensorSpec((None, *item_shape), tf.float32, name=INPUT_NAME)]
    if format == "onnx":
        try:
            import onnx  # noqa: F401  (tf2onnx imports it late, with a less clear error)
            import tf2onnx  # noqa: F401
        except ImportError:
            raise ExportError("ONNX export needs the packages tf2onnx and onnx: "
                              f"{_ONNX_PACKAGES}.") from None
    with warnings.catch_warnings():  # Keras' tf2onnx shim trips numpy 2's np.object warning
        warnings.simplefilter("ignore", FutureWarning)
        net.export(str(path), format="tf_saved_model" if format == "savedmodel" else "onnx",
                   input_signature=signature, verbose=False)


def export_encoder(model: Any, path: str | Path, format: str = "keras", *,
                   verify: bool = True, sample: Any = None) -> Path:
    """Write the trained encoder to ``path`` in ``format`` and return the path written.

    Parameters
    ----------
    model : ParametricUMAP (fitted), EmbeddingModel, or keras.Model with a fixed input shape
    path : str or Path
        A file for "keras" / "onnx" (the suffix ``.keras`` / ``.onnx`` is added when missing),
        a folder for "savedmodel" (an older SavedModel there is replaced).
    format : {"keras", "savedmodel", "onnx"}
    verify : bool
        Load the artifact back and check it against the Keras encoder on ``sample``.
    sample : array of shape (m, n_features) or (m, *item_shape), optional
        Items for the check (the first 16 are used); default: seeded standard-normal items.

    Returns
    -------
    Path of the file or folder written. Its input: float32 (n, *item_shape), named "items"
    in the SavedModel signature and the ONNX graph; output: float32 (n, n_components).

    Raises
    ------
    ExportError
        The format's packages are missing, writing failed, or (with ``verify``) the artifact
        does not load back or gives different outputs.
    """
    if format not in FORMATS:
        raise InvalidParameterError(
            f"format must be one of {', '.join(map(repr, FORMATS))}, got {format!r}.")
    net, item_shape = _encoder_and_shape(model)
    items = _sample(item_shape, sample)
    expected = keras.ops.convert_to_numpy(net(items, training=False))  # also builds the net
    target = _target(path, format)
    target.parent.mkdir(parents=True, exist_ok=True)
    # Written beside the target and moved into place, so a failure never leaves half a model.
    tmp_dir = Path(tempfile.mkdtemp(prefix=".export-", dir=target.parent))
    tmp = tmp_dir / target.name
    try:
        try:
            _write(net, tmp, format, item_shape)
        except ExportError:
            raise
        except Exception as exc:
            raise ExportError(f"Export as {format} failed: {one_line(exc)}") from exc
        if verify:
            _check(tmp, format, items, expected)
        if target.is_dir():
            shutil.rmtree(target)
        tmp.replace(target)
    finally:
        shutil.rmtree(tmp_dir, ignore_errors=True)
    return target


def _check(path: Path, format: str, items: np.ndarray, expected: np.ndarray) -> None:
    try:
        got = np.asarray(_run_artifact(path, format, items))
    except ImportError as exc:
        raise ExportError(f"Cannot verify the {format} export ({one_line(exc)}): "
                          f"{_ONNX_PACKAGES}, or pass verify=False.") from None
    except Exception as exc:
        hint = (" A custom layer must be registered with "
                "keras.saving.register_keras_serializable." if format == "keras" else "")
        raise ExportError(f"The {format} export does not load back and run: "
                          f"{one_line(exc)}{hint}") from exc
    if got.shape != expected.shape:
        raise ExportError(f"The {format} export returns shape {got.shape} where the Keras "
                          f"encoder returns {expected.shape}.")
    diff = float(np.max(np.abs(got - expected)))
    if not diff <= VERIFY_TOLERANCE * max(1.0, float(np.max(np.abs(expected)))):
        raise ExportError(f"The {format} export disagrees with the Keras encoder (max abs "
                          f"difference {diff:.3g} on {len(items)} sample items); do not deploy it.")


def export_bytes(model: Any, format: str = "keras", *, verify: bool = True,
                 sample: Any = None, name: str = "encoder") -> tuple[str, bytes]:
    """The export as one download: ``(file name, bytes)``; a SavedModel folder comes zipped.

    File names: ``encoder.keras``, ``encoder.onnx``, ``encoder_savedmodel.zip`` (the zip holds
    the folder ``encoder_savedmodel/``). Parameters are those of :func:`export_encoder`.
    """
    with tempfile.TemporaryDirectory(prefix="pumap-export-") as tmp:
        stem = f"{name}_savedmodel" if format == "savedmodel" else name
        written = export_encoder(model, Path(tmp) / stem, format, verify=verify, sample=sample)
        if format != "savedmodel":
            return written.name, written.read_bytes()
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for file in sorted(written.rglob("*")):
                if file.is_file():
                    archive.write(file, file.relative_to(written.parent).as_posix())
        return f"{stem}.zip", buffer.getvalue()
