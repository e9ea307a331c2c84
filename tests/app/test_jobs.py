"""Training jobs run in their own processes: two at once stay separate; cancel keeps a run."""

import time

from pumap_core.data import load_demo
from pumap_core.runs import Workspace
from studio.jobs import TrainingJob

SETTINGS = {"n_neighbors": 10, "min_dist": 0.1, "spread": 1.0, "metric": "euclidean",
            "batch_size": None, "learning_rate": 1e-2, "random_state": 0, "network": "MLP",
            "layers": 3, "units": 100}


def wait(job, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        snap = job.snapshot()
        if snap.finished:
            return snap
        time.sleep(0.2)
    raise AssertionError(f"job did not finish: {job.snapshot()}")


def test_two_jobs_at_once_do_not_see_each_other(tmp_path):
    iris, wine = load_demo("iris"), load_demo("wine")
    a = TrainingJob(str(tmp_path / "a")).start(iris, {**SETTINGS, "n_training_epochs": 3})
    b = TrainingJob(str(tmp_path / "b")).start(wine, {**SETTINGS, "n_training_epochs": 5})
    sa, sb = wait(a), wait(b)
    assert (sa.status, sb.status) == ("done", "done")
    assert (len(sa.losses), len(sb.losses)) == (3, 5)
    runs_a, runs_b = Workspace(tmp_path / "a").list_runs(), Workspace(tmp_path / "b").list_runs()
    assert [r.id for r in runs_a] == [sa.run_id] and [r.id for r in runs_b] == [sb.run_id]
    assert runs_a[0].dataset_name == "iris" and runs_b[0].dataset_name == "wine"


def test_cancel_keeps_the_partial_model_as_a_run(tmp_path):
    job = TrainingJob(str(tmp_path)).start(load_demo("iris"),
                                           {**SETTINGS, "n_training_epochs": 2000})
    deadline = time.monotonic() + 240
    while job.snapshot().epoch < 2 and time.monotonic() < deadline:
        time.sleep(0.1)
    job.cancel()
    snap = wait(job)
    assert snap.status == "cancelled" and 2 <= len(snap.losses) < 2000
    run = Workspace(tmp_path).load_run(snap.run_id)
    assert run.cancelled and len(run.points) == 150


def test_bad_settings_fail_with_one_line(tmp_path):
    job = TrainingJob(str(tmp_path)).start(load_demo("iris"),
                                           {**SETTINGS, "n_neighbors": 500,
                                            "n_training_epochs": 2})
    snap = wait(job)
    assert snap.status == "failed" and "n_neighbors (500)" in snap.error and "\n" not in snap.error
    assert Workspace(tmp_path).list_runs() == []
