"""TablePreparation: one fitted object that prepares a table, replays it and inverts it."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from pumap_core.data import (TablePreparation, default_feature_columns, load_upload,
                             prepare_table, read_table)
from pumap_core.errors import NotFittedError

FRAME = pd.DataFrame({
    "size": [1.0, 2.0, 3.5, 4.0, np.nan, 6.5, 7.0, 8.0],
    "count": [5, 3, 1, 2, 4, 9, 7, 7],
    "color": ["red", "blue", "red", "green", "blue", None, "green", "green"],
    "kind": ["a", "a", "b", "b", "b", "a", "b", "a"],
})
OPTIONS = dict(feature_columns=["size", "count", "color"], label_column="kind")


@pytest.mark.parametrize("missing", ["drop", "impute"])
@pytest.mark.parametrize("scaling", ["standardize", "minmax", "none"])
def test_fit_to_dict_from_dict_transform_gives_the_fitted_features(scaling, missing):
    prep = TablePreparation(**OPTIONS, scaling=scaling, missing=missing)
    fitted = prep.fit_transform(FRAME, name="t")
    assert fitted.recipe == prep.to_dict()
    again = TablePreparation.from_dict(json.loads(json.dumps(prep.to_dict())))
    assert again.to_dict() == prep.to_dict()
    new = again.transform(FRAME, name="again")
    np.testing.assert_array_equal(new.X, fitted.X)
    assert new.feature_names == fitted.feature_names and list(new.labels) == list(fitted.labels)


def test_fit_returns_self_and_matches_prepare_table():
    prep = TablePreparation(**OPTIONS, scaling="minmax")
    assert prep.fit(FRAME, name="t") is prep and prep.numeric_columns_ == ["size", "count"]
    assert prep.categories_ == [["blue", "green", "red"]] and prep.onehot_fill_ == ["green"]
    ds = prepare_table(FRAME, name="t", scaling="minmax", **OPTIONS)
    assert ds.recipe == prep.to_dict()
    assert clone(prep).get_params() == prep.get_params()  # a scikit-learn estimator's contract


def test_inverse_transform_gives_back_numbers_in_their_units_and_the_categories():
    prep = TablePreparation(**OPTIONS, missing="impute")
    ds = prep.fit_transform(FRAME, name="t")
    back = prep.inverse_transform(ds.X)
    assert list(back.columns) == ["size", "count", "color"]
    np.testing.assert_allclose(back["size"], FRAME["size"].fillna(FRAME["size"].median()),
                               rtol=1e-5)
    np.testing.assert_allclose(back["count"], FRAME["count"], rtol=1e-5)
    assert list(back["color"]) == list(FRAME["color"].fillna("green"))


def test_an_unfitted_preparation_says_how_to_fit_it():
    with pytest.raises(NotFittedError, match="from_dict"):
        TablePreparation().transform(FRAME)


def test_default_feature_columns_are_those_prepare_table_uses():
    """The Data page proposes what the library would use, not just the numeric dtypes."""
    text = ("Unnamed: 0,width,gappy,name,species\n"
            + "".join(f'{i},"{i},5",{"?" if i == 2 else i * 2},item{i},{"ab"[i % 2]}\n'
                      for i in range(6)))
    df = read_table(text.encode(), "saved.csv")
    assert not any(pd.api.types.is_numeric_dtype(df[c]) for c in ("width", "gappy"))
    assert default_feature_columns(df, label_column="species") == ["width", "gappy"]
    ds = prepare_table(df, name="saved.csv", label_column="species", missing="impute")
    assert ds.feature_names == ["width", "gappy"]
    assert default_feature_columns(df[["name", "species"]]) == []


# --------------------------------------------------------------------------- preparing tables

CSV = "a,b,flag,species\n1.0,10,true,setosa\n2.0,20,false,setosa\n3.0,30,true,virginica\n" \
      "4.0,40,false,virginica\n"
SMALL = pd.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0], "y": [5, 3, 1, 2, 4],
                      "color": ["red", "blue", "red", "green", "blue"],
                      "label": ["a", "a", "b", "b", "b"]})


def test_default_features_are_numeric_and_bool_columns_except_label():
    ds = load_upload(CSV.encode(), "c.csv", label_column="species")
    assert ds.feature_names == ["a", "b", "flag"] and ds.label_name == "species"
    assert ds.labels.tolist() == ["setosa", "setosa", "virginica", "virginica"]
    assert ds.table.shape == (4, 4) and ds.kind == "table" and ds.thumbnails is None


@pytest.mark.parametrize("scaling", ["standardize", "minmax", "none"])
def test_scaling_modes(scaling):
    df = SMALL.assign(const=7.0)
    ds = prepare_table(df, name="f", scaling=scaling)
    assert ds.feature_names == ["x", "y", "const"] and np.isfinite(ds.X).all()
    assert np.all(ds.X[:, 2] == (7.0 if scaling == "none" else 0.0))  # no 0/0 on constants
    assert any("'const'" in n and "constant" in n for n in ds.notes)
    if scaling == "standardize":
        np.testing.assert_allclose(ds.X[:, :2].mean(axis=0), 0, atol=1e-6)
        np.testing.assert_allclose(ds.X[:, :2].std(axis=0), 1, atol=1e-6)
    elif scaling == "minmax":
        assert ds.X[:, :2].min() == 0 and ds.X[:, :2].max() == 1
    else:
        np.testing.assert_array_equal(ds.X[:, :2], SMALL[["x", "y"]].to_numpy(np.float32))


def test_onehot_versus_exclude():
    onehot = prepare_table(SMALL, name="f", feature_columns=["x", "color"], scaling="none")
    assert onehot.feature_names == ["x", "color=blue", "color=green", "color=red"]
    np.testing.assert_array_equal(onehot.X[0], [1, 0, 0, 1])
    assert "one-hot encoded 'color' (3 columns)" in onehot.notes
    excluded = prepare_table(SMALL, name="f", feature_columns=["x", "color"],
                             categorical="exclude")
    assert excluded.feature_names == ["x"] and any("excluded" in n for n in excluded.notes)


def test_text_columns_are_not_default_features_and_say_so():
    ds = prepare_table(SMALL, name="f", label_column="label")
    assert ds.feature_names == ["x", "y"]
    assert any("not used as features" in n and "'color'" in n for n in ds.notes)


def test_missing_values_drop_versus_impute():
    df = pd.DataFrame({"x": [1.0, np.nan, 3.0, 4.0, 5.0, np.inf, 6.0],
                       "c": ["u", "v", None, "u", "u", "v", "v"],
                       "label": [1, 2, 3, None, 5, 6, 7]})
    dropped = prepare_table(df, name="m", feature_columns=["x", "c"], label_column="label",
                            missing="drop", scaling="none")
    assert dropped.X.shape == (3, 3) and dropped.labels.tolist() == [1, 5, 7]
    assert dropped.table["x"].tolist() == [1.0, 5.0, 6.0]
    assert any(n.startswith("dropped 4 row(s) with missing values") for n in dropped.notes)
    imputed = prepare_table(df, name="m", feature_columns=["x", "c"], label_column="label",
                            missing="impute", scaling="none")
    assert imputed.X.shape == (7, 3)
    assert imputed.X[1, 0] == imputed.X[5, 0] == 4.0  # median of 1, 3, 4, 5, 6
    assert imputed.feature_names == ["x", "c=u", "c=v"] and imputed.X[2, 1] == 1  # mode "u"
    assert any(n.startswith("imputed 3 missing value(s)") for n in imputed.notes)
    assert imputed.labels.tolist() == ["1", "2", "3", "(missing)", "5", "6", "7"]


def test_question_marks_in_numbers_and_saved_index():
    text = "Unnamed: 0,a,b\n0,1,?\n1,2,5\n2,3,6\n3,4,7\n4,5,8\n"
    df = read_table(text.encode(), "uci.csv")
    ds = prepare_table(df, name="uci.csv", missing="impute")
    assert ds.feature_names == ["a", "b"]
    assert any("saved row index" in n for n in ds.notes)
    assert any("'b' as numbers; 1 non-numeric" in n for n in ds.notes)


def test_bool_columns_are_numeric_even_with_gaps():
    ds = load_upload(b"a,flag\n1,true\n2,\n3,false\n4,True\n", "b.csv", missing="impute",
                     scaling="none")
    assert ds.feature_names == ["a", "flag"] and ds.X[:, 1].tolist() == [1, 1, 0, 1]


def test_integral_float_labels_become_int():
    ds = prepare_table(SMALL.assign(k=[1.0, 2.0, 1.0, 2.0, 1.0]), name="f", label_column="k")
    assert ds.labels.dtype == np.int64 and ds.class_counts() == {1: 3, 2: 2}



def test_a_category_weighs_half_a_typical_standard_deviation():
    rng = np.random.default_rng(0)
    df = pd.DataFrame({"a": rng.normal(0, 5, 200), "b": rng.normal(10, 0.1, 200),
                       "sex": rng.choice(["f", "m"], 200)})
    for scaling, spread in (("standardize", 1.0), ("minmax", None)):
        ds = prepare_table(df, name="t", feature_columns=["a", "b", "sex"], scaling=scaling)
        numbers = ds.X[:, :2]
        typical = numbers.std(axis=0).mean() if spread is None else spread
        f, m = ds.X[df.sex == "f"][0, 2:], ds.X[df.sex == "m"][0, 2:]
        assert np.linalg.norm(f - m) == pytest.approx(0.5 * typical, rel=1e-3)
    raw = prepare_table(df, name="t", feature_columns=["a", "sex"], scaling="none")
    assert set(np.unique(raw.X[:, 1:])) == {0.0, 1.0}  # numbers as they are: 0/1


def test_a_version_1_recipe_keeps_its_0_1_columns():
    df = pd.DataFrame({"a": [1.0, 2.0, 3.0, 4.0], "c": ["x", "y", "x", "y"]})
    recipe = prepare_table(df, name="t", feature_columns=["a", "c"]).recipe
    old = {**recipe, "version": 1}
    del old["onehot_weight"]
    again = TablePreparation.from_dict(old).transform(df)
    assert set(np.unique(again.X[:, 1:])) == {0.0, 1.0}
