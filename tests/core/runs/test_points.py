"""The points table convention (x, y, c2..., label, the data's columns, ``data_`` on a clash):
written by one function and read back by its inverse."""

import numpy as np
import pandas as pd
import pytest

from pumap_core.runs.points import (coordinate_names, coordinates, data_columns, is_coordinate,
                                    points_frame, split_points)


def test_points_frame_keeps_table_columns_and_renames_clashes():
    table = pd.DataFrame({"x": [1, 2, 3], "label": ["p", "q", "r"], "note": ["a", 1, 2.5]})
    frame = points_frame(np.zeros((3, 3)), table, np.array([0, 1, 1]), "kind")
    assert list(frame.columns) == ["x", "y", "c2", "label", "data_x", "data_label", "note"]
    assert frame["x"].dtype == np.float32


@pytest.mark.parametrize("label_name", [None, "kind", "label"])
def test_split_points_gives_back_the_labels_and_the_table_with_their_names(label_name):
    table = pd.DataFrame({"x": [1.0, 2.0, 3.0], "c2": [4, 5, 6], "data_y": ["u", "v", "w"],
                          "kind": ["a", "b", "a"], "label": ["a", "b", "a"]})
    labels = None if label_name is None else table[label_name].to_numpy()
    coords = np.arange(6, dtype=np.float32).reshape(3, 2)
    frame = points_frame(coords, table, labels, label_name)
    back_labels, back_table = split_points(frame, label_name)
    np.testing.assert_array_equal(coordinates(frame), coords)
    if label_name is None:
        assert back_labels is None
    else:
        np.testing.assert_array_equal(back_labels, labels)
    assert sorted(back_table.columns) == sorted(table.columns)
    pd.testing.assert_frame_equal(back_table[list(table.columns)], table, check_dtype=False)


def test_coordinate_names_and_data_columns():
    assert coordinate_names(2) == ["x", "y"] and coordinate_names(4) == ["x", "y", "c2", "c3"]
    assert [is_coordinate(c) for c in ("x", "c12", "cx", "label", "data_x")] == [
        True, True, False, False, False]
    frame = points_frame(np.zeros((2, 3)), pd.DataFrame({"y": [1, 2], "c": [3, 4]}))
    assert data_columns(frame) == ["data_y", "c"]


def test_hover_columns_skip_constants_duplicates_and_the_row_number():
    """Issue 14: hover listed `index` (= the row number), `species` (= `label`) and `width` /
    `height` (128 for every image) by default."""
    from pumap_core.runs.points import hover_columns

    n = 1500  # above the 1,000 rows compared first
    rng = np.random.default_rng(0)
    label = rng.choice(["setosa", "virginica"], n)
    points = pd.DataFrame({"x": rng.normal(size=n), "y": rng.normal(size=n), "label": label,
                           "index": np.arange(n), "species": label, "width": 128,
                           "height": 128, "name": [f"item {i}" for i in range(n)],
                           "score": rng.normal(size=n), "group": rng.choice(["a", "b"], n),
                           "extra": rng.normal(size=n)})
    assert hover_columns(points) == ["label", "name", "score", "group"]
    assert hover_columns(points, limit=2) == ["label", "name"]
    # equal in the first rows only: not a duplicate
    late = points.assign(species=np.where(np.arange(n) < 1400, label, "other"))
    assert "species" in hover_columns(late, limit=10)
    # one row: nothing is constant, but `height` still repeats `width`
    assert hover_columns(points.iloc[:1]) == ["label", "width", "name", "score"]
