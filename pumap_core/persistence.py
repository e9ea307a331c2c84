"""Save and load fitted models as a folder: a versioned JSON manifest, a .keras file, no pickles.

Layout of a model folder::

    manifest.json   format, schema_version, parameters, a/b, shapes, package versions, and the
                    SHA-256 of every other file (so a truncated or edited file is detected)
    encoder.keras   the encoder, loaded with Keras' safe_mode
    history.json    the loss history, one entry per epoch
    embedding.npy   the training embedding (optional; plain array, loaded without pickle)
    decoder.keras   the decoder, embedding -> data space (only with parametric_reconstruction)
    landmarks.npy   positions (m, n_components) of the rows kept by add_landmarks, and
    landmark_data.npy   those rows (m, n_features) (only while landmarks are set)

Schema versions: 1 has the first four files; 2 adds the decoder and landmarks. A folder is
written as version 1 when it has neither, so older pumap_core versions still read it.
"""

from __future__ import annotations

import json
import numbers
import platform
import shutil
import tempfile
import time
import warnings
from pathlib import Path
from typing import Any

import keras
import numpy as np

from .errors import ModelFileError, one_line

# read_manifest and the format constants live in .manifest (no Keras); kept importable here.
from .manifest import FORMAT, MANIFEST, SCHEMA_VERSION, file_sha256, read_manifest  # noqa: F401
from .manifest import feature_names as manifest_feature_names
from .model import EmbeddingModel, FitInfo

# Files that need schema version 2 to be understood.
_V2_FILES = ("decoder.keras", "landmarks.npy", "landmark_data.npy")


def package_versions() -> dict[str, str]:
    from . import __version__

    return {"pumap_core": __version__, "keras": keras.__version__,
            "keras_backend": keras.backend.backend(), "numpy": np.__version__,
            "python": platform.python_version()}


def save_model(model: EmbeddingModel, path: str | Path, *, params: dict[str, Any],
               embedding: np.ndarray | None = None) -> Path:
    """Write ``model`` to the folder ``path`` (created; an older model folder is replaced).

    The folder is written beside the target and moved into place at the end, so a failure
    halfway never leaves a broken model where a good one was.
    """
    path = Path(path)
    if path.exists() and (not path.is_dir() or (any(path.iterdir())
                                                and not (path / MANIFEST).exists())):
        raise ModelFileError(
            f"{path} exists and is not a saved model folder; choose a new or empty folder.")
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=".saving-", dir=path.parent))
    try:
        model.encoder.save(tmp / "encoder.keras")
        (tmp / "history.json").write_text(json.dumps(model.history))
        files = ["encoder.keras", "history.json"]
        if embedding is not None:
            np.save(tmp / "embedding.npy", np.asarray(embedding, dtype=np.float32),
                    allow_pickle=False)
            files.append("embedding.npy")
        if model.decoder is not None:
            model.decoder.save(tmp / "decoder.keras")
            files.append("decoder.keras")
        if model.landmarks is not None:
            np.save(tmp / "landmarks.npy", np.asarray(model.landmarks.positions, np.float32),
                    allow_pickle=False)
            np.save(tmp / "landmark_data.npy", np.asarray(model.landmarks.X, np.float32),
                    allow_pickle=False)
            files += ["landmarks.npy", "landmark_data.npy"]
        manifest = {
            "format": FORMAT,
            "schema_version": 2 if any(f in _V2_FILES for f in files) else 1,
            "created": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
            "params": params,
            "model": {"a": model.a, "b": model.b, "n_features_in": model.n_features_in,
                      "item_shape": list(model.item_shape), "n_components": model.n_components,
                      # read by .manifest.feature_names; older readers ignore the key
                      **({} if model.feature_names is None
                         else {"feature_names": list(model.feature_names)})},
            "info": model.info.to_dict(),
            "versions": package_versions(),
            "files": {name: file_sha256(tmp / name) for name in files},
        }
        (tmp / MANIFEST).write_text(json.dumps(manifest, indent=2))
        if path.exists():
            shutil.rmtree(path)
        tmp.rename(path)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return path


# -- the estimator's parameters: the manifest's "params" ------------------------------------
def _jsonable(value: Any) -> bool:
    try:
        json.dumps(value)
        return True
    except (TypeError, ValueError):
        return False


