"""Runs kept on disk: save / list / load / rename / delete, restarts, zip export and import,
and every way a run folder or an imported zip can be broken or hostile."""

import dataclasses
import io
import json
import re
import shutil
import zipfile

import numpy as np
import pandas as pd
import pytest

from pumap_core import ParametricUMAP
from pumap_core.errors import (InvalidDataError, InvalidParameterError, ModelFileError,
                               ModelNotFoundError, NotFittedError, PumapError)
from pumap_core.runs import Run, RunInfo, Workspace

from files import zip_bytes

N = 200


@pytest.fixture(scope="module")
def estimator(digits200):
    return ParametricUMAP(n_training_epochs=2, random_state=0).fit(digits200.X)


@pytest.fixture(scope="module")
def exported(estimator, digits200, tmp_path_factory):
    """One saved run, exported: the zip and the workspace it came from."""
    ws = Workspace(tmp_path_factory.mktemp("source"))
    info = ws.save_run(estimator, digits200, name="source run", metrics={"note": 1})
    return ws, info, ws.export_zip(info.id)


@pytest.fixture()
def ws(tmp_path):
    return Workspace(tmp_path / "ws")


def entries(ws):
    """Everything under the workspace root, hidden files included (to prove nothing changed)."""
    return sorted(str(p.relative_to(ws.root)) for p in ws.root.rglob("*")) \
        if ws.root.exists() else None


def one_line(exc_info):
    message = exc_info.value.user_message
    assert "\n" not in message and 0 < len(message) < 300
    return message


# --------------------------------------------------------------------------- round trip


def test_save_list_load_round_trip(ws, estimator, digits200):
    info = ws.save_run(estimator, digits200)
    assert isinstance(info, RunInfo) and info.error is None
    assert re.fullmatch(r"\d{8}-\d{6}-digits-[0-9a-f]{4}", info.id)
    assert info.dataset_name == "digits" and info.dataset_kind == "images" and info.n_items == N
    assert info.epochs_trained == 2 and info.cancelled is False and info.fit_seconds > 0
    assert len(info.history) == 2 and info.params["n_training_epochs"] == 2
    assert info.metrics["knn_accuracy"] > 0.3 and 0 < info.metrics["trustworthiness"] <= 1
    assert info.recipe == digits200.recipe and info.name.startswith("digits")
    assert [r.id for r in ws.list_runs()] == [info.id]

    record = json.loads((info.path / "run.json").read_text())
    assert record["schema_version"] == 1 and record["id"] == info.id
    assert record["dataset"]["image_shape"] == [8, 8]
    assert len(record["dataset"]["feature_names"]) == 64
    assert sorted(p.name for p in info.path.iterdir()) == [
        "features.npy", "model", "points.parquet", "run.json", "snapshots.npz",
        "thumbnails.npy"]

    run = ws.load_run(info.id)
    assert isinstance(run, Run) and run.id == info.id
    assert list(run.points.columns) == ["x", "y", "label", "index"]  # table's label not repeated
    np.testing.assert_array_equal(run.embedding, estimator.embedding_)
    np.testing.assert_array_equal(run.points["label"], digits200.labels)
    assert run.thumbnails == digits200.thumbnails and run.has_model
    assert isinstance(run.thumbnails.pixels, np.memmap)  # read from disk only when drawn
    model = run.estimator()
    assert run.estimator() is model  # loaded once
    np.testing.assert_allclose(model.transform(digits200.X), estimator.transform(digits200.X),
                               atol=1e-6)


def test_runs_survive_a_restart_newest_first(tmp_path, estimator, digits200):
    first = Workspace(tmp_path).save_run(estimator, digits200, name="first", metrics={})
    second = Workspace(tmp_path).save_run(estimator, digits200, name="second", metrics={})
    assert first.id != second.id
    again = Workspace(tmp_path)  # a new app process
    assert [r.name for r in again.list_runs()] == ["second", "first"]
    assert again.load_run(first.id).points.shape[0] == N


def test_root_defaults_to_env_var_then_current_folder(tmp_path, monkeypatch):
    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "from_env"))
    assert Workspace().root == tmp_path / "from_env"
    monkeypatch.delenv("PUMAP_WORKSPACE")
    monkeypatch.chdir(tmp_path)
    assert Workspace().root == tmp_path / "workspace"
    assert Workspace().list_runs() == [] and not (tmp_path / "workspace").exists()


def test_rename_and_delete(ws, estimator, digits200):
    info = ws.save_run(estimator, digits200, metrics={})
    stamp = ws.stamp(info.id)
    renamed = ws.rename_run(info.id, "  my   best\nmap ")
    assert ws.stamp(info.id) != stamp  # caches of the run (one per server) reload it
    assert renamed.name == "my best map" and ws.list_runs()[0].name == "my best map"
    for bad in ("", "   ", "x" * 500, None):
        with pytest.raises(InvalidParameterError) as err:
            ws.rename_run(info.id, bad)
        one_line(err)
    ws.delete_run(info.id)
    assert ws.list_runs() == [] and entries(ws) == ["runs"]
    for read in (ws.load_run, ws.stamp):
        with pytest.raises(ModelNotFoundError) as err:
            read(info.id)
        one_line(err)


