"""embed() on Dask: a lazy frame, every row once and in order, the in-memory coordinates, and
one model load per worker; fit_sample keeps the column names in the saved model."""

import shutil

import dask.dataframe as dd
import numpy as np
import pandas as pd
import pytest
from scale_data import BLOCK, FEATURES, extent

from pumap_core.errors import DataTypeError, InvalidDataError, ModelNotFoundError
from pumap_core.manifest import feature_names, read_manifest
from pumap_core.scale import cache, embed, read_input


def test_fit_sample_records_the_columns_in_the_saved_model(model_dir, estimator):
    assert feature_names(read_manifest(model_dir)) == FEATURES
    assert list(estimator.feature_names_in_) == FEATURES
    assert estimator.model_.info.n_samples == 2000


def test_embed_is_lazy_and_equals_the_in_memory_transform(client, parquet_dir, model_dir,
                                                          estimator, all_rows):
    frame = read_input(str(parquet_dir), block=BLOCK).frame
    points = embed(str(model_dir), frame, keep=["id", "label"])
    assert isinstance(points, dd.DataFrame)
    assert points.npartitions == frame.npartitions > 4  # several partitions per file
    assert list(points.columns) == ["x", "y", "id", "label"]
    parts = [p.compute() for p in points.partitions]
    out = pd.concat(parts, ignore_index=True)
    assert out["id"].tolist() == all_rows["id"].tolist()  # every row once, in input order
    assert out["label"].tolist() == all_rows["label"].tolist()
    assert out[["x", "y"]].dtypes.eq(np.float32).all()
    expected = estimator.transform(all_rows[FEATURES].to_numpy(np.float32))
    error = np.abs(out[["x", "y"]].to_numpy() - expected).max()
    assert error <= 1e-4 * extent(expected)


def test_each_worker_loads_a_model_once_whatever_the_number_of_partitions(
        client, parquet_dir, model_dir, tmp_path):
    copy = shutil.copytree(model_dir, tmp_path / "copy")  # a new folder: not yet cached
    before = client.run(cache.load_count)
    frame = read_input(str(parquet_dir), block=BLOCK).frame
    n = len(embed(str(copy), frame).compute())
    loads = {w: client.run(cache.load_count)[w] - before[w] for w in before}
    assert n == len(frame) and frame.npartitions >= 4 * len(loads)
    assert all(v <= 1 for v in loads.values()), loads
    assert sum(loads.values()) >= 1


def test_an_unsaved_estimator_and_a_pandas_frame_work_too(client, estimator, all_rows):
    rows = all_rows.iloc[:700]
    points = embed(estimator, rows, keep=["id"]).compute()
    expected = estimator.transform(rows[FEATURES].to_numpy(np.float32))
    assert points["id"].tolist() == rows["id"].tolist()
    assert np.abs(points[["x", "y"]].to_numpy() - expected).max() <= 1e-4 * extent(expected)


def test_columns_are_checked_against_the_model_before_any_work(model_dir, all_rows):
    with pytest.raises(InvalidDataError, match="trained on the columns f0, f1"):
        embed(str(model_dir), all_rows, columns=FEATURES[::-1])
    with pytest.raises(InvalidDataError, match="'f3' is not in the input"):
        embed(str(model_dir), all_rows.drop(columns="f3"))
    with pytest.raises(DataTypeError, match="not numeric"):
        embed(str(model_dir), all_rows.assign(f2="text"))
    with pytest.raises(InvalidDataError, match="'nope' is not in the input"):
        embed(str(model_dir), all_rows, keep=["nope"])
    with pytest.raises(ModelNotFoundError):
        embed("/nonexistent/model", all_rows)


def test_reading_a_model_folder_needs_no_tensorflow(model_dir):
    import subprocess
    import sys

    code = ("import sys; from pumap_core.scale.cache import ModelRef; "
            f"ModelRef.of({str(model_dir)!r}); import pumap_core.scale; "
            "print('tensorflow' in sys.modules, 'keras' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True)
    assert out.stdout.split() == ["False", "False"]
