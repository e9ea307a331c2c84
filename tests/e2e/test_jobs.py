"""End to end: a training belongs to the server. A reload mid-training, and a second browser
opening the job's link, show the same live job; a second user's training waits in the queue,
in view, and starts when the first is cancelled. The job's state sits beside the form, in view
with the Train button, and a new press replaces the last job's outcome at once (issue 14).
Under the loss curve the map itself moves as it trains, in view too (issue 15).
Screenshots: test-artifacts/jobs_*.png (1400×900)."""

from __future__ import annotations

import json
import re
import time

SIZE = {"width": 1400, "height": 900}
#: The title of the job panel's live map ("The map now — epoch 38 of 1500"), or null.
LIVE_MAP_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .map(g => (g._fullLayout && g._fullLayout.title && g._fullLayout.title.text) || '')
    .find(t => t.includes('The map now')) || null"""
LIVE_MAP_TRACES_JS = """() => [...document.querySelectorAll('.js-plotly-plot')]
    .find(g => ((g._fullLayout.title || {}).text || '').includes('The map now'))
    ._fullData.map(t => t.name)"""
#: Top and bottom of the live map on screen.
LIVE_MAP_BOX_JS = """() => { const r = [...document.querySelectorAll('.js-plotly-plot')]
    .find(g => ((g._fullLayout.title || {}).text || '').includes('The map now'))
    .getBoundingClientRect(); return [r.top, r.bottom]; }"""


def in_view(locator, tries: int = 10) -> bool:
    """Whether the element lies wholly inside the window; asked a few times, since the job's
    panel redraws itself twice a second (an element being replaced has no box)."""
    for _ in range(tries):
        box = locator.bounding_box()
        if box is not None:
            return box["y"] >= 0 and box["y"] + box["height"] <= SIZE["height"]
        time.sleep(0.2)
    return False


def test_a_reload_and_a_second_browser_follow_the_same_job(streamlit_server, browser, artifacts,
                                                           tmp_path, monkeypatch):
    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    url = streamlit_server("app.py")
    first = browser.new_context(viewport=SIZE).new_page()
    first.set_default_timeout(90_000)  # 2 shared cores: a page run can take a while
    first.goto(url)
    first.get_by_role("button", name="Load the demo and go to Train").click(timeout=90_000)
    epochs = first.get_by_role("spinbutton", name="Epochs")
    # The first visit to Train starts the training service (its cluster and its workers
    # importing TensorFlow on 2 shared cores): allow it minutes.
    epochs.fill("1500", timeout=300_000)
    epochs.press("Tab")
    train = first.get_by_role("button", name="Train", exact=True)
    train.wait_for(timeout=90_000)
    assert in_view(train), "the Train button is below the fold"
    train.click()
    # The job's state line, whatever stage it has reached (not "queued" in the jobs list).
    sent = first.get_by_text(re.compile(r"^(Sending your training|Queued|Waiting|Loading|"
                                        r"Finding nearest neighbours|Building|Training the network)"))
    sent.first.wait_for(timeout=5_000)
    assert in_view(sent.first)
    first.get_by_text("Training the network").first.wait_for(timeout=180_000)
    first.locator(".stPlotlyChart").first.wait_for(timeout=60_000)  # the live loss curve
    assert in_view(first.locator(".stPlotlyChart").first) and in_view(train)
    assert "job=" in first.url
    first.screenshot(path=str(artifacts / "jobs_training.png"))
    # ...and under it the map itself, as it is now: the worker's latest snapshot, which moves on
    first.wait_for_function(f"({LIVE_MAP_JS})() !== null", timeout=60_000)
    seen = first.evaluate(LIVE_MAP_JS)
    first.wait_for_function(f"({LIVE_MAP_JS})() !== {json.dumps(seen)}", timeout=90_000)
    assert first.evaluate(LIVE_MAP_TRACES_JS) == [str(d) for d in range(10)]  # by label
    top, bottom = first.evaluate(LIVE_MAP_BOX_JS)
    assert 0 <= top and bottom <= SIZE["height"], ("the live map is below the fold", top, bottom)
    first.screenshot(path=str(artifacts / "jobs_live_map.png"))

    first.reload()  # a new session: the job is found again by its id in the URL
    first.get_by_text("Training the network").first.wait_for(timeout=60_000)
    # ...and it is still this browser's job: the form shows its settings, locked.
    assert first.get_by_role("button", name="Train", exact=True).is_disabled()
    assert first.get_by_role("spinbutton", name="Epochs").input_value() == "1500"
    assert first.get_by_role("spinbutton", name="Epochs").is_disabled()
    first.screenshot(path=str(artifacts / "jobs_after_reload.png"))

    second = browser.new_context(viewport=SIZE).new_page()
    second.set_default_timeout(90_000)  # 2 shared cores: a page run can take a while
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

    # A new press replaces the last outcome at once, where the eye is.
    outcome = first.get_by_text("Cancelled after")
    # The enabled button: a rerun can briefly show the locked form's (disabled) one beside it.
    enabled = first.locator("button[kind=primaryFormSubmit]:not([disabled])").first
    enabled.wait_for(timeout=30_000)
    first.wait_for_function("!document.querySelector('button[kind=primaryFormSubmit]')"
                            "?.disabled", timeout=30_000)
    pressed = time.monotonic()
    enabled.click()
    outcome.wait_for(state="detached", timeout=3_000)
    assert time.monotonic() - pressed < 3.0
    assert in_view(sent.first)
    first.screenshot(path=str(artifacts / "jobs_new_press.png"))
    first.get_by_role("button", name="Cancel").first.click(timeout=60_000)
