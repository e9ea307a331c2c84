"""How good is a map? Trustworthiness (are embedding neighbours real neighbours?) and the
accuracy of a k-nearest-neighbour classifier inside the embedding (are classes kept apart?).

Both are computed on random subsets so that a report takes about a second at any size.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .errors import InvalidDataError

#: Rows used for trustworthiness: its cost grows with the square of this number.
TRUSTWORTHINESS_POINTS = 2000
#: Rows used for the k-NN accuracy (a KD-tree in the embedding, cheap even for many rows).
KNN_POINTS = 50_000
#: Random pairs scored by the distance correlation.
DISTANCE_PAIRS = 20_000
_SEED = 0  # a fixed default, so that the same map always gets the same score


def _pair(X: Any, embedding: Any) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=np.float32)
    X = X.reshape(len(X), -1)
    embedding = np.asarray(embedding, dtype=np.float32)
    if embedding.ndim != 2 or len(embedding) != len(X):
        raise InvalidDataError(f"The embedding has shape {embedding.shape} for {len(X)} rows of "
                               "data; pass the embedding of these rows.")
    return X, embedding


def _subset(n: int, max_points: int, rng: np.random.Generator) -> np.ndarray:
    if n <= max_points:
        return np.arange(n)
    return np.sort(rng.choice(n, size=max_points, replace=False))


def trustworthiness(X: Any, embedding: Any, n_neighbors: int = 10,
                    max_points: int = TRUSTWORTHINESS_POINTS,
                    rng: np.random.Generator | None = None) -> float:
    """scikit-learn's trustworthiness of ``embedding`` on at most ``max_points`` random rows.

    Parameters
    ----------
    X : array of shape (n, ...)
        The data (images are flattened).
    embedding : array of shape (n, n_components)
    n_neighbors : int
        Neighbourhood size k (lowered to below n/2 for tiny data, as scikit-learn requires).
    max_points : int
        Largest subset scored; the cost is O(max_points²).
    rng : numpy Generator or None
        Draws the subset; None uses a fixed seed.

    Returns
    -------
    float in [0, 1]; 1 means every embedding neighbour is a neighbour in the data.
    """
    X, embedding = _pair(X, embedding)
    rng = np.random.default_rng(_SEED) if rng is None else rng
    idx = _subset(len(X), max_points, rng)
    k = min(int(n_neighbors), (len(idx) - 1) // 2)
    if k < 1:
        raise InvalidDataError(f"Trustworthiness needs at least 3 rows, got {len(idx)}.")
    from sklearn.manifold import trustworthiness as _sk_trustworthiness

    return float(_sk_trustworthiness(X[idx], embedding[idx], n_neighbors=k))


def distance_correlation(X: Any, embedding: Any, n_pairs: int = DISTANCE_PAIRS,
                         rng: np.random.Generator | None = None) -> float:
    """Pearson correlation of data-space and embedding-space distances over random pairs.

    A measure of global structure (the Parametric UMAP paper's "global correlation"): 1 when
    the map keeps the ordering and ratios of all distances, near 0 when far is not far.

    Parameters
    ----------
    X : array of shape (n, ...)
        The data (images are flattened); Euclidean distances.
    embedding : array of shape (n, n_components)
    n_pairs : int
        Random pairs of distinct rows scored.
    rng : numpy Generator or None
        Draws the pairs; None uses a fixed seed.

    Returns
    -------
    float in [-1, 1] (0.0 when either set of distances is constant).
    """
    X, embedding = _pair(X, embedding)
    if len(X) < 3:
        raise InvalidDataError(f"A distance correlation needs at least 3 rows, got {len(X)}.")
    rng = np.random.default_rng(_SEED) if rng is None else rng
    i = rng.integers(0, len(X), n_pairs)
    j = (i + rng.integers(1, len(X), n_pairs)) % len(X)  # never a point with itself
    data = np.linalg.norm(X[i].astype(np.float64) - X[j], axis=1)
    emb = np.linalg.norm(embedding[i].astype(np.float64) - embedding[j], axis=1)
    if data.std() == 0 or emb.std() == 0:
        return 0.0
    return float(np.corrcoef(data, emb)[0, 1])


def _discrete(labels: Any) -> np.ndarray | None:
    """The labels as an array, or None when they cannot define classes."""
    if labels is None:
        return None
    labels = np.asarray(labels)
    if labels.dtype.kind == "f":  # whole numbers stored as floats are classes; others are not
        if not np.isfinite(labels).all() or not np.array_equal(labels, np.round(labels)):
            return None
    elif labels.dtype.kind == "O":
        labels = labels.astype(str)
    return labels if len(np.unique(labels)) >= 2 else None


def knn_accuracy(embedding: Any, labels: Any, k: int = 5, rng: np.random.Generator | None = None,
                 max_points: int = KNN_POINTS) -> float | None:
    """Accuracy of a k-NN classifier trained on 80 % of the embedded points, tested on the rest.

    The split is stratified when every class has at least two points. Chance level is about
    the share of the largest class.

    Parameters
    ----------
    embedding : array of shape (n, n_components)
    labels : array of shape (n,) or None
    k : int
        Neighbours that vote.
    rng : numpy Generator or None
        Draws the subset and the split; None uses a fixed seed.
    max_points : int
        Largest number of points used (a random subset beyond).

    Returns
    -------
    float in [0, 1], or None without labels, with continuous (non-integer float) labels, with
    fewer than 2 classes or fewer than 5 points.
    """
    labels = _discrete(labels)
    if labels is None:
        return None
    embedding = np.asarray(embedding, dtype=np.float32)
    if len(embedding) != len(labels):
        raise InvalidDataError(f"{len(labels)} labels for {len(embedding)} embedded points.")
    rng = np.random.default_rng(_SEED) if rng is None else rng
    idx = _subset(len(labels), max_points, rng)
    if len(idx) < 5:
        return None
    emb, lab = embedding[idx], labels[idx]
    from sklearn.model_selection import train_test_split
    from sklearn.neighbors import KNeighborsClassifier

    _, counts = np.unique(lab, return_counts=True)
    n_test = max(1, int(round(0.2 * len(lab))))
    stratify = lab if counts.min() >= 2 and n_test >= len(counts) else None
    train, test = train_test_split(np.arange(len(lab)), test_size=n_test, stratify=stratify,
                                   random_state=int(rng.integers(2**31 - 1)))
    clf = KNeighborsClassifier(n_neighbors=min(int(k), len(train)))
    clf.fit(emb[train], lab[train])
    return float(np.mean(clf.predict(emb[test]) == lab[test]))


def quality_report(X: Any, embedding: Any, labels: Any = None) -> dict[str, Any]:
    """Both scores, JSON-ready (plain floats, None where not defined).

    Returns
    -------
    dict
        ``trustworthiness`` (k=10), ``knn_accuracy`` (k=5, None without classes),
        ``trustworthiness_k``, ``knn_k`` and ``n_scored`` (rows in the trustworthiness subset).
    """
    X, embedding = _pair(X, embedding)
    n = len(X)
    return {
        "trustworthiness": trustworthiness(X, embedding, n_neighbors=10) if n >= 3 else None,
        "knn_accuracy": knn_accuracy(embedding, labels, k=5),
        "trustworthiness_k": min(10, (min(n, TRUSTWORTHINESS_POINTS) - 1) // 2),
        "knn_k": 5,
        "n_scored": min(n, TRUSTWORTHINESS_POINTS),
    }
