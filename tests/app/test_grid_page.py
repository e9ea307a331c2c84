"""Parameter grid page: a 2 × 1 grid of short iris trainings is queued as jobs, kept in the
workspace with its id in the URL, fills in with one map per cell (the same items, the same
colours, the same axes), and a cell opens its run in Explore."""

import json
import time

import numpy as np

from pumap_core.jobs import JobStore
from pumap_core.jobs.grid import GridStore
from studio.grid_view import normalised

WAIT_S = 240


def test_a_grid_is_queued_and_fills_in(open_page, iris):
    at = open_page("pages/grid.py", session={"dataset": iris})
    at.multiselect(key="grid.neighbours").set_value([5, 30])
    at.multiselect(key="grid.min_dists").set_value([0.5])
    at.number_input(key="grid.epochs").set_value(3)
    at.button(key="grid.train").click().run()
    assert not at.exception
    grid = GridStore().latest()
    assert grid is not None and at.query_params["grid"] in (grid.id, [grid.id])
    assert [(c["n_neighbors"], c["min_dist"]) for c in grid.cells] == [(5, 0.5), (30, 0.5)]
    store = JobStore()
    orders = [store.order(c["job_id"]) for c in grid.cells]
    assert [o.params["n_neighbors"] for o in orders] == [5, 30]
    assert all(o.params["n_training_epochs"] == 3 for o in orders)
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline and not all(
            store.get(c["job_id"]).finished for c in grid.cells):
        time.sleep(0.5)
    assert all(store.get(c["job_id"]).status == "done" for c in grid.cells)
    at.run()
    assert not at.exception
    charts = [json.loads(c.proto.spec) for c in at.get("plotly_chart")]
    assert len(charts) == 2
    titles = [c["layout"]["title"]["text"] for c in charts]
    assert titles == ["k = 5 · min_dist 0.5", "k = 30 · min_dist 0.5"]
    ranges = {tuple(c["layout"]["xaxis"]["range"]) for c in charts}
    assert len(ranges) == 1  # shared axes
    colours = [c["data"][0]["marker"]["color"] for c in charts]
    assert all(col == colours[0] for col in colours)  # same items, same label colours
    opened = store.get(grid.cells[1]["job_id"]).run_id
    at.button(key=f"grid.open.{grid.cells[1]['job_id']}").click().run()
    assert at.session_state["explore.run_id"] == opened


def test_maps_are_turned_onto_the_first_before_they_are_compared():
    rng = np.random.default_rng(0)
    xy = rng.normal(size=(200, 2)) * [3.0, 1.0]
    turn = np.array([[0.0, -1.0], [1.0, 0.0]])
    other = (xy @ turn) * 7.0 + 5.0  # the same map turned, scaled and moved
    ref = normalised(xy)
    np.testing.assert_allclose(normalised(other, ref), ref, atol=1e-9)
    assert np.sqrt((ref ** 2).sum(axis=1).mean()) == np.float64(1.0) or np.isclose(
        np.sqrt((ref ** 2).sum(axis=1).mean()), 1.0)
