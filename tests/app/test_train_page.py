"""Train page: a 3-epoch training of iris, a job of the server's training service, ends as a
saved run; the job's id is in the URL."""

import base64
import json
import time

from pumap_core.jobs import JobStore
from pumap_core.runs import Workspace

WAIT_S = 120


def finished_job(at):
    """The record of the job the page submitted, once it has ended (the page's fragment would
    poll; AppTest runs nothing by itself)."""
    job_id = at.session_state["train.job_id"]
    assert at.query_params["job"] == [job_id] or at.query_params["job"] == job_id
    deadline = time.monotonic() + WAIT_S
    while not JobStore().get(job_id).finished and time.monotonic() < deadline:
        time.sleep(0.5)
    return JobStore().get(job_id)


def chart_titles(at) -> list[str]:
    titles = []
    for chart in at.get("plotly_chart"):
        title = json.loads(chart.proto.spec)["layout"].get("title") or {}
        titles.append(title.get("text", "") if isinstance(title, dict) else str(title))
    return titles


def test_renders_on_empty_session(open_page):
    """With no dataset the page falls back to the default demo and shows its form."""
    at = open_page("pages/train.py")
    assert not at.exception
    assert at.session_state["dataset"].name == "digits"
    assert any(b.label == "Train" for b in at.button)


def test_training_saves_a_run_and_reports_it(open_page, text_of, iris):
    at = open_page("pages/train.py", session={"dataset": iris})
    at.number_input(key="train.epochs").set_value(3)
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception
    snap = finished_job(at)
    assert snap.status == "done", snap.error or f"not finished after {WAIT_S} s"
    at.run()
    assert not at.exception
    runs = Workspace().list_runs()
    assert [r.id for r in runs] == [snap.run_id]
    assert runs[0].epochs_trained == 3 and runs[0].dataset_name == "iris"
    assert any(t.startswith("Finished 3 epochs") and snap.run_id in t for t in text_of(at.success))
    # the live map: the job's last snapshot is the end of training, and the run keeps them all
    live = JobStore().snapshot(snap.id)
    assert live is not None and (live.epoch, live.n_epochs) == (3, 3)
    assert live.positions.shape == (150, 2)
    assert Workspace().load_run(snap.run_id).snapshots().epochs.tolist() == [0, 1, 2, 3]
    assert "The map now — epoch 3 of 3" in chart_titles(at)
    at.button(key="train.explore").click().run()  # the success panel leads to the new map
    assert at.session_state["explore.run_id"] == snap.run_id
    assert at.title[0].value == "Explore" and not at.exception


def test_beyond_the_encoder_settings_reach_the_run_record(open_page, iris):
    """The decoder / autoencoder / global structure / init widgets end up in the saved run."""
    from studio.runs_view import params_table

    at = open_page("pages/train.py", session={"dataset": iris})
    assert at.selectbox(key="train.init").value == "spectral"  # the library's default
    at.number_input(key="train.epochs").set_value(3)
    at.toggle(key="train.autoencoder").set_value(True)  # needs, and so turns on, the decoder
    at.slider(key="train.global_weight").set_value(0.5)
    at.selectbox(key="train.init").set_value("pca")
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception
    snap = finished_job(at)
    assert snap.status == "done", snap.error or f"not finished after {WAIT_S} s"
    info = Workspace().list_runs()[0]
    assert info.params["parametric_reconstruction"] is True
    assert info.params["autoencoder_loss"] is True
    assert info.params["global_correlation_loss_weight"] == 0.5 and info.params["init"] == "pca"
    table = params_table([info])
    assert table.loc["init"].iloc[-1] == "pca"
    assert table.loc["parametric_reconstruction"].iloc[-1] == "True"
    assert table.loc["global_correlation_loss_weight"].iloc[-1] == "0.5"
    decoded = Workspace().load_run(info.id).estimator().inverse_transform([[0.0, 0.0]])
    assert decoded.shape == (1, 4)
    # the live chart: the total that is minimised, and each term as its own curve
    assert set(snap.terms) >= {"umap_loss", "reconstruction_loss", "global_correlation_loss"}
    assert all(len(v) == len(snap.losses) == 3 for v in snap.terms.values())
    at.run()
    chart = json.loads(at.get("plotly_chart")[0].proto.spec)
    names = [trace["name"] for trace in chart["data"]]
    assert names[0] == "total" and {"UMAP", "reconstruction", "global structure"} <= set(names)
    assert chart["layout"]["yaxis"]["title"]["text"] == "loss"


