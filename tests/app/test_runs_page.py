"""Runs page: list, compare, rename, delete (confirmed), zip round trip, embed new data.

Downloads cannot be clicked through in AppTest (it has no media server, and the run zip is
generated on click), so the zip is made with ``Workspace.export_zip`` — exactly what the
download button returns — and uploaded back through the page's uploader.
"""

import base64
import io
import json

import numpy as np
import pandas as pd
import pytest

from pumap_core import InvalidDataError
from pumap_core.runs import Workspace
from studio.runs_view import embed_upload, params_table, runs_table

PAGE = "pages/runs.py"


def n_points(values) -> int:
    """Length of a plotly trace coordinate (plotly ships numpy arrays as base64 ``bdata``)."""
    if isinstance(values, dict):
        return len(np.frombuffer(base64.b64decode(values["bdata"]), dtype=values["dtype"]))
    return len(values)


def one_line_errors(at):
    """The page's st.error messages, each checked to be a single line without a traceback."""
    errors = [str(e.value) for e in at.error]
    assert all("\n" not in e and "Traceback" not in e for e in errors), errors
    return errors


def test_empty_workspace_says_how_to_get_runs(open_page, text_of):
    at = open_page(PAGE)
    assert not at.exception
    assert any(t.startswith("No runs yet") for t in text_of(at.info))


def test_lists_and_compares_a_saved_run(open_page, saved_run):
    at = open_page(PAGE)
    assert not at.exception and not at.error
    table = at.dataframe[0].value
    assert list(table["name"]) == ["iris quick"] and list(table["items"]) == [150]
    assert table["epochs"][0] == 2 and 0 <= table["trustworthiness"][0] <= 1
    assert at.multiselect(key="runs.selected").value == [saved_run.id]  # newest run preselected
    charts = at.get("plotly_chart")
    assert len(charts) == 2  # loss curves + one small map


def test_compares_two_runs_side_by_side(open_page, workspace, iris, iris_model):
    first = workspace.save_run(iris_model, iris, name="first")
    second = workspace.save_run(iris_model, iris, name="second")
    at = open_page(PAGE)
    at.multiselect(key="runs.selected").set_value([second.id, first.id]).run()
    assert not at.exception and not at.error
    losses = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert [t["name"] for t in losses["data"]] == [f"second · {second.id[-4:]}",
                                                   f"first · {first.id[-4:]}"]
    assert len(at.get("plotly_chart")) == 2  # loss curves + the small maps in one figure
    maps = json.loads(at.get("plotly_chart")[1].proto.spec)
    assert {t["xaxis"] for t in maps["data"]} == {"x", "x2"}  # one map per run


def test_params_table_lists_differences_first(workspace, iris, iris_model):
    base = workspace.save_run(iris_model, iris)
    other = workspace.save_run(iris_model, iris)
    other = type(other)(**{**other.__dict__, "params": {**other.params, "min_dist": 0.5}})
    frame = params_table([base, other])
    assert frame.index[0] == "min_dist" and frame["differs"].iloc[0]
    assert not frame["differs"].iloc[1:].any()
    assert "verbose" not in frame.index


def test_rename(open_page, text_of, saved_run):
    at = open_page(PAGE)
    at.text_input(key=f"runs.name.{saved_run.id}").set_value("setosa & friends")
    at.button(key=f"runs.rename.{saved_run.id}").click().run()
    assert not at.exception and not at.error
    assert [r.name for r in Workspace().list_runs()] == ["setosa & friends"]
    assert "Renamed to setosa & friends." in text_of(at.success)
    assert list(at.dataframe[0].value["name"]) == ["setosa & friends"]


def test_rename_to_blank_is_one_line_error(open_page, saved_run):
    at = open_page(PAGE)
    at.text_input(key=f"runs.name.{saved_run.id}").set_value("   ")
    at.button(key=f"runs.rename.{saved_run.id}").click().run()
    assert not at.exception
    assert len(one_line_errors(at)) == 1
    assert [r.name for r in Workspace().list_runs()] == ["iris quick"]


def test_delete_needs_confirmation(open_page, text_of, saved_run):
    at = open_page(PAGE)
    delete = at.button(key=f"runs.delete.{saved_run.id}")
    assert delete.disabled  # nothing can be deleted before the box is ticked
    at.checkbox(key=f"runs.confirm.{saved_run.id}").check().run()
    assert Workspace().list_runs()  # ticking alone deletes nothing
    at.button(key=f"runs.delete.{saved_run.id}").click().run()
    assert not at.exception and not at.error
    assert Workspace().list_runs() == []
    assert "Deleted the run iris quick." in text_of(at.success)
    assert any(t.startswith("No runs yet") for t in text_of(at.info))


