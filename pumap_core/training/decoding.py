"""The decoder of ``parametric_reconstruction``: networks, loss modes and the data-space wrapper.

The network that is trained (``inner``) maps an embedding to one item; what it learns depends on
the reconstruction loss:

* ``"mse"`` (default): standardised rows, ``(x - mean) / scale`` with the per-feature mean and
  one global scale (the root mean variance). One scale for all features keeps the objective
  proportional to the plain mean squared error in data units, while the network no longer has
  to learn offsets of e.g. 0..255 with small steps.
* ``"binary_crossentropy"``: logits; targets must lie in [0, 1].
* ``"custom"``: whatever the user's loss compares with the raw rows.

The decoder users see (``decoder_``, ``decoder.keras``) wraps ``inner`` with standard Keras layers
that undo this (an inverted ``Normalization``, or a sigmoid), so it returns data in the input
space and value range, and loads with Keras' safe mode without pumap_core.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any, Callable

import keras
import numpy as np
from keras import ops

from ..errors import InvalidDataError, InvalidParameterError, one_line
from .networks import copy_network, dense_stack

MSE, BCE, CUSTOM = "mse", "binary_crossentropy", "custom"
_NAMES = {"mse": MSE, "mean_squared_error": MSE, "bce": BCE, "binary_crossentropy": BCE}


def loss_mode(fcn: Any) -> str:
    """``"mse"``, ``"binary_crossentropy"`` or ``"custom"`` for a ``parametric_reconstruction_loss_fcn``.

    Accepts None (MSE), the names above, Keras' MSE / BCE loss classes or functions (BCE is then
    computed on the decoder's logits, whatever its ``from_logits``), or any other callable
    ``fcn(y_true, y_pred) -> loss`` (custom, on raw rows of shape (m, n_features)).
    """
    if fcn is None:
        return MSE
    if isinstance(fcn, str):
        if fcn.lower() in _NAMES:
            return _NAMES[fcn.lower()]
        raise InvalidParameterError(
            f"parametric_reconstruction_loss_fcn must be 'mse', 'binary_crossentropy' or a "
            f"callable loss(y_true, y_pred), got {fcn!r}.")
    if isinstance(fcn, keras.losses.MeanSquaredError) or fcn is keras.losses.mean_squared_error:
        return MSE
    if (isinstance(fcn, keras.losses.BinaryCrossentropy)
            or fcn is keras.losses.binary_crossentropy):
        return BCE
    if callable(fcn):
        return CUSTOM
    raise InvalidParameterError(
        f"parametric_reconstruction_loss_fcn must be 'mse', 'binary_crossentropy' or a callable "
        f"loss(y_true, y_pred), got a {type(fcn).__name__}.")


def default_decoder(n_components: int, n_features: int, seed: int, units: int = 100,
                    n_layers: int = 3) -> keras.Model:
    """The encoder mirrored: n_layers × Dense(units, relu) → Dense(n_features), flat output."""
    return dense_stack([keras.Input(shape=(n_components,))], n_features, seed, units=units,
                       n_layers=n_layers, out_name="recon", name="decoder_network")


def check_decoder(decoder: keras.Model, n_components: int, item_shape: tuple[int, ...]) -> None:
    """Run the decoder on two dummy embeddings; it must return items of ``item_shape`` (or flat)."""
    n_features = math.prod(item_shape)
    probe = np.zeros((2, n_components), dtype=np.float32)
    try:
        out = keras.ops.convert_to_numpy(decoder(probe, training=False))
    except Exception as exc:
        raise InvalidParameterError(
            f"The decoder cannot take embeddings of shape ({n_components},): "
            f"{one_line(exc)} Its input must have n_components values.",
        ) from None
    if tuple(out.shape[1:]) not in (tuple(item_shape), (n_features,)):
        raise InvalidParameterError(
            f"The decoder returns shape {tuple(out.shape[1:])} per point but the items have shape "
            f"{tuple(item_shape)}; end it with Dense({n_features}) (and a Reshape to dims).")


@dataclass
class Reconstruction:
    """A decoder being trained, with how its targets and losses are computed.

    Attributes
    ----------
    inner : keras.Model, embedding (n_components,) -> item (flat or ``item_shape``), trained.
    mode : "mse", "binary_crossentropy" or "custom".
    item_shape : shape of one item.
    mean, scale : per-feature mean (n_features,) and global scale of the "mse" standardisation.
    custom_loss : the user's loss function in "custom" mode.
    """

    inner: keras.Model
    mode: str
    item_shape: tuple[int, ...]
    mean: np.ndarray | None = None
    scale: float = 1.0
    custom_loss: Callable | None = None

    @property
    def n_features(self) -> int:
        return math.prod(self.item_shape)

    @classmethod
    def build(cls, X: np.ndarray, *, decoder: keras.Model | None, loss_fcn: Any,
              n_components: int, item_shape: tuple[int, ...], seed: int,
              previous: keras.Model | None = None) -> "Reconstruction":
        """A new (or, from ``previous``, a continued) decoder for rows ``X`` (n, n_features).

        ``previous`` is a data-space decoder from an earlier fit; it is continued when it was
        trained with the same loss mode, so that its standardisation is kept.
        """
        mode = loss_mode(loss_fcn)
        custom = loss_fcn if mode == CUSTOM else None
        if mode == BCE and (X.min() < 0 or X.max() > 1):
            raise InvalidDataError(
                "Binary cross-entropy reconstruction needs data in [0, 1] (these range from "
                f"{X.min():g} to {X.max():g}); scale them (e.g. X / 255) or use the default "
                "mean squared error.")
        if previous is not None:
            resumed = cls.resume(previous, item_shape, custom)
            if resumed is not None and resumed.mode == mode:
                resumed.inner = copy_network(resumed.inner)  # the earlier model stays as it was
                return resumed
        if decoder is None:
            inner = default_decoder(n_components, math.prod(item_shape), seed)
        else:
            inner = copy_network(decoder)
            check_decoder(inner, n_components, item_shape)
        mean, scale = None, 1.0
        if mode == MSE:
            mean = X.mean(axis=0, dtype=np.float64).astype(np.float32)
            scale = float(np.sqrt(X.var(axis=0, dtype=np.float64).mean())) or 1.0
        return cls(inner=inner, mode=mode, item_shape=tuple(item_shape), mean=mean,
                   scale=scale, custom_loss=custom)

    @classmethod
    def resume(cls, exposed: keras.Model, item_shape: tuple[int, ...],
               custom_loss: Callable | None = None) -> "Reconstruction | None":
        """Take apart a decoder made by :meth:`exposed` (None if it has another structure)."""
        layers = list(getattr(exposed, "layers", []))
        if not layers or not isinstance(layers[0], keras.Model):
            return None
        norms = [l for l in layers if isinstance(l, keras.layers.Normalization)]
        sigmoid = any(isinstance(l, keras.layers.Activation)
                      and l.get_config().get("activation") == "sigmoid" for l in layers[1:])
        if norms:
            config = norms[0].get_config()
            mean = np.asarray(config["mean"], dtype=np.float32).reshape(-1)
            scale = float(np.sqrt(np.asarray(config["variance"], dtype=np.float64).reshape(-1)[0]))
            return cls(inner=layers[0], mode=MSE, item_shape=tuple(item_shape), mean=mean,
                       scale=scale)
        mode = BCE if sigmoid else CUSTOM
        return cls(inner=layers[0], mode=mode, item_shape=tuple(item_shape),
                   custom_loss=custom_loss)

    def targets(self, rows: np.ndarray) -> np.ndarray:
        """What the inner network learns for raw rows (m, n_features): float32 (m, n_features)."""
        if self.mode == MSE:
            return ((rows - self.mean) * np.float32(1.0 / self.scale)).astype(np.float32)
        return np.asarray(rows, dtype=np.float32)

    def loss(self, target, pred):
        """Mean loss of flat predictions (m, n_features) of ``inner`` against :meth:`targets`."""
        if self.mode == MSE:
            return ops.mean(ops.square(pred - target))
        if self.mode == BCE:
            return ops.mean(ops.binary_crossentropy(target, pred, from_logits=True))
        return ops.mean(self.custom_loss(target, pred))

    def in_data_units(self, loss):
        """The loss as reported in the history: the MSE of the data-space output for "mse"."""
        return loss * (self.scale ** 2) if self.mode == MSE else loss

    def exposed(self, n_components: int) -> keras.Model:
        """The data-space decoder: embedding (n_components,) -> item of ``item_shape``."""
        d = self.n_features
        layers: list = [keras.Input(shape=(n_components,)), self.inner,
                        keras.layers.Reshape((d,))]
        if self.mode == MSE:
            layers.append(keras.layers.Normalization(
                invert=True, mean=self.mean, variance=np.full(d, self.scale ** 2, np.float32)))
        elif self.mode == BCE:
            layers.append(keras.layers.Activation("sigmoid"))
        if tuple(self.item_shape) != (d,):
            layers.append(keras.layers.Reshape(tuple(self.item_shape)))
        return keras.Sequential(layers, name="decoder")


def loss_name(fcn: Any) -> str | None:
    """How ``parametric_reconstruction_loss_fcn`` is written to a manifest (None = default)."""
    if fcn is None:
        return None
    mode = loss_mode(fcn)
    return mode  # "custom" for a callable: the function itself is not saved
