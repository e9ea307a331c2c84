"""Checking the estimator's parameters and building its fit configuration.

The parameters' JSON form (the "params" of a manifest) is in :mod:`.persistence`.
"""

from __future__ import annotations

import logging
import numbers
import warnings
from dataclasses import dataclass
from typing import Any

import numpy as np

from .errors import InvalidParameterError
from .graph.knn import METRICS, canonical_metric
from .training.config import TrainingConfig

DEFAULT_LEARNING_RATE = 1e-2

# Parameters that only mean something with parametric_reconstruction=True, with their "off" value.
_RECONSTRUCTION_ONLY = (("decoder", None), ("autoencoder_loss", False),
                        ("reconstruction_validation", None))


INIT_MODES = ("spectral", "pca", "random")  # the warm starts of training.fit.initial_layout


@dataclass(frozen=True)
class FitConfig:
    metric: str
    training: TrainingConfig
    init: Any = "spectral"  # one of INIT_MODES or a float32 array (n_samples, n_components)


def _check_init(est: Any) -> Any:
    """``init`` as a mode name or a finite float32 array with n_components columns."""
    init = est.init
    if isinstance(init, str) and init in INIT_MODES:
        return init
    message = (f"init must be 'spectral', 'pca', 'random' or an array of shape (n_samples, "
               f"n_components={est.n_components}), got ")
    if isinstance(init, str) or init is None or np.isscalar(init):
        raise InvalidParameterError(message + f"{init!r}.")
    try:
        array = np.asarray(init, dtype=np.float32)
    except (TypeError, ValueError):
        raise InvalidParameterError(message + f"a {type(init).__name__}.") from None
    if array.ndim != 2 or array.shape[1] != est.n_components:
        raise InvalidParameterError(message + f"an array of shape {array.shape}.")
    if not np.isfinite(array).all():
        raise InvalidParameterError(message + "an array with NaN or infinite values.")
    return array


def _number(est: Any, name: str, *, low: float, high: float = np.inf, integer: bool = False,
            low_open: bool = False) -> Any:
    value = getattr(est, name)
    kind = numbers.Integral if integer else numbers.Real
    if isinstance(value, bool) or not isinstance(value, kind):
        raise InvalidParameterError(
            f"{name} must be {'an integer' if integer else 'a number'}, got {value!r}.")
    if value < low or value > high or (low_open and value == low):
        bounds = f"{'>' if low_open else '>='} {low}" + ("" if high == np.inf else f" and <= {high}")
        raise InvalidParameterError(f"{name} must be {bounds}, got {value!r}.")
    return value


def _flag(est: Any, name: str) -> bool:
    value = getattr(est, name)
    if not isinstance(value, (bool, np.bool_)):
        raise InvalidParameterError(f"{name} must be True or False, got {value!r}.")
    return bool(value)


def _check_objectives(est: Any) -> None:
    """The reconstruction, global-structure and landmark parameters."""
    if not _flag(est, "parametric_reconstruction"):
        for name, off in _RECONSTRUCTION_ONLY:
            value = getattr(est, name)
            if (value is not None) if off is None else bool(value):
                raise InvalidParameterError(
                    f"{name} is only used with parametric_reconstruction=True; set that too, "
                    f"or leave {name} at {off!r}.")
    else:
        from .training.decoding import loss_mode

        _flag(est, "autoencoder_loss")
        loss_mode(est.parametric_reconstruction_loss_fcn)
        _number(est, "parametric_reconstruction_loss_weight", low=0)
        if est.decoder is not None and not callable(est.decoder):
            raise InvalidParameterError("decoder must be a Keras model from n_components "
                                        f"values to one item, got a {type(est.decoder).__name__}.")
    _number(est, "global_correlation_loss_weight", low=0)
    _number(est, "landmark_loss_weight", low=0)
    if est.landmark_loss_fn is not None and not callable(est.landmark_loss_fn):
        raise InvalidParameterError("landmark_loss_fn must be a function loss(y_true, y_pred) or "
                                    f"None, got {est.landmark_loss_fn!r}.")


