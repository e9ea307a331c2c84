"""The dataset store: save / load / list / info / delete, round trips of every kind of dataset,
atomic saves, and every way a dataset folder can be damaged or hostile."""

import json
import pathlib
import pickle
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

import pumap_core.data
from pumap_core.data import Dataset, DatasetInfo, DatasetStore, load_demo, prepare_table
from pumap_core.errors import (DataTypeError, InvalidDataError, InvalidParameterError,
                               ModelFileError, ModelNotFoundError)
from pumap_core.runs import Workspace
from pumap_core.thumbnails import Thumbnails

ROOT = pathlib.Path(__file__).resolve().parents[3]


@pytest.fixture()
def store(tmp_path):
    return DatasetStore(tmp_path / "ws")


@pytest.fixture(scope="module")
def digits():
    return load_demo("digits")


@pytest.fixture(scope="module")
def iris():
    return load_demo("iris")


@pytest.fixture(scope="module")
def mixed():
    """A table with a text column mixing numbers and words, gaps everywhere, text labels."""
    df = pd.DataFrame({
        "a": [1.0, 2.0, np.nan, 4.0, 5.0, 6.0, 7.0, 8.0],
        "b": [1, 2, 3, 4, 5, 6, 7, 8],
        "mix": [1, "x", 2.5, None, "y", 3, "z", 4],
        "flag": [True, False, True, True, False, False, True, False],
        "kind": ["p", "q", None, "p", "q", "p", "q", "p"],
    })
    return prepare_table(df, name="mixed.csv", feature_columns=["a", "b"], label_column="kind",
                         missing="impute")


def saved(store, dataset):
    return store.save(dataset).id


def entries(store):
    """Everything under the workspace root, hidden files included (to prove nothing changed)."""
    return sorted(str(p.relative_to(store.root)) for p in store.root.rglob("*")) \
        if store.root.exists() else None


def one_line(exc_info):
    message = exc_info.value.user_message
    assert "\n" not in message and 0 < len(message) < 300
    return message


def assert_same(got: Dataset, want: Dataset):
    np.testing.assert_array_equal(got.X, want.X)
    assert got.X.dtype == np.float32
    pd.testing.assert_frame_equal(got.table, want.table.reset_index(drop=True))
    if want.labels is None:
        assert got.labels is None
    else:
        np.testing.assert_array_equal(got.labels, want.labels)
        assert got.labels.dtype.kind == want.labels.dtype.kind
    assert (got.name, got.label_name, got.kind) == (want.name, want.label_name, want.kind)
    assert got.image_shape == want.image_shape
    assert (got.thumbnails is None) == (want.thumbnails is None)
    if want.thumbnails is not None:
        np.testing.assert_array_equal(got.thumbnails.pixels, want.thumbnails.pixels)
    assert got.feature_names == want.feature_names and got.notes == want.notes
    assert got.recipe == want.recipe


def memory_mapped(array):
    while array is not None:
        if isinstance(array, np.memmap):
            return True
        array = array.base
    return False


# ------------------------------------------------------------------------------- round trips
def test_digits_round_trip_keeps_images_thumbnails_and_int_labels(store, digits):
    info = store.save(digits)
    loaded = store.load(info.id)
    assert_same(loaded, digits)
    assert loaded.image_shape == (8, 8) and loaded.labels.dtype == np.int64
    assert memory_mapped(loaded.X) and not loaded.X.flags.writeable
    assert memory_mapped(loaded.thumbnails.pixels)
    assert loaded.thumbnails == digits.thumbnails
    assert info == DatasetInfo(id=info.id, name="digits", created=info.created, path=info.path,
                               kind="images", n_items=1797, n_features=64, label_name="label")
    assert info.path == store.root / "datasets" / info.id and info.error is None
    assert info.id.split("-")[2] == "digits"


def test_iris_round_trip_keeps_text_labels_from_a_column(store, iris):
    loaded = store.load(saved(store, iris))
    assert_same(loaded, iris)
    assert loaded.labels.dtype.kind == "U" and loaded.label_name == "species"
    assert loaded.recipe["label_column"] == "species"


def test_mixed_text_column_and_gaps_come_back_as_text(store, mixed):
    loaded = store.load(saved(store, mixed))
    table = loaded.table
    assert pd.api.types.is_float_dtype(table["a"]) and table["a"].isna().sum() == 1
    assert table["b"].dtype == np.int64 and table["flag"].dtype == bool
    assert all(pd.api.types.is_string_dtype(table[c]) for c in ("mix", "kind"))
    assert table["mix"].tolist()[:3] == ["1", "x", "2.5"] and table["mix"].isna().sum() == 1
    expected = mixed.table.astype({"mix": "str"}).reset_index(drop=True)
    pd.testing.assert_frame_equal(table, expected)
    assert "(missing)" in loaded.labels.tolist()
    assert_same(loaded, Dataset(**{**vars(mixed), "table": expected}))


