"""``init``: the warm start before UMAP training ("spectral", "pca", "random" or an array)."""

import json

import numpy as np
import pytest

from pumap_core import InvalidParameterError, ParametricUMAP, load_ParametricUMAP
from pumap_core.graph.spectral import pca_layout
from pumap_core.training import fit as fit_module


@pytest.fixture
def warm_starts(monkeypatch):
    """Record the target layout of every warm start (and still run it)."""
    calls = []
    original = fit_module.warm_start

    def recording(net, X, layout, item_shape, rng):
        calls.append(np.array(layout))
        original(net, X, layout, item_shape, rng)

    monkeypatch.setattr(fit_module, "warm_start", recording)
    return calls


def _corr(a, b):
    """Largest absolute correlation between the first axis of ``a`` and an axis of ``b``."""
    return max(abs(np.corrcoef(a[:, 0], b[:, j])[0, 1]) for j in range(b.shape[1]))


@pytest.mark.parametrize("init", ["spectral", "pca", "random"])
def test_each_init_fits_and_only_random_skips_the_warm_start(small, init, warm_starts):
    X, _ = small
    emb = ParametricUMAP(init=init, n_training_epochs=2, random_state=0).fit_transform(X)
    assert emb.shape == (400, 2) and np.isfinite(emb).all()
    assert len(warm_starts) == (0 if init == "random" else 1)
    if warm_starts:
        target = warm_starts[0]
        assert target.shape == (400, 2)
        np.testing.assert_allclose(target.mean(axis=0), 0, atol=1e-4)
        assert target.std(axis=0).max() == pytest.approx(fit_module.INIT_SCALE, rel=1e-3)


def test_random_gives_a_different_map_than_spectral(small):
    X, _ = small
    a = ParametricUMAP(init="spectral", n_training_epochs=1, random_state=0).fit_transform(X)
    b = ParametricUMAP(init="random", n_training_epochs=1, random_state=0).fit_transform(X)
    assert np.abs(a - b).max() > 0.1


def test_pca_target_keeps_the_aspect_of_the_principal_components(small, warm_starts):
    X, _ = small
    ParametricUMAP(init="pca", n_training_epochs=1, random_state=0).fit(X)
    target = warm_starts[0]
    expected = pca_layout(X, 2, 0)
    assert _corr(target, expected) > 0.99
    # axis spreads in the data's ratio (PC1 wider than PC2), not standardised one by one
    ratio = expected[:, 1].std() / expected[:, 0].std()
    assert ratio < 0.95
    assert target[:, 1].std() / target[:, 0].std() == pytest.approx(ratio, rel=1e-2)


def test_array_init_is_what_the_network_regresses_onto(small, warm_starts):
    X, y = small
    # positions a network cannot get from PCA or the graph: the label on one axis
    positions = np.stack([y.astype(np.float32) * 10, np.arange(400, dtype=np.float32) % 7],
                         axis=1)
    est = ParametricUMAP(init=positions, n_training_epochs=1, learning_rate=1e-7,
                         random_state=0).fit(X)
    assert _corr(warm_starts[0], positions) > 0.999
    # after the warm start (and a negligible UMAP step) the map follows the label axis
    assert abs(np.corrcoef(est.embedding_[:, 0], positions[:, 0])[0, 1]) > 0.8


@pytest.mark.parametrize("bad, match", [
    ("umap", "init must be 'spectral', 'pca', 'random' or an array"),
    (3, "got 3"),
    (None, "got None"),
    (np.zeros((400, 3)), r"shape \(400, 3\)"),
    (np.zeros(400), r"shape \(400,\)"),
    (np.full((400, 2), np.nan), "NaN"),
    (np.zeros((10, 2)), "init has 10 rows but the data have 400"),
])
def test_bad_init_gives_one_clear_error(small, bad, match):
    X, _ = small
    with pytest.raises(InvalidParameterError, match=match) as info:
        ParametricUMAP(init=bad, n_training_epochs=1).fit(X)
    assert "\n" not in info.value.user_message


def test_saved_manifest_names_the_init_and_an_array_is_not_kept(small, tmp_path):
    X, _ = small
    positions = np.random.default_rng(0).normal(size=(400, 2))
    est = ParametricUMAP(init=positions, n_training_epochs=1, random_state=0).fit(X)
    est.save(tmp_path / "m")
    assert json.loads((tmp_path / "m" / "manifest.json").read_text())["params"]["init"] == "array"
    assert load_ParametricUMAP(tmp_path / "m").init == "spectral"
    ParametricUMAP(init="pca", n_training_epochs=1, random_state=0).fit(X).save(tmp_path / "p")
    assert load_ParametricUMAP(tmp_path / "p").init == "pca"
