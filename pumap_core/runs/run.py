"""A run as read from its folder: :class:`RunInfo` (what ``run.json`` says) and :class:`Run`
(with its points and thumbnails). :class:`~pumap_core.runs.Workspace` writes and lists them.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np
import pandas as pd

from ..errors import ModelFileError, NotFittedError
from .files import MODEL, SNAPSHOTS, read_features, read_snapshots
from .points import coordinates, split_points

if TYPE_CHECKING:
    from ..data.dataset import Dataset
    from ..estimator import ParametricUMAP
    from ..thumbnails import Thumbnails
    from ..training.snapshots import TrainingSnapshots

_LOAD_LOCK = threading.Lock()


@dataclass(frozen=True)
class RunInfo:
    """What ``run.json`` says about a run.

    Attributes
    ----------
    id : str, the folder name, e.g. ``20261122-130501-digits-3f2a``
    name : str, the editable display name
    created : str, ISO time with time zone
    path : Path, the run folder
    dataset_name, dataset_kind, n_items : facts about the training data
    params : dict, the estimator's parameters (JSON)
    network : str or None, the encoder's hidden layers (``MLP 3×100``, ``CNN 32-64 + 128``,
        ``custom``; :func:`pumap_core.runs.naming.network_label`), None without a model
    metrics : dict, :func:`pumap_core.metrics.quality_report` or what the caller passed
    fit_seconds, epochs_trained, cancelled : how the training went
    history : list of float, the loss per epoch (None where it was not finite)
    dataset : dict, the whole dataset section of ``run.json``, ``recipe`` included
    has_model : bool, False for a map kept by :meth:`Workspace.save_map` (nothing to embed with)
    source : str or None, ``"generated"`` (:meth:`Workspace.save_map`), ``"parquet"``
        (:meth:`Workspace.add_parquet_map`: points stay in external Parquet files), None trained
    parquet_path : str or None, a Parquet map's dataset folder
    error : str or None, a one-line reason when the folder is broken (most fields then empty),
        so that a listing never fails because of one bad run
    """

    id: str
    name: str
    created: str
    path: Path
    dataset_name: str | None = None
    dataset_kind: str | None = None
    n_items: int | None = None
    params: dict[str, Any] = field(default_factory=dict)
    network: str | None = None
    metrics: dict[str, Any] = field(default_factory=dict)
    fit_seconds: float | None = None
    epochs_trained: int | None = None
    cancelled: bool = False
    history: list[float | None] = field(default_factory=list)
    dataset: dict[str, Any] = field(default_factory=dict)
    has_model: bool = True
    source: str | None = None
    parquet_path: str | None = None
    error: str | None = None

    @property
    def is_parquet_map(self) -> bool:
        """Whether the points live in an external Parquet dataset (read out of core)."""
        return self.source == "parquet"

    @property
    def has_snapshots(self) -> bool:
        """Whether the run keeps snapshots of its training (a replay of how the map formed)."""
        return (self.path / SNAPSHOTS).is_file()

    @property
    def recipe(self) -> dict[str, Any] | None:
        """How the training data were prepared (for :func:`pumap_core.data.apply_recipe`)."""
        return self.dataset.get("recipe")


@dataclass(frozen=True, eq=False, kw_only=True)
class Run(RunInfo):
    """A loaded run: its :class:`RunInfo`, the embedded points and the thumbnails.

    ``points`` has one row per item: ``x``, ``y`` (``c2``... for more components), ``label``
    when the data had labels, then the data's own columns. ``thumbnails`` is a
    :class:`~pumap_core.thumbnails.Thumbnails` stack, memory-mapped from ``thumbnails.npy``
    (None when the data had no pictures).
    """

    points: pd.DataFrame
    thumbnails: "Thumbnails | None" = None
    _cache: dict[str, Any] = field(default_factory=dict, init=False, repr=False)

    @property
    def embedding(self) -> np.ndarray:
        """The training embedding, float32 of shape (n_items, n_components)."""
        return coordinates(self.points)

    def estimator(self) -> "ParametricUMAP":
        """The fitted model, loaded from ``model/`` on first use and then kept.

        Raises
        ------
        NotFittedError
            The map was generated (:meth:`Workspace.save_map`): there is no model.
        """
        if not self.has_model:
            raise NotFittedError("This map was generated, not trained: it has no model to embed "
                                 "new data. Train one on the Train page.")
        with _LOAD_LOCK:
            if "estimator" not in self._cache:
                from ..estimator import load_ParametricUMAP

                self._cache["estimator"] = load_ParametricUMAP(self.path / MODEL)
            return self._cache["estimator"]

    def snapshots(self) -> "TrainingSnapshots | None":
        """The map of a sample of the points as it trained, read on first use and then kept;
        None for runs without (older, generated, or ``snapshots=False``).

        Raises
        ------
        ModelFileError
            ``snapshots.npz`` is damaged or names rows the run does not have.
        """
        with _LOAD_LOCK:
            if "snapshots" not in self._cache:
                self._cache["snapshots"] = read_snapshots(self.path, len(self.points),
                                                          f"run {self.id}")
            return self._cache["snapshots"]

    def training_data(self) -> "Dataset":
        """The :class:`Dataset` the model was trained on, rebuilt from the run folder.

        ``X`` comes from ``features.npy`` (memory-mapped); the table is the data's own columns
        of the points table (:func:`~pumap_core.runs.points.split_points`); labels, thumbnails,
        image shape, feature names and recipe are the recorded ones. For continued training.

        Raises
        ------
        ModelFileError
            The run has no ``features.npy`` (saved before runs kept their training rows, or a
            map without a model), or the file is damaged.
        """
        from ..data import Dataset

        facts = self.dataset
        d = facts.get("n_features")
        X = read_features(self.path, len(self.points), d if isinstance(d, int) else None,
                          f"run {self.id}")
        if X is None:
            raise ModelFileError(f"Run {self.name!r} does not keep the rows it was trained on "
                                 "(it was saved by an older version or generated); train it "
                                 "again to get a run that can be continued.")
        labels, table = split_points(self.points, facts.get("label_name"))
        shape = facts.get("image_shape")
        return Dataset(name=str(facts.get("name") or self.name), X=X, table=table, labels=labels,
                       label_name=None if labels is None else facts.get("label_name"),
                       kind=facts.get("kind") or "table",
                       image_shape=None if shape is None else tuple(shape),
                       thumbnails=self.thumbnails,
                       feature_names=list(facts.get("feature_names") or []),
                       notes=list(facts.get("notes") or []), recipe=facts.get("recipe"))
