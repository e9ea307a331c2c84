"""Labels in the graph: supervised and semi-supervised UMAP.

As in umap-learn, a target ``y`` changes the fuzzy graph, not the loss: the data's graph is
intersected with a graph of the target, then every point's strongest edge is set back to 1
and the views are joined again (:func:`reset_local_connectivity`).

- **categorical** targets (the default): an edge between two points of different known labels
  is weakened by ``exp(-far)``, with ``far = 2.5 / (1 - target_weight)`` (``target_weight`` 1:
  cut); an edge touching an unlabelled point (:data:`UNLABELLED`, -1) by ``exp(-1)``. So
  unlabelled points keep their place by their features alone (semi-supervised).
- **numeric** targets (``target_metric`` any metric of :mod:`.knn`): the target's own kNN
  fuzzy graph, intersected with the data's with the weight ``target_weight`` (0: the data
  alone, 1: the target alone) by umap-learn's mixed product.

>>> import scipy.sparse as sp
>>> g = sp.csr_matrix(np.array([[0, 1, .5], [1, 0, .5], [.5, .5, 0]], dtype=np.float32))
>>> out = categorical_intersection(g, np.array([0, 0, 1]), target_weight=0.5).toarray()
>>> bool(out[0, 1] > 10 * out[0, 2])
True
"""

from __future__ import annotations

from typing import Any

import numpy as np
import scipy.sparse

from ..errors import InvalidDataError
from .fuzzy import FuzzyGraph, fuzzy_simplicial_set
from .knn import nearest_neighbors

#: The label of a point whose class is not known (umap-learn's convention).
UNLABELLED = -1
#: How far apart an unlabelled point is put from every label (umap-learn's ``unknown_dist``).
UNKNOWN_DIST = 1.0


def far_distance(target_weight: float) -> float:
    """The distance between two different labels: 2.5 / (1 - w), "infinite" at w = 1."""
    return 2.5 / (1.0 - target_weight) if target_weight < 1.0 else 1e12


def categorical_intersection(graph: scipy.sparse.csr_matrix, labels: np.ndarray, *,
                             target_weight: float = 0.5) -> scipy.sparse.csr_matrix:
    """``graph`` with its edges between different known labels weakened (see the module).

    Parameters
    ----------
    graph : the symmetric fuzzy graph of the data, (n, n)
    labels : int array of shape (n,), a class code per point, :data:`UNLABELLED` for unknown
    """
    coo = graph.tocoo()
    head, tail = labels[coo.row], labels[coo.col]
    unknown = (head == UNLABELLED) | (tail == UNLABELLED)
    factor = np.where(unknown, np.exp(-UNKNOWN_DIST),
                      np.where(head != tail, np.exp(-far_distance(target_weight)), 1.0))
    weakened = scipy.sparse.csr_matrix(
        ((coo.data * factor).astype(np.float32), (coo.row, coo.col)), shape=graph.shape)
    return reset_local_connectivity(weakened)


def general_intersection(graph: scipy.sparse.csr_matrix, target: scipy.sparse.csr_matrix, *,
                         target_weight: float = 0.5) -> scipy.sparse.csr_matrix:
    """The data's and the target's fuzzy graphs combined, edge by edge, with ``target_weight``
    (0: the data's alone, 1: the target's alone); an edge missing from one graph takes half of
    that graph's smallest weight there. Then :func:`reset_local_connectivity`."""
    left, right = graph.tocsr(), target.tocsr()
    left_min = max(float(left.data.min()) / 2.0, 1e-8) if left.nnz else 1e-8
    right_min = max(float(right.data.min()) / 2.0, 1e-8) if right.nnz else 1e-8
    pattern = (abs(left) + abs(right)).tocoo()
    rows, cols = pattern.row, pattern.col
    lv = np.asarray(left[rows, cols]).ravel()
    rv = np.asarray(right[rows, cols]).ravel()
    lv, rv = np.where(lv > 0, lv, left_min), np.where(rv > 0, rv, right_min)
    w = float(np.clip(target_weight, 1e-6, 1 - 1e-6))
    if w < 0.5:
        mixed = lv * rv ** (w / (1.0 - w))
    else:
        mixed = lv ** ((1.0 - w) / w) * rv
    keep = (lv > left_min) | (rv > right_min)
    combined = scipy.sparse.csr_matrix(
        (mixed[keep].astype(np.float32), (rows[keep], cols[keep])), shape=graph.shape)
    return reset_local_connectivity(combined)


def reset_local_connectivity(graph: scipy.sparse.csr_matrix) -> scipy.sparse.csr_matrix:
    """Scale every row so that its strongest edge weighs 1, then join the two views of every
    edge again (fuzzy union), as the graph was built: each point stays connected to at least
    one neighbour however much the target weakened its edges."""
    graph = graph.tocsr().astype(np.float32)
    graph.eliminate_zeros()
    peak = np.asarray(graph.max(axis=1).todense()).ravel()
    scale = np.divide(1.0, peak, out=np.zeros_like(peak), where=peak > 0)
    scaled = scipy.sparse.diags(scale.astype(np.float32)) @ graph
    transpose = scaled.transpose().tocsr()
    joined = scaled + transpose - scaled.multiply(transpose)
    joined = scipy.sparse.csr_matrix(joined, dtype=np.float32)
    joined.eliminate_zeros()
    joined.sort_indices()
    return joined


