"""Recipes: a new upload is turned into features exactly like the training data were."""

import json

import numpy as np
import pandas as pd
import pytest

from pumap_core.data import (apply_recipe, apply_table_recipe, load_demo, prepare_table,
                             read_image_zip)
from pumap_core.errors import DataTypeError, InvalidDataError, InvalidParameterError

from files import image_bytes, zip_bytes

FRAME = pd.DataFrame({
    "size": [1.0, 2.0, 3.5, 4.0, 5.0, 6.5, 7.0, 8.0],
    "count": [5, 3, 1, 2, 4, 9, 7, 7],
    "flat": [2.0] * 8,  # constant: scale 1, so it maps to 0 and never divides by 0
    "color": ["red", "blue", "red", "green", "blue", "red", "green", "green"],
    "kind": ["a", "a", "b", "b", "b", "a", "b", "a"],
})
FEATURES = ["size", "count", "flat", "color"]


def one_line(exc_info):
    message = exc_info.value.user_message
    assert "\n" not in message and len(message) < 300
    return message


def csv_bytes(df):
    return df.to_csv(index=False).encode()


@pytest.mark.parametrize("scaling", ["standardize", "minmax", "none"])
def test_same_rows_give_the_training_features(scaling):
    ds = prepare_table(FRAME, name="t", feature_columns=FEATURES, label_column="kind",
                       scaling=scaling)
    rows = [6, 1, 3]
    new = apply_table_recipe(FRAME.iloc[rows], ds.recipe, name="new")
    np.testing.assert_array_equal(new.X, ds.X[rows])
    assert new.feature_names == ds.feature_names and new.recipe == ds.recipe
    assert list(new.labels) == list(FRAME["kind"].iloc[rows]) and new.label_name == "kind"


def test_recipe_survives_json_and_a_csv_upload():
    ds = prepare_table(FRAME, name="t", feature_columns=FEATURES, label_column="kind")
    recipe = json.loads(json.dumps(ds.recipe))
    shuffled = FRAME[["kind", "color", "flat", "count", "size"]].assign(extra="x")
    new = apply_recipe(csv_bytes(shuffled), "new.csv", recipe)
    np.testing.assert_allclose(new.X, ds.X, atol=1e-6)  # column order and extras do not matter
    assert "extra" in new.table.columns and new.kind == "table"


def test_recipe_records_columns_scaling_categories_and_fills():
    ds = prepare_table(FRAME, name="t", feature_columns=FEATURES, scaling="minmax")
    r = ds.recipe
    assert r["kind"] == "table" and r["scaling"] == "minmax" and r["missing"] == "drop"
    assert [e["column"] for e in r["numeric"]] == ["size", "count", "flat"]
    assert r["numeric"][0]["shift"] == 1.0 and r["numeric"][0]["scale"] == 7.0
    assert r["numeric"][2]["scale"] == 1.0  # constant column
    # red and green tie as most frequent; pandas' mode sorts, so the fill is "green"
    assert r["onehot"] == [{"column": "color", "categories": ["blue", "green", "red"],
                            "fill": "green"}]
    assert r["feature_names"] == ds.feature_names


def test_missing_columns_are_named_in_one_message():
    ds = prepare_table(FRAME, name="t", feature_columns=FEATURES)
    with pytest.raises(InvalidDataError) as err:
        apply_table_recipe(FRAME[["size", "kind"]], ds.recipe, name="new.csv")
    message = one_line(err)
    assert "'count'" in message and "'flat'" in message and "'color'" in message
    assert "new.csv" in message


def test_unseen_category_is_all_zero_one_hot():
    ds = prepare_table(FRAME, name="t", feature_columns=FEATURES)
    new_rows = FRAME.iloc[:3].assign(color=["purple", "red", "blue"])
    new = apply_table_recipe(new_rows, ds.recipe, name="new")
    onehot = [i for i, n in enumerate(new.feature_names) if n.startswith("color=")]
    assert new.X[0, onehot].sum() == 0
    weight = ds.recipe["onehot_weight"]
    assert 0 < weight < 1 and new.X[1, onehot].sum() == pytest.approx(weight)
    assert new.X[2, onehot].sum() == pytest.approx(weight)
    assert any("purple" in note for note in new.notes)
    np.testing.assert_array_equal(new.X[1:, :3], ds.X[1:3, :3])


def test_label_column_is_optional():
    ds = prepare_table(FRAME, name="t", feature_columns=FEATURES, label_column="kind")
    new = apply_table_recipe(FRAME.drop(columns="kind"), ds.recipe, name="new")
    assert new.labels is None and new.label_name is None and new.n_items == len(FRAME)