def test_while_its_job_runs_the_form_is_locked_and_the_job_has_its_settings(open_page, iris):
    """The teacher's bug: a min_dist 0.9 run trained with other settings. The job records what
    the form showed, the form keeps showing it, and cannot be sent again until the job ends."""
    from studio.service import training_service

    at = open_page("pages/train.py", session={"dataset": iris})
    at.toggle(key="train.advanced").set_value(True).run()  # the two numbers, not the slider
    at.slider(key="train.min_dist").set_value(0.9)
    at.number_input(key="train.epochs").set_value(2000)
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception
    job_id = at.session_state["train.job_id"]
    assert JobStore().get(job_id).settings["min_dist"] == 0.9
    at.run()
    locked = at.slider(key="train.locked.min_dist")
    assert locked.value == 0.9 and locked.disabled
    assert at.number_input(key="train.locked.epochs").value == 2000
    assert at.selectbox(key="train.locked.init").disabled
    assert next(b for b in at.button if b.label == "Train").disabled
    training_service().cancel(job_id)
    record = finished_job(at)
    assert record.status == "cancelled"
    at.run()
    assert not next(b for b in at.button if b.label == "Train").disabled
    assert at.slider(key="train.min_dist").value == 0.9  # the last settings this session sent
    at.switch_page("pages/data.py").run()
    at.switch_page("pages/train.py").run()  # Streamlit forgot the widgets; the form did not
    assert at.slider(key="train.min_dist").value == 0.9
    assert at.number_input(key="train.epochs").value == 2000


def test_one_slider_from_local_to_global_picks_both_numbers(open_page, iris):
    """For non-programmers: the pairs go together; the advanced switch shows the numbers."""
    from studio.train_form import FOCUS

    at = open_page("pages/train.py", session={"dataset": iris})
    focus = at.select_slider(key="train.focus")
    assert focus.value == "balanced" and not at.toggle(key="train.advanced").value
    assert [s for s in at.slider if s.key == "train.min_dist"] == []  # hidden meanwhile
    focus.set_value("very global")
    at.number_input(key="train.epochs").set_value(2)
    next(b for b in at.button if b.label == "Train").click().run()
    sent = JobStore().get(at.session_state["train.job_id"]).settings
    assert (sent["n_neighbors"], sent["min_dist"]) == (149, FOCUS["very global"][1])  # ≤ n - 1
    assert finished_job(at).status == "done"
    at.run()
    assert at.select_slider(key="train.focus").value == "very global"  # on the scale: kept
    at.toggle(key="train.advanced").set_value(True).run()
    assert at.slider(key="train.n_neighbors").value == 149


def interrupted_job(iris, epochs=2):
    """A job whose worker was lost (tests/core/jobs/test_service.py kills a real one)."""
    from pumap_core.data import DatasetStore
    from pumap_core.jobs import JobOrder

    order = JobOrder(dataset_id=DatasetStore().save(iris).id,
                     params={"n_training_epochs": epochs, "min_dist": 0.9, "random_state": 0})
    lost = JobStore().create(order, owner="a tab that was closed", dataset_name="iris",
                             n_items=150)
    JobStore().update(lost.id, status="interrupted", stage="interrupted", started=1.0, ended=2.0,
                      error="Training stopped: its worker was lost.", n_epochs=epochs)
    return lost


def test_an_interrupted_job_says_so_and_starts_over_on_a_press(open_page, iris):
    """Without a checkpoint (lost before its first) the job starts over, as the same job, owned
    by the session that pressed."""
    lost = interrupted_job(iris)
    at = open_page("pages/train.py", session={"dataset": iris, "train.job_id": lost.id})
    assert not at.exception
    assert "its worker was lost" in at.warning[0].value
    assert "before its first checkpoint" in at.warning[0].value
    assert at.button(key="train.resume").label == "Start over"
    at.button(key="train.resume").click().run()
    again = finished_job(at)
    assert again.id == lost.id and again.status == "done" and again.settings["min_dist"] == 0.9
    assert again.owner != "a tab that was closed" and again.resumed_from == 0


def test_an_interrupted_job_with_a_checkpoint_offers_resume_and_discard(open_page, iris):
    from pumap_core.training.checkpoint import Checkpoint

    lost = interrupted_job(iris, epochs=50)
    Checkpoint(JobStore().checkpoint_path(lost.id), key="k").write(
        20, {"loss": [0.5] * 20}, [], [], {})
    at = open_page("pages/train.py", session={"dataset": iris, "train.job_id": lost.id})
    assert "holds 20 of 50 epochs" in at.warning[0].value
    assert at.button(key="train.resume").label == "Resume from epoch 20"
    at.button(key="train.discard").click().run()
    assert not at.exception and "train.job_id" not in at.session_state
    assert [r.id for r in JobStore().list()] == []


