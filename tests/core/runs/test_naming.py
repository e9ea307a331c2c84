"""Default run names say what a run is (data, k, min_dist, epochs, extra terms) and are unique.

Issue 14: default names were timestamps ("digits 2026-12-01 09:05"), so two runs of the same
data could only be told apart by their time.
"""

import re

import keras
import pytest

from pumap_core import ParametricUMAP
from pumap_core.data import load_demo
from pumap_core.runs import Workspace
from pumap_core.runs.naming import DEFAULT_NETWORK, network_label, run_name, unique_name
from pumap_core.runs.record import MAX_NAME_CHARS, check_run_name
from pumap_core.training.networks import conv_encoder, default_encoder

BASE = {"n_neighbors": 15, "min_dist": 0.1, "metric": "euclidean",
        "parametric_reconstruction": False, "autoencoder_loss": False,
        "global_correlation_loss_weight": 0.0}


def test_name_says_data_k_min_dist_and_epochs():
    assert run_name("digits", BASE, epochs=200) == "digits · k=15 · min_dist 0.1 · 200 epochs"


def test_runs_of_the_same_data_get_names_from_what_differs():
    names = {run_name("digits", {**BASE, "n_neighbors": k, "min_dist": d}, epochs=e)
             for k in (5, 15) for d in (0.0, 0.5) for e in (10, 200)}
    assert len(names) == 8
    assert run_name("wine.csv", BASE, epochs=3).startswith("wine · ")  # no file extension


@pytest.mark.parametrize("changes, tail", [
    ({"parametric_reconstruction": True}, " + decoder"),
    ({"parametric_reconstruction": True, "autoencoder_loss": True}, " + decoder + autoencoder"),
    ({"global_correlation_loss_weight": 0.5}, " + global"),
    ({"metric": "cosine"}, " · cosine"),
])
def test_extra_terms_are_named_when_on(changes, tail):
    assert run_name("iris", {**BASE, **changes}, epochs=5).endswith(tail)
    assert "+" not in run_name("iris", BASE, epochs=5)


def test_landmarks_and_a_non_default_network_are_named():
    name = run_name("iris", BASE, epochs=5, network="CNN 32-64 + 128", landmarks=True)
    assert name.endswith(" · CNN 32-64 + 128 + landmarks")
    assert DEFAULT_NETWORK not in run_name("iris", BASE, epochs=5, network=DEFAULT_NETWORK)


def test_a_long_dataset_name_is_cut_and_the_settings_kept():
    name = run_name("x" * 300, BASE, epochs=200)
    assert check_run_name(name) == name and len(name) <= MAX_NAME_CHARS - 5
    assert name.endswith(" · k=15 · min_dist 0.1 · 200 epochs")


def test_unique_name_appends_the_first_free_number():
    assert unique_name("a", []) == "a"
    assert unique_name("a", ["a"]) == "a (2)"
    assert unique_name("a", ["a", "a (2)", "a (3)", "b"]) == "a (4)"


def test_network_label_reads_the_encoder():
    assert network_label(default_encoder((64,), 2, 0)) == DEFAULT_NETWORK == "MLP 3×100"
    assert network_label(default_encoder((64,), 2, 0, units=32, n_layers=2)) == "MLP 2×32"
    assert network_label(conv_encoder((8, 8), 2, 0)) == "CNN 32-64 + 128"
    odd = keras.Sequential([keras.Input((4,)), keras.layers.Dense(16), keras.layers.Dense(8),
                            keras.layers.Dense(2)])
    assert network_label(odd) == "MLP 16-8"


@pytest.fixture(scope="module")
def digits():
    return load_demo("digits").head(150)


@pytest.fixture(scope="module")
def fitted(digits):
    """Two quick fits that differ in n_neighbors only."""
    return [ParametricUMAP(n_neighbors=k, n_training_epochs=2, random_state=0).fit(digits.X)
            for k in (5, 10)]


def test_save_run_names_runs_by_their_settings_and_keeps_names_unique(tmp_path, digits,
                                                                      fitted):
    ws = Workspace(tmp_path)
    first = ws.save_run(fitted[0], digits, metrics={})
    again = ws.save_run(fitted[0], digits, metrics={})
    other = ws.save_run(fitted[1], digits, metrics={})
    assert first.name == "digits · k=5 · min_dist 0.1 · 2 epochs"
    assert again.name == first.name + " (2)"
    assert other.name == "digits · k=10 · min_dist 0.1 · 2 epochs"
    assert not any(re.search(r"\d{4}-\d\d-\d\d", r.name) for r in ws.list_runs())  # no time
    assert first.network == DEFAULT_NETWORK
    named = ws.save_run(fitted[1], digits, name=other.name, metrics={})  # a given name too
    assert named.name == other.name + " (2)"
    assert ws.rename_run(first.id, "mine").name == "mine"  # renaming stays free


def test_a_generated_map_is_named_after_its_data_and_made_unique(tmp_path):
    from pumap_core.data import make_synthetic

    ws = Workspace(tmp_path)
    dataset, embedding = make_synthetic(1000, kind="table")
    names = [ws.save_map(dataset, embedding).name for _ in range(2)]
    assert names == [dataset.name, f"{dataset.name} (2)"]
