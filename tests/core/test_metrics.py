"""Quality scores: trustworthiness and held-out k-NN accuracy inside the embedding."""

import json

import numpy as np
import pytest

from pumap_core.errors import InvalidDataError
from pumap_core.metrics import (distance_correlation, knn_accuracy, quality_report,
                                trustworthiness)


def test_trustworthiness_is_one_for_the_data_itself_and_lower_for_noise(small):
    X, _ = small
    assert trustworthiness(X, X) == pytest.approx(1.0, abs=1e-4)  # < 1 only by distance ties
    noise = np.random.default_rng(0).normal(size=(len(X), 2))
    assert 0.0 < trustworthiness(X, noise) < 0.7


def test_digits_map_scores_well_above_chance(fitted, small):
    X, y = small
    assert 0.8 < trustworthiness(X, fitted.embedding_) <= 1.0
    accuracy = knn_accuracy(fitted.embedding_, y)
    assert accuracy > 0.5  # chance is about 0.1 with ten balanced classes


def test_subsets_are_reproducible_and_bounded():
    rng = np.random.default_rng(1)
    X = rng.normal(size=(3000, 5)).astype(np.float32)
    emb = X[:, :2]
    first = trustworthiness(X, emb, max_points=300)
    assert first == trustworthiness(X, emb, max_points=300)
    assert 0.0 < first <= 1.0
    assert trustworthiness(X, emb, max_points=300, rng=np.random.default_rng(5)) != first
    labels = (X[:, 0] > 0).astype(int)
    assert knn_accuracy(emb, labels, max_points=500) == knn_accuracy(emb, labels, max_points=500)
    assert knn_accuracy(emb, labels) > 0.95


@pytest.mark.parametrize("labels", [None, np.linspace(0, 1, 50), np.zeros(50, int),
                                    np.array(["a"] * 50)])
def test_knn_accuracy_is_none_without_classes(labels):
    emb = np.random.default_rng(0).normal(size=(50, 2))
    assert knn_accuracy(emb, labels) is None


def test_knn_accuracy_accepts_strings_whole_floats_and_singletons():
    rng = np.random.default_rng(0)
    emb = np.concatenate([rng.normal(0, 0.1, (30, 2)), rng.normal(5, 0.1, (30, 2))])
    classes = np.repeat([0, 1], 30)
    assert knn_accuracy(emb, classes.astype(float)) == 1.0
    assert knn_accuracy(emb, np.where(classes, "dog", "cat")) == 1.0
    lonely = classes.copy()
    lonely[0] = 2  # a class with one member: no stratified split, no crash
    assert 0.8 <= knn_accuracy(emb, lonely) <= 1.0


def test_report_is_json_ready(small):
    X, y = small
    report = quality_report(X, X[:, :2], y)
    assert json.loads(json.dumps(report)) == report
    assert set(report) >= {"trustworthiness", "knn_accuracy"}
    assert isinstance(report["trustworthiness"], float)
    assert quality_report(X, X[:, :2], None)["knn_accuracy"] is None


def test_mismatched_shapes_are_refused(small):
    X, _ = small
    with pytest.raises(InvalidDataError):
        trustworthiness(X, X[:10, :2])


def test_distance_correlation_is_one_for_a_scaled_copy_and_near_zero_for_noise(small):
    X, _ = small
    assert distance_correlation(X, 3 * X) == pytest.approx(1.0, abs=1e-9)
    noise = np.random.default_rng(0).normal(size=(len(X), 2))
    assert abs(distance_correlation(X, noise)) < 0.05
    pca = (X - X.mean(axis=0)) @ np.linalg.svd(X - X.mean(axis=0), full_matrices=False)[2][:2].T
    assert 0.5 < distance_correlation(X, pca) < 1.0
    assert distance_correlation(X, pca) == distance_correlation(X, pca)  # fixed pairs
    with pytest.raises(InvalidDataError):
        distance_correlation(X[:2], pca[:2])
