"""End to end: the scatter map component in a real Streamlit server and Chromium.

Point positions are computed from plotly's own axes inside the iframe, so the test does not
depend on layout details (margins, legend width, window size).
"""

from __future__ import annotations

import json
import time

import numpy as np

APP = "tests/e2e/scatter_app.py"
IFRAME = 'iframe[title*="scatter_map"]'

# Pixel position (in the frame) of every point, from plotly's axes in the iframe.
POSITIONS_JS = "() => window.pumapScatter.positions()"


def _open_map(page, url):
    page.goto(url)
    handle = page.wait_for_selector(IFRAME, timeout=90_000)
    frame = handle.content_frame()
    frame.wait_for_selector('body[data-ready="1"]', state="attached", timeout=60_000)
    handle.scroll_into_view_if_needed()
    return handle, frame


def _positions(handle, frame):
    pos = frame.evaluate(POSITIONS_JS)
    box = handle.bounding_box()  # iframe coordinates → page coordinates
    return np.array(pos["x"]) + box["x"], np.array(pos["y"]) + box["y"], pos["type"]


def _event(page):
    code = page.locator('[data-testid="stCode"] code')
    if code.count() == 0:
        return None
    return json.loads(code.first.inner_text())


def _wait_event(page, kind, after_seq=0, timeout=20.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        ev = _event(page)
        if ev and ev["event"] == kind and ev["seq"] > after_seq:
            return ev
        time.sleep(0.2)
    raise AssertionError(f"no {kind!r} event after seq {after_seq}; last shown: {_event(page)}")


def _wait_drawn_selection(frame, indices):
    """Wait until the map has redrawn with the selection Python sent back."""
    want = json.dumps(indices, separators=(",", ":"))
    try:
        frame.wait_for_function(
            """want => { const s = window.pumapScatter.state;
                         return !s.applying && JSON.stringify(s.args.selection) === want; }""",
            arg=want)
    except Exception:
        got = frame.evaluate("""() => { const s = window.pumapScatter.state;
            return [s.applying, JSON.stringify(s.args.selection).slice(0, 200), s.token,
                    document.body.dataset.error || ""]; }""")
        raise AssertionError(f"map never drew selection {want[:200]}; state: {got}") from None


def _isolated_point(px, py):
    """The point farthest from its nearest neighbour: hovering it cannot pick another one."""
    d = np.hypot(px[:, None] - px[None, :], py[:, None] - py[None, :])
    np.fill_diagonal(d, np.inf)
    return int(np.argmax(d.min(axis=1)))


def test_hover_tooltip_box_select_click_and_zoom(streamlit_server, page, artifacts):
    url = streamlit_server(APP)
    handle, frame = _open_map(page, url)
    px, py, trace_type = _positions(handle, frame)
    assert len(px) == 2000
    assert trace_type == "scattergl", "WebGL unavailable: the SVG fallback was used"
    assert _event(page) is None, "the first render must not send a value (rerun loop)"

    # -- hover: the thumbnail tooltip appears for the point under the cursor
    target = _isolated_point(px, py)
    page.mouse.move(px[target] - 30, py[target] - 30)
    page.mouse.move(px[target], py[target], steps=5)
    tip = frame.locator("#tip")
    tip.wait_for(state="visible", timeout=5_000)
    assert tip.get_attribute("data-index") == str(target)
    frame.locator("#tip[data-thumb]").wait_for(state="attached", timeout=5_000)
    assert f"row: {target}" in tip.inner_text()
    assert f"label: cluster {target % 5}" in tip.inner_text()
    thumb = frame.locator("#tip .thumb")
    assert thumb.is_visible()
    assert "t_" in thumb.evaluate("el => getComputedStyle(el).backgroundImage")
    page.screenshot(path=str(artifacts / "scatter_hover.png"))

    # -- box selection around the middle of cluster 1 (centre (8, 1) in data units)
    cx, cy = np.median(px[1::5]), np.median(py[1::5])
    x0, y0, x1, y1 = cx - 40, cy - 40, cx + 40, cy + 40
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=12)
    page.mouse.up()
    ev = _wait_event(page, "select")
    sel = set(ev["selection"])

    def inside(margin):
        return set(np.flatnonzero((px > x0 + margin) & (px < x1 - margin)
                                  & (py > y0 + margin) & (py < y1 - margin)).tolist())

    assert inside(2) <= sel <= inside(-2), "selection differs from the points in the box"
    assert len(sel) > 20 and all(i % 5 == 1 for i in sel)
    assert ev["selection"] == sorted(ev["selection"])
    assert set(ev["range"]) == {"x", "y"} and len(ev["range"]["x"]) == 2

    assert ev["spec"]["type"] == "box"
    # Python sends the resolved rows back to be drawn: that redraw must not send an event.
    _wait_drawn_selection(frame, ev["selection"])
    time.sleep(1.5)
    assert _event(page)["seq"] == ev["seq"], "redraw after a rerun sent a value (rerun loop)"
    page.screenshot(path=str(artifacts / "scatter_select.png"))

    # -- click on one point selects just that point
    page.mouse.click(px[target], py[target])
    click = _wait_event(page, "click", after_seq=ev["seq"])
    assert click["selection"] == [target]
    _wait_drawn_selection(frame, [target])  # a wheel during the redraw would be ignored
    page.screenshot(path=str(artifacts / "scatter_click.png"))

    # -- wheel zoom reports the new range and keeps the selection (the map was clicked: the
    # wheel zooms it; before a click it scrolls the page, see test_explore_layout.py)
    assert frame.evaluate("document.body.dataset.wheel") == "zoom"
    before = click["range"]
    page.mouse.move(cx, cy)
    page.mouse.wheel(0, -400)
    zoom = _wait_event(page, "zoom", after_seq=click["seq"])
    assert zoom["selection"] == [target]
    width = lambda r: r["x"][1] - r["x"][0]  # noqa: E731
    assert width(zoom["range"]) < width(before)
    page.screenshot(path=str(artifacts / "scatter_zoom.png"))



