"""Data persist (issue 12): an upload is kept in the workspace as soon as it is loaded, a new
session (a reload, another user) can use it again, and deleting asks first and never removes
what a queued job needs."""

from pumap_core.data import DatasetStore
from pumap_core.jobs import JobOrder, JobStore


def load_upload(at, iris_csv):
    at.radio(key="data.source").set_value("Upload a file").run()
    at.file_uploader(key="data.upload").set_value(("flowers.csv", iris_csv, "text/csv"))
    at.run()
    at.button(key="data.load_table").click().run()
    assert not at.exception and not at.error


def test_an_upload_is_kept_and_a_new_session_uses_it_again(open_page, iris_csv):
    load_upload(open_page("pages/data.py"), iris_csv)
    kept = DatasetStore().list()
    assert [(k.name, k.n_items) for k in kept] == [("flowers.csv", 10)]

    again = open_page("pages/data.py")  # a reload: a new session with nothing in it
    assert again.selectbox(key="data.kept").value == kept[0].id
    again.button(key="data.use_kept").click().run()
    assert not again.exception
    assert again.session_state["dataset"].name == "flowers.csv"
    assert again.session_state["dataset"].n_items == 10


def test_delete_is_refused_while_a_job_needs_the_dataset(open_page, iris_csv):
    load_upload(open_page("pages/data.py"), iris_csv)
    kept = DatasetStore().list()[0]
    JobStore().create(JobOrder(dataset_id=kept.id))  # queued, not yet started
    at = open_page("pages/data.py")
    at.button(key="data.delete_kept").click().run()
    assert "still needed by a queued or running job" in at.error[0].value
    assert [k.id for k in DatasetStore().list()] == [kept.id]

    JobStore().update(JobStore().list()[0].id, status="done", stage="done")
    at = open_page("pages/data.py")
    at.button(key="data.delete_kept").click().run()
    assert not at.exception and DatasetStore().list() == []
