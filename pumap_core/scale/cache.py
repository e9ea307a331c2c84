"""The models a Dask worker has loaded, once per worker process, keyed by folder and digest.

Loading a model takes about 2 s (TensorFlow's first import more): once per partition that
would add minutes to a large embed. Tasks therefore carry a small :class:`ModelRef` (the
folder's path and its manifest's SHA-256), never a pickled Keras model, and look the model up
here. This module must stay importable (a cache in ``__main__`` would be pickled with the
task's function and start empty in every task). The client side of this module (ModelRef)
imports neither Keras nor TensorFlow.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..errors import ModelFileError
from ..manifest import manifest_digest, read_manifest

if TYPE_CHECKING:
    from ..model import EmbeddingModel

#: Models kept per worker process (the least recently used one goes first).
KEEP = 4
_lock = threading.Lock()
_models: OrderedDict[tuple[str, str], EmbeddingModel] = OrderedDict()
_loads = 0


@dataclass(frozen=True)
class ModelRef:
    """What a task needs to find a saved model: its folder (as workers see it) and digest.

    Attributes
    ----------
    path : the model folder, absolute (on a remote cluster: a path every worker can read).
    digest : SHA-256 of its manifest; a folder changed since the embed began is refused.
    """

    path: str
    digest: str

    @classmethod
    def of(cls, path: str | Path) -> tuple[ModelRef, dict[str, Any]]:
        """The reference to the model folder ``path`` and its manifest (checked, no Keras)."""
        folder = Path(path).resolve()
        manifest = read_manifest(folder)
        return cls(str(folder), manifest_digest(folder)), manifest


def cached_model(ref: ModelRef) -> EmbeddingModel:
    """The model of ``ref``, loaded on this process's first use (thread-safe: two threads
    asking at once load it once)."""
    key = (ref.path, ref.digest)
    with _lock:
        model = _models.get(key)
        if model is None:
            model = _load(ref)
            _models[key] = model
            while len(_models) > KEEP:
                _models.popitem(last=False)
        _models.move_to_end(key)
        return model


def _load(ref: ModelRef) -> EmbeddingModel:
    global _loads
    from ..quiet import quiet_tensorflow

    quiet_tensorflow()  # before Keras imports TensorFlow: a worker's log stays readable
    from ..persistence import load_model

    if manifest_digest(ref.path) != ref.digest:
        raise ModelFileError(f"The model folder {ref.path} changed after the embedding "
                             "started; run it again.")
    model, _, _ = load_model(ref.path)
    _loads += 1
    return model


def preload(ref: ModelRef) -> int:
    """Load the model of ``ref`` in this worker now (a task sent to each worker before an
    embed, so that the first partitions do not wait); returns :func:`load_count`."""
    cached_model(ref)
    return _loads


def load_count() -> int:
    """How many models this process has loaded (for tests: one per worker and model)."""
    return _loads


def clear() -> None:
    """Forget the loaded models (the count of loads is kept)."""
    with _lock:
        _models.clear()
