"""JobStore: a folder per job, written whole, read by anyone, cancel through the folder."""

import json
import time

import numpy as np
import pytest

from pumap_core.errors import InvalidParameterError, ModelNotFoundError
from pumap_core.jobs import QUEUED, RUNNING, JobOrder, JobStore


@pytest.fixture
def store(tmp_path):
    return JobStore(tmp_path)


def test_a_new_job_is_queued_with_its_order_and_landmarks(store):
    order = JobOrder(dataset_id="d1", params={"n_neighbors": 7}, network="MLP", run_name="a")
    positions = np.full((4, 2), np.nan, np.float32)
    record = store.create(order, owner="s1", dataset_name="iris", n_items=4, landmarks=positions)
    assert (record.status, record.owner, record.dataset_id, record.n_items) == (
        QUEUED, "s1", "d1", 4)
    assert record.settings == {"n_neighbors": 7, "network": "MLP", "layers": 3, "units": 100}
    assert store.order(record.id) == order
    np.testing.assert_array_equal(store.landmarks(record.id), positions)
    assert [p.name for p in store.jobs_dir.iterdir()] == [record.id]  # no temporary left


def test_updates_are_seen_by_a_second_store_on_the_same_folder(store, tmp_path):
    record = store.create(JobOrder(dataset_id="d"))
    now = time.time()
    store.update(record.id, status=RUNNING, started=now, heartbeat=now, epoch=2,
                 losses=(0.4, 0.3))
    seen = JobStore(tmp_path).get(record.id)
    assert (seen.status, seen.epoch, seen.losses) == (RUNNING, 2, (0.4, 0.3))


def test_listing_is_oldest_first_and_skips_damaged_records(store):
    first = store.create(JobOrder(dataset_id="a"))
    second = store.create(JobOrder(dataset_id="b"))
    store.update(first.id, status="done", stage="done")
    broken = store.create(JobOrder(dataset_id="c"))
    (store.jobs_dir / broken.id / "job.json").write_text("{")
    assert [r.id for r in store.list()] == [first.id, second.id]
    assert [r.id for r in store.list(active_only=True)] == [second.id]


def test_cancel_is_a_marker_in_the_folder(store):
    record = store.create(JobOrder(dataset_id="d"))
    assert not store.cancel_requested(record.id)
    store.request_cancel(record.id)
    assert store.cancel_requested(record.id)


def test_unknown_and_hostile_ids(store):
    with pytest.raises(ModelNotFoundError):
        store.get("20200101-000000-none-0000")
    for bad in ("../etc", "a/b", ".hidden", ""):
        with pytest.raises(InvalidParameterError):
            store.get(bad)
    assert json.loads(json.dumps(store.list())) == []


def test_a_running_job_whose_worker_went_silent_reads_as_interrupted(store):
    """After a server kill, nothing would ever finish the record: any reader marks it."""
    record = store.create(JobOrder(dataset_id="d"))
    store.update(record.id, status=RUNNING, started=1.0, heartbeat=1.0)
    seen = store.get(record.id)
    assert seen.status == "interrupted" and "nothing was heard" in seen.error
    assert json.loads((store.jobs_dir / record.id / "job.json").read_text())["status"] == \
        "interrupted"
