"""End to end on a map above the raster threshold: hover images, box selection, exports, and a
shared link that reopens the same view in a new browser session."""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile

import numpy as np

from test_scatter_component import IFRAME, _loneliest, _positions

N = 120_000


def _open(page, url):
    page.set_viewport_size({"width": 1400, "height": 1400})
    page.goto(url)
    handle = page.wait_for_selector(IFRAME, timeout=120_000)
    frame = handle.content_frame()
    frame.wait_for_selector('body[data-ready="1"]', state="attached", timeout=60_000)
    handle.scroll_into_view_if_needed()
    return handle, frame


def test_large_map_hover_select_export_and_share(streamlit_server, browser, page, artifacts,
                                                 tmp_path, monkeypatch):
    from pumap_core.data import make_synthetic
    from pumap_core.runs import Workspace

    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    dataset, layout = make_synthetic(N, kind="images", seed=4)
    info = Workspace().save_map(dataset, layout, name="synthetic 120k")
    url = streamlit_server("app.py")

    handle, frame = _open(page, f"{url}/explore?run={info.id}")
    assert frame.evaluate("document.body.dataset.view") == "raster"
    px, py, _ = _positions(handle, frame)

    # hover: the item's thumbnail and its label appear next to the cursor
    target = _loneliest(px, py)
    page.mouse.move(px[target] - 30, py[target] - 30)
    page.mouse.move(px[target], py[target], steps=5)
    frame.locator(f'#tip[data-index="{target}"][data-thumb]').wait_for(state="attached",
                                                                      timeout=15_000)
    label = str(dataset.labels[target])
    frame.wait_for_function("want => document.getElementById('tip').innerText.includes(want)",
                            arg=f"label: {label}", timeout=20_000)
    page.screenshot(path=str(artifacts / "explore_large_hover.png"))

    # box-select around the densest cluster's centre
    cx, cy = float(np.median(px)), float(np.median(py))
    box = (cx - 50, cy - 50, cx + 50, cy + 50)
    page.mouse.move(box[0], box[1])
    page.mouse.down()
    page.mouse.move(box[2], box[3], steps=12)
    page.mouse.up()
    inside = int(((px > box[0]) & (px < box[2]) & (py > box[1]) & (py < box[3])).sum())
    heading = page.get_by_text(re.compile(r"Selection: [\d,]+ items"))
    heading.wait_for(timeout=60_000)
    selected = int(re.search(r"([\d,]+) items", heading.inner_text()).group(1).replace(",", ""))
    assert inside > 0 and abs(selected - inside) <= max(3, inside // 200)
    page.screenshot(path=str(artifacts / "explore_large_selection.png"), full_page=True)

    # exports: the CSV lists every selected row; the zip holds one image per row
    with page.expect_download(timeout=60_000) as csv_info:
        page.get_by_role("button", name="Download selection (CSV)").click()
    rows = list(csv.DictReader(io.StringIO(csv_info.value.path().read_text())))
    assert len(rows) == selected
    assert {"row", "x", "y", "label", "name"} <= set(rows[0])
    with page.expect_download(timeout=60_000) as zip_info:
        page.get_by_role("button", name="Download images (zip)").click()
    with zipfile.ZipFile(zip_info.value.path()) as zf:
        names = zf.namelist()
    assert len(names) == selected and all(n.endswith(".png") for n in names)

    # share: the URL holds the view; a new session opening it sees the same selection
    page.wait_for_function("() => location.search.includes('sel=box')", timeout=10_000)
    link = page.url
    assert f"run={info.id}" in link
    other = browser.new_context(viewport={"width": 1400, "height": 1400}).new_page()
    try:
        _open(other, link)
        again = other.get_by_text(re.compile(r"Selection: [\d,]+ items"))
        again.wait_for(timeout=60_000)
        assert again.inner_text() == heading.inner_text()
        other.screenshot(path=str(artifacts / "explore_large_shared.png"), full_page=True)
    finally:
        other.context.close()

    # pick rows in the selection's table: the map draws them emphasised
    shown = frame.evaluate("document.body.dataset.raster")
    table = page.locator('[data-testid="stDataFrame"]').last
    table.scroll_into_view_if_needed()
    box = table.bounding_box()
    for k in range(2):  # the row markers' column; rows are 35 px under a 35 px header
        page.mouse.click(box["x"] + 14, box["y"] + 35 + 17 + 35 * k)
        page.wait_for_timeout(300)
    frame.wait_for_function(f"document.body.dataset.raster !== {json.dumps(shown)}",
                            timeout=30_000)
    page.screenshot(path=str(artifacts / "explore_large_table_pick.png"), full_page=True)
