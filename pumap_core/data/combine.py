"""One dataset made of a map's training data and new items, to continue training the map on.

The old items come first, so that their rows keep their indices (and their places, as
landmarks) in the continued map; an :data:`ORIGIN` column tells the two apart.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..thumbnails import Thumbnails
from .dataset import Dataset

__all__ = ["ORIGIN", "combine_datasets"]

#: Column added to the combined table: ``"old map"`` or ``"new data"``, to colour the map by.
ORIGIN = "origin"


def combine_datasets(old: Dataset, new: Dataset, old_name: str) -> Dataset:
    """The old run's training data followed by the new items, as one dataset.

    Parameters
    ----------
    old : Dataset
        The training data of the map (``Run.training_data()``).
    new : Dataset
        New items prepared like them (e.g. with :func:`~pumap_core.data.apply_recipe`).
    old_name : str
        Name of the old run, for the notes.

    Returns
    -------
    Dataset
        ``X``, ``table``, labels and thumbnails of ``old`` then ``new``; the kind, image shape,
        feature names and recipe of ``old``. The table gets an :data:`ORIGIN` column unless it
        has one. Labels of a side without labels read ``"(old map)"`` / ``"(new data)"``;
        thumbnails are kept only when both sides have them (see :meth:`Thumbnails.concat`).
    """
    table = pd.concat([old.table.reset_index(drop=True), new.table.reset_index(drop=True)],
                      ignore_index=True)
    if ORIGIN not in table.columns:
        table[ORIGIN] = ["old map"] * old.n_items + ["new data"] * new.n_items
    return Dataset(
        name=f"{old.name} + {new.name}", X=np.concatenate([old.X, new.X]), table=table,
        labels=_labels(old, new), label_name=old.label_name or new.label_name, kind=old.kind,
        image_shape=old.image_shape, thumbnails=_thumbnails(old.thumbnails, new.thumbnails),
        feature_names=list(old.feature_names), recipe=old.recipe,
        notes=[f"continued from the run {old_name!r}: its {old.n_items:,} items kept at their "
               f"places, {new.n_items:,} new items from {new.name}"] + list(new.notes))


def _labels(old: Dataset, new: Dataset) -> np.ndarray | None:
    """Old labels then new ones; a side without labels is named by where it comes from."""
    if old.labels is None and new.labels is None:
        return None
    parts = [ds.labels if ds.labels is not None else np.full(ds.n_items, name, dtype=object)
             for ds, name in ((old, "(old map)"), (new, "(new data)"))]
    if parts[0].dtype.kind != parts[1].dtype.kind:  # e.g. digits 0-9 and folder names
        parts = [p.astype(str) for p in parts]
    return np.concatenate(parts)


def _thumbnails(old: Thumbnails | None, new: Thumbnails | None) -> Thumbnails | None:
    """Both stacks as one; none when a side has none (one picture per item, or none at all)."""
    if old is None or new is None:
        return None
    return Thumbnails.concat([old, new])
