"""Map-only runs (Workspace.save_map): kept without a model, listed, loaded, exported, imported."""

import io
import json
import shutil
import zipfile

import numpy as np
import pytest

from pumap_core.data import make_synthetic
from pumap_core.errors import InvalidDataError, ModelNotFoundError, NotFittedError
from pumap_core.runs import Workspace

N = 500


@pytest.fixture(scope="module")
def synthetic():
    return make_synthetic(N, kind="images", seed=2)


@pytest.fixture()
def ws(tmp_path):
    return Workspace(tmp_path / "ws")


def test_save_map_keeps_points_and_thumbnails_without_a_model(ws, synthetic):
    ds, layout = synthetic
    info = ws.save_map(ds, layout, name="glyphs")
    assert info.has_model is False and info.error is None and info.name == "glyphs"
    assert info.metrics == {} and info.n_items == N and info.dataset_name == ds.name
    assert info.epochs_trained is None and info.history == [] and info.params == {}
    assert sorted(p.name for p in info.path.iterdir()) == [
        "points.parquet", "run.json", "thumbnails.npy"]
    record = json.loads((info.path / "run.json").read_text())
    assert record["source"] == "generated" and record["schema_version"] == 1
    assert [r.id for r in ws.list_runs()] == [info.id] and ws.list_runs()[0].has_model is False

    run = ws.load_run(info.id)
    np.testing.assert_array_equal(run.embedding, layout)
    assert list(run.points.columns) == ["x", "y", "label", "id", "name", "score", "group"]
    assert (run.points["label"] == ds.labels).all()
    assert run.thumbnails == ds.thumbnails and isinstance(run.thumbnails.pixels, np.memmap)
    with pytest.raises(NotFittedError) as err:
        run.estimator()
    assert err.value.user_message == ("This map was generated, not trained: it has no model to "
                                      "embed new data. Train one on the Train page.")


def test_save_map_without_thumbnails_and_with_metrics(ws):
    ds, layout = make_synthetic(50, kind="table")
    info = ws.save_map(ds, layout, metrics={"note": 1.5})
    assert info.metrics == {"note": 1.5} and info.name == "synthetic table 50"
    assert not (info.path / "thumbnails.npy").exists()
    assert ws.load_run(info.id).thumbnails is None


@pytest.mark.parametrize("embedding, words", [
    (np.zeros((N - 1, 2)), f"{N - 1} points"),
    (np.zeros((N, 1)), "(items, 2)"),
    (np.zeros(N), "(items, 2)"),
    (np.full((N, 2), np.nan), "NaN"),
])
def test_bad_coordinates_are_refused_and_nothing_is_written(ws, synthetic, embedding, words):
    with pytest.raises(InvalidDataError) as err:
        ws.save_map(synthetic[0], embedding)
    assert words in err.value.user_message and "\n" not in err.value.user_message
    assert not ws.root.exists()


def test_a_map_missing_its_points_is_incomplete_but_a_trained_run_needs_its_model(ws, synthetic):
    info = ws.save_map(*synthetic)
    broken = ws.runs_dir / "20200101-000000-broken-0001"
    shutil.copytree(info.path, broken)
    (broken / "points.parquet").unlink()
    trained = ws.runs_dir / "20200101-000000-trained-0002"
    shutil.copytree(info.path, trained)
    record = json.loads((trained / "run.json").read_text())
    del record["source"]  # a trained run's record, but no model/ folder
    (trained / "run.json").write_text(json.dumps(record))
    errors = {r.id: r.error for r in ws.list_runs()}
    assert errors[info.id] is None
    assert "points.parquet is missing" in errors[broken.name]
    assert "model/manifest.json is missing" in errors[trained.name]
    with pytest.raises(ModelNotFoundError):
        ws.load_run(trained.name)


def test_export_and_import_a_map_only_run(ws, tmp_path, synthetic):
    ds, layout = synthetic
    info = ws.save_map(ds, layout, name="to share")
    data = ws.export_zip(info.id)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
    assert names == {"run.json", "points.parquet", "points.csv", "thumbnails.npy"}
    other = Workspace(tmp_path / "other")
    imported = other.import_zip(data)
    assert imported.id == info.id and imported.has_model is False and imported.name == "to share"
    run = other.load_run(imported.id)
    assert run.thumbnails == ds.thumbnails
    np.testing.assert_array_equal(run.embedding, layout)


def test_import_ignores_model_files_in_a_map_only_zip(ws, tmp_path, synthetic):
    info = ws.save_map(*synthetic)
    buf = io.BytesIO(ws.export_zip(info.id))
    with zipfile.ZipFile(buf, "a") as zf:
        zf.writestr("model/manifest.json", "{}")
    imported = Workspace(tmp_path / "other").import_zip(buf.getvalue())
    assert not (imported.path / "model").exists() and imported.has_model is False