def test_broken_run_is_listed_with_its_error_and_can_be_deleted(open_page, text_of,
                                                                saved_run):
    (saved_run.path / "run.json").write_text("{not json")
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert any("corrupt" in w for w in text_of(at.warning))
    assert "corrupt" in at.dataframe[0].value["problem"][0]
    assert at.multiselect(key="runs.selected").value == []  # only loadable runs preselected
    at.multiselect(key="runs.selected").set_value([saved_run.id]).run()
    assert not at.exception and not at.get("plotly_chart")  # nothing to compare
    assert at.button(key=f"runs.rename.{saved_run.id}").disabled
    at.checkbox(key=f"runs.confirm.{saved_run.id}").check().run()
    at.button(key=f"runs.delete.{saved_run.id}").click().run()
    assert not at.exception and Workspace().list_runs() == []


def test_download_zip_uploads_back_as_a_new_run(open_page, text_of, saved_run):
    at = open_page(PAGE)
    download = at.get("download_button")[0]
    assert download.key == f"runs.download.{saved_run.id}" and not download.proto.disabled
    archive = Workspace().export_zip(saved_run.id)  # what the download button serves
    at.file_uploader(key="runs.import").set_value(("iris quick.zip", archive, "application/zip"))
    at.run()
    at.button(key="runs.import_button").click().run()
    assert not at.exception and not at.error
    runs = Workspace().list_runs()
    assert len(runs) == 2 and {r.name for r in runs} == {"iris quick"}
    assert "Added the run iris quick." in text_of(at.success)


def test_bad_run_zip_is_one_line_and_loses_nothing(open_page, saved_run):
    at = open_page(PAGE)
    at.file_uploader(key="runs.import").set_value(("run.zip", b"not a zip", "application/zip"))
    at.run()
    at.button(key="runs.import_button").click().run()
    assert not at.exception
    assert len(one_line_errors(at)) == 1
    assert [r.id for r in Workspace().list_runs()] == [saved_run.id]


def test_open_in_explore(open_page, saved_run):
    at = open_page(PAGE)
    at.button(key=f"runs.open.{saved_run.id}").click().run()
    assert at.session_state["explore.run_id"] == saved_run.id
    assert at.title[0].value == "Explore"
    assert not at.exception


def test_embed_new_data_on_the_page(open_page, text_of, saved_run, iris_csv):
    at = open_page(PAGE)
    at.file_uploader(key="runs.embed_upload").set_value(("new flowers.csv", iris_csv, "text/csv"))
    at.run()
    at.button(key="runs.embed").click().run()
    assert not at.exception and not at.error
    assert any(t.startswith("Embedded 10 items in ") and t.endswith(" ms.")
               for t in text_of(at.success))
    figure = json.loads(at.get("plotly_chart")[-1].proto.spec)
    new = [t for t in figure["data"] if t.get("name") == "new data"]
    assert len(new) == 1 and n_points(new[0]["x"]) == 10
    assert any(d.key == "runs.embed_csv" for d in at.get("download_button"))
    at.toggle(key="runs.embed_by_label").set_value(False).run()  # grey map, result kept
    assert not at.exception and len(at.get("plotly_chart")) == 3


@pytest.mark.parametrize("filename, content", [
    ("partial.csv", b"sepal length (cm),petal width (cm)\n5.1,0.2\n"),
    ("pictures.zip", b"PK\x05\x06" + b"\x00" * 18),
])
def test_embed_bad_upload_is_one_line(open_page, saved_run, filename, content):
    at = open_page(PAGE)
    at.file_uploader(key="runs.embed_upload").set_value((filename, content, "text/plain"))
    at.run()
    at.button(key="runs.embed").click().run()
    assert not at.exception
    assert len(one_line_errors(at)) == 1
    assert not at.success
    assert [r.id for r in Workspace().list_runs()] == [saved_run.id]


def test_embed_helper_places_iris_rows_like_the_map(saved_run, iris, iris_csv):
    run = Workspace().load_run(saved_run.id)
    result = embed_upload(run, iris_csv, "new.csv")
    assert result.coords.shape == (10, 2) and np.isfinite(result.coords).all()
    assert result.millis > 0
    # The same rows as in training land where the training map put them.
    np.testing.assert_allclose(result.coords, run.embedding[::15], atol=1e-4)
    frame = pd.read_csv(io.BytesIO(result.csv()))
    assert list(frame.columns[:3]) == ["x", "y", "label"]
    assert list(frame["species"]) == list(iris.table["species"][::15])


def test_embed_helper_names_missing_columns(saved_run):
    run = Workspace().load_run(saved_run.id)
    with pytest.raises(InvalidDataError, match="petal length"):
        embed_upload(run, b"sepal length (cm),sepal width (cm)\n5.1,3.5\n", "few.csv")


