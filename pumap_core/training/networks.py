"""Networks: umap-learn's default MLP, copies of user networks, checks on user encoders."""

from __future__ import annotations

import math
from typing import Sequence

import keras
import numpy as np

from ..errors import InvalidParameterError, one_line


def default_encoder(input_shape: Sequence[int], n_components: int, seed: int,
                    units: int = 100, n_layers: int = 3) -> keras.Model:
    """Flatten → n_layers × Dense(units, relu) → Dense(n_components), seeded initialisers."""
    return dense_stack([keras.Input(shape=tuple(input_shape)), keras.layers.Flatten()],
                       n_components, seed, units=units, n_layers=n_layers, out_name="z",
                       name="encoder")


def dense_stack(inputs: list, n_out: int, seed: int, *, units: int, n_layers: int,
                out_name: str, name: str) -> keras.Model:
    """``inputs`` → n_layers × Dense(units, relu) → Dense(n_out), seeded initialisers."""
    layers = list(inputs)
    for i in range(n_layers):
        layers.append(keras.layers.Dense(
            units, activation="relu", name=f"dense_{i}",
            kernel_initializer=keras.initializers.GlorotUniform(seed=seed + i)))
    layers.append(keras.layers.Dense(
        n_out, name=out_name,
        kernel_initializer=keras.initializers.GlorotUniform(seed=seed + n_layers)))
    return keras.Sequential(layers, name=name)


def conv_encoder(image_shape: Sequence[int], n_components: int, seed: int) -> keras.Model:
    """A small CNN for images of shape (h, w) or (h, w, c): two strided convolutions, then MLP."""
    shape = tuple(image_shape) if len(image_shape) == 3 else (*image_shape, 1)
    init = keras.initializers.GlorotUniform
    return keras.Sequential([
        keras.Input(shape=shape),
        keras.layers.Conv2D(32, 3, strides=2, padding="same", activation="relu",
                            kernel_initializer=init(seed=seed)),
        keras.layers.Conv2D(64, 3, strides=2, padding="same", activation="relu",
                            kernel_initializer=init(seed=seed + 1)),
        keras.layers.Flatten(),
        keras.layers.Dense(128, activation="relu", kernel_initializer=init(seed=seed + 2)),
        keras.layers.Dense(n_components, name="z", kernel_initializer=init(seed=seed + 3)),
    ], name="conv_encoder")


def copy_network(net: keras.Model) -> keras.Model:
    """A fresh copy of an encoder or decoder with the same weights.

    Training works on the copy, so a fit never mutates the user's network or the one an earlier
    fit returned. A subclassed model that cannot be cloned is returned as it is (and trained).
    """
    try:
        twin = keras.models.clone_model(net)
        twin.set_weights(net.get_weights())
        return twin
    except Exception:  # subclassed models cannot always be cloned: train the original
        return net


def input_shape_for(n_features: int, dims: Sequence[int] | None) -> tuple[int, ...]:
    """The shape of one item as the encoder sees it; ``dims`` must hold n_features values."""
    if dims is None:
        return (n_features,)
    dims = tuple(int(v) for v in dims)
    if math.prod(dims) != n_features:
        raise InvalidParameterError(
            f"dims={dims} holds {math.prod(dims)} values per item but the data have "
            f"{n_features} features per row; make them match (e.g. dims=(28, 28, 1) for 784).")
    return dims


def check_encoder(encoder: keras.Model, input_shape: tuple[int, ...], n_components: int) -> None:
    """Run the encoder on two dummy items and check that it returns (2, n_components)."""
    probe = np.zeros((2, *input_shape), dtype=np.float32)
    try:
        out = keras.ops.convert_to_numpy(encoder(probe, training=False))
    except Exception as exc:
        raise InvalidParameterError(
            f"The encoder cannot take items of shape {input_shape}: {one_line(exc)} "
            "Check its input shape (and dims=...).") from None
    if out.ndim != 2 or out.shape != (2, n_components):
        raise InvalidParameterError(
            f"The encoder returns shape {tuple(out.shape[1:])} per item but n_components is "
            f"{n_components}; end it with Dense({n_components}) or change n_components.")
