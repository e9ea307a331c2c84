"""Numba kernels for UMAP's local fuzzy simplicial sets (McInnes, Healy & Melville, 2018, §3).

Names follow umap-learn so the maths can be cross-checked with the paper and its code.
"""

from __future__ import annotations

import numba
import numpy as np

SMOOTH_K_TOLERANCE = 1e-5
MIN_K_DIST_SCALE = 1e-3


@numba.njit(parallel=True, cache=True)
def smooth_knn_dist(distances, k, n_iter=64, local_connectivity=1.0, bandwidth=1.0):
    """Per-point distance to the nearest neighbour (rho) and bandwidth (sigma).

    For every row i, sigma_i is found by binary search so that
    ``sum_{j>0} exp(-max(0, d_ij - rho_i) / sigma_i) == log2(k) * bandwidth``; column 0 is the
    point itself and is left out of the sum.

    Parameters
    ----------
    distances : float32 array of shape (n_samples, k)
        Sorted kNN distances, self first.
    k : float
        Number of neighbours (including self).

    Returns
    -------
    sigmas, rhos : float32 arrays of shape (n_samples,)
    """
    target = np.log2(k) * bandwidth
    n = distances.shape[0]
    rho = np.zeros(n, dtype=np.float32)
    result = np.zeros(n, dtype=np.float32)
    mean_distances = np.mean(distances)

    for i in numba.prange(n):
        lo = 0.0
        hi = np.inf
        mid = 1.0
        row = distances[i]
        nonzero = row[row > 0.0]
        if nonzero.shape[0] >= local_connectivity:
            index = int(np.floor(local_connectivity))
            interpolation = local_connectivity - index
            if index > 0:
                rho[i] = nonzero[index - 1]
                if interpolation > SMOOTH_K_TOLERANCE:
                    rho[i] += interpolation * (nonzero[index] - nonzero[index - 1])
            else:
                rho[i] = interpolation * nonzero[0]
        elif nonzero.shape[0] > 0:
            rho[i] = np.max(nonzero)

        for _ in range(n_iter):
            psum = 0.0
            for j in range(1, distances.shape[1]):
                d = distances[i, j] - rho[i]
                if d > 0:
                    psum += np.exp(-(d / mid))
                else:
                    psum += 1.0
            if np.fabs(psum - target) < SMOOTH_K_TOLERANCE:
                break
            if psum > target:
                hi = mid
                mid = (lo + hi) / 2.0
            else:
                lo = mid
                if hi == np.inf:
                    mid *= 2
                else:
                    mid = (lo + hi) / 2.0
        result[i] = mid

        # A floor on sigma keeps memberships finite where all neighbours sit at one distance.
        if rho[i] > 0.0:
            mean_ith = np.mean(row)
            if result[i] < MIN_K_DIST_SCALE * mean_ith:
                result[i] = MIN_K_DIST_SCALE * mean_ith
        elif result[i] < MIN_K_DIST_SCALE * mean_distances:
            result[i] = MIN_K_DIST_SCALE * mean_distances
    return result, rho


@numba.njit(parallel=True, cache=True)
def compute_membership_strengths(knn_indices, knn_dists, sigmas, rhos):
    """Directed membership strengths ``exp(-(d_ij - rho_i) / sigma_i)`` as COO triplets.

    Self edges and missing neighbours (index -1) get weight 0 and are dropped later.

    Returns
    -------
    rows, cols : int32 arrays of shape (n_samples * k,)
    vals : float32 array of shape (n_samples * k,)
    """
    n, k = knn_indices.shape
    rows = np.zeros(n * k, dtype=np.int32)
    cols = np.zeros(n * k, dtype=np.int32)
    vals = np.zeros(n * k, dtype=np.float32)
    for i in numba.prange(n):
        for j in range(k):
            idx = knn_indices[i, j]
            if idx == -1:
                continue
            if idx == i:
                val = 0.0
            elif knn_dists[i, j] - rhos[i] <= 0.0 or sigmas[i] == 0.0:
                val = 1.0
            else:
                val = np.exp(-((knn_dists[i, j] - rhos[i]) / sigmas[i]))
            rows[i * k + j] = i
            cols[i * k + j] = idx
            vals[i * k + j] = val
    return rows, cols, vals
