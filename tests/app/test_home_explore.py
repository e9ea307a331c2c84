"""Home and Explore render on an empty session; the Home demo button leads to Train."""


def test_home_renders_on_empty_session(open_page, text_of):
    at = open_page()
    assert not at.exception
    assert at.title[0].value == "pumap studio"
    assert any("Training will run on" in t for t in text_of(at.info))


def test_home_demo_button_loads_the_demo_and_opens_train(open_page):
    at = open_page()
    at.button(key="home.demo").click().run()
    assert not at.exception
    assert at.title[0].value == "Train"
    assert at.session_state["dataset"].name == "digits"


def test_explore_on_empty_session_asks_for_a_run(open_page):
    """No run in the workspace: an info message (train or pick a run), no exception."""
    at = open_page("pages/explore.py")
    assert not at.exception
    assert not at.error
    assert at.info, "Explore should tell the user to train or pick a run"
