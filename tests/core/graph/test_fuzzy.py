"""Graph invariants, and equality with umap-learn's fuzzy_simplicial_set on the same kNN."""

import numpy as np
import pytest

from pumap_core.graph import fuzzy_simplicial_set
from pumap_core.graph import nearest_neighbors


@pytest.fixture(scope="module")
def knn(digits):
    return nearest_neighbors(digits[0], 15)


def test_graph_is_symmetric_without_self_loops(knn):
    g = fuzzy_simplicial_set(knn).graph
    assert abs(g - g.T).max() < 1e-6
    assert g.diagonal().max() == 0
    assert g.data.min() > 0 and g.data.max() <= 1


@pytest.mark.parametrize("mix", [1.0, 0.5, 0.0])
@pytest.mark.parametrize("local_connectivity", [1.0, 2.0])
def test_graph_equals_umap_learn_on_the_same_knn(digits, knn, mix, local_connectivity):
    from umap.umap_ import fuzzy_simplicial_set as reference

    ours = fuzzy_simplicial_set(knn, set_op_mix_ratio=mix, local_connectivity=local_connectivity)
    theirs, sigmas, rhos = reference(digits[0], 15, None, "euclidean", knn_indices=knn.indices,
                                     knn_dists=knn.distances, set_op_mix_ratio=mix,
                                     local_connectivity=local_connectivity)
    assert abs(ours.graph - theirs).max() < 1e-6
    np.testing.assert_allclose(ours.sigmas, sigmas, rtol=1e-6)
    np.testing.assert_allclose(ours.rhos, rhos, rtol=1e-6)


def test_intersection_is_contained_in_union(knn):
    union = fuzzy_simplicial_set(knn, set_op_mix_ratio=1.0).graph
    inter = fuzzy_simplicial_set(knn, set_op_mix_ratio=0.0).graph
    assert inter.nnz < union.nnz
    assert (inter - union).max() <= 1e-7

