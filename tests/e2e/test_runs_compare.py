"""End to end: comparing four runs on the Runs page reads well (issue 14).

The small maps had no legend or axes and other colours than Explore, and the loss curves came
in light/dark pairs, so that four runs read as two. Four maps of the digits are kept in a fresh
workspace (``save_map``, in a second: no training, the loss history written into their
records), Chromium selects them all in the page's picker, and the rendered figures are read
back from plotly: one legend with the ten digits in ``PALETTE_20``'s sorted order, the same
colours in each map, four loss curves in four colours. Screenshots:
test-artifacts/runs_table.png and test-artifacts/runs_compare.png (1400×900).
"""

from __future__ import annotations

import json
import re

import numpy as np

PLOTS = '[data-testid="stPlotlyChart"] .js-plotly-plot'
SETTINGS = [(15, 0.1, 40), (5, 0.1, 40), (15, 0.5, 40), (30, 0.1, 60)]


def _keep_runs(ws) -> list:
    """Four digits maps with the settings of SETTINGS in their records and a loss history."""
    from sklearn.decomposition import PCA

    from pumap_core.data import load_demo
    from pumap_core.runs.naming import run_name
    from pumap_core.runs.record import write_json
    from studio.colours import categories

    digits = load_demo("digits")
    pca = PCA(2, random_state=0).fit_transform(digits.X)
    codes, _ = categories(digits.labels)
    centres = np.array([pca[codes == c].mean(axis=0) for c in range(codes.max() + 1)])
    base = 2.5 * centres[codes] + 0.4 * (pca - centres[codes])  # clusters, like a map
    infos = []
    for k, (n_neighbors, min_dist, epochs) in enumerate(SETTINGS):
        turn = np.array([[np.cos(k), -np.sin(k)], [np.sin(k), np.cos(k)]])
        layout = base @ turn * (1 + min_dist)
        params = {"n_neighbors": n_neighbors, "min_dist": min_dist, "metric": "euclidean"}
        info = ws.save_map(digits, layout.astype(np.float32),
                           name=run_name(digits.name, params, epochs=epochs))
        record = json.loads((info.path / "run.json").read_text())
        curve = 0.25 + 0.3 * np.exp(-np.arange(epochs) / (5 + 4 * k)) + 0.02 * k
        record.update(params=params, epochs_trained=epochs, history=curve.tolist())
        write_json(info.path / "run.json", record)
        infos.append(ws.run_info(info.id))
    return infos


def _hex(rgb: str) -> str:
    """``rgb(31, 119, 180)`` → ``#1f77b4`` (the browser's computed colours)."""
    r, g, b = (int(v) for v in re.findall(r"\d+", rgb)[:3])
    return f"#{r:02x}{g:02x}{b:02x}"


def test_four_runs_compare_with_one_legend_and_distinct_curves(streamlit_server, browser,
                                                               artifacts, tmp_path,
                                                               monkeypatch):
    from pumap_core.runs import Workspace
    from studio.colours import PALETTE_20, categories

    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    infos = _keep_runs(Workspace())
    _, labels = categories(Workspace().load_run(infos[0].id).points["label"])
    url = streamlit_server("app.py")
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(90_000)
    try:
        page.goto(f"{url}/runs")
        page.get_by_text("digits · k=30 · min_dist 0.1 · 60 epochs").first.wait_for(
            timeout=90_000)
        picker = page.locator('[data-testid="stMultiSelect"]').first
        for info in infos[:-1]:  # the newest is preselected; pick the others as a user would
            picker.locator("input").click()
            page.get_by_role("option", name=re.compile(re.escape(info.id[-4:]))).click()
        page.keyboard.press("Escape")
        page.wait_for_function(
            f"() => {{ const p = document.querySelectorAll('{PLOTS}');"
            " return p.length >= 2 && p[0].data.length === 4"
            " && new Set(p[1].data.map(t => t.xaxis)).size === 4; }", timeout=60_000)
        losses, maps = page.locator(PLOTS).nth(0), page.locator(PLOTS).nth(1)

        maps.scroll_into_view_if_needed()
        page.mouse.wheel(0, -260)  # the loss curves and the maps on one screen
        page.wait_for_timeout(500)
        page.screenshot(path=str(artifacts / "runs_compare.png"))

        # One legend for the four maps: each digit once, in PALETTE_20's sorted order.
        legend = maps.evaluate("""gd => [...gd.querySelectorAll('.legend .traces')].map(t => [
            t.querySelector('.legendtext').textContent,
            getComputedStyle(t.querySelector('.legendpoints path')).fill])""")
        assert [name for name, _ in legend] == labels == [str(d) for d in range(10)]
        assert [_hex(fill) for _, fill in legend] == list(PALETTE_20[:10])
        # Each map colours each digit the same way.
        drawn = maps.evaluate("gd => gd._fullData.map(t => [t.xaxis, t.name, t.marker.color])")
        by_map: dict[str, dict[str, str]] = {}
        for axis, name, colour in drawn:
            by_map.setdefault(axis, {})[name] = colour
        assert len(by_map) == 4
        assert all(m == dict(zip(labels, PALETTE_20)) for m in by_map.values()), by_map
        assert maps.evaluate("gd => gd._fullLayout.xaxis.showticklabels")  # axes are shown

        # Four loss curves in four colours, each named in the legend.
        strokes = losses.evaluate("""gd => [...gd.querySelectorAll('.scatterlayer .js-line')]
            .map(p => getComputedStyle(p).stroke)""")
        assert len(strokes) == 4 and len({_hex(s) for s in strokes}) == 4
        names = losses.evaluate("gd => [...gd.querySelectorAll('.legend .legendtext')]"
                                ".map(t => t.textContent)")
        assert sorted(names) == sorted(f"{i.name} · {i.id[-4:]}" for i in infos)

        # A box on the first map highlights the same items in every map (issue 15).
        box = maps.locator(".nsewdrag").first.bounding_box()
        page.mouse.move(box["x"] + box["width"] * 0.2, box["y"] + box["height"] * 0.2)
        page.mouse.down()
        page.mouse.move(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.7, steps=8)
        page.mouse.up()
        page.wait_for_function(  # the page reruns with the highlight in the other maps
            f"() => {{ const p = document.querySelectorAll('{PLOTS}')[1];"
            " return p && p._fullData.some(t => t.xaxis === 'x4'"
            " && Array.isArray(t.selectedpoints) && t.selectedpoints.length > 0); }",
            timeout=60_000)
        maps = page.locator(PLOTS).nth(1)
        chosen = maps.evaluate("""gd => { const per = {}; gd._fullData.forEach(t => {
            const ids = (t.selectedpoints || []).map(i => t.customdata[i]);
            per[t.xaxis || 'x'] = (per[t.xaxis || 'x'] || []).concat(ids); });
            return Object.values(per).map(ids => ids.sort((a, b) => a - b)); }""")
        assert len(chosen) == 4 and 0 < len(chosen[0]) < 1797
        assert all(ids == chosen[0] for ids in chosen), [(len(c), c[:5]) for c in chosen]
        page.screenshot(path=str(artifacts / "runs_linked_selection.png"))

        page.get_by_role("heading", name="Runs").first.scroll_into_view_if_needed()
        page.locator('[data-testid="stDataFrame"] canvas').first.wait_for(state="attached")
        page.wait_for_timeout(1000)  # the grid draws its cells on the next frames
        page.screenshot(path=str(artifacts / "runs_table.png"))
    finally:
        page.context.close()
