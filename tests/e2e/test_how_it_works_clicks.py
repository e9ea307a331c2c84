"""End to end: the How it works page in Chromium, on the digits demo (issue 15).

A fresh workspace and session: the page offers the digits demo in one press. A click on a point
of the map makes it the chosen item: the star moves there, its neighbours are ringed and joined
by lines as thick as their weights, the neighbour table and step 2's maps follow. Moving the
min_dist slider with the keyboard refits a and b: the curve changes. Screenshots at 1400×900 and
1920×1080 (a projector): test-artifacts/how_it_works_*.png.
"""

from __future__ import annotations

import re

PLOT = '[data-testid="stPlotlyChart"] .js-plotly-plot'
# The page's charts in order: the neighbour map, the kernel, own view, after union, curve, loss.
CHART = "(i) => document.querySelectorAll('%s')[i]" % PLOT
TRACES = """(i) => document.querySelectorAll('%s')[i]._fullData.map(t => ({name: t.name,
    mode: t.mode, x: Array.from(t.x || []), y: Array.from(t.y || []),
    width: t.line ? t.line.width : null}))""" % PLOT
TITLE = "(i) => document.querySelectorAll('%s')[i]._fullLayout.title.text.replace(/<[^>]+>/g, '')" % PLOT
TO_PAGE = """([i, x, y]) => {
    const gd = document.querySelectorAll('%s')[i], fl = gd._fullLayout,
          r = gd.getBoundingClientRect();
    return [r.left + fl.xaxis._offset + fl.xaxis.l2p(x), r.top + fl.yaxis._offset + fl.yaxis.l2p(y)];
}""" % PLOT


def _ready(page, timeout=90_000):
    page.wait_for_function(f"() => document.querySelectorAll('{PLOT}').length >= 6 && "
                           f"[...document.querySelectorAll('{PLOT}')].every(g => g._fullLayout)",
                           timeout=timeout)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')",
                           timeout=timeout)
    page.wait_for_timeout(600)


def _star(page):
    star = [t for t in page.evaluate(TRACES, 0) if t["name"] == "chosen item"][0]
    return star["x"][0], star["y"][0]


def test_click_a_point_then_move_min_dist(streamlit_server, browser, artifacts, tmp_path,
                                          monkeypatch):
    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    url = streamlit_server("app.py")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        page.goto(f"{url}/how_it_works")
        page.get_by_role("button", name="Use the digits demo").click()
        _ready(page)
        page.screenshot(path=str(artifacts / "how_it_works_1400_top.png"))
        assert page.evaluate(TITLE, 0).startswith("Item 0 and its 14 nearest")
        start = _star(page)

        # a point of the digit 7's trace, far from the star: click it
        traces = page.evaluate(TRACES, 0)
        seven = [t for t in traces if t["name"] == "7"][0]
        far = max(range(len(seven["x"])), key=lambda j: (seven["x"][j] - start[0]) ** 2
                  + (seven["y"][j] - start[1]) ** 2)
        target = seven["x"][far], seven["y"][far]
        px, py = page.evaluate(TO_PAGE, [0, *target])
        page.mouse.click(px, py)
        page.wait_for_function(f"() => !({TITLE})(0).startsWith('Item 0 ')", timeout=60_000)
        _ready(page)
        assert _star(page) == target  # the clicked point is the chosen item
        title = page.evaluate(TITLE, 0)
        assert re.match(r"Item \d+ and its 14 nearest neighbours", title), title
        traces = page.evaluate(TRACES, 0)
        ringed = [t for t in traces if t["name"] == "neighbours"][0]
        lines = [t for t in traces if t["mode"] == "lines"]
        assert len(ringed["x"]) == 14 and len(lines) == 14
        widths = sorted(t["width"] for t in lines)
        assert 1 < widths[0] <= widths[-1] <= 9 and widths[-1] == 9  # the nearest weighs 1
        assert all((t["x"][0], t["y"][0]) == target for t in lines)  # drawn from the item
        # the neighbour table shows pictures; step 2 draws the union's edges from the new item
        page.locator('[data-testid="stDataFrame"]').first.scroll_into_view_if_needed()
        assert page.locator('[data-testid="stDataFrame"]').count() >= 1
        union = page.evaluate(TRACES, 3)
        assert page.evaluate(TITLE, 3).startswith("After the union")
        assert sum(t["mode"] == "lines" for t in union) >= 14
        page.get_by_text("2. Fuzzy weights").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "how_it_works_1400_weights.png"))

        # the min_dist slider, moved with the keyboard, refits the curve
        before_title = page.evaluate(TITLE, 4)
        before = [t for t in page.evaluate(TRACES, 4) if t["name"].startswith("1 / (1")][0]["y"]
        thumb = page.get_by_role("slider", name="min_dist")
        thumb.scroll_into_view_if_needed()
        thumb.focus()
        for _ in range(20):
            page.keyboard.press("ArrowRight")
        page.wait_for_function(f"t => ({TITLE})(4) !== t", arg=before_title, timeout=60_000)
        _ready(page)
        after = [t for t in page.evaluate(TRACES, 4) if t["name"].startswith("1 / (1")][0]["y"]
        assert after != before and after[len(after) // 6] > before[len(before) // 6]
        page.get_by_text("3. The curve").scroll_into_view_if_needed()
        page.screenshot(path=str(artifacts / "how_it_works_1400_curve.png"))

        page.set_viewport_size({"width": 1920, "height": 1080})
        page.evaluate("() => document.querySelector('[data-testid=\"stMain\"]').scrollTo(0, 0)")
        page.wait_for_timeout(1500)
        page.screenshot(path=str(artifacts / "how_it_works_1920_top.png"))
        for step, name in [("2. Fuzzy weights", "weights"), ("3. The curve", "curve"),
                           ("4. The loss", "loss")]:
            heading = page.get_by_text(step)
            heading.scroll_into_view_if_needed()
            heading.evaluate("e => e.scrollIntoView({block: 'start'})")
            page.wait_for_timeout(800)
            page.screenshot(path=str(artifacts / f"how_it_works_1920_{name}.png"))
    finally:
        page.screenshot(path=str(artifacts / "how_it_works_last.png"))
        context.close()
