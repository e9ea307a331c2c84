"""Listener events, cancel from another thread, and the NaN guard."""

import threading

import keras
import numpy as np
import pytest

from pumap_core import EpochEvent, ParametricUMAP, StageEvent, TrainingDivergedError


def test_events_arrive_in_order_with_loss_and_eta(small):
    events = []
    est = ParametricUMAP(n_training_epochs=4, random_state=0)
    est.add_listener(events.append)
    est.fit(small[0])
    stages = [e.stage for e in events if isinstance(e, StageEvent)]
    assert stages == ["knn", "graph", "training", "done"]
    epochs = [e for e in events if isinstance(e, EpochEvent)]
    assert [e.epoch for e in epochs] == [1, 2, 3, 4]
    assert all(e.n_epochs == 4 and np.isfinite(e.loss) for e in epochs)
    assert epochs[-1].eta == 0 and epochs[0].eta >= 0
    assert [e.loss for e in epochs] == est.history_["loss"]
    with pytest.raises(AttributeError):
        epochs[0].loss = 1.0  # frozen


def test_a_failing_listener_does_not_stop_training(small):
    est = ParametricUMAP(n_training_epochs=2, random_state=0)
    est.add_listener(lambda e: 1 / 0)
    assert est.fit(small[0]).embedding_.shape == (400, 2)


def test_cancel_from_another_thread_keeps_a_usable_model(small):
    est = ParametricUMAP(n_training_epochs=200, random_state=0)
    epochs = []

    def on_event(event):
        if isinstance(event, EpochEvent):
            epochs.append(event.epoch)
            if event.epoch == 2:  # cancel from a different thread, as the app does
                threading.Thread(target=est.cancel).start()

    est.add_listener(on_event)
    done = threading.Event()
    result = {}

    def run():
        result["est"] = est.fit(small[0])
        done.set()

    worker = threading.Thread(target=run)
    worker.start()
    worker.join(timeout=600)
    assert done.is_set()
    assert est.cancelled_ and max(epochs) <= 4
    assert len(est.history_["loss"]) == max(epochs)
    assert np.isfinite(est.transform(small[0][:5])).all()


def test_a_new_fit_after_cancel_trains_normally(small):
    est = ParametricUMAP(n_training_epochs=2, random_state=0)
    est.cancel()
    est.fit(small[0])
    assert not est.cancelled_ and len(est.history_["loss"]) == 2


def test_nan_loss_stops_with_a_clear_error_and_keeps_good_weights(small):
    est = ParametricUMAP(n_training_epochs=5, random_state=0,
                         optimizer=keras.optimizers.SGD(learning_rate=1e38))
    with pytest.raises(TrainingDivergedError, match="last good weights were kept"):
        est.fit(small[0])
    assert np.isfinite(est.transform(small[0][:20])).all()
    assert all(np.isfinite(est.history_["loss"]))
