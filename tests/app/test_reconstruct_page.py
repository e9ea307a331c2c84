"""Reconstruct page: decoded images and feature values for any point of a map with a decoder.

The plotly click cannot be made in AppTest (it happens in the browser; see
tests/e2e/test_reconstruct.py), so the page is driven through its x / y inputs, and the click
is checked through the helpers that read it. Images are read back from the media storage.
"""

import io
import json

import numpy as np
import pytest
from PIL import Image

from pumap_core import ParametricUMAP
from pumap_core.data import load_demo
from pumap_core.runs import Workspace
from studio.reconstruct_view import (CLICK_GRID, as_images, click_map, clicked_point, decode,
                                     enlarged, grid_points, mosaic)

PAGE = "pages/reconstruct.py"


@pytest.fixture(scope="module")
def digits300():
    return load_demo("digits").head(300)


@pytest.fixture(scope="module")
def digits_decoder(digits300):
    return ParametricUMAP(parametric_reconstruction=True, n_training_epochs=3,
                          random_state=0).fit(digits300.X)


@pytest.fixture
def decoder_run(workspace, digits300, digits_decoder):
    return workspace.save_run(digits_decoder, digits300, name="digits decoder", metrics={})


@pytest.fixture
def media(monkeypatch):
    """Every file the page hands to Streamlit's media storage, by URL file id."""
    from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

    files = {}
    original = MemoryMediaFileStorage.load_and_get_id

    def keep(self, data, mimetype, kind, filename=None):
        file_id = original(self, data, mimetype, kind, filename)
        files[file_id] = data
        return file_id

    monkeypatch.setattr(MemoryMediaFileStorage, "load_and_get_id", keep)
    return lambda url: files[url.rsplit("/", 1)[-1].split(".")[0]]


def image_of(at, media, caption_start):
    for element in at.image:
        for url, caption in zip(element.value, element.captions):
            if caption.startswith(caption_start):
                return np.asarray(Image.open(io.BytesIO(media(url))))
    raise AssertionError(f"no image captioned {caption_start!r}: "
                         f"{[e.captions for e in at.image]}")


def test_a_decoded_image_appears_for_a_typed_point(open_page, media, decoder_run):
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert at.selectbox(key="reconstruct.run").value == decoder_run.id
    at.number_input(key="reconstruct.x").set_value(1.0)
    at.number_input(key="reconstruct.y").set_value(-0.5).run()
    assert not at.exception and not at.error
    shown = image_of(at, media, "Decoded at (1.00, -0.50)")
    run = Workspace().load_run(decoder_run.id)
    expected = np.asarray(enlarged(as_images(decode(run, [[1.0, -0.5]]), (8, 8))[0]))
    assert shown.shape == (192, 192) and np.array_equal(shown, expected)
    assert image_of(at, media, "Nearest item: row").shape == (64, 64)
    latent = image_of(at, media, "10 × 10 decoded images")
    assert latent.shape[0] > 10 * 8 and latent.shape[1] > 10 * 8
    assert at.slider(key="reconstruct.grid").value == 10
    at.slider(key="reconstruct.grid").set_value(6).run()
    assert not at.exception
    assert image_of(at, media, "6 × 6 decoded images").shape != latent.shape


def test_a_run_without_decoder_says_how_to_get_one(open_page, text_of, saved_run):
    at = open_page(PAGE)
    assert not at.exception
    assert any(t.startswith("This run has no decoder") and "Train a decoder" in t
               for t in text_of(at.info))
    assert not at.image


def test_no_runs_at_all(open_page, text_of):
    at = open_page(PAGE)
    assert not at.exception and any(t.startswith("No trained run yet") for t in text_of(at.info))