def test_impute_uses_the_training_values():
    gappy = FRAME.copy()
    gappy.loc[2, "size"] = np.nan
    gappy.loc[4, "color"] = None
    ds = prepare_table(gappy, name="t", feature_columns=FEATURES, missing="impute")
    new = apply_table_recipe(gappy.iloc[[2, 4, 5]], ds.recipe, name="new")
    np.testing.assert_array_equal(new.X, ds.X[[2, 4, 5]])
    assert any("filled 2 missing" in note for note in new.notes)


def test_drop_mode_drops_new_rows_with_gaps():
    ds = prepare_table(FRAME, name="t", feature_columns=FEATURES)
    gappy = FRAME.copy()
    gappy.loc[1, "count"] = np.nan
    new = apply_table_recipe(gappy, ds.recipe, name="new")
    assert new.n_items == len(FRAME) - 1 and len(new.table) == new.n_items
    np.testing.assert_array_equal(new.X, np.delete(ds.X, 1, axis=0))
    with pytest.raises(InvalidDataError) as err:
        apply_table_recipe(gappy.iloc[[1]], ds.recipe, name="new")
    one_line(err)


def test_text_where_numbers_were_trained_is_refused():
    ds = prepare_table(FRAME, name="t", feature_columns=FEATURES)
    with pytest.raises(DataTypeError) as err:
        apply_table_recipe(FRAME.assign(count=["lots"] * 8), ds.recipe, name="new")
    assert "'count'" in one_line(err)


@pytest.mark.parametrize("name", ["wine", "iris"])
def test_table_demos_have_a_working_recipe(name):
    from sklearn.datasets import load_iris, load_wine

    ds = load_demo(name)
    frame = (load_wine if name == "wine" else load_iris)(as_frame=True).frame
    new = apply_table_recipe(frame.drop(columns="target").iloc[:20], ds.recipe, name="new")
    np.testing.assert_array_equal(new.X, ds.X[:20])


# --------------------------------------------------------------------------- images


def png(color, size=(12, 10), mode="RGB"):
    return image_bytes(mode, size, color)


PETS = {f"pets/{c}/{i}.png": png((40 * i, 100, 20 * i)) for c in ("cat", "dog") for i in range(3)}


def test_image_zip_recipe_reproduces_the_features():
    ds = read_image_zip(zip_bytes(PETS), name="pets.zip", size=(6, 5), mode="RGB")
    assert ds.recipe == {"kind": "images", "version": 1, "size": [6, 5], "mode": "RGB",
                         "image_shape": [6, 5, 3], "pixel_scale": 255.0}
    new = apply_recipe(zip_bytes(PETS), "again.zip", json.loads(json.dumps(ds.recipe)))
    np.testing.assert_array_equal(new.X, ds.X)
    one = apply_recipe(zip_bytes({"x.png": png((0, 100, 0), (30, 40))}), "one.zip", ds.recipe)
    assert one.X.shape == (1, 6 * 5 * 3) and len(one.thumbnails) == 1


def test_digits_demo_recipe_reads_8x8_grey_images():
    recipe = load_demo("digits").recipe
    assert recipe["size"] == [8, 8] and recipe["mode"] == "L"
    new = apply_recipe(zip_bytes({"a.png": png(255, (32, 32), "L"), "b.png": png(0, (8, 8), "L")}),
                       "mine.zip", recipe)
    assert new.X.shape == (2, 64) and new.X[0].min() == 1.0 and new.X[1].max() == 0.0


def test_wrong_kind_of_upload_is_refused():
    image_recipe = load_demo("digits").recipe
    table_recipe = load_demo("iris").recipe
    with pytest.raises(InvalidDataError) as err:
        apply_recipe(b"a,b\n1,2\n", "rows.csv", image_recipe)
    assert ".zip" in one_line(err)
    with pytest.raises(InvalidDataError) as err:
        apply_recipe(zip_bytes(PETS), "pets.zip", table_recipe)
    assert "table" in one_line(err)


@pytest.mark.parametrize("recipe", [None, {}, {"kind": "table", "version": 1},
                                    {"kind": "sound", "version": 1},
                                    {"kind": "images", "version": 99, "size": [8, 8],
                                     "mode": "L"}])
def test_missing_or_malformed_recipe_is_refused(recipe):
    with pytest.raises(InvalidParameterError) as err:
        apply_recipe(b"a,b\n1,2\n", "rows.csv", recipe)
    one_line(err)
