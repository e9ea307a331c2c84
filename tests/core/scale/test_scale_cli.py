"""``python -m pumap_core fit|embed`` end to end in subprocesses, and its one-line errors.

The fit runs on its own LocalCluster (no --scheduler); the embeds use the session's cluster
through --scheduler, which is also how an existing cluster is used.
"""

import json

import numpy as np
import pandas as pd
import pytest
from scale_data import BLOCK, FEATURES, FIT_PARAMS, extent, read_parts, run_cli

from pumap_core import load_ParametricUMAP
from pumap_core.scale import read_input


@pytest.fixture(scope="module")
def cli_model(parquet_dir, tmp_path_factory):
    out = tmp_path_factory.mktemp("cli-fit") / "model"
    params = [a for k, v in FIT_PARAMS.items() for a in ("--param", f"{k}={v}")]
    done = run_cli("fit", parquet_dir, "--output", out, "--columns", ",".join(FEATURES),
                   "--sample", 1500, "--random-state", 3, *params, "--blocksize", BLOCK)
    assert done.returncode == 0, done.stderr
    assert "fit: epoch 3/3" in done.stderr and "saved a model of 5 columns" in done.stdout
    return out


def test_fit_then_embed_writes_every_row_once_in_order_per_part(cli_model, parquet_dir,
                                                                 all_rows, client, tmp_path):
    out = tmp_path / "points"
    done = run_cli("embed", cli_model, parquet_dir, "--output", out, "--keep", "id,label",
                   "--scheduler", client.scheduler.address, "--blocksize", BLOCK)
    assert done.returncode == 0, done.stderr
    assert "rows/s" in done.stderr and f"embedded {len(all_rows):,} rows" in done.stdout
    parts = read_parts(out)
    assert len(parts) == read_input(str(parquet_dir), block=BLOCK).frame.npartitions
    for part in parts:  # each part: a run of consecutive input rows
        assert list(part.columns) == ["x", "y", "id", "label"]
        assert part["id"].diff().dropna().eq(1).all()
    got = pd.concat(parts, ignore_index=True)
    assert got["id"].tolist() == all_rows["id"].tolist()
    assert got["label"].tolist() == all_rows["label"].tolist()
    est = load_ParametricUMAP(cli_model)
    assert list(est.feature_names_in_) == FEATURES and est.model_.info.n_samples == 1500
    expected = est.transform(all_rows[FEATURES].to_numpy(np.float32))
    assert np.abs(got[["x", "y"]].to_numpy() - expected).max() <= 1e-4 * extent(expected)


def test_embed_reads_a_glob_of_csv_files(cli_model, parquet_dir, all_rows, client, tmp_path):
    for i, file in enumerate(sorted(parquet_dir.glob("*.parquet"))):
        pd.read_parquet(file).to_csv(tmp_path / f"rows-{i}.csv", index=False)
    out = tmp_path / "points"
    done = run_cli("embed", cli_model, tmp_path / "rows-*.csv", "--output", out, "--keep",
                   "id", "--scheduler", client.scheduler.address)
    assert done.returncode == 0, done.stderr
    got = pd.concat(read_parts(out), ignore_index=True)
    assert got["id"].astype(np.int64).tolist() == all_rows["id"].tolist()
    expected = load_ParametricUMAP(cli_model).transform(all_rows[FEATURES].to_numpy(np.float32))
    assert np.abs(got[["x", "y"]].to_numpy() - expected).max() <= 1e-4 * extent(expected)


def _error_line(done) -> str:
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert "Traceback" not in done.stderr + done.stdout
    lines = [line for line in done.stderr.splitlines() if line.startswith("error: ")]
    assert len(lines) == 1, done.stderr
    return lines[0]


def test_clear_one_line_errors(cli_model, parquet_dir, tmp_path):
    out = tmp_path / "never"
    missing = _error_line(run_cli("embed", cli_model, parquet_dir, "--output", out,
                                  "--columns", "f0,f1,f2,f3,nope"))
    assert "'nope' is not in the input" in missing
    text = _error_line(run_cli("fit", parquet_dir, "--output", out, "--columns", "f0,label"))
    assert "'label' is not numeric" in text
    other = _error_line(run_cli("embed", cli_model, parquet_dir, "--output", out,
                                "--columns", ",".join(FEATURES[::-1])))
    assert "trained on the columns f0, f1, f2, f3, f4" in other
    broken = tmp_path / "broken"
    broken.mkdir()
    pd.read_parquet(next(parquet_dir.glob("*.parquet"))).to_parquet(broken / "a.parquet")
    (broken / "b.parquet").write_bytes(b"PAR1 this is not really parquet")
    unreadable = _error_line(run_cli("embed", cli_model, broken, "--output", out))
    assert "b.parquet cannot be read as Parquet" in unreadable
    no_model = _error_line(run_cli("embed", tmp_path / "no-model", parquet_dir, "--output", out))
    assert "No saved model folder" in no_model
    no_files = _error_line(run_cli("fit", tmp_path / "nothing-*.parquet", "--output", out))
    assert "No Parquet or CSV files match" in no_files
    assert not out.exists()


def test_a_bad_parameter_is_one_line_too(parquet_dir, tmp_path):
    line = _error_line(run_cli("fit", parquet_dir, "--output", tmp_path / "m", "--param",
                               "n_neighbour=3"))
    assert "no parameter 'n_neighbour'" in line


def test_fit_param_values_are_read_as_json_or_text():
    from pumap_core.scale.fit import parse_param

    assert parse_param("n_neighbors=30") == ("n_neighbors", 30)
    assert parse_param("min_dist=0.25") == ("min_dist", 0.25)
    assert parse_param("verbose=true") == ("verbose", True)
    assert parse_param("verbose=False") == ("verbose", False)
    assert parse_param("metric=cosine") == ("metric", "cosine")
    assert parse_param("dims=[5, 1]") == ("dims", [5, 1])
    assert json.dumps(parse_param("random_state=null")) == '["random_state", null]'


def test_embed_adds_the_result_to_a_workspace_as_a_map(cli_model, parquet_dir, all_rows, client,
                                                      tmp_path):
    from pumap_core.runs import Workspace

    out, ws = tmp_path / "points", tmp_path / "workspace"
    done = run_cli("embed", cli_model, parquet_dir, "--output", out, "--keep", "id,label",
                   "--scheduler", client.scheduler.address, "--workspace", ws,
                   "--name", "big map")
    assert done.returncode == 0, done.stderr
    assert "as the map 'big map'" in done.stdout
    [info] = Workspace(ws).list_runs()
    assert info.name == "big map" and info.n_items == len(all_rows) and info.has_model
    lonely = run_cli("embed", cli_model, parquet_dir, "--output", tmp_path / "other",
                     "--name", "no workspace")
    assert lonely.returncode == 2 and "--workspace" in lonely.stderr
    assert "Traceback" not in lonely.stderr
