"""End to end (issue 15): Explore replays how a run's map formed, in Chromium.

A small digits run is fitted and kept through the Workspace API (no training in the browser);
Chromium opens Explore at 1400×900, turns on "Show the replay", presses plotly's Play button
and checks that the frame label and the title move on from the warm start through the epochs
to the last one, while the axes stay where they were and the points move. Screenshots:
test-artifacts/replay_open.png, replay_playing.png, replay_end.png.
"""

from __future__ import annotations

import re

PLOT = '[data-testid="stPlotlyChart"] .js-plotly-plot'
SLIDER = f"{PLOT} .slider-container"
# The frame on show: the slider's active step (plotly moves it with the animation) and its label.
ACTIVE_JS = ("() => { const s = document.querySelector('%s')._fullLayout.sliders[0]; "
             "return s.steps[s.active].label; }" % PLOT)
STATE_JS = """() => {
    const gd = document.querySelector('%s'), s = gd._fullLayout.sliders[0];
    return {label: s.steps[s.active].label, active: s.active,
            title: gd.querySelector('.gtitle').textContent,
            x: Array.from(gd._fullData[0].x).slice(0, 5),
            xrange: gd._fullLayout.xaxis.range.slice(),
            frames: (gd._transitionData._frames || []).length};
}""" % PLOT


def epoch_of(label: str) -> int:
    """0 for the warm start, else the epoch in "epoch 12"."""
    found = re.search(r"epoch (\d+)", label or "")
    return int(found.group(1)) if found else 0


def test_the_replay_plays_from_the_warm_start_to_the_end(streamlit_server, browser, artifacts,
                                                         tmp_path, monkeypatch):
    from pumap_core import ParametricUMAP
    from pumap_core.data import load_demo
    from pumap_core.runs import Workspace

    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    small = load_demo("digits").head(500)
    est = ParametricUMAP(n_training_epochs=40, random_state=0).fit(small.X)
    Workspace().save_run(est, small, name="digits replay", metrics={})
    n_frames = len(est.snapshots_)
    assert n_frames == 41 and est.snapshots_.epochs[-1] == 40

    url = streamlit_server("app.py")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        page.goto(f"{url}/explore")
        page.get_by_text("Replay the training").wait_for(timeout=120_000)
        toggle = page.get_by_text("Show the replay")
        toggle.scroll_into_view_if_needed()
        toggle.click()
        page.wait_for_selector(SLIDER, timeout=60_000)
        page.locator(PLOT).scroll_into_view_if_needed()
        page.wait_for_timeout(500)
        page.screenshot(path=str(artifacts / "replay_open.png"))
        start = page.evaluate(STATE_JS)
        assert start["frames"] == n_frames
        assert start["label"] == "warm start" == start["title"] and start["active"] == 0, start

        page.locator(f"{PLOT} .updatemenu-button", has_text="Play").click()
        page.wait_for_function(f"() => ({ACTIVE_JS})() !== 'warm start'", timeout=10_000)
        page.wait_for_timeout(1500)
        playing = page.evaluate(STATE_JS)
        page.screenshot(path=str(artifacts / "replay_playing.png"))
        page.wait_for_timeout(1000)
        later = page.evaluate(STATE_JS)
        assert 0 < epoch_of(playing["label"]) < epoch_of(later["label"]), (playing, later)
        assert re.fullmatch(r"epoch \d+ of 40", later["title"]), later

        page.wait_for_function(f"() => ({ACTIVE_JS})() === 'epoch 40'", timeout=40_000)
        page.wait_for_timeout(600)
        end = page.evaluate(STATE_JS)
        page.screenshot(path=str(artifacts / "replay_end.png"))
        assert end["title"] == "epoch 40 of 40" and end["active"] == n_frames - 1, end
        assert end["xrange"] == start["xrange"]  # the frame stays, the points move
        assert end["x"] != start["x"]
    except Exception:
        page.screenshot(path=str(artifacts / "replay_failed.png"), full_page=True)
        raise
    finally:
        context.close()
