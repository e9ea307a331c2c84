"""Data page: empty state, loading a demo, and bad uploads that leave the loaded data alone.

AppTest (Streamlit 1.67) drives ``st.file_uploader`` directly (``set_value``), so the uploads
below go through the real widget and the page's own code path.
"""

import pytest


def test_renders_on_empty_session(open_page, text_of):
    at = open_page("pages/data.py")
    assert not at.exception
    assert any("No dataset loaded yet" in t for t in text_of(at.info))


def test_loading_the_iris_demo(open_page, text_of):
    at = open_page("pages/data.py")
    at.selectbox(key="data.demo").set_value("iris")
    at.button(key="data.load_demo").click().run()
    assert not at.exception
    assert at.session_state["dataset"].name == "iris"
    assert "Loaded the iris demo." in text_of(at.success)
    assert any(s.value == "Loaded: iris" for s in at.subheader)


@pytest.mark.parametrize("filename, content, button", [
    ("broken.parquet", b"this is not a parquet file", None),
    ("empty.csv", b"", None),
    ("images.zip", b"PK\x03\x04 not really a zip", "data.load_zip"),
])
def test_bad_upload_shows_one_line_and_keeps_the_dataset(open_page, text_of, iris, filename,
                                                        content, button):
    at = open_page("pages/data.py", session={"dataset": iris})
    at.radio(key="data.source").set_value("Upload a file").run()
    at.file_uploader(key="data.upload").set_value((filename, content, "application/octet-stream"))
    at.run()
    if button:
        at.button(key=button).click().run()
    assert not at.exception
    errors = text_of(at.error)
    assert len(errors) == 1 and "\n" not in errors[0] and "Traceback" not in errors[0], errors
    assert at.session_state["dataset"] is iris
    assert any(s.value == "Loaded: iris" for s in at.subheader)


def test_synthetic_map_is_kept_as_a_run_and_opened_in_explore(open_page, workspace, iris):
    """The Create map button saves a map-only run, names it for Explore, and leaves the loaded
    dataset alone (AppTest then runs the Explore page, rewritten separately: not checked here)."""
    at = open_page("pages/data.py", session={"dataset": iris})
    assert at.selectbox(key="data.synthetic.n").options == ["1,000", "10,000", "100,000",
                                                            "1,000,000"]
    at.selectbox(key="data.synthetic.n").set_value(1000)
    at.radio(key="data.synthetic.kind").set_value("images")
    at.button(key="data.synthetic.create").click().run()
    runs = workspace.list_runs()
    assert len(runs) == 1 and runs[0].has_model is False and runs[0].n_items == 1000
    assert runs[0].dataset_name == "synthetic images 1k"
    assert at.session_state["explore.run_id"] == runs[0].id
    assert at.session_state["dataset"] is iris
    assert workspace.load_run(runs[0].id).thumbnails.cell == 64
