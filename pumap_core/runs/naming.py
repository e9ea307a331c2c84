"""Default run names: what a run is (its data and the settings people compare), not when it was
made, and unique among the workspace's runs.

>>> run_name("digits", {"n_neighbors": 15, "min_dist": 0.1}, epochs=200)
'digits · k=15 · min_dist 0.1 · 200 epochs'
>>> run_name("digits", {"n_neighbors": 15, "min_dist": 0.1, "parametric_reconstruction": True,
...                     "global_correlation_loss_weight": 1.0}, epochs=50)
'digits · k=15 · min_dist 0.1 · 50 epochs + decoder + global'
>>> unique_name("digits", ["digits", "digits (2)"])
'digits (3)'
"""

from __future__ import annotations

from typing import Any, Iterable, Mapping

from .record import MAX_NAME_CHARS

#: What the studio's default network (umap-learn's) is called in names and tables; it is left
#: out of names, since most runs use it.
DEFAULT_NETWORK = "MLP 3×100"


def run_name(dataset_name: str, params: Mapping[str, Any], *, epochs: int | None = None,
             network: str | None = None, landmarks: bool = False) -> str:
    """The default name of a run: data · k · min_dist · epochs, then what is unusual.

    Parameters
    ----------
    dataset_name : the data's name (a file's extension is dropped)
    params : the estimator's parameters, as in ``run.json``
    epochs : the epochs trained (None: left out)
    network : :func:`network_label` of the encoder; named only when not the default
    landmarks : whether landmarks held points in place (continued training)

    The metric is named when it is not euclidean; the extra loss terms are appended as
    ``+ decoder``, ``+ autoencoder``, ``+ global`` and ``+ landmarks``.
    """
    parts = [f"k={params['n_neighbors']}" if params.get("n_neighbors") is not None else None,
             f"min_dist {params['min_dist']:g}" if _number(params.get("min_dist")) else None,
             f"{epochs} epochs" if epochs is not None else None,
             params.get("metric") if params.get("metric") not in (None, "euclidean") else None,
             network if network not in (None, DEFAULT_NETWORK) else None]
    extras = [term for term, on in [
        ("decoder", params.get("parametric_reconstruction")),
        ("autoencoder", params.get("autoencoder_loss")),
        ("global", _number(params.get("global_correlation_loss_weight"))
         and params["global_correlation_loss_weight"] > 0),
        ("landmarks", landmarks)] if on]
    tail = "".join(f" · {p}" for p in parts if p) + "".join(f" + {t}" for t in extras)
    head = _stem(dataset_name)[:max(8, MAX_NAME_CHARS - len(tail) - 5)].strip() or "run"
    return (head + tail)[:MAX_NAME_CHARS - 5]  # room for " (99)"


def unique_name(name: str, taken: Iterable[str]) -> str:
    """``name``, or ``name (2)``, ``name (3)``... : the first one not in ``taken``."""
    taken = set(taken)
    if name not in taken:
        return name
    k = 2
    while f"{name} ({k})" in taken:
        k += 1
    return f"{name} ({k})"


def network_label(encoder: Any) -> str:
    """A short description of a Keras encoder's hidden layers: ``MLP 3×100``, ``MLP 64-32``,
    ``CNN 32-64 + 128``; ``custom`` when it has neither dense nor convolution layers."""
    convs, dense = [], []
    for layer in getattr(encoder, "layers", []):
        kind = type(layer).__name__
        if kind.startswith("Conv"):
            convs.append(int(layer.filters))
        elif kind == "Dense":
            dense.append(int(layer.units))
    hidden = dense[:-1]  # the last Dense layer is the output (n_components)
    if not convs and not dense:
        return "custom"
    if len(set(hidden)) == 1 and len(hidden) > 1:
        shown = f"{len(hidden)}×{hidden[0]}"
    else:
        shown = "-".join(map(str, hidden)) or "linear"
    return f"CNN {'-'.join(map(str, convs))} + {shown}" if convs else f"MLP {shown}"


def _number(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool)


def _stem(dataset_name: str) -> str:
    """The data's name without a data file's extension (``wine.csv`` → ``wine``)."""
    from ..data import SUPPORTED_EXTENSIONS  # lazily: pumap_core.data imports pumap_core.runs

    name = " ".join(str(dataset_name).split())
    for ext in SUPPORTED_EXTENSIONS:
        if name.lower().endswith(ext) and len(name) > len(ext):
            return name[:-len(ext)]
    return name