def _check_snapshots(est: Any) -> int:
    """``snapshots`` as a count of maps over the fit (0: none)."""
    from .training.snapshots import snapshot_count

    value = getattr(est, "snapshots", False)
    if isinstance(value, (bool, np.bool_)):
        return snapshot_count(bool(value))
    if not isinstance(value, numbers.Integral) or value < 0:
        raise InvalidParameterError(f"snapshots must be True, False or a number of snapshots "
                                    f">= 0, got {value!r}.")
    return snapshot_count(int(value))


def _check_target(est: Any) -> None:
    """The parameters of a fit with labels: ``target_metric``, ``target_weight``,
    ``target_n_neighbors``."""
    metric = est.target_metric
    if not isinstance(metric, str) or (metric != "categorical" and metric.lower() not in
                                       METRICS):
        raise InvalidParameterError(
            f"Unknown target_metric {metric!r}; choose 'categorical' (class labels) or one of "
            f"{', '.join(METRICS)} (numbers).")
    _number(est, "target_weight", low=0, high=1)
    if est.target_n_neighbors != -1:
        _number(est, "target_n_neighbors", low=2, integer=True)


def validate(est: Any, *, y: Any = None) -> FitConfig:
    """Check every parameter of ``est`` and build the training configuration."""
    _check_objectives(est)
    if y is not None:
        _check_target(est)
    if est.n_epochs is not None:
        warnings.warn("n_epochs has no effect on ParametricUMAP; set n_training_epochs instead "
                      "(one epoch = one pass over the graph's edges).", UserWarning, stacklevel=3)
    _number(est, "n_neighbors", low=2, integer=True)
    _number(est, "n_components", low=1, integer=True)
    _number(est, "spread", low=0, low_open=True)
    _number(est, "min_dist", low=0, high=est.spread)
    _number(est, "negative_sample_rate", low=0, integer=True)
    _number(est, "set_op_mix_ratio", low=0, high=1)
    _number(est, "local_connectivity", low=0, low_open=True)
    _number(est, "repulsion_strength", low=0)
    if est.n_training_epochs is not None:
        _number(est, "n_training_epochs", low=1, integer=True)
    _number(est, "learning_rate", low=0, low_open=True)
    _number(est, "loss_report_frequency", low=1, integer=True)
    if est.batch_size is not None:
        _number(est, "batch_size", low=1, integer=True)
    if est.keras_fit_kwargs is not None and not isinstance(est.keras_fit_kwargs, dict):
        raise InvalidParameterError("keras_fit_kwargs must be a dict of keras fit() arguments.")
    init = _check_init(est)
    return FitConfig(metric=canonical_metric(est.metric), init=init, training=TrainingConfig(
        n_epochs=est.n_training_epochs, batch_size=est.batch_size,
        negative_sample_rate=int(est.negative_sample_rate),
        repulsion_strength=float(est.repulsion_strength),
        learning_rate=float(est.learning_rate),
        report_every=int(est.loss_report_frequency), snapshots=_check_snapshots(est)))


def check_against_data(est: Any, n_samples: int) -> None:
    init = getattr(est, "init", "spectral")
    if not isinstance(init, str) and len(init) != n_samples:
        raise InvalidParameterError(
            f"init has {len(init)} rows but the data have {n_samples}; pass one starting "
            "position per row, or init='spectral'.")
    if est.n_neighbors >= n_samples:
        raise InvalidParameterError(
            f"n_neighbors ({est.n_neighbors}) must be smaller than the number of rows "
            f"({n_samples}); lower n_neighbors or add rows.")


def enable_verbose_logging() -> None:
    logger = logging.getLogger("pumap_core")
    logger.setLevel(logging.INFO)
    if not logger.handlers:
        handler = logging.StreamHandler()
        handler.setFormatter(logging.Formatter("%(asctime)s pumap_core %(message)s"))
        logger.addHandler(handler)
