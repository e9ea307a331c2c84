"""What UMAP computes, one step at a time, for teaching: a point's neighbours, its ρ and σ, its
edge weights before and after the fuzzy union, the curve of the map and the loss.

Everything here reuses the graph functions the estimator trains with
(:func:`~pumap_core.graph.nearest_neighbors`, :func:`~pumap_core.graph.local_fuzzy_sets`,
:func:`~pumap_core.graph.combine_fuzzy_sets`, :func:`~pumap_core.graph.find_ab_params`), so the
numbers shown are the ones training uses. Imports without TensorFlow (the encoder is read only
through the attributes of a Keras model handed in).

>>> from pumap_core.data import load_demo
>>> steps = explain_graph(load_demo("iris").X, n_neighbors=10)
>>> hood = steps.neighbourhood(0)
>>> round(float(hood.weights.sum()), 3) == round(float(np.log2(10)), 3)
True
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import scipy.sparse

from .graph import (KNNResult, combine_fuzzy_sets, find_ab_params, local_fuzzy_sets,
                    nearest_neighbors, target_curve, umap_curve)

#: The epsilon training adds to d² (pumap_core.training.losses.DIST_EPS, which imports Keras;
#: tests/core/test_explain.py checks that the two agree).
DIST_EPS = 1e-3


@dataclass(frozen=True)
class Neighbourhood:
    """One point's k nearest neighbours in the data and its own view of them (before the union).

    point : int, the row of the point
    neighbours : int array (k - 1,), nearest first, the point itself left out
    distances : float array (k - 1,), in the data, with the fit's metric
    rho : float, distance to the nearest neighbour (ρ)
    sigma : float, the kernel width (σ) found so that the weights sum to log2 k
    weights : float array (k - 1,), ``exp(-(d - ρ) / σ)``: the point's own view
    target : float, log2 k
    """

    point: int
    neighbours: np.ndarray
    distances: np.ndarray
    rho: float
    sigma: float
    weights: np.ndarray
    target: float

    def kernel(self, d: np.ndarray) -> np.ndarray:
        """The weight this point gives a neighbour at data distance ``d``."""
        return np.exp(-np.maximum(0.0, np.asarray(d, dtype=float) - self.rho) / self.sigma)


@dataclass(frozen=True)
class Edges:
    """The edges of one point after the views are combined, strongest first.

    others : int array (m,), the points at the other end: its own neighbours and the points that
        count it among theirs
    own : float array (m,), the point's own weight for each (0 where it is not its neighbour)
    theirs : float array (m,), the other point's weight for this one (0 where it is not theirs)
    combined : float array (m,), the weight in the graph training uses
    """

    others: np.ndarray
    own: np.ndarray
    theirs: np.ndarray
    combined: np.ndarray


@dataclass(frozen=True)
class GraphSteps:
    """The graph of a dataset, kept in its two halves: each point's view, then their union.

    knn : KNNResult, the neighbours of every point
    directed : csr_matrix (n, n), row i is point i's own view (not symmetric)
    sigmas, rhos : float32 arrays (n,)
    """

    knn: KNNResult
    directed: scipy.sparse.csr_matrix
    sigmas: np.ndarray
    rhos: np.ndarray

    @property
    def n_neighbors(self) -> int:
        return int(self.knn.indices.shape[1])

    def neighbourhood(self, point: int) -> Neighbourhood:
        """Point ``point``'s neighbours, ρ, σ and own weights."""
        ind, dist = self.knn.indices[point], self.knn.distances[point]
        keep = ind != point  # the point itself (column 0)
        others = ind[keep]
        row = self.directed.getrow(point).toarray().ravel()
        return Neighbourhood(point=int(point), neighbours=others,
                             distances=dist[keep].astype(float), rho=float(self.rhos[point]),
                             sigma=float(self.sigmas[point]), weights=row[others].astype(float),
                             target=float(np.log2(self.n_neighbors)))

    def graph(self, set_op_mix_ratio: float = 1.0) -> scipy.sparse.csr_matrix:
        """The symmetric graph training uses, for this ``set_op_mix_ratio``."""
        return combine_fuzzy_sets(self.directed, set_op_mix_ratio)

    def edges(self, point: int, set_op_mix_ratio: float = 1.0) -> Edges:
        """Point ``point``'s edges before and after combining the views."""
        own = self.directed.getrow(point).toarray().ravel()
        theirs = self.directed.getcol(point).toarray().ravel()
        # The combination of one row needs only these two vectors (combine_fuzzy_sets on the
        # whole graph gives the same row; the tests check it).
        product = own * theirs
        combined = (set_op_mix_ratio * (own + theirs - product)
                    + (1.0 - set_op_mix_ratio) * product)
        others = np.flatnonzero((own > 0) | (theirs > 0))
        others = others[others != point]
        order = np.argsort(-combined[others], kind="stable")
        others = others[order]
        return Edges(others=others, own=own[others].astype(float),
                     theirs=theirs[others].astype(float),
                     combined=combined[others].astype(float))


def explain_graph(X: np.ndarray, n_neighbors: int = 15, metric: str = "euclidean", *,
                  local_connectivity: float = 1.0, seed: int = 0) -> GraphSteps:
    """Build the graph of ``X`` (n_samples, n_features) as a fit does, keeping both halves.

    For data small enough for the exact search (digits, the tables of a class) the kNN and the
    weights are those of the estimator's own graph.
    """
    knn = nearest_neighbors(np.asarray(X, dtype=np.float32), int(n_neighbors), metric,
                            seed=seed, n_jobs=1)
    directed, sigmas, rhos = local_fuzzy_sets(knn, local_connectivity=local_connectivity)
    return GraphSteps(knn=knn, directed=directed, sigmas=sigmas, rhos=rhos)


