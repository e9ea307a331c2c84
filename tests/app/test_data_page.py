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


def _penguin_like_csv(n: int = 120) -> bytes:
    """A table shaped like Palmer penguins: an id, the class in text, numbers, sex, year."""
    import numpy as np
    import pandas as pd

    rng = np.random.default_rng(0)
    species = rng.choice(["Adelie", "Chinstrap", "Gentoo"], n)
    frame = pd.DataFrame({
        "sample_id": np.arange(1000, 1000 + n) * 7, "species": species,
        "island": rng.choice(["Biscoe", "Dream"], n),
        "bill_length_mm": rng.normal(44, 5, n).round(1), "body_mass_g": rng.normal(4200, 800, n),
        "sex": rng.choice(["male", "female", None], n, p=[0.48, 0.48, 0.04]),
        "year": rng.choice([2007, 2008, 2009], n)})
    return frame.to_csv(index=False).encode()


def test_a_table_is_shown_with_its_columns_label_and_features_before_loading(open_page):
    at = open_page("pages/data.py")
    at.radio(key="data.source").set_value("Upload a file").run()
    at.file_uploader(key="data.upload").set_value(("peng.csv", _penguin_like_csv(), "text/csv"))
    at.run()
    assert not at.exception
    label = next(s for s in at.selectbox if s.label == "Label / colour column")
    assert label.value == "species"  # 3 text values, named like a class
    features = next(m for m in at.multiselect if m.label == "Feature columns")
    assert "species" not in features.options  # the label is never offered as a feature
    assert features.value == ["bill_length_mm", "body_mass_g"]  # no id, no year
    profile, head = at.dataframe[0].value, at.dataframe[1].value
    assert len(head) == 8 and list(head.columns)[:2] == ["sample_id", "species"]
    roles = dict(zip(profile["column"], profile["role"]))
    assert roles["species"] == "label" and roles["body_mass_g"] == "feature"
    assert roles["year"] == "left out: it looks like a year"
    assert roles["sample_id"] == "left out: it looks like an identifier"
    assert dict(zip(profile["column"], profile["missing"]))["sex"] > 0
    assert dict(zip(profile["column"], profile["distinct"]))["island"] == 2
    notes = " ".join(c.value for c in at.caption)
    assert "`year` (it looks like a year)" in notes
    # options in plain words, the recommended one first and chosen
    numbers = next(r for r in at.radio if r.label == "Numbers")
    assert numbers.value == "standardize" and "recommended" in numbers.options[0]

    features.set_value(["bill_length_mm", "body_mass_g", "sex"]).run()
    at.button(key="data.load_table").click().run()
    ds = at.session_state["dataset"]
    assert ds.label_name == "species" and "sex=male" in ds.feature_names


def test_the_image_preview_shows_a_few_of_each_class(open_page):
    from files import image_bytes, zip_bytes

    # 45 cats first, then 5 dogs and 5 owls: the first 40 images are all cats
    files = {f"{kind}/{k}.png": image_bytes(color=(k, 0, 0)) for kind, count in (
        ("cat", 45), ("dog", 5), ("owl", 5)) for k in range(count)}
    at = open_page("pages/data.py")
    at.radio(key="data.source").set_value("Upload a file").run()
    at.file_uploader(key="data.upload").set_value(("pets.zip", zip_bytes(files),
                                                   "application/zip"))
    at.run()
    at.button(key="data.load_zip").click().run()
    assert not at.exception
    captions = at.get("image")[0].captions
    assert len(captions) <= 40 and {"cat", "dog", "owl"} <= set(captions)
    assert captions.count("dog") == 5 and captions == sorted(captions)
