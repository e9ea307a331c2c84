"""How it works page: the five steps on the digits demo, a trained run, a small table and an
image zip; an item picked shows its k - 1 neighbours with ρ and σ; min_dist moves a and b.

The map click itself happens in the browser (tests/e2e/test_how_it_works.py); here the item is
picked through its number input.
"""

import io
import zipfile

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from pumap_core.data import load_demo, load_upload
from studio import state

PAGE = "pages/how_it_works.py"


def metric(at, start):
    values = [m.value for m in at.metric if m.label.startswith(start)]
    assert values, f"no metric {start!r}: {[m.label for m in at.metric]}"
    return values[0]


def neighbours(at):
    frames = [d.value for d in at.dataframe if "distance" in d.value.columns]
    assert frames, "no neighbour table"
    return frames[0]


def check_step_one(at, X, item, k):
    """The table lists the k - 1 nearest other items, and ρ is the nearest one's distance."""
    table = neighbours(at)
    dist = np.linalg.norm(X - X[item], axis=1)
    dist[item] = np.inf
    assert len(table) == k - 1 and item not in set(table["item"])
    assert np.allclose(table["distance"], np.sort(dist)[:k - 1], rtol=1e-4)
    assert float(metric(at, "ρ")) == pytest.approx(dist.min(), rel=1e-3)
    assert float(metric(at, "σ")) > 0
    assert table["weight"].sum() == pytest.approx(np.log2(k), abs=0.01)


@pytest.fixture(scope="module")
def digits():
    return load_demo("digits")


def test_digits_demo_step_by_step(open_page, digits):
    at = open_page(PAGE, {state.DATASET: digits})
    assert not at.exception and not at.error, at.exception
    assert at.selectbox(key="how.source").value == "dataset"
    assert any("spectral layout" in c.value for c in at.caption)
    check_step_one(at, digits.X, 0, 15)
    assert "picture" in neighbours(at).columns  # digits have pictures
    assert str(neighbours(at)["picture"].iloc[0]).startswith("data:image/png;base64,")

    at.number_input(key="how.item").set_value(321).run()
    assert not at.exception
    check_step_one(at, digits.X, 321, 15)
    at.slider(key="how.k").set_value(8).run()
    check_step_one(at, digits.X, 321, 8)

    a, b = float(metric(at, "a")), float(metric(at, "b"))
    at.slider(key="how.min_dist").set_value(0.6).run()
    assert not at.exception and not at.error
    assert float(metric(at, "a")) != a and float(metric(at, "b")) != b
    # step 5 needs a trained network
    assert any("not made by a network" in i.value for i in at.info)


def test_the_union_adds_edges_and_the_intersection_removes_them(open_page, digits):
    at = open_page(PAGE, {state.DATASET: digits})
    titles = lambda: [c.proto.spec for c in at.get("plotly_chart")]  # noqa: E731
    union = [t for t in titles() if "After the union" in t]
    assert union
    at.slider(key="how.mix").set_value(0.0).run()
    assert not at.exception
    edges = [d.value for d in at.dataframe if "after the union" in d.value.columns][0]
    assert np.allclose(edges["after the union"], edges["its own view"] * edges["the other's view"])
    at.slider(key="how.mix").set_value(1.0).run()
    edges = [d.value for d in at.dataframe if "after the union" in d.value.columns][0]
    assert (edges["after the union"] >= edges["its own view"] - 1e-7).all()
    assert len(edges) >= 14  # its own neighbours, and those that chose it


def test_a_run_shows_its_encoder_and_places_a_new_item(open_page, saved_run, iris):
    at = open_page(PAGE)
    assert not at.exception and not at.error, at.exception
    assert at.selectbox(key="how.source").value == saved_run.id
    check_step_one(at, iris.X, 0, 15)
    layers = [d.value for d in at.dataframe if "weights" in d.value.columns][0]
    assert (layers["kind"] == "Dense").sum() == 4 and layers["weights"].sum() > 1000
    assert any(t.proto.spec.count("The new item lands at") for t in at.get("plotly_chart"))
    before = [t.proto.spec for t in at.get("plotly_chart") if "new item lands" in t.proto.spec]
    at.slider(key="how.share").set_value(1.0).run()
    assert not at.exception
    after = [t.proto.spec for t in at.get("plotly_chart") if "new item lands" in t.proto.spec]
    assert before != after  # another new item, another place


def test_a_small_table(open_page):
    rng = np.random.default_rng(0)
    n = 120
    species = rng.choice(["Adelie", "Gentoo", "Chinstrap"], n)
    frame = pd.DataFrame({
        "species": species, "island": rng.choice(["Biscoe", "Dream"], n),
        "bill_length_mm": rng.normal(44, 5, n).round(1),
        "flipper_length_mm": rng.normal(200, 14, n).round(0),
        "body_mass_g": rng.normal(4200, 800, n).round(0)})
    ds = load_upload(frame.to_csv(index=False).encode(), "penguins.csv")
    at = open_page(PAGE, {state.DATASET: ds})
    assert not at.exception and not at.error, at.exception
    check_step_one(at, ds.X, 0, 15)
    table = neighbours(at)
    assert "picture" not in table.columns and "bill_length_mm" in table.columns


def test_an_image_zip(open_page):
    rng = np.random.default_rng(1)
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as z:
        for cls in ("dark", "light"):
            for i in range(20):
                base = 60 if cls == "dark" else 190
                pixels = np.clip(base + rng.normal(0, 25, (12, 12)), 0, 255).astype(np.uint8)
                png = io.BytesIO()
                Image.fromarray(pixels).save(png, format="PNG")
                z.writestr(f"{cls}/{i}.png", png.getvalue())
    ds = load_upload(buf.getvalue(), "squares.zip")
    at = open_page(PAGE, {state.DATASET: ds})
    assert not at.exception and not at.error, at.exception
    at.number_input(key="how.item").set_value(25).run()
    check_step_one(at, ds.X, 25, 15)
    assert "picture" in neighbours(at).columns
    assert set(neighbours(at)["label"]) <= {"dark", "light"}


def test_without_data_the_demo_is_one_press_away(open_page):
    at = open_page(PAGE)
    assert not at.exception
    at.button(key="how.demo").click().run()
    assert not at.exception and not at.error
    assert at.selectbox(key="how.source").value == "dataset"
    assert len(neighbours(at)) == 14