def test_a_reloaded_tab_gets_the_jobs_data_and_settings_back(open_page, iris):
    """Regression (issue 12): after a reload mid-training the page showed nothing and the
    uploaded dataset was gone (it lived only in the session)."""
    from dataclasses import replace

    from pumap_core.data import DatasetStore
    from pumap_core.jobs import JobOrder

    upload = replace(iris, name="flowers.csv")
    order = JobOrder(dataset_id=DatasetStore().save(upload).id,
                     params={"n_training_epochs": 40, "min_dist": 0.7, "n_neighbors": 9})
    job = JobStore().create(order, owner="the tab before the reload", dataset_name="flowers.csv",
                            n_items=150)
    now = time.time()
    JobStore().update(job.id, status="running", stage="training", started=now, heartbeat=now,
                      epoch=5, n_epochs=40)
    at = open_page("pages/train.py", session={"train.job_id": job.id})  # a new session
    assert not at.exception
    assert at.session_state["dataset"].name == "flowers.csv"
    assert at.slider(key="train.min_dist").value == 0.7
    assert at.slider(key="train.n_neighbors").value == 9
    assert any(c.value.startswith("flowers.csv (150 items)") for c in at.caption)  # the panel


def test_a_running_jobs_panel_shows_the_map_as_it_is_now(open_page, iris):
    """Issue 15: beside the loss, the map itself moves. The panel draws the worker's latest
    snapshot of its sample, coloured by label as on every page, and follows the next one."""
    import numpy as np

    from pumap_core.data import DatasetStore
    from pumap_core.jobs import JobOrder
    from studio.colours import categories, colour_map

    order = JobOrder(dataset_id=DatasetStore().save(iris).id, params={"n_training_epochs": 40})
    job = JobStore().create(order, owner="someone", dataset_name="iris", n_items=150)
    now = time.time()
    JobStore().update(job.id, status="running", stage="training", started=now, heartbeat=now,
                      epoch=5, n_epochs=40, losses=(0.5,) * 5)
    rows = np.arange(0, 150, 2)
    positions = np.random.default_rng(0).normal(size=(len(rows), 2)).astype(np.float32)
    JobStore().write_snapshot(job.id, 5, 40, positions, rows)
    at = open_page("pages/train.py", session={"train.job_id": job.id})
    assert not at.exception
    assert "The map now — epoch 5 of 40" in chart_titles(at)
    live = next(json.loads(c.proto.spec) for c in at.get("plotly_chart")
                if "map now" in json.dumps(json.loads(c.proto.spec)["layout"].get("title")))
    codes, names = categories(iris.labels)
    assert [t["name"] for t in live["data"]] == names
    assert [t["marker"]["color"] for t in live["data"]] == list(colour_map(names).values())
    xs = np.concatenate([np.frombuffer(base64.b64decode(t["x"]["bdata"]), t["x"]["dtype"])
                         if isinstance(t["x"], dict) else np.asarray(t["x"], float)
                         for t in live["data"]])
    np.testing.assert_allclose(np.sort(xs), np.sort(positions[:, 0]), atol=1e-6)
    JobStore().write_snapshot(job.id, 10, 40, positions * 2, rows)  # the worker moves on
    JobStore().update(job.id, heartbeat=time.time(), epoch=10)
    at.run()
    assert "The map now — epoch 10 of 40" in chart_titles(at)


def test_the_label_guides_the_map_and_unlabelled_rows_stay_unlabelled(open_page, iris):
    """Issue 16: "Let the label guide the map" trains with the labels (supervised UMAP);
    rows without a label are unlabelled in the fit and stay so in the run."""
    import dataclasses

    import numpy as np

    labels = iris.labels.astype(str).copy()
    labels[::3] = "(missing)"  # a third of the rows have no label
    ds = dataclasses.replace(iris, labels=labels)
    at = open_page("pages/train.py", session={"dataset": ds})
    assert at.slider(key="train.guide").value == 0.0  # off unless asked
    at.number_input(key="train.epochs").set_value(3)
    at.slider(key="train.guide").set_value(0.8)
    next(b for b in at.button if b.label == "Train").click().run()
    assert not at.exception
    snap = finished_job(at)
    assert snap.status == "done", snap.error or f"not finished after {WAIT_S} s"
    assert JobStore().order(snap.id).use_labels is True
    info = Workspace().list_runs()[0]
    assert info.params["target_weight"] == 0.8 and info.params["target_metric"] == "categorical"
    kept = np.asarray(Workspace().load_run(snap.run_id).training_data().labels).astype(str)
    assert (kept == "(missing)").sum() == 50 and set(kept) == set(labels)
