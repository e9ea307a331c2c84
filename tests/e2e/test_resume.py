"""End to end: the server is killed mid-training (its training cluster goes with it). After a
restart the job's link shows it interrupted, with what its checkpoint holds; Resume finishes it
from there; the workspace holds that one run and nothing half-written. Screenshots:
test-artifacts/resume_*.png (1400×900)."""

from __future__ import annotations

import time
from pathlib import Path
from urllib.parse import urlsplit

from pumap_core.jobs import JobStore
from pumap_core.runs import Workspace

SIZE = {"width": 1400, "height": 900}
EPOCHS = 60


def wait_for_checkpoint(root: Path, timeout: float = 180.0) -> str:
    """The id of the job that has written a checkpoint of at least one epoch."""
    store, deadline = JobStore(root), time.monotonic() + timeout
    while time.monotonic() < deadline:
        for record in store.list():
            if (store.checkpoint_epoch(record.id) or 0) >= 1:
                return record.id
        time.sleep(0.2)
    raise AssertionError("no checkpoint was written")


def test_a_killed_server_loses_nothing_and_resume_finishes_the_job(
        streamlit_server, browser, artifacts, tmp_path, monkeypatch):
    root = tmp_path / "workspace"
    monkeypatch.setenv("PUMAP_WORKSPACE", str(root))
    monkeypatch.setenv("PUMAP_CHECKPOINT_SECONDS", "1")
    url = streamlit_server("app.py")
    page = browser.new_context(viewport=SIZE).new_page()
    page.set_default_timeout(90_000)  # 2 shared cores: a page run can take a while
    page.goto(url)
    page.get_by_role("button", name="Load the demo and go to Train").click(timeout=90_000)
    epochs = page.get_by_role("spinbutton", name="Epochs")
    # The first visit to Train starts the training service (its cluster and its workers
    # importing TensorFlow on 2 shared cores): allow it minutes.
    epochs.fill(str(EPOCHS), timeout=300_000)
    epochs.press("Tab")
    page.get_by_role("button", name="Train", exact=True).click(timeout=90_000)
    page.get_by_text("Training the network").first.wait_for(timeout=180_000)
    job_id = wait_for_checkpoint(root)
    link = urlsplit(page.url)
    assert f"job={job_id}" in link.query

    streamlit_server.kill(url)  # as a crash: no clean-up of any kind
    assert Workspace(root).list_runs() == []  # nothing half-written appears as a run

    again = streamlit_server("app.py")
    page.goto(f"{again}{link.path}?{link.query}")
    resume = page.get_by_role("button", name="Resume from epoch")
    resume.wait_for(timeout=120_000)
    assert "server was stopped" in page.get_by_text("Training stopped").first.inner_text()
    page.screenshot(path=str(artifacts / "resume_interrupted.png"))
    saved = JobStore(root).checkpoint_epoch(job_id)
    assert 1 <= saved < EPOCHS
    resume.click()
    page.get_by_text(f"Finished {EPOCHS} epochs (resumed from epoch").first.wait_for(
        timeout=240_000)
    page.screenshot(path=str(artifacts / "resume_finished.png"))
    record = JobStore(root).get(job_id)
    assert record.status == "done" and record.resumed_from >= saved
    runs = Workspace(root).list_runs()
    assert [r.id for r in runs] == [record.run_id] and runs[0].epochs_trained == EPOCHS
    assert Workspace(root).load_run(record.run_id).estimator().transform([[0.0] * 64]).shape \
        == (1, 2)