def label_codes(y: Any, n_samples: int) -> np.ndarray:
    """A class code per point (0, 1, ...) from labels of any kind, :data:`UNLABELLED` where the
    label is -1, None or NaN.

    >>> label_codes(["cat", None, "dog", "cat"], 4).tolist()
    [0, -1, 1, 0]
    """
    values = _one_per_row(y, n_samples)
    if values.ndim != 1:
        raise InvalidDataError(f"Categorical labels must be one value per row; y has shape "
                               f"{values.shape}. Pass a 1-D array, or a numeric "
                               "target_metric for several target columns.")
    missing = np.array([_is_unlabelled(v) for v in values], dtype=bool)
    known = values[~missing]
    codes = np.full(n_samples, UNLABELLED, dtype=np.int64)
    if len(known):
        _, inverse = np.unique(known.astype(str), return_inverse=True)
        codes[~missing] = inverse
    return codes


def numeric_target(y: Any, n_samples: int) -> np.ndarray:
    """``y`` as a float32 matrix (n_samples, n_targets) for a numeric ``target_metric``."""
    values = _one_per_row(y, n_samples)
    try:
        numbers = values.astype(np.float32)
    except (TypeError, ValueError):
        raise InvalidDataError("With a numeric target_metric, y must hold numbers; use "
                               "target_metric='categorical' for class labels.") from None
    if not np.isfinite(numbers).all():
        raise InvalidDataError("y holds NaN or infinite values; a numeric target needs a "
                               "value for every row (categorical labels may use -1 for "
                               "unknown).")
    return numbers.reshape(n_samples, -1)


def supervised_graph(graph: FuzzyGraph, y: Any, *, target_metric: str, target_weight: float,
                     n_neighbors: int, seed: int) -> FuzzyGraph:
    """The data's fuzzy graph with the target ``y`` (one per row) taken in (see the module).

    Categorical labels that are all unknown leave the graph as it is (the map of ``X``)."""
    n = graph.graph.shape[0]
    if target_metric == "categorical":
        codes = label_codes(y, n)
        if (codes == UNLABELLED).all():
            return graph
        combined = categorical_intersection(graph.graph, codes, target_weight=target_weight)
    else:
        target = numeric_target(y, n)
        k = min(n_neighbors, n - 1)
        knn = nearest_neighbors(target, k, target_metric, seed=seed, n_jobs=1)
        combined = general_intersection(graph.graph, fuzzy_simplicial_set(knn).graph,
                                        target_weight=target_weight)
    return FuzzyGraph(graph=combined, sigmas=graph.sigmas, rhos=graph.rhos)


def target_values(y: Any) -> np.ndarray:
    """``y`` (a list, array, pandas Series or frame) as an object array."""
    return np.asarray(getattr(y, "to_numpy", lambda: y)(), dtype=object)


def fit_target(graph: FuzzyGraph, y: Any, *, landmark_rows: int, target_metric: str,
               target_weight: float, n_neighbors: int,
               rng: np.random.Generator) -> FuzzyGraph:
    """:func:`supervised_graph` for a fit: ``landmark_rows`` rows appended to the fit's data
    (``add_landmarks``) are unlabelled, and only a numeric target draws from ``rng`` (its
    kNN), so that class labels that are all unknown give the map of X alone, exactly."""
    values = target_values(y)
    if landmark_rows and values.ndim >= 1 and len(values) == graph.graph.shape[0] - landmark_rows:
        values = np.concatenate([values, np.full((landmark_rows, *values.shape[1:]), None,
                                                 dtype=object)])
    metric = str(target_metric).lower()
    seed = 0 if metric == "categorical" else int(rng.integers(2**31 - 1))
    return supervised_graph(graph, values, target_metric=metric, target_weight=target_weight,
                            n_neighbors=n_neighbors, seed=seed)


def _one_per_row(y: Any, n_samples: int) -> np.ndarray:
    values = target_values(y)
    if values.ndim == 0 or len(values) != n_samples:
        got = "one value" if values.ndim == 0 else f"{len(values):,} values"
        raise InvalidDataError(f"y has {got} but X has {n_samples:,} rows; pass one label per "
                               "row (-1 or None where it is unknown).")
    if values.ndim == 2 and values.shape[1] == 1:
        values = values[:, 0]
    return values


def _is_unlabelled(value: Any) -> bool:
    if value is None:
        return True
    if isinstance(value, (float, np.floating)):
        return bool(np.isnan(value)) or value == UNLABELLED
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return int(value) == UNLABELLED
    return False
