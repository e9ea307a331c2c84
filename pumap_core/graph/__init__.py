"""Graph construction: kNN, local fuzzy sets and their union. Imports without TensorFlow."""

from .ab import find_ab_params
from .fuzzy import FuzzyGraph, fuzzy_simplicial_set
from .knn import METRICS, KNNResult, canonical_metric, nearest_neighbors

__all__ = ["FuzzyGraph", "KNNResult", "METRICS", "canonical_metric", "find_ab_params",
           "fuzzy_simplicial_set", "nearest_neighbors"]
