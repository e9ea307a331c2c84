"""Build ParametricUMAP arguments from the Train form's plain settings (in the training process)."""

from __future__ import annotations

from typing import Any

from pumap_core.data import Dataset

#: Form settings that only build the network here; not estimator parameters.
_NETWORK_KEYS = ("network", "layers", "units")


def estimator_params(settings: dict[str, Any], ds: Dataset) -> dict[str, Any]:
    """ParametricUMAP keyword arguments for the form's settings (the network built here)."""
    from pumap_core.training.networks import conv_encoder, default_encoder

    params = {k: v for k, v in settings.items() if k not in _NETWORK_KEYS}
    seed = settings["random_state"]
    if settings["network"] == "CNN":
        shape = ds.image_shape if len(ds.image_shape) == 3 else (*ds.image_shape, 1)
        params["encoder"] = conv_encoder(shape, 2, seed)
        params["dims"] = tuple(shape)
    elif (settings["layers"], settings["units"]) != (3, 100):
        params["encoder"] = default_encoder((ds.n_features,), 2, seed,
                                            units=settings["units"], n_layers=settings["layers"])
    return params


def estimator_and_fit_args(settings: dict[str, Any],
                           ds: Dataset) -> tuple[Any, dict[str, Any]]:
    """The estimator to fit and the extra ``fit`` arguments for a job's settings.

    A new ParametricUMAP for the Train form; for continued training (``continue_from``: a
    run's model folder) the saved model, loaded to be trained further with
    ``landmark_positions``.
    """
    from pumap_core import ParametricUMAP, load_ParametricUMAP

    if settings.get("continue_from"):
        est = load_ParametricUMAP(settings["continue_from"])
        est.set_params(n_training_epochs=settings.get("n_training_epochs"))
        return est, {"landmark_positions": settings["landmark_positions"]}
    settings = {k: v for k, v in settings.items() if k != "run_name"}
    return ParametricUMAP(**estimator_params(settings, ds)), {}
