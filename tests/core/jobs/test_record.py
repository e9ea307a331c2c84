"""JobRecord: job.json's fields, statuses that stay final, staleness, progress."""

import time

import pytest

from pumap_core.jobs import CANCELLED, DONE, INTERRUPTED, QUEUED, RUNNING, JobRecord
from pumap_core.jobs.record import STALE_SECONDS


def test_a_record_survives_its_json_and_ignores_unknown_keys():
    record = JobRecord(id="20261201-120000-iris-0a1b", status=RUNNING, stage="training",
                       epoch=3, n_epochs=10, losses=(0.5, None, 0.25), settings={"k": 1})
    raw = record.to_dict() | {"from_a_newer_version": True}
    assert JobRecord.from_dict(raw) == record
    with pytest.raises(ValueError, match="status"):
        JobRecord.from_dict({"id": "x", "status": "sleeping"})


def test_a_final_status_is_never_moved_on():
    done = JobRecord(id="j", status=DONE, stage=DONE, run_id="r")
    late = done.moved(status=RUNNING, stage="training", epoch=7)
    assert (late.status, late.stage, late.epoch) == (DONE, DONE, 7)
    assert JobRecord(id="j").moved(status=CANCELLED).status == CANCELLED


def test_only_a_silent_running_job_is_stale():
    now = time.time()
    old = now - STALE_SECONDS - 1
    assert JobRecord(id="j", status=RUNNING, started=old, heartbeat=old).stale(now)
    assert not JobRecord(id="j", status=RUNNING, started=old, heartbeat=now).stale(now)
    assert not JobRecord(id="j", status=QUEUED, created=old).stale(now)
    assert not JobRecord(id="j", status=INTERRUPTED, heartbeat=old).stale(now)


def test_progress_and_elapsed():
    assert JobRecord(id="j").progress == 0.0
    assert JobRecord(id="j", status=RUNNING, epoch=5, n_epochs=10).progress == pytest.approx(0.55)
    assert JobRecord(id="j", status=DONE).progress == 1.0
    assert JobRecord(id="j", started=100.0, ended=112.5).elapsed == 12.5


def test_only_an_interrupted_job_may_be_queued_again():
    assert JobRecord(id="j", status=INTERRUPTED).moved(status=QUEUED).status == QUEUED
    for final in (DONE, CANCELLED):
        assert JobRecord(id="j", status=final).moved(status=QUEUED).status == final
