"""A spectral layout of the fuzzy graph, used to initialise the network (as paraDime does)."""

from __future__ import annotations

import logging

import numpy as np
import scipy.sparse
import scipy.sparse.csgraph
import scipy.sparse.linalg

log = logging.getLogger("pumap_core")


def _pca_layout(X: np.ndarray, dim: int) -> np.ndarray:
    centred = X - X.mean(axis=0)
    _, _, vt = np.linalg.svd(centred[: min(len(X), 20000)], full_matrices=False)
    out = centred @ vt[:dim].T
    if out.shape[1] < dim:  # fewer features than components
        out = np.hstack([out, np.zeros((len(X), dim - out.shape[1]), out.dtype)])
    return out


def pca_layout(X: np.ndarray, dim: int, seed: int) -> np.ndarray:
    """The first ``dim`` principal components of ``X``, centred, in units of the first one's std.

    Unlike :func:`spectral_layout` the axes are not standardised one by one: the ratio of their
    spreads is the data's, which is what a PCA start is for (global structure).

    Returns
    -------
    float32 array of shape (n_samples, dim); columns beyond the number of features are zero.
    """
    from sklearn.utils.extmath import randomized_svd

    X = np.asarray(X, dtype=np.float32)
    mean = X.mean(axis=0, dtype=np.float64).astype(np.float32)
    rows = X if len(X) <= 20000 else X[np.random.default_rng(seed).choice(len(X), 20000,
                                                                          replace=False)]
    k = min(dim, *rows.shape)
    _, _, vt = randomized_svd(rows - mean, k, n_iter=4, random_state=seed)
    out = np.zeros((len(X), dim), dtype=np.float32)
    out[:, :k] = (X - mean) @ vt.T
    std = float(out[:, 0].std())
    return out / (std if std > 0 else 1.0)


def spectral_layout(graph: scipy.sparse.csr_matrix, dim: int, X: np.ndarray,
                    seed: int) -> np.ndarray:
    """Eigenvectors 1..dim of the normalised Laplacian, standardised per axis.

    A disconnected graph, or an eigensolver that does not converge, falls back to PCA of ``X``
    (a layout is only a starting point for training, so a fallback is always acceptable).

    Returns
    -------
    float32 array of shape (n_samples, dim), each column with mean 0 and unit variance.
    """
    n = graph.shape[0]
    n_comp, _ = scipy.sparse.csgraph.connected_components(graph, directed=False)
    layout = None
    if n_comp == 1 and n > dim + 2:
        degree = np.asarray(graph.sum(axis=1)).ravel().astype(np.float64)
        inv_sqrt = scipy.sparse.diags(1.0 / np.sqrt(degree))
        lap = scipy.sparse.identity(n) - inv_sqrt @ graph.astype(np.float64) @ inv_sqrt
        k = dim + 1
        rng = np.random.default_rng(seed)
        try:
            vals, vecs = scipy.sparse.linalg.eigsh(
                lap, k, which="SM", ncv=max(2 * k + 1, int(np.sqrt(n))), tol=1e-4,
                v0=np.ones(n) + 0.01 * rng.standard_normal(n), maxiter=n * 5)
            layout = vecs[:, np.argsort(vals)[1:k]]
        except (scipy.sparse.linalg.ArpackError, ValueError):
            log.info("spectral layout did not converge; using PCA")
    if layout is None:
        layout = _pca_layout(X.astype(np.float64), dim)
    layout = layout - layout.mean(axis=0)
    std = layout.std(axis=0)
    return (layout / np.where(std > 0, std, 1.0)).astype(np.float32)
