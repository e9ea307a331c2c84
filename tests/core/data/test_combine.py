"""combine_datasets: a map's training data then new items, told apart by an origin column."""

from dataclasses import replace

import numpy as np

from pumap_core.data import ORIGIN, TablePreparation, combine_datasets, load_demo


def test_old_items_come_first_with_an_origin_column_and_the_old_recipe():
    iris = load_demo("iris")
    old = iris.head(20)
    new = TablePreparation.from_dict(iris.recipe).transform(
        iris.table.iloc[100:105].drop(columns="species"), name="new.csv")
    both = combine_datasets(old, new, "first run")
    assert both.name == "iris + new.csv" and both.n_items == 25 and both.kind == "table"
    np.testing.assert_array_equal(both.X, np.concatenate([old.X, new.X]))
    assert list(both.table[ORIGIN]) == ["old map"] * 20 + ["new data"] * 5
    assert list(both.labels) == list(old.labels) + ["(new data)"] * 5
    assert both.label_name == "species" and both.recipe is iris.recipe
    assert both.feature_names == iris.feature_names and both.thumbnails is None
    assert "'first run'" in both.notes[0] and "5 new items from new.csv" in both.notes[0]


def test_numeric_and_text_labels_mix_as_text_and_no_labels_give_none():
    digits = load_demo("digits")
    old, new = digits.head(3), digits.head(2)
    assert combine_datasets(old, new, "r").labels.dtype.kind == "i"
    named = combine_datasets(old, replace(new, labels=np.array(["a", "b"])), "r")
    assert list(named.labels) == ["0", "1", "2", "a", "b"]
    unlabelled = [replace(ds, labels=None) for ds in (old, new)]
    assert combine_datasets(*unlabelled, "r").labels is None
    assert len(combine_datasets(old, new, "r").thumbnails) == 5
