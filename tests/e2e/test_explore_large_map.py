"""End to end on a Parquet map read out of core: the browser gets an image and a per-view
hover grid, never the coordinates; hovering a point shows its row's values."""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd

IFRAME = 'iframe[title*="scatter_map"]'
N = 200_000


def _dataset(folder):
    """N points in five clusters in 8 files, and a few lonely points with known ids."""
    rng = np.random.default_rng(7)
    labels = rng.integers(0, 5, N)
    frame = pd.DataFrame({"x": (rng.normal(size=N) + 5 * labels).astype(np.float32),
                          "y": rng.normal(size=N).astype(np.float32),
                          "id": [f"pt-{i:06d}" for i in range(N)],
                          "label": [f"class {v}" for v in labels]})
    lonely = [1234, 98765, 150001]
    frame.loc[lonely, ["x", "y"]] = [[2.5, 6.0], [12.5, -6.0], [22.0, 6.0]]
    frame.loc[lonely, "id"] = ["lonely-a", "lonely-b", "lonely-c"]
    folder.mkdir()
    for k, part in enumerate(np.array_split(np.arange(N), 8)):
        frame.iloc[part].to_parquet(folder / f"part.{k}.parquet", index=False)
    return frame, lonely


def test_hover_on_a_parquet_map_shows_the_rows_values(streamlit_server, browser, artifacts,
                                                      tmp_path, monkeypatch):
    from pumap_core.runs import Workspace

    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    frame, lonely = _dataset(tmp_path / "embedded")
    info = Workspace().add_parquet_map(tmp_path / "embedded", name="parquet 200k")
    url = streamlit_server("app.py")
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    page.set_default_timeout(90_000)  # 2 shared cores: a page run can take a while
    try:
        page.goto(f"{url}/explore?run={info.id}")
        handle = page.wait_for_selector(IFRAME, timeout=120_000)
        frame_ = handle.content_frame()
        frame_.wait_for_selector('body[data-ready="1"][data-pick]', state="attached",
                                 timeout=120_000)
        handle.scroll_into_view_if_needed()
        assert frame_.evaluate("document.body.dataset.view") == "raster"
        # No coordinates in the browser: the data object holds none.
        assert frame_.evaluate("window.pumapScatter.state.data.xy") is None
        box = handle.bounding_box()
        for row in lonely:
            x, y = (float(v) for v in frame.loc[row, ["x", "y"]])
            at = frame_.evaluate("([x, y]) => window.pumapScatter.screenOfXY(x, y)", [x, y])
            px, py = box["x"] + at["x"], box["y"] + at["y"]
            page.mouse.move(px - 40, py - 40)
            page.mouse.move(px, py, steps=4)
            frame_.locator(f'#tip[data-index="{row}"]').wait_for(state="attached",
                                                               timeout=20_000)
            want = f"id: {frame.loc[row, 'id']}"
            frame_.wait_for_function(
                "want => document.getElementById('tip').innerText.includes(want)", arg=want,
                timeout=30_000)
            text = frame_.evaluate("document.getElementById('tip').innerText")
            assert f"row: {row}" in text and f"label: {frame.loc[row, 'label']}" in text
        page.screenshot(path=str(artifacts / "explore_parquet_map_hover.png"))
        # the caption tells how many points the image holds
        assert page.get_by_text(re.compile(r"all 200,000 points, read out of core")).count()

        # a box dragged around the second cluster: resolved out of core to the rows inside
        corners = [frame_.evaluate("([x, y]) => window.pumapScatter.screenOfXY(x, y)", c)
                   for c in ([3.0, 1.0], [7.0, -1.0])]
        (ax, ay), (bx, by) = [(box["x"] + c["x"], box["y"] + c["y"]) for c in corners]
        page.mouse.move(ax, ay)
        page.mouse.down()
        page.mouse.move(bx, by, steps=12)
        page.mouse.up()
        heading = page.get_by_text(re.compile(r"Selection: [\d,]+ items"))
        heading.wait_for(timeout=120_000)
        selected = int(re.search(r"([\d,]+) items", heading.inner_text()).group(1)
                       .replace(",", ""))
        inside = int(((frame.x >= 3) & (frame.x <= 7) & (frame.y >= -1) & (frame.y <= 1)).sum())
        assert inside > 1000 and abs(selected - inside) <= inside // 50
        page.screenshot(path=str(artifacts / "explore_parquet_map_selection.png"),
                        full_page=True)

        # a row picked in the selection's table is drawn over the map
        shown = frame_.evaluate("document.body.dataset.raster")
        table = page.locator('[data-testid="stDataFrame"]').last
        table.scroll_into_view_if_needed()
        tb = table.bounding_box()
        page.mouse.click(tb["x"] + 14, tb["y"] + 35 + 17)  # the first row's marker
        page.get_by_text("1 rows picked in the table are highlighted").wait_for(timeout=60_000)
        frame_.wait_for_function(f"document.body.dataset.raster !== {json.dumps(shown)}",
                                 timeout=60_000)
    finally:
        page.context.close()