def test_runs_table_has_every_column(saved_run):
    frame = runs_table(Workspace().list_runs())
    assert list(frame.columns) == ["name", "dataset", "items", "n_neighbors", "min_dist",
                                   "epochs", "network", "metric", "trustworthiness",
                                   "5-NN accuracy", "fit seconds", "created", "cancelled",
                                   "problem", "id"]


def test_a_generated_map_is_listed_compared_and_cannot_embed(open_page, text_of, workspace,
                                                             saved_run):
    from pumap_core.data import make_synthetic

    generated = workspace.save_map(*make_synthetic(1000, kind="images"), name="glyphs")
    at = open_page(PAGE)
    assert not at.exception and not at.error
    assert at.multiselect(key="runs.selected").value == [generated.id]  # the newest run
    at.multiselect(key="runs.selected").set_value([generated.id, saved_run.id]).run()
    assert not at.exception and not at.error
    assert len(at.get("plotly_chart")) == 2  # loss curves (one empty) + the maps' figure
    assert not at.button(key=f"runs.rename.{generated.id}").disabled
    assert at.selectbox(key="runs.embed_run").value == generated.id
    assert any(t.startswith("This map was generated, not trained") for t in text_of(at.info))
    assert not any(u.key == "runs.embed_upload" for u in at.get("file_uploader"))
    at.selectbox(key="runs.embed_run").set_value(saved_run.id).run()  # a trained one can
    assert not at.exception
    assert any(u.key == "runs.embed_upload" for u in at.get("file_uploader"))


def test_the_embedded_points_csv_carries_no_live_formula():
    """Issue 12: a label ``=HYPERLINK(...)`` went verbatim into the embedded points' CSV."""
    from pumap_core.data import Dataset
    from studio.runs_view import Embedded

    table = pd.DataFrame({"name": ["@SUM(A1)", "plain"], "v": [-1.0, 2.5]})
    dataset = Dataset(name="new.csv", X=np.zeros((2, 2), np.float32), table=table,
                      labels=np.array(['=HYPERLINK("http://x")', "-2"]), label_name="kind")
    result = Embedded(run_id="r", dataset=dataset,
                      coords=np.array([[-0.5, 1.0], [2.0, -3.0]], np.float32), millis=1.0)
    frame = pd.read_csv(io.BytesIO(result.csv()))
    assert frame["label"].tolist() == ["'=HYPERLINK(\"http://x\")", "-2"]
    assert frame["name"].tolist() == ["'@SUM(A1)", "plain"]
    assert frame["v"].tolist() == [-1.0, 2.5] and frame["x"].tolist() == [-0.5, 2.0]


# -- issue 14: the first hour of an analyst -----------------------------------------------------
def fit_iris(iris, **params):
    from pumap_core import ParametricUMAP

    return ParametricUMAP(n_training_epochs=2, random_state=0, **params).fit(iris.X)


def test_default_names_say_what_differs_and_stay_unique(open_page, text_of, workspace, iris,
                                                        iris_model):
    """Issue 14: default run names were timestamps ("iris 2026-12-01 09:05")."""
    first = workspace.save_run(iris_model, iris, metrics={})
    twin = workspace.save_run(iris_model, iris, metrics={})
    other = workspace.save_run(fit_iris(iris, n_neighbors=5, min_dist=0.5), iris, metrics={})
    at = open_page(PAGE)
    assert not at.exception and not at.error
    names = list(at.dataframe[0].value["name"])
    assert names == ["iris · k=5 · min_dist 0.5 · 2 epochs",
                     "iris · k=15 · min_dist 0.1 · 2 epochs (2)",
                     "iris · k=15 · min_dist 0.1 · 2 epochs"]
    assert [first.name, twin.name, other.name] == names[::-1]
    at.text_input(key=f"runs.name.{other.id}").set_value("small k, loose")  # still editable
    at.button(key=f"runs.rename.{other.id}").click().run()
    assert not at.exception and "Renamed to small k, loose." in text_of(at.success)
    assert Workspace().run_info(other.id).name == "small k, loose"


def test_runs_table_shows_the_compared_parameters(open_page, workspace, iris, iris_model):
    """Issue 14: the runs table lacked n_neighbors, min_dist, epochs and the network."""
    workspace.save_run(iris_model, iris, metrics={})
    workspace.save_run(fit_iris(iris, n_neighbors=7, min_dist=0.25, metric="cosine"), iris,
                       metrics={})
    at = open_page(PAGE)
    table = at.dataframe[0].value
    rows = table[["n_neighbors", "min_dist", "epochs", "network", "metric"]].to_dict("records")
    assert rows == [{"n_neighbors": 7, "min_dist": 0.25, "epochs": 2, "network": "MLP 3×100",
                     "metric": "cosine"},
                    {"n_neighbors": 15, "min_dist": 0.1, "epochs": 2, "network": "MLP 3×100",
                     "metric": "euclidean"}]


