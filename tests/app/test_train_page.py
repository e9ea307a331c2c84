"""Train page: a 3-epoch training of iris in the background ends as a saved run."""

import time

from pumap_core.workspace import Workspace


WAIT_S = 120


def test_renders_on_empty_session(open_page):
    """With no dataset the page falls back to the default demo and shows its form."""
    at = open_page("pages/train.py")
    assert not at.exception
    assert at.session_state["dataset"].name == "digits"
    assert any(b.label == "Train" for b in at.button)


def test_training_saves_a_run_and_reports_it(open_page, text_of, iris):
    at = open_page("pages/train.py", session={"dataset": iris})
    at.number_input(key="train.epochs").set_value(3)
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception
    job = at.session_state["train.job"]
    deadline = time.monotonic() + WAIT_S
    while not job.snapshot().finished and time.monotonic() < deadline:
        time.sleep(0.5)  # the page's fragment would poll; AppTest runs nothing by itself
    snap = job.snapshot()
    assert snap.status == "done", snap.error or f"not finished after {WAIT_S} s"
    at.run()
    assert not at.exception
    runs = Workspace().list_runs()
    assert [r.id for r in runs] == [snap.run_id]
    assert runs[0].epochs_trained == 3 and runs[0].dataset_name == "iris"
    assert any(t.startswith("Finished 3 epochs") and snap.run_id in t for t in text_of(at.success))
    at.button(key="train.explore").click().run()  # the success panel leads to the new map
    assert at.session_state["explore.run_id"] == snap.run_id
    assert at.title[0].value == "Explore" and not at.exception
