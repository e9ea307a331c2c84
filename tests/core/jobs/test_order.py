"""JobOrder: the Train form's settings as one typed, JSON-able order; the estimator it builds."""

import pytest

from pumap_core.data import load_demo
from pumap_core.errors import InvalidParameterError
from pumap_core.jobs import JobOrder, build_estimator

SETTINGS = {"n_neighbors": 10, "min_dist": 0.9, "random_state": 0, "network": "MLP",
            "layers": 2, "units": 32, "run_name": "demo"}


def test_settings_split_into_parameters_network_and_name():
    order = JobOrder.from_settings(SETTINGS, "d1")
    assert order.params == {"n_neighbors": 10, "min_dist": 0.9, "random_state": 0}
    assert (order.network, order.layers, order.units, order.run_name) == ("MLP", 2, 32, "demo")
    assert JobOrder.from_dict(order.to_dict()) == order
    assert order.settings()["min_dist"] == 0.9


def test_the_estimator_gets_the_settings_and_network():
    iris = load_demo("iris")
    est = build_estimator(JobOrder.from_settings(SETTINGS, "d1"), iris)
    assert (est.n_neighbors, est.min_dist) == (10, 0.9)
    hidden = [layer for layer in est.encoder.layers if layer.name.startswith("dense")]
    assert [layer.units for layer in hidden] == [32, 32]  # layers=2, units=32


def test_a_cnn_needs_images():
    order = JobOrder.from_settings({**SETTINGS, "network": "CNN"}, "d1")
    assert build_estimator(order, load_demo("digits").head(50)).dims == (8, 8, 1)
    with pytest.raises(InvalidParameterError, match="MLP"):
        build_estimator(order, load_demo("iris"))
    with pytest.raises(InvalidParameterError, match="network"):
        JobOrder.from_settings({**SETTINGS, "network": "RNN"}, "d1")
