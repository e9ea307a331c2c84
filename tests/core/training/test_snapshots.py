"""Snapshots of the map while it trains (issue 15): when they are taken, of which rows, what
they cost a fit (nothing in its result) and how they are switched off."""

import threading

import numpy as np
import pytest

from pumap_core import EpochEvent, InvalidParameterError, ParametricUMAP
from pumap_core.training import snapshots as snap_module
from pumap_core.training.events import SnapshotEvent
from pumap_core.training.snapshots import TrainingSnapshots, snapshot_every


def fit_with_events(X, **params):
    events = []
    est = ParametricUMAP(random_state=0, **params)
    est.add_listener(events.append)
    est.fit(X)
    return est, [e for e in events if isinstance(e, SnapshotEvent)]


def test_snapshots_are_taken_at_the_warm_start_every_few_epochs_and_at_the_end(small):
    X, _ = small
    est, events = fit_with_events(X, n_training_epochs=10, snapshots=4)
    every = snapshot_every(10, 4)
    assert every == 2  # round(10 / 4): about 4 over the fit, plus the warm start
    expected = [0, 2, 4, 6, 8, 10]
    snaps = est.snapshots_
    assert isinstance(snaps, TrainingSnapshots)
    assert snaps.epochs.tolist() == expected == [e.epoch for e in events]
    assert snaps.positions.shape == (len(expected), len(X), 2)
    assert snaps.positions.dtype == np.float32 and snaps.rows.tolist() == list(range(len(X)))
    assert all(e.n_epochs == 10 for e in events)
    for k, event in enumerate(events):  # what the listeners got is what the estimator keeps
        np.testing.assert_array_equal(event.positions, snaps.positions[k])
    # the map moves: the warm start is not the trained map
    assert np.abs(snaps.positions[0] - snaps.positions[-1]).mean() > 0.1


def test_the_sample_is_fixed_seeded_and_at_most_the_limit(small, monkeypatch):
    X, _ = small
    monkeypatch.setattr(snap_module, "SAMPLE_ROWS", 100)
    est, events = fit_with_events(X, n_training_epochs=3)
    rows = est.snapshots_.rows
    assert len(rows) == 100 and len(set(rows.tolist())) == 100
    assert np.all(np.diff(rows) > 0) and rows.max() < len(X)
    assert all(np.array_equal(e.rows, rows) for e in events)  # the same points in every map
    assert est.snapshots_.positions.shape == (4, 100, 2)  # 3 epochs, every one, + warm start
    again = ParametricUMAP(random_state=0, n_training_epochs=1).fit(X).snapshots_.rows
    other = ParametricUMAP(random_state=5, n_training_epochs=1).fit(X).snapshots_.rows
    np.testing.assert_array_equal(again, rows)  # drawn with the fit's seed
    assert not np.array_equal(other, rows)


def test_the_last_snapshot_is_the_transform_of_the_sample_at_the_end(small):
    X, _ = small
    est, _ = fit_with_events(X, n_training_epochs=5)
    snaps = est.snapshots_
    np.testing.assert_allclose(snaps.positions[-1], est.transform(X[snaps.rows]), atol=1e-4)
    np.testing.assert_allclose(snaps.positions[-1], est.embedding_[snaps.rows], atol=1e-4)


def test_snapshots_leave_the_fit_unchanged_and_can_be_switched_off(small):
    X, _ = small
    off, events = fit_with_events(X, n_training_epochs=4, snapshots=False)
    assert off.snapshots_ is None and events == []
    on, events = fit_with_events(X, n_training_epochs=4)
    assert len(events) == 5
    np.testing.assert_array_equal(on.embedding_, off.embedding_)  # same seed, same map
    zero, events = fit_with_events(X, n_training_epochs=2, snapshots=0)
    assert zero.snapshots_ is None and events == []


@pytest.mark.parametrize("bad", [-1, "many", 2.5, None])
def test_a_bad_snapshots_setting_is_refused_with_a_clear_message(small, bad):
    with pytest.raises(InvalidParameterError, match="snapshots must be"):
        ParametricUMAP(snapshots=bad, n_training_epochs=1).fit(small[0])


def test_a_cancelled_fit_ends_with_a_snapshot_of_where_it_stopped(small):
    X, _ = small
    est = ParametricUMAP(n_training_epochs=200, random_state=0)

    def on_event(event):
        if isinstance(event, EpochEvent) and event.epoch == 2:
            threading.Thread(target=est.cancel).start()

    est.add_listener(on_event)
    est.fit(X)
    assert est.cancelled_
    snaps = est.snapshots_
    assert snaps.epochs[0] == 0 and snaps.epochs[-1] == len(est.history_["loss"]) < 200
    np.testing.assert_allclose(snaps.positions[-1], est.embedding_[snaps.rows], atol=1e-4)