@dataclass(frozen=True)
class CurveFit:
    """The map's similarity curve for ``min_dist`` and ``spread``, next to its target.

    a, b : float, from :func:`~pumap_core.graph.find_ab_params`
    x : float array (m,), map distances from 0 to 3 × spread
    target : float array (m,), 1 below min_dist, then exp(-(x - min_dist) / spread)
    fitted : float array (m,), 1 / (1 + a x^(2b))
    """

    min_dist: float
    spread: float
    a: float
    b: float
    x: np.ndarray
    target: np.ndarray
    fitted: np.ndarray

    @property
    def max_error(self) -> float:
        """Largest gap between the fitted curve and its target."""
        return float(np.max(np.abs(self.fitted - self.target)))


def curve_fit(min_dist: float, spread: float, n: int = 300) -> CurveFit:
    """Fit a and b for ``min_dist`` and ``spread`` and sample both curves.

    Raises
    ------
    InvalidParameterError
        spread is not positive or min_dist is not between 0 and spread.
    """
    a, b = find_ab_params(spread, min_dist)
    x = np.linspace(0.0, 3.0 * spread, n)
    return CurveFit(min_dist=float(min_dist), spread=float(spread), a=a, b=b, x=x,
                    target=target_curve(x, spread, min_dist), fitted=umap_curve(x, a, b))


@dataclass(frozen=True)
class LossCurves:
    """UMAP's loss for one pair of map points as a function of their distance.

    d : float array (m,), map distances
    attraction : the loss of an edge, -log q(d): grows as its ends drift apart
    repulsion : the loss of one negative sample, repulsion_strength × -log(1 - q(d)): grows
        as two random points come close
    pull, push : the size of the force each exerts (the slope of its loss), same shapes
    negative_sample_rate, repulsion_strength : the parameters used
    """

    d: np.ndarray
    attraction: np.ndarray
    repulsion: np.ndarray
    pull: np.ndarray
    push: np.ndarray
    negative_sample_rate: int
    repulsion_strength: float

    @property
    def push_per_edge(self) -> float:
        """How much repulsion weighs against one edge: negatives per edge × their weight."""
        return self.negative_sample_rate * self.repulsion_strength


def _softplus(z: np.ndarray) -> np.ndarray:
    return np.logaddexp(0.0, z)


def _sigmoid(z: np.ndarray) -> np.ndarray:
    return 0.5 * (1.0 + np.tanh(0.5 * z))


def loss_curves(a: float, b: float, *, negative_sample_rate: int = 5,
                repulsion_strength: float = 1.0, d_max: float = 4.0, n: int = 300) -> LossCurves:
    """Attraction and repulsion for map distances 0 … ``d_max``, as training computes them.

    Training writes q = 1 / (1 + a d^(2b)) as sigmoid(z) with z = -log a - b log(d² + ε)
    (:func:`pumap_core.training.losses.umap_logits`): an edge costs softplus(-z) and a negative
    sample repulsion_strength × softplus(z) (binary cross-entropy with targets 1 and 0).
    """
    d = np.linspace(0.0, float(d_max), n)
    d2 = d * d + DIST_EPS
    z = -math.log(a) - b * np.log(d2)
    dz = -2.0 * b * d / d2  # dz / dd
    strength = float(repulsion_strength)
    return LossCurves(d=d, attraction=_softplus(-z), repulsion=strength * _softplus(z),
                      pull=_sigmoid(-z) * -dz, push=strength * _sigmoid(z) * -dz,
                      negative_sample_rate=int(negative_sample_rate),
                      repulsion_strength=strength)


@dataclass(frozen=True)
class LayerInfo:
    """One layer of an encoder: its name, kind, output size and number of weights."""

    name: str
    kind: str
    output: str
    parameters: int


def encoder_layers(encoder: Any) -> list[LayerInfo]:
    """The layers of a Keras encoder (its input layer left out), in order."""
    layers = []
    for layer in encoder.layers:
        kind = type(layer).__name__
        if kind == "InputLayer":
            continue
        try:
            shape = tuple(layer.output.shape)[1:]
        except (AttributeError, ValueError):  # a layer never called on a symbolic input
            shape = ()
        layers.append(LayerInfo(name=layer.name, kind=kind,
                                output=" × ".join(str(s) for s in shape) or "?",
                                parameters=int(layer.count_params())))
    return layers


def nearest_rows(X: np.ndarray, item: np.ndarray, k: int,
                 metric: str = "euclidean") -> tuple[np.ndarray, np.ndarray]:
    """The ``k`` rows of ``X`` (n, d) nearest to ``item`` (d,), and their distances, nearest
    first: the training items a new item resembles most."""
    from sklearn.metrics import pairwise_distances

    dist = pairwise_distances(np.asarray(item, dtype=np.float64).reshape(1, -1),
                              np.asarray(X, dtype=np.float64), metric=metric).ravel()
    order = np.argsort(dist, kind="stable")[:k]
    return order, dist[order]


def blend(X: np.ndarray, first: int, second: int, share: float) -> np.ndarray:
    """A new item between two rows: (1 - share) × X[first] + share × X[second], float32 (d,)."""
    return ((1.0 - share) * np.asarray(X[first], dtype=np.float64)
            + share * np.asarray(X[second], dtype=np.float64)).astype(np.float32)
