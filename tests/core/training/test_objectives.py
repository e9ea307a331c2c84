"""global_correlation_loss_weight: umap-learn's global-structure term, and the extra terms' plumbing."""

import threading

import numpy as np
import pytest

from pumap_core import ParametricUMAP
from pumap_core.graph import fuzzy_simplicial_set, nearest_neighbors
from pumap_core.training.config import TrainingConfig
from pumap_core.training.decoding import Reconstruction
from pumap_core.training.networks import default_encoder
from pumap_core.training.objectives import BatchExtras, Objectives, pearson
from pumap_core.training.trainer import train


def _distance_correlation(X, emb, pairs=5000, seed=1):
    rng = np.random.default_rng(seed)
    i, j = rng.integers(0, len(X), (2, pairs))
    return np.corrcoef(np.linalg.norm(X[i] - X[j], axis=1),
                       np.linalg.norm(emb[i] - emb[j], axis=1))[0, 1]


def test_global_correlation_term_raises_the_distance_correlation(digits):
    """The issue's bar on digits: data / embedding distance correlation rises with weight 1."""
    X = digits[0][:1000]
    r = {}
    for weight in (0.0, 1.0):
        est = ParametricUMAP(random_state=0, n_training_epochs=30,
                             global_correlation_loss_weight=weight).fit(X)
        r[weight] = _distance_correlation(X, est.embedding_)
    assert r[1.0] > r[0.0] + 0.1
    assert len(est.history_["global_correlation_loss"]) == 30
    # the logged term is minus the batch correlation, close to the one measured here
    assert est.history_["global_correlation_loss"][-1] == pytest.approx(-r[1.0], abs=0.1)


def test_pearson_matches_numpy():
    rng = np.random.default_rng(0)
    x, y = rng.normal(size=(2, 200)).astype(np.float32)
    y = y + x
    assert float(pearson(x, y)) == pytest.approx(np.corrcoef(x, y)[0, 1], abs=1e-5)
    assert np.isfinite(float(pearson(x, np.ones_like(x))))  # constant distances: no 0/0


def test_batch_extras_index_the_embedded_points():
    """In the edge layout, pairs and decoded rows are indices into the step's embedded points,
    and their data come from those points' rows."""
    X = np.arange(40, dtype=np.float32).reshape(20, 2)
    recon = Reconstruction.build(X, decoder=None, loss_fcn=None, n_components=2,
                                 item_shape=(2,), seed=0)
    positions = np.full((20, 2), np.nan, np.float32)
    positions[3] = [1.0, 2.0]
    obj = Objectives(reconstruction=recon, global_correlation_weight=1.0,
                     landmark_positions=positions)
    rows = np.array([3, 7, 7, 12], np.int64)
    out = BatchExtras(X, obj, np.random.default_rng(0))(rows)
    np.testing.assert_array_equal(out["rec_idx"], np.arange(4))
    np.testing.assert_allclose(out["rec_target"], recon.targets(X[rows]))
    dx = np.linalg.norm(X[rows[out["gc_left"]]] - X[rows[out["gc_right"]]], axis=1)
    np.testing.assert_allclose(out["gc_dx"], dx, rtol=1e-6)
    np.testing.assert_array_equal(out["lm_mask"], [1, 0, 0, 0])
    np.testing.assert_array_equal(out["lm_pos"][0], [1.0, 2.0])
    assert not np.isnan(out["lm_pos"]).any()


def test_every_term_trains_in_the_edge_batch_layout(small):
    """Above the full-batch size a step embeds edge endpoints only; the terms still train."""
    X = small[0][:300]
    knn = nearest_neighbors(X, 10, "euclidean", seed=0, n_jobs=1, low_memory=True)
    graph = fuzzy_simplicial_set(knn)
    recon = Reconstruction.build(X, decoder=None, loss_fcn=None, n_components=2,
                                 item_shape=(64,), seed=0)
    positions = np.full((300, 2), np.nan, np.float32)
    positions[:30] = 0.0
    obj = Objectives(reconstruction=recon, global_correlation_weight=1.0,
                     landmark_positions=positions, validation=X[:40])
    config = TrainingConfig(n_epochs=3, batch_size=256, negative_sample_rate=5,
                            repulsion_strength=1.0, learning_rate=1e-2, full_batch_max_points=10)
    net = default_encoder((64,), 2, seed=0)
    result = train(net, X, graph, a=1.58, b=0.9, item_shape=(64,), config=config,
                   rng=np.random.default_rng(0), emit=lambda e: None,
                   cancel=threading.Event(), objectives=obj, val_inputs=X[:40])
    assert set(result.history) == {"loss", "umap_loss", "reconstruction_loss",
                                   "global_correlation_loss", "landmark_loss",
                                   "val_reconstruction_loss"}
    assert all(len(v) == 3 and np.isfinite(v).all() for v in result.history.values())
    assert result.history["landmark_loss"][-1] < result.history["landmark_loss"][0]
