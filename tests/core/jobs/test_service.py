"""The training service on Dask: jobs queue, train on reused workers, cancel, and a killed
worker leaves an interrupted job (never a silent one) that Resume finishes from its checkpoint,
while the service goes on.

One cluster of one worker serves the whole module (a worker imports TensorFlow once).
"""

import os
import signal
import time

import pytest

from pumap_core import InvalidParameterError
from pumap_core.data import DatasetStore, load_demo
from pumap_core.jobs import (CANCELLED, DONE, FAILED, INTERRUPTED, QUEUED, RUNNING, JobOrder,
                             JobStore, TrainingService)
from pumap_core.runs import Workspace

PARAMS = {"n_neighbors": 10, "random_state": 0}


@pytest.fixture(scope="module")
def cluster():
    from pumap_core.jobs.service import local_cluster, stop_local_clusters
    from pumap_core.training.checkpoint import EVERY_ENV

    stop_local_clusters()  # the workers must see this module's checkpoint interval
    os.environ[EVERY_ENV] = "0.5"
    try:
        yield local_cluster(n_workers=1)
    finally:
        os.environ.pop(EVERY_ENV)
        stop_local_clusters()


@pytest.fixture
def service(tmp_path, cluster):
    service = TrainingService(tmp_path, scheduler=cluster)
    yield service
    service.close()


def submit(service, dataset, **params):
    dataset_id = DatasetStore(service.store.root).save(dataset).id
    order = JobOrder(dataset_id=dataset_id, params={**PARAMS, **params})
    return service.submit(order, owner="me", dataset_name=dataset.name, n_items=dataset.n_items)


def wait(store, job_id, until, timeout=240):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        record = store.get(job_id)
        if until(record):
            return record
        time.sleep(0.1)
    raise AssertionError(f"job never got there: {store.get(job_id)}")


def test_jobs_queue_and_train_one_after_another_with_their_own_settings(service):
    first = submit(service, load_demo("iris"), n_training_epochs=3, min_dist=0.9)
    second = submit(service, load_demo("wine"), n_training_epochs=4, min_dist=0.0)
    assert service.store.get(second.id).status in (QUEUED, RUNNING)
    done = [wait(service.store, r.id, lambda r: r.finished) for r in (first, second)]
    assert [r.status for r in done] == [DONE, DONE]
    assert [len(r.losses) for r in done] == [3, 4]
    assert done[0].ended <= done[1].started + 1e-3  # one worker: one after the other
    runs = {run.id: run for run in Workspace(service.store.root).list_runs()}
    assert runs[done[0].run_id].params["min_dist"] == 0.9
    assert runs[done[1].run_id].params["min_dist"] == 0.0
    assert runs[done[1].run_id].dataset_name == "wine"


def test_cancel_a_running_job_keeps_a_run_and_a_queued_one_never_starts(service):
    running = submit(service, load_demo("iris"), n_training_epochs=2000)
    queued = submit(service, load_demo("iris"), n_training_epochs=5)
    wait(service.store, running.id, lambda r: r.epoch >= 2)
    assert service.cancel(queued.id).status == CANCELLED
    service.cancel(running.id)
    stopped = wait(service.store, running.id, lambda r: r.finished)
    assert stopped.status == CANCELLED and 2 <= len(stopped.losses) < 2000
    assert Workspace(service.store.root).load_run(stopped.run_id).cancelled
    never = service.store.get(queued.id)
    assert never.status == CANCELLED and never.run_id is None and never.started == 0


def test_bad_settings_fail_with_one_line(service):
    job = submit(service, load_demo("iris"), n_neighbors=500, n_training_epochs=2)
    record = wait(service.store, job.id, lambda r: r.finished)
    assert record.status == FAILED and "n_neighbors (500)" in record.error
    assert "\n" not in record.error and Workspace(service.store.root).list_runs() == []


def test_a_killed_worker_interrupts_its_job_and_resume_finishes_it_from_its_checkpoint(service):
    epochs = 200
    job = submit(service, load_demo("digits"), n_training_epochs=epochs)
    store = service.store
    wait(store, job.id, lambda r: (store.checkpoint_epoch(r.id) or 0) >= 2)
    pids = service.client.run(os.getpid)
    for pid in pids.values():
        os.kill(pid, signal.SIGKILL)
    record = wait(store, job.id, lambda r: r.finished, timeout=60)
    assert record.status == INTERRUPTED and "worker" in record.error
    saved = store.checkpoint_epoch(job.id)
    assert 2 <= saved < epochs
    assert service.resume(job.id).status == QUEUED  # a new worker takes it
    done = wait(store, job.id, lambda r: r.finished)
    assert done.status == DONE and done.error is None and done.resumed_from == saved
    assert len(done.losses) == epochs and store.checkpoint_epoch(job.id) is None
    run = Workspace(store.root).load_run(done.run_id)
    assert not run.cancelled and run.params["n_training_epochs"] == epochs
    with pytest.raises(InvalidParameterError, match="Only an interrupted job"):
        service.resume(job.id)


def test_an_ended_job_can_be_discarded_but_not_a_queued_one(tmp_path):
    store = JobStore(tmp_path)
    job = store.create(JobOrder(dataset_id="d"))
    with pytest.raises(InvalidParameterError, match="cancel it first"):
        store.discard(job.id)
    store.update(job.id, status=INTERRUPTED)
    store.discard(job.id)
    assert store.list() == []


