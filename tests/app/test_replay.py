"""Replay the training (issue 15): Explore and Runs animate a run's snapshots, and show nothing
for a run without them; the figure's frames, slider, colours and fixed axes."""

from __future__ import annotations

import base64
import json

import numpy as np
import pytest

EXPLORE, RUNS = "pages/explore.py", "pages/runs.py"


@pytest.fixture(scope="module")
def iris_without_snapshots(iris):
    from pumap_core import ParametricUMAP

    return ParametricUMAP(n_training_epochs=2, random_state=0, snapshots=False).fit(iris.X)


def replay_spec(at) -> dict | None:
    """The one chart with animation frames on the page, as plotly JSON (None if there is none)."""
    specs = [json.loads(chart.proto.spec) for chart in at.get("plotly_chart")]
    with_frames = [spec for spec in specs if spec.get("frames")]
    assert len(with_frames) <= 1
    return with_frames[0] if with_frames else None


def values(data) -> np.ndarray:
    """A plotly JSON array: a list, or a typed array ({"dtype": "f4", "bdata": base64})."""
    if isinstance(data, dict):
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=data["dtype"])
    return np.asarray(data)


def headings(at) -> list[str]:
    return [h.value for h in at.subheader]


def check_replay(spec: dict, iris, snapshots) -> None:
    from studio.colours import categories, colour_map

    names = [f["name"] for f in spec["frames"]]
    assert names == ["warm start"] + [f"epoch {e}" for e in snapshots.epochs[1:]]
    assert [s["label"] for s in spec["layout"]["sliders"][0]["steps"]] == names
    buttons = [b["label"] for b in spec["layout"]["updatemenus"][0]["buttons"]]
    assert any("Play" in b for b in buttons) and any("Pause" in b for b in buttons)
    titles = [f["layout"]["title"]["text"] for f in spec["frames"]]
    assert titles[0] == "warm start" and titles[-1] == f"epoch {snapshots.epochs[-1]} of " \
                                                      f"{snapshots.epochs[-1]}"
    # the last frame is the last snapshot, each label in Explore's colour
    codes, labels = categories(iris.labels)
    colours = colour_map(labels)
    last = spec["frames"][-1]["data"]
    assert [t["name"] for t in last] == labels
    for k, trace in enumerate(last):
        assert spec["data"][k]["marker"]["color"] == colours[trace["name"]]
        rows = snapshots.rows[codes[snapshots.rows] == k]
        np.testing.assert_allclose(values(trace["x"]),
                                   snapshots.positions[-1][codes[snapshots.rows] == k, 0],
                                   atol=1e-3)
        assert len(values(trace["y"])) == len(rows)
    # axes fixed over every snapshot: every point of every frame is inside them
    x0, x1 = spec["layout"]["xaxis"]["range"]
    y0, y1 = spec["layout"]["yaxis"]["range"]
    assert spec["layout"]["xaxis"]["autorange"] is False
    assert x0 <= snapshots.positions[..., 0].min() and snapshots.positions[..., 0].max() <= x1
    assert y0 <= snapshots.positions[..., 1].min() and snapshots.positions[..., 1].max() <= y1


def test_explore_replays_a_run_with_snapshots(open_page, saved_run, iris, iris_model):
    at = open_page(EXPLORE)
    assert not at.exception
    assert "Replay the training" in headings(at)
    assert replay_spec(at) is None  # drawn on request: the page stays light
    at.toggle(key="explore.replay_on").set_value(True).run()
    assert not at.exception and not at.error
    check_replay(replay_spec(at), iris, iris_model.snapshots_)


def test_explore_shows_no_replay_for_a_run_without_snapshots(open_page, workspace, iris,
                                                             iris_without_snapshots):
    workspace.save_run(iris_without_snapshots, iris, name="no snapshots", metrics={})
    at = open_page(EXPLORE)
    assert not at.exception and not at.error
    assert "Replay the training" not in headings(at)
    assert not [t for t in at.toggle if t.key == "explore.replay_on"]
    assert replay_spec(at) is None


def test_runs_replays_the_selected_run_that_has_snapshots(open_page, workspace, iris,
                                                          iris_model, iris_without_snapshots):
    plain = workspace.save_run(iris_without_snapshots, iris, name="plain", metrics={})
    at = open_page(RUNS)
    at.multiselect(key="runs.selected").set_value([plain.id]).run()
    assert "Replay the training" not in headings(at) and replay_spec(at) is None
    with_them = workspace.save_run(iris_model, iris, name="with snapshots", metrics={})
    at = open_page(RUNS)
    at.multiselect(key="runs.selected").set_value([plain.id, with_them.id]).run()
    assert "Replay the training" in headings(at)
    assert not [s for s in at.selectbox if s.key == "runs.replay_run"]  # only one to replay
    at.toggle(key="runs.replay_on").set_value(True).run()
    assert not at.exception and not at.error
    check_replay(replay_spec(at), iris, iris_model.snapshots_)


def test_a_random_start_is_named_so():
    from pumap_core.training.snapshots import TrainingSnapshots
    from studio.replay import replay_figure, start_label

    snaps = TrainingSnapshots.checked(np.array([0, 3]), np.zeros((2, 5, 2)), np.arange(5))
    fig = replay_figure(snaps, None, start=start_label({"init": "random"}), title="run")
    assert [f.name for f in fig.frames] == ["random start", "epoch 3"]
    assert fig.frames[1].layout.title.text == "run — epoch 3 of 3"
    assert start_label({"init": "spectral"}) == start_label({}) == "warm start"