def test_run_to_continue_follows_the_selected_run(open_page, workspace, iris, iris_model):
    """Issue 14: "Run to continue" stayed on the first run whatever was selected above."""
    old = workspace.save_run(iris_model, iris, name="old")
    new = workspace.save_run(iris_model, iris, name="new")
    at = open_page(PAGE)
    assert at.selectbox(key="runs.continue_run").value == new.id  # the preselected newest
    at.multiselect(key="runs.selected").set_value([old.id]).run()
    assert not at.exception
    assert at.selectbox(key="runs.continue_run").value == old.id
    assert at.selectbox(key="runs.embed_run").value == old.id
    at.selectbox(key="runs.continue_run").set_value(new.id).run()  # a pick of its own stays
    at.text_input(key=f"runs.name.{old.id}").set_value("old one").run()
    assert at.selectbox(key="runs.continue_run").value == new.id
    at.multiselect(key="runs.selected").set_value([new.id, old.id]).run()
    at.multiselect(key="runs.selected").set_value([old.id, new.id]).run()
    assert at.selectbox(key="runs.continue_run").value == old.id  # a new selection leads again


def test_downloads_are_named_without_spaces(saved_run, workspace, iris, iris_model):
    """Issue 14: downloads were named after the run with its spaces ("iris quick.zip")."""
    from studio.downloads import safe_file_name
    from studio.runs_view import EXPORTS, export_name, zip_name

    odd = workspace.rename_run(saved_run.id, 'iris · k=15 / "best" é')
    names = [zip_name(odd)] + [export_name(odd, fmt) for fmt in EXPORTS]
    assert names == ["iris_k_15_best_e.zip", "iris_k_15_best_e-encoder.keras",
                     "iris_k_15_best_e-encoder_savedmodel.zip", "iris_k_15_best_e-encoder.onnx"]
    assert zip_name(workspace.rename_run(saved_run.id, "· · ·")) == f"{saved_run.id}.zip"
    assert safe_file_name("new flowers-embedded", ".csv") == "new_flowers-embedded.csv"
    assert safe_file_name("a - b", ".png") == "a-b.png"


def test_every_download_button_names_its_file_with_the_one_helper():
    """Issue 14: each download button made its own file name from a run's name, spaces and
    all; every ``file_name=`` of the studio must go through ``safe_file_name``."""
    import re
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    calls = []
    for path in [*root.glob("pages/*.py"), *root.glob("studio/**/*.py")]:
        text = path.read_text(encoding="utf-8")
        calls += [(path.name, m.group(1)) for m in re.finditer(r"file_name=([^,\n]+)", text)]
    assert calls  # the pages do have downloads
    helpers = ("safe_file_name(", "zip_name(", "export_name(")
    unsafe = [(name, arg) for name, arg in calls if not arg.startswith(helpers)]
    assert unsafe == []


def test_compared_maps_share_one_legend_in_the_explore_colours(open_page, workspace, iris,
                                                               iris_model):
    """Issue 14: the small maps had no legend or axes and other colours than Explore, and the
    loss curves came in light/dark pairs, so that four runs read as two."""
    from studio.colours import PALETTE_20, categories

    runs = [workspace.save_run(iris_model, iris, name=f"run {k}", metrics={}) for k in range(4)]
    at = open_page(PAGE)
    at.multiselect(key="runs.selected").set_value([r.id for r in runs]).run()
    assert not at.exception and not at.error
    losses, maps = (json.loads(c.proto.spec) for c in at.get("plotly_chart")[:2])
    colours = [t["line"]["color"] for t in losses["data"]]
    assert len(set(colours)) == 4 and set(colours) <= set(PALETTE_20[:10])
    _, names = categories(Workspace().load_run(runs[0].id).points["label"])
    expected = {name: PALETTE_20[k] for k, name in enumerate(names)}
    for axis in ("x", "x2", "x3", "x4"):  # each map colours each label as Explore does
        traces = [t for t in maps["data"] if t["xaxis"] == axis]
        assert {t["name"]: t["marker"]["color"] for t in traces} == expected
    shown = [t["name"] for t in maps["data"] if t.get("showlegend", True)]
    assert shown == names  # one legend entry per label, for all the maps
    assert maps["layout"]["showlegend"] and maps["layout"]["xaxis"]["title"]["text"] == "x"
