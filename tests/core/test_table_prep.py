"""TablePreparation: one fitted object that prepares a table, replays it and inverts it."""

import json

import numpy as np
import pandas as pd
import pytest
from sklearn.base import clone

from pumap_core.data import (TablePreparation, default_feature_columns, prepare_table,
                             read_table)
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
