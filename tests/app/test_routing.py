"""studio.routing switches off Streamlit's legacy ``pages/`` mode through a private flag.

Streamlit offers no supported way to keep a ``pages/`` folder beside a script that calls
``st.navigation`` and still have a deep link, as a fresh server's first request, run that
script (it runs ``pages/<name>.py`` alone). These tests pin the private pieces routing relies
on, so that a Streamlit release that changes them fails here, loudly, rather than in a browser.
"""

import inspect
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture
def pages_manager():
    from streamlit.runtime.pages_manager import PagesManager

    saved = PagesManager.uses_pages_directory
    yield PagesManager
    PagesManager.uses_pages_directory = saved


def test_streamlit_still_detects_the_legacy_pages_mode_with_that_flag(pages_manager):
    pages_manager.uses_pages_directory = None
    pages_manager(str(ROOT / "app.py"))
    assert pages_manager.uses_pages_directory is True  # our pages/ folder turns it on
    from streamlit.runtime.scriptrunner import script_runner

    assert "PagesManager.uses_pages_directory" in inspect.getsource(script_runner)


def test_st_navigation_still_turns_the_flag_off():
    from streamlit.commands import navigation

    assert "PagesManager.uses_pages_directory = False" in inspect.getsource(navigation)


def test_routing_turns_the_legacy_mode_off_once_and_reruns(pages_manager, monkeypatch):
    import streamlit as st

    from studio import routing

    reruns = []
    monkeypatch.setattr(st, "rerun", lambda: reruns.append(1))
    monkeypatch.setattr(routing, "_checked", False)
    pages_manager.uses_pages_directory = True
    routing.ensure_app_navigation()
    routing.ensure_app_navigation()
    assert pages_manager.uses_pages_directory is False and reruns == [1]
