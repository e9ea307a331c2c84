"""A fit with a checkpoint can be stopped and picked up again: only the epochs left are trained,
the map comes out as good, and a checkpoint of another fit, or a damaged one, is refused."""

import numpy as np
import pytest

from pumap_core import EpochEvent, InvalidParameterError, ModelFileError, ParametricUMAP
from pumap_core.metrics import knn_accuracy
from pumap_core.training import checkpoint as ck

EPOCHS = 12


@pytest.fixture(autouse=True)
def every_epoch(monkeypatch):
    monkeypatch.setenv(ck.EVERY_ENV, "0")


def blobs(n_features, n=400, seed=0):
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 4, n)
    centres = rng.normal(0, 6, (4, n_features))
    return (centres[labels] + rng.normal(0, 1, (n, n_features))).astype(np.float32), labels


def stopped_at(X, path, epoch, **params):
    """A fit cancelled during epoch ``epoch`` + 1, leaving its checkpoint at ``path``."""
    est = ParametricUMAP(n_training_epochs=EPOCHS, random_state=0, n_neighbors=10, **params)
    est.add_listener(lambda e: getattr(e, "epoch", 0) == epoch and est.cancel())
    est.fit(X, checkpoint=path)
    assert est.cancelled_ and path.is_file()
    return est


@pytest.mark.parametrize("n_features", [8, 150], ids=["narrow", "wide-projected"])
def test_a_stopped_fit_goes_on_from_its_checkpoint(tmp_path, n_features):
    X, labels = blobs(n_features)
    path = tmp_path / "fit.npz"
    stopped_at(X, path, 4)
    saved = ck.Checkpoint(path, key="").progress()[0]
    assert 4 <= saved < EPOCHS
    if n_features > 100:  # the default encoder's input projection is kept, not fitted again
        with np.load(path) as arrays:
            assert {"f_mean", "f_components"} <= set(arrays.files)
    resumed = ParametricUMAP(n_training_epochs=EPOCHS, random_state=0, n_neighbors=10)
    epochs = []
    resumed.add_listener(lambda e: epochs.append(e.epoch) if isinstance(e, EpochEvent) else None)
    resumed.fit(X, checkpoint=path)
    assert epochs == list(range(saved + 1, EPOCHS + 1))
    assert len(resumed.history_["loss"]) == EPOCHS and not resumed.cancelled_
    assert not path.exists()  # a completed fit removes it
    assert knn_accuracy(resumed.transform(X), labels) > 0.95


def test_the_optimizer_goes_on_where_it_was(tmp_path):
    X, _ = blobs(8)
    path = tmp_path / "fit.npz"
    stopped_at(X, path, 3)
    with np.load(path) as arrays:
        steps = [arrays[k] for k in arrays.files if k.startswith("o") and arrays[k].ndim == 0]
    assert steps and int(steps[0]) > 0  # Adam's step count: the schedule is not restarted


def test_a_checkpoint_of_another_fit_or_a_damaged_one_is_refused(tmp_path):
    X, _ = blobs(8)
    path = tmp_path / "fit.npz"
    stopped_at(X, path, 2)
    other = ParametricUMAP(n_training_epochs=EPOCHS, random_state=0, n_neighbors=12)
    with pytest.raises(InvalidParameterError, match="other data or parameters"):
        other.fit(X, checkpoint=path)
    with pytest.raises(InvalidParameterError, match="other data or parameters"):
        ParametricUMAP(n_training_epochs=EPOCHS, random_state=0, n_neighbors=10).fit(
            X + 1, checkpoint=path)
    path.write_bytes(b"not a checkpoint")
    with pytest.raises(ModelFileError, match="delete it to train from the start"):
        ParametricUMAP(n_training_epochs=EPOCHS, n_neighbors=10).fit(X, checkpoint=path)


def test_a_write_that_fails_leaves_the_last_checkpoint_whole(tmp_path, monkeypatch):
    path = tmp_path / "fit.npz"
    point = ck.Checkpoint(path, key="k")
    point.write(3, {"loss": [1.0, 0.5, 0.4]}, [np.ones(2)], [np.int64(9)], {})

    def broken(out, **arrays):
        out.write(b"half")
        raise OSError("disk full")

    monkeypatch.setattr(ck.np, "savez", broken)
    with pytest.raises(OSError):
        point.write(4, {"loss": [1.0, 0.5, 0.4, 0.3]}, [np.ones(2)], [np.int64(12)], {})
    saved = point.load()
    assert saved.epoch == 3 and saved.history["loss"] == [1.0, 0.5, 0.4]
    assert list(tmp_path.iterdir()) == [path]