def _loneliest(px, py):
    """The point farthest from its nearest neighbour (in screen px), for large maps."""
    from scipy.spatial import cKDTree

    pts = np.c_[px, py]
    dist, _ = cKDTree(pts).query(pts, k=2)
    return int(np.argmax(dist[:, 1]))


def test_raster_view_hover_select_and_zoom(streamlit_server, page, artifacts):
    """Above the threshold the map is a datashader image: hover still finds any point (and
    its thumbnail), a box or a lasso selects the points inside it, a zoom re-renders it."""
    url = streamlit_server(APP)
    handle, frame = _open_map(page, url + "?n=150000")
    assert frame.evaluate("document.body.dataset.view") == "raster"
    first_image = frame.evaluate("document.body.dataset.raster")
    assert first_image.startswith("r_")
    px, py, _ = _positions(handle, frame)
    assert len(px) == 150_000

    target = _loneliest(px, py)
    page.mouse.move(px[target] - 30, py[target] - 30)
    page.mouse.move(px[target], py[target], steps=5)
    frame.locator(f'#tip[data-index="{target}"][data-thumb]').wait_for(state="attached",
                                                                      timeout=10_000)
    # Hover rows of large maps are written in the background: the text may follow the image.
    frame.wait_for_function("want => document.getElementById('tip').innerText.includes(want)",
                            arg=f"label: cluster {target % 5}", timeout=20_000)
    page.screenshot(path=str(artifacts / "raster_hover.png"))

    cx, cy = np.median(px[1::5]), np.median(py[1::5])
    x0, y0, x1, y1 = cx - 30, cy - 30, cx + 30, cy + 30
    page.mouse.move(x0, y0)
    page.mouse.down()
    page.mouse.move(x1, y1, steps=12)
    page.mouse.up()
    ev = _wait_event(page, "select", timeout=40)
    sel = np.array(ev["selection"])
    inside = lambda m: np.flatnonzero((px > x0 + m) & (px < x1 - m)  # noqa: E731
                                      & (py > y0 + m) & (py < y1 - m))
    assert set(inside(2)) <= set(sel.tolist()) <= set(inside(-2))
    assert len(sel) > 500
    frame.wait_for_function(f"document.body.dataset.raster !== {json.dumps(first_image)}")
    page.screenshot(path=str(artifacts / "raster_select.png"))

    shown = frame.evaluate("document.body.dataset.raster")
    page.mouse.move(cx, cy)
    page.keyboard.down("Control")  # Ctrl + wheel zooms even before the map is clicked
    page.mouse.wheel(0, -400)
    page.keyboard.up("Control")
    zoom = _wait_event(page, "zoom", after_seq=ev["seq"], timeout=40)
    assert zoom["selection"] == ev["selection"], "a zoom keeps the selection"
    frame.wait_for_function(f"document.body.dataset.raster !== {json.dumps(shown)}",
                            timeout=20_000)
    page.screenshot(path=str(artifacts / "raster_zoom.png"))

    # -- lasso (tool bar): the points inside the drawn polygon are selected
    frame.locator('.modebar-btn[data-title="Lasso Select"]').first.click()
    px, py, _ = _positions(handle, frame)  # after the zoom
    centre = np.array([cx, cy])
    poly = centre + np.array([[-40, -40], [40, -40], [40, 40], [-40, 40], [-40, -40]])
    page.mouse.move(*poly[0])
    page.mouse.down()
    for a, b in zip(poly[:-1], poly[1:]):
        for t in np.linspace(0, 1, 6)[1:]:
            page.mouse.move(*(a + (b - a) * t))
    page.mouse.up()
    lasso = _wait_event(page, "select", after_seq=zoom["seq"], timeout=40)
    assert lasso["spec"]["type"] == "lasso"
    sel = set(lasso["selection"])
    near = lambda m: set(np.flatnonzero((abs(px - cx) < 40 - m)  # noqa: E731
                                        & (abs(py - cy) < 40 - m)).tolist())
    assert near(3) <= sel <= near(-3) and len(sel) > 100