def test_dataset_without_labels_or_recipe(store):
    ds = Dataset(name="plain", X=np.arange(12, dtype=np.float32).reshape(4, 3),
                 table=pd.DataFrame({"id": ["a", "b", "c", "d"]}, index=[7, 8, 9, 10]))
    info = store.save(ds)
    loaded = store.load(info.id)
    assert_same(loaded, ds)
    assert not (info.path / "labels.npy").exists() and not (info.path / "thumbnails.npy").exists()
    record = json.loads((info.path / "dataset.json").read_text())
    assert record["labels"] is None and record["thumbnails"] is None
    assert record["schema_version"] == 1 and record["recipe"] is None


def test_a_table_without_columns_keeps_its_rows(store):
    ds = Dataset(name="bare", X=np.ones((5, 2), np.float32), table=pd.DataFrame(index=range(5)))
    loaded = store.load(saved(store, ds))
    assert loaded.table.shape == (5, 0)


@pytest.mark.parametrize("labels, kind", [
    (np.array([0.5, 1.5, np.nan]), "f"), (np.array([True, False, True]), "b"),
    (np.array(["a", 3, None], dtype=object), "U"), (np.array([1, 2, 3], np.uint8), "i"),
])
def test_labels_are_stored_without_object_arrays(store, labels, kind):
    ds = Dataset(name="lab", X=np.ones((3, 2), np.float32), table=pd.DataFrame({"i": [1, 2, 3]}),
                 labels=labels, label_name="y")
    info = store.save(ds)
    on_disk = np.load(info.path / "labels.npy", allow_pickle=False)
    assert on_disk.dtype.kind == kind != "O"
    loaded = store.load(info.id)
    assert loaded.labels.dtype.kind == kind
    np.testing.assert_array_equal(loaded.labels, labels.astype(on_disk.dtype))


def test_saving_twice_gives_two_datasets_listed_newest_first(store, iris):
    first, second = store.save(iris), store.save(iris.head(10))
    assert first.id != second.id
    assert [i.id for i in store.list()] == [second.id, first.id]
    assert store.info(second.id) == second and store.info(second.id).n_items == 10
    assert [i.id for i in DatasetStore(store.root).list()] == [second.id, first.id]  # restart


def test_root_is_the_workspace_root(tmp_path, monkeypatch):
    monkeypatch.setenv("PUMAP_WORKSPACE", str(tmp_path / "from_env"))
    assert DatasetStore().root == Workspace().root == tmp_path / "from_env"
    assert DatasetStore().datasets_dir == tmp_path / "from_env" / "datasets"
    monkeypatch.delenv("PUMAP_WORKSPACE")
    monkeypatch.chdir(tmp_path)
    assert DatasetStore().root == tmp_path / "workspace"
    assert DatasetStore().list() == [] and not (tmp_path / "workspace").exists()


def test_exported_from_the_data_package():
    assert {"DatasetStore", "DatasetInfo"} <= set(pumap_core.data.__all__)


def test_save_takes_only_a_dataset(store):
    with pytest.raises(DataTypeError) as err:
        store.save({"X": [[1.0]]})
    assert "Dataset" in one_line(err)


# ------------------------------------------------------------------------------------- delete
def test_delete_removes_the_folder(store, iris):
    info = store.save(iris)
    store.delete(info.id, in_use=["someone-else"])
    assert store.list() == [] and entries(store) == ["datasets"]
    with pytest.raises(ModelNotFoundError):
        store.load(info.id)
    with pytest.raises(ModelNotFoundError):
        store.delete(info.id)


@pytest.mark.parametrize("as_str", [False, True])
def test_delete_refuses_a_dataset_a_job_still_needs(store, iris, as_str):
    info = store.save(iris)
    with pytest.raises(InvalidParameterError) as err:
        store.delete(info.id, in_use=info.id if as_str else {info.id, "other"})
    assert info.id in one_line(err) and "job" in one_line(err)
    assert store.info(info.id) == info