def test_a_table_decodes_to_values_in_original_units(open_page, workspace, iris):
    est = ParametricUMAP(parametric_reconstruction=True, n_training_epochs=3,
                         random_state=0).fit(iris.X)
    info = workspace.save_run(est, iris, name="iris decoder", metrics={})
    at = open_page(PAGE)
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table["column"]) == ["sepal length (cm)", "sepal width (cm)",
                                     "petal length (cm)", "petal width (cm)"]
    decoded = table["decoded here"].astype(float)
    assert decoded.between(0, 10).all()  # centimetres, not standardised values around 0
    assert at.get("plotly_chart") and at.selectbox(key="reconstruct.feature").value == \
        "sepal length (cm)"
    heat = json.loads(at.get("plotly_chart")[-1].proto.spec)
    assert heat["data"][0]["type"] == "heatmap"
    assert info.id == at.selectbox(key="reconstruct.run").value


def test_a_click_on_the_grid_or_a_point_gives_its_coordinates():
    event = {"selection": {"points": [{"curve_number": 3, "point_index": 17, "x": 1.25,
                                       "y": -2.5}], "box": [], "lasso": []}}
    assert clicked_point(event) == (1.25, -2.5)
    assert clicked_point({"selection": {"points": []}}) is None
    assert clicked_point(None) is None


def test_the_click_map_covers_the_whole_map(decoder_run):
    run = Workspace().load_run(decoder_run.id)
    fig = click_map(run, (0.0, 0.0), "t")
    grid = next(t for t in fig.data if t.name == "grid")
    assert len(grid.x) == CLICK_GRID ** 2 and grid.hoverinfo == "none"
    assert min(grid.x) < run.points["x"].min() and max(grid.x) > run.points["x"].max()
    assert min(grid.y) < run.points["y"].min() and max(grid.y) > run.points["y"].max()


def test_the_mosaic_is_one_picture_top_row_first(decoder_run):
    run = Workspace().load_run(decoder_run.id)
    xs, ys, points = grid_points(run.embedding, 7)
    assert points.shape == (49, 2) and ys[0] > ys[-1] and xs[0] < xs[-1]
    assert np.allclose(points[:7, 1], ys[0])  # the first row of the picture is the top
    rows = decode(run, points)
    picture = mosaic(as_images(rows, (8, 8)), xs, ys)
    cell = 640 // 7 // 8 * 8
    assert picture.size[0] > 7 * cell and picture.size[1] > 7 * cell


def test_coming_back_from_another_page_keeps_the_point(open_page, decoder_run):
    """Streamlit forgets widget values on other pages (a KeyError here once); the point stays."""
    at = open_page(PAGE)
    y = at.number_input(key="reconstruct.y").value
    at.number_input(key="reconstruct.x").set_value(0.5).run()
    at.switch_page("pages/runs.py").run()
    assert not at.exception and at.title[0].value == "Runs"
    at.switch_page(PAGE).run()
    assert not at.exception and not at.error
    assert at.number_input(key="reconstruct.x").value == 0.5
    assert any(c == f"Decoded at (0.50, {y:.2f})" for e in at.image for c in e.captions)


def test_the_click_map_has_axes_a_legend_and_explores_colours(decoder_run):
    """Issue 14: the Reconstruct map had no axes or legend, and other colours than Explore's
    (plotly's default sequence instead of studio.colours)."""
    from studio.colours import categories, colour_map
    from studio.reconstruct_view import WHEEL_HINT

    run = Workspace().load_run(decoder_run.id)
    fig = click_map(run, (0.0, 0.0), "t")
    legend = {t.name: t.marker.color for t in fig.data if t.showlegend is not False}
    assert legend == colour_map(categories(run.points["label"])[1])
    assert sum(len(t.x) for t in fig.data if t.name in legend) == len(run.points)
    assert fig.layout.xaxis.showticklabels is not False and fig.layout.xaxis.title.text == "x"
    assert fig.layout.yaxis.title.text == "y" and fig.layout.legend.title.text == "label"
    assert any(a.text == WHEEL_HINT for a in fig.layout.annotations)
