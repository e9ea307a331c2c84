"""Pins against files written before the issue-11 refactors: seeded maps and an old run folder.

The fixtures in ``tests/fixtures`` were written by the version of 2026-12-01 (before ``fit``
became named steps and the run store one package); a refactor that changes a seeded map, or
stops reading a run folder or its recipe, fails here.
"""

import shutil
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from pumap_core import ParametricUMAP

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
SEEDED = {
    "default": dict(random_state=1, n_training_epochs=5),
    "decoder_global": dict(random_state=2, n_training_epochs=5, parametric_reconstruction=True,
                           global_correlation_loss_weight=0.5),
}


@pytest.mark.parametrize("name", list(SEEDED))
def test_a_seeded_map_is_the_one_saved_before_the_refactor(digits, name):
    """Same seed, same data, same parameters: the same map as the saved one, to float noise."""
    X = digits[0][:400]
    saved = np.load(FIXTURES / f"seeded_{name}.npy")
    embedding = ParametricUMAP(**SEEDED[name]).fit_transform(X)
    extent = float(np.ptp(saved, axis=0).max())
    assert embedding.shape == saved.shape
    assert np.abs(embedding - saved).max() < 1e-4 * extent


@pytest.fixture
def old_run_workspace(tmp_path):
    """A workspace holding the run folder written by the old version (under its own id)."""
    import json

    from pumap_core.runs import Workspace

    record = json.loads((FIXTURES / "run_v1" / "run.json").read_text())
    shutil.copytree(FIXTURES / "run_v1", tmp_path / "runs" / record["id"])
    return Workspace(tmp_path), record["id"]


def test_an_old_run_folder_loads_and_embeds_like_it_did(old_run_workspace):
    ws, run_id = old_run_workspace
    run = ws.load_run(run_id)
    assert run.name == "fixture run" and run.n_items == 60 and run.error is None
    features = np.load(FIXTURES / "run_v1" / "features.npy")
    np.testing.assert_allclose(run.estimator().transform(features), run.embedding, atol=1e-5)
    assert run.training_data().X.shape == features.shape


def test_an_old_recipe_rebuilds_the_features_it_was_trained_on(old_run_workspace):
    """The recipe in run.json, applied to the original table, gives features.npy again."""
    from pumap_core.data import apply_table_recipe

    ws, run_id = old_run_workspace
    recipe = ws.load_run(run_id).recipe
    table = pd.read_csv(FIXTURES / "run_v1_table.csv")
    rebuilt = apply_table_recipe(table, recipe, name="again.csv")
    np.testing.assert_allclose(rebuilt.X, np.load(FIXTURES / "run_v1" / "features.npy"),
                               atol=1e-6)
    assert rebuilt.feature_names == recipe["feature_names"]
