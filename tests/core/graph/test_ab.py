"""find_ab_params: the curve 1 / (1 + a d^2b) fitted to min_dist and spread as umap-learn does."""

import numpy as np
import pytest

from pumap_core.errors import InvalidParameterError
from pumap_core.graph import find_ab_params


def test_ab_params_match_umap_learn():
    from umap.umap_ import find_ab_params as reference

    for spread, min_dist in [(1.0, 0.1), (1.0, 0.0), (2.0, 0.5)]:
        np.testing.assert_allclose(find_ab_params(spread, min_dist),
                                   reference(spread, min_dist), rtol=1e-4)


def test_ab_params_reject_min_dist_beyond_spread():
    with pytest.raises(InvalidParameterError, match="min_dist"):
        find_ab_params(1.0, 2.0)
