"""Runs keep their training rows (features.npy), so that a run can be continued later."""


import numpy as np
import pandas as pd
import pytest

from pumap_core import ParametricUMAP
from pumap_core.data import load_demo, prepare_table
from pumap_core.errors import ModelFileError
from pumap_core.runs import Workspace

N = 120


@pytest.fixture(scope="module")
def digits_small():
    return load_demo("digits").head(N)


@pytest.fixture(scope="module")
def quick_fit():
    return lambda X: ParametricUMAP(n_training_epochs=1, n_neighbors=5, random_state=0).fit(X)


def test_images_come_back_as_trained(tmp_path, digits_small, quick_fit):
    ws = Workspace(tmp_path)
    info = ws.save_run(quick_fit(digits_small.X), digits_small, metrics={})
    back = ws.load_run(info.id).training_data()
    np.testing.assert_array_equal(back.X, digits_small.X)
    np.testing.assert_array_equal(back.labels, digits_small.labels)
    assert back.image_shape == (8, 8) and back.kind == "images" and back.label_name == "label"
    assert list(back.table.columns) == ["label", "index"]
    assert back.thumbnails == digits_small.thumbnails
    assert back.recipe == digits_small.recipe and back.feature_names == digits_small.feature_names


def test_a_table_with_clashing_column_names_comes_back(tmp_path, quick_fit):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame({"x": rng.normal(size=60), "size": rng.normal(size=60),
                          "label": rng.choice(["a", "b"], 60), "kind": rng.choice(["p", "q"], 60)})
    ds = prepare_table(frame, name="clash.csv", feature_columns=["x", "size"],
                       label_column="kind")
    ws = Workspace(tmp_path)
    info = ws.save_run(quick_fit(ds.X), ds, metrics={})
    back = ws.load_run(info.id).training_data()
    np.testing.assert_array_equal(back.X, ds.X)
    assert list(back.table.columns) == list(ds.table.columns)  # data_x / data_label undone
    pd.testing.assert_frame_equal(back.table, ds.table, check_dtype=False)
    assert list(back.labels) == list(ds.labels) and back.label_name == "kind"


def test_features_travel_in_the_run_zip(tmp_path, digits_small, quick_fit):
    ws = Workspace(tmp_path / "a")
    info = ws.save_run(quick_fit(digits_small.X), digits_small, metrics={})
    other = Workspace(tmp_path / "b")
    added = other.import_zip(ws.export_zip(info.id))
    np.testing.assert_array_equal(other.load_run(added.id).training_data().X, digits_small.X)


def test_runs_without_features_say_so(tmp_path, digits_small, quick_fit):
    ws = Workspace(tmp_path)
    info = ws.save_run(quick_fit(digits_small.X), digits_small, metrics={})
    (info.path / "features.npy").unlink()  # a run saved before runs kept their rows
    with pytest.raises(ModelFileError, match="train it again"):
        ws.load_run(info.id).training_data()


def test_damaged_features_are_one_clear_error(tmp_path, digits_small, quick_fit):
    ws = Workspace(tmp_path)
    info = ws.save_run(quick_fit(digits_small.X), digits_small, metrics={})
    np.save(info.path / "features.npy", np.zeros((3, 64), np.float32))
    with pytest.raises(ModelFileError, match="inconsistent"):
        ws.load_run(info.id).training_data()
