"""The points table: one row per item, the map's coordinates first, then what is known of it.

Columns, in order: ``x``, ``y`` (``c2``, ``c3``... beyond two components), ``label`` when the
data have labels, then the data's own columns. A data column whose name is already taken gets
a ``data_`` prefix (``x`` → ``data_x``), as many times as needed; so does a data column named
like a coordinate (``c2`` on a 2-D map) or like a renamed column (``data_y``), so that
:func:`split_points` gives every name back. Runs keep it as
``points.parquet``; the Runs page exports new data placed on a map in the same layout. This
module is the one place that writes and reads that convention.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd

LABEL = "label"
#: Prefix a data column gets when its name clashes with a coordinate or the label.
CLASH_PREFIX = "data_"
_COORDINATE = re.compile(r"x|y|c\d+")


def coordinate_names(n_components: int) -> list[str]:
    """``["x", "y", "c2", ...]``: the names of ``n_components`` map coordinates."""
    return ["x", "y", *(f"c{j}" for j in range(2, n_components))][:n_components]


def is_coordinate(column: str) -> bool:
    """Whether ``column`` names a map coordinate (``x``, ``y``, ``c2``...)."""
    return bool(_COORDINATE.fullmatch(str(column)))


def points_frame(coords: np.ndarray, table: pd.DataFrame, labels: np.ndarray | None = None,
                 label_name: str | None = None) -> pd.DataFrame:
    """The points table of items placed at ``coords``.

    Parameters
    ----------
    coords : array of shape (n_items, n_components)
    table : DataFrame with n_items rows, the data's own columns
    labels : array of shape (n_items,) or None, written as the ``label`` column
    label_name : str or None, the table column the labels came from; when it is ``label``
        itself, the table's copy is not written twice

    Returns
    -------
    DataFrame: coordinates (float32), ``label``, then the table's columns (renamed on a clash).
    """
    coords = np.asarray(coords, dtype=np.float32)
    if coords.ndim != 2:  # a (n,) vector is one coordinate; (0, k) stays k empty columns
        coords = coords.reshape(len(coords), -1)
    frame = pd.DataFrame(dict(zip(coordinate_names(coords.shape[1]), coords.T)))
    if labels is not None:
        frame[LABEL] = labels
    table = table.reset_index(drop=True)
    used, keep, renamed = set(frame.columns), [], []
    for pos, col in enumerate(map(str, table.columns)):
        if col == LABEL and label_name == LABEL and LABEL in used:
            continue  # the same labels, already in the label column
        new = CLASH_PREFIX + col if is_coordinate(col) or _is_escaped(col) else col
        while new in used:
            new = CLASH_PREFIX + new
        used.add(new)
        keep.append(pos)
        renamed.append(new)
    return pd.concat([frame, table.iloc[:, keep].set_axis(renamed, axis=1)], axis=1)


def coordinates(points: pd.DataFrame) -> np.ndarray:
    """The map coordinates of a points table, float32 of shape (n_items, n_components)."""
    return points[[c for c in points.columns if is_coordinate(c)]].to_numpy(np.float32)


def data_columns(points: pd.DataFrame) -> list[str]:
    """The columns of a points table that describe the items: everything but the coordinates."""
    return [c for c in points.columns if not is_coordinate(c)]


def split_points(points: pd.DataFrame, label_name: str | None
                 ) -> tuple[np.ndarray | None, pd.DataFrame]:
    """Undo :func:`points_frame`: the labels and the data's own table, with their old names.

    ``label_name`` is the recorded label column (None without labels). Returns the labels
    (None when the table has no ``label`` column or none was recorded) and the table.
    """
    has_labels = label_name is not None and LABEL in points.columns
    data = points.drop(columns=[c for c in points.columns if is_coordinate(c)]
                       + ([LABEL] if has_labels else []))
    data.columns = [_original_name(c) for c in data.columns]
    labels = points[LABEL].to_numpy() if has_labels else None
    if has_labels and label_name == LABEL and LABEL not in data.columns:
        data.insert(0, LABEL, labels)  # points_frame kept one copy of identical labels
    return labels, data


def _is_escaped(column: str) -> bool:
    """Whether ``column`` reads as a renamed one: the prefix on a reserved or renamed name."""
    bare = column[len(CLASH_PREFIX):]
    return column.startswith(CLASH_PREFIX) and (is_coordinate(bare) or bare == LABEL
                                                or _is_escaped(bare))


def _original_name(column: str) -> str:
    """``data_x`` → ``x``: one prefix comes off where :func:`points_frame` added it."""
    return column[len(CLASH_PREFIX):] if _is_escaped(column) else column


#: Columns the tooltip lists by default.
HOVER_DEFAULT = 4


def hover_columns(points: pd.DataFrame, limit: int = HOVER_DEFAULT) -> list[str]:
    """The first ``limit`` data columns worth listing in a tooltip by default.

    Skipped: a constant column (``width`` 128 for every image), one equal row by row to an
    earlier column (``species`` next to ``label``), and one equal to the row number, which the
    tooltip shows anyway (an ``index`` column). The user can still pick them.
    """
    row = pd.Series(np.arange(len(points)), index=points.index)
    kept: list[pd.Series] = [row]
    out = []
    for col in data_columns(points):
        if len(out) >= limit:
            break
        values = points[col]
        if len(values) > 1 and values.iloc[:1000].nunique(dropna=False) <= 1 and (
                values.nunique(dropna=False) <= 1):
            continue
        if any(_same(values, other) for other in kept):
            continue
        kept.append(values)
        out.append(col)
    return out


def _same(a: pd.Series, b: pd.Series) -> bool:
    """Whether two columns hold the same values row by row (as text: 3 equals "3")."""
    if len(a) > 1000 and not _same(a.iloc[:1000], b.iloc[:1000]):
        return False  # most pairs differ in their first rows: no need to compare them all
    return bool((a.astype(str).to_numpy() == b.astype(str).to_numpy()).all())