# ------------------------------------------------------------------------------------- atomic
def test_a_failed_first_save_leaves_no_trace(store, digits, monkeypatch):
    def broken(self, path):
        pathlib.Path(path).write_bytes(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(Thumbnails, "save", broken)
    with pytest.raises(OSError, match="disk full"):
        store.save(digits.head(20))
    assert entries(store) is None


def test_a_failed_save_leaves_earlier_datasets_alone(store, digits, iris, monkeypatch):
    kept = store.save(iris)
    before = entries(store)
    monkeypatch.setattr(Thumbnails, "save", lambda self, path: 1 / 0)
    with pytest.raises(ZeroDivisionError):
        store.save(digits.head(20))
    assert entries(store) == before and [i.id for i in store.list()] == [kept.id]


def test_a_table_parquet_cannot_hold_is_refused_in_one_line(store):
    table = pd.DataFrame([[1, 2]] * 3, columns=["a", "a"])
    ds = Dataset(name="twice", X=np.ones((3, 2), np.float32), table=table)
    with pytest.raises(InvalidDataError) as err:
        store.save(ds)
    assert "twice" in one_line(err) and "cannot be saved" in one_line(err)
    assert entries(store) is None


# ------------------------------------------------------------------------ damaged and hostile
def rewrite_json(folder, **changes):
    record = json.loads((folder / "dataset.json").read_text())
    record.update(changes)
    (folder / "dataset.json").write_text(json.dumps(record))


class Trap:
    """Unpickling it would create ``canary``: proof that a pickle was never opened."""

    def __init__(self, canary):
        self.canary = canary

    def __reduce__(self):
        return pathlib.Path.touch, (pathlib.Path(self.canary),)


def pickle_npy(path, canary):
    np.save(path, np.array([Trap(canary)] * 3, dtype=object), allow_pickle=True)


def raw_pickle(path, canary):
    path.write_bytes(pickle.dumps(Trap(canary)))


def damage_cases():
    return {
        "no dataset.json": (lambda f, c: (f / "dataset.json").unlink(), ModelNotFoundError,
                            "dataset.json is missing"),
        "invalid JSON": (lambda f, c: (f / "dataset.json").write_text("{oops"), ModelFileError,
                         "not valid JSON"),
        "not an object": (lambda f, c: (f / "dataset.json").write_text("[1]"), ModelFileError,
                          "schema_version"),
        "newer schema": (lambda f, c: rewrite_json(f, schema_version=99), ModelFileError,
                         "newer pumap_core"),
        "bad n_items": (lambda f, c: rewrite_json(f, n_items="3"), ModelFileError, "n_items"),
        "bad kind": (lambda f, c: rewrite_json(f, kind="audio"), ModelFileError, "kind"),
        "bad labels": (lambda f, c: rewrite_json(f, labels={"dtype": "object"}), ModelFileError,
                       "labels"),
        "no X": (lambda f, c: (f / "X.npy").unlink(), ModelNotFoundError, "X.npy is missing"),
        "no table": (lambda f, c: (f / "table.parquet").unlink(), ModelNotFoundError,
                     "table.parquet"),
        "no thumbnails": (lambda f, c: (f / "thumbnails.npy").unlink(), ModelNotFoundError,
                          "thumbnails.npy"),
        "no labels": (lambda f, c: (f / "labels.npy").unlink(), ModelNotFoundError,
                      "labels.npy"),
    }


def load_cases():
    """Damage that only loading the arrays finds (info still works)."""
    return {
        "X of the wrong shape": (lambda f, c: np.save(f / "X.npy", np.ones((20, 3), np.float32)),
                                 "shape (20, 3)"),
        "X of more items": (lambda f, c: rewrite_json(f, n_items=21), "(21, 64)"),
        "X as float64": (lambda f, c: np.save(f / "X.npy", np.ones((20, 64))), "float64"),
        "X truncated": (lambda f, c: (f / "X.npy").write_bytes((f / "X.npy").read_bytes()[:200]),
                        "damaged"),
        "X not npy": (lambda f, c: (f / "X.npy").write_text("hello"), "damaged"),
        "X a pickled npy": (lambda f, c: pickle_npy(f / "X.npy", c), "damaged"),
        "X a raw pickle": (lambda f, c: raw_pickle(f / "X.npy", c), "damaged"),
        "labels a pickled npy": (lambda f, c: pickle_npy(f / "labels.npy", c), "damaged"),
        "labels as text": (lambda f, c: np.save(f / "labels.npy", np.array(["a"] * 20)),
                           "labels"),
        "labels too few": (lambda f, c: np.save(f / "labels.npy", np.arange(3)), "labels"),
        "thumbnails a pickled npy": (lambda f, c: pickle_npy(f / "thumbnails.npy", c),
                                     "thumbnails.npy"),
        "thumbnails too few": (lambda f, c: np.save(f / "thumbnails.npy",
                                                    np.zeros((3, 8, 8), np.uint8)), "thumbnails"),
        "table damaged": (lambda f, c: (f / "table.parquet").write_bytes(b"PAR1garbage"),
                          "table.parquet"),
        "table too short": (lambda f, c: pd.DataFrame({"a": [1]}).to_parquet(f / "table.parquet"),
                            "table"),
        "X with NaN": (lambda f, c: np.save(f / "X.npy", np.full((20, 64), np.nan, np.float32)),
                       "NaN"),
    }


@pytest.mark.parametrize("case", sorted(damage_cases()))
def test_a_damaged_folder_is_refused_in_one_line_and_listed_with_its_error(
        store, digits, case, tmp_path):
    damage, error, words = damage_cases()[case]
    info = store.save(digits.head(20))
    damage(info.path, tmp_path / "canary")
    for action in (store.load, store.info):
        with pytest.raises(error) as err:
            action(info.id)
        assert words in one_line(err) and info.id in one_line(err)
    (listed,) = store.list()
    assert listed.id == info.id and words in listed.error and listed.kind is None
    assert listed.created[:4] == info.created[:4]
    store.delete(info.id)  # a broken dataset can still be deleted
    assert store.list() == []


@pytest.mark.parametrize("case", sorted(load_cases()))
def test_damaged_arrays_are_refused_on_load_never_unpickled(store, digits, case, tmp_path):
    damage, words = load_cases()[case]
    info = store.save(digits.head(20))
    canary = tmp_path / "canary"
    damage(info.path, canary)
    with pytest.raises(ModelFileError) as err:
        store.load(info.id)
    assert words in one_line(err) and info.id in one_line(err)
    assert not canary.exists()


@pytest.mark.parametrize("dataset_id", ["..", "../outside", "/etc", "a/b", ".hidden", "", None,
                                        "x" * 300])
def test_ids_that_leave_the_folder_are_refused(store, iris, dataset_id, tmp_path):
    store.save(iris)
    (tmp_path / "outside").mkdir()
    for action in (store.load, store.info, store.delete):
        with pytest.raises(InvalidParameterError) as err:
            action(dataset_id)
        one_line(err)
    assert (tmp_path / "outside").exists() and len(store.list()) == 1


def test_a_symlinked_folder_is_not_followed(store, iris, tmp_path):
    real = store.save(iris)
    victim = tmp_path / "victim"
    victim.mkdir()
    (victim / "keep.txt").write_text("precious")
    link = store.datasets_dir / "20990101-000000-evil-0000"
    link.symlink_to(victim, target_is_directory=True)
    copy = store.datasets_dir / "20990101-000000-copy-0000"
    copy.symlink_to(real.path, target_is_directory=True)  # a link to a good dataset, too
    assert [i.id for i in store.list()] == [real.id]
    for dataset_id in (link.name, copy.name):
        for action in (store.load, store.info, store.delete):
            with pytest.raises(InvalidParameterError) as err:
                action(dataset_id)
            assert "outside the workspace" in one_line(err)
    assert (victim / "keep.txt").read_text() == "precious" and store.load(real.id).n_items == 150


def test_a_symlinked_file_is_refused(store, iris, tmp_path):
    info = store.save(iris)
    elsewhere = tmp_path / "X.npy"
    (info.path / "X.npy").rename(elsewhere)
    (info.path / "X.npy").symlink_to(elsewhere)
    with pytest.raises(ModelFileError) as err:
        store.load(info.id)
    assert "X.npy" in one_line(err) and "link" in one_line(err)


def test_hidden_and_stray_entries_are_not_listed(store, iris):
    info = store.save(iris)
    (store.datasets_dir / ".writing-abc").mkdir()
    (store.datasets_dir / "notes.txt").write_text("x")
    assert [i.id for i in store.list()] == [info.id]


# ------------------------------------------------------------------------------------ imports
@pytest.mark.parametrize("first", ["pumap_core.runs", "pumap_core.data.store"])
def test_data_and_runs_import_in_either_order(first):
    """The store builds on runs.files and runs.record, and runs.archive on the data package:
    importing either first must work."""
    code = f"import {first}; from pumap_core.data import DatasetStore; " \
           "from pumap_core.runs import Workspace"
    subprocess.run([sys.executable, "-c", code], cwd=ROOT, check=True, capture_output=True)
