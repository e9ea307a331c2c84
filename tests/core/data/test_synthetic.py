"""Synthetic maps: shapes, determinism, classes that match their glyphs, and large sizes."""

import numpy as np
import pytest

from pumap_core.data import Dataset, make_synthetic
from pumap_core.data.synthetic import BRIGHTNESS_WORDS, GLYPHS, GROUPS, _templates
from pumap_core.errors import InvalidParameterError
from pumap_core.thumbnails import Thumbnails


@pytest.fixture(scope="module")
def images():
    return make_synthetic(3000, kind="images", n_classes=10, seed=3)


def test_shapes_types_and_table(images):
    ds, layout = images
    assert isinstance(ds, Dataset) and ds.n_items == 3000 and ds.name == "synthetic images 3k"
    assert ds.X.shape == (3000, 16) and ds.X.dtype == np.float32 and np.isfinite(ds.X).all()
    assert layout.shape == (3000, 2) and layout.dtype == np.float32 and np.isfinite(layout).all()
    assert ds.recipe is None and ds.kind == "table" and ds.label_name == "label"
    assert any("synthetic" in note for note in ds.notes)
    assert list(ds.table.columns) == ["label", "id", "name", "score", "group"]
    assert ds.table["id"].iloc[123] == "item-0000123" and ds.table["id"].is_unique
    assert ds.table["score"].dtype.kind == "f" and ds.table["score"].nunique() > 1000
    assert set(ds.table["group"]) == set(GROUPS)
    words = ds.table["name"].str.split(" ")
    assert (words.str.len() == 3).all()
    assert set(words.str[0]) <= set(BRIGHTNESS_WORDS) and (words.str[1] == ds.labels).all()
    assert words.str[2].astype(int).between(1, 999).all()
    thumbs = ds.thumbnails
    assert isinstance(thumbs, Thumbnails) and thumbs.cell == 64 and thumbs.mode == "L"
    assert len(thumbs) == 3000


def test_labels_are_the_glyph_names_and_classes_vary_in_size(images):
    ds, _ = images
    counts = ds.class_counts()
    assert set(counts) == set(GLYPHS[:10]) and sum(counts.values()) == 3000
    assert max(counts.values()) > 1.5 * min(counts.values())
    assert (ds.table["label"] == ds.labels).all()


def test_each_thumbnail_is_its_class_glyph(images):
    """An item's lit pixels overlap its own class's template best (of every glyph and shift)."""
    ds, _ = images
    templates = _templates(10, 64).reshape(10, 9, 64, 64) > 112
    for i in range(0, 3000, 37):
        lit = ds.thumbnails.pixels[i] > 48  # above the speckle (< 48); glyph ink is brighter
        iou = [max((lit & t).sum() / (lit | t).sum() for t in templates[c]) for c in range(10)]
        assert GLYPHS[int(np.argmax(iou))] == ds.labels[i] and max(iou) > 0.6, (i, max(iou))


def test_clusters_are_separate_on_the_layout(images):
    ds, layout = images
    centres = {c: layout[ds.labels == c].mean(axis=0) for c in GLYPHS[:10]}
    nearest = [min(centres, key=lambda c: np.linalg.norm(layout[i] - centres[c]))
               for i in range(0, 3000, 7)]
    agree = np.mean([n == ds.labels[i] for n, i in zip(nearest, range(0, 3000, 7))])
    assert agree > 0.8  # a ring or a filament is not a ball, but most points sit by their own


def test_same_seed_same_data_other_seed_other_data(images):
    ds, layout = images
    again, layout2 = make_synthetic(3000, kind="images", n_classes=10, seed=3)
    np.testing.assert_array_equal(layout, layout2)
    np.testing.assert_array_equal(ds.X, again.X)
    assert ds.thumbnails == again.thumbnails and ds.table.equals(again.table)
    other, layout3 = make_synthetic(3000, kind="images", n_classes=10, seed=4)
    assert not np.allclose(layout, layout3) and other.thumbnails != ds.thumbnails


def test_table_kind_has_no_thumbnails_and_the_same_map(images):
    ds, layout = images
    table, layout2 = make_synthetic(3000, kind="table", n_classes=10, seed=3)
    assert table.thumbnails is None and table.name == "synthetic table 3k"
    np.testing.assert_array_equal(layout, layout2)
    assert table.table.equals(ds.table)


@pytest.mark.parametrize("k", [1, 12])
def test_any_number_of_classes(k):
    ds, _ = make_synthetic(500, n_classes=k, seed=0)
    assert len(ds.class_counts()) == k


def test_a_large_map_is_made_in_bulk():
    ds, layout = make_synthetic(200_000, kind="images")
    assert ds.name == "synthetic images 200k" and layout.shape == (200_000, 2)
    assert ds.thumbnails.cell == 32 and ds.thumbnails.pixels.shape == (200_000, 32, 32)
    assert ds.table["id"].iloc[-1] == "item-0199999"


@pytest.mark.parametrize("kwargs, words", [
    (dict(n=2), "from 3"), (dict(n=10_000_000), "5,000,000"), (dict(n=1.5e3), "whole"),
    (dict(n=100, kind="photos"), "kind"), (dict(n=100, n_classes=0), "n_classes"),
    (dict(n=100, n_classes=13), "n_classes"),
])
def test_bad_parameters_are_refused(kwargs, words):
    n = kwargs.pop("n")
    with pytest.raises(InvalidParameterError) as err:
        make_synthetic(n, **kwargs)
    assert words in err.value.user_message
