"""The global fuzzy simplicial set: UMAP's weighted kNN graph."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.sparse

from ._kernels import compute_membership_strengths, smooth_knn_dist
from .knn import KNNResult


@dataclass(frozen=True)
class FuzzyGraph:
    """Symmetric membership graph with weights in (0, 1] and no self loops.

    graph : scipy.sparse.csr_matrix of shape (n_samples, n_samples), float32
    sigmas, rhos : float32 arrays of shape (n_samples,)
    """

    graph: scipy.sparse.csr_matrix
    sigmas: np.ndarray
    rhos: np.ndarray

    @property
    def n_edges(self) -> int:
        """Number of stored (directed) edges; the matrix holds both directions."""
        return int(self.graph.nnz)

    def edges(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Heads, tails (int32) and weights (float32) of every stored edge."""
        coo = self.graph.tocoo()
        return (coo.row.astype(np.int32), coo.col.astype(np.int32),
                coo.data.astype(np.float32))


def local_fuzzy_sets(knn: KNNResult, *, local_connectivity: float = 1.0,
                     ) -> tuple[scipy.sparse.csr_matrix, np.ndarray, np.ndarray]:
    """Every point's own view of its neighbours, before the views are combined.

    Returns
    -------
    directed : scipy.sparse.csr_matrix of shape (n_samples, n_samples), float32
        Row i holds ``exp(-(d_ij - rho_i) / sigma_i)`` for the neighbours j of i (not symmetric).
    sigmas, rhos : float32 arrays of shape (n_samples,), from :func:`smooth_knn_dist`
    """
    n, k = knn.indices.shape
    sigmas, rhos = smooth_knn_dist(knn.distances, float(k),
                                   local_connectivity=float(local_connectivity))
    rows, cols, vals = compute_membership_strengths(knn.indices, knn.distances, sigmas, rhos)
    directed = scipy.sparse.coo_matrix((vals, (rows, cols)), shape=(n, n)).tocsr()
    directed.eliminate_zeros()
    return directed, sigmas, rhos


def combine_fuzzy_sets(directed: scipy.sparse.csr_matrix,
                       set_op_mix_ratio: float = 1.0) -> scipy.sparse.csr_matrix:
    """The symmetric graph of the points' views: ``set_op_mix_ratio`` × fuzzy union
    ``A + A^T - A * A^T`` + (1 - ``set_op_mix_ratio``) × intersection ``A * A^T``."""
    transpose = directed.transpose().tocsr()
    product = directed.multiply(transpose)
    graph = (set_op_mix_ratio * (directed + transpose - product)
             + (1.0 - set_op_mix_ratio) * product)
    graph = scipy.sparse.csr_matrix(graph, dtype=np.float32)
    graph.eliminate_zeros()
    graph.sort_indices()
    return graph


def fuzzy_simplicial_set(knn: KNNResult, *, set_op_mix_ratio: float = 1.0,
                         local_connectivity: float = 1.0) -> FuzzyGraph:
    """Combine the local fuzzy sets of every point into one symmetric graph.

    With ``set_op_mix_ratio = 1`` the combination is the fuzzy union
    ``A + A^T - A * A^T``; with 0 it is the intersection ``A * A^T``; values between mix the two.
    """
    directed, sigmas, rhos = local_fuzzy_sets(knn, local_connectivity=local_connectivity)
    return FuzzyGraph(graph=combine_fuzzy_sets(directed, set_op_mix_ratio), sigmas=sigmas,
                      rhos=rhos)
