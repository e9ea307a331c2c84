"""Parquet maps in the workspace: added by reference from the Parquet footers, listed,
renamed and deleted like other runs (never deleting the user's files), clear errors."""

from __future__ import annotations

import json
import os

import numpy as np
import pandas as pd
import pytest

from pumap_core.errors import (InvalidDataError, ModelFileError, ModelNotFoundError,
                               NotSupportedError)
from pumap_core.runs import Workspace
from pumap_core.runs.parquet_map import index_parquet, take_rows


def _write(folder, sizes=(300, 500, 200), row_group_size=None):
    rng = np.random.default_rng(0)
    folder.mkdir(parents=True, exist_ok=True)
    frames, start = [], 0
    for k, n in enumerate(sizes):
        f = pd.DataFrame({"x": rng.normal(size=n).astype(np.float32),
                          "y": rng.normal(size=n).astype(np.float32),
                          "id": np.arange(start, start + n), "label": rng.integers(0, 3, n)})
        # part.10 sorts after part.9: natural order
        f.to_parquet(folder / f"part.{k * 5}.parquet", index=False,
                     row_group_size=row_group_size)
        frames.append(f)
        start += n
    return pd.concat(frames, ignore_index=True)


def test_a_parquet_map_is_added_by_reference(tmp_path):
    rows = _write(tmp_path / "emb")
    ws = Workspace(tmp_path / "ws")
    info = ws.add_parquet_map(tmp_path / "emb", name="twenty million, one day")
    assert info.is_parquet_map and not info.has_model and info.n_items == 1000
    record = json.loads((info.path / "run.json").read_text())
    assert record["source"] == "parquet"
    assert record["parquet"]["path"] == str((tmp_path / "emb").resolve())
    assert not (info.path / "points.parquet").exists()  # nothing copied
    index = ws.map_index(info.id)
    assert [p.offset for p in index.parts] == [0, 300, 800]
    assert [os.path.basename(p.file) for p in index.parts] == [
        "part.0.parquet", "part.5.parquet", "part.10.parquet"]
    assert index.extent == pytest.approx((rows.x.min(), rows.x.max(), rows.y.min(),
                                          rows.y.max()))
    # global, stable row numbers
    got = take_rows(index, [999, 0, 301, 5000], ["id", "x"])
    assert got["row"].tolist() == [0, 301, 999] and got["id"].tolist() == [0, 301, 999]

    assert [r.id for r in ws.list_runs()] == [info.id]
    assert ws.rename_run(info.id, "renamed").name == "renamed"
    with pytest.raises(NotSupportedError, match="out of core"):
        ws.load_run(info.id)
    with pytest.raises(NotSupportedError):
        ws.export_zip(info.id)
    ws.delete_run(info.id)
    assert ws.list_runs() == []
    assert len(list((tmp_path / "emb").glob("*.parquet"))) == 3  # the user's files stay


def test_a_dataset_the_workspace_wrote_goes_with_its_map(tmp_path):
    ws = Workspace(tmp_path / "ws")
    _write(ws.maps_dir / "job-1")  # where an embed job writes
    _write(tmp_path / "ws" / "elsewhere")
    mine = ws.add_parquet_map(ws.maps_dir / "job-1")
    theirs = ws.add_parquet_map(tmp_path / "ws" / "elsewhere")
    ws.delete_run(mine.id)
    ws.delete_run(theirs.id)
    assert not (ws.maps_dir / "job-1").exists() and ws.list_runs() == []
    assert len(list((tmp_path / "ws" / "elsewhere").glob("*.parquet"))) == 3


def test_large_files_are_split_by_row_groups(tmp_path):
    _write(tmp_path / "emb", sizes=(1000,), row_group_size=100)
    index = index_parquet(tmp_path / "emb", part_rows=250)
    assert [p.n_rows for p in index.parts] == [200, 200, 200, 200, 200]
    assert [p.offset for p in index.parts] == [0, 200, 400, 600, 800]
    got = take_rows(index, [199, 200, 999], ["id"])
    assert got["id"].tolist() == [199, 200, 999]


def test_a_model_folder_is_copied_in(tmp_path, fitted):
    _write(tmp_path / "emb")
    fitted.save(tmp_path / "model")
    ws = Workspace(tmp_path / "ws")
    info = ws.add_parquet_map(tmp_path / "emb", model_dir=tmp_path / "model")
    assert info.has_model and (info.path / "model" / "manifest.json").is_file()
    with pytest.raises(ModelNotFoundError, match="not a saved model"):
        ws.add_parquet_map(tmp_path / "emb", model_dir=tmp_path / "emb")


def test_bad_datasets_get_one_line_and_leave_nothing(tmp_path):
    ws = Workspace(tmp_path / "ws")
    with pytest.raises(ModelNotFoundError, match="does not exist"):
        ws.add_parquet_map(tmp_path / "nowhere")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelNotFoundError, match="no .parquet files"):
        ws.add_parquet_map(tmp_path / "empty")
    (tmp_path / "noxy").mkdir()
    pd.DataFrame({"x": [1.0], "z": [2.0]}).to_parquet(tmp_path / "noxy" / "a.parquet")
    with pytest.raises(InvalidDataError, match="no y column"):
        ws.add_parquet_map(tmp_path / "noxy")
    (tmp_path / "junk").mkdir()
    (tmp_path / "junk" / "a.parquet").write_bytes(b"PAR1 nope")
    with pytest.raises(ModelFileError, match="not a readable Parquet file"):
        ws.add_parquet_map(tmp_path / "junk")
    assert ws.list_runs() == []


def test_a_moved_dataset_is_a_one_line_error_when_opened(tmp_path):
    _write(tmp_path / "emb")
    ws = Workspace(tmp_path / "ws")
    info = ws.add_parquet_map(tmp_path / "emb")
    (tmp_path / "emb").rename(tmp_path / "elsewhere")
    assert ws.list_runs()[0].error is None  # listing does not touch the files
    with pytest.raises(ModelNotFoundError, match="is gone") as err:
        ws.map_index(info.id)
    assert "\n" not in err.value.user_message


def test_a_dask_written_dataset_is_read_in_part_order(tmp_path):
    """What ``embed`` writes with Dask: part.N.parquet, _metadata files, a writer's index."""
    import dask.dataframe as dd

    from pumap_core.large_map import LargeMap

    frame = pd.DataFrame({"x": np.linspace(0, 1, 1200, dtype=np.float32),
                          "y": np.zeros(1200, np.float32), "id": np.arange(1200),
                          "label": ["a", "b", "c"] * 400})
    dd.from_pandas(frame, npartitions=12).to_parquet(tmp_path / "emb",
                                                     write_metadata_file=True)
    info = Workspace(tmp_path / "ws").add_parquet_map(tmp_path / "emb")
    lmap = LargeMap(Workspace(tmp_path / "ws").map_index(info.id))
    assert info.n_items == 1200 and len(lmap.index.parts) == 12
    assert lmap.columns == ["x", "y", "id", "label"]
    got = lmap.take([0, 150, 1199], ["id"])
    assert got["id"].tolist() == [0, 150, 1199]  # part.10 and part.11 after part.9
