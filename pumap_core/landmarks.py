"""Landmarks: points whose place in the map is fixed while a fitted map is trained further.

``fit(X, landmark_positions=P)`` takes P of shape (n_samples, n_components) with a row of NaN for
every free point. ``add_landmarks(X_old)`` keeps rows of old data with their current positions
(:class:`LandmarkSet`); the next ``fit(X_new)`` trains on ``X_new`` followed by those rows, as in
umap-learn. Both continue the fitted encoder rather than starting a new one.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import numpy as np

from .errors import InvalidDataError, InvalidParameterError
from .validation import as_float_matrix

if TYPE_CHECKING:
    from .model import EmbeddingModel


@dataclass(frozen=True)
class LandmarkSet:
    """Rows kept by ``add_landmarks``: ``X`` (m, n_features) and ``positions`` (m, n_components)."""

    X: np.ndarray
    positions: np.ndarray

    def __len__(self) -> int:
        return len(self.X)


def check_positions(positions: Any, n_samples: int, n_components: int) -> np.ndarray:
    """``landmark_positions`` as float32 (n_samples, n_components), or one clear error.

    A row is either all NaN (a free point) or all finite (a landmark); at least one landmark.
    """
    try:
        P = np.asarray(positions, dtype=np.float32)
    except (TypeError, ValueError):
        raise InvalidDataError("landmark_positions must be an array of numbers (NaN rows for "
                               "points that are not landmarks).") from None
    if P.ndim != 2 or P.shape != (n_samples, n_components):
        raise InvalidDataError(
            f"landmark_positions has shape {P.shape} but must be (n_samples, n_components) = "
            f"({n_samples}, {n_components}): one row per row of X, NaN rows for free points.")
    if np.isinf(P).any():
        raise InvalidDataError("landmark_positions has infinite values; use NaN rows for points "
                               "that are not landmarks.")
    nan = np.isnan(P)
    partial = nan.any(axis=1) & ~nan.all(axis=1)
    if partial.any():
        raise InvalidDataError(
            f"landmark_positions has {int(partial.sum())} row(s) with some but not all values "
            f"NaN (first: row {int(np.argmax(partial))}); a row is either a full position or "
            "all NaN.")
    if nan.all():
        raise InvalidDataError("landmark_positions has no landmark (every row is NaN); give at "
                               "least one position, or leave landmark_positions out.")
    return P


def select(X: np.ndarray, *, sample_pct: float, sample_mode: str, idx: Any,
           rng: np.random.Generator) -> np.ndarray:
    """The row indices of ``X`` that ``add_landmarks`` keeps (umap-learn's sampling options)."""
    n = len(X)
    if sample_mode == "uniform":
        if isinstance(sample_pct, bool) or not isinstance(sample_pct, (int, float)) or not (
                0 < sample_pct <= 1):
            raise InvalidParameterError(f"sample_pct must be in (0, 1], got {sample_pct!r}.")
        count = max(1, int(round(n * sample_pct)))
        return np.arange(n) if count >= n else np.sort(rng.choice(n, count, replace=False))
    if sample_mode == "predetermined":
        if idx is None:
            raise InvalidParameterError("sample_mode='predetermined' needs idx=(row indices).")
        rows = np.asarray(idx)
        if rows.ndim != 1 or rows.size == 0 or rows.dtype.kind not in "iu" or (
                rows.min() < 0 or rows.max() >= n):
            raise InvalidParameterError(
                f"idx must be a non-empty list of row indices of X (0 to {n - 1}).")
        return rows
    raise InvalidParameterError(
        f"sample_mode must be 'uniform' or 'predetermined', got {sample_mode!r}.")


@dataclass(frozen=True)
class TrainingRows:
    """The rows a fit trains on, their landmark targets, and the map the fit continues.

    Attributes
    ----------
    X : float32 array (n_samples, n_features), the rows given, then the rows of ``kept``.
    positions : float32 array (n_samples, n_components) with NaN rows for free points, or None
        without landmarks.
    resume : EmbeddingModel or None, the fitted map that this fit trains further (there are
        landmarks and a fitted map).
    kept : LandmarkSet or None, the rows kept by ``add_landmarks``; the new model keeps them.
    """

    X: np.ndarray
    positions: np.ndarray | None
    resume: EmbeddingModel | None
    kept: LandmarkSet | None


def training_rows(X: np.ndarray, positions: Any, previous: EmbeddingModel | None,
                  n_components: int) -> TrainingRows:
    """The rows a fit of ``X`` trains on, given the fitted model ``previous`` (or None).

    Explicit ``positions`` win; otherwise the rows kept by ``add_landmarks`` on ``previous``
    are appended to ``X`` as landmarks (umap-learn's order: new rows first). With landmarks,
    the fit continues ``previous``, which must take rows of the same width to as many
    dimensions.
    """
    kept = None if previous is None else previous.landmarks
    X, positions = _with_landmarks(X, positions, kept, n_components)
    resume = previous if previous is not None and positions is not None else None
    d = X.shape[1]
    if resume is not None and (resume.n_features_in, resume.n_components) != (d, n_components):
        raise InvalidDataError(
            f"The fitted map takes {resume.n_features_in} features to "
            f"{resume.n_components} dimensions, so landmarks cannot continue it with "
            f"{d} features to {n_components}; use matching data and n_components, "
            "or call remove_landmarks() and fit afresh.")
    return TrainingRows(X=X, positions=positions, resume=resume, kept=kept)


def _with_landmarks(X: np.ndarray, positions: Any, kept: LandmarkSet | None,
                    n_components: int) -> tuple[np.ndarray, np.ndarray | None]:
    """``X`` and its landmark positions: ``positions`` checked, or the rows of ``kept`` added."""
    if positions is not None:
        return X, check_positions(positions, len(X), n_components)
    if kept is None:
        return X, None
    if kept.X.shape[1] != X.shape[1]:
        raise InvalidDataError(
            f"The landmarks added with add_landmarks have {kept.X.shape[1]} features but X has "
            f"{X.shape[1]}; pass data with the same columns, or call remove_landmarks().")
    if kept.positions.shape[1] != n_components:
        raise InvalidParameterError(
            f"The landmarks have {kept.positions.shape[1]} coordinates but n_components is "
            f"{n_components}; call remove_landmarks() to change the map's dimension.")
    free = np.full((len(X), n_components), np.nan, dtype=np.float32)
    return (np.concatenate([X, kept.X]).astype(np.float32, copy=False),
            np.concatenate([free, kept.positions]).astype(np.float32))


class LandmarksMixin:
    """umap-learn's ``add_landmarks`` / ``remove_landmarks`` for :class:`~pumap_core.ParametricUMAP`."""

    def add_landmarks(self, X: Any, landmark_positions: Any = None, sample_pct: float = 1.0,
                      sample_mode: str = "uniform", landmark_loss_weight: float | None = None,
                      idx: Any = None, reset_optimizer: bool = True) -> Any:
        """Keep rows of ``X`` (n, n_features) where they are while the next fits add new data.

        The kept rows and their positions (``landmark_positions``, shape (n, n_components), or
        by default their current place, ``transform(X)``) are appended as landmarks to the data
        of every later :meth:`fit` until :meth:`remove_landmarks`, and those fits continue the
        trained encoder. ``sample_pct`` / ``sample_mode`` / ``idx`` choose the rows kept as in
        umap-learn (default here: all rows, not 1 %); ``landmark_loss_weight``, when given,
        sets that parameter; ``reset_optimizer`` is accepted for compatibility (every fit
        starts a fresh optimizer).
        """
        model = self._fitted()
        X = as_float_matrix(X, what="The landmark data")
        if X.shape[1] != model.n_features_in:
            raise InvalidDataError(
                f"The model was trained on rows of {model.n_features_in} features but these "
                f"rows have {X.shape[1]}; pass data with the same columns as in training.")
        if landmark_positions is None:
            positions = model.transform(X)
        else:
            positions = check_positions(landmark_positions, len(X), model.n_components)
        rows = select(X, sample_pct=sample_pct, sample_mode=sample_mode, idx=idx,
                      rng=np.random.default_rng(self.random_state))
        keep = np.isfinite(positions[rows]).all(axis=1)
        rows = rows[keep]
        model.landmarks = LandmarkSet(X=X[rows], positions=positions[rows].astype(np.float32))
        if landmark_loss_weight is not None:
            self.landmark_loss_weight = landmark_loss_weight
        return self

    def remove_landmarks(self) -> Any:
        """Forget the landmarks of :meth:`add_landmarks`; the next fit starts a new map."""
        if "model_" in self.__dict__:
            self.model_.landmarks = None
        return self

    @property
    def prev_epoch_X(self) -> np.ndarray | None:
        """umap-learn's name for the rows kept by :meth:`add_landmarks` (None when there are none)."""
        model = self.__dict__.get("model_")
        return None if model is None or model.landmarks is None else model.landmarks.X