def test_raster_image_is_shown_before_plotly_runs(streamlit_server, page, artifacts):
    """The datashader image needs no plotly.js (4.8 MB of script, seconds to start on a slow
    machine): it is on screen, where the plot area will be, even when plotly never arrives."""
    url = streamlit_server(APP)
    page.route("**/plotly.min.js", lambda route: route.abort())
    page.goto(url + "?n=3000&view=raster")
    frame = page.wait_for_selector(IFRAME, timeout=90_000).content_frame()
    frame.wait_for_selector('body[data-drawn="1"]', state="attached", timeout=60_000)
    frame.wait_for_function("() => document.body.dataset.error", timeout=20_000)
    assert "plotly.min.js" in frame.evaluate("document.body.dataset.error")
    shown = frame.evaluate("""() => { const img = document.getElementById('preview');
        const r = img.getBoundingClientRect(), c = document.createElement('canvas');
        c.width = img.naturalWidth; c.height = img.naturalHeight;
        const g = c.getContext('2d'); g.drawImage(img, 0, 0);
        const px = g.getImageData(0, 0, c.width, c.height).data;
        let drawn = 0; for (let k = 3; k < px.length; k += 4) drawn += px[k] > 0;
        return {src: img.getAttribute('src'), w: r.width, h: r.height, drawn: drawn,
                visible: getComputedStyle(img).display !== 'none', plotly: !!window.Plotly}; }""")
    page.screenshot(path=str(artifacts / "raster_before_plotly.png"))
    assert shown["src"].startswith("r_") and shown["visible"] and not shown["plotly"]
    assert shown["w"] > 300 and shown["h"] > 300
    assert shown["drawn"] > 1000, "the image holds the points"
