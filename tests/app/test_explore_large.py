"""Explore on maps read out of core: a Parquet map added to the workspace, and an ordinary run
above the (lowered) out-of-core threshold. The map's value is put in the session as the browser
would send it; what the browser draws is checked in tests/e2e/test_explore_large_map.py."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

EXPLORE, RUNS = "pages/explore.py", "pages/runs.py"
N, FILES = 50_000, 4


def write_parquet_map(folder, n=N, files=FILES, seed=0) -> pd.DataFrame:
    """``files`` Parquet files of x, y, id, label, score under ``folder``; returns all rows."""
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, 5, n)
    frame = pd.DataFrame({"x": (rng.normal(size=n) + 4 * labels).astype(np.float32),
                          "y": rng.normal(size=n).astype(np.float32),
                          "id": [f"item-{i}" for i in range(n)],
                          "label": [f"L{v}" for v in labels],
                          "score": rng.random(n)})
    folder.mkdir(parents=True, exist_ok=True)
    for k, part in enumerate(np.array_split(np.arange(n), files)):
        frame.iloc[part].to_parquet(folder / f"part.{k}.parquet", index=False)
    return frame


@pytest.fixture
def parquet_map(workspace, tmp_path, monkeypatch):
    frame = write_parquet_map(tmp_path / "embedded")
    info = workspace.add_parquet_map(tmp_path / "embedded", name="big parquet map")

    def refuse(*args, **kwargs):
        raise AssertionError("the out-of-core path must not load the points into pandas")

    monkeypatch.setattr("pumap_core.runs.Workspace.load_run", refuse)
    return info, frame


def _value(spec, rng=None):
    return {"event": "select", "spec": spec, "range": rng, "size": {"w": 600, "h": 400},
            "seq": 1}


def _captions(at) -> list[str]:
    return [c.value for c in at.caption]


def test_a_parquet_map_opens_as_an_image_coloured_by_label(open_page, parquet_map):
    from studio.shared_runs import shared_large_map
    from pumap_core.runs import Workspace

    info, frame = parquet_map
    at = open_page(EXPLORE)
    assert not at.exception
    assert not at.error, [e.value for e in at.error]
    assert at.selectbox(key="explore.run").value == info.id
    assert at.selectbox(key="explore.color").value == "label"
    assert any(f"all {N:,} points, read out of core" in c for c in _captions(at))
    lmap = shared_large_map(Workspace(), info.id)
    assert lmap.aggregations >= 1
    assert lmap.colour("label").categories == ("L0", "L1", "L2", "L3", "L4")
    # a number column gets a colour scale, still out of core
    at.selectbox(key="explore.color").set_value("score").run()
    assert not at.exception and not at.error
    assert lmap.colour("score", "auto").kind == "continuous"
    assert at.selectbox(key="explore.scale").value == "Viridis"


def test_a_box_selection_counts_the_rows_inside(open_page, parquet_map):
    info, frame = parquet_map
    box = {"type": "box", "x": [3.0, 9.0], "y": [-0.5, 1.5]}
    inside = frame[(frame.x >= 3) & (frame.x <= 9) & (frame.y >= -0.5) & (frame.y <= 1.5)]
    at = open_page(EXPLORE, {f"explore.map.{info.id}": _value(box)})
    assert not at.exception and not at.error
    assert any(f"Selection: {len(inside):,} items" in s.value for s in at.subheader)
    counts = at.dataframe[0].value.set_index("label")["items"]  # one row per label
    expected = inside["label"].value_counts()
    assert counts.to_dict() == expected.to_dict()
    assert list(counts) == sorted(counts, reverse=True), "most first"
    table = at.dataframe[1].value
    assert list(table["row"][:5]) == list(inside.index[:5])
    assert list(table["id"][:5]) == list(inside["id"][:5])


def test_search_highlights_and_counts_out_of_core(open_page, parquet_map):
    info, frame = parquet_map
    expected = int(frame["id"].str.contains("item-77", regex=False).sum())
    at = open_page(EXPLORE)
    at.text_input(key="explore.query").input("ITEM-77").run()
    assert not at.exception and not at.error
    assert any(f"{expected:,} of {N:,} points match" in c for c in _captions(at))
    at.toggle(key="explore.use_matches").set_value(True).run()
    assert any(f"Selection: {expected:,} items" in s.value for s in at.subheader)


def test_a_moved_dataset_gives_one_line_when_opened(open_page, parquet_map, tmp_path):
    info, _ = parquet_map
    (tmp_path / "embedded").rename(tmp_path / "moved")
    at = open_page(EXPLORE)
    assert not at.exception
    assert len(at.error) == 1 and "is gone (moved or deleted?)" in at.error[0].value
    assert "\n" not in at.error[0].value


def test_an_ordinary_run_above_the_threshold_is_read_out_of_core(open_page, workspace,
                                                                  monkeypatch):
    from pumap_core.data import make_synthetic

    dataset, layout = make_synthetic(3000, kind="table", seed=1)
    info = workspace.save_map(dataset, layout, name="small but over the lowered threshold")
    monkeypatch.setattr("pumap_core.runs.parquet_map.OUT_OF_CORE_ROWS", 1000)
    box = {"type": "box", "x": [float(np.median(layout[:, 0])), float(layout[:, 0].max())],
           "y": [float(layout[:, 1].min()), float(layout[:, 1].max())]}
    at = open_page(EXPLORE, {f"explore.map.{info.id}": _value(box)})
    assert not at.exception and not at.error
    assert any("3,000 points, read out of core" in c for c in _captions(at))
    inside = int((layout[:, 0].astype(np.float32) >= np.float32(box["x"][0])).sum())
    assert any(f"Selection: {inside:,} items" in s.value for s in at.subheader)


def test_the_runs_page_adds_a_parquet_folder_and_explains_bad_ones(open_page, workspace,
                                                                   tmp_path):
    good = tmp_path / "good"
    write_parquet_map(good, n=2000, files=2)
    bad = tmp_path / "no_xy"
    bad.mkdir()
    pd.DataFrame({"a": [1.0, 2.0]}).to_parquet(bad / "p.parquet")
    junk = tmp_path / "junk"
    junk.mkdir()
    (junk / "p.parquet").write_bytes(b"not parquet at all")
    at = open_page(RUNS)
    cases = [(tmp_path / "nowhere", "does not exist"), (bad, "no x and y column"),
             (junk, "not a readable Parquet file")]
    for path, words in cases:
        at.text_input(key="runs.parquet_path").input(str(path)).run()
        at.button(key="runs.parquet_add").click().run()
        assert not at.exception
        assert any(words in e.value for e in at.error), [e.value for e in at.error]
        assert all("\n" not in e.value for e in at.error)
    assert workspace.list_runs() == []
    at.text_input(key="runs.parquet_path").input(str(good)).run()
    at.text_input(key="runs.parquet_name").input("embedded 2k").run()
    at.button(key="runs.parquet_add").click().run()
    assert not at.exception
    [info] = workspace.list_runs()
    assert info.name == "embedded 2k" and info.n_items == 2000 and info.is_parquet_map


def test_a_label_filter_and_a_capped_export(open_page, parquet_map, monkeypatch):
    info, frame = parquet_map
    monkeypatch.setattr("studio.explore_large.EXPORT_ROWS", 100)
    n = int((frame["label"] == "L2").sum())
    at = open_page(EXPLORE)
    at.selectbox(key="explore.filter_col").set_value("label").run()
    at.multiselect(key="explore.only.label").select("L2").run()
    assert not at.exception and not at.error
    assert any(f"{n:,} of {N:,} points match" in c for c in _captions(at))
    at.toggle(key="explore.use_matches").set_value(True).run()
    assert any(f"Selection: {n:,} items" in s.value for s in at.subheader)
    assert any(f"The CSV holds the first 100 of the {n:,} selected rows" in c
               for c in _captions(at))


def test_a_clicked_point_is_read_from_its_part_only(open_page, parquet_map):
    info, frame = parquet_map
    at = open_page(EXPLORE, {f"explore.map.{info.id}": _value({"type": "rows",
                                                               "rows": [37_000]})})
    assert not at.exception and not at.error
    assert any("Selection: 1 items" in s.value for s in at.subheader)
    table = at.dataframe[-1].value
    assert table["row"].tolist() == [37_000] and table["id"].tolist() == ["item-37000"]


def test_rows_picked_in_the_table_are_drawn_over_the_map(open_page, parquet_map):
    from pumap_core.runs import Workspace
    from studio.shared_runs import shared_large_map

    info, frame = parquet_map
    box = {"type": "box", "x": [3.0, 9.0], "y": [-0.5, 1.5]}
    at = open_page(EXPLORE, {f"explore.map.{info.id}": _value(box)})
    lmap = shared_large_map(Workspace(), info.id)
    before = lmap.aggregations
    table = next(d for d in at.dataframe if "id" in d.value.columns)
    # as the table's on_select rerun leaves it (AppTest cannot click a table's row markers)
    at.session_state["explore.large_picked"] = (int(table.value["row"].iloc[0]),)
    at.run()
    assert not at.exception and not at.error, [e.value for e in at.error]
    assert lmap.aggregations == before + 1  # the picked row's aggregate, over the map