def test_unfitted_or_mismatched_estimator_is_refused(ws, estimator, digits200):
    with pytest.raises(NotFittedError):
        ws.save_run(ParametricUMAP(), digits200)
    fewer = dataclasses.replace(digits200, X=digits200.X[:50], table=digits200.table.iloc[:50],
                                labels=digits200.labels[:50], thumbnails=None)
    with pytest.raises(InvalidDataError) as err:
        ws.save_run(estimator, fewer)
    one_line(err)
    assert entries(ws) is None


# --------------------------------------------------------------------------- broken folders


def test_broken_run_folders_are_listed_with_an_error(ws, estimator, digits200):
    good = ws.save_run(estimator, digits200, metrics={})
    for name, damage in [("20200101-000000-a-0001", lambda p: (p / "run.json").write_text("{")),
                         ("20200101-000000-b-0002", lambda p: (p / "run.json").unlink()),
                         ("20200101-000000-c-0003", lambda p: shutil.rmtree(p / "model")),
                         ("20200101-000000-d-0004", lambda p: (p / "run.json").write_text(
                             json.dumps({"schema_version": 7})))]:
        shutil.copytree(good.path, ws.runs_dir / name)
        damage(ws.runs_dir / name)
    (ws.runs_dir / "stray.txt").write_text("not a run")
    runs = ws.list_runs()
    assert runs[0].id == good.id and runs[0].error is None
    errors = {r.id: r.error for r in runs[1:]}
    assert len(errors) == 4 and all(e and "\n" not in e for e in errors.values())
    assert "newer" in errors["20200101-000000-d-0004"]
    with pytest.raises(ModelFileError) as err:
        ws.load_run("20200101-000000-a-0001")
    assert "not valid JSON" in one_line(err)


def test_damaged_points_or_thumbnails_give_clear_errors(ws, estimator, digits200):
    info = ws.save_run(estimator, digits200, metrics={})
    (info.path / "thumbnails.npy").write_bytes(b"garbage")
    with pytest.raises(ModelFileError) as err:
        ws.load_run(info.id)
    assert "thumbnails.npy" in one_line(err)
    (info.path / "points.parquet").write_bytes(b"garbage")
    with pytest.raises(ModelFileError) as err:
        ws.load_run(info.id)
    assert "points.parquet" in one_line(err)


def test_a_run_saved_with_a_thumbnails_zip_still_loads(ws, tmp_path, estimator, digits200):
    """Runs written before thumbnails.npy keep one PNG per item, "{i}.png", in thumbnails.zip:
    they load (converted on the fly, not rewritten) and survive an export and an import."""
    info = ws.save_run(estimator, digits200, metrics={})
    (info.path / "thumbnails.npy").unlink()
    (info.path / "thumbnails.zip").write_bytes(zip_bytes(
        {f"{i}.png": digits200.thumbnails[i] for i in range(N)}))
    run = ws.load_run(info.id)
    assert run.thumbnails == digits200.thumbnails  # the same 64 px PNGs give the same pixels
    assert not (info.path / "thumbnails.npy").exists()

    other = Workspace(tmp_path / "other")
    imported = other.import_zip(ws.export_zip(info.id))
    assert (imported.path / "thumbnails.zip").is_file()
    assert other.load_run(imported.id).thumbnails == digits200.thumbnails

    (info.path / "thumbnails.zip").write_bytes(zip_bytes({"0.png": digits200.thumbnails[0]}))
    with pytest.raises(ModelFileError) as err:
        ws.load_run(info.id)
    assert "thumbnails.zip" in one_line(err) and "damaged" in one_line(err)


@pytest.mark.parametrize("run_id", ["..", "../outside", "/etc", "a/b", ".hidden", "", None,
                                    "x" * 300])
def test_path_traversal_is_refused(ws, run_id, tmp_path):
    (tmp_path / "outside").mkdir()
    for action in (ws.delete_run, ws.load_run, ws.export_zip,
                   lambda i: ws.rename_run(i, "new")):
        with pytest.raises(InvalidParameterError) as err:
            action(run_id)
        one_line(err)
    assert (tmp_path / "outside").exists()


def test_symlinked_run_folder_is_not_followed(ws, tmp_path, estimator, digits200):
    ws.save_run(estimator, digits200, metrics={})
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    (ws.runs_dir / "20990101-000000-evil-0000").symlink_to(victim, target_is_directory=True)
    assert len(ws.list_runs()) == 1
    with pytest.raises(InvalidParameterError):
        ws.delete_run("20990101-000000-evil-0000")
    assert (victim / "keep.txt").read_text() == "precious"


# --------------------------------------------------------------------------- zip export/import


