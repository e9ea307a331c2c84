"""Runs page: a large Parquet input embedded with a run's model, as a job of the service; bad
inputs are one line before anything is queued."""

import time

import numpy as np
import pandas as pd

from pumap_core.jobs import JobStore


def parquet_rows(folder, X, copies=10):
    folder.mkdir()
    rows = np.repeat(X, copies, axis=0)
    for i, part in enumerate(np.array_split(rows, 2)):
        frame = pd.DataFrame(part, columns=[f"f{j}" for j in range(X.shape[1])])
        frame["id"] = np.arange(len(part)) + i * len(part)
        frame.to_parquet(folder / f"part-{i}.parquet", index=False)
    return len(rows)


def test_an_embed_job_from_the_runs_page_ends_as_a_map(open_page, saved_run, iris, tmp_path,
                                                       text_of):
    n = parquet_rows(tmp_path / "big", iris.X)
    at = open_page("pages/runs.py")
    at.text_input(key="runs.large.source").set_value(str(tmp_path / "big"))
    at.text_input(key="runs.large.keep").set_value("id")
    at.text_input(key="runs.large.name").set_value("iris × 10").run()
    at.button(key="runs.large.go").click().run()
    assert not at.exception and not at.error, text_of(at.error)
    job_id = at.session_state["runs.embed_job"]
    deadline = time.monotonic() + 180
    while not JobStore().get(job_id).finished and time.monotonic() < deadline:
        time.sleep(0.5)
    record = JobStore().get(job_id)
    assert record.status == "done", record.error
    at.run()
    assert any(f"Embedded {n:,} rows" in t for t in text_of(at.success))
    from pumap_core.runs import Workspace

    assert "iris × 10" in [r.name for r in Workspace().list_runs()]


def test_a_bad_input_is_one_line_and_nothing_is_queued(open_page, saved_run, tmp_path, text_of):
    at = open_page("pages/runs.py")
    at.text_input(key="runs.large.source").set_value(str(tmp_path / "nowhere")).run()
    at.button(key="runs.large.go").click().run()
    assert not at.exception and at.error and "\n" not in text_of(at.error)[0]
    (tmp_path / "other").mkdir()
    pd.DataFrame({"a": [1.0, 2.0], "b": [3.0, 4.0]}).to_parquet(tmp_path / "other" / "p.parquet")
    at.text_input(key="runs.large.source").set_value(str(tmp_path / "other")).run()
    at.button(key="runs.large.go").click().run()
    assert not at.exception and at.error
    assert JobStore().list() == []
