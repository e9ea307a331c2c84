"""End to end: the How it works page on a user's own table and on a zip of images (issue 15).

Two runs are made beforehand in the test's workspace, as a user's would be: a penguins-like
table (numbers, a category and a species label; made here, no download) and a zip of drawn
shapes, one folder per class. In Chromium the page opens on one, the other is chosen from
"Data", and for each a click on a point makes it the chosen item with its 14 neighbours
ringed; the table run's neighbour list shows the rows' values, the image run's shows pictures.
Screenshots: test-artifacts/how_it_works_table.png, how_it_works_images.png (1400×900).
"""

from __future__ import annotations

import io
import re
import zipfile

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from test_how_it_works_clicks import TITLE, TO_PAGE, TRACES, _ready, _star


def _penguins_like(rng: np.random.Generator) -> bytes:
    """240 rows of three species that differ in size, with an island and some missing sex."""
    species = rng.choice(["Adelie", "Gentoo", "Chinstrap"], 240)
    centre = {"Adelie": (39, 18, 190, 3700), "Gentoo": (47, 15, 217, 5100),
              "Chinstrap": (49, 18, 196, 3730)}
    values = np.array([centre[s] for s in species], dtype=float)
    values += rng.normal(size=values.shape) * [2.5, 1.0, 6.0, 350.0]
    frame = pd.DataFrame(values.round(1), columns=["bill_length_mm", "bill_depth_mm",
                                                   "flipper_length_mm", "body_mass_g"])
    frame.insert(0, "species", species)
    frame["island"] = rng.choice(["Biscoe", "Dream", "Torgersen"], 240)
    frame["sex"] = rng.choice(["male", "female", None], 240, p=[0.48, 0.48, 0.04])
    return frame.to_csv(index=False).encode()


def _shapes_zip(rng: np.random.Generator) -> bytes:
    """60 noisy images of 24 × 24 px in each of three folders: bars, columns and rings."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        for cls in ("bars", "columns", "rings"):
            for i in range(60):
                img = Image.new("L", (24, 24), 0)
                draw = ImageDraw.Draw(img)
                a, w = int(rng.integers(2, 12)), int(rng.integers(3, 8))
                if cls == "bars":
                    draw.rectangle([2, a, 21, a + w], fill=255)
                elif cls == "columns":
                    draw.rectangle([a, 2, a + w, 21], fill=255)
                else:
                    draw.ellipse([a // 2, a // 2, 23 - a // 2, 23 - a // 2], outline=255,
                                 width=2)
                noisy = np.asarray(img, dtype=int) + rng.integers(0, 70, (24, 24))  # no twins
                out = io.BytesIO()
                Image.fromarray(noisy.clip(0, 255).astype(np.uint8)).save(out, format="PNG")
                zf.writestr(f"shapes/{cls}/{i:03d}.png", out.getvalue())
    return buf.getvalue()


def _runs():
    """Save the table run and the image run in $PUMAP_WORKSPACE."""
    from pumap_core import ParametricUMAP
    from pumap_core.data import load_upload
    from pumap_core.runs import Workspace

    rng = np.random.default_rng(3)
    workspace = Workspace()
    # The table's label is the one the Data page guesses (a species column of 3 values).
    for name, data, filename, options in [
            ("penguins-like", _penguins_like(rng), "penguins.csv", {"label_column": "species"}),
            ("shapes", _shapes_zip(rng), "shapes.zip", {})]:
        dataset = load_upload(data, filename, **options)
        est = ParametricUMAP(n_training_epochs=10, random_state=0).fit(dataset.X)
        workspace.save_run(est, dataset, name=name)


def _click_far_point(page):
    """Click the point farthest from the chosen item; wait for the page to follow."""
    start = _star(page)
    before = page.evaluate(TITLE, 0)
    points = [(x, y) for t in page.evaluate(TRACES, 0) if t["mode"] == "markers"
              and t["name"] not in ("chosen item", "neighbours") for x, y in zip(t["x"], t["y"])]
    target = max(points, key=lambda p: (p[0] - start[0]) ** 2 + (p[1] - start[1]) ** 2)
    px, py = page.evaluate(TO_PAGE, [0, *target])
    page.mouse.click(px, py)
    page.wait_for_function(f"t => ({TITLE})(0) !== t", arg=before, timeout=60_000)
    _ready(page)
    assert _star(page) == target
    title = page.evaluate(TITLE, 0)
    assert re.match(r"Item \d+ and its 14 nearest neighbours", title), title
    ringed = [t for t in page.evaluate(TRACES, 0) if t["name"] == "neighbours"][0]
    assert len(ringed["x"]) == 14


def test_a_table_run_and_an_image_run_step_by_step(streamlit_server, browser, artifacts,
                                                   tmp_path, monkeypatch):
    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "workspace"))
    _runs()
    url = streamlit_server("app.py")
    context = browser.new_context(viewport={"width": 1400, "height": 900})
    page = context.new_page()
    page.set_default_timeout(90_000)
    try:
        for name in ("penguins-like", "shapes"):
            page.goto(f"{url}/how_it_works")
            choose = page.get_by_role("combobox", name="Data")
            choose.wait_for(timeout=90_000)
            if name not in (page.locator('[data-testid="stSelectbox"]').first.inner_text()):
                choose.click()
                page.get_by_role("option", name=re.compile(re.escape(name))).click()
            _ready(page)
            _click_far_point(page)
            table = page.locator('[data-testid="stDataFrame"]').first
            table.scroll_into_view_if_needed()
            page.wait_for_timeout(800)
            shot = "table" if name == "penguins-like" else "images"
            page.screenshot(path=str(artifacts / f"how_it_works_{shot}.png"))
            names = {t["name"] for t in page.evaluate(TRACES, 0)}
            if name == "penguins-like":  # the map is coloured by the guessed label, species
                assert {"Adelie", "Gentoo", "Chinstrap"} <= names, names
                assert page.locator('[data-testid="stImage"]').count() == 0
            else:  # by folder; the chosen item is shown as its picture
                assert {"bars", "columns", "rings"} <= names, names
                picture = page.locator('[data-testid="stImage"] img').first
                assert picture.evaluate("img => img.complete && img.naturalWidth > 0")
    finally:
        page.screenshot(path=str(artifacts / "how_it_works_data_last.png"))
        context.close()
