"""End to end, as a person would: cold start → demo → train → map → hover → select → download.

Runs ``streamlit run app.py`` on a free port with an empty workspace and drives Debian's
Chromium. The time from the server's cold start to the trained map being visible (the demo at
EPOCHS epochs) is written to the log and to test-artifacts/e2e_timing.txt (not asserted).

The same flow checks that the app is offline and quiet (issue 12): every request the browser
makes, frames and web sockets included, goes to the app's own host, and the server's log holds
no TensorFlow start-up line and no "missing ScriptRunContext" warning
(:mod:`test_offline` has the patterns).
"""

from __future__ import annotations

import csv
import io
import re
import time
from urllib.parse import urlparse

import numpy as np

from test_offline import LOCAL_HOSTS, TF_NOISE
from test_scatter_component import IFRAME, _isolated_point, _positions

TRAIN_TIMEOUT_MS = 400_000
#: Enough for a map whose classes separate (hover and box select need no more).
EPOCHS = 40


def test_demo_train_explore_select_download(streamlit_server, page, artifacts, tmp_path,
                                            monkeypatch):
    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    requests: list[str] = []
    page.context.on("request", lambda request: requests.append(request.url))  # frames too
    page.on("websocket", lambda socket: requests.append(socket.url))  # not a "request"
    t0 = time.monotonic()
    url = streamlit_server("app.py")
    page.set_viewport_size({"width": 1400, "height": 1400})  # the whole map fits on screen
    page.goto(url)
    demo = page.get_by_role("button", name="Load the demo and go to Train")
    demo.wait_for(timeout=90_000)
    page.wait_for_timeout(1_000)  # the favicon and usage statistics follow the first run
    assert page.get_by_role("button", name="Deploy").count() == 0
    icon = page.locator("link[rel='shortcut icon']").get_attribute("href")
    assert icon.startswith("data:image/svg+xml"), icon  # assets/favicon.svg, inlined
    demo.click()
    epochs = page.get_by_role("spinbutton", name="Epochs", exact=True)
    # The first visit to Train starts the training service (its cluster and its workers
    # importing TensorFlow on 2 shared cores): allow it minutes.
    epochs.fill(str(EPOCHS), timeout=300_000)  # sent with Train
    epochs.press("Tab")
    page.get_by_role("button", name="Train", exact=True).click(timeout=90_000)
    page.get_by_text("Training the network").first.wait_for(timeout=120_000)
    page.screenshot(path=str(artifacts / "app_training.png"), full_page=True)
    page.get_by_role("button", name="Explore the map").click(timeout=TRAIN_TIMEOUT_MS)
    page.get_by_text("saved as run", exact=False).count()

    handle = page.wait_for_selector(IFRAME, timeout=120_000)
    frame = handle.content_frame()
    frame.wait_for_selector('body[data-ready="1"]', state="attached", timeout=60_000)
    mapped = time.monotonic() - t0
    (artifacts / "e2e_timing.txt").write_text(
        f"cold start -> digits demo ({EPOCHS} epochs) trained and mapped in the browser: "
        f"{mapped:.1f} s\n")
    print(f"cold start to map: {mapped:.1f} s")
    handle.scroll_into_view_if_needed()
    px, py, trace_type = _positions(handle, frame)
    assert len(px) == 1797 and trace_type == "scattergl"

    # hover: the digit's thumbnail appears near the cursor
    target = _isolated_point(px, py)
    page.mouse.move(px[target] - 30, py[target] - 30)
    page.mouse.move(px[target], py[target], steps=5)
    tip = frame.locator("#tip")
    # the tooltip follows the cursor's path: wait until it shows the point under it
    frame.locator(f'#tip[data-index="{target}"]').wait_for(state="visible", timeout=5_000)
    assert f"row</b>: {target}" in tip.inner_html() or f"row: {target}" in tip.inner_text()
    frame.locator("#tip[data-thumb]").wait_for(state="attached", timeout=5_000)
    assert "t_" in frame.locator("#tip .thumb").evaluate(
        "el => getComputedStyle(el).backgroundImage")
    page.screenshot(path=str(artifacts / "app_hover.png"))

    # box-select a region around the densest part of the map
    cx, cy = float(np.median(px)), float(np.median(py))
    page.mouse.move(cx - 60, cy - 60)
    page.mouse.down()
    page.mouse.move(cx + 60, cy + 60, steps=12)
    page.mouse.up()
    inside = int(((px > cx - 60) & (px < cx + 60) & (py > cy - 60) & (py < cy + 60)).sum())
    assert inside > 0
    heading = page.get_by_text(re.compile(r"Selection: [\d,]+ items"))
    try:
        heading.wait_for(timeout=60_000)
    finally:
        page.screenshot(path=str(artifacts / "app_selection.png"), full_page=True)
    selected = int(re.search(r"([\d,]+) items", heading.inner_text()).group(1).replace(",", ""))
    assert abs(selected - inside) <= 2  # points on the box's edge may go either way

    # download the selection as CSV and check its content
    with page.expect_download(timeout=60_000) as info:
        page.get_by_role("button", name="Download selection (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(info.value.path().read_text())))
    assert len(rows) == selected
    assert {"row", "x", "y", "label"} <= set(rows[0])

    # nothing left the machine, and the server's log (the training processes write to it
    # too) is quiet
    outside = sorted({u for u in requests if urlparse(u).scheme not in ("data", "blob")
                      and urlparse(u).hostname not in LOCAL_HOSTS})
    assert not outside, f"requests to other hosts: {outside}"
    log = (artifacts / f"streamlit_app_{urlparse(url).port}.log").read_text()
    assert "missing ScriptRunContext" not in log, log[-3000:]
    noise = [m.group(0) for m in TF_NOISE.finditer(log)]
    assert not noise, f"TensorFlow start-up lines in the server log: {noise}\n{log[-3000:]}"
