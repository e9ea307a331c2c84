"""End to end: a training belongs to the server. A reload mid-training, and a second browser
opening the job's link, show the same live job; a second user's training waits in the queue,
in view, and starts when the first is cancelled. Screenshots: test-artifacts/jobs_*.png
(1400×900)."""

from __future__ import annotations

SIZE = {"width": 1400, "height": 900}


def test_a_reload_and_a_second_browser_follow_the_same_job(streamlit_server, browser, artifacts,
                                                           tmp_path, monkeypatch):
    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    url = streamlit_server("app.py")
    first = browser.new_context(viewport=SIZE).new_page()
    first.goto(url)
    first.get_by_role("button", name="Load the demo and go to Train").click(timeout=90_000)
    epochs = first.get_by_role("spinbutton", name="Epochs")
    epochs.fill("1500")
    epochs.press("Tab")
    first.get_by_role("button", name="Train", exact=True).click(timeout=90_000)
    first.get_by_text("Training the network").first.wait_for(timeout=180_000)
    assert "job=" in first.url
    first.screenshot(path=str(artifacts / "jobs_training.png"))

    first.reload()  # a new session: the job is found again by its id in the URL
    first.get_by_text("Training the network").first.wait_for(timeout=60_000)
    # ...and it is still this browser's job: the form shows its settings, locked.
    assert first.get_by_role("button", name="Train", exact=True).is_disabled()
    assert first.get_by_role("spinbutton", name="Epochs").input_value() == "1500"
    assert first.get_by_role("spinbutton", name="Epochs").is_disabled()
    first.screenshot(path=str(artifacts / "jobs_after_reload.png"))

    second = browser.new_context(viewport=SIZE).new_page()
    second.goto(first.url)
    second.get_by_text("Training the network").first.wait_for(timeout=60_000)
    second.get_by_text("another user").first.wait_for(state="attached", timeout=30_000)  # listed
    second.screenshot(path=str(artifacts / "jobs_second_browser.png"))

    # The second user trains too: with one worker (2 cores) the job waits its turn, in view.
    second.get_by_role("button", name="Train", exact=True).click()
    second.get_by_text("Queued — next to start").first.wait_for(timeout=60_000)
    second.screenshot(path=str(artifacts / "jobs_queued.png"))
    first.get_by_role("button", name="Cancel").first.click()
    first.get_by_text("Cancelled after").first.wait_for(timeout=120_000)
    second.get_by_text("Training the network").first.wait_for(timeout=120_000)  # its turn now
    second.get_by_role("button", name="Cancel").first.click()
    first.screenshot(path=str(artifacts / "jobs_cancelled.png"))
    assert "saved as run" in first.get_by_text("Cancelled after").first.inner_text()