def test_a_restarted_service_sends_queued_jobs_again_and_flags_silent_ones(tmp_path, cluster):
    store = JobStore(tmp_path)
    dataset_id = DatasetStore(tmp_path).save(load_demo("iris")).id
    queued = store.create(JobOrder(dataset_id=dataset_id, params={**PARAMS,
                                                                  "n_training_epochs": 2}))
    silent = store.create(JobOrder(dataset_id=dataset_id))
    store.update(silent.id, status=RUNNING, started=1.0, heartbeat=1.0)  # its server died
    service = TrainingService(tmp_path, scheduler=cluster)
    try:
        assert store.get(silent.id).status == INTERRUPTED
        assert wait(store, queued.id, lambda r: r.finished).status == DONE
    finally:
        service.close()


def test_after_a_restart_with_its_own_cluster_a_quiet_running_job_is_interrupted_at_once(
        tmp_path, cluster):
    """The server was killed mid-training, and its cluster with it: the new server's fresh
    cluster trains nothing yet, so a job still marked running is not waited on for a minute.
    One whose heartbeat is fresh (a worker of another server on the same folder) is left."""
    store = JobStore(tmp_path)
    dead, alive = (store.create(JobOrder(dataset_id="d")) for _ in range(2))
    now = time.time()
    store.update(dead.id, status=RUNNING, started=now - 30, heartbeat=now - 20)
    store.update(alive.id, status=RUNNING, started=now - 30, heartbeat=now)
    service = TrainingService(tmp_path, n_workers=1)  # this process's own cluster
    try:
        record = store.get(dead.id)
        assert record.status == INTERRUPTED and "server was stopped" in record.error
        assert store.get(alive.id).status == RUNNING
    finally:
        service.close()


IMPORT_IN_A_FRESH_PROCESS = """
import sys
from pathlib import Path
from pumap_core.jobs import TrainingService
from pumap_core.errors import PumapError
root, address, zip_path = sys.argv[1:]
service = TrainingService(root, scheduler=address)
added = service.import_run_zip(Path(zip_path).read_bytes())
try:
    service.import_run_zip(b"not a zip")
except PumapError as exc:
    print("refused:", exc.user_message)
print("added:", added.id)
print("tensorflow imported:", "tensorflow" in sys.modules or "keras" in sys.modules)
service.close()
"""


def test_a_run_zip_is_checked_on_a_worker_beside_a_training_never_in_the_server(
        service, tmp_path):
    """Uploading a run zip took the Streamlit server from 0.5 to 1.1 GB for good (TensorFlow,
    to load the model and check it). Through the service, a worker does it, with its second
    thread, while its first one trains."""
    import subprocess
    import sys

    from pumap_core import ParametricUMAP

    iris = load_demo("iris")
    other = Workspace(tmp_path / "elsewhere")
    run = other.save_run(ParametricUMAP(n_training_epochs=2, random_state=0).fit(iris.X), iris)
    zip_path = tmp_path / "run.zip"
    zip_path.write_bytes(other.export_zip(run.id))
    training = submit(service, load_demo("digits"), n_training_epochs=2000)
    wait(service.store, training.id, lambda r: r.epoch >= 1)
    out = subprocess.run([sys.executable, "-c", IMPORT_IN_A_FRESH_PROCESS,
                          str(service.store.root), service.address, str(zip_path)],
                         capture_output=True, text=True, timeout=300, check=True).stdout
    assert "tensorflow imported: False" in out
    assert "refused: " in out and "zip" in out.split("refused: ")[1].lower()
    added = out.split("added: ")[1].split()[0]
    assert Workspace(service.store.root).load_run(added).n_items == 150
    assert service.store.get(training.id).status == RUNNING  # it did not wait for the training
    service.cancel(training.id)
    wait(service.store, training.id, lambda r: r.finished)
    assert not list((service.store.root / "uploads").iterdir())


def test_an_embed_job_places_a_parquet_dataset_on_a_runs_map_and_keeps_it_as_a_map(
        service, tmp_path):
    """Large embeds started from the app are jobs of the service: the task embeds on the
    cluster it runs on, with progress in its record, and the result opens as a map."""
    import numpy as np
    import pandas as pd

    from pumap_core import ParametricUMAP
    from pumap_core.jobs import EMBED, EmbedOrder

    iris = load_demo("iris")
    ws = Workspace(service.store.root)
    est = ParametricUMAP(n_training_epochs=2, random_state=0).fit(iris.X)
    run = ws.save_run(est, iris)
    source = tmp_path / "rows"
    source.mkdir()
    rows = np.repeat(iris.X, 20, axis=0)  # 3,000 rows in 3 files
    for i, part in enumerate(np.array_split(rows, 3)):
        frame = pd.DataFrame(part, columns=[f"f{j}" for j in range(rows.shape[1])])
        frame["id"] = np.arange(len(part)) + i * len(part)
        frame.to_parquet(source / f"part-{i}.parquet", index=False)
    order = EmbedOrder(run_id=run.id, source=str(source), keep=("id",), name="iris × 20",
                       columns=tuple(f"f{j}" for j in range(rows.shape[1])))
    job = service.submit(order, owner="me", dataset_name="rows", n_items=len(rows))
    done = wait(service.store, job.id, lambda r: r.finished)
    assert done.status == DONE and done.kind == EMBED, done.error
    assert done.n_epochs >= 3 and done.epoch == done.n_epochs  # parts done / parts
    info = {r.id: r for r in ws.list_runs()}[done.run_id]
    assert info.name == "iris × 20" and info.n_items == len(rows) and info.has_model