def to_manifest(est: Any) -> dict[str, Any]:
    """The parameters of ``est`` (a ParametricUMAP) as JSON, for the manifest's "params".

    Keras objects become descriptions: networks "custom" (they are saved as .keras files),
    the optimizer its Keras config; functions, validation rows and ``init`` arrays are not
    saved (see :func:`from_manifest`).
    """
    out: dict[str, Any] = {}
    for name, value in est.get_params().items():
        if name in ("encoder", "decoder", "landmark_loss_fn"):
            out[name] = None if value is None else "custom"  # networks: in their .keras files
        elif name == "parametric_reconstruction_loss_fcn":
            from .training.decoding import loss_name

            out[name] = loss_name(value)  # "custom" for a function: the function is not saved
        elif name == "reconstruction_validation":
            out[name] = None if value is None else "array"  # validation rows are not saved
        elif name == "optimizer":
            out[name] = None if value is None else keras.optimizers.serialize(value)
        elif name == "keras_fit_kwargs":
            out[name] = {k: v for k, v in (value or {}).items() if _jsonable(v)} or None
        elif name == "init" and not isinstance(value, str):
            out[name] = "array"  # positions for one training set: not kept
        elif name == "random_state":
            out[name] = value if value is None or isinstance(value, numbers.Integral) else "generator"
        elif _jsonable(value):
            out[name] = value
        else:
            out[name] = repr(value)
    if isinstance(out.get("dims"), tuple):
        out["dims"] = list(out["dims"])
    return out


def from_manifest(cls: type, manifest: dict[str, Any], encoder: Any, decoder: Any = None) -> Any:
    """Rebuild an estimator of class ``cls`` from saved parameters (unknown keys are ignored).

    ``cls`` is passed in (ParametricUMAP) so that this module does not import the estimator.
    ``encoder`` / ``decoder`` (the trained networks) become the parameters of that name where
    the user had passed custom ones. Functions (custom losses) and validation rows are not
    saved: those parameters come back as None, with a warning for a custom loss.
    """
    saved = dict(manifest["params"])
    accepted = set(cls().get_params())
    params = {k: v for k, v in saved.items() if k in accepted}
    params["encoder"] = encoder if saved.get("encoder") == "custom" else None
    if "decoder" in params:
        params["decoder"] = decoder if saved.get("decoder") == "custom" else None
    for name in ("parametric_reconstruction_loss_fcn", "landmark_loss_fn"):
        if params.get(name) == "custom":
            params[name] = None
            warnings.warn(f"{name} was a custom function, which is not saved; set it again "
                          "before fitting this model further.", UserWarning, stacklevel=3)
    if params.get("reconstruction_validation") == "array":
        params["reconstruction_validation"] = None
    if params.get("optimizer") is not None:
        params["optimizer"] = keras.optimizers.deserialize(params["optimizer"])
    if params.get("init") == "array":  # the array was not saved: a refit uses the default
        params.pop("init")
    if params.get("random_state") == "generator":
        params["random_state"] = None
    if params.get("dims") is not None:
        params["dims"] = tuple(params["dims"])
    return cls(**params)


# -- reading ---------------------------------------------------------------------------------
def _load_network(file: Path) -> keras.Model:
    try:
        return keras.saving.load_model(file, compile=False, safe_mode=True)
    except Exception as exc:
        raise ModelFileError(
            f"{file} could not be loaded ({one_line(exc)}); "
            "a custom layer must be registered with keras.saving.register_keras_serializable.",
        ) from None


def _names(manifest: dict[str, Any]) -> tuple[str, ...] | None:
    names = manifest_feature_names(manifest)
    return None if names is None else tuple(names)


def load_model(path: str | Path) -> tuple[EmbeddingModel, dict[str, Any], np.ndarray | None]:
    """Load a model folder written by :func:`save_model`.

    Returns the model, the manifest, and the training embedding (None if it was not saved).
    """
    path = Path(path)
    manifest = read_manifest(path)
    if "encoder.keras" not in manifest["files"]:
        raise ModelFileError(f"{path / MANIFEST} lists no encoder.keras.")
    encoder = _load_network(path / "encoder.keras")
    decoder = None
    if "decoder.keras" in manifest["files"]:
        decoder = _load_network(path / "decoder.keras")
    try:
        history = json.loads((path / "history.json").read_text())
        meta = manifest["model"]
        model = EmbeddingModel(encoder=encoder, a=float(meta["a"]), b=float(meta["b"]),
                               n_features_in=int(meta["n_features_in"]),
                               item_shape=tuple(int(v) for v in meta["item_shape"]),
                               history=history, info=FitInfo.from_dict(manifest.get("info")),
                               decoder=decoder, feature_names=_names(manifest))
        if {"landmarks.npy", "landmark_data.npy"} & set(manifest["files"]):
            from .landmarks import LandmarkSet

            if not {"landmarks.npy", "landmark_data.npy"} <= set(manifest["files"]):
                raise ValueError("landmarks.npy and landmark_data.npy must come together")
            positions = np.load(path / "landmarks.npy", allow_pickle=False)
            rows = np.load(path / "landmark_data.npy", allow_pickle=False)
            if positions.ndim != 2 or rows.ndim != 2 or len(positions) != len(rows):
                raise ValueError("landmarks.npy and landmark_data.npy do not match")
            model.landmarks = LandmarkSet(X=rows, positions=positions)
        embedding = None
        if "embedding.npy" in manifest["files"]:
            embedding = np.load(path / "embedding.npy", allow_pickle=False)
    except (KeyError, TypeError, ValueError, json.JSONDecodeError) as exc:
        raise ModelFileError(f"{path} has inconsistent contents ({exc}).") from None
    return model, manifest, embedding
