"""A run keeps the snapshots of its training (issue 15): through save_run / load_run and the zip
round trip; runs without them (older, or snapshots=False) load as before; a damaged file is a
clear error of the replay, not of the run."""

import io
import json
import shutil
import zipfile
from pathlib import Path

import numpy as np
import pytest

from pumap_core import ParametricUMAP
from pumap_core.errors import ModelFileError, PumapError
from pumap_core.runs import Workspace
from pumap_core.training.snapshots import TrainingSnapshots

N = 200
FIXTURES = Path(__file__).resolve().parents[2] / "fixtures"


@pytest.fixture(scope="module")
def estimator(digits200):
    return ParametricUMAP(n_training_epochs=4, random_state=0).fit(digits200.X)


@pytest.fixture()
def ws(tmp_path):
    return Workspace(tmp_path / "ws")


def assert_same(a: TrainingSnapshots, b: TrainingSnapshots) -> None:
    np.testing.assert_array_equal(a.epochs, b.epochs)
    np.testing.assert_array_equal(a.positions, b.positions)
    np.testing.assert_array_equal(a.rows, b.rows)


def test_snapshots_survive_save_run_and_load_run(ws, estimator, digits200):
    info = ws.save_run(estimator, digits200, metrics={})
    assert info.has_snapshots and (info.path / "snapshots.npz").is_file()
    run = ws.load_run(info.id)
    assert_same(run.snapshots(), estimator.snapshots_)
    assert run.snapshots().epochs.tolist() == [0, 1, 2, 3, 4]
    assert run.snapshots() is run.snapshots()  # read once, then kept


def test_snapshots_travel_in_the_run_zip(ws, estimator, digits200, tmp_path):
    info = ws.save_run(estimator, digits200, metrics={})
    data = ws.export_zip(info.id)
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        assert "snapshots.npz" in zf.namelist()
    imported = Workspace(tmp_path / "other").import_zip(data)
    assert imported.has_snapshots
    assert_same(Workspace(tmp_path / "other").load_run(imported.id).snapshots(),
                estimator.snapshots_)


def test_runs_without_snapshots_load_as_before(ws, digits200, tmp_path):
    off = ParametricUMAP(n_training_epochs=2, random_state=0, snapshots=False).fit(digits200.X)
    info = ws.save_run(off, digits200, metrics={})
    assert not info.has_snapshots and not (info.path / "snapshots.npz").exists()
    assert ws.load_run(info.id).snapshots() is None
    imported = Workspace(tmp_path / "other").import_zip(ws.export_zip(info.id))
    assert not imported.has_snapshots
    # a run written before snapshots existed (schema v1 fixture)
    old = Workspace(tmp_path / "old")
    record = json.loads((FIXTURES / "run_v1" / "run.json").read_text())
    shutil.copytree(FIXTURES / "run_v1", old.runs_dir / record["id"])
    run = old.load_run(record["id"])
    assert not run.has_snapshots and run.snapshots() is None and len(run.points)


def test_a_damaged_snapshots_file_fails_the_replay_not_the_run(ws, estimator, digits200):
    info = ws.save_run(estimator, digits200, metrics={})
    (info.path / "snapshots.npz").write_bytes(b"not an npz")
    run = ws.load_run(info.id)  # the map still opens
    assert len(run.points) == N
    with pytest.raises(ModelFileError, match="snapshots.npz in run .* is damaged"):
        run.snapshots()
    with pytest.raises(PumapError, match="snapshots.npz"):  # and such a zip is refused
        Workspace(ws.root.parent / "other").import_zip(ws.export_zip(info.id))


def test_snapshots_naming_rows_beyond_the_points_are_refused(ws, estimator, digits200):
    info = ws.save_run(estimator, digits200, metrics={})
    snaps = estimator.snapshots_
    TrainingSnapshots(snaps.epochs, snaps.positions, snaps.rows + 1).save(
        info.path / "snapshots.npz")
    with pytest.raises(ModelFileError, match="beyond its 200 points"):
        ws.load_run(info.id).snapshots()


def test_only_the_datas_rows_are_kept_when_landmark_rows_were_sampled():
    """A fit with landmarks trains on the data's rows and then the landmarks': a run keeps the
    snapshots of its own points only."""
    snaps = TrainingSnapshots.checked(np.array([0, 5]), np.zeros((2, 4, 2)), np.array([1, 3, 7, 9]))
    kept = snaps.within(8)
    assert kept.rows.tolist() == [1, 3, 7] and kept.positions.shape == (2, 3, 2)
    with pytest.raises(ValueError):
        TrainingSnapshots.checked(np.array([0]), np.zeros((2, 4, 2)), np.arange(4))
