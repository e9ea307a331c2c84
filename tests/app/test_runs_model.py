"""Runs page: the encoder as Keras / SavedModel / ONNX downloads, and continued training on new
data that keeps the old points where they were, as a new run.

Downloads are made on click, which AppTest cannot do: the buttons are checked on the page and
the bytes through the function they call (``encoder_export``).
"""

import io
import time
import zipfile

import numpy as np

from pumap_core.jobs import JobStore
from pumap_core.runs import Workspace
from studio.continue_training import JOB
from studio.runs_view import EXPORTS, encoder_export, export_name

PAGE = "pages/runs.py"
WAIT_S = 240


def test_export_buttons_are_on_the_page(open_page, saved_run):
    at = open_page(PAGE)
    assert not at.exception and not at.error
    buttons = {b.key: b for b in at.get("download_button")}
    for fmt in EXPORTS:
        button = buttons[f"runs.export.{fmt}.{saved_run.id}"]
        assert not button.proto.disabled
        assert button.proto.label == EXPORTS[fmt][0]
    assert export_name(saved_run, "onnx") == "iris_quick-encoder.onnx"
    assert export_name(saved_run, "savedmodel") == "iris_quick-encoder_savedmodel.zip"


def test_export_bytes_give_the_map(tmp_path, workspace, saved_run, iris):
    import keras

    expected = Workspace().load_run(saved_run.id).estimator().transform(iris.X[:20])
    keras_file = tmp_path / export_name(saved_run, "keras")
    keras_file.write_bytes(encoder_export(workspace, saved_run, "keras"))
    got = keras.saving.load_model(keras_file)(iris.X[:20])
    np.testing.assert_allclose(keras.ops.convert_to_numpy(got), expected, atol=1e-5)

    import onnxruntime as onnx
    session = onnx.InferenceSession(encoder_export(workspace, saved_run, "onnx"))
    got = session.run(None, {session.get_inputs()[0].name: iris.X[:20]})[0]
    np.testing.assert_allclose(got, expected, atol=1e-4)

    with zipfile.ZipFile(io.BytesIO(encoder_export(workspace, saved_run, "savedmodel"))) as zf:
        names = zf.namelist()
    assert "iris_quick-encoder_savedmodel/saved_model.pb" in names


def test_continue_training_makes_a_new_run_and_keeps_the_old_map(open_page, text_of,
                                                                  saved_run, iris_csv):
    before = Workspace().load_run(saved_run.id).points.copy()
    at = open_page(PAGE)
    assert at.selectbox(key="runs.continue_run").value == saved_run.id
    at.file_uploader(key="runs.continue_upload").set_value(("more.csv", iris_csv, "text/csv"))
    at.run()
    at.number_input(key="runs.continue_epochs").set_value(5)
    at.button(key="runs.continue").click().run()
    assert not at.exception and not at.error
    job_id = at.session_state[JOB]
    deadline = time.monotonic() + WAIT_S
    while not JobStore().get(job_id).finished and time.monotonic() < deadline:
        time.sleep(0.5)
    snap = JobStore().get(job_id)
    assert snap.status == "done", snap.error or f"not finished after {WAIT_S} s"
    assert len(snap.losses) == 5
    at.run()
    assert not at.exception
    assert any(t.startswith("Finished 5 epochs") for t in text_of(at.success))

    runs = {r.id: r for r in Workspace().list_runs()}
    assert set(runs) == {saved_run.id, snap.run_id}
    new = Workspace().load_run(snap.run_id)
    assert new.name == "iris quick + more.csv" and new.n_items == 160
    assert list(new.points["origin"]) == ["old map"] * 150 + ["new data"] * 10
    old = Workspace().load_run(saved_run.id)
    assert old.points.equals(before)  # the old run is never touched
    extent = np.ptp(before[["x", "y"]].to_numpy(), axis=0).max()
    moved = np.linalg.norm(new.embedding[:150] - before[["x", "y"]].to_numpy(), axis=1)
    assert moved.mean() < 0.02 * extent, moved.mean() / extent
    assert np.isfinite(new.embedding).all()


def test_continuing_a_run_without_its_rows_is_one_line(open_page, saved_run, iris_csv):
    (saved_run.path / "features.npy").unlink()  # a run saved by an older version
    at = open_page(PAGE)
    at.file_uploader(key="runs.continue_upload").set_value(("more.csv", iris_csv, "text/csv"))
    at.run()
    at.button(key="runs.continue").click().run()
    assert not at.exception
    errors = [str(e.value) for e in at.error]
    assert len(errors) == 1 and "train it again" in errors[0] and "\n" not in errors[0]
    assert JOB not in at.session_state and len(Workspace().list_runs()) == 1


def test_combined_images_share_one_thumbnail_size():
    import dataclasses

    from pumap_core.data import combine_datasets, load_demo

    digits = load_demo("digits")
    old = dataclasses.replace(digits, X=digits.X[:50], table=digits.table.iloc[:50],
                              labels=digits.labels[:50], thumbnails=digits.thumbnails.take(
                                  slice(0, 50)))
    small = np.asarray(digits.thumbnails.pixels[50:60])[:, ::2, ::2]  # 32 px cells
    from pumap_core.thumbnails import Thumbnails

    new = dataclasses.replace(digits, X=digits.X[50:60], table=digits.table.iloc[50:60],
                              labels=None, thumbnails=Thumbnails(np.ascontiguousarray(small)))
    both = combine_datasets(old, new, "old run")
    assert both.n_items == 60 and both.thumbnails.cell == 64 and len(both.thumbnails) == 60
    assert list(both.labels[-2:]) == ["(new data)"] * 2 and both.labels[0] == str(digits.labels[0])
