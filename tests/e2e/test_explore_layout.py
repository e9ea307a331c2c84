"""End to end, issue 14 ("the first hour of an analyst"): at 1400×900 the Explore map is on
screen when the page opens, the wheel scrolls the page until the map is clicked (or Ctrl is
held), the tooltip leaves out constant and repeated columns, the legend and the colour bar say
what the colours mean. Screenshot: test-artifacts/explore_layout.png."""

from __future__ import annotations

import numpy as np

from test_scatter_component import IFRAME, _isolated_point, _positions

VIEW = {"width": 1400, "height": 900}
RANGE_JS = "() => { const fl = window.pumapScatter.gd._fullLayout; " \
           "return [fl.xaxis.range.slice(), fl.yaxis.range.slice()]; }"
# What scrolls the page: Streamlit 1.67 scrolls its main element, not the window.
SCROLL_JS = "() => document.querySelector('[data-testid=\"stMain\"]').scrollTop"


def _map_run(n=3000):
    from pumap_core.data import make_synthetic
    from pumap_core.runs import Workspace

    dataset, layout = make_synthetic(n, kind="images", seed=3)
    table = dataset.table
    # What an image folder's table holds next to the label: a copy of the row number, a copy
    # of the label and the images' constant size.
    table.insert(0, "index", np.arange(n))
    table["species"] = table["label"]
    table["width"] = 128
    return Workspace().save_map(dataset, layout, name="layout 3k"), dataset


def _open(page, url):
    page.goto(url)
    handle = page.wait_for_selector(IFRAME, timeout=120_000)
    frame = handle.content_frame()
    frame.wait_for_selector('body[data-ready="1"]', state="attached", timeout=60_000)
    return handle, frame


def _wheel(page, frame, x, y, dy=300, modifier=None):
    """One wheel turn at (x, y): (page scroll before, after), (view range before, after)."""
    page.mouse.move(x, y)
    before = page.evaluate(SCROLL_JS), frame.evaluate(RANGE_JS)
    if modifier:
        page.keyboard.down(modifier)
    page.mouse.wheel(0, dy)
    page.wait_for_timeout(600)
    if modifier:
        page.keyboard.up(modifier)
    return (before[0], page.evaluate(SCROLL_JS)), (before[1], frame.evaluate(RANGE_JS))


def test_the_map_opens_on_screen_and_the_wheel_scrolls_the_page_until_clicked(
        streamlit_server, browser, artifacts, tmp_path, monkeypatch):
    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    info, dataset = _map_run()
    url = streamlit_server("app.py")
    page = browser.new_context(viewport=VIEW).new_page()
    page.set_default_timeout(90_000)
    try:
        handle, frame = _open(page, f"{url}/explore?run={info.id}")
        page.wait_for_timeout(500)  # let the layout settle (the frame's height is posted)
        box = handle.bounding_box()
        visible = min(box["y"] + box["height"], VIEW["height"]) - max(box["y"], 0)
        assert 0 <= box["y"] < 300, f"the map starts {box['y']:.0f} px down the page"
        assert visible >= 0.8 * box["height"], (box, visible)
        page.screenshot(path=str(artifacts / "explore_layout.png"))

        # the legend says what the colours are; the hint says what the wheel does
        legend = frame.locator(".legendtitletext")
        assert legend.count() and legend.first.text_content().strip() == "label"
        assert "hold Ctrl" in frame.locator("#wheelhint").inner_text()

        # hover: label, id, name, score; not the copies of the row and label, nor the width
        px, py, _ = _positions(handle, frame)
        target = _isolated_point(px, py)
        page.mouse.move(px[target] - 30, py[target] - 30)
        page.mouse.move(px[target], py[target], steps=5)
        tip = frame.locator("#tip")
        tip.wait_for(state="visible", timeout=10_000)
        frame.wait_for_function("() => !document.getElementById('tip').innerText"
                                ".includes('loading')", timeout=20_000)
        text = tip.inner_text()
        assert f"label: {dataset.labels[target]}" in text and "name:" in text, text
        assert "index:" not in text and "species:" not in text and "width:" not in text, text

        # the wheel over the map scrolls the page and leaves the map alone ...
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        scroll, rng = _wheel(page, frame, cx, cy)
        assert scroll[1] > scroll[0] + 50, f"the page did not scroll: {scroll}"
        assert rng[1] == rng[0], "the map zoomed without being clicked"
        # ... with Ctrl held it zooms (and the page stays)
        box = handle.bounding_box()
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        scroll, rng = _wheel(page, frame, cx, cy, dy=-300, modifier="Control")
        assert rng[1] != rng[0] and scroll[1] == scroll[0], (scroll, rng)

        # once the map is clicked (empty space at its corner), the wheel zooms it
        page.wait_for_timeout(1500)  # the zoom's redraw (a new image) is over
        page.mouse.click(box["x"] + 12, box["y"] + box["height"] - 12)  # beside the axes
        frame.wait_for_function("() => document.body.dataset.wheel === 'zoom'",
                                timeout=5_000)
        scroll, rng = _wheel(page, frame, cx, cy, dy=-300)
        assert rng[1] != rng[0] and scroll[1] == scroll[0], (scroll, rng)
        # a click outside the map gives the wheel back to the page
        page.get_by_role("heading", name="Explore").click()
        frame.wait_for_function("() => document.body.dataset.wheel === 'scroll'",
                                timeout=5_000)
        box = handle.bounding_box()  # the click may have scrolled the heading into view
        cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
        scroll, rng = _wheel(page, frame, cx, cy, dy=200)
        assert rng[1] == rng[0] and scroll[1] != scroll[0], (scroll, rng)
        # and so does Escape after a click on the map
        box = handle.bounding_box()
        page.mouse.click(box["x"] + 12, box["y"] + box["height"] - 12)
        frame.wait_for_function("() => document.body.dataset.wheel === 'zoom'",
                                timeout=5_000)
        page.keyboard.press("Escape")
        frame.wait_for_function("() => document.body.dataset.wheel === 'scroll'",
                                timeout=5_000)

        # a box over the whole map: the counts per label are a table, every label in view
        box = handle.bounding_box()
        page.mouse.move(box["x"] + 60, box["y"] + 60)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] - 150, box["y"] + box["height"] - 40, steps=10)
        page.mouse.up()
        page.get_by_text("Selection:").wait_for(timeout=60_000)
        counts = page.locator('[data-testid="stDataFrame"]').first
        counts.wait_for(timeout=60_000)
        counts.scroll_into_view_if_needed()
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifacts / "explore_selection.png"))
        # the grid's own scroller: nothing left to scroll to, so every label's row is in view
        inner = counts.evaluate("el => { const s = el.querySelector('.dvn-scroller');"
                                " return s && [s.scrollHeight, s.clientHeight]; }")
        assert inner and inner[0] <= inner[1] + 2, f"rows hidden in the table: {inner}"
        assert counts.bounding_box()["height"] >= 35 * 6  # one row per label, not one row

        # a number column: the colour bar is titled with its name
        handle, frame = _open(page, f"{url}/explore?run={info.id}&color=score")
        frame.wait_for_selector(".cbtitle", state="attached", timeout=30_000)
        assert frame.locator(".cbtitle").first.text_content().strip() == "score"
        page.screenshot(path=str(artifacts / "explore_layout_score.png"))
    finally:
        page.context.close()
