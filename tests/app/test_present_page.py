"""Present page: the run of the URL (else Explore's, else the newest) alone, large, in big type,
with the app's sidebar hidden; Explore's button opens it on the map shown there."""

import json


def test_the_run_in_the_url_is_shown_large_with_big_type(open_page, workspace, iris, iris_model):
    first = workspace.save_run(iris_model, iris, name="first")
    workspace.save_run(iris_model, iris, name="second")
    at = open_page("pages/explore.py")
    at.selectbox(key="explore.run").set_value(first.id).run()
    at.button(key="explore.present").click().run()
    assert not at.exception and at.query_params["run"] in (first.id, [first.id])
    fig = json.loads(at.get("plotly_chart")[0].proto.spec)
    assert fig["layout"]["title"]["text"] == "first"
    assert fig["layout"]["font"]["size"] >= 20 and fig["layout"]["height"] >= 800
    names = [t["name"] for t in fig["data"]]
    assert names == sorted(set(str(v) for v in iris.labels))  # one trace per label
    hidden = " ".join(m.value for m in at.markdown)
    assert "stSidebar" in hidden and "display: none" in hidden
    assert not at.selectbox and not at.slider  # no controls


def test_without_a_run_it_says_how_to_get_one(open_page):
    at = open_page("pages/present.py")
    assert not at.exception and at.title[0].value == "No map to present yet"
