"""Graph construction: kNN, local fuzzy sets and their union. Imports without TensorFlow."""

from .ab import find_ab_params, target_curve, umap_curve
from .fuzzy import (FuzzyGraph, combine_fuzzy_sets, fuzzy_simplicial_set,
                    local_fuzzy_sets)
from .knn import METRICS, KNNResult, canonical_metric, nearest_neighbors

__all__ = ["FuzzyGraph", "KNNResult", "METRICS", "canonical_metric", "combine_fuzzy_sets",
           "find_ab_params", "fuzzy_simplicial_set", "local_fuzzy_sets", "nearest_neighbors",
           "target_curve", "umap_curve"]
