"""The Explore page with AppTest: views, search and filter, selections, links; and its helpers.

A map's component value is put in the session under the map's key, as the browser would send
it; what the browser draws is checked in tests/e2e.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from studio import explore_url
from studio.scatter._payload import encode_color
from studio.scatter._selection import _resolve

EXPLORE = "pages/explore.py"


@pytest.fixture
def image_map(workspace):
    """A 3,000-point synthetic image map (points view) kept as a map-only run."""
    from pumap_core.data import make_synthetic

    dataset, layout = make_synthetic(3000, kind="images", seed=1)
    return workspace.save_map(dataset, layout, name="synthetic 3k"), dataset, layout


@pytest.fixture
def big_map(workspace):
    """Above the raster threshold: 120,000 table points."""
    from pumap_core.data import make_synthetic

    dataset, layout = make_synthetic(120_000, kind="table", seed=2)
    return workspace.save_map(dataset, layout, name="synthetic 120k"), dataset, layout


def _map_value(spec, event="select", rng=None):
    return {"event": event, "spec": spec, "range": rng, "size": {"w": 600, "h": 400},
            "seq": 1}


def test_explore_shows_the_map_and_nothing_selected(open_page, image_map):
    info, _, _ = image_map
    at = open_page(EXPLORE)
    assert not at.exception
    assert at.selectbox(key="explore.run").value == info.id
    assert at.query_params["run"] == [info.id] or at.query_params["run"] == info.id
    assert any("Select points on the map" in c.value for c in at.caption)


def test_a_box_selection_lists_counts_and_rows(open_page, image_map):
    info, dataset, layout = image_map
    box = {"type": "box", "x": [float(np.median(layout[:, 0])), float(layout[:, 0].max())],
           "y": [float(layout[:, 1].min()), float(layout[:, 1].max())]}
    expected = int((layout[:, 0] >= box["x"][0]).sum())
    at = open_page(EXPLORE, {f"explore.map.{info.id}": _map_value(box)})
    assert not at.exception
    assert any(f"Selection: {expected:,} items" in s.value for s in at.subheader)
    # The selection travels in the URL as its shape, not as rows.
    sel = at.query_params["sel"]
    sel = sel[0] if isinstance(sel, list) else sel
    assert sel.startswith("box:")
    assert explore_url.decode_spec(sel)["x"] == pytest.approx(box["x"], rel=1e-4)


def test_search_highlights_and_can_become_the_selection(open_page, image_map):
    info, dataset, _ = image_map
    word = str(dataset.table["name"].iloc[0]).split()[0]  # e.g. "bright"
    expected = int(dataset.table["name"].str.contains(word, case=False).sum() +
                   0)  # names hold the word; other text columns do not
    at = open_page(EXPLORE)
    at.text_input(key="explore.query").input(word).run()
    assert not at.exception
    assert any(f"{expected:,} of 3,000 points match" in c.value for c in at.caption)
    at.toggle(key="explore.use_matches").set_value(True).run()
    assert any(f"Selection: {expected:,} items" in s.value for s in at.subheader)


def test_label_filter_narrows_the_matches(open_page, image_map):
    info, dataset, _ = image_map
    label = str(dataset.labels[0])
    n = int((dataset.labels.astype(str) == label).sum())
    at = open_page(EXPLORE)
    at.multiselect(key="explore.only.label").select(label).run()
    assert any(f"{n:,} of 3,000 points match" in c.value for c in at.caption)
    only = at.query_params["only"]
    assert label in (only[0] if isinstance(only, list) else only)


def test_a_shared_link_reopens_run_colour_and_selection(open_page, image_map, workspace):
    info, dataset, layout = image_map
    from pumap_core.data import make_synthetic

    other, other_layout = make_synthetic(500, kind="table", seed=3)
    workspace.save_map(other, other_layout, name="newer map")  # the default run otherwise
    from streamlit.testing.v1 import AppTest

    from tests.app.conftest import APP

    at = AppTest.from_file(APP, default_timeout=120)
    at.query_params.update({"run": info.id, "color": "group", "sel": "rows:3,5,8",
                            "x": "-30,30", "y": "-30,30"})
    at.run()
    at.switch_page(EXPLORE).run()
    assert not at.exception
    assert at.selectbox(key="explore.run").value == info.id
    assert at.selectbox(key="explore.color").value == "group"
    assert any("Selection: 3 items" in s.value for s in at.subheader)


def test_large_maps_are_rendered_as_an_image(open_page, big_map):
    info, _, _ = big_map
    at = open_page(EXPLORE)
    assert not at.exception
    assert any("datashader image" in c.value for c in at.caption)
    from studio.scatter import _shared_raster
    from studio.scatter._publish import short_hash

    # the page's raster is shared by all sessions: asking for the same map finds it rendered
    shared = _shared_raster(short_hash(info.id, "120000"), None, None)
    assert shared.raster.n == 120_000 and shared.raster.aggregations >= 1


# -- helpers -------------------------------------------------------------------------------
@pytest.mark.parametrize("spec", [
    {"type": "box", "x": [-1.25, 3.5], "y": [0.0, 2.0]},
    {"type": "lasso", "x": [0.0, 1.0, 1.0, 0.0], "y": [0.0, 0.0, 1.0, 1.5]},
    {"type": "rows", "rows": [1, 5, 9]},
])
def test_selection_specs_survive_a_link(spec):
    text = explore_url.encode_spec(spec, extent_span=10.0)
    assert explore_url.decode_spec(text) == spec


@pytest.mark.parametrize("text", ["", "box:1,2", "lasso:1 2;3 4", "rows:", "rows:a", "zzz:1",
                                  "box:1,2,3,x", None])
def test_malformed_links_select_nothing(text):
    assert explore_url.decode_spec(text) is None


def test_ranges_round_trip_and_bad_ones_are_ignored():
    rng = {"x": [-12.345678, 20.5], "y": [0.001, 0.002]}
    back = explore_url.decode_range(explore_url.encode_range(rng))
    assert back["x"] == pytest.approx(rng["x"], rel=1e-6)
    assert back["y"] == pytest.approx(rng["y"], rel=1e-4)
    assert explore_url.decode_range({"x": "3,1", "y": "0,1"}) is None
    assert explore_url.decode_range({"x": "nan,1", "y": "0,1"}) is None


def test_specs_resolve_to_rows():
    x = np.array([0.0, 1.0, 2.0, 3.0], np.float32)
    y = np.zeros(4, np.float32)
    np.testing.assert_array_equal(_resolve(x, y, {"type": "box", "x": [0.5, 2.5],
                                                   "y": [-1, 1]}), [1, 2])
    np.testing.assert_array_equal(_resolve(x, y, {"type": "rows", "rows": [3, 3, 9, -1, 0]}),
                                  [0, 3])


def test_colours_encode_categories_in_order_and_fold_huge_ones():
    enc = encode_color(["b", "a", None, "b"], "categorical", 4)
    assert enc["categories"] == ["a", "b", "(missing)"]
    assert enc["codes"].tolist() == [1, 0, 2, 1]
    ids = [f"id{i}" for i in range(1000)]
    folded = encode_color(ids, "categorical", 1000)
    assert len(folded["categories"]) == 20 and folded["codes"].max() < 20
    cont = encode_color([3.0, float("nan"), 1.0], "continuous", 3)
    assert cont["range"] == [1.0, 3.0] and cont["codes"].dtype == np.float32


def test_rows_picked_in_the_table_are_the_ones_emphasised_on_the_image():
    from studio.scatter import _emphasis

    selection = np.array([2, 4, 6, 8])
    assert _emphasis(np.empty(0, np.int64), None) is None
    assert _emphasis(np.empty(0, np.int64), [5, 1]).tolist() == [5, 1]   # search matches
    assert _emphasis(selection, None).tolist() == [2, 4, 6, 8]            # a map selection
    assert _emphasis(selection, [6, 4]).tolist() == [4, 6]                # rows picked in it
    assert _emphasis(selection, [3]).tolist() == [2, 4, 6, 8]             # matches elsewhere


def test_the_selection_csv_carries_no_live_formula():
    """Issue 12: a label ``=HYPERLINK(...)`` went verbatim into the selection CSV."""
    import io
    from types import SimpleNamespace

    import pandas as pd

    from studio.explore_view import selection_csv

    points = pd.DataFrame({"x": [-1.5, 2.0, 0.5], "y": [0.0, -3.25, 1.0],
                           "label": ['=HYPERLINK("http://x")', "cat", "-2+3"],
                           "@note": ["+1", "-4", "ok"]})
    data = selection_csv(SimpleNamespace(points=points), np.array([0, 1, 2]))
    back = pd.read_csv(io.BytesIO(data))
    assert back.columns.tolist() == ["row", "x", "y", "label", "'@note"]
    assert back["label"].tolist() == ["'=HYPERLINK(\"http://x\")", "cat", "'-2+3"]
    assert back["x"].tolist() == [-1.5, 2.0, 0.5] and back["y"].tolist() == [0.0, -3.25, 1.0]


def _kinds(block) -> list[str]:
    return [getattr(c, "type", type(c).__name__) for c in block.children.values()]


def test_the_map_comes_right_after_one_row_of_controls(open_page, image_map):
    """Issue 14: the map started half below the fold, under ~520 px of controls. Now: the
    title, one row of controls (colour, filter and hover folded into popovers), the map, and
    the selection below it."""
    info, _, layout = image_map
    box = {"type": "box", "x": [float(layout[:, 0].min()), float(layout[:, 0].max())],
           "y": [float(layout[:, 1].min()), float(layout[:, 1].max())]}
    at = open_page(EXPLORE, {f"explore.map.{info.id}": _map_value(box)})
    assert not at.exception
    page = list(at.main.children.values())
    assert _kinds(at.main)[:2] == ["title", "flex_container"]
    assert _kinds(page[1]) == ["column"] * 4, "one row of controls"
    assert len(at.main.selectbox) + len(at.main.text_input) + len(at.main.multiselect) >= 5
    fragment = _kinds(page[2])
    assert fragment[0] == "component_instance", fragment  # the map first ...
    assert page[2].children[0].proto.component_name.endswith("scatter_map")
    assert any("Selection: 3,000 items" in s.value for s in page[2].subheader)  # ... then this
    # every control but the run and the search sits in a popover
    assert at.selectbox(key="explore.color").value == "label"
    for col in page[1].children.values():
        assert len(col.selectbox) + len(col.text_input) + len(col.multiselect) >= 1


def test_hover_leaves_out_constant_and_repeated_columns(open_page, workspace):
    """Issue 14: hover listed `index` (the row number again), `species` (the label again) and
    `width` (128 for every image) by default; they can still be picked."""
    from pumap_core.data import make_synthetic

    dataset, layout = make_synthetic(2000, kind="images", seed=5)
    dataset.table.insert(0, "index", np.arange(2000))
    dataset.table["species"] = dataset.table["label"]
    dataset.table["width"] = 128
    workspace.save_map(dataset, layout, name="with copies")
    at = open_page(EXPLORE)
    assert not at.exception
    hover = at.multiselect(key="explore.hover")
    assert hover.value == ["label", "id", "name", "score"]
    assert {"index", "species", "width"} <= set(hover.options)


def test_the_counts_per_label_are_one_row_per_label(open_page, image_map):
    """Issue 14: the per-label counts of a selection were one squashed row, half hidden."""
    info, dataset, layout = image_map
    box = {"type": "box", "x": [float(np.median(layout[:, 0])), float(layout[:, 0].max())],
           "y": [float(layout[:, 1].min()), float(layout[:, 1].max())]}
    inside = layout[:, 0] >= box["x"][0]
    at = open_page(EXPLORE, {f"explore.map.{info.id}": _map_value(box)})
    assert not at.exception
    counts = at.dataframe[0].value
    assert list(counts.columns) == ["label", "items", "share"]
    expected = pd.Series(np.asarray(dataset.labels)[inside]).astype(str).value_counts()
    assert counts.set_index("label")["items"].to_dict() == expected.to_dict()
    assert list(counts["items"]) == sorted(counts["items"], reverse=True)
    assert counts["share"].sum() == pytest.approx(1.0)
