"""Build ParametricUMAP arguments from the Train form's plain settings (in the training process)."""

from __future__ import annotations

from typing import Any

from pumap_core.data import Dataset


def estimator_params(settings: dict[str, Any], ds: Dataset) -> dict[str, Any]:
    """ParametricUMAP keyword arguments for the form's settings (the network built here)."""
    from pumap_core.training.networks import conv_encoder, default_encoder

    params = {k: v for k, v in settings.items() if k not in ("network", "layers", "units")}
    seed = settings["random_state"]
    if settings["network"] == "CNN":
        shape = ds.image_shape if len(ds.image_shape) == 3 else (*ds.image_shape, 1)
        params["encoder"] = conv_encoder(shape, 2, seed)
        params["dims"] = tuple(shape)
    elif (settings["layers"], settings["units"]) != (3, 100):
        params["encoder"] = default_encoder((ds.n_features,), 2, seed,
                                            units=settings["units"], n_layers=settings["layers"])
    return params
