"""invert_table_recipe: decoded feature rows back in the table's columns and units."""

import numpy as np
import pandas as pd
import pytest

from pumap_core.data import invert_table_recipe, load_demo, prepare_table
from pumap_core.errors import InvalidDataError, InvalidParameterError

FRAME = pd.DataFrame({
    "size": [1.0, 2.0, 3.5, 4.0, 5.0, 6.5, 7.0, 8.0],
    "flat": [2.0] * 8,
    "color": ["red", "blue", "red", "green", "blue", "red", "green", "green"],
    "kind": ["a", "a", "b", "b", "b", "a", "b", "a"],
})


@pytest.mark.parametrize("scaling", ["standardize", "minmax", "none"])
def test_training_rows_come_back_in_original_units(scaling):
    ds = prepare_table(FRAME, name="t", feature_columns=["size", "flat", "color"],
                       label_column="kind", scaling=scaling)
    back = invert_table_recipe(ds.X, ds.recipe)
    assert list(back.columns) == ["size", "flat", "color"]
    np.testing.assert_allclose(back["size"], FRAME["size"], rtol=1e-5)
    np.testing.assert_allclose(back["flat"], 2.0)  # a constant column keeps its value
    assert list(back["color"]) == list(FRAME["color"])


def test_a_blurred_one_hot_block_gives_its_most_likely_category():
    ds = prepare_table(FRAME, name="t", feature_columns=["size", "color"])
    names = ds.feature_names
    row = np.zeros((1, len(names)))
    row[0, names.index("color=green")] = 0.45
    row[0, names.index("color=red")] = 0.30
    assert invert_table_recipe(row, ds.recipe)["color"][0] == "green"


def test_wrong_width_and_image_recipes_are_clear_errors():
    iris = load_demo("iris")
    with pytest.raises(InvalidDataError, match=r"4 features"):
        invert_table_recipe(np.zeros((2, 3)), iris.recipe)
    with pytest.raises(InvalidParameterError, match="images"):
        invert_table_recipe(np.zeros((1, 64)), load_demo("digits").recipe)
