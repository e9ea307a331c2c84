"""k-nearest neighbours: exact for small data, pynndescent beyond."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np

from ..errors import InvalidParameterError

log = logging.getLogger("pumap_core")

METRICS = ("euclidean", "cosine", "manhattan", "correlation")
_ALIASES = {"l2": "euclidean", "l1": "manhattan", "cityblock": "manhattan", "taxicab": "manhattan"}
# Brute force costs n^2 * d; below this budget (about 10 s on 2 cores) it beats NN-descent,
# whose numba compilation alone takes several seconds, and it is exact.
EXACT_BUDGET = 5e11


@dataclass(frozen=True)
class KNNResult:
    """Sorted neighbours of every point, the point itself first.

    indices : int32 array of shape (n_samples, n_neighbors)
    distances : float32 array of shape (n_samples, n_neighbors)
    exact : whether the search was exhaustive
    """

    indices: np.ndarray
    distances: np.ndarray
    metric: str
    exact: bool


def canonical_metric(metric: str) -> str:
    """Return the canonical name of a supported metric or raise a clear error."""
    name = _ALIASES.get(str(metric).lower(), str(metric).lower())
    if name not in METRICS:
        raise InvalidParameterError(
            f"Unknown metric {metric!r}; choose one of {', '.join(METRICS)}.")
    return name


def _exact_knn(X: np.ndarray, k: int, metric: str, n_jobs: int | None) -> tuple:
    from sklearn.neighbors import NearestNeighbors

    if metric == "correlation":  # correlation distance is the cosine distance of centred rows
        X = X - X.mean(axis=1, keepdims=True)
        metric = "cosine"
    nn = NearestNeighbors(n_neighbors=k, algorithm="brute", metric=metric, n_jobs=n_jobs)
    dist, ind = nn.fit(X).kneighbors(X)
    return ind, dist


def _put_self_first(ind: np.ndarray, dist: np.ndarray) -> None:
    """Duplicates can push a point behind its twins; UMAP expects it in column 0."""
    rows = np.arange(len(ind))
    misplaced = np.flatnonzero(ind[:, 0] != rows)
    for i in misplaced:
        where = np.flatnonzero(ind[i] == i)
        j = where[0] if len(where) else ind.shape[1] - 1
        ind[i, 1:j + 1] = ind[i, 0:j].copy()
        dist[i, 1:j + 1] = dist[i, 0:j].copy()
        ind[i, 0], dist[i, 0] = i, 0.0


def nearest_neighbors(X: np.ndarray, n_neighbors: int, metric: str = "euclidean", *,
                      seed: int = 0, n_jobs: int | None = None,
                      low_memory: bool = True) -> KNNResult:
    """Find ``n_neighbors`` neighbours of every row of ``X`` (the row itself included).

    Parameters
    ----------
    X : float32 array of shape (n_samples, n_features)
    n_neighbors : int
        Neighbours per point, counting the point itself (UMAP's convention).
    seed : int
        Seed for NN-descent's random projection trees (drawn from the fit's generator).
    n_jobs : int or None
        Threads; pass 1 for bit-for-bit reproducible NN-descent.
    """
    metric = canonical_metric(metric)
    n, d = X.shape
    if float(n) * n * d <= EXACT_BUDGET:
        ind, dist = _exact_knn(X, n_neighbors, metric, n_jobs)
        exact = True
    else:
        from pynndescent import NNDescent

        log.info("NN-descent on %d points", n)
        index = NNDescent(X, n_neighbors=n_neighbors, metric=metric, random_state=seed,
                          n_jobs=-1 if n_jobs is None else n_jobs, low_memory=low_memory,
                          compressed=True, verbose=False)
        ind, dist = index.neighbor_graph
        exact = False
    ind = np.ascontiguousarray(ind, dtype=np.int32)
    dist = np.ascontiguousarray(np.maximum(dist, 0.0), dtype=np.float32)
    _put_self_first(ind, dist)
    # A point is at distance 0 from itself; brute force's |x|² + |y|² - 2 x·y leaves ~1e-7 in
    # float32, which smooth_knn_dist would take for the nearest neighbour (ρ ≈ 0 everywhere).
    dist[:, 0] = 0.0
    return KNNResult(indices=ind, distances=dist, metric=metric, exact=exact)
