"""The built-in demos, and Dataset.head."""

import io

import numpy as np
import pytest
from PIL import Image

from pumap_core.data import DEMOS, Dataset, load_demo

# --------------------------------------------------------------------------- helpers


def png_size(png):
    return Image.open(io.BytesIO(png)).size


# --------------------------------------------------------------------------- demos


@pytest.mark.parametrize("name,shape,kind,image_shape", [
    ("digits", (1797, 64), "images", (8, 8)),
    ("wine", (178, 13), "table", None),
    ("iris", (150, 4), "table", None),
])
def test_every_demo_loads_with_its_shape(name, shape, kind, image_shape):
    ds = load_demo(name)
    assert set(DEMOS) == {"digits", "wine", "iris"}
    assert isinstance(ds, Dataset) and ds.name == name and ds.kind == kind
    assert ds.X.shape == shape and ds.X.dtype == np.float32 and np.isfinite(ds.X).all()
    assert len(ds.table) == len(ds.labels) == shape[0] and len(ds.feature_names) == shape[1]
    assert ds.image_shape == image_shape
    counts = ds.class_counts()
    assert ds.n_items == shape[0] and ds.n_features == shape[1]
    assert sum(counts.values()) == shape[0]
    if kind == "images":
        assert ds.X.min() == 0.0 and ds.X.max() == 1.0
        assert len(ds.thumbnails) == shape[0] and png_size(ds.thumbnails[0]) == (64, 64)
        assert counts[0] == 178 and ds.labels.dtype == np.int64
    else:
        assert ds.labels.dtype.kind == "U" and len(counts) == 3
        np.testing.assert_allclose(ds.X.mean(axis=0), 0, atol=1e-5)


def test_default_demo_is_digits():
    assert load_demo().name == "digits"


def test_head_keeps_the_first_items_of_every_part():
    ds = load_demo("digits")
    head = ds.head(7)
    assert head.n_items == 7 and len(head.table) == 7 and len(head.thumbnails) == 7
    np.testing.assert_array_equal(head.labels, ds.labels[:7])
    np.testing.assert_array_equal(head.thumbnails.pixels, ds.thumbnails.take(slice(0, 7)).pixels)
    assert load_demo("wine").head(3).thumbnails is None

