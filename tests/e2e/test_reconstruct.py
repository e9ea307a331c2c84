"""End to end: the Reconstruct page decodes the spot clicked on the map, empty space included.

A small digits run with a decoder is kept in a fresh workspace; Chromium opens the page's
deep link, clicks the map where no point lies, and the decoded image for that spot appears
(the x / y inputs follow the click). At 1400×900 the map is on screen when the page opens,
has axes and a legend in Explore's colours, and the wheel over it scrolls the page until it is
clicked (issue 14). Screenshots: test-artifacts/reconstruct_*.png.
"""

from __future__ import annotations

import re

import numpy as np

PLOT = '.st-key-reconstruct-map .js-plotly-plot'  # the map (the grid below is a chart too)
TO_PAGE = """([x, y]) => {
    const gd = document.querySelector('%s'), fl = gd._fullLayout, r = gd.getBoundingClientRect();
    return [r.left + fl.xaxis._offset + fl.xaxis.l2p(x), r.top + fl.yaxis._offset + fl.yaxis.l2p(y)];
}""" % PLOT
# Legend entries of a plotly chart: name -> marker colour.
LEGEND_JS = """gd => Object.fromEntries(gd._fullData.filter(t => t.showlegend !== false && t.name)
    .map(t => [t.name, t.marker.color]))"""
SCROLL_JS = "() => document.querySelector('[data-testid=\"stMain\"]').scrollTop"
RANGE_JS = "() => document.querySelector('%s')._fullLayout.xaxis.range.slice()" % PLOT


def _wheel(page, x, y, dy):
    """A wheel turn over (x, y): (page scroll before, after), (x range before, after)."""
    page.mouse.move(x, y)
    before = page.evaluate(SCROLL_JS), page.evaluate(RANGE_JS)
    page.mouse.wheel(0, dy)
    page.wait_for_timeout(700)
    return (before[0], page.evaluate(SCROLL_JS)), (before[1], page.evaluate(RANGE_JS))


def _emptiest_spot(embedding: np.ndarray) -> tuple[float, float]:
    """A spot inside the map's box that is as far as possible from every point."""
    (x0, y0), (x1, y1) = embedding.min(axis=0), embedding.max(axis=0)
    gx, gy = np.meshgrid(np.linspace(x0, x1, 40), np.linspace(y0, y1, 40))
    spots = np.column_stack([gx.ravel(), gy.ravel()])
    gaps = np.min(np.linalg.norm(spots[:, None] - embedding[None], axis=2), axis=1)
    return tuple(float(v) for v in spots[np.argmax(gaps)])


def test_click_on_empty_space_shows_the_decoded_image(streamlit_server, page, artifacts,
                                                      tmp_path, monkeypatch):
    from pumap_core import ParametricUMAP
    from pumap_core.data import load_demo
    from pumap_core.runs import Workspace

    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    small = load_demo("digits").head(400)
    est = ParametricUMAP(parametric_reconstruction=True, n_training_epochs=10,
                         random_state=0).fit(small.X)
    Workspace().save_run(est, small, name="digits decoder", metrics={})
    target = _emptiest_spot(est.embedding_)

    url = streamlit_server("app.py")
    page.set_viewport_size({"width": 1400, "height": 900})
    page.goto(f"{url}/reconstruct")
    page.get_by_text(re.compile(r"Decoded at \(")).first.wait_for(timeout=120_000)
    page.wait_for_function(f"() => document.querySelector('{PLOT}')?._fullLayout?._size",
                           timeout=60_000)
    page.get_by_text(re.compile(r"10 × 10 decoded images")).wait_for(timeout=60_000)
    page.wait_for_timeout(500)
    page.screenshot(path=str(artifacts / "reconstruct_layout.png"))
    page.screenshot(path=str(artifacts / "reconstruct_open.png"), full_page=True)
    start = page.get_by_text(re.compile(r"Decoded at \(")).first.inner_text()

    # the map is on screen at once, with axes, and a legend in Explore's colours
    plot = page.locator(PLOT)
    box = plot.bounding_box()
    visible = min(box["y"] + box["height"], 900) - max(box["y"], 0)
    assert 0 <= box["y"] < 350 and visible >= 0.8 * box["height"], box
    assert page.locator(f"{PLOT} .xtick").count() > 2 and page.locator(f"{PLOT} .ytick").count()
    legend = plot.evaluate(LEGEND_JS)
    assert sorted(legend) == [str(d) for d in range(10)], legend
    explore = page.context.new_page()
    try:
        explore.goto(f"{url}/explore")
        frame = explore.wait_for_selector('iframe[title*="scatter_map"]',
                                          timeout=90_000).content_frame()
        frame.wait_for_selector('body[data-ready="1"]', state="attached", timeout=60_000)
        assert frame.evaluate(f"() => ({LEGEND_JS})(window.pumapScatter.gd)") == legend, (
            "the same labels get other colours on Explore")
    finally:
        explore.close()

    # the wheel over the map scrolls the page (down and back up) and leaves the map alone
    cx, cy = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    scroll, rng = _wheel(page, cx, cy, 300)
    assert scroll[1] > scroll[0] + 50 and rng[1] == rng[0], (scroll, rng)
    scroll, rng = _wheel(page, cx, cy - (scroll[1] - scroll[0]), -300)
    assert scroll[1] < scroll[0] and rng[1] == rng[0], (scroll, rng)

    px, py = page.evaluate(TO_PAGE, list(target))
    page.mouse.click(px, py)
    caption = page.get_by_text(re.compile(r"Decoded at \(")).first
    try:
        page.wait_for_function(
            "start => [...document.querySelectorAll('*')].some(e => e.childElementCount === 0 "
            "&& e.textContent.startsWith('Decoded at (') && e.textContent !== start)",
            arg=start, timeout=60_000)
    finally:
        page.screenshot(path=str(artifacts / "reconstruct_clicked.png"), full_page=True)
    x, y = map(float, re.search(r"\(([-\d.]+), ([-\d.]+)\)", caption.inner_text()).groups())
    # the grid point nearest the click: within a grid cell (the map's box / 90, plus 5 %)
    extent = np.ptp(est.embedding_, axis=0)
    assert abs(x - target[0]) < 0.03 * extent[0] and abs(y - target[1]) < 0.03 * extent[1], (
        (x, y), target)
    typed = float(page.get_by_role("spinbutton", name="x", exact=True).input_value())
    assert abs(typed - x) <= 0.005  # the input holds the clicked x (the caption rounds it)
    # the decoded digit: 8 × 8 pixels enlarged to 192 px, loaded in the page
    page.wait_for_function("() => [...document.querySelectorAll('[data-testid=\"stImage\"] img')]"
                           ".some(img => img.complete && img.naturalWidth === 192)",
                           timeout=30_000)
    page.get_by_text(re.compile(r"10 × 10 decoded images")).wait_for(timeout=30_000)
    page.screenshot(path=str(artifacts / "reconstruct_clicked.png"), full_page=True)

    # once clicked, the wheel over the map zooms it and the page stays
    box = plot.bounding_box()
    scroll, rng = _wheel(page, box["x"] + box["width"] / 2, box["y"] + box["height"] / 2, -300)
    assert rng[1] != rng[0] and scroll[1] == scroll[0], (scroll, rng)