def test_export_import_round_trip(exported, tmp_path, digits200):
    source, info, data = exported
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        names = set(zf.namelist())
        csv = pd.read_csv(io.BytesIO(zf.read("points.csv")))
    assert {"run.json", "points.parquet", "points.csv", "thumbnails.npy",
            "model/manifest.json", "model/encoder.keras"} <= names
    assert len(csv) == N and list(csv.columns[:2]) == ["x", "y"]

    target = Workspace(tmp_path / "other")
    imported = target.import_zip(data)
    assert imported.id == info.id and imported.name == "source run"
    assert imported.metrics == {"note": 1}
    a, b = source.load_run(info.id), target.load_run(imported.id)
    pd.testing.assert_frame_equal(a.points, b.points)
    assert a.thumbnails == b.thumbnails
    np.testing.assert_array_equal(a.estimator().transform(digits200.X),
                                  b.estimator().transform(digits200.X))
    assert not (b.path / "points.csv").exists()


def test_import_of_an_existing_id_gets_a_fresh_one(exported):
    source, info, data = exported
    again = source.import_zip(data)
    assert again.id != info.id and again.name == info.name
    assert json.loads((again.path / "run.json").read_text())["id"] == again.id
    source.delete_run(again.id)


def test_import_accepts_a_zipped_run_folder(exported, ws):
    _, info, data = exported
    with zipfile.ZipFile(io.BytesIO(data)) as src:
        wrapped = rezip({f"{info.id}/{n}": src.read(n) for n in src.namelist()})
    assert ws.import_zip(wrapped).id == info.id


def rezip(files, **infos):
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for name, content in files.items():
            zf.writestr(infos.get(name, name), content)
    return buf.getvalue()


def members(data):
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def with_changes(data, changes):
    """The zip with some files replaced (or removed, for None)."""
    files = members(data)
    for name, content in changes.items():
        if content is None:
            files.pop(name)
        else:
            files[name] = content
    return rezip(files)


def npy_bytes(array):
    buf = io.BytesIO()
    np.save(buf, array, allow_pickle=False)
    return buf.getvalue()


def _newer(data):
    record = json.loads(members(data)["run.json"])
    record["schema_version"] = 99
    return with_changes(data, {"run.json": json.dumps(record).encode()})


def _evil(data, name):
    files = members(data)
    files[name] = b"owned"
    return rezip(files)


def _symlink(data):
    buf = io.BytesIO(data)
    with zipfile.ZipFile(buf, "a") as zf:
        info = zipfile.ZipInfo("model/link")
        info.external_attr = 0o120777 << 16
        zf.writestr(info, "/etc/passwd")
    return buf.getvalue()


HOSTILE = {
    "empty": (lambda d: b"", "empty"),
    "not a zip": (lambda d: b"PK\x03\x04 but not really a zip", "not a zip"),
    "no run.json": (lambda d: with_changes(d, {"run.json": None}), "run.json"),
    "no manifest": (lambda d: with_changes(d, {"model/manifest.json": None}), "manifest.json"),
    "no points": (lambda d: with_changes(d, {"points.parquet": None}), "points.parquet"),
    "corrupt run.json": (lambda d: with_changes(d, {"run.json": b"{oops"}), "JSON"),
    "newer format": (_newer, "newer"),
    "parent dir": (lambda d: _evil(d, "../evil.txt"), "unsafe path"),
    "nested parent": (lambda d: _evil(d, "model/../../evil.txt"), "unsafe path"),
    "absolute": (lambda d: _evil(d, "/tmp/evil.txt"), "unsafe path"),
    "windows drive": (lambda d: _evil(d, "C:\\evil.txt"), "unsafe path"),
    "symlink": (_symlink, "symbolic link"),
    "tampered encoder": (lambda d: with_changes(d, {"model/encoder.keras": b"PK not keras"}),
                         "checksum"),
    "damaged points": (lambda d: with_changes(d, {"points.parquet": b"junk"}), "points"),
    "damaged thumbnails": (lambda d: with_changes(d, {"thumbnails.npy": b"junk"}),
                           "thumbnails"),
    "too few thumbnails": (lambda d: with_changes(d, {"thumbnails.npy": npy_bytes(
        np.zeros((3, 64, 64), np.uint8))}), "3 thumbnails"),
    "too many entries": (lambda d: rezip({f"f{i}": b"" for i in range(1500)}), "entries"),
}


@pytest.mark.parametrize("case", list(HOSTILE))
def test_hostile_or_corrupt_zips_are_refused_and_nothing_is_written(case, exported, ws):
    make, expected = HOSTILE[case]
    data = make(exported[2])
    with pytest.raises(PumapError) as err:
        ws.import_zip(data)
    assert expected.lower() in one_line(err).lower()
    assert entries(ws) is None  # not even the workspace folder was left behind
    assert not (ws.root.parent / "evil.txt").exists()


def test_import_size_limit_and_existing_runs_untouched(exported, ws, estimator, digits200):
    kept = ws.save_run(estimator, digits200, metrics={})
    before = entries(ws)
    with pytest.raises(InvalidDataError) as err:
        ws.import_zip(exported[2], max_bytes=1000)
    assert "limit" in one_line(err)
    with pytest.raises(PumapError):
        ws.import_zip(with_changes(exported[2], {"model/encoder.keras": b"x"}))
    assert entries(ws) == before and [r.id for r in ws.list_runs()] == [kept.id]
